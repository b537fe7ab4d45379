"""`rnnstep verify` blames a claim on a wrong stated input only when that input moves it.

A claim "follows from X" when the author's wrong X, carried through its formula, gives the stated
number, and X's true value would have given a different printed number. An input the value does not
depend on here (f₁ in c₁ = f₁·c₀ + i₁·g₁ with c₀ = 0; O₁[2] under a zero weight) is never blamed.
"""

from __future__ import annotations

import math

import rnnstep
from rnnstep.scenario import SCENARIO_DIR
from rnnstep.verify import verify

LSTM = (SCENARIO_DIR / "gated" / "lstm-two-steps-by-hand.toml").read_text(encoding="utf-8")


def _by_id(text: str):
    report = verify(rnnstep.build_tape(rnnstep.load_scenario(text)))
    return report, {r.id: r for r in report.results}


def test_a_wrong_forget_gate_does_not_move_c1_when_c0_is_zero():
    text = LSTM.replace('"forward.gate.f[1]" = "0.85195"', '"forward.gate.f[1]" = "0.81775"')
    assert text != LSTM
    report, by_id = _by_id(text)
    assert by_id["forward.gate.f[1][1]"].verdict == "slip"
    c1 = by_id["forward.c[1][1]"]
    # c₁ = f₁·0 + i₁·g₁ = 0.96083 × 0.81775 by hand, whatever f₁ is: one unit off the true 0.785726
    assert round(0.96083 * 0.81775, 5) == 0.78572
    assert c1.verdict == "rounding" and c1.follows_from == ()
    assert not any("forward.c[1]" in line for line in report.array_lines())
    assert "0 later numbers follow" in report.summary


def test_a_wrong_input_gate_that_moves_c1_is_still_what_c1_follows_from():
    # i₁ miscopied as 0.90000; c₁ worked from it by hand is 0.9 × 0.81775 = 0.735975
    c1 = f"{0.9 * 0.81775:.5f}"
    text = LSTM.replace('"forward.gate.i[1]" = "0.96083"', '"forward.gate.i[1]" = "0.90000"').replace(
        '"forward.c[1]" = "0.78572"', f'"forward.c[1]" = "{c1}"')
    report, by_id = _by_id(text)
    assert by_id["forward.gate.i[1][1]"].verdict == "slip"
    assert by_id["forward.c[1][1]"].verdict == "follows"
    assert by_id["forward.c[1][1]"].follows_from == ("forward.gate.i[1][1]",)
    assert report.roots["forward.c[1][1]"] == ("forward.gate.i[1][1]",)


def test_a_wrong_forget_gate_that_moves_c2_is_what_c2_follows_from():
    # at step 2, c₁ ≠ 0: f₂ miscopied as 0.8 moves c₂ = f₂·c₁ + i₂·g₂
    tape = rnnstep.build_tape(rnnstep.load_scenario(LSTM))
    i2, g2 = tape.value("forward.gate.i[2][1]"), tape.value("forward.gate.g[2][1]")
    c2 = 0.8 * 0.78572 + i2 * g2
    text = LSTM.replace('"forward.c[2]" = "1.5176"',
                        f'"forward.gate.f[2]" = "0.80000"\n"forward.c[2]" = "{c2:.4f}"')
    report, by_id = _by_id(text)
    assert by_id["forward.gate.f[2][1]"].verdict == "slip"
    assert by_id["forward.c[2][1]"].verdict == "follows"
    assert by_id["forward.c[2][1]"].follows_from == ("forward.gate.f[2][1]",)


VECTOR = """
title = "a zero recurrent weight"
[rnn]
activation = "tanh"
hidden_size = 2
h0 = [0.0, 0.0]
[output]
activation = "identity"
loss = "half_squared"
[weights]
w = [[0.5], [-0.2]]
w_prime = [[-0.3, {w12}], [0.2, 0.4]]
b = [0.1, 0.0]
w_out = [[1.0, 0.5]]
b_out = 0.0
[data]
x = [1.4, 0.5]
y = 0.2
[claims]
"forward.O[1]" = ["0.6640", "-0.2629"]
"forward.a[2][1]" = "{a21}"
"""


def test_a_vector_entry_under_a_zero_weight_is_not_blamed():
    # a₂[1] = 0.5·0.5 − 0.3·O₁[1] + 0·O₁[2] + 0.1; from the stated O₁[1] = 0.6640 it is 0.15080 by hand,
    # one unit off the true value: rounding, whatever the (wrong) O₁[2] is
    true_a21 = 0.25 - 0.3 * math.tanh(0.5 * 1.4 + 0.1) + 0.1
    by_hand = 0.25 - 0.3 * 0.6640 + 0.1
    assert 0.5 < abs(round(by_hand, 5) - true_a21) / 1e-5 < 1.5
    report, by_id = _by_id(VECTOR.format(w12="0.0", a21=f"{by_hand:.5f}"))
    assert by_id["forward.O[1][2]"].verdict == "slip"  # tanh(−0.28) = −0.2729, not −0.2629
    assert by_id["forward.a[2][1]"].verdict == "rounding"


def test_a_vector_entry_under_a_nonzero_weight_follows_from_the_wrong_entry():
    # with W′[1,2] = 0.1 the wrong O₁[2] moves a₂[1] by 0.1 × 0.01: the author's a₂[1] follows from it
    by_hand = 0.25 - 0.3 * 0.6640 + 0.1 * -0.2629 + 0.1
    report, by_id = _by_id(VECTOR.format(w12="0.1", a21=f"{by_hand:.5f}"))
    assert by_id["forward.a[2][1]"].verdict == "follows"
    assert by_id["forward.a[2][1]"].follows_from == ("forward.O[1][2]",)
