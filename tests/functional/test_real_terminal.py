"""The real app in a real terminal: tmux runs `rnnstep`, keys go in, the screen is read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

import rnnstep
from rnnstep import notation as nt

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def _wait(session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{_screen(session)}")


def test_end_shows_the_totals_in_a_real_terminal():
    session = f"rnnstep-test-{os.getpid()}"
    command = f"{sys.executable} -m rnnstep"
    for attempt in range(5):  # right after another session ends, the exiting tmux server may refuse one
        if subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "140", "-y", "45", command],
                          capture_output=True).returncode == 0:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("tmux would not start a session")
    try:
        _wait(session, "Step 1 of 25")
        subprocess.run(["tmux", "send-keys", "-t", session, "End"], check=True)
        screen = _wait(session, "Step 25 of 25")
        tape = rnnstep.build_tape(rnnstep.default_scenario())
        for param, table in tape.gradients.items():
            assert f"{nt.gradient_symbol(param):10} = {nt.fmt(table.total)}" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0
            if not alive:
                break
            time.sleep(0.05)
        assert not alive, "q did not quit"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
