"""Random vector scenarios (SPEC §7) written as TOML, for the debugger's tests and tmux runs."""

from __future__ import annotations

import numpy as np

from rnnstep.scenario import parse_scenario


def _array(a) -> str:
    a = np.asarray(a)
    if a.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in a) + "]"
    return "[" + ", ".join(_array(row) for row in a) + "]"


def vector_toml(n: int = 2, m: int = 1, q: int = 1, T: int = 4, every_step: bool = False, seed: int = 0,
                activation: str = "tanh", output: str = "identity", loss: str = "half_squared",
                radius: float = 0.9, truncate: int | None = None) -> str:
    rng = np.random.default_rng(seed)
    W_prime = rng.normal(size=(n, n))
    W_prime *= radius / max(1e-12, float(np.max(np.abs(np.linalg.eigvals(W_prime)))))
    if output == "softmax":
        y = np.eye(q)[rng.integers(0, q, size=T if every_step else 1)]
    else:
        y = rng.normal(size=(T if every_step else 1, q))
    y_text = _array(y) if every_step else _array(y[0])
    if q == 1:
        y_text = _array(y[:, 0]) if every_step else repr(float(y[0, 0]))
    x = rng.normal(size=(T, m))
    return f"""title = "random n={n} m={m} q={q} T={T}"
[rnn]
activation = "{activation}"
hidden_size = {n}
[output]
activation = "{output}"
loss = "{loss}"
[weights]
w = {_array(rng.normal(size=(n, m)) * 0.8)}
w_prime = {_array(W_prime)}
b = {_array(rng.normal(size=n) * 0.1)}
w_out = {_array(rng.normal(size=(q, n)))}
b_out = {_array(np.zeros(q))}
[data]
x = {_array(x[:, 0]) if m == 1 else _array(x)}
y = {y_text}
[train]
learning_rate = 0.1
{f"truncate = {truncate}" if truncate else ""}
"""


def vector_scenario(**kwargs):
    return parse_scenario(vector_toml(**kwargs), source="<random vector scenario>")
