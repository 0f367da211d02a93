"""Reader for hp.obo (OBO 1.4 flat file), the form HPO publishes every release in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rarelens.ontology import Synonym, TermRecord
from rarelens.sources.errors import SourceFormatError

_SYNONYM = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|BROAD|NARROW)\s*([^\[]*?)\s*\[')
_DEF = re.compile(r'^"((?:[^"\\]|\\.)*)"')
_ID = re.compile(r"^HP:\d{7}$")


@dataclass(frozen=True, slots=True)
class OboFile:
    release: str
    terms: tuple[TermRecord, ...]


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", " ").replace("\\\\", "\\")


def _strip_comment(value: str) -> str:
    # "is_a: HP:0000118 ! Phenotypic abnormality" -> "HP:0000118"
    return value.split(" !", 1)[0].strip()


def _stanzas(path: Path) -> Iterator[tuple[int, str, list[tuple[int, str, str]]]]:
    kind = ""
    start = 0
    tags: list[tuple[int, str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("!"):
                continue
            if line.startswith("["):
                if kind or tags:
                    yield start, kind, tags
                if not line.endswith("]"):
                    raise SourceFormatError(path, lineno, f"malformed stanza header {line!r}")
                kind, start, tags = line[1:-1], lineno, []
                continue
            if ":" not in line:
                raise SourceFormatError(path, lineno, f"expected 'tag: value', got {line[:60]!r}")
            tag, value = line.split(":", 1)
            if not tag.strip() or " " in tag.strip():
                # e.g. "is_a HP:0000118" with its colon lost would otherwise be read as an
                # unknown tag "is_a HP" and silently turn the term into a second root
                raise SourceFormatError(path, lineno, f"malformed tag {tag.strip()[:40]!r}")
            tags.append((lineno, tag.strip(), value.strip()))
    if kind or tags:
        yield start, kind, tags


def load_obo(path: Path) -> OboFile:
    """Parse every ``[Term]``; a malformed line raises `SourceFormatError` with its line number."""
    release = ""
    terms: list[TermRecord] = []
    for start, kind, tags in _stanzas(path):
        if kind == "":
            for _, tag, value in tags:
                if tag == "data-version":
                    release = value.rsplit("/", 1)[-1]
            continue
        if kind != "Term":
            continue
        terms.append(_term(path, start, tags))
    if not terms:
        raise SourceFormatError(path, None, "no [Term] stanzas found; is this an OBO file?")
    return OboFile(release=release or "unknown", terms=tuple(terms))


def _term(path: Path, start: int, tags: list[tuple[int, str, str]]) -> TermRecord:
    fields: dict[str, object] = {}
    synonyms: list[Synonym] = []
    parents: list[str] = []
    alt: list[str] = []
    replaced: list[str] = []
    consider: list[str] = []
    xrefs: list[str] = []
    for lineno, tag, value in tags:
        if tag == "id":
            if not _ID.match(value):
                raise SourceFormatError(path, lineno, f"term id {value!r} is not of the form HP:0000000")
            fields["id"] = value
        elif tag == "name":
            fields["name"] = value
        elif tag == "def":
            m = _DEF.match(value)
            if not m:
                raise SourceFormatError(path, lineno, "definition is not a quoted string")
            fields["definition"] = _unescape(m.group(1))
        elif tag == "comment":
            fields["comment"] = value
        elif tag == "synonym":
            m = _SYNONYM.match(value)
            if not m:
                raise SourceFormatError(path, lineno, f"malformed synonym {value[:60]!r}")
            types = tuple(t for t in m.group(3).split() if t)
            synonyms.append(Synonym(_unescape(m.group(1)), m.group(2), types))
        elif tag == "is_a":
            parents.append(_strip_comment(value))
        elif tag == "alt_id":
            alt.append(value)
        elif tag == "is_obsolete":
            fields["obsolete"] = value == "true"
        elif tag == "replaced_by":
            replaced.append(_strip_comment(value))
        elif tag == "consider":
            consider.append(_strip_comment(value))
        elif tag == "xref":
            xrefs.append(value.split(" ", 1)[0])
    if "id" not in fields:
        raise SourceFormatError(path, start, "[Term] stanza without an id")
    if "name" not in fields:
        raise SourceFormatError(path, start, f"term {fields['id']} has no name")
    return TermRecord(
        id=str(fields["id"]),
        name=str(fields["name"]),
        definition=str(fields.get("definition", "")),
        comment=str(fields.get("comment", "")),
        synonyms=tuple(synonyms),
        parents=tuple(parents),
        alt_ids=tuple(alt),
        obsolete=bool(fields.get("obsolete", False)),
        replaced_by=tuple(replaced),
        consider=tuple(consider),
        xrefs=tuple(xrefs),
    )
