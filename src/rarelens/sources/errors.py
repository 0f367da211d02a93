"""Errors for source files that cannot be read.

A corrupt or truncated download must stop the build with the file, the line and what is wrong,
so a user can re-fetch the right file instead of reading a traceback.
"""

from __future__ import annotations

from pathlib import Path


class SourceFormatError(Exception):
    def __init__(self, path: Path | str, line: int | None, problem: str, fix: str = "") -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        self.fix = fix or "re-download the file with `rarelens kb fetch` or check it is the official release"
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}. Fix: {self.fix}")


class MissingSourceError(Exception):
    """A required source file is absent; lists every missing file at once."""

    def __init__(self, missing: list[str], searched: str) -> None:
        self.missing = missing
        super().__init__(
            "missing required source files: "
            + ", ".join(missing)
            + f" (searched {searched}). Fix: run `rarelens kb fetch` or set RARELENS_DATA"
        )
