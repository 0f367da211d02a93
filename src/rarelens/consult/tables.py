"""The curated clinical tables of the consultation engine: examinations, specialties, red flags.

The tables are hand-written clinical knowledge, so they are held to a stricter standard than a
patient's file: an alternative, obsolete or out-of-scope HPO id is an error here, not a warning,
because a silently remapped id would recommend the wrong test or send the patient to the wrong
clinic. The parser is handed text (``rarelens.io.consult_tables`` reads the files) so that the
core never touches the file system and tests can feed it a three-line table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rarelens.ontology import Ontology
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY

EXAMINATIONS_FILE = "examinations.tsv"
SPECIALTIES_FILE = "specialties.tsv"
RED_FLAGS_FILE = "red_flags.tsv"
KINDS = ("imaging", "laboratory", "physiology", "clinical", "pathology", "genetic")
EXAMINATION_COLUMNS = (
    "id", "name", "name_zh", "kind", "hpo_roots", "patient", "patient_zh", "rationale",
)
SPECIALTY_COLUMNS = ("hpo_root", "specialty", "specialty_zh", "mdt_clinic", "mdt_clinic_zh")
RED_FLAG_COLUMNS = ("hpo_id", "advice", "advice_zh")

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_VERSION = re.compile(r"^#\s*version:\s*(\S+)\s*$")


class ConsultTableError(ValueError):
    """A curated row that cannot be used; the message is ``<file>:<line>: problem. Fix: …``."""


@dataclass(frozen=True, slots=True)
class Examination:
    id: str
    name: str
    name_zh: str
    kind: str
    roots: tuple[int, ...]
    root_ids: tuple[str, ...]
    patient: str
    patient_zh: str
    rationale: str


@dataclass(frozen=True, slots=True)
class Specialty:
    root: int
    root_id: str
    name: str
    name_zh: str
    mdt_clinic: str
    mdt_clinic_zh: str


@dataclass(frozen=True, slots=True)
class RedFlag:
    term: int
    term_id: str
    advice: str
    advice_zh: str


@dataclass(frozen=True, slots=True)
class ConsultTables:
    version: str
    examinations: tuple[Examination, ...]
    specialties: tuple[Specialty, ...]
    red_flags: tuple[RedFlag, ...]

    def examination(self, exam_id: str) -> Examination:
        for e in self.examinations:
            if e.id == exam_id:
                return e
        valid = ", ".join(e.id for e in self.examinations)
        raise KeyError(f"no examination {exam_id!r} in consultation tables {self.version}; valid ids: {valid}")


@dataclass(frozen=True, slots=True)
class _Row:
    where: str
    line: int
    cells: tuple[str, ...]

    def error(self, problem: str, fix: str) -> ConsultTableError:
        return ConsultTableError(f"{self.where}:{self.line}: {problem}. Fix: {fix}")


@dataclass(frozen=True, slots=True)
class _Table:
    where: str
    version: str | None
    version_line: int
    rows: tuple[_Row, ...]


def _read(text: str, where: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> _Table:
    version, version_line, header, rows = None, 1, False, []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        if raw.startswith("#"):
            if m := _VERSION.match(raw):
                version, version_line = m.group(1), n
            continue
        row = _Row(where, n, tuple(c.strip() for c in raw.split("\t")))
        if not header:
            if row.cells != columns:
                raise row.error(f"header is {list(row.cells)}", f"start the table with the tab-separated columns {', '.join(columns)}")
            header = True
            continue
        if len(row.cells) != len(columns):
            raise row.error(
                f"{len(row.cells)} tab-separated columns, expected {len(columns)}",
                f"write the columns {', '.join(columns)} separated by single tabs, with no tab inside a cell",
            )
        for name, value in zip(columns, row.cells, strict=True):
            if not value and name not in optional:
                raise row.error(f"column {name} is empty", f"fill in {name}")
        rows.append(row)
    if not header:
        raise ConsultTableError(f"{where}:1: no header row. Fix: add the tab-separated header {', '.join(columns)}")
    return _Table(where, version, version_line, tuple(rows))


def _term(o: Ontology, row: _Row, text: str) -> int:
    """A current primary id under Phenotypic abnormality, exactly as HPO writes it."""
    res = o.resolve(text)
    if res.issue is not None:
        raise row.error(res.issue.message, res.issue.fix or "use a current HPO id")
    assert res.index is not None
    idx = res.index
    if o.ids[idx] != text:
        raise row.error(f"{text!r} is not written as an HPO id", f"write {o.ids[idx]}")
    pa = o.index(PHENOTYPIC_ABNORMALITY)
    if idx == pa or not o.is_descendant_of(idx, pa):
        raise row.error(
            f"{text} ({o.labels[idx]}) is not a phenotypic abnormality",
            f"choose a term under {PHENOTYPIC_ABNORMALITY} Phenotypic abnormality",
        )
    return idx


def _examinations(table: _Table, o: Ontology) -> tuple[Examination, ...]:
    organ_systems = {int(c) for c in o.children(o.index(PHENOTYPIC_ABNORMALITY))}
    seen: dict[str, int] = {}
    out = []
    for row in table.rows:
        exam_id, name, name_zh, kind, roots_text, patient, patient_zh, rationale = row.cells
        if not _SNAKE.match(exam_id):
            raise row.error(f"id {exam_id!r} is not snake_case", "use lower-case words joined by _, e.g. brain_mri")
        if exam_id in seen:
            raise row.error(f"duplicate id {exam_id} (first on line {seen[exam_id]})", "give each examination its own id")
        seen[exam_id] = row.line
        if kind not in KINDS:
            raise row.error(f"kind {kind!r} is not one of {', '.join(KINDS)}", "use one of those kinds")
        root_ids = tuple(r.strip() for r in roots_text.split(",") if r.strip())
        if not root_ids and kind != "genetic":
            raise row.error(
                f"examination {exam_id} has no hpo_roots",
                "list the HPO ids of the findings it reveals; only genetic tests may leave it empty",
            )
        if len(set(root_ids)) != len(root_ids):
            raise row.error(f"hpo_roots of {exam_id} repeat an id", "list each HPO id once")
        roots = tuple(_term(o, row, r) for r in root_ids)
        for r, idx in zip(root_ids, roots, strict=True):
            if idx in organ_systems:
                raise row.error(
                    f"{r} ({o.labels[idx]}) is a whole organ system",
                    "choose the narrower subtrees this examination can actually show",
                )
        out.append(Examination(exam_id, name, name_zh, kind, roots, root_ids, patient, patient_zh, rationale))
    return tuple(out)


def _specialties(table: _Table, o: Ontology) -> tuple[Specialty, ...]:
    seen: dict[str, int] = {}
    out = []
    for row in table.rows:
        root_id, name, name_zh, mdt, mdt_zh = row.cells
        if root_id in seen:
            raise row.error(f"duplicate hpo_root {root_id} (first on line {seen[root_id]})", "keep one clinic per HPO term")
        seen[root_id] = row.line
        out.append(Specialty(_term(o, row, root_id), root_id, name, name_zh, mdt, mdt_zh))
    return tuple(out)


def _red_flags(table: _Table, o: Ontology) -> tuple[RedFlag, ...]:
    seen: dict[str, int] = {}
    out = []
    for row in table.rows:
        term_id, advice, advice_zh = row.cells
        if term_id in seen:
            raise row.error(f"duplicate hpo_id {term_id} (first on line {seen[term_id]})", "keep one piece of advice per HPO term")
        seen[term_id] = row.line
        out.append(RedFlag(_term(o, row, term_id), term_id, advice, advice_zh))
    return tuple(out)


def parse_consult_tables(
    *,
    examinations: str,
    specialties: str,
    red_flags: str,
    ontology: Ontology,
    source: str = "rarelens/consult/data",
) -> ConsultTables:
    """Parse and check the three tables; the first bad row raises `ConsultTableError`."""
    exams = _read(examinations, f"{source}/{EXAMINATIONS_FILE}", EXAMINATION_COLUMNS, optional=("hpo_roots",))
    if exams.version is None:
        raise ConsultTableError(
            f"{exams.where}:1: no '# version:' line. Fix: add a comment line such as '# version: 2026.11.2'"
        )
    others = (
        _read(specialties, f"{source}/{SPECIALTIES_FILE}", SPECIALTY_COLUMNS),
        _read(red_flags, f"{source}/{RED_FLAGS_FILE}", RED_FLAG_COLUMNS),
    )
    for t in others:
        # The three files are released together; a stale copy of one would mix clinical versions.
        if t.version is not None and t.version != exams.version:
            raise ConsultTableError(
                f"{t.where}:{t.version_line}: version {t.version} differs from {exams.version} in "
                f"{EXAMINATIONS_FILE}. Fix: update the three tables together and give them one version"
            )
    return ConsultTables(
        version=exams.version,
        examinations=_examinations(exams, ontology),
        specialties=_specialties(others[0], ontology),
        red_flags=_red_flags(others[1], ontology),
    )
