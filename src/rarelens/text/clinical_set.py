"""RareLens' own Chinese clinical test set: sentences with gold present, negated and family ids.

Unlike the literature corpora, these sentences are about one patient, so the three gold lists
are scored apart: present findings against the extractor's ``is_present`` mentions, negated
findings against its negated ones, family history against its family ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rarelens.io.text_files import TextFileError, parse_json, read_utf8_text
from rarelens.model.ids import CurieError, normalize_hpo_id
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


_FIELDS = {"id", "kind", "text", "present", "negated", "family"}
_LIST_FIELDS = ("present", "negated", "family")
_ROW_SHAPE = 'one JSON object per line with "id", "text", "present", "negated", "family" (and optional "kind")'


def load_clinical_set(path: Path) -> list[ClinicalSentence]:
    """Read the clinical set, one JSON row per line, checking every row's shape.

    A test set is written by hand, so a typo must stop the run with file and line: a misspelt
    key would drop a gold list, a string where a list belongs would be scored character by
    character, and a repeated id would silently replace one sentence's predictions with another's.
    """
    out: list[ClinicalSentence] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        sentence = _sentence(path, n, line)
        if sentence.id in seen:
            raise SourceFormatError(path, n, f"id {sentence.id!r} already used on line {seen[sentence.id]}",
                                    "give every row its own id")
        seen[sentence.id] = n
        out.append(sentence)
    if not out:
        raise SourceFormatError(path, None, "no documents in the file", _ROW_SHAPE)
    return out


def _read(path: Path) -> str:
    if path.is_dir():
        raise SourceFormatError(path, None, "is a folder, not a clinical-set file", "pass the .jsonl file itself")
    try:
        return read_utf8_text(path)
    except TextFileError as exc:
        raise SourceFormatError(path, exc.line, exc.problem, exc.fix) from None


def _sentence(path: Path, n: int, line: str) -> ClinicalSentence:
    def bad(problem: str) -> SourceFormatError:
        return SourceFormatError(path, n, problem, _ROW_SHAPE)

    try:
        row = parse_json(line, path, line=n)
    except TextFileError as exc:
        raise bad(f"not a JSON object ({exc.problem})") from None
    if not isinstance(row, dict):
        raise bad(f"a JSON {type(row).__name__}, not an object")
    unknown = sorted(set(row) - _FIELDS)
    if unknown:
        raise bad(f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")
    for key in ("id", "text"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise bad(f'"{key}" must be a non-empty string')
    if not isinstance(row.get("kind", ""), str):
        raise bad('"kind" must be a string')
    gold = {f: _id_list(row.get(f, []), f, bad) for f in _LIST_FIELDS}
    return ClinicalSentence(row["id"], row.get("kind", ""), row["text"], gold["present"], gold["negated"], gold["family"])


def _id_list(value: object, field: str, bad: Callable[[str], SourceFormatError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(f'"{field}" must be a list of HPO id strings, e.g. ["HP:0001250"]')
    for v in value:
        try:
            normalize_hpo_id(v)
        except CurieError as exc:
            raise bad(f'"{field}": {exc}') from None
    return tuple(value)


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
        # "dropped" too: a gold id this HPO release does not know is left out, never unseen.
        result[field] = {k: scores[k] for k in ("document_strict", "document_relaxed", "dropped")}
    # Negated findings wrongly reported as present: the failure that would mislead a ranking.
    wrong = 0
    for s in sentences:
        present = {m.hpo_id for m in mentions.get(s.id, ()) if m.is_present}
        wrong += len(present & set(s.negated))
    result["negated_gold_reported_present"] = wrong
    result["negated_gold_total"] = sum(len(s.negated) for s in sentences)
    return result
