"""VCF input (and a minimal writer): the one place where variant files are read.

The work is split by concern: `vcf_header` (opening, header lines), `vcf_gzip` (gzip/BGZF
that reports where a cut file stops), `vcf_records` (record lines → columns), `vcf_reader`
(streaming), `vcf_bcf` (BCF through cyvcf2) and `vcf_build` (genome build and contig checks).
Import from here.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from rarelens.io.vcf_build import BuildCall, check_build, check_contig_naming, detect_build
from rarelens.io.vcf_header import (
    FIXED_COLUMNS,
    InfoDef,
    VcfFormatError,
    VcfHeader,
    canonical_contig,
    read_vcf_header,
)
from rarelens.io.vcf_reader import iter_vcf_chunks, read_vcf

__all__ = [
    "BuildCall",
    "InfoDef",
    "VcfFormatError",
    "VcfHeader",
    "canonical_contig",
    "check_build",
    "check_contig_naming",
    "detect_build",
    "iter_vcf_chunks",
    "read_vcf",
    "read_vcf_header",
    "write_vcf",
]


def write_vcf(
    path: str | Path,
    header: VcfHeader | Sequence[str],
    rows: Iterable[str],
    samples: Sequence[str] = (),
) -> int:
    """Write a VCF (gzip when ``path`` ends with ``.gz``; not BGZF, so not indexable) and return
    the number of records. Benchmarks use it to spike variants into a real background VCF.

    ``header`` is a `VcfHeader` (its ``##`` lines and samples are copied) or the ``##`` lines
    themselves, with ``samples`` naming the sample columns. ``rows`` are tab-separated records.
    """
    p = Path(path)
    if isinstance(header, VcfHeader):
        meta, names, with_format = header.meta_lines, header.samples, header.has_format_column
    else:
        meta, names, with_format = tuple(header), tuple(samples), bool(samples)
    if not meta or not meta[0].startswith("##fileformat="):
        meta = ("##fileformat=VCFv4.2", *meta)
    columns = [*FIXED_COLUMNS, *(("FORMAT", *names) if with_format else ())]
    n = 0
    with _open_out(p) as out:
        for line in meta:
            out.write(line.rstrip("\r\n") + "\n")
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write(row.rstrip("\r\n") + "\n")
            n += 1
    return n


def _open_out(path: Path) -> TextIO:
    if path.name.endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8", newline="\n")
    return path.open("w", encoding="utf-8", newline="\n")
