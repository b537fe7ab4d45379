"""Read a screen as a student would: every decimal number on it must be a value of the tape,
shown whole (its --digits rendering) or correctly rounded to fewer digits — never cut."""

from __future__ import annotations

import re
import numpy as np
from pathlib import Path

from rnnstep import notation as nt

# a decimal number as the screen shows one: 0.0563, -5.32762e-12, 1e-05, 0., and the short exponent
# form of a narrow grid cell (numbers.fit's compact): -7.25e-4, 3.1e5 (no plus sign, no padding zero)
NUMBER = re.compile(r"(?<![\w.′])-?\d+(?:\.\d*)?(?:e[+-]?\d+)?(?![\w′])")
DECIMAL = re.compile(r"\.|e")


def renderings(value: float, digits: int = 6) -> set[str]:
    """Every way the one formatter may show ``value``: whole, or rounded to fewer digits."""
    return {nt.fmt(value, d) for d in range(1, digits + 1)}


def allowed_numbers(tape, digits: int = 6) -> set[str]:
    """The renderings of every value of the tape and every number the scenario file states."""
    out: set[str] = set()
    for vid in tape.value_ids():
        out |= renderings(float(tape.value(vid)), digits)
    s = tape.scenario
    for value in [*tape.x.tolist(), *tape.y.tolist(), *tape.O_prev.tolist(), *tape.f_prime.tolist(), tape.loss,
                  *tape.losses.tolist(), *tape.z.tolist(), s.learning_rate, s.h0, *(s.weights().values()),
                  *([s.clip] if s.clip else [])]:
        out |= renderings(float(value), digits)
    for u in tape.updates.values():
        out |= renderings(u.old, digits) | renderings(u.grad, digits) | renderings(u.clipped, digits)
    if s.loss == "bce":  # the loss line writes ln(1 − ŷ) with its number, and ∂ℓ/∂ŷ·∂ŷ/∂z = ŷ − y
        for yhat, y in zip(tape.yhat.tolist(), tape.y.tolist()):
            out |= renderings(1 - yhat, digits) | renderings(yhat - y, digits) | renderings(1 - y, digits)
    out |= method_numbers(tape, digits)
    for t in tape.targets:
        fused = tape.fused_output_gradient(t)
        if fused is not None:
            out |= renderings(fused, digits)
    source = Path(s.source)
    if source.is_file():  # numbers a teacher wrote in notes, claims, the description
        out |= set(NUMBER.findall(source.read_text(encoding="utf-8")))
    if s.claims:
        from rnnstep.verify import verify

        for r in verify(tape).results:
            if r.recomputed is not None:
                out |= renderings(r.recomputed, digits)
    return out


def method_values(tape) -> list[float]:
    """SPEC §9's numbers a screen may show: term weights, clip_norm, keep, ‖g‖, the scale, the angle by value,
    TBPTT's last weights, RTRL's P_t and rows."""
    values: list[float] = []
    s = tape.scenario
    weights = tape.gradients["b"].weight
    if weights is not None:
        values += sorted(set(weights.tolist()))
        for table in tape.gradients.values():  # the running sums panel shows weight·term, what Σ adds
            if table.weight is not None and not tape.vector:
                values += (np.asarray(table.value, dtype=float) * table.weight).tolist()
    values += [float(v) for v in (s.clip_norm, s.keep) if v is not None]
    if tape.norm_clip is not None:
        from rnnstep.methods.clipping import value_clip_angle

        values += [tape.norm_clip.norm, tape.norm_clip.scale]
        angle = value_clip_angle({p: u.grad for p, u in tape.updates.items()}, tape.norm_clip.limit)
        values += [angle] if angle is not None else []
    if tape.chunks:
        for u in tape.chunks[-1].updates.values():
            values += np.ravel(np.asarray(u.new, dtype=float)).tolist()
        values += chunk_values(tape)
    if tape.rtrl is not None and tape.rtrl.history is not None:
        values += [*tape.rtrl.history.ravel().tolist(), *tape.rtrl.rows.ravel().tolist()]
    return values


def chunk_values(tape) -> list[float]:
    """TBPTT stepped chunk by chunk (methods/chunk_tape.py): every value of every chunk as the debugger shows it,
    its loss, its weights and update, and its factors (f′(a_j)·w′ with the w′ step j was run with)."""
    from rnnstep.methods.chunk_tape import ChunkTape

    values: list[float] = []
    for c in range(1, len(tape.chunks) + 1):
        chunk = ChunkTape(tape, c)
        for vid in chunk.value_ids():
            if ".factor[" in vid:
                continue  # the factors, below, a term at a time
            values += np.ravel(np.asarray(chunk.value(vid), dtype=float)).tolist()
        for u in chunk.updates.values():
            values += [float(v) for v in np.ravel([u.old, u.grad, u.clipped, u.new])]
        values += [chunk.loss, *chunk.losses.tolist()] if not tape.vector else [chunk.loss]
        for split in chunk.detached.values():  # full BPTT's terms of the chunk's targets: all, kept, left out
            values += [float(v) for v in np.ravel([split.full, split.kept, split.left_out])]
            values += [float(np.linalg.norm(split.left_out)), float(np.max(np.abs(split.left_out)))]  # a summary
        if not tape.vector:
            values += [*chunk.backprop_factor.tolist(), *chunk.W_prime_used[:, 0, 0].tolist(),
                       *chunk.dyhat_dO.tolist(), *(float(v) for v in chunk.immediate_partial.values() for v in v)]
    return values


def method_numbers(tape, digits: int = 6) -> set[str]:
    out: set[str] = set()
    for value in method_values(tape):
        out |= renderings(float(value), digits)
    return out


def cut_numbers(screen: str, allowed: set[str]) -> list[str]:
    """The decimal numbers on ``screen`` that are not a whole or correctly rounded tape value."""
    bad = []
    for line in screen.splitlines():
        for match in NUMBER.finditer(line):
            text = match.group()
            if not DECIMAL.search(text):
                continue  # a whole number (a step, a count, an index) is not checked
            after = line[match.end():match.end() + 1]
            if text.endswith(".") and after == " ":  # the full stop of a sentence ("f′(a₂) = 0. Every")
                continue
            if text.endswith(".") or after == "…" or text not in allowed:
                bad.append(f"{text!r} in {line.strip()!r}")
    return bad
