#!/usr/bin/env bash
# Regenerates docs/consultation.md: one simulated patient (a phenopacket from the dev set used as
# the answers file) consulted by `rarelens consult` in both modes and both languages.
# Needs a built knowledge base (`rarelens kb build`) and ../shared/data beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
CASE=../shared/data/phenopackets/dev/COL3A1/PMID_36189931_14.json
START=HP:0000978,HP:0002108   # presenting: bruising susceptibility, spontaneous pneumothorax
out=docs/consultation.md
{
  echo "# A recorded consultation"
  echo
  echo "Made by \`docs/record_consultation.sh\` ($(rarelens --version 2>/dev/null || echo rarelens)) on the knowledge base"
  echo "built from \`../shared/data\`. The patient is the dev phenopacket \`COL3A1/PMID_36189931_14.json\`"
  echo "(a man with vascular Ehlers-Danlos syndrome, PMID:36189931); the consultation starts from two"
  echo "presenting findings and the phenopacket answers the engine's questions (\`--answers\`): yes when"
  echo "it lists the asked finding or a more specific one, no when it lists it as excluded, unknown"
  echo "otherwise. Nothing about the diagnosis is given to the engine."
  for mode in clinician patient; do
    for lang in en zh; do
      budget=10; [ "$mode-$lang" = "clinician-en" ] || budget=6
      echo
      echo "## $mode mode, $lang"
      echo
      echo '```'
      echo "\$ rarelens consult --hpo $START --sex M --answers $CASE --mode $mode --lang $lang --budget $budget"
      rarelens consult --hpo "$START" --sex M --answers "$CASE" --mode "$mode" --lang "$lang" --budget "$budget" 2>/dev/null
      echo '```'
    done
  done
  echo
  echo "## Decision path (Mermaid, clinician mode)"
  echo
  echo '```mermaid'
  rarelens consult --hpo "$START" --sex M --answers "$CASE" --budget 10 --out /tmp/rarelens-consult.mmd --format mermaid >/dev/null 2>&1
  cat /tmp/rarelens-consult.mmd
  echo '```'
} > "$out"
echo "wrote $out"
