"""RTRL on a gated cell in the debugger (SPEC §8, §9): the LSTM and GRU files step end to end at 80×24 and
140×45; each forward step shows P_t's update and, at a target, the row it adds, whose entries are BPTT's
Σ_k term(t, k) taken from the backward pass's own terms; in a real terminal every number is whole or
correctly rounded (gated_screen_numbers.py computes RTRL's norms with numpy, apart from the panels)."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

from gated_scenarios import gated_toml
from rnnstep import notation as nt
from rnnstep.scenario import load_scenario
from rnnstep.tui.app import DebuggerApp
from rnnstep.tui.widgets import StepDetail, panel_text

from gated_screen_numbers import GatedTapeNumbers
from screen_numbers import cut_numbers
from .test_every_size import redrawn_at
from .tmux import Terminal, needs_tmux


def _gru_file(tmp_path):
    path = tmp_path / "gru-rtrl.toml"
    path.write_text(gated_toml("gru", n=2, m=1, T=4, every_step=True, seed=4) + 'method = "rtrl"\n', encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
@pytest.mark.parametrize("which", ["lstm-rtrl", "gru"])
async def test_a_gated_rtrl_file_steps_end_to_end(which, size, tmp_path):
    app = DebuggerApp(load_scenario(which if which != "gru" else _gru_file(tmp_path)))
    async with app.run_test(size=size) as pilot:
        steps = len(app.tape.steps)
        for index in range(steps):
            assert app.cursor == index
            if app.tape.steps[index].kind == "forward":
                t = app.tape.steps[index].t
                text = " ".join(panel_text(app.query_one(StepDetail)).split())
                assert f"RTRL: P{nt.sub(t)} = J{nt.sub(t)}·P{nt.sub(t - 1)} + ∂⁺" in text, text
                if t in app.tape.target_position:
                    assert f"adds row {t} of the triangle at once" in text, text
            await pilot.press("n")
        await pilot.press("n")
        assert app.cursor == steps - 1
        await pilot.press("home")
        assert app.cursor == 0


ROW = re.compile(r"∂L/∂b \+= \[([^\]]*)\]")


@pytest.mark.parametrize("which", ["lstm-rtrl", "gru"])
async def test_the_row_a_target_adds_is_bptts_row_of_terms(which, tmp_path):
    app = DebuggerApp(load_scenario(which if which != "gru" else _gru_file(tmp_path)))
    async with app.run_test(size=(140, 45)) as pilot:
        tape = app.tape
        b = tape.gradients["b"]
        for t in tape.targets:
            app.cursor = tape.steps.index_of(f"forward.O[{t}]")
            await pilot.pause()
            text = " ".join(panel_text(app.query_one(StepDetail)).split())
            row = sum(b.term(i) for i in range(len(b)) if b.t[i] == t)  # the backward pass's terms (t, k), k ≤ t
            shown = ROW.search(text)
            assert shown, text
            numbers = shown.group(1).replace(";", " ").split()
            assert len(numbers) == len(row)
            for text_number, value in zip(numbers, row):
                assert text_number in {nt.fmt(float(value), d) for d in range(1, 7)}, (t, text_number, value)
            P = tape.rtrl.history[t - 1]
            assert f"‖P{nt.sub(t)}‖ = " in text
            norm = text.split(f"‖P{nt.sub(t)}‖ = ")[1].split()[0]
            assert norm in {nt.fmt(float(np.linalg.norm(P)), d) for d in range(1, 7)}


@needs_tmux[0]
@needs_tmux[1]
def test_every_rtrl_forward_step_has_whole_numbers_in_a_real_terminal():
    import rnnstep

    tape = rnnstep.build_tape(rnnstep.load_scenario("lstm-rtrl"))
    allowed = GatedTapeNumbers(tape)
    n = len(tape.steps)
    with Terminal(f"{sys.executable} -m rnnstep lstm-rtrl", 80, 24) as term:
        term.wait(f" step 1/{n} ")
        for width, height in ((80, 24), (140, 45)):
            if width != 80:
                term.resize(width, height)
            redrawn_at(term, width)
            term.keys("Home")
            for t in range(1, tape.T + 1):
                term.wait(f" step {t}/{n} ")
                screen = term.settle(0.1)
                assert f"P{nt.sub(t)} = J{nt.sub(t)}·P{nt.sub(t - 1)}" in screen, screen
                bad = cut_numbers(screen, allowed)
                assert not bad, f"{width}×{height}, step {t}: {bad}\n{screen}"
                term.keys("n")
