"""verify on random worked examples: one planted slip, a random subset of later numbers stated.

The author's numbers are computed here independently of rnnstep, with the dual
numbers of reference.py: the forward pass runs with the slip planted (the
stated, wrong value replaces the true one and everything after is worked from
it), and each derivative the author writes is measured by seeding one use.
verify must find exactly the one slip, and every stated number the slip makes
wrong must follow from it, whatever the example skips.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import rnnstep
from reference import Dual, Net, act, loss, to_toml
from rnnstep.verify import printed_unit, verify
from strategies import nets

RECURRENT = ("w_prime", "w", "b")


def author_run(net: Net, plant: tuple[str, int, float], seed: tuple = ()):
    """The forward pass with ``plant`` = (a|O|z|yhat, step, stated value); ``seed`` marks one use to differentiate:
    ("p", param, step), or ("a" | "O" | "yhat", step)."""

    def weight(name: str, t: int) -> Dual:
        return Dual(getattr(net, name), 1.0 if seed == ("p", name, t) else 0.0)

    def planted(kind: str, t: int, value: Dual) -> Dual:
        if plant[:2] == (kind, t):
            value = Dual(plant[2], value.d)
        return Dual(value.v, 1.0) if seed == (kind, t) else value

    O = Dual(net.h0)
    a_list, O_list, outputs = [], [], {}
    for t in range(1, net.T + 1):
        a = planted("a", t, weight("w", t) * net.x[t - 1] + weight("w_prime", t) * O + weight("b", t))
        O = planted("O", t, act(net.activation, a, net.leaky_slope))
        a_list.append(a)
        O_list.append(O)
        if t in net.targets:
            z = planted("z", t, weight("w_out", t) * O + weight("b_out", t))
            yhat = planted("yhat", t, act(net.output_activation, z, net.leaky_slope))
            outputs[t] = (z, yhat, loss(net.loss, yhat, net.y_at(t)))
    return a_list, O_list, outputs


def authors_numbers(net: Net, plant: tuple[str, int, float]) -> dict[str, float]:
    """Every number the author would write, by id, in tape order."""
    a_list, O_list, outputs = author_run(net, plant)
    out: dict[str, float] = {}
    for t in range(1, net.T + 1):
        out[f"forward.a[{t}]"], out[f"forward.O[{t}]"] = a_list[t - 1].v, O_list[t - 1].v
    for t, (z, yhat, ell) in outputs.items():
        out[f"outputs.z[{t}]"], out[f"outputs.yhat[{t}]"], out[f"outputs.loss[{t}]"] = z.v, yhat.v, ell.v
    out["loss"] = math.fsum(ell.v for _, _, ell in outputs.values())

    def d_loss(seed: tuple, only: int | None = None) -> float:
        runs = author_run(net, plant, seed)[2]
        return math.fsum(ell.d for t, (_, _, ell) in runs.items() if only is None or t == only)

    for t in range(net.T, 0, -1):
        out[f"backward.dL_dO[{t}]"], out[f"backward.dL_da[{t}]"] = d_loss(("O", t)), d_loss(("a", t))
    totals = {}
    for param in RECURRENT:
        running = 0.0
        for t in net.targets:
            out[f"gradients.{param}.factor[{t},{t},1]"] = d_loss(("yhat", t), t)  # ∂ℓ_t/∂ŷ_t
            for k in range(t, 0, -1):
                # ∂⁺O_k/∂p: O_k's derivative with respect to the use of p at step k alone
                immediate = author_run(net, plant, ("p", param, k))[1][k - 1].d
                out[f"gradients.{param}.factor[{t},{k},{t - k + 3}]"] = immediate
                out[f"gradients.{param}.term[{t},{k}]"] = term = d_loss(("p", param, k), t)
                running += term
                out[f"gradients.{param}.running_sum[{t},{k}]"] = running
        totals[param] = out[f"gradients.{param}.total"] = running
    for param in ("w_out", "b_out"):
        running = 0.0
        for t in net.targets:
            out[f"gradients.{param}.term[{t}]"] = term = d_loss(("p", param, t), t)
            running += term
            out[f"gradients.{param}.running_sum[{t}]"] = running
        totals[param] = out[f"gradients.{param}.total"] = running
    for param, total in totals.items():
        out[f"update.{param}.new"] = getattr(net, param) - 0.1 * total
    return out


def printed(value: float, digits: int) -> str:
    return f"{value:#.{digits}g}"


@st.composite
def worked_examples(draw):
    net = draw(nets(max_T=4))
    places = [("a", t) for t in range(1, net.T + 1)] + [("O", t) for t in range(1, net.T + 1)]
    places += [("z", t) for t in net.targets]
    if net.loss != "bce":  # ŷ must stay inside (0, 1) for bce
        places += [("yhat", t) for t in net.targets]
    kind, step = draw(st.sampled_from(places))
    slip_digits = draw(st.integers(3, 6))
    sign = draw(st.sampled_from((1, -1)))
    true_value = authors_numbers(net, ("", 0, 0.0))[f"{'outputs' if kind in ('z', 'yhat') else 'forward'}.{kind}[{step}]"]
    stated_slip = printed(true_value + sign * (0.2 + 0.3 * abs(true_value)), slip_digits)
    plant = (kind, step, float(stated_slip))
    numbers = authors_numbers(net, plant)
    slip_id = f"{'outputs' if kind in ('z', 'yhat') else 'forward'}.{kind}[{step}]"
    ids = list(numbers)
    later = ids[ids.index(slip_id) + 1:]
    chosen = draw(st.lists(st.sampled_from(later), unique=True, max_size=len(later))) if later else []
    digits = {i: draw(st.integers(4, 8)) for i in chosen}
    return net, slip_id, stated_slip, {i: printed(numbers[i], digits[i]) for i in chosen}


SATURATED = Net(w=1.0, w_prime=1.5, b=1.0, x=[0.0, 0.0, 1.0], y=0.0, w_out=1.5, b_out=0.0, activation="relu",
                output_activation="sigmoid", loss="bce")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worked_examples())
@example((SATURATED, "forward.a[1]", "1.50",  # ŷ₃ = 0.99997 printed as 1.000, where bce's ln(1 − ŷ) has its pole
          {"forward.O[1]": "1.500", "forward.a[2]": "3.250", "forward.O[2]": "3.250", "forward.a[3]": "6.875",
           "outputs.yhat[3]": "1.000", "outputs.loss[3]": "10.31"}))
def test_one_planted_slip_is_one_slip_and_every_number_it_makes_wrong_follows(example):
    net, slip_id, stated_slip, stated = example
    assume(all(math.isfinite(float(v)) and abs(float(v)) < 1e6 for v in stated.values()))
    claims = "".join(f'"{i}" = "{v}"\n' for i, v in {slip_id: stated_slip, **stated}.items())
    tape = rnnstep.build_tape(rnnstep.load_scenario(to_toml(net) + "[claims]\n" + claims))
    assume(not tape.nonfinite)
    report = verify(tape)
    by_id = {r.id: r for r in report.results}
    assert [r.id for r in report.slips] == [slip_id], report.summary
    for vid, text in stated.items():
        result = by_id[vid]
        wrong = abs(float(text) - tape.value(vid)) > 1.5 * printed_unit(text) * (1 + 1e-9)
        if wrong:
            assert result.verdict == "follows", (vid, text, tape.value(vid), result)
            assert report.roots[vid] == (slip_id,), (vid, result.follows_from)
        else:
            assert result.verdict in ("right", "rounding", "follows"), (vid, result)


def test_a_number_worked_from_an_input_rounded_onto_a_pole_is_not_a_slip():
    """The author's a₃ = 6.875 is a slip (5.75); from it ŷ₃ = σ(1.5·6.875) = 0.99997, printed 1.000, and
    ℓ₃ = −ln(1 − ŷ₃) = 10.31. From the printed ŷ₃ that loss is ∞, but the printed digits allow any ŷ₃ up to
    the pole, so ℓ₃ and the total L worked from it follow from the slip at a₃; they are not slips of their
    own."""
    author_yhat = 1 / (1 + math.exp(-1.5 * 6.875))
    assert f"{author_yhat:.3f}" == "1.000" and f"{-math.log(1 - author_yhat):.2f}" == "10.31"
    for stated in ({"outputs.loss[3]": "10.31"}, {"loss": "10.31"}, {"outputs.loss[3]": "10.31", "loss": "10.31"}):
        claims = {"forward.a[3]": "6.875", "outputs.yhat[3]": "1.000", **stated}
        text = "".join(f'"{i}" = "{v}"\n' for i, v in claims.items())
        report = verify(rnnstep.build_tape(rnnstep.load_scenario(to_toml(SATURATED) + "[claims]\n" + text)))
        assert [r.verdict for r in report.results] == ["slip", "right"] + ["follows"] * len(stated), report.summary
        assert all(report.roots[i] == ("forward.a[3]",) for i in stated), report.roots
