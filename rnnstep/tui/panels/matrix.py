"""Vectors and matrices as small aligned grids on a diverging colour scale (SPEC §7 on screen).

A cell's background runs from blue (negative) through none (zero) to red (positive),
its strength the entry's size against the grid's ``scale``; the foreground is chosen
against that background, so a grid reads the same on a dark or a light theme. The
sign and the size are in the text too: every number is written out (whole, or
correctly rounded to the cell's width, never cut), large entries are bold and exact
zeros dim — which is what is left when colours are off (``NO_COLOR``).

Numbers are written by the screen's one formatter, ``numbers.fit`` (compact: a
narrow cell may take -6e-3 for -0.006). A grid too big for its box shows a window of rows and columns (around ``focus``)
with the count of those left out, and a one-line summary can stand for it.
Pure functions of numbers, widths and heights: no tape, no Textual.
"""

from __future__ import annotations

from contextvars import ContextVar

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rich.text import Span, Text

from ... import notation as nt
from ... import numbers as nb

BAD = "bold white on red"  # inf or nan
# (background, foreground) by level 1 … 4 of |value| / scale; ColorBrewer RdBu
POSITIVE = (("#fddbc7", "#000000"), ("#f4a582", "#000000"), ("#d6604d", "#ffffff"), ("#b2182b", "#ffffff"))
NEGATIVE = (("#d1e5f0", "#000000"), ("#92c5de", "#000000"), ("#4393c3", "#ffffff"), ("#2166ac", "#ffffff"))
MARK = "▸"  # before an entry the current term changes


def narrowest(values) -> int:
    """The narrowest cell every value still fits in, correctly rounded to one significant digit."""
    flat = np.asarray(values, dtype=float).ravel().tolist()
    return max((nb.narrowest(v) for v in flat), default=1)


@lru_cache(maxsize=1 << 16)
def _fmt(value: float, digits: int) -> str:
    """``fmt``'s rendering with one exponent spelling: a grid's narrow cells take the short form (-1e-7),
    so a whole rendering is written the same way (3e-7, not 3e-07 beside it); the digits are fmt's."""
    return _short_spelling(nt.fmt(value, digits))


def near(text: str, bounds: tuple[float, ...]) -> str:
    """``≈1`` for a printed ``1`` when 1 is one of ``bounds``: a value that is never exactly a bound (a σ
    gate in (0, 1), a tanh gate in (−1, 1)) but rounds to it is written so the reader sees it is rounded."""
    if bounds and text in ("1", "0", "-1") and float(text) in bounds:
        return "≈" + text
    return text


def _short_spelling(text: str) -> str:
    """-4e-07 as -4e-7: the same number, in the spelling of a narrow cell."""
    if "e" not in text or text in ("inf", "-inf", "nan"):
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def scale_of(*arrays) -> float:
    """The largest finite |entry| of the arrays (1 when there is none): a shared colour scale."""
    biggest = 0.0
    for a in arrays:
        a = np.abs(np.asarray(a, dtype=float))
        finite = a[np.isfinite(a)]
        if finite.size:
            biggest = max(biggest, float(finite.max()))
    return biggest or 1.0


def level(value: float, scale: float) -> int:
    """0 … 4: how strongly an entry is coloured (0: exactly zero or under 1/20 of the scale)."""
    size = abs(value) / scale
    if size < 0.05:
        return 0
    return min(4, math.ceil(size * 4))


def entry_style(value: float, scale: float) -> str:
    """The diverging style of one entry: a background by sign and size, bold when large, dim at 0."""
    if not math.isfinite(value):
        return BAD
    if value == 0:
        return "dim"
    lv = level(value, scale)
    if lv == 0:
        return ""
    background, foreground = (POSITIVE if value > 0 else NEGATIVE)[lv - 1]
    return f"{'bold ' if lv >= 3 else ''}{foreground} on {background}"


def number_width(values, digits: int) -> int:
    """The width the full ``--digits`` rendering of every value needs."""
    flat = np.asarray(values, dtype=float).ravel().tolist()
    return max((len(_fmt(v, digits)) for v in flat), default=1)


@dataclass
class Block:
    """A labelled rectangle of text lines: what hstack lays side by side."""

    lines: list[Text]
    label: Text | None = None
    footer: Text | None = None
    width: int = field(init=False)

    def __post_init__(self) -> None:
        parts = self.lines + [t for t in (self.label, self.footer) if t is not None]
        self.width = max((t.cell_len for t in parts), default=0)

    def rows(self) -> list[Text]:
        out = ([self.label] if self.label is not None else []) + self.lines
        return out + ([self.footer] if self.footer is not None else [])


@dataclass
class Window:
    """Which rows and columns of a matrix a grid shows."""

    rows: range
    cols: range
    shape: tuple[int, int]

    @property
    def whole(self) -> bool:
        return len(self.rows) == self.shape[0] and len(self.cols) == self.shape[1]


#: the first row a grid too tall for its box shows (the debugger's ⇧↓ ⇧↑ move it): set by the vector
#: panels from View.grid_row for the time of one drawing, so the many grids of a step need not pass it
ROW_FOCUS: ContextVar[int] = ContextVar("row_focus", default=0)


def window(shape: tuple[int, int], max_rows: int, max_cols: int, focus: tuple[int, int] = (0, 0)) -> Window:
    """At most max_rows × max_cols of a matrix, starting at ``focus`` (row, col) where the rest still fills
    the box (so the window slides to the last rows, never past them)."""
    def span(count: int, most: int, at: int) -> range:
        most = max(1, most)
        if count <= most:
            return range(count)
        start = max(0, min(at, count - most))
        return range(start, start + most)

    return Window(span(shape[0], max_rows, focus[0]), span(shape[1], max_cols, focus[1]), shape)


def grid(M, digits: int, *, width: int | None = None, height: int | None = None, scale: float | None = None,
         marks=None, focus: tuple[int, int] | None = None, hidden: bool = False, cell: int | None = None,
         bounds: tuple[float, ...] = ()) -> list[Text]:
    """A matrix (or a vector as one column) as aligned, coloured rows: ``[ 0.12  -0.4 ]``.

    ``width``/``height`` bound the grid (brackets included); numbers are rounded to fit
    a narrower cell, and a matrix that still does not fit shows a window of it (rows and
    columns left out are counted). ``marks`` is a boolean array of the same shape:
    entries marked with ▸ and underlined. ``hidden`` shows every entry as "?". ``cell`` fixes the
    number width (so that two grids' columns line up). ``bounds``: values the entries never equal (a
    gate's open interval): an entry that prints as one of them is written ``≈1`` (``near``).
    """
    M = np.asarray(M, dtype=float)
    if M.ndim < 2:
        M = M.reshape(-1, 1)
    rows_n, cols_n = M.shape
    focus = (ROW_FOCUS.get(), 0) if focus is None else focus
    scale = scale_of(M) if scale is None else scale
    marks = np.zeros(M.shape, dtype=bool) if marks is None else np.asarray(marks, dtype=bool).reshape(M.shape)
    # one column before each cell (a space); two where entries are marked, " ▸", so that a mark is
    # never glued between two numbers (0.05614▸0.01605 reads like an operator)
    gutter = 2 if marks.any() else 1
    fixed = cell is not None
    texts = [[near(_fmt(v, digits), bounds) for v in row] for row in M.tolist()]  # the full renderings, made once
    full = max(len(t) for row in texts for t in row) if cell is None else cell
    cell = full
    max_rows = rows_n if height is None else max(1, height - 1)  # keep a line to say what is left out
    if height is not None and rows_n <= height:
        max_rows = rows_n
    if width is not None:
        room = width - 3  # "[" … " ]"; each cell takes its gutter and its number
        cols_fit = max(1, room // (cell + gutter))
        if cols_fit < cols_n and not fixed:  # round the numbers to fit before leaving columns out
            cell = max(min(full, narrowest(M)), room // cols_n - gutter)
        cell = max(1, min(cell, room - gutter))  # one column always fits ("…" for a number that cannot)
        cols_fit = max(1, room // (cell + gutter))
        max_cols = min(cols_n, cols_fit)
    else:
        max_cols = cols_n
    win = window((rows_n, cols_n), max_rows, max_cols, focus)
    lines: list[Text] = []
    values = M.tolist()
    for r, i in enumerate(win.rows):
        left, right = _brackets(r, len(win.rows))
        # the row as one string and its spans: far cheaper than a Text.append per cell
        parts, spans, at = [left], [Span(0, 1, "dim")], 1
        for j in win.cols:
            value = values[i][j]
            mark = bool(marks[i, j])
            if hidden:
                text, style = "?", "bold cyan"
            else:
                text = texts[i][j] if len(texts[i][j]) <= cell else nb.fit(value, digits, cell, compact=True)
                text = near(_short_spelling(text), bounds) if text is not None else "…"
                style = (entry_style(value, scale) + (" underline" if mark else "")).strip()
            pad = gutter + cell - len(text)  # the mark sits just before its own number
            parts.append(" " * (pad - 1) + (MARK if mark else " ") + text)
            if mark:
                spans.append(Span(at + pad - 1, at + pad, "bold"))
            if style:
                spans.append(Span(at + (pad if mark else gutter), at + gutter + cell, style))  # not over the mark
            at += gutter + cell
        parts.append(" " + right)
        spans.append(Span(at, at + 2, "dim"))
        lines.append(Text("".join(parts), spans=spans))
    left_out = []
    if len(win.rows) < rows_n:
        left_out.append(f"rows {win.rows.start + 1}–{win.rows.stop} of {rows_n}")
    if len(win.cols) < cols_n:
        left_out.append(f"cols {win.cols.start + 1}–{win.cols.stop} of {cols_n}")
    if left_out:
        note = ", ".join(left_out)
        for text in (note, f"part of {rows_n}×{cols_n}", f"{rows_n}×{cols_n}", "⋯"):
            if width is None or len(text) <= width:
                lines.append(Text(text, style="dim"))
                break
    return lines


def _brackets(row: int, count: int) -> tuple[str, str]:
    """[ … ] for one row; ⎡ ⎢ ⎣ … ⎤ ⎥ ⎦ for several."""
    if count == 1:
        return "[", "]"
    if row == 0:
        return "⎡", "⎤"
    if row == count - 1:
        return "⎣", "⎦"
    return "⎢", "⎥"


def summary(M, digits: int, width: int | None = None) -> Text:
    """One line for a matrix that does not fit: its shape, ‖·‖ (Frobenius) and largest |entry|.

    Narrower than ``width`` by whole parts (the shape, then the largest entry's place, then the
    largest entry), never by cutting a number."""
    M = np.asarray(M, dtype=float)
    shape = "×".join(str(s) for s in M.shape) if M.ndim == 2 else f"{M.size}-vector"  # a bare 3 reads as a value
    with np.errstate(all="ignore"):
        norm = float(np.linalg.norm(M)) if np.isfinite(M).all() else float("nan")
    parts = {"shape": Text(f"{shape}  ", style="dim"),
             "norm": Text("‖·‖ = ", style="dim").append(nt.fmt(norm, digits), style=BAD if not math.isfinite(norm) else "")}
    if M.size:
        flat = np.where(np.isfinite(M), np.abs(M), np.inf).ravel()
        at = np.unravel_index(int(np.argmax(flat)), M.shape)
        where = ",".join(str(int(i) + 1) for i in at)
        value = abs(float(M[at]))  # max |·| is a size: the entry's sign is in the grid, not in this label
        number = (nt.fmt(value, digits), entry_style(value, scale_of(M)))
        parts["max at"] = Text(f"  max |·| at [{where}] = ", style="dim").append(*number)
        parts["max"] = Text("  max |·| ", style="dim").append(*number)
    for keep in (("shape", "norm", "max at"), ("norm", "max at"), ("norm", "max"), ("norm",)):
        out = Text()
        for part in keep:
            if part in parts:
                out.append_text(parts[part])
        if width is None or out.cell_len <= width:
            return out
    return out


def hstack(blocks: list[Block | str | Text], width: int, gap: int = 1) -> list[Text]:
    """Blocks side by side, top-aligned, wrapped onto a new band when the next would pass ``width``.

    A str or Text between blocks is an operator (=, +, ·, →) drawn on the blocks' middle row.
    Nothing is ever cut: a block wider than ``width`` gets a band of its own.
    """
    bands: list[list[Block | Text]] = [[]]
    used = 0
    for item in blocks:
        piece = Text(item) if isinstance(item, str) else item
        w = piece.width if isinstance(piece, Block) else piece.cell_len
        if bands[-1] and used + gap + w > width:
            # an operator starts the next band rather than dangling at the end of this one
            carry = bands[-1].pop() if bands[-1] and not isinstance(bands[-1][-1], Block) else None
            bands.append([carry] if carry is not None else [])
            used = carry.cell_len if carry is not None else 0
        used += (gap if bands[-1] else 0) + w
        bands[-1].append(piece)
    out: list[Text] = []
    for band in bands:
        if not band:
            continue
        height = max((len(p.rows()) if isinstance(p, Block) else 1) for p in band)
        middle = _middle(band)
        lines = [Text() for _ in range(height)]
        for n, piece in enumerate(band):
            if isinstance(piece, Block):
                rows, w = piece.rows(), piece.width
            else:
                rows, w = [Text(" ") for _ in range(middle)] + [piece], piece.cell_len
            for y in range(height):
                if n:
                    lines[y].append(" " * gap)
                row = rows[y] if y < len(rows) else Text()
                lines[y].append_text(row)
                lines[y].append(" " * (w - row.cell_len))
        for line in lines:
            line.rstrip()
        out += lines
    return out


def _middle(band: list) -> int:
    """The row operators sit on: the middle row of the first block's grid (under its label)."""
    for piece in band:
        if isinstance(piece, Block):
            top = 1 if piece.label is not None else 0
            return top + (len(piece.lines) - 1) // 2
    return 0


def label(text: str, style: str = "bold") -> Text:
    return Text(text, style=style)
