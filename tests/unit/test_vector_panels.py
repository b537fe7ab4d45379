"""The debugger's panels for a vector scenario (SPEC §7), as pure functions of (tape, cursor, size).

Every number a grid shows is checked against the tape as the full --digits rendering or a
correct rounding of it; the spectral norms against an independent numpy computation from
the scenario's weights; the marks on the running sum against which entries really changed.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnstep
from rnnstep import notation as nt
from rnnstep import numbers as nb
from rnnstep.tui.panels import matrix as mx
from rnnstep.tui.panels import norms as nm
from rnnstep.tui.panels.triangle import cell, shade, triangle
from rnnstep.tui.panels.vector_flow import flow_lines
from rnnstep.tui.panels.vector_network import strip_lines
from rnnstep.tui.panels.vector_step import factor_norms, outer_product, step_body
from rnnstep.tui.panels.vector_sums import changed_entries, sums_lines
from rnnstep.tui.panels.vector_view import step_text
from rnnstep.tui.view import View
from vector_scenarios import vector_scenario

# (width, height) of the step, sums and flow panels' content at 80×24 and at 200×60
SIZES = {"80x24": {"step": (44, 10), "sums": (28, 16), "flow": (44, 3), "strip": (76, 2)},
         "200x60": {"step": (124, 31), "sums": (62, 46), "flow": (124, 10), "strip": (196, 2)}}
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?inf|nan")


def is_rounding(text: str, value: float, digits: int = 6) -> bool:
    """Is ``text`` the full rendering of ``value``, or ``value`` correctly rounded to fewer digits?"""
    if text == nt.fmt(value, digits):
        return True
    if not math.isfinite(value):
        return False
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0") or "0"
    significant = max(1, len(mantissa))
    return float(text) == float(f"{value:.{significant - 1}e}")


def numbers(line: str) -> list[str]:
    return NUMBER.findall(line.replace("▸", " ").replace("·", " "))


def plain(lines) -> list[str]:
    return [line.plain for line in lines]


def tape_of(**kwargs):
    return rnnstep.build_tape(vector_scenario(**kwargs))


# ----------------------------------------------------------------------------- the number formatter

@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(1, 12), st.integers(1, 9),
       st.booleans())
def test_fit_is_whole_or_correctly_rounded_or_nothing(value, width, digits, compact):
    text = nb.fit(value, digits, width, compact=compact)
    if text is None:
        assert len(nt.fmt(value, 1)) > width
        assert not compact or len(nb.short_exponent(value, 1)) > width
        return
    assert len(text) <= width
    assert is_rounding(text, value, digits), (value, width, text)


def test_fit_compact_is_the_narrower_rounding_and_plain_fit_never_takes_it():
    assert nb.fit(-0.006, 6, 6, compact=True) == "-0.006"
    assert nb.fit(-0.0063, 6, 5, compact=True) == "-6e-3"  # -0.006 would need six characters
    assert nb.fit(0.000123456, 6, 6, compact=True) == "1.2e-4"
    assert nb.fit(0.000123456, 6, 6) == "0.0001"
    assert nb.fit(0.000123456, 6, 5) is None and nb.fit(0.000123456, 6, 5, compact=True) == "1e-4"


def test_the_panels_have_one_number_formatter():
    """numbers.fit is the screen's only formatter: no panel module defines its own."""
    import ast
    from pathlib import Path

    import rnnstep.tui.panels as panels

    for path in Path(panels.__file__).parent.glob("*.py"):
        names = {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}
        assert not names & {"fit", "short_exponent"}, path.name
    assert not hasattr(mx, "fit")


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(8, 60), st.integers(1, 9), st.integers(0, 2**31))
def test_grid_shows_each_entry_rounded_in_order_and_fits(rows, cols, width, height, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(rows, cols)) * 10.0 ** rng.integers(-6, 6, size=(rows, cols))
    lines = mx.grid(M, 6, width=width, height=height)
    assert all(line.cell_len <= width for line in lines)
    shown = [numbers(line.plain) for line in lines if line.plain[:1] in "[⎡⎢⎣"]
    note = [line.plain for line in lines if line.plain[:1] not in "[⎡⎢⎣"]
    r0 = c0 = 0
    if note and "rows" in note[0]:
        r0 = int(re.search(r"rows (\d+)", note[0])[1]) - 1
    if note and "cols" in note[0]:
        c0 = int(re.search(r"cols (\d+)", note[0])[1]) - 1
    assert shown and len(shown) <= rows
    for i, row in enumerate(shown):
        for j, text in enumerate(row):
            assert text == "…" or is_rounding(text, float(M[r0 + i, c0 + j])), (text, M[r0 + i, c0 + j])


def test_grid_colours_sign_and_size_and_marks_changed_entries():
    M = np.array([[2.0, -2.0], [0.0, 0.01]])
    line0, line1 = mx.grid(M, 6, marks=np.array([[True, False], [False, False]]))
    styles = {line.plain[s.start:s.end].strip(): str(s.style) for line in (line0, line1) for s in line.spans}
    assert "on #b2182b" in styles["2"] and "bold" in styles["2"] and "underline" in styles["2"]  # large positive
    assert "on #2166ac" in styles["-2"]  # large negative: the other hue
    assert styles["0"] == "dim"  # exactly zero
    assert "on" not in styles.get("0.01", "")  # under 1/20 of the scale: no colour
    assert "▸2" in line0.plain and "▸" not in line1.plain
    # a mark sits just before its own number, never glued to the previous one (0.05614▸0.01605)
    wide = mx.grid(np.array([[-0.0506884, 0.0561371, 0.016051]]), 6, marks=np.array([[True, False, True]]))[0].plain
    assert re.search(r"\d▸", wide) is None and wide.count(" ▸") == 2, wide
    assert mx.entry_style(float("inf"), 1.0) == mx.BAD


def test_a_big_matrix_shows_a_window_and_says_so():
    M = np.arange(64 * 64, dtype=float).reshape(64, 64)
    lines = mx.grid(M, 6, width=40, height=6)
    assert len(lines) == 6 and all(line.cell_len <= 40 for line in lines)
    assert "rows 1–5 of 64" in lines[-1].plain and "of 64" in lines[-1].plain
    assert "[64,64] = 4095" in mx.summary(M, 6).plain


# ----------------------------------------------------------------------------- spectral norms

def test_jacobian_norms_match_an_independent_svd():
    tape = tape_of(n=4, m=2, q=3, T=7, every_step=True, seed=3)
    W_prime = np.array(tape.scenario.w_prime, dtype=float)
    for j in range(1, tape.T + 1):
        f_prime = 1.0 - np.tanh(tape.a[j - 1]) ** 2  # tanh′, from the pre-activation
        J = np.diag(f_prime) @ W_prime
        assert nm.jacobian_norms(tape)[j - 1] == pytest.approx(np.linalg.svd(J, compute_uv=False)[0], rel=1e-12)
    # the product over a path in two lookups equals the product of the norms
    for t, k in [(7, 1), (5, 3), (4, 4)]:
        direct = np.prod([np.linalg.norm(np.diag(1 - np.tanh(tape.a[j - 1]) ** 2) @ W_prime, 2) for j in range(k + 1, t + 1)])
        assert 10 ** nm.backprop_log10(tape, t, k) == pytest.approx(direct, rel=1e-10)


def test_the_product_of_norms_bounds_delta_and_is_shown():
    tape = tape_of(n=3, m=1, q=2, T=6, seed=5, radius=1.3)
    table = tape.gradients["w_prime"]
    for i in range(len(table)):
        view = View(tape, tape.steps.phase_start("backward.w_prime") + i)
        factors, norms, log_product = factor_norms(view, "w_prime", i)
        full = [tape.factor("w_prime", i, j).value for j in range(tape.factor_count("w_prime", i))]
        expected = np.prod([np.linalg.norm(np.atleast_2d(F), 2) for F in full])
        assert 10 ** log_product == pytest.approx(expected, rel=1e-10)
        assert np.linalg.norm(table.delta(i)) <= expected * (1 + 1e-12)
        text = "\n".join(plain(step_body(view, 124, 31)))
        assert f"∏‖·‖₂ = {nt.fmt(expected, 3)}" in text
        assert f"= {nt.fmt(float(np.linalg.norm(table.delta(i))), 3)}" in text


def test_power_text_writes_products_beyond_float_range():
    assert nm.power_text(-400.5) == "3.16e-401"
    assert nm.power_text(2.0) == "100"
    assert nm.power_text(-math.inf) == "0"


# ----------------------------------------------------------------------------- the current step

@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("n", [2, 4])
def test_every_step_fits_its_box_and_shows_the_title(size, n):
    tape = tape_of(n=n, m=2, q=2, T=4, every_step=True, seed=n)
    boxes = SIZES[size]
    for cursor in range(len(tape.steps)):
        view = View(tape, cursor)
        for name, (width, height) in boxes.items():
            if name == "step":
                lines = step_text(view, width, height, f"Step {cursor + 1} of {len(tape.steps)}").plain.split("\n")
                assert lines[0].startswith(f"Step {cursor + 1}")
            elif name == "sums":
                lines = plain(sums_lines(view, width, height))
            elif name == "flow":
                lines = plain(flow_lines(view, width, height))
            else:
                lines = plain(strip_lines(view, width, height))
            assert len(lines) <= height, (name, cursor, lines)
            assert all(len(line) <= width for line in lines), (name, cursor, lines)


@pytest.mark.parametrize("size", SIZES)
def test_the_outer_product_shows_delta_input_and_term_from_the_tape(size):
    tape = tape_of(n=4, m=3, q=2, T=5, every_step=True, seed=11)
    width, height = SIZES[size]["step"]
    for param in ("w_prime", "w", "w_out"):
        table = tape.gradients[param]
        for i in range(0, len(table), 3):
            view = View(tape, tape.steps.phase_start(f"backward.{param}") + i)
            delta, x, term = table.delta(i), table.input(i), np.asarray(table.value[i])
            # the term is δᵀ·inputᵀ: checked against numpy, not against the tape's own product
            assert np.allclose(term, np.outer(delta, x), rtol=1e-12, atol=0)
            lines = plain(outer_product(view, delta, x, term, "δᵀ", "inᵀ", "term", width, height, 6, (), ()))
            assert all(len(line) <= width for line in lines)
            top = numbers(lines[1].split("inᵀ", 1)[1])
            assert len(top) == len(x) and all(is_rounding(s, v) for s, v in zip(top, x))
            for r, line in enumerate(lines[2:2 + len(delta)]):
                found = numbers(line)
                assert is_rounding(found[0], delta[r])
                assert [is_rounding(s, v) for s, v in zip(found[1:], term[r])] == [True] * term.shape[1], line


def test_a_scenario_at_80x24_shows_the_whole_outer_product_for_n_up_to_4():
    for n in (2, 3, 4):
        tape = tape_of(n=n, m=2, q=2, T=4, every_step=True, seed=n)
        view = View(tape, tape.steps.phase_start("backward.w_prime") + 4)
        text = step_text(view, *SIZES["80x24"]["step"], "Step").plain
        assert "term[" in text and "rows" not in text and "cols" not in text, text


def test_hidden_values_are_question_marks():
    tape = tape_of(n=2, T=3)
    i = 1
    view = View(tape, tape.steps.phase_start("backward.w_prime") + i)
    where = f"[{int(tape.gradients['w_prime'].t[i])},{int(tape.gradients['w_prime'].k[i])}]"
    view.hidden = {f"gradients.w_prime.term{where}"}
    text = "\n".join(plain(step_body(view, 124, 31)))
    assert "?" in text
    term = np.asarray(tape.gradients["w_prime"].value[i])
    assert nt.fmt(float(term[0, 0])) not in text


def test_n_64_degrades_to_windows_and_summaries():
    tape = tape_of(n=64, m=3, q=2, T=3, every_step=True, seed=1)
    for cursor in (0, tape.steps.phase_start("backward.w_prime") + 2, len(tape.steps) - 5):
        view = View(tape, cursor)
        for size in SIZES.values():
            width, height = size["step"]
            lines = step_text(view, width, height, "Step").plain.split("\n")
            assert len(lines) <= height and all(len(line) <= width for line in lines)
            width, height = size["sums"]
            assert all(len(line) <= width for line in plain(sums_lines(view, width, height)))


# ----------------------------------------------------------------------------- running sums

def test_marks_are_the_entries_the_term_changed():
    # O₀ = 0: every term (t,1) of ∂L/∂W′ is zero and changes nothing
    tape = tape_of(n=3, m=2, q=1, T=4, seed=2)
    table = tape.gradients["w_prime"]
    last = len(table) - 1  # term (4,1)
    assert not changed_entries(table, last).any()
    view = View(tape, tape.steps.phase_start("backward.w_prime") + last)
    assert "changed: 0 of 9" in "\n".join(plain(sums_lines(view, 62, 46)))
    # a one-hot input changes one column of ∂L/∂W
    from rnnstep.scenario import parse_scenario

    text = """[weights]
w = [[0.3, -0.2, 0.1], [-0.1, 0.5, 0.2]]
w_prime = [[0.1, -0.3], [0.4, 0.1]]
b = [0.0, 0.1]
[data]
x = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
y = 0.5
"""
    tape = rnnstep.build_tape(parse_scenario(text))
    table = tape.gradients["w"]
    for i in range(len(table)):
        k = int(table.k[i])
        marks = changed_entries(table, i)
        hot = int(np.argmax(tape.x[k - 1]))
        assert marks[:, hot].all() and not np.delete(marks, hot, axis=1).any()
        before = np.asarray(table.running_sum[i - 1]) if i else np.zeros((2, 3))
        assert np.array_equal(marks, np.asarray(table.running_sum[i]) != before)


def test_triangle_lights_the_current_cell_and_fades_with_distance():
    tape = tape_of(n=2, m=1, q=1, T=6, every_step=True, seed=4, radius=0.2, activation="identity")
    table = tape.gradients["b"]
    i = table.index_of(6, 3)
    lines = triangle(tape, "b", i, 40, 12)
    rows = {int(line.plain.split()[0]): line for line in lines[2:8]}
    assert set(rows) == {1, 2, 3, 4, 5, 6}
    row6 = rows[6]
    lit = [s for s in row6.spans if s.style == "bold magenta"]
    assert len(lit) == 1 and row6.plain[lit[0].start + 1] == "◂"
    label_w = len("6 ") + 1
    assert lit[0].start == label_w + 2 * (3 - 1)  # column k = 3
    # spectral radius 0.2 and identity: each step back loses about a decade or more
    top = float(np.nanmax(table.norms))
    for k in range(1, 7):
        glyph, _ = shade(float(table.norms[table.index_of(6, k)]), top)
        assert row6.plain[label_w + 2 * (k - 1):label_w + 2 * k] == (cell(glyph) if k != 3 else glyph + "◂")
    assert "[6,3] ‖·‖ = " + nt.fmt(float(table.norms[i])) in lines[-1].plain
    assert float(table.norms[i]) == pytest.approx(np.linalg.norm(table.delta(i)), rel=1e-12)


def test_flow_bars_and_bounds_read_from_the_tape():
    tape = tape_of(n=3, m=1, q=1, T=5, seed=6, radius=1.4, activation="identity")
    table = tape.gradients["w"]
    view = View(tape, tape.steps.phase_start("backward.w") + 4)
    lines = plain(flow_lines(view, 124, 10))
    for j in range(5):
        line = next(x for x in lines if x.strip().startswith(f"{j} back"))
        found = numbers(line.split("back", 1)[1])
        assert is_rounding(found[0], float(table.norms[j]))
        W_prime = np.array(tape.scenario.w_prime, dtype=float)
        assert found[1] == nt.fmt(np.linalg.norm(W_prime, 2) ** j, 3)  # identity: every Jacobian is W′


# ----------------------------------------------------------------------------- names

def test_a_vector_scenario_names_its_matrices_W_everywhere_and_a_scalar_one_keeps_w():
    from rnnstep.scenario import SCENARIO_DIR, load_scenario
    from rnnstep.tui.panels.base import phase_label
    from rnnstep.tui.panels.status import status_line
    from rnnstep.tui.panels.step import step_title

    for name, vector in (("vector/notes-hidden-two", True), ("notes-four-steps", False)):
        tape = rnnstep.build_tape(load_scenario(SCENARIO_DIR / f"{name}.toml"))
        for param in ("w_prime", "w", "w_out"):
            view = View(tape, tape.steps.phase_start(f"backward.{param}"))
            big, small = ("W′", "w′") if param == "w_prime" else (("W", "w") if param == "w" else ("W_out", "w_out"))
            right, wrong = (f"∂L/∂{big}", f"∂L/∂{small}") if vector else (f"∂L/∂{small}", f"∂L/∂{big}")
            status = status_line(view, set(), 1, [], 0, width=200).plain
            assert right in status and wrong not in status, status
            for title in (step_title(view), step_title(view, 30), phase_label(view.step.phase, tape.vector)):
                assert right in title and wrong not in title, title
        view = View(tape, tape.steps.phase_start("update"))
        assert ("· W" if vector else "· w") in step_title(view)
        if vector:
            assert "∂L/∂W" in "".join(plain(step_body(view, 124, 30)))


# ----------------------------------------------------------------------------- the network strip

@pytest.mark.parametrize("width", [30, 44, 76, 96, 196])
def test_the_strip_follows_the_cursor_and_counts_what_is_off_screen(width):
    tape = tape_of(n=2, m=1, q=1, T=30, every_step=True, seed=3)
    seen_starts = []
    for cursor in range(len(tape.steps)):
        view = View(tape, cursor)
        step = view.step
        top = strip_lines(view, width, 2)[0]
        assert top.cell_len <= width
        text = top.plain
        shown = [int(s.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))) for s in re.findall(r"O([₀-₉]+)", text)]
        shown = [t for t in shown if t > 0]
        left = int(m.group(1)) if (m := re.search(r"◀ (\d+)", text)) else 0
        right = int(m.group(1)) if (m := re.search(r"(\d+) (?:more )?▶", text)) else 0
        assert shown == list(range(left + 1, tape.T - right + 1)), text  # a contiguous window, counted both sides
        focus = step.k if step.kind == "term" and step.k is not None else (step.t or tape.T)
        assert focus in shown, (cursor, text)
        if step.kind == "forward":
            lit = [s for s in top.spans if "reverse" in str(s.style)]
            assert len(lit) == 1 and text[lit[0].start:lit[0].end].strip() == f"O{nt.sub(step.t)}"
        if step.kind == "term" and step.k is not None and step.t - step.k + 1 <= len(shown):
            assert step.t in shown  # the whole path when it fits
        seen_starts.append(left)
    assert width >= 196 or max(seen_starts) > 0  # a narrow strip did page


def test_triangle_labels_rows_and_columns_shows_zeros_and_follows_the_current_cell_for_long_tapes():
    tape = tape_of(n=2, m=1, q=1, T=300, every_step=True, seed=4, radius=0.9)
    table = tape.gradients["w_prime"]
    top = float(np.nanmax(table.norms))
    assert table.norms[table.index_of(300, 1)] == 0  # O₀ = 0: every term at k = 1 is 0
    for t, k in ((300, 1), (150, 100), (3, 2), (300, 300), (299, 288)):
        i = table.index_of(t, k)
        lines = triangle(tape, "w_prime", i, 60, 16)
        assert all(line.cell_len <= 60 for line in lines) and len(lines) <= 16
        texts = plain(lines)
        header = texts[1]
        assert header.split()[0] == "k", texts
        label_end = next(m.end() for m in re.finditer(r"\d+", header) if int(m.group()) == k)  # k is labelled
        current_row = next(line for line in lines if line.plain.split()[:1] == [str(t)])  # t is labelled
        lit = [s for s in current_row.spans if s.style == "bold magenta"]
        assert len(lit) == 1 and lit[0].end == label_end  # the lit cell sits under the label of its k
        assert current_row.plain[lit[0].start:lit[0].end] == shade(float(table.norms[i]), top)[0] + "◂"
        window = next(x for x in texts if x.startswith("window:"))  # T = 300 never fits: it says what it shows
        lo, hi = map(int, re.search(r"t (\d+)–(\d+) of 300", window).groups())
        assert lo <= t <= hi and [int(x.split()[0]) for x in texts[2:2 + hi - lo + 1]] == list(range(lo, hi + 1))
        lo, hi = map(int, re.search(r"k (\d+)–(\d+) of 300", window).groups())
        assert lo <= k <= hi
        for label in re.finditer(r"\d+", header):  # every label stands over its own column
            kk = int(label.group())
            for line in lines[2:]:
                row = line.plain.split()
                if row and row[0].isdigit() and int(row[0]) >= kk and int(row[0]) in range(1, 301):
                    j = table.index_of(int(row[0]), kk)
                    glyph = shade(float(table.norms[j]), top)[0]
                    assert line.plain[label.end() - 2:label.end()] == (cell(glyph) if j != i else glyph + "◂")
    lines = plain(triangle(tape, "w_prime", table.index_of(300, 1), 60, 16))
    rows = [x for x in lines if re.match(r"^\s*\d+ ", x)]
    assert all(row[5:7] == (" 0" if not row.startswith(" 300") else "0◂") for row in rows)  # k = 1: zeros, " 0"
    assert "00" not in "".join(row[5:] for row in rows)


# ----------------------------------------------------------------------------- the gradient-flow chart's axis

def test_flow_has_a_labelled_decade_axis_whose_bars_match_the_ticks():
    from rnnstep.tui.panels import decades as dc

    tape = tape_of(n=3, m=1, q=1, T=12, seed=4, radius=0.9)
    table = tape.gradients["w_prime"]
    view = View(tape, tape.steps.phase_start("backward.w_prime") + 11)
    lines = plain(flow_lines(view, 124, 18))
    rule, labels = lines[-2], lines[-1]
    ticks = [i for i, c in enumerate(rule) if c == "┼"]
    shown = re.findall(r"10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", labels)
    assert len(shown) >= 2 and len(ticks) >= 5  # at least four decades, labelled
    norms = table.norms[:12]
    nonzero = norms[norms > 0]
    top, bottom = dc.axis(float(nonzero.max()), float(nonzero.min()))
    assert shown[-1] == dc.decade(top) and shown[0] == dc.decade(bottom)
    start = ticks[0]
    bar_w = ticks[-1] - start + 1
    for j in range(12):  # a bar reaching decade d ends at d's tick (to the cell)
        row = next(x for x in lines if re.match(rf"^\s*{j} back ", x))
        bar = row[start:start + bar_w]
        if norms[j] > 0:
            length = len(bar) - len(bar.lstrip("█"))
            expected = (math.log10(norms[j]) - bottom) / (top - bottom) * bar_w
            assert abs(length - expected) <= 1, (j, length, expected)


def test_flow_axis_is_capped_at_T_5000_and_marks_terms_below_it():
    from rnnstep.tui.panels import decades as dc
    from rnnstep.tui.panels.vector_flow import MAX_DECADES

    tape = tape_of(n=3, m=1, q=1, T=5000, seed=4, radius=0.9)
    table = tape.gradients["w_prime"]
    norms = table.norms[:5000]
    nonzero = norms[norms > 0]
    assert math.log10(nonzero.max() / nonzero.min()) > 2 * MAX_DECADES  # the terms span far more than the axis
    start = tape.steps.phase_start("backward.w_prime")
    top = math.ceil(math.log10(float(nonzero.max())))
    widths = []
    for j in (0, 3, 40):
        lines = plain(flow_lines(View(tape, start + j, flow_paged=True), 124, 14))  # v: single paths
        labels = lines[-1]
        shown = re.findall(r"10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", labels)
        assert shown[-1] == dc.decade(top) and shown[0] == dc.decade(top - MAX_DECADES)
        assert "◂ below" in labels
        row = next(x for x in lines if re.match(rf"^\s*{j} back ", x))
        bar = row.split(" back ", 1)[1]
        if math.log10(norms[j]) >= top - MAX_DECADES:
            widths.append(len(bar) - len(bar.lstrip("█")))
        else:
            assert bar.startswith("◂") and "█" not in bar
        value = numbers(bar.replace("◂", " ").replace("∏", " "))[0]
        assert is_rounding(value, float(norms[j]))
    assert widths[0] > widths[1]  # the top decades keep their resolution: not every bar full width
    assert max(widths) < 124 - 20


def test_flow_pages_with_counts_and_never_exceeds_its_box():
    tape = tape_of(n=3, m=1, q=1, T=40, seed=4, radius=0.9)
    start = tape.steps.phase_start("backward.w_prime")
    for height in (2, 3, 4, 6, 10):
        for j in (0, 17, 39):
            lines = flow_lines(View(tape, start + j, flow_paged=True), 60, height)  # v: a page of paths
            assert len(lines) <= height and all(line.cell_len <= 60 for line in lines)
            assert any(re.match(rf"^\s*{j} back ", line.plain) for line in lines)  # the current path is shown
            if height >= 6:
                assert any("paths below" in line.plain or "paths above" in line.plain for line in lines)


def test_flow_pages_hold_the_current_path_and_fit_their_box_with_the_above_and_below_lines():
    from rnnstep.tui.panels.vector_flow import page

    for n in (5, 12, 40, 41):
        for rows in (1, 2, 3, 4, 5, 8):
            pages = set()
            for focus in range(n):
                lo, hi = page(focus, rows, n)
                assert 0 <= lo <= focus < hi <= n
                lines = (hi - lo) + (rows >= 3 and lo > 0) + (rows >= 3 and hi < n)
                assert lines <= rows and (n > rows or (lo, hi) == (0, n))
                pages.add((lo, hi))
            assert len(pages) <= n  # pages, not a window sliding with every step
            if n > rows >= 5:
                assert len(pages) < n / 2


def test_a_summary_gives_up_whole_parts_to_fit_never_a_number():
    M = np.array([[0.123456789, -2.5], [3.25, 0.0]])
    norm, biggest = nt.fmt(float(np.linalg.norm(M))), nt.fmt(3.25)
    full = mx.summary(M, 6).plain
    assert full == f"2×2  ‖·‖ = {norm}  max |·| at [2,1] = {biggest}"
    for width in range(8, len(full) + 2):
        text = mx.summary(M, 6, width).plain
        assert len(text) <= max(width, len(f"‖·‖ = {norm}"))
        assert norm in text and text.startswith(("2×2", "‖·‖"))
        found = numbers(text.replace("2×2", "").replace("[2,1]", ""))
        assert found[0] == norm and all(x in (norm, biggest) for x in found)


def test_a_summarys_max_abs_is_the_absolute_value_where_the_largest_entry_is_negative():
    """"max |·|" is a size: the largest entry −2.5 shows as 2.5 (it showed −2.5), in every form the width leaves."""
    M = np.array([[0.5, -2.5], [1.25, 0.0]])
    norm = nt.fmt(float(np.linalg.norm(M)))
    assert mx.summary(M, 6).plain == f"2×2  ‖·‖ = {norm}  max |·| at [1,2] = 2.5"
    for width in range(8, 60):
        text = mx.summary(M, 6, width).plain
        assert "-2.5" not in text and ("max |·|" not in text or text.endswith(" 2.5"))


@pytest.mark.parametrize("key", ["u", None])
def test_the_update_step_names_the_apply_key_only_where_there_is_one(key):
    """The debugger applies the update with u; in a drill u is typed into the answer, so no such line."""
    from rnnstep.tui.panels.step import _update_lines

    for tape in (tape_of(n=2, m=1, q=1, T=3, seed=1), rnnstep.build_tape(rnnstep.load_scenario("notes-four-steps"))):
        cursor = len(tape.steps) - 1
        assert tape.steps[cursor].phase == "update"
        view = View(tape, cursor, update_key=key)
        text = (step_text(view, 100, 30, "Update").plain if tape.vector else
                "\n".join(line.plain for line in _update_lines(view, tape.steps[cursor].param)))
        assert ("press u to apply all five updates" in text) == (key == "u")


def _shipped_view(name: str, cursor: int = 0) -> View:
    from rnnstep.navigation import notes_by_step

    tape = rnnstep.build_tape(rnnstep.load_scenario(name))
    return View(tape, cursor, 6, notes=notes_by_step(tape), more_key="m")


def test_a_step_1_note_does_not_hide_the_description_on_screen_or_under_m():
    from rnnstep.tui.view import note_text

    view = _shipped_view("notes-hidden-two")
    description = " ".join(view.tape.scenario.description.split())
    assert view.notes.get(0), "the scenario has a note at step 1: the case this test is about"
    whole = note_text(view, with_description=True).plain  # what the panel and m show
    assert whole.index(description[:40]) < whole.index(view.notes[0][0][:20])
    wide = step_text(view, 91, 38, "Step 1", note_text(view, True)).plain  # the step panel at 140×45
    assert description[:60] in " ".join(wide.split()) and view.notes[0][0] in " ".join(wide.split())
    narrow = step_text(view, 44, 16, "Step 1", note_text(view, True)).plain  # at 80×24: begun, and m for the rest
    assert "✎ The lecture notes'" in narrow and "m: read the whole note" in narrow
    assert note_text(view).plain.startswith("✎ note")  # the scalar panel's own call is unchanged


@pytest.mark.parametrize("width", [30, 36, 44, 52, 60, 91])
def test_a_label_never_ends_a_line_without_its_number(width):
    """``η =`` / ``0.1`` at 80×24: a label and its value give way together, onto the next line."""
    view = _shipped_view("notes-hidden-two")
    eta = f"η = {nt.fmt(view.tape.scenario.learning_rate)}"
    for cursor in range(len(view.tape.steps)):
        view.cursor = cursor
        lines = plain(step_body(view, width, 14))
        split = [(a, b) for a, b in zip(lines, lines[1:]) if a.rstrip().endswith("=") and NUMBER.match(b.strip())]
        assert not split, (cursor, lines)
        if view.step.kind == "update":
            assert any(eta in line for line in lines), (cursor, lines)


def test_at_140x45_delta_and_the_term_keep_every_digit_beside_the_factor_matrices_and_sigma_before_is_shown():
    """#12: with ~40 free columns δ and the term were rounded to 3 digits like the factor matrices."""
    from rnnstep.navigation import resolve

    view = _shipped_view("hello-char-rnn")
    view.cursor = resolve(view.tape, "gradients.w_prime.term[4,2]")
    table, i = view.tape.gradients["w_prime"], view.step.term
    text = "\n".join(plain(step_body(view, 89, 26)))  # the step panel's body at 140×45
    assert "∂O₄/∂O₃" in text and "‖·‖₂" in text  # the factor matrices are still drawn
    for value in list(table.delta(i)) + list(np.ravel(table.value[i])):
        assert nt.fmt(float(value)) in text, (nt.fmt(float(value)), text)
    sums = "\n".join(plain(sums_lines(view, 43, 37)))  # the running-sums panel at 140×45
    assert "Σ before" in sums and "Σ after" in sums
    for value in np.ravel(table.running_sum[i - 1]).tolist() + np.ravel(table.running_sum[i]).tolist():
        assert nt.fmt(value) in sums, (nt.fmt(value), sums)


@pytest.mark.parametrize("width", [44, 56, 76, 89])
def test_a_narrow_flow_chart_keeps_the_product_of_norms_beside_each_bar(width):
    """#13 at 80×24: the ∏‖·‖₂ column went first, so exploding-vector's bars (all near 10¹·⁵) showed no growth."""
    from rnnstep.navigation import resolve

    view = _shipped_view("exploding-vector")
    view.cursor = resolve(view.tape, "gradients.w_prime.term[12,1]")
    lines = plain(flow_lines(view, width, 16))
    paths = [line for line in lines if re.match(r"\s*\d+ back", line)]
    assert len(paths) >= 10 and all(len(line) <= width for line in lines)
    for line in paths:
        j = int(line.split()[0])
        assert line.endswith("∏" + nm.power_text(nm.backprop_log10(view.tape, 12, 12 - j), 3)), line
    assert "O_{j−1}" in lines[0] or width < 89


def test_the_flow_chart_follows_the_gradient_with_paths_and_never_shows_b_on_a_W_out_step():
    from rnnstep.tui.panels.vector_flow import flow_param

    view = _shipped_view("notes-hidden-two")
    for cursor, step in enumerate(view.tape.steps):
        view.cursor = cursor
        expected = step.param if step.param in ("w_prime", "w", "b") else "w_prime"
        assert flow_param(view) == expected, (cursor, step)


def test_a_long_chain_says_how_many_factors_it_leaves_out_and_a_sum_has_one_norm_name():
    from rnnstep.navigation import resolve
    from rnnstep.tui.panels.vector_sums import progress_line

    view = _shipped_view("vanishing-vector")
    view.cursor = resolve(view.tape, "gradients.w_prime.term[12,2]")
    count = view.tape.factor_count("w_prime", view.step.term)
    text = "\n".join(plain(step_body(view, 89, 26)))
    shown = sum(1 for _ in re.finditer(r"∂[^·\s]+/∂[^·\s]+", text.split("\n")[1]))
    assert f"⋯ {count - shown} more ⋯" in text, text
    growing = progress_line(view, "w_prime", 40).plain
    view.cursor = view.tape.steps.phase_start("update")
    done = progress_line(view, "w_prime", 40).plain
    assert "‖Σ‖" in growing and "‖Σ‖" in done and "‖·‖" not in done


def test_a_long_tapes_progress_lines_fit_without_a_bare_norm_label():
    """T = 300 with a target at every step, 28 columns (80×24): "45150 terms to come" does not fit,
    so it says "45150 to come" on one line; a running sum's norm with no room goes with its label."""
    tape = rnnstep.build_tape(vector_scenario(n=3, m=2, q=2, T=300, every_step=True, seed=3))
    view = View(tape, tape.steps.phase_start("backward.w_prime") + 31372)
    lines = plain(sums_lines(view, 28, 20))
    assert lines[0].split() == ["∂L/∂W′", "31373/45150"]  # no room for ‖Σ‖ 43.6239 beside the count
    assert lines[1].split() == ["∂L/∂W", "45150", "to", "come"] and len(lines[1]) <= 28
    wide = plain(sums_lines(view, 60, 20))
    norm = float(np.linalg.norm(tape.gradients["w_prime"].running_sum[31372]))
    assert wide[0].split() == ["∂L/∂W′", "‖Σ‖", nt.fmt(norm, 6), "31373/45150"]
    assert wide[1].split() == ["∂L/∂W", "45150", "terms", "to", "come"]


def test_the_triangle_legend_says_what_a_shade_means_on_one_line_or_not_at_all():
    """tryout-2 item 9: "█▓▒░ decades down · further 0 zero" was cryptic. The legend names the largest ‖term‖
    and each shade's bound against it (as ``shade`` decides), fits its width on one line, or is left out."""
    from rnnstep.tui.panels.triangle import legend

    top = 3.7
    for i, glyph in enumerate("█▓▒░"):  # the bounds the legends write: above largest/10^(i+1)
        assert shade(top / 10 ** (i + 1) * 1.0001, top)[0] == glyph
        assert shade(top / 10 ** (i + 1) * 0.9999, top)[0] != glyph
    assert shade(top / 10 ** 4 * 0.9999, top)[0] == "·" and shade(0.0, top)[0] == "0"
    for width in range(0, 121):
        text = legend(width).plain
        assert "\n" not in text and len(text) <= width
        assert "decades down" not in text
        if text:
            assert ("max/10" in text or "largest/10" in text or "decades of the largest" in text), text
        if width >= 26:
            assert text, width  # the triangle's narrowest box at 80 columns still has a legend
        if width >= 39:
            assert "zero" in text and "·" in text, text


def test_an_outer_product_too_wide_shares_digits_between_delta_and_what_is_shown_beside_it():
    """At 80×24 (a 44-column step box) δ's column and the term's cells share the row: in a drill (term hidden)
    δ keeps all its digits; in the debugger the shown term keeps as many as δ (neither drops to 2)."""
    view = _shipped_view("hello-char-rnn", 0)
    tape = view.tape
    view.cursor = tape.steps.index_of("gradients.w_prime.term[2,2]")
    delta = tape.value("gradients.w_prime.delta[2,2]")
    term = np.asarray(tape.value("gradients.w_prime.term[2,2]"))
    shown = "\n".join(plain(step_body(view, 44, 14)))
    def at_least_3(v, text):  # correctly rounded to 3 or more significant digits
        return any(nt.fmt(float(v), d) in text for d in range(3, 7))

    assert all(at_least_3(v, shown) for v in term.ravel()) and all(at_least_3(v, shown) for v in delta), shown
    view.hidden = {"gradients.w_prime.term[2,2]"}
    drilled = "\n".join(plain(step_body(view, 44, 14)))
    assert all(nt.fmt(float(v)) in drilled for v in delta), drilled


def test_step_1_names_o0_not_the_file_key():
    """Second try-out: "O₀ = h0 = 0" showed the TOML key; O₀ = 0 says it, a non-zero O₀ is the starting state."""
    zero = tape_of(n=2, m=1, q=1, T=3, seed=1)
    text = step_text(View(zero, 0), 100, 30, "Step 1").plain
    assert "O₀ = 0" in text and "h0" not in text
    started = rnnstep.build_tape(rnnstep.load_scenario("exploding-vector"))
    if np.any(started.O_prev[0]):
        assert "O₀: the starting state (h0 in the file)" in step_text(View(started, 0), 100, 30, "Step 1").plain



def test_the_vector_chart_shows_every_path_in_bands_with_the_current_one_marked():
    """Item 8 for vectors: when the paths do not fit, each row is a band of distances drawn as its range,
    every path in one row, the current band marked; the page of single paths stays behind v."""
    tape = tape_of(n=3, m=1, q=1, T=40, seed=4, radius=0.9)
    start = tape.steps.phase_start("backward.w_prime")
    for height in (6, 10, 14):
        for j in (0, 17, 39):
            lines = flow_lines(View(tape, start + j), 70, height)
            assert len(lines) <= height and all(line.cell_len <= 70 for line in lines)
            rows = [re.match(r"^(▶)?\s*(\d+)(?:–(\d+))? back", line.plain) for line in lines]
            rows = [m for m in rows if m]
            covered = [k for m in rows for k in range(int(m.group(2)), int(m.group(3) or m.group(2)) + 1)]
            assert covered == list(range(40)), [line.plain for line in lines]
            marked = [m for m in rows if m.group(1)]
            assert len(marked) == 1 and int(marked[0].group(2)) <= j <= int(marked[0].group(3) or marked[0].group(2))


def test_the_triangle_stays_on_screen_beside_a_tall_running_sum():
    """Item 14: with a target at every step and n = 32 the 32-row Σ took the whole panel at 140×45 and the
    t×k triangle was gone. The Σ shows a window of its rows; the triangle keeps its place."""
    tape = tape_of(n=32, m=2, q=2, T=8, every_step=True, seed=2)
    at = tape.steps.index_of("gradients.w_prime.term[8,5]")
    text = "\n".join(plain(sums_lines(View(tape, at), 44, 36)))
    assert "‖term(t,k)‖" in text and re.search(r"rows 1–\d+ of 32", text), text


def test_a_gated_cell_b_prime_has_its_own_flow_chart_total_and_triangle():
    """A gated cell has six parameters (SPEC §8; tape.params): on a b′ term the chart follows b′'s paths,
    the running-sums panel draws b′'s triangle when every step has a target, as for b, and the last step lists
    ∂L/∂b′ among the totals."""
    from rnnstep.navigation import resolve
    from rnnstep.tui.panels.vector_flow import flow_param

    view = _shipped_view("lstm-rtrl")  # a target at every step
    assert not view.tape.single_target and "b_prime" in view.tape.params
    for cursor, step in enumerate(view.tape.steps):
        view.cursor = cursor
        expected = step.param if step.param in ("w_prime", "w", "b", "b_prime") else "w_prime"
        assert flow_param(view) == expected, (cursor, step)
    panels = {}
    for param in ("b", "b_prime"):
        view.cursor = resolve(view.tape, f"gradients.{param}.term[3,2]")
        panels[param] = plain(sums_lines(view, 60, 40))
    assert "‖term(t,k)‖ of ∂L/∂b: row t, column k" in panels["b"]
    assert "‖term(t,k)‖ of ∂L/∂b′: row t, column k" in panels["b_prime"]
    view.cursor = len(view.tape.steps) - 1
    last = "\n".join(plain(sums_lines(view, 60, 80)))
    assert "∂L/∂b′ =" in last and "∂L/∂b_out =" in last
