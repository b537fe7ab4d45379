"""The served session's driver: packets written from two threads at once arrive whole (issue 18 item 21)."""

from __future__ import annotations

import os
import threading

import pytest

pytest.importorskip("textual_serve")

from textual_serve._binary_encode import load as binary_load

from rnnstep.serve.webdriver import SerializedWebDriver


def read_packets(fd: int) -> list[tuple[bytes, bytes]]:
    """Read the pipe to its end and split it as textual-serve's AppService does (type, 4-byte size, payload)."""
    data = bytearray()
    while chunk := os.read(fd, 1 << 16):
        data += chunk
    packets, at = [], 0
    while at < len(data):
        kind, size = bytes(data[at:at + 1]), int.from_bytes(data[at + 1:at + 5], "big")
        packets.append((kind, bytes(data[at + 5:at + 5 + size])))
        at += 5 + size
    return packets


async def test_frames_and_download_chunks_from_two_threads_never_interleave(monkeypatch):
    import textual.drivers.web_driver

    monkeypatch.setattr(textual.drivers.web_driver, "InputReader", lambda: None)  # (stdin is not the server's here)
    read_end, write_end = os.pipe()
    driver = SerializedWebDriver(app=None, size=(80, 24))  # type: ignore[arg-type]
    driver.fileno = write_end
    chunk = "∂" * 40_000  # 120 KB of UTF-8, far over the pipe's atomic 4 KiB
    frame = "\x1b[2J" + "x" * 30_000
    rounds = 60

    def chunks() -> None:  # the input thread answers the server's chunk requests
        for i in range(rounds):
            driver.write_binary_encoded(("deliver_chunk", f"key{i}", chunk))

    def frames() -> None:  # the main thread draws
        for _ in range(rounds):
            driver.write(frame)

    reader = threading.Thread(target=lambda: packets.extend(read_packets(read_end)))
    packets: list = []
    reader.start()
    writers = [threading.Thread(target=chunks), threading.Thread(target=frames)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    os.close(write_end)
    reader.join(60)
    os.close(read_end)
    assert sorted(kind for kind, _ in packets) == [b"D"] * rounds + [b"P"] * rounds
    for kind, payload in packets:
        if kind == b"D":
            assert payload.decode() == frame
        else:
            name, key, body = binary_load(payload)
            assert name == "deliver_chunk" and body == chunk
