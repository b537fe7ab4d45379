"""Vector scenario files (SPEC §7): shapes inferred and checked, one-line errors, a fuzz, to_toml."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnstep
from rnnstep import ScenarioError, load_scenario
from rnnstep.cli import main
from rnnstep.scenario import parse_scenario, shipped_scenarios

GOOD = """
[rnn]
activation = "tanh"
[output]
activation = "softmax"
loss = "cross_entropy"
[weights]
w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]
w_prime = [[0.2, -0.1, 0.0], [0.3, 0.1, -0.2], [0.1, 0.0, 0.5]]
b = [0.1, 0.0, -0.1]
w_out = [[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]]
[data]
x = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
y = [[1, 0], [0, 1], [1, 0]]
"""


def test_good_file_infers_n_m_q_and_defaults():
    s = parse_scenario(GOOD)
    assert s.is_vector and s.sizes == (3, 2, 2) and s.T == 3 and s.target_at_every_step
    assert s.h0 == (0.0, 0.0, 0.0) and s.b_out == (0.0, 0.0)
    one = parse_scenario(GOOD.replace("y = [[1, 0], [0, 1], [1, 0]]", "y = [0, 1]"))
    assert one.targets == (3,) and one.y == (0.0, 1.0)
    default_out = parse_scenario(GOOD.replace('activation = "softmax"\nloss = "cross_entropy"', "")
                                 .replace("w_out = [[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]]\n", "")
                                 .replace("y = [[1, 0], [0, 1], [1, 0]]", "y = [0.1, 0.2, 0.3]"))
    assert default_out.w_out == ((1.0, 1.0, 1.0),) and default_out.sizes == (3, 2, 1)
    assert default_out.target_at_every_step and default_out.y == ((0.1,), (0.2,), (0.3,))


def test_hidden_size_must_agree():
    assert parse_scenario(GOOD.replace('[rnn]\n', '[rnn]\nhidden_size = 3\n')).sizes[0] == 3
    with pytest.raises(ScenarioError, match=r"weights.w_prime: found 3×3, expected 2×2: n = 2 from rnn.hidden_size"):
        parse_scenario(GOOD.replace('[rnn]\n', '[rnn]\nhidden_size = 2\n'))


# (old, new) edit of GOOD, the key named, words in the message
CASES = [
    (("w_prime = [[0.2, -0.1, 0.0], [0.3, 0.1, -0.2], [0.1, 0.0, 0.5]]", "w_prime = [[0.2, -0.1], [0.3, 0.1], [0.1, 0.0]]"),
     "weights.w_prime", "found 3×2, expected 3×3: n = 3 from weights.b"),  # another key: never the one rejected
    (("b = [0.1, 0.0, -0.1]", "b = [0.1, 0.0]"), "weights.b",
     "found an array of 2 numbers, expected a list of 3 numbers: n = 3 from weights.w_prime"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", "w = [[0.5, -0.2, 1], [0.1, 0.3, 1], [0.0, 0.4, 1]]"),
     "weights.w", "found 3×3, expected 3×2: n = 3 from weights.w_prime, m = 2 from data.x[1]"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", "w = [0.5, -0.2]"), "weights.w", "as a list of rows"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", "w = [[0.5, -0.2], [0.1], [0.0, 0.4]]"), "weights.w",
     "row 2 has 1 number, row 1 has 2"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", "w = [[0.5, -0.2], 0.1, [0.0, 0.4]]"), "weights.w", "mixes numbers and lists"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", 'w = [[0.5, "a"], [0.1, 0.3], [0.0, 0.4]]'), "weights.w[1][2]",
     "expected a finite number"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", "w = [[0.5, nan], [0.1, 0.3], [0.0, 0.4]]"), "weights.w[1][2]", "finite"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", "w = [[[0.5], [-0.2]], [0.1, 0.3], [0.0, 0.4]]"), "weights.w[1][1]", "number"),
    (("w = [[0.5, -0.2], [0.1, 0.3], [0.0, 0.4]]", "w = [[]]"), "weights.w[1]", "at least one number"),
    (("w_out = [[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]]", "w_out = [[1.0, 0.0], [0.0, 1.0]]"), "weights.w_out",
     "found 2×2, expected 2×3: q = 2 from data.y[1], n = 3 from weights.w_prime"),
    (("w_out = [[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]]\n", "b_out = [0.0, 0.0]\n"), "weights.w_out",
     "missing; expected a 2×3 matrix"),
    (("w_out = [[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]]", "w_out = [[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]]\nb_out = [1.0]"),
     "weights.b_out", "expected a list of 2 numbers: q = 2 from weights.w_out"),
    (("[rnn]\n", "[rnn]\nh0 = [0.0]\n"), "rnn.h0", "expected a list of 3 numbers: n = 3 from weights.w_prime"),
    (("[rnn]\n", "[rnn]\nhidden_size = 0\n"), "rnn.hidden_size", "whole number ≥ 1"),
    (("x = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]", "x = [[1.0, 0.0], [0.0], [0.5, 0.5]]"), "data.x[2]",
     "expected a list of 2 numbers: m = 2 from data.x[1]"),
    (("x = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]", "x = []"), "data.x", "at least one"),
    (("x = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]", 'x = "abc"'), "data.x", "found the string 'abc'"),  # not "a number"
    (("x = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]", "x = true"), "data.x", "found the boolean true"),
    (("b = [0.1, 0.0, -0.1]", 'b = "0.1"'), "weights.b", "found the string '0.1'"),
    (("x = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]", 'x = [[1.0, 0.0], [0.0, 1.0], [0.5, "a"]]'), "data.x[3][2]",
     "expected a finite number"),  # row 3, entry 2: counted from 1, as ids and "row 2 has 1 number" are
    (("y = [[1, 0], [0, 1], [1, 0]]", "y = [[1, 0], [0, 1]]"), "data.y", "T = 3 from data.x"),
    (("y = [[1, 0], [0, 1], [1, 0]]", "y = [[1, 0], [0, 1, 0], [1, 0]]"), "data.y[2]",
     "expected a list of 2 numbers: q = 2 from weights.w_out"),
    (("y = [[1, 0], [0, 1], [1, 0]]", "y = [1, 0, 0]"), "data.y", "expected a list of 2 numbers (the last step)"),
    (("y = [[1, 0], [0, 1], [1, 0]]", "y = [[1, 0], [0.5, 0.6], [1, 0]]"), "data.y[2]", "probability vector"),
    (('loss = "cross_entropy"', 'loss = "squared"\n'), None, None),  # fine
    (('activation = "softmax"\n', 'activation = "sigmoid"\n'), "output.loss", 'cross_entropy needs output.activation = "softmax"'),
    (('[output]\n', '[output]\n'), None, None),
    (("y = [[1, 0], [0, 1], [1, 0]]\n", "y = [[1, 0], [0, 1], [1, 0]]\n[[notes]]\nat = \"forward.O[2][4]\"\ntext = \"t\""),
     "notes[1].at", "component 4 is outside 1…3"),
    (("y = [[1, 0], [0, 1], [1, 0]]\n", "y = [[1, 0], [0, 1], [1, 0]]\n[train]\nbreakpoints = [\"gradients.w.term[3,1][1]\"]"),
     "train.breakpoints[1]", "is 3×2; pick an entry with [i,j]"),
]


def test_a_shape_error_names_another_key_as_the_source_of_n():
    """SPEC §7's own example, and a vote: the one key that disagrees with the others is the one reported."""
    spec = ("[weights]\nw_prime = [[0.5, -0.1, 0.0], [0.2, 0.3, 0.0]]\nw = [[1.0], [0.5]]\nb = [0.1, 0.0]\n"
            "[data]\nx = [1.0, 0.5]\ny = 0.2\n")
    with pytest.raises(ScenarioError, match=r"weights\.w_prime: found 2×3, expected 2×2: n = 2 from weights\.b$"):
        parse_scenario(spec)
    outvoted = GOOD.replace("w_prime = [[0.2, -0.1, 0.0], [0.3, 0.1, -0.2], [0.1, 0.0, 0.5]]", "w_prime = [[0.2, -0.1], [0.3, 0.1]]")
    with pytest.raises(ScenarioError, match=r"weights\.w_prime: found 2×2, expected 3×3: n = 3 from weights\.b$"):
        parse_scenario(outvoted)
    alone = ("[weights]\nw_prime = [[0.5, -0.1, 0.0], [0.2, 0.3, 0.0]]\nb = 0.1\n[data]\nx = [1.0, 0.5]\ny = 0.2\n")
    with pytest.raises(ScenarioError) as info:  # no other key gives n = 2: the part of w_prime that does is named
        parse_scenario(alone)
    assert str(info.value).endswith("weights.w_prime: found 2×3, expected 2×2: n = 2 from the rows of weights.w_prime")
    for edit, key, words in CASES:
        if key is None:
            continue
        try:
            parse_scenario(GOOD.replace(edit[0], edit[1], 1))
        except ScenarioError as exc:
            for source in re.findall(r"[nmq] = \d+ from (\S+?)(?:[,;)]|$)", str(exc)):
                assert source != key, str(exc)


@pytest.mark.parametrize("edit,key,words", CASES, ids=[f"{c[1]}:{(c[2] or 'ok')[:24]}" for c in CASES])
def test_shape_errors_name_file_key_shapes_and_origin(tmp_path, capsys, edit, key, words):
    assert edit[0] in GOOD
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(edit[0], edit[1], 1), encoding="utf-8")
    if key is None:
        assert load_scenario(path).is_vector
        return
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert words in message, message
    assert "\n" not in message
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnnstep: error: {path}: {key}: ") and err.count("\n") == 1


def _toml(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"'
    return repr(value)


junk = st.recursive(
    st.one_of(st.floats(-3, 3, allow_nan=False), st.integers(-3, 3), st.booleans(), st.just("a"),
              st.sampled_from([float("inf"), float("nan")])),
    lambda inner: st.lists(inner, max_size=4), max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["w", "w_prime", "b", "w_out", "b_out"]), junk),
       st.one_of(st.none(), junk), st.one_of(st.none(), junk), st.one_of(st.none(), junk),
       st.one_of(st.none(), st.integers(-1, 4)),
       st.sampled_from([("identity", "half_squared"), ("softmax", "cross_entropy"), ("sigmoid", "bce")]))
def test_fuzz_random_arrays_give_a_scenario_or_one_clean_error(weights, h0, x, y, hidden, output):
    lines = ["[rnn]"]
    if h0 is not None:
        lines.append(f"h0 = {_toml(h0)}")
    if hidden is not None:
        lines.append(f"hidden_size = {hidden}")
    lines += ["[output]", f'activation = "{output[0]}"', f'loss = "{output[1]}"', "[weights]"]
    lines += [f"{k} = {_toml(v)}" for k, v in weights.items()]
    lines.append("[data]")
    if x is not None:
        lines.append(f"x = {_toml(x)}")
    if y is not None:
        lines.append(f"y = {_toml(y)}")
    text = "\n".join(lines) + "\n"
    try:
        scenario = parse_scenario(text, "fuzz.toml")
    except ScenarioError as exc:
        message = str(exc)
        assert message.startswith("fuzz.toml: ") and "\n" not in message
        return
    tape = rnnstep.build_tape(scenario)  # a scenario that loads also builds, and never raises
    n, m, q = scenario.sizes
    assert np.shape(tape.gradients["w_prime"].total) in ((n, n), ())
    assert scenario == parse_scenario(scenario.to_toml(), "again.toml")


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_to_toml_round_trips_every_shipped_scenario(path):
    scenario = load_scenario(path)
    again = parse_scenario(scenario.to_toml(), str(path))
    assert again == scenario
    assert rnnstep.build_tape(again).loss == rnnstep.build_tape(scenario).loss


def test_to_toml_round_trips_a_vector_scenario_with_notes_and_claims():
    text = GOOD.replace('[rnn]\n', 'title = "T \\"q\\""\n[rnn]\n') + (
        '[[notes]]\nat = "gradients.w_prime.term[3,1]"\ntext = "δ·O₀ᵀ = 0\\nsecond line"\n'
        '[claims]\n"gradients.w.total[1,1]" = "0.1"\n')
    scenario = parse_scenario(text)
    assert parse_scenario(scenario.to_toml()) == scenario
