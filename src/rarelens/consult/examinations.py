"""Which examinations would best separate the leading candidates, and why.

Each examination in the curated table reveals the findings of a few HPO subtrees. Its expected
information gain is that of its result — abnormal (some finding under its subtrees) or normal —
with P(abnormal | disease) = 0.02 + 0.9 · f, f the disease's highest chance of a finding in any
one subtree (noisy-or over its annotated findings, consult.questions.build_any_of); examinations
look for what they reveal, hence the high sensitivity. Excluded subtrees are left out. When the patient
already has a finding under an examination's subtrees its abnormal/normal result is known, and
its value is the best question it would answer inside them. Genetic testing is always offered
last with a gene list drawn from the candidates, and its gain is the entropy of the candidates'
genes: sequencing tells the genes apart, not diseases of one gene.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from rarelens.consult.model import ExamRecommendation, Expectation
from rarelens.consult.questions import block_at, entropy_bits, mutual_information
from rarelens.consult.tables import ConsultTables, Examination
from rarelens.consult.trace import annotation_refs
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.phenotype.index import PhenotypeIndex
from rarelens.phenotype.scorers import best_annotated

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EXAM_SENSITIVITY = 0.9
EXAM_FALSE_POSITIVE = 0.02
GENETIC = "genetic"


class ExaminationAdvisor:
    def __init__(self, kb: KnowledgeBase, tables: ConsultTables, index: PhenotypeIndex, any_of: sp.csr_matrix) -> None:
        self.kb, self.tables, self.index, self.any_of = kb, tables, index, any_of
        n = len(kb.ontology)
        self.exams = [e for e in tables.examinations if e.roots and e.kind != GENETIC]
        self.genetic = next((e for e in tables.examinations if e.kind == GENETIC), None)
        self.under: dict[str, npt.NDArray[np.bool_]] = {}
        for e in self.exams:
            mask = np.zeros(n, dtype=bool)
            for r in e.roots:
                mask[kb.ontology.descendants(r)] = True
            self.under[e.id] = mask

    def recommend(
        self,
        rows: IntArray,
        prior: FloatArray,
        *,
        observed: Sequence[int],
        excluded: Sequence[int] = (),
        done: Sequence[str],
        question_terms: IntArray,
        question_gains: FloatArray,
        n: int = 5,
    ) -> tuple[ExamRecommendation, ...]:
        recs = []
        for e in self.exams:
            if e.id in done:
                continue
            # Roots already excluded (a finding ruled out covers its subtree) reveal nothing new.
            live = [r for r in e.roots if not any(self.kb.ontology.is_descendant_of(r, x) for x in excluded)]
            if not live:
                continue
            roots = np.asarray(sorted(live), dtype=np.int64)
            block = block_at(self.any_of, rows, roots)  # candidates × roots
            f = block.max(axis=1)
            if any(self.under[e.id][t] for t in observed):
                inside = self.under[e.id][question_terms]
                gain = float(question_gains[inside].max()) if inside.any() else 0.0
            else:
                p = EXAM_FALSE_POSITIVE + EXAM_SENSITIVITY * f
                gain = float(mutual_information(prior, (p[:, None], 1.0 - p[:, None]))[0])
            if gain <= 1e-6:
                continue
            recs.append(self._recommendation(e, rows, prior, block, roots, gain))
        recs.sort(key=lambda r: (-r.gain, r.exam_id))
        out = recs[:n]
        if self.genetic is not None and self.genetic.id not in done:
            out.append(self._genetic(self.genetic, rows, prior))
        return tuple(out)

    def _recommendation(
        self, e: Examination, rows: IntArray, prior: FloatArray, block: FloatArray, roots: IntArray, gain: float
    ) -> ExamRecommendation:
        kb = self.kb
        f = block.max(axis=1)
        abnormal = [i for i in np.argsort(-(prior * f), kind="stable").tolist() if f[i] >= 0.2][:3]
        normal = [i for i in range(len(rows)) if f[i] < 0.05][:3]
        findings: dict[str, None] = {}
        expects = []
        for i in abnormal:
            row = int(rows[i])
            concept = int(self.index.concepts[row])
            root = int(roots[int(np.argmax(block[i]))])
            term = best_annotated(self.index, row, root, kb.ontology)
            findings[kb.ontology.ids[term]] = None
            expects.append(Expectation(kb.concepts.id[concept], kb.concepts.label[concept], float(prior[i]),
                                       float(f[i]), annotation_refs(kb, concept, term)))
        not_expected = tuple(self._plain(rows, prior, i, float(f[i])) for i in normal)
        p_abn = float(prior @ (EXAM_FALSE_POSITIVE + EXAM_SENSITIVITY * f))
        return ExamRecommendation(e.id, e.name, e.name_zh, e.kind, gain, p_abn, tuple(expects), not_expected,
                                  tuple(findings)[:5], (), self.tables.version)

    def _plain(self, rows: IntArray, prior: FloatArray, i: int, f: float) -> Expectation:
        concept = int(self.index.concepts[int(rows[i])])
        return Expectation(self.kb.concepts.id[concept], self.kb.concepts.label[concept], float(prior[i]), f)

    def _genetic(self, e: Examination, rows: IntArray, prior: FloatArray) -> ExamRecommendation:
        genes: dict[str, float] = {}
        groups: dict[str, float] = {}
        for i, row in enumerate(rows.tolist()):
            g = self.kb.concept_genes(int(self.index.concepts[row]))
            key = ",".join(sorted(g)) or "(no known gene)"
            groups[key] = groups.get(key, 0.0) + float(prior[i])
            for s in g:
                genes[s] = genes.get(s, 0.0) + float(prior[i]) / len(g)
        gain = entropy_bits(np.asarray(list(groups.values())))
        order = sorted(genes, key=lambda s: (-genes[s], s))
        panel, mass = [], 0.0
        for s in order:
            panel.append(s)
            mass += genes[s]
            if len(panel) >= 25 or mass >= 0.99 * sum(genes.values()):
                break
        covered = list(range(min(len(rows), 5)))
        return ExamRecommendation(
            e.id, e.name, e.name_zh, e.kind, gain, 1.0,
            tuple(self._plain(rows, prior, i, 1.0) for i in covered), (), (), tuple(panel), self.tables.version,
        )
