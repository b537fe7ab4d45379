"""RTRL on gated cells (SPEC §8, §9): P_t = ∂s_t/∂p carried through an LSTM's (O_t, c_t) or a GRU's O_t.

Its totals against the gated tape's BPTT totals, against torch's own nn.LSTM / nn.GRU (float64), and
against central finite differences of the loss (which need no torch); each row ∂ℓ_t/∂s_t·P_t against
Σ_k term(t, k) taken by torch with a copy of the weight per step; the cost and the size limit.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gated_scenarios import HEADS, gated_toml
from rnnstep.methods.rtrl import costs
from rnnstep.scenario import parse_scenario
from rnnstep.build import build_tape

HAS_TORCH = importlib.util.find_spec("torch") is not None
RECURRENT = ("w_prime", "w", "b", "b_prime")


def rtrl_text(cell: str, **kwargs) -> str:
    return gated_toml(cell, **kwargs) + 'method = "rtrl"\n'


def _close(a, b, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


scenarios = st.fixed_dictionaries(dict(
    cell=st.sampled_from(["lstm", "gru"]), n=st.integers(1, 3), m=st.integers(1, 2), q=st.integers(1, 2),
    T=st.integers(1, 6), every_step=st.booleans(), start=st.booleans(), seed=st.integers(0, 10_000),
    head=st.sampled_from(HEADS), scale=st.sampled_from([0.5, 1.0, 2.0])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_gated_rtrl_totals_are_bptt_and_torch(keys):
    text = rtrl_text(**keys)
    tape = build_tape(parse_scenario(text))
    rtrl = tape.rtrl
    assert set(rtrl.totals) == set(tape.params)
    for p in tape.params:  # BPTT: the gated tape's totals, path by path backwards
        _close(rtrl.totals[p], tape.gradients[p].total)
    if HAS_TORCH:  # and torch's own module, which shares nothing with either
        import gated_reference as ref

        expected = ref.module_totals(tape.scenario)
        for p in tape.params:
            _close(rtrl.totals[p], expected[p].reshape(tape.param_shape(p)), rtol=1e-8, atol=1e-11)


@pytest.mark.skipif(not HAS_TORCH, reason="the per-step weight copies are taken with torch autograd")
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_each_rtrl_row_is_the_whole_row_of_the_triangle(cell):
    """∂ℓ_t/∂s_t·P_t = Σ_k term(t, k) for every target t, each term from torch with a weight copy per step."""
    import gated_reference as ref

    tape = build_tape(parse_scenario(rtrl_text(cell, n=2, m=2, T=5, every_step=True, seed=11)))
    terms = ref.per_step_terms(tape.scenario)
    for position, t in enumerate(tape.targets):
        for p in RECURRENT:
            lo, hi = tape.rtrl.columns[p]
            row = sum(terms[(p, int(t), k)] for k in range(1, int(t) + 1)).reshape(-1)
            _close(tape.rtrl.rows[position, lo:hi], row)


@pytest.mark.skipif(not HAS_TORCH, reason="the state's Jacobian is taken with torch autograd")
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_every_P_t_is_the_jacobian_of_the_state_by_torch(cell):
    """P_t = ∂s_t/∂(w′, w, b, b′), columns in that order, each weight flattened by rows: torch's Jacobian of the
    state run forward t steps by the reference cell (no rnnstep code), for every t."""
    import torch

    import gated_reference as ref

    tape = build_tape(parse_scenario(rtrl_text(cell, n=2, m=2, T=4, seed=7)))
    w = ref.weights(tape.scenario)
    sizes = [w[p].numel() for p in RECURRENT]
    flat = torch.cat([w[p].reshape(-1) for p in RECURRENT])
    for t in range(1, tape.T + 1):
        def state(theta, t=t):
            Wp, W, b, bp = (part.reshape(w[p].shape) for part, p in zip(torch.split(theta, sizes), RECURRENT))
            h, c = w["h0"], (w["c0"] if cell == "lstm" else torch.zeros_like(w["h0"]))
            for k in range(t):
                h, c = ref.cell_step(cell, W, Wp, b, bp, w["x"][k], h, c)
            return torch.cat((h, c)) if cell == "lstm" else h

        _close(tape.rtrl.history[t - 1], torch.autograd.functional.jacobian(state, flat).numpy())


def _loss_with(text: str, param: str, index: int, change: float) -> float:
    """The loss of the scenario with one entry of one weight moved (the file re-read, nothing reused)."""
    scenario = parse_scenario(text)
    arrays = {p: np.array(v, dtype=float) for p, v in scenario.arrays().items()}
    flat = arrays[param].reshape(-1)
    flat[index] += change
    lines = []
    for line in text.splitlines():
        key = line.split(" = ")[0]
        if key == param:
            line = f"{param} = {np.asarray(arrays[param]).tolist()!r}"
        lines.append(line)
    return float(build_tape(parse_scenario("\n".join(lines) + "\n")).loss)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_rtrl_totals_are_finite_differences(cell):
    text = rtrl_text(cell, n=2, m=1, T=4, every_step=True, seed=5)
    tape = build_tape(parse_scenario(text))
    h = 1e-6
    for p in RECURRENT:
        total = np.asarray(tape.rtrl.totals[p]).reshape(-1)
        for i in range(total.size):
            slope = (_loss_with(text, p, i, h) - _loss_with(text, p, i, -h)) / (2 * h)
            assert total[i] == pytest.approx(slope, rel=1e-5, abs=1e-8), (p, i)


@pytest.mark.parametrize("cell, S, G", [("lstm", 4, 4), ("gru", 2, 3)])
def test_gated_rtrl_cost_counts_the_state_and_every_gate_column(cell, S, G):
    n, m, T = 2, 3, 6
    tape = build_tape(parse_scenario(rtrl_text(cell, n=n, m=m, T=T)))
    columns = G * n * n + G * n * m + G * n + G * n  # one per entry of W′, W, b, b′
    assert tape.rtrl.history.shape == (T, S, columns)  # P_t is S × columns
    bptt, rtrl = tape.rtrl.bptt_cost, tape.rtrl.rtrl_cost
    assert rtrl.held == S * columns + S  # P and the state
    assert rtrl.multiplies == G * n * n + S * S * columns + S * columns  # J_t, J_t·P_{t−1}, ∂⁺s_t/∂p
    assert bptt.held == T * (S + G * n) + S  # every state and gate value, and one state row going back
    assert bptt.multiplies == S * G * n + G * n * n + columns  # row·∂s/∂a, δₕ·W′, the terms
    assert costs(n, m, T, cell) == (bptt, rtrl)
    assert costs(n, m, T) == costs(n, m, T, "rnn")  # the plain cell's numbers as they were


@pytest.mark.parametrize("cell, most", [("lstm", 8), ("gru", 12)])
def test_gated_rtrl_refuses_a_large_hidden_size_in_one_line(tmp_path, capsys, cell, most):
    from rnnstep.cli import main

    path = tmp_path / "big.toml"
    path.write_text(rtrl_text(cell, n=most + 1, T=2), encoding="utf-8")
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnnstep: error: {path}: train.method: rtrl on a {cell.upper()} is limited to a hidden "
                          f"size n ≤ {most}, found n = {most + 1}") and err.count("\n") == 1 and "O(n⁴)" in err
    tape = build_tape(parse_scenario(rtrl_text(cell, n=most, T=2)))
    _close(tape.rtrl.totals["w_prime"], tape.gradients["w_prime"].total)


def test_the_gated_limit_keeps_a_step_within_the_plain_cells_at_its_limit():
    """The limits are chosen by cost: at them a gated step multiplies about as much as the plain cell's at
    n = 16 (within a quarter, the bias columns' share), one more unit well beyond."""
    from rnnstep.methods import RTRL_MAX_HIDDEN, RTRL_MAX_HIDDEN_GATED

    plain = costs(RTRL_MAX_HIDDEN, 1, 1)[1].multiplies
    for cell, most in RTRL_MAX_HIDDEN_GATED.items():
        assert costs(most, 1, 1, cell)[1].multiplies <= 1.25 * plain
        assert costs(most + 1, 1, 1, cell)[1].multiplies > 1.25 * plain


# ----------------------------------------------------------------------------- the printed trace

@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_json_rtrl_of_a_gated_cell_has_b_prime_and_the_gated_cost(cell, tmp_path, capsys):
    import json

    from rnnstep.cli import main

    path = tmp_path / f"{cell}.toml"
    path.write_text(rtrl_text(cell, n=2, m=1, T=4, every_step=True, seed=3), encoding="utf-8")
    assert main(["trace", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    tape = build_tape(parse_scenario(path.read_text(encoding="utf-8")))
    assert list(data["rtrl"]["totals"]) == ["w_prime", "w", "b", "b_prime", "w_out", "b_out"]
    for p in RECURRENT:  # the JSON's RTRL totals are BPTT's (the trace's own gradients)
        _close(data["rtrl"]["totals"][p], data["gradients"][p]["total"])
    bptt, rtrl = costs(2, 1, 4, cell)
    assert data["rtrl"]["cost"] == {"bptt": {"held": bptt.held, "multiplies_per_step": bptt.multiplies},
                                    "rtrl": {"held": rtrl.held, "multiplies_per_step": rtrl.multiplies}}
    assert rtrl.held == tape.rtrl.history[0].size + tape.rtrl.history.shape[1]


@pytest.mark.parametrize("cell, carried", [("lstm", "P_t = ∂(O_t, c_t)/∂p, the LSTM's whole state (2n = 4 rows)"),
                                           ("gru", "∂O_t/∂ã_t·∂ã_t/∂p for w′ and b′")])
@pytest.mark.parametrize("fmt", ["markdown", "latex", "table"])
def test_documents_say_what_a_gated_P_t_carries_and_list_b_prime(cell, carried, fmt, tmp_path, capsys):
    from rnnstep.cli import main

    path = tmp_path / f"{cell}.toml"
    path.write_text(rtrl_text(cell, n=2, T=3), encoding="utf-8")
    assert main(["trace", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "RTRL" in out
    if fmt != "latex":
        assert carried in out and "∂L/∂b′: RTRL" in out
    else:
        assert r"\partial" in out and "b$'$" in out.split("RTRL: the influence")[1]


# ----------------------------------------------------------------------------- the shipped scenario

def test_lstm_rtrl_notes_hold():
    """Every number a note of gated/lstm-rtrl states, against the gated tape's BPTT terms and the cost formula."""
    from rnnstep import load_scenario
    from rnnstep.notation import fmt

    tape = build_tape(load_scenario("lstm-rtrl"))
    notes = {n.at: n.text for n in tape.scenario.notes}
    assert len(notes) == 5
    r = tape.rtrl
    # P₁ = ∂⁺s₁/∂p alone; P_t is 4×40 with W′ 16, W 8, b 8, b′ 8 columns
    from rnnstep.methods.rtrl import gated_update

    carried, immediate, P = gated_update(tape, 1)
    assert not carried.any() and np.array_equal(P, immediate)
    # the note names the initial state as the screen does (O₀, c₀), not as the file's keys (h0, c0)
    assert "J₁·P₀ = 0, since O₀ and c₀ do not depend on the weights" in notes["forward.O[1]"]
    assert "h0" not in notes["forward.O[1]"] and "c0" not in notes["forward.O[1]"]
    assert r.history.shape[1:] == (4, 40) and "P_t is 4×40" in notes["forward.O[1]"]
    widths = {p: hi - lo for p, (lo, hi) in r.columns.items()}
    assert widths == {"w_prime": 16, "w": 8, "b": 8, "b_prime": 8}
    assert "W′ (16), W (8), b (8) and b′ (8)" in notes["forward.O[1]"]
    # row 3: Σ_k term(3, k) of b, from the backward pass's own terms
    b = tape.gradients["b"]
    row = sum(b.term(i) for i in range(len(b)) if b.t[i] == 3)
    lo, hi = r.columns["b"]
    _close(r.rows[tape.target_position[3], lo:hi], row)
    biggest = int(np.argmax(np.abs(row)))
    assert biggest == 4 and tape.gate_names[biggest // 2] == "g"  # entry 5: the g gate's first row (2 rows a gate)
    assert f"Its largest entry is {fmt(row[biggest])}, in the g gate's first row (entry 5)" in notes["forward.O[3]"]
    # the c rows of P₄ against its O rows
    P4 = r.history[3]
    c_rows, O_rows = np.linalg.norm(P4[2:]), np.linalg.norm(P4[:2])
    assert f"‖c rows‖ = {fmt(c_rows)} against ‖O rows‖ = {fmt(O_rows)}" in notes["forward.O[4]"] and c_rows > 2 * O_rows
    # b′ = b, and both are BPTT's
    _close(r.totals["b_prime"], r.totals["b"], rtol=0, atol=0)
    for p in ("b", "b_prime"):
        _close(r.totals[p], tape.gradients[p].total)
    # the cost
    (bptt, rtrl), (_, big) = costs(2, 1, 4, "lstm"), costs(8, 1, 4, "lstm")
    text = notes["update"]
    assert (f"BPTT holds {bptt.held} numbers (every state and gate of the sequence) and multiplies {bptt.multiplies} "
            f"per step; RTRL holds {rtrl.held} (P_t and the state) and multiplies {rtrl.multiplies}.") in text
    from rnnstep.methods import RTRL_MAX_HIDDEN_GATED

    assert RTRL_MAX_HIDDEN_GATED["lstm"] == 8
    assert f"it would multiply {big.multiplies} per step against BPTT's {costs(8, 1, 4, 'lstm')[0].multiplies}" in text
    assert (bptt.held, bptt.multiplies, rtrl.held, rtrl.multiplies) == (4 * (4 + 8) + 4, 4 * 8 + 8 * 2 + 40,
                                                                        4 * 40 + 4, 8 * 2 + 16 * 40 + 4 * 40)
