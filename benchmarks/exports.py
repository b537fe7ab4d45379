"""Benchmark: every trace format on long tapes, beside `--format json --no-factors` on the same tape.

    python benchmarks/exports.py [T ...]

For T = 1,000 and 5,000 (a target at the last step) and T = 400 (a target at
every step, 241,400 terms), runs `rnnstep trace FILE --format F` in a child
process with its output to /dev/null and prints the wall time and peak RSS of
each format beside JSON --no-factors, and the ratio (goal: table, markdown and
LaTeX within 2.5x of JSON --no-factors; memory that does not grow with T²).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from engine import scenario_text  # noqa: E402

RUN = ("import resource, sys, rnnstep.cli as c; rc = c.main(sys.argv[1:]); "
       "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)")
REPEAT = 3  # each figure is the best of three runs
FORMATS = {
    "json --no-factors": ["--format", "json", "--no-factors"],
    "table": ["--format", "table"],
    "markdown": ["--format", "markdown"],
    "latex": ["--format", "latex"],
}


def run(path: str, flags: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MiB, bytes written) of one trace.

    CPU time (user + system of the child) is the figure to compare: on a shared
    machine the wall time also counts the time other processes held the cores."""
    with tempfile.TemporaryFile() as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", RUN, "trace", path, *flags], stdout=out,
                                stderr=subprocess.PIPE, text=True, check=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        size = out.tell()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, int(result.stderr.strip().splitlines()[-1]) / 1024, size


def best_of(n: int, path: str, flags: list[str]) -> tuple[float, float, float, int]:
    """The run with the least CPU time of ``n``."""
    return min((run(path, flags) for _ in range(n)), key=lambda r: r[1])


def main() -> None:
    cases = [(1_000, False), (5_000, False), (400, True)]
    if len(sys.argv) > 1:
        cases = [(int(T), False) for T in sys.argv[1:]]
    with tempfile.TemporaryDirectory() as tmp:
        for T, every in cases:
            path = os.path.join(tmp, f"T{T}.toml")
            Path(path).write_text(scenario_text(T, every))
            label = "a target at every step" if every else "a target at the last step"
            print(f"T = {T:,} ({label})")
            print(f"  {'format':18} {'CPU':>7} {'× json':>7} {'wall':>7} {'peak RSS':>10} {'× json':>7} {'output':>9}")
            base_cpu = base_rss = None
            for name, flags in FORMATS.items():
                seconds, cpu, rss, size = best_of(REPEAT, path, flags)
                if base_cpu is None:
                    base_cpu, base_rss = cpu, rss
                print(f"  {name:18} {cpu:6.2f}s {cpu / base_cpu:6.2f}x {seconds:6.2f}s {rss:7.1f} MiB "
                      f"{rss / base_rss:6.2f}x {size / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
