"""Consultation writers on a hand-made session (Marfan syndrome against Loeys-Dietz syndrome 1):
JSON keeps every record behind a claim, the graph links findings to candidates, Mermaid and DOT
escape their labels, and the HTML page is self-contained, escaped and says it is no diagnosis."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rarelens.consult.model import (
    ChainCandidate,
    Claim,
    ExamRecommendation,
    Expectation,
    Finding,
    KbRef,
    Question,
    ReasoningChain,
    RedFlagHit,
    SpecialtyHint,
    WhatIf,
)
from rarelens.consult.state import Answer, CandidateSnapshot, Consultation, ExaminationResult, Step
from rarelens.io.consult_writers import (
    SCHEMA,
    build_decision_graph,
    chain_to_dict,
    consultation_to_dict,
    graph_to_dot,
    graph_to_mermaid,
    render_consultation_html,
    write_consultation,
)

MFS, LDS = "OMIM:154700", "OMIM:609192"
ARACHNODACTYLY, ECTOPIA, AORTIC_ROOT, BIFID_UVULA = "HP:0001166", "HP:0001083", "HP:0002616", "HP:0000193"
LABELS = {ARACHNODACTYLY: "Arachnodactyly", ECTOPIA: "Ectopia lentis", AORTIC_ROOT: "Aortic root aneurysm",
          BIFID_UVULA: "Bifid uvula"}
RELEASE = "2025-01-16"


def ref(disease: str, term: str, reference: str, line: int, freq: str = "HP:0040281") -> KbRef:
    return KbRef("annotation", disease, term, freq, reference, "hpo.annotations", RELEASE, line)


def claim(term: str, disease: str, contribution: float, frequency: float | None, line: int, *,
          status: str = "observed", match: str = "exact", reference: str = "PMID:20301510") -> Claim:
    matched = term if frequency is not None else ""  # not annotated: nothing on the disease side
    kind_ref = ref(disease, term, reference, line) if frequency is not None else KbRef(
        "absence", disease, term, source="hpo.annotations", release=RELEASE)
    return Claim(term, LABELS[term], status, matched, LABELS[term] if matched else "", match, contribution,
                 frequency, (kind_ref,))


def finding(term: str, value: str, source: str, step: int) -> Finding:
    return Finding(term, LABELS[term], None, None, value, source, step)


def candidates(step: int) -> tuple[ChainCandidate, ...]:
    p_mfs = 0.62 if step == 0 else 0.8312345678
    mfs_for = [claim(ARACHNODACTYLY, MFS, 2.1, 0.9, 101, reference=MFS)]
    lds_for = [claim(ARACHNODACTYLY, LDS, 1.2, 0.55, 2201, reference="PMID:16928994")]
    lds_against = [claim(BIFID_UVULA, LDS, -0.9, 0.45, 2207, status="excluded", match="excluded contradicts",
                         reference="PMID:16928994")]
    if step >= 1:
        mfs_for.append(claim(ECTOPIA, MFS, 2.6, 0.6, 104, reference=MFS))
        lds_against.append(claim(ECTOPIA, LDS, -1.4, None, 0, match="not annotated"))
    return (
        ChainCandidate(1, MFS, "Marfan syndrome", "马方综合征", (MFS, "ORPHA:558"), p_mfs, ("FBN1",),
                       ("autosomal dominant",), True, tuple(mfs_for), (),
                       (KbRef("disease", MFS, reference=MFS, source="hpo.annotations", release=RELEASE),)),
        ChainCandidate(2, LDS, "Loeys-Dietz syndrome 1", None, (LDS,), 1 - p_mfs, ("TGFBR1",),
                       ("autosomal dominant",), False, tuple(lds_for), tuple(lds_against),
                       (KbRef("disease", LDS, reference=LDS, source="hpo.annotations", release=RELEASE),)),
    )


def echo() -> ExamRecommendation:
    return ExamRecommendation(
        "echocardiography", "Echocardiography", "超声心动图", "imaging", 0.42, 0.7,
        (Expectation(MFS, "Marfan syndrome", 0.83, 0.7, (ref(MFS, AORTIC_ROOT, MFS, 107),)),
         Expectation(LDS, "Loeys-Dietz syndrome 1", 0.17, 0.9, (ref(LDS, AORTIC_ROOT, "PMID:16928994", 2210),))),
        (), (AORTIC_ROOT,), (), "exam-table 2025-03",
    )


def chain(step: int) -> ReasoningChain:
    findings = [finding(ARACHNODACTYLY, "yes", "start", 0), finding(BIFID_UVULA, "no", "start", 0)]
    if step >= 1:
        findings.append(finding(ECTOPIA, "yes", "question", 1))
    question = Question(ECTOPIA, "Ectopia lentis", "晶状体异位", "Dislocated lens", 0.9, 0.5,
                        (Expectation(MFS, "Marfan syndrome", 0.62, 0.6, (ref(MFS, ECTOPIA, MFS, 104),)),),
                        (Expectation(LDS, "Loeys-Dietz syndrome 1", 0.38, 0.0),))
    return ReasoningChain(
        step=step, findings=tuple(findings), examinations_done=(),
        examinations=(echo(),) if step >= 1 else (), differential=candidates(step),
        next_questions=(question,) if step == 0 else (),
        what_if=(WhatIf(ECTOPIA, "yes", ((MFS, "Marfan syndrome", 0.83), (LDS, "Loeys-Dietz syndrome 1", 0.17))),)
        if step == 0 else (),
        red_flags=(RedFlagHit(AORTIC_ROOT, "HP:0004942", "Aortic aneurysm", "Urgent cardiology review", "尽快心内科评估"),)
        if step >= 1 else (),
        specialties=(SpecialtyHint("Cardiology", "心内科", "Marfan MDT", "马方综合征多学科门诊", (ARACHNODACTYLY,)),),
        entropy_bits=0.96 if step == 0 else 0.65, kb_version=f"rarelens-kb {RELEASE}",
        software_version="0.1.0", tables_version="consult-tables 1",
    )


def session() -> Consultation:
    def top(step: int) -> tuple[CandidateSnapshot, ...]:
        return tuple(CandidateSnapshot(c.rank, c.concept_id, c.label, c.probability) for c in candidates(step))

    return Consultation(
        id="case-7", mode="clinician", language="en", kb_version=f"rarelens-kb {RELEASE}", software_version="0.1.0",
        answers=(Answer(ARACHNODACTYLY, "yes", "start", 0), Answer(BIFID_UVULA, "no", "start", 0),
                 Answer(ECTOPIA, "yes", "question", 1)),
        history=(Step(0, "start", top=top(0)), Step(1, "question", term=ECTOPIA, answer="yes", gain=0.9, top=top(1))),
    )


def chains() -> tuple[ReasoningChain, ReasoningChain]:
    return chain(0), chain(1)


# --- JSON -----------------------------------------------------------------------------------


def test_chain_json_round_trips_values_and_refs() -> None:
    c = chain(1)
    data = json.loads(json.dumps(chain_to_dict(c), ensure_ascii=False))
    assert data["schema"] == SCHEMA
    assert data["step"] == 1
    assert data["differential"][0]["probability"] == pytest.approx(0.831235)
    assert data["differential"][0]["label_zh"] == "马方综合征"
    assert data["differential"][1]["label_zh"] is None
    first = data["differential"][0]["supporting"][0]
    assert first["refs"] == [asdict(c.differential[0].supporting[0].refs[0])]
    assert first["refs"][0]["release"] == RELEASE
    assert first["refs"][0]["line"] == 101
    assert data["differential"][1]["against"][1]["frequency"] is None
    assert data["examinations"][0]["expects_abnormal"][0]["refs"][0]["reference"] == MFS
    assert data["red_flags"][0]["flag_id"] == "HP:0004942"


def test_every_claim_in_json_has_a_record() -> None:
    for c in chains():
        for cand in chain_to_dict(c)["differential"]:
            assert cand["refs"], cand["concept_id"]
            for cl in cand["supporting"] + cand["against"]:
                assert cl["refs"], (cand["concept_id"], cl["term_id"])
                assert all(r["source"] and r["release"] for r in cl["refs"])


def test_what_if_and_done_examinations_are_named_objects() -> None:
    c = replace(chain(0), examinations_done=(("echocardiography", "normal"),))
    data = chain_to_dict(c)
    assert data["what_if"][0]["top"][0] == {"concept_id": MFS, "label": "Marfan syndrome", "probability": 0.83}
    assert data["examinations_done"] == [{"exam_id": "echocardiography", "result": "normal"}]


def test_consultation_json_is_the_session_plus_the_path() -> None:
    s = session()
    data = consultation_to_dict(s, chains())
    assert Consultation.from_dict({k: v for k, v in data.items() if k != "chains"}) == s
    assert [c["step"] for c in data["chains"]] == [0, 1]
    json.dumps(data)


# --- graph ----------------------------------------------------------------------------------


def test_graph_links_findings_to_candidates() -> None:
    g = build_decision_graph(session(), chains())
    ids = {n.id: n for n in g.nodes}
    edges = {(e.source, e.target, e.kind): e for e in g.edges}
    assert ids["f_HP_0001166"].kind == "finding"
    assert ids["c_OMIM_154700"].kind == "candidate"
    assert "83.1%" in ids["c_OMIM_154700"].detail
    assert ("f_HP_0001166", "c_OMIM_154700", "supports") in edges
    assert ("f_HP_0001083", "c_OMIM_154700", "supports") in edges
    assert ("f_HP_0001083", "c_OMIM_609192", "contradicts") in edges
    assert "+2.10" in edges[("f_HP_0001166", "c_OMIM_154700", "supports")].label
    assert "90.0%" in edges[("f_HP_0001166", "c_OMIM_154700", "supports")].label
    assert ("s1", "q_HP_0001083", "asked") in edges
    assert edges[("q_HP_0001083", "f_HP_0001083", "answered")].label == "yes"
    assert ("s0", "s1", "next") in edges
    assert ("s1", "c_OMIM_154700", "leads") in edges
    assert "excluded" in ids["f_HP_0000193"].detail
    assert len(ids) == len(g.nodes)
    assert len({(e.source, e.target, e.kind) for e in g.edges}) == len(g.edges)
    assert all(e.source in ids and e.target in ids for e in g.edges)
    assert all(re.fullmatch(r"\w+", n.id, re.ASCII) for n in g.nodes)


def test_graph_shows_examinations_done() -> None:
    s = replace(session(), examinations=(ExaminationResult("echocardiography", (AORTIC_ROOT,), False, 1),),
                answers=session().answers + (Answer(AORTIC_ROOT, "yes", "examination", 1, "echocardiography"),))
    g = build_decision_graph(s, chains())
    edges = {(e.source, e.target, e.kind) for e in g.edges}
    assert ("e_echocardiography", "f_HP_0002616", "revealed") in edges
    assert ("s1", "e_echocardiography", "performed") in edges
    assert next(n for n in g.nodes if n.id == "e_echocardiography").label == "Echocardiography"


def tricky_chains() -> tuple[ReasoningChain, ...]:
    c0, c1 = chains()
    odd = replace(c1.findings[0], label='Arachnodactyly "spider" [fingers] (long) <b>x</b> | a;b')
    return c0, replace(c1, findings=(odd,) + c1.findings[1:])


_MERMAID_NODE = re.compile(r"^    (\w+)(\(\[|\{\{|\[\[|\{|\[)\"(.*)\"(\]\)|\}\}|\]\]|\}|\])$")
_MERMAID_EDGE = re.compile(r"^    (\w+) (-->|-\.->|==>)\|([^|]*)\| (\w+)$")


def test_mermaid_defines_every_node_an_edge_uses_and_escapes_labels() -> None:
    text = graph_to_mermaid(build_decision_graph(session(), tricky_chains()))
    lines = text.splitlines()
    assert lines[0].startswith("flowchart")
    defined, edges = set(), []
    for line in lines[1:]:
        if m := _MERMAID_NODE.match(line):
            assert not re.search(r'["\[\]{}()|<>]', m.group(3).replace("<br>", "")), line
            defined.add(m.group(1))
        elif m := _MERMAID_EDGE.match(line):
            assert not re.search(r'["\[\]{}()<>]', m.group(3)), line
            edges.append((m.group(1), m.group(4)))
        else:
            assert line.lstrip().startswith(("classDef ", "class ")), line
    assert edges
    assert all(a in defined and b in defined for a, b in edges)
    assert "Arachnodactyly #quot;spider#quot; #91;fingers#93; #40;long#41; #lt;b#gt;x#lt;/b#gt; #124; a#59;b" in text


def test_dot_is_balanced_and_quotes_labels() -> None:
    text = graph_to_dot(build_decision_graph(session(), tricky_chains()))
    assert text.startswith("digraph consultation {")
    assert text.rstrip().endswith("}")
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    assert '"' not in unquoted.replace('""', "")
    assert unquoted.count("{") == unquoted.count("}") == 1
    assert unquoted.count("[") == unquoted.count("]")
    assert 'label="Arachnodactyly \\"spider\\" [fingers]' in text
    assert '"f_HP_0001166" -> "c_OMIM_154700" [label="supports: +2.10' in text


# --- HTML -----------------------------------------------------------------------------------


class _Structure(HTMLParser):
    """Every opened element (bar void ones) must be closed in order."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> with {self.stack[-3:]} open")
        else:
            self.stack.pop()


def test_html_is_self_contained_escaped_and_balanced() -> None:
    page = render_consultation_html(session(), tricky_chains(), transcript=("Doctor: any <b>lens</b> problems?",
                                                                            "Patient: yes"))
    p = _Structure()
    p.feed(page)
    p.close()
    assert not p.errors
    assert not p.stack
    assert {"html", "head", "body", "table", "pre", "h1", "h2"} <= p.seen
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "http" not in page
    assert "not a diagnosis" in page
    for text in ("Marfan syndrome", "Loeys-Dietz syndrome 1", "马方综合征", "FBN1", "TGFBR1", "OMIM:609192",
                 "Echocardiography", "PMID:16928994", "hpo.annotations 2025-01-16", "line 101",
                 "rarelens-kb 2025-01-16", "consult-tables 1", "case-7", "national catalog", "Urgent cardiology review",
                 "Marfan MDT", "Mermaid source", "flowchart LR", "Patient: yes"):
        assert text in page, text
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<b>lens</b>" not in page
    assert "&lt;b&gt;lens&lt;/b&gt;" in page


def test_html_decision_path_lists_each_step() -> None:
    page = render_consultation_html(session(), chains())
    path = page.split("<h2>Decision path</h2>")[1].split("<h2>")[0]
    assert "HP:0001083 Ectopia lentis" in path
    assert "0.90 bits" in path
    assert "83.1%" in path
    assert "62.0%" in path


def test_html_without_chains_still_renders() -> None:
    page = render_consultation_html(Consultation(id="empty"), ())
    assert "No reasoning chain yet" in page
    assert "not a diagnosis" in page


# --- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "start"), [("json", "{"), ("html", "<!doctype html>"), ("mermaid", "flowchart LR"),
                                            ("dot", "digraph consultation {")])
def test_write_consultation_writes_each_format(tmp_path: Path, fmt: str, start: str) -> None:
    out = tmp_path / f"case.{fmt}"
    write_consultation(out, session(), chains(), fmt=fmt, transcript=("Doctor: 你好",))
    text = out.read_text(encoding="utf-8")
    assert text.startswith(start)
    if fmt == "json":
        assert json.loads(text)["chains"][1]["differential"][0]["label_zh"] == "马方综合征"


def test_write_consultation_rejects_unknown_format(tmp_path: Path) -> None:
    out = tmp_path / "case.pdf"
    with pytest.raises(ValueError, match="unknown consultation format 'pdf'"):
        write_consultation(out, session(), chains(), fmt="pdf")
    assert not out.exists()
