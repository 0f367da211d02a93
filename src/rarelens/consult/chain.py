"""Build the reasoning chain of one step: symptoms → examinations → differential, every claim
with its records, and what the next answer would change."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from rarelens.consult.engine import ConsultationEngine
from rarelens.consult.model import (
    ChainCandidate,
    Claim,
    Finding,
    ReasoningChain,
    RedFlagHit,
    SpecialtyHint,
    WhatIf,
)
from rarelens.consult.questions import entropy_bits, question_order
from rarelens.consult.state import Answer, Consultation, Step
from rarelens.consult.trace import absence_ref, disease_refs, kb_ref
from rarelens.phenotype.ranker import RankedDiagnosis
from rarelens.phenotype.scorers import TermEvidence


def build_chain(
    engine: ConsultationEngine, session: Consultation, *, top: int = 5, questions: int = 3, exams: int = 5
) -> ReasoningChain:
    kb = engine.kb
    observed, excluded, _ = engine.resolved(session)
    cols, gains, p_yes, lead = engine.question_gains(session)
    order = question_order(cols, gains, kb.ontology.ic)[:questions]
    qs = tuple(engine.question(int(cols[i]), float(gains[i]), float(p_yes[i]), lead) for i in order)
    recs = engine.advisor.recommend(
        lead.rows, lead.prior, observed=observed, excluded=excluded, done=[e.exam_id for e in session.examinations],
        question_terms=cols, question_gains=gains, n=exams,
    )
    ranking = engine.ranker.rank(engine.patient(session), method=engine.method, top=top, scores=lead.scores)
    posterior = engine.posterior(lead.scores)
    return ReasoningChain(
        step=session.step_index,
        findings=tuple(_finding(engine, a) for a in session.latest().values()),
        examinations_done=tuple(
            (e.exam_id, "normal" if e.normal else ",".join(e.findings)) for e in session.examinations
        ),
        examinations=recs,
        differential=tuple(_candidate(engine, d, posterior) for d in ranking.diagnoses),
        next_questions=qs,
        what_if=_what_if(engine, session, qs[0].term_id) if qs else (),
        red_flags=_red_flags(engine, observed),
        specialties=_specialties(engine, observed),
        entropy_bits=round(entropy_bits(lead.prior), 4),
        kb_version=kb.version,
        software_version=kb.software_version,
        tables_version=engine.tables.version,
    )


def _finding(engine: ConsultationEngine, a: Answer) -> Finding:
    o = engine.kb.ontology
    res = o.resolve(a.term)
    i = res.index
    if i is None:
        return Finding(a.term, "(unknown to this HPO release)", None, None, a.value, a.source, a.step)
    return Finding(o.ids[i], o.labels[i], o.label_zh(i), o.layperson(i), a.value, a.source, a.step)


def _candidate(engine: ConsultationEngine, d: RankedDiagnosis, posterior: npt.NDArray[np.float64]) -> ChainCandidate:
    kb = engine.kb
    concept = kb.find_concept(d.concept_id)
    assert concept is not None
    row = engine.ranker.row_of_concept(concept)
    claims = [_claim(engine, concept, e) for e in d.evidence]
    supporting = tuple(sorted((c for c in claims if c.contribution > 0), key=lambda c: -c.contribution))
    against = tuple(sorted((c for c in claims if c.contribution < 0), key=lambda c: c.contribution))
    return ChainCandidate(
        d.rank, d.concept_id, d.label, d.label_zh, d.ids, float(posterior[row]) if row is not None else 0.0, d.genes, d.inheritance, d.in_catalog,
        supporting, against, disease_refs(kb, concept),
    )


def _claim(engine: ConsultationEngine, concept: int, e: TermEvidence) -> Claim:
    kb, o = engine.kb, engine.kb.ontology
    t, dterm = e.patient_term, e.disease_term
    # the ranker attached the records the evidence rests on (the record whose frequency the
    # scorer used, or the NOT annotation contradicted)
    refs = tuple(kb_ref(x) for x in e.sources) or (absence_ref(kb, concept, t),)
    freq = None if e.frequency != e.frequency else round(float(e.frequency), 4)
    return Claim(
        o.ids[t], o.labels[t], "excluded" if e.excluded else "observed",
        o.ids[dterm] if dterm >= 0 else "", o.labels[dterm] if dterm >= 0 else "",
        e.match, round(float(e.contribution), 4), freq, refs,
        o.ids[e.via] if e.via >= 0 else "", o.labels[e.via] if e.via >= 0 else "",
    )


def _what_if(engine: ConsultationEngine, session: Consultation, term: str) -> tuple[WhatIf, ...]:
    out = []
    kb = engine.kb
    for value in ("yes", "no"):
        hyp = session.with_answers((Answer(term, value, "what-if", session.step_index),), Step(session.step_index, "what-if"))
        lead = engine.leading_candidates(hyp)
        top = tuple(
            (kb.concepts.id[int(engine.ranker.index.concepts[int(r)])],
             kb.concepts.label[int(engine.ranker.index.concepts[int(r)])], round(float(p), 4))
            for r, p in zip(lead.rows[:3].tolist(), lead.prior[:3].tolist(), strict=True)
        )
        out.append(WhatIf(term, value, top))
    return tuple(out)


def _red_flags(engine: ConsultationEngine, observed: list[int]) -> tuple[RedFlagHit, ...]:
    o = engine.kb.ontology
    hits = []
    for flag in engine.tables.red_flags:
        for t in observed:
            if o.is_descendant_of(t, flag.term):
                hits.append(RedFlagHit(o.ids[t], flag.term_id, o.labels[flag.term], flag.advice, flag.advice_zh))
                break
    return tuple(hits)


def _specialties(engine: ConsultationEngine, observed: list[int]) -> tuple[SpecialtyHint, ...]:
    """Each finding goes to the most specific specialty whose subtree holds it."""
    o = engine.kb.ontology
    by_name: dict[str, SpecialtyHint] = {}
    for t in observed:
        fits = [s for s in engine.tables.specialties if o.is_descendant_of(t, s.root)]
        if not fits:
            continue
        s = max(fits, key=lambda x: float(o.ic[x.root]))
        hint = by_name.get(s.name) or SpecialtyHint(s.name, s.name_zh, s.mdt_clinic, s.mdt_clinic_zh, ())
        by_name[s.name] = replace(hint, because=hint.because + (o.ids[t],))
    return tuple(sorted(by_name.values(), key=lambda h: (-len(h.because), h.name)))
