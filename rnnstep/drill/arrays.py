"""Answers that are whole vectors or matrices (SPEC §7): read one line, check its shape, grade it entry by entry.

An answer is one line: entries separated by spaces or commas, matrix rows by ``;``
(``0.1 0.2; 0.3 0.4``). Brackets as in a scenario file or numpy's print-out are
also read (``[[0.1, 0.2], [0.3, 0.4]]``, ``[0.1 0.2]``). A vector may be typed as
a row or as a column (``0.1; 0.2``), and a matrix with one row or one column as a
flat list: its entries are in the same order either way.

Every mistake is an ``AnswerError`` with one sentence saying what was expected.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .. import notation as nt
from ..stated import NotDecimal, read_decimal
from .grading import is_right

_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$", re.ASCII)


class AnswerError(ValueError):
    """Not an answer: ``str(error)`` is one line for the learner."""


class ShapeError(AnswerError):
    """Numbers, but not as many (or not in the rows) the question asks for."""


def shape_text(shape: tuple[int, ...]) -> str:
    """2×2, a row of 3 numbers, one number."""
    if not shape:
        return "one number"
    if len(shape) == 1:
        return f"{shape[0]} number{'s' if shape[0] != 1 else ''}"
    return f"{shape[0]}×{shape[1]}"


def how_to_type(shape: tuple[int, ...]) -> str:
    """What the question tells the learner to type: `2×2, rows separated by ;`."""
    if not shape:
        return "one number"
    if len(shape) == 1:
        return shape_text(shape) if shape[0] > 1 else "one number"
    rows, cols = shape
    if rows == 1 or cols == 1:
        return f"{rows}×{cols}: {rows * cols} number{'s' if rows * cols != 1 else ''}"
    return f"{rows}×{cols}, rows separated by ;"


def parse_rows(text: str) -> list[list[float]]:
    """The rows of numbers in ``text``; AnswerError names the first thing that is not a number."""
    cleaned = text.strip().lower().replace("−", "-").replace("\u00a0", " ")
    if not cleaned:
        raise AnswerError("an empty answer")
    if "[" in cleaned or "]" in cleaned:
        cleaned = _unbracket(cleaned)
    pieces = cleaned.split(";")
    while len(pieces) > 1 and not pieces[-1].strip():  # a trailing ";" is harmless
        pieces.pop()
    rows: list[list[float]] = []
    for number, piece in enumerate(pieces, start=1):
        entries = [e for e in re.split(r"[\s,]+", piece.strip()) if e]
        if re.search(r",\s*,", piece):
            raise AnswerError("two commas with no number between them")
        if not entries:
            raise AnswerError(f"row {number} is empty" if len(pieces) > 1 else "an empty answer")
        row = []
        for entry in entries:
            if not _NUMBER.match(entry):
                raise AnswerError(f"{entry[:20]!r} is not a number")
            try:  # 1e999, inf, nan, 1e-400 (read as 0): junk, asked again (never graded as a value)
                value = read_decimal(entry)
            except NotDecimal:
                raise AnswerError(f"{entry[:20]!r} is not a finite number a float64 can hold") from None
            row.append(value)
        rows.append(row)
    return rows


def _unbracket(text: str) -> str:
    """[[1, 2], [3, 4]] and [[1 2] [3 4]] -> 1, 2; 3, 4 ; [1, 2] -> 1, 2."""
    if text.count("[") != text.count("]"):
        raise AnswerError("the brackets do not match")
    inner = text.strip()
    while inner.startswith("[") and inner.endswith("]") and _outer_pair(inner):
        inner = inner[1:-1].strip()
    if "[" not in inner:
        return inner
    rows = re.findall(r"\[([^\[\]]*)\]", inner)
    rest = re.sub(r"\[[^\[\]]*\]", " ", inner)
    if "[" in rest or "]" in rest or rest.replace(",", " ").strip():
        raise AnswerError("brackets nest too deep: write a matrix as rows separated by ;")
    return ";".join(rows)


def _outer_pair(text: str) -> bool:
    """Does the first [ close at the last character?"""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "["
        depth -= ch == "]"
        if depth == 0:
            return i == len(text) - 1
    return False


def fit_shape(rows: list[list[float]], shape: tuple[int, ...]) -> np.ndarray | float:
    """The rows as an array of ``shape`` (a float for ``()``), or AnswerError saying what was typed."""
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        first = len(rows[0])
        for i, row in enumerate(rows[1:], start=2):
            if len(row) != first:
                raise ShapeError(f"row {i} has {len(row)} number{'s' if len(row) != 1 else ''}, row 1 has {first}"
                                 f"; expected {how_to_type(shape)}")
    count = sum(len(r) for r in rows)
    flat = [v for r in rows for v in r]
    size = math.prod(shape)
    single_line = len(rows) == 1
    column = all(len(r) == 1 for r in rows)
    if not shape:
        if count == 1:
            return flat[0]
    elif len(shape) == 1:
        if count == size and (single_line or column):
            return np.array(flat, dtype=np.float64)
    else:
        r, c = shape
        if len(rows) == r and widths == {c}:
            return np.array(rows, dtype=np.float64)
        if count == size and (r == 1 or c == 1) and (single_line or column):
            return np.array(flat, dtype=np.float64).reshape(shape)
    raise ShapeError(f"you typed {_typed(rows)}; expected {how_to_type(shape)}")


def _typed(rows: list[list[float]]) -> str:
    count = sum(len(r) for r in rows)
    if len(rows) == 1:
        return f"{count} number{'s' if count != 1 else ''}"
    return f"{len(rows)} rows of {len(rows[0])}"


def read_array(text: str, shape: tuple[int, ...]) -> np.ndarray | float:
    """One line typed by the learner, as a value of ``shape``; AnswerError otherwise."""
    return fit_shape(parse_rows(text), shape)


def wrong_entries(answer, value, rtol: float, atol: float) -> list[tuple[tuple[int, ...], float, float]]:
    """(index from 0, right value, answer) of every entry outside the tolerance, in row order."""
    a = np.asarray(answer, dtype=np.float64)
    v = np.asarray(value, dtype=np.float64)
    out = []
    for index in np.ndindex(v.shape):
        if not is_right(float(a[index]), float(v[index]), rtol, atol):
            out.append((index, float(v[index]), float(a[index])))
    return out


def entry_name(index: tuple[int, ...]) -> str:
    """[1,2]: the entry as the ids' component index (from 1)."""
    return "[" + ",".join(str(i + 1) for i in index) + "]"


def array_text(value, digits: int = 6, limit: int | None = None) -> str:
    """An array as the learner types it: ``0.1 0.2; 0.3 0.4`` (a number as itself). With ``limit``,
    an array of more entries is written as its shape alone (a 64×64 matrix is no hint)."""
    v = np.asarray(value, dtype=np.float64)
    if v.ndim == 0:
        return nt.fmt(float(v), digits)
    if limit is not None and v.size > limit:
        return f"({shape_text(v.shape)})"
    if v.ndim == 1:
        return " ".join(nt.fmt(float(x), digits) for x in v)
    return "; ".join(" ".join(nt.fmt(float(x), digits) for x in row) for row in v)


def bracketed(value, digits: int = 6, limit: int | None = 36, name: str = "") -> str:
    """An array inside a formula: ``[0.1 0.2; 0.3 0.4]``; past ``limit`` entries, ``name`` (or its shape)."""
    v = np.asarray(value, dtype=np.float64)
    if v.ndim == 0:
        return nt.operand(float(v), digits)
    if limit is not None and v.size > limit:
        return name or f"({shape_text(v.shape)})"
    return "[" + array_text(v, digits) + "]"
