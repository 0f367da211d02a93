"""Shared reading of the tab-separated files most sources ship."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from rarelens.sources.errors import SourceFormatError


def open_text(path: Path) -> IO[str]:
    """Open plain or gzip text by content, not name, so a renamed download still reads."""
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open(encoding="utf-8")


def read_tsv(
    path: Path, *, required: tuple[str, ...], comment: str = "#"
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for a headed TSV; checks the header and every row's width."""
    with open_text(path) as fh:
        header: list[str] | None = None
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line or (comment and line.startswith(comment)):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                missing = [c for c in required if c not in header]
                if missing:
                    raise SourceFormatError(
                        path, lineno, f"header lacks column(s) {', '.join(missing)}"
                    )
                continue
            if len(cells) < len(header):
                # Trailing empty cells are sometimes stripped; anything shorter than the
                # required columns is a truncated or corrupt line.
                last_required = max(header.index(c) for c in required) if required else 0
                if len(cells) <= last_required:
                    raise SourceFormatError(
                        path,
                        lineno,
                        f"expected {len(header)} tab-separated fields, found {len(cells)}",
                    )
                cells += [""] * (len(header) - len(cells))
            yield lineno, dict(zip(header, cells, strict=False))
        if header is None:
            raise SourceFormatError(path, None, "file is empty")
