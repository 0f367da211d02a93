"""ACMG/AMP evidence criteria that a pipeline can assess without a curator.

Each rule is written from the publication that defines it; the threshold and its source sit
next to the code and are repeated in the criterion's ``reason`` so a report can show why a code
was applied:

* Richards et al. 2015, Genet Med 17:405 (the criteria themselves);
* Abou Tayoun et al. 2018, Hum Mutat 39:1517 (ClinGen PVS1 decision tree, here simplified);
* ClinGen SVI "PM2 v1.0" recommendation 2020 (PM2 applied at Supporting);
* Ghosh et al. 2018, Hum Mutat 39:1525 (BA1 at 5 %, with a short list of exempt variants);
* Pejaver et al. 2022, Am J Hum Genet 109:2163, Table 2 (calibrated REVEL, BayesDel, CADD
  intervals for PP3/BP4);
* Bergquist et al. 2025, Genet Med 27:101402 (calibrated AlphaMissense intervals);
* Walker et al. 2023, Am J Hum Genet 110:1046 (SpliceAI ≥ 0.2 for PP3, ≤ 0.1 for BP4/BP7);
* ClinGen SVI PM3 recommendation 2019 (one in-trans pathogenic observation, phase unknown =
  0.5 points = PM3_Supporting);
* Biesecker & Harrison 2018, Genet Med 20:1687 (ClinGen SVI advises against PP5/BP6).

An input that is ``None`` means "not known": the criterion that needs it is not assessed and its
code is listed in ``not_evaluated`` so a report never presents "not looked at" as "not met".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from rarelens.variants.consequence import LOSS_OF_FUNCTION, canonical_consequence

STRENGTHS: Final[tuple[str, ...]] = (
    "supporting",
    "moderate",
    "strong",
    "very_strong",
    "stand_alone",
)
_STRENGTH_RANK: Final[Mapping[str, int]] = MappingProxyType({s: i for i, s in enumerate(STRENGTHS)})
_LABEL: Final[Mapping[str, str]] = MappingProxyType(
    {
        "supporting": "Supporting",
        "moderate": "Moderate",
        "strong": "Strong",
        "very_strong": "VeryStrong",
        "stand_alone": "StandAlone",
    }
)

# Richards 2015 / Ghosh 2018: > 5 % in a general population is stand-alone benign evidence.
BA1_THRESHOLD: Final = 0.05
# ClinGen SVI PM2 v1.0 (2020): the caller sets the rarity threshold; 1e-4 is a common choice for
# dominant disorders (absent or near-absent).
PM2_THRESHOLD: Final = 0.0001

# Walker 2023: SpliceAI maximum delta score ≥ 0.2 supports a splicing effect (PP3), ≤ 0.1 supports
# no effect (BP4, and the splicing part of BP7). Scores in between are indeterminate.
SPLICEAI_PP3: Final = 0.2
SPLICEAI_BP4: Final = 0.1

MISSENSE_CLASSES: Final[frozenset[str]] = frozenset(
    {"missense_variant", "protein_altering_variant", "exon_variant"}
)
SPLICE_PREDICTION_CLASSES: Final[frozenset[str]] = frozenset(
    {
        "splice_acceptor_variant",
        "splice_donor_variant",
        "splice_region_variant",
        "splice_donor_5th_base_variant",
        "splice_donor_region_variant",
        "splice_polypyrimidine_tract_variant",
        "intron_variant",
        "synonymous_variant",
        "start_retained_variant",
        "stop_retained_variant",
    }
)
SILENT_CLASSES: Final[frozenset[str]] = frozenset(
    {"synonymous_variant", "start_retained_variant", "stop_retained_variant"}
)
INFRAME_CLASSES: Final[frozenset[str]] = frozenset({"inframe_insertion", "inframe_deletion"})


@dataclass(frozen=True, slots=True)
class _Calibration:
    """One tool's calibrated intervals: (threshold, strength) pairs, strongest first.

    PP3 applies at the first strength whose threshold the score reaches (``score >= t``); BP4
    at the first whose threshold the score does not exceed (``score <= t``). Both bounds are
    inclusive, as the interval notation in the source tables gives them.
    """

    name: str
    pp3: tuple[tuple[float, str], ...]
    bp4: tuple[tuple[float, str], ...]
    source: str


# Pejaver 2022 Table 2. REVEL also reaches a BP4 Very Strong interval (≤ 0.003) there; we cap
# every computational line at Strong, the ceiling of the ClinGen recommendation ("evidence
# strength up to Strong", as Bergquist 2025 restate it), so one predictor never outweighs
# strong experimental or population evidence on its own.
# BayesDel is the no-allele-frequency score (BayesDel_noAF) that Pejaver calibrated: a score
# that uses frequency would count PM2/BS1 evidence twice.
MISSENSE_CALIBRATIONS: Final[tuple[_Calibration, ...]] = (
    _Calibration(
        "REVEL",
        pp3=((0.932, "strong"), (0.773, "moderate"), (0.644, "supporting")),
        bp4=((0.016, "strong"), (0.183, "moderate"), (0.290, "supporting")),
        source="Pejaver 2022",
    ),
    _Calibration(
        "BayesDel",
        pp3=((0.50, "strong"), (0.27, "moderate"), (0.13, "supporting")),
        bp4=((-0.36, "moderate"), (-0.18, "supporting")),
        source="Pejaver 2022",
    ),
    _Calibration(
        "AlphaMissense",
        pp3=((0.990, "strong"), (0.906, "moderate"), (0.792, "supporting")),
        bp4=((0.099, "moderate"), (0.169, "supporting")),
        source="Bergquist 2025",
    ),
    _Calibration(
        "CADD_PHRED",
        pp3=((28.1, "moderate"), (25.3, "supporting")),
        bp4=((0.15, "strong"), (17.3, "moderate"), (22.7, "supporting")),
        source="Pejaver 2022",
    ),
)
SPLICEAI_CALIBRATION: Final = _Calibration(
    "SpliceAI",
    pp3=((SPLICEAI_PP3, "supporting"),),
    bp4=((SPLICEAI_BP4, "supporting"),),
    source="Walker 2023",
)


@dataclass(frozen=True, slots=True)
class VariantEvidence:
    """What is known about one variant in one gene; None = not known (criterion NOT evaluated)."""

    consequence: str  # name from consequence.py (SnpEff/VEP aliases are accepted)
    gene: str
    population_af: float | None  # highest population AF found (popmax / max over sources)
    frequency_checked: bool  # a frequency resource covered the site (af None then means 0)
    af_threshold_bs1: float = 0.01  # disease-specific "greater than expected" threshold
    clinvar_significance: str | None = None  # see acmg.normalize_clinvar_significance
    clinvar_stars: int | None = None  # review status stars 0-4
    same_aa_change_pathogenic: bool | None = None  # PS1
    other_aa_same_codon_pathogenic: bool | None = None  # PM5
    in_hotspot: bool | None = None  # PM1
    lof_mechanism: bool | None = None  # PVS1 precondition
    nmd_escape: bool | None = None  # lowers PVS1 strength
    predictors: Mapping[str, float] = field(default_factory=dict)
    in_splice_region: bool | None = None  # BP7
    phenotype_specific: bool | None = None  # PP4
    de_novo: bool | None = None  # PS2 (confirmed) / PM6 (assumed)
    de_novo_confirmed: bool = False
    in_trans_with_pathogenic: bool | None = None  # PM3
    repeat_region: bool | None = None  # PM4 / BP3


@dataclass(frozen=True, slots=True)
class Criterion:
    """One applied ACMG code at its (possibly modified) strength, with a one-sentence reason."""

    code: str
    strength: str
    reason: str

    def __post_init__(self) -> None:
        if self.strength not in _STRENGTH_RANK:
            raise ValueError(f"unknown strength {self.strength!r}; expected one of {STRENGTHS}")
        if not self.code.startswith(("P", "B")):
            raise ValueError(f"ACMG code must start with P or B, got {self.code!r}")

    @property
    def pathogenic(self) -> bool:
        """True for pathogenic-direction codes (PVS/PS/PM/PP), False for benign ones."""
        return self.code.startswith("P")

    @property
    def label(self) -> str:
        """Code with its strength suffix when modified, e.g. ``PM2_Supporting``."""
        return f"{self.code}_{_LABEL[self.strength]}"


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the rules found: applied criteria, unassessed codes, and why codes were held
    back (double counting, discordant predictors) so a report can explain an absence."""

    criteria: tuple[Criterion, ...]
    not_evaluated: tuple[str, ...]
    notes: tuple[str, ...]


class _Collector:
    """Accumulates one assessment; local to a single call, never shared."""

    def __init__(self) -> None:
        self.criteria: list[Criterion] = []
        self.not_evaluated: list[str] = []
        self.notes: list[str] = []

    def add(self, code: str, strength: str, reason: str) -> None:
        self.criteria.append(Criterion(code, strength, reason))

    def skip(self, *codes: str) -> None:
        for code in codes:
            if code not in self.not_evaluated:
                self.not_evaluated.append(code)

    def has(self, code: str) -> bool:
        return any(c.code == code for c in self.criteria)

    def get(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _score(predictors: Mapping[str, float], name: str) -> float | None:
    value = predictors.get(name)
    if value is None or math.isnan(value):
        return None
    return float(value)


def _pvs1(ev: VariantEvidence, cons: str, out: _Collector) -> None:
    """PVS1, simplified from the ClinGen decision tree (Abou Tayoun 2018).

    Simplifications: NMD escape (last exon or last 50 nt of the penultimate exon) lowers PVS1
    to Strong without asking whether the lost region is critical or how much protein is lost;
    an initiation-codon variant is PVS1_Moderate (the tree's highest strength for start loss);
    a whole-transcript deletion is Very Strong. With NMD status unknown the variant is assumed
    to trigger NMD, true for most truncating variants, and the reason says so.
    """
    if cons not in LOSS_OF_FUNCTION:
        return
    if ev.lof_mechanism is None:
        out.skip("PVS1")
        return
    if not ev.lof_mechanism:
        out.notes.append(f"PVS1 not applied: loss of function is not the mechanism in {ev.gene}.")
        return
    base = f"{cons} in {ev.gene}, where loss of function causes disease"
    tree = "ClinGen PVS1 tree (Abou Tayoun 2018), simplified"
    if cons == "start_lost":
        out.add(
            "PVS1", "moderate", f"{base}; initiation codon loss is at most PVS1_Moderate ({tree})."
        )
    elif cons == "transcript_ablation":
        out.add("PVS1", "very_strong", f"{base}; whole transcript deleted ({tree}).")
    elif ev.nmd_escape:
        out.add("PVS1", "strong", f"{base}; predicted to escape NMD, so PVS1_Strong ({tree}).")
    elif ev.nmd_escape is None:
        out.add(
            "PVS1",
            "very_strong",
            f"{base}; NMD not assessed, assumed to trigger NMD ({tree}).",
        )
    else:
        out.add("PVS1", "very_strong", f"{base}; predicted to undergo NMD ({tree}).")


def _frequency(
    ev: VariantEvidence, pm2_threshold: float, ba1_exempt: bool, out: _Collector
) -> None:
    """BA1, BS1 and PM2 from the highest population allele frequency."""
    if not ev.frequency_checked and ev.population_af is None:
        out.skip("BA1", "BS1", "PM2")
        return
    af = ev.population_af if ev.population_af is not None else 0.0
    if not 0.0 <= af <= 1.0 or math.isnan(af):
        raise ValueError(f"population_af must be within [0, 1], got {af}")
    if af > BA1_THRESHOLD:
        if not ba1_exempt:
            out.add(
                "BA1",
                "stand_alone",
                f"Population AF {_fmt(af)} > 0.05 (Richards 2015; ClinGen SVI, Ghosh 2018).",
            )
            return
        out.notes.append("BA1 not applied: variant is on the ClinGen BA1 exception list.")
    if af > ev.af_threshold_bs1:
        out.add(
            "BS1",
            "strong",
            f"Population AF {_fmt(af)} > {_fmt(ev.af_threshold_bs1)}, greater than expected "
            "for the disorder (Richards 2015).",
        )
    elif af == 0.0 or af < pm2_threshold:
        seen = (
            "Absent from population databases"
            if af == 0.0
            else f"Population AF {_fmt(af)} < {_fmt(pm2_threshold)}"
        )
        out.add(
            "PM2",
            "supporting",
            f"{seen}; PM2 applied at Supporting (ClinGen SVI PM2 recommendation 2020).",
        )


def _call(cal: _Calibration, score: float) -> tuple[str, str] | None:
    """('PP3'|'BP4', strength) for one tool's score, or None when indeterminate."""
    for threshold, strength in cal.pp3:
        if score >= threshold:
            return "PP3", strength
    for threshold, strength in cal.bp4:
        if score <= threshold:
            return "BP4", strength
    return None


def _computational(ev: VariantEvidence, cons: str, out: _Collector) -> None:
    """PP3/BP4 from one calibrated predictor: the strongest concordant call, never a sum.

    ClinGen (Pejaver 2022) treats computational evidence as a single line: tools are correlated,
    so their calls are not added. When available tools disagree in direction neither code is
    applied. For missense variants SpliceAI may supply PP3 instead of a missense tool (Walker
    2023), and BP4 needs splicing to be not predicted affected: a SpliceAI score above 0.1 holds
    BP4 back. PP3 is never combined with PVS1 (the same predicted loss of function, counted
    twice).
    """
    missense = cons in MISSENSE_CLASSES
    tools: list[_Calibration] = list(MISSENSE_CALIBRATIONS) if missense else []
    if missense or cons in SPLICE_PREDICTION_CLASSES:
        tools.append(SPLICEAI_CALIBRATION)
    scored = [(cal, s) for cal in tools if (s := _score(ev.predictors, cal.name)) is not None]
    pvs1 = out.has("PVS1")
    if not scored:
        # No calibrated score for this variant class: nothing was assessed. PP3 is not listed
        # when PVS1 applies, because it would be excluded whatever the score.
        out.skip(*(("BP4",) if pvs1 else ("PP3", "BP4")))
        return
    calls = [(*call, cal, s) for cal, s in scored if (call := _call(cal, s)) is not None]
    splice = _score(ev.predictors, "SpliceAI")
    if missense:
        # A low SpliceAI score only says splicing is unaffected: for a missense change it gates
        # BP4 but is no evidence that the amino-acid change is harmless (Walker 2023).
        calls = [c for c in calls if not (c[2] is SPLICEAI_CALIBRATION and c[0] == "BP4")]
        if not calls and all(cal is SPLICEAI_CALIBRATION for cal, _ in scored):
            out.skip(*(("BP4",) if pvs1 else ("PP3", "BP4")))
            return
    if missense and splice is not None and SPLICEAI_BP4 < splice < SPLICEAI_PP3:
        if any(code == "BP4" for code, *_ in calls):
            out.notes.append(
                f"BP4 not applied: SpliceAI {_fmt(splice)} is indeterminate (0.1-0.2), so a "
                "splicing effect is not excluded (Walker 2023)."
            )
        calls = [c for c in calls if c[0] != "BP4"]
    if len({code for code, *_ in calls}) > 1:
        out.notes.append(
            "PP3/BP4 not applied: predictors disagree ("
            + ", ".join(f"{cal.name} {_fmt(s)} → {code}" for code, _, cal, s in calls)
            + "); computational evidence is one line (Pejaver 2022)."
        )
        return
    if not calls:
        return
    code, strength, cal, score = max(calls, key=lambda c: _STRENGTH_RANK[c[1]])
    if code == "PP3" and pvs1:
        out.notes.append(
            f"PP3 not applied ({cal.name} {_fmt(score)}): PVS1 already counts the predicted "
            "loss of function."
        )
        return
    threshold = next(t for t, st in (cal.pp3 if code == "PP3" else cal.bp4) if st == strength)
    op = "≥" if code == "PP3" else "≤"
    extra = ""
    if code == "BP4" and missense and cal is not SPLICEAI_CALIBRATION:
        extra = (
            "; splicing impact not assessed (no SpliceAI score)"
            if splice is None
            else f"; SpliceAI {_fmt(splice)} ≤ 0.1"
        )
    out.add(
        code,
        strength,
        f"{cal.name} {_fmt(score)} {op} {_fmt(threshold)}{extra} "
        f"({cal.source}: {code}_{_LABEL[strength]}).",
    )


def _pm1_cap(out: _Collector) -> None:
    """Pejaver 2022: PP3 and PM1 together count at most Strong, since a hot-spot residue is
    part of what missense predictors already score."""
    pp3 = out.get("PP3")
    if pp3 is not None and pp3.strength == "strong" and out.has("PM1"):
        out.criteria = [c for c in out.criteria if c.code != "PM1"]
        out.notes.append("PM1 not applied: PP3_Strong with PM1 is capped at Strong (Pejaver 2022).")


def _flag(out: _Collector, value: bool | None, code: str, strength: str, reason: str) -> None:
    if value is None:
        out.skip(code)
    elif value:
        out.add(code, strength, reason)


def _variant_type(ev: VariantEvidence, cons: str, out: _Collector) -> None:
    """PM4/BP3 (protein length change) and BP7 (silent change without splicing effect)."""
    if cons == "stop_lost":
        # Richards 2015: the non-repeat condition qualifies in-frame indels, not stop loss.
        out.add("PM4", "moderate", "Stop-loss lengthens the protein (Richards 2015 PM4).")
    elif cons in INFRAME_CLASSES:
        if ev.repeat_region is None:
            out.skip("PM4", "BP3")
        elif ev.repeat_region:
            out.add(
                "BP3",
                "supporting",
                f"{cons} in a repetitive region (Richards 2015 BP3).",
            )
        else:
            out.add(
                "PM4",
                "moderate",
                f"{cons} changes protein length outside a repeat region (Richards 2015 PM4).",
            )
    if cons in SILENT_CLASSES:
        splice = _score(ev.predictors, "SpliceAI")
        if ev.in_splice_region is None:
            out.skip("BP7")
        elif ev.in_splice_region:
            out.notes.append("BP7 not applied: the silent variant lies in a splice region.")
        elif splice is not None and splice > SPLICEAI_BP4:
            out.notes.append(f"BP7 not applied: SpliceAI {_fmt(splice)} > 0.1 (Walker 2023).")
        else:
            shown = "no SpliceAI score" if splice is None else f"SpliceAI {_fmt(splice)} ≤ 0.1"
            out.add(
                "BP7",
                "supporting",
                f"{cons} outside the splice region, {shown} (Richards 2015; Walker 2023); "
                "nucleotide conservation not checked.",
            )


def _clinvar(ev: VariantEvidence, out: _Collector) -> None:
    """PP5/BP6 from a ClinVar assertion with at least one review star."""
    sig = ev.clinvar_significance
    if sig is None or ev.clinvar_stars is None:
        out.skip("PP5", "BP6")
        return
    stars = ev.clinvar_stars
    deprecated = "ClinGen SVI advises against PP5/BP6 (Biesecker 2018); applied as requested"
    if stars < 1:
        out.notes.append(f"PP5/BP6 not applied: ClinVar {sig} has no review stars.")
    elif sig in ("pathogenic", "likely_pathogenic"):
        out.add("PP5", "supporting", f"ClinVar {sig} ({stars}★); {deprecated}.")
    elif sig in ("benign", "likely_benign"):
        out.add("BP6", "supporting", f"ClinVar {sig} ({stars}★); {deprecated}.")
    elif sig == "conflicting":
        out.notes.append("PP5/BP6 not applied: ClinVar classifications conflict.")


def _same_codon(ev: VariantEvidence, cons: str, out: _Collector) -> None:
    """PS1/PM5: other pathogenic changes at this codon (Richards 2015). Both speak of amino-acid
    changes, so only missense-class variants are assessed. PM5 is not added to PS1: a known
    pathogenic change at the codon would then be counted twice (our conservative choice)."""
    if cons not in MISSENSE_CLASSES:
        return
    _flag(
        out,
        ev.same_aa_change_pathogenic,
        "PS1",
        "strong",
        "Same amino-acid change as an established pathogenic variant (Richards 2015 PS1).",
    )
    if ev.other_aa_same_codon_pathogenic and out.has("PS1"):
        out.notes.append("PM5 not applied: PS1 already counts a pathogenic change at this codon.")
        return
    _flag(
        out,
        ev.other_aa_same_codon_pathogenic,
        "PM5",
        "moderate",
        "A different pathogenic missense change is known at this codon (Richards 2015 PM5).",
    )


def assess(
    ev: VariantEvidence,
    *,
    pm2_threshold: float = PM2_THRESHOLD,
    ba1_exempt: bool = False,
) -> Assessment:
    """Apply every automatable rule to ``ev``.

    ``pm2_threshold`` is the rarity cut-off for PM2 (ClinGen SVI 2020 leaves it to the disease:
    absent/< 1e-4 for dominant, higher for recessive disorders). ``ba1_exempt`` marks a variant
    on the ClinGen BA1 exception list (Ghosh 2018), whose frequency alone must not make it
    benign; the evidence carries no variant identity, so the caller checks the list.
    """
    cons = canonical_consequence(ev.consequence)
    if cons is None:
        raise ValueError(f"unknown consequence term {ev.consequence!r}")
    out = _Collector()
    _pvs1(ev, cons, out)
    _frequency(ev, pm2_threshold, ba1_exempt, out)
    _same_codon(ev, cons, out)
    _flag(
        out,
        ev.in_hotspot,
        "PM1",
        "moderate",
        "Located in a mutational hot spot or functional domain without benign variation "
        "(Richards 2015 PM1).",
    )
    _computational(ev, cons, out)
    _pm1_cap(out)
    _variant_type(ev, cons, out)
    _clinvar(ev, out)
    _flag(
        out,
        ev.phenotype_specific,
        "PP4",
        "supporting",
        f"Patient's phenotype is highly specific for the {ev.gene}-related disease "
        "(Richards 2015 PP4).",
    )
    if ev.de_novo is None:
        out.skip("PS2", "PM6")
    elif ev.de_novo and ev.de_novo_confirmed:
        out.add(
            "PS2", "strong", "De novo, parentage confirmed by parental testing (Richards 2015 PS2)."
        )
    elif ev.de_novo:
        out.add("PM6", "moderate", "Assumed de novo, parentage not confirmed (Richards 2015 PM6).")
    _flag(
        out,
        ev.in_trans_with_pathogenic,
        "PM3",
        "supporting",
        "In trans with a pathogenic variant in a recessive disorder: one observation, "
        "0.5 points = PM3_Supporting (ClinGen SVI PM3 recommendation 2019).",
    )
    return Assessment(tuple(out.criteria), tuple(out.not_evaluated), tuple(out.notes))
