"""`rarelens benchmark consult`: the summary arithmetic and the simulated patient, on hand-made rows."""

from __future__ import annotations

from typing import Any

import pytest

from consult.test_engine import fixture_tables
from rarelens.cli.benchmark_consult import _oracle_ranks, summarize_consultations
from rarelens.consult.engine import ConsultationEngine
from rarelens.consult.questions import recorded_answer
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.model.patient import Patient
from rarelens.phenotype.evaluation import gold_rank
from rarelens.phenotype.ranker import PhenotypeRanker

TALL, DISPROPORTIONATE_TALL = "HP:0000098", "HP:0001519"
LIMBS, SLENDER_FINGER, ARACHNODACTYLY = "HP:0040064", "HP:0001238", "HP:0001166"
ECTOPIA_LENTIS, CARDIO, AORTIC_ROOT = "HP:0001083", "HP:0001626", "HP:0002616"


def row(case: str, engine: list[int], random: list[int], full: int, ms: list[float],
        engine_answers: list[str], random_answers: list[str]) -> dict[str, Any]:
    return {"case": case, "engine": engine, "random": random, "full": full, "step_ms": ms,
            "engine_answers": engine_answers, "random_answers": random_answers}


ROWS = [
    # gold rank after 0, 1, 2 questions
    row("a", [20, 5, 1], [20, 20, 15], 1, [1.0, 2.0], ["yes", "no"], ["unknown", "unknown"]),
    row("b", [3, 2, 2], [3, 3, 2], 2, [3.0, 4.0], ["unknown", "yes"], ["unknown", "yes"]),
    row("c", [50, 40, 12], [50, 50, 50], 4, [5.0, 6.0], ["no", "unknown"], ["unknown", "unknown"]),
    row("d", [1, 1, 1], [1, 1, 1], 1, [7.0, 100.0], ["yes", "yes"], ["no", "unknown"]),
]


def test_summary_curves_and_gap_closed() -> None:
    r = summarize_consultations(ROWS, budget=2)
    assert r["n"] == 4
    assert r["engine"] == {"top1": [0.25, 0.25, 0.5], "top10": [0.5, 0.75, 0.75]}
    assert r["random"] == {"top1": [0.25, 0.25, 0.25], "top10": [0.5, 0.5, 0.5]}
    assert r["start"] == {"top1": 0.25, "top10": 0.5}
    assert r["full"] == {"top1": 0.5, "top10": 1.0}
    # top-10: start 2/4, engine 3/4, full 4/4 → the engine closed half of the gap
    assert r["engine_gain_top10"] == 0.25
    assert r["random_gain_top10"] == 0.0
    assert r["gap_closed"] == 0.5
    assert r["engine_over_random"] is None  # random gained nothing
    assert r["median_step_ms"] == 4.5
    assert r["p95_step_ms"] == pytest.approx(67.45, abs=0.01)  # numpy's linear interpolation over 8 steps
    assert r["answers"] == {"engine": {"yes": 4, "no": 2, "unknown": 2}, "random": {"unknown": 6, "yes": 1, "no": 1}}


def test_summary_engine_over_random() -> None:
    rows = [
        row("a", [20, 9, 5], [20, 20, 8], 1, [1.0], ["yes"], ["yes"]),
        row("b", [15, 12, 11], [15, 14, 13], 3, [1.0], ["no"], ["no"]),
    ]
    r = summarize_consultations(rows, budget=2)
    assert r["engine_gain_top10"] == 0.5
    assert r["random_gain_top10"] == 0.5
    assert r["engine_over_random"] == 1.0
    assert r["gap_closed"] == 0.5


def test_summary_without_gap_or_cases() -> None:
    r = summarize_consultations([row("a", [1, 1], [1, 1], 1, [], [], [])], budget=1)
    assert r["gap_closed"] is None  # start already as good as the full case
    assert r["median_step_ms"] is None
    assert r["p95_step_ms"] is None
    empty = summarize_consultations([], budget=1)
    assert empty["n"] == 0
    assert empty["engine"] == {"top1": [0.0, 0.0], "top10": [0.0, 0.0]}
    assert empty["gap_closed"] is None


@pytest.mark.parametrize(
    ("asked", "observed", "excluded", "expected"),
    [
        (ARACHNODACTYLY, [ARACHNODACTYLY], [], "yes"),  # the term itself
        (SLENDER_FINGER, [ARACHNODACTYLY], [], "yes"),  # a descendant is observed
        (LIMBS, [ARACHNODACTYLY], [], "yes"),
        (ARACHNODACTYLY, [SLENDER_FINGER], [], "unknown"),  # an ancestor observed says nothing
        (AORTIC_ROOT, [], [AORTIC_ROOT], "no"),
        (AORTIC_ROOT, [], [CARDIO], "no"),  # an ancestor is excluded
        (CARDIO, [], [AORTIC_ROOT], "unknown"),  # a descendant excluded says nothing
        (ECTOPIA_LENTIS, [TALL], [CARDIO], "unknown"),
        (DISPROPORTIONATE_TALL, [TALL], [DISPROPORTIONATE_TALL], "no"),
        (TALL, [DISPROPORTIONATE_TALL], [TALL], "yes"),  # contradictory case: observed wins
    ],
)
def test_simulated_answer(kb: KnowledgeBase, asked: str, observed: list[str], excluded: list[str], expected: str) -> None:
    o = kb.ontology
    got = recorded_answer(o, o.index(asked), tuple(o.index(t) for t in observed), tuple(o.index(t) for t in excluded))
    assert got == expected


# ---- the greedy oracle (--oracle) ----------------------------------------------------------

LDS1 = "MONDO:0012212"  # Loeys-Dietz syndrome 1: ectopia lentis 0/32, aortic root aneurysm 39/40


def test_oracle_asks_the_recorded_finding_that_lifts_the_gold(kb: KnowledgeBase) -> None:
    """An LDS1 patient presenting with long fingers: Marfan leads; the case's recorded findings
    are its aortic root aneurysm (yes) and no ectopia lentis (no). Each oracle step takes the
    answer whose ranking puts the gold highest, so its first rank is the best of the single
    answers and its second the rank with both; then nothing is left to ask."""
    o = kb.ontology
    ranker = PhenotypeRanker(kb)
    engine = ConsultationEngine(ranker, fixture_tables(o))
    gold = [ranker.row_of_concept(kb.find_concept(LDS1))]
    case = Patient(observed=tuple(o.index(t) for t in (ARACHNODACTYLY, AORTIC_ROOT)), excluded=(o.index(ECTOPIA_LENTIS),))
    s0 = engine.start(observed=[ARACHNODACTYLY])
    ranks = _oracle_ranks(engine, s0, case, gold, budget=3)
    assert len(ranks) == 4
    assert ranks[0] == gold_rank(engine.scores(s0), gold) > 1
    singles = [gold_rank(engine.scores(engine.answer(s0, t, v)), gold) for t, v in ((AORTIC_ROOT, "yes"), (ECTOPIA_LENTIS, "no"))]
    assert ranks[1] == min(singles) < ranks[0]
    both = engine.answer(engine.answer(s0, AORTIC_ROOT, "yes"), ECTOPIA_LENTIS, "no")
    assert ranks[2] == gold_rank(engine.scores(both), gold) <= ranks[1]
    assert ranks[3] == ranks[2]  # nothing left to ask: the rank stays


def test_summary_with_an_oracle_curve() -> None:
    rows = [dict(r, oracle=o) for r, o in zip(ROWS, ([20, 1, 1], [3, 1, 1], [50, 9, 9], [1, 1, 1]), strict=True)]
    r = summarize_consultations(rows, budget=2)
    assert r["oracle"] == {"top1": [0.25, 0.75, 0.75], "top10": [0.5, 1.0, 1.0]}
    assert r["oracle_gap_closed"] == 1.0
    assert "oracle" not in summarize_consultations(ROWS, budget=2)
