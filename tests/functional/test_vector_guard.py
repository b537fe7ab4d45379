"""Until the debugger has its vector views, opening a hidden-vector file says so and keeps the scenario."""

from __future__ import annotations

from rnnstep.scenario import VECTOR_SCENARIO_DIR

from .apps import debugger


async def test_opening_a_vector_scenario_is_a_message_not_a_crash():
    app = debugger()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("n", "o")
        await pilot.click("#open-path")
        for ch in str(VECTOR_SCENARIO_DIR / "hello-char-rnn.toml"):
            await pilot.press(ch)
        await pilot.press("enter")
        error = str(app.screen.query_one("#open-error").render())
        assert "hello-char-rnn.toml: a hidden vector (n = 3)" in error
        await pilot.press("escape")
        assert app.tape.scenario.title == "The notes' four steps" and app.cursor == 1
