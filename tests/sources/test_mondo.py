"""Mondo SSSOM mapping sets: prefixes normalised, release read from the YAML header."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.sources.mondo import load_sssom, read_sssom_version


@pytest.mark.parametrize("name", ["mondo_exactmatch_omim.sssom.tsv", "mondo_exactmatch_orphanet.sssom.tsv"])
def test_version_from_mapping_set_version(fixture_data_dir: Path, name: str) -> None:
    assert read_sssom_version(fixture_data_dir / "mondo" / name) == "2026-08-04"


def test_version_without_header_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "m.sssom.tsv"
    path.write_text("subject_id\tpredicate_id\tobject_id\n", encoding="utf-8")
    assert read_sssom_version(path) == "unknown"


def test_orphanet_prefix_becomes_orpha(fixture_data_dir: Path) -> None:
    rows = load_sssom(fixture_data_dir / "mondo" / "mondo_exactmatch_orphanet.sssom.tsv")
    assert [(m.subject_id, m.object_id) for m in rows] == [
        ("MONDO:0007947", "ORPHA:284963"),
        ("MONDO:0007947", "ORPHA:558"),
        ("MONDO:0009252", "ORPHA:2056"),
        ("MONDO:0018954", "ORPHA:60030"),
    ]
    marfan = rows[1]
    assert marfan.subject_label == "Marfan syndrome"
    assert marfan.object_label == "Marfan syndrome"
    assert marfan.predicate == "skos:exactMatch"
    assert marfan.justification == "semapv:ManualMappingCuration"
    assert marfan.mapping_set == "mondo_exactmatch_orphanet.sssom.tsv"


def test_omim_rows_and_the_header_is_skipped(fixture_data_dir: Path) -> None:
    path = fixture_data_dir / "mondo" / "mondo_exactmatch_omim.sssom.tsv"
    rows = load_sssom(path)
    assert ("MONDO:0007947", "OMIM:154700") in [(m.subject_id, m.object_id) for m in rows]
    assert len(rows) == 4
    assert not any(m.subject_id.startswith("#") for m in rows)
