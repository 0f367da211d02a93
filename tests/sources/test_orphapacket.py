"""ORPHApacket reader: a folder of packets and the release tarball give the same disorders."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from rarelens.kb.records import OrphaDisorder, OrphaGene, OrphaPhenotype, OrphaXref
from rarelens.sources.errors import SourceFormatError
from rarelens.sources.orphapacket import load_orphapackets, parse_orphapacket


@pytest.fixture(scope="module")
def packets_dir(fixture_data_dir: Path) -> Path:
    return fixture_data_dir / "orphanet" / "json"


@pytest.fixture(scope="module")
def disorders(packets_dir: Path) -> dict[str, OrphaDisorder]:
    return {d.orpha_id: d for d in load_orphapackets(packets_dir)}


def test_folder_holds_four_disorders(disorders: dict[str, OrphaDisorder]) -> None:
    assert set(disorders) == {"ORPHA:558", "ORPHA:284963", "ORPHA:2056", "ORPHA:60030"}


def test_marfan_label_type_definition_synonyms(disorders: dict[str, OrphaDisorder]) -> None:
    d = disorders["ORPHA:558"]
    assert d.label == "Marfan syndrome"
    assert d.disorder_type == "Disease"
    assert d.definition.startswith("Marfan syndrome is a systemic disease of connective tissue")
    assert "1.3.42 / 4.1.8 [2025-03-03]" in d.version




def test_synonyms_are_read(disorders: dict[str, OrphaDisorder]) -> None:
    assert disorders["ORPHA:558"].synonyms == ("MFS",)
    assert disorders["ORPHA:2056"].synonyms == ("Fructokinase deficiency", "Ketohexokinase deficiency")


def test_xref_relation_is_the_code_before_the_explanation(disorders: dict[str, OrphaDisorder]) -> None:
    # "BTNT (ORPHAcode is broader than the targeted code used to represent it)" -> "BTNT"
    assert disorders["ORPHA:558"].xrefs == (
        OrphaXref("OMIM:610168", "NTBT"),
        OrphaXref("OMIM:154700", "BTNT"),
    )
    # the subtype's ExternalReferences are not wrapped in {"ExternalReference": ...}
    assert disorders["ORPHA:284963"].xrefs == (OrphaXref("OMIM:154700", "E"),)
    assert {x.relation for x in disorders["ORPHA:60030"].xrefs} == {"BTNT"}


def test_parents_and_children(disorders: dict[str, OrphaDisorder]) -> None:
    assert disorders["ORPHA:558"].parents == ("ORPHA:519292", "ORPHA:284993")
    assert disorders["ORPHA:558"].children == ("ORPHA:284963",)
    assert disorders["ORPHA:284963"].parents == ("ORPHA:558",)


def test_genes_carry_hgnc_and_omim_ids(disorders: dict[str, OrphaDisorder]) -> None:
    assert disorders["ORPHA:284963"].genes == (
        OrphaGene(
            symbol="FBN1",
            name="fibrillin 1",
            hgnc_id="HGNC:3603",
            omim_id="OMIM:134797",
            association_type="Disease-causing germline mutation(s) in",
        ),
    )
    assert [(g.symbol, g.hgnc_id) for g in disorders["ORPHA:60030"].genes] == [
        ("TGFB2", "HGNC:11768"),
        ("TGFBR1", "HGNC:11772"),
    ]
    # Marfan syndrome's genes sit under its Children in the packet, not on the disorder itself
    assert disorders["ORPHA:558"].genes == ()


def test_phenotypes_with_frequency_class(disorders: dict[str, OrphaDisorder]) -> None:
    ph = disorders["ORPHA:558"].phenotypes
    assert OrphaPhenotype("HP:0001166", "Arachnodactyly", "Very frequent (99-80%)") in ph
    assert OrphaPhenotype("HP:0001083", "Ectopia lentis", "Frequent (79-30%)") in ph
    assert len(ph) == 5
    excluded = [p for p in disorders["ORPHA:2056"].phenotypes if p.frequency == "Excluded (0%)"]
    assert [p.hpo_id for p in excluded] == ["HP:0003074"]


def test_prevalence_onset_inheritance(disorders: dict[str, OrphaDisorder]) -> None:
    d = disorders["ORPHA:558"]
    assert len(d.prevalences) == 2
    first = d.prevalences[0]
    assert first.type == "Annual incidence"
    assert first.klass == "1-5 / 10 000"
    assert first.mean == ""  # "no data" in the packet
    assert first.geographic == "Europe"
    assert first.qualification == "Value and class"
    assert first.source == "16325700[PMID]_ORPHANET"
    assert d.onsets == ("All ages",)
    assert d.inheritance == ("Autosomal dominant",)
    # the dict-shaped Prevalences of another packet
    (p,) = disorders["ORPHA:2056"].prevalences
    assert (p.type, p.klass, p.mean) == ("Point prevalence", "Unknown", "0.0")
    assert disorders["ORPHA:60030"].inheritance == ("Autosomal dominant", "Autosomal recessive")


def _make_tarball(path: Path, packets: Path, *, extra: dict[str, bytes] | None = None) -> Path:
    """A release-shaped archive: README.md plus json/ORPHApacket_<n>.json under one top folder."""
    with tarfile.open(path, "w:gz") as tar:
        members = {"orphapacket-master/README.md": b"# Orphanet ORPHApackets\n"}
        for f in sorted(packets.glob("ORPHApacket_*.json")):
            members[f"orphapacket-master/json/{f.name}"] = f.read_bytes()
        members.update(extra or {})
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_tarball_gives_the_same_disorders(
    tmp_path: Path, packets_dir: Path, disorders: dict[str, OrphaDisorder]
) -> None:
    archive = _make_tarball(tmp_path / "orphapacket-master.tar.gz", packets_dir)
    from_tar = load_orphapackets(archive)
    assert [d.orpha_id for d in from_tar] == ["ORPHA:558", "ORPHA:2056", "ORPHA:60030", "ORPHA:284963"]
    assert {d.orpha_id: d for d in from_tar} == disorders


def test_invalid_json_in_folder_names_the_file(tmp_path: Path, packets_dir: Path) -> None:
    folder = tmp_path / "json"
    folder.mkdir()
    good = (packets_dir / "ORPHApacket_558.json").read_text(encoding="utf-8")
    bad = folder / "ORPHApacket_558.json"
    bad.write_text(good[: len(good) // 2], encoding="utf-8")  # a cut-off download
    with pytest.raises(SourceFormatError) as info:
        load_orphapackets(folder)
    assert str(bad) in str(info.value)
    assert "invalid JSON" in str(info.value)
    assert info.value.line is not None
    assert info.value.line > 1


def test_invalid_json_in_tarball_names_archive_and_member(tmp_path: Path, packets_dir: Path) -> None:
    archive = _make_tarball(
        tmp_path / "orphapacket.tar.gz",
        packets_dir,
        extra={"orphapacket-master/json/ORPHApacket_999.json": b'{"Orphapacket": {"ORPHAcode": '},
    )
    with pytest.raises(SourceFormatError) as info:
        load_orphapackets(archive)
    assert f"{archive}!orphapacket-master/json/ORPHApacket_999.json" in str(info.value)


def test_corrupt_archive(tmp_path: Path, packets_dir: Path) -> None:
    archive = _make_tarball(tmp_path / "orphapacket.tar.gz", packets_dir)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])  # truncated download
    with pytest.raises(SourceFormatError) as info:
        load_orphapackets(archive)
    assert str(archive) in str(info.value)
    assert "cannot read the ORPHApackets archive" in str(info.value)


def test_folder_without_packets(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="no ORPHApacket_"):
        load_orphapackets(tmp_path)


def test_json_that_is_not_a_packet(tmp_path: Path) -> None:
    f = tmp_path / "ORPHApacket_1.json"
    f.write_text(json.dumps({"Disorder": {"OrphaCode": 1}}), encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        load_orphapackets(tmp_path)
    assert str(f) in str(info.value)
    assert "not an ORPHApacket" in str(info.value)


def test_no_data_and_missing_keys_give_empty_fields() -> None:
    d = parse_orphapacket(
        {"Orphapacket": {"ORPHAcode": "99", "Label": "x", "Synonyms": "no data", "Genes": "no data"}},
        "inline",
    )
    assert d.orpha_id == "ORPHA:99"
    assert d.synonyms == ()
    assert d.genes == ()
    assert d.phenotypes == ()
    assert d.xrefs == ()
