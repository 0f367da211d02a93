"""Writers for a ranking made by the real ranker on the fixture knowledge base."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from rarelens.io.phenopacket import build_patient
from rarelens.io.writers import write_html, write_json, write_phenopacket, write_tsv
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.phenotype.ranker import PhenotypeRanker, Ranking

OBSERVED = ["HP:0001166", "HP:0002616", "HP:0001083"]  # Arachnodactyly, Aortic root aneurysm, Ectopia lentis
EXCLUDED = ["HP:0003074"]  # Hyperglycemia
TRICKY = 'Syndrome <b>X</b> & "Y"\tZ'


@pytest.fixture(scope="module")
def ranking(kb: KnowledgeBase) -> Ranking:
    p = build_patient(kb.ontology, OBSERVED, EXCLUDED, sex="FEMALE", case_id="case-7")
    return PhenotypeRanker(kb).rank(p, method="likelihood-ratio", top=4)


@pytest.fixture(scope="module")
def tricky(ranking: Ranking) -> Ranking:
    """The same ranking with the top disease renamed to something HTML and TSV must escape."""
    first = replace(ranking.diagnoses[0], label=TRICKY)
    return replace(ranking, diagnoses=(first, *ranking.diagnoses[1:]))


def test_ranking_under_test(ranking: Ranking) -> None:
    assert len(ranking.diagnoses) == 4
    assert ranking.diagnoses[0].label == "Marfan syndrome"


def test_json(ranking: Ranking, kb: KnowledgeBase) -> None:
    data = json.loads(write_json(ranking, kb.ontology))
    assert data["kb_version"] == kb.version
    assert data["software_version"] == kb.software_version
    assert data["hpo_release"] == kb.ontology.release
    assert data["method"] == "likelihood-ratio"
    assert data["n_ranked"] == ranking.n_ranked
    assert data["patient"]["id"] == "case-7"
    assert data["patient"]["sex"] == "FEMALE"
    assert [t["id"] for t in data["patient"]["observed"]] == OBSERVED
    assert [t["id"] for t in data["patient"]["excluded"]] == EXCLUDED
    assert data["patient"]["observed"][0]["label"] == "Arachnodactyly"
    diagnoses = data["diagnoses"]
    assert [d["rank"] for d in diagnoses] == [1, 2, 3, 4]
    assert [d["label"] for d in diagnoses] == [d.label for d in ranking.diagnoses]
    top = diagnoses[0]
    assert top["concept_id"] == "MONDO:0007947"
    assert "OMIM:154700" in top["ids"]
    assert top["genes"] == ["FBN1"]
    assert top["in_china_catalog"] is True
    assert top["label_zh"]  # a Chinese name, written as text (ensure_ascii=False)
    assert top["label_zh"] in write_json(ranking, kb.ontology)
    for d in diagnoses:
        ev = d["evidence"]
        assert [e["patient_term"] for e in ev if not e["excluded"]] == OBSERVED
        assert [e["patient_term"] for e in ev if e["excluded"]] == EXCLUDED
        for e in ev:
            assert set(e) >= {"patient_term", "patient_label", "disease_term", "match", "contribution", "frequency"}
            assert isinstance(e["contribution"], float)
    exact = top["evidence"][0]
    assert (exact["patient_term"], exact["match"], exact["disease_term"]) == ("HP:0001166", "exact", "HP:0001166")
    assert 0 < exact["frequency"] <= 1
    assert exact["via_term"] is None


def test_json_evidence_names_its_records(ranking: Ranking, kb: KnowledgeBase, hpoa_line: Callable[..., int]) -> None:
    """Every matched term's source, release and file line: the record a clinician can open."""
    data = json.loads(write_json(ranking, kb.ontology))
    exact = data["diagnoses"][0]["evidence"][0]
    hpo = [x for x in exact["sources"] if x["source"] == "hpo.annotations"]
    # OMIM and Orphanet entries of the one Marfan concept both count
    assert {(x["disease_id"], x["term_id"], x["release"]) for x in hpo} == {
        ("OMIM:154700", "HP:0001166", "2025-01-16"), ("ORPHA:558", "HP:0001166", "2025-01-16"),
    }
    for x in hpo:
        assert x["line"] == hpoa_line(x["disease_id"], "HP:0001166")
        assert x["reference"]
    n = 0
    for d in data["diagnoses"]:
        for e in d["evidence"]:
            assert bool(e["sources"]) == (e["disease_term"] is not None), e
            assert all(x["term_id"] == e["disease_term"] or e["match"] == "exact" for x in e["sources"]), e
            assert (e["via_term"] is not None) == (e["match"] == "shared ancestor"), e
            n += len(e["sources"])
    assert n >= 4


def test_json_frequency_nan_becomes_null(ranking: Ranking, kb: KnowledgeBase) -> None:
    data = json.loads(write_json(ranking, kb.ontology))
    consistent = [e for d in data["diagnoses"] for e in d["evidence"] if e["match"] == "excluded consistent"]
    assert consistent
    assert all(e["frequency"] is None and e["disease_term"] is None for e in consistent)


def test_tsv(ranking: Ranking, kb: KnowledgeBase) -> None:
    text = write_tsv(ranking, kb.ontology)
    lines = text.rstrip("\n").split("\n")
    header = lines[0].split("\t")
    assert header[:3] == ["rank", "concept_id", "label"]
    assert "kb_version" in header
    assert len(lines) == 1 + len(ranking.diagnoses)
    rows = [ln.split("\t") for ln in lines[1:]]
    assert all(len(r) == len(header) for r in rows)
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["rank"]] for r in rows] == ["1", "2", "3", "4"]
    assert [r[col["label"]] for r in rows] == [d.label for d in ranking.diagnoses]
    assert {r[col["kb_version"]] for r in rows} == {kb.version}
    assert rows[0][col["concept_id"]] == "MONDO:0007947"
    assert "HP:0001166:exact:" in rows[0][col["matched_terms"]]
    assert ">HP:0001166" in rows[0][col["matched_terms"]]
    refs = {x.reference or x.disease_id for e in ranking.diagnoses[0].evidence for x in e.sources}
    assert refs
    assert set(rows[0][col["references"]].split(",")) == refs


def test_tsv_keeps_columns_when_a_label_has_a_tab(tricky: Ranking, kb: KnowledgeBase) -> None:
    lines = write_tsv(tricky, kb.ontology).rstrip("\n").split("\n")
    n = len(lines[0].split("\t"))
    assert all(len(ln.split("\t")) == n for ln in lines)


def test_html(ranking: Ranking, kb: KnowledgeBase) -> None:
    page = write_html(ranking, kb.ontology)
    assert page.startswith("<!doctype html>")
    for d in ranking.diagnoses:
        assert html.escape(d.label) in page
    assert "Arachnodactyly" in page
    assert "NOT HP:0003074" in page
    assert "<th>source</th>" in page
    assert "hpo.annotations 2025-01-16" in page
    assert kb.version in page
    assert page.count("<section>") == len(ranking.diagnoses)


def test_html_escapes_labels(tricky: Ranking, kb: KnowledgeBase) -> None:
    page = write_html(tricky, kb.ontology)
    assert "<b>X</b>" not in page
    assert "Syndrome &lt;b&gt;X&lt;/b&gt; &amp; &quot;Y&quot;" in page


def _interpretations(text: str) -> list[dict[str, Any]]:
    data = json.loads(text)
    out = data["interpretations"]
    assert isinstance(out, list)
    return out


def test_phenopacket_minimal(ranking: Ranking, kb: KnowledgeBase) -> None:
    data = json.loads(write_phenopacket(ranking, kb.ontology))
    assert data["id"] == "case-7"
    feats = data["phenotypicFeatures"]
    assert [f["type"]["id"] for f in feats if not f.get("excluded")] == OBSERVED
    assert [f["type"]["id"] for f in feats if f.get("excluded")] == EXCLUDED
    inter = data["interpretations"]
    assert len(inter) == len(ranking.diagnoses)
    assert len({i["id"] for i in inter}) == len(inter)
    for i, d in zip(inter, ranking.diagnoses, strict=True):
        disease = i["diagnosis"]["disease"]
        assert disease["id"].startswith(("OMIM:", "ORPHA:"))
        assert disease["id"] in d.ids
        assert disease["label"] == d.label
        assert f"rank {d.rank}" in i["summary"]
        assert kb.version in i["summary"]
    assert inter[0]["diagnosis"]["disease"]["id"] == "OMIM:154700"


def test_phenopacket_keeps_the_original(ranking: Ranking, kb: KnowledgeBase) -> None:
    original = {
        "id": "from-clinic",
        "subject": {"id": "p1", "sex": "FEMALE"},
        "phenotypicFeatures": [{"type": {"id": "HP:0001166"}}],
        "interpretations": [{"id": "old"}],
    }
    data = json.loads(write_phenopacket(ranking, kb.ontology, original))
    assert data["id"] == "from-clinic"
    assert data["subject"] == original["subject"]
    assert data["phenotypicFeatures"] == original["phenotypicFeatures"]
    assert [i["id"] for i in data["interpretations"]] == [f"rarelens-likelihood-ratio-{k}" for k in (1, 2, 3, 4)]
    assert original["interpretations"] == [{"id": "old"}]  # the caller's dict is not modified
