"""`rarelens consult`: a consultation in the terminal, interactive or from an answers file.

Interactive: the engine asks one question at a time; answer y / n / u (or 是 / 否 / 不知道,
or a sentence when a language model is configured), `exam ID normal` or `exam ID HP:…,HP:…`
to record an examination, `q` to stop. With ``--answers FILE`` the same consultation runs
unattended: a question is answered yes when the file lists the term or a descendant as
observed, no when it lists the term or an ancestor as excluded, unknown otherwise, and an
examination the engine recommends is recorded when the file holds its result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from rarelens.cli.common import (
    EXIT_USAGE,
    KbOption,
    console,
    err,
    fail,
    normalize_sex,
    open_kb,
    open_ranker,
    split_ids,
    warn,
)
from rarelens.consult.chain import build_chain
from rarelens.consult.engine import ConsultationEngine
from rarelens.consult.model import ReasoningChain
from rarelens.consult.questions import recorded_answer
from rarelens.consult.state import Consultation
from rarelens.consult.voice import parse_answer, render_chain, render_question, render_text
from rarelens.io.consult_tables import load_consult_tables
from rarelens.io.consult_writers import FORMATS, write_consultation
from rarelens.io.phenopacket import parse_iso_duration
from rarelens.ontology import Ontology

MODES = ("clinician", "patient")
LANGUAGES = ("en", "zh")


@dataclass
class ScriptedAnswers:
    """What an answers file says about the patient."""

    observed: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    examinations: dict[str, Any] = field(default_factory=dict)  # id -> "normal" | [HPO ids]

    def answer(self, onto: Ontology, term: int) -> str:
        return recorded_answer(onto, term, self.observed, self.excluded)


def open_tables(onto: Ontology, folder: Path | None) -> Any:
    from rarelens.consult.tables import ConsultTableError

    if folder is not None and not folder.is_dir():
        fail(f"--tables {folder} is not a folder", EXIT_USAGE)
    try:
        return load_consult_tables(onto, folder)
    except (ConsultTableError, OSError) as exc:
        fail(f"consultation tables: {exc}")


def load_answers(path: Path, onto: Ontology) -> ScriptedAnswers:
    """JSON ``{"observed": [...], "excluded": [...], "examinations": {id: "normal" | [ids]}}``,
    a GA4GH phenopacket (its phenotypic features), or TSV lines ``HP:…<TAB>yes|no``. Unknown
    ids are errors naming the file and entry."""
    if not path.is_file():
        fail(f"no such answers file: {path}", EXIT_USAGE)
    text = path.read_text(encoding="utf-8")
    out = ScriptedAnswers()
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            fail(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})", EXIT_USAGE)
        if not isinstance(data, dict):
            fail(f"{path}: expected an object with observed / excluded / examinations", EXIT_USAGE)
        if "phenotypicFeatures" in data:  # a phenopacket: its features are the patient's answers
            feats = [f for f in data["phenotypicFeatures"] if isinstance(f, dict) and isinstance(f.get("type"), dict)]
            data = {"observed": [f["type"].get("id", "") for f in feats if not f.get("excluded")],
                    "excluded": [f["type"].get("id", "") for f in feats if f.get("excluded")]}
        pairs = [(t, "yes") for t in data.get("observed", [])] + [(t, "no") for t in data.get("excluded", [])]
        out.examinations = dict(data.get("examinations", {}))
        where = [f"{path}" for _ in pairs]
    else:
        pairs, where = [], []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 2 or cols[1].strip().lower() not in ("yes", "no"):
                fail(f"{path}:{n}: expected 'HP:…<TAB>yes|no', got {line!r}", EXIT_USAGE)
            pairs.append((cols[0].strip(), cols[1].strip().lower()))
            where.append(f"{path}:{n}")
    for (term, value), loc in zip(pairs, where, strict=True):
        res = onto.resolve(str(term))
        if res.index is None:
            fail(f"{loc}: {res.issue.message if res.issue else 'unknown HPO id ' + str(term)}", EXIT_USAGE)
        (out.observed if value == "yes" else out.excluded).append(res.index)
    return out


def consult(
    hpo: list[str] = typer.Option([], "--hpo", help="Presenting HPO ids, comma-separated or repeated."),
    excluded: list[str] = typer.Option([], "--excluded", help="Findings known to be absent."),
    text: str | None = typer.Option(None, "--text", help="Presenting complaint as clinical text (English or Chinese)."),
    sex: str | None = typer.Option(None, "--sex", help="F or M."),
    onset: str | None = typer.Option(None, "--onset", help="Age of onset, ISO 8601 duration (P3Y)."),
    mode: str = typer.Option("clinician", "--mode", help="clinician (HPO terms, probabilities) or patient (plain language)."),
    lang: str = typer.Option("en", "--lang", help="en or zh."),
    answers: Path | None = typer.Option(None, "--answers", help="Run unattended, answering from this JSON or TSV file."),
    resume: Path | None = typer.Option(None, "--resume", help="Continue a session saved with --save."),
    budget: int = typer.Option(10, "--budget", min=0, help="At most this many questions."),
    save: Path | None = typer.Option(None, "--save", help="Write the session (JSON) to resume later."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report (with the decision path) to this file."),
    fmt: str = typer.Option("html", "--format", "-f", help=f"Report format for --out: {', '.join(FORMATS)}."),
    tables: Path | None = typer.Option(None, "--tables", help="A folder with your own examinations.tsv, specialties.tsv and red_flags.tsv (default: the curated tables shipped with RareLens)."),
    llm: bool = typer.Option(False, "--llm", help="Let the configured language model (RARELENS_LLM_URL/MODEL/KEY) rephrase the summary; its output is checked."),
    kb: Path | None = KbOption,
) -> None:
    """Ask the questions that separate the candidates, recommend examinations, show the reasoning."""
    if mode not in MODES or lang not in LANGUAGES:
        fail(f"--mode must be one of {', '.join(MODES)} and --lang one of {', '.join(LANGUAGES)}", EXIT_USAGE)
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", EXIT_USAGE)
    kbase = open_kb(kb)
    engine = ConsultationEngine(open_ranker(kbase, kb), open_tables(kbase.ontology, tables))
    scripted = load_answers(answers, kbase.ontology) if answers else None
    session = _open_session(engine, resume, hpo, excluded, text, sex, onset, mode, lang)
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


def _open_session(
    engine: ConsultationEngine, resume: Path | None, hpo: list[str], excluded: list[str], text: str | None,
    sex: str | None, onset: str | None, mode: str, lang: str,
) -> Consultation:
    if resume is not None:
        if not resume.is_file():
            fail(f"no such session file: {resume}", EXIT_USAGE)
        try:
            session = Consultation.from_dict(json.loads(resume.read_text(encoding="utf-8")))
        except (ValueError, json.JSONDecodeError) as exc:
            fail(f"{resume}: {exc}", EXIT_USAGE)
        if session.kb_version != engine.kb.version:
            warn(f"{resume} was made with knowledge base {session.kb_version}; continuing with {engine.kb.version}")
        return session
    observed, negated = split_ids(hpo), split_ids(excluded)
    if text:
        from rarelens.text.extractor import DictionaryExtractor

        extraction = DictionaryExtractor(engine.kb.ontology).extract(text)
        observed += [m.hpo_id for m in extraction.present]
        negated += [m.hpo_id for m in extraction.excluded]
    if not observed:
        fail("give the presenting findings with --hpo HP:…,HP:… or --text, or --resume a session", EXIT_USAGE)
    sex_norm = normalize_sex(sex)
    if sex and sex_norm is None:
        fail(f"--sex must be F or M, got {sex!r}", EXIT_USAGE)
    onset_years = parse_iso_duration(onset) if onset else None
    if onset and onset_years is None:
        fail(f"--onset must be an ISO 8601 duration such as P3Y, got {onset!r}", EXIT_USAGE)
    try:
        session = engine.start(observed=dict.fromkeys(observed), excluded=dict.fromkeys(n for n in negated if n not in observed),
                               sex=sex_norm, onset_years=onset_years, mode=mode, language=lang,
                               source="text" if text else "start")
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    for note in session.notes:
        warn(note)
    return session


def _scripted_exam(
    engine: ConsultationEngine, session: Consultation, chain: ReasoningChain, scripted: ScriptedAnswers, say: Any
) -> tuple[Consultation, bool]:
    done = {e.exam_id for e in session.examinations}
    for rec in chain.examinations:
        if rec.exam_id in done or rec.exam_id not in scripted.examinations:
            continue
        result = scripted.examinations[rec.exam_id]
        normal = result == "normal"
        findings = [] if normal else split_ids(list(result) if isinstance(result, list) else [str(result)])
        say(f"Examination: {rec.name} → {'normal' if normal else ', '.join(findings)} (answers file)")
        try:
            return engine.record_examination(session, rec.exam_id, findings=findings, normal=normal), True
        except ValueError as exc:
            fail(f"answers file, examination {rec.exam_id}: {exc}", EXIT_USAGE)
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
    if save:
        save.write_text(json.dumps(session.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        err.print(f"session saved to {save}")
    if out:
        write_consultation(out, session, chains, fmt=fmt, transcript=transcript)
        err.print(f"wrote {out}")
