"""`rarelens term`, `disease` and `explain` on a knowledge base built by `kb build`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app

AssertExit = Callable[[Result, int], None]


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone (the test console is 80 columns wide)."""
    return " ".join(text.split())

pytestmark = pytest.mark.usefixtures("cli_env")


def last_json(result: Result) -> object:
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("disease_id", ["ORPHA:558", "OMIM:154700"])
def test_disease_card(runner: CliRunner, assert_exit: AssertExit, disease_id: str) -> None:
    result = runner.invoke(app, ["disease", disease_id])
    assert_exit(result, 0)
    out = flat(result.output)
    assert "Marfan" in out
    assert "FBN1" in out
    assert "MONDO:0007947" in out
    assert "CNRD:1-68" in out
    assert "马凡综合征" in out
    assert "Autosomal dominant" in out
    assert "allopurinol" in out


def test_disease_card_json_is_the_same_from_both_ids(runner: CliRunner, assert_exit: AssertExit) -> None:
    a = runner.invoke(app, ["disease", "ORPHA:558", "--json"])
    b = runner.invoke(app, ["disease", "OMIM:154700", "--json"])
    assert_exit(a, 0)
    assert_exit(b, 0)
    ca, cb = last_json(a), last_json(b)
    assert isinstance(ca, dict)
    assert isinstance(cb, dict)
    assert ca["concept_id"] == cb["concept_id"] == "MONDO:0007947"
    assert ca["genes"] == cb["genes"]
    assert {g["value"] for g in ca["genes"]} == {"FBN1"}
    assert [c["key"] for c in ca["catalog"]] == ["CNRD:1-68", "CNRD:1-68"]


def test_unknown_disease_exits_2(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["disease", "OMIM:000000"])
    assert_exit(result, 2)
    assert "OMIM:000000" in result.stderr


def test_disease_search(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["disease", "search", "marfan"])
    assert_exit(result, 0)
    assert "MONDO:0007947" in result.output
    assert "Marfan syndrome" in flat(result.output)
    rows = last_json(runner.invoke(app, ["disease", "search", "marfan", "--json"]))
    assert isinstance(rows, list)
    assert [r["concept"] for r in rows] == ["MONDO:0007947"]  # one concept, not one per entry
    zh = last_json(runner.invoke(app, ["disease", "search", "马凡", "--json"]))
    assert isinstance(zh, list)
    assert [r["concept"] for r in zh] == ["MONDO:0007947"]
    loeys = last_json(runner.invoke(app, ["disease", "search", "loeys dietz", "--json"]))
    assert isinstance(loeys, list)
    assert {r["concept"] for r in loeys} == {"MONDO:0012212", "MONDO:0018954"}


def test_disease_search_needs_words(runner: CliRunner, assert_exit: AssertExit) -> None:
    assert_exit(runner.invoke(app, ["disease", "search"]), 2)


def test_term(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["term", "HP:0001166"])
    assert_exit(result, 0)
    assert "Arachnodactyly" in result.output
    assert "细长指(趾)" in result.output
    assert "HP:0001238 Slender finger" in flat(result.output)
    data = last_json(runner.invoke(app, ["term", "HP:0001166", "--json"]))
    assert isinstance(data, dict)
    assert data["id"] == "HP:0001166"
    assert data["parents"] == [{"id": "HP:0001238", "label": "Slender finger"}]
    # Marfan (3 entries, one concept), Loeys-Dietz syndrome 1, Loeys-Dietz syndrome
    assert data["directly_annotated_disease_concepts"] == 3
    assert {"text": "Spider fingers", "scope": "EXACT", "types": ["layperson"]} in data["synonyms"]


def test_term_alt_id_warns(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["term", "HP:0001505"])
    assert_exit(result, 0)
    assert "HP:0001505" in result.stderr
    assert "Arachnodactyly" in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [("HP:9999999", "HP:9999999"), ("HP:0500014", "consider HP:0000118"), ("HP:12", "HP:12")],
)
def test_bad_term_exits_2(runner: CliRunner, assert_exit: AssertExit, text: str, expected: str) -> None:
    result = runner.invoke(app, ["term", text])
    assert_exit(result, 2)
    assert expected in result.stderr


def test_term_search(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["term", "search", "arachnodactyly"])
    assert_exit(result, 0)
    assert "HP:0001166" in result.output
    hits = last_json(runner.invoke(app, ["term", "search", "arachnodactyly", "--json"]))
    assert isinstance(hits, list)
    assert hits[0]["id"] == "HP:0001166"
    zh = last_json(runner.invoke(app, ["term", "search", "细长指", "--json"]))
    assert isinstance(zh, list)
    assert zh[0]["id"] == "HP:0001166"


def test_term_with_words_searches(runner: CliRunner, assert_exit: AssertExit) -> None:
    """`rarelens term arachnodactyly` is what users type first: a search, not an id error."""
    result = runner.invoke(app, ["term", "arachnodactyly", "--json"])
    assert_exit(result, 0)
    assert last_json(result)[0]["id"] == "HP:0001166"
    zh = last_json(runner.invoke(app, ["term", "细长指", "--json"]))
    assert zh[0]["id"] == "HP:0001166"


def test_term_search_without_hits_and_without_words(runner: CliRunner, assert_exit: AssertExit) -> None:
    none = runner.invoke(app, ["term", "search", "xylophone"])
    assert_exit(none, 0)
    assert "no HPO term matches" in none.stderr
    assert_exit(runner.invoke(app, ["term", "search"]), 2)


def test_explain_json(runner: CliRunner, assert_exit: AssertExit, fixture_data_dir: Path,
                      hpoa_line: Callable[..., int]) -> None:
    result = runner.invoke(app, ["explain", "OMIM:154700", "HP:0001166", "--json"])
    assert_exit(result, 0)
    ex = last_json(result)
    assert isinstance(ex, dict)
    assert ex["concept_id"] == "MONDO:0007947"
    link = next(x for x in ex["links"] if x["disease_id"] == "OMIM:154700")
    assert link["reference"] == "PMID:28050285;PMID:33436942"
    assert link["source_file"] == str(fixture_data_dir / "hpo" / "phenotype.hpoa")
    assert link["line"] == hpoa_line("OMIM:154700", "HP:0001166")
    assert link["frequency_raw"] == "124/197"


def test_explain_text(runner: CliRunner, assert_exit: AssertExit, hpoa_line: Callable[..., int]) -> None:
    result = runner.invoke(app, ["explain", "OMIM:154700", "HP:0001166"])
    assert_exit(result, 0)
    assert f"phenotype.hpoa:{hpoa_line('OMIM:154700', 'HP:0001166')}" in result.output.replace("\n", "")
    none = runner.invoke(app, ["explain", "OMIM:139600", "HP:0001166"])
    assert_exit(none, 0)
    assert "no annotation links" in flat(none.output)


@pytest.mark.parametrize(("args", "expected"), [
    (["explain", "OMIM:154700", "HP:9999999"], "HP:9999999"),
    (["explain", "OMIM:000000", "HP:0001166"], "OMIM:000000"),
])
def test_explain_bad_input_exits_2(runner: CliRunner, assert_exit: AssertExit, args: list[str], expected: str) -> None:
    result = runner.invoke(app, args)
    assert_exit(result, 2)
    assert expected in result.stderr


def test_words_for_an_id_get_a_fix_that_works(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["explain", "OMIM:154700", "arachnodactyly"])
    assert_exit(result, 2)
    assert "Fix: find the term's id with `rarelens term search arachnodactyly`" in flat(result.stderr)
    assert not flat(result.stderr).endswith("Fix:")
    digits = runner.invoke(app, ["diagnose", "--hpo", "HP:12"])
    assert_exit(digits, 2)
    assert "write HP: and seven digits" in flat(digits.stderr)


def test_lookup_without_a_knowledge_base(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RARELENS_HOME", str(tmp_path))
    result = runner.invoke(app, ["disease", "ORPHA:558"])
    assert_exit(result, 1)
    assert "rarelens kb build" in result.stderr
