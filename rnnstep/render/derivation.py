"""The derivation as the notes should have read, as a sequence of plain records.

Markdown and LaTeX printers format these; neither recomputes anything. Each
bracketed path product appears with symbols, then with numbers, then the
running sum it leads to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .. import notation as nt
from ..ids import PARAMS
from ..tape import Tape


@dataclass(frozen=True)
class ForwardLine:
    t: int
    equation: str  # O₂ = f(x₂·w + O₁·w′ + b)
    substituted: str  # tanh(…) = tanh(a) = O


@dataclass(frozen=True)
class OutputLine:
    t: int
    z: float
    yhat: float
    y: float
    loss: float


@dataclass(frozen=True)
class TermLine:
    param: str
    t: int
    k: int | None
    symbols: list[str]
    numbers: list[str]
    value: float
    truncated: bool
    running_sum: float


@dataclass(frozen=True)
class Total:
    param: str
    symbol: str
    value: float


@dataclass(frozen=True)
class UpdateLine:
    param: str
    old: float
    grad: float
    clipped: float
    new: float


def derivation(tape: Tape, style: str = "unicode", digits: int = 6) -> Iterator[object]:
    yield from (ForwardLine(t, nt.forward_equation(t, style), nt.forward_substituted(tape, t, digits))
                for t in range(1, tape.T + 1))
    for i, t in enumerate(tape.targets):
        yield OutputLine(int(t), float(tape.z[i]), float(tape.yhat[i]), float(tape.y[i]), float(tape.losses[i]))
    for param in PARAMS:
        table = tape.gradients[param]
        for i in range(len(table)):
            factors = tape.factors(param, i)
            yield TermLine(
                param, int(table.t[i]), None if table.k is None else int(table.k[i]),
                [nt.factor_symbol(f, style) for f in factors], [nt.operand(f.value, digits) for f in factors],
                float(table.value[i]), bool(table.truncated[i]), float(table.running_sum[i]),
            )
        yield Total(param, nt.gradient_symbol(param, style), table.total)
    for param, u in tape.updates.items():
        yield UpdateLine(param, u.old, u.grad, u.clipped, u.new)
