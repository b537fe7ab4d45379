"""Every number of the tape against an independent computation (dual numbers, finite differences)."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import rnnstep
from reference import OVERFLOW_TOML, PARAMS, Net, to_toml
from strategies import away_from_kinks, nets


def tape_of(net: Net, **train):
    return rnnstep.build_tape(rnnstep.load_scenario(to_toml(net, **train)))


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def well_behaved(net: Net) -> bool:
    """Finite, and bce's ŷ away from 0 and 1 (where ln blows up)."""
    _, O_list, losses = net.run()
    values = [o.v for o in O_list] + [l.v for _, _, l in losses.values()]
    if not all(math.isfinite(v) and abs(v) < 1e6 for v in values):
        return False
    return net.loss != "bce" or all(1e-9 < yh.v < 1 - 1e-9 for _, yh, _ in losses.values())


@settings(max_examples=150, deadline=None)
@given(nets())
def test_forward_and_loss_match_reference(net):
    assume(well_behaved(net))
    tape = tape_of(net)
    a_list, O_list, losses = net.run()
    for t in range(1, net.T + 1):
        assert close(tape.value(f"forward.a[{t}]"), a_list[t - 1].v)
        assert close(tape.value(f"forward.O[{t}]"), O_list[t - 1].v)
    for t, (z, yhat, ell) in losses.items():
        assert close(tape.value(f"outputs.z[{t}]"), z.v)
        assert close(tape.value(f"outputs.yhat[{t}]"), yhat.v)
        assert close(tape.value(f"outputs.loss[{t}]"), ell.v, 1e-9, 1e-15)
    assert close(tape.loss, net.total_loss(), 1e-9, 1e-15)


@settings(max_examples=150, deadline=None)
@given(nets())
def test_every_term_is_the_derivative_through_one_use_of_the_weight(net):
    assume(well_behaved(net))
    tape = tape_of(net)
    for param in ("w_prime", "w", "b"):
        table = tape.gradients[param]
        for i in range(len(table)):
            t, k = int(table.t[i]), int(table.k[i])
            expected = net.term(param, t, k)
            assert close(float(table.value[i]), expected, 1e-8, 1e-13), (param, t, k)
    for param in ("w_out", "b_out"):
        table = tape.gradients[param]
        for i in range(len(table)):
            assert close(float(table.value[i]), net.output_term(param, int(table.t[i])), 1e-8, 1e-13)


@settings(max_examples=150, deadline=None)
@given(nets())
def test_totals_match_dual_numbers_and_finite_differences(net):
    assume(well_behaved(net) and away_from_kinks(net))
    tape = tape_of(net)
    for param in PARAMS:
        total = tape.gradients[param].total
        assert close(total, net.gradient(param), 1e-8, 1e-12), param
        # Richardson extrapolation of two central differences: strongly curved losses (bce on a
        # saturating sigmoid) leave a plain central difference off by more than the tolerance
        fd = (4 * net.finite_difference(param, 5e-7) - net.finite_difference(param, 1e-6)) / 3
        scale = max(1.0, abs(total), abs(net.total_loss()))
        assert abs(total - fd) <= 1e-5 * scale, (param, total, fd)


@settings(max_examples=100, deadline=None)
@given(nets())
def test_recursive_view_matches_reference(net):
    assume(well_behaved(net))
    tape = tape_of(net)
    for t in range(1, net.T + 1):
        assert close(tape.value(f"backward.dL_dO[{t}]"), net.dL_dO(t), 1e-8, 1e-13)
    # ∂L/∂a_k summed is ∂L/∂b: the recursive view and the path view agree
    assert close(math.fsum(tape.dL_da), tape.gradients["b"].total, 1e-8, 1e-13)


@settings(max_examples=100, deadline=None)
@given(nets(), st.integers(1, 6))
def test_truncation_leaves_terms_out_of_the_running_sum(net, K):
    assume(well_behaved(net))
    tape = tape_of(net, truncate=K)
    for param in ("w_prime", "w", "b"):
        table = tape.gradients[param]
        kept = 0.0
        for i in range(len(table)):
            t, k = int(table.t[i]), int(table.k[i])
            assert bool(table.truncated[i]) == (t - k >= K)
            assert close(float(table.value[i]), net.term(param, t, k), 1e-8, 1e-13)  # still computed
            if t - k < K:
                kept += net.term(param, t, k)
            assert close(float(table.running_sum[i]), kept, 1e-8, 1e-12)
        expected = sum(net.term(param, t, k) for t in net.targets for k in range(t, 0, -1) if t - k < K)
        assert close(table.total, expected, 1e-8, 1e-12)
    if K == 1:  # only the immediate term of each target step
        assert all(int(t) == int(k) for t, k, tr in zip(tape.gradients["w"].t, tape.gradients["w"].k,
                                                         tape.gradients["w"].truncated) if not tr)


@settings(max_examples=100, deadline=None)
@given(nets(), st.one_of(st.none(), st.floats(0.01, 3.0)), st.floats(0.0, 1.0))
def test_update_is_gradient_descent_with_clipping(net, clip, lr):
    assume(well_behaved(net))
    tape = tape_of(net, clip=clip, learning_rate=lr)
    for param in PARAMS:
        grad = net.gradient(param)
        clipped = grad if clip is None else min(max(grad, -clip), clip)
        expected = getattr(net, param) - lr * clipped
        assert close(tape.value(f"update.{param}.new"), expected, 1e-8, 1e-12)


@settings(max_examples=100, deadline=None)
@given(nets())
def test_term_is_exactly_the_product_of_its_factors_and_sums_run(net):
    tape = tape_of(net)
    for param in PARAMS:
        table = tape.gradients[param]
        running = 0.0
        for i in range(len(table)):
            factors = tape.factors(param, i)
            product = 1.0
            for f in factors:
                product *= f.value
            assert product == table.value[i] or (math.isnan(product) and math.isnan(table.value[i]))
            running += table.value[i]
            assert running == table.running_sum[i] or (math.isnan(running) and math.isnan(table.running_sum[i]))


@settings(max_examples=60, deadline=None)
@given(nets(max_T=5))
def test_factors_are_the_local_derivatives(net):
    """Each factor against a one-step dual-number derivative of the reference."""
    assume(well_behaved(net))
    from reference import Dual, act, loss

    tape = tape_of(net)
    a_list, O_list, losses = net.run()
    O_prev = [net.h0] + [o.v for o in O_list[:-1]]
    for i in range(len(tape.gradients["w_prime"])):
        factors = tape.factors("w_prime", i)
        t, k = int(tape.gradients["w_prime"].t[i]), int(tape.gradients["w_prime"].k[i])
        z, yhat, _ = losses[t]
        assert close(factors[0].value, loss(net.loss, Dual(yhat.v, 1.0), net.y_at(t)).d, 1e-9, 1e-14)
        assert close(factors[1].value, act(net.output_activation, Dual(net.w_out * O_list[t - 1].v + net.b_out, net.w_out), net.leaky_slope).d, 1e-9, 1e-14)
        for n, j in enumerate(range(t, k, -1)):
            step = act(net.activation, Dual(net.w * net.x[j - 1] + net.w_prime * O_prev[j - 1] + net.b, net.w_prime), net.leaky_slope)
            assert close(factors[2 + n].value, step.d, 1e-9, 1e-14)
        immediate = act(net.activation, Dual(a_list[k - 1].v, O_prev[k - 1]), net.leaky_slope)
        assert close(factors[-1].value, immediate.d, 1e-9, 1e-14)


@pytest.mark.parametrize("path", rnnstep.scenario.shipped_scenarios(), ids=lambda p: p.stem)
def test_shipped_scenarios_load_and_check(path):
    from rnnstep.check import check_tape

    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    rows = check_tape(tape)
    assert all(row.ok for row in rows), rows
    assert tape.scenario.title and tape.scenario.description


def test_overflow_is_flagged_not_raised():
    tape = rnnstep.build_tape(rnnstep.load_scenario(OVERFLOW_TOML))
    assert tape.nonfinite
    assert math.isinf(tape.loss)
    assert any(not math.isfinite(v) for v in tape.gradients["w"].value)


def test_bce_saturated_output_is_infinite_not_an_error():
    text = """
[output]
activation = "sigmoid"
loss = "bce"
[weights]
w = 1.0
w_prime = 0.0
b = 0.0
w_out = 1000.0
[data]
x = [1.0]
y = 0.0
"""
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    assert tape.yhat[0] == 1.0 and math.isinf(tape.loss) and math.isinf(tape.dl_dyhat[0])
    assert tape.nonfinite


def test_bce_saturated_at_its_target_has_the_limit_derivative_not_nan():
    """ŷ = σ(1000) = 1.0 = y: ℓ = −ln ŷ = 0 and ∂ℓ/∂ŷ = −1/ŷ = −1 (the 0/0 of (ŷ − y)/(ŷ(1 − ŷ)) is removable);
    likewise ŷ = 0 = y gives 1/(1 − ŷ) = 1. Nothing is non-finite, and every term is 0 (∂ŷ/∂z = 0 there)."""
    for w_out, y, slope in ((1000.0, 1.0, -1.0), (-1000.0, 0.0, 1.0)):
        text = f"""
[output]
activation = "sigmoid"
loss = "bce"
[weights]
w = 1.0
w_prime = 0.0
b = 0.0
w_out = {w_out}
[data]
x = [1.0]
y = {y}
"""
        tape = rnnstep.build_tape(rnnstep.load_scenario(text))
        assert tape.yhat[0] == y and tape.loss == 0.0 and tape.dl_dyhat[0] == slope
        assert not tape.nonfinite and tape.gradients["w"].total == 0.0


def test_perturbed_engine_is_caught_by_check(monkeypatch):
    """The check can fail: corrupt one term and it reports a mismatch."""
    from rnnstep.check import check_tape

    tape = rnnstep.build_tape(rnnstep.default_scenario())
    tape.gradients["w"].running_sum[-1] += 1e-3
    rows = {r.param: r for r in check_tape(tape)}
    assert not rows["w"].ok and rows["w_prime"].ok
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    tape.gradients["b"].value[1] *= 1.01
    assert not {r.param: r for r in check_tape(tape)}["b"].gradient_ok
