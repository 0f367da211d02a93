"""`rarelens extract`, `rarelens diagnose --text` and `rarelens benchmark text` on the knowledge
base built from ``tests/fixtures/data`` (see ``tests/fixtures/README.md``).

Its ontology has a dozen phenotypes, so the texts below use their labels and synonyms only:
Arachnodactyly (HP:0001166, under Slender finger HP:0001238), Ectopia lentis (HP:0001083),
Aortic root aneurysm (HP:0002616), Short stature (HP:0004322, 身材矮小), Tall stature
(HP:0000098, a direct child of HP:0000118), Disproportionate tall stature (HP:0001519, under it),
Hyperglycemia (HP:0003074, 高血糖, "High blood sugar"), and the Chinese labels of the fixture
babelon file (晶状体异位, 主动脉根部瘤, 手指细长).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from rarelens.cli.main import app

AssertExit = Callable[[Result, int], None]
ARACHNODACTYLY, ECTOPIA_LENTIS, AORTIC_ROOT = "HP:0001166", "HP:0001083", "HP:0002616"
SHORT_STATURE, TALL_STATURE, DISPROPORTIONATE_TALL = "HP:0004322", "HP:0000098", "HP:0001519"
HYPERGLYCEMIA, SLENDER_FINGER = "HP:0003074", "HP:0001238"
TEXT = "Arachnodactyly and ectopia lentis. No aortic root aneurysm. Her mother had short stature."

pytestmark = pytest.mark.usefixtures("cli_env")


def flat(text: str) -> str:
    return " ".join(text.split())


def last_json(result: Result) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---- rarelens extract --------------------------------------------------------------------


def test_extract_json(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["extract", TEXT, "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["language"] == "en"
    assert data["observed"] == [ECTOPIA_LENTIS, ARACHNODACTYLY]
    assert data["excluded"] == [AORTIC_ROOT]
    assert data["family_history"] == [SHORT_STATURE]
    assert data["hpo_release"]
    assert data["kb_version"]
    mentions = data["mentions"]
    assert [(m["start"], m["end"], m["text"], m["hpo_id"]) for m in mentions] == [
        (0, 14, "Arachnodactyly", ARACHNODACTYLY),
        (19, 33, "ectopia lentis", ECTOPIA_LENTIS),
        (38, 58, "aortic root aneurysm", AORTIC_ROOT),
        (75, 88, "short stature", SHORT_STATURE),
    ]
    assert all(TEXT[m["start"] : m["end"]] == m["text"] for m in mentions)
    assert [(m["negated"], m["family"]) for m in mentions] == [
        (False, False),
        (False, False),
        (True, False),
        (False, True),
    ]
    assert mentions[0]["label"] == "Arachnodactyly"
    assert mentions[0]["label_zh"] == "细长指(趾)"


def test_extract_nested_mentions_and_no_nested(runner: CliRunner, assert_exit: AssertExit) -> None:
    text = "Disproportionate tall stature."
    result = runner.invoke(app, ["extract", text, "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert [(m["text"], m["hpo_id"], m["rule"]) for m in data["mentions"]] == [
        ("Disproportionate tall stature", DISPROPORTIONATE_TALL, "exact"),
        ("tall stature", TALL_STATURE, "nested"),
    ]
    assert data["observed"] == [DISPROPORTIONATE_TALL]  # the nested head is implied, not added
    result = runner.invoke(app, ["extract", text, "--format", "json", "--no-nested"])
    assert_exit(result, 0)
    assert [m["hpo_id"] for m in json.loads(result.stdout)["mentions"]] == [DISPROPORTIONATE_TALL]


def test_extract_tsv(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["extract", TEXT, "--format", "tsv"])
    assert_exit(result, 0)
    lines = result.stdout.rstrip("\n").split("\n")
    header = lines[0].split("\t")
    assert header[:4] == ["start", "end", "text", "hpo_id"]
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    assert [
        (r["start"], r["end"], r["text"], r["hpo_id"], r["negated"], r["family"]) for r in rows
    ] == [
        ("0", "14", "Arachnodactyly", ARACHNODACTYLY, "False", "False"),
        ("19", "33", "ectopia lentis", ECTOPIA_LENTIS, "False", "False"),
        ("38", "58", "aortic root aneurysm", AORTIC_ROOT, "True", "False"),
        ("75", "88", "short stature", SHORT_STATURE, "False", "True"),
    ]
    assert rows[1]["label_zh"] == "晶状体异位"


def test_extract_tsv_of_text_without_findings_is_the_header(
    runner: CliRunner, assert_exit: AssertExit
) -> None:
    result = runner.invoke(app, ["extract", "Nothing of note.", "--format", "tsv"])
    assert_exit(result, 0)
    assert result.stdout.strip().split("\t")[:2] == ["start", "end"]
    assert len(result.stdout.strip().splitlines()) == 1


def test_extract_table(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["extract", TEXT], env={"COLUMNS": "200"})
    assert_exit(result, 0)
    out = flat(result.stdout)
    assert "4 findings" in out
    for hpo_id in (ARACHNODACTYLY, ECTOPIA_LENTIS, AORTIC_ROOT, SHORT_STATURE):
        assert hpo_id in out
    assert "negated" in out
    assert "family" in out
    assert "present" in out


def test_extract_file_utf8_chinese(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    path = tmp_path / "note.txt"
    path.write_text("患儿身材矮小，无高血糖。母亲晶状体异位。\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", "--file", str(path), "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["language"] == "zh"
    assert data["observed"] == [SHORT_STATURE]
    assert data["excluded"] == [HYPERGLYCEMIA]
    assert data["family_history"] == [ECTOPIA_LENTIS]
    assert [(m["start"], m["end"], m["text"]) for m in data["mentions"]] == [
        (2, 6, "身材矮小"),
        (8, 11, "高血糖"),
        (14, 19, "晶状体异位"),
    ]


def test_extract_stdin(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(
        app, ["extract", "--file", "-", "--format", "json"], input="High blood sugar.\n"
    )
    assert_exit(result, 0)
    assert json.loads(result.stdout)["observed"] == [HYPERGLYCEMIA]


def test_extract_lang_option(runner: CliRunner, assert_exit: AssertExit) -> None:
    text = "Short stature (身材矮小)."
    en = runner.invoke(app, ["extract", text, "--lang", "en", "--format", "json"])
    assert_exit(en, 0)
    assert [m["text"] for m in json.loads(en.stdout)["mentions"]] == ["Short stature"]
    zh = runner.invoke(app, ["extract", text, "--lang", "zh", "--format", "json"])
    assert_exit(zh, 0)
    data = json.loads(zh.stdout)
    assert data["language"] == "zh"
    assert [m["text"] for m in data["mentions"]] == ["Short stature", "身材矮小"]


def test_extract_non_utf8_file(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    path = tmp_path / "gbk-note.txt"
    path.write_bytes("患儿身材矮小，无高血糖。".encode("gb18030"))
    result = runner.invoke(app, ["extract", "--file", str(path)])
    assert_exit(result, 1)  # the file's content is wrong, not the command line
    assert "gbk-note.txt" in flat(result.stderr)
    assert "save the file as UTF-8" in flat(result.stderr)


def test_extract_missing_file(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", "--file", str(tmp_path / "absent.txt")])
    assert_exit(result, 2)
    assert "absent.txt" in flat(result.stderr)


def test_extract_folder_instead_of_file(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["extract", "--file", str(tmp_path)])
    assert_exit(result, 2)
    assert f"--file {tmp_path} is a folder, not a file" in flat(result.stderr)


def test_extract_drops_a_byte_order_mark_and_counts_offsets_after_it(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    result = runner.invoke(app, ["extract", "--file", str(path), "--format", "json"])
    assert_exit(result, 0)
    mentions = json.loads(result.stdout)["mentions"]
    assert [(m["start"], m["end"], m["text"]) for m in mentions][:2] == [
        (0, 14, "Arachnodactyly"), (19, 33, "ectopia lentis")
    ]
    assert all(TEXT[m["start"] : m["end"]] == m["text"] for m in mentions)
    piped = runner.invoke(app, ["extract", "--file", "-", "--format", "json"], input="\ufeff" + TEXT)
    assert_exit(piped, 0)
    assert json.loads(piped.stdout)["mentions"] == mentions


def test_extract_nul_between_findings_keeps_them_apart(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Arachnodactyly\x00ectopia lentis.")
    result = runner.invoke(app, ["extract", "--file", str(path), "--format", "json"])
    assert_exit(result, 0)
    assert [(m["start"], m["hpo_id"]) for m in json.loads(result.stdout)["mentions"]] == [
        (0, ARACHNODACTYLY), (15, ECTOPIA_LENTIS)
    ]


@pytest.mark.parametrize("text", ["", "  \n\t "], ids=["empty", "blank"])
def test_extract_empty_text_argument_is_a_usage_error(runner: CliRunner, assert_exit: AssertExit, text: str) -> None:
    result = runner.invoke(app, ["extract", text])
    assert_exit(result, 2)
    assert "the text is empty" in flat(result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("content", "says"), [(b"", "is empty"), (b"\xef\xbb\xbf \r\n\t\n", "holds only blank space")], ids=["empty", "blank"]
)
def test_extract_empty_file_is_bad_data(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    result = runner.invoke(app, ["extract", "--file", str(path)])
    assert_exit(result, 1)
    assert f"{path} {says}" in flat(result.stderr)
    assert result.stdout == ""
    piped = runner.invoke(app, ["extract", "--file", "-"], input=content.decode("utf-8"))
    assert_exit(piped, 1)
    assert f"stdin {says}" in flat(piped.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["extract"],
        ["extract", "seizures", "--file", "x.txt"],
        ["extract", TEXT, "--format", "xml"],
        ["extract", TEXT, "--lang", "fr"],
    ],
    ids=["no-text", "text-and-file", "bad-format", "bad-lang"],
)
def test_extract_usage_errors(runner: CliRunner, assert_exit: AssertExit, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert_exit(result, 2)
    assert "error" in result.stderr


def test_extract_bad_format_names_the_choices(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(app, ["extract", TEXT, "--format", "xml"])
    assert_exit(result, 2)
    assert "'xml'" in result.stderr
    assert "table, json, tsv" in flat(result.stderr)


# ---- rarelens diagnose --text ------------------------------------------------------------


def test_diagnose_text(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(
        app, ["diagnose", "--text", "Arachnodactyly, ectopia lentis and aortic root aneurysm."]
    )
    assert_exit(result, 0)
    assert "Marfan" in flat(result.stdout)
    assert f"{ARACHNODACTYLY} Arachnodactyly (observed)" in flat(result.output)


def test_diagnose_text_negation_becomes_excluded(
    runner: CliRunner, assert_exit: AssertExit
) -> None:
    result = runner.invoke(
        app,
        [
            "diagnose",
            "--text",
            "Arachnodactyly. No high blood sugar. Her mother had short stature.",
        ],
    )
    assert_exit(result, 0)
    out = flat(result.output)
    assert f"{ARACHNODACTYLY} Arachnodactyly (observed)" in out
    assert f"{HYPERGLYCEMIA} Hyperglycemia (negated → excluded)" in out
    assert f"{SHORT_STATURE} Short stature (family history, not used)" in out


def test_diagnose_text_lists_each_finding_once_with_its_count(runner: CliRunner, assert_exit: AssertExit) -> None:
    """A long note repeats its findings: one stderr line per finding and reading, not per
    mention (a 1 MB note printed 44,000 lines and spent most of its time doing so)."""
    note = "Arachnodactyly was noted. No high blood sugar. " * 300
    result = runner.invoke(app, ["diagnose", "--text", note, "--top", "1"])
    assert_exit(result, 0)
    out = flat(result.output)
    assert out.count(f"{ARACHNODACTYLY} Arachnodactyly") == 1
    assert f"{ARACHNODACTYLY} Arachnodactyly (observed, 300 mentions, first at character 0)" in out
    assert f"{HYPERGLYCEMIA} Hyperglycemia (negated → excluded, 300 mentions" in out


def test_diagnose_text_json_out(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    out = tmp_path / "ranking.json"
    result = runner.invoke(
        app,
        [
            "diagnose",
            "--text",
            "Arachnodactyly. No high blood sugar.",
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert_exit(result, 0)
    patient = json.loads(out.read_text(encoding="utf-8"))["patient"]
    assert [t["id"] for t in patient["observed"]] == [ARACHNODACTYLY]
    assert [t["id"] for t in patient["excluded"]] == [HYPERGLYCEMIA]


def test_a_negated_finding_excludes_only_itself_not_the_head_inside_it(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    """"No disproportionate tall stature" says nothing against tall stature as such."""
    text = "Arachnodactyly. No disproportionate tall stature."
    result = runner.invoke(app, ["extract", text, "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert (TALL_STATURE, True) in [(m["hpo_id"], m["negated"]) for m in data["mentions"]]  # reported, nested
    assert data["excluded"] == [DISPROPORTIONATE_TALL]
    out = tmp_path / "ranking.json"
    result = runner.invoke(app, ["diagnose", "--text", text, "--format", "json", "--out", str(out)])
    assert_exit(result, 0)
    patient = json.loads(out.read_text(encoding="utf-8"))["patient"]
    assert [t["id"] for t in patient["excluded"]] == [DISPROPORTIONATE_TALL]
    assert f"{TALL_STATURE} Tall stature (inside a longer finding, implied by it)" in flat(result.output)


def test_diagnose_text_json_stdout_is_json(runner: CliRunner, assert_exit: AssertExit) -> None:
    result = runner.invoke(
        app, ["diagnose", "--text", "Arachnodactyly. No high blood sugar.", "--format", "json"]
    )
    assert_exit(result, 0)
    patient = json.loads(result.stdout)["patient"]
    assert [t["id"] for t in patient["observed"]] == [ARACHNODACTYLY]


def test_diagnose_text_file(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("患儿手指细长，晶状体异位，主动脉根部瘤。", encoding="utf-8")
    result = runner.invoke(app, ["diagnose", "--text-file", str(path)])
    assert_exit(result, 0)
    assert "Marfan" in flat(result.stdout)


@pytest.mark.parametrize(
    "text",
    ["Nothing of note.", "No arachnodactyly.", "Her mother had short stature."],
    ids=["no-findings", "only-negated", "only-family"],
)
def test_diagnose_text_without_present_findings(
    runner: CliRunner, assert_exit: AssertExit, text: str
) -> None:
    result = runner.invoke(app, ["diagnose", "--text", text])
    assert_exit(result, 2)
    assert "no phenotype found" in flat(result.stderr)


def test_diagnose_text_file_not_utf8(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Arachnodactyly, ectopia lentis. Caf\u00e9.".encode("latin-1"))
    result = runner.invoke(app, ["diagnose", "--text-file", str(path)])
    assert_exit(result, 1)
    assert "latin1.txt" in flat(result.stderr)
    assert "save the file as UTF-8" in flat(result.stderr)


def test_diagnose_empty_text_and_text_file(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    result = runner.invoke(app, ["diagnose", "--text", " "])
    assert_exit(result, 2)
    assert "the text is empty" in flat(result.stderr)
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = runner.invoke(app, ["diagnose", "--text-file", str(path)])
    assert_exit(result, 1)
    assert f"{path} is empty" in flat(result.stderr)


def test_diagnose_text_file_path_errors(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    result = runner.invoke(app, ["diagnose", "--text-file", str(tmp_path)])
    assert_exit(result, 2)
    assert f"--text-file {tmp_path} is a folder, not a file" in flat(result.stderr)
    result = runner.invoke(app, ["diagnose", "--text-file", str(tmp_path / "absent.txt")])
    assert_exit(result, 2)
    assert "no such file" in flat(result.stderr)


# ---- rarelens benchmark text -------------------------------------------------------------
#
# Three English documents (spans are offsets into the texts below):
#   d1 "Arachnodactyly and ectopia lentis were noted. There was no aortic root aneurysm."
#      gold 1166, 1083; predicted 1166, 1083 (2616 is negated, not a prediction)
#   d2 "Tall stature with slender fingers."
#      gold 1519 (on "Tall stature"), 1166 (on "slender fingers"); predicted 0098, 1238
#   d3 "He has high blood sugar and short stature."
#      gold 3074; predicted 3074, 4322
# document_strict: gold 2+2+1 = 5, predicted 2+2+2 = 6, tp 2+0+1 = 3 → P 0.5, R 0.6, F1 0.5455
# document_relaxed: d2's 1238 matches gold 1166 (its ancestor, not a category) while 0098 does
#   not match 1519 (0098 is a direct child of HP:0000118): tp 2+1+1 = 4, recalled 4 →
#   P 0.6667, R 0.8, F1 0.7273
# mention_exact and mention_overlap: the same three pairs as strict → tp 3.
# negation: one negated mention (2616 in d1), not among d1's gold → caught 1, wrongly 0.

DOCS = {
    "d1": "Arachnodactyly and ectopia lentis were noted. There was no aortic root aneurysm.",
    "d2": "Tall stature with slender fingers.",
    "d3": "He has high blood sugar and short stature.",
}
GOLD = {
    "d1": [(0, 14, "Arachnodactyly", ARACHNODACTYLY), (19, 33, "ectopia lentis", ECTOPIA_LENTIS)],
    "d2": [
        (0, 12, "Tall stature", DISPROPORTIONATE_TALL),
        (18, 33, "slender fingers", ARACHNODACTYLY),
    ],
    "d3": [(7, 23, "high blood sugar", HYPERGLYCEMIA)],
}
STRICT = {
    "tp": 3,
    "fp": 3,
    "fn": 2,
    "n_gold": 5,
    "n_pred": 6,
    "n_docs": 3,
    "precision": 0.5,
    "recall": 0.6,
    "f1": 0.5455,
}
RELAXED = {
    "tp": 4,
    "fp": 2,
    "fn": 1,
    "n_gold": 5,
    "n_pred": 6,
    "n_docs": 3,
    "precision": 0.6667,
    "recall": 0.8,
    "f1": 0.7273,
}


def test_hand_made_gold_spans_are_right() -> None:
    for doc, gold in GOLD.items():
        for start, end, text, _ in gold:
            assert DOCS[doc][start:end] == text


@pytest.mark.parametrize(
    ("doc", "observed", "excluded"),
    [
        ("d1", [ECTOPIA_LENTIS, ARACHNODACTYLY], [AORTIC_ROOT]),
        ("d2", [TALL_STATURE, SLENDER_FINGER], []),
        ("d3", [HYPERGLYCEMIA, SHORT_STATURE], []),
    ],
)
def test_benchmark_premises(
    runner: CliRunner, assert_exit: AssertExit, doc: str, observed: list[str], excluded: list[str]
) -> None:
    """The predictions the hand-computed scores below assume."""
    result = runner.invoke(app, ["extract", DOCS[doc], "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["observed"] == observed
    assert data["excluded"] == excluded


def _phenobert(root: Path, folder: str) -> Path:
    (root / "corpus").mkdir(parents=True)
    (root / folder).mkdir()
    for doc, text in DOCS.items():
        (root / "corpus" / doc).write_text(text, encoding="utf-8")
        if folder == "raw_ann":  # GSC+: [start::end]<TAB>HP_id | mention
            lines = [f"[{s}::{e}]\t{h.replace(':', '_')} | {t}" for s, e, t, h in GOLD[doc]]
        else:  # PhenoBERT's ann: start<TAB>end<TAB>mention<TAB>HP:id, optional Neg
            lines = [f"{s}\t{e}\t{t}\t{h}" for s, e, t, h in GOLD[doc]]
            if doc == "d1":
                lines.append(f"59\t79\taortic root aneurysm\t{AORTIC_ROOT}\tNeg")
        (root / folder / doc).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _gsc2024(root: Path) -> Path:
    (root / "Text").mkdir(parents=True)
    (root / "Annotations").mkdir()
    for doc, text in DOCS.items():
        (root / "Text" / doc).write_text(text, encoding="utf-8")
        lines = [f"{s}:{e}\t{h}\t{t}" for s, e, t, h in GOLD[doc]]
        (root / "Annotations" / doc).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _phenotagger(root: Path) -> Path:
    root.mkdir(parents=True)
    blocks = []
    for doc, text in DOCS.items():
        blocks.append("\n".join([doc, text, *(f"{s}\t{e}\t{t}\t{h}" for s, e, t, h in GOLD[doc])]))
    path = root / "tiny_test_gold.tsv"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def _scores(data: dict[str, Any], level: str) -> dict[str, Any]:
    return {k: data[level][k] for k in STRICT}


@pytest.mark.parametrize(
    ("layout", "extra"),
    [
        ("phenobert-raw_ann", []),
        ("phenobert-ann", ["--annotations", "ann"]),
        ("gsc2024", []),
        ("phenotagger", []),
    ],
)
def test_benchmark_text_english_corpus(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, layout: str, extra: list[str]
) -> None:
    if layout.startswith("phenobert"):
        path = _phenobert(tmp_path / "corpus-root", layout.split("-")[1])
        fmt = "phenobert"
    elif layout == "gsc2024":
        path, fmt = _gsc2024(tmp_path / "gsc"), "gsc2024"
    else:
        path, fmt = _phenotagger(tmp_path / "pt"), "phenotagger"
    result = runner.invoke(
        app,
        ["benchmark", "text", str(path), "--corpus-format", fmt, "--repeat", "1", "--json", *extra],
    )
    assert_exit(result, 0)
    data = last_json(result)
    assert data["n_docs"] == 3
    assert data["corpus_format"] == fmt
    assert _scores(data, "document_strict") == STRICT
    assert _scores(data, "document_relaxed") == RELAXED
    assert data["mention_exact"]["tp"] == 3
    assert data["mention_exact"]["n_gold"] == 5
    assert data["mention_exact"]["n_pred"] == 6
    assert data["mention_overlap"]["tp"] == 3
    assert data["negation"] == {
        "negated_mentions": 1,
        "absent_findings_caught": 1,
        "gold_findings_negated": 0,
    }
    assert data["annotation_lines_skipped"] == 0


@pytest.mark.parametrize(("flag", "recall"), [("--nested", 1.0), ("--no-nested", 0.5)])
def test_benchmark_text_nested_heads(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, flag: str, recall: float
) -> None:
    """GSC+-style gold that names both the long match and the head inside it."""
    root = tmp_path / "gsc"
    (root / "Text").mkdir(parents=True)
    (root / "Annotations").mkdir()
    (root / "Text" / "n1").write_text("Disproportionate tall stature.", encoding="utf-8")
    (root / "Annotations" / "n1").write_text(
        f"0:29\t{DISPROPORTIONATE_TALL}\tDisproportionate tall stature\n17:29\t{TALL_STATURE}\ttall stature\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["benchmark", "text", str(root), "--corpus-format", "gsc2024", "--repeat", "1", "--json", flag])
    assert_exit(result, 0)
    data = last_json(result)
    assert data["nested"] is (flag == "--nested")
    assert data["document_strict"]["recall"] == recall
    assert data["document_strict"]["precision"] == 1.0


def test_benchmark_text_table(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    path = _gsc2024(tmp_path / "gsc")
    result = runner.invoke(
        app, ["benchmark", "text", str(path), "--corpus-format", "gsc2024", "--repeat", "1"]
    )
    assert_exit(result, 0)
    out = flat(result.stdout.replace("│", " "))
    assert "document_strict 0.500 0.600 0.545" in out
    assert "document_relaxed 0.667 0.800 0.727" in out
    assert json.loads(result.stdout.strip().splitlines()[-1])["n_docs"] == 3


# Chinese clinical set (rarelens-zh): gold lists per sentence, scored apart.
#   z1 身材矮小 present, 高血糖 negated          predicted: 4322 present, 3074 negated
#   z2 晶状体异位 family                          predicted: 1083 family
#   z3 手指细长 present (gold: Slender finger 1238, whose CHPO label it is), 主动脉根部瘤 negated
#                      predicted: 1166 present (the curated zh_synonyms.tsv row 手指细长 →
#                      Arachnodactyly beats the label), 2616 negated
# present strict: gold {4322}, {}, {1238}; predicted {4322}, {}, {1166} → tp 1 of 2 / 2
# present relaxed: 1166 and 1238 match (descendant, 1238 is not a category) → tp 2, recalled 2
# negated: {3074}, {2616} both found → 1.0; family: {1083} found → 1.0
ZH_ROWS = [
    {
        "id": "z1",
        "kind": "examination",
        "text": "患儿身材矮小，无高血糖。",
        "present": [SHORT_STATURE],
        "negated": [HYPERGLYCEMIA],
        "family": [],
    },
    {
        "id": "z2",
        "kind": "family-history",
        "text": "母亲有晶状体异位。",
        "present": [],
        "negated": [],
        "family": [ECTOPIA_LENTIS],
    },
    {
        "id": "z3",
        "kind": "mixed",
        "text": "患儿手指细长，否认主动脉根部瘤。",
        "present": [SLENDER_FINGER],
        "negated": [AORTIC_ROOT],
        "family": [],
    },
]


def test_benchmark_text_rarelens_zh(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    path = tmp_path / "zh.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in ZH_ROWS) + "\n", encoding="utf-8"
    )
    result = runner.invoke(
        app,
        [
            "benchmark",
            "text",
            str(path),
            "--corpus-format",
            "rarelens-zh",
            "--repeat",
            "1",
            "--json",
        ],
    )
    assert_exit(result, 0)
    data = last_json(result)
    assert data["n_docs"] == 3
    assert data["n_sentences"] == 3
    present = data["present"]
    assert {k: present["document_strict"][k] for k in ("tp", "fp", "fn", "n_gold", "n_pred")} == {
        "tp": 1,
        "fp": 1,
        "fn": 1,
        "n_gold": 2,
        "n_pred": 2,
    }
    assert present["document_strict"]["f1"] == 0.5
    assert {
        k: present["document_relaxed"][k] for k in ("tp", "fp", "fn", "precision", "recall", "f1")
    } == {"tp": 2, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert {k: data["negated"]["document_strict"][k] for k in ("tp", "n_gold", "n_pred", "f1")} == {
        "tp": 2,
        "n_gold": 2,
        "n_pred": 2,
        "f1": 1.0,
    }
    assert {k: data["family"]["document_strict"][k] for k in ("tp", "n_gold", "n_pred", "f1")} == {
        "tp": 1,
        "n_gold": 1,
        "n_pred": 1,
        "f1": 1.0,
    }
    assert data["negated_gold_reported_present"] == 0
    assert data["negated_gold_total"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--corpus-format", "brat"], "unknown corpus format"),
        (["--corpus-format", "gsc2024"], "no such file or folder"),
    ],
)
def test_benchmark_text_usage_errors(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["benchmark", "text", str(tmp_path / "nowhere"), *args])
    assert_exit(result, 2)
    assert message in flat(result.stderr)


def test_benchmark_text_malformed_clinical_set(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    path = tmp_path / "zh.jsonl"
    path.write_text('{"id": "z1", "text": "抽搐"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(
        app, ["benchmark", "text", str(path), "--corpus-format", "rarelens-zh", "--json"]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "zh.jsonl" in flat(result.stderr)


def test_extract_json_excluded_is_what_diagnose_excludes(runner: CliRunner, assert_exit: AssertExit) -> None:
    """A hedged negation ("possibly no …") is neither observed nor excluded, as in diagnose --text."""
    result = runner.invoke(app, ["extract", "Arachnodactyly; possibly no aortic root aneurysm.", "--format", "json"])
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    flags = {m["hpo_id"]: (m["negated"], m["uncertain"]) for m in data["mentions"]}
    assert flags[AORTIC_ROOT] == (True, True)
    assert data["observed"] == [ARACHNODACTYLY]
    assert data["excluded"] == []


# ---- a hospital's vocabulary file ---------------------------------------------------------


def _vocabulary(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "ward.tsv"
    path.write_text(body, encoding="utf-8")
    return path


def test_extract_reads_a_vocabulary_file(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    vocab = _vocabulary(tmp_path, "# ward shorthand\nhpo_id\texpression\tnote\n"
                                  f"{ARACHNODACTYLY}\tspider fingers\tlocal wording\n{SHORT_STATURE}\t个子矮\n")
    result = runner.invoke(app, ["extract", "Spider fingers; 患儿个子矮。", "--vocabulary", str(vocab), "-f", "json"])
    assert_exit(result, 0)
    found = [(m["text"], m["hpo_id"], m["source"]) for m in json.loads(result.stdout)["mentions"]]
    assert found == [("Spider fingers", ARACHNODACTYLY, "vocabulary"), ("个子矮", SHORT_STATURE, "vocabulary")]


def test_diagnose_text_uses_the_vocabulary_of_the_environment(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RARELENS_VOCABULARY", str(_vocabulary(tmp_path, f"{ARACHNODACTYLY}\tspider fingers\n")))
    result = runner.invoke(app, ["diagnose", "--text", "Spider fingers and ectopia lentis.", "--format", "json"])
    assert_exit(result, 0)
    assert f"Spider fingers → {ARACHNODACTYLY}" in flat(result.stderr)


def test_vocabulary_rows_that_cannot_be_used_are_all_named(
    runner: CliRunner, assert_exit: AssertExit, tmp_path: Path
) -> None:
    vocab = _vocabulary(tmp_path, "HP:9999999\tfoo bar\nHP:0000118\tanything\nno tab here\n"
                                  f"{ARACHNODACTYLY}\tspider fingers\n{SHORT_STATURE}\tspider fingers\n")
    result = runner.invoke(app, ["extract", "Spider fingers.", "--vocabulary", str(vocab)])
    assert_exit(result, 1)
    message = flat(result.stderr)
    for part in ("4 unusable line(s)", "line 1: HP:9999999", "line 2: HP:0000118", "line 3:", "line 5:",
                 "reads the same as line 4", "which gives HP:0001166", "Fix:"):
        assert part in message, part


def test_missing_vocabulary_file_is_a_usage_error(runner: CliRunner, assert_exit: AssertExit, tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", "Spider fingers.", "--vocabulary", str(tmp_path / "none.tsv")])
    assert_exit(result, 2)
    assert "no such file" in flat(result.stderr)
