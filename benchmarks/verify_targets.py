"""Benchmark: `verify` with a target at every step stays linear in T when the author claims totals.

    python benchmarks/verify_targets.py [--max-T 5000] [--cap SECONDS]

A worked example of T steps (x random, a target y_t at every step) states the loss,
every parameter's total gradient and every update (whole vectors and matrices), and
in a second variant also three terms of ∂L/∂w′ ([T,1], [T/2,1], [T,T]). Each is
verified on a plain one-unit network, a hidden vector (n = 2) and an LSTM (n = 2),
at T = 100, 200, 400, 800, 1,600 and 5,000, beside the baseline measured in the
same run: the same file with one target (the last step), where the terms are only
T. A target at every step makes T²/2 terms per parameter; working the totals out
from them all grows with T², the recursive view (Σ_k ∂L/∂a_k ⊗ input_k) with T.
Once a case takes more than ``--cap`` seconds (30 by default) its larger T are
skipped. ``PYTHONPATH=<an older checkout>`` measures that checkout the same way.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import rnnstep
from rnnstep.verify import verify

SIZES = (100, 200, 400, 800, 1600, 5000)


def _fmt(v) -> str:
    v = np.asarray(v, dtype=float)
    if v.ndim == 0:
        return f'"{float(v):.6g}"'
    return "[" + ", ".join(_fmt(e) for e in v) + "]"


def scenario_text(kind: str, T: int, every: bool) -> str:
    rng = np.random.default_rng(T)
    x = np.round(rng.uniform(-1, 1, T), 3).tolist()
    y = np.round(rng.uniform(-0.5, 0.5, T), 3).tolist() if every else 0.2
    if kind == "scalar":
        head = "[weights]\nw = 0.5\nw_prime = 0.9\nb = 0.1\n"
    elif kind == "vector":
        head = ("[rnn]\nhidden_size = 2\n[weights]\nw = [[0.5], [-0.2]]\nw_prime = [[-0.3, 0.5], [0.4, 0.6]]\n"
                "b = [0.1, 0.0]\n")
    else:  # an LSTM, n = 2: rows i, f, g, o of two units each
        head = ("[rnn]\ncell = \"lstm\"\nhidden_size = 2\n[weights]\n"
                "w = [[0.5], [-0.3], [0.8], [0.2], [0.4], [-0.6], [0.3], [0.7]]\n"
                "w_prime = [[0.1, -0.2], [0.3, 0.1], [-0.1, 0.2], [0.2, 0.3], [0.1, 0.1], [-0.2, 0.1], "
                "[0.3, -0.1], [0.1, 0.2]]\nb = [0.0, 0.1, 1.0, 0.9, 0.0, -0.1, 0.2, 0.0]\n")
    return f'title = "verify with targets, {kind}, T={T}"\n{head}[data]\nx = {x}\ny = {y}\n'


def worked_example(kind: str, T: int, every: bool, terms: bool) -> str:
    text = scenario_text(kind, T, every)
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    ids = ["loss"] + [f"gradients.{p}.total" for p in tape.params] + [f"update.{p}.new" for p in tape.params]
    if terms:
        ids += [f"gradients.w_prime.term[{T},1]", f"gradients.w_prime.term[{T},{T}]"]
        ids += [f"gradients.w_prime.term[{T // 2},1]"] if every else [f"gradients.w_prime.term[{T},{T // 2}]"]
    claims = [f'"{i}" = {_fmt(tape.value(i))}' for i in ids]
    return text + "[claims]\n" + "\n".join(claims) + "\n"


def timed(kind: str, T: int, every: bool, terms: bool) -> tuple[float, str]:
    tape = rnnstep.build_tape(rnnstep.load_scenario(worked_example(kind, T, every, terms)))
    start = time.perf_counter()
    report = verify(tape)
    return time.perf_counter() - start, report.summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-T", type=int, default=5000)
    parser.add_argument("--cap", type=float, default=30.0)
    parser.add_argument("--kinds", default="scalar,vector,lstm")
    args = parser.parse_args()
    print(f"{'cell':>7} {'claims':>14} {'T':>6} {'every step':>11} {'one target':>11}  summary (every step)")
    for kind in args.kinds.split(","):
        for terms in (False, True):
            skipped = False
            for T in (s for s in SIZES if s <= args.max_T):
                base, _ = timed(kind, T, False, terms)
                if skipped:
                    every, summary = "skipped", ""
                else:
                    seconds, summary = timed(kind, T, True, terms)
                    every = f"{seconds:.2f} s"
                    skipped = seconds > args.cap
                print(f"{kind:>7} {'totals + terms' if terms else 'totals':>14} {T:>6} {every:>11} "
                      f"{base:>9.2f} s  {summary}", flush=True)


if __name__ == "__main__":
    main()
