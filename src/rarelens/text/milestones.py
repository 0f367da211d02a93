"""Developmental milestones reached late, read from the age the note gives.

A developmental history says when a child sat, walked or spoke ("1岁才会坐，2岁半会走", "walked at
30 months") or that it still cannot at some age ("3岁仍不能讲短句", "not walking at 2 years"). HPO
names the finding (*Delayed ability to walk*), no label spells it with an age, and whether "会走" is
a finding depends only on the number. Each milestone below is late after an age that is beyond
the normal range for every healthy child (WHO motor milestone windows: sitting without support
by 9.2 months, walking alone by 17.6; first words by about 18 months and short sentences by
about 3 years), so an age at or under it is never read as delay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rarelens.ontology.ontology import Ontology

DELAYED_SIT, DELAYED_WALK, DELAYED_SPEECH = "HP:0025336", "HP:0031936", "HP:0000750"


@dataclass(frozen=True, slots=True)
class _Milestone:
    term: str
    late_after_months: float  # reached after this age, or not reached at an older one: delayed
    zh: tuple[str, ...]
    en: tuple[str, ...]


_MILESTONES = (
    _Milestone(DELAYED_SIT, 10, ("独坐", "坐稳", "坐"), ("sat", "sit", "sitting")),
    _Milestone(DELAYED_WALK, 18, ("独立行走", "独立走路", "独走", "行走", "走路", "走"),
               ("walked", "walk", "walking")),
    _Milestone(DELAYED_SPEECH, 18, ("叫爸爸妈妈", "叫爸妈", "叫人", "说话", "讲话", "说单字", "说单词"),
               ("spoke", "talked", "talking", "speaking", "said his first words", "said her first words",
                "first words", "first word")),
    _Milestone(DELAYED_SPEECH, 36, ("讲短句", "说短句", "说句子", "讲句子", "说完整的句子", "说完整句子"),
               ("phrases", "sentences", "short sentences")),
)

_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_NUMBER = r"\d+(?:\.\d+)?|十[一二三四五六七八九]?|[一二两三四五六七八九]十?[一二三四五六七八九]?"
# an age: 2岁, 2岁半, 1岁3个月, 18个月, 十个月, 1.5岁
_ZH_AGE = (rf"(?P<n>{_ZH_NUMBER})\s*(?P<unit>岁|周岁|个月|月龄|月)(?P<half>半)?"
           rf"(?:\s*(?P<m>{_ZH_NUMBER})\s*个?月)?(?:余|多|左右|时|后)?")


def _skills(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ZH_SKILL = _skills(tuple(w for m in _MILESTONES for w in m.zh))
_EN_SKILL = _skills(tuple(w for m in _MILESTONES for w in m.en))
# "2岁半会走", "1岁才会独坐", "18个月方能独走"
_ZH_REACHED = re.compile(rf"{_ZH_AGE}[，,]?\s*(?:才|方|始|开始)?(?:能|会|可以|可)(?:独立)?(?P<skill>{_ZH_SKILL})")
# "3岁仍不能讲短句", "4岁不会走", "现2岁尚不能独坐"
_ZH_NOT_YET = re.compile(rf"{_ZH_AGE}[，,]?\s*(?:仍然|仍|还|尚|至今)?(?:不能|不会|未能|无法|不可以|不可)"
                         rf"(?:独立|自己)?(?P<skill>{_ZH_SKILL})")
_EN_AGE = r"(?:the\s+)?(?:age\s+(?:of\s+)?)?(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>months?|mo|years?|yrs?|y)\b"
# Only words that say how the milestone was done may stand between it and the age ("walked
# independently at 30 months"): "walking difficulties at age 8" is no milestone.
_EN_HOW = (r"(?:\s+(?:independently|alone|unaided|unsupported|freely|steadily|without\s+(?:support|aid|help)|"
           r"with\s+(?:support|aid|help)|by\s+(?:him|her)self|on\s+(?:his|her)\s+own)){0,2}")
# English is read from the age back (an age is rare in prose; a skill word anywhere is not):
# "… at 30 months", then the words before it.
_EN_AT_AGE = re.compile(r"\b(?P<prep>[Aa]t|[Bb]y|[Uu]ntil|[Tt]ill)\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?"
                        r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>months?|mo|years?|yrs?|y)\b")
_EN_LOOK_BACK = 90  # characters before the age searched for the milestone
_EN_UNIT_WORDS = ("month", "year", "Month", "Year", "yr")  # "24 mo", "2 y" alone are left unread
# "walked at 30 months", "sat unsupported at 12 months", "first words at 3 years"; not "tiptoe-walking"
_EN_REACHED = re.compile(rf"(?<![\w-])(?P<skill>{_EN_SKILL})\b{_EN_HOW}$", re.IGNORECASE)  # before "at"
# "not walking at 2 years", "unable to sit without help until 12 months", "wasn't able to walk by 2 years"
_EN_NOT_YET = re.compile(
    rf"(?:\bnot\s+|n[’']t\s+|\bunable\s+to\s+)(?:yet\s+)?(?:(?:able|capable)\s+(?:to|of)\s+)?(?P<skill>{_EN_SKILL})\b"
    rf"{_EN_HOW}$", re.IGNORECASE)
# Older than this, not walking or talking is a loss (Duchenne, a stroke), not a late milestone.
_NOT_YET_MAX_MONTHS = 72
_REACHED_MAX_MONTHS = 120


@dataclass(frozen=True, slots=True)
class LateMilestone:
    start: int
    end: int
    term: int
    zh: bool


class MilestoneReader:
    """One per extractor; `find` is pure."""

    def __init__(self, ontology: Ontology) -> None:
        self._terms = {m.term: ontology.index(m.term) for m in _MILESTONES if m.term in ontology}
        self._by_zh = {w: m for m in _MILESTONES for w in m.zh}
        self._by_en = {w.lower(): m for m in _MILESTONES for w in m.en}

    def find(self, text: str, *, zh: bool) -> list[LateMilestone]:
        return self._find_zh(text) if zh else self._find_en(text)

    def _find_en(self, text: str) -> list[LateMilestone]:
        out: list[LateMilestone] = []
        # substring tests cost next to nothing; a regex over every abstract costs 3 % of extraction
        if not any(unit in text for unit in _EN_UNIT_WORDS):
            return out
        for age in _EN_AT_AGE.finditer(text):
            lo = max(0, age.start() - _EN_LOOK_BACK)
            head = text[lo : age.start()].rstrip()
            m, not_yet = _EN_NOT_YET.search(head), True
            if m is None and age.group("prep").lower() == "at":
                m, not_yet = _EN_REACHED.search(head), False
            if m is None:
                continue
            found = self._late(m.group("skill").lower(), _en_months(age), not_yet, zh=False)
            if found is not None:
                out.append(LateMilestone(lo + m.start(), age.end(), found, False))
        return out

    def _late(self, skill: str, months: float | None, not_yet: bool, *, zh: bool) -> int | None:
        """The delay term when ``skill`` at ``months`` is late, else None."""
        milestone = (self._by_zh if zh else self._by_en).get(skill)
        if months is None or milestone is None or milestone.term not in self._terms:
            return None
        if months > (_NOT_YET_MAX_MONTHS if not_yet else _REACHED_MAX_MONTHS):
            return None
        # not yet at an age past the limit, or reached only after it
        if months > milestone.late_after_months or (not_yet and months >= milestone.late_after_months):
            return self._terms[milestone.term]
        return None

    def _find_zh(self, text: str) -> list[LateMilestone]:
        out: list[LateMilestone] = []
        taken: list[tuple[int, int]] = []  # "仍不能独走" is read once, as not yet
        for pattern, not_yet in ((_ZH_NOT_YET, True), (_ZH_REACHED, False)):
            for m in pattern.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                if not_yet:
                    taken.append(m.span())
                found = self._late(m.group("skill"), _months(m), not_yet, zh=True)
                if found is not None:
                    out.append(LateMilestone(m.start(), m.end(), found, True))
        return out


def _zh_number(text: str) -> float | None:
    if text[0].isdigit():
        return float(text)
    if text.startswith("十"):
        return 10 + (_ZH_DIGITS.get(text[1:], 0) if len(text) > 1 else 0)
    if len(text) == 1:
        return _ZH_DIGITS.get(text)
    tens, rest = text[0], text[1:]
    if not rest.startswith("十"):
        return None
    return _ZH_DIGITS[tens] * 10 + (_ZH_DIGITS.get(rest[1:], 0) if len(rest) > 1 else 0)


def _months(m: re.Match[str]) -> float | None:
    n = _zh_number(m.group("n"))
    if n is None:
        return None
    unit = m.group("unit")
    months = n * 12 if unit in ("岁", "周岁") else n
    if m.group("half"):
        months += 6 if unit in ("岁", "周岁") else 0.5
    if m.group("m") and unit in ("岁", "周岁"):
        extra = _zh_number(m.group("m"))
        months += extra or 0
    return months


def _en_months(m: re.Match[str]) -> float | None:
    n = float(m.group("n"))
    return n * 12 if m.group("unit").lower().startswith("y") else n
