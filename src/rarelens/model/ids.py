"""Identifier normalisation at the edges.

Users and files spell the same id many ways (``hp_0001250``, ``Orphanet:558``, ``MIM:154700``,
an ORDO PURL); everything inside RareLens uses one canonical CURIE so that joins never miss.
"""

from __future__ import annotations

import re

_HPO = re.compile(r"^\s*(?:https?://purl\.obolibrary\.org/obo/)?HP[:_](\d{7})\s*$", re.IGNORECASE)
_DISEASE = re.compile(
    r"^\s*(?:https?://www\.orpha\.net/ORDO/)?"
    r"(OMIM|MIM|ORPHA|ORPHANET|ORDO|DECIPHER|MONDO|OMIMPS|CCRD)[:_]\s*(PS)?(\d+(?:\.\d+)?)\s*$",
    re.IGNORECASE,
)
_PREFIX = {
    "OMIM": "OMIM",
    "MIM": "OMIM",
    "ORPHA": "ORPHA",
    "ORPHANET": "ORPHA",
    "ORDO": "ORPHA",
    "DECIPHER": "DECIPHER",
    "MONDO": "MONDO",
    "OMIMPS": "OMIMPS",
    "CCRD": "CCRD",
}


class CurieError(ValueError):
    """An identifier that cannot be read; the message names it and the accepted forms."""


def normalize_hpo_id(text: str) -> str:
    m = _HPO.match(text)
    if not m:
        raise CurieError(
            f"{text!r} is not an HPO id; expected the form HP:0001250 (seven digits)"
        )
    return f"HP:{m.group(1)}"


def normalize_disease_id(text: str) -> str:
    m = _DISEASE.match(text)
    if not m:
        raise CurieError(
            f"{text!r} is not a disease id; expected OMIM:154700, ORPHA:558, DECIPHER:1 or "
            "MONDO:0007947"
        )
    prefix = _PREFIX[m.group(1).upper()]
    if m.group(2):  # OMIM:PS123456 is a phenotypic series
        prefix = "OMIMPS"
    number = m.group(3)
    if prefix == "MONDO":
        number = number.zfill(7)
    return f"{prefix}:{number}"


def normalize_curie(text: str) -> str:
    """Normalise an HPO or disease id; raises `CurieError` naming the input otherwise."""
    try:
        return normalize_hpo_id(text)
    except CurieError:
        pass
    try:
        return normalize_disease_id(text)
    except CurieError:
        raise CurieError(
            f"{text!r} is neither an HPO id (HP:0001250) nor a disease id (OMIM:154700, ORPHA:558)"
        ) from None
