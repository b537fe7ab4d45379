"""Conditional breakpoints: a small, closed condition language, parsed here (never ``eval``).

A condition is true or false at each step of the tape; ``c`` in the debugger stops
at the next step where one holds. The words::

    |term| < 1e-6            the current term's size (‖term‖ for a vector's matrix term)
    |term| > 1               also |delta|, |running_sum|, each with < <= > >=
    running_sum changes sign a running sum's sign flips at this term (any entry, for a matrix)
    clip                     clipping changed a gradient (an update step)
    overflow                 a value at this step is inf or nan
    … in w_prime             only the terms of ∂L/∂w′ (any parameter name)
    A and B, A or B          "and" binds tighter than "or"; no parentheses

Each mistake is a ConditionError: one sentence saying what was expected where.
Evaluation is vectorised over the tape (one boolean per step, made once), so
finding the next stop on a T = 5,000 tape is one array search.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .ids import GATED_PARAMS, GATED_RECURRENT

QUANTITIES = ("term", "delta", "running_sum")
OPERATORS = ("<=", ">=", "<", ">")
WORDS = ("clip", "overflow")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TOKEN = re.compile(r"\s*(\|[a-z_]+\||<=|>=|<|>|[A-Za-z_]+|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\S)")
EXAMPLES = "|term| < 1e-6, |term| > 1 in w, running_sum changes sign, clip, overflow"


class ConditionError(ValueError):
    """A condition that does not parse: one sentence."""


@dataclass(frozen=True)
class Clause:
    kind: str  # size | sign | clip | overflow
    quantity: str = ""  # term | delta | running_sum (size); running_sum (sign)
    op: str = ""
    bound: float = 0.0
    param: str | None = None  # "in w_prime": only that parameter's terms
    bound_text: str = ""  # the bound as typed (1e-6, not 1e-06)

    def __str__(self) -> str:
        scope = f" in {self.param}" if self.param else ""
        if self.kind == "size":
            return f"|{self.quantity}| {self.op} {self.bound_text or format(self.bound, 'g')}{scope}"
        if self.kind == "sign":
            return f"running_sum changes sign{scope}"
        return self.kind + scope


@dataclass(frozen=True)
class Condition:
    """``any of`` groups, each ``all of`` its clauses."""

    groups: tuple[tuple[Clause, ...], ...]

    def __str__(self) -> str:
        return " or ".join(" and ".join(map(str, g)) for g in self.groups)

    def mask(self, tape) -> np.ndarray:
        """One boolean per step of the tape: does the condition hold there?"""
        if hasattr(tape, "chunk_tape"):  # TBPTT stepped chunk by chunk: each chunk's own steps, in turn
            return np.concatenate([self.mask(chunk)[np.r_[tuple(chunk.visited)]] for chunk in
                                   (tape.chunk_tape(c) for c in range(1, len(tape.chunks) + 1))])
        out = np.zeros(len(tape.steps), dtype=bool)
        for group in self.groups:
            found = np.ones(len(tape.steps), dtype=bool)
            for clause in group:
                found &= _clause_mask(tape, clause)
            out |= found
        return out

    def holds(self, tape, step: int) -> bool:
        return bool(self.mask(tape)[step])


def parse_condition(text: str) -> Condition:
    """Parse a condition (``when`` in front is allowed); ConditionError says what is wrong."""
    if not isinstance(text, str):
        raise ConditionError(f"expected a condition such as {EXAMPLES}")
    body = text.strip()
    if body.lower().startswith("when "):
        body = body[5:]
    if not body.strip():
        raise ConditionError(f"an empty condition; expected e.g. {EXAMPLES}")
    if len(body) > 500:
        raise ConditionError("a condition longer than 500 characters; write a short one such as |term| < 1e-6")
    tokens = _tokens(body)
    groups: list[list[Clause]] = [[]]
    i = 0
    while True:
        clause, i = _clause(tokens, i, body)
        groups[-1].append(clause)
        if i == len(tokens):
            break
        joint = tokens[i].lower()
        if joint == "and":
            i += 1
        elif joint == "or":
            groups.append([])
            i += 1
        else:
            raise ConditionError(f"{body!r}: expected `and`, `or` or the end after {str(clause)!r}, found {tokens[i]!r}")
        if i == len(tokens):
            raise ConditionError(f"{body!r}: expected a condition after `{joint}`")
    return Condition(tuple(tuple(g) for g in groups))


def _tokens(body: str) -> list[str]:
    foreign = next((ch for ch in body if not ch.isascii() or not (ch.isprintable() or ch == " ")), None)
    if foreign is not None:
        raise ConditionError(f"{body!r}: cannot read {foreign!r}; a condition is written in ASCII, e.g. {EXAMPLES}")
    tokens, pos = [], 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if not match or not match.group(1):
            break
        tokens.append(match.group(1))
        pos = match.end()
    if body[pos:].strip():
        raise ConditionError(f"{body!r}: cannot read {body[pos:].strip()!r}")
    return tokens


def _clause(tokens: list[str], i: int, body: str) -> tuple[Clause, int]:
    head = tokens[i]
    if head.startswith("|") and head.endswith("|") and len(head) > 2:
        quantity = head[1:-1]
        if quantity not in QUANTITIES:
            raise ConditionError(f"{body!r}: |{quantity}| is not a size rnnstep knows; expected "
                                 f"{', '.join(f'|{q}|' for q in QUANTITIES)}")
        if i + 1 >= len(tokens) or tokens[i + 1] not in OPERATORS:
            found = tokens[i + 1] if i + 1 < len(tokens) else "the end"
            raise ConditionError(f"{body!r}: expected one of {' '.join(OPERATORS)} after {head}, found {found!r}")
        if i + 2 >= len(tokens) or not _NUMBER.fullmatch(tokens[i + 2]):
            found = tokens[i + 2] if i + 2 < len(tokens) else "the end"
            raise ConditionError(f"{body!r}: expected a number (ASCII digits, e.g. 1e-6) after "
                                 f"{head} {tokens[i + 1]}, found {found!r}")
        bound = _bound(tokens[i + 2], body)
        clause, i = Clause("size", quantity, tokens[i + 1], bound, bound_text=tokens[i + 2]), i + 3
    elif head == "running_sum" and tokens[i + 1:i + 3] == ["changes", "sign"]:
        clause, i = Clause("sign", "running_sum"), i + 3
    elif head.lower() in WORDS:
        clause, i = Clause(head.lower()), i + 1
    elif head in QUANTITIES:
        raise ConditionError(f"{body!r}: write the size with bars, |{head}|, or `running_sum changes sign`")
    else:
        raise ConditionError(f"{body!r}: {head!r} is not a condition; expected e.g. {EXAMPLES}")
    if i < len(tokens) and tokens[i] == "in":
        # every parameter name of any cell: b_prime is a gated cell's (SPEC §8); on a plain cell it has no terms
        if i + 1 >= len(tokens) or tokens[i + 1] not in GATED_PARAMS:
            found = tokens[i + 1] if i + 1 < len(tokens) else "the end"
            raise ConditionError(f"{body!r}: expected a parameter after `in` ({', '.join(GATED_PARAMS)}), "
                                 f"found {found!r}")
        if clause.kind in ("size", "sign") and clause.quantity == "delta" and tokens[i + 1] not in GATED_RECURRENT:
            raise ConditionError(f"{body!r}: δ is a recurrent term's row; expected w_prime, w, b or b_prime after "
                                 "`in`")
        clause = Clause(clause.kind, clause.quantity, clause.op, clause.bound, tokens[i + 1], clause.bound_text)
        i += 2
    return clause, i


def _bound(text: str, body: str) -> float:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        raise ConditionError(f"{body!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ConditionError(f"{body!r}: {text!r} is too large; expected a finite number")
    if value == 0 and any(ch in "123456789" for ch in text.lower().partition("e")[0]):
        raise ConditionError(f"{body!r}: {text!r} is too small to be read (it would be 0)")
    return value


_COMPARE: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _phases(tape) -> list[tuple[str, int, int]]:
    return tape.steps.phase_bounds()


def _clause_mask(tape, clause: Clause) -> np.ndarray:
    cache = tape.__dict__.setdefault("_condition_masks", {})
    key = str(clause)
    if key not in cache:
        cache[key] = _compute(tape, clause)
    return cache[key]


def _compute(tape, clause: Clause) -> np.ndarray:
    out = np.zeros(len(tape.steps), dtype=bool)
    for phase, lo, hi in _phases(tape):
        if phase.startswith("backward."):
            param = phase.split(".", 1)[1]
            if clause.param and clause.param != param:
                continue
            table = tape.gradients.get(param)
            if table is None or len(table) != hi - lo:
                continue
            out[lo:hi] = _term_mask(table, clause)
        elif clause.param and phase != "update":
            continue
        elif clause.kind == "overflow" and phase == "forward":
            a, O = np.asarray(tape.a, dtype=float), np.asarray(tape.O, dtype=float)
            bad = ~np.isfinite(a) | ~np.isfinite(O)
            out[lo:hi] = bad.reshape(len(bad), -1).any(axis=1)[: hi - lo]
        elif clause.kind == "overflow" and phase == "loss":
            yhat = np.asarray(tape.yhat, dtype=float).reshape(len(tape.targets), -1)
            losses = np.asarray(tape.losses, dtype=float).reshape(len(tape.targets), -1)
            bad = ~np.isfinite(yhat).all(axis=1) | ~np.isfinite(losses).all(axis=1)
            out[lo:lo + len(bad)] = bad
            if hi - lo > len(bad):
                out[hi - 1] = not math.isfinite(float(tape.loss))
        elif phase == "update" and clause.kind in ("clip", "overflow"):
            for offset, param in enumerate(tape.params[: hi - lo]):  # the update steps, in the tape's order
                if clause.param and clause.param != param:
                    continue
                update = tape.updates[param]
                if clause.kind == "clip":
                    grad, clipped = np.asarray(update.grad, dtype=float), np.asarray(update.clipped, dtype=float)
                    with np.errstate(invalid="ignore"):
                        out[lo + offset] = bool(np.any(grad != clipped) and np.all(np.isfinite(grad) | np.isnan(grad)))
                else:
                    out[lo + offset] = not np.all(np.isfinite(np.asarray(update.new, dtype=float)))
    return out


def _term_mask(table, clause: Clause) -> np.ndarray:
    n = len(table)
    if clause.kind == "size":
        with np.errstate(all="ignore"):
            if clause.quantity == "term":
                sizes = np.abs(np.asarray(table.value, dtype=float)) if not table.vector else table.norms
            elif clause.quantity == "delta":
                if table.k is None:  # an output term has no δ
                    return np.zeros(n, dtype=bool)
                sizes = np.linalg.norm(table.deltas(0, n), axis=1)
            else:
                sizes = _running_sizes(table)
            return _COMPARE[clause.op](sizes, clause.bound) & ~np.isnan(sizes)
    if clause.kind == "sign":
        return _sign_changes(table)
    if clause.kind == "overflow":
        with np.errstate(all="ignore"):
            return ~np.isfinite(table.max_abs)
    return np.zeros(n, dtype=bool)


def _running_sizes(table) -> np.ndarray:
    if not table.vector:
        return np.abs(np.asarray(table.running_sum, dtype=float))
    out = np.empty(len(table))
    for lo, _, running in table.blocks():
        out[lo:lo + len(running)] = np.linalg.norm(running.reshape(len(running), -1), axis=1)
    return out


def _sign_changes(table) -> np.ndarray:
    """A running sum's sign flips at a term: some entry goes from < 0 to > 0 or back."""
    out = np.zeros(len(table), dtype=bool)
    if not table.vector:
        running = np.asarray(table.running_sum, dtype=float)
        before = np.concatenate(([0.0], running[:-1]))
        return (before * running) < 0
    previous = None
    for lo, _, running in table.blocks():
        flat = running.reshape(len(running), -1)
        before = np.concatenate(((np.zeros_like(flat[0]) if previous is None else previous)[None], flat[:-1]))
        with np.errstate(all="ignore"):
            out[lo:lo + len(flat)] = ((before * flat) < 0).any(axis=1)
        previous = flat[-1]
    return out


def first_after(tape, conditions: list[Condition], step: int) -> int | None:
    """The first step after ``step`` where any of the conditions holds, else None."""
    if not conditions:
        return None
    found = np.zeros(len(tape.steps), dtype=bool)
    for condition in conditions:
        found |= condition.mask(tape)
    later = np.flatnonzero(found[step + 1:])
    return int(step + 1 + later[0]) if len(later) else None
