"""The derivation as the notes should have read, as a stream of plain records.

Markdown and LaTeX printers format these; neither recomputes anything. Each
bracketed path product appears with symbols, then with numbers, then the
running sum it leads to. A long product is shortened (``chains.shorten``):
only the factors shown are fetched from the tape, so the stream costs the same
per term at any T unless every factor is asked for (``full_chains``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, NamedTuple

from .. import notation as nt
from ..printed import printed, relation
from ..ids import PARAMS, factor_count
from ..tape import Tape
from ..underflow import underflowed
import numpy as np

from .chains import HEAD, LIMIT, TAIL, Chain, joined


@dataclass(frozen=True, slots=True)
class ForwardLine:
    t: int
    equation: str  # O₂ = f(x₂·w + O₁·w′ + b)
    substituted: str  # tanh(…) = tanh(a) = O


@dataclass(frozen=True, slots=True)
class OutputLine:
    t: int
    z: float
    yhat: float
    y: float
    loss: float


class TermLine(NamedTuple):  # a tuple: one per term of a long tape, so cheap to make
    """One term: its chain as the factors shown (symbols and numbers) around ``hidden`` left out."""

    param: str
    t: int
    k: int | None
    head_symbols: list[str]
    head_numbers: list[str]
    hidden: int
    tail_symbols: list[str]
    tail_numbers: list[str]
    value: float
    truncated: bool
    running_sum: float
    sign: str = "="  # "≈" where the product of the printed factors does not print as the value (issue 18 item 7)
    underflow: bool = False  # 0 with no zero factor: the product fell below the smallest double (underflow.py)

    def symbol_parts(self, gap: Callable[[int], str]) -> list[str]:
        return joined(self.head_symbols, self.hidden, self.tail_symbols, gap)

    def number_parts(self, gap: Callable[[int], str]) -> list[str]:
        return joined(self.head_numbers, self.hidden, self.tail_numbers, gap)

    @property
    def symbols(self) -> Chain[str]:
        return Chain(self.head_symbols, self.hidden, self.tail_symbols)

    @property
    def numbers(self) -> Chain[str]:
        return Chain(self.head_numbers, self.hidden, self.tail_numbers)


@dataclass(frozen=True, slots=True)
class Total:
    param: str
    symbol: str
    value: float


@dataclass(frozen=True, slots=True)
class UpdateLine:
    param: str
    old: float
    grad: float
    clipped: float
    new: float


def item_count(tape: Tape) -> int:
    """How many records ``derivation`` yields (for a progress bar)."""
    return tape.T + len(tape.targets) + sum(len(table) + 1 for table in tape.gradients.values()) + len(tape.updates)


def derivation(tape: Tape, style: str = "unicode", digits: int = 6, number: Callable[[float], str] | None = None,
               full_chains: bool = False) -> Iterator[object]:
    """Every record of the derivation in tape order; ``number`` writes a factor's value (default nt.operand)."""
    yield from (ForwardLine(t, nt.forward_equation(t, style), nt.forward_substituted(tape, t, digits))
                for t in range(1, tape.T + 1))
    for i, t in enumerate(tape.targets):
        yield OutputLine(int(t), float(tape.z[i]), float(tape.yhat[i]), float(tape.y[i]), float(tape.losses[i]))
    number = number or (lambda v: nt.operand(v, digits))
    for param in PARAMS:
        yield from term_lines(tape, param, style, number, full_chains, digits)
        yield Total(param, nt.gradient_symbol(param, style), tape.gradients[param].total)
    for param, u in tape.updates.items():
        yield UpdateLine(param, u.old, u.grad, u.clipped, u.new)


def term_lines(tape: Tape, param: str, style: str, number: Callable[[float], str],
               full_chains: bool = False, digits: int = 6) -> Iterator[TermLine]:
    """The terms of ∂L/∂param with their chains, shortened unless ``full_chains``."""
    table = tape.gradients[param]
    t_of, value, truncated, running_sum = (table.t.tolist(), table.value.tolist(), table.truncated.tolist(),
                                           table.running_sum.tolist())
    k_of = table.k.tolist() if table.k is not None else [None] * len(value)
    rendered: dict[tuple, tuple[str, str, float]] = {}  # a factor's (symbol, number, value as printed) by what it is

    def text(term: int, i: int) -> tuple[str, str, float]:
        f = tape.factor(param, term, i)
        key = (f.kind, f.step, f.param)
        if key not in rendered:  # the printed value gives the "=" or "≈" before the product
            rendered[key] = (nt.factor_symbol(f, style), number(f.value), printed(float(f.value), digits))
        return rendered[key]

    def texts(term: int, indices: range) -> tuple[list[str], list[str], float]:
        triples = [text(term, i) for i in indices]
        again = 1.0
        for _, _, shown in triples:
            again *= shown
        return [symbol for symbol, _, _ in triples], [num for _, num, _ in triples], again

    # In a shortened chain the first factors depend only on t (the loss end of the path) and the
    # last only on k (the weight end): fetch them from the tape once per t and once per k.
    heads: dict[int, tuple[list[str], list[str], float]] = {}
    tails: dict[int, tuple[list[str], list[str], float]] = {}
    whole = LIMIT if not full_chains else float("inf")
    counts = np.broadcast_to(factor_count(param, table.t, table.k), table.t.shape).tolist()
    no_tail: list[str] = []
    for term, (t, k, count) in enumerate(zip(t_of, k_of, counts)):
        if count > whole:
            head = heads.get(t)
            if head is None:
                head = heads[t] = texts(term, range(HEAD))
            tail = tails.get(k)
            if tail is None:
                tail = tails[k] = texts(term, range(count - TAIL, count))
            yield TermLine(param, t, k, head[0], head[1], count - HEAD - TAIL, tail[0], tail[1],
                           value[term], truncated[term], running_sum[term],
                           underflow=value[term] == 0 and underflowed(tape, param, term))
        else:
            symbols, numbers, again = texts(term, range(count))
            yield TermLine(param, t, k, symbols, numbers, 0, no_tail, no_tail, value[term], truncated[term],
                           running_sum[term], relation(again, value[term], digits),
                           value[term] == 0 and underflowed(tape, param, term))
