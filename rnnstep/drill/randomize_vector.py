"""Random vector scenarios (SPEC §7) with hand-sized numbers: `rnnstep drill --hidden N`.

A hidden size of N, one or two inputs, and either one output (identity or tanh,
half-squared loss) or a softmax over two or three outputs with a one-hot target
and cross-entropy. The same seed and N always give the same scenario. What
"hand-sized" means is HAND_SIZED, the same rules as the one-unit drill's
(randomize.py), entry by entry:

* T from 2 to 4; η one of 0.05, 0.1, 0.2;
* inputs, weights and targets of one or two decimals and never 0: at most 1 in size,
  W′'s entries at most 0.5 and b's 0.5; b_out is 0;
* no unit saturated: a sigmoid state or a softmax output between 0.05 and 0.95,
  a tanh state within ±0.95; no ReLU pre-activation within 0.05 of its kink;
* every entry of every term, δ, total and ∂L/∂O, ∂L/∂a exactly 0 or between 1e-4 and 10 in size
  (nothing a four-decimal answer rounds to 0, nothing needing a calculator's exponent);
* no update moves a weight by more than 0.5.
"""

from __future__ import annotations

import random

import numpy as np

from ..scenario import Scenario, parse_scenario
from ..build import build_tape

MAX_HIDDEN = 8  # bigger is no drill by hand

#: the module docstring's rules: T, η, W′'s and b's largest entry, where a squashing unit stays, how far from
#: its kink a ReLU, the sizes an entry may have (besides 0), and the largest change an update makes
HAND_SIZED = {"T": (2, 4), "learning_rates": (0.05, 0.1, 0.2), "recurrent": 0.5, "bias": 0.5,
              "squashed": (0.05, 0.95), "kink": 0.05, "entry": (1e-4, 10.0), "step": 0.5}


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
    """One or two decimals (one twice as often), never 0."""
    return round(rng.uniform(lo, hi), rng.choice((1, 1, 2))) or 0.1


def _row(rng: random.Random, size: int, lo: float = -1.0, hi: float = 1.0) -> list[float]:
    return [_num(rng, lo, hi) for _ in range(size)]


def _draw(rng: random.Random, seed: int, n: int) -> str:
    T, m = rng.randint(*HAND_SIZED["T"]), rng.choice((1, 1, 2))
    activation = rng.choice(("tanh", "tanh", "relu", "identity", "sigmoid"))
    softmax = rng.random() < 0.4
    q = rng.choice((2, 3)) if softmax else 1
    every_step = rng.random() < 0.3
    W = [_row(rng, m) for _ in range(n)]
    W_prime = [_row(rng, n, -HAND_SIZED["recurrent"], HAND_SIZED["recurrent"]) for _ in range(n)]
    b = _row(rng, n, -HAND_SIZED["bias"], HAND_SIZED["bias"])
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
        "", "[data]", f"x = {x!r}", f"y = {y!r}",
        "", "[train]", f"learning_rate = {rng.choice(HAND_SIZED['learning_rates'])!r}",
    ]
    return "\n".join(lines) + "\n"


def _friendly(scenario: Scenario) -> bool:
    """The rules of HAND_SIZED that the drawing alone does not keep."""
    tape = build_tape(scenario)
    if tape.nonfinite:
        return False
    low, high = HAND_SIZED["squashed"]
    if scenario.activation == "sigmoid" and not ((low <= tape.O) & (tape.O <= high)).all():
        return False
    if scenario.activation == "tanh" and (abs(tape.O) > high).any():
        return False
    if scenario.output_activation == "softmax" and not ((low <= tape.yhat) & (tape.yhat <= high)).all():
        return False
    if scenario.activation == "relu" and (abs(tape.a) < HAND_SIZED["kink"]).any():
        return False
    arrays = [tape.dL_dO, tape.dL_da]
    for table in tape.gradients.values():
        arrays += [table.block(0, len(table)), table.deltas(0, len(table)), table.total]
    small, large = HAND_SIZED["entry"]
    for values in arrays:
        sizes = abs(np.asarray(values, dtype=float))
        if not ((sizes == 0) | ((small <= sizes) & (sizes <= large))).all():
            return False
    return all((abs(u.new - u.old) <= HAND_SIZED["step"]).all() for u in tape.updates.values())
