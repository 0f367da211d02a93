"""Rows as read from the official sources, before the build joins them.

Parsers in `rarelens.sources` produce these; `rarelens.kb.build` consumes them. Keeping them
flat and source-shaped means nothing is dropped at parse time: every field a source has is
carried to the knowledge base, with the file and release it came from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """One input file of a build: what it is, which release, and its checksum."""

    key: str
    path: str
    release: str
    sha256: str
    license: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class AnnotationSource:
    """Where one disease–phenotype annotation of the built knowledge base came from, down to
    the file line, so that any score or statement resting on it can be checked by hand."""

    disease_id: str  # the member id annotated (OMIM:…, ORPHA:…), not the merged concept
    term_id: str
    frequency_raw: str  # as written in the source (e.g. 4/12, HP:0040282, Frequent (79-30%))
    reference: str  # publication or database record (PMID:…, OMIM:…, ORPHA:…)
    source: str  # source key, e.g. hpo.annotations
    release: str
    line: int


@dataclass(frozen=True, slots=True)
class HpoaRow:
    disease_id: str
    disease_name: str
    negated: bool
    hpo_id: str
    reference: str
    evidence: str
    onset: str
    frequency: str
    sex: str
    modifier: str
    aspect: str
    biocuration: str
    line: int


@dataclass(frozen=True, slots=True)
class GeneDiseaseRow:
    disease_id: str
    gene_symbol: str
    ncbi_gene_id: str
    hgnc_id: str
    association_type: str
    source: str


@dataclass(frozen=True, slots=True)
class Prevalence:
    type: str
    klass: str
    mean: str
    geographic: str
    qualification: str
    source: str


@dataclass(frozen=True, slots=True)
class OrphaGene:
    symbol: str
    name: str
    hgnc_id: str
    omim_id: str
    association_type: str


@dataclass(frozen=True, slots=True)
class OrphaXref:
    target: str
    relation: str  # E, NTBT, BTNT, ND, W …


@dataclass(frozen=True, slots=True)
class OrphaPhenotype:
    hpo_id: str
    label: str
    frequency: str
    diagnostic_criteria: str = ""


@dataclass(frozen=True, slots=True)
class OrphaDisorder:
    orpha_id: str
    label: str
    disorder_type: str
    definition: str
    synonyms: tuple[str, ...]
    xrefs: tuple[OrphaXref, ...]
    parents: tuple[str, ...]
    children: tuple[str, ...]
    genes: tuple[OrphaGene, ...]
    phenotypes: tuple[OrphaPhenotype, ...]
    prevalences: tuple[Prevalence, ...]
    onsets: tuple[str, ...]
    inheritance: tuple[str, ...]
    version: str


@dataclass(frozen=True, slots=True)
class Mapping:
    """An SSSOM row: subject, predicate, object, and the mapping set it came from."""

    subject_id: str
    subject_label: str
    predicate: str
    object_id: str
    object_label: str
    justification: str
    mapping_set: str


@dataclass(frozen=True, slots=True)
class HgncGene:
    hgnc_id: str
    symbol: str
    name: str
    locus_group: str
    ncbi_gene_id: str
    ensembl_gene_id: str
    omim_id: str
    alias_symbols: tuple[str, ...]
    prev_symbols: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CatalogLink:
    disease_id: str
    relation: str  # E (exact), BTNT (catalog broader), NTBT (catalog narrower), candidate
    method: str  # phenobrain-ccrd, orphanet-name-match, curated-suggestion …
    reviewed: bool


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    list_no: int
    number: int
    name_zh: str
    name_en: str
    ccrd: str
    links: tuple[CatalogLink, ...]
    line: int

    @property
    def key(self) -> str:
        return f"CNRD:{self.list_no}-{self.number}"


@dataclass(frozen=True, slots=True)
class DiseaseNameZh:
    disease_id: str
    name_zh: str
    name_en: str
    source: str


@dataclass(frozen=True, slots=True)
class OrphanDesignation:
    agency: str  # FDA | EMA
    substance: str
    trade_name: str
    designation: str  # the condition as designated ("Treatment of …")
    status: str
    date: str
    approved_indication: str
    reference: str  # EU number / URL or FDA grid key
    line: int
