"""`rarelens diagnose`: phenotypes in, ranked differential with per-term evidence out."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from rarelens.cli.common import (
    EXIT_USAGE,
    KbOption,
    console,
    err,
    fail,
    normalize_sex,
    open_kb,
    open_ranker,
    split_ids,
    warn,
)
from rarelens.io.phenopacket import build_patient, load_phenopacket, parse_iso_duration
from rarelens.io.writers import write_html, write_json, write_phenopacket, write_tsv
from rarelens.model.issue import ValidationError
from rarelens.ontology import Ontology
from rarelens.phenotype.ranker import DEFAULT_METHOD, METHODS, Ranking

FORMATS = ("table", "json", "tsv", "html", "phenopacket")


def diagnose(
    hpo: list[str] = typer.Option([], "--hpo", help="Observed HPO ids, comma-separated or repeated."),
    excluded: list[str] = typer.Option([], "--excluded", help="Excluded (absent) HPO ids."),
    phenopacket: Path | None = typer.Option(None, "--phenopacket", "-p", help="A GA4GH Phenopacket v2 JSON file."),
    text: str | None = typer.Option(None, "--text", help="Clinical text (English or Chinese); negated findings become excluded terms."),
    text_file: Path | None = typer.Option(None, "--text-file", help="A UTF-8 file of clinical text."),
    sex: str | None = typer.Option(None, "--sex", help="F or M."),
    onset: str | None = typer.Option(None, "--onset", help="Age of onset, ISO 8601 duration (P3Y)."),
    method: str = typer.Option(DEFAULT_METHOD, "--method", help=f"One of {', '.join(METHODS)}."),
    region: str | None = typer.Option(None, "--region", help="Prevalence prior for a region, e.g. China (boosts the national catalog)."),
    top: int = typer.Option(10, "--top", "-n", help="How many diagnoses to show."),
    fmt: str = typer.Option("table", "--format", "-f", help=f"One of {', '.join(FORMATS)}."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    kb: Path | None = KbOption,
) -> None:
    """Rank every disease concept for a patient's phenotypes, with the evidence for each."""
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", EXIT_USAGE)
    if method not in METHODS:
        fail(f"unknown method {method!r}; choose one of {', '.join(METHODS)}", EXIT_USAGE)
    if not hpo and phenopacket is None and text is None and text_file is None:
        fail("give phenotypes with --hpo HP:…,HP:…, a file with --phenopacket, or --text / --text-file", EXIT_USAGE)
    kbase = open_kb(kb)
    original = None
    try:
        if text is not None or text_file is not None:
            from rarelens.cli.extract import read_text_input
            from rarelens.text.extractor import DictionaryExtractor

            extraction = DictionaryExtractor(kbase.ontology).extract(read_text_input(text, text_file))
            if not extraction.present:
                fail("no phenotype found in the text; give HPO ids with --hpo or check the text", EXIT_USAGE)
            for m in extraction.mentions:
                state = "inside a longer finding, implied by it" if m.is_nested else "negated → excluded" if m.is_excluded else (
                    "family history, not used" if m.family else "uncertain, not used" if m.uncertain else "observed")
                err.print(f"[dim]text: {escape(m.text)!s} → {m.hpo_id} {escape(m.label)} ({state})[/]", highlight=False)
            observed = sorted({m.hpo_id for m in extraction.present} | set(split_ids(hpo)))
            negated = sorted(({m.hpo_id for m in extraction.excluded} | set(split_ids(excluded))) - set(observed))
            patient = build_patient(kbase.ontology, observed, negated, location="text")
        elif phenopacket is not None:
            if not phenopacket.is_file():
                fail(f"no such file: {phenopacket}", EXIT_USAGE)
            case = load_phenopacket(phenopacket, kbase.ontology)
            patient = case.patient
            original = json.loads(phenopacket.read_text(encoding="utf-8"))
        else:
            sex_norm = normalize_sex(sex)
            if sex and sex_norm is None:
                fail(f"--sex must be F or M, got {sex!r}", EXIT_USAGE)
            onset_years = parse_iso_duration(onset) if onset else None
            if onset and onset_years is None:
                fail(f"--onset must be an ISO 8601 duration such as P3Y or P6M, got {onset!r}", EXIT_USAGE)
            patient = build_patient(kbase.ontology, split_ids(hpo), split_ids(excluded), sex=sex_norm,
                                    onset_years=onset_years, location="command line")
    except ValidationError as exc:
        for issue in exc.issues:
            console.print(f"[red]{issue.level.value}[/]: {escape(issue.location + ': ' if issue.location else '')}{escape(issue.message)}"
                          + (f" Fix: {escape(issue.fix)}" if issue.fix else ""), highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    for issue in patient.issues:
        warn(issue.message)
    ranking = open_ranker(kbase, kb, region=region).rank(patient, method=method, top=top)
    o = kbase.ontology
    if fmt == "table":
        _table(ranking, o)
        return
    text = {"json": write_json, "tsv": write_tsv, "html": write_html}.get(fmt)
    body = text(ranking, o) if text else write_phenopacket(ranking, o, original)
    if out:
        out.write_text(body, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        typer.echo(body)


def _table(ranking: Ranking, o: Ontology) -> None:
    t = Table("#", "disease", "中文", "ids", "genes", "prob.", "why (patient term: match, contribution)",
              title=f"{ranking.method} · {ranking.kb_version}")
    for d in ranking.diagnoses:
        why = "; ".join(
            f"{'NOT ' if e.excluded else ''}{o.labels[e.patient_term]}: {e.match} {e.contribution:+.1f}"
            + ("" if math.isnan(e.frequency) else f" ({e.frequency:.0%})")
            for e in sorted(d.evidence, key=lambda e: -abs(e.contribution))[:4]
        ) + "".join(f"; {c.kind} {c.patient_value} ({c.disease_value}) {c.contribution:+.1f}"
                    for c in d.context if abs(c.contribution) >= 0.05)
        t.add_row(str(d.rank), escape(d.label) + (" [magenta]★[/]" if d.in_catalog else ""), d.label_zh or "",
                  ", ".join(d.ids[:3]), ", ".join(d.genes[:3]), f"{d.probability:.0%}", escape(why))
    console.print(t)
    console.print("[dim]★ China National Rare Disease Catalog. Decision support only.[/]")
