"""The trace as strict JSON (SPEC §5), written in chunks so long tapes stream.

Non-finite numbers become the strings "inf", "-inf" and "nan".
"""

from __future__ import annotations

import json
import math
from typing import Callable, Iterator, TextIO

from ..ids import RECURRENT_PARAMS
from ..tape import Tape
from ..usertext import json_escaped
from ..underflow import underflowed
from .json_number import norm_clip_fields, num
from .json_vector import arr, vector_terms
from .methods_json import iter_method_sections

__all__ = ["FORMAT", "GATED_FORMAT", "VECTOR_FORMAT", "iter_json", "norm_clip_fields", "num", "write_json"]

FORMAT = "rnnstep-trace/1"
VECTOR_FORMAT = "rnnstep-trace/2"  # SPEC §7
GATED_FORMAT = "rnnstep-trace/3"  # SPEC §8


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
    """The JSON text of the trace, in chunks: SPEC §5 with plain numbers, §7's rnnstep-trace/2 with arrays."""
    if getattr(tape, "cell", None) is not None:  # an LSTM or a GRU: rnnstep-trace/3 (SPEC §8)
        yield from _document(tape, GATED_FORMAT, arr, vector_terms, ("old", "grad", "clipped", "new"), factors)
    elif tape.vector:
        yield from _document(tape, VECTOR_FORMAT, arr, vector_terms, ("old", "grad", "clipped", "new"), factors)
    else:
        yield from _document(tape, FORMAT, num, _terms, ("old", "grad", "new"), factors)


def _document(tape: Tape, form: str, value: Callable[[object], str],
              terms: Callable[[Tape, str, bool], Iterator[str]], update: tuple[str, ...],
              factors: bool) -> Iterator[str]:
    """The one layout of both formats; ``value`` writes a number or an array, ``terms`` a param's terms."""
    s = tape.scenario
    yield "{\n"
    yield f'  "format": "{form}",\n'
    yield '  "scenario": ' + json_escaped(json.dumps(_plain(s.to_dict()), ensure_ascii=False)) + ",\n"
    yield '  "forward": ['
    yield from _list((f'{{"t": {t}, "x": {value(tape.x[t-1])}, "a": {value(tape.a[t-1])}, '
                      f'{_gated_forward(tape, t, value)}"O": {value(tape.O[t-1])}}}' for t in range(1, tape.T + 1)), "    ")
    yield '\n  ],\n  "outputs": ['
    yield from _list((f'{{"t": {int(t)}, "z": {value(tape.z[i])}, "yhat": {value(tape.yhat[i])}, '
                      f'"y": {value(tape.y[i])}, "loss": {num(tape.losses[i])}}}'
                      for i, t in enumerate(tape.targets)), "    ")
    yield f'\n  ],\n  "loss": {num(tape.loss)},\n  "backward": ['
    yield from _list((f'{{"t": {t}, "dL_dO": {value(tape.dL_dO[t-1])}, "dL_da": {value(tape.dL_da[t-1])}}}'
                      for t in range(1, tape.T + 1)), "    ")
    yield '\n  ],\n  "gradients": {'
    for n, param in enumerate(tape.params):
        yield ("," if n else "") + f'\n    "{param}": {{"terms": ['
        yield from _list(terms(tape, param, factors), "      ")
        yield f'\n    ], "total": {value(tape.gradients[param].total)}}}'
    yield '\n  },\n  "update": {'
    yield f'"learning_rate": {num(s.learning_rate)}, "clip": {"null" if s.clip is None else num(s.clip)}, "params": {{'
    yield ", ".join(f'"{p}": {{' + ", ".join(f'"{k}": {value(getattr(u, k))}' for k in update) + "}"
                    for p, u in tape.updates.items())
    yield "}" + norm_clip_fields(tape.norm_clip) + "}"
    yield from method_sections(tape, value, factors)  # SPEC §9: chunks, coins, RTRL (methods_json.py)
    yield "\n}\n"


def _gated_forward(tape: Tape, t: int, value: Callable[[object], str]) -> str:
    """A gated cell's forward extras (SPEC §8): a_prime (GRU), the gates, c (LSTM); empty for the plain cell."""
    if getattr(tape, "cell", None) is None:
        return ""
    text = f'"a_prime": {value(tape.a_prime[t - 1])}, ' if tape.a_prime is not None else ""
    gates = ", ".join(f'"{g}": {value(tape.gates[g][t - 1])}' for g in tape.cell.GATES)
    text += f'"gates": {{{gates}}}, '
    return text + (f'"c": {value(tape.c[t - 1])}, ' if tape.c is not None else "")


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
            if table.weight is not None:  # randomized truncation (SPEC §9)
                parts.append(f'"weight": {num(table.weight[i])}')
        if values[i] == 0 and underflowed(tape, param, i):  # 0 with no zero factor: the double ran out
            parts.append('"underflow": true')
        parts.append(f'"running_sum": {num(sums[i])}')
        yield "{" + ", ".join(parts) + "}"


def method_sections(tape: Tape, value: Callable[[object], str], factors: bool) -> Iterator[str]:
    yield from iter_method_sections(tape, value, factors)


def write_json(tape: Tape, out: TextIO, factors: bool = True) -> None:
    for chunk in iter_json(tape, factors):
        out.write(chunk)
