"""What TBPTT's detach throws away, in numbers (SPEC §9): per chunk and parameter, on full BPTT's tape.

A chunk adds, for each of its targets t, the terms k = reach … t and leaves out k = 1 … reach − 1.
``detached_sums`` puts numbers on both halves with full BPTT's terms (the starting weights, the
steps as full BPTT runs them), over the same target steps as the chunk:

    full BPTT over the chunk's targets  =  kept (k ≥ reach)  +  left out (k < reach)

For chunk 1 (the starting weights) the kept half is the chunk's own gradient; a later chunk ran on
the weights the chunks before it updated, so its own gradient differs from the kept half by what
those updates changed.

Full BPTT's terms of one target run k = t … 1 (terms.py), so the kept half of target t is the
start of its run and the left-out half the rest. With plain numbers each is a difference of two
running sums, O(1) per target and parameter, so the whole is linear in T; where such a difference
is so much smaller than the running sums that their rounding could reach its sixth digit (a
vanishing tail far below the near terms), its terms are added directly instead. Added directly,
terms are one product Δᵀ·X of their δ rows and input rows (each term is δ ⊗ input), never a
matrix per term; a vector tape adds them so (its running sums are rebuilt a block at a time, which
costs more than reading the δ rows the tape holds once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: below this |difference| / |running sum| a difference of running sums is added term by term instead
_CANCELLATION = 1e-6


@dataclass(frozen=True)
class Detached:
    """One parameter of one chunk, on full BPTT's tape (the starting weights)."""

    targets: tuple[int, ...]  # the chunk's target steps
    full: Any  # Σ over those targets of every term (t, k): full BPTT's gradient restricted to them
    full_terms: int
    kept: Any  # Σ of the terms (t, k ≥ reach): the ones the chunk adds
    left_out: Any  # Σ of the terms (t, k < reach): the ones the chunk leaves out
    left_terms: int


def detached_sums(full_tape, chunk) -> dict[str, Detached]:
    """Per parameter: full BPTT's terms over ``chunk``'s targets, split into the kept and the left-out ones."""
    return {p: _split(full_tape.gradients[p], chunk.targets, chunk.reach, full_tape.vector) for p in full_tape.params}


def _split(table, targets: list[int], reach: int, vector: bool) -> Detached:
    zero = np.zeros(table.shape) if vector else 0.0
    full, kept, left = zero, zero, zero
    full_terms = left_terms = 0
    for t in targets:
        start = int(np.searchsorted(table.t, t))  # the first term of target t (k = t, or w_out's single term)
        if table.k is None:
            end = mid = start  # one term per target: nothing to leave out
        else:
            end = start + t - 1  # k = 1
            mid = start + t - max(1, reach)  # k = reach: the last term the chunk adds
        if vector:  # a running sum of a vector tape is rebuilt from its block: the product is cheaper
            kept_t, left_t = _added(table, start, mid + 1, vector), _added(table, mid + 1, end + 1, vector)
            full = full + kept_t + left_t
        else:
            kept_t, left_t = _between(table, start - 1, mid, vector), _between(table, mid, end, vector)
            full = full + _between(table, start - 1, end, vector)
        kept, left = kept + kept_t, left + left_t
        full_terms += end - start + 1
        left_terms += end - mid
    return Detached(tuple(targets), full, full_terms, kept, left, left_terms)


def _sum_to(table, i: int, vector: bool) -> Any:
    """The running sum up to and including term i (0 before the first)."""
    if i < 0:
        return np.zeros(table.shape) if vector else 0.0
    value = table.running_sum[i]
    return np.asarray(value, dtype=np.float64).reshape(table.shape) if vector else float(value)


def _between(table, a: int, b: int, vector: bool) -> Any:
    """Σ of the terms a+1 … b as full BPTT adds them (a truncated term adds 0): S_b − S_a, or term by term
    where the difference is too small beside the sums for their rounding to leave its digits whole."""
    if b <= a:
        return np.zeros(table.shape) if vector else 0.0
    high, low = _sum_to(table, b, vector), _sum_to(table, a, vector)
    with np.errstate(all="ignore"):
        difference = np.asarray(high - low, dtype=np.float64)
        scale = np.maximum(np.abs(np.asarray(high, dtype=np.float64)), np.abs(np.asarray(low, dtype=np.float64)))
        if not np.all(np.isfinite(difference)) or np.any(np.abs(difference) < _CANCELLATION * scale):
            return _added(table, a + 1, b + 1, vector)
    return difference.reshape(table.shape) if vector else float(difference)


def _added(table, lo: int, hi: int, vector: bool) -> Any:
    """Terms lo … hi − 1 added (with their weights; a truncated one adds 0): each term is δ ⊗ input (SPEC §7),
    so their sum is one product Δᵀ·X of the δ rows and the input rows, not a matrix per term."""
    steps = (table.k if table.k is not None else table.t)[lo:hi] - 1
    factor = np.where(table.truncated[lo:hi], 0.0, 1.0 if table.weight is None else table.weight[lo:hi])
    with np.errstate(all="ignore"):
        total = (table.deltas(lo, hi) * factor[:, None]).T @ table.inputs[steps]
    return total.reshape(table.shape) if vector else float(total.reshape(-1)[0])
