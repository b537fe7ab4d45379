"""Writing can fail: a full disk, /dev/full, a reader that closed the pipe. Each is one line on stderr (or
none for a closed pipe), a documented exit code, and no partial file beside the target."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnstep import cli
from rnnstep.commands import output
from rnnstep.scenario import SCENARIO_DIR

SLIP = str(SCENARIO_DIR / "worked-example-slip.toml")
COMMANDS = [["trace"], ["trace", "--format", "json"], ["trace", "--format", "markdown"], ["check"], ["new"],
            ["verify", SLIP], ["scenarios"], ["drill", "--plain", "--count", "1"]]


def rnnstep(args, stdout, tmp_path, stdin=subprocess.DEVNULL):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "rnnstep", *args], stdout=stdout, stderr=subprocess.PIPE,
                          stdin=stdin, env=env, timeout=120, text=True)


def history_file(tmp_path: Path) -> Path:
    path = tmp_path / "h.jsonl"
    path.write_text('{"kind": "forward", "right": true, "session": "1"}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("args", COMMANDS + [["stats", "--history", "HISTORY"]], ids=" ".join)
def test_a_full_standard_output_is_one_line_and_exit_2(tmp_path, args):
    args = [str(history_file(tmp_path)) if a == "HISTORY" else a for a in args]
    with open("/dev/full", "w") as full:
        done = rnnstep(args, full, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == ["rnnstep: error: cannot write to standard output: No space left on device"]


@pytest.mark.parametrize("args", COMMANDS + [["stats", "--history", "HISTORY"]], ids=" ".join)
def test_a_closed_pipe_is_not_a_mismatch(tmp_path, args):
    args = [str(history_file(tmp_path)) if a == "HISTORY" else a for a in args]
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line (`| head -0`)
    try:
        done = rnnstep(args, write, tmp_path)
    finally:
        os.close(write)
    assert done.returncode == cli.PIPE_CLOSED, done.stderr  # not 1 (a mismatch), not 0 (all agreed)
    assert done.stderr == ""


class _FillingFile(io.StringIO):
    """A file on a disk that fills up after ``room`` characters."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(text)


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex", "json"])
def test_a_disk_filling_up_during_o_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch, fmt):
    real_fdopen = os.fdopen

    def fdopen(fd, *args, **kwargs):
        real_fdopen(fd).close()
        return _FillingFile(2_000)

    monkeypatch.setattr(output.os, "fdopen", fdopen)  # the -o writer's
    target = tmp_path / f"out.{ {'table': 'txt', 'markdown': 'md', 'latex': 'tex', 'json': 'json'}[fmt]}"
    code = cli.main(["trace", str(SCENARIO_DIR / "vanishing-gradients.toml"), "--format", fmt, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [f"rnnstep: error: {target}: cannot write: No space left on device"]
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file beside it


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_real_small_disk_filling_up(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        done = rnnstep(["trace", str(SCENARIO_DIR / "vanishing-gradients.toml"), "--format", "markdown",
                        "-o", str(disk / "out.md")], subprocess.PIPE, tmp_path)
        assert done.returncode == 2
        assert done.stderr.splitlines() == [f"rnnstep: error: {disk / 'out.md'}: cannot write: No space left on device"]
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)])


def test_a_loss_that_overflows_is_written_not_a_crash(tmp_path):
    """Adversarial try-out: y = 1e300 made the markdown and LaTeX loss line raise OverflowError."""
    import subprocess
    import sys

    path = tmp_path / "big.toml"
    path.write_text("[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0, 0.5, -0.2, 0.8]\ny = 1e300\n",
                    encoding="utf-8")
    for fmt in ("markdown", "latex"):
        out = subprocess.run([sys.executable, "-m", "rnnstep", "trace", str(path), "--format", fmt],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and "internal error" not in out.stderr, out.stderr


def test_control_characters_in_keys_and_file_names_are_escaped_on_stderr(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "bad\x1b[2J.toml"
    path.write_text('"\\u001b]0;X\\u0007" = 1\n[weights]\nw = 0.5\nw_prime = 0.1\nb = 0\n[data]\nx = [1.0]\ny = 0.1\n',
                    encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "rnnstep", "trace", str(path)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and "\x1b" not in out.stderr and "\\x1b" in out.stderr and "\x07" not in out.stderr


NO_CLAIMS = str(SCENARIO_DIR / "notes-four-steps.toml")


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "gradescope"])
def test_verify_with_no_claims_writes_its_notice_to_o_and_a_full_disk_is_exit_2(tmp_path, fmt):
    """The notice that a scenario has nothing to verify is the report: it goes where -o says, so /dev/full fails."""
    done = rnnstep(["verify", NO_CLAIMS, "--format", fmt, "-o", "/dev/full"], subprocess.PIPE, tmp_path)
    assert done.returncode == 2, done.stdout
    assert done.stderr.splitlines() == ["rnnstep: error: /dev/full: cannot write: No space left on device"]
    assert done.stdout == ""
    report = tmp_path / "report"  # no extension: any --format may write it
    done = rnnstep(["verify", NO_CLAIMS, "--format", fmt, "-o", str(report)], subprocess.PIPE, tmp_path)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert "no [claims] to verify" in report.read_text(encoding="utf-8")


def test_an_anki_deck_written_to_a_full_device_is_one_line_and_exit_2(tmp_path):
    """`--anki deck.apkg --force` where deck.apkg leads to /dev/full: written into, as -o does, so the full disk
    is an error; the link is not replaced by a file."""
    deck = tmp_path / "deck.apkg"
    deck.symlink_to("/dev/full")
    done = rnnstep(["drill", "--anki", str(deck), "--count", "1", "--seed", "3", "--force"], subprocess.PIPE, tmp_path)
    assert done.returncode == 2, done.stdout
    assert done.stderr.splitlines() == [f"rnnstep: error: drill: --anki {deck}: cannot write: No space left on device"]
    assert deck.is_symlink() and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_anki_deck_has_a_new_files_permissions(tmp_path):
    """mkstemp makes 0600; a deck, like every -o file, gets 0666 less the umask."""
    deck = tmp_path / "deck.apkg"
    umask = os.umask(0o022)
    try:
        done = rnnstep(["drill", "--anki", str(deck), "--count", "1", "--seed", "3"], subprocess.PIPE, tmp_path)
    finally:
        os.umask(umask)
    assert done.returncode == 0, done.stderr
    assert deck.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("extra, said", [(["--marks", "MISSING", "--format", "gradescope"], "no such file"),
                                         (["--marks", "MISSING", "--format", "json"], "--marks goes with --format gradescope")])
def test_verify_with_no_claims_still_refuses_a_mistaken_marks_option(tmp_path, extra, said):
    extra = [str(tmp_path / "nope.toml") if a == "MISSING" else a for a in extra]
    done = rnnstep(["verify", NO_CLAIMS, *extra], subprocess.PIPE, tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and said in done.stderr
