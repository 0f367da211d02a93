"""Decompressing gzip and BGZF (many concatenated gzip members) as one stream.

`gzip.GzipFile` drops the bytes it decompressed in a call that then hits a truncated end, so it
cannot say where a cut file stops. This reader hands out every byte it could decompress before
reporting the truncation (`EOFError`) or corruption (`zlib.error`), so the caller can name the
last complete line.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import BinaryIO

_RAW_PIECE = 1 << 20
_GZIP_WBITS = 31  # zlib with the gzip wrapper: checks each member's CRC and length


class _GzipRaw(io.RawIOBase):
    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._inflate = zlib.decompressobj(_GZIP_WBITS)
        self._in_member = False  # input fed to the current member, and its end not yet seen
        self._out = memoryview(b"")
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._out:
            if self._done:
                return 0
            self._fill()
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _fill(self) -> None:
        data = self._raw.read(_RAW_PIECE)
        if not data:
            if self._in_member:
                raise EOFError("compressed file ended before the end-of-stream marker was reached")
            self._done = True
            return
        parts: list[bytes] = []
        while data:
            self._in_member = True
            parts.append(self._inflate.decompress(data))
            if not self._inflate.eof:
                break
            data = self._inflate.unused_data
            self._inflate = zlib.decompressobj(_GZIP_WBITS)
            self._in_member = False
            if not data.strip(b"\x00"):  # zero padding after the last member, as gzip allows
                data = b""
        self._out = memoryview(b"".join(parts))

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_gzip(path: Path) -> io.BufferedReader:
    """A buffered binary stream (``readline``, ``read1``) over the decompressed file."""
    raw = path.open("rb")  # owned and closed by the returned stream
    return io.BufferedReader(_GzipRaw(raw), buffer_size=_RAW_PIECE)
