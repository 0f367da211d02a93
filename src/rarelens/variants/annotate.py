"""Gene-table annotation: which gene, which region, which SO consequence, for every variant.

Vectorised over all rows: genes are binned along each chromosome, every variant meets the
genes of its bin (a few on average) through ``searchsorted``, and exon look-ups use one sorted
key per (gene, exon start). The result is long-form, one row per (variant, gene) pair, because
overlapping genes are common and a variant must be judged in each of them.

Without coding sequence in the offline gene tables, an SNV inside an exon is ``exon_variant``
(coding effect unknown) and an indel inside an exon is frameshift or in-frame by its length;
VEP/SnpEff annotations in the VCF refine that where present (`rarelens.variants.csq`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarelens.variants.consequence import RANK
from rarelens.variants.genes import GeneModel

IntArray = npt.NDArray[np.int64]

FLANK = 5_000  # up/downstream window, as VEP's default
SPLICE_REGION_INTRON = 8  # intronic bases 3–8 from an exon: splice region (VEP)
SPLICE_REGION_EXON = 3  # exonic bases 1–3 from an internal boundary: splice region (VEP)
_BIN_SHIFT = 17  # 131 kb bins

C = RANK  # short alias: consequence name → code


@dataclass(frozen=True, slots=True)
class RegionAnnotation:
    """One row per (variant row, gene) pair; variants touching no gene get one row with gene -1
    (intergenic). ``exon`` is the 1-based exon number in transcript order (0 = not exonic);
    ``splice_distance`` the distance in bases to the nearest internal exon boundary (−1 when
    not applicable)."""

    variant: IntArray
    gene: IntArray
    consequence: npt.NDArray[np.int16]  # code into consequence.CONSEQUENCES
    exon: npt.NDArray[np.int16]
    splice_distance: IntArray
    in_splice_region: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.variant)


def _gene_bins(genes: GeneModel) -> tuple[IntArray, IntArray]:
    lo = (np.maximum(genes.tx_start - FLANK, 0)) >> _BIN_SHIFT
    hi = (genes.tx_end + FLANK) >> _BIN_SHIFT
    counts = hi - lo + 1
    g = np.repeat(np.arange(len(genes), dtype=np.int64), counts)
    offs = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    bins = np.repeat(lo, counts) + offs
    keys = (genes.chrom.astype(np.int64)[g] << 32) | bins
    order = np.argsort(keys, kind="stable")
    return keys[order], g[order]


def _pairs(keys: IntArray, bin_gene: IntArray, vkey: IntArray) -> tuple[IntArray, IntArray]:
    lo = np.searchsorted(keys, vkey, "left")
    hi = np.searchsorted(keys, vkey, "right")
    counts = hi - lo
    v = np.repeat(np.arange(len(vkey), dtype=np.int64), counts)
    offs = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return v, bin_gene[np.repeat(lo, counts) + offs]


def annotate_regions(
    genes: GeneModel,
    chrom: npt.NDArray[np.int16],
    pos: IntArray,
    ref_len: IntArray,
    alt_len: IntArray,
) -> RegionAnnotation:
    """Annotate variants given as arrays (1-based ``pos``; VCF REF/ALT lengths)."""
    n = len(pos)
    start = pos.astype(np.int64)
    end = start + np.maximum(ref_len, 1) - 1
    is_indel = ref_len != alt_len
    # The first base of a VCF indel is padding when REF and ALT share it; the change starts after.
    first = np.where(is_indel & (np.minimum(ref_len, alt_len) >= 1), start + 1, start)
    first = np.minimum(first, np.maximum(end, first))

    keys, bin_gene = _gene_bins(genes)
    ck = chrom.astype(np.int64) << 32
    v, g = _pairs(keys, bin_gene, ck | (start >> _BIN_SHIFT))
    # Long deletions reaching into the next bin also meet that bin's genes (deduplicated).
    spans = np.flatnonzero((end >> _BIN_SHIFT) != (start >> _BIN_SHIFT))
    if len(spans):
        v2, g2 = _pairs(keys, bin_gene, (ck | (end >> _BIN_SHIFT))[spans])
        v2 = spans[v2]
        seen = (v[np.isin(v, spans)] << 20) | g[np.isin(v, spans)]
        new = ~np.isin((v2 << 20) | g2, seen)
        v, g = np.concatenate([v, v2[new]]), np.concatenate([g, g2[new]])
    near = (start[v] <= genes.tx_end[g] + FLANK) & (end[v] > genes.tx_start[g] - FLANK)
    v, g = v[near], g[near]

    cons = np.full(len(v), C["intron_variant"], dtype=np.int16)
    exon_no = np.zeros(len(v), dtype=np.int16)
    sdist = np.full(len(v), -1, dtype=np.int64)
    ssr = np.zeros(len(v), dtype=bool)

    strand = genes.strand[g]
    before = end[v] <= genes.tx_start[g]  # entirely before tx (lower coordinates)
    after = start[v] > genes.tx_end[g]
    cons[before] = np.where(strand[before] > 0, C["upstream_gene_variant"], C["downstream_gene_variant"])
    cons[after] = np.where(strand[after] > 0, C["downstream_gene_variant"], C["upstream_gene_variant"])
    genic = ~(before | after)

    # Exon look-up at both ends of the changed span; the worse class wins.
    nexon = genes.exon_ptr[1:] - genes.exon_ptr[:-1]
    ekey = (np.repeat(np.arange(len(genes), dtype=np.int64), nexon) << 32) | genes.exon_start
    best = np.full(len(v), np.iinfo(np.int16).max, dtype=np.int16)
    exon_idx = np.full(len(v), -1, dtype=np.int64)
    dists = np.full(len(v), np.iinfo(np.int64).max, dtype=np.int64)
    idx_points = []
    for p in (first[v], end[v]):
        c, e_idx, d, region = _classify_point(genes, g, p, ekey)
        idx_points.append(e_idx)
        take = c < best
        best = np.where(take, c, best)
        exon_idx = np.where(take, e_idx, exon_idx)
        dists = np.minimum(dists, d)
        ssr |= region
    # A span that starts and ends in different exons/introns crosses a boundary: a splice change.
    crosses = idx_points[0] != idx_points[1]
    donor_side = _crossing_is_donor(genes, g, first[v], strand, ekey)
    cross_cons = np.where(donor_side, C["splice_donor_variant"], C["splice_acceptor_variant"]).astype(np.int16)
    best = np.where(crosses & (cross_cons < best), cross_cons, best)

    exonic = best == C["exon_variant"]
    indel = is_indel[v]
    diff = (alt_len - ref_len)[v]
    frameshift = exonic & indel & (diff % 3 != 0)
    inframe = exonic & indel & (diff % 3 == 0)
    best = np.where(frameshift, C["frameshift_variant"], best)
    best = np.where(inframe & (diff > 0), C["inframe_insertion"], best)
    best = np.where(inframe & (diff < 0), C["inframe_deletion"], best)

    cons[genic] = best[genic]
    has_exon = genic & (exon_idx >= 0) & np.isin(best, [C["exon_variant"], C["frameshift_variant"],
                                                         C["inframe_insertion"], C["inframe_deletion"]])
    local = exon_idx // 2 - genes.exon_ptr[g]  # exon_idx codes exon k as 2k (see _classify_point)
    exon_no[has_exon] = np.where(strand[has_exon] > 0, local[has_exon] + 1, nexon[g][has_exon] - local[has_exon]).astype(np.int16)
    sdist[genic] = np.where(dists[genic] == np.iinfo(np.int64).max, -1, dists[genic])

    # Variants that touch no gene at all: one intergenic row each.
    touched = np.zeros(n, dtype=bool)
    touched[v] = True
    lone = np.flatnonzero(~touched).astype(np.int64)
    order = np.argsort(np.concatenate([v, lone]), kind="stable")
    return RegionAnnotation(
        variant=np.concatenate([v, lone])[order],
        gene=np.concatenate([g, np.full(len(lone), -1, dtype=np.int64)])[order],
        consequence=np.concatenate([cons, np.full(len(lone), C["intergenic_variant"], dtype=np.int16)])[order],
        exon=np.concatenate([exon_no, np.zeros(len(lone), dtype=np.int16)])[order],
        splice_distance=np.concatenate([sdist, np.full(len(lone), -1, dtype=np.int64)])[order],
        in_splice_region=np.concatenate([ssr, np.zeros(len(lone), dtype=bool)])[order],
    )


def _classify_point(
    genes: GeneModel, g: IntArray, p: IntArray, ekey: IntArray
) -> tuple[npt.NDArray[np.int16], IntArray, IntArray, npt.NDArray[np.bool_]]:
    """Class of one 1-based position per pair, its exon/intron index (exon i → 2i, intron after
    exon i → 2i+1, outside → -1), distance to an internal boundary, splice-region flag."""
    lo = genes.exon_ptr[g]
    hi = genes.exon_ptr[g + 1]
    k = np.searchsorted(ekey, (g << 32) | (p - 1), "right") - 1  # last exon starting at or before p
    k = np.clip(k, lo, hi - 1)
    e_start = genes.exon_start[k] + 1  # 1-based first base
    e_end = genes.exon_end[k]
    in_exon = (p >= e_start) & (p <= e_end) & (p > genes.tx_start[g]) & (p <= genes.tx_end[g])
    big = np.iinfo(np.int64).max
    # Exonic: distance to the internal boundaries of this exon (not the transcript ends).
    d_left = np.where(k > lo, p - e_start + 1, big)  # 1 = first exonic base after an intron
    d_right = np.where(k < hi - 1, e_end - p + 1, big)
    d_exon = np.minimum(d_left, d_right)
    # Intronic (between exon k and k+1): distance from the end of k and to the start of k+1.
    k1 = np.minimum(k + 1, hi - 1)
    after_k = (p > e_end) & (k < hi - 1)
    d_from_prev = p - e_end
    d_to_next = genes.exon_start[k1] + 1 - p
    d_intron = np.where(after_k, np.minimum(d_from_prev, d_to_next), big)
    plus = genes.strand[g] > 0
    # Donor = 5' end of the intron in transcript direction.
    near_prev = d_from_prev <= d_to_next
    donor = np.where(plus, near_prev, ~near_prev)

    cons = np.full(len(g), C["intron_variant"], dtype=np.int16)
    cons[in_exon] = C["exon_variant"]
    canon = after_k & (d_intron <= 2)
    cons[canon & donor] = C["splice_donor_variant"]
    cons[canon & ~donor] = C["splice_acceptor_variant"]
    fifth = after_k & donor & (d_intron == 5)
    cons[fifth] = C["splice_donor_5th_base_variant"]
    region_intron = after_k & (d_intron >= 3) & (d_intron <= SPLICE_REGION_INTRON) & ~fifth
    cons[region_intron] = C["splice_region_variant"]
    region = region_intron | fifth | canon | (in_exon & (d_exon <= SPLICE_REGION_EXON))
    idx = np.where(in_exon, 2 * k, np.where(after_k, 2 * k + 1, -1))
    dist = np.where(in_exon, d_exon, np.where(after_k, d_intron, big))
    return cons, idx, dist, region


def _crossing_is_donor(
    genes: GeneModel, g: IntArray, p: IntArray, strand: npt.NDArray[np.int8], ekey: IntArray
) -> npt.NDArray[np.bool_]:
    """For a span crossing an exon boundary: starting inside an exon means it runs into the
    intron at the exon's 3' side on the + strand (a donor), and the reverse on the − strand."""
    lo = genes.exon_ptr[g]
    hi = genes.exon_ptr[g + 1]
    k = np.clip(np.searchsorted(ekey, (g << 32) | (p - 1), "right") - 1, lo, hi - 1)
    starts_in_exon = (p > genes.exon_start[k]) & (p <= genes.exon_end[k])
    return np.asarray(np.where(strand > 0, starts_in_exon, ~starts_in_exon), dtype=bool)
