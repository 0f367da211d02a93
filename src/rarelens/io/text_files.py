"""Reading the user's text and JSON files: one place that turns every way of not being UTF-8
text or JSON into a `TextFileError` naming the file, the position and the fix.

Each caller converts the error into its own report (a phenopacket issue, a source-format error,
a CLI message), so the same file problem reads the same whatever command met it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

UTF8_FIX = "save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8) and try again"
JSON_FIX = "correct the JSON at that position (a cut-off file, or a missing comma, quote or bracket, is typical)"
NESTING_FIX = "the file nests lists or objects thousands deep, which no real file does: check that it is the right file"


class TextFileError(ValueError):
    """A file that cannot be read as UTF-8 text or JSON. ``code`` is a stable short name
    (``not-utf8``, ``bad-json``, …); ``line`` is set when the problem has a line."""

    def __init__(self, path: Path | str, code: str, problem: str, fix: str, line: int | None = None) -> None:
        self.path, self.code, self.problem, self.fix, self.line = str(path), code, problem, fix, line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}. Fix: {fix}")


def read_utf8_text(path: Path) -> str:
    """The file's text: UTF-8, a leading byte-order mark (Windows editors write one) dropped,
    line ends kept as they are (offsets into the text then match the file)."""
    return decode_utf8(_read_bytes(path), path)


def _read_bytes(path: Path) -> bytes:
    """The raw bytes; the OS error becomes words a user can act on (a folder is not "no such file")."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise TextFileError(path, "is-a-directory", "is a directory, not a file", "give the path of the file") from None
    except FileNotFoundError:
        raise TextFileError(path, "no-such-file", "no such file", "check the path") from None
    except PermissionError:
        raise TextFileError(path, "unreadable", "permission denied", "make the file readable") from None
    except OSError as exc:
        raise TextFileError(path, "unreadable", f"cannot read the file: {exc.strerror or exc}",
                            "check the path and the disk") from None


def decode_utf8(raw: bytes, path: Path | str) -> str:
    """UTF-8 text without its byte-order mark; UTF-16 (which Notepad and PowerShell write) is
    named as such, since its decode error would explain nothing."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TextFileError(path, "not-utf8", "the file is UTF-16 text, not UTF-8", UTF8_FIX)
    if raw.startswith(b"\x1f\x8b"):
        raise TextFileError(path, "compressed", "the file is gzip-compressed", "decompress it first (gunzip FILE)")
    if _looks_like_utf16(raw[:4096]):
        raise TextFileError(path, "not-utf8", "the file contains NUL bytes: it is probably UTF-16 text, not UTF-8",
                            UTF8_FIX)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextFileError(path, "not-utf8", f"not UTF-8 text (byte {exc.start})", UTF8_FIX) from None


def _looks_like_utf16(sample: bytes) -> bool:
    """UTF-16 saved without a byte-order mark: Latin text then has a NUL in every other byte."""
    half = len(sample) // 2
    return half > 0 and max(sample[0::2].count(0), sample[1::2].count(0)) * 2 >= half


def parse_json(text: str, path: Path | str, *, line: int | None = None, expected: str = "a JSON document") -> Any:
    """The JSON value of ``text`` (the whole file, or its line ``line``); the decoder's line,
    column and full message kept, and absurd nesting reported instead of a RecursionError."""
    if not text.strip():
        raise TextFileError(path, "empty-file", "the file is empty", f"give {expected}", line)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = re.sub(r" starting at$", " that starts there", exc.msg).removesuffix(" at")
        at = f"column {exc.colno}" if line else f"line {exc.lineno}, column {exc.colno}"
        raise TextFileError(path, "bad-json", f"invalid JSON at {at}: {msg}", JSON_FIX, line) from None
    except RecursionError:
        raise TextFileError(path, "bad-json", "invalid JSON: nested too deeply", NESTING_FIX, line) from None
