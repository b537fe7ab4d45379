"""Textual's web driver with its pipe writes serialized: what a served session runs (``TEXTUAL_DRIVER``).

Textual 8's ``WebDriver`` writes every packet to stdout with a bare ``os.write``: frames from the
app's main thread, and download chunks (``deliver_chunk``, answering the server's requests) from
its input thread, with no lock between them. A pipe write over ``PIPE_BUF`` (4 KiB) is not atomic,
so a 64 KiB chunk and a frame written at once interleave; the server then reads a broken packet
(``textual_serve._binary_encode.DecodeError: More data expected``) and the tab shows "Session
ended" in the middle of a download (issue 18 item 21). Here every packet is written whole, one at
a time, under one lock — and a short write (a signal mid-way) is finished, not dropped.
"""

from __future__ import annotations

import os
import threading

from textual.drivers.web_driver import WebDriver


class SerializedWebDriver(WebDriver):
    """``WebDriver`` whose packets never interleave on the pipe, whichever thread writes them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock = threading.Lock()
        self._write = self._write_packet  # every write (data, meta, packed chunks) goes through ``_write``

    def _write_packet(self, packet: bytes) -> None:
        view = memoryview(packet)
        with self._write_lock:
            while view:
                view = view[os.write(self.fileno, view):]
