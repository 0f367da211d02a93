"""JSON nested thousands deep is bad file content (exit 1, "nested too deeply"), never a
RecursionError traceback, in every command that reads a JSON file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app

AssertExit = Callable[[Result, int], None]
pytestmark = pytest.mark.usefixtures("cli_env")
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "args",
    [["diagnose", "-p", "{f}"], ["consult", "--hpo", "HP:0001166", "--answers", "{f}", "--tables", str(Path(__file__).parents[1] / "fixtures" / "consult_tables")],
     ["benchmark", "genes", "{d}"], ["benchmark", "text", "{f}", "--corpus-format", "rarelens-zh"]],
    ids=["diagnose", "consult", "benchmark-genes", "benchmark-text"],
)
def test_deeply_nested_json_is_named(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "cases" / "a").mkdir(parents=True)
    deep = tmp_path / "cases" / "a" / "deep.json"
    deep.write_text(DEEP, encoding="utf-8")
    result = runner.invoke(app, [a.format(f=deep, d=tmp_path / "cases") for a in args])
    assert_exit(result, 1)
    assert "nested too deeply" in " ".join(result.stderr.split())
