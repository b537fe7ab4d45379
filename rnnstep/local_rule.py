"""A local rule of the chain — one way to compute a value from the values it directly uses — and what
both the one-unit rules (rules_scalar.py) and a hidden vector's (rules_vector.py) work with."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .ids import parse_id
from .model import Activation

#: parse_id remembered (ValueIds are frozen): verify names, orders and works out the same ids many times over
parsed_id = functools.lru_cache(maxsize=1 << 17)(parse_id)


@dataclass(frozen=True)
class Rule:
    inputs: tuple[str, ...]  # ids whose values the formula uses
    compute: Callable[[dict[str, float]], float]
    formula: str  # how a person would write it
    hops: int = 0  # formulas it stands for besides itself (rules_totals.py: the chain of running sums it skips)


#: activations whose derivative is plain arithmetic on the value (model.py): worked in Python floats, the same
#: IEEE operations as on numpy's float64 scalars, at a fraction of their cost (verify works out thousands)
FLOAT_DERIVATIVES = ("tanh", "sigmoid")


def prime_from_input(act: Activation, a: float) -> float:
    """f′(a), from the pre-activation."""
    if act.name in FLOAT_DERIVATIVES:
        a = float(a)
        return float(act.derivative(a, act.value(a)))
    with np.errstate(all="ignore"):
        return float(act.derivative(np.array(a), np.array(act.value(a))))


def prime_from_output(act: Activation, out: float) -> float:
    """f′ from the activation's output, where the notes allow it (1 − O² for tanh, O(1 − O) for σ)."""
    if act.name in FLOAT_DERIVATIVES:
        return float(act.derivative(math.nan, float(out)))
    with np.errstate(all="ignore"):
        return float(act.derivative(np.array(math.nan), np.array(out)))
