"""Columnar storage for the knowledge base's big tables.

Hundreds of thousands of annotation rows as Python objects would take seconds to load; as
NumPy arrays plus dictionary-encoded strings they load in milliseconds and index directly in
the ranking code. `StringColumn` is that dictionary encoding: a code per row and a pool of
distinct values, which is also how Arrow stores categorical text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class StringColumn:
    codes: IntArray
    pool: tuple[str, ...]

    @classmethod
    def from_values(cls, values: Iterable[str]) -> StringColumn:
        index: dict[str, int] = {}
        codes = [index.setdefault(v, len(index)) for v in values]
        return cls(np.asarray(codes, dtype=np.int32), tuple(index))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: int) -> str:
        return self.pool[int(self.codes[i])]

    def __iter__(self) -> Iterator[str]:
        pool = self.pool
        return (pool[c] for c in self.codes.tolist())

    def take(self, rows: Sequence[int] | IntArray) -> list[str]:
        pool = self.pool
        return [pool[c] for c in self.codes[np.asarray(rows, dtype=np.int64)].tolist()]


def int_column(values: Iterable[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int32)


def group_rows(keys: IntArray, n_groups: int) -> tuple[IntArray, IntArray]:
    """CSR index of rows by key, so 'all rows of disease d' is a slice, not a scan."""
    order = np.argsort(keys, kind="stable").astype(np.int32)
    counts = np.bincount(keys, minlength=n_groups)
    indptr = np.zeros(n_groups + 1, dtype=np.int32)
    indptr[1:] = np.cumsum(counts)
    return indptr, order
