"""Pilot: the debugger opens every gated scenario (SPEC §8) and steps through it; a backward term shows
its carry share and the rest, and a forward step its gates and c_t, as the tape has them."""

from __future__ import annotations

import numpy as np
import pytest

import rnnstep
from rnnstep.scenario import GATED_SCENARIO_DIR
from rnnstep.tui.widgets import StepDetail, panel_text

from .apps import debugger

NAMES = sorted(p.stem for p in GATED_SCENARIO_DIR.glob("*.toml"))


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
@pytest.mark.parametrize("name", NAMES)
async def test_a_gated_scenario_opens_and_steps_both_ways(name, size):
    app = debugger(f"gated/{name}")
    tape = app.tape
    every = len(tape.steps) <= 60
    stops = range(len(tape.steps)) if every else sorted({*range(0, len(tape.steps), 23), len(tape.steps) - 1})
    async with app.run_test(size=size) as pilot:
        for stop in stops:
            app.cursor = stop
            await pilot.pause()
            assert panel_text(app.query_one(StepDetail))
        for _ in range(3):
            await pilot.press("p")
        await pilot.pause()
        assert app.cursor == stops[-1] - 3


def _shown(text: str, value: float) -> bool:
    """``value`` appears whole at 6 significant digits, or correctly rounded to 3 (in the plain or the short
    exponent form a vector screen uses: 4.84586e-5)."""
    from rnnstep.numbers import short_exponent

    return any(f"{value:.{d}g}" in text or short_exponent(value, d) in text for d in (6, 3))


@pytest.mark.parametrize("name, stop, param", [("lstm-two-steps-by-hand", "gradients.w_prime.term[2,1]", "w_prime"),
                                               ("gru-two-steps", "gradients.w_prime.term[2,1]", "w_prime")])
async def test_a_term_shows_its_carry_and_rest_and_a_forward_step_its_gates(name, stop, param):
    app = debugger(f"gated/{name}")
    tape = app.tape
    table = tape.gradients[param]
    i = table.index_of(2, 1)
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = tape.steps.index_of(stop)
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        assert "carry = [" in text and "rest = [" in text
        for value in (*table.carry(i), *table.rest(i)):
            assert _shown(text, float(value)), value
        share = np.linalg.norm(table.carry(i)) / np.linalg.norm(table.delta(i))
        # a share above 1 (the rest against the carry) is said as the ratio it is
        said = "carry share of ‖term‖" if share <= 1 else "‖carry‖/‖term‖"
        assert f"{said} = {share:.3g}" in text
        app.cursor = tape.steps.index_of("forward.O[1]")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        for gate in tape.cell.GATES:
            assert _shown(text, float(tape.gates[gate][0, 0])), gate
        if tape.c is not None:
            assert _shown(text, float(tape.c[0, 0]))


async def test_the_title_names_the_cell_not_an_activation():
    app = debugger("gated/gru-carry")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        title = str(app._shown.get("title"))
        assert "GRU, n = 1" in title and "f = tanh" not in title


@pytest.mark.parametrize("name", ["lstm-two-steps-by-hand", "gru-two-steps"])
async def test_the_drill_app_asks_a_gated_cell_and_hides_the_answer(tmp_path, name):
    """The terminal drill on a gated cell: each question's value is hidden until answered, right answers
    are graded right, and the carry question's step never shows the carry row before it is answered."""
    from rnnstep.drill.history import History
    from rnnstep.drill.questions import questions
    from rnnstep.drill.session import DrillSession
    from rnnstep.drill.tui import DrillApp

    tape = rnnstep.build_tape(rnnstep.load_scenario(name))
    qs = questions(tape)
    session = DrillSession(tape, qs, History(tmp_path / "h.jsonl"))
    app = DrillApp(session, header="gated drill test")
    async with app.run_test(size=(140, 45)) as pilot:
        for q in qs:
            app.show_question()
            await pilot.pause()
            assert app.session.current == q and q.id in app.view.hidden
            text = panel_text(app.query_one(StepDetail))
            if q.kind in ("gated.carry", "gated.delta"):
                assert "carry = [" not in text and "rest = [" not in text  # the split would give it away
            value = np.atleast_1d(np.asarray(q.value, dtype=float))
            answer = (" ".join(repr(float(v)) for v in value) if value.ndim == 1
                      else "; ".join(" ".join(repr(float(v)) for v in row) for row in value))
            app.session.answer(app.session.read(answer))
        assert app.session.right == len(qs)
