"""Real-time recurrent learning (Williams & Zipser 1989), BPTT's forward-mode twin, SPEC §9.

The influence matrix P_t = ∂O_t/∂p (n rows, one column per entry of p) is carried
forward with the state:

    P_t = J_t·P_{t−1} + ∂⁺O_t/∂p        J_t = ∂O_t/∂O_{t−1} = diag(f′(a_t))·W′,  P_0 = 0
    ∂L/∂p += ∂ℓ_t/∂O_t · P_t            at each target step t

so at a target step the whole row t of the t×k triangle arrives at once
(∂ℓ_t/∂O_t·P_t = Σ_k term(t, k)); the totals are BPTT's, to rounding. It needs no
stored past, but J_t·P_{t−1} costs n·n·(n² + nm + n) multiplies per step: O(n⁴).

A gated cell (SPEC §8) carries its whole state s_t: P_t = ∂(O_t, c_t)/∂p (2n rows, LSTM) or
∂O_t/∂p (GRU), one column per entry of w′, w, b, b′, and the cell gives every factor:

    P_t = J_t·P_{t−1} + ∂⁺s_t/∂p     J_t = cell.jacobian,  ∂⁺s_t/∂p = ∂s_t/∂a_t·∂a_t/∂p (cell.immediate)
    ∂L/∂p += ∂ℓ_t/∂s_t · P_t          ∂ℓ_t/∂s_t = cell.entry (the LSTM's is [∂ℓ_t/∂O_t, 0])

where ∂a_t/∂w = e_i ⊗ x_t, ∂a_t/∂b = e_i, and w′, b′ enter through the recurrent side (∂s_t/∂ã_t,
the same matrix for the LSTM): ∂ã_t/∂w′ = e_i ⊗ O_{t−1}, ∂ã_t/∂b′ = e_i.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cells import cell_named
from ..ids import OUTPUT_PARAMS, RECURRENT_PARAMS


HISTORY_LIMIT = 1_000_000  # numbers of P_t kept for stepping; beyond, only the rows at the targets


@dataclass(frozen=True)
class Cost:
    """Numbers held and multiplies per step, for one method at this n, m and T."""

    held: int
    multiplies: int


@dataclass(frozen=True)
class RTRL:
    totals: dict  # param -> ∂L/∂p, as the tape's totals are shaped
    rows: np.ndarray  # (targets, entries): ∂ℓ_t/∂O_t·P_t, row t of the triangle summed, per target
    columns: dict  # param -> (start, stop) of its columns in P
    bptt_cost: Cost
    rtrl_cost: Cost
    history: np.ndarray | None = None  # (T, rows, entries): every P_t (rows n, or a gated state's S), kept when small


def costs(n: int, m: int, T: int, cell: str = "rnn") -> tuple[Cost, Cost]:
    """(BPTT, RTRL): what each holds and multiplies per step for the recurrent weights.

    The plain cell: BPTT keeps every state O_t and f′(a_t) of the sequence (2·T·n) and one row δ
    going back; a step back is δ·diag(f′)·W′ (n + n²) and the terms δ ⊗ (O_{k−1}, x_k, 1)
    (n·(n + m + 1)). RTRL keeps P (n × (n² + nm + n)) and the state; a step is J_t·P_{t−1}
    (n²·columns) and diag(f′(a_t)) times it plus ∂⁺O_t/∂p (n·columns + n·(n + m + 1)).
    """
    if cell != "rnn":
        return _gated_costs(n, m, T, len(cell_named(cell).GATES), cell_named(cell).state_size(n))
    columns = n * n + n * m + n
    bptt = Cost(held=2 * T * n + n, multiplies=n + n * n + n * (n + m + 1))
    rtrl = Cost(held=n * columns + n, multiplies=n * n * columns + n * columns + n * (n + m + 1))
    return bptt, rtrl


def _gated_costs(n: int, m: int, T: int, G: int, S: int) -> tuple[Cost, Cost]:
    """A gated cell with G gates and a state of S numbers (2n LSTM, n GRU); columns = G·n·(n + m + 2).

    BPTT keeps every state s_t and gate value of the sequence (T·(S + G·n)) and one state row
    going back (S); a step back is the row times ∂s_k/∂a_k (S·G·n), δₕ·W′ (G·n·n) and the terms
    δ ⊗ (O_{k−1}, x_k, 1, 1) (one multiply per column). RTRL keeps P (S × columns) and the state;
    a step builds J_t from W′'s blocks (G·n·n), multiplies J_t·P_{t−1} (S²·columns) and adds
    ∂s_t/∂a_t times the inputs (S·columns)."""
    columns = G * n * (n + m + 2)
    bptt = Cost(held=T * (S + G * n) + S, multiplies=S * G * n + G * n * n + columns)
    rtrl = Cost(held=S * columns + S, multiplies=G * n * n + S * S * columns + S * columns)
    return bptt, rtrl


def run_rtrl(tape) -> RTRL:
    """Carry P_t forward through the tape's forward pass and collect ∂ℓ_t/∂O_t·P_t at the targets."""
    if tape.scenario.cell != "rnn":
        return _run_gated(tape)
    n, m, T = tape.n, tape.m, tape.T
    W_prime = tape.weights["w_prime"]
    O_prev, x = np.asarray(tape.O_prev).reshape(T, n), np.asarray(tape.x).reshape(T, m)
    f_prime = np.asarray(tape.f_prime).reshape(T, n)
    upstream = np.asarray(tape.upstream).reshape(len(tape.targets), n)  # ∂ℓ_t/∂O_t
    columns = {"w_prime": (0, n * n), "w": (n * n, n * n + n * m), "b": (n * n + n * m, n * n + n * m + n)}
    width = n * n + n * m + n
    P = np.zeros((n, width))
    immediate = np.zeros((n, width))  # ∂a_t/∂p holding O_{t−1} fixed: e_i ⊗ O_{t−1}, e_i ⊗ x_t, e_i
    rows = np.zeros((len(tape.targets), width))
    position = {int(t): i for i, t in enumerate(tape.targets)}
    eye = np.eye(n)
    keep = T * n * width <= HISTORY_LIMIT
    history = np.empty((T, n, width)) if keep else None
    with np.errstate(all="ignore"):
        for t in range(1, T + 1):
            immediate[:, 0:n * n] = np.kron(eye, O_prev[t - 1][None, :])
            immediate[:, n * n:n * n + n * m] = np.kron(eye, x[t - 1][None, :])
            immediate[:, n * n + n * m:] = eye
            # P_t = diag(f′(a_t))·(W′·P_{t−1} + ∂a_t/∂p) = J_t·P_{t−1} + ∂⁺O_t/∂p
            P = f_prime[t - 1][:, None] * (W_prime @ P + immediate)
            if history is not None:
                history[t - 1] = P
            if t in position:
                rows[position[t]] = upstream[position[t]] @ P
        summed = rows.sum(axis=0) if len(rows) else np.zeros(width)
    totals = {}
    for p in RECURRENT_PARAMS:
        lo, hi = columns[p]
        totals[p] = _shaped(summed[lo:hi], tape, p)
    for p in OUTPUT_PARAMS:  # no recurrence: the same one term per target as BPTT
        totals[p] = tape.gradients[p].total
    bptt, rtrl = costs(n, m, T)
    return RTRL(totals, rows, columns, bptt, rtrl, history)


def _run_gated(tape) -> RTRL:
    """P_t = ∂s_t/∂p carried through a gated cell's forward record, every factor asked of the cell."""
    cell, fw, n, m, T = tape.cell, tape.forward_record, tape.n, tape.m, tape.T
    G, S = len(cell.GATES), cell.state_size(n)
    widths = {"w_prime": G * n * n, "w": G * n * m, "b": G * n, "b_prime": G * n}
    columns, start = {}, 0
    for p, width in widths.items():
        columns[p] = (start, start + width)
        start += width
    W_prime = tape.weights["w_prime"]
    P, immediate = np.zeros((S, start)), np.zeros((S, start))
    rows = np.zeros((len(tape.targets), start))
    position = {int(t): i for i, t in enumerate(tape.targets)}
    keep = T * S * start <= HISTORY_LIMIT
    history = np.empty((T, S, start)) if keep else None
    with np.errstate(all="ignore"):
        for t in range(1, T + 1):
            _gated_immediate(tape, t, columns, immediate)
            P = cell.jacobian(fw, t - 1, W_prime) @ P + immediate  # P_t = J_t·P_{t−1} + ∂⁺s_t/∂p
            if history is not None:
                history[t - 1] = P
            if t in position:
                i = position[t]
                rows[i] = cell.entry(fw, t - 1, np.asarray(tape.upstream[i])[None])[0] @ P  # ∂ℓ_t/∂s_t·P_t
        summed = rows.sum(axis=0) if len(rows) else np.zeros(start)
    totals = {p: _shaped(summed[slice(*columns[p])], tape, p) for p in widths}
    for p in OUTPUT_PARAMS:  # no recurrence: the same one term per target as BPTT
        totals[p] = tape.gradients[p].total
    bptt, rtrl = costs(n, m, T, tape.scenario.cell)
    return RTRL(totals, rows, columns, bptt, rtrl, history)


def _gated_immediate(tape, t: int, columns: dict, out: np.ndarray) -> np.ndarray:
    """∂⁺s_t/∂p = ∂s_t/∂a_t·∂a_t/∂p into ``out`` (S × columns): entry (i, j) of w is ∂s_t/∂a_t[:, i]·x_t[j],
    of w′ ∂s_t/∂ã_t[:, i]·O_{t−1}[j]; b's is ∂s_t/∂a_t itself, b′'s ∂s_t/∂ã_t (the cell's immediate partials)."""
    fw, S = tape.forward_record, out.shape[0]
    dx, dh = tape.cell.immediate(fw, t - 1)  # S × G·n each
    x = np.asarray(tape.x[t - 1], dtype=float).reshape(-1)
    cut = {p: slice(*columns[p]) for p in columns}
    out[:, cut["w_prime"]] = (dh[:, :, None] * fw.O_prev[t - 1][None, None, :]).reshape(S, -1)
    out[:, cut["w"]] = (dx[:, :, None] * x[None, None, :]).reshape(S, -1)
    out[:, cut["b"]], out[:, cut["b_prime"]] = dx, dh
    return out


def gated_update(tape, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(J_t·P_{t−1}, ∂⁺s_t/∂p, P_t) of a gated tape at step t, from the kept P's (the debugger's forward step)."""
    r = tape.rtrl
    P = r.history[t - 1]
    with np.errstate(all="ignore"):
        immediate = _gated_immediate(tape, t, r.columns, np.zeros_like(P))
        carried = tape.cell.jacobian(tape.forward_record, t - 1, tape.weights["w_prime"]) @ r.history[t - 2] \
            if t > 1 else np.zeros_like(P)
    return carried, immediate, P


def _shaped(values: np.ndarray, tape, param: str):
    if not tape.vector:
        return float(values[0])
    from ..ids import param_shape

    return values.reshape(param_shape(param, tape.sizes))
