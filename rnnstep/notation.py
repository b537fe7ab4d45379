"""Symbols and formulas in the notes' notation: ∂O₄/∂O₃, f′(a₄)·w′, in three styles.

``unicode`` is what the terminal shows, ``latex`` what a derivation exports,
``plain`` ASCII for screen readers and auto-graders. Pure string functions:
numbers are only formatted here, never computed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .numbers import fmt

if TYPE_CHECKING:  # pragma: no cover
    from .tape import Tape
    from .terms import Factor

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

PARAM_SYMBOL = {
    "unicode": {"w_prime": "w′", "w": "w", "b": "b", "w_out": "w_out", "b_out": "b_out", "b_prime": "b′"},
    "latex": {"w_prime": "w'", "w": "w", "b": "b", "w_out": "w_{out}", "b_out": "b_{out}", "b_prime": "b'"},
    "plain": {"w_prime": "w'", "w": "w", "b": "b", "w_out": "w_out", "b_out": "b_out", "b_prime": "b'"},
}
# a vector scenario's weights are matrices (SPEC §7): W, W′, W_out; the biases stay b, b_out
MATRIX_SYMBOL = {
    "unicode": {"w_prime": "W′", "w": "W", "b": "b", "w_out": "W_out", "b_out": "b_out", "b_prime": "b′"},
    "latex": {"w_prime": "W'", "w": "W", "b": "b", "w_out": "W_{out}", "b_out": "b_{out}", "b_prime": "b'"},
    "plain": {"w_prime": "W'", "w": "W", "b": "b", "w_out": "W_out", "b_out": "b_out", "b_prime": "b'"},
}


#: a gate's letter as the superscript of its pre-activation (aⁱ_t, ãʳ_t; SPEC §8)
GATE_SUPERSCRIPT = {"i": "ⁱ", "f": "ᶠ", "g": "ᵍ", "o": "ᵒ", "r": "ʳ", "u": "ᵘ", "n": "ⁿ"}


def all_params(tape) -> str:
    """"all six" for a gated tape (W′, W, b, b′, W_out, b_out), "all five" for the plain cell: counted from
    the tape's params, never written out."""
    count = len(tape.params)
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
    return f"all {words.get(count, str(count))}"


def sub(n: int | str, style: str = "unicode") -> str:
    """A subscript: 12 -> ₁₂ (unicode), _{12} (latex), 12 (plain)."""
    if style == "latex":
        return f"_{{{n}}}"
    if style == "plain":
        return str(n)
    return str(n).translate(_SUBSCRIPT)


def param(p: str, style: str = "unicode", vector: bool = False) -> str:
    """w′ (W′ for a vector scenario's matrix)."""
    return (MATRIX_SYMBOL if vector else PARAM_SYMBOL)[style][p]


def operand(x: float, digits: int = 6) -> str:
    """A number as an operand inside a formula: negatives in parentheses."""
    text = fmt(x, digits)
    return f"({text})" if text.startswith("-") else text


def _frac(top: str, bottom: str, style: str, partial: str = "∂") -> str:
    if style == "latex":
        mark = "\\partial^{+}" if partial == "∂⁺" else "\\partial"
        return f"\\frac{{{mark} {top}}}{{\\partial {bottom}}}"
    if style == "plain":
        mark = "d+" if partial == "∂⁺" else "d"
        return f"{mark}{top}/d{bottom}"
    return f"{partial}{top}/∂{bottom}"


def _yhat(style: str) -> str:
    return {"unicode": "ŷ", "latex": "\\hat{y}", "plain": "yhat"}[style]


def gradient_symbol(p: str, style: str = "unicode", vector: bool = False) -> str:
    """∂L/∂w′ (∂L/∂W′ for a vector scenario)"""
    return _frac("L", param(p, style, vector), style)


def factor_symbol(factor: "Factor", style: str = "unicode") -> str:
    t = factor.step
    s = "" if factor.single_target else sub(t, style)
    yhat = _yhat(style) + s
    if factor.kind == "loss_grad":
        return _frac("L", yhat, style)
    if factor.kind == "output_grad":
        return _frac(yhat, "O" + sub(t, style), style)
    if factor.kind == "backprop":
        return _frac("O" + sub(t, style), "O" + sub(t - 1, style), style)
    if factor.kind == "immediate":
        return _frac("O" + sub(t, style), param(factor.param, style), style, partial="∂⁺")
    if factor.kind == "output_act":
        return _frac(yhat, "z" + sub(t, style), style)
    if factor.kind == "output_weight":  # ∂z_t/∂O_t = W_out (SPEC §7)
        return _frac("z" + sub(t, style), "O" + sub(t, style), style)
    if factor.kind == "activation":  # ∂O_k/∂a_k = diag(f′(a_k)) (SPEC §7)
        return _frac("O" + sub(t, style), "a" + sub(t, style), style)
    if factor.kind == "state_grad":  # a gated cell's loss row ∂ℓ_t/∂s_t (SPEC §8)
        return _frac("L", "s" + sub(t, style), style)
    if factor.kind == "block":  # J_j = ∂s_j/∂s_{j−1}
        return _frac("s" + sub(t, style), "s" + sub(t - 1, style), style)
    if factor.kind == "gate_partial":  # ∂s_k/∂a_k
        return _frac("s" + sub(t, style), "a" + sub(t, style), style)
    if factor.kind == "gate_partial_h":  # a GRU's ∂O_k/∂ã_k, for w_prime and b_prime
        tilde = {"unicode": "ã", "latex": "\\tilde{a}", "plain": "a~"}[style]
        return _frac("s" + sub(t, style), tilde + sub(t, style), style)
    return _frac("z" + sub(t, style), param(factor.param, style), style)


def factor_formula(factor: "Factor", style: str = "unicode") -> str:
    """The formula behind a factor: f′(a₄)·w′, g′(z₄)·w_out, O₃, …"""
    t = factor.step
    prime = "'" if style != "unicode" else "′"
    dot = " \\cdot " if style == "latex" else ("*" if style == "plain" else "·")
    fp = f"f{prime}(a{sub(t, style)})"
    if factor.kind == "loss_grad":
        return loss_derivative_formula(factor.loss, "" if factor.single_target else t, style)
    if factor.kind == "output_grad":
        return f"g{prime}(z{sub(t, style)}){dot}{param('w_out', style)}"
    if factor.kind == "backprop":
        if np.ndim(factor.value) == 2:
            return f"diag({fp}){dot}" + ("W′" if style == "unicode" else "W'")
        return f"{fp}{dot}{param('w_prime', style)}"
    if factor.kind == "immediate":
        if factor.param == "w":
            return f"{fp}{dot}x{sub(t, style)}"
        if factor.param == "w_prime":
            return f"{fp}{dot}O{sub(t - 1, style)}"
        return fp
    if factor.kind == "output_act":
        if np.ndim(factor.value) == 2:  # the q×q Jacobian of SPEC §7
            if _is_softmax(factor):
                return {"latex": "\\operatorname{diag}(\\hat{y}) - \\hat{y}\\hat{y}^T", "plain": "diag(yhat) - yhat yhat^T"}.get(style, "diag(ŷ) − ŷŷᵀ")
            return f"diag(g{prime}(z{sub(t, style)}))"
        return f"g{prime}(z{sub(t, style)})"
    if factor.kind == "output_weight":
        return {"latex": "W_{out}", "plain": "W_out"}.get(style, "W_out")
    if factor.kind == "activation":
        return f"diag({fp})"
    return f"O{sub(t, style)}" if factor.param == "w_out" else "1"


def _is_softmax(factor: "Factor") -> bool:
    """A softmax Jacobian has off-diagonal entries (diag(g′) never does)."""
    value = np.asarray(factor.value)
    return bool(np.any(value - np.diag(np.diag(value))))


def loss_derivative_formula(loss: str, t: int | str = "", style: str = "unicode") -> str:
    """∂ℓ/∂ŷ written out for this loss; ``t`` subscripts it where there are several targets."""
    from .model import LOSS_TABLE

    text = subscripted(LOSS_TABLE[loss].derivative_formula, t, style)
    if style == "unicode":
        return text
    text = text.replace("−", "-").replace("ŷ", "yhat")
    return text.replace("yhat", "\\hat{y}") if style == "latex" else text


def subscripted(formula: str, t: int | str = "", style: str = "unicode") -> str:
    """A loss formula's ŷ and y with the target step's subscript: ½(ŷ − y)² -> ½(ŷ₄ − y₄)²."""
    s = sub(t, style) if t != "" else ""
    return re.sub(r"(?<![A-Za-z])(ŷ|y)(?![A-Za-z])", lambda m: m[1] + s, formula)


def factor_substituted(factor: "Factor", tape: "Tape", digits: int = 6) -> str:
    """The factor's formula with numbers in place of symbols."""
    t, n = factor.step, (lambda v: operand(v, digits))
    s = tape.scenario
    if factor.kind == "loss_grad":
        pos = tape.target_position[t]
        yhat, y = n(float(tape.yhat[pos])), n(float(tape.y[pos]))
        if s.loss == "squared":
            return f"2·({yhat} − {y})"
        if s.loss == "half_squared":
            return f"{yhat} − {y}"
        if s.loss == "cross_entropy":
            return f"−{y} / {yhat}"
        return f"({yhat} − {y}) / ({yhat}·(1 − {yhat}))"
    if factor.kind == "output_grad":
        pos = tape.target_position[t]
        return f"{n(float(tape.g_prime[pos]))}·{n(s.w_out)}"
    if factor.kind == "backprop":
        return f"{n(float(tape.f_prime[t - 1]))}·{n(tape.recurrent_weight(t))}"
    if factor.kind == "immediate":
        fp = n(float(tape.f_prime[t - 1]))
        if factor.param == "w":
            return f"{fp}·{n(float(tape.x[t - 1]))}"
        if factor.param == "w_prime":
            return f"{fp}·{n(float(tape.O_prev[t - 1]))}"
        return fp
    if factor.kind == "output_act":
        return n(float(tape.g_prime[tape.target_position[t]]))
    return n(float(tape.O[t - 1])) if factor.param == "w_out" else "1"


def forward_equation(t: int, style: str = "unicode") -> str:
    """O₂ = f(x₂·w + O₁·w′ + b)"""
    dot = " \\cdot " if style == "latex" else ("*" if style == "plain" else "·")
    return (f"O{sub(t, style)} = f(x{sub(t, style)}{dot}w + O{sub(t - 1, style)}{dot}"
            f"{param('w_prime', style)} + b)")


def forward_substituted(tape: "Tape", t: int, digits: int = 6) -> str:
    """tanh(0.4·0.5 + 0.50052·(-0.3) + 0.1) = tanh(0.149844) = 0.148732 (≈ before the last number where the
    printed inputs give another last digit)"""
    s, n = tape.scenario, (lambda v: operand(v, digits))
    a, O = float(tape.a[t - 1]), float(tape.O[t - 1])
    inside = f"{n(float(tape.x[t - 1]))}·{n(s.w)} + {n(float(tape.O_prev[t - 1]))}·{n(s.w_prime)} + {n(s.b)}"
    a_is, O_is = forward_relations(tape, t, digits)
    return f"{s.activation}({inside}) {a_is} {s.activation}({fmt(a, digits)}) {O_is} {fmt(O, digits)}"


def forward_relations(tape: "Tape", t: int, digits: int = 6) -> tuple[str, str]:
    """("=" or "≈") for a_t = x_t·w + O_{t−1}·w′ + b and for O_t = f(a_t), redone from the printed numbers."""
    from .printed import printed, relation

    s = tape.scenario
    a, O = float(tape.a[t - 1]), float(tape.O[t - 1])
    a_again = (printed(float(tape.x[t - 1]), digits) * printed(s.w, digits)
               + printed(float(tape.O_prev[t - 1]), digits) * printed(s.w_prime, digits) + printed(s.b, digits))
    O_again = _activation(s.activation, s.leaky_slope).value(printed(a, digits))
    return relation(a_again, a, digits), relation(O_again, O, digits)


@lru_cache(maxsize=16)
def _activation(name: str, slope: float):
    from .model import activation  # the activation itself, to redo O_t = f(a_t) from the printed a_t

    return activation(name, slope)


def update_substituted(old: float, learning_rate: float, grad: float, clipped: float, new: float,
                       clip: float | None, digits: int = 6, number=None, scale: float | None = None) -> str:
    """The update with numbers up to the sign before the new value, which the caller writes (bold):
    ``1.5 − 0.01·clip(33156.9, ±5) = 1.5 − 0.01·5 =`` — a chain of true equalities, with ``≈`` as its
    last sign where the printed inputs do not give the printed new value. ``number`` writes a number."""
    from .printed import printed, relation

    f = number or (lambda v: fmt(v, digits))
    op = (lambda v: f"({f(v)})" if f(v).startswith("-") else f(v))
    again = printed(old, digits) - printed(learning_rate, digits) * printed(clipped, digits)
    sign = relation(again, new, digits)
    if scale is not None:  # clip by norm (SPEC §9): one scale for every parameter
        return (f"{f(old)} − {op(learning_rate)}·({f(scale)}·{op(grad)}) = {f(old)} − {op(learning_rate)}·{op(clipped)}"
                f" {sign}")
    if clip:
        return f"{f(old)} − {op(learning_rate)}·clip({f(grad)}, ±{f(clip)}) = {f(old)} − {op(learning_rate)}·{op(clipped)} {sign}"
    return f"{f(old)} − {op(learning_rate)}·{op(grad)} {sign}"


def term_symbol(factors: list["Factor"], style: str = "unicode") -> str:
    joiner = " \\times " if style == "latex" else (" * " if style == "plain" else " × ")
    return joiner.join(factor_symbol(f, style) for f in factors)


def activation_derivative(name: str, at: str = "", var: str = "a", value: str = "O") -> str:
    """f′ written out; ``at`` (a subscript, as ``sub(t)``) names the step where one is meant: f′(a₃) = 1 − tanh²(a₃) = 1 − O₃².
    ``var`` and ``value`` name the variable and its image: ``g′(z₄)`` is ``var="z", value="ŷ"`` (σ(z₄)(1 − σ(z₄)) = ŷ₄(1 − ŷ₄))."""
    a, O = f"{var}{at}", f"{value}{at}"
    return {"tanh": f"1 − tanh²({a}) = 1 − {O}²", "sigmoid": f"σ({a})(1 − σ({a})) = {O}(1 − {O})",
            "relu": f"1 if {a} > 0 else 0", "leaky_relu": f"1 if {a} > 0 else α", "identity": "1",
            "softmax": f"diag({O}) − {O}{O}ᵀ"}[name]


def activation_formula(name: str, at: str = "", var: str = "a") -> str:
    """The activation itself written out: σ(z₄) = 1/(1 + e^−z₄), tanh(a₃), …"""
    a = f"{var}{at}"
    return {"tanh": f"tanh({a})", "sigmoid": f"σ({a}) = 1/(1 + e^−{a})", "relu": f"max(0, {a})",
            "leaky_relu": f"{a} if {a} > 0 else α·{a}", "identity": a,
            "softmax": f"e^{a}ᵢ / Σⱼ e^{a}ⱼ"}[name]


def loss_substituted(loss: str, yhat, y, digits: int = 6) -> tuple[str, float]:
    """ℓ with its numbers, and what those printed numbers give: ``−[1·ln 0.631 + 0·ln 0.369]`` for bce
    with y = 1, ŷ = 0.631; a vector's entries summed inside one pair of brackets."""
    import math

    from .printed import printed

    yhats, ys = [float(v) for v in np.ravel(yhat)], [float(v) for v in np.ravel(y)]

    def ln(v: float) -> float:
        return math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan)

    def y_ln(y_: float, p: float) -> float:  # 0·ln 0 = 0, as the loss itself takes it
        return 0.0 if y_ == 0 else y_ * ln(p)

    parts, again = [], 0.0
    for h, t in zip(yhats, ys):
        H, Y = printed(h, digits), printed(t, digits)
        if loss in ("squared", "half_squared"):
            parts.append(f"({fmt(h, digits)} − {operand(t, digits)})²")
            again += (H - Y) * (H - Y)  # a float product overflows to inf; ** raises OverflowError
        elif loss == "bce":
            rest = printed(1 - h, digits)
            parts.append(f"{operand(t, digits)}·ln {fmt(h, digits)} + {operand(1 - t, digits)}·ln {fmt(1 - h, digits)}")
            again -= y_ln(Y, H) + y_ln(printed(1 - t, digits), rest)
        elif t != 0 or len(yhats) == 1:  # cross_entropy: an entry with y = 0 adds nothing (one-hot: one term)
            parts.append(f"{operand(t, digits)}·ln {fmt(h, digits)}")
            again -= y_ln(Y, H)
    if loss == "half_squared":
        text = "½" + (parts[0] if len(parts) == 1 else "[" + " + ".join(parts) + "]")
        return text, 0.5 * again
    if loss == "squared":
        return " + ".join(parts), again
    return "−[" + (" + ".join(parts) or "0") + "]", again


def term_symbol_compact(factors: list["Factor"], keep: int = 7, style: str = "unicode", hidden: int = 0) -> str:
    """term_symbol, with a long run of ∂O_j/∂O_{j−1} shown as ⋯N⋯ (for tables and narrow panels).

    ``hidden`` says how many middle factors the caller already left out of ``factors``
    (which then holds the first three and the last two)."""
    if hidden == 0 and len(factors) <= keep:
        return term_symbol(factors, style)
    head, tail = factors[:3], factors[-2:]
    hidden = hidden or len(factors) - 5
    joiner = " × "
    return (joiner.join(factor_symbol(f, style) for f in head) + f" × ⋯{hidden}⋯ × "
            + joiner.join(factor_symbol(f, style) for f in tail))
