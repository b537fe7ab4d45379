"""An independent implementation of SPEC §7 for the tests: forward-mode tangents in numpy.

It shares no code with rnnstep and never multiplies a chain of Jacobians: a term
(p, t, k) entry (i, j) is the derivative of ℓ_t with respect to entry (i, j) of
the copy of p used at step k alone, measured by pushing a tangent forward through
the network from that one use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

PARAMS = ("w_prime", "w", "b", "w_out", "b_out")
RECURRENT = ("w_prime", "w", "b")


def _act(name: str, a: np.ndarray, slope: float) -> tuple[np.ndarray, np.ndarray]:
    """(value, derivative) element-wise."""
    if name == "tanh":
        v = np.array([math.tanh(x) for x in a])
        return v, 1 - v * v
    if name == "sigmoid":
        v = np.array([1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x)) for x in a])
        return v, v * (1 - v)
    if name == "relu":
        return np.maximum(a, 0.0), (a > 0).astype(float)
    if name == "leaky_relu":
        return np.where(a > 0, a, slope * a), np.where(a > 0, 1.0, slope)
    if name == "identity":
        return a.copy(), np.ones_like(a)
    raise ValueError(name)


@dataclass
class VNet:
    """A vector scenario as plain arrays: W n×m, Wp n×n, b n, Wout q×n, bout q, h0 n, X T×m, Y rows×q."""

    w: np.ndarray
    w_prime: np.ndarray
    b: np.ndarray
    w_out: np.ndarray
    b_out: np.ndarray
    h0: np.ndarray
    x: np.ndarray
    y: np.ndarray
    every_step: bool
    activation: str = "tanh"
    output_activation: str = "identity"
    loss: str = "half_squared"
    leaky_slope: float = 0.01
    extras: dict = field(default_factory=dict)

    @property
    def T(self) -> int:
        return len(self.x)

    @property
    def targets(self) -> list[int]:
        return list(range(1, self.T + 1)) if self.every_step else [self.T]

    def y_at(self, t: int) -> np.ndarray:
        return self.y[t - 1] if self.every_step else self.y[0]

    def _output(self, z, dz):
        if self.output_activation == "softmax":
            e = np.exp(z - z.max())
            yhat = e / e.sum()
            return yhat, yhat * dz - yhat * float(yhat @ dz)
        yhat, d = _act(self.output_activation, z, self.leaky_slope)
        return yhat, d * dz

    def _loss(self, yhat, dyhat, y):
        if self.loss == "squared":
            return float(np.sum((yhat - y) ** 2)), float(np.sum(2 * (yhat - y) * dyhat))
        if self.loss == "half_squared":
            return float(0.5 * np.sum((yhat - y) ** 2)), float(np.sum((yhat - y) * dyhat))
        if self.loss == "bce":
            value = -sum((yi * math.log(p) if yi else 0.0) + ((1 - yi) * math.log(1 - p) if yi != 1 else 0.0)
                         for p, yi in zip(yhat, y))
            return value, float(np.sum(-(y / yhat - (1 - y) / (1 - yhat)) * dyhat))
        if self.loss == "cross_entropy":
            value = -sum(yi * math.log(p) for p, yi in zip(yhat, y) if yi)
            return value, float(np.sum(np.where(y == 0, 0.0, -y / yhat) * dyhat))
        raise ValueError(self.loss)

    def run(self, seeds: dict | None = None, seed_step: int | None = None, seed_O: int | None = None):
        """Losses per target and their tangents. ``seeds`` maps a param to a tangent array for
        the copy used at ``seed_step`` (every step if None); ``seed_O`` seeds O_t itself with ones·tangent."""
        seeds = seeds or {}

        def tangent(name, t):
            if name in seeds and (seed_step is None or seed_step == t):
                return seeds[name]
            return np.zeros_like(getattr(self, name))

        O, dO = self.h0.copy(), np.zeros_like(self.h0)
        out = {}
        states = []
        for t in range(1, self.T + 1):
            x = self.x[t - 1]
            a = self.w @ x + self.w_prime @ O + self.b
            da = tangent("w", t) @ x + tangent("w_prime", t) @ O + self.w_prime @ dO + tangent("b", t)
            O, fprime = _act(self.activation, a, self.leaky_slope)
            dO = fprime * da
            if seed_O == t:
                dO = dO + seeds["O"]
            states.append((a, O))
            if t in self.targets:
                z = self.w_out @ O + self.b_out
                dz = tangent("w_out", t) @ O + self.w_out @ dO + tangent("b_out", t)
                yhat, dyhat = self._output(z, dz)
                out[t] = (z, yhat, *self._loss(yhat, dyhat, self.y_at(t)))
        return states, out

    def total_loss(self) -> float:
        return sum(v[2] for v in self.run()[1].values())

    def term(self, param: str, t: int, k: int | None = None) -> np.ndarray:
        """term(p, t, k), entry by entry: ∂ℓ_t/∂(entry of p used at step k); k = t for w_out, b_out."""
        shape = getattr(self, param).shape
        out = np.zeros(shape)
        for idx in np.ndindex(shape):
            seed = np.zeros(shape)
            seed[idx] = 1.0
            out[idx] = self.run({param: seed}, seed_step=k if k is not None else t)[1][t][3]
        return out

    def gradient(self, param: str) -> np.ndarray:
        shape = getattr(self, param).shape
        out = np.zeros(shape)
        for idx in np.ndindex(shape):
            seed = np.zeros(shape)
            seed[idx] = 1.0
            out[idx] = sum(v[3] for v in self.run({param: seed})[1].values())
        return out

    def dL_dO(self, t: int) -> np.ndarray:
        n = len(self.h0)
        out = np.zeros(n)
        for i in range(n):
            seed = np.zeros(n)
            seed[i] = 1.0
            out[i] = sum(v[3] for v in self.run({"O": seed}, seed_O=t)[1].values())
        return out

    def finite_difference(self, param: str, h: float = 1e-6) -> np.ndarray:
        W = getattr(self, param)
        out = np.zeros(W.shape)
        for idx in np.ndindex(W.shape):
            step = h * max(1.0, abs(W[idx]))
            up, down = W.copy(), W.copy()
            up[idx] += step
            down[idx] -= step
            out[idx] = (replace(self, **{param: up}).total_loss() - replace(self, **{param: down}).total_loss()) / (2 * step)
        return out

    def to_toml(self, truncate: int | None = None, clip: float | None = None, learning_rate: float = 0.1) -> str:
        def arr(a):
            return repr(np.asarray(a, dtype=float).tolist())

        y = arr(self.y) if self.every_step else arr(self.y[0])
        lines = [
            "[rnn]", f'activation = "{self.activation}"', f"h0 = {arr(self.h0)}", f"leaky_slope = {self.leaky_slope!r}",
            "[output]", f'activation = "{self.output_activation}"', f'loss = "{self.loss}"',
            "[weights]", *(f"{p} = {arr(getattr(self, p))}" for p in PARAMS),
            "[data]", f"x = {arr(self.x)}", f"y = {y}",
            "[train]", f"learning_rate = {learning_rate!r}",
        ]
        if truncate is not None:
            lines.append(f"truncate = {truncate}")
        if clip is not None:
            lines.append(f"clip = {clip!r}")
        return "\n".join(lines) + "\n"
