"""Knowledge-base records behind the engine's statements.

The engine never states a frequency or a disease–finding link it cannot point to: each claim is
built from these references, which name the annotation's source, release, reference and line,
so a clinician can open the file and check (the same chain `rarelens explain` prints).
"""

from __future__ import annotations

from rarelens.consult.model import KbRef
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.kb.records import AnnotationSource

ANNOTATIONS_SOURCE = "hpo.annotations"


def annotation_refs(
    kb: KnowledgeBase, concept: int, term: int, *, negated: bool = False, limit: int = 4
) -> tuple[KbRef, ...]:
    """Annotation records of ``term`` on any member of ``concept`` (OMIM, Orphanet, DECIPHER
    entries of one disease concept all count)."""
    return tuple(kb_ref(x) for x in kb.annotation_sources(concept, term, negated=negated, limit=limit))


def kb_ref(x: AnnotationSource) -> KbRef:
    return KbRef(kind="annotation", disease_id=x.disease_id, term_id=x.term_id, frequency_raw=x.frequency_raw,
                 reference=x.reference, source=x.source, release=x.release, line=x.line)


def absence_ref(kb: KnowledgeBase, concept: int, term: int) -> KbRef:
    """A finding the disease's annotations do not hold: the reference is the annotation release
    in which it was looked for."""
    return KbRef(
        kind="absence", disease_id=kb.concepts.id[concept], term_id=kb.ontology.ids[term],
        source=ANNOTATIONS_SOURCE, release=_annotation_release(kb),
    )


def disease_refs(kb: KnowledgeBase, concept: int) -> tuple[KbRef, ...]:
    d = kb.diseases
    out = []
    for m in kb.concept_members(concept).tolist():
        s = kb.sources[int(d.source[int(m)])]
        out.append(KbRef(kind="disease", disease_id=d.id[int(m)], reference=d.id[int(m)],
                         source=s.key, release=s.release))
    return tuple(out)


def _annotation_release(kb: KnowledgeBase) -> str:
    for s in kb.sources:
        if s.key == ANNOTATIONS_SOURCE:
            return s.release
    return kb.version
