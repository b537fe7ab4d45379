"""Paths in messages, shown whole: a path is never broken across lines or cut, it is shortened.

A toast or a status line has a few dozen cells; ``/home/ana/courses/rnn/week3/scenario-derivation.md``
wrapped there reads as two words. ``short_path`` gives the most informative form that fits:
the path as it is, then relative to the working folder, then from ``~``, then ``…/`` and its
last folders, then the file name, and only then the file name shortened in its middle.
"""

from __future__ import annotations

import os
from pathlib import Path

ELLIPSIS = "…"


def short_path(path: str | Path, width: int, cwd: str | Path | None = None, home: str | Path | None = None) -> str:
    """``path`` in at most ``width`` cells (when even its shortest form is longer, the shortest form)."""
    path = Path(path)
    text = str(path)
    if len(text) <= width:
        return text
    absolute = Path(os.path.abspath(path))
    forms = []
    for base, prefix in ((cwd or Path.cwd(), ""), (home or Path.home(), "~/")):
        try:
            forms.append(prefix + str(absolute.relative_to(os.path.abspath(base))))
        except ValueError:
            pass
    parts = absolute.parts[1:]
    forms += [f"{ELLIPSIS}/" + "/".join(parts[i:]) for i in range(1, len(parts))]
    forms.append(absolute.name)
    for form in forms:
        if len(form) <= width:
            return form
    return _middle(absolute.name, width)


def _middle(name: str, width: int) -> str:
    """A file name too long for ``width``: its start and its end (with the suffix) around "…"."""
    if width < 3:
        return name[:max(0, width - 1)] + ELLIPSIS
    tail = min(max(len(Path(name).suffix) + 2, (width - 1) // 2), width - 2)
    return name[:width - 1 - tail] + ELLIPSIS + name[-tail:]


def toast_width(screen_width: int) -> int:
    """The cells a toast's text has on a screen ``screen_width`` wide (Textual 8.2.8's Toast, made as wide
    as the screen in rnnstep.tcss: padding 1 either side and a left border)."""
    return max(10, screen_width - 3)


def toast_message(message: str, width: int) -> str:
    """``message`` on one line when it fits ``width``, else its closing "(…)" on a line of its own: wrapped
    at a space, "wrote a.tex (11.6 kB)" split its size from its unit ("(11.6" / "kB)")."""
    head, sep, tail = message.rpartition(" (")
    if len(message) <= width or not sep or not tail.endswith(")") or "\n" in message:
        return message
    return f"{head}\n({tail}"
