"""Modes of inheritance and whether a gene's genotypes fit them, for a proband alone or a
family (PED). Works on per-variant genotype arrays; returns, per mode, the variants that explain
the case under that mode, so a report can show *which* variants make a gene compatible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarelens.variants.table import CHROM_X, CHROM_Y, GT_HET, GT_HOM_ALT, GT_HOM_REF, GT_MISSING

MODES = ("AD", "AR", "XD", "XR")

_FACT_MODES: dict[str, tuple[str, ...]] = {
    "autosomal dominant": ("AD",),
    "autosomal recessive": ("AR",),
    "x-linked recessive": ("XR",),
    "x-linked dominant": ("XD",),
    "x-linked": ("XD", "XR"),
    "semi-dominant": ("AD", "AR"),
    "y-linked": ("XD",),  # hemizygous like X in males; treated as dominant
}


def modes_from_facts(values: Iterable[str]) -> frozenset[str]:
    """Map KB inheritance facts ("Autosomal dominant inheritance", Orphanet "Autosomal
    recessive") to modes; nothing usable → every mode is allowed, since absence of an
    inheritance annotation is not evidence against one."""
    out: set[str] = set()
    for v in values:
        text = v.lower().replace(" inheritance", "").strip()
        for key, modes in _FACT_MODES.items():
            if text.startswith(key):
                out.update(modes)
                break
    return frozenset(out)


def modes_for_chrom(modes: frozenset[str], chrom: int) -> frozenset[str]:
    """A gene on X can only follow X-linked modes and an autosomal gene only autosomal ones;
    a disease annotated AD whose gene sits on X is scored as X-linked dominant."""
    on_x = chrom in (CHROM_X, CHROM_Y)
    if not modes:
        return frozenset({"XD", "XR"} if on_x else {"AD", "AR"})
    if on_x:
        mapped = {"XD" if m in ("AD", "XD") else "XR" for m in modes}
        return frozenset(mapped)
    return frozenset("AD" if m in ("AD", "XD") else "AR" for m in modes)


@dataclass(frozen=True, slots=True)
class Family:
    """Genotype columns of the proband and relatives in the VCF (indices into samples)."""

    proband: int
    father: int | None = None
    mother: int | None = None
    affected: tuple[int, ...] = ()  # other affected relatives
    unaffected: tuple[int, ...] = ()  # unaffected relatives (parents included when unaffected)
    proband_male: bool | None = None
    male: tuple[int, ...] = ()  # sample columns known to be male

    @property
    def has_parents(self) -> bool:
        return self.father is not None and self.mother is not None

    def parents(self) -> tuple[int, int] | None:
        if self.father is None or self.mother is None:
            return None
        return self.father, self.mother


@dataclass(frozen=True, slots=True)
class ModeCall:
    mode: str
    variants: tuple[int, ...]  # candidate-row indices that explain the case under this mode
    de_novo: tuple[int, ...] = ()
    note: str = ""


def _carries(gt: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    return np.asarray(gt >= GT_HET)


def compatible_modes(
    rows: Sequence[int],
    genotypes: npt.NDArray[np.int8],
    family: Family,
    modes: frozenset[str],
    scores: npt.NDArray[np.float64],
) -> list[ModeCall]:
    """For one gene: ``rows`` are its qualifying candidate rows (already through quality,
    frequency and region filters), ``genotypes`` the candidate × sample matrix, ``scores`` the
    variant scores (to choose the best pair for compound heterozygosity)."""
    calls: list[ModeCall] = []
    if not rows:
        return calls
    r = np.asarray(rows, dtype=np.int64)
    gt = genotypes[r]
    p = gt[:, family.proband]
    male = bool(family.proband_male)
    present = p >= GT_HET
    # Segregation: every affected relative carries it; unaffected relatives may carry it only
    # as heterozygotes for recessive modes, never for dominant ones.
    aff_ok = np.ones(len(r), dtype=bool)
    for a in family.affected:
        aff_ok &= (gt[:, a] >= GT_HET) | (gt[:, a] == GT_MISSING)
    unaff_free = np.ones(len(r), dtype=bool)
    unaff_not_hom = np.ones(len(r), dtype=bool)
    for u in family.unaffected:
        unaff_free &= (gt[:, u] == GT_HOM_REF) | (gt[:, u] == GT_MISSING)
        unaff_not_hom &= gt[:, u] != GT_HOM_ALT
    de_novo = np.zeros(len(r), dtype=bool)
    parents = family.parents()
    if parents is not None:
        de_novo = present & (gt[:, parents[0]] == GT_HOM_REF) & (gt[:, parents[1]] == GT_HOM_REF)

    def dn(sel: npt.NDArray[np.bool_]) -> tuple[int, ...]:
        return tuple(int(x) for x in r[sel & de_novo])

    for mode in sorted(modes):
        if mode in ("AD", "XD"):
            ok = present & aff_ok & unaff_free
            if ok.any():
                calls.append(ModeCall(mode, tuple(int(x) for x in r[ok]), dn(ok)))
        elif mode == "XR" and male:
            ok = present & aff_ok & _unaffected_males_free(gt, family, len(r))
            if ok.any():
                calls.append(ModeCall(mode, tuple(int(x) for x in r[ok]), dn(ok), "hemizygous"))
        else:  # AR, or XR in a female / unknown sex
            call = _recessive(r, gt, family, present & aff_ok & unaff_not_hom, scores, de_novo)
            if call is not None:
                calls.append(ModeCall(mode, call[0], call[1], call[2]))
    return calls


def _unaffected_males_free(gt: npt.NDArray[np.int8], family: Family, n: int) -> npt.NDArray[np.bool_]:
    ok = np.ones(n, dtype=bool)
    for u in family.unaffected:
        if u in family.male:
            ok &= gt[:, u] < GT_HET
    return ok


def _recessive(
    r: npt.NDArray[np.int64],
    gt: npt.NDArray[np.int8],
    family: Family,
    ok: npt.NDArray[np.bool_],
    scores: npt.NDArray[np.float64],
    de_novo: npt.NDArray[np.bool_],
) -> tuple[tuple[int, ...], tuple[int, ...], str] | None:
    p = gt[:, family.proband]
    hom = ok & (p == GT_HOM_ALT)
    parents = family.parents()
    if parents is not None:
        # A homozygous call needs both parents to carry (or be missing).
        f, m = gt[:, parents[0]], gt[:, parents[1]]
        hom &= ((f >= GT_HET) | (f == GT_MISSING)) & ((m >= GT_HET) | (m == GT_MISSING))
    best_hom = None
    if hom.any():
        i = int(np.argmax(np.where(hom, scores[r], -1.0)))
        best_hom = (int(r[i]),)
    het = np.flatnonzero(ok & (p == GT_HET))
    best_pair: tuple[int, int] | None = None
    if len(het) >= 2:
        order = het[np.argsort(-scores[r[het]], kind="stable")]
        # Without parents the phase is unknown (any pair may be in trans); an unaffected relative
        # carrying both variants of a pair rules that pair out either way.
        unknown = np.ones(len(r), dtype=bool)
        from_f = from_m = np.zeros(len(r), dtype=bool)
        if parents is not None:
            f, m = gt[:, parents[0]], gt[:, parents[1]]
            from_f = (f >= GT_HET) & (m == GT_HOM_REF)
            from_m = (m >= GT_HET) & (f == GT_HOM_REF)
            unknown = (f == GT_MISSING) | (m == GT_MISSING) | de_novo
        for a_i, a in enumerate(order):
            for b in order[a_i + 1 :]:
                trans = (from_f[a] and from_m[b]) or (from_m[a] and from_f[b]) or unknown[a] or unknown[b]
                both_unaffected = any(gt[a, u] >= GT_HET and gt[b, u] >= GT_HET for u in family.unaffected)
                if trans and not both_unaffected:
                    best_pair = (int(r[a]), int(r[b]))
                    break
            if best_pair:
                break
    if best_hom is None and best_pair is None:
        return None
    novel = {int(x) for x in r[de_novo]}
    hom_score = float(scores[best_hom[0]]) if best_hom else -1.0
    pair_score = float(np.mean(scores[list(best_pair)])) if best_pair else -1.0
    if best_hom is not None and (best_pair is None or hom_score >= pair_score):
        return best_hom, tuple(x for x in best_hom if x in novel), "homozygous"
    if best_pair is None:
        return None
    return best_pair, tuple(x for x in best_pair if x in novel), "compound heterozygous"
