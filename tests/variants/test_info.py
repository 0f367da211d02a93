"""INFO evidence: which header keys are population frequencies, and VEP CSQ / SnpEff ANN /
SpliceAI parsing, with the header descriptions and field lists the tools really write."""

from __future__ import annotations

import pytest

from rarelens.variants.info import read_info_evidence, select_frequency_keys

# As GATK HaplotypeCaller / GenotypeGVCFs write them: AF is the called samples' allele fraction.
GATK_INFO = {
    "AC": "Allele count in genotypes, for each ALT allele, in the same order as listed",
    "AF": "Allele Frequency, for each ALT allele, in the same order as listed",
    "AN": "Total number of alleles in called genotypes",
    "DP": "Approximate read depth; some reads may have been filtered",
    "MQ": "RMS Mapping Quality",
}
# 1000 Genomes phase 3 sites VCF.
KG_INFO = {
    "AF": "Estimated allele frequency in the range (0,1)",
    "EAS_AF": "Allele frequency in the EAS populations calculated from AC and AN, in the range (0,1)",
    "AC": "Total number of alternate alleles in called genotypes",
}
# The Format of VEP's CSQ header line (--vcf --everything style, plus dbNSFP/gnomAD plugins).
VEP_FIELDS = (
    "Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE",
    "EXON", "INTRON", "HGVSc", "HGVSp", "ALLELE_NUM", "CANONICAL", "MANE_SELECT", "REVEL",
    "CADD_PHRED", "gnomADe_AF", "EAS_AF",
)
# SnpEff's ANN header line: 'Allele | Annotation | Annotation_Impact | …'.
ANN_FIELDS = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
    "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
)


def csq(**values: str) -> str:
    return "|".join(values.get(f, "") for f in VEP_FIELDS)


def ann(allele: str, effect: str, gene: str, hgvs_c: str = "", hgvs_p: str = "", tx: str = "NM_1.1") -> str:
    return "|".join([allele, effect, "HIGH", gene, gene, "transcript", tx, "protein_coding", "1/3", hgvs_c, hgvs_p,
                     "", "", "", "", ""])


def evidence(raw: str, *, ref: str = "C", alt: str = "T", allele: int = 1, n_alleles: int = 1,
             frequency_keys: tuple[str, ...] = (), csq_fields: tuple[str, ...] = (), ann_fields: tuple[str, ...] = ()):
    return read_info_evidence(raw, ref=ref, alt=alt, allele=allele, n_alleles=n_alleles,
                              frequency_keys=frequency_keys, csq_fields=csq_fields, ann_fields=ann_fields)


# -- frequency keys -------------------------------------------------------------------------


def test_gatk_af_is_the_sample_fraction_not_a_population_frequency() -> None:
    assert select_frequency_keys(GATK_INFO) == ()


def test_1000_genomes_af_with_estimated_allele_frequency_is_population() -> None:
    assert set(select_frequency_keys(KG_INFO)) == {"AF", "EAS_AF"}


@pytest.mark.parametrize("key", ["gnomAD_AF", "EAS_AF", "af_exac_eas", "gnomADe_AF", "AF_popmax", "ExAC_AF",
                                 "gnomad_exomes_AF_eas"])
def test_population_keys_by_name(key: str) -> None:
    assert select_frequency_keys({key: "whatever the description says"}) == (key,)


@pytest.mark.parametrize("key", ["AC", "AN", "gnomAD_AC", "gnomAD_nhomalt", "DP", "CADD_PHRED", "CLNSIG", "nhomalt"])
def test_counts_and_other_fields_are_not_frequencies(key: str) -> None:
    assert select_frequency_keys({key: "Allele count in gnomAD"}) == ()


def test_af_described_as_a_gnomad_frequency_counts() -> None:
    assert select_frequency_keys({"AF": "Alternate allele frequency in gnomAD v4 exomes"}) == ("AF",)


def test_frequency_value_is_taken_for_the_rows_own_allele() -> None:
    ev = evidence("gnomAD_AF=0.001,0.3;DP=40", allele=2, n_alleles=2, frequency_keys=("gnomAD_AF",))
    assert ev.frequencies == {"gnomAD_AF": 0.3}
    assert evidence("gnomAD_AF=.", frequency_keys=("gnomAD_AF",)).max_frequency is None


# -- VEP CSQ ----------------------------------------------------------------------------------


MULTI = ",".join([
    csq(Allele="T", Consequence="missense_variant", SYMBOL="GENE1", Feature="ENST01", HGVSc="ENST01:c.10C>T",
        HGVSp="ENSP01:p.Arg4Trp", ALLELE_NUM="1", CANONICAL="YES", REVEL="0.91", gnomADe_AF="0.0001"),
    csq(Allele="A", Consequence="stop_gained", SYMBOL="GENE1", Feature="ENST01", HGVSc="ENST01:c.10C>A",
        HGVSp="ENSP01:p.Arg4Ter", ALLELE_NUM="2", CANONICAL="YES", gnomADe_AF="0.2"),
])


def test_multiallelic_csq_picks_entries_by_allele_num() -> None:
    first = evidence(f"CSQ={MULTI}", alt="T", allele=1, n_alleles=2, csq_fields=tuple(VEP_FIELDS))
    second = evidence(f"CSQ={MULTI}", alt="A", allele=2, n_alleles=2, csq_fields=tuple(VEP_FIELDS))
    assert [(c.symbol, c.consequence, c.hgvs_p) for c in first.consequences] == [("GENE1", "missense_variant", "ENSP01:p.Arg4Trp")]
    assert [(c.symbol, c.consequence, c.hgvs_p) for c in second.consequences] == [("GENE1", "stop_gained", "ENSP01:p.Arg4Ter")]
    assert first.frequencies == {"CSQ:gnomADe_AF": 0.0001}
    assert second.frequencies == {"CSQ:gnomADe_AF": 0.2}
    assert first.predictors == {"REVEL": 0.91}
    assert "REVEL" not in second.predictors


def test_allele_num_decides_even_when_the_caller_cannot_tell_the_record_was_multiallelic() -> None:
    # A row split from a multi-allelic record no longer shows the other ALT; ALLELE_NUM still
    # names the row's own entries, so the other allele's stop_gained must not leak in.
    ev = evidence(f"CSQ={MULTI}", alt="T", allele=1, n_alleles=1, csq_fields=tuple(VEP_FIELDS))
    assert [c.consequence for c in ev.consequences] == ["missense_variant"]
    assert ev.frequencies == {"CSQ:gnomADe_AF": 0.0001}


def test_multiallelic_csq_without_allele_num_matches_vep_allele_notation() -> None:
    fields = tuple(f for f in VEP_FIELDS if f != "ALLELE_NUM")
    entries = ",".join("|".join(values.get(f, "") for f in fields) for values in (
        {"Allele": "-", "Consequence": "frameshift_variant", "SYMBOL": "GENE1", "CANONICAL": "YES"},
        {"Allele": "CC", "Consequence": "inframe_insertion", "SYMBOL": "GENE1", "CANONICAL": "YES"},
    ))
    deletion = evidence(f"CSQ={entries}", ref="AC", alt="A", allele=1, n_alleles=2, csq_fields=fields)
    insertion = evidence(f"CSQ={entries}", ref="AC", alt="ACC", allele=2, n_alleles=2, csq_fields=fields)
    assert [c.consequence for c in deletion.consequences] == ["frameshift_variant"]
    assert [c.consequence for c in insertion.consequences] == ["inframe_insertion"]


def test_canonical_transcript_is_preferred_over_a_more_severe_other_transcript() -> None:
    value = ",".join([
        csq(Allele="T", Consequence="stop_gained", SYMBOL="GENE1", Feature="ENST_ALT", CANONICAL=""),
        csq(Allele="T", Consequence="missense_variant", SYMBOL="GENE1", Feature="ENST_CAN", CANONICAL="YES"),
        csq(Allele="T", Consequence="intron_variant&NMD_transcript_variant", SYMBOL="GENE1", Feature="ENST_NMD"),
    ])
    (gc,) = evidence(f"CSQ={value}", csq_fields=tuple(VEP_FIELDS)).consequences
    assert (gc.consequence, gc.transcript) == ("missense_variant", "ENST_CAN")


def test_without_a_canonical_flag_the_most_severe_transcript_wins_and_mane_counts_as_canonical() -> None:
    value = ",".join([
        csq(Allele="T", Consequence="synonymous_variant", SYMBOL="GENE1", Feature="ENST_A"),
        csq(Allele="T", Consequence="splice_region_variant&synonymous_variant", SYMBOL="GENE1", Feature="ENST_B"),
        csq(Allele="T", Consequence="missense_variant", SYMBOL="GENE2", Feature="ENST_C"),
        csq(Allele="T", Consequence="stop_gained", SYMBOL="GENE2", Feature="ENST_D"),
        csq(Allele="T", Consequence="synonymous_variant", SYMBOL="GENE2", Feature="ENST_MANE", MANE_SELECT="NM_5.3"),
    ])
    got = {gc.symbol: (gc.consequence, gc.transcript) for gc in evidence(f"CSQ={value}", csq_fields=tuple(VEP_FIELDS)).consequences}
    assert got == {"GENE1": ("splice_region_variant", "ENST_B"), "GENE2": ("synonymous_variant", "ENST_MANE")}


def test_predictor_scores_from_info_and_csq() -> None:
    raw = "CADD_PHRED=28.1;am_pathogenicity=0.95;CSQ=" + csq(Allele="T", Consequence="missense_variant",
                                                             SYMBOL="GENE1", REVEL="0.42&0.77", CANONICAL="YES")
    ev = evidence(raw, csq_fields=tuple(VEP_FIELDS))
    assert ev.predictors == {"REVEL": 0.42, "CADD_PHRED": 28.1, "AlphaMissense": 0.95}


def test_spliceai_info_takes_the_largest_delta_score_of_the_rows_allele() -> None:
    raw = "SpliceAI=T|GENE1|0.01|0.00|0.91|0.02|-2|12|1|-30,G|GENE1|0.99|0.00|0.00|0.00|1|2|3|4"
    assert evidence(raw, alt="T", allele=1, n_alleles=2).predictors == {"SpliceAI": 0.91}
    assert evidence(raw, ref="C", alt="G", allele=2, n_alleles=2).predictors == {"SpliceAI": 0.99}


def test_spliceai_info_of_another_allele_is_ignored_when_the_caller_cannot_tell() -> None:
    raw = "SpliceAI=T|GENE1|0.01|0.00|0.03|0.02|-2|12|1|-30,G|GENE1|0.99|0.00|0.00|0.00|1|2|3|4"
    assert evidence(raw, alt="T", allele=1, n_alleles=1).predictors == {"SpliceAI": 0.03}


def test_clinvar_fields_are_read() -> None:
    ev = evidence("CLNSIG=Pathogenic/Likely_pathogenic;CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts")
    assert ev.clinvar == "Pathogenic/Likely_pathogenic"
    assert ev.clinvar_review == "criteria_provided,_multiple_submitters,_no_conflicts"


def test_malformed_csq_entries_are_skipped_not_fatal() -> None:
    value = "T|missense_variant|too|few," + csq(Allele="T", Consequence="stop_gained", SYMBOL="GENE1")
    assert [c.consequence for c in evidence(f"CSQ={value}", csq_fields=tuple(VEP_FIELDS)).consequences] == ["stop_gained"]


# -- SnpEff ANN ---------------------------------------------------------------------------------


def test_snpeff_ann_keeps_the_most_severe_effect_per_gene_and_maps_snpeff_terms() -> None:
    value = ",".join([
        ann("T", "missense_variant", "GENE1", "c.10C>T", "p.Arg4Trp", "NM_1.1"),
        ann("T", "disruptive_inframe_deletion", "GENE1", "c.10_12del", "p.Arg4del", "NM_2.1"),
        ann("T", "stop_gained&splice_region_variant", "GENE1", "c.10C>T", "p.Arg4*", "NM_3.1"),
        ann("T", "intergenic_region", "GENE2"),
    ])
    got = {gc.symbol: gc for gc in evidence(f"ANN={value}", ann_fields=tuple(ANN_FIELDS)).consequences}
    assert (got["GENE1"].consequence, got["GENE1"].hgvs_p, got["GENE1"].transcript) == ("stop_gained", "p.Arg4*", "NM_3.1")
    assert got["GENE2"].consequence == "intergenic_variant"


def test_snpeff_ann_multiallelic_picks_the_rows_alt() -> None:
    value = ",".join([ann("T", "missense_variant", "GENE1"), ann("A", "stop_gained", "GENE1")])
    for n_alleles in (2, 1):  # also when the caller cannot tell the record was multi-allelic
        ev = evidence(f"ANN={value}", alt="T", allele=1, n_alleles=n_alleles, ann_fields=tuple(ANN_FIELDS))
        assert [c.consequence for c in ev.consequences] == ["missense_variant"], n_alleles


def test_csq_is_preferred_when_both_csq_and_ann_are_present() -> None:
    raw = "CSQ=" + csq(Allele="T", Consequence="missense_variant", SYMBOL="GENE1") + ";ANN=" + ann("T", "stop_gained", "GENE1")
    ev = evidence(raw, csq_fields=tuple(VEP_FIELDS), ann_fields=tuple(ANN_FIELDS))
    assert [c.consequence for c in ev.consequences] == ["missense_variant"]
