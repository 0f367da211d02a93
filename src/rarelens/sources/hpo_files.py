"""Readers for HPO's annotation files (phenotype.hpoa, genes_to_phenotype.txt)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rarelens.kb.records import GeneDiseaseRow, HpoaRow
from rarelens.sources.errors import SourceFormatError
from rarelens.sources.tabular import open_text, read_tsv

HPOA_COLUMNS = (
    "database_id",
    "disease_name",
    "qualifier",
    "hpo_id",
    "reference",
    "evidence",
    "onset",
    "frequency",
    "sex",
    "modifier",
    "aspect",
    "biocuration",
)
_HPO = re.compile(r"^HP:\d{7}$")
_DISEASE = re.compile(r"^(OMIM|ORPHA|DECIPHER):\d+$")
_FREQ = re.compile(r"^(HP:\d{7}|\d+/\d+|\d+(\.\d+)?%)?$")
_ASPECTS = {"P", "I", "C", "M", "H"}


@dataclass(frozen=True, slots=True)
class HpoaFile:
    release: str
    rows: tuple[HpoaRow, ...]


def load_hpoa(path: Path) -> HpoaFile:
    """Every line of phenotype.hpoa, all twelve fields kept; bad values name their line."""
    release = ""
    with open_text(path) as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            if line.startswith("#version:"):
                release = line.split(":", 1)[1].strip()
    rows: list[HpoaRow] = []
    for lineno, r in read_tsv(path, required=HPOA_COLUMNS):
        did, hpo, freq = r["database_id"], r["hpo_id"], r["frequency"]
        if not _DISEASE.match(did):
            raise SourceFormatError(path, lineno, f"database_id {did!r} is not OMIM:, ORPHA: or DECIPHER:")
        if not _HPO.match(hpo):
            raise SourceFormatError(path, lineno, f"hpo_id {hpo!r} is not an HPO id")
        if not _FREQ.match(freq):
            raise SourceFormatError(path, lineno, f"frequency {freq!r} is not an HPO term, n/m or %")
        if r["aspect"] not in _ASPECTS:
            raise SourceFormatError(path, lineno, f"aspect {r['aspect']!r} is not one of P, I, C, M, H")
        if r["qualifier"] not in ("", "NOT"):
            raise SourceFormatError(path, lineno, f"qualifier {r['qualifier']!r} is not empty or NOT")
        rows.append(
            HpoaRow(
                disease_id=did,
                disease_name=r["disease_name"],
                negated=r["qualifier"] == "NOT",
                hpo_id=hpo,
                reference=r["reference"],
                evidence=r["evidence"],
                onset=r["onset"],
                frequency=freq,
                sex=r["sex"],
                modifier=r["modifier"],
                aspect=r["aspect"],
                biocuration=r["biocuration"],
                line=lineno,
            )
        )
    return HpoaFile(release=release or "unknown", rows=tuple(rows))


def load_genes_to_phenotype(path: Path) -> list[GeneDiseaseRow]:
    """Distinct gene–disease pairs from genes_to_phenotype.txt (HPO's gene links, by NCBI id)."""
    seen: set[tuple[str, str]] = set()
    out: list[GeneDiseaseRow] = []
    for lineno, r in read_tsv(path, required=("ncbi_gene_id", "gene_symbol", "disease_id")):
        key = (r["disease_id"], r["ncbi_gene_id"])
        if key in seen:
            continue
        if not r["ncbi_gene_id"].isdigit():
            raise SourceFormatError(path, lineno, f"ncbi_gene_id {r['ncbi_gene_id']!r} is not a number")
        seen.add(key)
        out.append(
            GeneDiseaseRow(
                disease_id=r["disease_id"],
                gene_symbol=r["gene_symbol"],
                ncbi_gene_id=r["ncbi_gene_id"],
                hgnc_id="",
                association_type="",
                source="hpo-genes",
            )
        )
    return out
