"""The trace of a vector scenario (SPEC §7) as tables for the terminal.

Vectors print inline, matrices as aligned blocks of rows. Each term is shown by
what makes it: δ(t,k) (∂ℓ_t/∂a_k along one path), the vector it is multiplied
with (O_{k−1}, x_k or O_t) and ‖term‖ — the term itself is the outer product
δ·inputᵀ, and the totals and updated weights are printed whole as matrices.
"""

from __future__ import annotations

import math
import textwrap
from typing import Iterator

import numpy as np

from .. import notation as nt
from ..ids import PARAMS
from ..tape import Tape
from .table import Cell, Paint, grid, plain

_INPUT = {"w_prime": "O_k−1", "w": "x_k", "b": "", "w_out": "O_t", "b_out": ""}
_SYMBOL = nt.MATRIX_SYMBOL["unicode"]


def vector_text(v, digits: int) -> str:
    return "[" + ", ".join(nt.fmt(float(x), digits) for x in np.ravel(v)) + "]"


def matrix_lines(M, digits: int) -> list[str]:
    """A matrix as rows of right-aligned columns: [ 0.1  -0.25 ]."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    texts = [[nt.fmt(float(x), digits) for x in row] for row in M]
    widths = [max(len(row[j]) for row in texts) for j in range(M.shape[1])]
    return ["[ " + "  ".join(t.rjust(w) for t, w in zip(row, widths)) + " ]" for row in texts]


def _cell(v, digits: int) -> Cell:
    finite = bool(np.all(np.isfinite(v)))
    return (vector_text(v, digits) if np.ndim(v) else nt.fmt(float(v), digits), "" if finite else "bold red")


def vector_table_lines(tape: Tape, digits: int = 6, paint: Paint = plain) -> Iterator[str]:
    """The trace's tables line by line (without newlines; "" between parts), as table.table_lines."""
    s = tape.scenario
    n, m, q = s.sizes
    yield paint(s.name, "bold underline")
    yield paint(f"hidden size n = {n}, input size m = {m}, outputs q = {q}, T = {tape.T}", "bold")
    if s.description:
        for line in textwrap.wrap(" ".join(s.description.split()), 80):
            yield paint(line, "italic")
    c = lambda v: _cell(v, digits)  # noqa: E731
    yield ""
    yield from grid(
        paint, f"Forward pass   a_t = W·x_t + W′·O_t−1 + b,  O_t = {s.activation}(a_t)",
        ["t", "x_t", "a_t", "O_t"],
        lambda: ([(str(t), ""), c(tape.x[t - 1]), c(tape.a[t - 1]), c(tape.O[t - 1])] for t in range(1, tape.T + 1)),
        left=(1, 2, 3),
    )
    yield ""
    yield from grid(
        paint, f"Output and loss   ŷ_t = {s.output_activation}(W_out·O_t + b_out),  ℓ = {s.loss}",
        ["t", "z_t", "ŷ_t", "y_t", "ℓ_t"],
        lambda: ([(str(t), ""), c(tape.z[i]), c(tape.yhat[i]), c(tape.y[i]), c(tape.losses[i])]
                 for i, t in enumerate(tape.targets)),
        caption=f"L = {nt.fmt(tape.loss, digits)}", left=(1, 2, 3),
    )
    for param in PARAMS:
        table = tape.gradients[param]
        recurrent = table.k is not None

        def rows(table=table, recurrent: bool = recurrent, param: str = param) -> Iterator[list[Cell]]:
            for i in range(len(table)):
                cut = bool(table.truncated[i])
                row = [(str(int(table.t[i])), "")] + ([(str(int(table.k[i])), "")] if recurrent else [])
                norm = (nt.fmt(float(table.norms[i]), digits) + (" (truncated)" if cut else ""),
                        "dim" if cut else ("" if math.isfinite(table.norms[i]) else "bold red"))
                row += [c(table.delta(i))]
                if _INPUT[param]:
                    row += [c(table.input(i))]
                yield row + [norm]

        delta_name = "δ = ∂ℓ_t/∂a_k" if recurrent else "∂ℓ_t/∂z_t"
        headers = ["t"] + (["k"] if recurrent else []) + [delta_name] + ([_INPUT[param]] if _INPUT[param] else []) + ["‖term‖"]
        term = f"δ·{_INPUT[param]}ᵀ" if _INPUT[param] else "δ"
        total = matrix_lines(table.total, digits)
        caption = f"term = {term};  {nt.gradient_symbol(param)} = Σ terms =\n" + "\n".join("  " + line for line in total)
        skip = 2 if recurrent else 1
        yield ""
        yield from grid(paint, f"{nt.gradient_symbol(param)} term by term ({_SYMBOL[param]} is "
                        f"{'×'.join(map(str, np.shape(table.total)))})", headers, rows, caption=caption,
                        left=tuple(range(skip, len(headers) - 1)))
    rule = "p − η·clip(∂L/∂p)" if s.clip else "p − η·∂L/∂p"
    yield ""
    yield paint(f"Update   p_new = {rule},  η = {nt.fmt(s.learning_rate, digits)}"
                + (f",  clip = {nt.fmt(s.clip, digits)} (each entry)" if s.clip else ""), "bold")
    for p, u in tape.updates.items():
        yield f"{_SYMBOL[p]} new ="
        yield from ("  " + line for line in matrix_lines(u.new, digits))
    if tape.nonfinite:
        yield ""
        yield paint("⚠ some values overflowed to inf or nan (shown in red)", "bold red")
