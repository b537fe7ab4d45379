"""Reading an answer and grading it: |answer − value| ≤ max(rtol·|value|, atol)."""

from __future__ import annotations

import math

from ..stated import NotDecimal, read_decimal

COMMANDS = ("hint", "skip", "quit")


class NotANumber(ValueError):
    """The learner typed something that is neither a number nor a command."""


def command_of(text: str) -> str | None:
    """One of COMMANDS (also h or ? for hint, q or exit for quit), or None."""
    cleaned = text.strip().lower()
    if cleaned in COMMANDS:
        return cleaned
    if cleaned in ("h", "?"):
        return "hint"
    if cleaned in ("q", "exit"):
        return "quit"
    return None


def parse_answer(text: str) -> float | str:
    """A float, or one of COMMANDS. Accepts -0.25, 2.5e-3, .5, −0.3 (unicode minus), inf, nan."""
    command = command_of(text)
    if command is not None:
        return command
    cleaned = text.strip().lower()
    cleaned = cleaned.replace("−", "-").replace(" ", "")
    if not cleaned or "_" in cleaned:
        raise NotANumber(text)
    if cleaned.lstrip("+-") in ("inf", "infinity", "nan"):
        return float(cleaned)
    try:
        return read_decimal(cleaned)  # ASCII digits only: never "０.５", and never 1e-400 read as 0
    except NotDecimal:
        raise NotANumber(text) from None


def is_right(answer: float, value: float, rtol: float = 0.01, atol: float = 1e-9) -> bool:
    if math.isnan(value):
        return math.isnan(answer)
    if math.isinf(value) or math.isinf(answer):
        return answer == value
    return abs(answer - value) <= max(rtol * abs(value), atol)
