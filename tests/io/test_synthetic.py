"""Synthetic inputs (`rarelens.io.synthetic`): the genome tiler, the BGZF writer and the trio
builder, on small hand-made backgrounds (no shared data needed)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest

from rarelens.io.synthetic import (
    BgzfWriter,
    make_genome,
    make_trio,
    read_spike_case,
    spike_shape_problem,
    tile_positions,
)
from rarelens.io.vcf import detect_build, read_vcf, read_vcf_header
from rarelens.io.vcf_build import LENGTHS
from rarelens.variants.genes import GeneRecord, build_gene_model
from rarelens.variants.table import CANONICAL_CONTIGS, CHROM_X

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
CONTIGS = [f"##contig=<ID=chr{n},length={n_len}>" for n, n_len in LENGTHS["GRCh38"].items()]
META = [
    "##fileformat=VCFv4.2",
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    *CONTIGS,
]
HEAD = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"


def write_background(path: Path, records: list[str], sample: str = "bg") -> Path:
    text = "\n".join([*META, f"{HEAD}\t{sample}", *records]) + "\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def rec(chrom: str, pos: int, ref: str, alt: str, gt: str, rid: str = ".") -> str:
    return "\t".join([chrom, str(pos), rid, ref, alt, "50.5", "PASS", f"DP={pos % 97}", "GT:AD:DP:GQ",
                      f"{gt}:5,5:10:{30 + pos % 60}"])


# -- genome -----------------------------------------------------------------------------------


@pytest.fixture
def tiny_background(tmp_path: Path) -> Path:
    return write_background(tmp_path / "bg.vcf.gz", [
        rec("chr1", 1000, "A", "G", "0/1", "rs1"),
        rec("chr2", 5000, "ACGTACGTAC", "A", "1/1", "rs2"),  # a 10-base REF must stay inside its contig
        rec("chr21", 46709980, "C", "T", "0/1"),  # 3 bases from the end of chr21
        rec("chrX", 2_000_000, "G", "GT", "0/1"),
        rec("chrY", 3_000_000, "T", "C", "1/1"),  # not a target contig: not used
        rec("chrUn_KI270742v1", 10, "T", "C", "0/1"),  # neither
    ])


def test_make_genome_tiles_records_over_the_genome(tiny_background: Path, tmp_path: Path) -> None:
    out = tmp_path / "genome.vcf.gz"
    seen: list[int] = []
    stats = make_genome(tiny_background, out, records=3000, seed=7, chunk_rows=700, progress=seen.append)
    assert stats.records == 3000
    assert sum(seen) == 3000
    assert stats.source_records == 4
    assert stats.dropped_source == 2
    raw = out.read_bytes()
    assert raw.endswith(BGZF_EOF)
    assert raw[12:14] == b"BC"
    header = read_vcf_header(out)
    assert header.samples == ("bg",)
    assert any(m.startswith("##rarelens_make_genome=<") and "Records=3000" in m for m in header.meta_lines)
    assert detect_build(header).build == "GRCh38"
    warnings: list[str] = []
    t = read_vcf(out, header, warnings=warnings)
    assert warnings == []
    assert len(t) == 3000
    # Sorted by contig then position, one record per position, every contig chr1-22, X present.
    key = t.chrom.astype(np.int64) * 10**10 + t.pos
    assert (np.diff(key) > 0).all()
    names = [t.contigs[c] for c in np.unique(t.chrom)]
    assert names == [*(str(i) for i in range(1, 23)), "X"]
    lengths = np.asarray([LENGTHS["GRCh38"][t.contigs[c]] for c in t.chrom])
    assert (t.pos >= 1).all()
    assert (t.pos + t.ref_len - 1 <= lengths).all()
    # Every record is a source record's REF/ALT/QUAL/FILTER/INFO/genotype text at a new place.
    sources = {("A", "G", "DP=30"), ("ACGTACGTAC", "A", "DP=53"), ("C", "T", f"DP={46709980 % 97}"),
               ("G", "GT", f"DP={2_000_000 % 97}")}
    assert {(str(r), str(a), str(i)) for r, a, i in zip(t.ref, t.alt, t.info, strict=True)} == sources
    assert set(t.id.tolist()) == {"."}
    assert set(t.filter.tolist()) == {"PASS"}
    assert set(t.qual.tolist()) == {np.float32(50.5)}
    assert set(np.unique(t.genotype).tolist()) == {1, 2}
    # Records spread with the contigs' lengths (chr1 is five times chr21).
    per = np.bincount(t.chrom, minlength=23)
    assert per[0] > 3 * per[20]


def test_make_genome_is_reproducible_and_plain_text_works(tiny_background: Path, tmp_path: Path) -> None:
    a = tmp_path / "a.vcf"
    b = tmp_path / "b.vcf.gz"
    c = tmp_path / "c.vcf"
    make_genome(tiny_background, a, records=500, seed=3)
    make_genome(tiny_background, b, records=500, seed=3)
    make_genome(tiny_background, c, records=500, seed=4)
    assert a.read_bytes() == gzip.decompress(b.read_bytes())
    assert a.read_text() != c.read_text()
    assert len(read_vcf(a)) == 500


def test_tile_positions_adds_copies_when_records_collide() -> None:
    # Two templates at the same place: half of every copy is a duplicate and is dropped.
    contig = np.asarray([0, 0], dtype=np.int64)
    pos = np.asarray([100, 100], dtype=np.int64)
    c, p, src, copies = tile_positions(contig, pos, np.ones(2, np.int64), 50, 1, [1000, 500])
    assert len(p) == 50
    assert copies >= 50
    key = c * 10**6 + p
    assert (np.diff(key) > 0).all()
    assert (p <= np.asarray([1000, 500])[c]).all()
    with pytest.raises(ValueError, match="at least 1"):
        tile_positions(contig, pos, np.ones(2, np.int64), 0, 1, [1000])


def test_bgzf_writer_round_trip(tmp_path: Path) -> None:
    rnd = random.Random(5)
    data = bytes(rnd.getrandbits(8) for _ in range(200_000))  # incompressible: stored blocks
    text = b"".join(b"chr1\t%d\tA\tG\n" % i for i in range(30_000))
    path = tmp_path / "x.gz"
    with BgzfWriter(path, level=1, threads=2) as w:
        w.write(data)
        w.write(text[:12345])
        w.write(text[12345:])
    raw = path.read_bytes()
    assert gzip.decompress(raw) == data + text
    assert raw.endswith(BGZF_EOF)
    # Every member is a BGZF block of at most 64 KiB.
    at = 0
    while at < len(raw):
        assert raw[at:at + 4] == b"\x1f\x8b\x08\x04"
        assert raw[at + 12:at + 14] == b"BC"
        size = int.from_bytes(raw[at + 16:at + 18], "little") + 1
        assert size <= 65536
        at += size
    assert at == len(raw)


# -- trio -------------------------------------------------------------------------------------

GENES = build_gene_model([
    GeneRecord("DOMG", "chr1", "+", 100_000, 120_000, (100_000, 110_000), (101_000, 120_000)),
    GeneRecord("RECG", "chr2", "-", 200_000, 230_000, (200_000, 220_000), (205_000, 230_000)),
], build="GRCh38", source="test")


def phenopacket(path: Path, gene: str, variants: list[tuple[str, int, str, str, str]], sex: str = "FEMALE") -> Path:
    zyg = {"het": "GENO:0000135", "hom": "GENO:0000136"}
    data = {
        "id": path.stem,
        "subject": {"id": "p", "sex": sex},
        "phenotypicFeatures": [{"type": {"id": "HP:0001166"}}, {"type": {"id": "HP:0000098"}},
                               {"type": {"id": "HP:0001083"}}, {"type": {"id": "HP:0000001"}, "excluded": True}],
        "interpretations": [{"id": "i", "diagnosis": {"disease": {"id": "OMIM:1"}, "genomicInterpretations": [
            {"subjectOrBiosampleId": "p", "interpretationStatus": "CAUSATIVE", "variantInterpretation": {
                "variationDescriptor": {
                    "id": f"v{i}", "geneContext": {"valueId": "HGNC:1", "symbol": gene},
                    "vcfRecord": {"genomeAssembly": "hg38", "chrom": c, "pos": str(p), "ref": r, "alt": a},
                    "allelicState": {"id": zyg[z]}}}}
            for i, (c, p, r, a, z) in enumerate(variants)]}}],
    }
    path.write_text(json.dumps(data))
    return path


def trio_background(path: Path, n: int = 3000, seed: int = 11) -> Path:
    rnd = random.Random(seed)
    rows: list[tuple[int, int, str]] = []
    for chrom, start in (("chr1", 90_000), ("chr2", 190_000), ("chr3", 10_000), ("chrX", 5_000_000),
                         ("chrY", 3_000_000)):
        k = CANONICAL_CONTIGS.index(chrom[3:])
        for i in range(n // 5):
            pos = start + i * 53
            gt = rnd.choices(["0/1", "1/1", "0|1", "1|0"], [80, 12, 4, 4])[0]
            rows.append((k, pos, rec(chrom, pos, "C", "T", gt)))
    rows.append((0, 48_001, rec("chr1", 48_001, "A", "C,G", "1/2")))  # two ALTs: one from each parent
    rows.append((0, 48_002, rec("chr1", 48_002, "A", "C", "./.")))
    rows.append((0, 48_003, rec("chr1", 48_003, "A", "C", "0/0")))
    rows.sort()
    return write_background(path, [r[2] for r in rows], sample="kid")


def mendelian_problems(c: int, f: int, m: int) -> bool:
    """True when the child's allele count cannot come from these parents (biallelic row codes)."""
    if c < 0 or f < 0 or m < 0:
        return False
    if c == 2:
        return f == 0 or m == 0
    if c == 1:
        return f == 0 and m == 0
    return f == 2 or m == 2


def test_make_trio_is_mendelian_except_the_de_novo(tmp_path: Path) -> None:
    bg = trio_background(tmp_path / "bg.vcf.gz")
    dom = read_spike_case(phenopacket(tmp_path / "dom.json", "DOMG", [("chr1", 100_500, "G", "A", "het")], "MALE"))
    rec_case = read_spike_case(phenopacket(tmp_path / "rec.json", "RECG",
                                           [("chr2", 200_700, "T", "TA", "het"), ("chr2", 225_000, "C", "G", "het")]))
    assert dom is not None
    assert rec_case is not None
    assert spike_shape_problem(dom, "dominant", GENES) is None
    assert spike_shape_problem(rec_case, "recessive", GENES) is None
    assert spike_shape_problem(dom, "recessive", GENES) is not None
    out = tmp_path / "trio"
    report = make_trio(bg, out, dominant=dom, recessive=rec_case, genes=GENES, seed=2, child_sex="MALE")

    # Background records inside the two genes' spans are gone; the spiked ones are there.
    src = read_vcf(bg)
    expected = {}
    for g in ("DOMG", "RECG"):
        gi = GENES.find(g)
        assert gi is not None
        expected[g] = int(((src.chrom == GENES.chrom[gi]) & (src.pos > GENES.tx_start[gi])
                           & (src.pos <= GENES.tx_end[gi])).sum())
    assert report.removed_in_genes == expected
    assert min(expected.values()) > 50
    header = read_vcf_header(out / "trio.vcf.gz")
    assert header.samples == ("child", "father", "mother")
    t = read_vcf(out / "trio.vcf.gz", header)
    key = t.chrom.astype(np.int64) * 10**10 + t.pos
    assert (np.diff(key) >= 0).all()
    spiked = np.flatnonzero(np.asarray(["SPIKED" in str(i) for i in t.info]))
    assert [t.key(int(r)) for r in spiked] == ["1-100500-G-A", "2-200700-T-TA", "2-225000-C-G"]
    assert t.genotype[spiked[0]].tolist() == [1, 0, 0]
    assert sorted(t.genotype[spiked[1:]].tolist()) == [[1, 0, 1], [1, 1, 0]]  # one from each parent
    for g in ("DOMG", "RECG"):
        gi = GENES.find(g)
        assert gi is not None
        inside = (t.chrom == GENES.chrom[gi]) & (t.pos > GENES.tx_start[gi]) & (t.pos <= GENES.tx_end[gi])
        assert set(np.flatnonzero(inside).tolist()) <= set(spiked.tolist())

    gt = t.genotype
    auto = t.chrom < CHROM_X
    bad = [t.key(int(i)) for i in np.flatnonzero(auto) if mendelian_problems(*gt[i].tolist())]
    assert bad == ["1-100500-G-A"]  # the de novo only
    de_novo = np.flatnonzero(auto & (gt[:, 0] >= 1) & (gt[:, 1] == 0) & (gt[:, 2] == 0))
    assert de_novo.tolist() == [int(spiked[0])]
    # Heterozygous child calls come from exactly one parent; homozygous ones from both.
    het = auto & (gt[:, 0] == 1)
    assert ((gt[het, 1] >= 1) != (gt[het, 2] >= 1)).sum() == het.sum() - 1  # all but the de novo
    assert ((gt[auto & (gt[:, 0] == 2), 1:] == 1).all())
    # About 30 % of the child's heterozygous calls became one parent's alone.
    private = auto & (gt[:, 0] == 0) & (t.pos != 48_003)  # not the background 0/0 record
    assert ((gt[private, 1] == 1) != (gt[private, 2] == 1)).all()
    share = private.sum() / (private.sum() + het.sum())
    assert 0.25 < share < 0.35
    assert report.private_father + report.private_mother == int(private.sum())
    # A son's X comes from his mother, his Y from his father.
    x = t.chrom == CHROM_X
    assert (gt[x, 1] == 0).all()
    assert (gt[x, 2] == gt[x, 0]).all()
    y = t.chrom == CHROM_X + 1
    assert (gt[y, 1] == gt[y, 0]).all()
    assert (gt[y, 2] == -1).all()
    # The two-ALT record: each ALT from a different parent; the missing call stays missing.
    rows = np.flatnonzero(t.pos == 48_001)
    assert sorted(gt[rows].tolist()) == [[1, 0, 1], [1, 1, 0]]
    assert gt[np.flatnonzero(t.pos == 48_002)[0]].tolist() == [-1, -1, -1]
    assert gt[np.flatnonzero(t.pos == 48_003)[0]].tolist() == [0, 0, 0]
    # A carrier parent gets the child's sample text; a non-carrier 0/0 with the child's DP and GQ.
    with gzip.open(out / "trio.vcf.gz", "rt") as fh:
        lines = [ln.rstrip("\n").split("\t") for ln in fh if ln.startswith("chr3\t")]
    assert lines
    for cols in lines:
        child, father, mother = cols[9:12]
        if child.startswith("0/1"):
            carrier, other = (father, mother) if father.startswith("0/1") else (mother, father)
            assert carrier == child
            dp, gq = child.split(":")[2:4]
            assert other == f"0/0:.:{dp}:{gq}"
    ped = (out / "trio.ped").read_text().splitlines()
    assert ped == ["FAM1\tchild\tfather\tmother\t1\t2", "FAM1\tfather\t0\t0\t1\t1", "FAM1\tmother\t0\t0\t2\t1"]
    assert (out / "dominant_case.json").read_bytes() == (tmp_path / "dom.json").read_bytes()
    assert (out / "recessive_case.json").read_bytes() == (tmp_path / "rec.json").read_bytes()
    readme = (out / "README.txt").read_text()
    assert "chr1:100500 G>A  DOMG  de novo" in readme
    assert "chr2:200700 T>TA  RECG  compound heterozygous" in readme
    assert "chr2:225000" in readme


def test_spike_case_shapes(tmp_path: Path) -> None:
    outside = read_spike_case(phenopacket(tmp_path / "a.json", "DOMG", [("chr1", 99_000, "G", "A", "het")]))
    intron = read_spike_case(phenopacket(tmp_path / "b.json", "DOMG", [("chr1", 105_000, "G", "A", "het")]))
    hom = read_spike_case(phenopacket(tmp_path / "c.json", "DOMG", [("chr1", 100_500, "G", "A", "hom")]))
    same = read_spike_case(phenopacket(tmp_path / "d.json", "RECG",
                                       [("chr2", 200_700, "T", "TA", "het"), ("chr2", 200_700, "T", "TA", "het")]))
    unknown = read_spike_case(phenopacket(tmp_path / "e.json", "NOPE", [("chr1", 100_500, "G", "A", "het")]))
    assert outside is not None
    assert intron is not None
    assert hom is not None
    assert same is not None
    assert unknown
    assert "outside" in (spike_shape_problem(outside, "dominant", GENES) or "")
    assert "coding" in (spike_shape_problem(intron, "dominant", GENES) or "")
    assert "heterozygous" in (spike_shape_problem(hom, "dominant", GENES) or "")
    assert "distinct" in (spike_shape_problem(same, "recessive", GENES) or "")
    assert "gene table" in (spike_shape_problem(unknown, "dominant", GENES) or "")
    hg19 = tmp_path / "f.json"
    phenopacket(hg19, "DOMG", [("chr1", 100_500, "G", "A", "het")])
    hg19.write_text(hg19.read_text().replace('"hg38"', '"hg19"'))
    assert read_spike_case(hg19) is None
