"""The whole sum at a glance: a t × k triangle of ‖term(t,k)‖ for a target at every step.

Row t holds the paths from the loss at step t back to each use k = 1 … t of the
weight; the cell's shade is how many decades the term lies below the largest term
of the table (█ within one decade, ▓ two, ▒ three, ░ four, · further, 0 exactly
zero, ! not finite), so vanishing shows as fading towards the left of each row and
exploding as the opposite. Cells appear as the cursor reaches their term; the
current one is lit. A triangle too big for its box shows the window around the
current cell. The norms are the tape's (``TermTable.norms``).
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ... import notation as nt
from .vector_step import SYMBOL

SHADES = "█▓▒░·"
CURRENT = "bold reverse"
FUTURE = "dim"


def shade(norm: float, top: float) -> tuple[str, str]:
    """(glyph, style) of one cell: decades below ``top`` (the largest finite norm)."""
    if not math.isfinite(norm):
        return "!", "bold red"
    if norm == 0:
        return "0", "dim"
    below = math.log10(top / norm) if top > 0 else 0.0
    decades = max(0, int(math.floor(below)))
    style = ("bold yellow", "yellow", "cyan", "blue", "dim")[min(decades, 4)]
    return SHADES[min(decades, 4)], style


def legend(width: int) -> Text:
    full = "█ top decade ▓ −1 ▒ −2 ░ −3 · less 0 zero"
    return Text(full if len(full) <= width else "█▓▒░· decades down", style="dim")


def triangle(tape, param: str, cursor: int, width: int, height: int, digits: int = 6,
             reached: int | None = None) -> list[Text]:
    """The triangle of ‖term(t,k)‖ of ∂L/∂param, lines for a box of ``width`` × ``height``.

    ``cursor`` is the term under the cursor (an index into the table, or None), and
    ``reached`` how many terms have been shown (cells beyond it are blank)."""
    table = tape.gradients[param]
    T = tape.T
    norms = table.norms
    finite = norms[np.isfinite(norms) & (norms > 0)]
    top = float(finite.max()) if finite.size else 0.0
    reached = len(table) if reached is None else reached
    current_t = int(table.t[cursor]) if cursor is not None else T
    current_k = int(table.k[cursor]) if cursor is not None else T
    label_w = len(str(T)) + 1
    out: list[Text] = [Text(f"‖term(t,k)‖ of ∂L/∂{SYMBOL[param]}: row t, column k", style="bold")]
    if out[0].cell_len > width:
        out = [Text(f"‖term(t,k)‖ ∂L/∂{SYMBOL[param]}", style="bold")]
    rows = max(1, height - 4)
    cols = max(1, (width - label_w - 1) // 2)
    first_t = max(1, min(current_t - rows // 2, T - rows + 1))
    last_t = min(T, first_t + rows - 1)
    first_k = max(1, min(current_k - cols // 2, T - cols + 1))
    last_k = min(T, first_k + cols - 1)
    header = Text(" " * (label_w + 1), style="dim")
    for k in range(first_k, last_k + 1):
        mark = str(k) if (k == first_k or k % 5 == 0 or k == current_k) and len(str(k)) <= 2 else ""
        header.append(mark.ljust(2), style="bold" if k == current_k else "dim")
    out.append(header)
    starts = {int(t): table.index_of(int(t), int(t)) for t in range(first_t, last_t + 1)
              if int(t) in tape.target_position}
    for t in range(first_t, last_t + 1):
        line = Text(f"{t:>{label_w}} ", style="bold" if t == current_t else "dim")
        if t not in starts:
            out.append(line)
            continue
        for k in range(first_k, min(t, last_k) + 1):
            i = starts[t] + (t - k)
            if i >= reached:
                line.append("  ")
                continue
            glyph, style = shade(float(norms[i]), top)
            if table.truncated[i]:
                style = "dim strike"
            line.append(glyph * 2, style=CURRENT if i == cursor else style)
        out.append(line)
    out.append(legend(width))
    if cursor is not None and cursor < reached:
        value = Text(f"[{current_t},{current_k}] ‖·‖ = ", style="dim")
        value.append(nt.fmt(float(norms[cursor]), digits), style="bold")
        out.append(value if value.cell_len <= width else Text(nt.fmt(float(norms[cursor]), 3), style="bold"))
    return out[:max(1, height)]
