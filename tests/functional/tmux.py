"""A real terminal for tests: tmux runs a command, keys go in, the screen is read back."""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import time

import pytest

needs_tmux = [pytest.mark.tmux, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]
_counter = itertools.count()


def tmux(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", *args], capture_output=True, text=True)


class Terminal:
    """One tmux session at a given size; use as a context manager (the session is always killed)."""

    def __init__(self, command: str, width: int = 80, height: int = 24) -> None:
        self.name = f"rnnstep-test-{os.getpid()}-{next(_counter)}"
        self.command, self.width, self.height = command, width, height

    def __enter__(self) -> "Terminal":
        for _ in range(5):  # right after another session ends, the exiting tmux server may refuse one
            # the shell stays after the program ends, showing its exit status, until the session is killed
            # COLUMNS/LINES (set by something in a pytest run) would pin Textual's size and hide resizes
            # the tests' own state and config folders (conftest.py): a tmux server keeps the environment it began with
            isolated = " ".join(f"{k}={shlex.quote(os.environ[k])}" for k in ("XDG_STATE_HOME", "XDG_CONFIG_HOME")
                                if k in os.environ)
            wrapped = f"env -u COLUMNS -u LINES {isolated} sh -c " + shlex.quote(f'{self.command}; echo "[exit $?]"; sleep 600')
            if tmux("new-session", "-d", "-s", self.name, "-x", str(self.width), "-y", str(self.height),
                    wrapped).returncode == 0:
                return self
            time.sleep(0.2)
        raise AssertionError("tmux would not start a session")

    def __exit__(self, *exc) -> None:
        tmux("kill-session", "-t", self.name)

    def screen(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *keys: str) -> None:
        tmux("send-keys", "-t", self.name, *keys)

    def _until(self, done, timeout: float) -> str | None:
        """The first screen for which ``done(screen)`` holds within ``timeout`` seconds, else None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if done(screen):
                return screen
            time.sleep(0.03)
        return None

    def wait(self, text: str, timeout: float = 20.0) -> str:
        screen = self._until(lambda s: text in s, timeout)
        if screen is None:
            raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")
        return screen

    def wait_gone(self, text: str, timeout: float = 20.0) -> str:
        screen = self._until(lambda s: text not in s, timeout)
        if screen is None:
            raise AssertionError(f"{text!r} never went; the screen was:\n{self.screen()}")
        return screen

    def wait_change(self, before: str, timeout: float = 10.0) -> str:
        return self._until(lambda s: s != before, timeout) or self.screen()

    def settle(self, quiet: float = 0.25, timeout: float = 10.0) -> str:
        """The screen once it has stopped changing for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        screen, since = self.screen(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.03)
            now = self.screen()
            if now != screen:
                screen, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return screen

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def exit_status(self, timeout: float = 10.0) -> int:
        """Wait for the program to end; its exit status."""
        found = re.search(r"\[exit (\d+)\]", self.wait("[exit ", timeout))
        return int(found.group(1))
