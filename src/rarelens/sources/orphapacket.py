"""Reader for Orphanet ORPHApackets (JSON), from a release tarball or a folder of files.

The packets are generated and their shapes vary (a key may hold a dict, a list of dicts, a list
of wrappers or the string "no data"); `_items` flattens all of them so no fact is lost to a
shape we did not expect.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rarelens.kb.records import (
    OrphaDisorder,
    OrphaGene,
    OrphaPhenotype,
    OrphaXref,
    Prevalence,
)
from rarelens.sources.errors import SourceFormatError


def _items(value: Any, key: str) -> Iterator[dict[str, Any]]:
    """Yield the dicts found under ``key`` whatever the nesting: dict, list, wrapper or text."""
    if isinstance(value, list):
        for v in value:
            yield from _items(v, key)
    elif isinstance(value, dict):
        if key in value:
            yield from _items(value[key], key)
        else:
            yield value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) and value != "no data" else ""


def _relation(text: str) -> str:
    # "E (Exact mapping: …)" -> "E"
    return text.split(" ", 1)[0].strip() if text else ""


def _synonyms(value: Any) -> tuple[str, ...]:
    """Synonyms are ``[{"Synonym": "MFS"}]`` (a wrapper around text, not around a dict)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for it in items:
        text = _text(it.get("Synonym")) if isinstance(it, dict) else _text(it)
        if text:
            out.append(text)
    return tuple(out)


def _genes(value: Any) -> tuple[OrphaGene, ...]:
    out = []
    for g in _items(value, "Gene"):
        refs = {r.get("Source", ""): str(r.get("Reference", "")) for r in _items(g.get("ExternalReferences"), "ExternalReference")}
        out.append(
            OrphaGene(
                symbol=_text(g.get("Symbol")),
                name=_text(g.get("Name") or g.get("Label")),
                hgnc_id=f"HGNC:{refs['HGNC']}" if refs.get("HGNC") else "",
                omim_id=f"OMIM:{refs['OMIM']}" if refs.get("OMIM") else "",
                association_type=_text(g.get("DisorderGeneAssociationType")),
            )
        )
    return tuple(out)


def parse_orphapacket(data: dict[str, Any], origin: str) -> OrphaDisorder:
    try:
        p = data["Orphapacket"]
        code = str(p["ORPHAcode"])
    except (KeyError, TypeError):
        raise SourceFormatError(origin, None, "not an ORPHApacket (no Orphapacket.ORPHAcode)") from None
    definition = ""
    for t in _items(p.get("TextSection"), "TextSection"):
        if t.get("TextSectionType") == "Definition":
            definition = _text(t.get("Contents"))
    xrefs = tuple(
        OrphaXref(
            target=f"{r.get('Source', '')}:{r.get('Reference', '')}",
            relation=_relation(_text(r.get("DisorderMappingRelation"))),
        )
        for r in _items(p.get("ExternalReferences"), "ExternalReference")
        if r.get("Source") and r.get("Reference")
    )
    parents = tuple(
        f"ORPHA:{x['ORPHAcode']}" for x in _items(p.get("Parents"), "Parent") if x.get("ORPHAcode")
    )
    children = tuple(
        f"ORPHA:{x['ORPHAcode']}" for x in _items(p.get("Children"), "Child") if x.get("ORPHAcode")
    )
    phenotypes = tuple(
        OrphaPhenotype(
            hpo_id=_text(x.get("HPOId")),
            label=_text(x.get("HPOTerm")),
            frequency=_text(x.get("HPOFrequency")),
            diagnostic_criteria=_text(x.get("DiagnosticCriteria")),
        )
        for x in _items(p.get("Phenotypes"), "Phenotype")
        if x.get("HPOId")
    )
    prevalences = tuple(
        Prevalence(
            type=_text(x.get("PrevalenceType")),
            klass=_text(x.get("PrevalenceClass")),
            mean=_text(x.get("ValMoy")),
            geographic=_text(x.get("PrevalenceGeographic")),
            qualification=_text(x.get("PrevalenceQualification")),
            source=_text(x.get("Source")),
        )
        for x in _items(p.get("Prevalences"), "Prevalence")
    )
    return OrphaDisorder(
        orpha_id=f"ORPHA:{code}",
        label=_text(p.get("Label")),
        disorder_type=_text((p.get("DisorderType") or {}).get("value")),
        definition=definition,
        synonyms=_synonyms(p.get("Synonyms")),
        xrefs=xrefs,
        parents=parents,
        children=children,
        genes=_genes(p.get("Genes")),
        phenotypes=phenotypes,
        prevalences=prevalences,
        onsets=tuple(_text(x.get("value")) for x in _items(p.get("AverageAgeOfOnsets"), "AverageAgeOfOnset") if _text(x.get("value"))),
        inheritance=tuple(_text(x.get("value")) for x in _items(p.get("TypeOfInheritances"), "TypeOfInheritance") if _text(x.get("value"))),
        version=f"{_text(p.get('creationDate'))[:10]} ({_text(p.get('version'))})",
    )


def load_orphapackets(path: Path) -> list[OrphaDisorder]:
    """All packets from a ``.tar.gz`` release or a folder of ``ORPHApacket_*.json`` files."""
    out: list[OrphaDisorder] = []
    if path.is_dir():
        files = sorted(path.rglob("ORPHApacket_*.json"))
        if not files:
            raise SourceFormatError(path, None, "folder holds no ORPHApacket_*.json files")
        for f in files:
            out.append(parse_orphapacket(_load_json(f.read_bytes(), str(f)), str(f)))
        return out
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                name = member.name.rsplit("/", 1)[-1]
                if not (member.isfile() and name.startswith("ORPHApacket_") and name.endswith(".json")):
                    continue
                fh = tar.extractfile(member)
                if fh is None:
                    continue
                origin = f"{path}!{member.name}"
                out.append(parse_orphapacket(_load_json(fh.read(), origin), origin))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise SourceFormatError(path, None, f"cannot read the ORPHApackets archive ({exc})") from None
    if not out:
        raise SourceFormatError(path, None, "archive holds no ORPHApacket_*.json files")
    out.sort(key=lambda d: int(d.orpha_id.split(":")[1]))
    return out


def _load_json(raw: bytes, origin: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(origin, exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise SourceFormatError(origin, None, "top level is not a JSON object")
    return data
