"""ACMG/AMP criteria and classification, one scenario per test.

Thresholds are probed on both sides (just below / at) so a shifted or mis-directed comparison
fails; classifications are checked with both combining methods where the publications agree.
"""

from __future__ import annotations

from typing import Any

import pytest

from rarelens.variants.acmg import (
    AcmgResult,
    Criterion,
    VariantEvidence,
    assess_criteria,
    classify_variant,
    clinvar_stars,
    combine_criteria,
    normalize_clinvar_significance,
    points,
    points_classification,
)


def evidence(**kw: Any) -> VariantEvidence:
    """A missense variant in a gene with a frequency resource checked, unless overridden."""
    base: dict[str, Any] = {
        "consequence": "missense_variant",
        "gene": "GENE1",
        "population_af": None,
        "frequency_checked": True,
    }
    base.update(kw)
    return VariantEvidence(**base)


def codes(result: AcmgResult) -> dict[str, str]:
    return {c.code: c.strength for c in result.criteria}


def crit(*labels: str) -> list[Criterion]:
    """Criteria from short labels like 'PVS1:very_strong' or 'BP4:moderate'."""
    out = []
    for label in labels:
        code, strength = label.split(":")
        out.append(Criterion(code, strength, "test"))
    return out


# --- canonical loss-of-function scenarios -------------------------------------------------


def test_canonical_splice_lof_absent_from_gnomad_is_likely_pathogenic() -> None:
    ev = evidence(consequence="splice_donor_variant", lof_mechanism=True, nmd_escape=False)
    for method in ("points", "rules"):
        r = classify_variant(ev, method=method)
        assert codes(r) == {"PVS1": "very_strong", "PM2": "supporting"}
        assert r.points == 9
        # Richards Table 5 has no PVS1 + PP rule; ClinGen SVI 2020 made it Likely pathogenic.
        assert r.classification == "Likely pathogenic"
        assert r.method == method


def test_canonical_splice_lof_with_clinvar_pathogenic_is_pathogenic() -> None:
    ev = evidence(
        consequence="splice_acceptor_variant",
        lof_mechanism=True,
        clinvar_significance="pathogenic",
        clinvar_stars=2,
    )
    for method in ("points", "rules"):
        r = classify_variant(ev, method=method)
        assert codes(r) == {"PVS1": "very_strong", "PM2": "supporting", "PP5": "supporting"}
        assert r.points == 10
        assert r.classification == "Pathogenic"
    pp5 = next(c for c in r.criteria if c.code == "PP5")
    assert "Biesecker" in pp5.reason  # the deprecation is stated in the reason


def test_pvs1_with_nmd_escape_is_strong() -> None:
    r = classify_variant(evidence(consequence="stop_gained", lof_mechanism=True, nmd_escape=True))
    assert codes(r)["PVS1"] == "strong"
    assert r.points == 5  # PVS1_Strong 4 + PM2_Supporting 1
    assert r.classification == "Uncertain significance"


def test_pvs1_unknown_nmd_assumes_nmd_and_says_so() -> None:
    r = classify_variant(evidence(consequence="frameshift_variant", lof_mechanism=True))
    pvs1 = r.criteria[0]
    assert (pvs1.code, pvs1.strength) == ("PVS1", "very_strong")
    assert "NMD not assessed" in pvs1.reason


def test_start_lost_is_at_most_pvs1_moderate() -> None:
    r = classify_variant(evidence(consequence="start_lost", lof_mechanism=True))
    assert codes(r)["PVS1"] == "moderate"


def test_pvs1_not_applied_when_gene_mechanism_is_not_lof() -> None:
    r = classify_variant(evidence(consequence="stop_gained", lof_mechanism=False))
    assert "PVS1" not in codes(r)
    assert "PVS1" not in r.not_evaluated


def test_pvs1_not_evaluated_when_mechanism_unknown() -> None:
    r = classify_variant(evidence(consequence="stop_gained"))
    assert "PVS1" not in codes(r)
    assert "PVS1" in r.not_evaluated


def test_pp3_not_stacked_with_pvs1() -> None:
    lof = classify_variant(
        evidence(
            consequence="splice_donor_variant", lof_mechanism=True, predictors={"SpliceAI": 0.9}
        )
    )
    assert "PP3" not in codes(lof)
    assert "PP3" not in lof.not_evaluated
    assert any("PVS1 already counts" in n for n in lof.notes)
    # The same SpliceAI score does give PP3 when PVS1 does not apply.
    no_lof = classify_variant(
        evidence(
            consequence="splice_donor_variant", lof_mechanism=False, predictors={"SpliceAI": 0.9}
        )
    )
    assert codes(no_lof)["PP3"] == "supporting"


# --- population frequency ------------------------------------------------------------------


def test_ba1_common_variant_is_benign_regardless_of_other_evidence() -> None:
    ev = evidence(
        consequence="stop_gained",
        lof_mechanism=True,
        population_af=0.06,
        clinvar_significance="pathogenic",
        clinvar_stars=3,
        phenotype_specific=True,
        de_novo=True,
        de_novo_confirmed=True,
    )
    for method in ("points", "rules"):
        r = classify_variant(ev, method=method)
        assert codes(r)["BA1"] == "stand_alone"
        assert r.classification == "Benign"


@pytest.mark.parametrize(
    ("af", "expected"),
    [
        (0.0501, {"BA1": "stand_alone"}),
        (0.05, {"BS1": "strong"}),  # BA1 is "> 5 %"
        (0.0101, {"BS1": "strong"}),
        (0.01, {}),  # BS1 is "> threshold"
        (0.0001, {}),  # PM2 is "< threshold"
        (0.0000999, {"PM2": "supporting"}),
        (0.0, {"PM2": "supporting"}),
    ],
)
def test_frequency_thresholds(af: float, expected: dict[str, str]) -> None:
    r = classify_variant(evidence(population_af=af))
    assert {k: v for k, v in codes(r).items() if k in ("BA1", "BS1", "PM2")} == expected


def test_bs1_uses_the_disease_specific_threshold() -> None:
    r = classify_variant(evidence(population_af=0.002, af_threshold_bs1=0.001))
    assert codes(r) == {"BS1": "strong"}
    assert r.classification == "Likely benign"  # -4 points
    assert classify_variant(evidence(population_af=0.002)).criteria == ()


def test_pm2_threshold_parameter() -> None:
    ev = evidence(population_af=0.0005)
    assert "PM2" not in codes(classify_variant(ev))
    assert codes(classify_variant(ev, pm2_threshold=0.001))["PM2"] == "supporting"


def test_no_frequency_resource_leaves_frequency_criteria_not_evaluated() -> None:
    r = classify_variant(evidence(frequency_checked=False))
    assert {"BA1", "BS1", "PM2"} <= set(r.not_evaluated)
    assert not {"BA1", "BS1", "PM2"} & set(codes(r))
    # A frequency that was found is evidence even without the coverage flag.
    found = classify_variant(evidence(frequency_checked=False, population_af=0.2))
    assert codes(found) == {"BA1": "stand_alone"}
    assert "BA1" not in found.not_evaluated


def test_frequency_checked_and_absent_counts_as_zero() -> None:
    r = classify_variant(evidence(frequency_checked=True, population_af=None))
    assert codes(r) == {"PM2": "supporting"}
    assert "PM2" not in r.not_evaluated


def test_ba1_exception_list_variant_falls_back_to_bs1() -> None:
    r = classify_variant(evidence(population_af=0.08), ba1_exempt=True)
    assert codes(r) == {"BS1": "strong"}
    assert any("exception" in n for n in r.notes)


def test_invalid_allele_frequency_is_rejected() -> None:
    with pytest.raises(ValueError, match="population_af"):
        classify_variant(evidence(population_af=1.5))


# --- computational evidence -------------------------------------------------------------


@pytest.mark.parametrize(
    ("revel", "expected"),
    [
        (0.932, ("PP3", "strong")),
        (0.931, ("PP3", "moderate")),
        (0.773, ("PP3", "moderate")),
        (0.772, ("PP3", "supporting")),
        (0.644, ("PP3", "supporting")),
        (0.643, None),
        (0.291, None),
        (0.290, ("BP4", "supporting")),
        (0.184, ("BP4", "supporting")),
        (0.183, ("BP4", "moderate")),
        (0.017, ("BP4", "moderate")),
        (0.016, ("BP4", "strong")),
        (0.001, ("BP4", "strong")),  # Pejaver's Very Strong interval, capped at Strong
    ],
)
def test_revel_calibrated_boundaries(revel: float, expected: tuple[str, str] | None) -> None:
    r = classify_variant(evidence(predictors={"REVEL": revel, "SpliceAI": 0.0}))
    found = {k: v for k, v in codes(r).items() if k in ("PP3", "BP4")}
    assert found == (dict([expected]) if expected else {})


def test_revel_reason_names_score_threshold_and_source() -> None:
    r = classify_variant(evidence(predictors={"REVEL": 0.95}))
    pp3 = next(c for c in r.criteria if c.code == "PP3")
    assert pp3.reason == "REVEL 0.95 ≥ 0.932 (Pejaver 2022: PP3_Strong)."


@pytest.mark.parametrize(
    ("tool", "score", "expected"),
    [
        ("BayesDel", 0.50, ("PP3", "strong")),
        ("BayesDel", 0.49, ("PP3", "moderate")),
        ("BayesDel", 0.27, ("PP3", "moderate")),
        ("BayesDel", 0.26, ("PP3", "supporting")),
        ("BayesDel", 0.13, ("PP3", "supporting")),
        ("BayesDel", 0.12, None),
        ("BayesDel", -0.17, None),
        ("BayesDel", -0.18, ("BP4", "supporting")),
        ("BayesDel", -0.35, ("BP4", "supporting")),
        ("BayesDel", -0.36, ("BP4", "moderate")),
        ("BayesDel", -2.0, ("BP4", "moderate")),  # no Strong benign interval
        ("CADD_PHRED", 40.0, ("PP3", "moderate")),  # CADD never reaches Strong
        ("CADD_PHRED", 28.1, ("PP3", "moderate")),
        ("CADD_PHRED", 28.0, ("PP3", "supporting")),
        ("CADD_PHRED", 25.3, ("PP3", "supporting")),
        ("CADD_PHRED", 25.2, None),
        ("CADD_PHRED", 22.8, None),
        ("CADD_PHRED", 22.7, ("BP4", "supporting")),
        ("CADD_PHRED", 17.4, ("BP4", "supporting")),
        ("CADD_PHRED", 17.3, ("BP4", "moderate")),
        ("CADD_PHRED", 0.16, ("BP4", "moderate")),
        ("CADD_PHRED", 0.15, ("BP4", "strong")),
        ("AlphaMissense", 0.990, ("PP3", "strong")),
        ("AlphaMissense", 0.989, ("PP3", "moderate")),
        ("AlphaMissense", 0.906, ("PP3", "moderate")),
        ("AlphaMissense", 0.905, ("PP3", "supporting")),
        ("AlphaMissense", 0.792, ("PP3", "supporting")),
        ("AlphaMissense", 0.791, None),
        ("AlphaMissense", 0.170, None),
        ("AlphaMissense", 0.169, ("BP4", "supporting")),
        ("AlphaMissense", 0.100, ("BP4", "supporting")),
        ("AlphaMissense", 0.099, ("BP4", "moderate")),
        ("AlphaMissense", 0.0, ("BP4", "moderate")),  # no Strong benign interval
    ],
)
def test_other_calibrated_predictors(
    tool: str, score: float, expected: tuple[str, str] | None
) -> None:
    r = classify_variant(evidence(predictors={tool: score, "SpliceAI": 0.0}))
    found = {k: v for k, v in codes(r).items() if k in ("PP3", "BP4")}
    assert found == (dict([expected]) if expected else {})


@pytest.mark.parametrize(
    ("spliceai", "expected"),
    [
        (0.2, ("PP3", "supporting")),
        (0.19, None),
        (0.11, None),
        (0.1, ("BP4", "supporting")),
        (0.0, ("BP4", "supporting")),
    ],
)
def test_spliceai_boundaries_for_intronic_variant(
    spliceai: float, expected: tuple[str, str] | None
) -> None:
    r = classify_variant(evidence(consequence="intron_variant", predictors={"SpliceAI": spliceai}))
    found = {k: v for k, v in codes(r).items() if k in ("PP3", "BP4")}
    assert found == (dict([expected]) if expected else {})


def test_strongest_single_predictor_is_used_never_summed() -> None:
    r = classify_variant(evidence(predictors={"REVEL": 0.80, "BayesDel": 0.55, "CADD_PHRED": 26.0}))
    assert [c.code for c in r.criteria].count("PP3") == 1
    assert codes(r)["PP3"] == "strong"  # BayesDel ≥ 0.50, not moderate + strong + supporting
    assert "BayesDel" in next(c for c in r.criteria if c.code == "PP3").reason


def test_discordant_predictors_give_neither_pp3_nor_bp4() -> None:
    r = classify_variant(evidence(predictors={"REVEL": 0.95, "CADD_PHRED": 10.0}))
    assert not {"PP3", "BP4"} & set(codes(r))
    assert any("disagree" in n for n in r.notes)


def test_missense_spliceai_supplies_pp3_when_no_missense_score() -> None:
    r = classify_variant(evidence(predictors={"SpliceAI": 0.5}))
    assert codes(r)["PP3"] == "supporting"
    # A low SpliceAI score alone says nothing about the amino-acid change.
    low = classify_variant(evidence(predictors={"SpliceAI": 0.01}))
    assert not {"PP3", "BP4"} & set(codes(low))
    assert {"PP3", "BP4"} <= set(low.not_evaluated)


def test_missense_bp4_held_back_when_splicing_not_excluded() -> None:
    assert (
        codes(classify_variant(evidence(predictors={"REVEL": 0.1, "SpliceAI": 0.05})))["BP4"]
        == "moderate"
    )
    r = classify_variant(evidence(predictors={"REVEL": 0.1, "SpliceAI": 0.15}))
    assert "BP4" not in codes(r)
    assert any("indeterminate" in n for n in r.notes)
    no_splice = classify_variant(evidence(predictors={"REVEL": 0.1}))
    assert (
        "splicing impact not assessed"
        in next(c for c in no_splice.criteria if c.code == "BP4").reason
    )


def test_no_predictor_scores_leaves_pp3_bp4_not_evaluated() -> None:
    r = classify_variant(evidence(predictors={}))
    assert {"PP3", "BP4"} <= set(r.not_evaluated)
    nan = classify_variant(evidence(predictors={"REVEL": float("nan")}))
    assert {"PP3", "BP4"} <= set(nan.not_evaluated)


def test_pm1_with_pp3_strong_is_capped_at_strong() -> None:
    strong = classify_variant(evidence(in_hotspot=True, predictors={"REVEL": 0.95}))
    assert "PM1" not in codes(strong)
    moderate = classify_variant(evidence(in_hotspot=True, predictors={"REVEL": 0.80}))
    assert codes(moderate)["PM1"] == "moderate"
    assert codes(moderate)["PP3"] == "moderate"


# --- variant type -----------------------------------------------------------------------


def test_synonymous_outside_splice_region_gets_bp7() -> None:
    r = classify_variant(
        evidence(consequence="synonymous_variant", in_splice_region=False, predictors={})
    )
    assert codes(r)["BP7"] == "supporting"
    in_region = classify_variant(
        evidence(consequence="synonymous_variant", in_splice_region=True, predictors={})
    )
    assert "BP7" not in codes(in_region)
    unknown = classify_variant(evidence(consequence="stop_retained_variant"))
    assert "BP7" in unknown.not_evaluated


@pytest.mark.parametrize(("spliceai", "bp7"), [(0.1, True), (0.11, False)])
def test_bp7_spliceai_boundary(spliceai: float, bp7: bool) -> None:
    r = classify_variant(
        evidence(
            consequence="synonymous_variant",
            in_splice_region=False,
            predictors={"SpliceAI": spliceai},
        )
    )
    assert ("BP7" in codes(r)) is bp7


def test_rare_synonymous_without_splice_effect_is_likely_benign_by_points() -> None:
    ev = evidence(
        consequence="synonymous_variant", in_splice_region=False, predictors={"SpliceAI": 0.01}
    )
    r = classify_variant(ev)
    assert codes(r) == {"PM2": "supporting", "BP4": "supporting", "BP7": "supporting"}
    assert r.classification == "Likely benign"  # 1 - 1 - 1 = -1
    assert classify_variant(ev, method="rules").classification == "Uncertain significance"


@pytest.mark.parametrize(
    ("consequence", "repeat", "expected"),
    [
        ("inframe_deletion", False, {"PM4": "moderate"}),
        ("inframe_insertion", True, {"BP3": "supporting"}),
        ("stop_lost", None, {"PM4": "moderate"}),
        ("missense_variant", False, {}),
    ],
)
def test_pm4_bp3(consequence: str, repeat: bool | None, expected: dict[str, str]) -> None:
    r = classify_variant(evidence(consequence=consequence, repeat_region=repeat))
    assert {k: v for k, v in codes(r).items() if k in ("PM4", "BP3")} == expected


def test_inframe_with_unknown_repeat_status_is_not_evaluated() -> None:
    r = classify_variant(evidence(consequence="disruptive_inframe_deletion"))  # SnpEff alias
    assert {"PM4", "BP3"} <= set(r.not_evaluated)


# --- case-level and database evidence ---------------------------------------------------


def test_de_novo_confirmed_is_ps2_assumed_is_pm6() -> None:
    assert (
        codes(classify_variant(evidence(de_novo=True, de_novo_confirmed=True)))["PS2"] == "strong"
    )
    assumed = codes(classify_variant(evidence(de_novo=True)))
    assert assumed["PM6"] == "moderate"
    assert "PS2" not in assumed
    assert {"PS2", "PM6"} <= set(classify_variant(evidence()).not_evaluated)


def test_pm3_pp4_ps1_pm5_pm1_from_inputs() -> None:
    r = classify_variant(
        evidence(
            in_trans_with_pathogenic=True,
            phenotype_specific=True,
            other_aa_same_codon_pathogenic=True,
            in_hotspot=True,
        )
    )
    assert codes(r) == {
        "PM2": "supporting",
        "PM5": "moderate",
        "PM1": "moderate",
        "PP4": "supporting",
        "PM3": "supporting",
    }
    assert r.points == 7
    assert r.classification == "Likely pathogenic"


def test_ps1_takes_precedence_over_pm5() -> None:
    r = classify_variant(
        evidence(same_aa_change_pathogenic=True, other_aa_same_codon_pathogenic=True)
    )
    assert codes(r)["PS1"] == "strong"
    assert "PM5" not in codes(r)


def test_ps1_pm5_only_for_missense_changes() -> None:
    r = classify_variant(evidence(consequence="intron_variant", same_aa_change_pathogenic=True))
    assert "PS1" not in codes(r)


@pytest.mark.parametrize(
    ("significance", "stars", "expected", "not_evaluated"),
    [
        ("likely_pathogenic", 1, {"PP5": "supporting"}, False),
        ("pathogenic", 0, {}, False),
        ("benign", 2, {"BP6": "supporting"}, False),
        ("conflicting", 2, {}, False),
        ("uncertain", 2, {}, False),
        (None, None, {}, True),
        ("pathogenic", None, {}, True),
    ],
)
def test_clinvar_pp5_bp6(
    significance: str | None, stars: int | None, expected: dict[str, str], not_evaluated: bool
) -> None:
    r = classify_variant(
        evidence(clinvar_significance=significance, clinvar_stars=stars, frequency_checked=False)
    )
    assert {k: v for k, v in codes(r).items() if k in ("PP5", "BP6")} == expected
    assert ("PP5" in r.not_evaluated) is not_evaluated


def test_clinvar_conflict_is_explained_in_notes() -> None:
    r = classify_variant(evidence(clinvar_significance="conflicting", clinvar_stars=1))
    assert not {"PP5", "BP6"} & set(codes(r))
    assert any("ClinVar classifications conflict" in n for n in r.notes)


def test_conflicting_pathogenic_and_benign_evidence_is_vus_by_rules() -> None:
    # A LoF variant that is too common for the disorder: PVS1 against BS1.
    ev = evidence(consequence="stop_gained", lof_mechanism=True, population_af=0.02)
    rules = classify_variant(ev, method="rules")
    assert codes(rules) == {"PVS1": "very_strong", "BS1": "strong"}
    assert rules.classification == "Uncertain significance"
    assert classify_variant(ev).points == 4
    # Rules call any contradiction VUS even when the pathogenic side alone reaches Pathogenic;
    # points weigh it instead.
    mixed = crit("PVS1:very_strong", "PS2:strong", "BP4:supporting")
    assert combine_criteria(mixed) == "Uncertain significance"
    assert combine_criteria(mixed[:2]) == "Pathogenic"
    assert points_classification(mixed) == "Pathogenic"  # 8 + 4 - 1 = 11


# --- combining ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("PVS1:very_strong", "PS1:strong"), "Pathogenic"),
        (("PVS1:very_strong", "PM1:moderate", "PM4:moderate"), "Pathogenic"),
        (("PVS1:very_strong", "PM1:moderate", "PP4:supporting"), "Pathogenic"),
        (("PVS1:very_strong", "PP4:supporting", "PP5:supporting"), "Pathogenic"),
        (("PVS1:very_strong", "PM1:moderate"), "Likely pathogenic"),
        (("PVS1:very_strong", "PM2:supporting"), "Likely pathogenic"),
        (("PVS1:very_strong",), "Uncertain significance"),
        (("PS1:strong", "PS2:strong"), "Pathogenic"),
        (("PS1:strong", "PP3:strong"), "Pathogenic"),  # PP3_Strong counts as strong
        (("PS1:strong", "PM1:moderate", "PM4:moderate", "PM5:moderate"), "Pathogenic"),
        (
            ("PS1:strong", "PM1:moderate", "PM5:moderate", "PP4:supporting", "PP5:supporting"),
            "Pathogenic",
        ),
        (("PS1:strong", "PM1:moderate"), "Likely pathogenic"),
        (("PS1:strong", "PP4:supporting", "PP5:supporting"), "Likely pathogenic"),
        (("PS1:strong", "PP4:supporting"), "Uncertain significance"),
        (("PM1:moderate", "PM4:moderate", "PM5:moderate"), "Likely pathogenic"),
        (
            ("PM1:moderate", "PM4:moderate", "PP4:supporting", "PP5:supporting"),
            "Likely pathogenic",
        ),
        (("PM1:moderate", "PM4:moderate", "PP4:supporting"), "Uncertain significance"),
        (
            (
                "PM1:moderate",
                "PP2:supporting",
                "PP3:supporting",
                "PP4:supporting",
                "PP5:supporting",
            ),
            "Likely pathogenic",
        ),
        (("BS1:strong", "BS2:strong"), "Benign"),
        (("BS1:strong", "BP4:supporting"), "Likely benign"),
        (("BP4:supporting", "BP7:supporting"), "Likely benign"),
        (("BP4:moderate",), "Likely benign"),  # moderate benign = two supporting
        (("BS1:strong",), "Uncertain significance"),
        (("BP7:supporting",), "Uncertain significance"),
        (("BA1:stand_alone", "PVS1:very_strong", "PS2:strong"), "Benign"),
        ((), "Uncertain significance"),
    ],
)
def test_richards_table5_rules(labels: tuple[str, ...], expected: str) -> None:
    assert combine_criteria(crit(*labels)) == expected


@pytest.mark.parametrize(
    ("labels", "total", "expected"),
    [
        (("PVS1:very_strong", "PM1:moderate"), 10, "Pathogenic"),
        (("PVS1:very_strong", "PP4:supporting"), 9, "Likely pathogenic"),
        (("PS1:strong", "PM1:moderate"), 6, "Likely pathogenic"),
        (("PS1:strong", "PP4:supporting"), 5, "Uncertain significance"),
        (("PP4:supporting", "BP4:supporting"), 0, "Uncertain significance"),
        (("BP4:supporting",), -1, "Likely benign"),
        (("BS1:strong", "BP4:moderate"), -6, "Likely benign"),
        (("BS1:strong", "BP4:moderate", "BP7:supporting"), -7, "Benign"),
        (("BA1:stand_alone",), -8, "Benign"),
        (("BA1:stand_alone", "PVS1:very_strong", "PS2:strong"), 4, "Benign"),
    ],
)
def test_points_boundaries(labels: tuple[str, ...], total: int, expected: str) -> None:
    criteria = crit(*labels)
    assert points(criteria) == total
    assert points_classification(criteria) == expected


def test_assess_criteria_returns_lists() -> None:
    criteria, missing = assess_criteria(evidence(frequency_checked=False))
    assert criteria == []
    assert missing[:3] == ["BA1", "BS1", "PM2"]
    assert len(missing) == len(set(missing))


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="consequence"):
        classify_variant(evidence(consequence="not_a_term"))
    with pytest.raises(ValueError, match="method"):
        classify_variant(evidence(), method="bayes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="strength"):
        Criterion("PP3", "weak", "x")
    with pytest.raises(ValueError, match="P or B"):
        Criterion("XX1", "supporting", "x")


def test_criterion_label() -> None:
    assert Criterion("PM2", "supporting", "x").label == "PM2_Supporting"
    assert Criterion("PVS1", "very_strong", "x").label == "PVS1_VeryStrong"


# --- ClinVar fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clnsig", "expected"),
    [
        ("Pathogenic", "pathogenic"),
        ("Likely_pathogenic", "likely_pathogenic"),
        ("Pathogenic/Likely_pathogenic", "likely_pathogenic"),
        ("Pathogenic|other", "pathogenic"),
        ("Pathogenic/Likely_pathogenic|risk_factor", "likely_pathogenic"),
        ("Pathogenic,_low_penetrance", "pathogenic"),
        ("Conflicting_classifications_of_pathogenicity", "conflicting"),
        ("Conflicting_interpretations_of_pathogenicity|drug_response", "conflicting"),
        ("Uncertain_significance", "uncertain"),
        ("Benign/Likely_benign", "likely_benign"),
        ("Likely_benign", "likely_benign"),
        ("Benign", "benign"),
        ("Benign|association", "benign"),
        ("Pathogenic|Benign", "conflicting"),
        ("Uncertain_significance|Likely_pathogenic", "conflicting"),
        ("drug_response", None),
        ("risk_factor", None),
        ("not_provided", None),
        ("", None),
    ],
)
def test_normalize_clinvar_significance(clnsig: str, expected: str | None) -> None:
    assert normalize_clinvar_significance(clnsig) == expected


@pytest.mark.parametrize(
    ("revstat", "stars"),
    [
        ("practice_guideline", 4),
        ("reviewed_by_expert_panel", 3),
        ("criteria_provided,_multiple_submitters,_no_conflicts", 2),
        ("criteria_provided,_single_submitter", 1),
        ("criteria_provided,_conflicting_classifications", 1),
        ("criteria_provided,_conflicting_interpretations", 1),
        ("no_assertion_criteria_provided", 0),
        ("no_classification_provided", 0),
        ("no_assertion_provided", 0),
        ("", 0),
    ],
)
def test_clinvar_stars(revstat: str, stars: int) -> None:
    assert clinvar_stars(revstat) == stars
