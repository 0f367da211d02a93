"""`rarelens analyze` and `rarelens freq build` end to end, through the real commands.

The knowledge base is the fixture one built by `kb build` (tests/cli/conftest.py); the gene
table is the real GRCh38 rows of its six genes (tests/fixtures/analysis/genes_grch38.tsv),
gzipped into a data folder given with --data-dir. Every bad input ends with a message that names
the problem and no traceback: exit code 1 for bad file content (a truncated or malformed VCF, a
PED that does not match it), 2 for usage errors (bad options, a build the VCF is not on, an
unknown id on the command line).
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app
from rarelens.io.analysis_writers import TSV_COLUMNS
from rarelens.io.vcf import write_vcf

AssertExit = Callable[[Result, int], None]
pytestmark = pytest.mark.usefixtures("cli_env")

SCENARIOS = Path(__file__).resolve().parents[1] / "fixtures" / "analysis"
MARFAN_VCF = SCENARIOS / "marfan_fbn1_frameshift.vcf"
MARFAN_HPO = "HP:0001166,HP:0002616,HP:0001083"
FBN1_FRAMESHIFT = "15-48474300-GA-G"


@pytest.fixture(scope="module")
def gene_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding only genomics/genes/genes_grch38.tsv.gz (the fixture gene rows)."""
    root = tmp_path_factory.mktemp("genedata")
    target = root / "genomics" / "genes"
    target.mkdir(parents=True)
    with (SCENARIOS / "genes_grch38.tsv").open("rb") as src, gzip.open(target / "genes_grch38.tsv.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    return root


@pytest.fixture
def analyze(runner: CliRunner, gene_data: Path) -> Callable[..., Result]:
    def run(*args: str, vcf: Path = MARFAN_VCF) -> Result:
        return runner.invoke(app, ["analyze", "--vcf", str(vcf), "--data-dir", str(gene_data), *args])

    return run


def json_out(result: Result) -> Any:
    return json.loads(result.stdout)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def edited_copy(tmp_path: Path, name: str, edit: Callable[[list[str]], list[str]]) -> Path:
    out = tmp_path / name
    out.write_text("".join(edit(lines(MARFAN_VCF))), encoding="utf-8")
    return out


def record_line(text: list[str], pos: int) -> int:
    """0-based index of the record at ``pos`` in the scenario VCF."""
    return next(i for i, ln in enumerate(text) if f"\t{pos}\t" in ln)


# -- outputs -----------------------------------------------------------------------------------


def test_json_on_stdout_ranks_the_fbn1_frameshift_first(analyze: Callable[..., Result], assert_exit: AssertExit) -> None:
    result = analyze("--hpo", MARFAN_HPO, "-f", "json")
    assert_exit(result, 0)
    data = json_out(result)  # stdout is exactly one JSON document
    top = data["genes"][0]
    assert top["symbol"] == "FBN1"
    assert top["diseases"][0]["label"] == "Marfan syndrome"
    v = top["variants"][0]
    assert v["key"] == FBN1_FRAMESHIFT
    assert v["filters"] == {"quality": "PASS", "frequency": "PASS", "region": "PASS", "inheritance": "PASS"}
    assert v["acmg"]["classification"]
    assert data["hpo_terms"] == MARFAN_HPO.split(",")
    assert data["build"] == "GRCh38"
    assert set(data["timings"]) >= {"total_s", "vcf_s"}


def test_json_reports_used_and_missing_resources(analyze: Callable[..., Result], assert_exit: AssertExit) -> None:
    result = analyze("--hpo", MARFAN_HPO, "-f", "json")
    assert_exit(result, 0)
    status = {r["name"]: r["status"] for r in json_out(result)["resources"]}
    assert status["VCF INFO frequencies"] == "used"  # gnomAD_AF
    assert status["ClinVar"] == "not given"
    assert status["VEP/SnpEff annotation"] == "missing"


def test_without_any_frequency_source_the_filter_is_reported_not_run(
        analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    vcf = edited_copy(tmp_path, "no_af.vcf", lambda t: [ln for ln in t if "ID=gnomAD_AF" not in ln])
    result = analyze("--hpo", MARFAN_HPO, "-f", "json", vcf=vcf)
    assert_exit(result, 0)
    data = json_out(result)
    assert {r["name"]: r["status"] for r in data["resources"]}["population frequency"] == "missing"
    fbn1 = next(g for g in data["genes"] if g["symbol"] == "FBN1")
    assert fbn1["variants"][0]["filters"]["frequency"] == "NOT_RUN"


def test_json_to_a_file(analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    out = tmp_path / "case.json"
    result = analyze("--hpo", MARFAN_HPO, "-f", "json", "-o", str(out))
    assert_exit(result, 0)
    assert "wrote" in result.output
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["genes"][0]["symbol"] == "FBN1"


def test_tsv_has_the_documented_columns(analyze: Callable[..., Result], assert_exit: AssertExit) -> None:
    result = analyze("--hpo", MARFAN_HPO, "-f", "tsv")
    assert_exit(result, 0)
    rows = [ln.split("\t") for ln in result.stdout.splitlines()]
    assert tuple(rows[0]) == TSV_COLUMNS
    first = dict(zip(TSV_COLUMNS, rows[1], strict=True))
    assert (first["rank"], first["gene"], first["variant"], first["consequence"]) == (
        "1", "FBN1", FBN1_FRAMESHIFT, "frameshift_variant")
    assert first["vcf_line"] == "23"
    assert all(len(r) == len(TSV_COLUMNS) for r in rows)


def test_html_report_contains_the_gene(analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    out = tmp_path / "case.html"
    result = analyze("--hpo", MARFAN_HPO, "-f", "html", "-o", str(out))
    assert_exit(result, 0)
    page = out.read_text(encoding="utf-8")
    assert "<h3>1. FBN1" in page
    assert "Marfan syndrome" in page
    assert FBN1_FRAMESHIFT in page


def test_phenopacket_output_has_a_candidate_interpretation(
        analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    packet_in = tmp_path / "case.json"
    packet_in.write_text(json.dumps({
        "id": "case-1", "subject": {"id": "proband", "sex": "FEMALE"},
        "phenotypicFeatures": [{"type": {"id": t}} for t in MARFAN_HPO.split(",")],
        "metaData": {"phenopacketSchemaVersion": "2.0"},
    }), encoding="utf-8")
    result = analyze("-p", str(packet_in), "-f", "phenopacket")
    assert_exit(result, 0)
    packet = json_out(result)
    assert packet["id"] == "case-1"
    assert len(packet["phenotypicFeatures"]) == 3
    (interp,) = packet["interpretations"]
    gis = interp["diagnosis"]["genomicInterpretations"]
    assert [gi["interpretationStatus"] for gi in gis] == ["CANDIDATE"]
    assert gis[0]["variantInterpretation"]["variationDescriptor"]["geneContext"]["symbol"] == "FBN1"


def test_table_output_names_the_top_gene(analyze: Callable[..., Result], assert_exit: AssertExit) -> None:
    result = analyze("--hpo", MARFAN_HPO)
    assert_exit(result, 0)
    assert "FBN1" in result.stdout
    assert "Marfan syndrome" in result.stdout


# -- bad input --------------------------------------------------------------------------------


def test_truncated_vcf_gz(analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    data = gzip.compress(MARFAN_VCF.read_bytes())
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    result = analyze("--hpo", MARFAN_HPO, vcf=cut)
    assert_exit(result, 1)
    assert "cut.vcf.gz" in result.output
    assert "truncated" in result.output


def test_malformed_line_is_named(analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    def edit(text: list[str]) -> list[str]:
        i = record_line(text, 128263500)
        text[i] = text[i].replace("\t128263500\t", "\t12826x500\t")
        return text

    bad = edited_copy(tmp_path, "bad.vcf", edit)
    result = analyze("--hpo", MARFAN_HPO, vcf=bad)
    assert_exit(result, 1)
    assert "bad.vcf:20" in result.output
    assert "12826x500" in result.output


def test_an_unreadable_genotype_is_a_malformed_line(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                   tmp_path: Path) -> None:
    """GT "banana" had been read as a missing call: the variant silently counted as not carried."""
    def edit(text: list[str]) -> list[str]:
        i = record_line(text, 128263500)
        cols = text[i].rstrip("\n").split("\t")
        assert cols[8].startswith("GT")
        cols[9] = "banana" + cols[9][cols[9].find(":"):] if ":" in cols[9] else "banana"
        text[i] = "\t".join(cols) + "\n"
        return text

    result = analyze("--hpo", MARFAN_HPO, vcf=edited_copy(tmp_path, "gt.vcf", edit))
    assert_exit(result, 1)
    assert "gt.vcf:20: a sample's GT is not allele numbers" in " ".join(result.output.split())


def test_malformed_line_can_be_skipped_with_a_warning(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                      tmp_path: Path) -> None:
    def edit(text: list[str]) -> list[str]:
        i = record_line(text, 128263500)
        text[i] = text[i].replace("\t128263500\t", "\t12826x500\t")
        return text

    bad = edited_copy(tmp_path, "bad.vcf", edit)
    result = analyze("--hpo", MARFAN_HPO, "-f", "json", "--skip-malformed", vcf=bad)
    assert_exit(result, 0)
    assert "bad.vcf:20" in result.stderr
    assert json_out(result)["genes"][0]["symbol"] == "FBN1"


def test_sample_not_in_the_vcf(analyze: Callable[..., Result], assert_exit: AssertExit) -> None:
    result = analyze("--hpo", MARFAN_HPO, "--sample", "NA12878")
    assert_exit(result, 2)
    assert "'NA12878' is not in the VCF" in result.output
    assert "proband" in result.output  # names the samples it has


def test_grch37_vcf_with_the_default_grch38_build(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                  tmp_path: Path) -> None:
    grch37 = {"chr1": 249250621, "chr2": 243199373, "chr5": 180915260, "chr8": 146364022, "chr9": 141213431,
              "chr15": 102531392}

    def edit(text: list[str]) -> list[str]:
        out = [ln for ln in text if not ln.startswith(("##contig", "##reference"))]
        contigs = [f"##contig=<ID={c},length={n}>\n" for c, n in grch37.items()]
        return [out[0], *contigs, *out[1:]]

    vcf = edited_copy(tmp_path, "b37.vcf", edit)
    result = analyze("--hpo", MARFAN_HPO, vcf=vcf)
    assert_exit(result, 2)
    assert "GRCh37" in result.output
    assert "contig lengths" in result.output
    assert "--build GRCh37" in result.output  # the fix is named


def test_vcf_without_records_warns_and_reports_nothing(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                      tmp_path: Path) -> None:
    vcf = edited_copy(tmp_path, "empty.vcf", lambda t: [ln for ln in t if ln.startswith("#")])
    result = analyze("--hpo", MARFAN_HPO, "-f", "json", vcf=vcf)
    assert_exit(result, 0)
    assert "no variant records" in result.stderr
    data = json_out(result)
    assert data["genes"] == []
    assert data["counts"]["records"] == 0


def test_ped_individuals_not_matching_the_vcf_samples(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                     tmp_path: Path) -> None:
    ped = tmp_path / "family.ped"
    ped.write_text("FAM1\tkid\tdad\tmum\t1\t2\nFAM1\tdad\t0\t0\t1\t1\nFAM1\tmum\t0\t0\t2\t1\n", encoding="utf-8")
    result = analyze("--hpo", MARFAN_HPO, "--ped", str(ped))
    assert_exit(result, 1)
    assert "family.ped" in result.output
    assert "kid, dad, mum" in result.output
    assert "proband" in result.output


def test_unknown_hpo_id(analyze: Callable[..., Result], assert_exit: AssertExit) -> None:
    result = analyze("--hpo", "HP:0001166,HP:9999999")
    assert_exit(result, 2)
    assert "HP:9999999 is not in HPO" in result.output
    assert "Issue(" not in result.output  # a message, not a Python repr


def test_missing_vcf_and_unknown_format(analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    result = analyze("--hpo", MARFAN_HPO, vcf=tmp_path / "nope.vcf")
    assert_exit(result, 2)
    assert "nope.vcf" in result.output
    result = analyze("--hpo", MARFAN_HPO, "-f", "xml")
    assert_exit(result, 2)
    assert "unknown format 'xml'" in result.output


def test_table_to_a_file_is_written_as_plain_text(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = analyze("--hpo", MARFAN_HPO, "-o", str(out))
    assert_exit(result, 0)
    assert "FBN1" not in result.stdout  # the file holds it
    text = out.read_text(encoding="utf-8")
    assert "FBN1" in text
    assert "\x1b[" not in text  # no colour codes
    # the suffix picks the format when --format is not given
    out_json = tmp_path / "report.json"
    assert_exit(analyze("--hpo", MARFAN_HPO, "-o", str(out_json)), 0)
    assert json.loads(out_json.read_text(encoding="utf-8"))["genes"][0]["symbol"] == "FBN1"


@pytest.mark.parametrize("option", ["--freq", "--inhouse", "--clinvar", "--ped"])
def test_a_folder_or_binary_file_for_a_resource_is_told_before_any_work(
    analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path, option: str
) -> None:
    result = analyze("--hpo", MARFAN_HPO, option, str(tmp_path))
    assert_exit(result, 2)
    assert f"{option} {tmp_path} is a folder" in result.output
    if option != "--ped":
        binary = tmp_path / "blob.bin"
        binary.write_bytes(bytes(range(200, 256)) * 20)
        result = analyze("--hpo", MARFAN_HPO, option, str(binary))
        assert_exit(result, 1)
        assert "blob.bin: not a text, VCF or gzip file" in result.output


def test_bad_build_and_unwritable_out_are_usage_errors(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                       tmp_path: Path) -> None:
    result = analyze("--hpo", MARFAN_HPO, "--build", "hg18")
    assert_exit(result, 2)
    assert "unknown genome build 'hg18'" in result.output
    result = analyze("--hpo", MARFAN_HPO, "-f", "json", "-o", str(tmp_path / "missing" / "x.json"))
    assert_exit(result, 2)
    assert "does not exist" in result.output
    result = analyze("--hpo", MARFAN_HPO, "-f", "json", "-o", str(tmp_path))
    assert_exit(result, 2)
    assert "is a folder" in result.output


def test_sites_only_vcf_is_analysed_with_a_warning(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                   tmp_path: Path) -> None:
    def sites_only(text: list[str]) -> list[str]:
        return [ln if ln.startswith("##") else "\t".join(ln.rstrip("\n").split("\t")[:8]) + "\n" for ln in text]

    result = analyze("--hpo", MARFAN_HPO, "-f", "json", vcf=edited_copy(tmp_path, "sites.vcf", sites_only))
    assert_exit(result, 0)
    assert "no sample columns (a sites-only VCF)" in " ".join(result.stderr.split())


# -- trio through the CLI --------------------------------------------------------------------------


def test_trio_with_ped_finds_the_de_novo_frameshift(analyze: Callable[..., Result], assert_exit: AssertExit,
                                                   tmp_path: Path) -> None:
    vcf = tmp_path / "trio.vcf"
    write_vcf(vcf, ["##contig=<ID=chr15,length=101991189>", '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">'],
              ["chr15\t48474300\t.\tGA\tG\t75\tPASS\t.\tGT\t0/0\t0/1\t0/0"], ["mother", "child", "father"])
    ped = tmp_path / "trio.ped"
    ped.write_text("F\tchild\tfather\tmother\t2\t2\nF\tfather\t0\t0\t1\t1\nF\tmother\t0\t0\t2\t1\n", encoding="utf-8")
    result = analyze("--hpo", MARFAN_HPO, "--ped", str(ped), "-f", "json", vcf=vcf)
    assert_exit(result, 0)
    data = json_out(result)
    assert data["proband"] == "child"
    v = data["genes"][0]["variants"][0]
    assert (data["genes"][0]["symbol"], v["de_novo"]) == ("FBN1", True)


# -- in-house frequencies: `rarelens freq build` → `rarelens analyze --inhouse` -----------------------


def lab_vcfs(tmp_path: Path, n: int, carriers: int) -> list[Path]:
    """``n`` single-sample lab VCFs (gzip): the first ``carriers`` carry the scenario's FBN1
    frameshift; lab0 also carries its TGFBR1 variant, every other sample a chr2 variant."""
    paths = []
    for i in range(n):
        path = tmp_path / f"lab{i}.vcf.gz"
        gt = "0/1" if i < carriers else "0/0"
        rows = [f"chr15\t48474300\t.\tGA\tG\t60\tPASS\t.\tGT\t{gt}",
                "chr9\t99128900\t.\tG\tA\t60\tPASS\t.\tGT\t0/1" if i == 0 else "chr2\t5\t.\tA\tC\t60\tPASS\t.\tGT\t0/1"]
        write_vcf(path, ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">'], rows, [f"lab{i}"])
        paths.append(path)
    return paths


def test_freq_build_writes_the_table_and_a_summary(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    out = tmp_path / "inhouse.tsv.gz"
    result = runner.invoke(app, ["freq", "build", *map(str, lab_vcfs(tmp_path, 5, 3)), "--out", str(out)])
    assert_exit(result, 0)
    assert "5 samples from 5 files, 3 sites" in result.stdout
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        rows = [ln.rstrip("\n").split("\t") for ln in fh if not ln.startswith("##")]
    table = {(r[0], r[1]): r for r in rows[1:]}
    assert table[("15", "48474300")][4:7] == ["3", "10", "0.3"]


def test_inhouse_round_trip_common_variant_fails_the_frequency_filter(
        runner: CliRunner, analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    table = tmp_path / "inhouse.tsv.gz"
    assert_exit(runner.invoke(app, ["freq", "build", *map(str, lab_vcfs(tmp_path, 10, 6)), "--out", str(table)]), 0)
    before = analyze("--hpo", MARFAN_HPO, "-f", "json")
    after = analyze("--hpo", MARFAN_HPO, "-f", "json", "--inhouse", str(table))
    assert_exit(after, 0)
    b, a = json_out(before), json_out(after)
    assert b["genes"][0]["symbol"] == "FBN1"
    assert "FBN1" not in {g["symbol"] for g in a["genes"]}  # 6 of 10 lab samples carry it: AF 0.3
    # TGFBR1's variant is in one lab sample of ten (AF 0.05): also above 2 %, so gone too.
    assert "TGFBR1" not in {g["symbol"] for g in a["genes"]}
    assert a["counts"]["pass_frequency"] == b["counts"]["pass_frequency"] - 2
    used = {r["name"]: r for r in a["resources"]}
    assert used["inhouse1:inhouse.tsv.gz"]["status"] == "used"


def test_inhouse_frequency_is_shown_with_the_variant_when_below_the_threshold(
        runner: CliRunner, analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    table = tmp_path / "inhouse.tsv"
    assert_exit(runner.invoke(app, ["freq", "build", *map(str, lab_vcfs(tmp_path, 30, 1)), "--out", str(table)]), 0)
    data = json_out(analyze("--hpo", MARFAN_HPO, "-f", "json", "--inhouse", str(table)))
    v = data["genes"][0]["variants"][0]
    assert v["key"] == FBN1_FRAMESHIFT
    assert v["frequencies"]["inhouse1:inhouse.tsv:af"] == pytest.approx(1 / 60, abs=1e-6)
    assert v["filters"]["frequency"] == "PASS"


def test_freq_build_bad_inputs(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    good = lab_vcfs(tmp_path, 1, 1)[0]
    out = tmp_path / "t.tsv"
    result = runner.invoke(app, ["freq", "build", str(good), str(tmp_path / "missing.vcf"), "--out", str(out)])
    assert_exit(result, 2)
    assert "missing.vcf" in result.output
    bad = tmp_path / "bad.vcf"
    bad.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\n"
                   "1\t100\t.\tC\tT\t50\tPASS\t.\tGT\t0/1\n1\tabc\t.\tC\tT\t50\tPASS\t.\tGT\t0/1\n", encoding="utf-8")
    result = runner.invoke(app, ["freq", "build", str(good), str(bad), "--out", str(out)])
    assert_exit(result, 2)
    assert "bad.vcf:4" in result.output
    assert "POS 'abc'" in result.output
    assert not out.exists()
    sites = tmp_path / "sites.vcf"
    write_vcf(sites, [], ["1\t100\t.\tC\tT\t50\tPASS\t."])
    result = runner.invoke(app, ["freq", "build", str(sites), "--out", str(out)])
    assert_exit(result, 2)
    assert "no samples" in result.output
    result = runner.invoke(app, ["freq", "build", str(good), "--out", str(tmp_path / "no" / "dir.tsv")])
    assert_exit(result, 2)
    assert "does not exist" in result.output
    result = runner.invoke(app, ["freq", "build", str(good), "--out", str(tmp_path)])  # a folder
    assert_exit(result, 2)
    assert "is a folder, not a file" in " ".join(result.output.split())
    not_vcf = tmp_path / "notes.txt"
    not_vcf.write_text("hello\n", encoding="utf-8")
    result = runner.invoke(app, ["freq", "build", str(not_vcf), "--out", str(out)])
    assert_exit(result, 2)
    assert "not a VCF" in result.output


def test_freq_build_warns_about_a_sample_in_two_files(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    a = lab_vcfs(tmp_path, 1, 1)[0]
    b = tmp_path / "again.vcf"
    b.write_bytes(gzip.decompress(a.read_bytes()))
    result = runner.invoke(app, ["freq", "build", str(a), str(b), "--out", str(tmp_path / "t.tsv")])
    assert_exit(result, 0)
    assert "lab0" in result.stderr
    assert "more than one file" in result.stderr


def test_phenopacket_with_a_utf8_byte_order_mark_is_read(
        analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    """Windows editors write a BOM; the file is read once, by the phenopacket reader, not re-parsed."""
    packet_in = tmp_path / "bom.json"
    packet_in.write_bytes(b"\xef\xbb\xbf" + json.dumps({
        "id": "case-bom", "subject": {"id": "proband", "sex": "FEMALE"},
        "phenotypicFeatures": [{"type": {"id": t}} for t in MARFAN_HPO.split(",")],
    }).encode("utf-8"))
    result = analyze("-p", str(packet_in), "-f", "phenopacket")
    assert_exit(result, 0)
    assert json_out(result)["id"] == "case-bom"


def test_bad_phenopacket_content_exits_1_and_unknown_cli_id_exits_2(
        analyze: Callable[..., Result], assert_exit: AssertExit, tmp_path: Path) -> None:
    bad = tmp_path / "case.json"
    bad.write_text('{"id": "x", "phenotypicFeatures": [{"type": {"id": "HP:9999999"}}]}', encoding="utf-8")
    result = analyze("--phenopacket", str(bad))
    assert_exit(result, 1)
    assert "case.json" in result.output
    assert_exit(analyze("--hpo", "HP:9999999"), 2)
