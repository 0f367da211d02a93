"""Growth measurements read against their centile or SD (rarelens.text.growth), on the embedded
HPO: at or below the 3rd centile or −2 SD is low, at or above the 97th or +2 SD high."""

from __future__ import annotations

import pytest

from embedded import embedded_hpo
from rarelens.model.scripts import has_cjk
from rarelens.text.extractor import DictionaryExtractor
from rarelens.text.growth import GrowthReader

SHORT, TALL, MICRO, MACRO, LOW_WEIGHT = "HP:0004322", "HP:0000098", "HP:0000252", "HP:0000256", "HP:0004325"


def read(text: str) -> list[tuple[str, str]]:
    hpo = embedded_hpo()
    zh = has_cjk(text)
    return [(text[f.start : f.end], hpo.ids[f.term]) for f in GrowthReader(hpo).find(text, zh=zh)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short (height 1st centile) with ptosis.", [("height 1st centile", SHORT)]),
        ("height <3rd centile, OFC -3 SD", [("height <3rd centile", SHORT), ("OFC -3 SD", MICRO)]),
        ("weight <0.4th centile", [("weight <0.4th centile", LOW_WEIGHT)]),
        ("OFC +3.2 SD", [("OFC +3.2 SD", MACRO)]),
        ("height above the 97th centile", [("height above the 97th centile", TALL)]),
        ("height of 102 cm (−\u20094.3 SD)", [("height of 102 cm (−\u20094.3 SD", SHORT)]),  # a thin space
        ("身高98cm，低于同年龄第3百分位", [("身高98cm，低于同年龄第3百分位", SHORT)]),
        ("头围 -2.5SD", [("头围 -2.5SD", MICRO)]),
        ("身高位于P3以下", [("身高位于P3以下", SHORT)]),
        ("Height was 3 SD below the mean.", [("Height was 3 SD below the mean", SHORT)]),  # no sign: the words say
        ("Height SDS −2.4.", [("Height SDS −2.4", SHORT)]),
        ("Height 92.5 cm (<0.4th centile)", [("Height 92.5 cm (<0.4th centile", SHORT)]),  # a decimal in between
        ("Height 92 cm, weight 12 kg (2nd centile).", [("weight 12 kg (2nd centile", LOW_WEIGHT)]),  # its own measure
        ("身高>P97", [("身高>P97", TALL)]),
        # at birth: the birth terms
        ("Birth weight 2.1 kg (<3rd centile).", [("weight 2.1 kg (<3rd centile", "HP:0001518")]),  # SGA
        ("Birth length 44 cm (<1st centile).", [("length 44 cm (<1st centile", "HP:0003561")]),
        ("Length at birth (<-2 SD).", [("Length at birth (<-2 SD", "HP:0003561")]),
        ("出生体重2.1kg，低于第3百分位", [("体重2.1kg，低于第3百分位", "HP:0001518")]),
    ],
)
def test_out_of_range_measurements(text: str, expected: list[tuple[str, str]]) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "height on the 50th centile",
        "weight below the 97th centile",
        "head circumference was 50th–98th percentile",  # a range
        "height 3rd-10th centile",
        "Her height is 150 cm.",  # a value without its centile depends on age and sex
        "OFC -1.5 SD",
        "身高位于P3-P10之间",
        "身高-2SD~-1SD",
        "体重在P50",
        "Height was within 2 SD of the mean.",
        "OFC 3 SD",  # no sign, no words: no direction
        "身高在P10~P25",  # not P1
        "头围-1SD~-2SD",
        "Height between the 91st and 98th centiles.",
        "Ear length <3rd centile.",  # another body part
        "Sitting height ratio +2.5 SD.",
        "Target height 150 cm (-2.3 SD).",
        "Maternal height 148 cm (−2.5 SD).",  # a parent's
        "遗传靶身高150cm，低于第3百分位",
    ],
)
def test_within_range_or_unread(text: str) -> None:
    assert read(text) == []


def test_the_extractor_reports_them_with_their_source() -> None:
    text = "Growth: height 2nd centile, OFC +2.5 SD."
    got = [(m.text, m.hpo_id, m.source) for m in DictionaryExtractor(embedded_hpo()).extract(text).mentions]
    assert ("height 2nd centile", SHORT, "growth-rule") in got
    assert ("OFC +2.5 SD", MACRO, "growth-rule") in got


def test_a_negation_inside_the_measurement_is_kept() -> None:
    hpo = embedded_hpo()
    for text in ("Her height is not below the 3rd centile.", "身高不低于P3"):
        [f] = GrowthReader(hpo).find(text, zh=text.isascii() is False)
        assert f.negated, text
        m = [m for m in DictionaryExtractor(hpo).extract(text).mentions if m.source == "growth-rule"]
        assert [(x.hpo_id, x.negated) for x in m] == [(SHORT, True)], text
