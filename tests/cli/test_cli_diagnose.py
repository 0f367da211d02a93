"""`rarelens diagnose` and `rarelens benchmark phenotype` on a knowledge base built by `kb build`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from rarelens.cli.diagnose import _table
from rarelens.cli.main import app
from rarelens.io.phenopacket import build_patient
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.phenotype.ranker import PhenotypeRanker

AssertExit = Callable[[Result, int], None]
MARFAN_TERMS = "HP:0001166,HP:0002616,HP:0001083"  # Arachnodactyly, Aortic root aneurysm, Ectopia lentis

pytestmark = pytest.mark.usefixtures("cli_env")


def flat(text: str) -> str:
    return " ".join(text.split())


def last_json(result: Result) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


def phenopacket(path: Path, observed: list[str], gold: str | None = None, excluded: list[str] = ()) -> Path:  # type: ignore[assignment]
    data: dict[str, Any] = {
        "id": path.stem,
        "subject": {"id": "proband", "sex": "MALE"},
        "phenotypicFeatures": [{"type": {"id": t}} for t in observed]
        + [{"type": {"id": t}, "excluded": True} for t in excluded],
        "metaData": {"phenopacketSchemaVersion": "2.0"},
    }
    if gold:
        data["diseases"] = [{"term": {"id": gold}}]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_diagnose_table(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", MARFAN_TERMS])
    assert_exit(result, 0)
    assert "Marfan" in result.stdout
    assert "ensemble" in result.stdout
    assert "Decision support only" in flat(result.stdout)


def test_diagnose_table_names_the_disease_term_and_where_a_shared_ancestor_meets(kb: KnowledgeBase) -> None:
    """The table's 'why' column: the disease's record when it is not the patient's own term,
    and the meeting term of a shared-ancestor match (the fixture knowledge base is too small
    to make one, so one evidence row is rewritten)."""
    o = kb.ontology
    p = build_patient(o, ["HP:0001166", "HP:0002616"], [])
    ranking = PhenotypeRanker(kb).rank(p, method="likelihood-ratio", top=2)
    first = ranking.diagnoses[0]
    shared = replace(first.evidence[1], match="shared ancestor", disease_term=o.index("HP:0001519"),
                     via=o.index("HP:0000118"), contribution=-0.5)
    ranking = replace(ranking, diagnoses=(replace(first, evidence=(first.evidence[0], shared)),))
    console = Console(width=400, color_system=None)
    with console.capture() as cap:
        console.print(_table(ranking, o))
    text = flat(cap.get())
    assert "Arachnodactyly: exact" in text
    assert ("Aortic root aneurysm → Disproportionate tall stature (via Phenotypic abnormality): shared ancestor -0.5"
            in text)


def test_diagnose_repeated_hpo_options(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", "HP:0011033", "--hpo", "HP:0011033", "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert [t["id"] for t in data["patient"]["observed"]] == ["HP:0011033"]
    assert data["diagnoses"][0]["concept_id"] == "MONDO:0009252"  # essential fructosuria


def test_diagnose_json(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(
        app,
        ["diagnose", "--hpo", MARFAN_TERMS, "--excluded", "HP:0003074", "--format", "json",
         "--method", "likelihood-ratio", "--top", "3", "--sex", "F", "--onset", "P5Y"],
    )
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["method"] == "likelihood-ratio"
    assert data["kb_version"].startswith("rlkb-hpo2025-01-16-")
    assert data["software_version"]
    assert data["patient"]["sex"] == "FEMALE"
    assert [t["id"] for t in data["patient"]["excluded"]] == ["HP:0003074"]
    assert len(data["diagnoses"]) == 3
    assert data["diagnoses"][0]["label"] == "Marfan syndrome"
    assert data["diagnoses"][0]["genes"] == ["FBN1"]
    assert len(data["diagnoses"][0]["evidence"]) == 4


@pytest.mark.parametrize("fmt", ["tsv", "html", "phenopacket"])
def test_diagnose_other_formats(runner: CliRunner, assert_exit: AssertExit, fmt: str) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", MARFAN_TERMS, "--format", fmt])
    assert_exit(result, 0)
    assert "Marfan syndrome" in result.stdout
    if fmt == "phenopacket":
        assert json.loads(result.stdout)["interpretations"][0]["diagnosis"]["disease"]["id"] == "OMIM:154700"


def test_diagnose_out_file(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["diagnose", "--hpo", MARFAN_TERMS, "--format", "json", "--out", str(out)])
    assert_exit(result, 0)
    assert json.loads(out.read_text(encoding="utf-8"))["diagnoses"][0]["label"] == "Marfan syndrome"


def test_diagnose_phenopacket(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    path = phenopacket(tmp_path / "case.json", ["HP:0001166", "HP:0002616", "HP:0001083"], "OMIM:154700")
    result = runner.invoke(app, ["diagnose", "--phenopacket", str(path), "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["patient"]["id"] == "case"
    assert data["patient"]["sex"] == "MALE"
    assert data["diagnoses"][0]["label"] == "Marfan syndrome"
    table = runner.invoke(app, ["diagnose", "-p", str(path)])
    assert_exit(table, 0)
    assert "Marfan" in table.stdout


def test_diagnose_phenopacket_out_keeps_the_input(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    path = phenopacket(tmp_path / "case.json", ["HP:0011033"], "ORPHA:2056")
    result = runner.invoke(app, ["diagnose", "-p", str(path), "--format", "phenopacket"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["diseases"] == [{"term": {"id": "ORPHA:2056"}}]
    assert data["interpretations"][0]["diagnosis"]["disease"]["id"] in {"OMIM:229800", "ORPHA:2056"}


def test_alt_id_warns_but_ranks(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", "HP:0001505,HP:0002616", "--format", "json"])
    assert_exit(result, 0)
    assert "HP:0001505" in result.stderr
    assert json.loads(result.stdout)["patient"]["observed"][0]["id"] == "HP:0001166"


def test_unknown_hpo_id_exits_2(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", "HP:0001166,HP:9999999"])
    assert_exit(result, 2)
    assert "HP:9999999" in result.output


def test_errors_go_to_stderr_so_json_stdout_stays_clean(runner: CliRunner, assert_exit: AssertExit) -> None:
    """`diagnose … -f json > out.json` must not leave an error message in out.json."""
    result = runner.invoke(app, ["diagnose", "--hpo", "HP:9999999", "--format", "json"])
    assert_exit(result, 2)
    assert result.stdout == ""
    assert "HP:9999999" in result.stderr


def test_bad_phenopacket_exits_1_naming_the_file_and_the_entry(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    """An unknown id in a file is bad data (1), not a usage error; the message names the entry."""
    path = phenopacket(tmp_path / "bad-case.json", ["HP:0001166", "HP:9999999"])
    result = runner.invoke(app, ["diagnose", "--phenopacket", str(path)])
    assert_exit(result, 1)
    err = flat(result.stderr)
    assert "HP:9999999" in err
    assert "bad-case.json" in err
    assert "phenotypicFeatures[1].type.id" in err
    assert result.stdout == ""


def test_missing_phenopacket_file_exits_2(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    result = runner.invoke(app, ["diagnose", "--phenopacket", str(tmp_path / "nope.json")])
    assert_exit(result, 2)
    assert "nope.json" in flat(result.output)


def test_no_phenotypes_exits_2(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose"])
    assert_exit(result, 2)
    assert "--hpo" in result.output


def test_only_excluded_exits_2(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", "", "--excluded", "HP:0001166"])
    assert_exit(result, 2)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--method", "nope"], "nope"),
        (["--format", "xml"], "xml"),
        (["--sex", "X"], "--sex"),
        (["--onset", "three years"], "--onset"),
    ],
)
def test_bad_options_exit_2(runner: CliRunner, assert_exit: AssertExit, args: list[str], named: str) -> None:
    result = runner.invoke(app, ["diagnose", "--hpo", "HP:0001166", *args])
    assert_exit(result, 2)
    assert named in result.output


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """Two cohorts: two cases whose gold is in the fixture KB, one whose gold is not, one invalid."""
    root = tmp_path / "cases"
    phenopacket(root / "cohort-a" / "marfan.json", ["HP:0001166", "HP:0002616", "HP:0001083"], "OMIM:154700")
    phenopacket(root / "cohort-a" / "fructosuria.json", ["HP:0011033"], "ORPHA:2056", excluded=["HP:0003074"])
    phenopacket(root / "cohort-b" / "elsewhere.json", ["HP:0001166"], "OMIM:999999")
    phenopacket(root / "cohort-b" / "invalid.json", ["HP:9999999"], "OMIM:154700")
    return root


def test_benchmark_phenotype_json(runner: CliRunner, assert_exit: AssertExit, cases: Path) -> None:
    result = runner.invoke(app, ["benchmark", "phenotype", str(cases), "--method", "all", "--json"])
    assert_exit(result, 0)
    data = last_json(result)
    assert data["cases_read"] == 4
    assert data["cases_invalid"] == 1
    for m in ("ensemble", "likelihood-ratio", "similarity"):
        r = data[m]
        assert r["all"]["n"] == 3
        assert r["in_kb"]["n"] == 2
        assert r["in_kb"]["top5"] == 1.0  # only five concepts: both in-KB golds are found
        assert r["all"]["top5"] == pytest.approx(0.6667)  # the gold outside the KB is a miss
        assert r["all"]["median_rank"] is not None
        assert set(r["cohorts"]) == {"cohort-a", "cohort-b"}
        assert r["cohorts"]["cohort-b"]["n"] == 1
        assert r["cohorts"]["cohort-b"]["top10"] == 0
    lr = data["likelihood-ratio"]
    assert lr["in_kb"]["top1"] == 1.0
    assert lr["in_kb"]["mrr"] == 1.0


def test_benchmark_phenotype_out_lines(runner: CliRunner, assert_exit: AssertExit, cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "ranks.jsonl"
    result = runner.invoke(app, ["benchmark", "phenotype", str(cases), "--method", "likelihood-ratio",
                                 "--json", "--out", str(out)])
    assert_exit(result, 0)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    by_case = {Path(x["case"]).name: x for x in lines}
    assert set(by_case) == {"marfan.json", "fructosuria.json", "elsewhere.json"}
    assert by_case["marfan.json"]["rank"] == 1
    assert (by_case["elsewhere.json"]["in_kb"], by_case["elsewhere.json"]["rank"]) == (False, None)
    assert by_case["elsewhere.json"]["gold"] == ["OMIM:999999"]


def test_benchmark_phenotype_table(runner: CliRunner, assert_exit: AssertExit, cases: Path) -> None:
    result = runner.invoke(app, ["benchmark", "phenotype", str(cases)])
    assert_exit(result, 0)
    data = last_json(result)
    assert data["ensemble"]["all"]["n"] == 3
    assert "cohorts" not in data["ensemble"]


def test_benchmark_phenotype_table_when_no_gold_is_in_the_kb(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    phenopacket(tmp_path / "c" / "elsewhere.json", ["HP:0001166"], "OMIM:999999")
    result = runner.invoke(app, ["benchmark", "phenotype", str(tmp_path / "c")])
    assert_exit(result, 0)


def test_benchmark_phenotype_bad_args(runner: CliRunner, assert_exit: AssertExit, cases: Path) -> None:
    assert_exit(runner.invoke(app, ["benchmark", "phenotype", str(cases), "--method", "nope"]), 2)
    assert_exit(runner.invoke(app, ["benchmark", "phenotype", str(cases / "missing")]), 2)
