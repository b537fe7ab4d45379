"""Gradient flow of a vector scenario: log₁₀‖term‖ of one target's paths by how far back they reach,
beside ∏‖∂O_j/∂O_{j−1}‖₂ over the same path — the bound that explains the bars' slope.

One bar per path k = t … 1 on an axis of whole labelled decades (decades.py), which
spans the whole block of terms, so a new term never rescales the others, but reaches
at most MAX_DECADES below the largest: a term further down is marked ◂ (below the
axis) beside its value. When the paths do not all fit, the rows show a page around
the current term with the number of paths above and below. ‖term‖ is the tape's
(Frobenius, ‖δ‖·‖input‖).
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...numbers import fit, short_exponent
from . import norms as nm
from . import decades as dc
from .base import page_start
from .vector_step import SYMBOL
from .carry import gated
from .carry_flow import carry_flow_lines

MAX_DECADES = 12  # the axis reaches at most this far below the largest term: the top keeps its resolution


def flow_param(view) -> str:
    """The gradient whose paths the chart shows: the current step's when it has paths back through
    time (W′, W, b; a gated cell's b′), else W′'s, the notes' own (a W_out or b_out term has one path
    per target)."""
    step = view.step
    if step.kind in ("term", "update") and view.tape.gradients[step.param].k is not None:  # b′ of a gated cell too
        return step.param
    return "w_prime"


def page(focus: int, rows: int, n: int) -> tuple[int, int]:
    """The paths lo … hi − 1 shown in ``rows`` lines holding ``focus``, a line each for "⋮ N above" and
    "⋮ N below" when there are such paths (and a box of three lines or more to say so)."""
    if n <= rows:
        return 0, n
    if rows < 3:
        lo = page_start(focus, rows, n)
        return lo, lo + rows
    if focus < rows - 1:  # the first page: only "below"
        return 0, rows - 1
    if focus >= n - (rows - 1):  # the last page: only "above"
        return n - (rows - 1), n
    inner = rows - 2  # a middle page: the pages follow the first one, each ``inner`` paths long
    lo = (rows - 1) + (focus - (rows - 1)) // inner * inner
    return lo, min(lo + inner, n - 1)


def flow_lines(view, width: int, height: int, triangle: bool = False) -> list[Text]:
    tape, step = view.tape, view.step
    param = flow_param(view)
    if gated(tape):  # SPEC §8: each term split into its carry share and the rest, two bars a row
        return carry_flow_lines(view, width, height, param, triangle)
    table = tape.gradients[param]
    here = step.kind == "term" and step.param == param
    t = step.t if here else int(tape.targets[-1])
    first = table.index_of(t, t)
    block = table.norms[first:first + t]  # k = t … 1: 0 … t − 1 steps back
    current = (step.term - first) if here else None
    block_start = tape.steps.phase_start(f"backward.{param}") + first
    title = Text(f"log₁₀‖term‖ of ∂L/∂{SYMBOL[param]} by steps back t − k (target {t}), beside ∏‖∂O_j/∂O_{{j−1}}‖₂",
                 style="bold")
    if title.cell_len > width:
        title = Text(f"log₁₀‖term‖, ∂L/∂{SYMBOL[param]}, target {t}", style="bold")
    nonzero = block[np.isfinite(block) & (block > 0)]
    if not len(nonzero):
        return [title, Text("  (every term is 0 or not finite)", style="dim")]
    top, bottom = dc.axis(float(nonzero.max()), float(nonzero.min()), MAX_DECADES)
    value_w = view.digits + 7 if width >= 90 else min(view.digits + 7, 10)
    label_w = len(str(t)) + 6
    with_ruler = height >= 6
    rows = max(1, height - 1 - (2 if with_ruler else 0))
    n = len(block)
    if n > rows >= 2 and not view.flow_paged:  # every path at once, in bands (v: a page of single paths)
        return _band_lines(view, table, block, t, current, block_start, title, width, rows, with_ruler, param)
    focus = current if current is not None else 0
    lo, hi = page(focus, rows, n)
    # ∏‖∂O_j/∂O_{j−1}‖₂ beside each bar is what explains the bars' slope: kept on a narrow chart (the
    # width of the ones shown), where the values' column gives up digits, then goes, before it does
    bounds = {j: "∏" + nm.power_text(nm.backprop_log10(tape, t, t - j), 3) for j in range(lo, hi)}
    bound_w = max((len(b) for b in bounds.values()), default=0) + 2
    if width < 60:
        value_w = 9  # 1.4663e-4 and the like: compact, correctly rounded
        if width - label_w - value_w - bound_w - 2 < 12:
            value_w = 0
    bar_w = max(4, width - label_w - value_w - bound_w - 2)
    if not with_ruler:  # no room for the ruler: the axis's span in the title
        span = f"   axis {dc.decade(bottom)} … {dc.decade(top)}"  # as the scalar chart says it
        if title.cell_len + len(span) <= width:
            title.append(span, style="dim")
    # one digit count down the values' column: the most with which every shown value fits (not 5 beside 7)
    shown = [float(block[j]) for j in range(lo, hi) if math.isfinite(float(block[j])) and float(block[j]) != 0]
    digits = next((d for d in range(view.digits, 0, -1) if all(
        min(len(nt.fmt(v, d)), len(short_exponent(v, d))) <= value_w - 1 for v in shown)), 1) if value_w else 1
    out = [title]
    marks = rows >= 3  # room to say what is above and below
    if lo and marks:
        out.append(Text(f"   ⋮ {lo} path{'s' if lo != 1 else ''} above", style="dim"))
    below_axis = False
    for j in range(lo, hi):
        line = Text(f"{j:>{label_w - 6}} back ", style="bold" if j == current else "dim")
        if block_start + j > view.cursor:
            out.append(line.append("·", style="dim"))
            continue
        where = f"[{t},{t - j}]"
        if any(i in view.hidden for i in (f"gradients.{param}.term{where}", f"gradients.{param}.delta{where}")):
            out.append(line.append(" " * bar_w).append("?", style="bold cyan"))
            continue
        norm = float(block[j])
        if norm > 0 and math.isfinite(norm):
            cells = dc.cells(norm, top, bottom, bar_w)
            if cells is None:  # below the axis: a mark, not a bar; the value says how far
                below_axis = True
                line.append(dc.BELOW.ljust(bar_w), style="bold red" if j == current else "red")
            else:
                line.append("█" * cells + " " * (bar_w - cells), style="bold yellow" if j == current else "cyan")
        else:
            line.append(" " * bar_w, style="dim" if norm == 0 else "red")
        if value_w:
            value = fit(norm, digits, value_w - 1, compact=True) or ""
            line.append(value.rjust(value_w), style="bold" if j == current else "")
        line.append(bounds[j].rjust(bound_w), style="dim")
        out.append(line)
    if hi < n and marks:
        out.append(Text(f"   ⋮ {n - hi} path{'s' if n - hi != 1 else ''} below", style="dim"))
    if with_ruler:
        rule, labels = dc.ruler(top, bottom, bar_w, label_w)
        if below_axis or float(nonzero.min()) < 10.0 ** bottom:  # say where the terms below the axis went
            mark = f"{dc.BELOW} below"
            labels = Text(mark.ljust(label_w), style="red").append_text(labels[label_w:])
        out += [rule, labels]
    return out


def _band_lines(view, table, block, t: int, current: int | None, block_start: int, title: Text, width: int,
                rows: int, with_ruler: bool, param: str) -> list[Text]:
    """Every path of the block in at most ``rows`` rows, each a band of distances drawn as the range of its
    ‖term‖ (█ to the smallest, ▒ on to the largest) beside ∏‖∂O_j/∂O_{j−1}‖₂ at the band's oldest path;
    the band holding the current term marked ▶ with its value (the scalar chart's overview, flow.py)."""
    tape = view.tape
    groups = dc.bands(len(block), rows)
    n_w = len(str(len(block) - 1))
    label_w = 2 * n_w + 9  # "▶ 10–14 back "
    bounds = {b: "∏" + nm.power_text(nm.backprop_log10(tape, t, t - (b - 1)), 3) for _, b in groups}
    bound_w = max(len(x) for x in bounds.values()) + 2
    value_w = min(view.digits + 7, 11)
    if width - label_w - value_w - bound_w < 12:
        value_w = 0
    bar_w = max(4, width - label_w - value_w - bound_w - 1)
    nonzero = block[np.isfinite(block) & (block > 0)]
    top, bottom = dc.axis(float(nonzero.max()), float(nonzero.min()), dc.decades_for(bar_w, MAX_DECADES))
    if not with_ruler:
        span = f"   axis {dc.decade(bottom)} … {dc.decade(top)}"
        if title.cell_len + len(span) <= width:
            title.append(span, style="dim")
    out = [title]
    for a, b in groups:
        here = current is not None and a <= current < b
        label = f"{a}–{b - 1}" if b - a > 1 else f"{a}"
        line = Text(("▶ " if here else "  ") + f"{label:>{2 * n_w + 1}} back ".ljust(label_w - 2),
                    style="bold" if here else "dim")
        reached = max(0, min(b, view.cursor - block_start + 1)) - a
        if reached <= 0:
            out.append(line.append("·", style="dim"))
            continue
        ids = [f"gradients.{param}.{kind}[{t},{t - j}]" for j in range(a, a + reached) for kind in ("term", "delta")]
        if any(i in view.hidden for i in ids):
            out.append(line.append(" " * bar_w).append("?", style="bold cyan"))
            continue
        part = block[a:a + reached]
        positive = part[np.isfinite(part) & (part > 0)]
        drawn = dc.range_bar(float(positive.min()), float(positive.max()), top, bottom, bar_w) if len(positive) else None
        if drawn is None and len(positive):
            line.append(dc.BELOW.ljust(bar_w), style="bold red" if here else "red")
        elif drawn is None:
            line.append(" " * bar_w, style="dim")
        else:
            line.append(drawn[0], style="bold yellow" if here else "cyan")
            line.append(drawn[1], style="yellow" if here else "blue")
            line.append(" " * (bar_w - len(drawn[0]) - len(drawn[1])))
        if value_w:
            value = fit(float(block[current]), view.digits, value_w - 1, compact=True) if here else ""
            line.append((value or "").rjust(value_w), style="bold")
        line.append(bounds[b].rjust(bound_w), style="dim")
        out.append(line)
    if with_ruler:
        rule, labels = dc.ruler(top, bottom, bar_w, label_w)
        if labels.cell_len + 24 <= width:
            labels.append("   ▒ the range of a row", style="dim")
        out += [rule, labels]
    return out
