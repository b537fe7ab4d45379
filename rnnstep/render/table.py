"""The trace as tables for the terminal: forward pass, loss, terms with running sums, update.

The one place that picks the layout (the notes' one-unit network: table_scalar.py; a hidden
vector: table_vector.py) and prints it, line by line, so a long tape streams. On a terminal
each run of text is styled by Rich's ``Style``; elsewhere it is plain text.
"""

from __future__ import annotations

import os
import re
import textwrap
from functools import partial
from typing import Callable, Iterator, TextIO

from ..tape import Tape
from .methods_text import iter_method_sections
from .paint import Paint, cell_len, plain
from .table_scalar import scalar_table_lines
from .table_vector import vector_table_lines
from ..usertext import shown, shown_line

__all__ = ["Paint", "cell_len", "iter_table", "output_width", "plain", "print_tables", "table_lines",
           "terminal_paint", "use_color"]


def table_lines(tape: Tape, digits: int = 6, full_chains: bool = False, paint: Paint = plain,
                width: int = 80) -> Iterator[str]:
    """The header and every table of the trace, line by line (without newlines; "" between parts).

    A vector scenario's tables fit ``width`` (see table_vector); a scalar one's path hangs after the box
    (table_scalar)."""
    if tape.vector:  # SPEC §7: vectors and matrices have their own layout
        yield from vector_table_lines(tape, digits, paint, width)
    else:
        yield from scalar_table_lines(tape, digits, full_chains, paint)
    for text in iter_method_sections(tape, digits, "markdown"):  # SPEC §9: chunks, coins, RTRL, clip by norm
        for line in text.rstrip("\n").split("\n"):
            yield from reflow(line, width)


# a term's place, "(t,k)" or "(t)", stays on the line of the number after it
_PLACE_THEN_NUMBER = re.compile(r"(\(\d+(?:,\d+)?\)) (?=[-(\d])")
_GLUE = "\x00"  # never in our own text; textwrap does not break at it


def reflow(line: str, width: int) -> list[str]:
    """A method section's line in lines of at most ``width`` columns, as the tables around it: broken only
    between words, so a number is never cut (a lone word wider than the width is the only overflow); a
    "- " item's lines after the first are indented under its text."""
    if cell_len(line) <= width:
        return [line]
    indent = "  " if line.startswith("- ") else ""
    glued = _PLACE_THEN_NUMBER.sub(lambda m: m.group(1) + _GLUE, line)
    lines = textwrap.wrap(glued, max(1, width), subsequent_indent=indent, break_long_words=False,
                          break_on_hyphens=False)
    return [text.replace(_GLUE, " ") for text in lines]


def use_color(out: TextIO) -> bool:
    """Styled output only on a terminal, and not with NO_COLOR or TERM=dumb."""
    return out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def terminal_paint() -> Paint:
    """Styles as ANSI escape codes, one style parsed once."""
    # Rich's Style renders the escape codes; its Console would cost more to import than the whole trace
    from rich.color import ColorSystem
    from rich.style import Style

    rendered: dict[str, Callable[[str], str]] = {}

    def paint(text: str, style: str) -> str:
        if not style or not text:
            return text
        render = rendered.get(style)
        if render is None:
            render = rendered[style] = partial(Style.parse(style).render, color_system=ColorSystem.STANDARD)
        return render(text)

    return paint


def output_width(out: TextIO) -> int:
    """The columns to fit: $COLUMNS when set, the terminal's width on a terminal, else 80 (a file, a pipe)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if out.isatty():
            return os.get_terminal_size(out.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):  # closed, or a stream without a file descriptor
        pass
    return 80


def iter_table(tape: Tape, digits: int = 6, color: bool = False, full_chains: bool = False,
               width: int = 80) -> Iterator[str]:
    """The tables as text, line by line (each ending in a newline): plain, or with ANSI styles."""
    for line in table_lines(tape, digits, full_chains, terminal_paint() if color else plain, width):
        yield line + "\n"


def print_tables(tape: Tape, out: TextIO, digits: int = 6, color: bool | None = None,
                 full_chains: bool = False) -> None:
    """Print the tables: styled on a terminal (unless NO_COLOR is set), plain text otherwise."""
    out.writelines(iter_table(tape, digits, use_color(out) if color is None else color, full_chains,
                              output_width(out)))
