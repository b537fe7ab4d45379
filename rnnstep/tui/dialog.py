"""One base for every dialog: once dismissed, it ignores whatever arrives after.

Upstream behaviour (Textual 8.2.8, pinned): ``Screen.dismiss`` runs ``App.pop_screen``, which pops whatever
screen is on top, not the screen it was called on. Keys that arrive in one terminal write (``5\\r\\r`` after
``:``; Escape then Enter) are all forwarded to the dialog's focused widget before the first is handled, so the
second Enter dismisses again: it pops the screen underneath (the debugger itself) and Textual raises
``ScreenStackError: Can't pop screen; there must be at least one screen on the stack``. The command palette
does the same from ``CommandPalette._select_or_command`` when a command is chosen while another screen change
is under way. Here a dialog dismisses once, and only while it is the top screen; after that the keys, clicks
and what its widgets make of them (``Input.Submitted``, ``OptionList.OptionSelected`` …) are dropped.

Order: Textual runs a binding when its key has bubbled up to the app, so Escape's binding would run before
the ``Input.Submitted`` of an Enter typed just before it reaches the dialog (it is posted on the input's own
queue and bubbles up behind). Escape therefore posts ``Cancelled`` to the focused widget: it follows the
same path as what that widget made of the earlier keys, and the first of them to reach the dialog wins.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label

Result = TypeVar("Result")


def is_gesture(message: Message) -> bool:
    """A key or a click, or a widget's message made from one (these bubble; Textual's own housekeeping
    messages and lifecycle events, which the screen needs to be torn down, are let through)."""
    if isinstance(message, events.InputEvent):
        return True
    return (not isinstance(message, events.Event) and message.bubble
            and type(message).__module__ != "textual.messages")


class Cancelled(Message):
    """Escape (or another close key) in a dialog, on its way up from the focused widget."""


class DismissOnce:
    """Mixin for a Screen (before the Screen class in the bases): ``dismiss`` acts once, on the top screen only;
    the close keys bind to ``cancel``, which dismisses with ``cancel_result`` in the order the keys came."""

    _dismissed = False
    cancel_result: object = None

    def action_cancel(self) -> None:
        (self.focused or self).post_message(Cancelled())

    def on_cancelled(self, message: Cancelled) -> None:
        message.stop()
        self.cancel()

    def cancel(self) -> None:
        self.dismiss(self.cancel_result)

    def dismiss(self, result=None) -> AwaitComplete:
        if self._dismissed or not self.is_active:  # a second key of the same write, or not on top: nothing to pop
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)

    async def _dispatch_message(self, message: Message) -> None:
        if self._dismissed and is_gesture(message):  # queued before, or arriving after, the dismissal
            return  # (not dispatched, so not bubbled to the app's bindings either)
        await super()._dispatch_message(message)


class Dialog(DismissOnce, ModalScreen[Result]):
    """A modal screen of rnnstep: Textual's ModalScreen, dismissed once."""


class Confirm(Dialog[bool]):
    """A yes/no question: y answers yes; n or escape no (so a stray escape never does the harmful thing)."""

    DEFAULT_CSS = """
    Confirm { align: center middle; background: $background; }  /* opaque: a number half under it would read as cut */
    Confirm #confirm-body { width: 64; max-width: 100%; height: auto; border: thick $warning; background: $surface;
                            padding: 1 2; }
    Confirm Label { width: 100%; }
    Confirm .dim { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Yes", id="rnnstep.confirm.yes"),
                Binding("n,escape", "cancel", "No", id="rnnstep.confirm.no")]
    cancel_result = False

    def __init__(self, question: str, keys: str = "y: yes   n / escape: no") -> None:
        super().__init__()
        self.question, self.keys = question, keys

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body"):
            yield Label(self.question, markup=False)
            yield Label(self.keys, classes="dim", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
