"""A gated cell's terms split by route (SPEC §8): ‖carry term‖ and ‖rest term‖ of every term.

term = carry term + rest term, each an outer product with the same input, so
‖carry term‖ = ‖carry‖·‖input‖ and ‖rest term‖ = ‖rest‖·‖input‖. The panels read these
norms from here: the gradient-flow chart (carry_flow.py), the t×k triangle (its
whole / carry / rest switch) and the network strip's carry lane (carry_lane.py).
"""

from __future__ import annotations

import weakref

import numpy as np

#: the triangle's switch, in the order its key cycles through
SPLITS = ("whole", "carry", "rest")

_norms: "weakref.WeakKeyDictionary[object, dict[str, np.ndarray]]" = weakref.WeakKeyDictionary()


def gated(tape) -> bool:
    """Is the tape's cell a gated one (its recurrent terms have a carry share)?"""
    return getattr(tape, "cell", None) is not None and getattr(tape.cell, "CARRY", None) is not None


def split_norms(table, split: str) -> np.ndarray:
    """‖term‖ (split "whole", the tape's own norms), ‖carry term‖ or ‖rest term‖ of every term of ``table``.

    Computed once per table (O(terms), as ``TermTable.norms``); a table without a carry (the plain cell,
    W_out, b_out) has carry 0 and rest = the whole term."""
    if split == "whole":
        return table.norms
    cached = _norms.setdefault(table, {})
    if split not in cached:
        if table.carry_rows is None:
            cached["carry"], cached["rest"] = np.zeros(len(table)), table.norms
        else:
            steps = (table.k if table.k is not None else table.t) - 1
            with np.errstate(all="ignore"):
                inputs = np.linalg.norm(table.inputs[steps], axis=1)
                delta = table.deltas(0, len(table))
                cached["carry"] = np.linalg.norm(table.carry_rows, axis=1) * inputs
                cached["rest"] = np.linalg.norm(delta - table.carry_rows, axis=1) * inputs
    return cached[split]


def next_split(split: str) -> str:
    return SPLITS[(SPLITS.index(split) + 1) % len(SPLITS)]
