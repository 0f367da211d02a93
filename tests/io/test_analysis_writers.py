"""Analysis writers on a hand-made result: JSON (canonical, no NaN), TSV (one row per gene ×
variant), HTML (escaped, every piece of evidence shown) and the phenopacket interpretation."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import pytest

from rarelens.analysis.result import (
    AcmgCall,
    AnalysisResult,
    DiseaseLink,
    GeneResult,
    ResourceUse,
    VariantResult,
)
from rarelens.io.analysis_writers import (
    TSV_COLUMNS,
    analysis_to_dict,
    write_analysis_html,
    write_analysis_json,
    write_analysis_phenopacket,
    write_analysis_tsv,
)


def variant(**kw: Any) -> VariantResult:
    base: dict[str, Any] = {
        "key": "15-48474300-GA-G", "contig": "15", "pos": 48474300, "ref": "GA", "alt": "G", "id": ".", "vcf_line": 23, "gene": "FBN1",
        "consequence": "frameshift_variant", "consequence_source": "gene table", "hgvs_c": "", "hgvs_p": "", "exon": 34,
        "genotypes": (("proband", "0/1"), ("mother", "0/0")), "qual": 75.0, "gq": 99, "dp": 44,
        "frequencies": {"gnomAD_AF": 1e-5}, "max_frequency": 1e-5, "predictors": {}, "clinvar": None, "clinvar_stars": None,
        "pathogenicity": 1.0, "pathogenicity_source": "consequence", "frequency_score": 1.0, "score": 1.0,
        "filters": {"quality": "PASS", "frequency": "PASS", "region": "PASS", "inheritance": "PASS"}, "de_novo": True,
        "acmg": AcmgCall("Likely pathogenic", 7, (("PVS1", "very_strong", "frameshift in FBN1"),
                                               ("PM2", "supporting", "absent <b>from</b> gnomAD")), ("PP5",)),
    }
    base.update(kw)
    return VariantResult(**base)


def result(**kw: Any) -> AnalysisResult:
    fbn1 = GeneResult(
        rank=1, symbol="FBN1", hgnc_id="HGNC:3603", score=21.1, probability=0.98, phenotype_score=14.4,
        genotype_log_lr=6.7, mode="AD", mode_note="", expected_background=0.001,
        diseases=(DiseaseLink("MONDO:0007947", "Marfan syndrome", ("OMIM:154700", "ORPHA:558"),
                              ("Autosomal dominant inheritance",), 14.4, 1),),
        variants=(variant(), variant(key="15-48474310-C-T", pos=48474310, ref="C", alt="T", consequence="exon_variant",
                                     de_novo=False, max_frequency=0.3, frequencies={"gnomAD_AF": 0.3},
                                     filters={"quality": "PASS", "frequency": "FAIL", "region": "PASS",
                                              "inheritance": "NOT_RUN"}, acmg=None)),
    )
    other = replace(fbn1, rank=2, symbol="TGF<B>2", hgnc_id="HGNC:11768", score=-float("inf"), probability=0.0,
                    diseases=(), variants=(variant(gene="TGF<B>2", genotypes=(("proband", "1/1"),)),))
    base: dict[str, Any] = {
        "software_version": "0.1.0", "kb_version": "kb-1", "build": "GRCh38", "gene_model": "genes_grch38.tsv.gz",
        "vcf": "case.vcf", "proband": "proband", "samples": ("proband", "mother"), "phenotype_method": "likelihood-ratio",
        "hpo_terms": ("HP:0001166",),
        "resources": (ResourceUse("ClinVar", "clinvar", "", "not given", "PP5/PM5/PM1 not evaluated"),
                   ResourceUse("gnomAD", "frequency", "4.1", "used", "12 sites")),
        "counts": {"records": 7, "qualifying_variants": 3}, "consequence_counts": {"frameshift_variant": 1},
        "genes": (fbn1, other), "n_genes_ranked": 2, "ranked_symbols": ("FBN1", "TGF<B>2"),
        "warnings": ("build not stated in the header; assumed GRCh38",), "timings": {"total_s": math.nan},
    }
    base.update(kw)
    return AnalysisResult(**base)


def test_json_is_valid_without_nan_or_infinity() -> None:
    text = write_analysis_json(result())
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert data["genes"][1]["score"] is None  # -inf
    assert data["timings"]["total_s"] is None  # NaN
    assert data["genes"][0]["variants"][0]["filters"]["frequency"] == "PASS"
    assert data["genes"][0]["variants"][1]["filters"] == {"quality": "PASS", "frequency": "FAIL", "region": "PASS",
                                                          "inheritance": "NOT_RUN"}
    assert data["genes"][0]["variants"][0]["acmg"]["classification"] == "Likely pathogenic"
    assert "ranked_symbols" not in data
    assert analysis_to_dict(result())["resources"][0]["status"] == "not given"


def test_tsv_has_the_documented_columns_and_one_row_per_gene_and_variant() -> None:
    lines = write_analysis_tsv(result()).splitlines()
    assert tuple(lines[0].split("\t")) == TSV_COLUMNS
    rows = [dict(zip(TSV_COLUMNS, ln.split("\t"), strict=True)) for ln in lines[1:]]
    assert len(rows) == 3
    first = rows[0]
    assert (first["rank"], first["gene"], first["variant"], first["genotype"]) == ("1", "FBN1", "15-48474300-GA-G", "0/1")
    assert first["top_disease"] == "MONDO:0007947 Marfan syndrome"
    assert first["acmg"] == "Likely pathogenic"
    assert first["acmg_criteria"] == "PVS1,PM2_supporting"  # default strength bare, changed strength suffixed
    assert first["filters"] == "quality=PASS;frequency=PASS;region=PASS;inheritance=PASS"
    assert first["vcf_line"] == "23"
    assert rows[1]["filters"] == "quality=PASS;frequency=FAIL;region=PASS;inheritance=NOT_RUN"
    assert rows[1]["acmg"] == ""
    assert rows[1]["max_frequency"] == "0.3"
    assert rows[2]["genotype"] == "1/1"


def test_html_shows_gene_evidence_and_escapes_text() -> None:
    page = write_analysis_html(result())
    assert page.startswith("<!doctype html>")
    assert "FBN1" in page
    assert "Marfan syndrome" in page
    assert "HGNC:3603" in page
    assert "TGF&lt;B&gt;2" in page
    assert "TGF<B>2" not in page
    assert "absent &lt;b&gt;from&lt;/b&gt; gnomAD" in page
    assert "<span class='FAIL'>frequency FAIL</span>" in page
    assert "<span class='NOT_RUN'>inheritance NOT_RUN</span>" in page
    assert "not given" in page
    assert "PP5/PM5/PM1 not evaluated" in page
    assert "build not stated in the header" in page
    assert "VCF line 23" in page
    assert "<b>de novo</b>" in page


def test_phenopacket_interpretation_is_a_candidate_with_the_passing_variants() -> None:
    packet = json.loads(write_analysis_phenopacket(result()))
    (interp,) = packet["interpretations"]
    assert interp["progressStatus"] == "IN_PROGRESS"
    assert interp["diagnosis"]["disease"] == {"id": "OMIM:154700", "label": "Marfan syndrome"}
    gis = interp["diagnosis"]["genomicInterpretations"]
    assert len(gis) == 1  # the variant that failed a filter is not part of the interpretation
    gi = gis[0]
    assert gi["interpretationStatus"] == "CANDIDATE"
    vi = gi["variantInterpretation"]
    assert vi["acmgPathogenicityClassification"] == "LIKELY_PATHOGENIC"
    desc = vi["variationDescriptor"]
    assert desc["geneContext"] == {"valueId": "HGNC:3603", "symbol": "FBN1"}
    assert desc["vcfRecord"] == {"genomeAssembly": "GRCh38", "chrom": "15", "pos": 48474300, "ref": "GA", "alt": "G"}
    assert desc["allelicState"]["label"] == "heterozygous"


def test_phenopacket_keeps_the_input_packet_and_replaces_its_interpretations() -> None:
    original = {"id": "case-7", "subject": {"id": "proband", "sex": "FEMALE"},
                "phenotypicFeatures": [{"type": {"id": "HP:0001166"}}],
                "interpretations": [{"id": "old"}], "metaData": {"phenopacketSchemaVersion": "2.0"}}
    packet = json.loads(write_analysis_phenopacket(result(), original))
    assert packet["subject"] == original["subject"]
    assert packet["phenotypicFeatures"] == original["phenotypicFeatures"]
    assert [i["id"] for i in packet["interpretations"]] == ["rarelens-proband-1"]
    assert original["interpretations"] == [{"id": "old"}]  # the caller's dict is not changed


def test_writers_cope_with_no_ranked_genes() -> None:
    empty = result(genes=(), n_genes_ranked=0, ranked_symbols=())
    assert write_analysis_tsv(empty).splitlines() == ["\t".join(TSV_COLUMNS)]
    assert json.loads(write_analysis_json(empty))["genes"] == []
    assert "Ranked genes" in write_analysis_html(empty)
    assert json.loads(write_analysis_phenopacket(empty))["interpretations"] == []
