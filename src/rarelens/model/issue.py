"""Validation findings collected instead of raised one at a time.

A clinician fixing an input file wants every problem at once, each with where it is and how to
fix it, so validation gathers `Issue`s and only the caller decides what is fatal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IssueLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Issue:
    level: IssueLevel
    code: str
    message: str
    fix: str = ""
    location: str = ""

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{self.level.value}: {where}{self.message}{fix}"


class ValidationError(Exception):
    """Raised when input cannot be used; carries every issue found, not only the first."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(i.render() for i in issues))
