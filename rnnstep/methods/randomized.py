"""Randomized truncation (d2l §9.7, SPEC §9): one coin per step, shared by every target.

For j = 2 … T a coin ξ_j is 1/π with probability π and 0 otherwise; term (t, k) is
weighted by ∏_{j=k+1}^{t} ξ_j: 0 when a stopped step lies in k+1 … t, else π^−(t−k).
Each coin has mean 1, so the weighted sum is an unbiased estimate of full BPTT.

The coins of ``seed`` are ``numpy.random.default_rng(seed).random(T − 1) < π`` (ξ_2 … ξ_T in
order); ``--samples N`` uses the seeds seed, seed + 1, …, seed + N − 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def coins(T: int, keep: float, seed: int) -> np.ndarray:
    """Which steps let the gradient through: ``flows[j − 1]`` for j = 1 … T (step 1 has no coin: True)."""
    flows = np.ones(T, dtype=bool)
    if T > 1:
        flows[1:] = np.random.default_rng(seed).random(T - 1) < keep
    return flows


def last_stop(flows: np.ndarray) -> np.ndarray:
    """For each step t (index t − 1), the latest stopped step j ≤ t (0 if none): term (t, k) survives iff k ≥ it."""
    steps = np.arange(1, flows.shape[-1] + 1)
    return np.maximum.accumulate(np.where(flows, 0, steps), axis=-1)


def term_weights(t: np.ndarray, k: np.ndarray, keep: float, flows: np.ndarray) -> np.ndarray:
    """∏_{j=k+1}^{t} ξ_j for each term: 0 if a stop lies in k+1 … t, else π^−(t−k)."""
    survives = k >= last_stop(flows)[t - 1]
    with np.errstate(over="ignore"):
        scaled = np.power(1.0 / keep, (t - k).astype(np.float64))
    return np.where(survives, scaled, 0.0)


@dataclass(frozen=True)
class Samples:
    """The estimator over N seeds, per parameter: mean, its standard error, and full BPTT's gradient."""

    count: int
    mean: dict
    stderr: dict
    full: dict


def draw_samples(tape, count: int, chunk: int = 2000) -> Samples:
    """Totals for ``count`` seeds, from the tape's cached terms: the coins only reweight them.

    For target t, the terms k = t, t − 1, … are weighted by π^−(t−k) and summed once into
    prefix sums S_t(m) (the first m + 1 terms); a seed then keeps S_t(t − last stop), one lookup
    per target, so N seeds cost N × targets lookups, not N passes over the triangle.
    """
    from ..ids import OUTPUT_PARAMS

    recurrent = [p for p in tape.params if p not in OUTPUT_PARAMS]  # a gated cell's b′ too
    s = tape.scenario
    keep, seed, T = s.keep, s.seed or 0, tape.T
    first = tape.gradients["b"]
    t_of, k_of = first.t, first.k
    factor = np.power(1.0 / keep, (t_of - k_of).astype(np.float64))
    starts = np.searchsorted(t_of, tape.targets)  # first row (k = t) of each target
    prefix = {}
    for param in recurrent:
        table = tape.gradients[param]
        weighted = np.concatenate([blk.reshape(len(blk), -1) for _, blk in _blocks(table)]) * factor[:, None]
        running = np.empty_like(weighted)
        for position, t in enumerate(tape.targets):  # within each target: k = t, t − 1, … (SPEC §3 order)
            lo, hi = int(starts[position]), int(starts[position]) + int(t)
            running[lo:hi] = np.cumsum(weighted[lo:hi], axis=0)
        prefix[param] = running
    squares = {p: np.zeros(prefix[p].shape[1:]) for p in recurrent}
    totals_sum = {p: np.zeros(prefix[p].shape[1:]) for p in recurrent}
    for lo in range(0, count, chunk):
        hi = min(lo + chunk, count)
        flows = np.stack([coins(T, keep, seed + i) for i in range(lo, hi)])
        stops = last_stop(flows)[:, tape.targets - 1]  # (seeds, targets)
        rows = starts[None, :] + (tape.targets[None, :] - np.maximum(stops, 1))  # last kept k = max(stop, 1)
        for p in recurrent:
            totals = prefix[p][rows].sum(axis=1)  # (seeds, entries)
            totals_sum[p] += totals.sum(axis=0)
            squares[p] += (totals ** 2).sum(axis=0)
    mean, stderr, full = {}, {}, {}
    for p in recurrent:
        m = totals_sum[p] / count
        variance = np.maximum(squares[p] / count - m ** 2, 0.0) * count / max(count - 1, 1)
        shape = np.shape(tape.gradients[p].total)
        mean[p] = m.reshape(shape)
        stderr[p] = np.sqrt(variance / count).reshape(shape)
    for p in OUTPUT_PARAMS:  # no path through a coin: every seed gives the full gradient
        mean[p] = np.asarray(tape.gradients[p].total, dtype=np.float64)
        stderr[p] = np.zeros_like(mean[p])
    for p in tape.params:
        full[p] = _full_total(tape, p)
    return Samples(count, mean, stderr, full)


def _blocks(table):
    for lo in range(0, len(table), 4096):
        hi = min(lo + 4096, len(table))
        with np.errstate(all="ignore"):
            yield lo, table.block(lo, hi)


def _full_total(tape, param: str) -> np.ndarray:
    """Full BPTT's ∂L/∂p: every term with weight 1."""
    table = tape.gradients[param]
    total = None
    for _, blk in _blocks(table):
        part = blk.sum(axis=0)
        total = part if total is None else total + part
    return np.asarray(total, dtype=np.float64).reshape(np.shape(table.total))
