"""The unrolled network of a vector scenario in one or two lines: O₀ → O₁ → … → O_T → ŷ → L.

The current step's node is lit and a backward term's path drawn bold, as in the
scalar strip; under each node (when there is a second line) ‖O_t‖. Windowed around
the current step for a long sequence.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...numbers import fit

CURRENT = "bold reverse"
PATH = "bold yellow"


def strip_lines(view, width: int, height: int = 2) -> list[Text]:
    tape, step = view.tape, view.step
    T = tape.T
    n, m, q = tape.n, tape.m, tape.q
    head = Text(f"n = {n}, m = {m}, q = {q}  ", style="dim")
    path = range(0)
    if step.kind == "term":
        path = range(step.k if step.k is not None else step.t, step.t + 1)
    node = max(len(f"O{nt.sub(T)}"), min(view.digits + 1, 8))  # a node's label, and ‖O_t‖ under it
    cell = 4 + node
    visible = max(1, (width - head.cell_len - 22) // (cell + 1))  # room for ◀, "┈ N more" and "→ ŷ → L"
    lines = _draw(view, head, node, visible, path)
    while lines[0].cell_len > width and visible > 1:  # never wrap: one node fewer
        visible -= 1
        lines = _draw(view, head, node, visible, path)
    return lines[:max(1, height)]


def _draw(view, head: Text, node: int, visible: int, path: range) -> list[Text]:
    tape, step = view.tape, view.step
    T = tape.T
    focus = step.t if step.t is not None else T
    start = max(1, min(focus - visible // 2, T - visible + 1))
    end = min(T, start + visible - 1)
    top = head.copy()
    bottom = Text("‖O_t‖".rjust(head.cell_len - 2) + "  ", style="dim")
    forward_start = tape.steps.phase_start("forward")
    if start > 1:
        top.append("◀ ", style="dim")
        bottom.append("  ")
    for t in range(start, end + 1):
        reached = view.cursor >= forward_start + t - 1
        on = t in path and (t - 1) in path
        top.append(" →W′→" if t > 1 else " O₀→", style=PATH if on else "dim")
        bottom.append(" " * (5 if t > 1 else 4))
        here = step.kind == "forward" and step.t == t
        top.append(f"O{nt.sub(t)}".ljust(node), style=CURRENT if here else (PATH if t in path else ("" if reached else "dim")))
        text = ""
        if reached and f"forward.O[{t}]" not in view.hidden:
            with np.errstate(all="ignore"):
                text = fit(float(np.linalg.norm(tape.O[t - 1])), view.digits, node, compact=True) or ""
        bottom.append(text.ljust(node), style="dim")
    if end < T:
        top.append(f" ┈ {T - end} more", style="dim")
    top.append(" → ŷ → L", style=PATH if step.kind == "term" else "dim")
    return [top, bottom]
