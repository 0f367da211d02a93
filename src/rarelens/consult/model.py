"""Values the consultation engine says things with; every claim carries its knowledge-base records.

The voices (templates, or a language model) only render these values: a sentence can say no more
than a `Claim` holds, and a `Claim` is only made from annotation records it points to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KbRef:
    """One knowledge-base record behind a statement, down to the source file and line."""

    kind: str  # annotation | absence | disease | gene | examination-table
    disease_id: str = ""
    term_id: str = ""
    frequency_raw: str = ""
    reference: str = ""  # publication or database record (PMID:…, OMIM:…, ORPHA:…)
    source: str = ""  # source key, e.g. hpo.annotations
    release: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """A finding for or against a candidate: the patient's term, the disease term it met, and
    how much it moved the score."""

    term_id: str  # the patient's term
    term_label: str
    status: str  # observed | excluded
    disease_term_id: str  # the disease's annotated term it matched ("" when none)
    disease_term_label: str
    match: str  # exact | patient more specific | patient less specific | excluded contradicts | …
    contribution: float  # log-scale score contribution
    frequency: float | None  # annotated frequency of the matched disease term
    refs: tuple[KbRef, ...]
    via_term_id: str = ""  # where the two meet, for a "shared ancestor" match
    via_term_label: str = ""


@dataclass(frozen=True, slots=True)
class Expectation:
    """How likely one candidate is to show an asked finding (what a question would separate)."""

    concept_id: str
    label: str
    probability: float  # posterior of the candidate now
    frequency: float  # P(term | candidate) from its annotations (0 when not annotated)
    refs: tuple[KbRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    term_id: str
    label: str
    label_zh: str | None
    layperson: str | None  # HPO layperson synonym, for patient mode
    gain: float  # expected information gain over the leading candidates, bits
    p_yes: float  # predicted chance of a yes under the current posterior
    favours: tuple[Expectation, ...]  # candidates that expect the finding most
    against: tuple[Expectation, ...]  # leading candidates that do not expect it


@dataclass(frozen=True, slots=True)
class ExamRecommendation:
    exam_id: str
    name: str
    name_zh: str
    kind: str
    gain: float  # expected information gain of its result, bits
    p_abnormal: float
    expects_abnormal: tuple[Expectation, ...]  # candidates likely to show a finding it reveals
    expects_normal: tuple[Expectation, ...]
    findings: tuple[str, ...]  # the HPO terms it would reveal for those candidates (CURIEs)
    genes: tuple[str, ...] = ()  # genetic testing: a suggested gene list from the candidates
    table_version: str = ""


@dataclass(frozen=True, slots=True)
class ChainCandidate:
    rank: int
    concept_id: str
    label: str
    label_zh: str | None
    ids: tuple[str, ...]
    probability: float
    genes: tuple[str, ...]
    inheritance: tuple[str, ...]
    in_catalog: bool
    supporting: tuple[Claim, ...]
    against: tuple[Claim, ...]
    refs: tuple[KbRef, ...]  # the disease record(s) themselves


@dataclass(frozen=True, slots=True)
class Finding:
    term_id: str
    label: str
    label_zh: str | None
    layperson: str | None
    value: str  # yes | no | unknown
    source: str  # start | question | examination | text | answers-file
    step: int


@dataclass(frozen=True, slots=True)
class WhatIf:
    """What the next question's answer would do to the top of the list."""

    term_id: str
    answer: str  # yes | no
    top: tuple[tuple[str, str, float], ...]  # (concept id, label, probability)


@dataclass(frozen=True, slots=True)
class RedFlagHit:
    term_id: str  # the patient's finding
    flag_id: str  # the red-flag term it falls under
    label: str
    advice: str
    advice_zh: str


@dataclass(frozen=True, slots=True)
class SpecialtyHint:
    name: str
    name_zh: str
    mdt_clinic: str
    mdt_clinic_zh: str
    because: tuple[str, ...]  # the patient's findings (CURIEs) under this specialty's subtree


@dataclass(frozen=True, slots=True)
class ReasoningChain:
    """Symptoms → examinations → differential at one step, with what would change it."""

    step: int
    findings: tuple[Finding, ...]
    examinations_done: tuple[tuple[str, str], ...]  # (exam id, "normal" or finding CURIEs)
    examinations: tuple[ExamRecommendation, ...]
    differential: tuple[ChainCandidate, ...]
    next_questions: tuple[Question, ...]
    what_if: tuple[WhatIf, ...]
    red_flags: tuple[RedFlagHit, ...]
    specialties: tuple[SpecialtyHint, ...]
    entropy_bits: float  # uncertainty left among the leading candidates
    kb_version: str
    software_version: str
    tables_version: str
