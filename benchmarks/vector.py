"""Benchmark: the engine with a hidden vector (SPEC §7), beside PyTorch.

    python benchmarks/vector.py

1. n = 32, m = 8, T = 2,000, tanh, final target: build_tape plus all five totals
   beside torch.nn.RNN forward + backward in float64 on the same scenario (built
   with rnnstep.from_torch), with the gradients compared. Goal: at least 2x faster.
   Peak memory of build_tape (tracemalloc, which sees numpy's buffers) is printed too.
2. n = 16, m = 4, q = 4, T = 300 with a target at every step (45,150 terms per
   recurrent weight): the whole `rnnstep trace FILE --format json --no-factors`
   in a child process, output to a file: wall time, peak RSS and output size.
   Goal: seconds, well under 1.5 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

import rnnstep
from engine import median_time  # the timing helper of benchmarks/engine.py (run as a script, so it is on the path)

PARAMS = ("w_prime", "w", "b", "w_out", "b_out")


def bench_torch() -> None:
    try:
        import torch
    except ImportError:
        print("torch comparison: skipped (PyTorch is not installed; `pip install torch==2.13.0` adds the CPU build)")
        return
    from rnnstep.from_torch import scenario_from_torch

    n, m, T = 32, 8, 2000
    torch.manual_seed(0)
    rnn = torch.nn.RNN(m, n, nonlinearity="tanh").double()
    head = torch.nn.Linear(n, 1).double()
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(0.9)
    x = torch.randn(T, m, dtype=torch.float64) * 0.5
    y = torch.tensor([0.2], dtype=torch.float64)
    scenario = scenario_from_torch(rnn, x, y, head)

    def ours():
        tape = rnnstep.build_tape(scenario)
        return {p: tape.gradients[p].total for p in PARAMS}

    def theirs():
        for p in (*rnn.parameters(), *head.parameters()):
            p.grad = None
        out, _ = rnn(x.unsqueeze(1))
        loss = 0.5 * ((head(out[-1, 0]) - y) ** 2).sum()
        loss.backward()
        return {"w_prime": rnn.weight_hh_l0.grad.numpy(), "w": rnn.weight_ih_l0.grad.numpy(),
                "b": rnn.bias_ih_l0.grad.numpy(), "w_out": head.weight.grad.numpy(), "b_out": head.bias.grad.numpy()}

    a, b = ours(), theirs()
    worst = max(float(np.max(np.abs(a[p] - b[p]))) / max(1e-300, float(np.max(np.abs(b[p])))) for p in PARAMS)
    t_ours, t_torch = median_time(ours, 7), median_time(theirs, 7)
    tracemalloc.start()
    ours()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"n = {n}, m = {m}, T = {T:,}, tanh, final target (torch {torch.__version__}, float64, "
          f"{torch.get_num_threads()} threads)")
    print(f"  rnnstep build_tape + 5 totals {t_ours * 1e3:8.1f} ms   peak {peak / 2**20:6.1f} MiB")
    print(f"  torch.nn.RNN forward+backward {t_torch * 1e3:8.1f} ms")
    print(f"  speed-up {t_torch / t_ours:5.1f}x (goal ≥ 2x); largest relative gradient difference {worst:.1e}")


def every_step_text(n: int = 16, m: int = 4, q: int = 4, T: int = 300, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    r = lambda *shape, s=0.3: np.round(rng.normal(size=shape) * s, 4).tolist()  # noqa: E731
    return (f'title = "benchmark n={n} T={T} every step"\n[output]\nactivation = "softmax"\nloss = "cross_entropy"\n'
            f"[weights]\nw = {r(n, m)}\nw_prime = {r(n, n, s=0.2)}\nb = {r(n)}\nw_out = {r(q, n)}\nb_out = {r(q)}\n"
            f"[data]\nx = {r(T, m, s=1.0)}\ny = {np.eye(q)[rng.integers(0, q, T)].tolist()}\n")


def bench_trace_cli() -> None:
    print("rnnstep trace FILE --format json --no-factors (child process, output to a file)")
    with tempfile.TemporaryDirectory() as tmp:
        path, out = os.path.join(tmp, "every.toml"), os.path.join(tmp, "out.json")
        with open(path, "w") as f:
            f.write(every_step_text())
        code = ("import resource, sys, rnnstep.cli as c; rc = c.main(sys.argv[1:]); "
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)")
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", code, "trace", path, "--format", "json", "--no-factors",
                                 "-o", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
        seconds = time.perf_counter() - start
        rss = int(result.stderr.strip().splitlines()[-1]) / 1024
        size = os.path.getsize(out) / 2**20
        print(f"  n = 16, m = 4, q = 4, T = 300, every step: {seconds:6.2f} s   peak RSS {rss:7.1f} MiB   "
              f"output {size:7.1f} MiB (goal: seconds, < 1.5 GB)")
        floor, floats, stdlib = _baselines(path)
        print(f"  baselines, same scenario: build_tape + every term and running sum as numbers only {floor:6.2f} s; "
              f"the same {floats / 1e6:.0f} M floats as text with repr (the standard library's way) ~{stdlib:5.1f} s")


def _baselines(path: str) -> tuple[float, int, float]:
    """(seconds to build the tape and multiply out every term and running sum, floats written,
    estimated seconds for repr to write them: measured on 200,000 of them)."""
    scenario = rnnstep.load_scenario(path)
    start = time.perf_counter()
    tape = rnnstep.build_tape(scenario)
    floats = 0
    for param in PARAMS:
        table = tape.gradients[param]
        for _, terms, running in table.blocks():
            floats += terms.size + running.size
        floats += len(table) * (table.shape[0] + (table.shape[1] if len(table.shape) > 1 else 0))  # δ and input
    floor = time.perf_counter() - start
    sample = np.random.default_rng(0).normal(size=200_000) * 10.0 ** np.random.default_rng(1).uniform(-8, 2, 200_000)
    per_float = median_time(lambda: repr(sample.tolist()), 3) / sample.size
    return floor, floats, per_float * floats


if __name__ == "__main__":
    bench_torch()
    bench_trace_cli()
