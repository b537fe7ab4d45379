"""Random gated-cell scenarios (SPEC §8) as TOML text, for hypothesis and the fixed tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from rnnstep.scenario import parse_scenario

HEADS = [("identity", "half_squared"), ("identity", "squared"), ("tanh", "half_squared"),
         ("sigmoid", "bce"), ("sigmoid", "squared"), ("softmax", "cross_entropy")]


def _arr(a) -> str:
    a = np.asarray(a)
    if a.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in a) + "]"
    return "[" + ", ".join(_arr(r) for r in a) + "]"


def gated_toml(cell: str, n: int = 2, m: int = 1, q: int = 1, T: int = 4, every_step: bool = False, seed: int = 0,
               head: tuple[str, str] = ("identity", "half_squared"), start: bool = True, scale: float = 0.8,
               truncate: int | None = None, clip: float | None = None) -> str:
    rng = np.random.default_rng(seed)
    G = 4 if cell == "lstm" else 3
    g, loss = head
    if g == "softmax" and q == 1:
        q = 2
    r = lambda *shape: np.round(rng.uniform(-scale, scale, shape), 3)
    lines = ["[rnn]", f'cell = "{cell}"']
    if start:
        lines.append(f"h0 = {_arr(r(n))}")
        if cell == "lstm":
            lines.append(f"c0 = {_arr(r(n))}")
    lines += ["[output]", f'activation = "{g}"', f'loss = "{loss}"']
    lines += ["[weights]", f"w = {_arr(r(G * n, m))}", f"w_prime = {_arr(r(G * n, n))}", f"b = {_arr(r(G * n))}",
              f"b_prime = {_arr(r(G * n))}", f"w_out = {_arr(r(q, n))}", f"b_out = {_arr(r(q))}"]
    x = np.round(rng.uniform(-1.5, 1.5, (T, m)), 3)
    if g in ("sigmoid",) and loss == "bce":
        y = np.round(rng.uniform(0, 1, (T, q)), 2)
    elif g == "softmax":
        y = np.eye(q)[rng.integers(0, q, T)]
    else:
        y = np.round(rng.uniform(-1, 1, (T, q)), 3)
    lines += ["[data]", f"x = {_arr(x)}", f"y = {_arr(y) if every_step else _arr(y[-1])}"]
    lines += ["[train]", "learning_rate = 0.1"]
    if truncate:
        lines.append(f"truncate = {truncate}")
    if clip:
        lines.append(f"clip = {clip}")
    return "\n".join(lines) + "\n"


def gated_scenario(cell: str, **kwargs):
    return parse_scenario(gated_toml(cell, **kwargs), f"<{cell}>")


@st.composite
def gated_scenarios(draw, max_T: int = 5, max_n: int = 4):
    cell = draw(st.sampled_from(["lstm", "gru"]))
    return gated_scenario(cell, n=draw(st.integers(1, max_n)), m=draw(st.integers(1, 3)), q=draw(st.integers(1, 3)),
                          T=draw(st.integers(1, max_T)), every_step=draw(st.booleans()),
                          seed=draw(st.integers(0, 10_000)), head=draw(st.sampled_from(HEADS)),
                          start=draw(st.booleans()), scale=draw(st.sampled_from([0.5, 1.0, 2.0])))
