"""Prior probability of each disease concept from Orphanet prevalence classes.

A clinic sees Marfan syndrome (1-5 / 10,000) far more often than a disease known from one
family; the prior says so. Classes map to their geometric midpoints; a concept takes the
highest class any of its entries reports for the chosen region (falling back to worldwide,
then any region), and concepts without data get the rarest class. For ``region="China"`` the
diseases of China's National Rare Disease Catalog — chosen for their public-health weight in
China — get ``catalog_boost`` times their prior.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from rarelens.kb.knowledge_base import KnowledgeBase

CLASS_PREVALENCE: dict[str, float] = {
    ">1 / 1000": 2e-3,
    "6-9 / 10 000": 7.3e-4,
    "1-5 / 10 000": 2.2e-4,
    "1-9 / 100 000": 3e-5,
    "1-9 / 1 000 000": 3e-6,
    "<1 / 1 000 000": 3e-7,
}
UNKNOWN_PREVALENCE = 3e-7


def build_log_prior(
    kb: KnowledgeBase,
    concepts: npt.NDArray[np.int32],
    *,
    region: str | None = None,
    catalog_boost: float = 10.0,
) -> npt.NDArray[np.float64]:
    """log prior per row of ``concepts`` (not normalised: only differences matter)."""
    p = kb.prevalences
    best: dict[int, dict[str, float]] = {}
    for r in range(len(p)):
        value = CLASS_PREVALENCE.get(p.klass[r])
        if value is None:
            continue
        c = int(kb.diseases.concept[int(p.disease[r])])
        geo = p.geographic[r]
        key = "region" if region and geo.lower() == region.lower() else ("world" if geo == "Worldwide" else "any")
        slot = best.setdefault(c, {})
        slot[key] = max(slot.get(key, 0.0), value)
    catalog: set[int] = set()
    if region and region.lower() == "china":
        linked = kb.catalog_links.disease[kb.catalog_links.disease >= 0]
        catalog = {int(kb.diseases.concept[int(d)]) for d in linked}
    out = np.empty(len(concepts))
    for i, c in enumerate(concepts.tolist()):
        slot = best.get(c, {})
        value = slot.get("region") or slot.get("world") or slot.get("any") or UNKNOWN_PREVALENCE
        if c in catalog:
            value *= catalog_boost
        out[i] = math.log(value)
    return out
