"""The verify report as a rich table, JSON and a markdown correction sheet (pure functions of a Report)."""

from __future__ import annotations

import json
import math
import textwrap

from rich.cells import cell_len
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from .. import notation as nt
from ..verify import Report
from ..usertext import json_escaped, shown_line, user_text

FORMAT = "rnnstep-verify/1"
_MARK = {"right": ("✓ right", "green"), "rounding": ("≈ rounding", "yellow"), "slip": ("✗ slip", "bold red"),
         "follows": ("✗ follows", "red")}


def _why(symbols: dict[str, str], r) -> str:
    """Why a verdict: "from O₂" (follows), what the stated inputs give (slip), or a right number's note."""
    if r.verdict == "follows":
        return "from " + ", ".join(symbols[i] for i in r.follows_from)
    if r.verdict == "slip":
        likely = f"likely slip: {r.likely_slip}" if r.likely_slip else ""
        if r.recomputed is not None:
            return f"its stated inputs give {nt.fmt(r.recomputed)}" + (f"; {likely}" if likely else "")
        return likely
    return r.note


HEADERS = ("quantity", "stated", "true", "digits", "verdict", "why")


class ReportTable(Table):
    """The report's table, or where its columns would cut a word (a number ended in "…"), the same rows as
    lines: a number is shown whole or not at all (``narrow_lines``)."""

    report: Report

    def __rich_console__(self, console, options):
        max_width = options.max_width if self.width is None else self.width
        widths = self._calculate_column_widths(console, options.update_width(max_width - self._extra_width))
        words = [[*cell_words(column.header)] + [w for cell in column.cells for w in cell_words(cell)]
                 for column in self.columns]
        if self.report.results and not whole(widths=[w - 2 for w in widths], words=words):  # less the padding
            yield from NarrowReport(self.report).__rich_console__(console, options)
            return
        yield from super().__rich_console__(console, options)


class NarrowReport:
    """The report as ``narrow_lines`` at the console's width (no markup read: its runs are plain text)."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def __rich_console__(self, console, options):
        for line in narrow_lines(self.report, options.max_width):
            for text, style in line:
                yield Segment(text, console.get_style(style) if style else None)
            yield Segment.line()


def cell_words(cell) -> list[str]:
    return (cell.plain if isinstance(cell, Text) else str(cell)).split()


def whole(widths: list[int], words: list[list[str]]) -> bool:
    """Does every column hold its longest word (so Rich wraps its cells at spaces and cuts nothing)?"""
    return all(width >= max(map(cell_len, column), default=0) for width, column in zip(widths, words))


_GLUE = "\x00"  # joins words that stay on one line (shown text has no control characters: usertext.shown)


def _wrapped(text: str, width: int, indent: str, more: str | None = None) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken only at spaces (a number is never cut);
    ``indent`` before the first line, ``more`` (else ``indent``) before the others."""
    return textwrap.wrap(text, max(1, width), initial_indent=indent,
                         subsequent_indent=indent if more is None else more,
                         break_long_words=False, break_on_hyphens=False) or [indent]


def narrow_lines(report: Report, width: int) -> list[list[tuple[str, str]]]:
    """The report where the table's columns would cut a number: each claim on a line of aligned fields (or,
    narrower still, its fields wrapped between them), its why on its own full-width lines under it; each
    line is (text, style) runs, the verdict's mark styled as in the table."""
    symbols = _symbols(report)
    rows = [(shown_line(r.symbol), shown_line(r.stated_text), nt.fmt(r.true), str(r.digits), *_MARK[r.verdict],
             shown_line(_why(symbols, r))) for r in report.results]
    sizes = [max(cell_len(row[i]) for row in [HEADERS[:4]] + rows) for i in range(4)]
    aligned = sum(sizes) + 6 + 2 + max(cell_len(row[4]) for row in rows) <= width
    lines: list[list[tuple[str, str]]] = [[(line, "")] for line in _wrapped(
        shown_line(report.title) + ": every stated number checked", width, "")]

    def fields(cells) -> str:
        pads = [" " * (size - cell_len(cell)) for cell, size in zip(cells, sizes)]  # by cells: wide characters
        return "  ".join(cell + pad if i == 0 else pad + cell for i, (cell, pad) in enumerate(zip(cells, pads)))

    if aligned:
        lines.append([(fields(HEADERS[:4]) + "  " + HEADERS[4], "")])
    for symbol, stated, true, digits, mark, style, why in rows:
        if aligned:
            lines.append([(fields((symbol, stated, true, digits)) + "  ", ""), (mark, style)])
        else:
            # the fields wrap between words, never inside one; a field's label stays with its number
            glued = _GLUE.join(mark.split(" "))
            text = "  ".join((symbol, f"stated{_GLUE}{stated}", f"true{_GLUE}{true}", f"{digits}{_GLUE}digits", glued))
            wrapped = [line.replace(_GLUE, " ") for line in _wrapped(text, width, "", "  ")]
            lines += [[(line, "")] for line in wrapped[:-1]]
            lines.append([(wrapped[-1][:-len(mark)], ""), (mark, style)])
        if why:
            lines += [[(line, "")] for line in _wrapped(why, width, "    ")]
    for text in [report.summary] + report.array_lines():
        lines += [[(line, "")] for line in _wrapped(text, width, "")]
    return lines


def report_table(report: Report) -> ReportTable:
    """The report as a table; narrower than its widest words, as lines (``ReportTable``)."""
    table = _table(report, ReportTable)
    table.report = report
    return table


def _table(report: Report, kind=Table) -> Table:
    caption = "\n".join([report.summary] + report.array_lines())
    table = kind(title=user_text(shown_line(report.title) + ": every stated number checked"), title_justify="left",
                 caption=caption, caption_justify="left")
    for col, justify in (("quantity", "left"), ("stated", "right"), ("true", "right"), ("digits", "right"),
                         ("verdict", "left"), ("why", "left")):
        table.add_column(col, justify=justify)
    symbols = _symbols(report)  # once: a row per claim must not rebuild it (T = 5,000 claims)
    for r in report.results:
        mark, style = _MARK[r.verdict]
        table.add_row(Text(r.symbol), user_text(shown_line(r.stated_text)), nt.fmt(r.true), str(r.digits),
                      Text(mark, style=style), user_text(_why(symbols, r)))  # the symbol as text: never markup
    return table


def _number(x: float | None):
    if x is None:
        return None
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def _symbols(report: Report) -> dict[str, str]:
    return {x.id: x.symbol for x in report.results}


def report_json(report: Report) -> str:
    arrays = report.array_entries()
    data = {
        "format": FORMAT,
        "scenario": report.title,
        "claims": [{"id": r.id, "symbol": r.symbol, "stated": r.stated_text, "true": _number(r.true),
                    "digits": r.digits, "verdict": r.verdict, "follows_from": list(r.follows_from),
                    "note": r.note, **({"whole": r.whole} if r.whole else {}),
                    **({"likely_slip": r.likely_slip} if r.likely_slip else {})}
                   for r in report.results],
        **({"arrays": [{"id": whole, "symbol": name, "entries": count, "wrong": [r.id for r in wrong]}
                       for whole, name, count, wrong in arrays]} if arrays else {}),
        "summary": {
            "ok": report.ok,
            "slips": [r.id for r in report.slips],
            "follow_from_slips": {r.id: report.followers(r.id) for r in report.slips},
            "text": report.summary,
        },
    }
    return json_escaped(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)) + "\n"


def report_markdown(report: Report) -> str:
    arrays = [f"* {line}" for line in report.array_lines()]
    lines = [f"# Corrections: {shown_line(report.title)}", "", f"**{report.summary}.**", "", *arrays, *([""] if arrays else []),
             "| quantity | id | stated | correct | verdict |", "| --- | --- | ---: | ---: | --- |"]
    symbols = _symbols(report)
    for r in report.results:
        verdict = _MARK[r.verdict][0]
        why = _why(symbols, r)
        joint = " " if r.verdict == "follows" else ": "  # "✗ follows from O₂", "✗ slip: its stated inputs give …"
        lines.append(f"| {r.symbol} | `{r.id}` | {shown_line(r.stated_text)} | {nt.fmt(r.true)} | {verdict}"
                     + (f"{joint}{why}" if why else "") + " |")
    return "\n".join(lines) + "\n"
