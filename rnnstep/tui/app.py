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
from ..build import build_tape
from ..scenario import Scenario
from ..tape import Tape
from .. import navigation
from . import keymap
from .view import View, status_line
from .paths import short_path, toast_width
from .layout import compose_panels, fit, prepare, show_panels, toggle_flow, too_small_note
from .widgets import KeyBar
from .running import CrashReporting, run
from . import palette
from ..methods.describe import method_title_parts
from ..usertext import shown, shown_line
from .panels.carry import gated, next_split
from ..methods.chunk_tape import stepped
from .chunk_view import panel_view


class DebuggerApp(CrashReporting, App):
    """Step through the forward pass and every backward term of a scenario."""

    CSS_PATH = "rnnstep.tcss"
    BINDINGS = keymap.bindings()
    TITLE = "rnnstep"

    cursor: var[int] = var(0, init=False)  # a var: panels repaint only the lines a step changes

    #: how often --watch looks at the file (a stat call: cheap)
    WATCH_SECONDS = 0.5

    def __init__(self, scenario: Scenario, digits: int = 6, theme: str | None = None,
                 screenshot_dir: str | Path | None = None, cursor: int = 0, watch: bool = False,
                 keys: dict[str, str] | None = None, recalled=None) -> None:
        super().__init__()
        from .config import effective_keys

        self.user_keys = dict(keys or {})  # binding id -> keys, from the config file (tui/config.py)
        self.keymap_keys = effective_keys(self.user_keys)
        self.watching = watch
        self._stamp: tuple | None = None  # the watched file's (path, mtime, size, inode) when last read
        self.digits = digits
        self._theme_name = theme
        self.screenshot_dir = Path(screenshot_dir) if screenshot_dir else Path.cwd()
        self.epoch = 0
        self.earlier: list[Tape] = []  # the tapes of earlier epochs, for U
        self.message: tuple[str, ...] = ()  # a one-off word in the status line (end of tape, epoch applied …), gone at the next move
        self._use(build_tape(scenario))
        self._watch_file(self.tape)
        self.loss_history = [self.tape.loss]
        self._shown: dict[str, object] = {}  # what the title, note and sparkline show now
        self._exporter = None
        if recalled is not None:  # where the student left this file last time (tui/memory.py)
            cursor = self._restore(recalled)
        self.set_reactive(DebuggerApp.cursor, max(0, min(cursor, self.last)))
        self.view.cursor = self.cursor

    def _restore(self, recalled) -> int:
        """Replay the remembered epochs, set the remembered breakpoints; the remembered step's index (or 0)."""
        if recalled.note:
            self.message = (recalled.note, recalled.note.split(" (")[0], recalled.note.split(":")[0])  # the first that fits
        if recalled.cursor is None:
            return 0
        affordable = max(0, 2_000_000 // max(1, len(self.tape.steps)))  # replaying epochs is building tapes
        for _ in range(min(recalled.epoch, affordable)):
            new = self.tape.next_scenario()
            if not all(np.isfinite(w).all() for w in new.weights().values()):
                break
            self.earlier.append(self.tape)
            self.epoch += 1  # before _use: its claims are judged at epoch 0 only
            self._use(build_tape(new))
            self.loss_history.append(self.tape.loss)
        self.breakpoints = {navigation.step_in(self.tape, i) for i in recalled.breakpoints} - {None}
        self._recall_watches(recalled)
        index = navigation.step_in(self.tape, recalled.cursor)
        where = f"step {(index or 0) + 1}" + (f", epoch {self.epoch}" if self.epoch else "")
        self.message = (f"back where you left it: {where} (--fresh starts over)", f"back at {where}")
        return index or 0

    def _recall_watches(self, recalled) -> None:
        """The watches and conditions typed last time (the file's own are there already); any that no
        longer read are left out."""
        from ..conditions import ConditionError, parse_condition
        from ..watches import WatchError, tape_watch

        for text in recalled.watches:
            try:
                watch = tape_watch(text, self.tape)
            except WatchError:
                continue
            if all(w.text != watch.text for w in self.watches):
                self.watches.append(watch)
        for text in recalled.conditions:
            try:
                condition = parse_condition(text)
            except ConditionError:
                continue
            if all(str(c) != str(condition) for c in self.conditions):
                self.conditions.append(condition)

    def remember(self) -> None:
        """Keep where the student is in this file for next time (tui/memory.py)."""
        from . import memory

        steps = self.tape.steps
        memory.keep(self.tape.scenario.source, steps[self.cursor].id, [steps[i].id for i in sorted(self.breakpoints)],
                    self.epoch, watches=[w.text for w in self.watches], conditions=[str(c) for c in self.conditions])

    @property
    def _file_stem(self) -> str:
        """The scenario file's name without .toml, for the names of exports and screenshots."""
        source = self.tape.scenario.source
        return "scenario" if source.startswith("<") else Path(source).stem

    def _watch_file(self, tape: Tape) -> None:
        """The file's watches and conditional breakpoints (kept across epochs, replaced by another file)."""
        from ..watches import tape_watch

        self.watches = [tape_watch(text, tape) for text in tape.scenario.watches]
        self.conditions = navigation.scenario_conditions(tape)

    def _rewatch(self, tape: Tape) -> None:
        """After a reload: the file's watches and conditions, with those typed at ':' that still name a value."""
        from ..watches import WatchError, tape_watch

        typed = [w.text for w in self.watches]
        typed_conditions = list(self.conditions)
        self._watch_file(tape)
        for text in typed:
            if all(w.text != text for w in self.watches):
                try:
                    self.watches.append(tape_watch(text, tape))
                except WatchError:
                    pass  # the new file has no such value: the watch goes with it
        for condition in typed_conditions:
            if all(str(c) != str(condition) for c in self.conditions):
                self.conditions.append(condition)

    def _use(self, tape: Tape) -> None:
        self.tape = tape = stepped(tape)  # TBPTT steps chunk by chunk (methods/chunk_tape.py)
        self.breakpoints = navigation.scenario_breakpoints(tape)
        self.notes = navigation.notes_by_step(tape)
        # a worked example's claims are about epoch 0: judged against a later epoch's tape they would all be
        # wrong, so from epoch 1 on they are not judged (the status line says so; U goes back to them)
        self.claims = navigation.claims_by_step(tape) if self.epoch == 0 else {}
        self.claims_wrong = sum(r.wrong for results in self.claims.values() for r in results)  # per tape, not per step
        self.view = View(tape, 0, self.digits, notes=self.notes, claims=self.claims, more_key="m",
                         update_key="u")

    # ------------------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            yield from compose_panels(panel_view(self.view))
            yield Static(id="watches")
            yield Static(id="status")
            yield KeyBar(id="keys")
        yield too_small_note()

    def on_mount(self) -> None:
        if self.user_keys:
            from .config import textual_keymap

            self.set_keymap(textual_keymap(self.user_keys))
        prepare(self, self._theme_name)
        self._show_title()
        self._show_watches()
        self._show_status()
        if self.watching:
            self._stamp = self._file_stamp()
            self.set_interval(self.WATCH_SECONDS, self._check_file)

    def on_resize(self, event) -> None:
        fit(self, event.size.width, event.size.height)
        self._show_title()  # the title and status lines are fitted to the width: whole parts or none
        self._show_watches()
        self._show_status()

    def watch_cursor(self, old: int, new: int) -> None:
        self.message = ()
        self.view.factor_offset = 0
        self.refresh_views()
        if {old, new} & {0, self.last} or old > self.last:  # which keys are greyed out changes only at the ends
            self.refresh_bindings()
            self.query_one(KeyBar).refresh()

    def refresh_views(self) -> None:
        """Point every panel at the cursor's step (or at a new tape)."""
        self.view.cursor = self.cursor
        show_panels(self, self.view)
        self._show_title()
        self._show_watches()
        self._show_status()

    def _show_watches(self) -> None:
        """The watch line above the status line, while anything is watched."""
        line = self.query_one("#watches", Static)
        line.display = bool(self.watches)
        if self.watches:
            from .panels.watches import watch_line

            line.update(watch_line(self.tape, self.watches, self.cursor, max(20, self.size.width - 2), self.digits),
                        layout=False)

    def _show_title(self) -> None:
        s = self.tape.scenario
        title = Text("rnnstep", style="bold")
        title.append(f"  {shown_line(s.name)}", style="bold")
        cell = f"{s.cell.upper()}, n = {s.sizes[0]}" if s.cell != "rnn" else f"f = {s.activation}"  # SPEC §8
        parts = [cell, f"g = {s.output_activation}", s.loss, f"T = {self.tape.T}"]
        parts += ([f"truncate = {s.truncate}"] if s.truncate else []) + ([f"clip = {nt.fmt(s.clip)}"] if s.clip else [])
        parts += method_title_parts(self.tape)  # SPEC §9: TBPTT(k1, k2) and its chunks, keep, RTRL, clip_norm
        parts.append(f"epoch {self.epoch}")
        width = self.size.width - 2 or 200
        for n, part in enumerate(parts):  # whole parts or none: "clip = 0." must never be what is left
            text = ("   " if n == 0 else ", ") + part
            if title.cell_len + len(text) > width:
                break
            title.append(text, style="dim")
        if title != self._shown.get("title"):
            self._shown["title"] = title
            self.query_one("#titlebar", Static).update(title, layout=False)

    def _show_status(self) -> None:
        status = status_line(self.view, self.breakpoints, self.epoch, self.loss_history, self.claims_wrong,
                             self.message, self.size.width)
        self.query_one("#status", Static).update(status, layout=False)

    def get_system_commands(self, screen):
        """The command palette (ctrl+p) offers every key's action that can act now, from the same keymap data."""
        for command in super().get_system_commands(screen):
            if command.title not in palette.DROPPED:
                yield command
        for key in self.keymap_keys:
            if key.action == "quit":  # Textual's own "Quit" is already there
                continue
            if self.check_action(key.action.split("(")[0], ()) is not True:
                continue  # nothing to do now (x with no export running, w with no claims): not offered
            yield SystemCommand(f"{key.description}: {key.help}", f"key: {keymap.key_labels(key)}",
                                partial(self.run_action, key.action))

    # ------------------------------------------------------------------------- actions

    def action_command_palette(self) -> None:
        palette.open_palette(self)

    def search_themes(self) -> None:
        palette.search_themes(self)  # the theme picker is a palette too: guarded the same way

    @property
    def last(self) -> int:
        return len(self.tape.steps) - 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("previous", "first") and self.cursor == 0:
            return None  # shown greyed out
        if action in ("last", "next_phase") and self.cursor == self.last:
            return None
        if action == "previous_epoch" and not self.earlier:
            return None
        if action in ("next_wrong_claim", "previous_wrong_claim") and not self.claims_wrong:
            # no worked example here: not in the key bar at all
            return False if not self.claims and not self.tape.scenario.claims else None
        if action == "scroll_grid":  # only a vector scenario has matrices; none taller than 8 rows fit already
            return self.tape.vector and max(self.tape.weights["w"].shape[0], self.tape.weights["w_out"].shape[0]) > 8
        if action == "triangle_split":  # the carry/rest switch: a gated cell's (SPEC §8)
            if not gated(self.tape):
                return False  # not here at all: no carry
            if self.tape.single_target:
                return None  # no triangle (one target): greyed
        if action == "toggle_flow" and not self.screen_stack[0].has_class("short"):
            return None  # both panels are shown: nothing to swap
        if action == "cancel_export":
            return self._exporter is not None and self._exporter.running
        return True

    def why_not(self, action: str) -> tuple[str, ...]:
        """Why a key pressed where it cannot act does nothing (said in the status line; the first that fits),
        or () where it acts or another key bar rule covers it."""
        if action == "triangle_split" and not gated(self.tape):
            return ("t splits a gated cell's t×k triangle into carry and rest: this is not a gated cell",
                    "t: not a gated cell, no carry to split")
        if action == "triangle_split" and self.tape.single_target:
            return ("t splits the t×k triangle into carry and rest: one target here, so there is no triangle",
                    "t: one target, no t×k triangle to split")
        if action == "toggle_flow" and not self.screen_stack[0].has_class("short"):
            return ("f swaps the step and the gradient-flow chart below 30 rows: both are shown here",
                    "f: both panels are shown (f swaps them below 30 rows)")
        if action == "previous_epoch" and not self.earlier:
            key = next((keymap.bar_label(k) for k in self.keymap_keys if k.action == action), "U")
            return (f"{key} goes back to the tape before the last update: this is the first epoch, nothing to undo",
                    f"{key}: this is the first epoch")
        if action in ("next_wrong_claim", "previous_wrong_claim") and not self.claims_wrong:
            key = next((keymap.bar_label(k) for k in self.keymap_keys if k.action == action), "w")  # as remapped
            if not self.claims and self.tape.scenario.claims:  # epoch ≥ 1: the claims are epoch 0's, not judged
                return (f"{key} steps to a wrong claim: the claims are about epoch 0's tape, not epoch {self.epoch}'s"
                        " (U goes back)", f"{key}: the claims are epoch 0's (U goes back)", f"{key}: claims are epoch 0's")
            if not self.claims:
                return (f"{key} steps to a worked example's wrong claims: this scenario makes no claims",
                        f"{key}: no claims here")
            return (f"{key} steps to a wrong claim: every claim of this worked example agrees with the tape",
                    f"{key}: no wrong claim")
        if action == "scroll_grid" and self.check_action(action, ()) is not True:
            if not self.tape.vector:
                return ("J/K (⇧↓/⇧↑) move the window of a matrix taller than its box: one unit here, no matrix",
                        "J/K: one unit, no matrix to move", "J/K: no matrix")
            return ("J/K (⇧↓/⇧↑) move the window of a matrix taller than its box: every matrix here fits whole",
                    "J/K: every matrix fits, nothing to move", "J/K: nothing to move")
        if action == "cancel_export" and self.check_action(action, ()) is not True:
            return ("x cancels a running export: none is running (e starts one)", "x: no export running")
        if action in ("previous", "first") and self.cursor == 0:
            return ("first step of the tape: nothing before it", "first step")
        if action in ("last", "next_phase") and self.cursor == self.last:
            return ("end of the tape · u: next epoch", "end of the tape")
        return ()

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """A key that cannot act here says why instead of nothing (Textual skips an action check_action refuses)."""
        if isinstance(action, str) and default_namespace in (None, self) and not namespaces:
            why = self.why_not(action.split("(")[0])
            if why and self.check_action(action.split("(")[0], ()) is not True:
                self._say(*why)
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def key_live(self, action: str) -> bool:
        """Does the key do something here? (n and c at the end still answer, to say it is the end.)"""
        if action in ("next", "continue") and self.cursor == self.last:
            return False
        return self.check_action(action, ()) is True

    def _move(self, index: int) -> None:
        self.cursor = max(0, min(self.last, index))

    def action_next(self) -> None:
        if self.cursor == self.last:
            self._at_end()
        self._move(self.cursor + 1)

    def _at_end(self) -> None:
        self._say("end of the tape · u: next epoch")

    def action_previous(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.last)

    def action_continue(self) -> None:
        if self.cursor == self.last:
            self._at_end()
        target = navigation.next_breakpoint(self.cursor, self.breakpoints, self.last)
        if self.conditions:
            from ..conditions import first_after

            met = first_after(self.tape, self.conditions, self.cursor)
            if met is not None and met <= target and met not in self.breakpoints:
                held = [c for c in self.conditions if c.holds(self.tape, met)]
                self._move(met)
                self._say(f"stopped: when {held[0]}" if held else "stopped")
                return
        self._move(target)

    def action_next_phase(self) -> None:
        self._move(navigation.next_phase(self.tape, self.cursor))

    def action_previous_phase(self) -> None:
        self._move(navigation.previous_phase(self.tape, self.cursor))

    def action_scroll_factors(self, by: int) -> None:
        from .idle_keys import factors_why
        from .widgets import StepDetail

        why = factors_why(self.query_one(StepDetail), by)  # measures this step's window afresh
        if why:
            self._say(*why)
            return
        first, end, count = self.view.cache.get("factor_window", (0, 0, 0))
        offset = max(0, min(first + by, count - (end - first)))
        if offset != first:
            self.view.factor_offset = offset
            show_panels(self, self.view)

    GRID_STEP = 4  # rows a press of ⇧↓ moves the window of a tall matrix

    def action_scroll_grid(self, by: int) -> None:
        w = self.tape.weights
        tallest = max(w["w"].shape[0], w["w_out"].shape[0])  # n hidden units, q outputs
        row = max(0, min(self.view.grid_row + by * self.GRID_STEP, tallest - 1))
        if row != self.view.grid_row:
            self.view.grid_row = row
            show_panels(self, self.view)
        else:
            self._say("J/K: the matrices' window is at their " + ("last rows" if by > 0 else "first rows"))

    def action_flow_paths(self) -> None:
        if gated(self.tape):  # the carry chart (carry_flow.py) has no pages: say so rather than do nothing
            self._say("v pages the plain chart; a gated cell's chart shows a sample from the nearest path to "
                      "the oldest, with the current one", "v: the carry chart has no pages")
            return
        from .idle_keys import flow_paths_why
        from .widgets import GradientFlow

        why = flow_paths_why(self.query_one(GradientFlow))  # every path fits: paged or not, the same chart
        if why:
            self._say(*why)
            return
        self.view.flow_paged = not self.view.flow_paged
        show_panels(self, self.view)
    def action_triangle_split(self) -> None:
        """The t×k triangle: whole terms → carry shares → rests → whole (a gated cell, SPEC §8)."""
        self.view.triangle_split = next_split(self.view.triangle_split)
        show_panels(self, self.view)
        said = {"whole": "triangle: whole terms", "carry": "triangle: carry shares",
                "rest": "triangle: the rests"}[self.view.triangle_split]
        from .widgets import GradientFlow, RunningSums, panel_text

        panels = [self.query_one(RunningSums)] + [p for p in [self.query_one(GradientFlow)] if p.display]
        if not any(line.startswith("‖") for p in panels for line in panel_text(p).split("\n")):
            # the triangle's title starts ‖…‖; not drawn: say where it would be (the short form if no room)
            screen = self.screen_stack[0]
            if screen.has_class("short") and not screen.has_class("show-flow"):  # f: the chart view draws it
                self._say(said + " (not on screen here: f shows the chart with the triangle under it)",
                          said + " (f shows it)", said)
            elif screen.has_class("short"):
                self._say(said + " (no room under this chart: a taller terminal shows it)", said + " (no room)", said)
            else:
                self._say(said + " (it shows at a backward term when the sums panel has room)", said)
            return
        self._say(said)

    def action_toggle_flow(self) -> None:
        toggle_flow(self)

    def action_toggle_breakpoint(self) -> None:
        self.breakpoints ^= {self.cursor}
        self._show_status()

    def action_apply_update(self) -> None:
        new = self.tape.next_scenario()
        weights = new.weights().values()
        if not all(np.isfinite(w).all() for w in weights):  # numbers, or arrays in a vector scenario
            self._say("the update is not finite (overflow): nothing applied")
            return
        self.earlier.append(self.tape)  # kept as it was: U goes back to exactly this tape
        self.epoch += 1
        self._switch_epoch(build_tape(new))
        self.loss_history.append(self.tape.loss)
        self._say_weights()

    def action_previous_epoch(self) -> None:
        if not self.earlier:
            self._say("this is the first epoch")
            return
        self.epoch -= 1
        self.loss_history.pop()
        self._switch_epoch(self.earlier.pop())
        self._say_weights(back=True)

    def _switch_epoch(self, tape: Tape) -> None:
        breakpoints = self.breakpoints
        self._use(tape)
        self.breakpoints = breakpoints  # same shape of tape: the same steps
        if self.cursor == 0:
            self.refresh_views()
        self.cursor = 0
        self.refresh_bindings()
        self.query_one(KeyBar).refresh()

    def _say_weights(self, back: bool = False) -> None:
        """The weights this epoch runs on, whole if the line has room, else rounded to fewer digits; and the
        loss of the epoch before (this epoch's L is shown once the forward pass reaches it, as in epoch 0).
        ``back`` (U): nothing was updated; the weights are epoch N's again, as they were."""
        s, d = self.tape.scenario, self.digits
        before = f"epoch {self.epoch - 1}: L = {nt.fmt(self.loss_history[-2], d)}" if len(self.loss_history) > 1 else ""
        if self.tape.vector:  # matrices: the update panel shows them; here the loss they came from
            done = (f"back to epoch {self.epoch}: its weights as they were, nothing updated" if back
                    else f"epoch {self.epoch}: {nt.all_params(self.tape)} updated")
            short = f"back to epoch {self.epoch}: nothing updated" if back else done
            self._say(done + (f"; {before}" if before else ""), done, short)
            return
        weights = s.weights().items()
        epoch = f"back to epoch {self.epoch}" if back else f"epoch {self.epoch}"
        self._say(f"{epoch}: " + ", ".join(f"{nt.param(p)} = {nt.fmt(v, d)}" for p, v in weights)
                  + (f"; {before}" if before else ""),
                  *(f"{epoch}: " + " ".join(f"{nt.param(p)}={nt.fmt(v, n)}" for p, v in weights)
                    for n in range(d, 1, -1)))

    def _say(self, *message: str) -> None:
        """A word in the status line (not a toast over it), until the next move; the first that fits is shown."""
        self.message = message
        self._show_status()

    def show_scenario(self, scenario: Scenario | None) -> None:
        """Start again on ``scenario`` at its first step (None: the open dialog was cancelled)."""
        if scenario is None:
            return
        self.epoch = 0
        self.earlier = []
        self._use(build_tape(scenario))
        self._watch_file(self.tape)
        self.loss_history = [self.tape.loss]
        if self.cursor == 0:
            self.refresh_views()
        self.cursor = 0
        self._say(f"opened {shown_line(scenario.name)}")

    # ------------------------------------------------------------------------- reload (r) and --watch

    def _source(self) -> Path | None:
        source = self.tape.scenario.source
        return None if source.startswith("<") else Path(source)

    def _file_stamp(self) -> tuple | None:
        path = self._source()
        try:
            stat = path.stat() if path else None
        except OSError:
            return (str(path), None)  # gone for now (an editor saving by rename): a change when it is back
        return (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino) if stat else None

    def _check_file(self) -> None:
        """--watch: reload when the file's stamp changes (a file opened with o is watched from then on)."""
        if len(self.screen_stack) > 1:
            return  # a dialog is open (it may hold the old tape): the change is seen once it closes
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return
        moved = self._stamp is None or stamp[0] != self._stamp[0]
        self._stamp = stamp
        if not moved and stamp[1] is not None:
            self.action_reload()

    def action_reload(self) -> None:
        """Read the scenario file again; stay on the same step id (else the nearest earlier step, said);
        a broken file is one line, and the last good tape stays."""
        from ..scenario import ScenarioError, load_scenario

        path = self._source()
        if path is None:
            self._say("nothing to reload: this scenario was not read from a file")
            return
        try:
            tape = build_tape(load_scenario(path))
        except ScenarioError as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.notify(f"{message} — still showing the last good version", severity="error", timeout=8, markup=False)
            self._say(f"not reloaded: {path.name} has an error")
            return
        old, here = self.tape, self.cursor
        index, same = navigation.follow(old, tape, here)
        added = {old.steps[i].id for i in self.breakpoints - navigation.scenario_breakpoints(old)}
        removed = {old.steps[i].id for i in navigation.scenario_breakpoints(old) - self.breakpoints}
        self.epoch, self.earlier = 0, []
        self._use(tape)
        self._rewatch(tape)
        self.loss_history = [tape.loss]
        keep = {navigation.step_in(tape, i) for i in added} - {None}
        drop = {navigation.step_in(tape, i) for i in removed} - {None}
        self.breakpoints = (self.breakpoints - drop) | keep  # the file's breakpoints, with the user's b kept
        if self.cursor == index:
            self.refresh_views()
        self.cursor = index
        self.refresh_bindings()
        self.query_one(KeyBar).refresh()
        if self.watching:
            self._stamp = self._file_stamp()
        if not same:
            self.notify(f"step {old.steps[here].id} is not in the file any more: at {tape.steps[index].id}, "
                        "the nearest earlier step", timeout=6, markup=False)
        self._say(f"reloaded {path.name}")

    def action_open(self) -> None:
        from .screens import OpenScreen  # modal screens load on first use: start-up stays short

        self.push_screen(OpenScreen(), self.show_scenario)

    def action_export(self) -> None:
        stem = self._file_stem
        suggestion = _unused(Path.cwd() / f"{stem}-derivation.md")

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                # a worker: stepping goes on; a TBPTT tape's document is the printers' (full BPTT and its chunks)
                self.exporter.start(getattr(self.tape, "full", self.tape), Path(result[1]), self.digits)

        from .screens import ExportScreen

        self.push_screen(ExportScreen(str(suggestion)), chosen)

    @property
    def exporter(self):
        """Exports run one at a time in a worker (tui/export.py), made on first use."""
        if self._exporter is None:
            from .export import Exporter

            self._exporter = Exporter(self)
        return self._exporter

    def action_cancel_export(self) -> None:
        if self._exporter is not None:
            self._exporter.cancel()

    def action_screenshot(self) -> None:
        stem = self._file_stem
        target = _unused(self.screenshot_dir / f"rnnstep-{stem}-step{self.cursor + 1}.svg")
        try:
            self.save_screenshot(target.name, str(target.parent))
        except OSError as exc:
            self.notify(f"could not save a screenshot: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(shown(f"saved {short_path(target, toast_width(self.size.width))}"), timeout=4, markup=False)

    def action_next_wrong_claim(self) -> None:
        self._to_wrong_claim(1)

    def action_previous_wrong_claim(self) -> None:
        self._to_wrong_claim(-1)

    def _to_wrong_claim(self, direction: int) -> None:
        wrong = sorted(step for step, results in self.claims.items() if any(r.wrong for r in results))
        target = navigation.next_in(wrong, self.cursor, direction)
        if target is None:
            self._say("no wrong claim " + ("after" if direction > 0 else "before") + " this step")
        else:
            self._move(target)

    def action_goto(self) -> None:
        from .goto import GotoScreen

        def chosen(index) -> None:
            if isinstance(index, int):
                self._move(index)
            elif index is not None:
                self._command(index)

        self.push_screen(GotoScreen(self.tape), chosen)

    def _command(self, command) -> None:
        """A watch or a conditional breakpoint typed at the go-to prompt (tui/commands.py)."""
        verb, what = command.verb, command.argument
        if verb == "watch":
            if all(w.text != what.text for w in self.watches):
                self.watches.append(what)
            self._say(f"watching {what.text}")
        elif verb == "unwatch":
            before = len(self.watches)
            self.watches = [w for w in self.watches if what is not None and w.text != what.text]
            self._say(f"unwatched {before - len(self.watches)}")
        elif verb == "break":
            if all(str(c) != str(what) for c in self.conditions):
                self.conditions.append(what)
            self._say(f"c stops when {what}")
        elif verb == "unbreak":
            before = len(self.conditions)
            self.conditions = [c for c in self.conditions if what is not None and str(c) != str(what)]
            self._say(f"removed {before - len(self.conditions)} condition{'s' if before - len(self.conditions) != 1 else ''}")
        self._show_watches()

    def action_breakpoints(self) -> None:
        from .goto import BreakpointScreen

        def chosen(result: tuple[str, int] | None) -> None:
            if result is None:
                return
            verb, index = result
            if verb == "go":
                self._move(index)
            self._show_status()

        self.push_screen(BreakpointScreen(self.tape, self.breakpoints, self.conditions), chosen)

    def _note(self) -> list:
        """This step's claims and teaching note (and the description at the first step), whole."""
        from .view import claims_text, note_text

        return [t for t in (claims_text(self.view), note_text(self.view, with_description=True)) if t is not None]

    def action_read_note(self) -> None:
        texts = self._note()
        if not texts:
            self._say("no note at this step")
            return
        from .screens import NoteScreen

        self.push_screen(NoteScreen(texts))

    def action_help(self) -> None:
        from .screens import HelpScreen

        self.push_screen(HelpScreen(self.tape.vector, gated=gated(self.tape)))


def _unused(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext`` …: never an existing file."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def run_app(scenario: Scenario, digits: int = 6, theme: str | None = None, cursor: int = 0,
            watch: bool = False, keys: dict[str, str] | None = None, remember: bool = False,
            fresh: bool = False) -> int:
    """Run the debugger; with ``remember``, start where the student left the file and keep where they leave it."""
    recalled = None
    if remember:
        from . import memory

        recalled = memory.recall(scenario.source, fresh)
    app = DebuggerApp(scenario, digits=digits, theme=theme, cursor=cursor, watch=watch, keys=keys, recalled=recalled)
    code = run(app)
    if remember and app.crash_report is None:
        app.remember()
    return code
