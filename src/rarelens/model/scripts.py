"""Which characters count as Chinese.

One definition for every module that decides between the English and the Chinese path (text
extraction, laboratory rules, term search, the consultation guard), so the paths cannot disagree
about a character. The CJK Unified Ideographs block and Extension A hold the characters of
clinical Chinese (the range also spans the 64 Yijing hexagram symbols, U+4DC0–4DFF, which no
note contains); the rarer extensions are left out on purpose (no HPO label uses them).
"""

from __future__ import annotations

import re

CJK_RANGE = "\u3400-\u9fff"
CJK = re.compile(f"[{CJK_RANGE}]")


def has_cjk(text: str) -> bool:
    """Whether any character of ``text`` is Chinese, so the Chinese rules must run on it."""
    return CJK.search(text) is not None
