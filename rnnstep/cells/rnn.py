"""The plain recurrent cell (SPEC §2, §7): one pre-activation, one state, no carry.

    a_t = W·x_t + W′·O_{t−1} + b        O_t = f(a_t)
    ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′    ∂O_k/∂a_k = diag(f′(a_k))

The tape (rnnstep/tape.py) computes the plain cell with these functions; they are
written so that the tape's numbers are exactly those of the formulas above.
"""

from __future__ import annotations

import numpy as np

NAME = "rnn"
GATES: tuple[str, ...] = ()
#: the state s_t is O_t alone; there is no carry lane
STATE = ("O",)
CARRY: str | None = None


def pre_activation(from_input: np.ndarray, W_prime: np.ndarray, previous: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a_t = W·x_t + W′·O_{t−1} + b, with W·x_t given (computed for every t at once)."""
    return from_input + W_prime @ previous + b


def backprop_jacobian(f_prime: np.ndarray, W_prime: np.ndarray) -> np.ndarray:
    """J_j = ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′ (n×n)."""
    return f_prime[:, None] * W_prime


def step_back(row: np.ndarray, f_prime: np.ndarray, W_prime: np.ndarray) -> np.ndarray:
    """chain(t, j−1) = chain(t, j)·diag(f′(a_j))·W′: one step back along a path, as rows."""
    return (row * f_prime) @ W_prime


def immediate(f_prime: np.ndarray) -> np.ndarray:
    """∂O_k/∂a_k = diag(f′(a_k)), as the diagonal: δ(t,k) = chain(t,k) ⊙ f′(a_k)."""
    return f_prime
