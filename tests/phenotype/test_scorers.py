"""Ranking behaviour on a hand-made knowledge base where the right order is known.

The ontology is 19 real HPO terms with a simplified tree (each term under one organ-system
term, those under HP:0000118); the five diseases are invented so that each property has a pair
of diseases differing in exactly one respect:

| disease | annotations |
|---|---|
| Neuro syndrome | Seizure 89.5%, Intellectual disability 89.5%, Microcephaly 54.5% |
| Focal epilepsy | Focal-onset seizure 89.5%, Intellectual disability 17%, Ataxia 54.5% |
| Heart syndrome A | Atrial septal defect 18/20, Ventricular septal defect 100%, NOT Short stature |
| Heart syndrome B | Atrial septal defect 18/20, Patent ductus arteriosus 100% |
| Eye syndrome | Cataract 89.5%, Strabismus 54.5%, Short stature 17% |

Heart A and B mirror each other (VSD and PDA are siblings carried by one disease each), so they
tie on every patient that mentions neither VSD, PDA nor Short stature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from rarelens.kb.build import SourceBundle, build_knowledge_base
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.kb.records import AnnotationSource, HpoaRow, SourceInfo
from rarelens.model.patient import Patient
from rarelens.ontology import TermRecord
from rarelens.phenotype.ranker import METHODS, PhenotypeRanker, Ranking
from rarelens.phenotype.scorers import LikelihoodRatioScorer, ResnikScorer, build_dense_columns

PA = "HP:0000118"
NERVOUS, CARDIO, EYE, HEAD, GROWTH = "HP:0000707", "HP:0001626", "HP:0000478", "HP:0000152", "HP:0001507"
SEIZURE, FOCAL_SEIZURE, GTC_SEIZURE = "HP:0001250", "HP:0007359", "HP:0002069"
ID, ATAXIA, MICROCEPHALY = "HP:0001249", "HP:0001251", "HP:0000252"
ASD, VSD, PDA = "HP:0001631", "HP:0001629", "HP:0001643"
CATARACT, STRABISMUS, SHORT = "HP:0000518", "HP:0000486", "HP:0004322"

TERMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("HP:0000001", "All", ()),
    (PA, "Phenotypic abnormality", ("HP:0000001",)),
    (NERVOUS, "Abnormality of the nervous system", (PA,)),
    (SEIZURE, "Seizure", (NERVOUS,)),
    (FOCAL_SEIZURE, "Focal-onset seizure", (SEIZURE,)),
    (GTC_SEIZURE, "Bilateral tonic-clonic seizure", (SEIZURE,)),
    (ID, "Intellectual disability", (NERVOUS,)),
    (ATAXIA, "Ataxia", (NERVOUS,)),
    (HEAD, "Abnormality of head or neck", (PA,)),
    (MICROCEPHALY, "Microcephaly", (HEAD,)),
    (CARDIO, "Abnormality of the cardiovascular system", (PA,)),
    (ASD, "Atrial septal defect", (CARDIO,)),
    (VSD, "Ventricular septal defect", (CARDIO,)),
    (PDA, "Patent ductus arteriosus", (CARDIO,)),
    (EYE, "Abnormality of the eye", (PA,)),
    (CATARACT, "Cataract", (EYE,)),
    (STRABISMUS, "Strabismus", (EYE,)),
    (GROWTH, "Growth abnormality", (PA,)),
    (SHORT, "Short stature", (GROWTH,)),
]
VERY_FREQUENT, FREQUENT, OCCASIONAL, OBLIGATE = "HP:0040281", "HP:0040282", "HP:0040283", "HP:0040280"
NOT = "NOT"
# disease id → (name, [(hpo id, frequency or NOT)])
DISEASES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "OMIM:600001": ("Neuro syndrome", [(SEIZURE, VERY_FREQUENT), (ID, VERY_FREQUENT), (MICROCEPHALY, FREQUENT)]),
    "OMIM:600002": ("Focal epilepsy", [(FOCAL_SEIZURE, VERY_FREQUENT), (ID, OCCASIONAL), (ATAXIA, FREQUENT)]),
    "OMIM:600003": ("Heart syndrome A", [(ASD, "18/20"), (VSD, OBLIGATE), (SHORT, NOT)]),
    "OMIM:600004": ("Heart syndrome B", [(ASD, "18/20"), (PDA, OBLIGATE)]),
    "OMIM:600005": ("Eye syndrome", [(CATARACT, VERY_FREQUENT), (STRABISMUS, FREQUENT), (SHORT, OCCASIONAL)]),
}
PROFILES = {name: [t for t, f in anns if f != NOT] for name, anns in DISEASES.values()}
MATCH_TYPES = {
    "exact", "patient more specific", "patient less specific", "shared ancestor", "excluded contradicts",
    "excluded consistent", "contradicts NOT", "unexplained",
}
RELEASE = "2025-01-16"


def toy_bundle(fillers: int = 0) -> SourceBundle:
    """The five diseases, plus ``fillers`` diseases each with one Bilateral tonic-clonic seizure
    annotation at 50% (only to dilute the background frequencies of the other terms)."""
    rows: list[HpoaRow] = []
    diseases = dict(DISEASES)
    for k in range(fillers):
        diseases[f"OMIM:6100{k:02d}"] = (f"Filler {k}", [(GTC_SEIZURE, "1/2")])
    for did, (name, anns) in diseases.items():
        for hpo, freq in anns:
            rows.append(HpoaRow(
                disease_id=did, disease_name=name, negated=freq == NOT, hpo_id=hpo, reference=did,
                evidence="TAS", onset="", frequency="" if freq == NOT else freq, sex="", modifier="",
                aspect="P", biocuration="", line=len(rows) + 6,
            ))
    return SourceBundle(
        sources=(
            SourceInfo("hpo.ontology", "hpo/hp.obo", RELEASE, "0" * 64),
            SourceInfo("hpo.annotations", "hpo/phenotype.hpoa", RELEASE, "1" * 64),
        ),
        hpo_release=RELEASE,
        terms=[TermRecord(tid, name, parents=parents) for tid, name, parents in TERMS],
        hpoa=rows,
        hpoa_release=RELEASE,
    )


@pytest.fixture(scope="module")
def toy_kb() -> KnowledgeBase:
    return build_knowledge_base(toy_bundle(), software_version="0.0.0+toy")


@pytest.fixture(scope="module")
def ranker(toy_kb: KnowledgeBase) -> PhenotypeRanker:
    return PhenotypeRanker(toy_kb)


@pytest.fixture(scope="module")
def crowded_ranker() -> PhenotypeRanker:
    """The same five diseases among 12, so that every term's background frequency is < 0.1."""
    return PhenotypeRanker(build_knowledge_base(toy_bundle(fillers=7), software_version="0.0.0+toy"))


def patient(r: PhenotypeRanker, observed: Sequence[str], excluded: Sequence[str] = ()) -> Patient:
    o = r.kb.ontology
    return Patient(tuple(o.index(t) for t in observed), tuple(o.index(t) for t in excluded))


def rank_all(r: PhenotypeRanker, p: Patient, method: str) -> Ranking:
    return r.rank(p, method=method, top=r.index.n)


def labels(ranking: Ranking) -> list[str]:
    return [d.label for d in ranking.diagnoses]


def scores_by_label(r: PhenotypeRanker, p: Patient, method: str) -> dict[str, float]:
    s = r.scores(p, method)
    return {r.kb.concepts.label[int(c)]: float(s[i]) for i, c in enumerate(r.index.concepts)}


def test_toy_kb_has_the_five_diseases(ranker: PhenotypeRanker) -> None:
    assert ranker.index.n == 5
    assert sorted(scores_by_label(ranker, patient(ranker, [ASD]), "ensemble")) == sorted(PROFILES)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("disease", sorted(PROFILES))
def test_disease_with_exactly_the_patients_terms_ranks_first(
    ranker: PhenotypeRanker, method: str, disease: str
) -> None:
    ranking = rank_all(ranker, patient(ranker, PROFILES[disease]), method)
    first, second = ranking.diagnoses[:2]
    assert first.label == disease, labels(ranking)
    assert first.score > second.score  # first outright, not by tie order


def test_frequent_annotation_beats_rare_one(ranker: PhenotypeRanker) -> None:
    # Intellectual disability: 89.5% in Neuro syndrome, 17% in Focal epilepsy.
    ranking = rank_all(ranker, patient(ranker, [ID]), "likelihood-ratio")
    assert labels(ranking)[:2] == ["Neuro syndrome", "Focal epilepsy"]
    assert ranking.diagnoses[0].score > ranking.diagnoses[1].score
    freq = {d.label: d.evidence[0].frequency for d in ranking.diagnoses[:2]}
    assert freq["Neuro syndrome"] == pytest.approx(0.895)
    assert freq["Focal epilepsy"] == pytest.approx(0.17)


def test_count_frequency_is_used(ranker: PhenotypeRanker) -> None:
    ranking = rank_all(ranker, patient(ranker, [ASD]), "likelihood-ratio")
    ev = {d.label: d.evidence[0] for d in ranking.diagnoses}
    assert ev["Heart syndrome A"].match == "exact"
    assert ev["Heart syndrome A"].frequency == pytest.approx(0.9)  # 18/20


@pytest.mark.parametrize("method", ["likelihood-ratio", "ensemble"])
def test_heart_pair_ties_without_exclusion(ranker: PhenotypeRanker, method: str) -> None:
    """The precondition of the exclusion tests: A and B differ only in VSD vs PDA."""
    s = scores_by_label(ranker, patient(ranker, [ASD]), method)
    assert s["Heart syndrome A"] == pytest.approx(s["Heart syndrome B"])


@pytest.mark.parametrize("method", ["likelihood-ratio", "ensemble"])
def test_excluded_obligate_term_pushes_disease_below_its_twin(ranker: PhenotypeRanker, method: str) -> None:
    # Heart syndrome A has Ventricular septal defect at 100%; B does not have it at all.
    ranking = rank_all(ranker, patient(ranker, [ASD], excluded=[VSD]), method)
    assert labels(ranking)[:2] == ["Heart syndrome B", "Heart syndrome A"]
    assert ranking.diagnoses[0].score > ranking.diagnoses[1].score


def test_excluded_obligate_term_lowers_score_with_default_noise(ranker: PhenotypeRanker) -> None:
    """The scorer's own default excluded_noise (0.25) does penalise the contradiction."""
    lr = LikelihoodRatioScorer(ranker.kb.ontology, ranker.index)
    without = lr.score(patient(ranker, [ASD]))
    with_exc = lr.score(patient(ranker, [ASD], excluded=[VSD]))
    row = {ranker.kb.concepts.label[int(c)]: i for i, c in enumerate(ranker.index.concepts)}
    a, b = row["Heart syndrome A"], row["Heart syndrome B"]
    assert with_exc[a] < without[a]
    assert with_exc[a] < with_exc[b]
    assert with_exc[b] == pytest.approx(without[b])  # B lacks VSD: nothing to contradict


def test_excluded_obligate_term_pushes_disease_down_in_a_larger_kb(crowded_ranker: PhenotypeRanker) -> None:
    ranking = rank_all(crowded_ranker, patient(crowded_ranker, [ASD], excluded=[VSD]), "likelihood-ratio")
    assert labels(ranking)[:2] == ["Heart syndrome B", "Heart syndrome A"]
    assert ranking.diagnoses[0].score > ranking.diagnoses[1].score
    ev = next(d for d in ranking.diagnoses if d.label == "Heart syndrome A").evidence
    assert [(e.match, e.excluded) for e in ev] == [("exact", False), ("excluded contradicts", True)]
    assert ev[1].contribution < 0


EXCLUSION_CASES = [[SEIZURE, ID, MICROCEPHALY], [ASD], [CATARACT, ATAXIA], [SHORT]]


def _check_exclusion_never_raises(r: PhenotypeRanker, method: str) -> None:
    o = r.kb.ontology
    candidates = [o.ids[int(t)] for t in o.descendants(o.index(PA))]
    raised = []
    for observed in EXCLUSION_CASES:
        base = r.scores(patient(r, observed), method)
        for t in candidates:
            if t in observed:
                continue
            s = r.scores(patient(r, observed, excluded=[t]), method)
            if (s > base + 1e-9).any():
                raised.append((observed, t, np.round(s - base, 4).tolist()))
    assert not raised, raised


@pytest.mark.parametrize("method", METHODS)
def test_excluding_a_term_never_raises_any_score(ranker: PhenotypeRanker, method: str) -> None:
    _check_exclusion_never_raises(ranker, method)


@pytest.mark.parametrize(
    "method",
    [
        "ensemble",
        "likelihood-ratio",
        "similarity",
    ],
)
def test_excluding_a_term_never_raises_any_score_in_a_larger_kb(
    crowded_ranker: PhenotypeRanker, method: str
) -> None:
    _check_exclusion_never_raises(crowded_ranker, method)


@pytest.mark.parametrize("method", ["likelihood-ratio", "ensemble"])
def test_observed_term_the_disease_is_annotated_not_to_have_lowers_it(
    ranker: PhenotypeRanker, method: str
) -> None:
    # Heart syndrome A is annotated NOT Short stature; its twin B says nothing about stature.
    before = scores_by_label(ranker, patient(ranker, [ASD]), method)
    after = scores_by_label(ranker, patient(ranker, [ASD, SHORT]), method)
    assert before["Heart syndrome A"] == pytest.approx(before["Heart syndrome B"])
    assert after["Heart syndrome A"] < after["Heart syndrome B"]
    assert after["Heart syndrome A"] < before["Heart syndrome A"]
    ranking = rank_all(ranker, patient(ranker, [ASD, SHORT]), method)
    assert labels(ranking).index("Heart syndrome A") > labels(ranking).index("Heart syndrome B")
    ev = next(d for d in ranking.diagnoses if d.label == "Heart syndrome A").evidence
    assert [e.match for e in ev] == ["exact", "contradicts NOT"]
    assert ev[1].contribution < 0


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("disease", "extra"),
    [("Neuro syndrome", CATARACT), ("Eye syndrome", ASD), ("Focal epilepsy", VSD), ("Heart syndrome B", MICROCEPHALY)],
)
def test_one_unrelated_extra_term_keeps_the_disease_in_the_top_two(
    ranker: PhenotypeRanker, method: str, disease: str, extra: str
) -> None:
    ranking = rank_all(ranker, patient(ranker, [*PROFILES[disease], extra]), method)
    assert disease in labels(ranking)[:2], labels(ranking)


def test_patient_term_more_specific_than_annotation(ranker: PhenotypeRanker) -> None:
    # Focal-onset seizure: annotated as such in Focal epilepsy, only as Seizure in Neuro syndrome.
    ranking = rank_all(ranker, patient(ranker, [FOCAL_SEIZURE]), "likelihood-ratio")
    ev = {d.label: d.evidence[0] for d in ranking.diagnoses}
    o = ranker.kb.ontology
    exact, specific = ev["Focal epilepsy"], ev["Neuro syndrome"]
    assert exact.match == "exact"
    assert o.ids[exact.disease_term] == FOCAL_SEIZURE
    assert specific.match == "patient more specific"
    assert o.ids[specific.disease_term] == SEIZURE
    assert specific.frequency == pytest.approx(0.895)
    assert specific.contribution < exact.contribution
    assert labels(ranking)[:2] == ["Focal epilepsy", "Neuro syndrome"]


def test_patient_more_specific_scores_less_than_exact_same_disease(ranker: PhenotypeRanker) -> None:
    """Neuro syndrome has Seizure: a patient with Seizure gains more than one with Focal seizure."""
    exact = scores_by_label(ranker, patient(ranker, [SEIZURE]), "likelihood-ratio")["Neuro syndrome"]
    refined = scores_by_label(ranker, patient(ranker, [FOCAL_SEIZURE]), "likelihood-ratio")["Neuro syndrome"]
    assert refined < exact


def test_patient_term_less_specific_than_annotation(ranker: PhenotypeRanker) -> None:
    ranking = rank_all(ranker, patient(ranker, [SEIZURE]), "likelihood-ratio")
    ev = {d.label: d.evidence[0] for d in ranking.diagnoses}
    assert ev["Neuro syndrome"].match == "exact"
    assert ev["Focal epilepsy"].match == "patient less specific"
    assert ranker.kb.ontology.ids[ev["Focal epilepsy"].disease_term] == FOCAL_SEIZURE


def test_a_term_that_only_shares_an_ancestor_says_so(ranker: PhenotypeRanker) -> None:
    """Ataxia against Neuro syndrome (Seizure, Intellectual disability): the two meet only at
    Abnormality of the nervous system. Naming Seizure as a term the patient is 'more specific'
    than would be false; the evidence names the record and where they meet."""
    o = ranker.kb.ontology
    ranking = rank_all(ranker, patient(ranker, [ATAXIA]), "likelihood-ratio")
    ev = {d.label: d.evidence[0] for d in ranking.diagnoses}
    shared = ev["Neuro syndrome"]
    assert shared.match == "shared ancestor"
    assert o.ids[shared.via] == NERVOUS
    assert o.ids[shared.disease_term] in {SEIZURE, ID}
    assert shared.frequency == pytest.approx(0.895)
    assert not o.is_descendant_of(shared.patient_term, shared.disease_term)
    assert ev["Focal epilepsy"].match == "exact"
    assert ev["Focal epilepsy"].via == -1


def test_a_term_under_a_recorded_one_is_more_specific_not_shared(ranker: PhenotypeRanker) -> None:
    ev = {d.label: d.evidence[0] for d in rank_all(ranker, patient(ranker, [GTC_SEIZURE]), "likelihood-ratio").diagnoses}
    o = ranker.kb.ontology
    # Neuro syndrome is annotated with Seizure itself; Focal epilepsy only with a sibling
    assert (ev["Neuro syndrome"].match, o.ids[ev["Neuro syndrome"].disease_term]) == ("patient more specific", SEIZURE)
    focal = ev["Focal epilepsy"]
    assert (focal.match, o.ids[focal.disease_term], o.ids[focal.via]) == ("shared ancestor", FOCAL_SEIZURE, SEIZURE)


FOCAL_IMPAIRED, FOCAL_MOTOR = "HP:0002384", "HP:0011153"  # two children of Focal-onset seizure


def test_equal_frequencies_name_the_record_above_the_patients_term() -> None:
    """A disease records Focal-onset seizure and one of its children (Focal impaired awareness
    seizure) at 1/2 each. A patient with a focal motor seizure meets the disease at Focal-onset
    seizure, which it records itself: 'patient more specific', not a 'shared ancestor' with the
    sibling that happens to come first in the index (HP:0002384 sorts before HP:0007359)."""
    bundle = toy_bundle()
    at = next(i for i, t in enumerate(bundle.terms) if t.id == FOCAL_SEIZURE)  # the child first, as in hp.obo's id order
    terms = [*bundle.terms[:at], TermRecord(FOCAL_IMPAIRED, "Focal impaired awareness seizure", parents=(FOCAL_SEIZURE,)),
             *bundle.terms[at:], TermRecord(FOCAL_MOTOR, "Focal motor seizure", parents=(FOCAL_SEIZURE,))]
    rows = [*bundle.hpoa, *(
        HpoaRow(disease_id="OMIM:600009", disease_name="Tie syndrome", negated=False, hpo_id=t, reference="PMID:1",
                evidence="PCS", onset="", frequency="1/2", sex="", modifier="", aspect="P", biocuration="", line=900 + k)
        for k, t in enumerate((FOCAL_SEIZURE, FOCAL_IMPAIRED))
    )]
    r = PhenotypeRanker(build_knowledge_base(replace(bundle, terms=terms, hpoa=rows), software_version="0.0.0+toy"))
    o = r.kb.ontology
    assert o.index(FOCAL_IMPAIRED) < o.index(FOCAL_SEIZURE)  # the order that misled the old tie-break
    ev = {d.label: d.evidence for d in rank_all(r, patient(r, [FOCAL_MOTOR], excluded=[FOCAL_SEIZURE]), "likelihood-ratio").diagnoses}
    observed, excluded = ev["Tie syndrome"]
    assert (observed.match, o.ids[observed.disease_term], observed.via) == ("patient more specific", FOCAL_SEIZURE, -1)
    assert [x.line for x in observed.sources] == [900]
    # the excluded term's own record, not its equally frequent child's
    assert (excluded.match, o.ids[excluded.disease_term]) == ("excluded contradicts", FOCAL_SEIZURE)


def test_evidence_names_the_annotation_records_it_rests_on(ranker: PhenotypeRanker, toy_kb: KnowledgeBase) -> None:
    """Each matched term points to its hpoa line, reference and release; a contradicted NOT
    to the negated record; an unexplained term to nothing."""
    lines = {(r.disease_id, r.hpo_id): r.line for r in toy_bundle().hpoa}
    ranking = rank_all(ranker, patient(ranker, [ASD, SHORT, ATAXIA], excluded=[VSD]), "likelihood-ratio")
    by = {d.label: {ranker.kb.ontology.ids[e.patient_term]: e for e in d.evidence} for d in ranking.diagnoses}
    heart_a = by["Heart syndrome A"]
    assert heart_a[ASD].sources == (
        AnnotationSource("OMIM:600003", ASD, "18/20", "OMIM:600003", "hpo.annotations", RELEASE, lines["OMIM:600003", ASD]),
    )
    assert heart_a[SHORT].match == "contradicts NOT"
    assert [(x.term_id, x.line) for x in heart_a[SHORT].sources] == [(SHORT, lines["OMIM:600003", SHORT])]
    assert [(x.term_id, x.line) for x in heart_a[VSD].sources] == [(VSD, lines["OMIM:600003", VSD])]
    assert heart_a[ATAXIA].match == "unexplained"
    assert heart_a[ATAXIA].sources == ()
    shared = by["Neuro syndrome"][ATAXIA]
    assert [x.term_id for x in shared.sources] == [ranker.kb.ontology.ids[shared.disease_term]]
    assert by["Heart syndrome B"][VSD].sources == ()  # excluded, and B does not have it


def test_unrelated_term_is_unexplained_and_costs_every_unrelated_disease_the_same(
    ranker: PhenotypeRanker,
) -> None:
    ranking = rank_all(ranker, patient(ranker, [FOCAL_SEIZURE]), "likelihood-ratio")
    unrelated = [d for d in ranking.diagnoses if d.label.startswith(("Heart", "Eye"))]
    assert len(unrelated) == 3
    for d in unrelated:
        assert (d.evidence[0].match, d.evidence[0].disease_term) == ("unexplained", -1), d.label
    assert len({round(d.score, 9) for d in unrelated}) == 1


@pytest.mark.parametrize("method", METHODS)
def test_evidence_lists_every_observed_and_excluded_term(ranker: PhenotypeRanker, method: str) -> None:
    p = patient(ranker, [SEIZURE, CATARACT, SHORT, ASD], excluded=[VSD, ATAXIA])
    ranking = rank_all(ranker, p, method)
    assert len(ranking.diagnoses) == ranking.n_ranked == 5
    seen = set()
    for d in ranking.diagnoses:
        observed = [e.patient_term for e in d.evidence if not e.excluded]
        excluded = [e.patient_term for e in d.evidence if e.excluded]
        assert observed == list(p.observed), d.label
        assert excluded == list(p.excluded), d.label
        for e in d.evidence:
            assert e.match in MATCH_TYPES, e
            assert e.match.startswith("excluded") == e.excluded, e
            assert np.isfinite(e.contribution)
            seen.add(e.match)
    assert {"exact", "contradicts NOT", "excluded contradicts", "excluded consistent"} <= seen


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("top", [3, 5])
def test_probabilities_and_scores_descend_together(ranker: PhenotypeRanker, method: str, top: int) -> None:
    ranking = ranker.rank(patient(ranker, [SEIZURE, ID, CATARACT]), method=method, top=top)
    ds = ranking.diagnoses
    assert [d.rank for d in ds] == list(range(1, top + 1))
    probs = [d.probability for d in ds]
    scores = [d.score for d in ds]
    assert all(0.0 <= x <= 1.0 for x in probs)
    assert sum(probs) <= 1.0 + 1e-9
    assert scores == sorted(scores, reverse=True)
    assert probs == sorted(probs, reverse=True)
    for a, b in zip(ds, ds[1:], strict=False):
        if a.score > b.score:
            assert a.probability > b.probability
    if top == ranking.n_ranked:
        assert sum(probs) == pytest.approx(1.0)


def test_ranking_is_stamped_with_versions(ranker: PhenotypeRanker, toy_kb: KnowledgeBase) -> None:
    ranking = ranker.rank(patient(ranker, [ASD]))
    assert ranking.method == "ensemble"
    assert ranking.kb_version == toy_kb.version
    assert ranking.software_version == "0.0.0+toy"
    assert ranking.diagnoses[0].ids in {("OMIM:600003",), ("OMIM:600004",)}


def test_unknown_method_is_refused(ranker: PhenotypeRanker) -> None:
    with pytest.raises(ValueError, match="nope"):
        ranker.rank(patient(ranker, [ASD]), method="nope")


# ---- speed paths give the same scores -------------------------------------------------------

PATIENTS = [
    ([SEIZURE, ID], []),
    ([FOCAL_SEIZURE, ATAXIA, MICROCEPHALY], [CATARACT]),
    ([ASD, SHORT], [VSD]),
    ([GTC_SEIZURE, STRABISMUS, PDA, NERVOUS], [ID, SHORT]),
]


@pytest.mark.parametrize(("observed", "excluded"), PATIENTS)
@pytest.mark.parametrize("min_diseases", [0, 1, 2])
def test_dense_columns_give_identical_scores(
    crowded_ranker: PhenotypeRanker, observed: list[str], excluded: list[str], min_diseases: int
) -> None:
    """General columns applied as dense vectors must not change a single bit of any score."""
    r = crowded_ranker
    dense = build_dense_columns(r.index, min_diseases=min_diseases)
    assert (dense.position >= 0).any()
    p = patient(r, observed, excluded)
    for name in ("likelihood-ratio", "similarity"):
        scorer = r.scorers[name]
        assert isinstance(scorer, (LikelihoodRatioScorer, ResnikScorer))
        with_dense = replace(scorer, dense=dense).score(p)
        without = replace(scorer, dense=None).score(p)
        assert np.array_equal(with_dense, without), name


def test_likelihood_ratio_over_more_terms_than_a_log_block(ranker: PhenotypeRanker) -> None:
    """Ratios are multiplied in blocks of 16 before one logarithm: the score over every
    phenotype of the toy ontology (17 observed terms) is still the sum of the per-term logs."""
    o = ranker.kb.ontology
    lr = ranker.scorers["likelihood-ratio"]
    assert isinstance(lr, LikelihoodRatioScorer)
    terms = [t for t, _, parents in TERMS if parents and t != PA]
    assert len(terms) > 16
    ix = ranker.index
    expected = np.zeros(ix.n)
    for t in terms:
        single = lr.score_parts(Patient((o.index(t),)))[0]
        none = lr.score_parts(Patient(()))[0]
        expected += single - none  # the prior and demographics are shared by every call
    expected += lr.score_parts(Patient(()))[0]
    got = lr.score_parts(Patient(tuple(o.index(t) for t in terms)))[0]
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-9)
