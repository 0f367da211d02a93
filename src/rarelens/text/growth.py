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
# at birth: Small / Large for gestational age, Birth length less than 3rd / greater than 97th
# percentile, Microcephaly / Macrocephaly at birth
_BIRTH_TERMS = {
    "height": ("HP:0003561", "HP:0003517"),
    "head": ("HP:0000252", "HP:0004488"),
    "weight": ("HP:0001518", "HP:0001520"),
}
_EN_MEASURES = {"height": "height", "length": "height", "stature": "height", "ofc": "head",
                "occipitofrontal circumference": "head", "head circumference": "head", "hc": "head",
                "weight": "weight"}
_ZH_MEASURES = {"身高": "height", "身长": "height", "头围": "head", "体重": "weight"}
_LOW_CENTILE, _HIGH_CENTILE, _LOW_SD, _HIGH_SD = 3.0, 97.0, -2.0, 2.0

_NUM_END = r"(?!\d)(?![.,]\d)"  # the whole number: no "P1" out of "P10"
# an SD with its sign, or a size "below/above the mean" ("3 SD below the mean"); an unsigned SD
# alone ("within 2 SD", "OFC 3 SD") says no direction and is not read
_SD = (rf"(?P<sd>[+\-−–]?\s?\d+(?:\.\d+)?){_NUM_END}\s*(?:SDS?|SD\s*score|standard\s+deviations?|z)\b"
       r"(?P<sdside>\s+(?:below|under|less\s+than|above|over|greater\s+than)\s+(?:the\s+)?(?:mean|average|median|normal))?")
_SD_FIRST = rf"(?:SDS|SD\s*score|z-?score)\s*(?:of|was|is|:|=)?\s*(?P<sd2>[+\-−–]\s?\d+(?:\.\d+)?){_NUM_END}"
_CENTILE = (r"(?P<cmp>(?:(?:<|≤|＜|>|≥|below|under|less\s+than|above|over|greater\s+than|at|on|the|of|between)\s*)*)"
            rf"(?P<c>\d+(?:\.\d+)?){_NUM_END}\s*(?:st|nd|rd|th)?\s*(?:centiles?|percentiles?|%ile)\b")
_EN_MEASURE = r"height|length|stature|OFC|occipitofrontal\s+circumference|head\s+circumference|HC|weight"
# the gap never reaches past another measure ("Height 92 cm, weight 12 kg (2nd centile)") or a
# sentence end; decimals ("92.5 cm") stay inside it
_EN_GAP = rf"(?:(?!\b(?:{_EN_MEASURE}|BMI)\b)(?:\d\.\d|[^.;\n])){{0,40}}?"
_EN = re.compile(rf"\b(?P<m>{_EN_MEASURE})\b{_EN_GAP}(?:{_SD}|{_SD_FIRST}|{_CENTILE})", re.IGNORECASE)
# Not the patient's own body size: another body part's length, a parent's or target height, a
# velocity or ratio, a birth or fetal measure (small for gestational age is another finding).
_EN_NOT_BODY_BEFORE = re.compile(
    r"\b(?:ear|penile|penis|palpebral|fissure|foot|feet|hand|finger|femur|femoral|humerus|limb|leg|arm|sitting|"
    r"target|mid-?parental|predicted|parental|maternal|paternal|mother's|father's|mothers|fathers|fetal|"
    r"foetal|crown-rump|bone|kidney|renal|liver|spleen|cervical|bowel|segment)\W*$", re.IGNORECASE)
_EN_BIRTH_BEFORE = re.compile(r"\bbirth\W*$", re.IGNORECASE)
_EN_BIRTH_AFTER = re.compile(r"\s*(?:at|on)\s+birth\b", re.IGNORECASE)
_EN_NOT_BODY_AFTER = re.compile(r"\s*(?:velocity|ratio|gain|loss|for[-\s]+(?:height|length|age))\b", re.IGNORECASE)
_ZH_RANGE_AFTER = r"(?!\s*[-~～至到]\s*[+\-−–]?\s*[Pp第]?\s*\d)"  # P3-P10, -2SD~-1SD: a range, not a limit
_EN_RANGE_BEFORE = re.compile(r"\d+(?:\.\d+)?\s*(?:st|nd|rd|th)?\s*(?:-|–|—|to|and)\s*(?:the\s+)?$")
_ZH_GAP = r"(?:(?!身高|身长|头围|体重)(?:\d\.\d|[^。；;\n])){0,24}?"
_ZH_SD = rf"(?P<sd>[+\-−–]\s?\d+(?:\.\d+)?){_NUM_END}\s*(?:SDS?|个?标准差){_ZH_RANGE_AFTER}"
_ZH = re.compile(
    rf"(?P<m>身高|身长|头围|体重){_ZH_GAP}"
    rf"(?:{_ZH_SD}|(?P<below>低于|小于|<|＜|位于|在|>|＞|大于|高于)?\s*(?:同(?:年龄|龄儿?|性别同龄儿?|性别同年龄儿童)的?)?\s*"
    rf"(?:第\s*(?P<c>\d+(?:\.\d+)?){_NUM_END}\s*(?:个)?百分位(?:数|线)?|[Pp]\s*(?P<p>\d+(?:\.\d+)?){_NUM_END}(?:以下)?)"
    rf"{_ZH_RANGE_AFTER})"
)
_ZH_NOT_BODY_BEFORE = re.compile(r"(?:靶|遗传|父亲|母亲|父|母|胎儿|预测|成年)\s*$")
_ZH_BIRTH_BEFORE = re.compile(r"出生时?\s*$")
_ZH_NOT_BODY_AFTER = re.compile(r"\s*(?:增长速度|速度|增长|增加|下降)")
_NEGATION_INSIDE = re.compile(r"\b(?:not|never|no)\b|不|未|非", re.IGNORECASE)
_SD_RANGE_BEFORE = re.compile(r"SDS?\s*[-~～至到]\s*$")


@dataclass(frozen=True, slots=True)
class GrowthFinding:
    start: int
    end: int
    term: int
    zh: bool
    negated: bool = False  # "not below the 3rd centile", 不低于P3: the words inside say no


class GrowthReader:
    """One per extractor; `find` is pure."""

    def __init__(self, ontology: Ontology) -> None:
        self._index = {t: ontology.index(t) for table in (_TERMS, _BIRTH_TERMS) for pair in table.values()
                       for t in pair if t in ontology}

    def find(self, text: str, *, zh: bool) -> list[GrowthFinding]:
        out: list[GrowthFinding] = []
        if not (_may_hold_zh(text) if zh else _may_hold_en(text)):
            return out  # substring tests: the patterns cost 8 % of extraction on every abstract
        for m in (_ZH if zh else _EN).finditer(text):
            before = text[max(0, m.start() - 30) : m.start()]
            if (_ZH_NOT_BODY_BEFORE if zh else _EN_NOT_BODY_BEFORE).search(before) \
                    or (_ZH_NOT_BODY_AFTER if zh else _EN_NOT_BODY_AFTER).match(text, m.end("m")):
                continue
            measure = _ZH_MEASURES[m.group("m")] if zh else _EN_MEASURES[" ".join(m.group("m").lower().split())]
            side = _side(m, zh)
            if side is None:
                continue
            birth = (_ZH_BIRTH_BEFORE if zh else _EN_BIRTH_BEFORE).search(before) is not None \
                or (not zh and _EN_BIRTH_AFTER.match(text, m.end("m")) is not None)
            term = (_BIRTH_TERMS if birth else _TERMS)[measure][side]
            if term in self._index:
                negated = _NEGATION_INSIDE.search(text, m.end("m"), m.end()) is not None
                out.append(GrowthFinding(m.start(), m.end(), self._index[term], zh, negated))
        return out


def _may_hold_en(text: str) -> bool:
    """Whether ``text`` has a centile word or a number followed by SD."""
    if any(w in text for w in ("centile", "standard deviation", "%ile", "SDS", "SD score", "z-score", "z score")):
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
    """0 low, 1 high, None within the normal range, a range, or unreadable."""
    sd_text = m.group("sd") or (m.groupdict().get("sd2") if not zh else None)
    if sd_text:
        if m.group("sd") and _SD_RANGE_BEFORE.search(m.string, max(0, m.start("sd") - 8), m.start("sd")):
            return None  # -1SD~-2SD
        raw = re.sub(r"\s", "", sd_text).replace("−", "-").replace("–", "-")
        side = m.groupdict().get("sdside") or ""
        if not zh and m.group("sd") and raw[0] not in "+-":
            if not side:
                return None  # "within 2 SD", "OFC 3 SD": no direction
            raw = ("-" if re.search(r"below|under|less", side, re.IGNORECASE) else "+") + raw
        sd = float(raw)
        return 0 if sd <= _LOW_SD else 1 if sd >= _HIGH_SD else None
    centile = m.group("c") or (m.group("p") if zh else None)
    if centile is None:
        return None
    if not zh and _EN_RANGE_BEFORE.search(m.string, max(0, m.start("c") - 24), m.start("c")):
        return None  # "50th–98th percentile", "between the 91st and 98th": a range, not a limit
    c = float(centile)
    if zh:
        above = m.group("below") in (">", "＞", "大于", "高于")
        if c <= _LOW_CENTILE and not above:
            return 0  # 低于第3百分位 / P3以下
        return 1 if c >= _HIGH_CENTILE and above else None
    cmp = m.group("cmp") or ""
    if re.search(r"between", cmp, re.IGNORECASE):
        return None
    below = re.search(r"<|≤|＜|below|under|less", cmp, re.IGNORECASE) is not None
    above = re.search(r">|≥|above|over|greater", cmp, re.IGNORECASE) is not None
    if c <= _LOW_CENTILE and not above:
        return 0
    return 1 if c >= _HIGH_CENTILE and not below else None
