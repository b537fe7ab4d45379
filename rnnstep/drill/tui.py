"""The drill in the terminal: the debugger's panels with the upcoming values hidden, and an answer box."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from ..tui.view import View
from ..tui import palette
from ..tui.running import CrashReporting
from ..tui.layout import compose_panels, fit, prepare, show_panels, too_small_note
from .grading import NotANumber, parse_answer
from .session import DrillSession


class DrillApp(CrashReporting, App):
    """Predict each value before the debugger shows it."""

    CSS_PATH = "../tui/rnnstep.tcss"
    TITLE = "rnnstep drill"
    BINDINGS = [
        Binding("escape", "quit", "Quit", id="rnnstep.drill.quit", tooltip="end the drill (answers so far are kept)"),
        Binding("ctrl+h", "hint", "Hint", id="rnnstep.drill.hint", tooltip="a hint: the formula, then the numbers"),
    ]
    DEFAULT_CSS = """
    #answer-row { height: 3; }
    #answer { width: 1fr; }
    #feedback { height: auto; max-height: 4; padding: 0 1; }
    """

    def __init__(self, session: DrillSession, header: str = "", theme: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.header = header
        self._theme_name = theme
        self.view = View(session.tape, 0, session.digits)
        self.last_feedback: Text = Text(header, style="dim")

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            yield from compose_panels(self.view)
            yield Static(id="feedback")
            with Horizontal(id="answer-row"):
                yield Input(placeholder="your answer (a number), or hint, skip, quit", id="answer")
            yield Static(id="status")
        yield too_small_note()

    def action_command_palette(self) -> None:
        palette.open_palette(self)  # guards an upstream PageDown crash

    def on_mount(self) -> None:
        prepare(self, self._theme_name)
        self.query_one(Input).focus()
        self.show_question()

    def on_resize(self, event) -> None:
        fit(self, event.size.width, event.size.height)

    def show_question(self) -> None:
        s = self.session
        q = s.current
        if q is not None:
            self.view.cursor = q.step
            # hide what the learner has still to find at this step (the current value and those after it)
            self.view.hidden = {r.id for r in s.remaining if r.step == q.step}
        else:
            self.view.cursor = len(s.tape.steps) - 1
            self.view.hidden = set()
        show_panels(self, self.view)
        title = Text("rnnstep drill", style="bold")
        title.append(f"  {s.tape.scenario.name}", style="bold")
        self.query_one("#titlebar", Static).update(title)
        feedback = self.last_feedback.copy()
        if q is not None:
            feedback.append("\n")
            feedback.append(f"? {q.text}", style="bold cyan")
        else:
            feedback.append(f"\nDrill over — {s.score}, best streak {s.best_streak}. Press escape to leave.",
                            style="bold")
        self.query_one("#feedback", Static).update(feedback)
        status = Text(f" {s.score} ", style="bold reverse")
        status.append(f"  streak {s.streak}  best {s.best_streak}  question "
                      f"{min(s.position + 1, len(s.questions))} of {len(s.questions)}   "
                      "type a number · hint · skip · quit", style="dim")
        self.query_one("#status", Static).update(status)
        self.query_one(Input).disabled = q is None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        box = self.query_one(Input)
        box.value = ""
        if self.session.current is None:
            return
        try:
            parsed = parse_answer(event.value)
        except NotANumber:
            self.last_feedback = Text(f"not a number: {event.value.strip()[:40]!r} — type a number, or hint, "
                                      "skip, quit", style="yellow")
            self.show_question()
            return
        if parsed == "hint":
            self.action_hint()
            return
        if parsed == "quit":
            self.action_quit_drill()
            return
        feedback = self.session.skip() if parsed == "skip" else self.session.answer(parsed)
        self.last_feedback = Text(feedback.line, style="bold green" if feedback.right else "bold red")
        self.show_question()

    def action_hint(self) -> None:
        if self.session.current is not None:
            self.last_feedback = Text(self.session.hint(), style="italic")
            self.show_question()

    def action_quit_drill(self) -> None:
        self.session.quit()
        self.show_question()

    async def action_quit(self) -> None:
        self.session.quit()
        self.exit(0)
