"""`rnnstep verify` on a gated cell (SPEC §8) traces a wrong claim to the stated number it came from:
a slip planted in the two-step LSTM worked by hand, and the numbers an author would then have written
after it, worked here with numpy from the scenario's weights (not with rnnstep's rules)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import rnnstep
from rnnstep.scenario import GATED_SCENARIO_DIR
from rnnstep.verify import verify

SOURCE = GATED_SCENARIO_DIR / "lstm-two-steps-by-hand.toml"


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def author_forward(c1: float | None = None, i1: float | None = None) -> dict[str, float]:
    """The post's LSTM forward pass (gates i, f, g, o; W′ a column; b′ = 0), with a slipped c₁ or i₁ carried on."""
    W = np.array([[0.95, 0.8], [0.7, 0.45], [0.45, 0.25], [0.6, 0.4]])
    U = np.array([0.8, 0.1, 0.15, 0.25])
    b = np.array([0.65, 0.15, 0.2, 0.1])
    x = np.array([[1.0, 2.0], [0.5, 3.0]])
    O, c, out = 0.0, 0.0, {}
    for t in (1, 2):
        a = W @ x[t - 1] + U * O + b
        i, f, g, o = sigmoid(a[0]), sigmoid(a[1]), np.tanh(a[2]), sigmoid(a[3])
        if t == 1 and i1 is not None:
            i = i1
        c = f * c + i * g
        if t == 1 and c1 is not None:
            c = c1
        O = o * np.tanh(c)
        out.update({f"i{t}": i, f"f{t}": f, f"g{t}": g, f"o{t}": o, f"c{t}": c, f"O{t}": O})
    return out


def planted(tmp_path, replace: dict[str, str]):
    text = SOURCE.read_text(encoding="utf-8")
    for claim, value in replace.items():
        text, count = re.subn(rf'^"{re.escape(claim)}" = "[^"]*"$', f'"{claim}" = "{value}"', text, flags=re.M)
        assert count == 1, claim
    path = tmp_path / "slipped.toml"
    path.write_text(text, encoding="utf-8")
    return verify(rnnstep.build_tape(rnnstep.load_scenario(path)))


def by_id(report):
    return {r.id: r for r in report.results}


def test_the_worked_lstm_verifies_as_before():
    results = by_id(verify(rnnstep.build_tape(rnnstep.load_scenario(SOURCE))))
    assert {r.verdict for r in results.values()} <= {"right", "rounding"}


def test_a_slipped_c1_is_a_slip_and_what_the_author_worked_from_it_follows(tmp_path):
    true = author_forward()
    slipped = 0.78752  # the post's 0.78572 with two digits swapped
    after = author_forward(c1=slipped)
    assert abs(after["O2"] - true["O2"]) > 1e-4  # the slip shows four digits on
    report = planted(tmp_path, {"forward.c[1]": "0.78752", "forward.O[1]": f"{after['O1']:.5g}",
                                "forward.c[2]": f"{after['c2']:.5g}", "forward.O[2]": f"{after['O2']:.5g}"})
    results = by_id(report)
    assert results["forward.c[1][1]"].verdict == "slip"
    assert results["forward.O[1][1]"].follows_from == ("forward.c[1][1]",)  # o₁ ⊙ tanh(c₁), o₁ right
    for later in ("forward.O[1][1]", "forward.c[2][1]", "forward.O[2][1]"):
        r = results[later]
        assert r.verdict == "follows", (later, r.verdict, r.recomputed)
        assert report.roots[later] == ("forward.c[1][1]",), (later, report.roots[later])  # through O₁ and c₂


def test_a_slipped_input_gate_is_traced_through_c1(tmp_path):
    after = author_forward(i1=0.96038)  # i₁ = 0.96083 with two digits swapped
    report = planted(tmp_path, {"forward.gate.i[1]": "0.96038", "forward.c[1]": f"{after['c1']:.5g}"})
    results = by_id(report)
    assert results["forward.gate.i[1][1]"].verdict == "slip"
    c1 = results["forward.c[1][1]"]
    assert c1.verdict == "follows" and c1.follows_from == ("forward.gate.i[1][1]",)
    assert report.roots["forward.c[1][1]"] == ("forward.gate.i[1][1]",)


def test_a_wrong_o1_that_does_not_follow_from_the_stated_c1_is_a_slip(tmp_path):
    results = by_id(planted(tmp_path, {"forward.O[1]": "0.53361"}))
    assert results["forward.O[1][1]"].verdict == "slip"
    assert results["forward.c[1][1]"].verdict in ("right", "rounding")


@pytest.mark.parametrize("name", ["gru-two-steps", "gru-carry", "lstm-forgets", "lstm-remembers"])
def test_every_gated_forward_rule_gives_the_tapes_entry_from_the_tapes_inputs(name):
    """The rules (rules_gated.py) fed the tape's own entries give the tape's entry, for every forward entry."""
    from rnnstep.rules import parsed_id
    from rnnstep.rules_gated import gated_rules

    tape = rnnstep.build_tape(rnnstep.load_scenario(name))
    checked = 0
    for vid in tape.value_ids():
        if not vid.startswith("forward."):
            continue
        for c in range(1, np.size(tape.value(parsed_id(vid))) + 1):
            entry = parsed_id(f"{vid}[{c}]")
            for rule in gated_rules(tape, entry):
                got = rule.compute({i: float(tape.value(parsed_id(i))) for i in rule.inputs})
                assert got == pytest.approx(float(tape.value(entry)), rel=1e-12, abs=1e-15), (str(entry), rule.formula)
                checked += 1
    assert checked >= tape.T * (len(tape.cell.GATES) + 2)
