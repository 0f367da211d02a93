"""`rarelens consult` on bad input: every mistake is named with its file (and line or JSON path)
and a fix, and is found before the consultation runs, so no answer is lost to it. A wrong option
or path (missing file, folder) exits 2; bad content inside an --answers or --resume file exits 1."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app
from rarelens.consult.state import Consultation

TABLES = str(Path(__file__).resolve().parents[1] / "fixtures" / "consult_tables")
ARACHNODACTYLY, ALT_ARACHNODACTYLY, OBSOLETE_AORTA = "HP:0001166", "HP:0001505", "HP:0002631"
pytestmark = pytest.mark.usefixtures("cli_env")
AssertExit = Callable[[Result, int], None]


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, ["consult", "--tables", TABLES, *args], input=stdin)


def refused(runner: CliRunner, assert_exit: AssertExit, *args: str, says: tuple[str, ...], code: int = 2) -> Result:
    """Exit ``code`` (2, a usage error, unless told), nothing asked (the check came first), and the
    message holds every piece of ``says``."""
    r = run(runner, *args)
    assert_exit(r, code)
    assert "Q1:" not in r.stdout
    for piece in says:
        assert piece in r.stderr, r.stderr
    return r


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


@pytest.fixture
def saved(runner: CliRunner, tmp_path: Path) -> dict[str, Any]:
    """A real stored session, as JSON, to break one field at a time."""
    path = tmp_path / "saved.json"
    r = run(runner, "--hpo", ARACHNODACTYLY, "--budget", "0", "--save", str(path))
    assert r.exit_code == 0, r.output
    return dict(json.loads(path.read_text(encoding="utf-8")))


def session_file(tmp_path: Path, data: dict[str, Any], name: str = "s.json") -> Path:
    return write(tmp_path, name, json.dumps(data))


# --- 1. output paths are checked before the consultation --------------------------------------

@pytest.mark.parametrize(
    ("option", "target", "says"),
    [
        ("--save", "nodir/s.json", "does not exist"),
        ("--save", "adir", "is a folder"),
        ("--out", "nodir/r.html", "does not exist"),
    ],
)
def test_bad_output_path_is_refused_before_the_first_question(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, option: str, target: str, says: str
) -> None:
    (tmp_path / "adir").mkdir()
    path = str(tmp_path / target)
    refused(runner, assert_exit, "--hpo", ARACHNODACTYLY, option, path, says=(option, path, says))


def test_save_and_out_must_differ(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    same = str(tmp_path / "x.json")
    refused(runner, assert_exit, "--hpo", ARACHNODACTYLY, "--save", same, "--out", same, says=("same file",))


# --- 2 and 6. answers files are checked in full -----------------------------------------------

@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("a.tsv", "# fièvre\nHP:0001166\tyes\n".encode("latin-1"), "save the file as UTF-8"),
        ("a.json", '{"observed": null}', "observed must be a list of HPO ids, got null"),
        ("a.json", '{"observed": "HP:0001083"}', 'write "observed": ["HP:0001083"]'),
        ("a.json", '{"observed": [5]}', "observed[0]: expected an HPO id"),
        ("a.json", '{"phenotypicFeatures": null}', "phenotypicFeatures must be a list, not null"),
        ("a.json", '{"phenotypicFeatures": [{"type": "HP:0001083"}]}', "phenotypicFeatures[0]"),
        ("a.json", '{"observed": ["HP:0001083"], "examinations": ["x"]}', "examinations must be an object"),
        ("a.json", '{"obsreved": ["HP:0001083"]}', "unknown key 'obsreved' (did you mean 'observed'?)"),
        ("a.json", '{"observed": ["HP:0001083"], "answers": {}}', "unknown key 'answers'"),
        ("a.json", '{"observed": ["HP:0001083"], "examinations": {"echocardiogram": "normal"}}',
         "did you mean 'echocardiography'?"),
        ("a.json", '{"observed": ["HP:0001083"], "examinations": {"echocardiography": ["HP:9999999"]}}',
         "examinations.echocardiography[0]: HP:9999999"),
        ("a.json", '{"observed": ["HP:0001083"], "examinations": {"echocardiography": "abnormal"}}',
         'must be "normal" or a list of HPO ids'),
        ("a.json", '{"observed": ["HP:0001083"], "excluded": ["HP:0001083"]}', "both as observed and as excluded"),
        ("a.json", "", "the file is empty"),
        ("a.json", '{"observed": ["HP:0001083"]\n', "a.json: invalid JSON at line 2, column 1"),
        ("a.tsv", "", "no answers in the file"),
        ("a.tsv", "# only a comment\n", "no answers in the file"),
        ("a.json", "{}", "no answers in the file"),
    ],
)
def test_bad_answers_file_is_named_with_its_path(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, name: str, content: str | bytes, says: str
) -> None:
    path = write(tmp_path, name, content)
    refused(runner, assert_exit, "--hpo", ARACHNODACTYLY, "--answers", str(path), says=(name, says), code=1)


def test_obsolete_id_in_a_tsv_answers_file_is_warned_about(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    path = write(tmp_path, "a.tsv", f"{ALT_ARACHNODACTYLY}\tyes\n{OBSOLETE_AORTA}\tno\n")
    r = run(runner, "--hpo", ARACHNODACTYLY, "--answers", str(path), "--budget", "1")
    assert_exit(r, 0)
    assert f"a.tsv:1: {ALT_ARACHNODACTYLY} is an alternative id" in r.stderr
    assert f"a.tsv:2: {OBSOLETE_AORTA} is obsolete" in r.stderr


def test_json_answers_in_a_txt_file_are_read_as_json(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    path = write(tmp_path, "answers.txt", '{"observed": ["HP:0001083"]}')
    assert_exit(run(runner, "--hpo", ARACHNODACTYLY, "--answers", str(path), "--budget", "1"), 0)


# --- 3, 4 and 7. a stored session is checked field by field -----------------------------------

@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("mode", "doctor", 'mode is "doctor"; it must be one of clinician, patient'),
        ("language", "fr", 'language is "fr"; it must be one of en, zh'),
        ("onset_years", "P3Y", 'onset_years is "P3Y"; it must be a number of years'),
        ("notes", 5, "notes is 5; it must be a list"),
    ],
)
def test_malformed_session_field_is_named(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any], field: str, value: Any, says: str
) -> None:
    path = session_file(tmp_path, {**saved, field: value})
    refused(runner, assert_exit, "--resume", str(path), says=("s.json", says), code=1)


@pytest.mark.parametrize(("term", "says"), [("HP:9999999", "HP:9999999 is not in HPO release"), ("seizure", "'seizure'")])
def test_stored_answer_the_ontology_cannot_resolve_is_an_error(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any], term: str, says: str
) -> None:
    answers = [{**saved["answers"][0], "term": term}, *saved["answers"]]
    path = session_file(tmp_path, {**saved, "answers": answers})
    refused(runner, assert_exit, "--resume", str(path), says=("s.json: answers[0].term", says, "correct or remove"),
            code=1)


def test_stored_alt_id_is_warned_about(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any]) -> None:
    path = session_file(tmp_path, {**saved, "answers": [{**saved["answers"][0], "term": ALT_ARACHNODACTYLY}]})
    r = run(runner, "--resume", str(path), "--budget", "0")
    assert_exit(r, 0)
    assert f"answers[0].term: {ALT_ARACHNODACTYLY} is an alternative id" in r.stderr


def test_session_without_findings_is_refused_like_a_fresh_start(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any]
) -> None:
    path = session_file(tmp_path, {**saved, "answers": []})
    refused(runner, assert_exit, "--resume", str(path), says=("no observed finding", "--hpo"))
    r = run(runner, "--resume", str(path), "--hpo", ARACHNODACTYLY, "--budget", "0")
    assert_exit(r, 0)


def test_unknown_stored_examination_is_refused(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any]) -> None:
    exam = {"exam_id": "NOPE", "findings": [], "normal": True, "step": 0}
    path = session_file(tmp_path, {**saved, "examinations": [exam]})
    refused(runner, assert_exit, "--resume", str(path), says=("examinations[0].exam_id", "'NOPE'", "--tables"),
            code=1)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("Patient mit Fieber, Hypotonie.".encode("latin-1").replace(b"i", b"\xe8"), "not UTF-8 text"),
        ("", "the file is empty"),
        ('{\n "schema": "rarelens.consultation/1",\n "id": }', "s.json: invalid JSON at line 3, column 8"),
    ],
)
def test_unreadable_session_file_says_what_to_do(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, content: str | bytes, says: str
) -> None:
    path = write(tmp_path, "s.json", content)
    refused(runner, assert_exit, "--resume", str(path), says=(says,), code=1)


def test_a_folder_given_as_a_file_is_named_a_folder(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    refused(runner, assert_exit, "--resume", str(tmp_path), says=("is a folder, not a file",))
    refused(runner, assert_exit, "--hpo", ARACHNODACTYLY, "--answers", str(tmp_path), says=("is a folder, not a file",))


# --- 5. options given with --resume are applied -----------------------------------------------

def test_resume_applies_mode_language_and_new_findings(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any]
) -> None:
    path = session_file(tmp_path, saved)
    r = run(runner, "--resume", str(path), "--hpo", "HP:0001083", "--excluded", "HP:0002616", "--mode", "patient",
            "--lang", "zh", "--sex", "F", "--budget", "0", "--save", str(path))
    assert_exit(r, 0)
    s = Consultation.from_dict(json.loads(path.read_text(encoding="utf-8")))
    assert (s.mode, s.language, s.sex) == ("patient", "zh", "FEMALE")
    assert "HP:0001083" in s.observed
    assert "HP:0002616" in s.excluded
    assert ARACHNODACTYLY in s.observed


def test_resume_keeps_the_stored_mode_when_none_is_given(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any]
) -> None:
    path = session_file(tmp_path, {**saved, "mode": "patient", "language": "zh"})
    assert_exit(run(runner, "--resume", str(path), "--budget", "0", "--save", str(path)), 0)
    s = Consultation.from_dict(json.loads(path.read_text(encoding="utf-8")))
    assert (s.mode, s.language) == ("patient", "zh")


def test_resume_refuses_an_unknown_new_finding(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, saved: dict[str, Any]) -> None:
    path = session_file(tmp_path, saved)
    refused(runner, assert_exit, "--resume", str(path), "--hpo", "HP:9999999", says=("HP:9999999",))


# --- 8. text without findings -------------------------------------------------------------------

def test_text_without_findings_is_an_error_alone_and_a_warning_beside_hpo(runner: CliRunner, assert_exit: AssertExit) -> None:
    refused(runner, assert_exit, "--text", "nothing here", says=("no finding recognised", "--hpo"))
    r = run(runner, "--text", "nothing here", "--hpo", ARACHNODACTYLY, "--budget", "0")
    assert_exit(r, 0)
    assert "warning" in r.stderr
    assert "no finding recognised" in r.stderr


# --- 9. --format needs --out; the format follows the suffix -----------------------------------

def test_format_without_out_is_a_usage_error(runner: CliRunner, assert_exit: AssertExit) -> None:
    refused(runner, assert_exit, "--hpo", ARACHNODACTYLY, "-f", "json", says=("--format json", "--out"))


def test_report_format_follows_the_suffix_and_resumes(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    assert_exit(run(runner, "--hpo", ARACHNODACTYLY, "--budget", "0", "-o", str(report)), 0)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["chains"]
    assert_exit(run(runner, "--resume", str(report), "--budget", "0"), 0)  # a JSON report is a session too


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--text", ""], "the text is empty"), (["--text", "  "], "the text is empty"),
     (["--hpo", ARACHNODACTYLY, "--sex", ""], "--sex must be F or M"),
     (["--hpo", ARACHNODACTYLY, "--onset", ""], "--onset must be an ISO 8601 duration"),
     (["--hpo", ARACHNODACTYLY, "--onset", "P999999999999999999999Y"], "200 years or more")],
    ids=["empty-text", "blank-text", "empty-sex", "empty-onset", "absurd-onset"],
)
def test_empty_or_absurd_patient_options_are_usage_errors(
    runner: CliRunner, assert_exit: AssertExit, args: list[str], says: str
) -> None:
    """As in diagnose (parse_demographics): an empty value is a typo, never silently dropped."""
    refused(runner, assert_exit, *args, says=(says,))


def test_a_phenopacket_answers_file_is_worded_as_diagnose_words_it(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    """Both read the features with the phenopacket module, so the same wrong field reads the same."""
    path = tmp_path / "a.json"
    path.write_text('{"phenotypicFeatures": [{"type": {"id": "HP:0001083"}, "excluded": "yes"}]}', encoding="utf-8")
    says = 'phenotypicFeatures[0].excluded must be true or false, not the string "yes"'
    refused(runner, assert_exit, "--hpo", ARACHNODACTYLY, "--answers", str(path), says=(says,), code=1)
    diagnosed = runner.invoke(app, ["diagnose", "-p", str(path)])
    assert_exit(diagnosed, 1)
    assert says in diagnosed.stderr
