"""TBPTT(k1, k2) (Williams & Peng 1990; the PyTorch ``detach`` loop when k1 = k2), SPEC §9.

The sequence runs in chunks of k1 steps. The chunk that starts at step s runs forward
from the carried state on the weights then in force; at its end the gradient is

    Σ term(t, k)  over its target steps t and the uses k ≥ s − (k2 − k1)

(k2 steps back from a full chunk's end), the weights are updated, and the next chunk
runs on the new weights. A term that reaches back into an earlier chunk uses that
step's values as they were run, with the weights then in force: its path multiplies
∂O_j/∂O_{j−1} = diag(f′(a_j))·W′ with the W′ that step j was run with.

Each chunk's terms are a ``TermTable`` (tape.py) over the steps as run, so the same
printers and panels read them; the terms it leaves out are listed per target as one
range k = 1 … s − (k2 − k1) − 1 with the reason, so nothing grows with T².
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..terms import TermTable, Update
from . import clipping


@dataclass
class Chunk:
    """One forward / backward / update block of TBPTT."""

    index: int  # from 1
    first: int  # s: the chunk's first step
    last: int  # its last step
    reach: int  # lo = max(1, s − (k2 − k1)): the earliest use k whose terms enter
    targets: list[int]  # the target steps t of this chunk
    losses: list[float]
    loss: float  # Σ ℓ_t over the chunk's targets (0 without one)
    gradients: dict[str, Any]  # param -> TermTable of the terms that enter (None without a target)
    totals: dict[str, Any]  # param -> ∂L_chunk/∂p
    updates: dict[str, Any]  # param -> tape.Update
    norm_clip: Any  # clipping.NormClip or None
    reason: str  # why the terms k < reach are left out ("" if none is), seen from the chunk's end
    run: dict  # "x", "a", "O", "O_prev", "f_prime", "W_prime_used": the whole sequence as run (this chunk's
    # rows are first − 1 … last − 1); "z", "yhat", "dl_dyhat", "g_prime", "to_z", "upstream": its targets' rows
    reasons: dict[int, str] = field(default_factory=dict)  # target t -> the reason as true for t's own row

    @property
    def steps(self) -> tuple[int, int]:
        return self.first, self.last

    def reason_for(self, t: int) -> str:
        """Why target t's terms k < reach are left out, true for t ("" if none is)."""
        return self.reasons.get(t, self.reason) if self.reach > 1 else ""

    def excluded(self) -> list[tuple[int, int, int]]:
        """(t, 1, reach − 1) for each target: the range of terms this chunk leaves out."""
        return [(t, 1, self.reach - 1) for t in self.targets] if self.reach > 1 else []


def exclusion_reason(first: int, last: int, k1: int, k2: int, t: int | None = None) -> str:
    """Why a chunk leaves out the terms k < s − (k2 − k1), in one line: as seen from the chunk's last step,
    or with ``t`` for target t's own row (for a target before the chunk's end, "k2 steps back from the end"
    is not its reason: the detached carried state, or where the chunk's backward pass stops, is)."""
    full = last == first + k1 - 1
    reach = max(1, first - (k2 - k1))
    if full and (t is None or t == last):  # k2 steps back from step e are e … e − k2 + 1: terms k ≤ e − k2 are out
        return f"before step {last - k2 + 1}: k2 = {k2} steps back from step {last} reach steps {last}…{last - k2 + 1}"
    c = (first - 1) // k1 + 1
    if k2 == k1:  # the state O_{s−1} came into the chunk detached: no path from step s back past it
        return f"before step {first}: the state carried into chunk {c} was detached there"
    return f"before step {reach}: chunk {c}'s backward pass from its end (step {last}) stops at step {reach} = {first} − (k2 − k1)"


def target_reasons(first: int, last: int, k1: int, k2: int, targets) -> dict[int, str]:
    """Target t -> why its terms k < reach are left out (see exclusion_reason), for a chunk that leaves any out."""
    return {int(t): exclusion_reason(first, last, k1, k2, int(t)) for t in targets}


def run_chunks(tape) -> list[Chunk]:
    """Run TBPTT(k1, k2) on the tape's scenario: one Chunk per k1 steps. The cell is the varying part
    (chunk_cells.py): how a chunk runs forward from the carried state and how its terms step back."""
    from .chunk_cells import cell_steps

    s = tape.scenario
    k1, k2, T = s.k1, s.k2, tape.T
    g, loss_fn = tape.g, tape.loss_fn
    params = tape.params
    arrays = s.arrays()
    weights = {p: arrays[p].copy() for p in params}
    y = arrays["y"]
    target_steps = np.array(s.targets, dtype=np.int64)
    y_of = {int(t): y[i] for i, t in enumerate(target_steps)}
    cell = cell_steps(tape, arrays)
    chunks: list[Chunk] = []
    for index, first in enumerate(range(1, T + 1, k1), start=1):
        last = min(first + k1 - 1, T)
        W_out, b_out = weights["w_out"], weights["b_out"]
        with np.errstate(all="ignore"):
            cell.run_forward(first, last, weights)
            O = cell.O
            targets = target_steps[(target_steps >= first) & (target_steps <= last)]
            reach = max(1, first - (k2 - k1))
            z = O[targets - 1] @ W_out.T + b_out
            yhat = np.array([g.values(v) for v in z], dtype=np.float64).reshape(z.shape)
            ys = np.array([y_of[int(t)] for t in targets], dtype=np.float64).reshape(z.shape)
            losses = np.sum(loss_fn.value(yhat, ys), axis=1) if len(targets) else np.zeros(0)
            dl = loss_fn.derivative(yhat, ys)
            if g.name == "softmax":
                to_z = yhat * dl - yhat * np.sum(yhat * dl, axis=1, keepdims=True)
            else:
                to_z = dl * g.derivative(z, yhat)  # ∂ℓ_t/∂z_t
            upstream = to_z @ W_out  # ∂ℓ_t/∂O_t
            g_prime = g.derivative(z, yhat)  # g′(z_t), shown by the debugger's factors
            gradients: dict[str, Any] = {p: None for p in params}
            totals: dict[str, Any] = {}
            if len(targets):
                gradients.update(cell.terms(targets, reach, upstream))
                no_cut = np.zeros(len(targets), dtype=bool)
                gradients["w_out"] = TermTable("w_out", targets, None, no_cut, to_z, None, O, tape.vector)
                gradients["b_out"] = TermTable("b_out", targets, None, no_cut, to_z, None, np.ones((T, 1)),
                                               tape.vector)
                totals = {p: gradients[p].total for p in params}
            else:
                totals = {p: _zero(p, tape) for p in params}
            norm_clip, clipped = clipping.clipped(totals, s.clip, s.clip_norm)
            updates = {}
            for p in params:
                old = _shaped(weights[p], p, tape)
                new = old - s.learning_rate * clipped[p]
                updates[p] = Update(old, totals[p], clipped[p], new)
                weights[p] = np.asarray(new, dtype=np.float64).reshape(weights[p].shape)
        reason = exclusion_reason(first, last, k1, k2) if reach > 1 else ""
        reasons = target_reasons(first, last, k1, k2, targets) if reach > 1 else {}
        chunks.append(Chunk(index, first, last, reach, [int(t) for t in targets], [float(v) for v in losses],
                            float(np.sum(losses)) if len(losses) else 0.0, gradients, totals, updates,
                            norm_clip, reason, {**cell.run, **cell.chunk_rows,
                                                # this chunk's targets' rows, for the debugger (chunk_tape.py)
                                                "z": z, "yhat": yhat, "dl_dyhat": dl, "to_z": to_z,
                                                "upstream": upstream,
                                                "g_prime": g_prime}, reasons))
    return chunks


def _shaped(value: np.ndarray, param: str, tape) -> Any:
    return value.reshape(tape.param_shape(param)).copy() if tape.vector else float(value.reshape(-1)[0])


def _zero(param: str, tape) -> Any:
    return np.zeros(tape.param_shape(param)) if tape.vector else 0.0


def chunk_of(scenario, t: int) -> tuple[int, int, int, int]:
    """(chunk number from 1, its first step s, its last step, its reach s − (k2 − k1)) for step t."""
    k1, k2 = scenario.k1, scenario.k2
    c = (t - 1) // k1
    first = c * k1 + 1
    return c + 1, first, min(first + k1 - 1, scenario.T), max(1, first - (k2 - k1))


def left_out(scenario, t: int, k: int) -> str:
    """Why TBPTT never adds term (t, k) of the full triangle ("" if a chunk adds it)."""
    if getattr(scenario, "method", "bptt") != "tbptt":
        return ""
    c, first, last, reach = chunk_of(scenario, t)
    if k >= reach:
        return ""
    return f"TBPTT leaves this term out (chunk {c}, steps {first}–{last}): " + exclusion_reason(
        first, last, scenario.k1, scenario.k2, t)


def used_in(scenario, t: int, k: int) -> str:
    """Where TBPTT adds term (t, k): its chunk, on the weights then in force ("" unless tbptt)."""
    if getattr(scenario, "method", "bptt") != "tbptt" or left_out(scenario, t, k):
        return ""
    c, first, last, _ = chunk_of(scenario, t)
    return f"TBPTT adds this term in chunk {c} (steps {first}–{last}), on that chunk's weights"
