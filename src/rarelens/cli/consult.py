"""`rarelens consult`: a consultation in the terminal, interactive or from an answers file.

Interactive: the engine asks one question at a time; answer y / n / u (or 是 / 否 / 不知道,
or a sentence when a language model is configured), `exam ID normal` or `exam ID HP:…,HP:…`
to record an examination, `q` to stop. With ``--answers FILE`` the same consultation runs
unattended: a question is answered yes when the file lists the term or a descendant as
observed, no when it lists the term or an ancestor as excluded, unknown otherwise, and an
examination the engine recommends is recorded when the file holds its result.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from rarelens.cli.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    KbOption,
    check_out_path,
    console,
    err,
    fail,
    format_for,
    open_kb,
    open_ranker,
    parse_demographics,
    parse_json_or_fail,
    read_text_or_fail,
    require_dir,
    require_file,
    split_ids,
    warn,
)
from rarelens.consult.chain import build_chain
from rarelens.consult.engine import ConsultationEngine
from rarelens.consult.model import ReasoningChain
from rarelens.consult.questions import recorded_answer
from rarelens.consult.state import Consultation
from rarelens.consult.voice import (
    LANGUAGES,
    MODES,
    parse_answer,
    render_chain,
    render_question,
    render_text,
)
from rarelens.io.consult_tables import load_consult_tables
from rarelens.io.consult_writers import FORMATS, write_consultation
from rarelens.io.phenopacket import read_feature_terms
from rarelens.model.issue import ValidationError
from rarelens.ontology import Ontology

ANSWER_KEYS = ("observed", "excluded", "examinations")
ANSWERS_SHAPE = 'JSON {"observed": [HPO ids], "excluded": [...], "examinations": {id: "normal" | [HPO ids]}}'


@dataclass(frozen=True, slots=True)
class ExamAnswer:
    """An examination's result as an answers file gives it, ids already resolved."""

    normal: bool
    findings: tuple[str, ...] = ()  # primary HPO CURIEs


@dataclass(frozen=True, slots=True)
class ScriptedAnswers:
    """What an answers file says about the patient, checked in full before the first question so
    that a bad entry is never met (or missed) halfway through an unattended run."""

    observed: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()
    examinations: dict[str, ExamAnswer] = field(default_factory=dict)

    def answer(self, onto: Ontology, term: int) -> str:
        return recorded_answer(onto, term, self.observed, self.excluded)


@dataclass(frozen=True, slots=True)
class StartOptions:
    """The command-line facts about the patient: a fresh start is built from them, a resumed
    session is updated with the ones given."""

    hpo: list[str]
    excluded: list[str]
    text: str | None
    sex: str | None  # FEMALE | MALE, already checked
    onset_years: float | None
    mode: str | None
    lang: str | None


def open_tables(onto: Ontology, folder: Path | None) -> Any:
    from rarelens.consult.tables import ConsultTableError

    if folder is not None:
        require_dir(folder, "--tables")
    try:
        return load_consult_tables(onto, folder)
    except (ConsultTableError, OSError) as exc:
        fail(f"consultation tables: {exc}")


# --- files ----------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "true/false", str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


# --- answers file ---------------------------------------------------------------------------


def load_answers(path: Path, onto: Ontology, tables: Any) -> ScriptedAnswers:
    """JSON ``{"observed": [...], "excluded": [...], "examinations": {id: "normal" | [ids]}}``,
    a GA4GH phenopacket (its phenotypic features), or TSV lines ``HP:…<TAB>yes|no``. Every
    entry is checked here; errors name the file and the line or JSON path."""
    text = read_text_or_fail(path)
    exams: dict[str, ExamAnswer] = {}
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        data = parse_json_or_fail(text, path, ANSWERS_SHAPE)
        entries, exams = _json_answers(path, data, onto, tables)
    else:
        entries = _tsv_answers(path, text)
    if not entries and not exams:
        fail(f"{path}: no answers in the file; give {ANSWERS_SHAPE}, or TSV lines HP:…<TAB>yes|no", EXIT_FAILURE)
    observed, excluded = [], []
    for term, value, where in entries:
        (observed if value == "yes" else excluded).append(_resolve(onto, term, where))
    both = sorted(set(observed) & set(excluded))
    if both:
        fail(f"{path}: {', '.join(onto.ids[t] for t in both)} listed both as observed and as excluded; keep one", EXIT_FAILURE)
    return ScriptedAnswers(tuple(observed), tuple(excluded), exams)


def _resolve(onto: Ontology, term: Any, where: str) -> int:
    """An ontology index; alt and obsolete ids are mapped with the warning --hpo gives."""
    if not isinstance(term, str):
        fail(f"{where}: expected an HPO id such as \"HP:0001250\", got {_kind(term)}", EXIT_FAILURE)
    res = onto.resolve(term)
    if res.index is None:
        msg = res.issue.message if res.issue else f"unknown HPO id {term}"
        fix = f". Fix: {res.issue.fix}" if res.issue and res.issue.fix else ""
        fail(f"{where}: {msg}{fix}", EXIT_FAILURE)
    if res.issue is not None:
        warn(f"{where}: {res.issue.message}")
    return res.index


def _tsv_answers(path: Path, text: str) -> list[tuple[str, str, str]]:
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2 or cols[1].strip().lower() not in ("yes", "no"):
            fail(f"{path}:{n}: expected 'HP:…<TAB>yes|no', got {line!r}", EXIT_FAILURE)
        entries.append((cols[0].strip(), cols[1].strip().lower(), f"{path}:{n}"))
    return entries


def _json_answers(path: Path, data: Any, onto: Ontology, tables: Any) -> tuple[list[tuple[Any, str, str]], dict[str, ExamAnswer]]:
    if not isinstance(data, dict):
        fail(f"{path}: expected {ANSWERS_SHAPE}, got {_kind(data)}", EXIT_FAILURE)
    if "phenotypicFeatures" in data:  # a phenopacket: its features are the patient's answers
        return _phenopacket_answers(path, data), {}
    unknown = [k for k in data if k not in ANSWER_KEYS]
    if unknown:
        hints = [f" (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(k, ANSWER_KEYS, 1)) else "" for k in unknown]
        named = ", ".join(f"{k!r}{h}" for k, h in zip(unknown, hints, strict=True))
        fail(f"{path}: unknown key {named}; the keys are {', '.join(ANSWER_KEYS)}", EXIT_FAILURE)
    entries = []
    for key, value in (("observed", "yes"), ("excluded", "no")):
        ids = data.get(key, [])
        if not isinstance(ids, list):
            fix = f'; write "{key}": ["{ids}"]' if isinstance(ids, str) else ""
            fail(f"{path}: {key} must be a list of HPO ids, got {_kind(ids)}{fix}", EXIT_FAILURE)
        entries += [(t, value, f"{path}: {key}[{i}]") for i, t in enumerate(ids)]
    return entries, _exam_answers(path, data.get("examinations", {}), onto, tables)


def _phenopacket_answers(path: Path, data: dict[str, Any]) -> list[tuple[Any, str, str]]:
    """A phenopacket's features as answers, read by the phenopacket module so that a wrong
    feature is worded as `diagnose -p` words it."""
    try:
        observed, excluded = read_feature_terms(data, path)
    except ValidationError as exc:
        fail("; ".join(f"{i.location}: {i.message}" + (f". Fix: {i.fix}" if i.fix else "") for i in exc.issues))
    return ([(tid, "yes", f"{path}: {at}") for tid, at in observed]
            + [(tid, "no", f"{path}: {at}") for tid, at in excluded])


def _exam_answers(path: Path, exams: Any, onto: Ontology, tables: Any) -> dict[str, ExamAnswer]:
    if not isinstance(exams, dict):
        fail(f'{path}: examinations must be an object {{id: "normal" | [HPO ids]}}, got {_kind(exams)}', EXIT_FAILURE)
    out = {}
    for exam_id, result in exams.items():
        where = f"{path}: examinations.{exam_id}"
        try:
            tables.examination(exam_id)
        except KeyError as exc:
            close = difflib.get_close_matches(exam_id, [e.id for e in tables.examinations], 1)
            fail(f"{where}: {f'did you mean {close[0]!r}? ' if close else ''}{exc.args[0]}", EXIT_FAILURE)
        out[exam_id] = _exam_answer(where, result, onto)
    return out


def _exam_answer(where: str, result: Any, onto: Ontology) -> ExamAnswer:
    if isinstance(result, str) and result.strip().lower() == "normal":
        return ExamAnswer(normal=True)
    findings = split_ids([result]) if isinstance(result, str) else result
    if not isinstance(findings, list) or not findings or (isinstance(result, str) and not all(":" in t for t in findings)):
        got = json.dumps(result, ensure_ascii=False) if isinstance(result, str | list) else _kind(result)
        fail(f'{where}: the result must be "normal" or a list of HPO ids such as ["HP:0001250"], got {got}', EXIT_FAILURE)
    return ExamAnswer(False, tuple(onto.ids[_resolve(onto, t, f"{where}[{i}]")] for i, t in enumerate(findings)))


def consult(
    hpo: list[str] = typer.Option([], "--hpo", help="Presenting HPO ids, comma-separated or repeated (with --resume: findings to add)."),
    excluded: list[str] = typer.Option([], "--excluded", help="Findings known to be absent (with --resume: added)."),
    text: str | None = typer.Option(None, "--text", help="Presenting complaint as clinical text, English or Chinese (with --resume: its findings are added)."),
    sex: str | None = typer.Option(None, "--sex", help="F or M (with --resume: replaces the stored value)."),
    onset: str | None = typer.Option(None, "--onset", help="Age of onset, ISO 8601 duration such as P3Y (with --resume: replaces the stored value)."),
    mode: str | None = typer.Option(None, "--mode", help="clinician (HPO terms, probabilities; the default) or patient (plain language). With --resume: default the session's."),
    lang: str | None = typer.Option(None, "--lang", help="en (the default) or zh. With --resume: default the session's."),
    answers: Path | None = typer.Option(None, "--answers", help="Run unattended, answering from this JSON or TSV file (checked in full before the first question)."),
    resume: Path | None = typer.Option(None, "--resume", help="Continue a session saved with --save; --hpo, --excluded and --text add findings to it, --sex, --onset, --mode and --lang replace its values."),
    budget: int = typer.Option(10, "--budget", min=0, help="At most this many questions."),
    save: Path | None = typer.Option(None, "--save", help="Write the session (JSON) to resume later; the path is checked before the consultation starts."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report (with the decision path) to this file."),
    fmt: str | None = typer.Option(None, "--format", "-f", help=f"Report format for --out: {', '.join(FORMATS)} (default: from the file's suffix, else html). Needs --out."),
    tables: Path | None = typer.Option(None, "--tables", help="A folder with your own examinations.tsv, specialties.tsv and red_flags.tsv (default: the curated tables shipped with RareLens)."),
    llm: bool = typer.Option(False, "--llm", help="Let the configured language model (RARELENS_LLM_URL/MODEL/KEY) rephrase the summary; its output is checked."),
    kb: Path | None = KbOption,
) -> None:
    """Ask the questions that separate the candidates, recommend examinations, show the reasoning."""
    fmt = _check_options(mode, lang, fmt, out, save, answers, resume)
    if text is not None and not text.strip():
        fail("the text is empty; give the presenting complaint with --text, or findings with --hpo", EXIT_USAGE)
    start = StartOptions(hpo, excluded, text, *parse_demographics(sex, onset), mode, lang)
    kbase = open_kb(kb)
    engine = ConsultationEngine(open_ranker(kbase, kb), open_tables(kbase.ontology, tables))
    scripted = load_answers(answers, kbase.ontology, engine.tables) if answers else None
    session = _open_session(engine, resume, start)
    transcript: list[str] = []
    chains: list[ReasoningChain] = []

    def say(line: str) -> None:
        transcript.append(line)
        console.print(escape(line), highlight=False, soft_wrap=True)

    asked = 0
    while True:
        chain = build_chain(engine, session)
        chains.append(chain)
        if scripted is not None:
            session, recorded = _scripted_exam(engine, session, chain, scripted, say)
            if recorded:
                continue
        if asked >= budget or not chain.next_questions:
            break
        q = chain.next_questions[0]
        say(f"Q{asked + 1}: " + render_question(q, mode=session.mode, language=session.language).text)
        if scripted is not None:
            value = scripted.answer(kbase.ontology, kbase.ontology.index(q.term_id))
            say(f"A{asked + 1}: {value} (answers file)")
            session = engine.answer(session, q.term_id, value, source="answers-file", gain=q.gain)
        else:
            reply = _ask(engine, session, say)
            if reply is None:
                break
            if isinstance(reply, Consultation):  # an examination was recorded; re-plan
                session = reply
                continue
            session = engine.answer(session, q.term_id, reply, gain=q.gain)
        asked += 1
    summary = render_chain(chains[-1], mode=session.mode, language=session.language)
    body = render_text(summary)
    if llm:
        body, session = _model_voice(kbase, summary, chains[-1], session, body)
    say("")
    for line in body.splitlines():
        say(line)
    _write_outputs(session, chains, transcript, save, out, fmt)


def _check_options(
    mode: str | None, lang: str | None, fmt: str | None, out: Path | None, save: Path | None,
    answers: Path | None, resume: Path | None,
) -> str:
    """Usage errors before the knowledge base loads; returns the report format."""
    if mode is not None and mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}, got {mode!r}", EXIT_USAGE)
    if lang is not None and lang not in LANGUAGES:
        fail(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}", EXIT_USAGE)
    if fmt is not None and fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", EXIT_USAGE)
    if fmt is not None and out is None:
        fail(f"--format {fmt} sets the format of the report written with --out; add --out FILE", EXIT_USAGE)
    for path, option in ((answers, "--answers"), (resume, "--resume")):
        if path is not None:
            require_file(path, option)
    for path, option in ((save, "--save"), (out, "--out")):
        check_out_path(path, option)
    if save is not None and out is not None and save.resolve() == out.resolve():
        fail(f"--save and --out are the same file {save}; give two names", EXIT_USAGE)
    return format_for(out, fmt, formats=FORMATS, default="html")


# --- the session ----------------------------------------------------------------------------


def _open_session(engine: ConsultationEngine, resume: Path | None, start: StartOptions) -> Consultation:
    observed, negated = _findings(engine, start, required=resume is None)
    if resume is not None:
        return _resume(engine, resume, start, observed, negated)
    if not observed:
        fail("give the presenting findings with --hpo HP:…,HP:… or --text, or --resume a session", EXIT_USAGE)
    try:
        session = engine.start(observed=dict.fromkeys(observed), excluded=dict.fromkeys(n for n in negated if n not in observed),
                               sex=start.sex, onset_years=start.onset_years, mode=start.mode or MODES[0],
                               language=start.lang or LANGUAGES[0], source="text" if start.text else "start")
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    for note in session.notes:
        warn(note)
    return session


def _findings(engine: ConsultationEngine, start: StartOptions, *, required: bool) -> tuple[list[str], list[str]]:
    """(observed, excluded) ids from --hpo, --excluded and --text. A text that yields nothing is
    an error when it was the only source of findings, else a warning: never silently empty."""
    observed, negated = split_ids(start.hpo), split_ids(start.excluded)
    if start.text is not None:
        from rarelens.cli.common import build_extractor

        extraction = build_extractor(engine.kb.ontology).extract(start.text)
        found = [m.hpo_id for m in extraction.present]
        observed += found
        negated += [m.hpo_id for m in extraction.excluded]
        if not found:
            msg = (f"--text: no finding recognised in {start.text[:60]!r}; name the findings in clinical "
                   "words (e.g. 'seizures, low muscle tone') or give HPO ids with --hpo")
            if required and not observed:
                fail(msg, EXIT_USAGE)
            warn(msg)
    return observed, negated


def _resume(engine: ConsultationEngine, path: Path, start: StartOptions, observed: list[str], negated: list[str]) -> Consultation:
    """The stored session, checked against this knowledge base and tables, with the command
    line's findings added and its mode, language, sex and onset applied."""
    data = parse_json_or_fail(read_text_or_fail(path), path, "a session saved with `rarelens consult --save`")
    try:
        session = Consultation.from_dict(data)
    except ValueError as exc:
        fail(f"{path}: {exc}", EXIT_FAILURE)
    if session.kb_version != engine.kb.version:
        warn(f"{path} was made with knowledge base {session.kb_version}; continuing with {engine.kb.version}")
    _check_stored(engine, path, session)
    session = _apply_options(path, session, start)
    notes = len(session.notes)
    try:
        for terms, value in ((observed, "yes"), (negated, "no")):
            for term in terms:
                session = engine.answer(session, term, value, source="text" if start.text else "start")
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    for note in session.notes[notes:]:
        warn(note)
    if not session.observed:
        fail(f"{path}: the session has no observed finding; add the presenting findings with --hpo HP:…", EXIT_USAGE)
    return session


def _check_stored(engine: ConsultationEngine, path: Path, session: Consultation) -> None:
    """Every stored id must mean something here: an answer the ontology cannot resolve would
    silently drop out of the ranking. Alt and obsolete ids are mapped with a warning."""
    onto = engine.kb.ontology
    made = "" if session.kb_version == engine.kb.version else f" (the session was made with knowledge base {session.kb_version})"
    for i, a in enumerate(session.answers):
        res = onto.resolve(a.term)
        if res.index is None:
            msg = res.issue.message if res.issue else f"unknown HPO id {a.term}"
            fail(f"{path}: answers[{i}].term: {msg}{made}; correct or remove that answer", EXIT_FAILURE)
        if res.issue is not None:
            warn(f"{path}: answers[{i}].term: {res.issue.message}")
    for i, e in enumerate(session.examinations):
        try:
            engine.tables.examination(e.exam_id)
        except KeyError as exc:
            fail(f"{path}: examinations[{i}].exam_id: {exc.args[0]}; resume with the --tables the session was "
                 "made with, or correct the id", EXIT_FAILURE)


def _apply_options(path: Path, session: Consultation, start: StartOptions) -> Consultation:
    """--mode and --lang choose how this sitting talks; --sex and --onset correct the record
    (a change of a stored value is warned about, as it changes the ranking)."""
    changes: dict[str, Any] = {}
    if start.mode is not None:
        changes["mode"] = start.mode
    if start.lang is not None:
        changes["language"] = start.lang
    for key, value, option in (("sex", start.sex, "--sex"), ("onset_years", start.onset_years, "--onset")):
        if value is None:
            continue
        stored = getattr(session, key)
        if stored is not None and stored != value:
            warn(f"{option} replaces {key} {stored} stored in {path} with {value}")
        changes[key] = value
    return replace(session, **changes)


def _scripted_exam(
    engine: ConsultationEngine, session: Consultation, chain: ReasoningChain, scripted: ScriptedAnswers, say: Any
) -> tuple[Consultation, bool]:
    done = {e.exam_id for e in session.examinations}
    for rec in chain.examinations:
        if rec.exam_id in done or rec.exam_id not in scripted.examinations:
            continue
        result = scripted.examinations[rec.exam_id]
        say(f"Examination: {rec.name} → {'normal' if result.normal else ', '.join(result.findings)} (answers file)")
        return engine.record_examination(session, rec.exam_id, findings=result.findings, normal=result.normal), True
    return session, False


def _ask(engine: ConsultationEngine, session: Consultation, say: Any) -> str | Consultation | None:
    """yes | no | unknown; the session with an examination recorded; or None to stop."""
    while True:
        err.print("[dim]answer: y / n / u, exam ID normal|HP:…, q to stop[/]", highlight=False)
        try:
            line = input("> ").strip()
        except EOFError:
            return None
        if line.lower() in ("q", "quit", "stop", "退出"):
            return None
        if line.lower().startswith("exam "):
            parts = line.split(maxsplit=2)
            if len(parts) < 3:
                err.print("usage: exam ID normal | exam ID HP:…,HP:…")
                continue
            normal = parts[2].strip().lower() == "normal"
            try:
                new = engine.record_examination(session, parts[1], findings=[] if normal else split_ids([parts[2]]), normal=normal)
            except (KeyError, ValueError) as exc:
                err.print(escape(str(exc)))
                continue
            say(f"Examination: {parts[1]} → {parts[2]}")
            return new
        value = parse_answer(line)
        if value is not None:
            say(f"A: {value}")
            return value
        err.print("please answer y, n or u")


def _model_voice(kbase: Any, summary: Any, chain: ReasoningChain, session: Consultation, body: str) -> tuple[str, Consultation]:
    from rarelens.llm.client import ChatClient
    from rarelens.llm.voice import ModelVoice

    client = ChatClient.from_env()
    if client is None:
        fail("--llm needs RARELENS_LLM_URL and RARELENS_LLM_MODEL", EXIT_USAGE)
    result = ModelVoice(client).rephrase(summary, chain, mode=session.mode, language=session.language,
                                         known_genes=frozenset(kbase.genes.symbol.pool))
    for r in result.removed:
        note = f"model voice: removed {r.item!r} ({r.reason}): {r.sentence}"
        warn(note)
        session = session.with_note(note)
    if result.error:
        warn(f"model voice: {result.error}; the deterministic text is shown")
        session = session.with_note(f"model voice: {result.error}")
    return result.text, session


def _write_outputs(
    session: Consultation, chains: list[ReasoningChain], transcript: list[str], save: Path | None,
    out: Path | None, fmt: str,
) -> None:
    try:
        if save:
            save.write_text(json.dumps(session.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
            err.print(f"session saved to {escape(str(save))}")
        if out:
            write_consultation(out, session, chains, fmt=fmt, transcript=transcript)
            err.print(f"wrote {escape(str(out))}")
    except OSError as exc:
        fail(f"cannot write {exc.filename or save or out}: {exc.strerror or exc}")
