"""Read gene tables (symbol, chrom, strand, tx_start, tx_end, exon_starts, exon_ends) from the
data folder: ``genomics/genes/genes_<build>.tsv.gz``, then the lifted supplement that fills
genes the GRCh38 table lacks (G6PD, ALMS1, IKBKG …)."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

from rarelens.variants.genes import GeneModel, GeneRecord, build_gene_model

BUILDS = ("GRCh38", "GRCh37")
_COLUMNS = ("symbol", "chrom", "strand", "tx_start", "tx_end", "exon_starts", "exon_ends")


class GeneTableError(ValueError):
    pass


def gene_table_paths(data_dir: Path, build: str) -> list[Path]:
    """The tables for ``build`` in preference order; missing files are left out."""
    genes = data_dir / "genomics" / "genes"
    tag = build.lower()
    paths = [genes / f"genes_{tag}.tsv.gz", genes / f"genes_{tag}_supplement_lifted.tsv.gz"]
    return [p for p in paths if p.exists()]


def _ints(text: str, path: Path, line: int) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.strip().strip(",").split(",") if x)
    except ValueError:
        raise GeneTableError(f"{path}:{line}: exon list {text[:40]!r} is not comma-separated integers") from None


def read_gene_records(path: Path) -> Iterator[GeneRecord]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader, None)
        if header is None or tuple(header[:7]) != _COLUMNS:
            raise GeneTableError(
                f"{path}: expected the columns {', '.join(_COLUMNS)}; got {header!r}. "
                "Fix: pass a gene table in the genomics/genes format (see the data README)"
            )
        for i, row in enumerate(reader, start=2):
            if len(row) < 7:
                raise GeneTableError(f"{path}:{i}: {len(row)} columns, expected 7")
            try:
                yield GeneRecord(
                    symbol=row[0], chrom=row[1], strand=row[2], tx_start=int(row[3]), tx_end=int(row[4]),
                    exon_starts=_ints(row[5], path, i), exon_ends=_ints(row[6], path, i),
                )
            except ValueError as exc:
                if isinstance(exc, GeneTableError):
                    raise
                raise GeneTableError(f"{path}:{i}: transcript start/end are not integers") from None


def load_gene_model(data_dir: Path, build: str = "GRCh38") -> GeneModel:
    if build not in BUILDS:
        raise GeneTableError(f"unknown genome build {build!r}; choose one of {', '.join(BUILDS)}")
    paths = gene_table_paths(data_dir, build)
    if not paths:
        raise GeneTableError(
            f"no gene table for {build} under {data_dir / 'genomics' / 'genes'}. "
            "Fix: set RARELENS_DATA to the data folder or run `rarelens kb fetch`"
        )

    def records() -> Iterator[GeneRecord]:
        for p in paths:
            yield from read_gene_records(p)

    return build_gene_model(records(), build=build, source=" + ".join(p.name for p in paths))
