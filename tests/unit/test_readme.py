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
