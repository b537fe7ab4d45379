"""The step-through debugger: a Textual app over a tape cursor.

State lives in reactive attributes (``cursor``); ``watch_cursor`` keeps every
panel in step. The app does no arithmetic: each panel reads the tape.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Vertical
from textual.reactive import var
from textual.widgets import Static

from .. import notation as nt
from ..scenario import Scenario
from ..tape import Tape, build_tape
from . import keymap, navigation
from .view import View, sparkline
from .layout import compose_panels, fit, prepare, show_panels, too_small_note
from .widgets import KeyBar

class DebuggerApp(App):
    """Step through the forward pass and every backward term of a scenario."""

    CSS_PATH = "rnnstep.tcss"
    BINDINGS = keymap.bindings()
    TITLE = "rnnstep"

    cursor: var[int] = var(0, init=False)  # a var: panels repaint only the lines a step changes

    def __init__(self, scenario: Scenario, digits: int = 6, theme: str | None = None,
                 screenshot_dir: str | Path | None = None, cursor: int = 0) -> None:
        super().__init__()
        self.digits = digits
        self._theme_name = theme
        self.screenshot_dir = Path(screenshot_dir) if screenshot_dir else Path.cwd()
        self.epoch = 0
        self._use(build_tape(scenario))
        self.loss_history = [self.tape.loss]
        self._shown: dict[str, object] = {}  # what the title, note and sparkline show now
        self.set_reactive(DebuggerApp.cursor, max(0, min(cursor, self.last)))
        self.view.cursor = self.cursor

    @property
    def _file_stem(self) -> str:
        """The scenario file's name without .toml, for the names of exports and screenshots."""
        source = self.tape.scenario.source
        return "scenario" if source.startswith("<") else Path(source).stem

    def _use(self, tape: Tape) -> None:
        self.tape = tape
        self.breakpoints = navigation.scenario_breakpoints(tape)
        self.notes = navigation.notes_by_step(tape)
        self.claims = navigation.claims_by_step(tape)
        self.claims_wrong = sum(r.wrong for results in self.claims.values() for r in results)  # per tape, not per step
        self.view = View(tape, 0, self.digits, notes=self.notes, claims=self.claims)

    # ------------------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            yield from compose_panels(self.view)
            yield Static(id="status")
            yield KeyBar(id="keys")
        yield too_small_note()

    def on_mount(self) -> None:
        prepare(self, self._theme_name)
        self._show_title()
        self._show_status()

    def on_resize(self, event) -> None:
        fit(self, event.size.width, event.size.height)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_views()
        if {old, new} & {0, self.last} or old > self.last:  # which keys are greyed out changes only at the ends
            self.refresh_bindings()
            self.query_one(KeyBar).refresh()

    def refresh_views(self) -> None:
        """Point every panel at the cursor's step (or at a new tape)."""
        self.view.cursor = self.cursor
        show_panels(self, self.view)
        self._show_title()
        self._show_status()

    def _show_title(self) -> None:
        s = self.tape.scenario
        title = Text("rnnstep", style="bold")
        title.append(f"  {s.name}", style="bold")
        title.append(f"   f = {s.activation}, g = {s.output_activation}, {s.loss}, T = {self.tape.T}"
                     + (f", truncate = {s.truncate}" if s.truncate else "") + (f", clip = {nt.fmt(s.clip)}" if s.clip else "")
                     + f"   epoch {self.epoch}", style="dim")
        if title != self._shown.get("title"):
            self._shown["title"] = title
            self.query_one("#titlebar", Static).update(title, layout=False)

    def _show_status(self) -> None:
        steps = self.tape.steps
        status = Text()
        status.append(f" step {self.cursor + 1}/{len(steps)} ", style="bold reverse")
        for name, lo, hi in steps.phase_bounds():
            here = lo <= self.cursor < hi
            label = "fwd" if name == "forward" else ("loss" if name == "loss" else
                                                     ("upd" if name == "update" else nt.gradient_symbol(name.split(".")[1])))
            status.append(f" {label}", style="bold underline" if here else ("" if self.cursor >= hi else "dim"))
            if any(lo <= b < hi for b in self.breakpoints):
                status.append("●", style="red")
        if self.cursor in self.breakpoints:
            status.append("   ● breakpoint here", style="bold red")
        if self.tape.nonfinite:
            status.append("   ⚠ overflow: inf/nan on this tape", style="bold white on red")
        if self.claims:
            wrong = self.claims_wrong
            status.append(f"   claims: {wrong} wrong" if wrong else "   claims: all right",
                          style="bold red" if wrong else "green")
        status.append(f"   L = {nt.fmt(self.tape.loss, self.digits)}  epoch {self.epoch}", style="dim")
        if len(self.loss_history) > 1:
            status.append("  L by epoch ", style="dim")
            status.append(sparkline(self.loss_history[-24:]), style="bold cyan")
        self.query_one("#status", Static).update(status, layout=False)

    def get_system_commands(self, screen):
        """The command palette (ctrl+p) offers every key's action too, from the same keymap data."""
        yield from super().get_system_commands(screen)
        for key in keymap.KEYS:
            if key.action != "quit":  # Textual's own "Quit" is already there
                yield SystemCommand(f"{key.description}: {key.help}", f"key: {keymap.key_labels(key)}",
                                    partial(self.run_action, key.action))

    # ------------------------------------------------------------------------- actions

    @property
    def last(self) -> int:
        return len(self.tape.steps) - 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("previous", "first") and self.cursor == 0:
            return None  # shown greyed out
        if action in ("next", "last", "continue", "next_phase") and self.cursor == self.last:
            return None
        return True

    def _move(self, index: int) -> None:
        self.cursor = max(0, min(self.last, index))

    def action_next(self) -> None:
        self._move(self.cursor + 1)

    def action_previous(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.last)

    def action_continue(self) -> None:
        self._move(navigation.next_breakpoint(self.cursor, self.breakpoints, self.last))

    def action_next_phase(self) -> None:
        self._move(navigation.next_phase(self.tape, self.cursor))

    def action_previous_phase(self) -> None:
        self._move(navigation.previous_phase(self.tape, self.cursor))

    def action_toggle_breakpoint(self) -> None:
        self.breakpoints ^= {self.cursor}
        self._show_status()

    def action_apply_update(self) -> None:
        new = self.tape.next_scenario()
        weights = new.weights().values()
        if not all(np.isfinite(w).all() for w in weights):  # numbers, or arrays in a vector scenario
            self.notify("the update is not finite (overflow): nothing applied", severity="error")
            return
        self.epoch += 1
        breakpoints = self.breakpoints
        self._use(build_tape(new))
        self.breakpoints = breakpoints  # same shape of tape: the same steps
        self.loss_history.append(self.tape.loss)
        if self.cursor == 0:
            self.refresh_views()
        self.cursor = 0
        self.notify(f"epoch {self.epoch}: L = {nt.fmt(self.tape.loss, self.digits)}", timeout=3)

    def show_scenario(self, scenario: Scenario | None) -> None:
        """Start again on ``scenario`` at its first step (None: the open dialog was cancelled)."""
        if scenario is None:
            return
        self.epoch = 0
        self._use(build_tape(scenario))
        self.loss_history = [self.tape.loss]
        if self.cursor == 0:
            self.refresh_views()
        self.cursor = 0
        self.notify(f"opened {scenario.name}", timeout=3)

    def action_open(self) -> None:
        from .screens import OpenScreen  # modal screens load on first use: start-up stays short

        self.push_screen(OpenScreen(), self.show_scenario)

    def action_export(self) -> None:
        stem = self._file_stem
        suggestion = _unused(Path.cwd() / f"{stem}-derivation.md")

        def chosen(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            fmt, path = result
            if fmt == "markdown":
                from ..render.markdown import render_markdown as render
            else:
                from ..render.latex import render_latex as render
            try:
                with open(path, "x", encoding="utf-8") as out:  # "x": never overwrite
                    out.write(render(self.tape, self.digits))
            except OSError as exc:
                self.notify(f"could not write {path}: {exc.strerror or exc}", severity="error")
                return
            self.notify(f"wrote {path}", timeout=4)

        from .screens import ExportScreen

        self.push_screen(ExportScreen(str(suggestion)), chosen)

    def action_screenshot(self) -> None:
        stem = self._file_stem
        target = _unused(self.screenshot_dir / f"rnnstep-{stem}-step{self.cursor + 1}.svg")
        try:
            self.save_screenshot(target.name, str(target.parent))
        except OSError as exc:
            self.notify(f"could not save a screenshot: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"saved {target}", timeout=4)

    def action_help(self) -> None:
        from .screens import HelpScreen

        self.push_screen(HelpScreen())


def _unused(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext`` …: never an existing file."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def run_app(scenario: Scenario, digits: int = 6, theme: str | None = None, cursor: int = 0) -> int:
    app = DebuggerApp(scenario, digits=digits, theme=theme, cursor=cursor)
    app.run()
    return 0
