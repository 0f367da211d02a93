"""Shared fixtures: the hand-made data folder, a knowledge base built from it, and its file.

The data folder ``tests/fixtures/data`` is laid out like a real ``RARELENS_DATA`` folder (see
``tests/fixtures/README.md``), so every test goes through the same locate → parse → build →
write path as a real build, only on a few dozen rows instead of a few hundred thousand.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fake_openai import FakeChatServer
from rarelens.kb.build import SourceBundle, build_knowledge_base
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.sources.bundle import load_source_bundle
from rarelens.store import write_knowledge_base

FIXTURE_DATA = Path(__file__).resolve().parent / "fixtures" / "data"
SOFTWARE_VERSION = "0.0.0+tests"


@pytest.fixture(scope="session")
def fixture_data_dir() -> Path:
    """The hand-made data folder (read only: copy it with `data_copy` before changing it)."""
    return FIXTURE_DATA


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the fixture data folder that a test may corrupt."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


@pytest.fixture(scope="session")
def bundle(fixture_data_dir: Path) -> SourceBundle:
    return load_source_bundle(fixture_data_dir)


@pytest.fixture(scope="session")
def kb(bundle: SourceBundle) -> KnowledgeBase:
    return build_knowledge_base(bundle, software_version=SOFTWARE_VERSION)


@pytest.fixture(scope="session")
def kb_file(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "rarelens-kb.sqlite"
    write_knowledge_base(kb, path)
    return path


def _hpoa_line(disease: str, hpo: str, path: Path = FIXTURE_DATA / "hpo" / "phenotype.hpoa") -> int:
    """1-based line number of the (first) phenotype.hpoa row for ``disease`` and ``hpo``."""
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        cells = line.split("\t")
        if len(cells) > 3 and cells[0] == disease and cells[3] == hpo:
            return lineno
    raise AssertionError(f"fixture phenotype.hpoa has no row {disease} {hpo}")


@pytest.fixture(scope="session")
def hpoa_line() -> Callable[..., int]:
    """Look up where a row sits in the fixture phenotype.hpoa, independently of the parser."""
    return _hpoa_line


def hpoa_data_rows(path: Path = FIXTURE_DATA / "hpo" / "phenotype.hpoa") -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.split("\t") for ln in lines if ln and not ln.startswith(("#", "database_id"))]


@pytest.fixture(scope="session")
def hpoa_rows() -> list[list[str]]:
    """The fixture's phenotype.hpoa data rows, split by plain str.split (not by the parser)."""
    return hpoa_data_rows()



@pytest.fixture
def fake_chat() -> Iterator[FakeChatServer]:
    """A fake OpenAI-compatible chat server on loopback (see tests/fake_openai.py)."""
    server = FakeChatServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def shared_text_dir() -> Path:
    """``$RARELENS_DATA/text`` (the real concept-recognition corpora); the test is skipped
    when the shared reference data is not there."""
    env = os.environ.get("RARELENS_DATA")
    if not env or not (Path(env) / "text" / "GSCplus").is_dir():
        pytest.skip("RARELENS_DATA is not set to the shared reference data (text/GSCplus)")
    return Path(env) / "text"
