"""The HPO graph: integer-indexed terms, ancestor closure, information content, search."""

from __future__ import annotations

from rarelens.ontology.ontology import (
    Ontology,
    Synonym,
    TermRecord,
    TermResolution,
    build_ontology,
)

__all__ = ["Ontology", "Synonym", "TermRecord", "TermResolution", "build_ontology"]
