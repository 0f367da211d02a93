"""The consultation session as a value: JSON round trip, refusals, overrides, and resuming.

A web API or the registry stores a session between requests, so the JSON form must give back
exactly the session that was stored, and an engine must carry on from it as if it had never
left memory.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from consult.test_engine import (
    ALT_ARACHNODACTYLY,
    AORTIC_ROOT,
    ARACHNODACTYLY,
    DISPROPORTIONATE_TALL,
    ECTOPIA_LENTIS,
    MARFAN,
    TALL,
    fixture_tables,
)
from rarelens.consult.engine import ConsultationEngine
from rarelens.consult.state import (
    SCHEMA,
    Answer,
    CandidateSnapshot,
    Consultation,
    ExaminationResult,
    Step,
)
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.phenotype.ranker import PhenotypeRanker


@pytest.fixture(scope="module")
def engine(kb: KnowledgeBase) -> ConsultationEngine:
    return ConsultationEngine(PhenotypeRanker(kb), fixture_tables(kb.ontology))


def via_json(s: Consultation) -> Consultation:
    return Consultation.from_dict(json.loads(json.dumps(s.to_dict(), ensure_ascii=False)))


def top(*rows: tuple[str, str, float]) -> tuple[CandidateSnapshot, ...]:
    return tuple(CandidateSnapshot(i + 1, cid, label, p) for i, (cid, label, p) in enumerate(rows))


def hand_made() -> Consultation:
    """Five steps, every answer source and value, two examinations, notes and demographics."""
    return Consultation(
        id="case-17",
        answers=(
            Answer(TALL, "yes", "start", 0),
            Answer(ALT_ARACHNODACTYLY, "yes", "text", 0, "his fingers are very long"),
            Answer(AORTIC_ROOT, "unknown", "question", 1),
            Answer(ECTOPIA_LENTIS, "no", "examination", 2, "marfan_clinic"),
            Answer(AORTIC_ROOT, "yes", "examination", 3, "echocardiography"),
            Answer(DISPROPORTIONATE_TALL, "no", "answers-file", 4, "answers.tsv line 3"),
        ),
        examinations=(
            ExaminationResult("marfan_clinic", (), True, 2),
            ExaminationResult("echocardiography", (AORTIC_ROOT,), False, 3),
        ),
        history=(
            Step(0, "start", top=top((MARFAN, "Marfan syndrome", 0.61), ("MONDO:0018954", "Loeys-Dietz syndrome", 0.3))),
            Step(1, "question", term=AORTIC_ROOT, answer="unknown", gain=0.2199731, top=top((MARFAN, "Marfan syndrome", 0.6))),
            Step(2, "examination", exam_id="marfan_clinic", answer="normal"),
            Step(3, "examination", exam_id="echocardiography", answer=AORTIC_ROOT, top=top((MARFAN, "马方综合征", 1 / 3))),
            Step(4, "answer", term=DISPROPORTIONATE_TALL, answer="no"),
        ),
        sex="MALE",
        age_years=15.5,
        onset_years=None,
        mode="patient",
        language="zh",
        kb_version="rlkb-test",
        software_version="0.0.0+tests",
        notes=("HP:0001505 is an alternative id of HP:0001166 (Arachnodactyly); using HP:0001166", "guard removed 1 sentence"),
    )


# --- JSON round trip ---------------------------------------------------------------------

def test_hand_made_session_survives_a_json_round_trip() -> None:
    s = hand_made()
    back = via_json(s)
    assert back == s
    assert back.history[3].top[0].probability == 1 / 3  # floats exactly
    assert back.examinations[1].findings == (AORTIC_ROOT,)  # tuples, not lists
    assert isinstance(back.notes, tuple)
    assert isinstance(back.history[0].top, tuple)
    assert via_json(back) == s


def test_json_form() -> None:
    d = json.loads(json.dumps(hand_made().to_dict()))
    assert d["schema"] == SCHEMA == "rarelens.consultation/1"
    assert d["answers"][1] == {"term": ALT_ARACHNODACTYLY, "value": "yes", "source": "text", "step": 0,
                               "note": "his fingers are very long"}
    assert d["examinations"][1] == {"exam_id": "echocardiography", "findings": [AORTIC_ROOT], "normal": False, "step": 3}
    assert d["history"][1] == {"index": 1, "action": "question", "term": AORTIC_ROOT, "exam_id": None, "answer": "unknown",
                               "gain": 0.2199731, "top": [{"rank": 1, "concept_id": MARFAN, "label": "Marfan syndrome",
                                                           "probability": 0.6}]}
    assert (d["sex"], d["age_years"], d["onset_years"], d["mode"], d["language"]) == ("MALE", 15.5, None, "patient", "zh")


def test_engine_session_survives_a_json_round_trip(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL, ALT_ARACHNODACTYLY], sex="FEMALE", age_years=12.0, onset_years=3.0, session_id="p1")
    q = engine.next_questions(s, n=1)[0]
    s = engine.answer(s, q.term_id, "unknown", gain=q.gain)
    s = engine.record_examination(s, "marfan_clinic", normal=True)
    s = engine.record_examination(s, "echocardiography", findings=[AORTIC_ROOT])
    s = engine.answer(s, DISPROPORTIONATE_TALL, "no", source="text", note="not disproportionate")
    s = engine.answer(s, AORTIC_ROOT, "yes", source="answers-file")
    assert {a.source for a in s.answers} == {"start", "question", "examination", "text", "answers-file"}
    assert {a.value for a in s.answers} == {"yes", "no", "unknown"}
    assert len(s.history) == 6
    assert s.notes
    assert all(st.top for st in s.history)
    assert via_json(s) == s


def test_empty_session_round_trip() -> None:
    assert via_json(Consultation()) == Consultation()


# --- refusals ---------------------------------------------------------------------------

@pytest.mark.parametrize("schema", [None, "rarelens.consultation/2", "rarelens.patient/1"])
def test_wrong_schema_is_refused(schema: str | None) -> None:
    d = hand_made().to_dict()
    if schema is None:
        del d["schema"]
    else:
        d["schema"] = schema
    with pytest.raises(ValueError, match=r"not a RareLens consultation \(schema .*expected 'rarelens.consultation/1'\)"):
        Consultation.from_dict(d)


def broken(path: str, value: Any) -> dict[str, Any]:
    d = json.loads(json.dumps(hand_made().to_dict()))
    *parents, last = path.split(".")
    node: Any = d
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("answers.0.value", KeyError, "value"),
        ("answers.0.colour", "blue", "colour"),
        ("examinations.0.findings", KeyError, "findings"),
        ("examinations.1.normal", KeyError, "normal"),
        ("history.0.top.0.probability", KeyError, "probability"),
        ("history.1.action", KeyError, "action"),
        ("answers", [[TALL, "yes", "start", 0]], "object"),
        ("answers", None, r"answers is null; it must be a list"),
        ("answers.0.step", "zero", r"answers\[0\]\.step is \"zero\"; it must be a whole number"),
        ("answers.0.step", True, r"answers\[0\]\.step is true"),
        ("mode", "doctor", r"mode is \"doctor\"; it must be one of clinician, patient"),
        ("language", "fr", r"language is \"fr\"; it must be one of en, zh"),
        ("sex", "X", r"sex is \"X\"; it must be one of FEMALE, MALE"),
        ("onset_years", "P3Y", r"onset_years is \"P3Y\"; it must be a number of years"),
        ("age_years", -1, r"age_years is -1"),
        ("notes", 5, r"notes is 5; it must be a list"),
        ("notes", [5], r"notes\[0\] is 5; it must be a string"),
        ("examinations.0.normal", "yes", r"examinations\[0\]\.normal is \"yes\"; it must be true or false"),
        ("history.0.top", "x", r"history\[0\]\.top is \"x\"; it must be a list"),
        ("history.0.action", "guess", r"history\[0\]\.action .*one of start, question"),
        ("history.0.top.0.probability", "high", r"history\[0\]\.top\[0\]\.probability"),
        ("extra", 1, r"unknown field extra"),
    ],
)
def test_malformed_field_is_refused_by_name(path: str, value: Any, named: str) -> None:
    with pytest.raises(ValueError, match=rf"malformed consultation: .*{named}"):
        Consultation.from_dict(broken(path, value))


def test_a_json_report_resumes_as_its_session() -> None:
    """`consult -f json` writes the session plus its chains; the chains are not part of it."""
    assert Consultation.from_dict({**hand_made().to_dict(), "chains": [{}]}) == hand_made()


def test_stored_answer_with_an_invalid_value_is_refused() -> None:
    with pytest.raises(ValueError, match="maybe"):
        Consultation.from_dict(broken("answers.0.value", "maybe"))


def test_json_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError, match="consultation"):
        Consultation.from_dict([])  # type: ignore[arg-type]


def test_invalid_answer_value_is_refused_and_the_session_is_unchanged() -> None:
    s = hand_made()
    with pytest.raises(ValueError, match=r"answer for HP:0000098 is 'Yes'; use one of yes, no, unknown"):
        s.with_answers((Answer(TALL, "Yes", "question", 5),), Step(5, "question"))
    assert s == hand_made()


# --- what is known ------------------------------------------------------------------------

def test_later_answer_overrides_an_earlier_one() -> None:
    s = hand_made()
    latest = s.latest()
    assert latest[AORTIC_ROOT] == Answer(AORTIC_ROOT, "yes", "examination", 3, "echocardiography")
    assert s.observed == (TALL, ALT_ARACHNODACTYLY, AORTIC_ROOT)
    assert s.excluded == (ECTOPIA_LENTIS, DISPROPORTIONATE_TALL)
    assert s.unknown == ()
    corrected = s.with_answers((Answer(TALL, "no", "question", 5), Answer(ECTOPIA_LENTIS, "unknown", "question", 5)),
                               Step(5, "answer"))
    assert corrected.latest()[TALL].value == "no"
    assert corrected.observed == (ALT_ARACHNODACTYLY, AORTIC_ROOT)
    assert corrected.excluded == (TALL, DISPROPORTIONATE_TALL)
    assert corrected.unknown == (ECTOPIA_LENTIS,)
    assert len(corrected.answers) == len(s.answers) + 2  # the history of answers is kept
    assert s.latest()[TALL].value == "yes"  # the original is untouched


def test_step_index_and_differential() -> None:
    s = hand_made()
    assert s.step_index == 5
    assert s.differential == ()  # the last step carried no snapshot
    assert Consultation().differential == ()
    assert Consultation().step_index == 0
    s2 = s.with_answers((), Step(5, "answer", top=top((MARFAN, "Marfan syndrome", 0.9))))
    assert s2.differential == top((MARFAN, "Marfan syndrome", 0.9))


def test_engine_answer_overrides_an_earlier_answer(engine: ConsultationEngine) -> None:
    o = engine.kb.ontology
    s = engine.start(observed=[TALL, AORTIC_ROOT])
    s = engine.answer(s, AORTIC_ROOT, "no", source="answer")
    assert engine.patient(s).observed == (o.index(TALL),)
    assert engine.patient(s).excluded == (o.index(AORTIC_ROOT),)
    s = engine.answer(s, AORTIC_ROOT, "unknown")
    assert engine.resolved(s) == ([o.index(TALL)], [], [o.index(AORTIC_ROOT)])


# --- resuming -----------------------------------------------------------------------------

def test_engine_resumes_from_a_stored_session(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL, ARACHNODACTYLY], session_id="resume")
    s = engine.answer(s, ECTOPIA_LENTIS, "unknown")
    stored = json.dumps(s.to_dict())
    loaded = Consultation.from_dict(json.loads(stored))
    assert engine.next_questions(loaded) == engine.next_questions(s)
    q = engine.next_questions(loaded, n=1)[0]
    assert q.term_id == AORTIC_ROOT
    cont_original = engine.answer(s, q.term_id, "yes", gain=q.gain)
    cont_loaded = engine.answer(loaded, q.term_id, "yes", gain=q.gain)
    assert cont_loaded == cont_original
    assert cont_loaded.step_index == 3
    assert cont_loaded.history[-1].term == AORTIC_ROOT
    assert engine.next_questions(cont_loaded) == engine.next_questions(cont_original)
    assert [x.term_id for x in engine.next_questions(cont_loaded)] == [DISPROPORTIONATE_TALL]


def test_stored_alt_ids_are_resolved_when_resumed(engine: ConsultationEngine) -> None:
    """Sessions keep CURIEs so they survive a new HPO release; an id that became an alt id
    still means its term when the session is loaded."""
    o = engine.kb.ontology
    s = via_json(hand_made())
    observed, excluded, unknown = engine.resolved(s)
    assert observed == sorted(o.index(t) for t in (TALL, ARACHNODACTYLY, AORTIC_ROOT))
    assert excluded == sorted(o.index(t) for t in (ECTOPIA_LENTIS, DISPROPORTIONATE_TALL))
    assert unknown == []
    assert engine.next_questions(s) == ()  # everything askable is known
