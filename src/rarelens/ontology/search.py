"""Term search in English and Chinese.

Clinicians type a word ("seizure", "癫痫"), not an id. Ranking: exact label, exact synonym,
label prefix, all query words present (as word prefixes), then plain substring; ties go to the
shorter, more general-sounding label, and obsolete terms never appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rarelens.model.scripts import CJK as _CJK
from rarelens.ontology.ontology import Ontology

_WORD = re.compile(r"[\w']+")


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class TermHit:
    index: int
    id: str
    label: str
    label_zh: str | None
    matched: str
    match: str  # label | synonym | zh-label
    score: float


@dataclass(frozen=True, slots=True)
class TermSearcher:
    ontology: Ontology
    _entries: list[tuple[int, str, str, str]] = field(init=False, repr=False)  # idx, norm, raw, kind

    def __post_init__(self) -> None:
        o = self.ontology
        entries: list[tuple[int, str, str, str]] = []
        for i, label in enumerate(o.labels):
            if o.obsolete[i]:
                continue
            entries.append((i, _norm(label), label, "label"))
            for s in o.synonyms[i]:
                if "obsolete_synonym" not in s.types:
                    entries.append((i, _norm(s.text), s.text, "synonym"))
            zh = o.labels_zh.get(i)
            if zh:
                entries.append((i, zh, zh, "zh-label"))
        object.__setattr__(self, "_entries", entries)

    def search(self, query: str, *, limit: int = 20) -> list[TermHit]:
        q = query.strip()
        if not q:
            return []
        o = self.ontology
        resolved = o.resolve(q) if q.upper().startswith("HP") else None
        if resolved is not None and resolved.index is not None:
            i = resolved.index
            return [TermHit(i, o.ids[i], o.labels[i], o.labels_zh.get(i), q, "id", 100.0)]
        chinese = bool(_CJK.search(q))
        nq = q if chinese else _norm(q)
        words = nq.split()
        best: dict[int, tuple[float, str, str]] = {}
        for idx, text, raw, kind in self._entries:
            if chinese != (kind == "zh-label"):
                continue
            score = _score(nq, words, text, chinese)
            if score <= 0:
                continue
            if kind == "synonym":
                score -= 0.5
            prev = best.get(idx)
            if prev is None or score > prev[0]:
                best[idx] = (score, raw, kind)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], len(o.labels[kv[0]]), o.ids[kv[0]]))
        return [
            TermHit(i, o.ids[i], o.labels[i], o.labels_zh.get(i), raw, kind, score)
            for i, (score, raw, kind) in ranked[:limit]
        ]


def _score(nq: str, words: list[str], text: str, chinese: bool) -> float:
    if text == nq:
        return 10.0
    if text.startswith(nq):
        return 7.0 - min(len(text) - len(nq), 40) / 40
    if chinese:
        return 4.0 - min(len(text), 40) / 40 if nq in text else 0.0
    tokens = text.split()
    if words and all(any(t.startswith(w) for t in tokens) for w in words):
        return 5.0 - min(len(tokens) - len(words), 10) / 10
    if nq in text:
        return 2.0
    return 0.0
