"""Terminal text for the trace's tables (table.py, table_vector.py): its width in columns, and how a run
of it is painted (Rich styles on a terminal, plain text elsewhere)."""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

Paint = Callable[[str, str], str]  # (text, rich style) -> the text as printed

# the blocks where East Asian wide characters live; only characters found here are looked up
_MAYBE_WIDE = re.compile("[\u1100-\u115f\u2329\u232a\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19"
                         "\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\U0001f000-\U0001faff\U00020000-\U0003fffd]")


def cell_len(text: str) -> int:
    """Terminal columns of text (East Asian wide characters count two)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(unicodedata.east_asian_width(ch) in "WF" for ch in _MAYBE_WIDE.findall(text))


def plain(text: str, style: str) -> str:
    return text
