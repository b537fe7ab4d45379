"""The baseline for benchmarks/tui_latency.py: a Textual app doing the least (a Static updated on a key)."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App):
    BINDINGS = [("n", "next", "Next"), ("p", "previous", "Previous"), ("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 1

    def compose(self) -> ComposeResult:
        yield Static(f"Step {self.count} of many", id="count")

    def _show(self) -> None:
        self.query_one("#count", Static).update(f"Step {self.count} of many")

    def action_next(self) -> None:
        self.count += 1
        self._show()

    def action_previous(self) -> None:
        self.count -= 1
        self._show()


if __name__ == "__main__":
    Bare().run()
