"""`rarelens.io.text_files`: every way of not being UTF-8 text or JSON named, with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.io.text_files import TextFileError, parse_json, read_utf8_text


def test_a_utf8_byte_order_mark_is_dropped_and_line_ends_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbfa\r\nb")
    assert read_utf8_text(path) == "a\r\nb"


@pytest.mark.parametrize(
    ("raw", "says"),
    [("{}".encode("utf-16"), "UTF-16"), ('{"a": 1}'.encode("utf-16-le"), "UTF-16"), (b"caf\xe9", "not UTF-8 text (byte 3)")],
    ids=["utf-16-bom", "utf-16-no-bom", "latin-1"],
)
def test_not_utf8_is_named_with_the_fix(tmp_path: Path, raw: bytes, says: str) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(raw)
    with pytest.raises(TextFileError, match="save the file as UTF-8") as info:
        read_utf8_text(path)
    assert says in str(info.value)
    assert str(path) in str(info.value)


def test_a_folder_is_not_called_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TextFileError, match="is a directory"):
        read_utf8_text(tmp_path)


def test_json_errors_keep_line_and_column() -> None:
    with pytest.raises(TextFileError, match=r"invalid JSON at line 2, column 1") as info:
        parse_json('{"a": 1,\n}', "f.json")
    assert info.value.code == "bad-json"


def test_json_on_one_line_of_a_file_names_that_line() -> None:
    with pytest.raises(TextFileError, match=r"f.jsonl:7: invalid JSON at column 2"):
        parse_json("{x", "f.jsonl", line=7)


def test_absurd_nesting_is_reported_not_a_recursion_error() -> None:
    with pytest.raises(TextFileError, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000, "deep.json")


def test_an_empty_file_says_what_was_expected() -> None:
    with pytest.raises(TextFileError, match="the file is empty. Fix: give a phenopacket"):
        parse_json(" \n", "e.json", expected="a phenopacket")
