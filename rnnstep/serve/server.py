"""``rnnstep serve``: the debugger in a browser tab, one process per tab, safe to open to a class.

Built on textual-serve's pieces — its page script (xterm.js) and its ``AppService``
(one app process per websocket, Textual's web driver on stdin/stdout) — with the
routes and the downloads (``downloads``) our own, because plain textual-serve lets
anyone who reaches the port start a process and never reaps a stuck one:

* every route answers only requests that name this server (``Host``) from its own page (``Origin``);
* a token guards every route off loopback (see ``access``);
* at most ``max_sessions`` processes; past that the page says the class is full; one client
  address, one message, one tab's keys and one slow request are limited too (see ``limits``);
* each tab's process is forked from a warm one that imported everything once (see ``warm``);
* a session with no key or resize for ``idle_seconds`` is ended;
* a closed tab's process is asked to quit, and killed (its whole process group)
  if it has not gone after ``grace`` seconds;
* the page loads nothing from outside this server and names the scenario, never a path.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from types import SimpleNamespace
from typing import Callable

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService

from . import access, limits
from .addresses import interface_addresses, own_names, shareable
from .catalog import Served, catalog_lines
from .downloads import Downloads
from .pool import WarmPool
from .relay import cells, read_frame
from .session import ENV_MODE, ENV_SCENARIOS

STATIC = Path(resources.files("textual_serve")) / "static"  # type: ignore[arg-type]
_PAGE = Template(resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8"))
_NOTICE = Template(resources.files(__package__).joinpath("notice.html").read_text(encoding="utf-8"))


async def _no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)  # browsers ask for one; nothing to show, and no 404 in their console


class Session(AppService):
    """One tab's app process, in its own process group so that it can be killed whole."""

    def __init__(self, scenario_paths: list[str], websocket: web.WebSocketResponse,
                 download_manager: Downloads, mode: str = "debug", pool: WarmPool | None = None) -> None:
        super().__init__("rnnstep-session", write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                         close=websocket.close, download_manager=download_manager)  # type: ignore[arg-type]
        self.scenario_paths = scenario_paths
        self.mode = mode
        self.pool = pool
        self.websocket = websocket
        self.last_active = time.monotonic()
        self.keys = limits.KeyBudget()
        self.client = ""  # the address it was opened from
        self.ending = False
        self.stopping: asyncio.Task | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def _open_app_process(self, width: int = 80, height: int = 24):
        if self.pool is not None:  # forked from the warm process: no Python to start, nothing to import
            process = await self.pool.spawn({"COLUMNS": str(width), "ROWS": str(height)})
            if process is not None:
                self._process, self._stdin = process, process.stdin  # type: ignore[assignment]
                return process
        environment = self._build_environment(width=width, height=height)
        environment.update(session_environment(self.scenario_paths, self.mode))
        self._process = process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "rnnstep.serve.session",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=environment, start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the app's output until it ends; then close the tab's socket, also after a crash (no "exit" sent)."""
        try:
            await super().run()
        finally:
            if not self.websocket.closed:
                await self.websocket.close()

    async def stop(self, grace: float = 3.0) -> None:  # type: ignore[override]
        """Ask the app to quit; kill its process group if it is still there after ``grace`` seconds."""
        process, task = self._process, self._task
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)  # its files: 410
        if process is None:
            return
        if task is not None and not task.done():
            await self.send_meta({"type": "quit"})
        try:
            await asyncio.wait_for(process.wait(), grace)
        except asyncio.TimeoutError:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    await asyncio.wait_for(process.wait(), 1.0)
                    break
                except asyncio.TimeoutError:
                    continue
        if task is not None:
            self._task = None
            try:
                await asyncio.wait_for(task, grace)  # stdout closes with the process
            except asyncio.TimeoutError:
                task.cancel()


def session_environment(paths: list[str], mode: str) -> dict[str, str]:
    """What a session process needs beyond textual-serve's environment (the warm process gets it too)."""
    return {ENV_SCENARIOS: json.dumps(paths), ENV_MODE: mode,
            "TEXTUAL_DRIVER": "rnnstep.serve.webdriver:SerializedWebDriver",  # whole packets (see there)
            # numpy's BLAS would start threads; a process that forks must have none
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class ClassServer:
    """The aiohttp application serving ``served`` scenarios to a class."""

    served: list[Served]
    host: str = "127.0.0.1"
    token: str | None = None
    max_sessions: int = 40
    per_client: int = limits.PER_CLIENT
    warm: bool = True  # fork sessions from a warm process (see ``warm``); False: start each one's Python afresh
    pool: WarmPool | None = None
    idle_seconds: float = 30 * 60
    grace: float = 3.0
    port: int = 8000
    drill: bool = False
    sessions: dict[str, Session] = field(default_factory=dict)
    downloads: Downloads = field(default_factory=Downloads)
    _reaper: asyncio.Task | None = None
    _warming: asyncio.Task | None = None
    names: set[str] = field(default_factory=set)  # what Host may name: set from ``host`` (see addresses)
    _logged: dict[str, tuple[float, int]] = field(default_factory=dict)  # kind: (when last said, how many since)

    def __post_init__(self) -> None:
        if not self.names:
            self.names = own_names(self.host)

    def _refused(self, kind: str, line: str) -> None:
        """Log a kind of refusal once a minute at most, with how many came since (a flood must not flood the log)."""
        now = time.monotonic()
        said, count = self._logged.get(kind, (-1e9, 0))
        if now - said < 60:
            self._logged[kind] = (said, count + 1)
            return
        more = f" (and {count} more like it in the last minute)" if count else ""
        print(f"rnnstep serve: {line}{more}; said at most once a minute", file=sys.stderr, flush=True)
        self._logged[kind] = (now, 0)

    def _out_of_sockets(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        """asyncio logs a traceback for every failed accept(); say it once a minute instead."""
        if str(context.get("message", "")).startswith("socket.accept() out of system resource"):
            self._refused("accept", "cannot accept connections: out of file descriptors "
                                    f"(limit {limits.raise_open_files()[0]}); refusing new ones until some close")
        else:
            loop.default_exception_handler(context)

    @property
    def served_paths(self) -> list[str]:
        return [str(s.path) for s in self.served]

    @property
    def mode(self) -> str:
        return "drill" if self.drill else "debug"

    @property
    def title(self) -> str:
        return f"rnnstep{' drill' if self.drill else ''}: {self.served[0].scenario.name}"

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.add_routes([
            web.get("/", self.handle_index),
            web.get("/ws", self.handle_websocket),
            web.get("/download/{key}", self.handle_download),
            web.static("/static", STATIC, show_index=False),
            web.get("/favicon.ico", _no_icon),
        ])
        app.on_startup.append(self._start_reaper)
        app.on_shutdown.append(self._end_all)
        app.on_cleanup.append(self._stop_reaper)
        return app

    # ------------------------------------------------------------------------- who may connect

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if (reason := access.foreign(request.headers.get("Host"), request.headers.get("Origin"), self.names,
                                     self.port, request.scheme)) is not None:
            self._refused("foreign", f"refused a request: {reason} (another site's page, or a rebound DNS name)")
            return self._notice(403, "This address is not this server's", "Open the link your teacher shared.")
        cookie = access.cookie_name(self.port)
        offered = request.query.get("token") or request.cookies.get(cookie)
        status = access.verdict(self.token, offered)
        if status is not None:
            heading = "This class needs its link" if status == 401 else "This link's token is not right"
            return self._notice(status, heading, "Ask your teacher for the address with ?token=… in it.")
        response = await handler(request)
        if self.token is not None and request.query.get("token") and not response.prepared:
            response.set_cookie(cookie, self.token, httponly=True, samesite="Strict")
        return response

    def _notice(self, status: int, heading: str, detail: str) -> web.Response:
        text = _NOTICE.substitute(title=html.escape(f"{self.title} · {heading}"),
                                  heading=html.escape(heading), detail=html.escape(detail))
        return web.Response(status=status, text=text, content_type="text/html")

    def _full(self) -> web.Response:
        return self._notice(503, "This class is full",
                            f"All {self.max_sessions} places are taken. Try again in a minute, "
                            "when someone closes their tab.")

    # ------------------------------------------------------------------------- routes

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if len(self.sessions) >= self.max_sessions:
            return self._full()
        scheme = "wss" if request.secure else "ws"
        text = _PAGE.substitute(
            title=html.escape(self.title), name=html.escape(self.served[0].scenario.name),
            websocket_url=html.escape(f"{scheme}://{request.host}/ws"),  # the address the student used
            font_size=cells(request.query.get("fontsize", "16"), 16),
        )
        return web.Response(text=text, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if len(self.sessions) >= self.max_sessions:
            return self._full()
        client = request.remote or ""
        if sum(s.client == client for s in self.sessions.values()) >= self.per_client:
            self._refused("per-client", f"refused a session: {self.per_client} are open from one address already")
            return self._notice(429, "Too many tabs from this machine",
                                f"At most {self.per_client} at once. Close one, then start again.")
        left = limits.files_left()
        if left is not None and left < limits.FD_RESERVE:
            self._refused("files", f"refused a session: only {left} file descriptors left")
            return self._notice(503, "The server is busy", "Try again in a minute.")
        # a vanished browser is noticed within ~30 s; a message far larger than the page ever sends closes the socket
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=limits.SOCKET_BYTES)
        session = Session(self.served_paths, websocket, self.downloads, self.mode, self.pool)
        session.client = client
        self.sessions[session.app_service_id] = session  # counted before the first await: the cap holds
        try:
            await websocket.prepare(request)
            await session.start(cells(request.query.get("width"), 80), cells(request.query.get("height"), 24))
            await self._relay(websocket, session)
        finally:
            try:
                await session.stop(self.grace)
            finally:
                del self.sessions[session.app_service_id]
                if websocket.prepared and not websocket.closed:
                    await websocket.close()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, session: Session) -> None:
        """The page's frames to the app (see ``relay``); junk is ignored and the session goes on."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            if len(message.data) > limits.MESSAGE_BYTES:
                self._refused("size", f"ignored a websocket message over {limits.MESSAGE_BYTES // 1024} KiB")
                continue
            if (frame := read_frame(message.data)) is None:
                continue
            if frame.kind == "stdin":
                if not session.keys.take(frame.keys):
                    self._refused("keys", "dropped keys from a tab sending faster than "
                                          f"{limits.KEYS_PER_SECOND:g} a second")
                    continue
                session.last_active = time.monotonic()
                if not await session.send_bytes(frame.keys):
                    break
            elif frame.kind == "resize":
                session.last_active = time.monotonic()
                await session.set_terminal_size(frame.width, frame.height)
            elif frame.kind == "ping":
                await websocket.send_json(["pong", frame.echo])
            elif frame.kind == "focus":
                await session.focus()
            elif frame.kind == "blur":
                await session.blur()

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """A file a session delivered (export, screenshot): whole, to the first GET only (see ``downloads``)."""
        key = request.match_info["key"]
        found = self.downloads.look(key) if request.method == "HEAD" else self.downloads.claim(key)
        if isinstance(found, int):
            return self._gone(found)
        headers = {"Content-Disposition": self._disposition(found.open_method, found.file_name)}
        if request.method == "HEAD":  # only looks: the file stays for the GET
            return web.Response(content_type=found.mime_type or "application/octet-stream", charset=found.encoding,
                                headers=headers)
        body = await self.downloads.fetch(found)
        if body is None:
            return self._gone(410)
        return web.Response(body=body, content_type=found.mime_type or "application/octet-stream",
                            charset=found.encoding, headers=headers)

    @staticmethod
    def _disposition(open_method: str, file_name: str) -> str:
        safe_name = "".join(c for c in file_name if c.isalnum() or c in "._-") or "download"
        return f'{"inline" if open_method == "browser" else "attachment"}; filename="{safe_name}"'

    @staticmethod
    def _gone(status: int) -> web.Response:
        text = ("no such download" if status == 404 else
                "this download was already fetched, or its tab closed first: each link works once")
        return web.Response(status=status, text=text)

    # ------------------------------------------------------------------------- ending sessions

    async def _start_reaper(self, app: web.Application) -> None:
        asyncio.get_running_loop().set_exception_handler(self._out_of_sockets)
        self._reaper = asyncio.create_task(self._reap_idle())
        if self.warm and sys.platform.startswith("linux"):  # (pidfds, SOCK_SEQPACKET) warms while tabs start cold
            environment = AppService._build_environment(SimpleNamespace(debug=False))  # type: ignore[arg-type]
            for size in ("COLUMNS", "ROWS"):  # each session's own
                environment.pop(size, None)
            self.pool = WarmPool(dict(environment, **session_environment(self.served_paths, self.mode)))
            self._warming = asyncio.create_task(self.pool.start())

    async def _stop_reaper(self, app: web.Application) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
        if self.pool is not None:
            await self.pool.stop()

    async def _reap_idle(self) -> None:
        period = max(0.2, min(15.0, self.idle_seconds / 4))
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for session in list(self.sessions.values()):
                if not session.ending and now - session.last_active > self.idle_seconds:
                    session.ending = True
                    # ending the app closes the websocket; handle_websocket then reaps the process
                    session.stopping = asyncio.create_task(session.stop(self.grace))  # kept: a task needs a reference

    async def _end_all(self, app: web.Application) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
        await asyncio.gather(*(s.stop(self.grace) for s in list(self.sessions.values())), return_exceptions=True)
        await asyncio.gather(*(s.websocket.close() for s in list(self.sessions.values())), return_exceptions=True)


def share_urls(host: str, port: int, token: str | None, addresses: list[str] | None = None) -> list[str]:
    """The links to share: the address listened on, or on every interface one per address other machines can use.

    Not the machine's host name: students' machines may not resolve it. ``addresses``: this machine's
    (default: read from its interfaces); with none usable, the host name is all there is to give."""
    hosts = [host]
    if host in ("0.0.0.0", "::", ""):
        usable = shareable(interface_addresses() if addresses is None else addresses)
        if host == "0.0.0.0":
            usable = [a for a in usable if ":" not in a]  # an IPv4 socket: IPv4 addresses only
        hosts = usable or [socket.gethostname()]
    query = f"?token={token}" if token else ""
    return [f"http://{f'[{h}]' if ':' in h else h}:{port}/{query}" for h in hosts]


def serve(served: list[Served], host: str, port: int, token: str | None, max_sessions: int,
          idle_minutes: float, drill: bool = False, announce: Callable[[str], None] = print,
          per_client: int = limits.PER_CLIENT, warm: bool = True) -> None:
    """Run until Ctrl+C (or SIGTERM); every session's process is ended on the way out."""
    limits.raise_open_files()  # each tab costs a socket and three pipes: keep room for a class
    server = ClassServer(served, host=host, token=token, max_sessions=max_sessions, per_client=per_client,
                         idle_seconds=idle_minutes * 60, port=port, drill=drill, warm=warm)
    lines = [f"rnnstep serve{' --drill' if drill else ''}: {len(served)} scenario{'s' if len(served) != 1 else ''}",
             *catalog_lines(served),  # by name, the hidden-vector ones apart, a few lines at most
             *(f"open (and share): {url}" for url in share_urls(host, port, token)),
             f"at most {max_sessions} sessions, {per_client} per client address; "
             f"a session idle for {idle_minutes:g} minutes ends; Ctrl+C stops"]
    if token is None:
        lines.append("no token: only this machine can connect (use --host to open it to a network)")

    def listening(_: str) -> None:  # aiohttp calls this once the socket listens
        for line in lines:
            announce(line)
        sys.stdout.flush()

    web.run_app(server.make_app(), host=host, port=port, print=listening, access_log=None,
                shutdown_timeout=server.grace + 2,
                keepalive_timeout=limits.HEADER_SECONDS)  # also closes a connection whose headers never arrive
