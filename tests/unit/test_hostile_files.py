"""Hostile and unlucky input to the loader (issue 20): every outcome is a scenario or one clean line, exit 2."""

import os
import subprocess
import sys

import pytest

from rnnstep import ScenarioError, load_scenario
from rnnstep.cli import main
from rnnstep import scenario as scenario_module
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
BIG = "1" + "0" * 400  # a TOML integer too large for a float64


def one_clean_line(capsys, argv, words=()) -> str:
    """``rnnstep argv`` exits 2 with exactly one line on stderr, no traceback."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("rnnstep: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "internal error" not in err
    for word in words:
        assert word in err, err
    return err


def one_clean_line_in_a_process(argv, words=(), timeout=30) -> str:
    """As ``one_clean_line``, in a process of its own that must end within ``timeout`` s (it may hang before a fix)."""
    done = subprocess.run([sys.executable, "-m", "rnnstep", *argv], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("rnnstep: error: ") and done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- issue 20 item 2: softmax over one output --------------------------------------------------------

SOFTMAX_ONE = GOOD.replace("[weights]", "[output]\nactivation = 'softmax'\nloss = 'cross_entropy'\n[weights]").replace(
    "y = 0.2", "y = 1.0")


@pytest.mark.parametrize("command", [["trace"], ["trace", "--format", "json"], ["check"], ["verify"],
                                     ["drill", "--plain"], ["open"]])
def test_softmax_over_one_output_is_refused_at_load_by_every_command(tmp_path, capsys, command):
    path = write(tmp_path, SOFTMAX_ONE)
    err = one_clean_line(capsys, [*command, path], ["output.activation", "softmax over one output is always 1"])
    assert "sigmoid" in err  # what to use instead


def test_softmax_over_one_output_is_refused_by_serve_before_anyone_connects(tmp_path):
    pytest.importorskip("aiohttp")
    one_clean_line_in_a_process(["serve", "--port", "18298", write(tmp_path, SOFTMAX_ONE)],
                                ["softmax over one output is always 1"])


def test_softmax_over_one_output_is_refused_with_any_loss(tmp_path):
    text = GOOD.replace("[weights]", "[output]\nactivation = 'softmax'\n[weights]")
    with pytest.raises(ScenarioError, match="softmax over one output is always 1"):
        parse_scenario(text, "s.toml")


# -- issue 20 item 3: numbers too large, nesting too deep, names too long, ~nosuchuser -----------------

SCALAR_NUMBER_FIELDS = [("w = 0.5", f"w = {BIG}"), ("w_prime = -0.3", f"w_prime = -{BIG}"), ("b = 0.1", f"b = {BIG}"),
                        ("b = 0.1", f"b = 0.1\nw_out = {BIG}"), ("b = 0.1", f"b = 0.1\nb_out = {BIG}"),
                        ("x = [1.0, 0.5]", f"x = [1.0, {BIG}]"), ("y = 0.2", f"y = {BIG}"), ("y = 0.2", f"y = [0.1, {BIG}]"),
                        ("[weights]", f"[rnn]\nh0 = {BIG}\n[weights]"), ("[weights]", f"[rnn]\nleaky_slope = {BIG}\n[weights]"),
                        ("y = 0.2", f"y = 0.2\n[train]\nlearning_rate = {BIG}"), ("y = 0.2", f"y = 0.2\n[train]\nclip = {BIG}"),
                        ("y = 0.2", f'y = 0.2\n[claims]\n"forward.O[1]" = {BIG}'),
                        ]
VECTOR = """
[weights]
w = [[0.5], [0.1]]
w_prime = [[-0.3, 0.1], [0.2, 0.1]]
b = [0.1, 0.0]
w_out = [[1.0, 1.0]]
[data]
x = [1.0, 0.5]
y = 0.2
"""
VECTOR_NUMBER_FIELDS = [("w = [[0.5], [0.1]]", f"w = [[{BIG}], [0.1]]"), ("b = [0.1, 0.0]", f"b = [0.1, {BIG}]"),
                        ("x = [1.0, 0.5]", f"x = [[1.0], [{BIG}]]"), ("w_out = [[1.0, 1.0]]", f"w_out = [[1.0, -{BIG}]]"),
                        ("y = 0.2", f'y = 0.2\n[claims]\n"forward.O[1]" = [0.1, {BIG}]'),
                        ("y = 0.2", f'y = 0.2\n[claims]\n"forward.O[1][2]" = {BIG}')]


@pytest.mark.parametrize("old,new", VECTOR_NUMBER_FIELDS)
def test_an_integer_too_large_for_a_float_is_one_line_in_a_vector_file(tmp_path, capsys, old, new):
    assert old in VECTOR
    err = one_clean_line(capsys, ["trace", write(tmp_path, VECTOR.replace(old, new, 1))])
    assert "too large for a float64" in err and "0000000000" not in err


@pytest.mark.parametrize("old,new", SCALAR_NUMBER_FIELDS, ids=[n.split("=")[0].strip() + str(i)
                                                                for i, (_, n) in enumerate(SCALAR_NUMBER_FIELDS)])
def test_an_integer_too_large_for_a_float_is_one_line_in_any_number_field(tmp_path, capsys, old, new):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    err = one_clean_line(capsys, ["trace", path])
    assert "too large for a float64" in err and "0000000000" not in err  # the digits are counted, not printed


def test_an_integer_of_thousands_of_digits_is_one_line(tmp_path, capsys):
    one_clean_line(capsys, ["trace", write(tmp_path, GOOD.replace("w = 0.5", "w = 1" + "0" * 5000))],
                   ["cannot read a number"])


DEEP = GOOD.replace("x = [1.0, 0.5]", "x = " + "[" * 5000 + "1.0" + "]" * 5000)


@pytest.mark.parametrize("command", [["trace"], ["check"], ["verify"], ["drill", "--plain"], ["open"]])
def test_arrays_nested_5000_deep_are_one_line_in_every_command(tmp_path, capsys, command):
    one_clean_line(capsys, [*command, write(tmp_path, DEEP)], ["nested too deeply"])


def test_arrays_nested_5000_deep_in_serve_and_the_open_dialog(tmp_path):
    path = write(tmp_path, DEEP)
    from rnnstep.serve.catalog import catalog

    with pytest.raises(ScenarioError, match="nested too deeply"):
        catalog([path])
    with pytest.raises(ScenarioError, match="nested too deeply"):
        scenario_module.load_typed_scenario(path)  # what the open dialog calls


LONG = "a" * 300  # over the 255 bytes a file name may have


@pytest.mark.parametrize("argv", [["trace", f"{LONG}.toml"], ["check", f"{LONG}.toml"], ["verify", f"{LONG}.toml"],
                                  ["open", f"{LONG}.toml"], ["drill", "--plain", f"{LONG}.toml"],
                                  ["trace", "-o", f"{LONG}.txt"], ["new", "-o", f"{LONG}.toml"],
                                  ["stats", "--history", LONG], ["serve", "--port", "18297", f"{LONG}.toml"],
                                  ["drill", "--plain", "--count", "1", "--history", LONG]])
def test_a_name_over_255_bytes_is_one_line(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    pytest.importorskip("aiohttp")
    one_clean_line(capsys, argv, ["at most 255"])


def test_typed_paths_in_dialogs(monkeypatch):
    user_files = pytest.importorskip("rnnstep.user_files")
    with pytest.raises(user_files.PathProblem, match="~nosuchuser: no such user"):
        user_files.typed_path("~nosuchuser/x.toml")
    with pytest.raises(user_files.PathProblem, match="at most 255"):
        user_files.typed_path(f"{LONG}.md")
    monkeypatch.setenv("HOME", "/home/ana")
    assert str(user_files.typed_path(" ~/x.toml ")) == "/home/ana/x.toml"
    for typed in ("~nosuchuser/x.toml", f"{LONG}.toml", "a\0b.toml"):
        with pytest.raises(ScenarioError) as info:
            scenario_module.load_typed_scenario(typed)
        assert "\n" not in str(info.value)


def test_history_lines_that_are_markup_or_nest_too_deep_are_skipped_or_shown_as_text(tmp_path, capsys):
    history = tmp_path / "h.jsonl"
    history.write_text('{"kind":"[/]","right":true}\n' + "[" * 100_000 + "\n"
                       + '{"kind":"forward_O","right":true,"session":"1"}\n', encoding="utf-8")
    assert main(["stats", "--history", str(history)]) == 0
    out, err = capsys.readouterr()
    assert "[/]" in out  # a kind read from the file is shown as written, never parsed as markup
    assert err == f"rnnstep: warning: {history}: skipped 1 unreadable line in the history\n"


OVERFLOW = GOOD.replace("[weights]", "[rnn]\nactivation = 'identity'\n[weights]").replace(
    "w_prime = -0.3", "w_prime = 1e100").replace("x = [1.0, 0.5]", "x = [1.0, 0.5, -0.3, 0.8]") + \
    "[train]\nlearning_rate = 1e300\n"


@pytest.mark.parametrize("w_prime", ["1e100", "[[1e100]]"])
def test_check_shows_and_flags_overflow_and_never_crashes(tmp_path, capsys, w_prime):
    path = write(tmp_path, OVERFLOW.replace("w_prime = 1e100", f"w_prime = {w_prime}"))
    assert main(["check", path]) == 1  # a failed check, flagged
    out, err = capsys.readouterr()
    assert err == "" and "overflowed" in out
