"""Ids of TBPTT's chunks: ``chunk[c].`` before a SPEC §6 id, e.g. ``chunk[2].gradients.w.term[6,4]``.

A chunk's steps t and uses k keep the sequence's own numbers, so an id names one value
of one chunk. Supported: ``forward.a[t]``, ``forward.O[t]`` (t in the chunk; a gated cell's
``forward.c[t]``, ``forward.gate.<g>[t]``, ``forward.a_prime[t]`` too), ``loss``,
``gradients.<p>.term[t,k]`` / ``.running_sum[t,k]`` / ``.delta[t,k]`` (a gated cell's ``.carry`` and
``.rest`` too; ``[t]`` for w_out, b_out), ``.total``, ``update.<p>.new``; a vector entry's component
index as in §7.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..ids import RECURRENT_PARAMS, IdError, ValueId, parse_id

#: the parameters whose terms are indexed (t, k): a gated cell's b′ joins w′, w, b (SPEC §8)
TERM_PARAMS = RECURRENT_PARAMS + ("b_prime",)
_PREFIX = re.compile(r"^chunk\[(?P<c>[0-9]+)\]\.(?P<rest>.+)$")


def parse_chunk_id(text: str) -> tuple[int, ValueId]:
    """(chunk number from 1, the §6 id inside it); IdError if ``text`` is not a chunk id."""
    match = _PREFIX.match(text.strip())
    if not match:
        raise IdError(f"{text!r} is not a chunk id (expected chunk[c].<id>, e.g. chunk[2].gradients.w.term[6,4])")
    return int(match["c"]), parse_id(match["rest"])


def chunk_value(tape, text: str) -> Any:
    """The value a chunk id names, from ``tape.chunks`` (a number, or an array in a vector scenario)."""
    c, vid = parse_chunk_id(text)
    if not 1 <= c <= len(tape.chunks):
        raise IdError(f"{text}: chunk {c} does not exist (this tape has {len(tape.chunks)} chunks)")
    chunk = tape.chunks[c - 1]
    value = _whole_value(tape, chunk, vid, text)
    if vid.component:
        return float(np.asarray(value)[tuple(i - 1 for i in vid.component)])
    return value


def _whole_value(tape, chunk, vid: ValueId, text: str) -> Any:
    one = (lambda v: float(np.asarray(v).reshape(-1)[0])) if not tape.vector else (lambda v: np.array(v))
    if vid.group == "loss":
        return chunk.loss
    if vid.group == "forward":
        t = vid.index[0]
        if not chunk.first <= t <= chunk.last:
            raise IdError(f"{text}: step {t} is not in chunk {chunk.index} (steps {chunk.first} … {chunk.last})")
        return one(_forward_row(chunk, vid.name, text)[t - 1])
    if vid.group == "update":
        return chunk.updates[vid.param].new
    if vid.group == "gradients":
        if vid.name == "total":
            return chunk.totals[vid.param]
        table = chunk.gradients[vid.param]
        t = vid.index[0]
        k = vid.index[1] if vid.param in TERM_PARAMS and len(vid.index) > 1 else None
        if table is None or t not in chunk.targets or (k is not None and not chunk.reach <= k <= t):
            why = f"; {chunk.reason_for(t)}" if k is not None and k < chunk.reach and chunk.reason else ""
            raise IdError(f"{text}: chunk {chunk.index} has no such term{why}")
        i = table.index_of(t, k)
        if vid.name == "term":
            return one(table.value[i]) if not tape.vector else table.term(i)
        if vid.name == "running_sum":
            return one(table.running_sum[i]) if not tape.vector else np.asarray(table.running_sum[i])
        if vid.name in ("delta", "carry", "rest") and (vid.name == "delta" or table.carry_rows is not None):
            return one(getattr(table, vid.name)(i)) if not tape.vector else getattr(table, vid.name)(i)
    raise IdError(f"{text}: a chunk id names forward.a/O, loss, gradients.<p>.term/running_sum/total or update.<p>.new")


def _forward_row(chunk, name: str, text: str):
    """The run's rows of forward value ``name``: a, O, and a gated cell's c, a_prime and gate.<g>."""
    if name.startswith("gate.") and name[len("gate."):] in chunk.run.get("gates", {}):
        return chunk.run["gates"][name[len("gate."):]]
    if name in ("a", "O") or (name in ("c", "a_prime") and name in chunk.run):
        return chunk.run[name]
    raise IdError(f"{text}: a chunk id names forward.a/O (a gated cell's forward.c, forward.gate.<g>, "
                  "forward.a_prime too), loss, gradients.<p>.term/running_sum/total or update.<p>.new")


def step_of(tape, text: str) -> int:
    """The debugger step a chunk id goes to: the debugger draws full BPTT's triangle with each term's chunk
    marked, so a chunk's value sits where its (t, k) cell, its forward step or its target is."""
    c, vid = parse_chunk_id(text)
    chunk_value(tape, text)  # checks that the chunk has this value, with the reason when it does not
    chunk = tape.chunks[c - 1]
    steps = tape.steps
    if vid.group == "forward":
        return steps.index_of(f"forward.O[{vid.index[0]}]")
    if vid.group == "loss":
        return steps.index_of(f"outputs.loss[{chunk.targets[-1]}]") if chunk.targets else steps.index_of("loss")
    if vid.group == "update":
        return steps.index_of(f"update.{vid.param}.new")
    p = vid.param
    if vid.name == "total":  # the chunk's last term: its last target, reaching back to its reach
        if not chunk.targets:
            return steps.index_of(f"update.{p}.new")
        last = chunk.targets[-1]
        return steps.index_of(f"gradients.{p}.term[{last},{chunk.reach}]" if p in TERM_PARAMS
                              else f"gradients.{p}.term[{last}]")
    where = ",".join(str(i) for i in vid.index)
    return steps.index_of(f"gradients.{p}.term[{where}]")


def check_chunk_id(text: str, T: int, targets, sizes, k1: int, k2: int, phases: bool = True) -> str:
    """A chunk id (or with ``phases`` a chunk's phase, ``chunk[2].backward.w``) as a scenario file writes it,
    checked against SPEC §9's chunks of k1 steps: its one spelling, or IdError saying what is wrong."""
    from ..ids import check_id, is_phase
    from .tbptt import exclusion_reason

    match = _PREFIX.match(text.strip())
    if not match:
        raise IdError(f"{text!r} is not a chunk id (expected chunk[c].<id>, e.g. chunk[2].gradients.w.term[6,4])")
    c, rest = int(match["c"]), match["rest"]
    count = -(-T // k1)
    if not 1 <= c <= count:
        raise IdError(f"{text}: chunk {c} does not exist (T = {T} in chunks of k1 = {k1}: chunks 1 … {count})")
    first, last = (c - 1) * k1 + 1, min(c * k1, T)
    reach = max(1, first - (k2 - k1))
    if phases and is_phase(rest):
        return f"chunk[{c}].{rest}"
    vid = parse_id(rest)
    check_id(vid, T, targets, sizes)
    here = f"chunk {c} (steps {first}–{last})"
    if vid.group in ("forward", "outputs", "gradients") and vid.name not in ("total",) and vid.index:
        t = vid.index[0]
        if not first <= t <= last:
            raise IdError(f"{text}: step {t} is not in {here}")
        if vid.group == "gradients" and vid.param in TERM_PARAMS and len(vid.index) > 1 and vid.index[1] < reach:
            raise IdError(f"{text}: {here} leaves this term out: {exclusion_reason(first, last, k1, k2, t)}")
    if vid.group == "backward":
        raise IdError(f"{text}: a chunk id names forward.a/O, outputs, loss, gradients.<p>.term/running_sum/total "
                      "or update.<p>.new")
    return f"chunk[{c}].{vid}"
