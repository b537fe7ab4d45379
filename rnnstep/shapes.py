"""The arrays of a vector scenario (SPEC §7): read, infer n, m and q, check every shape.

Every mistake is one line naming the key, the shape found, the shape expected and
where n, m or q was taken from, e.g.
``weights.w_prime: found 2×3, expected 2×2: n = 2 from weights.b``.
``read_vector`` returns plain nested tuples (a frozen scenario stays hashable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .scenario_error import describe as _describe

Matrix = tuple[tuple[float, ...], ...]
Vector = tuple[float, ...]

#: the largest hidden_size read (a 4 MiB file holds a W′ of at most about 1,400×1,400)
MAX_HIDDEN_SIZE = 1_000_000

#: keys that make a file a vector scenario when any holds an array
ARRAY_KEYS = ("weights.w", "weights.w_prime", "weights.b", "weights.w_out", "weights.b_out", "rnn.h0")


def shape_text(value: Any) -> str:
    """How a parsed value looks: a number, a list of 3 numbers, 2×3 (or what else it is: the string 'abc')."""
    if not isinstance(value, list):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "a number"
        return _describe(value)  # the reader's own words for a string, a boolean, a table (an error path)
    if value and all(isinstance(row, list) for row in value):
        widths = {len(row) for row in value}
        cols = widths.pop() if len(widths) == 1 else "?"
        return f"{len(value)}×{cols}"
    return f"an array of {len(value)} number{'s' if len(value) != 1 else ''}"


def _example(rows: int, cols: int) -> str:
    row = "[" + ", ".join("0.1" for _ in range(min(cols, 3))) + (", …" if cols > 3 else "") + "]"
    return "[" + ", ".join(row for _ in range(min(rows, 2))) + (", …" if rows > 2 else "") + "]"


def _plural(n: int) -> str:
    return f"{n} number{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class _Size:
    value: int
    origin: str  # "n = 2 from weights.b"
    sources: tuple[str, ...] = ()  # every key whose shape gives this value, most telling first
    name: str = ""

    def origin_for(self, where: str) -> str:
        """Where the size came from, for a message about ``where``: another key that set it, never ``where``
        itself ("weights.w_prime: found 2×3, expected 2×2: n = 2 from weights.b")."""
        others = [s for s in self.sources if s != where]
        if others:
            return f"{self.name} = {self.value} from {others[0]}"
        if self.sources:  # only the rejected key says so: then say which part of it
            return f"{self.name} = {self.value} from the {'rows' if self.name != 'n' or 'w_out' not in where else 'columns'} of {where}"
        return self.origin


class _Shapes:
    def __init__(self, reader, weights: dict, rnn: dict, data: dict):
        self.r, self.weights, self.rnn, self.data = reader, weights, rnn, data

    # -- reading numbers ---------------------------------------------------------------
    def number(self, value: Any, where: str) -> float:
        return self.r.number({"v": value}, "v", where)

    def numbers(self, value: list, where: str) -> Vector:
        if not value:
            raise self.r.fail(where, "expected at least one number, found an empty array")
        return tuple(self.number(v, f"{where}[{i}]") for i, v in enumerate(value, start=1))  # from 1, as ids

    def array(self, value: Any, where: str) -> float | Vector | Matrix:
        """A number, a flat list of numbers or a list of equal rows."""
        if not isinstance(value, list):
            return self.number(value, where)
        if value and all(isinstance(row, list) for row in value):
            rows = tuple(self.numbers(row, f"{where}[{i}]") for i, row in enumerate(value, start=1))
            for i, row in enumerate(rows[1:], start=2):
                if len(row) != len(rows[0]):
                    raise self.r.fail(where, f"row {i} has {_plural(len(row))}, row 1 has {len(rows[0])}:"
                                             " expected a list of rows of equal length")
            return rows
        if any(isinstance(v, list) for v in value):
            raise self.r.fail(where, "mixes numbers and lists: expected a flat list of numbers or a list of rows")
        return self.numbers(value, where)

    # -- sizes -----------------------------------------------------------------------------
    def infer(self, name: str, candidates: list[tuple[str, Any, int | None]], default: _Size) -> _Size:
        """The size most keys agree on (a tie: the earlier candidate's), with every key that gives it.

        A vote, not the first key found: one wrong key among three right ones is the one reported."""
        given = [(where, size) for where, _, size in candidates if size is not None]
        if not given:
            return default
        votes: dict[int, int] = {}
        for _, size in given:
            votes[size] = votes.get(size, 0) + 1
        value = max(votes, key=lambda v: (votes[v], -next(i for i, (_, s) in enumerate(given) if s == v)))
        sources = tuple(where for where, size in given if size == value)
        return _Size(value, f"{name} = {value} from {sources[0]}", sources, name)

    def sizes(self) -> tuple[_Size, _Size, _Size]:
        w, rnn, data = self.weights, self.rnn, self.data

        def rows(key, table, where):
            if key not in table:
                return None
            v = table[key]
            if isinstance(v, list) and v and all(isinstance(r, list) for r in v):
                return len(v)
            return 1 if not isinstance(v, list) else None

        def length(key, table):
            if key not in table:
                return None
            v = table[key]
            if not isinstance(v, list):
                return 1
            return len(v) if v and not any(isinstance(x, list) for x in v) else None

        def cols(key, table):
            v = table.get(key)
            if isinstance(v, list) and v and all(isinstance(r, list) for r in v) and v[0]:
                return len(v[0])
            if isinstance(v, list) and v and not any(isinstance(x, list) for x in v):
                return len(v)  # w_out as a flat row (q = 1)
            return None

        if "hidden_size" in rnn:
            value = rnn["hidden_size"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise self.r.fail("rnn.hidden_size", f"expected a whole number ≥ 1, found {shape_text(value) if isinstance(value, list) else repr(value)}")
            if value > MAX_HIDDEN_SIZE:  # W′ alone would hold n² numbers: far more than a scenario file can
                raise self.r.fail("rnn.hidden_size", f"expected a whole number from 1 to {MAX_HIDDEN_SIZE:,} that agrees "
                                                     f"with the weights, found {_describe(value)}")
            n = _Size(value, f"n = {value} from rnn.hidden_size", ("rnn.hidden_size",), "n")
        else:
            n = self.infer("n", [
                ("weights.w_prime", None, rows("w_prime", w, "")),
                ("weights.b", None, length("b", w)),
                ("rnn.h0", None, length("h0", rnn)),
                ("weights.w", None, rows("w", w, "")),
                ("weights.w_out", None, cols("w_out", w)),
            ], _Size(1, "n = 1 (w_prime, b and h0 are numbers)"))
        x = data.get("x")
        if isinstance(x, list) and x and isinstance(x[0], list):
            m = _Size(len(x[0]), f"m = {len(x[0])} from data.x[1]", ("data.x[1]",), "m")
        else:
            m = _Size(1, "m = 1 from data.x (a list of numbers)")
        y = data.get("y")
        y_q = None
        if isinstance(y, list) and y and all(isinstance(v, list) for v in y):
            y_q = len(y[0])
        q_candidates = [("weights.w_out", None, rows("w_out", w, "") if isinstance(w.get("w_out"), list)
                         and w["w_out"] and isinstance(w["w_out"][0], list) else None),
                        ("weights.b_out", None, length("b_out", w) if isinstance(w.get("b_out"), list) else None),
                        ("data.y[1]", None, y_q)]
        q = self.infer("q", q_candidates, _Size(1, "q = 1 (one output)"))
        return n, m, q

    # -- fitting arrays to shapes ---------------------------------------------------------------
    def matrix(self, key: str, table: dict, where: str, rows: _Size, cols: _Size, default: Matrix | None = None) -> Matrix:
        R, C = rows.value, cols.value
        origin = rows.origin_for(where) if rows is cols else f"{rows.origin_for(where)}, {cols.origin_for(where)}"
        if key not in table:
            if default is not None:
                return default
            raise self.r.fail(where, f"missing; expected a {R}×{C} matrix: {origin}")
        raw = table[key]
        value = self.array(raw, where)
        if isinstance(value, float):
            if R == C == 1:
                return ((value,),)
        elif value and isinstance(value[0], tuple):
            if len(value) == R and len(value[0]) == C:
                return value  # type: ignore[return-value]
        else:
            raise self.r.fail(where, f"found {shape_text(raw)}, expected a {R}×{C} matrix as a list of rows "
                                     f"(e.g. {_example(R, C)}): {origin}")
        raise self.r.fail(where, f"found {shape_text(raw)}, expected {R}×{C}: {origin}")

    def vector(self, key: str, table: dict, where: str, size: _Size, default: Vector | None = None) -> Vector:
        if key not in table:
            if default is not None:
                return default
            raise self.r.fail(where, f"missing; expected a list of {_plural(size.value)}: {size.origin}")
        raw = table[key]
        value = self.array(raw, where)
        if isinstance(value, float):
            if size.value == 1:
                return (value,)
        elif not (value and isinstance(value[0], tuple)) and len(value) == size.value:
            return value  # type: ignore[return-value]
        raise self.r.fail(where, f"found {shape_text(raw)}, expected a list of {_plural(size.value)}: "
                                 f"{size.origin_for(where)}")

    def inputs(self, m: _Size) -> Matrix:
        raw = self.data["x"]
        if not isinstance(raw, list):
            raise self.r.fail("data.x", f"expected an array of numbers or of lists of {_plural(m.value)}, found {shape_text(raw)}")
        if not raw:
            raise self.r.fail("data.x", "expected at least one step, found an empty array")
        if m.value == 1 and not any(isinstance(v, list) for v in raw):
            return tuple((self.number(v, f"data.x[{i}]"),) for i, v in enumerate(raw, start=1))
        out = []
        for i, item in enumerate(raw, start=1):
            if not isinstance(item, list) or any(isinstance(v, list) for v in item):
                raise self.r.fail(f"data.x[{i}]", f"found {shape_text(item)}, expected a list of {_plural(m.value)}: "
                                                 f"{m.origin_for(f'data.x[{i}]')}")
            row = self.numbers(item, f"data.x[{i}]")
            if len(row) != m.value:
                raise self.r.fail(f"data.x[{i}]", f"found {shape_text(item)}, expected a list of {_plural(m.value)}: "
                                                 f"{m.origin_for(f'data.x[{i}]')}")
            out.append(row)
        return tuple(out)

    def targets(self, q: _Size, T: int) -> Vector | Matrix:
        """(q numbers) for a target at the last step, or T tuples of q for a target at every step."""
        raw = self.data["y"]
        every = f"or a list of T = {T} lists of {_plural(q.value)} (one per step)"
        if q.value == 1:
            if not isinstance(raw, list):
                return (self.number(raw, "data.y"),)
            if raw and all(isinstance(v, list) for v in raw):
                rows = [self.numbers(v, f"data.y[{i}]") for i, v in enumerate(raw, start=1)]
                if len(rows) == T and all(len(r) == 1 for r in rows):
                    return tuple(rows)
                raise self.r.fail("data.y", f"found {shape_text(raw)}, expected {T}×1 (T = {T} from data.x): {q.origin}")
            values = self.numbers(raw, "data.y") if raw else ()
            if len(values) == 1 and T > 1:
                return values  # one list of q = 1 numbers: the last step, as for q > 1
            if len(values) != T:
                raise self.r.fail("data.y", f"expected {T} numbers (one per x), found {len(values)}")
            return tuple((v,) for v in values)
        if isinstance(raw, list) and raw and all(isinstance(v, list) for v in raw):
            if len(raw) != T:
                raise self.r.fail("data.y", f"found {shape_text(raw)}, expected a list of {_plural(q.value)} (the last step) {every}: T = {T} from data.x, {q.origin}")
            rows = []
            for i, v in enumerate(raw, start=1):
                row = self.numbers(v, f"data.y[{i}]")
                if len(row) != q.value:
                    raise self.r.fail(f"data.y[{i}]", f"found {shape_text(v)}, expected a list of {_plural(q.value)}: "
                                                     f"{q.origin_for(f'data.y[{i}]')}")
                rows.append(row)
            return tuple(rows)
        if isinstance(raw, list) and not any(isinstance(v, list) for v in raw) and len(raw) == q.value:
            return self.numbers(raw, "data.y")
        raise self.r.fail("data.y", f"found {shape_text(raw)}, expected a list of {_plural(q.value)} (the last step) {every}: {q.origin}")


@dataclass(frozen=True)
class VectorFields:
    n: int
    m: int
    q: int
    w: Matrix
    w_prime: Matrix
    b: Vector
    w_out: Matrix
    b_out: Vector
    h0: Vector
    x: Matrix
    y: Vector | Matrix


def is_vector_file(weights: dict, rnn: dict, data: dict) -> bool:
    """SPEC §7: any weight or h0 an array (or x, y given as lists of lists, or hidden_size set)."""
    if any(isinstance(weights.get(k), list) for k in ("w", "w_prime", "b", "w_out", "b_out")):
        return True
    if isinstance(rnn.get("h0"), list) or "hidden_size" in rnn:
        return True
    return any(isinstance(data.get(k), list) and any(isinstance(v, list) for v in data[k]) for k in ("x", "y"))


def read_vector(reader, weights: dict, rnn: dict, data: dict, loss: str) -> VectorFields:
    shapes = _Shapes(reader, weights, rnn, data)
    n, m, q = shapes.sizes()
    if "x" not in data:
        raise reader.fail("data.x", f"missing; expected an array of T steps, each a list of {_plural(m.value)}")
    x = shapes.inputs(m)
    w_prime = shapes.matrix("w_prime", weights, "weights.w_prime", n, n)
    w = shapes.matrix("w", weights, "weights.w", n, m)
    b = shapes.vector("b", weights, "weights.b", n)
    ones = (tuple(1.0 for _ in range(n.value)),)
    if "w_out" not in weights and q.value != 1:
        raise reader.fail("weights.w_out", f"missing; expected a {q.value}×{n.value} matrix ({q.origin}; "
                                           f"the default is a 1×n row of ones)")
    w_out = shapes.matrix("w_out", weights, "weights.w_out", q, n, default=ones)
    b_out = shapes.vector("b_out", weights, "weights.b_out", q, default=tuple(0.0 for _ in range(q.value)))
    h0 = shapes.vector("h0", rnn, "rnn.h0", n, default=tuple(0.0 for _ in range(n.value)))
    if "y" not in data:
        raise reader.fail("data.y", f"missing; expected a list of {_plural(q.value)} or {len(x)} such lists")
    y = shapes.targets(q, len(x))
    rows = y if y and isinstance(y[0], tuple) else (y,)
    for i, row in enumerate(rows, start=1):
        where = f"data.y[{i}]" if rows is y else "data.y"
        if loss == "bce" and not all(0.0 <= v <= 1.0 for v in row):
            raise reader.fail(where, f"bce needs 0 ≤ y ≤ 1, found {list(row)!r}")
        if loss == "cross_entropy":
            if not all(v >= 0.0 for v in row) or abs(math.fsum(row) - 1.0) > 1e-6:
                raise reader.fail(where, f"cross_entropy needs a probability vector (entries ≥ 0 summing to 1), "
                                         f"found {list(row)!r}")
    return VectorFields(n.value, m.value, q.value, w, w_prime, b, w_out, b_out, h0, x, y)
