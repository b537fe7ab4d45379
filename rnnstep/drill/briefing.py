"""What a drill shows before its first question: the scenario, so every question can be answered.

The lines never start with `? `, `✓`, `✗` or `score:` (the plain protocol's
prefixes), so a script that reads questions skips them.
"""

from __future__ import annotations

from .. import notation as nt
from ..model import loss as loss_named
from ..scenario import Scenario


def _number(value: float) -> str:
    """The number as the file gives it: shortest exact form (0.5, -0.3, 1e-5), and 1 rather than 1.0 as the
    drill's own feedback writes it."""
    return repr(float(value)).removesuffix(".0").replace("e-0", "e-").replace("e+0", "e+")


def _numbers(values) -> str:
    return "[" + ", ".join(_number(v) for v in values) + "]"


def briefing(scenario: Scenario) -> list[str]:
    """The scenario in a few lines: f, g, loss, h0, x, y, the weights, η (and truncate, clip)."""
    s = scenario
    f = s.activation + (f" (slope {_number(s.leaky_slope)} below 0)" if s.activation == "leaky_relu" else "")
    g = s.output_activation + (f" (slope {_number(s.leaky_slope)} below 0)"
                               if s.output_activation == "leaky_relu" else "")
    lines = [f"network: O_t = f(x_t·w + O_t−1·w′ + b), ŷ_t = g(w_out·O_t + b_out); f = {f}, g = {g}, "
             f"loss = {s.loss} ℓ = {loss_named(s.loss).value_formula}, O₀ = h0 = {_number(s.h0)}"]
    lines.append("weights: " + ", ".join(f"{nt.param(p)} = {_number(getattr(s, p))}"
                                         for p in ("w", "w_prime", "b", "w_out", "b_out"))
                 + f"; learning rate η = {_number(s.learning_rate)}")
    lines.append(f"inputs: x = {_numbers(s.x)} (T = {s.T})")
    if s.target_at_every_step:
        lines.append(f"targets: y = {_numbers(s.y)} (a loss at every step, L = Σ ℓ_t)")
    else:
        lines.append(f"target: y = {_number(s.y)} (a loss at the last step only, L = ℓ{nt.sub(s.T)})")
    extra = []
    if s.truncate is not None:
        extra.append(f"truncate = {s.truncate} (terms reaching {s.truncate} or more steps back are not added)")
    if s.clip is not None:
        extra.append(f"clip = {_number(s.clip)} (each gradient clipped to ±{_number(s.clip)} before the update)")
    if extra:
        lines.append("training: " + "; ".join(extra))
    return lines
