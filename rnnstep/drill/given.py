"""What a gated cell's question is worked out from (SPEC §8), as lines the terminal drill shows.

The gated step panel shows the cell's equations and the gates found so far, never the
inputs a_t is made of; without them `i₁ = σ(aⁱ₁) = ?` cannot be answered by hand. These
lines give them: x_t, O_{t−1} (and c_{t−1}), the weights W, W′, b, b′, and the values
already found at this step; for δ(t,k) and its carry share, ∂ℓ_t/∂O_t (or κ) and step
k's gates and state, which the backward panel does not show. Every number is written
whole to the drill's digits (``bracketed``), never cut: where they do not fit, the drill
says to type ``given`` and shows them in a dialog.
"""

from __future__ import annotations

from typing import Sequence

from .. import notation as nt
from ..tape import Tape
from .arrays import bracketed
from .question import Question

#: typed in the answer box of a gated drill: the givens whole, in a dialog
GIVEN_COMMAND = "given"

_WEIGHTS = (("w", "W"), ("w_prime", "W′"), ("b", "b"), ("b_prime", "b′"))


def gated(tape: Tape) -> bool:
    return tape.scenario.cell != "rnn"


def _t(question: Question) -> int:
    return int(question.id.rsplit("[", 1)[1].rstrip("]"))


def given_lines(tape: Tape, question: Question | None, found: Sequence[Question], digits: int) -> list[str]:
    """For a gated cell's forward question, one line each: the step's input and state; for a gate the weights
    a_t is made of, for c_t and O_t ``found`` (the values asked before it at this step: the gates, c_t). For
    δ(t,k) the loss row ∂ℓ_t/∂O_t and the gates at step k (the backward panel shows neither). [] otherwise."""
    if question is None or not gated(tape):
        return []
    if question.id.startswith(("gradients.w.delta", "gradients.w.carry")):
        return _path_lines(tape, question, digits)
    if not question.id.startswith("forward."):
        return []
    t, sub = _t(question), nt.sub
    state = [f"x{sub(t)} = {bracketed(tape.x[t - 1], digits, None)}",
             f"O{sub(t - 1)} = {bracketed(tape.O_prev[t - 1], digits, None)}"]
    if tape.c is not None:
        state.append(f"c{sub(t - 1)} = {bracketed(tape.c_prev[t - 1], digits, None)}")
    lines = ["given: " + ", ".join(state)]
    if question.id.startswith("forward.gate."):  # a_t = W·x_t + b + W′·O_{t−1} + b′ (the panel shows found gates)
        arrays = tape.scenario.arrays()
        lines.append("weights: " + ", ".join(f"{name} = {bracketed(arrays[p], digits, None)}" for p, name in _WEIGHTS))
    elif found:
        lines.append("found: " + ", ".join(f"{q.symbol} = {bracketed(q.value, digits, None)}" for q in found))
    return lines


def _path_lines(tape: Tape, question: Question, digits: int) -> list[str]:
    t, k = (int(v) for v in question.id.rsplit("[", 1)[1].rstrip("]").split(","))
    sub = nt.sub
    if question.id.startswith("gradients.w.delta"):
        first = f"given: ∂ℓ{sub(t)}/∂O{sub(t)} = {bracketed(tape.upstream[tape.target_position[t]], digits, None)}"
    else:
        first = f"given: {question.numbers}"
    at_k = [f"{g}{sub(k)} = {bracketed(tape.gates[g][k - 1], digits, None)}" for g in tape.cell.GATES]
    if tape.c is not None:  # ∂O_k/∂c_k needs tanh′(c_k), the f row c_{k−1}
        at_k += [f"c{sub(k)} = {bracketed(tape.c[k - 1], digits, None)}",
                 f"c{sub(k - 1)} = {bracketed(tape.c_prev[k - 1], digits, None)}"]
    else:  # the u row needs O_{k−1} − n_k, the r row the recurrent side's n rows ãⁿ_k
        n = tape.n
        at_k += [f"O{sub(k - 1)} = {bracketed(tape.O_prev[k - 1], digits, None)}",
                 f"ãⁿ{sub(k)} = {bracketed(tape.a_prime[k - 1][2 * n:3 * n], digits, None)}"]
    return [first, f"step {k}: " + ", ".join(at_k)]
