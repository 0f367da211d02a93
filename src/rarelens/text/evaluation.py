"""Concept-recognition scores, comparable with the GSC+ literature.

Only terms under Phenotypic abnormality (HP:0000118, itself excluded) are scored: inheritance,
onset and clinical modifiers are annotated unevenly across corpora and are not findings a
diagnosis ranks on. Both sides go through ``Ontology.resolve`` so that an alt or obsolete id in
a corpus released years ago still meets the current primary id the recogniser emits; ids that
resolve to nothing are dropped and counted, never silently scored as misses.

Levels and modes (all micro-averaged, i.e. counts summed over documents before dividing):

* ``document_strict``: per document, the set of gold ids against the set of predicted ids.
* ``document_relaxed``: as strict, but a predicted id ``p`` also matches a gold id ``g`` of the
  same document when one is a proper ancestor of the other and the more general of the two is
  neither HP:0000118 nor one of its direct children (organ-system categories such as
  "Abnormality of the eye", which would otherwise match every finding of their system).
  ``tp`` counts predicted ids that match some gold id (precision = tp / n_pred); a gold id is
  recalled when some predicted id matches it (recall = (n_gold - fn) / n_gold). The two can
  differ, so F1 is computed from precision and recall, not from tp, fp and fn.
* ``mention_overlap``: per document, the set of (start, end, id) gold mentions against the set of
  predicted ones; a prediction is a TP when it is paired with a gold mention of the same id
  whose span overlaps it, one-to-one, with the pairing of maximum size (so the order of
  predictions cannot change the score). Documents whose gold has no spans (``start < 0``) are
  left out of both mention levels.
* ``mention_exact``: as overlap, but the spans must be identical.

Predictions are the mentions that are not negated. The corpora annotate the findings of a
disease as a text reports them, whoever shows them ("her mother had myopia") and however
hedged ("may have cataracts"); only a negated finding is one the text says is absent. The
family and uncertainty flags still decide what goes into a patient (``Mention.is_present``). A ratio with a zero denominator is 0.0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY, Ontology
from rarelens.text.mention import Document, Mention

_Span = tuple[int, int, int]  # start, end, resolved term index


@dataclass(frozen=True, slots=True)
class Score:
    """Counts of one level and mode; precision and recall are derived so they cannot disagree."""

    tp: int
    fp: int
    fn: int
    n_gold: int
    n_pred: int
    n_docs: int

    def __post_init__(self) -> None:
        if self.tp + self.fp != self.n_pred or not 0 <= self.fn <= self.n_gold:
            raise ValueError(f"inconsistent counts {self!r}")

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return (self.n_gold - self.fn) / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, int | float]:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class DroppedIds:
    """Mentions left out before scoring, so a reader can tell a bad corpus from a bad recogniser.

    ``*_remapped`` mentions were kept under the primary id of an alt or obsolete id.
    """

    gold_unresolved: int = 0
    gold_outside: int = 0
    gold_remapped: int = 0
    pred_unresolved: int = 0
    pred_outside: int = 0
    pred_remapped: int = 0


@dataclass(frozen=True, slots=True)
class TextScores:
    n_docs: int
    document_strict: Score
    document_relaxed: Score
    mention_overlap: Score
    mention_exact: Score
    dropped: DroppedIds

    def to_dict(self) -> dict[str, object]:
        return {
            "n_docs": self.n_docs,
            "document_strict": self.document_strict.to_dict(),
            "document_relaxed": self.document_relaxed.to_dict(),
            "mention_overlap": self.mention_overlap.to_dict(),
            "mention_exact": self.mention_exact.to_dict(),
            "dropped": asdict(self.dropped),
        }


@dataclass(frozen=True, slots=True)
class RestrictedId:
    """Where one id ends up: its primary index under Phenotypic abnormality, or why not."""

    index: int | None
    status: str  # kept | remapped | unresolved | outside


def restrict_id(hpo_id: str, ontology: Ontology) -> RestrictedId:
    """Resolve ``hpo_id`` and keep it only if it is a proper descendant of HP:0000118."""
    resolution = ontology.resolve(hpo_id)
    idx = resolution.index
    if idx is None:
        return RestrictedId(None, "unresolved")
    pa = ontology.index(PHENOTYPIC_ABNORMALITY)
    if idx == pa or not ontology.is_descendant_of(idx, pa):
        return RestrictedId(None, "outside")
    return RestrictedId(idx, "remapped" if resolution.issue is not None else "kept")


def evaluate_text(
    documents: Sequence[Document],
    predictions: Mapping[str, Sequence[Mention]],
    ontology: Ontology,
) -> TextScores:
    """Score predicted mentions against the gold of ``documents`` (see the module docstring).

    A document without an entry in ``predictions`` has no predictions; an entry for an id not
    among ``documents`` raises `ValueError`, because it means two corpora were mixed up.
    """
    doc_ids = {d.id for d in documents}
    unknown = sorted(set(predictions) - doc_ids)
    if unknown:
        raise ValueError(
            f"predictions for {len(unknown)} documents not in the corpus, e.g. {unknown[:3]}"
        )
    counts: dict[str, int] = defaultdict(int)
    cache: dict[str, RestrictedId] = {}

    def restrict(side: str, hpo_id: str) -> int | None:
        got = cache.get(hpo_id)
        if got is None:
            got = cache[hpo_id] = restrict_id(hpo_id, ontology)
        if got.status != "kept":
            counts[f"{side}_{got.status}"] += 1
        return got.index

    categories = frozenset(
        int(c) for c in ontology.children(ontology.index(PHENOTYPIC_ABNORMALITY))
    )

    def matches(p: int, g: int) -> bool:
        return _relaxed_match(p, g, ontology, categories)

    strict, relaxed, overlap, exact = _Tally(), _Tally(), _Tally(), _Tally()
    for doc in documents:
        gold = _spans((g.start, g.end, restrict("gold", g.hpo_id)) for g in doc.gold)
        pred = _spans(
            (m.start, m.end, restrict("pred", m.hpo_id))
            for m in predictions.get(doc.id, ())
            if not m.negated
        )
        gold_ids, pred_ids = {s[2] for s in gold}, {s[2] for s in pred}
        both = len(gold_ids & pred_ids)
        strict.add(len(gold_ids), len(pred_ids), both, both)

        relaxed.add(
            len(gold_ids),
            len(pred_ids),
            sum(any(matches(p, g) for g in gold_ids) for p in pred_ids),
            sum(any(matches(p, g) for p in pred_ids) for g in gold_ids),
        )
        if all(g.start >= 0 for g in doc.gold):
            paired = _max_overlap_pairs(gold, pred)
            overlap.add(len(gold), len(pred), paired, paired)
            same = len(gold & pred)
            exact.add(len(gold), len(pred), same, same)
    return TextScores(
        n_docs=len(documents),
        document_strict=strict.score(),
        document_relaxed=relaxed.score(),
        mention_overlap=overlap.score(),
        mention_exact=exact.score(),
        dropped=DroppedIds(**counts),
    )


class _Tally:
    """Running micro-average counts; local to one `evaluate_text` call."""

    def __init__(self) -> None:
        self.n_gold = self.n_pred = self.tp = self.recalled = self.n_docs = 0

    def add(self, n_gold: int, n_pred: int, tp: int, recalled: int) -> None:
        self.n_gold += n_gold
        self.n_pred += n_pred
        self.tp += tp
        self.recalled += recalled
        self.n_docs += 1

    def score(self) -> Score:
        return Score(
            tp=self.tp,
            fp=self.n_pred - self.tp,
            fn=self.n_gold - self.recalled,
            n_gold=self.n_gold,
            n_pred=self.n_pred,
            n_docs=self.n_docs,
        )


def _spans(items: Iterable[tuple[int, int, int | None]]) -> set[_Span]:
    return {(s, e, idx) for s, e, idx in items if idx is not None}


def _relaxed_match(p: int, g: int, ontology: Ontology, categories: frozenset[int]) -> bool:
    if p == g:
        return True
    if ontology.is_descendant_of(g, p):
        return p not in categories
    if ontology.is_descendant_of(p, g):
        return g not in categories
    return False


def _max_overlap_pairs(gold: set[_Span], pred: set[_Span]) -> int:
    """Size of a maximum one-to-one pairing of same-id overlapping spans (augmenting paths)."""
    gold_list = sorted(gold)
    candidates = {
        p: [i for i, g in enumerate(gold_list) if g[2] == p[2] and p[0] < g[1] and g[0] < p[1]]
        for p in sorted(pred)
    }
    owner: dict[int, _Span] = {}

    def augment(p: _Span, seen: set[int]) -> bool:
        for i in candidates[p]:
            if i in seen:
                continue
            seen.add(i)
            if i not in owner or augment(owner[i], seen):
                owner[i] = p
                return True
        return False

    return sum(augment(p, set()) for p in candidates)
