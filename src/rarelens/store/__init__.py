"""The compiled knowledge-base artefact: one SQLite file, written and read here only."""

from __future__ import annotations

from rarelens.store.artefact import (
    FORMAT_VERSION,
    KnowledgeBaseFormatError,
    load_knowledge_base,
    read_manifest,
    write_knowledge_base,
)

__all__ = [
    "FORMAT_VERSION",
    "KnowledgeBaseFormatError",
    "load_knowledge_base",
    "read_manifest",
    "write_knowledge_base",
]
