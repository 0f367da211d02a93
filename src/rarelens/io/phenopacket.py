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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rarelens.io.text_files import TextFileError, parse_json, read_utf8_text
from rarelens.model.issue import Issue, IssueLevel, ValidationError
from rarelens.model.patient import Patient
from rarelens.ontology import Ontology
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY
from rarelens.phenotype.demographics import MAX_AGE_YEARS, onset_years_of_term

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
    return _build(
        ontology, [(t, "") for t in observed], [(t, "") for t in excluded], [],
        sex=sex, age_years=age_years, onset_years=onset_years, case_id=case_id, location=location,
        lenient=lenient,
    )


_Term = tuple[str, str]  # an id as written, and its JSON path in the file ("" off a file)


def _build(
    ontology: Ontology,
    observed: Sequence[_Term],
    excluded: Sequence[_Term],
    issues: list[Issue],
    *,
    sex: str | None,
    age_years: float | None,
    onset_years: float | None,
    case_id: str,
    location: str,
    lenient: bool,
) -> Patient:
    """`build_patient` for ids that carry their JSON path, so an unknown id in a file names
    the entry to edit; ``issues`` already found (a file's wrong fields) are reported with them."""
    issues = list(issues)
    obs: list[int] = []
    exc: list[int] = []
    # A term outside Phenotypic abnormality (the root, Mode of inheritance, a frequency or onset
    # term) is no finding: ranked, it matches every disease through the root.
    pa = ontology.index(PHENOTYPIC_ABNORMALITY) if PHENOTYPIC_ABNORMALITY in ontology else None
    for bucket, terms in ((obs, observed), (exc, excluded)):
        for text, path in terms:
            res = ontology.resolve(text)
            issue = res.issue
            if res.index is not None and pa is not None and not ontology.is_descendant_of(res.index, pa):
                issue = Issue(IssueLevel.ERROR, "not-a-phenotype",
                              f"{ontology.ids[res.index]} {ontology.labels[res.index]} is not a phenotypic abnormality "
                              f"(not under {PHENOTYPIC_ABNORMALITY})",
                              "give findings from the Phenotypic abnormality branch; inheritance, onset and frequency "
                              "are not findings", location)
                res = replace(res, index=None)
            if issue is not None:
                level = issue.level
                message = f"{path}: {issue.message}" if path else issue.message
                if lenient and level is IssueLevel.ERROR:
                    level, message = IssueLevel.WARNING, f"{message}; dropped"
                issues.append(Issue(level, issue.code, message, issue.fix, location))
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


# ---- reading the file: every way of not being a JSON object is an issue with a fix ----

def _unreadable(where: str, code: str, message: str, fix: str) -> ValidationError:
    return ValidationError([Issue(IssueLevel.ERROR, code, message, fix, where)])


def _read_json(path: Path) -> Any:
    """The file's JSON value, read and decoded by `rarelens.io.text_files` like every other
    input file; its problem becomes an issue naming the file."""
    try:
        return parse_json(read_utf8_text(path), path, expected="a GA4GH Phenopacket v2 JSON file")
    except TextFileError as exc:
        raise _unreadable(str(path), exc.code, exc.problem, exc.fix) from None


def read_phenopacket_json(path: Path) -> dict[str, Any]:
    """The file's top-level JSON object, or a `ValidationError` naming the file and the fix.

    Public so a caller that also needs the raw document (the phenopacket writer keeps the
    input's fields) reads and decodes the file once, the same way."""
    data = _read_json(path)
    if not isinstance(data, dict):
        raise _unreadable(str(path), "not-a-phenopacket",
                          f"the top level is {_shown(data)}, not a phenopacket object",
                          "give a GA4GH Phenopacket v2 JSON file (an object with phenotypicFeatures)")
    if "phenotypicFeatures" not in data:
        # A Family or Cohort message, or some other JSON: "no observed terms" would mislead.
        if isinstance(data.get("proband"), dict) or isinstance(data.get("members"), list):
            kind = "Family" if "proband" in data else "Cohort"
            raise _unreadable(str(path), "not-a-phenopacket", f"is a GA4GH {kind} message, not a Phenopacket",
                              "give one person's phenopacket (a Family's is under 'proband')")
        if not {"subject", "id", "metaData", "diseases", "interpretations"} & set(data):
            raise _unreadable(str(path), "not-a-phenopacket",
                              "has none of a phenopacket's fields (phenotypicFeatures, subject, id, metaData)",
                              "give a GA4GH Phenopacket v2 JSON file")
    return data


# ---- the document's shape: the fields the loader reads, type-checked by JSON path ----


def _shown(value: Any) -> str:
    """A JSON value as a user would recognise it in the file."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    shown = text if len(text) <= 40 else text[:37] + "…"
    return f"the string {shown}" if isinstance(value, str) else shown


class _Shape:
    """Type checks of the fields the loader reads. A wrong type is an error naming its JSON
    path (``phenotypicFeatures[1].excluded``), collected so the user sees every one at once;
    before, a wrong type crashed the loader or was silently read as something else."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.issues: list[Issue] = []

    def error(self, path: str, message: str, fix: str) -> None:
        self.issues.append(Issue(IssueLevel.ERROR, "bad-field", f"{path} {message}", fix, self.where))

    def warning(self, path: str, message: str, fix: str) -> None:
        self.issues.append(Issue(IssueLevel.WARNING, "ignored-field", f"{path} {message}", fix, self.where))

    def _typed(self, parent: dict[str, Any], key: str, path: str, kind: type, what: str, fix: str = "") -> Any:
        """``parent[key]`` when it is a ``kind``; None when absent or (with an error) wrong."""
        if key not in parent:
            return None
        value = parent[key]
        if isinstance(value, kind):
            return value
        self.error(path, f"must be {what}, not {_shown(value)}",
                   fix or f"write {path} as {what} (GA4GH Phenopacket v2), or remove it")
        return None

    def obj(self, parent: dict[str, Any], key: str, at: str = "") -> tuple[dict[str, Any], str]:
        """The object at ``key`` ({} when absent or wrong) and its JSON path."""
        path = f"{at}.{key}" if at else key
        return self._typed(parent, key, path, dict, "an object") or {}, path

    def objects(self, parent: dict[str, Any], key: str, at: str = "") -> list[tuple[dict[str, Any], str]]:
        """The objects of the list at ``key``, each with its path; non-objects are errors."""
        path = f"{at}.{key}" if at else key
        out = []
        for i, item in enumerate(self._typed(parent, key, path, list, "a list") or []):
            if isinstance(item, dict):
                out.append((item, f"{path}[{i}]"))
            else:
                self.error(f"{path}[{i}]", f"must be an object, not {_shown(item)}",
                           f"write each entry of {path} as an object, as in the Phenopacket v2 schema")
        return out

    def string(self, parent: dict[str, Any], key: str, at: str) -> str | None:
        return self._typed(parent, key, f"{at}.{key}", str, "a string")  # type: ignore[no-any-return]

    def boolean(self, parent: dict[str, Any], key: str, at: str) -> bool:
        """A JSON boolean: the string "false" is truthy in Python, so anything else is an error."""
        path = f"{at}.{key}"
        return bool(self._typed(parent, key, path, bool, "true or false",
                                f"write {key}: true or {key}: false, without quotes"))

    def duration(self, parent: dict[str, Any], at: str) -> float | None:
        """Years from ``parent.age.iso8601duration``; an unreadable duration is warned about."""
        age, age_at = self.obj(parent, "age", at)
        iso = self.string(age, "iso8601duration", age_at)
        if iso is None:
            return None
        years = parse_iso_duration(iso)
        if years is None:
            self.warning(f"{age_at}.iso8601duration", f"{_shown(iso)} is not an ISO 8601 duration; ignored",
                         "write it as P3Y6M, P18M or P2W")
        elif years >= MAX_AGE_YEARS:
            self.warning(f"{age_at}.iso8601duration", f"{_shown(iso)} is {MAX_AGE_YEARS} years or more; ignored",
                         "correct the age")
            return None
        return years

    def onset(self, parent: dict[str, Any], at: str, *, terms: bool = True) -> float | None:
        """Years from an onset TimeElement: an age or, with ``terms``, an HPO onset term or a
        gestational age (features' onsets are read as ages only, as they always were)."""
        onset, onset_at = self.obj(parent, "onset", at)
        years = self.duration(onset, onset_at)
        if not terms:
            return years
        term, term_at = self.obj(onset, "ontologyClass", onset_at)
        tid = self.string(term, "id", term_at)
        if years is None and tid is not None:
            years = onset_years_of_term(tid)
        self.obj(onset, "gestationalAge", onset_at)  # its type only: any gestational age means prenatal
        if years is None and isinstance(onset.get("gestationalAge"), dict):
            years = -0.3
        return years


_SEXES = ("FEMALE", "MALE", "OTHER_SEX", "UNKNOWN_SEX")


def _read_features(shape: _Shape, data: dict[str, Any]) -> tuple[list[_Term], list[_Term], list[float]]:
    """Observed and excluded (id, JSON path) pairs, and the observed features' onsets."""
    observed: list[_Term] = []
    excluded: list[_Term] = []
    onsets: list[float] = []
    meta = data.get("metaData")
    version = meta.get("phenopacketSchemaVersion") if isinstance(meta, dict) else None
    if isinstance(version, str) and version.strip().startswith("1"):
        shape.warning("metaData.phenopacketSchemaVersion", f"is {version!r}: a Phenopackets v1 file, read as v2 "
                      "(a v1 'negated' feature is read as excluded)", "convert it to v2 (e.g. with phenopacket-tools)")
    for feature, at in shape.objects(data, "phenotypicFeatures"):
        is_excluded = shape.boolean(feature, "excluded", at)
        # Phenopackets v1 wrote an absent feature as "negated": true; reading it as observed
        # would turn the finding round.
        negated = shape.boolean(feature, "negated", at)
        if negated and "excluded" in feature and not is_excluded:
            shape.error(at, 'says both "negated": true (v1) and "excluded": false (v2)', "keep one of them")
            continue
        if negated and not is_excluded:
            shape.warning(f"{at}.negated", "is the Phenopackets v1 field: the feature is read as excluded",
                          'write "excluded": true (Phenopackets v2)')
            is_excluded = True
        onset = shape.onset(feature, at, terms=False)
        before = len(shape.issues)
        term, term_at = shape.obj(feature, "type", at)
        tid = shape.string(term, "id", term_at)
        if tid is None:
            if len(shape.issues) == before:  # absent, not wrongly typed (that is reported already)
                shape.error(at, "has no type.id", "add the HPO id, as in {\"type\": {\"id\": \"HP:0001166\"}}")
            continue
        (excluded if is_excluded else observed).append((tid, f"{term_at}.id"))
        if onset is not None and not is_excluded:
            onsets.append(onset)
    return observed, excluded, onsets


def read_feature_terms(data: dict[str, Any], path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The observed and excluded (id, JSON path) pairs of a document's phenotypicFeatures, for a
    caller that wants the answers without a whole case (consult's answers file); a wrongly
    shaped feature raises `ValidationError` worded as `parse_phenopacket` words it."""
    shape = _Shape(str(path))
    observed, excluded, _ = _read_features(shape, data)
    errors = [i for i in shape.issues if i.level is IssueLevel.ERROR]
    if errors:
        raise ValidationError(errors)
    return observed, excluded


def _read_subject(shape: _Shape, data: dict[str, Any]) -> tuple[str | None, float | None]:
    """Sex (FEMALE/MALE, else None) and age at the last encounter."""
    subject, at = shape.obj(data, "subject")
    sex = shape.string(subject, "sex", at)
    if sex is not None and sex not in _SEXES:
        shape.warning(f"{at}.sex", f"{_shown(sex)} is not a phenopacket sex; ignored",
                      f"write one of {', '.join(_SEXES)}")
    encounter, encounter_at = shape.obj(subject, "timeAtLastEncounter", at)
    age = shape.duration(encounter, encounter_at)
    return (sex if sex in ("MALE", "FEMALE") else None), age


def _read_diseases(shape: _Shape, data: dict[str, Any]) -> tuple[tuple[str, ...], list[float]]:
    """diseases[].term.id as written, and the diseases' onsets (phenopacket-store writes an
    age or an onset term there)."""
    ids: list[str] = []
    onsets: list[float] = []
    for disease, at in shape.objects(data, "diseases"):
        before = len(shape.issues)
        term, term_at = shape.obj(disease, "term", at)
        tid = shape.string(term, "id", term_at)
        if tid is not None:
            ids.append(tid)
        elif len(shape.issues) == before:
            shape.error(at, "has no term.id", "add the disease id, as in {\"term\": {\"id\": \"OMIM:154700\"}}")
        onset = shape.onset(disease, at)
        if onset is not None:
            onsets.append(onset)
    return tuple(ids), onsets


def _check_interpretations(shape: _Shape, data: dict[str, Any]) -> None:
    """The containers `read_case_variants` walks; it skips what it cannot use, so a wrong type
    here would otherwise lose the case's variants without a word."""
    for interp, at in shape.objects(data, "interpretations"):
        diagnosis, diagnosis_at = shape.obj(interp, "diagnosis", at)
        shape.objects(diagnosis, "genomicInterpretations", diagnosis_at)


def load_phenopacket(path: Path, ontology: Ontology, *, lenient: bool = False) -> PhenopacketCase:
    """Read, decode and validate one phenopacket; see `parse_phenopacket`."""
    return parse_phenopacket(read_phenopacket_json(path), path, ontology, lenient=lenient)


def parse_phenopacket(
    data: dict[str, Any], path: Path, ontology: Ontology, *, lenient: bool = False
) -> PhenopacketCase:
    """A validated case from an already-read document; raises `ValidationError` with every
    wrong field and bad id at once, each naming the file and its JSON path."""
    where = str(path)
    shape = _Shape(where)
    case_id = shape._typed(data, "id", "id", str, "a string")
    observed, excluded, onsets = _read_features(shape, data)
    sex, age = _read_subject(shape, data)
    diseases, disease_onsets = _read_diseases(shape, data)
    _check_interpretations(shape, data)
    patient = _build(
        ontology, observed, excluded, shape.issues,
        sex=sex, age_years=age,
        onset_years=min(onsets or disease_onsets) if onsets or disease_onsets else None,
        case_id=case_id or path.stem, location=where, lenient=lenient,
    )
    variants, genes = read_case_variants(data)
    return PhenopacketCase(patient, diseases, where, variants, genes)
