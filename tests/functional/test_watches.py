"""Watches and conditional breakpoints in the debugger: typed at `:`, written in the file, and `c`."""

from __future__ import annotations

from rnnstep.numbers import fit
from rnnstep.scenario import load_scenario
from rnnstep.tui.app import DebuggerApp

from .test_debugger_verbs import type_text

SIZE = (100, 30)


def _line(app) -> str:
    return str(app.query_one("#watches").render())


async def test_a_typed_watch_follows_the_cursor():
    app = DebuggerApp(load_scenario("notes-four-steps"))
    async with app.run_test(size=SIZE) as pilot:
        assert not app.query_one("#watches").display  # nothing watched: no line
        await pilot.press("colon")
        await type_text(pilot, "watch gradients.w.running_sum")
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#watches").display
        assert "not yet" in _line(app) or "computed at step" in _line(app)
        start = app.tape.steps.phase_start("backward.w")
        table = app.tape.gradients["w"]
        for i in range(len(table)):
            app.cursor = start + i
            await pilot.pause()
            shown = fit(sum(table.value[: i + 1]), app.digits, 40)
            assert f"= {shown}" in _line(app), (_line(app), shown)
        await pilot.press("colon")
        await type_text(pilot, "unwatch")
        await pilot.press("enter")
        await pilot.pause()
        assert not app.query_one("#watches").display


async def test_c_stops_where_a_term_first_falls_below_the_bound():
    app = DebuggerApp(load_scenario("vanishing-gradients"))
    async with app.run_test(size=(140, 45)) as pilot:
        app.breakpoints.clear()
        await pilot.press("colon")
        await type_text(pilot, "break when |term| < 1e-6 in w")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        step = app.tape.steps[app.cursor]
        table = app.tape.gradients["w"]
        assert step.param == "w" and abs(table.value[step.term]) < 1e-6
        assert all(abs(v) >= 1e-6 for v in table.value[: step.term])
        assert "stopped" in str(app.query_one("#status").render())


async def test_a_bad_command_is_one_line_in_the_dialog():
    app = DebuggerApp(load_scenario("notes-four-steps"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "break when |term| < abc")
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#goto-error").render())
        assert "expected a number" in error
        await pilot.press("escape")


async def test_watches_from_the_file():
    text = ("[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0, 0.5, -0.2, 0.8]\ny = 0.3\n"
            '[train]\nwatch = ["forward.O[2]"]\nbreakpoints = ["when running_sum changes sign in w_prime"]\n')
    app = DebuggerApp(load_scenario(text))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one("#watches").display and "O₂" in _line(app)
        app.cursor = app.tape.steps.index_of("forward.O[2]")
        await pilot.pause()
        assert f"O₂ = {fit(app.tape.O[1], app.digits)}" in _line(app)
        assert len(app.conditions) == 1


async def test_typed_watches_and_conditions_survive_a_restart(tmp_path):
    from rnnstep.tui import memory

    path = tmp_path / "s.toml"
    path.write_text("[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0, 0.5, -0.2, 0.8]\ny = 0.3\n",
                    encoding="utf-8")
    app = DebuggerApp(load_scenario(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "watch forward.O")
        await pilot.press("enter")
        await pilot.press("colon")
        await type_text(pilot, "break when |term| < 1e-3 in w")
        await pilot.press("enter")
        await pilot.pause()
        app.remember()
    again = DebuggerApp(load_scenario(path), recalled=memory.recall(str(path)))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [w.text for w in again.watches] == ["forward.O"]
        assert [str(c) for c in again.conditions] == ["|term| < 1e-3 in w"]
        assert again.query_one("#watches").display
