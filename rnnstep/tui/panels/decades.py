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


def ruler(top: int, bottom: int, bar_w: int, indent: int) -> tuple[Text, Text]:
    """A tick line and a labels line for the decades from bottom to top, as wide as the bars."""
    span = top - bottom
    ticks = [(d, round((d - bottom) / span * (bar_w - 1))) for d in range(bottom, top + 1)]
    rule = ["─"] * bar_w
    for _, x in ticks:
        rule[x] = "┼"
    labels = [" "] * (bar_w + 6)
    free = 0
    step = 1
    while step < span and any(b[1] - a[1] < len(decade(a[0])) + 1 for a, b in zip(ticks[::step], ticks[step::step])):
        step += 1  # label every second (third …) decade when they would run into each other
    for d, x in ticks:
        if (d - bottom) % step and d != top:
            continue
        text = decade(d)
        at = min(x, len(labels) - len(text))
        if at >= free:
            labels[at:at + len(text)] = text
            free = at + len(text) + 1
    return (Text(" " * indent + "".join(rule), style="dim"),
            Text(" " * indent + "".join(labels).rstrip(), style="dim"))
