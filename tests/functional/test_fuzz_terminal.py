"""Random keys in a real terminal: the palette, every modal, PageUp/PageDown and resizes; nothing crashes."""

from __future__ import annotations

import random
import sys
import time

import pytest

from .tmux import Terminal, needs_tmux

pytestmark = needs_tmux

KEYS = (["n", "p", "c", "b", "]", "[", "u", "U", "f", "Down", "Up", "Home", "End", "Escape", "Enter", "Tab",
         "PageDown", "PageUp", "PageDown", "C-p", ":", "B", "?", "o", "e", "w", "W", "x", "1", "BSpace"] +
        ["n"] * 6 + ["PageDown", "PageUp"] * 2)
SIZES = [(80, 24), (100, 30), (140, 45), (200, 60), (60, 20), (50, 15)]
#: dialogs' openers, and what may follow in the same write (issue 20: Enter-Enter in any dialog crashed)
OPENERS = [":", "o", "e", "B", "C-p", "?"]
BURSTS = ["\r\r", "5\r\r", "\r\x1b", "n\r\r", "Next\r\r", "\r\r\r"]


@pytest.mark.parametrize("seed,scenario", [(1, "vanishing-gradients"), (2, "worked-example-slip"),
                                           (3, "target-every-step"), (4, "exploding-gradients")])
def test_random_keys_in_a_real_terminal_never_crash(seed, scenario, tmp_path):
    rng = random.Random(seed)
    command = f"cd {tmp_path} && XDG_STATE_HOME={tmp_path} {sys.executable} -m rnnstep {scenario}"
    with Terminal(command, 80, 24) as term:
        term.wait("step 1/")
        for i in range(160):
            key = rng.choice(KEYS + OPENERS)
            term.keys(key)
            if key in OPENERS and rng.random() < 0.6:
                if rng.random() < 0.4:  # a resize while the dialog opens
                    term.resize(*rng.choice(SIZES))
                time.sleep(0.05)
                term.keys("-l", rng.choice(BURSTS))  # one write: the keys arrive together
            if i % 40 == 39:
                term.resize(*rng.choice(SIZES))
            time.sleep(0.01)
        term.settle(0.3)
        screen = term.screen()
        assert "[exit" not in screen and "Traceback" not in screen and "internal error" not in screen, screen
        assert not list(tmp_path.glob("rnnstep/rnnstep-crash-*")), "a crash report was written"
