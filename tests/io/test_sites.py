"""Site resources for one case (frequency VCF/TSV, ClinVar VCF) and the in-house frequency table
built from the lab's own VCFs. Files are written in tmp_path in their real formats."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from rarelens.io.sites import (
    INHOUSE_COLUMNS,
    SiteFileError,
    build_inhouse_table,
    load_site_resource,
)
from rarelens.io.vcf import VcfFormatError, write_vcf
from rarelens.variants.table import contig_code

GT_HEADER = ('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',)


def sample_vcf(path: Path, samples: list[str], rows: list[str], contigs: tuple[str, ...] = ()) -> Path:
    meta = (*(f"##contig=<ID={c}>" for c in contigs), *GT_HEADER)
    write_vcf(path, meta, rows, samples)
    return path


def row(chrom: str, pos: int, ref: str, alt: str, *gts: str) -> str:
    return "\t".join([chrom, str(pos), ".", ref, alt, "50", "PASS", ".", "GT", *gts])


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        lines = fh.read().splitlines()
    meta = [ln for ln in lines if ln.startswith("##")]
    body = [ln.split("\t") for ln in lines if not ln.startswith("##")]
    return meta, [dict(zip(body[0], cells, strict=True)) for cells in body[1:]]


# -- frequency and ClinVar resources --------------------------------------------------------


def test_sites_vcf_with_a_population_af_gives_frequencies_per_allele(tmp_path: Path) -> None:
    path = tmp_path / "kg.vcf"
    write_vcf(path, ['##INFO=<ID=AF,Number=A,Type=Float,Description="Estimated allele frequency in the range (0,1)">',
                     '##INFO=<ID=EAS_AF,Number=A,Type=Float,Description="Allele frequency in the EAS populations">'],
              ["chr1\t100\trs1\tC\tT,G\t.\tPASS\tAF=0.01,0.2;EAS_AF=0.05,0.3",
               "chr2\t200\trs2\tA\tG\t.\tPASS\tAF=0.5;EAS_AF=0.4"])
    key = (contig_code("1"), 100, "C", "G")
    res = load_site_resource(path, kind="frequency", name="1kg", candidates=[key, (contig_code("1"), 100, "C", "T")])
    assert len(res) == 2  # only the candidates are kept
    assert res.frequencies(key) == {"1kg:AF": 0.2, "1kg:EAS_AF": 0.3}
    assert res.frequencies((contig_code("2"), 200, "A", "G")) == {}


def test_sites_vcf_with_only_a_gatk_af_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "calls.vcf"
    write_vcf(path, ['##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency, for each ALT allele, '
                     'in the same order as listed">'], ["1\t100\t.\tC\tT\t.\tPASS\tAF=0.5"])
    with pytest.raises(SiteFileError, match="no population allele-frequency INFO field"):
        load_site_resource(path, kind="frequency", name="x")


def test_tsv_frequency_file(tmp_path: Path) -> None:
    path = tmp_path / "freq.tsv"
    path.write_text("#chrom\tpos\tref\talt\taf\teas_af\nchr3\t300\tg\ta\t0.001\t0.03\n", encoding="utf-8")
    res = load_site_resource(path, kind="frequency", name="lab")
    assert res.frequencies((contig_code("3"), 300, "G", "A")) == {"lab:af": 0.001, "lab:eas_af": 0.03}


def test_tsv_without_frequency_columns_names_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "freq.tsv"
    path.write_text("chrom\tposition\tref\talt\tcount\n1\t1\tA\tG\t3\n", encoding="utf-8")
    with pytest.raises(SiteFileError, match="needs columns chrom, pos, ref, alt"):
        load_site_resource(path, kind="frequency", name="x")


def test_missing_resource_file_and_clinvar_tsv_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SiteFileError, match="no such file"):
        load_site_resource(tmp_path / "nope.vcf.gz", kind="frequency", name="x")
    tsv = tmp_path / "clinvar.tsv"
    tsv.write_text("chrom\tpos\tref\talt\taf\n", encoding="utf-8")
    with pytest.raises(SiteFileError, match="ClinVar must be a VCF"):
        load_site_resource(tsv, kind="clinvar", name="ClinVar")


def test_clinvar_vcf_fields_and_pathogenic_missense_positions(tmp_path: Path) -> None:
    path = tmp_path / "clinvar.vcf.gz"
    write_vcf(path, ["##fileDate=2026-02-26"], [
        "15\t48474300\t1\tG\tA\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=reviewed_by_expert_panel;MC=SO:0001583|missense_variant",
        "15\t48474310\t2\tC\tT\t.\t.\tCLNSIG=Benign;CLNREVSTAT=criteria_provided,_single_submitter;MC=SO:0001583|missense_variant",
    ])
    key = (contig_code("15"), 48474300, "G", "A")
    res = load_site_resource(path, kind="clinvar", name="ClinVar", candidates=[key])
    assert res.release == "2026-02-26"
    assert res.field(key, "CLNSIG") == "Pathogenic"
    assert res.field(key, "CLNREVSTAT") == "reviewed_by_expert_panel"
    assert res.pathogenic_nearby(contig_code("15"), 48474305, 10) == 1  # the benign one does not count


# -- the in-house table --------------------------------------------------------------------


def test_inhouse_table_counts_carriers_homozygotes_and_alleles(tmp_path: Path) -> None:
    a = sample_vcf(tmp_path / "a.vcf", ["s1", "s2"], [
        row("chr1", 100, "C", "T", "0/1", "1/1"),
        row("chr1", 200, "G", "A,C", "1/2", "0/0"),
        row("chr1", 300, "T", "G", "0/0", "0/0"),  # nobody carries it: not listed
    ])
    b = sample_vcf(tmp_path / "b.vcf.gz", ["s3"], [row("1", 100, "C", "T", "0|1")])
    out = tmp_path / "inhouse.tsv.gz"
    summary = build_inhouse_table([a, b], out)
    assert summary == {"samples": 3, "files": 2, "sites": 3}
    meta, rows = read_table(out)
    assert meta == ["##rarelens_inhouse samples=3 files=2"]
    assert tuple(rows[0]) == INHOUSE_COLUMNS
    got = {(r["chrom"], r["pos"], r["alt"]): (r["ac"], r["an"], r["hom"], r["samples"]) for r in rows}
    assert got == {("1", "100", "T"): ("4", "6", "1", "3"), ("1", "200", "A"): ("1", "6", "0", "1"),
                   ("1", "200", "C"): ("1", "6", "0", "1")}
    assert float(rows[0]["af"]) == pytest.approx(4 / 6)


def test_inhouse_table_keys_non_canonical_contigs_by_name_across_files(tmp_path: Path) -> None:
    # chrUn_B is the 2nd extra contig in a.vcf but the 1st in b.vcf: per-file contig codes differ.
    a = sample_vcf(tmp_path / "a.vcf", ["s1"], [
        row("chrUn_A", 10, "A", "G", "0/1"),
        row("chrUn_B", 20, "C", "T", "0/1"),
    ], contigs=("chrUn_A", "chrUn_B"))
    b = sample_vcf(tmp_path / "b.vcf", ["s2"], [row("chrUn_B", 20, "C", "T", "0/1")], contigs=("chrUn_B",))
    out = tmp_path / "inhouse.tsv"
    assert build_inhouse_table([a, b], out)["sites"] == 2
    _, rows = read_table(out)
    got = {(r["chrom"], r["pos"]): r["samples"] for r in rows}
    assert got == {("chrUn_A", "10"): "1", ("chrUn_B", "20"): "2"}


def test_inhouse_table_lists_canonical_contigs_in_genome_order(tmp_path: Path) -> None:
    a = sample_vcf(tmp_path / "a.vcf", ["s1"], [
        row("chrX", 5, "A", "G", "0/1"), row("chr10", 5, "A", "G", "0/1"), row("chr2", 5, "A", "G", "0/1"),
        row("chrUn_Z", 5, "A", "G", "0/1"), row("NC_000001.11", 5, "A", "G", "0/1"),
    ])
    out = tmp_path / "t.tsv"
    build_inhouse_table([a], out)
    assert [r["chrom"] for r in read_table(out)[1]] == ["1", "2", "10", "X", "chrUn_Z"]


def test_inhouse_table_refuses_sites_only_and_malformed_vcfs(tmp_path: Path) -> None:
    sites = tmp_path / "sites.vcf"
    write_vcf(sites, [], ["1\t100\t.\tC\tT\t.\tPASS\t."])
    with pytest.raises(VcfFormatError, match="has no samples"):
        build_inhouse_table([sites], tmp_path / "t.tsv")
    bad = sample_vcf(tmp_path / "bad.vcf", ["s1"], [row("1", 100, "C", "T", "0/1"), row("1", 0, "C", "T?", "0/1")])
    with pytest.raises(VcfFormatError, match=r"bad\.vcf:5: ALT"):
        build_inhouse_table([bad], tmp_path / "t.tsv")


def test_inhouse_table_reads_back_as_a_frequency_resource(tmp_path: Path) -> None:
    vcfs = [sample_vcf(tmp_path / f"lab{i}.vcf", [f"lab{i}"], [row("15", 48474300, "GA", "G", "0/1" if i < 3 else "0/0")])
            for i in range(5)]
    out = tmp_path / "inhouse.tsv.gz"
    build_inhouse_table(vcfs, out)
    key = (contig_code("15"), 48474300, "GA", "G")
    res = load_site_resource(out, kind="frequency", name="inhouse", candidates=[key])
    assert res.frequencies(key) == {"inhouse:af": pytest.approx(0.3)}
