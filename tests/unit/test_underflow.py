"""Item 11: a term that underflowed (every factor nonzero, the product below the smallest double) is not
a zero: the screen, the chart, the JSON and the documents say so; a true zero (O₀ = 0) is not marked."""

from __future__ import annotations

import io
import json
import math

import pytest
from rich.console import Console

import rnnstep
from rnnstep.render.json import iter_json
from rnnstep.render.latex import render_latex
from rnnstep.render.markdown import render_markdown
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.flow import flow_chart
from rnnstep.tui.panels.step import step_panel
from rnnstep.tui.panels.sums import sums_panel
from rnnstep.underflow import term_log10, underflowed

T = 200
# σ′ ≤ 0.25 and w′ = 0.01: each step back multiplies a path by less than 10^-2.6, so past ~120 steps the
# product is below 5e-324 and stored as 0 while no factor is 0; O₀ = 0 makes each ∂L/∂w′ term [t,1] a true 0
TOML = f"""
[rnn]
activation = "sigmoid"
[weights]
w = 0.8
w_prime = 0.01
b = -0.2
[data]
x = {[round(0.1 + 0.8 * ((i * 37) % 11) / 11, 3) for i in range(T)]}
y = 1.0
"""


@pytest.fixture(scope="module")
def tape():
    return rnnstep.build_tape(rnnstep.load_scenario(TOML))


def lines(renderable, width: int = 120) -> str:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable, crop=False, soft_wrap=False)
    return console.export_text()


def test_which_terms_underflowed_matches_the_sum_of_their_factors_logs(tape):
    table = tape.gradients["w_prime"]
    for k in (1, 2, 50, 100, 150, T - 10, T):
        i = table.index_of(T, k)
        logs = [math.log10(abs(f.value)) if f.value else -math.inf for f in tape.factors("w_prime", i)]
        expected = sum(logs)  # independent: the factors one by one
        assert term_log10(tape, "w_prime", i) == pytest.approx(expected, abs=1e-6) or expected == -math.inf
        zero = float(table.value[i]) == 0
        assert underflowed(tape, "w_prime", i) == (zero and math.isfinite(expected)), k
    assert underflowed(tape, "w_prime", table.index_of(T, 50))  # far back: 0, every factor nonzero
    assert not underflowed(tape, "w_prime", table.index_of(T, 1))  # ∂⁺O₁/∂w′ = f′(a₁)·O₀ = 0: a true zero
    assert not underflowed(tape, "w_prime", table.index_of(T, T))  # nearest: not 0 at all


def test_the_screen_and_the_chart_mark_underflow_and_not_a_true_zero(tape):
    far = tape.steps.index_of(f"gradients.w_prime.term[{T},50]")
    first = tape.steps.index_of(f"gradients.w_prime.term[{T},1]")
    step = lines(step_panel(View(tape, far), 100, 30))
    assert "underflow" in step and "10⁻" in step, step
    assert "underflow" not in lines(step_panel(View(tape, first), 100, 30))
    assert "underflow 0" in lines(sums_panel(View(tape, far), 44, 14))
    sums_at_first = lines(sums_panel(View(tape, first), 44, 14))
    assert "▶ [200,1]" in sums_at_first and "underflow" not in sums_at_first.split("▶ [200,1]")[1].splitlines()[0]
    assert "◂ underflow" in lines(flow_chart(View(tape, far, flow_paged=True), 100, 10))
    assert "underflow" in lines(flow_chart(View(tape, far), 100, 10))  # the overview's band of it


def test_json_and_documents_mark_underflow(tape):
    data = json.loads("".join(iter_json(tape, factors=False)))
    terms = {(term["t"], term["k"]): term for term in data["gradients"]["w_prime"]["terms"]}
    assert terms[(T, 50)]["value"] == 0 and terms[(T, 50)]["underflow"] is True
    assert terms[(T, 1)]["value"] == 0 and "underflow" not in terms[(T, 1)]
    assert "underflow" not in terms[(T, T)]
    markdown = render_markdown(tape)
    line = next(i for i, text in enumerate(markdown.splitlines()) if text.startswith(f"- t = {T}, k = 50:"))
    assert "underflow" in markdown.splitlines()[line + 1]
    first = next(i for i, text in enumerate(markdown.splitlines()) if text.startswith(f"- t = {T}, k = 1:"))
    assert "underflow" not in markdown.splitlines()[first + 1]
    assert r"\text{(underflow: no factor is 0)}" in render_latex(tape)
