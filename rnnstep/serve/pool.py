"""The server's side of the warm process (``warm``): ask it for a session, and hold that session like a child.

``WarmPool.spawn`` makes the session's three pipes, hands the child's ends to the warm process over
its Unix socket, and gets back the forked session's pid. ``WarmProcess`` then looks to textual-serve's
``AppService`` like the ``asyncio.subprocess.Process`` it would have started (``pid``, ``stdin``,
``stdout``, ``stderr``, ``wait``); its end is seen through a pidfd, since the session is the warm
process's child, not the server's. Whenever the warm process is not there (still warming up, or gone),
``spawn`` answers None and the server starts the session afresh as before.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import sys
from asyncio import subprocess

from .warm import ENV_FD

READY_SECONDS = 120.0  # warming up on a busy machine
FORK_SECONDS = 10.0


class WarmProcess:
    """A session forked by the warm process, with the interface of ``asyncio.subprocess.Process``."""

    def __init__(self, pid: int, stdin: asyncio.StreamWriter, stdout: asyncio.StreamReader,
                 stderr: asyncio.StreamReader) -> None:
        self.pid, self.stdin, self.stdout, self.stderr = pid, stdin, stdout, stderr
        self.returncode: int | None = None
        self._ended = asyncio.get_running_loop().create_future()
        self._watch()

    def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            pidfd = os.pidfd_open(self.pid)
        except (ProcessLookupError, OSError):
            self._ended.set_result(None)  # already gone
            return

        def ended() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            if not self._ended.done():
                self._ended.set_result(None)

        loop.add_reader(pidfd, ended)  # a pidfd reads ready when its process has ended

    async def wait(self) -> int:
        await asyncio.shield(self._ended)
        self.returncode = 0 if self.returncode is None else self.returncode  # (its status went to the warm process)
        return self.returncode


async def _reader(fd: int) -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2 ** 16)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", 0))
    return reader


async def _writer(fd: int) -> asyncio.StreamWriter:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, os.fdopen(fd, "wb", 0))
    return asyncio.StreamWriter(transport, protocol, None, loop)


class WarmPool:
    """One warm process for the server's life."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment  # the warm process's (and so every session's) environment
        self.process: subprocess.Process | None = None
        self.control: socket.socket | None = None
        self.ready = False
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Start the warm process and wait until it has imported everything (or give up: sessions start cold)."""
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "rnnstep.serve.warm", stdin=subprocess.DEVNULL,
                env=dict(self.environment, **{ENV_FD: str(theirs.fileno())}), pass_fds=(theirs.fileno(),))
        except OSError:
            ours.close()
            return  # not ready: sessions start cold
        finally:
            theirs.close()
        ours.setblocking(False)
        self.control = ours
        try:
            ready = await asyncio.wait_for(loop.sock_recv(ours, 4), READY_SECONDS)
        except (asyncio.TimeoutError, OSError):
            ready = b""
        self.ready = len(ready) == 4

    async def spawn(self, environment: dict[str, str]) -> WarmProcess | None:
        """A session forked with ``environment`` added (its terminal size); None when the warm process cannot."""
        if not self.ready or self.control is None:
            return None
        loop = asyncio.get_running_loop()
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        theirs, ours = (stdin_r, stdout_w, stderr_w), (stdin_w, stdout_r, stderr_r)
        pid = -1
        try:
            async with self._lock:  # one request, one reply
                socket.send_fds(self.control, [json.dumps(environment).encode()], list(theirs))
                reply = await asyncio.wait_for(loop.sock_recv(self.control, 4), FORK_SECONDS)
            if len(reply) == 4:
                pid = struct.unpack("!i", reply)[0]
        except (OSError, asyncio.TimeoutError):
            self.ready = False  # the warm process is gone or stuck: new sessions start cold
        finally:
            for fd in theirs:
                os.close(fd)
        if pid <= 0:
            for fd in ours:
                os.close(fd)
            return None
        return WarmProcess(pid, await _writer(stdin_w), await _reader(stdout_r), await _reader(stderr_r))

    async def stop(self) -> None:
        self.ready = False
        if self.control is not None:
            self.control.close()  # the warm process reads the end and exits
            self.control = None
        if self.process is not None and self.process.returncode is None:
            try:
                await asyncio.wait_for(self.process.wait(), 3)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()
