"""The README tells the truth (issue 18 item 25): its examples run, its transcript is what the
program prints, and its counts and claims are the code's."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import rnnstep
from rnnstep.drill.questions import questions

README = Path(__file__).resolve().parents[2] / "README.md"
TEXT = README.read_text(encoding="utf-8")
PLACEHOLDER = re.compile(r"[A-Z]{1,}(?![a-z])|…|\[|\||<|>")  # FILE, N, NAME, [--x], a|b, redirections
NEEDS_SOMETHING_ELSE = ("serve",)  # a server: tests/functional/test_serve*.py speak to it


def _commands() -> list[str]:
    """`rnnstep …` lines of ```sh blocks and inline `rnnstep …` examples that need no terminal."""
    found: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", TEXT, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("rnnstep "):
                found.append(line)
    found += re.findall(r"`(rnnstep [^`]*)`", TEXT)
    runnable = []
    for command in dict.fromkeys(found):
        words = command.split()
        if PLACEHOLDER.search(command.removeprefix("rnnstep")) or len(words) < 2:
            continue  # a synopsis with placeholders, or the bare debugger (a terminal app)
        if words[1] in NEEDS_SOMETHING_ELSE or words[1] not in {
                "trace", "check", "scenarios", "new", "stats", "verify", "drill"} and not words[1].endswith(("-rnn", "-gradients")):
            continue
        if words[1] == "drill" and "--plain" not in words:
            continue  # the TUI drill needs a terminal
        if words[1] in ("verify",) and len(words) == 2:
            continue  # the command named, not an example
        runnable.append(command)
    return runnable


def _run(command: str, tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    return subprocess.run([sys.executable, "-m", "rnnstep", *shlex.split(command)[1:]], input=stdin,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)


def test_the_readme_has_examples_to_run():
    commands = _commands()
    assert "rnnstep scenarios" in commands and "rnnstep trace hello-char-rnn" in commands, commands


@pytest.mark.parametrize("command", _commands())
def test_each_readme_example_runs(command, tmp_path):
    words = command.split()
    if words[1] not in {"trace", "check", "scenarios", "new", "stats", "verify", "drill"}:
        # `rnnstep vanishing-gradients` opens the debugger: without a terminal it must exit 2 in one line
        done = _run(command, tmp_path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        return
    done = _run(command, tmp_path)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr and done.stdout.strip()


def test_without_a_terminal_the_debugger_exits_2_naming_what_to_use(tmp_path):
    """README: without a terminal (`rnnstep < /dev/null`, `rnnstep > out.txt`) they exit 2 at once and
    name what to use instead (`rnnstep trace`, `rnnstep drill --plain`)."""
    done = _run("rnnstep", tmp_path)
    assert done.returncode == 2 and ("rnnstep trace" in done.stderr or "rnnstep drill --plain" in done.stderr)


def test_the_plain_drill_transcript_is_what_the_program_prints(tmp_path):
    block = TEXT.split("hold a conversation with it:", 1)[1].split("```", 2)[1]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    asked = [i for i, line in enumerate(lines) if line.startswith("? ")]
    typed = [lines[i + 1] for i in asked if i + 1 < len(lines) and not lines[i + 1].startswith(("? ", "✓", "✗", "hint:"))]
    shown = [line for line in lines if line not in typed]
    name = "notes-four-steps" if "The notes' four steps" in lines[0] else pytest.fail(lines[0])
    done = _run(f"rnnstep drill --plain {name} --count {len(typed)} --history {tmp_path / 'h.jsonl'}", tmp_path,
                stdin="".join(t + "\n" for t in typed))
    printed = done.stdout.splitlines()
    assert printed[:len(shown)] == shown


def test_the_question_counts_the_readme_gives():
    (first, first_count, second, second_count), = re.findall(r"`([\w-]+)` has (\d+) questions, `([\w-]+)` (\d+)\.",
                                                             TEXT)
    for name, count in ((first, first_count), (second, second_count)):
        tape = rnnstep.build_tape(rnnstep.load_scenario(name))
        assert len(questions(tape)) == int(count), name


def test_serve_drill_takes_vector_scenarios_as_the_readme_says():
    """README: `--drill` drills a vector first scenario as `rnnstep drill` does (it once said it refused)."""
    assert "--drill` refuses" not in TEXT
    from rnnstep.drill.session import DrillSession

    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    session = DrillSession(tape, questions(tape))
    assert session.current is not None and session.current.shape  # a whole vector is asked
    # (tests/functional/test_serve_app.py::test_a_served_drill_on_a_vector_scenario_takes_whole_arrays serves one)
    assert "--drill` drills a vector first scenario" in " ".join(TEXT.split())


def test_the_readme_lists_every_shipped_scenario():
    """Try-out: the Scenario-files section's list left out the gated and vector scenarios."""
    from rnnstep.scenario import shipped_gated_scenarios, shipped_scenarios, shipped_vector_scenarios

    paragraph = TEXT.split("Shipped scenarios (`rnnstep scenarios`", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"`([\w-]+)`", paragraph))
    shipped = {p.stem for p in [*shipped_scenarios(), *shipped_vector_scenarios(), *shipped_gated_scenarios()]}
    assert listed == shipped, (shipped - listed, listed - shipped)


def test_the_command_table_names_every_command():
    """Try-out: `rnnstep open NAME` was used in the gated section but missing from the command table."""
    import argparse

    from rnnstep.cli import build_parser

    table = TEXT.split("## Commands for scripts and teachers", 1)[1].split("\n\n", 2)[1]
    first_column = "\n".join(re.findall(r"^\| (.*?[^\\]) \|", table, re.M))
    named = set(re.findall(r"`rnnstep (\w[\w-]*)", first_column))
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) <= named, set(sub.choices) - named


def test_the_readme_says_what_a_scenario_requires_per_cell(tmp_path):
    """`w, w_prime and b are required` was wrong for the LSTM and GRU (b and b_prime default to zeros): the
    README's statement is checked against the loader, one file per cell without b."""
    said = "`w` and `w_prime` for every\ncell, plus `b` for the plain RNN" in TEXT  # a bool: no diff of the README
    assert said, "README: the required keys per cell"
    plain = tmp_path / "plain.toml"
    plain.write_text("[weights]\nw = 0.5\nw_prime = 0.1\n[data]\nx = [1.0]\ny = 0.5\n")
    with pytest.raises(rnnstep.ScenarioError, match="weights.b"):
        rnnstep.load_scenario(plain)
    for cell, rows in (("lstm", 4), ("gru", 3)):
        gated = tmp_path / f"{cell}.toml"
        gated.write_text(f'[rnn]\ncell = "{cell}"\n[weights]\nw = {[0.1] * rows}\nw_prime = {[0.2] * rows}\n'
                         "[data]\nx = [1.0]\ny = 0.5\n")
        s = rnnstep.load_scenario(gated)
        assert not any(s.arrays()["b"]) and not any(s.arrays()["b_prime"])


def test_the_readme_says_exported_columns_and_lines_override_the_terminal():
    said = "`COLUMNS` and\n`LINES` environment variables" in TEXT and "env -u COLUMNS -u LINES" in TEXT
    assert said, "README: exported COLUMNS and LINES override the terminal's size"
