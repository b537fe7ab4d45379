"""The debugger's keys as data: one declaration, stable ids, used by the app, the footer and the help screen.

A user keymap could remap any action by its id (Textual's ``App.set_keymap``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    id: str
    keys: str  # comma-separated Textual key names
    action: str
    description: str
    help: str
    show: bool = True
    key_display: str | None = None


KEYS: tuple[Key, ...] = (
    Key("rnnstep.next", "n,right,space", "next", "Next", "next step", key_display="n →"),
    Key("rnnstep.previous", "p,left", "previous", "Prev", "previous step (exact: the tape is precomputed)", key_display="p ←"),
    Key("rnnstep.first", "home,g", "first", "First", "first step", show=False),
    Key("rnnstep.last", "end,G", "last", "Last", "last step (the totals and the update)", show=False),
    Key("rnnstep.continue", "c", "continue", "Continue", "continue to the next breakpoint (or the end)"),
    Key("rnnstep.breakpoint", "b", "toggle_breakpoint", "Break", "toggle a breakpoint on the current step"),
    Key("rnnstep.next_phase", "right_square_bracket", "next_phase", "Phase", "next phase", key_display="]"),
    Key("rnnstep.previous_phase", "left_square_bracket", "previous_phase", "Phase back", "previous phase (or this phase's start)", show=False, key_display="["),
    Key("rnnstep.factors_down", "down,j", "scroll_factors(1)", "Factors ↓", "scroll a long list of factors down", show=False, key_display="↓"),
    Key("rnnstep.factors_up", "up,k", "scroll_factors(-1)", "Factors ↑", "scroll a long list of factors up", show=False, key_display="↑"),
    Key("rnnstep.rows_down", "shift+down,J", "scroll_grid(1)", "Rows", "move the window of a matrix taller than its box down", key_display="⇧↓"),
    Key("rnnstep.rows_up", "shift+up,K", "scroll_grid(-1)", "Rows ↑", "move the window of a matrix taller than its box up", show=False, key_display="⇧↑"),
    Key("rnnstep.note", "m", "read_note", "Note", "read a note (and claims) cut for room, whole", show=False),
    Key("rnnstep.flow_paths", "v", "flow_paths", "Paths", "the gradient-flow chart: every path in bands, or a page of single paths", show=False),
    Key("rnnstep.flow", "f", "toggle_flow", "Flow", "show the gradient-flow chart in place of the step (short terminals)", show=False),
    Key("rnnstep.triangle_split", "t", "triangle_split", "Carry/rest",
        "the t×k triangle: whole terms, their carry share, or the rest (a gated cell, in turn)", show=False),
    Key("rnnstep.update", "u", "apply_update", "Update", "apply the update and start again on the new weights (next epoch)"),
    Key("rnnstep.previous_epoch", "U", "previous_epoch", "Undo update", "back one epoch: the earlier tape exactly as it was", show=False),
    Key("rnnstep.goto", "colon", "goto", "Go to", "go to a step number, a phase or a value id (tab completes); or watch ID, break when |term| < 1e-6", key_display=":"),
    Key("rnnstep.breakpoints", "B", "breakpoints", "Breakpoints", "list the breakpoints: jump to one or remove it", show=False),
    Key("rnnstep.next_wrong_claim", "w", "next_wrong_claim", "Wrong claim", "next wrong claim of a worked example"),
    Key("rnnstep.previous_wrong_claim", "W", "previous_wrong_claim", "Wrong claim back", "previous wrong claim of a worked example", show=False),
    Key("rnnstep.open", "o", "open", "Open", "open another scenario file"),
    Key("rnnstep.reload", "r", "reload", "Reload", "read the scenario file again, on the same step (--watch: on every save)"),
    Key("rnnstep.export", "e", "export", "Export", "export the derivation (markdown or LaTeX)"),
    Key("rnnstep.cancel_export", "x", "cancel_export", "Cancel export", "cancel the running export (nothing is written)", show=False),
    Key("rnnstep.screenshot", "s", "screenshot", "Shot", "save an SVG screenshot", show=False),
    Key("rnnstep.help", "question_mark", "help", "Help", "this help: every key", key_display="?"),
    Key("rnnstep.quit", "q", "quit", "Quit", "quit"),
)


def bindings() -> list[Binding]:
    return [
        Binding(k.keys, k.action, k.description, show=k.show, key_display=k.key_display, tooltip=k.help, id=k.id)
        for k in KEYS
    ]


_KEY_NAMES = {"colon": ":", "shift+down": "⇧↓", "shift+up": "⇧↑", "down": "↓", "up": "↑", "right": "→", "left": "←", "space": "space", "home": "Home", "end": "End",
              "right_square_bracket": "]", "left_square_bracket": "[", "question_mark": "?"}


def key_labels(key: Key) -> str:
    return " / ".join(_KEY_NAMES.get(k, k) for k in key.keys.split(","))


def bar_label(key: Key) -> str:
    """The key as the key bar shows it: its display, else its first key's name."""
    first = key.keys.split(",")[0]
    return key.key_display or _KEY_NAMES.get(first, first)
