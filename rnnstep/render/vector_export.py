"""A vector scenario's derivation (SPEC §7) as Markdown or a standalone LaTeX document.

Matrices are written as matrices (``bmatrix``; Markdown carries the same maths in
``$$ … $$`` blocks). Each Jacobian ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′ is written once,
with its spectral norm, since every path through step j shares it; each term is
then its chain of symbols, δ(t,k), the vector it meets and their outer product.
Both are generators of text chunks, so a long tape streams.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from .. import notation as nt
from ..ids import PARAMS, RECURRENT_PARAMS
from ..tape import Tape

_TEX_PARAM = {"w_prime": "W'", "w": "W", "b": "b", "w_out": "W_{out}", "b_out": "b_{out}"}
_INPUT = {"w_prime": ("O", -1), "w": ("x", 0), "w_out": ("O", 0)}


def tex_number(x: float, digits: int) -> str:
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = nt.fmt(x, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def bmatrix(value, digits: int, transpose_vector: bool = True) -> str:
    """A matrix as a bmatrix; a vector as a row with ᵀ (a column on its side)."""
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return tex_number(float(value), digits)
    if value.ndim == 1:
        body = " & ".join(tex_number(float(v), digits) for v in value)
        return r"\begin{bmatrix} " + body + r" \end{bmatrix}" + ("^{T}" if transpose_vector else "")
    rows = [" & ".join(tex_number(float(v), digits) for v in row) for row in value]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _tex_symbol(factor) -> str:
    return nt.factor_symbol(factor, "latex")


class _Writer:
    def __init__(self, style: str):
        self.style = style

    def heading(self, text: str, level: int = 2) -> str:
        if self.style == "markdown":
            return "#" * level + " " + text + "\n\n"
        command = {1: "section*", 2: "section*", 3: "subsection*"}[level]
        return f"\\{command}{{{_latex_text(text)}}}\n\n"

    def text(self, text: str) -> str:
        return (text if self.style == "markdown" else _latex_text(text)) + "\n\n"

    def math(self, tex: str) -> str:
        if self.style == "markdown":
            return "$$\n" + tex + "\n$$\n\n"
        return "\\[\n" + tex + "\n\\]\n\n"


def _latex_text(text: str) -> str:
    from .latex import latex_text

    return latex_text(text)


def iter_vector_derivation(tape: Tape, digits: int = 6, style: str = "markdown") -> Iterator[str]:
    s = tape.scenario
    n, m, q = s.sizes
    w = _Writer(style)
    if style == "latex":
        yield ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"
               "\\setcounter{MaxMatrixCols}{64}\n\\begin{document}\n\n")
    yield w.heading(s.name, 1)
    yield w.text(f"A hidden vector of size n = {n}, inputs of size m = {m}, q = {q} outputs, T = {tape.T} steps; "
                 f"f = {s.activation}, g = {s.output_activation}, loss = {s.loss}.")
    if s.description:
        yield w.text(" ".join(s.description.split()))
    yield w.heading("Forward pass")
    yield w.math(r"a_t = W x_t + W' O_{t-1} + b, \qquad O_t = f(a_t), \qquad O_0 = " + bmatrix(tape.O_prev[0], digits))
    for t in range(1, tape.T + 1):
        yield w.math(rf"a_{{{t}}} = {bmatrix(tape.a[t - 1], digits)}, \quad O_{{{t}}} = {bmatrix(tape.O[t - 1], digits)}")
    yield w.heading("Outputs and loss")
    for i, t in enumerate(int(t) for t in tape.targets):
        yield w.math(rf"z_{{{t}}} = W_{{out}} O_{{{t}}} + b_{{out}} = {bmatrix(tape.z[i], digits)}, \quad "
                     rf"\hat{{y}}_{{{t}}} = {bmatrix(tape.yhat[i], digits)}, \quad y_{{{t}}} = {bmatrix(tape.y[i], digits)}, "
                     rf"\quad \ell_{{{t}}} = {tex_number(float(tape.losses[i]), digits)}")
    yield w.math(rf"L = {tex_number(tape.loss, digits)}")
    yield w.heading("Jacobians of one step back")
    yield w.text("Every path through step j shares the factor ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′; its spectral "
                 "norm bounds how much one step back can stretch a gradient.")
    for j in range(tape.T, 1, -1):
        yield w.math(rf"\frac{{\partial O_{{{j}}}}}{{\partial O_{{{j - 1}}}}} = \operatorname{{diag}}(f'(a_{{{j}}}))\,W' = "
                     rf"{bmatrix(tape.backprop_jacobian(j), digits)}, \quad \|\cdot\|_2 = "
                     rf"{tex_number(tape.jacobian_norm(j), digits)}")
    for param in PARAMS:
        yield from _param_section(tape, param, digits, w)
    yield w.heading("Update")
    rule = r"p - \eta\,\mathrm{clip}(\partial L/\partial p)" if s.clip else r"p - \eta\,\partial L/\partial p"
    yield w.math(rf"p_{{new}} = {rule}, \quad \eta = {tex_number(s.learning_rate, digits)}")
    for p, u in tape.updates.items():
        yield w.math(rf"{{{_TEX_PARAM[p]}}}_{{new}} = {bmatrix(u.new, digits)}")
    if tape.nonfinite:
        yield w.text("Some values overflowed to inf or nan.")
    if style == "latex":
        yield "\\end{document}\n"


def _chain_symbols(tape: Tape, param: str, i: int) -> str:
    table = tape.gradients[param]
    t = int(table.t[i])
    parts = [r"\frac{\partial L}{\partial \hat{y}" + ("" if tape.single_target else f"_{{{t}}}") + "}",
             rf"\frac{{\partial \hat{{y}}_{{{t}}}}}{{\partial z_{{{t}}}}}"]
    if param in RECURRENT_PARAMS:
        k = int(table.k[i])
        parts.append(rf"W_{{out}}")
        steps = list(range(t, k, -1))
        if len(steps) > 4:
            steps_text = [rf"\frac{{\partial O_{{{j}}}}}{{\partial O_{{{j - 1}}}}}" for j in steps[:2]]
            steps_text += [r"\cdots"] + [rf"\frac{{\partial O_{{{j}}}}}{{\partial O_{{{j - 1}}}}}" for j in steps[-1:]]
        else:
            steps_text = [rf"\frac{{\partial O_{{{j}}}}}{{\partial O_{{{j - 1}}}}}" for j in steps]
        parts += steps_text + [rf"\operatorname{{diag}}(f'(a_{{{k}}}))"]
    return r"\,".join(parts)


def _param_section(tape: Tape, param: str, digits: int, w: _Writer) -> Iterator[str]:
    table = tape.gradients[param]
    recurrent = param in RECURRENT_PARAMS
    P = _TEX_PARAM[param]
    yield w.heading(f"∂L/∂{ {'w_prime': 'W′', 'w': 'W', 'b': 'b', 'w_out': 'W_out', 'b_out': 'b_out'}[param] } term by term")
    letter, shift = _INPUT.get(param, (None, 0))
    for i in range(len(table)):
        t = int(table.t[i])
        k = int(table.k[i]) if recurrent else t
        where = f"{t},{k}" if recurrent else f"{t}"
        delta_name = rf"\delta({where})" if recurrent else rf"\frac{{\partial \ell_{{{t}}}}}{{\partial z_{{{t}}}}}"
        lines = [rf"{delta_name} = {_chain_symbols(tape, param, i)} = {bmatrix(table.delta(i), digits, False)}"]
        if letter:
            vector = rf"{letter}_{{{k + shift}}}"
            lines.append(rf"\mathrm{{term}}_{{{P}}}({where}) = {delta_name}^{{T}} {vector}^{{T}} = "
                         rf"{bmatrix(table.delta(i), digits)} {bmatrix(table.input(i), digits, False)} = "
                         rf"{bmatrix(table.value[i], digits)}")
        else:
            lines.append(rf"\mathrm{{term}}_{{{P}}}({where}) = {delta_name}^{{T}}")
        if recurrent and table.truncated[i]:
            lines.append(r"\text{(truncated: not added)}")
        yield w.math(r"\begin{gathered} " + r" \\ ".join(lines) + r" \end{gathered}")
    yield w.math(rf"\frac{{\partial L}}{{\partial {P}}} = \sum \mathrm{{terms}} = {bmatrix(table.total, digits)}")
