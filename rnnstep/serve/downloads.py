"""Files a session hands to its tab (an export, a screenshot, a drill's answers): each delivered whole, exactly once.

A session announces a file (``deliver_file_start``) and the page then fetches ``/download/KEY``;
the server asks the session for the file chunk by chunk. textual-serve's own manager streamed
those chunks straight to whoever asked, which broke in three ways: ``HEAD`` fetched (and used up)
the file; two ``GET``s of one key shared one chunk queue (one truncated body, one broken one,
and a 30 s stall on ``task_done() called too many times``); and a key whose tab had closed
answered 200 with no bytes. Here a key is claimed by the first ``GET`` (the rest get 410),
the whole file is gathered before the response starts (so a tab that dies mid-way gives 410,
never a cut file with 200), ``HEAD`` only looks, and a closed tab's keys answer 410.

``Downloads`` keeps the interface textual-serve's ``AppService`` calls (``create_download``,
``chunk_received``, ``cancel_app_downloads``).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual_serve.app_service import AppService

CHUNK = 64 * 1024  # bytes asked of the session at a time
CHUNK_SECONDS = 30.0  # a busy class server can be slow to answer; longer than this, the session is stuck
LARGEST = 256 * 1024 * 1024  # a file larger than this is refused (410), never half sent
REMEMBERED = 4096  # used-up keys remembered, to answer 410 rather than 404


@dataclass
class Pending:
    service: "AppService"
    key: str
    file_name: str
    open_method: str
    mime_type: str
    encoding: str | None = None
    name: str | None = None
    chunks: asyncio.Queue = field(default_factory=asyncio.Queue)  # bytes; b"" at the end; None when cancelled


class Downloads:
    """Every session's announced files, by key: waiting to be fetched, being fetched, or used up."""

    def __init__(self) -> None:
        self.waiting: dict[str, Pending] = {}
        self.fetching: dict[str, Pending] = {}
        self.spent: OrderedDict[str, None] = OrderedDict()

    # ------------------------------------------------------------------ what textual-serve's AppService calls

    async def create_download(self, *, app_service: "AppService", delivery_key: str, file_name: str,
                              open_method: str, mime_type: str, encoding: str | None = None,
                              name: str | None = None) -> None:
        if delivery_key in self.waiting or delivery_key in self.fetching or delivery_key in self.spent:
            return  # a key is announced once
        self.waiting[delivery_key] = Pending(app_service, delivery_key, file_name, open_method, mime_type,
                                             encoding or None, name)

    async def chunk_received(self, delivery_key: str, chunk: bytes | str) -> None:
        pending = self.fetching.get(delivery_key)
        if pending is None:
            return  # nobody asked for it (any more)
        if isinstance(chunk, str):
            chunk = chunk.encode(pending.encoding or "utf-8")
        pending.chunks.put_nowait(chunk)

    async def cancel_app_downloads(self, app_service_id: str) -> None:
        """A session ends: its waiting files are gone (410), and a fetch under way stops (410)."""
        for key, pending in list(self.waiting.items()):
            if pending.service.app_service_id == app_service_id:
                del self.waiting[key]
                self._spend(key)
        for pending in self.fetching.values():
            if pending.service.app_service_id == app_service_id:
                pending.chunks.put_nowait(None)

    # ------------------------------------------------------------------ what the server's route calls

    def look(self, key: str) -> Pending | int:
        """The file waiting under ``key`` without using it up; else 410 (used up or its tab closed) or 404."""
        if key in self.waiting:
            return self.waiting[key]
        return 410 if key in self.spent or key in self.fetching else 404

    def claim(self, key: str) -> Pending | int:
        """The file under ``key``, now this caller's alone; else 410 or 404 as ``look``."""
        found = self.look(key)
        if isinstance(found, Pending):
            del self.waiting[key]
            self.fetching[key] = found
            self._spend(key)
        return found

    async def fetch(self, pending: Pending) -> bytes | None:
        """The whole file, asked of its session chunk by chunk; None when the session ends or stalls first."""
        parts: list[bytes] = []
        size = 0
        try:
            while True:
                asked = await pending.service.send_meta({"type": "deliver_chunk_request", "key": pending.key,
                                                         "size": CHUNK, "name": pending.name})
                if not asked:
                    return None
                try:
                    chunk = await asyncio.wait_for(pending.chunks.get(), CHUNK_SECONDS)
                except asyncio.TimeoutError:
                    return None
                if chunk is None:
                    return None
                if not chunk:
                    return b"".join(parts)
                size += len(chunk)
                if size > LARGEST:
                    return None
                parts.append(chunk)
        finally:
            self.fetching.pop(pending.key, None)

    def _spend(self, key: str) -> None:
        self.spent[key] = None
        while len(self.spent) > REMEMBERED:
            self.spent.popitem(last=False)
