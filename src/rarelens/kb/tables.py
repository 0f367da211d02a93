"""The knowledge base's tables, each a frozen set of equal-length columns.

Every row that states a fact carries ``source`` (an index into `KnowledgeBase.sources`, which
holds file, release and sha256) and, where the source has one, a ``reference`` (PMID, OMIM,
ORPHA, curator) so any statement can be traced back. The store serialises these dataclasses
field by field, so adding a column is adding a field.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from rarelens.kb.columns import IntArray, StringColumn

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
SmallArray = npt.NDArray[np.int16]


class Table:
    """Mixin: row count and a dict view of one row for display and JSON."""

    def __len__(self) -> int:
        first = getattr(self, fields(self)[0].name)  # type: ignore[arg-type]
        return len(first)

    def row(self, i: int) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):  # type: ignore[arg-type]
            col = getattr(self, f.name)
            value = col[i]
            out[f.name] = value.item() if isinstance(value, np.generic) else value
        return out


@dataclass(frozen=True, slots=True)
class DiseaseTable(Table):
    id: StringColumn
    name: StringColumn
    db: StringColumn  # OMIM | ORPHA | DECIPHER
    disorder_type: StringColumn  # Orphanet's type, "" for OMIM/DECIPHER
    definition: StringColumn
    concept: IntArray
    source: SmallArray  # the source that defines this entry


@dataclass(frozen=True, slots=True)
class AnnotationTable(Table):
    disease: IntArray
    term: IntArray
    negated: BoolArray
    frequency: FloatArray  # probability in [0, 1]; NaN when the source gives none
    frequency_raw: StringColumn  # as written: HP:0040281, 3/5, 12%, "Very frequent (99-80%)"
    onset: StringColumn
    sex: StringColumn
    modifier: StringColumn
    evidence: StringColumn
    reference: StringColumn
    aspect: StringColumn
    biocuration: StringColumn
    source: SmallArray
    line: IntArray  # line in the source file (0 when the source is not line-based)


@dataclass(frozen=True, slots=True)
class NameTable(Table):
    disease: IntArray
    text: StringColumn
    lang: StringColumn  # en | zh
    kind: StringColumn  # label | synonym
    source: SmallArray


@dataclass(frozen=True, slots=True)
class FactTable(Table):
    """Small per-disease facts: inheritance, age of onset, Orphanet parents."""

    disease: IntArray
    kind: StringColumn  # inheritance | onset | parent
    value: StringColumn
    term: IntArray  # HPO index when the fact is an HPO term (inheritance, onset), else -1
    reference: StringColumn
    source: SmallArray


@dataclass(frozen=True, slots=True)
class PrevalenceTable(Table):
    disease: IntArray
    type: StringColumn
    klass: StringColumn
    mean: StringColumn
    geographic: StringColumn
    qualification: StringColumn
    reference: StringColumn
    source: SmallArray


@dataclass(frozen=True, slots=True)
class XrefTable(Table):
    disease: IntArray
    target: StringColumn
    relation: StringColumn  # E, NTBT, BTNT, ND, skos:exactMatch …
    source: SmallArray


@dataclass(frozen=True, slots=True)
class GeneTable(Table):
    hgnc_id: StringColumn
    symbol: StringColumn
    name: StringColumn
    ncbi_gene_id: StringColumn
    omim_id: StringColumn
    locus_group: StringColumn
    previous: StringColumn  # previous and alias symbols, "|"-joined


@dataclass(frozen=True, slots=True)
class DiseaseGeneTable(Table):
    disease: IntArray
    gene: IntArray  # index into GeneTable, -1 when the source symbol has no HGNC match
    symbol: StringColumn  # as the source wrote it
    association: StringColumn
    source: SmallArray


@dataclass(frozen=True, slots=True)
class ConceptTable(Table):
    id: StringColumn  # MONDO id when Mondo has one, else the first member id
    label: StringColumn


@dataclass(frozen=True, slots=True)
class ConceptIdTable(Table):
    """Every id equivalent to a concept, with the mapping that made it so."""

    concept: IntArray
    id: StringColumn
    via: StringColumn  # entry | orphanet-E | mondo-exactMatch
    source: SmallArray


@dataclass(frozen=True, slots=True)
class CatalogTable(Table):
    key: StringColumn  # CNRD:<list>-<number>
    list_no: IntArray
    number: IntArray
    name_zh: StringColumn
    name_en: StringColumn
    ccrd: StringColumn


@dataclass(frozen=True, slots=True)
class CatalogLinkTable(Table):
    entry: IntArray
    target: StringColumn
    disease: IntArray  # -1 when the target is not a knowledge-base entry
    relation: StringColumn
    method: StringColumn
    reviewed: BoolArray


@dataclass(frozen=True, slots=True)
class DrugTable(Table):
    agency: StringColumn
    substance: StringColumn
    trade_name: StringColumn
    designation: StringColumn
    status: StringColumn
    date: StringColumn
    approved_indication: StringColumn
    reference: StringColumn
    source: SmallArray
    line: IntArray


@dataclass(frozen=True, slots=True)
class DrugLinkTable(Table):
    drug: IntArray
    disease: IntArray
    method: StringColumn
    matched: StringColumn


@dataclass(frozen=True, slots=True)
class UnresolvedTable(Table):
    """Source rows that could not be joined (e.g. an HPO id newer than the HPO release).

    Kept rather than dropped so that the build report can count them and a user can see them.
    """

    source: SmallArray
    record: StringColumn
    value: StringColumn
    reason: StringColumn
