"""Keys that arrive in one write (Enter-Enter, Escape-Enter, Enter-Escape) in every dialog: never a crash.

Textual 8.2.8's ``Screen.dismiss`` pops whatever screen is on top; a second Enter already forwarded to the
dialog used to pop the debugger itself (ScreenStackError). See rnnstep/tui/dialog.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from textual.widgets import Input

import rnnstep
from rnnstep.drill.history import History
from rnnstep.drill.questions import questions
from rnnstep.drill.session import DrillSession
from rnnstep.drill.tui import DrillApp
from rnnstep.scenario import SCENARIO_DIR

from .apps import debugger, post_keys

SIZE = (120, 40)
BURSTS = [("enter", "enter"), ("escape", "enter"), ("enter", "escape"), ("escape", "escape"),
          ("enter", "enter", "enter")]


async def burst(pilot, *keys: str) -> None:
    """``keys`` posted at once, as one terminal read delivers them: nothing is handled between them."""
    post_keys(pilot.app, *keys)
    for _ in range(4):
        await pilot.pause()


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()


async def open_goto(app, pilot):
    await pilot.press("colon")
    app.screen.query_one(Input).value = "5"


async def open_open(app, pilot):
    await pilot.press("o")
    app.screen.query_one(Input).value = str(SCENARIO_DIR / "vanishing-gradients.toml")


async def open_export(app, pilot):
    await pilot.press("e")


async def open_breakpoints(app, pilot):
    await pilot.press("b", "n", "n", "B")  # a breakpoint on step 1, listed and highlighted


async def open_palette(app, pilot, query="Next"):
    await pilot.press("ctrl+p")
    for ch in query:
        await pilot.press(ch)
    await settle(pilot)
    from textual.command import CommandList

    if app.screen.query_one(CommandList).highlighted is None:
        await pilot.press("down")  # the list is shown and its first command highlighted
        await settle(pilot)


async def open_help(app, pilot):
    await pilot.press("question_mark")


async def open_note(app, pilot):
    await pilot.press("m")  # the first step's note: the scenario's description


async def open_themes(app, pilot):
    app.action_change_theme()  # the palette's "Theme" command: a palette of themes
    await settle(pilot)
    await pilot.press("down")  # the first theme highlighted
    await settle(pilot)


DIALOGS = {"themes": open_themes, "goto": open_goto, "open": open_open, "export": open_export, "breakpoints": open_breakpoints,
           "palette": open_palette, "help": open_help, "note": open_note}


@pytest.mark.parametrize("keys", BURSTS, ids="-".join)
@pytest.mark.parametrize("dialog", DIALOGS)
async def test_keys_in_one_write_in_any_debugger_dialog_never_crash(dialog, keys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an export lands here
    app = debugger(screenshot_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await DIALOGS[dialog](app, pilot)
        await settle(pilot)
        assert len(app.screen_stack) == 2, f"{dialog} did not open"
        await burst(pilot, *keys)
        await settle(pilot)
        assert app.return_code is None  # still running
        read_only = dialog in ("help", "note")  # enter does nothing there; escape closes
        assert len(app.screen_stack) == (2 if read_only and "escape" not in keys else 1)
        if keys[0] == "enter":  # the first key took effect, the rest were ignored
            expected = {"goto": 4, "breakpoints": 0, "palette": 1}.get(dialog)
            if expected is not None:
                assert app.cursor == expected, dialog
            if dialog == "open":
                assert app.tape.scenario.source.endswith("vanishing-gradients.toml")
            if dialog == "export":
                await app.workers.wait_for_complete()
                assert [p.name for p in tmp_path.glob("*.md")] == ["notes-four-steps-derivation.md"]
        await pilot.press("n")  # the debugger answers keys as before
        assert app.return_code is None
    # an exception inside the app is re-raised by run_test on exit, failing the test


async def test_a_large_exports_confirmation_takes_keys_in_one_write(tmp_path, monkeypatch):
    from rnnstep.tui import export

    monkeypatch.chdir(tmp_path)
    app = debugger(screenshot_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(export.ConfirmSize("Write it?"), lambda yes: app.notify(str(yes)))
        await settle(pilot)
        await burst(pilot, "y", "n", "escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1 and app.return_code is None


def drill_app(tmp_path, scenario=None):
    tape = rnnstep.build_tape(scenario or rnnstep.default_scenario())
    session = DrillSession(tape, questions(tape), History(tmp_path / "h.jsonl"))
    return DrillApp(session, header="drill test")


@pytest.mark.parametrize("keys", BURSTS, ids="-".join)
@pytest.mark.parametrize("dialog", ["palette", "themes"])
async def test_keys_in_one_write_in_the_drills_palettes_never_crash(dialog, keys, tmp_path):
    app = drill_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        if dialog == "themes":
            await open_themes(app, pilot)
        else:
            await open_palette(app, pilot, "keys")  # Textual's "Keys": the help panel
        assert len(app.screen_stack) == 2
        await burst(pilot, *keys)
        await settle(pilot)
        assert app.return_code is None and not app.session.finished  # an escape that reaches the drill asks first
        assert len(app.screen_stack) == 1  # keys behind the palette's closing key were the palette's: dropped


@pytest.mark.parametrize("guarded", [False, True])
async def test_the_palettes_search_worker_on_a_torn_down_palette_is_not_a_crash(guarded):
    """Upstream ``CommandPalette._gather_commands`` queries its CommandList: run on a palette already removed
    (a key typed just before Enter or Escape) it raised ``WorkerFailed(NoMatches('CommandList'))``."""
    from textual.command import CommandPalette
    from textual.worker import WorkerFailed

    from rnnstep.tui.palette import GuardedCommandPalette

    app = debugger()
    palette = (GuardedCommandPalette if guarded else CommandPalette)(id="--command-palette")
    failed = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(palette)
            await settle(pilot)
            await app.pop_screen()
            await settle(pilot)
            palette._gather_commands("n")
            await settle(pilot)
            await app.workers.wait_for_complete()
            await settle(pilot)
    except WorkerFailed as exc:
        failed = exc
    assert (failed is None) == guarded, failed


@pytest.mark.parametrize("guarded", [False, True])
async def test_a_command_chosen_while_another_screen_change_is_under_way_is_not_a_crash(guarded):
    """Issue 18 item 17: ``CommandPalette._select_or_command`` → ``dismiss`` → ``pop_screen`` ran after the palette
    had already left the stack (a screen change under way), popping the debugger's own screen."""
    from textual.app import ScreenStackError
    from textual.command import CommandPalette

    from rnnstep.tui.palette import GuardedCommandPalette

    app = debugger()
    ran = []
    failed = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            palette = (GuardedCommandPalette if guarded else CommandPalette)(id="--command-palette")
            await app.push_screen(palette)
            await settle(pilot)
            palette._selected_command = SimpleNamespace(command=lambda: ran.append(1))
            palette._list_visible = False
            app.pop_screen()  # the other screen change: the palette is off the stack, its removal under way
            palette._select_or_command()  # the Enter that was already on its way
            await settle(pilot)
            assert len(app.screen_stack) == 1
    except ScreenStackError as exc:
        failed = exc
    assert (failed is None) == guarded, failed


@pytest.mark.parametrize("dialog,typed,says", [
    ("o", "~nosuchuser-rnnstep/x.toml", "~nosuchuser-rnnstep: no such user"),
    ("o", "x" * 300 + ".toml", "at most 255"),
    ("e", "~nosuchuser-rnnstep/x.md", "~nosuchuser-rnnstep: no such user"),
    ("e", "x" * 300 + ".md", "at most 255"),
])
async def test_a_path_the_system_refuses_is_one_line_in_the_dialog(dialog, typed, says, tmp_path, monkeypatch):
    """Issue 20 item 3: ~nosuchuser (RuntimeError) and a name over 255 bytes (OSError) crashed these dialogs."""
    monkeypatch.chdir(tmp_path)
    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(dialog)
        await settle(pilot)
        app.screen.query_one(Input).value = typed
        await pilot.press("enter")
        await settle(pilot)
        error = app.screen.query_one("#open-error" if dialog == "o" else "#export-error")
        assert says in str(error.render()) and len(app.screen_stack) == 2
