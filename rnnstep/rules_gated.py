"""Each forward entry of a gated cell (SPEC §8) from the entries it directly uses: the local rules that let
`rnnstep verify` trace a wrong claim on an LSTM or a GRU to the stated number it came from.

    a_t[r]        = Σⱼ W[r,j]·x_t[j] + b[r] + Σⱼ W′[r,j]·O_{t−1}[j] + b′[r]     (LSTM; the GRU's a_t without W′, b′)
    ã_t[r]        = Σⱼ W′[r,j]·O_{t−1}[j] + b′[r]                              (GRU)
    i, f, o       = σ(a_t[row])   g = tanh(a_t[row])                           (LSTM; row = gate·n + i)
    r, u          = σ(a_t[row] + ã_t[row])   n = tanh(a_t[row] + r_t[i]·ã_t[row])   (GRU)
    c_t[i]        = f_t[i]·c_{t−1}[i] + i_t[i]·g_t[i]                           (LSTM)
    O_t[i]        = o_t[i]·tanh(c_t[i])  (LSTM)     (1 − u_t[i])·n_t[i] + u_t[i]·O_{t−1}[i]  (GRU)

The output head and the loss are the vector rules' (rules_vector.py): they read O_t as for any cell. The
backward pass's rules (∂L/∂O, ∂L/∂a, δ, carry, rest, terms) are rules_gated_backward.py's; running sums, totals,
the output head's gradients and the update are again the vector rules'. ``gated_rules_of`` is what the author's
tape asks (a pseudo-id of rules_gated_backward.py included).
"""

from __future__ import annotations

import math

import numpy as np

from .cells.gated import sigmoid
from .gated_tape import GATED_RECURRENT
from .ids import ValueId
from .local_rule import Rule, parsed_id
from .rules_gated_backward import backward_rules, pseudo_rules
from .rules_vector import _entry, vector_rules


def _sigmoid(a: float) -> float:
    """σ(a) as the cell computes it (cells/gated.py's sigmoid); exactly 0 where e^−a overflows."""
    with np.errstate(over="ignore"):
        return float(sigmoid(np.float64(a)))


def gated_rules_of(tape, vid_text: str) -> list[Rule]:
    """The rules of an id or of a pseudo-id (``~dc[t,k][i]``: values no id names, rules_gated_backward.py)."""
    if vid_text.startswith("~"):
        return pseudo_rules(tape, vid_text)
    return gated_rules(tape, parsed_id(vid_text))


def gated_rules(tape, vid: ValueId) -> list[Rule]:
    """The ways one entry of a gated tape can be computed from the entries it directly uses ([] if none)."""
    if vid.group in ("outputs", "loss"):
        return vector_rules(tape, vid)
    if not vid.component:
        return []
    if vid.group == "backward" or vid.group == "gradients" and vid.param in GATED_RECURRENT and \
            vid.name not in ("running_sum", "total"):
        return backward_rules(tape, vid)
    if vid.group != "forward":  # running sums, totals, the output head's gradients, the update
        return vector_rules(tape, vid)
    cell, n, w = tape.cell, tape.n, tape.weights
    lstm = cell.CARRY == "c"
    t, i, name = vid.index[0], vid.component[0], vid.name
    W, Wp, b = w["w"], w["w_prime"], w["b"]
    bp = w.get("b_prime")
    bp = [0.0] * len(b) if bp is None else bp
    prev = tuple(_entry(f"forward.O[{t - 1}]", j) for j in range(1, n + 1)) if t > 1 else ()
    h0 = [float(v) for v in w["h0"]]

    def recurrent(r: int):
        """Σⱼ W′[r,j]·O_{t−1}[j] (O₀ = h0, a constant)."""
        if not prev:
            value = math.fsum(float(Wp[r - 1, j]) * h0[j] for j in range(n))
            return lambda v: value
        return lambda v: math.fsum(float(Wp[r - 1, j]) * v[p] for j, p in enumerate(prev))

    if name in ("a", "a_prime"):
        r = i
        given = float(tape.x[t - 1] @ W[r - 1]) + float(b[r - 1]) if name == "a" else float(bp[r - 1])
        if name == "a" and not lstm:  # the GRU's input side has no W′
            return [Rule((), lambda v: given, "Σⱼ W[r,j]·x[j] + b[r]")]
        if name == "a":
            given += float(bp[r - 1])
        back = recurrent(r)
        formula = "Σⱼ W[r,j]·x[j] + b[r] + Σⱼ W′[r,j]·O_{t−1}[j] + b′[r]" if name == "a" else \
            "Σⱼ W′[r,j]·O_{t−1}[j] + b′[r]"
        return [Rule(prev, lambda v: given + back(v), formula)]
    if name.startswith("gate."):
        gate = name.split(".", 1)[1]
        row = cell.GATES.index(gate) * n + i
        a = _entry(f"forward.a[{t}]", row)
        if lstm:
            if gate == "g":
                return [Rule((a,), lambda v: math.tanh(v[a]), "tanh(aᵍ)")]
            return [Rule((a,), lambda v: _sigmoid(v[a]), f"σ(a{gate})")]
        ap = _entry(f"forward.a_prime[{t}]", row)
        if gate == "n":
            r = _entry(f"forward.gate.r[{t}]", i)
            return [Rule((a, ap, r), lambda v: math.tanh(v[a] + v[r] * v[ap]), "tanh(aⁿ + r ⊙ ãⁿ)")]
        return [Rule((a, ap), lambda v: _sigmoid(v[a] + v[ap]), f"σ(a{gate} + ã{gate})")]
    gates = {g: _entry(f"forward.gate.{g}[{t}]", i) for g in cell.GATES}
    if name == "c" and lstm:
        f_, i_, g_ = gates["f"], gates["i"], gates["g"]
        if t == 1:
            c0 = w.get("c0")
            start = float(c0[i - 1]) if c0 is not None else 0.0
            return [Rule((f_, i_, g_), lambda v: v[f_] * start + v[i_] * v[g_], "f ⊙ c₀ + i ⊙ g")]
        c_prev = _entry(f"forward.c[{t - 1}]", i)
        return [Rule((f_, c_prev, i_, g_), lambda v: v[f_] * v[c_prev] + v[i_] * v[g_], "f ⊙ c_{t−1} + i ⊙ g")]
    if name == "O":
        if lstm:
            o, c = gates["o"], _entry(f"forward.c[{t}]", i)
            return [Rule((o, c), lambda v: v[o] * math.tanh(v[c]), "o ⊙ tanh(c)")]
        u, n_ = gates["u"], gates["n"]
        if not prev:
            start = h0[i - 1]
            return [Rule((u, n_), lambda v: (1 - v[u]) * v[n_] + v[u] * start, "(1 − u) ⊙ n + u ⊙ O₀")]
        before = prev[i - 1]
        return [Rule((u, n_, before), lambda v: (1 - v[u]) * v[n_] + v[u] * v[before], "(1 − u) ⊙ n + u ⊙ O_{t−1}")]
    return []
