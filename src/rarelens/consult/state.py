"""The consultation session: what is known, how it became known, and what the engine said.

A session is an immutable value; every answer or examination returns a new one, so a web API
or the registry can store any step and resume from it. Terms are kept as HPO CURIEs, not
ontology indices, because a stored session must survive a new knowledge-base release (ids are
re-resolved when the session is loaded, alt ids mapped).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from rarelens.consult.voice import LANGUAGES, MODES
from rarelens.phenotype.demographics import MAX_AGE_YEARS

ANSWERS = ("yes", "no", "unknown")
SEXES = ("FEMALE", "MALE")
ACTIONS = ("start", "question", "examination", "answer")
SCHEMA = "rarelens.consultation/1"


@dataclass(frozen=True, slots=True)
class Answer:
    """One fact about the patient and where it came from."""

    term: str  # HPO CURIE
    value: str  # yes | no | unknown
    source: str  # start | question | examination | text | answers-file
    step: int
    note: str = ""  # e.g. the examination id or the text the term was read from


@dataclass(frozen=True, slots=True)
class ExaminationResult:
    exam_id: str
    findings: tuple[str, ...]  # HPO CURIEs the examination showed
    normal: bool  # no abnormal finding: the examination's subtrees count as excluded
    step: int


@dataclass(frozen=True, slots=True)
class CandidateSnapshot:
    rank: int
    concept_id: str
    label: str
    probability: float


@dataclass(frozen=True, slots=True)
class Step:
    """One move of the consultation and the differential it left behind."""

    index: int
    action: str  # start | question | examination | answer
    term: str | None = None
    exam_id: str | None = None
    answer: str | None = None
    gain: float | None = None  # expected information gain of the question, in bits
    top: tuple[CandidateSnapshot, ...] = ()


@dataclass(frozen=True, slots=True)
class Consultation:
    id: str = ""
    answers: tuple[Answer, ...] = ()
    examinations: tuple[ExaminationResult, ...] = ()
    history: tuple[Step, ...] = ()
    sex: str | None = None  # MALE | FEMALE
    age_years: float | None = None
    onset_years: float | None = None
    mode: str = "clinician"  # clinician | patient
    language: str = "en"  # en | zh
    kb_version: str = ""
    software_version: str = ""
    notes: tuple[str, ...] = field(default=())  # warnings met on the way (unknown ids, guard removals)

    # --- what is known ------------------------------------------------------------------
    def latest(self) -> dict[str, Answer]:
        """The last answer per term: a later answer (an examination, a correction) wins."""
        out: dict[str, Answer] = {}
        for a in self.answers:
            out[a.term] = a
        return out

    def terms(self, value: str) -> tuple[str, ...]:
        return tuple(t for t, a in self.latest().items() if a.value == value)

    @property
    def observed(self) -> tuple[str, ...]:
        return self.terms("yes")

    @property
    def excluded(self) -> tuple[str, ...]:
        return self.terms("no")

    @property
    def unknown(self) -> tuple[str, ...]:
        return self.terms("unknown")

    @property
    def step_index(self) -> int:
        return len(self.history)

    @property
    def differential(self) -> tuple[CandidateSnapshot, ...]:
        return self.history[-1].top if self.history else ()

    # --- moves ----------------------------------------------------------------------------
    def with_answers(self, answers: tuple[Answer, ...], step: Step) -> Consultation:
        for a in answers:
            if a.value not in ANSWERS:
                raise ValueError(f"answer for {a.term} is {a.value!r}; use one of {', '.join(ANSWERS)}")
        return replace(self, answers=self.answers + answers, history=self.history + (step,))

    def with_note(self, note: str) -> Consultation:
        return replace(self, notes=self.notes + (note,))

    # --- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "sex": self.sex,
            "age_years": self.age_years,
            "onset_years": self.onset_years,
            "mode": self.mode,
            "language": self.language,
            "kb_version": self.kb_version,
            "software_version": self.software_version,
            "answers": [_plain(a) for a in self.answers],
            "examinations": [{**_plain(e), "findings": list(e.findings)} for e in self.examinations],
            "history": [{**_plain(s), "top": [_plain(c) for c in s.top]} for s in self.history],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Consultation:
        """Raises ValueError naming the JSON path of the missing or malformed field and what it
        must be: a stored session is edited by hand or written by another program, and a bad
        value would otherwise surface as a traceback steps later, far from its cause."""
        if not isinstance(data, dict):
            raise ValueError(f"not a RareLens consultation: expected a JSON object, got {_kind(data)}")
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a RareLens consultation (schema {data.get('schema')!r}, expected {SCHEMA!r}); "
                             "give a file saved with `rarelens consult --save`")
        fields = _record_fields(data, "", _SESSION, optional=set(_SESSION))
        fields.pop("schema")
        fields.pop("chains", None)  # a JSON report (consult -f json) is a session plus its chains
        return cls(**fields)


# --- validating a stored session -------------------------------------------------------------
# Each check takes the JSON value and its path (answers[0].step) and returns the field's value
# or raises ValueError saying what the field must be.

Check = Callable[[Any, str], Any]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    names = {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str | int | float) else _kind(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bad(where: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"malformed consultation: {where} is {_shown(value)}; it must be {expected}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _bad(where, "a string", value)
    return value


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(where, "a whole number, 0 or more", value)
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(where, "a number", value)
    return value


def _years(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < MAX_AGE_YEARS:
        raise _bad(where, "a number of years (P3Y is 3, P6M is 0.5) or null", value)
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(where, "true or false", value)
    return value


def _optional(check: Check) -> Check:
    return lambda value, where: None if value is None else check(value, where)


def _one_of(options: tuple[str, ...]) -> Check:
    def check(value: Any, where: str) -> str:
        if value not in options:
            raise _bad(where, f"one of {', '.join(options)}", value)
        return str(value)

    return check


def _list_of(check: Check) -> Check:
    def each(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _bad(where, "a list", value)
        return tuple(check(v, f"{where}[{i}]") for i, v in enumerate(value))

    return each


def _record_fields(value: Any, where: str, spec: dict[str, Check], optional: set[str]) -> dict[str, Any]:
    """The checked fields of one JSON object; unknown fields are refused, not dropped."""
    if not isinstance(value, dict):
        raise _bad(where, "an object", value)
    prefix = f"{where}." if where else ""
    unknown = [k for k in value if k not in spec]
    if unknown:
        raise ValueError(f"malformed consultation: unknown field {', '.join(prefix + str(k) for k in unknown)}; "
                         f"remove it (the fields are {', '.join(spec)})")
    missing = [k for k in spec if k not in value and k not in optional]
    if missing:
        raise ValueError(f"malformed consultation: {', '.join(prefix + k for k in missing)} is missing")
    return {k: check(value[k], prefix + k) for k, check in spec.items() if k in value}


def _record(cls: Callable[..., Any], spec: dict[str, Check], optional: tuple[str, ...] = ()) -> Check:
    return lambda value, where: cls(**_record_fields(value, where, spec, set(optional)))


_ANSWER = _record(Answer, {"term": _text, "value": _one_of(ANSWERS), "source": _text, "step": _integer,
                           "note": _text}, optional=("note",))
_EXAMINATION = _record(ExaminationResult, {"exam_id": _text, "findings": _list_of(_text), "normal": _flag,
                                           "step": _integer})
_SNAPSHOT = _record(CandidateSnapshot, {"rank": _integer, "concept_id": _text, "label": _text,
                                        "probability": _number})
_STEP = _record(
    Step,
    {"index": _integer, "action": _one_of(ACTIONS), "term": _optional(_text), "exam_id": _optional(_text),
     "answer": _optional(_text), "gain": _optional(_number), "top": _list_of(_SNAPSHOT)},
    optional=("term", "exam_id", "answer", "gain", "top"),
)
_SESSION: dict[str, Check] = {
    "schema": _text, "id": _text, "sex": _optional(_one_of(SEXES)), "age_years": _optional(_years),
    "onset_years": _optional(_years), "mode": _one_of(MODES), "language": _one_of(LANGUAGES),
    "kb_version": _text, "software_version": _text, "answers": _list_of(_ANSWER),
    "examinations": _list_of(_EXAMINATION), "history": _list_of(_STEP), "notes": _list_of(_text),
    "chains": lambda value, where: value,
}


def _plain(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in obj.__slots__ if k not in ("top", "findings")}
