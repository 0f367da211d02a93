"""A hospital's own clinical wording, added to the extractor's dictionary.

Every ward writes its own shorthand (本院 abbreviations, a consultant's favourite phrase, the
local name of an examination finding) that no ontology or shipped table carries. A vocabulary
file lets the people who run RareLens add it without editing the package: a UTF-8 TSV of
``hpo_id<TAB>expression[<TAB>note]``, ``#`` comments and an optional ``hpo_id`` header, the same
layout as the shipped tables (``en_synonyms.tsv``, ``zh_synonyms.tsv``).

The rows are checked against the ontology the extractor uses before anything is matched: an
unknown id, a retired id without a replacement, a term outside Phenotypic abnormality, a too
short expression, one the matcher could never read as written (symbols, punctuation), or two
rows the matcher would read alike (case, plurals, word order) with different ids is refused
with its line, because a wrong row would silently turn a hospital's notes into wrong findings. A retired id with a
replacement is read as its replacement, with a warning. A row wins over every other source of
the same wording (the hospital's choice is the point of the file); its mentions say
``source: vocabulary`` so a reader can tell where a finding came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rarelens.io.text_files import read_utf8_text
from rarelens.model.scripts import CJK_RANGE, has_cjk
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY, Ontology
from rarelens.text.english import WORD_CHARS, content_key
from rarelens.text.lexicon import is_abbreviation as _is_abbreviation

# What a row may hold, so that the extractor can match it as written (see `_match_key`).
_EN_ROW = re.compile(f"^[{WORD_CHARS}'’ -]+$")
_ZH_ROW = re.compile(f"^[{CJK_RANGE}A-Za-z][{CJK_RANGE}A-Za-z0-9 \\-]*$")
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
    naming every unusable line (or `rarelens.io.text_files.TextFileError` for a file that is not
    UTF-8 text)."""
    text = read_utf8_text(path)
    rows: list[VocabularyRow] = []
    problems: list[str] = []
    warnings: list[str] = []
    seen: dict[tuple[str, ...], tuple[int, str]] = {}
    pa = ontology.index(PHENOTYPIC_ABNORMALITY)
    first = True  # a header may stand on the first line that is no comment
    # Lines end at \n only (a form feed or U+2028 inside a note is no line end); \r is dropped.
    for line, raw in enumerate((x.rstrip("\r") for x in text.split("\n")), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.split("\t")  # no quoting: a quote mark is part of the wording
        if first and cells[0].strip().lower().replace(" ", "_") == "hpo_id":
            first = False
            continue
        first = False
        if len(cells) < 2 or not cells[1].strip():
            hint = " (the columns must be separated by a tab, not spaces or commas)" if len(cells) < 2 else ""
            problems.append(f"line {line}: expected an HPO id, a tab and an expression{hint}, got {raw.strip()[:60]!r}")
            continue
        hpo_id, expression = cells[0].strip().replace("\uff1a", ":"), cells[1].strip()
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
        if resolved.issue is not None and resolved.issue.code != "bad-hpo-id":
            warnings.append(f"{path}:{line}: {resolved.issue.message}")
        key, problem = _match_key(expression)
        if problem:
            problems.append(f"line {line}: {expression!r} {problem}")
            continue
        # English keys are also matched as a bag of their words (any order), so that collides too.
        keys = [key, ("bag", *sorted(key[1:]))] if key[0] == "en" and len(key) > 2 else [key]
        clash = next((seen[k] for k in keys if k in seen and seen[k][1] != current), None)
        if clash is not None:
            problems.append(f"line {line}: {expression!r} reads the same as line {clash[0]} "
                            f"(the matcher ignores case, plurals, word order and function words), which gives {clash[1]}")
            continue
        for k in keys:
            seen.setdefault(k, (line, current))
        if _is_abbreviation(expression):
            warnings.append(f"{path}:{line}: {expression!r} is matched as an abbreviation: only in capitals, as written")
        rows.append(VocabularyRow(line, current, expression if has_cjk(expression) else " ".join(expression.split())))
    if problems:
        listed = "\n  ".join(problems)
        raise VocabularyError(f"{path}: {len(problems)} unusable line(s):\n  {listed}\nFix: {VOCABULARY_FIX}")
    if not rows:
        raise VocabularyError(f"{path}: no vocabulary rows. Fix: {VOCABULARY_FIX}")
    return Vocabulary(str(path), tuple(rows), tuple(warnings))


def _match_key(expression: str) -> tuple[tuple[str, ...], str]:
    """The key the extractor will match ``expression`` on, or why it never could: the checks
    mirror how the extractor reads text, so a row that loads is a row that can match."""
    if has_cjk(expression):
        if len(expression) < 2:
            return (), "is too short to match safely"
        if not _ZH_ROW.match(expression):
            return (), ("holds punctuation, a full-width space or a symbol, which Chinese matching never "
                        "crosses; write the wording alone, starting with a Chinese character or a Latin letter")
        return ("zh", expression), ""
    if len(expression) < 3:
        return (), "is too short to match safely"
    if not _EN_ROW.match(expression):
        return (), ("holds punctuation or symbols the matcher skips (such as ↑ ↓ + . , ;), so it would match "
                    "other wording than written; use words, digits, hyphens and apostrophes only")
    if _is_abbreviation(expression):
        return ("abbreviation", expression), ""
    key = content_key(expression)
    if not key:
        return (), "holds only words the matcher ignores (the, of, with …)"
    return ("en", *key), ""
