"""`rarelens benchmark genes` on the fixture knowledge base built by `kb build`.

The fixture KB has six protein-coding HGNC genes: FBN1 (Marfan), TGFBR1 (Loeys-Dietz 1 and
Loeys-Dietz ORPHA:60030), TGFB2 (ORPHA:60030 only), KHK (essential fructosuria), FBN2 and NAT2
(no disease with annotations). With ``--decoys 5`` every other gene is a decoy, so the ranks are
known; TGFB2's only disease is also one of TGFBR1's, so TGFB2 can at best tie with TGFBR1.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.benchmark_genes import causal_genes, draw_decoys
from rarelens.cli.main import app
from rarelens.config import resolve_kb_path
from rarelens.model.patient import Patient
from rarelens.phenotype.genes import GenePhenotypeScorer
from rarelens.phenotype.ranker import PhenotypeRanker
from rarelens.store import load_knowledge_base

AssertExit = Callable[[Result, int], None]
pytestmark = pytest.mark.usefixtures("cli_env")
TALL = "HP:0000098"


def last_json(result: Result) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


def phenopacket(path: Path, observed: list[str], genes: list[dict[str, str]], status: str = "CAUSATIVE") -> Path:
    data: dict[str, Any] = {
        "id": path.stem,
        "subject": {"id": "proband", "sex": "FEMALE"},
        "phenotypicFeatures": [{"type": {"id": t}} for t in observed],
        "interpretations": [{"id": "i1", "progressStatus": "SOLVED", "diagnosis": {
            "disease": {"id": "OMIM:000000", "label": "x"},
            "genomicInterpretations": [
                {"subjectOrBiosampleId": "proband", "interpretationStatus": status,
                 "variantInterpretation": {"variationDescriptor": {"id": "v", "geneContext": g}}}
                for g in genes
            ]}}],
        "metaData": {"phenopacketSchemaVersion": "2.0"},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    phenopacket(root / "FBN1" / "marfan.json", ["HP:0001166", "HP:0002616", "HP:0001083"],
                [{"valueId": "HGNC:3603", "symbol": "FBN1"}])
    phenopacket(root / "TGFB2" / "tall.json", [TALL], [{"valueId": "HGNC:11768", "symbol": "TGFB2"}])
    phenopacket(root / "TGFBR1" / "alias.json", ["HP:0002616", "HP:0001166"], [{"symbol": "ALK5"}])  # an alias
    phenopacket(root / "NAT2" / "nat2.json", ["HP:0001166"], [{"valueId": "HGNC:7646", "symbol": "NAT2"}])
    phenopacket(root / "other" / "unknown.json", ["HP:0001166"], [{"symbol": "NOTAGENE"}])
    phenopacket(root / "other" / "no-gene.json", ["HP:0001166"], [])
    phenopacket(root / "other" / "candidate.json", ["HP:0001166"], [{"symbol": "FBN1"}], status="CANDIDATE")
    return root


def run(runner: CliRunner, assert_exit: AssertExit, cases: Path, *args: str) -> Any:
    result = runner.invoke(app, ["benchmark", "genes", str(cases), "--json", *args])
    assert_exit(result, 0)
    return last_json(result)


def out_lines(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(x["case"], x["method"]): x for x in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_json_keys_and_counts(runner: CliRunner, assert_exit: AssertExit, cases: Path) -> None:
    data = run(runner, assert_exit, cases, "--decoys", "5", "--method", "all")
    assert data["cases_read"] == 7
    assert data["cases_without_gene"] == 2  # no interpretation; a CANDIDATE gene only
    assert (data["gene_not_in_kb"], data["gene_without_disease"]) == (1, 1)
    assert (data["cases_ranked"], data["cases_in_kb"]) == (5, 3)
    assert data["protocol"] == {"decoys": 5, "seed": 42, "universe": "protein-coding", "universe_size": 6,
                                "aggregate": "max", "ties": "against the true gene", "fold": None, "limit": None}
    for key in ("kb_version", "load_s", "all", "in_kb", "method"):
        assert key in data
    for m in ("ensemble", "likelihood-ratio", "similarity"):
        r = data[m]
        for key in ("all", "in_kb", "median_case_ms", "median_gene_step_ms", "cases_per_second", "cohorts"):
            assert key in r
        assert (r["all"]["n"], r["in_kb"]["n"]) == (5, 3)
        assert r["in_kb"]["top3"] == 1.0
        assert r["all"]["top10"] == pytest.approx(0.6)  # the two genes without a disease are misses
        assert set(r["cohorts"]) == {"FBN1", "TGFB2", "TGFBR1", "NAT2", "other"}
        assert r["cohorts"]["NAT2"]["top10"] == 0
    assert data["all"] == data["ensemble"]["all"]


def test_ties_count_against_the_true_gene(runner: CliRunner, assert_exit: AssertExit, cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "cases.jsonl"
    run(runner, assert_exit, cases, "--decoys", "5", "--method", "likelihood-ratio", "--out", str(out))
    lines = out_lines(out)
    tall = lines[("TGFB2/tall.json", "likelihood-ratio")]
    # Recompute from the library: the same knowledge base, the same decoys.
    kbase = load_knowledge_base(resolve_kb_path(None))
    scorer = GenePhenotypeScorer(PhenotypeRanker(kbase))
    genes = scorer.score(Patient((kbase.ontology.index(TALL),)), "likelihood-ratio").score
    gold = scorer.gene_index("TGFB2")
    assert gold is not None
    decoys = [scorer.gene_index(h) for h in tall["decoys"]]
    assert scorer.gene_index("TGFBR1") in decoys
    assert genes[scorer.gene_index("TGFBR1")] == genes[gold]  # an exact tie …
    assert tall["rank"] == 1 + sum(genes[d] >= genes[gold] for d in decoys)  # … counted against the gold
    assert tall["rank"] > 1 + sum(genes[d] > genes[gold] for d in decoys)
    assert lines[("FBN1/marfan.json", "likelihood-ratio")]["rank"] == 1
    alias = lines[("TGFBR1/alias.json", "likelihood-ratio")]
    assert (alias["gene_hgnc"], alias["status"]) == (["HGNC:11772"], "ok")
    nat2 = lines[("NAT2/nat2.json", "likelihood-ratio")]
    assert (nat2["status"], nat2["rank"]) == ("no-disease-link", None)
    assert lines[("other/unknown.json", "likelihood-ratio")]["status"] == "gene-not-in-kb"


def test_seeded_decoys_are_reproducible(runner: CliRunner, assert_exit: AssertExit, cases: Path, tmp_path: Path) -> None:
    def decoys(*args: str) -> dict[str, list[str]]:
        out = tmp_path / "d.jsonl"
        run(runner, assert_exit, cases, "--decoys", "2", "--method", "likelihood-ratio", "--out", str(out), *args)
        return {case: x["decoys"] for (case, _), x in out_lines(out).items()}

    first = decoys("--seed", "7", "--jobs", "1")
    assert all(len(d) == 2 for d in first.values())
    assert decoys("--seed", "7", "--jobs", "2") == first
    assert decoys("--seed", "8", "--jobs", "1") != first
    # A case's decoys do not depend on which other cases are read.
    alone = decoys("--seed", "7", "--fold", str(zlib.crc32(b"FBN1") % 2))
    assert alone["FBN1/marfan.json"] == first["FBN1/marfan.json"]
    assert "HGNC:3603" not in first["FBN1/marfan.json"]  # never the true gene


def test_disease_gene_universe(runner: CliRunner, assert_exit: AssertExit, cases: Path) -> None:
    data = run(runner, assert_exit, cases, "--universe", "disease-genes", "--decoys", "100", "--aggregate", "logsumexp")
    assert data["protocol"]["universe_size"] == 4  # FBN1, KHK, TGFB2, TGFBR1
    assert data["in_kb"]["n"] == 3


def test_table_output(runner: CliRunner, assert_exit: AssertExit, cases: Path) -> None:
    result = runner.invoke(app, ["benchmark", "genes", str(cases), "--decoys", "5"])
    assert_exit(result, 0)
    assert "in_kb" in result.stdout
    assert "cohorts" not in last_json(result)["ensemble"]


@pytest.mark.parametrize("args", [["--method", "nope"], ["--universe", "all"], ["--aggregate", "mean"], ["--decoys", "0"]])
def test_bad_args(runner: CliRunner, assert_exit: AssertExit, cases: Path, args: list[str]) -> None:
    assert_exit(runner.invoke(app, ["benchmark", "genes", str(cases), *args]), 2)


def test_missing_folder(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    assert_exit(runner.invoke(app, ["benchmark", "genes", str(tmp_path / "missing")]), 2)


def test_causal_genes_and_decoy_draw() -> None:
    data = {"interpretations": [{"diagnosis": {"genomicInterpretations": [
        {"interpretationStatus": "CAUSATIVE", "variantInterpretation": {"variationDescriptor": {
            "geneContext": {"valueId": "HGNC:3603", "symbol": "FBN1"}}}},
        {"interpretationStatus": "REJECTED", "variantInterpretation": {"variationDescriptor": {
            "geneContext": {"valueId": "HGNC:1", "symbol": "A1BG"}}}},
        {"interpretationStatus": "CONTRIBUTORY", "gene": {"valueId": "HGNC:11772", "symbol": "TGFBR1"}},
    ]}}]}
    assert causal_genes(data) == [("HGNC:3603", "FBN1"), ("HGNC:11772", "TGFBR1")]
    universe = np.arange(50, dtype=np.int64)
    a = draw_decoys(universe, (3,), 10, 42, "X/a.json")
    assert len(set(a.tolist())) == 10
    assert 3 not in a
    assert (a == draw_decoys(universe, (3,), 10, 42, "X/a.json")).all()
    assert not (a == draw_decoys(universe, (3,), 10, 42, "X/b.json")).all()
