"""Reader for the HGNC complete set, the key every gene link is normalised to."""

from __future__ import annotations

from pathlib import Path

from rarelens.kb.records import HgncGene
from rarelens.sources.errors import SourceFormatError
from rarelens.sources.tabular import read_tsv


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.replace('"', "").replace(",", "|").split("|") if s.strip())


def load_hgnc(path: Path) -> list[HgncGene]:
    out = []
    for lineno, r in read_tsv(path, required=("hgnc_id", "symbol", "name")):
        if not r["hgnc_id"].startswith("HGNC:"):
            raise SourceFormatError(path, lineno, f"hgnc_id {r['hgnc_id']!r} lacks the HGNC: prefix")
        out.append(
            HgncGene(
                hgnc_id=r["hgnc_id"],
                symbol=r["symbol"],
                name=r["name"],
                locus_group=r.get("locus_group", ""),
                ncbi_gene_id=r.get("entrez_id", ""),
                ensembl_gene_id=r.get("ensembl_gene_id", ""),
                omim_id=r.get("omim_id", ""),
                # the official complete set says alias_symbol/prev_symbol; derived copies pluralise
                alias_symbols=_split(r.get("alias_symbol") or r.get("alias_symbols", "")),
                prev_symbols=_split(r.get("prev_symbol") or r.get("prev_symbols", "")),
            )
        )
    return out
