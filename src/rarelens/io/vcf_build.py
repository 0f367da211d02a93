"""Which genome build a VCF's positions refer to, and whether its contigs are human chromosomes.

A GRCh37 VCF annotated with GRCh38 resources gives wrong genes and frequencies without any
error, so the build is checked before analysis. Contig lengths are the strongest evidence
(they are written by the aligner from the reference itself); ``##reference`` text is often a
stale path copied from an old pipeline, so it is only used when the lengths say nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rarelens.io.vcf_header import VcfFormatError, VcfHeader, canonical_contig, parse_structured
from rarelens.variants.table import CANONICAL_CONTIGS, VariantTable

_NAMES = (*(str(i) for i in range(1, 23)), "X", "Y")  # chrM differs between hg19 and GRCh37: not used
LENGTHS: dict[str, dict[str, int]] = {
    "GRCh38": dict(zip(_NAMES, (
        248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973, 145138636,
        138394717, 133797422, 135086622, 133275309, 114364328, 107043718, 101991189, 90338345,
        83257441, 80373285, 58617616, 64444167, 46709983, 50818468, 156040895, 57227415), strict=True)),
    "GRCh37": dict(zip(_NAMES, (
        249250621, 243199373, 198022430, 191154276, 180915260, 171115067, 159138663, 146364022,
        141213431, 135534747, 135006516, 133851895, 115169878, 107349540, 102531392, 90354753,
        81195210, 78077248, 59128983, 63025520, 48129895, 51304566, 155270560, 59373566), strict=True)),
}
_TEXT = {
    "GRCh38": re.compile(r"grch38|hg38|gca_000001405\.15|hs38|assembly38", re.IGNORECASE),
    "GRCh37": re.compile(r"grch37|hg19|(?<![a-z0-9])b37(?![0-9])|hs37d5|human_g1k_v37|assembly19|ncbi37",
                         re.IGNORECASE),
}
_ALIASES = {"grch38": "GRCh38", "hg38": "GRCh38", "grch37": "GRCh37", "hg19": "GRCh37", "b37": "GRCh37"}
BUILD_ALIASES = frozenset(_ALIASES)  # --build values, lower case


@dataclass(frozen=True, slots=True)
class BuildCall:
    build: str | None  # "GRCh38", "GRCh37" or None when nothing in the header says
    evidence: str


def detect_build(header: VcfHeader) -> BuildCall:
    """Build from the ``##contig`` lengths (majority of the canonical contigs), else the
    ``##reference``/``##assembly`` text and the contigs' ``assembly=`` attributes."""
    by_length, length_note = _from_lengths(header)
    by_text, text = _from_text(header)
    quoted = repr(text if len(text) <= 80 else text[:77] + "...")
    if by_length is not None:
        if by_text is not None and by_text != by_length:
            return BuildCall(by_length, f"{length_note}; the reference text {quoted} says {by_text}, "
                                        "but the contig lengths win")
        return BuildCall(by_length, length_note)
    if by_text is not None:
        prefix = f"{length_note}; " if length_note else ""
        return BuildCall(by_text, f"{prefix}the reference text {quoted} names {by_text}")
    if length_note:
        return BuildCall(None, f"{length_note}, and no ##reference line names a build")
    if text:
        return BuildCall(None, f"no ##contig lengths, and the reference text {quoted} names no known build")
    return BuildCall(None, "no ##contig lengths or ##reference line")


def check_build(header: VcfHeader, expected: str) -> BuildCall:
    """`detect_build`, raising when the VCF is known to be on another build than ``expected``."""
    want = _ALIASES.get(expected.strip().lower())
    if want is None:
        raise ValueError(f"unknown genome build {expected!r}; use GRCh38 or GRCh37")
    call = detect_build(header)
    if call.build is not None and call.build != want:
        raise VcfFormatError(header.path, f"this VCF is {call.build} ({call.evidence}) but the resources are {want}",
                             f"pass --build {call.build} with {call.build} resources or lift the VCF over to {want}")
    return call


def check_contig_naming(header: VcfHeader, table: VariantTable | None = None) -> None:
    """Raise when no contig (of the records, else of the header) is a human chromosome, which
    means nothing would match the annotation resources."""
    if table is not None and len(table):
        codes = np.unique(table.chrom)
        if (codes < len(CANONICAL_CONTIGS)).any():
            return
        names = [table.contigs[int(c)] for c in codes]
    else:
        names = [name for name, _ in header.contigs]
        if not names or any(canonical_contig(n) is not None for n in names):
            return
    examples = ", ".join(repr(n) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise VcfFormatError(header.path, f"none of the contigs is a human chromosome ({examples})",
                         "name chromosomes 1-22, X, Y, MT (with or without 'chr') or by RefSeq accession "
                         "(NC_000001.11 …); rename them with 'bcftools annotate --rename-chrs'")


def _from_lengths(header: VcfHeader) -> tuple[str | None, str]:
    votes = {"GRCh38": 0, "GRCh37": 0}
    compared = 0
    example = ""
    for name, length in header.contigs:
        canon = canonical_contig(name)
        if canon is None or canon == "M" or length is None:
            continue
        compared += 1
        example = example or f"{name} = {length:,}"
        for build, table in LENGTHS.items():
            votes[build] += table[canon] == length
    if not compared:
        return None, ""
    v38, v37 = votes["GRCh38"], votes["GRCh37"]
    if v38 == v37:
        what = "match neither GRCh37 nor GRCh38" if v38 == 0 else f"are inconsistent ({v38} GRCh38, {v37} GRCh37)"
        return None, f"contig lengths {what} ({example})"
    build, other = ("GRCh38", v37) if v38 > v37 else ("GRCh37", v38)
    n = max(v38, v37)
    other_build = "GRCh37" if build == "GRCh38" else "GRCh38"
    tail = f"; {other} match {other_build}" if other else ""
    return build, f"contig lengths match {build} ({n} of {compared} chromosomes, e.g. {example}{tail})"


def _from_text(header: VcfHeader) -> tuple[str | None, str]:
    """(build, text) from ``##reference``/``##assembly``, else from the contigs' ``assembly=``;
    a text naming both builds decides nothing."""
    assemblies = []
    for line in header.meta_lines:
        if line.startswith("##contig=<"):
            assembly = parse_structured(line[len("##contig="):]).get("assembly")
            if assembly and assembly not in assemblies:
                assemblies.append(assembly)
    texts = [t for t in (header.reference, "; ".join(assemblies)) if t]
    for text in texts:
        hits = [build for build, pattern in _TEXT.items() if pattern.search(text)]
        if len(hits) == 1:
            return hits[0], text
    return None, "; ".join(texts)
