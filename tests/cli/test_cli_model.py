"""`rarelens extract --model`: off unless configured; proposals verified (fake server on loopback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarelens.cli.main import app


class _FakeChat(BaseHTTPRequestHandler):
    reply = "[]"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({"choices": [{"message": {"content": type(self).reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FakeChat)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_cli_model_flag(cli_env: Path, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.delenv("RARELENS_LLM_URL", raising=False)
    result = runner.invoke(app, ["extract", "anything", "--model"])
    assert result.exit_code == 2
    assert "RARELENS_LLM_URL" in result.output
    monkeypatch.setenv("RARELENS_LLM_URL", server)
    monkeypatch.setenv("RARELENS_LLM_MODEL", "fake")
    _FakeChat.reply = json.dumps([{"text": "anything", "hpo_id": "HP:9999999"}])
    result = runner.invoke(app, ["extract", "anything", "--model", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "rejected" in result.output
    assert "HP:9999999" in result.output
