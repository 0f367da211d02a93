"""Domain values: frozen, I/O-free, shared by every layer."""

from __future__ import annotations

from rarelens.model.ids import CurieError, normalize_curie, normalize_disease_id, normalize_hpo_id
from rarelens.model.issue import Issue, IssueLevel, ValidationError

__all__ = [
    "CurieError",
    "Issue",
    "IssueLevel",
    "ValidationError",
    "normalize_curie",
    "normalize_disease_id",
    "normalize_hpo_id",
]
