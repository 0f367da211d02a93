"""Benchmark arithmetic: ranks with ties counted against the gold, and the summary figures.

A hit is a ranked concept containing any of the case's gold ids. The gold's rank is 1 + the
number of *other* concepts scoring at least as high, so a tie never flatters the method.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def gold_rank(scores: npt.NDArray[np.float64], gold_rows: Sequence[int]) -> int | None:
    """Best rank among the gold rows; None when no gold concept is ranked."""
    if not gold_rows:
        return None
    return min(int((scores >= scores[r]).sum()) for r in gold_rows)


def summarize(ranks: Sequence[int | None]) -> dict[str, float | int | None]:
    """Top-k, MRR and median rank; a case without a ranked gold counts as a miss (rank ∞)."""
    n = len(ranks)
    if n == 0:
        return {"n": 0}
    found = [r for r in ranks if r is not None]
    arr = np.asarray(found, dtype=float)

    def top(k: int) -> float:
        return round(float((arr <= k).sum()) / n, 4)

    return {
        "n": n,
        "top1": top(1),
        "top3": top(3),
        "top5": top(5),
        "top10": top(10),
        "mrr": round(float((1.0 / arr).sum()) / n, 4),
        "median_rank": _median_with_misses(found, n),
    }


def _median_with_misses(found: list[int], n: int) -> float | None:
    """Median rank counting unranked golds as infinitely low; None if that median is a miss."""
    values = sorted(found) + [float("inf")] * (n - len(found))
    m = statistics.median(values)
    return None if m == float("inf") else float(m)
