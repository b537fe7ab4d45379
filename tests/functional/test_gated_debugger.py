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
        # δ's carry and rest, named so (the chart and triangle beside them show ‖carry term‖, ‖rest term‖)
        assert "carry of δ = [" in text and "rest of δ = [" in text and "carry = [" not in text, text
        for value in (*table.carry(i), *table.rest(i)):
            assert _shown(text, float(value)), value
        # O₀ = 0: this term is exactly 0, so it has no ratio; the line says so (issue gatedscreen 2b)
        assert not np.any(table.term(i)) and not np.any(table.input(i))
        assert "term = 0 (its input O₀ = 0)" in text and "‖carry‖/‖term‖ =" not in text, text
        assert "‖carry‖/‖term‖ undefined" in text and "above are δ's" in text, text
        # a term that is not 0: ‖carry‖/‖term‖, the ratio of norms it is (not a "share" that adds up)
        b = tape.gradients["b"]
        app.cursor = tape.steps.index_of("gradients.b.term[2,1]")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        j = b.index_of(2, 1)
        ratio = np.linalg.norm(b.carry(j)) / np.linalg.norm(b.delta(j))
        assert f"‖carry‖/‖term‖ = {ratio:.3g}" in text and "carry share of" not in text, text
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
                assert "carry of δ" not in text and "rest of δ" not in text  # the split would give it away
            value = np.atleast_1d(np.asarray(q.value, dtype=float))
            answer = (" ".join(repr(float(v)) for v in value) if value.ndim == 1
                      else "; ".join(" ".join(repr(float(v)) for v in row) for row in value))
            app.session.answer(app.session.read(answer))
        assert app.session.right == len(qs)


def _correctly_rounded_on(text: str, value: float) -> bool:
    """``value`` is on the screen whole or correctly rounded to the digits it is printed with."""
    for s in __import__("re").findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text):
        digits = len(s.lstrip("-").split("e")[0].replace(".", "").lstrip("0")) or 1
        if float(s) == float(f"{value:.{digits - 1}e}"):
            return True
    return False


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
@pytest.mark.parametrize("name", ["lstm-two-steps-by-hand", "gru-two-steps"])
async def test_a_gated_forward_step_shows_x_t_and_each_gates_pre_activation(name, size):
    """Issue (gatedscreen 1): a student checks aⁱ_t = W·x_t + b + W′·O_{t−1} + b′ with the numbers of x_t
    and of each gate's pre-activation (and ã_t's for the GRU), named by gate, on the forward step."""
    app = debugger(f"gated/{name}")
    tape = app.tape
    n = tape.n
    async with app.run_test(size=size) as pilot:
        for t in (1, 2):
            app.cursor = tape.steps.index_of(f"forward.O[{t}]")
            await pilot.pause()
            text = panel_text(app.query_one(StepDetail))
            sub = "₁₂"[t - 1]
            assert f"x{sub}" in text, text
            for value in tape.x[t - 1]:
                assert _correctly_rounded_on(text, float(value)), (value, text)
            sides = [("a", tape.a)] + ([("ã", tape.a_prime)] if tape.a_prime is not None else [])
            for j, gate in enumerate(tape.cell.GATES):
                sup = {"i": "ⁱ", "f": "ᶠ", "g": "ᵍ", "o": "ᵒ", "r": "ʳ", "u": "ᵘ", "n": "ⁿ"}[gate]
                for side, values in sides:
                    assert f"{side}{sup}{sub}" in text, (side, gate, text)
                    for value in values[t - 1, j * n:(j + 1) * n]:
                        assert _correctly_rounded_on(text, float(value)), (side, gate, value, text)


async def test_a_gated_forward_step_at_n_large_summarises_each_pre_activation():
    """At n = 12 a gate's pre-activation does not fit a line of an 80×24 step: a summary (its ‖·‖, as the
    gates' own lines), never a cut number."""
    from gated_scenarios import gated_scenario

    from rnnstep.tui.app import DebuggerApp

    app = DebuggerApp(gated_scenario("lstm", n=12, m=3, T=3, seed=4))
    tape = app.tape
    n = tape.n
    async with app.run_test(size=(80, 24)) as pilot:
        app.cursor = tape.steps.index_of("forward.O[2]")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        for j, sup in enumerate("ⁱᶠᵍᵒ"):
            assert f"a{sup}₂" in text, text
            norm = float(np.linalg.norm(tape.a[1, j * n:(j + 1) * n]))
            line = next(line for line in text.split("\n") if f"a{sup}₂" in line)
            assert _correctly_rounded_on(line, norm), (sup, norm, line)


def test_the_help_says_carry_and_rest_add_as_vectors_so_their_norms_do_not():
    """Issue (gatedscreen 2a): ‖carry‖/‖term‖ is a ratio of norms; the help says why it is no share."""
    from rnnstep.tui.screens import _READING_A_GATED_TERM as text

    assert "carry + rest = term as vectors" in text and "norms do not add" in text and "‖carry‖/‖term‖" in text


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_gated_cells_update_counts_its_six_parameters_and_u_back_updates_nothing(size):
    """Issue (gatedscreen 3): a gated cell has six parameters (W′, W, b, b′, W_out, b_out); the update step
    and the status line after u say so, and after U (back one epoch) the status says what happened."""
    app = debugger("gated/lstm-two-steps-by-hand")
    tape = app.tape
    assert len(tape.params) == 6
    async with app.run_test(size=size) as pilot:
        app.cursor = tape.steps.index_of("update.b_prime.new")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        assert "all six updates" in " ".join(text.split()) and "five" not in text, text
        await pilot.press("u")
        status = str(app.query_one("#status").render())
        assert "epoch 1: all six updated" in status and "five" not in status, status
        await pilot.press("U")
        status = str(app.query_one("#status").render())
        assert app.epoch == 0 and "back to epoch 0" in status and "nothing updated" in status, status
        assert "all six updated" not in status and "five" not in status, status


async def test_the_plain_cells_update_still_says_five_and_u_back_says_back():
    """The plain cell's five parameters: counted from the tape's params too; U says "back to epoch 0"."""
    app = debugger("notes-four-steps")
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("update.w_out.new")
        await pilot.pause()
        assert "all five updates" in " ".join(panel_text(app.query_one(StepDetail)).split())
        await pilot.press("u", "U")
        status = str(app.query_one("#status").render())
        assert app.epoch == 0 and "back to epoch 0:" in status, status


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (140, 45)])
async def test_a_short_box_keeps_the_carry_and_its_norm_and_says_what_it_left_out(size):
    """Issue (gatedscreen 5): lstm-remembers at gradients.b.term[40,1] (a step with a note quoting
    ‖carry term‖ = 0.112) lost the factor chain, the ∏‖·‖₂ bound and the carry's ‖·‖ with no sign. The
    carry (entries and ‖·‖) and the rest stay; whatever gives way is signalled by a ⋮ line."""

    app = debugger("gated/lstm-remembers")
    tape = app.tape
    b = tape.gradients["b"]
    i = b.index_of(40, 1)
    async with app.run_test(size=size) as pilot:
        app.cursor = tape.steps.index_of("gradients.b.term[40,1]")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        carry, rest = (float(np.linalg.norm(v)) for v in (b.carry(i), b.rest(i)))
        assert f"‖·‖ = {carry:.6g}" in text and f"‖·‖ = {rest:.6g}" in text, text
        assert "carry of δ = [" in text and "rest of δ = [" in text and "‖carry‖/‖term‖" in text, text
        assert ("∏‖·‖₂" in text and "∂s₁/∂a₁" in text) or "⋮" in text, text
        # the step panel at any height: never more lines than the box; the chain or the bound left out is said
        from rnnstep.tui.panels.vector_view import step_text

        for height in range(2, 16):
            lines = step_text(app.view, 44, height, "∂L/∂b · term t = 40, k = 1").plain.split("\n")
            assert len(lines) <= height, (height, lines)
            shown = "\n".join(lines)
            if "∏‖·‖₂" not in shown or "∂s₁/∂a₁" not in shown:
                assert any(line.startswith("⋮") for line in lines), (height, lines)


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_gate_that_rounds_to_1_is_written_as_rounded(size):
    """Issue (gatedscreen 7): f₁ = σ(20) = 0.9999999979 printed "[1]", which reads as exactly 1 to a student
    who just learned σ < 1. A gate that rounds to a bound of its open interval is written ≈1; other
    numbers (x₁ = 1, aᵍ₁ = 1) keep their plain spelling."""
    app = debugger("gated/lstm-forgets")
    tape = app.tape
    f1 = float(tape.gates["f"][0, 0])
    assert 0.999999 < f1 < 1 and f"{f1:.6g}" == "1"
    async with app.run_test(size=size) as pilot:
        app.cursor = tape.steps.index_of("forward.O[1]")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        assert text.count("≈1") == 1, text  # f₁ alone: x₁ = 1 and aᵍ₁ = 1 are exact
        line = next(line for line in text.split("\n") if "≈1" in line)
        if "f₁ =" in line:
            assert "f₁ = [≈1]" in line, line
        else:  # columns: ≈1 under the label f₁
            labels = text.split("\n")[text.split("\n").index(line) - 1]
            assert labels.index("f₁") <= line.index("≈1") < labels.index("g₁"), (labels, line)


def test_near_writes_a_rounded_bound_only():
    from rnnstep.tui.panels.matrix import near

    assert near("1", (0.0, 1.0)) == "≈1" and near("0", (0.0, 1.0)) == "≈0" and near("-1", (-1.0, 1.0)) == "≈-1"
    assert near("0.993307", (0.0, 1.0)) == "0.993307" and near("1", ()) == "1" and near("-1", (0.0, 1.0)) == "-1"


async def test_the_carry_and_rest_summaries_give_max_abs_as_a_size():
    """Issue (gatedscreen 6): "carry: ‖·‖ = 0.0183631  max |·| -0.0183125" printed the signed entry. The
    carry and rest lines summarise through matrix.summary (fixed there in 64bd1e4): every max |·| on a
    gated term step is the largest absolute entry, never signed."""
    import re

    from gated_scenarios import gated_scenario

    from rnnstep.tui.app import DebuggerApp

    app = DebuggerApp(gated_scenario("lstm", n=6, m=2, T=3, seed=7))
    tape = app.tape
    table = tape.gradients["b"]
    seen = 0
    async with app.run_test(size=(80, 24)) as pilot:
        for t, k in ((3, 1), (3, 2), (3, 3)):
            i = table.index_of(t, k)
            app.cursor = tape.steps.index_of(f"gradients.b.term[{t},{k}]")
            await pilot.pause()
            text = panel_text(app.query_one(StepDetail))
            assert "max |·| -" not in text, text
            for name, row in (("carry", table.carry(i)), ("rest", table.rest(i))):
                m = re.search(rf"{name} of δ: .*max \|·\|(?: at \[\d+\] =)? (\S+)", text)
                if m:
                    seen += 1
                    assert _correctly_rounded_on(m.group(1), float(np.max(np.abs(row)))), (name, m.group(0))
    assert seen
