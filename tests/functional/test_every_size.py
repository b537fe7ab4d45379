"""Every shipped scenario in a real terminal at 60×20 (the smallest that is not "too small"), 80×24,
100×30, 140×45 and 200×60.

At sampled steps (every phase, the first and last backward terms, and a spread
between), every decimal number on the screen is a tape value shown whole or
correctly rounded; at a backward term the term and its running sum are on the
screen; after a resize the screen is redrawn without a key.
"""

from __future__ import annotations

import sys

import pytest

import rnnstep
from rnnstep import notation as nt
from rnnstep.scenario import shipped_scenarios

from screen_numbers import allowed_numbers, cut_numbers, renderings
from .tmux import Terminal, needs_tmux

pytestmark = needs_tmux
SIZES = [(60, 20), (80, 24), (100, 30), (140, 45), (200, 60)]
SHORT = 30  # below this height the chart is behind the step panel (f shows it)


def sample_steps(tape, per_size: int, size_index: int) -> list[int]:
    """A few steps per size, different at each size, covering every phase over the four."""
    n = len(tape.steps)
    starts = [lo for _, lo, _ in tape.steps.phase_bounds()]
    ends = [hi - 1 for _, _, hi in tape.steps.phase_bounds()]
    every = sorted(set(starts + ends + list(range(0, n, max(1, n // (per_size * len(SIZES)))))))
    return every[size_index::len(SIZES)]


def redrawn_at(term: Terminal, width: int) -> str:
    """Wait until the screen is laid out for ``width`` (its panel borders reach the edge)."""
    def laid_out(screen: str) -> bool:
        lines = screen.splitlines()
        return any(line.startswith("╭─ unrolled network") and len(line.rstrip()) == width for line in lines)

    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        screen = term.screen()
        if laid_out(screen):
            return term.settle(0.15)
        time.sleep(0.05)
    from .tmux import tmux
    size = tmux("display", "-p", "-t", term.name, "#{window_width}x#{window_height}").stdout
    raise AssertionError(f"not redrawn at width {width} (tmux: {size}) without a key:\n{term.screen()}")


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_every_number_whole_and_the_current_term_visible_at_every_size(path):
    from rnnstep.methods.chunk_tape import stepped

    full = rnnstep.build_tape(rnnstep.load_scenario(path))
    allowed = allowed_numbers(full)
    tape = stepped(full)  # the tape the debugger steps (TBPTT: chunk by chunk)
    n = len(tape.steps)
    width, height = SIZES[0]
    with Terminal(f"{sys.executable} -m rnnstep {path}", width, height) as term:
        term.wait(f" step 1/{n} ")  # the status line: a narrow step title drops "Step i of n" whole
        for size_index, (width, height) in enumerate(SIZES):
            if size_index:
                term.resize(width, height)  # no key after it: the app must repaint by itself
            redrawn_at(term, width)
            for index in sample_steps(tape, 2, size_index):
                term.keys(":")
                term.wait("accepts the grey completion")
                term.keys("-l", str(index + 1))
                term.keys("Enter")
                term.wait_gone("accepts the grey completion")
                screen = term.wait(f" step {index + 1}/{n} ")
                screen = term.settle(0.1)
                where = f"{path.stem} at {width}×{height}, step {index + 1}"
                assert not cut_numbers(screen, allowed), f"{where}: {cut_numbers(screen, allowed)}\n{screen}"
                if height < SHORT:  # the chart, in place of the step panel
                    term.keys("f")
                    chart = term.wait("╭─ gradient flow")
                    chart = term.settle(0.1)
                    assert not cut_numbers(chart, allowed), f"{where}, f: {cut_numbers(chart, allowed)}\n{chart}"
                    term.keys("f")
                    term.wait("╭─ current step")
                step = tape.steps[index]
                if step.kind == "term":
                    table = (tape.chunk_tape(step.chunk) if step.chunk else tape).gradients[step.param]
                    term_value, running = float(table.value[step.term]), float(table.running_sum[step.term])
                    assert any(f"= {r}" in screen for r in renderings(term_value)), f"{where}: no term\n{screen}"
                    assert any(r in screen for r in renderings(running)), f"{where}: no running sum\n{screen}"
                    assert f"Step {index + 1} of {n}" in screen or width < 80 and f" step {index + 1}/{n} " in screen
