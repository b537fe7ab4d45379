"""The slowest checks, shortened by default and whole with RNNSTEP_FULL_TESTS=1 in the environment (FULL).

A walk over every step of a shipped scenario visits every step of a short tape and, of a long one, the first and
last step of every phase and a seeded spread between (the same steps on every run); the random-key fuzz runs
three seeds, not six; the download stress test takes ten screenshots a tab, not twenty."""

from __future__ import annotations

import os
import random

FULL = os.environ.get("RNNSTEP_FULL_TESTS") == "1"
SHORT = 30  # a tape of at most this many steps is walked whole


def steps_to_visit(tape, spread: int = 12, seed: int = 0) -> list[int]:
    """Every step if FULL or the tape is short; else every phase's ends and ``spread`` more, seeded."""
    n = len(tape.steps)
    if FULL or n <= SHORT:
        return list(range(n))
    ends = {i for _, lo, hi in tape.steps.phase_bounds() for i in (lo, hi - 1)}
    rest = sorted(set(range(n)) - ends)
    return sorted(ends | set(random.Random(seed).sample(rest, min(spread, len(rest)))))
