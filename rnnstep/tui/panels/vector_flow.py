"""Gradient flow of a vector scenario: log₁₀‖term‖ of one target's paths by how far back they reach,
beside ∏‖∂O_j/∂O_{j−1}‖₂ over the same path — the bound that explains the bars' slope.

One bar per path k = t … 1; the scale spans the whole block of terms, so a new term
never rescales the others. ‖term‖ is the tape's (Frobenius, ‖δ‖·‖input‖).
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...numbers import fit
from ...ids import RECURRENT_PARAMS
from . import norms as nm
from .vector_step import SYMBOL


def flow_param(view) -> str:
    step = view.step
    if step.kind == "term" and step.param in RECURRENT_PARAMS:
        return step.param
    return "b" if step.kind in ("term", "update") else "w"


def flow_lines(view, width: int, height: int) -> list[Text]:
    tape, step = view.tape, view.step
    param = flow_param(view)
    table = tape.gradients[param]
    here = step.kind == "term" and step.param == param
    t = step.t if here else int(tape.targets[-1])
    first = table.index_of(t, t)
    block = table.norms[first:first + t]  # k = t … 1: 0 … t − 1 steps back
    current = (step.term - first) if here else None
    block_start = tape.steps.phase_start(f"backward.{param}") + first
    title = Text(f"log₁₀‖term‖ of ∂L/∂{SYMBOL[param]} by steps back t − k (target {t}), beside ∏‖∂O_j/∂O_j−1‖₂",
                 style="bold")
    if title.cell_len > width:
        title = Text(f"log₁₀‖term‖, ∂L/∂{SYMBOL[param]}, target {t}", style="bold")
    nonzero = block[np.isfinite(block) & (block > 0)]
    if not len(nonzero):
        return [title, Text("  (every term is 0 or not finite)", style="dim")]
    top, bottom = math.ceil(math.log10(float(nonzero.max()))), math.floor(math.log10(float(nonzero.min())))
    if top == bottom:
        bottom -= 1
    value_w = min(view.digits + 7, 10)
    bound_w = 9 if width >= 60 else 0
    label_w = len(str(t)) + 6
    bar_w = max(4, width - label_w - value_w - bound_w - 2)
    rows = max(1, height - 1)
    focus = current if current is not None else 0
    lo = max(0, min((focus // rows) * rows, len(block) - rows))
    out = [title]
    for j in range(lo, min(len(block), lo + rows)):
        line = Text(f"{j:>{label_w - 6}} back ", style="bold" if j == current else "dim")
        if block_start + j > view.cursor:
            out.append(line.append("·", style="dim"))
            continue
        where = f"[{t},{t - j}]"
        if any(i in view.hidden for i in (f"gradients.{param}.term{where}", f"gradients.{param}.delta{where}")):
            out.append(line.append(" " * bar_w).append("?", style="bold cyan"))
            continue
        norm = float(block[j])
        lg = math.log10(norm) if norm > 0 and math.isfinite(norm) else None
        cells = 0 if lg is None else max(1, round((lg - bottom) / (top - bottom) * bar_w))
        style = ("bold yellow" if j == current else "cyan") if lg is not None else ("dim" if norm == 0 else "red")
        line.append("█" * cells + " " * (bar_w - cells), style=style)
        value = fit(norm, view.digits, value_w - 1, compact=True) or ""
        line.append(value.rjust(value_w), style="bold" if j == current else "")
        if bound_w:
            bound = nm.power_text(nm.backprop_log10(tape, t, t - j), 3)
            line.append(("∏" + bound).rjust(bound_w) if len(bound) < bound_w else "", style="dim")
        out.append(line)
    return out
