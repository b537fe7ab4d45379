"""An independent implementation of SPEC §2–§3 for the tests: forward-mode dual numbers.

It shares no code with rnnstep. A term(p, t, k) is, by the chain rule, the
derivative of ℓ_t with respect to the copy of p used at step k alone; a dual
number seeded at that one use measures it directly, without any chain product.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Dual:
    v: float
    d: float = 0.0

    def __add__(self, o):
        o = _lift(o)
        return Dual(self.v + o.v, self.d + o.d)

    __radd__ = __add__

    def __sub__(self, o):
        o = _lift(o)
        return Dual(self.v - o.v, self.d - o.d)

    def __rsub__(self, o):
        return _lift(o) - self

    def __mul__(self, o):
        o = _lift(o)
        return Dual(self.v * o.v, self.d * o.v + self.v * o.d)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = _lift(o)
        return Dual(self.v / o.v, (self.d * o.v - self.v * o.d) / (o.v * o.v))


def _lift(x) -> Dual:
    return x if isinstance(x, Dual) else Dual(float(x))


def act(name: str, a: Dual, slope: float = 0.01) -> Dual:
    if name == "tanh":
        th = math.tanh(a.v)
        return Dual(th, a.d * (1 - th * th))
    if name == "sigmoid":
        s = 1 / (1 + math.exp(-a.v)) if a.v >= 0 else math.exp(a.v) / (1 + math.exp(a.v))
        return Dual(s, a.d * s * (1 - s))
    if name == "relu":
        return Dual(max(a.v, 0.0), a.d if a.v > 0 else 0.0)
    if name == "leaky_relu":
        return Dual(a.v if a.v > 0 else slope * a.v, a.d if a.v > 0 else slope * a.d)
    if name == "identity":
        return a
    raise ValueError(name)


def _x_ln(x: float, p: float) -> float:
    """x·ln p, with 0·ln 0 = 0 and ln 0 = −∞: a sigmoid saturated to exactly 1.0 (or 0.0) in floating point
    makes bce +∞, as SPEC §2 says, instead of a math domain error in the reference."""
    if x == 0:
        return 0.0
    return x * math.log(p) if p > 0 else -math.inf


def _x_over(x: float, p: float) -> float:
    """x / p, with 0 / 0 = 0 (the matching term of bce's derivative) and x / 0 = +∞ for x > 0."""
    if x == 0:
        return 0.0
    return x / p if p != 0 else math.inf


def loss(name: str, yhat: Dual, y: float) -> Dual:
    if name == "squared":
        return (yhat - y) * (yhat - y)
    if name == "half_squared":
        return 0.5 * (yhat - y) * (yhat - y)
    if name == "bce":
        return Dual(-(_x_ln(y, yhat.v) + _x_ln(1 - y, 1 - yhat.v)),
                    -(_x_over(y, yhat.v) - _x_over(1 - y, 1 - yhat.v)) * yhat.d)
    raise ValueError(name)


PARAMS = ("w_prime", "w", "b", "w_out", "b_out")


@dataclass
class Net:
    """A scenario as plain values: the same fields as the TOML file."""

    w: float
    w_prime: float
    b: float
    x: list
    y: object  # float or list
    w_out: float = 1.0
    b_out: float = 0.0
    activation: str = "tanh"
    output_activation: str = "identity"
    loss: str = "half_squared"
    h0: float = 0.0
    leaky_slope: float = 0.01

    @property
    def T(self) -> int:
        return len(self.x)

    @property
    def targets(self) -> list[int]:
        return list(range(1, self.T + 1)) if isinstance(self.y, list) else [self.T]

    def y_at(self, t: int) -> float:
        return self.y[t - 1] if isinstance(self.y, list) else self.y

    def run(self, seed_param: str | None = None, seed_step: int | None = None):
        """Forward pass with duals. Seeding (param, step) differentiates w.r.t. that use only;
        seed_step None seeds every use (the full gradient)."""

        def weight(name: str, t: int | None) -> Dual:
            hit = name == seed_param and (seed_step is None or seed_step == t)
            return Dual(getattr(self, name), 1.0 if hit else 0.0)

        O = Dual(self.h0)
        a_list, O_list, losses = [], [], {}
        for t in range(1, self.T + 1):
            a = weight("w", t) * self.x[t - 1] + weight("w_prime", t) * O + weight("b", t)
            O = act(self.activation, a, self.leaky_slope)
            a_list.append(a)
            O_list.append(O)
            if t in self.targets:
                z = weight("w_out", t) * O + weight("b_out", t)
                yhat = act(self.output_activation, z, self.leaky_slope)
                losses[t] = (z, yhat, loss(self.loss, yhat, self.y_at(t)))
        return a_list, O_list, losses

    def total_loss(self) -> float:
        return sum(l.v for _, _, l in self.run()[2].values())

    def gradient(self, param: str) -> float:
        """∂L/∂param, every path (no truncation)."""
        return sum(l.d for _, _, l in self.run(param)[2].values())

    def term(self, param: str, t: int, k: int) -> float:
        """term(p, t, k) = ∂ℓ_t/∂(p used at step k)."""
        return self.run(param, k)[2][t][2].d

    def output_term(self, param: str, t: int) -> float:
        return self.run(param, t)[2][t][2].d

    def dL_dO(self, t: int) -> float:
        """∂L/∂O_t through every path, by seeding O_t itself."""
        O = Dual(self.h0)
        total = 0.0
        for s in range(1, self.T + 1):
            a = Dual(self.w) * self.x[s - 1] + Dual(self.w_prime) * O + Dual(self.b)
            O = act(self.activation, a, self.leaky_slope)
            if s == t:
                O = Dual(O.v, 1.0)
            if s in self.targets:
                yhat = act(self.output_activation, Dual(self.w_out) * O + Dual(self.b_out), self.leaky_slope)
                total += loss(self.loss, yhat, self.y_at(s)).d
        return total

    def finite_difference(self, param: str, h: float = 1e-6) -> float:
        old = getattr(self, param)
        step = h * max(1.0, abs(old))
        setattr(self, param, old + step)
        up = self.total_loss()
        setattr(self, param, old - step)
        down = self.total_loss()
        setattr(self, param, old)
        return (up - down) / (2 * step)


def to_toml(net: Net, truncate: int | None = None, clip: float | None = None, learning_rate: float = 0.1) -> str:
    y = repr(net.y) if isinstance(net.y, list) else repr(float(net.y))
    lines = [
        "[rnn]", f'activation = "{net.activation}"', f"h0 = {net.h0!r}", f"leaky_slope = {net.leaky_slope!r}",
        "[output]", f'activation = "{net.output_activation}"', f'loss = "{net.loss}"',
        "[weights]", *(f"{p} = {getattr(net, p)!r}" for p in PARAMS),
        "[data]", f"x = {[float(v) for v in net.x]!r}", f"y = {y}",
        "[train]", f"learning_rate = {learning_rate!r}",
    ]
    if truncate is not None:
        lines.append(f"truncate = {truncate}")
    if clip is not None:
        lines.append(f"clip = {clip!r}")
    return "\n".join(lines) + "\n"


#: a scenario whose values overflow to inf and nan (test data for "flagged, never a crash")
OVERFLOW_TOML = """
[rnn]
activation = "identity"
[weights]
w = 1e200
w_prime = 1e200
b = 0.0
[data]
x = [1e200, 1e200, 1e200]
y = 0.0
"""


def long_net(T: int, every_step: bool = False, activation: str = "tanh") -> Net:
    """A long sequence (test data for long tapes): smooth inputs and targets, w′ = 0.9."""
    x = [round(math.sin(1.7 * t) * 0.9, 3) for t in range(1, T + 1)]
    y = [round(math.cos(t) * 0.4, 3) for t in range(1, T + 1)] if every_step else 0.2
    return Net(w=0.5, w_prime=0.9, b=0.1, w_out=1.2, b_out=-0.1, x=x, y=y, activation=activation)
