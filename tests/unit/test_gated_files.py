"""Gated-cell files (SPEC §8): the keys, the one-unit form, and one line per mistake (exit 2)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnstep import build_tape
from rnnstep.cli import main
from rnnstep.scenario import ScenarioError, parse_scenario


def _file(cell: str, rnn: str = "", weights: str = "", data: str = 'x = [[1.0], [0.5]]\ny = 0.3') -> str:
    return f'[rnn]\ncell = "{cell}"\n{rnn}\n[weights]\n{weights}\n[data]\n{data}\n'


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "f.toml")
    message = str(info.value)
    assert "\n" not in message
    return message


TWO_ROWS = "[" + ", ".join(["[0.1, 0.2]"] * 8) + "]"

MISTAKES = [
    (_file("lstm", weights="w = [[1.0], [1.0], [1.0], [1.0], [1.0], [1.0]]\nw_prime = " + TWO_ROWS),
     "f.toml: weights.w: found 6×1, expected 8×1: an LSTM with n = 2 stacks 4 gates (i, f, g, o) of 2 rows; "
     "n = 2 from the columns of weights.w_prime, m = 1 from data.x"),
    (_file("lstm", 'activation = "relu"', "w = [1, 2, 3, 4]\nw_prime = [1, 2, 3, 4]"),
     "f.toml: rnn.activation: does not apply to cell = 'lstm' (its gates use σ and tanh); remove it"),
    (_file("gru", "c0 = 0.5", "w = [1, 2, 3]\nw_prime = [1, 2, 3]"),
     'f.toml: rnn.c0: a GRU has no cell state c; c0 is for cell = "lstm"'),
    (_file("lsmt", "", "w = [1, 2, 3]\nw_prime = [1, 2, 3]"),
     "f.toml: rnn.cell: expected one of rnn, lstm, gru, found 'lsmt'; did you mean 'lstm'?"),
    (_file("gru", "", "w = [1, 2, 3, 4]\nw_prime = [1, 2, 3]"),
     "f.toml: weights.w: found an array of 4 numbers, expected 3×1: a GRU with n = 1 stacks 3 gates (r, u, n) "
     "of 1 row; n = 1, the one-unit form, m = 1 from data.x"),
    (_file("gru", "", "w = [1, 2, 3]\nw_prime = [1, 2, 3]\nb_prime = [1, 2]"),
     "f.toml: weights.b_prime: found an array of 2 numbers, expected a list of 3 numbers: a GRU with n = 1 "
     "stacks 3 gates (r, u, n) of 1 row; n = 1, the one-unit form"),
    (_file("lstm", "c0 = [1, 2]", "w = [1, 2, 3, 4]\nw_prime = [1, 2, 3, 4]"),
     "f.toml: weights.w_prime: found an array of 4 numbers, expected 8×2: an LSTM with n = 2 stacks 4 gates "
     "(i, f, g, o) of 2 rows; n = 2 from rnn.c0"),
    (_file("lstm", "", "w = [1, 2, 3, 4]"),
     "f.toml: weights.w_prime: missing; expected a 4×1 matrix: an LSTM with n = 1 stacks 4 gates (i, f, g, o) "
     "of 1 row; n = 1, the one-unit form"),
    (_file("lstm", "c0 = [0.1, 0.2, 0.3]", "w = [[1]] \nw_prime = " + TWO_ROWS),
     "f.toml: weights.w: found 1×1, expected 8×1: an LSTM with n = 2 stacks 4 gates (i, f, g, o) of 2 rows; "
     "n = 2 from the columns of weights.w_prime, m = 1 from data.x"),
    (_file("lstm", "c0 = [0.1, 0.2, 0.3]", "w = " + TWO_ROWS.replace("0.1, 0.2", "0.1") + "\nw_prime = " + TWO_ROWS),
     "f.toml: rnn.c0: found an array of 3 numbers, expected a list of 2 numbers: n = 2 from the columns of weights.w_prime"),
    (_file("gru", "h0 = [0.1]", "w = [[1]] \nw_prime = " + TWO_ROWS.replace("[0.1, 0.2], [0.1, 0.2]]", "[0.1, 0.2]]")[:0]
           + "[" + ", ".join(["[0.1, 0.2]"] * 6) + "]\nw = " + "[" + ", ".join(["[0.1]"] * 6) + "]").replace("w = [[1]] \n", ""),
     "f.toml: rnn.h0: found an array of 1 number, expected a list of 2 numbers: n = 2 from the columns of weights.w_prime"),
    (_file("rnn", "c0 = 1", "w = 1\nw_prime = 1\nb = 0"),
     'f.toml: rnn.c0: is an LSTM\'s starting cell state; set cell = "lstm" or remove it'),
    (_file("rnn", "", "w = 1\nw_prime = 1\nb = 0\nb_prime = 1"),
     'f.toml: weights.b_prime: is a gated cell\'s recurrent bias; set cell = "lstm" or "gru", or fold it into b'),
    (_file("lstm", "leaky_slope = 0.1", "w = [1, 2, 3, 4]\nw_prime = [1, 2, 3, 4]"),
     "f.toml: rnn.leaky_slope: does not apply to cell = 'lstm'; remove it"),
]


@pytest.mark.parametrize("text, message", MISTAKES)
def test_every_mistake_is_one_line_naming_key_shape_and_gate_count(text, message):
    assert _error(text) == message


@pytest.mark.parametrize("text, message", MISTAKES[:4])
def test_a_mistake_on_the_command_line_exits_2(tmp_path, capsys, text, message):
    path = tmp_path / "f.toml"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert message.split(": ", 1)[1] in err and "Traceback" not in err


def test_the_one_unit_form_is_n_m_q_1_with_a_number_per_gate():
    s = parse_scenario(_file("lstm", "h0 = 0.1\nc0 = -0.2", "w = [0.45, 0.95, 0.7, 0.6]\nw_prime = [0.1, 0.2, 0.3, 0.4]\n"
                                                             "b = [0.1, 0.0, 0.0, 0.0]\nw_out = 2.0",
                             data="x = [1.0, 0.5]\ny = [0.5, 1.25]"))
    assert s.cell == "lstm" and s.shape == (1, 1, 1)
    assert s.w == ((0.45,), (0.95,), (0.7,), (0.6,)) and s.b_prime == (0.0, 0.0, 0.0, 0.0)
    assert s.c0 == (-0.2,) and s.h0 == (0.1,) and s.w_out == ((2.0,),)
    tape = build_tape(s)
    assert tape.c.shape == (2, 1) and tape.gradients["w"].total.shape == (4, 1)


def test_the_plain_cell_is_unchanged_and_has_no_gated_keys_in_its_json():
    s = parse_scenario("[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0]\ny = 0.2\n")
    assert s.cell == "rnn" and s.b_prime is None
    assert not {"cell", "b_prime", "c0"} & set(s.to_dict())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_gated_scenario_writes_a_toml_that_loads_back_equal(cell):
    from gated_scenarios import gated_scenario

    s = gated_scenario(cell, n=2, m=2, q=2, T=3, every_step=True)
    again = parse_scenario(s.to_toml(), "again.toml")
    assert again == s
    np.testing.assert_array_equal(build_tape(again).gradients["b_prime"].total, build_tape(s).gradients["b_prime"].total)


from hypothesis import given, settings, strategies as st  # noqa: E402

_values = st.recursive(st.one_of(st.integers(-3, 3), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3),
                                 st.booleans()),
                       lambda inner: st.lists(inner, max_size=9), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(cell=st.sampled_from(["lstm", "gru"]), key=st.sampled_from(["weights.w", "weights.w_prime", "weights.b",
                                                                   "weights.b_prime", "weights.w_out", "rnn.h0",
                                                                   "rnn.c0", "data.x", "data.y", "rnn.hidden_size"]),
       value=_values)
def test_fuzzed_arrays_into_a_gated_file_give_clean_errors_only(cell, key, value):
    import tomllib

    from rnnstep.scenario_toml import _value

    base = {"rnn": {"cell": cell}, "weights": {"w": [0.1, 0.2, 0.3] + ([0.4] if cell == "lstm" else []),
                                               "w_prime": [0.1, 0.2, 0.3] + ([0.4] if cell == "lstm" else [])},
            "data": {"x": [1.0, 0.5], "y": 0.3}}
    table, name = key.split(".")
    base[table][name] = value
    lines = []
    for table_name, entries in base.items():
        lines.append(f"[{table_name}]")
        for k, v in entries.items():
            try:
                lines.append(f"{k} = {_value(v)}")
            except Exception:
                return
    text = "\n".join(lines) + "\n"
    try:
        tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return  # not TOML (nan, inf, a mixed array): the loader's own syntax error, tested elsewhere
    try:
        build_tape(parse_scenario(text, "f.toml"))
    except ScenarioError as error:
        assert "\n" not in str(error) and str(error).startswith("f.toml: ")
