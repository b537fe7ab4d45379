"""``rnnstep check``: each gradient of a tape against central finite differences.

Three ways to the same number must agree: the sum of the path terms (the notes'
way), the backward recursion ∂L/∂a_k (the recursive view) and the slope of L
itself, measured by nudging the weight both ways. In a vector scenario (SPEC §7)
every entry of every gradient is a row of its own, nudged on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .build import build_tape
from .ids import PARAMS
from .tape import Tape


@dataclass(frozen=True)
class CheckRow:
    param: str
    total: float  # ∂L/∂p as the engine reports it (truncation applied)
    all_paths: float  # every term, truncated ones included: the true gradient
    recursive: float  # from ∂L/∂a_k (recursive view); same as all_paths for w_out, b_out
    finite_difference: float
    sum_ok: bool  # the running sum's total equals the sum of its untruncated terms
    gradient_ok: bool  # all_paths and recursive agree with the finite difference
    entry: tuple[int, ...] = ()  # (i, j) from 1 in a vector scenario

    @property
    def ok(self) -> bool:
        return self.sum_ok and self.gradient_ok

    @property
    def entry_text(self) -> str:
        """[i,j] for one entry of a vector scenario's gradient; empty for plain numbers."""
        return "[" + ",".join(map(str, self.entry)) + "]" if self.entry else ""


def _close(a: float, b: float, scale: float, rtol: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= rtol * scale


def _sum(values: np.ndarray) -> float:
    """An exact sum (fsum) of finite values; with ±inf or nan among them, what plain addition gives
    (fsum raises on inf + -inf)."""
    return math.fsum(values) if np.isfinite(values).all() else float(np.sum(values))


def finite_difference(tape: Tape, param: str) -> float:
    """(L(p + h) − L(p − h)) / 2h with h scaled to the weight."""
    scenario = tape.scenario
    p = getattr(scenario, param)
    h = 1e-6 * max(1.0, abs(p))
    up = build_tape(scenario.with_weights(**{param: p + h})).loss
    down = build_tape(scenario.with_weights(**{param: p - h})).loss
    return (up - down) / (2 * h)


def check_tape(tape: Tape, rtol: float = 1e-5, on_param: Callable[[str], None] | None = None) -> list[CheckRow]:
    """One row per gradient (per entry, for a vector scenario); ``on_param(param)`` is called as each
    gradient is done (for a progress bar)."""
    if tape.vector:
        with np.errstate(all="ignore"):  # overflowed values are shown and flagged, never a warning on stderr
            return _check_vector(tape, rtol, on_param)
    rows = []
    dL_da = tape.dL_da
    with np.errstate(all="ignore"):  # an overflowed tape: ±inf and nan are values to show and flag
        recursive = {
            "w": _sum(dL_da * tape.x),
            "w_prime": _sum(dL_da * tape.O_prev),
            "b": _sum(dL_da),
        }
    for param in PARAMS:
        table = tape.gradients[param]
        with np.errstate(all="ignore"):
            all_paths = math.fsum(table.value) if np.isfinite(table.value).all() else float("nan")
            weighted = table.value if table.weight is None else table.value * table.weight  # SPEC §9
            kept = weighted[~table.truncated]
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


def finite_difference_entry(tape: Tape, param: str, entry: tuple[int, ...]) -> float:
    """(L(p + h·e) − L(p − h·e)) / 2h for one entry e (from 0) of a weight of a vector scenario."""
    scenario = tape.scenario
    p = np.array(getattr(scenario, param), dtype=np.float64)
    h = 1e-6 * max(1.0, abs(float(p[entry])))
    up, down = p.copy(), p.copy()
    up[entry] += h
    down[entry] -= h
    return (build_tape(scenario.with_weights(**{param: up})).loss
            - build_tape(scenario.with_weights(**{param: down})).loss) / (2 * h)


def _sums(table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entry by entry: the sum of every term, of the untruncated ones, and of their magnitudes."""
    all_paths = np.zeros(table.block(0, 1).shape[1:])
    kept, magnitude = all_paths.copy(), all_paths.copy()
    for lo in range(0, len(table), 256):
        block = table.block(lo, min(lo + 256, len(table)))
        keep = ~table.truncated[lo:lo + 256]
        all_paths += block.sum(axis=0)
        if table.weight is not None:  # randomized truncation adds weight·term (SPEC §9)
            block = block * table.weight[lo:lo + 256, None, None]
        kept += block[keep].sum(axis=0)
        magnitude += np.abs(block[keep]).sum(axis=0)
    return all_paths, kept, magnitude


def _check_vector(tape: Tape, rtol: float, on_param: Callable[[str], None] | None = None) -> list[CheckRow]:
    dL_da = tape.dL_da
    dL_da_prime = getattr(tape, "dL_da_prime", dL_da)  # a GRU's recurrent side ∂L/∂ã_k (SPEC §8); else ∂L/∂a_k
    recursive = {"w": dL_da.T @ tape.x, "w_prime": dL_da_prime.T @ tape.O_prev, "b": dL_da.sum(axis=0)[:, None],
                 "b_prime": dL_da_prime.sum(axis=0)[:, None]}
    rows = []
    for param in tape.params:
        table = tape.gradients[param]
        with np.errstate(all="ignore"):
            all_paths, kept, magnitude = _sums(table)
            total = np.asarray(table.total).reshape(all_paths.shape)
            rec = recursive.get(param, all_paths)
        shape = np.shape(getattr(tape.scenario, param))
        for entry in np.ndindex(all_paths.shape):
            weight_entry = entry[: len(shape)]
            fd = finite_difference_entry(tape, param, weight_entry)
            a, r, t, k = (float(v[entry]) for v in (all_paths, rec, total, kept))
            scale = max(abs(a), abs(fd), 1e-3 * max(1.0, abs(tape.loss)))
            gradient_ok = _close(a, fd, scale, rtol) and _close(r, fd, scale, rtol)
            finite = np.isfinite(magnitude[entry])
            sum_ok = bool(finite) and _close(t, k, max(float(magnitude[entry]), 1e-300), 1e-12)
            rows.append(CheckRow(param, t, a, r, fd, sum_ok, gradient_ok, tuple(i + 1 for i in weight_entry)))
        if on_param is not None:
            on_param(param)
    return rows
