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
