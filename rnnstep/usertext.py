"""Text a user wrote (titles, descriptions, notes, claim text, file and scenario names) made safe to show.

Two dangers, one home: rich and Textual read ``[bold]`` or ``[/]`` in a string as
markup (a title ``Markup [/] test`` crashed ``verify``), and a terminal obeys
control characters (``\\x1b]52;…`` writes the clipboard, ``\\u202e`` reverses what
follows). Every writer passes user text through :func:`shown` (plain output,
markdown, LaTeX) or :func:`user_text` (rich and Textual, which then never parse it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text

#: C0 (but tab and line feed), DEL, C1, bidi marks, overrides and isolates, line/paragraph separators, BOM
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every control character written out (``\\x1b``, ``\\u202e``); line breaks and tabs kept."""
    return CONTROL.sub(_escape, text)


def shown_line(text: str) -> str:
    """:func:`shown` for a one-line place (a heading, a table cell): line breaks and tabs written out too."""
    return shown(text).replace("\t", "\\t").replace("\n", "\\n")


def user_text(text: str, style: str = "") -> "Text":
    """``text`` as a rich ``Text``: never read as markup, control characters written out."""
    from rich.text import Text  # here: the plain printers need no rich

    return Text(shown(text), style=style)


def json_escaped(encoded: str) -> str:
    """JSON text with the control characters ``json.dumps(ensure_ascii=False)`` leaves raw (DEL, C1, bidi)
    written as ``\\uXXXX``: the same data, safe to print to a terminal."""
    return CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)
