"""`rnnstep FILE` reopens where it was left; --fresh starts over; a damaged state file is a note."""

from __future__ import annotations

import sys

from .tmux import Terminal, needs_tmux

pytestmark = needs_tmux


def test_reopening_a_file_starts_where_it_was_left(tmp_path):
    scenario = tmp_path / "week3.toml"
    scenario.write_text((__import__("rnnstep").scenario.SCENARIO_DIR / "notes-four-steps.toml").read_text())
    command = f"cd {tmp_path} && XDG_STATE_HOME={tmp_path / 'state'} {sys.executable} -m rnnstep {scenario}"
    with Terminal(command, 120, 40) as term:
        term.wait(" step 1/25")
        term.keys("n", "n", "n", "n")
        term.wait(" step 5/25")
        term.keys("q")
        assert term.exit_status() == 0
    with Terminal(command, 120, 40) as term:
        term.wait("back where you left it: step 5")
        assert " step 5/25" in term.screen()
        term.keys("q")
        assert term.exit_status() == 0
    with Terminal(command + " --fresh", 120, 40) as term:
        term.wait(" step 1/25")
        assert "back where" not in term.screen()
        term.keys("q")
    (tmp_path / "state" / "rnnstep" / "debugger.json").write_text("{damaged")
    with Terminal(command, 120, 40) as term:
        term.wait("ignored a damaged state file")
        assert " step 1/25" in term.screen()
        term.keys("q")
        assert term.exit_status() == 0
