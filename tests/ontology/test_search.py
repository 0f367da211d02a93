"""Term search in English (labels, synonyms) and Chinese (CHPO labels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.ontology import Ontology, build_ontology
from rarelens.ontology.search import TermSearcher
from rarelens.sources.babelon import load_babelon_labels
from rarelens.sources.obo import load_obo


@pytest.fixture(scope="module")
def searcher(fixture_data_dir: Path) -> TermSearcher:
    obo = load_obo(fixture_data_dir / "hpo" / "hp.obo")
    zh = load_babelon_labels(fixture_data_dir / "zh" / "hp-zh.babelon.tsv")
    onto: Ontology = build_ontology(obo.terms, release=obo.release, labels_zh=zh)
    return TermSearcher(onto)


def test_exact_label(searcher: TermSearcher) -> None:
    hits = searcher.search("arachnodactyly")
    assert hits[0].id == "HP:0001166"
    assert hits[0].match == "label"
    assert hits[0].label_zh == "细长指(趾)"


def test_layperson_synonym_is_found(searcher: TermSearcher) -> None:
    (hit,) = searcher.search("Spider fingers")
    assert hit.id == "HP:0001166"
    assert hit.match == "synonym"
    assert hit.matched == "Spider fingers"


def test_label_beats_synonym(searcher: TermSearcher) -> None:
    hits = searcher.search("slender finger")
    assert [h.id for h in hits[:2]] == ["HP:0001238", "HP:0001166"]
    assert hits[0].match == "label"
    assert hits[1].match == "synonym"  # via "Long slender fingers"
    assert hits[0].score > hits[1].score


def test_exact_synonym_outranks_a_label_prefix(searcher: TermSearcher) -> None:
    # "Autosomal dominant" is an EXACT synonym of HP:0000006 and a prefix of its label
    hits = searcher.search("autosomal dominant")
    assert hits[0].id == "HP:0000006"
    assert hits[0].match == "synonym"


def test_word_prefixes(searcher: TermSearcher) -> None:
    assert searcher.search("tall stat")[0].id == "HP:0000098"
    assert [h.id for h in searcher.search("dispro tall")] == ["HP:0001519"]


def test_chinese_label(searcher: TermSearcher) -> None:
    hits = searcher.search("细长指")
    assert hits[0].id == "HP:0001166"
    assert hits[0].match == "zh-label"
    assert [h.id for h in searcher.search("高身材")] == ["HP:0000098", "HP:0001519"]


def test_id_query_resolves_alt_ids(searcher: TermSearcher) -> None:
    (hit,) = searcher.search("HP:0001505")
    assert hit.id == "HP:0001166"
    assert hit.match == "id"


def test_obsolete_terms_never_appear(searcher: TermSearcher) -> None:
    assert all(h.id != "HP:0002631" for h in searcher.search("dilatation of ascending aorta"))
    assert all(h.id != "HP:0500014" for h in searcher.search("abnormal test result"))
    assert searcher.search("obsolete") == []


def test_empty_query_and_limit(searcher: TermSearcher) -> None:
    assert searcher.search("   ") == []
    assert len(searcher.search("abnormality", limit=2)) == 2
    assert len(searcher.search("abnormality")) > 2
