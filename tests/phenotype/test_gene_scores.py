"""Phenotype-only gene scores on a hand-made knowledge base whose right answers are known.

Six invented diseases with disjoint profiles (real HPO ids, simplified tree); the gene tables
are set by hand so that each rule has a gene:

| gene | symbol (previous/alias) | links |
|---|---|---|
| 0 | GENEA (OLDA, SHARED) | Neuro (HPO link) and Heart (germline) |
| 1 | GENEB (OLDB, SHARED) | Heart only as "Disease-causing somatic mutation(s) in" |
| 2 | GENEC | Eye as "Part of a fusion gene in" and "Major susceptibility factor in" |
| 3 | GENED (GENEA) | Eye (HPO link); its alias GENEA is another gene's symbol |
| 4 | C9orf72 | none |
| 5 | PLEIO | all six diseases (more than the dense layout's width) |
| − | XYZ (no HGNC match) | Neuro, gene index −1 |
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rarelens.kb.build import SourceBundle, build_knowledge_base
from rarelens.kb.columns import StringColumn
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.kb.records import HpoaRow, SourceInfo
from rarelens.kb.tables import DiseaseGeneTable, GeneTable
from rarelens.model.patient import Patient
from rarelens.ontology import TermRecord
from rarelens.phenotype.genes import EXCLUDED_ASSOCIATIONS, GenePhenotypeScorer, GeneScores
from rarelens.phenotype.ranker import PhenotypeRanker

PA = "HP:0000118"
NERVOUS, CARDIO, EYE, SKEL = "HP:0000707", "HP:0001626", "HP:0000478", "HP:0000924"
SEIZURE, ID, ASD, VSD = "HP:0001250", "HP:0001249", "HP:0001631", "HP:0001629"
CATARACT, STRABISMUS, SCOLIOSIS, ARACHNO = "HP:0000518", "HP:0000486", "HP:0002650", "HP:0001166"
ATAXIA, PDA = "HP:0001251", "HP:0001643"
TERMS = [
    ("HP:0000001", "All", ()), (PA, "Phenotypic abnormality", ("HP:0000001",)),
    (NERVOUS, "Abnormality of the nervous system", (PA,)), (CARDIO, "Abnormality of the cardiovascular system", (PA,)),
    (EYE, "Abnormality of the eye", (PA,)), (SKEL, "Abnormality of the skeletal system", (PA,)),
    (SEIZURE, "Seizure", (NERVOUS,)), (ID, "Intellectual disability", (NERVOUS,)), (ATAXIA, "Ataxia", (NERVOUS,)),
    (ASD, "Atrial septal defect", (CARDIO,)), (VSD, "Ventricular septal defect", (CARDIO,)),
    (PDA, "Patent ductus arteriosus", (CARDIO,)),
    (CATARACT, "Cataract", (EYE,)), (STRABISMUS, "Strabismus", (EYE,)),
    (SCOLIOSIS, "Scoliosis", (SKEL,)), (ARACHNO, "Arachnodactyly", (SKEL,)),
]
DISEASES = {
    "OMIM:600001": ("Neuro", [SEIZURE, ID]),
    "OMIM:600002": ("Heart", [ASD, VSD]),
    "OMIM:600003": ("Eye", [CATARACT, STRABISMUS]),
    "OMIM:600004": ("Skeleton", [SCOLIOSIS, ARACHNO]),
    "OMIM:600005": ("Ataxia", [ATAXIA]),
    "OMIM:600006": ("Duct", [PDA]),
}
RELEASE = "2025-01-16"
GERMLINE, SOMATIC = "Disease-causing germline mutation(s) in", "Disease-causing somatic mutation(s) in"
FUSION, SUSCEPTIBILITY = "Part of a fusion gene in", "Major susceptibility factor in"


def _bundle() -> SourceBundle:
    rows = [
        HpoaRow(disease_id=did, disease_name=name, negated=False, hpo_id=t, reference=did, evidence="TAS",
                onset="", frequency="HP:0040281", sex="", modifier="", aspect="P", biocuration="", line=6)
        for did, (name, terms) in DISEASES.items()
        for t in terms
    ]
    return SourceBundle(
        sources=(SourceInfo("hpo.ontology", "hpo/hp.obo", RELEASE, "0" * 64),
                 SourceInfo("hpo.annotations", "hpo/phenotype.hpoa", RELEASE, "1" * 64)),
        hpo_release=RELEASE, terms=[TermRecord(t, n, parents=p) for t, n, p in TERMS],
        hpoa=rows, hpoa_release=RELEASE,
    )


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    base = build_knowledge_base(_bundle(), software_version="0.0.0+genes")
    genes = GeneTable(
        hgnc_id=StringColumn.from_values(["HGNC:1", "HGNC:2", "HGNC:3", "HGNC:4", "HGNC:5", "HGNC:6"]),
        symbol=StringColumn.from_values(["GENEA", "GENEB", "GENEC", "GENED", "C9orf72", "PLEIO"]),
        name=StringColumn.from_values(["a", "b", "c", "d", "e", "f"]),
        ncbi_gene_id=StringColumn.from_values(["1", "2", "3", "4", "5", "6"]),
        omim_id=StringColumn.from_values([""] * 6),
        locus_group=StringColumn.from_values(["protein-coding gene"] * 6),
        previous=StringColumn.from_values(["OLDA|SHARED", "OLDB|SHARED", "", "GENEA", "", ""]),
    )
    d = {did: base.disease(did) for did in DISEASES}
    links = [  # (disease, gene, symbol, association)
        ("OMIM:600001", 0, "GENEA", ""), ("OMIM:600002", 0, "GENEA", GERMLINE),
        ("OMIM:600002", 1, "GENEB", SOMATIC),
        ("OMIM:600003", 2, "GENEC", FUSION), ("OMIM:600003", 2, "GENEC", SUSCEPTIBILITY),
        ("OMIM:600003", 3, "GENED", ""),
        ("OMIM:600001", -1, "XYZ", ""),
        *((did, 5, "PLEIO", "") for did in DISEASES),
    ]
    disease_genes = DiseaseGeneTable(
        disease=np.asarray([d[x[0]] for x in links], dtype=np.int32),
        gene=np.asarray([x[1] for x in links], dtype=np.int32),
        symbol=StringColumn.from_values([x[2] for x in links]),
        association=StringColumn.from_values([x[3] for x in links]),
        source=np.zeros(len(links), dtype=np.int16),
    )
    return dataclasses.replace(base, genes=genes, disease_genes=disease_genes)


@pytest.fixture(scope="module")
def ranker(kb: KnowledgeBase) -> PhenotypeRanker:
    return PhenotypeRanker(kb)


@pytest.fixture(scope="module")
def scorer(ranker: PhenotypeRanker) -> GenePhenotypeScorer:
    return GenePhenotypeScorer(ranker)


def patient(kb: KnowledgeBase, *terms: str) -> Patient:
    return Patient(tuple(kb.ontology.index(t) for t in terms))


def row(ranker: PhenotypeRanker, disease_id: str) -> int:
    c = ranker.kb.find_concept(disease_id)
    assert c is not None
    r = ranker.row_of_concept(c)
    assert r is not None
    return r


@pytest.mark.parametrize(("terms", "best"), [((SEIZURE, ID), "OMIM:600001"), ((ASD, VSD), "OMIM:600002")])
def test_gene_with_two_diseases_takes_the_better_score(
    ranker: PhenotypeRanker, scorer: GenePhenotypeScorer, terms: tuple[str, ...], best: str
) -> None:
    p = patient(ranker.kb, *terms)
    disease = ranker.scores(p, "likelihood-ratio")
    genes = scorer.score(p, "likelihood-ratio")
    neuro, heart = row(ranker, "OMIM:600001"), row(ranker, "OMIM:600002")
    assert sorted(scorer.diseases_of(0).tolist()) == sorted([neuro, heart])
    assert genes.score[0] == max(disease[neuro], disease[heart]) == disease[row(ranker, best)]
    assert genes.best_row[0] == row(ranker, best)
    assert disease[neuro] != disease[heart]


def test_logsumexp_pools_the_diseases(ranker: PhenotypeRanker) -> None:
    p = patient(ranker.kb, SEIZURE, ASD)
    disease = ranker.scores(p, "likelihood-ratio")
    pooled = GenePhenotypeScorer(ranker, aggregate="logsumexp").score(p, "likelihood-ratio")
    neuro, heart = row(ranker, "OMIM:600001"), row(ranker, "OMIM:600002")
    assert pooled.score[0] == pytest.approx(np.logaddexp(disease[neuro], disease[heart]))
    assert pooled.score[3] == pytest.approx(disease[row(ranker, "OMIM:600003")])  # one disease: unchanged


def test_vectorised_scores_match_a_plain_loop(scorer: GenePhenotypeScorer) -> None:
    """Random concept scores with ties, through both layouts (PLEIO has six concepts)."""
    rng = np.random.default_rng(0)
    for agg in ("max", "logsumexp"):
        s_ = GenePhenotypeScorer(scorer.ranker, aggregate=agg)
        for _ in range(20):
            concept = rng.integers(0, 3, size=scorer.ranker.index.n).astype(np.float64)
            got = s_.score_from_concepts(concept)
            for g in range(s_.n_genes):
                rows = s_.diseases_of(g)
                if not len(rows):
                    assert (got.score[g], got.best_row[g], got.probability[g]) == (-np.inf, -1, 0)
                    continue
                v = concept[rows]
                expected = v.max() if agg == "max" else np.log(np.exp(v).sum())
                assert got.score[g] == pytest.approx(expected)
                assert got.best_row[g] == rows[int(np.argmax(v))]  # first maximum on ties
    assert len(scorer.diseases_of(5)) == len(DISEASES)


def test_probability_is_a_softmax_over_genes_with_a_disease(ranker: PhenotypeRanker, scorer: GenePhenotypeScorer) -> None:
    g = scorer.score(patient(ranker.kb, CATARACT, STRABISMUS))
    assert isinstance(g, GeneScores)
    with_disease = np.isfinite(g.score)
    assert g.probability.sum() == pytest.approx(1.0)
    assert (g.probability[~with_disease] == 0).all()
    z = np.exp(g.score[with_disease] - g.score[with_disease].max())
    assert g.probability[with_disease] == pytest.approx(z / z.sum())
    assert g.top(2).tolist() in ([3, 5], [5, 3])  # GENED and PLEIO both carry the Eye disease


def test_excluded_association_types(ranker: PhenotypeRanker, scorer: GenePhenotypeScorer) -> None:
    assert {SOMATIC, FUSION, SUSCEPTIBILITY} <= EXCLUDED_ASSOCIATIONS
    assert not {GERMLINE, ""} & EXCLUDED_ASSOCIATIONS
    g = scorer.score(patient(ranker.kb, ASD, VSD, CATARACT))
    assert (scorer.has_disease(1), g.score[1], g.best_row[1]) == (False, -np.inf, -1)  # somatic only
    assert (scorer.has_disease(2), g.score[2]) == (False, -np.inf)  # fusion + susceptibility
    assert not scorer.has_disease(4)
    assert scorer.genes_with_disease.tolist() == [0, 3, 5]
    counting_susceptibility = GenePhenotypeScorer(ranker, excluded_associations={SOMATIC, FUSION})
    assert counting_susceptibility.diseases_of(2).tolist() == [row(ranker, "OMIM:600003")]
    assert not counting_susceptibility.has_disease(1)


def test_gene_index_symbols(scorer: GenePhenotypeScorer) -> None:
    assert scorer.gene_index("GENEA") == 0  # exact symbol wins over GENED's alias GENEA
    assert scorer.gene_index("OLDA") == 0  # previous symbol
    assert scorer.gene_index("oldb") == 1
    assert scorer.gene_index("SHARED") is None  # listed by two genes: ambiguous
    assert scorer.gene_index("C9ORF72") == 4  # case-insensitive current symbol
    assert scorer.gene_index("C9orf72") == 4
    assert scorer.gene_index("HGNC:6") == 5
    assert scorer.gene_index("HGNC:99") is None
    assert scorer.gene_index("XYZ") is None
    assert scorer.gene_index("") is None


def test_unknown_aggregate_is_refused(ranker: PhenotypeRanker) -> None:
    with pytest.raises(ValueError, match="aggregate"):
        GenePhenotypeScorer(ranker, aggregate="mean")
