"""The consultation engine: session in, next question, examinations and reasoning chain out.

Deterministic and offline: the ranking engine gives the differential, expected information gain
picks the question, the curated examination table names the tests, and every claim is built from
knowledge-base records (consult.trace). A language model, when configured, only rephrases what
this produces (llm.voice) and is checked by consult.guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from rarelens.consult.examinations import ExaminationAdvisor
from rarelens.consult.model import Expectation, KbRef, Question
from rarelens.consult.questions import (
    AnswerModel,
    askable_terms,
    block_at,
    build_any_of,
    dense_block,
    known_mask,
    mutual_information,
    question_order,
)
from rarelens.consult.state import (
    ANSWERS,
    Answer,
    CandidateSnapshot,
    Consultation,
    ExaminationResult,
    Step,
)
from rarelens.consult.tables import ConsultTables
from rarelens.consult.trace import annotation_refs
from rarelens.model.issue import Issue, IssueLevel
from rarelens.model.patient import Patient
from rarelens.phenotype.ranker import DEFAULT_METHOD, PhenotypeRanker
from rarelens.phenotype.scorers import best_annotated

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Ranking scores sum one log ratio per term and are over-confident as a posterior (terms are
# not independent); dividing by a temperature before the softmax keeps the runner-up candidates
# in play so questions still separate them. Chosen on cohort fold 0 (docs/benchmarks.md).
TEMPERATURE = 8.0
LEADING = 100  # candidates the questions are chosen over (fold 0: 100 beat 30; ~10 ms a step)
# How much an "unknown" answer counts in the differential as evidence against diseases with the
# finding (1.0 = the answer model at its word). On fold 0 any weight cost top-10 accuracy
# (1.0: gap closed 16 %, 0.5: 27 %, 0: 37 %; docs/benchmarks.md): unrecorded is not absent.
UNKNOWN_WEIGHT = 0.0


@dataclass(frozen=True, slots=True)
class Leading:
    """The top of the posterior the questions are chosen over."""

    rows: IntArray  # phenotype-index rows
    prior: FloatArray  # renormalised over these rows
    scores: FloatArray  # all rows


class ConsultationEngine:
    """Holds the ranker, the tables and per-knowledge-base matrices; every method is pure in the
    session it is given and returns a new one."""

    def __init__(
        self,
        ranker: PhenotypeRanker,
        tables: ConsultTables,
        *,
        method: str = DEFAULT_METHOD,
        leading: int = LEADING,
        answer_model: AnswerModel | None = None,
        snapshot_top: int = 10,
        temperature: float = TEMPERATURE,
        unknown_weight: float = UNKNOWN_WEIGHT,
    ) -> None:
        self.ranker = ranker
        self.kb = ranker.kb
        self.tables = tables
        self.method = method
        self.leading = leading
        self.answer_model = answer_model or AnswerModel()
        self.temperature = temperature
        self.snapshot_top = snapshot_top  # 0: no differential in the history (benchmarks)
        ix = ranker.index
        self.any_of = build_any_of(self.kb.ontology, ix.direct.tocsr())
        self.any_of_csc = self.any_of.tocsc()
        self.unknown_weight = unknown_weight
        self.negated = ix.negated.tocsr()
        self.askable = askable_terms(self.kb.ontology, ix.root, ix.direct, ix.implied)
        self.advisor = ExaminationAdvisor(self.kb, tables, ix, self.any_of)

    # --- session -> patient ---------------------------------------------------------------
    def start(
        self,
        *,
        observed: Iterable[str] = (),
        excluded: Iterable[str] = (),
        source: str = "start",
        sex: str | None = None,
        age_years: float | None = None,
        onset_years: float | None = None,
        session_id: str = "",
        mode: str = "clinician",
        language: str = "en",
    ) -> Consultation:
        s = Consultation(
            id=session_id, sex=sex, age_years=age_years, onset_years=onset_years, mode=mode,
            language=language, kb_version=self.kb.version, software_version=self.kb.software_version,
        )
        answers = []
        for value, terms in (("yes", observed), ("no", excluded)):
            for t in terms:
                s, curie = self._primary(s, t)
                answers.append(Answer(curie, value, source, 0))
        start = tuple(answers)
        return self._advance(s, start, Step(0, "start"))

    def _primary(self, session: Consultation, term: str) -> tuple[Consultation, str]:
        """The current primary id of ``term`` (alt and obsolete ids mapped, with a note), so
        that a later answer about the same finding replaces the earlier one."""
        res = self.kb.ontology.resolve(term)
        if res.index is None:
            msg = res.issue.message if res.issue else f"unknown HPO id {term}"
            fix = res.issue.fix if res.issue and res.issue.fix else "use an id of the knowledge base's HPO release"
            raise ValueError(f"{msg}. Fix: {fix}")
        if res.issue is not None:
            session = session.with_note(res.issue.message)
        return session, self.kb.ontology.ids[res.index]

    def resolved(self, session: Consultation) -> tuple[list[int], list[int], list[int]]:
        """(observed, excluded, unknown) as ontology indices. Observed keeps only the most
        specific terms (an ancestor adds nothing the descendant does not imply); an exclusion
        contradicted by an observed descendant is dropped (the finding was seen)."""
        o = self.kb.ontology
        idx: dict[str, list[int]] = {"yes": [], "no": [], "unknown": []}
        for a in session.latest().values():
            res = o.resolve(a.term)
            if res.index is not None:
                idx[a.value].append(res.index)
        yes = sorted(set(idx["yes"]))
        implied: set[int] = set()
        for t in yes:
            implied.update(int(x) for x in o.ancestors(t) if int(x) != t)
        observed = [t for t in yes if t not in implied]
        excluded = [t for t in sorted(set(idx["no"])) if t not in implied and t not in yes]
        return observed, excluded, sorted(set(idx["unknown"]))

    def patient(self, session: Consultation) -> Patient:
        observed, excluded, _ = self.resolved(session)
        return Patient(
            observed=tuple(observed), excluded=tuple(excluded), sex=session.sex, age_years=session.age_years,
            onset_years=session.onset_years, id=session.id,
            issues=tuple(Issue(IssueLevel.WARNING, "consult", n) for n in session.notes),
        )

    def scores(self, session: Consultation) -> FloatArray:
        """The ranking's scores plus, weighted by ``unknown_weight``, the evidence of the
        "unknown" answers under the answer model: log P(unknown | disease) − log P(unknown |
        a disease without the finding). A hallmark finding that nobody could confirm makes its
        disease somewhat less likely; a finding the disease rarely shows changes nothing."""
        scores = self.ranker.scores(self.patient(session), self.method)
        if not self.unknown_weight:
            return scores
        _, _, unknown = self.resolved(session)
        m = self.answer_model
        base = float(np.log(m.outcome_probabilities(np.zeros(1), np.zeros(1))[2][0]))
        for u in unknown:
            start, end = self.any_of_csc.indptr[u], self.any_of_csc.indptr[u + 1]
            rows, f = self.any_of_csc.indices[start:end], self.any_of_csc.data[start:end]
            p_unknown = m.outcome_probabilities(f, np.zeros_like(f))[2]
            scores[rows] += self.unknown_weight * (np.log(np.maximum(p_unknown, 1e-9)) - base)
        return scores

    def leading_candidates(self, session: Consultation) -> Leading:
        """The top of the differential and the posterior questions are chosen over. Beyond the
        ranking's evidence, this posterior weighs the "unknown" answers by the answer model: a
        hallmark finding nobody could confirm makes its disease a little less likely to be the
        one at hand, so the questions move on to other candidates instead of probing the same
        one again. (Counting unknowns in the ranking itself cost top-10 accuracy on fold 0,
        docs/benchmarks.md, so the differential stays the ranking engine's.)"""
        scores = self.scores(session)
        k = min(self.leading, len(scores))
        rows = np.argpartition(-scores, k - 1)[:k]
        rows = rows[np.argsort(-scores[rows], kind="stable")].astype(np.int64)
        log_w = (scores[rows] - scores[rows].max()) / self.temperature
        _, _, unknown = self.resolved(session)
        if unknown:
            cols = np.asarray(sorted(unknown), dtype=np.int64)
            p_unknown = self.answer_model.outcome_probabilities(
                block_at(self.any_of, rows, cols), block_at(self.negated, rows, cols))[2]
            log_w += np.log(np.maximum(p_unknown, 1e-9)).sum(axis=1)
        w = np.exp(log_w - log_w.max())
        return Leading(rows, w / w.sum(), scores)

    def posterior(self, scores: FloatArray) -> FloatArray:
        """The probability reported for each concept: the ranking engine's calibrated one (the
        question posterior is flatter on purpose, to keep runners-up in play)."""
        return self.ranker.probabilities(scores)

    # --- questions ------------------------------------------------------------------------
    def question_gains(self, session: Consultation, lead: Leading | None = None) -> tuple[IntArray, FloatArray, FloatArray, Leading]:
        """(askable terms, their gains in bits, P(yes) under the posterior, the leading set)."""
        lead = lead or self.leading_candidates(session)
        observed, excluded, unknown = self.resolved(session)
        cols, f = dense_block(self.any_of, lead.rows)
        known = known_mask(self.kb.ontology, cols, observed=observed, excluded=excluded, unknown=unknown)
        keep = self.askable[cols] & ~known & ~self._echoes_unknown(cols, f, unknown)
        cols, f = cols[keep], f[:, keep]
        neg = block_at(self.negated, lead.rows, cols)
        outcomes = self.answer_model.outcome_probabilities(f, neg)
        gains = mutual_information(lead.prior, outcomes)
        return cols, gains, lead.prior @ outcomes[0], lead

    def _echoes_unknown(self, cols: IntArray, f: FloatArray, unknown: list[int]) -> npt.NDArray[np.bool_]:
        """Ancestors of an "unknown" term that the leading candidates expect exactly as often:
        asking "Fatigue" after "Chronic fatigue?" was unanswerable repeats the question."""
        out = np.zeros(len(cols), dtype=bool)
        o = self.kb.ontology
        for u in unknown:
            pos = int(np.searchsorted(cols, u))
            if pos >= len(cols) or int(cols[pos]) != u:
                continue
            anc = np.asarray(o.ancestors(u), dtype=np.int64)
            at = np.searchsorted(cols, anc)
            at = at[(at < len(cols)) & (cols[np.minimum(at, len(cols) - 1)] == anc)]
            same = np.abs(f[:, at] - f[:, [pos]]).max(axis=0) < 1e-6
            out[at[same]] = True
        return out

    def next_questions(self, session: Consultation, n: int = 3, *, explain: bool = True) -> tuple[Question, ...]:
        cols, gains, p_yes, lead = self.question_gains(session)
        if not len(cols):
            return ()
        order = question_order(cols, gains, self.kb.ontology.ic)[:n]
        return tuple(self.question(int(cols[i]), float(gains[i]), float(p_yes[i]), lead, explain) for i in order)

    def question(self, term: int, gain: float, p_yes: float, lead: Leading, explain: bool = True) -> Question:
        o = self.kb.ontology
        favours: tuple[Expectation, ...] = ()
        against: tuple[Expectation, ...] = ()
        if explain:
            f = block_at(self.any_of, lead.rows, np.asarray([term], dtype=np.int64))[:, 0]
            weight = lead.prior * f
            fav = [i for i in np.argsort(-weight, kind="stable")[:3].tolist() if f[i] > 0]
            agn = [i for i in range(len(lead.rows)) if f[i] < 0.05][:3]
            favours = tuple(self._expectation(lead, i, term, float(f[i])) for i in fav)
            against = tuple(self._expectation(lead, i, term, float(f[i])) for i in agn)
        return Question(o.ids[term], o.labels[term], o.label_zh(term), o.layperson(term), gain, p_yes, favours, against)

    def _expectation(self, lead: Leading, i: int, term: int, f: float) -> Expectation:
        concept = int(self.ranker.index.concepts[int(lead.rows[i])])
        refs: tuple[KbRef, ...] = ()
        if f > 0:
            refs = annotation_refs(self.kb, concept, best_annotated(self.ranker.index, int(lead.rows[i]), term, self.kb.ontology))
        return Expectation(self.kb.concepts.id[concept], self.kb.concepts.label[concept], float(lead.prior[i]), f, refs)

    # --- moves ----------------------------------------------------------------------------
    def answer(
        self, session: Consultation, term: str, value: str, *, source: str = "question",
        gain: float | None = None, note: str = "",
    ) -> Consultation:
        """Record an answer and re-rank; a "yes" to an obsolete or alt id is recorded under the
        current primary id."""
        if value not in ANSWERS:
            raise ValueError(f"answer for {term} is {value!r}; use one of {', '.join(ANSWERS)}")
        session, curie = self._primary(session, term)
        i = session.step_index
        ans = (Answer(curie, value, source, i, note),)
        step = Step(i, "question" if source == "question" else "answer", term=curie, answer=value, gain=gain)
        return self._advance(session, ans, step)

    def record_examination(
        self, session: Consultation, exam_id: str, *, findings: Iterable[str] = (), normal: bool = False
    ) -> Consultation:
        """Findings become observed terms; a normal result excludes the examination's subtrees
        (a normal echocardiogram is evidence against the cardiomyopathies)."""
        exam = self.tables.examination(exam_id)
        i = session.step_index
        found = []
        for t in findings:
            session, curie = self._primary(session, t)
            found.append(curie)
        answers = tuple(Answer(t, "yes", "examination", i, exam_id) for t in found)
        if normal and not found:
            answers += tuple(Answer(t, "no", "examination", i, exam_id) for t in exam.root_ids)
        result = ExaminationResult(exam_id, tuple(found), normal and not found, i)
        step = Step(i, "examination", exam_id=exam_id, answer="normal" if result.normal else ",".join(found))
        return self._advance(replace(session, examinations=session.examinations + (result,)), answers, step)

    def _advance(self, session: Consultation, answers: tuple[Answer, ...], step: Step) -> Consultation:
        """Record the answers and the step, with the differential they leave behind."""
        moved = session.with_answers(answers, step)
        if not self.snapshot_top:
            return moved
        scores = self.scores(moved)
        p = self.posterior(scores)
        top = np.argsort(-scores, kind="stable")[: self.snapshot_top]
        kb, concepts = self.kb, self.ranker.index.concepts
        snap = tuple(
            CandidateSnapshot(i + 1, kb.concepts.id[int(concepts[r])], kb.concepts.label[int(concepts[r])], round(float(p[r]), 6))
            for i, r in enumerate(top.tolist())
        )
        return replace(moved, history=session.history + (replace(step, top=snap),))
