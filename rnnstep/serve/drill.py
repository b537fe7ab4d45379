"""A drill in a browser tab (`rnnstep serve --drill`): answers are kept in memory and handed to the browser.

The terminal drill appends every answer to a history file on disk; a served
drill must write nothing on the server, so its history is a list of the same
JSON lines, delivered as a download (``rnnstep-drill-NAME.jsonl``, the format
``rnnstep stats --history FILE`` reads) when the drill ends: its last answer,
``quit``, or escape (which then waits for a second escape, so that the download
can finish before the tab's process ends).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.text import Text

from ..drill import tui as drill_tui
from ..drill.history import History, Loaded
from ..drill.questions import questions
from ..drill.session import DrillSession
from ..drill.tui import DrillApp
from ..scenario import Scenario
from ..build import build_tape
from .app import BrowserKeys, ServedCrash
from ..usertext import shown, shown_line


class MemoryHistory(History):
    """The drill history as JSON lines in memory: the same records as the file, never on disk."""

    def __init__(self) -> None:
        super().__init__(Path("history.jsonl"))
        self.lines: list[str] = []

    def append(self, record: dict) -> None:
        self.lines.append(json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n")

    def load(self) -> Loaded:
        return Loaded([json.loads(line) for line in self.lines], 0)


class ServedDrillApp(ServedCrash, BrowserKeys, DrillApp):
    """The drill for one browser tab; its history goes to the browser."""

    BINDINGS = BrowserKeys.KEYS

    CSS_PATH = str(Path(drill_tui.__file__).parent.parent / "tui" / "rnnstep.tcss")

    def __init__(self, scenario: Scenario, digits: int = 6) -> None:
        tape = build_tape(scenario)
        self.memory = MemoryHistory()
        session = DrillSession(tape, questions(tape, None, digits), self.memory, digits=digits)
        super().__init__(session, header=f"rnnstep drill: {shown_line(scenario.name)} · answer each question with a number, "
                                         "or: hint, skip, quit")
        self.delivered = 0  # history lines already sent to the browser

    @property
    def download_name(self) -> str:
        source = self.session.tape.scenario.source
        return f"rnnstep-drill-{'scenario' if source.startswith('<') else Path(source).stem}.jsonl"

    def deliver_history(self) -> bool:
        """Send the answers not yet sent (all of them, as one file); False when there is nothing new."""
        if len(self.memory.lines) == self.delivered:
            return False
        self.delivered = len(self.memory.lines)
        self.deliver_text(io.StringIO("".join(self.memory.lines)), save_filename=self.download_name,
                          mime_type="application/x-ndjson")
        self.notify(shown(f"{self.download_name}: your answers, sent to your browser as a download"), timeout=6,
                    markup=False)
        return True

    def show_question(self) -> None:
        super().show_question()
        if self.session.current is None:
            self.deliver_history()

    async def action_quit(self) -> None:
        self.session.quit()
        if self.deliver_history():
            self.last_feedback = Text("Your answers were sent to your browser as a download. "
                                      "Press escape again to leave.", style="bold")
            self.show_question()
            return
        self.exit(0)
