"""The guard: a model's sentence naming a disease, gene or HPO id outside the chain is dropped and
logged; sentences that only reword the chain are kept as they are."""

from __future__ import annotations

from consult.test_voice import KNOWN_GENES, marfan_chain
from rarelens.consult.guard import (
    Vocabulary,
    guard_text,
    normalize_id,
    percentages_in,
    vocabulary_from_chain,
)
from rarelens.consult.voice import FORBIDDEN_CERTAINTY


def vocab(known_disease_names: frozenset[str] = frozenset()) -> Vocabulary:
    return vocabulary_from_chain(marfan_chain(), KNOWN_GENES, known_disease_names)


def test_vocabulary_holds_the_chain() -> None:
    v = vocab()
    assert {"HP:0001166", "HP:0001083", "HP:0002616", "HP:0001763", "HP:0004942"} <= v.hpo_ids
    assert {"OMIM:154700", "ORPHA:558", "OMIM:610168", "OMIM:236200"} <= v.disease_ids
    assert not any(i.startswith("PMID") for i in v.disease_ids)
    assert {"marfan syndrome", "马方综合征", "loeys-dietz syndrome 2", "homocystinuria"} <= v.disease_names
    assert v.genes == {"FBN1", "TGFBR2", "CBS"}
    assert "arachnodactyly" in v.term_names
    assert "flat feet" in v.term_names


def test_invented_disease_is_removed_and_logged() -> None:
    text = ("The leading candidate is Marfan syndrome. The findings are also consistent with "
            "Zellweger-Quixote syndrome. Loeys-Dietz syndrome 2 remains possible.")
    result = guard_text(text, vocab())
    assert result.text == "The leading candidate is Marfan syndrome. Loeys-Dietz syndrome 2 remains possible."
    assert len(result.removed) == 1
    r = result.removed[0]
    assert r.item == "Zellweger-Quixote syndrome"
    assert r.sentence == "The findings are also consistent with Zellweger-Quixote syndrome."
    assert "not a candidate" in r.reason


def test_invented_id_and_unrelated_gene_are_removed() -> None:
    text = ("Arachnodactyly (HP:0001166) supports OMIM:154700 and Orphanet:558.\n"
            "Ask about HP:9999999.\n"
            "Sequencing FBN1 and TGFBR2 would separate them. COL4A5 could also be tested.\n"
            "MONDO:0007947 is related.")
    result = guard_text(text, vocab())
    assert result.text == ("Arachnodactyly (HP:0001166) supports OMIM:154700 and Orphanet:558.\n"
                           "Sequencing FBN1 and TGFBR2 would separate them.")
    assert {(r.item, r.reason.split()[0]) for r in result.removed} == {
        ("HP:9999999", "id"), ("COL4A5", "gene"), ("MONDO:0007947", "id")}


def test_id_spellings_are_normalised() -> None:
    assert normalize_id("Orphanet:558") == "ORPHA:558"
    assert normalize_id("HP:1083") == "HP:0001083"
    assert normalize_id("OMIM #154700") == "OMIM:154700"
    assert guard_text("See ORPHANET 558 and HP_0001083.", vocab()).removed == ()


def test_ids_and_genes_next_to_chinese_characters_are_seen() -> None:
    result = guard_text("患者有FBN1变异。建议检测COL4A5基因。表型HP:9999999需要核实。", vocab())
    assert result.text == "患者有FBN1变异。"
    assert [r.item for r in result.removed] == ["COL4A5", "HP:9999999"]


def test_clinical_abbreviations_are_not_genes() -> None:
    result = guard_text("Inheritance is AD, not AR. Check CRP and an ECG.", vocab())
    assert result.removed == ()


def test_gene_inside_a_hyphenated_word_is_seen() -> None:
    result = guard_text("A SMAD3-related aortopathy is possible.", vocab())
    assert [r.item for r in result.removed] == ["SMAD3"]


def test_generic_disease_words_are_not_names() -> None:
    text = ("Genetic disorders of connective tissue can look alike. A connective tissue disorder is likely. "
            "Marfan is a disorder of fibrillin. Possible Marfan syndrome. Marfan and Loeys-Dietz syndromes overlap.")
    assert guard_text(text, vocab()).removed == ()


def test_known_disease_names_catch_names_without_suffix() -> None:
    known = frozenset({"Homocystinuria", "Ehlers-Danlos syndrome", "Alport syndrome", "Cystinuria"})
    v = vocab(known)
    result = guard_text("Homocystinuria is less likely. Cystinuria is unlikely. Alport should be considered.", v)
    assert result.text == "Homocystinuria is less likely. Alport should be considered."
    assert [(r.item, r.reason) for r in result.removed] == [
        ("cystinuria", "knowledge-base disease outside the current evidence")]


def test_chinese_invented_disease_is_removed() -> None:
    text = "首要考虑马方综合征。也可能是奎克索特综合征。Loeys-Dietz综合征2型也有可能。这是一种遗传病，请提供病史。"
    result = guard_text(text, vocab())
    assert result.text == "首要考虑马方综合征。Loeys-Dietz综合征2型也有可能。这是一种遗传病，请提供病史。"
    assert [r.item for r in result.removed] == ["也可能是奎克索特综合征"]


def test_forbidden_certainty_drops_the_sentence() -> None:
    text = "You have Marfan syndrome. A heart specialist may want to consider Marfan syndrome.\n您患有马方综合征。建议到心血管内科就诊。"
    result = guard_text(text, vocab(), forbid=FORBIDDEN_CERTAINTY)
    assert result.text == "A heart specialist may want to consider Marfan syndrome.\n建议到心血管内科就诊。"
    assert {r.item for r in result.removed} == {"you have", "您患有"}
    assert all(r.reason == "states a diagnosis as certain" for r in result.removed)
    # without forbid (clinician mode) the same sentences stay
    assert guard_text(text, vocab()).removed == ()


def test_decimals_and_abbreviations_do_not_split_sentences_into_fragments() -> None:
    text = "Marfan syndrome is at 62.0% and Zellweger-Quixote syndrome at 3.1%. Ask about flat feet."
    result = guard_text(text, vocab())
    assert result.text == "Ask about flat feet."
    assert result.removed[0].sentence == "Marfan syndrome is at 62.0% and Zellweger-Quixote syndrome at 3.1%."


def test_everything_removed_gives_empty_text() -> None:
    result = guard_text("Zellweger-Quixote syndrome. HP:9999999.", vocab())
    assert result.text == ""
    assert len(result.removed) == 2


def test_percentages_must_be_the_engines_own_when_given() -> None:
    text = "Marfan syndrome leads at 62%. Loeys-Dietz syndrome 2 is at 31.0%. Homocystinuria is at 40%."
    result = guard_text(text, vocab(), percentages=percentages_in("62.0% 31.0% 5.0%"))
    assert result.text == "Marfan syndrome leads at 62%. Loeys-Dietz syndrome 2 is at 31.0%."
    assert [(r.item, r.reason) for r in result.removed] == [("40%", "percentage is not one the engine gave")]
    assert guard_text(text, vocab()).removed == ()  # not checked unless asked


def test_a_sibling_subtype_is_not_the_candidate() -> None:
    """Loeys-Dietz syndrome 1 (TGFBR1) is not Loeys-Dietz syndrome 2 (TGFBR2), in any spelling."""
    kept = "Loeys-Dietz syndrome, type II is second. Loeys–Dietz syndrome type 2 follows. Loeys-Dietz综合征2型也有可能。"
    assert guard_text(kept, vocab()).removed == ()
    result = guard_text("Loeys-Dietz syndrome 1 is possible. Loeys-Dietz syndrome type III too. Loeys-Dietz综合征1型也有可能。", vocab())
    assert result.text == ""
    assert [r.item for r in result.removed] == [
        "Loeys-Dietz syndrome 1", "Loeys-Dietz syndrome type III", "Loeys-Dietz综合征1型"]
