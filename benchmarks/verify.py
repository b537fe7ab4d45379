"""Benchmark: `verify` on long worked examples stays linear in T.

    python benchmarks/verify.py

A worked example of T steps with a slip planted at O₂ states every a_t and O_t
as the author would have worked them (from the slip on), the last ŷ, ∂L/∂a_1,
the last term of ∂L/∂w′ and ∂L/∂w (whose paths cross every step), every total
and every update, but no factor and no running sum: verify must work out the
author's values of all of those skipped steps. Printed beside build_tape on the
same scenario (the baseline, measured in the same run), at T = 1,000, 2,000 and
5,000: verify alone, then each output format as the command line writes it
(verify + JSON, markdown, the printed table piped and to a terminal), each with
its multiple of build_tape, and verify's growth from 1,000 to 5,000 (linear:
about 5×; quadratic: about 25×). ``PYTHONPATH=<an older checkout>`` measures that
checkout the same way.
"""

from __future__ import annotations

import math
import time

import numpy as np

import rnnstep
from rnnstep.verify import verify

from engine import median_time  # the timing helper of benchmarks/engine.py (run as a script, so it is on the path)
from verify_formats import header, render_times, row


def worked_example(T: int) -> str:
    rng = np.random.default_rng(T)
    x = np.round(rng.uniform(-1, 1, T), 3).tolist()
    w, w_prime, b = 0.5, 0.9, 0.1
    claims, O = [], 0.0
    for t in range(1, T + 1):
        a = w * x[t - 1] + w_prime * O + b
        O = math.tanh(a) if t != 2 else math.tanh(a) + 0.05  # the slip
        claims += [f'"forward.a[{t}]" = "{a:.6g}"', f'"forward.O[{t}]" = "{O:.6g}"']
    claims += [f'"outputs.yhat[{T}]" = "{O:.6g}"']
    text = (f'title = "verify benchmark T={T}"\n[weights]\nw = {w}\nw_prime = {w_prime}\nb = {b}\n'
            f"[data]\nx = {x}\ny = 0.2\n")
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    more = ["backward.dL_da[1]", "gradients.w_prime.term[%d,1]" % T, "gradients.w.term[%d,1]" % T]
    more += [f"gradients.{p}.total" for p in ("w_prime", "w", "b", "w_out", "b_out")]
    more += [f"update.{p}.new" for p in ("w_prime", "w", "b", "w_out", "b_out")]
    claims += [f'"{i}" = "{tape.value(i):.6g}"' for i in more]  # true values: right, or "does not follow"
    return text + "[claims]\n" + "\n".join(claims) + "\n"


def main() -> None:
    print(f"{'T':>6} {'claims':>7} {'build_tape':>12} {'verify':>8}  {header()}")
    seen, reports = {}, []
    for T in (1000, 2000, 5000):
        scenario = rnnstep.load_scenario(worked_example(T))
        base = median_time(lambda: rnnstep.build_tape(scenario), repeat=3)
        tape = rnnstep.build_tape(scenario)
        start = time.perf_counter()
        report = verify(tape)  # deterministic; once (it took a minute at T = 5,000 before)
        seen[T] = time.perf_counter() - start
        print(f"{T:>6} {len(scenario.claims):>7} {base * 1e3:>9.1f} ms {seen[T]:>6.2f} s  "
              f"{row(seen[T], render_times(report), base)}", flush=True)
        reports.append(f"T = {T}: {report.summary}")
    print(f"verify time from T = 1,000 to 5,000: ×{seen[5000] / seen[1000]:.1f} (linear ≈ 5, quadratic ≈ 25)")
    print("\n".join(reports))


if __name__ == "__main__":
    main()
