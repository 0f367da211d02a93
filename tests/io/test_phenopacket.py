"""GA4GH Phenopacket v2 JSON → Patient, validated against the fixture HPO release."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from rarelens.io.phenopacket import build_patient, load_phenopacket, parse_iso_duration
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.model.issue import IssueLevel, ValidationError
from rarelens.ontology import Ontology

ARACHNODACTYLY, AORTIC_ROOT, ECTOPIA_LENTIS = "HP:0001166", "HP:0002616", "HP:0001083"
HYPERGLYCEMIA = "HP:0003074"
ALT_ARACHNODACTYLY = "HP:0001505"  # alt_id of HP:0001166 in the fixture hp.obo
OBSOLETE_DILATATION = "HP:0002631"  # obsolete, replaced_by HP:0002616
OBSOLETE_NO_REPLACEMENT = "HP:0500014"  # obsolete, only consider: HP:0000118


@pytest.fixture(scope="module")
def onto(kb: KnowledgeBase) -> Ontology:
    return kb.ontology


def feature(hpo: str, *, excluded: bool = False, onset: str | None = None) -> dict[str, Any]:
    f: dict[str, Any] = {"type": {"id": hpo, "label": "x"}}
    if excluded:
        f["excluded"] = True
    if onset:
        f["onset"] = {"age": {"iso8601duration": onset}}
    return f


def write(tmp_path: Path, features: list[dict[str, Any]], name: str = "case.json", **extra: Any) -> Path:
    data = {"id": "case-1", "phenotypicFeatures": features, **extra}
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def ids(o: Ontology, terms: tuple[int, ...]) -> list[str]:
    return [o.ids[t] for t in terms]


def test_valid_phenopacket(tmp_path: Path, onto: Ontology) -> None:
    path = write(
        tmp_path,
        [
            feature(ARACHNODACTYLY, onset="P3Y6M"),
            feature(AORTIC_ROOT, onset="P12Y"),
            feature(ECTOPIA_LENTIS),
            feature(HYPERGLYCEMIA, excluded=True, onset="P1M"),  # excluded: its onset is ignored
        ],
        subject={"id": "proband", "sex": "FEMALE", "timeAtLastEncounter": {"age": {"iso8601duration": "P14Y3M"}}},
        diseases=[{"term": {"id": "OMIM:154700", "label": "Marfan syndrome"}}],
        metaData={"phenopacketSchemaVersion": "2.0"},
    )
    case = load_phenopacket(path, onto)
    p = case.patient
    assert ids(onto, p.observed) == [ARACHNODACTYLY, AORTIC_ROOT, ECTOPIA_LENTIS]
    assert ids(onto, p.excluded) == [HYPERGLYCEMIA]
    assert p.sex == "FEMALE"
    assert p.age_years == pytest.approx(14.25)
    assert p.onset_years == pytest.approx(3.5)  # earliest onset among observed features
    assert p.id == "case-1"
    assert p.issues == ()
    assert case.diseases == ("OMIM:154700",)
    assert case.path == str(path)


def test_minimal_phenopacket_defaults(tmp_path: Path, onto: Ontology) -> None:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"phenotypicFeatures": [feature(ARACHNODACTYLY)]}), encoding="utf-8")
    case = load_phenopacket(path, onto)
    assert case.patient.id == "bare"  # file stem when the packet has no id
    assert case.patient.sex is None
    assert case.patient.age_years is None
    assert case.patient.onset_years is None
    assert case.diseases == ()


def test_unknown_sex_is_none(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY)], subject={"sex": "UNKNOWN_SEX"})
    assert load_phenopacket(path, onto).patient.sex is None


def test_duplicate_terms_are_deduplicated(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY), feature(ARACHNODACTYLY), feature(ALT_ARACHNODACTYLY)])
    assert ids(onto, load_phenopacket(path, onto).patient.observed) == [ARACHNODACTYLY]


def test_alt_id_is_mapped_with_a_warning_kept_on_the_patient(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ALT_ARACHNODACTYLY), feature(AORTIC_ROOT)])
    p = load_phenopacket(path, onto).patient
    assert ids(onto, p.observed) == [ARACHNODACTYLY, AORTIC_ROOT]
    assert len(p.issues) == 1
    issue = p.issues[0]
    assert issue.level is IssueLevel.WARNING
    assert issue.code == "alt-hpo-id"
    assert ALT_ARACHNODACTYLY in issue.message
    assert ARACHNODACTYLY in issue.message
    assert issue.location == str(path)


def test_obsolete_id_is_mapped_to_its_replacement(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(OBSOLETE_DILATATION), feature(ECTOPIA_LENTIS, excluded=True)])
    p = load_phenopacket(path, onto).patient
    assert ids(onto, p.observed) == [AORTIC_ROOT]
    assert ids(onto, p.excluded) == [ECTOPIA_LENTIS]
    assert [(i.level, i.code) for i in p.issues] == [(IssueLevel.WARNING, "obsolete-hpo-id")]
    assert AORTIC_ROOT in p.issues[0].message


def test_unknown_id_names_the_id_and_the_file(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY), feature("HP:9999999")], name="patient-7.json")
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    errors = [i for i in info.value.issues if i.level is IssueLevel.ERROR]
    assert len(errors) == 1
    assert "HP:9999999" in errors[0].message
    assert errors[0].location == str(path)
    assert "HP:9999999" in str(info.value)
    assert "patient-7.json" in str(info.value)


def test_every_bad_id_is_reported_at_once(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature("HP:9999999"), feature(ARACHNODACTYLY), feature("HP:9999998", excluded=True),
                            feature(OBSOLETE_NO_REPLACEMENT)])
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    text = str(info.value)
    for bad in ("HP:9999999", "HP:9999998", OBSOLETE_NO_REPLACEMENT):
        assert bad in text
    assert "consider HP:0000118" in text


def test_empty_phenotypic_features(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [])
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    assert [i.code for i in info.value.issues] == ["no-observed-terms"]
    assert "no observed phenotype terms" in str(info.value)
    assert str(path) in str(info.value)


def test_only_excluded_terms(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY, excluded=True)])
    with pytest.raises(ValidationError, match="no observed phenotype terms"):
        load_phenopacket(path, onto)


def test_only_unknown_ids(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature("HP:9999999"), feature("HP:9999998")])
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    assert {i.code for i in info.value.issues} == {"unknown-hpo-id"}
    assert "HP:9999999" in str(info.value)
    assert "HP:9999998" in str(info.value)


def test_malformed_id(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature("HP:12")])
    with pytest.raises(ValidationError, match="HP:12"):
        load_phenopacket(path, onto)


def test_feature_without_type_id(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY), {"type": {"label": "Arachnodactyly"}}])
    with pytest.raises(ValidationError, match=r"phenotypicFeatures\[1\]"):
        load_phenopacket(path, onto)


def test_invalid_json_gives_the_line(tmp_path: Path, onto: Ontology) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "x",\n  "phenotypicFeatures": [,]\n}\n', encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    assert [i.code for i in info.value.issues] == ["bad-json"]
    assert "line 3" in str(info.value)
    assert "broken.json" in str(info.value)


def test_json_that_is_not_a_phenopacket(tmp_path: Path, onto: Ontology) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValidationError, match="not a phenopacket"):
        load_phenopacket(path, onto)


def test_a_family_message_or_a_gzipped_file_is_told_for_what_it_is(tmp_path: Path, onto: Ontology) -> None:
    family = raw(tmp_path, {"id": "fam", "proband": {"id": "p", "phenotypicFeatures": [feature(ARACHNODACTYLY)]}},
                 name="family.json")
    with pytest.raises(ValidationError, match=r"family.json: is a GA4GH Family message.*under 'proband'"):
        load_phenopacket(family, onto)
    other = raw(tmp_path, {"foo": "bar"}, name="other.json")
    with pytest.raises(ValidationError, match=r"other.json: has none of a phenopacket's fields"):
        load_phenopacket(other, onto)
    packed = tmp_path / "case.json.gz"
    packed.write_bytes(gzip.compress(write(tmp_path, [feature(ARACHNODACTYLY)]).read_bytes()))
    with pytest.raises(ValidationError, match=r"case.json.gz: the file is gzip-compressed.*decompress it first"):
        load_phenopacket(packed, onto)


def test_a_term_outside_phenotypic_abnormality_is_refused(tmp_path: Path, onto: Ontology) -> None:
    """Mode of inheritance (HP:0000005) or the root is no finding: ranked, it matches every
    disease through the root. Refused with the reason; dropped (and said) when reading leniently."""
    with pytest.raises(ValidationError, match=r"HP:0000005 Mode of inheritance is not a phenotypic abnormality"):
        build_patient(onto, [ARACHNODACTYLY, "HP:0000005"], [])
    path = write(tmp_path, [feature(ARACHNODACTYLY), feature("HP:0000001")])
    case = load_phenopacket(path, onto, lenient=True)
    assert ids(onto, case.patient.observed) == [ARACHNODACTYLY]
    [issue] = [i for i in case.patient.issues if i.code == "not-a-phenotype"]
    assert issue.message.startswith("phenotypicFeatures[1].type.id: HP:0000001")
    assert issue.message.endswith("dropped")


def test_v1_negated_feature_is_excluded_with_a_warning(tmp_path: Path, onto: Ontology) -> None:
    """Phenopackets v1 wrote an absent finding as "negated": true; read as observed it would
    turn the finding round."""
    negated = {**feature(HYPERGLYCEMIA), "negated": True}
    path = write(tmp_path, [feature(ARACHNODACTYLY), negated], metaData={"phenopacketSchemaVersion": "1.0"})
    case = load_phenopacket(path, onto)
    assert ids(onto, case.patient.observed) == [ARACHNODACTYLY]
    assert ids(onto, case.patient.excluded) == [HYPERGLYCEMIA]
    warnings = [i.message for i in case.patient.issues if i.level is IssueLevel.WARNING]
    assert any("phenotypicFeatures[1].negated" in w and "excluded" in w for w in warnings), warnings
    assert any("phenopacketSchemaVersion" in w and "v1" in w for w in warnings), warnings


def test_v1_negated_against_v2_excluded_false_is_an_error(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY), {**feature(HYPERGLYCEMIA), "negated": True, "excluded": False}])
    with pytest.raises(ValidationError, match=r"phenotypicFeatures\[1\] says both"):
        load_phenopacket(path, onto)


def test_observed_and_excluded_is_observed_with_a_warning(onto: Ontology) -> None:
    p = build_patient(onto, [ARACHNODACTYLY], [ARACHNODACTYLY, ECTOPIA_LENTIS], location="command line")
    assert ids(onto, p.observed) == [ARACHNODACTYLY]
    assert ids(onto, p.excluded) == [ECTOPIA_LENTIS]
    assert [i.code for i in p.issues] == ["observed-and-excluded"]
    assert p.issues[0].location == "command line"


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("P3Y", 3.0),
        ("P3Y6M", 3.5),
        ("P6M", 0.5),
        ("P18M", 1.5),
        ("P1.5Y", 1.5),
        ("P2W", 2 / 52.18),
        ("P10D", 10 / 365.25),
        ("P1Y2M3W4D", 1 + 2 / 12 + 3 / 52.18 + 4 / 365.25),
        ("P0D", 0.0),
        (" P3Y ", 3.0),
    ],
)
def test_parse_iso_duration(text: str, years: float) -> None:
    assert parse_iso_duration(text) == pytest.approx(years)


@pytest.mark.parametrize("text", ["", "P", "3Y", "P3", "PY", "P3Y6", "T3Y", "P-1Y", "P3M2Y", "three years"])
def test_parse_iso_duration_unreadable(text: str) -> None:
    assert parse_iso_duration(text) is None


def test_select_case_files_splits_by_cohort_and_quarters_refine_halves(tmp_path: Path) -> None:
    """Folds are whole cohorts (crc32 of the folder name); with four folds, folds 0 and 2 split
    half 0 again, so tuning inside half 0 never touches half 1."""
    import zlib

    from rarelens.io.phenopacket import select_case_files

    cohorts = [f"GENE{i}" for i in range(12)]
    for c in cohorts:
        (tmp_path / c).mkdir()
        for k in range(3):
            (tmp_path / c / f"case{k}.json").write_text("{}", encoding="utf-8")
    halves = [select_case_files(tmp_path, fold=f) for f in (0, 1)]
    quarters = [select_case_files(tmp_path, fold=f, folds=4) for f in range(4)]
    assert sorted(halves[0] + halves[1]) == select_case_files(tmp_path)
    assert sorted(quarters[0] + quarters[2]) == halves[0]
    assert sorted(quarters[1] + quarters[3]) == halves[1]
    for f in range(4):
        assert all(zlib.crc32(p.parent.name.encode()) % 4 == f for p in quarters[f])
    assert {p.parent.name for p in halves[0]}.isdisjoint({p.parent.name for p in halves[1]})
    sample = select_case_files(tmp_path, limit=12)
    assert len(sample) == 12
    assert len({p.parent.name for p in sample}) == 12  # evenly spaced: every cohort
    assert all(quarters)  # the split above was not vacuous


# ---- wrong types, encodings and JSON: every problem named by file and JSON path ----------


def raw(tmp_path: Path, data: Any, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"diseases": None}, "diseases must be a list, not null"),
        ({"diseases": 5}, "diseases must be a list, not 5"),
        ({"diseases": ["OMIM:154700"]}, 'diseases[0] must be an object, not the string "OMIM:154700"'),
        ({"diseases": [{"term": "OMIM:154700"}]}, "diseases[0].term must be an object"),
        ({"diseases": [{"term": {"label": "Marfan"}}]}, "diseases[0] has no term.id"),
        ({"subject": "patient1"}, 'subject must be an object, not the string "patient1"'),
        ({"subject": {"sex": 1}}, "subject.sex must be a string, not 1"),
        ({"subject": {"timeAtLastEncounter": {"age": {"iso8601duration": 15}}}},
         "subject.timeAtLastEncounter.age.iso8601duration must be a string, not 15"),
        ({"id": {"a": 1}}, "id must be a string, not an object"),
        ({"interpretations": "x"}, "interpretations must be a list"),
        ({"interpretations": [{"diagnosis": "x"}]}, "interpretations[0].diagnosis must be an object"),
    ],
)
def test_wrongly_typed_top_level_fields(tmp_path: Path, onto: Ontology, extra: dict[str, Any], named: str) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY)], **extra)
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    assert named in str(info.value)
    assert all(i.location == str(path) for i in info.value.issues)


@pytest.mark.parametrize(
    ("features", "named"),
    [
        (None, "phenotypicFeatures must be a list, not null"),
        ("HP:0001166", 'phenotypicFeatures must be a list, not the string "HP:0001166"'),
        (["HP:0001166"], 'phenotypicFeatures[0] must be an object, not the string "HP:0001166"'),
        ([{"type": "HP:0001166"}], "phenotypicFeatures[0].type must be an object"),
        ([{"type": {"id": 1166}}], "phenotypicFeatures[0].type.id must be a string, not 1166"),
        ([{"type": {"id": ARACHNODACTYLY}, "excluded": "false"}],
         'phenotypicFeatures[0].excluded must be true or false, not the string "false"'),
        ([{"type": {"id": ARACHNODACTYLY}, "excluded": 0}], "phenotypicFeatures[0].excluded must be true or false, not 0"),
        ([{"type": {"id": ARACHNODACTYLY}, "onset": "P3Y"}], "phenotypicFeatures[0].onset must be an object"),
        ([{"type": {"id": ARACHNODACTYLY}, "onset": {"age": {"iso8601duration": 5}}}],
         "phenotypicFeatures[0].onset.age.iso8601duration must be a string, not 5"),
    ],
)
def test_wrongly_typed_features(tmp_path: Path, onto: Ontology, features: Any, named: str) -> None:
    path = raw(tmp_path, {"id": "c", "phenotypicFeatures": features})
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    assert named in str(info.value)


def test_excluded_string_false_is_not_read_as_true(tmp_path: Path, onto: Ontology) -> None:
    """Before, "excluded": "false" (a truthy string) silently excluded an observed finding."""
    path = write(tmp_path, [feature(ARACHNODACTYLY), {"type": {"id": AORTIC_ROOT}, "excluded": "false"}])
    with pytest.raises(ValidationError, match=r"phenotypicFeatures\[1\]\.excluded") as info:
        load_phenopacket(path, onto)
    assert "without quotes" in str(info.value)


def test_every_wrong_field_and_bad_id_reported_at_once(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY), feature("HP:9999999"), {"type": {"id": AORTIC_ROOT}, "excluded": 1}],
                 diseases=None, subject="x")
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    text = str(info.value)
    for named in ("phenotypicFeatures[1].type.id: HP:9999999", "phenotypicFeatures[2].excluded", "diseases must",
                  "subject must"):
        assert named in text
    assert "no observed phenotype terms" not in text


def test_unknown_id_names_the_json_path(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY), feature("HP:9999999")])
    with pytest.raises(ValidationError, match=r"phenotypicFeatures\[1\]\.type\.id: HP:9999999"):
        load_phenopacket(path, onto)


def test_unreadable_duration_and_unknown_sex_are_warnings(tmp_path: Path, onto: Ontology) -> None:
    path = write(tmp_path, [feature(ARACHNODACTYLY, onset="three years")], subject={"sex": "F"})
    p = load_phenopacket(path, onto).patient
    messages = " | ".join(i.message for i in p.issues)
    assert "phenotypicFeatures[0].onset.age.iso8601duration" in messages
    assert "subject.sex" in messages
    assert {i.level for i in p.issues} == {IssueLevel.WARNING}
    assert (p.sex, p.onset_years) == (None, None)


def test_utf8_bom_is_accepted(tmp_path: Path, onto: Ontology) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({"phenotypicFeatures": [feature(ARACHNODACTYLY)]}), encoding="utf-8-sig")
    assert ids(onto, load_phenopacket(path, onto).patient.observed) == [ARACHNODACTYLY]


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("utf-16", "UTF-16"), ("utf-16-le", "NUL bytes"), ("latin-1", "not UTF-8 text (byte 11)")],
)
def test_other_encodings_say_save_as_utf8(tmp_path: Path, onto: Ontology, encoding: str, named: str) -> None:
    path = tmp_path / "enc.json"
    path.write_text(json.dumps({"id": "café", "phenotypicFeatures": [feature(ARACHNODACTYLY)]}, ensure_ascii=False),
                    encoding=encoding)
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    assert named in str(info.value)
    assert "save the file as UTF-8" in info.value.issues[0].fix
    assert "enc.json" in str(info.value)


def test_invalid_json_gives_line_and_column_and_a_whole_message(tmp_path: Path, onto: Ontology) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{\n  "phenotypicFeatures": [{"type": {"id": "HP:00', encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_phenopacket(path, onto)
    assert "invalid JSON at line 2, column 42: Unterminated string that starts there" in str(info.value)


@pytest.mark.parametrize("content", ["", "  \n"])
def test_empty_file(tmp_path: Path, onto: Ontology, content: str) -> None:
    path = tmp_path / "empty.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match="the file is empty"):
        load_phenopacket(path, onto)


def test_directory_is_named_as_a_directory(tmp_path: Path, onto: Ontology) -> None:
    with pytest.raises(ValidationError, match="is a directory"):
        load_phenopacket(tmp_path, onto)


def test_an_absurd_onset_is_ignored_with_a_warning(tmp_path: Path, onto: Ontology) -> None:
    """The same limit as the command line and the session loader (MAX_AGE_YEARS)."""
    path = write(tmp_path, [feature(ARACHNODACTYLY, onset="P999999999999999999999Y")])
    p = load_phenopacket(path, onto).patient
    assert p.onset_years is None
    assert any("200 years or more" in i.message for i in p.issues)
