"""`rarelens benchmark vcf`: spike each phenopacket's causal GRCh38 variants into a real
background exome, run the full analysis, and report where the causal gene lands."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from rarelens import __version__
from rarelens.analysis.analyzer import AnalysisConfig, ExomeAnalyzer, VcfContext
from rarelens.analysis.candidates import collect_candidates
from rarelens.cli.common import (
    KbOption,
    check_out_path,
    console,
    exit_on_reader_errors,
    fail,
    load_cases_reporting,
    median_cell,
    open_kb,
    open_ranker,
    print_json,
    require_dir,
    require_usable_cases,
    select_cases_or_fail,
)
from rarelens.cli.forked import SHARED, chunks, map_forked
from rarelens.io.gene_tables import GeneTableError, load_gene_model
from rarelens.io.phenopacket import PhenopacketCase
from rarelens.io.spike import spike_variants, usable_variants
from rarelens.io.vcf import VcfFormatError, read_vcf, read_vcf_header, write_vcf
from rarelens.phenotype.evaluation import summarize
from rarelens.phenotype.genes import GenePhenotypeScorer
from rarelens.sources.registry import resolve_data_dir
from rarelens.variants.info import select_frequency_keys
from rarelens.variants.inheritance import Family
from rarelens.variants.table import GT_HET, GT_HOM_ALT


def _gold_rank(result_symbols: tuple[str, ...], scores: tuple[float, ...], gold: set[int], analyzer: ExomeAnalyzer) -> int | None:
    """Rank of the first ranked gene that is the gold gene (by HGNC identity, so GBA = GBA1);
    ties count against the gold: 1 + the number of other genes scoring at least as high."""
    for i, sym in enumerate(result_symbols):
        g = analyzer.kb_gene(sym)
        if g is not None and g in gold:
            s = scores[i]
            return 1 + sum(1 for j, x in enumerate(scores) if j != i and x >= s)
    return None


def _run_cases(idx: list[int]) -> list[dict[str, Any]]:
    return [_run_case(i) for i in idx]


def _run_case(i: int) -> dict[str, Any]:
    analyzer: ExomeAnalyzer = SHARED["analyzer"]
    case: PhenopacketCase = SHARED["cases"][i]
    bg = SHARED["background"]
    ctx: VcfContext = SHARED["ctx"]
    start = time.perf_counter()
    table = spike_variants(bg, usable_variants(case.variants), analyzer.genes, clear_genes=case.genes)
    cands = collect_candidates([table], analyzer.genes)
    fam = Family(proband=0, proband_male=None if case.patient.sex is None else case.patient.sex == "MALE")
    res = analyzer.analyze(cands, case.patient, ctx, family=fam)
    seconds = time.perf_counter() - start
    gold = {g for g in (analyzer.kb_gene(s) for s in case.genes) if g is not None}
    rank = _gold_rank(res.ranked_symbols, res.ranked_scores, gold, analyzer) if gold else None
    top = res.genes[0] if res.genes else None
    return {"i": i, "case": case.path, "gene": list(case.genes), "rank": rank, "seconds": seconds,
            "top_gene": top.symbol if top else None, "top_mode": top.mode if top else None,
            "genes_ranked": res.n_genes_ranked}


def vcf_bench(
    directory: Path = typer.Argument(..., help="Folder of phenopackets (searched recursively)."),
    background: Path = typer.Option(..., "--background", help="Background VCF (GRCh38, one sample)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Evenly spaced subset of N cases."),
    fold: int | None = typer.Option(None, "--fold", min=0, max=1, help="Only cohort fold 0 or 1 (crc32 of the cohort folder), as `benchmark phenotype`."),
    phenotype_method: str = typer.Option("ensemble", "--phenotype-method"),
    phenotype_weight: float = typer.Option(1.0, "--phenotype-weight"),
    e2e: int = typer.Option(0, "--e2e", help="Also time N cases end to end: spiked VCF on disk, `rarelens analyze` in a new process."),
    jobs: int = typer.Option(2, "--jobs", min=1),
    out: Path | None = typer.Option(None, "--out", help="Per-case JSON lines."),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is one JSON object."),
    data_dir: Path | None = typer.Option(None, "--data-dir"),
    kb: Path | None = KbOption,
) -> None:
    """Causal-gene rank (top-1/5/10, MRR) of spiked phenopackets, and per-case time."""
    require_dir(directory, "DIRECTORY")
    check_out_path(out)
    files = select_cases_or_fail(directory, fold=fold, limit=limit)
    t0 = time.perf_counter()
    kbase = open_kb(kb)
    try:
        genes = load_gene_model(resolve_data_dir(data_dir)[0], "GRCh38")
        header = read_vcf_header(background)
        bg = read_vcf(background, header)
    except (GeneTableError, VcfFormatError) as exc:
        fail(str(exc), 2)
    analyzer = ExomeAnalyzer(GenePhenotypeScorer(open_ranker(kbase, kb)), genes, AnalysisConfig(
        phenotype_method=phenotype_method, phenotype_weight=phenotype_weight, top=3))
    load_s = time.perf_counter() - t0
    cases: list[PhenopacketCase] = []
    loaded, invalid, bugs = load_cases_reporting(files, kbase.ontology)
    skipped = {"invalid": len(invalid), "no_grch38_record": 0, "no_gene": 0}
    for c in loaded:
        usable = usable_variants(c.variants)
        if not c.genes:
            skipped["no_gene"] += 1
        elif not usable or len(usable) < len(c.variants):
            skipped["no_grch38_record"] += 1  # a variant without a GRCh38 record cannot be spiked
        else:
            cases.append(c)
    require_usable_cases(len(cases), len(files), directory, f"{len(invalid)} invalid, {len(bugs)} reader errors, "
                         f"{skipped['no_gene']} without a gene, {skipped['no_grch38_record']} without a GRCh38 record")
    ctx = VcfContext(str(background), "GRCh38", select_frequency_keys({k: v.description for k, v in header.info.items()}),
                     header.csq_fields, header.ann_fields)
    wall = time.perf_counter()
    rows = map_forked(_run_cases, chunks(len(cases), 4), shared={"analyzer": analyzer, "cases": cases,
                      "background": bg, "ctx": ctx}, jobs=jobs, label="spike + analyse", total=len(cases),
                      console=console)
    wall = time.perf_counter() - wall
    rows.sort(key=lambda r: r["i"])
    ranks = [r["rank"] for r in rows]
    cohorts: dict[str, list[int | None]] = {}
    for r in rows:
        cohorts.setdefault(Path(r["case"]).parent.name, []).append(r["rank"])
    times = [r["seconds"] for r in rows]
    result: dict[str, Any] = {
        "kb_version": kbase.version, "software_version": __version__, "background": str(background),
        "background_records": len(bg), "gene_model": genes.source,
        "phenotype_method": phenotype_method, "phenotype_weight": phenotype_weight,
        "cases_read": len(files), "cases_spiked": len(cases), "skipped": skipped, "invalid_files": invalid, "fold": fold,
        "cases_reader_errors": len(bugs), "reader_errors": bugs,
        "all": summarize(ranks),
        "median_case_s": round(statistics.median(times), 3) if times else None,
        "cases_per_second": round(len(rows) / wall, 2) if wall else None, "jobs": jobs,
        "load_s": round(load_s, 2),
        "cohorts": {c: summarize(v) for c, v in sorted(cohorts.items())},
    }
    if e2e and cases:
        result["end_to_end"] = _end_to_end(cases, bg, header, genes, e2e, kb)
    if out:
        out.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "i"}) + "\n" for r in rows), encoding="utf-8")
    if not as_json:
        t = Table("set", "n", "top1", "top5", "top10", "MRR", "median rank", "s/case")
        s = result["all"]
        if s.get("n"):
            t.add_row("spiked", str(s["n"]), f"{s['top1']:.1%}", f"{s['top5']:.1%}", f"{s['top10']:.1%}",
                      f"{s['mrr']:.3f}", median_cell(s), str(result["median_case_s"]))
        console.print(t)
        print_json({k: v for k, v in result.items() if k != "cohorts"})
    else:
        print_json(result)
    exit_on_reader_errors(bugs)


def _end_to_end(cases: list[PhenopacketCase], bg: Any, header: Any, genes: Any, n: int, kb: Path | None) -> dict[str, Any]:
    """Write N spiked VCFs and time `rarelens analyze --phenopacket` in new processes."""
    step = max(len(cases) // n, 1)
    walls: list[float] = []
    hits = 0
    with tempfile.TemporaryDirectory() as tmp:
        for c in cases[::step][:n]:
            table = spike_variants(bg, usable_variants(c.variants), genes, clear_genes=c.genes)
            vcf = Path(tmp) / "case.vcf"
            gt_text = {GT_HET: "0/1", GT_HOM_ALT: "1/1"}
            rows = (
                f"{table.contigs[int(table.chrom[i])] if int(table.chrom[i]) >= 25 else 'chr' + table.contigs[int(table.chrom[i])]}\t"
                f"{int(table.pos[i])}\t{table.id[i]}\t{table.ref[i]}\t{table.alt[i]}\t"
                f"{'.' if table.qual[i] != table.qual[i] else f'{float(table.qual[i]):g}'}\t{table.filter[i]}\t{table.info[i]}\t"
                f"GT:GQ:DP\t{gt_text.get(int(table.genotype[i, 0]), './.')}:{max(int(table.gq[i, 0]), 0)}:{max(int(table.dp[i, 0]), 0)}"
                for i in range(len(table))
            )
            write_vcf(vcf, header, rows)
            cmd = [sys.executable, "-m", "rarelens.cli.main", "analyze", "--vcf", str(vcf), "--phenopacket", c.path,
                   "--format", "json", "--out", str(Path(tmp) / "out.json")]
            if kb:
                cmd += ["--kb", str(kb)]
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            walls.append(time.perf_counter() - start)
            if proc.returncode != 0:
                fail(f"end-to-end run failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}")
            data = json.loads((Path(tmp) / "out.json").read_text(encoding="utf-8"))
            if data["genes"] and data["genes"][0]["symbol"] in c.genes:
                hits += 1
    return {"n": len(walls), "median_s": round(statistics.median(walls), 2), "max_s": round(max(walls), 2),
            "top1": round(hits / len(walls), 3) if walls else None}
