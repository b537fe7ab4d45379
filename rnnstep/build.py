"""``build_tape``: which tape computes a scenario, and which method runs over it.

The plain cell's tape (tape.py) or a gated cell's (gated_tape.py, SPEC §8), given the
run of the scenario's training method when it is not BPTT (methods/, SPEC §9). The
choice sits above the tapes and the methods so that none of them imports another to
make it: the gated tape builds on tape.py, TBPTT's chunks on its records (terms.py),
and tape.py knows neither. Each is imported when a scenario needs it, so `rnnstep
trace`'s start-up (README: Performance) pays only for what it runs.
"""

from __future__ import annotations

from typing import Any, Callable

from .scenario import Scenario
from .tape import Tape


def build_tape(scenario: Scenario) -> Tape:
    """Compute every number of ``scenario`` and lay them out as an ordered tape."""
    if getattr(scenario, "cell", "rnn") == "rnn":
        return Tape(scenario, method_run(scenario.method))
    from .gated_tape import GatedTape  # SPEC §8: the LSTM and the GRU

    return GatedTape(scenario, method_run(scenario.method))


def method_run(method: str) -> Callable[[Tape], Any] | None:
    """How ``[train] method`` runs over a finished tape (``tape.chunks``, ``tape.rtrl``); None for BPTT and for
    truncate / randomized, a choice of terms the tape makes itself (methods/selection.py)."""
    if method == "tbptt":
        from .methods.tbptt import run_chunks

        return run_chunks
    if method == "rtrl":
        from .methods.rtrl import run_rtrl

        return run_rtrl
    return None
