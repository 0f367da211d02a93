"""English tokens and the word forms they are matched on.

Clinical writers and HPO labels rarely use the same surface form: "hypoplastic nails" for *Nail
hypoplasia*, "seizures" for *Seizure*, "abnormalities of the kidneys" for *Abnormality of the
kidney*. Matching therefore runs on a normalised *stem* of every content word: lower case,
plural removed, and the adjective/noun pairs of medical Greek folded onto one form
(-plastic/-plasia, -trophic/-trophy, -otic/-osis, -ic/-ia, -ity/-al …). The folding only has to
be consistent between lexicon and text, not linguistically right, because both sides go
through the same function.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Function words that HPO labels use freely ("Abnormality of the kidney") and that writers drop
# or reorder ("kidney abnormality"); ignored when building keys on both sides.
STOPWORDS = frozenset(
    ["a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "into", "onto", "within", "as", "is", "are", "was", "were", "be", "been", "its", "their", "his", "her", "this", "that", "these", "those", "morphology"]
)
_LITERAL_STOPWORDS = STOPWORDS - {"morphology"}  # see literal_key
# Anatomical adjectives folded onto the noun HPO labels use: "ocular anomalies" and "Abnormality
# of the eye" share a key. Not folded, because the adjective so often names another structure:
# pelvic ("renal pelvis" would be *Pelvic kidney*), cochlear (the cochlear nerve or implant),
# mandibular (angle, condyle, molars), patellar (reflex, ossification), scapular.
_ADJECTIVE_NOUNS = {
    "ocular": "eye", "cutaneous": "skin", "dermal": "skin", "renal": "kidney", "cardiac": "heart",
    "hepatic": "liver", "pulmonary": "lung", "cerebral": "brain", "dental": "tooth",
    "articular": "joint", "auditory": "hearing",
    "otic": "ear", "aural": "ear", "ophthalmic": "eye", "ophthalmologic": "eye", "ophthalmological": "eye",
    "oral": "mouth", "nasal": "nose", "facial": "face", "cerebellar": "cerebellum", "vertebral": "vertebra",
    "femoral": "femur", "tibial": "tibia", "fibular": "fibula", "humeral": "humerus", "palatal": "palate",
    "splenic": "spleen", "pancreatic": "pancreas", "gastric": "stomach", "intestinal": "intestine",
    "colonic": "colon", "rectal": "rectum", "anal": "anus", "urethral": "urethra", "ureteral": "ureter",
    "uterine": "uterus", "ovarian": "ovary", "scrotal": "scrotum", "penile": "penis", "mammary": "breast",
    "muscular": "muscle", "osseous": "bone", "aortic": "aorta", "arterial": "artery", "venous": "vein",
    "retinal": "retina", "corneal": "cornea", "scleral": "sclera", "thyroidal": "thyroid",
}
# The words for "abnormality" onto one, and a few plural and participle forms.
_WORD_MAP = {
    **_ADJECTIVE_NOUNS,
    "teeth": "tooth", "anomaly": "abnormality", "anomalies": "abnormality",
    "malformation": "abnormality", "malformations": "abnormality", "abnormalities": "abnormality",
    "defect": "abnormality", "defects": "abnormality", "manifestations": "abnormality",
    "multiple": "numerous", "feet": "foot", "cancer": "neoplasm", "cancers": "neoplasm",
    "tumor": "neoplasm", "tumors": "neoplasm", "tumour": "neoplasm", "tumours": "neoplasm",
    "abnormal": "abnormality", "anomalous": "abnormality", "malformed": "abnormality",
    "absence": "absent", "lack": "absent", "lacking": "absent", "missing": "absent",
    "retarded": "retardation", "delayed": "delay",
    "pelvices": "pelvis", "pelves": "pelvis",  # not "pelvic": "renal pelvices" are no *Pelvic kidney*
}
# Latin letters with diacritics are word characters ("café au lait", "Ménière", "Sjögren"); the
# stem drops the marks, so "Café" meets HPO's "Cafe". CJK and other scripts are not words here.
WORD_CHARS = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # a regex class body
_TOKEN = re.compile(f"[{WORD_CHARS}]+(?:'[{WORD_CHARS}]+)?")
# Folding rules, tried in order on the de-pluralised word; the first that applies wins.
_FOLD = (
    ("plastic", "plas"), ("plasia", "plas"), ("plasty", "plas"),
    ("trophic", "troph"), ("trophy", "troph"),
    ("otic", "os"), ("osis", "os"), ("oses", "os"),
    ("itic", "it"), ("itis", "it"),
    ("ectasis", "ectas"), ("ectatic", "ectas"), ("ectasia", "ectas"),
    ("emic", "em"), ("emia", "em"), ("aemia", "em"), ("aemic", "em"),
    ("uria", "ur"), ("uric", "ur"),
    ("ities", "al"), ("ity", "al"), ("ism", "ic"), ("ical", "ic"), ("ic", "ic"), ("ia", "ic"),
    ("ies", "y"),
)
# Latin genitives in bacterial names look like -ae plurals: "Streptococcus pneumoniae" is no
# pneumonia, "Haemophilus influenzae" no influenza.
_SPECIES_EPITHETS = frozenset({"pneumoniae", "influenzae", "agalactiae", "gonorrhoeae", "cloacae"})
_KEEP_S = ("ss", "us", "is", "ous", "sis", "xis")
_KEEP_WORDS = frozenset({"pancreas", "atlas", "thorax", "lens", "pelvis", "iris", "cutis", "situs", "mitis"})
# British spellings folded onto American ones, as HPO labels are American.
_SPELLING = (("aemia", "emia"), ("oedema", "edema"), ("haem", "hem"), ("paed", "ped"), ("oesoph", "esoph"),
             ("rrhoea", "rrhea"), ("pnoea", "pnea"), ("coeli", "celi"), ("foet", "fet"), ("oestr", "estr"),
             ("ae", "e"), ("tumour", "tumor"), ("colour", "color"), ("behaviour", "behavior"))


def strip_accents(text: str) -> str:
    """"café" → "cafe": HPO writes its labels without diacritics, papers and notes often not."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The form a word is matched on (see module docstring)."""
    w = word.lower()
    if not w.isascii():
        w = strip_accents(w)
    w = _WORD_MAP.get(w, w)
    if len(w) <= 3 or w.isdigit():
        return w
    w = _singular(w)
    for suffix, repl in _FOLD:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: len(w) - len(suffix)] + repl
    if w.endswith("ally") and len(w) > 6:
        return stem(w[:-2])  # adverb onto adjective: "mentally retarded" meets "mental retardation"
    if w.endswith("y") and len(w) > 5:
        return w[:-1] + "ic"  # anomaly / anomalies / anomalic … dystrophy handled above
    if w.endswith("e") and len(w) > 5:
        return w[:-1]
    return w


def _singular(w: str) -> str:
    """A lower-case, unaccented word of four or more letters in American spelling, singular."""
    if w.endswith("ae") and len(w) > 5 and w not in _SPECIES_EPITHETS:
        w = w[:-1]  # Latin plural: "fistulae", "vertebrae", "bullae" meet their singular
    for old, new in _SPELLING[:-4]:
        if old in w and len(w) > 5:
            w = w.replace(old, new)
    for old, new in _SPELLING[-4:]:
        w = w.replace(old, new)
    if w.endswith("ies") and len(w) > 5:
        w = w[:-3] + "y"
    elif w.endswith("ses") and w[:-2].endswith(("sis", "oss", "ass")) is False and len(w) > 5:
        w = w[:-1]  # "stenoses" → "stenose" is not wanted; handled by the fold table
    elif w.endswith("s") and not w.endswith(_KEEP_S) and w not in _KEEP_WORDS:
        w = w[:-1]
    return w


def literal_key(text: str, memo: dict[str, str] | None = None) -> tuple[str, ...]:
    """The words of a label or a span as written: lower case, singular, American spelling,
    function words out, but no word map and no folds, and "morphology" kept. Two terms whose
    stem keys fold together ("Renal malformation" of *Abnormal renal morphology*, "Renal
    anomaly" of *Abnormality of the kidney*) keep different literal keys, so a writer who
    used one term's own wording can be given that term. ``memo`` as in `content_key`."""
    if memo is None:
        memo = {}
    out = []
    for w in _TOKEN.findall(text):
        lw = w.lower()
        got = memo.get(lw)
        if got is None:
            plain = strip_accents(lw) if not lw.isascii() else lw
            got = memo[lw] = "" if lw in _LITERAL_STOPWORDS else plain if len(plain) <= 3 or plain.isdigit() else _singular(plain)
        if got:
            out.append(got)
    return tuple(out)


class Token(NamedTuple):
    """A word with its offsets (a NamedTuple: a tokenizer makes thousands a document)."""

    start: int
    end: int
    text: str
    stem: str
    stop: bool
    cue: bool = False  # one of the words the `Tokenizer` was asked to flag


class Tokenizer:
    """`tokenize` with a memo of each distinct word's stem and flags. A corpus repeats its
    words, so looking them up once per word instead of computing them once per token makes
    tokenizing about 40 % faster (GSC+). ``cue_words`` (lower case) are flagged in ``Token.cue``
    when the word, or a part of it between apostrophes ("mother's"), is one of them. One per
    extractor, not module state; the memo is emptied when it holds ``max_words`` words, so a
    stream of notes cannot grow it forever."""

    def __init__(self, cue_words: frozenset[str] = frozenset(), max_words: int = 200_000) -> None:
        self._words: dict[str, tuple[str, bool, bool]] = {}
        self._cue_words = cue_words
        self._max_words = max_words

    def __call__(self, text: str) -> list[Token]:
        words = self._words
        if len(words) >= self._max_words:
            words.clear()
        new, fill = tuple.__new__, self._fill
        # tuple.__new__ skips the NamedTuple constructor's Python-level wrapper (same tuples).
        return [new(Token, (*m.span(), w, *(words.get(w) or fill(w)))) for m in _TOKEN.finditer(text) for w in (m.group(),)]

    def _fill(self, word: str) -> tuple[str, bool, bool]:
        lw = word.lower()
        info = self._words[word] = (stem(lw), lw in STOPWORDS, not self._cue_words.isdisjoint(lw.split("'")))
        return info


def tokenize(text: str) -> list[Token]:
    """Word tokens with character offsets; hyphens and punctuation split words. A one-off
    `Tokenizer` without cue words: code that tokenizes many texts keeps its own."""
    return Tokenizer()(text)


def content_key(text: str, memo: dict[str, str] | None = None) -> tuple[str, ...]:
    """The lexicon key of a label or synonym: stems of its content words, in order (the
    tokens' stems without building tokens: the lexicon makes 40,000 keys at load time).
    ``memo`` (lower-case word → stem), when given, is read and filled: the 40,000 labels and
    synonyms repeat their words, so a build that shares one stems each word once."""
    if memo is None:
        return tuple(stem(lw) for w in _TOKEN.findall(text) for lw in (w.lower(),) if lw not in STOPWORDS)
    out = []
    for w in _TOKEN.findall(text):
        lw = w.lower()
        if lw in STOPWORDS:
            continue
        s = memo.get(lw)
        if s is None:
            s = memo[lw] = stem(lw)
        out.append(s)
    return tuple(out)
