"""Knowledge-base records behind the engine's statements.

The engine never states a frequency or a disease–finding link it cannot point to: each claim is
built from these references, which name the annotation's source, release, reference and line,
so a clinician can open the file and check (the same chain `rarelens explain` prints).
"""

from __future__ import annotations

from rarelens.consult.model import KbRef
from rarelens.kb.knowledge_base import KnowledgeBase

ANNOTATIONS_SOURCE = "hpo.annotations"


def annotation_refs(
    kb: KnowledgeBase, concept: int, term: int, *, negated: bool = False, limit: int = 4
) -> tuple[KbRef, ...]:
    """Annotation records of ``term`` on any member of ``concept`` (OMIM, Orphanet, DECIPHER
    entries of one disease concept all count)."""
    a, d = kb.annotations, kb.diseases
    out: list[KbRef] = []
    for m in kb.concept_members(concept).tolist():
        for r in kb.annotation_rows(int(m)).tolist():
            if int(a.term[r]) != term or bool(a.negated[r]) != negated:
                continue
            s = kb.sources[int(a.source[r])]
            out.append(KbRef(
                kind="annotation", disease_id=d.id[int(m)], term_id=kb.ontology.ids[term],
                frequency_raw=a.frequency_raw[r], reference=a.reference[r], source=s.key,
                release=s.release, line=int(a.line[r]),
            ))
            if len(out) >= limit:
                return tuple(out)
    return tuple(out)


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
