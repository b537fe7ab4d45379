"""A vector scenario's derivation (SPEC §7) as Markdown or a standalone LaTeX document.

Matrices are written as matrices (``bmatrix``; Markdown carries the same maths in
``$$ … $$`` blocks). Each Jacobian ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′ is written once,
with its spectral norm, since every path through step j shares it; each term is
then its chain of symbols, δ(t,k), the vector it meets, their outer product and
the running sum Σ after it.
Both are generators of text chunks, so a long tape streams.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import numpy as np

from .. import notation as nt
from ..printed import agrees, printed_array
from ..ids import PARAMS, RECURRENT_PARAMS
from ..tape import Tape
from ..usertext import shown, shown_line
from .document_writer import TEX_PARAM, Writer, eq, update_and_end
from .gated_export import iter_gated_derivation
from .tex_layout import Atom, matrix, number, symbol, transposed

_INPUT = {"w_prime": ("O", -1), "w": ("x", 0), "w_out": ("O", 0)}


def bmatrix(value, digits: int, transpose_vector: bool = True) -> str:
    """A matrix as one bmatrix; a vector as a row with ᵀ (a column on its side). Whole, whatever its width."""
    return matrix(value, digits, transpose_vector).tex


def _tex_symbol(factor) -> str:
    return nt.factor_symbol(factor, "latex")


def chunk_count(tape: Tape) -> int:
    """How many chunks ``iter_vector_derivation`` yields, about (a progress bar's length)."""
    return 2 * tape.T + len(tape.targets) + sum(len(table) + 2 for table in tape.gradients.values()) + 16


def estimate_bytes(tape: Tape) -> int:
    """About how large the document is (±30 %): every entry written is about 14 bytes."""
    n, m, q = tape.scenario.sizes
    entries = tape.T * (3 * n + n * n + 12)  # a_t, O_t, the Jacobians
    for param, table in tape.gradients.items():
        width = {"w_prime": n, "w": m, "b": 0, "b_prime": 0, "w_out": n, "b_out": 0}[param]  # b′: a gated cell's
        rows = q if param in ("w_out", "b_out") else n
        entries += len(table) * (2 * rows + width + 2 * rows * max(width, 1) + 34)  # δ twice, input, term, Σ
    return 14 * entries


def iter_vector_derivation(tape: Tape, digits: int = 6, style: str = "markdown",
                           full_chains: bool = False) -> Iterator[str]:
    """The document in chunks; a chain of more than four steps back is shortened unless ``full_chains``."""
    if getattr(tape, "cell", None) is not None:  # an LSTM or a GRU (SPEC §8)
        yield from iter_gated_derivation(tape, digits, style, full_chains)
        return
    s = tape.scenario
    n, m, q = s.sizes
    w = Writer(style, digits)
    M = w.matrix
    if style == "latex":
        yield ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"
               "\\allowdisplaybreaks\n\\setcounter{MaxMatrixCols}{64}\n"
               "\\exhyphenpenalty=10000\n"  # no line break after a minus sign in text: -0.5, 9.4e-05 stay whole
               "\\begin{document}\n\n")
    yield w.heading(shown_line(s.name), 1)
    yield w.text(f"A hidden vector of size n = {n}, inputs of size m = {m}, q = {q} outputs, T = {tape.T} steps; "
                 f"f = {s.activation}, g = {s.output_activation}, loss = {s.loss}.")
    if s.description:
        yield w.text(" ".join(shown(s.description).split()))
    yield w.heading("Forward pass")
    yield w.math(eq("a_t", "W x_t + W' O_{t-1} + b"), eq("O_t", "f(a_t)"), eq("O_0", M(tape.O_prev[0])))
    for t in range(1, tape.T + 1):
        yield w.math(eq(f"a_{{{t}}}", M(tape.a[t - 1])), eq(f"O_{{{t}}}", M(tape.O[t - 1])))
    yield w.heading("Outputs and loss")
    for i, t in enumerate(int(t) for t in tape.targets):
        yield w.math(eq(f"z_{{{t}}}", f"W_{{out}} O_{{{t}}} + b_{{out}}", M(tape.z[i])),
                     eq(rf"\hat{{y}}_{{{t}}}", M(tape.yhat[i])), eq(f"y_{{{t}}}", M(tape.y[i])),
                     eq(rf"\ell_{{{t}}}", number(tape.losses[i], digits)))
    yield w.math(eq("L", number(tape.loss, digits)))
    yield w.heading("Jacobians of one step back")
    yield w.text("Every path through step j shares the factor ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′; its spectral "
                 "norm bounds how much one step back can stretch a gradient.",
                 r"Every path through step $j$ shares the factor $\partial O_j/\partial O_{j-1} = "
                 r"\operatorname{diag}(f'(a_j))\,W'$; its spectral norm bounds how much one step back can "
                 r"stretch a gradient.")
    for j in range(tape.T, 1, -1):
        yield w.math(eq(rf"\frac{{\partial O_{{{j}}}}}{{\partial O_{{{j - 1}}}}}",
                         rf"\operatorname{{diag}}(f'(a_{{{j}}}))\,W'", M(tape.backprop_jacobian(j))),
                     eq(r"\|\cdot\|_2", number(tape.jacobian_norm(j), digits)))
    for param in PARAMS:
        yield from _param_section(tape, param, w, full_chains)
    yield from update_and_end(tape, w, digits, style)


def _chain_symbols(tape: Tape, param: str, i: int, full_chains: bool = False) -> list[Atom]:
    """δ's chain as symbols, one atom per factor (so a long chain wraps); more than four steps back
    are shown as the first two, ⋯ and the last unless ``full_chains``."""
    table = tape.gradients[param]
    t = int(table.t[i])
    parts = list(_head(t, tape.single_target, param in RECURRENT_PARAMS))
    if param in RECURRENT_PARAMS:
        k = int(table.k[i])
        steps = range(t, k, -1)
        if len(steps) > 4 and not full_chains:
            parts += [_step_back(t), _step_back(t - 1), symbol(r"\cdots"), _step_back(k + 1)]
        else:
            parts += [_step_back(j) for j in steps]
        parts.append(symbol(rf"\operatorname{{diag}}(f'(a_{{{k}}}))"))
    return parts


@lru_cache(maxsize=4096)
def _head(t: int, single_target: bool, recurrent: bool) -> tuple[Atom, ...]:
    """∂L/∂ŷ_t · ∂ŷ_t/∂z_t (· W_out): the loss end of every path from target t."""
    head = (symbol(r"\frac{\partial L}{\partial \hat{y}" + ("" if single_target else f"_{{{t}}}") + "}"),
            symbol(rf"\frac{{\partial \hat{{y}}_{{{t}}}}}{{\partial z_{{{t}}}}}"))
    return head + (symbol(r"W_{out}"),) if recurrent else head


def _step_back(j: int) -> Atom:
    return symbol(rf"\frac{{\partial O_{{{j}}}}}{{\partial O_{{{j - 1}}}}}")


def _param_section(tape: Tape, param: str, w: Writer, full_chains: bool) -> Iterator[str]:
    from .methods_text import term_mark

    table = tape.gradients[param]
    recurrent = param in RECURRENT_PARAMS
    P = TEX_PARAM[param]
    M = w.matrix
    yield w.heading(f"{nt.gradient_symbol(param, vector=True)} term by term")
    letter, shift = _INPUT.get(param, (None, 0))
    t_of, truncated = table.t.tolist(), table.truncated.tolist()
    k_of = table.k.tolist() if recurrent else t_of
    inputs: dict[int, Atom] = {}  # the vector a term meets, by step: with a target at every step it recurs
    for lo, terms, running in table.blocks():
        deltas = table.deltas(lo, lo + len(terms))
        for offset, value in enumerate(terms):
            i = lo + offset
            t, k = t_of[i], k_of[i]
            where = f"{t},{k}" if recurrent else f"{t}"
            delta_name = rf"\delta({where})" if recurrent else rf"\frac{{\partial \ell_{{{t}}}}}{{\partial z_{{{t}}}}}"
            row = M(deltas[offset], False)
            delta = eq(delta_name, tuple(_chain_symbols(tape, param, i, full_chains)), row)
            term = eq(rf"\mathrm{{term}}_{{{P}}}({where})")
            if letter:
                meets = inputs.get(k)
                if meets is None:
                    meets = inputs[k] = M(table.inputs[k - 1], False)
                term.eq(symbol(rf"{delta_name}^{{T}} {letter}_{{{k + shift}}}^{{T}}"))
                term.eq(transposed(row), meets)
                # each entry δᵢ·inputⱼ redone from the printed numbers: "≈" where one gives another last digit
                again = np.outer(printed_array(deltas[offset], w.digits), printed_array(table.inputs[k - 1], w.digits))
                term.eq(M(value.reshape(table.shape)),
                        relation=r"\approx" if not agrees(again, value.reshape(table.shape), w.digits) else None)
            else:
                term.eq(symbol(rf"{delta_name}^{{T}}"))
            if recurrent and (truncated[i] or table.weight is not None):  # why left out, or its weight (SPEC §9)
                mark = term_mark(tape, param, t, k, truncated[i], "latex")
                if mark:
                    term.parts[-1].append(symbol(mark, 150))
            total = eq(rf"\Sigma_{{{P}}}({where})", M(running[offset].reshape(table.shape)))  # the sum so far
            yield w.math(delta, term, total)
    yield w.math(eq(rf"\frac{{\partial L}}{{\partial {P}}}", r"\sum \mathrm{terms}", M(table.total)))
