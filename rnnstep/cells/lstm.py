"""The LSTM cell (SPEC §8), PyTorch's conventions: gates i, f, g, o stacked in that order.

    a_t = W·x_t + b + W′·O_{t−1} + b′                     (4n rows: aⁱ, aᶠ, aᵍ, aᵒ)
    i_t = σ(aⁱ_t)   f_t = σ(aᶠ_t)   g_t = tanh(aᵍ_t)   o_t = σ(aᵒ_t)
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t                      O_t = o_t ⊙ tanh(c_t)

The state is s_t = (O_t, c_t); a state row is [∂/∂O, ∂/∂c] (2n). The carry is the c lane,
∂c_j/∂c_{j−1} = diag(f_j). δₓ = δₕ (one pre-activation per step).

The immediate partials are diagonal per gate, so the forward pass keeps them as rows
(``slopes``): ∂c_k/∂a_k = [diag(g_k ⊙ i_k′), diag(c_{k−1} ⊙ f_k′), diag(i_k ⊙ g_k′), 0] is
``through_c[k]`` (3 rows of n; the o block is zero), and ∂O_k/∂aᵒ_k = diag(tanh(c_k) ⊙ o_k′)
is ``through_o[k]``; ∂O_k/∂c_k = diag(o_k ⊙ tanh′(c_k)) is ``o_tanh_prime[k]``.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from .gated import Forward, blocks

NAME = "lstm"
GATES = ("i", "f", "g", "o")
STATE = ("O", "c")
CARRY = "c"
#: how each gate is computed, in the notes' notation (the plain-text form)
GATE_FORMULAS = {"i": "i_t = σ(aⁱ_t)", "f": "f_t = σ(aᶠ_t)", "g": "g_t = tanh(aᵍ_t)", "o": "o_t = σ(aᵒ_t)"}
EQUATIONS = ("a_t = W·x_t + b + W′·O_{t−1} + b′", "i_t = σ(aⁱ_t)  f_t = σ(aᶠ_t)  g_t = tanh(aᵍ_t)  o_t = σ(aᵒ_t)",
             "c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t", "O_t = o_t ⊙ tanh(c_t)")
CARRY_SYMBOL = "diag(f_j)"


def state_size(n: int) -> int:
    return 2 * n


def forward(W, W_prime, b, b_prime, x, h0, c0) -> Forward:
    """Every gate, c_t and O_t for t = 1 … T."""
    T, n = len(x), W_prime.shape[1]
    from_input = x @ W.T + b + b_prime  # W·x_t + b + b′ for every t at once
    a, act = np.empty((T, 4 * n)), np.empty((T, 4 * n))
    c, O, tanh_c = np.empty((T, n)), np.empty((T, n)), np.empty((T, n))
    minus_a, i_g = np.empty(4 * n), np.empty(n)
    O_previous, c_previous = h0, c0
    W_prime = np.ascontiguousarray(W_prime)
    # written with out= buffers and no new arrays: the sequential loop is the forward pass's whole cost
    rows = zip(a, a[:, 2 * n:3 * n], act, act[:, :n], act[:, n:2 * n], act[:, 2 * n:3 * n], act[:, 3 * n:],
               from_input, c, O, tanh_c)  # every view of step t at once (making them one by one costs more)
    for a_t, a_g, act_t, i_t, f_t, g_t, o_t, from_input_t, c_t, O_t, tanh_c_t in rows:
        np.dot(W_prime, O_previous, out=a_t)
        a_t += from_input_t
        np.exp(np.negative(a_t, out=minus_a), out=act_t)
        act_t += 1.0
        np.reciprocal(act_t, out=act_t)  # σ = 1/(1 + e^−a) for i, f, o (the g rows are replaced next)
        np.tanh(a_g, out=g_t)
        c_previous = np.multiply(f_t, c_previous, out=c_t)  # c_t = f ⊙ c_{t−1} + i ⊙ g
        c_previous += np.multiply(i_t, g_t, out=i_g)
        O_previous = np.multiply(o_t, np.tanh(c_previous, out=tanh_c_t), out=O_t)  # O_t = o ⊙ tanh(c_t)
    i, f, g, o = act[:, :n], act[:, n:2 * n], act[:, 2 * n:3 * n], act[:, 3 * n:]
    c_prev = np.concatenate((c0[None], c[:-1]))
    slopes = {"i": i * (1 - i), "f": f * (1 - f), "g": 1 - g * g, "o": o * (1 - o),
              "tanh_c": tanh_c, "tanh_c_prime": 1 - tanh_c * tanh_c}
    slopes["through_c"] = np.stack((g * slopes["i"], c_prev * slopes["f"], i * slopes["g"]), axis=1)  # T×3×n
    slopes["through_o"] = tanh_c * slopes["o"]
    slopes["o_tanh_prime"] = o * slopes["tanh_c_prime"]
    return Forward(a=a, O=O, O_prev=np.concatenate((h0[None], O[:-1])), gates={"i": i, "f": f, "g": g, "o": o},
                   c=c, c_prev=c_prev, slopes=slopes)


def _into_c(fw: Forward, k: int, rows: np.ndarray, n: int) -> np.ndarray:
    """∂ℓ/∂c_k along the route rows: through O_k (o_k ⊙ tanh′(c_k)) plus the c lane."""
    return rows[:, :n] * fw.slopes["o_tanh_prime"][k] + rows[:, n:]


def _through_c(fw: Forward, k: int, into_c: np.ndarray) -> np.ndarray:
    """into_c · ∂c_k/∂a_k: the i, f, g rows (the o rows are zero: c_k does not use o_k)."""
    n = into_c.shape[1]
    out = np.zeros((len(into_c), 4, n))
    out[:, :3] = into_c[:, None, :] * fw.slopes["through_c"][k]
    return out.reshape(len(into_c), 4 * n)


def deltas(fw: Forward, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(δₓ, δₕ) = state rows at step k (index k) · ∂s_k/∂a_k, for many rows at once."""
    n = fw.O.shape[1]
    dx = _through_c(fw, k, _into_c(fw, k, rows, n))
    dx[:, 3 * n:] = rows[:, :n] * fw.slopes["through_o"][k]  # ∂O_k/∂aᵒ_k
    return dx, dx


def step_back(fw: Forward, k: int, rows: np.ndarray, dh: np.ndarray, W_prime: np.ndarray) -> np.ndarray:
    """rows · J_k: the state rows at step k − 1 (∂s_k/∂O_{k−1} = ∂s_k/∂a_k·W′, ∂s_k/∂c_{k−1} by the lanes)."""
    n = fw.O.shape[1]
    out = np.empty_like(rows)
    out[:, :n] = dh @ W_prime
    out[:, n:] = _into_c(fw, k, rows, n) * fw.gates["f"][k]
    return out


def entry(fw: Forward, t: int, dl_dO: np.ndarray) -> np.ndarray:
    """The state row at the target step: [∂ℓ_t/∂O_t, 0]."""
    return np.concatenate((dl_dO, np.zeros_like(dl_dO)), axis=1)


def carry_entry(fw: Forward, t: int, dl_dO: np.ndarray) -> np.ndarray:
    """∂ℓ_t/∂O_t · diag(o_t ⊙ tanh′(c_t)): where the carry lane starts, on c_t."""
    return dl_dO * fw.slopes["o_tanh_prime"][t]


def carry_diagonal(fw: Forward, j: int) -> np.ndarray:
    """f_j: the carry's one step back, ∂c_j/∂c_{j−1} = diag(f_j)."""
    return fw.gates["f"][j]


def carry_deltas(fw: Forward, k: int, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The carry share of (δₓ, δₕ): κ · ∂c_k/∂a_k."""
    dx = _through_c(fw, k, kappa)
    return dx, dx


def jacobian(fw: Forward, j: int, W_prime: np.ndarray) -> np.ndarray:
    """J_j = ∂(O_j, c_j)/∂(O_{j−1}, c_{j−1}) in its four n×n blocks, written out as SPEC §8 does."""
    s, G = fw.slopes, fw.gates
    Wi, Wf, Wg, Wo = blocks(W_prime, 4)
    dc_dc = np.diag(G["f"][j])
    dc_dO = (fw.c_prev[j] * s["f"][j])[:, None] * Wf + (G["g"][j] * s["i"][j])[:, None] * Wi \
        + (G["i"][j] * s["g"][j])[:, None] * Wg
    through_c = G["o"][j] * s["tanh_c_prime"][j]
    dO_dc = np.diag(through_c * G["f"][j])
    dO_dO = (s["tanh_c"][j] * s["o"][j])[:, None] * Wo + through_c[:, None] * dc_dO
    return np.block([[dO_dO, dO_dc], [dc_dO, dc_dc]])


def immediate(fw: Forward, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(∂s_k/∂a_k, ∂s_k/∂ã_k) as 2n×4n matrices (rows O then c); the same for the LSTM."""
    n = fw.O.shape[1]
    eye = np.eye(n)
    dc = _through_c(fw, k, eye)  # row i: ∂c_k[i]/∂a_k
    dO = _through_c(fw, k, eye * fw.slopes["o_tanh_prime"][k])
    dO[:, 3 * n:] = np.diag(fw.slopes["through_o"][k])
    D = np.vstack((dO, dc))
    return D, D


def one_path(fw: Forward, t: int, dl_dO: np.ndarray, W_prime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same recursion as ``deltas``/``step_back`` for one target at index t, written for one row:
    (state rows r(t,k), δₓ rows) for k = t … 0 (row 0 is k = t). The loop is the backward pass's whole
    cost, so it runs on 1-D rows with out= buffers; each line is the formula of ``deltas`` or ``step_back``."""
    n = fw.O.shape[1]
    s = fw.slopes
    states, dx = np.empty((t + 1, 2, n)), np.zeros((t + 1, 4, n))
    states[0, 0], states[0, 1] = dl_dO, 0.0
    into_c = np.empty(n)
    flat = dx.reshape(t + 1, 4 * n)
    back = slice(t, None, -1)  # k = t … 0: every per-step array read backwards, one row per loop
    steps = zip(states, flat, dx[:, :3], dx[:, 3], s["o_tanh_prime"][back], s["through_c"][back], s["through_o"][back],
                chain(zip(states[1:, 0], states[1:, 1], fw.gates["f"][t:0:-1]), [None]))  # k − 1's rows, f_k
    for state, dx_row, ifg, o_row, o_tanh_prime, through_c, through_o, back_to in steps:
        r_O, r_c = state
        np.multiply(r_O, o_tanh_prime, out=into_c)  # ∂ℓ/∂c_k: through O_k, plus the c lane
        into_c += r_c
        np.multiply(into_c, through_c, out=ifg)  # the i, f, g rows
        np.multiply(r_O, through_o, out=o_row)  # the o row
        if back_to is not None:  # k > 0: one step back
            O_before, c_before, f_k = back_to
            np.dot(dx_row, W_prime, out=O_before)  # ∂s_k/∂O_{k−1} = ∂s_k/∂a_k·W′ (the bits of dx_row @ W′)
            np.multiply(into_c, f_k, out=c_before)  # ∂c_k/∂c_{k−1} = diag(f_k)
    return states.reshape(t + 1, 2 * n), flat


def carry_path(fw: Forward, t: int, dl_dO: np.ndarray) -> np.ndarray:
    """The carry shares of δₓ for one target at index t, k = t … 0 (row 0 is k = t): κ(t,k) by a running
    product along diag(f) (np.cumprod multiplies in the recursion's own order), then κ·∂c_k/∂a_k."""
    n = fw.O.shape[1]
    factors = np.concatenate((carry_entry(fw, t, dl_dO[None]), fw.gates["f"][t:0:-1]))  # κ(t,t), f_t, …, f_1
    kappa = np.cumprod(factors, axis=0)  # κ(t,k) = κ(t,k+1) ⊙ f_{k+1}
    out = np.zeros((t + 1, 4, n))
    out[:, :3] = kappa[:, None, :] * fw.slopes["through_c"][t::-1] if t else kappa[:, None, :] * fw.slopes["through_c"][:1]
    return out.reshape(t + 1, 4 * n)
