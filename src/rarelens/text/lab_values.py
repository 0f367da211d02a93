"""Laboratory findings in clinical text: an analyte with a direction word or a value.

Notes report "血钾降低至2.6 mmol/L", "血清肌酸激酶明显升高", "serum uric acid was 15 mg/dl" or
"elevated CK"; HPO names the finding (*Hypokalemia*, *Elevated circulating creatine kinase
concentration*) but no label or synonym spells these out, so the dictionary alone misses them.
The rules read, around each analyte name of the curated table (``lab_values.tsv``):

* a direction word after it, across a few modifiers ("明显", "进行性", "was markedly") —
  ``lab-direction``; a negation among the modifiers ("血氨未见升高", "was not elevated") makes
  the finding negated;
* a direction word before it ("elevated serum creatinine"; for electrolytes and glucose only
  with a specimen or measure word, since "high sodium" is more often a diet) — ``lab-direction``;
* a value with a unit right after it, read against the table's wide limits after converting the
  unit, or by an explicit flag (↑, ↓, (H), (L)) — ``lab-value``; a reference range ("3.5–5.5")
  or an unknown unit is never read.
Analytes listed before one direction word share it ("血乳酸、尿酸及甘油三酯均升高"). Each
finding is a span of the text, so overlap resolution and context work on it as on any match.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from rarelens.model.scripts import CJK as _CJK
from rarelens.model.scripts import CJK_RANGE
from rarelens.ontology.ontology import Ontology

HIGH, LOW = "high", "low"


@dataclass(frozen=True, slots=True)
class Analyte:
    name: str
    low_term: int | None
    high_term: int | None
    unit: str
    low: float | None  # values below are read as low (in ``unit``)
    high: float | None
    factors: tuple[tuple[str, float], ...]  # (normalised unit, factor to ``unit``)
    bare: bool  # a direction word before the bare English name is enough

    def term(self, direction: str) -> int | None:
        return self.high_term if direction == HIGH else self.low_term

    def factor(self, unit: str) -> float | None:
        """Factor from ``unit`` (as written) to the canonical unit; None for a unit not listed."""
        u = normalise_unit(unit)
        return next((f for name, f in self.factors if name == u), None)


@dataclass(frozen=True, slots=True)
class LabFinding:
    start: int
    end: int
    term: int
    rule: str  # lab-direction | lab-value
    negated: bool
    analyte: str
    zh: bool


class LabTableError(ValueError):
    """The table names an HPO id the ontology does not know, or a malformed row."""


def load_lab_table() -> list[dict[str, str]]:
    """Rows of the curated table shipped in the package (comments and header skipped)."""
    text = resources.files("rarelens.text").joinpath("lab_values.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def normalise_unit(unit: str) -> str:
    """One spelling per unit: "× 10⁹/L" and "x10^9/l" are "10^9/l", "/mm³" is "/mm3"."""
    u = unit.lower().replace("µ", "u").replace("μ", "u").replace(" ", "")
    u = u.replace("10⁹", "10^9").replace("10³", "10^3").replace("³", "3")
    u = re.sub(r"^[×x*]", "", u)
    return u.replace("10e9", "10^9").replace("10*9", "10^9")


_ZH_GAP = ("明显", "显著", "进行性", "轻度", "中度", "重度", "轻中度", "中重度", "轻微", "持续", "异常", "均", "也", "亦",
           "略", "稍", "较前", "反复", "再次", "水平", "浓度", "值", "含量", "仍", "进一步", "逐渐", "急剧", "一过性", "极度",
           "有所", "明显地", "均有", "显著性")
_ZH_NEG = ("未见", "未", "无", "不", "没有")
# No bare 高 / 低: after a one-character name they begin the next word ("低钙高磷", "钠低剂量").
_ZH_HIGH = ("升高", "增高", "偏高", "较高", "增多", "增加", "高于正常", "高达", "升至", "增至", "上升", "超标", "延长", "↑")
_ZH_LOW = ("降低", "减低", "偏低", "较低", "减少", "下降", "低至", "降至", "低于正常", "不足", "↓")
# A name right after one of these is measured elsewhere than in blood (urine, CSF, sweat, cells)
# or is another molecule (fetal haemoglobin): a circulating-concentration term would be wrong.
_OTHER_SPECIMEN = re.compile(
    r"(?:尿|24小时尿|24h尿|脑脊液|汗液?|粪便?|胸水|腹水|胎儿|细胞内|"
    r"urine|urinary|24-hour urine|24-hour urinary|24 h urine|csf|cerebrospinal fluid|sweat|stool|fecal|faecal|"
    r"intracellular|pleural|ascitic|amniotic|fetal|foetal|peritoneal|synovial|joint)\s*(?:fluid\s*)?(?:中的?|的)?\s*"
    r"(?:游离|free\s+)?$",
    re.IGNORECASE,
)
_EN_HIGH = ("elevated", "increased", "raised", "high", "abnormally high", "above normal", "above the normal range",
            "prolonged")
_EN_LOW = ("decreased", "reduced", "lowered", "low", "depressed", "abnormally low", "below normal", "below the normal range")
_EN_ADVERBS = ("markedly", "mildly", "slightly", "significantly", "severely", "moderately", "very", "persistently",
               "also", "consistently", "extremely", "highly", "strikingly", "massively", "greatly", "still", "further")
_EN_MEASURE = r"(?:levels?|concentrations?|activity|activities|counts?|values?)"
_EN_SPECIMEN = r"(?:serum|plasma|blood|circulating)"
# "85,000" is eighty-five thousand; "45,120,300" is a list of counts, not one number
_NUMBER = r"(\d{1,3},\d{3}(?![,\d])(?:\.\d+)?|\d+(?:\.\d+)?(?![,\d]))"
_UNIT = (r"((?:[×x*]\s?)?10\s?(?:\^|e|\*)?\s?[39⁹³]\s?/\s?[lLµμu][lL]?|[mµμu]?mol/[lL]|m[Ee]q/[lL]|[mµμu]?g/[dDmM]?[lL]|"
         r"[mµμu]?[Ii]?U/[mM]?[lL]|[Gg]/[lL]|/mm3|/mm³|/[µμu][lL]|%)")
def _alt(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _trie(words: tuple[str, ...]) -> str:
    """One regex for many literal names, branching a character at a time: a plain alternation
    of 200 names is tried name by name at every position (0.8 ms per abstract), a trie once."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(root)


def _lengthened_untimed(high_word: str | None, a: Analyte) -> bool:
    """延长 / "prolonged" said of an analyte that is no time ("prolonged ACTH therapy")."""
    return (high_word or "").lower() in _LENGTHENED and a.unit != "s"


def _glued(text: str, start: int) -> bool:
    """A Latin name joined to the word before it ("VCA-IgM", "抗tTG-IgA", "xCK"): part of
    another name (an antibody, a test), not the analyte."""
    return start > 0 and (text[start - 1] == "-" or (text[start - 1].isascii() and text[start - 1].isalnum()))


_ABBREVIATION_BODY = r"[(（][A-Za-z0-9+-]{1,8}[)）]"
_ABBREVIATION = rf"(?:\s*{_ABBREVIATION_BODY})?"  # "肌酸激酶 (CK) 升高", "creatine kinase (CK) was"
_ZH_AFTER = re.compile(
    rf"{_ABBREVIATION}\s*(?:{_alt(_ZH_GAP)})*(?P<neg>{_alt(_ZH_NEG)})?(?:{_alt(_ZH_GAP)})*"
    rf"(?:(?P<high>{_alt(_ZH_HIGH)})|(?P<low>{_alt(_ZH_LOW)}))"
)
_EN_AFTER = re.compile(
    rf"{_ABBREVIATION}(?:\s+{_EN_MEASURE})?\s+(?:(?:was|were|is|are|remained|became|being|appeared)\s+)?"
    rf"(?:(?:{_alt(_EN_ADVERBS)})\s+)*(?P<neg>not\s+|never\s+)?(?:(?:{_alt(_EN_ADVERBS)})\s+)*"
    rf"(?:(?P<high>{_alt(_EN_HIGH)})|(?P<low>{_alt(_EN_LOW)}))\b(?![-\s]normal)",
    re.IGNORECASE,
)
# "延长" / "prolonged" raise only a time (APTT, PT): "ACTH 延长至6周", "prolonged cortisol exposure"
# are a course of treatment or exposure.
_LENGTHENED = frozenset({"延长", "prolonged"})
# "皮质醇升高正常", "rose normally": a test's expected rise, no finding
_ZH_NORMAL_RISE = re.compile(r"\s*(?:正常|良好|满意)")
_EN_BEFORE = re.compile(
    rf"\b(?:(?P<high>{_alt(_EN_HIGH)})|(?P<low>{_alt(_EN_LOW)}))\s+(?P<spec>{_EN_SPECIMEN}\s+)?$", re.IGNORECASE
)
# "Na (urine) 10 mmol/L", "K (sweat)": the specimen named after the analyte
_SPECIMEN_AFTER = re.compile(r"\s*[(（]\s*(?:urine|urinary|spot\s+urine|sweat|csf|stool|fluid|ascit\w*|pleural|尿|汗|脑脊液)",
                             re.IGNORECASE)
# "K 7.8 mmol/L (haemolysed)": an artefact of the sample, not the patient's value
_HAEMOLYSED_AFTER = re.compile(r"[^.;。；\n]{0,25}?(?:ha?emoly[sz]ed|ha?emolysis|溶血)", re.IGNORECASE)
# "a low cholesterol diet", "high sodium intake": an amount eaten, not a finding
_EN_NOT_FINDING_AFTER = re.compile(r"[-\s]+(?:diets?|intakes?|supplements?|supplementation|content|formula)\b", re.IGNORECASE)
_EN_MEASURE_AFTER = re.compile(rf"\s+{_EN_MEASURE}\b", re.IGNORECASE)
_VALUE = re.compile(
    rf"{_ABBREVIATION}\s*(?:{_EN_MEASURE}\s*)?(?:[:：=]|为|是|达|约|was|were|is|of|at)?\s*(?:(?:高达|低至|升至|降至|增至|至)\s*)?"
    rf"{_NUMBER}\s*{_UNIT}(?P<flag>\s*(?:↑|↓|\(H\)|\(L\)|（H）|（L）))?",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\s*(?:-|–|~|～|to)\s*\d")
_DIR_VALUE = re.compile(rf"\s*(?:至|到|为|达|to|of|at)?\s*{_NUMBER}\s*{_UNIT}", re.IGNORECASE)
# Analytes listed before one direction word; a comma is not a list ("予补钾，血钠降低").
_ZH_LIST = re.compile(r"\s*(?:、|及|和|与|以及)\s*")
# Chinese right after the analyte (a bracketed abbreviation may sit between) makes it a Chinese
# finding; spaces and tabs only, so an analyte at a line end does not take the next line's language.
_CJK_NEXT = re.compile(rf"[ \t]*(?:{_ABBREVIATION_BODY}[ \t]*)?[{CJK_RANGE}]")
_WORD = re.compile(r"[A-Za-z0-9]+")  # an analyte name's first word: analyte names are ASCII
_WORD_CHAR = re.compile(r"[A-Za-z0-9+-]")  # ASCII only: "ALT升高" ends at 升; "CK-MB" is not CK


def _first_word(name: str) -> str:
    m = _WORD.match(name)
    assert m is not None, name  # checked by _row_names
    return m.group().lower()


def _row_names(row: dict[str, str], n: int) -> list[str]:
    """The row's English and Chinese names; a name with Latin letters must start with one (or
    a digit), because English names are found by their first word."""
    names = [x.strip() for col in ("en", "zh") for x in (row.get(col) or "").split("|") if x.strip()]
    for name in names:
        if not _CJK.match(name) and _WORD.match(name) is None:
            raise LabTableError(f"lab_values.tsv row {n} ({row.get('analyte')}): name {name!r} must start with a letter or digit")
    return names


class LabReader:
    """Compiled from the table once per ontology; ``find`` is pure."""

    def __init__(self, ontology: Ontology, rows: list[dict[str, str]] | None = None, *, strict: bool = False) -> None:
        """``strict``: an id the ontology lacks is an error (the shipped table is checked so
        against the embedded release); otherwise it is left out and listed in ``skipped``, so
        an older or trimmed ontology still gets the rules it can express."""
        self.analytes: list[Analyte] = []
        self.skipped: list[str] = []
        self._names: dict[str, int] = {}  # lower-case name (case-insensitive ones) → analyte
        self._names_cs: dict[str, int] = {}  # names matched as written (abbreviations, CJK)
        for n, row in enumerate(rows if rows is not None else load_lab_table(), start=1):
            try:
                analyte, names = self._analyte(ontology, row, n), _row_names(row, n)
            except LabTableError as exc:
                if strict:
                    raise
                self.skipped.append(str(exc))
                continue
            self.analytes.append(analyte)
            for name in names:
                # CJK names and abbreviations (all capitals) as written, others in any case
                if _CJK.match(name) or name.upper() == name:
                    self._names_cs[name] = len(self.analytes) - 1
                else:
                    self._names[name.lower()] = len(self.analytes) - 1
        self._compile_scans()

    def _compile_scans(self) -> None:
        """English names: one C-level scan of the lower-cased text for their first words (ASCII
        word boundaries, so "ALT升高" and "肝功能ALT" count), then a check of the whole name;
        an alternation of 200 names at every position cost 0.8 ms per abstract, a Python loop
        over the tokens 0.1 ms. CJK names: one scan, when the text has CJK at all. An empty
        trie would match the empty string everywhere, so no names means no scan."""
        self._by_first: dict[str, list[tuple[str, int, bool]]] = {}
        for name, k in self._names.items():
            self._by_first.setdefault(_first_word(name), []).append((name, k, False))
        for name, k in self._names_cs.items():
            if name.isascii():
                self._by_first.setdefault(_first_word(name), []).append((name, k, True))
        for options in self._by_first.values():
            options.sort(key=lambda x: -len(x[0]))
        zh = tuple(k for k in self._names_cs if not k.isascii())
        self._first = re.compile(rf"\b(?:{_trie(tuple(self._by_first))})\b", re.ASCII) if self._by_first else None
        self._zh = re.compile(_trie(zh)) if zh else None

    def _names_in(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, analyte) of the names in ``text``, left to right, longest first."""
        found = []
        lower = text.lower()
        if len(lower) != len(text):  # a character whose lower case is longer: offsets differ
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        for m in self._first.finditer(lower) if self._first is not None else ():
            start = m.start()
            for name, k, exact in self._by_first[m.group()]:
                end = start + len(name)
                if (text[start:end] == name if exact else lower[start:end] == name) and not _WORD_CHAR.match(text, end) \
                        and not _glued(text, start):
                    found.append((start, end, k))
                    break
        if self._zh is not None and _CJK.search(text):
            found += [(m.start(), m.end(), self._names_cs[m.group()]) for m in self._zh.finditer(text)
                      if not (m.group()[0].isascii() and _glued(text, m.start()))]
        found.sort(key=lambda x: (x[0], -x[1]))
        out: list[tuple[int, int, int]] = []
        for f in found:
            if not out or f[0] >= out[-1][1]:
                out.append(f)
        return out

    @staticmethod
    def _analyte(onto: Ontology, row: dict[str, str], n: int) -> Analyte:
        def term(key: str) -> int | None:
            value = (row.get(key) or "").strip()
            if not value:
                return None
            if value not in onto or onto.obsolete[onto.index(value)]:
                raise LabTableError(f"lab_values.tsv row {n} ({row.get('analyte')}): {key} {value} is not a current HPO term")
            return onto.index(value)

        def number(key: str) -> float | None:
            value = (row.get(key) or "").strip()
            return float(value) if value else None

        unit = normalise_unit(row["unit"])
        factors = [(unit, 1.0)]
        try:
            for item in filter(None, (row.get("units") or "").split("|")):
                u, _, f = item.partition("=")
                factors.append((normalise_unit(u), float(f)))
            low, high = number("low"), number("high")
        except ValueError as exc:
            raise LabTableError(f"lab_values.tsv row {n} ({row.get('analyte')}): {exc}") from None
        return Analyte(row["analyte"], term("hpo_low"), term("hpo_high"), unit, low, high,
                       tuple(factors), row.get("bare", "yes").strip() == "yes")

    def find(self, text: str) -> list[LabFinding]:
        """The laboratory findings of ``text``, in text order of their analytes."""
        out: list[LabFinding] = []
        pending: list[tuple[int, int, int]] = []  # analytes of a list waiting for its direction word
        for start, end, k in self._names_in(text):
            if pending and not _ZH_LIST.fullmatch(text[pending[-1][1] : start]):
                pending = []
            if _OTHER_SPECIMEN.search(text, max(0, start - 30), start) or _SPECIMEN_AFTER.match(text, end):
                continue  # 尿钾, urinary calcium, CSF glucose, 胎儿血红蛋白, Na (urine)
            # CJK grammar when the name is CJK or Chinese follows it ("ALT升高", "CK 明显增高")
            a, zh = self.analytes[k], bool(_CJK.match(text, start) or _CJK_NEXT.match(text, end))
            found = self._after(text, start, end, a, zh) or self._before(text, start, end, a, zh)
            if found is not None:
                out.append(found)
                direction = HIGH if found.term == a.high_term else LOW
                out.extend(self._shared(pending, direction, found))
                pending = []
            else:
                value = self._value(text, start, end, a, zh)
                if value is not None:
                    out.append(value)
                    pending = []
                else:
                    pending.append((start, end, k))
        return out

    def _shared(self, pending: list[tuple[int, int, int]], direction: str, last: LabFinding) -> Iterator[LabFinding]:
        for start, end, k in pending:
            term = self.analytes[k].term(direction)
            if term is not None:
                yield LabFinding(start, end, term, "lab-direction", last.negated, self.analytes[k].name, last.zh)

    def _after(self, text: str, start: int, end: int, a: Analyte, zh: bool) -> LabFinding | None:
        d = (_ZH_AFTER if zh else _EN_AFTER).match(text, end)
        if d is None:
            return None
        direction = HIGH if d.group("high") else LOW
        term = a.term(direction)
        if term is None or _lengthened_untimed(d.group("high"), a) or (zh and _ZH_NORMAL_RISE.match(text, d.end())):
            return None
        stop = d.end()
        v = _DIR_VALUE.match(text, stop)
        if v is not None and not _RANGE.match(text, v.end(1)):
            stop = v.end()
        return LabFinding(start, stop, term, "lab-direction", bool(d.group("neg")), a.name, zh)

    def _before(self, text: str, start: int, end: int, a: Analyte, zh: bool) -> LabFinding | None:
        if zh:
            return None
        b = _EN_BEFORE.search(text, max(0, start - 40), start)
        if b is None:
            return None
        measure = _EN_MEASURE_AFTER.match(text, end)
        if _EN_NOT_FINDING_AFTER.match(text, measure.end() if measure else end):
            return None
        name = text[start:end].lower()
        if not (a.bare or b.group("spec") or measure or name.split()[0] in ("serum", "plasma", "blood")):
            return None
        term = a.term(HIGH if b.group("high") else LOW)
        if term is None or _lengthened_untimed(b.group("high"), a):
            return None
        return LabFinding(b.start(), measure.end() if measure else end, term, "lab-direction", False, a.name, zh)

    def _value(self, text: str, start: int, end: int, a: Analyte, zh: bool) -> LabFinding | None:
        v = _VALUE.match(text, end)
        if v is None or _RANGE.match(text, v.end(1)) or _RANGE.match(text, v.end()):
            return None
        flag = (v.group("flag") or "").strip().upper()
        if flag:
            direction: str | None = HIGH if flag in ("↑", "(H)", "（H）") else LOW
        else:
            factor = a.factor(v.group(2))
            if factor is None:
                return None
            value = float(v.group(1).replace(",", "")) * factor
            direction = LOW if a.low is not None and value < a.low else HIGH if a.high is not None and value > a.high else None
        term = a.term(direction) if direction else None
        if term is None or _HAEMOLYSED_AFTER.match(text, v.end()):
            return None
        return LabFinding(start, v.end(), term, "lab-value", False, a.name, zh)
