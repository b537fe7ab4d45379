"""Load test: N browser tabs at once on one `rnnstep serve` (not in the default suite).

    python benchmarks/serve_load.py [--sessions 30] [--width 120 --height 40] [--cold] [--pace 0]

Starts the server on a free 127.0.0.1 port (``--cold``: each tab's Python started afresh, as
before the warm process; by default sessions fork from it, once it has warmed up), opens one tab
alone (the baseline),
then N tabs at once, each speaking the page's websocket protocol and drawing the
screen with pyte. Every tab steps through the notes' scenario from the first step
to the last, one key at a time, timing each key to the screen that shows the next
"step i/". Reports memory per session (RSS and PSS of each app process) and
key-to-screen latency percentiles, alone and under load; then closes every tab
and checks that no session process remains. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from serve_client import alive, open_tab, running_server  # noqa: E402

STEPS = 25  # the notes' four steps: 25 steps from the first forward step to the update


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB, from /proc (PSS shares the common pages fairly)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return (f"p50 {at(0.50) * 1000:6.1f} ms  p90 {at(0.90) * 1000:6.1f} ms  "
            f"p99 {at(0.99) * 1000:6.1f} ms  max {ordered[-1] * 1000:6.1f} ms  (n = {len(ordered)})")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(") ", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


async def step_through(http: aiohttp.ClientSession, url: str, width: int, height: int,
                       started: asyncio.Event | None = None,
                       finished: asyncio.Event | None = None, arrived: list | None = None,
                       pace: float = 0.0, first_keys: asyncio.Barrier | None = None) -> tuple[list[float], float]:
    """One tab: open, first frame, then every step by key. (key-to-screen latencies, first-frame time)."""
    t0 = time.monotonic()
    tab = await open_tab(http, url, width, height)
    # the first frame and the first key are seen in the raw stream: decoding 30 screens with pyte in this one
    # process would time the benchmark's own terminal emulation (a browser decodes on the student's machine)
    await tab.wait_for_bytes(b"step 1/", timeout=120)
    first = time.monotonic() - t0
    if started is not None:
        await started.wait()  # every tab steps at the same time
    latencies = []
    if pace:
        await asyncio.sleep(random.uniform(0, pace))  # students do not press in step
    for i in range(2, STEPS + 1):
        if pace:
            await asyncio.sleep(pace * random.uniform(0.5, 1.5))
        if i == 2:
            tab.raw.clear()
        sent = time.monotonic()
        await tab.press("n")
        if i == 2:
            await tab.wait_for_bytes(b"step 2/", timeout=60)
            latencies.append(time.monotonic() - sent)
            if first_keys is not None:
                await first_keys.wait()  # no tab decodes its screen (pyte, this process's CPU) before all have stepped
            continue
        await tab.wait_for(lambda s, i=i: f"step {i}/" in s, timeout=60)
        latencies.append(time.monotonic() - sent)
    if arrived is not None:
        arrived.append(tab)
    if finished is not None:
        await finished.wait()  # the processes' CPU time is read before any tab closes
    await tab.close()
    return latencies, first


async def wait_warm(warm) -> None:
    """Until the warm process (if any) has imported everything: its CPU time stops growing (at most 120 s)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pid = warm()
        if pid is not None:
            before = cpu_seconds(pid)
            await asyncio.sleep(1.0)
            if cpu_seconds(pid) == before:
                return
        else:
            await asyncio.sleep(0.2)


async def run(url: str, server_pid: int, children, sessions: int, width: int, height: int, pace: float,
              warm=lambda: None) -> list[int]:
    seen: set[int] = set()
    await wait_warm(warm)
    async with aiohttp.ClientSession() as http:
        alone, first_alone = await step_through(http, url, width, height)
        print(f"baseline, 1 tab alone:  first frame {first_alone:5.2f} s;  key to screen {percentiles(alone)}")
        await asyncio.sleep(1)

        started, finished = asyncio.Event(), asyncio.Event()
        arrived: list = []
        first_keys = asyncio.Barrier(sessions)
        tasks = [asyncio.create_task(step_through(http, url, width, height, started, finished, arrived,
                                                  first_keys=first_keys))
                 for _ in range(sessions)]
        deadline = time.monotonic() + 180
        while len(children()) < sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)  # every tab has drawn its first frame (or soon will)
        pids = children()
        seen.update(pids)
        memory = [memory_kib(p) for p in pids]
        cpu_before = ([cpu_seconds(p) for p in pids], cpu_seconds(server_pid), time.process_time())
        t0 = time.monotonic()
        started.set()
        stepping = asyncio.gather(*tasks)
        while len(arrived) < sessions and time.monotonic() - t0 < 600 and not stepping.done():
            await asyncio.sleep(0.05)
        wall = time.monotonic() - t0
        cpu_after = ([cpu_seconds(p) for p in pids], cpu_seconds(server_pid), time.process_time())
        finished.set()
        results = await asyncio.wait_for(stepping, 60)
        if pace:
            wait_until = time.monotonic() + 15
            while children() and time.monotonic() < wait_until:  # the first batch's processes are reaped
                await asyncio.sleep(0.1)
            paced = await asyncio.wait_for(asyncio.gather(
                *(step_through(http, url, width, height, pace=pace) for _ in range(sessions))), 600)
    latencies = [x for lat, _ in results for x in lat]
    firsts = [f for _, f in results]
    print(f"{sessions} tabs at once:    first frame {percentiles(firsts)}")
    print(f"{sessions} tabs at once:    first key after the first frames {percentiles([lat[0] for lat, _ in results])}")
    print(f"{sessions} tabs at once:    key to screen {percentiles(latencies)}  (every tab pressing flat out)")
    apps = sum(cpu_after[0]) - sum(cpu_before[0])
    print(f"CPU while they stepped ({wall:.1f} s wall, 2 cores shared): app processes {apps:.1f} s "
          f"({apps / (sessions * (STEPS - 1)) * 1000:.0f} ms a key), server {cpu_after[1] - cpu_before[1]:.1f} s, "
          f"this client (pyte) {cpu_after[2] - cpu_before[2]:.1f} s")
    if pace:
        print(f"{sessions} tabs, a key every ~{pace:g} s each ({sessions / pace:.1f} keys/s in all): key to screen "
              f"{percentiles([x for lat, _ in paced for x in lat])}")
    rss = [r for r, _ in memory]
    pss = [p for _, p in memory]
    print(f"memory per session ({len(memory)} app processes): RSS median {statistics.median(rss) / 1024:5.1f} MiB, "
          f"PSS median {statistics.median(pss) / 1024:5.1f} MiB, PSS total {sum(pss) / 1024:6.1f} MiB")
    return sorted(seen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=40)
    parser.add_argument("--pace", type=float, default=4.0,
                        help="then a class-like run: each tab presses a key every ~PACE s (0: skip it)")
    parser.add_argument("--cold", action="store_true", help="serve with --cold: no warm process to fork from")
    args = parser.parse_args()
    print(f"{'cold: each tab starts Python afresh' if args.cold else 'warm: each tab forks the warm process'}; "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with running_server("--max-sessions", str(args.sessions + 5), "--per-client", str(args.sessions + 5),
                        *(["--cold"] if args.cold else [])) as server:
        server_rss = memory_kib(server.process.pid)[0]
        pids = asyncio.run(run(server.url, server.process.pid, server.children, args.sessions, args.width, args.height,
                               args.pace, server.warm))
        print(f"server process: RSS {server_rss / 1024:5.1f} MiB before the tabs, "
              f"{memory_kib(server.process.pid)[0] / 1024:5.1f} MiB after")
        t0 = time.monotonic()
        while any(alive(p) for p in pids) and time.monotonic() - t0 < 15:
            time.sleep(0.1)
        left = [p for p in pids if alive(p)]
        print(f"after every tab closed: {len(left)} of {len(pids)} session processes left "
              f"(all gone {time.monotonic() - t0:.1f} s after the last tab's test ended)")
        if server.warm() is not None:
            print(f"warm process: RSS {memory_kib(server.warm())[0] / 1024:5.1f} MiB (shared with every session)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
