"""Benchmark: gated cells (SPEC §8), the LSTM and the GRU, beside PyTorch.

    python benchmarks/gated.py

n = 32, m = 8, T = 2,000, final target: rnnstep's build_tape plus every total (six
parameters: W′, W, b, b′, W_out, b_out) beside torch.nn.LSTM / nn.GRU forward + backward
in float32 and float64, all in the same run on the same scenario (built with
rnnstep.from_torch). The gradients are compared with torch's float64 ones. Goal (issue 16):
no slower than torch's faster dtype, with gradients equal to torch float64's. Peak memory
of build_tape (tracemalloc, which sees numpy's buffers) is printed too.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc

import numpy as np

import rnnstep
from engine import median_time  # the timing helper of benchmarks/engine.py (run as a script, so it is on the path)

PARAMS = ("w_prime", "w", "b", "b_prime", "w_out", "b_out")


def cpu_time(fn, repeat: int = 5) -> float:
    """The median processor time of fn (all threads): on a shared machine, wall time mostly measures the others."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bench(kind: str, torch) -> None:
    from rnnstep.from_torch import scenario_from_torch

    n, m, T = 32, 8, 2000
    torch.manual_seed(0)
    module = getattr(torch.nn, kind)(m, n).double()
    head = torch.nn.Linear(n, 1).double()
    x = torch.randn(T, m, dtype=torch.float64) * 0.5
    y = torch.tensor([0.2], dtype=torch.float64)
    scenario = scenario_from_torch(module, x, y, head)

    def ours():
        tape = rnnstep.build_tape(scenario)
        return {p: tape.gradients[p].total for p in PARAMS}

    def runner(dtype):
        mod, hd = module.to(dtype), head.to(dtype)
        xs, ys = x.to(dtype), y.to(dtype)

        def theirs():
            for p in (*mod.parameters(), *hd.parameters()):
                p.grad = None
            out, _ = mod(xs)
            loss = 0.5 * ((hd(out[-1]) - ys) ** 2).sum()
            loss.backward()
            return {"w_prime": mod.weight_hh_l0.grad, "w": mod.weight_ih_l0.grad, "b": mod.bias_ih_l0.grad,
                    "b_prime": mod.bias_hh_l0.grad, "w_out": hd.weight.grad, "b_out": hd.bias.grad}
        return theirs

    t32, c32 = median_time(runner(torch.float32), 5), cpu_time(runner(torch.float32), 5)
    theirs64 = runner(torch.float64)
    t64, c64 = median_time(theirs64, 5), cpu_time(theirs64, 3)
    reference = {p: g.numpy().copy() for p, g in theirs64().items()}
    mine = ours()
    worst = max(float(np.max(np.abs(mine[p].reshape(reference[p].shape) - reference[p])))
                / max(1e-300, float(np.max(np.abs(reference[p])))) for p in PARAMS)
    t_ours, c_ours = median_time(ours, 5), cpu_time(ours, 5)
    tracemalloc.start()
    ours()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{kind}: n = {n}, m = {m}, T = {T:,}, final target (torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads)")
    print(f"  rnnstep build_tape + 6 totals   {t_ours * 1e3:8.1f} ms wall {c_ours * 1e3:8.1f} ms cpu   "
          f"peak {peak / 2**20:6.1f} MiB")
    print(f"  torch forward+backward float32  {t32 * 1e3:8.1f} ms wall {c32 * 1e3:8.1f} ms cpu")
    print(f"  torch forward+backward float64  {t64 * 1e3:8.1f} ms wall {c64 * 1e3:8.1f} ms cpu")
    fastest = min(t32, t64)
    print(f"  rnnstep / torch's faster dtype  {t_ours / fastest:5.2f}x wall, {c_ours / min(c32, c64):5.2f}x cpu "
          f"(goal ≤ 1); "
          f"largest relative gradient difference from torch float64 {worst:.1e}")


def main() -> int:
    try:
        import torch
    except ImportError:
        print("skipped: PyTorch is not installed (`pip install torch==2.13.0` adds the CPU build)")
        return 0
    for kind in ("LSTM", "GRU"):
        bench(kind, torch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
