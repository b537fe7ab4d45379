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
