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
    _Milestone(DELAYED_WALK, 18, ("独立行走", "独立走路", "独自行走", "独走", "行走", "走路", "走"),
               ("walked", "walk", "walking", "ambulation", "ambulated", "ambulate", "ambulating")),
    _Milestone(DELAYED_SPEECH, 18, ("叫爸爸妈妈", "叫爸妈", "叫人", "说话", "讲话", "说单字", "说单词"),
               ("spoke", "speak", "talked", "talk", "talking", "speaking", "first words", "first word", "words",
                "speech")),
    _Milestone(DELAYED_SPEECH, 36, ("讲短句", "说短句", "说句子", "讲句子", "说完整的句子", "说完整句子"),
               ("phrases", "sentences", "short sentences")),
)

_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_NUMBER = r"\d+(?:\.\d+)?|十[一二三四五六七八九]?|[一二两三四五六七八九]十?[一二三四五六七八九]?"
# an age: 2岁, 2岁半, 1岁3个月, 1岁零8个月, 18个月, 十个月, 1.5岁 — not a date (2023年11月)
_ZH_AGE = (rf"(?<![年\d.])(?P<n>{_ZH_NUMBER})\s*(?P<unit>岁|周岁|个月|月龄|月)(?P<half>半)?"
           rf"(?:\s*零?(?P<m>{_ZH_NUMBER})\s*个?月)?(?:余|多|左右)?")


def _skills(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ZH_SKILL = _skills(tuple(w for m in _MILESTONES for w in m.zh))
# The skill ends the clause: 会坐飞机, 会走楼梯, 不能坐太久 take an object or a complement and are
# something else; 不会走了 (no longer) is a loss.
_ZH_SKILL_END = r"(?=[，,。；;、：:！!？?\s）)]|$|稳)"
# "2岁半会走", "1岁才会独坐", "18个月方能独走", "3岁才学会走路"; not the present "现3岁会走"
# ("2岁时会叫人", with 时, says what the child could do at 2, not when it began)
_ZH_REACHED = re.compile(rf"(?<!现)(?<!现在)(?<!目前){_ZH_AGE}(?:后)?\s*(?:才|方|始)?(?:开始(?:会|能)?|学会|能|会|可以|可)"
                         rf"(?:独立|自己)?(?P<skill>{_ZH_SKILL}){_ZH_SKILL_END}")
# "3岁仍不能讲短句", "4岁不会走", "现3岁，不会说话"; not "2岁后不会走了" (lost after 2)
_ZH_NOT_YET = re.compile(rf"{_ZH_AGE}时?[，,]?\s*(?:仍然|仍|还|尚|至今)?(?:不能|不会|未能|无法|不可以|不可)"
                         rf"(?:独立|自己)?(?P<skill>{_ZH_SKILL}){_ZH_SKILL_END}")
_ZH_LOSS_AFTER = re.compile(r"\s*了")
# Only words that say how the milestone was done may stand between it and the age ("walked
# independently at 30 months"): "walking difficulties at age 8" is no milestone.
_EN_HOW = (r"(?:\s+(?:independently|alone|unaided|unsupported|freely|steadily|without\s+(?:support|aid|help)|"
           r"with\s+(?:support|aid|help)|by\s+(?:him|her)self|on\s+(?:his|her)\s+own)){0,2}")
# English is read from the age back (an age is rare in prose; a skill word anywhere is not):
# "… at 30 months", "… until the age of 3", then the words before it.
_EN_AT_AGE = re.compile(
    r"\b(?P<prep>[Aa]t|[Bb]y|[Uu]ntil|[Tt]ill)\s+(?:(?:about|approximately|around|~)\s*)?(?:the\s+)?"
    r"(?:(?P<of>age\s+(?:of\s+)?)|)(?P<n>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?:\s*(?P<unit>months?|mo|years?|yrs?|y)\b(?:\s*(?:and\s+)?(?P<m>\d+)\s*months?\b)?|(?(of)(?!\s*[-\d%/.,]\d)))")
_EN_LOOK_BACK = 90  # characters before the age searched for the milestone
_EN_WORD_NUMBERS = {w: float(i) for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))}
# After the age the clause ends ("walked at 3 years.", "… of age, and"); "walked at 3 years into
# the clinic", "talked at 2 years about monsters" are no milestones.
_EN_AFTER_REACHED = re.compile(r"\s*(?:of\s+age|old)?\s*(?:[,.;:)\]]|and\b|but\b|$)", re.IGNORECASE)
# An acquired cause makes a not-yet a loss: "unable to walk at 5 years after the stroke"
_EN_ACQUIRED_AFTER = re.compile(r"[^.;]{0,30}?\b(?:after|because|due\s+to|following|secondary\s+to|since)\b",
                                re.IGNORECASE)
# ("age " would hold "language ", "stage ": most abstracts)
_EN_UNIT_WORDS = ("month", "year", "Month", "Year", "yr", "age of")  # "24 mo", "at age 3" alone are left unread
_EN_CLAUSE_END = re.compile(r".*[.;:!?\n]")  # the milestone is in the age's own clause
# Onset, not ability: a past tense ("walked", "sat", "spoke"), "first words", or a verb of
# beginning ("began to walk", "started walking", "learned to talk"); "was already walking at 2
# years" and "could walk at 3 years" say what the child could do then, not when it began.
_EN_REACHED = re.compile(
    rf"(?<![\w-])(?:(?P<skill>walked|sat|spoke|talked|ambulated|(?:said\s+(?:his|her|their)\s+)?first\s+words?)"
    rf"|(?:began|started|learned|learnt)\s+(?:to\s+)?(?P<skill2>walk|walking|sit|sitting|talk|talking|speak|speaking)"
    rf"|(?:independent\s+)?(?P<skill3>walking|sitting|ambulation|speech)\s+(?:was\s+)?(?:achieved|attained|acquired|"
    rf"reached|began|started))\b{_EN_HOW}$", re.IGNORECASE)
# "not walking at 2 years", "unable to sit without help until 12 months", "no words at 2 years";
# not a loss ("stopped walking", "no longer walking", "lost the ability to walk")
_EN_NOT_YET = re.compile(
    rf"(?:\bnot\s+|n[’']t\s+|\bunable\s+to\s+|\bno\s+(?=(?:first\s+)?words?\b|speech\b))(?:yet\s+)?"
    rf"(?:(?:able|capable)\s+(?:to|of)\s+)?(?P<skill>walk|walking|sit|sitting|talk|talking|speak|speaking|"
    rf"(?:first\s+)?words?|speech|ambulate|ambulating)\b{_EN_HOW}$", re.IGNORECASE)
_EN_LOSS = re.compile(r"\b(?:stopp?ed|lost|loss|no\s+longer|ceased|regress\w*|unable\s+to\s+\w+\s+again|"
                      r"toe|tiptoe|read|reads|wrote|write|writes)\b[^.;]*$", re.IGNORECASE)
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
        for age in _ages(text):
            if age.group("unit") is None and age.group("of") is None:
                continue  # a bare number ("at 3") is no age
            lo = max(0, age.start() - _EN_LOOK_BACK)
            head = text[lo : age.start()].rstrip()
            if (cut := _EN_CLAUSE_END.match(head)) is not None:
                lo, head = lo + cut.end(), head[cut.end() :]
            if _EN_LOSS.search(head):
                continue
            m, not_yet = _EN_NOT_YET.search(head), True
            if m is None and age.group("prep").lower() == "at":
                m, not_yet = _EN_REACHED.search(head), False
            if m is None or "\n" in text[lo + m.end() : age.start()]:
                continue  # (a line break between them: "not walking\nAt 3 years: seizures")
            # "did not walk until 30 months" says when it began: read as reached
            if not_yet and age.group("prep").lower() in ("until", "till"):
                not_yet = False
            if not not_yet and not _EN_AFTER_REACHED.match(text, age.end()):
                continue
            if not_yet and _EN_ACQUIRED_AFTER.match(text, age.end()):
                continue
            skill = next(g for g in (m.groupdict().get(k) for k in ("skill", "skill2", "skill3")) if g)
            found = self._late(_en_skill(skill), _en_months(age), not_yet, zh=False)
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
        reached_matches = list(_ZH_REACHED.finditer(text))
        reached = [(m.start(), self._by_zh[m.group("skill")].term) for m in reached_matches]
        for matches, not_yet in ((_ZH_NOT_YET.finditer(text), True), (reached_matches, False)):
            for m in matches:
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                if not_yet:
                    taken.append(m.span())
                if not_yet and _ZH_LOSS_AFTER.match(text, m.end()):
                    continue  # 不会走了: no longer, a loss
                term = self._by_zh[m.group("skill")].term
                if not_yet and any(at < m.start() and t == term and "。" not in text[at : m.start()]
                                   for at, t in reached):
                    continue  # 1岁会走，4岁时不能走路: reached before, so a loss
                found = self._late(m.group("skill"), _months(m), not_yet, zh=True)
                if found is not None:
                    out.append(LateMilestone(m.start(), m.end(), found, True))
        return out


def _ages(text: str) -> list[re.Match[str]]:
    """`_EN_AT_AGE` matches, searched only in a window before each unit word ("month", "year",
    "age of"): a long text names few ages, and the pattern over all of it costs more."""
    found: dict[int, re.Match[str]] = {}
    for unit in _EN_UNIT_WORDS:
        i = text.find(unit)
        while i >= 0:
            # the window ends after the whole word (a cut "years" would let its "y" end a match)
            end = i + len(unit)
            while end < len(text) and text[end].isalnum():
                end += 1
            if unit == "age of":  # the age follows: "until the age of 3 years"
                while end < len(text) and (text[end].isspace() or text[end].isdigit() or text[end] == "."):
                    end += 1
                while end < len(text) and text[end].isalnum():
                    end += 1
            for m in _EN_AT_AGE.finditer(text, max(0, i - 40), end):
                found.setdefault(m.start(), m)
            i = text.find(unit, i + len(unit))
    return [found[k] for k in sorted(found)]


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
    word = m.group("n").lower()
    n = _EN_WORD_NUMBERS[word] if word in _EN_WORD_NUMBERS else float(word)
    unit = (m.group("unit") or "years").lower()  # "the age of 3" is years
    months = n * 12 if unit.startswith("y") else n
    if m.group("m") and unit.startswith("y"):
        months += float(m.group("m"))
    return months


def _en_skill(word: str) -> str:
    """The table's word for a matched skill ("first  words" → "first words")."""
    return " ".join(word.lower().split()).replace("said his ", "").replace("said her ", "").replace("said their ", "")
