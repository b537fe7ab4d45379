"""Benchmark: `verify` on a long worked example with a hidden vector stays linear in T.

    python benchmarks/verify_vector.py

A worked example with n = 2 hidden units and T steps, a slip planted at O₂[1],
states every a_t and O_t as whole vectors (a claim per step, worked by the author
from the slip on), the last ŷ, ∂L/∂a₁, the last term of ∂L/∂W′, and the totals
and updates of W′ and W as whole matrices, but no δ, factor or running sum:
verify must work out the author's value of each of those skipped entries.
Printed beside build_tape on the same scenario (the baseline, measured in the
same run) at T = 500, 1,000, 2,000 and 5,000: verify alone, then each output
format as the command line writes it (verify + JSON, markdown, the printed table
piped and to a terminal), each with its multiple of build_tape, and verify's
growth from 500 to 2,000 (linear: about 4×; quadratic: about 16×), in wall time
and in Python function calls (counted by cProfile in a separate run: the same on
a loaded machine). ``PYTHONPATH=<an older checkout>`` measures that checkout the
same way.
"""

from __future__ import annotations

import cProfile
import pstats
import time

import numpy as np

import rnnstep
from rnnstep.verify import verify

from engine import median_time  # the timing helper of benchmarks/engine.py (run as a script, so it is on the path)
from verify_formats import header, render_times, row

W = [[0.5], [-0.2]]
W_PRIME = [[-0.3, 0.5], [0.4, 0.6]]
B = [0.1, 0.0]


def vec(v) -> str:
    return "[" + ", ".join(f'"{e:.6g}"' for e in np.ravel(v)) + "]"


def mat(m) -> str:
    return "[" + ", ".join(vec(row) for row in np.asarray(m)) + "]"


def worked_example(T: int) -> str:
    rng = np.random.default_rng(T)
    x = np.round(rng.uniform(-1, 1, T), 3).tolist()
    Wm, Wp, b = np.array(W), np.array(W_PRIME), np.array(B)
    claims, O = [], np.zeros(2)
    for t in range(1, T + 1):
        a = Wm[:, 0] * x[t - 1] + Wp @ O + b
        O = np.tanh(a)
        if t == 2:
            O[0] += 0.05  # the slip
        claims += [f'"forward.a[{t}]" = {vec(a)}', f'"forward.O[{t}]" = {vec(O)}']
    claims.append(f'"outputs.yhat[{T}][1]" = "{float(np.sum(O)):.6g}"')
    text = (f'title = "vector verify benchmark T={T}"\n[rnn]\nhidden_size = 2\n[weights]\nw = {W}\n'
            f"w_prime = {W_PRIME}\nb = {B}\n[data]\nx = {x}\ny = 0.2\n")
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    # true values: right, or right but "does not follow from the stated inputs"
    claims.append(f'"backward.dL_da[1]" = {vec(tape.value("backward.dL_da[1]"))}')
    claims.append(f'"gradients.w_prime.term[{T},1]" = {mat(tape.value(f"gradients.w_prime.term[{T},1]"))}')
    for p in ("w_prime", "w"):
        claims.append(f'"gradients.{p}.total" = {mat(tape.value(f"gradients.{p}.total"))}')
        claims.append(f'"update.{p}.new" = {mat(tape.value(f"update.{p}.new"))}')
    return text + "[claims]\n" + "\n".join(claims) + "\n"


def calls(run) -> int:
    profile = cProfile.Profile()
    profile.runcall(run)
    return pstats.Stats(profile).total_calls


def main() -> None:
    print(f"{'T':>6} {'claims':>7} {'build_tape':>12} {'verify':>8} {'calls':>11}  {header()}")
    seen, counted, reports = {}, {}, []
    for T in (500, 1000, 2000, 5000):
        scenario = rnnstep.load_scenario(worked_example(T))
        base = median_time(lambda: rnnstep.build_tape(scenario), repeat=3)
        tape = rnnstep.build_tape(scenario)
        start = time.perf_counter()
        report = verify(tape)  # deterministic: once
        seen[T] = time.perf_counter() - start
        counted[T] = calls(lambda: verify(tape)) if T <= 2000 else 0
        print(f"{T:>6} {len(scenario.claims):>7} {base * 1e3:>9.1f} ms {seen[T]:>6.2f} s {counted[T]:>11,}  "
              f"{row(seen[T], render_times(report), base)}", flush=True)
        reports.append(f"T = {T}: {report.summary}")
    print(f"verify from T = 500 to 2,000: time ×{seen[2000] / seen[500]:.1f}, calls ×{counted[2000] / counted[500]:.2f} "
          "(linear ≈ 4, quadratic ≈ 16)")
    print("\n".join(reports))


if __name__ == "__main__":
    main()
