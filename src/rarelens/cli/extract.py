"""`rarelens extract`: clinical text (English or Chinese) to HPO terms with context flags."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from rarelens.cli.common import (
    EXIT_USAGE,
    KbOption,
    build_extractor,
    console,
    fail,
    open_kb,
    read_text_or_fail,
    require_file,
)
from rarelens.io.text_files import TextFileError, decode_utf8
from rarelens.ontology import Ontology
from rarelens.text.extractor import LANGUAGES, Extraction

FORMATS = ("table", "json", "tsv")
_TSV_COLUMNS = ("start", "end", "text", "hpo_id", "label", "label_zh", "negated", "uncertain", "family",
                "historical", "source", "rule")


def read_text_input(text: str | None, file: Path | None, *, option: str = "--file") -> str:
    """The text from the argument, a file, or '-' for stdin, never empty.

    A wrong command line (no text or both, an empty text argument, a missing path, a folder) exits
    2; a file (or stdin) that is not UTF-8 or holds no text exits 1. A UTF-8 byte-order mark at the
    start is dropped, so offsets count from the first character after it."""
    if (text is None) == (file is None):
        fail(f"give the text as an argument or with {option} F (use {option} - for stdin)", EXIT_USAGE)
    if file is None:
        assert text is not None
        if not text.strip():
            fail(f"the text is empty; give the clinical text, or a file with {option} F", EXIT_USAGE)
        return text
    if str(file) == "-":
        import sys

        stdin = getattr(sys.stdin, "buffer", None)
        body = _decoded(stdin.read(), "stdin") if stdin is not None else sys.stdin.read().removeprefix("\ufeff")
        name = "stdin"
    else:
        require_file(file, option)
        body, name = read_text_or_fail(file), str(file)
    if not body.strip():
        what = "is empty" if not body else "holds only blank space"
        fail(f"{name} {what}: there is no text to read. Fix: check that it is the right file and that it was saved")
    return body


def _decoded(data: bytes, name: str) -> str:
    """Stdin's bytes as UTF-8 text, decoded like a file (see `decode_utf8`)."""
    try:
        return decode_utf8(data, name)
    except TextFileError as exc:
        fail(str(exc))


def extract(
    text: str | None = typer.Argument(None, help="The clinical text (or use --file)."),
    file: Path | None = typer.Option(None, "--file", "-i", help="A UTF-8 text file; '-' reads stdin. A byte-order mark at its start is dropped: offsets count from the character after it."),
    lang: str = typer.Option("auto", "--lang", help=f"One of {', '.join(LANGUAGES)}."),
    fmt: str = typer.Option("table", "--format", "-f", help=f"One of {', '.join(FORMATS)}."),
    nested: bool = typer.Option(True, "--nested/--no-nested", help="Also report the more general findings named inside a longer match (\"mental retardation\" in \"severe mental retardation\")."),
    vocabulary: Path | None = typer.Option(None, "--vocabulary", help="A TSV of your own wording (HP:id<TAB>expression per line; English or Chinese) added to the dictionary; default $RARELENS_VOCABULARY."),
    model: bool = typer.Option(False, "--model", help="Also ask the language model configured by RARELENS_LLM_URL / RARELENS_LLM_MODEL / RARELENS_LLM_KEY (OpenAI-compatible); its proposals are verified against the ontology and the text."),
    kb: Path | None = KbOption,
) -> None:
    """Find HPO terms in clinical text; negated, uncertain and family-history findings are flagged."""
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", EXIT_USAGE)
    if lang not in LANGUAGES:
        fail(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}", EXIT_USAGE)
    body = read_text_input(text, file)
    kbase = open_kb(kb)
    result = build_extractor(kbase.ontology, vocabulary, nested=nested).extract(body, lang)
    if model:
        result = _with_model(result, kbase.ontology)
    if fmt == "json":
        typer.echo(json.dumps(extraction_to_dict(result, kbase.version), ensure_ascii=False, indent=2))
    elif fmt == "tsv":
        lines = ["\t".join(_TSV_COLUMNS)]
        for m in result.mentions:
            row = asdict(m)
            lines.append("\t".join(str(row[c] if row[c] is not None else "").replace("\t", " ").replace("\n", " ")
                                   for c in _TSV_COLUMNS))
        typer.echo("\n".join(lines))
    else:
        _table(result, kbase.ontology)


def extraction_to_dict(result: Extraction, kb_version: str) -> dict[str, object]:
    return {
        "language": result.language,
        "hpo_release": result.lexicon_release,
        "kb_version": kb_version,
        "mentions": [asdict(m) for m in result.mentions],
        "observed": sorted({m.hpo_id for m in result.present}),
        # What `diagnose --text` would exclude: negated, not hedged, not a relative's.
        "excluded": sorted({m.hpo_id for m in result.excluded} - {m.hpo_id for m in result.present}),
        "family_history": sorted({m.hpo_id for m in result.family}),
    }


def _table(result: Extraction, o: Ontology) -> None:
    nested = len(result.mentions) - len(result.findings)
    title = f"{len(result.findings)} findings" + (f" (+{nested} named inside them)" if nested else "") + f" · {result.language}"
    t = Table("span", "text", "HPO", "label", "中文", "status", "why", title=title)
    for m in result.mentions:
        status = ("[red]negated[/]" if m.negated else "") + (" [yellow]uncertain[/]" if m.uncertain else "") \
            + (" [cyan]family[/]" if m.family else "") + (" [dim]history[/]" if m.historical else "") \
            + (" [dim]inside a longer finding[/]" if m.is_nested else "")
        t.add_row(f"{m.start}-{m.end}", escape(m.text), m.hpo_id, escape(m.label), m.label_zh or "",
                  status.strip() or "[green]present[/]", escape(f"{m.source}; {m.rule}"))
    console.print(t)


def _with_model(result: Extraction, ontology: Ontology) -> Extraction:
    from dataclasses import replace

    from rarelens.cli.common import warn
    from rarelens.llm.client import ChatClient, ModelError
    from rarelens.text.model_extractor import ModelExtractor, merge_mentions

    client = ChatClient.from_env()
    if client is None:
        fail("--model needs RARELENS_LLM_URL and RARELENS_LLM_MODEL (and RARELENS_LLM_KEY if the server wants one)",
             EXIT_USAGE)
    try:
        proposed = ModelExtractor(client, ontology).extract(result.text)
    except ModelError as exc:
        fail(str(exc))
    for r in proposed.rejected:
        warn(f"model proposal rejected: {r.reason}: {r.proposal}")
    return replace(result, mentions=merge_mentions(result.mentions, proposed.mentions))
