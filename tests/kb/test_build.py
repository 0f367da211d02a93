"""Building the knowledge base from the fixture sources: joins, merges, nothing dropped."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from rarelens.kb.build import SourceBundle, build_knowledge_base
from rarelens.kb.knowledge_base import KnowledgeBase, UnknownDiseaseError
from rarelens.kb.records import Mapping


def entry(kb: KnowledgeBase, disease_id: str) -> int:
    return kb.disease(disease_id)


def concept(kb: KnowledgeBase, disease_id: str) -> int:
    return int(kb.diseases.concept[entry(kb, disease_id)])


def annotation_rows(kb: KnowledgeBase, disease_id: str, hpo: str, source_key: str) -> list[int]:
    a = kb.annotations
    d, t = entry(kb, disease_id), kb.ontology.index(hpo)
    return [
        int(r)
        for r in kb.annotation_rows(d)
        if int(a.term[r]) == t and kb.sources[int(a.source[r])].key == source_key
    ]


# -- entries and concepts ---------------------------------------------------------------------


def test_entries_from_hpoa_and_orphanet(kb: KnowledgeBase) -> None:
    assert sorted(kb.diseases.id) == sorted(
        ["OMIM:154700", "ORPHA:558", "OMIM:609192", "ORPHA:60030", "OMIM:229800", "ORPHA:2056",
         "OMIM:139600", "ORPHA:284963"]
    )
    # ORPHA:284963 has no phenotype.hpoa row: Orphanet alone defines it
    sub = entry(kb, "ORPHA:284963")
    assert kb.sources[int(kb.diseases.source[sub])].key == "orphanet.orphapackets"
    assert kb.diseases.disorder_type[sub] == "Clinical subtype"
    marfan = entry(kb, "ORPHA:558")
    assert kb.diseases.definition[marfan].startswith("Marfan syndrome is a systemic disease")
    assert kb.diseases.db[entry(kb, "OMIM:154700")] == "OMIM"


def test_known_omim_orpha_pair_is_one_concept(kb: KnowledgeBase) -> None:
    c = concept(kb, "OMIM:154700")
    assert concept(kb, "ORPHA:558") == c
    assert concept(kb, "ORPHA:284963") == c
    assert kb.concepts.id[c] == "MONDO:0007947"
    assert kb.concepts.label[c] == "Marfan syndrome"
    via = {kb.concept_ids.id[int(r)]: kb.concept_ids.via[int(r)] for r in kb.concept_id_rows(c)}
    assert via == {
        "OMIM:154700": "entry",
        "ORPHA:558": "entry",
        "ORPHA:284963": "entry",
        "MONDO:0007947": "mondo-exactMatch",
    }
    assert kb.find_disease("MONDO:0007947") in {int(m) for m in kb.concept_members(c)}
    assert kb.find_concept("MONDO:7947") == c


def test_orphanet_exact_xref_alone_merges(bundle: SourceBundle) -> None:
    """Without Mondo, ORPHA:284963 (E) still joins OMIM:154700, ORPHA:558 (BTNT) does not."""
    no_mondo = replace(
        bundle,
        mondo=(),
        sources=tuple(s for s in bundle.sources if not s.key.startswith("mondo.")),
    )
    kb = build_knowledge_base(no_mondo, software_version="test")
    assert concept(kb, "ORPHA:284963") == concept(kb, "OMIM:154700")
    assert concept(kb, "ORPHA:558") != concept(kb, "OMIM:154700")
    assert concept(kb, "ORPHA:2056") == concept(kb, "OMIM:229800")  # Orphanet E as well
    c = concept(kb, "OMIM:154700")
    vias = {kb.concept_ids.via[int(r)] for r in kb.concept_id_rows(c)}
    assert vias == {"entry"}


def test_btnt_xref_does_not_merge(kb: KnowledgeBase) -> None:
    # ORPHA:60030 Loeys-Dietz syndrome is broader than (BTNT) OMIM:609192 Loeys-Dietz syndrome 1
    xrefs = {(kb.xrefs.target[int(r)], kb.xrefs.relation[int(r)]) for r in kb.xref_rows(entry(kb, "ORPHA:60030"))}
    assert ("OMIM:609192", "BTNT") in xrefs
    assert concept(kb, "ORPHA:60030") != concept(kb, "OMIM:609192")
    assert kb.concepts.id[concept(kb, "OMIM:609192")] == "MONDO:0012212"
    assert kb.concepts.id[concept(kb, "ORPHA:60030")] == "MONDO:0018954"
    assert len(kb.concept_members(concept(kb, "OMIM:609192"))) == 1


def test_mondo_mapping_to_a_non_entry_creates_no_concept(kb: KnowledgeBase) -> None:
    # MONDO:0012427 ↔ OMIM:610168 (Loeys-Dietz syndrome 2): neither is an entry here
    assert kb.find_concept("OMIM:610168") is None
    assert kb.find_disease("MONDO:0012427") is None
    assert len(kb.concepts) == 5


def test_non_exact_mondo_predicate_is_not_followed(bundle: SourceBundle) -> None:
    close = [
        Mapping(m.subject_id, m.subject_label, "skos:closeMatch", m.object_id, m.object_label,
                m.justification, m.mapping_set)
        if m.object_id == "ORPHA:60030" else m
        for m in bundle.mondo
    ]
    close.append(Mapping("MONDO:0018954", "Loeys-Dietz syndrome", "skos:broadMatch", "OMIM:609192",
                         "", "", "mondo_exactmatch_omim.sssom.tsv"))
    kb = build_knowledge_base(replace(bundle, mondo=tuple(close)), software_version="test")
    assert concept(kb, "ORPHA:60030") != concept(kb, "OMIM:609192")
    assert kb.concepts.id[concept(kb, "ORPHA:60030")] == "ORPHA:60030"


def test_unknown_disease(kb: KnowledgeBase) -> None:
    assert kb.find_disease("OMIM:000000") is None
    assert kb.find_disease("not an id") is None
    with pytest.raises(UnknownDiseaseError) as info:
        kb.disease("OMIM:000000")
    assert "OMIM:000000" in str(info.value)


# -- annotations ------------------------------------------------------------------------------


def test_every_hpoa_row_becomes_an_annotation(
    kb: KnowledgeBase, bundle: SourceBundle, hpoa_rows: list[list[str]]
) -> None:
    hpoa_src = bundle.source_index("hpo.annotations")
    from_hpoa = kb.annotations.source == hpoa_src
    assert int(from_hpoa.sum()) == len(hpoa_rows) == len(bundle.hpoa)
    got = sorted(
        (kb.diseases.id[int(d)], kb.ontology.ids[int(t)], bool(n))
        for d, t, n in zip(kb.annotations.disease[from_hpoa], kb.annotations.term[from_hpoa],
                           kb.annotations.negated[from_hpoa], strict=True)
    )
    assert got == sorted((c[0], c[3], c[2] == "NOT") for c in hpoa_rows)
    assert sorted(kb.annotations.line[from_hpoa].tolist()) == sorted(r.line for r in bundle.hpoa)


def test_orphanet_phenotypes_become_annotations(kb: KnowledgeBase, bundle: SourceBundle) -> None:
    orpha_src = bundle.source_index("orphanet.orphapackets")
    from_orpha = kb.annotations.source == orpha_src
    in_hpo = sum(1 for d in bundle.orphanet for p in d.phenotypes if p.hpo_id in kb.ontology)
    assert int(from_orpha.sum()) == in_hpo == 8  # 4 of 5 (558), 2 of 3 (2056), 2 (60030)
    assert set(kb.annotations.line[from_orpha].tolist()) == {0}  # JSON is not line-based
    (r,) = annotation_rows(kb, "ORPHA:558", "HP:0001166", "orphanet.orphapackets")
    assert kb.annotations.frequency_raw[r] == "Very frequent (99-80%)"
    assert kb.annotations.reference[r] == "ORPHA:558"


def test_excluded_orphanet_phenotype_is_negated(kb: KnowledgeBase) -> None:
    (r,) = annotation_rows(kb, "ORPHA:2056", "HP:0003074", "orphanet.orphapackets")
    assert bool(kb.annotations.negated[r])
    assert kb.annotations.frequency[r] == 0.0
    assert kb.annotations.frequency_raw[r] == "Excluded (0%)"
    (h,) = annotation_rows(kb, "ORPHA:2056", "HP:0003074", "hpo.annotations")  # NOT qualifier
    assert bool(kb.annotations.negated[h])
    assert kb.counts()["annotations_negated"] == 2


@pytest.mark.parametrize(
    ("disease", "hpo", "source", "raw", "value"),
    [
        ("OMIM:154700", "HP:0001166", "hpo.annotations", "124/197", 124 / 197),
        ("OMIM:609192", "HP:0001083", "hpo.annotations", "0/32", 0.0),
        ("OMIM:139600", "HP:0004322", "hpo.annotations", "75%", 0.75),
        ("ORPHA:558", "HP:0001166", "hpo.annotations", "HP:0040281", 0.895),
        ("ORPHA:2056", "HP:0011033", "orphanet.orphapackets", "Obligate (100%)", 1.0),
        ("ORPHA:60030", "HP:0000098", "orphanet.orphapackets", "Frequent (79-30%)", 0.545),
    ],
)
def test_frequencies_are_parsed(
    kb: KnowledgeBase, disease: str, hpo: str, source: str, raw: str, value: float
) -> None:
    (r,) = annotation_rows(kb, disease, hpo, source)
    assert kb.annotations.frequency_raw[r] == raw
    assert float(kb.annotations.frequency[r]) == pytest.approx(value, abs=1e-6)


def test_no_frequency_is_nan(kb: KnowledgeBase) -> None:
    (r,) = annotation_rows(kb, "OMIM:154700", "HP:0000098", "hpo.annotations")
    assert math.isnan(float(kb.annotations.frequency[r]))


def test_inheritance_facts(kb: KnowledgeBase) -> None:
    f = kb.facts
    omim = [(f.kind[int(r)], f.value[int(r)], int(f.term[int(r)]), f.reference[int(r)])
            for r in kb.fact_rows(entry(kb, "OMIM:154700"))]
    assert omim == [("inheritance", "Autosomal dominant inheritance", kb.ontology.index("HP:0000006"),
                     "PMID:17502658")]
    orpha = {(f.kind[int(r)], f.value[int(r)]) for r in kb.fact_rows(entry(kb, "ORPHA:558"))}
    assert orpha == {
        ("inheritance", "Autosomal dominant"),
        ("onset", "All ages"),
        ("parent", "ORPHA:519292"),
        ("parent", "ORPHA:284993"),
    }
    recessive = {f.value[int(r)] for r in kb.fact_rows(entry(kb, "OMIM:229800")) if f.kind[int(r)] == "inheritance"}
    assert recessive == {"Autosomal recessive inheritance"}


def test_unresolved_orphanet_hpo_id_is_kept_with_a_reason(kb: KnowledgeBase) -> None:
    rows = [kb.unresolved.row(i) for i in range(len(kb.unresolved))]
    marfan = [r for r in rows if r["record"] == "ORPHA:558"]
    assert len(marfan) == 1
    assert marfan[0]["value"] == "HP:0001382"
    assert "HP:0001382" in str(marfan[0]["reason"])
    assert "not in HPO" in str(marfan[0]["reason"])
    assert kb.sources[int(marfan[0]["source"])].key == "orphanet.orphapackets"
    assert {r["value"] for r in rows} == {"HP:0001382", "HP:0031979", "OMIM:243400"}
    gene_row = next(r for r in rows if r["value"] == "OMIM:243400")
    assert gene_row["record"] == "NAT2-OMIM:243400"
    assert kb.counts()["unresolved_source_rows"] == 3


# -- names, catalog, drugs, genes -------------------------------------------------------------


def names(kb: KnowledgeBase, disease_id: str, lang: str | None = None) -> set[tuple[str, str]]:
    n = kb.names
    return {
        (n.text[int(r)], n.kind[int(r)])
        for r in kb.name_rows(entry(kb, disease_id))
        if lang is None or n.lang[int(r)] == lang
    }


def test_chinese_names(kb: KnowledgeBase) -> None:
    assert names(kb, "OMIM:154700", "zh") == {("马凡氏综合征(MFS)", "label")}
    assert names(kb, "ORPHA:558", "zh") == {("马方综合征", "label"), ("马凡综合征", "catalog")}
    assert kb.chinese_name(entry(kb, "ORPHA:2056")) == "己酮糖(磷酸)激酶缺乏症"
    assert kb.chinese_name(entry(kb, "OMIM:139600")) is None


def test_catalog_links_resolve_to_entries(kb: KnowledgeBase) -> None:
    keys = list(kb.catalog.key)
    marfan = keys.index("CNRD:1-68")
    cl = kb.catalog_links
    rows = [int(r) for r in np.flatnonzero(cl.entry == marfan)]
    assert {(cl.target[r], int(cl.disease[r]), cl.method[r], bool(cl.reviewed[r])) for r in rows} == {
        ("ORPHA:558", entry(kb, "ORPHA:558"), "phenobrain-ccrd", True),
        ("ORPHA:558", entry(kb, "ORPHA:558"), "orphanet-label-match", False),
    }
    # links to ids that are not entries stay, with disease -1
    unlinked = [int(r) for r in np.flatnonzero(cl.entry == keys.index("CNRD:1-20"))]
    assert len(unlinked) == 8
    assert set(cl.disease[unlinked].tolist()) == {-1}
    assert kb.catalog_rows_for(kb.concept_members(concept(kb, "OMIM:154700"))) == rows


def test_designation_for_marfan_is_linked_others_are_not(kb: KnowledgeBase) -> None:
    substances = list(kb.drugs.substance)
    assert sorted(substances) == ["allopurinol", "bosentan", "carfilzomib"]
    linked = {substances[int(d)]: int(dis) for d, dis in zip(kb.drug_links.drug, kb.drug_links.disease, strict=True)}
    assert set(linked) == {"allopurinol"}
    assert int(kb.diseases.concept[linked["allopurinol"]]) == concept(kb, "ORPHA:558")
    assert list(kb.drug_links.matched) == ["marfan syndrome"]
    allopurinol = substances.index("allopurinol")
    assert kb.sources[int(kb.drugs.source[allopurinol])].key == "drugs.ema"
    assert int(kb.drugs.line[allopurinol]) == 3


def gene_links(kb: KnowledgeBase, disease_id: str) -> set[tuple[str, str, str]]:
    g = kb.disease_genes
    out = set()
    for r in kb.gene_rows(entry(kb, disease_id)):
        gi = int(g.gene[int(r)])
        out.add((kb.genes.hgnc_id[gi] if gi >= 0 else "", g.symbol[int(r)], kb.sources[int(g.source[int(r)])].key))
    return out


def test_gene_links_map_to_hgnc(kb: KnowledgeBase) -> None:
    # by NCBI gene id from genes_to_phenotype.txt
    assert gene_links(kb, "OMIM:154700") == {("HGNC:3603", "FBN1", "hpo.genes")}
    # by HGNC id from the ORPHApacket
    assert gene_links(kb, "ORPHA:284963") == {("HGNC:3603", "FBN1", "orphanet.orphapackets")}
    assert gene_links(kb, "ORPHA:60030") == {
        ("HGNC:11768", "TGFB2", "hpo.genes"),
        ("HGNC:11772", "TGFBR1", "hpo.genes"),
        ("HGNC:11768", "TGFB2", "orphanet.orphapackets"),
        ("HGNC:11772", "TGFBR1", "orphanet.orphapackets"),
    }
    assert -1 not in set(kb.disease_genes.gene.tolist())


def test_gene_ids_beat_symbols(bundle: SourceBundle) -> None:
    """A source still using an old symbol is mapped by its NCBI or HGNC id, not by the symbol."""
    hpo_genes = tuple(replace(g, gene_symbol="MFS1") if g.gene_symbol == "FBN1" else g for g in bundle.hpo_genes)
    orphanet = tuple(
        replace(d, genes=tuple(replace(g, symbol="MFS1") for g in d.genes)) if d.orpha_id == "ORPHA:284963" else d
        for d in bundle.orphanet
    )
    kb = build_knowledge_base(replace(bundle, hpo_genes=hpo_genes, orphanet=orphanet), software_version="test")
    assert gene_links(kb, "OMIM:154700") == {("HGNC:3603", "MFS1", "hpo.genes")}
    assert gene_links(kb, "ORPHA:284963") == {("HGNC:3603", "MFS1", "orphanet.orphapackets")}


def test_gene_without_hgnc_match_is_kept_with_minus_one(bundle: SourceBundle) -> None:
    kb = build_knowledge_base(replace(bundle, hgnc=()), software_version="test")
    assert len(kb.disease_genes) == 10
    assert set(kb.disease_genes.gene.tolist()) == {-1}
    assert "FBN1" in set(kb.disease_genes.symbol)
    assert kb.counts()["genes_with_disease_links"] == 0


# -- information content ----------------------------------------------------------------------


def test_information_content(kb: KnowledgeBase) -> None:
    o = kb.ontology
    ic = {t: float(o.ic[o.index(t)]) for t in o.ids}
    annotated = {int(c) for c in kb.diseases.concept[kb.annotations.disease]}
    assert ic["HP:0000118"] == pytest.approx(0.0)  # every annotated concept has a phenotype
    assert ic["HP:0001519"] > ic["HP:0000098"] > 0  # more specific, more informative
    assert ic["HP:0001166"] > 0
    # a term no concept carries gets the largest finite value, -ln(1 / n concepts)
    assert ic["HP:0000271"] == pytest.approx(math.log(len(annotated)))
    assert max(ic.values()) == pytest.approx(math.log(len(annotated)))
    pa = o.index("HP:0000118")
    for i in range(len(o)):
        if o.is_descendant_of(i, pa):
            for a in o.ancestors(i):
                if o.is_descendant_of(int(a), pa):
                    assert o.ic[i] >= o.ic[int(a)] - 1e-12, (o.ids[i], o.ids[int(a)])


def test_ic_counts_concepts_not_entries(kb: KnowledgeBase) -> None:
    # Tall stature: Marfan (OMIM:154700, ORPHA:558 via Disproportionate tall stature), LDS1 via
    # HP:0001519, Loeys-Dietz syndrome (ORPHA:60030): 3 concepts of 5, whatever the entry count
    o = kb.ontology
    assert float(o.ic[o.index("HP:0000098")]) == pytest.approx(-math.log(3 / 5))
    assert float(o.ic[o.index("HP:0001519")]) == pytest.approx(-math.log(2 / 5))


# -- counts and version -----------------------------------------------------------------------


def test_counts(kb: KnowledgeBase, bundle: SourceBundle) -> None:
    c = kb.counts()
    for key in (
        "hpo_terms", "hpo_terms_obsolete", "hpo_alt_ids", "hpo_terms_with_zh_label", "disease_entries",
        "disease_entries_omim", "disease_entries_orpha", "disease_entries_decipher",
        "disease_entries_annotated", "disease_concepts", "disease_concepts_annotated",
        "concepts_merging_several_entries", "annotations", "annotations_negated", "genes_hgnc",
        "genes_with_disease_links", "disease_gene_links", "catalog_entries", "catalog_entries_linked",
        "orphan_designations", "orphan_designations_linked", "diseases_with_designations",
        "unresolved_source_rows",
    ):
        assert key in c, key
        assert isinstance(c[key], int)
    assert c["hpo_terms"] + c["hpo_terms_obsolete"] == len(kb.ontology) == 27
    assert c["hpo_terms_with_zh_label"] == 25
    assert c["disease_entries"] == len(kb.diseases) == 8
    assert c["disease_entries_omim"] + c["disease_entries_orpha"] + c["disease_entries_decipher"] == 8
    assert c["disease_entries_annotated"] == 7  # ORPHA:284963 has no phenotype
    assert c["disease_concepts"] == len(kb.concepts) == 5
    assert c["concepts_merging_several_entries"] == 2  # Marfan, essential fructosuria
    assert c["annotations"] == len(kb.annotations) == len(bundle.hpoa) + 8
    assert c["genes_hgnc"] == 6
    assert c["genes_with_disease_links"] == 4  # FBN1, KHK, TGFB2, TGFBR1
    assert c["catalog_entries"] == 5
    assert c["catalog_entries_linked"] == 1
    assert c["orphan_designations"] == 3
    assert c["orphan_designations_linked"] == c["diseases_with_designations"] == 1


def test_version_depends_on_sources_and_software(kb: KnowledgeBase, bundle: SourceBundle) -> None:
    assert kb.version.startswith("rlkb-hpo2025-01-16-")
    assert build_knowledge_base(bundle, software_version=kb.software_version).version == kb.version
    assert build_knowledge_base(bundle, software_version="other").version != kb.version
    changed = replace(bundle, sources=tuple(
        replace(s, sha256="0" * 64) if s.key == "hpo.annotations" else s for s in bundle.sources
    ))
    assert build_knowledge_base(changed, software_version=kb.software_version).version != kb.version
