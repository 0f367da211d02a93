"""Exome/genome analysis: VCF chunks + phenotypes → ranked genes, diseases and variants."""
