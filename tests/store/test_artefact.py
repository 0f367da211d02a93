"""The SQLite artefact: a faithful round trip, atomic writes, and clear refusals."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from rarelens.kb.card import build_disease_card
from rarelens.kb.columns import StringColumn
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.store import (
    FORMAT_VERSION,
    KnowledgeBaseFormatError,
    load_knowledge_base,
    read_manifest,
    write_knowledge_base,
)

TABLES = (
    "diseases", "annotations", "names", "facts", "prevalences", "xrefs", "genes", "disease_genes",
    "concepts", "concept_ids", "catalog", "catalog_links", "drugs", "drug_links", "unresolved",
)


@pytest.fixture(scope="module")
def loaded(kb_file: Path) -> KnowledgeBase:
    return load_knowledge_base(kb_file)


def test_round_trip_counts_version_sources(kb: KnowledgeBase, loaded: KnowledgeBase) -> None:
    assert loaded.counts() == kb.counts()
    assert loaded.version == kb.version
    assert loaded.software_version == kb.software_version
    assert loaded.sources == kb.sources


@pytest.mark.parametrize("table", TABLES)
def test_round_trip_every_column(kb: KnowledgeBase, loaded: KnowledgeBase, table: str) -> None:
    a, b = getattr(kb, table), getattr(loaded, table)
    assert len(a) == len(b)
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, StringColumn):
            assert list(x) == list(y), f.name
        else:
            assert x.dtype == y.dtype, f.name
            np.testing.assert_array_equal(x, y, err_msg=f.name)  # NaN frequencies compare equal


def test_round_trip_annotation_arrays(kb: KnowledgeBase, loaded: KnowledgeBase) -> None:
    for name in ("disease", "term", "negated", "frequency", "line", "source"):
        np.testing.assert_array_equal(getattr(kb.annotations, name), getattr(loaded.annotations, name))
    assert np.isnan(loaded.annotations.frequency).any()


def test_round_trip_ontology(kb: KnowledgeBase, loaded: KnowledgeBase) -> None:
    o, p = kb.ontology, loaded.ontology
    for name in ("ancestors_indptr", "ancestors_indices", "parents_indptr", "parents_indices", "obsolete", "ic"):
        np.testing.assert_array_equal(getattr(o, name), getattr(p, name), err_msg=name)
    for i in range(len(o)):
        np.testing.assert_array_equal(o.ancestors(i), p.ancestors(i))
    assert p.ids == o.ids
    assert p.labels == o.labels
    assert p.definitions == o.definitions
    assert p.synonyms == o.synonyms
    assert p.alt_ids == o.alt_ids
    assert p.replaced_by == o.replaced_by
    assert p.consider == o.consider
    assert p.labels_zh == o.labels_zh
    assert p.release == o.release
    assert p.ic.any()
    # user input resolves the same way after a reload
    for text in ("HP:0001505", "HP:0002631", "HP:0500014"):
        assert p.resolve(text) == o.resolve(text)


def test_card_is_the_same_after_reload(kb: KnowledgeBase, loaded: KnowledgeBase) -> None:
    a, b = build_disease_card(kb, "OMIM:154700"), build_disease_card(loaded, "OMIM:154700")
    for field in ("concept_id", "ids", "names_zh", "catalog", "inheritance", "genes", "drugs"):
        assert getattr(a, field) == getattr(b, field), field
    assert [p.term for p in a.phenotypes] == [p.term for p in b.phenotypes]


def test_manifest(kb: KnowledgeBase, kb_file: Path) -> None:
    m = read_manifest(kb_file)
    assert m["format_version"] == FORMAT_VERSION
    assert m["kb_version"] == kb.version
    assert m["hpo_release"] == "2025-01-16"
    assert m["counts"] == kb.counts()
    assert [s["key"] for s in m["sources"]] == [s.key for s in kb.sources]
    assert all(len(s["sha256"]) == 64 for s in m["sources"])
    # the manifest is plain SQL any client can read
    con = sqlite3.connect(kb_file)
    try:
        assert json.loads(con.execute("SELECT value FROM meta WHERE key='kb_version'").fetchone()[0]) == kb.version
        assert con.execute("SELECT count(*) FROM sources").fetchone()[0] == len(kb.sources)
    finally:
        con.close()


def test_write_leaves_only_the_file(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "new" / "kb.sqlite"  # the folder is created
    manifest = write_knowledge_base(kb, path)
    assert manifest["kb_version"] == kb.version
    assert [p.name for p in path.parent.iterdir()] == ["kb.sqlite"]
    assert not list(path.parent.glob(".kb-*.tmp"))
    # overwriting an existing knowledge base replaces it in one step
    write_knowledge_base(kb, path)
    assert [p.name for p in path.parent.iterdir()] == ["kb.sqlite"]
    assert load_knowledge_base(path).version == kb.version


def test_failed_write_leaves_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    target = tmp_path / "kb.sqlite"
    target.mkdir()  # a folder where the file should go: the final rename fails
    (target / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(IsADirectoryError):
        write_knowledge_base(kb, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb.sqlite"]
    assert not list(tmp_path.glob(".kb-*"))
    assert (target / "keep.txt").read_text(encoding="utf-8") == "x"


def _set_meta(path: Path, key: str, value: object) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE meta SET value=? WHERE key=?", (json.dumps(value), key))
    con.close()


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, "2", None])
def test_newer_or_unreadable_format_is_refused(
    kb: KnowledgeBase, tmp_path: Path, version: object
) -> None:
    path = tmp_path / "kb.sqlite"
    write_knowledge_base(kb, path)
    _set_meta(path, "format_version", version)
    for reader in (read_manifest, load_knowledge_base):
        with pytest.raises(KnowledgeBaseFormatError) as info:
            reader(path)
        assert str(path) in str(info.value)
        assert "rarelens kb build" in str(info.value)


def test_non_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    path.write_text("this is not a database\n" * 100, encoding="utf-8")
    with pytest.raises(KnowledgeBaseFormatError) as info:
        load_knowledge_base(path)
    assert str(path) in str(info.value)
    assert "not a RareLens knowledge base" in str(info.value)


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.close()
    with pytest.raises(KnowledgeBaseFormatError, match="not a RareLens knowledge base"):
        load_knowledge_base(path)


def test_missing_file_says_how_to_build(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    for reader in (read_manifest, load_knowledge_base):
        with pytest.raises(FileNotFoundError) as info:
            reader(path)
        assert str(path) in str(info.value)
        assert "rarelens kb build" in str(info.value)
    assert not path.exists()  # reading never creates the file




def test_path_with_uri_characters(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "case #12" / "kb.sqlite"
    write_knowledge_base(kb, path)
    assert load_knowledge_base(path).version == kb.version
