"""Benchmark: the debugger in a real terminal (tmux, 140×45) beside a bare Textual app.

    python benchmarks/tui_latency.py [--presses N]

For each app: time to first frame (from starting the command to the first
screen that shows "Step 1 of", median of 5 starts), and keypress-to-screen latency (from
`tmux send-keys` to the screen showing the next "Step i of"), median of N.
rnnstep runs at T = 4 (the notes) and T = 5,000 (final target), stepping forward
from the start and backward from the end, where a term has 5,002 factors; and on a
vector scenario with a hidden state of n = 8 (m = 4, q = 3, T = 12, a target at every
step), stepping through the terms of ∂L/∂W′ from its breakpoint: each step redraws
the factor matrices with their spectral norms, the outer product, the running-sum
matrix and the t×k triangle.
The screen is read with `tmux capture-pane` every millisecond or so; the same
polling applies to every app, so the ratios are fair. Goals (issue 3): first
frame within 1.5× and a step within 2× of the bare app.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_FRAME = True  # measure the first frame too (a caller timing steps only may turn it off)


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def start_session(session: str, cmd: str) -> None:
    """tmux new-session, retried: right after the last session ends, the exiting server may refuse it."""
    for attempt in range(5):
        if subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "140", "-y", "45", "sh"],
                          capture_output=True).returncode == 0:
            # a busy tmux server sometimes gives a detached session its default 80×24, and an app that
            # starts before the resize never sees it: pin the window's size, then start the command
            tmux("set-option", "-t", session, "window-size", "manual")
            tmux("resize-window", "-t", session, "-x", "140", "-y", "45")
            tmux("send-keys", "-t", session, f"exec {cmd}", "Enter")
            return
        time.sleep(0.2)
    raise RuntimeError(f"tmux would not start {session}")


def wait_for(session: str, marker: str, timeout: float = 30.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        screen = tmux("capture-pane", "-p", "-t", session)
        if marker in screen or marker.replace(" of", "/") in screen:  # "Step 26 of 288" or, narrower, "Step 26/288"
            return time.perf_counter()
        time.sleep(0.001)
    raise TimeoutError(f"{marker!r} never appeared in {session}")


def first_frame(name: str, command: list[str], runs: int = 5) -> float:
    """Median time from starting the command to the first screen showing "Step 1 of"."""
    times = []
    for i in range(runs):
        session = f"bench-{os.getpid()}-{name}-start{i}"
        cmd = " ".join(shlex.quote(c) for c in command)
        start = time.perf_counter()
        start_session(session, cmd)
        try:
            times.append(wait_for(session, "Step 1 of") - start)
        finally:
            tmux("kill-session", "-t", session)
    return statistics.median(times)


def measure(name: str, command: list[str], presses: int, from_end: int | None = None,
            start: tuple[str, int] | None = None) -> tuple[float, float]:
    session = f"bench-{os.getpid()}-{name}"
    cmd = " ".join(shlex.quote(c) for c in command)
    start_session(session, cmd)
    try:
        wait_for(session, "Step 1 of")
        first = first_frame(name, command) if FIRST_FRAME else 0.0
        screen = tmux("capture-pane", "-p", "-t", session)
        total = int(screen.split("Step 1 of ", 1)[1].split()[0]) if "Step 1 of many" not in screen else 10**9
        key, step = "n", 1
        if start is not None:  # a key that jumps (c: to a breakpoint), and the step it lands on
            tmux("send-keys", "-t", session, start[0])
            wait_for(session, f"Step {start[1]} of")
            step = start[1]
        if from_end is not None:
            tmux("send-keys", "-t", session, "End")
            wait_for(session, f"Step {from_end} of")
            key, step = "p", from_end
        latencies = []
        for _ in range(presses):
            if (key == "n" and step == total) or (key == "p" and step == 1):
                key = "p" if key == "n" else "n"  # turn round at either end
            step += 1 if key == "n" else -1
            sent = time.perf_counter()
            tmux("send-keys", "-t", session, key)
            latencies.append(wait_for(session, f"Step {step} of") - sent)
        return first, statistics.median(latencies)
    finally:
        tmux("kill-session", "-t", session)


def long_scenario(T: int) -> str:
    import numpy as np

    x = np.round(np.random.default_rng(1).uniform(-1, 1, T), 3).tolist()
    return f'title = "T = {T}"\n[weights]\nw = 0.5\nw_prime = 0.9\nb = 0.1\n[data]\nx = {x}\ny = 0.2\n'


def vector_scenario(n: int = 8, m: int = 4, q: int = 3, T: int = 12) -> str:
    """A random vector scenario (SPEC §7) with a target at every step and a breakpoint at ∂L/∂W′."""
    import numpy as np

    rng = np.random.default_rng(8)

    def array(a) -> str:
        return "[" + ", ".join(array(r) if np.ndim(r) else repr(round(float(r), 4)) for r in a) + "]"

    W_prime = rng.normal(size=(n, n))
    W_prime *= 0.95 / np.max(np.abs(np.linalg.eigvals(W_prime)))
    y = np.eye(q)[rng.integers(0, q, T)]
    return (f'title = "n = {n}"\n[rnn]\nhidden_size = {n}\n[output]\nactivation = "softmax"\nloss = "cross_entropy"\n'
            f"[weights]\nw = {array(rng.normal(size=(n, m)) * 0.5)}\nw_prime = {array(W_prime)}\n"
            f"b = {array(rng.normal(size=n) * 0.1)}\nw_out = {array(rng.normal(size=(q, n)))}\n"
            f"[data]\nx = {array(rng.normal(size=(T, m)))}\ny = {array(y)}\n"
            f'[train]\nbreakpoints = ["backward.w_prime"]\n')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--only", default="", help="run only the apps whose name contains this (and the bare app)")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        long = Path(tmp) / "long.toml"
        long.write_text(long_scenario(5000))
        steps_long = 5000 + 2 + 3 * 5000 + 2 + 5
        vector = Path(tmp) / "vector.toml"
        vector.write_text(vector_scenario())
        w_prime_start = 12 + 12 + 1 + 1  # forward, outputs, loss; then ∂L/∂W′'s first term
        runs = [
            ("bare Textual app", [python, str(HERE / "bare_app.py")], None),
            ("rnnstep, T = 4", [python, "-m", "rnnstep"], None),
            ("rnnstep, T = 5,000 (forward)", [python, "-m", "rnnstep", str(long)], None),
            ("rnnstep, T = 5,000 (backward, k ≈ 1)", [python, "-m", "rnnstep", str(long)], steps_long - 6),
            ("rnnstep, n = 8 (terms of ∂L/∂W′)", [python, "-m", "rnnstep", str(vector)], "vector"),
        ]
        runs = [r for r in runs if r[0] == "bare Textual app" or args.only in r[0]]
        results = {}
        for name, command, from_end in runs:
            if from_end == "vector":
                results[name] = measure("vector", command, args.presses, start=("c", w_prime_start))
                continue
            results[name] = measure(name.split(",")[0].replace(" ", ""), command, args.presses,
                                    None if from_end is None else steps_long)
        base_first, base_step = results["bare Textual app"]
        print(f"{'app':40} {'first frame':>12} {'× bare':>7} {'step':>9} {'× bare':>7}   (median of {args.presses} presses)")
        for name, (first, step) in results.items():
            print(f"{name:40} {first * 1e3:10.0f}ms {first / base_first:7.2f} {step * 1e3:7.1f}ms {step / base_step:7.2f}")


if __name__ == "__main__":
    main()
