"""`rarelens extract --model`: off unless configured; proposals verified (fake server on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fake_openai import FakeChatServer
from rarelens.cli.main import app


def test_cli_model_flag(cli_env: Path, fake_chat: FakeChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.delenv("RARELENS_LLM_URL", raising=False)
    result = runner.invoke(app, ["extract", "anything", "--model"])
    assert result.exit_code == 2
    assert "RARELENS_LLM_URL" in result.output
    monkeypatch.setenv("RARELENS_LLM_URL", fake_chat.url)
    monkeypatch.setenv("RARELENS_LLM_MODEL", "fake")
    fake_chat.reply = json.dumps([{"text": "anything", "hpo_id": "HP:9999999"}])
    result = runner.invoke(app, ["extract", "anything", "--model", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "rejected" in result.output
    assert "HP:9999999" in result.output
