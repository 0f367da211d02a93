"""The patient as the ranking sees it: validated HPO terms and a few demographics."""

from __future__ import annotations

from dataclasses import dataclass, field

from rarelens.model.issue import Issue


@dataclass(frozen=True, slots=True)
class Patient:
    """Observed and excluded terms are ontology indices, already validated and deduplicated.

    ``term_ids`` keeps the ids as the user gave them (after alt/obsolete mapping) for reports.
    """

    observed: tuple[int, ...]
    excluded: tuple[int, ...] = ()
    sex: str | None = None  # "MALE" | "FEMALE" | None
    age_years: float | None = None
    onset_years: float | None = None
    id: str = ""
    issues: tuple[Issue, ...] = field(default=())
