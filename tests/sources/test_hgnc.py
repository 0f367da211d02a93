"""HGNC complete set reader, on the official column names."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.kb.records import HgncGene
from rarelens.sources.errors import SourceFormatError
from rarelens.sources.hgnc import load_hgnc


@pytest.fixture(scope="module")
def genes(fixture_data_dir: Path) -> dict[str, HgncGene]:
    return {g.symbol: g for g in load_hgnc(fixture_data_dir / "hgnc" / "hgnc_complete_set.txt")}


def test_ids_from_the_official_columns(genes: dict[str, HgncGene]) -> None:
    assert set(genes) == {"NAT2", "FBN1", "FBN2", "KHK", "TGFB2", "TGFBR1"}
    fbn1 = genes["FBN1"]
    assert fbn1.hgnc_id == "HGNC:3603"
    assert fbn1.name == "fibrillin 1"
    assert fbn1.ncbi_gene_id == "2200"
    assert fbn1.ensembl_gene_id == "ENSG00000166147"
    assert fbn1.omim_id == "134797"
    assert fbn1.locus_group == "protein-coding gene"


def test_previous_and_alias_symbols_from_the_official_columns(genes: dict[str, HgncGene]) -> None:
    assert genes["FBN1"].prev_symbols == ("FBN", "MFS1", "WMS")
    assert genes["FBN1"].alias_symbols == ("MASS", "OCTD", "SGS")


def test_previous_symbols_from_the_derived_column_names(tmp_path: Path) -> None:
    # genomics/genes/hgnc.tsv.gz (12 columns, plural names, unquoted lists)
    path = tmp_path / "hgnc.tsv"
    path.write_text(
        "hgnc_id\tsymbol\tname\tlocus_group\tlocus_type\tlocation\tentrez_id\tensembl_gene_id\t"
        "alias_symbols\tprev_symbols\tomim_id\tmane_select\n"
        "HGNC:3603\tFBN1\tfibrillin 1\tprotein-coding gene\tgene with protein product\t15q21.1\t"
        "2200\tENSG00000166147\tMASS|OCTD|SGS\tFBN|MFS1|WMS\t134797\tENST00000316623.10|NM_000138.5\n",
        encoding="utf-8",
    )
    (fbn1,) = load_hgnc(path)
    assert fbn1.prev_symbols == ("FBN", "MFS1", "WMS")
    assert fbn1.alias_symbols == ("MASS", "OCTD", "SGS")
    assert fbn1.ncbi_gene_id == "2200"


def test_id_without_prefix_names_the_line(tmp_path: Path, fixture_data_dir: Path) -> None:
    text = (fixture_data_dir / "hgnc" / "hgnc_complete_set.txt").read_text(encoding="utf-8")
    path = tmp_path / "hgnc_complete_set.txt"
    path.write_text(text.replace("HGNC:3604\t", "3604\t", 1), encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        load_hgnc(path)
    assert info.value.line == 3  # header, FBN1, then FBN2
    assert "lacks the HGNC: prefix" in str(info.value)
