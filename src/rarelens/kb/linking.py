"""Linking free-text names (orphan designations) to diseases.

Designations name a condition in prose ("Treatment of Fabry disease"). We link only when the
condition, after removing a fixed list of purpose phrases and normalising case and
punctuation, equals a disease label or synonym exactly, and only when that name points to a
single concept. That misses paraphrases but never invents a link a clinician would reject;
the build reports the coverage it reaches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_PURPOSE = re.compile(
    r"^(?:for\s+)?(?:the\s+)?(?:treatment|prevention|diagnosis|management|prophylaxis|"
    r"therapy|diagnostic|treating|prevent)(?:\s+and\s+(?:treatment|prevention|management))?"
    r"\s+(?:of|for|in)\s+(?:patients\s+with\s+|the\s+)?",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[^\w]+")


def normalize_name(text: str) -> str:
    """Lower case, accents and punctuation removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.lower()).strip()


def designation_condition(text: str) -> str:
    """``"Treatment of Fabry disease."`` → ``"fabry disease"``."""
    text = text.strip().rstrip(".")
    text = _PURPOSE.sub("", text, count=1)
    return normalize_name(text)


def build_name_index(names: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Normalised name → concept, dropping names shared by several concepts (ambiguous)."""
    index: dict[str, int] = {}
    ambiguous: set[str] = set()
    for name, concept in names:
        key = normalize_name(name)
        if len(key) < 4:
            continue
        if key in index and index[key] != concept:
            ambiguous.add(key)
        index.setdefault(key, concept)
    for key in ambiguous:
        del index[key]
    return index
