"""Why a disease is linked to a phenotype: the annotation chain, down to file and line.

`rarelens explain DISEASE HPO` answers the question a clinician asks of any ranking: where did
this come from? Each step names the annotation, how the queried term relates to it in the
ontology, the frequency as written and as used, the publication and the source release.
"""

from __future__ import annotations

from dataclasses import dataclass

from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.model.issue import Issue


@dataclass(frozen=True, slots=True)
class AnnotationLink:
    disease_id: str
    disease_name: str
    annotated_term: str
    annotated_label: str
    relation: str  # exact | query is more specific | query is less specific
    negated: bool
    frequency: float
    frequency_raw: str
    onset: str
    sex: str
    modifier: str
    evidence: str
    reference: str
    biocuration: str
    source_key: str
    source_release: str
    source_file: str
    source_sha256: str
    line: int


@dataclass(frozen=True, slots=True)
class Explanation:
    disease_query: str
    concept_id: str
    concept_label: str
    term_id: str
    term_label: str
    issue: Issue | None
    links: tuple[AnnotationLink, ...]
    kb_version: str


def explain_annotation(kb: KnowledgeBase, disease: str, hpo: str) -> Explanation:
    """Raises `UnknownDiseaseError` or `ValueError` (unknown HPO id) with a message naming it."""
    res = kb.ontology.resolve(hpo)
    if res.index is None:
        raise ValueError(
            (res.issue.message + (f". Fix: {res.issue.fix}" if res.issue.fix else "")) if res.issue else f"unknown HPO id {hpo}"
        )
    t = res.index
    o, a, d = kb.ontology, kb.annotations, kb.diseases
    concept = int(d.concept[kb.disease(disease)])
    links = []
    for m in kb.concept_members(concept):
        for r in kb.annotation_rows(int(m)):
            r = int(r)
            at = int(a.term[r])
            if at == t:
                rel = "exact"
            elif o.is_descendant_of(t, at):
                rel = "query is more specific than the annotation"
            elif o.is_descendant_of(at, t):
                rel = "query is less specific: the annotation implies it"
            else:
                continue
            s = kb.sources[int(a.source[r])]
            links.append(
                AnnotationLink(
                    disease_id=d.id[int(m)], disease_name=d.name[int(m)], annotated_term=o.ids[at],
                    annotated_label=o.labels[at], relation=rel, negated=bool(a.negated[r]),
                    frequency=float(a.frequency[r]), frequency_raw=a.frequency_raw[r],
                    onset=a.onset[r], sex=a.sex[r], modifier=a.modifier[r], evidence=a.evidence[r],
                    reference=a.reference[r], biocuration=a.biocuration[r], source_key=s.key,
                    source_release=s.release, source_file=s.path, source_sha256=s.sha256,
                    line=int(a.line[r]),
                )
            )
    order = {"exact": 0}
    links.sort(key=lambda x: (order.get(x.relation, 1), x.disease_id))
    return Explanation(
        disease_query=disease, concept_id=kb.concepts.id[concept], concept_label=kb.concepts.label[concept],
        term_id=o.ids[t], term_label=o.labels[t], issue=res.issue, links=tuple(links), kb_version=kb.version,
    )
