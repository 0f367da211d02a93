"""VCF record lines → `VariantTable`, with column operations only (no Python work per record).

A genome has about five million records; the reader hands this module blocks of a few hundred
thousand lines as one polars string column, and every check and conversion below runs on whole
columns. Only malformed lines (normally none) and distinct FORMAT strings (normally one) are
looked at one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from rarelens.io.vcf_header import FIXED_COLUMNS, VcfHeader, canonical_contig
from rarelens.variants.table import CANONICAL_CONTIGS, VariantTable

_BASES = r"[ACGTNacgtn]"
_ALLELE = (rf"(?:{_BASES}+|<[^<>,]+>|\*|{_BASES}*[\[\]][^\[\],]+[\[\]]{_BASES}*"
           rf"|\.{_BASES}+|{_BASES}+\.)")
_ALT_OK = rf"^(?:\.|{_ALLELE}(?:,{_ALLELE})*)$"
_REF_OK = rf"^{_BASES}+$"

# Reasons a line is malformed, in the order they are checked (the first one is reported).
_COLUMNS, _CHROM, _POS, _REF, _ALT, _MANY, _QUAL, _GT = range(1, 9)
# A genotype is allele indices or '.' joined by / or |; anything else ("banana", "0/A") would be
# read as a missing call and the variant silently counted as not carried.
_GT_OK = r"^(?:\.|\d+)(?:[/|](?:\.|\d+))*$"
_MAX_ALLELES = 127  # `allele` is int8


@dataclass(slots=True)
class ContigCodes:
    """Contig name → code for one file: canonical names have fixed codes, others are appended in
    the order first seen, so codes stay valid from chunk to chunk."""

    names: list[str] = field(default_factory=lambda: list(CANONICAL_CONTIGS))
    codes: dict[str, int] = field(default_factory=dict)

    def code(self, raw: str) -> int:
        c = self.codes.get(raw)
        if c is None:
            canon = canonical_contig(raw)
            if canon is not None:
                c = CANONICAL_CONTIGS.index(canon)
            else:
                c = len(self.names)
                self.names.append(raw)
            self.codes[raw] = c
        return c


@dataclass(frozen=True, slots=True)
class Malformed:
    line: int
    problem: str
    fix: str


@dataclass(frozen=True, slots=True)
class Block:
    table: VariantTable
    malformed: tuple[Malformed, ...]  # the first few, in line order
    n_malformed: int
    n_star: int  # ALT '*' alleles dropped
    n_no_alt: int  # records with ALT '.' (no variant allele) dropped


def split_lines(data: bytes, n_lines: int) -> pl.Series:
    """The ``n_lines`` lines of ``data`` (which ends with a newline) as strings; a blank line
    becomes null, so row i is always line i and line numbers stay exact."""
    if b"\x00" not in data:
        try:
            frame = pl.read_csv(data, separator="\x00", has_header=False, quote_char=None,
                                infer_schema=False, encoding="utf8-lossy")
            if frame.width == 1 and frame.height == n_lines:
                return frame.to_series().rename("text")
        except pl.exceptions.PolarsError:
            pass
    # Rare (NUL bytes, or a polars corner case): split in Python, still one string per line.
    text = data.decode("utf-8", "replace").split("\n")[:-1]
    return pl.Series("text", [t.rstrip("\r") or None for t in text], dtype=pl.String)


def parse_records(lines: pl.Series, first_line: int, header: VcfHeader, sample_index: tuple[int, ...],
                  contigs: ContigCodes, *, keep_detail: int = 10) -> Block:
    """Table of the well-formed records in ``lines`` (line ``first_line`` onwards)."""
    ncols = header.column_count
    df = pl.DataFrame({"text": lines, "line": np.arange(first_line, first_line + len(lines), dtype=np.int64)})
    if lines.null_count():
        df = df.filter(pl.col("text").is_not_null())
    # One split more than the columns: the extra field is set only when a line has too many.
    df = df.with_columns(pl.col("text").str.split_exact("\t", ncols).alias("f"))
    wanted = [*range(8), *((8, *(9 + i for i in sample_index)) if header.has_format_column else ())]
    names = [*(c.lstrip("#") for c in FIXED_COLUMNS), *(("FORMAT", *(f"s{i}" for i in sample_index))
                                                        if header.has_format_column else ())]
    f = pl.col("f").struct
    df = df.select(
        "text", "line",
        (f.field(f"field_{ncols - 1}").is_null() | f.field(f"field_{ncols}").is_not_null()).alias("ragged"),
        *(f.field(f"field_{k}").alias(n) for k, n in zip(wanted, names, strict=True)),
    ).with_columns(pl.col("POS").cast(pl.Int64, strict=False).alias("pos"),
                   pl.col("QUAL").cast(pl.Float32, strict=False).alias("qual"))
    reason = (
        pl.when(pl.col("ragged")).then(_COLUMNS)
        .when(pl.col("CHROM") == "").then(_CHROM)
        .when(pl.col("pos").is_null() | (pl.col("pos") < 0)).then(_POS)
        .when(~pl.col("REF").str.contains(_REF_OK)).then(_REF)
        .when(~pl.col("ALT").str.contains(_ALT_OK)).then(_ALT)
        .when(pl.col("ALT").str.count_matches(",", literal=True) >= _MAX_ALLELES).then(_MANY)
        .when(pl.col("qual").is_null() & (pl.col("QUAL") != ".")).then(_QUAL)
        .when(_bad_genotype(sample_index, header.has_format_column)).then(_GT)
        .otherwise(0)
    )
    bad = df.filter(reason > 0)
    if bad.height:
        df = df.filter(reason == 0)
    malformed = tuple(_describe(row, ncols, len(header.samples))
                      for row in bad.head(keep_detail).with_columns(reason.alias("reason")).iter_rows(named=True))
    samples = tuple(header.samples[i] for i in sample_index)
    sample_cols = [f"s{i}" for i in sample_index] if header.has_format_column else []
    return _build(df, samples, sample_cols, contigs, malformed, bad.height)


def _bad_genotype(sample_index: tuple[int, ...], has_format: bool) -> pl.Expr:
    """A sample read whose GT (first in FORMAT, as the VCF specification requires) is neither
    allele indices nor '.'."""
    if not has_format or not sample_index:
        return pl.lit(False)
    gt_first = pl.col("FORMAT").str.starts_with("GT")
    bad = [pl.col(f"s{i}").str.split(":").list.first().str.contains(_GT_OK).not_() for i in sample_index]
    return gt_first & pl.any_horizontal(bad).fill_null(False)


def _describe(row: dict[str, object], ncols: int, n_samples: int) -> Malformed:
    r = row["reason"]
    line = int(str(row["line"]))
    if r == _COLUMNS:
        n = str(row["text"]).count("\t") + 1
        layout = f"8 fixed + FORMAT + {n_samples} sample columns" if ncols > 8 else "8 fixed columns"
        spaced = n == 1 and " " in str(row["text"])
        return Malformed(line, f"the line has {n} tab-separated column{'s' * (n != 1)}, expected {ncols} ({layout})",
                         "separate the columns with tabs, not spaces" if spaced
                         else "give every record all columns, separated by single tabs")
    if r == _CHROM:
        return Malformed(line, "CHROM is empty", "give the chromosome name")
    if r == _POS:
        return Malformed(line, f"POS {row['POS']!r} is not a whole number ≥ 0", "POS must be the 1-based position")
    if r == _REF:
        return Malformed(line, f"REF {row['REF']!r} is empty or has characters other than A, C, G, T, N",
                         "REF must be the reference bases")
    if r == _ALT:
        return Malformed(line, f"ALT {row['ALT']!r} is not a comma-separated list of alleles "
                               "(bases A/C/G/T/N, <SYMBOLIC>, breakends or *)",
                         "ALT must list the alternate alleles, or be '.'")
    if r == _MANY:
        n = str(row["ALT"]).count(",") + 1
        return Malformed(line, f"ALT lists {n} alleles, more than the {_MAX_ALLELES} supported",
                         "split multi-allelic records with 'bcftools norm -m-'")
    if r == _GT:
        return Malformed(line, "a sample's GT is not allele numbers or '.' joined by / or |",
                         "write genotypes such as 0/1, 1|1 or ./.")
    return Malformed(line, f"QUAL {row['QUAL']!r} is not a number or '.'", "write the quality as a number or '.'")


def _format_index(fmt: pl.Series, key: str) -> pl.Series:
    """Per record, the position of ``key`` in its FORMAT string (-1 when absent); each distinct
    FORMAT string is looked at once."""
    mapping = {f: (f.split(":").index(key) if key in f.split(":") else -1) for f in fmt.unique().to_list()}
    return fmt.replace_strict(mapping, default=-1, return_dtype=pl.Int32)


def _build(df: pl.DataFrame, samples: tuple[str, ...], sample_cols: list[str], contigs: ContigCodes,
           malformed: tuple[Malformed, ...], n_malformed: int) -> Block:
    n = df.height
    alts = df.get_column("ALT").str.split(",")
    n_alt = alts.list.len().to_numpy().astype(np.int64)
    alt = alts.explode().to_numpy()
    rec = np.repeat(np.arange(n, dtype=np.int64), n_alt)
    starts = np.cumsum(n_alt) - n_alt
    allele_all = np.arange(len(rec), dtype=np.int64) - np.repeat(starts, n_alt) + 1
    is_star = alt == "*"
    is_none = alt == "."
    keep = ~(is_star | is_none)
    rec, allele, alt = rec[keep], allele_all[keep].astype(np.int8), alt[keep]

    chrom_names = df.get_column("CHROM")
    mapping = {c: contigs.code(c) for c in chrom_names.unique(maintain_order=True).to_list()}
    chrom = chrom_names.replace_strict(mapping, return_dtype=pl.Int16).to_numpy() if n else np.empty(0, np.int16)

    genotype, gq, dp = _sample_fields(df, len(samples), sample_cols)
    qual = df.get_column("qual").fill_null(float("nan")).to_numpy().astype(np.float32)
    table = VariantTable(
        contigs=tuple(contigs.names),
        samples=samples,
        chrom=chrom.astype(np.int16)[rec],
        pos=df.get_column("pos").to_numpy().astype(np.int64)[rec],
        id=_objects(df, "ID")[rec],
        ref=_objects(df, "REF")[rec],
        alt=alt.astype(object),
        allele=allele,
        qual=qual[rec],
        filter=_objects(df, "FILTER")[rec],
        info=_objects(df, "INFO")[rec],
        genotype=_genotype_rows(genotype, rec, allele),
        gq=gq[rec],
        dp=dp[rec],
        line=df.get_column("line").to_numpy().astype(np.int64)[rec],
    )
    n_none = int(np.count_nonzero(is_none))
    return Block(table, malformed, n_malformed, int(np.count_nonzero(is_star)), n_none)


def _objects(df: pl.DataFrame, name: str) -> npt.NDArray[np.object_]:
    return np.asarray(df.get_column(name).to_numpy(), dtype=object)


def _sample_fields(df: pl.DataFrame, n_samples: int, sample_cols: list[str]
                   ) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16], npt.NDArray[np.int32]]:
    """Allele calls (records × samples × ploidy; -1 for '.', -2 past the ploidy), GQ and DP."""
    n = df.height
    if not sample_cols or n == 0:
        return (np.full((n, n_samples, 1), -2, np.int16), np.full((n, n_samples), -1, np.int16),
                np.full((n, n_samples), -1, np.int32))
    fmt = df.get_column("FORMAT")
    index = pl.DataFrame({key: _format_index(fmt, key) for key in ("GT", "GQ", "DP")})
    parts = df.select(pl.col(c).str.split(":") for c in sample_cols).hstack(index)

    def field(col: str, key: str) -> pl.Expr:
        idx = pl.col(key)
        return pl.when(idx >= 0).then(pl.col(col).list.get(idx, null_on_oob=True))

    gts = parts.select(field(c, "GT").str.replace_all("|", "/", literal=True).str.split("/").alias(c)
                       for c in sample_cols)
    ploidy = max(int(gts.select(pl.col(c).list.len().max()).item() or 1) for c in sample_cols)
    calls = gts.select(
        pl.when(pl.col(c).list.len() > p)
        .then(pl.col(c).list.get(p, null_on_oob=True).cast(pl.Int16, strict=False).fill_null(-1))
        .otherwise(-2).alias(f"{c}_{p}")
        for c in sample_cols for p in range(ploidy)
    ).to_numpy().astype(np.int16).reshape(n, len(sample_cols), ploidy)
    nums = parts.select(
        *(_number(field(c, "GQ")).alias(f"gq_{c}") for c in sample_cols),
        *(_number(field(c, "DP")).alias(f"dp_{c}") for c in sample_cols),
    ).to_numpy()
    k = len(sample_cols)
    gq = np.clip(nums[:, :k], -1, np.iinfo(np.int16).max).astype(np.int16)
    dp = np.clip(nums[:, k:], -1, np.iinfo(np.int32).max).astype(np.int32)
    return calls, gq, dp


def _number(text: pl.Expr) -> pl.Expr:
    """Numeric FORMAT value, -1 for '.', absent or unreadable (some callers write GQ as 99.0)."""
    return text.cast(pl.Float64, strict=False).fill_nan(-1).fill_null(-1)


def _genotype_rows(calls: npt.NDArray[np.int16], rec: npt.NDArray[np.int64], allele: npt.NDArray[np.int8]
                   ) -> npt.NDArray[np.int8]:
    """GT codes per (row, sample) for the row's ALT allele: -1 any '.', 0 none, 2 all, 1 some."""
    g = calls[rec]  # rows × samples × ploidy
    called = g >= 0
    n_called = called.sum(axis=2)
    copies = (g == allele.astype(np.int16)[:, None, None]).sum(axis=2)
    missing = (g == -1).any(axis=2) | (n_called == 0)
    out = np.where(copies == 0, 0, np.where(copies == n_called, 2, 1))
    return np.where(missing, -1, out).astype(np.int8)
