"""Readers for orphan-drug designations: FDA OOPD export and EMA's designation list."""

from __future__ import annotations

from pathlib import Path

from rarelens.kb.records import OrphanDesignation
from rarelens.sources.tabular import read_tsv


def load_fda_designations(path: Path) -> list[OrphanDesignation]:
    out = []
    for lineno, r in read_tsv(path, required=("Generic Name", "Orphan Designation"), comment=""):
        out.append(
            OrphanDesignation(
                agency="FDA",
                substance=r["Generic Name"].strip(),
                trade_name=r.get("Trade Name", "").strip(),
                designation=r["Orphan Designation"].strip(),
                status=r.get("Orphan Designation Status", "").strip(),
                date=r.get("Date Designated", "").strip(),
                approved_indication=r.get("Approved Labeled Indication", "").strip(),
                reference=f"FDA OOPD CF Grid Key {r.get('CF Grid Key', '').strip()}",
                line=lineno,
            )
        )
    return out


def load_ema_designations(path: Path) -> list[OrphanDesignation]:
    out = []
    for lineno, r in read_tsv(path, required=("Active substance", "Intended use"), comment=""):
        out.append(
            OrphanDesignation(
                agency="EMA",
                substance=r["Active substance"].strip(),
                trade_name=r.get("Medicine name", "").strip(),
                designation=r["Intended use"].strip(),
                status=r.get("Status", "").strip(),
                date=r.get("Date of designation / refusal", "").strip(),
                approved_indication="",
                reference=(r.get("EU designation number", "") + " " + r.get("Orphan designation URL", "")).strip(),
                line=lineno,
            )
        )
    return out
