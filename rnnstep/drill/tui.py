"""The drill in the terminal: the debugger's panels with the upcoming values hidden, and an answer box."""

from __future__ import annotations

from itertools import islice

import numpy as np
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from ..tui.view import View
from ..tui import palette
from ..tui.running import CrashReporting
from ..tui.layout import compose_panels, fit, prepare, show_panels, too_small_note
from .arrays import AnswerError
from .given import GIVEN_COMMAND, given_lines
from .lazy import length_up_to
from .session import DrillSession
from ..usertext import shown, shown_line


#: typed in the answer box of a vector drill: the step's note (or the description) whole, in a dialog
NOTE_COMMAND = "type note"

#: lines of the feedback box (its CSS max-height), with plain numbers and for a vector scenario
FEEDBACK_LINES = {False: 4, True: 6}  # keep in step with DEFAULT_CSS below
_COUNTED = 10_000  # questions made to count them for the status line; a longer drill says "of over 10,000"


def _lines(text: Text, width: int) -> int:
    from rich.console import Console

    return sum(len(part.wrap(Console(width=width, color_system=None), width)) for part in text.split("\n"))


def fit_feedback(feedback: Text, question: Text, width: int, lines: int) -> Text:
    """The last feedback, shortened so that it and the question fit the box: a long right answer
    (a big matrix) gives way before the entries named wrong, so no number is ever cut off
    (the whole line is in the history and in ``rnnstep drill --plain``)."""
    room = lines - _lines(question, width)
    if _lines(feedback, width) <= room:
        return feedback
    plain = feedback.plain
    style = feedback.style
    cut = plain.rfind(". ")  # "✗ wrong: …entries…. symbol = the right array": drop the array
    if cut > 0:
        shorter = Text(plain[:cut + 1], style=style)  # the whole line is in the history
        if _lines(shorter, width) <= room:
            return shorter
    head = plain.split(":", 2)
    if plain.startswith("✗ wrong") and len(head) > 1:
        shorter = Text(f"{head[0]}:{head[1]}", style=style)
        if _lines(shorter, width) <= room:
            return shorter
    if not plain.startswith(("✓", "✗")):
        return feedback  # a hint or a message: whole, and the box scrolls
    first = plain.split(" = ", 1)[0]  # "✓ right: symbol" / "✗ skipped: symbol": no number at all
    return Text(first if _lines(Text(first), width) <= room else plain[:1], style=style)


class AnswerInput(Input):
    """The answer box: Enter hands over what was typed and empties the box at once, so a second Enter of the
    same write hands over nothing (it used to answer the next question with the same text)."""

    async def action_submit(self) -> None:
        await super().action_submit()
        self.value = ""


def _note_screen(texts: list[Text]):
    """The drill's note dialog: typed keys are the answer's (the answer box is hidden behind it), so a printable
    key closes the dialog and goes into the answer box — nothing typed is lost; escape alone closes it."""
    from ..tui.screens import NoteScreen

    class DrillNote(NoteScreen):
        BINDINGS = [Binding("escape", "cancel", "Close", id="rnnstep.drill.note.close")]
        CLOSES = "escape closes; what you type goes to the answer box"

        def on_key(self, event) -> None:
            if event.character and event.character.isprintable():
                event.stop()
                event.prevent_default()
                box = self.app.query_one("#answer", Input)
                box.insert_text_at_cursor(event.character)
                self.dismiss(None)

    return DrillNote(texts)


class DrillApp(CrashReporting, App):
    """Predict each value before the debugger shows it."""

    CSS_PATH = "../tui/rnnstep.tcss"
    TITLE = "rnnstep drill"
    BINDINGS = [
        Binding("escape", "leave", "Leave", id="rnnstep.drill.quit",
                tooltip="end the drill, after asking (answers so far are kept)"),
        Binding("ctrl+h", "hint", "Hint", id="rnnstep.drill.hint", tooltip="a hint: the formula, then the numbers"),
    ]
    DEFAULT_CSS = """
    #answer-row { height: 3; }
    #answer { width: 1fr; }
    #feedback { height: auto; max-height: 4; padding: 0 1; }
    .vector #feedback { max-height: 6; overflow-y: auto; }
    """

    def __init__(self, session: DrillSession, header: str = "", theme: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.header = header
        self._theme_name = theme
        # a vector step needs its room for the question's inputs: a note cut there is read whole by typing
        # "note" (typed keys go to the answer box); the scalar drill stays the notes' drill as it was
        self.view = View(session.tape, 0, session.digits, more_key=NOTE_COMMAND if session.tape.vector else None)
        self.last_feedback: Text = Text(shown(header), style="dim")

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            yield from compose_panels(self.view)
            yield Static(id="feedback")
            with Horizontal(id="answer-row"):
                yield AnswerInput(placeholder=self._placeholder(), id="answer")
            yield Static(id="status")
        yield too_small_note()

    def _placeholder(self) -> str:
        if self.session.tape.vector:  # SPEC §7: a whole vector or matrix on one line
            return "numbers separated by spaces, rows by ; — or hint, skip, quit"
        return "your answer (a number), or hint, skip, quit"

    def action_command_palette(self) -> None:
        palette.open_palette(self)  # guards an upstream PageDown crash

    def search_themes(self) -> None:
        palette.search_themes(self)  # the theme picker is a palette too

    def on_mount(self) -> None:
        prepare(self, self._theme_name)
        self._fit(self.size.width, self.size.height)
        self.query_one(Input).focus()
        self.show_question()

    #: a vector drill's question needs its matrices on screen (W and W′ beside x and b): below this the
    #: drill says so instead of asking with its inputs cut (60×20 left a 24×5 step panel)
    VECTOR_MIN = (80, 24)

    def on_resize(self, event) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        fit(self, width, height)
        small = self.session.tape.vector and (width < self.VECTOR_MIN[0] or height < self.VECTOR_MIN[1])
        if small:
            self.screen_stack[0].set_class(True, "too-small")
            self.query_one("#too-small", Static).update(
                f"terminal too small: a vector drill needs at least {self.VECTOR_MIN[0]}×{self.VECTOR_MIN[1]} "
                "(each question's matrices on screen)")

    def show_question(self) -> None:
        s = self.session
        q = s.current
        if q is not None:
            self.view.cursor = q.step
            # hide what the learner has still to find at this step (the current value and those after it;
            # the questions are in tape order, so they follow the current one: no scan of the whole drill)
            self.view.hidden = set()
            for r in islice(s.questions, s.position, None):  # not a slice: the questions are made lazily
                if r.step != q.step:
                    break
                self.view.hidden.add(r.id)
                self.view.hidden.update(r.hides)  # what would give it away (a vector term gives δ away)
        else:
            self.view.cursor = len(s.tape.steps) - 1
            self.view.hidden = set()
        show_panels(self, self.view)
        title = Text("rnnstep drill", style="bold")
        title.append(f"  {shown_line(s.tape.scenario.name)}", style="bold")
        self.query_one("#titlebar", Static).update(title)
        feedback = self.last_feedback.copy()
        if q is not None:
            question = Text(f"? {q.text}", style="bold cyan")
            feedback, given = self._given_text(feedback, question)
            if given is not None:  # a gated cell's forward question: its inputs, above it (the panel has none)
                question = given.append("\n").append_text(question)
            if s.tape.vector:  # an array's feedback can be long; plain numbers keep the notes' drill as it was
                feedback = fit_feedback(feedback, question, self._feedback_width(), self._feedback_lines())
            feedback.append("\n")
            feedback.append_text(question)
        else:
            feedback.append(f"\nDrill over — {s.score}, best streak {s.best_streak}. Press escape to leave.",
                            style="bold")
        self.shown_feedback = feedback  # what the box holds (tests measure it)
        self.query_one("#feedback", Static).update(feedback)
        status = Text(f" {s.score} ", style="bold reverse")
        how = "rows by ; · hint · skip · quit" if s.tape.vector else "type a number · hint · skip · quit"
        total = length_up_to(s.questions, _COUNTED)  # a long tape's drill does not make every question to count them
        of = f"{min(s.position + 1, total)} of {total}" if total is not None else f"{s.position + 1} of over {_COUNTED:,}"
        counts = f"  streak {s.streak}  best {s.best_streak}  question {of}"
        if not s.tape.vector or status.cell_len + len(counts) + 3 + len(how) <= self.size.width:
            counts += f"   {how}"  # the keys only where they fit
        status.append(counts, style="dim")
        self.query_one("#status", Static).update(status)
        self.query_one(Input).disabled = q is None

    def given(self) -> list[str]:
        """The current question's givens (a gated cell's forward step: x_t, O_{t−1}, c_{t−1}, W, W′, b, b′, and
        what was found before it at this step); [] for any other question."""
        s = self.session
        q = s.current
        if q is None:
            return []
        found = []
        for i in range(s.position - 1, -1, -1):  # the questions asked before it at this step: a few, not the drill
            if s.questions[i].step != q.step:
                break
            found.insert(0, s.questions[i])
        return given_lines(s.tape, q, found, s.digits)

    def _given_text(self, feedback: Text, question: Text) -> tuple[Text, Text | None]:
        """The feedback and the givens: whole where they fit the feedback box with the question and the feedback
        (a ✓/✗ line shortened as fit_feedback does; the opening header gives way to its first part, the
        drill's name and seed, as the placeholder and status line say how to answer); otherwise one line
        saying how to read them (a number is never cut)."""
        lines = self.given()
        if not lines:
            return feedback, None
        width, room = self._feedback_width(), self._feedback_lines()
        whole = Text("\n".join(lines), style="cyan")
        below = whole.copy().append("\n").append_text(question)
        tries = [feedback]
        if feedback.plain == shown(self.header) and " · " in feedback.plain:
            tries.append(Text(feedback.plain.split(" · ", 1)[0], style=feedback.style))
        for shorter in tries:
            if _lines(fit_feedback(shorter, below, width, room), width) + _lines(below, width) <= room:
                return shorter, whole
        return feedback, Text(f"type {GIVEN_COMMAND} to read what this question starts from (x, W, …) whole",
                              style="cyan")

    def _feedback_lines(self) -> int:
        """The feedback box's lines (the question's included) in a vector drill: FEEDBACK_LINES, fewer where the
        running sums would otherwise lose rows of the Σ grid at a term (the box and the panels share the
        column's height; at 80×24 a 4-line ✗ left a 3×3 Σ one row and "rows 1–1 of 3")."""
        most = FEEDBACK_LINES[True]
        step = self.view.step
        try:
            sums, box = self.query_one("#sums"), self.query_one("#feedback", Static)
        except Exception:  # not composed yet
            return most
        if step.kind != "term" or sums.content_size.height <= 0:
            return most
        after = np.asarray(self.view.tape.gradients[step.param].running_sum[step.term])
        # the progress lines (one per parameter: a gated cell's b′ too), "Σ after", the grid
        need = len(self.view.tape.params) + 1 + (after.shape[0] if after.ndim else 1)
        return max(2, min(most, sums.content_size.height + box.size.height - need))

    def _feedback_width(self) -> int:
        width = self.query_one("#feedback", Static).size.width or (self.size.width - 2)
        return max(20, width)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        box = self.query_one(Input)
        box.value = ""
        if self.session.current is None:
            return
        if not event.value.strip():  # nothing to grade; a ✓/✗ stays (a second Enter of the same write)
            if not self.last_feedback.plain.startswith(("✓", "✗")):  # a rejection kept would read as a second one
                how = "a number" if int(np.prod(self.session.current.shape)) == 1 else "your answer"
                self.last_feedback = Text(f"nothing typed: type {how}, or hint, skip, quit", style="dim")
                self.show_question()
            return
        if self.view.more_key and event.value.strip().lower() == "note":
            self.action_read_note()
            return
        if event.value.strip().lower() == GIVEN_COMMAND and self.given():
            self.action_read_given()
            return
        try:
            parsed = self.session.read(event.value)
        except AnswerError as exc:  # junk, or an array of the wrong shape: asked again, not counted
            self.last_feedback = Text(str(exc), style="yellow")
            self.show_question()
            return
        command = parsed if isinstance(parsed, str) else None
        if command == "hint":
            self.action_hint()
            return
        if command == "quit":
            self.action_quit_drill()
            return
        feedback = self.session.skip() if command == "skip" else self.session.answer(parsed)
        self.last_feedback = Text(feedback.line, style="bold green" if feedback.right else "bold red")
        self.show_question()

    def action_read_note(self) -> None:
        """The step's note (at the first step, the scenario's description) whole; not an answer."""
        from ..tui.panels.step import note_text

        text = note_text(self.view)
        if text is None:
            self.last_feedback = Text("no note at this step", style="yellow")
            self.show_question()
            return
        self.push_screen(_note_screen([text]))

    def action_read_given(self) -> None:
        """The current question's givens whole, in a dialog; not an answer."""
        self.push_screen(_note_screen([Text(line) for line in self.given()]))

    def action_hint(self) -> None:
        if self.session.current is not None:
            self.last_feedback = Text(self.session.hint(), style="italic")
            self.show_question()

    def action_quit_drill(self) -> None:
        self.session.quit()
        self.show_question()

    async def action_leave(self) -> None:
        """Escape: leave a finished drill at once; mid-drill, ask first (a stray escape used to end it at 0/0)."""
        if self.session.current is None:
            await self.action_quit()
            return
        from ..tui.dialog import Confirm

        s = self.session
        kept = f"your {s.answered} answer{'s' if s.answered != 1 else ''} so far {'are' if s.answered != 1 else 'is'} kept"
        question = f"End the drill here, at question {s.position + 1} of {len(s.questions)}? ({kept})"

        def chosen(end: bool | None) -> None:
            if end:
                self.call_next(self.action_quit)

        self.push_screen(Confirm(question, "y: end the drill   n / escape: keep going"), chosen)

    async def action_quit(self) -> None:
        self.session.quit()
        self.exit(0)
