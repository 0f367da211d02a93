"""Shared CLI plumbing: consoles, knowledge-base loading, error reporting and exit codes.

Exit codes: 0 success, 1 the operation failed (missing or corrupt files, network), 2 the user's
input is wrong (unknown id, bad option) — the same split as Typer's own usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from rarelens.config import resolve_kb_path
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.phenotype.ranker import PhenotypeRanker
from rarelens.store import KnowledgeBaseFormatError, load_knowledge_base

console = Console()
err = Console(stderr=True)

EXIT_FAILURE = 1
EXIT_USAGE = 2

KbOption = typer.Option(None, "--kb", help="Knowledge-base file (default: RARELENS_KB or the user data folder).")


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def open_kb(path: Path | None) -> KnowledgeBase:
    kb_path = resolve_kb_path(path)
    try:
        return load_knowledge_base(kb_path)
    except FileNotFoundError as exc:
        fail(str(exc))
    except KnowledgeBaseFormatError as exc:
        fail(str(exc))


def split_ids(values: list[str]) -> list[str]:
    """Ids given as repeated options and/or comma-separated lists, in order."""
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


_SEX = {"F": "FEMALE", "M": "MALE", "FEMALE": "FEMALE", "MALE": "MALE"}


def normalize_sex(text: str | None) -> str | None:
    """``F``/``M`` (any case, or the full word) → FEMALE/MALE; None for anything else."""
    return _SEX.get((text or "").upper())


def open_ranker(kb: KnowledgeBase, path: Path | None, *, region: str | None = None) -> PhenotypeRanker:
    """A ranker whose phenotype index comes from the cache beside the knowledge base (built and
    written on first use), so each command saves the ~3.5 s of building it."""
    from rarelens.phenotype.ranker import PhenotypeRanker
    from rarelens.store.phenotype_cache import cached_phenotype_index

    return PhenotypeRanker(kb, index=cached_phenotype_index(kb, resolve_kb_path(path)), region=region)


def print_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
