"""Writers for a consultation: the reasoning chains as JSON (canonical), the decision path as a
graph (Mermaid or DOT) and one readable HTML page.

The engine's values already hold every knowledge-base record behind a statement; these writers
only lay them out, so nothing shown here can be more than a `KbRef` supports.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rarelens import __version__
from rarelens.consult.model import (
    ChainCandidate,
    Claim,
    ExamRecommendation,
    Expectation,
    KbRef,
    Question,
    ReasoningChain,
)
from rarelens.consult.state import Consultation, Step
from rarelens.io.writers import json_ready

SCHEMA = "rarelens.reasoning-chain/1"
FORMATS = ("json", "html", "mermaid", "dot")
TOP_PER_STEP = 3  # candidates a step "leads" to in the graph and the HTML decision path

DISCLAIMER = (
    "Decision support, not a diagnosis: the ranking and the questions are proposals for a "
    "clinician to check against the patient and the cited records; confirm any diagnosis with "
    "clinical and genetic evaluation."
)

# --- JSON -----------------------------------------------------------------------------------


def chain_to_dict(chain: ReasoningChain) -> dict[str, Any]:
    """Every field of the chain; bare tuples (examinations done, what-if tops) become named
    objects so a reader of the JSON needs no positional convention."""
    d = asdict(chain)
    d["examinations_done"] = [{"exam_id": e, "result": r} for e, r in chain.examinations_done]
    d["what_if"] = [
        {"term_id": w.term_id, "answer": w.answer,
         "top": [{"concept_id": c, "label": lbl, "probability": p} for c, lbl, p in w.top]}
        for w in chain.what_if
    ]
    return {"schema": SCHEMA, **json_ready(d)}


def consultation_to_dict(session: Consultation, chains: Sequence[ReasoningChain]) -> dict[str, Any]:
    """The session as stored, plus the decision path: one chain per step."""
    return {**session.to_dict(), "chains": [chain_to_dict(c) for c in chains]}


# --- graph ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str  # safe for Mermaid and DOT: letters, digits, underscores
    kind: str  # finding | question | examination | candidate | step
    label: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    # supports | contradicts | asked | answered | revealed | next | leads,
    # and performed (step → examination) | noted (step → finding given outside a question)
    kind: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class DecisionGraph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


def node_id(prefix: str, raw: str) -> str:
    """A CURIE such as ``HP:0001250`` becomes ``f_HP_0001250``: Mermaid and DOT ids must not
    hold colons, and a prefix keeps ids off Mermaid keywords (``end``) and edge markers (o, x)."""
    return prefix + re.sub(r"\W", "_", raw, flags=re.ASCII)


def _step_id(index: int) -> str:
    return f"s{index}"


class _GraphBuilder:
    """Collects nodes and edges once each; an edge is only kept when both ends exist."""

    def __init__(self) -> None:
        self.nodes: dict[str, GraphNode] = {}
        self.edges: dict[tuple[str, str, str], GraphEdge] = {}

    def node(self, node: GraphNode) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def edge(self, source: str, target: str, kind: str, label: str = "") -> None:
        if source in self.nodes and target in self.nodes:
            self.edges.setdefault((source, target, kind), GraphEdge(source, target, kind, label))

    def graph(self) -> DecisionGraph:
        return DecisionGraph(tuple(self.nodes.values()), tuple(self.edges.values()))


def _labels(chains: Sequence[ReasoningChain]) -> dict[str, str]:
    """Term and disease labels as the chains gave them (later chains win)."""
    out: dict[str, str] = {}
    for ch in chains:
        out.update((f.term_id, f.label) for f in ch.findings)
        out.update((q.term_id, q.label) for q in ch.next_questions)
        for c in ch.differential:
            out[c.concept_id] = c.label
            for cl in c.supporting + c.against:
                out.setdefault(cl.term_id, cl.term_label)
                if cl.disease_term_id:
                    out.setdefault(cl.disease_term_id, cl.disease_term_label)
    return out


def _step_tops(
    session: Consultation, chains: Sequence[ReasoningChain]
) -> dict[int, tuple[tuple[str, str, float], ...]]:
    """The leading candidates after each step: the session's snapshot, or the chain's when the
    session kept none for that step."""
    tops = {s.index: tuple((c.concept_id, c.label, c.probability) for c in s.top) for s in session.history}
    for ch in chains:
        if not tops.get(ch.step):
            tops[ch.step] = tuple((c.concept_id, c.label, c.probability) for c in ch.differential)
    return {k: v[:TOP_PER_STEP] for k, v in sorted(tops.items())}


def _pct(p: float | None) -> str:
    if p is None or math.isnan(p):
        return "n/a"
    return "<0.1%" if 0 < p < 0.001 else f"{p:.1%}"


def _finding_values(session: Consultation, chains: Sequence[ReasoningChain]) -> dict[str, str]:
    """yes/no per term: the session's last answer, else what the last chain's findings or claims
    say (a chain can be written without its session)."""
    out: dict[str, str] = {}
    for ch in chains[-1:]:
        out.update((f.term_id, f.value) for f in ch.findings)
        for c in ch.differential:
            for cl in c.supporting + c.against:
                out.setdefault(cl.term_id, "yes" if cl.status == "observed" else "no")
    out.update((t, a.value) for t, a in session.latest().items())
    return {t: v for t, v in out.items() if v in ("yes", "no")}


def _add_findings(b: _GraphBuilder, values: dict[str, str], labels: dict[str, str]) -> None:
    for term, value in values.items():
        status = "observed" if value == "yes" else "excluded"
        b.node(GraphNode(node_id("f_", term), "finding", labels.get(term, term), f"{term} · {status}"))


def _step_node(step: Step | None, index: int, labels: dict[str, str]) -> GraphNode:
    if step is None:
        return GraphNode(_step_id(index), "step", f"step {index}", "")
    what = {"question": step.term, "examination": step.exam_id}.get(step.action)
    detail = f"{labels.get(what, what)}" if what else ""
    return GraphNode(_step_id(index), "step", f"step {index}: {step.action}", detail)


def _add_steps(b: _GraphBuilder, session: Consultation, chains: Sequence[ReasoningChain],
               labels: dict[str, str]) -> list[int]:
    by_index = {s.index: s for s in session.history}
    indices = sorted(set(by_index) | {c.step for c in chains})
    for i in indices:
        b.node(_step_node(by_index.get(i), i, labels))
    for a, z in zip(indices, indices[1:], strict=False):
        b.edge(_step_id(a), _step_id(z), "next")
    return indices


def _add_questions(b: _GraphBuilder, session: Consultation, labels: dict[str, str]) -> None:
    for s in session.history:
        if s.action != "question" or not s.term:
            continue
        gain = "" if s.gain is None else f"gain {s.gain:.2f} bits"
        detail = " · ".join(x for x in (s.term, f"answer {s.answer or '?'}", gain) if x)
        q = b.node(GraphNode(node_id("q_", s.term), "question", labels.get(s.term, s.term), detail))
        b.edge(_step_id(s.index), q, "asked", gain)
        b.edge(q, node_id("f_", s.term), "answered", s.answer or "")


def _exams_done(session: Consultation, chains: Sequence[ReasoningChain]) -> list[tuple[str, tuple[str, ...], int | None]]:
    """(exam id, findings shown, step) from the session, and from the last chain for any
    examination the session does not hold."""
    out: list[tuple[str, tuple[str, ...], int | None]] = [
        (e.exam_id, e.findings, e.step) for e in session.examinations
    ]
    seen = {e for e, _, _ in out}
    for ch in chains[-1:]:
        for exam_id, result in ch.examinations_done:
            if exam_id not in seen:
                terms = () if result == "normal" else tuple(result.replace(",", " ").split())
                out.append((exam_id, terms, None))
    return out


def _exam_names(chains: Sequence[ReasoningChain]) -> dict[str, str]:
    return {e.exam_id: e.name for ch in chains for e in ch.examinations}


def _add_examinations(b: _GraphBuilder, session: Consultation, chains: Sequence[ReasoningChain],
                      labels: dict[str, str]) -> None:
    names = _exam_names(chains)
    for exam_id, findings, step in _exams_done(session, chains):
        via_answers = tuple(a.term for a in session.answers if a.source == "examination" and a.note == exam_id)
        terms = tuple(dict.fromkeys(findings + via_answers))
        shown = ", ".join(labels.get(t, t) for t in findings) if findings else "normal"
        e = b.node(GraphNode(node_id("e_", exam_id), "examination", names.get(exam_id, exam_id), shown))
        if step is not None:
            b.edge(_step_id(step), e, "performed")
        for t in terms:
            b.edge(e, node_id("f_", t), "revealed")


def _add_noted(b: _GraphBuilder, session: Consultation) -> None:
    for a in session.answers:
        if a.source not in ("question", "examination"):
            b.edge(_step_id(a.step), node_id("f_", a.term), "noted", a.source)


def _candidate_probabilities(chains: Sequence[ReasoningChain],
                             tops: dict[int, tuple[tuple[str, str, float], ...]]) -> dict[str, float]:
    if chains:
        return {c.concept_id: c.probability for c in chains[-1].differential}
    last = list(tops.values())[-1:] or [()]
    return {cid: p for cid, _, p in last[0]}


def _add_candidates(b: _GraphBuilder, chains: Sequence[ReasoningChain],
                    tops: dict[int, tuple[tuple[str, str, float], ...]], labels: dict[str, str]) -> None:
    probs = _candidate_probabilities(chains, tops)
    ids = list(probs) + [cid for top in tops.values() for cid, _, _ in top]
    for cid in dict.fromkeys(ids):
        detail = f"{cid} · p={_pct(probs[cid])} now" if cid in probs else f"{cid} · not in the last differential"
        b.node(GraphNode(node_id("c_", cid), "candidate", labels.get(cid, cid), detail))
    for i, top in tops.items():
        for rank, (cid, _, p) in enumerate(top, 1):
            b.edge(_step_id(i), node_id("c_", cid), "leads", f"#{rank} {_pct(p)}")


def _claim_label(cl: Claim) -> str:
    freq = "freq n/a" if cl.frequency is None else f"freq {_pct(cl.frequency)}"
    return f"{cl.contribution:+.2f} · {freq}"


def _add_claims(b: _GraphBuilder, chains: Sequence[ReasoningChain]) -> None:
    """Only the last chain's claims: earlier ones were made on less and have been replaced."""
    for c in chains[-1].differential if chains else ():
        target = node_id("c_", c.concept_id)
        for kind, claims in (("supports", c.supporting), ("contradicts", c.against)):
            for cl in claims:
                b.edge(node_id("f_", cl.term_id), target, kind, _claim_label(cl))


def build_decision_graph(session: Consultation, chains: Sequence[ReasoningChain]) -> DecisionGraph:
    """Steps → questions → findings → candidates: how the consultation reached its differential."""
    labels = _labels(chains)
    tops = _step_tops(session, chains)
    b = _GraphBuilder()
    _add_steps(b, session, chains, labels)
    _add_findings(b, _finding_values(session, chains), labels)
    _add_questions(b, session, labels)
    _add_examinations(b, session, chains, labels)
    _add_noted(b, session)
    _add_candidates(b, chains, tops, labels)
    _add_claims(b, chains)
    return b.graph()


# --- Mermaid and DOT ------------------------------------------------------------------------

_MERMAID_ESCAPES = {
    "#": "#35;", '"': "#quot;", "[": "#91;", "]": "#93;", "(": "#40;", ")": "#41;",
    "{": "#123;", "}": "#125;", "<": "#lt;", ">": "#gt;", "|": "#124;", ";": "#59;",
    "&": "#amp;", "`": "#96;",
}
_MERMAID_SHAPES = {
    "step": ('(["', '"])'), "question": ('{"', '"}'), "finding": ('["', '"]'),
    "examination": ('[["', '"]]'), "candidate": ('{{"', '"}}'),
}
_MERMAID_ARROWS = {"contradicts": "-.->", "next": "==>"}
_MERMAID_CLASSES = {
    "step": "fill:#eef,stroke:#446", "question": "fill:#fff8e1,stroke:#b80",
    "finding": "fill:#fff,stroke:#555", "excluded": "fill:#f5f5f5,stroke:#999,stroke-dasharray:4 3",
    "examination": "fill:#e8f5e9,stroke:#2e7d32", "candidate": "fill:#f3e5f5,stroke:#6a1b9a",
}


def mermaid_escape(text: str) -> str:
    """Mermaid entity codes for every character its parser reads as syntax; newlines become
    ``<br>`` (the only markup left in a label)."""
    out = "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in text.replace("\r", ""))
    return out.replace("\n", "<br>")


def _text(n: GraphNode) -> str:
    return f"{n.label}\n{n.detail}" if n.detail else n.label


def _mermaid_class(n: GraphNode) -> str:
    return "excluded" if n.kind == "finding" and n.detail.endswith("excluded") else n.kind


def graph_to_mermaid(graph: DecisionGraph) -> str:
    lines = ["flowchart LR"]
    for n in graph.nodes:
        left, right = _MERMAID_SHAPES.get(n.kind, ('["', '"]'))
        lines.append(f"    {n.id}{left}{mermaid_escape(_text(n))}{right}")
    for e in graph.edges:
        arrow = _MERMAID_ARROWS.get(e.kind, "-->")
        label = mermaid_escape(f"{e.kind}: {e.label}" if e.label else e.kind)
        lines.append(f"    {e.source} {arrow}|{label}| {e.target}")
    groups: dict[str, list[str]] = {}
    for n in graph.nodes:
        groups.setdefault(_mermaid_class(n), []).append(n.id)
    for cls, ids in groups.items():
        lines.append(f"    classDef {cls} {_MERMAID_CLASSES.get(cls, 'fill:#fff')}")
        lines.append(f"    class {','.join(ids)} {cls}")
    return "\n".join(lines) + "\n"


_DOT_NODES = {
    "step": 'shape=box, style="rounded,filled", fillcolor="#eeeeff"',
    "question": 'shape=diamond, style=filled, fillcolor="#fff8e1"',
    "finding": "shape=ellipse",
    "excluded": "shape=ellipse, style=dashed",
    "examination": 'shape=box3d, style=filled, fillcolor="#e8f5e9"',
    "candidate": 'shape=hexagon, style=filled, fillcolor="#f3e5f5"',
}
_DOT_EDGES = {
    "supports": "color=forestgreen", "contradicts": "color=firebrick, style=dashed",
    "next": "style=bold", "leads": 'color="#6a1b9a"',
}


def dot_escape(text: str) -> str:
    """Inside a DOT double-quoted string only backslash, quote and line breaks need care."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")


def graph_to_dot(graph: DecisionGraph) -> str:
    lines = ["digraph consultation {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for n in graph.nodes:
        style = _DOT_NODES.get(_mermaid_class(n), "shape=box")
        lines.append(f'  "{n.id}" [label="{dot_escape(_text(n))}", {style}];')
    for e in graph.edges:
        label = dot_escape(f"{e.kind}: {e.label}" if e.label else e.kind)
        extra = _DOT_EDGES.get(e.kind)
        lines.append(f'  "{e.source}" -> "{e.target}" [label="{label}"{", " + extra if extra else ""}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- HTML -----------------------------------------------------------------------------------

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:78em;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;font-size:.9em;vertical-align:top}
th{background:#f3f3f3;text-align:left}.muted{color:#777}.pos{color:#176b2c}.neg{color:#a11}
.cat{background:#f3e5f5;padding:0 .3em;font-size:.8em}.warn{background:#fff3e0;border-left:4px solid #e65100;padding:.5em 1em}
.cand{margin-top:1.5em;border-top:2px solid #446}.flag{color:#a00;font-weight:bold}
pre{background:#f7f7f7;padding:.75em;overflow-x:auto;font-size:.85em;white-space:pre-wrap}"""


def _e(x: object) -> str:
    return html.escape(str(x))


def _zh(x: str | None, tag: str = "small") -> str:
    """The Chinese name beside the English one, when the knowledge base has it."""
    return f" <{tag} class='muted'>{_e(x)}</{tag}>" if x else ""


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Cells are HTML already escaped by the caller; headers are plain text."""
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _ref(r: KbRef) -> str:
    where = " ".join(x for x in (r.source, r.release) if x)
    line = f", line {r.line}" if r.line else ""
    what = r.reference or ("absent from the annotations" if r.kind == "absence" else r.kind)
    freq = f" · frequency {_e(r.frequency_raw)}" if r.frequency_raw else ""
    subject = " ".join(x for x in (r.disease_id, r.term_id) if x)
    return f"{_e(what)}{freq} <span class='muted'>({_e(subject)}; {_e(where)}{_e(line)})</span>"


def _refs(refs: Sequence[KbRef]) -> str:
    return "<br>".join(_ref(r) for r in refs) or "<span class='neg'>no record</span>"


def _header(session: Consultation, chains: Sequence[ReasoningChain]) -> str:
    last = chains[-1] if chains else None
    kb = (last.kb_version if last else "") or session.kb_version or "unknown"
    sw = (last.software_version if last else "") or session.software_version or __version__
    tables = (last.tables_version if last else "") or "unknown"
    patient = " · ".join(x for x in (
        f"sex {session.sex}" if session.sex else "",
        f"age {session.age_years:g} years" if session.age_years is not None else "",
        f"onset {session.onset_years:g} years" if session.onset_years is not None else "",
    ) if x)
    return (
        f"<h1>RareLens consultation {_e(session.id)}</h1>"
        f"<p class='warn'>{_e(DISCLAIMER)}</p>"
        f"<p>session {_e(session.id or '—')} · mode {_e(session.mode)} · language {_e(session.language)}"
        f"{' · ' + _e(patient) if patient else ''}</p>"
        f"<p class='muted'>knowledge base {_e(kb)} · RareLens {_e(sw)} · tables {_e(tables)}</p>"
    )


def _top_cell(top: Sequence[tuple[str, str, float]]) -> str:
    return "<br>".join(f"{i}. {_e(lbl)} <span class='muted'>{_e(cid)}</span> {_pct(p)}"
                       for i, (cid, lbl, p) in enumerate(top, 1)) or "—"


def _path_html(session: Consultation, chains: Sequence[ReasoningChain], labels: dict[str, str]) -> str:
    tops = _step_tops(session, chains)
    by_index = {s.index: s for s in session.history}
    rows = []
    for i in sorted(set(by_index) | set(tops)):
        s = by_index.get(i)
        asked = (s.term or s.exam_id or "") if s else ""
        what = f"{_e(asked)} {_e(labels.get(asked, ''))}" if asked else "—"
        gain = "" if s is None or s.gain is None else f"{s.gain:.2f} bits"
        rows.append([str(i), _e(s.action if s else ""), what, _e(s.answer or "") if s else "",
                     gain, _top_cell(tops.get(i, ()))])
    if not rows:
        return "<h2>Decision path</h2><p class='muted'>No step yet.</p>"
    return "<h2>Decision path</h2>" + _table(
        ("step", "action", "asked / examination", "answer", "gain", "leading candidates after it"), rows)


def _findings_html(chain: ReasoningChain) -> str:
    rows = [[_e(f.term_id), _e(f.label), _e(f.label_zh or ""),
             f"<span class='{'pos' if f.value == 'yes' else 'neg' if f.value == 'no' else 'muted'}'>{_e(f.value)}</span>",
             f"{_e(f.source)} <span class='muted'>step {f.step}</span>"] for f in chain.findings]
    return "<h2>Findings</h2>" + _table(("term", "label", "中文", "answer", "source"), rows)


def _claim_rows(claims: Sequence[Claim], side: str) -> list[list[str]]:
    return [[
        side, f"{_e(cl.term_id)} {_e(cl.term_label)} <span class='muted'>{_e(cl.status)}</span>",
        f"{_e(cl.disease_term_id)} {_e(cl.disease_term_label)}" if cl.disease_term_id else "—",
        _e(cl.match) + (f" <span class='muted'>{_e(cl.via_term_id)} {_e(cl.via_term_label)}</span>" if cl.via_term_id else ""),
        f"<span class='{'pos' if cl.contribution > 0 else 'neg'}'>{cl.contribution:+.2f}</span>",
        "n/a" if cl.frequency is None else _pct(cl.frequency), _refs(cl.refs),
    ] for cl in claims]


def _candidate_html(c: ChainCandidate) -> str:
    rows = _claim_rows(c.supporting, "for") + _claim_rows(c.against, "against")
    claims = _table(("", "patient finding", "matched disease term", "match", "contribution", "frequency",
                     "reference · source release"), rows) if rows else "<p class='muted'>No finding bears on it.</p>"
    return (f"<div class='cand'><h3>{c.rank}. {_e(c.label)}{_zh(c.label_zh)} {_pct(c.probability)}</h3>"
            f"<p class='muted'>disease records: {_refs(c.refs)}</p>{claims}</div>")


def _differential_html(chain: ReasoningChain) -> str:
    rows = [[str(c.rank), f"{_e(c.label)}{_zh(c.label_zh, 'span')}",
             _e(", ".join(c.ids) or c.concept_id), _pct(c.probability), _e(", ".join(c.genes) or "—"),
             _e(", ".join(c.inheritance) or "unknown"),
             "<span class='cat'>national catalog</span>" if c.in_catalog else ""] for c in chain.differential]
    head = ("rank", "disease", "ids", "probability", "genes", "inheritance", "China rare-disease catalog")
    return (f"<h2>Differential at step {chain.step}</h2>"
            f"<p class='muted'>uncertainty left among the leading candidates: {chain.entropy_bits:.2f} bits</p>"
            + _table(head, rows) + "".join(_candidate_html(c) for c in chain.differential))


def _expect(xs: Sequence[Expectation]) -> str:
    return "<br>".join(
        f"{_e(x.label)} <span class='muted'>(p {_pct(x.probability)}, expects it {_pct(x.frequency)})</span>"
        for x in xs) or "—"


def _exam_row(x: ExamRecommendation, labels: dict[str, str]) -> list[str]:
    reveals = ", ".join(f"{t} {labels.get(t, '')}".strip() for t in x.findings)
    refs = tuple(r for ex in x.expects_abnormal + x.expects_normal for r in ex.refs)
    genes = f"<br><b>gene list:</b> {_e(', '.join(x.genes))}" if x.genes else ""
    return [f"{_e(x.name)}{_zh(x.name_zh)}<br><span class='muted'>{_e(x.kind)} · {_e(x.exam_id)}</span>",
            f"{x.gain:.2f} bits", _pct(x.p_abnormal), _expect(x.expects_abnormal), _expect(x.expects_normal),
            _e(reveals or "—") + genes,
            (_refs(refs) if refs else "—") + f"<br><span class='muted'>table {_e(x.table_version)}</span>"]


def _examinations_html(chain: ReasoningChain, labels: dict[str, str]) -> str:
    done = "".join(f"<li>{_e(e)}: {_e(r)}</li>" for e, r in chain.examinations_done)
    done_html = f"<p>Done:</p><ul>{done}</ul>" if done else ""
    if not chain.examinations:
        return f"<h2>Recommended examinations</h2>{done_html}<p class='muted'>None recommended.</p>"
    head = ("examination", "gain", "P(abnormal)", "abnormal in", "normal in", "would reveal", "records")
    return ("<h2>Recommended examinations</h2>" + done_html
            + _table(head, [_exam_row(x, labels) for x in chain.examinations]))


def _question_row(q: Question) -> list[str]:
    lay = f"<br><span class='muted'>{_e(q.layperson)}</span>" if q.layperson else ""
    return [f"{_e(q.term_id)} {_e(q.label)}{_zh(q.label_zh)}{lay}",
            f"{q.gain:.2f} bits", _pct(q.p_yes), _expect(q.favours), _expect(q.against)]


def _what_if_html(chain: ReasoningChain, labels: dict[str, str]) -> str:
    q = _table(("next question", "gain", "P(yes)", "expected by", "not expected by"),
               [_question_row(x) for x in chain.next_questions]) if chain.next_questions else ""
    rows = [[f"{_e(w.term_id)} {_e(labels.get(w.term_id, ''))}", _e(w.answer), _top_cell(w.top)]
            for w in chain.what_if]
    w = _table(("if the finding", "is answered", "the list would lead with"), rows) if rows else ""
    return "<h2>What would change the ranking</h2>" + ((q + w) or "<p class='muted'>Nothing left to ask.</p>")


def _flags_html(chain: ReasoningChain) -> str:
    flags = [[f"<span class='flag'>{_e(r.label)}</span>", _e(f"{r.term_id} (under {r.flag_id})"),
              f"{_e(r.advice)}<br>{_e(r.advice_zh)}"] for r in chain.red_flags]
    hints = [[f"{_e(s.name)}{_zh(s.name_zh)}", f"{_e(s.mdt_clinic)}{_zh(s.mdt_clinic_zh)}", _e(", ".join(s.because))]
             for s in chain.specialties]
    return (
        "<h2>Red flags</h2>" + (_table(("red flag", "finding", "advice"), flags) if flags else "<p class='muted'>None.</p>")
        + "<h2>Specialties</h2>"
        + (_table(("specialty", "MDT clinic", "because of"), hints) if hints else "<p class='muted'>None.</p>")
    )


def _chain_html(chain: ReasoningChain, labels: dict[str, str]) -> str:
    return (_findings_html(chain) + _differential_html(chain) + _examinations_html(chain, labels)
            + _flags_html(chain) + _what_if_html(chain, labels))


def render_consultation_html(
    session: Consultation, chains: Sequence[ReasoningChain], *, transcript: Sequence[str] = ()
) -> str:
    """One self-contained page (inline CSS, no script) a clinician can open offline or attach to
    a record; the graph is shown as Mermaid source so the page needs nothing to load."""
    labels = _labels(chains)
    last = _chain_html(chains[-1], labels) if chains else "<p class='muted'>No reasoning chain yet.</p>"
    talk = ("<h2>Transcript</h2><pre class='transcript'>" + "\n".join(_e(x) for x in transcript) + "</pre>"
            if transcript else "")
    mermaid = graph_to_mermaid(build_decision_graph(session, chains))
    lang = "zh" if session.language == "zh" else "en"
    return (
        f"<!doctype html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>RareLens consultation {_e(session.id)}</title><style>{_CSS}</style></head><body>"
        + _header(session, chains) + _path_html(session, chains, labels) + last + talk
        + "<h2>Decision graph</h2><p class='muted'>Mermaid source (paste into any Mermaid viewer):</p>"
        f"<pre class='mermaid-source'>{_e(mermaid)}</pre>"
        f"<footer><p class='muted'>{_e(DISCLAIMER)}</p></footer></body></html>\n"
    )


# --- files ----------------------------------------------------------------------------------


def render_consultation(session: Consultation, chains: Sequence[ReasoningChain], *, fmt: str,
                        transcript: Sequence[str] = ()) -> str:
    if fmt == "json":
        return json.dumps(consultation_to_dict(session, chains), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return render_consultation_html(session, chains, transcript=transcript)
    if fmt == "mermaid":
        return graph_to_mermaid(build_decision_graph(session, chains))
    if fmt == "dot":
        return graph_to_dot(build_decision_graph(session, chains))
    raise ValueError(f"unknown consultation format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_consultation(path: Path, session: Consultation, chains: Sequence[ReasoningChain], *, fmt: str,
                       transcript: Sequence[str] = ()) -> None:
    """Renders before opening the file, so an unknown format leaves no empty file behind."""
    text = render_consultation(session, chains, fmt=fmt, transcript=transcript)
    path.write_text(text, encoding="utf-8")
