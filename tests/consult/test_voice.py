"""The deterministic voices: clinician and patient, English and Chinese, over hand-made chains.

The chains are built by hand (Marfan syndrome against Loeys-Dietz syndrome and homocystinuria,
as an aortic-root and lens finding would raise them), so every rendering path runs without a
knowledge base. `marfan_chain` is shared with the guard and model-voice tests.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from rarelens.consult.guard import guard_text, vocabulary_from_chain
from rarelens.consult.model import (
    ChainCandidate,
    Claim,
    ExamRecommendation,
    Expectation,
    Finding,
    KbRef,
    Question,
    ReasoningChain,
    RedFlagHit,
    SpecialtyHint,
    WhatIf,
)
from rarelens.consult.voice import (
    FORBIDDEN_CERTAINTY,
    Utterance,
    parse_answer,
    render_chain,
    render_question,
    render_text,
)

HPOA = "2025-05-06"
TABLES = "consult-tables-1"
KNOWN_GENES = frozenset({"FBN1", "TGFBR1", "TGFBR2", "SMAD3", "CBS", "COL4A5", "AR", "HP", "CRP"})
DISEASE_NAMES = {"Marfan syndrome", "Loeys-Dietz syndrome 2", "Homocystinuria"}


def annotation(disease: str, term: str, line: int, freq: str = "") -> KbRef:
    return KbRef("annotation", disease_id=disease, term_id=term, frequency_raw=freq,
                 reference=f"PMID:{line + 20000000}", source="hpo.annotations", release=HPOA, line=line)


def disease(curie: str) -> KbRef:
    return KbRef("disease", disease_id=curie, reference=curie, source="hpo.annotations", release=HPOA)


def claim(term: str, label: str, contribution: float, frequency: float | None, refs: tuple[KbRef, ...],
          match: str = "exact") -> Claim:
    dterm, dlabel = (term, label) if match == "exact" else ("", "")
    return Claim(term, label, "observed", dterm, dlabel, match, contribution, frequency, refs)


def marfan_chain() -> ReasoningChain:
    """Step 3 of a consultation: long fingers, a dislocated lens and a widened aortic root."""
    marfan = ChainCandidate(
        1, "OMIM:154700", "Marfan syndrome", "马方综合征", ("OMIM:154700", "ORPHA:558"), 0.62, ("FBN1",),
        ("autosomal dominant",), True,
        supporting=(
            claim("HP:0001083", "Ectopia lentis", 2.1, 0.8, (annotation("OMIM:154700", "HP:0001083", 4102, "HP:0040281"),)),
            claim("HP:0001166", "Arachnodactyly", 1.4, 0.9, (annotation("OMIM:154700", "HP:0001166", 4098, "HP:0040281"),)),
            claim("HP:0002616", "Aortic root aneurysm", 1.2, 0.7, (annotation("OMIM:154700", "HP:0002616", 4110),)),
        ),
        against=(),
        refs=(disease("OMIM:154700"), disease("ORPHA:558")),
    )
    lds = ChainCandidate(
        2, "OMIM:610168", "Loeys-Dietz syndrome 2", "Loeys-Dietz综合征2型", ("OMIM:610168",), 0.31, ("TGFBR2",),
        ("autosomal dominant",), True,
        supporting=(claim("HP:0002616", "Aortic root aneurysm", 1.5, 0.95, (annotation("OMIM:610168", "HP:0002616", 9051),)),),
        against=(claim("HP:0001083", "Ectopia lentis", -1.1, None,
                       (KbRef("absence", disease_id="OMIM:610168", term_id="HP:0001083", source="hpo.annotations", release=HPOA),),
                       match="not annotated"),),
        refs=(disease("OMIM:610168"),),
    )
    homocystinuria = ChainCandidate(
        3, "OMIM:236200", "Homocystinuria", "同型胱氨酸尿症", ("OMIM:236200",), 0.05, ("CBS",), ("autosomal recessive",), True,
        supporting=(claim("HP:0001083", "Ectopia lentis", 1.9, 0.9, (annotation("OMIM:236200", "HP:0001083", 2201),)),),
        against=(), refs=(disease("OMIM:236200"),),
    )
    flat_feet = Question(
        "HP:0001763", "Pes planus", "扁平足", "Flat feet", 0.42, 0.35,
        favours=(Expectation("OMIM:154700", "Marfan syndrome", 0.62, 0.6, (annotation("OMIM:154700", "HP:0001763", 4120),)),),
        against=(Expectation("OMIM:610168", "Loeys-Dietz syndrome 2", 0.31, 0.0),),
    )
    lens = Question("HP:0000545", "Myopia", None, None, 0.2, 0.5, favours=(), against=())
    echo = ExamRecommendation(
        "ECHO", "Echocardiography", "超声心动图", "imaging", 0.31, 0.8,
        expects_abnormal=(Expectation("OMIM:610168", "Loeys-Dietz syndrome 2", 0.31, 0.95, (annotation("OMIM:610168", "HP:0002616", 9051),)),),
        expects_normal=(Expectation("OMIM:236200", "Homocystinuria", 0.05, 0.0),),
        findings=("HP:0002616",), table_version=TABLES,
    )
    panel = ExamRecommendation(
        "GENE-PANEL", "Gene panel sequencing", "基因检测（Panel）", "genetic", 0.9, 0.7,
        expects_abnormal=(), expects_normal=(), findings=(), genes=("FBN1", "TGFBR2", "CBS"), table_version=TABLES,
    )
    return ReasoningChain(
        step=3,
        findings=(
            Finding("HP:0001166", "Arachnodactyly", "蜘蛛指", "Long slender fingers", "yes", "start", 0),
            Finding("HP:0001083", "Ectopia lentis", "晶状体异位", "Dislocated lens", "yes", "start", 0),
            Finding("HP:0002616", "Aortic root aneurysm", "主动脉根部瘤", None, "yes", "examination", 2),
            Finding("HP:0001382", "Joint hypermobility", "关节过度活动", "Flexible joints", "no", "question", 1),
        ),
        examinations_done=(("ECHO-1", "HP:0002616"),),
        examinations=(echo, panel),
        differential=(marfan, lds, homocystinuria),
        next_questions=(flat_feet, lens),
        what_if=(WhatIf("HP:0001763", "yes", (("OMIM:154700", "Marfan syndrome", 0.74), ("OMIM:610168", "Loeys-Dietz syndrome 2", 0.22))),),
        red_flags=(RedFlagHit("HP:0002616", "HP:0004942", "Aortic aneurysm",
                              "Sudden chest or back pain needs emergency care at once.", "如突发胸痛或背痛，请立即到急诊就医。"),),
        specialties=(SpecialtyHint("Cardiology", "心血管内科", "Marfan MDT clinic", "马方综合征多学科门诊", ("HP:0002616",)),
                     SpecialtyHint("Ophthalmology", "眼科", "", "", ("HP:0001083",))),
        entropy_bits=1.21,
        kb_version="kb-2025-05",
        software_version="0.1.0",
        tables_version=TABLES,
    )


def chains() -> list[ReasoningChain]:
    """The base chain and the ones that tempt a voice to sound certain or to say nothing."""
    base = marfan_chain()
    near_certain = replace(base, differential=(replace(base.differential[0], probability=0.995),), what_if=())
    bare = replace(base, differential=(), examinations=(), next_questions=(), what_if=(), red_flags=(),
                   specialties=(), examinations_done=())
    return [base, near_certain, bare]


MODES = [(m, lang) for m in ("clinician", "patient") for lang in ("en", "zh")]


# --- questions -------------------------------------------------------------------------------


def test_clinician_question_shows_term_gain_and_what_it_separates() -> None:
    q = marfan_chain().next_questions[0]
    u = render_question(q, mode="clinician", language="en")
    assert u.kind == "question"
    assert u.text.startswith("Is HP:0001763 Pes planus present?")
    assert "expected information gain 0.42 bits" in u.text
    assert "expected in Marfan syndrome (60%)" in u.text
    assert "not expected in Loeys-Dietz syndrome 2" in u.text
    assert any(r.kind == "annotation" and r.term_id == "HP:0001763" for r in u.refs)
    zh = render_question(q, mode="clinician", language="zh")
    assert "HP:0001763 扁平足" in zh.text
    assert "比特" in zh.text


def test_patient_question_is_plain_and_names_no_disease() -> None:
    chain = marfan_chain()
    flat, myopia = chain.next_questions
    assert render_question(flat, mode="patient", language="en").text == "Have you (or your child) had flat feet?"
    assert render_question(flat, mode="patient", language="zh").text == "您（或您的孩子）是否出现过扁平足？"
    # no layperson synonym and no Chinese label: the label, lower-cased / as it is
    assert render_question(myopia, mode="patient", language="en").text == "Have you (or your child) had myopia?"
    assert "Myopia" in render_question(myopia, mode="patient", language="zh").text
    for mode, lang in MODES:
        if mode != "patient":
            continue
        for u in render_chain(chain, mode=mode, language=lang):
            if u.kind == "question":
                assert not any(n.lower() in u.text.lower() for n in DISEASE_NAMES | {"马方", "Loeys"})
                assert "HP:" not in u.text


def test_every_statement_points_to_records() -> None:
    for chain in chains():
        for mode, lang in MODES:
            for u in render_chain(chain, mode=mode, language=lang):
                if u.kind in ("differential", "question", "examination", "red-flag"):
                    assert u.refs, (mode, lang, u)
                if u.kind == "examination":
                    assert any(r.kind == "examination-table" and r.release == TABLES for r in u.refs)


def test_examination_refs_name_the_table_row() -> None:
    exams = [u for u in render_chain(marfan_chain(), mode="clinician", language="en") if u.kind == "examination"]
    assert len(exams) == 2
    assert KbRef(kind="examination-table", reference="ECHO", release=TABLES) in exams[0].refs
    assert "abnormal expected in Loeys-Dietz syndrome 2 (95%)" in exams[0].text
    assert "would show HP:0002616" in exams[0].text
    assert "gene list FBN1, TGFBR2, CBS" in exams[1].text


# --- clinician -------------------------------------------------------------------------------


def test_clinician_chain_lists_differential_with_claims_and_sources() -> None:
    out = render_chain(marfan_chain(), mode="clinician", language="en")
    text = render_text(out)
    diff = [u for u in out if u.kind == "differential"]
    assert diff[0].text.startswith("#1 Marfan syndrome (OMIM:154700, ORPHA:558): 62.0%")
    assert "HP:0001083 Ectopia lentis (exact, frequency 80%, PMID:20004102 hpo.annotations:4102)" in diff[0].text
    assert diff[1].text.startswith("#2 Loeys-Dietz syndrome 2 (OMIM:610168): 31.0%; genes TGFBR2; inheritance autosomal dominant. For: ")
    assert "Against: HP:0001083 Ectopia lentis (not annotated, not annotated in hpo.annotations" in diff[1].text
    assert disease("OMIM:154700") in diff[0].refs
    assert "Observed: HP:0001166 Arachnodactyly (start)" in text
    assert "Excluded: HP:0001382 Joint hypermobility (question)" in text
    assert "If HP:0001763 is answered yes: Marfan syndrome 74.0%, Loeys-Dietz syndrome 2 22.0%." in text
    assert "Red flag: HP:0002616 falls under HP:0004942 Aortic aneurysm" in text
    assert "Specialty: Cardiology, Marfan MDT clinic; because of HP:0002616." in text
    assert out[-1].kind == "disclaimer"


def test_a_shared_ancestor_claim_says_where_the_terms_meet() -> None:
    """Joint hypermobility met only Abnormality of the skeletal system through a scoliosis
    record: the voice must not present it as a plain match of scoliosis."""
    shared = replace(
        claim("HP:0001382", "Joint hypermobility", 0.3, 0.6, (annotation("OMIM:154700", "HP:0002650", 4120, "HP:0040282"),),
              match="shared ancestor"),
        disease_term_id="HP:0002650", disease_term_label="Scoliosis",
        via_term_id="HP:0000924", via_term_label="Abnormality of the skeletal system",
    )
    base = marfan_chain()
    chain = replace(base, differential=(replace(base.differential[0], supporting=(shared,)),))
    en = render_text(render_chain(chain, mode="clinician", language="en"))
    assert ("HP:0001382 Joint hypermobility → HP:0002650 Scoliosis (shared ancestor HP:0000924 Abnormality of "
            "the skeletal system, frequency 60%, PMID:20004120 hpo.annotations:4120)") in en
    zh = render_text(render_chain(chain, mode="clinician", language="zh"))
    assert "仅有共同上位表型：HP:0000924" in zh


def test_top_limits_the_differential() -> None:
    out = render_chain(marfan_chain(), mode="clinician", language="en", top=1)
    assert [u.text[:2] for u in out if u.kind == "differential" and u.text.startswith("#")] == ["#1"]


def test_chinese_clinician_uses_chinese_labels() -> None:
    text = render_text(render_chain(marfan_chain(), mode="clinician", language="zh"))
    assert "#1 马方综合征（OMIM:154700, ORPHA:558）：62.0%" in text
    assert "HP:0001083 晶状体异位（完全匹配，频率 80%" in text
    assert "建议检查：超声心动图" in text
    assert "专科：心血管内科，马方综合征多学科门诊；" in text
    assert "预期出现于：马方综合征（60%）；预期不出现于：Loeys-Dietz综合征2型" in text
    assert "如突发胸痛或背痛" in text


# --- patient ---------------------------------------------------------------------------------


def test_patient_mode_never_states_a_diagnosis_as_certain() -> None:
    for chain in chains():
        for lang in ("en", "zh"):
            out = render_chain(chain, mode="patient", language=lang)
            text = render_text(out).lower()
            for phrase in FORBIDDEN_CERTAINTY:
                assert phrase.lower() not in text, (lang, phrase, text)
            assert out[-1].kind == "disclaimer"
            assert ("not a diagnosis" in text) if lang == "en" else ("不是诊断" in text)
            assert "%" not in text  # no probabilities for patients


def test_patient_mode_names_at_most_three_conditions_as_possibilities() -> None:
    chain = marfan_chain()
    extra = replace(chain.differential[2], rank=4, concept_id="OMIM:609192", label="Loeys-Dietz syndrome 3",
                    label_zh=None, ids=("OMIM:609192",))
    chain = replace(chain, differential=chain.differential + (extra,))
    en = [u for u in render_chain(chain, mode="patient", language="en") if u.kind == "differential"]
    assert len(en) == 1
    assert en[0].text.startswith("Conditions a specialist may want to consider include: Marfan syndrome, "
                                 "Loeys-Dietz syndrome 2, Homocystinuria.")
    assert "Loeys-Dietz syndrome 3" not in en[0].text
    assert "possibilities" in en[0].text
    zh = [u for u in render_chain(chain, mode="patient", language="zh") if u.kind == "differential"]
    assert "专科医生可能会考虑的疾病包括：马方综合征、Loeys-Dietz综合征2型、同型胱氨酸尿症。" in zh[0].text
    assert "可能性" in zh[0].text


def test_patient_mode_puts_red_flags_first_and_gives_guidance() -> None:
    out = render_chain(marfan_chain(), mode="patient", language="en")
    assert out[0].kind == "red-flag"
    assert out[0].text == "Important (aortic root aneurysm): Sudden chest or back pain needs emergency care at once."
    guidance = [u.text for u in out if u.kind == "guidance"]
    assert guidance[0] == ("It may help to see a specialist in Cardiology (or the Marfan MDT clinic), "
                           "because of: aortic root aneurysm.")
    assert guidance[1] == "It may help to see a specialist in Ophthalmology, because of: dislocated lens."
    assert "Tests your doctor may consider: Echocardiography, Gene panel sequencing." in render_text(out)
    zh = render_chain(marfan_chain(), mode="patient", language="zh")
    assert zh[0].text == "重要提示（主动脉根部瘤）：如突发胸痛或背痛，请立即到急诊就医。"
    assert "建议到心血管内科就诊（或马方综合征多学科门诊），原因：主动脉根部瘤。" in render_text(zh)
    assert "医生可能会考虑的检查：超声心动图、基因检测（Panel）。" in render_text(zh)


def test_patient_mode_without_specialty_still_says_where_to_go() -> None:
    out = render_chain(chains()[2], mode="patient", language="en")
    assert [u.kind for u in out] == ["status", "guidance", "disclaimer"]
    assert "refer you to the right specialist" in out[1].text


def test_templates_pass_their_own_guard() -> None:
    """What the templates say is exactly what the guard allows (no false removals)."""
    for chain in chains():
        vocab = vocabulary_from_chain(chain, KNOWN_GENES)
        for mode, lang in MODES:
            text = render_text(render_chain(chain, mode=mode, language=lang))
            forbid = FORBIDDEN_CERTAINTY if mode == "patient" else ()
            result = guard_text(text, vocab, forbid=forbid)
            assert result.removed == (), (mode, lang, result.removed)
            assert result.text == text


def test_render_text_joins_lines() -> None:
    assert render_text((Utterance("a", (), "status"), Utterance("b", (), "status"))) == "a\nb"


def test_unknown_mode_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        render_chain(marfan_chain(), mode="doctor", language="en")
    with pytest.raises(ValueError, match="language"):
        render_question(marfan_chain().next_questions[0], mode="patient", language="fr")


@pytest.mark.parametrize(("reply", "expected"), [
    ("y", "yes"), ("Yes.", "yes"), (" YES ", "yes"), ("是", "yes"), ("有", "yes"), ("是的。", "yes"),
    ("n", "no"), ("No!", "no"), ("否", "no"), ("没有", "no"), ("无", "no"),
    ("u", "unknown"), ("unknown", "unknown"), ("?", "unknown"), ("不知道", "unknown"), ("不清楚", "unknown"),
    ("I think my son had one when he was three", None), ("", None), ("yes and no", None),
])
def test_parse_answer(reply: str, expected: str | None) -> None:
    assert parse_answer(reply) == expected
