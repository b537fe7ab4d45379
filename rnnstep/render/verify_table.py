"""The verify report's table printed fast, byte for byte as Rich prints ``report_table``.

Rich's Table measures and renders every cell (1–2.5 ms a row: 10,000 claims
took longer than verifying them). Here Rich lays out only a skeleton — the
title, the header, the caption and one row made of each column's widest cell,
so its column widths are those of the whole table (Rich sizes a column by the
widest minimum and maximum of its cells) — and the rows are written directly
with the widths read off its top border. A row with a cell wider than its
column (Rich would wrap it) is rendered by Rich, all such rows in one table with
the same fixed widths. Cells that Rich would read as markup or emoji codes send
the whole report to ``report_table``: the output is always Rich's.
"""

from __future__ import annotations

import re
from typing import TextIO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import notation as nt
from ..verify import Report
from .verify import HEADERS, _MARK, _symbols, _table, _why, NarrowReport, report_table, whole

_LEFT = (True, False, False, False, True, True)  # quantity, stated, true, digits, verdict, why
# a markup tag, an emoji code, a control character or a line break (Rich measures lines, renders one)
_MARKUP = re.compile(r"\[[a-zA-Z#/@]|[:\\\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BORDER = re.compile(r"\x1b\[[0-9;]*m")


def _rows(report: Report) -> list[tuple[str, ...]]:
    symbols = _symbols(report)
    return [(r.symbol, r.stated_text, nt.fmt(r.true), str(r.digits), _MARK[r.verdict][0], _why(symbols, r), r.verdict)
            for r in report.results]


def _plain(text: str) -> bool:
    return _MARKUP.search(text) is None and text == text.strip()  # Rich strips a right-justified cell


def _layout(report: Report, rows: list[tuple[str, ...]]) -> Table:
    """The table with one row of each column's widest cells (by whole width and by widest word)."""
    table = _table(Report(report.title, [], report.roots))
    table.caption = "\n".join([report.summary] + report.array_lines())
    widest = [max((row[i] for row in rows), key=cell_len) for i in range(6)]
    longest_word = [max((row[i] for row in rows), key=lambda t: max(map(cell_len, t.split()), default=0))
                    for i in range(6)]
    for cells in (widest, longest_word):
        mark = cells[4]
        style = next(s for m, s in _MARK.values() if m == mark)
        table.add_row(*cells[:4], Text(mark, style=style), cells[5])
    return table


def print_report_table(report: Report, out: TextIO, console: Console | None = None) -> None:
    """Print ``report_table(report)`` as ``Console(file=out).print`` would (or ``console.print``, a console
    writing to ``out``), without Rich's cost per row."""
    console = console or Console(file=out)
    rows = _rows(report)
    if not rows or not all(_plain(cell) for row in rows for cell in row[:6]):
        console.print(report_table(report))
        return
    with console.capture() as capture:
        console.print(_layout(report, rows))
    lines = capture.get().split("\n")
    plain = [_BORDER.sub("", line) for line in lines]
    top = next(n for n, line in enumerate(plain) if line.startswith("┏"))
    head_end = next(n for n, line in enumerate(plain) if line.startswith("┡"))
    bottom = max(n for n, line in enumerate(plain) if line.startswith("└"))
    widths = [len(part) - 2 for part in plain[top][1:-1].split("┳")]
    styled = {verdict: _styler(console, style) for verdict, (_, style) in _MARK.items()}
    if not whole(widths, [HEADERS[i].split() + [w for row in rows for w in row[i].split()] for i in range(6)]):
        console.print(NarrowReport(report))  # the columns would cut a number: as report_table prints it then
        return

    sizes = [[cell_len(cell) for cell in row[:6]] for row in rows]
    fits = [all(size <= width for size, width in zip(row_sizes, widths)) for row_sizes in sizes]
    wrapped = iter(_rich_rows(console, widths, [row for row, fit in zip(rows, fits) if not fit]))
    body: list[str] = []
    for row, row_sizes, fit in zip(rows, sizes, fits):
        if not fit:  # Rich wraps it: its lines as Rich renders them
            body.extend(next(wrapped))
            continue
        cells = [text + " " * (width - size) if left else " " * (width - size) + text
                 for text, size, width, left in zip(row, row_sizes, widths, _LEFT)]
        cells[4] = styled[row[6]](cells[4])
        body.append("│ " + " │ ".join(cells) + " │")
    out.write("\n".join(lines[:head_end + 1] + body + lines[bottom:]))
    out.flush()


def _styler(console: Console, style: str):
    """The cell's text as Rich writes it in ``style`` on this console (plain when it writes no colour)."""
    with console.capture() as capture:
        console.print(Text("\ue000", style=style), end="")
    before, _, after = capture.get().partition("\ue000")
    return lambda text: before + text + after


def _rich_rows(console: Console, widths: list[int], rows: list[tuple[str, ...]]) -> list[list[str]]:
    """The lines of each row, as Rich renders it in columns of these widths (it wraps what does not fit)."""
    if not rows:
        return []
    table = Table(show_header=False, show_lines=True, box=box.HEAVY_HEAD)
    for width, left in zip(widths, _LEFT):
        table.add_column(justify="left" if left else "right", width=width)
    for row in rows:
        table.add_row(*row[:4], Text(row[4], style=_MARK[row[6]][1]), row[5])
    with console.capture() as capture:
        console.print(table)
    lines = capture.get().split("\n")[1:-2]  # without the top and bottom borders (and the last newline)
    out: list[list[str]] = [[]]
    for line in lines:
        if _BORDER.sub("", line).startswith("├"):
            out.append([])
        else:
            out[-1].append(line)
    return out
