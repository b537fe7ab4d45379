"""The unrolled network of a vector scenario in one or two lines: O₀ → O₁ → … → O_T → ŷ → L.

The current step's node is lit and a backward term's path drawn bold, as in the
scalar strip; under each node (when there is a second line) ‖O_t‖. A sequence too
long for the line shows a window that follows the cursor: the step of a forward or
output step, and for a term [t,k] the step k its path reaches back to (with the
whole path t … k when it fits), with the count of steps off-screen on either side
(◀ 3 more, 2 more ▶).
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...numbers import fit
from .carry_lane import carry_lane

CURRENT = "bold reverse"
PATH = "bold yellow"


def strip_lines(view, width: int, height: int = 2) -> list[Text]:
    tape, step = view.tape, view.step
    T = tape.T
    n, m, q = tape.n, tape.m, tape.q
    path = range(0)
    if step.kind == "term":
        path = range(step.k if step.k is not None else step.t, step.t + 1)
    node = max(len(f"O{nt.sub(T)}"), min(view.digits + 1, 8))  # a node's label, and ‖O_t‖ under it
    cell = node + 5  # " →W′→" and the node
    marks = len(f"◀ {T} more ") + len(f" {T} more ▶")  # room for both, so the window keeps its size as it moves
    for head in (f"n = {n}, m = {m}, q = {q}  ", f"n={n} m={m} q={q} ", ""):  # the head gives way before nodes
        room = width - len(head) - len(" → ŷ → L")
        visible = T if T * cell <= room else max(1, (room - marks) // cell)
        if visible >= min(T, 3):
            break
    head_text = Text(head, style="dim")
    lines = _draw(view, head_text, node, visible, path)
    while lines[0].cell_len > width and visible > 1:  # never wrap: one node fewer
        visible -= 1
        lines = _draw(view, head_text, node, visible, path)
    if lines[0].cell_len > width:  # a very narrow box: the counts without "more", no "→ ŷ → L"
        lines = _draw(view, head_text, node, visible, path, short=True)
    lines = lines[:max(1, height)]
    if getattr(tape, "c", None) is not None:  # an LSTM: the cell state's lane above O's (SPEC §8)
        lines.insert(0, carry_lane(view, lines[0]))
    return lines


def window(T: int, visible: int, focus: int, path: range = range(0)) -> tuple[int, int]:
    """The first and last step shown: ``focus`` always, and the whole ``path`` when it fits."""
    visible = max(1, min(visible, T))
    if path and len(path) <= visible:
        start = path.start - (visible - len(path)) // 2  # the path in the middle
    elif path:
        start = focus - 1 if visible >= 3 else focus  # k at the left (one step of context), t … off to the right
    else:
        start = focus - visible // 2
    start = max(1, min(start, T - visible + 1))
    return start, start + visible - 1


def _focus(view) -> int:
    step, T = view.step, view.tape.T
    if step.kind == "term" and step.k is not None:
        return step.k
    return step.t if step.t is not None else T


def _draw(view, head: Text, node: int, visible: int, path: range, short: bool = False) -> list[Text]:
    tape, step = view.tape, view.step
    T = tape.T
    start, end = window(T, visible, _focus(view), path)
    top = head.copy()
    label = "‖O_t‖" if head.cell_len >= 7 else ""
    bottom = Text(label.rjust(max(0, head.cell_len - 2)) + ("  " if head.cell_len >= 2 else ""), style="dim")
    bottom.append(" " * (head.cell_len - bottom.cell_len))
    forward_start = tape.steps.phase_start("forward")
    if start > 1:
        before = f"◀ {start - 1} " if short else f"◀ {start - 1} more "
        top.append(before, style="bold")
        bottom.append(" " * len(before))
    # one digit count along the strip: the most every shown ‖O_t‖ fits its node with (not 5 beside 6)
    norms = {t: float(np.linalg.norm(tape.O[t - 1])) for t in range(start, end + 1)
             if view.cursor >= forward_start + t - 1 and f"forward.O[{t}]" not in view.hidden}
    digits = next((d for d in range(view.digits, 0, -1)
                   if all(len(fit(v, d, None)) <= node for v in norms.values() if math.isfinite(v))), 1)
    for t in range(start, end + 1):
        reached = view.computed(forward_start + t - 1)  # a TBPTT chunk: a later chunk's steps are not run yet
        on = t in path and (t - 1) in path
        if t > 1 and tape.scenario.method == "tbptt" and (t - 1) % tape.scenario.k1 == 0:
            top.append("┃", style="bold yellow")  # a TBPTT chunk starts here (SPEC §9)
            top.append("→W′→", style=PATH if on else "dim")
            bottom.append("┃", style="bold yellow")
            bottom.append(" " * 4)
        else:
            top.append(" →W′→" if t > 1 else " O₀→", style=PATH if on else "dim")
            bottom.append(" " * (5 if t > 1 else 4))
        here = step.kind in ("forward", "output") and step.t == t
        top.append(f"O{nt.sub(t)}".ljust(node), style=CURRENT if here else (PATH if t in path else ("" if reached else "dim")))
        text = ""
        if reached and f"forward.O[{t}]" not in view.hidden:
            with np.errstate(all="ignore"):
                text = fit(norms[t], digits, node, compact=True) or ""
        bottom.append(text.ljust(node), style="dim")
    if end < T:
        top.append(f" {T - end} ▶" if short else f" {T - end} more ▶", style="bold")
    if not short:
        top.append(" → ŷ → L", style=PATH if step.kind == "term" else "dim")
    top.rstrip()
    bottom.rstrip()
    return [top, bottom]
