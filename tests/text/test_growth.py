"""Growth measurements read against their centile or SD (rarelens.text.growth), on the embedded
HPO: at or below the 3rd centile or −2 SD is low, at or above the 97th or +2 SD high."""

from __future__ import annotations

import pytest

from embedded import embedded_hpo
from rarelens.text.extractor import DictionaryExtractor
from rarelens.text.growth import GrowthReader

SHORT, TALL, MICRO, MACRO, LOW_WEIGHT = "HP:0004322", "HP:0000098", "HP:0000252", "HP:0000256", "HP:0004325"


def read(text: str) -> list[tuple[str, str]]:
    hpo = embedded_hpo()
    zh = any("\u4e00" <= c <= "\u9fff" for c in text)
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
    ],
)
def test_within_range_or_unread(text: str) -> None:
    assert read(text) == []


def test_the_extractor_reports_them_with_their_source() -> None:
    text = "Growth: height 2nd centile, OFC +2.5 SD."
    got = [(m.text, m.hpo_id, m.source) for m in DictionaryExtractor(embedded_hpo()).extract(text).mentions]
    assert ("height 2nd centile", SHORT, "growth-rule") in got
    assert ("OFC +2.5 SD", MACRO, "growth-rule") in got
