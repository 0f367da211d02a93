"""The exome analyzer end to end: VCF → candidates → filters, scores, inheritance → ranked genes
with their evidence.

Most tests use the fixture knowledge base of ``tests/conftest.py`` (FBN1/Marfan, KHK/essential
fructosuria (recessive), TGFBR1 and TGFB2/Loeys-Dietz, FBN2 and NAT2 without a disease) and the
real GRCh38 rows of those six genes in ``tests/fixtures/analysis/genes_grch38.tsv``. The last
test runs the same case on the real knowledge base and gene tables and is skipped without them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rarelens.analysis.analyzer import AnalysisConfig, ExomeAnalyzer, VcfContext
from rarelens.analysis.candidates import collect_candidates
from rarelens.analysis.result import AnalysisResult, GeneResult, ResourceUse, VariantResult
from rarelens.config import resolve_kb_path
from rarelens.io.gene_tables import gene_table_paths, load_gene_model, read_gene_records
from rarelens.io.phenopacket import build_patient
from rarelens.io.vcf import iter_vcf_chunks, read_vcf_header, write_vcf
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.model.patient import Patient
from rarelens.phenotype.genes import GenePhenotypeScorer
from rarelens.phenotype.ranker import PhenotypeRanker
from rarelens.store import load_knowledge_base
from rarelens.variants.genes import GeneModel, build_gene_model
from rarelens.variants.info import select_frequency_keys
from rarelens.variants.inheritance import Family

SCENARIOS = Path(__file__).resolve().parents[1] / "fixtures" / "analysis"
MARFAN_VCF = SCENARIOS / "marfan_fbn1_frameshift.vcf"
MARFAN_HPO = ["HP:0001166", "HP:0002616", "HP:0001083"]  # arachnodactyly, aortic root aneurysm, ectopia lentis
FILTERS = {"quality", "frequency", "region", "inheritance"}
HEADER = (
    "##reference=GRCh38",
    "##contig=<ID=chr2,length=242193529>",
    "##contig=<ID=chr9,length=138394717>",
    "##contig=<ID=chr15,length=101991189>",
    '##INFO=<ID=gnomAD_AF,Number=A,Type=Float,Description="Alternate allele frequency in gnomAD v4.1 exomes">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">',
)


@pytest.fixture(scope="module")
def genes() -> GeneModel:
    return build_gene_model(read_gene_records(SCENARIOS / "genes_grch38.tsv"), build="GRCh38", source="fixture")


@pytest.fixture(scope="module")
def analyzer(kb: KnowledgeBase, genes: GeneModel) -> ExomeAnalyzer:
    return ExomeAnalyzer(GenePhenotypeScorer(PhenotypeRanker(kb)), genes)


def run(analyzer: ExomeAnalyzer, vcf: Path, hpo: list[str] | None = None, *, family: Family | None = None,
        frequencies: bool = True, missing: tuple[ResourceUse, ...] = ()) -> AnalysisResult:
    header = read_vcf_header(vcf)
    fkeys = select_frequency_keys({k: v.description for k, v in header.info.items()}) if frequencies else ()
    fam = family or Family(proband=0)
    cands = collect_candidates(iter_vcf_chunks(vcf, header), analyzer.genes, proband=fam.proband,
                               keep_annotated=bool(header.csq_fields or header.ann_fields))
    patient: Patient | None = build_patient(analyzer.kb.ontology, hpo) if hpo else None
    ctx = VcfContext(str(vcf), "GRCh38", fkeys, header.csq_fields, header.ann_fields)
    return analyzer.analyze(cands, patient, ctx, family=fam, missing_resources=missing)


def gene(result: AnalysisResult, symbol: str) -> GeneResult:
    found = [g for g in result.genes if g.symbol == symbol]
    assert found, f"{symbol} not ranked; ranked: {result.ranked_symbols}"
    return found[0]


def by_key(g: GeneResult) -> dict[str, VariantResult]:
    return {v.key: v for v in g.variants}


def record(chrom: str, pos: int, ref: str, alt: str, *gts: str, info: str = ".", flt: str = "PASS") -> str:
    return "\t".join([chrom, str(pos), ".", ref, alt, "60", flt, info, "GT:GQ", *(f"{g}:99" for g in gts)])


# -- the Marfan scenario ------------------------------------------------------------------------


def test_lof_in_the_gene_matching_the_phenotype_ranks_first(analyzer: ExomeAnalyzer) -> None:
    r = run(analyzer, MARFAN_VCF, MARFAN_HPO)
    assert r.genes[0].symbol == "FBN1"
    top = r.genes[0]
    assert top.mode == "AD"
    assert top.diseases[0].concept_id == "MONDO:0007947"  # Marfan syndrome
    assert top.diseases[0].phenotype_rank == 1
    (v,) = [v for v in top.variants if v.filters["inheritance"] == "PASS"]
    assert (v.key, v.consequence, v.consequence_source) == ("15-48474300-GA-G", "frameshift_variant", "gene table")
    assert v.exon == 34  # FBN1 is on the − strand with 66 exons: the 33rd from the left is exon 34
    assert v.vcf_line == 23
    assert v.genotypes == (("proband", "0/1"),)


def test_evidence_is_reported_for_every_variant(analyzer: ExomeAnalyzer) -> None:
    r = run(analyzer, MARFAN_VCF, MARFAN_HPO)
    v = by_key(gene(r, "FBN1"))["15-48474300-GA-G"]
    assert set(v.filters) == FILTERS
    assert v.filters == {"quality": "PASS", "frequency": "PASS", "region": "PASS", "inheritance": "PASS"}
    assert v.acmg is not None
    assert v.acmg.classification in {"Pathogenic", "Likely pathogenic", "Uncertain significance"}
    assert "PM2" in {c[0] for c in v.acmg.criteria}  # absent from gnomAD (the VCF has gnomAD_AF)
    assert (v.gq, v.dp, v.qual) == (99, 44, 75.0)
    assert v.pathogenicity == 1.0
    assert v.pathogenicity_source == "consequence"
    assert v.frequency_score == 1.0


def test_filtered_variants_are_counted_and_their_genes_not_ranked(analyzer: ExomeAnalyzer) -> None:
    r = run(analyzer, MARFAN_VCF, MARFAN_HPO)
    assert r.counts["records"] == 7
    assert r.counts["not_carried_by_proband"] == 1  # TGFB2 0/0
    assert r.counts["pass_quality"] == 5  # TGFB2 LowQual fails
    assert r.counts["pass_frequency"] == 5  # NAT2 at 25 % in gnomAD fails
    # KHK is recessive (essential fructosuria) and the proband has a single heterozygote.
    assert r.counts["genes_incompatible_with_inheritance"] == 1
    assert set(r.ranked_symbols) == {"FBN1", "TGFBR1", "FBN2"}
    assert r.consequence_counts["frameshift_variant"] == 1


def test_frequency_filter_not_run_without_a_frequency_source(analyzer: ExomeAnalyzer) -> None:
    missing = (ResourceUse("population frequency", "frequency", "", "missing", "frequency filter not run"),)
    r = run(analyzer, MARFAN_VCF, MARFAN_HPO, frequencies=False, missing=missing)
    v = by_key(gene(r, "FBN1"))["15-48474300-GA-G"]
    assert v.filters["frequency"] == "NOT_RUN"
    assert v.acmg is not None
    assert "PM2" not in {c[0] for c in v.acmg.criteria}
    assert "NAT2" in r.ranked_symbols  # nothing removed the common variant
    assert [(x.name, x.status) for x in r.resources] == [("population frequency", "missing")]


def test_a_reported_gene_also_shows_its_variants_that_failed_a_filter(analyzer: ExomeAnalyzer, tmp_path: Path) -> None:
    vcf = tmp_path / "fbn1_plus_common.vcf"
    write_vcf(vcf, HEADER, [
        record("chr15", 48474300, "GA", "G", "0/1"),
        record("chr15", 48474560, "C", "T", "0/1", info="gnomAD_AF=0.31"),  # FBN1 exon 33, common
    ], ["proband"])
    r = run(analyzer, vcf, MARFAN_HPO)
    vs = by_key(gene(r, "FBN1"))
    assert vs["15-48474300-GA-G"].filters["frequency"] == "PASS"
    common = vs["15-48474560-C-T"]
    assert common.filters["frequency"] == "FAIL"
    assert common.filters["inheritance"] == "NOT_RUN"
    assert common.max_frequency == pytest.approx(0.31)


def test_without_phenotypes_genes_are_ranked_on_genotype_evidence_alone(analyzer: ExomeAnalyzer) -> None:
    r = run(analyzer, MARFAN_VCF, None)
    assert r.phenotype_method == "none"
    assert r.hpo_terms == ()
    assert all(g.phenotype_score == 0.0 for g in r.genes)
    assert [g.score for g in r.genes] == [g.genotype_log_lr for g in r.genes]
    assert [g.score for g in r.genes] == sorted((g.score for g in r.genes), reverse=True)
    assert sum(g.probability for g in r.genes) == pytest.approx(1.0)


# -- annotations in the VCF -----------------------------------------------------------------------


def test_multiallelic_csq_reports_the_probands_own_allele(analyzer: ExomeAnalyzer, tmp_path: Path) -> None:
    vcf = tmp_path / "vep.vcf"
    fields = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|HGVSc|HGVSp|ALLELE_NUM|CANONICAL"
    csq = ("A|missense_variant|MODERATE|TGFBR1|ENSG00000106799|Transcript|ENST00000374994|protein_coding|"
           "ENST00000374994.9:c.100G>A|ENSP00000364133.4:p.Gly34Ser|1|YES,"
           "T|stop_gained|HIGH|TGFBR1|ENSG00000106799|Transcript|ENST00000374994|protein_coding|"
           "ENST00000374994.9:c.100G>T|ENSP00000364133.4:p.Gly34Ter|2|YES")
    write_vcf(vcf, (*HEADER, f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
                             f'Ensembl VEP. Format: {fields}">'),
              [record("chr9", 99128900, "G", "A,T", "0/1", info=f"CSQ={csq}")], ["proband"])
    r = run(analyzer, vcf, ["HP:0000098"])
    (v,) = gene(r, "TGFBR1").variants
    assert (v.alt, v.consequence, v.consequence_source) == ("A", "missense_variant", "VEP CSQ")
    assert v.hgvs_p == "ENSP00000364133.4:p.Gly34Ser"


# -- families -----------------------------------------------------------------------------------


TRIO = Family(proband=0, father=1, mother=2, unaffected=(1, 2), proband_male=True, male=(1,))


def trio_vcf(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "trio.vcf"
    write_vcf(path, HEADER, rows, ["child", "father", "mother"])
    return path


def test_trio_de_novo_frameshift_is_flagged(analyzer: ExomeAnalyzer, tmp_path: Path) -> None:
    vcf = trio_vcf(tmp_path, [record("chr15", 48474300, "GA", "G", "0/1", "0/0", "0/0")])
    r = run(analyzer, vcf, MARFAN_HPO, family=TRIO)
    top = r.genes[0]
    assert top.symbol == "FBN1"
    (v,) = top.variants
    assert v.de_novo
    assert v.genotypes == (("child", "0/1"), ("father", "0/0"), ("mother", "0/0"))
    assert v.acmg is not None
    assert "PS2" in {c[0] for c in v.acmg.criteria}


def test_trio_inherited_dominant_variant_from_unaffected_parent_is_not_ranked(analyzer: ExomeAnalyzer, tmp_path: Path) -> None:
    vcf = trio_vcf(tmp_path, [record("chr15", 48474300, "GA", "G", "0/1", "0/1", "0/0")])
    r = run(analyzer, vcf, MARFAN_HPO, family=TRIO)
    assert "FBN1" not in r.ranked_symbols
    assert r.counts["genes_incompatible_with_inheritance"] == 1


KHK_A = ("chr2", 27092400, "C", "T")  # exon 2
KHK_B = ("chr2", 27094850, "G", "A")  # exon 3


def test_trio_compound_heterozygote_in_trans_ranks_the_recessive_gene(analyzer: ExomeAnalyzer, tmp_path: Path) -> None:
    vcf = trio_vcf(tmp_path, [record(*KHK_A, "0/1", "0/1", "0/0"), record(*KHK_B, "0/1", "0/0", "0/1")])
    r = run(analyzer, vcf, ["HP:0011033"], family=TRIO)
    khk = gene(r, "KHK")
    assert (khk.mode, khk.mode_note) == ("AR", "compound heterozygous")
    assert [v.filters["inheritance"] for v in khk.variants] == ["PASS", "PASS"]


def test_trio_compound_heterozygote_in_cis_is_not_ranked(analyzer: ExomeAnalyzer, tmp_path: Path) -> None:
    vcf = trio_vcf(tmp_path, [record(*KHK_A, "0/1", "0/1", "0/0"), record(*KHK_B, "0/1", "0/1", "0/0")])
    r = run(analyzer, vcf, ["HP:0011033"], family=TRIO)
    assert "KHK" not in r.ranked_symbols
    assert r.counts["genes_incompatible_with_inheritance"] == 1


# -- the real knowledge base and gene tables ------------------------------------------------------


@pytest.fixture(scope="module")
def real_analyzer() -> ExomeAnalyzer:
    kb_path = resolve_kb_path()
    data = os.environ.get("RARELENS_DATA")
    if not kb_path.is_file():
        pytest.skip(f"no built knowledge base at {kb_path} (set RARELENS_HOME or RARELENS_KB)")
    if not data or not gene_table_paths(Path(data), "GRCh38"):
        pytest.skip("RARELENS_DATA has no genomics/genes/genes_grch38.tsv.gz")
    kb = load_knowledge_base(kb_path)
    if len(kb.diseases) < 1000:
        pytest.skip(f"{kb_path} is not the real knowledge base ({len(kb.diseases)} diseases)")
    return ExomeAnalyzer(GenePhenotypeScorer(PhenotypeRanker(kb)), load_gene_model(Path(data), "GRCh38"),
                         AnalysisConfig())


def test_real_data_lof_in_fbn1_with_marfan_phenotype_ranks_first(real_analyzer: ExomeAnalyzer) -> None:
    r = run(real_analyzer, MARFAN_VCF, MARFAN_HPO)
    assert r.genes[0].symbol == "FBN1"
    assert any(d.concept_id == "MONDO:0007947" for d in r.genes[0].diseases)
    v = by_key(r.genes[0])["15-48474300-GA-G"]
    assert v.consequence == "frameshift_variant"
    assert v.exon == 34
    assert set(v.filters) == FILTERS
    assert v.acmg is not None
