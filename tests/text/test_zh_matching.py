"""Chinese matching details (rarelens.text.extractor / lexicon) on the embedded HPO: curated
expressions that start with a Latin abbreviation, and CHPO labels that are ordinary words."""

from __future__ import annotations

from embedded import embedded_hpo
from rarelens.text.extractor import DictionaryExtractor
from rarelens.text.lexicon import build_lexicon, load_zh_synonyms

SMALL_FINGER, CK_UP, EEG_ABNORMAL = "HP:0030033", "HP:0003236", "HP:0002353"


def test_curated_expressions_starting_with_latin_letters_match() -> None:
    hpo = embedded_hpo()
    text = "查体：CK升高，EEG异常。"
    got = [(m.text, m.hpo_id) for m in DictionaryExtractor(hpo).extract(text).mentions]
    assert ("CK升高", CK_UP) in got
    assert ("EEG异常", EEG_ABNORMAL) in got


def test_latin_start_needs_a_word_start() -> None:
    hpo = embedded_hpo()
    # "xCK升高": CK is inside another Latin word, so the curated CK升高 must not match there
    got = [m.text for m in DictionaryExtractor(hpo).extract("xCK升高").mentions]
    assert "CK升高" not in got


def test_ordinary_word_labels_are_not_matched() -> None:
    hpo = embedded_hpo({SMALL_FINGER: "小指"})
    lexicon = build_lexicon(hpo, load_zh_synonyms())
    assert "小指" not in lexicon.chinese
    assert DictionaryExtractor(hpo, lexicon).extract("右手小指外伤。").mentions == ()


def test_a_latin_word_that_merely_begins_like_a_key_does_not_match() -> None:
    hpo = embedded_hpo()
    got = [m.text for m in DictionaryExtractor(hpo).extract("Uhlmann reported 心肌病").mentions]
    assert "Uhl" not in got


def test_size_is_not_a_finding() -> None:
    # 头颅大 (macrocephaly) and 前囟大 are curated, but 头颅大小正常 says "head size normal"
    hpo = embedded_hpo()
    ex = DictionaryExtractor(hpo)
    assert [m.text for m in ex.extract("头颅大小正常，前囟大小1.0 cm×1.0 cm。").mentions] == []
    assert [m.hpo_id for m in ex.extract("查体：头颅大。").mentions] == ["HP:0000256"]


def test_chinese_keys_are_built_when_a_text_needs_them() -> None:
    hpo = embedded_hpo()
    ex = DictionaryExtractor(hpo)
    ex.extract("The boy has seizures.")
    assert ex._zh is None  # English only: the Chinese keys were never built
    assert [m.hpo_id for m in ex.extract("患儿反复抽搐。").mentions] == ["HP:0001250"]
    assert ex._zh is not None
