"""Load site resources for one case: population-frequency files (a sites VCF or a TSV), the
lab's in-house frequency table, and a ClinVar VCF.

Only the candidate sites of the case are kept: a full gnomAD or ClinVar file is far larger
than an exome's few thousand candidates, so files are scanned once with polars and joined on
(contig, position, REF, ALT), or, for an indexed VCF, queried region by region with cyvcf2.
"""

from __future__ import annotations

import gzip
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from rarelens.io.vcf import VcfFormatError, iter_vcf_chunks, read_vcf_header
from rarelens.variants.info import parse_info, select_frequency_keys
from rarelens.variants.sites import SiteKey, SiteResource
from rarelens.variants.table import CANONICAL_CONTIGS, GT_HET, GT_HOM_ALT, contig_code

TSV_COLUMNS = ("chrom", "pos", "ref", "alt")
INHOUSE_COLUMNS = ("chrom", "pos", "ref", "alt", "ac", "an", "af", "hom", "samples")
_CLINVAR_FIELDS = ("CLNSIG", "CLNREVSTAT", "GENEINFO", "MC", "CLNHGVS", "ALLELEID")


class SiteFileError(ValueError):
    pass


def _open_text(path: Path) -> io.TextIOBase:
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8")  # type: ignore[return-value]
    return path.open(encoding="utf-8")  # type: ignore[return-value]


def _is_vcf(path: Path) -> bool:
    with _open_text(path) as fh:
        return fh.readline().startswith("##fileformat=VCF")


def load_site_resource(
    path: Path,
    *,
    kind: str,
    name: str,
    candidates: Iterable[SiteKey] | None = None,
) -> SiteResource:
    """``kind`` "frequency" or "clinvar". ``candidates`` restricts the result to those sites."""
    if path.is_dir():
        raise SiteFileError(f"{path} is a folder, not a file. Fix: give the file's path to --freq/--inhouse/--clinvar")
    if not path.exists():
        raise SiteFileError(f"{path}: no such file. Fix: check the path given to --freq/--inhouse/--clinvar")
    wanted = set(candidates) if candidates is not None else None
    try:
        is_vcf = _is_vcf(path)
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        raise SiteFileError(f"{path}: not a text, VCF or gzip file ({exc.__class__.__name__}). Fix: give a sites VCF "
                            "(.vcf or .vcf.gz) or a tab-separated table with header chrom pos ref alt af") from None
    if is_vcf:
        return _from_vcf(path, kind=kind, name=name, wanted=wanted)
    if kind == "clinvar":
        raise SiteFileError(f"{path}: ClinVar must be a VCF (clinvar.vcf.gz from NCBI)")
    return _from_tsv(path, name=name, wanted=wanted)


def _from_vcf(path: Path, *, kind: str, name: str, wanted: set[SiteKey] | None) -> SiteResource:
    header = read_vcf_header(path)
    if kind == "clinvar":
        fields: Sequence[str] = _CLINVAR_FIELDS
    else:
        fields = select_frequency_keys({k: v.description for k, v in header.info.items()})
        if not fields:
            raise SiteFileError(
                f"{path}: no population allele-frequency INFO field (AF with a population description, "
                "gnomAD_AF, EAS_AF …) in the header. Fix: add one, or give a TSV with chrom, pos, ref, alt, af"
            )
    index: dict[SiteKey, int] = {}
    values: dict[str, list[str]] = {f: [] for f in fields}
    positions: dict[int, list[int]] = defaultdict(list)
    wanted_pos = {(k[0], k[1]) for k in wanted} if wanted is not None else None
    for chunk in iter_vcf_chunks(path, header):
        chrom = chunk.chrom
        pos = chunk.pos
        if wanted_pos is not None:
            sel = np.fromiter(((int(c), int(p)) in wanted_pos for c, p in zip(chrom, pos, strict=True)),
                              dtype=bool, count=len(chunk))
        else:
            sel = np.ones(len(chunk), dtype=bool)
        for i in np.flatnonzero(sel).tolist():
            key = (int(chrom[i]), int(pos[i]), str(chunk.ref[i]).upper(), str(chunk.alt[i]).upper())
            if wanted is not None and key not in wanted:
                continue
            info = parse_info(str(chunk.info[i]))
            allele = int(chunk.allele[i])
            index[key] = len(index)
            for f in fields:
                v = info.get(f, "")
                if kind == "frequency" and "," in v:
                    parts = v.split(",")
                    v = parts[allele - 1] if len(parts) >= allele else parts[0]
                values[f].append(v)
        if kind == "clinvar":
            # Pathogenic missense positions of the whole file for PM1/PM5 (hot spots, codons).
            for i in range(len(chunk)):
                inf = str(chunk.info[i])
                if "athogenic" in inf and "missense" in inf and "CLNSIG=Conflicting" not in inf:
                    positions[int(chrom[i])].append(int(pos[i]))
    release = next((ln.split("=", 1)[1] for ln in header.meta_lines if ln.startswith("##fileDate=")), "")
    return SiteResource(
        name=name, kind=kind, release=release, path=str(path), index=index, values=values,
        covers="sites listed in the file; absence is not evidence of benignity" if kind == "clinvar"
        else "sites listed in the file",
        positions={c: np.asarray(sorted(v), dtype=np.int64) for c, v in positions.items()},
    )


def _from_tsv(path: Path, *, name: str, wanted: set[SiteKey] | None) -> SiteResource:
    try:
        df = pl.read_csv(path, separator="\t", infer_schema=False, comment_prefix="##")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SiteFileError(f"{path}: not a readable TSV ({exc}). Fix: tab-separated, header chrom pos ref alt af") from None
    cols = [c.lstrip("#").lower() for c in df.columns]
    df.columns = cols
    missing = [c for c in TSV_COLUMNS if c not in cols]
    af_cols = [c for c in cols if c == "af" or c.endswith("_af") or c.startswith("af_")]
    if missing or not af_cols:
        raise SiteFileError(
            f"{path}: needs columns chrom, pos, ref, alt and at least one allele frequency (af, eas_af …); "
            f"has {', '.join(cols)}"
        )
    index: dict[SiteKey, int] = {}
    values: dict[str, list[str]] = {c: [] for c in af_cols}
    chroms = df["chrom"].to_list()
    for line, (c, p, r, a) in enumerate(zip(chroms, df["pos"].to_list(), df["ref"].to_list(), df["alt"].to_list(), strict=True), start=2):
        try:
            key = (contig_code(str(c)), int(p), str(r).upper(), str(a).upper())
        except (TypeError, ValueError):
            raise SiteFileError(f"{path}:{line}: position {p!r} is not an integer") from None
        if wanted is not None and key not in wanted:
            continue
        index[key] = len(index)
        for col in af_cols:
            values[col].append(df[col][line - 2] or "")
    return SiteResource(name=name, kind="frequency", release=path.name, path=str(path), index=index, values=values,
                        covers="sites listed in the file")


def build_inhouse_table(
    vcfs: Sequence[Path],
    out: Path,
    *,
    progress: Callable[[Path, int], None] | None = None,
) -> dict[str, int]:
    """Count, over the lab's own VCFs, how many samples carry each allele: the local frequency
    that users ask for, Chinese cohorts most of all. Every sample of every file counts once.
    AN is twice the number of samples: a site absent from a file, or a missing call, counts as
    reference, the convention for single-sample exome VCFs that list variant sites only.

    Sites are keyed by contig *name* (canonical names normalised, ``chr1`` = ``1``), not by the
    per-file contig code: codes of non-canonical contigs (``chrUn_…``, decoys) are assigned in
    the order a file first shows them, so the same code names different contigs in two files.
    ``progress(path, records)`` is called after each file."""
    ac: dict[tuple[str, int, str, str], int] = defaultdict(int)
    hom: dict[tuple[str, int, str, str], int] = defaultdict(int)
    carriers: dict[tuple[str, int, str, str], int] = defaultdict(int)
    n_samples = 0
    for path in vcfs:
        header = read_vcf_header(path)
        if not header.samples:
            raise VcfFormatError(path, "has no samples", "an in-house table counts genotypes; give sample VCFs")
        n_samples += len(header.samples)
        records = 0
        for chunk in iter_vcf_chunks(path, header):
            records += len(chunk)
            gt = chunk.genotype
            alt_copies = np.where(gt == GT_HOM_ALT, 2, np.where(gt == GT_HET, 1, 0)).sum(axis=1)
            homs = (gt == GT_HOM_ALT).sum(axis=1)
            carry = (gt >= GT_HET).sum(axis=1)
            names = chunk.contigs
            for i in np.flatnonzero(carry > 0).tolist():
                key = (names[int(chunk.chrom[i])], int(chunk.pos[i]), str(chunk.ref[i]).upper(),
                       str(chunk.alt[i]).upper())
                ac[key] += int(alt_copies[i])
                hom[key] += int(homs[i])
                carriers[key] += int(carry[i])
        if progress is not None:
            progress(path, records)
    an_total = 2 * n_samples

    def order(key: tuple[str, int, str, str]) -> tuple[int, str, int, str, str]:
        code = contig_code(key[0])
        return (code if code >= 0 else len(CANONICAL_CONTIGS), key[0], key[1], key[2], key[3])

    rows = sorted(ac, key=order)
    opener = gzip.open if out.suffix == ".gz" else open
    with opener(out, "wt", encoding="utf-8") as fh:  # type: ignore[operator]
        fh.write(f"##rarelens_inhouse samples={n_samples} files={len(vcfs)}\n")
        fh.write("\t".join(INHOUSE_COLUMNS) + "\n")
        for key in rows:
            fh.write(f"{key[0]}\t{key[1]}\t{key[2]}\t{key[3]}\t{ac[key]}\t{an_total}\t{ac[key] / an_total:.6g}"
                     f"\t{hom[key]}\t{carriers[key]}\n")
    return {"samples": n_samples, "files": len(vcfs), "sites": len(rows)}
