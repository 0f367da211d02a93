"""A disease card: everything a clinician wants on one screen, each fact with its source.

Assembled over the whole concept (OMIM and Orphanet entries together), so the card reached from
ORPHA:558 and from OMIM:154700 is the same card.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rarelens.kb.frequency import pool_frequencies
from rarelens.kb.knowledge_base import KnowledgeBase


@dataclass(frozen=True, slots=True)
class Sourced:
    value: str
    source: str  # "<source key> (<release>)"
    reference: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PhenotypeLine:
    term: str
    label: str
    label_zh: str | None
    frequency: float  # NaN when no source gives one
    frequency_text: str
    negated: bool
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CatalogLine:
    key: str
    name_zh: str
    name_en: str
    target: str
    relation: str
    method: str
    reviewed: bool


@dataclass(frozen=True, slots=True)
class DiseaseCard:
    query: str
    kb_version: str
    concept_id: str
    label: str
    ids: tuple[tuple[str, str], ...]  # (id, how it joined the concept)
    entries: tuple[tuple[str, str, str], ...]  # (id, name, source)
    names_zh: tuple[Sourced, ...]
    synonyms: tuple[Sourced, ...]
    definition: Sourced | None
    disorder_types: tuple[str, ...]
    catalog: tuple[CatalogLine, ...]
    inheritance: tuple[Sourced, ...]
    onset: tuple[Sourced, ...]
    prevalence: tuple[Sourced, ...]
    genes: tuple[Sourced, ...]
    phenotypes: tuple[PhenotypeLine, ...]
    n_phenotypes: int
    drugs: tuple[Sourced, ...]
    xrefs: tuple[Sourced, ...]


def _unique(items: list[Sourced]) -> tuple[Sourced, ...]:
    seen: set[tuple[str, str]] = set()
    out = []
    for s in items:
        if (s.value, s.source) not in seen:
            seen.add((s.value, s.source))
            out.append(s)
    return tuple(out)


def build_disease_card(kb: KnowledgeBase, query: str, *, top_phenotypes: int = 15) -> DiseaseCard:
    """Raises `UnknownDiseaseError` naming the id when it is not in the knowledge base."""
    first = kb.disease(query)
    concept = int(kb.diseases.concept[first])
    members = kb.concept_members(concept)
    d, src = kb.diseases, kb.source_label
    ids = tuple((kb.concept_ids.id[int(r)], kb.concept_ids.via[int(r)]) for r in kb.concept_id_rows(concept))
    entries = tuple((d.id[int(m)], d.name[int(m)], src(int(d.source[int(m)]))) for m in members)
    names_zh: list[Sourced] = []
    synonyms: list[Sourced] = []
    for m in members:
        for r in kb.name_rows(int(m)):
            r = int(r)
            s = Sourced(kb.names.text[r], src(int(kb.names.source[r])), d.id[int(m)])
            if kb.names.lang[r] == "zh":
                names_zh.append(s)
            elif kb.names.kind[r] == "synonym":
                synonyms.append(s)
    definition = next(
        (Sourced(d.definition[int(m)], src(int(d.source[int(m)])), d.id[int(m)]) for m in members if d.definition[int(m)]),
        None,
    )
    inheritance: list[Sourced] = []
    onset: list[Sourced] = []
    for m in members:
        for r in kb.fact_rows(int(m)):
            r = int(r)
            s = Sourced(kb.facts.value[r], src(int(kb.facts.source[r])), kb.facts.reference[r])
            if kb.facts.kind[r] == "inheritance":
                inheritance.append(s)
            elif kb.facts.kind[r] == "onset":
                onset.append(s)
    p = kb.prevalences
    prevalence = [
        Sourced(
            f"{p.type[int(r)]}: {p.klass[int(r)] or p.mean[int(r)]} ({p.geographic[int(r)]})",
            src(int(p.source[int(r)])),
            p.reference[int(r)],
            p.qualification[int(r)],
        )
        for m in members
        for r in kb.prevalence_rows(int(m))
    ]
    g = kb.disease_genes
    genes = []
    for m in members:
        for r in kb.gene_rows(int(m)):
            r = int(r)
            gi = int(g.gene[r])
            hgnc = kb.genes.hgnc_id[gi] if gi >= 0 else "no HGNC match"
            genes.append(Sourced(kb.gene_symbol(r), src(int(g.source[r])), hgnc, g.association[r]))
    catalog_lines = tuple(
        CatalogLine(
            key=kb.catalog.key[int(kb.catalog_links.entry[r])],
            name_zh=kb.catalog.name_zh[int(kb.catalog_links.entry[r])],
            name_en=kb.catalog.name_en[int(kb.catalog_links.entry[r])],
            target=kb.catalog_links.target[r],
            relation=kb.catalog_links.relation[r],
            method=kb.catalog_links.method[r],
            reviewed=bool(kb.catalog_links.reviewed[r]),
        )
        for r in kb.catalog_rows_for(members)
    )
    drugs = []
    for m in members:
        for r in kb.drug_link_rows(int(m)):
            k = int(kb.drug_links.drug[int(r)])
            dr = kb.drugs
            name = dr.substance[k] + (f" ({dr.trade_name[k]})" if dr.trade_name[k] else "")
            drugs.append(Sourced(name, src(int(dr.source[k])), dr.reference[k],
                                 f"{dr.agency[k]} {dr.status[k]}: {dr.designation[k]}"))
    xrefs = [
        Sourced(kb.xrefs.target[int(r)], src(int(kb.xrefs.source[int(r)])), d.id[int(m)], kb.xrefs.relation[int(r)])
        for m in members
        for r in kb.xref_rows(int(m))
    ]
    phenos = _phenotypes(kb, members)
    return DiseaseCard(
        query=query,
        kb_version=kb.version,
        concept_id=kb.concepts.id[concept],
        label=kb.concepts.label[concept],
        ids=ids,
        entries=entries,
        names_zh=_unique(names_zh),
        synonyms=_unique(synonyms),
        definition=definition,
        disorder_types=tuple(sorted({d.disorder_type[int(m)] for m in members} - {""})),
        catalog=catalog_lines,
        inheritance=_unique(inheritance),
        onset=_unique(onset),
        prevalence=_unique(prevalence),
        genes=_unique(genes),
        phenotypes=tuple(phenos[:top_phenotypes]),
        n_phenotypes=len(phenos),
        drugs=_unique(drugs),
        xrefs=_unique(xrefs),
    )


def _phenotypes(kb: KnowledgeBase, members: np.ndarray) -> list[PhenotypeLine]:
    a, o = kb.annotations, kb.ontology
    by_term: dict[tuple[int, bool], list[int]] = {}
    for m in members:
        for r in kb.annotation_rows(int(m)):
            r = int(r)
            if a.aspect[r] != "P":
                continue
            by_term.setdefault((int(a.term[r]), bool(a.negated[r])), []).append(r)
    lines = []
    for (t, neg), rows in by_term.items():
        freq = pool_frequencies([a.frequency_raw[r] for r in rows], [float(a.frequency[r]) for r in rows])
        texts = sorted({a.frequency_raw[r] for r in rows if a.frequency_raw[r]})
        lines.append(
            PhenotypeLine(
                term=o.ids[t],
                label=o.labels[t],
                label_zh=o.labels_zh.get(t),
                frequency=freq,
                frequency_text=", ".join(texts),
                negated=neg,
                sources=tuple(sorted({kb.source_label(int(a.source[r])) for r in rows})),
            )
        )
    lines.sort(key=lambda x: (x.negated, -(x.frequency if not math.isnan(x.frequency) else -1), -o.ic[o.index(x.term)]))
    return lines

