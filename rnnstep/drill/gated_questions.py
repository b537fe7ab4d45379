"""Drill questions on a gated cell (SPEC §8): gates, c_t, δ and the carry share of a term.

In tape order: each gate, c_t (LSTM) and O_t at every step; the outputs and L; then
for each path asked, δ(t,k) of ∂L/∂W, its carry share and the term δᵀ·x_kᵀ with the
running sum after it; the totals of ∂L/∂W′, ∂L/∂b and ∂L/∂b′; the output layer and
the updates. As for vectors, no factor is asked on its own (a block Jacobian alone
is no skill); the carry share is asked as the row it is, beside δ. Every number is
read off the tape; the hints write the cell's own formulas with the step's values.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .. import notation as nt
from ..tape import Tape
from .question import Question, asked_terms
from .vector_questions import Later, _outputs, _output_layer, _q, _running_sum, _updates, path_depth

_SQUASH = {"i": "σ", "f": "σ", "g": "tanh", "o": "σ", "r": "σ", "u": "σ", "n": "tanh"}


def gated_questions(tape: Tape, d: int, paths: int | str | None = None) -> Iterator[Question]:
    yield from _forward(tape, d)
    yield from _outputs(tape, d)
    yield from _paths(tape, d, path_depth(tape, paths))
    for param in ("w_prime", "b", "b_prime"):
        yield _running_sum(tape, param, len(tape.gradients[param]) - 1, d, True)
    yield from _output_layer(tape, d)
    yield from _updates(tape, d)


def _forward(tape: Tape, d: int) -> Iterator[Question]:
    sub, cell, n = nt.sub, tape.cell, tape.n
    lstm = tape.c is not None
    for t in range(1, tape.T + 1):
        step = tape.steps.phase_start("forward") + t - 1
        a = tape.a[t - 1]
        for row, gate in enumerate(cell.GATES):
            lo, hi = row * n, (row + 1) * n
            value = tape.gates[gate][t - 1]
            squash = _SQUASH[gate]
            if lstm:
                meaning = (f"rows {lo + 1}–{hi} of a{sub(t)} = W·x{sub(t)} + b + W′·O{sub(t - 1)} + b′ are the {gate} "
                           f"gate's; {squash} entry by entry")
                numbers = Later(d, squash + "({})", a[lo:hi])
            elif gate == "n":
                meaning = (f"the candidate: tanh of the input side's n rows plus r{sub(t)} times the recurrent "
                           f"side's n rows (ã{sub(t)} = W′·O{sub(t - 1)} + b′), entry by entry")
                numbers = Later(d, "tanh({} + {} ⊙ {})", a[lo:hi], tape.gates["r"][t - 1], tape.a_prime[t - 1][lo:hi])
            else:
                meaning = (f"σ of the {gate} rows of both sides: a{sub(t)} = W·x{sub(t)} + b and ã{sub(t)} = "
                           f"W′·O{sub(t - 1)} + b′, entry by entry")
                numbers = Later(d, "σ({} + {})", a[lo:hi], tape.a_prime[t - 1][lo:hi])
            yield _q(f"forward.gate.{gate}[{t}]", "gated.gate", step, f"{gate}{sub(t)}",
                     cell.GATE_FORMULAS[gate].split(" = ", 1)[1].replace("_t", sub(t)), meaning, numbers, value)
        if lstm:
            yield _q(f"forward.c[{t}]", "gated.c", step, f"c{sub(t)}", f"f{sub(t)} ⊙ c{sub(t - 1)} + i{sub(t)} ⊙ g{sub(t)}",
                     "the cell state: keep f of the old one, write i of the candidate g (⊙: entry by entry)",
                     Later(d, "{} ⊙ {} + {} ⊙ {}", tape.gates["f"][t - 1], tape.c_prev[t - 1], tape.gates["i"][t - 1],
                           tape.gates["g"][t - 1]), tape.c[t - 1])
            yield _q(f"forward.O[{t}]", "gated.O", step, f"O{sub(t)}", f"o{sub(t)} ⊙ tanh(c{sub(t)})",
                     "the output gate lets tanh of the cell state through, entry by entry",
                     Later(d, "{} ⊙ tanh({})", tape.gates["o"][t - 1], tape.c[t - 1]), tape.O[t - 1])
        else:
            yield _q(f"forward.O[{t}]", "gated.O", step, f"O{sub(t)}",
                     f"(1 − u{sub(t)}) ⊙ n{sub(t)} + u{sub(t)} ⊙ O{sub(t - 1)}",
                     "u keeps the old state, 1 − u takes the candidate n, entry by entry",
                     Later(d, "(1 − {}) ⊙ {} + {} ⊙ {}", tape.gates["u"][t - 1], tape.gates["n"][t - 1],
                           tape.gates["u"][t - 1], tape.O_prev[t - 1]), tape.O[t - 1])


def _kappa(tape: Tape, t: int, k: int) -> np.ndarray:
    """The carry lane's row at step k (LSTM: on c_k; GRU: on O_k), from the tape's own values."""
    entry = tape.cell.carry_entry(tape.forward_record, t - 1, tape.upstream[tape.target_position[t]][None])[0]
    return entry * tape.carry_factor(t, k)


def _paths(tape: Tape, d: int, depth: int | None) -> Iterator[Question]:
    """For each path asked: δ(t,k) of ∂L/∂W, its carry share, the term δᵀ·x_kᵀ and the running sum after it."""
    sub = nt.sub
    table = tape.gradients["w"]
    start = tape.steps.phase_start("backward.w")
    lstm = tape.c is not None
    diag = "f" if lstm else "u"
    last_asked = -1
    for i in asked_terms(tape, depth):
        t, k = int(table.t[i]), int(table.k[i])
        at, step = f"[{t},{k}]", start + i
        after = ("gradients.w.total",) if i == len(table) - 1 else (f"gradients.w.running_sum{at}",)
        if k == t:
            meaning = (f"∂ℓ{sub(t)}/∂a{sub(t)}: the loss row ∂ℓ{sub(t)}/∂O{sub(t)} times ∂O{sub(t)}/∂a{sub(t)}, "
                       "gate by gate")
        else:
            meaning = (f"one step further back than δ[{t},{k + 1}]: the state row at step {k + 1} through "
                       f"J{sub(k + 1)} = ∂s{sub(k + 1)}/∂s{sub(k)}, then ∂s{sub(k)}/∂a{sub(k)}, gate by gate")
        numbers = Later(d, "∂ℓ/∂O" + sub(t) + " = {}; gates at step " + str(k) + ": " +
                        ", ".join(f"{g} = {{}}" for g in tape.cell.GATES),
                        tape.upstream[tape.target_position[t]], *(tape.gates[g][k - 1] for g in tape.cell.GATES))
        yield _q(f"gradients.w.delta{at}", "gated.delta", step, f"δ{at}",
                 f"∂ℓ{sub(t)}/∂s{sub(t)}" + "".join(f"·J{sub(j)}" for j in range(t, k, -1)) + f"·∂s{sub(k)}/∂a{sub(k)}",
                 meaning, numbers, table.delta(i), f"path {t} → {k}",
                 (f"gradients.w.term{at}", f"gradients.w.carry{at}", f"gradients.w.rest{at}") + after)
        if lstm:
            formula = (f"∂ℓ{sub(t)}/∂O{sub(t)}·diag(o{sub(t)} ⊙ tanh′(c{sub(t)}))"
                       + (f"·∏ diag(f_j)" if t > k else "") + f"·∂c{sub(k)}/∂a{sub(k)}")
            meaning = (f"the part of δ{at} that travelled the cell state alone: κ = ∂ℓ/∂O{sub(t)} ⊙ o{sub(t)} ⊙ "
                       f"tanh′(c{sub(t)})" + (f" ⊙ f_{k + 1} ⊙ … ⊙ f_{t}" if t > k else "") +
                       f" on c{sub(k)}; its rows are κ ⊙ g ⊙ i′, κ ⊙ c{sub(k - 1)} ⊙ f′, κ ⊙ i ⊙ g′ and 0 for o "
                       f"(c{sub(k)} does not use o{sub(k)})")
        else:
            formula = f"∂ℓ{sub(t)}/∂O{sub(t)}" + (f"·∏ diag(u_j)" if t > k else "") + f"·∂O{sub(k)}/∂a{sub(k)}"
            meaning = (f"the part of δ{at} that travelled the diagonal u alone: κ = ∂ℓ/∂O{sub(t)}"
                       + (f" ⊙ u_{k + 1} ⊙ … ⊙ u_{t}" if t > k else "") + f", then through step {k}'s gates as δ is")
        yield _q(f"gradients.w.carry{at}", "gated.carry", step, f"carry{at}", formula, meaning,
                 Later(d, "κ = {} (∏ " + diag + "_j = {})", _kappa(tape, t, k), tape.carry_factor(t, k)),
                 table.carry(i), f"path {t} → {k}", (f"gradients.w.rest{at}",))
        yield _q(f"gradients.w.term{at}", "vector.term", step, f"term{at} of ∂L/∂W", f"δ{at}ᵀ·x{sub(k)}ᵀ",
                 f"an outer product: entry [i,j] is δᵢ·(x{sub(k)})ⱼ", Later(d, "{}ᵀ·{}", (table.delta(i), f"δ{at}"),
                                                                          (tape.x[k - 1], f"x{sub(k)}ᵀ")),
                 table.value[i], "", after)
        last = i == len(table) - 1
        if i or last:
            yield _running_sum(tape, "w", i, d, last)
        last_asked = i
    if last_asked != len(table) - 1:
        yield _running_sum(tape, "w", len(table) - 1, d, True)
