"""Run a Textual app from the command line: a terminal first, and a one-line crash report.

Textual prints a full traceback with locals and exits 0 when an app raises; we
write the traceback to a file (rnnstep.crash), restore the terminal (Textual's
driver does that as the app closes) and exit 1 with one line on stderr.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from .. import crash

if TYPE_CHECKING:  # the terminal check runs before Textual is imported: refusing is instant
    from textual.app import App


class NoTerminal(Exception):
    """stdin or stdout is not a terminal: a full-screen app would spin reading nothing."""


def require_terminal(instead: str) -> None:
    """Refuse to start a full-screen app without a terminal, unless Textual is told to use another driver.

    ``TEXTUAL_DRIVER`` is how textual-serve (``rnnstep serve``) runs the app for a browser.
    """
    if os.environ.get("TEXTUAL_DRIVER"):
        return
    for name, stream in (("standard input", sys.stdin), ("standard output", sys.stdout)):
        try:
            tty = stream is not None and stream.isatty()
        except (ValueError, OSError):  # closed
            tty = False
        if not tty:
            raise NoTerminal(f"{name} is not a terminal, and this screen needs one; {instead}")


class CrashReporting:
    """Mixin for an App: an unhandled exception is written to a file instead of printed.

    Overrides Textual 8.2.8's private ``_handle_exception`` (Textual is pinned exactly);
    it keeps Textual's bookkeeping so Pilot tests still re-raise the exception.
    """

    crash_report: tuple[BaseException, object] | None = None

    def _handle_exception(self, error: Exception) -> None:
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        if self.crash_report is None:
            self.crash_report = (error, crash.write_report(error))
        self._close_messages_no_wait()


def run(app: "App") -> int:
    """Run ``app``; after a crash, one line on stderr and exit 1. SIGTERM and SIGHUP (a closed terminal)
    remove any export's temporary file and close the app as q does; then, as every command, exit 128 + the
    signal's number (SIGHUP ends the process in the handler)."""
    import signal

    from ..partial import on_termination

    terminated: list[int] = []

    def close() -> None:
        terminated.append(signal.SIGTERM)
        _close_soon(app)

    on_termination(close=close)
    app.run()
    if getattr(app, "crash_report", None) is not None:
        error, path = app.crash_report
        print(crash.crash_line(error, path), file=sys.stderr)
        return 1
    if terminated:
        return 128 + terminated[0]
    return app.return_code or 0


def _close_soon(app: "App") -> None:
    """From a signal handler: ask the app's event loop to close the app (a handler must not do it itself)."""
    import asyncio
    import signal

    try:
        asyncio.get_running_loop().call_soon_threadsafe(app.exit)
    except RuntimeError:  # the loop is not running yet or any more
        raise SystemExit(128 + signal.SIGTERM) from None
