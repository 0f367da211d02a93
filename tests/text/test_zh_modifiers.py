"""Chinese modifiers (rarelens.text.zh_modifiers) on the embedded HPO: the modified terms are
derived from labels, and the extractor widens a Chinese match over the modifier before it."""

from __future__ import annotations

import pytest

from embedded import embedded_hpo
from rarelens.ontology import Ontology
from rarelens.text.extractor import DictionaryExtractor
from rarelens.text.zh_modifiers import _SAME_MODIFIER, build_modified_terms, modifier_before

SNHL, BILATERAL_SNHL, HYPOTONIA, GENERALIZED_HYPOTONIA = "HP:0000407", "HP:0008619", "HP:0001252", "HP:0001290"
OTITIS_MEDIA, RECURRENT_OTITIS_MEDIA = "HP:0000388", "HP:0000403"
CAFE_AU_LAIT, MULTIPLE_CAFE_AU_LAIT = "HP:0000957", "HP:0007565"
LABELS_ZH = {SNHL: "感音神经性耳聋", OTITIS_MEDIA: "中耳炎"}


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return embedded_hpo(LABELS_ZH)


def test_pairs_come_from_labels(ontology: Ontology) -> None:
    pairs = build_modified_terms(ontology)
    i = ontology.index
    assert pairs[(i(SNHL), "bilateral")] == i(BILATERAL_SNHL)
    assert pairs[(i(HYPOTONIA), "generalized")] == i(GENERALIZED_HYPOTONIA)
    assert pairs[(i(OTITIS_MEDIA), "recurrent")] == i(RECURRENT_OTITIS_MEDIA)
    assert pairs[(i(CAFE_AU_LAIT), "multiple")] == i(MULTIPLE_CAFE_AU_LAIT)  # plural label
    for (parent, word), child in pairs.items():
        assert parent in ontology.parents(child).tolist()
        label = ontology.labels[child].lower()
        words = {word} | {w for w, same in _SAME_MODIFIER.items() if same == word}
        assert any(label.startswith(w + " ") or label.endswith(", " + w) for w in words), label
    assert pairs[(i("HP:0001249"), "severe")] == i("HP:0010864")  # Intellectual disability, severe
    # one modifier, two HPO words: *Exertional dyspnea*, *Exercise-induced myoglobinuria*
    assert pairs[(i("HP:0002094"), "exertional")] == i("HP:0002875")
    assert pairs[(i("HP:0002913"), "exertional")] == i("HP:0008305")
    assert pairs[(i("HP:0001943"), "fasting")] == i("HP:0003162")  # Fasting hypoglycemia


def test_modifier_before() -> None:
    assert modifier_before("患儿双侧耳聋", 4) == (2, "bilateral")
    assert modifier_before("反复发作性头痛", 5) == (0, "recurrent")  # the longest
    assert modifier_before("耳聋", 0) is None
    assert modifier_before("反复出现低血糖", 4) == (0, "recurrent")  # across the verb
    assert modifier_before("反复患中耳炎", 3) == (0, "recurrent")
    assert modifier_before("查体：双眼睑下垂", 4) == (3, "bilateral")
    assert modifier_before("无双眼睑下垂", 2) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("纯音测听示双侧感音神经性耳聋。", ("双侧感音神经性耳聋", BILATERAL_SNHL)),
        ("查体：全身肌张力低下。", ("全身肌张力低下", GENERALIZED_HYPOTONIA)),
        ("躯干见多发咖啡牛奶斑。", ("多发咖啡牛奶斑", MULTIPLE_CAFE_AU_LAIT)),
        ("查体：双眼睑下垂。", ("双眼睑下垂", "HP:0001488")),  # Bilateral ptosis
        ("患儿反复发生中耳炎。", ("反复发生中耳炎", RECURRENT_OTITIS_MEDIA)),  # across the verb
        ("自幼反复患中耳炎。", ("反复患中耳炎", RECURRENT_OTITIS_MEDIA)),
    ],
)
def test_extractor_widens_over_the_modifier(ontology: Ontology, text: str, expected: tuple[str, str]) -> None:
    mentions = DictionaryExtractor(ontology).extract(text).mentions
    assert [(m.text, m.hpo_id) for m in mentions] == [expected]
    m = mentions[0]
    assert text[m.start : m.end] == m.text
    assert m.rule.split(";")[0].endswith("+modifier")


def test_no_child_no_change(ontology: Ontology) -> None:
    # HPO has no "Bilateral otitis media": the match stays as it was
    mentions = DictionaryExtractor(ontology).extract("双侧中耳炎").mentions
    assert [(m.text, m.hpo_id) for m in mentions] == [("中耳炎", OTITIS_MEDIA)]


HEARING_IMPAIRMENT, PROGRESSIVE_HEARING_IMPAIRMENT = "HP:0000365", "HP:0001730"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("双耳听力进行性下降5年。", ("听力进行性下降", PROGRESSIVE_HEARING_IMPAIRMENT)),  # course word → child
        ("双耳听力明显下降。", ("听力明显下降", HEARING_IMPAIRMENT)),  # degree word → the finding itself
    ],
)
def test_infix_degree_and_course_words(ontology: Ontology, text: str, expected: tuple[str, str]) -> None:
    mentions = DictionaryExtractor(ontology).extract(text).mentions
    assert [(m.text, m.hpo_id) for m in mentions] == [expected]
    assert mentions[0].rule.startswith("infix")


def test_negation_before_an_infix_word(ontology: Ontology) -> None:
    mentions = DictionaryExtractor(ontology).extract("双耳听力无明显下降。").mentions
    assert [(m.text, m.hpo_id, m.negated) for m in mentions] == [("听力无明显下降", HEARING_IMPAIRMENT, True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("表现为非进行性听力下降", ("听力下降", HEARING_IMPAIRMENT)),  # non-progressive
        ("中重度感音神经性耳聋", ("感音神经性耳聋", SNHL)),  # moderate to severe, not severe
    ],
)
def test_a_modifier_inside_another_word_is_not_one(ontology: Ontology, text: str, expected: tuple[str, str]) -> None:
    mentions = DictionaryExtractor(ontology).extract(text).mentions
    assert [(m.text, m.hpo_id) for m in mentions] == [expected]


def test_a_widened_lab_finding_keeps_its_negation(ontology: Ontology) -> None:
    # 急性 widens 血氨未见升高 to Acute hyperammonemia; the 未见 inside must still negate it
    mentions = DictionaryExtractor(ontology).extract("急性血氨未见升高").mentions
    assert [(m.text, m.negated) for m in mentions] == [("急性血氨未见升高", True)]
