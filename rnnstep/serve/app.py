"""The debugger as a browser tab gets it: it reads only the served scenarios and writes nothing.

``ServedApp`` is the terminal app with three actions replaced: open offers a list
of the scenarios the teacher served (no path to type), and export and screenshot
hand their file to the browser as a download (``App.deliver_text``) instead of
writing it on the server. Everything else — steps, keys, panels — is the app a
terminal runs.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ..scenario import Scenario
from ..tui import app as tui_app
from ..tui.app import DebuggerApp
from ..tui.dialog import Dialog
from ..tui.screens import _BODY_CSS, _MODAL_CSS
from ..usertext import shown, user_text

EXPORT_FORMATS = (("markdown", "Markdown (.md)", ".md", "text/markdown"),
                  ("latex", "LaTeX (.tex)", ".tex", "application/x-tex"))


class PickScreen(Dialog[object]):
    """Pick one item from a list (enter or a click); escape cancels. No text box, so no path can be typed."""

    DEFAULT_CSS = ("PickScreen {" + _MODAL_CSS + "#pick-body { width: 64; " + _BODY_CSS + " } "
                   "#pick-list { height: auto; max-height: 14; } }")

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rnnstep.pick.cancel")]

    def __init__(self, title: str, items: list[tuple[str, object]]) -> None:
        super().__init__()
        self.title_text = title
        self.items = items

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-body"):
            yield Label(self.title_text, classes="modal-title")
            yield OptionList(*(Option(user_text(label), id=str(i)) for i, (label, _) in enumerate(self.items)),
                             id="pick-list")
            yield Label("↑ ↓ to choose, enter to pick, escape to cancel", classes="dim")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.items[int(event.option.id or 0)][1])


class BrowserKeys:
    """Mixin for a served App: every action keeps a key that the browser lets through.

    A browser keeps ctrl+w, ctrl+t, ctrl+n and ctrl+tab for itself; Textual's Input deletes a word
    only with ctrl+w (the command palette's search box, the drill's answer box), so a browser tab
    gets alt+backspace too (priority: it works inside modal screens).
    """

    BROWSER_RESERVED = frozenset({"ctrl+w", "ctrl+t", "ctrl+n", "ctrl+tab", "ctrl+shift+tab",
                                  "ctrl+shift+w", "ctrl+shift+t", "ctrl+shift+n"})
    # (Textual merges BINDINGS only from DOMNode classes: each served App repeats ``BINDINGS = BrowserKeys.KEYS``)
    KEYS = [Binding("alt+backspace", "delete_left_word", "Delete word", show=False, priority=True,
                    id="rnnstep.serve.delete_left_word")]

    def action_delete_left_word(self) -> None:
        focused = self.focused  # type: ignore[attr-defined]
        if isinstance(focused, Input):
            focused.action_delete_left_word()


class ServedCrash:
    """Mixin for a served App (before the app class): a crash report goes to the server's console, not to a file.

    The terminal app writes the traceback to a file in the user's state folder
    (``CrashReporting``); a served tab must write nothing on the server, so its
    traceback goes to the process's stderr, which the server prints. The tab
    then shows "Session ended".
    """

    def _handle_exception(self, error: Exception) -> None:
        if getattr(self, "crash_report", None) is None:
            self.crash_report = (error, None)  # CrashReporting then writes no file
            from ..crash import traceback_text  # frames even for an error never raised (Textual's WorkerFailed)

            print(traceback_text(error), file=sys.__stderr__, end="")
        super()._handle_exception(error)  # type: ignore[misc]


class ServedApp(ServedCrash, BrowserKeys, DebuggerApp):
    """The debugger for one browser tab: ``scenarios`` are all it may open; files go to the browser."""

    BINDINGS = BrowserKeys.KEYS

    # Textual reads CSS_PATH beside the module of the class that runs: point at the debugger's own
    CSS_PATH = str(Path(tui_app.__file__).with_name(DebuggerApp.CSS_PATH))  # type: ignore[arg-type]

    def __init__(self, scenarios: list[Scenario], first: int = 0, **kwargs) -> None:
        super().__init__(scenarios[first], **kwargs)
        self.served = scenarios

    def on_mount(self) -> None:
        super().on_mount()
        self.title = f"rnnstep: {self.tape.scenario.name}"  # names a delivered screenshot; never a path

    def action_open(self) -> None:
        # hidden-vector scenarios marked as `rnnstep scenarios` marks them
        items = [(s.name + (f" [{s.cell.upper()}, n = {s.sizes[0]}]" if s.cell != "rnn" else
                            f" [n = {s.sizes[0]}]" if s.is_vector else ""), s) for s in self.served]
        self.push_screen(PickScreen("Open a scenario", items), self.show_scenario)

    def action_export(self) -> None:
        items = [(label, (fmt, suffix, mime)) for fmt, label, suffix, mime in EXPORT_FORMATS]
        self.push_screen(PickScreen("Export the derivation as a download", items), self._deliver_export)

    def _deliver_export(self, choice: tuple[str, str, str] | None) -> None:
        if choice is None:
            return
        fmt, suffix, mime = choice
        from ..tui.export import document_chunks  # the terminal's export text, vector scenarios too

        name = f"{self._file_stem}-derivation{suffix}"
        text = "".join(document_chunks(self.tape, fmt, self.digits))
        self.deliver_text(io.StringIO(text), save_filename=name, mime_type=mime)
        self.notify(shown(f"{name}: sent to your browser as a download"), timeout=4, markup=False)

    def action_screenshot(self) -> None:
        name = f"rnnstep-{self._file_stem}-step{self.cursor + 1}.svg"
        self.deliver_text(io.StringIO(self.export_screenshot()), save_filename=name, mime_type="image/svg+xml")
        self.notify(shown(f"{name}: sent to your browser as a download"), timeout=4, markup=False)
