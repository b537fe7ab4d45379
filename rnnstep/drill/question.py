"""One drill question — what is asked, its hints and its value — and which paths a drill asks: what the
one-unit questions (questions.py), a hidden vector's (vector_questions.py), a gated cell's and a method's share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ..tape import Tape


@dataclass(frozen=True)
class Question:
    id: str  # SPEC §6 value id
    kind: str  # a key of questions.KIND_LABEL
    step: int  # the tape step the value belongs to
    symbol: str  # ∂O₄/∂O₃
    formula: str  # f′(a₄)·w′
    hint: str  # first hint: what the formula means here
    numbers: str  # second hint: the formula with numbers
    value: Any  # a float; in a vector scenario a numpy array of ``shape`` (SPEC §7)
    context: str = ""  # e.g. "factor 3 of term [4,2] of ∂L/∂w′"; for an array also how to type it
    shape: tuple[int, ...] = ()  # () for one number
    hides: tuple[str, ...] = ()  # ids shown at the same step that would give this value away (hidden with it)
    sign: str = "="  # between ``numbers`` and the value: "≈" where the printed numbers do not give it (issue 18)
    terms: tuple[tuple[int, int], ...] = ()  # a "which terms" question (SPEC §9): the (t, k) kept; value is their count

    def __eq__(self, other: object) -> bool:  # ids are unique within a drill; arrays make == ambiguous
        return isinstance(other, Question) and (self.id, self.kind, self.step) == (other.id, other.kind, other.step)

    def __hash__(self) -> int:
        return hash((self.id, self.kind, self.step))

    @property
    def text(self) -> str:
        """The question as one line: `∂O₄/∂O₃ = f′(a₄)·w′ = ?`."""
        where = f"  ({self.context})" if self.context else ""
        formula = f" = {self.formula}" if self.formula and self.formula != self.symbol else ""
        return f"{self.symbol}{formula} = ?{where}"


def asked_terms(tape: Tape, depth: int | None) -> Iterator[int]:
    """Indices (into a recurrent TermTable) of the paths asked: each target step's ``depth`` nearest
    (k = t, t−1, …), in tape order; every path when ``depth`` is None. Linear in what it yields."""
    table = tape.gradients["w_prime"]
    if depth is None:
        yield from range(len(table))
        return
    start = 0
    for t in (int(t) for t in tape.targets):  # target t owns the t terms k = t … 1, in that order
        yield from range(start, start + min(depth, t))
        start += t
