"""What the two gated cells share: the forward record and the sigmoid (SPEC §8)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1/(1 + e^−a). For a ≪ 0, e^−a overflows to inf and σ is exactly 0, as it should be
    (the engine runs under ``np.errstate(all="ignore")``); nan stays nan."""
    return 1.0 / (1.0 + np.exp(-a))


@dataclass
class Forward:
    """Every forward value of a gated cell over T steps, rows indexed by t − 1.

    ``a`` (T×Gn) are the gates' pre-activations (the GRU's input side), ``a_prime``
    (T×Gn) the GRU's recurrent side ã_t = W′·O_{t−1} + b′ (None for the LSTM),
    ``gates[name]`` (T×n) each gate's value, ``c`` (T×n) the LSTM's cell state."""

    a: np.ndarray
    O: np.ndarray
    O_prev: np.ndarray
    gates: dict[str, np.ndarray]
    a_prime: np.ndarray | None = None
    c: np.ndarray | None = None
    c_prev: np.ndarray | None = None
    #: derivatives the backward pass reads: σ′ or tanh′ of each gate, tanh(c) and tanh′(c)
    slopes: dict[str, np.ndarray] = field(default_factory=dict)


def blocks(W: np.ndarray, gates: int) -> list[np.ndarray]:
    """The n-row blocks of a stacked gate matrix (W′ⁱ, W′ᶠ, … in the cell's gate order)."""
    n = W.shape[0] // gates
    return [W[g * n:(g + 1) * n] for g in range(gates)]
