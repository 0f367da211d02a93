"""`explain`: the annotation chain behind a disease–phenotype link, down to file and line."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from rarelens.kb.explain import explain_annotation
from rarelens.kb.knowledge_base import KnowledgeBase, UnknownDiseaseError


def test_exact_link_with_reference_file_and_line(
    kb: KnowledgeBase, fixture_data_dir: Path, hpoa_line: Callable[..., int]
) -> None:
    ex = explain_annotation(kb, "OMIM:154700", "HP:0001166")
    assert ex.concept_id == "MONDO:0007947"
    assert ex.term_id == "HP:0001166"
    assert ex.term_label == "Arachnodactyly"
    assert ex.issue is None
    assert ex.kb_version == kb.version
    hpoa = fixture_data_dir / "hpo" / "phenotype.hpoa"
    link = next(x for x in ex.links if x.disease_id == "OMIM:154700" and x.source_key == "hpo.annotations")
    assert link.relation == "exact"
    assert link.annotated_term == "HP:0001166"
    assert link.reference == "PMID:28050285;PMID:33436942"
    assert link.evidence == "PCS"
    assert link.frequency_raw == "124/197"
    assert link.frequency == pytest.approx(124 / 197)
    assert link.source_file == str(hpoa)
    assert link.source_release == "2025-01-16"
    assert link.source_sha256 == hashlib.sha256(hpoa.read_bytes()).hexdigest()
    assert link.line == hpoa_line("OMIM:154700", "HP:0001166")
    line_text = hpoa.read_text(encoding="utf-8").splitlines()[link.line - 1]
    assert line_text.startswith("OMIM:154700\tMarfan syndrome\t\tHP:0001166\tPMID:28050285;PMID:33436942")


def test_links_cover_the_whole_concept(kb: KnowledgeBase) -> None:
    ex = explain_annotation(kb, "ORPHA:558", "HP:0001166")
    got = {(x.disease_id, x.source_key, x.relation) for x in ex.links}
    assert got == {
        ("OMIM:154700", "hpo.annotations", "exact"),
        ("ORPHA:558", "hpo.annotations", "exact"),
        ("ORPHA:558", "orphanet.orphapackets", "exact"),
    }
    orpha = next(x for x in ex.links if x.source_key == "orphanet.orphapackets")
    assert orpha.line == 0
    assert orpha.reference == "ORPHA:558"
    assert orpha.frequency_raw == "Very frequent (99-80%)"
    # Loeys-Dietz syndrome 1 also has arachnodactyly but is another concept
    assert all(x.disease_id != "OMIM:609192" for x in ex.links)


def test_ancestor_and_descendant_relations(kb: KnowledgeBase) -> None:
    general = explain_annotation(kb, "OMIM:154700", "HP:0001238")  # Slender finger
    assert {x.relation for x in general.links} == {"query is less specific: the annotation implies it"}
    assert {x.annotated_term for x in general.links} == {"HP:0001166"}
    specific = explain_annotation(kb, "OMIM:154700", "HP:0001519")  # Disproportionate tall stature
    rel = {(x.disease_id, x.annotated_term, x.relation) for x in specific.links}
    assert ("OMIM:154700", "HP:0001519", "exact") in rel
    assert ("OMIM:154700", "HP:0000098", "query is more specific than the annotation") in rel
    assert specific.links[0].relation == "exact"  # exact links first


def test_negated_link(kb: KnowledgeBase) -> None:
    ex = explain_annotation(kb, "OMIM:229800", "HP:0003074")
    assert {(x.disease_id, x.negated) for x in ex.links} == {("ORPHA:2056", True)}


def test_no_link(kb: KnowledgeBase) -> None:
    ex = explain_annotation(kb, "OMIM:139600", "HP:0001166")
    assert ex.links == ()


def test_alt_id_is_resolved_with_a_warning(kb: KnowledgeBase) -> None:
    ex = explain_annotation(kb, "OMIM:154700", "HP:0001505")
    assert ex.term_id == "HP:0001166"
    assert ex.issue is not None
    assert "HP:0001505" in ex.issue.message
    assert ex.links


def test_unknown_term_and_disease(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="HP:9999999"):
        explain_annotation(kb, "OMIM:154700", "HP:9999999")
    with pytest.raises(ValueError, match=r"HP:0500014.*consider HP:0000118"):
        explain_annotation(kb, "OMIM:154700", "HP:0500014")
    with pytest.raises(UnknownDiseaseError, match="OMIM:000000"):
        explain_annotation(kb, "OMIM:000000", "HP:0001166")
