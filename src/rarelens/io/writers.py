"""Writers for rankings: JSON (canonical), TSV, HTML, and a phenopacket with interpretations.

Results never render themselves; each writer takes the `Ranking` and the ontology for labels.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from rarelens.kb.records import AnnotationSource
from rarelens.ontology import Ontology
from rarelens.phenotype.ranker import Ranking
from rarelens.phenotype.scorers import TermEvidence


def json_ready(x: Any) -> Any:
    """Dicts, lists and tuples with every float made JSON-safe: NaN and infinity become null
    (JSON has neither) and floats are rounded to 6 places (17 digits only hide what matters)."""
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else round(x, 6)
    if isinstance(x, dict):
        return {k: json_ready(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_ready(v) for v in x]
    return x


def _evidence(e: TermEvidence, o: Ontology) -> dict[str, Any]:
    return {
        "patient_term": o.ids[e.patient_term],
        "patient_label": o.labels[e.patient_term],
        "excluded": e.excluded,
        "disease_term": o.ids[e.disease_term] if e.disease_term >= 0 else None,
        "disease_label": o.labels[e.disease_term] if e.disease_term >= 0 else None,
        "match": e.match,
        "via_term": o.ids[e.via] if e.via >= 0 else None,
        "via_label": o.labels[e.via] if e.via >= 0 else None,
        "contribution": round(e.contribution, 4),
        "frequency": None if math.isnan(e.frequency) else round(e.frequency, 4),
        "sources": [asdict(x) for x in e.sources],
    }


def _references(sources: Iterable[AnnotationSource], sep: str = ", ") -> str:
    """The distinct references behind some evidence, e.g. 'PMID:31124279, OMIM:618505'."""
    return sep.join(dict.fromkeys(x.reference or x.disease_id for x in sources))


def _release(e: TermEvidence) -> str:
    return ", ".join(dict.fromkeys(f"{x.source} {x.release}" for x in e.sources))


def ranking_to_dict(r: Ranking, o: Ontology) -> dict[str, Any]:
    return {
        "method": r.method,
        "kb_version": r.kb_version,
        "software_version": r.software_version,
        "hpo_release": o.release,
        "patient": {
            "id": r.patient.id,
            "observed": [{"id": o.ids[t], "label": o.labels[t]} for t in r.patient.observed],
            "excluded": [{"id": o.ids[t], "label": o.labels[t]} for t in r.patient.excluded],
            "sex": r.patient.sex,
            "onset_years": r.patient.onset_years,
            "issues": [asdict(i) for i in r.patient.issues],
        },
        "n_ranked": r.n_ranked,
        "diagnoses": [
            {
                "rank": d.rank,
                "concept_id": d.concept_id,
                "label": d.label,
                "label_zh": d.label_zh,
                "ids": list(d.ids),
                "in_china_catalog": d.in_catalog,
                "genes": list(d.genes),
                "inheritance": list(d.inheritance),
                "score": round(d.score, 4),
                "probability": round(d.probability, 6),
                "evidence": [_evidence(e, o) for e in d.evidence],
                "context": [asdict(c) for c in d.context],
            }
            for d in r.diagnoses
        ],
    }


def write_json(r: Ranking, o: Ontology) -> str:
    return json.dumps(ranking_to_dict(r, o), ensure_ascii=False, indent=2)


def write_tsv(r: Ranking, o: Ontology) -> str:
    head = ["rank", "concept_id", "label", "label_zh", "ids", "in_china_catalog", "genes",
            "inheritance", "score", "probability", "matched_terms", "references", "kb_version"]
    lines = ["\t".join(head)]
    for d in r.diagnoses:
        # patient term:match:contribution, then the disease's annotated term it met ('>')
        matched = ";".join(
            [f"{o.ids[e.patient_term]}:{e.match}:{e.contribution:.2f}"
             + (f">{o.ids[e.disease_term]}" if e.disease_term >= 0 else "") for e in d.evidence]
            + [f"{c.kind}={c.patient_value}:{c.contribution:.2f}" for c in d.context]
        )
        refs = _references((x for e in d.evidence for x in e.sources), sep=",")
        cells = [str(d.rank), d.concept_id, d.label, d.label_zh or "", ",".join(d.ids),
                 str(d.in_catalog).lower(), ",".join(d.genes), ",".join(d.inheritance),
                 f"{d.score:.4f}", f"{d.probability:.6f}", matched, refs, r.kb_version]
        lines.append("\t".join(c.replace("\t", " ") for c in cells))
    return "\n".join(lines) + "\n"


def write_html(r: Ranking, o: Ontology) -> str:
    e = html.escape
    data = ranking_to_dict(r, o)
    rows = []
    for d, dx in zip(data["diagnoses"], r.diagnoses, strict=True):
        ev = "".join(
            f"<tr><td>{'NOT ' if x['excluded'] else ''}{e(x['patient_term'])} {e(x['patient_label'])}</td>"
            f"<td>{e(x['match'])}{_via(x)}</td><td>{e(x['disease_term'] or '')} {e(x['disease_label'] or '')}</td>"
            f"<td>{_pct(x['frequency'])}</td>"
            f"<td class='{'pos' if x['contribution'] > 0 else 'neg'}'>{x['contribution']:+.2f}</td>"
            f"<td><small>{e(_references(te.sources))}<br>{e(_release(te))}</small></td></tr>"
            for x, te in zip(d["evidence"], dx.evidence, strict=True)
        ) + "".join(
            f"<tr><td>{e(c['kind'])}: {e(c['patient_value'])}</td><td>{e(c['kind'])}</td>"
            f"<td>{e(c['disease_value'])}</td><td></td>"
            f"<td class='{'pos' if c['contribution'] > 0 else 'neg'}'>{c['contribution']:+.2f}</td><td></td></tr>"
            for c in d["context"]
        )
        cat = " <span class='cat'>China catalog</span>" if d["in_china_catalog"] else ""
        rows.append(
            f"<section><h2>{d['rank']}. {e(d['label'])} <small>{e(d['label_zh'] or '')}</small>{cat}</h2>"
            f"<p>{e(', '.join(d['ids']))} · genes {e(', '.join(d['genes']) or '—')} · "
            f"{e(', '.join(d['inheritance']) or 'inheritance unknown')} · score {d['score']:.2f} · "
            f"probability {d['probability']:.1%}</p>"
            f"<table><tr><th>patient term</th><th>match</th><th>disease term</th><th>frequency</th>"
            f"<th>contribution</th><th>source</th></tr>{ev}</table></section>"
        )
    observed = ", ".join(f"{x['id']} {x['label']}" for x in data["patient"]["observed"])
    excluded = ", ".join(f"{x['id']} {x['label']}" for x in data["patient"]["excluded"]) or "none"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>RareLens differential {e(data['patient']['id'])}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.25rem;text-align:left}}
.pos{{color:#176b2c}}.neg{{color:#a11}}.cat{{background:#f3e5f5;padding:0 .3rem;font-size:.8em}}
small{{color:#666}}footer{{color:#666;font-size:.85em;margin-top:2rem}}</style></head><body>
<h1>Differential diagnosis</h1>
<p><b>Observed:</b> {e(observed)}<br><b>Excluded:</b> {e(excluded)}</p>
{''.join(rows)}
<footer>Method {e(data['method'])} · knowledge base {e(data['kb_version'])} · HPO {e(data['hpo_release'])} ·
RareLens {e(data['software_version'])}. Decision support only: confirm with clinical and genetic evaluation.</footer>
</body></html>
"""


def write_phenopacket(r: Ranking, o: Ontology, original: dict[str, Any] | None = None) -> str:
    """The input phenopacket (or a minimal one) with one interpretation per ranked diagnosis."""
    pp: dict[str, Any] = dict(original) if original else {
        "id": r.patient.id or "rarelens-case",
        "phenotypicFeatures": [{"type": {"id": o.ids[t], "label": o.labels[t]}} for t in r.patient.observed]
        + [{"type": {"id": o.ids[t], "label": o.labels[t]}, "excluded": True} for t in r.patient.excluded],
        "metaData": {"createdBy": "rarelens", "phenopacketSchemaVersion": "2.0"},
    }
    pp["interpretations"] = [
        {
            "id": f"rarelens-{r.method}-{d.rank}",
            "progressStatus": "IN_PROGRESS",
            "diagnosis": {"disease": {"id": _primary_id(d.ids, d.concept_id), "label": d.label}},
            "summary": f"rank {d.rank}, probability {d.probability:.4f}, score {d.score:.3f}; "
            f"{r.method} on {r.kb_version}",
        }
        for d in r.diagnoses
    ]
    return json.dumps(pp, ensure_ascii=False, indent=2)


def _via(x: dict[str, Any]) -> str:
    """For a shared-ancestor match, the term where patient and disease meet."""
    return f"<br><small>via {html.escape(x['via_term'])} {html.escape(x['via_label'])}</small>" if x["via_term"] else ""


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:.0%}"


def _primary_id(ids: tuple[str, ...], fallback: str) -> str:
    return next((i for i in ids if i.startswith(("OMIM:", "ORPHA:"))), fallback)
