"""Synthetic test data built from a real background VCF: a genome-scale single-sample VCF (for
timing and memory) and a parent–child trio with a known de novo and a known compound
heterozygous pair (for checking inheritance calls end to end).

Both start from real records, so REF/ALT/QUAL/FILTER/INFO/FORMAT and the genotype text are what
a real caller wrote; only positions (genome) or the genotypes of synthetic relatives (trio) are
made up. Output is BGZF (tabix-compatible) written with a thread pool, because zlib releases the
GIL and a genome is over a gigabyte of text.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from rarelens.io.phenopacket import CaseVariant, read_case_variants
from rarelens.io.spike import usable_variants
from rarelens.io.vcf_build import LENGTHS
from rarelens.io.vcf_header import (
    VcfFormatError,
    VcfHeader,
    canonical_contig,
    open_text,
    read_vcf_header,
    sniff,
)
from rarelens.variants.annotate import annotate_regions
from rarelens.variants.consequence import CONSEQUENCES, PROTEIN_OR_SPLICE
from rarelens.variants.genes import GeneModel
from rarelens.variants.table import CANONICAL_CONTIGS, contig_code

# -- BGZF ---------------------------------------------------------------------------------------

_BGZF_BLOCK = 0xFF00  # uncompressed bytes per block, as bgzip writes
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _bgzf_block(data: bytes, level: int) -> bytes:
    z = zlib.compressobj(level, zlib.DEFLATED, -15)  # compressobj releases the GIL while deflating
    raw = z.compress(data) + z.flush()
    if len(raw) + 26 > 0x10000:  # incompressible: stored deflate blocks always fit
        z = zlib.compressobj(0, zlib.DEFLATED, -15)
        raw = z.compress(data) + z.flush()
    head = struct.pack("<4BI2BH2BHH", 0x1F, 0x8B, 8, 4, 0, 0, 0xFF, 6, 66, 67, 2, len(raw) + 25)
    return head + raw + struct.pack("<II", zlib.crc32(data), len(data))


class BgzfWriter:
    """Write bytes as BGZF (what ``bgzip`` writes, so tabix can index it), compressing blocks on
    a thread pool while the caller prepares the next data; `close` adds the EOF block."""

    def __init__(self, path: Path, *, level: int = 1, threads: int | None = None) -> None:
        self._out = path.open("wb")
        self._level = level
        workers = threads or max(1, min(8, os.cpu_count() or 1))
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bgzf")
        self._pending = b""
        self._futures: deque[Future[bytes]] = deque()
        self._max_futures = 64 * workers  # ~4 MB of input per worker in flight

    def write(self, data: bytes) -> None:
        buf = self._pending + data if self._pending else data
        n = len(buf) // _BGZF_BLOCK * _BGZF_BLOCK
        self._pending = buf[n:]
        for i in range(0, n, _BGZF_BLOCK):
            self._futures.append(self._pool.submit(_bgzf_block, buf[i:i + _BGZF_BLOCK], self._level))
            while len(self._futures) > self._max_futures:
                self._out.write(self._futures.popleft().result())

    def close(self) -> None:
        if self._pending:
            self._futures.append(self._pool.submit(_bgzf_block, self._pending, self._level))
            self._pending = b""
        while self._futures:
            self._out.write(self._futures.popleft().result())
        self._out.write(_BGZF_EOF)
        self._out.close()
        self._pool.shutdown()

    def __enter__(self) -> BgzfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_writer(path: Path, level: int) -> BgzfWriter | _PlainWriter:
    return BgzfWriter(path, level=level) if path.name.endswith(".gz") else _PlainWriter(path)


class _PlainWriter:
    def __init__(self, path: Path) -> None:
        self._out = path.open("wb")

    def write(self, data: bytes) -> None:
        self._out.write(data)

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> _PlainWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- background records -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Background:
    """The records of a background VCF as text fields (first sample only)."""

    header: VcfHeader
    chrom: list[str]
    pos: list[int]
    fields: list[list[str]]  # ID, REF, ALT, QUAL, FILTER, INFO, FORMAT, sample 1

    def __len__(self) -> int:
        return len(self.pos)

    @property
    def sample(self) -> str:
        return self.header.samples[0]

    @property
    def chr_prefix(self) -> bool:
        """Whether the background names chromosomes ``chr1`` (else ``1``)."""
        names = self.chrom[:1] or [name for name, _ in self.header.contigs[:1]]
        return bool(names) and names[0][:3].lower() == "chr"


def read_background(path: Path) -> Background:
    """Records of a single- or multi-sample VCF (plain or gzip/BGZF); keeps the first sample."""
    header = read_vcf_header(path)
    if not header.samples or not header.has_format_column:
        raise VcfFormatError(path, "the background has no sample columns", "give a VCF with at least one sample")
    chrom: list[str] = []
    pos: list[int] = []
    fields: list[list[str]] = []
    with open_text(path, sniff(path)) as raw:
        for n, line_b in enumerate(raw, start=1):
            if line_b.startswith(b"#") or not line_b.strip():
                continue
            cols = line_b.decode("utf-8").rstrip("\r\n").split("\t")
            if len(cols) < 10:
                raise VcfFormatError(path, f"the record has {len(cols)} columns, expected at least 10", line=n)
            try:
                p = int(cols[1])
            except ValueError:
                raise VcfFormatError(path, f"POS {cols[1]!r} is not a number", line=n) from None
            chrom.append(cols[0])
            pos.append(p)
            fields.append(cols[2:10])
    return Background(header, chrom, pos, fields)


def _contig_name(canon: str, chr_prefix: bool) -> str:
    if not chr_prefix:
        return "MT" if canon == "M" else canon
    return f"chr{canon}"


def _meta_with(header: VcfHeader, extra: Sequence[str], *, contigs: Sequence[tuple[str, int]] = ()) -> list[str]:
    """The header's ``##`` lines (``##fileformat`` first) plus ``##contig`` lines it lacks and
    ``extra`` lines before the ``#CHROM`` line."""
    meta = list(header.meta_lines)
    if not meta or not meta[0].startswith("##fileformat="):
        meta.insert(0, "##fileformat=VCFv4.2")
    have = {name for name, _ in header.contigs}
    meta += [f"##contig=<ID={name},length={length}>" for name, length in contigs if name not in have]
    return meta + list(extra)


# -- genome-scale VCF ---------------------------------------------------------------------------

GENOME_CONTIGS: tuple[str, ...] = (*(str(i) for i in range(1, 23)), "X")


@dataclass(frozen=True, slots=True)
class GenomeStats:
    records: int
    source_records: int  # background records used as templates
    dropped_source: int  # background records on contigs outside chr1–22, X
    copies: int
    per_contig: dict[str, int]


def tile_positions(
    contig: npt.NDArray[np.int64], pos: npt.NDArray[np.int64], ref_len: npt.NDArray[np.int64],
    n_records: int, seed: int, lengths: Sequence[int],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """Positions for ``n_records`` copies of the template records, spread over the contigs.

    Contigs are laid end to end as one coordinate line; copy k of the templates is shifted along
    it by about k/K of its length (plus a random jitter) and wrapped, so every contig receives
    records in proportion to its length. Records that would cross a contig end are dropped, and
    so are repeats of a (contig, position) already taken. Returns (contig index, position,
    template index, copies), sorted by contig then position.
    """
    if n_records < 1:
        raise ValueError("the number of records must be at least 1")
    if len(pos) == 0:
        raise ValueError("no template records on the target contigs")
    lens = np.asarray(lengths, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    total = int(lens.sum())
    line = starts[contig] + pos - 1  # 0-based coordinate on the concatenated line
    rng = np.random.default_rng(seed)
    b = len(pos)
    copies = -(-n_records // b) + 1
    while True:
        step = total // copies
        offsets = np.arange(copies, dtype=np.int64) * step + rng.integers(0, max(step, 1), size=copies)
        g = (line[None, :] + offsets[:, None]) % total  # copies × templates
        g = g.ravel()
        c = np.searchsorted(starts, g, side="right") - 1
        p = g - starts[c] + 1
        src = np.tile(np.arange(b, dtype=np.int64), copies)
        ok = p + np.maximum(ref_len[src], 1) - 1 <= lens[c]
        key = (c[ok] << 32) | p[ok]
        ukey, first = np.unique(key, return_index=True)  # sorted by contig, then position
        if len(ukey) >= n_records:
            break
        copies += max(1, -(-(n_records - len(ukey)) // b)) + 1
    chosen = np.sort(rng.choice(len(ukey), size=n_records, replace=False)) if len(ukey) > n_records \
        else np.arange(len(ukey))
    keep = np.flatnonzero(ok)[first[chosen]]
    return c[keep], p[keep], src[keep], copies


def make_genome(
    background: Path,
    out: Path,
    *,
    records: int = 5_000_000,
    seed: int = 1,
    level: int = 1,
    chunk_rows: int = 250_000,
    progress: Callable[[int], None] | None = None,
) -> GenomeStats:
    """Write a genome-scale single-sample VCF by tiling ``background``'s records over chr1–22, X
    (GRCh38 lengths). Each output record is a background record with a new CHROM/POS; ID is
    ``.`` (an rsID may appear only once in a VCF); every other column, the FORMAT and the first
    sample's genotype text are the source record's. ``progress`` receives rows as they are written.
    """
    bg = read_background(background)
    target = {name: i for i, name in enumerate(GENOME_CONTIGS)}
    code = np.asarray([target.get(canonical_contig(c) or "", -1) for c in bg.chrom], dtype=np.int64)
    idx = np.flatnonzero(code >= 0)
    contig = code[idx]
    pos = np.asarray(bg.pos, dtype=np.int64)[idx]
    ref_len = np.asarray([len(bg.fields[i][1]) for i in idx], dtype=np.int64)
    lengths = [LENGTHS["GRCh38"][name] for name in GENOME_CONTIGS]
    c, p, src, copies = tile_positions(contig, pos, ref_len, records, seed, lengths)

    tails = pl.Series("tail", ["\t".join([".", *bg.fields[i][1:8]]) for i in idx], dtype=pl.String)
    names = [_contig_name(n, bg.chr_prefix) for n in GENOME_CONTIGS]
    contig_lines = list(zip(names, lengths, strict=True))
    provenance = (f"##rarelens_make_genome=<Background=\"{background.name}\",Records={records},Seed={seed},"
                  f"Copies={copies},Templates={len(idx)},Contigs=\"chr1-22,X (GRCh38 lengths)\","
                  "Method=\"background records tiled with per-copy offsets; ID set to '.'\">")
    meta = _meta_with(bg.header, [provenance], contigs=contig_lines)
    head = "\n".join([*meta, "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                                         "FORMAT", bg.sample])]) + "\n"
    name_series = pl.Series("names", names, dtype=pl.String)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _open_writer(out, level) as w:
        w.write(head.encode("utf-8"))
        for start in range(0, len(p), chunk_rows):
            sl = slice(start, start + chunk_rows)
            frame = pl.DataFrame({"c": name_series.gather(c[sl]), "p": p[sl], "t": tails.gather(src[sl])})
            buf = io.BytesIO()  # the tail holds tabs already; written as is, without quoting
            frame.write_csv(buf, separator="\t", include_header=False, quote_style="never", line_terminator="\n")
            w.write(buf.getvalue())
            if progress is not None:
                progress(len(p[sl]))
    counts = np.bincount(c, minlength=len(GENOME_CONTIGS))
    return GenomeStats(
        records=len(p), source_records=len(idx), dropped_source=len(bg) - len(idx), copies=copies,
        per_contig={names[i]: int(counts[i]) for i in range(len(names))},
    )


# -- trio -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpikeCase:
    """A phenopacket chosen as the source of spiked variants."""

    path: Path
    case_id: str
    gene: str
    variants: tuple[CaseVariant, ...]
    sex: str | None  # MALE, FEMALE or None
    data: dict[str, Any] = field(repr=False, compare=False)
    observed: int = 0  # observed phenotypic features


def read_spike_case(path: Path) -> SpikeCase | None:
    """The case's GRCh38 variants, when every variant has a usable GRCh38 record in one gene."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    variants, _genes = read_case_variants(data)
    usable = usable_variants(variants)
    if not usable or len(usable) != len(variants) or len({v.gene for v in usable}) != 1 or not usable[0].gene:
        return None
    sex = (data.get("subject") or {}).get("sex")
    observed = sum(1 for f in data.get("phenotypicFeatures", []) or [] if isinstance(f, dict) and not f.get("excluded"))
    return SpikeCase(path, str(data.get("id", path.stem)), usable[0].gene, tuple(usable),
                     sex if sex in ("MALE", "FEMALE") else None, data, observed)


def spike_shape_problem(case: SpikeCase, kind: str, genes: GeneModel) -> str | None:
    """Why ``case`` cannot serve as the ``kind`` ("dominant": one heterozygous variant;
    "recessive": two different heterozygous variants) spike, or None when it can: the gene must
    be autosomal in ``genes`` and every variant inside its span with a protein-or-splice
    consequence there (otherwise the analysis would never see it)."""
    want = 1 if kind == "dominant" else 2
    if len(case.variants) != want or len({(v.chrom, v.pos, v.ref, v.alt) for v in case.variants}) != want:
        return f"needs {want} distinct variant(s), has {len(case.variants)}"
    if any(v.zygosity != "heterozygous" for v in case.variants):
        return "not every variant is heterozygous"
    g = genes.find(case.gene)
    if g is None:
        return f"gene {case.gene} is not in the gene table"
    chrom = np.asarray([contig_code(v.chrom) for v in case.variants], dtype=np.int16)
    if int(genes.chrom[g]) >= CANONICAL_CONTIGS.index("X") or (chrom != genes.chrom[g]).any():
        return "the gene is not autosomal or a variant lies on another chromosome"
    pos = np.asarray([v.pos for v in case.variants], dtype=np.int64)
    if ((pos <= genes.tx_start[g]) | (pos > genes.tx_end[g])).any():
        return "a variant lies outside the gene's transcript span"
    ann = annotate_regions(genes, chrom, pos, np.asarray([len(v.ref) for v in case.variants], dtype=np.int64),
                           np.asarray([len(v.alt) for v in case.variants], dtype=np.int64))
    for i in range(want):
        sel = (ann.variant == i) & (ann.gene == g)
        if not any(CONSEQUENCES[int(k)][0] in PROTEIN_OR_SPLICE for k in ann.consequence[sel]):
            return "a variant is neither coding nor splice-related in the gene table"
    return None


def choose_spike_case(
    paths: Sequence[Path], kind: str, genes: GeneModel, rng: np.random.Generator,
    accept: Callable[[SpikeCase], str | None] = lambda _c: None,
) -> SpikeCase | None:
    """A random (by ``rng``) case among ``paths`` that fits ``kind`` and that ``accept`` (mode
    of inheritance, phenotypes, sex …) does not reject; cases are read lazily in random order."""
    for i in rng.permutation(len(paths)).tolist():
        case = read_spike_case(paths[i])
        if case is None or spike_shape_problem(case, kind, genes) is not None:
            continue
        if accept(case) is None:
            return case
    return None


_GT_SPLIT = re.compile(r"[/|]")


@dataclass(frozen=True, slots=True)
class SpikedVariant:
    kind: str  # "de novo" | "compound heterozygous (paternal)" | "… (maternal)"
    gene: str
    chrom: str
    pos: int
    ref: str
    alt: str
    child: str
    father: str
    mother: str
    case: str


@dataclass(frozen=True, slots=True)
class TrioReport:
    records: int
    background_records: int
    removed_in_genes: dict[str, int]
    inherited_from_father: int
    inherited_from_mother: int
    from_both: int  # child homozygous ALT (or two ALTs): one allele from each parent
    private_father: int
    private_mother: int
    sex_chromosome_records: int
    spiked: tuple[SpikedVariant, ...]
    child_sex: str | None
    files: tuple[Path, ...]


def _sample_text(fmt: list[str], child: list[str], gt: str) -> str:
    """A relative's sample column: ``gt``, the child's DP and GQ, other fields missing."""
    return ":".join(gt if k == "GT" else (child[i] if k in ("DP", "GQ") and i < len(child) else ".")
                    for i, k in enumerate(fmt))


def _gt(a: str, b: str) -> str:
    x, y = sorted((a, b), key=lambda s: (s != "0", int(s) if s.isdigit() else 0))
    return f"{x}/{y}"


_SPIKE_FORMAT = "GT:AD:DP:GQ"
_SPIKE_SAMPLE = {"0/1": "0/1:20,20:40:99", "0/0": "0/0:40,0:40:99"}
TRIO_SAMPLES = ("child", "father", "mother")


def make_trio(
    background: Path,
    out_dir: Path,
    *,
    dominant: SpikeCase,
    recessive: SpikeCase,
    genes: GeneModel,
    seed: int = 1,
    private_fraction: float = 0.3,
    child_sex: str | None = None,
) -> TrioReport:
    """Write ``trio.vcf.gz`` (child, father, mother), ``trio.ped``, the two phenopackets and a
    README into ``out_dir``.

    The child is the background's first sample. Each heterozygous call is given to one parent at
    random, except that a ``private_fraction`` of them become the parent's alone (the child is set
    0/0); a homozygous ALT call comes from both. On chrX of a male child both alleles come from
    the mother, on chrY from the father. Background records inside the two genes' spans are
    removed (the rule of `rarelens.io.spike`); then the dominant case's variant is added as a de
    novo heterozygous call and the recessive case's two variants as a compound heterozygous pair,
    one from each parent.
    """
    if not 0 <= private_fraction < 1:
        raise ValueError("private_fraction must be in [0, 1)")
    bg = read_background(background)
    rng = np.random.default_rng(seed)
    prefix = bg.chr_prefix
    chrom_x = CANONICAL_CONTIGS.index("X")
    chrom_y = CANONICAL_CONTIGS.index("Y")
    male = child_sex == "MALE"

    spans: dict[str, tuple[int, int, int]] = {}
    for case in (dominant, recessive):
        g = genes.find(case.gene)
        if g is None:
            raise ValueError(f"gene {case.gene} is not in the gene table")
        spans[case.gene] = (int(genes.chrom[g]), int(genes.tx_start[g]), int(genes.tx_end[g]))
    removed = dict.fromkeys(spans, 0)
    rows: list[tuple[int, int, str]] = []  # (contig rank, pos, line)
    order = {name: i for i, (name, _) in enumerate(bg.header.contigs)}
    counts = {"father": 0, "mother": 0, "both": 0, "private_father": 0, "private_mother": 0, "sex": 0}

    def rank(name: str) -> int:
        if name in order:
            return order[name]
        code = contig_code(name)
        return len(order) + (code if code >= 0 else len(CANONICAL_CONTIGS))

    for chrom, pos, f in zip(bg.chrom, bg.pos, bg.fields, strict=True):
        code = contig_code(chrom)
        if any(code == c and lo < pos <= hi for c, lo, hi in spans.values()):
            for gene, (c, lo, hi) in spans.items():
                if code == c and lo < pos <= hi:
                    removed[gene] += 1
            continue
        fmt = f[6].split(":")
        child = f[7].split(":")
        gi = fmt.index("GT") if "GT" in fmt else -1
        gt = child[gi] if 0 <= gi < len(child) else "."
        alleles = _GT_SPLIT.split(gt)
        child_out = f[7]
        if any(a in (".", "") for a in alleles):
            father_gt = mother_gt = "./."
        elif code == chrom_y or (code == chrom_x and male) or len(alleles) == 1:
            # One parent's chromosome: Y from the father; X of a son (and any haploid call) from
            # the mother, the father's own X not being transmitted.
            counts["sex"] += code in (chrom_x, chrom_y)
            whole = _gt("0", alleles[0]) if len(alleles) == 1 else _gt(alleles[0], alleles[1])
            if code == chrom_y:
                father_gt, mother_gt = gt, "."
            else:
                father_gt, mother_gt = "0", whole
        else:
            a, b = alleles[0], alleles[1]
            if a == b == "0":
                father_gt = mother_gt = "0/0"
            elif "0" in (a, b):  # heterozygous: the ALT allele came from one parent
                x = b if a == "0" else a
                to_father = bool(rng.random() < 0.5)
                if rng.random() < private_fraction:
                    counts["private_father" if to_father else "private_mother"] += 1
                    child_out = _sample_text(fmt, child, "0/0")
                else:
                    counts["father" if to_father else "mother"] += 1
                father_gt, mother_gt = (_gt("0", x), "0/0") if to_father else ("0/0", _gt("0", x))
            else:  # homozygous ALT, or two different ALTs: one allele from each parent
                if rng.random() < 0.5:
                    a, b = b, a
                counts["both"] += 1
                father_gt, mother_gt = _gt("0", a), _gt("0", b)
        sample = [child_out, *(f[7] if g == gt else _sample_text(fmt, child, g) for g in (father_gt, mother_gt))]
        rows.append((rank(chrom), pos, "\t".join([chrom, str(pos), *f[:7], *sample])))

    spiked: list[SpikedVariant] = []
    (dn,) = dominant.variants
    spiked.append(SpikedVariant("de novo", dominant.gene, dn.chrom, dn.pos, dn.ref.upper(), dn.alt.upper(),
                                "0/1", "0/0", "0/0", dominant.case_id))
    pair = list(recessive.variants)
    if rng.random() < 0.5:
        pair.reverse()
    for v, (who, fa, mo) in zip(pair, (("paternal", "0/1", "0/0"), ("maternal", "0/0", "0/1")), strict=True):
        spiked.append(SpikedVariant(f"compound heterozygous ({who})", recessive.gene, v.chrom, v.pos,
                                    v.ref.upper(), v.alt.upper(), "0/1", fa, mo, recessive.case_id))
    for s in spiked:
        name = _contig_name(canonical_contig(s.chrom) or s.chrom, prefix)
        origin = "de_novo" if s.kind == "de novo" else ("paternal" if "paternal" in s.kind else "maternal")
        info = f"SPIKED;SpikeOrigin={origin};SpikeGene={s.gene}"
        line = "\t".join([name, str(s.pos), ".", s.ref, s.alt, "100", "PASS", info, _SPIKE_FORMAT,
                          *(_SPIKE_SAMPLE[g] for g in (s.child, s.father, s.mother))])
        rows.append((rank(name), s.pos, line))
    rows.sort(key=lambda r: (r[0], r[1]))

    extra = [
        '##INFO=<ID=SPIKED,Number=0,Type=Flag,Description="Variant spiked in by rarelens bench make-trio">',
        '##INFO=<ID=SpikeOrigin,Number=1,Type=String,Description="Origin of the spiked variant: de_novo, '
        'paternal or maternal">',
        '##INFO=<ID=SpikeGene,Number=1,Type=String,Description="Gene of the spiked variant">',
        f'##rarelens_make_trio=<Background="{background.name}",Seed={seed},PrivateFraction={private_fraction},'
        f'Dominant="{dominant.path.name}:{dominant.gene}",Recessive="{recessive.path.name}:{recessive.gene}">',
        "##PEDIGREE=<ID=child,Father=father,Mother=mother>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    ]
    declared = {line.split(",", 1)[0] for line in bg.header.meta_lines if line.startswith(("##INFO=<", "##FORMAT=<"))}
    extra = [e for e in extra if e.split(",", 1)[0] not in declared]
    meta = _meta_with(bg.header, extra)
    out_dir.mkdir(parents=True, exist_ok=True)
    vcf = out_dir / "trio.vcf.gz"
    with BgzfWriter(vcf, level=6) as w:
        w.write(("\n".join([*meta, "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                                              "FORMAT", *TRIO_SAMPLES])]) + "\n").encode("utf-8"))
        for start in range(0, len(rows), 50_000):
            w.write(("\n".join(r[2] for r in rows[start:start + 50_000]) + "\n").encode("utf-8"))
    ped = out_dir / "trio.ped"
    sex_code = {"MALE": "1", "FEMALE": "2"}.get(child_sex or "", "0")
    ped.write_text(f"FAM1\tchild\tfather\tmother\t{sex_code}\t2\nFAM1\tfather\t0\t0\t1\t1\n"
                   "FAM1\tmother\t0\t0\t2\t1\n", encoding="utf-8")
    dom_json, rec_json = out_dir / "dominant_case.json", out_dir / "recessive_case.json"
    shutil.copyfile(dominant.path, dom_json)
    shutil.copyfile(recessive.path, rec_json)
    report = TrioReport(
        records=len(rows), background_records=len(bg), removed_in_genes=removed,
        inherited_from_father=counts["father"], inherited_from_mother=counts["mother"], from_both=counts["both"],
        private_father=counts["private_father"], private_mother=counts["private_mother"],
        sex_chromosome_records=counts["sex"], spiked=tuple(spiked), child_sex=child_sex,
        files=(vcf, ped, dom_json, rec_json, out_dir / "README.txt"),
    )
    (out_dir / "README.txt").write_text(_readme(report, background, dominant, recessive, seed, private_fraction),
                                        encoding="utf-8")
    return report


def _readme(r: TrioReport, background: Path, dominant: SpikeCase, recessive: SpikeCase, seed: int,
            private_fraction: float) -> str:
    lines = [
        "Synthetic trio written by `rarelens bench make-trio`.",
        "",
        f"Background: {background} (sample 1 = child), {r.background_records:,} records; seed {seed}.",
        f"Samples: child (affected, sex {r.child_sex or 'unknown'}), father, mother (unaffected); family FAM1 "
        "in trio.ped.",
        "",
        "Parents derived from the child's genotypes (Mendelian):",
        f"  child heterozygous, allele from the father: {r.inherited_from_father:,}",
        f"  child heterozygous, allele from the mother: {r.inherited_from_mother:,}",
        f"  child homozygous ALT (one allele from each parent, both parents 0/1): {r.from_both:,}",
        f"  parent-only heterozygous (a random {private_fraction:.0%} of the child's heterozygous calls, set 0/0 in "
        f"the child): father {r.private_father:,}, mother {r.private_mother:,}",
        f"  chrX of a male child / chrY, or haploid calls (mother / father only): {r.sex_chromosome_records:,}",
        "",
        "Background records removed inside the two genes' transcript spans before spiking: "
        + ", ".join(f"{g} {n}" for g, n in r.removed_in_genes.items()),
        "",
        "Spiked variants (INFO SPIKED; FORMAT GT:AD:DP:GQ, GQ 99):",
    ]
    for s in r.spiked:
        lines.append(f"  {s.chrom}:{s.pos} {s.ref}>{s.alt}  {s.gene}  {s.kind}  child {s.child}, father {s.father}, "
                     f"mother {s.mother}  (from {s.case})")
    lines += [
        "",
        f"dominant_case.json  = copy of {dominant.path} (gene {dominant.gene}, one heterozygous variant; "
        "expected: rank 1, mode AD, variant de novo)",
        f"recessive_case.json = copy of {recessive.path} (gene {recessive.gene}, two heterozygous variants; "
        "expected: rank 1, mode AR, compound heterozygous)",
        "",
        "Check:",
        "  rarelens analyze --vcf trio.vcf.gz --ped trio.ped --phenopacket dominant_case.json --format json",
        "  rarelens analyze --vcf trio.vcf.gz --ped trio.ped --phenopacket recessive_case.json --format json",
        "",
    ]
    return "\n".join(lines)


def iter_case_files(folder: Path) -> Iterator[Path]:
    """Phenopacket JSON files under ``folder`` (recursively), sorted."""
    yield from sorted(folder.rglob("*.json"))

