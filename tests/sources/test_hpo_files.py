"""phenotype.hpoa and genes_to_phenotype.txt readers."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from rarelens.sources.errors import SourceFormatError
from rarelens.sources.hpo_files import HPOA_COLUMNS, HpoaFile, load_genes_to_phenotype, load_hpoa


@pytest.fixture(scope="module")
def hpoa_path(fixture_data_dir: Path) -> Path:
    return fixture_data_dir / "hpo" / "phenotype.hpoa"


@pytest.fixture(scope="module")
def hpoa(hpoa_path: Path) -> HpoaFile:
    return load_hpoa(hpoa_path)


def test_release_from_version_header(hpoa: HpoaFile) -> None:
    assert hpoa.release == "2025-01-16"


def test_every_data_line_becomes_a_row(hpoa: HpoaFile, hpoa_rows: list[list[str]]) -> None:
    assert len(hpoa.rows) == len(hpoa_rows) == 23
    assert [(r.disease_id, r.hpo_id) for r in hpoa.rows] == [(c[0], c[3]) for c in hpoa_rows]


def test_all_twelve_fields_and_the_line_are_kept(
    hpoa: HpoaFile, hpoa_line: Callable[..., int]
) -> None:
    assert len(HPOA_COLUMNS) == 12
    row = next(r for r in hpoa.rows if (r.disease_id, r.hpo_id) == ("OMIM:154700", "HP:0001166"))
    assert row.disease_name == "Marfan syndrome"
    assert row.negated is False
    assert row.reference == "PMID:28050285;PMID:33436942"
    assert row.evidence == "PCS"
    assert row.onset == ""
    assert row.frequency == "124/197"
    assert row.sex == ""
    assert row.modifier == ""
    assert row.aspect == "P"
    assert row.biocuration == (
        "HPO:probinson[2012-04-24];HPO:probinson[2021-04-01];HPO:probinson[2021-05-27]"
    )
    assert row.line == hpoa_line("OMIM:154700", "HP:0001166")


def test_line_numbers_count_the_header_lines(hpoa: HpoaFile, hpoa_line: Callable[..., int]) -> None:
    for r in hpoa.rows:
        assert r.line == hpoa_line(r.disease_id, r.hpo_id)
    assert hpoa.rows[0].line == 6  # four #-lines and the column header come first


def test_not_qualifier_is_a_negation(hpoa: HpoaFile) -> None:
    negated = [(r.disease_id, r.hpo_id) for r in hpoa.rows if r.negated]
    assert negated == [("ORPHA:2056", "HP:0003074")]


def test_three_frequency_notations_are_kept_as_written(hpoa: HpoaFile) -> None:
    freq = {(r.disease_id, r.hpo_id): r.frequency for r in hpoa.rows}
    assert freq[("OMIM:154700", "HP:0001166")] == "124/197"  # n/m
    assert freq[("OMIM:139600", "HP:0004322")] == "75%"  # percentage
    assert freq[("ORPHA:558", "HP:0001166")] == "HP:0040281"  # HPO frequency term
    assert freq[("OMIM:154700", "HP:0000098")] == ""  # none given


def test_inheritance_rows_keep_aspect_i(hpoa: HpoaFile) -> None:
    inheritance = {(r.disease_id, r.hpo_id) for r in hpoa.rows if r.aspect == "I"}
    assert inheritance == {
        ("OMIM:154700", "HP:0000006"),
        ("OMIM:609192", "HP:0000006"),
        ("OMIM:229800", "HP:0000007"),
        ("OMIM:139600", "HP:0000006"),
    }


def test_gzipped_file_reads_the_same(tmp_path: Path, hpoa_path: Path, hpoa: HpoaFile) -> None:
    gz = tmp_path / "phenotype.hpoa"  # same name: the reader goes by content, not suffix
    gz.write_bytes(gzip.compress(hpoa_path.read_bytes()))
    again = load_hpoa(gz)
    assert again.release == hpoa.release
    assert again.rows == hpoa.rows


# -- corrupt files ----------------------------------------------------------------------------


def _corrupt_row(tmp_path: Path, src: Path, disease: str, hpo: str, edit: Callable[[list[str]], list[str]]) -> tuple[Path, int]:
    lines = src.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if len(cells) > 3 and cells[0] == disease and cells[3] == hpo:
            lines[i] = "\t".join(edit(cells))
            break
    else:
        raise AssertionError("row not found")
    path = tmp_path / "phenotype.hpoa"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, i + 1


def _set(index: int, value: str) -> Callable[[list[str]], list[str]]:
    def edit(cells: list[str]) -> list[str]:
        return cells[:index] + [value] + cells[index + 1 :]

    return edit


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_set(7, "often"), "frequency 'often' is not an HPO term, n/m or %"),
        (_set(7, "12.5"), "frequency '12.5'"),
        (lambda c: c[:6], "expected 12 tab-separated fields, found 6"),
        (lambda c: c[:11], "expected 12 tab-separated fields, found 11"),
        (_set(2, "not"), "qualifier 'not'"),
        (_set(3, "HP:00011666"), "hpo_id 'HP:00011666' is not an HPO id"),
        (_set(0, "MIM:154700"), "database_id 'MIM:154700'"),
        (_set(10, "X"), "aspect 'X'"),
    ],
    ids=["word-frequency", "bare-number", "truncated", "one-short", "qualifier", "hpo-id", "db-id", "aspect"],
)
def test_corrupt_line_names_file_and_line(
    tmp_path: Path, hpoa_path: Path, edit: Callable[[list[str]], list[str]], problem: str
) -> None:
    path, lineno = _corrupt_row(tmp_path, hpoa_path, "OMIM:154700", "HP:0001166", edit)
    with pytest.raises(SourceFormatError) as info:
        load_hpoa(path)
    assert info.value.line == lineno
    assert f"{path}:{lineno}:" in str(info.value)
    assert problem in str(info.value)


def test_header_missing_a_column(tmp_path: Path, hpoa_path: Path) -> None:
    text = hpoa_path.read_text(encoding="utf-8").replace("\tbiocuration\n", "\n", 1)
    path = tmp_path / "phenotype.hpoa"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        load_hpoa(path)
    assert info.value.line == 5
    assert "header lacks column(s) biocuration" in str(info.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "phenotype.hpoa"
    path.write_text("#version: 2025-01-16\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="file is empty"):
        load_hpoa(path)


# -- genes_to_phenotype.txt -------------------------------------------------------------------


def test_genes_to_phenotype_gives_distinct_gene_disease_pairs(fixture_data_dir: Path) -> None:
    rows = load_genes_to_phenotype(fixture_data_dir / "hpo" / "genes_to_phenotype.txt")
    pairs = [(r.gene_symbol, r.ncbi_gene_id, r.disease_id) for r in rows]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == {
        ("NAT2", "10", "OMIM:243400"),
        ("FBN1", "2200", "OMIM:154700"),
        ("KHK", "3795", "OMIM:229800"),
        ("KHK", "3795", "ORPHA:2056"),
        ("TGFB2", "7042", "ORPHA:60030"),
        ("TGFBR1", "7046", "ORPHA:60030"),
        ("TGFBR1", "7046", "OMIM:609192"),
    }
    assert {r.source for r in rows} == {"hpo-genes"}


def test_genes_to_phenotype_bad_gene_id(tmp_path: Path, fixture_data_dir: Path) -> None:
    text = (fixture_data_dir / "hpo" / "genes_to_phenotype.txt").read_text(encoding="utf-8")
    path = tmp_path / "genes_to_phenotype.txt"
    path.write_text(text.replace("2200\tFBN1", "NCBIGene:2200\tFBN1", 1), encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        load_genes_to_phenotype(path)
    assert info.value.line == 3
    assert "ncbi_gene_id 'NCBIGene:2200' is not a number" in str(info.value)
