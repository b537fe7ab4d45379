"""A one-unit trace as tables for the terminal: forward pass, loss, terms with running sums, update.

Tables are laid out here (widths from the cells' text), line by line, so a long
tape streams: the number columns are measured from the tape's arrays and a
term's path hangs after the box, never measured. Rich's own Table measures every
cell and, like importing Rich's console, costs more than the whole engine on a
small scenario.
"""

from __future__ import annotations

import textwrap
from functools import partial
from typing import Callable, Iterable, Iterator

from .. import notation as nt
from ..ids import PARAMS
from ..tape import Tape
from ..usertext import shown, shown_line
from .chains import gap_text
from .derivation import term_lines
from .methods_text import term_mark
from .paint import Paint, cell_len, plain

Cell = tuple[str, str]  # (text, rich style)


def grid(paint: Paint, title: str, headers: list[str], rows: Callable[[], Iterable[list[Cell]]],
         caption: str = "", widths: list[int] | None = None, trailing: str = "",
         left: tuple[int, ...] = ()) -> Iterator[str]:
    """A boxed table, line by line, columns right-justified (those in ``left`` left-justified); a
    ``trailing`` column hangs after the box.

    Without ``widths``, ``rows()`` is called twice, once to measure the columns and
    once to print, so that no table of a long tape is ever held whole. The
    trailing column (a path product, as long as it needs) is never measured."""
    boxed = len(headers)
    if widths is None:
        widths = [cell_len(h) for h in headers]
        for row in rows():
            for i in range(boxed):
                width = cell_len(row[i][0])
                if width > widths[i]:
                    widths[i] = width
    else:
        widths = [max(w, cell_len(h)) for w, h in zip(widths, headers)]

    def pad(i: int, text: str) -> str:
        if i in left:
            return text.ljust(widths[i]) if text.isascii() else text + " " * (widths[i] - cell_len(text))
        return text.rjust(widths[i]) if text.isascii() else " " * (widths[i] - cell_len(text)) + text

    bar = paint("│", "dim")
    yield paint(title, "bold")
    yield paint("┌" + "┬".join("─" * (w + 2) for w in widths) + "┐", "dim")
    yield (bar + bar.join(paint(f" {pad(i, h)} ", "bold") for i, h in enumerate(headers)) + bar
           + (paint(f" {trailing}", "bold") if trailing else ""))
    yield paint("├" + "┼".join("─" * (w + 2) for w in widths) + "┤", "dim")
    if paint is plain:  # the fast path for files and pipes: one join per row
        for row in rows():
            boxed_cells = "│".join([f" {pad(i, row[i][0])} " for i in range(boxed)])
            yield f"│{boxed_cells}│ " + "".join(text for text, _ in row[boxed:]) if trailing else f"│{boxed_cells}│"
    else:
        for row in rows():
            line = bar + bar.join([paint(f" {pad(i, row[i][0])} ", row[i][1]) for i in range(boxed)]) + bar
            if trailing:
                line += " " + "".join([paint(text, style) for text, style in row[boxed:]])
            yield line
    yield paint("└" + "┴".join("─" * (w + 2) for w in widths) + "┘", "dim")
    for line in caption.splitlines():
        yield paint(line, "bold")


def _num(x: float, digits: int, style: str = "") -> Cell:
    """A number's cell: red when it is inf or nan."""
    text = nt.fmt(x, digits)
    return (text, style) if text[-1].isdigit() else (text, "bold red")  # inf, nan


def _no_number(value: float) -> str:
    return ""


def scalar_table_lines(tape: Tape, digits: int = 6, full_chains: bool = False, paint: Paint = plain) -> Iterator[str]:
    """The header and every table of a one-unit trace, line by line; a term's path hangs after the box."""
    s = tape.scenario
    n = lambda x, style="": _num(float(x), digits, style)  # noqa: E731
    yield paint(shown_line(s.name), "bold underline")
    if s.description:
        for text in textwrap.wrap(" ".join(shown(s.description).split()), 80):
            yield paint(text, "italic")
    yield ""
    yield from grid(
        paint, f"Forward pass   O_t = f(x_t·w + O_t−1·w′ + b),  f = {s.activation},  O₀ = {nt.fmt(s.h0, digits)}",
        ["t", "x_t", "a_t", "O_t", "f′(a_t)"],
        lambda: ([(str(t), ""), n(x), n(a), n(O), n(fp)] for t, x, a, O, fp in
                 zip(range(1, tape.T + 1), tape.x.tolist(), tape.a.tolist(), tape.O.tolist(), tape.f_prime.tolist())),
    )
    yield ""
    yield from grid(
        paint, f"Output and loss   ŷ_t = {s.output_activation}(w_out·O_t + b_out),  ℓ = {s.loss}",
        ["t", "z_t", "ŷ_t", "y_t", "ℓ_t"],
        lambda: ([(str(t), ""), n(tape.z[i]), n(tape.yhat[i]), n(tape.y[i]), n(tape.losses[i])]
                 for i, t in enumerate(tape.targets)),
        caption=f"L = {nt.fmt(tape.loss, digits)}",
    )
    for param in PARAMS:
        yield ""
        yield from _terms_table(paint, tape, param, digits, full_chains)
    rule = "p − η·clip(∂L/∂p)" if s.clip else "p − η·∂L/∂p"
    clip = f",  clip = {nt.fmt(s.clip, digits)}" if s.clip else ""
    yield ""
    yield from grid(
        paint, f"Update   p_new = {rule},  η = {nt.fmt(s.learning_rate, digits)}{clip}",
        ["p", "old", "∂L/∂p", "new"],
        lambda: ([(nt.param(p), ""), n(u.old), n(u.grad), n(u.new, "bold")] for p, u in tape.updates.items()),
    )
    if tape.nonfinite:
        yield ""
        yield paint("⚠ some values overflowed to inf or nan (shown in red)", "bold red")


def _terms_table(paint: Paint, tape: Tape, param: str, digits: int, full_chains: bool) -> Iterator[str]:
    """∂L/∂param term by term: t, k, term, running sum in the box and the path after it."""
    table = tape.gradients[param]
    recurrent = table.k is not None
    fmt = partial(nt.fmt, digits=digits)

    def mark(line) -> str:  # why a term is left out, or its weight (SPEC §9, methods_text.term_mark)
        return term_mark(tape, param, line.t, line.k, line.truncated, "plain", digits)

    def rows() -> Iterator[list[Cell]]:
        for line in term_lines(tape, param, "unicode", _no_number, full_chains):
            path = " × ".join(line.symbol_parts(gap_text))
            t = (str(line.t), "")
            row = [t, (str(line.k), "")] if recurrent else [t]
            if line.truncated:
                row += [_num(line.value, digits, "dim"), _num(line.running_sum, digits), (path, "strike dim"),
                        (mark(line), "dim")]
            else:
                row += [_num(line.value, digits), _num(line.running_sum, digits), (path, "")]
                if recurrent and table.weight is not None:
                    row.append((mark(line), "yellow"))
            yield row

    # the boxed columns' widths from the arrays (the path hangs after the box): one pass over the terms,
    # with printf's %g, which is fmt's format without fmt's checks: the same width at half the cost
    widths = [len(str(int(table.t.max())))] + ([len(str(int(table.k.max())))] if recurrent else [])
    widths += [max(map(len, map(f"%.{digits}g".__mod__, column.tolist()))) for column in (table.value, table.running_sum)]
    headers = ["t"] + (["k"] if recurrent else []) + ["term", "running sum"]
    title = f"{nt.gradient_symbol(param)} term by term"
    caption = f"{nt.gradient_symbol(param)} = {nt.fmt(table.total, digits)}"
    if paint is not plain:
        yield from grid(paint, title, headers, rows, caption, widths, trailing="path")
        return
    # plain text (files, pipes, the long tapes): one str.format per term
    lines = grid(plain, title, headers, lambda: (), caption, widths, trailing="path")
    for _ in range(4):  # title, top rule, headers, middle rule
        yield next(lines)
    widths = [max(w, len(h)) for w, h in zip(widths, headers)]
    row = "│" + "│".join(f" {{:>{w}}} " for w in widths) + "│ {}"
    for line in term_lines(tape, param, "unicode", _no_number, full_chains):
        path = " × ".join(line.symbol_parts(gap_text)) + (mark(line) if line.truncated or table.weight is not None else "")
        if recurrent:
            yield row.format(line.t, line.k, fmt(line.value), fmt(line.running_sum), path)
        else:
            yield row.format(line.t, fmt(line.value), fmt(line.running_sum), path)
    yield from lines
