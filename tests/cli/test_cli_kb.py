"""`rarelens kb build` and `kb info` through the real command line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app
from rarelens.config import KB_FILENAME
from rarelens.sources.registry import SOURCES

AssertExit = Callable[[Result, int], None]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def home(tmp_path: Path, fixture_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("RARELENS_KB", raising=False)
    monkeypatch.setenv("RARELENS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RARELENS_DATA", str(fixture_data_dir))
    return tmp_path / "home"


def _corrupt_hpoa(data: Path) -> int:
    """Break the frequency of one phenotype.hpoa row; return its line number."""
    path = data / "hpo" / "phenotype.hpoa"
    lines = path.read_text(encoding="utf-8").split("\n")
    lineno = next(i for i, ln in enumerate(lines, 1) if ln.startswith("OMIM:609192\t") and "\t25/36\t" in ln)
    lines[lineno - 1] = lines[lineno - 1].replace("\t25/36\t", "\t25 of 36\t")
    path.write_text("\n".join(lines), encoding="utf-8")
    return lineno


def test_build_then_info_json(
    runner: CliRunner, home: Path, fixture_data_dir: Path, assert_exit: AssertExit
) -> None:
    result = runner.invoke(app, ["kb", "build"])
    assert_exit(result, 0)
    kb_path = home / "kb" / KB_FILENAME
    assert kb_path.is_file()
    out = flat(result.output)  # Rich wraps stdout at the console width
    assert f"sources: {fixture_data_dir} (from RARELENS_DATA)" in out
    assert "8 disease entries, 5 concepts" in out
    assert not list(kb_path.parent.glob(".kb-*"))

    info = runner.invoke(app, ["kb", "info", "--json"])
    assert_exit(info, 0)
    manifest = json.loads(info.stdout.strip().splitlines()[-1])
    assert manifest["path"] == str(kb_path)
    assert manifest["format_version"] == 1
    assert manifest["hpo_release"] == "2025-01-16"
    assert manifest["counts"]["disease_entries"] == 8
    assert manifest["counts"]["disease_concepts"] == 5
    assert manifest["counts"]["catalog_entries_linked"] == 1
    sources = {s["key"]: s for s in manifest["sources"]}
    assert sources["hpo.annotations"]["path"] == str(fixture_data_dir / "hpo" / "phenotype.hpoa")
    assert all(len(s["sha256"]) == 64 and set(s["sha256"]) <= set("0123456789abcdef") for s in sources.values())
    assert set(sources) == {spec.key for spec in SOURCES}

    table = runner.invoke(app, ["kb", "info"])
    assert_exit(table, 0)
    assert manifest["kb_version"] in table.output


def test_build_if_missing_keeps_the_existing_file(runner: CliRunner, home: Path, assert_exit: AssertExit) -> None:
    assert_exit(runner.invoke(app, ["kb", "build"]), 0)
    kb_path = home / "kb" / KB_FILENAME
    before = kb_path.stat().st_mtime_ns
    again = runner.invoke(app, ["kb", "build", "--if-missing"])
    assert_exit(again, 0)
    assert "knowledge base present" in flat(again.output)
    assert kb_path.stat().st_mtime_ns == before


def test_corrupt_hpoa_fails_naming_file_and_line(
    runner: CliRunner, home: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch, assert_exit: AssertExit
) -> None:
    lineno = _corrupt_hpoa(data_copy)
    monkeypatch.setenv("RARELENS_DATA", str(data_copy))
    result = runner.invoke(app, ["kb", "build"])
    assert_exit(result, 1)
    assert f"{data_copy / 'hpo' / 'phenotype.hpoa'}:{lineno}:" in result.stderr
    assert "frequency '25 of 36'" in result.stderr
    assert "Fix:" in result.stderr
    assert not (home / "kb" / KB_FILENAME).exists()  # nothing half-written
    if (home / "kb").exists():
        assert list((home / "kb").iterdir()) == []


def test_data_dir_option_overrides_the_environment(
    runner: CliRunner, home: Path, data_copy: Path, fixture_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch, assert_exit: AssertExit,
) -> None:
    _corrupt_hpoa(data_copy)
    monkeypatch.setenv("RARELENS_DATA", str(data_copy))  # would fail
    result = runner.invoke(app, ["kb", "build", "--data-dir", str(fixture_data_dir)])
    assert_exit(result, 0)
    assert f"sources: {fixture_data_dir} (from --data-dir)" in flat(result.output)
    assert (home / "kb" / KB_FILENAME).is_file()


def test_kb_option_writes_where_asked(
    runner: CliRunner, home: Path, tmp_path: Path, assert_exit: AssertExit
) -> None:
    target = tmp_path / "elsewhere" / "my.sqlite"
    assert_exit(runner.invoke(app, ["kb", "build", "--kb", str(target)]), 0)
    assert target.is_file()
    assert not (home / "kb" / KB_FILENAME).exists()
    info = runner.invoke(app, ["kb", "info", "--json", "--kb", str(target)])
    assert_exit(info, 0)
    assert json.loads(info.stdout.strip().splitlines()[-1])["path"] == str(target)


def test_info_without_a_knowledge_base(runner: CliRunner, home: Path, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["kb", "info"])
    assert_exit(result, 1)
    assert "rarelens kb build" in result.stderr
    assert str(home / "kb" / KB_FILENAME) in result.stderr


def test_info_on_a_file_that_is_not_a_knowledge_base(
    runner: CliRunner, tmp_path: Path, assert_exit: AssertExit
) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("not sqlite\n" * 50, encoding="utf-8")
    result = runner.invoke(app, ["kb", "info", "--kb", str(bogus)])
    assert_exit(result, 1)
    assert "not a RareLens knowledge base" in result.stderr




def test_error_message_keeps_bracketed_text(
    runner: CliRunner, home: Path, tmp_path: Path, fixture_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch, assert_exit: AssertExit,
) -> None:
    data = tmp_path / "data [copy]"
    shutil.copytree(fixture_data_dir, data)
    lineno = _corrupt_hpoa(data)
    monkeypatch.setenv("RARELENS_DATA", str(data))
    result = runner.invoke(app, ["kb", "build"])
    assert_exit(result, 1)
    assert f"{data / 'hpo' / 'phenotype.hpoa'}:{lineno}:" in result.stderr
