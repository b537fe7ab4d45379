"""The current step of a vector scenario (SPEC §7), as lines of Rich Text for a box of a given size.

A backward term reads left to right as its formula does: the chain of factors of
δ(t,k), each with its spectral norm ‖·‖₂ under it and their product beside ‖δ‖
(which it bounds: this is why a path vanishes or explodes); the factor matrices
themselves when there is room; then the outer product δᵀ·inputᵀ = term. Forward,
output, loss and update steps show their vectors and matrices the same way.

Each step has renderings from the richest to the plainest; the first that fits
the box's height is shown, so a small terminal loses matrices before it loses the
numbers of the step, and a hidden size of 64 becomes windows and one-line summaries.
Every number is read from the tape; the only arithmetic here is the norms (norms.py).
"""

from __future__ import annotations

import math
from functools import cache, partial

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...printed import printed, relation
from ... import numbers as nb
from . import norms as nm
from .matrix import Block, grid, hstack, narrowest, near, number_width, summary

SYMBOL = nt.MATRIX_SYMBOL["unicode"]
INPUT = {"w_prime": "O{}ᵀ", "w": "x{}ᵀ", "w_out": "O{}ᵀ"}  # what δ's outer product takes
PATH = "bold yellow"
USE = "bold magenta"


def where(step) -> str:
    return f"[{step.t},{step.k}]" if step.k is not None else f"[{step.t}]"


def step_body(view, width: int, height: int) -> list[Text]:
    """The step at the cursor: the richest rendering that fits ``height`` lines (else the plainest).

    Each rendering is tried with the full ``--digits`` first, then with the grids' numbers
    correctly rounded to 4 and 3 significant digits, before a plainer one is taken."""
    kind = view.step.kind
    gated = getattr(view.tape, "cell", None) is not None  # SPEC §8: the cell's own forward step
    make = {"forward": _gated_forward if gated else _forward, "output": _output, "loss": _loss, "term": _term, "update": _update}[kind]
    width, height = max(8, width), max(1, height)
    tries = [view.digits] + [d for d in (4, 3) if d < view.digits]
    lines: list[Text] = []
    for candidate, may_round in make(view, width, height):
        for digits in tries if may_round else tries[:1]:
            lines = wrap_lines(candidate(digits), width)
            if len(lines) <= height and all(line.cell_len <= width for line in lines):
                return lines
    return lines


def wrap_lines(lines: list[Text], width: int) -> list[Text]:
    """Lines wider than ``width`` wrapped at spaces (a number is one word: never cut across lines)."""
    if width < 1:
        return lines
    out: list[Text] = []
    for line in lines:
        if line.cell_len <= width:
            out.append(line)
            continue
        from rich.console import Console

        out += list(line.wrap(Console(width=width, color_system=None), width, overflow="fold"))
    return out


def _hidden(view, *ids: str) -> bool:
    return any(i in view.hidden for i in ids)


def _vec(view, v, name: str, width: int, rows: int | None, digits: int, *ids: str, style: str = "bold",
         bounds: tuple[float, ...] = ()) -> Block:
    """A vector as a labelled column (``bounds``: a gate's open interval, see matrix.near)."""
    return Block(grid(v, digits, width=width, height=rows, hidden=_hidden(view, *ids), bounds=bounds),
                 Text(name, style=style))


def _row(view, v, name: str, width: int, digits: int, *ids: str, style: str = "bold") -> Block:
    """A vector as a labelled row (an input transposed, a list of losses)."""
    return Block(grid(np.asarray(v, dtype=float)[None, :], digits, width=width, hidden=_hidden(view, *ids)),
                 Text(name, style=style))


def _mat(view, M, name: str, width: int, rows: int | None, digits: int, *ids: str, footer: Text | None = None,
         marks=None, style: str = "bold") -> Block:
    return Block(grid(M, digits, width=width, height=rows, hidden=_hidden(view, *ids), marks=marks),
                 Text(name, style=style), footer)


def _relation(view, again, value, digits: int, vid: str) -> str:
    """"=" between grids when the printed inputs give every printed entry of ``value``, else "≈"; ``again``
    redoes the formula from its inputs as printed (``again(P)`` with P rounding an array to ``digits``).
    A value hidden in a drill keeps "=" (a "≈" would hint at its last digit)."""
    if _hidden(view, vid):
        return "="

    def P(v):
        return np.vectorize(lambda e: printed(float(e), digits), otypes=[float])(np.asarray(v, dtype=float))

    with np.errstate(all="ignore"):
        redone = np.ravel(again(P))
    return "=" if all(relation(float(r), float(v), digits) == "=" for r, v in zip(redone, np.ravel(value))) else "≈"


def claimed_recursive(view) -> list[str]:
    """The recursive-view values (``backward.dL_dO[k]``, ``backward.dL_da[k]``) a worked example states at
    this step, whole-vector ids in the order stated: the step must show them whatever the room."""
    out: list[str] = []
    for result in view.claims.get(view.cursor, ()):
        if result.id.startswith("backward."):
            whole = result.id.split("]")[0] + "]"
            if whole not in out:
                out.append(whole)
    return out


def _summary_line(view, name: str, M, *ids: str, width: int | None = None, bounds: tuple[float, ...] = ()) -> Text:
    """``name = [0.3 0 0.1]`` when the entries fit ``width`` on one line, else
    ``name: 3×3  ‖·‖ = …  max |·| at [i,j] = …`` (a vector's shape as ``3-vector``: a bare 3 would
    read as the value), shorter parts first given up to fit ``width``."""
    if _hidden(view, *ids):
        return Text(f"{name}: ", style="bold").append("?", style="bold cyan")
    entries = _entries_line(name, M, view.digits, bounds)
    if entries is not None and (width is None or entries.cell_len <= width):
        return entries
    out = Text(f"{name}: ", style="bold")
    room = None if width is None else max(1, width - out.cell_len)
    return out.append_text(summary(M, view.digits, room))


def _entries_line(name: str, M, digits: int, bounds: tuple[float, ...] = ()) -> Text | None:
    """``name = [0.3 0 0.1]`` (a matrix's rows separated by ;), or None past a few entries."""
    M = np.asarray(M, dtype=float)
    if M.ndim > 2 or M.size > 16:
        return None
    rows = M.reshape(1, -1) if M.ndim < 2 else M
    out = Text(f"{name} = ", style="bold").append("[")
    for r, row in enumerate(rows):
        if r:
            out.append("; ")
        out.append(" ".join(near(nt.fmt(float(v), digits), bounds) for v in row),
                   style="" if np.isfinite(row).all() else "bold red")
    return out.append("]")


# ----------------------------------------------------------------------------- forward

def _forward(view, width: int, height: int) -> list:
    tape, t = view.tape, view.step.t
    s = tape.scenario
    sub, prev = nt.sub(t), nt.sub(t - 1)
    ids = (f"forward.a[{t}]", f"forward.O[{t}]")
    formula = together([Text(f"a{sub} = W·x{sub} + W′·O{prev} + b,"), Text(f"O{sub} = {s.activation}(a{sub})")],
                       width, style="bold")
    head = list(formula)
    if t == 1:
        zero = not np.any(tape.O_prev[0])
        noted = any("O₀" in text for text in view.notes.get(view.cursor, ()))  # a note on O₀ says it: once
        head.append(Text(("O₀ = 0" + ("" if noted else ": the recurrent part vanishes")) if zero
                         else "O₀: the starting state (h0 in the file)", style="italic"))
    rows = max(1, height - len(head) - 1)
    x, O_prev, a, O = tape.x[t - 1], tape.O_prev[t - 1], tape.a[t - 1], tape.O[t - 1]
    w = tape.weights

    @cache  # shared by the renderings tried at the same digits
    def vectors(d: int) -> list:
        return [_vec(view, a, f"a{sub}", width, rows, d, ids[0]), "→", _vec(view, O, f"O{sub}", width, rows, d, *ids),
                _vec(view, tape.f_prime[t - 1], f"f′(a{sub})", width, rows, d, *ids, f"forward.f_prime[{t}]",
                     style="dim")]

    def rich(d: int) -> list[Text]:
        sign = _relation(view, lambda P: P(w["w"]) @ P(x) + P(w["w_prime"]) @ P(O_prev) + P(w["b"]), a, d, ids[0])
        return head + hstack([_mat(view, w["w"], "W", width, rows, d), "·", _vec(view, x, f"x{sub}", width, rows, d),
                              "+", _mat(view, w["w_prime"], "W′", width, rows, d), "·",
                              _vec(view, O_prev, f"O{prev}", width, rows, d), "+",
                              _vec(view, w["b"], "b", width, rows, d), sign] + vectors(d), width)

    def compact(d: int) -> list[Text]:
        return head + hstack([_vec(view, O_prev, f"O{prev}", width, rows, d), "→"] + vectors(d), width)

    def plain(d: int) -> list[Text]:
        return formula + [_summary_line(view, f"a{sub}", a, ids[0], width=width),
                              _summary_line(view, f"O{sub}", O, *ids, width=width)]

    def inputs(d: int, answers: bool = True, formula: bool = True) -> list[Text]:
        """A drill asking for a or O: the formula's inputs, W and W′ as grids and the vectors on one
        line each, never the answer (the compact rendering would show only O_{t−1} and question marks)."""
        vectors = [_entries_line(f"x{sub}", x, d), _entries_line("b", w["b"], d),
                   _entries_line(f"O{prev}", O_prev, d)]
        if any(v is None for v in vectors):
            return [Text("")] * (height + 1)  # too many entries for a line: does not fit
        x_b = vectors[0].copy().append("   ").append_text(vectors[1])
        lines = [x_b] if x_b.cell_len <= width else vectors[:2]
        lines.append(vectors[2])
        lines += hstack([_mat(view, w["w"], "W", width, rows, d), " ",
                         _mat(view, w["w_prime"], "W′", width, rows, d)], width)
        if not answers:  # a short box: the question line below says what is asked (and its formula)
            return head[:1] + lines if formula else lines
        shown = [_summary_line(view, f"a{sub}", a, ids[0], width=width),
                 _summary_line(view, f"O{sub}", O, *ids, width=width)]
        both = shown[0].copy().append("   ").append_text(shown[1])
        return head[:1] + lines + ([both] if both.cell_len <= width else shown)

    # a drill: the inputs before the compact view (with a answered, a line shows it above O's question)
    drill = ([(inputs, True), (partial(inputs, answers=False), True),
              (partial(inputs, answers=False, formula=False), True)] if _hidden(view, *ids) else [])
    return [(rich, False)] + drill + [(compact, True), (plain, False)]


def _gated_forward(view, width: int, height: int) -> list:
    """A gated cell's forward step (SPEC §8): the cell's equations, then x_t and each gate's pre-activation
    (aⁱ_t … of a_t, and ãʳ_t … of ã_t for the GRU), each gate, c_t and O_t — the numbers a student checks
    aⁱ_t = W·x_t + b + W′·O_{t−1} + b′ with, whole or correctly rounded, or a one-line summary at n large."""
    tape, t = view.tape, view.step.t
    sub = nt.sub(t)
    cell = tape.cell
    head = together([Text(line) for line in cell.EQUATIONS], width, style="bold")
    rows = max(1, height - len(head) - 1)
    n = tape.n
    x = (f"x{sub}", tape.x[t - 1], f"forward.x[{t}]")
    sides = [("a", tape.a[t - 1], f"forward.a[{t}]")]
    if tape.a_prime is not None:
        sides.append(("ã", tape.a_prime[t - 1], f"forward.a_prime[{t}]"))
    # one line of the step per gate: its pre-activation(s), then the gate
    per_gate = [[(f"{side}{nt.GATE_SUPERSCRIPT[g]}{sub}", value[j * n:(j + 1) * n], vid) for side, value, vid in sides]
                + [(f"{g}{sub}", tape.gates[g][t - 1], f"forward.gate.{g}[{t}]")] for j, g in enumerate(cell.GATES)]
    # a gate is never exactly at its bounds (σ in (0, 1), tanh in (−1, 1)): a rounded 1 is written ≈1
    bounds = {f"{g}{sub}": (0.0, 1.0) if "σ(" in cell.GATE_FORMULAS[g] else (-1.0, 1.0) for g in cell.GATES}
    state = ([(f"c{sub}", tape.c[t - 1], f"forward.c[{t}]")] if tape.c is not None else []) \
        + [(f"O{sub}", tape.O[t - 1], f"forward.O[{t}]")]

    def columns(d: int) -> list[Text]:
        def band(named) -> list[Text]:
            pieces: list = []
            for name, value, vid in named:
                pieces += ([" "] if pieces else []) + [_vec(view, value, name, width, rows, d, vid,
                                                            bounds=bounds.get(name, ()))]
            return hstack(pieces, width)

        pre = [x] + [piece for gate in per_gate for piece in gate[:-1]]
        return head + band(pre) + band([gate[-1] for gate in per_gate] + state) + rtrl(d)

    def values() -> list[Text]:
        lines = [_summary_line(view, *x, width=width)]
        for gate in per_gate:
            lines += together([_summary_line(view, name, value, vid, width=width, bounds=bounds.get(name, ()))
                               for name, value, vid in gate], width, gap="  ")
        return lines + [_summary_line(view, name, value, vid, width=width) for name, value, vid in state]

    def plain(d: int) -> list[Text]:
        return head + values() + rtrl(d)

    def short(d: int) -> list[Text]:  # a short box: a_t's equation above its numbers, the gates' formulas go
        return together([Text(cell.EQUATIONS[0])], width, style="bold") + values() + rtrl(d)

    def rtrl(d: int) -> list[Text]:  # SPEC §9: RTRL carries P_t forward with the state
        if tape.rtrl is None or tape.rtrl.history is None:
            return []
        from .rtrl_step import rtrl_lines

        return rtrl_lines(view, t, width, d)

    if tape.rtrl is not None and tape.rtrl.history is not None:  # a short box keeps P_t's update over the gates
        return [(columns, True), (plain, True), (short, True), (lambda d: head[:1] + rtrl(d), True), (rtrl, True)]
    return [(columns, True), (plain, False), (short, False)]


# ----------------------------------------------------------------------------- output and loss

def _output(view, width: int, height: int) -> list:
    tape, t = view.tape, view.step.t
    s = tape.scenario
    i = tape.target_position[t]
    sub = nt.sub(t)
    ids = (f"outputs.z[{t}]", f"outputs.yhat[{t}]", f"outputs.loss[{t}]")
    head = together([Text(f"z{sub} = W_out·O{sub} + b_out,"), Text(f"ŷ{sub} = {s.output_activation}(z{sub})")], width,
                    style="bold")
    hidden = _hidden(view, ids[2])
    value = Text("= ", style="bold").append("?" if hidden else nt.fmt(float(tape.losses[i]), view.digits),
                                           style="bold cyan" if hidden else "bold")
    parts = [Text(f"ℓ{sub} = {s.loss}(ŷ{sub}, y{sub})", style="bold")]
    if not hidden and not _hidden(view, ids[1]) and (np.size(tape.yhat[i]) <= 3 or s.loss == "cross_entropy" and np.count_nonzero(tape.y[i]) <= 2):  # the loss with its numbers
        numbers, again = nt.loss_substituted(s.loss, tape.yhat[i], tape.y[i], view.digits)
        sign = relation(again, float(tape.losses[i]), view.digits)
        parts.append(Text(f"= {numbers}"))
        value = Text(f"{sign} ", style="bold").append(nt.fmt(float(tape.losses[i]), view.digits), style="bold")
    loss = together(parts + [value], width, gap=" ")
    if s.loss == "cross_entropy" and tape.g.name == "softmax" and not _hidden(view, ids[1]):
        loss += together([Text(f"∂ℓ/∂ŷ·∂ŷ/∂z = ŷ{sub} − y{sub}", style="dim"),
                          Text("= [" + ", ".join(nt.fmt(float(v), view.digits) for v in
                                                 np.ravel(tape.yhat[i] - tape.y[i])) + "]", style="dim"),
                          Text("(softmax with cross-entropy, Σy = 1)", style="dim")], width, gap=" ")
    rows = max(1, height - 1 - len(head) - len(loss))
    w = tape.weights

    @cache  # shared by the renderings tried at the same digits
    def tail(d: int) -> list:
        return [_vec(view, tape.z[i], f"z{sub}", width, rows, d, ids[0]), "→",
                _vec(view, tape.yhat[i], f"ŷ{sub}", width, rows, d, ids[0], ids[1]), "vs",
                _vec(view, tape.y[i], f"y{sub}", width, rows, d, style="")]

    def rich(d: int) -> list[Text]:
        sign = _relation(view, lambda P: P(w["w_out"]) @ P(tape.O[t - 1]) + P(w["b_out"]), tape.z[i], d, ids[0])
        return head + hstack([_mat(view, w["w_out"], "W_out", width, rows, d), "·",
                                _vec(view, tape.O[t - 1], f"O{sub}", width, rows, d), "+",
                                _vec(view, w["b_out"], "b_out", width, rows, d), sign] + tail(d), width) + loss

    def compact(d: int) -> list[Text]:
        return head + hstack(tail(d), width) + loss

    def plain(d: int) -> list[Text]:
        return head + [_summary_line(view, f"ŷ{sub}", tape.yhat[i], ids[0], ids[1], width=width),
                _summary_line(view, f"y{sub}", tape.y[i], width=width)] + loss

    # a drill asking z_t: its inputs W_out, O_t and b_out on screen whatever else gives way (ŷ and y are
    # later questions' inputs): side by side, or W_out above O_tᵀ and b_outᵀ
    def inputs(d: int) -> list[Text]:
        return head + hstack([_mat(view, w["w_out"], "W_out", width, rows, d), "·",
                              _vec(view, tape.O[t - 1], f"O{sub}", width, rows, d), "+",
                              _vec(view, w["b_out"], "b_out", width, rows, d)], width) + loss

    def stacked(d: int) -> list[Text]:
        return (head + _mat(view, w["w_out"], "W_out", width, rows, d).rows()
                + hstack([_row(view, tape.O[t - 1], f"O{sub}ᵀ", width, d)], width)
                + hstack([_row(view, w["b_out"], "b_outᵀ", width, d)], width) + loss)

    if _hidden(view, ids[0]):
        return [(rich, True), (inputs, True), (stacked, True), (compact, True), (plain, False)]
    return [(rich, False), (compact, True), (plain, False)]


def _loss(view, width: int, height: int) -> list:
    tape = view.tape
    total = Text("L = " + ("ℓ(ŷ, y)" if tape.single_target else "Σₜ ℓₜ") + " = ", style="bold")
    total.append("?" if _hidden(view, "loss") else nt.fmt(tape.loss, view.digits), style="bold")
    after = Text("Next: the backward pass. Each gradient is a sum of outer products δ(t,k)ᵀ·inputᵀ, one per "
                 "path from a loss back to a use of the weight — nearest path first.", style="italic")

    def lines(d: int) -> list[Text]:
        out = [total]
        if not tape.single_target:
            out += hstack([_row(view, tape.losses, "ℓₜ", width, d)], width)
        return out

    asked = next((t for t in range(tape.T, 0, -1)
                  if _hidden(view, f"backward.dL_dO[{t}]", f"backward.dL_da[{t}]")), None)
    if asked is not None:  # a drill's recursive-view question: its inputs, whatever else gives way
        def inputs(d: int) -> list[Text]:
            return [total] + _recursive_inputs(view, asked, width, height - 1, d)

        return [(inputs, True), (lambda d: lines(d) + _recursive_inputs(view, asked, width, height - 1 - len(lines(d)), d),
                                 True), (lines, True), (lambda d: [total], False)]
    return [(lambda d: lines(d) + [Text("")] + _wrap(after, width), False), (lines, True), (lambda d: [total], False)]


def _recursive_inputs(view, t: int, width: int, height: int, digits: int) -> list[Text]:
    """What ∂L/∂O_t = ∂ℓ_t/∂z_t·W_out + ∂L/∂a_{t+1}·W′ (or ∂L/∂a_t = ∂L/∂O_t ⊙ f′(a_t)) is made of, as
    rows and grids: a drill asks them at L's step, which otherwise shows neither W′ nor f′."""
    tape, w, sub = view.tape, view.tape.weights, nt.sub
    rows = max(1, height - 4)
    if _hidden(view, f"backward.dL_dO[{t}]"):
        pieces: list = []
        if t in tape.target_position:
            i = tape.target_position[t]
            pieces += [_row(view, tape.to_z[i], f"∂ℓ{sub(t)}/∂z{sub(t)}", width, digits), "·",
                       _mat(view, w["w_out"], "W_out", width, rows, digits)]
        if t < tape.T:
            pieces += (["+"] if pieces else []) + [_row(view, tape.dL_da[t], f"∂L/∂a{sub(t + 1)}", width, digits), "·",
                                                   _mat(view, w["w_prime"], "W′", width, rows, digits)]
        side = hstack(pieces, width)
        if all(line.cell_len <= width for line in side) and len(side) <= height:
            return side
        # too wide: each product on its own lines, the row vector as a column (its entries) beside the matrix
        out: list[Text] = []
        if t in tape.target_position:
            i = tape.target_position[t]
            out += hstack([_vec(view, tape.to_z[i], f"(∂ℓ{sub(t)}/∂z{sub(t)})ᵀ", width, rows, digits),
                           _mat(view, w["w_out"], "W_out", width, rows, digits)], width)
        if t < tape.T:
            out += hstack([_vec(view, tape.dL_da[t], f"(∂L/∂a{sub(t + 1)})ᵀ", width, rows, digits),
                           _mat(view, w["w_prime"], "W′", width, rows, digits)], width)
        return out
    return hstack([_row(view, tape.dL_dO[t - 1], f"∂L/∂O{sub(t)}", width, digits), "⊙",
                   _row(view, tape.f_prime[t - 1], f"f′(a{sub(t)})", width, digits)], width)


def together(parts: list[Text], width: int, gap: str = "   ", style: str = "") -> list[Text]:
    """``parts`` on one line, or on as many as they need, each part whole: a label never leaves its number
    (``η =`` / ``0.1``); a part wider than ``width`` alone is wrapped at its spaces."""
    lines: list[Text] = []
    for part in parts:
        if lines and lines[-1].cell_len + len(gap) + part.cell_len <= width:
            lines[-1].append(gap)
            lines[-1].append_text(part)
        else:
            lines.append(part.copy())
    out: list[Text] = []
    for line in lines:
        line.stylize(style)
        out += [line] if line.cell_len <= width else _wrap(line, width)
    return out


def _wrap(text: Text, width: int) -> list[Text]:
    from rich.console import Console

    return list(text.wrap(Console(width=width, color_system=None), width))


# ----------------------------------------------------------------------------- a backward term

def factor_norms(view, param: str, term: int) -> tuple[list[tuple[int, object]], list[float], float]:
    """Every factor's index, the factors themselves for the first three and last two (None between:
    a path far back has thousands), every factor's ‖·‖₂, and log₁₀ of their product."""
    tape = view.tape
    count = tape.factor_count(param, term)
    shown = set(range(count)) if count <= 8 else set(range(3)) | {count - 2, count - 1}
    factors = [(i, tape.factor(param, term, i) if i in shown else None) for i in range(count)]
    jacobians = nm.jacobian_norms(tape)
    step = view.step
    norms = []
    first_block = 1 if getattr(tape, "cell", None) is not None else 3  # a gated cell: ∂ℓ/∂s_t, J_t, … (SPEC §8)
    for i, f in factors:
        if f is None or f.kind in ("backprop", "block"):
            j = step.t - (i - first_block)  # ∂O_j/∂O_{j−1} (or J_j), stepping back from t
            norms.append(float(jacobians[j - 1]))
        else:
            norms.append(nm.spectral_norm(f.value))
    with np.errstate(divide="ignore", invalid="ignore"):
        ends = [float(np.log10(v)) for (i, f), v in zip(factors, norms)
                if f is not None and f.kind not in ("backprop", "block")]
    log_product = sum(ends)
    if step.k is not None:
        log_product += nm.backprop_log10(tape, step.t, step.k)
    return factors, norms, log_product


def _chain(view, width: int, factors, norms, log_product: float, delta_norm: float, name: str,
           hidden: bool) -> list[Text]:
    """δ's factors in a row, each symbol over its ‖·‖₂ (the middle of a long path as ⋯ N more ⋯), then
    ∏‖·‖₂ beside ‖δ‖, which it bounds."""
    def cells(keep: int) -> list[tuple[Text, Text]]:
        count = len(factors)
        head, tail = (count, 0) if count <= keep else (max(1, min(3, keep - 2)), min(2, keep - 1))  # made ones only
        out: list[tuple[Text, Text]] = []
        for n, ((i, f), norm) in enumerate(zip(factors, norms)):
            if head <= n < count - tail:
                if n == head:
                    out.append((Text(f"⋯ {count - head - tail} more ⋯", style="dim"), Text("")))
                continue
            symbol = f.symbol if f is not None else ""
            style = USE if f.kind in ("activation", "gate_partial", "gate_partial_h") else \
                (PATH if f.kind in ("backprop", "block") else "")
            out.append((Text(symbol, style=style), Text(nt.fmt(norm, 3), style="dim")))
        return out

    def lay(row: list[tuple[Text, Text]]) -> tuple[Text, Text]:
        top, bottom = Text(), Text()
        for n, (symbol, norm) in enumerate(row):
            w = max(symbol.cell_len, norm.cell_len)
            if n:
                top.append("·", style="dim")
                bottom.append(" ")
            top.append_text(symbol)
            top.append(" " * (w - symbol.cell_len))
            bottom.append(" " * (w - norm.cell_len))
            bottom.append_text(norm)
        return top, bottom

    for keep in (min(len(factors), 8), 6, 4, 2):
        top, bottom = lay(cells(keep))
        if top.cell_len <= width:
            break
    lines = [top, bottom]
    product = Text("∏‖·‖₂ = ", style="dim")
    product.append(nm.power_text(log_product, 3), style="bold")
    product.append(f"  ≥  ‖{name}‖ = ", style="dim")
    product.append("?" if hidden else nt.fmt(delta_norm, 3), style="bold")
    lines.append(product if product.cell_len <= width else Text("∏‖·‖₂ = ", style="dim").append(
        nm.power_text(log_product, 3), style="bold"))
    return lines


def _term(view, width: int, height: int) -> list:
    tape, step = view.tape, view.step
    param, i = step.param, step.term
    table = tape.gradients[param]
    recurrent = step.k is not None  # w_prime, w, b (and a gated cell's b_prime)
    at = where(step)
    base = f"gradients.{param}"
    term_id, delta_id = f"{base}.term{at}", f"{base}.delta{at}"
    # δ and ‖δ‖ are hidden while δ is asked; its factors (the inputs of δ's formula) and their norms are
    # not. A term or a running sum asked after δ shows it: a value answered or revealed stays on screen
    # (the drill's term question hides δ itself where δ is not asked on its own, as ∂ℓ/∂z for ∂L/∂W_out)
    hidden = _hidden(view, delta_id)
    delta = table.delta(i)
    factors, norms, log_product = factor_norms(view, param, i)
    with np.errstate(all="ignore"):
        delta_norm = float(np.linalg.norm(delta)) if np.isfinite(delta).all() else float("nan")
    name = f"δ{at}" if recurrent else f"∂ℓ{nt.sub(step.t)}/∂z{nt.sub(step.t)}"
    chain = _chain(view, width, factors, norms, log_product, delta_norm, name, hidden)
    notes: list[Text] = []
    if table.truncated[i]:
        notes.append(Text(f"truncated: t − k = {step.t - step.k} ≥ K = {tape.scenario.truncate}; "
                          "computed but NOT added to the running sum", style="bold yellow"))
    left_out = tape.left_out_line(step.t, step.k) if hasattr(tape, "left_out_line") and recurrent else ""
    if left_out:  # a TBPTT chunk's last kept term of this target (methods/chunk_tape.py)
        notes.append(Text(left_out, style="bold yellow"))
    split = tape.detached.get(param) if hasattr(tape, "detached") and i == len(table) - 1 else None
    if split is not None and split.left_terms:  # the chunk's last term: what it left out, as numbers (detached.py)
        notes.append(_summary_line(view, f"left out k < {tape.chunk.reach} (full BPTT, starting weights)",
                                   split.left_out, width=width))
    for claimed in claimed_recursive(view):  # a worked example states it here: it stays on screen
        k = int(claimed.split("[")[1].split("]")[0])
        name, value = (f"∂L/∂O{nt.sub(k)}", tape.dL_dO[k - 1]) if "dL_dO" in claimed else \
            (f"∂L/∂a{nt.sub(k)}", tape.dL_da[k - 1])
        notes.append(_summary_line(view, name, value, claimed, width=width))
    shares = carry_lines(view, table, i, width)  # a gated cell: δ = carry + rest (SPEC §8)
    notes = notes + shares  # the carry and the rest stay in every rendering: what a gated term is about
    rows = max(1, height - len(chain) - len(notes) - 1)
    input_vec = table.input(i)
    input_name = INPUT.get(param, "").format(nt.sub(step.k - 1 if param == "w_prime" else (step.k or step.t)))
    formula = f"term{at} = {name}ᵀ" + (f"·{input_name}" if input_name else "")
    # whole or not at all: wrapped, "term[12,12] = / δ[12,12]ᵀ·x₁₂ᵀ" read as a second δ heading
    head = Text(next((h for h in (f"{name} = the product of its factors;  {formula}", formula, f"term{at}")
                      if len(h) <= width), f"term{at}"), style="bold")
    value = table.value[i]

    @cache  # shared by the renderings tried at the same digits
    def outer(d: int) -> list[Text]:
        if input_vec is None:
            delta_block = _vec(view, delta, f"{name}ᵀ", width, rows, d, delta_id, term_id)
            return hstack([delta_block, "=", Block(delta_block.lines, Text("term", style="bold"))], width)
        return outer_product(view, delta, input_vec, value, f"{name}ᵀ", input_name, f"term{at}", width, rows, d,
                             (delta_id,), (term_id,))

    @cache  # shared by the renderings tried at the same digits
    def matrices(d: int) -> list[Text]:
        pieces: list = []
        for n, ((j, f), norm) in enumerate(zip(factors, norms)):
            if f is None:
                if not (pieces and pieces[-1] == "⋯"):
                    pieces += ["·", "⋯"]
                continue
            footer = Text("‖·‖₂ " + nt.fmt(norm, 3), style="dim")
            pieces += (["·"] if pieces else []) + [Block(grid(f.value, d, width=width, height=rows),
                                                        Text(f.symbol, style="bold"), footer)]
        return hstack(pieces, width)

    @cache  # shared by the renderings tried at the same digits
    def recursive(d: int) -> list[Text]:
        if not recurrent or view.hidden:  # in a drill it would give the factors away
            return []
        k = step.k
        return hstack([_vec(view, tape.dL_da[k - 1], f"∂L/∂a{nt.sub(k)} (every path)", width, rows, d,
                            style="dim")], width)

    summaries = [_summary_line(view, name, delta, delta_id, width=width),
                 _summary_line(view, f"term{at}", value, term_id, width=width)]
    if input_vec is not None:
        summaries.insert(1, _summary_line(view, input_name.rstrip("ᵀ"), input_vec, width=width))
    # the factor matrices need at least their tallest grid plus label and footer, the outer product
    # δ's rows plus two: skip renderings that cannot fit without drawing them (n = 8 has 8×8 factors)
    shapes = [np.atleast_2d(f.value).shape for _, f in factors if f is not None]
    tallest = max((r for r, _ in shapes), default=1)
    narrowest_total = sum(c * 3 + 3 + 3 for _, c in shapes)  # each cell at least a digit and its gutter
    bands = -(-narrowest_total // max(1, width))
    least = len(chain) + len(notes) + bands * (min(rows, tallest) + 2) + len(delta) + 2
    if least > height:
        matrices = None  # noqa: F811 - no room: the renderings with factor matrices are left out
    @cache  # shared by the renderings tried at the same digits
    def inputs(d: int) -> list[Text]:
        """A drill asking for δ(t,k) of ∂L/∂W′: the inputs of its formula, never δ. For k = t,
        ∂ℓ_t/∂z_t, W_out and f′(a_t); further back, δ(t,k+1) (asked before), W′ and f′(a_k)."""
        t, k, w = step.t, step.k, tape.weights
        if k == t:
            first = _entries_line(f"∂ℓ{nt.sub(t)}/∂z{nt.sub(t)}", tape.to_z[tape.target_position[t]], d)
            matrix = _mat(view, w["w_out"], "W_out", width, rows, d)
        else:
            first = _entries_line(f"δ[{t},{k + 1}]", table.delta(i - 1), d)
            matrix = _mat(view, w["w_prime"], "W′", width, rows, d)
        fprime = _entries_line(f"f′(a{nt.sub(k)})", tape.f_prime[k - 1], d)
        if first is None or fprime is None:
            return [Text("")] * (height + 1)  # too many entries for a line: does not fit
        return [first, fprime] + hstack([matrix], width)

    drill = [] if not (recurrent and param == "w_prime" and hidden and not table.truncated[i]) else [
        (lambda d: chain + notes + inputs(d) + outer(d), True),
        (lambda d: chain[:2] + notes + inputs(d), True),
        (lambda d: notes + inputs(d), True),
    ]
    # with the factor matrices: δ and the term keep the most digits (they are what a student adds to Σ
    # before to check Σ after), then the head line, then the matrices' digits give way
    tries = [view.digits] + [d for d in (4, 3) if d < view.digits]
    forms = [lambda od, md: [head] + chain + notes + matrices(md) + outer(od) + recursive(od),
             lambda od, md: [head] + chain + notes + matrices(md) + outer(od),
             lambda od, md: chain + notes + matrices(md) + outer(od)]
    with_matrices = [(lambda _d, form=form, od=od, md=md: form(od, md), False)
                     for od in tries for form in forms for md in tries if md <= od] if matrices is not None else []
    bound, factors_line = "∏‖·‖₂ ≥ ‖δ‖", "the factors"
    return with_matrices + drill + [  # no room for the factor matrices: a drill shows δ's inputs
        (lambda d: chain + notes + outer(d), True),
        # a short box keeps the outer product before ∏‖·‖₂; what gives way is said, never dropped silently
        (lambda d: chain[:-1] + notes + outer(d) + no_room(width, bound), True),
        (lambda d: notes + outer(d) + no_room(width, factors_line, bound), True),
        (lambda d: chain + notes + summaries, False),
        (lambda d: chain[:2] + notes + summaries[-1:] + no_room(width, bound, "δ"), False),
        # the carry and the rest (what a gated term is about) win over the factors and the bound
        (lambda d: notes + summaries[-1:] + no_room(width, factors_line, bound, "δ"), False),
    ]


def no_room(width: int, *parts: str) -> list[Text]:
    """A dim line saying what a short box left out of the step (a taller terminal shows it)."""
    said = ", ".join(parts)
    for text in (f"⋮ no room here for {said} (a taller terminal shows them)", f"⋮ no room here for {said}",
                 f"⋮ left out: {said}", f"⋮ {len(parts)} more line{'s' if len(parts) > 1 else ''}", "⋮"):
        if len(text) <= width:
            return [Text(text, style="dim")]
    return [Text("⋮", style="dim")]


def carry_lines(view, table, i: int, width: int) -> list[Text]:
    """A gated cell's term split (SPEC §8): δ's carry and rest, each its row and ‖·‖, and
    ‖carry‖/‖term‖ (the same input on both sides, so ‖carry‖/‖δ‖): a ratio of norms, not a share that adds
    up (carry + rest = term as vectors, so the norms do not add); [] for the plain cell. A term that is
    exactly 0 (its input is 0, or δ is) has no ratio: the line says the term is 0 and why (δ's rows stay)."""
    tape, step = view.tape, view.step
    if table.carry_rows is None or step.k is None or view.hidden:
        return []
    carry, rest, delta = table.carry(i), table.rest(i), table.delta(i)
    with np.errstate(all="ignore"):
        norms = [float(np.linalg.norm(v)) for v in (carry, rest, delta)]
    input_vec = table.input(i)
    if input_vec is not None and not np.any(input_vec):  # term = δᵀ·0 = 0: a ratio would be δ's, not the term's
        name = INPUT.get(step.param, "").format(nt.sub(step.k - 1 if step.param == "w_prime" else step.k))
        share = Text(f"term = 0 (its input {name.rstrip('ᵀ')} = 0): ‖carry‖/‖term‖ undefined; the rows above are δ's",
                     style="dim")
    elif not norms[2]:
        share = Text("term = 0: δ = 0, so no ratio", style="dim")
    else:
        fraction = norms[0] / norms[2]
        share = Text("‖carry‖/‖term‖ = ", style="dim")
        share.append(nt.fmt(fraction, 3), style="bold")
        if fraction > 1:  # the rest points against the carry: ‖carry‖ exceeds ‖term‖
            share.append(" (the rest points against the carry)", style="dim")
    diag = {"lstm": "f", "gru": "u"}[tape.cell.NAME]
    # δ's rows (as the LaTeX export's carry(t,k), rest(t,k)), not the term's: the chart and the triangle show
    # ‖carry term‖ = ‖carry of δ‖·‖input‖, so a bare "carry" here would be compared with the wrong number
    lines = _share_lines(view, "carry of δ", carry, width) + _share_lines(view, "rest of δ", rest, width)
    if step.t > step.k:
        along = tape.carry_factor(step.t, step.k)
        product = Text(f"∏ {diag}_j (j = {step.k + 1}…{step.t})", style="dim")
        product.append_text(Text(": ") if along.size > 1 else Text(" = "))
        product.append(" ".join(nt.fmt(float(v), 3) for v in along[:4]) + (" …" if along.size > 4 else ""),
                       style="bold")
        if share.cell_len + 3 + product.cell_len <= width:  # one line, or the product on its own (never split)
            share.append("   ").append_text(product)
        else:
            return lines + _wrap(share, width) + _wrap(product, width)
    return lines + _wrap(share, width)


def _share_lines(view, name: str, M, width: int) -> list[Text]:
    """``name = [..]  ‖·‖ = …`` on one line; else on two, at the full digits or correctly rounded to 4 or 3
    (a gated term is about its carry and rest: their entries come before a summary); else the one-line
    summary. The row's ‖·‖ is always there (a note quotes ‖carry term‖; for b and b′ it is ‖carry‖)."""
    line = _summary_line(view, name, M, width=width)
    with np.errstate(all="ignore"):
        norm = Text("  ‖·‖ = ", style="dim").append(nt.fmt(float(np.linalg.norm(M)), view.digits), style="bold")
    for digits in [view.digits] + [d for d in (4, 3) if d < view.digits]:
        entries = _entries_line(name, M, digits)
        if entries is None:
            break
        wrapped = _wrap(entries, width)  # at spaces: every number whole
        if wrapped[-1].cell_len + norm.cell_len <= width:  # the norm, one piece, after the last entry
            wrapped[-1] = wrapped[-1].copy().append_text(norm)
        else:
            wrapped.append(norm[2:])
        if len(wrapped) <= 2:
            return wrapped
    return [line]  # the summary: ‖·‖ and max |·|


def outer_product(view, delta, input_vec, value, delta_name: str, input_name: str, term_name: str, width: int,
                  rows: int, digits: int, delta_ids: tuple[str, ...], term_ids: tuple[str, ...]) -> list[Text]:
    """δᵀ as a column on the left, the input as a row above the term, the term below it: each entry
    term[i,j] = δ_i·input_j sits on δ_i's row and under input_j's column."""
    term_hidden = _hidden(view, *term_ids)
    cell = max(number_width(input_vec, digits), number_width(value, digits))
    column = grid(delta, digits, width=width, height=rows, hidden=_hidden(view, *delta_ids))
    if column[0].cell_len + 3 + len(input_vec) * (cell + 1) + 3 > width:  # δ's column gives up digits too
        shown = input_vec if term_hidden else (input_vec, value)  # what shares the term's cells
        column = grid(delta, digits, width=min(width, 4 + _delta_cell(delta, shown, digits, cell, width, len(input_vec),
                                                                     len(delta_name), len(input_name))),
                      height=rows, hidden=_hidden(view, *delta_ids))
    left = max(c.cell_len for c in column + [Text(delta_name), Text(input_name)])
    room = max(8, width - left - 3)
    if len(input_vec) * (cell + 1) + 3 > room:  # rounded to fit, as the grid would
        cell = max(min(cell, max(narrowest(input_vec), narrowest(value))), (room - 3) // len(input_vec) - 1)
    top = grid(np.asarray(input_vec, dtype=float)[None, :], digits, width=room, cell=cell)
    below = grid(value, digits, width=room, height=rows, hidden=term_hidden, cell=cell)
    # the heading on one line: "term[12,12] = δ[12,12]ᵀ·x₁₂ᵀ" wrapped showed δ[12,12]ᵀ twice; the formula
    # gives way first (the grids below say it: δ's column times the input's row)
    gap = " " * (left - len(delta_name) + 3)
    heading = next((h for h in (term_name + " = " + delta_name + "·" + input_name, term_name)
                    if len(delta_name) + len(gap) + len(h) <= width), term_name)
    out = [Text(delta_name, style="bold").append(gap).append(heading, style="bold")]
    out.append(Text(input_name.rjust(left), style=USE).append("   ").append_text(top[0]))
    for y in range(max(len(column), len(below))):
        line = column[y].copy() if y < len(column) else Text()
        line.append(" " * (left - line.cell_len))
        line.append(" · " if y == (min(len(column), len(below)) - 1) // 2 else "   ", style="dim")
        if y < len(below):
            line.append_text(below[y])
        out.append(line)
    return out


def _shown_digits(values, digits: int, width: int) -> int:
    """The significant digits every value keeps in a cell ``width`` wide (0: not even one fits)."""
    flat = np.asarray(values, dtype=float).ravel().tolist()
    for fewer in range(digits, 0, -1):
        if all(len(nt.fmt(v, fewer)) <= width or len(nb.short_exponent(v, fewer)) <= width for v in flat):
            return fewer
    return 0


def _delta_cell(delta, beside, digits: int, cell: int, width: int, n: int, *names: int) -> int:
    """The width of δ's numbers in an outer product too wide for ``width``: the one that leaves δ and what
    shares the term's ``n`` columns (the input row; the term too where it is shown) the most significant
    digits, the fewest of them first (term = δ_i·input_j: a drill's student multiplies δ by the input for
    the next answer), and δ the more on a tie."""
    best, best_score = max(1, narrowest(delta)), (-1, -1)
    for w in range(number_width(delta, digits), max(1, narrowest(delta)) - 1, -1):
        left = max(w + 4, *names)
        c = min(cell, (max(8, width - left - 3) - 3) // n - 1)
        if c < 1:
            continue
        a = _shown_digits(delta, digits, w)
        b = min(_shown_digits(x, digits, c) for x in (beside if isinstance(beside, tuple) else (beside,)))
        if (min(a, b), a + b) > best_score:
            best, best_score = w, (min(a, b), a + b)
    return best


# ----------------------------------------------------------------------------- update

def _update(view, width: int, height: int) -> list:
    tape, param = view.tape, view.step.param
    s, u = tape.scenario, tape.updates[param]
    p = SYMBOL[param]
    new_id = f"update.{param}.new"
    gradient = nt.gradient_symbol(param, vector=True)
    rule = together([Text(f"{p}_new = {p}_old − η·" + (f"clip({gradient})" if s.clip else gradient) + ","),
                     Text(f"η = {nt.fmt(s.learning_rate, view.digits)}")], width, style="bold")
    rows = max(1, height - 2 - len(rule))
    clipped = np.asarray(u.clipped)
    marks = clipped != np.asarray(u.grad)
    grad_name = ("clip(∂L/∂" + p + ")") if s.clip else "∂L/∂" + p
    notes = [Text(f"▸ clipped to ±{nt.fmt(s.clip, view.digits)}", style="yellow")] if marks.any() and s.clip else []
    if tape.norm_clip is not None:  # SPEC §9: one scale for every parameter, the direction kept
        from ...methods.clipping import direction_text, norm_clip_text

        grad_name = f"{nt.fmt(tape.norm_clip.scale, view.digits)}·∂L/∂{p}"
        notes = [Text("▸ " + norm_clip_text(tape.norm_clip, lambda v: nt.fmt(v, view.digits)), style="yellow")]
        turn = direction_text(tape, lambda v: nt.fmt(v, view.digits))
        if turn:
            notes.append(Text("▸ " + turn, style="yellow"))
    if tape.chunks:  # TBPTT updated chunk by chunk (SPEC §9): the next epoch starts from its last weights
        notes.append(Text(f"▸ this is full BPTT's update; TBPTT updated {len(tape.chunks)} times, one per chunk; "
                          "the next epoch starts from its last weights", style="yellow"))
    keys = ([Text(f"press {view.update_key} to apply {nt.all_params(tape)} updates and run the next epoch", style="dim")]
            if view.update_key else [])  # a drill has no such key

    @cache  # shared by the renderings tried at the same digits
    def blocks(d: int) -> list[Text]:
        return hstack([_mat(view, u.old, f"{p} old", width, rows, d),
                       Text(f"− {nt.fmt(s.learning_rate, view.digits)}·"),
                       _mat(view, clipped, grad_name, width, rows, d, marks=marks),
                       _relation(view, lambda P: P(u.old) - P(s.learning_rate) * P(clipped), u.new, d, new_id),
                       _mat(view, u.new, f"{p} new", width, rows, d, new_id, style="bold green")], width)

    def listed(d: int) -> list[Text]:
        """Each array as its entries on a line (wrapped at spaces, never inside a number) where the
        grids side by side do not fit: a 4-vector is four numbers, not its norm."""
        lines = [_entries_line(f"{p} old", u.old, d), _entries_line(grad_name, clipped, d),
                 _summary_line(view, f"{p} new", u.new, new_id) if _hidden(view, new_id)
                 else _entries_line(f"{p} new", u.new, d)]
        if any(line is None for line in lines):
            return [Text("")] * (height + 1)  # too many entries: does not fit
        return rule + lines + notes

    plain = [_summary_line(view, grad_name, clipped, width=width), _summary_line(view, f"{p} new", u.new, new_id, width=width)]

    def new_grid(d: int) -> list[Text]:
        """The gradient's summary, then the new weights as a grid in the room there is (a window of rows
        and columns, ⇧↓ moves it): an n = 32 update is more than two norms over empty rows."""
        room = max(2, height - len(rule) - 1 - len(notes) - 1 - 1)  # the summary, the grid's label, its note
        return rule + plain[:1] + _mat(view, u.new, f"{p} new", width, room, d, new_id, style="bold green").rows() \
            + notes

    return [(lambda d: rule + blocks(d) + notes + keys, False), (lambda d: rule + blocks(d) + notes, True),
            (listed, True), (new_grid, True), (lambda d: rule + plain + notes, False)]
