"""What an extractor found in a text, and where.

A mention keeps its character span in the original text (Python string offsets, end exclusive)
so that a report can highlight it and a curator can check it; the flags carry the context that
decides whether the finding goes into the patient as observed, excluded or family history.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    hpo_id: str
    label: str
    label_zh: str | None = None
    negated: bool = False
    uncertain: bool = False
    family: bool = False
    historical: bool = False
    source: str = "label"  # label | synonym:exact | synonym:related | synonym:layperson | zh-label | zh-curated | lab-table | exam-rule | milestone-rule | growth-rule | modifier | model
    rule: str = "exact"  # exact | variant | word-order | abbreviation | coordination | nested | model …

    @property
    def is_present(self) -> bool:
        """A finding of the patient's own, asserted: what goes into ``Patient.observed``
        (a nested mention only through the finding it sits in)."""
        return not (self.negated or self.uncertain or self.family)

    @property
    def is_nested(self) -> bool:
        """A more general finding named inside a longer match: implied by that match, so it is
        reported but never added to a patient on its own."""
        return self.rule.startswith("nested")

    @property
    def is_excluded(self) -> bool:
        """A finding the patient is said not to have, without hedging: ``Patient.excluded``."""
        return self.negated and not (self.uncertain or self.family)


@dataclass(frozen=True, slots=True)
class GoldMention:
    """One annotation of an evaluation corpus."""

    start: int
    end: int
    text: str
    hpo_id: str


@dataclass(frozen=True, slots=True)
class Document:
    """One corpus document with its gold annotations (possibly without spans: ``start == end == -1``)."""

    id: str
    text: str
    gold: tuple[GoldMention, ...]
