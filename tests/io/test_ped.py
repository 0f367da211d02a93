"""PED reading, its errors, and how a pedigree is matched to the VCF samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.io.ped import PedFormatError, PedIndividual, check_pedigree, load_pedigree
from rarelens.io.vcf import read_vcf_header

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vcf"


def write_ped(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fam.ped"
    path.write_text(text)
    return path


def test_trio() -> None:
    ped = load_pedigree(FIXTURES / "trio.ped")
    assert [i.id for i in ped.individuals] == ["child", "father", "mother"]
    assert ped.individuals[0] == PedIndividual("FAM1", "child", "father", "mother", "MALE", True, line=2)
    proband = ped.proband()
    assert proband is not None
    assert proband.id == "child"
    father, mother = ped.parents_of("child")
    assert (father and father.id, mother and mother.id) == ("father", "mother")
    assert ped.parents_of("father") == (None, None)
    assert ped.parents_of("nobody") == (None, None)
    assert ped.affected_ids == ("child",)
    assert ped.unaffected_ids == ("father", "mother")
    assert ped.individuals[2].sex == "FEMALE"


def test_whitespace_comments_and_unknown_codes(tmp_path: Path) -> None:
    ped = load_pedigree(write_ped(tmp_path, "# a comment\n\nF1  aunt 0 0 0 -9\nF1 kid 0 0 2 2\nF1 sib 0 0 1 0\n"))
    assert [(i.id, i.sex, i.affected) for i in ped.individuals] == [
        ("aunt", None, None), ("kid", "FEMALE", True), ("sib", "MALE", None)]
    proband = ped.proband()
    assert proband is not None
    assert proband.id == "kid"  # no affected individual with parents: the first affected one


def test_proband_prefers_the_affected_child_with_parents(tmp_path: Path) -> None:
    ped = load_pedigree(write_ped(tmp_path, "F sibA 0 0 1 2\nF dad 0 0 1 1\nF mum 0 0 2 1\nF sibB dad mum 2 2\n"))
    proband = ped.proband()
    assert proband is not None
    assert proband.id == "sibB"
    assert load_pedigree(write_ped(tmp_path, "F a 0 0 1 1\n")).proband() is None


@pytest.mark.parametrize(("text", "line", "message"), [
    ("F a 0 0 1\n", 1, "the line has 5 columns, expected 6"),
    ("F a 0 0 1 2 extra\n", 1, "the line has 7 columns, expected 6"),
    ("F a 0 0 M 2\n", 1, "sex 'M' of 'a' is not 1 (male), 2 (female) or 0 (unknown)"),
    ("F a 0 0 1 affected\n", 1, "phenotype 'affected' of 'a' is not 2 (affected)"),
    ("F a 0 0 1 2\nF a 0 0 1 2\n", 2, "individual 'a' is listed twice (first on line 1)"),
    ("F a dad 0 1 2\n", 1, "father 'dad' of 'a' is not listed in the file; add a line for 'dad' or write 0"),
    ("F a 0 mum 1 2\n", 1, "mother 'mum' of 'a' is not listed in the file"),
    ("F a dad 0 1 2\nF dad 0 0 2 1\n", 2, "'dad' is the father of 'a' but is recorded as female; set the sex of 'dad' to 1"),
    ("F a 0 mum 1 2\nF mum 0 0 1 1\n", 2, "'mum' is the mother of 'a' but is recorded as male; set the sex of 'mum' to 2"),
    ("F a a 0 1 2\n", 1, "'a' is given as its own father"),
])
def test_ped_errors_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write_ped(tmp_path, text)
    with pytest.raises(PedFormatError) as err:
        load_pedigree(path)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert message in str(err.value)


def test_empty_and_missing_ped(tmp_path: Path) -> None:
    with pytest.raises(PedFormatError, match="no individuals in the file"):
        load_pedigree(write_ped(tmp_path, "# only a comment\n"))
    with pytest.raises(PedFormatError, match="missing.ped: file not found"):
        load_pedigree(tmp_path / "missing.ped")


def test_check_pedigree_trio_matches() -> None:
    samples = read_vcf_header(FIXTURES / "trio.vcf").samples
    assert check_pedigree(load_pedigree(FIXTURES / "trio.ped"), samples) == []


def test_check_pedigree_no_overlap_names_both_lists() -> None:
    ped = load_pedigree(FIXTURES / "ped_sample_mismatch.ped")
    samples = read_vcf_header(FIXTURES / "trio.vcf").samples
    with pytest.raises(PedFormatError) as err:
        check_pedigree(ped, samples)
    text = str(err.value)
    assert "no individual of the PED (proband, dad, mum) is a sample of the VCF (child, father, mother)" in text
    assert "use the VCF sample names as individual ids" in text


def test_check_pedigree_missing_sequenced_individual(tmp_path: Path) -> None:
    ped = load_pedigree(FIXTURES / "trio.ped")
    with pytest.raises(PedFormatError) as err:
        check_pedigree(ped, ["child", "father"])
    assert "mother (affected or unaffected in the PED) is not among the VCF samples (child, father)" in str(err.value)
    assert "PED individuals: child, father, mother" in str(err.value)


def test_check_pedigree_warnings(tmp_path: Path) -> None:
    ped = load_pedigree(write_ped(tmp_path, "F kid dad mum 1 2\nF dad 0 0 1 0\nF mum 0 0 2 1\n"))
    warnings = check_pedigree(ped, ["kid", "mum", "sib"])
    assert len(warnings) == 2
    assert "'dad' (status unknown) is not a VCF sample" in warnings[0]
    assert "VCF sample 'sib' is not in the PED" in warnings[1]
