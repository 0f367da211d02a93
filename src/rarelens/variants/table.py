"""Columnar variants: one row per (VCF record, ALT allele), NumPy arrays, no object per record.

A genome holds about five million records; a Python object per record would cost minutes and
gigabytes, so every per-variant step works on these arrays, and only the few hundred variants
that reach a report become objects. Multi-allelic records are split into one row per ALT allele
at read time (``allele`` keeps the ALT index) so that every downstream step sees biallelic rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

# Canonical contigs get fixed codes so that tables from different files (a VCF, a frequency
# file, ClinVar) join on integers. Other contigs are appended per table after these.
CANONICAL_CONTIGS: tuple[str, ...] = (*(str(i) for i in range(1, 23)), "X", "Y", "M")
CHROM_X = 22
CHROM_Y = 23
CHROM_M = 24

# Genotype codes per sample and ALT allele.
GT_MISSING = -1
GT_HOM_REF = 0
GT_HET = 1
GT_HOM_ALT = 2  # every called allele is this ALT: 1/1, and haploid 1 (hemizygous)


def normalize_contig(name: str) -> str:
    """``chr1``/``1``/``CHR1`` → ``1``; ``chrM``/``MT`` → ``M``. Unknown names pass through."""
    n = name.strip()
    if n[:3].lower() == "chr":
        n = n[3:]
    up = n.upper()
    if up in ("MT", "M"):
        return "M"
    if up in ("X", "Y"):
        return up
    return n


def contig_code(name: str) -> int:
    """Code of a canonical contig, or -1."""
    n = normalize_contig(name)
    try:
        return CANONICAL_CONTIGS.index(n)
    except ValueError:
        return -1


@dataclass(frozen=True, slots=True)
class VariantTable:
    """Per-row arrays (length n) and per-sample matrices (n × samples).

    ``contigs`` maps ``chrom`` codes to names: its first 25 entries are `CANONICAL_CONTIGS`;
    non-canonical contigs of the file follow. ``line`` is the 1-based line of the record in
    its file (record number for BCF) so that every message can point at the source.
    """

    contigs: tuple[str, ...]
    samples: tuple[str, ...]
    chrom: npt.NDArray[np.int16]
    pos: IntArray  # 1-based
    id: ObjArray  # "." when absent
    ref: ObjArray
    alt: ObjArray
    allele: npt.NDArray[np.int8]  # 1-based ALT index in the source record
    qual: npt.NDArray[np.float32]  # NaN when "."
    filter: ObjArray  # "PASS", "." or the failed filter names
    info: ObjArray  # raw INFO text, parsed lazily for the rows that matter
    genotype: npt.NDArray[np.int8]  # GT_* codes, n × samples
    gq: npt.NDArray[np.int16]  # -1 when missing
    dp: npt.NDArray[np.int32]  # -1 when missing
    line: IntArray

    def __len__(self) -> int:
        return len(self.pos)

    @property
    def filter_pass(self) -> npt.NDArray[np.bool_]:
        f = self.filter
        return np.asarray((f == "PASS") | (f == "."), dtype=bool)

    @property
    def ref_len(self) -> IntArray:
        return np.fromiter((len(r) for r in self.ref), dtype=np.int64, count=len(self))

    @property
    def alt_len(self) -> IntArray:
        return np.fromiter((len(a) for a in self.alt), dtype=np.int64, count=len(self))

    def take(self, rows: npt.ArrayLike) -> VariantTable:
        """The subset ``rows`` (indices or a boolean mask), same contigs and samples."""
        idx = np.asarray(rows)
        cols = {name: getattr(self, name)[idx] for name in ROW_COLUMNS}
        return VariantTable(contigs=self.contigs, samples=self.samples, **cols)

    def contig_name(self, row: int) -> str:
        return self.contigs[int(self.chrom[row])]

    def key(self, row: int) -> str:
        """``chr-pos-ref-alt`` as Exomiser and gnomAD print it, e.g. ``10-121496701-T-G``."""
        return f"{self.contig_name(row)}-{int(self.pos[row])}-{self.ref[row]}-{self.alt[row]}"


# The per-row arrays (and n × samples matrices): every field but the table-wide ones.
ROW_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in fields(VariantTable) if f.name not in ("contigs", "samples")
)


def concat_tables(tables: list[VariantTable]) -> VariantTable:
    """Join chunks of one file (same samples). Contig lists may have grown chunk by chunk;
    the longest one is a prefix-extension of the others because codes are only appended."""
    if not tables:
        raise ValueError("no tables to join")
    contigs = max((t.contigs for t in tables), key=len)
    samples = tables[0].samples
    for t in tables:
        if t.samples != samples:
            raise ValueError("cannot join variant tables with different samples")
        if contigs[: len(t.contigs)] != t.contigs:
            raise ValueError("cannot join variant tables with inconsistent contig codes")
    cols = {name: np.concatenate([getattr(t, name) for t in tables]) for name in ROW_COLUMNS}
    return VariantTable(contigs=contigs, samples=samples, **cols)


def empty_table(samples: tuple[str, ...], contigs: tuple[str, ...] = CANONICAL_CONTIGS) -> VariantTable:
    s = len(samples)
    obj = np.empty(0, dtype=object)
    return VariantTable(
        contigs=contigs,
        samples=samples,
        chrom=np.empty(0, dtype=np.int16),
        pos=np.empty(0, dtype=np.int64),
        id=obj,
        ref=obj.copy(),
        alt=obj.copy(),
        allele=np.empty(0, dtype=np.int8),
        qual=np.empty(0, dtype=np.float32),
        filter=obj.copy(),
        info=obj.copy(),
        genotype=np.empty((0, s), dtype=np.int8),
        gq=np.empty((0, s), dtype=np.int16),
        dp=np.empty((0, s), dtype=np.int32),
        line=np.empty(0, dtype=np.int64),
    )
