"""Annotation frequencies as probabilities.

HPO and Orphanet state frequency three ways: an HPO frequency term, a count ``n/m`` or a
percentage, and Orphanet's class text. The class values are the midpoints of HPO's defined
ranges (as LIRICAL uses them), so one disease annotated by both sources gets comparable
numbers. "Excluded (0%)" and HP:0040285 mean the feature is absent: that is a NOT annotation.
"""

from __future__ import annotations

import math
import re

HPO_FREQUENCY_TERMS: dict[str, float] = {
    "HP:0040280": 1.0,  # Obligate, 100%
    "HP:0040281": 0.895,  # Very frequent, 80-99%
    "HP:0040282": 0.545,  # Frequent, 30-79%
    "HP:0040283": 0.17,  # Occasional, 5-29%
    "HP:0040284": 0.025,  # Very rare, 1-4%
    "HP:0040285": 0.0,  # Excluded, 0%
}
ORPHANET_CLASSES: dict[str, str] = {
    "obligate": "HP:0040280",
    "very frequent": "HP:0040281",
    "frequent": "HP:0040282",
    "occasional": "HP:0040283",
    "very rare": "HP:0040284",
    "excluded": "HP:0040285",
}
_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")


def parse_frequency(text: str) -> float:
    """Probability for any frequency notation; NaN when none is given or it cannot be read."""
    text = text.strip()
    if not text:
        return math.nan
    if text in HPO_FREQUENCY_TERMS:
        return HPO_FREQUENCY_TERMS[text]
    m = _FRACTION.match(text)
    if m:
        n, d = int(m.group(1)), int(m.group(2))
        return min(n / d, 1.0) if d else math.nan
    m = _PERCENT.match(text)
    if m:
        return min(float(m.group(1)) / 100.0, 1.0)
    term = orphanet_frequency_term(text)
    return HPO_FREQUENCY_TERMS[term] if term else math.nan


def orphanet_frequency_term(text: str) -> str | None:
    """``"Very frequent (99-80%)"`` → ``HP:0040281``."""
    key = text.split("(", 1)[0].strip().lower()
    return ORPHANET_CLASSES.get(key)


def pool_frequencies(raw: list[str], values: list[float]) -> float:
    """One frequency for a feature stated by several sources of a disease.

    Observed counts beat frequency classes: every ``n/m`` is pooled (sum n / sum m); without
    counts, the highest stated value wins; NaN when no source gives a frequency.
    """
    n = m = 0
    for text in raw:
        a, sep, b = text.partition("/")
        if sep and a.isdigit() and b.isdigit():
            n, m = n + int(a), m + int(b)
    if m:
        return n / m
    known = [v for v in values if not math.isnan(v)]
    return max(known) if known else math.nan
