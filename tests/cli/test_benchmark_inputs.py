"""Bad input to the `rarelens benchmark` commands: a message naming the file and the fix, the
right exit code (1 bad data, 2 usage), never a traceback, and no case lost without a word."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cli.test_analyze import MARFAN_VCF, gene_data  # noqa: F401 (a fixture)
from cli.test_cli_diagnose import phenopacket
from rarelens.cli.main import app

AssertExit = Callable[[Result, int], None]
pytestmark = pytest.mark.usefixtures("cli_env")
MARFAN = ["HP:0001166", "HP:0002616", "HP:0001083"]
CONSULT_TABLES = ["--budget", "1", "--jobs", "1", "--tables", str(Path(__file__).parents[1] / "fixtures" / "consult_tables")]
PHENOPACKET_COMMANDS = ("phenotype", "genes", "consult", "vcf")


def flat(text: str) -> str:
    return " ".join(text.split())


def last_json(result: Result) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    phenopacket(root / "a" / "marfan.json", MARFAN, "OMIM:154700")
    return root


def bench(runner: CliRunner, command: str, *args: str) -> Result:
    extra = ["--background", "none.vcf"] if command == "vcf" else []
    return runner.invoke(app, ["benchmark", command, *args, *extra])


@pytest.mark.parametrize("command", PHENOPACKET_COMMANDS)
def test_out_in_a_missing_folder_is_rejected_before_the_run(
    runner: CliRunner, assert_exit: AssertExit, cases: Path, tmp_path: Path, command: str
) -> None:
    result = bench(runner, command, str(cases), "--out", str(tmp_path / "nodir" / "x.jsonl"))
    assert_exit(result, 2)
    assert "nodir" in flat(result.stderr)
    assert_exit(bench(runner, command, str(cases), "--out", str(tmp_path)), 2)  # a folder


@pytest.mark.parametrize("command", PHENOPACKET_COMMANDS)
@pytest.mark.parametrize("option", [["--limit", "-1"], ["--limit", "0"], ["--fold", "7"], ["--fold", "-1"]])
def test_bad_limit_or_fold_is_a_usage_error(
    runner: CliRunner, assert_exit: AssertExit, cases: Path, command: str, option: list[str]
) -> None:
    result = bench(runner, command, str(cases), *option)
    assert_exit(result, 2)
    assert option[0] in result.output


@pytest.mark.parametrize("command", PHENOPACKET_COMMANDS)
def test_empty_folder_is_an_error(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, command: str) -> None:
    (tmp_path / "empty").mkdir()
    result = bench(runner, command, str(tmp_path / "empty"))
    assert_exit(result, 1)
    assert "no phenopackets" in flat(result.stderr)


@pytest.mark.parametrize("command", PHENOPACKET_COMMANDS)
def test_a_file_or_missing_path_as_the_folder_is_a_usage_error(
    runner: CliRunner, assert_exit: AssertExit, cases: Path, command: str
) -> None:
    result = bench(runner, command, str(cases / "a" / "marfan.json"))
    assert_exit(result, 2)
    assert "is a file, not a folder" in flat(result.stderr)
    result = bench(runner, command, str(cases / "absent"))
    assert_exit(result, 2)
    assert "no such folder" in flat(result.stderr)


@pytest.mark.parametrize("kb", ["nonexist", "."], ids=["missing", "folder"])
def test_phenotype_missing_or_folder_kb_is_a_usage_error(
    runner: CliRunner, assert_exit: AssertExit, cases: Path, tmp_path: Path, kb: str
) -> None:
    result = runner.invoke(app, ["benchmark", "phenotype", str(cases), "--kb", str(tmp_path / kb)])
    assert_exit(result, 2)
    assert "--kb" in flat(result.stderr)


def test_phenotype_names_invalid_files_and_leaves_out_cases_without_gold(
    runner: CliRunner, assert_exit: AssertExit, cases: Path
) -> None:
    (cases / "a" / "trunc.json").write_text('{"id": "x", "phenotypicFeatures": [', encoding="utf-8")
    phenopacket(cases / "a" / "nogold.json", MARFAN)
    result = runner.invoke(app, ["benchmark", "phenotype", str(cases), "--json"])
    assert_exit(result, 0)
    data = last_json(result)
    assert (data["cases_read"], data["cases_invalid"], data["cases_without_gold"]) == (3, 1, 1)
    assert data["ensemble"]["all"]["n"] == data["ensemble"]["all"]["top1"] == 1  # not scored as a miss
    [invalid] = data["invalid_files"]
    assert Path(invalid["file"]).name == "trunc.json"
    assert "invalid JSON" in invalid["reason"]
    stderr = flat(result.stderr)
    assert "trunc.json" in stderr
    assert "nogold.json" in stderr


def break_reader_on(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make the phenopacket reader raise a non-validation error (a reader bug) on file ``name``."""
    import rarelens.io.phenopacket as reader

    real = reader.parse_phenopacket

    def parse(data: Any, path: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == name:
            raise TypeError("'NoneType' object is not iterable")
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(reader, "parse_phenopacket", parse)


def causal_gene(path: Path, symbol: str = "FBN1", hgnc: str = "HGNC:3603") -> None:
    """Add a causative gene to a phenopacket written by `phenopacket`, for `benchmark genes`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["interpretations"] = [{"id": "i", "progressStatus": "SOLVED", "diagnosis": {
        "disease": {"id": "OMIM:154700"}, "genomicInterpretations": [{
            "subjectOrBiosampleId": "proband", "interpretationStatus": "CAUSATIVE",
            "gene": {"valueId": hgnc, "symbol": symbol}}]}}]
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("command", ["phenotype", "genes", "consult"])
def test_unexpected_reader_error_is_counted_apart_and_fails_the_run(
    runner: CliRunner, assert_exit: AssertExit, cases: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A reader bug must neither crash the run nor pass as bad data: the results are written,
    the file and exception named, and the run exits 1 so the regression is not missed."""
    odd = phenopacket(cases / "a" / "odd.json", MARFAN, "OMIM:154700")
    for f in (odd, cases / "a" / "marfan.json"):
        causal_gene(f)
    break_reader_on(monkeypatch, "odd.json")
    extra = CONSULT_TABLES if command == "consult" else []
    result = runner.invoke(app, ["benchmark", command, str(cases), "--json", *extra])
    assert_exit(result, 1)
    data = last_json(result)
    assert data["cases_reader_errors"] == 1
    assert data["invalid_files"] == []
    [bug] = data["reader_errors"]
    assert Path(bug["file"]).name == "odd.json"
    assert "unexpected TypeError" in bug["reason"]
    assert "odd.json" in flat(result.stderr)
    assert "reader bug" in flat(result.stderr)


@pytest.mark.parametrize("command", PHENOPACKET_COMMANDS)
def test_only_invalid_files_is_an_error(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, request: pytest.FixtureRequest, command: str
) -> None:
    """Scores over zero cases would look like a result: every benchmark exits 1 alike."""
    genes = request.getfixturevalue("gene_data")
    (tmp_path / "c" / "a").mkdir(parents=True)
    (tmp_path / "c" / "a" / "trunc.json").write_text('{"id": "x", "phenotypicFeatures": [', encoding="utf-8")
    extra = {"vcf": ["--background", str(MARFAN_VCF), "--data-dir", str(genes)],
             "consult": CONSULT_TABLES}.get(command, [])
    result = runner.invoke(app, ["benchmark", command, str(tmp_path / "c"), *extra])
    assert_exit(result, 1)
    assert "can be scored" in flat(result.stderr)
    assert "trunc.json" in flat(result.stderr)


def test_phenotype_only_unusable_cases_is_an_error(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    phenopacket(tmp_path / "c" / "a" / "nogold.json", MARFAN)
    result = runner.invoke(app, ["benchmark", "phenotype", str(tmp_path / "c")])
    assert_exit(result, 1)
    assert "can be scored" in flat(result.stderr)


def test_phenotype_table_shows_a_missed_median_as_a_dash(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    phenopacket(tmp_path / "c" / "a" / "elsewhere.json", ["HP:0001166"], "OMIM:999999")
    result = runner.invoke(app, ["benchmark", "phenotype", str(tmp_path / "c")])
    assert_exit(result, 0)
    table = result.stdout.rsplit("\n{", 1)[0]
    assert "None" not in table
    assert "—" in table


# --- benchmark text ---


def zh(path: Path, *rows: dict[str, Any]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


ROW = {"id": "s1", "text": "患儿身材矮小。", "present": ["HP:0004322"]}


def text_bench(runner: CliRunner, path: Path, fmt: str, *args: str) -> Result:
    return runner.invoke(app, ["benchmark", "text", str(path), "--corpus-format", fmt, "--repeat", "1", "--json", *args])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**ROW, "present": "HP:0004322"}, 'zh.jsonl:2: "present" must be a list'),
        ({"id": "s2", "text": "x", "presnt": []}, "zh.jsonl:2: unknown key 'presnt'"),
        ({**ROW, "text": "无"}, "zh.jsonl:2: id 's1' already used on line 1"),
    ],
)
def test_text_clinical_set_rows_are_checked(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, row: dict[str, Any], message: str
) -> None:
    result = text_bench(runner, zh(tmp_path / "zh.jsonl", ROW, row), "rarelens-zh")
    assert_exit(result, 1)
    assert message in flat(result.stderr)


def test_text_clinical_set_file_problems(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes('{"id": "s1", "text": "fièvre"}\n'.encode("latin-1"))
    result = text_bench(runner, latin1, "rarelens-zh")
    assert_exit(result, 1)
    assert "save the file as UTF-8" in flat(result.stderr)
    assert "kb fetch" not in result.stderr
    assert_exit(text_bench(runner, tmp_path, "rarelens-zh"), 2)  # a folder
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    result = text_bench(runner, tmp_path / "empty.jsonl", "rarelens-zh")
    assert_exit(result, 1)
    assert "no documents" in flat(result.stderr)


@pytest.mark.parametrize(
    ("fmt", "args", "message"),
    [
        ("rarelens-zh", ["--lang", "fr"], "unknown language 'fr'"),
        ("gsc2024", ["--annotations", "ann"], "--annotations applies to --corpus-format phenobert only"),
        ("rarelens-zh", ["--annotations", "raw_ann"], "--annotations applies"),
    ],
)
def test_text_bad_options_are_usage_errors(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, fmt: str, args: list[str], message: str
) -> None:
    result = text_bench(runner, zh(tmp_path / "zh.jsonl", ROW), fmt, *args)
    assert_exit(result, 2)
    assert message in flat(result.stderr)


def test_text_empty_corpora_are_errors(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    for name in ("Text", "Annotations"):
        (tmp_path / "gsc" / name).mkdir(parents=True)
    (tmp_path / "pt.tsv").write_text("", encoding="utf-8")
    for path, fmt in ((tmp_path / "gsc", "gsc2024"), (tmp_path / "pt.tsv", "phenotagger")):
        result = text_bench(runner, path, fmt)
        assert_exit(result, 1)
        assert f"{path}: no documents" in flat(result.stderr)


def gsc2024_document(folder: Path, text: str, annotations: str) -> None:
    """A one-document corpus in GSC_2024's layout (Text/d1, Annotations/d1)."""
    for name, content in (("Text", text), ("Annotations", annotations)):
        (folder / name).mkdir()
        (folder / name / "d1").write_text(content, encoding="utf-8")


def test_text_span_past_the_text(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    gsc2024_document(tmp_path, "Arachnodactyly here.",
                     "0:14\tHP:0001166\tArachnodactyly\n500:510\tHP:0001166\tArachnodactyly\n")
    result = text_bench(runner, tmp_path, "gsc2024")
    assert_exit(result, 1)
    assert "d1:2: span 500-510 ends past the text" in flat(result.stderr)
    result = text_bench(runner, tmp_path, "gsc2024", "--skip-malformed")
    assert_exit(result, 0)
    data = last_json(result)
    assert data["annotation_lines_skipped"] == 1
    assert data["document_strict"]["n_gold"] == 1


def test_text_gold_span_that_misses_its_text_is_counted_and_named(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    """A shifted gold span is scored as given, but never unseen: counted in the JSON and named."""
    gsc2024_document(tmp_path, "Arachnodactyly and ectopia lentis.",
                     "0:14\tHP:0001166\tArachnodactyly\n20:34\tHP:0001083\tectopia lentis\n")
    result = text_bench(runner, tmp_path, "gsc2024")
    assert_exit(result, 0)
    assert last_json(result)["gold_span_mismatches"] == 1
    assert "d1 20-34: gold 'ectopia lentis', text 'ctopia lentis.'" in flat(result.stderr)


def test_phenotype_names_the_files_whose_ids_were_dropped(
    runner: CliRunner, assert_exit: AssertExit, cases: Path
) -> None:
    phenopacket(cases / "b" / "newer.json", [*MARFAN, "HP:9999999"], "OMIM:154700")
    result = runner.invoke(app, ["benchmark", "phenotype", str(cases), "--json"])
    assert_exit(result, 0)
    assert last_json(result)["terms_dropped_unknown"] == 1
    stderr = flat(result.stderr)
    assert "1 phenotype id dropped" in stderr
    assert "newer.json" in stderr
    assert "HP:9999999" in stderr
