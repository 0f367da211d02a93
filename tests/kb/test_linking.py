"""Linking designation prose to disease names: exact after normalisation, never ambiguous."""

from __future__ import annotations

import pytest

from rarelens.kb.linking import build_name_index, designation_condition, normalize_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Treatment of Marfan syndrome", "marfan syndrome"),
        ("Treatment of Fabry disease.", "fabry disease"),
        ("Prevention and treatment of the Loeys-Dietz syndrome", "loeys dietz syndrome"),
        ("Treatment of patients with Marfan syndrome", "marfan syndrome"),
        ("For the treatment of Sjögren's syndrome", "sjogren s syndrome"),
        ("Diagnosis of neuroblastoma", "neuroblastoma"),
        ("Marfan syndrome", "marfan syndrome"),
    ],
)
def test_designation_condition(text: str, expected: str) -> None:
    assert designation_condition(text) == expected


def test_normalize_name() -> None:
    assert normalize_name("  Loeys–Dietz   Syndrome, type 1 ") == "loeys dietz syndrome type 1"
    assert normalize_name("Café-au-lait") == "cafe au lait"


def test_name_index_drops_ambiguous_and_short_names() -> None:
    index = build_name_index(
        [
            ("Marfan syndrome", 0),
            ("MARFAN SYNDROME", 0),  # same concept twice is fine
            ("Loeys-Dietz syndrome", 1),
            ("Loeys Dietz syndrome", 2),  # two concepts share the name: ambiguous
            ("MFS", 0),  # too short to trust
        ]
    )
    assert index == {"marfan syndrome": 0}
