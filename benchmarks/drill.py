"""Benchmark: building a drill's question list on a vector scenario (SPEC §7), beside build_tape.

    python benchmarks/drill.py

A vector scenario (n = 4, m = 2, q = 2, tanh) with a target at every step, T = 500,
1,000 and 2,000: the number of paths (T(T+1)/2), the number of questions the drill
asks by default (each target step's 3 nearest paths once there are more than 30),
and the time to build the question list beside the time to build the tape in the
same run. Goal: the question count and its time grow linearly with T (each doubling
of T doubles them), while the paths grow with T². Also T = 5,000 with one target.
"""

from __future__ import annotations

import os
import sys

import rnnstep
from engine import median_time  # the timing helper of benchmarks/engine.py (run as a script, so it is on the path)
from rnnstep.drill.questions import questions

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from vector_scenarios import vector_toml  # noqa: E402  (random vector scenarios, as the tests write them)


def main() -> None:
    print(f"{'T':>6} {'target':>7} {'paths':>10} {'questions':>10} {'build_tape s':>13} {'questions s':>12} "
          f"{'µs/question':>12}")
    for T, every in ((500, True), (1000, True), (2000, True), (5000, False)):
        scenario = rnnstep.load_scenario(vector_toml(n=4, m=2, q=2, T=T, every_step=every, seed=1))
        repeat = 3 if T < 2000 else 1
        tape_time = median_time(lambda: rnnstep.build_tape(scenario), repeat)
        tape = rnnstep.build_tape(scenario)
        asked: list = []
        q_time = median_time(lambda: asked.__setitem__(slice(None), questions(tape)), repeat)
        print(f"{T:>6} {'every' if every else 'last':>7} {len(tape.gradients['w_prime']):>10,} {len(asked):>10,} "
              f"{tape_time:>13.2f} {q_time:>12.2f} {1e6 * q_time / len(asked):>12.0f}")


if __name__ == "__main__":
    main()
