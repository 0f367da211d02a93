"""Reader for China's National Rare Disease Catalog (2018 list of 121 + 2023 list of 86).

Each link keeps how it was made: PhenoBrain's curated CCRD mappings carry their relation
(E, BTNT, NTBT); an automatic name match against Orphanet labels is "E" but unreviewed; the
hand-picked suggestions are "candidate" and unreviewed. Clinical use needs review of the last
two, so the flag travels with the link.
"""

from __future__ import annotations

import re
from pathlib import Path

from rarelens.kb.records import CatalogEntry, CatalogLink
from rarelens.sources.errors import SourceFormatError
from rarelens.sources.tabular import read_tsv

_ARROW = re.compile(r"((?:ORPHA|OMIM):\d+)\[(\w+)\]")
_NAME_MATCH = re.compile(r"(ORPHA:\d+)\[(label|synonym):[^\]]*\]")
_SUGGEST = re.compile(r"ORPHA:\d+")


def load_catalog(path: Path) -> list[CatalogEntry]:
    out = []
    for lineno, r in read_tsv(path, required=("list", "no", "name_zh", "name_en"), comment=""):
        try:
            list_no, number = int(r["list"]), int(r["no"])
        except ValueError:
            raise SourceFormatError(path, lineno, "list and no must be integers") from None
        links: list[CatalogLink] = []
        for col in ("phenobrain_ccrd_to_orpha", "phenobrain_ccrd_to_omim"):
            for did, rel in _ARROW.findall(r.get(col, "")):
                links.append(CatalogLink(did, rel, "phenobrain-ccrd", True))
        for did, how in _NAME_MATCH.findall(r.get("orpha_name_match", "")):
            links.append(CatalogLink(did, "E", f"orphanet-{how}-match", False))
        if not links:
            for did in _SUGGEST.findall(r.get("orpha_manual_suggestion_unreviewed", "")):
                links.append(CatalogLink(did, "candidate", "curated-suggestion", False))
        seen: set[tuple[str, str]] = set()
        unique = []
        for link in links:
            if (link.disease_id, link.method) not in seen:
                seen.add((link.disease_id, link.method))
                unique.append(link)
        out.append(
            CatalogEntry(
                list_no=list_no,
                number=number,
                name_zh=r["name_zh"].strip(),
                name_en=r["name_en"].strip(),
                ccrd=r.get("phenobrain_ccrd", ""),
                links=tuple(unique),
                line=lineno,
            )
        )
    return out
