"""Where things live, resolved inside entry points (never at import)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

KB_FILENAME = "rarelens-kb.sqlite"


def home_dir() -> Path:
    """``RARELENS_HOME`` or the user data folder: holds built knowledge bases and fetched data."""
    env = os.environ.get("RARELENS_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir("rarelens", appauthor=False))


def resolve_kb_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get("RARELENS_KB")
    return Path(env) if env else home_dir() / "kb" / KB_FILENAME
