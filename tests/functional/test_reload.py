"""r reloads the scenario file on the same step; --watch reloads on save; a broken file keeps the last good tape."""

from __future__ import annotations

import os

from rnnstep import notation as nt
from rnnstep.scenario import SCENARIO_DIR, load_scenario
from rnnstep.tui.app import DebuggerApp
from rnnstep.tui.widgets import StepDetail, panel_text

SIZE = (120, 40)
NOTES = (SCENARIO_DIR / "notes-four-steps.toml").read_text(encoding="utf-8")


def scenario_file(tmp_path, text=NOTES):
    path = tmp_path / "week3.toml"
    path.write_text(text, encoding="utf-8")
    return path


def status(app) -> str:
    return str(app.query_one("#status").render())


def toasts(app) -> str:
    return " ".join(str(n.message) for n in app._notifications)


async def test_r_reloads_an_edited_file_on_the_same_step(tmp_path):
    path = scenario_file(tmp_path)
    app = DebuggerApp(load_scenario(path))
    async with app.run_test(size=SIZE) as pilot:
        target = app.tape.steps.index_of("gradients.w.term[4,2]")
        app.cursor = target
        await pilot.press("b")  # a breakpoint of the user's own, kept through the reload
        await pilot.pause()
        path.write_text(NOTES.replace("w = 0.5", "w = 0.75"), encoding="utf-8")
        await pilot.press("r")
        await pilot.pause()
        assert app.tape.scenario.w == 0.75 and app.cursor == target
        assert app.tape.steps[app.cursor].id == "gradients.w.term[4,2]" and target in app.breakpoints
        assert "reloaded week3.toml" in status(app)
        import tomllib

        data = tomllib.loads(NOTES)
        a1 = data["data"]["x"][0] * 0.75 + data["weights"]["b"]  # x₁·w + O₀·w′ + b with the new w (O₀ = 0)
        app.cursor = 0
        await pilot.pause()
        assert f"= {nt.fmt(a1)}" in panel_text(app.query_one(StepDetail))


PLAIN = "[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = {x}\ny = 0.2\n"


async def test_a_step_gone_from_the_file_lands_on_the_nearest_earlier_one_and_says_so(tmp_path):
    path = scenario_file(tmp_path, PLAIN.format(x="[1.0, 0.5, -0.3, 0.8]"))
    app = DebuggerApp(load_scenario(path))
    async with app.run_test(size=SIZE) as pilot:
        app.cursor = app.tape.steps.index_of("forward.O[4]")
        await pilot.pause()
        path.write_text(PLAIN.format(x="[1.0, 0.5, -0.3]"), encoding="utf-8")  # one step fewer
        await pilot.press("r")
        await pilot.pause()
        assert app.tape.T == 3 and app.tape.steps[app.cursor].id == "forward.O[3]"
        assert "forward.O[4] is not in the file any more: at forward.O[3]" in toasts(app)


async def test_a_broken_file_is_one_line_and_the_last_good_tape_stays(tmp_path):
    path = scenario_file(tmp_path)
    app = DebuggerApp(load_scenario(path))
    async with app.run_test(size=SIZE) as pilot:
        good, here = app.tape, 7
        app.cursor = here
        await pilot.pause()
        path.write_text(NOTES.replace("w = 0.5", "w = 'half'"), encoding="utf-8")
        await pilot.press("r")
        await pilot.pause()
        assert app.tape is good and app.cursor == here and app.is_running
        [message] = [n.message for n in app._notifications]
        assert "week3.toml" in message and "weights.w" in message and "\n" not in message
        assert "last good version" in message and "not reloaded" in status(app)


async def test_watch_reloads_on_save_and_keeps_the_tape_through_a_broken_save(tmp_path):
    path = scenario_file(tmp_path)
    app = DebuggerApp(load_scenario(path), watch=True)
    app.WATCH_SECONDS = 0.05
    async with app.run_test(size=SIZE) as pilot:
        app.cursor = 5
        await pilot.pause()
        path.write_text(NOTES.replace("w = 0.5", "w = 'half'"), encoding="utf-8")  # a save with a mistake
        await pilot.pause(0.3)
        assert app.tape.scenario.w == 0.5 and app.cursor == 5 and "not reloaded" in status(app)
        path.write_text(NOTES.replace("w = 0.5", "w = 0.625"), encoding="utf-8")  # fixed
        os.utime(path, ns=(1, 10**18))  # a distinct stamp, even within the file system's time resolution
        await pilot.pause(0.3)
        assert app.tape.scenario.w == 0.625 and app.cursor == 5 and "reloaded week3.toml" in status(app)


async def test_reload_without_a_file_says_so():
    from rnnstep.scenario import load_scenario as load

    app = DebuggerApp(load("title = 'typed'\n[weights]\nw = 1\nw_prime = 0.5\nb = 0\n[data]\nx = [1.0]\ny = 0.0\n"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        assert "nothing to reload" in status(app)


async def test_the_key_bar_shows_reload_where_there_is_room_to_spare(tmp_path):
    app = DebuggerApp(load_scenario(scenario_file(tmp_path)))
    async with app.run_test(size=(140, 45)) as pilot:
        assert " r Reload " in str(app.query_one("#keys").render())
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        bar = str(app.query_one("#keys").render())
        assert "Reload" not in bar and "ctrl+p commands" in bar and "e Export" in bar  # it gives way first


async def test_watch_waits_for_an_open_dialog_to_close(tmp_path):
    path = scenario_file(tmp_path)
    app = DebuggerApp(load_scenario(path), watch=True)
    app.WATCH_SECONDS = 0.05
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")  # the breakpoint list holds the tape's steps
        path.write_text(NOTES.replace("w = 0.5", "w = 0.625"), encoding="utf-8")
        os.utime(path, ns=(1, 10**18))
        await pilot.pause(0.3)
        assert app.tape.scenario.w == 0.5
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.tape.scenario.w == 0.625


async def test_the_debugger_reopens_where_it_was_left(tmp_path):
    from rnnstep.tui import memory

    path = scenario_file(tmp_path)
    app = DebuggerApp(load_scenario(path))
    async with app.run_test(size=SIZE) as pilot:
        app.cursor = app.tape.steps.index_of("gradients.w.term[4,2]")
        await pilot.press("b", "end", "u")  # a breakpoint of one's own, then the next epoch
        app.cursor = 7
        await pilot.pause()
        left = app.tape.steps[7].id
        app.remember()
    again = DebuggerApp(load_scenario(path), recalled=memory.recall(str(path)))
    async with again.run_test(size=SIZE) as pilot:
        assert again.epoch == 1 and again.tape.steps[again.cursor].id == left
        assert again.tape.steps.index_of("gradients.w.term[4,2]") in again.breakpoints
        assert again.tape.scenario.w != app.earlier[0].scenario.w  # the epoch's weights, replayed
        assert "back where you left it: step 8, epoch 1" in status(again)
