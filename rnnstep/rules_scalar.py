"""The local rules of the notes' one-unit network (plain numbers): each value's formula from the values it
directly uses, e.g. O₂ = f(a₂), a term = the product of its factors or ∂L/∂a_k × the weight's input, f′(a) of
tanh = 1 − O². The formulas are those of model.py; rules.py hands a value here or to rules_vector.py.

With ``paths=True`` a term's product of factors is written as path × ∂⁺O_k/∂p,
where the path ``path[t,k]`` (δ(t,k) of SPEC §7: ∂ℓ_t/∂ŷ_t × ∂ŷ_t/∂O_t ×
∏ ∂O_j/∂O_{j−1}) is built one factor at a time by ``path_rules``; the same
product, but each term then costs one multiply, so a long tape stays linear.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .ids import RECURRENT_PARAMS, ValueId
from .local_rule import FLOAT_DERIVATIVES, Rule
from .local_rule import prime_from_input as _prime_from_input, prime_from_output
from .model import Activation
from .tape import Tape


def _prime_rules(act: Activation, before: str, after: str, scale: Callable[[dict], float], label: str) -> list[Rule]:
    """Rules for act′(·)·scale, from the pre-activation id or from the output id."""
    out = [Rule((before,), lambda v: _prime_from_input(act, v[before]) * scale(v), f"{label}′({before})")]
    if act.name in FLOAT_DERIVATIVES:
        out.append(Rule((after,), lambda v: prime_from_output(act, v[after]) * scale(v), f"{label}′ from {after}"))
    return out


def path_id(t: int, k: int) -> str:
    """The pseudo-id of δ(t,k), the factors that every term (t,k) shares (not a SPEC §6 id)."""
    return f"path[{t},{k}]"


def factor_id(param: str, t: int, k: int | None, i: int) -> str:
    return f"gradients.{param}.factor[{t},{k},{i}]" if k is not None else f"gradients.{param}.factor[{t},{i}]"


def _product(ids: tuple[str, ...]) -> Callable[[dict], float]:
    def product(v: dict) -> float:
        out = 1.0
        for i in ids:
            out *= v[i]
        return out

    return product


def path_rules(tape: Tape, t: int, k: int) -> list[Rule]:
    """path[t,k] = ∂ℓ_t/∂ŷ_t × ∂ŷ_t/∂O_t (k = t), else path[t,k+1] × ∂O_{k+1}/∂O_k: factors 1 … t−k+2 of term (t,k)."""
    if k == t:
        inputs = (factor_id("w_prime", t, t, 1), factor_id("w_prime", t, t, 2))
        return [Rule(inputs, _product(inputs), "∂L/∂ŷ·∂ŷ/∂O")]
    inputs = (path_id(t, k + 1), factor_id("w_prime", t, k, t - k + 2))
    return [Rule(inputs, _product(inputs), "the path so far × ∂O_{j}/∂O_{j−1}")]


def scalar_rules(tape: Tape, vid: ValueId, paths: bool = False) -> list[Rule]:
    """The ways a value of the notes' one-unit network can be computed from the values it directly uses."""
    s, f, g, loss = tape.scenario, tape.f, tape.g, tape.loss_fn
    group, name, idx = vid.group, vid.name, vid.index

    def y_of(t: int) -> float:
        return float(tape.y[tape.target_position[t]])

    def loss_prime(yhat: float, t: int) -> float:
        with np.errstate(all="ignore"):
            return float(loss.derivative(np.array(yhat), np.array(y_of(t))))

    if group == "forward":
        t = idx[0]
        if name == "a":
            prev = f"forward.O[{t - 1}]"
            if t == 1:
                return [Rule((), lambda v: s.w * s.x[0] + s.w_prime * s.h0 + s.b, "x₁·w + O₀·w′ + b")]
            return [Rule((prev,), lambda v: s.w * s.x[t - 1] + s.w_prime * v[prev] + s.b, "x·w + O·w′ + b")]
        a = f"forward.a[{t}]"
        return [Rule((a,), lambda v: f.value(v[a]), "f(a)")]
    if group == "outputs":
        t = idx[0]
        O, z, yhat = f"forward.O[{t}]", f"outputs.z[{t}]", f"outputs.yhat[{t}]"
        if name == "z":
            return [Rule((O,), lambda v: s.w_out * v[O] + s.b_out, "w_out·O + b_out")]
        if name == "yhat":
            return [Rule((z,), lambda v: g.value(v[z]), "g(z)")]
        with np.errstate(all="ignore"):
            return [Rule((yhat,), lambda v: float(loss.value(np.array(v[yhat]), np.array(y_of(t)))), "ℓ(ŷ, y)")]
    if group == "loss":
        ids = tuple(f"outputs.loss[{int(t)}]" for t in tape.targets)
        return [Rule(ids, lambda v: math.fsum(map(v.__getitem__, ids)), "Σ ℓ_t")]
    if group == "backward":
        return _backward_rules(tape, name, idx[0], loss_prime)
    if group == "update":
        total = f"gradients.{vid.param}.total"
        old = getattr(s, vid.param)

        def step(v: dict) -> float:
            grad = v[total] if s.clip is None else min(max(v[total], -s.clip), s.clip)
            return old - s.learning_rate * grad

        return [Rule((total,), step, "p − η·∂L/∂p")]
    return _gradient_rules(tape, vid, loss_prime, paths)


def _backward_rules(tape: Tape, name: str, t: int, loss_prime) -> list[Rule]:
    s, f, g = tape.scenario, tape.f, tape.g
    if name == "dL_da":
        dO, a, O = f"backward.dL_dO[{t}]", f"forward.a[{t}]", f"forward.O[{t}]"
        return [Rule(r.inputs + (dO,), r.compute, f"∂L/∂O·{r.formula}")
                for r in _prime_rules(f, a, O, lambda v: v[dO], "f")]
    # ∂L/∂O_t = [t is a target] ∂ℓ_t/∂ŷ_t·g′(z_t)·w_out + ∂L/∂a_{t+1}·w′
    later = (f"backward.dL_da[{t + 1}]",) if t < tape.T else ()
    recurrent = (lambda v: v[later[0]] * s.w_prime) if later else (lambda v: 0.0)
    if t not in tape.target_position:
        return [Rule(later, recurrent, "∂L/∂a_{t+1}·w′")]
    z, yhat = f"outputs.z[{t}]", f"outputs.yhat[{t}]"
    out = []
    for r in _prime_rules(g, z, yhat, lambda v: s.w_out, "g"):
        def direct(v, r=r):
            return loss_prime(v[yhat], t) * r.compute(v) + recurrent(v)
        out.append(Rule(tuple(dict.fromkeys((yhat,) + r.inputs + later)), direct, "ℓ′·g′·w_out + ∂L/∂a·w′"))
    return out


def _gradient_rules(tape: Tape, vid: ValueId, loss_prime, paths: bool = False) -> list[Rule]:
    s, f, g = tape.scenario, tape.f, tape.g
    param, name, idx = vid.param, vid.name, vid.index
    table = tape.gradients[param]
    recurrent = param in RECURRENT_PARAMS

    def where(i: int) -> str:
        return f"[{int(table.t[i])},{int(table.k[i])}]" if recurrent else f"[{int(table.t[i])}]"

    if name == "total":
        last = len(table) - 1
        kept = tuple(f"gradients.{param}.term{where(i)}" for i in range(len(table)) if not table.truncated[i])
        out = [Rule(kept, lambda v: math.fsum(map(v.__getitem__, kept)), "Σ terms")]
        if last > 0:
            rs = f"gradients.{param}.running_sum{where(last)}"
            out.insert(0, Rule((rs,), lambda v: v[rs], "the last running sum"))
        return out
    i = table.index_of(idx[0], idx[1] if recurrent else None)
    term = f"gradients.{param}.term{where(i)}"
    if name == "running_sum":
        add = (lambda v: 0.0) if table.truncated[i] else (lambda v: v[term])
        if i == 0:
            return [Rule((term,), add, "the first term")]
        prev = f"gradients.{param}.running_sum{where(i - 1)}"
        return [Rule((prev, term), lambda v: v[prev] + add(v), "previous sum + term")]
    t = int(table.t[i])
    k = int(table.k[i]) if recurrent else None
    count = tape.factor_count(param, i)
    if name == "term":
        if paths and recurrent:
            factor_ids = (path_id(t, k), factor_id(param, t, k, count))
        else:
            factor_ids = tuple(factor_id(param, t, k, j) for j in range(1, count + 1))
        out = [Rule(factor_ids, _product(factor_ids), "the product of its factors")]
        if recurrent and tape.single_target:
            da = f"backward.dL_da[{k}]"
            if param == "w":
                out.append(Rule((da,), lambda v: v[da] * s.x[k - 1], "∂L/∂a_k·x_k"))
            elif param == "b":
                out.append(Rule((da,), lambda v: v[da], "∂L/∂a_k"))
            elif k == 1:
                out.append(Rule((da,), lambda v: v[da] * s.h0, "∂L/∂a₁·O₀"))
            else:
                prev = f"forward.O[{k - 1}]"
                out.append(Rule((da, prev), lambda v: v[da] * v[prev], "∂L/∂a_k·O_{k−1}"))
        return out
    # a factor: by its kind
    factor = tape.factor(param, i, idx[-1] - 1)
    j = factor.step
    if factor.kind == "loss_grad":
        yhat = f"outputs.yhat[{t}]"
        return [Rule((yhat,), lambda v: loss_prime(v[yhat], t), "ℓ′(ŷ)")]
    if factor.kind == "output_grad":
        return _prime_rules(g, f"outputs.z[{t}]", f"outputs.yhat[{t}]", lambda v: s.w_out, "g")
    if factor.kind == "output_act":
        return _prime_rules(g, f"outputs.z[{t}]", f"outputs.yhat[{t}]", lambda v: 1.0, "g")
    if factor.kind == "output_input":
        O = f"forward.O[{t}]"
        return [Rule((O,), lambda v: v[O], "O_t")] if param == "w_out" else [Rule((), lambda v: 1.0, "1")]
    a, O = f"forward.a[{j}]", f"forward.O[{j}]"
    if factor.kind == "backprop":
        return _prime_rules(f, a, O, lambda v: s.w_prime, "f")
    # immediate: f′(a_k)·input
    if param == "w":
        return _prime_rules(f, a, O, lambda v: s.x[j - 1], "f")
    if param == "b":
        return _prime_rules(f, a, O, lambda v: 1.0, "f")
    if j == 1:
        return _prime_rules(f, a, O, lambda v: s.h0, "f")
    prev = f"forward.O[{j - 1}]"
    return [Rule(r.inputs + (prev,), r.compute, r.formula + "·O_{k−1}")
            for r in _prime_rules(f, a, O, lambda v: v[prev], "f")]
