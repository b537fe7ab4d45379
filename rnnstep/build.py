"""``build_tape``: which tape computes a scenario, and which method runs over it.

The plain cell's tape (tape.py) or a gated cell's (gated_tape.py, SPEC §8), given the
run of the scenario's training method when it is not BPTT (methods/, SPEC §9). The
choice sits above the tapes and the methods so that none of them imports another to
make it: the gated tape builds on tape.py, TBPTT's chunks on its records (terms.py),
and tape.py knows neither.
"""

from __future__ import annotations

from typing import Any, Callable

from .gated_tape import GatedTape
from .methods.rtrl import run_rtrl
from .methods.tbptt import run_chunks
from .scenario import Scenario
from .tape import Tape

#: the methods that run over a finished tape, by ``[train] method``; BPTT (and truncate / randomized,
#: a choice of terms, methods/selection.py) is the tape itself
METHOD_RUNS: dict[str, Callable[[Tape], Any]] = {"tbptt": run_chunks, "rtrl": run_rtrl}


def build_tape(scenario: Scenario) -> Tape:
    """Compute every number of ``scenario`` and lay them out as an ordered tape."""
    tape_class = Tape if getattr(scenario, "cell", "rnn") == "rnn" else GatedTape  # SPEC §8: the LSTM and the GRU
    return tape_class(scenario, METHOD_RUNS.get(scenario.method))
