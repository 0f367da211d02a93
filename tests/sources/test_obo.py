"""hp.obo reader: every field a [Term] stanza carries, and corrupt files named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarelens.ontology import Synonym
from rarelens.sources.errors import SourceFormatError
from rarelens.sources.obo import OboFile, load_obo


@pytest.fixture(scope="module")
def obo(fixture_data_dir: Path) -> OboFile:
    return load_obo(fixture_data_dir / "hpo" / "hp.obo")


@pytest.fixture(scope="module")
def terms(obo: OboFile) -> dict[str, object]:
    return {t.id: t for t in obo.terms}


def test_release_comes_from_data_version(obo: OboFile) -> None:
    assert obo.release == "2025-01-16"


def test_every_term_stanza_is_read_and_typedefs_are_not(obo: OboFile, fixture_data_dir: Path) -> None:
    text = (fixture_data_dir / "hpo" / "hp.obo").read_text(encoding="utf-8")
    assert len(obo.terms) == text.count("[Term]\n") == 27
    assert "part_of" not in {t.id for t in obo.terms}  # the [Typedef] stanza at the end


def test_label_definition_comment_xrefs(terms: dict) -> None:
    root = terms["HP:0000001"]
    assert root.name == "All"
    assert root.comment == "Root of all terms in the Human Phenotype Ontology."
    assert root.parents == ()
    arach = terms["HP:0001166"]
    assert arach.name == "Arachnodactyly"
    assert arach.definition == "Abnormally long and slender fingers (spider fingers)."
    assert arach.xrefs == ("SNOMEDCT_US:62250003", "UMLS:C0003706")


def test_definition_unescapes_quotes(terms: dict) -> None:
    # def: "... many refer to \"short stature\" as height ..." in hp.obo
    assert 'many refer to "short stature" as height' in terms["HP:0004322"].definition
    assert "\\" not in terms["HP:0004322"].definition


def test_synonyms_keep_scope_and_types(terms: dict) -> None:
    assert terms["HP:0001166"].synonyms == (
        Synonym("Long slender fingers", "EXACT", ("layperson",)),
        Synonym("Long, slender fingers", "EXACT", ()),
        Synonym("Spider fingers", "EXACT", ("layperson",)),
    )
    face = terms["HP:0000271"].synonyms
    assert {s.scope for s in face} == {"EXACT", "BROAD", "RELATED", "NARROW"}
    assert Synonym("Disorder of the face", "NARROW", ("layperson",)) in face
    assert Synonym("Abnormality of the countenance", "BROAD", ()) in face
    assert Synonym("Anomaly of face", "RELATED", ()) in face
    # a synonym type that is itself an HPO id (allelic requirement)
    assert Synonym("monoallelic_autosomal", "EXACT", ("HP:0034334",)) in terms["HP:0000006"].synonyms
    assert Synonym("Spider fingers", "EXACT", ("layperson",)).is_layperson
    assert not Synonym("Dysmelia", "RELATED", ()).is_layperson


def test_is_a_drops_the_trailing_label(terms: dict) -> None:
    assert terms["HP:0001166"].parents == ("HP:0001238",)
    assert terms["HP:0000006"].parents == ("HP:0000005",)
    assert terms["HP:0040281"].parents == ("HP:0040279",)


def test_alt_ids(terms: dict) -> None:
    assert terms["HP:0001166"].alt_ids == ("HP:0001505",)
    assert terms["HP:0001519"].alt_ids == ("HP:0003511", "HP:0008864")


def test_obsolete_terms_with_replaced_by_or_consider(terms: dict) -> None:
    replaced = terms["HP:0002631"]
    assert replaced.obsolete
    assert replaced.replaced_by == ("HP:0002616",)
    assert replaced.consider == ()
    assert replaced.parents == ()
    considered = terms["HP:0500014"]
    assert considered.obsolete
    assert considered.replaced_by == ()
    assert considered.consider == ("HP:0000118",)
    assert not terms["HP:0002616"].obsolete


# -- corrupt files ----------------------------------------------------------------------------


def _corrupt(tmp_path: Path, fixture_data_dir: Path, old: str, new: str) -> tuple[Path, int]:
    """Copy hp.obo with the first line equal to ``old`` replaced; return the path and line."""
    lines = (fixture_data_dir / "hpo" / "hp.obo").read_text(encoding="utf-8").split("\n")
    lineno = lines.index(old) + 1
    lines[lineno - 1] = new
    path = tmp_path / "hp.obo"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, lineno


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        # the closing quote and the xref list lost, as in a cut-off download
        ('synonym: "Spider fingers" EXACT layperson []', 'synonym: "Spider fingers EXACT layperson',
         "malformed synonym"),
        ('synonym: "Dysmelia" RELATED [https://orcid.org/0000-0002-0736-9199]',
         'synonym: "Dysmelia" SIMILAR [https://orcid.org/0000-0002-0736-9199]', "malformed synonym"),
        ("id: HP:0001238", "id: HP:1238", "not of the form HP:0000000"),
        ('def: "An increased concentration of glucose in the blood." [https://orcid.org/0000-0002-0736-9199]',
         "def: An increased concentration of glucose in the blood.", "definition is not a quoted string"),
        ("is_a: HP:0000118 ! Phenotypic abnormality", "is_", "expected 'tag: value'"),
    ],
)
def test_malformed_line_names_file_and_line(
    tmp_path: Path, fixture_data_dir: Path, old: str, new: str, problem: str
) -> None:
    path, lineno = _corrupt(tmp_path, fixture_data_dir, old, new)
    with pytest.raises(SourceFormatError) as info:
        load_obo(path)
    assert info.value.line == lineno
    assert info.value.path == path
    assert f"{path}:{lineno}:" in str(info.value)
    assert problem in str(info.value)
    assert "Fix:" in str(info.value)


def test_stanza_without_id_names_the_stanza_line(tmp_path: Path, fixture_data_dir: Path) -> None:
    lines = (fixture_data_dir / "hpo" / "hp.obo").read_text(encoding="utf-8").split("\n")
    id_line = lines.index("id: HP:0001238")
    del lines[id_line]
    path = tmp_path / "hp.obo"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert lines[id_line - 1] == "[Term]"
    with pytest.raises(SourceFormatError) as info:
        load_obo(path)
    assert info.value.line == id_line  # the [Term] header, 1-based
    assert f"{path}:{id_line}:" in str(info.value)
    assert "without an id" in str(info.value)


def test_stanza_without_name(tmp_path: Path) -> None:
    path = tmp_path / "hp.obo"
    path.write_text("format-version: 1.2\n\n[Term]\nid: HP:0000001\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"HP:0000001 has no name"):
        load_obo(path)


def test_unterminated_stanza_header(tmp_path: Path) -> None:
    path = tmp_path / "hp.obo"
    path.write_text("format-version: 1.2\n\n[Term\nid: HP:0000001\nname: All\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        load_obo(path)
    assert info.value.line == 3
    assert "malformed stanza header" in str(info.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("format-version: 1.2\ndata-version: hp/releases/2025-01-16\n", "no [Term] stanzas found"),
        ("<html><body>404 Not Found</body></html>\n", "expected 'tag: value'"),
    ],
)
def test_file_that_is_not_obo_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "hp.obo"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        load_obo(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)
