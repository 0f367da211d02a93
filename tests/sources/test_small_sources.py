"""Babelon translations, PhenoBrain Chinese names, FDA and EMA orphan designations."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.sources.babelon import load_babelon_labels, load_babelon_synonyms
from rarelens.sources.drugs import load_ema_designations, load_fda_designations
from rarelens.sources.errors import SourceFormatError
from rarelens.sources.phenobrain import load_chinese_names

# -- babelon ----------------------------------------------------------------------------------


def test_babelon_labels(fixture_data_dir: Path) -> None:
    labels = load_babelon_labels(fixture_data_dir / "zh" / "hp-zh.babelon.tsv")
    assert len(labels) == 26
    assert labels["HP:0001166"] == "细长指(趾)"
    assert labels["HP:0000118"] == "表型异常"
    assert labels["HP:0001382"] == "关节过度活动"  # a term the mini ontology does not have


def test_babelon_first_label_wins_and_synonyms_are_separate(tmp_path: Path) -> None:
    path = tmp_path / "hp-zh.babelon.tsv"
    path.write_text(
        "source_language\ttranslation_language\tsubject_id\tpredicate_id\tsource_value\t"
        "translation_value\ttranslation_status\n"
        "en\tzh\tHP:0001166\trdfs:label\tArachnodactyly\t细长指(趾)\tOFFICIAL\n"
        "en\tzh\tHP:0001166\trdfs:label\tArachnodactyly\t蜘蛛指\tCANDIDATE\n"
        "en\tzh\tHP:0001166\toboInOwl:hasExactSynonym\tSpider fingers\t蜘蛛指\tOFFICIAL\n"
        "en\tzh\tHP:0000118\trdfs:label\tPhenotypic abnormality\t\tCANDIDATE\n",
        encoding="utf-8",
    )
    assert load_babelon_labels(path) == {"HP:0001166": "细长指(趾)"}
    assert load_babelon_synonyms(path) == {"HP:0001166": ["蜘蛛指"]}


# -- PhenoBrain -------------------------------------------------------------------------------


def test_chinese_names_of_omim_and_orphanet(fixture_data_dir: Path) -> None:
    omim = load_chinese_names(fixture_data_dir / "zh/phenobrain/cns_omim.json", source="phenobrain.names_omim")
    by_id = {n.disease_id: n for n in omim}
    assert by_id["OMIM:154700"].name_zh == "马凡氏综合征(MFS)"
    assert by_id["OMIM:154700"].name_en == "MARFAN SYNDROME; MFS"
    assert {n.source for n in omim} == {"phenobrain.names_omim"}
    orpha = load_chinese_names(fixture_data_dir / "zh/phenobrain/cns_orphanet.json", source="phenobrain.names_orpha")
    assert {n.disease_id: n.name_zh for n in orpha}["ORPHA:558"] == "马方综合征"
    assert len(omim) == len(orpha) == 4


def test_chinese_names_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "cns_omim.json"
    path.write_text('{\n  "OMIM:154700": {\n    "CNS_NAME": "马凡氏综合征"\n', encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        load_chinese_names(path, source="phenobrain.names_omim")
    assert str(path) in str(info.value)
    assert "invalid JSON" in str(info.value)
    assert info.value.line == 4


def test_chinese_names_wrong_shape(tmp_path: Path) -> None:
    path = tmp_path / "cns_omim.json"
    path.write_text('["OMIM:154700"]', encoding="utf-8")
    with pytest.raises(SourceFormatError, match="keyed by disease id"):
        load_chinese_names(path, source="phenobrain.names_omim")


# -- orphan designations ----------------------------------------------------------------------


def test_fda_designations(fixture_data_dir: Path) -> None:
    (d,) = load_fda_designations(fixture_data_dir / "drugs" / "FDA_orphan_designations_approved.tsv")
    assert d.agency == "FDA"
    assert d.substance == "bosentan"
    assert d.trade_name == "Tracleer"
    assert d.designation == "Treatment of pulmonary arterial hypertension"
    assert d.status == "Designated/Approved"
    assert d.date == "2000-10-06"
    assert d.approved_indication.startswith("Treatment of pulmonary arterial hypertension (PAH)")
    assert d.reference == "FDA OOPD CF Grid Key 134200"  # no trailing \r from the CRLF file
    assert d.line == 2


def test_ema_designations(fixture_data_dir: Path) -> None:
    rows = load_ema_designations(fixture_data_dir / "drugs" / "EMA_orphan_designations.tsv")
    assert [(d.substance, d.designation) for d in rows] == [
        ("carfilzomib", "Treatment of multiple myeloma"),
        ("allopurinol", "Treatment of Marfan syndrome"),
    ]
    allopurinol = rows[1]
    assert allopurinol.agency == "EMA"
    assert allopurinol.status == "Positive"
    assert allopurinol.date == "25/03/2025"
    assert allopurinol.trade_name == ""
    assert allopurinol.reference == (
        "EU/3/25/3041 https://www.ema.europa.eu/en/medicines/human/orphan-designations/eu-3-25-3041"
    )
    assert allopurinol.line == 3
