"""Identifier normalisation: every spelling users and files use maps to one CURIE."""

from __future__ import annotations

import pytest

from rarelens.model import CurieError, normalize_curie, normalize_disease_id, normalize_hpo_id


@pytest.mark.parametrize(
    "text",
    ["HP:0001166", "hp:0001166", "HP_0001166", " HP:0001166 ", "http://purl.obolibrary.org/obo/HP_0001166"],
)
def test_hpo_spellings(text: str) -> None:
    assert normalize_hpo_id(text) == "HP:0001166"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OMIM:154700", "OMIM:154700"),
        ("MIM:154700", "OMIM:154700"),
        ("omim:154700", "OMIM:154700"),
        ("ORPHA:558", "ORPHA:558"),
        ("Orphanet:558", "ORPHA:558"),
        ("Orphanet_558", "ORPHA:558"),
        ("http://www.orpha.net/ORDO/Orphanet_558", "ORPHA:558"),
        ("MONDO:7947", "MONDO:0007947"),
        ("MONDO_0007947", "MONDO:0007947"),
        ("OMIM:PS154700", "OMIMPS:154700"),
        ("DECIPHER:1", "DECIPHER:1"),
    ],
)
def test_disease_spellings(text: str, expected: str) -> None:
    assert normalize_disease_id(text) == expected


@pytest.mark.parametrize("text", ["HP:000116", "HP:00011666", "Arachnodactyly", "OMIM:154700", ""])
def test_bad_hpo_id_names_the_input(text: str) -> None:
    with pytest.raises(CurieError) as info:
        normalize_hpo_id(text)
    assert repr(text) in str(info.value)
    assert "HP:0001250" in str(info.value)


@pytest.mark.parametrize("text", ["Marfan syndrome", "OMIM154700", "GENE:2200", "ORPHA:"])
def test_bad_disease_id_names_the_input(text: str) -> None:
    with pytest.raises(CurieError) as info:
        normalize_disease_id(text)
    assert repr(text) in str(info.value)


def test_normalize_curie_tries_both() -> None:
    assert normalize_curie("hp_0001166") == "HP:0001166"
    assert normalize_curie("Orphanet:558") == "ORPHA:558"
    with pytest.raises(CurieError, match="neither an HPO id"):
        normalize_curie("FBN1")
