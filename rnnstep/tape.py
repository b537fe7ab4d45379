"""The tape: forward pass, backward recursion, terms, running sums and update.

``build_tape(scenario)`` computes, in float64 and once, every number SPEC §3 names,
and lays them out as one ordered sequence of steps (``tape.steps``) that a UI
cursor, a printer or a drill walks in either direction without recomputing.

Each line mirrors a formula of SPEC §3:

    a_t = w·x_t + w′·O_{t−1} + b,  O_t = f(a_t),  z_t = w_out·O_t + b_out,  ŷ_t = g(z_t)
    term(p, t, k) = ∂ℓ_t/∂ŷ_t × ∂ŷ_t/∂O_t × ∏_{j=t}^{k+1} ∂O_j/∂O_{j−1} × ∂⁺O_k/∂p

The chain ∂ℓ_t/∂ŷ_t × ∂ŷ_t/∂O_t × ∏ ∂O_j/∂O_{j−1} is the backward recursion
``chain(t, k) = chain(t, k+1) · ∂O_{k+1}/∂O_k``, one multiply per term and
evaluated left to right, so a term's value is exactly the product of its
factors in SPEC order. Factor lists are only made when asked for
(``tape.factors``), so a long sequence costs O(T) memory per target step.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import ids
from .cells import rnn as plain_cell
from .ids import OUTPUT_PARAMS, PARAMS, RECURRENT_PARAMS, ValueId
from .methods import clipping
from .methods.selection import select_terms
from .model import Activation, Loss, activation, loss as loss_named
from .scenario import Scenario
from .terms import Factor, TermTable, Update


# ----------------------------------------------------------------------------- steps

@dataclass(frozen=True)
class Step:
    """One stop of the debugger's cursor."""

    index: int
    phase: str
    kind: str  # forward | output | loss | term | update
    t: int | None = None
    k: int | None = None
    param: str | None = None
    term: int | None = None  # index into gradients[param]
    chunk: int | None = None  # TBPTT as the debugger steps it: the chunk (from 1), its id chunk[c].… (SPEC §9)

    @property
    def id(self) -> str:
        if self.chunk is not None:
            return f"chunk[{self.chunk}]." + dataclasses.replace(self, chunk=None).id
        if self.kind == "forward":
            return f"forward.O[{self.t}]"
        if self.kind == "output":
            return f"outputs.yhat[{self.t}]"
        if self.kind == "loss":
            return "loss"
        if self.kind == "update":
            return f"update.{self.param}.new"
        where = f"{self.t},{self.k}" if self.k is not None else f"{self.t}"
        return f"gradients.{self.param}.term[{where}]"


def step_position(index: int, length: int) -> int:
    """``index`` into a sequence of ``length`` steps, a negative one from the end; IndexError outside."""
    if index < 0:
        index += length
    if not 0 <= index < length:
        raise IndexError(index)
    return index


class Steps(Sequence[Step]):
    """The ordered steps of a tape, made on demand from a few segment lengths."""

    def __init__(self, segments: list[tuple[str, str, int]], tape: "Tape"):
        self._tape = tape
        self._segments = segments  # (phase, kind, count)
        self._starts = list(np.cumsum([0] + [n for _, _, n in segments])[:-1])
        self._length = sum(n for _, _, n in segments)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = step_position(index, self._length)
        segment = bisect.bisect_right(self._starts, index) - 1
        phase, kind, _ = self._segments[segment]
        offset = index - self._starts[segment]
        tape = self._tape
        if kind == "forward":
            return Step(index, phase, kind, t=offset + 1)
        if kind == "output":
            return Step(index, phase, kind, t=int(tape.targets[offset]))
        if kind == "loss":
            return Step(index, phase, kind)
        if kind == "update":
            return Step(index, phase, kind, param=tape.params[offset])
        param = phase.split(".", 1)[1]
        table = tape.gradients[param]
        k = int(table.k[offset]) if table.k is not None else None
        return Step(index, phase, kind, t=int(table.t[offset]), k=k, param=param, term=offset)

    def phase_start(self, phase: str) -> int:
        for (name, _, _), start in zip(self._segments, self._starts):
            if name == phase:
                return int(start)
        raise KeyError(phase)

    def phase_bounds(self) -> list[tuple[str, int, int]]:
        """(phase, first step, one past the last step) for each phase, in order."""
        bounds: dict[str, list[int]] = {}
        for (name, _, n), start in zip(self._segments, self._starts):
            lo, hi = bounds.get(name, [int(start), int(start)])
            bounds[name] = [lo, int(start) + n]
        return [(name, lo, hi) for name, (lo, hi) in bounds.items()]

    def index_of(self, text: str) -> int:
        """The step a phase name or a value id (SPEC §6) belongs to."""
        if text.startswith("chunk["):  # a TBPTT chunk's value (methods/chunk_ids.py)
            from .methods.chunk_ids import step_of

            return step_of(self._tape, text)
        if ids.is_phase(text):
            return self.phase_start(text)
        vid = ids.parse_id(text)
        ids.check_id(vid, self._tape.T, self._tape.scenario.targets, self._tape.sizes)
        return self._tape.step_of(vid)


# ----------------------------------------------------------------------------- the tape

class Tape:
    """Every number of one scenario, computed once, in the order a student meets them.

    One engine for both kinds of file: the maths runs on SPEC §7's arrays (a scenario
    of plain numbers is n = m = q = 1), and for plain numbers the tape's attributes
    are the 1-D arrays of the notes (``tape.a[t − 1]`` is a number), for a vector
    scenario (T, n), (targets, q) … arrays."""

    #: the parameters in tape order (a gated cell adds b_prime, SPEC §8)
    params: tuple[str, ...] = PARAMS

    def __init__(self, scenario: Scenario, run_method: Callable[[Tape], Any] | None = None):
        """``run_method``: how the scenario's method runs over this tape when it is not BPTT (TBPTT's
        chunks, RTRL's P_t, SPEC §9); ``build_tape`` (build.py) gives it, the tape knowing only BPTT."""
        self.scenario = s = scenario
        self._run_method = run_method
        self.vector = s.is_vector
        self.n, self.m, self.q = s.sizes
        self.f: Activation = activation(s.activation, s.leaky_slope)
        self.g: Activation = activation(s.output_activation, s.leaky_slope)
        self.loss_fn: Loss = loss_named(s.loss)
        self.T = s.T
        self.weights = s.arrays()  # w n×m, w_prime n×n, b n, w_out q×n, b_out q, h0 n, x T×m, y targets×q
        with np.errstate(all="ignore"):
            self._forward()
            self._outputs()
            self._backward_recursion()
            self.gradients: dict[str, TermTable] = {}
            self._recurrent_terms()
            self._output_terms()
            self._update()
        if not self.vector:
            self._as_numbers()
        self.steps = Steps(self._segments(), self)

    def param_shape(self, param: str) -> tuple[int, ...]:
        """The shape of a weight and of its gradient (SPEC §7; a gated cell stacks its gates, §8)."""
        return ids.param_shape(param, self.scenario.sizes)

    @cached_property
    def chunks(self) -> list:
        """TBPTT's blocks (SPEC §9), one per chunk of k1 steps; [] for other methods (methods/tbptt.py)."""
        return self._method_run() if self.scenario.method == "tbptt" else []

    @cached_property
    def rtrl(self):
        """RTRL's totals and cost beside BPTT's (methods/rtrl.py); None unless method = "rtrl"."""
        return self._method_run() if self.scenario.method == "rtrl" else None

    def _method_run(self) -> Any:
        if self._run_method is None:
            raise TypeError(f"method = {self.scenario.method!r} runs on a tape made by rnnstep.build_tape, "
                            "which gives the tape its method")
        return self._run_method(self)

    @property
    def sizes(self) -> tuple[int, int, int] | None:
        """(n, m, q) of a vector scenario; None for plain numbers (ids take no component)."""
        return self.scenario.shape

    # forward: a_t = W·x_t + W′·O_{t−1} + b,  O_t = f(a_t)
    def _forward(self) -> None:
        W, W_prime, b, h0, x = (self.weights[k] for k in ("w", "w_prime", "b", "h0", "x"))
        from_input = x @ W.T  # W·x_t for every t at once
        a, O = np.empty((self.T, self.n)), np.empty((self.T, self.n))
        previous = h0
        for t in range(self.T):
            a[t] = plain_cell.pre_activation(from_input[t], W_prime, previous, b)
            O[t] = previous = self.f.values(a[t])
        self.x, self.a, self.O = x, a, O
        self.O_prev = np.concatenate((h0[None], O[:-1]))  # O_{t−1}
        self.f_prime = self.f.derivative(a, O)  # f′(a_t)

    # z_t = W_out·O_t + b_out,  ŷ_t = g(z_t),  L = Σ_t ℓ(ŷ_t, y_t)
    def _outputs(self) -> None:
        s, W_out, b_out = self.scenario, self.weights["w_out"], self.weights["b_out"]
        self.targets = np.array(s.targets, dtype=np.int64)
        self.target_position = {int(t): i for i, t in enumerate(self.targets)}
        self.z = self.O[self.targets - 1] @ W_out.T + b_out
        self.yhat = np.array([self.g.values(z) for z in self.z], dtype=np.float64).reshape(self.z.shape)
        self.y = self.weights["y"]
        self.losses = np.sum(self.loss_fn.value(self.yhat, self.y), axis=1)  # Σ over the q outputs
        self.loss = float(np.sum(self.losses)) if len(self.losses) > 1 else float(self.losses[0])
        self.dl_dyhat = self.loss_fn.derivative(self.yhat, self.y)  # ∂ℓ_t/∂ŷ_t
        self.g_prime = self.g.derivative(self.z, self.yhat)  # g′(z_t): the diagonal of ∂ŷ_t/∂z_t
        if self.g.name == "softmax":  # ∂ℓ/∂ŷ·(diag(ŷ) − ŷŷᵀ)
            self.to_z = self.yhat * self.dl_dyhat - self.yhat * np.sum(self.yhat * self.dl_dyhat, axis=1, keepdims=True)
        else:
            self.to_z = self.dl_dyhat * self.g_prime  # ∂ℓ_t/∂z_t = ∂ℓ_t/∂ŷ_t·∂ŷ_t/∂z_t
        if self.q == 1 and self.g.name != "softmax":
            self.dyhat_dO = self.g_prime * W_out[0]  # ∂ŷ_t/∂O_t = g′(z_t)·w_out (one output)
            self.upstream = self.dl_dyhat * self.dyhat_dO  # ∂ℓ_t/∂ŷ_t × ∂ŷ_t/∂O_t
        else:
            self.upstream = self.to_z @ W_out  # ∂ℓ_t/∂O_t = ∂ℓ_t/∂z_t·W_out

    # the recursive view: ∂L/∂O_t = ∂ℓ_t/∂O_t + ∂L/∂a_{t+1}·W′,  ∂L/∂a_t = ∂L/∂O_t ⊙ f′(a_t)
    def _backward_recursion(self) -> None:
        T, W_prime = self.T, self.weights["w_prime"]
        dL_dO, dL_da = np.zeros((T, self.n)), np.zeros((T, self.n))
        later = None
        for t in range(T, 0, -1):
            here = self.upstream[self.target_position[t]] if t in self.target_position else np.zeros(self.n)
            dL_dO[t - 1] = here + later @ W_prime if later is not None else here
            dL_da[t - 1] = dL_dO[t - 1] * plain_cell.immediate(self.f_prime[t - 1])
            later = dL_da[t - 1]
        self.dL_dO, self.dL_da = dL_dO, dL_da

    def backprop_jacobian(self, j: int) -> np.ndarray:
        """∂O_j/∂O_{j−1} = diag(f′(a_j))·W′ (n×n), SPEC §7."""
        return plain_cell.backprop_jacobian(self.f_prime_rows[j - 1], self.weights["w_prime"])

    # term(p, t, k) = chain(t, k) ⊗ ∂⁺O_k/∂p with chain(t, k) = chain(t, k+1) · ∂O_{k+1}/∂O_k
    def _recurrent_terms(self) -> None:
        counts = self.targets  # target t has the t terms k = t … 1
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        t_of = np.repeat(self.targets, counts)
        k_of = t_of - (np.arange(len(t_of)) - np.repeat(starts, counts))
        self.f_prime_rows = self.f_prime
        chain = np.empty((len(t_of), self.n))
        chain[starts] = self.upstream  # chain(t, t) = ∂ℓ_t/∂O_t
        if self.n == 1:
            # one unit: each chain is a running product, one multiply per step back (j = t … 2)
            backprop_factor = plain_cell.backprop_jacobian(self.f_prime, self.weights["w_prime"])[:, 0, 0]  # f′(a_j)·w′
            for position, t in enumerate(int(t) for t in self.targets):
                multipliers = np.concatenate(([self.upstream[position, 0]], backprop_factor[t - 1:0:-1]))
                chain[starts[position]:starts[position] + t, 0] = np.cumprod(multipliers)
        elif len(self.targets) == 1:
            # one target: its path steps back one vector–matrix product at a time
            W_prime, f_prime = self.weights["w_prime"], self.f_prime
            for i in range(len(t_of) - 1):  # row i is chain(T, T − i); ∂O_j/∂O_{j−1} with j = T − i
                chain[i + 1] = plain_cell.step_back(chain[i], f_prime[self.T - i - 1], W_prime)
        else:
            # every path steps back together: one vector–matrix product per term
            W_prime, f_prime = self.weights["w_prime"], self.f_prime
            firsts = np.searchsorted(self.targets, np.arange(2, self.T + 1))  # targets t ≥ k + 1, k = 1 … T−1
            for k in range(self.T - 1, 0, -1):
                first = int(firsts[k - 1])
                if first == len(self.targets):
                    continue
                above = starts[first:] + (self.targets[first:] - (k + 1))  # rows of chain(t, k+1)
                # chain(t, k) = chain(t, k+1)·diag(f′(a_{k+1}))·W′
                chain[above + 1] = plain_cell.step_back(chain[above], f_prime[k], W_prime)
        self.chain = chain  # ∂ℓ_t/∂O_k along the single path t → k
        selection = select_terms(self.scenario, t_of, k_of)  # truncate = K, randomized weights (methods/)
        inputs = {"w_prime": self.O_prev, "w": self.x, "b": np.ones((self.T, 1))}
        for param in RECURRENT_PARAMS:
            self.gradients[param] = TermTable(param, t_of, k_of, selection.excluded, chain, self.f_prime,
                                              inputs[param], self.vector, selection.weight)

    # ∂L/∂W_out = Σ_t (∂ℓ_t/∂z_t)ᵀ O_tᵀ,  ∂L/∂b_out = Σ_t ∂ℓ_t/∂z_t
    def _output_terms(self) -> None:
        no_truncation = np.zeros(len(self.targets), dtype=bool)
        # output terms are indexed by t: inputs[t − 1] is O_t
        self.gradients["w_out"] = TermTable("w_out", self.targets, None, no_truncation, self.to_z, None,
                                            self.O, self.vector)
        self.gradients["b_out"] = TermTable("b_out", self.targets, None, no_truncation, self.to_z, None,
                                            np.ones((self.T, 1)), self.vector)

    # p_new = p − η·clip(∂L/∂p): clip entry by entry, or the whole gradient by norm (methods/clipping.py)
    def _update(self) -> None:
        s = self.scenario
        self.updates: dict[str, Update] = {}
        grads = {param: self.gradients[param].total for param in self.params}
        self.norm_clip, clipped = clipping.clipped(grads, s.clip, s.clip_norm)  # norm_clip: ‖g‖ and scale
        for param in self.params:
            if self.vector:
                old = self.weights[param].reshape(self.param_shape(param)).copy()
            else:
                old = getattr(s, param)
            self.updates[param] = Update(old, grads[param], clipped[param], old - s.learning_rate * clipped[param])

    def _as_numbers(self) -> None:
        """Plain numbers: the notes' 1-D arrays, one number per step."""
        for name in ("x", "a", "O", "O_prev", "f_prime", "z", "yhat", "y", "dl_dyhat", "g_prime", "dyhat_dO",
                     "upstream", "to_z", "dL_dO", "dL_da", "chain"):
            setattr(self, name, getattr(self, name)[:, 0])
        # ∂O_j/∂O_{j−1} = f′(a_j)·w′ (index j−1) and ∂⁺O_k/∂p = f′(a_k)·input (index k−1): the cell's formulas
        self.backprop_factor = plain_cell.backprop_jacobian(self.f_prime, np.array([[self.scenario.w_prime]]))[:, 0]
        immediate = plain_cell.immediate(self.f_prime)
        self.immediate_partial = {  # ∂⁺O_k/∂p, index k−1
            "w": immediate * self.x,
            "w_prime": immediate * self.O_prev,
            "b": immediate,
        }

    def _segments(self) -> list[tuple[str, str, int]]:
        segments = [("forward", "forward", self.T), ("loss", "output", len(self.targets)), ("loss", "loss", 1)]
        segments += [(f"backward.{p}", "term", len(self.gradients[p])) for p in self.params]
        segments.append(("update", "update", len(self.params)))
        return segments

    # ------------------------------------------------------------------------- reading the tape

    @property
    def single_target(self) -> bool:
        return not self.scenario.target_at_every_step

    def next_scenario(self) -> Scenario:
        """The same scenario with the updated weights: one step of gradient descent."""
        updates = self.chunks[-1].updates if self.chunks else self.updates  # TBPTT: after its last chunk
        return self.scenario.with_weights(**{p: u.new for p, u in updates.items()})

    def recurrent_weight(self, j: int) -> Any:
        """The w′ step j was run with (one for the whole tape; a TBPTT chunk's steps differ, chunk_tape.py)."""
        return self.scenario.w_prime

    def factor_count(self, param: str, term: int) -> int:
        table = self.gradients[param]
        return ids.factor_count(param, int(table.t[term]), None if table.k is None else int(table.k[term]),
                                self.vector)

    def factor(self, param: str, term: int, i: int) -> Factor:
        """Factor ``i`` (from 0) of one term, in SPEC §3 order (§7 for vectors), made on demand."""
        if self.vector:
            return self._vector_factor(param, term, i)
        table = self.gradients[param]
        t = int(table.t[term])
        position = self.target_position[t]
        single = self.single_target
        if i == 0:
            return Factor("loss_grad", t, None, float(self.dl_dyhat[position]), single, self.scenario.loss)
        if param in OUTPUT_PARAMS:
            if i == 1:
                return Factor("output_act", t, None, float(self.g_prime[position]), single)
            into_z = float(self.O[t - 1]) if param == "w_out" else 1.0
            return Factor("output_input", t, param, into_z, single)
        k = int(table.k[term])
        if i == 1:
            return Factor("output_grad", t, None, float(self.dyhat_dO[position]), single)
        if i == t - k + 2:
            return Factor("immediate", k, param, float(self.immediate_partial[param][k - 1]), single)
        j = t - (i - 2)  # ∂O_j/∂O_{j−1}, stepping back from t
        return Factor("backprop", j, None, float(self.backprop_factor[j - 1]), single)

    def _vector_factor(self, param: str, term: int, i: int) -> Factor:
        """The matrices of δ's formula (SPEC §7): ∂ℓ_t/∂ŷ_t (1×q), ∂ŷ_t/∂z_t (q×q), ∂z_t/∂O_t = W_out,
        then ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′ for j = t … k+1 and ∂O_k/∂a_k = diag(f′(a_k))."""
        table = self.gradients[param]
        t = int(table.t[term])
        position = self.target_position[t]
        single = self.single_target
        if i == 0:
            return Factor("loss_grad", t, None, self.dl_dyhat[position][None, :].copy(), single, self.scenario.loss)
        if i == 1:
            return Factor("output_act", t, None, self.g.jacobian(self.z[position], self.yhat[position]), single)
        k = int(table.k[term])
        if i == 2:
            return Factor("output_weight", t, None, self.weights["w_out"].copy(), single)
        if i == t - k + 3:
            return Factor("activation", k, param, np.diag(self.f_prime[k - 1]), single)
        j = t - (i - 3)
        return Factor("backprop", j, None, self.backprop_jacobian(j), single)

    def factors(self, param: str, term: int) -> list[Factor]:
        """The factors of one term in SPEC §3 order; their product is the term's value (δ for vectors)."""
        return [self.factor(param, term, i) for i in range(self.factor_count(param, term))]

    def jacobian_norm(self, j: int) -> float:
        """‖∂O_j/∂O_{j−1}‖₂, the spectral norm: the most one step back can stretch a gradient."""
        with np.errstate(all="ignore"):
            J = self.backprop_jacobian(j)
            return float(np.linalg.norm(J, 2)) if np.isfinite(J).all() else float("nan")

    def step_of(self, vid: ValueId) -> int:
        """The step at which the value ``vid`` is computed."""
        steps = self.steps
        group, idx = vid.group, vid.index
        if group == "forward":
            return steps.phase_start("forward") + idx[0] - 1
        if group == "outputs":
            return steps.phase_start("loss") + self.target_position[idx[0]]
        if group == "loss":
            return steps.phase_start("loss") + len(self.targets)
        if group == "update":
            return steps.phase_start("update") + self.params.index(vid.param)
        if group == "backward":
            # ∂L/∂a_k is complete once the last b term through a_k has been added
            k = idx[0]
            t = max(t for t in self.target_position if t >= k)
            return steps.phase_start("backward.b") + self.gradients["b"].index_of(t, k)
        table = self.gradients[vid.param]
        start = steps.phase_start(f"backward.{vid.param}")
        if vid.name == "total":
            return start + len(table) - 1
        k = idx[1] if table.k is not None else None
        return start + table.index_of(idx[0], k)

    def value(self, id_or_vid: str | ValueId) -> Any:
        """The value of a SPEC §6 id, e.g. ``tape.value("gradients.w_prime.term[4,2]")``: a number, or
        in a vector scenario an array (one entry with a component index: ``term[4,2][1,2]``)."""
        vid = ids.parse_id(id_or_vid) if isinstance(id_or_vid, str) else id_or_vid
        ids.check_id(vid, self.T, self.scenario.targets, self.sizes)
        value = self._value(vid.whole)
        if not self.vector:
            return value
        if vid.component:
            return float(np.asarray(value)[tuple(c - 1 for c in vid.component)])
        return value if isinstance(value, float) else np.array(value, dtype=np.float64)

    def _value(self, vid: ValueId) -> Any:
        group, name, idx = vid.group, vid.name, vid.index
        one = (lambda v: float(v)) if not self.vector else (lambda v: v)
        if group == "forward":
            return one(getattr(self, name)[idx[0] - 1])  # a, O or f_prime (a gated cell has no f_prime)
        if group == "outputs":
            if name == "loss":
                return float(self.losses[self.target_position[idx[0]]])
            return one({"z": self.z, "yhat": self.yhat}[name][self.target_position[idx[0]]])
        if group == "loss":
            return self.loss
        if group == "backward":
            return one((self.dL_dO if name == "dL_dO" else self.dL_da)[idx[0] - 1])
        if group == "update":
            return self.updates[vid.param].new
        table = self.gradients[vid.param]
        if name == "total":
            return table.total
        recurrent = table.k is not None
        term = table.index_of(idx[0], idx[1] if recurrent else None)
        if name == "term":
            return one(table.value[term])
        if name == "running_sum":
            return one(table.running_sum[term])
        if name == "delta":
            return table.delta(term)
        if name in ("carry", "rest"):  # SPEC §8 (the plain cell: carry 0, rest δ)
            return getattr(table, name)(term)
        return self.factors(vid.param, term)[idx[-1] - 1].value if not self.vector else \
            self.factor(vid.param, term, idx[-1] - 1).value

    def value_ids(self) -> Iterator[str]:
        """Every value id (SPEC §6) of this tape, in tape order (whole vectors and matrices for §7)."""
        for t in range(1, self.T + 1):
            yield f"forward.a[{t}]"
            yield f"forward.O[{t}]"
        for t in self.targets:
            yield from (f"outputs.z[{t}]", f"outputs.yhat[{t}]", f"outputs.loss[{t}]")
        yield "loss"
        for t in range(self.T, 0, -1):  # the recursion's own order: ∂L/∂O_t needs ∂L/∂a_{t+1}
            yield from (f"backward.dL_dO[{t}]", f"backward.dL_da[{t}]")
        for param in self.params:
            table = self.gradients[param]
            for i in range(len(table)):
                where = f"{int(table.t[i])},{int(table.k[i])}" if table.k is not None else f"{int(table.t[i])}"
                for j in range(1, self.factor_count(param, i) + 1):
                    yield f"gradients.{param}.factor[{where},{j}]"
                if self.vector and table.k is not None:
                    yield f"gradients.{param}.delta[{where}]"
                yield f"gradients.{param}.term[{where}]"
                yield f"gradients.{param}.running_sum[{where}]"
            yield f"gradients.{param}.total"
        for param in self.params:
            yield f"update.{param}.new"

    def fused_output_gradient(self, t: int) -> float | None:
        """∂ℓ_t/∂z_t = ŷ_t − y_t for bce with a sigmoid output, where the factors
        ∂ℓ/∂ŷ and ∂ŷ/∂z overflow (ŷ saturated at 0 or 1); None elsewhere."""
        s = self.scenario
        if s.loss != "bce" or s.output_activation != "sigmoid" or self.vector:
            return None
        position = self.target_position[t]
        if np.isfinite(self.dl_dyhat[position]):
            return None
        return float(self.yhat[position] - self.y[position])

    @cached_property
    def nonfinite(self) -> bool:
        """Did anything overflow (an inf or nan anywhere on the tape)?"""
        arrays = [self.a, self.O, self.yhat, self.losses, self.dl_dyhat]
        if self.vector:
            arrays += [t.max_abs for t in self.gradients.values()]
            arrays += [np.asarray(t.total) for t in self.gradients.values()]
        else:
            arrays += [t.value for t in self.gradients.values()]
        return not all(np.isfinite(a).all() for a in arrays)

