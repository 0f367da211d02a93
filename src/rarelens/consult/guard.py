"""The guard between a language model and the reader: it may say only what the engine said.

A model asked to rephrase can still add a disease it has read about, a gene, an HPO id or a
certainty the ranking does not have. Its answer is therefore checked sentence by sentence
against a `Vocabulary` built from the current `ReasoningChain` (the findings, questions,
candidates, their genes and labels): a sentence that names an id, a gene or a disease-like
name the chain does not hold is dropped whole — a half sentence can invert its meaning — and
every drop is logged as a `Removal`, so nothing leaves the engine that the knowledge base and
the current evidence do not support.

The checks are lexical and err on the side of removing: an id is recognised by its prefix, a
gene by its exact symbol among all knowledge-base genes, a disease by the name shape (capitalised
words before "syndrome", "disease", …; a Chinese run ending in 综合征/病) or by the names of all
knowledge-base diseases when those are given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rarelens.consult.model import ReasoningChain
from rarelens.model.scripts import has_cjk as _has_cjk

# Clinical abbreviations that happen to be HGNC symbols (AR androgen receptor, HP haptoglobin,
# CRP, CP ceruloplasmin …): read as words, never as gene mentions.
COMMON_ABBREVIATIONS = frozenset({
    "AD", "AR", "XL", "XLR", "XLD", "HP", "MRI", "CT", "ECG", "EKG", "EEG", "EMG", "CK", "CRP",
    "CP", "MDT", "DNA", "RNA", "WES", "WGS", "ICU", "ER", "OK", "GC", "MR",
})

DISEASE_WORDS = (
    "syndrome", "disease", "disorder", "deficiency", "dystrophy", "dysplasia", "ataxia", "anemia",
    "anaemia", "myopathy", "cardiomyopathy", "neuropathy", "encephalopathy", "leukodystrophy",
    "dystonia", "paraplegia",
)
ZH_DISEASE_SUFFIXES = ("综合征", "综合症", "病")

# Capitalised words that open a sentence or qualify a class ("Genetic disorders", "A possible
# syndrome") rather than name a disease; a phrase made only of them is generic.
_LEAD_TEXT = """
a an the this that these those both either neither such other another some several many most any
no possible possibly probable probably suspected likely unlikely consider considering given
including include includes like unlike if when while although because and or but also however
in for with of features signs symptoms rare genetic hereditary inherited congenital familial
metabolic mitochondrial neuromuscular neurological neurodegenerative connective lysosomal
autoimmune inflammatory chronic acute progressive severe mild classic classical typical
"""
_LEAD_WORDS = frozenset(_LEAD_TEXT.split())
# Lower-case words that end a name rather than continue it ("Marfan is a disorder").
_FUNCTION_WORDS = (
    "is|are|was|were|be|been|a|an|the|and|or|but|with|without|in|to|as|has|have|had|may|can|could"
    "|might|not|this|that|for|by|like|than|also|of|on|at|from|which|who|its|their|his|her"
)

_CURIE = re.compile(
    r"(?<![A-Za-z0-9])(HP|OMIM|ORPHA(?:NET)?|Orpha(?:net)?|MONDO|Mondo|DECIPHER|Decipher)"
    r"(?:\s*[:_]\s*|\s+#?|#)(\d+)(?![0-9])"
)
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![A-Za-z0-9])")
_CAP = r"[A-Z][A-Za-z0-9'’–-]*"
_LOW = rf"(?!(?:{_FUNCTION_WORDS})\b)[a-z][A-Za-z0-9'’–-]*"
_DISEASE_WORD = (
    r"(?i:syndromes?|diseases?|disorders?|deficienc(?:y|ies)|dystroph(?:y|ies)|dysplasias?|ataxias?"
    r"|an(?:a)?emias?|(?:cardio)?myopath(?:y|ies)|neuropath(?:y|ies)|encephalopath(?:y|ies)"
    r"|leukodystroph(?:y|ies)|dystonias?|paraplegias?)"
)
_NOT_A_NUMBER_END = r"(?![A-Za-z0-9%]|[.,]\d)"  # "syndrome 2", not "syndrome 62.0%"
_EN_NAME = re.compile(
    rf"(?<![A-Za-z0-9'’–-])(?P<words>(?:{_CAP}\s+)+(?:{_LOW}\s+){{0,2}})(?P<head>{_DISEASE_WORD})(?![A-Za-z])"
    rf"(?P<subtype>,?\s+type\s+(?:\d+[A-Za-z]?|[IVX]+){_NOT_A_NUMBER_END}|\s+\d+[A-Za-z]?{_NOT_A_NUMBER_END})?"
)
_ZH_NAME = re.compile(
    r"(?P<name>[\u3400-\u9fffA-Za-z0-9'’–\- ]{0,40}?(?:综合征|综合症|病))"
    r"(?![史人例情因理变程房灶毒菌友种床假号患历原况态症])(?P<subtype>\s*\d+[A-Za-z]?\s*型)?"
)
_TYPE = re.compile(r",?\s*\btype\s+([ivx]+\b|\d)")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"}
# What may stand right before 综合征/病 in a generic phrase (该病, 一种遗传病, 看病, 发病 …).
_ZH_GENERIC_BEFORE = (
    "的", "是", "种", "类", "些", "有", "该", "此", "本", "为", "于", "和", "或", "与", "及", "等",
    "个", "患", "得", "看", "发", "生", "治", "毛", "什么", "遗传", "罕见", "疾", "这", "那", "某",
)
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%")
_SENTENCE = re.compile(r".*?(?:[.!?]+[\"'”’)\]]*(?=\s|$)|[。！？]+[”’）」]*|$)\s*")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What may be named: the allowed sets come from the chain; ``known_genes`` (every gene
    symbol of the knowledge base) and ``known_disease_names`` (every disease name, lower-cased,
    optional) only serve to recognise a mention that is not allowed."""

    hpo_ids: frozenset[str]
    disease_ids: frozenset[str]
    disease_names: frozenset[str]  # lower-cased, English and Chinese
    genes: frozenset[str]
    known_genes: frozenset[str]
    term_names: frozenset[str] = frozenset()  # lower-cased: allowed HPO labels, table wording
    known_disease_names: frozenset[str] = frozenset()
    plain_words: frozenset[str] = COMMON_ABBREVIATIONS  # tokens never read as gene symbols


@dataclass(frozen=True, slots=True)
class Removal:
    sentence: str
    item: str
    reason: str


@dataclass(frozen=True, slots=True)
class GuardResult:
    text: str
    removed: tuple[Removal, ...]


def normalize_id(curie: str) -> str:
    """One spelling per record: ``Orphanet:558`` → ``ORPHA:558``, ``HP:1250`` → ``HP:0001250``."""
    m = _CURIE.fullmatch(curie.strip())
    if m is None:
        return curie.strip()
    prefix, number = m.group(1).upper(), m.group(2)
    prefix = "ORPHA" if prefix == "ORPHANET" else prefix
    return f"HP:{number.zfill(7)}" if prefix == "HP" else f"{prefix}:{number}"


# --- the vocabulary of one step --------------------------------------------------------------


def vocabulary_from_chain(
    chain: ReasoningChain, known_genes: frozenset[str], known_disease_names: frozenset[str] = frozenset()
) -> Vocabulary:
    ids = set(_chain_ids(chain))
    hpo = frozenset(normalize_id(i) for i in ids if normalize_id(i).startswith("HP:"))
    diseases = frozenset(normalize_id(i) for i in ids if _CURIE.fullmatch(i) and not normalize_id(i).startswith("HP:"))
    genes = {g for c in chain.differential for g in c.genes} | {g for e in chain.examinations for g in e.genes}
    return Vocabulary(
        hpo_ids=hpo,
        disease_ids=diseases,
        disease_names=_lower(_disease_names(chain)),
        genes=frozenset(genes),
        known_genes=known_genes,
        term_names=_lower(_term_names(chain)),
        known_disease_names=_lower(known_disease_names),
        plain_words=COMMON_ABBREVIATIONS | _plain_words(chain),
    )


def _chain_ids(chain: ReasoningChain) -> Iterator[str]:
    for f in chain.findings:
        yield f.term_id
    for q in chain.next_questions:
        yield q.term_id
        yield from (e.concept_id for e in q.favours + q.against)
    for c in chain.differential:
        yield c.concept_id
        yield from c.ids
        for x in c.supporting + c.against:
            yield x.term_id
            yield x.disease_term_id
            yield x.via_term_id
        for r in c.refs + tuple(r for x in c.supporting + c.against for r in x.refs):
            yield from (r.disease_id, r.term_id, r.reference)
    for e in chain.examinations:
        yield from e.findings
        yield from (x.concept_id for x in e.expects_abnormal + e.expects_normal)
    for _, result in chain.examinations_done:
        yield from re.split(r"[\s,;]+", result)
    for w in chain.what_if:
        yield w.term_id
        yield from (cid for cid, _, _ in w.top)
    for h in chain.red_flags:
        yield from (h.term_id, h.flag_id)
    for s in chain.specialties:
        yield from s.because


def _disease_names(chain: ReasoningChain) -> Iterator[str]:
    for c in chain.differential:
        yield c.label
        yield c.label_zh or ""
    for q in chain.next_questions:
        yield from (e.label for e in q.favours + q.against)
    for e in chain.examinations:
        yield from (x.label for x in e.expects_abnormal + e.expects_normal)
    for w in chain.what_if:
        yield from (label for _, label, _ in w.top)


def _term_names(chain: ReasoningChain) -> Iterator[str]:
    for f in chain.findings:
        yield from (f.label, f.label_zh or "", f.layperson or "")
    for q in chain.next_questions:
        yield from (q.label, q.label_zh or "", q.layperson or "")
    for c in chain.differential:
        for x in c.supporting + c.against:
            yield from (x.term_label, x.disease_term_label, x.via_term_label)
    for h in chain.red_flags:
        yield h.label
    for e in chain.examinations:
        yield from (e.name, e.name_zh)
    for s in chain.specialties:
        yield from (s.name, s.name_zh, s.mdt_clinic, s.mdt_clinic_zh)


def _plain_words(chain: ReasoningChain) -> frozenset[str]:
    """Tokens of the engine's own table wording (examination, specialty and clinic names)."""
    texts = [e.name for e in chain.examinations] + [e.kind for e in chain.examinations]
    texts += [s.name for s in chain.specialties] + [s.mdt_clinic for s in chain.specialties]
    return frozenset(t for text in texts for t in _TOKEN.findall(text))


def _lower(names: Iterable[str]) -> frozenset[str]:
    return frozenset(_fold(n) for n in names if n.strip())


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("–", "-").replace("’", "'").split())


# --- checking text ---------------------------------------------------------------------------


def guard_text(
    text: str, vocab: Vocabulary, forbid: tuple[str, ...] = (), *, percentages: frozenset[float] | None = None
) -> GuardResult:
    """Keep the sentences that name only what ``vocab`` allows (and none of ``forbid``); with
    ``percentages``, also only the percentages the engine gave (to rounding: 62.0% may be 62%)."""
    checker = _Checker(vocab, forbid, percentages)
    lines: list[str] = []
    removed: list[Removal] = []
    for line in text.splitlines():
        kept = []
        for sentence in _sentences(line):
            found = checker.check(sentence.strip())
            removed += found
            if not found:
                kept.append(sentence)
        if kept or not line.strip():
            lines.append("".join(kept).rstrip())
    return GuardResult("\n".join(lines).strip("\n"), tuple(removed))


def percentages_in(text: str) -> frozenset[float]:
    """The percentages a text states: what a rewording of it may repeat."""
    return frozenset(float(m.group(1)) for m in _PERCENT.finditer(text))


def _sentences(line: str) -> Iterator[str]:
    for m in _SENTENCE.finditer(line):
        if m.group():
            yield m.group()


class _Checker:
    """The vocabulary prepared once per text: normalised ids, allowed names, and the known
    disease names that no allowed name covers."""

    def __init__(self, vocab: Vocabulary, forbid: tuple[str, ...], percentages: frozenset[float] | None) -> None:
        self.vocab = vocab
        self.percentages = percentages
        self.ids = frozenset(normalize_id(i) for i in vocab.hpo_ids | vocab.disease_ids)
        self.names = tuple(_fold(n) for n in vocab.disease_names | vocab.term_names)
        self.en_names = tuple(_without_type(n) for n in self.names)
        self.zh_heads = tuple(_zh_heads(self.names))
        self.zh_head_set = tuple(h for h, _ in self.zh_heads)
        self.forbid = tuple(p.lower() for p in forbid)
        self.unknown_names = tuple(
            n for n in sorted({_fold(k) for k in vocab.known_disease_names})
            if len(n) >= (2 if _has_cjk(n) else 4) and not any(_mentions(a, n) for a in self.names)
        )

    def check(self, sentence: str) -> list[Removal]:
        if not sentence:
            return []
        found = [Removal(sentence, item, reason) for item, reason in self._items(sentence)]
        return list({(r.item, r.reason): r for r in found}.values())

    def _items(self, s: str) -> Iterator[tuple[str, str]]:
        for m in _CURIE.finditer(s):
            if normalize_id(m.group()) not in self.ids:
                yield m.group(), "id is not a finding, question or candidate of this consultation"
        bare = _CURIE.sub(" ", s)
        yield from self._genes(bare)
        yield from self._english_names(bare)
        yield from self._chinese_names(bare)
        yield from self._known_names(bare)
        yield from self._percentages(s)
        low = s.lower()
        for phrase in self.forbid:
            if phrase in low:
                yield phrase, "states a diagnosis as certain"

    def _genes(self, s: str) -> Iterator[tuple[str, str]]:
        v = self.vocab
        for token in _TOKEN.findall(s):
            for g in dict.fromkeys((token, *token.split("-"))):
                if g in v.known_genes and g not in v.genes and g not in v.plain_words:
                    yield g, "gene is not among the candidates' genes"

    def _english_names(self, s: str) -> Iterator[tuple[str, str]]:
        for m in _EN_NAME.finditer(s):
            words = m.group("words").split()
            while words and words[0].lower() in _LEAD_WORDS:
                words.pop(0)
            if not words or not words[0][:1].isupper():
                continue  # a generic phrase ("Genetic disorders", "A connective tissue disorder")
            said = " ".join([*words, m.group("head")]) + (m.group("subtype") or "")
            phrase = _without_type(_fold(" ".join([*words, _singular(m.group("head"))]) + (m.group("subtype") or "")))
            if not any(_mentions(n, phrase) for n in self.en_names):
                yield said, "disease is not a candidate of this consultation"

    def _chinese_names(self, s: str) -> Iterator[tuple[str, str]]:
        for m in _ZH_NAME.finditer(s):
            phrase = m.group("name").replace(" ", "").lower()
            subtype = (m.group("subtype") or "").replace(" ", "").lower()
            suffix = next(x for x in ZH_DISEASE_SUFFIXES if phrase.endswith(x))
            stem = phrase[: -len(suffix)]
            if not stem or stem.endswith(_ZH_GENERIC_BEFORE):
                continue
            if subtype:
                known = any(phrase.endswith(h) and rest.startswith(subtype) for h, rest in self.zh_heads)
            else:
                known = phrase.endswith(self.zh_head_set)
            if not known:
                said = (m.group("name").strip() + (m.group("subtype") or "").strip())[-20:]
                yield said, "disease is not a candidate of this consultation"

    def _percentages(self, s: str) -> Iterator[tuple[str, str]]:
        if self.percentages is None:
            return
        for m in _PERCENT.finditer(s):
            if not any(abs(float(m.group(1)) - p) <= 0.5 for p in self.percentages):
                yield m.group(), "percentage is not one the engine gave"

    def _known_names(self, s: str) -> Iterator[tuple[str, str]]:
        low = _fold(s)
        for n in self.unknown_names:
            if _mentions(low, n):
                yield n, "knowledge-base disease outside the current evidence"


def _zh_heads(names: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Each allowed name cut after every 综合征/病 it holds, with what follows, so that a phrase
    ending there (``Loeys-Dietz综合征`` of ``Loeys-Dietz综合征2型``) is recognised as that name,
    and a subtype after it (``2型``) is compared with the name's own."""
    for name in names:
        compact = name.replace(" ", "")
        for suffix in ZH_DISEASE_SUFFIXES:
            start = compact.find(suffix)
            while start > 0:
                end = start + len(suffix)
                yield compact[:end], compact[end:]
                start = compact.find(suffix, start + 1)


def _mentions(text: str, name: str) -> bool:
    """``name`` occurs in ``text`` as whole words (Chinese has no word boundaries to check)."""
    if name not in text:
        return False
    return _has_cjk(name) or re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text) is not None


def _without_type(name: str) -> str:
    """``loeys-dietz syndrome, type ii`` → ``loeys-dietz syndrome 2``: subtypes compare as numbers."""
    return _TYPE.sub(lambda m: " " + _ROMAN.get(m.group(1), m.group(1)), name)


def _singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies"):
        return w[:-3] + "y"
    return w[:-1] if w.endswith("s") and w[:-1] in DISEASE_WORDS else w


