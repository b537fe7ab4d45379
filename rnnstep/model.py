"""Activations, losses and their derivatives: the tables of SPEC §2, nothing else.

Values of an activation are scalar (the forward recurrence is sequential);
derivatives and losses are vectorised over numpy arrays. A derivative is given
both the pre-activation and the activation's value, so that tanh′ is 1 − O²
from the very O the forward pass computed (one source of truth for O).
Nothing here raises on overflow: the engine runs under ``np.errstate(all="ignore")``
and non-finite values are results to show, not errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu", "identity")
LOSSES = ("squared", "half_squared", "bce")


def _sigmoid(a: float) -> float:
    # Two branches so that exp never overflows.
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    if a < 0:
        e = math.exp(a)
        return e / (1.0 + e)
    return a  # nan


def _relu(a: float) -> float:
    return a if a > 0 else (0.0 if a <= 0 else a)


@dataclass(frozen=True)
class Activation:
    name: str
    value: Callable[[float], float]
    #: derivative(a, value_of_a) -> f′(a), vectorised
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    #: the derivative as the notes would write it, in terms of a and the value
    derivative_formula: str


def activation(name: str, leaky_slope: float = 0.01) -> Activation:
    """The activation called ``name`` (one of ACTIVATIONS)."""
    if name == "tanh":
        return Activation(name, math.tanh, lambda a, v: 1.0 - v * v, "1 − tanh²(a)")
    if name == "sigmoid":
        return Activation(name, _sigmoid, lambda a, v: v * (1.0 - v), "σ(a)(1 − σ(a))")
    if name == "relu":
        return Activation(
            name, _relu, lambda a, v: np.where(a > 0, 1.0, 0.0), "1 if a > 0 else 0"
        )
    if name == "leaky_relu":
        alpha = float(leaky_slope)

        def leaky(a: float) -> float:
            return a if a > 0 else alpha * a

        return Activation(
            name,
            leaky,
            lambda a, v: np.where(a > 0, 1.0, alpha),
            f"1 if a > 0 else {alpha:g}",
        )
    if name == "identity":
        return Activation(name, float, lambda a, v: np.ones_like(a, dtype=float), "1")
    raise ValueError(f"unknown activation {name!r}")


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·ln y with 0·ln 0 = 0 (so bce is 0, not nan, when ŷ = y ∈ {0, 1})."""
    return np.where(x == 0, 0.0, x * np.log(y))


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    #: ∂ℓ/∂ŷ, vectorised
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    value_formula: str
    derivative_formula: str


LOSS_TABLE = {
    "squared": Loss(
        "squared",
        lambda yhat, y: (yhat - y) * (yhat - y),
        lambda yhat, y: 2.0 * (yhat - y),
        "(ŷ − y)²",
        "2(ŷ − y)",
    ),
    "half_squared": Loss(
        "half_squared",
        lambda yhat, y: 0.5 * (yhat - y) * (yhat - y),
        lambda yhat, y: yhat - y,
        "½(ŷ − y)²",
        "ŷ − y",
    ),
    "bce": Loss(
        "bce",
        lambda yhat, y: -(_xlogy(y, yhat) + _xlogy(1.0 - y, 1.0 - yhat)),
        lambda yhat, y: (yhat - y) / (yhat * (1.0 - yhat)),
        "−[y ln ŷ + (1 − y) ln(1 − ŷ)]",
        "(ŷ − y) / (ŷ(1 − ŷ))",
    ),
}


def loss(name: str) -> Loss:
    """The loss called ``name`` (one of LOSSES)."""
    try:
        return LOSS_TABLE[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}") from None
