"""Whether a finding is the patient's own and asserted: negation, uncertainty, family, history.

English follows NegEx (Chapman et al. 2001): a trigger phrase opens a scope that runs forward
(or, for post-triggers, backward) to the end of the clause; pseudo-triggers ("no increase",
"with or without") are consumed first so they open nothing; a trigger inside the matched
mention itself ("Absent thumb", "肌无力") never negates it. Chinese uses the same scheme with
Chinese cues, clause ends at ，。；, and list separators (、 及 和) inside the scope.

Each rule that fires is recorded by name so a curator can see why a finding was dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

# ---- English -----------------------------------------------------------------------------

_EN_PSEUDO = [
    r"with or without", r"no (?:further|significant )?(?:increase|change|improvement|longer)",
    r"not (?:only|necessarily|certain whether)", r"no evidence of progression", r"gram negative",
    r"presence or absence of", r"(?:was|were) not found to", r"not ruled out", r"cannot be ruled out", r"can not be ruled out", r"could not be ruled out",
]
_EN_PRE_NEG = [
    r"no", r"not", r"without", r"denie[sd]", r"deny(?:ing)?", r"negative for", r"free of",
    r"absence of", r"no evidence of", r"no signs? of", r"no history of", r"never",
    r"neither", r"nor",
    r"did not (?:have|show|develop|exhibit|present with)", r"does not (?:have|show)",
    r"(?:had|has|have|showed|shows) no", r"non",
]
_EN_POST_NEG = [
    r"(?:was|were|is|are) (?:absent|not (?:present|seen|observed|detected|found|noted))",
    r"(?:was|were|is|are|been) ruled out", r"(?:was|were|is|are) excluded",
    r"(?:was|were|is|are) negative", r"not (?:seen|observed|detected|found)",
    r"(?:was|were|is|are) denied",
]
_EN_PRE_UNCERTAIN = [
    r"possible", r"possibly", r"probable", r"probably", r"suspected", r"suspicion of",
    r"questionable", r"suspicious for", r"r/o", r"rule out", r"concern for", r"may have",
    r"unclear whether", r"uncertain whether", r"unknown whether", r"not known whether", r"unclear if",
]
_EN_RELATIVE = (r"(?:mother|father|mum|mom|dad|sisters?|brothers?|siblings?|sibs?|twins?|aunts?|uncles?|"
                r"grand(?:mother|father|parent)s?|cousins?|parents?|sons?|daughters?|nieces?|nephews?|relatives?)")
_EN_KIN = r"(?:maternal|paternal|older|younger|elder|half)"
_EN_PAIR_AFTER = rf"(?!\s+(?:and|&)\s+(?:her\s+|his\s+|a\s+)?(?:\d+\s+)?{_EN_RELATIVE}\b|\s+and\s+\d+\s+children)"
# A relative named before the finding in its sentence: after a possessive ("her mother", "the
# proband's brother", "the mother of the patient"), with a kin word ("maternal uncles", "older
# brother", "two half-brothers"), after "has a" ("she has a brother with"), or as the sentence's
# subject ("Mother has epilepsy", matched at the sentence start by _EN_RELATIVE_SUBJECT). Not "two
# siblings", "both sisters", "a mother and son with …": in case reports those are the patients.
_EN_FAMILY = re.compile(
    r"\bfamily history\b|\bFHx?\b|"
    rf"\b(?:his|her|their|(?:the\s+)?(?:patient|proband|child|boy|girl|infant|baby)'s)\s+(?:{_EN_KIN}[\s-]+)*"
    rf"{_EN_RELATIVE}\b|"
    rf"\b(?:the\s+)?{_EN_RELATIVE}\s+of\s+(?:the|our)\s+(?:patient|proband|child|index|boy|girl)\b|"
    rf"\bha(?:s|ve|d)\s+(?:a|an|one|two|three)\s+(?:{_EN_KIN}[\s-]+)*{_EN_RELATIVE}\b|"
    rf"\b(?:(?:a|an|one|two|three|four|both)\s+)?(?:{_EN_KIN}[\s-]+)+{_EN_RELATIVE}\b{_EN_PAIR_AFTER}",
    re.IGNORECASE,
)
_EN_FAMILY_WORDS = ("mother", "father", "sister", "brother", "sib", "aunt", "uncle", "grand", "cousin", "parent",
                     "son", "daughter", "mum", "mom", "dad", "twin", "niece", "nephew", "relative", "family", "fh")
_EN_RELATIVE_SUBJECT = re.compile(rf"\W*(?:{_EN_KIN}[\s-]+)*{_EN_RELATIVE}\b{_EN_PAIR_AFTER}", re.IGNORECASE)
# … unless the patient comes back after it ("her mother noticed that she had seizures", "Mother is
# worried about his seizures"), or the relative only reports, brings or refers ("Mother reports
# frequent falls", "referred by her parents for hypotonia"), or is a case report's patient
# ("Brothers aged 4 and 7 years presented with"): the patient's own.
_EN_PATIENT_AFTER_RELATIVE = re.compile(
    r"\b(?:the patient|our patient|the proband|the child|the boy|the girl|he|she|him|his|her|their\s+(?:son|daughter|child)|"
    r"(?:his|her)\s+(?:son|daughter))\b", re.IGNORECASE)
_EN_RELATIVE_REPORTS = re.compile(
    r"\b(?:reports?|reported|noticed|notices|notes|noted|describes?|described|says|said|states?|stated|feels|felt|"
    r"observed|brought|brings|referred|took|worried|concerned|presented|presents|aged)\b", re.IGNORECASE)
_EN_HISTORY = re.compile(r"\b(?:history of|previously|prior|past|formerly|in childhood)\b", re.IGNORECASE)
_EN_TERMINATORS = re.compile(
    r"\b(?:but|however|although|though|except|apart from|aside from|which|who|whereas|while|yet|"
    r"whom|whose|secondary to|due to|because|presented with|presents with|complain(?:s|ed)? of)\b|[;:]",
    re.IGNORECASE,
)
# Sentence ends; a start is a match's end. Each alternative begins with a character to look for
# (not a look-behind tried at every offset): twice as fast, and the same starts on every corpus
# text, but for an empty "sentence" between 。 and a blank line.
_SENTENCE = re.compile(r"[.!?]\s+(?=[A-Z(\[])|\n\s*\n|[。！？；;]")
_CLAUSE_EN = re.compile(r"[;:()\[\]]|\.(?=\s|$)")


def _alt(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + r")(?![\w-])", re.IGNORECASE)


_EN_PSEUDO_RE = _alt(_EN_PSEUDO)
_EN_PRE_NEG_RE = _alt(_EN_PRE_NEG)
_EN_POST_NEG_RE = _alt(_EN_POST_NEG)
_EN_UNCERTAIN_RE = _alt(_EN_PRE_UNCERTAIN)
# Every English cue above holds one of these words with no word character either side (inner
# words of a cue sit between spaces). A sentence with none of them cannot flag anything, so its
# findings skip the scope search: 70 % of GSC+ sentences. tests/text/test_context.py checks
# that each cue is covered.
EN_CUE_WORDS = frozenset({
    "no", "not", "without", "denies", "denied", "deny", "denying", "negative", "free", "absence",
    "never", "neither", "nor", "non", "absent", "ruled", "excluded",
    "possible", "possibly", "probable", "probably", "suspected", "suspicion", "questionable",
    "suspicious", "r", "rule", "concern", "may", "unclear", "uncertain", "unknown", "known",
    "history", "previously", "prior", "past", "formerly", "childhood",
    "family", "fh", "fhx", "mother", "father", "sister", "brother", "sibling", "siblings", "aunt",
    "uncle", "grandmother", "grandfather", "grandparent", "grandparents", "cousin", "parent",
    "parents", "son", "daughter", "mum", "mom", "dad", "sisters", "brothers", "sib", "sibs",
    "aunts", "uncles", "grandmothers", "grandfathers", "cousins", "sons", "daughters", "niece", "nieces",
    "nephew", "nephews",
})  # not "relative(s)" or "twin(s)": common in abstracts ("relative risk"), read only beside another cue
_EN_SCOPE_WORDS = 6  # a trigger reaches this many words forward at most (NegEx uses 5–6) …
# "non" negates only the word right after it: "non dysmorphic", but "non progressive ataxia"
# is ataxia that does not progress.
_EN_SHORT_SCOPE = {"not": 2, "non": 0, "neither": 3, "nor": 2, "never": 3}  # … these, fewer

# ---- Chinese -----------------------------------------------------------------------------

_ZH_PSEUDO = ["无明显诱因", "无诱因", "无明确诱因", "无明显原因", "无原因", "不明原因", "原因不明",
              "未明原因", "无法", "不能除外", "不除外", "未能", "无论", "未成年", "未足月", "无菌"]
_ZH_PRE_NEG = ["否认", "未见", "未发现", "未出现", "未诉", "未闻及", "未触及", "未引出", "未及", "未再",
               "未有", "并无", "从无", "均无", "无", "没有", "不伴有", "不伴", "不合并", "排除", "未见明显",
               "无明显", "未发生", "未曾"]
_ZH_POST_NEG = ["阴性", "(-)", "（-）", "未见", "未见异常", "消失了", "已排除", "不明显"]
_ZH_UNCERTAIN = ["可能", "疑似", "可疑", "待排", "待查", "不除外", "不能除外", "考虑为", "？", "?"]
_ZH_FAMILY = re.compile(r"家族史|家族中|家系中|父亲|母亲|父母|其父|其母|哥哥|姐姐|弟弟|妹妹|兄弟|姐妹|"
                        r"其兄|其姐|其弟|其妹|胞兄|胞姐|胞弟|胞妹|"
                        r"同胞|祖父|祖母|外祖|爷爷|奶奶|外公|外婆|舅|姨|姑|叔|伯|表[兄弟姐妹]|堂[兄弟姐妹]|亲属|患儿母|患儿父")
_ZH_PSEUDO_RE = re.compile("|".join(sorted(map(re.escape, _ZH_PSEUDO), key=len, reverse=True)))
# 无热 right before a seizure word is "afebrile" (无热抽搐, 无热性惊厥: seizures without fever),
# not a negation of the seizure; 无发热 or 无热， still negate what follows, and so does 无 in
# 有无热惊厥史 (whether) or before a history (无热惊厥史, 无热惊厥家族史: none of febrile seizures).
_ZH_AFEBRILE = re.compile(r"无热性?$")
_ZH_SEIZURE_START = ("抽", "惊", "癫", "发作", "痫", "强直", "阵挛", "肌阵挛", "失神", "痉挛")
_ZH_AFEBRILE_AT = re.compile(
    r"无热性?(?P<seizure>抽搐|抽风|惊厥|癫痫|发作|痫性发作|强直|阵挛|肌阵挛|失神|痉挛)"
    r"(?P<rest>[^，,。；;！!？?\n]{0,8})")


def afebrile_at(text: str, i: int) -> bool:
    """Whether the 无 at ``i`` begins 无热(性) + a seizure word meaning "afebrile" (无热抽搐),
    not "no febrile seizure" (有无热惊厥史, 无热惊厥家族史)."""
    m = _ZH_AFEBRILE_AT.match(text, i)
    return m is not None and text[i - 1 : i] != "有" and "史" not in m.group("rest")
_ZH_PATIENT = re.compile(r"患儿|患者|本人|病人")
_ZH_HISTORY = re.compile(r"既往|曾[经有患]?|以往|幼时|病史|史[，。；]")
_ZH_CLAUSE = re.compile(r"[，,。；;！!？\n]")
_ZH_TERMINATORS = re.compile(r"但|但是|然而|可见|伴有|出现|现有|遂|后")
# … but a negation followed only by course words and the verb still reaches the finding:
# 无反复出现低血糖, 未再反复出现抽搐.
_ZH_NEGATED_VERB = re.compile(r"\s*(?:再次|再|又|反复|明显)*(?:出现|发生)\s*")


@dataclass(frozen=True, slots=True)
class Context:
    negated: bool = False
    uncertain: bool = False
    family: bool = False
    historical: bool = False
    rule: str = ""


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start (0 first); computed once per text."""
    return [0] + [m.end() for m in _SENTENCE.finditer(text)]


# A "sentence" is cut to this many characters either side of the finding: text without
# sentence ends (a pasted table, a run-on dictation) would otherwise make every finding search
# the whole text, quadratic in its length. Cues reach a few words (NegEx scope), a family
# cue one sentence; 1,000 characters is about 150 words.
_CONTEXT_CHARS = 1000


def _sentence_bounds(text: str, start: int, end: int, starts: list[int] | None) -> tuple[int, int]:
    starts = starts if starts is not None else sentence_starts(text)
    i = bisect_right(starts, start) - 1
    lo = starts[max(i, 0)]
    j = bisect_right(starts, max(end - 1, start))
    hi = starts[j] if j < len(starts) else len(text)
    return max(lo, start - _CONTEXT_CHARS), min(hi, end + _CONTEXT_CHARS)


def _clause_bounds(text: str, start: int, end: int, lo: int, hi: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    s = lo
    for m in pattern.finditer(text, lo, start):
        s = m.end()
    m2 = pattern.search(text, end, hi)
    return s, (m2.start() if m2 else hi)


def _masked(text: str, pattern: re.Pattern[str], lo: int, hi: int) -> str:
    """The slice with pseudo-triggers blanked out (same length, so offsets still hold)."""
    chunk = text[lo:hi]
    return pattern.sub(lambda m: " " * len(m.group()), chunk)


def english_cue_sentences(text: str, cue_offsets: Iterable[int], starts: list[int]) -> set[int]:
    """Indices (into ``starts``) of the sentences `english_context` has to search: those with a
    cue word (``cue_offsets``: where the tokenizer flagged one of `EN_CUE_WORDS`) and those with
    any non-ASCII character, as the cues match case-insensitively in Unicode ("ſ" is an "s")
    and the tokenizer reads ASCII words. A finding in any other sentence has the default
    `Context`: each cue needs one of these words with no word character either side, and a
    finding's span starts and ends at token boundaries, so masking it cannot make one."""
    out = {bisect_right(starts, at) - 1 for at in cue_offsets}
    if not text.isascii():
        bounds = [*starts, len(text)]
        out.update(i for i in range(len(starts)) if not text[bounds[i] : bounds[i + 1]].isascii())
    return out


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with other mentions blanked: a cue word inside a finding ("Absent thumb",
    "肌无力") belongs to that finding and must not negate its neighbours."""
    parts: list[str] = []
    pos = 0
    for s, e in sorted(spans):
        s = max(s, pos)  # overlapping spans (a coordination over a chosen match) blank once
        if e > s:
            parts += (text[pos:s], "\0" * (e - s))
            pos = e
    parts.append(text[pos:])
    return "".join(parts)


def english_context(text: str, start: int, end: int, starts: list[int] | None = None) -> Context:
    """Context of text[start:end]; ``text`` should have the mentions masked, ``starts`` are
    its sentence starts (see `sentence_starts`)."""
    s_lo, s_hi = _sentence_bounds(text, start, end, starts)
    c_lo, c_hi = _clause_bounds(text, start, end, s_lo, s_hi, _CLAUSE_EN)
    before = _masked(text, _EN_PSEUDO_RE, c_lo, start)
    # Pre-triggers: the scope stops at a terminator and after _EN_SCOPE_WORDS words.
    negated, uncertain, rule = False, False, ""
    for m in _EN_PRE_NEG_RE.finditer(before):
        gap = before[m.end() :]
        limit = _EN_SHORT_SCOPE.get(m.group().lower(), _EN_SCOPE_WORDS)
        if _EN_TERMINATORS.search(gap) or len(gap.split()) > limit:
            continue
        negated, rule = True, f"pre-negation:{m.group().lower()}"
    after = _masked(text, _EN_PSEUDO_RE, end, c_hi)
    if not negated:
        post = _EN_POST_NEG_RE.search(after)
        if post and not _EN_TERMINATORS.search(after[: post.start()]) and len(after[: post.start()].split()) <= 4:
            negated, rule = True, f"post-negation:{post.group().lower()}"
    for m in _EN_UNCERTAIN_RE.finditer(before):
        gap = before[m.end() :]
        if not _EN_TERMINATORS.search(gap) and len(gap.split()) <= 4:
            uncertain = True
            rule = rule or f"uncertain:{m.group().lower()}"
    family = False
    head = text[s_lo:start].lower()
    # substring tests first: most sentences name no relative, and the patterns are not cheap
    named = any(w in head for w in _EN_FAMILY_WORDS)
    cues = list(_EN_FAMILY.finditer(text, s_lo, start)) if named else []
    if named and (subject := _EN_RELATIVE_SUBJECT.match(text, s_lo, start)) is not None:
        cues.insert(0, subject)
    for m in cues:
        if text[max(s_lo, m.start() - 3) : m.start()].lower() == "by ":
            continue  # "referred by her parents": the agent, not the finding's owner
        if re.search(r"(?:son|daughter|child)s?$", m.group(), re.IGNORECASE) \
                and _EN_RELATIVE_REPORTS.search(text, s_lo, m.start()):
            family = False  # "Father reported that his son has tremor": the son is the patient
            continue
        family = not (_EN_PATIENT_AFTER_RELATIVE.search(text, m.end(), start)
                      or _EN_RELATIVE_REPORTS.search(text, m.end(), start))
    historical = bool(_EN_HISTORY.search(text[c_lo:start]))
    if family and not rule:
        rule = "family"
    return Context(negated, uncertain, family, historical, rule)


def chinese_context(
    text: str, start: int, end: int, starts: list[int] | None = None, finding: str = ""
) -> Context:
    """As `english_context`, with Chinese cues; ``finding`` is the finding's own wording (the
    caller may have blanked it in ``text``)."""
    s_lo, s_hi = _sentence_bounds(text, start, end, starts)
    c_lo, c_hi = _clause_bounds(text, start, end, s_lo, s_hi, _ZH_CLAUSE)
    before = _masked(text, _ZH_PSEUDO_RE, c_lo, start)
    own = finding or text[start:end]
    if own.startswith(_ZH_SEIZURE_START) and (m := _ZH_AFEBRILE.search(before)) is not None:
        # the words round 无热 as written (the caller may have blanked the finding in ``text``)
        prev = before[m.start() - 1 : m.start()]
        if afebrile_at(prev + before[m.start():] + own + text[end:c_hi], len(prev)):
            before = before[: m.start()] + " " * (len(before) - m.start())
    negated, uncertain, rule = False, False, ""
    best = -1
    for cue in _ZH_PRE_NEG:
        pos = before.rfind(cue)
        between = before[pos + len(cue) :]
        if pos > best and (not _ZH_TERMINATORS.search(between) or _ZH_NEGATED_VERB.fullmatch(between)):
            best, rule = pos, f"pre-negation:{cue}"
    negated = best >= 0
    after = text[end:c_hi]
    if not negated:
        for cue in _ZH_POST_NEG:
            pos = after.find(cue)
            if pos >= 0 and pos <= 6:
                negated, rule = True, f"post-negation:{cue}"
                break
    for cue in _ZH_UNCERTAIN:
        if cue in before or cue in after[:4]:
            uncertain = True
            rule = rule or f"uncertain:{cue}"
            break
    # A relative named earlier in the clause, or a sentence that opens with one (家族史：…,
    # 母亲…) — not a relative named after the finding or in another clause of the history.
    # A clause naming the patient (患儿, 患者, 本人) after the relative starts the patient's own story.
    opener = _ZH_FAMILY.match(text[s_lo:start].lstrip())
    family = bool(_ZH_FAMILY.search(text[c_lo:start])) or (
        bool(opener) and not _ZH_PATIENT.search(text[s_lo:start])
    )
    historical = bool(_ZH_HISTORY.search(text[c_lo:c_hi]))
    if family and not rule:
        rule = "family"
    return Context(negated, uncertain, family, historical, rule)
