"""Compile parsed sources into a `KnowledgeBase` (pure: records in, tables out).

The order matters: the ontology first (everything else indexes into it), then entries from
phenotype.hpoa and Orphanet, then everything that points at entries. Rows that cannot be joined
are kept in ``unresolved`` with the reason, never silently dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from rarelens.kb.columns import StringColumn, int_column
from rarelens.kb.concepts import Equivalence, group_concepts
from rarelens.kb.frequency import orphanet_frequency_term, parse_frequency
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.kb.linking import build_name_index, designation_condition, normalize_name
from rarelens.kb.records import (
    CatalogEntry,
    DiseaseNameZh,
    GeneDiseaseRow,
    HgncGene,
    HpoaRow,
    Mapping,
    OrphaDisorder,
    OrphanDesignation,
    SourceInfo,
)
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
from rarelens.ontology import Ontology, TermRecord, build_ontology
from rarelens.ontology.ontology import PHENOTYPIC_ABNORMALITY

Progress = Callable[[str], None]

# Bump whenever the build's joining rules change, so a knowledge base built by different rules
# from the same sources never carries the same version string.
BUILD_REVISION = 2


@dataclass(frozen=True, slots=True)
class SourceBundle:
    """Everything parsed, each dataset with the key of the `SourceInfo` it came from.

    Optional datasets are ``None`` when their file is absent; the build then leaves the
    matching tables empty and the manifest says so.
    """

    sources: tuple[SourceInfo, ...]
    hpo_release: str
    terms: Sequence[TermRecord]
    hpoa: Sequence[HpoaRow]
    hpoa_release: str
    hpo_genes: Sequence[GeneDiseaseRow] = ()
    labels_zh: dict[str, str] = field(default_factory=dict)
    orphanet: Sequence[OrphaDisorder] = ()
    mondo: Sequence[Mapping] = ()
    hgnc: Sequence[HgncGene] = ()
    names_zh: Sequence[DiseaseNameZh] = ()
    catalog: Sequence[CatalogEntry] = ()
    designations: Sequence[OrphanDesignation] = ()

    def source_index(self, key: str) -> int:
        for i, s in enumerate(self.sources):
            if s.key == key:
                return i
        raise KeyError(f"no source {key!r} in bundle")

    def has(self, key: str) -> bool:
        return any(s.key == key for s in self.sources)


class _Rows:
    """Append-only column builder; turns into a table dataclass at the end."""

    def __init__(self, *names: str) -> None:
        self.cols: dict[str, list[object]] = {n: [] for n in names}

    def add(self, **values: object) -> None:
        for k, col in self.cols.items():
            col.append(values[k])

    def __len__(self) -> int:
        return len(next(iter(self.cols.values())))


def _column(values: list[object], kind: str) -> object:
    if kind == "str":
        return StringColumn.from_values(str(v) for v in values)
    if kind == "bool":
        return np.asarray(values, dtype=np.bool_)
    if kind == "f32":
        return np.asarray(values, dtype=np.float32)
    if kind == "i16":
        return np.asarray(values, dtype=np.int16)
    return np.asarray(values, dtype=np.int32)


def _table(cls: type, rows: _Rows, kinds: dict[str, str]) -> object:
    return cls(**{n: _column(v, kinds.get(n, "str")) for n, v in rows.cols.items()})


def _kb_version(bundle: SourceBundle, software_version: str) -> str:
    h = hashlib.sha256(f"{software_version}\0build-{BUILD_REVISION}".encode())
    for s in bundle.sources:
        h.update(f"{s.key}\0{s.release}\0{s.sha256}\n".encode())
    return f"rlkb-hpo{bundle.hpo_release}-{h.hexdigest()[:10]}"


def compute_information_content(
    ontology: Ontology, concept_of_row: np.ndarray, term_of_row: np.ndarray, n_concepts: int
) -> np.ndarray:
    """IC(t) = -ln(share of disease concepts annotated with t or a descendant).

    Counted over concepts, not entries, so a disease described by both OMIM and Orphanet is not
    counted twice. Terms no concept carries get the IC of a single-concept term, the largest
    finite value, rather than infinity.
    """
    terms, lengths = ontology.ancestors_of_each(term_of_row)
    concepts = np.repeat(concept_of_row.astype(np.int64), lengths)
    pairs = np.unique(concepts * len(ontology) + terms)
    counts = np.bincount(pairs % len(ontology), minlength=len(ontology)).astype(np.float64)
    total = max(n_concepts, 1)
    counts[counts == 0] = 1.0
    return -np.log(counts / total)


def build_knowledge_base(  # noqa: C901 - one linear pipeline reads best in one place
    bundle: SourceBundle, *, software_version: str, progress: Progress | None = None
) -> KnowledgeBase:
    say = progress or (lambda _m: None)
    src = bundle.source_index
    unresolved = _Rows("source", "record", "value", "reason")

    say("ontology")
    ontology = build_ontology(bundle.terms, release=bundle.hpo_release, labels_zh=bundle.labels_zh)

    def term_index(text: str, source: int, record: str) -> int:
        res = ontology.resolve(text)
        if res.index is None:
            unresolved.add(source=source, record=record, value=text, reason=res.issue.message if res.issue else "")
            return -1
        return res.index

    say("diseases")
    hpoa_src = src("hpo.annotations")
    entries: dict[str, int] = {}
    d_rows = _Rows("id", "name", "db", "disorder_type", "definition", "source")
    for row in bundle.hpoa:
        if row.disease_id not in entries:
            entries[row.disease_id] = len(d_rows)
            d_rows.add(
                id=row.disease_id,
                name=row.disease_name,
                db=row.disease_id.split(":")[0],
                disorder_type="",
                definition="",
                source=hpoa_src,
            )
    orpha_src = src("orphanet.orphapackets") if bundle.orphanet else -1
    hpoa_names = dict(zip(d_rows.cols["id"], d_rows.cols["name"], strict=True))
    for od in bundle.orphanet:
        i = entries.get(od.orpha_id)
        if i is None:
            entries[od.orpha_id] = len(d_rows)
            d_rows.add(
                id=od.orpha_id,
                name=od.label,
                db="ORPHA",
                disorder_type=od.disorder_type,
                definition=od.definition,
                source=orpha_src,
            )
        else:
            # Orphanet is the authority for ORPHA entries: its newer label and definition win,
            # and the hpoa spelling is kept as a synonym below.
            d_rows.cols["name"][i] = od.label
            d_rows.cols["disorder_type"][i] = od.disorder_type
            d_rows.cols["definition"][i] = od.definition
            d_rows.cols["source"][i] = orpha_src

    say("annotations")
    a_rows = _Rows(
        "disease", "term", "negated", "frequency", "frequency_raw", "onset", "sex", "modifier",
        "evidence", "reference", "aspect", "biocuration", "source", "line",
    )
    f_rows = _Rows("disease", "kind", "value", "term", "reference", "source")
    for row in bundle.hpoa:
        t = term_index(row.hpo_id, hpoa_src, f"{row.disease_id} line {row.line}")
        if t < 0:
            continue
        d = entries[row.disease_id]
        a_rows.add(
            disease=d, term=t, negated=row.negated, frequency=parse_frequency(row.frequency),
            frequency_raw=row.frequency, onset=row.onset, sex=row.sex, modifier=row.modifier,
            evidence=row.evidence, reference=row.reference, aspect=row.aspect,
            biocuration=row.biocuration, source=hpoa_src, line=row.line,
        )
        if row.aspect == "I" and not row.negated:
            f_rows.add(disease=d, kind="inheritance", value=ontology.labels[t], term=t,
                       reference=row.reference, source=hpoa_src)
    for od in bundle.orphanet:
        d = entries[od.orpha_id]
        for ph in od.phenotypes:
            t = term_index(ph.hpo_id, orpha_src, od.orpha_id)
            if t < 0:
                continue
            freq_term = orphanet_frequency_term(ph.frequency)
            a_rows.add(
                disease=d, term=t, negated=freq_term == "HP:0040285",
                frequency=parse_frequency(ph.frequency), frequency_raw=ph.frequency, onset="",
                sex="", modifier="", evidence="", reference=od.orpha_id, aspect="P",
                biocuration=ph.diagnostic_criteria, source=orpha_src, line=0,
            )

    say("names and facts")
    n_rows = _Rows("disease", "text", "lang", "kind", "source")
    for i, (did, name, source) in enumerate(
        zip(d_rows.cols["id"], d_rows.cols["name"], d_rows.cols["source"], strict=True)
    ):
        n_rows.add(disease=i, text=name, lang="en", kind="label", source=source)
        old = hpoa_names.get(str(did))
        if old and old != name:
            n_rows.add(disease=i, text=old, lang="en", kind="synonym", source=hpoa_src)
    p_rows = _Rows("disease", "type", "klass", "mean", "geographic", "qualification", "reference", "source")
    x_rows = _Rows("disease", "target", "relation", "source")
    equivalences: list[Equivalence] = []
    for od in bundle.orphanet:
        d = entries[od.orpha_id]
        for s in od.synonyms:
            n_rows.add(disease=d, text=s, lang="en", kind="synonym", source=orpha_src)
        for value in od.inheritance:
            f_rows.add(disease=d, kind="inheritance", value=value, term=-1, reference=od.orpha_id, source=orpha_src)
        for value in od.onsets:
            f_rows.add(disease=d, kind="onset", value=value, term=-1, reference=od.orpha_id, source=orpha_src)
        for parent in od.parents:
            f_rows.add(disease=d, kind="parent", value=parent, term=-1, reference=od.orpha_id, source=orpha_src)
        for p in od.prevalences:
            p_rows.add(disease=d, type=p.type, klass=p.klass, mean=p.mean, geographic=p.geographic,
                       qualification=p.qualification, reference=p.source, source=orpha_src)
        for x in od.xrefs:
            x_rows.add(disease=d, target=x.target, relation=x.relation, source=orpha_src)
            if x.relation == "E" and x.target.startswith("OMIM:"):
                equivalences.append(Equivalence(od.orpha_id, x.target, "orphanet-E", orpha_src))
    mondo_sources = {s.path.rsplit("/", 1)[-1]: i for i, s in enumerate(bundle.sources) if s.key.startswith("mondo.")}
    for m in bundle.mondo:
        # An obsolete Mondo class still carries its old exact matches; it names no disease now.
        if m.predicate != "skos:exactMatch" or m.subject_label.startswith("obsolete "):
            continue
        msrc = mondo_sources.get(m.mapping_set, -1)
        if m.object_id.startswith(("OMIM:", "ORPHA:")):
            equivalences.append(Equivalence(m.subject_id, m.object_id, "mondo-exactMatch", msrc))
        if m.object_id in entries:
            x_rows.add(disease=entries[m.object_id], target=m.subject_id, relation=m.predicate, source=msrc)
    for nz in bundle.names_zh:
        if nz.disease_id in entries:
            n_rows.add(disease=entries[nz.disease_id], text=nz.name_zh, lang="zh", kind="label", source=src(nz.source))

    say("concepts")
    grouping = group_concepts(d_rows.cols["id"], equivalences, entry_source=d_rows.cols["source"])  # type: ignore[arg-type]
    # Mondo's label names the merged concept when Mondo has one (it is the curated union of
    # OMIM and Orphanet); otherwise the entry that defines the concept names it.
    mondo_label = {m.subject_id: m.subject_label for m in bundle.mondo if m.subject_label}
    concept_label: list[str] = []
    for c, cid in enumerate(grouping.concept_ids):
        if cid in mondo_label:
            concept_label.append(mondo_label[cid])
            continue
        entry_ids = [m for m, how, _ in grouping.members[c] if how == "entry"]
        best = sorted(entry_ids, key=lambda x: (0 if x.startswith("ORPHA") else 1, x))[0]
        concept_label.append(str(d_rows.cols["name"][entries[best]]))
    ci_rows = _Rows("concept", "id", "via", "source")
    for c, group in enumerate(grouping.members):
        for mid, how, msource in group:
            ci_rows.add(concept=c, id=mid, via=how, source=msource)

    say("genes")
    g_rows = _Rows("hgnc_id", "symbol", "name", "ncbi_gene_id", "omim_id", "locus_group", "previous")
    by_hgnc: dict[str, int] = {}
    by_ncbi: dict[str, int] = {}
    by_symbol: dict[str, int] = {}
    by_old: dict[str, set[int]] = {}
    for g in bundle.hgnc:
        i = len(g_rows)
        g_rows.add(hgnc_id=g.hgnc_id, symbol=g.symbol, name=g.name, ncbi_gene_id=g.ncbi_gene_id,
                   omim_id=g.omim_id, locus_group=g.locus_group,
                   previous="|".join(g.prev_symbols + g.alias_symbols))
        by_hgnc[g.hgnc_id] = i
        if g.ncbi_gene_id:
            by_ncbi[g.ncbi_gene_id] = i
        by_symbol[g.symbol] = i
        for old in g.prev_symbols:
            by_old.setdefault(old, set()).add(i)

    def gene_of(hgnc_id: str, ncbi: str, symbol: str) -> int:
        if hgnc_id in by_hgnc:
            return by_hgnc[hgnc_id]
        if ncbi in by_ncbi:
            return by_ncbi[ncbi]
        if symbol in by_symbol:
            return by_symbol[symbol]
        olds = by_old.get(symbol, set())
        return next(iter(olds)) if len(olds) == 1 else -1

    dg_rows = _Rows("disease", "gene", "symbol", "association", "source")
    if bundle.hpo_genes:
        hg_src = src("hpo.genes")
        for gr in bundle.hpo_genes:
            d = entries.get(gr.disease_id, -1)
            if d < 0:
                unresolved.add(source=hg_src, record=f"{gr.gene_symbol}-{gr.disease_id}", value=gr.disease_id,
                               reason="disease not in phenotype.hpoa or Orphanet")
                continue
            dg_rows.add(disease=d, gene=gene_of("", gr.ncbi_gene_id, gr.gene_symbol), symbol=gr.gene_symbol,
                        association="", source=hg_src)
    for od in bundle.orphanet:
        d = entries[od.orpha_id]
        for og in od.genes:
            dg_rows.add(disease=d, gene=gene_of(og.hgnc_id, "", og.symbol), symbol=og.symbol,
                        association=og.association_type, source=orpha_src)

    say("catalog")
    cat_rows = _Rows("key", "list_no", "number", "name_zh", "name_en", "ccrd")
    cl_rows = _Rows("entry", "target", "disease", "relation", "method", "reviewed")
    if bundle.catalog:
        cat_src = src("catalog.china")
        for e, ce in enumerate(bundle.catalog):
            cat_rows.add(key=ce.key, list_no=ce.list_no, number=ce.number, name_zh=ce.name_zh,
                         name_en=ce.name_en, ccrd=ce.ccrd)
            for link in ce.links:
                d = entries.get(link.disease_id, -1)
                cl_rows.add(entry=e, target=link.disease_id, disease=d, relation=link.relation,
                            method=link.method, reviewed=link.reviewed)
                if d >= 0 and link.relation == "E":
                    n_rows.add(disease=d, text=ce.name_zh, lang="zh", kind="catalog", source=cat_src)

    say("orphan drugs")
    dr_rows = _Rows("agency", "substance", "trade_name", "designation", "status", "date",
                    "approved_indication", "reference", "source", "line")
    dl_rows = _Rows("drug", "disease", "method", "matched")
    named: list[tuple[str, int]] = [
        (str(text), int(str(dis))) for dis, text in zip(n_rows.cols["disease"], n_rows.cols["text"], strict=True)
    ]
    name_index = build_name_index((text, grouping.entry_concept[dis]) for text, dis in named)
    disease_of_name: dict[str, int] = {}
    for text, dis in named:
        disease_of_name.setdefault(normalize_name(text), dis)
    for k, des in enumerate(bundle.designations):
        dsrc = src("drugs.fda" if des.agency == "FDA" else "drugs.ema")
        dr_rows.add(agency=des.agency, substance=des.substance, trade_name=des.trade_name,
                    designation=des.designation, status=des.status, date=des.date,
                    approved_indication=des.approved_indication, reference=des.reference,
                    source=dsrc, line=des.line)
        cond = designation_condition(des.designation)
        if cond in name_index:
            dl_rows.add(drug=k, disease=disease_of_name[cond], method="exact-name", matched=cond)

    say("information content")
    entry_concept = np.asarray(grouping.entry_concept, dtype=np.int32)
    a_disease = int_column(a_rows.cols["disease"])  # type: ignore[arg-type]
    a_term = int_column(a_rows.cols["term"])  # type: ignore[arg-type]
    positive = ~np.asarray(a_rows.cols["negated"], dtype=bool) & np.asarray(
        [a == "P" for a in a_rows.cols["aspect"]], dtype=bool
    )
    pa = ontology.index(PHENOTYPIC_ABNORMALITY)
    in_pa = np.asarray([ontology.is_descendant_of(int(t), pa) for t in a_term[positive]], dtype=bool)
    concept_rows = entry_concept[a_disease[positive][in_pa]]
    ic = compute_information_content(
        ontology, concept_rows, a_term[positive][in_pa], len(np.unique(concept_rows))
    )
    ontology = replace(ontology, ic=ic)

    diseases = DiseaseTable(
        id=StringColumn.from_values(map(str, d_rows.cols["id"])),
        name=StringColumn.from_values(map(str, d_rows.cols["name"])),
        db=StringColumn.from_values(map(str, d_rows.cols["db"])),
        disorder_type=StringColumn.from_values(map(str, d_rows.cols["disorder_type"])),
        definition=StringColumn.from_values(map(str, d_rows.cols["definition"])),
        concept=entry_concept,
        source=np.asarray(d_rows.cols["source"], dtype=np.int16),
    )
    bool_f = {"negated": "bool", "reviewed": "bool"}
    ints = {"disease": "i32", "term": "i32", "line": "i32", "entry": "i32", "drug": "i32",
            "gene": "i32", "concept": "i32", "list_no": "i32", "number": "i32", "source": "i16"}
    kinds = {**ints, **bool_f, "frequency": "f32"}
    return KnowledgeBase(
        version=_kb_version(bundle, software_version),
        software_version=software_version,
        sources=bundle.sources,
        ontology=ontology,
        diseases=diseases,
        annotations=_table(AnnotationTable, a_rows, kinds),  # type: ignore[arg-type]
        names=_table(NameTable, n_rows, kinds),  # type: ignore[arg-type]
        facts=_table(FactTable, f_rows, kinds),  # type: ignore[arg-type]
        prevalences=_table(PrevalenceTable, p_rows, kinds),  # type: ignore[arg-type]
        xrefs=_table(XrefTable, x_rows, kinds),  # type: ignore[arg-type]
        genes=_table(GeneTable, g_rows, kinds),  # type: ignore[arg-type]
        disease_genes=_table(DiseaseGeneTable, dg_rows, kinds),  # type: ignore[arg-type]
        concepts=ConceptTable(
            id=StringColumn.from_values(grouping.concept_ids),
            label=StringColumn.from_values(map(str, concept_label)),
        ),
        concept_ids=_table(ConceptIdTable, ci_rows, kinds),  # type: ignore[arg-type]
        catalog=_table(CatalogTable, cat_rows, kinds),  # type: ignore[arg-type]
        catalog_links=_table(CatalogLinkTable, cl_rows, kinds),  # type: ignore[arg-type]
        drugs=_table(DrugTable, dr_rows, kinds),  # type: ignore[arg-type]
        drug_links=_table(DrugLinkTable, dl_rows, kinds),  # type: ignore[arg-type]
        unresolved=_table(UnresolvedTable, unresolved, kinds),  # type: ignore[arg-type]
    )

