"""RareLens: rare-disease diagnosis from phenotypes, genomes and clinical text.

The public API is re-exported here so that users import from one place; the modules behind it
stay free to move.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
