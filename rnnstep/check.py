"""``rnnstep check``: each gradient of a tape against central finite differences.

Three ways to the same number must agree: the sum of the path terms (the notes'
way), the backward recursion ∂L/∂a_k (the recursive view) and the slope of L
itself, measured by nudging the weight both ways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .ids import PARAMS
from .tape import Tape, build_tape


@dataclass(frozen=True)
class CheckRow:
    param: str
    total: float  # ∂L/∂p as the engine reports it (truncation applied)
    all_paths: float  # every term, truncated ones included: the true gradient
    recursive: float  # from ∂L/∂a_k (recursive view); same as all_paths for w_out, b_out
    finite_difference: float
    sum_ok: bool  # the running sum's total equals the sum of its untruncated terms
    gradient_ok: bool  # all_paths and recursive agree with the finite difference

    @property
    def ok(self) -> bool:
        return self.sum_ok and self.gradient_ok


def _close(a: float, b: float, scale: float, rtol: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= rtol * scale


def finite_difference(tape: Tape, param: str) -> float:
    """(L(p + h) − L(p − h)) / 2h with h scaled to the weight."""
    scenario = tape.scenario
    p = getattr(scenario, param)
    h = 1e-6 * max(1.0, abs(p))
    up = build_tape(scenario.with_weights(**{param: p + h})).loss
    down = build_tape(scenario.with_weights(**{param: p - h})).loss
    return (up - down) / (2 * h)


def check_tape(tape: Tape, rtol: float = 1e-5, on_param: Callable[[str], None] | None = None) -> list[CheckRow]:
    """One row per gradient; ``on_param(param)`` is called as each is done (for a progress bar)."""
    rows = []
    dL_da = tape.dL_da
    recursive = {
        "w": math.fsum(dL_da * tape.x),
        "w_prime": math.fsum(dL_da * tape.O_prev),
        "b": math.fsum(dL_da),
    }
    for param in PARAMS:
        table = tape.gradients[param]
        with np.errstate(all="ignore"):
            all_paths = math.fsum(table.value) if np.isfinite(table.value).all() else float("nan")
            kept = table.value[~table.truncated]
            kept_sum = math.fsum(kept) if np.isfinite(kept).all() else float("nan")
            magnitude = math.fsum(np.abs(kept)) if np.isfinite(kept).all() else float("nan")
        fd = finite_difference(tape, param)
        rec = recursive.get(param, all_paths)
        scale = max(abs(all_paths), abs(fd), 1e-3 * max(1.0, abs(tape.loss)))
        gradient_ok = _close(all_paths, fd, scale, rtol) and _close(rec, fd, scale, rtol)
        sum_ok = _close(table.total, kept_sum, max(magnitude, 1e-300), 1e-12)
        rows.append(CheckRow(param, table.total, all_paths, rec, fd, sum_ok, gradient_ok))
        if on_param is not None:
            on_param(param)
    return rows
