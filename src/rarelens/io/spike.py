"""Spike a case's causal variants into a background exome, the protocol Exomiser and LIRICAL
benchmarks use: the background's own records in the causal gene are removed first (so the
gold variant is the gene's only explanation, as in the published recipe), then the case's
GRCh38 records are added with their zygosity and a confident genotype."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rarelens.io.phenopacket import CaseVariant
from rarelens.variants.genes import GeneModel
from rarelens.variants.table import (
    GT_HET,
    GT_HOM_ALT,
    VariantTable,
    concat_tables,
    contig_code,
)

GRCH38_NAMES = frozenset({"hg38", "grch38", "grch38.p13", "grch38.p14"})


def usable_variants(variants: Sequence[CaseVariant]) -> list[CaseVariant]:
    """The case's variants with a GRCh38 VCF record on a canonical contig and plain alleles."""
    out = []
    for v in variants:
        if v.assembly.lower() not in GRCH38_NAMES or contig_code(v.chrom) < 0:
            continue
        if not v.ref or not v.alt or not set(v.ref.upper() + v.alt.upper()) <= set("ACGTN"):
            continue
        out.append(v)
    return out


def spike_variants(
    background: VariantTable,
    variants: Sequence[CaseVariant],
    genes: GeneModel,
    *,
    clear_genes: Sequence[str] = (),
) -> VariantTable:
    """Background (one sample) + ``variants``; records inside ``clear_genes`` spans removed."""
    keep = np.ones(len(background), dtype=bool)
    for symbol in clear_genes:
        g = genes.find(symbol)
        if g is None:
            continue
        keep &= ~(
            (background.chrom == genes.chrom[g])
            & (background.pos > genes.tx_start[g])
            & (background.pos <= genes.tx_end[g])
        )
    base = background.take(np.flatnonzero(keep))
    n = len(variants)
    s = len(background.samples)
    gt = np.zeros((n, s), dtype=np.int8)
    for i, v in enumerate(variants):
        gt[i, :] = GT_HOM_ALT if v.zygosity in ("homozygous", "hemizygous") else GT_HET
    spiked = VariantTable(
        contigs=background.contigs,
        samples=background.samples,
        chrom=np.asarray([contig_code(v.chrom) for v in variants], dtype=np.int16),
        pos=np.asarray([v.pos for v in variants], dtype=np.int64),
        id=np.asarray(["."] * n, dtype=object),
        ref=np.asarray([v.ref.upper() for v in variants], dtype=object),
        alt=np.asarray([v.alt.upper() for v in variants], dtype=object),
        allele=np.ones(n, dtype=np.int8),
        qual=np.full(n, 100.0, dtype=np.float32),
        filter=np.asarray(["PASS"] * n, dtype=object),
        info=np.asarray(["SPIKED"] * n, dtype=object),
        genotype=gt,
        gq=np.full((n, s), 99, dtype=np.int16),
        dp=np.full((n, s), 40, dtype=np.int32),
        line=np.zeros(n, dtype=np.int64),
    )
    both = concat_tables([base, spiked])
    order = np.lexsort((both.pos, both.chrom))
    return both.take(order)
