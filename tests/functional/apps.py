"""Test-only app factories: fixed scenarios and sizes, nothing that depends on time."""

from __future__ import annotations

from rnnstep.scenario import SCENARIO_DIR, load_scenario
from rnnstep.tui.app import DebuggerApp


def debugger(name: str = "notes-four-steps", **kwargs) -> DebuggerApp:
    return DebuggerApp(load_scenario(SCENARIO_DIR / f"{name}.toml"), **kwargs)


def post_keys(app, *keys: str) -> None:
    """``keys`` posted at once, as one terminal read delivers them: nothing is handled between them
    (Pilot's ``press`` waits for the app to be idle after each key, which hides races between keys)."""
    from textual import events

    chars = {"enter": "\r", "escape": "\x1b", "tab": "\t", "space": " "}
    for key in keys:
        event = events.Key(key, chars.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app.post_message(event)
