"""The whole sum at a glance: a t × k triangle of ‖term(t,k)‖ for a target at every step.

Row t holds the paths from the loss at step t back to each use k = 1 … t of the
weight; the cell's shade is how many decades the term lies below the largest term
of the table (█ within one decade, ▓ two, ▒ three, ░ four, · further, 0 exactly
zero, ! not finite; rows are labelled t and columns k; the current cell is its
shade and a pointer ◂, in magenta), so vanishing shows as fading towards the left of each row and
exploding as the opposite. Cells appear as the cursor reaches their term. A triangle too big for its box shows the window around the
current cell. The norms are the tape's (``TermTable.norms``).
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ... import notation as nt
from .vector_step import SYMBOL
from ...methods.tbptt import left_out
from .carry import split_norms

SHADES = "█▓▒░"
FAR = "·"  # more than four decades below the top
ZERO = "0"
CURRENT = "bold magenta"
POINTER = "◂"  # beside the current cell's shade: a reversed █ would read as an empty cell
FUTURE = "dim"


def shade(norm: float, top: float) -> tuple[str, str]:
    """(glyph, style) of one cell: decades below ``top`` (the largest finite norm)."""
    if not math.isfinite(norm):
        return "!", "bold red"
    if norm == 0:
        return ZERO, "dim"
    below = math.log10(top / norm) if top > 0 else 0.0
    decades = max(0, int(math.floor(below)))
    if decades >= len(SHADES):
        return FAR, "dim"
    return SHADES[decades], ("bold yellow", "yellow", "cyan", "blue")[decades]


def cell(glyph: str) -> str:
    """A cell two columns wide: a shade fills it (██), a mark sits in its right half ( 0,  ·)."""
    return glyph * 2 if glyph in SHADES else " " + glyph


#: the legend, widest first: what each shade says about ‖term‖ against the largest ‖term‖ of the table
#: (as ``shade`` decides: █ above a tenth of it, ▓ above a hundredth …), in words where they fit;
#: one line or none (tryout-2: "█▓▒░ decades down · further 0 zero" was cryptic)
LEGENDS = (
    "shade: ‖term‖ within 1, 2, 3, 4 decades of the largest: █ ▓ ▒ ░; less: ·; exactly zero: 0",
    "█ ‖term‖ > largest/10 ▓ > /10² ▒ > /10³ ░ > /10⁴ · less 0 exactly zero",
    "█ > largest/10 ▓ /10² ▒ /10³ ░ /10⁴ · less 0 zero",
    "█ > max/10 ▓ /10² ▒ /10³ ░ /10⁴ · less 0 zero",  # one word for · at every width: less
    "█ >max/10 ▓ /10² ▒ /10³ ░ /10⁴ · less 0 zero",
    "█>max/10 ▓/10² ▒/10³ ░/10⁴ · less 0 zero",
    "█>max/10 ▓/10² ▒/10³ ░/10⁴ ·less 0 zero",
    "█ > max/10 ▓ /10² ▒ /10³ ░ /10⁴",
    "█>max/10 ▓/10² ▒/10³ ░/10⁴",
)


def legend(width: int) -> Text:
    for text in LEGENDS:
        if len(text) <= width:
            return Text(text, style="dim")
    return Text("")


def column_labels(first_k: int, last_k: int, current_k: int, indent: int) -> Text:
    """k over the columns: the current one, then every k, 2nd, 5th, 10th … (as many as their labels allow)."""
    span = last_k - first_k + 1
    every = next(s for s in (1, 2, 5, 10, 20, 50, 100, 10**9) if 2 * s >= len(str(last_k)) + 1)
    chars = [" "] * (indent + 2 * span)
    taken = [True] * indent + [False] * (len(chars) - indent)  # the row labels' column stays clear
    bold: range | None = None
    for k in [current_k] + [k for k in range(first_k, last_k + 1) if k % every == 0]:
        text = str(k)
        at = max(0, indent + 2 * (k - first_k) + 2 - len(text))  # right-aligned on the cell
        if any(taken[max(0, at - 1):at + len(text) + 1]):
            continue
        chars[at:at + len(text)] = text
        taken[at:at + len(text)] = [True] * len(text)
        if k == current_k:
            bold = range(at, at + len(text))
    out = Text("".join(chars).rstrip(), style="dim")
    if bold is not None:
        out.stylize("bold", bold.start, bold.stop)
    return out


def triangle(tape, param: str, cursor: int, width: int, height: int, digits: int = 6,
             reached: int | None = None, split: str = "whole") -> list[Text]:
    """The triangle of ‖term(t,k)‖ of ∂L/∂param, lines for a box of ``width`` × ``height``.

    ``cursor`` is the term under the cursor (an index into the table, or None), and
    ``reached`` how many terms have been shown (cells beyond it are blank). A triangle
    bigger than the box shows the window of rows t and columns k around the current
    cell, and says which. ``split`` (a gated cell, SPEC §8) shades ‖carry term‖ or ‖rest term‖
    instead of ‖term‖, against the same largest ‖term‖ (carry.py)."""
    table = tape.gradients[param]
    T = tape.T
    norms = table.norms
    finite = norms[np.isfinite(norms) & (norms > 0)]  # the scale: the whole terms', whatever is shaded
    name = "term" if split == "whole" else f"{split} term"
    norms = split_norms(table, split)
    top = float(finite.max()) if finite.size else 0.0
    reached = len(table) if reached is None else reached
    current_t = int(table.t[cursor]) if cursor is not None else T
    current_k = int(table.k[cursor]) if cursor is not None else T
    label_w = len(str(T)) + 1
    out: list[Text] = []
    for title in (f"‖{name}(t,k)‖ of ∂L/∂{SYMBOL[param]}: row t, column k", f"‖{name}(t,k)‖ ∂L/∂{SYMBOL[param]}",
                  f"‖{name}‖ ∂L/∂{SYMBOL[param]}", f"‖{name}‖"):
        if len(title) <= width:
            out.append(Text(title, style="bold"))
            break
    rows = max(1, height - 4)  # title, column labels, legend, the current value
    cols = max(1, (width - label_w - 1) // 2)
    if T > rows or T > cols:
        rows = max(1, height - 5)  # and a line saying which window is shown
    first_t = max(1, min(current_t - rows // 2, T - rows + 1))
    last_t = min(T, first_t + rows - 1)
    first_k = max(1, min(current_k - cols // 2, T - cols + 1))
    last_k = min(T, first_k + cols - 1)
    window = []
    if first_t > 1 or last_t < T:
        window.append(f"t {first_t}–{last_t} of {T}")
    if first_k > 1 or last_k < T:
        window.append(f"k {first_k}–{last_k} of {T}")
    header = column_labels(first_k, last_k, current_k, label_w + 1)
    header = Text("k".rjust(label_w), style="dim").append_text(header[label_w:])  # over the row labels: k
    out.append(header)
    chunk = getattr(tape, "chunk", None)  # a TBPTT chunk (methods/chunk_tape.py): its own rows, back to its reach
    rows_here = tape.target_position if chunk is None else set(chunk.targets)
    reach = 1 if chunk is None else chunk.reach
    starts = {int(t): table.index_of(int(t), int(t)) for t in range(first_t, last_t + 1) if int(t) in rows_here}
    for t in range(first_t, last_t + 1):
        line = Text(f"{t:>{label_w}} ", style="bold" if t == current_t else "dim")
        if t not in starts:
            out.append(line)
            continue
        for k in range(first_k, min(t, last_k) + 1):
            if k < reach:  # the chunk leaves this term out
                line.append(" ×", style="dim")
                continue
            i = starts[t] + (t - k)
            if i >= reached:
                line.append("  ")
                continue
            glyph, style = shade(float(norms[i]), top)
            if table.truncated[i] or left_out(tape.scenario, t, k):  # TBPTT's left-out terms too (SPEC §9)
                style = "dim strike"
            if i == cursor:
                line.append(glyph + POINTER, style=CURRENT)
            else:
                line.append(cell(glyph), style=style)
        out.append(line)
    out.append(legend(width))
    if window:
        note = "window: " + ", ".join(window)
        out.append(Text(note if len(note) <= width else ", ".join(window), style="dim"))
    if cursor is not None and cursor < reached:
        value = Text(f"[{current_t},{current_k}] ‖{name if split != 'whole' else '·'}‖ = ", style="dim")
        value.append(nt.fmt(float(norms[cursor]), digits), style="bold")
        out.append(value if value.cell_len <= width else Text(nt.fmt(float(norms[cursor]), 3), style="bold"))
    return [line for line in out if line.cell_len <= width or line is out[0]][:max(1, height)]
