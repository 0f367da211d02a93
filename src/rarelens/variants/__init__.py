"""Variant analysis core: columnar variant tables, gene models, annotation, filters, ACMG
criteria and gene scores. Pure: it reads nothing itself; `rarelens.io` hands it arrays."""
