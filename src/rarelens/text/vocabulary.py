"""A hospital's own clinical wording, added to the extractor's dictionary.

Every ward writes its own shorthand (本院 abbreviations, a consultant's favourite phrase, the
local name of an examination finding) that no ontology or shipped table carries. A vocabulary
file lets the people who run RareLens add it without editing the package: a UTF-8 TSV of
``hpo_id<TAB>expression[<TAB>note]``, ``#`` comments and an optional ``hpo_id`` header, the same
layout as the shipped tables (``en_synonyms.tsv``, ``zh_synonyms.tsv``).

The rows are checked against the ontology the extractor uses before anything is matched: an
unknown id, a retired id without a replacement, a term outside Phenotypic abnormality, an empty
or one-letter expression, or one expression given two ids is refused with its line, because a
wrong row would silently turn a hospital's notes into wrong findings. A retired id with a
replacement is read as its replacement, with a warning. A row wins over every other source of
the same wording (the hospital's choice is the point of the file); its mentions say
``source: vocabulary`` so a reader can tell where a finding came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rarelens.io.text_files import read_utf8_text
from rarelens.model.scripts import has_cjk
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY, Ontology

_HPO_ID = re.compile(r"^HP:\d{7}$")
VOCABULARY_FIX = "each line is 'HP:0000000<TAB>expression' with an optional third column for a note"


@dataclass(frozen=True, slots=True)
class VocabularyRow:
    line: int
    hpo_id: str  # the current primary id (a retired id is replaced)
    expression: str

    @property
    def chinese(self) -> bool:
        return has_cjk(self.expression)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    path: str
    rows: tuple[VocabularyRow, ...]
    warnings: tuple[str, ...] = ()

    def english(self) -> list[tuple[str, str]]:
        return [(r.hpo_id, r.expression) for r in self.rows if not r.chinese]

    def chinese(self) -> list[tuple[str, str]]:
        return [(r.hpo_id, r.expression) for r in self.rows if r.chinese]


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used; the message names the file, the line and the fix."""


def load_vocabulary(path: Path, ontology: Ontology) -> Vocabulary:
    """Read and check a vocabulary file (see the module docstring). Raises `VocabularyError`
    (or `rarelens.io.text_files.TextFileError` for a file that is not UTF-8 text)."""
    text = read_utf8_text(path)
    rows: list[VocabularyRow] = []
    problems: list[str] = []
    warnings: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    pa = ontology.index(PHENOTYPIC_ABNORMALITY)
    first = True  # a header may stand on the first line that is no comment
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.split("\t")  # no quoting: a quote mark is part of the wording
        if first and cells[0].strip().lower() == "hpo_id":
            first = False
            continue
        first = False
        if len(cells) < 2 or not cells[1].strip():
            problems.append(f"line {line}: expected an HPO id, a tab and an expression, got {raw.strip()[:60]!r}")
            continue
        hpo_id, expression = cells[0].strip(), " ".join(cells[1].split())
        if not _HPO_ID.match(hpo_id):
            problems.append(f"line {line}: {hpo_id!r} is not an HPO id (HP: and seven digits)")
            continue
        resolved = ontology.resolve(hpo_id)
        if resolved.index is None:
            message = resolved.issue.message if resolved.issue else f"{hpo_id} is not in HPO {ontology.release}"
            problems.append(f"line {line}: {message}")
            continue
        idx = resolved.index
        if not ontology.is_descendant_of(idx, pa) or idx == pa:
            problems.append(f"line {line}: {hpo_id} ({ontology.labels[idx]}) is not under Phenotypic abnormality "
                            f"({PHENOTYPIC_ABNORMALITY}); only findings are matched in text")
            continue
        current = ontology.ids[idx]
        if resolved.issue is not None:
            warnings.append(f"{path}:{line}: {resolved.issue.message}")
        if len(expression) < (2 if has_cjk(expression) else 3):
            problems.append(f"line {line}: the expression {expression!r} is too short to match safely")
            continue
        key = expression.lower()
        if key in seen and seen[key][1] != current:
            problems.append(f"line {line}: {expression!r} is already given {seen[key][1]} on line {seen[key][0]}")
            continue
        seen[key] = (line, current)
        rows.append(VocabularyRow(line, current, expression))
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise VocabularyError(f"{path}: {len(problems)} unusable line(s): {shown}. Fix: {VOCABULARY_FIX}")
    if not rows:
        raise VocabularyError(f"{path}: no vocabulary rows. Fix: {VOCABULARY_FIX}")
    return Vocabulary(str(path), tuple(rows), tuple(warnings))
