"""Benchmark: building tapes for long sequences, and the engine beside PyTorch.

    python benchmarks/engine.py

1. build_tape at T = 100,000 (final target) and T = 400 (a target at every step):
   time (median of 5) and peak memory (tracemalloc, which sees numpy's buffers).
2. The whole `rnnstep trace FILE --format json --no-factors` for the same two
   scenarios, in a child process: wall time and peak RSS (goal: seconds, < 1.5 GB).
3. If PyTorch is installed (it is not a dependency), build_tape plus all five
   totals at T = 20,000 (tanh, final target) beside torch.nn.RNN forward +
   backward in float64 on the same scenario, with the gradients compared.
   Goal: at least 4x faster than torch.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

import rnnstep


def scenario_text(T: int, every_step: bool, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(-1, 1, T), 3).tolist()
    y = np.round(rng.uniform(-0.5, 0.5, T), 3).tolist() if every_step else 0.2
    return (f'title = "benchmark T={T}"\n[weights]\nw = 0.5\nw_prime = 0.9\nb = 0.1\nw_out = 1.2\nb_out = -0.1\n'
            f"[data]\nx = {x}\ny = {y}\n")


def median_time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def totals(tape) -> dict[str, float]:
    return {p: tape.gradients[p].total for p in ("w_prime", "w", "b", "w_out", "b_out")}


def bench_build() -> None:
    print("build_tape")
    for T, every in ((100_000, False), (400, True)):
        scenario = rnnstep.load_scenario(scenario_text(T, every))
        seconds = median_time(lambda: rnnstep.build_tape(scenario))
        tracemalloc.start()
        tape = rnnstep.build_tape(scenario)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        terms = sum(len(t) for t in tape.gradients.values())
        label = "final target" if not every else "target at every step"
        print(f"  T = {T:>7,} ({label:20}) {seconds * 1e3:8.1f} ms  peak {peak / 2**20:7.1f} MiB  "
              f"{len(tape.steps):>9,} steps, {terms:>9,} terms")


def bench_trace_cli() -> None:
    print("rnnstep trace FILE --format json --no-factors (child process, output to /dev/null)")
    with tempfile.TemporaryDirectory() as tmp:
        for T, every in ((100_000, False), (400, True)):
            path = os.path.join(tmp, f"T{T}.toml")
            with open(path, "w") as f:
                f.write(scenario_text(T, every))
            code = ("import resource, sys, rnnstep.cli as c; rc = c.main(sys.argv[1:]); "
                    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)")
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-c", code, "trace", path, "--format", "json", "--no-factors"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
            seconds = time.perf_counter() - start
            rss = int(result.stderr.strip().splitlines()[-1]) / 1024
            print(f"  T = {T:>7,} {'(every step)' if every else '(final)':13} {seconds:6.2f} s   peak RSS {rss:7.1f} MiB")


def bench_torch() -> None:
    try:
        import torch
    except ImportError:
        print("torch comparison: skipped (PyTorch is not installed; `pip install torch==2.13.0` adds the CPU build)")
        return
    T = 20_000
    scenario = rnnstep.load_scenario(scenario_text(T, False))
    s = scenario

    def ours():
        return totals(rnnstep.build_tape(scenario))

    rnn = torch.nn.RNN(1, 1, nonlinearity="tanh", batch_first=True).double()
    head = torch.nn.Linear(1, 1).double()
    with torch.no_grad():
        rnn.weight_ih_l0.fill_(s.w)
        rnn.weight_hh_l0.fill_(s.w_prime)
        rnn.bias_ih_l0.fill_(s.b)
        rnn.bias_hh_l0.fill_(0.0)
        head.weight.fill_(s.w_out)
        head.bias.fill_(s.b_out)
    x = torch.tensor(s.x, dtype=torch.float64).reshape(1, T, 1)
    h0 = torch.full((1, 1, 1), s.h0, dtype=torch.float64)

    def theirs():
        for p in (*rnn.parameters(), *head.parameters()):
            p.grad = None
        out, _ = rnn(x, h0)
        yhat = head(out[0, -1])
        loss = 0.5 * (yhat - s.y) ** 2
        loss.sum().backward()
        return {"w_prime": rnn.weight_hh_l0.grad.item(), "w": rnn.weight_ih_l0.grad.item(),
                "b": rnn.bias_ih_l0.grad.item(), "w_out": head.weight.grad.item(), "b_out": head.bias.grad.item()}

    a, b = ours(), theirs()
    worst = max(abs(a[p] - b[p]) / max(1e-300, abs(b[p])) for p in a)
    t_ours, t_torch = median_time(ours, 7), median_time(theirs, 7)
    print(f"T = {T:,}, tanh, final target (torch {torch.__version__}, float64, {torch.get_num_threads()} threads)")
    print(f"  rnnstep build_tape + 5 totals {t_ours * 1e3:8.1f} ms")
    print(f"  torch.nn.RNN forward+backward {t_torch * 1e3:8.1f} ms")
    print(f"  speed-up {t_torch / t_ours:5.1f}x (goal ≥ 4x); largest relative gradient difference {worst:.1e}")


if __name__ == "__main__":
    bench_build()
    bench_trace_cli()
    bench_torch()
