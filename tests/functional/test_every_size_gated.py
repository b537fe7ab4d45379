"""Every shipped gated scenario (SPEC §8) in a real terminal at 80×24, 100×30, 140×45 and 200×60: at
sampled steps every decimal number on the screen is a value of the tape written whole or correctly
rounded (gated_screen_numbers.py computes them independently of the panels), and at a backward term
at 100×30 and larger the carry's and the rest's entries are in the step panel."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import rnnstep
from rnnstep.scenario import shipped_gated_scenarios

from gated_screen_numbers import GatedTapeNumbers
from screen_numbers import NUMBER, cut_numbers
from .test_every_size import SIZES, redrawn_at
from .test_every_size_vector import current_step_box, not_on_screen, sample_steps
from .tmux import Terminal, needs_tmux

pytestmark = needs_tmux

CASES = [pytest.param(p, id=p.stem) for p in shipped_gated_scenarios()]


@pytest.mark.parametrize("case", CASES)
def test_every_gated_number_whole_at_every_size(case):
    from rnnstep.methods.chunk_tape import stepped

    full = rnnstep.build_tape(rnnstep.load_scenario(case))
    allowed = GatedTapeNumbers(full)
    tape = stepped(full)  # the tape the debugger steps (TBPTT: chunk by chunk)
    n = len(tape.steps)
    rotate = [c.values[0] for c in CASES].index(case)
    plan = sample_steps(tape, rotate)
    width, height = SIZES[0]
    with Terminal(f"{sys.executable} -m rnnstep {case}", width, height) as term:
        term.wait(f" step 1/{n} ")
        for size_index, (width, height) in enumerate(SIZES):
            if size_index:
                term.resize(width, height)
            redrawn_at(term, width)
            for index in plan[size_index]:
                term.keys(":")
                term.wait("accepts the grey completion")
                term.keys("-l", str(index + 1))
                term.keys("Enter")
                term.wait_gone("accepts the grey completion")
                term.wait(f" step {index + 1}/{n} ")
                screen = term.settle(0.1)
                step = tape.steps[index]
                where = f"{case.stem} at {width}×{height}, step {index + 1} ({step.id})"
                bad = cut_numbers(screen, allowed)
                assert not bad, f"{where}: {bad}\n{screen}"
                if step.kind == "term" and step.k is not None and width >= 100:
                    table = (tape.chunk_tape(step.chunk) if step.chunk else tape).gradients[step.param]
                    tokens = set(NUMBER.findall(current_step_box(screen)))
                    for name, entries in (("carry", table.carry(step.term)), ("rest", table.rest(step.term))):
                        missing = not_on_screen(np.asarray(entries)[:4], tokens)
                        assert not missing, f"{where}: {name}'s entries {missing} not in the step panel\n{screen}"
