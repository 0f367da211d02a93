"""Gene-table annotation, one scenario per test, on a hand-made gene model whose answers are known.

Coordinates follow the gene tables: exon starts 0-based, ends 1-based inclusive. Variant
positions are 1-based VCF positions.

PLUS (chr1, + strand), exons 1001–1100 | 1301–1400 | 1701–2000: exon 1, 2, 3 left to right;
intron 1 is 1101–1300 (donor at 1101/1102, acceptor at 1299/1300).

MINUS (chr1, − strand), exons 10001–10300 | 10601–10700 | 10901–11000: transcript order runs
right to left, so 10901–11000 is exon 1 and 10001–10300 exon 3; the intron 10301–10600 has its
donor at 10600/10599 (next to exon 2) and its acceptor at 10301/10302 (next to exon 3).

OVA (chr2, +) and OVB (chr2, −) overlap at 1201–1500.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from rarelens.variants.annotate import FLANK, annotate_regions
from rarelens.variants.consequence import CONSEQUENCES
from rarelens.variants.genes import GeneModel, GeneRecord, build_gene_model
from rarelens.variants.table import contig_code

GENES = build_gene_model(
    [
        GeneRecord("PLUS", "1", "+", 1000, 2000, (1000, 1300, 1700), (1100, 1400, 2000)),
        GeneRecord("MINUS", "1", "-", 10000, 11000, (10000, 10600, 10900), (10300, 10700, 11000)),
        GeneRecord("OVA", "chr2", "+", 1000, 3000, (1000, 2500), (1500, 3000)),
        GeneRecord("OVB", "chr2", "-", 1200, 1600, (1200,), (1600,)),
    ],
    build="GRCh38",
    source="hand-made",
)


@dataclass(frozen=True)
class Row:
    gene: str
    consequence: str
    exon: int
    splice_distance: int
    in_splice_region: bool


def annotate(*variants: tuple[str, int, str, str], genes: GeneModel = GENES) -> list[list[Row]]:
    """Rows per input variant, in input order."""
    ann = annotate_regions(
        genes,
        np.asarray([contig_code(c) for c, _, _, _ in variants], dtype=np.int16),
        np.asarray([p for _, p, _, _ in variants], dtype=np.int64),
        np.asarray([len(r) for _, _, r, _ in variants], dtype=np.int64),
        np.asarray([len(a) for _, _, _, a in variants], dtype=np.int64),
    )
    out: list[list[Row]] = [[] for _ in variants]
    for k in range(len(ann)):
        g = int(ann.gene[k])
        out[int(ann.variant[k])].append(Row(
            genes.symbol[g] if g >= 0 else "", CONSEQUENCES[int(ann.consequence[k])][0], int(ann.exon[k]),
            int(ann.splice_distance[k]), bool(ann.in_splice_region[k]),
        ))
    return out


def one(chrom: str, pos: int, ref: str = "A", alt: str = "G") -> Row:
    rows = annotate((chrom, pos, ref, alt))[0]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(("pos", "exon"), [(1001, 1), (1050, 1), (1350, 2), (1800, 3), (2000, 3)])
def test_exonic_snv_on_plus_strand_is_exon_variant_numbered_left_to_right(pos: int, exon: int) -> None:
    row = one("1", pos)
    assert (row.gene, row.consequence, row.exon) == ("PLUS", "exon_variant", exon)


@pytest.mark.parametrize(("pos", "exon"), [(10950, 1), (10901, 1), (10650, 2), (10100, 3), (10001, 3)])
def test_exonic_snv_on_minus_strand_is_numbered_in_transcript_order(pos: int, exon: int) -> None:
    row = one("1", pos)
    assert (row.gene, row.consequence, row.exon) == ("MINUS", "exon_variant", exon)


@pytest.mark.parametrize(("pos", "offset"), [(1101, 1), (1102, 2)])
def test_canonical_donor_plus_strand(pos: int, offset: int) -> None:
    row = one("1", pos)
    assert row.consequence == "splice_donor_variant"
    assert row.splice_distance == offset
    assert row.in_splice_region


@pytest.mark.parametrize(("pos", "offset"), [(1300, 1), (1299, 2)])
def test_canonical_acceptor_plus_strand(pos: int, offset: int) -> None:
    row = one("1", pos)
    assert row.consequence == "splice_acceptor_variant"
    assert row.splice_distance == offset
    assert row.in_splice_region


@pytest.mark.parametrize(("pos", "offset"), [(10600, 1), (10599, 2)])
def test_canonical_donor_minus_strand_is_at_the_high_end_of_the_intron(pos: int, offset: int) -> None:
    row = one("1", pos)
    assert row.consequence == "splice_donor_variant"
    assert row.splice_distance == offset


@pytest.mark.parametrize(("pos", "offset"), [(10301, 1), (10302, 2)])
def test_canonical_acceptor_minus_strand_is_at_the_low_end_of_the_intron(pos: int, offset: int) -> None:
    row = one("1", pos)
    assert row.consequence == "splice_acceptor_variant"
    assert row.splice_distance == offset


@pytest.mark.parametrize("pos", [1105, 10596])
def test_fifth_intronic_base_of_the_donor_on_each_strand(pos: int) -> None:
    row = one("1", pos)
    assert row.consequence == "splice_donor_5th_base_variant"
    assert row.splice_distance == 5
    assert row.in_splice_region


def test_fifth_base_on_the_acceptor_side_is_only_splice_region() -> None:
    assert one("1", 1296).consequence == "splice_region_variant"  # acceptor −5 (+ strand)
    assert one("1", 10305).consequence == "splice_region_variant"  # acceptor −5 (− strand)


@pytest.mark.parametrize("pos", [1103, 1108, 1293, 1298, 10598, 10593, 10303, 10308])
def test_intronic_bases_3_to_8_are_splice_region(pos: int) -> None:
    row = one("1", pos)
    assert row.consequence == "splice_region_variant"
    assert 3 <= row.splice_distance <= 8
    assert row.in_splice_region


@pytest.mark.parametrize("pos", [1109, 1292, 10592, 10309, 1200])
def test_intronic_base_9_and_deeper_is_intron_variant(pos: int) -> None:
    row = one("1", pos)
    assert row.consequence == "intron_variant"
    assert not row.in_splice_region


def test_exonic_base_next_to_an_internal_boundary_is_in_the_splice_region() -> None:
    row = one("1", 1301)  # first base of exon 2
    assert (row.consequence, row.exon, row.splice_distance, row.in_splice_region) == ("exon_variant", 2, 1, True)
    assert not one("1", 1001).in_splice_region  # transcript start is no splice boundary


@pytest.mark.parametrize(
    ("ref", "alt", "consequence"),
    [
        ("AC", "A", "frameshift_variant"),  # 1 base deleted
        ("ACGTA", "A", "frameshift_variant"),  # 4 deleted
        ("ACGT", "A", "inframe_deletion"),  # 3 deleted
        ("A", "AC", "frameshift_variant"),  # 1 inserted
        ("A", "ACGT", "inframe_insertion"),  # 3 inserted
        ("A", "ACGTACG", "inframe_insertion"),  # 6 inserted
    ],
)
def test_exonic_indels_frameshift_or_inframe_by_length(ref: str, alt: str, consequence: str) -> None:
    for chrom, pos, gene, exon in (("1", 1350, "PLUS", 2), ("1", 10650, "MINUS", 2)):
        row = one(chrom, pos, ref, alt)
        assert (row.gene, row.consequence, row.exon) == (gene, consequence, exon)


def test_deletion_from_exon_into_the_following_intron_hits_the_donor_plus_strand() -> None:
    # Deletes 1396–1405: the last 5 bases of exon 2 and the first 5 of intron 2 (donor side on +).
    assert one("1", 1395, "A" * 11, "A").consequence == "splice_donor_variant"


def test_deletion_from_intron_into_exon_hits_the_acceptor_plus_strand() -> None:
    # Deletes 1296–1305: the last 5 bases of intron 1 and the first 5 of exon 2.
    assert one("1", 1295, "A" * 11, "A").consequence == "splice_acceptor_variant"


def test_deletion_crossing_boundaries_on_minus_strand_follows_transcript_direction() -> None:
    # 10596–10605: intron end next to exon 2 = the donor on the − strand.
    assert one("1", 10595, "A" * 11, "A").consequence == "splice_donor_variant"
    # 10696–10705: exon 2's high end into the intron before it = the acceptor on the − strand.
    assert one("1", 10695, "A" * 11, "A").consequence == "splice_acceptor_variant"


def test_deletion_inside_one_exon_does_not_count_as_crossing() -> None:
    assert one("1", 1340, "A" * 7, "A").consequence == "inframe_deletion"


def test_upstream_and_downstream_follow_the_strand() -> None:
    assert one("1", 500).consequence == "upstream_gene_variant"  # before a + gene
    assert one("1", 2500).consequence == "downstream_gene_variant"  # after a + gene
    assert one("1", 11500).consequence == "upstream_gene_variant"  # after a − gene
    assert one("1", 9500).consequence == "downstream_gene_variant"  # before a − gene
    assert one("1", 1000).consequence == "upstream_gene_variant"  # 1-based 1000 is before 0-based start 1000


def test_flank_ends_at_5kb() -> None:
    genes = build_gene_model([GeneRecord("LONE", "4", "+", 100_000, 101_000, (100_000,), (101_000,))],
                             build="GRCh38", source="hand-made")
    assert annotate(("4", 101_000 + FLANK, "A", "G"), genes=genes)[0][0].consequence == "downstream_gene_variant"
    assert annotate(("4", 100_000 - FLANK + 1, "A", "G"), genes=genes)[0][0].consequence == "upstream_gene_variant"
    for pos in (101_001 + FLANK, 100_000 - FLANK):
        row = annotate(("4", pos, "A", "G"), genes=genes)[0][0]
        assert (row.gene, row.consequence) == ("", "intergenic_variant")


def test_intergenic_on_a_chromosome_without_genes_and_far_from_genes() -> None:
    for chrom, pos in (("3", 5000), ("1", 50_000)):
        row = one(chrom, pos)
        assert (row.gene, row.consequence, row.exon, row.splice_distance) == ("", "intergenic_variant", 0, -1)


def test_variant_in_overlapping_genes_gives_one_row_per_gene() -> None:
    rows = annotate(("chr2", 1400, "A", "G"))[0]
    assert {(r.gene, r.consequence, r.exon) for r in rows} == {("OVA", "exon_variant", 1), ("OVB", "exon_variant", 1)}


def test_rows_stay_in_variant_order_and_every_variant_gets_a_row() -> None:
    variants = [("3", 5000, "A", "G"), ("1", 1350, "A", "G"), ("chr2", 1400, "A", "G"), ("1", 50_000, "A", "G")]
    rows = annotate(*variants)
    assert [len(r) for r in rows] == [1, 1, 2, 1]


def test_long_deletion_reaching_into_the_next_bin_meets_the_gene_there() -> None:
    # A gene starting just past a 131 kb bin edge; a deletion starting in the previous bin
    # (more than FLANK before the gene) and running into its first exon.
    edge = 1 << 17
    genes = build_gene_model([GeneRecord("FAR", "5", "+", edge + 6000, edge + 9000, (edge + 6000,), (edge + 9000,))],
                             build="GRCh38", source="hand-made")
    start = edge - 100
    rows = annotate(("5", start, "A" * (6200 + 100), "A"), genes=genes)[0]
    assert [r.gene for r in rows] == ["FAR"]
