"""`rarelens diagnose` on bad inputs: clear messages on stderr, the right exit code, no traceback.

Exit codes: 1 for a file that is there but unusable (bad data), 2 for a wrong command line
(bad option value, a combination that would silently drop an input, a path that is no file).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app

AssertExit = Callable[[Result, int], None]
ARACHNODACTYLY = "HP:0001166"
MARFAN_TEXT = "Arachnodactyly, ectopia lentis and aortic root aneurysm."

pytestmark = pytest.mark.usefixtures("cli_env")


def flat(text: str) -> str:
    return " ".join(text.split())


def packet(path: Path, **fields: Any) -> Path:
    """A small phenopacket with one observed term; ``fields`` replace or add top-level keys."""
    data: dict[str, Any] = {
        "id": "case-1",
        "subject": {"id": "proband", "sex": "MALE"},
        "phenotypicFeatures": [{"type": {"id": ARACHNODACTYLY}}],
        **fields,
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


# ---- phenopacket contents: bad data, exit 1, file and JSON path named ---------------------


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"diseases": None}, "diseases must be a list, not null"),
        ({"diseases": 5}, "diseases must be a list, not 5"),
        ({"diseases": ["OMIM:154700"]}, "diseases[0] must be an object"),
        ({"subject": "patient1"}, "subject must be an object"),
        ({"phenotypicFeatures": None}, "phenotypicFeatures must be a list"),
        ({"phenotypicFeatures": [{"type": {"id": ARACHNODACTYLY}, "excluded": "false"}]},
         'phenotypicFeatures[0].excluded must be true or false, not the string "false"'),
    ],
    ids=["diseases-null", "diseases-int", "diseases-strings", "subject-string", "features-null", "excluded-string"],
)
def test_wrongly_typed_field_exits_1_naming_the_json_path(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, fields: dict[str, Any], named: str
) -> None:
    path = packet(tmp_path / "case.json", **fields)
    result = runner.invoke(app, ["diagnose", "-p", str(path), "--format", "json"])
    assert_exit(result, 1)
    assert named in flat(result.stderr)
    assert "case.json" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b'{\n  "id": "x",\n  "phenotypicFeatures": [,]\n}\n', "line 3, column 26"),
        (b'{"id": "x", "phenotypicFeatures": [{"type": {"id": "HP:00', "Unterminated string that starts there"),
        (json.dumps({"phenotypicFeatures": [{"type": {"id": ARACHNODACTYLY}}]}).encode("utf-16"), "save the file as UTF-8"),
        (b'{"id": "caf\xe9", "phenotypicFeatures": []}', "save the file as UTF-8"),
        (b"", "the file is empty"),
    ],
    ids=["bad-json", "cut-off", "utf-16", "latin-1", "empty"],
)
def test_unreadable_phenopacket_exits_1_with_a_fix(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, content: bytes, named: str
) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["diagnose", "-p", str(path)])
    assert_exit(result, 1)
    assert named in flat(result.stderr)
    assert "case.json" in result.stderr
    assert "Fix:" in result.stderr


def test_utf8_bom_phenopacket_is_accepted_and_kept_in_phenopacket_output(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({"id": "bom", "phenotypicFeatures": [{"type": {"id": ARACHNODACTYLY}}]}),
                    encoding="utf-8-sig")
    result = runner.invoke(app, ["diagnose", "-p", str(path), "--format", "phenopacket"])
    assert_exit(result, 0)
    assert json.loads(result.stdout)["id"] == "bom"


def test_directory_as_phenopacket_says_it_is_a_directory(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["diagnose", "-p", str(tmp_path)])
    assert_exit(result, 2)
    assert "is a folder, not a file" in flat(result.stderr)
    assert "no such file" not in result.stderr


# ---- option combinations and values: usage errors, exit 2 ---------------------------------


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--hpo", ARACHNODACTYLY], "--hpo"),
        (["--text", MARFAN_TEXT], "--text"),
        (["--sex", "F", "--onset", "xx"], "--sex, --onset"),
        (["--excluded", "HP:0003074"], "--excluded"),
    ],
    ids=["hpo", "text", "sex-onset", "excluded"],
)
def test_phenopacket_with_other_phenotype_options_is_refused(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, extra: list[str], named: str
) -> None:
    path = packet(tmp_path / "case.json")
    result = runner.invoke(app, ["diagnose", "-p", str(path), *extra])
    assert_exit(result, 2)
    assert f"--phenopacket cannot be combined with {named}" in flat(result.stderr)


@pytest.mark.parametrize(("extra", "named"), [(["--sex", "X"], "--sex"), (["--onset", "bogus"], "--onset")])
def test_sex_and_onset_are_validated_with_text(
    runner: CliRunner, assert_exit: AssertExit, extra: list[str], named: str
) -> None:
    result = runner.invoke(app, ["diagnose", "--text", MARFAN_TEXT, *extra])
    assert_exit(result, 2)
    assert named in result.stderr


def test_sex_and_onset_are_used_with_text(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose", "--text", MARFAN_TEXT, "--sex", "F", "--onset", "P5Y", "-f", "json"])
    assert_exit(result, 0)
    patient = json.loads(result.stdout)["patient"]
    assert (patient["sex"], patient["onset_years"]) == ("FEMALE", 5.0)


def test_text_and_text_file_together_name_the_real_options(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text(MARFAN_TEXT, encoding="utf-8")
    result = runner.invoke(app, ["diagnose", "--text", MARFAN_TEXT, "--text-file", str(note)])
    assert_exit(result, 2)
    assert "--text or with --text-file, not both" in flat(result.stderr)
    assert "--file F" not in result.stderr


@pytest.mark.parametrize("top", ["0", "-3"])
def test_top_must_be_at_least_one(runner: CliRunner, assert_exit: AssertExit, top: str) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", ARACHNODACTYLY, "--top", top])
    assert_exit(result, 2)
    assert "--top" in result.stderr


def test_unknown_region_is_refused_with_the_known_ones(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", ARACHNODACTYLY, "--region", "Mars"])
    assert_exit(result, 2)
    err = flat(result.stderr)
    assert "'Mars'" in err
    assert "China" in err
    assert "Europe" in err  # a geographic name of the fixture's Orphanet prevalences


@pytest.mark.parametrize("region", ["china", "Europe"])
def test_known_region_any_case_ranks(runner: CliRunner, assert_exit: AssertExit, region: str) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", ARACHNODACTYLY, "--region", region, "-f", "json"])
    assert_exit(result, 0)
    assert json.loads(result.stdout)["diagnoses"]


# ---- --out ---------------------------------------------------------------------------------


def test_out_in_a_missing_folder_is_refused_before_ranking(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    out = tmp_path / "nodir" / "x.json"
    result = runner.invoke(app, ["diagnose", "--hpo", ARACHNODACTYLY, "-f", "json", "-o", str(out)])
    assert_exit(result, 2)
    assert "does not exist" in flat(result.stderr)
    assert not out.parent.exists()


def test_out_that_is_a_directory_is_refused(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", ARACHNODACTYLY, "-f", "json", "-o", str(tmp_path)])
    assert_exit(result, 2)
    assert "is a folder, not a file" in flat(result.stderr)


def test_table_out_writes_plain_text(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    result = runner.invoke(app, ["diagnose", "--text", MARFAN_TEXT, "-o", str(out)])
    assert_exit(result, 0)
    text = out.read_text(encoding="utf-8")
    assert "Marfan syndrome" in text
    assert "Decision support only" in text
    assert "\x1b[" not in text  # no terminal colour codes in a file
    assert "Marfan" not in result.stdout
    assert "wrote" in result.stderr


@pytest.mark.parametrize(("name", "starts"), [("x.json", "{"), ("x.tsv", "rank\t"), ("x.out", "")], ids=["json", "tsv", "unknown"])
def test_out_without_format_follows_the_suffix(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, name: str, starts: str
) -> None:
    """As in consult: without -f the -o suffix chooses the format; an unknown one gets the table."""
    out = tmp_path / name
    result = runner.invoke(app, ["diagnose", "--hpo", ARACHNODACTYLY, "-o", str(out)])
    assert_exit(result, 0)
    text = out.read_text(encoding="utf-8")
    if starts:
        assert text.startswith(starts)
    else:
        assert "Decision support only" in text


@pytest.mark.parametrize("onset", ["P999999999999999999999Y", "P200Y"])
def test_an_absurd_onset_is_a_usage_error(runner: CliRunner, assert_exit: AssertExit, onset: str) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", ARACHNODACTYLY, "--onset", onset])
    assert_exit(result, 2)
    assert "200 years or more" in flat(result.stderr)
