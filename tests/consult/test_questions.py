"""Question choice by expected information gain, on hand-made arrays and the fixture ontology.

The gain is the mutual information between the patient's answer and the disease among the
leading candidates (`rarelens.consult.questions`). The arrays here are small enough to work the
expected values out by hand; the ontology checks use the mini HPO of ``tests/fixtures/data``:

    HP:0000118 Phenotypic abnormality
    ├── HP:0000098 Tall stature ── HP:0001519 Disproportionate tall stature
    ├── HP:0040064 Abnormality of limbs ── HP:0001238 Slender finger ── HP:0001166 Arachnodactyly
    ├── HP:0000478 Abnormality of the eye ── HP:0001083 Ectopia lentis
    ├── HP:0001626 Abnormality of the cardiovascular system ── HP:0002616 Aortic root aneurysm
    └── HP:0000271, HP:0003074, HP:0004322, HP:0011033 (no children)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from rarelens.consult.questions import (
    AnswerModel,
    askable_terms,
    block_at,
    build_any_of,
    dense_block,
    entropy_bits,
    known_mask,
    mutual_information,
    question_order,
)
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.ontology import Ontology
from rarelens.phenotype.index import build_phenotype_index

ALL, PA = "HP:0000001", "HP:0000118"
TALL, DISPROPORTIONATE_TALL = "HP:0000098", "HP:0001519"
LIMBS, SLENDER_FINGER, ARACHNODACTYLY = "HP:0040064", "HP:0001238", "HP:0001166"
EYE, ECTOPIA_LENTIS = "HP:0000478", "HP:0001083"
CARDIO, AORTIC_ROOT = "HP:0001626", "HP:0002616"
FACE, HYPERGLYCEMIA, SHORT, FRUCTOSE = "HP:0000271", "HP:0003074", "HP:0004322", "HP:0011033"
INHERITANCE, AD = "HP:0000005", "HP:0000006"
OBSOLETE_AORTA = "HP:0002631"

# A yes/no question answered truthfully: P(yes | d) = f, P(no | d) = 1 - f, never "unknown".
TRUTHFUL = AnswerModel(recall=1.0, false_yes=0.0, negative_rate=1.0)


def outcomes(f: list[list[float]], model: AnswerModel = AnswerModel(), negated: list[list[float]] | None = None):  # noqa: B008
    fa = np.asarray(f, dtype=np.float64)
    neg = np.zeros_like(fa) if negated is None else np.asarray(negated, dtype=np.float64)
    return model.outcome_probabilities(fa, neg)


def naive_mi(prior: np.ndarray, probs: list[np.ndarray], col: int) -> float:
    """I(A; D) = Σ_d Σ_a p(d) p(a|d) log2(p(a|d) / p(a)), one term at a time."""
    total = 0.0
    for a in range(len(probs)):
        pa = sum(prior[d] * probs[a][d, col] for d in range(len(prior)))
        for d in range(len(prior)):
            pad = probs[a][d, col]
            if pad > 0 and prior[d] > 0:
                total += prior[d] * pad * math.log2(pad / pa)
    return total


# --- mutual_information -------------------------------------------------------------------

def test_separating_term_beats_shared_term() -> None:
    """Two equally likely diseases: A is present in one (f=1) and absent in the other (f=0),
    B is present in both. Asking about B tells nothing; asking about A tells something."""
    prior = np.array([0.5, 0.5])
    gains = mutual_information(prior, outcomes([[1.0, 1.0], [0.0, 1.0]]))
    assert gains.shape == (2,)
    assert gains[1] == pytest.approx(0.0, abs=1e-12)
    assert gains[0] > 0.1
    assert gains[0] > gains[1]


def test_default_answer_model_gain_matches_hand_computation() -> None:
    """Default model: P(yes) = 0.02 + 0.6 f, P(no) = 0.1 (1 - f), unknown the rest.
    f = 1 → (0.62, 0, 0.38); f = 0 → (0.02, 0.1, 0.88); marginal (0.32, 0.05, 0.63)."""
    prior = np.array([0.5, 0.5])
    yes, no, unknown = outcomes([[1.0], [0.0]])
    np.testing.assert_allclose(yes[:, 0], [0.62, 0.02])
    np.testing.assert_allclose(no[:, 0], [0.0, 0.1])
    np.testing.assert_allclose(unknown[:, 0], [0.38, 0.88])

    def h(ps: list[float]) -> float:
        return -sum(p * math.log2(p) for p in ps if p > 0)

    expected = h([0.32, 0.05, 0.63]) - 0.5 * h([0.62, 0.0, 0.38]) - 0.5 * h([0.02, 0.1, 0.88])
    assert mutual_information(prior, (yes, no, unknown))[0] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.3794, abs=1e-4)


def test_perfectly_separating_truthful_question_is_one_bit() -> None:
    prior = np.array([0.5, 0.5])
    gains = mutual_information(prior, outcomes([[1.0], [0.0]], TRUTHFUL))
    assert gains[0] == pytest.approx(1.0, abs=1e-12)
    # with a 1:3 prior the answer is worth exactly the prior's entropy
    skewed = np.array([0.25, 0.75])
    assert mutual_information(skewed, outcomes([[1.0], [0.0]], TRUTHFUL))[0] == pytest.approx(
        entropy_bits(skewed), abs=1e-12
    )
    assert entropy_bits(skewed) == pytest.approx(0.811278, abs=1e-6)


def test_gain_grows_with_the_frequency_gap() -> None:
    """Against a candidate without the term, the more frequent the term in the other, the more
    the question is worth (mutual information is convex in P(a | d) and 0 at f = 0)."""
    prior = np.array([0.6, 0.4])
    fs = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
    gains = mutual_information(prior, outcomes([fs, [0.0] * len(fs)]))
    assert gains[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(gains) > 0)


def test_negated_annotation_makes_yes_unlikely() -> None:
    yes, no, unknown = outcomes([[0.8], [0.8]], negated=[[0.0], [1.0]])
    assert yes[1, 0] == pytest.approx(0.002)  # false_yes / 10
    assert no[1, 0] == pytest.approx(0.1)  # negative_rate
    assert yes[1, 0] + no[1, 0] + unknown[1, 0] == pytest.approx(1.0)
    gains = mutual_information(np.array([0.5, 0.5]), (yes, no, unknown))
    assert gains[0] > 0.1  # the same frequency, but one disease is annotated NOT to have it


def test_gain_is_never_negative_and_never_above_prior_entropy() -> None:
    rng = np.random.default_rng(7)
    for k in (2, 3, 5, 12):
        prior = rng.dirichlet(np.ones(k))
        f = rng.random((k, 40))
        f[:, :5] = 0.0  # uninformative columns
        f[:, 5:10] = 1.0
        neg = (rng.random((k, 40)) < 0.1).astype(np.float64)
        neg[:, :10] = 0.0
        for model in (AnswerModel(), TRUTHFUL, AnswerModel(recall=0.9, false_yes=0.05, negative_rate=0.5)):
            probs = model.outcome_probabilities(f, neg)
            np.testing.assert_allclose(sum(probs), 1.0, atol=1e-12)
            gains = mutual_information(prior, probs)
            assert np.all(gains >= 0.0)
            assert np.all(gains <= entropy_bits(prior) + 1e-9)
            np.testing.assert_allclose(gains[:10], 0.0, atol=1e-12)
            for col in (10, 23, 39):
                assert gains[col] == pytest.approx(naive_mi(prior, list(probs), col), abs=1e-10)


def test_entropy_bits() -> None:
    assert entropy_bits(np.array([0.5, 0.5])) == pytest.approx(1.0)
    assert entropy_bits(np.array([1.0, 0.0])) == 0.0
    assert entropy_bits(np.full(8, 1 / 8)) == pytest.approx(3.0)


# --- question_order -----------------------------------------------------------------------

def test_question_order_by_gain_then_lower_ic_then_column() -> None:
    ic = np.zeros(10)
    ic[[2, 3, 5, 7, 9]] = [2.0, 1.0, 1.0, 0.5, 3.0]
    cols = np.array([9, 2, 5, 3, 7], dtype=np.int64)
    gains = np.array([0.9, 0.4, 0.4, 0.4, 0.1])
    order = question_order(cols, gains, ic)
    # 9 has the highest gain; among the 0.4s: 3 and 5 (ic 1) before 2 (ic 2), 3 before 5 by
    # column; 7 last despite the lowest IC.
    assert cols[order].tolist() == [9, 3, 5, 2, 7]


def test_question_order_treats_rounding_noise_as_a_tie() -> None:
    ic = np.array([0.0, 2.0, 1.0])
    cols = np.array([1, 2], dtype=np.int64)
    gains = np.array([0.3 + 1e-12, 0.3])  # the specific term 1 is "better" by float noise only
    assert cols[question_order(cols, gains, ic)].tolist() == [2, 1]


# --- known_mask and askable_terms on the fixture ontology ---------------------------------

def brute_force_known(o: Ontology, cols: list[int], observed: list[int], excluded: list[int], unknown: list[int]) -> list[bool]:
    return [
        any(o.is_descendant_of(t, c) for t in observed)  # c is an ancestor of (or is) an observed term
        or any(o.is_descendant_of(c, t) for t in excluded + unknown)
        for c in cols
    ]


def test_known_mask_marks_ancestors_of_observed_and_descendants_of_excluded_and_unknown(kb: KnowledgeBase) -> None:
    o = kb.ontology
    i = o.index
    cols = np.arange(len(o), dtype=np.int64)
    mask = known_mask(o, cols, observed=[i(ARACHNODACTYLY)], excluded=[i(CARDIO)], unknown=[i(TALL)])
    known = {o.ids[c] for c in cols[mask].tolist()}
    assert known == {
        ARACHNODACTYLY, SLENDER_FINGER, LIMBS, PA, ALL,  # the observed term and its ancestors
        CARDIO, AORTIC_ROOT,  # the excluded subtree
        TALL, DISPROPORTIONATE_TALL,  # the unknown subtree
    }
    # siblings and relatives in other directions stay askable
    assert not mask[i(ECTOPIA_LENTIS)]
    assert not mask[i(EYE)]
    assert not mask[i(FACE)]
    assert mask.tolist() == brute_force_known(o, cols.tolist(), [i(ARACHNODACTYLY)], [i(CARDIO)], [i(TALL)])


def test_known_mask_does_not_mark_descendants_of_observed_or_ancestors_of_excluded(kb: KnowledgeBase) -> None:
    o = kb.ontology
    i = o.index
    cols = np.asarray(sorted([i(SLENDER_FINGER), i(ARACHNODACTYLY), i(LIMBS), i(TALL), i(DISPROPORTIONATE_TALL)]), dtype=np.int64)
    mask = known_mask(o, cols, observed=[i(SLENDER_FINGER)], excluded=[i(DISPROPORTIONATE_TALL)], unknown=[])
    got = dict(zip([o.ids[c] for c in cols.tolist()], mask.tolist(), strict=True))
    assert got == {
        SLENDER_FINGER: True, LIMBS: True,
        ARACHNODACTYLY: False,  # more specific than what is observed: still worth asking
        DISPROPORTIONATE_TALL: True,
        TALL: False,  # a patient without disproportionate tall stature may still be tall
    }


def test_known_mask_matches_brute_force_on_every_combination(kb: KnowledgeBase) -> None:
    o = kb.ontology
    cols = np.arange(len(o), dtype=np.int64)
    rng = np.random.default_rng(3)
    for _ in range(30):
        obs, exc, unk = (sorted(rng.choice(len(o), size=rng.integers(0, 3), replace=False).tolist()) for _ in range(3))
        got = known_mask(o, cols, observed=obs, excluded=exc, unknown=unk)
        assert got.tolist() == brute_force_known(o, cols.tolist(), obs, exc, unk), (obs, exc, unk)


def test_known_mask_with_nothing_known_and_no_columns(kb: KnowledgeBase) -> None:
    o = kb.ontology
    cols = np.arange(len(o), dtype=np.int64)
    assert not known_mask(o, cols, observed=[], excluded=[], unknown=[]).any()
    assert known_mask(o, np.zeros(0, dtype=np.int64), observed=[1], excluded=[2], unknown=[3]).shape == (0,)


def test_askable_terms_on_the_fixture_are_the_curated_findings_below_the_organ_systems(kb: KnowledgeBase) -> None:
    """Askable: under an organ-system heading, not obsolete, and annotated directly by at least
    two diseases (and a tenth of those implying it). Slender finger is only implied (through
    Arachnodactyly), so it is not a question curators would record."""
    o = kb.ontology
    ix = build_phenotype_index(kb)
    ok = askable_terms(o, ix.root, ix.direct, ix.implied)
    assert {o.ids[t] for t in np.flatnonzero(ok).tolist()} == {
        DISPROPORTIONATE_TALL, ARACHNODACTYLY, ECTOPIA_LENTIS, AORTIC_ROOT,
    }
    for t in (PA, ALL, TALL, LIMBS, CARDIO, SLENDER_FINGER, HYPERGLYCEMIA, SHORT, FRUCTOSE, INHERITANCE, AD, OBSOLETE_AORTA):
        assert not ok[o.index(t)], t


def test_askable_terms_need_direct_use_by_two_diseases(kb: KnowledgeBase) -> None:
    o = kb.ontology
    i = o.index
    n = len(o)
    # Slender finger annotated directly by rows 0 and 1, Arachnodactyly by row 2 only,
    # Face (an organ-system heading) by all three.
    cells = [(0, SLENDER_FINGER), (1, SLENDER_FINGER), (2, ARACHNODACTYLY), (0, FACE), (1, FACE), (2, FACE)]
    direct = sp.csr_matrix(([0.5] * len(cells), ([r for r, _ in cells], [i(t) for _, t in cells])), shape=(3, n))
    implied = sp.csc_matrix(build_any_of(o, direct))
    ok = askable_terms(o, i(PA), direct, implied)
    assert {o.ids[t] for t in np.flatnonzero(ok).tolist()} == {SLENDER_FINGER}


# --- build_any_of, dense_block, block_at --------------------------------------------------

def test_build_any_of_is_a_noisy_or_over_annotated_descendants(kb: KnowledgeBase) -> None:
    o = kb.ontology
    i = o.index
    n = len(o)
    # row 0: Tall stature 0.5 and its child Disproportionate tall stature 0.7;
    # row 1: Arachnodactyly 1.0 (capped at 0.999) and its parent Slender finger 0.2;
    # row 2: Ectopia lentis 0.4 only.
    direct = sp.csr_matrix(
        (
            [0.5, 0.7, 1.0, 0.2, 0.4],
            ([0, 0, 1, 1, 2], [i(TALL), i(DISPROPORTIONATE_TALL), i(ARACHNODACTYLY), i(SLENDER_FINGER), i(ECTOPIA_LENTIS)]),
        ),
        shape=(3, n),
    )
    got = build_any_of(o, direct).toarray()
    tall_any = 1 - (1 - 0.5) * (1 - 0.7)  # 0.85
    finger_any = 1 - (1 - 0.999) * (1 - 0.2)  # 0.9992
    expected = {
        (0, TALL): tall_any, (0, DISPROPORTIONATE_TALL): 0.7, (0, PA): tall_any, (0, ALL): tall_any,
        (1, ARACHNODACTYLY): 0.999, (1, SLENDER_FINGER): finger_any, (1, LIMBS): finger_any,
        (1, PA): finger_any, (1, ALL): finger_any,
        (2, ECTOPIA_LENTIS): 0.4, (2, EYE): 0.4, (2, PA): 0.4, (2, ALL): 0.4,
    }
    want = np.zeros((3, n))
    for (row, term), value in expected.items():
        want[row, i(term)] = value
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert got[0, i(TALL)] == pytest.approx(0.85)
    assert got[1, i(SLENDER_FINGER)] == pytest.approx(0.9992)


def test_build_any_of_on_the_fixture_index_matches_brute_force(kb: KnowledgeBase) -> None:
    o = kb.ontology
    ix = build_phenotype_index(kb)
    direct = ix.direct.tocsr()
    got = build_any_of(o, direct).toarray()
    want = np.zeros_like(got)
    for row in range(direct.shape[0]):
        annotated = {int(t): float(f) for t, f in zip(direct[row].indices, direct[row].data, strict=True)}
        for term in range(len(o)):
            below = [f for t, f in annotated.items() if o.is_descendant_of(t, term)]
            if below:
                want[row, term] = 1 - math.prod(1 - min(f, 0.999) for f in below)
    np.testing.assert_allclose(got, want, atol=1e-12)
    # noisy-or is never below the ranking's implied frequency (the maximum)
    assert np.all(got + 1e-12 >= np.minimum(ix.implied.toarray(), 0.999))
    # Marfan: Tall stature (TAS, no frequency: 0.5) with Disproportionate tall stature 38/53
    marfan = next(r for r, c in enumerate(ix.concepts.tolist()) if kb.concepts.id[c] == "MONDO:0007947")
    assert got[marfan, o.index(TALL)] == pytest.approx(1 - 0.5 * (1 - 38 / 53))


def test_dense_block_and_block_at_match_scipy_indexing() -> None:
    m = sp.csr_matrix(np.array([
        [0.0, 0.3, 0.0, 0.0, 0.9],
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [0.5, 0.0, 0.0, 0.2, 0.0],
        [0.0, 0.7, 0.0, 0.0, 0.1],
    ]))
    rows = np.array([3, 0, 1], dtype=np.int64)
    cols, block = dense_block(m, rows)
    assert cols.tolist() == [1, 4]
    np.testing.assert_allclose(block, m.toarray()[rows][:, [1, 4]])
    empty_cols, empty = dense_block(m, np.array([1], dtype=np.int64))
    assert empty_cols.shape == (0,)
    assert empty.shape == (1, 0)
    want_cols = np.array([0, 3, 4], dtype=np.int64)
    np.testing.assert_allclose(block_at(m, rows, want_cols), m.toarray()[rows][:, want_cols])
    np.testing.assert_allclose(block_at(m, np.array([2], dtype=np.int64), np.array([1, 2], dtype=np.int64)), [[0.0, 0.0]])
    assert block_at(m, rows, np.zeros(0, dtype=np.int64)).shape == (3, 0)
