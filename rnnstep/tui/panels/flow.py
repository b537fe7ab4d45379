"""Gradient flow: log₁₀|term| of one target step's terms, one bar per path, by how far back it reaches.

The axis is honest: it runs in whole labelled decades from the largest term's
decade down at least four decades (further if the terms go further, but at most
twelve: a term further down is marked "below the axis", so that on a long tape
the nearest paths are not all drawn full width), so a factor of two looks like
a factor of two. The scale spans the whole block of terms, so a
new term never rescales the others; bars appear as terms are reached. When the
paths do not all fit, each row covers a band of distances, drawn as the range
of its terms (█ up to the band's smallest, ▒ on to its largest), so the whole fall
is on screen with the current term's band marked; ``View.flow_paged`` (the
debugger's v) shows a page of single paths around the current term instead.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...ids import RECURRENT_PARAMS
from ...underflow import underflowed, underflowed_terms
from .base import FUTURE, View, page_start, phase_start
from .decades import BELOW, axis, bands, decade, decades_for, range_bar, ruler  # the axis is shared with the vector chart (decades.py)

LABEL_W = 10  # "  29 back "
MAX_DECADES = 12  # a T = 5,000 tape spans hundreds of decades: past decades_for(bar width), "below the axis"


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
    choices = (f"log₁₀|term| of {symbol} by steps back t − k (target {t})", f"log₁₀|term| {symbol}, target {t}",
               f"log₁₀|term| {symbol}, t = {t}", f"{symbol}, target {t}", f"{symbol}, t = {t}")
    title_text = next((c for c in choices if len(c) <= width), symbol)  # whole words: never "targe"
    title = Text(title_text, style="bold")
    if not len(nonzero):
        return Text.assemble(title, "\n", Text("  (every term is 0 or not finite)", style="dim"))
    n = len(block)
    with_ruler = height >= 6
    rows = max(1, height - 1 - (2 if with_ruler else 0))
    banded = n > rows and not view.flow_paged and rows >= 2
    label_w = max(LABEL_W, 2 * len(str(n - 1)) + 9) if banded else LABEL_W  # "▶ 4990–4999 back "
    bar_w = max(4, width - label_w - (view.digits + 7) - 1)
    value_w = min(view.digits + 7, width - label_w - bar_w - 1)  # a narrow chart rounds its values to fit
    # the overview reaches as far down as the width allows (the whole fall); a page keeps twelve decades'
    # resolution, so on a long tape the nearest paths still differ
    top, bottom = axis(float(nonzero.max()), float(nonzero.min()), decades_for(bar_w, MAX_DECADES) if banded else MAX_DECADES)
    out = Text(no_wrap=True, overflow="crop")
    out.append_text(title)
    if banded:
        out.append_text(_band_rows(view, table, block, first, t, current, block_start, rows, label_w, bar_w, value_w,
                                   top, bottom, param))
    else:
        if not with_ruler and len(title_text) + 20 <= width:
            out.append(f"   axis {decade(bottom)} … {decade(top)}", style="dim")
        out.append_text(_page_rows(view, table, block, first, t, current, block_start, rows, bar_w, value_w,
                                   top, bottom, param))
    if with_ruler:
        rule, labels = ruler(top, bottom, bar_w, label_w)
        out.append("\n")
        out.append_text(rule)
        if banded and labels.cell_len + 24 <= width:
            labels.append("   ▒ the range of a row", style="dim")
        out.append("\n")
        out.append_text(labels)
    return out


def _band_rows(view: View, table, block, first: int, t: int, current: int | None, block_start: int, rows: int,
               label_w: int, bar_w: int, value_w: int, top: int, bottom: int, param: str) -> Text:
    """Every path at once, a row per band of distances, each drawn as the range of its terms; the band
    holding the current term is marked (▶) with the term's value; v pages through the paths one a row."""
    out = Text()
    groups = bands(len(block), rows)
    n_w = len(str(len(block) - 1))
    for a, b in groups:
        out.append("\n")
        here = current is not None and a <= current < b
        label = f"{a}–{b - 1}" if b - a > 1 else f"{a}"
        out.append(("▶ " if here else "  ") + f"{label:>{2 * n_w + 1}} back ".ljust(label_w - 2),
                   style="bold" if here else "dim")
        reached = max(0, min(b, view.cursor - block_start + 1)) - a  # terms of the band computed so far
        if reached <= 0:
            out.append("·", style=FUTURE)
            continue
        ids = [f"gradients.{param}.term[{t},{t - j}]" if table.k is not None else f"gradients.{param}.term[{t}]"
               for j in range(a, a + reached)]
        if any(i in view.hidden for i in ids):  # a drill's question: no bar, its length would give it away
            out.append(" " * (bar_w + max(1, value_w - 1)))
            out.append("?", style="bold cyan")
            continue
        part = block[a:a + reached]
        positive = part[np.isfinite(part) & (part > 0)]
        under = underflowed_terms(view.tape, param, first + a, first + a + reached).any()
        if under and not len(positive):  # every term 0 with no zero factor: the double ran out
            mark = next((x for x in (f"{BELOW} underflow", BELOW) if len(x) <= bar_w), "")
            out.append(mark.ljust(bar_w), style="bold yellow" if here else "yellow")
        elif len(positive):
            drawn = range_bar(float(positive.min()), float(positive.max()), top, bottom, bar_w)
            if drawn is not None and under:  # the band's range reaches down past any axis
                drawn = (BELOW + (drawn[0] + drawn[1])[1:], "") if drawn[0] else drawn
            if drawn is None:  # the whole band below the axis: said, not drawn as a sliver
                below = next((x for x in (f"{BELOW} below {decade(bottom)}", f"{BELOW} below", BELOW)
                              if len(x) <= bar_w), "")
                out.append(below.ljust(bar_w), style="bold yellow" if here else "dim")
            else:
                solid, shade = drawn
                style = "bold yellow" if here else "cyan"
                out.append(solid, style=style)
                out.append(shade, style="yellow" if here else "blue")
                out.append(" " * (bar_w - len(solid) - len(shade)))
        else:
            out.append(" " * bar_w, style="red" if not np.isfinite(part).all() else "dim")
        value = Text()
        if here:
            where = f"[{t},{t - current}]" if table.k is not None else f"[{t}]"
            value = view.num(float(table.value[first + current]), f"gradients.{param}.term{where}", "bold",
                             width=value_w)
        out.append(" " * max(1, value_w + 1 - len(value.plain)))
        out.append_text(value)
    return out


def _page_rows(view: View, table, block, first: int, t: int, current: int | None, block_start: int, rows: int,
               bar_w: int, value_w: int, top: int, bottom: int, param: str) -> Text:
    """A page of paths, one a row, around the current term, with a line for what is above and below."""
    n = len(block)
    focus = current if current is not None else 0
    if n > rows:
        inner = max(1, rows - 2)
        lo = page_start(focus, inner, n)
        hi = min(n, lo + inner)
    else:
        lo, hi = 0, n
    out = Text()
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
        if magnitude == 0 and underflowed(view.tape, param, first + j):  # not a zero factor: said so
            mark = next((x for x in (f"{BELOW} underflow", BELOW) if len(x) <= bar_w), "")
            out.append(mark.ljust(bar_w), style="bold yellow" if here else "yellow")
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
    return out
