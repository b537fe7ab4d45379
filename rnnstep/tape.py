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
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, Sequence

import numpy as np

from . import ids, notation
from .ids import OUTPUT_PARAMS, PARAMS, RECURRENT_PARAMS, ValueId
from .model import Activation, Loss, activation, loss as loss_named
from .scenario import Scenario


# ----------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Factor:
    """One factor of a chain product.

    ``kind`` is one of: ``loss_grad`` ∂L/∂ŷ_t, ``output_grad`` ∂ŷ_t/∂O_t,
    ``backprop`` ∂O_j/∂O_{j−1}, ``immediate`` ∂⁺O_k/∂p, ``output_act`` ∂ŷ_t/∂z_t,
    ``output_input`` ∂z_t/∂p. ``step`` is the t, j or k of the symbol.
    """

    kind: str
    step: int
    param: str | None
    value: float
    single_target: bool = True
    loss: str = "half_squared"  # names ∂ℓ/∂ŷ's formula

    @property
    def symbol(self) -> str:
        return notation.factor_symbol(self)

    @property
    def formula(self) -> str:
        return notation.factor_formula(self)


@dataclass(frozen=True)
class TermTable:
    """The terms of ∂L/∂param in SPEC order, as parallel arrays."""

    param: str
    t: np.ndarray  # target step of each term
    k: np.ndarray | None  # step the path ends at (None for w_out, b_out)
    value: np.ndarray
    truncated: np.ndarray
    running_sum: np.ndarray

    def __len__(self) -> int:
        return len(self.value)

    @property
    def total(self) -> float:
        """∂L/∂param: the last running sum."""
        return float(self.running_sum[-1])

    def index_of(self, t: int, k: int | None = None) -> int:
        """Position of term (t, k) (or term t for w_out, b_out) in the table."""
        if self.k is None:
            return int(np.searchsorted(self.t, t))
        first = int(np.searchsorted(self.t, t))  # terms of one t run k = t … 1
        return first + (t - k)


@dataclass(frozen=True)
class Update:
    old: float
    grad: float
    clipped: float
    new: float


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

    @property
    def id(self) -> str:
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
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
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
            return Step(index, phase, kind, param=PARAMS[offset])
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
        if ids.is_phase(text):
            return self.phase_start(text)
        vid = ids.parse_id(text)
        ids.check_id(vid, self._tape.T, self._tape.scenario.targets)
        return self._tape.step_of(vid)


# ----------------------------------------------------------------------------- the tape

class Tape:
    """Every number of one scenario, computed once, in the order a student meets them."""

    def __init__(self, scenario: Scenario):
        self.scenario = s = scenario
        self.f: Activation = activation(s.activation, s.leaky_slope)
        self.g: Activation = activation(s.output_activation, s.leaky_slope)
        self.loss_fn: Loss = loss_named(s.loss)
        self.T = s.T
        with np.errstate(all="ignore"):
            self._forward()
            self._outputs()
            self._backward_recursion()
            self.gradients: dict[str, TermTable] = {}
            self._recurrent_terms()
            self._output_terms()
            self._update()
        self.steps = Steps(self._segments(), self)

    # forward: a_t = w·x_t + w′·O_{t−1} + b,  O_t = f(a_t)
    def _forward(self) -> None:
        s, f = self.scenario, self.f.value
        w, w_prime, b = s.w, s.w_prime, s.b
        a, O = [], []
        previous = s.h0
        for x_t in s.x:
            a_t = w * x_t + w_prime * previous + b
            previous = f(a_t)
            a.append(a_t)
            O.append(previous)
        self.x = np.array(s.x, dtype=np.float64)
        self.a = np.array(a, dtype=np.float64)
        self.O = np.array(O, dtype=np.float64)
        self.O_prev = np.concatenate(([s.h0], self.O[:-1]))  # O_{t−1}
        self.f_prime = self.f.derivative(self.a, self.O)  # f′(a_t)

    # z_t = w_out·O_t + b_out,  ŷ_t = g(z_t),  L = Σ_t ℓ(ŷ_t, y_t)
    def _outputs(self) -> None:
        s = self.scenario
        self.targets = np.array(s.targets, dtype=np.int64)
        self.target_position = {int(t): i for i, t in enumerate(self.targets)}
        O_t = self.O[self.targets - 1]
        self.z = s.w_out * O_t + s.b_out
        self.yhat = np.array([self.g.value(float(z)) for z in self.z], dtype=np.float64)
        self.y = np.array(s.y if s.target_at_every_step else (s.y,), dtype=np.float64)
        self.losses = self.loss_fn.value(self.yhat, self.y)
        self.loss = float(np.sum(self.losses)) if len(self.losses) > 1 else float(self.losses[0])
        self.dl_dyhat = self.loss_fn.derivative(self.yhat, self.y)  # ∂ℓ_t/∂ŷ_t
        self.g_prime = self.g.derivative(self.z, self.yhat)  # g′(z_t) = ∂ŷ_t/∂z_t
        self.dyhat_dO = self.g_prime * s.w_out  # ∂ŷ_t/∂O_t = g′(z_t)·w_out
        self.upstream = self.dl_dyhat * self.dyhat_dO  # ∂ℓ_t/∂ŷ_t × ∂ŷ_t/∂O_t
        self.backprop_factor = self.f_prime * s.w_prime  # ∂O_j/∂O_{j−1} = f′(a_j)·w′, index j−1
        self.immediate_partial = {  # ∂⁺O_k/∂p, index k−1
            "w": self.f_prime * self.x,
            "w_prime": self.f_prime * self.O_prev,
            "b": self.f_prime,
        }

    # the recursive view: ∂L/∂O_t = ∂ℓ_t/∂O_t + ∂L/∂a_{t+1}·w′,  ∂L/∂a_t = ∂L/∂O_t·f′(a_t)
    def _backward_recursion(self) -> None:
        T, w_prime = self.T, self.scenario.w_prime
        dL_dO, dL_da = np.zeros(T), np.zeros(T)
        later = 0.0
        for t in range(T, 0, -1):
            here = self.upstream[self.target_position[t]] if t in self.target_position else 0.0
            dL_dO[t - 1] = here + later * w_prime if t < T else here
            dL_da[t - 1] = dL_dO[t - 1] * self.f_prime[t - 1]
            later = dL_da[t - 1]
        self.dL_dO, self.dL_da = dL_dO, dL_da

    # term(p, t, k) = chain(t, k) · ∂⁺O_k/∂p with chain(t, k) = chain(t, k+1) · ∂O_{k+1}/∂O_k
    def _recurrent_terms(self) -> None:
        blocks_t, blocks_k, blocks_chain = [], [], []
        for position, t in enumerate(int(t) for t in self.targets):
            # chain(t, t) = ∂ℓ_t/∂ŷ_t·∂ŷ_t/∂O_t, then one ∂O_j/∂O_{j−1} per step back (j = t … 2)
            multipliers = np.concatenate(([self.upstream[position]], self.backprop_factor[t - 1:0:-1]))
            blocks_chain.append(np.cumprod(multipliers))
            blocks_k.append(np.arange(t, 0, -1))
            blocks_t.append(np.full(t, t))
        t_of = np.concatenate(blocks_t)
        k_of = np.concatenate(blocks_k)
        self.chain = np.concatenate(blocks_chain)  # ∂ℓ_t/∂O_k along the single path t → k
        K = self.scenario.truncate
        truncated = (t_of - k_of) >= K if K is not None else np.zeros(len(t_of), dtype=bool)
        for param in RECURRENT_PARAMS:
            value = self.chain * self.immediate_partial[param][k_of - 1]
            self.gradients[param] = _table(param, t_of, k_of, value, truncated)

    # ∂L/∂w_out = Σ_t ∂ℓ_t/∂ŷ_t·g′(z_t)·O_t,  ∂L/∂b_out = Σ_t ∂ℓ_t/∂ŷ_t·g′(z_t)·1
    def _output_terms(self) -> None:
        to_z = self.dl_dyhat * self.g_prime
        no_truncation = np.zeros(len(self.targets), dtype=bool)
        self.gradients["w_out"] = _table("w_out", self.targets, None, to_z * self.O[self.targets - 1], no_truncation)
        self.gradients["b_out"] = _table("b_out", self.targets, None, to_z * 1.0, no_truncation)

    # p_new = p − η·clip(∂L/∂p)
    def _update(self) -> None:
        s = self.scenario
        self.updates: dict[str, Update] = {}
        for param in PARAMS:
            old, grad = getattr(s, param), self.gradients[param].total
            clipped = grad if s.clip is None else float(np.clip(grad, -s.clip, s.clip))
            self.updates[param] = Update(old, grad, clipped, old - s.learning_rate * clipped)

    def _segments(self) -> list[tuple[str, str, int]]:
        segments = [("forward", "forward", self.T), ("loss", "output", len(self.targets)), ("loss", "loss", 1)]
        segments += [(f"backward.{p}", "term", len(self.gradients[p])) for p in PARAMS]
        segments.append(("update", "update", len(PARAMS)))
        return segments

    # ------------------------------------------------------------------------- reading the tape

    @property
    def single_target(self) -> bool:
        return not self.scenario.target_at_every_step

    def next_scenario(self) -> Scenario:
        """The same scenario with the updated weights: one step of gradient descent."""
        return self.scenario.with_weights(**{p: u.new for p, u in self.updates.items()})

    def factor_count(self, param: str, term: int) -> int:
        table = self.gradients[param]
        return ids.factor_count(param, int(table.t[term]), None if table.k is None else int(table.k[term]))

    def factor(self, param: str, term: int, i: int) -> Factor:
        """Factor ``i`` (from 0) of one term, in SPEC §3 order, made on demand."""
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

    def factors(self, param: str, term: int) -> list[Factor]:
        """The factors of one term in SPEC §3 order; their product is the term's value."""
        return [self.factor(param, term, i) for i in range(self.factor_count(param, term))]

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
            return steps.phase_start("update") + PARAMS.index(vid.param)
        if group == "backward":
            # ∂L/∂a_k is complete once the last b term through a_k has been added
            k = idx[0]
            t = max(t for t in self.target_position if t >= k)
            return steps.phase_start("backward.b") + self.gradients["b"].index_of(t, k)
        table = self.gradients[vid.param]
        start = steps.phase_start(f"backward.{vid.param}")
        if vid.name == "total":
            return start + len(table) - 1
        k = idx[1] if vid.param in RECURRENT_PARAMS else None
        return start + table.index_of(idx[0], k)

    def value(self, id_or_vid: str | ValueId) -> float:
        """The value of a SPEC §6 id, e.g. ``tape.value("gradients.w_prime.term[4,2]")``."""
        vid = ids.parse_id(id_or_vid) if isinstance(id_or_vid, str) else id_or_vid
        ids.check_id(vid, self.T, self.scenario.targets)
        group, name, idx = vid.group, vid.name, vid.index
        if group == "forward":
            return float((self.a if name == "a" else self.O)[idx[0] - 1])
        if group == "outputs":
            array = {"z": self.z, "yhat": self.yhat, "loss": self.losses}[name]
            return float(array[self.target_position[idx[0]]])
        if group == "loss":
            return self.loss
        if group == "backward":
            return float((self.dL_dO if name == "dL_dO" else self.dL_da)[idx[0] - 1])
        if group == "update":
            return self.updates[vid.param].new
        table = self.gradients[vid.param]
        if name == "total":
            return table.total
        recurrent = vid.param in RECURRENT_PARAMS
        term = table.index_of(idx[0], idx[1] if recurrent else None)
        if name == "term":
            return float(table.value[term])
        if name == "running_sum":
            return float(table.running_sum[term])
        return self.factors(vid.param, term)[idx[-1] - 1].value

    def value_ids(self) -> Iterator[str]:
        """Every value id (SPEC §6) of this tape, in tape order."""
        for t in range(1, self.T + 1):
            yield f"forward.a[{t}]"
            yield f"forward.O[{t}]"
        for t in self.targets:
            yield from (f"outputs.z[{t}]", f"outputs.yhat[{t}]", f"outputs.loss[{t}]")
        yield "loss"
        for t in range(self.T, 0, -1):  # the recursion's own order: ∂L/∂O_t needs ∂L/∂a_{t+1}
            yield from (f"backward.dL_dO[{t}]", f"backward.dL_da[{t}]")
        for param in PARAMS:
            table = self.gradients[param]
            for i in range(len(table)):
                where = f"{int(table.t[i])},{int(table.k[i])}" if table.k is not None else f"{int(table.t[i])}"
                for j in range(1, self.factor_count(param, i) + 1):
                    yield f"gradients.{param}.factor[{where},{j}]"
                yield f"gradients.{param}.term[{where}]"
                yield f"gradients.{param}.running_sum[{where}]"
            yield f"gradients.{param}.total"
        for param in PARAMS:
            yield f"update.{param}.new"

    def fused_output_gradient(self, t: int) -> float | None:
        """∂ℓ_t/∂z_t = ŷ_t − y_t for bce with a sigmoid output, where the factors
        ∂ℓ/∂ŷ and ∂ŷ/∂z overflow (ŷ saturated at 0 or 1); None elsewhere."""
        s = self.scenario
        if s.loss != "bce" or s.output_activation != "sigmoid":
            return None
        position = self.target_position[t]
        if np.isfinite(self.dl_dyhat[position]):
            return None
        return float(self.yhat[position] - self.y[position])

    @cached_property
    def nonfinite(self) -> bool:
        """Did anything overflow (an inf or nan anywhere on the tape)?"""
        arrays = [self.a, self.O, self.yhat, self.losses, self.dl_dyhat]
        arrays += [t.value for t in self.gradients.values()]
        return not all(np.isfinite(a).all() for a in arrays)


def _table(param: str, t: np.ndarray, k: np.ndarray | None, value: np.ndarray, truncated: np.ndarray) -> TermTable:
    # running_sum: the sum of the non-truncated terms up to and including this one, in order
    running_sum = np.cumsum(np.where(truncated, 0.0, value))
    return TermTable(param, t, k, value, truncated, running_sum)


def build_tape(scenario: Scenario) -> Tape:
    """Compute every number of ``scenario`` and lay them out as an ordered tape."""
    return Tape(scenario)
