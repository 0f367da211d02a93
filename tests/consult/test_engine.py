"""The consultation engine on the fixture knowledge base, where the best question is known.

From ``tests/fixtures/data/hpo/phenotype.hpoa`` (phenotype rows, aspect P):

| concept | entries | findings (frequency) |
|---|---|---|
| Marfan syndrome, MONDO:0007947 | OMIM:154700, ORPHA:558 | Tall stature (no frequency), Disproportionate tall stature 38/53, Arachnodactyly 124/197, Ectopia lentis 119/251, Aortic root aneurysm 45/58 |
| Loeys-Dietz syndrome 1, MONDO:0012212 | OMIM:609192 | Disproportionate tall stature 7/35, Arachnodactyly 25/36, Ectopia lentis 0/32, Aortic root aneurysm 39/40 |
| Loeys-Dietz syndrome, MONDO:0018954 | ORPHA:60030 | Tall stature, Arachnodactyly (both Frequent) — nothing else |
| essential fructosuria, MONDO:0009252 | OMIM:229800, ORPHA:2056 | Impairment of fructose metabolism; NOT Hyperglycemia |
| Hairy elbows, OMIM:139600 | OMIM:139600 | Short stature 75% |

So a patient with tall stature and long fingers is Marfan syndrome or Loeys-Dietz syndrome
(ORPHA:60030), and every question the engine can ask is a Marfan finding that ORPHA:60030 lacks:
the most frequent of them separates the two best. The packaged examination tables name terms the
mini HPO does not hold, so the tests use a three-row table of fixture terms.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rarelens.consult.chain import build_chain
from rarelens.consult.engine import ConsultationEngine
from rarelens.consult.model import ReasoningChain
from rarelens.consult.questions import AnswerModel
from rarelens.consult.state import Answer, Consultation, ExaminationResult
from rarelens.consult.tables import ConsultTableError, ConsultTables, parse_consult_tables
from rarelens.io.consult_tables import load_consult_tables
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.ontology import Ontology
from rarelens.phenotype.ranker import PhenotypeRanker

PA, LIMBS, CARDIO = "HP:0000118", "HP:0040064", "HP:0001626"
TALL, DISPROPORTIONATE_TALL = "HP:0000098", "HP:0001519"
SLENDER_FINGER, ARACHNODACTYLY, ALT_ARACHNODACTYLY = "HP:0001238", "HP:0001166", "HP:0001505"
ECTOPIA_LENTIS, AORTIC_ROOT, OBSOLETE_AORTA = "HP:0001083", "HP:0002616", "HP:0002631"
OBSOLETE_NO_REPLACEMENT, MISSING = "HP:0500014", "HP:9999999"
MARFAN, LDS1, LDS = "MONDO:0007947", "MONDO:0012212", "MONDO:0018954"
ORPHA_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "orphanet" / "json"

EXAMINATIONS = "\n".join((
    "# version: 0.0.1-test",
    "id\tname\tname_zh\tkind\thpo_roots\tpatient\tpatient_zh\trationale",
    "echocardiography\tEchocardiography\t超声心动图\timaging\tHP:0002616\tAn ultrasound of the heart.\t心脏超声。\tAortic root",
    "marfan_clinic\tMarfan clinic examination\t马方门诊检查\tclinical\tHP:0001083,HP:0001166\tAn eye and hand exam.\t眼和手的检查。\tLens and fingers",
    "genetic_testing\tGenetic testing\t基因检测\tgenetic\t\tA blood test.\t抽血检查。\tGenes",
)) + "\n"
SPECIALTIES = "hpo_root\tspecialty\tspecialty_zh\tmdt_clinic\tmdt_clinic_zh\nHP:0001626\tCardiology\t心内科\tAortic MDT\t主动脉病多学科门诊\n"
RED_FLAGS = "hpo_id\tadvice\tadvice_zh\nHP:0002616\tSee a cardiologist this week.\t本周内看心内科。\n"


def fixture_tables(o: Ontology) -> ConsultTables:
    return parse_consult_tables(examinations=EXAMINATIONS, specialties=SPECIALTIES, red_flags=RED_FLAGS, ontology=o)


@pytest.fixture(scope="module")
def ranker(kb: KnowledgeBase) -> PhenotypeRanker:
    return PhenotypeRanker(kb)


@pytest.fixture(scope="module")
def tables(kb: KnowledgeBase) -> ConsultTables:
    return fixture_tables(kb.ontology)


@pytest.fixture(scope="module")
def engine(ranker: PhenotypeRanker, tables: ConsultTables) -> ConsultationEngine:
    return ConsultationEngine(ranker, tables)


@pytest.fixture(scope="module")
def pair_engine(ranker: PhenotypeRanker, tables: ConsultTables) -> ConsultationEngine:
    """Questions chosen over the two leading candidates only."""
    return ConsultationEngine(ranker, tables, leading=2)


def wide_engine(ranker: PhenotypeRanker, tables: ConsultTables) -> ConsultationEngine:
    """Every phenotype term below the organ-system headings askable, so that ancestors and
    descendants of answered terms are candidates the engine has to rule out itself."""
    e = ConsultationEngine(ranker, tables)
    o = e.kb.ontology
    pa = o.index(PA)
    wide = np.zeros(len(o), dtype=bool)
    wide[o.descendants(pa)] = True
    wide[pa] = False
    wide[o.children(pa)] = False
    e.askable = wide
    return e


def lead_ids(engine: ConsultationEngine, session: Consultation) -> list[str]:
    lead = engine.leading_candidates(session)
    return [engine.kb.concepts.id[int(engine.ranker.index.concepts[r])] for r in lead.rows.tolist()]


def asked(engine: ConsultationEngine, session: Consultation) -> set[str]:
    cols, _, _, _ = engine.question_gains(session)
    return {engine.kb.ontology.ids[c] for c in cols.tolist()}


def snapshot(session: Consultation) -> dict[str, float]:
    return {c.concept_id: c.probability for c in session.differential}


def hpoa_fraction(hpoa_rows: list[list[str]], disease: str, term: str) -> float:
    (freq,) = [r[7] for r in hpoa_rows if r[0] == disease and r[3] == term]
    n, m = freq.split("/")
    return int(n) / int(m)


def three_outcome_gain(prior: list[float], f: list[float], model: AnswerModel) -> float:
    """Mutual information of the yes/no/unknown answer, written out with loops."""
    cond = [
        (model.false_yes + model.recall * x, model.negative_rate * (1 - x), 1 - model.false_yes - model.recall * x - model.negative_rate * (1 - x))
        for x in f
    ]
    total = 0.0
    for a in range(3):
        pa = sum(p * c[a] for p, c in zip(prior, cond, strict=True))
        total += sum(p * c[a] * math.log2(c[a] / pa) for p, c in zip(prior, cond, strict=True) if c[a] > 0)
    return total


# --- the best question ---------------------------------------------------------------------

def test_first_question_is_the_most_frequent_finding_the_runner_up_lacks(
    pair_engine: ConsultationEngine, hpoa_rows: list[list[str]]
) -> None:
    """Tall stature and long fingers: Marfan against ORPHA:60030 Loeys-Dietz syndrome, which is
    annotated with those two findings and nothing else. Against a candidate without the finding
    the gain grows with the finding's frequency in the other, so the order of the questions is
    the order of Marfan's frequencies: aortic root 45/58 > disproportion 38/53 > lens 119/251."""
    assert {r[3] for r in hpoa_rows if r[0] == "ORPHA:60030"} == {TALL, ARACHNODACTYLY}
    freq = {t: hpoa_fraction(hpoa_rows, "OMIM:154700", t) for t in (AORTIC_ROOT, DISPROPORTIONATE_TALL, ECTOPIA_LENTIS)}
    by_frequency = sorted(freq, key=freq.__getitem__, reverse=True)
    assert by_frequency == [AORTIC_ROOT, DISPROPORTIONATE_TALL, ECTOPIA_LENTIS]

    s = pair_engine.start(observed=[TALL, ARACHNODACTYLY])
    assert lead_ids(pair_engine, s) == [MARFAN, LDS]
    qs = pair_engine.next_questions(s, n=5)
    assert [q.term_id for q in qs] == by_frequency  # nothing else is askable
    assert qs[0].gain > qs[1].gain > qs[2].gain > 0.05

    # the gain and P(yes) are those of the three-outcome model on the annotated frequencies
    prior = pair_engine.leading_candidates(s).prior.tolist()
    model = pair_engine.answer_model
    for q in qs:
        assert q.gain == pytest.approx(three_outcome_gain(prior, [freq[q.term_id], 0.0], model), rel=1e-9)
    assert qs[0].p_yes == pytest.approx(
        prior[0] * (model.false_yes + model.recall * freq[AORTIC_ROOT]) + prior[1] * model.false_yes, rel=1e-9
    )
    # the question says whom it favours and whom it does not, with the record behind it
    assert qs[0].label == "Aortic root aneurysm"
    assert [e.concept_id for e in qs[0].favours] == [MARFAN]
    assert [e.concept_id for e in qs[0].against] == [LDS]
    assert qs[0].favours[0].frequency == pytest.approx(45 / 58)
    assert ("OMIM:154700", AORTIC_ROOT, "45/58") in {(r.disease_id, r.term_id, r.frequency_raw) for r in qs[0].favours[0].refs}


def test_first_question_over_all_candidates(engine: ConsultationEngine) -> None:
    """With every candidate leading the aortic root still comes first (Loeys-Dietz syndrome 1,
    the third, has it at 39/40 too, but Marfan and ORPHA:60030 carry most of the mass)."""
    s = engine.start(observed=[TALL, ARACHNODACTYLY])
    assert lead_ids(engine, s)[:3] == [MARFAN, LDS, LDS1]
    cols, gains, _, _ = engine.question_gains(s)
    by_term = dict(zip([engine.kb.ontology.ids[c] for c in cols.tolist()], gains.tolist(), strict=True))
    assert set(by_term) == {AORTIC_ROOT, DISPROPORTIONATE_TALL, ECTOPIA_LENTIS}
    first = engine.next_questions(s, n=1)[0]
    assert first.term_id == AORTIC_ROOT
    assert first.gain == pytest.approx(max(by_term.values()))


def test_question_gains_match_a_loop_over_the_candidates(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[ARACHNODACTYLY])
    cols, gains, p_yes, lead = engine.question_gains(s)
    assert len(cols) == 3
    prior = lead.prior.tolist()
    any_of = engine.any_of.toarray()
    for c, g, py in zip(cols.tolist(), gains.tolist(), p_yes.tolist(), strict=True):
        f = [float(any_of[r, c]) for r in lead.rows.tolist()]
        assert g == pytest.approx(three_outcome_gain(prior, f, engine.answer_model), rel=1e-9)
        assert py == pytest.approx(sum(p * (0.02 + 0.6 * x) for p, x in zip(prior, f, strict=True)), rel=1e-9)
    assert lead.prior.sum() == pytest.approx(1.0)
    assert np.all(np.diff(lead.prior) <= 0)  # rows in score order


def test_questions_between_marfan_and_loeys_dietz_1_run_out(pair_engine: ConsultationEngine) -> None:
    """Aortic root aneurysm and long fingers: Marfan against Loeys-Dietz syndrome 1, which share
    both. Ectopia lentis (119/251 against 0/32, floored at 1 %) separates them better than
    disproportionate tall stature (38/53 against 7/35); once both are answered nothing is left."""
    s = pair_engine.start(observed=[AORTIC_ROOT, ARACHNODACTYLY])
    assert lead_ids(pair_engine, s) == [MARFAN, LDS1]
    qs = pair_engine.next_questions(s, n=5)
    assert {q.term_id for q in qs} == {ECTOPIA_LENTIS, DISPROPORTIONATE_TALL}
    # ectopia lentis: 119/251 in Marfan, 0/32 (floored at 1 %) in LDS1; disproportion 38/53 vs 7/35
    assert qs[0].term_id == ECTOPIA_LENTIS
    s2 = pair_engine.answer(s, ECTOPIA_LENTIS, "yes")
    s3 = pair_engine.answer(s2, DISPROPORTIONATE_TALL, "no")
    assert pair_engine.next_questions(s3) == ()


# --- what is never asked -------------------------------------------------------------------

def test_engine_never_asks_what_is_known_or_implied(ranker: PhenotypeRanker, tables: ConsultTables) -> None:
    e = wide_engine(ranker, tables)
    s = e.start(observed=[TALL])
    assert asked(e, s) == {DISPROPORTIONATE_TALL, SLENDER_FINGER, ARACHNODACTYLY, ECTOPIA_LENTIS, AORTIC_ROOT}
    # observed arachnodactyly: its ancestor slender finger is already a yes
    s1 = e.answer(s, ARACHNODACTYLY, "yes")
    assert asked(e, s1) == {DISPROPORTIONATE_TALL, ECTOPIA_LENTIS, AORTIC_ROOT}
    # the cardiovascular system excluded: the aortic root below it is already a no
    s2 = e.answer(s1, CARDIO, "no")
    assert asked(e, s2) == {DISPROPORTIONATE_TALL, ECTOPIA_LENTIS}
    # unknown tall stature: nobody can say about disproportionate tall stature either
    s3 = e.answer(s2, TALL, "unknown")
    assert asked(e, s3) == {ECTOPIA_LENTIS}
    s4 = e.answer(s3, ECTOPIA_LENTIS, "unknown")
    assert asked(e, s4) == set()
    assert e.next_questions(s4) == ()


def test_unknown_removes_the_subtree(ranker: PhenotypeRanker, tables: ConsultTables) -> None:
    e = wide_engine(ranker, tables)
    s = e.answer(e.start(observed=[TALL]), SLENDER_FINGER, "unknown")
    assert asked(e, s) == {DISPROPORTIONATE_TALL, ECTOPIA_LENTIS, AORTIC_ROOT}


def test_unknown_specific_term_hides_ancestors_that_ask_the_same(ranker: PhenotypeRanker, tables: ConsultTables) -> None:
    """No candidate has slender fingers other than through arachnodactyly, so after "long
    fingers?" went unanswered, "slender fingers?" would be the same question again."""
    e = wide_engine(ranker, tables)
    s = e.answer(e.start(observed=[TALL]), ARACHNODACTYLY, "unknown")
    assert asked(e, s) == {DISPROPORTIONATE_TALL, ECTOPIA_LENTIS, AORTIC_ROOT}


def test_simulated_consultation_never_repeats_or_asks_implied_terms(
    ranker: PhenotypeRanker, tables: ConsultTables
) -> None:
    e = wide_engine(ranker, tables)
    o = e.kb.ontology
    s = e.start(observed=[TALL], excluded=[ECTOPIA_LENTIS])
    seen: list[str] = []
    replies = ["unknown", "no", "yes", "no", "yes"]
    while qs := e.next_questions(s, n=1):
        observed, excluded, unknown = e.resolved(s)
        cols, _, _, _ = e.question_gains(s)
        for c in cols.tolist():
            assert not any(o.is_descendant_of(t, c) for t in observed), o.ids[c]
            assert not any(o.is_descendant_of(c, t) for t in excluded + unknown), o.ids[c]
        term = qs[0].term_id
        assert term not in seen
        seen.append(term)
        s = e.answer(s, term, replies[len(seen) - 1], gain=qs[0].gain)
    assert 1 <= len(seen) <= len(replies)
    assert [st.term for st in s.history[1:]] == seen
    assert all(st.action == "question" and st.gain is not None and st.gain > 0 for st in s.history[1:])


# --- answers move the differential ---------------------------------------------------------

def test_yes_moves_the_differential_toward_the_disease_with_the_finding(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL, ARACHNODACTYLY])
    before = snapshot(s)
    s_yes = engine.answer(s, AORTIC_ROOT, "yes")
    after = snapshot(s_yes)
    assert after[LDS1] > before[LDS1]  # aortic root aneurysm 39/40
    assert after[MARFAN] > before[MARFAN]  # 45/58
    assert after[LDS] < before[LDS]  # not annotated
    assert sum(after.values()) == pytest.approx(1.0, abs=1e-5)  # the five concepts are all shown
    lead = engine.leading_candidates(s_yes)
    assert lead_ids(engine, s_yes)[:2] == [MARFAN, LDS1]
    assert lead.prior[1] > engine.leading_candidates(s).prior[2]
    # the session records the step and the answer
    assert s_yes.history[-1].action == "question"
    assert s_yes.history[-1].term == AORTIC_ROOT
    assert s_yes.latest()[AORTIC_ROOT] == Answer(AORTIC_ROOT, "yes", "question", 1)
    assert engine.patient(s_yes).observed == tuple(sorted(engine.kb.ontology.index(t) for t in (TALL, ARACHNODACTYLY, AORTIC_ROOT)))


def test_no_moves_the_differential_away_from_the_disease_with_the_finding(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL, ARACHNODACTYLY])
    s_no = engine.answer(s, AORTIC_ROOT, "no")
    assert snapshot(s_no)[LDS1] < snapshot(s)[LDS1]
    assert snapshot(s_no)[LDS] > snapshot(s)[LDS]
    assert s_no.excluded == (AORTIC_ROOT,)


def test_patient_drops_implied_terms_and_contradicted_exclusions(engine: ConsultationEngine) -> None:
    o = engine.kb.ontology
    s = engine.start(observed=[SLENDER_FINGER, ARACHNODACTYLY, TALL], excluded=[LIMBS, ECTOPIA_LENTIS], sex="FEMALE", age_years=14.0)
    p = engine.patient(s)
    # slender finger is implied by arachnodactyly; "no limb abnormality" is contradicted by it
    assert p.observed == tuple(sorted((o.index(ARACHNODACTYLY), o.index(TALL))))
    assert p.excluded == (o.index(ECTOPIA_LENTIS),)
    assert (p.sex, p.age_years) == ("FEMALE", 14.0)


# --- examinations ---------------------------------------------------------------------------

def test_normal_examination_excludes_its_roots(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL])
    s1 = engine.record_examination(s, "marfan_clinic", normal=True)
    assert s1.answers[-2:] == (
        Answer(ECTOPIA_LENTIS, "no", "examination", 1, "marfan_clinic"),
        Answer(ARACHNODACTYLY, "no", "examination", 1, "marfan_clinic"),
    )
    assert s1.examinations == (ExaminationResult("marfan_clinic", (), True, 1),)
    assert (s1.history[-1].action, s1.history[-1].exam_id, s1.history[-1].answer) == ("examination", "marfan_clinic", "normal")
    assert set(s1.excluded) == {ECTOPIA_LENTIS, ARACHNODACTYLY}
    assert asked(engine, s1) == {DISPROPORTIONATE_TALL, AORTIC_ROOT}
    # a normal echocardiogram next
    s2 = engine.record_examination(s1, "echocardiography", normal=True)
    assert s2.answers[-1] == Answer(AORTIC_ROOT, "no", "examination", 2, "echocardiography")
    assert asked(engine, s2) == {DISPROPORTIONATE_TALL}


def test_examination_findings_are_observed_under_their_primary_id(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL])
    s1 = engine.record_examination(s, "echocardiography", findings=[OBSOLETE_AORTA], normal=True)
    # a finding makes the result abnormal whatever "normal" says
    assert s1.examinations == (ExaminationResult("echocardiography", (AORTIC_ROOT,), False, 1),)
    assert s1.answers[-1] == Answer(AORTIC_ROOT, "yes", "examination", 1, "echocardiography")
    assert s1.history[-1].answer == AORTIC_ROOT
    assert AORTIC_ROOT in s1.observed
    assert not s1.excluded


def test_done_examinations_are_not_recommended_again(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL, ARACHNODACTYLY])
    recs = build_chain(engine, s).examinations
    assert [r.exam_id for r in recs] == ["echocardiography", "marfan_clinic", "genetic_testing"]
    assert recs[0].gain > recs[1].gain > 0
    assert {"FBN1", "TGFB2", "TGFBR1"} <= set(recs[-1].genes)
    s1 = engine.record_examination(s, "echocardiography", normal=True)
    assert [r.exam_id for r in build_chain(engine, s1).examinations] == ["marfan_clinic", "genetic_testing"]


def test_examination_gain_is_that_of_its_abnormal_or_normal_result(engine: ConsultationEngine) -> None:
    """P(abnormal | d) = 0.02 + 0.9 f_d over the echo's one root; the gain is the mutual
    information of that yes/no result, written out here with loops."""
    s = engine.start(observed=[TALL, ARACHNODACTYLY])
    lead = engine.leading_candidates(s)
    col = engine.kb.ontology.index(AORTIC_ROOT)
    p = [0.02 + 0.9 * float(engine.any_of[r, col]) for r in lead.rows.tolist()]
    prior = lead.prior.tolist()
    gain = 0.0
    for outcome in (p, [1 - x for x in p]):
        pa = sum(w * x for w, x in zip(prior, outcome, strict=True))
        gain += sum(w * x * math.log2(x / pa) for w, x in zip(prior, outcome, strict=True))
    echo = next(r for r in build_chain(engine, s).examinations if r.exam_id == "echocardiography")
    assert echo.gain == pytest.approx(gain, rel=1e-9)
    assert echo.p_abnormal == pytest.approx(sum(w * x for w, x in zip(prior, p, strict=True)), rel=1e-9)
    assert [e.concept_id for e in echo.expects_abnormal] == [MARFAN, LDS1]
    assert echo.findings == (AORTIC_ROOT,)
    assert LDS in [e.concept_id for e in echo.expects_normal]


def test_examination_of_an_excluded_subtree_is_not_recommended(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL, ARACHNODACTYLY], excluded=[CARDIO])
    assert AORTIC_ROOT not in {q.term_id for q in engine.next_questions(s, n=5)}  # questions know it
    gains = {r.exam_id: r.gain for r in build_chain(engine, s).examinations}
    assert gains.get("echocardiography", 0.0) < 1e-6


def test_unknown_examination_id_is_refused(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL])
    with pytest.raises(KeyError, match="brain_mri.*valid ids: echocardiography, marfan_clinic, genetic_testing"):
        engine.record_examination(s, "brain_mri", normal=True)


def test_packaged_tables_are_refused_on_the_mini_ontology(kb: KnowledgeBase) -> None:
    """The packaged tables name terms the 27-term fixture HPO lacks: refused, not half-loaded."""
    with pytest.raises(ConsultTableError, match=r"examinations\.tsv:\d+: HP:\d{7} is not in HPO release 2025-01-16"):
        load_consult_tables(kb.ontology)


# --- ids ------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [MISSING, OBSOLETE_NO_REPLACEMENT])
def test_unusable_id_is_refused_by_name(engine: ConsultationEngine, bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        engine.start(observed=[TALL, bad])
    with pytest.raises(ValueError, match=bad):
        engine.start(excluded=[bad])
    s = engine.start(observed=[TALL])
    with pytest.raises(ValueError, match=bad):
        engine.answer(s, bad, "yes")
    with pytest.raises(ValueError, match=bad):
        engine.record_examination(s, "echocardiography", findings=[bad])


def test_invalid_answer_value_is_refused(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL])
    with pytest.raises(ValueError, match=r"'maybe'; use one of yes, no, unknown"):
        engine.answer(s, AORTIC_ROOT, "maybe")


def test_obsolete_id_in_an_answer_is_recorded_under_its_replacement(engine: ConsultationEngine) -> None:
    s = engine.answer(engine.start(observed=[TALL]), OBSOLETE_AORTA, "yes")
    assert s.answers[-1] == Answer(AORTIC_ROOT, "yes", "question", 1)
    assert s.history[-1].term == AORTIC_ROOT
    assert s.observed == (TALL, AORTIC_ROOT)


def test_alt_id_at_start_is_noted(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[ALT_ARACHNODACTYLY])
    assert len(s.notes) == 1
    assert ALT_ARACHNODACTYLY in s.notes[0]
    assert ARACHNODACTYLY in s.notes[0]
    assert engine.patient(s).observed == (engine.kb.ontology.index(ARACHNODACTYLY),)
    assert engine.patient(s).issues[0].message == s.notes[0]


def test_alt_id_at_start_is_recorded_under_the_primary_id(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[ALT_ARACHNODACTYLY])
    assert s.answers[0].term == ARACHNODACTYLY


def test_later_answer_overrides_a_start_answer_given_under_an_alt_id(engine: ConsultationEngine) -> None:
    s = engine.answer(engine.start(observed=[TALL, ALT_ARACHNODACTYLY]), ARACHNODACTYLY, "no")
    o = engine.kb.ontology
    assert o.index(ARACHNODACTYLY) not in engine.patient(s).observed


def test_obsolete_id_in_an_answer_is_noted(engine: ConsultationEngine) -> None:
    s = engine.answer(engine.start(observed=[TALL]), OBSOLETE_AORTA, "yes")
    assert any(OBSOLETE_AORTA in n for n in s.notes)


# --- the reasoning chain --------------------------------------------------------------------

@pytest.fixture(scope="module")
def chain(engine: ConsultationEngine) -> ReasoningChain:
    s = engine.start(observed=[TALL, ARACHNODACTYLY], excluded=[ECTOPIA_LENTIS])
    return build_chain(engine, s)


def orphanet_terms(disease_id: str) -> set[str]:
    text = (ORPHA_DIR / f"ORPHApacket_{disease_id.removeprefix('ORPHA:')}.json").read_text(encoding="utf-8")
    data = json.dumps(json.loads(text))
    return {t for t in (TALL, DISPROPORTIONATE_TALL, ARACHNODACTYLY, ECTOPIA_LENTIS, AORTIC_ROOT) if t in data}


def test_chain_claims_point_to_the_annotation_records(
    chain: ReasoningChain, hpoa_line: Callable[..., int], hpoa_rows: list[list[str]], kb: KnowledgeBase
) -> None:
    assert [c.concept_id for c in chain.differential[:3]] == [MARFAN, LDS, LDS1]
    n_checked = 0
    for cand in chain.differential:
        assert cand.refs
        assert {r.kind for r in cand.refs} == {"disease"}
        for claim in cand.supporting + cand.against:
            assert len(claim.refs) >= 1, (cand.concept_id, claim)
        for claim in cand.supporting:
            assert claim.contribution > 0
            assert claim.match in ("exact", "patient more specific", "patient less specific")
            for ref in claim.refs:
                assert ref.kind == "annotation"
                assert ref.disease_id in cand.ids
                # the matched term's record, or the annotated descendant whose frequency is stated
                o = kb.ontology
                assert o.is_descendant_of(o.index(ref.term_id), o.index(claim.disease_term_id))
                if ref.source == "hpo.annotations":
                    line = hpoa_line(ref.disease_id, ref.term_id)
                    assert ref.line == line
                    (row,) = [r for r in hpoa_rows if r[0] == ref.disease_id and r[3] == ref.term_id]
                    assert (ref.frequency_raw, ref.reference, ref.release) == (row[7], row[4], "2025-01-16")
                    n_checked += 1
                else:
                    assert ref.source == "orphanet.orphapackets"
                    assert ref.term_id in orphanet_terms(ref.disease_id)
            assert any(r.source == "hpo.annotations" for r in claim.refs)
    assert n_checked >= 6


def test_chain_against_claims(chain: ReasoningChain, hpoa_line: Callable[..., int]) -> None:
    by_id = {c.concept_id: c for c in chain.differential}
    marfan_against = {c.term_id: c for c in by_id[MARFAN].against}
    # the excluded lens finding counts against Marfan, with Marfan's own lens record
    lens = marfan_against[ECTOPIA_LENTIS]
    assert (lens.status, lens.match) == ("excluded", "excluded contradicts")
    assert ("OMIM:154700", hpoa_line("OMIM:154700", ECTOPIA_LENTIS)) in {(r.disease_id, r.line) for r in lens.refs}
    # long fingers and tall stature are unexplained for fructosuria: the reference is the
    # annotation release they were looked for in
    for claim in by_id["MONDO:0009252"].against:
        assert claim.match == "unexplained"
        assert [(r.kind, r.disease_id, r.term_id, r.release) for r in claim.refs] == [
            ("absence", "MONDO:0009252", claim.term_id, "2025-01-16")
        ]
    # LDS1 has disproportionate tall stature in 7/35 only: tall stature counts (a little) against it
    tall = {c.term_id: c for c in by_id[LDS1].against}[TALL]
    assert (tall.match, tall.disease_term_id) == ("patient less specific", DISPROPORTIONATE_TALL)
    assert tall.refs[0].line == hpoa_line("OMIM:609192", DISPROPORTIONATE_TALL)


def test_chain_claim_frequency_is_held_by_its_records(chain: ReasoningChain) -> None:
    marfan = next(c for c in chain.differential if c.concept_id == MARFAN)
    tall = next(c for c in marfan.supporting if c.term_id == TALL)
    assert any(r.frequency_raw == "38/53" for r in tall.refs) or tall.frequency == pytest.approx(0.5)


def test_chain_questions_what_if_and_findings(engine: ConsultationEngine, chain: ReasoningChain) -> None:
    assert [q.term_id for q in chain.next_questions] == [AORTIC_ROOT, DISPROPORTIONATE_TALL]
    assert [(w.term_id, w.answer) for w in chain.what_if] == [(AORTIC_ROOT, "yes"), (AORTIC_ROOT, "no")]
    yes, no = ({cid: p for cid, _, p in w.top} for w in chain.what_if)
    assert yes[LDS1] > no[LDS1]
    assert no[LDS] > yes.get(LDS, 0.0)
    assert all(len(w.top) == 3 for w in chain.what_if)
    assert {(f.term_id, f.value, f.source) for f in chain.findings} == {
        (TALL, "yes", "start"), (ARACHNODACTYLY, "yes", "start"), (ECTOPIA_LENTIS, "no", "start"),
    }
    assert chain.step == 1
    assert 0 < chain.entropy_bits <= math.log2(5)
    assert (chain.kb_version, chain.tables_version) == (engine.kb.version, "0.0.1-test")
    assert chain.red_flags == ()
    assert chain.specialties == ()


def test_chain_probabilities_agree_with_the_session_snapshot(engine: ConsultationEngine) -> None:
    s = engine.start(observed=[TALL, ARACHNODACTYLY])
    ch = build_chain(engine, s)
    assert [(c.concept_id, round(c.probability, 6)) for c in ch.differential] == [
        (c.concept_id, c.probability) for c in s.differential
    ]
    assert ch.differential[0].probability > ch.differential[1].probability


def test_chain_red_flags_and_specialties(engine: ConsultationEngine) -> None:
    ch = build_chain(engine, engine.start(observed=[AORTIC_ROOT]))
    assert [(h.term_id, h.flag_id, h.label, h.advice) for h in ch.red_flags] == [
        (AORTIC_ROOT, AORTIC_ROOT, "Aortic root aneurysm", "See a cardiologist this week.")
    ]
    assert [(h.name, h.mdt_clinic, h.because) for h in ch.specialties] == [("Cardiology", "Aortic MDT", (AORTIC_ROOT,))]
