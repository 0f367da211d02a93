"""China's National Rare Disease Catalog: links keep how they were made and whether reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.kb.records import CatalogEntry, CatalogLink
from rarelens.sources.catalog import load_catalog
from rarelens.sources.errors import SourceFormatError


@pytest.fixture(scope="module")
def catalog_path(fixture_data_dir: Path) -> Path:
    return fixture_data_dir / "zh" / "china_rare_disease_catalog_2018_2023.tsv"


@pytest.fixture(scope="module")
def entries(catalog_path: Path) -> dict[str, CatalogEntry]:
    return {e.key: e for e in load_catalog(catalog_path)}


def test_fixture_keeps_the_release_crlf_line_ends(catalog_path: Path) -> None:
    assert b"\r\n" in catalog_path.read_bytes()


def test_keys_and_names(entries: dict[str, CatalogEntry]) -> None:
    assert list(entries) == ["CNRD:1-2", "CNRD:1-20", "CNRD:1-68", "CNRD:2-1", "CNRD:2-2"]
    marfan = entries["CNRD:1-68"]
    assert (marfan.list_no, marfan.number) == (1, 68)
    assert marfan.name_zh == "马凡综合征"
    assert marfan.name_en == "Marfan Syndrome"
    assert marfan.ccrd == "CCRD:68"
    assert marfan.line == 4


def test_curated_and_name_match_links_of_one_entry(entries: dict[str, CatalogEntry]) -> None:
    assert entries["CNRD:1-68"].links == (
        CatalogLink("ORPHA:558", "E", "phenobrain-ccrd", True),
        CatalogLink("ORPHA:558", "E", "orphanet-label-match", False),
    )


def test_curated_relations_to_orpha_and_omim(entries: dict[str, CatalogEntry]) -> None:
    links = entries["CNRD:1-20"].links
    assert links[0] == CatalogLink("ORPHA:657", "E", "phenobrain-ccrd", True)
    omim = [link for link in links if link.disease_id.startswith("OMIM:")]
    assert len(omim) == 7
    assert {(link.relation, link.reviewed) for link in omim} == {("BTNT", True)}
    assert [link.relation for link in entries["CNRD:1-2"].links] == ["BTNT"] * 7


def test_unreviewed_links_are_flagged(entries: dict[str, CatalogEntry]) -> None:
    assert entries["CNRD:2-1"].links == (CatalogLink("ORPHA:15", "E", "orphanet-label-match", False),)
    # hand-picked suggestions, only used when nothing else links the entry
    assert entries["CNRD:2-2"].links == (
        CatalogLink("ORPHA:599480", "candidate", "curated-suggestion", False),
        CatalogLink("ORPHA:599485", "candidate", "curated-suggestion", False),
    )


def test_bad_list_number_names_the_line(tmp_path: Path, catalog_path: Path) -> None:
    text = catalog_path.read_bytes().replace(b"\r\n1\t68\t", b"\r\nI\t68\t", 1)
    path = tmp_path / "catalog.tsv"
    path.write_bytes(text)
    with pytest.raises(SourceFormatError) as info:
        load_catalog(path)
    assert info.value.line == 4
    assert f"{path}:4:" in str(info.value)
