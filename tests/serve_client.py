"""Talk to `rnnstep serve` as its page does, and read the screen with a terminal emulator.

Used by the serve tests and benchmarks/serve_load.py. Loopback only: the server
is started here on a free 127.0.0.1 port and stopped (with every session) after.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import aiohttp
import pyte


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int, banner: list[str]) -> None:
        self.process, self.port, self.banner = process, port, banner
        self.output: list[str] = []  # what the server printed after its banner (read on, so its pipe never fills)
        self._drain = threading.Thread(target=self._read_output, daemon=True)
        self._drain.start()

    def _read_output(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.output.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.output)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def children(self) -> list[int]:
        """Every session process: the server's children, and those of its warm process (which forks sessions)."""
        sessions = []
        for pid, command in _children(self.process.pid):
            if "rnnstep.serve.warm" in command:
                sessions += [p for p, _ in _children(pid)]
            else:
                sessions.append(pid)
        return sessions

    def warm(self) -> int | None:
        """The warm process's pid, if there is one."""
        return next((pid for pid, command in _children(self.process.pid) if "rnnstep.serve.warm" in command), None)


def _children(pid: int) -> list[tuple[int, str]]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True)
    return [(int(line.split(None, 1)[0]), line.split(None, 1)[1] if " " in line.strip() else "")
            for line in out.stdout.splitlines() if line.strip()]


@contextmanager
def running_server(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                   timeout: float = 30, files: int | None = None) -> Iterator[Server]:
    """``rnnstep serve ARGS --port FREE`` until the block ends; then SIGTERM, and the server must exit.

    ``files``: the server's limit of open file descriptors (soft and hard), to see it run out."""
    port = free_port()
    command = [sys.executable, "-m", "rnnstep", "serve", *args, "--port", str(port)]

    def limit_files() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=limit_files if files else None)
    banner: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError(f"server exited early: {''.join(banner)}")
            banner.append(line.rstrip("\n"))
            if line.startswith("at most"):
                break
        else:
            raise RuntimeError("server did not start")
        yield Server(process, port, banner)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
            time.sleep(0.1)  # the output reader takes the last lines
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise RuntimeError("the server did not stop within 15 s of Ctrl+C")


RAW_KEPT = 1 << 20


class Tab:
    """One browser tab: a websocket to /ws, a pyte screen, and the JSON messages the page would act on."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse, width: int, height: int) -> None:
        self.websocket = websocket
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.messages: list[list] = []
        self._pending: list[bytes] = []  # drawn when the screen is read: the reader stays quick (pongs in time)
        self.raw = bytearray()  # the last RAW_KEPT bytes received, undecoded (a quick search without pyte)
        self.closed = asyncio.Event()
        self.changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in self.websocket:
                if message.type == aiohttp.WSMsgType.BINARY:
                    self._pending.append(message.data)
                    self.raw += message.data
                    del self.raw[:-RAW_KEPT]
                    self.changed.set()
                elif message.type == aiohttp.WSMsgType.TEXT:
                    self.messages.append(json.loads(message.data))
                    self.changed.set()
        finally:
            self.closed.set()
            self.changed.set()

    @property
    def text(self) -> str:
        if self._pending:
            data, self._pending = b"".join(self._pending), []
            self.stream.feed(data)
        return "\n".join(self.screen.display)

    async def press(self, keys: str) -> None:
        await self.websocket.send_str(json.dumps(["stdin", keys]))

    async def resize(self, width: int, height: int) -> None:
        self.screen.resize(height, width)
        await self.websocket.send_str(json.dumps(["resize", {"width": width, "height": height}]))

    async def wait_for(self, predicate: Callable[[str], bool], timeout: float = 15) -> str:
        """Wait until the screen's text satisfies ``predicate``; the text, or TimeoutError with the screen."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text
            if predicate(text):
                return text
            if self.closed.is_set():
                raise ConnectionError(f"the session closed; last screen:\n{text}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"screen never matched; last screen:\n{text}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass

    async def wait_for_bytes(self, needle: bytes, timeout: float = 15) -> None:
        """Wait until ``needle`` arrives in the raw stream (no terminal emulation: cheap for many tabs at once)."""
        deadline = time.monotonic() + timeout
        while needle not in self.raw:
            if self.closed.is_set():
                raise ConnectionError("the session closed")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{needle!r} never arrived")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass

    async def wait_settled(self, quiet: float = 0.3, timeout: float = 10) -> str:
        """Wait until no bytes arrive for ``quiet`` seconds (the app finished drawing)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), quiet)
            except asyncio.TimeoutError:
                return self.text
        return self.text

    async def close(self) -> None:
        await self.websocket.close()
        await self._reader


async def open_tab(http: aiohttp.ClientSession, server_url: str, width: int = 140, height: int = 45,
                   token: str | None = None) -> Tab:
    query = f"?width={width}&height={height}" + (f"&token={token}" if token else "")
    websocket = await http.ws_connect(server_url.replace("http", "ws", 1) + "/ws" + query,
                                      origin=server_url)  # a browser names the page's origin
    tab = Tab(websocket, width, height)
    await tab.resize(width, height)  # the page sends its size as soon as the socket opens
    return tab


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False
