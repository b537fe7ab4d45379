"""The tape of a gated cell (SPEC §8): the LSTM and the GRU on the plain tape's layout.

The forward pass, the immediate partials and the Jacobian blocks come from the cell
(rnnstep/cells/lstm.py, gru.py). δ(t,k) for every path comes from ONE backward
recursion over the state rows, r(t,k) = r(t,k+1)·J_{k+1}, all targets together, one
block product per step back (never a chain multiplied again):

    δₓ(t,k) = r(t,k)·∂s_k/∂a_k        δₕ(t,k) = r(t,k)·∂s_k/∂ã_k

and the carry by its own recursion along the diagonal, κ(t,k) = κ(t,k+1) ⊙ f_{k+1}
(LSTM, from κ(t,t) = ∂ℓ_t/∂O_t ⊙ o_t ⊙ tanh′(c_t)) or ⊙ u_{k+1} (GRU, from ∂ℓ_t/∂O_t);
carry(t,k) = κ(t,k)·∂c_k/∂a_k (LSTM) or κ(t,k)·∂O_k/∂a_k (GRU), rest = δ − carry.
Terms are outer products of these rows, stored one row per term (O(T·n) per target).
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from . import ids
from .cells import cell_named
from .ids import ValueId
from .tape import Tape
from .terms import Factor, TermTable
from .methods.selection import select_terms

#: the parameters of a gated cell in tape order: b_prime (PyTorch's bias_hh) joins b
GATED_PARAMS = ("w_prime", "w", "b", "b_prime", "w_out", "b_out")
GATED_RECURRENT = ("w_prime", "w", "b", "b_prime")
#: whose outer product takes δₕ (the recurrent side) rather than δₓ
_RECURRENT_SIDE = ("w_prime", "b_prime")


class GatedTape(Tape):
    """A Tape whose recurrent cell is an LSTM or a GRU. Every scenario of a gated cell is a
    vector scenario (the one-unit LSTM is n = m = q = 1)."""

    params = GATED_PARAMS

    def __init__(self, scenario, run_method=None):
        self.cell = cell_named(scenario.cell)
        super().__init__(scenario, run_method)

    @property
    def gate_names(self) -> tuple[str, ...]:
        return self.cell.GATES

    def param_shape(self, param: str) -> tuple[int, ...]:
        n, m, q = self.scenario.sizes
        G = len(self.cell.GATES)
        return {"w_prime": (G * n, n), "w": (G * n, m), "b": (G * n,), "b_prime": (G * n,),
                "w_out": (q, n), "b_out": (q,)}[param]

    # forward: the cell's equations, every gate and c_t
    def _forward(self) -> None:
        w = self.weights
        fw = self.cell.forward(w["w"], w["w_prime"], w["b"], w["b_prime"], w["x"], w["h0"], w.get("c0"))
        self.forward_record = fw
        self.x, self.a, self.O, self.O_prev = w["x"], fw.a, fw.O, fw.O_prev
        self.a_prime, self.c, self.c_prev, self.gates = fw.a_prime, fw.c, fw.c_prev, fw.gates

    def _entries(self) -> dict[int, np.ndarray]:
        return {int(t): self.upstream[p] for p, t in enumerate(self.targets)}

    # the recursive view: ∂L/∂s_t = ∂ℓ_t/∂s_t + ∂L/∂s_{t+1}·J_{t+1};  ∂L/∂a_t = ∂L/∂s_t·∂s_t/∂a_t
    def _backward_recursion(self) -> None:
        cell, fw, W_prime, n = self.cell, self.forward_record, self.weights["w_prime"], self.n
        T, G = self.T, len(cell.GATES)
        if len(self.targets) == 1:
            return  # one target: ∂L/∂s_k is r(T, k) itself, set by _one_target as the terms' recursion runs
        dL_dO, dL_dc = np.zeros((T, n)), np.zeros((T, n))
        dL_da, dL_da_prime = np.zeros((T, G * n)), np.zeros((T, G * n))
        self.dL_dO, self.dL_da, self.dL_da_prime = dL_dO, dL_da, dL_da_prime
        self.dL_dc = dL_dc if cell.CARRY == "c" else None
        entries = self._entries()
        row = None
        for k in range(T - 1, -1, -1):
            here = cell.entry(fw, k, entries.get(k + 1, np.zeros(n))[None])
            if row is not None:
                here = here + cell.step_back(fw, k + 1, row, dh, W_prime)
            row = here
            dx, dh = cell.deltas(fw, k, row)
            dL_dO[k] = row[0, :n]
            if cell.CARRY == "c":
                dL_dc[k] = row[0, n:]
            dL_da[k], dL_da_prime[k] = dx[0], dh[0]

    # δ(t,k) for every (t, k) by one recursion per step back, every target together
    def _recurrent_terms(self) -> None:
        cell, fw, W_prime = self.cell, self.forward_record, self.weights["w_prime"]
        targets = self.targets
        counts = targets
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        t_of = np.repeat(targets, counts)
        k_of = t_of - (np.arange(len(t_of)) - np.repeat(starts, counts))
        width = len(cell.GATES) * self.n
        one_side = cell.NAME == "lstm"  # δₓ = δₕ: one array serves w, b, w_prime and b_prime
        single = len(targets) == 1
        if single:  # one path set: the cell's one-row loop (the same recursion), the carry by a running product
            dx_rows, dh_rows, carry_x, carry_h = self._one_target(one_side)
        else:
            dx_rows, carry_x = np.empty((len(t_of), width)), np.empty((len(t_of), width))
            dh_rows, carry_h = (dx_rows, carry_x) if one_side else (np.empty_like(dx_rows), np.empty_like(carry_x))
        rows = np.zeros((len(targets), cell.state_size(self.n)))  # r(t, k) for every target t ≥ k
        kappa = np.zeros((len(targets), self.n))  # the carry lane κ(t, k)
        firsts = np.searchsorted(targets, np.arange(1, self.T + 1))  # for each k, the targets t ≥ k: a suffix
        for k in (range(self.T, 0, -1) if not single else ()):
            first = int(firsts[k - 1])
            if first == len(targets):
                continue
            if targets[first] == k:  # a path starts here: r(t,t) = ∂ℓ_t/∂s_t
                rows[first] = cell.entry(fw, k - 1, self.upstream[first][None])[0]
                kappa[first] = cell.carry_entry(fw, k - 1, self.upstream[first][None])[0]
            live = slice(first, len(targets))
            # the table rows of terms (t, k): one target's row T − k, else one per live target
            at = slice(self.T - k, self.T - k + 1) if single else starts[live] + (targets[live] - k)
            dx, dh = cell.deltas(fw, k - 1, rows[live])
            cx, ch = cell.carry_deltas(fw, k - 1, kappa[live])
            dx_rows[at], carry_x[at] = dx, cx
            if not one_side:
                dh_rows[at], carry_h[at] = dh, ch
            if len(targets) == 1:  # the recursive view is this very recursion (one target: one path set)
                self.dL_dO[k - 1], self.dL_da[k - 1], self.dL_da_prime[k - 1] = rows[0, :self.n], dx[0], dh[0]
                if self.dL_dc is not None:
                    self.dL_dc[k - 1] = rows[0, self.n:]
            if k > 1:  # one block product back: r(t, k−1) = r(t, k)·J_k,  κ(t, k−1) = κ(t, k) ⊙ diag
                rows[live] = cell.step_back(fw, k - 1, rows[live], dh, W_prime)
                kappa[live] = kappa[live] * cell.carry_diagonal(fw, k - 1)
        selection = select_terms(self.scenario, t_of, k_of)  # truncate = K, randomized weights (methods/, SPEC §9)
        ones = np.ones((self.T, 1))
        inputs = {"w_prime": self.O_prev, "w": self.x, "b": ones, "b_prime": ones}  # b and b′: the same 1
        sums = {}  # the running sums of the tables that share δ rows, added in one pass (TermTable.sums_together)
        for rows in ((dx_rows,) if one_side else (dx_rows, dh_rows)):
            group = [p for p in GATED_RECURRENT if (dh_rows if p in _RECURRENT_SIDE else dx_rows) is rows]
            together = TermTable.sums_together(t_of, k_of, selection.excluded, rows, [inputs[p] for p in group],
                                               selection.weight)
            sums.update(zip(group, together))
        for param in GATED_RECURRENT:
            side = param in _RECURRENT_SIDE
            table = TermTable(param, t_of, k_of, selection.excluded, dh_rows if side else dx_rows, None,
                              inputs[param], True, selection.weight, sums[param])
            table.carry_rows = carry_h if side else carry_x
            self.gradients[param] = table

    def _one_target(self, one_side: bool) -> tuple[np.ndarray, ...]:
        """One target at T: (δₓ, δₕ, carry of δₓ, carry of δₕ) rows for k = T … 1, in table order, as the
        cell's one-row loop makes them, and the recursive view, which is this path set (its rows by k)."""
        cell, fw, n, T = self.cell, self.forward_record, self.n, self.T
        found = cell.one_path(fw, T - 1, self.upstream[0], self.weights["w_prime"])
        states, dx = found[0], found[1]
        dh = dx if one_side else found[2]
        carry = cell.carry_path(fw, T - 1, self.upstream[0])
        carry_x, carry_h = (carry, carry) if one_side else carry
        if not one_side:
            # the GRU at k = t: the carry route is the whole of δ (SPEC §8), so rest is exactly 0, not the
            # rounding left between two orders of the same products (4e-19 stretched the chart's axis)
            carry_x[0], carry_h[0] = dx[0], dh[0]
        self.dL_dO = np.ascontiguousarray(states[::-1, :n])
        self.dL_da, self.dL_da_prime = np.ascontiguousarray(dx[::-1]), np.ascontiguousarray(dh[::-1])
        self.dL_dc = np.ascontiguousarray(states[::-1, n:]) if cell.CARRY == "c" else None
        return dx, dh, carry_x, carry_h

    # ----------------------------------------------------------------------------- reading

    def backprop_jacobian(self, j: int) -> np.ndarray:
        """J_j = ∂s_j/∂s_{j−1}: 2n×2n in four blocks (LSTM, state (O, c)) or n×n (GRU), SPEC §8."""
        return self.cell.jacobian(self.forward_record, j - 1, self.weights["w_prime"])

    def carry_diagonal(self, j: int) -> np.ndarray:
        """f_j (LSTM) or u_j (GRU): the carry's one step back."""
        return self.cell.carry_diagonal(self.forward_record, j - 1).copy()

    def immediate_partial(self, k: int, recurrent_side: bool = False) -> np.ndarray:
        """∂s_k/∂a_k (or ∂s_k/∂ã_k): the matrix that turns a state row into δₓ (δₕ)."""
        dx, dh = self.cell.immediate(self.forward_record, k - 1)
        return (dh if recurrent_side else dx).copy()

    def state_gradient(self, t: int) -> np.ndarray:
        """∂ℓ_t/∂s_t as a row: [∂ℓ_t/∂O_t, 0] for the LSTM, ∂ℓ_t/∂O_t for the GRU."""
        return self.cell.entry(self.forward_record, t - 1, self.upstream[self.target_position[t]][None])[0]

    def factor_count(self, param: str, term: int) -> int:
        table = self.gradients[param]
        if table.k is None:
            return 2
        return int(table.t[term]) - int(table.k[term]) + 2

    def factor(self, param: str, term: int, i: int) -> Factor:
        """δ's factors (SPEC §8): ∂ℓ_t/∂s_t, the t − k blocks J_t … J_{k+1}, then ∂s_k/∂a_k (∂s_k/∂ã_k)."""
        table = self.gradients[param]
        if table.k is None:
            return self._vector_factor(param, term, i)
        t, k = int(table.t[term]), int(table.k[term])
        single = self.single_target
        if i == 0:
            return Factor("state_grad", t, None, self.state_gradient(t)[None, :], single, self.scenario.loss)
        if i == t - k + 1:
            side = param in _RECURRENT_SIDE
            kind = "gate_partial_h" if side and self.a_prime is not None else "gate_partial"
            return Factor(kind, k, param, self.immediate_partial(k, side), single)
        j = t - (i - 1)
        return Factor("block", j, None, self.backprop_jacobian(j), single)

    def carry_factor(self, t: int, k: int) -> float:
        """∏_{j=t}^{k+1} of the carry diagonal, entry by entry (a vector of n)."""
        out = np.ones(self.n)
        with np.errstate(all="ignore"):
            for j in range(t, k, -1):
                out = out * self.cell.carry_diagonal(self.forward_record, j - 1)
        return out

    # ----------------------------------------------------------------------------- ids (SPEC §8)

    @property
    def sizes(self) -> ids.Sizes:
        """(n, m, q), knowing the cell: ids of gates, c, carry and rest are checked against it."""
        return ids.Sizes(self.scenario.sizes, self.scenario.cell)

    def _value(self, vid: ValueId) -> Any:
        if vid.group == "forward":  # every forward value here: the plain tape's table also reads f′(a_t)
            t = vid.index[0] - 1
            if vid.name in ("O", "a"):
                return (self.O if vid.name == "O" else self.a)[t]
            if vid.name == "c":
                return self.c[t]
            if vid.name == "a_prime":
                return self.a_prime[t]
            return self.gates[vid.name.split(".", 1)[1]][t]  # forward.gate.<x>[t]
        return super()._value(vid)

    def forward_ids(self, t: int) -> list[str]:
        """The forward values of step t in the order they are computed."""
        out = [f"forward.a[{t}]"] + ([f"forward.a_prime[{t}]"] if self.a_prime is not None else [])
        out += [f"forward.gate.{g}[{t}]" for g in self.cell.GATES]
        out += [f"forward.c[{t}]"] if self.c is not None else []
        return out + [f"forward.O[{t}]"]

    def value_ids(self) -> Iterator[str]:
        for t in range(1, self.T + 1):
            yield from self.forward_ids(t)
        for vid in super().value_ids():
            if vid.startswith("forward."):
                continue
            yield vid
            if ".delta[" in vid:
                yield vid.replace(".delta[", ".carry[")
                yield vid.replace(".delta[", ".rest[")
