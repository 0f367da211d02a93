"""Gene models as flat arrays: one transcript per gene, exons concatenated gene by gene.

Annotation asks "which genes and exons does each of millions of positions touch"; with the
exons of all genes in one sorted array per coordinate that question is a handful of
``searchsorted`` calls instead of a Python loop, which is what makes a genome take seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from rarelens.variants.table import contig_code

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class GeneRecord:
    """One row of a gene table as read from disk (0-based starts, 1-based inclusive ends)."""

    symbol: str
    chrom: str
    strand: str  # "+" | "-"
    tx_start: int
    tx_end: int
    exon_starts: tuple[int, ...]
    exon_ends: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GeneModel:
    """Genes sorted by (chrom, tx_start); exons of gene g are rows exon_ptr[g]:exon_ptr[g+1],
    ascending by position whatever the strand. ``build``/``source`` say where it came from."""

    build: str
    source: str
    symbol: tuple[str, ...]
    chrom: npt.NDArray[np.int16]
    strand: npt.NDArray[np.int8]  # +1 / -1
    tx_start: IntArray  # 0-based
    tx_end: IntArray  # 1-based inclusive
    exon_ptr: IntArray
    exon_start: IntArray  # 0-based
    exon_end: IntArray  # 1-based inclusive
    _by_symbol: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_symbol", {s: i for i, s in enumerate(self.symbol)})

    def __len__(self) -> int:
        return len(self.symbol)

    def find(self, symbol: str) -> int | None:
        return self._by_symbol.get(symbol)

    @property
    def exon_count(self) -> IntArray:
        return np.diff(self.exon_ptr)

    @property
    def exonic_length(self) -> IntArray:
        """Summed exon length per gene: the target size over which background variants accrue."""
        lengths = self.exon_end - self.exon_start
        return np.add.reduceat(lengths, self.exon_ptr[:-1]) if len(self) else np.zeros(0, np.int64)


def build_gene_model(records: Iterable[GeneRecord], *, build: str, source: str) -> GeneModel:
    """Check and index gene records. Records on contigs outside 1–22/X/Y/M are dropped (they
    cannot be joined to normalised VCF contigs); a symbol seen twice keeps its first row, as the
    caller lists its preferred table first."""
    rows: list[tuple[int, int, GeneRecord]] = []
    seen: set[str] = set()
    for r in records:
        code = contig_code(r.chrom)
        if code < 0 or r.symbol in seen:
            continue
        if len(r.exon_starts) != len(r.exon_ends) or not r.exon_starts:
            raise ValueError(f"gene {r.symbol}: exon start and end lists differ in length or are empty")
        seen.add(r.symbol)
        rows.append((code, r.tx_start, r))
    rows.sort(key=lambda t: (t[0], t[1]))
    n = len(rows)
    exon_ptr = np.zeros(n + 1, dtype=np.int64)
    starts: list[int] = []
    ends: list[int] = []
    for i, (_, _, r) in enumerate(rows):
        pairs = sorted(zip(r.exon_starts, r.exon_ends, strict=True))
        starts.extend(p[0] for p in pairs)
        ends.extend(p[1] for p in pairs)
        exon_ptr[i + 1] = len(starts)
    return GeneModel(
        build=build,
        source=source,
        symbol=tuple(r.symbol for _, _, r in rows),
        chrom=np.asarray([c for c, _, _ in rows], dtype=np.int16),
        strand=np.asarray([1 if r.strand == "+" else -1 for _, _, r in rows], dtype=np.int8),
        tx_start=np.asarray([r.tx_start for _, _, r in rows], dtype=np.int64),
        tx_end=np.asarray([r.tx_end for _, _, r in rows], dtype=np.int64),
        exon_ptr=exon_ptr,
        exon_start=np.asarray(starts, dtype=np.int64),
        exon_end=np.asarray(ends, dtype=np.int64),
    )
