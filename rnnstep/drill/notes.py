"""A step's notes as plain lines: what `note` prints in the plain drill (the TUI drill shows them in a dialog).

The lines start with ✎, never with the plain protocol's prefixes (`? `, `✓`, `✗`, `score:`)."""

from __future__ import annotations

from ..tape import Tape
from ..navigation import notes_by_step
from ..usertext import shown


def note_lines(tape: Tape, step: int) -> list[str]:
    """At the first step the scenario's description, then the notes the scenario file sets at this step;
    each on one line (the file's line breaks are wrapping, not meaning). ["no note at this step"] if none."""
    lines = []
    description = tape.scenario.description if step == 0 else None
    if description and description.strip():
        lines.append("✎ about this scenario: " + " ".join(shown(description).split()))
    lines += ["✎ note: " + " ".join(shown(text).split()) for text in notes_by_step(tape).get(step, [])]
    return lines or ["✎ no note at this step"]
