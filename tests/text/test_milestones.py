"""Late developmental milestones read from the age in the note (rarelens.text.milestones), on the
embedded HPO: a delay only past an age no healthy child reaches the milestone after."""

from __future__ import annotations

import pytest

from embedded import embedded_hpo
from rarelens.model.scripts import has_cjk
from rarelens.text.extractor import DictionaryExtractor
from rarelens.text.milestones import DELAYED_SIT, DELAYED_SPEECH, DELAYED_WALK, MilestoneReader


def late(text: str) -> list[tuple[str, str]]:
    hpo = embedded_hpo()
    zh = has_cjk(text)
    return [(text[f.start : f.end], hpo.ids[f.term]) for f in MilestoneReader(hpo).find(text, zh=zh)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("患儿1岁半会坐，2岁半会走。", [("1岁半会坐", DELAYED_SIT), ("2岁半会走", DELAYED_WALK)]),
        ("现3岁仍不能讲短句。", [("3岁仍不能讲短句", DELAYED_SPEECH)]),
        ("4岁仍不能独走。", [("4岁仍不能独走", DELAYED_WALK)]),
        ("两岁半才会走路", [("两岁半才会走路", DELAYED_WALK)]),
        ("2岁3个月方能独走", [("2岁3个月方能独走", DELAYED_WALK)]),
        ("He walked independently at 30 months.", [("walked independently at 30 months", DELAYED_WALK)]),
        ("first words at 3 years", [("first words at 3 years", DELAYED_SPEECH)]),
        ("She was not walking at 2 years.", [("not walking at 2 years", DELAYED_WALK)]),
        ("did not walk until the age of 2 years", [("not walk until the age of 2 years", DELAYED_WALK)]),
        ("didn't walk until the age of 3.", [("n't walk until the age of 3", DELAYED_WALK)]),
        ("He walked at 1 year 8 months.", [("walked at 1 year 8 months", DELAYED_WALK)]),
        ("He walked at two years of age.", [("walked at two years", DELAYED_WALK)]),
        ("Independent walking was achieved at 30 months.", [("Independent walking was achieved at 30 months",
                                                              DELAYED_WALK)]),
        ("No words at 2 years.", [("No words at 2 years", DELAYED_SPEECH)]),
        ("患儿1岁零8个月才会走。", [("1岁零8个月才会走", DELAYED_WALK)]),
        ("3岁才学会走路。", [("3岁才学会走路", DELAYED_WALK)]),
        ("患儿现3岁，不会说话。", [("3岁，不会说话", DELAYED_SPEECH)]),
    ],
)
def test_late_milestones(text: str, expected: list[tuple[str, str]]) -> None:
    assert late(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "患儿9个月会坐，1岁会走，1岁半会说话。",  # on time
        "1岁3个月会走",  # 15 months: within the normal range
        "15个月仍不能独走",  # not yet, but still within the normal range
        "sat at 7 months and walked at 13 months",
        "walking difficulties at age 8 years",  # no milestone
        "tiptoe-walking at the age of 2 years",  # a gait, not walking itself
        "unable to walk without aid at age 32 years",  # a loss in an adult, not a late milestone
        "2岁能说短句",  # phrases by 2 years are on time
        # a loss, not a delay
        "He walked at 12 months but stopped walking at 4 years.",
        "He was no longer walking at 5 years.",
        "1岁会走，3岁后不会走了。",
        "1岁会走，4岁时不能走路。",
        "She was unable to walk at 5 years after the stroke.",
        # another meaning of the words
        "2岁会坐飞机。",
        "3岁会走楼梯。",
        "4岁不能坐太久。",
        "Toe walking at 3 years.",
        "He could read sentences at 5 years.",
        "The family walked at 3 years into the clinic.",
        # an ability at an age, not when it began
        "He was already walking at 2 years.",
        "He could walk at 3 years but could not run.",
        "患儿现4岁，会走会跑。",
        "2岁时会叫人，3岁会讲短句。",
        # a date, not an age
        "2023年11月会坐。",
        "Gross motor: not walking\nAt 3 years: seizures began.",
    ],
)
def test_on_time_or_no_milestone(text: str) -> None:
    assert late(text) == []


def test_the_extractor_reports_them_without_a_clause_negation() -> None:
    """"wasn't capable to sit without help till 12 months and walked at 2 years": the negation
    belongs to the first clause (itself a late milestone); both findings are present."""
    text = "She wasn't capable to sit without help till 13 months and walked at the age of 2 years."
    got = [(m.text, m.hpo_id, m.negated, m.source) for m in DictionaryExtractor(embedded_hpo()).extract(text).mentions]
    assert ("walked at the age of 2 years", DELAYED_WALK, False, "milestone-rule") in got
    assert any(h == DELAYED_SIT and not neg for _, h, neg, _ in got)
    for m in DictionaryExtractor(embedded_hpo()).extract(text).mentions:
        assert text[m.start : m.end] == m.text
