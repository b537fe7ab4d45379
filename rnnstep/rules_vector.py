"""Each entry's formula from the entries it directly uses — the local rules of a hidden vector (SPEC §7).

The vector counterpart of rules_scalar.py, one entry at a time, so that `rnnstep verify`
can recompute a stated entry from the author's stated entries it depends on:

    a_t[i]        = Σⱼ W[i,j]·x_t[j] + Σⱼ W′[i,j]·O_{t−1}[j] + b[i]      O_t[i] = f(a_t[i])
    z_t[r]        = Σⱼ W_out[r,j]·O_t[j] + b_out[r]                     ŷ_t = g(z_t)
    ∂ℓ_t/∂z_t[r]  = ℓ′(ŷ_r)·g′(z_r)   (softmax: ŷ_r·(d_r − Σ_s ŷ_s·d_s), d = ℓ′(ŷ))
    ∂L/∂O_t[i]    = Σ_r ∂ℓ_t/∂z_t[r]·W_out[r,i] + Σⱼ ∂L/∂a_{t+1}[j]·W′[j,i]
    ∂L/∂a_t[i]    = ∂L/∂O_t[i]·f′(a_t[i])
    δ(t,t)[i]     = Σ_r ∂ℓ_t/∂z_t[r]·W_out[r,i]·f′(a_t[i])
    δ(t,k)[i]     = Σⱼ δ(t,k+1)[j]·W′[j,i]·f′(a_k[i])    (with one target δ(T,k) is ∂L/∂a_k, by its rules)
    term[i,j]     = δ(t,k)[i]·input_k[j]   (O_{k−1}, x_k; δ[i] for b; ∂ℓ_t/∂z_t[r]·O_t[j] for W_out)
    running sum   = the previous running sum + the term (entry by entry; + 0 for a truncated term)
    total         = the last running sum (or Σ of the kept terms)
    new[i,j]      = old[i,j] − η·clip(total[i,j])

f, g, ℓ and their derivatives are model.py's, as the tape uses them; the tests feed
every rule the tape's own entries and check it gives the tape's entry.
"""

from __future__ import annotations

import bisect
import math
from typing import Callable

import numpy as np

from .ids import RECURRENT_PARAMS, ValueId
from .model import Activation
from .local_rule import FLOAT_DERIVATIVES, Rule, parsed_id, prime_from_input, prime_from_output
from .tape import Tape

Values = dict[str, float]


def _entry(base: str, *component: int) -> str:
    if len(component) == 1:
        return f"{base}[{component[0]}]"
    return f"{base}[{','.join(str(c) for c in component)}]"


def _prime_rules(act: Activation, t: int, i: int, inputs: tuple[str, ...],
                 rest: Callable[[Values, float], float], label: str) -> list:
    """rest(v, f′(a_t[i])) with f′ from a_t[i], or (tanh, σ) from O_t[i]: each a rule."""
    a, O = _entry(f"forward.a[{t}]", i), _entry(f"forward.O[{t}]", i)
    out = [Rule(tuple(dict.fromkeys(inputs + (a,))), lambda v: rest(v, prime_from_input(act, v[a])),
                f"{label}·f′(a{t}[{i}])")]
    if act.name in FLOAT_DERIVATIVES:
        out.append(Rule(tuple(dict.fromkeys(inputs + (O,))), lambda v: rest(v, prime_from_output(act, v[O])),
                        f"{label}·f′ from O{t}[{i}]"))
    return out


def quantity_of(tape: Tape, vid_text: str) -> str:
    """The one id the author's tape keeps for the entry ``vid_text`` names (SPEC §7 ids).

    δ(t,k) is the same vector for w′, w and b (kept as w′'s, or as ∂L/∂a_k when
    there is one target: the one path is all of it); ∂ℓ_t/∂ŷ_t, ∂ŷ_t/∂z_t and
    W_out are the factors 1–3 of w′'s term [t,t]; ∂O_j/∂O_{j−1} and diag(f′(a_k)) are
    those of w′'s term [t*, ·], t* the first target step ≥ the step."""
    if ".delta[" not in vid_text and ".factor[" not in vid_text:
        return vid_text
    vid = parsed_id(vid_text)
    comp = "[" + ",".join(map(str, vid.component)) + "]" if vid.component else ""
    if vid.name == "delta":
        if tape.single_target:  # one target: the one path to a_k is all of ∂L/∂a_k
            return f"backward.dL_da[{vid.index[1]}]{comp}"
        return f"gradients.w_prime.delta[{vid.index[0]},{vid.index[1]}]{comp}"
    targets = tape.scenario.targets
    if vid.param not in RECURRENT_PARAMS:
        t, f = vid.index
        return f"gradients.w_prime.factor[{t},{t},{f}]{comp}"
    t, k, f = vid.index
    if f <= 3:
        return f"gradients.w_prime.factor[{t},{t},{f}]{comp}"

    def first_target(step: int) -> int:
        return targets[bisect.bisect_left(targets, step)]

    if f == t - k + 4:  # diag(f′(a_k))
        ts = first_target(k)
        return f"gradients.w_prime.factor[{ts},{k},{ts - k + 4}]{comp}"
    j = t - (f - 4)  # ∂O_j/∂O_{j−1}
    ts = first_target(j)
    return f"gradients.w_prime.factor[{ts},{j - 1},{ts - j + 4}]{comp}"


def output_grad(tape: Tape, t: int) -> tuple[tuple[str, ...], Callable[[Values], np.ndarray]]:
    """∂ℓ_t/∂z_t (all q entries) from the author's ŷ_t (and z_t where g′ needs it)."""
    g, loss, q = tape.g, tape.loss_fn, tape.q
    yhat = tuple(_entry(f"outputs.yhat[{t}]", r) for r in range(1, q + 1))
    zs = tuple(_entry(f"outputs.z[{t}]", r) for r in range(1, q + 1)) if g.name in ("relu", "leaky_relu") else ()
    y = tape.y[tape.target_position[t]]

    def compute(v: Values) -> np.ndarray:
        yh = np.array([v[i] for i in yhat])
        z = np.array([v[i] for i in zs]) if zs else np.full(q, math.nan)
        with np.errstate(all="ignore"):
            d = loss.derivative(yh, y)
            if g.name == "softmax":
                return yh * d - yh * np.sum(yh * d)
            return d * g.derivative(z, yh)

    return yhat + zs, compute


def upstream_entry(tape: Tape, t: int, i: int) -> tuple[tuple[str, ...], Callable[[Values], float]]:
    """∂ℓ_t/∂O_t[i] = Σ_r ∂ℓ_t/∂z_t[r]·W_out[r,i] (also the gated cells' entry into the state, SPEC §8)."""
    inputs, dz = output_grad(tape, t)
    Wout = tape.weights["w_out"]
    return inputs, lambda v: float(dz(v) @ Wout[:, i - 1])


def vector_rules(tape: Tape, vid: ValueId) -> list:
    """The ways one entry (or the loss, or ℓ_t) can be computed from the entries it directly uses."""
    s, f, g, loss = tape.scenario, tape.f, tape.g, tape.loss_fn
    n, q = tape.n, tape.q
    W, Wp, b, Wout, bout, h0 = (tape.weights[k] for k in ("w", "w_prime", "b", "w_out", "b_out", "h0"))
    group, name, idx, comp = vid.group, vid.name, vid.index, vid.component

    def y_of(t: int) -> np.ndarray:
        return tape.y[tape.target_position[t]]

    def to_z(t: int) -> tuple[tuple[str, ...], Callable[[Values], np.ndarray]]:
        return output_grad(tape, t)

    def upstream(t: int, i: int) -> tuple[tuple[str, ...], Callable[[Values], float]]:
        return upstream_entry(tape, t, i)

    if group == "forward":
        t, i = idx[0], comp[0]
        if name == "a":
            base = float(W[i - 1] @ tape.x[t - 1]) + float(b[i - 1])
            if t == 1:
                value = base + float(Wp[i - 1] @ h0)
                return [Rule((), lambda v: value, "W·x₁ + W′·O₀ + b")]
            prev = tuple(_entry(f"forward.O[{t - 1}]", j) for j in range(1, n + 1))
            return [Rule(prev, lambda v: base + math.fsum(Wp[i - 1, j] * v[p] for j, p in enumerate(prev)),
                         "Σⱼ W[i,j]·x[j] + Σⱼ W′[i,j]·O_{t−1}[j] + b[i]")]
        a = _entry(f"forward.a[{t}]", i)
        return [Rule((a,), lambda v: f.value(v[a]), "f(a)")]
    if group == "outputs":
        t = idx[0]
        if name == "z":
            r = comp[0]
            Os = tuple(_entry(f"forward.O[{t}]", j) for j in range(1, n + 1))
            return [Rule(Os, lambda v: math.fsum(Wout[r - 1, j] * v[o] for j, o in enumerate(Os)) + float(bout[r - 1]),
                         "Σⱼ W_out[r,j]·O[j] + b_out[r]")]
        if name == "yhat":
            r = comp[0]
            if g.name == "softmax":
                zs = tuple(_entry(f"outputs.z[{t}]", j) for j in range(1, q + 1))
                return [Rule(zs, lambda v: float(g.values(np.array([v[z] for z in zs]))[r - 1]), "softmax(z)")]
            z = _entry(f"outputs.z[{t}]", r)
            return [Rule((z,), lambda v: g.value(v[z]), "g(z)")]
        yhat = tuple(_entry(f"outputs.yhat[{t}]", r) for r in range(1, q + 1))
        y = y_of(t)

        def ell(v: Values) -> float:
            with np.errstate(all="ignore"):
                return float(np.sum(loss.value(np.array([v[i] for i in yhat]), y)))

        return [Rule(yhat, ell, "Σ_r ℓ(ŷ[r], y[r])")]
    if group == "loss":
        ids_ = tuple(f"outputs.loss[{int(t)}]" for t in tape.targets)
        return [Rule(ids_, lambda v: math.fsum(map(v.__getitem__, ids_)), "Σ ℓ_t")]
    if group == "backward":
        t, i = idx[0], comp[0]
        if name == "dL_da":
            dO = _entry(f"backward.dL_dO[{t}]", i)
            return _prime_rules(f, t, i, (dO,), lambda v, fp: v[dO] * fp, f"∂L/∂O{t}[{i}]")
        later = tuple(_entry(f"backward.dL_da[{t + 1}]", j) for j in range(1, n + 1)) if t < tape.T else ()

        def recurrent(v: Values) -> float:
            return math.fsum(v[d] * Wp[j, i - 1] for j, d in enumerate(later)) if later else 0.0

        if t not in tape.target_position:
            return [Rule(later, recurrent, "Σⱼ ∂L/∂a_{t+1}[j]·W′[j,i]")]
        inputs, up = upstream(t, i)
        return [Rule(inputs + later, lambda v: up(v) + recurrent(v),
                     "Σ_r ∂ℓ/∂z[r]·W_out[r,i] + Σⱼ ∂L/∂a_{t+1}[j]·W′[j,i]")]
    if group == "update":
        total = _entry(f"gradients.{vid.param}.total", *comp)
        old = float(np.asarray(tape.updates[vid.param].old)[tuple(c - 1 for c in comp)])

        def step(v: Values) -> float:
            grad = v[total] if s.clip is None else min(max(v[total], -s.clip), s.clip)
            return old - s.learning_rate * grad

        return [Rule((total,), step, "p − η·∂L/∂p")]
    return _gradient_rules(tape, vid, Rule, to_z, upstream)


def _gradient_rules(tape: Tape, vid: ValueId, Rule, to_z, upstream) -> list:
    s, f, g, loss = tape.scenario, tape.f, tape.g, tape.loss_fn
    n = tape.n
    W, Wp, Wout, h0 = (tape.weights[k] for k in ("w", "w_prime", "w_out", "h0"))
    param, name, idx, comp = vid.param, vid.name, vid.index, vid.component
    table = tape.gradients[param]
    recurrent = table.k is not None  # b_prime too (SPEC §8)

    def where(i: int) -> str:
        return f"[{int(table.t[i])},{int(table.k[i])}]" if recurrent else f"[{int(table.t[i])}]"

    if name == "total":
        kept = tuple(_entry(f"gradients.{param}.term{where(i)}", *comp) for i in range(len(table))
                     if not table.truncated[i])
        out = [Rule(kept, lambda v: math.fsum(map(v.__getitem__, kept)), "Σ terms")]
        if len(table) > 1:
            rs = _entry(f"gradients.{param}.running_sum{where(len(table) - 1)}", *comp)
            out.insert(0, Rule((rs,), lambda v: v[rs], "the last running sum"))
        return out
    i = table.index_of(idx[0], idx[1] if recurrent else None)
    t = int(table.t[i])
    k = int(table.k[i]) if recurrent else None
    term = _entry(f"gradients.{param}.term{where(i)}", *comp)
    if name == "running_sum":
        add = (lambda v: 0.0) if table.truncated[i] else (lambda v: v[term])
        if i == 0:
            return [Rule((term,), add, "the first term")]
        prev = _entry(f"gradients.{param}.running_sum{where(i - 1)}", *comp)
        return [Rule((prev, term), lambda v: v[prev] + add(v), "previous sum + term")]
    if name == "delta":
        r = comp[0]
        if tape.single_target:  # the one path to a_k is all of ∂L/∂a_k: the same value, by the same rules
            return vector_rules(tape, ValueId("backward", "dL_da", None, (k,), comp))
        if k == t:
            inputs, up = upstream(t, r)
            out = _prime_rules(f, t, r, inputs, lambda v, fp: up(v) * fp, "Σ ∂ℓ/∂z·W_out")
        else:
            later = tuple(_entry(f"gradients.w_prime.delta[{t},{k + 1}]", j) for j in range(1, n + 1))
            out = _prime_rules(f, k, r, later,
                               lambda v, fp: math.fsum(v[d] * Wp[j, r - 1] for j, d in enumerate(later)) * fp,
                               "Σⱼ δ(t,k+1)[j]·W′[j,i]")
        return out
    if name == "term":
        if recurrent:
            d = _entry(f"gradients.w_prime.delta[{t},{k}]", comp[0])
            if param == "b":
                return [Rule((d,), lambda v: v[d], "δ[i]")]
            j = comp[1]
            # an input entry stated as 0 in the file makes the term 0 whatever δ is: it does not
            # depend on δ, so a wrong δ is not one of its sources
            if param == "w":
                x = float(tape.x[k - 1][j - 1])
                if x == 0.0:
                    return [Rule((), lambda v: 0.0, "δ[i]·0 (x_k[j] = 0)")]
                return [Rule((d,), lambda v: v[d] * x, "δ[i]·x_k[j]")]
            if k == 1:
                o = float(h0[j - 1])
                if o == 0.0:
                    return [Rule((), lambda v: 0.0, "δ[i]·0 (O₀[j] = 0)")]
                return [Rule((d,), lambda v: v[d] * o, "δ[i]·O₀[j]")]
            O = _entry(f"forward.O[{k - 1}]", j)
            return [Rule((d, O), lambda v: v[d] * v[O], "δ[i]·O_{k−1}[j]")]
        inputs, dz = to_z(t)
        r = comp[0]
        if param == "b_out":
            return [Rule(inputs, lambda v: float(dz(v)[r - 1]), "∂ℓ/∂z[r]")]
        O = _entry(f"forward.O[{t}]", comp[1])
        return [Rule(inputs + (O,), lambda v: float(dz(v)[r - 1]) * v[O], "∂ℓ/∂z[r]·O_t[j]")]
    # a factor entry, by its kind
    factor_index = idx[-1]
    r, c = comp
    if factor_index == 1:  # ∂ℓ_t/∂ŷ_t, 1×q
        yhat = _entry(f"outputs.yhat[{t}]", c)
        y = float(tape.y[tape.target_position[t]][c - 1])

        def ell_prime(v: Values) -> float:
            with np.errstate(all="ignore"):
                return float(loss.derivative(np.array(v[yhat]), np.array(y)))

        return [Rule((yhat,), ell_prime, "ℓ′(ŷ)")]
    if factor_index == 2:  # ∂ŷ_t/∂z_t, q×q
        yr, yc = _entry(f"outputs.yhat[{t}]", r), _entry(f"outputs.yhat[{t}]", c)
        if g.name == "softmax":
            if r == c:
                return [Rule((yr,), lambda v: v[yr] - v[yr] * v[yr], "ŷ_r − ŷ_r²")]
            return [Rule((yr, yc), lambda v: -v[yr] * v[yc], "−ŷ_r·ŷ_s")]
        if r != c:
            return [Rule((), lambda v: 0.0, "0 (off the diagonal)")]
        z = _entry(f"outputs.z[{t}]", r)
        out = [Rule((z,), lambda v: prime_from_input(g, v[z]), "g′(z)")]
        if g.name in ("tanh", "sigmoid", "identity"):
            out.append(Rule((yr,), lambda v: prime_from_output(g, v[yr]), "g′ from ŷ"))
        return out
    if factor_index == 3:  # W_out
        w = float(Wout[r - 1, c - 1])
        return [Rule((), lambda v: w, "W_out")]
    if factor_index == t - k + 4:  # diag(f′(a_k))
        if r != c:
            return [Rule((), lambda v: 0.0, "0 (off the diagonal)")]
        return _prime_rules(f, k, r, (), lambda v, fp: fp, "1")
    j = t - (factor_index - 4)  # ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′
    w = float(Wp[r - 1, c - 1])
    return _prime_rules(f, j, r, (), lambda v, fp: fp * w, f"W′[{r},{c}]")
