"""The one number formatter for screens: whole, or correctly rounded to fit, or nothing.

A cut number reads as a different value (``0.0`` for 0.0563), so no panel slices
a string of digits: each asks ``fit`` for a number at the width it has.
"""

from __future__ import annotations

from .notation import fmt


def fit(value: float, digits: int = 6, width: int | None = None) -> str | None:
    """``value`` to ``digits`` significant digits (``fmt``); if that is wider than ``width``,
    the same value correctly rounded to fewer digits; None if not even one digit fits."""
    text = fmt(value, digits)
    if width is None or len(text) <= width:
        return text
    for fewer in range(digits - 1, 0, -1):
        text = fmt(value, fewer)
        if len(text) <= width:
            return text
    return None


def fits(value: float, digits: int, width: int) -> bool:
    """Does the full rendering fit?"""
    return len(fmt(value, digits)) <= width
