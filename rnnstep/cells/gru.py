"""The GRU cell (SPEC §8), PyTorch's conventions with the update gate called u (z_t is the output's):

    a_t = W·x_t + b   ã_t = W′·O_{t−1} + b′                 (3n rows each: r, u, n)
    r_t = σ(aʳ_t + ãʳ_t)   u_t = σ(aᵘ_t + ãᵘ_t)   n_t = tanh(aⁿ_t + r_t ⊙ ãⁿ_t)
    O_t = (1 − u_t) ⊙ n_t + u_t ⊙ O_{t−1}

The state is O_t; the carry is ∂O_j/∂O_{j−1}'s diagonal part diag(u_j). δₕ = δₓ but for
the n rows, δₕⁿ = δₓⁿ ⊙ r_k.
"""

from __future__ import annotations

import numpy as np

from .gated import Forward, blocks, sigmoid

NAME = "gru"
GATES = ("r", "u", "n")
STATE = ("O",)
CARRY = "O"
GATE_FORMULAS = {"r": "r_t = σ(aʳ_t + ãʳ_t)", "u": "u_t = σ(aᵘ_t + ãᵘ_t)", "n": "n_t = tanh(aⁿ_t + r_t ⊙ ãⁿ_t)"}
EQUATIONS = ("a_t = W·x_t + b    ã_t = W′·O_{t−1} + b′", "r_t = σ(aʳ_t + ãʳ_t)  u_t = σ(aᵘ_t + ãᵘ_t)",
             "n_t = tanh(aⁿ_t + r_t ⊙ ãⁿ_t)", "O_t = (1 − u_t) ⊙ n_t + u_t ⊙ O_{t−1}")
CARRY_SYMBOL = "diag(u_j)"


def state_size(n: int) -> int:
    return n


def forward(W, W_prime, b, b_prime, x, h0, c0=None) -> Forward:
    """Every gate and O_t for t = 1 … T."""
    T, n = len(x), W_prime.shape[1]
    a = x @ W.T + b  # the input side for every t at once
    a_prime, O = np.empty((T, 3 * n)), np.empty((T, n))
    previous = h0
    gates = np.empty((T, 3 * n))  # r, u, n as the loop computes them
    for t in range(T):
        a_prime[t] = ap = W_prime @ previous + b_prime
        ru = gates[t, :2 * n] = sigmoid(a[t, :2 * n] + ap[:2 * n])  # r and u at once
        new = gates[t, 2 * n:] = np.tanh(a[t, 2 * n:] + ru[:n] * ap[2 * n:])
        u = ru[n:]
        O[t] = previous = (1 - u) * new + u * previous
    r, u, new = gates[:, :n], gates[:, n:2 * n], gates[:, 2 * n:]
    slopes = {"r": r * (1 - r), "u": u * (1 - u), "n": 1 - new * new}
    return Forward(a=a, O=O, O_prev=np.concatenate((h0[None], O[:-1])), gates={"r": r, "u": u, "n": new},
                   a_prime=a_prime, slopes=slopes)


def _deltas(fw: Forward, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, s, G = fw.O.shape[1], fw.slopes, fw.gates
    into_n = rows * (1 - G["u"][k]) * s["n"][k]  # ∂ℓ/∂(aⁿ + r ⊙ ãⁿ)
    dr = into_n * fw.a_prime[k, 2 * n:] * s["r"][k]
    du = rows * (fw.O_prev[k] - G["n"][k]) * s["u"][k]
    dx = np.concatenate((dr, du, into_n), axis=1)
    dh = np.concatenate((dr, du, into_n * G["r"][k]), axis=1)
    return dx, dh


def deltas(fw: Forward, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(δₓ, δₕ) = rows · (∂O_k/∂a_k, ∂O_k/∂ã_k), for many rows at once."""
    return _deltas(fw, k, rows)


def step_back(fw: Forward, k: int, rows: np.ndarray, dh: np.ndarray, W_prime: np.ndarray) -> np.ndarray:
    """rows · J_k = rows ⊙ u_k + δₕ·W′."""
    return rows * fw.gates["u"][k] + dh @ W_prime


def entry(fw: Forward, t: int, dl_dO: np.ndarray) -> np.ndarray:
    return dl_dO


def carry_entry(fw: Forward, t: int, dl_dO: np.ndarray) -> np.ndarray:
    return dl_dO


def carry_diagonal(fw: Forward, j: int) -> np.ndarray:
    """u_j: the carry's one step back, the diagonal part of ∂O_j/∂O_{j−1}."""
    return fw.gates["u"][j]


def carry_deltas(fw: Forward, k: int, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The carry share of (δₓ, δₕ): κ · ∂O_k/∂(pre-activations at k)."""
    return _deltas(fw, k, kappa)


def jacobian(fw: Forward, j: int, W_prime: np.ndarray) -> np.ndarray:
    """J_j = ∂O_j/∂O_{j−1}, written out as SPEC §8 does."""
    n, s, G = fw.O.shape[1], fw.slopes, fw.gates
    Wr, Wu, Wn = blocks(W_prime, 3)
    into_n = (1 - G["u"][j]) * s["n"][j]
    return np.diag(G["u"][j]) + ((fw.O_prev[j] - G["n"][j]) * s["u"][j])[:, None] * Wu \
        + into_n[:, None] * (G["r"][j][:, None] * Wn + (fw.a_prime[j, 2 * n:] * s["r"][j])[:, None] * Wr)


def immediate(fw: Forward, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(∂O_k/∂a_k, ∂O_k/∂ã_k) as n×3n matrices."""
    n = fw.O.shape[1]
    return _deltas(fw, k, np.eye(n))


def one_path(fw: Forward, t: int, dl_dO: np.ndarray, W_prime: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same recursion as ``deltas``/``step_back`` for one target at index t, written for one row:
    (state rows, δₓ rows, δₕ rows) for k = t … 0 (row 0 is k = t)."""
    n = fw.O.shape[1]
    s, G = fw.slopes, fw.gates
    keep = 1 - G["u"]
    into_n_scale = keep * s["n"]  # ∂O/∂(aⁿ + r ⊙ ãⁿ)
    r_scale = fw.a_prime[:, 2 * n:] * s["r"]
    u_scale = (fw.O_prev - G["n"]) * s["u"]
    states, dx, dh = np.empty((t + 1, n)), np.empty((t + 1, 3 * n)), np.empty((t + 1, 3 * n))
    r = dl_dO.astype(float)
    for row, k in enumerate(range(t, -1, -1)):
        states[row] = r
        into_n = r * into_n_scale[k]
        dx[row, :n] = dh[row, :n] = into_n * r_scale[k]
        dx[row, n:2 * n] = dh[row, n:2 * n] = r * u_scale[k]
        dx[row, 2 * n:] = into_n
        dh[row, 2 * n:] = into_n * G["r"][k]
        if k:
            r = r * G["u"][k] + dh[row] @ W_prime  # rows·J_k = rows ⊙ u_k + δₕ·W′
    return states, dx, dh


def carry_path(fw: Forward, t: int, dl_dO: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The carry shares of (δₓ, δₕ) for one target at index t, k = t … 0: κ by a running product along
    diag(u) (np.cumprod multiplies in the recursion's own order), then through step k's gates."""
    n = len(dl_dO)
    kappa = np.cumprod(np.concatenate((dl_dO[None], fw.gates["u"][t:0:-1])), axis=0)
    s, G = fw.slopes, fw.gates
    back = slice(t, None, -1) if t else slice(0, 1)  # steps k = t … 0
    into_n = kappa * (1 - G["u"][back]) * s["n"][back]  # as _deltas, for every k at once
    dr = into_n * fw.a_prime[back, 2 * n:] * s["r"][back]
    du = kappa * (fw.O_prev[back] - G["n"][back]) * s["u"][back]
    return np.concatenate((dr, du, into_n), axis=1), np.concatenate((dr, du, into_n * G["r"][back]), axis=1)
