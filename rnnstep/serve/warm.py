"""A warm process that forks a session per tab: ``python -m rnnstep.serve.warm``, started by the server.

Starting Python and importing Textual, numpy and rnnstep takes a CPU-second or more; thirty tabs
opened at once on a two-core machine paid it thirty times before any of them drew (7–18 s). This
process pays it once: it imports everything a session needs, then waits on a Unix socket (fd
``RNNSTEP_WARM_FD``) for requests. A request is one JSON object — the session's environment
(terminal size, served files, mode) — sent with three file descriptors (the session's stdin,
stdout and stderr pipes). It forks; the child becomes a session exactly as ``session.main`` would
run it, in a new session and process group (the server kills it as a group), and the reply is the
child's pid. A crash in one child is that tab's alone: the children share nothing but
copy-on-write memory. Children are reaped by the kernel (SIGCHLD ignored). When the server goes
away the socket reaches its end and this process exits; its children then notice they lost their
parent and end too (``session._exit_with_parent``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys

ENV_FD = "RNNSTEP_WARM_FD"
MAX_REQUEST = 64 * 1024


def warm_up() -> None:
    """Import (and so load, compile and initialise) everything a session runs, before any fork."""
    import numpy  # noqa: F401
    import textual.drivers.web_driver  # noqa: F401
    import textual.widgets  # noqa: F401

    from . import app, drill, session, webdriver  # noqa: F401
    from ..tui import export  # noqa: F401

    rehearse()


def rehearse() -> None:
    """Run one session headless, so that what a first frame needs (lazy imports, caches) is ready before any fork.

    Skipped (sessions then do it themselves) if it fails; a thread it leaves behind is waited for
    (``main`` does not fork with one left)."""
    import asyncio
    import threading

    from .session import ENV_MODE, ENV_SCENARIOS, served_scenarios

    async def run_once() -> None:
        scenarios = served_scenarios(json.loads(os.environ[ENV_SCENARIOS])[:1])
        if os.environ.get(ENV_MODE) == "drill":
            from .drill import ServedDrillApp

            app = ServedDrillApp(scenarios[0])
        else:
            from .app import ServedApp

            app = ServedApp(scenarios)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()

    try:
        asyncio.run(run_once())
    except Exception:  # noqa: BLE001 — a rehearsal only; the session reports its own errors
        pass
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(2)


def become_session(environment: dict[str, str], fds: list[int], control: socket.socket) -> None:
    """In the forked child: the pipes as stdin/stdout/stderr, the session's environment, then the session."""
    control.close()
    os.setsid()  # its own process group: the server ends it with killpg
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.environ.update(environment)
    from .session import main

    code = 1
    try:
        code = main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve_forks(control: socket.socket) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel: no zombies
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, 3)
        except (ConnectionError, OSError):
            return
        if not message:
            return  # the server is gone
        try:
            environment = {str(k): str(v) for k, v in json.loads(message).items()}
        except (ValueError, AttributeError):
            environment = None
        if environment is None or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            control.sendall(struct.pack("!i", -1))
            continue
        pid = os.fork()
        if pid == 0:
            become_session(environment, fds, control)
        for fd in fds:
            os.close(fd)
        control.sendall(struct.pack("!i", pid))


def main() -> int:
    import threading

    control = socket.socket(fileno=int(os.environ.pop(ENV_FD)))
    warm_up()
    if threading.active_count() > 1:
        return 0  # a thread would be missing from every child (and could hold a lock): sessions start cold
    try:
        control.sendall(struct.pack("!i", os.getpid()))  # ready
        serve_forks(control)
    except OSError:
        pass  # the server went away: so does this process
    return 0


if __name__ == "__main__":
    sys.exit(main())
