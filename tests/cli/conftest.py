"""CLI fixtures: a home folder holding a knowledge base built once by `rarelens kb build`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app

ENV_VARS = ("RARELENS_HOME", "RARELENS_DATA", "RARELENS_KB")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def built_home(tmp_path_factory: pytest.TempPathFactory, fixture_data_dir: Path) -> Path:
    """RARELENS_HOME with a knowledge base built from the fixture data by the real command."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RARELENS_KB", raising=False)
        mp.setenv("RARELENS_HOME", str(home))
        mp.setenv("RARELENS_DATA", str(fixture_data_dir))
        result = CliRunner().invoke(app, ["kb", "build"])
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture
def cli_env(built_home: Path, fixture_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the built knowledge base, as a user's environment would."""
    monkeypatch.delenv("RARELENS_KB", raising=False)
    monkeypatch.setenv("RARELENS_HOME", str(built_home))
    monkeypatch.setenv("RARELENS_DATA", str(fixture_data_dir))
    return built_home


def _assert_exit(result: Result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.fixture(scope="session")
def assert_exit() -> Callable[[Result, int], None]:
    """Check the exit code and that nothing escaped as a traceback, whatever the outcome."""
    return _assert_exit
