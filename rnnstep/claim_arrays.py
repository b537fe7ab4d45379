"""Claims of a vector scenario (SPEC §7): one entry, or a whole vector or matrix at once.

A worked example states ``"gradients.w.total[1,1]" = "0.00034735"`` (one entry) or
a whole array under the id without its component index, in either of two ways:

* a TOML array in the value's shape, of strings (so the printed digits are kept)
  or numbers: ``"gradients.w_prime.total" = [["0.1", "0.2"], ["0.3", "0.4"]]``,
  ``"forward.O[2]" = ["0.53", "-0.12"]``;
* one string, entries separated by spaces or commas and rows by ``;``, as a drill
  answer is typed: ``"gradients.w_prime.total" = "0.1 0.2; 0.3 0.4"``.

A matrix with one row or one column may be written flat (``["0.1", "0.2"]`` for a
2×1 W). Each entry becomes one claim, ``id[i,j]``, remembering the whole id it
came from. Every mistake is one line naming the key, the shape found and the
shape expected (``found 2×3, expected 2×2: ∂L/∂W′ is n×n, n = 2``).
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from . import ids

_SIZE_NAMES = ("n", "m", "q")


def _shape_text(shape: tuple) -> str:
    if len(shape) == 2:
        return "×".join(map(str, shape))
    return f"a list of {shape[0]} number{'s' if shape[0] != 1 else ''}"


def expected_text(vid: ids.ValueId, sizes: tuple[int, int, int]) -> str:
    """"2×2 (n×n, n = 2)", "a list of 3 numbers (n = 3)"."""
    shape = ids.value_shape(vid, sizes)
    symbolic = ids.value_shape(vid, ids.Sizes(_SIZE_NAMES, ids.cell_of(sizes)))  # written with n, m and q (4n …)
    used = list(dict.fromkeys(name[-1] for name in symbolic if isinstance(name, str) and name[-1:] in _SIZE_NAMES))  # in the order they appear
    values = ", ".join(f"{name} = {sizes[_SIZE_NAMES.index(name)]}" for name in used)
    if len(shape) == 1:
        return f"{_shape_text(shape)} ({values})"
    return f"{_shape_text(shape)} ({'×'.join(map(str, symbolic))}{', ' if values else ''}{values})"


def _found_text(rows: list[list[Any]], flat: bool) -> str:
    if flat:
        return f"{len(rows[0])} number{'s' if len(rows[0]) != 1 else ''} in one row"
    widths = {len(r) for r in rows}
    return f"{len(rows)}×{widths.pop() if len(widths) == 1 else '?'}"


_SPLIT = re.compile(r"[\s,]+")


def _rows_of(value: Any) -> tuple[list[list[Any]], bool] | None:
    """The value as rows of entries and whether it was written flat; None if not an array."""
    if isinstance(value, str):
        rows = [[e for e in _SPLIT.split(row.strip()) if e] for row in value.split(";")]
        if len(rows) > 1 and not rows[-1]:
            rows = rows[:-1]  # a trailing ";"
        return rows, len(rows) == 1
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            return [list(v) for v in value], False
        if any(isinstance(v, list) for v in value):
            return None
        return [list(value)], True
    return None


def _fit(rows: list[list[Any]], flat: bool, shape: tuple[int, ...]) -> list[tuple[tuple[int, ...], Any]] | None:
    """(component from 1, raw entry) in row order, or None when the rows do not fit the shape."""
    if len(shape) == 1:
        (n,) = shape
        if flat and len(rows[0]) == n:
            return [((i + 1,), v) for i, v in enumerate(rows[0])]
        if len(rows) == n and all(len(r) == 1 for r in rows):  # written as a column
            return [((i + 1,), r[0]) for i, r in enumerate(rows)]
        return None
    R, C = shape
    if not flat and len(rows) == R and all(len(r) == C for r in rows):
        return [((i + 1, j + 1), v) for i, r in enumerate(rows) for j, v in enumerate(r)]
    if flat and (R == 1 or C == 1) and len(rows[0]) == R * C:  # one row or one column, written flat
        return [((i + 1, 1) if C == 1 else (1, i + 1), v) for i, v in enumerate(rows[0])]
    return None


def number_text(value: Any, fail: Callable[[str], Exception]) -> tuple[float, str]:
    """A stated number and its printed text: a string keeps its digits (ASCII decimal, stated.py), a TOML
    number is written with repr; one too large or too small for a float64 is refused, never read as ±inf or 0."""
    from .stated import NotDecimal, read_decimal

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise fail(f"expected a number or a number written as a string, found {_describe(value)}")
    if isinstance(value, str):
        try:
            return read_decimal(value), value.strip()
        except NotDecimal as exc:
            raise fail(str(exc)) from None
    if getattr(value, "text", None) is not None:  # a TOML float that underflowed (scenario._Underflowed)
        raise fail(f"{value.text} is too small for a float64: it would read as 0 (the smallest is about 5e-324)")
    try:
        number = float(value)
    except OverflowError:
        raise fail(f"expected a finite number, found {_describe(value)}, too large for a float64") from None
    if not math.isfinite(number):
        raise fail(f"expected a finite number, found {number!r}")
    return number, repr(number)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value if len(value) <= 30 else value[:27] + '…'!r}"
    if isinstance(value, int) and abs(value) >= 10**30:
        return f"an integer of {len(str(abs(value)))} digits"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def vector_claim(vid: ids.ValueId, value: Any, sizes: tuple[int, int, int],
                 fail: Callable[[str, str], Exception], where: str) -> list[tuple[str, float, str, str]]:
    """The claims one key of a vector scenario's [claims] states: (entry id, value, text, whole id or "").

    ``fail(where, message)`` makes the one-line error."""
    shape = ids.value_shape(vid, sizes)
    if vid.component or not shape:  # one number
        if isinstance(value, list):
            what = f"{vid.whole} is one number" if not shape else f"{vid} is one entry of {vid.whole}"
            raise fail(where, f"found an array, expected one number: {what}")
        number, text = number_text(value, lambda message: fail(where, message))
        return [(str(vid), number, text, "")]
    found = _rows_of(value)
    expected = expected_text(vid, sizes)
    how = (f"state one entry as \"{vid}[{','.join('ij'[:len(shape)])}]\" or the whole "
           f"{'matrix as rows' if len(shape) == 2 else 'vector'}, e.g. {_example(shape)}")
    if found is None:
        if isinstance(value, list):
            raise fail(where, f"mixes numbers and lists: expected {expected}; {how}")
        raise fail(where, f"found {_describe(value)}, expected {expected}; {how}")
    rows, flat = found
    entries = _fit(rows, flat, shape)
    if entries is None:
        found_text = "one number" if flat and len(rows[0]) == 1 else _found_text(rows, flat)
        raise fail(where, f"found {found_text}, expected {expected}; {how}")
    out = []
    for component, raw in entries:
        entry = ids.ValueId(vid.group, vid.name, vid.param, vid.index, component)
        label = f"{where}[{']['.join(str(c) for c in component)}]"
        number, text = number_text(raw, lambda message, label=label: fail(label, message))
        out.append((str(entry), number, text, str(vid)))
    return out


def _example(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return "[" + ", ".join('"0.1"' for _ in range(min(shape[0], 3))) + (", …" if shape[0] > 3 else "") + "]"
    R, C = shape
    row = "[" + ", ".join('"0.1"' for _ in range(min(C, 3))) + (", …" if C > 3 else "") + "]"
    return "[" + ", ".join(row for _ in range(min(R, 2))) + (", …" if R > 2 else "") + "]"
