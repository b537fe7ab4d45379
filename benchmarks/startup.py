"""Benchmark: the whole run of `rnnstep trace` on the default scenario against
`python -c 'import numpy'` (the floor for any numpy program), measured in the same
run, alternating, median of N. Goal (issue 2): trace ≤ 1.6 × import numpy.

    python benchmarks/startup.py [N]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(cmd: list[str], terminal: bool = False) -> float:
    """Seconds for the whole run; with ``terminal`` its output goes to a pty (so Rich styles it)."""
    if not terminal:
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start
    master, slave = os.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=slave, stderr=slave, env={**os.environ, "COLUMNS": "140"})
    os.close(slave)
    while True:
        try:
            if not os.read(master, 65536):
                break
        except OSError:  # EIO: the child closed the pty
            break
    process.wait()
    elapsed = time.perf_counter() - start
    os.close(master)
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    python = sys.executable
    script = [str(Path(python).with_name("rnnstep"))]
    if not Path(script[0]).exists():
        script = [shutil.which("rnnstep") or python, *([] if shutil.which("rnnstep") else ["-m", "rnnstep"])]
    commands = {  # name: (command, output to a terminal?)
        "python -c 'import numpy'": ([python, "-c", "import numpy"], False),
        "rnnstep trace (table, piped)": ([*script, "trace"], False),
        "rnnstep trace (table, terminal)": ([*script, "trace"], True),
        "rnnstep trace --format json": ([*script, "trace", "--format", "json"], False),
    }
    for cmd, terminal in commands.values():  # warm the file cache
        wall(cmd, terminal)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(n):
        for name, (cmd, terminal) in commands.items():
            times[name].append(wall(cmd, terminal))
    base = statistics.median(times["python -c 'import numpy'"])
    print(f"{'command':32} {'median':>9} {'× numpy':>8}   (n = {n})")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32} {median * 1e3:7.1f}ms {median / base:8.2f}")


if __name__ == "__main__":
    main()
