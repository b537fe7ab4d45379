"""The unrolled network: x₁…x_T → O₁…O_T → ŷ → L, a page of steps around the cursor.

Every use of a weight is drawn: ·w on the input edge, w′ on the recurrent edge,
+b at the node; a backward term lights up its path and the one use it
differentiates. The layout is computed from the width each time: the cells, the
"N more" gap and the output tail always fit, so no number is ever cut.
"""

from __future__ import annotations

from rich.text import Text

from ... import notation as nt
from ...numbers import fit
from .base import CURRENT, FUTURE, PATH, USE, View, page_start, pad, phase_start

EDGE = 5  # "─w′─→"
LEAD = 2  # "◀ " when earlier steps are off the page


def _gap_label(hidden: int) -> str:
    return f" ┈ {hidden} more ┈▶ "


def _natural_cell(view: View) -> int:
    """The width that shows every node's label and value whole (computed once per tape)."""
    key = ("network.cell", view.digits)
    if key not in view.cache:
        tape, d, T = view.tape, view.digits, view.tape.T
        widest = max(len(nt.fmt(float(v), d)) for v in tape.O)
        widest = max(widest, len(f"x{nt.sub(T)}=") + max(len(nt.fmt(float(v), 4)) for v in tape.x))
        if not tape.single_target:  # ŷ_t and its value share a cell under O_t
            widest = max(widest, len(f"ŷ{nt.sub(T)} ") + max(len(nt.fmt(float(v), d)) for v in tape.yhat))
        view.cache[key] = max(widest, 7) + 1  # a space between cells
    return view.cache[key]


def layout(view: View, width: int) -> tuple[int, int]:
    """(cell width, steps per page) for a strip ``width`` wide."""
    T, single = view.tape.T, view.tape.single_target
    W = _natural_cell(view)
    while True:
        C = EDGE + W
        tail = 2 * C if single else 0
        if LEAD + T * C + tail <= width:
            return W, T
        room = width - LEAD - tail - len(_gap_label(T))
        if room >= C or W <= 7:
            return W, max(1, room // C)
        W -= 1  # tight: numbers are rounded to fit, never cut


def network_strip(view: View, width: int) -> Text:
    tape, step = view.tape, view.step
    T, single, d = tape.T, tape.single_target, view.digits
    W, visible = layout(view, width)
    C = EDGE + W
    lo, hi = _focus(view)
    start = page_start(lo - 1, visible, T) + 1  # pages, not a scroll: most steps redraw nothing here
    if hi - start < visible and hi > start + visible - 1:
        start = max(1, hi - visible + 1)
    end = min(T, start + visible - 1)

    path: range = range(0)
    use_at, param = None, step.param
    if step.kind == "term":
        path = range(step.k if step.k is not None else step.t, step.t + 1)  # a range: O(1) membership
        use_at = step.k if step.k is not None else None
    forward_start = phase_start(view, "forward")
    loss_start = phase_start(view, "loss")
    rows = [Text() for _ in range(4 if single else 6)]
    for i, row in enumerate(rows):
        lead = ("◀ " if start > 1 else "O₀") if i == 2 else "  "
        row.append(lead, style="dim")

    def unreached() -> Text:
        return Text("·", style=FUTURE)

    k1 = tape.scenario.k1 if tape.scenario.method == "tbptt" else None  # TBPTT: chunk boundaries (SPEC §9)

    def lead(t: int, rest: str, style="dim") -> Text:
        """An edge cell's start: ┃ where a TBPTT chunk starts (the state carried, its gradient cut at k2)."""
        if k1 is not None and t > 1 and (t - 1) % k1 == 0:
            return Text.assemble(("┃", "bold yellow"), (rest[1:], style))
        return Text(rest, style=style)

    for t in range(start, end + 1):
        computed = view.computed(forward_start + t - 1)
        here = step.kind == "forward" and step.t == t
        dim = "" if computed else FUTURE
        node = CURRENT if here else (PATH if t in path else dim)
        uses = use_at == t
        label = f"x{nt.sub(t)}="
        x = fit(float(tape.x[t - 1]), 4, W - 1 - len(label)) or ""
        rows[0].append_text(lead(t, " " * EDGE, ""))
        rows[0].append_text(pad(Text(label + x if x else f"x{nt.sub(t)}", style=CURRENT if here else dim), W))
        rows[1].append_text(lead(t, " " * EDGE + "↓"))
        rows[1].append("·w", style=USE if uses and param == "w" else ("bold" if here else "dim"))
        rows[1].append(" +b", style=USE if uses and param == "b" else ("bold" if here else "dim"))
        rows[1].append(" " * (W - 6))
        edge_style = USE if uses and param == "w_prime" else (
            PATH if (t in path and t - 1 in path) else ("bold" if here else "dim"))
        rows[2].append_text(lead(t, "─w′─→", edge_style))
        rows[2].append_text(pad(Text(f"O{nt.sub(t)}", style=node), W))
        rows[3].append_text(lead(t, " " * EDGE, ""))
        value = view.num(float(tape.O[t - 1]), f"forward.O[{t}]", width=W - 1) if computed else unreached()
        rows[3].append_text(pad(value, W))
        if not single:
            out_here = step.kind == "output" and step.t == t
            on = step.kind == "term" and step.t == t
            reached = view.computed(loss_start + t - 1)
            rows[4].append(" " * EDGE + "↓", style=PATH if on else "dim")
            rows[4].append(" " * (W - 1))
            head = f"ŷ{nt.sub(t)} "
            label_text = Text(head, style=CURRENT if out_here else (PATH if on else ("" if reached else FUTURE)))
            label_text.append_text(view.num(float(tape.yhat[t - 1]), f"outputs.yhat[{t}]", width=W - 1 - len(head))
                                   if reached else unreached())
            rows[5].append(" " * EDGE)
            rows[5].append_text(pad(label_text, W))
    if end < T:  # a gap cell standing for the steps not drawn
        gap = _gap_label(T - end)
        for i, row in enumerate(rows):
            row.append(gap if i == 2 else " " * len(gap), style="dim")
    if single:
        on = step.kind == "term"
        reached_out = view.computed(loss_start)
        reached_loss = view.computed(loss_start + 1)
        out_edge = USE if on and param in ("w_out", "b_out") else (PATH if on else "dim")
        rows[2].append("────→", style=out_edge)
        rows[2].append_text(pad(Text("ŷ", style=CURRENT if step.kind == "output" else
                                     (PATH if on else ("" if reached_out else FUTURE))), W))
        rows[2].append("────→", style=PATH if on else "dim")
        rows[2].append("L", style=CURRENT if step.kind == "loss" else (PATH if on else ("" if reached_loss else FUTURE)))
        rows[1].append(" " * EDGE + "w_out·O+b_out", style="dim")  # within the tail's 2 cells
        rows[3].append(" " * EDGE)
        rows[3].append_text(pad(view.num(float(tape.yhat[0]), f"outputs.yhat[{T}]", width=W - 1)
                                if reached_out else unreached(), W))
        rows[3].append(" " * EDGE)
        rows[3].append_text(view.num(tape.loss, "loss", width=W) if reached_loss else unreached())
    out = Text(no_wrap=True, overflow="crop")
    for i, row in enumerate(rows):
        if i:
            out.append("\n")
        out.append_text(row)
    return out


def _focus(view: View) -> tuple[int, int]:
    step, T = view.step, view.tape.T
    if step.kind == "forward":
        return step.t, step.t
    if step.kind == "term":
        return (step.k or step.t), step.t
    if step.kind == "output":
        return step.t, step.t
    return T, T
