"""A second, optional extractor: a language model proposes, the ontology and the text verify.

Language models invent HPO ids and quote words that are not in the note. Every proposal is
therefore checked: the id must resolve to a current term under Phenotypic abnormality (alt and
obsolete ids are mapped, unknown ones rejected), and the quoted span must occur in the text
(its offsets are taken from the text, never from the model). Rejections are returned with
their reason so they can be logged. The dictionary extractor stays the default; this one is
used only when a model is configured.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Protocol

from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY, Ontology
from rarelens.text.mention import Mention

_PROMPT = (
    "You annotate clinical text with Human Phenotype Ontology (HPO) terms. Return only a JSON "
    'array; each item {"text": exact words copied from the note, "hpo_id": "HP:nnnnnnn", '
    '"negated": true|false, "family": true|false}. Include only phenotypic findings.'
)
_JSON_ARRAY = re.compile(r"\[.*\]", re.DOTALL)


class ChatModel(Protocol):
    def complete(self, messages: list[dict[str, str]], *, temperature: float = 0.0) -> str: ...


@dataclass(frozen=True, slots=True)
class Rejection:
    proposal: str
    reason: str


@dataclass(frozen=True, slots=True)
class ModelExtraction:
    mentions: tuple[Mention, ...]
    rejected: tuple[Rejection, ...]


class ModelExtractor:
    def __init__(self, model: ChatModel, ontology: Ontology) -> None:
        self.model = model
        self.ontology = ontology
        self._pa = ontology.index(PHENOTYPIC_ABNORMALITY)

    def extract(self, text: str) -> ModelExtraction:
        reply = self.model.complete([{"role": "system", "content": _PROMPT}, {"role": "user", "content": text}])
        match = _JSON_ARRAY.search(reply)
        try:
            items = json.loads(match.group()) if match else None
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list):
            return ModelExtraction((), (Rejection(reply[:200], "the reply holds no JSON array"),))
        mentions: list[Mention] = []
        rejected: list[Rejection] = []
        used: set[tuple[int, int]] = set()
        for item in items:
            mention, reason = self._verify(item, text, used)
            if mention is None:
                rejected.append(Rejection(json.dumps(item, ensure_ascii=False)[:200], reason))
            else:
                used.add((mention.start, mention.end))
                mentions.append(mention)
        return ModelExtraction(tuple(sorted(mentions, key=lambda m: (m.start, m.end))), tuple(rejected))

    def _verify(self, item: object, text: str, used: set[tuple[int, int]]) -> tuple[Mention | None, str]:
        o = self.ontology
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not isinstance(item.get("hpo_id"), str):
            return None, "not an object with string 'text' and 'hpo_id'"
        quoted, hpo_id = item["text"].strip(), item["hpo_id"].strip()
        res = o.resolve(hpo_id)
        if res.index is None:
            return None, f"{hpo_id} is not an HPO term of release {o.release}"
        idx = res.index
        if o.obsolete[idx]:
            return None, f"{hpo_id} is obsolete with no replacement"
        if not o.is_descendant_of(idx, self._pa) or idx == self._pa:
            return None, f"{hpo_id} ({o.labels[idx]}) is not a phenotypic abnormality"
        if not quoted:
            return None, "empty quoted text"
        start = -1
        for m in re.finditer(re.escape(quoted), text, re.IGNORECASE):
            if (m.start(), m.end()) not in used:
                start = m.start()
                break
        if start < 0:
            return None, f"the quoted words {quoted!r} do not occur in the text"
        end = start + len(quoted)
        return Mention(
            start=start, end=end, text=text[start:end], hpo_id=o.ids[idx], label=o.labels[idx],
            label_zh=o.label_zh(idx), negated=bool(item.get("negated", False)), family=bool(item.get("family", False)),
            source="model", rule="model" + (f"; {res.issue.message}" if res.issue else ""),
        ), ""


def merge_mentions(primary: tuple[Mention, ...], extra: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Dictionary mentions plus model mentions that overlap none of them and add a new term."""
    ids = {m.hpo_id for m in primary}
    out = list(primary)
    for m in extra:
        if m.hpo_id in ids or any(m.start < p.end and p.start < m.end for p in primary):
            continue
        ids.add(m.hpo_id)
        out.append(m)
    return tuple(sorted(out, key=lambda m: (m.start, m.end)))
