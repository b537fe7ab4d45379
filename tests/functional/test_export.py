"""Pilot tests of the debugger's export (tui/export.py): a worker, a progress bar, a cancel key, a size check."""

from __future__ import annotations

import os
import stat
import time

import rnnstep
from reference import long_net, to_toml
from rnnstep.tui import export
from rnnstep.tui.app import DebuggerApp

SIZE = (100, 30)


def long_app(T: int = 2000) -> DebuggerApp:
    return DebuggerApp(rnnstep.load_scenario(to_toml(long_net(T))))


def slowly(monkeypatch, delay: float = 0.002) -> None:
    """Every chunk of a document takes ``delay`` seconds: an export that lasts, on any machine."""
    chunks = export.document_chunks

    def slow(*args, **kwargs):
        for chunk in chunks(*args, **kwargs):
            time.sleep(delay)
            yield chunk

    monkeypatch.setattr(export, "document_chunks", slow)


async def test_the_ui_answers_keys_during_an_export_and_cancel_leaves_nothing(tmp_path, monkeypatch):
    slowly(monkeypatch)
    target = tmp_path / "long.md"
    app = long_app()
    async with app.run_test(size=SIZE) as pilot:
        app.exporter.start(app.tape, target, app.digits)
        await pilot.pause()
        assert app.exporter.running and app.query_one("#export-bar")
        for n in range(1, 6):  # stepping goes on while the worker writes
            await pilot.press("n")
            assert app.cursor == n
        assert app.exporter.running
        palette = [c.title for c in app.get_system_commands(app.screen)]
        assert any(title.startswith("Cancel export:") for title in palette)  # offered only while one runs
        progress = app.query_one("#export-progress").progress
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.exporter.running and not app.query("#export-bar")
        assert progress < export.chunk_count(app.tape)
        assert not any(c.title.startswith("Cancel export") for c in app.get_system_commands(app.screen))
    assert list(tmp_path.iterdir()) == []  # no partial file, no temporary file


async def test_an_export_finishes_with_the_whole_document(tmp_path):
    target = tmp_path / "long.tex"
    app = long_app(300)
    async with app.run_test(size=SIZE) as pilot:
        app.exporter.start(app.tape, target, app.digits)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.query("#export-bar")
    text = target.read_text()
    assert text.startswith(r"\documentclass{article}") and text.rstrip().endswith(r"\end{document}")
    assert r"\cdots \text{\small{} 297 factors} \cdots" in text
    assert [p.name for p in tmp_path.iterdir()] == ["long.tex"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


async def test_a_large_export_states_its_size_and_asks_first(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "SIZE_TO_ASK", 100_000)
    target = tmp_path / "big.md"
    app = long_app(1000)
    async with app.run_test(size=SIZE) as pilot:
        app.exporter.start(app.tape, target, app.digits)
        await pilot.pause()
        assert isinstance(app.screen, export.ConfirmSize)
        question = str(app.screen.question)
        assert "about 1." in question and "MB" in question and "3,002 terms" in question
        await pilot.press("n")
        await pilot.pause()
        assert not target.exists() and not app.exporter.running
        app.exporter.start(app.tape, target, app.digits)
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    size = target.stat().st_size
    assert 0.75 * export.estimate_bytes(app.tape, "markdown") < size < 1.33 * export.estimate_bytes(app.tape, "markdown")


def test_write_new_file_never_overwrites_and_cleans_up(tmp_path):
    target = tmp_path / "mine.md"
    target.write_text("my notes")
    try:
        export.write_new_file(target, iter(["x"]))
    except FileExistsError:
        pass
    else:
        raise AssertionError("overwrote an existing file")
    assert target.read_text() == "my notes"

    def failing():
        yield "half a document"
        raise OSError(28, "No space left on device")

    fresh = tmp_path / "fresh.md"
    try:
        export.write_new_file(fresh, failing())
    except OSError:
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.md"]


async def test_a_vector_scenario_exports_its_matrices(tmp_path):
    """SPEC §7 from the debugger: the same document as `trace --format latex|markdown`, its size foretold."""
    from rnnstep.render.vector_export import iter_vector_derivation
    from rnnstep.scenario import parse_scenario
    from vector_scenarios import vector_toml

    app = DebuggerApp(parse_scenario(vector_toml(n=6, m=3, q=2, T=12, every_step=True, seed=3), source="v.toml"))
    async with app.run_test(size=SIZE) as pilot:
        for name in ("v.tex", "v.md"):
            app.exporter.start(app.tape, tmp_path / name, app.digits)
            await app.workers.wait_for_complete()
            await pilot.pause()
    for name, fmt in (("v.tex", "latex"), ("v.md", "markdown")):
        text = (tmp_path / name).read_text()
        assert text == "".join(iter_vector_derivation(app.tape, app.digits, fmt))
        assert r"\mathrm{term}_{W'}(12,1)" in text
        estimate = export.estimate_bytes(app.tape, fmt)
        assert 0.7 * estimate < len(text.encode()) < 1.4 * estimate, (fmt, len(text), estimate)


async def test_the_export_message_shows_the_path_whole_at_80x24(tmp_path, monkeypatch):
    """A path wrapped mid-word in the toast read as two words: it is shortened to fit whole instead."""
    from rnnstep.scenario import SCENARIO_DIR

    deep = tmp_path / "courses" / "recurrent-networks" / "week-three"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    app = DebuggerApp(rnnstep.load_scenario(SCENARIO_DIR / "notes-four-steps.toml"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("e", "enter")
        await app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause(0.02)
            if app.screen.query("Toast"):
                break
        toast = app.screen.query("Toast").last()
        lines = [strip.text.strip() for strip in toast.render_lines(toast.region.reset_offset)]
        assert len(str(deep / "notes-four-steps-derivation.md")) > toast.content_size.width  # too long as it is
        assert any("wrote" in line for line in lines), lines
        assert any("notes-four-steps-derivation.md" in line for line in lines), lines  # on one line, whole
    assert (deep / "notes-four-steps-derivation.md").exists()


def test_short_path_keeps_a_path_whole_in_its_width():
    from rnnstep.tui.paths import short_path

    home, cwd = "/home/ana", "/home/ana/courses/rnn"
    path = "/home/ana/courses/rnn/week3/notes-four-steps-derivation.md"
    assert short_path(path, 80, cwd, home) == path
    assert short_path(path, 40, cwd, home) == "week3/notes-four-steps-derivation.md"
    assert short_path(path, 40, "/elsewhere", home) == "…/week3/notes-four-steps-derivation.md"
    assert short_path(path, 50, "/elsewhere", home) == "~/courses/rnn/week3/notes-four-steps-derivation.md"
    assert short_path(path, 31, "/elsewhere", home) == "notes-four-steps-derivation.md"
    for width in range(5, 30):
        short = short_path(path, width, "/elsewhere", home)
        assert len(short) <= width and short.endswith(".md") and "…" in short


async def test_the_export_toast_covers_whole_lines_above_the_status_line(tmp_path, monkeypatch):
    """try-out 2 item 4: at 80×24 the toast covered the status line and left "86" of L = 0.0410886 showing,
    and split its own size "(11.6" / "kB)". A toast covers whole lines, above the status line and key bar."""
    import re

    from rnnstep.scenario import SCENARIO_DIR

    deep = tmp_path / "a-rather-long-folder-name-for-the-exports" / "of-week-three-of-the-course"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    app = DebuggerApp(rnnstep.load_scenario(SCENARIO_DIR / "notes-four-steps.toml"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press(*"nnnnnnn", "e", "enter")
        await app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause(0.02)
            if app.screen.query("Toast"):
                break
        toast = app.screen.query("Toast").last()
        status = app.query_one("#status")
        assert toast.region.bottom <= status.region.y, (toast.region, status.region)
        rows = range(toast.region.y, toast.region.bottom)
        assert toast.region.x == 0 and toast.region.width == 80, toast.region  # whole lines: no part of a number
        assert all(app.screen.get_widget_at(x, y)[0] is toast for y in rows for x in (0, 79))
        lines = [strip.text.strip() for strip in toast.render_lines(toast.region.reset_offset)]
        assert any(re.search(r"\(\d[\d.,]* (bytes|kB|MB)\)", line) for line in lines), lines  # a size with its unit
        assert any("notes-four-steps-derivation.md" in line for line in lines), lines


def test_a_toast_message_keeps_a_size_with_its_unit():
    from rnnstep.tui.paths import toast_message

    assert toast_message("wrote a.tex (11.6 kB)", 40) == "wrote a.tex (11.6 kB)"
    assert toast_message("wrote /tmp/try2-exp/nh2.tex (11.6 kB)", 30) == "wrote /tmp/try2-exp/nh2.tex\n(11.6 kB)"
    assert toast_message("could not write x: no room", 10) == "could not write x: no room"
