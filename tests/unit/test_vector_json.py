"""`rnnstep trace --format json` on vector scenarios (SPEC §7, rnnstep-trace/2), read back and checked.

Every number in the file is compared with the independent forward-mode reference
(tests/vector_reference.py), and the file's own structure is checked against
the SPEC: δ is the product of the listed factors, a term is δ times the input
(an outer product), running sums add the kept terms, totals are the last sums.
"""

import json
import math

import numpy as np
from hypothesis import assume, given, settings

from rnnstep.cli import main
from test_vector_gradients import close, vnets, well_behaved
from vector_reference import PARAMS, RECURRENT
from vector_scenarios import vector_toml


def strict(text: str):
    """json.loads that refuses the bare NaN/Infinity tokens strict JSON has no room for."""
    def refuse(token):
        raise AssertionError(f"non-strict JSON token {token}")
    return json.loads(text, parse_constant=refuse)


def trace(tmp_path, text: str, *extra: str):
    path = tmp_path / "s.toml"
    path.write_text(text)
    out = tmp_path / f"out{len(list(tmp_path.glob('out*.json')))}.json"
    assert main(["trace", str(path), "--format", "json", "-o", str(out), *extra]) == 0
    return strict(out.read_text())


def as_array(value):
    """JSON lists back to an array, with "inf"/"-inf"/"nan" strings as floats."""
    if isinstance(value, list):
        return np.array([as_array(v) for v in value], dtype=float)
    return float(value)


@settings(max_examples=40, deadline=None)
@given(vnets())
def test_every_number_in_the_file_matches_the_reference(tmp_path_factory, net):
    assume(well_behaved(net))
    doc = trace(tmp_path_factory.mktemp("j"), net.to_toml())
    n, m, q = net.w_prime.shape[0], net.w.shape[1], net.w_out.shape[0]
    assert doc["format"] == "rnnstep-trace/2"
    assert (doc["scenario"]["n"], doc["scenario"]["m"], doc["scenario"]["q"]) == (n, m, q)
    states, out = net.run()
    assert [f["t"] for f in doc["forward"]] == list(range(1, net.T + 1))
    for f, (a, O) in zip(doc["forward"], states):
        assert close(f["a"], a) and close(f["O"], O) and close(f["x"], net.x[f["t"] - 1])
    assert [o["t"] for o in doc["outputs"]] == net.targets
    for o in doc["outputs"]:
        z, yhat, ell, _ = out[o["t"]]
        assert close(o["z"], z) and close(o["yhat"], yhat) and math.isclose(o["loss"], ell, rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(doc["loss"], net.total_loss(), rel_tol=1e-9, abs_tol=1e-15)
    for param in PARAMS:
        grad = doc["gradients"][param]
        running = np.zeros(getattr(net, param).shape)
        for term in grad["terms"]:
            t, k = term["t"], term.get("k")
            value = as_array(term["value"])
            assert close(value, net.term(param, t, k), 1e-7, 1e-12), (param, t, k)
            delta = as_array(term["delta"])
            product = as_array(term["factors"][0]["value"])
            for factor in term["factors"][1:]:
                product = product @ as_array(factor["value"])
            assert close(product.reshape(-1), delta, 1e-9, 1e-13)
            expected = delta if term["input"] is None else np.outer(delta, as_array(term["input"]))
            assert close(value, expected, 1e-12, 1e-15)
            if param in RECURRENT:
                assert len(term["factors"]) == t - k + 4
            if not term.get("truncated", False):
                running = running + value
            assert close(as_array(term["running_sum"]), running, 1e-9, 1e-13)
        assert close(as_array(grad["total"]), net.gradient(param), 1e-7, 1e-11)
        assert close(as_array(grad["total"]), running, 1e-12, 1e-15)
        update = doc["update"]["params"][param]
        assert close(as_array(update["grad"]), net.gradient(param), 1e-7, 1e-11)
        assert close(as_array(update["new"]), as_array(update["old"]) - 0.1 * as_array(update["clipped"]), 1e-12)


def test_numbers_round_trip_exactly_and_no_factors_drops_only_the_factors(tmp_path):
    import rnnstep
    from rnnstep.scenario import parse_scenario

    text = vector_toml(n=3, m=2, q=2, T=6, every_step=True, seed=4, output="softmax", loss="cross_entropy")
    full, bare = trace(tmp_path, text), trace(tmp_path, text, "--no-factors")
    tape = rnnstep.build_tape(parse_scenario(text, source="<test>"))
    assert np.array_equal(as_array([f["O"] for f in full["forward"]]), tape.O)  # bit for bit
    table = tape.gradients["w_prime"]
    assert np.array_equal(as_array([term["running_sum"] for term in full["gradients"]["w_prime"]["terms"]]),
                          np.array([table.running_sum[i] for i in range(len(table))]))
    for param in PARAMS:
        for a, b in zip(full["gradients"][param]["terms"], bare["gradients"][param]["terms"]):
            assert "factors" not in b and {k: v for k, v in a.items() if k != "factors"} == b


def test_overflow_is_written_as_strings_in_strict_json(tmp_path):
    text = vector_toml(n=2, T=200, seed=1, activation="identity", radius=60.0)
    doc = trace(tmp_path, text, "--no-factors")
    words = json.dumps(doc)
    assert '"inf"' in words or '"-inf"' in words or '"nan"' in words
    last = as_array(doc["forward"][-1]["O"])
    assert not np.isfinite(last).all()
