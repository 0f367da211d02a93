"""Shared CLI plumbing: consoles, knowledge-base loading, error reporting and exit codes.

Exit codes:

* 0 success.
* 2 a usage error, the command line is wrong: a bad or conflicting option value, an unknown HPO
  id given with --hpo/--excluded, an empty text argument, a path that does not exist or is a
  folder where a file is needed, an output path in a missing folder — the same code as Typer's
  own usage errors.
* 1 the content of an input file is bad (malformed JSON/TSV, not UTF-8, empty, wrong field
  types, unknown keys, unknown or obsolete-without-replacement ids inside it), or the run
  failed (a missing or corrupt knowledge base, network, a file that cannot be written).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from rarelens.config import resolve_kb_path
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.phenotype.ranker import PhenotypeRanker
from rarelens.store import KnowledgeBaseFormatError, load_knowledge_base

if TYPE_CHECKING:
    from rarelens.io.phenopacket import PhenopacketCase
    from rarelens.model.issue import ValidationError
    from rarelens.ontology.ontology import Ontology
    from rarelens.text.extractor import DictionaryExtractor

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
    """The knowledge base; a --kb that is missing or a folder is a usage error (2), a file that
    is not a knowledge base bad content (1), like any other path given on the command line."""
    if path is not None:
        require_file(path, "--kb")
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


def parse_demographics(sex: str | None, onset: str | None) -> tuple[str | None, float | None]:
    """--sex and --onset, validated whenever given (an empty value too), so a typo is never
    dropped silently: a usage error (exit 2) naming the option and what it takes."""
    from rarelens.io.phenopacket import parse_iso_duration
    from rarelens.phenotype.demographics import MAX_AGE_YEARS

    sex_norm = normalize_sex(sex)
    if sex is not None and sex_norm is None:
        fail(f"--sex must be F or M, got {sex!r}", EXIT_USAGE)
    if onset is None:
        return sex_norm, None
    years = parse_iso_duration(onset)
    if years is None:
        fail(f"--onset must be an ISO 8601 duration such as P3Y or P6M, got {onset!r}", EXIT_USAGE)
    if years >= MAX_AGE_YEARS:
        fail(f"--onset {onset} is {MAX_AGE_YEARS} years or more; give the age of onset, such as P3Y", EXIT_USAGE)
    return sex_norm, years


def open_ranker(kb: KnowledgeBase, path: Path | None, *, region: str | None = None) -> PhenotypeRanker:
    """A ranker whose phenotype index comes from the cache beside the knowledge base (built and
    written on first use), so each command saves the ~3.5 s of building it."""
    from rarelens.phenotype.ranker import PhenotypeRanker
    from rarelens.store.phenotype_cache import cached_phenotype_index

    return PhenotypeRanker(kb, index=cached_phenotype_index(kb, resolve_kb_path(path)), region=region)


def print_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def check_out_path(out: Path | None, option: str = "--out") -> None:
    """Reject an output file that cannot be written before any work starts, so that a long run
    (a benchmark, a consultation's answers) does not end in a crash with its results lost."""
    if out is None:
        return
    if out.is_dir():
        fail(f"{option} {out} is a folder, not a file. Fix: give a file name inside it, e.g. {out / 'result.json'}",
             EXIT_USAGE)
    if not out.parent.is_dir():
        fail(f"cannot write {option} {out}: the folder {out.parent} does not exist. Fix: create it or choose "
             "another path", EXIT_USAGE)
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        fail(f"cannot write {option} {out}: permission denied. Fix: choose another path", EXIT_USAGE)


TABLE_FILE_WIDTH = 200  # columns of a table written with --out: no terminal to fit
SUFFIX_FORMATS = {".json": "json", ".tsv": "tsv", ".html": "html", ".htm": "html", ".txt": "table",
                  ".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot"}


def format_for(out: Path | None, fmt: str | None, *, formats: tuple[str, ...], default: str) -> str:
    """The output format: ``--format`` when given, else the one the ``--out`` suffix names (when
    the command writes it), else ``default``; so ``-o report.json`` never holds a text table."""
    if fmt is not None:
        return fmt
    named = SUFFIX_FORMATS.get(out.suffix.lower()) if out is not None else None
    return named if named in formats else default


def require_file(path: Path, option: str) -> None:
    """A usage error (exit 2) unless ``path`` is an existing file: a wrong path is the commonest
    mistake, and is told before the knowledge base loads."""
    if path.is_dir():
        fail(f"{option} {path} is a folder, not a file. Fix: give the file's path", EXIT_USAGE)
    if not path.is_file():
        fail(f"no such file: {path} ({option}). Fix: check the path", EXIT_USAGE)


def require_dir(path: Path, option: str) -> None:
    """A usage error (exit 2) unless ``path`` is an existing folder."""
    if path.is_file():
        fail(f"{option} {path} is a file, not a folder. Fix: give the folder holding the files", EXIT_USAGE)
    if not path.is_dir():
        fail(f"no such folder: {path} ({option}). Fix: check the path", EXIT_USAGE)


def build_extractor(ontology: Ontology, vocabulary: Path | None = None, *, nested: bool = True) -> DictionaryExtractor:
    """The text extractor a command uses: the shipped dictionary plus a hospital's vocabulary
    file, from ``--vocabulary`` or else ``RARELENS_VOCABULARY`` (see `rarelens.text.vocabulary`).
    A missing file is a usage error (2); a file with unusable rows is bad data (1), with every
    bad line named, so no row is ever dropped silently."""
    from rarelens.io.text_files import TextFileError
    from rarelens.text.extractor import DictionaryExtractor
    from rarelens.text.vocabulary import VocabularyError, load_vocabulary

    option = "--vocabulary"
    if vocabulary is None and os.environ.get("RARELENS_VOCABULARY"):
        vocabulary, option = Path(os.environ["RARELENS_VOCABULARY"]), "RARELENS_VOCABULARY"
    if vocabulary is None:
        return DictionaryExtractor(ontology, nested=nested)
    require_file(vocabulary, option)
    try:
        loaded = load_vocabulary(vocabulary, ontology)
    except (VocabularyError, TextFileError) as exc:
        fail(str(exc))
    for w in loaded.warnings:
        warn(w)
    return DictionaryExtractor(ontology, nested=nested, vocabulary=loaded.english() + loaded.chinese())


def read_text_or_fail(path: Path) -> str:
    """The file's UTF-8 text (see `read_utf8_text`), or exit 1 with the file's problem and its fix."""
    from rarelens.io.text_files import TextFileError, read_utf8_text

    try:
        return read_utf8_text(path)
    except TextFileError as exc:
        fail(str(exc))


def parse_json_or_fail(text: str, path: Path, expected: str) -> Any:
    """The JSON value of a file's text (see `parse_json`), or exit 1 naming the position and the fix."""
    from rarelens.io.text_files import TextFileError, parse_json

    try:
        return parse_json(text, path, expected=expected)
    except TextFileError as exc:
        fail(str(exc))


def median_cell(summary: dict[str, object]) -> str:
    """The median-rank cell of a benchmark table: a median that is a miss shows as "—", not
    "None", which reads like a missing value rather than a gold ranked nowhere."""
    median = summary.get("median_rank")
    return "—" if median is None else str(median)


def print_rank_table(results: dict[str, Any], methods: list[str]) -> None:
    """The top-k table of a ranking benchmark (phenotype, genes): per method, all cases and
    those whose gold is in the knowledge base."""
    from rich.table import Table

    t = Table("method", "set", "n", "top1", "top3", "top5", "top10", "MRR", "median", "ms/case")
    for m in methods:
        r = results[m]
        for key in ("all", "in_kb"):
            s_ = r[key]
            if not s_.get("n"):
                t.add_row(m, key, "0", *("-" * 7))
                continue
            t.add_row(m, key, str(s_["n"]), *(f"{s_[k]:.1%}" for k in ("top1", "top3", "top5", "top10")),
                      f"{s_['mrr']:.3f}", median_cell(s_), str(r["median_case_ms"]))
    console.print(t)


def select_cases_or_fail(
    directory: Path, *, fold: int | None, limit: int | None, folds: int = 2,
    cohort: Callable[[Path], str] | None = None,
) -> list[Path]:
    """The phenopackets a benchmark reads (see `select_case_files`), failing with exit 1 when
    there are none: scores over zero cases would look like a result."""
    from rarelens.io.phenopacket import select_case_files

    extra = {"cohort": cohort} if cohort is not None else {}
    files = select_case_files(directory, fold=fold, limit=limit, folds=folds, **extra)
    if files:
        return files
    if not any(directory.rglob("*.json")):
        fail(f"no phenopackets (*.json) under {directory}. Fix: point at the folder holding the case files")
    fail(f"no phenopackets under {directory} fall in fold {fold} of {folds}. Fix: use another --fold, or drop it")


def load_cases_reporting(
    files: list[Path], ontology: Ontology,
) -> tuple[list[PhenopacketCase], list[dict[str, str]], list[dict[str, str]]]:
    """Load phenopackets leniently: the cases, the files with bad content ({file, reason}, each
    warned about on stderr) and the files a reader bug failed on (each named as an error).

    A reader bug is kept apart from bad data so that it cannot hide in the count of invalid
    files: the benchmark still writes its results, then `exit_on_reader_errors` makes it fail.
    """
    from rarelens.io.phenopacket import load_phenopacket
    from rarelens.model.issue import ValidationError

    cases, invalid, bugs = [], [], []
    for f in files:
        try:
            cases.append(load_phenopacket(f, ontology, lenient=True))
        except ValidationError as exc:
            invalid.append(case_problem(f, exc))
        except Exception as exc:  # a reader bug: named and counted apart, see the docstring
            bugs.append(reader_error(f, exc))
    warn_invalid_files(invalid)
    report_reader_errors(bugs)
    return cases, invalid, bugs


def case_problem(path: Path, exc: ValidationError) -> dict[str, str]:
    """{file, reason} for a case file whose content cannot be used, with each issue's fix."""
    reason = "; ".join(i.message + (f" (fix: {i.fix})" if i.fix else "") for i in exc.issues)
    return {"file": str(path), "reason": reason}


def reader_error(path: Path, exc: Exception) -> dict[str, str]:
    """{file, reason} for an exception other than `ValidationError`: a RareLens bug, not bad data."""
    return {"file": str(path), "reason": f"unexpected {type(exc).__name__}: {exc} "
                                         "(a RareLens reader bug; please report it with this file)"}


def report_reader_errors(bugs: list[dict[str, str]]) -> None:
    """Every reader bug on stderr, uncapped: each one is a regression to fix."""
    for item in bugs:
        err.print(f"[bold red]error:[/] {escape(item['file'])}: {escape(item['reason'])}", highlight=False,
                  soft_wrap=True)


def exit_on_reader_errors(bugs: list[dict[str, str]]) -> None:
    """Exit 1 after the results are written when a reader bug skipped any case, so that a
    regression fails the run instead of passing as a lower count of usable cases."""
    if bugs:
        fail(f"{len(bugs)} case file{'s' if len(bugs) > 1 else ''} failed with a RareLens reader bug "
             "(cases_reader_errors, named above); the scores leave them out. Fix: report the files")


def require_usable_cases(usable: int, files: int, directory: Path, why: str) -> None:
    """Exit 1 when no case can be scored: scores over zero cases would look like a result.
    ``why`` says where the cases went (invalid, without a gold, …), so the count can be traced."""
    if usable == 0:
        fail(f"none of the {files} phenopackets under {directory} can be scored ({why}; see the warnings above)")


_MAX_WARNINGS = 20


def warn_invalid_files(invalid: list[dict[str, str]]) -> None:
    """One stderr warning per skipped file, capped so a big folder does not flood the terminal."""
    for item in invalid[:_MAX_WARNINGS]:
        warn(f"skipped {item['file']}: {item['reason']}")
    if len(invalid) > _MAX_WARNINGS:
        warn(f"… and {len(invalid) - _MAX_WARNINGS} more skipped files (all listed under invalid_files in --json)")
