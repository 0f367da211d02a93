"""`rarelens term`, `rarelens disease`, `rarelens explain`: the look-ups a clinician uses."""

from __future__ import annotations

import math
import re
from dataclasses import asdict
from pathlib import Path

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from rarelens.cli.common import EXIT_USAGE, KbOption, console, fail, open_kb, print_json, warn
from rarelens.kb.card import DiseaseCard, build_disease_card
from rarelens.kb.explain import explain_annotation
from rarelens.kb.knowledge_base import KnowledgeBase, UnknownDiseaseError
from rarelens.kb.linking import normalize_name
from rarelens.model.issue import Issue
from rarelens.ontology.search import TermSearcher

JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
LimitOption = typer.Option(15, "--limit", "-n", help="How many results.")


def term(
    args: list[str] = typer.Argument(..., help="An HPO id (HP:0001250), or: search WORDS"),
    kb: Path | None = KbOption,
    as_json: bool = JsonOption,
    limit: int = LimitOption,
) -> None:
    """Show an HPO term, or search terms in English or Chinese: `rarelens term search 癫痫`."""
    kbase = open_kb(kb)
    # Words instead of ids ("rarelens term seizure", "rarelens term 癫痫") are a search too.
    words = args[0] != "search" and not any(_looks_like_id(a) for a in args)
    if args[0] == "search" or words:
        query = " ".join(args if words else args[1:])
        if not query:
            fail("give words to search for, e.g. `rarelens term search seizure`", EXIT_USAGE)
        hits = TermSearcher(kbase.ontology).search(query, limit=limit)
        if as_json:
            print_json([asdict(h) for h in hits])
            return
        if not hits:
            warn(f"no HPO term matches {query!r}")
            raise typer.Exit(0)
        t = Table("id", "label", "中文", "matched", title=f"HPO terms for {query!r}")
        for h in hits:
            t.add_row(h.id, h.label, h.label_zh or "", h.matched if h.match != "label" else "")
        console.print(t)
        return
    for text in args:
        _show_term(kbase, text, as_json)


def _looks_like_id(text: str) -> bool:
    """An id as a user types one (HP:0001250, hp_0001250, 0001250), so a typo in an id is told
    as such instead of searched for."""
    return re.fullmatch(r"(?i)\s*(hp[:_：]?)?\s*\d{1,7}\s*", text) is not None


def _issue_text(issue: Issue) -> str:
    return issue.message + (f". Fix: {issue.fix}" if issue.fix else "")


def _show_term(kb: KnowledgeBase, text: str, as_json: bool) -> None:
    o = kb.ontology
    res = o.resolve(text)
    if res.index is None:
        fail(_issue_text(res.issue) if res.issue else f"unknown term {text}", EXIT_USAGE)
    if res.issue:
        warn(res.issue.message)
    i = res.index
    n_diseases = len({int(kb.diseases.concept[int(d)]) for d in kb.annotations.disease[kb.annotations.term == i]})
    data = {
        "id": o.ids[i],
        "label": o.labels[i],
        "label_zh": o.labels_zh.get(i),
        "definition": o.definitions[i],
        "synonyms": [{"text": s.text, "scope": s.scope, "types": list(s.types)} for s in o.synonyms[i]],
        "parents": [{"id": o.ids[int(p)], "label": o.labels[int(p)]} for p in o.parents(i)],
        "children": [{"id": o.ids[int(c)], "label": o.labels[int(c)]} for c in o.children(i)],
        "n_descendants": len(o.descendants(i)) - 1,
        "information_content": round(float(o.ic[i]), 4),
        "directly_annotated_disease_concepts": n_diseases,
        "hpo_release": o.release,
    }
    if as_json:
        print_json(data)
        return
    body = [f"[bold]{data['label']}[/]  {data['label_zh'] or ''}", str(data["definition"] or "")]
    if o.synonyms[i]:
        body.append("synonyms: " + escape("; ".join(f"{s.text} [{s.scope.lower()}{' ' + ','.join(s.types) if s.types else ''}]" for s in o.synonyms[i])))
    body.append("parents: " + ", ".join(f"{p['id']} {p['label']}" for p in data["parents"]))  # type: ignore[attr-defined]
    kids = data["children"]
    body.append(f"children ({len(kids)}): " + ", ".join(f"{c['id']} {c['label']}" for c in kids[:12]) + (" …" if len(kids) > 12 else ""))  # type: ignore[arg-type, index]
    body.append(f"IC {data['information_content']} · {n_diseases:,} disease concepts annotated directly · HPO {o.release}")
    console.print(Panel("\n".join(body), title=o.ids[i]))


def disease(
    args: list[str] = typer.Argument(..., help="A disease id (OMIM:154700, ORPHA:558, MONDO:…), or: search NAME"),
    kb: Path | None = KbOption,
    as_json: bool = JsonOption,
    limit: int = LimitOption,
) -> None:
    """Print a disease card (names en/zh, catalog, prevalence, inheritance, genes, phenotypes, drugs)."""
    kbase = open_kb(kb)
    if args[0] == "search":
        _search_disease(kbase, " ".join(args[1:]), as_json, limit)
        return
    try:
        card = build_disease_card(kbase, args[0], top_phenotypes=limit)
    except UnknownDiseaseError as exc:
        fail(str(exc), EXIT_USAGE)
    if as_json:
        print_json(asdict(card))
        return
    _print_card(card)


def _search_disease(kb: KnowledgeBase, query: str, as_json: bool, limit: int) -> None:
    q = normalize_name(query) if query.strip() else ""
    if not q:
        fail("give a name to search for, e.g. `rarelens disease search marfan`", EXIT_USAGE)
    hits: dict[int, tuple[int, str]] = {}
    for r, text in enumerate(kb.names.text):
        norm = text if kb.names.lang[r] == "zh" else normalize_name(text)
        key = query.strip() if kb.names.lang[r] == "zh" else q
        if key and key in norm:
            c = int(kb.diseases.concept[int(kb.names.disease[r])])
            score = 0 if norm == key else (1 if norm.startswith(key) else 2)
            if c not in hits or score < hits[c][0]:
                hits[c] = (score, text)
    ranked = sorted(hits.items(), key=lambda kv: (kv[1][0], len(kv[1][1])))[:limit]
    rows = [{"concept": kb.concepts.id[c], "label": kb.concepts.label[c], "matched": m} for c, (_, m) in ranked]
    if as_json:
        print_json(rows)
        return
    t = Table("concept", "label", "matched name", title=f"diseases matching {query!r}")
    for row in rows:
        t.add_row(row["concept"], row["label"], row["matched"])
    console.print(t)


def _freq(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.0%}"


def _print_card(card: DiseaseCard) -> None:
    lines = [f"[bold]{card.label}[/]   " + "  ".join(dict.fromkeys(n.value for n in card.names_zh))]
    lines.append("ids: " + ", ".join(f"{i}" + ("" if via == "entry" else f" ({via})") for i, via in card.ids))
    if card.disorder_types:
        lines.append("Orphanet type: " + ", ".join(card.disorder_types))
    if card.catalog:
        by_key: dict[str, list[str]] = {}
        for c in card.catalog:
            flag = "" if c.reviewed else ", unreviewed"
            by_key.setdefault(f"{c.key} {c.name_zh} / {c.name_en}", []).append(f"{c.target} {c.relation}, {c.method}{flag}")
        for head, vias in by_key.items():
            lines.append(f"[bold magenta]China rare disease catalog[/] {escape(head)} (via {escape('; '.join(vias))})")
    else:
        lines.append("China rare disease catalog: not listed")
    if card.definition:
        lines.append(f"[dim]{escape(card.definition.value)}[/] ({escape(card.definition.source)})")
    lines.append("inheritance: " + (escape("; ".join(f"{s.value} [{s.source.split(' (')[0]}]" for s in card.inheritance)) or "unknown"))
    lines.append("onset: " + ("; ".join(f"{s.value}" for s in card.onset) or "unknown"))
    if card.prevalence:
        lines.append("prevalence: " + escape("; ".join(f"{p.value}" for p in card.prevalence[:4]) + (" …" if len(card.prevalence) > 4 else "") + " [Orphanet]"))
    lines.append("genes: " + (", ".join(sorted({f"{g.value} ({g.reference})" for g in card.genes})) or "none linked"))
    console.print(Panel("\n".join(lines), title=f"{card.concept_id} · {card.kb_version}"))
    t = Table("HPO", "phenotype", "中文", "frequency", "as written", "sources", title=f"top phenotypes ({len(card.phenotypes)} of {card.n_phenotypes})")
    for p in card.phenotypes:
        t.add_row(p.term, ("NOT " if p.negated else "") + p.label, p.label_zh or "", _freq(p.frequency), p.frequency_text, ", ".join(s.split(" (")[0] for s in p.sources))
    console.print(t)
    if card.drugs:
        d = Table("drug", "designation", "reference", title="orphan designations (exact name link)")
        for s in card.drugs[:15]:
            d.add_row(s.value, s.detail, s.reference)
        console.print(d)
    console.print("[dim]sources: " + escape("; ".join(sorted({e[2] for e in card.entries}))) + "[/]")


def explain(
    disease_id: str = typer.Argument(..., help="Disease id, e.g. OMIM:154700"),
    hpo: str = typer.Argument(..., help="HPO id, e.g. HP:0001166"),
    kb: Path | None = KbOption,
    as_json: bool = JsonOption,
) -> None:
    """Show the chain behind a disease–phenotype link: annotation, frequency, publication, release."""
    kbase = open_kb(kb)
    try:
        ex = explain_annotation(kbase, disease_id, hpo)
    except (UnknownDiseaseError, ValueError) as exc:
        fail(str(exc), EXIT_USAGE)
    if as_json:
        print_json(asdict(ex))
        return
    if ex.issue:
        warn(ex.issue.message)
    console.print(f"[bold]{ex.concept_label}[/] ({ex.concept_id}) — {ex.term_id} {ex.term_label}   [dim]{ex.kb_version}[/]")
    if not ex.links:
        console.print("no annotation links this disease to the term or to any term above or below it")
        return
    for link in ex.links:
        neg = "[red]NOT[/] " if link.negated else ""
        console.print(
            f"• {link.disease_id} {neg}{link.annotated_term} {link.annotated_label} — {link.relation}\n"
            f"  frequency {link.frequency_raw or 'not given'} → {_freq(link.frequency) or 'unknown'}"
            f"{'; onset ' + link.onset if link.onset else ''}{'; sex ' + link.sex if link.sex else ''}\n"
            f"  evidence {link.evidence or '-'}; reference {link.reference or '-'}; curation {link.biocuration or '-'}\n"
            f"  source {link.source_key} release {link.source_release}, {link.source_file}"
            f"{':' + str(link.line) if link.line else ''} (sha256 {link.source_sha256[:12]}…)"
        )
