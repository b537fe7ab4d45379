"""Test-only app factories: fixed scenarios and sizes, nothing that depends on time."""

from __future__ import annotations

from rnnstep.scenario import SCENARIO_DIR, load_scenario
from rnnstep.tui.app import DebuggerApp


def debugger(name: str = "notes-four-steps", **kwargs) -> DebuggerApp:
    return DebuggerApp(load_scenario(SCENARIO_DIR / f"{name}.toml"), **kwargs)
