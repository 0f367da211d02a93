"""Per-concept phenotype profiles as sparse matrices, built once per knowledge base.

Ranking a case must take milliseconds, so every disease's annotations are folded into two
concept × term matrices ahead of time:

* ``implied`` — the probability that a patient with the disease shows term *t*, for *t* an
  annotated term or any of its ancestors (true-path rule: a patient with "Focal seizure" has
  "Seizure"), taking the highest frequency among the annotated descendants;
* ``negated`` — terms the disease is annotated NOT to have (and their descendants).

Frequencies pool every source of a concept's entries: observed counts ``n/m`` from case series
win over frequency classes; a term without any frequency gets ``default_frequency``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from rarelens.kb.frequency import pool_frequencies
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class PhenotypeIndex:
    concepts: IntArray  # knowledge-base concept index of each row
    implied: sp.csc_matrix  # rows × terms, implied frequency (0 = not implied)
    direct: sp.csr_matrix  # rows × terms, frequency of directly annotated terms only
    negated: sp.csc_matrix  # rows × terms, 1 where the disease excludes the term
    background: FloatArray  # per term: mean implied frequency over concepts
    ic: FloatArray
    n_terms_direct: FloatArray  # per row, number of directly annotated terms
    root: int  # HP:0000118, the top of the phenotype tree
    # The ancestor closure of the terms some disease annotates directly (about half of HPO),
    # so similarity scoring gathers 120k instead of 215k entries per case.
    direct_terms: IntArray
    direct_anc_indptr: IntArray
    direct_anc_indices: IntArray
    direct_pos: IntArray  # direct.indices as positions in direct_terms

    @property
    def n(self) -> int:
        return len(self.concepts)


def _pooled(raw: list[str], values: list[float], default: float) -> float:
    """Pooled frequency, floored at 1 % (0/m from a small series is not proof of absence)."""
    f = pool_frequencies(raw, values)
    return default if math.isnan(f) else max(f, 0.01)


def build_phenotype_index(kb: KnowledgeBase, *, default_frequency: float = 0.5) -> PhenotypeIndex:
    o, a = kb.ontology, kb.annotations
    n_terms = len(o)
    pa = o.index(PHENOTYPIC_ABNORMALITY)
    concept_of = kb.diseases.concept[a.disease]
    in_pa = np.zeros(n_terms, dtype=bool)
    in_pa[o.descendants(pa)] = True
    rows_ok = in_pa[a.term] & np.asarray([x == "P" for x in a.aspect], dtype=bool)

    pos: dict[tuple[int, int], tuple[list[str], list[float]]] = {}
    neg: set[tuple[int, int]] = set()
    raw_col, freq_col = a.frequency_raw, a.frequency
    for r in np.flatnonzero(rows_ok).tolist():
        key = (int(concept_of[r]), int(a.term[r]))
        if a.negated[r]:
            neg.add(key)
        else:
            entry = pos.setdefault(key, ([], []))
            entry[0].append(raw_col[r])
            entry[1].append(float(freq_col[r]))
    concepts = np.asarray(sorted({c for c, _ in pos}), dtype=np.int32)
    row_of = {int(c): i for i, c in enumerate(concepts)}
    d_rows, d_cols, d_vals = [], [], []
    for (c, t), (raw, vals) in pos.items():
        d_rows.append(row_of[c])
        d_cols.append(t)
        d_vals.append(_pooled(raw, vals, default_frequency))
    direct = sp.csr_matrix(
        (np.asarray(d_vals), (np.asarray(d_rows), np.asarray(d_cols))), shape=(len(concepts), n_terms)
    )
    # Propagate to ancestors with max: expand each (row, term) to (row, ancestor).
    anc, lengths = o.ancestors_of_each(d_cols)
    rows_e = np.repeat(np.asarray(d_rows, dtype=np.int64), lengths)
    vals_e = np.repeat(np.asarray(d_vals), lengths)
    cell = rows_e * n_terms + anc
    order = np.lexsort((-vals_e, cell))
    cell, vals_e = cell[order], vals_e[order]
    first = np.ones(len(cell), dtype=bool)
    first[1:] = cell[1:] != cell[:-1]
    cell, vals_e = cell[first], vals_e[first]
    keep = in_pa[cell % n_terms]
    implied = sp.csc_matrix(
        (vals_e[keep], (cell[keep] // n_terms, cell[keep] % n_terms)), shape=(len(concepts), n_terms)
    )
    # NOT annotations hold for descendants too: a disease without seizures has no focal seizures.
    n_rows, n_cols = [], []
    for c, t in neg:
        if c in row_of:
            for dsc in o.descendants(t).tolist():
                n_rows.append(row_of[c])
                n_cols.append(dsc)
    negated = sp.csc_matrix(
        (np.ones(len(n_rows)), (np.asarray(n_rows, dtype=np.int64), np.asarray(n_cols, dtype=np.int64))),
        shape=(len(concepts), n_terms),
    )
    negated.data[:] = 1.0
    background = np.asarray(implied.mean(axis=0)).ravel()
    direct_terms = np.unique(direct.indices).astype(np.int32)
    direct_anc, lengths_d = o.ancestors_of_each(direct_terms)
    direct_anc_indptr = np.zeros(len(direct_terms) + 1, dtype=np.int32)
    direct_anc_indptr[1:] = np.cumsum(lengths_d)
    direct_anc_indices = direct_anc.astype(np.int32)
    return PhenotypeIndex(
        concepts=concepts,
        implied=implied,
        direct=direct,
        negated=negated,
        background=background,
        ic=o.ic.astype(np.float64),
        n_terms_direct=np.diff(direct.indptr).astype(np.float64),
        root=pa,
        direct_terms=direct_terms,
        direct_anc_indptr=direct_anc_indptr,
        direct_anc_indices=direct_anc_indices,
        direct_pos=np.searchsorted(direct_terms, direct.indices).astype(np.int32),
    )
