"""The trace of a vector scenario (SPEC §7) as tables for the terminal, fitted to a width.

Vectors print inline, matrices as aligned blocks of rows. Each term is shown by
what makes it: δ(t,k) (∂ℓ_t/∂a_k along one path), the vector it is multiplied
with (O_{k−1}, x_k or O_t) and ‖term‖ — the term itself is the outer product
δᵀ·inputᵀ, and the totals and updated weights are printed whole as matrices.

Every line fits ``width`` columns (80 in a file or a pipe, the terminal's width
on a terminal): a vector that does not fit its column wraps between its numbers,
a matrix too wide is printed a few columns at a time, and a table that cannot fit
even with one number per line is printed as one block per row — a number is
never folded or cut (a lone number wider than the width is the only overflow).
"""

from __future__ import annotations

import math
import textwrap
from typing import Callable, Iterable, Iterator

import numpy as np

from .. import notation as nt
from ..tape import Tape
from ..usertext import shown, shown_line
from .paint import Paint, cell_len, plain

_INPUT = {"w_prime": "O_{k−1}", "w": "x_k", "b": "", "w_out": "O_t", "b_out": "", "b_prime": ""}
_SYMBOL = nt.MATRIX_SYMBOL["unicode"]

# a cell: (vector?, atoms, style) — a vector's atoms are its numbers, written [a, b, c] and wrapped
# between them; a text's atoms are its words, wrapped between them
Cell = tuple[bool, tuple[str, ...], str]


def vector_text(v, digits: int) -> str:
    return "[" + ", ".join(nt.fmt(float(x), digits) for x in np.ravel(v)) + "]"


def _pieces(cell: Cell) -> list[str]:
    vector, atoms, _ = cell
    if not vector:
        return list(atoms)
    if not atoms:
        return ["[]"]
    last = len(atoms) - 1
    return [("[" if i == 0 else "") + a + ("]" if i == last else ",") for i, a in enumerate(atoms)]


def wrap_cell(cell: Cell, width: int) -> list[str]:
    """The cell's lines, none wider than ``width`` unless one number alone is: broken only between atoms."""
    if _natural(cell) <= width:  # the common case: one line
        return [_joined(cell)]
    pieces = _pieces(cell)
    lead = " " if cell[0] else ""  # a vector's later lines start under its first number
    lines: list[str] = []
    line = pieces[0] if pieces else ""
    for piece in pieces[1:]:
        if cell_len(line) + 1 + cell_len(piece) <= width:
            line += " " + piece
        else:
            lines.append(line)
            line = lead + piece
    lines.append(line)
    return lines


def _joined(cell: Cell) -> str:
    return "[" + ", ".join(cell[1]) + "]" if cell[0] else " ".join(cell[1])


# a vector's atoms are formatted numbers (ASCII: len is their width); a text's words may be wider
def _natural(cell: Cell) -> int:
    """The cell's width on one line: [a, b, c] or the words joined by spaces."""
    vector, atoms, _ = cell
    if vector:
        return sum(map(len, atoms)) + 2 * len(atoms) if atoms else 2
    return sum(map(cell_len, atoms)) + len(atoms) - 1 if atoms else 0


def _least(cell: Cell) -> int:
    """The narrowest the cell can be: its widest atom (with a vector's bracket or comma and lead)."""
    vector, atoms, _ = cell
    if vector:
        return max(map(len, atoms)) + 2 if atoms else 2
    return max(map(cell_len, atoms), default=0)


def _text(text: str, style: str = "") -> Cell:
    return (False, tuple(text.split()), style)


def _value(v, digits: int) -> Cell:
    """A vector's or a number's cell, red when any entry is inf or nan (its text then ends in a letter)."""
    if np.ndim(v):
        texts = tuple([nt.fmt(x, digits) for x in np.ravel(v).tolist()])
        return (True, texts, "" if all(t[-1].isdigit() for t in texts) else "bold red")
    text = nt.fmt(float(v), digits)
    return (False, (text,), "" if text[-1].isdigit() else "bold red")


def wrap_text(text: str, width: int) -> list[str]:
    """Prose or a title wrapped between words (never inside a number or a formula)."""
    return textwrap.wrap(text, max(1, width), break_long_words=False, break_on_hyphens=False) or [""]


def _fit(natural: list[int], least: list[int], width: int) -> list[int] | None:
    """Column widths whose box fits ``width``: the widest columns narrowed first; None if none does."""
    widths = list(natural)
    excess = sum(widths) + 3 * len(widths) + 1 - width
    if excess <= 0:
        return widths
    if sum(least) + 3 * len(least) + 1 > width:
        return None
    while excess > 0:
        room = [w - m for w, m in zip(widths, least)]
        widest = max(w for w, r in zip(widths, room) if r > 0)
        for i, w in enumerate(widths):
            if w == widest and room[i] > 0 and excess > 0:
                widths[i] -= 1
                excess -= 1
    return widths


def fitted_grid(paint: Paint, title: str, headers: list[str], rows: Callable[[], Iterable[list[Cell]]],
                width: int, caption: Iterable[str] = (), left: tuple[int, ...] = (), keys: int = 1) -> Iterator[str]:
    """A boxed table no wider than ``width``, line by line; cells wrap between their numbers.

    ``rows()`` is called twice (to measure, then to print), so a long tape's table is never held
    whole. When the box cannot fit even with one number per line, each row is printed as a block:
    its first ``keys`` cells (t, k) on a line, then each other cell under its heading."""
    heads = [_text(h) for h in headers]
    natural = [_natural(h) for h in heads]
    least = [_least(h) for h in heads]
    for row in rows():
        for i, cell in enumerate(row):
            natural[i] = max(natural[i], _natural(cell))
            least[i] = max(least[i], _least(cell))
    for line in wrap_text(title, width):
        yield paint(line, "bold")
    widths = _fit(natural, least, width)
    if widths is None:
        yield from _blocks(paint, headers, rows, width, keys)
    else:
        bar = paint("│", "dim")

        def boxed(cells: list[Cell], header: bool = False) -> Iterator[str]:
            wrapped = [wrap_cell(cell, w) for cell, w in zip(cells, widths)]
            if paint is plain and all(len(lines) == 1 for lines in wrapped):  # the fast path: one line
                yield "│" + "│".join([f" {lines[0] + ' ' * (w - cell_len(lines[0]))} " if i in left
                                      else f" {' ' * (w - cell_len(lines[0])) + lines[0]} "
                                      for i, (lines, w) in enumerate(zip(wrapped, widths))]) + "│"
                return
            for j in range(max(map(len, wrapped))):
                parts = []
                for i, (lines, w) in enumerate(zip(wrapped, widths)):
                    text = lines[j] if j < len(lines) else ""
                    pad = " " * (w - cell_len(text))
                    text = text + pad if i in left else pad + text
                    parts.append(paint(f" {text} ", "bold" if header else cells[i][2]))
                yield bar + bar.join(parts) + bar

        yield paint("┌" + "┬".join("─" * (w + 2) for w in widths) + "┐", "dim")
        yield from boxed(heads, header=True)
        yield paint("├" + "┼".join("─" * (w + 2) for w in widths) + "┤", "dim")
        for row in rows():
            yield from boxed(row)
        yield paint("└" + "┴".join("─" * (w + 2) for w in widths) + "┘", "dim")
    for line in caption:
        yield paint(line, "bold")


def _blocks(paint: Paint, headers: list[str], rows: Callable[[], Iterable[list[Cell]]], width: int,
            keys: int) -> Iterator[str]:
    """One block per row, for a width too narrow for the box: every number still whole on its line."""
    for row in rows():
        yield paint(",  ".join(f"{h} = {' '.join(c[1])}" for h, c in zip(headers[:keys], row[:keys])), "bold")
        for header, cell in zip(headers[keys:], row[keys:]):
            yield f"  {header}"
            yield from (paint("    " + line, cell[2]) for line in wrap_cell(cell, width - 4))


def matrix_lines(M, digits: int, width: int = 10_000, indent: int = 2) -> list[str]:
    """A matrix as rows of right-aligned columns, [ 0.1  -0.25 ], each line indented and no wider than
    ``width``: a matrix too wide is printed a few columns at a time, each group headed by its columns."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    texts = [[nt.fmt(float(x), digits) for x in row] for row in M]
    widths = [max(len(row[j]) for row in texts) for j in range(M.shape[1])]
    groups: list[list[int]] = [[]]
    for j, w in enumerate(widths):
        group = groups[-1]
        if group and indent + 4 + sum(widths[i] + 2 for i in group) + w > width:
            groups.append([])
        groups[-1].append(j)
    lines = []
    for group in groups:
        if len(groups) > 1:
            lines.append(" " * indent + (f"column {group[0] + 1}" if len(group) == 1
                                         else f"columns {group[0] + 1}–{group[-1] + 1}"))
        for row in texts:
            lines.append(" " * indent + "[ " + "  ".join(row[j].rjust(widths[j]) for j in group) + " ]")
    return lines


def vector_table_lines(tape: Tape, digits: int = 6, paint: Paint = plain, width: int = 80) -> Iterator[str]:
    """The trace's tables line by line (without newlines; "" between parts), as table.table_lines, every
    line no wider than ``width``."""
    s = tape.scenario
    n, m, q = s.sizes
    for line in wrap_text(shown_line(s.name), width):
        yield paint(line, "bold underline")
    for line in wrap_text(f"hidden size n = {n}, input size m = {m}, outputs q = {q}, T = {tape.T}", width):
        yield paint(line, "bold")
    if s.description:
        for line in wrap_text(" ".join(shown(s.description).split()), min(80, width)):
            yield paint(line, "italic")
    c = lambda v: _value(v, digits)  # noqa: E731
    yield ""
    cell = getattr(tape, "cell", None)  # a gated cell (SPEC §8): its gates and c_t, its equations
    if cell is not None:
        lanes = [g for g in cell.GATES] + (["c"] if tape.c is not None else [])
        values = lambda t: [tape.gates[g][t - 1] for g in cell.GATES] + ([tape.c[t - 1]] if tape.c is not None else [])  # noqa: E731
        yield from fitted_grid(
            paint, "Forward pass   " + ",  ".join(cell.EQUATIONS),
            ["t", "x_t"] + [f"{g}_t" for g in lanes] + ["O_t"],
            lambda: ([_text(str(t)), c(tape.x[t - 1])] + [c(v) for v in values(t)] + [c(tape.O[t - 1])]
                     for t in range(1, tape.T + 1)),
            width, left=tuple(range(1, len(lanes) + 3)),
        )
    else:
        yield from fitted_grid(
            paint, f"Forward pass   a_t = W·x_t + W′·O_{{t−1}} + b,  O_t = {s.activation}(a_t)",
            ["t", "x_t", "a_t", "O_t"],
            lambda: ([_text(str(t)), c(tape.x[t - 1]), c(tape.a[t - 1]), c(tape.O[t - 1])] for t in range(1, tape.T + 1)),
            width, left=(1, 2, 3),
        )
    yield ""
    yield from fitted_grid(
        paint, f"Output and loss   ŷ_t = {s.output_activation}(W_out·O_t + b_out),  ℓ = {s.loss}",
        ["t", "z_t", "ŷ_t", "y_t", "ℓ_t"],
        lambda: ([_text(str(t)), c(tape.z[i]), c(tape.yhat[i]), c(tape.y[i]), c(tape.losses[i])]
                 for i, t in enumerate(tape.targets)),
        width, caption=wrap_text(f"L = {nt.fmt(tape.loss, digits)}", width), left=(1, 2, 3),
    )
    for param in tape.params:
        table = tape.gradients[param]
        recurrent = table.k is not None
        split = table.carry_rows is not None  # a gated cell: δ = carry + rest (SPEC §8)

        def rows(table=table, recurrent: bool = recurrent, param: str = param, split: bool = split) -> Iterator[list[Cell]]:
            for i in range(len(table)):
                cut = bool(table.truncated[i])
                row = [_text(str(int(table.t[i])))] + ([_text(str(int(table.k[i])))] if recurrent else [])
                row += [c(table.delta(i))] + ([c(table.carry(i)), c(table.rest(i))] if split else [])
                if _INPUT[param]:
                    row += [c(table.input(i))]
                norm = nt.fmt(float(table.norms[i]), digits) + (" (truncated)" if cut else "")
                yield row + [_text(norm, "dim" if cut else ("" if math.isfinite(table.norms[i]) else "bold red"))]

        delta_name = "δ = ∂ℓ_t/∂a_k" if recurrent else "∂ℓ_t/∂z_t"
        if split and param in ("w_prime", "b_prime") and tape.a_prime is not None:
            delta_name = "δₕ = ∂ℓ_t/∂ã_k"  # a GRU's recurrent side
        headers = ["t"] + (["k"] if recurrent else []) + [delta_name] + (["carry", "rest"] if split else []) \
            + ([_INPUT[param]] if _INPUT[param] else []) + ["‖term‖"]
        delta = "δᵀ" if recurrent else "(∂ℓ_t/∂z_t)ᵀ"  # SPEC §7: term = δ(t,k)ᵀ O_{k−1}ᵀ, an outer product
        term = f"{delta}·{_INPUT[param]}ᵀ" if _INPUT[param] else delta
        symbol = nt.gradient_symbol(param, vector=True)
        caption = wrap_text(f"term = {term};  {symbol} = Σ terms =", width) + matrix_lines(table.total, digits, width)
        keys = 2 if recurrent else 1
        yield ""
        shape = np.shape(table.total)
        size = "×".join(map(str, shape)) if len(shape) == 2 else f"a vector of {shape[0]}"
        yield from fitted_grid(paint, f"{symbol} term by term ({_SYMBOL[param]} is {size})", headers, rows, width,
                               caption=caption, left=tuple(range(keys, len(headers) - 1)), keys=keys)
    rule = "p − η·clip(∂L/∂p)" if s.clip else "p − η·∂L/∂p"
    yield ""
    for line in wrap_text(f"Update   p_new = {rule},  η = {nt.fmt(s.learning_rate, digits)}"
                          + (f",  clip = {nt.fmt(s.clip, digits)} (each entry)" if s.clip else ""), width):
        yield paint(line, "bold")
    for p, u in tape.updates.items():
        yield f"{_SYMBOL[p]} new ="
        yield from matrix_lines(u.new, digits, width)
    if tape.nonfinite:
        yield ""
        for line in wrap_text("⚠ some values overflowed to inf or nan (shown in red)", width):
            yield paint(line, "bold red")
