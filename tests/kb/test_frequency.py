"""Frequencies as probabilities, from all three HPO notations and Orphanet's classes."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from rarelens.kb.frequency import HPO_FREQUENCY_TERMS, orphanet_frequency_term, parse_frequency
from rarelens.sources.obo import load_obo


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HP:0040280", 1.0),
        ("HP:0040281", 0.895),
        ("HP:0040285", 0.0),
        ("124/197", 124 / 197),
        ("0/32", 0.0),
        (" 3/5 ", 0.6),
        ("7/5", 1.0),  # capped, a count cannot exceed its cohort
        ("75%", 0.75),
        ("56.8%", 0.568),
        ("150%", 1.0),
        ("Obligate (100%)", 1.0),
        ("Very frequent (99-80%)", 0.895),
        ("Frequent (79-30%)", 0.545),
        ("Occasional (29-5%)", 0.17),
        ("Very rare (<4-1%)", 0.025),
        ("Excluded (0%)", 0.0),
    ],
)
def test_parse_frequency(text: str, expected: float) -> None:
    assert parse_frequency(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "  ", "5/0", "often", "HP:0000118", "12.5"])
def test_unreadable_or_absent_frequency_is_nan(text: str) -> None:
    assert math.isnan(parse_frequency(text))


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Obligate (100%)", "HP:0040280"),
        ("Very frequent (99-80%)", "HP:0040281"),
        ("Frequent (79-30%)", "HP:0040282"),
        ("Occasional (29-5%)", "HP:0040283"),
        ("Very rare (<4-1%)", "HP:0040284"),
        ("Excluded (0%)", "HP:0040285"),
        ("very frequent", "HP:0040281"),
        ("Sometimes", None),
        ("", None),
    ],
)
def test_orphanet_class_to_hpo_term(text: str, term: str | None) -> None:
    assert orphanet_frequency_term(text) == term


def test_class_values_lie_in_the_ranges_hpo_defines(fixture_data_dir: Path) -> None:
    """Each probability sits inside the range its HPO term's definition states."""
    terms = {t.id: t for t in load_obo(fixture_data_dir / "hpo" / "hp.obo").terms}
    assert set(HPO_FREQUENCY_TERMS) == {t for t, r in terms.items() if r.parents == ("HP:0040279",)}
    for term, p in HPO_FREQUENCY_TERMS.items():
        bounds = [int(x) / 100 for x in re.findall(r"(\d+)%", terms[term].definition)]
        assert bounds, terms[term].definition
        assert min(bounds) <= p <= max(bounds), term
