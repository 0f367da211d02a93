"""`rarelens diagnose`: phenotypes in, ranked differential with per-term evidence out."""

from __future__ import annotations

import difflib
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rarelens.cli.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    TABLE_FILE_WIDTH,
    KbOption,
    check_out_path,
    console,
    err,
    fail,
    format_for,
    open_kb,
    open_ranker,
    parse_demographics,
    require_file,
    split_ids,
    warn,
)
from rarelens.cli.extract import read_text_input
from rarelens.io.phenopacket import (
    build_patient,
    parse_phenopacket,
    read_phenopacket_json,
)
from rarelens.io.writers import write_html, write_json, write_phenopacket, write_tsv
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.model.issue import Issue, ValidationError
from rarelens.model.patient import Patient
from rarelens.ontology import Ontology
from rarelens.phenotype.ranker import DEFAULT_METHOD, METHODS, Ranking
from rarelens.phenotype.scorers import TermEvidence

FORMATS = ("table", "json", "tsv", "html", "phenopacket")
CATALOG_REGION = "China"  # the region whose national rare-disease catalog the prior boosts
FOOTNOTE = "★ China National Rare Disease Catalog. Decision support only."
T = TypeVar("T")


def diagnose(
    hpo: list[str] = typer.Option([], "--hpo", help="Observed HPO ids, comma-separated or repeated. With --text, added to the terms found in the text."),
    excluded: list[str] = typer.Option([], "--excluded", help="Excluded (absent) HPO ids. With --text, added to the negated findings."),
    phenopacket: Path | None = typer.Option(None, "--phenopacket", "-p", help="A GA4GH Phenopacket v2 JSON file; it gives the terms, sex and onset, so it cannot be combined with --hpo, --excluded, --text, --text-file, --sex or --onset."),
    text: str | None = typer.Option(None, "--text", help="Clinical text (English or Chinese); negated findings become excluded terms."),
    text_file: Path | None = typer.Option(None, "--text-file", help="A UTF-8 file of clinical text (instead of --text)."),
    sex: str | None = typer.Option(None, "--sex", help="F or M."),
    onset: str | None = typer.Option(None, "--onset", help="Age of onset, ISO 8601 duration (P3Y)."),
    method: str = typer.Option(DEFAULT_METHOD, "--method", help=f"One of {', '.join(METHODS)}."),
    region: str | None = typer.Option(None, "--region", help="Prevalence prior for a region: China (also boosts the national catalog) or an Orphanet geographic name such as Europe or Japan."),
    top: int = typer.Option(10, "--top", "-n", min=1, help="How many diagnoses to show (at least 1)."),
    fmt: str | None = typer.Option(None, "--format", "-f", help=f"One of {', '.join(FORMATS)} (default: from the --out suffix, .json/.tsv/.html, else table)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout (a table as plain text)."),
    kb: Path | None = KbOption,
) -> None:
    """Rank every disease concept for a patient's phenotypes, with the evidence for each."""
    fmt = format_for(out, fmt, formats=FORMATS, default="table")
    _check_choices(fmt, method)
    _check_sources(hpo, excluded, phenopacket, text, text_file, sex, onset)
    sex_norm, onset_years = parse_demographics(sex, onset)
    check_out_path(out)
    # The text is read before the knowledge base loads: a wrong path or an empty file is told at once.
    body = read_text_input(text, text_file, option="--text-file") if text is not None or text_file is not None else None
    kbase = open_kb(kb)
    region = _check_region(kbase, region)
    original: dict[str, Any] | None = None
    if phenopacket is not None:
        patient, original = _from_phenopacket(phenopacket, kbase.ontology)
    elif body is not None:
        patient = _from_text(body, hpo, excluded, kbase.ontology, sex_norm, onset_years)
    else:
        patient = _checked(lambda: build_patient(kbase.ontology, split_ids(hpo), split_ids(excluded), sex=sex_norm,
                                                 onset_years=onset_years, location="command line"), EXIT_USAGE)
    for issue in patient.issues:
        warn(issue.render().removeprefix("warning: "))
    ranking = open_ranker(kbase, kb, region=region).rank(patient, method=method, top=top)
    _emit(_render(ranking, kbase.ontology, fmt, original), out)


def _check_choices(fmt: str, method: str) -> None:
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", EXIT_USAGE)
    if method not in METHODS:
        fail(f"unknown method {method!r}; choose one of {', '.join(METHODS)}", EXIT_USAGE)


def _check_sources(
    hpo: list[str], excluded: list[str], phenopacket: Path | None, text: str | None, text_file: Path | None,
    sex: str | None, onset: str | None,
) -> None:
    """Exactly one source of phenotypes. A phenopacket carries its own terms, sex and onset, so
    other inputs beside it would be silently ignored (or silently win): that is refused."""
    if not hpo and phenopacket is None and text is None and text_file is None:
        fail("give phenotypes with --hpo HP:…,HP:…, a file with --phenopacket, or --text / --text-file", EXIT_USAGE)
    if text is not None and text_file is not None:
        fail("give the clinical text with --text or with --text-file, not both", EXIT_USAGE)
    if phenopacket is not None:
        given = {"--hpo": hpo, "--excluded": excluded, "--text": text is not None,
                 "--text-file": text_file is not None, "--sex": sex is not None, "--onset": onset is not None}
        clash = [name for name, value in given.items() if value]
        if clash:
            fail(f"--phenopacket cannot be combined with {', '.join(clash)}: the file gives the terms, sex and "
                 "onset. Fix: edit the file, or leave out --phenopacket and give everything as options", EXIT_USAGE)


def known_regions(kbase: KnowledgeBase) -> list[str]:
    """The regions the prior can use: China (the catalog) and the geographic names of the
    knowledge base's Orphanet prevalences; any other name would silently change nothing."""
    names = {str(g) for g in kbase.prevalences.geographic if str(g).strip()}
    return sorted(names | {CATALOG_REGION}, key=str.lower)


def _check_region(kbase: KnowledgeBase, region: str | None) -> str | None:
    """The region as the knowledge base spells it; an unknown one is a usage error listing the rest."""
    if region is None:
        return None
    known = known_regions(kbase)
    by_lower = {r.lower(): r for r in known}
    if region.strip().lower() in by_lower:
        return by_lower[region.strip().lower()]
    close = difflib.get_close_matches(region, known, n=3)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    fail(f"unknown --region {region!r}.{hint} Known regions: {', '.join(known)}", EXIT_USAGE)


def _from_phenopacket(path: Path, ontology: Ontology) -> tuple[Patient, dict[str, Any]]:
    """The patient and the raw document (kept by the phenopacket writer). A wrong path is a
    usage error (2); a file that is there but unusable is bad data (1)."""
    require_file(path, "--phenopacket")
    data = _checked(lambda: read_phenopacket_json(path), EXIT_FAILURE)
    return _checked(lambda: parse_phenopacket(data, path, ontology), EXIT_FAILURE).patient, data


def _from_text(
    text: str, hpo: list[str], excluded: list[str], ontology: Ontology, sex: str | None, onset_years: float | None,
) -> Patient:
    """Terms found in the text, plus any --hpo / --excluded; the extraction is shown on stderr."""
    from rarelens.cli.common import build_extractor

    extraction = build_extractor(ontology).extract(text)
    if not extraction.present:
        fail("no phenotype found in the text; give HPO ids with --hpo or check the text", EXIT_USAGE)
    # One line per finding and reading, with how often and where first: a long note repeats its
    # findings, and a line per mention would bury the ranking (a 1 MB note: 44,000 lines).
    seen: dict[tuple[str, str], list[Any]] = {}
    for m in extraction.mentions:
        state = "inside a longer finding, implied by it" if m.is_nested else "negated → excluded" if m.is_excluded else (
            "family history, not used" if m.family else "uncertain, not used" if m.uncertain else "observed")
        entry = seen.setdefault((m.hpo_id, state), [m, 0])
        entry[1] += 1
    for (_, state), (m, n) in seen.items():
        times = f", {n:,} mentions, first at character {m.start}" if n > 1 else ""
        err.print(f"[dim]text: {escape(m.text)!s} → {m.hpo_id} {escape(m.label)} ({state}{times})[/]", highlight=False)
    observed = sorted({m.hpo_id for m in extraction.present} | set(split_ids(hpo)))
    negated = sorted(({m.hpo_id for m in extraction.excluded} | set(split_ids(excluded))) - set(observed))
    return _checked(lambda: build_patient(ontology, observed, negated, sex=sex, onset_years=onset_years,
                                          location="text"), EXIT_USAGE)


def _checked(load: Callable[[], T], code: int) -> T:
    """``load()``, or every issue of its `ValidationError` on stderr and exit ``code``."""
    try:
        return load()
    except ValidationError as exc:
        _report(exc.issues)
        raise typer.Exit(code) from None


def _report(issues: list[Issue]) -> None:
    """Issues on stderr, so ``-f json > out.json`` never captures an error as the result."""
    for issue in issues:
        where = f"{issue.location}: " if issue.location else ""
        fix = f" Fix: {issue.fix}" if issue.fix else ""
        err.print(f"[red]{issue.level.value}[/]: {escape(where + issue.message + fix)}", highlight=False,
                  soft_wrap=True)


def _render(ranking: Ranking, o: Ontology, fmt: str, original: dict[str, Any] | None) -> str | Table:
    """The body to write: text for the file formats, a rich table for ``table``."""
    if fmt == "table":
        return _table(ranking, o)
    writer = {"json": write_json, "tsv": write_tsv, "html": write_html}.get(fmt)
    return writer(ranking, o) if writer else write_phenopacket(ranking, o, original)


def _emit(body: str | Table, out: Path | None) -> None:
    """To stdout, or to ``out`` (a table as plain text, as a user asking for a file expects)."""
    if out is None:
        if isinstance(body, Table):
            console.print(body)
            console.print(f"[dim]{FOOTNOTE}[/]")
        else:
            typer.echo(body)
        return
    text = _plain_table(body) if isinstance(body, Table) else body
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write --out {out}: {exc.strerror or exc}. Fix: check the folder's permissions and free space")
    err.print(f"wrote {escape(str(out))}", highlight=False)


def _plain_table(table: Table) -> str:
    """The table as it would print, without colours, wide enough not to wrap every cell."""
    buf = io.StringIO()
    Console(file=buf, width=TABLE_FILE_WIDTH, color_system=None, force_terminal=False).print(table)
    return buf.getvalue() + FOOTNOTE + "\n"


def _met(e: TermEvidence, o: Ontology) -> str:
    """' → the disease's term' when it is not the patient's own (and where the two meet)."""
    if e.disease_term < 0 or e.disease_term == e.patient_term:
        return ""
    return f" → {o.labels[e.disease_term]}" + (f" (via {o.labels[e.via]})" if e.via >= 0 else "")


def _table(ranking: Ranking, o: Ontology) -> Table:
    t = Table("#", "disease", "中文", "ids", "genes", "prob.", "why (patient term: match, contribution)",
              title=f"{ranking.method} · {ranking.kb_version}")
    for d in ranking.diagnoses:
        why = "; ".join(
            f"{'NOT ' if e.excluded else ''}{o.labels[e.patient_term]}{_met(e, o)}: {e.match} {e.contribution:+.1f}"
            + ("" if math.isnan(e.frequency) else f" ({e.frequency:.0%})")
            for e in sorted(d.evidence, key=lambda e: -abs(e.contribution))[:4]
        ) + "".join(f"; {c.kind} {c.patient_value} ({c.disease_value}) {c.contribution:+.1f}"
                    for c in d.context if abs(c.contribution) >= 0.05)
        t.add_row(str(d.rank), escape(d.label) + (" [magenta]★[/]" if d.in_catalog else ""), d.label_zh or "",
                  ", ".join(d.ids[:3]), ", ".join(d.genes[:3]), f"{d.probability:.0%}", escape(why))
    return t
