"""Random scenarios with hand-friendly numbers, for drills and for teachers to edit."""

from __future__ import annotations

import random

from ..model import ACTIVATIONS
from ..scenario import Scenario, parse_scenario
from ..tape import build_tape


def random_scenario_text(seed: int) -> str:
    """A scenario as TOML: one- or two-decimal numbers, T from 2 to 5, varied activations and losses.

    The same seed always gives the same scenario. ReLU-like units never sit
    exactly at their kink, and no value overflows or saturates.
    """
    rng = random.Random(seed)
    for attempt in range(1000):
        text = _draw(rng, seed)
        scenario = parse_scenario(text, f"<random seed {seed}>")
        if _friendly(scenario):
            return text
    raise RuntimeError(f"no hand-friendly scenario found for seed {seed}")  # pragma: no cover


def random_scenario(seed: int) -> Scenario:
    return parse_scenario(random_scenario_text(seed), f"<random seed {seed}>")


def _num(rng: random.Random, lo: float, hi: float) -> float:
    decimals = rng.choice((1, 1, 2))
    value = round(rng.uniform(lo, hi), decimals)
    return value if value != 0 else round(lo / 4 or 0.1, 1) or 0.1


def _draw(rng: random.Random, seed: int) -> str:
    T = rng.randint(2, 5)
    activation = rng.choice(ACTIVATIONS)
    loss = rng.choice(("half_squared", "squared", "half_squared", "bce"))
    output = "sigmoid" if loss == "bce" else rng.choice(("identity", "identity", "tanh", "sigmoid"))
    every_step = rng.random() < 0.3
    x = [_num(rng, -1, 1) for _ in range(T)]
    target = (lambda: rng.choice((0.0, 1.0))) if loss == "bce" else (lambda: _num(rng, -1, 1))
    y = [target() for _ in range(T)] if every_step else target()
    weights = {p: _num(rng, -1, 1) for p in ("w", "w_prime", "b")}
    weights["w_out"] = _num(rng, 0.5, 1.5)
    weights["b_out"] = rng.choice((0.0, _num(rng, -0.5, 0.5)))
    lines = [
        f'title = "Random drill (seed {seed})"',
        f'description = "A random scenario for practice: T = {T}, f = {activation}, g = {output}, loss = {loss}."',
        "", "[rnn]", f'activation = "{activation}"', "", "[output]", f'activation = "{output}"', f'loss = "{loss}"',
        "", "[weights]", *(f"{k} = {v!r}" for k, v in weights.items()),
        "", "[data]", f"x = {x!r}", f"y = {y!r}", "", "[train]", f"learning_rate = {rng.choice((0.1, 0.5, 1.0))!r}",
    ]
    return "\n".join(lines) + "\n"


def _friendly(scenario: Scenario) -> bool:
    tape = build_tape(scenario)
    if tape.nonfinite:
        return False
    kinked = [scenario.activation in ("relu", "leaky_relu"), scenario.output_activation in ("relu", "leaky_relu")]
    if kinked[0] and any(abs(a) < 0.05 for a in tape.a):
        return False
    if kinked[1] and any(abs(z) < 0.05 for z in tape.z):
        return False
    if scenario.loss == "bce" and any(not 0.02 < y < 0.98 for y in tape.yhat):
        return False
    return all(abs(g.total) < 100 for g in tape.gradients.values())
