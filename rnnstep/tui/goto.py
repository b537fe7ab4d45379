"""Go to (:) a step, a phase or a value id, with completion; and the breakpoint list (B)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static
from textual.widgets.option_list import Option

from .palette import SafeOptionList as OptionList  # PageUp/PageDown guarded (Textual 8.2.8 bug)

from ..tape import Tape
from . import navigation
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


class GotoScreen(ModalScreen[int | None]):
    """Type a step number (1 … N), a phase (backward.w) or a value id (gradients.w.term[4,2]); tab completes."""

    DEFAULT_CSS = "GotoScreen {" + _CSS + "}"
    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="rnnstep.goto.cancel")]

    def __init__(self, tape: Tape) -> None:
        super().__init__()
        self.tape = tape

    def compose(self) -> ComposeResult:
        n = len(self.tape.steps)
        with Vertical(id="goto-body"):
            yield Label("Go to", classes="modal-title")
            yield Input(placeholder=f"1 … {n}, a phase, or an id such as gradients.w.term[…]", id="goto-input",
                        suggester=SuggestFromList(navigation.completions(self.tape), case_sensitive=False))
            yield Static("", id="goto-error")
            yield Label("→ or tab accepts the grey completion · enter goes · escape cancels", classes="dim")

    def on_key(self, event) -> None:
        if event.key == "tab":  # tab takes the completion, as in a shell
            field = self.query_one(Input)
            if field._suggestion:
                field.value = field._suggestion
                field.cursor_position = len(field.value)
            event.stop()
            event.prevent_default()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            index = navigation.goto_target(self.tape, event.value)
        except ValueError as exc:
            self.query_one("#goto-error", Static).update(user_text(str(exc), style="bold red"))
            return
        self.dismiss(index)

    def action_dismiss(self, result=None) -> None:  # type: ignore[override]
        self.dismiss(None)


class BreakpointScreen(ModalScreen[tuple[str, int] | None]):
    """Every breakpoint with its step: enter jumps there, d (or delete) removes it."""

    DEFAULT_CSS = "BreakpointScreen {" + _CSS + "}"
    BINDINGS = [Binding("escape", "dismiss", "Close", id="rnnstep.breakpoints.close"),
                Binding("d,delete", "remove", "Remove", id="rnnstep.breakpoints.remove")]

    def __init__(self, tape: Tape, breakpoints: set[int]) -> None:
        super().__init__()
        self.tape = tape
        self.breakpoints = breakpoints  # the app's own set: a removal is seen there at once

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
        if not self.breakpoints:
            options.add_option(Option("no breakpoints: b sets one on the current step", disabled=True))
        else:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(("go", int(event.option.id)))

    def action_remove(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id is not None:
            self.breakpoints.discard(int(option.id))
            self._fill()

    def action_dismiss(self, result=None) -> None:  # type: ignore[override]
        self.dismiss(("stay", -1))
