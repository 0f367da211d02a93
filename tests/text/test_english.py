"""English word forms: `stem`, `tokenize` and `content_key` (rarelens.text.english).

The extractor matches text against HPO labels on stems, so the property that matters is
consistency: the forms a writer uses ("seizures", "hypoplastic", "renal anomalies") must fold onto
the stem of the form in the label ("Seizure", "hypoplasia", "Abnormality of the kidney"), and
forms that name different things must not.
"""

from __future__ import annotations

import pytest

from rarelens.text.english import (
    STOPWORDS,
    Token,
    Tokenizer,
    content_key,
    literal_key,
    stem,
    tokenize,
)


@pytest.mark.parametrize(
    ("text_form", "label_form"),
    [
        # plurals
        ("seizures", "seizure"),
        ("cataracts", "cataract"),
        ("fingers", "finger"),
        ("nails", "nail"),
        ("cysts", "cyst"),
        ("contractures", "contracture"),
        ("stenoses", "stenosis"),
        ("deformities", "deformity"),
        ("abnormalities", "abnormality"),
        ("aneurysms", "aneurysm"),
        # irregular plurals and word map
        ("teeth", "tooth"),
        ("feet", "foot"),
        ("anomalies", "abnormality"),
        ("malformations", "abnormality"),
        ("tumours", "neoplasm"),
        # adjective / noun pairs of medical Greek
        ("hypoplastic", "hypoplasia"),
        ("dysplastic", "dysplasia"),
        ("dystrophic", "dystrophy"),
        ("hypertrophic", "hypertrophy"),
        ("sclerotic", "sclerosis"),
        ("telangiectatic", "telangiectasia"),
        ("anemic", "anemia"),
        # British spelling
        ("anaemia", "anemia"),
        ("haematuria", "hematuria"),
        ("lymphoedema", "lymphedema"),
        ("oedema", "edema"),
        ("amenorrhoea", "amenorrhea"),
        ("dyspnoea", "dyspnea"),
        ("coeliac", "celiac"),
        ("foetal", "fetal"),
        # anatomical adjectives
        ("renal", "kidney"),
        ("ocular", "eye"),
        ("cardiac", "heart"),
        ("otic", "ear"),
        ("facial", "face"),
        ("cerebellar", "cerebellum"),
        ("gastric", "stomach"),
        # case
        ("SEIZURES", "Seizure"),
        # plurals in -ys, -as and of four-letter words
        ("kidneys", "kidney"),
        ("hernias", "hernia"),
        ("dysplasias", "dysplasia"),
        ("fistulas", "fistula"),
        # Latin plurals in -ae, and letters with diacritics (HPO writes "Cafe-au-lait")
        ("fistulae", "fistula"),
        ("vertebrae", "vertebra"),
        ("café", "cafe"),
        ("Ménière", "meniere"),
        ("toes", "toe"),
        ("eyes", "eye"),
        ("ears", "ear"),
        # adverb and participle forms of a label's adjective and noun
        ("mentally", "mental"),
        ("developmentally", "developmental"),
        ("retarded", "retardation"),
        ("delayed", "delay"),
    ],
)
def test_text_form_folds_onto_label_form(text_form: str, label_form: str) -> None:
    assert stem(text_form) == stem(label_form)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("pneumoniae", "pneumonia"),  # Streptococcus pneumoniae, a genitive, not a plural
        ("influenzae", "influenza"),
        ("hypoplasia", "hyperplasia"),
        ("hypotonia", "hypertonia"),
        ("microcephaly", "macrocephaly"),
        ("short", "tall"),
        ("seizure", "sensation"),
        ("kidney", "liver"),
        ("hypoplastic", "hypertrophic"),
    ],
)
def test_different_words_keep_different_stems(a: str, b: str) -> None:
    assert stem(a) != stem(b)


@pytest.mark.parametrize(
    "word", ["loss", "status", "glass", "abscess", "ptosis", "pancreas", "lens", "atlas"]
)
def test_singular_words_ending_in_s_keep_their_s(word: str) -> None:
    assert stem(word).endswith("s")
    assert stem(word) == stem(word.upper())


@pytest.mark.parametrize("word", ["ear", "eye", "toe", "1", "22q"])
def test_short_words_and_numbers_are_unchanged(word: str) -> None:
    assert stem(word) == word.lower()


def test_tokenize_offsets_select_the_token_text() -> None:
    text = "A 7-year-old girl's short stature (HP:0004322), seizures; hypoplastic nails."
    tokens = tokenize(text)
    assert all(isinstance(t, Token) for t in tokens)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.text for t in tokens] == [
        "A",
        "7",
        "year",
        "old",
        "girl's",
        "short",
        "stature",
        "HP",
        "0004322",
        "seizures",
        "hypoplastic",
        "nails",
    ]


def test_tokenize_exact_offsets() -> None:
    tokens = tokenize("Short-stature, seizures.")
    assert [(t.start, t.end, t.text) for t in tokens] == [
        (0, 5, "Short"),
        (6, 13, "stature"),
        (15, 23, "seizures"),
    ]


def test_tokenize_stems_and_stop_flags() -> None:
    tokens = tokenize("Abnormalities of the kidneys")
    assert [t.stop for t in tokens] == [False, True, True, False]
    assert tokens[0].stem == stem("abnormality")
    assert tokens[1].stem == "of"


def test_tokenize_keeps_offsets_after_non_ascii_text() -> None:
    text = "患儿 короткий short stature（身材矮小）, seizures"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["short", "stature", "seizures"]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert tokens[0].start == text.index("short")


def test_tokenize_keeps_accented_latin_words_whole() -> None:
    text = "Café au lait spots; Sjögren's"
    tokens = tokenize(text)
    assert [(t.start, t.end, t.text) for t in tokens] == [
        (0, 4, "Café"), (5, 7, "au"), (8, 12, "lait"), (13, 18, "spots"), (20, 29, "Sjögren's"),
    ]
    assert tokens[0].stem == stem("cafe")


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "。，、", "--- ... ;;;"])
def test_tokenize_without_words(text: str) -> None:
    assert tokenize(text) == []
    assert content_key(text) == ()


def test_content_key_drops_stopwords_and_keeps_order() -> None:
    assert content_key("Abnormality of the kidney") == (stem("abnormality"), stem("kidney"))
    assert content_key("kidney abnormality") == (stem("kidney"), stem("abnormality"))
    assert all(w not in STOPWORDS for w in content_key("Abnormality of the kidney"))


@pytest.mark.parametrize(
    ("text_form", "label"),
    [
        ("seizures", "Seizure"),
        ("hypoplastic nails", "Hypoplasia of the nails"),
        ("renal anomalies", "Renal anomaly"),
        ("abnormalities of the heart", "Abnormality of the heart"),
        ("short statures", "Short stature"),
    ],
)
def test_content_key_of_text_form_equals_label_key(text_form: str, label: str) -> None:
    assert content_key(text_form) == content_key(label)


@pytest.mark.parametrize(
    ("text_form", "label"),
    [
        ("cardiac malformations", "Abnormality of the heart"),
        ("ocular anomalies", "Abnormality of the eye"),
        ("kidney abnormality", "Abnormality of the kidney"),
    ],
)
def test_content_key_of_reordered_text_form_has_the_label_words(text_form: str, label: str) -> None:
    assert content_key(text_form) != content_key(label)
    assert sorted(content_key(text_form)) == sorted(content_key(label))


TOKENIZER_TEXTS = [
    "",
    "Seizures, ataxia and short stature.",
    "Her mother's hypoplastic nails; FHx of renal anomalies (2 cases), x'no.",
    "Café-au-lait spots\n\nin 3/4 patients — non-syndromic.",
]


@pytest.mark.parametrize("text", TOKENIZER_TEXTS)
def test_tokenizer_gives_the_tokens_of_tokenize(text: str) -> None:
    tokenizer = Tokenizer()
    assert tokenizer(text) == tokenize(text)
    assert tokenizer(text) == tokenize(text)  # from its memo the second time


def test_tokenizer_flags_cue_words_and_their_apostrophe_parts() -> None:
    tokens = Tokenizer(frozenset({"no", "mother"}))("No: her mother's x'no nothing")
    assert [t.text for t in tokens if t.cue] == ["No", "mother's", "x'no"]


def test_tokenizer_memo_is_bounded() -> None:
    tokenizer = Tokenizer(max_words=3)
    for text in ("a b c", "d e f", "g h"):
        assert tokenizer(text) == tokenize(text)
    assert len(tokenizer._words) <= 3


@pytest.mark.parametrize("text", TOKENIZER_TEXTS)
def test_content_key_is_the_stems_of_the_content_tokens(text: str) -> None:
    assert content_key(text) == tuple(t.stem for t in tokenize(text) if not t.stop)


def test_literal_key_keeps_the_words_the_stem_key_folds() -> None:
    """Singular, lower case, American spelling and no function words, as in `content_key`, but
    no word map or fold: "renal malformation" and "renal anomaly" stay apart."""
    assert content_key("Renal malformations") == content_key("renal anomaly")
    assert literal_key("Renal malformations") == ("renal", "malformation")
    assert literal_key("renal anomaly") != literal_key("Renal malformation")
    assert literal_key("Abnormal morphology of the Kidneys") == ("abnormal", "morphology", "kidney")
    assert literal_key("Oedema of the fistulae") == literal_key("edema of fistula")
    assert literal_key("Café au lait") == ("cafe", "au", "lait")
