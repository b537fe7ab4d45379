"""Pilot tests: the debugger shows the engine's numbers, step by step, both ways."""

from __future__ import annotations

import random

import pytest

import rnnstep
from reference import OVERFLOW_TOML
from rnnstep import notation as nt
from rnnstep.tui.widgets import RunningSums, StepDetail, panel_text
from sampled import FULL, steps_to_visit

from .apps import debugger

SIZE = (140, 45)


def shown(app, widget) -> str:
    """The plain text a panel shows now."""
    return panel_text(app.query_one(widget))


async def test_stepping_shows_the_engines_running_sums_both_ways():
    app = debugger()
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    async with app.run_test(size=SIZE) as pilot:
        start = tape.steps.phase_start("backward.w_prime")
        for _ in range(start):
            await pilot.press("n")
        for i in range(4):
            assert app.cursor == start + i
            text = shown(app, RunningSums)
            expected = nt.fmt(float(tape.gradients["w_prime"].running_sum[i]))
            assert f"Σ {expected}" in text, text
            assert nt.fmt(float(tape.gradients["w_prime"].value[i])) in shown(app, StepDetail)
            await pilot.press("n")
        # and back again, exactly
        for i in reversed(range(4)):
            await pilot.press("p")
            assert app.cursor == start + i
            assert f"Σ {nt.fmt(float(tape.gradients['w_prime'].running_sum[i]))}" in shown(app, RunningSums)


async def test_end_shows_every_total_and_update():
    app = debugger()
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        text = shown(app, RunningSums)
        for param, table in tape.gradients.items():
            assert f"{nt.gradient_symbol(param):10} = {nt.fmt(table.total)}" in text
        for param, u in tape.updates.items():
            assert nt.fmt(u.new) in text
        await pilot.press("home")
        assert app.cursor == 0


async def test_breakpoints_continue_and_phases():
    app = debugger()
    tape = app.tape
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")  # scenario breakpoint: backward.w_prime
        assert app.cursor == tape.steps.phase_start("backward.w_prime")
        await pilot.press("c")
        assert app.cursor == tape.steps.phase_start("backward.w")
        await pilot.press("n", "b")  # a breakpoint of our own
        mine = app.cursor
        await pilot.press("home", "c", "c", "c")
        assert app.cursor == mine
        await pilot.press("b", "home", "c", "c", "c")  # removed again: runs to the end
        assert app.cursor == len(tape.steps) - 1
        await pilot.press("home", "right_square_bracket")
        assert tape.steps[app.cursor].phase == "loss"
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert tape.steps[app.cursor].phase == "backward.w"
        await pilot.press("n", "left_square_bracket")
        assert app.cursor == tape.steps.phase_start("backward.w")
        await pilot.press("left_square_bracket")
        assert app.cursor == tape.steps.phase_start("backward.w_prime")


async def test_update_starts_the_next_epoch_on_the_new_weights():
    app = debugger()
    first = app.tape
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "u")
        assert app.epoch == 1 and app.cursor == 0
        for param, u in first.updates.items():
            assert getattr(app.tape.scenario, param) == u.new
        for _ in range(4):
            await pilot.press("u")
        assert app.epoch == 5 and len(app.loss_history) == 6
        assert app.loss_history[-1] < app.loss_history[0]  # gradient descent works on this scenario


async def test_open_a_bad_file_keeps_the_scenario_and_shows_the_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[weights]\nw = 'x'\n")
    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await pilot.press("o")
        await pilot.click("#open-path")
        app.screen.query_one("#open-path").value = str(bad)  # typed a key at a time: test_vector_debugger.py
        await pilot.press("enter")
        error = str(app.screen.query_one("#open-error").render())
        assert "bad.toml: weights.w: expected a finite number" in error
        await pilot.press("escape")
        assert app.tape.scenario.title == "The notes' four steps" and app.cursor == 2
        await pilot.press("o")
        await pilot.click("#open-path")
        app.screen.query_one("#open-path").value = str(rnnstep.scenario.SCENARIO_DIR / "relu-dead-step.toml")
        await pilot.press("enter")
        assert app.tape.scenario.title == "ReLU with a dead step" and app.cursor == 0


async def test_export_writes_once_and_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "enter")
        await app.workers.wait_for_complete()  # the export runs in a worker (tui/export.py)
        await pilot.pause()
        written = tmp_path / "notes-four-steps-derivation.md"
        assert written.read_text().startswith("# The notes' four steps")
        written.write_text("my edits")
        await pilot.press("e")  # suggests a new name
        assert app.screen.query_one("#export-path").value.endswith("notes-four-steps-derivation-2.md")
        field = app.screen.query_one("#export-path")
        field.value = str(written)
        await pilot.press("enter")
        assert "already exists" in str(app.screen.query_one("#export-error").render())
        assert written.read_text() == "my edits"


async def test_screenshot_never_overwrites(tmp_path):
    app = debugger(screenshot_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s")
        await pilot.pause()
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["rnnstep-notes-four-steps-step1-2.svg", "rnnstep-notes-four-steps-step1.svg"]
        assert all(p.read_text().startswith("<svg") for p in tmp_path.iterdir())


async def test_tiny_terminal_shows_a_note_instead_of_garbage():
    app = debugger()
    async with app.run_test(size=(50, 15)) as pilot:
        assert app.screen.has_class("too-small")
        assert app.query_one("#too-small").display
        await pilot.press("n", "n")
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert not app.screen.has_class("too-small")
        assert app.cursor == 2


async def test_overflowing_scenario_is_shown_not_a_crash():
    scenario = rnnstep.load_scenario(OVERFLOW_TOML)
    from rnnstep.tui.app import DebuggerApp

    app = DebuggerApp(scenario)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(len(app.tape.steps)):
            await pilot.press("n")
        assert "overflow" in str(app.query_one("#status").render())
        await pilot.press("u")  # a non-finite update is refused, not applied
        assert app.epoch == 0


@pytest.mark.parametrize("name", ["notes-four-steps", "target-every-step", "truncated-bptt",
                                  "exploding-gradients-clipped", "binary-classification"])
async def test_every_step_of_shipped_scenarios_renders(name):
    """Each visited step (sampled.py: every step of a short tape; of a long one, every phase's ends and a seeded
    spread; RNNSTEP_FULL_TESTS=1: every step) is drawn, and n from it (forward) and p from it (backward) move one
    step, the ends staying put."""
    app = debugger(name)
    async with app.run_test(size=SIZE) as pilot:
        visit = steps_to_visit(app.tape)
        for index in visit:
            app.cursor = index
            await pilot.press("n")
            assert app.cursor == min(index + 1, app.last)
        assert visit[-1] == app.last
        for index in reversed(visit):
            app.cursor = index
            await pilot.press("p")
            assert app.cursor == max(index - 1, 0)
        assert visit[0] == 0


KEYS = list("npgGcbuq?[]") * 3 + ["right", "left", "space", "home", "end", "escape", "enter", "tab", "x", "1",
                                 "right_square_bracket", "left_square_bracket", "question_mark", "o", "e", "s",
                                 "ctrl+p", "up", "down", "backspace", "pagedown", "pageup", "ctrl+p", "pagedown",
                                 "colon", "B", "U", "w", "W", "f", "d", "tab", "r"]


#: dialogs' openers, and what may arrive in one write once one is open (issue 20: Enter-Enter in any dialog)
OPENERS = ["colon", "o", "e", "B", "ctrl+p", "question_mark", "m"]
BURSTS = [("enter", "enter"), ("escape", "enter"), ("enter", "escape"), ("n", "enter", "enter"),
          ("down", "enter", "enter"), ("1", "enter", "enter", "escape")]


@pytest.mark.parametrize("seed", range(6 if FULL else 3))  # RNNSTEP_FULL_TESTS=1: six runs of 350 keys, else three
async def test_random_keys_and_sizes_never_crash(seed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # exports and screenshots land here
    import asyncio

    import textual.app

    from .apps import post_keys

    async def yield_once(*args, **kwargs):  # Pilot's idle-wait after each key, minus the waiting
        await asyncio.sleep(0)

    monkeypatch.setattr(textual.app, "wait_for_idle", yield_once)
    rng = random.Random(seed)
    app = debugger(rng.choice(["notes-four-steps", "vanishing-gradients", "target-every-step",
                               "exploding-gradients"]), screenshot_dir=tmp_path)
    commands = app.get_system_commands
    app.get_system_commands = lambda screen: (c for c in commands(screen) if c.title != "Quit")  # the run goes on
    async with app.run_test(size=(rng.randint(40, 160), rng.randint(12, 50))) as pilot:
        for i in range(350):
            key = rng.choice(KEYS + OPENERS)
            if key == "q":
                continue  # quitting ends the run (q closes help, but typed ahead it reaches the app); the rest is fair
            await pilot.press(key)
            if key in OPENERS and rng.random() < 0.5:
                if rng.random() < 0.3:  # a resize while the dialog is (being) opened
                    await pilot.resize_terminal(rng.randint(30, 170), rng.randint(8, 55))
                post_keys(app, *rng.choice(BURSTS))  # keys of one write: nothing handled between them
                for _ in range(3):
                    await pilot.pause()
            if app.return_code is not None:
                break  # a way out, not a crash
            if i % 50 == 0:
                await pilot.resize_terminal(rng.randint(30, 170), rng.randint(8, 55))
            assert 0 <= app.cursor < len(app.tape.steps)
    # an exception inside the app is re-raised by run_test on exit, failing the test


async def test_the_key_bar_takes_clicks_and_greys_out_dead_keys():
    from rnnstep.tui.widgets import KeyBar

    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(KeyBar)
        text = bar.render()
        start = text.plain.index("Next") - 2
        await pilot.click(KeyBar, offset=(start, 0))
        assert app.cursor == 1
        prev = [span for span in text.spans if "dim" in str(span.style)]
        assert prev, "Prev is greyed out on the first step"
        await pilot.press("end")
        await pilot.pause()
        dimmed = {text.plain[s.start:s.end].strip() for s in bar.render().spans if "dim" in str(s.style)}
        assert "Next" in dimmed and "Prev" not in dimmed


async def test_the_command_palette_offers_every_action_that_can_act():
    from rnnstep.tui import keymap

    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for key in keymap.KEYS:
            offered = any(title.startswith(key.description + ":") for title in commands)
            if key.action == "quit":
                continue  # Textual's own Quit
            assert offered == (app.check_action(key.action.split("(")[0], ()) is True), key.id
            if key.action not in ("cancel_export", "previous_epoch", "next_wrong_claim", "previous_wrong_claim",
                                  "scroll_grid(1)", "scroll_grid(-1)",  # ⇧↓ ⇧↑: a vector scenario's tall grids
                                  "triangle_split",  # the carry/rest switch: gated cells only (SPEC §8)
                                  "toggle_flow"):  # f swaps the step and the chart below 30 rows; here both show
                assert offered, key.id
        assert not any(title.startswith("Cancel export") for title in commands)  # no export runs: nothing to cancel
        assert not any(title.startswith("Wrong claim") for title in commands)  # no worked example here
        await pilot.press("home")
        assert not any(c.title.startswith("Prev:") for c in app.get_system_commands(app.screen))  # at the first step
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)) and "Theme" in titles
        assert "Screenshot" not in titles  # Textual's own, beside the app's "Shot" (which never overwrites)
        next_step = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Next:"))
        await next_step.callback()
        await pilot.pause()
        assert app.cursor == 1


@pytest.mark.parametrize("size", [(100, 30), (140, 45)])
async def test_the_gradient_flow_chart_shows_the_whole_fall_and_v_pages_it(size):
    """Item 8: at 100×30 the chart showed two bars and no ruler. Every path of the 30 is in a row (bands of
    distances) with the ruler; v switches to a page of single paths ("⋮ … above") and back."""
    import re

    from rnnstep.tui.widgets import GradientFlow

    app = debugger("vanishing-gradients")
    async with app.run_test(size=size) as pilot:
        app.cursor = app.tape.steps.index_of("gradients.w_prime.term[30,1]")
        await pilot.pause()
        await pilot.pause()
        text = shown(app, GradientFlow)
        rows = re.findall(r"(\d+)–(\d+) back", text)
        assert len(rows) >= 5 and rows[0][0] == "0" and rows[-1][1] == "29", text
        assert "▶" in text and "┼" in text and "10⁻" in text.splitlines()[-1], text
        await pilot.press("v")
        paged = shown(app, GradientFlow)
        assert "29 back" in paged and "above" in paged and "–" not in paged.split("back")[0], paged
        await pilot.press("v")
        assert shown(app, GradientFlow) == text


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (100, 30), (140, 45)])
async def test_every_claim_shows_its_stated_value_verdict_and_true_value(size):
    """Item 10: at 100×30 and 80×24 a step with claims showed "stated in the worked example: … ▸ m: read the
    whole note". Every claim's stated value, its verdict and (when not right) the true value are on screen."""
    from rnnstep.tui.panels.step import _CLAIM_MARK

    app = debugger("worked-example-slip")
    async with app.run_test(size=size) as pilot:
        assert app.claims
        for index, results in sorted(app.claims.items()):
            if size[0] < 80 and app.tape.steps[index].kind == "term":
                continue  # 60×20: a term's panel keeps the term and its sum; its claim is cut with a sign (m)
            app.cursor = index
            await pilot.pause()
            text = " ".join(shown(app, StepDetail).split())  # wrapped lines joined
            for r in results:
                where = f"{size} step {index + 1}, {r.symbol}"
                assert f"{r.symbol} = {r.stated_text}" in text, f"{where}: no stated value\n{text}"
                assert _CLAIM_MARK[r.verdict][0].split()[0] in text, f"{where}: no verdict\n{text}"
                if r.verdict != "right":
                    assert f"true {nt.fmt(r.true)}" in text, f"{where}: no true value\n{text}"
