"""Random scenarios with hand-friendly numbers, for drills and for teachers to edit."""

from __future__ import annotations

import random

from ..model import ACTIVATIONS
from ..scenario import Scenario, parse_scenario
from ..build import build_tape


#: what "hand-sized" means for a random drill (the README says the same): T from 2 to 4; inputs, weights
#: and targets of one or two decimals in [−1, 1] (w_out in [0.5, 1.5]); η one of 0.05, 0.1, 0.2; at most
#: one sigmoid (never a sigmoid unit under a sigmoid output); no ReLU-like unit within 0.05 of its kink;
#: a bce prediction between 0.05 and 0.95; every term and total exactly 0 or between 1e-4 and 10 in size;
#: and no update moves a weight by more than 0.5.
HAND_SIZED = {"T": (2, 4), "learning_rates": (0.05, 0.1, 0.2), "kink": 0.05, "yhat": (0.05, 0.95),
              "gradient": (1e-4, 10.0), "step": 0.5}


def random_scenario_text(seed: int) -> str:
    """A hand-sized scenario as TOML (see HAND_SIZED): varied activations and losses.

    The same seed always gives the same scenario.
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
    T = rng.randint(*HAND_SIZED["T"])
    loss = rng.choice(("half_squared", "squared", "half_squared", "bce"))
    output = "sigmoid" if loss == "bce" else rng.choice(("identity", "identity", "tanh", "sigmoid"))
    # one sigmoid at most: e^−a by hand once per step is enough
    activation = rng.choice([a for a in ACTIVATIONS if not (a == "sigmoid" and output == "sigmoid")])
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
        "", "[data]", f"x = {x!r}", f"y = {y!r}", "", "[train]", f"learning_rate = {rng.choice(HAND_SIZED['learning_rates'])!r}",
    ]
    return "\n".join(lines) + "\n"


def _friendly(scenario: Scenario) -> bool:
    tape = build_tape(scenario)
    if tape.nonfinite:
        return False
    kink = HAND_SIZED["kink"]
    kinked = [scenario.activation in ("relu", "leaky_relu"), scenario.output_activation in ("relu", "leaky_relu")]
    if kinked[0] and any(abs(a) < kink for a in tape.a):
        return False
    if kinked[1] and any(abs(z) < kink for z in tape.z):
        return False
    low, high = HAND_SIZED["yhat"]
    if scenario.loss == "bce" and any(not low <= y <= high for y in tape.yhat):
        return False
    small, large = HAND_SIZED["gradient"]
    for table in tape.gradients.values():
        sizes = [abs(float(v)) for v in table.value] + [abs(float(table.total))]
        if any(v != 0 and not small <= v <= large for v in sizes):
            return False
    return all(abs(u.new - u.old) <= HAND_SIZED["step"] for u in tape.updates.values())
