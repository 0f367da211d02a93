"""Variant and gene scores: Exomiser's frequency score, predictor pathogenicity, and the
class-wise genotype likelihood ratio against chance."""

from __future__ import annotations

import math

import pytest

from rarelens.variants.scoring import (
    MAX_FREQUENCY,
    causal_share,
    class_log_lr,
    clinvar_pathogenicity,
    frequency_score,
    predictor_pathogenicity,
)

# A realistic exome after the frequency and region filters: about 300 rare exonic SNVs and 5 rare
# frameshifts over about 35 Mb of exonic sequence (the analyzer measures these per case).
EXOME_BASES = 35e6
RATE = {"exon_variant": 300 / EXOME_BASES, "frameshift_variant": 5 / EXOME_BASES}


def lam(consequence: str, gene_length: float) -> float:
    return RATE[consequence] * gene_length


def test_frequency_score_is_one_for_absent_or_zero() -> None:
    assert frequency_score(None) == 1.0
    assert frequency_score(0.0) == 1.0


def test_frequency_score_at_one_percent_follows_exomiser() -> None:
    assert frequency_score(0.01) == pytest.approx(1.13533 - 0.13533 * math.e, abs=1e-9)
    assert frequency_score(0.01) == pytest.approx(0.7675, abs=1e-4)


def test_frequency_score_at_two_percent_and_above() -> None:
    assert MAX_FREQUENCY == 0.02
    assert frequency_score(0.02) == pytest.approx(0.1354, abs=1e-4)  # the curve's value at the limit
    assert frequency_score(0.0201) == 0.0
    assert frequency_score(0.3) == 0.0


def test_frequency_score_falls_monotonically() -> None:
    values = [frequency_score(x) for x in (0.0, 1e-5, 1e-4, 1e-3, 0.005, 0.01, 0.015, 0.02, 0.05)]
    assert values == sorted(values, reverse=True)


def test_missense_predictor_replaces_the_class_default_and_cadd_is_rescaled() -> None:
    assert predictor_pathogenicity({}, "missense_variant") == (0.6, "consequence")
    assert predictor_pathogenicity({"REVEL": 0.2}, "missense_variant") == (0.2, "REVEL")
    score, name = predictor_pathogenicity({"CADD_PHRED": 20.0}, "exon_variant")
    assert (score, name) == (pytest.approx(0.99), "CADD_PHRED")
    # Missense predictors do not lower a frameshift.
    assert predictor_pathogenicity({"REVEL": 0.1}, "frameshift_variant") == (1.0, "consequence")


def test_spliceai_raises_a_synonymous_or_intronic_variant() -> None:
    assert predictor_pathogenicity({"SpliceAI": 0.8}, "synonymous_variant") == (0.8, "SpliceAI")
    assert predictor_pathogenicity({"SpliceAI": 0.05}, "synonymous_variant") == (0.1, "consequence")


def test_clinvar_override_needs_a_review_star() -> None:
    assert clinvar_pathogenicity("pathogenic", 2) == 1.0
    assert clinvar_pathogenicity("likely_pathogenic", 1) == 1.0
    assert clinvar_pathogenicity("pathogenic", 0) is None
    assert clinvar_pathogenicity("uncertain_significance", 3) is None


def test_class_log_lr_favours_a_frameshift_over_an_exonic_snv_in_the_same_gene() -> None:
    length = 3000
    fs = class_log_lr((("frameshift_variant", lam("frameshift_variant", length), 1.0),), "AD")
    snv = class_log_lr((("exon_variant", lam("exon_variant", length), 1.0),), "AD")
    assert fs > snv > 0


def test_class_log_lr_favours_a_short_gene_over_a_long_one() -> None:
    short = class_log_lr((("exon_variant", lam("exon_variant", 1_500), 1.0),), "AD")
    long_ = class_log_lr((("exon_variant", lam("exon_variant", 60_000), 1.0),), "AD")
    assert short > long_


def test_class_log_lr_recessive_pair_counts_two_hits_and_a_homozygote_uses_its_own_chance() -> None:
    hit = ("frameshift_variant", lam("frameshift_variant", 3000), 1.0)
    one = class_log_lr((hit,), "AD")
    assert class_log_lr((hit, hit), "AR") == pytest.approx(2 * one)
    # A homozygote is one hit whose λ comes from the exome's homozygous calls of the class
    # (the analyzer passes it); a rarer homozygous class gives more evidence than a common one.
    rare_hom = ("frameshift_variant", lam("frameshift_variant", 3000) / 10, 1.0)
    assert class_log_lr((rare_hom,), "AR") > class_log_lr((hit,), "AR") == pytest.approx(one)
    assert class_log_lr((), "AD") == -math.inf


def test_class_log_lr_weights_and_de_novo() -> None:
    hit = ("exon_variant", lam("exon_variant", 3000), 1.0)
    plain = class_log_lr((hit,), "AD")
    assert class_log_lr((hit,), "AD", de_novo=True) == pytest.approx(plain + math.log(100))
    assert class_log_lr((("exon_variant", hit[1], 0.5),), "AD") == pytest.approx(plain + math.log(0.5))


def test_unlisted_class_gets_the_minimum_share() -> None:
    assert causal_share("synonymous_variant") == causal_share("no_such_class") == pytest.approx(0.002)

