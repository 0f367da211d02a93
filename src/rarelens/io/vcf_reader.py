"""Streaming a VCF as `VariantTable` chunks with bounded memory.

Text VCFs are decompressed in blocks of ~16 MB, cut at the last newline and parsed by
`vcf_records` with column operations, so a five-million-record genome streams in seconds and
in a few hundred MB whatever its size. Line numbers are counted across blocks so that every
message can point into the file.
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rarelens.io.vcf_header import (
    GZIP_ERRORS,
    VcfFormatError,
    VcfHeader,
    open_text,
    parse_header,
    read_header_lines,
    read_vcf_header,
    sniff,
    truncated_error,
)
from rarelens.io.vcf_records import Block, ContigCodes, Malformed, parse_records, split_lines
from rarelens.variants.table import VariantTable, concat_tables, empty_table

BLOCK_BYTES = 16 << 20  # ~60k exome-like records; larger blocks cost memory, not less time
_PIECE = 1 << 20  # decompress in small pieces so that a truncation is located closely
_DETAIL = 10  # malformed lines described one by one; the rest are counted
_T = TypeVar("_T")
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


@dataclass(slots=True)
class _TextSource:
    """Blocks of whole lines from a decompressed text stream, and the incomplete last line."""

    stream: io.BufferedReader
    path: Path
    next_line: int  # 1-based number of the first line not yet handed out
    tail: bytes = b""

    def blocks(self, block_bytes: int) -> Iterator[tuple[bytes, int, int]]:
        """(whole lines, number of the first line, number of lines)."""
        carry = b""
        while True:
            pieces, size, eof = [carry], len(carry), False
            while size < block_bytes or len(pieces) == 1:  # read at least once: carry has no newline
                try:
                    piece = self.stream.read1(_PIECE)
                except GZIP_ERRORS:
                    done = self.next_line - 1 + sum(p.count(b"\n") for p in pieces)
                    raise truncated_error(self.path, done) from None
                if not piece:
                    eof = True
                    break
                pieces.append(piece)
                size += len(piece)
            j = len(pieces) - 1  # cut after the last newline, copying the data once
            while j >= 0 and pieces[j].rfind(b"\n") < 0:
                j -= 1
            if j < 0:
                data, carry = b"", b"".join(pieces)
            else:
                k = pieces[j].rfind(b"\n") + 1
                data = b"".join([*pieces[:j], pieces[j][:k]])
                carry = pieces[j][k:] + b"".join(pieces[j + 1:])
            if data:
                n = data.count(b"\n")
                first = self.next_line
                self.next_line += n
                yield data, first, n
            if eof:
                self.tail = carry
                return


def _prefetch(items: Iterator[_T]) -> Generator[_T, None, None]:
    """Produce ``items`` in a thread, one ahead: zlib releases the GIL, so the next block is
    decompressed while this one is parsed."""
    box: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put((True, item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put((False, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            box.put((False, exc))

    thread = threading.Thread(target=run, name="vcf-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            more, value = box.get()
            if not more:
                if isinstance(value, BaseException):
                    raise value
                return
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.1)
        thread.join()


def iter_vcf_chunks(
    path: str | Path,
    header: VcfHeader | None = None,
    *,
    chunk_rows: int = 500_000,
    skip_malformed: bool = False,
    warnings: list[str] | None = None,
    samples: Sequence[str] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[VariantTable]:
    """Tables of at most ``chunk_rows`` records each (more rows once multi-allelics are split).

    The header and ``samples`` are checked when this is called; record errors are raised while
    iterating. A VCF without records yields no table at all (`read_vcf` turns that into an empty
    table). Later chunks' ``contigs`` extend earlier ones, so `concat_tables` joins them.
    ``warnings`` receives the dropped '*' alleles, skipped lines and similar notes.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    p = Path(path)
    hdr = header if header is not None else read_vcf_header(p)
    index = _sample_index(p, hdr, samples)
    return _chunks(p, hdr, index, chunk_rows, skip_malformed, warnings if warnings is not None else [], block_bytes)


def read_vcf(
    path: str | Path,
    header: VcfHeader | None = None,
    *,
    skip_malformed: bool = False,
    warnings: list[str] | None = None,
    samples: Sequence[str] | None = None,
) -> VariantTable:
    """The whole file as one table (an empty table for a VCF without records)."""
    hdr = header if header is not None else read_vcf_header(path)
    tables = list(iter_vcf_chunks(path, hdr, skip_malformed=skip_malformed, warnings=warnings, samples=samples))
    if tables:
        return concat_tables(tables)
    return empty_table(tuple(hdr.samples[i] for i in _sample_index(Path(path), hdr, samples)))


def _sample_index(path: Path, header: VcfHeader, samples: Sequence[str] | None) -> tuple[int, ...]:
    if samples is None:
        return tuple(range(len(header.samples)))
    if isinstance(samples, str):
        samples = [samples]
    missing = [s for s in samples if s not in header.samples]
    if missing:
        available = ", ".join(header.samples) if header.samples else "none (sites-only VCF)"
        raise VcfFormatError(path, f"sample {missing[0]!r} is not in the VCF; its samples are: {available}",
                             "give sample names exactly as in the #CHROM line")
    if len(set(samples)) != len(samples):
        raise VcfFormatError(path, f"sample list {list(samples)} names a sample twice", "name each sample once")
    return tuple(header.samples.index(s) for s in samples)


def _chunks(path: Path, header: VcfHeader, index: tuple[int, ...], chunk_rows: int, skip: bool,
            warnings: list[str], block_bytes: int) -> Iterator[VariantTable]:
    contigs = ContigCodes()
    counts = {"malformed": 0, "star": 0, "no_alt": 0}
    kind = sniff(path)
    stream: io.BufferedReader | None = None
    source: _TextSource | None = None
    fetched: Generator[tuple[bytes, int, int], None, None] | None = None
    try:
        if kind == "bcf":
            from rarelens.io.vcf_bcf import bcf_header_lines, iter_bcf_blocks

            hdr = parse_header(path, bcf_header_lines(path))
            blocks = iter_bcf_blocks(path, block_bytes)
        else:
            stream = open_text(path, kind)
            hdr = parse_header(path, read_header_lines(stream, path))
            source = _TextSource(stream, path, hdr.header_line_count + 1)
            blocks = source.blocks(block_bytes)
        if hdr.samples != header.samples or hdr.column_count != header.column_count:
            raise ValueError(f"the header passed for {path} was read from another file")
        fetched = _prefetch(blocks)
        for data, first, n_lines in fetched:
            lines = split_lines(data, n_lines)
            for start in range(0, len(lines), chunk_rows):
                block = parse_records(lines.slice(start, chunk_rows), first + start, header, index, contigs)
                _account(path, block, counts, skip, warnings)
                if len(block.table):
                    yield block.table
        if source is not None and source.tail:
            line = source.next_line
            bad = Malformed(line, "the last line is incomplete (no newline at the end of the file), so the file "
                                  "is probably truncated",
                            "re-download the file; if the last record is complete, add a final newline")
            _account(path, Block(empty_table(()), (bad,), 1, 0, 0), counts, skip, warnings)
        if kind == "gzip" and not _has_bgzf_eof(path):
            lines_read = source.next_line - 1 if source is not None else 0
            warnings.append(f"{path}: the BGZF end-of-file marker is missing, so the file may be truncated after "
                            f"line {lines_read}; re-download it or re-run bgzip if records are missing")
    finally:
        if fetched is not None:
            fetched.close()  # stops the thread before its stream is closed
        if stream is not None:
            stream.close()
    if counts["malformed"] > _DETAIL:
        warnings.append(f"{path}: … and {counts['malformed'] - _DETAIL} more malformed lines skipped")
    if counts["star"]:
        warnings.append(f"{path}: {counts['star']} ALT '*' alleles (spanning deletions, described by their own "
                        "records) dropped")
    if counts["no_alt"]:
        warnings.append(f"{path}: {counts['no_alt']} records with ALT '.' (no variant allele) skipped")


def _account(path: Path, block: Block, counts: dict[str, int], skip: bool, warnings: list[str]) -> None:
    """Raise on the first malformed line, or note it when malformed lines are skipped."""
    if block.malformed and not skip:
        m = block.malformed[0]
        raise VcfFormatError(path, m.problem, m.fix, line=m.line)
    room = max(0, _DETAIL - counts["malformed"])
    for m in block.malformed[:room]:
        warnings.append(f"{path}:{m.line}: {m.problem}; line skipped")
    counts["malformed"] += block.n_malformed
    counts["star"] += block.n_star
    counts["no_alt"] += block.n_no_alt


def _has_bgzf_eof(path: Path) -> bool:
    """True for plain gzip (no marker expected) and for BGZF files that end with the EOF block."""
    with path.open("rb") as f:
        head = f.read(18)
        if not (len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC"):
            return True
        f.seek(0, 2)
        if f.tell() < len(_BGZF_EOF):
            return False
        f.seek(-len(_BGZF_EOF), 2)
        return f.read() == _BGZF_EOF

