"""Temporary files beside a target, removed on every exit we can catch: SIGTERM and SIGHUP as well as SIGINT.

A document is written to a hidden temporary file and renamed over its target when
whole. SIGINT unwinds through the writer's ``finally``; SIGTERM and SIGHUP (a
closed terminal) would end the process at once and leave ``.out.md.1a2b3c4d``
behind. :func:`on_termination` makes those signals remove every temporary file
still being written (:func:`writing`), then end the command (exit 128 + the
signal's number) or ask a running app to close.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

_pending: set[str] = set()
_lock = threading.Lock()
SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def held() -> Iterator[None]:
    """Hold the termination signals back (in this thread) while a temporary file is created and registered:
    a signal between the two would leave it behind."""
    if not SIGNALS or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def track(temp: str) -> None:
    """``temp`` is removed by a termination signal or at exit until :func:`writing` is done with it."""
    with _lock:
        _pending.add(temp)


@contextmanager
def writing(temp: str) -> Iterator[None]:
    """While the block runs, ``temp`` is removed by a termination signal or at exit; and after the block."""
    track(temp)
    try:
        yield
    finally:
        with _lock:
            _pending.discard(temp)
        _remove(temp)


def remove_pending() -> None:
    with _lock:
        pending = list(_pending)
    for temp in pending:
        _remove(temp)


def _remove(temp: str) -> None:
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover - nothing more can be done at exit
        pass


def on_termination(close: Callable[[], None] | None = None) -> None:
    """SIGTERM and SIGHUP remove the temporary files, then raise SystemExit(128 + signal). Given ``close``
    (a full-screen app's graceful exit, which gives the terminal back), SIGTERM calls it instead; SIGHUP
    (the terminal is gone: nothing to give back, and writing to it may block) or a second SIGTERM end
    the process at once."""
    if threading.current_thread() is not threading.main_thread():
        return
    asked: list[int] = []

    def handler(signum: int, frame) -> None:
        remove_pending()
        if close is None:
            raise SystemExit(128 + signum)
        if signum == signal.SIGTERM and not asked:
            asked.append(signum)
            close()
            return
        os._exit(128 + signum)

    for signum in SIGNALS:
        signal.signal(signum, handler)


atexit.register(remove_pending)
