"""The served app (one browser tab's debugger) under Pilot: what it may open, what it writes, its keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnstep.scenario import SCENARIO_DIR, load_scenario
from rnnstep.serve.app import ServedApp
from rnnstep.serve.session import served_scenarios

PATHS = [str(SCENARIO_DIR / f"{n}.toml") for n in ("notes-four-steps", "vanishing-gradients")]


def served_app(monkeypatch, tmp_path: Path) -> tuple[ServedApp, list]:
    monkeypatch.chdir(tmp_path)
    app = ServedApp(served_scenarios(PATHS))
    delivered: list = []
    monkeypatch.setattr(app, "deliver_text", lambda file, **kw: delivered.append((file.read(), kw)) or "key")
    return app, delivered


def test_served_scenarios_keep_only_their_file_names():
    scenarios = served_scenarios(PATHS)
    assert [s.source for s in scenarios] == ["notes-four-steps.toml", "vanishing-gradients.toml"]
    assert scenarios[0] == load_scenario(PATHS[0])  # the same numbers: only the name changed


async def test_open_offers_the_served_scenarios_and_nothing_to_type(monkeypatch, tmp_path):
    app, _ = served_app(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        from textual.widgets import Input, OptionList

        assert not app.screen.query(Input)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.tape.scenario.name == load_scenario(PATHS[1]).name and app.cursor == 0


async def test_export_and_screenshot_are_delivered_not_written(monkeypatch, tmp_path):
    app, delivered = served_app(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "e")
        await pilot.pause()
        await pilot.press("down", "enter")  # LaTeX
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("e", "escape")  # cancelled: nothing delivered
        await pilot.pause()
    (tex, tex_kw), (svg, svg_kw) = delivered
    assert tex_kw["save_filename"] == "notes-four-steps-derivation.tex" and tex.startswith("\\documentclass")
    assert svg_kw["save_filename"] == "rnnstep-notes-four-steps-step2.svg" and svg_kw["mime_type"] == "image/svg+xml"
    assert "<svg" in svg
    assert list(tmp_path.iterdir()) == []


def _actions_and_keys(app) -> dict[str, set[str]]:
    """Every action bound anywhere on the current screen (any widget, focused or not) or the app, with its keys."""
    found: dict[str, set[str]] = {}
    for node in [app, *app.screen.walk_children(with_self=True)]:
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                found.setdefault(binding.action, set()).add(key)
    return found


@pytest.mark.parametrize("keys", [(), ("o",), ("e",), ("question_mark",), ("ctrl+p",)])
async def test_no_action_needs_a_key_the_browser_keeps(monkeypatch, tmp_path, keys):
    app, _ = served_app(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        actions = _actions_and_keys(app)
        assert len(actions) > 3
        browser_only = {a: k for a, k in actions.items() if k <= ServedApp.BROWSER_RESERVED}
        assert browser_only == {}


async def test_alt_backspace_deletes_a_word_in_the_palette(monkeypatch, tmp_path):
    app, _ = served_app(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"next step")
        from textual.widgets import Input

        box = app.screen.query_one(Input)
        assert box.value == "next step"
        await pilot.press("alt+backspace")
        assert box.value == "next "


# ----------------------------------------------------------------------------- a served drill

def served_drill(monkeypatch, tmp_path: Path):
    from rnnstep.serve.drill import ServedDrillApp

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = ServedDrillApp(served_scenarios(PATHS)[0])
    delivered: list = []
    monkeypatch.setattr(app, "deliver_text", lambda file, **kw: delivered.append((file.read(), kw)) or "key")
    return app, delivered


async def test_a_served_drill_hands_its_history_to_the_browser_and_waits_to_leave(monkeypatch, tmp_path):
    import json

    from rnnstep import notation as nt

    app, delivered = served_drill(monkeypatch, tmp_path)
    first = app.session.questions[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*nt.fmt(first.value), "enter")
        await pilot.press(*"12345", "enter")  # a wrong answer to the second question
        await pilot.pause()
        await pilot.press("escape", "y")  # leave: asked first (a stray escape ends nothing)
        await pilot.pause()
        assert app.is_running  # the download must finish before the process ends
        [(text, kw)] = delivered
        records = [json.loads(line) for line in text.splitlines()]
        assert [r["right"] for r in records] == [True, False] and records[0]["id"] == first.id
        assert kw["save_filename"] == "rnnstep-drill-notes-four-steps.jsonl"
        await pilot.press("escape")
        await pilot.pause()
        assert not app.is_running
    assert list(tmp_path.iterdir()) == []  # no history file, no data folder


async def test_a_served_drill_on_a_vector_scenario_takes_whole_arrays(monkeypatch, tmp_path):
    """SPEC §7 in a served drill: one line per answer, rows by ;, graded entry by entry, handed to the browser."""
    import json

    from rnnstep.drill.arrays import array_text
    from rnnstep.serve.drill import ServedDrillApp

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = ServedDrillApp(served_scenarios([str(SCENARIO_DIR / "vector" / "notes-hidden-two.toml")])[0])
    delivered: list = []
    monkeypatch.setattr(app, "deliver_text", lambda file, **kw: delivered.append(file.read()) or "key")
    first = app.session.questions[0]
    assert np.shape(first.value) == (2,)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*array_text(first.value, 9), "enter")
        await pilot.pause()
        await pilot.press("escape", "y")  # leave: asked first
        await pilot.pause()
        [text] = delivered
        assert [json.loads(line)["right"] for line in text.splitlines()] == [True]
        await pilot.press("escape")
        await pilot.pause()


async def test_a_served_drill_needs_no_browser_kept_key(monkeypatch, tmp_path):
    app, _ = served_drill(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        actions = _actions_and_keys(app)
        assert "delete_left_word" in actions
        assert {a: k for a, k in actions.items() if k <= ServedApp.BROWSER_RESERVED} == {}
        await pilot.press(*"hint please", "alt+backspace")
        from textual.widgets import Input

        assert app.query_one(Input).value == "hint "


async def test_a_served_crash_is_reported_on_the_console_and_writes_no_file(monkeypatch, tmp_path, capfd):
    app, _ = served_app(monkeypatch, tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))

    def broken() -> None:
        raise RuntimeError("a bug in an action")

    monkeypatch.setattr(app, "action_help", broken)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
    assert "RuntimeError: a bug in an action" in capfd.readouterr().err
    assert app.return_code == 1
    assert list(tmp_path.iterdir()) == []  # no crash report in the state folder or the temporary folder


async def test_open_marks_hidden_vector_scenarios_as_the_scenarios_command_does(monkeypatch, tmp_path):
    """Issue 18 item 23: `rnnstep scenarios` prints `[n = 3]` after a hidden-vector scenario; the served dialog too."""
    from textual.widgets import OptionList

    from rnnstep.scenario import VECTOR_SCENARIO_DIR

    monkeypatch.chdir(tmp_path)
    paths = [PATHS[0], str(VECTOR_SCENARIO_DIR / "hello-char-rnn.toml")]
    app = ServedApp(served_scenarios(paths))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    scalar, vector = (load_scenario(p) for p in paths)
    assert prompts == [scalar.name, f"{vector.name} [n = 3]"]
