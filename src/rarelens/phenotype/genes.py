"""Phenotype-only gene scores: how well a patient's phenotype fits the diseases of each gene.

A gene's score is the score of its best-fitting disease concept (``aggregate="max"``), so it
keeps the disease ranker's scale and its explanation: `GeneScores.best_row` names the concept
that gave it. ``aggregate="logsumexp"`` instead adds up the probability mass of all the gene's
diseases (log Σ exp), which rewards a gene with several plausible diseases; measured against
max in docs/benchmarks.md ("Gene ranking").

Which disease–gene links count (`EXCLUDED_ASSOCIATIONS`): every HPO gene link (HPO's
genes_to_phenotype carries no association type) and Orphanet's germline disease-causing links
(plain, loss- and gain-of-function) count. Excluded:

* "Part of a fusion gene in" and "Disease-causing somatic mutation(s) in": tumour genetics,
  not a constitutional variant a patient's exome or panel is asked about;
* "Major susceptibility factor in", "Role in the phenotype of" and "Modifying germline mutation
  in": they name a gene that raises risk or modifies a disease, not one whose variant explains
  it, so counting them would rank a gene on phenotype resemblance to a disease it does not
  cause. Measured on cohort fold 0 of the development phenopackets (one type at a time, same
  decoys): counting them adds links for 39, 12 and 3 genes and changes top-1 by −0.03, 0 and 0
  points (docs/benchmarks.md, "Gene ranking") — no evidence for them, so the meaning decides.

The scorer is built once per `PhenotypeRanker` (a CSR gene → concept-row map) and is pure per
call; the exome analysis multiplies these phenotype scores with variant evidence, so nothing
here is specific to the benchmark.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarelens.model.patient import Patient
from rarelens.phenotype.ranker import DEFAULT_METHOD, PhenotypeRanker

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.int64]

EXCLUDED_ASSOCIATIONS: frozenset[str] = frozenset({
    "Part of a fusion gene in",
    "Disease-causing somatic mutation(s) in",
    "Major susceptibility factor in",
    "Role in the phenotype of",
    "Modifying germline mutation in",
})
AGGREGATES = ("max", "logsumexp")
_DENSE_WIDTH = 4


@dataclass(frozen=True)
class GeneScores:
    """One value per knowledge-base gene (index into `KnowledgeBase.genes`).

    ``score``: log-scale phenotype score, the best (max) or pooled (log Σ exp) score of the
    gene's disease concepts; −inf for a gene without a scored disease concept.
    ``best_row``: the ranker-index row of the gene's best-scoring concept, −1 for none.
    ``probability``: softmax of ``score`` over the genes with a scored concept,
    exp(s_g − max s) / Σ_h exp(s_h − max s), summing to 1 (0 for genes without one). With the
    likelihood-ratio method and ``aggregate="logsumexp"`` it is that model's posterior (with its
    tempered prevalence prior) that the causal gene is g, given that the cause is one disease of
    a gene with a known disease; otherwise a normalised relative score, not a calibrated one.
    """

    score: FloatArray
    best_row: IndexArray
    probability: FloatArray

    def top(self, k: int) -> IndexArray:
        """Gene indices of the k best scores (ties in index order), genes without one excluded."""
        finite = np.flatnonzero(np.isfinite(self.score))
        order = np.argsort(-self.score[finite], kind="stable")[:k]
        return finite[order].astype(np.int64)


class GenePhenotypeScorer:
    """Gene scores from a `PhenotypeRanker`; build once, call `score` per patient."""

    def __init__(
        self,
        ranker: PhenotypeRanker,
        *,
        aggregate: str = "max",
        excluded_associations: Collection[str] = EXCLUDED_ASSOCIATIONS,
    ) -> None:
        if aggregate not in AGGREGATES:
            raise ValueError(f"unknown aggregate {aggregate!r}; choose one of {', '.join(AGGREGATES)}")
        self.ranker = ranker
        self.aggregate = aggregate
        self.excluded_associations = frozenset(excluded_associations)
        kb = ranker.kb
        self.n_genes = len(kb.genes)
        n_rows = self._n_rows = ranker.index.n
        # counted (gene, concept row) pairs, unique, sorted by gene then row
        dg = kb.disease_genes
        counted = np.asarray([a not in self.excluded_associations for a in dg.association.pool], dtype=bool)
        gene = np.asarray(dg.gene, dtype=np.int64)
        keep = (gene >= 0) & counted[np.asarray(dg.association.codes, dtype=np.int64)]
        concept = np.asarray(kb.diseases.concept, dtype=np.int64)[np.asarray(dg.disease, dtype=np.int64)[keep]]
        gene = gene[keep]
        # concept → row of the ranker's index (sorted); concepts without annotations have none
        index_concepts = np.asarray(ranker.index.concepts, dtype=np.int64)
        pos = np.minimum(np.searchsorted(index_concepts, concept), max(n_rows - 1, 0))
        found = index_concepts[pos] == concept if n_rows else np.zeros(len(concept), dtype=bool)
        pairs = np.unique(gene[found] * n_rows + pos[found])
        pair_gene = pairs // max(n_rows, 1)
        self._rows: IndexArray = (pairs % max(n_rows, 1)).astype(np.int64)
        counts = np.bincount(pair_gene, minlength=self.n_genes)
        self.indptr: IndexArray = np.zeros(self.n_genes + 1, dtype=np.int64)
        self.indptr[1:] = np.cumsum(counts)
        self._genes_with: IndexArray = np.flatnonzero(counts > 0).astype(np.int64)
        # Two layouts, because np.*.reduceat costs about 20 ns per segment: the genes with at
        # most _DENSE_WIDTH concepts (92 % of them) as a padded matrix of rows, padding pointing
        # at an appended −inf; the others as reduceat segments.
        small = self._genes_with[counts[self._genes_with] <= _DENSE_WIDTH]
        offsets = np.arange(_DENSE_WIDTH)
        valid = offsets[None, :] < counts[small][:, None]
        take = np.where(valid, self.indptr[small][:, None] + offsets[None, :], 0)
        self._small_genes: IndexArray = small
        self._small_idx: IndexArray = np.ascontiguousarray(  # _DENSE_WIDTH × genes
            (np.where(valid, self._rows[take], n_rows) if len(self._rows) else take).T, dtype=np.int64
        )
        large = self._genes_with[counts[self._genes_with] > _DENSE_WIDTH]
        in_large = np.zeros(self.n_genes, dtype=bool)
        in_large[large] = True
        self._large_genes: IndexArray = large
        self._large_rows: IndexArray = self._rows[in_large[pair_gene]]
        self._large_starts: IndexArray = (np.cumsum(counts[large]) - counts[large]).astype(np.int64)
        self._large_seg: IndexArray = np.repeat(np.arange(len(large)), counts[large]).astype(np.int64)
        self._lookup = _SymbolLookup(
            list(kb.genes.symbol), list(kb.genes.previous), list(kb.genes.hgnc_id)
        )

    # -- mapping ------------------------------------------------------------------------------

    @property
    def genes_with_disease(self) -> IndexArray:
        """Indices of genes linked (by a counted association) to at least one scored concept."""
        return self._genes_with

    def has_disease(self, gene: int) -> bool:
        return bool(self.indptr[gene + 1] > self.indptr[gene])

    def diseases_of(self, gene: int) -> IndexArray:
        """Ranker-index rows (sorted) of the scored disease concepts counted for ``gene``."""
        return self._rows[self.indptr[gene] : self.indptr[gene + 1]]

    def gene_index(self, symbol: str) -> int | None:
        """Gene index for an HGNC id (``HGNC:1100``), a current symbol, or an old symbol.

        Order: HGNC id; exact current symbol; current symbol ignoring case (if unique); a
        previous or alias symbol that exactly one gene lists (the knowledge base keeps HGNC's
        previous and alias symbols in one column, so an old symbol claimed by two genes — as
        a previous symbol of one and an alias of another, say — is ambiguous and gives None).
        """
        return self._lookup.find(symbol)

    # -- scoring ------------------------------------------------------------------------------

    def score(self, patient: Patient, method: str = DEFAULT_METHOD) -> GeneScores:
        return self.score_from_concepts(self.ranker.scores(patient, method))

    def score_from_concepts(self, concept_scores: FloatArray) -> GeneScores:
        """Gene scores from per-concept scores (one per ranker-index row), fully vectorised."""
        score = np.full(self.n_genes, -np.inf)
        best_row = np.full(self.n_genes, -1, dtype=np.int64)
        probability = np.zeros(self.n_genes)
        if len(self._genes_with) == 0:
            return GeneScores(score, best_row, probability)
        ext = np.empty(self._n_rows + 1)
        ext[: self._n_rows] = concept_scores
        ext[self._n_rows] = -np.inf
        logsumexp = self.aggregate == "logsumexp"
        # genes with few concepts: a column per gene; strict > keeps the first (lowest) row on ties
        m = ext[self._small_idx]
        top = m[0]
        best_small = self._small_idx[0]
        for k in range(1, _DENSE_WIDTH):
            best_small = np.where(m[k] > top, self._small_idx[k], best_small)
            top = np.maximum(top, m[k])
        score[self._small_genes] = top + np.log(np.exp(m - top).sum(axis=0)) if logsumexp else top
        best_row[self._small_genes] = best_small
        if len(self._large_genes):
            vals = ext[self._large_rows]
            top_l = np.maximum.reduceat(vals, self._large_starts)
            positions = np.where(vals == top_l[self._large_seg], np.arange(len(vals)), len(vals))
            best = np.minimum.reduceat(positions, self._large_starts)
            if logsumexp:
                top_l = top_l + np.log(np.add.reduceat(np.exp(vals - top_l[self._large_seg]), self._large_starts))
            score[self._large_genes] = top_l
            best_row[self._large_genes] = self._large_rows[best]
        pooled = score[self._genes_with]
        z = np.exp(pooled - pooled.max())
        probability[self._genes_with] = z / z.sum()
        return GeneScores(score, best_row, probability)


class _SymbolLookup:
    def __init__(self, symbols: list[str], previous: list[str], hgnc_ids: list[str]) -> None:
        self.by_id = {h: i for i, h in enumerate(hgnc_ids) if h}
        self.by_symbol = {s: i for i, s in enumerate(symbols)}
        upper: dict[str, set[int]] = {}
        for i, s in enumerate(symbols):
            upper.setdefault(s.upper(), set()).add(i)
        self.by_upper = {k: next(iter(v)) for k, v in upper.items() if len(v) == 1}
        old: dict[str, set[int]] = {}
        for i, joined in enumerate(previous):
            for s in joined.split("|"):
                if s:
                    old.setdefault(s.upper(), set()).add(i)
        self.by_old = {k: next(iter(v)) for k, v in old.items() if len(v) == 1}

    def find(self, text: str) -> int | None:
        text = text.strip()
        if not text:
            return None
        if text.upper().startswith("HGNC:"):
            return self.by_id.get("HGNC:" + text[5:].strip())
        if text in self.by_symbol:
            return self.by_symbol[text]
        key = text.upper()
        if key in self.by_upper:
            return self.by_upper[key]
        return self.by_old.get(key)
