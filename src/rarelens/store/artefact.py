"""Serialise a `KnowledgeBase` to one SQLite file and back.

Why SQLite holding typed column blobs rather than one SQL row per fact: the cold load must stay
well under a second, and reading 400,000 annotation rows through the sqlite3 module alone takes
longer than that, while ``np.frombuffer`` on a stored column is instant. SQLite still gives one
self-describing, checksummed, portable file: the manifest (``meta`` and ``sources`` tables) is
plain SQL any client can read, e.g. ``sqlite3 kb.sqlite 'select * from sources'``.

The file carries ``format_version``; a reader refuses a newer format with a clear message rather
than misreading it, and tests keep a file written by each released format (anndata's habit).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from rarelens.kb import tables as T
from rarelens.kb.columns import StringColumn
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.kb.records import SourceInfo
from rarelens.ontology import Ontology, Synonym

FORMAT_VERSION = 1

_TABLES: dict[str, type] = {
    "diseases": T.DiseaseTable,
    "annotations": T.AnnotationTable,
    "names": T.NameTable,
    "facts": T.FactTable,
    "prevalences": T.PrevalenceTable,
    "xrefs": T.XrefTable,
    "genes": T.GeneTable,
    "disease_genes": T.DiseaseGeneTable,
    "concepts": T.ConceptTable,
    "concept_ids": T.ConceptIdTable,
    "catalog": T.CatalogTable,
    "catalog_links": T.CatalogLinkTable,
    "drugs": T.DrugTable,
    "drug_links": T.DrugLinkTable,
    "unresolved": T.UnresolvedTable,
}
_ONTOLOGY_ARRAYS = (
    "obsolete", "parents_indptr", "parents_indices", "ancestors_indptr", "ancestors_indices", "ic",
)
_ONTOLOGY_STRINGS = ("ids", "labels", "definitions", "comments")


class KnowledgeBaseFormatError(Exception):
    """The file is not a RareLens knowledge base, or was written by a newer format."""


def _array_blob(a: np.ndarray) -> tuple[str, bytes]:
    return f"{a.dtype.str};{','.join(map(str, a.shape))}", np.ascontiguousarray(a).tobytes()


def _blob_array(dtype_shape: str, blob: bytes) -> np.ndarray:
    dtype, shape = dtype_shape.split(";")
    dims = tuple(int(x) for x in shape.split(",") if x)
    return np.frombuffer(blob, dtype=np.dtype(dtype)).reshape(dims)


def _json_blob(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def manifest_of(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "kb_version": kb.version,
        "software_version": kb.software_version,
        "hpo_release": kb.ontology.release,
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "sources": [
            {"key": s.key, "path": s.path, "release": s.release, "sha256": s.sha256, "license": s.license}
            for s in kb.sources
        ],
        "counts": kb.counts(),
    }


def write_knowledge_base(kb: KnowledgeBase, path: Path) -> dict[str, Any]:
    """Write atomically: a temporary file in the same folder, renamed into place when complete,
    so an interrupted build never leaves a half-written knowledge base behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = manifest_of(kb)
    fd, tmp_name = tempfile.mkstemp(prefix=".kb-", suffix=".sqlite.tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        con = sqlite3.connect(tmp)
        with con:
            con.executescript(
                """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE sources (idx INTEGER PRIMARY KEY, key TEXT, path TEXT, release TEXT,
                                      sha256 TEXT, license TEXT, url TEXT);
                CREATE TABLE columns (tbl TEXT, col TEXT, kind TEXT, dtype TEXT, data BLOB,
                                      PRIMARY KEY (tbl, col, kind));
                """
            )
            for k, v in manifest.items():
                con.execute("INSERT INTO meta VALUES (?, ?)", (k, json.dumps(v, ensure_ascii=False)))
            con.executemany(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(i, s.key, s.path, s.release, s.sha256, s.license, s.url) for i, s in enumerate(kb.sources)],
            )
            rows: list[tuple[str, str, str, str, bytes]] = []
            for name in _TABLES:
                table = getattr(kb, name)
                for f in fields(table):
                    col = getattr(table, f.name)
                    if isinstance(col, StringColumn):
                        dtype, blob = _array_blob(col.codes)
                        rows.append((name, f.name, "codes", dtype, blob))
                        rows.append((name, f.name, "pool", "json", _json_blob(col.pool)))
                    else:
                        dtype, blob = _array_blob(col)
                        rows.append((name, f.name, "array", dtype, blob))
            o = kb.ontology
            for a in _ONTOLOGY_ARRAYS:
                dtype, blob = _array_blob(getattr(o, a))
                rows.append(("ontology", a, "array", dtype, blob))
            for s in _ONTOLOGY_STRINGS:
                rows.append(("ontology", s, "json", "json", _json_blob(list(getattr(o, s)))))
            extras = {
                "release": o.release,
                "alt_ids": o.alt_ids,
                "replaced_by": {str(k): v for k, v in o.replaced_by.items()},
                "consider": {str(k): list(v) for k, v in o.consider.items()},
                "labels_zh": {str(k): v for k, v in o.labels_zh.items()},
                "synonyms": [
                    [[s.text, s.scope, list(s.types)] for s in syns] for syns in o.synonyms
                ],
            }
            rows.append(("ontology", "extras", "json", "json", _json_blob(extras)))
            con.executemany("INSERT INTO columns VALUES (?, ?, ?, ?, ?)", rows)
        con.close()
        tmp.chmod(0o644)  # mkstemp makes it private; a knowledge base is shared, not secret
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


def _connect(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise FileNotFoundError(
            f"no knowledge base at {path}. Fix: run `rarelens kb build` (or pass --kb PATH)"
        )
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def read_manifest(path: Path) -> dict[str, Any]:
    con = _connect(path)
    try:
        try:
            meta = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM meta")}
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseFormatError(f"{path} is not a RareLens knowledge base ({exc})") from None
    finally:
        con.close()
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise KnowledgeBaseFormatError(
            f"{path} has format {version!r}; this RareLens ({FORMAT_VERSION}) cannot read it. "
            "Fix: upgrade rarelens or rebuild with `rarelens kb build`"
        )
    return meta


def load_knowledge_base(path: Path) -> KnowledgeBase:
    meta = read_manifest(path)
    con = _connect(path)
    try:
        sources = tuple(
            SourceInfo(key=k, path=p, release=r, sha256=h, license=lic or "", url=u or "")
            for k, p, r, h, lic, u in con.execute(
                "SELECT key, path, release, sha256, license, url FROM sources ORDER BY idx"
            )
        )
        raw: dict[str, dict[str, dict[str, tuple[str, bytes]]]] = {}
        for tbl, col, kind, dtype, data in con.execute("SELECT tbl, col, kind, dtype, data FROM columns"):
            raw.setdefault(tbl, {}).setdefault(col, {})[kind] = (dtype, data)
    finally:
        con.close()

    def column(tbl: str, col: str) -> Any:
        parts = raw[tbl][col]
        if "array" in parts:
            return _blob_array(*parts["array"])
        codes = _blob_array(*parts["codes"])
        return StringColumn(codes, tuple(json.loads(parts["pool"][1])))

    tables = {
        name: cls(**{f.name: column(name, f.name) for f in fields(cls)})
        for name, cls in _TABLES.items()
    }
    ont = raw["ontology"]
    extras = json.loads(ont["extras"]["json"][1])
    strings = {s: tuple(json.loads(ont[s]["json"][1])) for s in _ONTOLOGY_STRINGS}
    synonyms = tuple(
        tuple(Synonym(t, scope, tuple(types)) for t, scope, types in syns) for syns in extras["synonyms"]
    )
    ontology = Ontology(
        release=extras["release"],
        ids=strings["ids"],
        labels=strings["labels"],
        definitions=strings["definitions"],
        comments=strings["comments"],
        synonyms=synonyms,
        alt_ids=extras["alt_ids"],
        replaced_by={int(k): v for k, v in extras["replaced_by"].items()},
        consider={int(k): tuple(v) for k, v in extras["consider"].items()},
        labels_zh={int(k): v for k, v in extras["labels_zh"].items()},
        **{a: _blob_array(*ont[a]["array"]) for a in _ONTOLOGY_ARRAYS},
    )
    return KnowledgeBase(
        version=meta["kb_version"],
        software_version=meta["software_version"],
        sources=sources,
        ontology=ontology,
        **tables,
    )
