"""What TBPTT's chunks ask of the cell (SPEC §9): run a chunk forward, and step its terms back.

``run_chunks`` (tbptt.py) is one loop for every cell; the cell is the varying part, kept
here as two small runners with the same two verbs:

- ``run_forward(first, last, weights)``: steps first … last from the carried state (O, and
  for the LSTM c) on the weights then in force, written into the run's arrays (the whole
  sequence as run; a step keeps the values and the W′ it was run with);
- ``terms(targets, reach, upstream)``: the TermTables of w′, w, b (and b′) over the chunk's
  targets and the uses k ≥ reach, in SPEC §3 order, each path multiplying the Jacobians
  of the steps as they were run.

The equations are the cell's (cells/rnn.py, lstm.py, gru.py): nothing here writes them again.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from ..cells import cell_named
from ..cells import rnn as plain_cell
from ..cells.gated import Forward
from ..terms import TermTable


def cell_steps(tape, arrays: dict):
    """The runner of the tape's cell."""
    if getattr(tape.scenario, "cell", "rnn") != "rnn":
        return GatedSteps(tape, arrays)
    return PlainSteps(tape, arrays)


def _table_layout(targets: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row of each target's first term, t of every term, k of every term): k = t … reach per target."""
    counts = targets - reach + 1
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    t_of = np.repeat(targets, counts)
    k_of = t_of - (np.arange(len(t_of)) - np.repeat(starts, counts))
    return starts, t_of, k_of


class PlainSteps:
    """The plain cell (SPEC §2, §7): a_t = W·x_t + W′·O_{t−1} + b, O_t = f(a_t)."""

    def __init__(self, tape, arrays: dict):
        T, n = tape.T, tape.n
        self.f, self.vector = tape.f, tape.vector
        self.x = arrays["x"]
        self.a, self.O = np.empty((T, n)), np.empty((T, n))
        self.f_prime, self.O_prev = np.empty((T, n)), np.empty((T, n))
        self.W_prime_used = np.empty((T, n, n))  # the W′ each step was run with
        self.inputs = {"w_prime": self.O_prev, "w": self.x, "b": np.ones((T, 1))}
        self.previous = arrays["h0"]
        self.run = {"x": self.x, "a": self.a, "O": self.O, "O_prev": self.O_prev, "f_prime": self.f_prime,
                    "W_prime_used": self.W_prime_used}
        self.chunk_rows: dict = {}  # the plain chunk tape sums its own recursive view from the chains

    def run_forward(self, first: int, last: int, weights: dict) -> None:
        W, W_prime, b = weights["w"], weights["w_prime"], weights["b"]
        previous, x = self.previous, self.x
        for t in range(first, last + 1):  # a_t = W·x_t + W′·O_{t−1} + b, O_t = f(a_t)
            self.O_prev[t - 1] = previous
            self.a[t - 1] = W @ x[t - 1] + W_prime @ previous + b
            self.O[t - 1] = previous = self.f.values(self.a[t - 1])
            self.W_prime_used[t - 1] = W_prime
        self.previous = previous
        self.f_prime[first - 1:last] = self.f.derivative(self.a[first - 1:last], self.O[first - 1:last])

    def terms(self, targets: np.ndarray, reach: int, upstream: np.ndarray) -> dict:
        t_of, k_of, chain = self._chains(targets, reach, upstream)
        kept = np.zeros(len(t_of), dtype=bool)
        return {p: TermTable(p, t_of, k_of, kept, chain, self.f_prime, self.inputs[p], self.vector)
                for p in ("w_prime", "w", "b")}

    def _chains(self, targets: np.ndarray, reach: int,
                upstream: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """chain(t, k) = ∂ℓ_t/∂O_k along t → k for the chunk's targets and k = t … reach, SPEC §3 order.

        Every target's path steps back together: chain(t, k) = chain(t, k+1)·diag(f′(a_{k+1}))·W′_{k+1},
        with W′_{k+1} the weights step k + 1 was run with."""
        starts, t_of, k_of = _table_layout(targets, reach)
        chain = np.empty((len(t_of), upstream.shape[1]))
        chain[starts] = upstream
        for k in range(int(targets[-1]) - 1, reach - 1, -1):
            first = int(np.searchsorted(targets, k + 1))
            above = starts[first:] + (targets[first:] - (k + 1))  # rows of chain(t, k+1)
            chain[above + 1] = plain_cell.step_back(chain[above], self.f_prime[k], self.W_prime_used[k])
        return t_of, k_of, chain


class GatedSteps:
    """An LSTM or a GRU (SPEC §8): each chunk is the cell's own forward pass from the carried (O, c),
    placed into one record of the whole run; its terms come from the cell's backward recursion
    r(t, k−1) = r(t, k)·J_k over the state rows, with J_k on the W′ step k was run with, and the carry
    κ(t, k−1) = κ(t, k) ⊙ the carry diagonal, as gated_tape.py computes full BPTT's."""

    def __init__(self, tape, arrays: dict):
        self.cell = cell_named(tape.scenario.cell)
        self.T, self.n = tape.T, tape.n
        self.x = arrays["x"]
        self.O_carried, self.c_carried = arrays["h0"], arrays["c0"]
        self.W_prime_used = np.empty((self.T,) + arrays["w_prime"].shape)
        self.record: Forward | None = None  # every step as run, built chunk by chunk
        self.inputs: dict = {}
        self.run: dict = {}
        self.chunk_rows: dict = {}  # this chunk's recursive view (set by ``terms``), for the debugger

    @property
    def O(self) -> np.ndarray:
        return self.record.O

    def run_forward(self, first: int, last: int, weights: dict) -> None:
        w = weights
        part = self.cell.forward(w["w"], w["w_prime"], w["b"], w["b_prime"], self.x[first - 1:last],
                                 self.O_carried, self.c_carried)
        self._place(part, first)
        self.chunk_rows = {}
        self.W_prime_used[first - 1:last] = w["w_prime"]
        self.O_carried = part.O[-1].copy()
        self.c_carried = part.c[-1].copy() if part.c is not None else None

    def _place(self, part: Forward, first: int) -> None:
        """Copy a chunk's forward record into the whole run's, rows first − 1 … (every field and slope)."""
        if self.record is None:
            self._start_record(part)
        rows = slice(first - 1, first - 1 + len(part.O))
        for f in fields(Forward):
            value, whole = getattr(part, f.name), getattr(self.record, f.name)
            if isinstance(value, dict):  # the gates and the slopes, by name
                for key, v in value.items():
                    whole[key][rows] = v
            elif value is not None:
                whole[rows] = value

    def _start_record(self, part: Forward) -> None:
        """An empty record of T rows shaped as the first chunk's, and the run's arrays over it."""
        def rows_of(v):
            return None if v is None else np.empty((self.T,) + v.shape[1:])

        shaped = {}
        for f in fields(Forward):
            value = getattr(part, f.name)
            shaped[f.name] = {k: rows_of(v) for k, v in value.items()} if isinstance(value, dict) else rows_of(value)
        r = self.record = Forward(**shaped)
        ones = np.ones((self.T, 1))
        self.inputs = {"w_prime": r.O_prev, "w": self.x, "b": ones, "b_prime": ones}  # b and b′ take the same 1
        self.run = {"x": self.x, "a": r.a, "O": r.O, "O_prev": r.O_prev, "W_prime_used": self.W_prime_used,
                    "forward": r, "gates": r.gates}
        if r.a_prime is not None:
            self.run["a_prime"] = r.a_prime
        if r.c is not None:
            self.run["c"] = r.c

    def terms(self, targets: np.ndarray, reach: int, upstream: np.ndarray) -> dict:
        cell, fw, n = self.cell, self.record, self.n
        starts, t_of, k_of = _table_layout(targets, reach)
        width = len(cell.GATES) * n
        dx_rows, dh_rows = np.empty((len(t_of), width)), np.empty((len(t_of), width))
        carry_x, carry_h = np.empty((len(t_of), width)), np.empty((len(t_of), width))
        rows = np.zeros((len(targets), cell.state_size(n)))  # r(t, k) for every target t ≥ k
        kappa = np.zeros((len(targets), n))  # the carry lane κ(t, k)
        # the chunk's recursive view: ∂L_chunk/∂s_k and ∂L_chunk/∂a_k (∂ã_k), its paths to k summed (0 before reach)
        dL_ds = np.zeros((self.T, rows.shape[1]))
        dL_da, dL_da_prime = np.zeros((self.T, width)), np.zeros((self.T, width))
        for k in range(int(targets[-1]), reach - 1, -1):
            first = int(np.searchsorted(targets, k))  # the targets t ≥ k: a suffix
            if targets[first] == k:  # a path starts here: r(t, t) = ∂ℓ_t/∂s_t
                rows[first] = cell.entry(fw, k - 1, upstream[first][None])[0]
                kappa[first] = cell.carry_entry(fw, k - 1, upstream[first][None])[0]
            live = slice(first, len(targets))
            at = starts[live] + (targets[live] - k)
            dx_rows[at], dh_rows[at] = cell.deltas(fw, k - 1, rows[live])
            carry_x[at], carry_h[at] = cell.carry_deltas(fw, k - 1, kappa[live])
            dL_ds[k - 1], dL_da[k - 1], dL_da_prime[k - 1] = rows[live].sum(0), dx_rows[at].sum(0), dh_rows[at].sum(0)
            if k > reach:  # one block product back, on the W′ step k was run with
                rows[live] = cell.step_back(fw, k - 1, rows[live], dh_rows[at], self.W_prime_used[k - 1])
                kappa[live] = kappa[live] * cell.carry_diagonal(fw, k - 1)
        self.chunk_rows = {"view": {"dL_dO": dL_ds[:, :n], "dL_dc": dL_ds[:, n:] if cell.CARRY == "c" else None,
                                    "dL_da": dL_da, "dL_da_prime": dL_da_prime}}
        kept = np.zeros(len(t_of), dtype=bool)
        out = {}
        for p in ("w_prime", "w", "b", "b_prime"):
            side = p in ("w_prime", "b_prime")  # the recurrent side takes δₕ
            table = TermTable(p, t_of, k_of, kept, dh_rows if side else dx_rows, None, self.inputs[p], True)
            table.carry_rows = carry_h if side else carry_x
            out[p] = table
        return out
