"""Site-level resources joined on (contig code, position, REF, ALT): population frequency
tables (a sites VCF, a TSV, the lab's in-house table) and ClinVar. The I/O layer fills them,
ideally only for the candidate sites of one case, and the core joins on exact alleles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

SiteKey = tuple[int, int, str, str]


@dataclass(frozen=True, slots=True)
class SiteResource:
    """``values[column][row]``; ``index`` maps a site to its row. ``kind`` is "frequency" or
    "clinvar"; ``columns`` of a frequency resource are allele frequencies (population names)."""

    name: str
    kind: str
    release: str
    path: str
    index: Mapping[SiteKey, int]
    values: Mapping[str, Sequence[str]]
    covers: str = "all sites"  # what absence means, for the report
    positions: Mapping[int, npt.NDArray[np.int64]] = field(default_factory=dict)  # ClinVar P/LP missense per contig

    def __len__(self) -> int:
        return len(self.index)

    def row(self, key: SiteKey) -> int | None:
        return self.index.get(key)

    def frequencies(self, key: SiteKey) -> dict[str, float]:
        r = self.index.get(key)
        if r is None:
            return {}
        out = {}
        for col, vals in self.values.items():
            try:
                x = float(vals[r])
            except (TypeError, ValueError):
                continue
            if x == x:  # not NaN
                out[f"{self.name}:{col}"] = x
        return out

    def field(self, key: SiteKey, column: str) -> str | None:
        r = self.index.get(key)
        if r is None or column not in self.values:
            return None
        v = self.values[column][r]
        return v or None

    def pathogenic_nearby(self, chrom: int, pos: int, window: int) -> int:
        arr = self.positions.get(chrom)
        if arr is None or len(arr) == 0:
            return 0
        return int(np.searchsorted(arr, pos + window, "right") - np.searchsorted(arr, pos - window, "left"))
