"""Writers for exome/genome analyses: JSON (canonical), TSV (one row per gene × variant), a
readable HTML report, and the top interpretation as a phenopacket ``interpretations`` block."""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from typing import Any

from rarelens.analysis.result import AnalysisResult, GeneResult, VariantResult
from rarelens.io.writers import json_ready


def analysis_to_dict(r: AnalysisResult) -> dict[str, Any]:
    d = asdict(r)
    d.pop("ranked_symbols", None)
    d.pop("ranked_scores", None)
    return dict(json_ready(d))


def write_analysis_json(r: AnalysisResult) -> str:
    return json.dumps(analysis_to_dict(r), ensure_ascii=False, indent=2) + "\n"


TSV_COLUMNS = (
    "rank", "gene", "score", "probability", "phenotype_score", "genotype_log_lr", "mode", "top_disease",
    "variant", "consequence", "hgvs_c", "hgvs_p", "genotype", "max_frequency", "clinvar", "pathogenicity",
    "variant_score", "acmg", "acmg_criteria", "filters", "vcf_line",
)


def _acmg_codes(v: VariantResult) -> str:
    if v.acmg is None:
        return ""
    return ",".join(code if strength == _DEFAULT_STRENGTH.get(code[:3].rstrip("0123456789"), strength)
                    else f"{code}_{strength}" for code, strength, _ in v.acmg.criteria)


_DEFAULT_STRENGTH = {"PVS": "very_strong", "PS": "strong", "PM": "moderate", "PP": "supporting",
                     "BA": "stand_alone", "BS": "strong", "BP": "supporting"}


def write_analysis_tsv(r: AnalysisResult) -> str:
    lines = ["\t".join(TSV_COLUMNS)]
    for g in r.genes:
        top = g.diseases[0] if g.diseases else None
        for v in g.variants:
            gt = next((c for s, c in v.genotypes if s == r.proband), v.genotypes[0][1] if v.genotypes else "")
            row = [
                str(g.rank), g.symbol, f"{g.score:.4f}", f"{g.probability:.4g}", f"{g.phenotype_score:.4f}",
                f"{g.genotype_log_lr:.4f}", g.mode, f"{top.concept_id} {top.label}" if top else "",
                v.key, v.consequence, v.hgvs_c, v.hgvs_p, gt,
                "" if v.max_frequency is None else f"{v.max_frequency:.6g}", v.clinvar or "",
                f"{v.pathogenicity:.3f}", f"{v.score:.3f}", v.acmg.classification if v.acmg else "",
                _acmg_codes(v), ";".join(f"{k}={s}" for k, s in v.filters.items()), str(v.vcf_line),
            ]
            lines.append("\t".join(x.replace("\t", " ") for x in row))
    return "\n".join(lines) + "\n"


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:78em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;font-size:.9em;vertical-align:top}
th{background:#f3f3f3;text-align:left}.gene{margin-top:1.5em;border-top:2px solid #446}.muted{color:#777}
.P{color:#a00;font-weight:bold}.LP{color:#c50}.VUS{color:#555}.LB,.B{color:#080}
.FAIL{color:#a00}.PASS{color:#080}.NOT_RUN{color:#888}"""

_CLASS_CSS = {"Pathogenic": "P", "Likely pathogenic": "LP", "Uncertain significance": "VUS",
              "Likely benign": "LB", "Benign": "B"}


def _e(x: object) -> str:
    return html.escape(str(x))


def _variant_rows(g: GeneResult, proband: str) -> str:
    out = []
    for v in g.variants:
        gt = ", ".join(f"{_e(s)}: {_e(c)}" for s, c in v.genotypes)
        freq = "absent / not checked" if v.max_frequency is None else f"{v.max_frequency:.3g}"
        src = ", ".join(f"{_e(k)} {x:.3g}" for k, x in v.frequencies.items())
        preds = ", ".join(f"{_e(k)} {x:.3g}" for k, x in v.predictors.items()) or "—"
        acmg = ""
        if v.acmg:
            crit = "<br>".join(f"<b>{_e(c)}</b> ({_e(s)}): {_e(reason)}" for c, s, reason in v.acmg.criteria)
            acmg = (f"<span class='{_CLASS_CSS.get(v.acmg.classification, '')}'>{_e(v.acmg.classification)}</span>"
                    f" ({v.acmg.points} points)<br>{crit}"
                    + (f"<br><span class='muted'>not evaluated: {_e(', '.join(v.acmg.not_evaluated))}</span>"
                       if v.acmg.not_evaluated else ""))
        filters = " ".join(f"<span class='{s}'>{_e(k)} {s}</span>" for k, s in v.filters.items())
        hgvs = " ".join(x for x in (v.hgvs_c, v.hgvs_p) if x)
        out.append(
            f"<tr><td>{_e(v.key)}<br><span class='muted'>{_e(v.id)} · VCF line {v.vcf_line}</span></td>"
            f"<td>{_e(v.consequence)}<br><span class='muted'>{_e(v.consequence_source)}"
            f"{' · exon ' + str(v.exon) if v.exon else ''} {_e(hgvs)}</span></td>"
            f"<td>{gt}{' · <b>de novo</b>' if v.de_novo else ''}</td><td>{freq}<br><span class='muted'>{src}</span></td>"
            f"<td>{preds}<br>ClinVar: {_e(v.clinvar or '—')}</td>"
            f"<td>{v.pathogenicity:.2f} ({_e(v.pathogenicity_source)}) × {v.frequency_score:.2f} = {v.score:.2f}</td>"
            f"<td>{filters}</td><td>{acmg}</td></tr>"
        )
    return "".join(out)


def write_analysis_html(r: AnalysisResult) -> str:
    res = "".join(
        f"<tr><td>{_e(x.name)}</td><td>{_e(x.kind)}</td><td>{_e(x.release)}</td><td class='{'PASS' if x.status == 'used' else 'NOT_RUN'}'>{_e(x.status)}</td><td>{_e(x.detail)}</td></tr>"
        for x in r.resources
    )
    counts = "".join(f"<tr><td>{_e(k)}</td><td>{v:,}</td></tr>" for k, v in r.counts.items())
    genes = []
    for g in r.genes:
        dis = "".join(
            f"<tr><td>{_e(d.concept_id)}</td><td>{_e(d.label)}</td><td>{_e(', '.join(d.inheritance))}</td>"
            f"<td>{d.phenotype_score:.2f}</td><td>{d.phenotype_rank or '—'}</td></tr>" for d in g.diseases[:5]
        )
        genes.append(
            f"<div class='gene'><h3>{g.rank}. {_e(g.symbol)} <span class='muted'>{_e(g.hgnc_id)}</span></h3>"
            f"<p>score {g.score:.2f} = phenotype {g.phenotype_score:.2f} + genotype log LR {g.genotype_log_lr:.2f}"
            f" · probability {g.probability:.1%} · mode <b>{_e(g.mode)}</b> {_e(g.mode_note)}"
            f" · chance expectation λ = {g.expected_background:.3g}</p>"
            f"<table><tr><th>disease</th><th>name</th><th>inheritance</th><th>phenotype score</th><th>phenotype rank</th></tr>{dis}</table>"
            f"<table><tr><th>variant</th><th>consequence</th><th>genotype</th><th>frequency</th><th>predictors</th>"
            f"<th>score</th><th>filters</th><th>ACMG</th></tr>{_variant_rows(g, r.proband)}</table></div>"
        )
    warn = "".join(f"<li>{_e(w)}</li>" for w in r.warnings)
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>RareLens analysis</title>"
        f"<style>{_CSS}</style><h1>RareLens exome analysis</h1>"
        f"<p>VCF {_e(r.vcf)} · proband {_e(r.proband)} · build {_e(r.build)} · HPO {_e(', '.join(r.hpo_terms) or 'none')}</p>"
        f"<p class='muted'>RareLens {_e(r.software_version)} · knowledge base {_e(r.kb_version)} · gene model {_e(r.gene_model)}"
        f" · phenotype method {_e(r.phenotype_method)} · {r.n_genes_ranked:,} genes ranked</p>"
        + (f"<h2>Warnings</h2><ul>{warn}</ul>" if warn else "")
        + f"<h2>Resources</h2><table><tr><th>resource</th><th>kind</th><th>release</th><th>status</th><th>detail</th></tr>{res}</table>"
        f"<h2>Counts</h2><table>{counts}</table><h2>Ranked genes</h2>{''.join(genes)}</html>\n"
    )


_ZYG = {"0/1": ("GENO:0000135", "heterozygous"), "1/1": ("GENO:0000136", "homozygous")}


def write_analysis_phenopacket(r: AnalysisResult, original: dict[str, Any] | None = None) -> str:
    """The top gene as a phenopacket interpretation (status CANDIDATE: a tool's ranking is a
    proposal for a geneticist to confirm, never a confirmed diagnosis)."""
    packet: dict[str, Any] = dict(original) if original else {"id": r.proband or "case", "subject": {"id": r.proband}}
    interpretations = []
    for g in r.genes[:1]:
        top = g.diseases[0] if g.diseases else None
        gis = []
        for v in g.variants:
            if v.filters.get("inheritance") != "PASS":
                continue
            gt = next((c for s, c in v.genotypes if s == r.proband), "0/1")
            zid, zlabel = _ZYG.get(gt, ("GENO:0000137", "unspecified zygosity"))
            gis.append({
                "subjectOrBiosampleId": r.proband,
                "interpretationStatus": "CANDIDATE",
                "variantInterpretation": {
                    "acmgPathogenicityClassification": (v.acmg.classification.upper().replace(" ", "_")
                                                        .replace("UNCERTAIN_SIGNIFICANCE", "UNCERTAIN_SIGNIFICANCE")
                                                        if v.acmg else "NOT_PROVIDED"),
                    "variationDescriptor": {
                        "id": v.key,
                        "geneContext": {"valueId": g.hgnc_id, "symbol": g.symbol},
                        "vcfRecord": {"genomeAssembly": r.build, "chrom": v.contig, "pos": v.pos, "ref": v.ref, "alt": v.alt},
                        "moleculeContext": "genomic",
                        "allelicState": {"id": zid, "label": zlabel},
                    },
                },
            })
        interpretations.append({
            "id": f"rarelens-{r.proband or 'case'}-1",
            "progressStatus": "IN_PROGRESS",
            "diagnosis": {
                "disease": {"id": top.ids[0] if top and top.ids else (top.concept_id if top else ""),
                            "label": top.label if top else ""},
                "genomicInterpretations": gis,
            },
            "summary": f"RareLens {r.software_version}, knowledge base {r.kb_version}: rank 1 of {r.n_genes_ranked} genes",
        })
    packet["interpretations"] = interpretations
    return json.dumps(packet, ensure_ascii=False, indent=2) + "\n"
