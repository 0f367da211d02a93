"""`rarelens analyze`: a VCF (single sample or a family with a PED) plus phenotypes → ranked
genes, their diseases and their variants with filters, scores and ACMG criteria."""

from __future__ import annotations

import io
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rarelens.analysis.analyzer import AnalysisConfig, ExomeAnalyzer, VcfContext
from rarelens.analysis.candidates import collect_candidates
from rarelens.analysis.result import AnalysisResult, ResourceUse
from rarelens.cli.common import (
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
from rarelens.io.analysis_writers import (
    write_analysis_html,
    write_analysis_json,
    write_analysis_phenopacket,
    write_analysis_tsv,
)
from rarelens.io.gene_tables import GeneTableError, load_gene_model
from rarelens.io.ped import PedFormatError, Pedigree, check_pedigree, load_pedigree
from rarelens.io.phenopacket import build_patient, parse_phenopacket, read_phenopacket_json
from rarelens.io.sites import SiteFileError, load_site_resource
from rarelens.io.vcf import (
    VcfFormatError,
    check_build,
    check_contig_naming,
    iter_vcf_chunks,
    read_vcf_header,
)
from rarelens.io.vcf_build import BUILD_ALIASES
from rarelens.model.issue import ValidationError
from rarelens.model.patient import Patient
from rarelens.phenotype.genes import GenePhenotypeScorer
from rarelens.sources.registry import resolve_data_dir
from rarelens.variants.info import select_frequency_keys
from rarelens.variants.inheritance import Family
from rarelens.variants.sites import SiteResource

FORMATS = ("table", "json", "tsv", "html", "phenopacket")


def _family(samples: tuple[str, ...], ped: Pedigree | None, sample: str | None, sex: str | None) -> Family:
    if not samples:
        warn("the VCF has no sample columns (a sites-only VCF): genotypes are unknown, so every variant "
             "counts as carried and zygosity and inheritance are not checked. Fix: give the proband's VCF "
             "with its FORMAT/GT column")
        return Family(proband=0, proband_male=sex == "MALE" if sex else None)
    if ped is None:
        if sample is None:
            if len(samples) > 1:
                warn(f"the VCF has {len(samples)} samples and no --ped; analysing the first, {samples[0]} "
                     "(choose with --sample)")
            return Family(proband=0, proband_male=sex == "MALE" if sex else None)
        if sample not in samples:
            fail(f"sample {sample!r} is not in the VCF; it has {', '.join(samples)}", EXIT_USAGE)
        return Family(proband=samples.index(sample), proband_male=sex == "MALE" if sex else None)
    col = {s: i for i, s in enumerate(samples)}
    pro = ped.get(sample) if sample else ped.proband()
    if pro is None or pro.id not in col:
        fail(f"no affected proband of the PED is among the VCF samples ({', '.join(samples)}); "
             "fix the PED or pass --sample", EXIT_USAGE)
    father, mother = ped.parents_of(pro.id)
    others = [p for p in ped.individuals if p.id != pro.id and p.id in col]
    male = tuple(col[p.id] for p in ped.individuals if p.id in col and p.sex == "MALE")
    return Family(
        proband=col[pro.id],
        father=col.get(father.id) if father else None,
        mother=col.get(mother.id) if mother else None,
        affected=tuple(col[p.id] for p in others if p.affected),
        unaffected=tuple(col[p.id] for p in others if p.affected is False),
        proband_male=pro.sex == "MALE" if pro.sex else (sex == "MALE" if sex else None),
        male=male,
    )


def analyze(
    vcf: Path = typer.Option(..., "--vcf", help="VCF, VCF.gz or BCF; single sample or a family."),
    ped: Path | None = typer.Option(None, "--ped", help="PED file for a family VCF (trio first)."),
    sample: str | None = typer.Option(None, "--sample", help="The proband's sample name (default: PED proband or the first)."),
    hpo: list[str] = typer.Option([], "--hpo", help="Observed HPO ids, comma-separated or repeated."),
    excluded: list[str] = typer.Option([], "--excluded", help="Excluded HPO ids."),
    phenopacket: Path | None = typer.Option(None, "--phenopacket", "-p", help="Phenotypes (and sex) from a phenopacket."),
    text: str | None = typer.Option(None, "--text", help="Phenotypes from clinical text (English or Chinese)."),
    sex: str | None = typer.Option(None, "--sex", help="F or M (X-linked modes)."),
    build: str = typer.Option("GRCh38", "--build", help="Genome build of the VCF and resources: GRCh38 or GRCh37."),
    freq: list[Path] = typer.Option([], "--freq", help="Population frequency file (sites VCF with AF fields, or TSV chrom pos ref alt af…); repeatable."),
    inhouse: list[Path] = typer.Option([], "--inhouse", help="In-house frequency table from `rarelens freq build`; repeatable."),
    clinvar: Path | None = typer.Option(None, "--clinvar", help="ClinVar VCF (clinvar.vcf.gz)."),
    max_frequency: float = typer.Option(0.02, "--max-frequency", help="Variants above this population AF fail the frequency filter."),
    min_gq: int = typer.Option(20, "--min-gq", help="Minimum genotype quality of the proband's call."),
    min_dp: int = typer.Option(0, "--min-dp", help="Minimum read depth of the proband's call."),
    top: int = typer.Option(10, "--top", "-n", help="How many genes to report."),
    fmt: str | None = typer.Option(None, "--format", "-f", help=f"One of {', '.join(FORMATS)} (default: from the --out suffix, .json/.tsv/.html, else table)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    skip_malformed: bool = typer.Option(False, "--skip-malformed", help="Skip malformed VCF lines with a warning instead of stopping."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Data folder with genomics/genes (default RARELENS_DATA)."),
    kb: Path | None = KbOption,
) -> None:
    """Rank genes for a VCF and phenotypes, with every variant's filters, score and ACMG codes."""
    t0 = time.perf_counter()
    fmt = format_for(out, fmt, formats=FORMATS, default="table")
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", EXIT_USAGE)
    if build.strip().lower() not in BUILD_ALIASES:
        fail(f"unknown genome build {build!r}. Fix: use --build GRCh38 or --build GRCh37", EXIT_USAGE)
    # Every path is checked before the VCF is read: a long analysis must not end in a crash.
    require_file(vcf, "--vcf")
    for option, paths in (("--freq", freq), ("--inhouse", inhouse), ("--clinvar", [clinvar] if clinvar else []),
                          ("--ped", [ped] if ped else []), ("--phenopacket", [phenopacket] if phenopacket else [])):
        for p in paths:
            require_file(p, option)
    check_out_path(out)
    try:
        header = read_vcf_header(vcf)
    except VcfFormatError as exc:
        fail(str(exc))  # the file's content: exit 1
    try:
        call = check_build(header, build)
    except VcfFormatError as exc:
        fail(str(exc), EXIT_USAGE)  # the file and --build disagree: the fix is an option
    pedigree = None
    if ped is not None:
        try:
            pedigree = load_pedigree(ped)
            problems = check_pedigree(pedigree, header.samples)
        except PedFormatError as exc:
            fail(str(exc))
        for p in problems:
            warn(p)
    kbase = open_kb(kb)
    original = None
    patient: Patient | None = None
    sex_norm, _ = parse_demographics(sex, None)
    try:
        if phenopacket is not None:
            if not phenopacket.is_file():
                fail(f"no such file: {phenopacket}", EXIT_USAGE)
            original = read_phenopacket_json(phenopacket)
            patient = parse_phenopacket(original, phenopacket, kbase.ontology).patient
            sex_norm = sex_norm or patient.sex
        elif text is not None:
            from rarelens.cli.common import build_extractor

            ex = build_extractor(kbase.ontology).extract(text)
            obs = sorted({m.hpo_id for m in ex.present} | set(split_ids(hpo)))
            neg = sorted(({m.hpo_id for m in ex.excluded} | set(split_ids(excluded))) - set(obs))
            patient = build_patient(kbase.ontology, obs, neg, sex=sex_norm, location="text")
        elif hpo:
            patient = build_patient(kbase.ontology, split_ids(hpo), split_ids(excluded), sex=sex_norm, location="command line")
    except ValidationError as exc:
        for issue in exc.issues:
            err.print(f"[red]{escape(issue.render())}[/]", highlight=False, soft_wrap=True)
        # bad content of the phenopacket file is a data error; bad ids on the command line are usage
        raise typer.Exit(1 if phenopacket is not None else EXIT_USAGE) from None
    if patient is None:
        warn("no phenotypes given (--hpo, --phenopacket or --text): genes are ranked on genotype evidence alone")
    for issue in patient.issues if patient else ():
        warn(issue.message + (f" Fix: {issue.fix}" if issue.fix else ""))
    data, _ = resolve_data_dir(data_dir)
    try:
        genes = load_gene_model(data, build)
    except GeneTableError as exc:
        fail(str(exc))
    family = _family(header.samples, pedigree, sample, sex_norm)
    timings: dict[str, float] = {"setup_s": time.perf_counter() - t0}

    with console.status("reading and annotating the VCF…") if fmt == "table" else _Null():
        warnings: list[str] = []
        t = time.perf_counter()
        try:
            check_contig_naming(header)
            cands = collect_candidates(
                iter_vcf_chunks(vcf, header, skip_malformed=skip_malformed, warnings=warnings),
                genes, proband=family.proband, keep_annotated=bool(header.csq_fields or header.ann_fields),
            )
        except VcfFormatError as exc:
            fail(str(exc))
        if cands.records == 0:
            warn(f"{vcf} has no variant records: nothing to rank")
        timings["vcf_s"] = time.perf_counter() - t
        keys = {(int(c), int(p), str(r).upper(), str(a).upper())
                for c, p, r, a in zip(cands.table.chrom, cands.table.pos, cands.table.ref, cands.table.alt, strict=True)}
        resources: list[SiteResource] = []
        missing: list[ResourceUse] = []
        t = time.perf_counter()
        try:
            for i, f in enumerate(freq):
                resources.append(load_site_resource(f, kind="frequency", name=f"freq{i + 1}:{f.name}", candidates=keys))
            for i, f in enumerate(inhouse):
                resources.append(load_site_resource(f, kind="frequency", name=f"inhouse{i + 1}:{f.name}", candidates=keys))
            if clinvar is not None:
                resources.append(load_site_resource(clinvar, kind="clinvar", name="ClinVar", candidates=keys))
        except (SiteFileError, VcfFormatError) as exc:
            fail(str(exc))
        timings["resources_s"] = time.perf_counter() - t
        fkeys = select_frequency_keys({k: v.description for k, v in header.info.items()})
        if fkeys:
            missing.append(ResourceUse("VCF INFO frequencies", "frequency", "", "used", ", ".join(fkeys)))
        if not fkeys and not freq and not inhouse:
            missing.append(ResourceUse("population frequency", "frequency", "", "missing",
                                       "no AF fields in the VCF and no --freq/--inhouse: the frequency filter did not run "
                                       "and PM2/BA1/BS1 were not evaluated"))
        if clinvar is None:
            missing.append(ResourceUse("ClinVar", "clinvar", "", "not given", "PP5/PM5/PM1 not evaluated"))
        if header.csq_fields or header.ann_fields:
            missing.append(ResourceUse("VEP CSQ" if header.csq_fields else "SnpEff ANN", "consequence", "", "used",
                                       "consequences, HGVS and predictor scores from the VCF"))
        else:
            missing.append(ResourceUse("VEP/SnpEff annotation", "consequence", "", "missing",
                                       f"consequences from the gene table ({genes.source}): exonic SNVs are "
                                       "'exon_variant' (no coding effect without a CDS)"))
        t = time.perf_counter()
        ranker = open_ranker(kbase, kb)
        analyzer = ExomeAnalyzer(GenePhenotypeScorer(ranker), genes, AnalysisConfig(
            max_frequency=max_frequency, min_gq=min_gq, min_dp=min_dp, top=top))
        timings["ranker_s"] = time.perf_counter() - t
        t = time.perf_counter()
        ctx = VcfContext(str(vcf), call.build or build, fkeys, header.csq_fields, header.ann_fields,
                         tuple(warnings) + ((f"build not stated in the header; assumed {build}",) if call.build is None else ()))
        result = analyzer.analyze(cands, patient, ctx, family=family, resources=resources, missing_resources=missing)
        timings["analysis_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    result = _with_timings(result, timings)
    for w in warnings:
        warn(w)
    text_out = {
        "json": lambda: write_analysis_json(result),
        "tsv": lambda: write_analysis_tsv(result),
        "html": lambda: write_analysis_html(result),
        "phenopacket": lambda: write_analysis_phenopacket(result, original),
    }.get(fmt)
    if text_out is None and out is None:
        _print_table(result)
        return
    content = text_out() if text_out is not None else _plain(result)
    if out:
        try:
            out.write_text(content, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write --out {out}: {exc.strerror or exc}. Fix: check the folder's permissions and free space")
        err.print(f"wrote {out}")
    else:
        console.file.write(content)


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _with_timings(r: AnalysisResult, timings: dict[str, float]) -> AnalysisResult:
    from dataclasses import replace

    return replace(r, timings={k: round(v, 3) for k, v in timings.items()})


def _plain(r: AnalysisResult) -> str:
    """The table as it prints, without colours, for ``-o file.txt`` (a file asked for gets one)."""
    buf = io.StringIO()
    _print_table(r, Console(file=buf, width=TABLE_FILE_WIDTH, color_system=None, force_terminal=False))
    return buf.getvalue()


def _print_table(r: AnalysisResult, to: Console | None = None) -> None:
    to = to or console
    to.print(f"[bold]{escape(r.vcf)}[/] · proband {escape(r.proband)} · {r.build} · "
                  f"{r.counts['records']:,} records → {r.counts['qualifying_variants']:,} qualifying variants in "
                  f"{r.n_genes_ranked:,} genes · KB {escape(r.kb_version)} · {r.timings.get('total_s', 0):.1f} s")
    for res in r.resources:
        if res.status != "used":
            to.print(f"[yellow]{escape(res.name)}: {res.status}[/] — {escape(res.detail)}")
    table = Table(show_lines=False)
    for col in ("#", "gene", "P", "mode", "top disease", "variants (consequence, genotype, ACMG)"):
        table.add_column(col)
    for g in r.genes:
        top = g.diseases[0] if g.diseases else None
        vs = "\n".join(
            f"{v.key} {v.consequence} {next((c for s, c in v.genotypes if s == r.proband), '')} "
            f"{v.acmg.classification if v.acmg else ''}"
            + (" de novo" if v.de_novo else "")
            for v in g.variants if v.filters.get("inheritance") == "PASS"
        )
        table.add_row(str(g.rank), g.symbol, f"{g.probability:.0%}", g.mode,
                      escape(f"{top.label} ({top.concept_id})") if top else "—", escape(vs))
    to.print(table)
