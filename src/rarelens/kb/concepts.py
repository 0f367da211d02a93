"""Grouping exactly equivalent disease entries into concepts.

OMIM:154700 and ORPHA:558 are one disease; a differential that listed both would push the
next real candidate down a rank. Only *exact* equivalences are followed (Orphanet "E" and
Mondo ``skos:exactMatch``), never broader/narrower ones, and every equivalence is kept with
the mapping that asserted it so a merge can be audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Equivalence:
    a: str
    b: str
    via: str  # orphanet-E | mondo-exactMatch
    source: int


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True, slots=True)
class ConceptGrouping:
    entry_concept: tuple[int, ...]  # concept index for each entry, in entry order
    concept_ids: tuple[str, ...]  # the id that names each concept
    members: tuple[tuple[tuple[str, str, int], ...], ...]  # per concept: (id, via, source)


_ID_PREFERENCE = {"MONDO": 0, "OMIM": 1, "ORPHA": 2, "DECIPHER": 3}


def group_concepts(
    entries: Sequence[str], equivalences: Iterable[Equivalence], *, entry_source: Sequence[int]
) -> ConceptGrouping:
    """Connected components of the exact-equivalence graph, restricted to components that
    contain at least one knowledge-base entry; ids known only from a mapping (a MONDO id, an
    OMIM id newer than the HPO release) join the component as aliases."""
    uf = _UnionFind()
    for e in entries:
        uf.find(e)
    via: dict[str, tuple[str, int]] = {}
    for eq in equivalences:
        uf.union(eq.a, eq.b)
        for x in (eq.a, eq.b):
            via.setdefault(x, (eq.via, eq.source))
    entry_set = set(entries)
    for e, s in zip(entries, entry_source, strict=True):
        via[e] = ("entry", s)
    root_to_concept: dict[str, int] = {}
    entry_concept = []
    for e in entries:
        root = uf.find(e)
        entry_concept.append(root_to_concept.setdefault(root, len(root_to_concept)))
    members: list[list[tuple[str, str, int]]] = [[] for _ in root_to_concept]
    for x in sorted(uf.parent):
        c = root_to_concept.get(uf.find(x))
        if c is not None:
            how, src = via[x]
            members[c].append((x, how if x not in entry_set else "entry", src))
    concept_ids = []
    for m in members:
        ids = sorted((i for i, _, _ in m), key=lambda i: (_ID_PREFERENCE.get(i.split(":")[0], 9), i))
        concept_ids.append(ids[0])
    return ConceptGrouping(
        entry_concept=tuple(entry_concept),
        concept_ids=tuple(concept_ids),
        members=tuple(tuple(m) for m in members),
    )
