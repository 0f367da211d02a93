"""`rarelens freq build`: the lab's in-house allele-frequency table from its own VCFs.

The table (TSV, gzip when the name ends in ``.gz``: chrom, pos, ref, alt, ac, an, af, hom,
samples) is what `rarelens analyze --inhouse` reads: a variant seen in many of the lab's own
samples is a local polymorphism, however rare it is in gnomAD.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rarelens.cli.common import EXIT_USAGE, check_out_path, console, err, fail, warn
from rarelens.io.sites import build_inhouse_table
from rarelens.io.vcf import VcfFormatError, read_vcf_header

app = typer.Typer(help="In-house allele-frequency tables from the lab's own VCFs.", no_args_is_help=True)


@app.command()
def build(
    vcfs: list[Path] = typer.Argument(..., help="Sample VCFs (.vcf, .vcf.gz or .bcf), single-sample or multi-sample."),
    out: Path = typer.Option(..., "--out", "-o", help="Table to write (TSV; gzip when the name ends in .gz)."),
) -> None:
    """Count how many of the lab's samples carry each allele (AC, AN, AF, homozygotes)."""
    missing = [str(p) for p in vcfs if not p.is_file()]
    if missing:
        fail(f"no such VCF file{'s' if len(missing) > 1 else ''}: {', '.join(missing)}", EXIT_USAGE)
    check_out_path(out)
    if out.resolve() in {p.resolve() for p in vcfs}:
        fail(f"--out {out} is one of the input VCFs; choose another file name", EXIT_USAGE)
    # Headers first, so that a wrong file is reported before minutes of counting.
    seen: Counter[str] = Counter()
    try:
        for p in vcfs:
            header = read_vcf_header(p)
            if not header.samples:
                raise VcfFormatError(p, "has no samples (a sites-only VCF)",
                                     "an in-house table counts genotypes; give sample VCFs")
            seen.update(header.samples)
    except VcfFormatError as exc:
        fail(str(exc), EXIT_USAGE)
    dupes = sorted(s for s, n in seen.items() if n > 1)
    if dupes:
        shown = ", ".join(dupes[:5]) + (f" and {len(dupes) - 5} more" if len(dupes) > 5 else "")
        warn(f"sample name{'s' if len(dupes) > 1 else ''} {shown} appear{'' if len(dupes) > 1 else 's'} in more "
             "than one file; each occurrence is counted as a separate sample")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("counting genotypes", total=len(vcfs))

            def done(path: Path, records: int) -> None:
                progress.update(task, advance=1, description=f"counted {escape(path.name)} ({records:,} records)")

            summary = build_inhouse_table(vcfs, out, progress=done)
    except VcfFormatError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    console.print(f"wrote {escape(str(out))}: {summary['samples']:,} samples from {summary['files']:,} "
                  f"file{'s' if summary['files'] != 1 else ''}, {summary['sites']:,} sites", highlight=False,
                  soft_wrap=True)
