"""Adapters for input files (phenopackets …) and output writers."""
