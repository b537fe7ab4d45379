"""rnnstep-trace/3 (SPEC §8): gates, c, a_prime, and delta = carry + rest on every recurrent term."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from gated_scenarios import gated_scenario
from rnnstep import build_tape
from rnnstep.render.json import write_json


def _trace(tape) -> dict:
    out = io.StringIO()
    write_json(tape, out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_gated_trace_has_gates_c_and_every_terms_carry_and_rest(cell):
    s = gated_scenario(cell, n=2, m=2, q=1, T=3, every_step=True, seed=4)
    tape = build_tape(s)
    d = _trace(tape)
    assert d["format"] == "rnnstep-trace/3" and d["scenario"]["cell"] == cell
    assert list(d["gradients"]) == ["w_prime", "w", "b", "b_prime", "w_out", "b_out"]
    assert list(d["update"]["params"]) == ["w_prime", "w", "b", "b_prime", "w_out", "b_out"]
    gates = ("i", "f", "g", "o") if cell == "lstm" else ("r", "u", "n")
    for step in d["forward"]:
        assert tuple(step["gates"]) == gates
        assert ("c" in step) == (cell == "lstm") and ("a_prime" in step) == (cell == "gru")
        np.testing.assert_array_equal(step["O"], tape.O[step["t"] - 1])
    for param in ("w_prime", "w", "b", "b_prime"):
        for i, term in enumerate(d["gradients"][param]["terms"]):
            np.testing.assert_allclose(np.add(term["carry"], term["rest"]), term["delta"], rtol=0, atol=1e-15)
            np.testing.assert_array_equal(term["carry"], tape.gradients[param].carry(i))
            # the factors: ∂ℓ_t/∂s_t, the t − k blocks, ∂s_k/∂a_k; their product is δ
            assert len(term["factors"]) == term["t"] - term["k"] + 2
            product = np.array(term["factors"][0]["value"])
            for factor in term["factors"][1:]:
                product = product @ np.array(factor["value"])
            np.testing.assert_allclose(product[0], term["delta"], rtol=1e-12, atol=1e-15)


def test_the_plain_cells_trace_is_unchanged_in_form():
    from rnnstep import default_scenario

    d = _trace(build_tape(default_scenario()))
    assert d["format"] == "rnnstep-trace/1" and "cell" not in d["scenario"]
    assert "carry" not in d["gradients"]["w"]["terms"][0]
