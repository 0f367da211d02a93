"""VCF reading: values, genotype codes, chunking, every malformed case, compression and builds."""

from __future__ import annotations

import gzip
import random
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from rarelens.io.vcf import (
    VcfFormatError,
    check_build,
    check_contig_naming,
    detect_build,
    iter_vcf_chunks,
    read_vcf,
    read_vcf_header,
    write_vcf,
)
from rarelens.variants.table import CANONICAL_CONTIGS, VariantTable, concat_tables

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vcf"
PFEIFFER = Path("/work/shared/data/genomics/vcf/background_exome_pfeiffer.grch38.vcf.gz")
META = ["##fileformat=VCFv4.2", '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">']
COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"


def vcf_text(records: list[str], samples: tuple[str, ...] = ("S1",), meta: list[str] | None = None) -> str:
    head = COLUMNS + ("\tFORMAT\t" + "\t".join(samples) if samples else "")
    return "".join(line + "\n" for line in [*(META if meta is None else meta), head, *records])


def write(tmp_path: Path, records: list[str], name: str = "t.vcf", **kw: object) -> Path:
    path = tmp_path / name
    path.write_text(vcf_text(records, **kw))  # type: ignore[arg-type]
    return path


def rec(*fields: str) -> str:
    return "\t".join(fields)


def bgzf(data: bytes, block: int = 100, eof: bool = True) -> bytes:
    """BGZF as bgzip writes it: gzip members of at most ``block`` bytes with a 'BC' extra field,
    cut anywhere (also mid-line), plus the empty end-of-file member."""
    out = []
    pieces = [data[i:i + block] for i in range(0, len(data), block)] + ([b""] if eof else [])
    for piece in pieces:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        cdata = comp.compress(piece) + comp.flush()
        header = b"\x1f\x8b\x08\x04" + b"\x00" * 4 + b"\x00\xff" + struct.pack("<H", 6)
        header += b"BC" + struct.pack("<HH", 2, 18 + len(cdata) + 8 - 1)
        out.append(header + cdata + struct.pack("<II", zlib.crc32(piece), len(piece)))
    return b"".join(out)


def assert_same(a: VariantTable, b: VariantTable) -> None:
    assert a.contigs == b.contigs
    assert a.samples == b.samples
    for name in ("chrom", "pos", "id", "ref", "alt", "allele", "filter", "info", "genotype", "gq", "dp", "line"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.qual, b.qual)  # NaN == NaN here


# --- values -------------------------------------------------------------------------------


def test_basic_values(tmp_path: Path) -> None:
    path = write(tmp_path, [
        rec("chr7", "117559590", "rs113993960", "ATCT", "A", "1234.5", "PASS", "DP=30;DB", "GT", "0/1"),
        rec("7", "117559600", ".", "c", "t", ".", "q10;LowDP", ".", "GT", "1/1"),
    ])
    t = read_vcf(path)
    assert len(t) == 2
    assert t.samples == ("S1",)
    assert t.contigs == CANONICAL_CONTIGS
    assert t.chrom.tolist() == [6, 6]
    assert t.pos.tolist() == [117559590, 117559600]
    assert t.id.tolist() == ["rs113993960", "."]
    assert t.ref.tolist() == ["ATCT", "c"]
    assert t.alt.tolist() == ["A", "t"]
    assert t.allele.tolist() == [1, 1]
    assert t.qual[0] == pytest.approx(1234.5)
    assert np.isnan(t.qual[1])
    assert t.filter.tolist() == ["PASS", "q10;LowDP"]
    assert t.info.tolist() == ["DP=30;DB", "."]
    assert t.genotype[:, 0].tolist() == [1, 2]
    assert t.gq.tolist() == [[-1], [-1]]
    assert t.dp.tolist() == [[-1], [-1]]
    assert t.line.tolist() == [4, 5]
    assert t.key(0) == "7-117559590-ATCT-A"
    dtypes = [a.dtype for a in (t.chrom, t.pos, t.allele, t.qual, t.genotype, t.gq, t.dp, t.line)]
    assert dtypes == [np.dtype(d) for d in ("int16", "int64", "int8", "float32", "int8", "int16", "int32", "int64")]


def test_multiallelic_split_with_genotypes_per_allele() -> None:
    t = read_vcf(FIXTURES / "multiallelic_haploid.vcf")
    assert t.samples == ("proband", "mother")
    first = t.take(t.pos == 100)
    assert first.alt.tolist() == ["G", "T"]
    assert first.allele.tolist() == [1, 2]
    assert first.line.tolist() == [13, 13]
    # proband 1/2 is het for both alleles; mother 0/1 is het for G and hom ref for T
    assert first.genotype.tolist() == [[1, 1], [1, 0]]
    assert first.gq.tolist() == [[30, 40], [30, 40]]
    assert first.info.tolist() == ["AC=1,1", "AC=1,1"]


def test_haploid_phased_and_missing_genotypes() -> None:
    t = read_vcf(FIXTURES / "multiallelic_haploid.vcf")
    by_pos = {int(p): t.genotype[i].tolist() for i, p in enumerate(t.pos)}
    assert by_pos[200] == [2, 1]  # haploid '1' is hom alt (hemizygous); '0|1' is het
    assert by_pos[300] == [2, -1]  # './.' is missing
    assert by_pos[400] == [2, 0]  # '1|1' phased hom alt; '0/0' hom ref
    assert by_pos[500] == [2, -1]  # chrM haploid; '.' missing
    assert t.contig_name(int(np.flatnonzero(t.pos == 500)[0])) == "M"


@pytest.mark.parametrize(("gt", "allele", "code"), [
    ("0/0", 1, 0), ("0/1", 1, 1), ("1/0", 1, 1), ("1|0", 1, 1), ("1/1", 1, 2), ("1", 1, 2), ("0", 1, 0),
    ("./.", 1, -1), (".", 1, -1), ("./1", 1, -1), ("1/2", 1, 1), ("1/2", 2, 1), ("2/2", 1, 0), ("2|2", 2, 2),
    ("0/1/1", 1, 1), ("1/1/1", 1, 2),
])
def test_genotype_codes(tmp_path: Path, gt: str, allele: int, code: int) -> None:
    t = read_vcf(write(tmp_path, [rec("1", "10", ".", "A", "C,G", "1", "PASS", ".", "GT", gt)]))
    assert t.genotype[allele - 1, 0] == code


def test_format_order_may_change_per_record(tmp_path: Path) -> None:
    t = read_vcf(write(tmp_path, [
        rec("1", "10", ".", "A", "C", "1", "PASS", ".", "GT:GQ:DP", "0/1:20:30", "1/1:21:31"),
        rec("1", "20", ".", "A", "C", "1", "PASS", ".", "DP:GT:GQ", "40:1/1:50", "41:0/0:51"),
        rec("1", "30", ".", "A", "C", "1", "PASS", ".", "GQ:DP", "60:70", "61:71"),
        rec("1", "40", ".", "A", "C", "1", "PASS", ".", "GT:AD:DP:GQ", "0|1:3,4:7:.", "0/1:.:.:9"),
        rec("1", "50", ".", "A", "C", "1", "PASS", ".", "GT:DP:GQ", "0/1", "1/1:5"),
        rec("1", "60", ".", "A", "C", "1", "PASS", ".", "GT:DP:GQ", "0/1:nan:99.0", "1/1:x:1e9"),
    ], samples=("a", "b")))
    assert t.genotype.tolist() == [[1, 2], [2, 0], [-1, -1], [1, 1], [1, 2], [1, 2]]
    assert t.gq.tolist() == [[20, 21], [50, 51], [60, 61], [-1, 9], [-1, -1], [99, 32767]]
    assert t.dp.tolist() == [[30, 31], [40, 41], [70, 71], [7, -1], [-1, 5], [-1, -1]]


def test_spanning_deletion_alleles_are_dropped_and_counted(tmp_path: Path) -> None:
    warnings: list[str] = []
    t = read_vcf(write(tmp_path, [
        rec("1", "10", ".", "A", "*,C", "1", "PASS", ".", "GT", "1/2"),
        rec("1", "11", ".", "A", "*", "1", "PASS", ".", "GT", "0/1"),
        rec("1", "12", ".", "A", ".", "1", "PASS", ".", "GT", "0/0"),
    ]), warnings=warnings)
    assert t.alt.tolist() == ["C"]
    assert t.allele.tolist() == [2]
    assert t.genotype.tolist() == [[1]]
    assert any("2 ALT '*' alleles" in w for w in warnings)
    assert any("1 records with ALT '.'" in w for w in warnings)


def test_symbolic_and_breakend_alleles_and_sites_only() -> None:
    t = read_vcf(FIXTURES / "sites_only.vcf")
    assert t.samples == ()
    assert t.genotype.shape == (3, 0)
    assert t.gq.shape == (3, 0)
    assert t.alt.tolist() == ["C", "<DEL>", "G]17:198982]"]
    assert t.allele.tolist() == [1, 2, 1]


def test_noncanonical_contigs_get_codes_in_order_first_seen_across_chunks(tmp_path: Path) -> None:
    path = write(tmp_path, [
        rec("chrUn_KI270742v1", "5", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"),
        rec("chr1", "10", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"),
        rec("HLA-A*01:01:01:01", "5", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"),
        rec("chrUn_KI270742v1", "9", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"),
        rec("chrMT", "9", ".", "A", "C", "1", "PASS", ".", "GT", "1"),
    ])
    chunks = list(iter_vcf_chunks(path, chunk_rows=1))
    assert [len(c) for c in chunks] == [1] * 5
    assert chunks[0].contigs == (*CANONICAL_CONTIGS, "chrUn_KI270742v1")
    assert chunks[2].contigs == (*CANONICAL_CONTIGS, "chrUn_KI270742v1", "HLA-A*01:01:01:01")
    assert [int(c.chrom[0]) for c in chunks] == [25, 0, 26, 25, 24]
    joined = concat_tables(chunks)
    assert [joined.contig_name(i) for i in range(5)] == ["chrUn_KI270742v1", "1", "HLA-A*01:01:01:01",
                                                          "chrUn_KI270742v1", "M"]


def test_refseq_accessions_are_canonical(tmp_path: Path) -> None:
    t = read_vcf(write(tmp_path, [
        rec(name, "10", ".", "A", "C", "1", "PASS", ".", "GT", "0/1")
        for name in ("NC_000001.11", "NC_000001.10", "NC_000023.11", "NC_000024.10", "NC_012920.1", "NC_000022")
    ]))
    assert [t.contig_name(i) for i in range(len(t))] == ["1", "1", "X", "Y", "M", "22"]
    assert len(t.contigs) == len(CANONICAL_CONTIGS)


def test_sample_subset_in_requested_order(tmp_path: Path) -> None:
    path = write(tmp_path, [rec("1", "10", ".", "A", "C", "1", "PASS", ".", "GT:DP", "0/1:5", "1/1:6", "0/0:7")],
                 samples=("child", "father", "mother"))
    t = read_vcf(path, samples=["mother", "child"])
    assert t.samples == ("mother", "child")
    assert t.genotype.tolist() == [[0, 1]]
    assert t.dp.tolist() == [[7, 5]]
    with pytest.raises(VcfFormatError, match=r"sample 'grandma' is not in the VCF; its samples are: child, father"):
        iter_vcf_chunks(path, samples=["grandma"])


# --- chunks, compression, line numbers ----------------------------------------------------


def random_records(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        chrom = rng.choice(["chr1", "chr2", "chrX", "chrUn_x", "scaffold_9", "chrM"])
        alts = ",".join(rng.sample(["C", "G", "T", "GA", "<DEL>", "*"], rng.randint(1, 3)))
        fmt = rng.choice(["GT:DP:GQ", "GT:GQ:DP", "GT"])
        gts = []
        for _ in range(2):
            gt = rng.choice(["0/1", "1|1", "./.", "1", "0/2", "2/3", "."])
            gq, dp = rng.choice(["20", "."]), str(rng.randint(0, 90))
            gts.append({"GT:DP:GQ": f"{gt}:{dp}:{gq}", "GT:GQ:DP": f"{gt}:{gq}:{dp}", "GT": gt}[fmt])
        qual = rng.choice([".", "12.5", "99"])
        out.append(rec(chrom, str(1000 + i), f"rs{i}", "A", alts, qual, "PASS", f"DP={i}", fmt, *gts))
    return out


def test_chunks_and_blocks_give_the_same_table(tmp_path: Path) -> None:
    path = write(tmp_path, random_records(300), samples=("a", "b"))
    whole = read_vcf(path)
    assert len(whole) > 300
    for chunk_rows, block_bytes in ((2, 1 << 20), (7, 97), (1000, 1), (500_000, 64 << 20)):
        chunks = list(iter_vcf_chunks(path, chunk_rows=chunk_rows, block_bytes=block_bytes))
        assert_same(concat_tables(chunks), whole)
    assert whole.line.min() == 4
    assert whole.line.max() == 303


def test_line_numbers_count_header_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.vcf"
    path.write_text(vcf_text([rec("1", "10", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"), "",
                              rec("1", "20", ".", "A", "C", "1", "PASS", ".", "GT", "0/1")]))
    assert read_vcf(path).line.tolist() == [4, 6]


def test_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "crlf.vcf"
    path.write_bytes(vcf_text([rec("1", "10", ".", "A", "C", "1", "PASS", "DP=3", "GT:DP", "0/1:8")])
                     .replace("\n", "\r\n").encode())
    t = read_vcf(path)
    assert read_vcf_header(path).samples == ("S1",)
    assert (t.info.tolist(), t.dp.tolist()) == (["DP=3"], [[8]])


def test_gzip_and_bgzf_read_like_plain_text(tmp_path: Path) -> None:
    records = random_records(120)
    plain = write(tmp_path, records, samples=("a", "b"))
    data = plain.read_bytes()
    (tmp_path / "t.vcf.gz").write_bytes(gzip.compress(data))
    (tmp_path / "b.vcf.gz").write_bytes(bgzf(data))
    (tmp_path / "misnamed.vcf").write_bytes(bgzf(data))  # recognised by content, not extension
    expected = read_vcf(plain)
    for name in ("t.vcf.gz", "b.vcf.gz", "misnamed.vcf"):
        warnings: list[str] = []
        assert_same(read_vcf(tmp_path / name, warnings=warnings), expected)
        assert not [w for w in warnings if "BGZF" in w]


def test_bgzf_without_eof_marker_warns(tmp_path: Path) -> None:
    path = tmp_path / "noeof.vcf.gz"
    path.write_bytes(bgzf(vcf_text(random_records(20), samples=("a", "b")).encode(), eof=False))
    warnings: list[str] = []
    assert len(read_vcf(path, warnings=warnings)) > 0
    assert any("BGZF end-of-file marker is missing" in w and "after line 23" in w for w in warnings)


def test_bcf_reads_like_the_vcf(tmp_path: Path) -> None:
    cyvcf2 = pytest.importorskip("cyvcf2")
    meta = [*META, '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">',
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="DP">',
            '##ALT=<ID=DEL,Description="Deletion">',
            *(f"##contig=<ID={c}>" for c in ("chr1", "chr2", "chrX", "chrUn_x", "scaffold_9", "chrM"))]
    records = [r for r in random_records(80) if "GT:GQ:DP" not in r]  # htslib rewrites FORMAT order
    vcf = write(tmp_path, records, samples=("a", "b"), meta=meta)
    bcf = tmp_path / "t.bcf"
    reader = cyvcf2.VCF(str(vcf))
    try:
        writer = cyvcf2.Writer(str(bcf), reader, mode="wb")
    except Exception as exc:  # pragma: no cover - depends on the htslib build
        pytest.skip(f"cyvcf2 cannot write BCF here: {exc}")
    for variant in reader:
        writer.write_record(variant)
    writer.close()
    reader.close()
    from_text, from_bcf = read_vcf(vcf), read_vcf(bcf)
    assert read_vcf_header(bcf).samples == ("a", "b")
    offset = read_vcf_header(vcf).header_line_count
    np.testing.assert_array_equal(from_bcf.line, from_text.line - offset)  # record numbers
    for name in ("chrom", "pos", "id", "ref", "alt", "allele", "filter", "info", "genotype", "gq", "dp"):
        np.testing.assert_array_equal(getattr(from_bcf, name), getattr(from_text, name), err_msg=name)
    np.testing.assert_allclose(from_bcf.qual, from_text.qual)
    cut = tmp_path / "cut.bcf"
    cut.write_bytes(bcf.read_bytes()[:-300])
    with pytest.raises(VcfFormatError, match=r"cut.bcf: (the BCF file is truncated or corrupt|cannot read the BCF file)"):
        read_vcf(cut)


# --- malformed input ----------------------------------------------------------------------

GOOD = rec("1", "10", ".", "A", "C", "1", "PASS", ".", "GT", "0/1")


@pytest.mark.parametrize(("line", "message"), [
    (rec("1", "10", ".", "A", "C", "1", "PASS", "."), "has 8 tab-separated columns, expected 10"),
    (GOOD + "\t0/1", "has 11 tab-separated columns, expected 10"),
    ("1 10 . A C 1 PASS . GT 0/1", "separate the columns with tabs, not spaces"),
    (rec("", "10", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"), "CHROM is empty"),
    (rec("1", "ten", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"), "POS 'ten' is not a whole number"),
    (rec("1", "1.5", ".", "A", "C", "1", "PASS", ".", "GT", "0/1"), "POS '1.5' is not a whole number"),
    (rec("1", "10", ".", "", "C", "1", "PASS", ".", "GT", "0/1"), "REF '' is empty"),
    (rec("1", "10", ".", "AXT", "C", "1", "PASS", ".", "GT", "0/1"), "REF 'AXT'"),
    (rec("1", "10", ".", "A", "", "1", "PASS", ".", "GT", "0/1"), "ALT ''"),
    (rec("1", "10", ".", "A", "C,", "1", "PASS", ".", "GT", "0/1"), "ALT 'C,'"),
    (rec("1", "10", ".", "A", "C,R", "1", "PASS", ".", "GT", "0/1"), "ALT 'C,R'"),
    (rec("1", "10", ".", "A", "C", "high", "PASS", ".", "GT", "0/1"), "QUAL 'high' is not a number"),
    (rec("1", "10", ".", "A", ",".join(["C"] * 128), "1", "PASS", ".", "GT", "0/1"), "ALT lists 128 alleles"),
])
def test_malformed_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, [GOOD, line, GOOD], name="bad.vcf")
    with pytest.raises(VcfFormatError, match="bad.vcf:5: ") as err:
        read_vcf(path)
    assert message in str(err.value)
    assert err.value.line == 5
    warnings: list[str] = []
    t = read_vcf(path, skip_malformed=True, warnings=warnings)
    assert t.line.tolist() == [4, 6]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{path}:5: ")
    assert warnings[0].endswith("line skipped")


def test_missing_final_newline_is_a_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.vcf"
    path.write_text(vcf_text([GOOD]) + GOOD[:9])
    with pytest.raises(VcfFormatError, match=r"cut.vcf:5: the last line is incomplete"):
        read_vcf(path)
    warnings: list[str] = []
    assert len(read_vcf(path, skip_malformed=True, warnings=warnings)) == 1
    assert "cut.vcf:5: the last line is incomplete" in warnings[0]


def test_skip_malformed_details_ten_lines_then_counts(tmp_path: Path) -> None:
    bad = rec("1", "x", ".", "A", "C", "1", "PASS", ".", "GT", "0/1")
    path = write(tmp_path, [GOOD, *[bad] * 13, GOOD])
    warnings: list[str] = []
    t = read_vcf(path, skip_malformed=True, warnings=warnings)
    assert t.line.tolist() == [4, 18]
    assert len(warnings) == 11
    assert [w.split(": ")[0] for w in warnings[:10]] == [f"{path}:{n}" for n in range(5, 15)]
    assert warnings[10] == f"{path}: … and 3 more malformed lines skipped"


def test_truncated_gzip_names_the_last_complete_line() -> None:
    path = FIXTURES / "truncated.vcf.gz"
    complete = zlib.decompressobj(31).decompress(path.read_bytes()).count(b"\n")
    with pytest.raises(VcfFormatError, match=rf"truncated.vcf.gz: the file is truncated or corrupt after line "
                                             rf"{complete}; re-download it or re-run bgzip"):
        read_vcf(path)


def test_corrupt_gzip(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(vcf_text(random_records(50)).encode()))
    data[len(data) // 2: len(data) // 2 + 8] = b"\xff" * 8
    path = tmp_path / "corrupt.vcf.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(VcfFormatError, match="truncated or corrupt after line"):
        read_vcf(path)


def test_empty_vcf_yields_no_chunks_and_an_empty_table() -> None:
    path = FIXTURES / "header_only.vcf"
    assert list(iter_vcf_chunks(path)) == []
    t = read_vcf(path)
    assert len(t) == 0
    assert t.samples == ("S1",)
    assert t.genotype.shape == (0, 1)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (gzip.compress(b""), "the file is empty"),
    (b"\n", "the file is empty"),
    (b"chr1\t100\t200\tpeak\n", "not a VCF: the first line is 'chr1\\t100\\t200\\tpeak'"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a VCF"),
    (b"##fileformat=VCFv4.2\n##INFO=<ID=DP>\n", "no '#CHROM' header line (the file ends before it)"),
    (b"##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO\n", "separate the header columns with tabs"),
    (b"##fileformat=VCFv4.2\n" + COLUMNS.encode() + b"\tS1\n", "column 9 of the #CHROM line is 'S1'"),
    (b"##fileformat=VCFv4.2\n" + COLUMNS.encode() + b"\tFORMAT\tA\tB\tA\n", "duplicate sample names ['A']"),
])
def test_bad_header(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.vcf"
    path.write_bytes(content)
    with pytest.raises(VcfFormatError) as err:
        read_vcf_header(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(VcfFormatError, match=r"nope.vcf: file not found; check the path"):
        read_vcf(tmp_path / "nope.vcf")
    with pytest.raises(VcfFormatError, match="is a directory"):
        read_vcf_header(tmp_path)


def test_fixture_not_a_vcf_and_no_chrom_line() -> None:
    with pytest.raises(VcfFormatError, match=r"not_a_vcf.vcf:1: not a VCF"):
        read_vcf(FIXTURES / "not_a_vcf.vcf")
    with pytest.raises(VcfFormatError, match=r"no_chrom_line.vcf:3: no '#CHROM' header line"):
        read_vcf(FIXTURES / "no_chrom_line.vcf")


# --- header -------------------------------------------------------------------------------


def test_header_fields() -> None:
    h = read_vcf_header(FIXTURES / "multiallelic_haploid.vcf")
    assert h.fileformat == "VCFv4.2"
    assert h.samples == ("proband", "mother")
    assert h.contigs == (("chr1", 248956422), ("chr2", 242193529), ("chrX", 156040895), ("chrM", 16569))
    assert h.reference == "GRCh38"
    assert h.info["AC"].number == "A"
    assert h.info["AC"].type == "Integer"
    assert h.format["GQ"].description == "Genotype Quality"
    assert h.format["AD"].number == "R"
    assert h.header_line_count == 12
    assert len(h.meta_lines) == 11
    assert h.meta_lines[0] == "##fileformat=VCFv4.2"
    assert h.csq_fields == h.ann_fields == ()


def test_vep_and_snpeff_subfields() -> None:
    h = read_vcf_header(FIXTURES / "annotation_header.vcf")
    assert h.csq_fields[:4] == ("Allele", "Consequence", "IMPACT", "SYMBOL")
    assert h.csq_fields[-1] == "gnomADe_AF"
    assert h.ann_fields[:3] == ("Allele", "Annotation", "Annotation_Impact")
    assert h.ann_fields[-1] == "ERRORS / WARNINGS / INFO"
    assert h.reference == "GRCh38.p14"
    assert h.samples == ()


# --- build and contigs --------------------------------------------------------------------


def test_build_from_contig_lengths() -> None:
    b38 = detect_build(read_vcf_header(FIXTURES / "grch38_contigs.vcf"))
    assert b38.build == "GRCh38"
    assert "24 of 24" in b38.evidence
    b37 = detect_build(read_vcf_header(FIXTURES / "grch37_contigs.vcf"))
    assert b37.build == "GRCh37"
    assert "249,250,621" in b37.evidence


def test_build_from_reference_line_only(tmp_path: Path) -> None:
    for text, build in (("file:///ref/hs37d5.fa.gz", "GRCh37"), ("GCA_000001405.15_GRCh38_no_alt", "GRCh38"),
                        ("hg19", "GRCh37"), ("Homo_sapiens_assembly38.fasta", "GRCh38"), ("b37", "GRCh37")):
        path = write(tmp_path, [GOOD], meta=[*META, f"##reference={text}"])
        call = detect_build(read_vcf_header(path))
        assert call.build == build, text
        assert text in call.evidence


def test_build_conflict_lengths_win(tmp_path: Path) -> None:
    contigs = [line.split(",assembly")[0] + ">" for line in (FIXTURES / "grch37_contigs.vcf").read_text().splitlines()
               if line.startswith("##contig")]
    path = write(tmp_path, [GOOD], meta=[*META, "##reference=GRCh38", *contigs])
    call = detect_build(read_vcf_header(path))
    assert call.build == "GRCh37"
    assert "the reference text 'GRCh38' says GRCh38, but the contig lengths win" in call.evidence


def test_build_unknown(tmp_path: Path) -> None:
    call = detect_build(read_vcf_header(write(tmp_path, [GOOD])))
    assert call.build is None
    assert call.evidence == "no ##contig lengths or ##reference line"
    odd = write(tmp_path, [GOOD], meta=[*META, "##contig=<ID=chr1,length=248387328>"])  # T2T-CHM13
    call = detect_build(read_vcf_header(odd))
    assert call.build is None
    assert "match neither GRCh37 nor GRCh38" in call.evidence


def test_check_build() -> None:
    h37 = read_vcf_header(FIXTURES / "grch37_contigs.vcf")
    assert check_build(h37, "hg19").build == "GRCh37"
    with pytest.raises(VcfFormatError) as err:
        check_build(h37, "GRCh38")
    text = str(err.value)
    assert text.startswith(str(FIXTURES / "grch37_contigs.vcf") + ": this VCF is GRCh37 (contig lengths match GRCh37")
    assert "but the resources are GRCh38; pass --build GRCh37 with GRCh37 resources or lift the VCF over" in text
    with pytest.raises(ValueError, match="unknown genome build"):
        check_build(h37, "hg17")


def test_check_contig_naming() -> None:
    path = FIXTURES / "scaffold_contigs.vcf"
    header = read_vcf_header(path)
    with pytest.raises(VcfFormatError, match=r"none of the contigs is a human chromosome \('scaffold_1', 'scaffold_2'\)"):
        check_contig_naming(header, read_vcf(path))
    with pytest.raises(VcfFormatError, match="rename them with 'bcftools annotate --rename-chrs'"):
        check_contig_naming(header)
    ok = FIXTURES / "grch37_contigs.vcf"
    check_contig_naming(read_vcf_header(ok), read_vcf(ok))  # one canonical contig is enough


# --- writer and real data -----------------------------------------------------------------


def test_write_vcf_round_trip(tmp_path: Path) -> None:
    source = FIXTURES / "multiallelic_haploid.vcf"
    header = read_vcf_header(source)
    rows = [line for line in source.read_text().splitlines() if not line.startswith("#")]
    out = tmp_path / "spiked.vcf.gz"
    assert write_vcf(out, header, [*rows, rec("chr1", "999", ".", "G", "A", "9", "PASS", ".", "GT", "0/1", "0/0")]) == 6
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    t = read_vcf(out)
    assert read_vcf_header(out).meta_lines == header.meta_lines
    assert len(t) == len(read_vcf(source)) + 1
    sites = tmp_path / "sites.vcf"
    write_vcf(sites, ["##source=test"], [rec("1", "5", ".", "A", "T", ".", ".", ".")])
    assert read_vcf_header(sites).meta_lines == ("##fileformat=VCFv4.2", "##source=test")
    assert read_vcf(sites).genotype.shape == (1, 0)


@pytest.mark.skipif(not PFEIFFER.exists(), reason="shared Pfeiffer exome not present")
def test_pfeiffer_exome() -> None:
    header = read_vcf_header(PFEIFFER)
    warnings: list[str] = []
    t = read_vcf(PFEIFFER, header, warnings=warnings)
    assert len(t) == 37177
    assert t.samples == ("manuel",)
    assert detect_build(header).build == "GRCh38"
    assert warnings == []
    assert set(np.unique(t.genotype).tolist()) <= {1, 2}
    assert t.key(0) == "1-931131-C-CCCCT"
    assert int(t.line[0]) == header.header_line_count + 1
