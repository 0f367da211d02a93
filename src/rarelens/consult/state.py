"""The consultation session: what is known, how it became known, and what the engine said.

A session is an immutable value; every answer or examination returns a new one, so a web API
or the registry can store any step and resume from it. Terms are kept as HPO CURIEs, not
ontology indices, because a stored session must survive a new knowledge-base release (ids are
re-resolved when the session is loaded, alt ids mapped).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

ANSWERS = ("yes", "no", "unknown")
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
        """Raises ValueError naming the missing or malformed field."""
        if not isinstance(data, dict):
            raise ValueError(f"not a RareLens consultation: expected a JSON object, got {type(data).__name__}")
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a RareLens consultation (schema {data.get('schema')!r}, expected {SCHEMA!r})")
        try:
            answers = tuple(Answer(**a) for a in data.get("answers", []))
            for a in answers:
                if a.value not in ANSWERS:
                    raise ValueError(f"answer for {a.term} is {a.value!r}; expected one of {', '.join(ANSWERS)}")
            return cls(
                id=str(data.get("id", "")),
                answers=answers,
                examinations=tuple(
                    ExaminationResult(e["exam_id"], tuple(e["findings"]), bool(e["normal"]), int(e["step"]))
                    for e in data.get("examinations", [])
                ),
                history=tuple(
                    Step(**{**s, "top": tuple(CandidateSnapshot(**c) for c in s.get("top", []))})
                    for s in data.get("history", [])
                ),
                sex=data.get("sex"),
                age_years=data.get("age_years"),
                onset_years=data.get("onset_years"),
                mode=str(data.get("mode", "clinician")),
                language=str(data.get("language", "en")),
                kb_version=str(data.get("kb_version", "")),
                software_version=str(data.get("software_version", "")),
                notes=tuple(data.get("notes", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed consultation: {exc}") from None


def _plain(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in obj.__slots__ if k not in ("top", "findings")}
