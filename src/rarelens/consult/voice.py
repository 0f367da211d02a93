"""Deterministic voices for a consultation step: what the clinician and the patient are told.

Two audiences read the same `ReasoningChain`. The clinician gets HPO ids, probabilities and the
records behind every claim; the patient gets plain words (HPO layperson synonyms, Chinese
labels), questions they can answer, where to go and when to hurry — and never a diagnosis
stated as fact, because a ranking of candidates is not one. Every utterance that names a
disease, a frequency or an examination carries the `KbRef`s of the values it was made from, so
a sentence can always be traced back to the knowledge base; the templates add wording only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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

MODES = ("clinician", "patient")
LANGUAGES = ("en", "zh")
KINDS = ("question", "differential", "finding", "examination", "guidance", "red-flag", "disclaimer", "status")
PATIENT_CANDIDATES = 3  # at most this many conditions are named to a patient, as possibilities
QUESTIONS = 3
EXAMINATIONS = 3
CLAIMS_FOR, CLAIMS_AGAINST = 3, 2

# Phrases that state a diagnosis as certain; patient-mode text never contains them (compared
# case-insensitively). The guard drops model sentences holding them.
FORBIDDEN_CERTAINTY: tuple[str, ...] = (
    "you have",
    "you've got",
    "you suffer from",
    "you are diagnosed",
    "you have been diagnosed",
    "diagnosed with",
    "the diagnosis is",
    "your diagnosis",
    "confirmed",
    "definitely",
    "certainly",
    "without doubt",
    "it is certain",
    "您患有",
    "你患有",
    "您得了",
    "你得了",
    "确诊",
    "诊断为",
    "肯定是",
    "一定是",
    "毫无疑问",
)


@dataclass(frozen=True, slots=True)
class Utterance:
    """One line said to the reader, with the records it rests on (empty only for wording that
    states no knowledge-base fact: status, disclaimer)."""

    text: str
    refs: tuple[KbRef, ...]
    kind: str


# --- answers ---------------------------------------------------------------------------------

_ANSWER_WORDS: dict[str, str] = {
    **dict.fromkeys(("y", "yes", "yeah", "yep", "是", "是的", "有", "有的", "对"), "yes"),
    **dict.fromkeys(("n", "no", "nope", "否", "不是", "没有", "无", "没"), "no"),
    **dict.fromkeys(
        ("u", "unknown", "?", "？", "don't know", "dont know", "not sure", "不知道", "不清楚", "不确定"),
        "unknown",
    ),
}


def parse_answer(text: str) -> str | None:
    """yes / no / unknown for the usual short replies in English and Chinese; None when the reply
    needs reading (then a model may be asked, and only its yes/no/unknown is accepted)."""
    t = " ".join(text.strip().lower().split())
    if t in _ANSWER_WORDS:
        return _ANSWER_WORDS[t]
    return _ANSWER_WORDS.get(t.rstrip(".!。！,，~ "))


# --- questions -------------------------------------------------------------------------------


def render_question(q: Question, *, mode: str, language: str) -> Utterance:
    """A clinician sees what the answer would separate; a patient sees only the finding, in
    words they use, and no disease names (naming them would suggest an answer)."""
    _check(mode, language)
    return _question(q, mode, language, {})


def _question(q: Question, mode: str, language: str, labels: dict[str, str]) -> Utterance:
    refs = _unique((_term_ref(q.term_id),), *(e.refs for e in q.favours + q.against))
    if mode == "patient":
        return Utterance(_patient_question(q, language), refs, "question")
    return Utterance(_clinician_question(q, language, labels), refs, "question")


def _patient_question(q: Question, language: str) -> str:
    if language == "zh":
        return f"您（或您的孩子）是否出现过{q.label_zh or q.label}？"
    return f"Have you (or your child) had {_plain_en(q.layperson, q.label)}?"


def _clinician_question(q: Question, language: str, labels: dict[str, str]) -> str:
    if language == "zh":
        parts = [f"预期信息增益 {q.gain:.2f} 比特，预计回答“是”的概率 {_pct(q.p_yes)}"]
        if q.favours:
            parts.append("预期出现于：" + "、".join(_expectation(e, "zh", labels) for e in q.favours))
        if q.against:
            parts.append("预期不出现于：" + "、".join(_expectation(e, "zh", labels) for e in q.against))
        return f"是否存在 {q.term_id} {q.label_zh or q.label}？（{'；'.join(parts)}）"
    parts = [f"expected information gain {q.gain:.2f} bits, P(yes) {_pct(q.p_yes)}"]
    if q.favours:
        parts.append("expected in " + ", ".join(_expectation(e, "en") for e in q.favours))
    if q.against:
        parts.append("not expected in " + ", ".join(_expectation(e, "en") for e in q.against))
    return f"Is {q.term_id} {q.label} present? ({'; '.join(parts)})"


def _expectation(e: Expectation, language: str, labels: dict[str, str] | None = None) -> str:
    label = (labels or {}).get(e.concept_id, e.label)
    if e.frequency <= 0:
        return label
    return f"{label}（{_pct(e.frequency)}）" if language == "zh" else f"{label} ({_pct(e.frequency)})"


# --- the chain -------------------------------------------------------------------------------


def render_chain(chain: ReasoningChain, *, mode: str, language: str, top: int = 5) -> tuple[Utterance, ...]:
    _check(mode, language)
    if mode == "patient":
        return _patient_chain(chain, language, top)
    return _clinician_chain(chain, language, top)


def render_text(utterances: Iterable[Utterance]) -> str:
    return "\n".join(u.text for u in utterances)


# --- clinician -------------------------------------------------------------------------------


def _clinician_chain(chain: ReasoningChain, lang: str, top: int) -> tuple[Utterance, ...]:
    zh_terms = _zh_terms(chain)
    zh_diseases = _zh_diseases(chain) if lang == "zh" else {}
    out = [_clinician_status(chain, lang)]
    out += [_clinician_red_flag(h, chain.tables_version, lang) for h in chain.red_flags]
    out += _findings_summary(chain.findings, lang)
    if chain.examinations_done:
        out.append(_exams_done(chain, lang))
    out += [_clinician_candidate(c, lang, zh_terms) for c in chain.differential[:top]]
    out += [_clinician_exam(e, chain.tables_version, lang, zh_diseases) for e in chain.examinations]
    out += [_question(q, "clinician", lang, zh_diseases) for q in chain.next_questions[:QUESTIONS]]
    out += [_what_if(w, chain, lang) for w in chain.what_if]
    out += [_clinician_specialty(s, chain.tables_version, lang) for s in chain.specialties]
    out.append(_clinician_disclaimer(lang))
    return tuple(out)


def _clinician_status(chain: ReasoningChain, lang: str) -> Utterance:
    n, h = len(chain.differential), chain.entropy_bits
    versions = (chain.kb_version, chain.software_version, chain.tables_version)
    if lang == "zh":
        text = (f"第 {chain.step} 步：已排序 {n} 个候选疾病；主要候选之间剩余不确定性 {h:.2f} 比特"
                f"（知识库 {versions[0]}，RareLens {versions[1]}，表格 {versions[2]}）。")
    else:
        text = (f"Step {chain.step}: {n} candidates ranked; {h:.2f} bits of uncertainty left among the "
                f"leading candidates (knowledge base {versions[0]}, RareLens {versions[1]}, tables {versions[2]}).")
    return Utterance(text, (), "status")


_SOURCE_ZH = {"start": "初始", "question": "问诊", "examination": "检查", "text": "文本", "answers-file": "答案文件"}
_VALUE_HEAD = {
    "en": {"yes": "Observed", "no": "Excluded", "unknown": "Unknown"},
    "zh": {"yes": "存在", "no": "排除", "unknown": "未知"},
}


def _findings_summary(findings: tuple[Finding, ...], lang: str) -> list[Utterance]:
    out = []
    for value, head in _VALUE_HEAD[lang].items():
        group = [f for f in findings if f.value == value]
        if not group:
            continue
        if lang == "zh":
            items = "、".join(f"{f.term_id} {f.label_zh or f.label}（{_SOURCE_ZH.get(f.source, f.source)}）" for f in group)
            text = f"{head}：{items}。"
        else:
            text = f"{head}: " + ", ".join(f"{f.term_id} {f.label} ({f.source})" for f in group) + "."
        out.append(Utterance(text, tuple(_term_ref(f.term_id) for f in group), "finding"))
    return out


def _exams_done(chain: ReasoningChain, lang: str) -> Utterance:
    refs = tuple(_exam_ref(e, chain.tables_version) for e, _ in chain.examinations_done)
    if lang == "zh":
        items = "、".join(f"{e}（{'正常' if r == 'normal' else r}）" for e, r in chain.examinations_done)
        return Utterance(f"已做检查：{items}。", refs, "finding")
    items = ", ".join(f"{e} ({r})" for e, r in chain.examinations_done)
    return Utterance(f"Examinations done: {items}.", refs, "finding")


def _clinician_candidate(c: ChainCandidate, lang: str, zh_terms: dict[str, str]) -> Utterance:
    sup = sorted(c.supporting, key=lambda x: -x.contribution)[:CLAIMS_FOR]
    agn = sorted(c.against, key=lambda x: x.contribution)[:CLAIMS_AGAINST]
    refs = _unique(c.refs, *(x.refs for x in sup + agn))
    ids = ", ".join(c.ids or (c.concept_id,))
    if lang == "zh":
        parts = [f"#{c.rank} {c.label_zh or c.label}（{ids}）：{_prob(c.probability)}"]
        if c.genes:
            parts.append("基因 " + "、".join(c.genes))
        if c.inheritance:
            parts.append("遗传方式 " + "、".join(c.inheritance))
        if sup:
            parts.append("支持：" + "；".join(_claim(x, "zh", zh_terms) for x in sup))
        if agn:
            parts.append("不支持：" + "；".join(_claim(x, "zh", zh_terms) for x in agn))
        return Utterance("；".join(parts) + "。", refs, "differential")
    head = [f"#{c.rank} {c.label} ({ids}): {_prob(c.probability)}"]
    if c.genes:
        head.append("genes " + ", ".join(c.genes))
    if c.inheritance:
        head.append("inheritance " + ", ".join(c.inheritance))
    parts = ["; ".join(head)]
    if sup:
        parts.append("For: " + "; ".join(_claim(x, "en", zh_terms) for x in sup))
    if agn:
        parts.append("Against: " + "; ".join(_claim(x, "en", zh_terms) for x in agn))
    return Utterance(". ".join(parts) + ".", refs, "differential")


_MATCH_ZH = {
    "exact": "完全匹配",
    "patient more specific": "患者表型更具体",
    "patient less specific": "患者表型更笼统",
    "shared ancestor": "仅有共同上位表型",
    "unexplained": "疾病未注释此表型",
    "excluded contradicts": "已排除的表型与注释矛盾",
    "contradicts NOT": "与“无此表型”注释矛盾",
    "not annotated": "疾病未注释此表型",
}


def _claim(x: Claim, lang: str, zh_terms: dict[str, str]) -> str:
    """The finding, the disease term it met (when different), how, how often, and from where."""
    zh = lang == "zh"
    label = zh_terms.get(x.term_id, x.term_label) if zh else x.term_label
    text = f"{x.term_id} {label}"
    if x.disease_term_id and x.disease_term_id != x.term_id:
        dlabel = zh_terms.get(x.disease_term_id, x.disease_term_label) if zh else x.disease_term_label
        text += f" → {x.disease_term_id} {dlabel}"
    detail = [_MATCH_ZH.get(x.match, x.match) if zh else x.match]
    if x.via_term_id:
        vlabel = zh_terms.get(x.via_term_id, x.via_term_label) if zh else x.via_term_label
        detail[0] += f"：{x.via_term_id} {vlabel}" if zh else f" {x.via_term_id} {vlabel}"
    if x.frequency is not None:
        detail.append(f"频率 {_pct(x.frequency)}" if zh else f"frequency {_pct(x.frequency)}")
    if x.refs:
        detail.append(_cite(x.refs, lang))
    return f"{text}（{'，'.join(detail)}）" if zh else f"{text} ({', '.join(detail)})"


def _cite(refs: tuple[KbRef, ...], lang: str) -> str:
    r = refs[0]
    where = r.source + (f":{r.line}" if r.line else "")
    if r.kind == "absence":
        text = f"{r.source} {r.release} 未注释" if lang == "zh" else f"not annotated in {r.source} {r.release}"
    else:
        text = " ".join(p for p in (r.reference, where) if p)
    more = len(refs) - 1
    return text + (f" +{more}" if more else "")


def _clinician_exam(e: ExamRecommendation, version: str, lang: str, zh_diseases: dict[str, str]) -> Utterance:
    refs = _unique((_exam_ref(e.exam_id, e.table_version or version),), *(x.refs for x in e.expects_abnormal))
    if lang == "zh":
        parts = [f"建议检查：{e.name_zh or e.name}（{e.kind}）：信息增益 {e.gain:.2f} 比特，异常概率 {_pct(e.p_abnormal)}"]
        if e.expects_abnormal:
            parts.append("预期异常：" + "、".join(_expectation(x, "zh", zh_diseases) for x in e.expects_abnormal))
        if e.expects_normal:
            parts.append("预期正常：" + "、".join(_expectation(x, "zh", zh_diseases) for x in e.expects_normal))
        if e.findings:
            parts.append("可发现 " + "、".join(e.findings))
        if e.genes:
            parts.append("基因列表 " + "、".join(e.genes))
        return Utterance("；".join(parts) + "。", refs, "examination")
    parts = [f"Examination: {e.name} ({e.kind}): information gain {e.gain:.2f} bits, P(abnormal) {_pct(e.p_abnormal)}"]
    if e.expects_abnormal:
        parts.append("abnormal expected in " + ", ".join(_expectation(x, "en") for x in e.expects_abnormal))
    if e.expects_normal:
        parts.append("normal expected in " + ", ".join(_expectation(x, "en") for x in e.expects_normal))
    if e.findings:
        parts.append("would show " + ", ".join(e.findings))
    if e.genes:
        parts.append("gene list " + ", ".join(e.genes))
    return Utterance("; ".join(parts) + ".", refs, "examination")


def _what_if(w: WhatIf, chain: ReasoningChain, lang: str) -> Utterance:
    by_id = {c.concept_id: c for c in chain.differential}
    refs = _unique(*((by_id[cid].refs if cid in by_id else (_disease_ref(cid),)) for cid, _, _ in w.top))
    if lang == "zh":
        names = "、".join(f"{_zh_label(by_id.get(cid), label)} {_prob(p)}" for cid, label, p in w.top)
        return Utterance(f"如果 {w.term_id} 的回答为“{'是' if w.answer == 'yes' else '否'}”：{names}。", refs, "differential")
    names = ", ".join(f"{label} {_prob(p)}" for _, label, p in w.top)
    return Utterance(f"If {w.term_id} is answered {w.answer}: {names}.", refs, "differential")


def _clinician_red_flag(h: RedFlagHit, version: str, lang: str) -> Utterance:
    if lang == "zh":
        text = f"警示征象：{h.term_id} 属于 {h.flag_id} {h.label}：{h.advice_zh or h.advice}"
    else:
        text = f"Red flag: {h.term_id} falls under {h.flag_id} {h.label}: {h.advice}"
    return Utterance(text, (_red_flag_ref(h, version),), "red-flag")


def _clinician_specialty(s: SpecialtyHint, version: str, lang: str) -> Utterance:
    if lang == "zh":
        clinic = f"，{s.mdt_clinic_zh or s.mdt_clinic}" if s.mdt_clinic_zh or s.mdt_clinic else ""
    else:
        clinic = f", {s.mdt_clinic}" if s.mdt_clinic else ""
    if lang == "zh":
        text = f"专科：{s.name_zh or s.name}{clinic}；依据 {'、'.join(s.because)}。"
    else:
        text = f"Specialty: {s.name}{clinic}; because of {', '.join(s.because)}."
    return Utterance(text, (_specialty_ref(s, version),), "guidance")


def _clinician_disclaimer(lang: str) -> Utterance:
    if lang == "zh":
        return Utterance("仅供临床决策参考：概率依据知识库和已录入的表型估计，最终诊断由临床医生作出。", (), "disclaimer")
    return Utterance("Decision support only: probabilities are estimates from the knowledge base and the "
                     "findings entered; the diagnosis rests with the clinician.", (), "disclaimer")


# --- patient ---------------------------------------------------------------------------------


def _patient_chain(chain: ReasoningChain, lang: str, top: int) -> tuple[Utterance, ...]:
    plain = _plain_findings(chain, lang)
    out = [_patient_red_flag(h, chain.tables_version, lang, plain) for h in chain.red_flags]
    out.append(_patient_status(chain, lang))
    out += [render_question(q, mode="patient", language=lang) for q in chain.next_questions[:QUESTIONS]]
    out += _patient_guidance(chain, lang, plain)
    candidates = chain.differential[: min(top, PATIENT_CANDIDATES)]
    if candidates:
        out.append(_patient_candidates(candidates, lang))
    if chain.examinations:
        out.append(_patient_exams(chain.examinations[:EXAMINATIONS], chain.tables_version, lang))
    out.append(_patient_disclaimer(lang))
    return tuple(out)


def _patient_red_flag(h: RedFlagHit, version: str, lang: str, plain: dict[str, str]) -> Utterance:
    finding = plain.get(h.term_id, h.label if lang == "zh" else h.label.lower())
    if lang == "zh":
        text = f"重要提示（{finding}）：{h.advice_zh or '请尽快就医。'}"
    else:
        text = f"Important ({finding}): {h.advice or 'please seek medical care promptly.'}"
    return Utterance(text, (_red_flag_ref(h, version),), "red-flag")


def _patient_status(chain: ReasoningChain, lang: str) -> Utterance:
    yes = sum(f.value == "yes" for f in chain.findings)
    no = sum(f.value == "no" for f in chain.findings)
    more = bool(chain.next_questions)
    if lang == "zh":
        text = f"目前已记录 {yes} 项存在的表现和 {no} 项不存在的表现。"
        text += "还有几种可能性，回答下面的问题会有帮助。" if more else ""
    else:
        verb = "is" if yes == 1 else "are"
        text = f"So far, {yes} finding{'' if yes == 1 else 's'} {verb} recorded as present and {no} as absent."
        text += " Several possibilities remain, so the questions below will help." if more else ""
    return Utterance(text, (), "status")


def _patient_guidance(chain: ReasoningChain, lang: str, plain: dict[str, str]) -> list[Utterance]:
    if not chain.specialties:
        text = ("请把这些回答给您的医生看，由医生转诊到合适的专科。" if lang == "zh" else
                "Please show these answers to your doctor, who can refer you to the right specialist.")
        return [Utterance(text, (), "guidance")]
    return [_patient_specialty(s, chain.tables_version, lang, plain) for s in chain.specialties[:3]]


def _patient_specialty(s: SpecialtyHint, version: str, lang: str, plain: dict[str, str]) -> Utterance:
    because = [plain.get(t, t) for t in s.because]
    if lang == "zh":
        clinic = f"（或{s.mdt_clinic_zh or s.mdt_clinic}）" if s.mdt_clinic_zh or s.mdt_clinic else ""
        text = f"建议到{s.name_zh or s.name}就诊{clinic}，原因：{'、'.join(because)}。"
    else:
        clinic = f" (or the {s.mdt_clinic})" if s.mdt_clinic else ""
        text = f"It may help to see a specialist in {s.name}{clinic}, because of: {', '.join(because)}."
    return Utterance(text, (_specialty_ref(s, version),), "guidance")


def _patient_candidates(cands: tuple[ChainCandidate, ...], lang: str) -> Utterance:
    """Names at most three candidates, as possibilities for a specialist, never as a finding."""
    refs = _unique(*(c.refs for c in cands), *(x.refs for c in cands for x in c.supporting[:1]))
    if lang == "zh":
        names = "、".join(c.label_zh or c.label for c in cands)
        text = f"专科医生可能会考虑的疾病包括：{names}。这些只是需要与医生讨论的可能性，并不是诊断。"
    else:
        names = ", ".join(c.label for c in cands)
        text = (f"Conditions a specialist may want to consider include: {names}. "
                "These are possibilities to discuss with a doctor, not a diagnosis.")
    return Utterance(text, refs, "differential")


def _patient_exams(exams: tuple[ExamRecommendation, ...], version: str, lang: str) -> Utterance:
    refs = _unique(tuple(_exam_ref(e.exam_id, e.table_version or version) for e in exams),
                   *(x.refs for e in exams for x in e.expects_abnormal))
    if lang == "zh":
        return Utterance("医生可能会考虑的检查：" + "、".join(e.name_zh or e.name for e in exams) + "。", refs, "examination")
    return Utterance("Tests your doctor may consider: " + ", ".join(e.name for e in exams) + ".", refs, "examination")


def _patient_disclaimer(lang: str) -> Utterance:
    if lang == "zh":
        text = "以上内容不是诊断，只是计算机程序给出的初步建议，请与医生讨论；只有为您（或您的孩子）做过检查的医生才能作出诊断。"
    else:
        text = ("This is not a diagnosis. It is preliminary guidance from a computer program, to discuss "
                "with a doctor; only a doctor who has seen you (or your child) can make a diagnosis.")
    return Utterance(text, (), "disclaimer")


# --- helpers ---------------------------------------------------------------------------------


def _check(mode: str, language: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")


def _plain_en(layperson: str | None, label: str) -> str:
    """Lower-case the first letter, unless the word is an acronym (ECG, MRI)."""
    text = (layperson or label).strip().rstrip(".")
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _plain_findings(chain: ReasoningChain, lang: str) -> dict[str, str]:
    if lang == "zh":
        return {f.term_id: f.label_zh or f.layperson or f.label for f in chain.findings}
    return {f.term_id: _plain_en(f.layperson, f.label) for f in chain.findings}


def _zh_terms(chain: ReasoningChain) -> dict[str, str]:
    out = {q.term_id: q.label_zh for q in chain.next_questions if q.label_zh}
    out.update({f.term_id: f.label_zh for f in chain.findings if f.label_zh})
    return out


def _zh_diseases(chain: ReasoningChain) -> dict[str, str]:
    return {c.concept_id: c.label_zh for c in chain.differential if c.label_zh}


def _zh_label(c: ChainCandidate | None, label: str) -> str:
    return (c.label_zh or label) if c is not None else label


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _prob(x: float) -> str:
    return f"{100 * x:.1f}%"


def _unique(*groups: Iterable[KbRef]) -> tuple[KbRef, ...]:
    return tuple(dict.fromkeys(r for g in groups for r in g))


def _term_ref(term_id: str) -> KbRef:
    return KbRef(kind="term", term_id=term_id, reference=term_id, source="hpo.ontology")


def _disease_ref(concept_id: str) -> KbRef:
    return KbRef(kind="disease", disease_id=concept_id, reference=concept_id)


def _exam_ref(exam_id: str, version: str) -> KbRef:
    return KbRef(kind="examination-table", reference=exam_id, release=version)


def _red_flag_ref(h: RedFlagHit, version: str) -> KbRef:
    return KbRef(kind="red-flag-table", term_id=h.flag_id, reference=h.flag_id, release=version)


def _specialty_ref(s: SpecialtyHint, version: str) -> KbRef:
    return KbRef(kind="specialty-table", reference=s.name, release=version)
