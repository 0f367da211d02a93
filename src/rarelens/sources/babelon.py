"""Reader for HPO translations in Babelon TSV (hp-zh.babelon.tsv)."""

from __future__ import annotations

from pathlib import Path

from rarelens.sources.tabular import read_tsv


def load_babelon_labels(path: Path, *, predicate: str = "rdfs:label") -> dict[str, str]:
    """Translated labels by HPO id; every official or candidate row is kept, the first wins."""
    out: dict[str, str] = {}
    for _, r in read_tsv(
        path, required=("subject_id", "predicate_id", "translation_value"), comment=""
    ):
        if r["predicate_id"] == predicate and r["translation_value"]:
            out.setdefault(r["subject_id"], r["translation_value"].strip())
    return out


def load_babelon_synonyms(path: Path) -> dict[str, list[str]]:
    """Translated synonyms (``oboInOwl:has*Synonym`` rows), for Chinese term search."""
    out: dict[str, list[str]] = {}
    for _, r in read_tsv(path, required=("subject_id", "predicate_id", "translation_value"), comment=""):
        if "Synonym" in r["predicate_id"] and r["translation_value"]:
            out.setdefault(r["subject_id"], []).append(r["translation_value"].strip())
    return out
