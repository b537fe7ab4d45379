"""A number a user states as text (a claim, a drill answer): ASCII decimal, read exactly as written.

Python's ``float`` is kinder than a worked example deserves: ``float("0_5")`` is 5,
``float("０.５")`` (full-width digits) is 0.5 and ``float("1e-400")`` is 0. Here a stated
number is ASCII digits with an optional sign (``-`` or ``−``), point and exponent; one
that overflows or underflows a float64 is refused, not read as ±inf or 0.
"""

from __future__ import annotations

import math
import re

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NONZERO_DIGIT = re.compile(r"[1-9]")


class NotDecimal(ValueError):
    """Text that is not a usable decimal number; ``str()`` is one line saying why."""


def _shown(text: str) -> str:
    return repr(text if len(text) <= 30 else text[:27] + "…")


def is_decimal(text: str) -> bool:
    return _DECIMAL.fullmatch(text.replace("−", "-")) is not None


def read_decimal(text: str) -> float:
    """The float64 ``text`` states (surrounding spaces allowed); NotDecimal if it is not ASCII decimal,
    or overflows, or underflows to 0."""
    cleaned = text.strip().replace("−", "-")
    if cleaned.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        raise NotDecimal(f"expected a finite number, found {_shown(text.strip())}")
    if not _DECIMAL.fullmatch(cleaned):
        raise NotDecimal(f"expected a number, found the string {_shown(text)} "
                         "(a number is written in ASCII decimal digits, e.g. 0.5, -1.25, 3e-4)")
    value = float(cleaned)
    if not math.isfinite(value):
        raise NotDecimal(f"{_shown(text.strip())} is too large for a float64 (at most about 1.8e308)")
    mantissa = re.split(r"[eE]", cleaned)[0]
    if value == 0.0 and _NONZERO_DIGIT.search(mantissa):
        raise NotDecimal(f"{_shown(text.strip())} is too small for a float64: it would read as 0 "
                         "(the smallest is about 5e-324)")
    return value
