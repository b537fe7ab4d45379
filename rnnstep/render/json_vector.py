"""Arrays and terms of a vector scenario's JSON trace, ``rnnstep-trace/2`` (SPEC §7); json.py lays it out.

Every vector is a list and every matrix a list of rows. Terms and running sums
are multiplied out one block at a time, so a long tape never sits in memory whole.
"""

from __future__ import annotations

import json
from typing import Iterator

import numpy as np
import orjson

from ..tape import Tape
from .json_number import num


_NUMPY = orjson.OPT_SERIALIZE_NUMPY


def _finite_text(value: np.ndarray) -> str:
    """A finite float64 array as nested JSON lists.

    orjson writes each float as its shortest round-tripping decimal (the digits
    of repr, spelt ``0.00001`` or ``1e+16``), so every number reads back exactly;
    it is about 25 times faster than ``repr`` of nested lists, and float-to-text
    is all the time a long vector trace takes (benchmarks/vector.py).
    """
    return orjson.dumps(np.ascontiguousarray(value), option=_NUMPY).decode()


def arr(value) -> str:
    """An array as nested JSON lists; non-finite entries as "inf", "-inf", "nan"."""
    value = np.asarray(value, dtype=np.float64)
    if np.isfinite(value).all():
        return _finite_text(value)
    if value.ndim == 0:
        return num(float(value))
    return "[" + ", ".join(arr(v) for v in value) + "]"


def _listed(block: np.ndarray) -> list[str]:
    """Each item of a block as JSON text."""
    if np.isfinite(block).all():
        block = np.ascontiguousarray(block)
        return [orjson.dumps(item, option=_NUMPY).decode() for item in block]
    return [arr(item) for item in block]


def vector_terms(tape: Tape, param: str, with_factors: bool) -> Iterator[str]:
    table = tape.gradients[param]
    recurrent = table.k is not None  # w_prime, w, b (and a gated cell's b_prime)
    shape = table.shape
    has_input = param not in ("b", "b_out", "b_prime")
    split = table.carry_rows is not None  # a gated cell: carry and rest beside delta (SPEC §8)
    t_list = table.t.tolist()
    k_list = table.k.tolist() if recurrent else None
    for lo, terms, running in table.blocks():
        hi = lo + len(terms)
        steps = (table.k if recurrent else table.t)[lo:hi] - 1
        deltas = table.deltas(lo, hi)
        delta_text = _listed(deltas)
        if split:
            with np.errstate(all="ignore"):
                carry_text, rest_text = _listed(table.carry_rows[lo:hi]), _listed(deltas - table.carry_rows[lo:hi])
        input_text = _listed(table.inputs[steps]) if has_input else None
        value_text = _listed(terms.reshape((len(terms),) + shape))
        running_text = _listed(running.reshape((len(terms),) + shape))
        for offset in range(len(terms)):
            i = lo + offset
            head = f'"t": {t_list[i]}, "k": {k_list[i]}' if recurrent else f'"t": {t_list[i]}'
            if with_factors:
                listed = ", ".join(
                    f'{{"symbol": {json.dumps(f.symbol, ensure_ascii=False)}, "value": {arr(f.value)}}}'
                    for f in tape.factors(param, i)
                )
                head += f', "factors": [{listed}]'
            tail = f', "truncated": {"true" if table.truncated[i] else "false"}' if recurrent else ""
            shares = f', "carry": {carry_text[offset]}, "rest": {rest_text[offset]}' if split else ""
            if recurrent and table.weight is not None:  # randomized truncation (SPEC §9)
                tail += f', "weight": {num(table.weight[i])}'
            yield (f'{{{head}, "delta": {delta_text[offset]}{shares}, '
                   f'"input": {input_text[offset] if has_input else "null"}, '
                   f'"value": {value_text[offset]}{tail}, "running_sum": {running_text[offset]}}}')
