"""Every shipped vector scenario (SPEC §7) in a real terminal at 80×24, 100×30, 140×45 and 200×60,
with a random n = 8 scenario and a T = 300 one with a target at every step.

At sampled steps — every phase once per scenario, and a few more backward terms, spread over
the four sizes and rotated from one scenario to the next — every decimal number on the screen
is a value of the tape (an entry of one of its arrays, or a norm the panels show) written whole
or correctly rounded, in the plain or the short exponent form (vector_screen_numbers.py computes
them independently of the panels); at a backward term at 100×30 and larger, δ's entries and the
term's entries are on the screen.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

import rnnstep
from rnnstep.scenario import shipped_vector_scenarios

from screen_numbers import NUMBER, cut_numbers
from vector_scenarios import vector_toml
from vector_screen_numbers import TapeNumbers, spellings
from .test_every_size import SIZES, redrawn_at
from .tmux import Terminal, needs_tmux

pytestmark = needs_tmux

RANDOM = {  # name: vector_toml arguments
    "random-n8": dict(n=8, m=2, q=2, T=5, seed=8),
    "random-T300-every-step": dict(n=3, m=2, q=2, T=300, every_step=True, seed=3),
}
CASES = [pytest.param(p, id=p.stem) for p in shipped_vector_scenarios()] + [pytest.param(k, id=k) for k in RANDOM]


def scenario_path(case, tmp_path):
    if case in RANDOM:
        path = tmp_path / f"{case}.toml"
        path.write_text(vector_toml(**RANDOM[case]), encoding="utf-8")
        return path
    return case


def sample_steps(tape, rotate: int, extra_terms: int = 4) -> list[list[int]]:
    """The steps to visit at each of the four sizes: one step of every phase (the first term of the
    w_prime phase, the last of w, a middle one elsewhere) and ``extra_terms`` more recurrent terms
    spread over ∂L/∂W′ — dealt out to the sizes, starting at size ``rotate`` so that over the
    scenarios every phase is seen at every size."""
    rng = np.random.default_rng(rotate)
    bounds = tape.steps.phase_bounds()
    picks = []
    bounds = [(phase.rpartition("].")[2], lo, hi) for phase, lo, hi in bounds]  # TBPTT: chunk[c].<phase>
    for phase, lo, hi in bounds:
        picks.append(lo if phase == "backward.w_prime" else hi - 1 if phase == "backward.w" else (lo + hi) // 2)
    lo, hi = [(lo, hi) for phase, lo, hi in bounds if phase == "backward.w_prime"][-1]  # TBPTT: the last chunk's
    picks += [int(i) for i in rng.choice(np.arange(lo, hi), size=min(extra_terms, hi - lo), replace=False)]
    per_size: list[list[int]] = [[] for _ in SIZES]
    for i, step in enumerate(picks):
        per_size[(i + rotate) % len(SIZES)].append(step)
    return per_size


def current_step_box(screen: str) -> str:
    """The text inside the current-step panel (the boxes beside it cut away)."""
    lines = screen.splitlines()
    top = next(i for i, line in enumerate(lines) if "╭─ current step" in line)
    left, right = lines[top].index("╭─ current step"), lines[top].index("╮", lines[top].index("╭─ current step"))
    box = []
    for line in lines[top + 1:]:
        if line[left:left + 1] == "╰":
            break
        box.append(line[left + 1:right])
    return "\n".join(box)


def shown_window(box: str, shape: tuple[int, ...]) -> tuple[slice, slice]:
    """The rows and columns of the term's grid the panel says it shows ("rows 1–5 of 8", "cols 1–7 of 8")."""
    def window(word: str, size: int) -> slice:
        found = re.search(rf"{word} (\d+)–(\d+) of {size}\b", box)
        return slice(int(found.group(1)) - 1, int(found.group(2))) if found else slice(0, size)

    return window("rows", shape[0]), window("cols", shape[1] if len(shape) > 1 else 1)


def not_on_screen(values, tokens: set[str], digits: int = 6) -> list[float]:
    """The values none of whose correct roundings is a number on the screen."""
    return [float(v) for v in np.ravel(values) if not spellings(float(v), digits) & tokens]


@pytest.mark.parametrize("case", CASES)
def test_every_vector_number_whole_at_every_size(case, tmp_path):
    path = scenario_path(case, tmp_path)
    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    allowed = TapeNumbers(tape)
    n = len(tape.steps)
    rotate = [c.values[0] for c in CASES].index(case)
    plan = sample_steps(tape, rotate)
    width, height = SIZES[0]
    with Terminal(f"{sys.executable} -m rnnstep {path}", width, height) as term:
        term.wait(f" step 1/{n} ")  # the status line: a narrow step title drops "Step i of n" whole
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
                where = f"{path.stem} at {width}×{height}, step {index + 1} ({step.id})"
                bad = cut_numbers(screen, allowed)
                assert not bad, f"{where}: {bad}\n{screen}"
                if step.kind == "term" and width >= 100:
                    table = tape.gradients[step.param]
                    box = current_step_box(screen)
                    tokens = set(NUMBER.findall(box))
                    value = np.asarray(table.block(step.term, step.term + 1)[0])  # (n, m); (n, 1) for b, b_out
                    rows, cols = shown_window(box, value.shape)
                    for name, entries in (("δ", table.delta(step.term)[rows]), ("term", value[rows, cols])):
                        missing = not_on_screen(entries, tokens)
                        assert not missing, f"{where}: {name}'s entries {missing} not in the step panel\n{screen}"
