"""Onset and sex as likelihood-ratio evidence (phenotype.demographics and the LR scorer)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.model.patient import Patient
from rarelens.phenotype.demographics import (
    ONSET_CLASSES,
    DemographicProfiles,
    build_demographic_profiles,
    female_share,
    onset_class,
    onset_years_of_term,
)
from rarelens.phenotype.ranker import PhenotypeRanker


@pytest.mark.parametrize(
    ("years", "klass"),
    [(-0.1, "antenatal"), (0.0, "neonatal"), (20 / 365.25, "neonatal"), (30 / 365.25, "infancy"),
     (0.99, "infancy"), (1.0, "childhood"), (4.9, "childhood"), (5.0, "juvenile"), (15.9, "juvenile"),
     (16.0, "adult"), (70.0, "adult")],
)
def test_onset_class_boundaries(years: float, klass: str) -> None:
    assert ONSET_CLASSES[onset_class(years)] == klass


def test_onset_terms_map_to_a_representative_age() -> None:
    assert onset_class(onset_years_of_term("HP:0003593") or -9) == ONSET_CLASSES.index("infancy")
    assert onset_class(onset_years_of_term("HP:0003581") or -9) == ONSET_CLASSES.index("adult")
    assert onset_years_of_term("HP:0410280") is None  # pediatric onset spans three classes
    assert onset_years_of_term("HP:0000118") is None


@pytest.mark.parametrize(
    ("modes", "share"),
    [
        ({"x-linked recessive inheritance"}, 0.1),
        ({"x-linked recessive"}, 0.1),
        ({"x-linked inheritance"}, 0.3),
        ({"x-linked dominant"}, 0.6),
        ({"autosomal dominant inheritance"}, 0.5),
        ({"x-linked recessive", "autosomal recessive"}, 0.5),  # least biased mode wins
        ({"x-linked recessive", "typified by incomplete penetrance"}, 0.1),  # a modifier says nothing
        (set(), 0.5),
    ],
)
def test_female_share_from_inheritance(modes: set[str], share: float) -> None:
    assert female_share(modes) == share


def test_onset_profiles_from_orphanet(kb: KnowledgeBase) -> None:
    ranker = PhenotypeRanker(kb)
    concepts = ranker.index.concepts
    profiles = build_demographic_profiles(kb, concepts)
    row = ranker.row_of_concept(kb.find_concept("ORPHA:60030"))  # Antenatal, Neonatal, Infancy
    assert row is not None
    probs = profiles.onset[row]
    assert probs.sum() == pytest.approx(1.0)
    assert probs[ONSET_CLASSES.index("neonatal")] > probs[ONSET_CLASSES.index("childhood")] > probs[
        ONSET_CLASSES.index("adult")]
    # It is the fixture's only disease with onset data ("All ages" counts as none), so it is
    # also the background: its likelihood ratio is exactly 1 whatever the onset.
    assert profiles.onset_background == pytest.approx(probs)
    assert profiles.onset_log_lr(40.0)[row] == pytest.approx(0.0)
    no_data = np.flatnonzero(np.isnan(profiles.onset[:, 0]))
    assert len(no_data) > 0
    assert np.all(profiles.onset_log_lr(40.0)[no_data] == 0.0)


def test_sex_log_lr_is_symmetric_around_half(kb: KnowledgeBase) -> None:
    ranker = PhenotypeRanker(kb)
    profiles = build_demographic_profiles(kb, ranker.index.concepts)
    xlr = dataclasses.replace(profiles, female=np.full(len(profiles.female), 0.1))
    assert xlr.sex_log_lr("FEMALE")[0] == pytest.approx(math.log(0.2))
    assert xlr.sex_log_lr("MALE")[0] == pytest.approx(math.log(1.8))
    assert np.all(profiles.sex_log_lr("FEMALE") == 0.0)  # the fixture has no X-linked disease


def _neonatal_vs_adult(kb: KnowledgeBase, ranker: PhenotypeRanker, row: int) -> DemographicProfiles:
    """Row ``row`` neonatal, every other disease adult-onset: a known right answer."""
    n = ranker.index.n
    onset = np.full((n, len(ONSET_CLASSES)), 0.02)
    onset[:, ONSET_CLASSES.index("adult")] = 0.9
    onset[row] = 0.02
    onset[row, ONSET_CLASSES.index("neonatal")] = 0.9
    return DemographicProfiles(onset, onset.mean(axis=0), np.full(n, 0.5))


def test_onset_changes_the_ranking_and_is_reported(kb: KnowledgeBase) -> None:
    ranker = PhenotypeRanker(kb)
    terms = tuple(kb.ontology.index(t) for t in ("HP:0001166",))
    row = ranker.row_of_concept(kb.find_concept("ORPHA:60030"))
    assert row is not None
    lr = dataclasses.replace(ranker.scorers["likelihood-ratio"], demographics=_neonatal_vs_adult(kb, ranker, row))
    ranker.scorers["likelihood-ratio"] = lr
    without = lr.score(Patient(terms))
    neonatal = lr.score(Patient(terms, onset_years=0.01))
    adult = lr.score(Patient(terms, onset_years=40.0))
    assert neonatal[row] - without[row] == pytest.approx(math.log(0.9 / lr.demographics.onset_background[1]))
    assert adult[row] - without[row] < 0
    ranking = ranker.rank(Patient(terms, onset_years=0.01, sex="FEMALE"), top=len(without))
    mine = next(d for d in ranking.diagnoses if d.concept_id == kb.concepts.id[int(ranker.index.concepts[row])])
    kinds = {c.kind: c for c in mine.context}
    assert kinds["onset"].patient_value == "neonatal"
    assert kinds["onset"].contribution == pytest.approx(neonatal[row] - without[row])
    assert kinds["sex"].contribution == 0.0
