"""The loaded knowledge base: tables plus the indexes that make look-ups O(1).

Constructed either by `rarelens.kb.build.build_knowledge_base` from parsed sources or by
`rarelens.store.load_knowledge_base` from a compiled artefact; both hand over the same tables,
so a freshly built and a reloaded knowledge base behave identically. It holds no global state:
two releases can be loaded side by side to compare a case's ranking across them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rarelens.kb.columns import IntArray, group_rows
from rarelens.kb.records import AnnotationSource, SourceInfo
from rarelens.kb.tables import (
    AnnotationTable,
    CatalogLinkTable,
    CatalogTable,
    ConceptIdTable,
    ConceptTable,
    DiseaseGeneTable,
    DiseaseTable,
    DrugLinkTable,
    DrugTable,
    FactTable,
    GeneTable,
    NameTable,
    PrevalenceTable,
    UnresolvedTable,
    XrefTable,
)
from rarelens.model.ids import CurieError, normalize_disease_id
from rarelens.ontology import Ontology


class UnknownDiseaseError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    version: str
    software_version: str
    sources: tuple[SourceInfo, ...]
    ontology: Ontology
    diseases: DiseaseTable
    annotations: AnnotationTable
    names: NameTable
    facts: FactTable
    prevalences: PrevalenceTable
    xrefs: XrefTable
    genes: GeneTable
    disease_genes: DiseaseGeneTable
    concepts: ConceptTable
    concept_ids: ConceptIdTable
    catalog: CatalogTable
    catalog_links: CatalogLinkTable
    drugs: DrugTable
    drug_links: DrugLinkTable
    unresolved: UnresolvedTable
    _disease_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _concept_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_disease: dict[str, tuple[IntArray, IntArray]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_disease_index", {d: i for i, d in enumerate(self.diseases.id)})
        object.__setattr__(
            self,
            "_concept_index",
            {i: int(c) for i, c in zip(self.concept_ids.id, self.concept_ids.concept, strict=True)},
        )
        object.__setattr__(self, "_by_disease", {})

    # -- indexes ------------------------------------------------------------------------------

    # table → (column holding the key, table whose length is the number of keys)
    _GROUPED_BY = {
        "diseases": ("concept", "concepts"),
        "concept_ids": ("concept", "concepts"),
        "catalog_links": ("entry", "catalog"),
    }

    def _rows(self, table: str, key: int) -> IntArray:
        """Row indices of ``table`` whose key (``disease`` unless listed in `_GROUPED_BY`) equals
        ``key``; the grouping is computed once per table, then every look-up is a slice."""
        if table not in self._by_disease:
            column, keyed_by = self._GROUPED_BY.get(table, ("disease", "diseases"))
            col = getattr(getattr(self, table), column)
            self._by_disease[table] = group_rows(col, len(getattr(self, keyed_by)))
        indptr, order = self._by_disease[table]
        return order[indptr[key] : indptr[key + 1]]

    def source(self, idx: int) -> SourceInfo:
        return self.sources[idx]

    def source_label(self, idx: int) -> str:
        s = self.sources[idx]
        return f"{s.key} ({s.release})"

    # -- diseases and concepts ----------------------------------------------------------------

    def find_disease(self, text: str) -> int | None:
        """The entry for an id; for an id known only as an equivalent (e.g. a MONDO id), the
        first entry of its concept."""
        try:
            curie = normalize_disease_id(text)
        except CurieError:
            return None
        if curie in self._disease_index:
            return self._disease_index[curie]
        concept = self._concept_index.get(curie)
        if concept is None:
            return None
        members = self.concept_members(concept)
        return int(members[0]) if len(members) else None

    def disease(self, text: str) -> int:
        idx = self.find_disease(text)
        if idx is None:
            raise UnknownDiseaseError(
                f"{text} is not in knowledge base {self.version}; check the id (OMIM:154700, "
                "ORPHA:558) or search by name with `rarelens disease search`"
            )
        return idx

    def find_concept(self, text: str) -> int | None:
        try:
            curie = normalize_disease_id(text)
        except CurieError:
            return None
        if curie in self._concept_index:
            return self._concept_index[curie]
        idx = self._disease_index.get(curie)
        return int(self.diseases.concept[idx]) if idx is not None else None

    def concept_members(self, concept: int) -> IntArray:
        return self._rows("diseases", concept)

    def concept_id_rows(self, concept: int) -> IntArray:
        return self._rows("concept_ids", concept)

    def annotation_rows(self, disease: int) -> IntArray:
        return self._rows("annotations", disease)

    def annotation_sources(
        self, concept: int, term: int, *, negated: bool = False, limit: int | None = 4
    ) -> tuple[AnnotationSource, ...]:
        """The records annotating ``term`` (an ontology index) on any member of ``concept``:
        the OMIM, Orphanet and DECIPHER entries of one disease all count; at most ``limit``
        (None: all)."""
        a, d = self.annotations, self.diseases
        out: list[AnnotationSource] = []
        for m in self.concept_members(concept).tolist():
            for r in self.annotation_rows(int(m)).tolist():
                if int(a.term[r]) != term or bool(a.negated[r]) != negated:
                    continue
                s = self.sources[int(a.source[r])]
                out.append(AnnotationSource(
                    disease_id=d.id[int(m)], term_id=self.ontology.ids[term], frequency_raw=a.frequency_raw[r],
                    reference=a.reference[r], source=s.key, release=s.release, line=int(a.line[r]),
                ))
                if limit is not None and len(out) >= limit:
                    return tuple(out)
        return tuple(out)

    def name_rows(self, disease: int) -> IntArray:
        return self._rows("names", disease)

    def fact_rows(self, disease: int) -> IntArray:
        return self._rows("facts", disease)

    def prevalence_rows(self, disease: int) -> IntArray:
        return self._rows("prevalences", disease)

    def gene_rows(self, disease: int) -> IntArray:
        return self._rows("disease_genes", disease)

    def gene_symbol(self, row: int) -> str:
        """A disease–gene link's HGNC symbol, or the symbol as the source wrote it when HGNC
        has no match (the link is kept either way)."""
        g = int(self.disease_genes.gene[row])
        return self.genes.symbol[g] if g >= 0 else self.disease_genes.symbol[row]

    def concept_genes(self, concept: int) -> tuple[str, ...]:
        """Gene symbols of every member of a disease concept, in member order, without repeats."""
        genes: dict[str, None] = {}
        for m in self.concept_members(concept).tolist():
            for r in self.gene_rows(int(m)).tolist():
                genes[self.gene_symbol(int(r))] = None
        return tuple(genes)

    def xref_rows(self, disease: int) -> IntArray:
        return self._rows("xrefs", disease)

    def drug_link_rows(self, disease: int) -> IntArray:
        return self._rows("drug_links", disease)

    def catalog_rows_for(self, diseases: IntArray) -> list[int]:
        """Catalog link rows pointing at any of ``diseases``."""
        wanted = np.isin(self.catalog_links.disease, diseases)
        return [int(i) for i in np.flatnonzero(wanted)]

    def chinese_name(self, disease: int) -> str | None:
        for r in self.name_rows(disease):
            if self.names.lang[int(r)] == "zh":
                return self.names.text[int(r)]
        return None

    # -- counts --------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        d = self.diseases
        cl = self.catalog_links
        resolved = cl.disease >= 0
        exact = resolved & np.asarray([r == "E" for r in cl.relation], dtype=bool)
        linked_catalog = set(cl.entry[resolved].tolist())
        genes_linked = {int(g) for g in self.disease_genes.gene if g >= 0}
        annotated = np.unique(self.annotations.disease)
        annotated_concepts = np.unique(d.concept[annotated]) if len(annotated) else annotated
        return {
            "hpo_terms": self.ontology.n_active,
            "hpo_terms_obsolete": int(self.ontology.obsolete.sum()),
            "hpo_alt_ids": len(self.ontology.alt_ids),
            "hpo_terms_with_zh_label": sum(
                1 for i in self.ontology.labels_zh if not self.ontology.obsolete[i]
            ),
            "disease_entries": len(d),
            "disease_entries_omim": sum(1 for x in d.db if x == "OMIM"),
            "disease_entries_orpha": sum(1 for x in d.db if x == "ORPHA"),
            "disease_entries_decipher": sum(1 for x in d.db if x == "DECIPHER"),
            "disease_entries_annotated": len(annotated),
            "disease_concepts": len(self.concepts),
            "disease_concepts_annotated": len(annotated_concepts),
            "concepts_merging_several_entries": int(
                (np.bincount(d.concept, minlength=len(self.concepts)) > 1).sum()
            ),
            "annotations": len(self.annotations),
            "annotations_negated": int(self.annotations.negated.sum()),
            "genes_hgnc": len(self.genes),
            "genes_with_disease_links": len(genes_linked),
            "disease_gene_links": len(self.disease_genes),
            "catalog_entries": len(self.catalog),
            "catalog_entries_linked": len(linked_catalog),
            "catalog_entries_linked_exact": len(set(cl.entry[exact].tolist())),
            "catalog_entries_linked_reviewed": len(set(cl.entry[resolved & cl.reviewed].tolist())),
            "orphan_designations": len(self.drugs),
            "orphan_designations_linked": len({int(x) for x in self.drug_links.drug}),
            "diseases_with_designations": len({int(x) for x in self.drug_links.disease}),
            "unresolved_source_rows": len(self.unresolved),
        }
