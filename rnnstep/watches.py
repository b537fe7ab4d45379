"""Watches: value ids pinned to a line that follows the debugger's cursor.

A watch is a SPEC §6 id, whole (``forward.O[2]``, ``gradients.w.total``) or
without its indices (``gradients.w.running_sum``, ``forward.O``, ``backward.dL_da``):
the latter follows the cursor, showing the latest value of that kind computed at
or before it (the running sum after the current term of ∂L/∂w; O_t of the last
forward step passed). A value not yet computed at the cursor says at which step it
will be. Nothing here formats numbers: the panel asks numbers.fit.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import ids
from .ids import GATED_PARAMS, GATED_RECURRENT, PARAMS, RECURRENT_PARAMS, cell_of


class WatchError(ValueError):
    """A watch that names no value: one sentence."""


#: kinds a watch may name without indices
_OPEN_KINDS = {"forward.a", "forward.O", "outputs.z", "outputs.yhat", "outputs.loss", "backward.dL_dO",
               "backward.dL_da", *(f"gradients.{p}.{n}" for p in PARAMS for n in ("term", "running_sum")),
               *(f"gradients.{p}.delta" for p in RECURRENT_PARAMS)}


def open_kinds(sizes) -> set[str]:
    """The kinds a watch may name without indices on this network: a gated cell (SPEC §8) adds its
    gates, c (LSTM) or ã (GRU), b′, and the carry and rest of every recurrent term."""
    cell = cell_of(sizes)
    if cell == "rnn":
        return _OPEN_KINDS
    from .cells import cell_named

    spec = cell_named(cell)
    return {*_OPEN_KINDS, *(f"forward.gate.{g}" for g in spec.GATES),
            "forward.c" if spec.CARRY == "c" else "forward.a_prime",
            *(f"gradients.{p}.{n}" for p in GATED_PARAMS for n in ("term", "running_sum")),
            *(f"gradients.{p}.{n}" for p in GATED_RECURRENT for n in ("delta", "carry", "rest"))}


@dataclass(frozen=True)
class Watch:
    text: str  # as the user wrote it, canonical
    vid: ids.ValueId | None  # a whole id; None for an open kind
    kind: str = ""  # an open kind, e.g. gradients.w.running_sum


@dataclass(frozen=True)
class Seen:
    """What a watch shows at the cursor: the id it resolved to, the value (None if not yet), and when."""

    label: str
    value: Any
    step: int | None  # the step the value is (or will be) computed at
    note: str = ""


def parse_watch(text: str, T: int, targets: tuple[int, ...], sizes: tuple[int, int, int] | None = None) -> Watch:
    """A watch of a network with T steps and these target steps (``sizes`` for a vector scenario)."""
    if not isinstance(text, str) or not text.strip():
        raise WatchError("expected a value id to watch, e.g. gradients.w.running_sum or forward.O[2]")
    body = text.strip()
    if body in open_kinds(sizes):
        return Watch(body, None, body)
    try:
        vid = ids.parse_id(body)
        ids.check_id(vid, T, targets, sizes)
    except ids.IdError as exc:
        raise WatchError(f"{exc}; or a kind without indices such as gradients.w.running_sum") from None
    return Watch(str(vid), vid)


def tape_watch(text: str, tape) -> Watch:
    return parse_watch(text, tape.T, tape.scenario.targets, tape.sizes)


def seen_at(watch: Watch, tape, cursor: int) -> Seen:
    """The watch's value at the cursor (the latest of its kind for an open kind)."""
    if watch.vid is not None:
        step = tape.step_of(watch.vid)
        if step > cursor:
            return Seen(watch.text, None, step, f"computed at step {step + 1}")
        try:
            return Seen(watch.text, tape.value(watch.vid), step)
        except ids.IdError:  # a term a TBPTT chunk leaves out (methods/chunk_tape.py): no value to show
            return Seen(watch.text, None, step, "left out by TBPTT")
    resolved = _latest(watch.kind, tape, cursor)
    if resolved is None:
        first = _first(watch.kind, tape)
        return Seen(watch.kind, None, first, f"first computed at step {first + 1}" if first is not None else "")
    vid = ids.parse_id(resolved)
    return Seen(resolved, tape.value(vid), tape.step_of(vid))


def _candidates(kind: str, tape) -> list[str]:
    group, _, rest = kind.partition(".")
    if group == "forward":
        return [f"{kind}[{t}]" for t in range(1, tape.T + 1)]
    if group == "outputs":
        return [f"{kind}[{int(t)}]" for t in tape.targets]
    if group == "backward":
        return [f"{kind}[{t}]" for t in range(tape.T, 0, -1)]
    return []


def _latest(kind: str, tape, cursor: int) -> str | None:
    if kind.startswith("gradients."):
        _, param, name = kind.split(".")
        table = tape.gradients[param]
        start = tape.steps.phase_start(f"backward.{param}")
        if hasattr(tape, "chunk_tape"):  # TBPTT stepped chunk by chunk: the latest of the cursor's chunk
            c, _ = tape.steps.locate(cursor)
            table = tape.chunk_tape(c).gradients[param]
            start = tape.steps.phase_start(f"chunk[{c}].backward.{param}") if len(table) else cursor + 1
        i = min(cursor - start, len(table) - 1)
        if i < 0:
            return None
        where = f"{int(table.t[i])},{int(table.k[i])}" if table.k is not None else f"{int(table.t[i])}"
        return f"{kind}[{where}]"
    # in list order the steps only grow (forward t = 1…T, the recursion k = T…1), so one binary search
    candidates = _candidates(kind, tape)
    where = bisect.bisect_right(candidates, cursor, key=lambda text: tape.step_of(ids.parse_id(text)))
    return candidates[where - 1] if where else None


def _first(kind: str, tape) -> int | None:
    if kind.startswith("gradients."):
        _, param, _ = kind.split(".")
        return tape.steps.phase_start(f"backward.{param}")
    candidates = _candidates(kind, tape)
    return tape.step_of(ids.parse_id(candidates[0])) if candidates else None


def as_number(value: Any) -> float | None:
    """A watch's value as one number where it is one (a 1-entry array too), else None."""
    if value is None:
        return None
    array = np.asarray(value, dtype=float)
    return float(array.reshape(-1)[0]) if array.size == 1 else None
