"""Activations, losses and their derivatives: the tables of SPEC §2, nothing else.

Values of an activation are scalar (the forward recurrence is sequential), with
an array form for hidden vectors and softmax (SPEC §7); derivatives and losses
are vectorised over numpy arrays. A derivative is given
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
#: g may also be softmax over the q outputs (SPEC §7)
OUTPUT_ACTIVATIONS = ACTIVATIONS + ("softmax",)
LOSSES = ("squared", "half_squared", "bce", "cross_entropy")


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
    #: the value over a whole numpy array at once (used for vectors; ``value`` for one number)
    array: Callable[[np.ndarray], np.ndarray] | None = None

    def values(self, a: np.ndarray) -> np.ndarray:
        """f over a vector: element-wise (softmax: over the whole vector).

        One entry goes through ``value`` itself, so a one-unit network gets the very
        numbers of the scalar formulas."""
        if self.name == "softmax" or (self.array is not None and a.size > 1):
            return self.array(a)
        return np.array([self.value(float(v)) for v in a], dtype=np.float64)

    def jacobian(self, z: np.ndarray, value: np.ndarray) -> np.ndarray:
        """∂g(z)/∂z as a matrix: diag(g′(z)), or diag(ŷ) − ŷŷᵀ for softmax (SPEC §7)."""
        if self.name == "softmax":
            return np.diag(value) - np.outer(value, value)
        return np.diag(self.derivative(z, value))


def _sigmoid_array(a: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(a))  # never overflows
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - np.max(z))  # the largest exponent is 0: no overflow
    return shifted / np.sum(shifted)


def _softmax_diagonal(z: np.ndarray, value: np.ndarray) -> np.ndarray:
    """The diagonal ŷ(1 − ŷ) of softmax's Jacobian (its full matrix is ``jacobian``)."""
    return value * (1.0 - value)


def activation(name: str, leaky_slope: float = 0.01) -> Activation:
    """The activation called ``name`` (one of OUTPUT_ACTIVATIONS)."""
    if name == "tanh":
        return Activation(name, math.tanh, lambda a, v: 1.0 - v * v, "1 − tanh²(a)", np.tanh)
    if name == "sigmoid":
        return Activation(name, _sigmoid, lambda a, v: v * (1.0 - v), "σ(a)(1 − σ(a))", _sigmoid_array)
    if name == "softmax":
        return Activation(name, lambda a: 1.0, _softmax_diagonal, "diag(ŷ) − ŷŷᵀ", _softmax)
    if name == "relu":
        return Activation(
            name, _relu, lambda a, v: np.where(a > 0, 1.0, 0.0), "1 if a > 0 else 0",
            lambda a: np.where(a > 0, a, np.where(a <= 0, 0.0, a)),
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
            lambda a: np.where(a > 0, a, alpha * a),
        )
    if name == "identity":
        return Activation(name, float, lambda a, v: np.ones_like(a, dtype=float), "1",
                          lambda a: np.array(a, dtype=np.float64))
    raise ValueError(f"unknown activation {name!r}")


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·ln y with 0·ln 0 = 0 (so bce is 0, not nan, when ŷ = y ∈ {0, 1})."""
    return np.where(x == 0, 0.0, x * np.log(y))


def _bce_derivative(yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(ŷ − y) / (ŷ(1 − ŷ)); at ŷ = y = 1 (or 0) the 0/0 is removable: −1/ŷ = −1 (or 1/(1 − ŷ) = 1), not nan."""
    with np.errstate(divide="ignore", invalid="ignore"):
        general = (yhat - y) / (yhat * (1.0 - yhat))
    return np.where((yhat == y) & (y == 1.0), -1.0, np.where((yhat == y) & (y == 0.0), 1.0, general))


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
        _bce_derivative,
        "−[y ln ŷ + (1 − y) ln(1 − ŷ)]",
        "(ŷ − y) / (ŷ(1 − ŷ))",
    ),
    # with softmax: ∂ℓ/∂ŷ · ∂ŷ/∂z is ŷ − y when Σy = 1
    "cross_entropy": Loss(
        "cross_entropy",
        lambda yhat, y: -_xlogy(y, yhat),
        lambda yhat, y: np.where(y == 0, 0.0, -y / yhat),
        "−y ln ŷ",
        "−y / ŷ",
    ),
}


def loss(name: str) -> Loss:
    """The loss called ``name`` (one of LOSSES)."""
    try:
        return LOSS_TABLE[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}") from None
