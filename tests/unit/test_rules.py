"""Every local rule, fed the tape's own values for its inputs, gives the tape's value.

The rules are written from the formulas of SPEC §2–§3 one value at a time; the
tape computes by recursions over whole arrays. Agreement on random scenarios
checks each against the other.
"""

import math

from hypothesis import assume, given, settings

import rnnstep
from reference import to_toml
from rnnstep.rules import rules
from strategies import nets


@settings(max_examples=80, deadline=None)
@given(nets(max_T=5))
def test_every_rule_reproduces_the_tape(net):
    tape = rnnstep.build_tape(rnnstep.load_scenario(to_toml(net, truncate=3, clip=2.0)))
    assume(not tape.nonfinite)
    for vid in tape.value_ids():
        expected = tape.value(vid)
        found = rules(tape, vid)
        assert found, vid
        for rule in found:
            got = rule.compute({i: tape.value(i) for i in rule.inputs})
            assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (vid, rule.formula, got, expected)


def test_rules_name_their_inputs():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    assert [r.inputs for r in rules(tape, "forward.O[2]")] == [("forward.a[2]",)]
    term = rules(tape, "gradients.w.term[4,2]")
    assert term[0].inputs == tuple(f"gradients.w.factor[4,2,{j}]" for j in range(1, 6))  # T − k + 3 = 5
    assert term[1].inputs == ("backward.dL_da[2]",)
    # tanh′ from a, or from O (1 − O²)
    assert [r.inputs for r in rules(tape, "gradients.w.factor[4,2,3]")] == [("forward.a[4]",), ("forward.O[4]",)]
