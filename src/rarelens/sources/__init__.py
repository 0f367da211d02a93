"""Adapters that bring external knowledge-base sources (downloads, release files) into RareLens."""
