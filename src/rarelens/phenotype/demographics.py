"""Age of onset and sex as evidence, next to the phenotype terms.

A neonatal presentation speaks against an adult-onset disease, and a girl is rarely affected by
an X-linked recessive one. Both enter the likelihood-ratio model as one more factor each:

* onset — six classes (antenatal, neonatal/congenital, infancy, childhood 1–5 y, juvenile 5–16 y,
  adult). A disease's class distribution comes from Orphanet's average age of onset and HPO's
  onset annotations (aspect C): its annotated classes share ``1 - ONSET_NOISE``, neighbouring
  classes get a quarter weight (onset is reported loosely), and every class keeps
  ``ONSET_NOISE / 6``. Orphanet's "All ages" says nothing and counts as no data. The likelihood ratio is P(class | disease) / P(class | any annotated
  disease); diseases without onset data get 1.
* sex — P(female | disease) from the mode of inheritance: X-linked recessive 0.1, X-linked
  (unspecified) 0.3, X-linked dominant 0.6, Y-linked 0.02, otherwise 0.5; the ratio is taken
  against 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarelens.kb.knowledge_base import KnowledgeBase

FloatArray = npt.NDArray[np.float64]

ONSET_CLASSES = ("antenatal", "neonatal", "infancy", "childhood", "juvenile", "adult")
ONSET_NOISE = 0.1
MAX_AGE_YEARS = 200  # an age or onset at or above this is a typo, refused wherever one is read
_NEIGHBOUR_WEIGHT = 0.25

# Orphanet average age of onset and HPO onset terms → classes (several for the broad ones).
_ONSET_VALUES: dict[str, tuple[int, ...]] = {
    "Antenatal": (0,), "Neonatal": (1,), "Infancy": (2,), "Childhood": (3,), "Adolescent": (4,),
    "Adult": (5,), "Elderly": (5,),
    "HP:0030674": (0,), "HP:0011460": (0,), "HP:0011461": (0,), "HP:0034199": (0,), "HP:0034197": (0,),
    "HP:0034198": (0,), "HP:0003577": (1,), "HP:0003623": (1,), "HP:0003593": (2,), "HP:0011463": (3,),
    "HP:0003621": (4,), "HP:0410280": (2, 3, 4), "HP:0003581": (5,), "HP:0011462": (5,), "HP:0003596": (5,),
    "HP:0003584": (5,),
}
_FEMALE_SHARE = (
    ("x-linked recessive", 0.1), ("x-linked dominant", 0.6), ("y-linked", 0.02), ("x-linked", 0.3),
)


# A representative age for each onset class, for patients whose onset is given as a term.
_CLASS_YEARS = (-0.3, 0.0, 0.5, 3.0, 10.0, 30.0)


def onset_years_of_term(hpo_id: str) -> float | None:
    """Representative onset age of an HPO onset term (e.g. HP:0003593 Infantile onset → 0.5)."""
    ks = _ONSET_VALUES.get(hpo_id)
    return _CLASS_YEARS[ks[0]] if ks and len(ks) == 1 else None


def onset_class(years: float) -> int:
    """The class of an onset age in years (negative: before birth)."""
    if years < 0:
        return 0
    if years < 28 / 365.25:
        return 1
    if years < 1:
        return 2
    if years < 5:
        return 3
    if years < 16:
        return 4
    return 5


@dataclass(frozen=True, slots=True)
class DemographicProfiles:
    onset: FloatArray  # rows × 6, P(onset class | disease); NaN rows: no onset data
    onset_background: FloatArray  # 6, mean over rows with data
    female: FloatArray  # rows, P(female | disease)

    def onset_log_lr(self, years: float) -> FloatArray:
        k = onset_class(years)
        # Rows without onset data are NaN: neutral (log LR 0).
        out: FloatArray = np.nan_to_num(np.log(self.onset[:, k] / self.onset_background[k]), nan=0.0)
        return out

    def sex_log_lr(self, sex: str) -> FloatArray:
        p = self.female if sex == "FEMALE" else 1 - self.female
        return np.log(p / 0.5)


def build_demographic_profiles(kb: KnowledgeBase, concepts: npt.NDArray[np.int32]) -> DemographicProfiles:
    row_of = {int(c): i for i, c in enumerate(concepts.tolist())}
    n = len(concepts)
    classes: list[set[int]] = [set() for _ in range(n)]
    inheritance: list[set[str]] = [set() for _ in range(n)]
    f = kb.facts
    concept_of = kb.diseases.concept
    for r in range(len(f)):
        row = row_of.get(int(concept_of[int(f.disease[r])]))
        if row is None:
            continue
        if f.kind[r] == "onset":
            classes[row].update(_ONSET_VALUES.get(f.value[r], ()))
        elif f.kind[r] == "inheritance":
            inheritance[row].add(f.value[r].lower())
    a, o = kb.annotations, kb.ontology
    for r in np.flatnonzero(np.asarray([x == "C" for x in a.aspect], dtype=bool)).tolist():
        row = row_of.get(int(concept_of[int(a.disease[r])]))
        if row is not None and not a.negated[r]:
            classes[row].update(_ONSET_VALUES.get(o.ids[int(a.term[r])], ()))
    onset = np.full((n, len(ONSET_CLASSES)), np.nan)
    for i, ks in enumerate(classes):
        if not ks:
            continue
        w = np.zeros(len(ONSET_CLASSES))
        for k in ks:
            for nb in (k - 1, k + 1):
                if 0 <= nb < len(ONSET_CLASSES):
                    w[nb] = max(w[nb], _NEIGHBOUR_WEIGHT)
        w[list(ks)] = 1.0
        onset[i] = (1 - ONSET_NOISE) * w / w.sum() + ONSET_NOISE / len(ONSET_CLASSES)
    has = ~np.isnan(onset[:, 0])
    background = onset[has].mean(axis=0) if has.any() else np.full(len(ONSET_CLASSES), 1 / len(ONSET_CLASSES))
    female = np.asarray([female_share(modes) for modes in inheritance], dtype=np.float64)
    return DemographicProfiles(onset, background, female)


def female_share(modes: set[str]) -> float:
    """P(female | disease) from its modes of inheritance (lower case, as the sources spell them).

    Each mode takes the share of the first, most specific key it contains; a disease reported
    with several modes (AR and XLR forms) is only as sex-biased as its least biased mode;
    modifiers ("incomplete penetrance") and unknown modes say nothing."""
    shares = [
        next((share for key, share in _FEMALE_SHARE if key in m), 0.5)
        for m in modes
        if any(w in m for w in ("linked", "autosomal", "mitochondrial", "dominant", "recessive"))
    ]
    return min(shares, key=lambda s: abs(s - 0.5)) if shares else 0.5
