"""A derived cache of the phenotype index next to the knowledge-base file.

Building the concept × term matrices takes about 3.5 s, longer than the rest of an exome
analysis together; loading them back from an uncompressed ``.npz`` takes a few milliseconds.
The cache is stamped with the knowledge-base version and the software version and rebuilt
whenever either differs, so it can never serve stale profiles; it is safe to delete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import fields
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from rarelens import __version__
from rarelens.kb.knowledge_base import KnowledgeBase
from rarelens.phenotype.index import PhenotypeIndex, build_phenotype_index

_SPARSE = {"implied": sp.csc_matrix, "direct": sp.csr_matrix, "negated": sp.csc_matrix}


def cache_path(kb_path: Path) -> Path:
    return kb_path.with_name(kb_path.name + ".phenotype-index.npz")


def _stamp(kb: KnowledgeBase) -> str:
    return f"{kb.version}|{__version__}"


def save_phenotype_index(index: PhenotypeIndex, kb: KnowledgeBase, path: Path) -> None:
    arrays: dict[str, np.ndarray] = {"stamp": np.asarray(_stamp(kb))}
    for f in fields(index):
        value = getattr(index, f.name)
        if f.name in _SPARSE:
            m = value
            arrays[f"{f.name}.data"] = m.data
            arrays[f"{f.name}.indices"] = m.indices
            arrays[f"{f.name}.indptr"] = m.indptr
            arrays[f"{f.name}.shape"] = np.asarray(m.shape)
        else:
            arrays[f.name] = np.asarray(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
    os.close(fd)
    tmp = Path(name)
    try:
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(path)  # atomic: a concurrent reader sees the old or the new file
    finally:
        tmp.unlink(missing_ok=True)


def load_phenotype_index(kb: KnowledgeBase, path: Path) -> PhenotypeIndex | None:
    """The cached index, or None when absent, unreadable or made for another release."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["stamp"]) != _stamp(kb):
                return None
            values: dict[str, object] = {}
            for f in fields(PhenotypeIndex):
                if f.name in _SPARSE:
                    shape = tuple(int(x) for x in z[f"{f.name}.shape"])
                    values[f.name] = _SPARSE[f.name](
                        (z[f"{f.name}.data"], z[f"{f.name}.indices"], z[f"{f.name}.indptr"]), shape=shape
                    )
                elif f.name == "root":
                    values[f.name] = int(z[f.name])
                else:
                    values[f.name] = z[f.name]
    except (OSError, KeyError, ValueError):
        return None
    return PhenotypeIndex(**values)  # type: ignore[arg-type]


def cached_phenotype_index(kb: KnowledgeBase, kb_path: Path) -> PhenotypeIndex:
    """Load the cache when it matches this knowledge base, else build and (try to) write it."""
    path = cache_path(kb_path)
    index = load_phenotype_index(kb, path)
    if index is not None:
        return index
    index = build_phenotype_index(kb)
    with contextlib.suppress(OSError):  # a read-only knowledge-base folder: work without the cache
        save_phenotype_index(index, kb, path)
    return index
