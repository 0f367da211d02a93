"""`rarelens consult` on the fixture knowledge base with the fixture consultation tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarelens.cli.main import app
from rarelens.consult.state import Consultation
from rarelens.consult.voice import FORBIDDEN_CERTAINTY

TABLES = str(Path(__file__).resolve().parents[1] / "fixtures" / "consult_tables")
pytestmark = pytest.mark.usefixtures("cli_env")


def run(runner: CliRunner, *args: str, stdin: str | None = None):  # noqa: ANN201
    return runner.invoke(app, ["consult", "--tables", TABLES, *args], input=stdin)


def answers_file(tmp_path: Path, data: dict) -> Path:  # type: ignore[type-arg]
    p = tmp_path / "answers.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_answers_file_runs_unattended_and_writes_every_output(runner: CliRunner, tmp_path: Path) -> None:
    answers = answers_file(tmp_path, {"observed": ["HP:0001166", "HP:0001083", "HP:0002616"],
                                      "examinations": {"echocardiography": ["HP:0002616"]}})
    session, report = tmp_path / "s.json", tmp_path / "r.html"
    r = run(runner, "--hpo", "HP:0001166", "--answers", str(answers), "--save", str(session), "--out", str(report))
    assert r.exit_code == 0, r.output
    assert "Q1:" in r.stdout
    assert "(answers file)" in r.stdout
    saved = Consultation.from_dict(json.loads(session.read_text(encoding="utf-8")))
    asked = [a for a in saved.answers if a.source == "answers-file"]
    assert asked, "the engine asked no question"
    # the answers file decides: yes when the asked term or a descendant is listed, else unknown
    yes = {"HP:0001166", "HP:0001238", "HP:0001083", "HP:0002616"}  # listed terms and their askable ancestors
    assert [a.value for a in asked] == ["yes" if a.term in yes else "unknown" for a in asked]
    assert "yes" in [a.value for a in asked]
    html = report.read_text(encoding="utf-8")
    assert "Marfan syndrome" in html
    assert "not a diagnosis" in html.lower()
    for fmt in ("json", "mermaid", "dot"):
        out = tmp_path / f"r.{fmt}"
        r2 = run(runner, "--hpo", "HP:0001166", "--answers", str(answers), "--out", str(out), "--format", fmt)
        assert r2.exit_code == 0, r2.output
        assert out.stat().st_size > 100


def test_yes_answers_move_marfan_to_the_top(runner: CliRunner, tmp_path: Path) -> None:
    answers = answers_file(tmp_path, {"observed": ["HP:0001166", "HP:0001083", "HP:0002616"]})
    session = tmp_path / "s.json"
    r = run(runner, "--hpo", "HP:0001166", "--answers", str(answers), "--save", str(session))
    assert r.exit_code == 0, r.output
    saved = Consultation.from_dict(json.loads(session.read_text(encoding="utf-8")))
    assert saved.differential[0].label == "Marfan syndrome"


def test_interactive_session_reads_stdin_and_resumes(runner: CliRunner, tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    r = run(runner, "--hpo", "HP:0001166", "--budget", "2", "--save", str(session), stdin="y\nq\n")
    assert r.exit_code == 0, r.output
    first = Consultation.from_dict(json.loads(session.read_text(encoding="utf-8")))
    assert [a.value for a in first.answers if a.source == "question"] == ["yes"]
    r2 = run(runner, "--resume", str(session), "--budget", "1", "--save", str(session), stdin="n\n")
    assert r2.exit_code == 0, r2.output
    second = Consultation.from_dict(json.loads(session.read_text(encoding="utf-8")))
    assert [a.value for a in second.answers if a.source == "question"] == ["yes", "no"]


def test_interactive_examination_is_recorded(runner: CliRunner, tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    r = run(runner, "--hpo", "HP:0001166", "--budget", "1", "--save", str(session),
            stdin="exam echocardiography normal\nu\n")
    assert r.exit_code == 0, r.output
    saved = Consultation.from_dict(json.loads(session.read_text(encoding="utf-8")))
    assert [e.exam_id for e in saved.examinations] == ["echocardiography"]
    assert "HP:0002616" in saved.excluded


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_patient_mode_never_states_a_diagnosis(runner: CliRunner, tmp_path: Path, lang: str) -> None:
    answers = answers_file(tmp_path, {"observed": ["HP:0001166", "HP:0001083", "HP:0002616"]})
    r = run(runner, "--hpo", "HP:0001166", "--answers", str(answers), "--mode", "patient", "--lang", lang)
    assert r.exit_code == 0, r.output
    low = r.stdout.lower()
    assert not [p for p in FORBIDDEN_CERTAINTY if p.lower() in low]
    assert ("诊断" in r.stdout) if lang == "zh" else ("diagnosis" in low)


def test_bad_input_exits_2_for_options_and_1_for_a_bad_file(runner: CliRunner, tmp_path: Path) -> None:
    r = run(runner, "--hpo", "HP:9999999")
    assert r.exit_code == 2
    assert "HP:9999999" in r.output
    assert run(runner).exit_code == 2
    bad = tmp_path / "a.tsv"
    bad.write_text("HP:0001083\tmaybe\n", encoding="utf-8")
    r = run(runner, "--hpo", "HP:0001166", "--answers", str(bad))
    assert r.exit_code == 1  # the file's content is wrong, not the command line
    assert "a.tsv:1" in r.output
    r = run(runner, "--hpo", "HP:0001166", "--resume", str(tmp_path / "missing.json"))
    assert r.exit_code == 2


def test_model_voice_guard_removes_an_invented_disease(runner: CliRunner, tmp_path: Path, fake_chat, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    fake_chat.reply = ("The findings fit Marfan syndrome. They also fit Quixote-Lemming syndrome. "
                       "Consider HP:9999999 as well.")
    monkeypatch.setenv("RARELENS_LLM_URL", fake_chat.url)
    monkeypatch.setenv("RARELENS_LLM_MODEL", "fake")
    answers = answers_file(tmp_path, {"observed": ["HP:0001166", "HP:0001083"]})
    session = tmp_path / "s.json"
    r = run(runner, "--hpo", "HP:0001166", "--answers", str(answers), "--llm", "--save", str(session))
    assert r.exit_code == 0, r.output
    assert "Quixote-Lemming" not in r.stdout
    assert "HP:9999999" not in r.stdout
    assert "fit Marfan syndrome" in r.stdout
    saved = Consultation.from_dict(json.loads(session.read_text(encoding="utf-8")))
    assert any("Quixote-Lemming" in n for n in saved.notes)
