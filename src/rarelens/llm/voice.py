"""The optional language-model voice: it rephrases what the templates said, nothing more.

The model receives the deterministic text of one step and may only reword it. Its answer goes
through the guard (`rarelens.consult.guard`) with the vocabulary of the current chain, so any
disease, gene, HPO id or percentage it adds — and, for patients, any certainty — is removed and
logged. Red flags and the disclaimer are never sent for rewording: they are safety text and are kept
verbatim around the model's answer. When the server fails or nothing survives the guard, the
templates are used as they are, and the reason is returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rarelens.consult.guard import Removal, guard_text, percentages_in, vocabulary_from_chain
from rarelens.consult.model import Question, ReasoningChain
from rarelens.consult.state import ANSWERS
from rarelens.consult.voice import (
    FORBIDDEN_CERTAINTY,
    Utterance,
    parse_answer,
    render_question,
    render_text,
)
from rarelens.llm.client import ChatClient, ModelError

VERBATIM = ("red-flag", "disclaimer")
_LANGUAGE = {"en": "English", "zh": "Simplified Chinese (简体中文)"}
_AUDIENCE = {
    "clinician": "a clinician; keep every HPO id, disease id, gene symbol and percentage exactly as written",
    "patient": "a patient or a parent, in plain, kind words a non-doctor understands",
}


@dataclass(frozen=True, slots=True)
class VoiceResult:
    text: str
    removed: tuple[Removal, ...]
    used_model: bool
    error: str | None


def rephrase_prompt(mode: str, language: str) -> str:
    return (
        "You rephrase the output of a rare-disease consultation program for "
        f"{_AUDIENCE.get(mode, _AUDIENCE['clinician'])}. Rephrase only: do not add any disease, gene, "
        "HPO id, finding, examination or number that is not in the text, and do not drop the "
        "uncertainty. Never state a diagnosis as certain. Answer in "
        f"{_LANGUAGE.get(language, 'English')}, as plain sentences without markdown."
    )


class ModelVoice:
    def __init__(self, client: ChatClient) -> None:
        self.client = client

    def rephrase(
        self, utterances: tuple[Utterance, ...], chain: ReasoningChain, *, mode: str, language: str,
        known_genes: frozenset[str],
    ) -> VoiceResult:
        """The model's wording of the non-safety utterances, guarded; the templates on failure."""
        deterministic = render_text(utterances)
        body = tuple(u for u in utterances if u.kind not in VERBATIM)
        if not body:
            return VoiceResult(deterministic, (), False, None)
        messages = [
            {"role": "system", "content": rephrase_prompt(mode, language)},
            {"role": "user", "content": render_text(body)},
        ]
        try:
            reply = self.client.complete(messages)
        except ModelError as exc:
            return VoiceResult(deterministic, (), False, str(exc))
        forbid = FORBIDDEN_CERTAINTY if mode == "patient" else ()
        vocab = vocabulary_from_chain(chain, known_genes)
        guarded = guard_text(reply, vocab, forbid=forbid, percentages=percentages_in(messages[1]["content"]))
        if not guarded.text.strip():
            return VoiceResult(deterministic, guarded.removed, False,
                               "nothing in the model's answer passed the guard; templates used")
        head = [u.text for u in utterances if u.kind == "red-flag"]
        tail = [u.text for u in utterances if u.kind == "disclaimer"]
        return VoiceResult("\n".join([*head, guarded.text, *tail]), guarded.removed, True, None)

    def extract_answer(self, reply: str, question: Question) -> str:
        """yes / no / unknown from a patient's free-text reply: the parser first, then the model,
        whose answer counts only when it is one of those three words."""
        parsed = parse_answer(reply)
        if parsed is not None:
            return parsed
        asked = render_question(question, mode="patient", language="en").text
        messages = [
            {"role": "system", "content": (
                f"A patient was asked: \"{asked}\" (HPO {question.term_id} {question.label}). "
                "Classify the patient's reply. Answer with exactly one word: yes, no or unknown."
            )},
            {"role": "user", "content": reply},
        ]
        try:
            answer = self.client.complete(messages)
        except ModelError:
            return "unknown"
        word = re.sub(r"[\s.!。！\"'`*]+", "", answer).lower()
        return word if word in ANSWERS else "unknown"
