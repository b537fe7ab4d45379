"""The weights of a gated cell (SPEC §8): stacked gates, b′ and c0, each shape checked.

    w        (G·n)×m      w_prime  (G·n)×n      b, b_prime  G·n numbers      c0  n numbers (LSTM)

G = 4 gates (i, f, g, o) for the LSTM, 3 (r, u, n) for the GRU. The one-unit form writes
each weight as a list of G numbers (``w = [0.45, 0.95, 0.7, 0.6]``). Every mistake is one
line naming the key, the shape found and expected, and the gate count:
``weights.w: found 6×1, expected 8×1: an LSTM with n = 2 stacks 4 gates (i, f, g, o) of 2 rows``.
The head, h0, x and y are read by the vector reader (shapes.py) with n fixed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .cells import cell_named
from .scenario_error import ScenarioError
from .shapes import Matrix, Vector, _Shapes, _Size, read_vector, shape_text

_CELL_NAMES = {"lstm": "an LSTM", "gru": "a GRU"}


@dataclass(frozen=True)
class GatedFields:
    n: int
    m: int
    q: int
    w: Matrix
    w_prime: Matrix
    b: Vector
    b_prime: Vector
    c0: Vector | None
    w_out: Matrix
    b_out: Vector
    h0: Vector
    x: Matrix
    y: Any


def _flat(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and not any(isinstance(v, list) for v in value)


def _rows(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, list) for v in value)


def hidden_size(reader, weights: dict, rnn: dict, gates: int) -> _Size:
    """n, and where it came from: hidden_size, W′'s columns, h0, c0, W_out's columns, b's length / G."""
    if "hidden_size" in rnn:
        value = rnn["hidden_size"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise reader.fail("rnn.hidden_size", f"expected a whole number ≥ 1, found {shape_text(value)}")
        return _Size(value, f"n = {value} from rnn.hidden_size", ("rnn.hidden_size",), "n")
    wp = weights.get("w_prime")
    if _rows(wp) and isinstance(wp[0], list) and wp[0]:
        return _Size(len(wp[0]), f"n = {len(wp[0])} from the columns of weights.w_prime", (), "n")
    for key, table in (("h0", rnn), ("c0", rnn)):
        if _flat(table.get(key)):
            size = len(table[key])
            return _Size(size, f"n = {size} from rnn.{key}", (), "n")
    wo = weights.get("w_out")
    if _rows(wo) and isinstance(wo[0], list) and wo[0]:
        return _Size(len(wo[0]), f"n = {len(wo[0])} from the columns of weights.w_out", (), "n")
    for key in ("b", "b_prime"):
        value = weights.get(key)
        if _flat(value) and len(value) % gates == 0:
            size = len(value) // gates
            return _Size(size, f"n = {size} from weights.{key} ({len(value)} = {gates}·{size})", (), "n")
    return _Size(1, "n = 1, the one-unit form", (), "n")


def read_gated(reader, weights: dict, rnn: dict, data: dict, loss: str, cell: str) -> GatedFields:
    module = cell_named(cell)
    G = len(module.GATES)
    shapes = _Shapes(reader, weights, rnn, data)
    n = hidden_size(reader, weights, rnn, G)
    N = n.value
    stacks = (f"{_CELL_NAMES[cell]} with n = {N} stacks {G} gates ({', '.join(module.GATES)}) "
              f"of {N} row{'s' if N != 1 else ''}")
    x = data.get("x")
    m = len(x[0]) if isinstance(x, list) and x and isinstance(x[0], list) and x[0] else 1

    def matrix(key: str, cols: int, cols_from: str) -> Matrix:
        where = f"weights.{key}"
        expected = f"{G * N}×{cols}"
        if key not in weights:
            raise reader.fail(where, f"missing; expected a {expected} matrix: {stacks}; {n.origin}{cols_from}")
        raw = weights[key]
        value = shapes.array(raw, where)
        if cols == 1 and isinstance(value, tuple) and value and not isinstance(value[0], tuple) \
                and len(value) == G * N:
            return tuple((v,) for v in value)  # the one-unit form: a list of G numbers (a column)
        if isinstance(value, tuple) and value and isinstance(value[0], tuple) \
                and len(value) == G * N and len(value[0]) == cols:
            return value  # type: ignore[return-value]
        raise reader.fail(where, f"found {shape_text(raw)}, expected {expected}: {stacks}; {n.origin}{cols_from}")

    def vector(key: str, where: str, table: dict, size: int, what: str) -> Vector:
        if key not in table:
            return tuple(0.0 for _ in range(size))
        raw = table[key]
        value = shapes.array(raw, where)
        if isinstance(value, float) and size == 1:
            return (value,)
        if isinstance(value, tuple) and value and not isinstance(value[0], tuple) and len(value) == size:
            return value  # type: ignore[return-value]
        raise reader.fail(where, f"found {shape_text(raw)}, expected a list of {size} number"
                                 f"{'s' if size != 1 else ''}: {what}")

    w_prime = matrix("w_prime", N, "")
    w = matrix("w", m, f", m = {m} from data.x")
    b = vector("b", "weights.b", weights, G * N, f"{stacks}; {n.origin}")
    b_prime = vector("b_prime", "weights.b_prime", weights, G * N, f"{stacks}; {n.origin}")
    c0 = vector("c0", "rnn.c0", rnn, N, n.origin) if cell == "lstm" else None
    # the head, h0, x and y: the vector reader, with n fixed by stand-in plain weights of the right shape
    stand_in = {"w_prime": [[0.0] * N for _ in range(N)], "w": [[0.0] * m for _ in range(N)], "b": [0.0] * N}
    stand_in.update({k: v for k, v in weights.items() if k in ("w_out", "b_out")})
    if "w_out" in weights and not isinstance(weights["w_out"], list) and N != 1:
        raise reader.fail("weights.w_out", f"found a number, expected a q×{N} matrix: {n.origin}")
    plain_rnn = {k: v for k, v in rnn.items() if k in ("h0",)}
    if "h0" in rnn and not isinstance(rnn["h0"], list) and N != 1:
        raise reader.fail("rnn.h0", f"found a number, expected a list of {N} numbers: {n.origin}")
    try:
        v = read_vector(reader, stand_in, plain_rnn, data, loss)
    except ScenarioError as error:  # n came from this file's gated keys, not from the stand-in
        raise reader.fail(error.key, error.message.replace(f"n = {N} from weights.w_prime", n.origin)) from None
    return GatedFields(N, v.m, v.q, w, w_prime, b, b_prime, c0, v.w_out, v.b_out, v.h0, v.x, v.y)
