"""Scorers: each turns a patient into one score per disease concept, vectorised.

* `ResnikScorer` — Phenomizer-style symmetric best-match average of Resnik similarity
  (information content of the most informative common ancestor). Coarse on its own: many
  diseases share the same best matches, so ties are broken by how frequent the matched
  features are in each disease (a principled second key: it is the LR model's match term).
* `LikelihoodRatioScorer` — LIRICAL-style: for each observed term the ratio of its probability
  under the disease to its background probability, with a noise floor so that an unexplained
  (unrelated) phenotype costs every disease the same bounded amount and cannot sink the true one;
  excluded terms multiply by P(absent | disease) / P(absent), capped at 1 so exclusion never
  raises a score; disease NOT annotations contradicting an observed term weigh heavily.
* `EnsembleScorer` — a weighted sum of the two after standardising each across diseases.

All return log-scale scores; evidence per term is computed only for the diseases shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from rarelens.kb.records import AnnotationSource
from rarelens.model.patient import Patient
from rarelens.ontology import Ontology
from rarelens.phenotype.demographics import ONSET_CLASSES, DemographicProfiles, onset_class
from rarelens.phenotype.index import PhenotypeIndex

FloatArray = npt.NDArray[np.float64]


class Scorer(Protocol):
    @property
    def name(self) -> str: ...

    def score(self, patient: Patient) -> FloatArray: ...


@dataclass(frozen=True, slots=True)
class TermEvidence:
    """How one patient term moved one disease's score, and which annotation it rests on.

    ``disease_term`` is the disease's own annotated term whose frequency the score used, so a
    clinician can look that record up; ``via`` is where the two meet in the ontology when that
    is neither of them ("shared ancestor": a patient's Hearing impairment and a disease's
    Macrotia meet at Abnormality of the ear, and only that much is evidence).
    """

    patient_term: int
    disease_term: int  # the disease's annotated term the frequency comes from (-1: none)
    match: str  # exact | patient more specific | patient less specific | shared ancestor | excluded contradicts | excluded consistent | contradicts NOT | unexplained
    contribution: float  # log-scale contribution to the score
    frequency: float  # implied frequency of the matched disease term (NaN if none)
    excluded: bool = False
    via: int = -1  # the common ancestor matched, for "shared ancestor" (-1 otherwise)
    sources: tuple[AnnotationSource, ...] = ()  # the annotation records of disease_term (set by the ranker)


@dataclass(frozen=True, slots=True)
class ContextEvidence:
    """Onset or sex: what the patient has, what the disease is known for, and the log LR."""

    kind: str  # onset | sex
    patient_value: str
    disease_value: str
    contribution: float


def _col(ix: PhenotypeIndex, t: int) -> tuple[npt.NDArray[np.int32], FloatArray]:
    """Rows and values of one implied-frequency column, as raw CSC slices: scipy's own column
    indexing costs ~50 µs a call, which would dominate a 5 ms ranking."""
    m = ix.implied
    start, end = m.indptr[t], m.indptr[t + 1]
    return m.indices[start:end], m.data[start:end]


def _column(ix: PhenotypeIndex, t: int) -> FloatArray:
    rows, vals = _col(ix, t)
    out = np.zeros(ix.n)
    out[rows] = vals
    return out


@dataclass(frozen=True, slots=True)
class DenseColumns:
    """The implied-frequency columns of the most general terms, kept dense.

    Ninety-five per cent of the entries a ranking touches sit in the ~200 columns that more
    than a thousand diseases imply (every ancestor of every patient term is visited). Scattering
    into thousands of random rows costs several times a contiguous whole-vector operation, and a
    zero entry changes neither a running maximum nor a mask, so these columns are applied as
    dense vectors with results identical to the sparse path.
    """

    position: npt.NDArray[np.int64]  # per term: its row in `values`, -1 when kept sparse
    values: FloatArray  # dense columns × diseases, implied frequency (0 = not implied)
    # 1.0 where the disease implies the term: times an IC it is the similarity's mask in one
    # multiplication (a boolean mask or `values > 0` costs two to eight times as much; 17 MB)
    implied: FloatArray


def _dense_row(dense: DenseColumns | None, t: int) -> tuple[FloatArray, FloatArray] | None:
    """Term t's (values, implied) rows of the dense block; None when there is no block or t is
    kept sparse."""
    if dense is None:
        return None
    k = int(dense.position[t])
    return (dense.values[k], dense.implied[k]) if k >= 0 else None


def build_dense_columns(ix: PhenotypeIndex, min_diseases: int = 1000) -> DenseColumns:
    """Dense copies of the columns implied by more than ``min_diseases`` diseases (about 200 of
    the real knowledge base's, 17 MB each for values and mask), built once per ranker."""
    m = ix.implied
    sizes = np.diff(m.indptr)
    terms = np.flatnonzero(sizes > min_diseases)
    position = np.full(m.shape[1], -1, dtype=np.int64)
    position[terms] = np.arange(len(terms))
    values = np.zeros((len(terms), ix.n))
    implied = np.zeros((len(terms), ix.n))
    for k, t in enumerate(terms.tolist()):
        rows, vals = _col(ix, t)
        values[k, rows] = vals
        implied[k, rows] = 1.0
    return DenseColumns(position, values, implied)


def _column_of(ix: PhenotypeIndex, dense: DenseColumns | None, t: int) -> FloatArray:
    """A fresh dense copy of column t (from the dense block when it holds t)."""
    row = _dense_row(dense, t)
    return row[0].copy() if row is not None else _column(ix, t)


def _ancestors_in(onto: Ontology, ix: PhenotypeIndex, t: int) -> npt.NDArray[np.int32]:
    """Ancestors of t that some disease implies, without HP:0000118 (Phenotypic abnormality):
    every disease implies it, so matching through it would explain anything by anything."""
    anc = onto.ancestors(t)
    keep = ix.background[anc] > 0
    keep &= anc != ix.root
    return anc[keep]


_LOG_BLOCK = 16


@dataclass(frozen=True, slots=True)
class LikelihoodRatioScorer:
    ontology: Ontology
    index: PhenotypeIndex
    noise: float = 0.02  # probability that a feature is unrelated to the disease
    decay: float = 0.8  # share of an ancestor's evidence kept when the patient term is more specific
    excluded_noise: float = 0.25  # chance a feature the disease has goes unnoticed or unrecorded
    not_penalty: float = 0.01  # P(observed | disease annotated NOT to have it)
    log_prior: FloatArray | None = None  # per disease row (see phenotype.prior)
    prior_weight: float = 0.0  # 1.0 = a full Bayesian prior; tuned on development cohorts
    demographics: DemographicProfiles | None = None  # onset and sex (see phenotype.demographics)
    dense: DenseColumns | None = None  # speeds up the general columns; scores are identical
    name: str = "likelihood-ratio"

    def _term(self, t: int) -> FloatArray:
        """P(t | disease) for observed term t, before noise.

        Exact (or implied by a more specific disease term): the annotated frequency. Patient
        more specific than the disease's term a: f(a) · P(t | a), with P(t | a) estimated from the
        background as bg(t) / bg(a), so the likelihood ratio is a's own f(a) / bg(a) — the
        evidence the disease actually offers — times ``decay`` for the unverified refinement.
        """
        best = _column_of(self.index, self.dense, t)
        dense = self.dense
        for a, scale in self._refinements(t):
            row = _dense_row(dense, a)
            if row is not None:
                np.maximum(best, row[0] * scale, out=best)
            else:
                rows, vals = _col(self.index, a)
                best[rows] = np.maximum(best[rows], vals * scale)
        return best

    def _refinements(self, t: int) -> list[tuple[int, float]]:
        """(ancestor a, share of a's frequency credited to t) for each proper ancestor of t."""
        ix = self.index
        bg_t = max(float(ix.background[t]), 1e-4)
        return [
            (a, min(self.decay * bg_t / max(float(ix.background[a]), 1e-4), 1.0))
            for a in _ancestors_in(self.ontology, ix, t).tolist()
            if a != t
        ]

    def score(self, patient: Patient) -> FloatArray:
        observed, excluded = self.score_parts(patient)
        return observed + excluded

    def score_parts(self, patient: Patient) -> tuple[FloatArray, FloatArray]:
        """(observed-term log LR, excluded-term log LR ≤ 0), kept apart so the ensemble can
        rescale the first without letting an exclusion lift any disease."""
        ix = self.index
        total = np.zeros(ix.n)
        if self.log_prior is not None and self.prior_weight:
            total += self.prior_weight * (self.log_prior - self.log_prior.max())
        for _, _, lr in self._demographic_lrs(patient):
            total += lr
        # The ratios are multiplied in blocks and logged once per block: a logarithm over all
        # diseases is the costliest operation of a term, and a block of 16 ratios, each within
        # [min(noise, not_penalty), 1 / background floor] = [0.01, 10⁴], stays far inside
        # float64's range (10⁻³² … 10⁶⁴).
        product = np.ones(ix.n)
        for i, t in enumerate(patient.observed, start=1):
            p = self._term(t)
            bg = max(float(ix.background[t]), 1e-4)
            p *= 1 - self.noise
            p += self.noise * bg
            neg = ix.negated.indices[ix.negated.indptr[t] : ix.negated.indptr[t + 1]]
            p[neg] = np.minimum(p[neg], self.not_penalty * bg)
            p /= bg
            product *= p
            if i % _LOG_BLOCK == 0 or i == len(patient.observed):
                total += np.log(product)
                product.fill(1.0)
        excluded = np.zeros(ix.n)
        for t in patient.excluded:
            f = _column_of(self.index, self.dense, t)
            ratio = (1 - (1 - self.excluded_noise) * f) / self._absent_background(t)
            excluded += np.minimum(np.log(np.maximum(ratio, 1e-6)), 0.0)
        return total, excluded

    def _demographic_lrs(self, patient: Patient) -> list[tuple[str, str, FloatArray]]:
        """(kind, patient value, log LR per disease) for onset and sex, when both sides know them."""
        d = self.demographics
        if d is None:
            return []
        out = []
        if patient.onset_years is not None:
            out.append(("onset", ONSET_CLASSES[onset_class(patient.onset_years)], d.onset_log_lr(patient.onset_years)))
        if patient.sex in ("FEMALE", "MALE"):
            out.append(("sex", patient.sex.lower(), d.sex_log_lr(patient.sex)))
        return out

    def context_evidence(self, patient: Patient, row: int) -> list[ContextEvidence]:
        """Onset and sex contributions for one disease, for the report."""
        d = self.demographics
        if d is None:
            return []
        out = []
        for kind, value, lr in self._demographic_lrs(patient):
            if kind == "onset":
                probs = d.onset[row]
                disease = "no onset data" if np.isnan(probs[0]) else ", ".join(
                    c for c, p in zip(ONSET_CLASSES, probs, strict=True) if p >= 0.5 * probs.max())
            else:
                disease = f"{d.female[row]:.0%} of patients female"
            out.append(ContextEvidence(kind, value, disease, float(lr[row])))
        return out

    def _absent_background(self, t: int) -> float:
        """P(term recorded absent) in the background, with the same under-recording noise as
        the disease side, so an excluded common feature still counts against diseases with it."""
        bg = min(float(self.index.background[t]), 0.99)
        return 1 - (1 - self.excluded_noise) * bg

    def evidence(self, patient: Patient, row: int) -> list[TermEvidence]:
        ix, onto = self.index, self.ontology
        out = []
        for t in patient.observed:
            bg = max(float(ix.background[t]), 1e-4)
            if ix.negated[row, t]:
                out.append(TermEvidence(t, t, "contradicts NOT", float(np.log(self.not_penalty)), float("nan")))
                continue
            exact = float(ix.implied[row, t])
            best, best_term, best_w = exact, t, 1.0
            for a, w in self._refinements(t):
                f = float(ix.implied[row, a])
                # on a tie the score is the same; name the more specific meeting point
                if f * w > best or (f * w == best > 0 and best_term != t and onto.is_descendant_of(a, best_term)):
                    best, best_term, best_w = f * w, a, w
            p = (1 - self.noise) * best + self.noise * bg
            contribution = float(np.log(p / bg))
            if best <= 0:
                out.append(TermEvidence(t, -1, "unexplained", contribution, float("nan")))
                continue
            freq = best / best_w
            via = -1
            if best_term == t:
                kind = "exact" if ix.direct[row, t] > 0 else "patient less specific"
                dterm = t if ix.direct[row, t] > 0 else best_annotated(ix, row, t, onto, patient_term=t)
            else:
                # The record whose frequency was used: when it lies above the patient's term the
                # patient is simply more specific; otherwise (a sibling or cousin record, such as
                # Macrotia for Hearing impairment) the two only share best_term.
                dterm = best_annotated(ix, row, best_term, onto, patient_term=t)
                kind = "patient more specific"
                if not onto.is_descendant_of(t, dterm):
                    kind, via = "shared ancestor", best_term
            out.append(TermEvidence(t, dterm, kind, contribution, freq, via=via))
        for t in patient.excluded:
            f = float(ix.implied[row, t])
            ratio = (1 - (1 - self.excluded_noise) * f) / self._absent_background(t)
            c = min(float(np.log(max(ratio, 1e-6))), 0.0)
            if f > 0:  # the record that gives t its frequency, which the exclusion contradicts
                out.append(TermEvidence(t, best_annotated(ix, row, t, onto, patient_term=t), "excluded contradicts", c, f, excluded=True))
            else:
                out.append(TermEvidence(t, -1, "excluded consistent", c, float("nan"), excluded=True))
        return out


def best_annotated(ix: PhenotypeIndex, row: int, term: int, onto: Ontology, patient_term: int = -1) -> int:
    """The disease's directly annotated term at or under ``term`` with the highest frequency:
    the record that gives ``term`` its implied frequency (true-path rule); ``term`` if none.
    Among records of equal frequency, one at or above ``patient_term`` wins, then ``term``'s
    own: the score is the same, and the explanation should not name a sibling when the
    disease records the patient's own branch."""
    start, end = ix.direct.indptr[row], ix.direct.indptr[row + 1]
    best, best_key = term, (-1.0, False, False)
    for s, f in zip(ix.direct.indices[start:end].tolist(), ix.direct.data[start:end].tolist(), strict=True):
        if f < best_key[0] or not onto.is_descendant_of(int(s), term):
            continue
        key = (float(f), patient_term >= 0 and onto.is_descendant_of(patient_term, int(s)), s == term)
        if key > best_key:
            best, best_key = int(s), key
    return best


@dataclass(frozen=True, slots=True)
class ResnikScorer:
    ontology: Ontology
    index: PhenotypeIndex
    dense: DenseColumns | None = None  # speeds up the general columns; scores are identical
    name: str = "similarity"
    # diseases × directly annotated terms, 1 where annotated: the disease → patient sums as one
    # sparse product (a quarter of the time of a gather and an add.reduceat over 234k entries)
    _profiles: sp.csr_matrix = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ix = self.index
        pos = ix.direct_pos
        profiles = sp.csr_matrix((np.ones(len(pos)), pos, ix.direct.indptr), shape=(ix.n, len(ix.direct_terms)))
        object.__setattr__(self, "_profiles", profiles)

    def score(self, patient: Patient) -> FloatArray:
        ix, onto = self.index, self.ontology
        if not patient.observed:
            return np.zeros(ix.n)
        p2d = np.zeros(ix.n)
        freq_key = np.zeros(ix.n)
        patient_anc: set[int] = set()
        dense = self.dense
        for t in patient.observed:
            best = np.zeros(ix.n)
            anc = _ancestors_in(onto, ix, t)
            # In ascending IC order a plain assignment leaves each disease its most
            # informative shared ancestor, without a gather-and-max per column; for a dense
            # column the running maximum with (implied × IC) is the same assignment.
            for a in anc[np.argsort(ix.ic[anc], kind="stable")].tolist():
                patient_anc.add(a)
                row = _dense_row(dense, a)
                if row is not None:
                    np.maximum(best, row[1] * ix.ic[a], out=best)
                else:
                    rows, _ = _col(ix, a)
                    best[rows] = ix.ic[a]
            p2d += best
            row = _dense_row(dense, t)
            if row is not None:
                freq_key += row[0]
            else:
                rows, vals = _col(ix, t)
                freq_key[rows] += vals
        p2d /= len(patient.observed)
        # disease → patient: for each annotated disease term, the IC of its best common
        # ancestor with any patient term; one reduceat over the directly annotated terms'
        # ancestor closure, then each disease's sum over its terms as one sparse product.
        v = np.zeros(len(onto))
        idx = np.fromiter(patient_anc, dtype=np.int64)
        v[idx] = ix.ic[idx]
        m = np.maximum.reduceat(v[ix.direct_anc_indices], ix.direct_anc_indptr[:-1])
        # (a disease without direct terms has an empty row: 0 / 1 = 0)
        d2p: FloatArray = np.asarray(self._profiles @ m, dtype=np.float64) / np.maximum(ix.n_terms_direct, 1)
        return 0.5 * (p2d + d2p) + 1e-3 * freq_key / len(patient.observed)


@dataclass(frozen=True, slots=True)
class EnsembleScorer:
    lr: LikelihoodRatioScorer
    sim: ResnikScorer
    weight: float = 1.0  # weight of the standardised similarity, in LR standard deviations
    name: str = "ensemble"

    def score(self, patient: Patient) -> FloatArray:
        a, excluded = self.lr.score_parts(patient)
        b = self.sim.score(patient)
        sa = float(a.std()) or 1.0
        sb = float(b.std()) or 1.0
        return np.asarray(a + self.weight * sa * (b - b.mean()) / sb + excluded, dtype=np.float64)
