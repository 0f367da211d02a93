"""Read the consultation tables: the copy shipped in the package, or a folder a curator is editing.

Reading lives here so that ``rarelens.consult.tables`` stays a pure parser of text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rarelens.consult.tables import (
    EXAMINATIONS_FILE,
    RED_FLAGS_FILE,
    SPECIALTIES_FILE,
    ConsultTableError,
    ConsultTables,
    parse_consult_tables,
)
from rarelens.ontology import Ontology

PACKAGE_SOURCE = "rarelens/consult/data"


def _read_folder(directory: Path) -> dict[str, str]:
    texts = {}
    for name in (EXAMINATIONS_FILE, SPECIALTIES_FILE, RED_FLAGS_FILE):
        path = directory / name
        if not path.is_file():
            raise ConsultTableError(
                f"{path}: file not found. Fix: put {EXAMINATIONS_FILE}, {SPECIALTIES_FILE} and "
                f"{RED_FLAGS_FILE} in {directory}, or leave the folder out to use the packaged tables"
            )
        texts[name] = path.read_text(encoding="utf-8")
    return texts


def _read_package() -> dict[str, str]:
    data = resources.files("rarelens.consult").joinpath("data")
    return {
        name: data.joinpath(name).read_text(encoding="utf-8")
        for name in (EXAMINATIONS_FILE, SPECIALTIES_FILE, RED_FLAGS_FILE)
    }


def load_consult_tables(ontology: Ontology, directory: Path | None = None) -> ConsultTables:
    """The tables from ``directory``, or from the package when it is None, checked against ``ontology``."""
    texts = _read_package() if directory is None else _read_folder(directory)
    return parse_consult_tables(
        examinations=texts[EXAMINATIONS_FILE],
        specialties=texts[SPECIALTIES_FILE],
        red_flags=texts[RED_FLAGS_FILE],
        ontology=ontology,
        source=PACKAGE_SOURCE if directory is None else str(directory),
    )
