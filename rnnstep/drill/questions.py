"""Drill questions: every value on the tape, in tape order, named in the notes' notation.

Each question carries the quantity's symbol and formula, a first hint (what the
formula means here) and a second hint (the formula with numbers). All numbers
are read off the tape; nothing is computed here. This is the one place that asks
the right cell: scalar_questions.py (the notes' one-unit network), vector_questions.py,
gated_questions.py, then method_questions.py for SPEC §9's methods.
"""

from __future__ import annotations

from typing import Sequence

from ..tape import Tape
from .gated_questions import gated_questions
from .method_questions import with_method_questions
from .question import Question, asked_terms
from .scalar_questions import f_prime_numbers, scalar_questions
from .lazy import Lazy
from .vector_questions import vector_questions

__all__ = ["KIND_LABEL", "ONLY", "Question", "asked_terms", "f_prime_numbers", "group_of", "questions"]

ONLY = ("forward", "backward", "terms", "sums", "update")

#: what each kind of quantity is called in a report
KIND_LABEL = {
    "forward.a": "pre-activation a_t", "forward.O": "state O_t", "forward.f_prime": "derivative f′(a_t)",
    "vector.forward.f_prime": "derivative vector f′(a_t)", "outputs.z": "output z_t",
    "outputs.yhat": "prediction ŷ_t", "outputs.loss": "loss ℓ_t", "loss": "total loss L",
    "factor.loss_grad": "∂L/∂ŷ", "factor.output_grad": "∂ŷ/∂O_t", "factor.backprop": "∂O_j/∂O_j−1",
    "factor.immediate": "immediate ∂⁺O_k/∂p", "factor.output_act": "∂ŷ/∂z", "factor.output_input": "∂z/∂p",
    "term": "path term", "running_sum": "running sum", "total": "gradient total", "update": "updated weight",
    # vector scenarios (SPEC §7): whole vectors and matrices, a skill of their own
    "vector.forward.a": "pre-activation vector a_t", "vector.forward.O": "state vector O_t",
    "vector.outputs.z": "output vector z_t", "vector.outputs.yhat": "prediction vector ŷ_t",
    "vector.outputs.loss": "loss ℓ_t (vector output)", "vector.loss": "total loss L (vector)",
    "vector.backward.dL_dO": "∂L/∂O_t (recursive view)", "vector.backward.dL_da": "∂L/∂a_t (recursive view)",
    "vector.delta": "δ(t,k) of a path", "vector.term": "outer-product term", "vector.running_sum": "running sum matrix",
    "vector.total": "gradient matrix", "vector.update": "updated weight matrix",
    # gated cells (SPEC §8)
    "gated.gate": "a gate's value", "gated.c": "cell state c_t", "gated.O": "gated state O_t",
    "gated.delta": "δ(t,k) through a gated cell", "gated.carry": "carry share of δ(t,k)",
    # SPEC §9 (method_questions.py)
    "method.weight": "randomized term weight", "method.count": "terms in a TBPTT update",
    "method.chunk_total": "a TBPTT chunk's gradient",
}
_GROUP = {"forward.a": "forward", "forward.O": "forward", "forward.f_prime": "forward", "outputs.z": "forward", "outputs.yhat": "forward",
          "outputs.loss": "forward", "loss": "forward", "term": "terms", "running_sum": "sums",
          "total": "sums", "update": "update", "gated.gate": "forward", "gated.c": "forward", "gated.O": "forward",
          "method.weight": "terms", "method.count": "sums", "method.chunk_total": "sums"}


def group_of(kind: str) -> str:
    """The --only group a kind belongs to (a vector kind as its scalar kind)."""
    return _GROUP.get(kind.removeprefix("vector."), "backward")


def questions(tape: Tape, only: str | None = None, digits: int = 6,
              paths: int | str | None = None) -> Sequence[Question]:
    """Every question of the tape in order; ``only`` keeps one group (see ONLY).

    ``paths`` (N or "all") limits each target step to its N nearest paths t → k; by default a
    scenario of plain numbers asks every path, a vector scenario every path only when there are
    few (see vector_questions)."""
    if getattr(tape, "cell", None) is not None:  # an LSTM or a GRU (SPEC §8)
        source = gated_questions(tape, digits, paths)
    elif tape.vector:
        source = vector_questions(tape, digits, paths)
    else:
        source = scalar_questions(tape, digits, None if paths == "all" else paths)
    if tape.scenario.method in ("randomized", "tbptt"):  # SPEC §9: weights, counts, chunk gradients
        source = with_method_questions(tape, source, digits)
    return Lazy(q for q in source if only is None or group_of(q.kind) == only)  # made as the drill reaches them
