"""Each gradient entry of a gated cell (SPEC §8) from the entries it directly uses: the backward local rules
that let `rnnstep verify` trace a wrong gradient claim on an LSTM or a GRU to the number it came from.

One unit i at step k, with ∂O = ∂ℓ/∂O_k[i] and σ′ = σ(1 − σ), tanh′ = 1 − tanh²:

    LSTM  ∂c        = ∂O·o_k·tanh′(c_k) + ∂c_{k+1}·f_{k+1}          (∂ℓ/∂c_k: through O_k and the carry lane)
          δ rows    i: ∂c·g_k·i_k′   f: ∂c·c_{k−1}·f_k′   g: ∂c·i_k·g_k′   o: ∂O·tanh(c_k)·o_k′
          ∂O_{k−1}  = Σ_r δ[r]·W′[r,i]
    GRU   δₓ rows   r: ∂O·(1 − u_k)·n_k′·ãⁿ_k·r_k′   u: ∂O·(O_{k−1} − n_k)·u_k′   n: ∂O·(1 − u_k)·n_k′
          δₕ        = δₓ with the n rows ⊙ r_k
          ∂O_{k−1}  = ∂O·u_k + Σ_r δₕ[r]·W′[r,i]
    carry(t,k)      = δ's rows with ∂c (LSTM) or ∂O (GRU) replaced by κ(t,k), and the LSTM's o rows 0:
                      κ(t,t) = ∂ℓ_t/∂O_t·o_t·tanh′(c_t) (LSTM) or ∂ℓ_t/∂O_t (GRU), κ(t,k) = κ(t,k+1)·f_{k+1} (u_{k+1})
    rest            = δ − carry          term[r,j] = δ[r]·x_k[j] (w), δ[r]·O_{k−1}[j] (w′), δ[r] (b, b′)

``backward.dL_dO``/``dL_da`` follow the recursive view (all targets at once, ∂ℓ_t/∂O_t added at each target),
δ(t,k) the path view of one target; with one target they are the same numbers, one quantity. Running sums,
totals, the output head's terms and the update are the vector rules' (rules_vector.py). Values no id names
(∂ℓ/∂O_k along a path, ∂ℓ/∂c_k, κ) have pseudo-ids of their own, ``~dO[t,k][i]``, ``~dc[t,k][i]``,
``~dLdc[k][i]`` (recursive) and ``~kappa[t,k][i]``; none is ever a claim. The slips students make on these
formulas are slips_gated.py's, built from the same pieces (``Unit``).
"""

from __future__ import annotations

import math
from typing import Callable

from .ids import ValueId
from .local_rule import Rule, parsed_id

Values = dict[str, float]


def value_of(v: Values, ref) -> float:
    """The author's value of an id, or a number of the file (a constant: O₀, c₀) as it is."""
    return v[ref] if isinstance(ref, str) else ref


def rule(refs, compute: Callable[[Values], float], formula: str) -> Rule:
    """A rule whose inputs are the ids among ``refs`` (numbers of the file are constants, not inputs)."""
    return Rule(tuple(dict.fromkeys(r for r in refs if isinstance(r, str))), compute, formula)


def sig_prime(s: float) -> float:
    return s * (1 - s)


def tanh_prime_of(t: float) -> float:
    return 1 - t * t


class Unit:
    """The forward entries of one unit i at one step k of a gated tape, as ids (or constants at k = 0)."""

    def __init__(self, tape, k: int, i: int) -> None:
        self.tape, self.k, self.i, self.n = tape, k, i, tape.n
        self.lstm = tape.cell.CARRY == "c"
        w = tape.weights
        self.gate = {g: f"forward.gate.{g}[{k}][{i}]" for g in tape.cell.GATES}
        self.c = f"forward.c[{k}][{i}]"
        if k == 1:
            c0 = w.get("c0")
            self.c_prev = float(c0[i - 1]) if c0 is not None else 0.0
            self.O_prev = float(w["h0"][i - 1])
        else:
            self.c_prev = f"forward.c[{k - 1}][{i}]"
            self.O_prev = f"forward.O[{k - 1}][{i}]"
        if not self.lstm:
            self.a_prime_n = f"forward.a_prime[{k}][{2 * self.n + i}]"

    def row(self, r: int) -> str:
        """The gate a stacked row r (from 1) of this unit belongs to."""
        return self.tape.cell.GATES[(r - 1) // self.n]

    def next_gate(self, name: str) -> str:
        return f"forward.gate.{name}[{self.k + 1}][{self.i}]"


def lstm_into_c(u: Unit, v: Values, dO, lane, o_tanh: bool = True) -> float:
    """∂ℓ/∂c_k = ∂O·o_k·tanh′(c_k) (+ the lane's ∂ℓ/∂c_{k+1}·f_{k+1})."""
    through_O = value_of(v, dO) * (v[u.gate["o"]] * tanh_prime_of(math.tanh(v[u.c])) if o_tanh else 1.0)
    return through_O + (value_of(v, lane) * v[u.next_gate("f")] if lane is not None else 0.0)


def lstm_row(u: Unit, gate: str, v: Values, into_c: float, dO: float, prime=sig_prime) -> float:
    """One row of δ for unit i: ∂c times ∂c_k/∂a_k's entry, or ∂O·tanh(c_k)·o_k′ (the o gate)."""
    G = u.gate
    if gate == "i":
        return into_c * v[G["g"]] * prime(v[G["i"]])
    if gate == "f":
        return into_c * value_of(v, u.c_prev) * prime(v[G["f"]])
    if gate == "g":
        return into_c * v[G["i"]] * tanh_prime_of(v[G["g"]])
    return dO * math.tanh(v[u.c]) * prime(v[G["o"]])


def lstm_refs(u: Unit, gate: str) -> tuple:
    G = u.gate
    return {"i": (G["g"], G["i"]), "f": (u.c_prev, G["f"]), "g": (G["i"], G["g"]), "o": (u.c, G["o"])}[gate]


def gru_row(u: Unit, gate: str, v: Values, dO: float, recurrent: bool, keep: Callable[[float], float] = None,
            prime=sig_prime, n_sign: float = 1.0) -> float:
    """One row of δₓ (δₕ if ``recurrent``) for unit i of a GRU, from ∂O = ∂ℓ/∂O_k[i]."""
    G = u.gate
    keep = keep or (lambda x: 1 - x)
    into_n = dO * keep(v[G["u"]]) * tanh_prime_of(v[G["n"]])
    if gate == "r":
        return into_n * v[u.a_prime_n] * prime(v[G["r"]])
    if gate == "u":
        return dO * n_sign * (value_of(v, u.O_prev) - v[G["n"]]) * prime(v[G["u"]])
    return into_n * v[G["r"]] if recurrent else into_n


def gru_refs(u: Unit, gate: str) -> tuple:
    G = u.gate
    return {"r": (G["u"], G["n"], u.a_prime_n, G["r"]), "u": (u.O_prev, G["n"], G["u"]),
            "n": (G["u"], G["n"], G["r"])}[gate]


# ------------------------------------------------------------------------------------------ which id is which

def path_dO(tape, t: int, k: int, i: int) -> str:
    return f"backward.dL_dO[{k}][{i}]" if tape.single_target else f"~dO[{t},{k}][{i}]"


def path_dc(tape, t: int, k: int, i: int) -> str:
    return f"~dLdc[{k}][{i}]" if tape.single_target else f"~dc[{t},{k}][{i}]"


def delta_id(tape, param: str, t: int, k: int, r: int, name: str = "delta") -> str:
    """The one id kept for a δ (carry, rest) row: δₓ is w's (b's is the same), δₕ w′'s (the LSTM's is δₓ);
    with one target δₓ(T,k) is ∂L/∂a_k."""
    lstm = tape.cell.CARRY == "c"
    side = "w" if lstm or param in ("w", "b") else "w_prime"
    if name == "delta" and side == "w" and tape.single_target:
        return f"backward.dL_da[{k}][{r}]"
    return f"gradients.{side}.{name}[{t},{k}][{r}]"


def gated_quantity(tape, vid_text: str) -> str:
    """The one id the author's tape keeps for the value ``vid_text`` names (δ rows shared as ``delta_id``)."""
    if vid_text.startswith("~") or not any(f".{n}[" in vid_text for n in ("delta", "carry", "rest")):
        return vid_text
    vid = parsed_id(vid_text)
    if not vid.component:  # a whole row: no entry of the author's tape
        return vid_text
    t, k = vid.index
    return delta_id(tape, vid.param, t, k, vid.component[0], vid.name)


# ------------------------------------------------------------------------------------------------- the rules

def pseudo_rules(tape, text: str) -> list[Rule]:
    """The rules of a pseudo-id (``~dO[t,k][i]``, ``~dc[t,k][i]``, ``~dLdc[k][i]``, ``~kappa[t,k][i]``)."""
    name, _, rest = text[1:].partition("[")
    where, _, comp = rest.partition("][")
    i = int(comp.rstrip("]"))
    index = tuple(int(x) for x in where.split(","))
    lstm = tape.cell.CARRY == "c"
    if name == "dLdc":
        (k,) = index
        u = Unit(tape, k, i)
        dO = f"backward.dL_dO[{k}][{i}]"
        lane = f"~dLdc[{k + 1}][{i}]" if k < tape.T else None
        return [rule((dO, u.gate["o"], u.c, lane, u.next_gate("f") if lane else None),
                     lambda v: lstm_into_c(u, v, dO, lane), "∂L/∂O_k·o_k·tanh′(c_k) + ∂L/∂c_{k+1}·f_{k+1}")]
    t, k = index
    u = Unit(tape, k, i)
    if name == "dO":
        if k == t:
            return [upstream_rule(tape, t, i)]
        return [recurrent_dO_rule(tape, t, k, i)]
    if name == "dc":
        dO = path_dO(tape, t, k, i)
        lane = path_dc(tape, t, k + 1, i) if k < t else None
        return [rule((dO, u.gate["o"], u.c, lane, u.next_gate("f") if lane else None),
                     lambda v: lstm_into_c(u, v, dO, lane), "∂ℓ/∂O_k·o_k·tanh′(c_k) + ∂ℓ/∂c_{k+1}·f_{k+1}")]
    # κ(t,k): the carry lane
    if k == t:
        dO = path_dO(tape, t, t, i)
        if not lstm:
            return [rule((dO,), lambda v: v[dO], "∂ℓ_t/∂O_t")]
        return [rule((dO, u.gate["o"], u.c), lambda v: lstm_into_c(u, v, dO, None), "∂ℓ_t/∂O_t·o_t·tanh′(c_t)")]
    before = f"~kappa[{t},{k + 1}][{i}]"
    diag = u.next_gate("f" if lstm else "u")
    return [rule((before, diag), lambda v: v[before] * v[diag], f"κ(t,k+1)·{'f' if lstm else 'u'}_{{k+1}}")]


def upstream_rule(tape, t: int, i: int) -> Rule:
    from .rules_vector import upstream_entry

    inputs, up = upstream_entry(tape, t, i)
    return Rule(inputs, up, "Σ_r ∂ℓ/∂z[r]·W_out[r,i]")


def recurrent_parts(tape, t: int | None, k: int, i: int) -> tuple[tuple[str, ...], Callable[[Values], float]]:
    """Σ_r δₕ(·,k+1)[r]·W′[r,i] (δₕ as stated or worked: ∂L/∂a_{k+1} with the GRU's n rows ⊙ r_{k+1} in the
    recursive view, t None)."""
    tape_n, Wp, lstm = tape.n, tape.weights["w_prime"], tape.cell.CARRY == "c"
    rows = range(1, len(tape.cell.GATES) * tape_n + 1)
    if t is None:
        ds = tuple(f"backward.dL_da[{k + 1}][{r}]" for r in rows)
        rs = tuple(f"forward.gate.r[{k + 1}][{(r - 1) % tape_n + 1}]" if not lstm and r > 2 * tape_n else None
                   for r in rows)
    else:
        ds = tuple(delta_id(tape, "w_prime", t, k + 1, r) for r in rows)
        rs = (None,) * len(ds)
    column = [float(Wp[r - 1, i - 1]) for r in rows]

    def compute(v: Values) -> float:
        return math.fsum(v[d] * (v[s] if s else 1.0) * w for d, s, w in zip(ds, rs, column))

    return tuple(dict.fromkeys(ds + tuple(s for s in rs if s))), compute


def recurrent_dO_rule(tape, t: int, k: int, i: int) -> Rule:
    """∂ℓ_t/∂O_k along the paths: Σ_r δₕ(t,k+1)[r]·W′[r,i] (+ ∂ℓ_t/∂O_{k+1}·u_{k+1}, GRU)."""
    inputs, back = recurrent_parts(tape, t, k, i)
    if tape.cell.CARRY == "c":
        return Rule(inputs, back, "Σ_r δ(t,k+1)[r]·W′[r,i]")
    later, u_next = path_dO(tape, t, k + 1, i), f"forward.gate.u[{k + 1}][{i}]"
    return Rule(tuple(dict.fromkeys(inputs + (later, u_next))), lambda v: v[later] * v[u_next] + back(v),
                "∂ℓ/∂O_{k+1}·u_{k+1} + Σ_r δₕ(t,k+1)[r]·W′[r,i]")


def dL_dO_rules(tape, t: int, i: int) -> list[Rule]:
    """∂L/∂O_t[i] = [t a target] ∂ℓ_t/∂O_t + Σ_r ∂L/∂ã_{t+1}[r]·W′[r,i] (+ ∂L/∂O_{t+1}·u_{t+1}, GRU)."""
    parts = []
    if t in tape.target_position:
        parts.append(upstream_rule(tape, t, i))
    if t < tape.T:
        inputs, back = recurrent_parts(tape, None, t, i)
        if tape.cell.CARRY != "c":
            later, u_next = f"backward.dL_dO[{t + 1}][{i}]", f"forward.gate.u[{t + 1}][{i}]"
            inputs, back = tuple(dict.fromkeys(inputs + (later, u_next))), \
                (lambda v, back=back: v[later] * v[u_next] + back(v))
        parts.append(Rule(inputs, back, ""))
    ids = tuple(dict.fromkeys(i for p in parts for i in p.inputs))
    computes = [p.compute for p in parts]
    formula = " + ".join(f for f in ("∂ℓ_t/∂O_t" if t in tape.target_position else "",
                                     "" if t == tape.T else "Σ_r ∂L/∂a_{t+1}[r]·W′[r,i]" +
                                     ("" if tape.cell.CARRY == "c" else " + ∂L/∂O_{t+1}·u_{t+1}")) if f)
    return [Rule(ids, lambda v: sum(c(v) for c in computes), formula)]


def row_rule(tape, k: int, r: int, dO: str, dc: str | None, recurrent: bool) -> Rule:
    """δ's row r at step k from ∂ℓ/∂O_k[i] (and, LSTM, ∂ℓ/∂c_k[i])."""
    u = Unit(tape, k, (r - 1) % tape.n + 1)
    gate = u.row(r)
    if u.lstm:
        if gate == "o":
            return rule((dO,) + lstm_refs(u, gate), lambda v: lstm_row(u, gate, v, 0.0, v[dO]),
                        "∂ℓ/∂O_k·tanh(c_k)·o_k′")
        partner = {"i": "g_k·i_k′", "f": "c_{k−1}·f_k′", "g": "i_k·g_k′"}[gate]
        return rule((dc,) + lstm_refs(u, gate), lambda v: lstm_row(u, gate, v, v[dc], math.nan),
                    f"∂ℓ/∂c_k·{partner}")
    formula = {"r": "∂ℓ/∂O_k·(1 − u_k)·n_k′·ãⁿ_k·r_k′", "u": "∂ℓ/∂O_k·(O_{k−1} − n_k)·u_k′",
               "n": "∂ℓ/∂O_k·(1 − u_k)·n_k′" + ("·r_k" if recurrent else "")}[gate]
    return rule((dO,) + gru_refs(u, gate), lambda v: gru_row(u, gate, v, v[dO], recurrent), formula)


def carry_rule(tape, t: int, k: int, r: int, recurrent: bool) -> Rule:
    i = (r - 1) % tape.n + 1
    kappa = f"~kappa[{t},{k}][{i}]"
    if tape.cell.CARRY == "c" and Unit(tape, k, i).row(r) == "o":
        return Rule((), lambda v: 0.0, "0 (c_k does not use o_k)")
    out = row_rule(tape, k, r, kappa, kappa, recurrent)
    return Rule(out.inputs, out.compute, out.formula.replace("∂ℓ/∂c_k", "κ(t,k)").replace("∂ℓ/∂O_k", "κ(t,k)"))


def backward_rules(tape, vid: ValueId) -> list[Rule]:
    """The ways one backward or recurrent-gradient entry of a gated tape can be computed ([] if none here)."""
    name, idx, comp = vid.name, vid.index, vid.component
    if vid.group == "backward":
        t = idx[0]
        if name == "dL_dO":
            return dL_dO_rules(tape, t, comp[0])
        r = comp[0]
        i = (r - 1) % tape.n + 1
        return [row_rule(tape, t, r, f"backward.dL_dO[{t}][{i}]", f"~dLdc[{t}][{i}]", False)]
    param = vid.param
    lstm = tape.cell.CARRY == "c"
    recurrent = param in ("w_prime", "b_prime") and not lstm
    if name in ("delta", "carry", "rest"):
        t, k = idx
        r = comp[0]
        if name == "rest":
            d, c = delta_id(tape, param, t, k, r), delta_id(tape, param, t, k, r, "carry")
            return [Rule((d, c), lambda v: v[d] - v[c], "δ − carry")]
        if name == "carry":
            return [carry_rule(tape, t, k, r, recurrent)]
        i = (r - 1) % tape.n + 1
        if recurrent:  # the GRU's δₕ: δₓ with the n rows ⊙ r_k
            dx = delta_id(tape, "w", t, k, r)
            if Unit(tape, k, i).row(r) != "n":
                return [Rule((dx,), lambda v: v[dx], "δₓ (the r and u rows)")]
            rk = f"forward.gate.r[{k}][{i}]"
            return [Rule((dx, rk), lambda v: v[dx] * v[rk], "δₓ·r_k (the n rows)")]
        if tape.single_target:  # δₓ(T,k) is ∂L/∂a_k: its rules
            return backward_rules(tape, parsed_id(f"backward.dL_da[{k}][{r}]"))
        return [row_rule(tape, k, r, path_dO(tape, t, k, i), path_dc(tape, t, k, i), False)]
    if name == "term":
        t, k = idx
        d = delta_id(tape, param, t, k, comp[0])
        if param in ("b", "b_prime"):
            return [Rule((d,), lambda v: v[d], "δ[r]")]
        j = comp[1]
        if param == "w" or k == 1:
            x = float(tape.x[k - 1][j - 1]) if param == "w" else float(tape.weights["h0"][j - 1])
            if x == 0.0:  # the term is 0 whatever δ is: a wrong δ is not one of its sources
                return [Rule((), lambda v: 0.0, "δ[r]·0")]
            return [Rule((d,), lambda v: v[d] * x, "δ[r]·x_k[j]" if param == "w" else "δ[r]·O₀[j]")]
        O = f"forward.O[{k - 1}][{j}]"
        return [Rule((d, O), lambda v: v[d] * v[O], "δ[r]·O_{k−1}[j]")]
    return []  # the factors (block Jacobians): judged against the true value alone
