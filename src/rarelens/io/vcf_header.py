"""VCF header: opening any VCF flavour, the `##` meta lines and the `#CHROM` line.

The header decides how every record is read (which columns, which samples) and which genome
build the positions refer to, so problems with it are reported before any record is touched.
Files are recognised by their first bytes rather than their extension, because `.vcf` files
that are really gzip (and the reverse) are common in the wild.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rarelens.io.vcf_gzip import open_gzip
from rarelens.variants.table import CANONICAL_CONTIGS, normalize_contig

FIXED_COLUMNS: tuple[str, ...] = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
_MAX_HEADER_LINE = 1 << 24  # a longer "line" is binary data, not a VCF header
GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)

# RefSeq accessions of the primary assembly chromosomes (any version: .10 is GRCh37, .11 GRCh38).
_REFSEQ = re.compile(r"^NC_0000(\d\d)(?:\.\d+)?$")
_REFSEQ_MT = re.compile(r"^NC_012920(?:\.\d+)?$")
_STRUCTURED = re.compile(r'([A-Za-z0-9_.\-]+)=("(?:[^"\\]|\\.)*"|[^,]*)')


class VcfFormatError(ValueError):
    """A VCF (or its use) is wrong; the message names the file, the line, the problem and the fix."""

    def __init__(self, path: str | Path, problem: str, fix: str = "", line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        self.fix = fix
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}" + (f"; {fix}" if fix else ""))


@dataclass(frozen=True, slots=True)
class InfoDef:
    number: str
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class VcfHeader:
    path: str
    fileformat: str
    samples: tuple[str, ...]
    contigs: tuple[tuple[str, int | None], ...]  # header order
    reference: str  # text of the ##reference and ##assembly lines, "; "-joined
    info: dict[str, InfoDef]
    format: dict[str, InfoDef]
    csq_fields: tuple[str, ...]  # VEP CSQ subfields, empty without a CSQ INFO line
    ann_fields: tuple[str, ...]  # SnpEff ANN subfields
    meta_lines: tuple[str, ...]  # every ## line as written, without the newline
    header_line_count: int  # ## lines plus the #CHROM line
    has_format_column: bool = False  # the #CHROM line has FORMAT: records have 9 + samples columns

    @property
    def column_count(self) -> int:
        return 8 + (1 + len(self.samples) if self.has_format_column else 0)


def canonical_contig(name: str) -> str | None:
    """The `CANONICAL_CONTIGS` name of ``name`` (``chr1``, ``1``, ``NC_000001.11`` → ``1``), or None.

    RefSeq accessions are accepted because NCBI pipelines write them instead of chromosome names.
    """
    n = normalize_contig(name)
    if n in _CANONICAL_SET:
        return n
    m = _REFSEQ.match(name.strip())
    if m:
        k = int(m.group(1))
        return str(k) if 1 <= k <= 22 else {23: "X", 24: "Y"}.get(k)
    return "M" if _REFSEQ_MT.match(name.strip()) else None


_CANONICAL_SET = frozenset(CANONICAL_CONTIGS)


def sniff(path: Path) -> str:
    """``"bcf"``, ``"gzip"`` or ``"text"`` from the first bytes; raises for missing and empty files."""
    try:
        with path.open("rb") as f:
            magic = f.read(3)
            if magic[:2] == b"\x1f\x8b":
                f.seek(0)
                try:
                    with gzip.GzipFile(fileobj=f) as g:
                        inner = g.read(3)
                except GZIP_ERRORS:
                    inner = b""  # reported with a line number once records are read
                return "bcf" if inner == b"BCF" else "gzip"
    except FileNotFoundError:
        raise VcfFormatError(path, "file not found", "check the path") from None
    except IsADirectoryError:
        raise VcfFormatError(path, "is a directory, not a VCF file", "give the path of the .vcf/.vcf.gz/.bcf file") from None
    except OSError as exc:
        raise VcfFormatError(path, f"cannot read the file ({exc.strerror})", "check the permissions") from None
    if not magic:
        raise VcfFormatError(path, "the file is empty", "re-export the VCF; a VCF starts with ##fileformat=VCFv4.x")
    return "bcf" if magic == b"BCF" else "text"


def open_text(path: Path, kind: str) -> io.BufferedReader:
    """Decompressed bytes of a text VCF (plain gzip and BGZF alike)."""
    if kind == "gzip":
        return open_gzip(path)
    return path.open("rb")


def truncated_error(path: Path, lines: int) -> VcfFormatError:
    return VcfFormatError(path, f"the file is truncated or corrupt after line {lines}",
                          "re-download it or re-run bgzip on the uncompressed VCF")


def read_header_lines(stream: BinaryIO, path: Path) -> list[str]:
    """Lines up to and including ``#CHROM``; stops at the first data line so that the stream is
    left at the first record."""
    lines: list[str] = []
    while True:
        try:
            raw = stream.readline(_MAX_HEADER_LINE)
        except GZIP_ERRORS:
            raise truncated_error(path, len(lines)) from None
        if not raw:
            break
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        lines.append(text)
        if not lines[0].startswith("##fileformat="):
            break
        if text.startswith("#CHROM") or not text.startswith("#"):
            break
    return lines


def parse_header(path: Path, lines: Sequence[str]) -> VcfHeader:
    """`VcfHeader` from the header lines (the last one must be ``#CHROM``)."""
    if not lines or (len(lines) == 1 and not lines[0]):
        raise VcfFormatError(path, "the file is empty", "re-export the VCF; a VCF starts with ##fileformat=VCFv4.x")
    first = lines[0]
    if not first.startswith("##fileformat="):
        shown = first[:60] + ("…" if len(first) > 60 else "")
        raise VcfFormatError(path, f"not a VCF: the first line is {shown!r}, not '##fileformat=VCFv4.x'",
                             "give a VCF file (.vcf, .vcf.gz or .bcf)", line=1)
    last = lines[-1]
    if not last.startswith("#CHROM"):
        where = "the file ends" if last.startswith("##") else f"line {len(lines)} is a record"
        raise VcfFormatError(path, f"no '#CHROM' header line ({where} before it)",
                             "add the tab-separated '#CHROM POS ID REF ALT QUAL FILTER INFO …' line "
                             "after the ## lines", line=len(lines))
    columns = tuple(last.split("\t"))
    n_line = len(lines)
    if columns[:8] != FIXED_COLUMNS:
        raise VcfFormatError(path, f"the #CHROM line starts with {list(columns[:8])}, expected {list(FIXED_COLUMNS)}",
                             "separate the header columns with tabs, not spaces", line=n_line)
    if len(columns) > 8 and columns[8] != "FORMAT":
        raise VcfFormatError(path, f"column 9 of the #CHROM line is {columns[8]!r}, expected 'FORMAT'",
                             "sample columns must follow a FORMAT column", line=n_line)
    samples = columns[9:]
    dupes = sorted({s for s in samples if samples.count(s) > 1})
    if dupes:
        raise VcfFormatError(path, f"duplicate sample names {dupes}",
                             "rename the samples (bcftools reheader) so that each name is unique", line=n_line)
    meta = tuple(lines[:-1])
    info: dict[str, InfoDef] = {}
    fmt: dict[str, InfoDef] = {}
    contigs: list[tuple[str, int | None]] = []
    reference: list[str] = []
    for text in meta:
        key, _, value = text[2:].partition("=")
        if key in ("reference", "assembly"):
            reference.append(value.strip())
        elif key in ("INFO", "FORMAT", "contig") and value.startswith("<"):
            fields = parse_structured(value)
            ident = fields.get("ID", "")
            if key == "contig":
                length = fields.get("length", "")
                contigs.append((ident, int(length) if length.isdigit() else None))
            else:
                target = info if key == "INFO" else fmt
                target[ident] = InfoDef(fields.get("Number", "."), fields.get("Type", "String"),
                                        fields.get("Description", ""))
    return VcfHeader(
        path=str(path),
        fileformat=first.partition("=")[2].strip(),
        samples=samples,
        contigs=tuple(contigs),
        reference="; ".join(reference),
        info=info,
        format=fmt,
        csq_fields=_subfields(info.get("CSQ"), vep=True),
        ann_fields=_subfields(info.get("ANN"), vep=False),
        meta_lines=meta,
        header_line_count=n_line,
        has_format_column=len(columns) > 8,
    )


def parse_structured(value: str) -> dict[str, str]:
    """``<ID=DP,Number=1,Description="a, b">`` → dict; quoted values may hold commas."""
    out: dict[str, str] = {}
    for m in _STRUCTURED.finditer(value.strip().removeprefix("<").removesuffix(">")):
        v = m.group(2)
        if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
            v = v[1:-1].replace('\\"', '"')
        out.setdefault(m.group(1), v)
    return out


def _subfields(defn: InfoDef | None, *, vep: bool) -> tuple[str, ...]:
    """VEP: ``"… Format: Allele|Consequence|…"``; SnpEff: ``"…: 'Allele | Annotation | …' "``."""
    if defn is None:
        return ()
    d = defn.description
    if vep:
        m = re.search(r"Format:\s*(\S.*)$", d)
        text = m.group(1) if m else ""
    else:
        m = re.search(r"'([^']*)'", d)
        text = m.group(1) if m else d.partition(":")[2]
    return tuple(f.strip() for f in text.split("|")) if "|" in text else ()


def read_vcf_header(path: str | Path) -> VcfHeader:
    """The header of a ``.vcf``, ``.vcf.gz`` (gzip or BGZF) or ``.bcf`` file."""
    p = Path(path)
    kind = sniff(p)
    if kind == "bcf":
        from rarelens.io.vcf_bcf import bcf_header_lines  # cyvcf2 is only loaded for BCF

        return parse_header(p, bcf_header_lines(p))
    with open_text(p, kind) as stream:
        return parse_header(p, read_header_lines(stream, p))
