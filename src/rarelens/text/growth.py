"""Growth measurements read against their centile or SD: "height <3rd centile", "OFC -3 SD",
"身高低于同龄儿第3百分位", "头围 -2.5SD".

Notes give the number, not the word: a height at the 1st centile is *Short stature*, a head
circumference at −3 SD *Microcephaly*, yet no HPO label spells out a centile. The conventional
limits are used: at or below the 3rd centile or −2 SD is low, at or above the 97th centile or
+2 SD is high. A raw value without its centile or SD ("height 98 cm") is never read: the limit
depends on age and sex, which the sentence rarely states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rarelens.ontology.ontology import Ontology

# measure → (low term, high term)
_TERMS = {
    "height": ("HP:0004322", "HP:0000098"),  # Short stature, Tall stature
    "head": ("HP:0000252", "HP:0000256"),  # Microcephaly, Macrocephaly
    "weight": ("HP:0004325", "HP:0004324"),  # Decreased body weight, Increased body weight
}
_EN_MEASURES = {"height": "height", "length": "height", "stature": "height", "ofc": "head",
                "occipitofrontal circumference": "head", "head circumference": "head", "hc": "head",
                "weight": "weight"}
_ZH_MEASURES = {"身高": "height", "身长": "height", "头围": "head", "体重": "weight"}
_LOW_CENTILE, _HIGH_CENTILE, _LOW_SD, _HIGH_SD = 3.0, 97.0, -2.0, 2.0

_SD = r"(?P<sd>[+\-−–]?\s?\d+(?:\.\d+)?)\s*(?:SDS?|SD\s*score|standard\s+deviations?|z)\b"
_CENTILE = (r"(?P<cmp>(?:(?:<|≤|＜|>|≥|below|under|less\s+than|above|over|greater\s+than|at|on|the|of)\s*)*)"
            r"(?P<c>\d+(?:\.\d+)?)\s*(?:st|nd|rd|th)?\s*(?:centiles?|percentiles?|%ile)\b")
_EN = re.compile(
    r"\b(?P<m>height|length|stature|OFC|occipitofrontal\s+circumference|head\s+circumference|HC|weight)\b"
    rf"[^.;\n]{{0,40}}?(?:{_SD}|{_CENTILE})",
    re.IGNORECASE,
)
_ZH_RANGE_AFTER = r"(?!\s*[-~～至到]\s*[+\-−–]?\s*[Pp第]?\s*\d)"  # P3-P10, -2SD~-1SD: a range, not a limit
_EN_RANGE_BEFORE = re.compile(r"\d+(?:\.\d+)?\s*(?:st|nd|rd|th)?\s*(?:-|–|—|to)\s*$")
_ZH_SD = rf"(?P<sd>[+\-−–]\s?\d+(?:\.\d+)?)\s*(?:SDS?|个?标准差){_ZH_RANGE_AFTER}"
_ZH = re.compile(
    r"(?P<m>身高|身长|头围|体重)[^。；;\n]{0,24}?"
    rf"(?:{_ZH_SD}|(?P<below>低于|小于|<|＜|位于|在)\s*(?:同(?:年龄|龄儿?|性别同龄儿?|性别同年龄儿童)的?)?\s*"
    rf"(?:第\s*(?P<c>\d+(?:\.\d+)?)\s*(?:个)?百分位(?:数|线)?|[Pp]\s*(?P<p>\d+(?:\.\d+)?)(?:以下)?){_ZH_RANGE_AFTER})"
)


@dataclass(frozen=True, slots=True)
class GrowthFinding:
    start: int
    end: int
    term: int
    zh: bool


class GrowthReader:
    """One per extractor; `find` is pure."""

    def __init__(self, ontology: Ontology) -> None:
        self._index = {t: ontology.index(t) for pair in _TERMS.values() for t in pair if t in ontology}

    def find(self, text: str, *, zh: bool) -> list[GrowthFinding]:
        out: list[GrowthFinding] = []
        if not (_may_hold_zh(text) if zh else _may_hold_en(text)):
            return out  # substring tests: the patterns cost 8 % of extraction on every abstract
        for m in (_ZH if zh else _EN).finditer(text):
            measure = _ZH_MEASURES[m.group("m")] if zh else _EN_MEASURES[" ".join(m.group("m").lower().split())]
            side = _side(m, zh)
            if side is None:
                continue
            term = _TERMS[measure][side]
            if term in self._index:
                out.append(GrowthFinding(m.start(), m.end(), self._index[term], zh))
        return out


def _may_hold_en(text: str) -> bool:
    """Whether ``text`` has a centile word or a number followed by SD."""
    if "centile" in text or "standard deviation" in text or "%ile" in text:
        return True
    i = text.find("SD")
    while i >= 0:
        j = i - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        if j >= 0 and text[j].isdigit():
            return True
        i = text.find("SD", i + 2)
    return False


def _may_hold_zh(text: str) -> bool:
    return any(m in text for m in _ZH_MEASURES)


def _side(m: re.Match[str], zh: bool) -> int | None:
    """0 low, 1 high, None within the normal range or unreadable."""
    if m.group("sd"):
        sd = float(re.sub(r"\s", "", m.group("sd")).replace("−", "-").replace("–", "-"))  # "−\u20094.3"
        return 0 if sd <= _LOW_SD else 1 if sd >= _HIGH_SD else None
    centile = m.group("c") or (m.group("p") if zh else None)
    if centile is None:
        return None
    if not zh and _EN_RANGE_BEFORE.search(m.string, max(0, m.start("c") - 16), m.start("c")):
        return None  # "50th–98th percentile": a range, not a limit
    c = float(centile)
    if zh:  # 低于第3百分位 / P3以下: below the named centile
        return 0 if c <= _LOW_CENTILE else None
    cmp = m.group("cmp") or ""
    below = re.search(r"<|≤|＜|below|under|less", cmp, re.IGNORECASE) is not None
    above = re.search(r">|≥|above|over|greater", cmp, re.IGNORECASE) is not None
    if c <= _LOW_CENTILE and not above:
        return 0
    return 1 if c >= _HIGH_CENTILE and not below else None
