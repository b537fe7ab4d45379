"""The one number formatter: ``fmt`` (notation.py's ``nt.fmt``, the full ``--digits`` rendering), and for
screens ``fit``: whole, or correctly rounded to fit, or nothing.

A cut number reads as a different value (``0.0`` for 0.0563), so no panel slices
a string of digits: each asks ``fit`` for a number at the width it has. A narrow
cell (a matrix grid's) may also take the short scientific form ``-6.3e-3``
(``compact``): the same correctly rounded number in fewer characters.
"""

from __future__ import annotations

import math
from functools import lru_cache


def fmt(x: float, digits: int = 6) -> str:
    """A number to ``digits`` significant digits; non-finite as inf, -inf, nan.

    Python's ``g`` format already spells non-finite values inf, -inf and nan
    (a negative NaN too), so the only fix-up is -0; this runs once per number
    written on a long tape, so it stays a single format call.
    """
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


@lru_cache(maxsize=1 << 16)  # a step redraws mostly the same numbers (W′, W_out, the sums): format each once
def fit(value: float, digits: int = 6, width: int | None = None, compact: bool = False) -> str | None:
    """``value`` to ``digits`` significant digits (``fmt``); if that is wider than ``width``,
    the same value correctly rounded to fewer digits (with ``compact``, in whichever of
    ``fmt``'s form and the short exponent form is narrower); None if not even one digit fits."""
    text = fmt(value, digits)
    if width is None or len(text) <= width:
        return text
    if not compact:
        for fewer in range(digits - 1, 0, -1):
            text = fmt(value, fewer)
            if len(text) <= width:
                return text
        return None
    # one more digit costs about one character: start near the most that can fit, not at ``digits``
    most = width - min(len(fmt(value, 1)), len(short_exponent(value, 1))) + 2
    for fewer in range(max(1, min(digits, 17, width, most)), 0, -1):
        for text in (fmt(value, fewer), short_exponent(value, fewer)):
            if len(text) <= width:
                return text
    return None


def short_exponent(value: float, digits: int) -> str:
    """-6.3e-3: scientific notation without the exponent's padding zero and plus sign."""
    if not math.isfinite(value) or value == 0:
        return fmt(value, digits)
    mantissa, exponent = f"{value:.{max(0, digits - 1)}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


@lru_cache(maxsize=1 << 16)
def narrowest(value: float) -> int:
    """The fewest characters ``value`` can be written in, correctly rounded (one significant digit)."""
    return min(len(fmt(value, 1)), len(short_exponent(value, 1)))


def fits(value: float, digits: int, width: int) -> bool:
    """Does the full rendering fit?"""
    return len(fmt(value, digits)) <= width
