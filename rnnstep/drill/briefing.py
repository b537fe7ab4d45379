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


def _array(value) -> str:
    """A vector or matrix as the drill's answers are typed: [0.5 -0.1; 0.2 0.3]."""
    import numpy as np

    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 1:
        return "[" + " ".join(_number(v) for v in a) + "]"
    return "[" + "; ".join(" ".join(_number(v) for v in row) for row in a) + "]"


def vector_briefing(scenario: Scenario) -> list[str]:
    """A vector scenario (SPEC §7) in a few lines: sizes, f, g, loss, h0, the weights as matrices, x, y, η."""
    s = scenario
    n, m, q = s.sizes
    w = s.arrays()
    f = s.activation + (f" (slope {_number(s.leaky_slope)} below 0)" if s.activation == "leaky_relu" else "")
    g = s.output_activation + (f" (slope {_number(s.leaky_slope)} below 0)"
                               if s.output_activation == "leaky_relu" else "")
    network = "a_t = W·x_t + W′·O_{t−1} + b, O_t = f(a_t)"
    weights = (("w", "W"), ("w_prime", "W′"), ("b", "b"), ("w_out", "W_out"), ("b_out", "b_out"))
    if s.cell != "rnn":  # a gated cell (SPEC §8): its own equations, b′ and c0
        from ..cells import cell_named

        cell = cell_named(s.cell)
        network = "; ".join(cell.EQUATIONS) + f" (gates stacked {', '.join(cell.GATES)})"
        weights = weights[:3] + (("b_prime", "b′"),) + weights[3:]
        f = None  # the gates' σ and tanh are in the equations (and f_t is the forget gate there)
    start = f"O₀ = h0 = {_array(w['h0'])}" + (f", c₀ = c0 = {_array(w['c0'])}" if s.cell == "lstm" else "")
    lines = [f"network: {network}, z_t = W_out·O_t + b_out, ŷ_t = g(z_t); "
             f"n = {n} hidden, m = {m} input{'s' if m != 1 else ''}, q = {q} output{'s' if q != 1 else ''}; "
             + (f"f = {f}, " if f is not None else "") + f"g = {g}, "
             f"loss = {s.loss} ℓ = {loss_named(s.loss).value_formula} (summed over the outputs), "
             f"{start}"]
    lines.append("weights (rows separated by ;): " + ", ".join(
        f"{name} = {_array(w[p])}" for p, name in weights)
                 + f"; learning rate η = {_number(s.learning_rate)}")
    lines.append(f"inputs: x_1 … x_{s.T} = " + ", ".join(_array(x) for x in w["x"]) + f" (T = {s.T})")
    if s.target_at_every_step:
        lines.append("targets: y_1 … y_T = " + ", ".join(_array(y) for y in w["y"])
                     + " (a loss at every step, L = Σ ℓ_t)")
    else:
        lines.append(f"target: y = {_array(w['y'][0])} (a loss at the last step only, L = ℓ{nt.sub(s.T)})")
    lines += _training(s)
    return lines


def _training(s: Scenario) -> list[str]:
    extra = []
    if s.truncate is not None:
        extra.append(f"truncate = {s.truncate} (terms reaching {s.truncate} or more steps back are not added)")
    if s.clip is not None:
        extra.append(f"clip = {_number(s.clip)} (each gradient{' entry' if s.is_vector else ''} clipped to "
                     f"±{_number(s.clip)} before the update)")
    return ["training: " + "; ".join(extra)] if extra else []


def briefing(scenario: Scenario) -> list[str]:
    """The scenario in a few lines: f, g, loss, h0, x, y, the weights, η (and truncate, clip)."""
    s = scenario
    if s.is_vector:
        return vector_briefing(s)
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
    return lines + _training(s)
