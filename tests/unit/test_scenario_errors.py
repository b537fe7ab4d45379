"""Every malformed scenario of SPEC §4 is one clean line naming the file and key; exit code 2."""

import os
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnstep import ScenarioError, load_scenario
from rnnstep.cli import main
from rnnstep.scenario import parse_scenario

GOOD = """
[weights]
w = 0.5
w_prime = -0.3
b = 0.1
[data]
x = [1.0, 0.5]
y = 0.2
"""

# (edit: (old, new) or text to append, the key the message must name, words it must contain)
CASES = [
    (("w = 0.5\n", ""), "weights.w", "missing"),
    (("w_prime = -0.3\n", ""), "weights.w_prime", "missing"),
    (("b = 0.1\n", ""), "weights.b", "missing"),
    (("x = [1.0, 0.5]\n", ""), "data.x", "missing"),
    (("y = 0.2\n", ""), "data.y", "missing"),
    (("w = 0.5", 'w = "abc"'), "weights.w", "expected a finite number, found the string 'abc'"),
    (("w = 0.5", "w = true"), "weights.w", "boolean"),
    (("w = 0.5", "w = nan"), "weights.w", "finite"),
    (("w = 0.5", "w = inf"), "weights.w", "finite"),
    (("w = 0.5", "w = [1]"), "weights.w", "array"),
    (("x = [1.0, 0.5]", "x = []"), "data.x", "at least one"),
    (("x = [1.0, 0.5]", 'x = [1.0, "a"]'), "data.x[2]", "number"),
    (("x = [1.0, 0.5]", "x = [1.0, -inf]"), "data.x[2]", "finite"),
    (("x = [1.0, 0.5]", "x = 3"), "data.x", "array"),
    (("y = 0.2", "y = [1, 2, 3]"), "data.y", "expected 2 numbers"),
    (("y = 0.2", 'y = "big"'), "data.y", "a number or an array of 2 numbers"),
    (("w_prime = -0.3", "w_prim = -0.3"), "weights.w_prim", "did you mean `w_prime`"),
    ("[rnn]\nactivation = \"tanhh\"\n", "rnn.activation", "did you mean 'tanh'"),
    ("[rnn]\nactivation = \"softmax\"\n", "rnn.activation", "expected one of tanh, sigmoid"),
    ("[rnn]\nh0 = nan\n", "rnn.h0", "finite"),
    ("[output]\nloss = \"mse\"\n", "output.loss", "expected one of squared"),
    ("[output]\nloss = \"bce\"\n", "output.loss", "needs output.activation = \"sigmoid\""),
    (("y = 0.2", "y = 1.5", "[output]\nloss = \"bce\"\nactivation = \"sigmoid\"\n"), "data.y", "0 ≤ y ≤ 1"),
    ("[train]\ntruncate = 0\n", "train.truncate", "whole number ≥ 1"),
    ("[train]\ntruncate = 1.5\n", "train.truncate", "whole number ≥ 1"),
    ("[train]\nclip = -1.0\n", "train.clip", "> 0"),
    ("[train]\nclip = 0\n", "train.clip", "> 0"),
    ("[train]\nlearning_rate = -0.1\n", "train.learning_rate", "≥ 0"),
    ("[train]\nmomentum = 0.9\n", "train.momentum", "unknown key"),
    ("colour = 1\n", "colour", "unknown key"),
    ("[[notes]]\nat = \"forward.O[9]\"\ntext = \"x\"\n", "notes[1].at", "outside 1…2"),
    ("[[notes]]\nat = \"gradients.w.term[1,1]\"\ntext = \"x\"\n", "notes[1].at", "must be the target step 2"),
    ("[[notes]]\nat = \"forward.O[1]\"\n", "notes[1].text", "missing"),
    ("[[notes]]\nat = \"nonsense\"\ntext = \"x\"\n", "notes[1].at", "is not an id"),
    ("[train]\nbreakpoints = [\"backward.q\"]\n", "train.breakpoints[1]", "is not an id"),
    ("breakpoints = \"forward\"\n", "breakpoints", "expected an array"),
    ("[claims]\n\"forward.O[7]\" = \"0.1\"\n", 'claims."forward.O[7]"', "outside"),
    ("[claims]\n\"forward.O[1]\" = \"abc\"\n", 'claims."forward.O[1]"', "expected a number"),
]


def _apply(edit) -> str:
    if isinstance(edit, tuple):
        assert edit[0] in GOOD
        return GOOD.replace(edit[0], edit[1], 1) + (edit[2] if len(edit) > 2 else "")
    if edit.startswith("colour") or edit.startswith("breakpoints"):
        return edit + GOOD  # top-level keys go before the first table
    return GOOD + edit


@pytest.mark.parametrize("edit,key,words", CASES, ids=[c[1] + ":" + c[2][:20] for c in CASES])
def test_bad_scenario_names_file_and_key(tmp_path, capsys, edit, key, words):
    path = tmp_path / "bad.toml"
    path.write_text(_apply(edit), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert words in message
    assert "\n" not in message
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnnstep: error: {path}: {key}: ") and err.count("\n") == 1


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "syntax.toml"
    path.write_text("[weights]\nw = = 1\n")
    with pytest.raises(ScenarioError, match=r"syntax\.toml: TOML syntax error: .*line 2, column"):
        load_scenario(path)


@pytest.mark.parametrize("make,words", [
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b"\xff\xfe[weights]"), "not UTF-8"),
])
def test_unusable_files(tmp_path, capsys, make, words):
    path = tmp_path / "s.toml"
    make(path)
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnnstep: error: {path}: ") and words in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    path.chmod(0)
    assert main(["trace", str(path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_loading_executes_nothing(tmp_path):
    # TOML has no code; a string that looks like code stays a string
    text = GOOD.replace('[weights]', 'title = "__import__(\'os\').system(\'touch PWNED\')"\n[weights]')
    scenario = parse_scenario(text)
    assert "__import__" in scenario.title and not (tmp_path / "PWNED").exists()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes_give_clean_errors(data):
    try:
        parse_scenario(data.decode("utf-8", errors="replace"), "fuzz.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.toml: ") and "\n" not in str(exc).strip()


toml_scalar = st.one_of(
    st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: "nan" if f != f else ("inf" if f == float("inf") else ("-inf" if f == float("-inf") else repr(f)))),
    st.booleans().map(lambda b: str(b).lower()), st.text(string.printable, max_size=8).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
    st.just("[]"), st.just("[1.0, 2.0]"), st.just('["a"]'), st.just("{ a = 1 }"),
)
keys = st.sampled_from(["w", "w_prime", "b", "w_out", "b_out", "x", "y", "activation", "loss", "h0",
                        "truncate", "clip", "learning_rate", "leaky_slope", "title", "zz", "at", "text", "breakpoints"])
tables = st.sampled_from(["", "[weights]", "[data]", "[rnn]", "[output]", "[train]", "[[notes]]", "[claims]", "[other]"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(tables, keys, toml_scalar), max_size=12))
def test_fuzz_random_toml_gives_a_scenario_or_a_clean_error(entries):
    lines = []
    for table, key, value in entries:
        if table:
            lines.append(table)
        lines.append(f"{key} = {value}")
    text = GOOD + "\n" + "\n".join(lines)
    try:
        parse_scenario(text, "fuzz.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.toml: ") and "\n" not in str(exc)
