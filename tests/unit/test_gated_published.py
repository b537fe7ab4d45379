"""The two-step LSTM worked by hand in a well-known blog post (A. Gomez, "Backpropogating an LSTM:
A Numerical Example"): its gates a, i, f, o reordered to PyTorch's i, f, g, o (a is g).

The expected numbers come from a scalar LSTM written out below in the post's own equations
(Python floats, no numpy, no rnnstep), and are checked against the post's printed figures."""

from __future__ import annotations

import math

import pytest

from rnnstep import build_tape, load_scenario

# the post's parameters, per gate: (W row over x's two inputs, U, b)
POST = {"a": ((0.45, 0.25), 0.15, 0.2), "i": ((0.95, 0.8), 0.8, 0.65),
        "f": ((0.7, 0.45), 0.1, 0.15), "o": ((0.6, 0.4), 0.25, 0.1)}
X = ((1.0, 2.0), (0.5, 3.0))
LABELS = (0.5, 1.25)
ORDER = ("i", "f", "a", "o")  # PyTorch's i, f, g, o with g = the post's a

FILE = """
title = "the post's LSTM"
[rnn]
cell = "lstm"
[weights]
w = [[0.95, 0.8], [0.7, 0.45], [0.45, 0.25], [0.6, 0.4]]
w_prime = [0.8, 0.1, 0.15, 0.25]
b = [0.65, 0.15, 0.2, 0.1]
[data]
x = [[1.0, 2.0], [0.5, 3.0]]
y = [0.5, 1.25]
[train]
learning_rate = 0.1
"""


def _sig(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def by_hand():
    """The post's forward and backward pass, line by line."""
    out, state, gates = [0.0], [0.0], []
    for x in X:
        pre = {g: POST[g][0][0] * x[0] + POST[g][0][1] * x[1] + POST[g][1] * out[-1] + POST[g][2] for g in POST}
        a, i, f, o = math.tanh(pre["a"]), _sig(pre["i"]), _sig(pre["f"]), _sig(pre["o"])
        state.append(a * i + f * state[-1])
        out.append(math.tanh(state[-1]) * o)
        gates.append({"a": a, "i": i, "f": f, "o": o})
    d_gates = [None, None]
    future_out, future_state, future_f = 0.0, 0.0, 0.0
    for t in (1, 0):
        g = gates[t]
        d_out = out[t + 1] - LABELS[t] + future_out  # ΔT_t + Δout_t
        d_state = d_out * g["o"] * (1 - math.tanh(state[t + 1]) ** 2) + future_state * future_f
        d_gates[t] = {"a": d_state * g["i"] * (1 - g["a"] ** 2), "i": d_state * g["a"] * g["i"] * (1 - g["i"]),
                      "f": d_state * state[t] * g["f"] * (1 - g["f"]), "o": d_out * math.tanh(state[t + 1]) * g["o"] * (1 - g["o"])}
        future_out = sum(POST[k][1] * d_gates[t][k] for k in POST)  # Δout_{t−1} = Uᵀ·δgates_t
        future_state, future_f = d_state, g["f"]
    dW = {k: [sum(d_gates[t][k] * X[t][j] for t in (0, 1)) for j in (0, 1)] for k in POST}
    dU = {k: sum(d_gates[t][k] * out[t] for t in (0, 1)) for k in POST}  # out[t] is out_{t−1}
    db = {k: sum(d_gates[t][k] for t in (0, 1)) for k in POST}
    return out[1:], state[1:], dW, dU, db


def sig6(v: float) -> str:
    return f"{v:.6g}"


def test_the_posts_published_figures_by_hand_and_on_the_tape():
    out, state, dW, dU, db = by_hand()
    # the post prints out₁ = 0.53631, out₂ = 0.77197 and the states 0.78572, 1.5176 (its rounding)
    assert out[0] == pytest.approx(0.53631, abs=1e-5) and out[1] == pytest.approx(0.77197, abs=2e-5)
    assert state[0] == pytest.approx(0.78572, abs=1e-5) and state[1] == pytest.approx(1.5176, abs=1e-4)
    tape = build_tape(load_scenario(FILE))
    assert [sig6(v) for v in tape.O[:, 0]] == [sig6(v) for v in out]
    assert [sig6(v) for v in tape.c[:, 0]] == [sig6(v) for v in state]
    for row, gate in enumerate(ORDER):
        assert [sig6(v) for v in tape.gradients["w"].total[row]] == [sig6(v) for v in dW[gate]]
        assert sig6(tape.gradients["w_prime"].total[row, 0]) == sig6(dU[gate])
        assert sig6(tape.gradients["b"].total[row]) == sig6(db[gate])
        assert tape.gradients["b"].total[row] == pytest.approx(db[gate], rel=1e-12)
        # b′ enters exactly where b does (PyTorch's bias_hh beside bias_ih)
        assert tape.gradients["b_prime"].total[row] == pytest.approx(db[gate], rel=1e-12)
    # the update of the post's η = 0.1
    assert tape.updates["w_prime"].new[0, 0] == pytest.approx(0.8 - 0.1 * dU["i"], rel=1e-12)


def test_the_posts_numbers_against_torch():
    torch = pytest.importorskip("torch")
    out, _, dW, dU, db = by_hand()
    lstm = torch.nn.LSTM(2, 1).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor([POST[g][0] for g in ORDER], dtype=torch.float64))
        lstm.weight_hh_l0.copy_(torch.tensor([[POST[g][1]] for g in ORDER], dtype=torch.float64))
        lstm.bias_ih_l0.copy_(torch.tensor([POST[g][2] for g in ORDER], dtype=torch.float64))
        lstm.bias_hh_l0.zero_()
    result, _ = lstm(torch.tensor(X, dtype=torch.float64))
    (0.5 * ((result[:, 0] - torch.tensor(LABELS, dtype=torch.float64)) ** 2).sum()).backward()
    assert result[:, 0].tolist() == pytest.approx(out, rel=1e-12)
    for row, gate in enumerate(ORDER):
        assert lstm.weight_ih_l0.grad[row].tolist() == pytest.approx(dW[gate], rel=1e-10)
        assert float(lstm.weight_hh_l0.grad[row, 0]) == pytest.approx(dU[gate], rel=1e-10)
        assert float(lstm.bias_ih_l0.grad[row]) == pytest.approx(db[gate], rel=1e-10)
