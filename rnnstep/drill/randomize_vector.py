"""Random vector scenarios (SPEC §7) with hand-friendly numbers: `rnnstep drill --hidden N`.

One-decimal weights, a hidden size of N, one or two inputs, T from 2 to 4, and
either one output (identity or tanh, half-squared loss) or a softmax over two or
three outputs with a one-hot target and cross-entropy. The same seed and N always
give the same scenario; ReLU units never sit at their kink and nothing overflows.
"""

from __future__ import annotations

import random

from ..scenario import Scenario, parse_scenario
from ..tape import build_tape

MAX_HIDDEN = 8  # bigger is no drill by hand


def random_vector_scenario_text(seed: int, n: int) -> str:
    rng = random.Random(seed * 131 + n)
    for _ in range(1000):
        text = _draw(rng, seed, n)
        if _friendly(parse_scenario(text, f"<random seed {seed}, n = {n}>")):
            return text
    raise RuntimeError(f"no hand-friendly vector scenario for seed {seed}, n = {n}")  # pragma: no cover


def random_vector_scenario(seed: int, n: int) -> Scenario:
    return parse_scenario(random_vector_scenario_text(seed, n), f"<random seed {seed}, n = {n}>")


def _num(rng: random.Random, lo: float = -1.0, hi: float = 1.0) -> float:
    return round(rng.uniform(lo, hi), 1) or 0.1


def _row(rng: random.Random, size: int, lo: float = -1.0, hi: float = 1.0) -> list[float]:
    return [_num(rng, lo, hi) for _ in range(size)]


def _draw(rng: random.Random, seed: int, n: int) -> str:
    T, m = rng.randint(2, 4), rng.choice((1, 1, 2))
    activation = rng.choice(("tanh", "tanh", "relu", "identity", "sigmoid"))
    softmax = rng.random() < 0.4
    q = rng.choice((2, 3)) if softmax else 1
    every_step = rng.random() < 0.3
    W = [_row(rng, m) for _ in range(n)]
    W_prime = [[round(v / 2, 2) for v in _row(rng, n)] for _ in range(n)]  # spectral radius kept small
    b = _row(rng, n, -0.5, 0.5)
    W_out = [_row(rng, n) for _ in range(q)]
    x = [_num(rng) if m == 1 else _row(rng, m) for _ in range(T)]
    if softmax:
        def target() -> list[float]:
            hot = rng.randrange(q)
            return [1.0 if i == hot else 0.0 for i in range(q)]
        y = [target() for _ in range(T)] if every_step else target()
        output = ['activation = "softmax"', 'loss = "cross_entropy"']
    else:
        y = [_num(rng) for _ in range(T)] if every_step else _num(rng)
        output = [f'activation = "{rng.choice(("identity", "identity", "tanh"))}"', 'loss = "half_squared"']
    lines = [
        f'title = "Random drill (seed {seed}, hidden size {n})"',
        f'description = "A random vector scenario for practice: n = {n}, m = {m}, q = {q}, T = {T}."',
        "", "[rnn]", f'activation = "{activation}"', f"hidden_size = {n}",
        "", "[output]", *output,
        "", "[weights]", f"w = {W!r}", f"w_prime = {W_prime!r}", f"b = {b!r}", f"w_out = {W_out!r}",
        f"b_out = {[0.0] * q!r}",
        "", "[data]", f"x = {x!r}", f"y = {y!r}", "", "[train]", "learning_rate = 0.1",
    ]
    return "\n".join(lines) + "\n"


def _friendly(scenario: Scenario) -> bool:
    tape = build_tape(scenario)
    if tape.nonfinite:
        return False
    if scenario.activation == "relu" and (abs(tape.a) < 0.05).any():
        return False
    return all(abs(g.total).max() < 100 for g in tape.gradients.values())
