"""Every ``a = b = c`` a screen or a document prints is a chain of true equalities (issue 18 items 1, 7).

Each chain is parsed and both sides evaluated from the PRINTED numbers (tests/formula_eval.py,
no eval): an ``=`` must hold to the printed digits (what a student multiplying the printed numbers
gets), an ``≈`` says where the printed inputs do not reproduce the printed result."""

from __future__ import annotations

import io
import math
import re

import pytest
from rich.console import Console

import rnnstep
from rnnstep import notation as nt
from rnnstep.render.markdown import render_markdown
from rnnstep.render.table import table_lines
from rnnstep.render.vector_export import iter_vector_derivation
from rnnstep.scenario import shipped_gated_scenarios, shipped_scenarios, shipped_vector_scenarios
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.step import step_panel
from rnnstep.tui.panels.vector_step import step_body
from formula_eval import NotNumeric, agree, evaluate, false_equalities

SCALAR = shipped_scenarios()
VECTOR = shipped_vector_scenarios()
GATED = shipped_gated_scenarios()


def _text(renderable, width: int = 400) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable, crop=False, soft_wrap=True)
    return console.export_text().splitlines()


def _tape(path):
    return rnnstep.build_tape(rnnstep.load_scenario(path))


def test_the_evaluator_reads_the_printed_forms():
    assert evaluate("1.5 − 0.01·clip(33156.9, ±5)") == pytest.approx(1.45)
    assert evaluate("−[1·ln 0.631 + 0·ln 0.369]") == pytest.approx(0.46045, abs=1e-5)
    assert evaluate("tanh(0.5·1 + (-0.3)·0.462 + 0.1)") == pytest.approx(math.tanh(0.4614))
    assert evaluate("σ(0.5)·(1 − σ(0.5))") == pytest.approx(0.235004, abs=1e-6)
    assert evaluate("1 − 0.53705²") == pytest.approx(0.711577, abs=1e-6)
    assert evaluate("-1.82467×10⁻⁵ × 2") == pytest.approx(-3.64934e-5)
    assert false_equalities("1.5 − 0.01·clip(33156.9, ±5) = 5 = 1.45") == [
        "1.5 − 0.01·clip(33156.9, ±5) = 5  (1.45 vs 5.0)", "5 = 1.45  (5.0 vs 1.45)"]
    assert false_equalities("0.181975·1.4 = 0.254764")  # what the student gets: 0.254765
    assert not false_equalities("0.181975·1.4 ≈ 0.254764")
    assert not false_equalities("a₁ = x₁·w + b = 1·0.5 + 0.1 = 0.6")


@pytest.mark.parametrize("path", SCALAR, ids=lambda p: p.stem)
def test_every_scalar_step_panel_line_is_a_true_chain(path):
    tape = _tape(path)
    wrong = []
    for cursor in range(len(tape.steps)):
        if len(tape.steps) > 3000 and cursor % 7:
            continue
        for text in _text(step_panel(View(tape, cursor), 400, 400)):
            wrong += [f"step {cursor + 1}: {w}" for w in false_equalities(text)]
    assert not wrong, "\n".join(wrong[:20])


@pytest.mark.parametrize("path", VECTOR, ids=lambda p: p.stem)
def test_every_vector_step_panel_line_is_a_true_chain(path):
    tape = _tape(path)
    wrong = []
    for cursor in range(0, len(tape.steps), max(1, len(tape.steps) // 400)):
        for line in step_body(View(tape, cursor), 300, 200):
            wrong += [f"step {cursor + 1}: {w}" for w in false_equalities(line.plain)]
    assert not wrong, "\n".join(wrong[:20])


@pytest.mark.parametrize("path", SCALAR + VECTOR + GATED, ids=lambda p: p.stem)
def test_every_printed_and_markdown_line_is_a_true_chain(path):
    tape = _tape(path)
    document = "".join(iter_vector_derivation(tape, 6, "markdown", False)) if tape.vector else render_markdown(tape)
    lines = list(table_lines(tape, width=300)) + document.splitlines()
    wrong = [w for text in lines for w in false_equalities(text)]
    assert not wrong, "\n".join(wrong[:20])


# what may stand just before a matrix in a chain: a relation, an operator, another matrix (a product of numbers)
_BEFORE_A_MATRIX = re.compile(r"(=|\\approx|\\end\{bmatrix\}(\^\{T\})?|\\quad|\\right\]\^\{T\}|\\left\[|\\cdot|\(|\+|-)$")


@pytest.mark.parametrize("path", SCALAR + VECTOR + GATED, ids=lambda p: p.stem)
def test_a_formula_and_its_value_have_a_relation_between_them(path):
    """Try-out: `\\mathrm{term}_{b_{out}}(1) = \\frac{∂ℓ₁}{∂z₁}^{T} \\begin{bmatrix} 0.0363134 \\end{bmatrix}^{T}` read
    as the formula times its value (a gated cell's output-layer term with a target at every step). In every
    markdown and LaTeX chain a matrix of numbers follows a relation, an operator or another matrix, never
    a symbol."""
    tape = _tape(path)
    documents = ["".join(iter_vector_derivation(tape, 6, style, False)) for style in ("markdown", "latex")] \
        if tape.vector else [render_markdown(tape)]
    wrong = []
    for document in documents:
        for m in re.finditer(r"\\begin\{bmatrix\}", document):
            before = document[document.rfind("\n", 0, m.start()) + 1:m.start()].rstrip()
            if not _BEFORE_A_MATRIX.search(before):
                wrong.append(before[-120:])
    assert not wrong, "\n".join(wrong[:5])


def test_the_clipped_update_reads_as_true_equalities():
    """The issue's line: `= 1.5 − 0.01·clip(33156.9, ±5) = 1.5 − 0.01·5 = 1.45`."""
    tape = _tape(rnnstep.scenario.SCENARIO_DIR / "exploding-gradients-clipped.toml")
    cursor = tape.steps.index_of("update.w_prime.new") if hasattr(tape.steps, "index_of") else next(
        i for i, s in enumerate(tape.steps) if s.kind == "update" and s.param == "w_prime")
    text = "\n".join(_text(step_panel(View(tape, cursor), 200, 40)))
    assert "1.5 − 0.01·clip(33156.9, ±5) = 1.5 − 0.01·5 = 1.45" in text
    assert "1.5 − 0.01·clip(33156.9, ±5) = 1.5 − 0.01·5 = **1.45**" in render_markdown(tape)
    assert nt.fmt(1.45) in text


@pytest.mark.parametrize("path", SCALAR, ids=lambda p: p.stem)
def test_a_factor_row_says_approximately_where_its_printed_inputs_miss(path):
    """Each factor row reads `symbol  formula  with numbers  value`: the numbers, multiplied as
    printed, give the value shown, or the row says ≈ (the issue's `0.181975·1.4` → 0.254764)."""
    tape = _tape(path)
    wrong, approximate = [], 0
    for cursor, step in enumerate(tape.steps):
        if step.kind != "term" or (len(tape.steps) > 3000 and cursor % 7):
            continue
        for text in _text(step_panel(View(tape, cursor), 400, 400)):
            columns = [c for c in re.split(r"\s{2,}", text.strip()) if c]
            if len(columns) != 4 or columns[0] == "factor":
                continue
            numbers, value = columns[2], columns[3]
            try:
                again, shown = evaluate(numbers.removesuffix(" ≈")), float(value)
            except (NotNumeric, ValueError, ZeroDivisionError):
                continue
            if numbers.endswith(" ≈"):
                approximate += 1
                if agree(again, shown):
                    wrong.append(f"step {cursor + 1}: {text.strip()} (needs no ≈)")
            elif not agree(again, shown):
                wrong.append(f"step {cursor + 1}: {text.strip()}")
    assert not wrong, "\n".join(wrong[:20])


def _latex_as_text(line: str) -> str:
    """A LaTeX line read as the formula it typesets (only what the chain check needs)."""
    for tex, text in ((r"\\[6pt]", ""), (r"\\", ""), ("&=", "="), ("&", ""), (r"\approx", "≈"), (r"\cdot", "·"),
                      (r"\times", "×"), (r"\operatorname{clip}", "clip"), (r"\pm", "±"), (r"\quad", " "),
                      (r"\left", ""), (r"\right", ""), (r"\Bigl", ""), (r"\Bigr", "")):
        line = line.replace(tex, text)
    line = re.sub(r"(\d(?:\.\d+)?) ×\s*10\^\{(-?\d+)\}", r"\1e\2", line)
    return re.sub(r"\s+", " ", line).strip()


@pytest.mark.parametrize("path", SCALAR, ids=lambda p: p.stem)
def test_every_latex_line_is_a_true_chain(path):
    from rnnstep.render.latex import render_latex

    tape = _tape(path)
    wrong = [w for text in render_latex(tape).splitlines() for w in false_equalities(_latex_as_text(text))]
    assert not wrong, "\n".join(wrong[:20])


def _bmatrix(body: str) -> list[list[float]]:
    body = re.sub(r"(-?\d+(?:\.\d+)?) \\times 10\^\{(-?\d+)\}", r"\1e\2", body)
    return [[float(x) for x in row.split("&")] for row in body.split(r"\\") if row.strip()]


@pytest.mark.parametrize("path", VECTOR, ids=lambda p: p.stem)
def test_an_outer_product_says_approximately_where_its_printed_entries_miss(path):
    """term = δᵀ·inputᵀ with numbers: each printed entry must be what the printed δ and input give,
    or the relation before it is ≈ (checked entry by entry, by the test's own arithmetic)."""
    import numpy as np

    tape = _tape(path)
    for style in ("markdown", "latex"):
        text = "".join(iter_vector_derivation(tape, 6, style, False)).replace(" \\\\\n&", " ")
        found = re.findall(r"\\begin\{bmatrix\}([^{}]*?)\\end\{bmatrix\}\^\{T\} \\begin\{bmatrix\}([^{}]*?)\\end\{bmatrix\}"
                           r"\s*(=|\\approx)\s*\\begin\{bmatrix\}([^{}]*?)\\end\{bmatrix\}", text)
        assert found
        for delta, given, sign, term in found:
            again = np.outer(np.ravel(_bmatrix(delta)), np.ravel(_bmatrix(given)))
            shown = np.asarray(_bmatrix(term))
            reproduces = all(agree(float(a), float(b)) for a, b in zip(np.ravel(again), np.ravel(shown)))
            assert (sign == "=") == reproduces, (delta, given, sign, term)


@pytest.mark.parametrize("path", VECTOR, ids=lambda p: p.stem)
def test_a_vector_forward_grid_says_approximately_where_its_printed_inputs_miss(path):
    """W·x_t + W′·O_{t−1} + b = a_t drawn as grids: "≈" exactly where the printed entries, redone by the
    test's own arithmetic, give another last digit of a_t."""
    import numpy as np

    tape = _tape(path)
    P = np.vectorize(lambda v: float(nt.fmt(float(v))))
    w = tape.weights
    checked = 0
    for t in range(1, tape.T + 1):
        again = P(w["w"]) @ P(tape.x[t - 1]) + P(w["w_prime"]) @ P(tape.O_prev[t - 1]) + P(w["b"])
        miss = not all(agree(float(r), float(v)) for r, v in zip(np.ravel(again), P(tape.a[t - 1]).ravel()))
        cursor = tape.steps.phase_start("forward") + t - 1
        text = "\n".join(line.plain for line in step_body(View(tape, cursor), 200, 40))
        if "W′" not in text.split("\n", 1)[1]:
            continue  # a plainer rendering without the grids (no room)
        assert bool(re.search(r" ≈ [⎡⎢⎣\[]", text)) == miss and bool(re.search(r" = [⎡⎢⎣\[]", text)) != miss, (t, text)
        checked += 1
    assert checked
