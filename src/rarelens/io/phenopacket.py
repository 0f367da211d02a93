"""GA4GH Phenopacket v2 (JSON) → `Patient`.

Problems are collected as `Issue`s naming the file and the JSON path, so a user fixing a file
sees every bad term at once; alt and obsolete ids are mapped with a warning, unknown ids are
errors, and a file with no usable observed term cannot be ranked.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rarelens.model.issue import Issue, IssueLevel, ValidationError
from rarelens.model.patient import Patient
from rarelens.ontology import Ontology
from rarelens.phenotype.demographics import onset_years_of_term

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?$")


def select_case_files(
    directory: Path, *, fold: int | None = None, limit: int | None = None,
    cohort: Callable[[Path], str] = lambda f: f.parent.name, folds: int = 2,
) -> list[Path]:
    """The phenopackets under ``directory`` (recursively, sorted) that the benchmarks read:
    with ``fold``, only cohorts whose crc32 is FOLD mod ``folds`` (the cross-validation halves
    by default; with 4, folds 0 and 2 split half 0 again, for tuning inside it);
    with ``limit``, an evenly spaced subset, so a sample covers every cohort."""
    files = sorted(directory.rglob("*.json"))
    if fold is not None:
        files = [f for f in files if zlib.crc32(cohort(f).encode()) % folds == fold]
    if limit and len(files) > limit:
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


@dataclass(frozen=True, slots=True)
class PhenopacketCase:
    patient: Patient
    diseases: tuple[str, ...]  # diseases[].term.id as written
    path: str
    variants: tuple[CaseVariant, ...] = ()  # interpretations' variants with VCF records
    genes: tuple[str, ...] = ()  # interpretations' gene symbols


@dataclass(frozen=True, slots=True)
class CaseVariant:
    """A variant named by the case's interpretation, with its VCF record when it has one."""

    gene: str
    assembly: str  # as written: hg38, GRCh38, hg19 …
    chrom: str
    pos: int
    ref: str
    alt: str
    zygosity: str  # heterozygous | homozygous | hemizygous | unknown


_ZYGOSITY = {"GENO:0000135": "heterozygous", "GENO:0000136": "homozygous", "GENO:0000134": "hemizygous"}


def read_case_variants(data: dict[str, Any]) -> tuple[tuple[CaseVariant, ...], tuple[str, ...]]:
    """Variants (with vcfRecord) and gene symbols from interpretations[].diagnosis."""
    variants: list[CaseVariant] = []
    genes: dict[str, None] = {}
    for interp in data.get("interpretations", []) or []:
        for gi in _get(interp, "diagnosis", "genomicInterpretations") or []:
            vd = _get(gi, "variantInterpretation", "variationDescriptor")
            symbol = _get(vd, "geneContext", "symbol") or _get(gi, "gene", "symbol")
            if isinstance(symbol, str):
                genes[symbol] = None
            rec = _get(vd, "vcfRecord")
            if not isinstance(rec, dict):
                continue
            try:
                pos = int(rec.get("pos", ""))
            except (TypeError, ValueError):
                continue
            zyg_id = _get(vd, "allelicState", "id")
            zyg = _ZYGOSITY.get(zyg_id, "unknown") if isinstance(zyg_id, str) else "unknown"
            variants.append(CaseVariant(
                gene=symbol if isinstance(symbol, str) else "",
                assembly=str(rec.get("genomeAssembly", "")), chrom=str(rec.get("chrom", "")), pos=pos,
                ref=str(rec.get("ref", "")), alt=str(rec.get("alt", "")), zygosity=zyg,
            ))
    return tuple(variants), tuple(genes)


def parse_iso_duration(text: str) -> float | None:
    """``P3Y6M`` → 3.5 (years); None when unreadable."""
    m = _DURATION.match(text.strip())
    if not m or not any(m.groups()):
        return None
    y, mo, w, d = (float(g) if g else 0.0 for g in m.groups())
    return y + mo / 12 + w / 52.18 + d / 365.25


def build_patient(
    ontology: Ontology,
    observed: Sequence[str],
    excluded: Sequence[str] = (),
    *,
    sex: str | None = None,
    age_years: float | None = None,
    onset_years: float | None = None,
    case_id: str = "",
    location: str = "",
    lenient: bool = False,
) -> Patient:
    """Validate ids; raises `ValidationError` listing every error (warnings are kept).

    ``lenient`` (used by benchmarks over files written against newer HPO releases) drops
    unknown ids with a warning instead of failing, as long as an observed term remains.
    """
    issues: list[Issue] = []
    obs: list[int] = []
    exc: list[int] = []
    for bucket, ids in ((obs, observed), (exc, excluded)):
        for text in ids:
            res = ontology.resolve(text)
            if res.issue is not None:
                level = res.issue.level
                message = res.issue.message
                if lenient and level is IssueLevel.ERROR:
                    level, message = IssueLevel.WARNING, f"{message}; dropped"
                issues.append(Issue(level, res.issue.code, message, res.issue.fix, location))
            if res.index is not None and res.index not in bucket:
                bucket.append(res.index)
    contradictory = set(obs) & set(exc)
    for t in sorted(contradictory):
        issues.append(Issue(IssueLevel.WARNING, "observed-and-excluded",
                            f"{ontology.ids[t]} is both observed and excluded; treated as observed",
                            "remove it from one list", location))
    exc = [t for t in exc if t not in contradictory]
    if not obs and not any(i.level is IssueLevel.ERROR for i in issues):
        issues.append(Issue(IssueLevel.ERROR, "no-observed-terms", "no observed phenotype terms to rank with",
                            "give at least one observed HPO term", location))
    if any(i.level is IssueLevel.ERROR for i in issues):
        raise ValidationError(issues)
    return Patient(tuple(obs), tuple(exc), sex, age_years, onset_years, case_id, tuple(issues))


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def load_phenopacket(path: Path, ontology: Ontology, *, lenient: bool = False) -> PhenopacketCase:
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError([Issue(IssueLevel.ERROR, "bad-json", f"invalid JSON at line {exc.lineno}: {exc.msg}",
                                     "check the file is a phenopacket exported as JSON", where)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError([Issue(IssueLevel.ERROR, "unreadable", str(exc), "", where)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("phenotypicFeatures", []), list):
        raise ValidationError([Issue(IssueLevel.ERROR, "not-a-phenopacket",
                                     "top level is not a phenopacket object with phenotypicFeatures",
                                     "give a GA4GH Phenopacket v2 JSON file", where)])
    observed, excluded = [], []
    for i, feature in enumerate(data.get("phenotypicFeatures", [])):
        tid = _get(feature, "type", "id")
        if not isinstance(tid, str):
            raise ValidationError([Issue(IssueLevel.ERROR, "feature-without-id",
                                         f"phenotypicFeatures[{i}] has no type.id", "add the HPO id", where)])
        (excluded if feature.get("excluded") else observed).append(tid)
    sex = _get(data, "subject", "sex")
    age = _get(data, "subject", "timeAtLastEncounter", "age", "iso8601duration")
    onsets = [
        _get(f, "onset", "age", "iso8601duration") for f in data.get("phenotypicFeatures", []) if not f.get("excluded")
    ]
    onset_years = [y for y in (parse_iso_duration(o) for o in onsets if isinstance(o, str)) if y is not None]
    if not onset_years:
        # The disease's onset: an age, or an onset term (phenopacket-store writes both).
        for d in data.get("diseases", []):
            iso = _get(d, "onset", "age", "iso8601duration")
            term = _get(d, "onset", "ontologyClass", "id")
            y = parse_iso_duration(iso) if isinstance(iso, str) else (
                onset_years_of_term(term) if isinstance(term, str) else None)
            if y is None and isinstance(_get(d, "onset", "gestationalAge"), dict):
                y = -0.3
            if y is not None:
                onset_years.append(y)
    diseases = tuple(
        str(_get(d, "term", "id")) for d in data.get("diseases", []) if isinstance(_get(d, "term", "id"), str)
    )
    patient = build_patient(
        ontology, observed, excluded,
        sex=sex if sex in ("MALE", "FEMALE") else None,
        age_years=parse_iso_duration(age) if isinstance(age, str) else None,
        onset_years=min(onset_years) if onset_years else None,
        case_id=str(data.get("id", path.stem)),
        location=where,
        lenient=lenient,
    )
    variants, genes = read_case_variants(data)
    return PhenopacketCase(patient, diseases, where, variants, genes)
