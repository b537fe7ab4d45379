"""Matrix equations laid out to fit the page (vector scenarios' Markdown and LaTeX, SPEC §7).

An equation is a left-hand side and a chain of right-hand sides (``= …``), each
made of atoms: a symbol, a number, a matrix. Widths are estimated in points of
Computer Modern 10 pt (the same estimates as the one-unit LaTeX writer), and a
display is set on one line when it fits, otherwise one ``= …`` per line, with
a part that is still too wide continued on the next line. A matrix wider than a
line is written in column blocks, the bracket left open on the first block and
closed on the last, and a matrix taller than ``ROWS`` rows in row blocks the
same way (a display cannot break across pages), so no number runs off the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from .latex import _number_width, _width
from .numbers import latex_number

PAGE = 480.0  # pt: 17.6 cm of text (letter paper, 2 cm margins) is ~500 pt; a little to spare
ROWS = 24  # rows of one block: a display cannot break across pages
_COLSEP = 10.0  # \arraycolsep on both sides of a column
_BRACKETS = 14.0  # the two brackets and the space inside them
_REL = 16.0  # " = " with its spaces
_GAP = 24.0  # ",\quad " between equations on one line


@dataclass(frozen=True)
class Atom:
    tex: str
    width: float


@lru_cache(maxsize=65536)  # the same symbols recur from term to term
def symbol(tex: str, width: float | None = None) -> Atom:
    """A formula piece; its width estimated from its \\frac parts and letters unless given."""
    if width is None:
        width = sum(_width(part) for part in tex.split(r"\,") if part.startswith(r"\frac")) or 6.5 * len(tex) * 0.5
    return Atom(tex, width)


def number(x: float, digits: int) -> Atom:
    text = latex_number(float(x), digits)
    return Atom(text, _number_width(text))


@dataclass(frozen=True)
class Grid(Atom):
    """A matrix (or a vector written as a row) that ``lay_out`` splits into blocks when a line is too narrow."""

    texts: tuple[tuple[str, ...], ...] = ()
    columns: tuple[float, ...] = ()  # each column's width with its separation
    suffix: str = ""
    labels: str = "rows"  # "rows" for a matrix, "entries" for a vector

    def blocks(self, room: float) -> list[Atom]:
        """Blocks of at most ROWS rows and as many columns as fit ``room``, the bracket open until the last."""
        rows = len(self.texts)
        label_width = 3.6 * len(self._label(0, min(ROWS, rows), 0, len(self.columns), rows))
        spans, start, used = [], 0, 0.0
        for c, w in enumerate(self.columns):
            if c > start and used + w + _BRACKETS + label_width > room:
                spans.append((start, c))
                start, used = c, 0.0
            used += w
        spans.append((start, len(self.columns)))
        blocks = [(r0, min(r0 + ROWS, rows), c0, c1) for r0 in range(0, rows, ROWS) for c0, c1 in spans]
        atoms = []
        for n, (r0, r1, c0, c1) in enumerate(blocks):
            label = rf"\text{{\scriptsize {self._label(r0, r1, c0, c1, rows)}:}}\ "
            left = r"\left[" if n == 0 else r"\left."
            right = r"\right]" + self.suffix if n == len(blocks) - 1 else r"\right."
            atoms.append(Atom(label + left + r"\begin{matrix} " + _body(self.texts[r0:r1], c0, c1) +
                              r" \end{matrix}" + right, sum(self.columns[c0:c1]) + _BRACKETS + label_width))
        return atoms

    def _label(self, r0: int, r1: int, c0: int, c1: int, rows: int) -> str:
        columns = f"{c0 + 1}--{c1}" if c1 > c0 + 1 else f"{c1}"
        if self.labels == "entries":
            return f"entries {columns}"
        return (f"rows {r0 + 1}--{r1}, " if rows > ROWS else "") + f"columns {columns}"


def matrix(value, digits: int, transpose: bool = False) -> Grid | Atom:
    """A vector (written as a row, with ᵀ when ``transpose``: a column on its side), a matrix, or a number."""
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return number(float(value), digits)
    grid = value.reshape(1, -1) if value.ndim == 1 else value
    texts = tuple(tuple(latex_number(v, digits) for v in row) for row in grid.tolist())
    widths = [[5.2 * len(text) if "\\" not in text else _number_width(text) for text in row] for row in texts]
    columns = tuple(max(column) + _COLSEP for column in zip(*widths))
    suffix = "^{T}" if transpose and value.ndim == 1 else ""
    tex = r"\begin{bmatrix} " + _body(texts, 0, len(columns)) + r" \end{bmatrix}" + suffix
    return Grid(tex, sum(columns) + _BRACKETS + 6 * len(suffix), texts, columns, suffix,
                "rows" if value.ndim == 2 else "entries")


def transposed(row: Grid) -> Grid:
    """A vector written as a row, now with ᵀ (a column on its side): the same text, formatted once."""
    return replace(row, tex=row.tex + "^{T}", width=row.width + 24, suffix="^{T}")


def _body(texts: list[list[str]], c0: int, c1: int) -> str:
    return r" \\ ".join(" & ".join(row[c0:c1]) for row in texts)


@dataclass
class Equation:
    """``lhs = part = part …``; each part a list of atoms set side by side."""

    lhs: Atom
    parts: list[list[Atom]] = field(default_factory=list)
    relation: str = "="
    #: a part's own relation where it is not ``relation`` (\\approx: its printed inputs give other last digits)
    relations: dict[int, str] = field(default_factory=dict)

    def eq(self, *atoms: Atom, relation: str | None = None) -> "Equation":
        if relation is not None and relation != self.relation:
            self.relations[len(self.parts)] = relation
        self.parts.append(list(atoms))
        return self

    def relation_of(self, part: int) -> str:
        return self.relations.get(part, self.relation)

    @property
    def width(self) -> float:
        return self.lhs.width + sum(_REL + sum(a.width for a in part) + 4 * (len(part) - 1) for part in self.parts)

    def inline(self) -> str:
        return self.lhs.tex + "".join(f" {self.relation_of(n)} " + " ".join(a.tex for a in part)
                                      for n, part in enumerate(self.parts))


def lay_out(equations: list[Equation], aligned: bool) -> str:
    """The body of one display: every equation on one line when they fit, else one part per line.

    ``aligned`` gives rows for ``\\begin{aligned}`` (inside $$ … $$) rather than for ``align*``;
    the row text is the same, so one layout serves Markdown and LaTeX.
    """
    tall = any(isinstance(a, Grid) and len(a.texts) > ROWS for e in equations for part in e.parts for a in part)
    if not tall and sum(e.width for e in equations) + _GAP * (len(equations) - 1) <= PAGE:
        return r",\quad ".join(e.inline() for e in equations)
    indent = max(e.lhs.width for e in equations) + _REL
    room = PAGE - indent
    rows: list[str] = []
    for e in equations:
        line: list[str] = []
        used = 0.0
        start = e.lhs.tex + " &"
        for n, part in enumerate(e.parts):
            lead = f"{e.relation_of(n)} "
            if line:
                rows.append(start + " ".join(line))
                start, line, used = "&", [], 0.0
            line.append(lead)
            pieces = [b for a in part for b in (a.blocks(room) if isinstance(a, Grid) and
                                                (a.width > room or len(a.texts) > ROWS) else [a])]
            for atom in pieces:
                if used and used + atom.width > room:
                    rows.append(start + " ".join(line))
                    start, line, used = r"&\quad", [], 0.0
                line.append(atom.tex)
                used += atom.width + 4
        rows.append(start + " ".join(line))
    body = " \\\\\n".join(rows)
    return (r"\begin{aligned}" + "\n" + body + "\n" + r"\end{aligned}") if aligned else body
