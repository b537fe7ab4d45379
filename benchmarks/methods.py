"""Benchmark: SPEC §9's methods on long tapes, beside plain BPTT on the same data in the same run.

    python benchmarks/methods.py

`rnnstep trace FILE --format json --no-factors` in a child process (output to a
temporary file), the least CPU time of three runs, for:

- T = 5,000, a target at the last step: plain BPTT, TBPTT(50, 50) and randomized
  truncation (keep = 0.9); goal: each method within 2.5x of plain BPTT.
- T = 1,000, a target at every step: plain BPTT has T²/2 terms (at T = 5,000, 12.5 million
  and 4 GB of JSON), and a TBPTT trace carries full BPTT on the starting weights beside its
  chunks (the comparison the tbptt-detach scenario draws), so it grows with T² as BPTT does;
  its chunks alone hold about T·k2/2 terms.
- `--samples 10000` at T = 100 (a target at every step); goal: seconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from engine import scenario_text  # noqa: E402
from exports import best_of  # noqa: E402

METHODS = {
    "bptt": "",
    "tbptt(50, 50)": 'method = "tbptt"\nk1 = 50\nk2 = 50\n',
    "randomized 0.9": 'method = "randomized"\nkeep = 0.9\nseed = 1\n',
}
JSON = ["--format", "json", "--no-factors"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for T, every in ((5_000, False), (1_000, True)):
            label = "a target at every step" if every else "a target at the last step"
            print(f"T = {T:,} ({label}): trace --format json --no-factors")
            print(f"  {'method':16} {'CPU':>7} {'× bptt':>7} {'wall':>7} {'peak RSS':>10} {'output':>9}")
            base = None
            for name, keys in METHODS.items():
                path = os.path.join(tmp, f"T{T}{every}{name.split()[0]}.toml")
                Path(path).write_text(scenario_text(T, every) + "[train]\n" + keys)
                seconds, cpu, rss, size = best_of(3, path, JSON)
                base = base or cpu
                print(f"  {name:16} {cpu:6.2f}s {cpu / base:6.2f}x {seconds:6.2f}s {rss:7.1f} MiB {size / 1e6:6.1f} MB")
        path = os.path.join(tmp, "samples.toml")
        Path(path).write_text(scenario_text(100, True) + '[train]\nmethod = "randomized"\nkeep = 0.8\n')
        seconds, cpu, rss, _ = best_of(3, path, ["--samples", "10000", "--format", "json"])
        print(f"T = 100 (a target at every step): trace --samples 10000: {cpu:.2f}s CPU, {seconds:.2f}s wall, "
              f"{rss:.1f} MiB")


if __name__ == "__main__":
    main()
