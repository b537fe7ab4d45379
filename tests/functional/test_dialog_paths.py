"""Paths typed in the open and export dialogs (issue 20): a name over 255 bytes, ~nosuchuser or a FIFO
is one line in the dialog, which stays open; the app never ends."""

from __future__ import annotations

import os
import threading

import pytest

from .apps import debugger

SIZE = (140, 45)
LONG = "a" * 300


async def _type(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(field).value = text
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("typed,words", [(f"{LONG}.toml", "at most 255"), ("~nosuchuser/x.toml", "no such user"),
                                         ("FIFO", "is a FIFO")], ids=["long-name", "nosuchuser", "fifo"])
async def test_the_open_dialog_shows_a_bad_path_in_one_line(tmp_path, typed, words):
    writer = None
    if typed == "FIFO":
        typed = str(tmp_path / "pipe.toml")
        os.mkfifo(typed)
        fd = os.open(typed, os.O_RDWR | os.O_NONBLOCK)  # a writer that never writes: a blocking read waits for it
        writer = threading.Timer(5.0, os.close, (fd,))  # ... for 5 s at most, so a frozen dialog fails, not hangs
        writer.start()
    app = debugger()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await _type(pilot, "#open-path", typed)
            error = str(app.screen.query_one("#open-error").render())
            assert words in error and "\n" not in error.strip()
            assert app.tape.scenario.title == "The notes' four steps"
            assert writer is None or writer.is_alive()  # answered before the writer went away
    finally:
        if writer is not None:
            writer.join()


@pytest.mark.parametrize("typed,words", [(f"{LONG}.md", ("at most 255", "too long")), ("~nosuchuser/x.md", ("no such user",))],
                         ids=["long-name", "nosuchuser"])
async def test_the_export_dialog_shows_a_bad_path_in_one_line(tmp_path, monkeypatch, typed, words):
    monkeypatch.chdir(tmp_path)
    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await _type(pilot, "#export-path", typed)
        error = str(app.screen.query_one("#export-error").render())
        assert any(word in error for word in words), error
        assert list(tmp_path.iterdir()) == []  # nothing written
