"""Exome/genome analysis: candidate variants + phenotypes → ranked genes with evidence.

Flow: `collect_candidates` (streamed, vectorised) → INFO evidence for the candidates →
frequencies and ClinVar from the site resources → filters (quality, frequency, region,
inheritance; PASS / FAIL / NOT_RUN per variant) → variant scores → per gene and mode of
inheritance, a genotype likelihood ratio against chance → plus the gene's phenotype score from
the ranking engine → ranked genes, with ACMG criteria for the variants that are reported.
Pure: every resource is handed in; nothing here opens a file.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarelens.analysis.candidates import Candidates
from rarelens.analysis.result import (
    AcmgCall,
    AnalysisResult,
    DiseaseLink,
    GeneResult,
    ResourceUse,
    VariantResult,
)
from rarelens.model.patient import Patient
from rarelens.phenotype.genes import GenePhenotypeScorer
from rarelens.variants.acmg import (
    VariantEvidence,
    classify_variant,
    clinvar_stars,
    normalize_clinvar_significance,
)
from rarelens.variants.consequence import (
    CONSEQUENCES,
    DEFAULT_PATHOGENICITY,
    LOSS_OF_FUNCTION,
)
from rarelens.variants.genes import GeneModel
from rarelens.variants.info import InfoEvidence, read_info_evidence
from rarelens.variants.inheritance import (
    Family,
    ModeCall,
    compatible_modes,
    modes_for_chrom,
    modes_from_facts,
)
from rarelens.variants.scoring import (
    CLINVAR_WEIGHT,
    MAX_FREQUENCY,
    causal_share,
    class_log_lr,
    clinvar_pathogenicity,
    frequency_score,
    predictor_pathogenicity,
)
from rarelens.variants.sites import SiteResource
from rarelens.variants.table import GT_HET, GT_HOM_ALT, GT_HOM_REF, GT_MISSING

PASS, FAIL, NOT_RUN = "PASS", "FAIL", "NOT_RUN"
_REGION_FAIL = frozenset({"synonymous_variant", "start_retained_variant", "stop_retained_variant",
                          "5_prime_UTR_variant", "3_prime_UTR_variant", "intron_variant",
                          "upstream_gene_variant", "downstream_gene_variant", "intergenic_variant",
                          "non_coding_transcript_exon_variant", "non_coding_transcript_variant",
                          "NMD_transcript_variant", "regulatory_region_variant",
                          "splice_polypyrimidine_tract_variant", "splice_donor_region_variant"})
_GT_TEXT = {GT_MISSING: "./.", GT_HOM_REF: "0/0", GT_HET: "0/1", GT_HOM_ALT: "1/1"}


@dataclass(frozen=True, slots=True)
class AnalysisConfig:
    max_frequency: float = MAX_FREQUENCY  # above it a variant FAILs the frequency filter
    min_gq: int = 20
    min_dp: int = 0
    require_filter_pass: bool = True
    phenotype_method: str = "ensemble"  # fold-0 spiked dev cases: top-1 53.5 % vs 47.4 % for LR (docs/benchmarks.md)
    phenotype_weight: float = 1.0
    top: int = 20
    acmg_method: str = "points"


@dataclass(frozen=True, slots=True)
class VcfContext:
    """What the header says, as plain values (the core does not read headers)."""

    path: str
    build: str
    frequency_keys: tuple[str, ...] = ()
    csq_fields: tuple[str, ...] = ()
    ann_fields: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class _Pairs:
    """(candidate row, gene symbol) pairs with their consequence and per-pair values."""

    row: npt.NDArray[np.int64]
    symbol: list[str]
    consequence: list[str]
    source: list[str]
    hgvs_c: list[str]
    hgvs_p: list[str]
    exon: npt.NDArray[np.int64]
    in_splice_region: npt.NDArray[np.bool_]
    model_gene: npt.NDArray[np.int64]  # gene-model index, -1 when the gene is only in CSQ/ANN


class ExomeAnalyzer:
    """Built once per knowledge base and gene model; `analyze` is pure per case."""

    def __init__(self, gene_scorer: GenePhenotypeScorer, genes: GeneModel, config: AnalysisConfig | None = None) -> None:
        self.gene_scorer = gene_scorer
        self.kb = gene_scorer.ranker.kb
        self.genes = genes
        self.config = config or AnalysisConfig()
        self._exonic = genes.exonic_length.astype(np.float64)
        self._total_exonic = float(self._exonic.sum()) or 1.0
        self._median_exonic = float(np.median(self._exonic)) if len(self._exonic) else 2000.0
        self._kb_gene: dict[str, int | None] = {}
        self._modes: dict[int, frozenset[str]] = {}
        self._lof: dict[int, bool | None] = {}
        self._csq = False

    # -- gene facts from the knowledge base ------------------------------------------------

    def kb_gene(self, symbol: str) -> int | None:
        if symbol not in self._kb_gene:
            self._kb_gene[symbol] = self.gene_scorer.gene_index(symbol)
        return self._kb_gene[symbol]

    def _concept_members(self, row: int) -> list[int]:
        concept = int(self.gene_scorer.ranker.index.concepts[row])
        return [int(m) for m in self.kb.concept_members(concept)]

    def _inheritance(self, row: int) -> dict[str, None]:
        """Inheritance facts of every entry of the concept at ranker row ``row``, in order."""
        values: dict[str, None] = {}
        for m in self._concept_members(row):
            for r in self.kb.fact_rows(m).tolist():
                if self.kb.facts.kind[r] == "inheritance":
                    values[self.kb.facts.value[r]] = None
        return values

    def gene_modes(self, g: int) -> frozenset[str]:
        if g not in self._modes:
            values = [v for row in self.gene_scorer.diseases_of(g).tolist() for v in self._inheritance(int(row))]
            self._modes[g] = modes_from_facts(values)
        return self._modes[g]

    def gene_lof_mechanism(self, g: int) -> bool | None:
        """True when a source says the gene's disease arises by loss of function (Orphanet's
        "loss of function" association); None when no source says either way."""
        if g not in self._lof:
            dg = self.kb.disease_genes
            rows = np.flatnonzero(np.asarray(dg.gene) == g)
            assoc = {dg.association[int(r)] for r in rows}
            if any("loss of function" in a for a in assoc):
                self._lof[g] = True
            elif any("gain of function" in a for a in assoc):
                self._lof[g] = False
            else:
                self._lof[g] = None
        return self._lof[g]

    # -- the analysis ----------------------------------------------------------------------

    def analyze(
        self,
        cands: Candidates,
        patient: Patient | None,
        vcf: VcfContext,
        *,
        family: Family,
        resources: Sequence[SiteResource] = (),
        missing_resources: Sequence[ResourceUse] = (),
    ) -> AnalysisResult:
        cfg = self.config
        t = cands.table
        n = len(t)
        info = [
            read_info_evidence(
                t.info[i], ref=t.ref[i], alt=t.alt[i], allele=int(t.allele[i]),
                n_alleles=max(int(t.allele[i]), 1 if "," not in str(t.alt[i]) else 2),
                frequency_keys=vcf.frequency_keys, csq_fields=vcf.csq_fields, ann_fields=vcf.ann_fields,
            )
            for i in range(n)
        ]
        keys = [(int(t.chrom[i]), int(t.pos[i]), str(t.ref[i]), str(t.alt[i])) for i in range(n)]
        freq_res = [r for r in resources if r.kind == "frequency"]
        clin_res = [r for r in resources if r.kind == "clinvar"]
        freqs: list[dict[str, float]] = []
        for i in range(n):
            f = dict(info[i].frequencies)
            for r in freq_res:
                f.update(r.frequencies(keys[i]))
            freqs.append(f)
        frequency_checked = bool(vcf.frequency_keys or freq_res)
        max_af = [max(f.values()) if f else None for f in freqs]
        clin = [self._clinvar(info[i], keys[i], clin_res) for i in range(n)]

        self._csq = bool(vcf.csq_fields)
        pairs = self._pairs(cands, info)
        # -- filters -------------------------------------------------------------------------
        proband = family.proband
        gt = t.genotype
        quality = np.ones(n, dtype=bool)
        if cfg.require_filter_pass:
            quality &= t.filter_pass
        if gt.shape[1]:
            gq = t.gq[:, proband]
            dp = t.dp[:, proband]
            quality &= (gq < 0) | (gq >= cfg.min_gq)
            quality &= (dp < 0) | (dp >= cfg.min_dp)
        freq_ok = np.asarray([(a is None) or a <= cfg.max_frequency for a in max_af], dtype=bool)
        region_ok = np.asarray([c not in _REGION_FAIL for c in pairs.consequence], dtype=bool)

        # -- variant scores per pair ------------------------------------------------------------
        m = len(pairs.row)
        path = np.zeros(m)
        path_src: list[str] = []
        fscore = np.asarray([frequency_score(max_af[int(x)]) for x in pairs.row]) if m else np.zeros(0)
        for k in range(m):
            row = int(pairs.row[k])
            cv = clinvar_pathogenicity(clin[row][0], clin[row][1])
            if cv is not None:
                path[k], src = cv, "ClinVar"
            else:
                path[k], src = predictor_pathogenicity(info[row].predictors, pairs.consequence[k])
            path_src.append(src)
        score = path * fscore
        qualifies = quality[pairs.row] & freq_ok[pairs.row] & region_ok if m else np.zeros(0, bool)

        # Chance rates: qualifying variants of each class per exonic base, in this very exome.
        n_qual_rows = len(np.unique(pairs.row[qualifies])) if m else 0
        class_count: dict[str, int] = defaultdict(int)
        for k in np.flatnonzero(qualifies).tolist():
            class_count[pairs.consequence[k]] += 1
        rates = {c: (v + 1) / self._total_exonic for c, v in class_count.items()}
        hom_count: dict[str, int] = defaultdict(int)
        if gt.shape[1]:
            for k in np.flatnonzero(qualifies).tolist():
                if gt[int(pairs.row[k]), proband] == GT_HOM_ALT:
                    hom_count[pairs.consequence[k]] += 1
        hom_rates = {c: (hom_count.get(c, 0) + 1) / self._total_exonic for c in class_count}
        default_rate = 1 / self._total_exonic
        # Evidence beyond the class: frequency score × how far predictors or ClinVar move the
        # class's default pathogenicity.
        weight = np.ones(m)
        for k in range(m):
            base = DEFAULT_PATHOGENICITY.get(pairs.consequence[k], 0.5) or 0.5
            if path_src[k] == "ClinVar":
                adj = CLINVAR_WEIGHT
            elif path_src[k] == "consequence":
                adj = 1.0
            else:
                adj = min(max(path[k] / base, 0.05), 5.0)
            weight[k] = fscore[k] * adj

        # -- genes -------------------------------------------------------------------------------
        by_gene: dict[str, list[int]] = defaultdict(list)
        for k in np.flatnonzero(qualifies).tolist():
            by_gene[pairs.symbol[k]].append(k)
        failed_by_gene: dict[str, list[int]] = defaultdict(list)
        for k in np.flatnonzero(~qualifies).tolist():
            failed_by_gene[pairs.symbol[k]].append(k)
        pheno = None
        concept_scores = np.zeros(0)
        concept_rank = np.zeros(0, dtype=np.int64)
        pheno_rank = np.zeros(0, dtype=np.int64)
        floor = 0.0
        if patient is not None and patient.observed:
            concept_scores = self.gene_scorer.ranker.scores(patient, cfg.phenotype_method)
            concept_rank = _ranks(concept_scores)
            pheno = self.gene_scorer.score_from_concepts(concept_scores)
            finite = pheno.score[np.isfinite(pheno.score)]
            floor = float(finite.min()) - 10.0 if len(finite) else 0.0
            pheno_rank = _ranks(pheno.score)
        ranked: list[tuple[float, str, float, float, ModeCall, float, list[int]]] = []
        incompatible = 0
        for symbol, ks in by_gene.items():
            g = self.kb_gene(symbol)
            model_g = int(pairs.model_gene[ks[0]])
            chrom = int(t.chrom[int(pairs.row[ks[0]])])
            length = float(self._exonic[model_g]) if model_g >= 0 else self._median_exonic
            lams = [rates.get(pairs.consequence[k], default_rate) * length for k in ks]
            hit = np.asarray([
                math.log(causal_share(pairs.consequence[k])) + math.log(max(weight[k], 1e-6))
                - math.log(max(-math.expm1(-max(lam, 1e-9)), 1e-12))
                for k, lam in zip(ks, lams, strict=True)
            ])
            modes = modes_for_chrom(self.gene_modes(g) if g is not None else frozenset(), chrom)
            local_rows = [int(pairs.row[k]) for k in ks]
            calls = compatible_modes(
                list(range(len(ks))), gt[local_rows], family, modes, hit,
            ) if gt.shape[1] else [ModeCall(mo, tuple(range(len(ks)))) for mo in sorted(modes)]
            if not calls:
                incompatible += 1
                continue
            best: tuple[float, ModeCall] | None = None
            for call in calls:
                chosen = sorted(call.variants, key=lambda j: -hit[j])
                if call.mode == "AR" and call.note == "homozygous":
                    c0 = pairs.consequence[ks[chosen[0]]]
                    hits = ((c0, hom_rates.get(c0, default_rate) * length, float(weight[ks[chosen[0]]])),)
                else:
                    hits = tuple((pairs.consequence[ks[j]], lams[j], float(weight[ks[j]])) for j in chosen)
                lr = class_log_lr(hits, call.mode, de_novo=bool(call.de_novo))
                if best is None or lr > best[0]:
                    best = (lr, call)
            assert best is not None
            p_score = 0.0
            if pheno is not None:
                p_score = float(pheno.score[g]) if g is not None and np.isfinite(pheno.score[g]) else floor
            total = cfg.phenotype_weight * p_score + best[0]
            lam_gene = float(sum(lams))
            ranked.append((total, symbol, p_score, best[0], best[1], lam_gene, ks))
        ranked.sort(key=lambda x: -x[0])
        totals = np.asarray([x[0] for x in ranked]) if ranked else np.zeros(0)
        prob = np.exp(totals - totals.max()) / np.exp(totals - totals.max()).sum() if ranked else totals

        gene_results = []
        for i, (total, symbol, p_score, glr, call, lam, ks) in enumerate(ranked[: cfg.top]):
            g = self.kb_gene(symbol)
            shown = [ks[j] for j in call.variants]
            # Then the gene's other qualifying variants, and those that failed a filter (shown with it).
            others = [k for k in ks if k not in shown] + failed_by_gene.get(symbol, [])
            denovo_rows = {int(pairs.row[ks[j]]) for j in call.de_novo}
            variants = tuple(
                self._variant_result(k, pairs, cands, info, freqs, max_af, clin, path, path_src, fscore, score,
                                     quality, freq_ok, region_ok, frequency_checked, family,
                                     de_novo=int(pairs.row[k]) in denovo_rows, in_call=k in shown,
                                     qualified=bool(qualifies[k]),
                                     pp4=pheno is not None and g is not None and int(pheno_rank[g]) <= 5,
                                     mode=call.mode, g=g)
                for k in shown + others[:3]
            )
            gene_results.append(GeneResult(
                rank=i + 1, symbol=symbol,
                hgnc_id=self.kb.genes.hgnc_id[g] if g is not None else "",
                score=float(total), probability=float(prob[i]), phenotype_score=p_score,
                genotype_log_lr=glr, mode=call.mode, mode_note=call.note, expected_background=lam,
                diseases=self._diseases(g, concept_scores, concept_rank),
                variants=variants,
            ))
        resources_used = tuple(
            ResourceUse(r.name, r.kind, r.release, "used", f"{len(r)} sites; {r.covers}") for r in resources
        ) + tuple(missing_resources)
        worst = dict(cands.worst_consequence)
        counts = {
            "records": cands.records,
            "not_carried_by_proband": cands.not_carried,
            "candidate_variants": n,
            "candidate_variant_gene_pairs": m,
            "pass_quality": int(quality.sum()),
            "pass_frequency": int(freq_ok.sum()),
            "pass_region_pairs": int(region_ok.sum()),
            "qualifying_variants": n_qual_rows,
            "genes_with_qualifying_variants": len(by_gene),
            "genes_incompatible_with_inheritance": incompatible,
        }
        return AnalysisResult(
            software_version=self.kb.software_version,
            kb_version=self.kb.version,
            build=vcf.build,
            gene_model=self.genes.source,
            vcf=vcf.path,
            proband=t.samples[proband] if t.samples else "",
            samples=t.samples,
            phenotype_method=cfg.phenotype_method if pheno is not None else "none",
            hpo_terms=tuple(self.kb.ontology.ids[i] for i in patient.observed) if patient else (),
            resources=resources_used,
            counts=counts,
            consequence_counts=worst,
            genes=tuple(gene_results),
            n_genes_ranked=len(ranked),
            ranked_symbols=tuple(x[1] for x in ranked),
            ranked_scores=tuple(float(x[0]) for x in ranked),
            warnings=vcf.warnings,
        )

    # -- helpers ---------------------------------------------------------------------------

    def _clinvar(self, ev: InfoEvidence, key: tuple[int, int, str, str], res: list[SiteResource]) -> tuple[str | None, int | None, str]:
        for resource in res:
            sig = resource.field(key, "CLNSIG")
            if sig:
                stars = clinvar_stars(resource.field(key, "CLNREVSTAT") or "")
                return normalize_clinvar_significance(sig), stars, sig
        if ev.clinvar:
            return normalize_clinvar_significance(ev.clinvar), clinvar_stars(ev.clinvar_review or ""), ev.clinvar
        return None, None, ""

    def _pairs(self, cands: Candidates, info: list[InfoEvidence]) -> _Pairs:
        reg = cands.regions
        rows: list[int] = []
        symbol: list[str] = []
        cons: list[str] = []
        source: list[str] = []
        hc: list[str] = []
        hp: list[str] = []
        exon: list[int] = []
        ssr: list[bool] = []
        mg: list[int] = []
        annotated = {i for i, ev in enumerate(info) if ev.consequences}
        for k in range(len(reg)):
            r = int(reg.variant[k])
            g = int(reg.gene[k])
            if r in annotated or g < 0:
                continue
            rows.append(r)
            symbol.append(self.genes.symbol[g])
            cons.append(CONSEQUENCES[int(reg.consequence[k])][0])
            source.append("gene table")
            hc.append("")
            hp.append("")
            exon.append(int(reg.exon[k]))
            ssr.append(bool(reg.in_splice_region[k]))
            mg.append(g)
        src = "VEP CSQ" if self._csq else "SnpEff ANN"
        for r in sorted(annotated):
            for gc in info[r].consequences:
                rows.append(r)
                symbol.append(gc.symbol)
                cons.append(gc.consequence)
                source.append(src)
                hc.append(gc.hgvs_c)
                hp.append(gc.hgvs_p)
                exon.append(0)
                ssr.append("splice" in gc.consequence)
                found = self.genes.find(gc.symbol)
                mg.append(-1 if found is None else found)
        return _Pairs(
            row=np.asarray(rows, dtype=np.int64), symbol=symbol, consequence=cons, source=source,
            hgvs_c=hc, hgvs_p=hp, exon=np.asarray(exon, dtype=np.int64),
            in_splice_region=np.asarray(ssr, dtype=bool), model_gene=np.asarray(mg, dtype=np.int64),
        )

    def _diseases(
        self, g: int | None, concept_scores: npt.NDArray[np.float64], concept_rank: npt.NDArray[np.int64]
    ) -> tuple[DiseaseLink, ...]:
        if g is None:
            return ()
        ranker = self.gene_scorer.ranker
        out = []
        for row in self.gene_scorer.diseases_of(g).tolist():
            concept = int(ranker.index.concepts[row])
            inh = self._inheritance(int(row))
            ids = tuple(self.kb.concept_ids.id[int(r)] for r in self.kb.concept_id_rows(concept))
            scored = len(concept_scores) > 0
            out.append(DiseaseLink(
                concept_id=self.kb.concepts.id[concept], label=self.kb.concepts.label[concept], ids=ids,
                inheritance=tuple(inh),
                phenotype_score=float(concept_scores[row]) if scored else 0.0,
                phenotype_rank=int(concept_rank[row]) if scored else 0,
            ))
        out.sort(key=lambda d: (d.phenotype_rank, d.concept_id))
        return tuple(out)

    def _variant_result(
        self, k: int, pairs: _Pairs, cands: Candidates, info: list[InfoEvidence],
        freqs: list[dict[str, float]], max_af: list[float | None], clin: list[tuple[str | None, int | None, str]],
        path: npt.NDArray[np.float64], path_src: list[str], fscore: npt.NDArray[np.float64],
        score: npt.NDArray[np.float64], quality: npt.NDArray[np.bool_], freq_ok: npt.NDArray[np.bool_],
        region_ok: npt.NDArray[np.bool_], frequency_checked: bool, family: Family, *,
        de_novo: bool, in_call: bool, pp4: bool, mode: str, g: int | None, qualified: bool = True,
    ) -> VariantResult:
        t = cands.table
        r = int(pairs.row[k])
        cons = pairs.consequence[k]
        n_exons = int(self.genes.exon_count[pairs.model_gene[k]]) if pairs.model_gene[k] >= 0 else 0
        exon = int(pairs.exon[k])
        ev = VariantEvidence(
            consequence=cons, gene=pairs.symbol[k],
            population_af=max_af[r], frequency_checked=frequency_checked,
            af_threshold_bs1=0.01 if mode in ("AR", "XR") else 0.001,
            clinvar_significance=clin[r][0], clinvar_stars=clin[r][1],
            lof_mechanism=self.gene_lof_mechanism(g) if g is not None else None,
            nmd_escape=(exon == n_exons) if (cons in LOSS_OF_FUNCTION and exon > 0 and n_exons > 1) else None,
            predictors=info[r].predictors,
            in_splice_region=bool(pairs.in_splice_region[k]),
            phenotype_specific=pp4 if in_call else None,
            de_novo=de_novo if family.has_parents else None,
            de_novo_confirmed=de_novo and family.has_parents,
        )
        acmg = classify_variant(ev, method="points" if self.config.acmg_method == "points" else "rules")
        gq = int(t.gq[r, family.proband]) if t.genotype.shape[1] else -1
        dp = int(t.dp[r, family.proband]) if t.genotype.shape[1] else -1
        q = float(t.qual[r])
        return VariantResult(
            key=t.key(r), contig=t.contig_name(r), pos=int(t.pos[r]), ref=str(t.ref[r]), alt=str(t.alt[r]),
            id=str(t.id[r]), vcf_line=int(t.line[r]), gene=pairs.symbol[k], consequence=cons,
            consequence_source=pairs.source[k], hgvs_c=pairs.hgvs_c[k], hgvs_p=pairs.hgvs_p[k], exon=exon,
            genotypes=tuple((s, _GT_TEXT.get(int(t.genotype[r, j]), "./.")) for j, s in enumerate(t.samples)),
            qual=None if math.isnan(q) else q, gq=None if gq < 0 else gq, dp=None if dp < 0 else dp,
            frequencies=freqs[r], max_frequency=max_af[r], predictors=dict(info[r].predictors),
            clinvar=clin[r][2] or None, clinvar_stars=clin[r][1],
            pathogenicity=float(path[k]), pathogenicity_source=path_src[k], frequency_score=float(fscore[k]),
            score=float(score[k]),
            filters={
                "quality": PASS if quality[r] else FAIL,
                "frequency": (PASS if freq_ok[r] else FAIL) if frequency_checked else NOT_RUN,
                "region": PASS if region_ok[k] else FAIL,
                "inheritance": PASS if in_call else (FAIL if qualified else NOT_RUN),
            },
            de_novo=de_novo,
            acmg=AcmgCall(acmg.classification, acmg.points,
                          tuple((c.code, c.strength, c.reason) for c in acmg.criteria), acmg.not_evaluated),
        )


def _ranks(score: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Rank of every entry (1 = best; ties share the worse rank, as the benchmarks count)."""
    order = np.sort(score)[::-1]
    return (np.searchsorted(-order, -score, side="right")).astype(np.int64)

