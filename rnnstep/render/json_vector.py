"""The trace of a vector scenario as strict JSON, ``rnnstep-trace/2`` (SPEC §7), streamed.

Every vector is a list and every matrix a list of rows. Terms and running sums
are multiplied out one block at a time, so a long tape never sits in memory whole.
"""

from __future__ import annotations

import json
from typing import Iterator

import numpy as np

from ..ids import PARAMS, RECURRENT_PARAMS
from ..tape import Tape
from .json import VECTOR_FORMAT, _list, _plain, num


def arr(value) -> str:
    """An array as nested JSON lists; non-finite entries as "inf", "-inf", "nan"."""
    value = np.asarray(value, dtype=np.float64)
    if np.isfinite(value).all():
        return json.dumps(value.tolist())  # the C encoder writes repr(float): exact round trip
    if value.ndim == 0:
        return num(float(value))
    return "[" + ", ".join(arr(v) for v in value) + "]"


def iter_vector_json(tape: Tape, factors: bool = True) -> Iterator[str]:
    s = tape.scenario
    yield "{\n"
    yield f'  "format": "{VECTOR_FORMAT}",\n'
    yield '  "scenario": ' + json.dumps(_plain(s.to_dict()), ensure_ascii=False) + ",\n"
    yield '  "forward": ['
    yield from _list((f'{{"t": {t}, "x": {arr(tape.x[t-1])}, "a": {arr(tape.a[t-1])}, "O": {arr(tape.O[t-1])}}}'
                      for t in range(1, tape.T + 1)), "    ")
    yield '\n  ],\n  "outputs": ['
    yield from _list((f'{{"t": {int(t)}, "z": {arr(tape.z[i])}, "yhat": {arr(tape.yhat[i])}, '
                      f'"y": {arr(tape.y[i])}, "loss": {num(tape.losses[i])}}}'
                      for i, t in enumerate(tape.targets)), "    ")
    yield f'\n  ],\n  "loss": {num(tape.loss)},\n  "backward": ['
    yield from _list((f'{{"t": {t}, "dL_dO": {arr(tape.dL_dO[t-1])}, "dL_da": {arr(tape.dL_da[t-1])}}}'
                      for t in range(1, tape.T + 1)), "    ")
    yield '\n  ],\n  "gradients": {'
    for n, param in enumerate(PARAMS):
        yield ("," if n else "") + f'\n    "{param}": {{"terms": ['
        yield from _list(_terms(tape, param, factors), "      ")
        yield f'\n    ], "total": {arr(tape.gradients[param].total)}}}'
    yield '\n  },\n  "update": {'
    yield f'"learning_rate": {num(s.learning_rate)}, "clip": {"null" if s.clip is None else num(s.clip)}, "params": {{'
    yield ", ".join(f'"{p}": {{"old": {arr(u.old)}, "grad": {arr(u.grad)}, "clipped": {arr(u.clipped)}, '
                    f'"new": {arr(u.new)}}}' for p, u in tape.updates.items())
    yield "}}\n}\n"


def _terms(tape: Tape, param: str, with_factors: bool) -> Iterator[str]:
    table = tape.gradients[param]
    recurrent = param in RECURRENT_PARAMS
    shape = table.shape
    for lo, terms, running in table.blocks():
        for offset in range(len(terms)):
            i = lo + offset
            parts = [f'"t": {int(table.t[i])}']
            if recurrent:
                parts.append(f'"k": {int(table.k[i])}')
            if with_factors:
                listed = ", ".join(
                    f'{{"symbol": {json.dumps(f.symbol, ensure_ascii=False)}, "value": {arr(f.value)}}}'
                    for f in tape.factors(param, i)
                )
                parts.append(f'"factors": [{listed}]')
            inputs = table.input(i)
            parts.append(f'"delta": {arr(table.delta(i))}')
            parts.append(f'"input": {"null" if inputs is None else arr(inputs)}')
            parts.append(f'"value": {arr(terms[offset].reshape(shape))}')
            if recurrent:
                parts.append(f'"truncated": {"true" if table.truncated[i] else "false"}')
            parts.append(f'"running_sum": {arr(running[offset].reshape(shape))}')
            yield "{" + ", ".join(parts) + "}"
