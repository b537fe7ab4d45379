"""Item 15: one number style per screen: one exponent spelling, one digit count in a row or column."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import rnnstep
from rnnstep import notation as nt
from rnnstep.numbers import short_exponent
from rnnstep.scenario import VECTOR_SCENARIO_DIR, parse_scenario
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.matrix import grid
from rnnstep.tui.panels.vector_flow import flow_lines
from rnnstep.tui.panels.vector_network import strip_lines
from vector_scenarios import vector_toml


def one_digit_count(texts: list[str], values: list[float]) -> bool:
    """Is there one count d with every text ``values``' rendering to d significant digits (either form)?"""
    return any(all(t in (nt.fmt(v, d), short_exponent(v, d)) for t, v in zip(texts, values)) for d in range(1, 7))


def test_a_grid_spells_every_exponent_the_same_way():
    """3e-07 (a whole rendering) beside -1e-7 (a narrow cell's): one spelling, the short one."""
    for width in (14, 16, 20, 40):
        lines = "\n".join(line.plain for line in grid(np.array([[3e-07, -1.234567e-7, 0.5]]), 6, width=width))
        exponents = re.findall(r"e[+-]?\d+", lines)
        assert exponents and all(not re.match(r"e[+-]0\d|e\+", e) for e in exponents), (width, lines)


@pytest.mark.parametrize("toml", [vector_toml(n=32, m=2, q=2, T=6, seed=1), vector_toml(n=5, m=2, q=2, T=9, seed=4),
                                  (VECTOR_SCENARIO_DIR / "vanishing-vector.toml").read_text(encoding="utf-8")],
                         ids=["n32", "n5", "vanishing-vector"])
def test_the_strips_norms_and_the_charts_values_share_one_digit_count(toml):
    tape = rnnstep.build_tape(parse_scenario(toml, source="<test>"))
    last_forward = tape.steps.phase_start("forward") + tape.T - 1
    norms = [float(np.linalg.norm(tape.O[t])) for t in range(tape.T)]
    for width in range(40, 140, 7):
        row = strip_lines(View(tape, last_forward), width, 2)[-1].plain
        texts = re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", row)
        if texts:
            shown = [v for v in norms if any(t in (nt.fmt(v, d), short_exponent(v, d)) for t in texts for d in range(1, 7))]
            assert len(shown) == len(texts) and one_digit_count(texts, shown), (width, row)
    table = tape.gradients["w_prime"]
    at = tape.steps.phase_start("backward.w_prime") + table.index_of(tape.T, 1)
    block = [float(v) for v in table.norms[table.index_of(tape.T, tape.T):][:tape.T]]
    for width in (50, 62, 70, 88):
        lines = flow_lines(View(tape, at), width, 14)
        texts, values = [], []
        for line in lines:
            m = re.match(r"\s*(\d+) back [█◂ ]*\s(-?\d[\d.]*(?:e-?\d+)?)\s", line.plain)
            if m and block[int(m.group(1))] != 0:
                texts.append(m.group(2))
                values.append(block[int(m.group(1))])
        assert one_digit_count(texts, values), (width, texts)
