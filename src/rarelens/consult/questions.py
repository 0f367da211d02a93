"""Which finding to ask about next: expected information gain over the leading candidates.

The answer to "does the patient have T?" is modelled with three outcomes, because in clinic
and in records most findings are simply not known:

* yes — P = false_yes + recall · f_d(T), where f_d(T) is the disease's implied frequency of T
  (the most frequent annotated descendant, true-path rule);
* no — P = negative_rate · (1 − f_d(T)); near zero when the disease is annotated NOT to have T;
* unknown — the rest.

The gain is the mutual information between the answer and the disease among the leading
candidates (the posterior's top). Terms already known or implied are never asked: ancestors of
an observed term (already yes), the excluded terms and their descendants (already no), and
terms answered "unknown" with their descendants (nobody can say). Organ-system headings
(children of Phenotypic abnormality) are not asked: they cannot be checked at the bedside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from rarelens.ontology import Ontology

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


CURATED_SHARE = 0.1
CURATED_MIN = 2


@dataclass(frozen=True, slots=True)
class AnswerModel:
    recall: float = 0.6
    false_yes: float = 0.02
    negative_rate: float = 0.1
    no_sensitivity: float = 1.0  # how much a disease having the finding lowers P(no)

    def outcome_probabilities(self, f: FloatArray, negated: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        yes = np.minimum(self.false_yes + self.recall * f, 1.0)
        yes = np.where(negated > 0, self.false_yes * 0.1, yes)
        no = self.negative_rate * (1.0 - self.no_sensitivity * np.minimum(f, 1.0))
        no = np.where(negated > 0, self.negative_rate, no)
        return yes, no, np.clip(1.0 - yes - no, 0.0, 1.0)


def recorded_answer(onto: Ontology, term: int, observed: Sequence[int], excluded: Sequence[int]) -> str:
    """The answer a patient record gives to "does the patient have ``term``?": yes when the term
    or a descendant is observed, no when the term or an ancestor is excluded, else unknown —
    the same implications the engine uses to skip known questions (``known_mask``)."""
    if any(onto.is_descendant_of(int(t), term) for t in observed):
        return "yes"
    if any(onto.is_descendant_of(term, int(t)) for t in excluded):
        return "no"
    return "unknown"


def entropy_bits(p: FloatArray) -> float:
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum())


def mutual_information(prior: FloatArray, outcomes: tuple[FloatArray, ...]) -> FloatArray:
    """I(answer; disease) = H(answer) − H(answer | disease) in bits per column. ``prior`` is
    (K,), each outcome (K, T) = P(a | d); one x·log x pass per outcome keeps a step fast."""
    h_a = np.zeros(outcomes[0].shape[1])
    h_a_d = np.zeros(outcomes[0].shape[1])
    for pa_d in outcomes:
        pa = prior @ pa_d
        h_a -= _xlogx(pa)
        h_a_d -= prior @ _xlogx(pa_d)
    return np.maximum(h_a - h_a_d, 0.0)


def _xlogx(x: FloatArray) -> FloatArray:
    return np.asarray(x * np.log2(np.maximum(x, 1e-300)), dtype=np.float64)


def dense_block(m: sp.csr_matrix, rows: IntArray) -> tuple[IntArray, FloatArray]:
    """(columns, dense len(rows) × len(columns)) of the non-zero columns of ``m[rows]``, without
    scipy's general fancy indexing (a few hundred µs per call on these sizes)."""
    starts, ends = m.indptr[rows], m.indptr[rows + 1]
    lengths = ends - starts
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((len(rows), 0))
    take = np.concatenate([np.arange(s, e) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)])
    cols_all = m.indices[take].astype(np.int64)
    cols = np.unique(cols_all)
    block = np.zeros((len(rows), len(cols)))
    block[np.repeat(np.arange(len(rows)), lengths), np.searchsorted(cols, cols_all)] = m.data[take]
    return cols, block


def block_at(m: sp.csr_matrix, rows: IntArray, cols: IntArray) -> FloatArray:
    """Dense ``m[rows][:, cols]`` for sorted ``cols``."""
    out = np.zeros((len(rows), len(cols)))
    if not len(cols):
        return out
    c2, b2 = dense_block(m, rows)
    if len(c2):
        pos = np.searchsorted(cols, c2)
        ok = (pos < len(cols)) & (cols[np.minimum(pos, len(cols) - 1)] == c2)
        out[:, pos[ok]] = b2[:, ok]
    return out


def known_mask(
    onto: Ontology, cols: IntArray, *, observed: list[int], excluded: list[int], unknown: list[int]
) -> npt.NDArray[np.bool_]:
    """Which of ``cols`` have an answer already known or implied (see the module docstring):
    an ancestor of an observed term, or a descendant of an excluded or unknown one — found
    through each column's ancestor list in one vectorised pass."""
    n = len(onto)
    known = np.zeros(n, dtype=bool)
    for t in observed:
        known[onto.ancestors(t)] = True
    below = np.zeros(n, dtype=bool)
    below[np.asarray(excluded + unknown, dtype=np.int64)] = True
    out = known[cols]
    if below.any() and len(cols):
        flat, lengths = onto.ancestors_of_each(cols)
        hit = np.logical_or.reduceat(below[flat], np.cumsum(lengths) - lengths)
        out |= hit
    return out


def askable_terms(onto: Ontology, root: int, direct: sp.csr_matrix, implied: sp.csc_matrix) -> npt.NDArray[np.bool_]:
    """Terms at the level clinicians record findings: under Phenotypic abnormality, not
    obsolete, and used directly by curators in at least a tenth of the diseases that imply
    them (and by two at least). Grouping terms such as "Abnormal nervous system morphology"
    (0.4 %) or "Abnormality of the nose" (1 %) fail; "Seizure" (82 %), "Fatigue" (93 %) and
    "Abnormal heart morphology" (11 %) pass — a question must be one someone can answer."""
    n = len(onto)
    ok = np.zeros(n, dtype=bool)
    ok[onto.descendants(root)] = True
    ok[root] = False
    ok[onto.children(root)] = False
    ok &= ~onto.obsolete
    used = np.bincount(direct.indices, minlength=n)[:n]
    implied_by = np.diff(implied.indptr)[:n]
    ok &= (used >= CURATED_MIN) & (used >= CURATED_SHARE * np.maximum(implied_by, 1))
    return ok


def question_order(cols: IntArray, gains: FloatArray, ic: FloatArray) -> IntArray:
    """Positions by gain, then the more general term first: equal gain means the specific term
    adds nothing for these candidates, and the general one is easier to check and to answer."""
    return np.lexsort((cols, ic[cols], -np.round(gains, 9))).astype(np.int64)


def build_any_of(ontology: Ontology, direct: sp.csr_matrix) -> sp.csr_matrix:
    """Disease × term probability that a patient shows the term *or any descendant* — a
    noisy-or over the disease's annotated descendants, 1 − Π(1 − f). The ranking's implied
    frequency takes the maximum instead, which is right for scoring one recorded term but
    undervalues a broad question ("any seizures?") that several specific findings answer."""
    coo = direct.tocoo()
    anc, lengths = ontology.ancestors_of_each(coo.col)
    log_miss = np.repeat(np.log1p(-np.minimum(coo.data, 0.999)), lengths)
    rows = np.repeat(coo.row.astype(np.int64), lengths)
    summed = sp.csr_matrix((log_miss, (rows, anc)), shape=direct.shape)
    summed.sum_duplicates()
    summed.data = -np.expm1(summed.data)
    return summed
