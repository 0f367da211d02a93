"""Rank every disease concept for a patient and explain the top of the list.

The default method is the ensemble with parameters chosen on one half of the development
cohorts and checked on the other half (docs/benchmarks.md); every result is stamped with the
knowledge-base release and software version that made it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.model.patient import Patient
from rarelens.phenotype.demographics import build_demographic_profiles
from rarelens.phenotype.index import PhenotypeIndex, build_phenotype_index
from rarelens.phenotype.prior import build_log_prior
from rarelens.phenotype.scorers import (
    ContextEvidence,
    EnsembleScorer,
    LikelihoodRatioScorer,
    ResnikScorer,
    Scorer,
    TermEvidence,
    best_annotated,
    build_dense_columns,
)

METHODS = ("ensemble", "likelihood-ratio", "similarity")
DEFAULT_METHOD = "ensemble"
PRIOR_WEIGHT = 0.5  # chosen on cohort fold 0 (docs/benchmarks.md)
# Scores add one log ratio per term as if terms were independent, so a plain softmax is
# over-confident (mean top probability 0.66 against 43 % top-1 accuracy on fold 0 cases of
# 2–11 terms). Dividing by 2.5 minimised the log loss of the gold disease there (3.5 vs 5.3 nats).
PROBABILITY_TEMPERATURE = 2.5


@dataclass(frozen=True, slots=True)
class RankedDiagnosis:
    rank: int
    concept_id: str
    label: str
    label_zh: str | None
    ids: tuple[str, ...]
    in_catalog: bool
    genes: tuple[str, ...]
    inheritance: tuple[str, ...]
    score: float
    probability: float
    evidence: tuple[TermEvidence, ...]
    context: tuple[ContextEvidence, ...] = ()  # onset and sex


@dataclass(frozen=True, slots=True)
class Ranking:
    method: str
    kb_version: str
    software_version: str
    patient: Patient
    diagnoses: tuple[RankedDiagnosis, ...]
    n_ranked: int


class PhenotypeRanker:
    """Holds the index and scorers for one knowledge base; `rank` is pure per call."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        index: PhenotypeIndex | None = None,
        region: str | None = None,
        prior_weight: float = PRIOR_WEIGHT,
    ) -> None:
        self.kb = kb
        self.index = index or build_phenotype_index(kb)
        self.region = region
        self.log_prior = build_log_prior(kb, self.index.concepts, region=region)
        dense = build_dense_columns(self.index)
        lr = LikelihoodRatioScorer(
            kb.ontology, self.index, excluded_noise=0.9, decay=0.1,
            log_prior=self.log_prior, prior_weight=prior_weight,
            demographics=build_demographic_profiles(kb, self.index.concepts), dense=dense,
        )
        sim = ResnikScorer(kb.ontology, self.index, dense=dense)
        self.scorers: dict[str, Scorer] = {
            "likelihood-ratio": lr,
            "similarity": sim,
            "ensemble": EnsembleScorer(lr, sim, weight=0.5),
        }
        self._catalog = set(kb.catalog_links.disease[kb.catalog_links.disease >= 0].tolist())

    def scores(self, patient: Patient, method: str = DEFAULT_METHOD) -> npt.NDArray[np.float64]:
        if method not in self.scorers:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        return self.scorers[method].score(patient)

    def probabilities(self, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Posterior-like probability per concept: a tempered softmax of the log-scale scores."""
        z = np.exp((scores - scores.max()) / PROBABILITY_TEMPERATURE)
        return np.asarray(z / z.sum(), dtype=np.float64)

    def rank(
        self, patient: Patient, *, method: str = DEFAULT_METHOD, top: int = 10,
        scores: npt.NDArray[np.float64] | None = None,
    ) -> Ranking:
        """The top diagnoses with evidence; ``scores`` when the caller already has this
        patient's scores under ``method`` (the consultation engine does), saving a pass."""
        s = self.scores(patient, method) if scores is None else scores
        order = np.argsort(-s, kind="stable")[:top]
        prob = self.probabilities(s)
        lr = self.scorers["likelihood-ratio"]
        assert isinstance(lr, LikelihoodRatioScorer)
        return Ranking(
            method=method,
            kb_version=self.kb.version,
            software_version=self.kb.software_version,
            patient=patient,
            diagnoses=tuple(
                self._diagnosis(int(row), i + 1, float(s[row]), float(prob[row]), lr.evidence(patient, int(row)),
                                lr.context_evidence(patient, int(row)))
                for i, row in enumerate(order)
            ),
            n_ranked=len(s),
        )

    def _diagnosis(
        self, row: int, rank: int, score: float, p: float, ev: list[TermEvidence], ctx: list[ContextEvidence]
    ) -> RankedDiagnosis:
        kb = self.kb
        concept = int(self.index.concepts[row])
        members = kb.concept_members(concept)
        ids = tuple(kb.concept_ids.id[int(r)] for r in kb.concept_id_rows(concept))
        inheritance: dict[str, None] = {}
        label_zh = None
        for m in members.tolist():
            for r in kb.fact_rows(m).tolist():
                if kb.facts.kind[r] == "inheritance":
                    inheritance[kb.facts.value[r]] = None
            label_zh = label_zh or kb.chinese_name(m)
        ev = [self._sourced(concept, row, e) for e in ev]
        return RankedDiagnosis(
            rank=rank,
            concept_id=kb.concepts.id[concept],
            label=kb.concepts.label[concept],
            label_zh=label_zh,
            ids=ids,
            in_catalog=bool(self._catalog.intersection(members.tolist())),
            genes=kb.concept_genes(concept),
            inheritance=tuple(inheritance),
            score=score,
            probability=p,
            evidence=tuple(ev),
            context=tuple(ctx),
        )

    def _sourced(self, concept: int, row: int, e: TermEvidence) -> TermEvidence:
        """The evidence with the annotation records it rests on: the matched record, or for a
        contradicted NOT the most specific negated record at or above the patient's term."""
        kb = self.kb
        if e.match == "contradicts NOT":
            o = kb.ontology
            for a in sorted(o.ancestors(e.patient_term).tolist(), key=lambda x: -float(o.ic[x])):
                found = kb.annotation_sources(concept, int(a), negated=True, limit=None)
                if found:
                    return replace(e, disease_term=int(a), sources=found)
            return e
        if e.disease_term < 0:
            return e
        found = kb.annotation_sources(concept, e.disease_term, limit=None)  # all: the frequency pools them
        if e.match == "exact":
            # an exact match's frequency can come from a more frequent annotated descendant
            # (true-path rule): cite that record first
            best = best_annotated(self.index, row, e.disease_term, kb.ontology, patient_term=e.patient_term)
            if best != e.disease_term:
                found = kb.annotation_sources(concept, best, limit=None) + found
        return replace(e, sources=found)

    def row_of_concept(self, concept: int) -> int | None:
        pos = int(np.searchsorted(self.index.concepts, concept))
        if pos < len(self.index.concepts) and int(self.index.concepts[pos]) == concept:
            return pos
        return None
