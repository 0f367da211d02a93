"""INFO-column evidence for the few thousand variants that survive the region filter:
population frequencies, VEP ``CSQ`` / SnpEff ``ANN`` consequences, predictor scores, ClinVar.

Parsing INFO is the costly part of VCF reading, so it happens here, after annotation has cut
a genome's millions of rows down to the variants that can matter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rarelens.variants.consequence import RANK, most_severe

# INFO keys that always hold a population frequency. Plain ``AF`` is ambiguous — GATK writes
# the sample's own allele fraction there — so it counts only when its header says otherwise.
_POP_KEY = re.compile(
    r"^(gnomad\w*|exac\w*|esp\w*|tgp\w*|1000g\w*|1kg\w*|topmed\w*|max_?af|af_?popmax|popmax\w*"
    r"|[a-z]{3}_af|af_[a-z]{3}|af_exac_\w+|af_esp\w*|af_tgp\w*|af_\w*gnomad\w*|\w+_af_(?:popmax|grpmax))$",
    re.IGNORECASE,
)
_POP_DESCRIPTION = re.compile(r"gnomad|1000 ?genomes|\bexac\b|topmed|population|estimated allele frequency", re.I)
_NOT_FREQ = re.compile(r"(^|_)(ac|an|nhomalt|hom|het|count)(_|$)", re.I)

PREDICTOR_KEYS: Mapping[str, tuple[str, ...]] = {
    "REVEL": ("REVEL", "REVEL_score", "REVEL_rankscore_raw", "dbNSFP_REVEL_score"),
    "CADD_PHRED": ("CADD_PHRED", "CADD_phred", "CADD", "dbNSFP_CADD_phred"),
    "AlphaMissense": ("am_pathogenicity", "AlphaMissense", "AM_PATHOGENICITY", "AlphaMissense_score", "dbNSFP_AlphaMissense_score"),
    "BayesDel": ("BayesDel_addAF_score", "BayesDel", "dbNSFP_BayesDel_addAF_score"),
}
_SPLICEAI_DS = ("SpliceAI_pred_DS_AG", "SpliceAI_pred_DS_AL", "SpliceAI_pred_DS_DG", "SpliceAI_pred_DS_DL")


def select_frequency_keys(info_descriptions: Mapping[str, str]) -> tuple[str, ...]:
    """INFO keys of a VCF header that hold population allele frequencies."""
    keys = []
    for key, desc in info_descriptions.items():
        if _NOT_FREQ.search(key) and not key.lower().endswith("af"):
            continue
        if key == "AF":
            if _POP_DESCRIPTION.search(desc):
                keys.append(key)
        elif _POP_KEY.match(key):
            keys.append(key)
    return tuple(keys)


def parse_info(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if raw in (".", ""):
        return out
    for item in raw.split(";"):
        k, sep, v = item.partition("=")
        out[k] = v if sep else ""
    return out


def _allele_value(value: str, allele: int) -> str:
    parts = value.split(",")
    return parts[allele - 1] if len(parts) >= allele else parts[0]


def _float(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return None if math.isnan(x) else x


@dataclass(frozen=True, slots=True)
class GeneConsequence:
    """One gene's most severe consequence from VEP/SnpEff, with HGVS where given."""

    symbol: str
    consequence: str
    hgvs_c: str = ""
    hgvs_p: str = ""
    transcript: str = ""


@dataclass(frozen=True, slots=True)
class InfoEvidence:
    frequencies: dict[str, float] = field(default_factory=dict)  # key → AF for this allele
    predictors: dict[str, float] = field(default_factory=dict)
    consequences: tuple[GeneConsequence, ...] = ()
    clinvar: str | None = None  # CLNSIG text when the VCF carries ClinVar annotations
    clinvar_review: str | None = None

    @property
    def max_frequency(self) -> float | None:
        return max(self.frequencies.values()) if self.frequencies else None


def _vep_allele(ref: str, alt: str) -> str:
    """VEP writes alleles without the shared first base ('-' for a deletion)."""
    if len(ref) != len(alt) and ref and alt and ref[0] == alt[0]:
        return alt[1:] or "-"
    return alt


def read_info_evidence(
    raw: str,
    *,
    ref: str,
    alt: str,
    allele: int,
    n_alleles: int,
    frequency_keys: Sequence[str],
    csq_fields: Sequence[str] = (),
    ann_fields: Sequence[str] = (),
) -> InfoEvidence:
    info = parse_info(raw)
    freqs: dict[str, float] = {}
    for k in frequency_keys:
        if k in info and info[k] not in ("", "."):
            x = _float(_allele_value(info[k], allele))
            if x is not None:
                freqs[k] = x
    preds: dict[str, float] = {}
    for name, keys in PREDICTOR_KEYS.items():
        for k in keys:
            if k in info:
                vals = [v for v in (_float(p) for p in re.split(r"[,&|]", _allele_value(info[k], allele))) if v is not None]
                if vals:
                    preds[name] = max(vals)
                    break
    if "SpliceAI" in info:  # ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|...
        ds: list[float] = []
        for f in _own_entries([e.split("|") for e in info["SpliceAI"].split(",")], 6, alt, n_alleles):
            ds.extend(v for v in (_float(x) for x in f[2:6]) if v is not None)
        if ds:
            preds["SpliceAI"] = max(ds)
    cons: list[GeneConsequence] = []
    if csq_fields and "CSQ" in info:
        cons = _parse_csq(info["CSQ"], csq_fields, {_vep_allele(ref, alt), alt}, n_alleles, allele, freqs, preds)
    elif ann_fields and "ANN" in info:
        cons = _parse_ann(info["ANN"], alt, n_alleles)
    return InfoEvidence(
        frequencies=freqs,
        predictors=preds,
        consequences=tuple(cons),
        clinvar=info.get("CLNSIG") or None,
        clinvar_review=info.get("CLNREVSTAT") or None,
    )


_CSQ_FREQ = re.compile(r"^(gnomAD[eg]?_\w*AF|MAX_AF|AF|AFR_AF|AMR_AF|EAS_AF|EUR_AF|SAS_AF|gnomADe_AF|gnomADg_AF)$")


def _own_entries(entries: list[list[str]], min_len: int, alt: str, n_alleles: int) -> list[list[str]]:
    """Entries (split on '|', first field the allele) of this row's ALT. A row split from a
    multi-allelic record may be passed ``n_alleles=1``, so entries naming the ALT are kept
    whenever there are any; only when none does a biallelic row keep them all."""
    entries = [f for f in entries if len(f) >= min_len]
    if n_alleles > 1 or any(f[0] == alt for f in entries):
        return [f for f in entries if f[0] == alt]
    return entries


def _parse_csq(
    value: str, fields: Sequence[str], alleles: set[str], n_alleles: int, allele: int,
    freqs: dict[str, float], preds: dict[str, float],
) -> list[GeneConsequence]:
    """``alleles``: the row's ALT as VEP writes it (first base trimmed) and as in the VCF."""
    idx = {f: i for i, f in enumerate(fields)}
    best: dict[str, tuple[int, GeneConsequence]] = {}
    entries = [f for f in (e.split("|") for e in value.split(",")) if len(f) == len(fields)]
    # ALLELE_NUM is exact whatever the caller knows of the record; else VEP's Allele column.
    num, col = idx.get("ALLELE_NUM"), idx.get("Allele")
    if num is not None and any(f[num].isdigit() for f in entries):
        entries = [f for f in entries if not f[num].isdigit() or int(f[num]) == allele]
    elif col is not None and (n_alleles > 1 or any(f[col] in alleles for f in entries)):
        entries = [f for f in entries if f[col] in alleles]
    for f in entries:
        term = most_severe(f[idx["Consequence"]]) if "Consequence" in idx else None
        symbol = f[idx["SYMBOL"]] if "SYMBOL" in idx else ""
        for name, i in idx.items():
            if _CSQ_FREQ.match(name) and f[i] not in ("", "."):
                x = _float(f[i].split("&")[0])
                if x is not None:
                    freqs[f"CSQ:{name}"] = max(x, freqs.get(f"CSQ:{name}", 0.0))
        for pname, keys in PREDICTOR_KEYS.items():
            for k in keys:
                if k in idx and f[idx[k]] not in ("", "."):
                    x = _float(f[idx[k]].split("&")[0])
                    if x is not None:
                        preds[pname] = max(x, preds.get(pname, x))
        ds = [_float(f[idx[k]]) for k in _SPLICEAI_DS if k in idx and f[idx[k]] not in ("", ".")]
        ds_ok = [d for d in ds if d is not None]
        if ds_ok:
            preds["SpliceAI"] = max(max(ds_ok), preds.get("SpliceAI", 0.0))
        if term is None or not symbol:
            continue
        canonical = ("CANONICAL" in idx and f[idx["CANONICAL"]] == "YES") or ("MANE_SELECT" in idx and bool(f[idx["MANE_SELECT"]]))
        # Canonical transcripts first, then severity.
        key = (0 if canonical else 1) * 1000 + RANK[term]
        gc = GeneConsequence(
            symbol=symbol, consequence=term,
            hgvs_c=f[idx["HGVSc"]] if "HGVSc" in idx else "",
            hgvs_p=f[idx["HGVSp"]] if "HGVSp" in idx else "",
            transcript=f[idx["Feature"]] if "Feature" in idx else "",
        )
        if symbol not in best or key < best[symbol][0]:
            best[symbol] = (key, gc)
    return [gc for _, gc in best.values()]


def _parse_ann(value: str, alt: str, n_alleles: int) -> list[GeneConsequence]:
    best: dict[str, tuple[int, GeneConsequence]] = {}
    for f in _own_entries([e.split("|") for e in value.split(",")], 11, alt, n_alleles):
        term = most_severe(f[1])
        if term is None or not f[3]:
            continue
        gc = GeneConsequence(symbol=f[3], consequence=term, hgvs_c=f[9], hgvs_p=f[10], transcript=f[6])
        if f[3] not in best or RANK[term] < best[f[3]][0]:
            best[f[3]] = (RANK[term], gc)
    return [gc for _, gc in best.values()]
