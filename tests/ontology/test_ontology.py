"""The indexed HPO graph: closure, descendants, and resolving what a user typed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rarelens.model.issue import IssueLevel
from rarelens.ontology import Ontology, TermRecord, build_ontology
from rarelens.sources.babelon import load_babelon_labels
from rarelens.sources.obo import load_obo


@pytest.fixture(scope="module")
def onto(fixture_data_dir: Path) -> Ontology:
    obo = load_obo(fixture_data_dir / "hpo" / "hp.obo")
    zh = load_babelon_labels(fixture_data_dir / "zh" / "hp-zh.babelon.tsv")
    return build_ontology(obo.terms, release=obo.release, labels_zh=zh)


def ids(o: Ontology, idx: np.ndarray) -> set[str]:
    return {o.ids[int(i)] for i in idx}


def test_size_and_active_terms(onto: Ontology) -> None:
    assert len(onto) == 27
    assert onto.n_active == 25
    assert onto.release == "2025-01-16"
    assert "HP:0001166" in onto
    assert "HP:0001505" not in onto  # an alt id is not a primary id


def test_ancestors_include_self_and_root(onto: Ontology) -> None:
    a = onto.ancestors(onto.index("HP:0001166"))
    assert ids(onto, a) == {"HP:0001166", "HP:0001238", "HP:0040064", "HP:0000118", "HP:0000001"}
    assert list(a) == sorted(a)  # sorted, so is_descendant_of can binary-search
    root = onto.index("HP:0000001")
    for i in range(len(onto)):
        anc = onto.ancestors(i)
        assert i in anc
        if not onto.obsolete[i]:
            assert root in anc, onto.ids[i]


def test_obsolete_terms_have_no_parents(onto: Ontology) -> None:
    i = onto.index("HP:0002631")
    assert len(onto.parents(i)) == 0
    assert ids(onto, onto.ancestors(i)) == {"HP:0002631"}


def test_parents_and_children(onto: Ontology) -> None:
    assert ids(onto, onto.parents(onto.index("HP:0001519"))) == {"HP:0000098"}
    assert ids(onto, onto.children(onto.index("HP:0000005"))) == {"HP:0000006", "HP:0000007"}
    assert len(onto.children(onto.index("HP:0001166"))) == 0


def test_descendants_include_self(onto: Ontology) -> None:
    freq = ids(onto, onto.descendants(onto.index("HP:0040279")))
    assert freq == {"HP:0040279"} | {f"HP:00402{n}" for n in range(80, 86)}
    pa = ids(onto, onto.descendants(onto.index("HP:0000118")))
    assert {"HP:0000118", "HP:0001166", "HP:0001519", "HP:0002616", "HP:0003074"} <= pa
    assert not pa & {"HP:0000006", "HP:0040281", "HP:0000001", "HP:0002631"}
    assert len(ids(onto, onto.descendants(onto.index("HP:0000001")))) == 25  # all but the obsolete


def test_is_descendant_of(onto: Ontology) -> None:
    i = onto.index
    assert onto.is_descendant_of(i("HP:0001166"), i("HP:0040064"))
    assert onto.is_descendant_of(i("HP:0001166"), i("HP:0001166"))
    assert onto.is_descendant_of(i("HP:0000006"), i("HP:0000001"))
    assert not onto.is_descendant_of(i("HP:0040064"), i("HP:0001166"))
    assert not onto.is_descendant_of(i("HP:0000006"), i("HP:0000118"))
    assert not onto.is_descendant_of(i("HP:0001519"), i("HP:0001626"))


def test_chinese_labels_from_babelon(onto: Ontology) -> None:
    assert onto.label_zh(onto.index("HP:0001166")) == "细长指(趾)"
    assert onto.label_zh(onto.index("HP:0002631")) is None
    assert len(onto.labels_zh) == 25  # the row for HP:0001382, not in this HPO, is dropped


def test_resolve_primary(onto: Ontology) -> None:
    for text in ("HP:0001166", "hp_0001166", "http://purl.obolibrary.org/obo/HP_0001166"):
        res = onto.resolve(text)
        assert res.index == onto.index("HP:0001166")
        assert res.issue is None


def test_resolve_alt_id_warns(onto: Ontology) -> None:
    res = onto.resolve("HP:0001505")
    assert res.index == onto.index("HP:0001166")
    assert res.issue is not None
    assert res.issue.level is IssueLevel.WARNING
    assert res.issue.code == "alt-hpo-id"
    assert "HP:0001505" in res.issue.message
    assert "HP:0001166" in res.issue.message
    assert "HP:0001166" in res.issue.fix


def test_resolve_obsolete_with_replacement_warns(onto: Ontology) -> None:
    res = onto.resolve("HP:0002631")
    assert res.index == onto.index("HP:0002616")
    assert res.issue is not None
    assert res.issue.level is IssueLevel.WARNING
    assert res.issue.code == "obsolete-hpo-id"
    assert "HP:0002616" in res.issue.message
    assert "Aortic root aneurysm" in res.issue.message


def test_resolve_obsolete_without_replacement_is_an_error_naming_consider_terms(onto: Ontology) -> None:
    res = onto.resolve("HP:0500014")
    assert res.index is None
    assert res.issue is not None
    assert res.issue.level is IssueLevel.ERROR
    assert "HP:0500014" in res.issue.message
    assert "no replacement" in res.issue.message
    assert "HP:0000118" in res.issue.fix


def test_resolve_unknown_id_names_it(onto: Ontology) -> None:
    res = onto.resolve("HP:9999999")
    assert res.index is None
    assert res.issue is not None
    assert res.issue.level is IssueLevel.ERROR
    assert res.issue.code == "unknown-hpo-id"
    assert "HP:9999999" in res.issue.message
    assert "2025-01-16" in res.issue.message


@pytest.mark.parametrize("text", ["HP:123", "Arachnodactyly", "OMIM:154700", ""])
def test_resolve_malformed_text(onto: Ontology, text: str) -> None:
    res = onto.resolve(text)
    assert res.index is None
    assert res.issue is not None
    assert res.issue.level is IssueLevel.ERROR
    assert res.issue.code == "bad-hpo-id"
    assert repr(text) in res.issue.message


def test_replacement_chain_and_cycle() -> None:
    records = [
        TermRecord("HP:0000001", "All"),
        TermRecord("HP:0000118", "Phenotypic abnormality", parents=("HP:0000001",)),
        TermRecord("HP:0000002", "old", obsolete=True, replaced_by=("HP:0000003",)),
        TermRecord("HP:0000003", "older", obsolete=True, replaced_by=("HP:0000118",)),
        TermRecord("HP:0000004", "loop a", obsolete=True, replaced_by=("HP:0000005",)),
        TermRecord("HP:0000005", "loop b", obsolete=True, replaced_by=("HP:0000004",)),
    ]
    o = build_ontology(records, release="test")
    assert o.resolve("HP:0000002").index == o.index("HP:0000118")
    looped = o.resolve("HP:0000004")
    assert looped.index is None
    assert looped.issue is not None
    assert looped.issue.level is IssueLevel.ERROR


def test_unknown_parent_is_a_data_error() -> None:
    with pytest.raises(ValueError, match=r"HP:0000118 has unknown parent HP:0000001"):
        build_ontology([TermRecord("HP:0000118", "Phenotypic abnormality", parents=("HP:0000001",))], release="x")


def test_information_content_defaults_to_zero(onto: Ontology) -> None:
    assert onto.ic.shape == (27,)
    assert not onto.ic.any()
