"""The debugger's memory of where a file was left: keyed by path and content; damage is a note, never a crash."""

from __future__ import annotations

import json

from rnnstep.tui import memory

NOTES = "[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0, 0.5]\ny = 0.2\n"


def test_what_is_kept_is_recalled_for_the_same_file_and_content(tmp_path):
    scenario = tmp_path / "week3.toml"
    scenario.write_text(NOTES)
    state = tmp_path / "state.json"
    assert memory.recall(str(scenario), path=state) == memory.Recalled()  # nothing yet, nothing said
    memory.keep(str(scenario), "gradients.w.term[2,1]", ["backward.w", "loss"], 2, path=state)
    again = memory.recall(str(scenario), path=state)
    assert (again.cursor, again.breakpoints, again.epoch, again.note) == ("gradients.w.term[2,1]", ["backward.w", "loss"], 2, None)
    assert memory.recall(str(scenario), fresh=True, path=state) == memory.Recalled()  # --fresh
    assert memory.recall("<text>", path=state) == memory.Recalled()  # typed text has no file to key by


def test_a_file_whose_content_changed_starts_at_step_1_and_says_so(tmp_path):
    scenario = tmp_path / "week3.toml"
    scenario.write_text(NOTES)
    state = tmp_path / "state.json"
    memory.keep(str(scenario), "forward.O[2]", [], 0, path=state)
    scenario.write_text(NOTES.replace("w = 0.5", "w = 0.6"))
    again = memory.recall(str(scenario), path=state)
    assert again.cursor is None and again.note == "week3.toml changed since last time: starting at step 1"


def test_a_damaged_state_file_is_ignored_with_a_note_and_replaced_on_leaving(tmp_path):
    scenario = tmp_path / "week3.toml"
    scenario.write_text(NOTES)
    state = tmp_path / "state.json"
    for junk in (b"{not json", b"[1, 2]", b'{"files": 3}', b"\xff\xfe", b"[" * 100_000):
        state.write_bytes(junk)
        again = memory.recall(str(scenario), path=state)
        assert again.cursor is None and "ignored a damaged state file" in again.note and str(state) in again.note
    memory.keep(str(scenario), "loss", [], 0, path=state)
    assert memory.recall(str(scenario), path=state).cursor == "loss"
    table = json.loads(state.read_text())
    table["files"][str(scenario.resolve())]["epoch"] = "two"  # one damaged entry
    state.write_text(json.dumps(table))
    assert "ignored a damaged entry for week3.toml" in memory.recall(str(scenario), path=state).note


def test_the_state_file_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "MOST_FILES", 3)
    state = tmp_path / "state.json"
    for i in range(5):
        scenario = tmp_path / f"s{i}.toml"
        scenario.write_text(NOTES)
        memory.keep(str(scenario), "loss", [], 0, path=state)
    files = json.loads(state.read_text())["files"]
    assert [f.rsplit("/", 1)[1] for f in files] == ["s2.toml", "s3.toml", "s4.toml"]
