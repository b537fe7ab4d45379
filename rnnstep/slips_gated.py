"""The slips students make on an LSTM's or a GRU's backward pass (SPEC §8), each a wrong formula.

``gated_slips(tape, vid)`` lists, for one entry, the formulas a student would have used with a named slip,
from the same inputs as the right formula (rules_gated_backward.py). `rnnstep verify` recomputes each from
the author's values; a claim that is a slip and agrees with one of them at its printed precision is reported
with that slip's name. Only slips that change the number are listed (a slip that gives the right number
cannot be seen):

    o ⊙ tanh′(c) left out      ∂ℓ/∂c_k = ∂ℓ/∂O_k + …  instead of ∂ℓ/∂O_k·o_k·tanh′(c_k) + …   (LSTM)
    the carry lane left out    ∂ℓ/∂c_k without ∂ℓ/∂c_{k+1}·f_{k+1}; ∂L/∂O_k without ∂L/∂O_{k+1}·u_{k+1} (GRU)
    σ′ taken as σ              σ(a) in place of σ(a)(1 − σ(a)) in a gate's row
    i and f swapped            iⁱ′ times c_{k−1} and f′ times g_k (c = i ⊙ c_{k−1} + f ⊙ g)
    u and 1 − u swapped        O = u ⊙ n + (1 − u) ⊙ O_{k−1}: its rows, its carry, its forward O (GRU)
    δₓ for δₕ                  the n rows of δₕ without ⊙ r_k (GRU)
    the carry added twice      δ + carry for δ (and in a term);  rest = δ or δ + carry for δ − carry
    the carry share alone      a term as carry·input
    the o rows on the carry    carry's o rows = δ's (c_k does not use o_k: they are 0)
    a dropped term             ∂L/∂O_t without ∂ℓ_t/∂O_t, or without the recurrent sum
    O_k for O_{k−1}            a term of W′ with the wrong step's input
    the update                 w + η·g (sign), w − g (η left out)
"""

from __future__ import annotations

import math

import numpy as np

from .gated_tape import GATED_RECURRENT
from .ids import ValueId
from .local_rule import Rule, parsed_id
from .rules_gated_backward import (Unit, backward_rules, delta_id, gru_refs, gru_row, lstm_into_c, lstm_refs,
                                   lstm_row, path_dc, path_dO, recurrent_parts, rule, sig_prime, upstream_rule,
                                   value_of)

NO_O_TANH = "o ⊙ tanh′(c) left out of ∂ℓ/∂c"
NO_LANE = "the carry lane left out (∂ℓ/∂c_{k+1}·f_{k+1})"
NO_LANE_GRU = "the carry lane left out (∂L/∂O_{k+1}·u_{k+1})"
SIGMA = "σ′ taken as σ (not σ(1 − σ))"
SWAP_IF = "i and f swapped"
SWAP_U = "u and 1 − u swapped"
DX_FOR_DH = "δₓ for δₕ (the n rows without ⊙ r)"
CARRY_TWICE = "the carry added twice (δ + carry)"
REST_IS_DELTA = "the carry not taken out (rest = δ)"
REST_SIGN = "the carry added, not taken out (rest = δ + carry)"
O_ON_CARRY = "the o rows put on the carry (c_k does not use o_k)"
CARRY_ONLY = "the carry share alone (carry·input, not δ·input)"
NO_UPSTREAM = "∂ℓ_t/∂O_t left out"
NO_RECURRENT = "what comes back from step t+1 left out"
WRONG_STEP = "O_k for O_{k−1} (the input of the wrong step)"
UPDATE_SIGN = "w + η·g (the sign of the step)"
UPDATE_NO_ETA = "w − g (η left out)"
SLIPS = (NO_O_TANH, NO_LANE, NO_LANE_GRU, SIGMA, SWAP_IF, SWAP_U, DX_FOR_DH, CARRY_TWICE, REST_IS_DELTA, REST_SIGN,
         O_ON_CARRY, CARRY_ONLY, NO_UPSTREAM, NO_RECURRENT, WRONG_STEP, UPDATE_SIGN, UPDATE_NO_ETA)


def sigma_as_prime(s: float) -> float:
    return s


def gated_slips(tape, vid: ValueId) -> list[Rule]:
    """The formulas of this entry with each slip that applies (formula = the slip's name); [] if none."""
    if not vid.component:
        return []
    if vid.group == "forward":
        return _forward(tape, vid)
    if vid.group == "backward":
        t, r = vid.index[0], vid.component[0]
        i = (r - 1) % tape.n + 1
        if vid.name == "dL_dO":
            return _dL_dO(tape, t, i)
        lane = f"~dLdc[{t + 1}][{i}]" if t < tape.T else None
        return _rows(tape, t, r, f"backward.dL_dO[{t}][{i}]", lane, False)
    if vid.group == "update":
        return _update(tape, vid)
    if vid.group != "gradients" or vid.name not in ("delta", "carry", "rest", "term"):
        return []
    if vid.param not in GATED_RECURRENT:
        return []
    param, (t, k) = vid.param, vid.index[:2]
    lstm = tape.cell.CARRY == "c"
    recurrent = param in ("w_prime", "b_prime") and not lstm
    r = vid.component[0]
    i = (r - 1) % tape.n + 1
    d, c = delta_id(tape, param, t, k, r), delta_id(tape, param, t, k, r, "carry")
    if vid.name == "rest":
        return [Rule((d,), lambda v: v[d], REST_IS_DELTA), Rule((d, c), lambda v: v[d] + v[c], REST_SIGN)]
    if vid.name == "term":
        return _term(tape, param, t, k, vid.component)
    if vid.name == "carry":
        return _carry(tape, t, k, r, recurrent)
    # δ worked by its own rules (the claim may be δ's very quantity), then the carry added once more
    out = [Rule(tuple(dict.fromkeys(right.inputs + (c,))), lambda v, right=right: right.compute(v) + v[c], CARRY_TWICE)
           for right in backward_rules(tape, vid)]
    if recurrent and Unit(tape, k, i).row(r) == "n":
        dx = delta_id(tape, "w", t, k, r)
        out.append(Rule((dx,), lambda v: v[dx], DX_FOR_DH))
    lane = path_dc(tape, t, k + 1, i) if k < t and lstm else None
    return out + _rows(tape, k, r, path_dO(tape, t, k, i), lane, recurrent)


def _rows(tape, k: int, r: int, dO: str, lane: str | None, recurrent: bool) -> list[Rule]:
    """δ's (or ∂L/∂a_k's) row r at step k with each slip: from ∂ℓ/∂O_k and the lane (LSTM: ∂ℓ/∂c_{k+1})."""
    u = Unit(tape, k, (r - 1) % tape.n + 1)
    gate = u.row(r)
    out = []
    if u.lstm:
        lane_refs = (lane, u.next_gate("f")) if lane else ()
        base = (dO, u.gate["o"], u.c) + lane_refs
        if gate == "o":
            return [rule(base + lstm_refs(u, "o"), lambda v: lstm_row(u, "o", v, 0.0, v[dO], sigma_as_prime), SIGMA)]

        def with_slip(o_tanh=True, with_lane=True, prime=sig_prime, swap=False):
            def compute(v):
                into_c = lstm_into_c(u, v, dO, lane if with_lane else None, o_tanh)
                return _swapped(u, gate, v, into_c) if swap else lstm_row(u, gate, v, into_c, math.nan, prime)
            return compute

        refs = base + lstm_refs(u, gate) + lstm_refs(u, {"i": "f", "f": "i"}.get(gate, gate))
        out.append(rule(refs, with_slip(o_tanh=False), NO_O_TANH))
        if lane:
            out.append(rule(refs, with_slip(with_lane=False), NO_LANE))
        if gate in ("i", "f"):
            out.append(rule(refs, with_slip(prime=sigma_as_prime), SIGMA))
            out.append(rule(refs, with_slip(swap=True), SWAP_IF))
        return out
    refs = (dO,) + gru_refs(u, gate)
    if gate in ("r", "u"):
        out.append(rule(refs, lambda v: gru_row(u, gate, v, v[dO], recurrent, prime=sigma_as_prime), SIGMA))
    out.append(rule(refs, lambda v: gru_row(u, gate, v, v[dO], recurrent, keep=lambda x: x, n_sign=-1.0), SWAP_U))
    return out


def _swapped(u: Unit, gate: str, v, into_c: float) -> float:
    """The i or f row of c = i ⊙ c_{k−1} + f ⊙ g: i′ times c_{k−1}, f′ times g."""
    G = u.gate
    if gate == "i":
        return into_c * value_of(v, u.c_prev) * sig_prime(v[G["i"]])
    return into_c * v[G["g"]] * sig_prime(v[G["f"]])


def _carry(tape, t: int, k: int, r: int, recurrent: bool) -> list[Rule]:
    """The carry's row r with each slip: κ started without o_t ⊙ tanh′(c_t), σ′ = σ, i/f swapped, the o rows
    taken from δ (LSTM); κ along 1 − u and the rows with u for 1 − u, σ′ = σ (GRU)."""
    i = (r - 1) % tape.n + 1
    u = Unit(tape, k, i)
    gate = u.row(r)
    kappa = f"~kappa[{t},{k}][{i}]"
    if u.lstm:
        if gate == "o":
            d = delta_id(tape, "w", t, k, r)
            return [Rule((d,), lambda v: v[d], O_ON_CARRY)]
        top = Unit(tape, t, i)
        refs = (kappa, top.gate["o"], top.c) + lstm_refs(u, gate) + lstm_refs(u, {"i": "f", "f": "i"}.get(gate, gate))

        def bare(v):  # κ(t,k) without o_t ⊙ tanh′(c_t) at its start
            return v[kappa] / (v[top.gate["o"]] * (1 - math.tanh(v[top.c]) ** 2))

        out = [rule(refs, lambda v: lstm_row(u, gate, v, bare(v), math.nan), NO_O_TANH)]
        if gate in ("i", "f"):
            out.append(rule(refs, lambda v: lstm_row(u, gate, v, v[kappa], math.nan, sigma_as_prime), SIGMA))
            out.append(rule(refs, lambda v: _swapped(u, gate, v, v[kappa]), SWAP_IF))
        return out
    refs = (kappa,) + gru_refs(u, gate)
    out = []
    if gate in ("r", "u"):
        out.append(rule(refs, lambda v: gru_row(u, gate, v, v[kappa], recurrent, prime=sigma_as_prime), SIGMA))
    start = path_dO(tape, t, t, i)
    us = tuple(f"forward.gate.u[{j}][{i}]" for j in range(k + 1, t + 1))

    def swapped(v):  # κ along 1 − u, and the rows with u for 1 − u
        kappa_swapped = v[start] * math.prod(1 - v[x] for x in us)
        return gru_row(u, gate, v, kappa_swapped, recurrent, keep=lambda x: x, n_sign=-1.0)

    out.append(rule((start,) + us + gru_refs(u, gate), swapped, SWAP_U))
    return out


def _dL_dO(tape, t: int, i: int) -> list[Rule]:
    """∂L/∂O_t[i] with a term dropped, the GRU's lane dropped or along 1 − u, δₓ for δₕ."""
    target, later = t in tape.target_position, t < tape.T
    out = []
    up = upstream_rule(tape, t, i) if target else None
    if not later:
        return out
    gru = tape.cell.CARRY != "c"
    inputs, back = recurrent_parts(tape, None, t, i)
    lane, u_next = f"backward.dL_dO[{t + 1}][{i}]", f"forward.gate.u[{t + 1}][{i}]"

    def make(upstream=True, recurrent=True, carry=lambda x: x, dh=True):
        parts = [up] if up and upstream else []
        refs = list(up.inputs) if up and upstream else []
        if recurrent:
            if dh:
                refs += inputs
                parts.append(Rule(inputs, back, ""))
            else:  # δₓ: ∂L/∂a_{t+1} with no r on the n rows
                xs = tuple(f"backward.dL_da[{t + 1}][{r}]" for r in range(1, 3 * tape.n + 1))
                column = [float(tape.weights["w_prime"][r - 1, i - 1]) for r in range(1, 3 * tape.n + 1)]
                refs += xs
                parts.append(Rule(xs, lambda v: math.fsum(v[x] * w for x, w in zip(xs, column)), ""))
            if gru and carry is not None:
                refs += [lane, u_next]
                parts.append(Rule((lane, u_next), lambda v: v[lane] * carry(v[u_next]), ""))
        computes = [p.compute for p in parts]
        return tuple(dict.fromkeys(refs)), lambda v: sum(c(v) for c in computes)

    if target:
        out.append(Rule(*make(upstream=False), NO_UPSTREAM))
        out.append(Rule(*make(recurrent=False), NO_RECURRENT))
    if gru:
        out.append(Rule(*make(carry=None), NO_LANE_GRU))
        out.append(Rule(*make(carry=lambda x: 1 - x), SWAP_U))
        out.append(Rule(*make(dh=False), DX_FOR_DH))
    return out


def _term(tape, param: str, t: int, k: int, comp: tuple[int, ...]) -> list[Rule]:
    """A term with the carry added twice ((δ + carry)·input), with the carry share alone (carry·input), or (W′)
    with O_k for O_{k−1}."""
    d, c = delta_id(tape, param, t, k, comp[0]), delta_id(tape, param, t, k, comp[0], "carry")
    if param in ("b", "b_prime"):
        inputs, times = (), (lambda v: 1.0)
    elif param == "w" or k == 1:
        x = float(tape.x[k - 1][comp[1] - 1]) if param == "w" else float(tape.weights["h0"][comp[1] - 1])
        inputs, times = (), (lambda v: x)
    else:
        O_before = f"forward.O[{k - 1}][{comp[1]}]"
        inputs, times = (O_before,), (lambda v: v[O_before])
    out = [Rule((d, c) + inputs, lambda v: (v[d] + v[c]) * times(v), CARRY_TWICE),
           Rule((c,) + inputs, lambda v: v[c] * times(v), CARRY_ONLY)]
    if param == "w_prime":
        O = f"forward.O[{k}][{comp[1]}]"
        out.append(Rule((d, O), lambda v: v[d] * v[O], WRONG_STEP))
    return out


def _update(tape, vid: ValueId) -> list[Rule]:
    s = tape.scenario
    total = f"gradients.{vid.param}.total[{','.join(map(str, vid.component))}]"
    old = float(np.asarray(tape.updates[vid.param].old)[tuple(c - 1 for c in vid.component)])

    def clipped(v):
        return v[total] if s.clip is None else min(max(v[total], -s.clip), s.clip)

    return [Rule((total,), lambda v: old + s.learning_rate * clipped(v), UPDATE_SIGN),
            Rule((total,), lambda v: old - clipped(v), UPDATE_NO_ETA)]


def _forward(tape, vid: ValueId) -> list[Rule]:
    """c_t with i and f swapped (LSTM); O_t with u and 1 − u swapped (GRU)."""
    if vid.name not in ("c", "O"):
        return []
    t, i = vid.index[0], vid.component[0]
    u = Unit(tape, t, i)
    G = u.gate
    if vid.name == "c" and u.lstm:
        return [rule((G["i"], u.c_prev, G["f"], G["g"]),
                     lambda v: v[G["i"]] * value_of(v, u.c_prev) +
                     v[G["f"]] * v[G["g"]], SWAP_IF)]
    if vid.name == "O" and not u.lstm:
        return [rule((G["u"], G["n"], u.O_prev),
                     lambda v: v[G["u"]] * v[G["n"]] + (1 - v[G["u"]]) *
                     value_of(v, u.O_prev), SWAP_U)]
    return []


def slips_of(tape, vid_text: str) -> list[Rule]:
    """``gated_slips`` of an id's text."""
    return gated_slips(tape, parsed_id(vid_text))
