"""Read every located source into a `SourceBundle`, with checksums and releases."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from rarelens.kb.build import SourceBundle
from rarelens.kb.records import SourceInfo
from rarelens.sources.babelon import load_babelon_labels
from rarelens.sources.catalog import load_catalog
from rarelens.sources.drugs import load_ema_designations, load_fda_designations
from rarelens.sources.errors import MissingSourceError
from rarelens.sources.hgnc import load_hgnc
from rarelens.sources.hpo_files import load_genes_to_phenotype, load_hpoa
from rarelens.sources.mondo import load_sssom, read_sssom_version
from rarelens.sources.obo import load_obo
from rarelens.sources.orphapacket import load_orphapackets
from rarelens.sources.phenobrain import load_chinese_names
from rarelens.sources.registry import LocatedSource, locate_sources

Notice = Callable[[str], None]


def sha256_path(path: Path) -> str:
    """sha256 of a file, or of a folder's files in sorted order (for an unpacked release)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def load_source_bundle(
    data_dir: Path, *, notice: Notice | None = None, progress: Notice | None = None
) -> SourceBundle:
    tell = notice or (lambda _m: None)
    step = progress or (lambda _m: None)
    located = {s.spec.key: s for s in locate_sources(data_dir)}
    missing = [f"{s.spec.key} ({' or '.join(s.spec.paths)})" for s in located.values() if s.spec.required and s.path is None]
    if missing:
        raise MissingSourceError(missing, str(data_dir))
    for s in located.values():
        if s.path is None:
            tell(f"optional source {s.spec.key} ({s.spec.description}) not found in {data_dir}; "
                 "its tables will be empty. Run `rarelens kb fetch` to add it.")

    sources: list[SourceInfo] = []

    def add(s: LocatedSource, release: str) -> None:
        assert s.path is not None
        sources.append(SourceInfo(key=s.spec.key, path=str(s.path), release=release,
                                  sha256=sha256_path(s.path), license=s.spec.license))

    def get(key: str) -> Path | None:
        return located[key].path

    step("reading hp.obo")
    obo_path = get("hpo.ontology")
    assert obo_path is not None
    obo = load_obo(obo_path)
    add(located["hpo.ontology"], obo.release)
    step("reading phenotype.hpoa")
    hpoa_path = get("hpo.annotations")
    assert hpoa_path is not None
    hpoa = load_hpoa(hpoa_path)
    add(located["hpo.annotations"], hpoa.release)
    hpo_genes = []
    if (p := get("hpo.genes")) is not None:
        step("reading genes_to_phenotype.txt")
        hpo_genes = load_genes_to_phenotype(p)
        add(located["hpo.genes"], hpoa.release)
    labels_zh: dict[str, str] = {}
    if (p := get("hpo.zh")) is not None:
        labels_zh = load_babelon_labels(p)
        add(located["hpo.zh"], "hpo-translations")
    orphanet = []
    if (p := get("orphanet.orphapackets")) is not None:
        step("reading ORPHApackets")
        orphanet = load_orphapackets(p)
        release = orphanet[0].version if orphanet else "unknown"
        add(located["orphanet.orphapackets"], release)
    mondo = []
    for key in ("mondo.omim", "mondo.orphanet"):
        if (p := get(key)) is not None:
            mondo.extend(load_sssom(p))
            add(located[key], read_sssom_version(p))
    hgnc = []
    if (p := get("hgnc")) is not None:
        hgnc = load_hgnc(p)
        add(located["hgnc"], "hgnc_complete_set")
    names_zh = []
    for key in ("phenobrain.names_omim", "phenobrain.names_orpha"):
        if (p := get(key)) is not None:
            names_zh.extend(load_chinese_names(p, source=key))
            add(located[key], "PhenoBrain f3a2c25")
    catalog = []
    if (p := get("catalog.china")) is not None:
        catalog = load_catalog(p)
        add(located["catalog.china"], "2018+2023 lists")
    designations = []
    if (p := get("drugs.fda")) is not None:
        designations.extend(load_fda_designations(p))
        add(located["drugs.fda"], "FDA OOPD export")
    if (p := get("drugs.ema")) is not None:
        designations.extend(load_ema_designations(p))
        add(located["drugs.ema"], "EMA export")
    return SourceBundle(
        sources=tuple(sources),
        hpo_release=obo.release,
        terms=obo.terms,
        hpoa=hpoa.rows,
        hpoa_release=hpoa.release,
        hpo_genes=hpo_genes,
        labels_zh=labels_zh,
        orphanet=orphanet,
        mondo=mondo,
        hgnc=hgnc,
        names_zh=names_zh,
        catalog=catalog,
        designations=designations,
    )
