"""The trace as strict JSON (SPEC §5), written in chunks so long tapes stream.

Non-finite numbers become the strings "inf", "-inf" and "nan".
"""

from __future__ import annotations

import json
import math
from typing import Iterator, TextIO

from ..ids import PARAMS, RECURRENT_PARAMS
from ..tape import Tape

FORMAT = "rnnstep-trace/1"
VECTOR_FORMAT = "rnnstep-trace/2"  # SPEC §7


def num(x: float) -> str:
    """A float64 as a JSON token: repr round-trips it exactly."""
    x = float(x)
    if math.isfinite(x):
        return repr(x)
    return '"nan"' if math.isnan(x) else ('"inf"' if x > 0 else '"-inf"')


def _plain(value):
    """Scenario values for json.dumps, with non-finite floats as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _list(items: Iterator[str], indent: str) -> Iterator[str]:
    first = True
    for item in items:
        yield ("" if first else ",") + "\n" + indent + item
        first = False


def iter_json(tape: Tape, factors: bool = True) -> Iterator[str]:
    """The JSON text of the trace, in chunks."""
    if tape.vector:
        from .json_vector import iter_vector_json

        yield from iter_vector_json(tape, factors)
        return
    s = tape.scenario
    yield "{\n"
    yield f'  "format": "{FORMAT}",\n'
    yield '  "scenario": ' + json.dumps(_plain(s.to_dict()), ensure_ascii=False) + ",\n"
    yield '  "forward": ['
    yield from _list((f'{{"t": {t}, "x": {num(tape.x[t-1])}, "a": {num(tape.a[t-1])}, "O": {num(tape.O[t-1])}}}'
                      for t in range(1, tape.T + 1)), "    ")
    yield '\n  ],\n  "outputs": ['
    yield from _list((f'{{"t": {int(t)}, "z": {num(tape.z[i])}, "yhat": {num(tape.yhat[i])}, '
                      f'"y": {num(tape.y[i])}, "loss": {num(tape.losses[i])}}}'
                      for i, t in enumerate(tape.targets)), "    ")
    yield f'\n  ],\n  "loss": {num(tape.loss)},\n  "backward": ['
    yield from _list((f'{{"t": {t}, "dL_dO": {num(tape.dL_dO[t-1])}, "dL_da": {num(tape.dL_da[t-1])}}}'
                      for t in range(1, tape.T + 1)), "    ")
    yield '\n  ],\n  "gradients": {'
    for n, param in enumerate(PARAMS):
        yield ("," if n else "") + f'\n    "{param}": {{"terms": ['
        yield from _list(_terms(tape, param, factors), "      ")
        yield f'\n    ], "total": {num(tape.gradients[param].total)}}}'
    yield '\n  },\n  "update": {'
    yield f'"learning_rate": {num(s.learning_rate)}, "clip": {"null" if s.clip is None else num(s.clip)}, "params": {{'
    yield ", ".join(f'"{p}": {{"old": {num(u.old)}, "grad": {num(u.grad)}, "new": {num(u.new)}}}'
                    for p, u in tape.updates.items())
    yield "}}\n}\n"


def _terms(tape: Tape, param: str, with_factors: bool) -> Iterator[str]:
    table = tape.gradients[param]
    recurrent = param in RECURRENT_PARAMS
    t_list, values, sums = table.t.tolist(), table.value.tolist(), table.running_sum.tolist()
    k_list = table.k.tolist() if recurrent else None
    truncated = table.truncated.tolist()
    for i in range(len(values)):
        parts = [f'"t": {t_list[i]}']
        if recurrent:
            parts.append(f'"k": {k_list[i]}')
        if with_factors:
            factors = ", ".join(
                f'{{"symbol": {json.dumps(f.symbol, ensure_ascii=False)}, "value": {num(f.value)}}}'
                for f in tape.factors(param, i)
            )
            parts.append(f'"factors": [{factors}]')
        parts.append(f'"value": {num(values[i])}')
        if recurrent:
            parts.append(f'"truncated": {"true" if truncated[i] else "false"}')
        parts.append(f'"running_sum": {num(sums[i])}')
        yield "{" + ", ".join(parts) + "}"


def write_json(tape: Tape, out: TextIO, factors: bool = True) -> None:
    for chunk in iter_json(tape, factors):
        out.write(chunk)
