"""No key crashes the app; a crash is one line and a file; no terminal, no hang."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from .tmux import Terminal, needs_tmux

RNNSTEP = f"{sys.executable} -m rnnstep"
pytestmark = needs_tmux


@pytest.mark.parametrize("app", ["", "drill notes-four-steps"])
def test_page_keys_in_the_command_palette_do_not_crash(app, tmp_path):
    """Textual 8.2.8's OptionList._move_page raises KeyError: 0 before the list is laid out (guarded in tui/palette.py)."""
    if "drill" in app:
        app += f" --history {tmp_path / 'h.jsonl'}"
    with Terminal(f"{RNNSTEP} {app}", 100, 30) as term:
        term.wait("Step 1 of" if not app else "question 1 of")
        term.keys("C-p", "PageDown", "PageUp")  # at once: before the palette's list is laid out
        time.sleep(0.5)
        term.keys("PageDown", "Down", "PageUp", "PageDown")  # and once it is shown
        time.sleep(0.5)
        assert "KeyError" not in term.settle()
        term.keys("Escape")
        time.sleep(0.3)
        if app:
            term.keys("Escape")  # the drill asks before it ends
            term.wait("End the drill here")
            term.keys("y")
        else:
            term.keys("q")
        assert term.exit_status() == 0

CRASHING_APP = textwrap.dedent("""
    import sys
    from pathlib import Path
    from rnnstep.scenario import default_scenario
    from rnnstep.tui import app
    from rnnstep.tui.app import DebuggerApp
    from rnnstep.tui.running import run

    class Broken(DebuggerApp):
        CSS_PATH = str(Path(app.__file__).with_name(DebuggerApp.CSS_PATH))

        def action_next(self):
            raise RuntimeError("a bug on purpose")

    sys.exit(run(Broken(default_scenario())))
""")


def test_a_crash_exits_1_with_one_line_naming_the_traceback_file(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text(CRASHING_APP)
    env = f"XDG_STATE_HOME={tmp_path / 'state'}"
    # Textual draws on stderr, so the line is read off the terminal once the app has gone;
    # then stty shows whether the terminal is back in cooked mode (icanon, echo)
    command = (f"env {env} {sys.executable} {script}; s=$?; echo \"[stty $(stty -a | grep -o ' icanon \\| echo ' "
               f"| tr -d ' \\n')]\"; (exit $s)")
    with Terminal(command, 300, 24) as term:  # wide: the one line is not wrapped
        term.wait("Step 1 of")
        term.keys("n")
        assert term.exit_status() == 1
        lines = [line for line in term.screen().splitlines() if line.strip()]
    assert lines[-2] == "[stty icanonecho]", lines  # the terminal is restored
    assert "Step 1 of" not in "\n".join(lines)  # and off the alternate screen
    assert lines[0].startswith("rnnstep: internal error (RuntimeError: a bug on purpose); the full traceback is in ")
    assert len(lines) == 3, lines  # one line, then the stty and exit lines
    report = lines[0].split("the full traceback is in ")[1].split(" — ")[0]
    text = open(report).read()
    assert report.startswith(str(tmp_path / "state" / "rnnstep"))
    assert "Traceback" in text and "a bug on purpose" in text and "action_next" in text


def test_an_error_outside_the_app_is_one_line_and_a_file(tmp_path, capsys, monkeypatch):
    from rnnstep import cli
    from rnnstep.commands import trace

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def broken(args):
        raise ZeroDivisionError("on purpose")

    monkeypatch.setattr(trace, "run", broken)
    assert cli.main(["trace"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ZeroDivisionError: on purpose" in err
    assert "on purpose" in next((tmp_path / "rnnstep").iterdir()).read_text()


@pytest.mark.parametrize("args,stdin,instead", [
    ([], subprocess.DEVNULL, "rnnstep trace"),
    (["drill", "notes-four-steps"], "pipe", "rnnstep drill --plain"),
    (["notes-four-steps"], "tty-out-file", "rnnstep trace"),
    (["verify", "worked-example-slip", "--open"], subprocess.DEVNULL, "rnnstep verify"),
])
def test_without_a_terminal_the_debugger_and_drill_exit_2_at_once(args, stdin, instead, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    command = [sys.executable, "-m", "rnnstep", *args]
    start = time.monotonic()
    if stdin == "tty-out-file":  # stdin a terminal, stdout a file: `rnnstep > out.txt`
        out = tmp_path / "out.txt"
        with Terminal(" ".join(command) + f" > {out}", 80, 24) as term:
            assert term.exit_status(timeout=5) == 2
            assert "standard output is not a terminal" in term.screen() and instead in term.screen()
        return
    done = subprocess.run(command, **({} if stdin == "pipe" else {"stdin": stdin}),
                          input="0.6\n" if stdin == "pipe" else None, capture_output=True, text=True,
                          env=env, timeout=20)
    elapsed = time.monotonic() - start
    begin = time.monotonic()  # the same interpreter start-up, for a loaded machine: `rnnstep --version`
    subprocess.run([sys.executable, "-m", "rnnstep", "--version"], capture_output=True, env=env, timeout=20)
    startup = time.monotonic() - begin
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not a terminal" in done.stderr and instead in done.stderr
    assert elapsed < 1.0 + startup  # within a second of Python's own start-up: it refuses, it never waits


def test_a_palette_key_with_no_command_list_is_ignored():
    """A key that reaches the palette while it is composed or torn down finds no CommandList: upstream raises
    NoMatches (seen in the tmux fuzz on worked-example-slip); the guarded palette ignores the key."""
    from textual.command import CommandPalette
    from textual.css.query import NoMatches

    from rnnstep.tui.palette import GuardedCommandPalette

    with pytest.raises(NoMatches):
        CommandPalette()._action_command_list("cursor_down")
    for action in ("page_down", "page_up", "cursor_down", "select"):
        GuardedCommandPalette()._action_command_list(action)


@pytest.mark.parametrize("app,opener,shown,typed,after", [
    ("notes-four-steps", ":", "Go to", "5\r\r", " step 5/"),  # issue 20's own reproduction
    ("notes-four-steps", ":", "Go to", "5\r\x1b", " step 5/"),
    ("notes-four-steps", "e", "Export the derivation", "\r\r", "wrote"),
    ("drill notes-four-steps", "C-p", "Search for commands", "keys\r\r", "Scroll Up"),
])
def test_two_keys_in_one_write_in_a_dialog_do_not_crash(app, opener, shown, typed, after, tmp_path):
    """Textual 8.2.8's dismiss pops whatever screen is on top: the second Enter popped the app's own (tui/dialog.py)."""
    if "drill" in app:
        app += f" --history {tmp_path / 'h.jsonl'}"
    with Terminal(f"cd {tmp_path} && XDG_STATE_HOME={tmp_path} {RNNSTEP} {app}", 100, 30) as term:
        term.wait("Step 1 of" if "drill" not in app else "question 1 of")
        term.keys(opener)
        term.wait(shown)
        time.sleep(0.2)
        term.keys("-l", typed)  # one write: the keys arrive together
        screen = term.wait(after, timeout=10)
        assert "internal error" not in screen and "[exit" not in screen
        term.settle(0.3)
        term.keys("C-q" if "drill" in app else "q")
        assert term.exit_status() == 0, term.screen()
    assert not list(tmp_path.glob("rnnstep/rnnstep-crash-*")), "a crash report was written"
