"""What each panel of the debugger shows: Rich renderables built from a tape and a cursor.

Pure functions, no Textual: the debugger and the drill both call them, and tests
read them. Nothing here computes the network's maths — every number is read off
the tape; only display scaling (log₁₀ for the chart) happens here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from .. import notation as nt
from ..ids import PARAMS, RECURRENT_PARAMS
from ..tape import Step, Tape

# styles (Textual themes remap the named colours for light and dark terminals)
CURRENT = "bold reverse"
PATH = "bold yellow"
USE = "bold magenta"
FUTURE = "dim"
BAD = "bold white on red"
TRUNCATED = "strike dim"

PHASE_LABEL = {
    "forward": "forward pass",
    "loss": "output and loss",
    "update": "update",
    **{f"backward.{p}": f"backward {nt.gradient_symbol(p)}" for p in PARAMS},
}


@dataclass
class View:
    """What the panels need: the tape, where the cursor is, and which values to hide (drills)."""

    tape: Tape
    cursor: int = 0
    digits: int = 6
    hidden: set[str] = field(default_factory=set)  # value ids shown as "?" (the drill's question)
    notes: dict[int, list[str]] = field(default_factory=dict)  # teaching notes by step index
    claims: dict[int, list] = field(default_factory=dict)  # verify.ClaimResult by step index

    @property
    def step(self) -> Step:
        return self.tape.steps[self.cursor]

    def computed(self, index: int) -> bool:
        """Has the step at ``index`` been reached (so its values can be shown)?"""
        return index <= self.cursor

    def num(self, value: float, vid: str | tuple[str, ...] | None = None, style: str = "") -> Text:
        """A value as text, or "?" if it (or any value it gives away, listed in ``vid``) is hidden."""
        ids = (vid,) if isinstance(vid, str) else (vid or ())
        if any(i in self.hidden for i in ids):
            return Text("?", style="bold cyan")
        text = nt.fmt(float(value), self.digits)
        return Text(text, style=BAD if not math.isfinite(float(value)) else style)


def _phase_start(view: View, phase: str) -> int:
    return view.tape.steps.phase_start(phase)


def sparkline(values: list[float]) -> str:
    """▁▂▃▅▇ for a short series (non-finite values as ·)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "·" * len(values)
    lo, hi = min(finite), max(finite)
    bars = "▁▂▃▄▅▆▇█"
    return "".join("·" if not math.isfinite(v) else bars[0 if hi == lo else round((v - lo) / (hi - lo) * 7)]
                   for v in values)


# ----------------------------------------------------------------------------- the unrolled network

def network_strip(view: View, width: int) -> Text:
    """x₁…x_T → O₁…O_T → ŷ → L, windowed around the current step; the current path highlighted.

    Every use of a weight is drawn: ·w on the input edge, w′ on the recurrent
    edge, +b at the node; a backward term lights up its path and the one use it
    differentiates.
    """
    tape, step = view.tape, view.step
    T, single = tape.T, tape.single_target
    EDGE = 5
    W = max(view.digits + 6, 10)
    C = EDGE + W
    tail = 2 * C if single else 0
    visible = max(1, (max(width, 24) - 3 - tail) // C)
    lo, hi = _focus(view)
    start = _page_start(lo - 1, visible, T) + 1  # pages, not a scroll: most steps redraw nothing here
    if hi - start < visible and hi > start + visible - 1:
        start = max(1, hi - visible + 1)
    end = min(T, start + visible - 1)

    path: range = range(0)
    use_at, param = None, step.param
    if step.kind == "term":
        path = range(step.k if step.k is not None else step.t, step.t + 1)  # a range: O(1) membership
        use_at = step.k if step.k is not None else None
    forward_start = _phase_start(view, "forward")
    loss_start = _phase_start(view, "loss")
    rows = [Text() for _ in range(4 if single else 6)]
    for i, row in enumerate(rows):
        row.append("◀ " if i == 2 and start > 1 else "  ", style="dim")

    def unreached() -> Text:
        return Text("·", style=FUTURE)

    for t in range(start, end + 1):
        computed = view.computed(forward_start + t - 1)
        here = step.kind == "forward" and step.t == t
        dim = "" if computed else FUTURE
        node = CURRENT if here else (PATH if t in path else dim)
        uses = use_at == t
        rows[0].append(" " * EDGE)
        rows[0].append(_pad(f"x{nt.sub(t)}={nt.fmt(float(tape.x[t - 1]), 4)}", W), style=CURRENT if here else dim)
        rows[1].append(" " * EDGE + "↓", style="dim")
        rows[1].append("·w", style=USE if uses and param == "w" else ("bold" if here else "dim"))
        rows[1].append(" +b", style=USE if uses and param == "b" else ("bold" if here else "dim"))
        rows[1].append(" " * (W - 6))
        into = "O₀─→ " if t == 1 else "─w′─→"
        edge_style = USE if uses and param == "w_prime" else (
            PATH if (t in path and t - 1 in path) else ("bold" if here else "dim"))
        rows[2].append(into, style=edge_style)
        rows[2].append(_pad(f"O{nt.sub(t)}", W), style=node)
        rows[3].append(" " * EDGE)
        rows[3].append_text(_pad_text(view.num(float(tape.O[t - 1]), f"forward.O[{t}]") if computed else unreached(), W))
        if not single:
            out_here = step.kind == "output" and step.t == t
            on = step.kind == "term" and step.t == t
            reached = view.computed(loss_start + t - 1)
            rows[4].append(" " * EDGE + "↓", style=PATH if on else "dim")
            rows[4].append(_pad("", W - 1))
            label = Text(f"ŷ{nt.sub(t)} ", style=CURRENT if out_here else (PATH if on else ("" if reached else FUTURE)))
            label.append_text(view.num(float(tape.yhat[t - 1]), f"outputs.yhat[{t}]") if reached else unreached())
            rows[5].append(" " * EDGE)
            rows[5].append_text(_pad_text(label, W))
    if end < T:  # a gap cell standing for the steps not drawn
        rows[1].append(" " * C)
        rows[2].append(_pad(f" ┈┈ {T - end} more ┈┈▶", C), style="dim")
        rows[3].append(" " * C)
        rows[0].append(" " * C)
    if single:
        on = step.kind == "term"
        reached_out = view.computed(loss_start)
        reached_loss = view.computed(loss_start + 1)
        out_edge = USE if on and param in ("w_out", "b_out") else (PATH if on else "dim")
        rows[2].append("────→", style=out_edge)
        rows[2].append(_pad("ŷ", W), style=CURRENT if step.kind == "output" else (PATH if on else ("" if reached_out else FUTURE)))
        rows[2].append("────→", style=PATH if on else "dim")
        rows[2].append("L", style=CURRENT if step.kind == "loss" else (PATH if on else ("" if reached_loss else FUTURE)))
        rows[1].append(" " * EDGE + "w_out·O+b_out", style="dim")
        rows[3].append(" " * EDGE)
        rows[3].append_text(_pad_text(view.num(float(tape.yhat[0]), f"outputs.yhat[{T}]") if reached_out else unreached(), W))
        rows[3].append(" " * EDGE)
        rows[3].append_text(view.num(tape.loss, "loss") if reached_loss else unreached())
    out = Text(no_wrap=True, overflow="crop")
    for i, row in enumerate(rows):
        if i:
            out.append("\n")
        out.append_text(row)
    return out


def _page_start(index: int, size: int, count: int) -> int:
    """First item of the page of ``size`` items holding ``index`` (0-based), the last page kept full."""
    return max(0, min((index // size) * size, count - size))


def _focus(view: View) -> tuple[int, int]:
    step, T = view.step, view.tape.T
    if step.kind == "forward":
        return step.t, step.t
    if step.kind == "term":
        return (step.k or step.t), step.t
    if step.kind == "output":
        return step.t, step.t
    return T, T


def _pad(text: str, width: int) -> str:
    return text[:width].ljust(width)


def _pad_text(text: Text, width: int) -> Text:
    text = text.copy()
    text.truncate(width, pad=True)
    return text


# ----------------------------------------------------------------------------- the current step

def step_title(view: View) -> str:
    step, n = view.step, len(view.tape.steps)
    where = ""
    if step.kind == "forward":
        where = f" · t = {step.t}"
    elif step.kind == "output":
        where = f" · target step {step.t}"
    elif step.kind == "term":
        where = f" · term t = {step.t}" + (f", k = {step.k}" if step.k is not None else "")
    elif step.kind == "update":
        where = f" · {nt.param(step.param)}"
    return f"Step {view.cursor + 1} of {n} · {PHASE_LABEL[step.phase]}{where}"


def step_panel(view: View, max_factor_rows: int = 12) -> RenderableType:
    """The current step's formulas and numbers, then any teaching note for it."""
    step = view.step
    if step.kind == "forward":
        detail = _forward_detail(view, step.t)
    elif step.kind == "output":
        detail = _output_detail(view, step.t)
    elif step.kind == "loss":
        detail = _loss_detail(view)
    elif step.kind == "term":
        detail = _term_detail(view, step, max_factor_rows)
    else:
        detail = _update_detail(view, step.param)
    title = Text(step_title(view), style="bold underline")
    parts = [title, detail]
    claims = claims_text(view)
    if claims is not None:
        parts += [Text(""), claims]
    note = note_text(view)
    if note is not None:
        parts += [Text(""), note]
    return Group(*parts)


_CLAIM_MARK = {"right": ("✓ right", "bold green"), "rounding": ("≈ off by one in the last digit", "yellow"),
               "slip": ("✗ slip", "bold white on red"), "follows": ("✗ follows", "bold red")}


def claims_text(view: View) -> Text | None:
    """What the worked example states at this step, beside the true values."""
    results = view.claims.get(view.cursor)
    if not results:
        return None
    out = Text("stated in the worked example:", style="bold")
    symbols = {r.id: r.symbol for step in view.claims.values() for r in step}
    for r in results:
        mark, style = _CLAIM_MARK[r.verdict]
        out.append(f"\n  {r.symbol} = {r.stated_text}  ")
        out.append(mark, style=style)
        if r.verdict != "right":
            out.append(f"  true {nt.fmt(r.true, view.digits)}", style="bold")
        if r.verdict == "follows":
            out.append("  (follows from " + ", ".join(symbols.get(i, i) for i in r.follows_from) + ")", style="dim")
        elif r.verdict == "slip" and r.recomputed is not None:
            out.append(f"  (its stated inputs give {nt.fmt(r.recomputed, view.digits)})", style="dim")
    return out


def note_text(view: View) -> Text | None:
    """The scenario's notes for this step, or its description at the first step."""
    texts = view.notes.get(view.cursor, [])
    if texts:
        out = Text()
        for i, text in enumerate(texts):
            out.append(("\n" if i else "") + "✎ note  ", style="bold reverse yellow")
            out.append(" " + text, style="italic")
        return out
    description = view.tape.scenario.description
    if view.cursor == 0 and description:
        return Text("✎ " + " ".join(description.split()), style="italic")
    return None


def _line(*parts: str | Text) -> Text:
    out = Text()
    for part in parts:
        out.append_text(part if isinstance(part, Text) else Text(part))
    return out


def _forward_detail(view: View, t: int) -> RenderableType:
    tape, s, d = view.tape, view.tape.scenario, view.digits
    n = lambda v: nt.operand(float(v), d)  # noqa: E731
    a, O = float(tape.a[t - 1]), float(tape.O[t - 1])
    lines = [
        Text(nt.forward_equation(t), style="bold"),
        _line("  a", nt.sub(t), " = x", nt.sub(t), "·w + O", nt.sub(t - 1), "·w′ + b = ",
              f"{n(tape.x[t - 1])}·{n(s.w)} + {n(tape.O_prev[t - 1])}·{n(s.w_prime)} + {n(s.b)} = ",
              view.num(a, f"forward.a[{t}]")),
        _line(f"  O{nt.sub(t)} = {s.activation}(a{nt.sub(t)}) = {s.activation}(",
              view.num(a, f"forward.a[{t}]"), ") = ", view.num(O, f"forward.O[{t}]", "bold")),
        Text(""),
        _line(f"  f′(a{nt.sub(t)}) = {nt.activation_derivative(s.activation)} = ",
              view.num(float(tape.f_prime[t - 1]), (f"forward.a[{t}]", f"forward.O[{t}]"))),
        Text("  (kept for the backward pass: every path through O" + nt.sub(t) + " is multiplied by it)", style="dim"),
    ]
    if t == 1:
        lines.insert(1, Text(f"  O₀ = h0 = {nt.fmt(s.h0, d)}" + (": the recurrent part vanishes" if s.h0 == 0 else ""),
                             style="italic"))
    return Group(*lines)


def _output_detail(view: View, t: int) -> RenderableType:
    tape, s, d = view.tape, view.tape.scenario, view.digits
    i = tape.target_position[t]
    sub = nt.sub(t)
    return Group(
        _line(f"z{sub} = w_out·O{sub} + b_out = {nt.operand(s.w_out, d)}·{nt.operand(float(tape.O[t - 1]), d)}"
              f" + {nt.operand(s.b_out, d)} = ", view.num(float(tape.z[i]), f"outputs.z[{t}]")),
        _line(f"ŷ{sub} = g(z{sub}) = {s.output_activation}(", view.num(float(tape.z[i]), f"outputs.z[{t}]"), ") = ",
              view.num(float(tape.yhat[i]), f"outputs.yhat[{t}]", "bold")),
        _line(f"ℓ{sub} = {tape.loss_fn.value_formula} with y{sub} = {nt.fmt(float(tape.y[i]), d)}:  ",
              view.num(float(tape.losses[i]), f"outputs.loss[{t}]", "bold")),
    )


def _loss_detail(view: View) -> RenderableType:
    tape = view.tape
    if tape.single_target:
        formula = f"L = ℓ(ŷ{nt.sub(tape.T)}, y) = "
    else:
        formula = "L = Σₜ ℓₜ = " + " + ".join(nt.operand(float(v), view.digits) for v in tape.losses[:6])
        formula += (" + …" if len(tape.losses) > 6 else "") + " = "
    return Group(
        _line(formula, view.num(tape.loss, "loss", "bold")),
        Text(""),
        Text("Next: the backward pass. Each gradient is a sum of path products, one path for each step at "
             "which the weight is used — nearest path first.", style="italic"),
    )


def _term_detail(view: View, step: Step, max_rows: int) -> RenderableType:
    tape, d = view.tape, view.digits
    param, i = step.param, step.term
    table = tape.gradients[param]
    count = tape.factor_count(param, i)
    # a path far back has thousands of factors: fetch only the ones on screen
    indices = list(range(count)) if count <= max_rows else [0, 1, 2, count - 2, count - 1]
    factors = [tape.factor(param, i, j) for j in indices]
    hidden = count - len(indices)
    symbol = nt.gradient_symbol(param)
    where = f"[{step.t},{step.k}]" if step.k is not None else f"[{step.t}]"
    term_id = f"gradients.{param}.term{where}"
    head = Text(f"{symbol} ∋ [", style="bold")
    head.append(nt.term_symbol_compact(factors, keep=8, hidden=hidden), style=PATH)
    head.append("]", style="bold")

    rows: list[tuple[Text, str, str, Text]] = []
    for n, (j, f) in enumerate(zip(indices, factors)):
        if hidden and n == 3:
            rows.append((Text(f"⋯ {hidden} more", style="dim"), "f′(a_j)·w′", "", Text("")))
        style = USE if f.kind in ("immediate", "output_input") else ""
        fid = f"gradients.{param}.factor[{step.t},{step.k},{j + 1}]" if step.k is not None else \
            f"gradients.{param}.factor[{step.t},{j + 1}]"
        numbers = "?" if fid in view.hidden else nt.factor_substituted(f, tape, d)
        rows.append((Text(f.symbol, style=style), f.formula, numbers, view.num(f.value, fid)))
    # fixed widths: rows shared by consecutive terms (∂L/∂ŷ, ∂ŷ/∂O_t) then stay identical on screen
    sub_w = len(str(tape.T))
    widths = (8 + 2 * sub_w, 12 + 2 * sub_w, 2 * (d + 7) + 3, d + 7)
    grid = _columns([(Text("factor", style="dim"), "formula", "with numbers", Text("value", style="dim"))] + rows, widths)
    lines: list[RenderableType] = [head, grid]
    product = _line("  term = product of the factors = ", view.num(float(table.value[i]), term_id, "bold"))
    lines.append(product)
    previous = float(table.running_sum[i - 1]) if i > 0 else 0.0
    last = i == len(table) - 1
    # the sum gives the term away, and the last sum is the total
    sum_id = (f"gradients.{param}.running_sum{where}", term_id) + ((f"gradients.{param}.total",) if last else ())
    if table.truncated[i]:
        lines.append(Text(f"  truncated: t − k = {step.t - step.k} ≥ K = {tape.scenario.truncate}; "
                          "computed but NOT added to the running sum", style="bold yellow"))
        lines.append(_line("  running sum stays ", view.num(float(table.running_sum[i]), sum_id, "bold")))
    else:
        term_text = view.num(float(table.value[i]), term_id)
        if term_text.plain.startswith("-"):
            term_text = Text.assemble("(", term_text, ")")
        lines.append(_line(f"  running sum = {nt.fmt(previous, d)} + ", term_text, " = ",
                           view.num(float(table.running_sum[i]), sum_id, "bold")))
    if last:
        lines.append(_line(f"  {symbol} = ", view.num(table.total, sum_id, "bold green"),
                           Text("  (all terms added)", style="dim")))
    if step.k is not None and not view.hidden:  # in a drill it would give the factors away (f′ = ∂L/∂a ÷ ∂L/∂O)
        k = step.k
        lines.append(_line(
            Text(f"  recursive view: ∂L/∂O{nt.sub(k)} = ", style="dim"),
            view.num(float(tape.dL_dO[k - 1]), f"backward.dL_dO[{k}]", "dim"),
            Text(f" (every path from L to O{nt.sub(k)}), ∂L/∂a{nt.sub(k)} = ∂L/∂O{nt.sub(k)}·f′(a{nt.sub(k)}) = ",
                 style="dim"),
            view.num(float(tape.dL_da[k - 1]), f"backward.dL_da[{k}]", "dim")))
    fused = tape.fused_output_gradient(step.t)
    if fused is not None:
        lines.append(Text(f"  note: ∂L/∂ŷ·∂ŷ/∂z for bce with a sigmoid output is the finite ŷ − y = "
                          f"{nt.fmt(fused, d)}; the separate factors overflow at a saturated ŷ.", style="italic yellow"))
    return Group(*lines)


def _columns(rows: list[tuple[Text, str, str, Text]], minimum: tuple[int, ...] = (0, 0, 0, 0)) -> Text:
    """Rows of (symbol, formula, numbers, value) laid out in aligned columns, value right-justified."""
    widths = [max([minimum[i]] + [len(row[i].plain if isinstance(row[i], Text) else row[i]) for row in rows])
              for i in range(4)]
    out = Text(no_wrap=True, overflow="ellipsis")
    for n, row in enumerate(rows):
        if n:
            out.append("\n")
        for i, cell in enumerate(row):
            cell = cell if isinstance(cell, Text) else Text(cell, style="dim" if n == 0 else "")
            width = widths[i]
            gap = " " * (width - len(cell.plain))
            out.append(" ")
            if i == 3:
                out.append(gap)
            out.append_text(cell)
            if i < 3:
                out.append(gap + " ")
    return out


def _update_detail(view: View, param: str) -> RenderableType:
    tape, s, d = view.tape, view.tape.scenario, view.digits
    u = tape.updates[param]
    p = nt.param(param)
    grad = f"clip({nt.fmt(u.grad, d)}, ±{nt.fmt(s.clip, d)}) = {nt.fmt(u.clipped, d)}" if s.clip else nt.fmt(u.grad, d)
    rule = f"{p}_new = {p}_old − η·" + (f"clip({nt.gradient_symbol(param)})" if s.clip else nt.gradient_symbol(param))
    lines = [
        Text(rule, style="bold"),
        _line(f"  = {nt.fmt(u.old, d)} − {nt.fmt(s.learning_rate, d)}·{grad} = ",
              view.num(u.new, f"update.{param}.new", "bold green")),
    ]
    if s.clip and u.clipped != u.grad:
        lines.append(Text(f"  the gradient was clipped to ±{nt.fmt(s.clip, d)}", style="yellow"))
    lines.append(Text("  press u to apply all five updates and run the next epoch", style="dim"))
    return Group(*lines)


# ----------------------------------------------------------------------------- running sums

def sums_panel(view: View, height: int) -> Text:
    """Per parameter: terms so far, the running partial sum; the current parameter expanded."""
    tape, step = view.tape, view.step
    active = step.param if step.kind == "term" else None
    blocks = [p for p in PARAMS]
    expand_rows = max(3, height - 3 * len(blocks) - 2)
    out = Text(no_wrap=True, overflow="ellipsis")
    for param in blocks:
        table = tape.gradients[param]
        start = _phase_start(view, f"backward.{param}")
        done = view.cursor - start + 1  # terms revealed
        done = max(0, min(done, len(table)))
        symbol = nt.gradient_symbol(param)
        out.append(f"{symbol:10}", style="bold" if param == active else "")
        count = len(table)
        if done == 0:
            out.append(f" {count} term{'s' if count != 1 else ''} to come\n", style=FUTURE)
        else:
            label = "=" if done == count else "Σ so far"
            out.append(f" {label} ")
            out.append_text(view.num(float(table.running_sum[done - 1]), _sum_ids(table, param, done - 1),
                                     "bold green" if done == len(table) else "bold"))
            out.append(f"  ({done}/{len(table)})\n", style="dim")
        if param == active:
            _term_rows(view, out, param, step.term, expand_rows)
    if step.kind == "update" or view.cursor == len(tape.steps) - 1:
        out.append("\nupdate (η = " + nt.fmt(tape.scenario.learning_rate, view.digits) + ")\n", style="bold")
        for i, (param, u) in enumerate(tape.updates.items()):
            reached = view.computed(_phase_start(view, "update") + i)
            out.append(f"  {nt.param(param):6} {nt.fmt(u.old, view.digits):>10} → ")
            out.append_text(view.num(u.new, f"update.{param}.new", "bold") if reached else Text("·", style=FUTURE))
            out.append("\n")
    return out


def _sum_ids(table, param: str, i: int) -> tuple[str, ...]:
    """The ids a running sum gives away: itself, its term, and the total if it is the last."""
    where = f"[{int(table.t[i])},{int(table.k[i])}]" if table.k is not None else f"[{int(table.t[i])}]"
    ids = (f"gradients.{param}.running_sum{where}", f"gradients.{param}.term{where}")
    return ids + ((f"gradients.{param}.total",) if i == len(table) - 1 else ())


def _term_rows(view: View, out: Text, param: str, current: int, rows: int) -> None:
    table = view.tape.gradients[param]
    n = len(table)
    rows = max(1, rows - 2)  # room for the "⋮ earlier" and "⋮ more" lines
    lo = _page_start(current, rows, n)
    hi = min(n, lo + rows)
    if lo > 0:
        out.append(f"   ⋮ {lo} earlier\n", style="dim")
    for i in range(lo, hi):
        where = f"[{int(table.t[i])},{int(table.k[i])}]" if table.k is not None else f"[{int(table.t[i])}]"
        marker = "▶ " if i == current else ("✓ " if i < current else "  ")
        style = "" if i <= current else FUTURE
        out.append(f" {marker}{where:9}", style="bold" if i == current else style)
        if i > current:
            out.append("·\n", style=FUTURE)
            continue
        cut = bool(table.truncated[i])
        value = view.num(float(table.value[i]), f"gradients.{param}.term{where}", TRUNCATED if cut else "")
        if value.plain == "?":
            value.stylize("bold cyan")
        out.append(" " * max(0, 12 - len(value.plain)))  # right-aligned: signs and magnitudes line up
        out.append_text(value)
        if cut:
            out.append(" cut", style="dim")
        else:
            out.append(" Σ ", style="dim")
            out.append_text(view.num(float(table.running_sum[i]), _sum_ids(table, param, i)))
        out.append("\n")
    if hi < n:
        out.append(f"   ⋮ {n - hi} more\n", style="dim")


# ----------------------------------------------------------------------------- gradient flow

def flow_param(view: View) -> str:
    step = view.step
    if step.kind == "term" and step.param in RECURRENT_PARAMS:
        return step.param
    if step.kind == "term" or step.kind == "update":
        return "b"
    return "w"


def flow_chart(view: View, width: int, height: int = 8) -> Text:
    """log₁₀|term| of one target step's terms, one bar per path, by how far back it reaches.

    The scale spans the whole block of terms so that a new term never rescales the
    others (and a step repaints only its own row); bars appear as terms are reached.
    """
    tape, step = view.tape, view.step
    param = flow_param(view)
    table = tape.gradients[param]
    t = step.t if step.kind == "term" and step.param == param else int(tape.targets[-1])
    first = table.index_of(t, t)
    block = np.abs(table.value[first:first + t])  # k = t … 1: 0 … t−1 steps back
    current = (step.term - first) if step.kind == "term" and step.param == param else None
    block_start = _phase_start(view, f"backward.{param}") + first
    nonzero = block[np.isfinite(block) & (block > 0)]  # the scale, from the whole block at once
    title = Text(f"log₁₀|term| of {nt.gradient_symbol(param)} by steps back t − k (target {t})", style="bold")
    rows = max(1, height - 1)
    if not len(nonzero):
        return Text.assemble(title, "\n", Text("  (every term is 0 or not finite)", style="dim"))
    top, bottom = math.ceil(math.log10(float(nonzero.max()))), math.floor(math.log10(float(nonzero.min())))
    if top == bottom:
        bottom -= 1
    label_w, value_w = 9, view.digits + 7
    bar_w = max(4, width - label_w - value_w - 2)
    focus = current if current is not None else 0
    lo = _page_start(focus, rows, len(block))
    out = Text(no_wrap=True, overflow="crop")
    out.append_text(title)
    out.append(f"   scale 1e{bottom} … 1e{top}", style="dim")
    for j in range(lo, min(len(block), lo + rows)):
        out.append("\n")
        here = j == current
        out.append(f"{j:>4} back ", style="bold" if here else "dim")
        if block_start + j > view.cursor:
            out.append("·", style=FUTURE)
            continue
        where = f"[{t},{t - j}]" if table.k is not None else f"[{t}]"
        value = view.num(float(table.value[first + j]), f"gradients.{param}.term{where}", "bold" if here else "dim")
        if value.plain == "?":  # a drill's question: no bar either, its length would give the answer away
            out.append(" " * (bar_w + max(1, value_w - 1)))
            out.append_text(value)
            continue
        magnitude = float(block[j])
        lg = math.log10(magnitude) if magnitude > 0 and math.isfinite(magnitude) else None
        if lg is None:
            cells, style = 0, "dim" if magnitude == 0 else "red"
        else:
            cells = max(1, round((lg - bottom) / (top - bottom) * bar_w))
            style = "bold yellow" if here else "cyan"
        out.append("█" * cells + " " * (bar_w - cells), style=style)
        out.append(" " * max(1, value_w - len(value.plain)))
        out.append_text(value)
    return out
