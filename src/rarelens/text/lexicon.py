"""The dictionary the extractor matches against, built once from the ontology.

Every current term under Phenotypic abnormality contributes its label, its EXACT, RELATED and
layperson synonyms (BROAD and NARROW ones name other concepts and are left out), its Chinese
label, and the curated clinical expressions shipped with RareLens in Chinese
(``zh_synonyms.tsv``: clinicians write 抽搐 where CHPO says 癫痫发作) and English
(``en_synonyms.tsv``: "floppy infant", "upgoing plantars"). When two terms claim the same key,
the better source wins (label > exact > layperson > related > curated English) and then the more
general term (lower information content).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from rarelens.model.scripts import CJK as _CJK
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY, Ontology
from rarelens.text.english import content_key, literal_key

_PRIORITY = {"label": 0, "synonym:exact": 1, "synonym:layperson": 2, "synonym:related": 3,
             "zh-label": 0, "zh-label-variant": 1, "zh-curated": -1, "abbreviation": 1,
             # Below every HPO synonym: a curated English row only adds keys the ontology leaves
             # free, so it can never move a finding HPO's own wording names. (Curated Chinese
             # rows rank first instead: CHPO labels are translations, the curated rows are how
             # notes are written.)
             "en-curated": 4,
             # A hospital's own vocabulary file (text.vocabulary) outranks everything: it is
             # that hospital's explicit choice, and its mentions say so in their source.
             "vocabulary": -2}
# Synonyms that are ordinary English words or too ambiguous in running text to stand alone.
_MIN_CHARS_EN = 3
_MIN_CHARS_ZH = 2
# One-word RELATED synonyms are mostly medical words ("Epilepsy", "Hypoacusis", "Nevi"); these
# few are everyday English or name no finding, and would fire on ordinary prose.
_COMMON_RELATED_WORDS = frozenset({
    "collecting", "fits", "imbalance", "limp", "oncology", "panting", "prostration", "trance", "twitching",
})
# One-word EXACT synonyms whose everyday clinical sense is another finding: "hypersensitivity"
# is a drug or immune reaction in notes, not *Emotional hypersensitivity*.
_AMBIGUOUS_EXACT_WORDS = frozenset({"hypersensitivity"})
# CHPO labels that are ordinary words in a Chinese note: 小指 is "the little finger" (右手小指外伤),
# not *Small finger*; 前臂 is the forearm, not *Forearm pain*; 外翻 is eversion (足外翻), not
# *Exstrophy*; 平静 is "calm" (呼吸平静). Longer expressions containing them still match.
_ZH_ORDINARY_WORDS = frozenset({"小指", "小趾", "前臂", "小手", "外翻", "平静", "小体", "寒冷"})


@dataclass(frozen=True, slots=True)
class Entry:
    term: int
    source: str
    priority: int


def _entry(term: int, source: str) -> Entry:
    return Entry(term, source, _PRIORITY[source])


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Key → entry maps for English (stem tuples, in order and as sorted bags), abbreviations
    (case-sensitive surface forms) and Chinese (strings)."""

    ordered: dict[tuple[str, ...], Entry]
    bags: dict[tuple[str, ...], Entry]
    prefixes: frozenset[tuple[str, ...]]
    vocabulary: frozenset[str]
    abbreviations: dict[str, Entry]
    # Literal wordings (`literal_key`) whose term lost its stem key to another term; consulted
    # only when a match's term is in ``shadowing``, the winners of those keys.
    literal: dict[tuple[str, ...], Entry]
    shadowing: frozenset[int]
    chinese: dict[str, Entry]
    max_words: int
    max_chars_zh: int
    release: str


def _better(old: Entry | None, new: Entry, ic: list[float]) -> bool:
    if old is None:
        return True
    if old.term == new.term:
        return new.priority < old.priority
    # Same source level: the more general term. Keys collide when folding drops a word
    # ("Abnormality of the kidney" / "Abnormal renal morphology"), and a writer who says
    # "renal anomalies" has not said which of the two.
    return (new.priority, ic[new.term]) < (old.priority, ic[old.term])


def is_abbreviation(text: str) -> bool:
    """2–6 capitals and digits (at least two capitals): matched as written, case-sensitively."""
    t = text.replace("-", "")
    return 2 <= len(t) <= 6 and t.isalnum() and sum(c.isupper() for c in t) >= 2 and t == t.upper()


_ZH_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
# Interchangeable words for a change in amount or function: CHPO labels use one, notes another.
_ZH_CHANGE = {
    "升高": ("增高", "增加"), "增高": ("升高",), "增加": ("增多", "升高", "增高"), "增多": ("增加",),
    "降低": ("减低", "减少", "下降"), "减低": ("降低", "减少"), "减少": ("降低", "减低", "下降"),
    "减退": ("下降", "降低"), "受损": ("下降", "减退", "障碍"), "缺失": ("缺如",), "增宽": ("宽",),
}


def zh_label_variants(label: str) -> set[str]:
    """Forms of a Chinese label that notes use: without bracketed qualifiers, without the
    nominal suffixes 症/畸形, without 循环/血清/水平 (血清肌酐水平升高 → 肌酐升高), and with the
    change word swapped (血小板减少 ↔ 血小板降低)."""
    base = _ZH_BRACKETS.sub("", label).strip()
    forms = {base}
    for suffix in ("症", "畸形"):
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            forms.add(base[: -len(suffix)])
    for f in list(forms):
        short = f
        for word in ("循环", "血清", "水平"):
            short = short.replace(word, "")
        if len(short) >= 3:
            forms.add(short)
    for f in list(forms):
        alternatives = _ZH_CHANGE.get(f[-2:])  # every change word has two characters
        if alternatives is not None and len(f) >= 4:
            forms.update(f[:-2] + a for a in alternatives)
    forms.discard(label)
    return {f for f in forms if len(f) >= 3}


def load_zh_synonyms() -> list[tuple[str, str]]:
    """(HPO id, Chinese expression) rows of the curated table shipped in the package."""
    return _load_curated("zh_synonyms.tsv")


def load_en_synonyms() -> list[tuple[str, str]]:
    """(HPO id, English expression) rows of the curated table shipped in the package: clinical
    wording that HPO's labels and synonyms do not carry ("floppy infant")."""
    return _load_curated("en_synonyms.tsv")


def _current_rows(o: Ontology, rows: Iterable[tuple[str, str]]) -> Iterator[tuple[int, str]]:
    """(term index, expression) of the rows whose id resolves to a current term: a table written
    for one HPO release stays usable with another, where an id may be retired."""
    for hpo_id, text in rows:
        idx = o.resolve(hpo_id).index
        if idx is not None and not o.obsolete[idx]:
            yield idx, text


def _load_curated(name: str) -> list[tuple[str, str]]:
    text = resources.files("rarelens.text").joinpath(name).read_text(encoding="utf-8")
    rows = []
    for line, row in enumerate(csv.reader(text.splitlines(), delimiter="\t"), start=1):
        if not row or row[0].startswith("#") or row[0] == "hpo_id":
            continue
        if len(row) < 2:
            raise ValueError(f"{name}:{line}: expected 'hpo_id<TAB>expression[<TAB>note]', got {row!r}")
        rows.append((row[0].strip(), row[1].strip()))
    return rows


def build_lexicon(
    ontology: Ontology,
    zh_synonyms: list[tuple[str, str]] | None = None,
    *,
    chinese: bool = True,
    en_synonyms: list[tuple[str, str]] | None = None,
    local_rows: Sequence[tuple[str, str]] = (),
) -> Lexicon:
    """The whole dictionary; ``chinese=False`` leaves the Chinese keys out (a quarter of the
    build), for a caller that builds them with `build_chinese_keys` only when a text needs them.
    ``en_synonyms`` (curated English expressions, default the shipped table; ``[]`` for none)
    rank below every HPO synonym when keys collide: the ontology's wording is the better claim.
    ``local_rows`` ((HPO id, expression) rows of a hospital's vocabulary file, `text.vocabulary`;
    English and Chinese alike) outrank every other source."""
    o = ontology
    pa = o.index(PHENOTYPIC_ABNORMALITY)
    ic = o.ic.tolist()
    ordered: dict[tuple[str, ...], Entry] = {}
    bags: dict[tuple[str, ...], Entry] = {}
    abbreviations: dict[str, Entry] = {}
    ambiguous_abbr: set[str] = set()
    stems: dict[str, str] = {}  # shared by every key of this build (see content_key)
    # Terms whose wordings share a stem key with another term's: only their wordings get a
    # `literal_key`, in a second pass (tracking all 40,000 wordings slowed the build by a fifth).
    contested: set[int] = set()
    contested_keys: set[tuple[str, ...]] = set()
    user_abbreviations: dict[str, Entry] = {}

    def add_en(text: str, entry: Entry) -> None:
        if len(text) < _MIN_CHARS_EN:
            return
        if is_abbreviation(text):
            if entry.source == "vocabulary":  # the hospital's reading of its own shorthand
                user_abbreviations[text] = entry
                return
            old = abbreviations.get(text)
            if old is not None and old.term != entry.term:
                ambiguous_abbr.add(text)
            if _better(old, entry, ic):
                abbreviations[text] = _entry(entry.term, "abbreviation")
            return
        key = content_key(text, stems)
        if not key:
            return
        old = ordered.get(key)
        if old is not None and old.term != entry.term:
            contested.update((old.term, entry.term))
            contested_keys.add(key)
        if _better(old, entry, ic):
            ordered[key] = entry
        bag = tuple(sorted(key))
        if len(key) > 1 and _better(bags.get(bag), entry, ic):
            bags[bag] = entry

    terms = [i for i in o.descendants(pa).tolist() if i != pa and not o.obsolete[i]]
    curated = list(_current_rows(o, load_en_synonyms() if en_synonyms is None else en_synonyms))
    local = [(i, t) for i, t in _current_rows(o, local_rows) if not _CJK.search(t)]
    for text, entry in _english_wordings(o, terms, curated, local):
        add_en(text, entry)
    chinese_keys = build_chinese_keys(o, zh_synonyms, local_rows) if chinese else {}
    for a in ambiguous_abbr:
        abbreviations.pop(a, None)
    abbreviations.update(user_abbreviations)
    # A wording whose stem key another term won: the wording, read literally, still names its own.
    literal: dict[tuple[str, ...], tuple[tuple[str, ...], Entry]] = {}  # → (stem key, best entry)
    for text, entry in _english_wordings(o, sorted(contested.intersection(terms)), curated, local, contested):
        if len(text) < _MIN_CHARS_EN or is_abbreviation(text):
            continue  # as in add_en: no stem key
        key = content_key(text, stems)
        if key in contested_keys:
            lit = literal_key(text)
            best = literal.get(lit)
            if _better(None if best is None else best[1], entry, ic):
                literal[lit] = (key, entry)
    # Whatever the sources: the span is not the winner's wording as written (that would have
    # the same literal key), it is this term's, so HPO has said which term it means ("Diffuse
    # brain atrophy" is *Global brain atrophy*'s synonym, though folding gives its key to the
    # label *Diffuse cerebral atrophy*; "Missing eyebrow" is listed under *Aplasia/Hypoplasia of
    # the eyebrow*, not *Absent eyebrow*). A key a hospital's vocabulary gave stays with it.
    shadowed = {lit: e for lit, (key, e) in literal.items()
                if ordered[key].term != e.term and ordered[key].source != "vocabulary"}
    prefixes = frozenset(k[:i] for k in ordered for i in range(1, len(k) + 1))
    vocabulary = frozenset(w for k in ordered for w in k)
    return Lexicon(
        ordered=ordered,
        bags=bags,
        prefixes=prefixes,
        vocabulary=vocabulary,
        abbreviations=abbreviations,
        literal=shadowed,
        shadowing=frozenset(ordered[literal[lit][0]].term for lit in shadowed),
        chinese=chinese_keys,
        max_words=max((len(k) for k in ordered), default=1),
        max_chars_zh=max((len(k) for k in chinese_keys), default=1),
        release=o.release,
    )


def _english_wordings(
    o: Ontology,
    terms: Iterable[int],
    curated: list[tuple[int, str]],
    local: list[tuple[int, str]],
    only: set[int] | None = None,
) -> Iterator[tuple[str, Entry]]:
    """Every English wording the lexicon is built from, with its entry: the labels and EXACT /
    RELATED synonyms of ``terms`` (everyday one-word synonyms left out), then curated rows, then
    a hospital's rows; ``only`` keeps the rows of those terms."""
    for idx in terms:
        yield o.labels[idx], _entry(idx, "label")
        for syn in o.synonyms[idx]:
            if syn.scope not in ("EXACT", "RELATED"):
                continue
            word = syn.text.strip().lower()
            if syn.scope == "RELATED" and word in _COMMON_RELATED_WORDS or word in _AMBIGUOUS_EXACT_WORDS:
                continue
            source = "synonym:layperson" if syn.is_layperson else f"synonym:{syn.scope.lower()}"
            yield syn.text, _entry(idx, source)
    for source, rows in (("en-curated", curated), ("vocabulary", local)):
        for idx, text in rows:
            if only is None or idx in only:
                yield text, _entry(idx, source)


def build_chinese_keys(
    ontology: Ontology,
    zh_synonyms: list[tuple[str, str]] | None = None,
    local_rows: Sequence[tuple[str, str]] = (),
) -> dict[str, Entry]:
    """Chinese string → entry: the CHPO labels of current terms under Phenotypic abnormality,
    their variants, the curated clinical expressions (``zh_synonyms``, default the shipped
    table) and a hospital's vocabulary rows in Chinese (``local_rows``); the better source, then the more
    general term, wins a shared key."""
    o = ontology
    pa = o.index(PHENOTYPIC_ABNORMALITY)
    ic = o.ic.tolist()
    chinese: dict[str, Entry] = {}

    def add_zh(text: str, entry: Entry) -> None:
        text = text.strip()
        if entry.source not in ("zh-curated", "vocabulary") and text in _ZH_ORDINARY_WORDS:
            return
        if len(text) >= _MIN_CHARS_ZH and _better(chinese.get(text), entry, ic):
            chinese[text] = entry

    for idx in o.descendants(pa).tolist():
        if idx == pa or o.obsolete[idx]:
            continue
        zh = o.label_zh(idx)
        if zh:
            add_zh(zh, _entry(idx, "zh-label"))
            for form in zh_label_variants(zh):
                add_zh(form, _entry(idx, "zh-label-variant"))
    for idx, text in _current_rows(o, zh_synonyms if zh_synonyms is not None else load_zh_synonyms()):
        old = chinese.get(text.strip())
        if old is not None and old.term == idx and old.source == "zh-label":
            # CHPO already says it: a curated copy would only win overlap ties against other
            # labels (红细胞增多 over 镰状红细胞 in 镰状红细胞增多). The row still serves a
            # knowledge base without Chinese labels (the embedded HPO has none).
            continue
        add_zh(text, _entry(idx, "zh-curated"))
    for idx, text in _current_rows(o, local_rows):
        if _CJK.search(text):
            add_zh(text, _entry(idx, "vocabulary"))
    return chinese
