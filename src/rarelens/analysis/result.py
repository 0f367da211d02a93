"""What an analysis returns: ranked genes → their diseases → their variants, each variant
with every filter result, score and ACMG code, stamped with the releases that made it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AcmgCall:
    classification: str
    points: int
    criteria: tuple[tuple[str, str, str], ...]  # (code, strength, reason)
    not_evaluated: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VariantResult:
    key: str  # chr-pos-ref-alt
    contig: str
    pos: int
    ref: str
    alt: str
    id: str
    vcf_line: int
    gene: str
    consequence: str
    consequence_source: str  # "gene table" | "VEP CSQ" | "SnpEff ANN"
    hgvs_c: str
    hgvs_p: str
    exon: int
    genotypes: tuple[tuple[str, str], ...]  # (sample, 0/1-style call)
    qual: float | None
    gq: int | None
    dp: int | None
    frequencies: dict[str, float]
    max_frequency: float | None
    predictors: dict[str, float]
    clinvar: str | None
    clinvar_stars: int | None
    pathogenicity: float
    pathogenicity_source: str
    frequency_score: float
    score: float
    filters: dict[str, str]  # filter → PASS | FAIL | NOT_RUN
    de_novo: bool
    acmg: AcmgCall | None = None


@dataclass(frozen=True, slots=True)
class DiseaseLink:
    concept_id: str
    label: str
    ids: tuple[str, ...]
    inheritance: tuple[str, ...]
    phenotype_score: float
    phenotype_rank: int  # rank of this disease in the phenotype-only ranking (0 = no phenotypes)


@dataclass(frozen=True, slots=True)
class GeneResult:
    rank: int
    symbol: str
    hgnc_id: str
    score: float  # log scale: phenotype + genotype evidence
    probability: float
    phenotype_score: float
    genotype_log_lr: float
    mode: str
    mode_note: str
    expected_background: float
    diseases: tuple[DiseaseLink, ...]
    variants: tuple[VariantResult, ...]


@dataclass(frozen=True, slots=True)
class ResourceUse:
    name: str
    kind: str
    release: str
    status: str  # used | missing | not given
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    software_version: str
    kb_version: str
    build: str
    gene_model: str
    vcf: str
    proband: str
    samples: tuple[str, ...]
    phenotype_method: str
    hpo_terms: tuple[str, ...]
    resources: tuple[ResourceUse, ...]
    counts: dict[str, int]
    consequence_counts: dict[str, int]
    genes: tuple[GeneResult, ...]
    n_genes_ranked: int
    ranked_symbols: tuple[str, ...] = ()  # every ranked gene in order (the report shows the top)
    ranked_scores: tuple[float, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    timings: dict[str, float] = field(default_factory=dict)
