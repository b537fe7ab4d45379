"""Random gated scenarios (SPEC §8) with hand-friendly numbers: `rnnstep drill --cell lstm --hidden 1`.

One-decimal weights, n units (one by default: the one-unit LSTM of a lecture), one input,
T of 2 or 3, one output with an identity head and the half-squared loss. The same seed,
cell and n always give the same scenario.
"""

from __future__ import annotations

import random

from ..scenario import Scenario, parse_scenario


def random_gated_scenario_text(seed: int, cell: str, n: int = 1) -> str:
    rng = random.Random(seed * 977 + n * 7 + (cell == "gru"))
    G = 4 if cell == "lstm" else 3
    T = rng.randint(2, 3)
    num = lambda lo=-1.0, hi=1.0: round(rng.uniform(lo, hi), 1) or 0.1  # noqa: E731
    if n == 1:
        w, w_prime = [num() for _ in range(G)], [num(-0.5, 0.5) for _ in range(G)]
        b = [num(-0.5, 0.5) for _ in range(G)]
        w_out, x = num(0.5, 1.5), [num() for _ in range(T)]
    else:
        w, w_prime = [[num()] for _ in range(G * n)], [[num(-0.5, 0.5) for _ in range(n)] for _ in range(G * n)]
        b = [num(-0.5, 0.5) for _ in range(G * n)]
        w_out, x = [[num(0.5, 1.5) for _ in range(n)]], [num() for _ in range(T)]
    y = num()
    name = "LSTM" if cell == "lstm" else "GRU"
    lines = [f'title = "Random {name} drill (seed {seed}, n = {n})"',
             f'description = "A random {name} for practice: n = {n}, one input, T = {T}, a target at the last step."',
             "", "[rnn]", f'cell = "{cell}"', "", "[weights]", f"w = {w!r}", f"w_prime = {w_prime!r}", f"b = {b!r}",
             f"w_out = {w_out!r}", "", "[data]", f"x = {x!r}", f"y = {y!r}", "", "[train]", "learning_rate = 0.1"]
    return "\n".join(lines) + "\n"


def random_gated_scenario(seed: int, cell: str, n: int = 1) -> Scenario:
    return parse_scenario(random_gated_scenario_text(seed, cell, n), f"<random {cell} seed {seed}, n = {n}>")
