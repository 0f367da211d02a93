"""The Chinese clinical set's reader: every row checked, each problem named by file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rarelens.sources.errors import SourceFormatError
from rarelens.text.clinical_set import ClinicalSentence, load_clinical_set

ROW = {"id": "s1", "kind": "history", "text": "患者癫痫发作", "present": ["HP:0001250"], "negated": [], "family": []}


def write_rows(path: Path, *rows: object) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def test_reads_rows_and_defaults(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "zh.jsonl", ROW, "", {"id": "s2", "text": "无"})
    assert load_clinical_set(path) == [
        ClinicalSentence("s1", "history", "患者癫痫发作", ("HP:0001250",), (), ()),
        ClinicalSentence("s2", "", "无", (), (), ()),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({**ROW, "present": "HP:0001250"}, '"present" must be a list'),  # would be scored char by char
        ({**ROW, "negated": [1250]}, '"negated" must be a list'),
        ({**ROW, "family": ["seizures"]}, "is not an HPO id"),
        ({"id": "s1", "text": "x", "presnt": ["HP:0001250"]}, "unknown key 'presnt'"),
        ({**ROW, "id": 7}, '"id" must be a non-empty string'),
        ({**ROW, "text": ""}, '"text" must be a non-empty string'),
        ({**ROW, "kind": ["history"]}, '"kind" must be a string'),
        (["s1", "text"], "not an object"),
        ('{"id": "s1", "text": "x"', "not a JSON object"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, row: object, problem: str) -> None:
    path = write_rows(tmp_path / "zh.jsonl", {**ROW, "id": "s0"}, row)
    with pytest.raises(SourceFormatError, match=problem) as info:
        load_clinical_set(path)
    assert (info.value.path, info.value.line) == (path, 2)


def test_duplicate_id(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "zh.jsonl", ROW, {**ROW, "text": "无"})
    with pytest.raises(SourceFormatError, match="'s1' already used on line 1") as info:
        load_clinical_set(path)
    assert info.value.line == 2


def test_not_utf8_says_save_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "zh.jsonl"
    path.write_bytes('{"id": "s1", "text": "fièvre"}\n'.encode("latin-1"))
    with pytest.raises(SourceFormatError, match="not UTF-8") as info:
        load_clinical_set(path)
    assert "save the file as UTF-8" in str(info.value)
    assert "kb fetch" not in str(info.value)


def test_folder_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="is a folder"):
        load_clinical_set(tmp_path)
    with pytest.raises(SourceFormatError, match="no documents"):
        load_clinical_set(write_rows(tmp_path / "empty.jsonl", ""))
