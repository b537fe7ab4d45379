"""A user's keys from the config file drive the debugger, its key bar and its help."""

from __future__ import annotations

from rich.console import Console

from rnnstep.tui.screens import HelpScreen

from .apps import debugger


async def test_the_users_keys_move_the_cursor_and_show_in_the_bar_and_help():
    app = debugger(keys={"rnnstep.next": "j", "rnnstep.goto": "ctrl+g"})
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("j")
        assert app.cursor == 1
        await pilot.press("n")  # no longer next
        assert app.cursor == 1
        bar = str(app.query_one("#keys").render())
        assert " j Next " in bar and " ctrl+g Go to " in bar and "n →" not in bar
        await pilot.press("ctrl+g")
        assert type(app.screen).__name__ == "GotoScreen"
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=120, record=True, color_system=None)
        for widget in app.screen.query("Static"):
            console.print(widget.content)
        help_text = console.export_text()
        assert "ctrl+g" in help_text and "colon" not in help_text
