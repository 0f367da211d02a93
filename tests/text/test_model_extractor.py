"""The optional model extractor against a fake OpenAI-compatible server on loopback.

The fake server answers with a scripted reply, including an invented id, a quote that is not in
the text, an alt id and a non-phenotype id, so every verification path runs over real HTTP.
"""

from __future__ import annotations

import json

import pytest

from fake_openai import FakeChatServer
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.llm.client import ChatClient, ModelError
from rarelens.text.extractor import DictionaryExtractor
from rarelens.text.model_extractor import ModelExtractor, merge_mentions


def _phenotype_terms(kb: KnowledgeBase, n: int) -> list[int]:
    o = kb.ontology
    pa = o.index("HP:0000118")
    return [i for i in o.descendants(pa).tolist() if i != pa and not o.obsolete[i]][:n]


def test_proposals_are_verified_against_ontology_and_text(kb: KnowledgeBase, fake_chat: FakeChatServer) -> None:
    o = kb.ontology
    a, b = _phenotype_terms(kb, 2)
    text = f"The child shows {o.labels[a].lower()} and, per the mother, {o.labels[b].lower()}."
    fake_chat.reply = "Here you go:\n" + json.dumps([
        {"text": o.labels[a].lower(), "hpo_id": o.ids[a], "negated": False},
        {"text": o.labels[b], "hpo_id": o.ids[b], "family": True},
        {"text": "glowing skin", "hpo_id": o.ids[a]},  # not in the text
        {"text": o.labels[a].lower(), "hpo_id": "HP:9999999"},  # invented id
        {"text": "child", "hpo_id": "HP:0000001"},  # not a phenotypic abnormality
        "garbage",
    ])
    client = ChatClient(fake_chat.url, "fake-model", api_key="secret")
    result = ModelExtractor(client, o).extract(text)
    assert [m.hpo_id for m in result.mentions] == [o.ids[a], o.ids[b]]
    for m in result.mentions:
        assert text[m.start : m.end] == m.text
        assert m.source == "model"
    assert result.mentions[1].family
    reasons = " | ".join(r.reason for r in result.rejected)
    assert len(result.rejected) == 4
    assert "do not occur in the text" in reasons
    assert "HP:9999999" in reasons
    assert "not a phenotypic abnormality" in reasons
    req = fake_chat.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["auth"] == "Bearer secret"
    body = req["body"]
    assert isinstance(body, dict)
    assert body["model"] == "fake-model"


def test_reply_without_json_is_rejected_not_crashing(kb: KnowledgeBase, fake_chat: FakeChatServer) -> None:
    fake_chat.reply = "I cannot help with that."
    result = ModelExtractor(ChatClient(fake_chat.url, "m"), kb.ontology).extract("some text")
    assert result.mentions == ()
    assert "no JSON array" in result.rejected[0].reason


def test_http_error_and_unreachable_server_raise_model_error(kb: KnowledgeBase, fake_chat: FakeChatServer) -> None:
    fake_chat.status = 500
    with pytest.raises(ModelError, match="HTTP 500"):
        ChatClient(fake_chat.url, "m").complete([{"role": "user", "content": "x"}])
    with pytest.raises(ModelError, match="cannot reach"):
        ChatClient("http://127.0.0.1:9", "m", timeout_s=2).complete([{"role": "user", "content": "x"}])


def test_merge_keeps_dictionary_mentions_and_adds_new_terms(kb: KnowledgeBase, fake_chat: FakeChatServer) -> None:
    o = kb.ontology
    a, b = _phenotype_terms(kb, 2)
    text = f"{o.labels[a]}; also something the dictionary misses"
    dictionary = DictionaryExtractor(o).extract(text).mentions
    assert [m.hpo_id for m in dictionary] == [o.ids[a]]
    fake_chat.reply = json.dumps([{"text": o.labels[a], "hpo_id": o.ids[b]},  # overlaps: dropped
                               {"text": "something the dictionary misses", "hpo_id": o.ids[b]}])
    extra = ModelExtractor(ChatClient(fake_chat.url, "m"), o).extract(text).mentions
    merged = merge_mentions(dictionary, extra)
    assert [(m.hpo_id, m.source) for m in merged] == [(o.ids[a], dictionary[0].source), (o.ids[b], "model")]
