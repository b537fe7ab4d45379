"""Go to (:) a step, a phase or a value id, with completion; and the breakpoint list (B)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static
from textual.widgets.option_list import Option

from .palette import SafeOptionList as OptionList  # PageUp/PageDown guarded (Textual 8.2.8 bug)

from ..tape import Tape
from .. import navigation
from .dialog import Dialog
from .panels.base import phase_label
from ..usertext import user_text

_CSS = """
    align: center middle;
    background: $background;  /* opaque: a dialog over half a number would show it cut */
    .modal-title { text-style: bold; color: $accent; margin-bottom: 1; }
    .dim { color: $text-muted; }
    #goto-body, #bp-body { width: 76; max-width: 100%; border: thick $accent; background: $surface;
                           padding: 1 2; height: auto; max-height: 100%; }
    #goto-error { height: auto; }
    #bp-list { height: auto; max-height: 14; }
"""


class CommonPrefix(Suggester):
    """The grey completion is what tab gives: the text every matching id begins with, not the first id."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.words = words

    async def get_suggestion(self, value: str) -> str | None:
        found = navigation.completion(self.words, value)
        return found if found is not None and found.startswith(value) else None  # shown after what was typed


class GotoScreen(Dialog[object]):
    """Type a step number (1 … N), a phase (backward.w) or a value id (gradients.w.term[4,2]); tab completes.
    Also `watch ID`, `unwatch ID`, `break when CONDITION` (tui/commands.py): dismissed with that command."""

    DEFAULT_CSS = "GotoScreen {" + _CSS + "}"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rnnstep.goto.cancel")]

    def __init__(self, tape: Tape) -> None:
        super().__init__()
        self.tape = tape
        self.words = navigation.completions(tape)

    def compose(self) -> ComposeResult:
        n = len(self.tape.steps)
        with Vertical(id="goto-body"):
            yield Label("Go to", classes="modal-title")
            yield Input(placeholder=f"1 … {n}, a phase, an id; or watch ID, break when |term| < 1e-6", id="goto-input",
                        suggester=CommonPrefix(self.words))
            yield Static("", id="goto-error")
            yield Label("→ or tab accepts the grey completion · enter goes · escape cancels", classes="dim")

    def on_key(self, event) -> None:
        if event.key == "tab":  # tab completes as in a shell: to the common prefix, else lists what matches
            event.stop()
            event.prevent_default()
            self._complete()

    def _complete(self) -> None:
        field = self.query_one(Input)
        longer = navigation.completion(self.words, field.value)
        if longer is not None:
            field.value = longer
            field.cursor_position = len(longer)
            return
        found = navigation.matching(self.words, field.value) if field.value else []
        if len(found) > 1:
            shown = ", ".join(found[:4]) + (", …" if len(found) > 4 else "")
            self.query_one("#goto-error", Static).update(Text(f"{len(found)} ids begin so: {shown}", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from . import commands

        try:
            command = commands.parse(self.tape, event.value)  # watch …, break when …
            if command is not None:
                self.dismiss(command)
                return
            index = navigation.goto_target(self.tape, event.value)
        except ValueError as exc:
            self.query_one("#goto-error", Static).update(user_text(str(exc), style="bold red"))
            return
        self.dismiss(index)


class BreakpointScreen(Dialog[tuple[str, int] | None]):
    """Every breakpoint with its step: enter jumps there, d (or delete) removes it."""

    DEFAULT_CSS = "BreakpointScreen {" + _CSS + "}"
    BINDINGS = [Binding("escape", "cancel", "Close", id="rnnstep.breakpoints.close"),
                Binding("d,delete", "remove", "Remove", id="rnnstep.breakpoints.remove")]
    cancel_result = ("stay", -1)

    def __init__(self, tape: Tape, breakpoints: set[int], conditions: list | None = None) -> None:
        super().__init__()
        self.tape = tape
        self.breakpoints = breakpoints  # the app's own set: a removal is seen there at once
        self.conditions = conditions if conditions is not None else []  # the app's own list, likewise

    def compose(self) -> ComposeResult:
        with Vertical(id="bp-body"):
            yield Label("Breakpoints", classes="modal-title")
            yield OptionList(id="bp-list")
            yield Label("enter jumps to it · d removes it · escape closes", classes="dim")

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        steps = self.tape.steps
        for index in sorted(self.breakpoints):
            step = steps[index]
            options.add_option(Option(f"step {index + 1:>5}  {phase_label(step.phase, self.tape.vector)}  {step.id}", id=str(index)))
        for n, condition in enumerate(self.conditions):
            options.add_option(Option(Text(f"when {condition}"), id=f"when:{n}"))
        if not self.breakpoints and not self.conditions:
            options.add_option(Option("no breakpoints: b sets one on the current step", disabled=True))
        else:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and not event.option.id.startswith("when:"):
            self.dismiss(("go", int(event.option.id)))

    def action_remove(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id is not None and option.id.startswith("when:"):
            del self.conditions[int(option.id[5:])]
            self._fill()
        elif option.id is not None:
            self.breakpoints.discard(int(option.id))
            self._fill()

