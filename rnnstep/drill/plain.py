"""Plain mode: one question per line, for scripts, auto-graders and screen readers.

Protocol: first the header lines (the drill's name, the scenario: f, g, loss,
h0, x, y, weights, η), none of which starts with `? `, `✓`, `✗` or `score:`,
so a script skips them. Then each question is one line `? <id> <question>`; the program then reads
one line. `hint` prints a hint and the same `? ` line again; anything that is
not a number or a command is re-asked with a short message. Feedback lines start
with ✓ or ✗. The last line is `score: R/N`. End of input ends the drill like
`quit`. Every line is flushed.
"""

from __future__ import annotations

from typing import TextIO

from .grading import NotANumber, parse_answer
from .session import DrillSession


def run_plain(session: DrillSession, stdin: TextIO, stdout: TextIO, header: list[str] = ()) -> int:
    def say(line: str) -> None:
        stdout.write(line + "\n")
        stdout.flush()

    for line in header:
        say(line)
    while session.current is not None:
        say(session.prompt())
        reply = stdin.readline()
        if reply == "":  # end of input: like quit
            break
        try:
            parsed = parse_answer(reply)
        except NotANumber:
            shown = reply.strip()[:40]
            say(f"not a number: {shown!r} — type a number, or hint, skip, quit")
            continue
        if parsed == "hint":
            say(session.hint())
        elif parsed == "skip":
            say(session.skip().line)
        elif parsed == "quit":
            break
        else:
            say(session.answer(parsed).line)
    session.quit()
    say(session.score)
    return 0
