"""Gradient flow: log₁₀|term| of one target step's terms, one bar per path, by how far back it reaches.

The axis is honest: it runs in whole labelled decades from the largest term's
decade down at least four decades (further if the terms go further, but at most
twelve: a term further down is marked "below the axis", so that on a long tape
the nearest paths are not all drawn full width), so a factor of two looks like
a factor of two. The scale spans the whole block of terms, so a
new term never rescales the others; bars appear as terms are reached. When the
paths do not all fit, the rows show a page around the current term with the
number of paths above and below.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...ids import RECURRENT_PARAMS
from .base import FUTURE, View, page_start, phase_start
from .decades import BELOW, axis, decade, ruler  # the axis is shared with the vector chart (decades.py)

LABEL_W = 10  # "  29 back "
MAX_DECADES = 12  # a T = 5,000 tape spans hundreds of decades: below this, "below the axis"


def flow_param(view: View) -> str:
    """The gradient whose paths the chart shows: the current step's when it has paths back through time
    (w′, w, b), else w′'s, the notes' own: the same choice as the vector chart (vector_flow.flow_param)."""
    step = view.step
    if step.kind in ("term", "update") and step.param in RECURRENT_PARAMS:
        return step.param
    return "w_prime"


def flow_chart(view: View, width: int, height: int = 8) -> Text:
    tape, step = view.tape, view.step
    param = flow_param(view)
    table = tape.gradients[param]
    if not len(table):  # a TBPTT chunk without a target adds no term
        return Text(f"log₁₀|term| of {nt.gradient_symbol(param)}: no term in this chunk", style="bold")
    t = step.t if step.kind == "term" and step.param == param else int(table.t[-1])
    first = table.index_of(t, t)
    last = int(np.searchsorted(table.t, t, side="right"))  # k = t … 1, or back to a TBPTT chunk's reach
    block = np.abs(table.value[first:last])  # 0 … t−1 steps back
    current = (step.term - first) if step.kind == "term" and step.param == param else None
    block_start = phase_start(view, f"backward.{param}") + first
    nonzero = block[np.isfinite(block) & (block > 0)]  # the scale, from the whole block at once
    symbol = nt.gradient_symbol(param)
    title_text = f"log₁₀|term| of {symbol} by steps back t − k (target {t})"
    if len(title_text) > width:
        title_text = f"log₁₀|term| {symbol}, target {t}"
    title = Text(title_text, style="bold")
    if not len(nonzero):
        return Text.assemble(title, "\n", Text("  (every term is 0 or not finite)", style="dim"))
    top, bottom = axis(float(nonzero.max()), float(nonzero.min()), MAX_DECADES)
    value_w = view.digits + 7
    bar_w = max(4, width - LABEL_W - value_w - 1)
    with_ruler = height >= 6
    rows = max(1, height - 1 - (2 if with_ruler else 0))
    n = len(block)
    focus = current if current is not None else 0
    if n > rows:  # a page around the current term, with a line for what is above and below
        inner = max(1, rows - 2)
        lo = page_start(focus, inner, n)
        hi = min(n, lo + inner)
    else:
        lo, hi = 0, n
    out = Text(no_wrap=True, overflow="crop")
    out.append_text(title)
    if not with_ruler and len(title_text) + 20 <= width:
        out.append(f"   axis {decade(bottom)} … {decade(top)}", style="dim")
    if n > rows:
        out.append("\n")
        out.append(f"   ⋮ {lo} path{'s' if lo != 1 else ''} above" if lo else "", style="dim")
    for j in range(lo, hi):
        out.append("\n")
        here = j == current
        out.append(f"{j:>4} back ", style="bold" if here else "dim")
        if block_start + j > view.cursor:
            out.append("·", style=FUTURE)
            continue
        where = f"[{t},{t - j}]" if table.k is not None else f"[{t}]"
        value = view.num(float(table.value[first + j]), f"gradients.{param}.term{where}", "bold" if here else "dim",
                         width=value_w)
        if value.plain == "?":  # a drill's question: no bar either, its length would give the answer away
            out.append(" " * (bar_w + max(1, value_w - 1)))
            out.append_text(value)
            continue
        magnitude = float(block[j])
        lg = math.log10(magnitude) if magnitude > 0 and math.isfinite(magnitude) else None
        if lg is not None and lg < bottom:  # past the axis' floor: said, not drawn as a sliver
            below = next((b for b in (f"{BELOW} below {decade(bottom)}", f"{BELOW} below", BELOW) if len(b) <= bar_w), "")
            out.append(below + " " * (bar_w - len(below)), style="bold yellow" if here else "dim")
            out.append(" " * max(1, value_w + 1 - len(value.plain)))
            out.append_text(value)
            continue
        if lg is None:
            cells, style = 0, "dim" if magnitude == 0 else "red"
        else:
            cells = max(1, round((lg - bottom) / (top - bottom) * bar_w))
            style = "bold yellow" if here else "cyan"
        out.append("█" * cells + " " * (bar_w - cells), style=style)
        out.append(" " * max(1, value_w + 1 - len(value.plain)))
        out.append_text(value)
    if n > rows:
        out.append("\n")
        out.append(f"   ⋮ {n - hi} path{'s' if n - hi != 1 else ''} below" if hi < n else "", style="dim")
    if with_ruler:
        rule, labels = ruler(top, bottom, bar_w, LABEL_W)
        out.append("\n")
        out.append_text(rule)
        out.append("\n")
        out.append_text(labels)
    return out
