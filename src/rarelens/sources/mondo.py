"""Reader for Mondo's SSSOM mapping sets (``mondo_exactmatch_*.sssom.tsv``)."""

from __future__ import annotations

from pathlib import Path

from rarelens.kb.records import Mapping
from rarelens.sources.tabular import open_text, read_tsv

_COLUMNS = ("subject_id", "predicate_id", "object_id")


def read_sssom_version(path: Path) -> str:
    """The ``mapping_set_version`` from the YAML header, e.g. the release date in its URL."""
    with open_text(path) as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            if line.startswith("# mapping_set_version:"):
                url = line.split(":", 1)[1].strip()
                parts = [p for p in url.split("/") if p]
                return parts[-3] if "releases" in parts else url
    return "unknown"


def load_sssom(path: Path) -> list[Mapping]:
    name = path.name
    out = []
    for _, r in read_tsv(path, required=_COLUMNS):
        obj = r["object_id"].replace("Orphanet:", "ORPHA:")
        out.append(
            Mapping(
                subject_id=r["subject_id"],
                subject_label=r.get("subject_label", ""),
                predicate=r["predicate_id"],
                object_id=obj,
                object_label=r.get("object_label", ""),
                justification=r.get("mapping_justification", ""),
                mapping_set=name,
            )
        )
    return out
