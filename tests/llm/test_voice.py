"""The optional model voice against a fake OpenAI-compatible server on loopback.

The fake server invents a disease, an HPO id and a gene, states a diagnosis as certain, fails
with HTTP 500, or answers nothing usable; each time the reader gets only what the chain holds.
"""

from __future__ import annotations

from consult.test_voice import KNOWN_GENES, marfan_chain
from fake_openai import FakeChatServer
from rarelens.consult.voice import FORBIDDEN_CERTAINTY, render_chain, render_text
from rarelens.llm.client import ChatClient
from rarelens.llm.voice import ModelVoice


def voice(server: FakeChatServer) -> ModelVoice:
    return ModelVoice(ChatClient(server.url, "fake-model", api_key="k", timeout_s=5))


def _sent(server: FakeChatServer) -> tuple[str, str]:
    body = server.requests[-1]["body"]
    assert isinstance(body, dict)
    messages = body["messages"]
    return messages[0]["content"], messages[1]["content"]


def test_invented_disease_id_and_gene_are_removed_supported_sentences_kept(fake_chat: FakeChatServer) -> None:
    chain = marfan_chain()
    utterances = render_chain(chain, mode="clinician", language="en")
    fake_chat.reply = (
        "Marfan syndrome (OMIM:154700) leads at 62.0%, supported by HP:0001083 Ectopia lentis. "
        "The picture is also consistent with Zellweger-Quixote syndrome. "
        "Loeys-Dietz syndrome 2 (OMIM:610168) follows at 31.0%.\n"
        "Asking about HP:9999999 Glowing nails would help. "
        "A panel of FBN1, TGFBR2 and CBS is suggested. COL4A5 should be added to the panel. "
        "Homocystinuria is now at 45%."
    )
    result = voice(fake_chat).rephrase(utterances, chain, mode="clinician", language="en", known_genes=KNOWN_GENES)
    assert result.used_model
    assert result.error is None
    kept = result.text
    assert "Marfan syndrome (OMIM:154700) leads at 62.0%" in kept
    assert "Loeys-Dietz syndrome 2 (OMIM:610168) follows at 31.0%." in kept
    assert "A panel of FBN1, TGFBR2 and CBS is suggested." in kept
    for invented in ("Zellweger", "HP:9999999", "COL4A5", "45%"):
        assert invented not in kept
    assert {r.item for r in result.removed} == {"Zellweger-Quixote syndrome", "HP:9999999", "COL4A5", "45%"}
    assert all(r.reason for r in result.removed)
    # safety text is never reworded: red flags first, the disclaimer last, verbatim
    red_flag = next(u.text for u in utterances if u.kind == "red-flag")
    assert kept.startswith(red_flag)
    assert kept.endswith(utterances[-1].text)
    system, user = _sent(fake_chat)
    assert "Rephrase only" in system
    assert "Never state a diagnosis as certain" in system
    assert "English" in system
    assert red_flag not in user
    assert utterances[-1].text not in user
    assert "Marfan syndrome" in user


def test_http_500_falls_back_to_templates(fake_chat: FakeChatServer) -> None:
    chain = marfan_chain()
    utterances = render_chain(chain, mode="patient", language="en")
    fake_chat.status = 500
    result = voice(fake_chat).rephrase(utterances, chain, mode="patient", language="en", known_genes=KNOWN_GENES)
    assert not result.used_model
    assert result.error is not None
    assert "HTTP 500" in result.error
    assert result.text == render_text(utterances)
    assert result.removed == ()


def test_unreachable_server_falls_back_to_templates() -> None:
    chain = marfan_chain()
    utterances = render_chain(chain, mode="clinician", language="zh")
    client = ChatClient("http://127.0.0.1:9", "m", timeout_s=2)
    result = ModelVoice(client).rephrase(utterances, chain, mode="clinician", language="zh", known_genes=KNOWN_GENES)
    assert not result.used_model
    assert result.error is not None
    assert "cannot reach" in result.error
    assert result.text == render_text(utterances)


def test_certainty_is_removed_in_patient_mode(fake_chat: FakeChatServer) -> None:
    chain = marfan_chain()
    utterances = render_chain(chain, mode="patient", language="en")
    fake_chat.reply = ("You have Marfan syndrome. A specialist may want to consider Marfan syndrome or "
                       "Loeys-Dietz syndrome 2. Have you (or your child) had flat feet?")
    result = voice(fake_chat).rephrase(utterances, chain, mode="patient", language="en", known_genes=KNOWN_GENES)
    assert result.used_model
    assert "You have Marfan syndrome." not in result.text
    assert "A specialist may want to consider Marfan syndrome or Loeys-Dietz syndrome 2." in result.text
    assert [(r.item, r.reason) for r in result.removed] == [("you have", "states a diagnosis as certain")]
    assert "This is not a diagnosis." in result.text
    system, _ = _sent(fake_chat)
    assert "patient" in system


def test_chinese_patient_certainty_and_invented_disease_removed(fake_chat: FakeChatServer) -> None:
    chain = marfan_chain()
    utterances = render_chain(chain, mode="patient", language="zh")
    fake_chat.reply = "您患有马方综合征。也可能是奎克索特综合征。建议到心血管内科就诊。您是否出现过扁平足？"
    result = voice(fake_chat).rephrase(utterances, chain, mode="patient", language="zh", known_genes=KNOWN_GENES)
    assert result.used_model
    assert "建议到心血管内科就诊。您是否出现过扁平足？" in result.text
    assert "奎克索特" not in result.text
    for phrase in FORBIDDEN_CERTAINTY:
        assert phrase.lower() not in result.text.lower()
    assert len(result.removed) == 2
    assert "简体中文" in _sent(fake_chat)[0]


def test_nothing_supported_falls_back_with_the_removals_logged(fake_chat: FakeChatServer) -> None:
    chain = marfan_chain()
    utterances = render_chain(chain, mode="patient", language="en")
    fake_chat.reply = "You definitely have Zellweger-Quixote syndrome."
    result = voice(fake_chat).rephrase(utterances, chain, mode="patient", language="en", known_genes=KNOWN_GENES)
    assert not result.used_model
    assert result.text == render_text(utterances)
    assert result.error is not None
    assert "guard" in result.error
    assert {r.item for r in result.removed} == {"Zellweger-Quixote syndrome", "definitely"}


def test_extract_answer_parses_first_and_asks_the_model_only_when_needed(fake_chat: FakeChatServer) -> None:
    q = marfan_chain().next_questions[0]
    v = voice(fake_chat)
    assert v.extract_answer("没有", q) == "no"
    assert v.extract_answer("Y", q) == "yes"
    assert fake_chat.requests == []
    fake_chat.reply = "Yes."
    assert v.extract_answer("her arches are quite low, the school nurse noticed", q) == "yes"
    system, user = _sent(fake_chat)
    assert "Have you (or your child) had flat feet?" in system
    assert "yes, no or unknown" in system
    assert user == "her arches are quite low, the school nurse noticed"
    fake_chat.reply = "Probably yes, given the low arches."
    assert v.extract_answer("low arches I guess", q) == "unknown"
    fake_chat.reply = "Marfan syndrome"
    assert v.extract_answer("see above", q) == "unknown"
    fake_chat.status = 500
    assert v.extract_answer("hard to say really", q) == "unknown"
