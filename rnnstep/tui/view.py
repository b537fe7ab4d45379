"""The panels' names in one place (each panel lives in its own module under tui/panels/).

Pure functions, no Textual: the debugger and the drill both call them, and tests
read them. Nothing here computes the network's maths — every number is read off
the tape and shown through the one formatter (rnnstep.numbers.fit).
"""

from __future__ import annotations

from .panels.base import View, sparkline
from .panels.flow import flow_chart, flow_param
from .panels.network import network_strip
from .panels.status import status_line
from .panels.step import claims_text, note_text, step_panel, step_title
from .panels.sums import sums_panel

__all__ = ["View", "claims_text", "flow_chart", "flow_param", "network_strip", "note_text", "sparkline",
           "status_line", "step_panel", "step_title", "sums_panel"]
