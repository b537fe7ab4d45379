"""TBPTT on a gated cell in the debugger (SPEC §8, §9): an LSTM or GRU file steps chunk by chunk end to end,
each chunk's terms show their carry and rest and their left-out range, the chunk boundary cuts both the
O lane and the LSTM's c lane, and the shipped lstm-tbptt-detach notes sit at what they describe."""

from __future__ import annotations

import numpy as np
import pytest
from sampled import FULL, steps_to_visit

from gated_scenarios import gated_toml
from rnnstep import notation as nt
from rnnstep.scenario import load_scenario, parse_scenario
from rnnstep.tui.app import DebuggerApp
from rnnstep.tui.widgets import NetworkStrip, StepDetail, panel_text

GRU_K2_BEYOND_K1 = gated_toml("gru", n=2, m=1, q=1, T=7, every_step=False, seed=3) + 'method = "tbptt"\nk1 = 2\nk2 = 3\n'


def _shown(app, widget=StepDetail) -> str:
    return " ".join(panel_text(app.query_one(widget)).split())


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
@pytest.mark.parametrize("scenario", [lambda: load_scenario("lstm-tbptt-detach"),
                                      lambda: parse_scenario(GRU_K2_BEYOND_K1, "gru-tbptt.toml")],
                         ids=["lstm-tbptt-detach", "gru-k1-2-k2-3-one-target"])
async def test_a_gated_tbptt_file_steps_end_to_end_and_back(scenario, size):
    """Every step of the chunked tape is drawn and n moves one step from it (a seeded sample of a long tape,
    every phase's ends included: tests/sampled.py; RNNSTEP_FULL_TESTS=1 walks it whole, key by key)."""
    app = DebuggerApp(scenario())
    async with app.run_test(size=size) as pilot:
        steps = len(app.tape.steps)
        chunks = len(app.tape.chunks)
        if FULL:
            for _ in range(steps + 1):
                await pilot.press("n")
        else:
            for i in steps_to_visit(app.tape):
                app.cursor = i
                await pilot.pause()
                await pilot.press("n")
                assert app.cursor == min(i + 1, steps - 1), i
            app.cursor = steps - 1
            await pilot.press("n")
        assert app.cursor == steps - 1 and app.tape.steps[app.cursor].id.startswith(f"chunk[{chunks}].update.")
        if FULL:
            for _ in range(steps + 1):
                await pilot.press("p")
        else:
            app.cursor = 0
            await pilot.press("p")
        assert app.cursor == 0


async def test_a_chunk_term_shows_its_carry_rest_and_what_detach_left_out():
    app = DebuggerApp(load_scenario("lstm-tbptt-detach"))
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("chunk[2].gradients.b.term[8,5]")
        await pilot.pause()
        shown = _shown(app)
        table = app.tape.chunk_tape(2).gradients["b"]
        i = table.index_of(8, 5)
        assert "TBPTT leaves out [8,4] … [8,1]: before step 5: k2 = 4 steps back from step 8 reach steps 8…5" in shown
        for entry in np.asarray(table.carry(i))[:3]:
            assert nt.fmt(float(entry)) in shown
        from rnnstep.tui.panels.status import status_line

        assert "chunk 2 of 2 (steps 5–8)" in status_line(app.view, set(), 0, [app.tape.loss], 0, (), 140).plain


async def test_the_chunk_boundary_cuts_the_c_lane_and_the_o_lane():
    app = DebuggerApp(load_scenario("lstm-tbptt-detach"))
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("chunk[2].forward.O[6]")
        await pilot.pause()
        lines = panel_text(app.query_one(NetworkStrip)).splitlines()
        c_line = next(line for line in lines if "c₅" in line)
        o_line = next(line for line in lines if "O₅" in line)
        assert c_line.count("┃") == o_line.count("┃") == 1
        assert c_line.index("┃") == o_line.index("┃") < o_line.index("O₅")


async def test_lstm_tbptt_detach_notes_sit_at_their_steps():
    app = DebuggerApp(load_scenario("lstm-tbptt-detach"))
    full = app.tape.full
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("chunk[2].forward.c[5]")
        await pilot.pause()
        shown = _shown(app)
        c5 = full.chunks[1].run["c"][4, 0]
        assert app.tape.steps[app.cursor].id == "chunk[2].forward.O[5]" and nt.fmt(c5) in shown
        assert f"c₅ = {nt.fmt(c5)} here" in shown
        app.cursor = app.tape.steps.index_of("chunk[2].gradients.b.term[5,5]")
        await pilot.pause()
        shown = _shown(app)
        assert "TBPTT leaves out [5,4] … [5,1]" in shown and "detach throws them away" in shown
