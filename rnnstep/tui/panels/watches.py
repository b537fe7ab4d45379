"""The watch line: each pinned value at the cursor, e.g. ``watch  Σ[4,2] of ∂L/∂w = 0.0734 · O₂ = 0.8461``.

A pure function of (tape, watches, cursor, width). Entries are shown whole or not
at all: when the line is full the rest are counted (``+2 more``); a value not yet
computed says when it will be; a vector or matrix shows its norm and its size
(the step panel shows it whole).
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from ...numbers import fit
from ...verify import value_symbol
from ...watches import Watch, seen_at


def _value_text(name: str, value, digits: int) -> str:
    """``O₂ = 0.8461``; a vector or matrix by its norm and size: ``‖O₄‖ = 0.576466 (a vector of 3)``."""
    array = np.asarray(value, dtype=float)
    if array.size == 1:
        text = fit(float(array.reshape(-1)[0]), digits)
        return f"{name} = {text if text is not None else '?'}"
    with np.errstate(all="ignore"):
        norm = float(np.linalg.norm(array))
    size = f"a vector of {array.size}" if array.ndim == 1 else f"a {'×'.join(map(str, array.shape))} matrix"
    return f"‖{name}‖ = {fit(norm, digits)} ({size})"


def watch_entries(tape, watches: list[Watch], cursor: int, digits: int) -> list[str]:
    entries = []
    for watch in watches:
        seen = seen_at(watch, tape, cursor)
        try:
            name = value_symbol(tape, seen.label)
        except (ValueError, KeyError, IndexError):
            name = seen.label
        if seen.value is None:
            entries.append(f"{name}: {seen.note}" if seen.note else f"{name}: not yet")
        else:
            entries.append(_value_text(name, seen.value, digits))
    return entries


def watch_line(tape, watches: list[Watch], cursor: int, width: int, digits: int = 6) -> Text:
    line = Text("watch", style="bold")
    entries = watch_entries(tape, watches, cursor, digits)
    for n, entry in enumerate(entries):
        joint = "  " if n == 0 else " · "
        rest = len(entries) - n - 1
        more = f" · +{rest} more" if rest else ""
        if line.cell_len + len(joint) + len(entry) + len(more) > width:
            line.append(f"  +{len(entries) - n} more" if n else f"  {len(entries)} watched: widen the terminal",
                        style="dim")
            break
        line.append(joint, style="dim")
        line.append(entry)  # user-given ids are shown as plain text, never markup
    return line
