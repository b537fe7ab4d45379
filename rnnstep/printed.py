"""What the printed numbers give: a formula on screen or in a document is checked against its inputs AS PRINTED.

A student redoing ``0.181975·1.4`` from the screen gets 0.254765, while the tape's full-precision
value prints as 0.254764. Where the printed inputs do not reproduce the printed result, the formula
says ``≈`` instead of ``=`` (issue 18, item 7). Nothing here is the network's maths: it only re-reads
numbers as they were formatted.
"""

from __future__ import annotations

import numpy as np

import math
from typing import Iterable

from .numbers import fmt


def printed(x: float, digits: int = 6) -> float:
    """``x`` as the reader sees it: rounded to ``digits`` significant digits."""
    return float(fmt(float(x), digits))


def relation(from_printed: float, value: float, digits: int = 6) -> str:
    """"=" when ``from_printed`` (the formula redone with the printed inputs) prints as ``value``, else "≈"."""
    if fmt(from_printed, digits) == fmt(value, digits):
        return "="
    if not (math.isfinite(from_printed) and math.isfinite(value)) or value == 0:
        return "≈"
    # a tie (0.717471·0.5 = 0.3587355) may be printed rounded either way: both are "="
    shown = printed(value, digits)
    ulp = 10.0 ** (math.floor(math.log10(abs(shown))) - digits + 1) if shown else 0.0
    return "=" if abs(from_printed - shown) <= 0.5 * ulp * (1 + 1e-9) else "≈"


def product(values: Iterable[float], digits: int = 6) -> float:
    """The product of ``values`` as printed."""
    out = 1.0
    for v in values:
        out *= printed(v, digits)
    return out


def total(values: Iterable[float], digits: int = 6) -> float:
    """The sum of ``values`` as printed."""
    return sum(printed(v, digits) for v in values)  # not fsum: inf + (−inf) is a nan to show, not an error


def factor_again(factor, tape, digits: int = 6) -> float:
    """A factor of a scalar term redone from the numbers its "with numbers" formula prints
    (``notation.factor_substituted``): g′(z₄)·w_out as 1·0.8, f′(a₂)·x₂ as 0.181975·1.4, …"""
    t, s, p = factor.step, tape.scenario, (lambda v: printed(float(v), digits))
    if factor.kind == "loss_grad":
        pos = tape.target_position[t]
        yhat, y = p(tape.yhat[pos]), p(tape.y[pos])
        if s.loss == "squared":
            return 2 * (yhat - y)
        if s.loss == "half_squared":
            return yhat - y
        if s.loss == "cross_entropy":
            return -y / yhat if yhat else float("nan")
        return (yhat - y) / (yhat * (1 - yhat)) if yhat * (1 - yhat) else float("nan")
    if factor.kind == "output_grad":
        return p(tape.g_prime[tape.target_position[t]]) * p(s.w_out)
    if factor.kind == "backprop":
        return p(tape.f_prime[t - 1]) * p(tape.recurrent_weight(t))
    if factor.kind == "immediate":
        fp = p(tape.f_prime[t - 1])
        if factor.param == "w":
            return fp * p(tape.x[t - 1])
        if factor.param == "w_prime":
            return fp * p(tape.O_prev[t - 1])
        return fp
    if factor.kind == "output_act":
        return p(tape.g_prime[tape.target_position[t]])
    return p(tape.O[t - 1]) if factor.param == "w_out" else 1.0


def printed_array(values, digits: int = 6):
    """An array's entries as they are printed (``digits`` significant digits)."""
    return np.vectorize(lambda v: printed(float(v), digits), otypes=[float])(np.asarray(values, dtype=float))


def agrees(again, value, digits: int = 6) -> bool:
    """Does every entry redone from printed numbers print as the printed value?"""
    return all(relation(float(a), float(v), digits) == "=" for a, v in zip(np.ravel(again), np.ravel(value)))
