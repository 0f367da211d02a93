"""Stream a VCF's chunks once and keep only the variants that can matter: the proband carries
the ALT allele and the variant can change a protein or its splicing in some gene. A genome's
five million rows become a few tens of thousands, with counts of everything dropped kept for
the report, so nothing is lost silently."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from rarelens.variants.annotate import RegionAnnotation, annotate_regions
from rarelens.variants.consequence import CONSEQUENCES, PROTEIN_OR_SPLICE, RANK
from rarelens.variants.genes import GeneModel
from rarelens.variants.table import GT_HET, VariantTable, concat_tables, empty_table

_KEEP_CODES = np.asarray(sorted(RANK[c] for c in PROTEIN_OR_SPLICE), dtype=np.int16)
# VEP/SnpEff words that mark a variant worth parsing even where our gene table sees nothing.
_SEVERE = re.compile(
    r"(CSQ|ANN)=[^;]*(splice|stop_|frameshift|missense|inframe|start_lost|transcript_ablation|protein_altering|exon_loss)"
)


@dataclass(frozen=True, slots=True)
class Candidates:
    table: VariantTable
    regions: RegionAnnotation  # variant indices refer to rows of ``table``
    records: int  # rows read (after multi-allelic split)
    not_carried: int  # rows where the proband has no ALT allele
    worst_consequence: Counter[str] = field(default_factory=Counter)  # over all carried rows


def collect_candidates(
    chunks: Iterable[VariantTable],
    genes: GeneModel,
    *,
    proband: int = 0,
    keep_annotated: bool = False,
) -> Candidates:
    """``keep_annotated``: the VCF carries VEP/SnpEff annotations; keep rows they call severe
    even when our gene table calls them intronic or misses the gene."""
    kept: list[VariantTable] = []
    kept_regions: list[RegionAnnotation] = []
    records = not_carried = 0
    worst: Counter[str] = Counter()
    offset = 0
    samples: tuple[str, ...] = ()
    for chunk in chunks:
        samples = chunk.samples
        records += len(chunk)
        if len(chunk) == 0:
            continue
        if chunk.genotype.shape[1]:
            carried = chunk.genotype[:, proband] >= GT_HET
        else:  # sites-only VCF: every row is the proband's
            carried = np.ones(len(chunk), dtype=bool)
        not_carried += int((~carried).sum())
        rows = np.flatnonzero(carried)
        sub = chunk.take(rows)
        ann = annotate_regions(genes, sub.chrom, sub.pos, sub.ref_len, sub.alt_len)
        w = np.full(len(sub), len(CONSEQUENCES), dtype=np.int16)
        np.minimum.at(w, ann.variant, ann.consequence)
        for code, n in zip(*np.unique(w, return_counts=True), strict=True):
            worst[CONSEQUENCES[int(code)][0] if code < len(CONSEQUENCES) else "unannotated"] += int(n)
        keep_pair = np.isin(ann.consequence, _KEEP_CODES)
        keep_row = np.zeros(len(sub), dtype=bool)
        keep_row[ann.variant[keep_pair]] = True
        if keep_annotated:
            keep_row |= np.fromiter((bool(_SEVERE.search(s)) for s in sub.info), dtype=bool, count=len(sub))
        idx = np.flatnonzero(keep_row)
        remap = np.full(len(sub), -1, dtype=np.int64)
        remap[idx] = np.arange(len(idx)) + offset
        pair_sel = keep_row[ann.variant]
        kept.append(sub.take(idx))
        kept_regions.append(_take_pairs(ann, pair_sel, remap))
        offset += len(idx)
    table = concat_tables(kept) if kept else empty_table(samples)
    return Candidates(
        table=table,
        regions=_concat_regions(kept_regions),
        records=records,
        not_carried=not_carried,
        worst_consequence=worst,
    )


def _take_pairs(ann: RegionAnnotation, sel: npt.NDArray[np.bool_], remap: npt.NDArray[np.int64]) -> RegionAnnotation:
    return RegionAnnotation(
        variant=remap[ann.variant[sel]],
        gene=ann.gene[sel],
        consequence=ann.consequence[sel],
        exon=ann.exon[sel],
        splice_distance=ann.splice_distance[sel],
        in_splice_region=ann.in_splice_region[sel],
    )


def _concat_regions(parts: list[RegionAnnotation]) -> RegionAnnotation:
    if not parts:
        e = np.empty(0, dtype=np.int64)
        return RegionAnnotation(e, e.copy(), np.empty(0, np.int16), np.empty(0, np.int16), e.copy(), np.empty(0, bool))
    return RegionAnnotation(
        variant=np.concatenate([p.variant for p in parts]),
        gene=np.concatenate([p.gene for p in parts]),
        consequence=np.concatenate([p.consequence for p in parts]),
        exon=np.concatenate([p.exon for p in parts]),
        splice_distance=np.concatenate([p.splice_distance for p in parts]),
        in_splice_region=np.concatenate([p.in_splice_region for p in parts]),
    )
