"""`rarelens benchmark consult`: the summary arithmetic and the simulated patient, on hand-made rows."""

from __future__ import annotations

from typing import Any

import pytest

from rarelens.cli.benchmark_consult import summarize_consultations
from rarelens.consult.questions import recorded_answer
from rarelens.kb.knowledge_base import KnowledgeBase

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
