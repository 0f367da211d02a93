"""Run benchmark work in forked worker processes that inherit the loaded knowledge base.

Loading a knowledge base and its indexes takes seconds; forked workers share the parent's
copy instead of reloading it. The shared objects go into `SHARED` just before the pool starts
and are read only inside the workers; with one job the same code runs in-process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import Progress

T = TypeVar("T")
R = TypeVar("R")

SHARED: dict[str, Any] = {}


def map_forked(
    worker: Callable[[T], list[R]],
    work: Sequence[T],
    *,
    shared: dict[str, Any],
    jobs: int,
    label: str,
    total: int,
    console: Console,
) -> list[R]:
    """Every result of ``worker`` over ``work`` (in completion order), with a progress bar that
    advances by the number of results each work item returns."""
    SHARED.update(shared)
    parallel = jobs > 1 and "fork" in multiprocessing.get_all_start_methods()
    results: list[R] = []
    try:
        with contextlib.ExitStack() as stack:
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(jobs)) if parallel else None
            progress = stack.enter_context(Progress(console=console, transient=True))
            task = progress.add_task(f"{label} ({jobs if parallel else 1} jobs)", total=total)
            for part in pool.imap_unordered(worker, work) if pool else map(worker, work):
                results.extend(part)
                progress.advance(task, len(part))
    finally:
        SHARED.clear()
    return results


def chunks(n: int, size: int) -> list[list[int]]:
    """Index lists of at most ``size`` covering range(n): one work item each."""
    return [list(range(i, min(i + size, n))) for i in range(0, n, size)]
