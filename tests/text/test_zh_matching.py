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


def test_a_space_between_latin_and_chinese_still_matches() -> None:
    """Writers put spaces between a Latin word and Chinese (Gowers 征阳性, K-F 环, O 型腿); the
    span still covers exactly the words of the note."""
    hpo = embedded_hpo()
    text = "查体：Gowers 征阳性，角膜 K-F 环阳性，双下肢 O 型腿。"
    got = {(m.text, m.hpo_id) for m in DictionaryExtractor(hpo).extract(text).mentions}
    assert {("Gowers 征阳性", "HP:0003391"), ("K-F 环", "HP:0200032"), ("O 型腿", "HP:0002970")} <= got
    for m in DictionaryExtractor(hpo).extract(text).mentions:
        assert text[m.start : m.end] == m.text


def test_afebrile_seizures_are_seizures() -> None:
    """无热 before a seizure word is "afebrile" (无热抽搐, 无热惊厥): the seizure is present."""
    ex = DictionaryExtractor(embedded_hpo())

    def got(text: str) -> list[tuple[str, str, bool]]:
        return [(m.text, m.hpo_id, m.negated) for m in ex.extract(text).mentions]

    assert got("患儿反复无热抽搐1年。") == [("抽搐", "HP:0001250", False)]
    assert got("无热惊厥发作3次。") == [("惊厥", "HP:0001250", False)]
    assert got("无热性惊厥2次。") == [("惊厥", "HP:0001250", False)]
    assert ("抽搐", "HP:0001250", True) in got("无发热，无抽搐。")  # 无 still negates
    assert got("无热，无抽搐。") == [("抽搐", "HP:0001250", True)]
    assert got("否认热性惊厥史。") == [("热性惊厥", "HP:0002373", True)]


def test_liver_and_spleen_not_palpable_are_negated_findings() -> None:
    ex = DictionaryExtractor(embedded_hpo())

    def got(text: str) -> list[tuple[str, str, bool]]:
        return [(m.text, m.hpo_id, m.negated) for m in ex.extract(text).mentions]

    assert got("腹软，肝脾肋下未触及。") == [("肝", "HP:0002240", True), ("脾", "HP:0001744", True)]
    assert got("肝脾不大") == [("肝", "HP:0002240", True), ("脾", "HP:0001744", True)]
    assert got("脾脏未触及，肝肋下2cm。") == [("脾脏", "HP:0001744", True)]
    assert got("肝脾肿大。") == [("肝脾肿大", "HP:0001433", False)]
    assert got("脾气不大。") == []  # temper, not the spleen


def test_a_chpo_label_written_with_a_space_still_matches() -> None:
    """CHPO writes some labels with a space between Latin and Chinese ("Chaddock 反射"); the
    keys are read without it as the text is, so both spellings match."""
    hpo = embedded_hpo({"HP:0010875": "Chaddock 反射"})
    ex = DictionaryExtractor(hpo)
    for text in ("双侧Chaddock 反射阳性", "双侧Chaddock反射阳性"):
        assert [m.hpo_id for m in ex.extract(text).mentions] == ["HP:0010875"], text


def test_no_febrile_seizure_history_is_not_an_afebrile_seizure() -> None:
    ex = DictionaryExtractor(embedded_hpo())

    def seizures(text: str) -> list[tuple[str, bool]]:
        return [(m.hpo_id, m.negated) for m in ex.extract(text).mentions]

    assert seizures("无热惊厥家族史。") == [("HP:0002373", True)]  # no family history of febrile seizures
    assert seizures("有无热性惊厥史：无。") == [("HP:0002373", True)]  # 有无 = whether
    assert seizures("无热性强直阵挛发作2次。") == [("HP:0002069", False)]


def test_a_negation_reaches_over_course_words_and_the_verb() -> None:
    ex = DictionaryExtractor(embedded_hpo())
    assert [(m.hpo_id, m.negated) for m in ex.extract("未再反复出现抽搐。").mentions] == [("HP:0001250", True)]
    assert [(m.hpo_id, m.negated) for m in ex.extract("无明显诱因出现抽搐。").mentions] == [("HP:0001250", False)]


def test_organ_rule_reads_lists_and_leaves_an_organ_felt_elsewhere() -> None:
    ex = DictionaryExtractor(embedded_hpo())
    got = [(m.text, m.hpo_id, m.negated) for m in ex.extract("肝、脾肋下未触及。").mentions]
    assert got == [("肝", "HP:0002240", True), ("脾", "HP:0001744", True)]
    assert ex.extract("肝脏肋下未触及，剑突下3cm可及。").mentions == ()


def test_sibling_words_mark_family_history() -> None:
    ex = DictionaryExtractor(embedded_hpo())
    assert [(m.hpo_id, m.family) for m in ex.extract("其兄有抽搐史。").mentions] == [("HP:0001250", True)]
