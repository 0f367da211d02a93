"""Chinese modifiers that make a finding more specific: 双侧感音神经性耳聋, 全身肌张力低下.

Chinese notes put a modifier straight before the finding (进行性, 反复, 双侧, 全身 …), and HPO
often has the modified finding as a child term whose English label is the parent's label with
one word in front (*Sensorineural hearing impairment* → *Bilateral sensorineural hearing
impairment*, *Hypotonia* → *Generalized hypotonia*). Neither CHPO nor the curated table can
list every such pair, so the pairs are derived from the ontology: a child counts when its label
is exactly the modifier word plus its parent's label (stems compared, so "Multiple cafe-au-lait
spots" pairs with "Cafe-au-lait spot"), or the parent's label, a comma and the modifier
("Intellectual disability, severe"). The extractor then widens a Chinese match over the
modifier in front of it to that child. English matches take the same pairs from the word right
before them ("moderate sensorineural hearing loss" → *Moderate sensorineural hearing
impairment*, whose synonyms lack "hearing loss"), so the table lives here for both languages.
"""

from __future__ import annotations

from rarelens.ontology.ontology import Ontology
from rarelens.text.english import content_key

# Chinese modifier → the English word HPO puts in front of the label.
ZH_MODIFIERS: dict[str, str] = {
    "进行性": "progressive", "渐进性": "progressive",
    "反复": "recurrent", "反复发作": "recurrent", "反复发作性": "recurrent", "复发性": "recurrent",
    "双侧": "bilateral", "双": "bilateral", "单侧": "unilateral",
    "多发": "multiple", "多发性": "multiple",
    "先天性": "congenital",
    "全身": "generalized", "全身性": "generalized", "广泛性": "generalized", "弥漫性": "generalized",
    "间歇性": "intermittent", "阵发性": "paroxysmal", "发作性": "episodic",
    "慢性": "chronic", "急性": "acute",
    "远端": "distal", "近端": "proximal",
    "重度": "severe", "严重": "severe", "轻度": "mild",
    "空腹": "fasting", "活动后": "exertional", "运动后": "exertional", "劳力性": "exertional",
}
# HPO words for one modifier: *Exertional dyspnea* but *Exercise-induced myoglobinuria*.
_SAME_MODIFIER = {"exercise-induced": "exertional"}
# A verb between the modifier and the finding (反复出现低血糖, 反复患肺炎) keeps the modifier's
# reading.
_VERBS_AFTER_MODIFIER = ("出现", "发生", "患")
_MAX_MODIFIER = max(len(m) for m in ZH_MODIFIERS)
# The English words that make such a child, read before an English finding too ("moderate
# sensorineural hearing loss"): the words above and two severities no Chinese word here maps to.
EN_MODIFIERS = frozenset(ZH_MODIFIERS.values()) | {"moderate", "profound"}


def build_modified_terms(ontology: Ontology) -> dict[tuple[int, str], int]:
    """(parent term, English modifier) → child term, for the children whose label is the
    modifier plus the parent's label, or the parent's label, a comma and the modifier
    (*Intellectual disability, severe*). Only labels that start or end with a modifier are
    compared, so this costs a few hundred key computations, not one per term."""
    out: dict[tuple[int, str], int] = {}
    labels = ontology.labels
    for child, label in enumerate(labels):
        first, _, rest = label.partition(" ")
        word = _SAME_MODIFIER.get(first.lower(), first.lower())
        if word not in EN_MODIFIERS:  # or the modifier last: "Intellectual disability, severe"
            rest, _, word = label.rpartition(", ")
            word = word.lower()
        if word not in EN_MODIFIERS or not rest or ontology.obsolete[child]:
            continue
        rest_key = content_key(rest)
        for parent in ontology.parents(child).tolist():
            if content_key(labels[parent]) == rest_key:
                out[(int(parent), word)] = child
    return out


# A modifier right after one of these is part of another word: 非进行性 (non-progressive),
# 中重度 (moderate to severe), 无/不/未 (negated).
_NOT_A_MODIFIER_AFTER = frozenset("非无不未中")


def modifier_before(text: str, start: int) -> tuple[int, str] | None:
    """(offset, English modifier) of a modifier ending right at ``start`` (the longest), or
    right before a verb that ends there (反复出现低血糖)."""
    found = _modifier_ending_at(text, start)
    if found is None:
        verb = next((v for v in _VERBS_AFTER_MODIFIER if text.endswith(v, 0, start)), None)
        if verb is not None:
            found = _modifier_ending_at(text, start - len(verb))
    return found


def _modifier_ending_at(text: str, start: int) -> tuple[int, str] | None:
    for length in range(min(_MAX_MODIFIER, start), 0, -1):
        word = ZH_MODIFIERS.get(text[start - length : start])
        if word is not None:
            at = start - length
            return None if at > 0 and text[at - 1] in _NOT_A_MODIFIER_AFTER else (at, word)
    return None
