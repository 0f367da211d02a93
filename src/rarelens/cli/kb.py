"""`rarelens kb build | info | fetch`."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from rarelens import __version__
from rarelens.cli.common import EXIT_USAGE, KbOption, console, err, fail, print_json, warn
from rarelens.config import resolve_kb_path
from rarelens.kb.build import build_knowledge_base
from rarelens.sources.bundle import load_source_bundle
from rarelens.sources.errors import MissingSourceError, SourceFormatError
from rarelens.sources.fetch import FetchError, fetch_sources
from rarelens.sources.registry import REMOTES, locate_sources, resolve_data_dir
from rarelens.store import KnowledgeBaseFormatError, read_manifest, write_knowledge_base

app = typer.Typer(help="Build, inspect and download the knowledge base.", no_args_is_help=True)

DataDirOption = typer.Option(None, "--data-dir", help="Source data folder (default: RARELENS_DATA, then the user data folder).")


@app.command()
def build(
    data_dir: Path | None = DataDirOption,
    kb: Path | None = KbOption,
    if_missing: bool = typer.Option(False, "--if-missing", help="Do nothing when the knowledge base exists."),
) -> None:
    """Compile the sources into one versioned knowledge-base file."""
    kb_path = resolve_kb_path(kb)
    if if_missing and kb_path.exists():
        console.print(f"knowledge base present: {kb_path}")
        return
    folder, origin = resolve_data_dir(data_dir)
    console.print(f"sources: {folder} (from {origin})")
    start = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task("reading sources", total=None)

        def step(msg: str) -> None:
            progress.update(task, description=msg)

        try:
            bundle = load_source_bundle(folder, notice=lambda m: progress.console.print(f"[yellow]notice:[/] {escape(m)}"), progress=step)
            kbase = build_knowledge_base(bundle, software_version=__version__, progress=lambda m: step(f"building {m}"))
            step("writing")
            manifest = write_knowledge_base(kbase, kb_path)
        except (MissingSourceError, SourceFormatError) as exc:
            fail(str(exc))
    c = manifest["counts"]
    console.print(
        f"[green]built[/] {manifest['kb_version']} → {kb_path} in {time.perf_counter() - start:.1f} s: "
        f"{c['disease_entries']:,} disease entries, {c['disease_concepts']:,} concepts, "
        f"{c['hpo_terms']:,} HPO terms, {c['genes_with_disease_links']:,} genes with disease links"
    )


@app.command()
def info(kb: Path | None = KbOption, as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON.")) -> None:
    """Show the knowledge base's version, sources (release, sha256) and counts."""
    kb_path = resolve_kb_path(kb)
    try:
        manifest = read_manifest(kb_path)
    except (FileNotFoundError, KnowledgeBaseFormatError) as exc:
        fail(str(exc))
    manifest["path"] = str(kb_path)
    if as_json:
        print_json(manifest)
        return
    console.print(f"[bold]{manifest['kb_version']}[/] (format {manifest['format_version']}, rarelens {manifest['software_version']}, built {manifest['built_at']})")
    console.print(f"file: {kb_path}")
    t = Table("source", "release", "sha256", "file", title="Sources")
    for s in manifest["sources"]:
        t.add_row(s["key"], s["release"], s["sha256"][:16] + "…", s["path"])
    console.print(t)
    c = Table("count", "value", title="Contents")
    for k, v in manifest["counts"].items():
        c.add_row(k.replace("_", " "), f"{v:,}")
    console.print(c)


@app.command()
def fetch(
    data_dir: Path | None = DataDirOption,
    only: list[str] = typer.Option([], "--only", help="Fetch only these source keys (repeatable)."),
    base_url: str = typer.Option("", "--mirror", help="Replace each URL's scheme and host by this mirror (for institutional mirrors)."),
) -> None:
    """Download the official source releases at pinned versions (resumable, checksum-verified)."""
    folder, origin = resolve_data_dir(data_dir)
    remotes = [r for r in REMOTES if not only or r.key in only]
    unknown = set(only) - {r.key for r in REMOTES}
    if unknown:
        fail(f"unknown source key(s): {', '.join(sorted(unknown))}; known: {', '.join(r.key for r in REMOTES)}", EXIT_USAGE)
    if base_url and not base_url.startswith(("http://", "https://")):
        fail(f"--mirror must be an http:// or https:// URL, got {base_url!r}", EXIT_USAGE)
    if base_url:
        from dataclasses import replace
        from urllib.parse import urlsplit

        remotes = [replace(r, url=base_url.rstrip("/") + urlsplit(r.url).path) for r in remotes]
    console.print(f"fetching {len(remotes)} file(s) into {folder} (from {origin})")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=err) as progress:
        tasks: dict[str, int] = {}

        def on_progress(key: str, done: int, total: int | None) -> None:
            if key not in tasks:
                tasks[key] = progress.add_task(key, total=total)
            progress.update(tasks[key], completed=done, total=total)

        try:
            report = fetch_sources(remotes, folder, on_progress=on_progress)
        except FetchError as exc:
            error: FetchError | None = exc
        else:
            error = None
    if error is not None:
        fail(str(error))
    for r in report.results:
        console.print(f"  {r.key}: {r.status} {r.path} sha256 {r.sha256[:16]}…{'' if r.verified else ' (not pinned)'}")
    for key, error in report.failed_optional:
        warn(f"optional source {key} not fetched: {error}")
    fetchable = {r.key for r in REMOTES}
    missing = [s.spec.key for s in locate_sources(folder) if s.path is None]
    if not_fetchable := [k for k in missing if k not in fetchable]:
        warn("no official download, copy by hand (docs/data.md): " + ", ".join(not_fetchable))
    if not_fetched := [k for k in missing if k in fetchable]:
        warn("not fetched yet: " + ", ".join(not_fetched) + " (run `rarelens kb fetch` without --only)")
