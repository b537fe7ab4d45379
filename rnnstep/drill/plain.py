"""Plain mode: one question per line, for scripts, auto-graders and screen readers.

Protocol: first the header lines (the drill's name, the scenario: f, g, loss,
h0, x, y, weights, η), none of which starts with `? `, `✓`, `✗` or `score:`,
so a script skips them. Then each question is one line `? <id> <question>`; the program then reads
one line. In a vector scenario (SPEC §7) a question may name a whole vector or matrix, and
the answer is still one line: entries separated by spaces or commas, rows by `;`. `hint`
prints a hint and the same `? ` line again; `note` prints the step's notes (at the first step also
the scenario's description) on lines starting with ✎, then the same `? ` line, not counted; anything that is not a number (or an array of
the question's shape) or a command is re-asked with a short message, never counted. Feedback lines start
with ✓ or ✗. The last line is `score: R/N`. End of input ends the drill like
`quit`. Every line is flushed.
"""

from __future__ import annotations

from typing import TextIO

from .arrays import AnswerError
from .notes import note_lines
from .session import DrillSession
from ..usertext import shown


def run_plain(session: DrillSession, stdin: TextIO, stdout: TextIO, header: list[str] = ()) -> int:
    def say(line: str) -> None:
        stdout.write(shown(line) + "\n")  # a scenario's text may hold control characters: written out
        stdout.flush()

    for line in header:
        say(line)
    while session.current is not None:
        say(session.prompt())
        reply = stdin.readline()
        if reply == "":  # end of input: like quit
            break
        if reply.strip().lower() == "note":  # the step's notes, as the TUI drill shows them; not an answer
            for line in note_lines(session.tape, session.current.step):
                say(line)
            continue
        try:
            parsed = session.read(reply)
        except AnswerError as exc:  # junk, or an array of the wrong shape: asked again, not counted
            say(str(exc))
            continue
        if isinstance(parsed, str) and parsed == "hint":
            say(session.hint())
        elif isinstance(parsed, str) and parsed == "skip":
            say(session.skip().line)
        elif isinstance(parsed, str) and parsed == "quit":
            break
        else:
            say(session.answer(parsed).line)
    session.quit()
    say(session.score)
    return 0
