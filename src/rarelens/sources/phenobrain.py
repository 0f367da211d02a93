"""Readers for PhenoBrain's Chinese disease names and its CCRD (catalog) mappings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rarelens.kb.records import DiseaseNameZh
from rarelens.sources.errors import SourceFormatError


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None


def load_chinese_names(path: Path, *, source: str) -> list[DiseaseNameZh]:
    """``{"OMIM:604213": {"CNS_NAME": …, "ENG_NAME": …}}`` → one row per disease."""
    data = _json(path)
    if not isinstance(data, dict):
        raise SourceFormatError(path, None, "expected a JSON object keyed by disease id")
    out = []
    for did, v in data.items():
        if isinstance(v, dict) and v.get("CNS_NAME"):
            out.append(DiseaseNameZh(did, str(v["CNS_NAME"]).strip(), str(v.get("ENG_NAME", "")), source))
    return out


def load_ccrd_links(path: Path) -> dict[str, list[tuple[str, str]]]:
    """``{"CCRD:1": [["ORPHA:90794", "E"], …]}``."""
    data = _json(path)
    if not isinstance(data, dict):
        raise SourceFormatError(path, None, "expected a JSON object keyed by CCRD code")
    return {k: [(str(a), str(b)) for a, b in v] for k, v in data.items()}
