"""A logarithmic axis in whole labelled decades, shared by the gradient-flow charts.

The axis runs from the decade above the largest value down at least ``MIN_DECADES``
(further if the values go further), so a factor of two looks like a factor of two.
A chart may cap how far it reaches (``max_decades``): on a long tape the terms span
hundreds of decades and every bar near the top would be full width; with a cap the
top decades keep their resolution and a term below the axis is marked as such.
"""

from __future__ import annotations

import math

from rich.text import Text

MIN_DECADES = 4
BELOW = "◂"  # a bar for a term below the axis's bottom decade
RANGE = "▒"  # the part of a band's bar between its smallest and its largest term

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade(d: int) -> str:
    """10⁻⁴: a decade label that cannot be mistaken for a value on screen."""
    return "10" + str(d).translate(_SUPERSCRIPT)


def axis(top_value: float, bottom_value: float, max_decades: int | None = None) -> tuple[int, int]:
    """(top, bottom) decades: whole powers of ten, at least MIN_DECADES and at most ``max_decades`` apart."""
    top = math.ceil(math.log10(top_value))
    if 10.0 ** top == top_value:
        top += 1  # a value that is a power of ten gets a bar, not an empty row
    bottom = min(math.floor(math.log10(bottom_value)), top - MIN_DECADES)
    if max_decades is not None:
        bottom = max(bottom, top - max(MIN_DECADES, max_decades))
    return top, bottom


def cells(value: float, top: int, bottom: int, bar_w: int) -> int | None:
    """How many cells of ``bar_w`` a positive finite value's bar fills (at least one), None below the axis."""
    lg = math.log10(value)
    if lg < bottom:
        return None
    return max(1, min(bar_w, round((lg - bottom) / (top - bottom) * bar_w)))


def ruler(top: int, bottom: int, bar_w: int, indent: int, width: int | None = None) -> tuple[Text, Text]:
    """A tick line and a labels line for the decades from bottom to top, as wide as the bars.

    Ticks at least two cells apart (every decade, or every second, fifth, tenth … when they would
    crowd), labels on ticks only, spaced so they do not run into each other. With ``width`` (the
    box's) the labels line never passes it: a label that would is left out, not wrapped onto a line
    of its own."""
    span = top - bottom
    at = {d: round((d - bottom) / span * (bar_w - 1)) for d in range(bottom, top + 1)}

    def spaced(step: int, gap) -> bool:
        marks = [d for d in range(bottom, top + 1) if (d - bottom) % step == 0]
        return all(at[b] - at[a] >= gap(a) for a, b in zip(marks, marks[1:]))

    # a step longer than the span leaves the bottom decade alone: on a bar of four cells, one tick
    steps = [s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if s <= span] + [span + 1]
    tick = next(s for s in steps if spaced(s, lambda d: 2))
    label = next((s for s in steps if s % tick == 0 and spaced(s, lambda d: len(decade(d)) + 1)), span + 1)
    rule = ["─"] * bar_w
    for d, x in at.items():
        if (d - bottom) % tick == 0:
            rule[x] = "┼"
    labels = [" "] * (bar_w + 6 if width is None else max(1, min(bar_w + 6, width - indent)))
    free = 0
    for d, x in at.items():
        if (d - bottom) % label:
            continue
        text = decade(d)
        where = min(x, len(labels) - len(text))
        if where >= free and (width is None or where == x):  # within the box, under its own tick
            labels[where:where + len(text)] = text
            free = where + len(text) + 1
    return (Text(" " * indent + "".join(rule), style="dim"),
            Text(" " * indent + "".join(labels).rstrip(), style="dim"))


def decades_for(bar_w: int, floor: int) -> int:
    """How many decades an axis ``bar_w`` cells wide may span: at least ``floor``, and as many as keep
    a decade 1.5 cells wide, so that a chart of a few dozen decades shows its whole fall."""
    return max(floor, int(bar_w / 1.5))


def bands(n: int, rows: int) -> list[tuple[int, int]]:
    """Paths 0 … n − 1 in at most ``rows`` bands of consecutive distances, (first, end) each, equal in size
    but the last: every path in one row, so the whole fall fits on screen."""
    size = -(-n // max(1, rows))
    return [(a, min(n, a + size)) for a in range(0, n, size)]


def range_bar(smallest: float, largest: float, top: int, bottom: int, bar_w: int) -> tuple[str, str] | None:
    """A band's bar: solid up to its smallest term, shaded from there to its largest (both positive and
    finite). ("◂…", "") marks a band that starts below the axis; None if the whole band is below it."""
    high = cells(largest, top, bottom, bar_w)
    if high is None:
        return None
    low = cells(smallest, top, bottom, bar_w)
    if low is None:
        return BELOW + RANGE * (high - 1), ""
    return "█" * low, RANGE * (high - low)
