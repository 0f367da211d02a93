"""`rarelens benchmark genes`: phenotype-only gene ranking, the gene-ranking-shootout protocol.

Protocol (bihealth/gene-ranking-shootout, `dataset simulate`): each case's causal gene is ranked
among itself and ``--decoys`` (100) random genes, drawn with a fixed seed. The shootout draws
the decoys from every HGNC gene in its gnomAD table with probability proportional to the gene's
count of rare variants (frequency < 0.1 % in gnomAD genomes); genes without such variants —
pseudogenes, most RNA genes — are never drawn. Those counts are not available offline, so
``--universe protein-coding`` (default) draws uniformly from HGNC protein-coding genes, the
closest universe the knowledge base holds; ``--universe disease-genes`` draws only from genes
with a counted disease link, a harder variant where every decoy can score.

Per case the decoys come from a generator seeded with (seed, crc32 of the file's path relative
to DIR), so they do not depend on ``--limit``, ``--fold``, ``--jobs``, the method or the order
of the files. The rank is 1 + the number of decoys scoring at least as high as the true gene
(ties count against it). A case whose gene is not an HGNC gene of the knowledge base, or has no
counted link to a disease with phenotype annotations, is a miss in ``all`` and counted apart.
A case naming several causal genes (digenic) ranks its best-scoring linked gene against the
decoys, which never include any of its genes.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import typer

from rarelens import __version__
from rarelens.cli.common import (
    KbOption,
    case_problem,
    check_out_path,
    console,
    err,
    exit_on_reader_errors,
    fail,
    open_kb,
    open_ranker,
    print_json,
    print_rank_table,
    reader_error,
    report_reader_errors,
    require_dir,
    require_usable_cases,
    select_cases_or_fail,
    warn_invalid_files,
)
from rarelens.cli.forked import SHARED, chunks, map_forked

UNIVERSES = ("protein-coding", "disease-genes")
CAUSAL_STATUSES = {"CAUSATIVE", "CONTRIBUTORY", "UNKNOWN_STATUS", ""}


@dataclass(frozen=True, slots=True)
class GeneCase:
    path: str  # relative to DIR
    cohort: str
    patient: Any  # rarelens.model.patient.Patient
    written: tuple[str, ...]  # gene ids/symbols as the file gives them
    gold: tuple[int, ...]  # knowledge-base gene indices
    status: str  # ok | gene-not-in-kb | no-disease-link
    decoys: Any  # np.ndarray of gene indices


def causal_genes(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(HGNC id or "", symbol or "") of each causal gene in a phenopacket's interpretations.

    Genes come from variantInterpretation.variationDescriptor.geneContext or from a gene
    descriptor (``gene``); interpretations marked REJECTED or CANDIDATE are skipped.
    """
    out: list[tuple[str, str]] = []
    for interp in data.get("interpretations") or []:
        diagnosis = interp.get("diagnosis") if isinstance(interp, dict) else None
        for gi in (diagnosis or {}).get("genomicInterpretations") or []:
            if not isinstance(gi, dict) or str(gi.get("interpretationStatus", "")) not in CAUSAL_STATUSES:
                continue
            vd = (gi.get("variantInterpretation") or {}).get("variationDescriptor") or {}
            for desc in (vd.get("geneContext"), gi.get("gene")):
                if isinstance(desc, dict) and (desc.get("valueId") or desc.get("symbol")):
                    pair = (str(desc.get("valueId") or ""), str(desc.get("symbol") or ""))
                    if pair not in out:
                        out.append(pair)
    return out


def cohort_of(rel: Path) -> str:
    """The first folder level under DIR (a phenopacket-store gene/disease folder)."""
    return rel.parts[0] if len(rel.parts) > 1 else "."


def draw_decoys(universe: np.ndarray, gold: tuple[int, ...], n: int, seed: int, rel_path: str) -> np.ndarray:
    """``n`` distinct genes from ``universe`` minus the gold genes, reproducible per case."""
    rng = np.random.default_rng([seed, zlib.crc32(rel_path.encode())])
    pool = universe[~np.isin(universe, np.asarray(gold, dtype=np.int64))] if gold else universe
    return np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False)).astype(np.int64)


def genes_bench(
    directory: Path = typer.Argument(..., help="Folder of phenopackets, read recursively."),
    method: str = typer.Option("ensemble", "--method", help="ensemble | likelihood-ratio | similarity | all"),
    decoys: int = typer.Option(100, "--decoys", min=1, help="Random genes ranked with the true one."),
    seed: int = typer.Option(42, "--seed", help="Seed of the decoy draw (per case: seed + crc32 of the path)."),
    universe: str = typer.Option("protein-coding", "--universe", help="protein-coding (shootout-like) | disease-genes (harder)."),
    aggregate: str = typer.Option("max", "--aggregate", help="Gene score from its diseases: max | logsumexp."),
    kb: Path | None = KbOption,
    fold: int | None = typer.Option(None, "--fold", min=0, max=1, help="Only cohorts with crc32(cohort) % 2 == FOLD (held-out half)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many cases (every k-th file)."),
    out: Path | None = typer.Option(None, "--out", help="Write one JSON line per case and method."),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is one JSON object."),
    jobs: int = typer.Option(
        min(os.cpu_count() or 1, 4), "--jobs", min=1, help="Worker processes (cases/s is wall-clock over all of them)."
    ),
) -> None:
    """Rank each phenopacket's causal gene among random genes by phenotype alone: top-1/3/5/10, MRR, per cohort, timing."""
    from rarelens.io.phenopacket import parse_phenopacket, read_phenopacket_json
    from rarelens.model.issue import ValidationError
    from rarelens.phenotype.evaluation import summarize
    from rarelens.phenotype.genes import AGGREGATES, GenePhenotypeScorer
    from rarelens.phenotype.ranker import METHODS

    methods = list(METHODS) if method == "all" else [method]
    if any(m not in METHODS for m in methods):
        fail(f"unknown method {method!r}; choose one of {', '.join(METHODS)} or all", 2)
    if universe not in UNIVERSES:
        fail(f"unknown universe {universe!r}; choose one of {', '.join(UNIVERSES)}", 2)
    if aggregate not in AGGREGATES:
        fail(f"unknown aggregate {aggregate!r}; choose one of {', '.join(AGGREGATES)}", 2)
    require_dir(directory, "DIRECTORY")
    check_out_path(out)
    files = select_cases_or_fail(directory, fold=fold, limit=limit, cohort=lambda f: cohort_of(f.relative_to(directory)))
    t0 = time.perf_counter()
    kbase = open_kb(kb)
    ranker = open_ranker(kbase, kb)  # phenotype index from the cache beside the KB
    t1 = time.perf_counter()
    scorer = GenePhenotypeScorer(ranker, aggregate=aggregate)
    gene_map_s = time.perf_counter() - t1
    load_s = time.perf_counter() - t0
    if universe == "protein-coding":
        pool = np.flatnonzero(np.asarray([g == "protein-coding gene" for g in kbase.genes.locus_group], dtype=bool))
    else:
        pool = scorer.genes_with_disease
    pool = pool.astype(np.int64)

    cases: list[GeneCase] = []
    counts = {"cases_read": len(files), "cases_unreadable": 0, "cases_without_gene": 0, "cases_invalid": 0,
              "gene_not_in_kb": 0, "gene_without_disease": 0}
    dropped = 0
    invalid: list[dict[str, str]] = []
    bugs: list[dict[str, str]] = []
    for f in files:
        rel = f.relative_to(directory)
        try:
            data = read_phenopacket_json(f)
        except ValidationError as exc:
            counts["cases_unreadable"] += 1
            invalid.append(case_problem(f, exc))
            continue
        try:
            written = causal_genes(data)
            if not written:
                counts["cases_without_gene"] += 1
                continue
            case = parse_phenopacket(data, f, kbase.ontology, lenient=True)
        except ValidationError as exc:
            counts["cases_invalid"] += 1
            invalid.append(case_problem(f, exc))
            continue
        except Exception as exc:  # a reader bug: named and counted apart; the other cases still run
            bugs.append(reader_error(f, exc))
            continue
        dropped += sum(1 for i in case.patient.issues if i.message.endswith("dropped"))
        gold_set: dict[int, None] = {}
        for hgnc, symbol in written:
            g = (scorer.gene_index(hgnc) if hgnc.upper().startswith("HGNC:") else None)
            g = g if g is not None else (scorer.gene_index(symbol) if symbol else None)
            if g is not None:
                gold_set[g] = None
        gold = tuple(gold_set)
        if not gold:
            status = "gene-not-in-kb"
        elif not any(scorer.has_disease(g) for g in gold):
            status = "no-disease-link"
        else:
            status = "ok"
        counts["gene_not_in_kb"] += status == "gene-not-in-kb"
        counts["gene_without_disease"] += status == "no-disease-link"
        cases.append(GeneCase(
            path=str(rel), cohort=cohort_of(rel), patient=case.patient,
            written=tuple(s or h for h, s in written), gold=gold, status=status,
            decoys=draw_decoys(pool, gold, decoys, seed, rel.as_posix()),
        ))
    warn_invalid_files(invalid)
    report_reader_errors(bugs)
    require_usable_cases(len(cases), len(files), directory, f"{counts['cases_unreadable']} unreadable, "
                         f"{counts['cases_invalid']} invalid, {len(bugs)} reader errors, "
                         f"{counts['cases_without_gene']} without a causal gene")
    results: dict[str, Any] = {
        "kb_version": kbase.version, "software_version": __version__,
        "protocol": {"decoys": decoys, "seed": seed, "universe": universe, "universe_size": int(len(pool)),
                     "aggregate": aggregate, "ties": "against the true gene", "fold": fold, "limit": limit},
        **counts,
        "invalid_files": invalid,
        "cases_reader_errors": len(bugs),
        "reader_errors": bugs,
        "cases_ranked": len(cases),
        "cases_in_kb": sum(1 for c in cases if c.status == "ok"),
        "terms_dropped_unknown": dropped,
        "load_s": round(load_s, 3),
        "gene_map_build_s": round(gene_map_s, 3),
    }
    lines: list[dict[str, Any]] = []
    for m in methods:
        ranks_all: list[int | None] = []
        ranks_kb: list[int | None] = []
        cohorts: dict[str, list[int | None]] = {}
        times: list[float] = []
        gene_times: list[float] = []
        wall = time.perf_counter()
        for case, r in _score_all(scorer, cases, m, jobs):
            rank = r["rank"]
            times.append(r["seconds"])
            gene_times.append(r["gene_seconds"])
            ranks_all.append(rank)
            if case.status == "ok":
                ranks_kb.append(rank)
            cohorts.setdefault(case.cohort, []).append(rank)
            best = r["best_row"]
            lines.append({
                "case": case.path, "cohort": case.cohort, "method": m, "gene": list(case.written),
                "gene_hgnc": [kbase.genes.hgnc_id[g] for g in case.gold], "status": case.status,
                "in_kb": case.status == "ok", "rank": rank, "n_candidates": 1 + len(case.decoys),
                "score": r["score"],
                "best_concept": kbase.concepts.id[int(ranker.index.concepts[best])] if best >= 0 else None,
                "decoys": [kbase.genes.hgnc_id[int(g)] for g in case.decoys],
            })
        wall = time.perf_counter() - wall
        total = sum(times)
        results[m] = {
            "all": summarize(ranks_all),
            "in_kb": summarize(ranks_kb),
            "median_case_ms": round(1000 * statistics.median(times), 3) if times else None,
            "median_gene_step_ms": round(1000 * statistics.median(gene_times), 3) if gene_times else None,
            "cases_per_second": round(len(times) / wall, 1) if wall and times else None,
            "cases_per_second_one_core": round(len(times) / total, 1) if total else None,
            "jobs": jobs,
            "cohorts": {c: summarize(v) for c, v in sorted(cohorts.items())},
        }
    # The first (usually only) method's figures also sit at the top level.
    results["method"] = methods[0]
    results["all"] = results[methods[0]]["all"]
    results["in_kb"] = results[methods[0]]["in_kb"]
    if out:
        out.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    if not as_json:
        _print_table(results, methods)
        print_json({k: ({kk: vv for kk, vv in v.items() if kk != "cohorts"} if isinstance(v, dict) else v)
                    for k, v in results.items()})
    else:
        print_json(results)
    exit_on_reader_errors(bugs)


def _print_table(results: dict[str, Any], methods: list[str]) -> None:
    print_rank_table(results, methods)
    p = results["protocol"]
    console.print(
        f"{results['cases_ranked']} cases ranked ({results['cases_in_kb']} with the gene linked to a disease; "
        f"{results['gene_not_in_kb']} gene not in HGNC, {results['gene_without_disease']} without a disease); "
        f"true gene + {p['decoys']} decoys from {p['universe_size']} {p['universe']} genes, seed {p['seed']}"
    )


def _score_chunk(args: tuple[list[int], str]) -> list[tuple[int, dict[str, Any]]]:
    scorer, cases = SHARED["scorer"], SHARED["cases"]
    idx, method = args
    out = []
    for i in idx:
        case: GeneCase = cases[i]
        start = time.perf_counter()
        concept_scores = scorer.ranker.scores(case.patient, method)
        mid = time.perf_counter()
        gs = scorer.score_from_concepts(concept_scores)
        end = time.perf_counter()
        rank = None
        score = None
        best = -1
        if case.status == "ok":
            linked = [g for g in case.gold if scorer.has_disease(g)]
            g = max(linked, key=lambda x: gs.score[x])
            score = float(gs.score[g])
            best = int(gs.best_row[g])
            rank = 1 + int((gs.score[case.decoys] >= score).sum())
        out.append((i, {"rank": rank, "score": score, "best_row": best,
                        "seconds": end - start, "gene_seconds": end - mid}))
    return out


def _score_all(scorer: Any, cases: list[GeneCase], method: str, jobs: int) -> list[tuple[GeneCase, dict[str, Any]]]:
    work = [(idx, method) for idx in chunks(len(cases), 64)]
    results = map_forked(_score_chunk, work, shared={"scorer": scorer, "cases": cases}, jobs=jobs,
                         label=f"gene ranking {method}", total=len(cases), console=err)
    results.sort(key=lambda x: x[0])
    return [(cases[i], r) for i, r in results]
