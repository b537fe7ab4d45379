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
    for width in (14, 16, 20, 26, 40):
        lines = "\n".join(line.plain for line in grid(np.array([[3e-07, -1.234567e-7, 0.5], [-4.02e-7, -3.99e-7, 1]]),
                                                      6, width=width))
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


# ----------------------------------------------------------------------------- item 16: small things

def test_the_status_line_shows_L_at_the_step_that_shows_the_last_loss_equal_to_L():
    from rnnstep.scenario import shipped_scenarios
    from rnnstep.tui.panels.status import status_line

    path = next(p for p in shipped_scenarios() if p.stem == "notes-four-steps")
    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    output = tape.steps.index_of(f"outputs.loss[{tape.T}]")
    line = status_line(View(tape, output), set(), 0, [tape.loss], 0, (), 120).plain
    assert f"L = {nt.fmt(tape.loss)}" in line and "L = ·" not in line, line
    before = status_line(View(tape, output - 1), set(), 0, [tape.loss], 0, (), 120).plain
    assert "L = ·" in before


@pytest.mark.parametrize("width", range(22, 44))
def test_every_to_come_line_says_it_the_same_way(width):
    from rnnstep.scenario import shipped_scenarios
    from rnnstep.tui.panels.sums import sums_panel
    from rnnstep.tui.panels.vector_sums import sums_lines

    for path in [p for p in shipped_scenarios() if p.stem in ("target-every-step", "vanishing-gradients")]:
        tape = rnnstep.build_tape(rnnstep.load_scenario(path))
        lines = [line for line in sums_panel(View(tape, 0), width, 20).plain.splitlines() if "to come" in line]
        assert len({"term" in line for line in lines}) == 1, lines
    tape = rnnstep.build_tape(parse_scenario(vector_toml(n=3, m=2, q=2, T=12, every_step=True, seed=3), source="<t>"))
    lines = [line.plain for line in sums_lines(View(tape, 0), width, 20) if "to come" in line.plain]
    assert len({"term" in line for line in lines}) == 1, lines


def test_the_triangle_legend_says_less_at_every_width():
    from rnnstep.tui.panels.triangle import legend

    texts = {legend(w).plain for w in range(20, 120) if "·" in legend(w).plain}
    assert texts and all("less" in t and "smaller" not in t and "further" not in t for t in texts), texts


def test_a_vector_terms_heading_never_wraps_into_a_second_delta():
    """At 80×24 vanishing-vector's heading "term[12,12] = δ[12,12]ᵀ·x₁₂ᵀ" wrapped: δ[12,12]ᵀ showed twice."""
    from rnnstep.tui.panels.vector_step import step_body

    tape = rnnstep.build_tape(rnnstep.load_scenario(VECTOR_SCENARIO_DIR / "vanishing-vector.toml"))
    for param in ("w", "w_prime", "b"):
        view = View(tape, tape.steps.index_of(f"gradients.{param}.term[12,12]"))
        for width in range(40, 60):
            body = [line.plain for line in step_body(view, width, 30)]
            assert not any(line.startswith("δ[12,12]ᵀ·") for line in body), (param, width, body)


def test_a_vector_screen_spells_every_exponent_one_way():
    """‖δ[12,3]‖ = 4.75e-07 beside the grid's -1.8617e-9: every panel of a vector step writes e-7, e5."""
    from rnnstep.tui.panels.vector_view import flow_text, network_text, step_text, sums_text

    tape = rnnstep.build_tape(parse_scenario(vector_toml(n=3, m=2, q=2, T=12, every_step=True, seed=3), source="<t>"))
    for vid in ("gradients.w_prime.term[12,3]", "gradients.w.term[12,1]", "gradients.b.term[12,2]"):
        view = View(tape, tape.steps.index_of(vid))
        for width, height in ((46, 13), (88, 24), (128, 30)):
            screen = "\n".join(panel(view, width, height).plain for panel in (
                lambda v, w, h: step_text(v, w, h, "title"), sums_text, flow_text, network_text))
            assert re.search(r"\de-\d", screen), screen  # the check has exponents to look at
            assert not re.search(r"\de[+-]0\d|\de\+", screen), (vid, width, screen)
