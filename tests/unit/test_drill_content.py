"""What a drill says is true (issue 18 items 1, 4, 7): every feedback line is a chain of true
equalities from the printed numbers, the loss is written out with its −ln, and every hint is
written with the variables of the step it is about."""

from __future__ import annotations

import re

import pytest

import rnnstep
from rnnstep import notation as nt
from rnnstep.drill.questions import questions
from rnnstep.drill.session import DrillSession
from rnnstep.scenario import SCENARIO_DIR, shipped_scenarios
from formula_eval import false_equalities


def _tape(path):
    return rnnstep.build_tape(rnnstep.load_scenario(path))


def _session(tape):
    return DrillSession(tape, questions(tape))


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_every_skip_line_and_second_hint_is_a_true_chain(path):
    tape = _tape(path)
    wrong = []
    for q in questions(tape):
        line = f"{q.symbol} = {q.formula} = {q.numbers} {q.sign} {nt.fmt(q.value)}"
        wrong += [f"{q.id}: {w}" for w in false_equalities(line)]
    assert not wrong, "\n".join(wrong[:20])


def test_the_skip_feedback_writes_the_sign_between_numbers_and_value():
    tape = _tape(SCENARIO_DIR / "exploding-gradients-clipped.toml")
    session = _session(tape)
    while session.current is not None and session.current.id != "update.w_prime.new":
        session.skip()
    line = session.skip().line
    assert "1.5 − 0.01·clip(33156.9, ±5) = 1.5 − 0.01·5 = 1.45" in line
    assert not false_equalities(line.removeprefix("✗ skipped: "))


def test_bce_loss_feedback_shows_the_minus_ln():
    tape = _tape(SCENARIO_DIR / "binary-classification.toml")
    (q,) = [q for q in questions(tape) if q.id == "outputs.loss[5]"]
    yhat = nt.fmt(float(tape.yhat[0]))
    assert q.numbers == f"−[1·ln {yhat} + 0·ln {nt.fmt(1 - float(tape.yhat[0]))}]"
    assert not false_equalities(f"{q.numbers} {q.sign} {nt.fmt(q.value)}")


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_every_hint_names_the_variable_of_its_own_step(path):
    tape = _tape(path)
    s = tape.scenario
    for q in questions(tape):
        if not q.kind.startswith("factor."):
            continue
        step = int(re.search(r"\[(\d+)", q.id)[1]) if q.kind != "factor.backprop" else None
        f_kind = q.kind.removeprefix("factor.")
        # a bare g′(z), f′(a), σ(a) without the step's subscript is a formula about no step in particular
        assert not re.search(r"[fg]′\([az]\)|σ\(a\)", q.hint), f"{q.id}: {q.hint}"
        if f_kind in ("output_act", "output_grad"):
            assert f"g′(z{nt.sub(step)})" in q.hint, f"{q.id}: {q.hint}"
            assert "(a" not in q.hint, f"{q.id}: {q.hint}"  # the output's variable is z, not a
            if s.output_activation == "sigmoid":
                assert f"σ(z{nt.sub(step)}) = 1/(1 + e^−z{nt.sub(step)})" in q.hint
        if f_kind in ("backprop", "immediate"):
            j = int(re.search(r"∂⁺?O(\S+?)/", q.symbol)[1].translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")))
            assert f"f′(a{nt.sub(j)})" in q.hint, f"{q.id}: {q.hint}"


def test_the_prediction_hint_writes_the_sigmoid():
    tape = _tape(SCENARIO_DIR / "binary-classification.toml")
    (q,) = [q for q in questions(tape) if q.id == "outputs.yhat[5]"]
    assert "ŷ₅ = σ(z₅) = 1/(1 + e^−z₅)" in q.hint


# ----------------------------------------------------------------------------- random drills are hand-sized

@pytest.mark.parametrize("seed", [*range(0, 150), 7, 10**6 + 3])
def test_a_random_drill_is_hand_sized(seed):
    """What the README promises of `rnnstep drill --seed N`, checked on the tape itself."""
    from rnnstep.drill.randomize import random_scenario

    s = random_scenario(seed)
    tape = rnnstep.build_tape(s)
    assert 2 <= tape.T <= 4
    for value in (*s.x, s.w, s.w_prime, s.b, *(s.y if isinstance(s.y, tuple) else (s.y,))):
        assert round(value, 2) == value and -1 <= value <= 1
    assert 0.5 <= s.w_out <= 1.5 and round(s.w_out, 2) == s.w_out
    assert s.learning_rate in (0.05, 0.1, 0.2)  # never η = 1 (the seed 7 drew it)
    assert not (s.activation == "sigmoid" and s.output_activation == "sigmoid")
    if s.activation in ("relu", "leaky_relu"):
        assert all(abs(a) >= 0.05 for a in tape.a)
    if s.loss == "bce":
        assert all(0.05 <= y <= 0.95 for y in tape.yhat)
    for table in tape.gradients.values():
        for v in [*table.value.tolist(), float(table.total)]:
            assert v == 0 or 1e-4 <= abs(v) <= 10
    assert all(abs(u.new - u.old) <= 0.5 for u in tape.updates.values())


def test_the_drill_asks_f_prime_at_every_forward_step():
    """f′(a_t) is a question of its own (it stayed `?` on screen before): asked after O_t, its value
    the hand formula's, hidden while asked and shown with O_t."""
    from rnnstep.tui.panels.base import View
    from rnnstep.tui.panels.step import step_panel
    from rich.console import Console
    import io
    import math

    tape = _tape(SCENARIO_DIR / "notes-four-steps.toml")
    qs = questions(tape)
    ids = [q.id for q in qs]
    for t in range(1, tape.T + 1):
        assert ids.index(f"forward.f_prime[{t}]") == ids.index(f"forward.O[{t}]") + 1
        (q,) = [q for q in qs if q.id == f"forward.f_prime[{t}]"]
        O = math.tanh(tape.scenario.x[t - 1] * tape.scenario.w + (float(tape.O[t - 2]) if t > 1 else 0.0)
                      * tape.scenario.w_prime + tape.scenario.b)
        assert q.value == pytest.approx(1 - O * O)
        assert not false_equalities(f"{q.numbers} {q.sign} {nt.fmt(q.value)}")
        console = Console(file=io.StringIO(), width=120, record=True, color_system=None)
        console.print(step_panel(View(tape, q.step, hidden={q.id}), 120, 30))
        text = console.export_text()
        assert f"f′(a{nt.sub(t)}) = 1 − tanh²(a{nt.sub(t)}) = 1 − O{nt.sub(t)}² = ?" in text
        assert nt.fmt(float(tape.O[t - 1])) in text  # O_t, already found, is shown


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_a_hidden_value_never_has_approximately_before_it(path):
    """`≈ ?` would tell the learner that the printed inputs give another last digit: a hint at the answer."""
    import io

    from rich.console import Console

    from rnnstep.tui.panels.base import View
    from rnnstep.tui.panels.step import step_panel

    tape = _tape(path)
    qs = questions(tape)
    for n, q in enumerate(qs[:400]):
        hidden = {r.id for r in qs[n:] if r.step == q.step}  # as the drill hides them (drill/tui.py)
        console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
        console.print(step_panel(View(tape, q.step, hidden=hidden), 200, 60))
        text = console.export_text()
        assert "≈ ?" not in text and "≈ (?)" not in text, (q.id, text)
