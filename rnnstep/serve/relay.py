"""What a tab may send its session: the page's frames, read strictly; anything else is ignored.

The page sends ``["stdin", text]``, ``["resize", {"width": w, "height": h}]``, ``["ping", x]``,
``["focus"]`` and ``["blur"]``. A frame that is not one of those — not JSON, NaN or Infinity, a
number no terminal has, text no UTF-8 encoder takes (a lone surrogate), nesting deep enough to
exhaust the parser — is dropped, and the session goes on.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

SMALLEST, LARGEST = 10, 500  # a terminal's width or height, in cells (a page could ask for a million)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number a page sends")


@dataclass(frozen=True)
class Frame:
    kind: str  # "stdin", "resize", "ping", "focus" or "blur"
    keys: bytes = b""  # stdin, UTF-8
    width: int = 0  # resize
    height: int = 0
    echo: object = None  # ping: sent back as ["pong", echo]


def cells(value: object, default: int) -> int:
    """A terminal dimension from the page, kept within SMALLEST..LARGEST; ``default`` when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        number = float(value)
    except ValueError:
        return default
    if not math.isfinite(number):
        return default
    return max(SMALLEST, min(LARGEST, int(number)))


def read_frame(data: str) -> Frame | None:
    """The frame ``data`` carries, or None for junk."""
    try:
        message = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # not JSON, NaN/Infinity, or nested past the parser's depth
        return None
    if not isinstance(message, list) or not message or not isinstance(message[0], str):
        return None
    kind, rest = message[0], message[1:]
    if kind == "stdin" and len(rest) == 1 and isinstance(rest[0], str):
        try:
            return Frame("stdin", keys=rest[0].encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate: no key a keyboard sends
            return None
    if kind == "resize" and len(rest) == 1 and isinstance(rest[0], dict):
        size = rest[0]
        return Frame("resize", width=cells(size.get("width"), 80), height=cells(size.get("height"), 24))
    if kind == "ping" and len(rest) == 1 and isinstance(rest[0], str) and len(rest[0]) <= 64:
        return Frame("ping", echo=rest[0])  # the page sends its clock, as text
    if kind in ("focus", "blur"):
        return Frame(kind)
    return None
