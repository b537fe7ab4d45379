"""SIGTERM and SIGHUP (a closed terminal) clean up as SIGINT does: no temporary file is left beside the target,
from `trace -o` or from the debugger's export. The signals go to real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .tmux import Terminal, needs_tmux, tmux

LONG_T = 20_000  # one target: a markdown trace of about 20 MB, a few seconds to write


def long_scenario(folder: Path) -> Path:
    path = folder / "long.toml"
    path.write_text('title = "long"\n[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\nw_out = 1.0\nb_out = 0.0\n'
                    f"[data]\nx = [{', '.join(['0.5'] * LONG_T)}]\ny = 0.2\n", encoding="utf-8")
    return path


def wait_for(found, timeout: float = 30.0, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} never happened")


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_trace_o_killed_by_a_signal_leaves_no_temporary_file(tmp_path, signum):
    scenario = long_scenario(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "rnnstep", "trace", str(scenario), "--format", "markdown",
                                "-o", str(out / "out.md")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: hidden(out))  # the temporary file is being written
        process.send_signal(signum)
        code = process.wait(timeout=30)
    finally:
        process.kill()
    assert list(out.iterdir()) == [], "a partial file was left"
    assert code == 128 + signum


def _rnnstep_pid(term: Terminal) -> int:
    shell = int(tmux("display", "-p", "-t", term.name, "#{pane_pid}").stdout.strip())
    children = wait_for(lambda: subprocess.run(["pgrep", "-P", str(shell)], capture_output=True,
                                               text=True).stdout.split(), what="rnnstep's start")
    return int(children[0])


def _start_export(term: Terminal, out: Path) -> None:
    term.wait("step 1/", timeout=60)
    term.keys("e")
    term.wait("Export", timeout=30)
    term.settle()
    term.keys("C-u")
    # Wait for ctrl+u to clear the suggestion before typing: Textual runs a binding (ctrl+u) once its key has
    # bubbled up to the app, after the keys that came in the same terminal write have been typed into the field,
    # so on a busy machine (tests in parallel) the typed path was cleared with it and Enter sent an empty name.
    term.wait_gone("long-derivation.md", timeout=30)
    term.keys("-l", str(out / "long.md"))
    term.keys("Enter")
    term.wait("Write it?", timeout=30)  # about 23 MB: the debugger asks first
    term.keys("y")


@pytest.mark.parametrize("how", [pytest.param(h, marks=needs_tmux) for h in ("SIGTERM", "SIGHUP", "closed terminal")])
def test_the_debuggers_export_killed_leaves_no_part_file(tmp_path, how):
    scenario = long_scenario(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with Terminal(f"{sys.executable} -m rnnstep {scenario}", 100, 30) as term:
        pid = _rnnstep_pid(term)
        _start_export(term, out)
        wait_for(lambda: hidden(out), timeout=60, what="the .part file")  # the export is being written
        if how == "closed terminal":
            tmux("kill-session", "-t", term.name)
        else:
            os.kill(pid, getattr(signal, how))
        wait_for(lambda: not _alive(pid), timeout=60, what="the end of rnnstep")
    assert list(out.iterdir()) == [], "a partial file was left"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (its parent, the pane's shell, has not reaped it yet) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [pytest.param(h, marks=needs_tmux) for h in ("SIGTERM", "SIGHUP")])
@pytest.mark.parametrize("app, shown", [("", "Step 1 of"), ("drill notes-four-steps --history HISTORY", "question 1 of"),
                                        ("verify worked-example-slip --open", "✗ slip")],
                         ids=["debugger", "drill", "verify --open"])
def test_the_apps_killed_by_a_signal_exit_128_plus_its_number(tmp_path, how, app, shown):
    """As `trace` does: SIGTERM (after the app closes and gives the terminal back) exits 143, SIGHUP 129."""
    app = app.replace("HISTORY", str(tmp_path / "h.jsonl"))
    with Terminal(f"{sys.executable} -m rnnstep {app}", 80, 24) as term:
        pid = _rnnstep_pid(term)
        term.wait(shown, timeout=60)
        os.kill(pid, getattr(signal, how))
        assert term.exit_status(timeout=60) == 128 + getattr(signal, how), term.screen()
