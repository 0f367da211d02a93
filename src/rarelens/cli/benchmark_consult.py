"""`rarelens benchmark consult`: simulated consultations from phenopackets.

Each case (gold disease in the knowledge base) starts from ``--start`` presenting terms drawn
from its observed terms with a generator seeded by (seed, crc32 of the file's path relative to
DIR), plus its sex and onset (known at the first visit). The engine then asks up to
``--budget`` questions; the simulated patient answers yes when the asked term or a descendant
is observed in the case, no when the term or an ancestor is excluded, unknown otherwise. The
random baseline asks a question drawn (same seed) from the same pool the engine chooses from —
findings of the leading candidates not yet known — which is a stronger baseline than random
HPO terms (almost all of which would be answered "unknown"). The ceiling ranks the full case.

Ranks count ties against the gold, as in `benchmark phenotype`. ``gap_closed`` is the share of
the top-10 gap between start terms and full case that the engine closed at the budget.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import zlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import typer
from rich.table import Table

from rarelens import __version__
from rarelens.cli.common import (
    KbOption,
    check_out_path,
    console,
    exit_on_reader_errors,
    fail,
    load_cases_reporting,
    open_kb,
    open_ranker,
    print_json,
    require_dir,
    require_usable_cases,
    select_cases_or_fail,
)
from rarelens.cli.forked import SHARED, chunks, map_forked
from rarelens.consult.questions import recorded_answer

if TYPE_CHECKING:
    from rarelens.consult.engine import ConsultationEngine
    from rarelens.consult.state import Consultation
    from rarelens.model.patient import Patient


def consult_bench(
    directory: Path = typer.Argument(..., help="Folder of phenopackets, read recursively."),
    start: int = typer.Option(2, "--start", min=1, help="Presenting terms drawn from each case."),
    budget: int = typer.Option(10, "--budget", min=0, help="Questions the engine may ask."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many cases (every k-th file)."),
    fold: int | None = typer.Option(None, "--fold", help="Only cohorts with crc32(cohort) % FOLDS == FOLD."),
    folds: int = typer.Option(2, "--folds", min=2, help="Number of cohort folds (4 splits each half again, for tuning)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the start terms and the random questions."),
    leading: int | None = typer.Option(None, "--leading", min=2, help="Candidates the questions are chosen over (default: the engine's)."),
    temperature: float | None = typer.Option(None, "--temperature", min=0.01, help="Posterior temperature (default: the engine's)."),
    recall: float | None = typer.Option(None, "--recall", min=0.01, max=0.98, help="Answer model: P(yes) for a finding of frequency 1."),
    tables: Path | None = typer.Option(None, "--tables", help="Folder with examinations/specialties/red_flags TSVs."),
    no_sensitivity: float | None = typer.Option(None, "--no-sensitivity", min=0.0, max=1.0, help="Answer model: how far a disease with the finding lowers P(no)."),
    unknown_weight: float | None = typer.Option(None, "--unknown-weight", min=0.0, help="Weight of 'unknown' answers as evidence (default: the engine's)."),
    oracle: bool = typer.Option(False, "--oracle", help="Also run a greedy oracle that knows the gold and asks, each step, the case's recorded finding that most lifts it: how far the protocol allows (slow: one ranking per recorded finding per step)."),
    kb: Path | None = KbOption,
    out: Path | None = typer.Option(None, "--out", help="Write one JSON line per case (ranks after each question)."),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is one JSON object."),
    jobs: int = typer.Option(min(os.cpu_count() or 1, 4), "--jobs", min=1, help="Worker processes."),
) -> None:
    """Top-1/top-10 after each question: engine vs random questions vs start terms vs full case."""
    from rarelens.cli.consult import open_tables
    from rarelens.consult.engine import ConsultationEngine

    require_dir(directory, "DIRECTORY")
    if fold is not None and not 0 <= fold < folds:
        fail(f"--fold {fold} must be between 0 and {folds - 1} (--folds {folds})", 2)
    check_out_path(out)
    files = select_cases_or_fail(directory, fold=fold, limit=limit, folds=folds)
    t0 = time.perf_counter()
    kbase = open_kb(kb)
    ranker = open_ranker(kbase, kb)
    from rarelens.consult.engine import LEADING, TEMPERATURE, UNKNOWN_WEIGHT
    from rarelens.consult.questions import AnswerModel

    model = AnswerModel()
    if recall is not None:
        model = replace(model, recall=recall)
    if no_sensitivity is not None:
        model = replace(model, no_sensitivity=no_sensitivity)
    engine = ConsultationEngine(ranker, open_tables(kbase.ontology, tables), leading=leading or LEADING, snapshot_top=0,
                                temperature=temperature or TEMPERATURE, answer_model=model,
                                unknown_weight=UNKNOWN_WEIGHT if unknown_weight is None else unknown_weight)
    load_s = time.perf_counter() - t0
    loaded, invalid, bugs = load_cases_reporting(files, kbase.ontology)
    cases, not_in_kb = [], 0
    for case in loaded:
        gold = [r for r in (ranker.row_of_concept(c) for c in
                (kbase.find_concept(d) for d in case.diseases) if c is not None) if r is not None]
        if not gold or not case.patient.observed:
            not_in_kb += 1
            continue
        cases.append((str(Path(case.path).relative_to(directory)), case, gold))
    require_usable_cases(len(cases), len(files), directory, f"{len(invalid)} invalid, {len(bugs)} reader errors, "
                         f"{not_in_kb} with no gold in the knowledge base or no observed term")
    work = [(idx, start, budget, seed, oracle) for idx in chunks(len(cases), 16)]
    rows = map_forked(_simulate_chunk, work, shared={"engine": engine, "cases": cases}, jobs=jobs,
                      label="consultations", total=len(cases), console=console)
    rows.sort(key=lambda r: r["case"])
    result = summarize_consultations(rows, budget)
    result.update({
        "kb_version": kbase.version, "software_version": __version__, "tables_version": engine.tables.version,
        "cases_read": len(files), "cases_invalid": len(invalid), "invalid_files": invalid,
        "cases_reader_errors": len(bugs), "reader_errors": bugs, "cases_gold_not_in_kb": not_in_kb,
        "start_terms": start, "budget": budget, "seed": seed, "leading": engine.leading, "fold": fold, "folds": folds,
        "temperature": engine.temperature, "unknown_weight": engine.unknown_weight, "answer_model": {"recall": model.recall, "false_yes": model.false_yes,
                                                            "negative_rate": model.negative_rate,
                                                            "no_sensitivity": model.no_sensitivity},
        "load_s": round(load_s, 3), "jobs": jobs,
    })
    if out:
        out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if not as_json:
        who = ("engine", "random", *(("oracle",) if oracle else ()))
        t = Table("questions", *(f"{a} {b}" for a in who for b in ("top1", "top10")))
        for k in range(budget + 1):
            t.add_row(str(k), *(f"{result[a][b][k]:.1%}" for a in who for b in ("top1", "top10")))
        console.print(t)
        console.print(
            f"{result['n']} cases; start top-10 {result['start']['top10']:.1%}, full case {result['full']['top10']:.1%}; "
            f"gap closed {result['gap_closed']:.1%}; engine gain {result['engine_gain_top10']:+.1%} vs random "
            f"{result['random_gain_top10']:+.1%}; median step {result['median_step_ms']} ms"
        )
    print_json(result)
    exit_on_reader_errors(bugs)


def summarize_consultations(rows: list[dict[str, Any]], budget: int) -> dict[str, Any]:
    n = len(rows)

    def share(ranks: list[int], k: int) -> float:
        return round(sum(1 for r in ranks if r <= k) / n, 4) if n else 0.0

    def curve(key: str) -> dict[str, list[float]]:
        return {f"top{k}": [share([r[key][q] for r in rows], k) for q in range(budget + 1)] for k in (1, 10)}

    engine, rand = curve("engine"), curve("random")
    s10 = engine["top10"][0]
    full = {f"top{k}": share([r["full"] for r in rows], k) for k in (1, 10)}
    e_gain, r_gain = engine["top10"][-1] - s10, rand["top10"][-1] - s10
    gap = full["top10"] - s10
    extra: dict[str, Any] = {}
    if rows and "oracle" in rows[0]:
        orc = curve("oracle")
        extra = {"oracle": orc, "oracle_gap_closed": round((orc["top10"][-1] - s10) / gap, 4) if gap > 0 else None}
    steps = [ms for r in rows for ms in r["step_ms"]]
    answers: dict[str, dict[str, int]] = {"engine": {}, "random": {}}
    for r in rows:
        for who in answers:
            for a in r[f"{who}_answers"]:
                answers[who][a] = answers[who].get(a, 0) + 1
    return {
        "n": n,
        "start": {"top1": engine["top1"][0], "top10": s10},
        "full": full,
        "engine": engine,
        "random": rand,
        "engine_gain_top10": round(e_gain, 4),
        "random_gain_top10": round(r_gain, 4),
        "engine_over_random": round(e_gain / r_gain, 3) if r_gain > 0 else None,
        "gap_closed": round(e_gain / gap, 4) if gap > 0 else None,
        "median_step_ms": round(statistics.median(steps), 2) if steps else None,
        "p95_step_ms": round(float(np.percentile(steps, 95)), 2) if steps else None,
        "answers": answers,
        **extra,
    }


def _oracle_ranks(engine: ConsultationEngine, s0: Consultation, patient: Patient, gold: list[int], budget: int) -> list[int | None]:
    """Gold rank before each question and after the last, when every question is the case's
    own recorded finding (observed: yes, excluded: no) that lifts the gold most. It knows the
    answer, so it is no engine: it shows how much the recorded findings can close at this
    budget, i.e. whether the protocol or the choice of questions limits an engine."""
    from rarelens.phenotype.evaluation import gold_rank

    o = engine.kb.ontology
    known = {a.term for a in s0.answers}
    pool = [(o.ids[int(t)], "yes") for t in patient.observed] + [(o.ids[int(t)], "no") for t in patient.excluded]
    pool = [q for q in pool if q[0] not in known]
    s = s0
    ranks = [gold_rank(engine.scores(s), gold)]
    for _ in range(budget):
        best: tuple[int, int, Consultation] | None = None
        for k, (term, value) in enumerate(pool):
            moved = engine.answer(s, term, value)
            r = gold_rank(engine.scores(moved), gold)
            if r is not None and (best is None or r < best[0]):
                best = (r, k, moved)
        if best is None:
            break
        ranks.append(best[0])
        s = best[2]
        pool.pop(best[1])
    return ranks + [ranks[-1]] * (budget + 1 - len(ranks))


def _simulate_chunk(args: tuple[list[int], int, int, int, bool]) -> list[dict[str, Any]]:
    from rarelens.consult.questions import question_order
    from rarelens.phenotype.evaluation import gold_rank

    engine, cases = SHARED["engine"], SHARED["cases"]
    idx, start, budget, seed, oracle = args
    o = engine.kb.ontology
    out = []
    for i in idx:
        rel, case, gold = cases[i]
        p = case.patient
        rng = np.random.default_rng([seed, zlib.crc32(rel.encode())])
        obs = list(p.observed)
        first = [o.ids[int(t)] for t in rng.choice(obs, size=min(start, len(obs)), replace=False)]
        s0 = engine.start(observed=first, sex=p.sex, age_years=p.age_years, onset_years=p.onset_years)
        full = gold_rank(engine.ranker.scores(p, engine.method), gold)  # the ranking engine on the whole case
        row: dict[str, Any] = {"case": rel, "gold": list(case.diseases), "start_terms": first, "full": full, "step_ms": []}
        for who in ("engine", "random"):
            ranks, answers, asked = [], [], []
            s = s0
            for _ in range(budget):
                t0 = time.perf_counter()
                cols, gains, _, lead = engine.question_gains(s)
                ms = 1000 * (time.perf_counter() - t0)
                ranks.append(gold_rank(lead.scores, gold))
                if not len(cols):  # nothing left to ask: the rank stays (padded below)
                    break
                if who == "engine":
                    row["step_ms"].append(round(ms, 2))
                    pick = int(question_order(cols, gains, o.ic)[0])
                else:
                    pick = int(rng.integers(len(cols)))
                term = int(cols[pick])
                answer = recorded_answer(o, term, p.observed, p.excluded)
                s = engine.answer(s, o.ids[term], answer, gain=float(gains[pick]))
                answers.append(answer)
                asked.append(o.ids[term])
            if len(ranks) == len(asked):  # every question asked: rank after the last answer
                ranks.append(gold_rank(engine.scores(s), gold))
            ranks += [ranks[-1]] * (budget + 1 - len(ranks))
            row[who] = ranks
            row[f"{who}_answers"] = answers
            row[f"{who}_asked"] = asked
        if oracle:
            row["oracle"] = _oracle_ranks(engine, s0, p, gold, budget)
        out.append(row)
    return out
