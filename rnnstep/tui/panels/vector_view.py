"""The four panels of the debugger for a vector scenario (SPEC §7), each a pure function of
(view, width, height) returning one Rich Text of at most ``height`` lines, none wider than ``width``.

The widgets call these instead of the scalar panels when ``view.tape.vector``; the title,
notes and claims of a step are the scalar panel's, the rest is in vector_*.py.
"""

from __future__ import annotations

import re

from rich.text import Text

from .matrix import ROW_FOCUS
from .vector_flow import flow_lines
from .vector_network import strip_lines
from .vector_step import step_body, wrap_lines
from .vector_sums import sums_lines


class Lines(list):
    """A panel's content as its lines, each at most the panel's width: the widget renders them
    line by line (and reuses the rendering of a line it has seen, see widgets.py) instead of
    joining, wrapping and splitting one Text. Printed anywhere else, it is the joined Text."""

    def joined(self) -> Text:
        out = Text("\n").join(self)
        out.no_wrap, out.overflow = True, "crop"
        return out

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self)

    def __rich_console__(self, console, options):
        yield self.joined()


_EXPONENT = re.compile(r"(?<=[\d.])e([+-])(0*)(\d+)")


def one_spelling(line: Text) -> Text:
    """4.75e-07 as 4.75e-7 (and 3e+05 as 3e5), styles kept: the narrow cells of a grid write exponents the
    short way, so every number of a vector screen does (one exponent spelling per screen)."""
    plain = line.plain
    if "e" not in plain or not _EXPONENT.search(plain):
        return line
    out, last = Text(style=line.style, end=line.end), 0
    for m in _EXPONENT.finditer(plain):
        e = m.start()
        out.append_text(line[last:e + 1])  # up to and with the "e"
        if m.group(1) == "-":
            out.append_text(line[e + 1:e + 2])
        out.append_text(line[m.start(3):m.end()])  # the digits, without padding zeros
        last = m.end()
    out.append_text(line[last:])
    return out


def _join(lines: list[Text], width: int) -> Lines:
    return Lines(one_spelling(line) for line in wrap_lines(lines, width))


def _wrap(text: Text | None, width: int) -> list[Text]:
    if text is None:
        return []
    from rich.console import Console

    return list(text.wrap(Console(width=max(1, width), color_system=None), max(1, width)))


def network_text(view, width: int, height: int = 2) -> Text:
    return _join(strip_lines(view, width, height), width)


def step_text(view, width: int, height: int, title: str, note: Text | None = None,
              claims: Text | None = None) -> Text:
    """The step's title, its body (the richest rendering that fits), then any claims and note."""
    token = ROW_FOCUS.set(view.grid_row)
    try:
        return _step_text(view, width, height, title, note, claims)
    finally:
        ROW_FOCUS.reset(token)


def _step_text(view, width: int, height: int, title: str, note: Text | None, claims: Text | None) -> Text:
    extra = _wrap(claims, width) + _wrap(note, width)
    # a long note leaves the body half; in a drill (values hidden) the body needs the question's inputs:
    # the note gets two lines there, and the drill says how to read it whole
    share = 2 if view.hidden and view.more_key else max(2, (height - 1) // 2)
    room = max(1, height - 1 - min(len(extra), share))
    head = Text(title if len(title) <= width else short_title(view, width), style="bold underline")
    body = step_body(view, width, room)
    if extra and view.hidden and view.more_key and room < height - 2:
        # a drill: the question's inputs first (tryout 3: W cut to one row under a two-line description);
        # the note keeps one line saying how to read it whole
        fuller = step_body(view, width, height - 2)
        if len(fuller) > len(body):
            body = fuller
    body = wrap_lines(body, width)
    if len(body) > height - 1:  # not even the plainest rendering fits the box: cut with a sign, never silently
        body = body[:max(0, height - 2)] + [Text(f"⋮ {len(body) - max(0, height - 2)} more lines", style="dim")]
    if extra:  # whole, or cut at a word with a sign that there is more (m reads it whole): never cut silently
        from .step import fit_extras

        extra = fit_extras(extra, height - 1 - len(wrap_lines(body, width)), width, view.more_key)
    return _join([head] + body + extra, width)


def short_title(view, width: int | None = None) -> str:
    """The step title for a narrow panel: the scalar panel's, with whole parts dropped (one format)."""
    from .step import step_title

    return step_title(view, width)


def sums_text(view, width: int, height: int) -> Text:
    token = ROW_FOCUS.set(view.grid_row)
    try:
        return _join(sums_lines(view, width, height), width)
    finally:
        ROW_FOCUS.reset(token)


def flow_text(view, width: int, height: int, triangle: bool = False) -> Text:
    return _join(flow_lines(view, width, height, triangle), width)
