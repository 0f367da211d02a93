"""`rarelens bench`: synthetic inputs for performance and end-to-end checks of `rarelens analyze`.

* ``make-genome`` tiles a real background VCF's records over chr1–22, X into a genome-scale VCF
  (about five million records) for timing and memory measurements.
* ``make-trio`` derives Mendelian parents from a real background sample and spikes a de novo
  variant (dominant gene) and a compound heterozygous pair (recessive gene) taken from real
  phenopackets, so that the inheritance calls can be checked end to end.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rarelens.cli.common import EXIT_USAGE, KbOption, console, err, fail, open_kb, open_ranker, warn
from rarelens.io.gene_tables import GeneTableError, load_gene_model
from rarelens.io.synthetic import (
    SpikeCase,
    choose_spike_case,
    iter_case_files,
    make_genome,
    make_trio,
    read_spike_case,
    spike_shape_problem,
)
from rarelens.io.vcf_header import VcfFormatError
from rarelens.model.issue import ValidationError
from rarelens.sources.registry import resolve_data_dir

app = typer.Typer(help="Synthetic inputs for benchmarking `rarelens analyze`.", no_args_is_help=True)


@app.command("make-genome")
def make_genome_cmd(
    background: Path = typer.Option(..., "--background", help="Real VCF whose records are tiled (first sample kept)."),
    out: Path = typer.Option(..., "--out", help="Output VCF (.vcf.gz → BGZF, else plain text)."),
    records: int = typer.Option(5_000_000, "--records", min=1, help="Number of records to write."),
    seed: int = typer.Option(1, "--seed", help="Random seed (per-copy offsets and the final subset)."),
    level: int = typer.Option(1, "--level", min=0, max=9, help="Compression level."),
) -> None:
    """Write a genome-scale single-sample VCF by tiling a background's records over chr1–22, X."""
    if not background.is_file():
        fail(f"no such file: {background}", EXIT_USAGE)
    t0 = time.perf_counter()
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("writing records", total=records)
        try:
            stats = make_genome(background, out, records=records, seed=seed, level=level,
                                progress=lambda n: bar.advance(task, n))
        except VcfFormatError as exc:
            fail(str(exc), EXIT_USAGE)
        except ValueError as exc:
            fail(str(exc), EXIT_USAGE)
    seconds = time.perf_counter() - t0
    console.print(f"wrote {stats.records:,} records to {escape(str(out))} in {seconds:.1f} s "
                  f"({stats.copies} copies of {stats.source_records:,} background records"
                  + (f"; {stats.dropped_source:,} on other contigs not used" if stats.dropped_source else "") + ")",
                  highlight=False)


def _kind_modes(kind: str) -> frozenset[str]:
    return frozenset({"AD"} if kind == "dominant" else {"AR"})


@app.command("make-trio")
def make_trio_cmd(
    background: Path = typer.Option(..., "--background", help="Real single-sample VCF (becomes the child)."),
    out_dir: Path = typer.Option(..., "--out-dir", help="Folder for trio.vcf.gz, trio.ped, the phenopackets, README.txt."),
    seed: int = typer.Option(1, "--seed", help="Random seed (parental origin, private variants, case choice)."),
    cases: Path | None = typer.Option(None, "--cases", help="Folder of phenopackets to choose from "
                                                             "(default: RARELENS_DATA/phenopackets/dev)."),
    dominant_case: Path | None = typer.Option(None, "--dominant-case", help="Use this phenopacket for the de novo spike."),
    recessive_case: Path | None = typer.Option(None, "--recessive-case", help="Use this phenopacket for the compound heterozygous spike."),
    private_fraction: float = typer.Option(0.3, "--private-fraction", min=0.0, max=0.95,
                                           help="Share of the child's heterozygous calls moved to one parent only."),
    max_phenotype_rank: int = typer.Option(
        1, "--max-phenotype-rank", min=0,
        help="Only choose cases whose gene ranks at most this high on the phenotypes alone (0: any), so that "
             "the check isolates the genotype and inheritance part of the analysis."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Data folder with genomics/genes (default RARELENS_DATA)."),
    kb: Path | None = KbOption,
) -> None:
    """Build a child–father–mother VCF with a de novo (AD gene) and a compound heterozygous pair
    (AR gene) from real phenopackets, for checking `rarelens analyze --ped`."""
    if not background.is_file():
        fail(f"no such file: {background}", EXIT_USAGE)
    data, _ = resolve_data_dir(data_dir)
    try:
        genes = load_gene_model(data, "GRCh38")
    except GeneTableError as exc:
        fail(str(exc))
    kbase = open_kb(kb)
    from rarelens.analysis.analyzer import ExomeAnalyzer
    from rarelens.io.phenopacket import load_phenopacket
    from rarelens.phenotype.genes import GenePhenotypeScorer
    from rarelens.variants.inheritance import modes_for_chrom

    # The modes the analysis itself will allow for the gene (the KB's inheritance facts of the
    # gene's diseases), so that "dominant" and "recessive" mean what `analyze` will test.
    analyzer = ExomeAnalyzer(GenePhenotypeScorer(open_ranker(kbase, kb)), genes)

    def problem(case: SpikeCase, kind: str, other: SpikeCase | None) -> str | None:
        shape = spike_shape_problem(case, kind, genes)
        if shape is not None:
            return shape
        g = analyzer.kb_gene(case.gene)
        if g is None:
            return f"{case.gene} is not a knowledge-base gene"
        modes = modes_for_chrom(analyzer.gene_modes(g), int(genes.chrom[genes.find(case.gene) or 0]))
        if modes != _kind_modes(kind):
            return f"{case.gene}'s diseases allow {', '.join(sorted(modes)) or 'no mode'}, not only " \
                   f"{', '.join(sorted(_kind_modes(kind)))}"
        if case.observed < 3:
            return f"only {case.observed} observed phenotypic feature(s)"
        try:
            patient = load_phenopacket(case.path, kbase.ontology).patient
        except ValidationError as exc:
            return f"its phenotypes do not load: {exc}"
        if max_phenotype_rank:
            scores = analyzer.gene_scorer.score(patient, analyzer.config.phenotype_method).score
            rank = int(np.count_nonzero(scores >= scores[g]))  # ties share the worse rank
            if rank > max_phenotype_rank:
                return f"{case.gene} ranks {rank} on the phenotypes alone (> {max_phenotype_rank})"
        if other is not None:
            if other.gene == case.gene:
                return "same gene as the other case"
            if other.sex and case.sex and other.sex != case.sex:
                return f"sex {case.sex} differs from the other case's {other.sex}"
            for v in case.variants:
                og = genes.find(other.gene)
                if og is not None and int(genes.chrom[og]) == int(genes.chrom[genes.find(case.gene) or 0]) and \
                        genes.tx_start[og] - 10_000 < v.pos <= genes.tx_end[og] + 10_000:
                    return "a variant lies near the other case's gene"
        return None

    rng = np.random.default_rng(seed)
    folder = cases if cases is not None else data / "phenopackets" / "dev"
    paths: list[Path] = []
    if dominant_case is None or recessive_case is None:
        if not folder.is_dir():
            fail(f"no phenopacket folder {folder}; pass --cases, or --dominant-case and --recessive-case", EXIT_USAGE)
        paths = list(iter_case_files(folder))

    def pick(kind: str, given: Path | None, other: SpikeCase | None) -> SpikeCase:
        if given is not None:
            case = read_spike_case(given)
            if case is None:
                fail(f"{given}: not a phenopacket whose variants all have GRCh38 VCF records in one gene", EXIT_USAGE)
            why = problem(case, kind, other)
            if why is not None:
                fail(f"{given} cannot be the {kind} case: {why}", EXIT_USAGE)
            return case
        found = choose_spike_case(paths, kind, genes, rng, lambda c: problem(c, kind, other))
        if found is None:
            fail(f"no phenopacket under {folder} fits the {kind} spike", EXIT_USAGE)
        return found

    dominant = pick("dominant", dominant_case, None)
    recessive = pick("recessive", recessive_case, dominant)
    sex = dominant.sex or recessive.sex
    if dominant.sex and recessive.sex and dominant.sex != recessive.sex:
        warn(f"the two cases' sexes differ; the PED uses the dominant case's ({dominant.sex})")
    try:
        report = make_trio(background, out_dir, dominant=dominant, recessive=recessive, genes=genes, seed=seed,
                           private_fraction=private_fraction, child_sex=sex)
    except VcfFormatError as exc:
        fail(str(exc), EXIT_USAGE)
    console.print(f"wrote {report.records:,} records (child, father, mother) to {escape(str(out_dir / 'trio.vcf.gz'))}",
                  highlight=False)
    for s in report.spiked:
        console.print(f"  spiked {s.gene} {s.chrom}:{s.pos} {s.ref}>{s.alt} {s.kind} "
                      f"(child {s.child}, father {s.father}, mother {s.mother})", highlight=False)
    console.print(f"  dominant case {escape(str(dominant.path))}\n  recessive case {escape(str(recessive.path))}\n"
                  f"  see {escape(str(out_dir / 'README.txt'))}", highlight=False)
