"""Randomized truncation on the debugger's panels (SPEC §9): the running sums add what they show, and the
step panel says which coins a term's weight comes from. The weights are the scenario's coins drawn here."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

import rnnstep
from rnnstep import notation as nt
from rnnstep.printed import printed
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.step import step_panel
from rnnstep.tui.panels.sums import sums_panel
from test_methods import my_coins

ROW = re.compile(r"^\s*[✓▶]\s*\[(\d+),(\d+)\]\s+(\S+) Σ (\S+)\s*$")
TERM_ROW = re.compile(r"^\s*([✓✗▶])\s*\[(\d+),(\d+)\]\s+(\S+) Σ (\S+)\s*$")


def _lines(renderable, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable, crop=False, soft_wrap=False)
    return console.export_text().splitlines()


@pytest.fixture(scope="module")
def tape():
    return rnnstep.build_tape(rnnstep.load_scenario("randomized-truncation"))


def test_each_running_sum_is_the_one_above_plus_the_number_beside_it(tape):
    """[30,30] −0.0052195 Σ −0.0052195, then [30,29]: the row shows 1.25·term, not the bare term."""
    s = tape.scenario
    xi = my_coins(s.T, s.keep, s.seed)
    table = tape.gradients["w_prime"]
    cursor = tape.steps.index_of("gradients.w_prime.term[30,26]")
    rows = [ROW.match(line) for line in _lines(sums_panel(View(tape, cursor), 60, 30), 60)]
    rows = [m for m in rows if m and not m[3].startswith("0·")]
    assert [(int(m[1]), int(m[2])) for m in rows] == [(30, 30), (30, 29), (30, 28), (30, 27)]  # [30,26] is cut
    assert "weight·term Σ" in "\n".join(_lines(sums_panel(View(tape, cursor), 60, 30), 60))
    previous = 0.0
    for m in rows:
        t, k = int(m[1]), int(m[2])
        weight = 1.0
        for j in range(k + 1, t + 1):
            weight *= xi[j]
        term = float(table.term(table.index_of(t, k)))
        assert m[3] == nt.fmt(weight * term)  # what the running sum adds
        assert abs(previous + float(m[3]) - float(m[4])) <= 2e-6 * max(1.0, abs(float(m[4])))
        previous = float(m[4])
    assert rows[1][3] == nt.fmt(1.25 * float(table.term(table.index_of(30, 29))))
    assert printed(-0.0052195) + printed(float(rows[1][3])) == pytest.approx(float(rows[1][4]), abs=1e-7)


def test_the_step_panel_names_the_coins_a_weight_comes_from(tape):
    def shown(where: str, width: int = 100) -> str:
        view = View(tape, tape.steps.index_of(f"gradients.w_prime.term{where}"))
        return " ".join("\n".join(_lines(step_panel(view, width, 30), width)).split())

    one_back = shown("[30,29]")
    assert "weight π^−1 = 1.25: the coin at step 30 let the gradient through" in one_back
    assert "between steps 30 and 30" not in one_back
    assert "weight π^−2 = 1.5625: no coin at steps 29…30 stopped the gradient" in shown("[30,28]")
    assert "weight 1: term [30,30] crosses no step, so no coin applies" in shown("[30,30]")
    assert "weight 1 (t = k: no coin)" in shown("[30,30]", 46)


@pytest.mark.parametrize("width", [40, 60])
def test_a_dropped_term_is_marked_not_added_and_adds_zero(tape, width):
    """Issue: `✓ [30,26]  0.014617` read as added (✓) and its raw term sat in the weight·term column though
    step 37 says it was dropped. Every row: Σ = the Σ above + the number shown, ✗ exactly where a coin
    among steps k+1 … t came up 0 (the coins drawn here, not the tape's weights)."""
    s = tape.scenario
    xi = my_coins(s.T, s.keep, s.seed)
    table = tape.gradients["w_prime"]
    last = tape.steps.index_of("gradients.w_prime.term[30,1]")
    lines = _lines(sums_panel(View(tape, last), width, 40), width)
    rows = [m for m in map(TERM_ROW.match, lines) if m]
    assert [(int(m[2]), int(m[3])) for m in rows] == [(30, k) for k in range(30, 0, -1)]
    previous, dropped = 0.0, 0
    for m in rows:
        mark, t, k, shown, total = m[1], int(m[2]), int(m[3]), m[4], float(m[5])
        weight = 1.0
        for j in range(k + 1, t + 1):
            weight *= xi[j]
        term = float(table.term(table.index_of(t, k)))
        if weight == 0.0:
            dropped += 1
            assert mark == ("▶" if k == 1 else "✗"), m[0]
            assert shown.startswith("0·") and float(shown[2:]) == pytest.approx(term, rel=1e-4, abs=1e-12), m[0]
            added = 0.0
        else:
            assert mark == "✓", m[0]
            added = float(shown)
            assert shown == nt.fmt(weight * term)
        assert abs(previous + added - total) <= 2e-6 * max(1.0, abs(total)), m[0]
        previous = total
    assert dropped == 26  # the coin at step 27 stops every path from k = 26 back
