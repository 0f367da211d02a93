"""BCF through cyvcf2 (htslib), turned back into VCF text so that one parser serves both formats.

Re-using the text parser is what guarantees that a BCF and the VCF it was made from give
identical tables; the cost is one htslib formatting call per record, acceptable for BCF,
which is rare as input to a diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rarelens.io.vcf_header import VcfFormatError


def _open(path: Path) -> Any:
    from cyvcf2 import VCF

    try:
        return VCF(str(path), lazy=True, threads=1)
    except Exception as exc:  # cyvcf2 raises bare Exception/OSError for unreadable files
        raise VcfFormatError(path, f"cannot read the BCF file ({exc})",
                             "check it with 'bcftools view -h'; re-create it from the VCF if it is corrupt") from None


def bcf_header_lines(path: Path) -> list[str]:
    vcf = _open(path)
    try:
        return [line for line in str(vcf.raw_header).splitlines() if line]
    finally:
        vcf.close()


def iter_bcf_blocks(path: Path, block_bytes: int) -> Iterator[tuple[bytes, int, int]]:
    """(records as VCF text, 1-based number of the first record, number of records)."""
    vcf = _open(path)
    parts: list[str] = []
    size = 0
    first = 1
    n = 0
    try:
        for record in vcf:
            text = str(record)
            parts.append(text)
            size += len(text)
            n += 1
            if size >= block_bytes:
                yield "".join(parts).encode(), first, len(parts)
                parts, size, first = [], 0, n + 1
    except Exception as exc:
        raise VcfFormatError(path, f"the BCF file is truncated or corrupt after record {n} ({exc})",
                             "re-download it or re-create it with 'bcftools view -Ob'") from None
    finally:
        vcf.close()
    if parts:
        yield "".join(parts).encode(), first, len(parts)
