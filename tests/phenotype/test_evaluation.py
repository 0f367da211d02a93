"""Benchmark arithmetic: ties count against the gold, misses count as misses."""

from __future__ import annotations

import numpy as np
import pytest

from rarelens.phenotype.evaluation import gold_rank, summarize


def test_gold_rank_plain() -> None:
    s = np.array([0.1, 3.0, 2.0, -1.0])
    assert gold_rank(s, [1]) == 1
    assert gold_rank(s, [2]) == 2
    assert gold_rank(s, [0]) == 3
    assert gold_rank(s, [3]) == 4


@pytest.mark.parametrize("gold", [0, 2])
def test_tie_at_the_top_counts_against_the_gold(gold: int) -> None:
    s = np.array([5.0, 1.0, 5.0, 0.0])
    assert gold_rank(s, [gold]) == 2


def test_tie_lower_down_counts_against_the_gold() -> None:
    s = np.array([9.0, 4.0, 4.0, 4.0, 1.0])
    assert gold_rank(s, [2]) == 4  # the top one and both tied rows are at least as high


def test_any_gold_row_is_a_hit_and_the_best_counts() -> None:
    s = np.array([0.5, 3.0, 2.0, 1.0, 0.0])
    assert gold_rank(s, [4, 2, 0]) == 2
    assert gold_rank(s, [3, 4]) == 3
    assert gold_rank(s, [4]) == 5


def test_no_gold_is_none() -> None:
    assert gold_rank(np.array([1.0, 2.0]), []) is None


def test_summarize_all_found() -> None:
    out = summarize([1, 2, 4, 8, 20])
    assert out["n"] == 5
    assert out["top1"] == pytest.approx(0.2)
    assert out["top3"] == pytest.approx(0.4)
    assert out["top5"] == pytest.approx(0.6)
    assert out["top10"] == pytest.approx(0.8)
    assert out["mrr"] == pytest.approx(round((1 + 1 / 2 + 1 / 4 + 1 / 8 + 1 / 20) / 5, 4))
    assert out["median_rank"] == 4


def test_misses_count_as_misses() -> None:
    out = summarize([1, None, 3, None])
    assert out["n"] == 4
    assert out["top1"] == pytest.approx(0.25)  # not 1/2: the misses stay in the denominator
    assert out["top3"] == pytest.approx(0.5)
    assert out["top10"] == pytest.approx(0.5)
    assert out["mrr"] == pytest.approx(round((1 + 1 / 3) / 4, 4))


def test_median_rank_with_a_minority_of_misses() -> None:
    assert summarize([2, 4, None])["median_rank"] == 4  # sorted 2, 4, ∞
    assert summarize([1, 3, 5, 7, None])["median_rank"] == 5


@pytest.mark.parametrize("ranks", [[1, None, None], [None], [3, None], [None, None, 2, 1, None]])
def test_median_rank_none_when_most_are_misses(ranks: list[int | None]) -> None:
    assert summarize(ranks)["median_rank"] is None


def test_all_misses() -> None:
    out = summarize([None, None])
    assert out["n"] == 2
    assert out["top1"] == out["top10"] == out["mrr"] == 0
    assert out["median_rank"] is None


def test_empty() -> None:
    assert summarize([])["n"] == 0
