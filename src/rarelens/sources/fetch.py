"""Download knowledge-base source releases into the data folder, resumably and verifiably.

Why this module exists, and why it looks the way it does:

* The sources (HPO, Orphanet, OMIM-derived annotations, ...) are tens to hundreds of megabytes
  and are fetched over hospital and university networks that drop connections and sit behind
  proxies.  A download that dies at 90 % must not start over, so bytes go to ``<dest>.part`` and
  a re-run continues it with an HTTP ``Range`` request.
* A diagnosis tool must not silently build its knowledge base from a truncated or tampered file,
  so every pinned file is checked against its SHA-256 before it becomes visible under its final
  name, and it becomes visible atomically (``fsync`` + ``os.replace``): readers see either the
  old file or the new, complete one, never half of it.
* It uses only the standard library (``urllib``) so that installing RareLens in a locked-down
  environment does not drag in an HTTP stack, and it knows nothing about the terminal: the CLI
  passes a progress callback and renders errors itself.  Every :class:`FetchError` message
  names the URL or file concerned and says what the user can do about it.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from rarelens import __version__

__all__ = [
    "FetchError",
    "FetchReport",
    "FetchResult",
    "FetchStatus",
    "ProgressCallback",
    "RemoteFile",
    "fetch_file",
    "fetch_sources",
    "sha256_file",
]

_log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int | None], None]
"""``(key, bytes_done, total_or_None)``; called as chunks arrive so the CLI can draw a bar."""

FetchStatus = Literal["downloaded", "resumed", "present"]

_NETWORK_HINT = "check your network or proxy; re-run `rarelens kb fetch` to resume"
_USER_AGENT = f"rarelens/{__version__} (+python-urllib)"
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file of an official source release and where it lives in the data folder.

    ``sha256`` pins the exact release RareLens was validated against; ``None`` means the
    upstream file is a moving target (e.g. a "latest" URL), in which case the observed checksum
    is recorded in the :class:`FetchResult` and a warning is logged instead of failing.
    """

    key: str
    url: str
    dest: str
    sha256: str | None
    size: int | None = None
    optional: bool = False
    license: str = ""


class FetchError(Exception):
    """A source could not be fetched; the message names the URL or file and the remedy."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What :func:`fetch_file` did, so the CLI can report it and the KB can record provenance.

    ``verified`` is true when ``sha256`` was checked against a pin, false when it is merely the
    observed checksum of an unpinned file.
    """

    key: str
    path: Path
    sha256: str
    bytes: int
    status: FetchStatus
    verified: bool = False


@dataclass(frozen=True, slots=True)
class FetchReport:
    """Outcome of :func:`fetch_sources`.

    Optional sources (e.g. ones behind a licence the user may not have accepted) must not block
    building the knowledge base, so their failures are collected here rather than raised.
    """

    results: tuple[FetchResult, ...]
    failed_optional: tuple[tuple[str, FetchError], ...] = ()

    @property
    def ok(self) -> bool:
        """True when every requested file, optional or not, is in place."""
        return not self.failed_optional


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks so multi-hundred-megabyte files stay cheap."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def fetch_file(
    remote: RemoteFile,
    data_dir: Path,
    *,
    on_progress: ProgressCallback | None = None,
    timeout: float = 60.0,
    chunk_size: int = 1 << 16,
) -> FetchResult:
    """Make ``data_dir / remote.dest`` hold the verified remote file, downloading only if needed.

    An existing destination that matches the pin is reused without touching the network.  A
    stale one is left in place until its replacement has been fully downloaded and verified.
    Network failures keep the ``.part`` file so that the next call resumes; a checksum failure
    deletes it, because its bytes cannot be trusted as a prefix of the right file.
    """
    dest = _resolve_dest(data_dir, remote.dest)
    expected = remote.sha256.lower() if remote.sha256 is not None else None

    if dest.is_file():
        present = _check_present(remote, dest, expected)
        if present is not None:
            return present

    part = dest.with_name(dest.name + ".part")
    status, digest, size = _download(remote, part, on_progress, timeout, chunk_size)
    _verify(remote, part, dest, expected, digest, size)
    _commit(remote, part, dest)
    if expected is None:
        _warn_unpinned(remote, digest)
    return FetchResult(
        key=remote.key,
        path=dest,
        sha256=digest,
        bytes=size,
        status=status,
        verified=expected is not None,
    )


def fetch_sources(
    remotes: Sequence[RemoteFile],
    data_dir: Path,
    *,
    on_progress: ProgressCallback | None = None,
    timeout: float = 60.0,
) -> FetchReport:
    """Fetch several sources in order.

    The first failure of a required source is raised at once: the knowledge base cannot be built
    without it, and files already fetched stay on disk, so a re-run resumes where this one
    stopped.  Failures of optional sources are collected in the report instead.
    """
    results: list[FetchResult] = []
    failed: list[tuple[str, FetchError]] = []
    for remote in remotes:
        try:
            results.append(fetch_file(remote, data_dir, on_progress=on_progress, timeout=timeout))
        except FetchError as exc:
            if not remote.optional:
                raise
            _log.warning("optional source %s skipped: %s", remote.key, exc)
            failed.append((remote.key, exc))
    return FetchReport(results=tuple(results), failed_optional=tuple(failed))


# --------------------------------------------------------------------------- internals


def _resolve_dest(data_dir: Path, dest: str) -> Path:
    """Refuse destinations that would escape the data folder (a malformed manifest entry)."""
    rel = PurePosixPath(dest)
    if not dest or rel.is_absolute() or ".." in rel.parts or Path(dest).is_absolute():
        raise FetchError(
            f"invalid destination {dest!r}: it must be a relative path inside the data folder; "
            "this is a bug in the source manifest, please report it"
        )
    return data_dir.joinpath(*rel.parts)


def _check_present(remote: RemoteFile, dest: Path, expected: str | None) -> FetchResult | None:
    """Return a "present" result if ``dest`` can be reused as is, else None."""
    try:
        size = dest.stat().st_size
        if expected is None and remote.size is not None and size != remote.size:
            return None
        digest = sha256_file(dest)
    except OSError as exc:
        raise FetchError(
            f"cannot read existing file {dest}: {exc}; check its permissions or delete it"
        ) from exc
    if expected is not None and digest != expected:
        _log.info("%s exists but does not match the pinned sha256; re-downloading", dest)
        return None
    if expected is None:
        _warn_unpinned(remote, digest)
    return FetchResult(
        key=remote.key,
        path=dest,
        sha256=digest,
        bytes=size,
        status="present",
        verified=expected is not None,
    )


def _warn_unpinned(remote: RemoteFile, digest: str) -> None:
    _log.warning(
        "%s (%s) has no pinned checksum; recording observed sha256 %s",
        remote.key,
        remote.url,
        digest,
    )


def _network_error(url: str, exc: BaseException) -> FetchError:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return FetchError(f"could not download {url}: {reason}; {_NETWORK_HINT}")


def _download(
    remote: RemoteFile,
    part: Path,
    on_progress: ProgressCallback | None,
    timeout: float,
    chunk_size: int,
) -> tuple[FetchStatus, str, int]:
    """Bring ``part`` to the full remote content; return (status, sha256, size).

    At most two requests are made: a ranged one when a ``.part`` exists, and a fresh one if the
    server's answer shows the partial file cannot be continued.
    """
    offset = part.stat().st_size if part.is_file() else 0
    for _attempt in range(2):
        request = urllib.request.Request(
            remote.url,
            headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"},
        )
        if offset:
            request.add_header("Range", f"bytes={offset}-")
        try:
            response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            headers = exc.headers
            exc.close()
            if exc.code == 416 and offset:
                done = _complete_after_416(remote, part, headers.get("Content-Range"))
                if done is not None:
                    return "resumed", done[0], done[1]
                _discard(part)
                offset = 0
                continue
            raise FetchError(
                f"could not download {remote.url}: HTTP {exc.code} {exc.reason}; "
                + (
                    "the file may have moved upstream; update rarelens or report the broken URL"
                    if exc.code in (404, 410)
                    else _NETWORK_HINT
                )
            ) from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise _network_error(remote.url, exc) from exc

        with response:
            length = _int_header(response.headers.get("Content-Length"))
            status_code = response.status
            if offset and status_code == 206:
                start, total = _parse_content_range(response.headers.get("Content-Range"))
                if start != offset:
                    # The server sent a different range than asked; do not splice it in.
                    _discard(part)
                    offset = 0
                    continue
                if total is None and length is not None:
                    total = offset + length
                status: FetchStatus = "resumed"
            else:
                # 200 (server ignored or does not support Range): start over from zero.
                offset = 0
                total = length
                status = "downloaded"
            if total is None:
                total = remote.size
            digest, size = _stream(
                remote, response, part, offset, length, total, on_progress, chunk_size
            )
            return status, digest, size

    raise FetchError(
        f"could not resume {remote.url}: the server kept answering with an unusable range; "
        f"delete {part} and re-run `rarelens kb fetch`"
    )


def _stream(
    remote: RemoteFile,
    response: http.client.HTTPResponse,
    part: Path,
    offset: int,
    length: int | None,
    total: int | None,
    on_progress: ProgressCallback | None,
    chunk_size: int,
) -> tuple[str, int]:
    """Append (offset > 0) or write the response body to ``part``, hashing as it goes."""
    digest = hashlib.sha256()
    try:
        # Created only once the server has answered, so a 404 leaves the data folder untouched.
        part.parent.mkdir(parents=True, exist_ok=True)
        if offset:
            with part.open("rb") as existing:
                remaining = offset
                while remaining and (block := existing.read(min(_HASH_BLOCK, remaining))):
                    digest.update(block)
                    remaining -= len(block)
        out = part.open("ab" if offset else "wb")
    except OSError as exc:
        raise FetchError(
            f"cannot write {part} for {remote.url}: {exc}; "
            "check free disk space and permissions of the data folder"
        ) from exc

    done = offset
    with out:
        if on_progress is not None:
            on_progress(remote.key, done, total)
        while True:
            try:
                # read1: return what has arrived instead of waiting to fill the chunk, so
                # bytes received before a stall or timeout still reach the .part file.
                chunk = response.read1(chunk_size)
            except (http.client.HTTPException, OSError) as exc:
                raise FetchError(
                    f"download of {remote.url} was interrupted after {done} bytes ({exc}); "
                    f"partial data kept in {part}; {_NETWORK_HINT}"
                ) from exc
            if not chunk:
                break
            try:
                out.write(chunk)
            except OSError as exc:
                raise FetchError(
                    f"cannot write {part} for {remote.url}: {exc}; "
                    "check free disk space and permissions of the data folder"
                ) from exc
            digest.update(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(remote.key, done, total)
        # http.client does not raise when the peer closes early; compare with Content-Length.
        if length is not None and done - offset < length:
            raise FetchError(
                f"download of {remote.url} was interrupted after {done} of {offset + length} "
                f"bytes; partial data kept in {part}; {_NETWORK_HINT}"
            )
    return digest.hexdigest(), done


def _complete_after_416(
    remote: RemoteFile, part: Path, content_range: str | None
) -> tuple[str, int] | None:
    """After "416 Range Not Satisfiable", decide whether ``part`` already holds the whole file.

    Returns (sha256, size) if it plausibly does, None if it must be thrown away.  With a pin the
    checksum decides; without one, the total size announced by the server (or the manifest).
    """
    size = part.stat().st_size
    digest = sha256_file(part)
    if remote.sha256 is not None:
        return (digest, size) if digest == remote.sha256.lower() else None
    announced = None
    if content_range is not None and (m := _UNSATISFIED_RANGE.match(content_range)):
        announced = int(m.group(1))
    if announced is None:
        announced = remote.size
    return (digest, size) if announced == size else None


def _verify(
    remote: RemoteFile, part: Path, dest: Path, expected: str | None, digest: str, size: int
) -> None:
    """Reject a finished download that is not the pinned release; never leave it on disk."""
    if expected is not None and digest != expected:
        _discard(part)
        raise FetchError(
            f"checksum mismatch for {remote.url}: expected sha256 {expected}, got {digest} "
            f"({size} bytes); the download was discarded and {dest} was left unchanged. "
            "Re-run `rarelens kb fetch`; if it persists, the upstream file has changed and "
            "the pinned checksum needs updating (please report it)"
        )
    if expected is None and remote.size is not None and size != remote.size:
        _discard(part)
        raise FetchError(
            f"size mismatch for {remote.url}: expected {remote.size} bytes, got {size}; "
            f"the download was discarded and {dest} was left unchanged. "
            "Re-run `rarelens kb fetch`; if it persists, please report it"
        )


def _commit(remote: RemoteFile, part: Path, dest: Path) -> None:
    """Durably move the verified ``part`` over ``dest`` so readers never see a torn file."""
    try:
        with part.open("r+b") as fh:
            os.fsync(fh.fileno())
        part.replace(dest)  # os.replace: atomic on POSIX and Windows
    except OSError as exc:
        raise FetchError(
            f"cannot move {part} to {dest} for {remote.url}: {exc}; "
            "check free disk space and permissions of the data folder"
        ) from exc
    _fsync_dir(dest.parent)


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself; best effort, since not every platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _discard(part: Path) -> None:
    try:
        part.unlink(missing_ok=True)
    except OSError as exc:
        _log.warning("could not delete %s: %s", part, exc)


def _int_header(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """``bytes START-END/TOTAL`` -> (START, TOTAL); (None, None) when absent or malformed."""
    if value is None or not (m := _CONTENT_RANGE.match(value)):
        return None, None
    total = None if m.group(3) == "*" else int(m.group(3))
    return int(m.group(1)), total
