"""Gated cells (SPEC §8): every term, total, carry and rest against references that share no code
with the engine (torch float64 autograd with per-step weight copies, nn.LSTM / nn.GRU, finite
differences, the route enumeration, and a scalar LSTM written out by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from gated_scenarios import HEADS, gated_scenario, gated_scenarios
from rnnstep import build_tape, load_scenario

torch = pytest.importorskip("torch")
import gated_reference as ref  # noqa: E402  (needs torch)

RECURRENT = ("w_prime", "w", "b", "b_prime")


def _close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


def _check_terms(s):
    tape = build_tape(s)
    expected = ref.per_step_terms(s)
    for p in RECURRENT:
        table = tape.gradients[p]
        assert len(table) == len(expected) // 4
        for i in range(len(table)):
            t, k = int(table.t[i]), int(table.k[i])
            _close(table.term(i), expected[(p, t, k)].reshape(table.shape))
    # the bias terms are δ itself: δₓ for b, δₕ for b_prime
    for i in range(len(tape.gradients["b"])):
        _close(tape.gradients["b"].delta(i), tape.gradients["b"].term(i))
        _close(tape.gradients["b_prime"].delta(i), tape.gradients["b_prime"].term(i))
    return tape


def _check_totals(s, tape=None):
    tape = tape or build_tape(s)
    torch_totals = ref.module_totals(s)
    _close(tape.O, torch_totals["O"])
    _close(tape.loss, torch_totals["loss"])
    for p in tape.params:
        _close(tape.gradients[p].total, torch_totals[p].reshape(tape.param_shape(p)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gated_scenarios())
def test_every_term_is_the_gradient_wrt_the_weight_used_at_step_k(s):
    tape = _check_terms(s)
    _check_totals(s, tape)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gated_scenarios())
def test_carry_plus_rest_is_delta_and_every_total_is_the_sum_of_its_terms(s):
    tape = build_tape(s)
    for p in RECURRENT:
        table = tape.gradients[p]
        kept = np.zeros(table.shape)
        for i in range(len(table)):
            _close(table.carry(i) + table.rest(i), table.delta(i), rtol=0, atol=1e-15)
            kept = kept + table.term(i)
        _close(table.total, kept, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("every_step", [False, True])
@pytest.mark.parametrize("head", HEADS)
def test_every_head_and_loss_against_torch(cell, every_step, head):
    for n in (1, 3):
        s = gated_scenario(cell, n=n, m=2, q=2, T=4, every_step=every_step, head=head, seed=n)
        _check_terms(s)
        _check_totals(s)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_totals_against_finite_differences(cell):
    s = gated_scenario(cell, n=2, m=2, q=1, T=5, every_step=True, seed=3)
    tape = build_tape(s)
    eps = 1e-6
    for p in tape.params:
        base = np.array(getattr(s, p), dtype=float)
        grad = np.asarray(tape.gradients[p].total)
        for index in np.ndindex(base.shape):
            up, down = base.copy(), base.copy()
            up[index] += eps
            down[index] -= eps
            numeric = (build_tape(s.with_weights(**{p: up})).loss - build_tape(s.with_weights(**{p: down})).loss) / (2 * eps)
            assert grad[index] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (p, index)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("n", [1, 2])
def test_carry_is_the_all_carry_route_and_the_routes_sum_to_delta(cell, n):
    s = gated_scenario(cell, n=n, m=1, q=1, T=9, every_step=False, seed=7, scale=1.0)
    tape = build_tape(s)
    T = s.T
    for p, side in (("b", False), ("b_prime", True)):
        table = tape.gradients[p]
        for k in range(T, 0, -1):
            i = table.index_of(T, k)
            found = ref.routes(s, T, k, recurrent_side=side)
            assert len(found) == 2 ** (T - k)
            _close(sum(share for _, share in found), table.delta(i), rtol=1e-9, atol=1e-13)
            if k < T or cell == "gru":
                all_carry = [share for labels, share in found
                             if all(label in ("c", "carry") for label in labels[1 if cell == "lstm" else 0:])]
                assert len(all_carry) == 1
                _close(table.carry(i), all_carry[0], rtol=1e-9, atol=1e-14)
            else:  # LSTM, k = t: the part of δ through c_t; the rest is the output gate's rows
                delta, carry = table.delta(i), table.carry(i)
                _close(carry[: 3 * n], delta[: 3 * n], rtol=0, atol=0)
                assert not carry[3 * n:].any()


def test_the_carry_of_an_open_forget_gate_is_nearly_all_of_an_old_term():
    """A note-sized LSTM with f ≈ 1 and a weak W′: the carry share of the oldest term dominates."""
    s = load_scenario("""
[rnn]
cell = "lstm"
[weights]
w = [1.0, 0.0, 1.0, 0.0]
w_prime = [0.0, 0.0, 0.0, 0.0]
b = [0.0, 6.0, 0.0, 2.0]
[data]
x = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
y = 1.0
""")
    tape = build_tape(s)
    table = tape.gradients["w"]
    i = table.index_of(6, 1)
    f = 1 / (1 + math.exp(-6.0))
    assert np.allclose(table.rest(i), 0, atol=1e-15)  # W′ = 0: the carry is the only way back
    assert tape.carry_factor(6, 1)[0] == pytest.approx(f ** 5, rel=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_block_jacobians_are_autograds(cell):
    s = gated_scenario(cell, n=3, m=2, q=1, T=4, seed=11, scale=1.2)
    tape = build_tape(s)
    J = ref.step_jacobians(s)
    for j in range(1, s.T + 1):
        _close(tape.backprop_jacobian(j), J[j - 1], rtol=1e-10, atol=1e-13)
        dx, dh = ref.pre_activation_partials(s, j)
        _close(tape.immediate_partial(j), dx, rtol=1e-10, atol=1e-13)
        _close(tape.immediate_partial(j, recurrent_side=True), dh, rtol=1e-10, atol=1e-13)
    # the factors of a term multiply out to its δ
    table = tape.gradients["w_prime"]
    for i in range(len(table)):
        product = None
        for factor in tape.factors("w_prime", i):
            product = factor.value if product is None else product @ factor.value
        _close(product[0], table.delta(i), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_truncation_clip_and_update_as_for_the_plain_cell(cell):
    s = gated_scenario(cell, n=2, m=1, q=1, T=5, every_step=True, seed=5, truncate=2, clip=0.05)
    tape = build_tape(s)
    expected = ref.per_step_terms(s)
    for p in RECURRENT:
        table = tape.gradients[p]
        kept = sum(expected[(p, int(t), int(k))] for t, k in zip(table.t, table.k) if t - k < 2)
        _close(table.total, kept.reshape(table.shape))
        update = tape.updates[p]
        _close(update.new, np.asarray(getattr(s, p)).reshape(table.shape) - 0.1 * np.clip(kept, -0.05, 0.05).reshape(table.shape))
    # one epoch further: the next scenario is a gated scenario with the new weights
    nxt = tape.next_scenario()
    assert nxt.cell == cell
    _close(np.asarray(nxt.b_prime), tape.updates["b_prime"].new)


def test_overflow_is_flagged_not_raised():
    s = gated_scenario("lstm", n=2, m=1, q=1, T=3, seed=1, scale=1.0)
    big = s.with_weights(w_out=np.full((1, 2), 1e308), b_out=np.array([1e308]))
    tape = build_tape(big)
    assert tape.nonfinite


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("every_step", [False, True])
def test_the_recursive_view_is_the_sum_of_the_paths(cell, every_step):
    """backward.dL_da[k] = ∂L/∂a_k = Σ_t δₓ(t,k) (and ∂L/∂ã_k with δₕ), each δ from torch's per-step copies."""
    s = gated_scenario(cell, n=2, m=1, q=1, T=5, every_step=every_step, seed=9)
    tape = build_tape(s)
    expected = ref.per_step_terms(s)
    for k in range(1, s.T + 1):
        _close(tape.dL_da[k - 1], sum(expected[("b", t, k)] for t in s.targets if t >= k))
        _close(tape.dL_da_prime[k - 1], sum(expected[("b_prime", t, k)] for t in s.targets if t >= k))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_with_a_target_at_every_step_every_carry_is_still_the_all_carry_route(cell):
    """The recursion for many targets at once (not the one-target loop): the same route check, every (t, k)."""
    s = gated_scenario(cell, n=2, m=1, q=1, T=5, every_step=True, seed=12, scale=1.0)
    tape = build_tape(s)
    table = tape.gradients["b"]
    for t in s.targets:
        for k in range(t, 0, -1):
            i = table.index_of(t, k)
            found = ref.routes(s, t, k)
            _close(sum(share for _, share in found), table.delta(i), rtol=1e-9, atol=1e-13)
            if t > k:
                all_carry = [share for labels, share in found
                             if all(label in ("c", "carry") for label in labels[1 if cell == "lstm" else 0:])]
                _close(table.carry(i), all_carry[0], rtol=1e-9, atol=1e-14)
