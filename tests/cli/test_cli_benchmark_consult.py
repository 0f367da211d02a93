"""`rarelens benchmark consult` end to end on the fixture knowledge base (tests/fixtures/data).

Two Loeys-Dietz syndrome 1 cases and one Marfan case; each starts from two of its recorded
findings, so the engine has little to ask in a five-concept KB — enough to check the JSON, the
curves' shapes and the oracle, not the engine's quality (that is docs/benchmarks.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.test_cli_diagnose import phenopacket
from rarelens.cli.main import app

AssertExit = Callable[[Result, int], None]
pytestmark = pytest.mark.usefixtures("cli_env")
ARACHNODACTYLY, ECTOPIA_LENTIS, AORTIC_ROOT = "HP:0001166", "HP:0001083", "HP:0002616"
TALL, DISPROPORTIONATE_TALL = "HP:0000098", "HP:0001519"


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    phenopacket(root / "lds" / "p1.json", [ARACHNODACTYLY, AORTIC_ROOT, DISPROPORTIONATE_TALL], "OMIM:609192", excluded=[ECTOPIA_LENTIS])
    phenopacket(root / "lds" / "p2.json", [ARACHNODACTYLY, AORTIC_ROOT, TALL], "OMIM:609192", excluded=[ECTOPIA_LENTIS])
    phenopacket(root / "marfan" / "p3.json", [ARACHNODACTYLY, ECTOPIA_LENTIS, AORTIC_ROOT], "OMIM:154700")
    return root


@pytest.mark.parametrize("oracle", [False, True])
def test_benchmark_consult_json(runner: CliRunner, assert_exit: AssertExit, cases: Path, oracle: bool) -> None:
    args = ["benchmark", "consult", str(cases), "--budget", "2", "--jobs", "1", "--json", "--tables", str(Path(__file__).parents[1] / "fixtures" / "consult_tables")]
    result = runner.invoke(app, args + (["--oracle"] if oracle else []))
    assert_exit(result, 0)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["n"] == 3
    assert data["budget"] == 2
    for who in ("engine", "random"):
        assert len(data[who]["top1"]) == len(data[who]["top10"]) == 3
        assert data[who]["top1"][0] == data["start"]["top1"]
    if oracle:
        curve = data["oracle"]
        assert len(curve["top1"]) == len(curve["top10"]) == 3
        assert curve["top1"][0] == data["start"]["top1"]
        # In this five-concept KB every gold starts in the top 10 and the full case does no
        # better than the start terms, so there is no gap for anyone to close.
        assert data["full"]["top10"] == data["start"]["top10"] == 1.0
        assert data["oracle_gap_closed"] is None
    else:
        assert "oracle" not in data
