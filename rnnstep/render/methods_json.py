"""The JSON sections of SPEC §9's methods, after ``update``: written by json.py's one layout.

- ``"chunks"`` (tbptt): one block per chunk of k1 steps, each with its ``steps`` [s, e], the
  ``reach`` s − (k2 − k1), its forward pass as run (a gated cell's with ``a_prime``, ``gates`` and
  ``c`` as SPEC §8's forward steps), ``loss``, ``gradients.<p>`` (``terms`` and ``total``; a gated
  cell's recurrent terms also with ``delta``, ``carry`` and ``rest``), ``excluded`` (per target, the
  range of k left out and why), ``left_out`` (per parameter, on full BPTT's tape with the starting
  weights: the number of terms of the chunk's targets it leaves out and their ``sum``; full BPTT's
  terms of the same targets, ``full`` = ``kept`` + ``sum``) and ``update``.
- ``"randomized"``: keep, seed and the coins ξ_j (j = 2 … T); each recurrent term has its ``weight``.
- ``"rtrl"``: the totals carried forward by P_t, and the cost of both methods at this n and T.
"""

from __future__ import annotations

import json
from typing import Callable, Iterator

import numpy as np

from ..ids import PARAMS
from .json_number import norm_clip_fields, num


def iter_method_sections(tape, value: Callable[[object], str], factors: bool) -> Iterator[str]:
    method = tape.scenario.method
    if method == "tbptt":
        yield ',\n  "chunks": ['
        for n, chunk in enumerate(tape.chunks):
            yield ("," if n else "") + "\n    " + "".join(_chunk(tape, chunk, value))
        yield "\n  ]"
    elif method == "randomized":
        from ..methods.randomized import coins

        s = tape.scenario
        flows = coins(tape.T, s.keep, s.seed or 0)
        xi = ", ".join(f'{{"j": {j}, "xi": {num(1 / s.keep if flows[j - 1] else 0.0)}}}' for j in range(2, tape.T + 1))
        yield f',\n  "randomized": {{"keep": {num(s.keep)}, "seed": {s.seed or 0}, "coins": [{xi}]}}'
    elif method == "rtrl":
        r = tape.rtrl
        totals = ", ".join(f'"{p}": {value(r.totals[p])}' for p in tape.params)  # a gated cell's b′ too
        cost = ", ".join(f'"{name}": {{"held": {c.held}, "multiplies_per_step": {c.multiplies}}}'
                         for name, c in (("bptt", r.bptt_cost), ("rtrl", r.rtrl_cost)))
        yield f',\n  "rtrl": {{"totals": {{{totals}}}, "cost": {{{cost}}}}}'


def _chunk(tape, chunk, value) -> Iterator[str]:
    run = chunk.run
    yield (f'{{"chunk": {chunk.index}, "steps": [{chunk.first}, {chunk.last}], "reach": {chunk.reach}, '
           f'"targets": {json.dumps(chunk.targets)}, "forward": [')
    yield ", ".join(f'{{"t": {t}, "x": {value(_row(run["x"], t, tape))}, "a": {value(_row(run["a"], t, tape))}, '
                    f'{_gated_forward(run, t, value)}"O": {value(_row(run["O"], t, tape))}}}'
                    for t in range(chunk.first, chunk.last + 1))
    yield f'], "loss": {num(chunk.loss)}, "gradients": {{'
    for n, param in enumerate(tape.params):
        yield ("," if n else "") + f'\n      "{param}": {{"terms": ['
        yield ", ".join(_terms(tape, chunk.gradients[param], param, value))
        yield f'], "total": {value(chunk.totals[param])}}}'
    excluded = ", ".join(f'{{"t": {t}, "k": [{lo}, {hi}], "reason": {json.dumps(chunk.reason_for(t), ensure_ascii=False)}}}'
                         for t, lo, hi in chunk.excluded())
    yield f'\n    }}, "excluded": [{excluded}], "left_out": {{'
    yield ", ".join(_left_out(tape, chunk, value))
    yield '}, "update": {"params": {'
    update = ("old", "grad", "clipped", "new") if tape.vector else ("old", "grad", "new")
    yield ", ".join(f'"{p}": {{' + ", ".join(f'"{k}": {value(getattr(u, k))}' for k in update) + "}"
                    for p, u in chunk.updates.items())
    yield "}" + norm_clip_fields(chunk.norm_clip) + "}}"


def _left_out(tape, chunk, value) -> Iterator[str]:
    """Per parameter, on full BPTT's tape (the starting weights, methods/detached.py): the terms of this chunk's
    targets it leaves out (k < reach), their sum, and full BPTT's terms of the same targets, all and kept."""
    from ..methods.detached import detached_sums

    for p, v in detached_sums(tape, chunk).items():
        yield (f'"{p}": {{"terms": {v.left_terms}, "sum": {value(v.left_out)}, "kept": {value(v.kept)}, '
               f'"full_terms": {v.full_terms}, "full": {value(v.full)}}}')


def _gated_forward(run: dict, t: int, value) -> str:
    """A gated chunk's forward extras as run (SPEC §8): a_prime (GRU), the gates, c (LSTM); "" for the plain cell."""
    if "gates" not in run:
        return ""
    text = f'"a_prime": {value(run["a_prime"][t - 1])}, ' if "a_prime" in run else ""
    gates = ", ".join(f'"{g}": {value(v[t - 1])}' for g, v in run["gates"].items())
    text += f'"gates": {{{gates}}}, '
    return text + (f'"c": {value(run["c"][t - 1])}, ' if "c" in run else "")


def _row(array: np.ndarray, t: int, tape):
    row = array[t - 1]
    return float(row[0]) if not tape.vector else row


def _terms(tape, table, param: str, value) -> Iterator[str]:
    if table is None:  # a chunk without a target step
        return
    recurrent = table.k is not None  # w_prime, w, b (and a gated cell's b_prime)
    split = table.carry_rows is not None  # a gated cell: δ, its carry share and the rest (SPEC §8)
    shape = table.shape
    for lo, terms, running in table.blocks():
        for offset in range(len(terms)):
            i = lo + offset
            where = f'"t": {int(table.t[i])}, "k": {int(table.k[i])}' if recurrent else f'"t": {int(table.t[i])}'
            if split:
                where += (f', "delta": {value(table.delta(i))}, "carry": {value(table.carry(i))}, '
                          f'"rest": {value(table.rest(i))}')
            if tape.vector:
                term, total = terms[offset].reshape(shape), running[offset].reshape(shape)
            else:
                term, total = float(terms[offset].reshape(-1)[0]), float(running[offset].reshape(-1)[0])
            yield f'{{{where}, "value": {value(term)}, "running_sum": {value(total)}}}'
