"""The gradient-flow chart of a gated cell (SPEC §8): ‖carry term‖ and ‖rest term‖ by steps back.

One row per path k = t … 1, two thin bars in it on the same decade ruler: the carry
share's in the top half of the row (▀), the rest's in the bottom half (▄), and █
where both reach. So a row whose bar ends in a long ▀ tail is a term that travelled
the cell state (or the GRU's u-diagonal) and little else; the tail growing as the
rows go back is the carry surviving where the rest vanishes. The values are the
tape's norms (carry.py). When the paths do not all fit, the rows are a sample spread
evenly over the distances, always holding the current term, so the whole fall is in
view at any height; each row is labelled with its own distance.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ...numbers import fit
from . import decades as dc
from .carry import split_norms
from .vector_step import SYMBOL

MAX_DECADES = 12
CARRY, REST, BOTH = "▀", "▄", "█"


def sample_rows(n: int, rows: int, current: int | None) -> list[int]:
    """The distances 0 … n − 1 shown in ``rows`` rows: all when they fit, else spread evenly from the
    nearest to the oldest, with the current one in place of its nearest neighbour."""
    if n <= rows:
        return list(range(n))
    picked = sorted({int(round(x)) for x in np.linspace(0, n - 1, max(1, rows))})
    if current is not None and current not in picked:
        nearest = min(range(len(picked)), key=lambda i: (abs(picked[i] - current), picked[i]))
        if picked[nearest] in (0, n - 1) and len(picked) > 2:  # keep both ends: replace an inner neighbour
            inner = [i for i in range(1, len(picked) - 1)]
            nearest = min(inner, key=lambda i: abs(picked[i] - current)) if inner else nearest
        picked[nearest] = current
        picked.sort()
    return picked


def bar(carry_cells: int, rest_cells: int, bar_w: int) -> str:
    """The two bars of one row: █ where both reach, ▀ where only the carry does, ▄ only the rest."""
    both = min(carry_cells, rest_cells)
    tail = CARRY * (carry_cells - both) if carry_cells > rest_cells else REST * (rest_cells - both)
    return (BOTH * both + tail).ljust(bar_w)


def carry_flow_lines(view, width: int, height: int, param: str, triangle: bool = False) -> list[Text]:
    """The chart, and with ``triangle`` (the chart in place of the step panel, f on a short terminal) the
    t×k triangle under it when the rows left hold it whole (triangle.py, split by t as in the sums panel)."""
    lines = _chart(view, width, height, param)
    if triangle:
        lines += _triangle_below(view, width, height - len(lines), param)
    return lines


def _triangle_below(view, width: int, room: int, param: str) -> list[Text]:
    from .triangle import triangle

    tape, step = view.tape, view.step
    table = tape.gradients[param]
    if tape.single_target or table.k is None or room < tape.T + 5:  # a blank, title, k labels, T rows, legend
        return []
    here = step.kind == "term" and step.param == param
    start = tape.steps.phase_start(f"backward.{param}")
    return [Text("")] + triangle(tape, param, step.term if here else None, width, room - 1, view.digits,
                                 reached=max(0, view.cursor - start + 1), split=view.triangle_split)


def _chart(view, width: int, height: int, param: str) -> list[Text]:
    tape, step = view.tape, view.step
    table = tape.gradients[param]
    here = step.kind == "term" and step.param == param
    t = step.t if here else int(tape.targets[-1])
    first = table.index_of(t, t)
    carry = split_norms(table, "carry")[first:first + t]  # k = t … 1: 0 … t − 1 steps back
    rest = split_norms(table, "rest")[first:first + t]
    current = (step.term - first) if here else None
    block_start = tape.steps.phase_start(f"backward.{param}") + first
    symbol = SYMBOL[param]
    both = np.concatenate((carry, rest))
    positive = both[np.isfinite(both) & (both > 0)]
    top, bottom = dc.axis(float(positive.max()), float(positive.min()), MAX_DECADES) if len(positive) else (0, 0)
    with_ruler = height >= 6
    span = "" if with_ruler else f"   axis {dc.decade(bottom)} … {dc.decade(top)}"  # no ruler: the span, said
    titles = (f"{CARRY} ‖carry term‖ and {REST} ‖rest term‖ of ∂L/∂{symbol} by steps back t − k (target {t})",
              f"{CARRY} ‖carry term‖ {REST} ‖rest term‖, ∂L/∂{symbol}, target {t}",
              f"{CARRY} carry {REST} rest, ∂L/∂{symbol}, t = {t}", f"{CARRY} carry {REST} rest")
    fitting = [text for text in titles if len(text) <= width] or [""]
    text = next((text for text in fitting if len(text) + len(span) <= width), None)
    title = Text(text, style="bold").append(span, style="dim") if text else Text(fitting[0], style="bold")
    if not len(positive):
        return [title, Text("  (every term is 0 or not finite)", style="dim")]
    rows = max(1, height - 1 - (2 if with_ruler else 0))
    n = len(carry)
    shown = sample_rows(n, rows, current)
    label_w = len(str(n - 1)) + 6
    value_w = min(view.digits + 7, 11) if width >= 90 else 9
    values_w = 2 * (value_w + 3)  # " c " value " r " value
    if width - label_w - values_w < 16:
        values_w = value_w = 0
    bar_w = max(4, width - label_w - values_w)
    out = [title]
    for j in shown:
        mark = j == current
        line = Text(f"{j:>{label_w - 6}} back ", style="bold" if mark else "dim")
        if block_start + j > view.cursor:
            out.append(line.append("·", style="dim"))
            continue
        where = f"[{t},{t - j}]"
        ids = [f"gradients.{param}.{kind}{where}" for kind in ("term", "delta", "carry", "rest")]
        if any(i in view.hidden for i in ids):
            out.append(line.append(" " * bar_w).append("?", style="bold cyan"))
            continue
        c, r = float(carry[j]), float(rest[j])
        cells = [_cells(v, top, bottom, bar_w) for v in (c, r)]
        if all(x == 0 for x in cells) and any(v > 0 and math.isfinite(v) for v in (c, r)):
            line.append(dc.BELOW.ljust(bar_w), style="bold red" if mark else "red")  # both below the axis
        else:
            bad = not all(math.isfinite(v) for v in (c, r))
            line.append(bar(cells[0], cells[1], bar_w), style="red" if bad else ("bold yellow" if mark else "cyan"))
        if value_w:
            for name, v in (("c", c), ("r", r)):
                line.append(f" {name} ", style="dim")
                line.append((fit(v, view.digits, value_w, compact=True) or "").rjust(value_w),
                            style="bold" if mark else "")
        out.append(line)
    if with_ruler:
        rule, labels = dc.ruler(top, bottom, bar_w, label_w, width)
        if len(shown) < n:
            for said in (f"   rows: {len(shown)} of {n} paths, spread evenly", f"   {len(shown)} of {n} paths"):
                if labels.cell_len + len(said) <= width:
                    labels.append(said, style="dim")
                    break
        out += [rule, labels]
    return out


def _cells(value: float, top: int, bottom: int, bar_w: int) -> int:
    """A bar's cells: 0 for 0, not finite or below the axis (the value beside it says which)."""
    if not (value > 0 and math.isfinite(value)):
        return 0
    return dc.cells(value, top, bottom, bar_w) or 0
