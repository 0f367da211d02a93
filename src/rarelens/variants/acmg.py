"""ACMG/AMP classification of one variant from the automatable criteria.

The criteria are assessed in :mod:`rarelens.variants.acmg_criteria`; this module combines them
into one of the five ACMG/AMP classes and reads ClinVar's VCF fields.

Two combining methods are offered:

``"points"`` (default): Tavtigian et al. 2020, Hum Mutat 41:1734, the point form of the
Bayesian framework of Tavtigian et al. 2018, Genet Med 20:1054. Supporting 1, moderate 2,
strong 4, very strong 8 points, benign evidence negative; Pathogenic ≥ 10, Likely pathogenic
6-9, Uncertain 0-5, Likely benign -1 to -6, Benign ≤ -7. BA1 stays stand-alone: it makes the
variant Benign whatever the sum (it counts -8 in the reported total).

``"rules"``: the combining rules of Richards et al. 2015, Genet Med 17:405, Table 5, with the
one addition ClinGen SVI made when it lowered PM2 to Supporting (PM2 recommendation 2020):
PVS1 + one Supporting criterion is Likely pathogenic. Criteria are counted by their applied
strength, not their code (PP3_Strong counts as a strong criterion); a moderate benign criterion
(BP4_Moderate) counts as two supporting ones, as in the Bayesian framework. Any benign criterion
next to any pathogenic one is contradictory evidence and gives Uncertain significance.

Why points is the default: almost every automatable criterion here is applied at a strength
ClinGen modified (PM2_Supporting, PVS1_Strong/Moderate, PP3 up to Strong, BP4_Moderate), and
those strengths were calibrated as odds in the Bayesian framework (SVI PM2 2020, Abou Tayoun
2018, Pejaver 2022), so the point sum is the scale they were defined on; Table 5 predates them
and needs ad-hoc mappings for benign Moderate evidence. Points also weigh mixed evidence instead
of collapsing it to Uncertain: a rare synonymous variant with BP7 + BP4 + PM2_Supporting is
Likely benign by points but Uncertain by the Table 5 conflict rule, and a single BS1 (-4) is
Likely benign by points but Uncertain by Table 5. ClinGen SVI endorsed the point system
(Tavtigian 2020). The Table 5 result remains available (``method="rules"``) for labs that
report against it, and the point total is always reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from rarelens.variants.acmg_criteria import (
    PM2_THRESHOLD,
    Assessment,
    Criterion,
    VariantEvidence,
    assess,
)

__all__ = [
    "CLASSIFICATIONS",
    "AcmgResult",
    "Assessment",
    "Criterion",
    "VariantEvidence",
    "assess_criteria",
    "classify_variant",
    "clinvar_stars",
    "combine_criteria",
    "normalize_clinvar_significance",
    "points",
    "points_classification",
]

CLASSIFICATIONS: Final[tuple[str, ...]] = (
    "Pathogenic",
    "Likely pathogenic",
    "Uncertain significance",
    "Likely benign",
    "Benign",
)
# Tavtigian 2020: points per strength; a stand-alone (BA1) criterion is reported as -8.
STRENGTH_POINTS: Final[Mapping[str, int]] = MappingProxyType(
    {"supporting": 1, "moderate": 2, "strong": 4, "very_strong": 8, "stand_alone": 8}
)

Method = Literal["points", "rules"]


@dataclass(frozen=True, slots=True)
class AcmgResult:
    """Applied criteria, the class they give, the Tavtigian point total, the codes that could
    not be assessed for lack of input, and the combining method used. ``notes`` says why codes
    were held back (double counting, discordant predictors, ClinVar conflict)."""

    criteria: tuple[Criterion, ...]
    classification: str
    points: int
    not_evaluated: tuple[str, ...]
    method: str = "points"
    notes: tuple[str, ...] = ()


def assess_criteria(
    ev: VariantEvidence,
    *,
    pm2_threshold: float = PM2_THRESHOLD,
    ba1_exempt: bool = False,
) -> tuple[list[Criterion], list[str]]:
    """Applied criteria and the codes not evaluated for lack of input (see ``acmg_criteria``)."""
    found = assess(ev, pm2_threshold=pm2_threshold, ba1_exempt=ba1_exempt)
    return list(found.criteria), list(found.not_evaluated)


def points(criteria: Iterable[Criterion]) -> int:
    """Tavtigian 2020 point total: pathogenic criteria add, benign criteria subtract."""
    return sum(
        STRENGTH_POINTS[c.strength] if c.pathogenic else -STRENGTH_POINTS[c.strength]
        for c in criteria
    )


def _stand_alone_benign(criteria: Iterable[Criterion]) -> bool:
    return any(not c.pathogenic and c.strength == "stand_alone" for c in criteria)


def points_classification(criteria: Iterable[Criterion]) -> str:
    """Class from the Tavtigian 2020 point scale; BA1 is stand-alone Benign."""
    crit = list(criteria)
    if _stand_alone_benign(crit):
        return "Benign"
    total = points(crit)
    if total >= 10:
        return "Pathogenic"
    if total >= 6:
        return "Likely pathogenic"
    if total >= 0:
        return "Uncertain significance"
    if total >= -6:
        return "Likely benign"
    return "Benign"


def _pathogenic_rules(pvs: int, ps: int, pm: int, pp: int) -> str | None:
    """Richards 2015 Table 5, pathogenic side (plus SVI 2020 PVS1 + PP → LP)."""
    if pvs >= 1 and (pvs >= 2 or ps >= 1 or pm >= 2 or (pm >= 1 and pp >= 1) or pp >= 2):
        return "Pathogenic"  # Table 5 P (i); two very strong exceed every P rule
    if ps >= 2:
        return "Pathogenic"  # P (ii)
    if ps >= 1 and (pm >= 3 or (pm >= 2 and pp >= 2) or (pm >= 1 and pp >= 4)):
        return "Pathogenic"  # P (iii)
    if (
        (pvs >= 1 and pm >= 1)  # LP (i)
        or (pvs >= 1 and pp >= 1)  # ClinGen SVI PM2 recommendation 2020
        or (ps >= 1 and (pm >= 1 or pp >= 2))  # LP (ii), (iii)
        or pm >= 3  # LP (iv)
        or (pm >= 2 and pp >= 2)  # LP (v)
        or (pm >= 1 and pp >= 4)  # LP (vi)
    ):
        return "Likely pathogenic"
    return None


def combine_criteria(criteria: Iterable[Criterion]) -> str:
    """Richards 2015 Table 5 combining rules on the applied strengths.

    BA1 is stand-alone Benign. Otherwise benign and pathogenic criteria together are
    contradictory (Table 5: "the criteria for benign and pathogenic are contradictory") and the
    variant is of uncertain significance.
    """
    crit = list(criteria)
    if _stand_alone_benign(crit):
        return "Benign"
    path = [c for c in crit if c.pathogenic]
    benign = [c for c in crit if not c.pathogenic]
    if path and benign:
        return "Uncertain significance"
    if path:
        count = {s: sum(c.strength == s for c in path) for s in STRENGTH_POINTS}
        found = _pathogenic_rules(
            count["very_strong"], count["strong"], count["moderate"], count["supporting"]
        )
        return found or "Uncertain significance"
    bs = sum(c.strength in ("strong", "very_strong") for c in benign)
    bp = sum(
        2 if c.strength == "moderate" else 1
        for c in benign
        if c.strength in ("moderate", "supporting")
    )
    if bs >= 2:
        return "Benign"  # Table 5 B (ii)
    if (bs >= 1 and bp >= 1) or bp >= 2:
        return "Likely benign"  # LB (i), (ii)
    return "Uncertain significance"


def classify_variant(
    ev: VariantEvidence,
    *,
    method: Method = "points",
    pm2_threshold: float = PM2_THRESHOLD,
    ba1_exempt: bool = False,
) -> AcmgResult:
    """Assess the automatable criteria for ``ev`` and combine them (see the module docstring
    for the two methods and why points is the default)."""
    if method not in ("points", "rules"):
        raise ValueError(f"method must be 'points' or 'rules', got {method!r}")
    found = assess(ev, pm2_threshold=pm2_threshold, ba1_exempt=ba1_exempt)
    crit = found.criteria
    classification = points_classification(crit) if method == "points" else combine_criteria(crit)
    return AcmgResult(
        criteria=crit,
        classification=classification,
        points=points(crit),
        not_evaluated=found.not_evaluated,
        method=method,
        notes=found.notes,
    )


# ClinVar CLNSIG terms (lower case) onto our five levels; anything else (drug_response,
# risk_factor, other, not_provided, association, protective, low_penetrance qualifiers...) is
# not a pathogenicity assertion and is ignored.
_CLNSIG: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pathogenic": "pathogenic",
        "likely_pathogenic": "likely_pathogenic",
        "uncertain_significance": "uncertain",
        "likely_benign": "likely_benign",
        "benign": "benign",
        "conflicting_classifications_of_pathogenicity": "conflicting",
        "conflicting_interpretations_of_pathogenicity": "conflicting",
        "conflicting_data_from_submitters": "conflicting",
    }
)
_PATHOGENIC_SIDE: Final = frozenset({"pathogenic", "likely_pathogenic"})
_BENIGN_SIDE: Final = frozenset({"benign", "likely_benign"})


def normalize_clinvar_significance(clnsig: str) -> str | None:
    """One of pathogenic, likely_pathogenic, uncertain, likely_benign, benign, conflicting, or
    None when the CLNSIG value makes no pathogenicity assertion.

    CLNSIG joins terms with ``/`` (aggregate of submitters, e.g. ``Pathogenic/Likely_pathogenic``)
    and appends non-pathogenicity terms after ``|`` or ``,_`` (``Pathogenic|risk_factor``,
    ``Pathogenic,_low_penetrance``). A mixed aggregate takes its weaker term
    (``Pathogenic/Likely_pathogenic`` → likely_pathogenic), so nothing is overstated; terms on
    opposite sides, or uncertain beside a definite term, are conflicting.
    """
    text = clnsig.strip().lower().replace(" ", "_")
    levels: set[str] = set()
    for part in re.split(r"[|,;/]", text):
        level = _CLNSIG.get(part.strip("_"))
        if level is not None:
            levels.add(level)
    if not levels:
        return None
    if "conflicting" in levels:
        return "conflicting"
    sides = sum(bool(levels & side) for side in (_PATHOGENIC_SIDE, _BENIGN_SIDE, {"uncertain"}))
    if sides > 1:
        return "conflicting"
    if levels == {"uncertain"}:
        return "uncertain"
    if levels & _PATHOGENIC_SIDE:
        return "likely_pathogenic" if "likely_pathogenic" in levels else "pathogenic"
    return "likely_benign" if "likely_benign" in levels else "benign"


def clinvar_stars(clnrevstat: str) -> int:
    """ClinVar review-status stars (0-4) from a CLNREVSTAT value.

    practice_guideline 4, reviewed_by_expert_panel 3, criteria_provided with multiple
    submitters and no conflicts 2, criteria_provided with a single submitter or conflicting
    classifications 1, anything else (no_assertion_criteria_provided, no_classification_...) 0.
    """
    text = clnrevstat.strip().lower().replace(" ", "_").replace("&", ",")
    if "practice_guideline" in text:
        return 4
    if "reviewed_by_expert_panel" in text:
        return 3
    # "no_assertion_criteria_provided" also contains "criteria_provided": match the start only.
    if not text.startswith("criteria_provided"):
        return 0
    if "multiple_submitters" in text and "no_conflicts" in text:
        return 2
    return 1
