"""Thin Typer commands: parse, call the core, print."""
