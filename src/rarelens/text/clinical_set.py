"""RareLens' own Chinese clinical test set: sentences with gold present, negated and family ids.

Unlike the literature corpora, these sentences are about one patient, so the three gold lists
are scored apart: present findings against the extractor's ``is_present`` mentions, negated
findings against its negated ones, family history against its family ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rarelens.ontology.ontology import Ontology
from rarelens.sources.errors import SourceFormatError
from rarelens.text.evaluation import evaluate_text
from rarelens.text.mention import Document, GoldMention, Mention


@dataclass(frozen=True, slots=True)
class ClinicalSentence:
    id: str
    kind: str
    text: str
    present: tuple[str, ...]
    negated: tuple[str, ...]
    family: tuple[str, ...]


def load_clinical_set(path: Path) -> list[ClinicalSentence]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(ClinicalSentence(row["id"], row.get("kind", ""), row["text"], tuple(row.get("present", ())),
                                        tuple(row.get("negated", ())), tuple(row.get("family", ()))))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SourceFormatError(path, n, f"not a clinical-set row ({exc})",
                                    'one JSON object per line with "id", "text", "present", "negated", "family"') from None
    return out


def _docs(sentences: Sequence[ClinicalSentence], field: str) -> list[Document]:
    return [Document(s.id, s.text, tuple(GoldMention(-1, -1, "", h) for h in getattr(s, field))) for s in sentences]


def evaluate_clinical_set(
    sentences: Sequence[ClinicalSentence], mentions: dict[str, Sequence[Mention]], ontology: Ontology
) -> dict[str, object]:
    """Document-level scores for present, negated and family findings (strict and relaxed)."""
    def as_found(keep: str) -> dict[str, list[Mention]]:
        out: dict[str, list[Mention]] = {}
        for sid, ms in mentions.items():
            if keep == "present":
                sel = [m for m in ms if m.is_present]
            elif keep == "negated":
                sel = [m for m in ms if m.negated and not m.family]
            else:
                sel = [m for m in ms if m.family and not m.negated]
            # evaluate_text scores non-negated mentions: present the selection as such.
            out[sid] = [replace(m, negated=False) for m in sel]
        return out

    result: dict[str, object] = {"n_sentences": len(sentences)}
    for field in ("present", "negated", "family"):
        scores = evaluate_text(_docs(sentences, field), as_found(field), ontology).to_dict()
        result[field] = {k: scores[k] for k in ("document_strict", "document_relaxed")}
    # Negated findings wrongly reported as present: the failure that would mislead a ranking.
    wrong = 0
    for s in sentences:
        present = {m.hpo_id for m in mentions.get(s.id, ()) if m.is_present}
        wrong += len(present & set(s.negated))
    result["negated_gold_reported_present"] = wrong
    result["negated_gold_total"] = sum(len(s.negated) for s in sentences)
    return result
