"""How large a document will be, before writing it: a few numpy sums, no rendering.

Bytes per term and per factor written, measured on long tapes (±25 %): enough
to say "about 1.8 GB" before a user commits to it.
"""

from __future__ import annotations

from ..ids import factor_count
from ..tape import Tape
from .chains import shown_factor_count

_BYTES = {  # format: (per term, per factor written)
    "markdown": (127, 42),
    "latex": (246, 72),
    "table": (80, 22),
}


def factors_written(tape: Tape, full_chains: bool = False) -> tuple[int, int]:
    """(terms, factors a document writes) over every gradient."""
    terms = factors = 0
    for param, table in tape.gradients.items():
        t_of = table.t.tolist()
        k_of = table.k.tolist() if table.k is not None else [None] * len(t_of)
        terms += len(t_of)
        factors += sum(shown_factor_count(factor_count(param, t, k), full_chains) for t, k in zip(t_of, k_of))
    return terms, factors


def estimate_bytes(tape: Tape, fmt: str, full_chains: bool = False) -> int:
    if tape.vector:
        from .vector_export import estimate_bytes as vector_bytes

        return vector_bytes(tape)
    per_term, per_factor = _BYTES[fmt]
    terms, factors = factors_written(tape, full_chains)
    return terms * per_term + factors * per_factor + tape.T * 150


def human_size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError  # pragma: no cover


def full_chains_note(tape: Tape, fmt: str) -> str:
    """One line for stderr: how many factors --full-chains writes and about how large the output is."""
    terms, factors = factors_written(tape, True)
    return (f"--full-chains: {factors:,} factors in {terms:,} terms, "
            f"about {human_size(estimate_bytes(tape, fmt, True))} of {fmt}")
