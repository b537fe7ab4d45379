"""The rows a target adds on the RTRL step panel (lstm-rtrl): one rounding and one way of writing a column.

Issue: at one width ∂L/∂b += [-0.001807 …] sat above ∂L/∂b′ += [-0.00181 …] — equal numbers to different
digits — and ∂L/∂W += [a; b; …] (its 8×1 column) beside b's [a b …]. The numbers are checked against
BPTT's own terms (Σₖ term(1,k) per entry), not against the RTRL rows the panel prints.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import rnnstep
from rnnstep import notation as nt
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.rtrl_step import rtrl_lines

ROW = re.compile(r"^\s*∂L/∂(W′|W|b|b′) \+= \[(.*)\]$")


@pytest.fixture(scope="module")
def tape():
    return rnnstep.build_tape(rnnstep.load_scenario("lstm-rtrl"))


def _bptt_row(tape, param: str, t: int) -> np.ndarray:
    table = tape.gradients[param]
    return sum(np.asarray(table.term(i), dtype=float) for i in range(len(table)) if table.t[i] == t)


@pytest.mark.parametrize("width", range(60, 141, 2))
def test_the_rows_written_out_share_one_rounding_and_write_a_column_alike(tape, width):
    names = {"W′": "w_prime", "W": "w", "b": "b", "b′": "b_prime"}
    rows = [m for m in (ROW.match(line.plain) for line in rtrl_lines(View(tape, 0), 1, width, 6)) if m]
    digits = set()
    for m in rows:
        expected = _bptt_row(tape, names[m[1]], 1)
        entries = m[2].split("; ")
        assert len(entries) == expected.shape[0], (width, m[0])  # one entry a row: b and b′ are columns like W
        for text, value in zip(" ".join(entries).split(), np.ravel(expected)):
            matches = {d for d in (3, 4, 6) if nt.fmt(float(value), d) == text}
            assert matches, (width, m[1], text, value)
            digits.add(max(matches))
    assert len(digits) <= 1, (width, digits, [m[0] for m in rows])
    written = {m[1]: m[2] for m in rows}
    if "b" in written and "b′" in written:
        assert written["b"] == written["b′"]  # in an LSTM b and b′ add to the same a_t: the same row
