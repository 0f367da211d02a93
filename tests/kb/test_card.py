"""The disease card: one card per concept, whichever id it is reached from."""

from __future__ import annotations

import math

import pytest

from rarelens.kb.card import DiseaseCard, build_disease_card
from rarelens.kb.knowledge_base import KnowledgeBase, UnknownDiseaseError


@pytest.fixture(scope="module")
def card(kb: KnowledgeBase) -> DiseaseCard:
    return build_disease_card(kb, "ORPHA:558")


@pytest.mark.parametrize("query", ["OMIM:154700", "MIM:154700", "ORPHA:284963", "Orphanet_558", "MONDO:0007947"])
def test_same_card_from_every_id_of_the_concept(kb: KnowledgeBase, card: DiseaseCard, query: str) -> None:
    other = build_disease_card(kb, query)
    assert other.query == query
    for field in ("concept_id", "label", "ids", "entries", "names_zh", "catalog", "inheritance",
                  "genes", "drugs", "prevalence", "onset", "definition", "n_phenotypes"):
        assert getattr(other, field) == getattr(card, field), field


def test_identity(card: DiseaseCard, kb: KnowledgeBase) -> None:
    assert card.concept_id == "MONDO:0007947"
    assert card.label == "Marfan syndrome"
    assert card.kb_version == kb.version
    assert {i for i, _ in card.ids} == {"OMIM:154700", "ORPHA:558", "ORPHA:284963", "MONDO:0007947"}
    assert {e[0] for e in card.entries} == {"OMIM:154700", "ORPHA:558", "ORPHA:284963"}
    assert card.disorder_types == ("Clinical subtype", "Disease")
    assert card.definition is not None
    assert card.definition.value.startswith("Marfan syndrome is a systemic disease")
    assert card.definition.reference == "ORPHA:558"




def test_definition_is_credited_to_orphanet(card: DiseaseCard) -> None:
    assert card.definition is not None
    assert card.definition.source.startswith("orphanet.orphapackets")


def test_chinese_names_with_sources(card: DiseaseCard) -> None:
    by_value = {n.value: n for n in card.names_zh}
    assert set(by_value) == {"马凡氏综合征(MFS)", "马方综合征", "马凡综合征"}
    assert by_value["马凡氏综合征(MFS)"].source.startswith("phenobrain.names_omim")
    assert by_value["马凡氏综合征(MFS)"].reference == "OMIM:154700"
    assert by_value["马凡综合征"].source.startswith("catalog.china")


def test_catalog_line(card: DiseaseCard) -> None:
    assert {(c.key, c.name_zh, c.name_en, c.target, c.relation, c.method, c.reviewed) for c in card.catalog} == {
        ("CNRD:1-68", "马凡综合征", "Marfan Syndrome", "ORPHA:558", "E", "phenobrain-ccrd", True),
        ("CNRD:1-68", "马凡综合征", "Marfan Syndrome", "ORPHA:558", "E", "orphanet-label-match", False),
    }


def test_genes(card: DiseaseCard) -> None:
    assert {(g.value, g.reference) for g in card.genes} == {("FBN1", "HGNC:3603")}
    assert {g.source.split(" ")[0] for g in card.genes} == {"hpo.genes", "orphanet.orphapackets"}
    orpha = next(g for g in card.genes if g.source.startswith("orphanet"))
    assert orpha.detail == "Disease-causing germline mutation(s) in"


def test_inheritance_onset_prevalence(card: DiseaseCard) -> None:
    assert {(s.value, s.source.split(" ")[0], s.reference) for s in card.inheritance} == {
        ("Autosomal dominant inheritance", "hpo.annotations", "PMID:17502658"),
        ("Autosomal dominant", "orphanet.orphapackets", "ORPHA:558"),
    }
    assert {s.value for s in card.inheritance} == {"Autosomal dominant inheritance", "Autosomal dominant"}
    assert {s.value for s in card.onset} == {"All ages"}
    assert any("1-5 / 10 000" in p.value and "Europe" in p.value for p in card.prevalence)


def test_drugs(card: DiseaseCard) -> None:
    (drug,) = card.drugs
    assert drug.value == "allopurinol"
    assert drug.reference.startswith("EU/3/25/3041")
    assert "Treatment of Marfan syndrome" in drug.detail
    assert drug.source.startswith("drugs.ema")


def test_phenotypes_pool_counts_over_classes(card: DiseaseCard) -> None:
    lines = {p.term: p for p in card.phenotypes}
    arach = lines["HP:0001166"]
    assert arach.label == "Arachnodactyly"
    assert arach.label_zh == "细长指(趾)"
    assert arach.frequency == pytest.approx(124 / 197)  # the n/m count beats the class midpoint
    assert arach.frequency_text == "124/197, HP:0040281, Very frequent (99-80%)"
    assert [x.split(" ")[0] for x in arach.sources] == ["hpo.annotations", "orphanet.orphapackets"]
    # HP:0000098 has no frequency from any source: NaN, listed after every known frequency
    assert math.isnan(lines["HP:0000098"].frequency)
    assert card.phenotypes[-1].term == "HP:0000098"
    known = [p.frequency for p in card.phenotypes if not math.isnan(p.frequency)]
    assert known == sorted(known, reverse=True)
    assert card.n_phenotypes == len(card.phenotypes) == 5
    assert "HP:0000006" not in lines  # inheritance is not a phenotype line


def test_negated_phenotypes_come_last(kb: KnowledgeBase) -> None:
    card = build_disease_card(kb, "OMIM:229800")
    assert [p.negated for p in card.phenotypes] == [False, True]
    excluded = card.phenotypes[-1]
    assert excluded.term == "HP:0003074"
    assert excluded.frequency == 0.0
    assert card.genes
    assert {g.value for g in card.genes} == {"KHK"}


def test_btnt_entries_stay_on_their_own_card(kb: KnowledgeBase) -> None:
    lds1 = build_disease_card(kb, "OMIM:609192")
    assert [e[0] for e in lds1.entries] == ["OMIM:609192"]
    assert lds1.catalog == ()
    lds = build_disease_card(kb, "ORPHA:60030")
    assert ("OMIM:609192", "BTNT") in {(x.value, x.detail) for x in lds.xrefs}


def test_top_phenotypes_limit(kb: KnowledgeBase) -> None:
    card = build_disease_card(kb, "OMIM:154700", top_phenotypes=2)
    assert len(card.phenotypes) == 2
    assert card.n_phenotypes == 5


def test_unknown_disease_names_the_id(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownDiseaseError) as info:
        build_disease_card(kb, "OMIM:000000")
    assert "OMIM:000000" in str(info.value)
    assert "rarelens disease search" in str(info.value)
