"""HPO as arrays.

Terms are integers so that ranking (issue 3) can index NumPy arrays directly; the ancestor
closure is precomputed at build time and stored as CSR so a cold load needs no graph walk.
Obsolete terms keep an index of their own: a patient file written years ago still resolves,
through ``replaced_by``, with a warning instead of an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from rarelens.model.ids import CurieError, normalize_hpo_id
from rarelens.model.issue import Issue, IssueLevel

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ROOT = "HP:0000001"
PHENOTYPIC_ABNORMALITY = "HP:0000118"


@dataclass(frozen=True, slots=True)
class Synonym:
    """A synonym with its OBO scope (EXACT, RELATED, BROAD, NARROW) and types (layperson …)."""

    text: str
    scope: str
    types: tuple[str, ...] = ()

    @property
    def is_layperson(self) -> bool:
        return "layperson" in self.types


@dataclass(frozen=True, slots=True)
class TermRecord:
    """One ``[Term]`` stanza as read from hp.obo, before indexing."""

    id: str
    name: str
    definition: str = ""
    comment: str = ""
    synonyms: tuple[Synonym, ...] = ()
    parents: tuple[str, ...] = ()
    alt_ids: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TermResolution:
    """The outcome of resolving a user-given id: the primary index and what was done to get it."""

    query: str
    index: int | None
    issue: Issue | None = None


def _csr(rows: Sequence[Iterable[int]]) -> tuple[IntArray, IntArray]:
    lists = [sorted(set(r)) for r in rows]
    indptr = np.zeros(len(lists) + 1, dtype=np.int32)
    indptr[1:] = np.cumsum([len(r) for r in lists])
    flat = [i for r in lists for i in r]
    return indptr, np.asarray(flat, dtype=np.int32)


@dataclass(frozen=True, slots=True)
class Ontology:
    release: str
    ids: tuple[str, ...]
    labels: tuple[str, ...]
    definitions: tuple[str, ...]
    comments: tuple[str, ...]
    synonyms: tuple[tuple[Synonym, ...], ...]
    obsolete: BoolArray
    parents_indptr: IntArray
    parents_indices: IntArray
    ancestors_indptr: IntArray
    ancestors_indices: IntArray
    alt_ids: dict[str, int]
    replaced_by: dict[int, int]
    consider: dict[int, tuple[int, ...]]
    labels_zh: dict[int, str]
    ic: FloatArray
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _children: tuple[IntArray, IntArray] | None = field(
        init=False, repr=False, compare=False, default=None
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.ids)})

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_active(self) -> int:
        return int((~self.obsolete).sum())

    def index(self, term_id: str) -> int:
        """The index of a primary id; `KeyError` if absent (use `resolve` for user input)."""
        return self._index[term_id]

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._index

    def label(self, idx: int) -> str:
        return self.labels[idx]

    def label_zh(self, idx: int) -> str | None:
        return self.labels_zh.get(idx)

    def layperson(self, idx: int) -> str | None:
        """The first layperson synonym, for wording a question a patient can answer."""
        return next((s.text for s in self.synonyms[idx] if s.is_layperson), None)

    def parents(self, idx: int) -> IntArray:
        return self.parents_indices[self.parents_indptr[idx] : self.parents_indptr[idx + 1]]

    def ancestors(self, idx: int) -> IntArray:
        """Ancestors including the term itself, as the true-path rule implies."""
        return self.ancestors_indices[self.ancestors_indptr[idx] : self.ancestors_indptr[idx + 1]]

    def ancestors_of_each(self, terms: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(the ancestors of every term, each term included, concatenated; how many belong to
        each term), so per-term work over ancestor sets runs as array operations — repeat a
        per-term value by the lengths, or reduce with ``reduceat`` at their offsets."""
        t = np.asarray(terms, dtype=np.int64)
        ptr = self.ancestors_indptr
        lengths = (ptr[t + 1] - ptr[t]).astype(np.int64)
        offsets = np.cumsum(lengths) - lengths
        pos = np.repeat(ptr[t] - offsets, lengths) + np.arange(int(lengths.sum()))
        return self.ancestors_indices[pos].astype(np.int64), lengths

    def children(self, idx: int) -> IntArray:
        indptr, indices = self._children_csr()
        return indices[indptr[idx] : indptr[idx + 1]]

    def descendants(self, idx: int) -> IntArray:
        """Descendants including the term itself."""
        seen = {idx}
        stack = [idx]
        while stack:
            for c in self.children(stack.pop()):
                ci = int(c)
                if ci not in seen:
                    seen.add(ci)
                    stack.append(ci)
        return np.asarray(sorted(seen), dtype=np.int32)

    def is_descendant_of(self, idx: int, ancestor: int) -> bool:
        anc = self.ancestors(idx)
        pos = int(np.searchsorted(anc, ancestor))
        return pos < len(anc) and int(anc[pos]) == ancestor

    def _children_csr(self) -> tuple[IntArray, IntArray]:
        if self._children is None:
            rows: list[list[int]] = [[] for _ in self.ids]
            for child in range(len(self.ids)):
                for p in self.parents(child):
                    rows[int(p)].append(child)
            object.__setattr__(self, "_children", _csr(rows))
        assert self._children is not None
        return self._children

    def resolve(self, text: str) -> TermResolution:
        """Map user input to a current primary term.

        alt id → primary and obsolete → replacement succeed with a warning, because old files
        must keep working; an obsolete term without replacement or an unknown id is an error
        that names the id and, where HPO suggests some, the terms to consider.
        """
        try:
            curie = normalize_hpo_id(text)
        except CurieError as exc:
            fix = ("write HP: and seven digits, as in HP:0001250" if any(c.isdigit() for c in text) else
                   f"find the term's id with `rarelens term search {text.strip()[:40]}` (English or Chinese words)")
            return TermResolution(text, None, Issue(IssueLevel.ERROR, "bad-hpo-id", str(exc), fix))
        idx = self._index.get(curie)
        if idx is None and curie in self.alt_ids:
            primary = self.alt_ids[curie]
            resolved = self._follow_obsolete(primary)
            target = self.ids[resolved] if resolved is not None else self.ids[primary]
            return TermResolution(
                text,
                resolved,
                Issue(
                    IssueLevel.WARNING,
                    "alt-hpo-id",
                    f"{curie} is an alternative id of {target} ({self.labels[primary]}); using {target}",
                    fix=f"write {target} instead",
                ),
            )
        if idx is None:
            return TermResolution(
                text,
                None,
                Issue(
                    IssueLevel.ERROR,
                    "unknown-hpo-id",
                    f"{curie} is not in HPO release {self.release}",
                    fix="check the id at https://hpo.jax.org or update the knowledge base",
                ),
            )
        if self.obsolete[idx]:
            resolved = self._follow_obsolete(idx)
            if resolved is None:
                options = ", ".join(self.ids[c] for c in self.consider.get(idx, ()))
                return TermResolution(
                    text,
                    None,
                    Issue(
                        IssueLevel.ERROR,
                        "obsolete-hpo-id",
                        f"{curie} ({self.labels[idx]}) is obsolete in HPO {self.release} and has "
                        "no replacement",
                        fix=f"consider {options}" if options else "choose a current term",
                    ),
                )
            return TermResolution(
                text,
                resolved,
                Issue(
                    IssueLevel.WARNING,
                    "obsolete-hpo-id",
                    f"{curie} is obsolete; replaced by {self.ids[resolved]} "
                    f"({self.labels[resolved]})",
                    fix=f"write {self.ids[resolved]} instead",
                ),
            )
        return TermResolution(text, idx)

    def _follow_obsolete(self, idx: int) -> int | None:
        seen: set[int] = set()
        while self.obsolete[idx]:
            if idx in seen or idx not in self.replaced_by:
                return None
            seen.add(idx)
            idx = self.replaced_by[idx]
        return idx


def _ancestor_closure(parents: Sequence[Sequence[int]]) -> list[list[int]]:
    n = len(parents)
    memo: list[list[int] | None] = [None] * n

    def visit(start: int) -> list[int]:
        # Iterative post-order so that deep HPO branches never hit the recursion limit.
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if memo[node] is not None:
                continue
            if expanded:
                acc = {node}
                for p in parents[node]:
                    got = memo[p]
                    assert got is not None
                    acc.update(got)
                memo[node] = sorted(acc)
            else:
                stack.append((node, True))
                stack.extend((p, False) for p in parents[node] if memo[p] is None)
        result = memo[start]
        assert result is not None
        return result

    return [visit(i) for i in range(n)]


def build_ontology(
    records: Sequence[TermRecord],
    *,
    release: str,
    labels_zh: dict[str, str] | None = None,
    ic: dict[str, float] | None = None,
) -> Ontology:
    """Index parsed terms; unknown parents are a data error and raise `ValueError`."""
    ids = tuple(r.id for r in records)
    index = {t: i for i, t in enumerate(ids)}
    parent_rows: list[list[int]] = []
    for r in records:
        row = []
        for p in r.parents:
            if p not in index:
                raise ValueError(f"term {r.id} has unknown parent {p}")
            row.append(index[p])
        parent_rows.append(row)
    p_indptr, p_indices = _csr(parent_rows)
    a_indptr, a_indices = _csr(_ancestor_closure(parent_rows))
    alt: dict[str, int] = {}
    for i, r in enumerate(records):
        for a in r.alt_ids:
            if a not in index:
                alt[a] = i
    replaced = {
        index[r.id]: index[r.replaced_by[0]]
        for r in records
        if r.obsolete and r.replaced_by and r.replaced_by[0] in index
    }
    consider = {
        index[r.id]: tuple(index[c] for c in r.consider if c in index)
        for r in records
        if r.obsolete and r.consider
    }
    zh = {index[k]: v for k, v in (labels_zh or {}).items() if k in index}
    ic_arr = np.zeros(len(ids), dtype=np.float64)
    for k, v in (ic or {}).items():
        if k in index:
            ic_arr[index[k]] = v
    return Ontology(
        release=release,
        ids=ids,
        labels=tuple(r.name for r in records),
        definitions=tuple(r.definition for r in records),
        comments=tuple(r.comment for r in records),
        synonyms=tuple(r.synonyms for r in records),
        obsolete=np.asarray([r.obsolete for r in records], dtype=np.bool_),
        parents_indptr=p_indptr,
        parents_indices=p_indices,
        ancestors_indptr=a_indptr,
        ancestors_indices=a_indices,
        alt_ids=alt,
        replaced_by=replaced,
        consider=consider,
        labels_zh=zh,
        ic=ic_arr,
    )
