"""The trace as tables for the terminal: forward pass, loss, terms with running sums, update.

Tables are laid out here (widths from the cells' text) as lines of styled runs;
``print_tables`` hands them to Rich for a terminal and writes plain text
otherwise. Rich's own Table measures every cell and, like importing Rich's
console, costs more than the whole engine on a small scenario.
"""

from __future__ import annotations

import math
import os
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import TextIO

from .. import notation as nt
from ..ids import PARAMS
from ..tape import Tape

Run = tuple[str, str]  # (text, rich style)


def cell_len(text: str) -> int:
    """Terminal columns of text (East Asian wide characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class Styled:
    """Text as styled runs; rendered by Rich on a terminal, as plain text elsewhere."""

    def __init__(self) -> None:
        self.runs: list[Run] = []

    def append(self, text: str, style: str = "") -> None:
        self.runs.append((text, style))

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.runs)


@dataclass(frozen=True)
class Cell:
    text: str
    style: str = ""


def grid(title: str, headers: list[str], rows: list[list[Cell]], caption: str = "",
         left: tuple[int, ...] = ()) -> Styled:
    """A boxed table as one Text; columns in ``left`` are left-justified, the rest right."""
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell.text))

    def pad(i: int, text: str) -> str:
        gap = " " * (widths[i] - cell_len(text))
        return text + gap if i in left else gap + text

    out = Styled()
    out.append(title + "\n", style="bold")
    out.append("┌" + "┬".join("─" * (w + 2) for w in widths) + "┐\n", style="dim")
    out.append("│", style="dim")
    for i, h in enumerate(headers):
        out.append(f" {pad(i, h)} ", style="bold")
        out.append("│", style="dim")
    out.append("\n├" + "┼".join("─" * (w + 2) for w in widths) + "┤\n", style="dim")
    for row in rows:
        out.append("│", style="dim")
        for i, cell in enumerate(row):
            out.append(f" {pad(i, cell.text)} ", style=cell.style)
            out.append("│", style="dim")
        out.append("\n")
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘", style="dim")
    if caption:
        out.append("\n" + caption, style="bold")
    return out


def _num(x: float, digits: int, style: str = "") -> Cell:
    return Cell(nt.fmt(x, digits), "bold red" if not math.isfinite(x) else style)


def render_tables(tape: Tape, digits: int = 6) -> list[Styled]:
    """The header and every table of the trace, in order."""
    if tape.vector:  # SPEC §7: vectors and matrices have their own layout
        from .table_vector import render_vector_tables

        return render_vector_tables(tape, digits)
    s = tape.scenario
    n = lambda x, style="": _num(float(x), digits, style)  # noqa: E731
    parts: list[Styled] = []
    header = Styled()
    header.append(s.name, style="bold underline")
    if s.description:
        header.append("\n" + textwrap.fill(" ".join(s.description.split()), 80), style="italic")
    parts.append(header)

    parts.append(grid(
        f"Forward pass   O_t = f(x_t·w + O_t−1·w′ + b),  f = {s.activation},  O₀ = {nt.fmt(s.h0, digits)}",
        ["t", "x_t", "a_t", "O_t", "f′(a_t)"],
        [[Cell(str(t)), n(tape.x[t - 1]), n(tape.a[t - 1]), n(tape.O[t - 1]), n(tape.f_prime[t - 1])]
         for t in range(1, tape.T + 1)],
    ))
    parts.append(grid(
        f"Output and loss   ŷ_t = {s.output_activation}(w_out·O_t + b_out),  ℓ = {s.loss}",
        ["t", "z_t", "ŷ_t", "y_t", "ℓ_t"],
        [[Cell(str(t)), n(tape.z[i]), n(tape.yhat[i]), n(tape.y[i]), n(tape.losses[i])]
         for i, t in enumerate(tape.targets)],
        caption=f"L = {nt.fmt(tape.loss, digits)}",
    ))
    for param in PARAMS:
        table = tape.gradients[param]
        recurrent = table.k is not None
        rows = []
        for i in range(len(table)):
            cut = bool(table.truncated[i])
            path = Cell(nt.term_symbol_compact(tape.factors(param, i)), "strike dim" if cut else "")
            value = n(table.value[i], "dim" if cut else "")
            if cut:
                value = Cell(value.text + " (truncated)", value.style)
            row = [Cell(str(int(table.t[i])))] + ([Cell(str(int(table.k[i])))] if recurrent else [])
            rows.append(row + [path, value, n(table.running_sum[i])])
        headers = ["t"] + (["k"] if recurrent else []) + ["path", "term", "running sum"]
        parts.append(grid(f"{nt.gradient_symbol(param)} term by term", headers, rows,
                          caption=f"{nt.gradient_symbol(param)} = {nt.fmt(table.total, digits)}",
                          left=(2 if recurrent else 1,)))
    rule = "p − η·clip(∂L/∂p)" if s.clip else "p − η·∂L/∂p"
    clip = f",  clip = {nt.fmt(s.clip, digits)}" if s.clip else ""
    parts.append(grid(
        f"Update   p_new = {rule},  η = {nt.fmt(s.learning_rate, digits)}{clip}",
        ["p", "old", "∂L/∂p", "new"],
        [[Cell(nt.param(p)), n(u.old), n(u.grad), n(u.new, "bold")] for p, u in tape.updates.items()],
    ))
    if tape.nonfinite:
        warning = Styled()
        warning.append("⚠ some values overflowed to inf or nan (shown in red)", style="bold red")
        parts.append(warning)
    return parts


def print_tables(tape: Tape, out: TextIO, digits: int = 6, color: bool | None = None) -> None:
    """Print the tables: styled on a terminal (unless NO_COLOR is set), plain text otherwise."""
    parts = render_tables(tape, digits)
    if color is None:
        color = out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    if not color:
        out.write("\n\n".join(part.plain for part in parts) + "\n")
        return
    # Rich's Style renders the escape codes; its Console would cost more to import than the whole trace
    from rich.color import ColorSystem
    from rich.style import Style

    styles: dict[str, Style] = {}
    chunks = []
    for i, part in enumerate(parts):
        if i:
            chunks.append("\n\n")
        for text, style in part.runs:
            if not style:
                chunks.append(text)
                continue
            rich_style = styles.get(style) or styles.setdefault(style, Style.parse(style))
            # style each line on its own so that no escape code spans a line break
            chunks.append("\n".join(rich_style.render(line, color_system=ColorSystem.STANDARD) if line else ""
                                    for line in text.split("\n")))
    out.write("".join(chunks) + "\n")
