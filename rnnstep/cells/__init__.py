"""One module per recurrent cell (SPEC §7 plain, §8 LSTM and GRU), behind one small interface.

A cell says, for one step and nothing else: its forward equations, its state layout,
its gates and their notation, the immediate partials ∂s_k/∂(pre-activations at k) that
give δₓ and δₕ, its Jacobian blocks J_j = ∂s_j/∂s_{j−1} and its carry diagonal. The
tape, the printers and the checks ask the cell; no formula is written once per cell
anywhere else. ``cell_named`` picks one by the file's ``[rnn] cell``.
"""

from __future__ import annotations

CELLS = ("rnn", "lstm", "gru")


def cell_named(name: str):
    """The module of the cell called ``name`` (one of CELLS)."""
    if name == "lstm":
        from . import lstm

        return lstm
    if name == "gru":
        from . import gru

        return gru
    if name == "rnn":
        from . import rnn

        return rnn
    raise ValueError(f"unknown cell {name!r}")


def gate_count(name: str) -> int:
    return len(cell_named(name).GATES) if name != "rnn" else 1
