"""A hospital's vocabulary file (rarelens.text.vocabulary) against the embedded HPO release, and
what its rows do in the extractor. Files are written per test; each is a few lines of the
documented layout (``hpo_id<TAB>expression[<TAB>note]``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedded import embedded_hpo
from rarelens.io.text_files import TextFileError
from rarelens.ontology import Ontology
from rarelens.text.extractor import DictionaryExtractor
from rarelens.text.vocabulary import VocabularyError, load_vocabulary

SEIZURE, HYPOTONIA, INFANTILE_HYPOTONIA, GDD = "HP:0001250", "HP:0001252", "HP:0008947", "HP:0001263"


@pytest.fixture(scope="module")
def hpo() -> Ontology:
    return embedded_hpo()


def write(tmp_path: Path, body: str | bytes) -> Path:
    path = tmp_path / "ward.tsv"
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return path


def test_rows_are_split_by_script_and_notes_ignored(hpo: Ontology, tmp_path: Path) -> None:
    vocab = load_vocabulary(write(tmp_path, f"# comment\nhpo_id\texpression\tnote\n{SEIZURE}\tfunny   turns\tspaces folded\n"
                                            f"{GDD}\t发育慢\n"), hpo)
    assert vocab.english() == [(SEIZURE, "funny turns")]
    assert vocab.chinese() == [(GDD, "发育慢")]
    assert [r.line for r in vocab.rows] == [3, 4]
    assert vocab.warnings == ()


def test_alternative_id_is_read_as_its_primary_with_a_warning(hpo: Ontology, tmp_path: Path) -> None:
    vocab = load_vocabulary(write(tmp_path, "HP:0002449\tfloppy baby\n"), hpo)  # alt id of HP:0008947
    assert vocab.english() == [(INFANTILE_HYPOTONIA, "floppy baby")]
    assert len(vocab.warnings) == 1
    assert "ward.tsv:1" in vocab.warnings[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("HP:123\tfunny turns\n", "line 1: "),
        ("HP:9999999\tfunny turns\n", "line 1: HP:9999999 is not in HPO"),
        ("HP:0000006\tfamily pattern\n", "not under Phenotypic abnormality"),  # inheritance
        (f"{SEIZURE}\tfu\n", "too short"),
        (f"{SEIZURE}\n", "expected an HPO id, a tab and an expression"),
        (f"{SEIZURE}\tfunny turns\n{HYPOTONIA}\tFunny Turns\n", "line 2: 'Funny Turns' reads the same as line 1"),
        # folded forms collide too: plural, word order, function words
        (f"{SEIZURE}\tfunny turns\n{HYPOTONIA}\tturn funny\n", "line 2: 'turn funny' reads the same as line 1"),
        (f"{HYPOTONIA}\t↓ tone\n", "symbols the matcher skips"),
        (f"{HYPOTONIA}\tthe of\n", "only words the matcher ignores"),
        (f"{GDD}\t21发育慢\n", "starting with a Chinese character"),
        (f"{GDD}\t发育慢。\n", "punctuation"),
        (f"{GDD}\t发育\u3000慢\n", "full-width space"),
        (f"{SEIZURE} funny turns\n", "separated by a tab"),
        ("# only a comment\n", "no vocabulary rows"),
    ],
)
def test_unusable_rows_are_refused_with_their_line(hpo: Ontology, tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(VocabularyError, match="Fix:") as info:
        load_vocabulary(write(tmp_path, body), hpo)
    assert expected in str(info.value)
    assert "ward.tsv" in str(info.value)


def test_every_unusable_line_is_named(hpo: Ontology, tmp_path: Path) -> None:
    body = "".join(f"HP:999999{i}\tfunny turns {i}\n" for i in range(8))
    with pytest.raises(VocabularyError) as info:
        load_vocabulary(write(tmp_path, body), hpo)
    assert all(f"line {i + 1}: " in str(info.value) for i in range(8))


def test_ids_are_read_as_everywhere_else_and_lines_end_at_newlines(hpo: Ontology, tmp_path: Path) -> None:
    """hp:…, HP_… and a Chinese keyboard's full-width colon are the same id; a form feed inside
    a note neither splits the line nor shifts the line numbers after it; CRLF is fine."""
    body = "hp:0001250\tfunny turns\tnote\x0cmore\r\nHP_0001252\tfloppy baby\r\nHP\uff1a0001263\t发育慢\r\n"
    vocab = load_vocabulary(write(tmp_path, body), hpo)
    assert [(r.line, r.hpo_id) for r in vocab.rows] == [(1, SEIZURE), (2, HYPOTONIA), (3, GDD)]


def test_an_abbreviation_row_warns_that_it_matches_as_written(hpo: Ontology, tmp_path: Path) -> None:
    vocab = load_vocabulary(write(tmp_path, f"{SEIZURE}\tFITS\n"), hpo)
    assert "only in capitals" in vocab.warnings[0]


def test_a_file_that_is_not_utf8_is_named(hpo: Ontology, tmp_path: Path) -> None:
    with pytest.raises(TextFileError, match="UTF-8"):
        load_vocabulary(write(tmp_path, "HP:0001250\tconvulsión\n".encode("latin-1")), hpo)


def test_vocabulary_rows_win_over_the_shipped_wording(hpo: Ontology, tmp_path: Path) -> None:
    """The hospital decides: its "fits" (an everyday word the shipped dictionary leaves out) and
    its reading of an abbreviation are used, and the mention says where it came from."""
    vocab = load_vocabulary(write(tmp_path, f"{SEIZURE}\tfits\n{HYPOTONIA}\tFLOP\n{GDD}\t发育慢\n"), hpo)
    extractor = DictionaryExtractor(hpo, vocabulary=vocab.english() + vocab.chinese())
    mentions = extractor.extract("Fits since birth; FLOP. 患儿发育慢。").mentions
    assert [(m.text, m.hpo_id, m.source) for m in mentions] == [
        ("Fits", SEIZURE, "vocabulary"), ("FLOP", HYPOTONIA, "vocabulary"), ("发育慢", GDD, "vocabulary"),
    ]
    assert [m.hpo_id for m in DictionaryExtractor(hpo).extract("Fits since birth; FLOP.").mentions] == []


def test_vocabulary_rows_keep_their_key_against_hpo_s_literal_wordings(hpo: Ontology, tmp_path: Path) -> None:
    """HPO lists "Renal malformation" under *Abnormal renal morphology*, and the extractor reads
    that wording literally (test_extractor); a hospital that maps the same key to *Abnormality
    of the kidney* keeps it, and a child reached by a modifier says so in its source."""
    vocab = load_vocabulary(write(tmp_path, "HP:0000077\trenal anomaly\nHP:0000407\tnerve deafness\n"), hpo)
    extractor = DictionaryExtractor(hpo, vocabulary=vocab.english())
    found = extractor.extract("Renal malformations. Profound nerve deafness.").findings
    assert [(m.hpo_id, m.source) for m in found] == [("HP:0000077", "vocabulary"), ("HP:0011476", "modifier")]
