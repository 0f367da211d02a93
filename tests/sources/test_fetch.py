"""Tests for rarelens.sources.fetch against a throw-away HTTP server on 127.0.0.1.

The server is in-process and in-memory so the tests need no network, and it can misbehave on
purpose (errors, cut-off bodies, ignored ranges, stalls) to exercise resume and cleanup paths.
"""

from __future__ import annotations

import hashlib
import random
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rarelens.sources.fetch import (
    FetchError,
    RemoteFile,
    fetch_file,
    fetch_sources,
    sha256_file,
)

CONTENT = random.Random(20240611).randbytes(50_000)
CONTENT_SHA = hashlib.sha256(CONTENT).hexdigest()
DEST = "hpo/hp.obo"


@dataclass
class ServerState:
    """What the fake server serves, how it misbehaves, and what it saw."""

    content: bytes = CONTENT
    fail_status: int | None = None
    cut_after: int | None = None  # announce the full Content-Length, send only this many bytes
    honor_range: bool = True
    stall: bool = False  # send headers and a few bytes, then hang until teardown
    ranges: list[str | None] = field(default_factory=list)  # Range header of each request
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class FakeServer:
    state: ServerState
    base_url: str

    @property
    def url(self) -> str:
        return f"{self.base_url}/hp.obo"

    def remote(self, sha256: str | None = CONTENT_SHA) -> RemoteFile:
        return RemoteFile(key="hpo.obo", url=self.url, dest=DEST, sha256=sha256)


def _make_handler(state: ServerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            range_header = self.headers.get("Range")
            state.ranges.append(range_header)
            self.close_connection = True
            if state.fail_status is not None or self.path != "/hp.obo":
                self.send_error(state.fail_status or 404)
                return
            body = state.content
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
            if match and state.honor_range:
                start = int(match.group(1))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            payload = body[start:]
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if state.stall:
                self.wfile.write(payload[:100])
                self.wfile.flush()
                state.release.wait(5)
                return
            if state.cut_after is not None:
                payload = payload[: state.cut_after]
            self.wfile.write(payload)

    return Handler


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep urllib from routing 127.0.0.1 through a proxy configured on the test machine."""
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def server() -> Iterator[FakeServer]:
    state = ServerState()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield FakeServer(state=state, base_url=f"http://{host!s}:{port}")
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=2)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_fresh_download(server: FakeServer, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int | None]] = []

    result = fetch_file(
        server.remote(),
        tmp_path,
        on_progress=lambda key, done, total: calls.append((key, done, total)),
        chunk_size=4096,
    )

    dest = tmp_path / DEST
    assert dest.read_bytes() == CONTENT
    assert result.status == "downloaded"
    assert result.path == dest
    assert result.sha256 == CONTENT_SHA
    assert result.bytes == len(CONTENT)
    assert result.verified
    assert _files(tmp_path) == [dest]
    assert server.state.ranges == [None]
    assert len(calls) > 2
    assert calls[-1] == ("hpo.obo", len(CONTENT), len(CONTENT))
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)


@pytest.mark.parametrize("existing_dest", [False, True])
def test_checksum_mismatch_leaves_nothing(
    server: FakeServer, tmp_path: Path, existing_dest: bool
) -> None:
    dest = tmp_path / DEST
    if existing_dest:
        dest.parent.mkdir(parents=True)
        dest.write_bytes(b"old release\n")
    wrong = hashlib.sha256(b"not the content").hexdigest()

    with pytest.raises(FetchError) as excinfo:
        fetch_file(server.remote(sha256=wrong), tmp_path)

    message = str(excinfo.value)
    assert server.url in message
    assert wrong in message
    assert CONTENT_SHA in message
    assert not dest.with_name(dest.name + ".part").exists()
    if existing_dest:
        assert dest.read_bytes() == b"old release\n"
        assert _files(tmp_path) == [dest]
    else:
        assert not dest.exists()
        assert _files(tmp_path) == []


def test_resume_from_partial_file(server: FakeServer, tmp_path: Path) -> None:
    k = 12_345
    part = tmp_path / (DEST + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(CONTENT[:k])
    calls: list[tuple[str, int, int | None]] = []

    result = fetch_file(
        server.remote(), tmp_path, on_progress=lambda *c: calls.append(c), chunk_size=4096
    )

    assert server.state.ranges == [f"bytes={k}-"]
    assert result.status == "resumed"
    assert result.sha256 == CONTENT_SHA
    assert (tmp_path / DEST).read_bytes() == CONTENT
    assert not part.exists()
    assert calls[0] == ("hpo.obo", k, len(CONTENT))
    assert calls[-1] == ("hpo.obo", len(CONTENT), len(CONTENT))


def test_interrupted_download_keeps_part_and_resumes(server: FakeServer, tmp_path: Path) -> None:
    k = 20_000
    server.state.cut_after = k
    part = tmp_path / (DEST + ".part")

    with pytest.raises(FetchError) as excinfo:
        fetch_file(server.remote(), tmp_path)

    assert server.url in str(excinfo.value)
    assert "rarelens kb fetch" in str(excinfo.value)
    assert part.read_bytes() == CONTENT[:k]
    assert not (tmp_path / DEST).exists()

    server.state.cut_after = None
    result = fetch_file(server.remote(), tmp_path)

    assert server.state.ranges == [None, f"bytes={k}-"]
    assert result.status == "resumed"
    assert (tmp_path / DEST).read_bytes() == CONTENT
    assert not part.exists()


def test_server_ignoring_range_restarts(server: FakeServer, tmp_path: Path) -> None:
    server.state.honor_range = False
    part = tmp_path / (DEST + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"x" * 7_000)  # not even a prefix: must be truncated, not appended to

    result = fetch_file(server.remote(), tmp_path)

    assert server.state.ranges == ["bytes=7000-"]
    assert result.status == "downloaded"
    assert (tmp_path / DEST).read_bytes() == CONTENT
    assert not part.exists()


@pytest.mark.parametrize("code", [404, 500])
def test_http_error(server: FakeServer, tmp_path: Path, code: int) -> None:
    server.state.fail_status = code

    with pytest.raises(FetchError) as excinfo:
        fetch_file(server.remote(), tmp_path)

    assert server.url in str(excinfo.value)
    assert str(code) in str(excinfo.value)
    assert _files(tmp_path) == []
    assert not (tmp_path / "hpo").exists()


def test_present_file_needs_no_network(server: FakeServer, tmp_path: Path) -> None:
    dest = tmp_path / DEST
    dest.parent.mkdir(parents=True)
    dest.write_bytes(CONTENT)

    result = fetch_file(server.remote(), tmp_path)

    assert result.status == "present"
    assert result.sha256 == CONTENT_SHA
    assert result.bytes == len(CONTENT)
    assert server.state.ranges == []


def test_stale_present_file_is_replaced(server: FakeServer, tmp_path: Path) -> None:
    dest = tmp_path / DEST
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"old release\n")

    result = fetch_file(server.remote(), tmp_path)

    assert result.status == "downloaded"
    assert dest.read_bytes() == CONTENT


def test_connection_refused(tmp_path: Path) -> None:
    # A bound but non-listening socket reserves the port, so the refusal is deterministic.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}/hp.obo"
        remote = RemoteFile(key="hpo.obo", url=url, dest=DEST, sha256=CONTENT_SHA)

        with pytest.raises(FetchError) as excinfo:
            fetch_file(remote, tmp_path, timeout=2)

    assert url in str(excinfo.value)
    assert "proxy" in str(excinfo.value)
    assert _files(tmp_path) == []


def test_timeout_keeps_part(server: FakeServer, tmp_path: Path) -> None:
    server.state.stall = True

    with pytest.raises(FetchError) as excinfo:
        fetch_file(server.remote(), tmp_path, timeout=0.2)

    assert server.url in str(excinfo.value)
    assert (tmp_path / (DEST + ".part")).read_bytes() == CONTENT[:100]


def test_complete_part_after_416_is_verified(server: FakeServer, tmp_path: Path) -> None:
    part = tmp_path / (DEST + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(CONTENT)

    result = fetch_file(server.remote(), tmp_path)

    assert server.state.ranges == [f"bytes={len(CONTENT)}-"]
    assert result.status == "resumed"
    assert (tmp_path / DEST).read_bytes() == CONTENT


def test_bad_part_after_416_is_redownloaded(server: FakeServer, tmp_path: Path) -> None:
    part = tmp_path / (DEST + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"y" * (len(CONTENT) + 10))

    result = fetch_file(server.remote(), tmp_path)

    assert server.state.ranges == [f"bytes={len(CONTENT) + 10}-", None]
    assert result.status == "downloaded"
    assert (tmp_path / DEST).read_bytes() == CONTENT


def test_unpinned_records_observed_checksum(
    server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    result = fetch_file(server.remote(sha256=None), tmp_path)

    assert result.sha256 == CONTENT_SHA
    assert not result.verified
    assert "no pinned checksum" in caplog.text
    again = fetch_file(server.remote(sha256=None), tmp_path)
    assert again.status == "present"
    assert server.state.ranges == [None]


def test_destination_must_stay_inside_data_dir(server: FakeServer, tmp_path: Path) -> None:
    remote = RemoteFile(key="evil", url=server.url, dest="../outside.obo", sha256=None)
    with pytest.raises(FetchError, match="outside|relative"):
        fetch_file(remote, tmp_path / "data")
    assert server.state.ranges == []


def test_fetch_sources_collects_optional_failures(server: FakeServer, tmp_path: Path) -> None:
    good = server.remote()
    missing = RemoteFile(
        key="extra", url=server.base_url + "/gone", dest="x/extra.txt", sha256=None, optional=True
    )
    wrong = hashlib.sha256(b"nope").hexdigest()
    bad_optional = RemoteFile(
        key="bad", url=server.url, dest="x/bad.txt", sha256=wrong, optional=True
    )

    report = fetch_sources([good, bad_optional, missing], tmp_path)

    assert [r.key for r in report.results] == ["hpo.obo"]
    assert [key for key, _ in report.failed_optional] == ["bad", "extra"]
    assert not report.ok
    assert sha256_file(tmp_path / DEST) == CONTENT_SHA


def test_fetch_sources_stops_at_required_failure(server: FakeServer, tmp_path: Path) -> None:
    wrong = hashlib.sha256(b"nope").hexdigest()
    required = RemoteFile(key="req", url=server.url, dest="a.txt", sha256=wrong)
    later = RemoteFile(key="later", url=server.url, dest="b.txt", sha256=CONTENT_SHA)

    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch_sources([required, later], tmp_path)

    assert len(server.state.ranges) == 1
    assert not (tmp_path / "b.txt").exists()
