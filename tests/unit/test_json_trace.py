"""`rnnstep trace --format json` is SPEC §5, strict JSON, and every number matches the reference."""

import json
import math

from hypothesis import assume, given, settings

from reference import PARAMS, to_toml
from rnnstep.cli import main
from strategies import nets


def _reject(token):
    raise ValueError(f"non-strict JSON token {token}")


def trace_json(capsys, *args) -> dict:
    assert main(["trace", *args, "--format", "json"]) == 0
    out = capsys.readouterr().out
    return json.loads(out, parse_constant=_reject)


def number(v) -> float:
    return float(v)  # "inf", "-inf", "nan" strings included


def close(a, b, rel=1e-9, abs_=1e-12):
    return math.isclose(number(a), b, rel_tol=rel, abs_tol=abs_)


def test_shape_is_spec_section_5(capsys):
    d = trace_json(capsys)
    assert list(d) == ["format", "scenario", "forward", "outputs", "loss", "backward", "gradients", "update"]
    assert d["format"] == "rnnstep-trace/1"
    assert d["scenario"]["T"] == 4 and d["scenario"]["title"] == "The notes' four steps"
    assert list(d["forward"][0]) == ["t", "x", "a", "O"]
    assert list(d["outputs"][0]) == ["t", "z", "yhat", "y", "loss"] and d["outputs"][0]["t"] == 4
    assert list(d["backward"][0]) == ["t", "dL_dO", "dL_da"]
    assert list(d["gradients"]) == list(PARAMS)
    term = d["gradients"]["w_prime"]["terms"][0]
    assert list(term) == ["t", "k", "factors", "value", "truncated", "running_sum"]
    assert list(term["factors"][0]) == ["symbol", "value"]
    assert [f["symbol"] for f in term["factors"]] == ["∂L/∂ŷ", "∂ŷ/∂O₄", "∂⁺O₄/∂w′"]
    assert list(d["gradients"]["w_out"]["terms"][0]) == ["t", "factors", "value", "running_sum"]
    assert list(d["update"]) == ["learning_rate", "clip", "params"] and d["update"]["clip"] is None
    assert list(d["update"]["params"]["w"]) == ["old", "grad", "new"]
    for grad in d["gradients"].values():
        assert grad["total"] == grad["terms"][-1]["running_sum"]
        for t in grad["terms"]:
            product = 1.0
            for f in t["factors"]:
                product *= f["value"]
            assert product == t["value"]


def test_no_factors_leaves_factor_lists_out(capsys):
    d = trace_json(capsys, "--no-factors")
    assert "factors" not in d["gradients"]["w"]["terms"][0]


def test_non_finite_numbers_are_strings(capsys, tmp_path):
    path = tmp_path / "boom.toml"
    path.write_text("[rnn]\nactivation = 'identity'\n[weights]\nw = 1e300\nw_prime = 1e300\nb = 0\n"
                    "[data]\nx = [1e300, 1e300]\ny = 0\n")
    d = trace_json(capsys, str(path))
    assert d["loss"] == "inf"
    assert "nan" in json.dumps(d) or "-inf" in json.dumps(d)


@settings(max_examples=60, deadline=None)
@given(nets(max_T=6))
def test_every_value_matches_an_independent_implementation(tmp_path_factory, net):
    _, O_list, losses = net.run()
    assume(all(math.isfinite(o.v) and abs(o.v) < 1e6 for o in O_list))
    assume(net.loss != "bce" or all(1e-9 < yh.v < 1 - 1e-9 for _, yh, _ in losses.values()))
    path = tmp_path_factory.mktemp("j") / "s.toml"
    path.write_text(to_toml(net, truncate=2))
    import io
    import contextlib

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["trace", str(path), "--format", "json"]) == 0
    d = json.loads(buf.getvalue(), parse_constant=_reject)
    a_list, O_list, losses = net.run()
    for row in d["forward"]:
        assert close(row["a"], a_list[row["t"] - 1].v) and close(row["O"], O_list[row["t"] - 1].v)
    for row in d["outputs"]:
        z, yhat, ell = losses[row["t"]]
        assert close(row["z"], z.v) and close(row["yhat"], yhat.v) and close(row["loss"], ell.v, 1e-9, 1e-15)
    assert close(d["loss"], net.total_loss(), 1e-9, 1e-15)
    for row in d["backward"]:
        assert close(row["dL_dO"], net.dL_dO(row["t"]), 1e-8, 1e-13)
    for param in ("w_prime", "w", "b"):
        running = 0.0
        for term in d["gradients"][param]["terms"]:
            expected = net.term(param, term["t"], term["k"])
            assert close(term["value"], expected, 1e-8, 1e-13)
            assert term["truncated"] == (term["t"] - term["k"] >= 2)
            running += 0.0 if term["truncated"] else expected
            assert close(term["running_sum"], running, 1e-8, 1e-12)
    for param in ("w_out", "b_out"):
        assert close(d["gradients"][param]["total"], net.gradient(param), 1e-8, 1e-12)
