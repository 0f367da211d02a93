"""Variant and gene scores.

A variant's score is pathogenicity × frequency score, on [0, 1], as Exomiser defines them, so
that figures are comparable with the tool clinicians know. A gene's genotype evidence is then
turned into a likelihood ratio against chance: how surprising it is to see this many qualifying
variants in a gene of this size in this very exome. The chance rate is measured on the case
itself (qualifying variants per exonic base), so the same code is calibrated for a filtered
exome with gnomAD and for an unfiltered one without any frequency resource.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from rarelens.variants.consequence import DEFAULT_PATHOGENICITY

MAX_FREQUENCY = 0.02  # above 2 % the frequency score is 0 (Exomiser)
# A ClinVar P/LP assertion (≥ 1 star) weighs like strong evidence: the odds of pathogenicity
# for a Strong ACMG criterion in the Bayesian framework (Tavtigian 2018: 18.7).
CLINVAR_WEIGHT = 18.7


def frequency_score(max_af: float | None) -> float:
    """1 for absent or unknown, falling to 0 at 2 % (Exomiser: 1.13533 − 0.13533·e^(AF %))."""
    if max_af is None or max_af <= 0:
        return 1.0
    if max_af > MAX_FREQUENCY:
        return 0.0
    return max(0.0, 1.13533 - 0.13533 * math.exp(max_af * 100.0))


def predictor_pathogenicity(predictors: Mapping[str, float], consequence: str) -> tuple[float, str]:
    """Best single predictor on a 0–1 scale, and its name; consequence default when none.
    CADD PHRED becomes 1 − 10^(−PHRED/10), the probability scale it is defined from."""
    best, name = DEFAULT_PATHOGENICITY.get(consequence, 0.0), "consequence"
    missense_like = consequence in ("missense_variant", "exon_variant", "protein_altering_variant")
    candidates: dict[str, float] = {}
    if missense_like:
        for key in ("REVEL", "AlphaMissense"):
            if key in predictors:
                candidates[key] = predictors[key]
        if "CADD_PHRED" in predictors:
            candidates["CADD_PHRED"] = 1.0 - 10 ** (-predictors["CADD_PHRED"] / 10.0)
        if candidates:  # a missense predictor replaces the class default, up or down
            name = max(candidates, key=lambda k: candidates[k])
            best = candidates[name]
    if "SpliceAI" in predictors and predictors["SpliceAI"] > best:
        best, name = predictors["SpliceAI"], "SpliceAI"
    return min(max(best, 0.0), 1.0), name


def clinvar_pathogenicity(normalised: str | None, stars: int | None) -> float | None:
    """ClinVar P/LP with at least one review star overrides predictions (Exomiser's whitelist)."""
    if normalised in ("pathogenic", "likely_pathogenic") and (stars or 0) >= 1:
        return 1.0
    return None


# How often a disease-causing variant falls in each class: approximately the HGMD public
# statistics (Stenson et al. 2020, Hum Genet 139:1197: missense/nonsense 57 %, splicing 10 %,
# small deletions 15 %, small insertions 7 %, small indels 2 %), split onto our classes
# (nonsense ≈ a fifth of missense/nonsense; ≈ 80 % of small coding indels shift the frame;
# ≈ two thirds of splicing variants at the canonical ±1/2 sites). Fixed from the literature,
# not fitted to any benchmark.
CAUSAL_CLASS_SHARE: dict[str, float] = {
    "exon_variant": 0.57,
    "missense_variant": 0.46,
    "protein_altering_variant": 0.46,
    "coding_sequence_variant": 0.2,
    "stop_gained": 0.11,
    "start_lost": 0.01,
    "stop_lost": 0.005,
    "frameshift_variant": 0.18,
    "inframe_deletion": 0.03,
    "inframe_insertion": 0.015,
    "splice_donor_variant": 0.035,
    "splice_acceptor_variant": 0.028,
    "splice_donor_5th_base_variant": 0.01,
    "splice_region_variant": 0.02,
    "transcript_ablation": 0.06,
    "transcript_amplification": 0.017,
    "incomplete_terminal_codon_variant": 0.001,
}
MIN_SHARE = 0.002  # any other class that passed the region filter


def causal_share(consequence: str) -> float:
    return CAUSAL_CLASS_SHARE.get(consequence, MIN_SHARE)


def class_log_lr(
    hits: tuple[tuple[str, float, float], ...],
    mode: str,
    *,
    de_novo: bool = False,
) -> float:
    """log LR of a gene's genotype under ``mode`` against chance, class by class.

    ``hits`` are (consequence, λ, weight): λ is how many qualifying variants of that class a
    gene of this size shows by chance in this exome (the case's own count of the class per
    exonic base × the gene's exonic length), and weight is the variant's evidence beyond its
    class (frequency score × predictor or ClinVar adjustment, 1 when there is none). Under the
    causal hypothesis a hit of class c appears with its causal share; by chance with
    1 − e^−λ. A frameshift, rare in any exome, is thus strong evidence; an exonic SNV in a long
    gene, seen in every exome, weak. Recessive modes need two hits (or one homozygote, whose
    chance is the product of its class's chance with itself). A de novo hit is about a hundred
    times rarer by chance (one coding de novo variant per exome against ~100 rare inherited).
    """
    if not hits:
        return -math.inf
    # A homozygote is one hit whose λ the caller measured on this exome's homozygous calls
    # (common variants are often homozygous, so squaring the heterozygous chance would
    # overrate it).
    use = hits[:2] if (mode == "AR" or (mode == "XR" and len(hits) >= 2)) else hits[:1]
    total = 0.0
    for consequence, lam, weight in use:
        chance = max(-math.expm1(-max(lam, 1e-9)), 1e-12)
        total += math.log(causal_share(consequence)) + math.log(max(weight, 1e-6)) - math.log(chance)
    if de_novo:
        total += math.log(100.0)
    return total
