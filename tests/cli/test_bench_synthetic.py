"""`rarelens bench make-genome` and `make-trio`, and `rarelens analyze` on the synthetic trio.

The trio checks run on the real shared data (the Pfeiffer exome, the dev phenopackets, the GRCh38
gene table) and the real knowledge base, as `tests/kb/test_real_data.py` finds them: through
RARELENS_DATA, and RARELENS_KB or RARELENS_HOME for the knowledge base. They are skipped
otherwise.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app
from rarelens.config import resolve_kb_path
from rarelens.io.vcf import read_vcf, read_vcf_header
from rarelens.variants.table import CHROM_X

AssertExit = Callable[[Result, int], None]
PFEIFFER = Path("genomics/vcf/background_exome_pfeiffer.grch38.vcf.gz")


def test_make_genome_cli(tmp_path: Path, runner: CliRunner, assert_exit: AssertExit) -> None:
    bg = tmp_path / "bg.vcf"
    bg.write_text("\n".join([
        "##fileformat=VCFv4.2",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1",
        "chr1\t100\trs1\tA\tG\t30\tPASS\t.\tGT\t0/1",
        "chr7\t5000\trs2\tCA\tC\t40\tPASS\tDB\tGT\t1/1",
    ]) + "\n")
    out = tmp_path / "g.vcf.gz"
    result = runner.invoke(app, ["bench", "make-genome", "--background", str(bg), "--out", str(out),
                                 "--records", "400", "--seed", "2"])
    assert_exit(result, 0)
    assert "wrote 400 records" in result.stdout
    t = read_vcf(out)
    assert len(t) == 400
    assert (np.diff(t.chrom.astype(np.int64) * 10**10 + t.pos) > 0).all()
    # Without ##contig lines in the background the GRCh38 lengths are declared.
    assert any(m.startswith("##contig=<ID=chrX,length=156040895") for m in read_vcf_header(out).meta_lines)

    missing = runner.invoke(app, ["bench", "make-genome", "--background", str(tmp_path / "nope.vcf"),
                                  "--out", str(out)])
    assert_exit(missing, 2)
    assert "no such file" in missing.output


def test_make_trio_needs_a_background(tmp_path: Path, runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["bench", "make-trio", "--background", str(tmp_path / "nope.vcf.gz"),
                                 "--out-dir", str(tmp_path / "trio")])
    assert_exit(result, 2)
    assert "no such file" in result.output


# -- real data --------------------------------------------------------------------------------


def _real_inputs() -> tuple[Path, Path]:
    env = os.environ.get("RARELENS_DATA")
    if not env:
        pytest.skip("RARELENS_DATA is not set; point it at the shared reference data to run these")
    data = Path(env)
    needed = [data / PFEIFFER, data / "phenopackets" / "dev", data / "genomics" / "genes" / "genes_grch38.tsv.gz"]
    absent = [str(p) for p in needed if not p.exists()]
    if absent:
        pytest.skip(f"real data missing: {', '.join(absent)}")
    kb = resolve_kb_path(None)
    if not kb.is_file():
        pytest.skip(f"no knowledge base at {kb} (build one with `rarelens kb build`)")
    return data, kb


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data, _kb = _real_inputs()
    out = tmp_path_factory.mktemp("trio")
    result = CliRunner().invoke(app, ["bench", "make-trio", "--background", str(data / PFEIFFER),
                                      "--out-dir", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    spiked: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(out / "trio.vcf.gz", "rt") as fh:
        for line in fh:
            if "\tSPIKED;" in line:
                cols = line.split("\t")
                info = dict(kv.split("=") for kv in cols[7].split(";")[1:])
                key = f"{cols[0].removeprefix('chr')}-{cols[1]}-{cols[3]}-{cols[4]}"
                spiked.setdefault(info["SpikeGene"], []).append((key, info["SpikeOrigin"]))
    return {"dir": out, "spiked": spiked}


def _analyze(folder: Path, case: str) -> dict[str, Any]:
    target = folder / f"{case}.result.json"
    result = CliRunner().invoke(app, ["analyze", "--vcf", str(folder / "trio.vcf.gz"), "--ped",
                                      str(folder / "trio.ped"), "--phenopacket", str(folder / f"{case}_case.json"),
                                      "--format", "json", "--out", str(target)])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(target.read_text())
    return out


def test_trio_files_are_mendelian(trio: dict[str, Any]) -> None:
    folder: Path = trio["dir"]
    assert sorted(origin for v in trio["spiked"].values() for _, origin in v) == ["de_novo", "maternal", "paternal"]
    assert (folder / "trio.ped").read_text().splitlines()[1:] == ["FAM1\tfather\t0\t0\t1\t1",
                                                                  "FAM1\tmother\t0\t0\t2\t1"]
    readme = (folder / "README.txt").read_text()
    for gene, variants in trio["spiked"].items():
        assert gene in readme
        for key, _ in variants:
            chrom, pos = key.split("-")[:2]
            assert f"chr{chrom}:{pos} " in readme
    t = read_vcf(folder / "trio.vcf.gz")
    assert t.samples == ("child", "father", "mother")
    gt = t.genotype
    auto = (t.chrom < CHROM_X) & (gt >= 0).all(axis=1)
    c, f, m = gt[:, 0], gt[:, 1], gt[:, 2]
    wrong = auto & (((c == 2) & ((f == 0) | (m == 0))) | ((c == 1) & (f == 0) & (m == 0)) | ((c == 0) & ((f == 2) | (m == 2))))
    de_novo = [gene for gene, vs in trio["spiked"].items() for key, origin in vs if origin == "de_novo"]
    assert [t.key(int(i)) for i in np.flatnonzero(wrong)] == [k for k, o in trio["spiked"][de_novo[0]]]
    assert 9_000 < int((auto & (c == 0)).sum()) < 11_500  # ~30 % of the child's hets became a parent's alone


def test_analyze_ranks_the_de_novo_dominant_gene_first(trio: dict[str, Any]) -> None:
    (gene,) = [g for g, vs in trio["spiked"].items() if vs[0][1] == "de_novo"]
    (key,) = [k for k, _ in trio["spiked"][gene]]
    res = _analyze(trio["dir"], "dominant")
    top = res["genes"][0]
    assert (top["symbol"], top["mode"]) == (gene, "AD")
    v = next(v for v in top["variants"] if v["key"] == key)
    assert v["de_novo"] is True
    assert v["filters"]["inheritance"] == "PASS"
    assert v["genotypes"] == [["child", "0/1"], ["father", "0/0"], ["mother", "0/0"]]


def test_analyze_ranks_the_compound_heterozygous_recessive_gene_first(trio: dict[str, Any]) -> None:
    (gene,) = [g for g, vs in trio["spiked"].items() if vs[0][1] != "de_novo"]
    keys = {k for k, _ in trio["spiked"][gene]}
    res = _analyze(trio["dir"], "recessive")
    top = res["genes"][0]
    assert (top["symbol"], top["mode"], top["mode_note"]) == (gene, "AR", "compound heterozygous")
    in_call = {v["key"] for v in top["variants"] if v["filters"]["inheritance"] == "PASS"}
    assert in_call == keys
    assert not any(v["de_novo"] for v in top["variants"])
