"""Phenotype-driven ranking of disease concepts: similarity, likelihood ratio, ensemble."""
