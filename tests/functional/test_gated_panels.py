"""Pilot: the panels that answer "how much of this old term travelled the cell state?" (SPEC §8, issue 16):
the gradient-flow chart's ‖carry term‖ and ‖rest term‖ by steps back, the t×k triangle's whole / carry /
rest switch (t), and the LSTM's c lane in the unrolled network, lit along the current term's carry.
Every expected number is computed here with numpy from the tape's rows (.carry(i), .rest(i), the inputs)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from rnnstep.tui.widgets import GradientFlow, KeyBar, NetworkStrip, RunningSums, panel_text

from .apps import debugger

ROW = re.compile(r"^\s*(\d+) back (.*?) c\s+(\S+) r\s+(\S+)\s*$")


def rounds_to(text: str, value: float) -> bool:
    """``text`` is ``value`` correctly rounded to the significant digits it shows (at most 6)."""
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0") or "0"
    return any(float(text) == float(f"{value:.{d - 1}e}") for d in range(max(1, len(mantissa)), 7))


def input_norm(table, i: int) -> float:
    x = table.input(i)
    return 1.0 if x is None else float(np.linalg.norm(x))


def chart_rows(app) -> dict[int, tuple[str, str, str]]:
    rows = {}
    for line in panel_text(app.query_one(GradientFlow)).split("\n"):
        m = ROW.match(line)
        if m:
            rows[int(m.group(1))] = (m.group(2), m.group(3), m.group(4))
    return rows


@pytest.mark.parametrize("name, param", [("lstm-remembers", "w_prime"), ("lstm-remembers", "b"),
                                         ("lstm-forgets", "b"), ("gru-carry", "w_prime")])
async def test_the_flow_chart_draws_the_tapes_carry_and_rest_terms_by_distance(name, param):
    app = debugger(f"gated/{name}")
    tape = app.tape
    table = tape.gradients[param]
    T = tape.T
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = tape.steps.index_of(f"gradients.{param}.term[{T},1]")  # the oldest term: every row drawn
        await pilot.pause()
        rows = chart_rows(app)
        assert 0 in rows and T - 1 in rows, panel_text(app.query_one(GradientFlow))  # the nearest and the oldest
        assert len(rows) >= 4
        for back, (bar, carry_text, rest_text) in rows.items():
            i = table.index_of(T, T - back)
            carry = float(np.linalg.norm(table.carry(i))) * input_norm(table, i)
            rest = float(np.linalg.norm(table.rest(i))) * input_norm(table, i)
            assert rounds_to(carry_text, carry), (back, carry_text, carry)
            assert rounds_to(rest_text, rest), (back, rest_text, rest)
            # the two bars on one ruler: ▀ where only the carry reaches, ▄ where only the rest does
            if carry > 0 and rest > 0 and math.log10(carry / rest) > 1:
                assert "▀" in bar and "▄" not in bar, (back, bar)
            if carry > 0 and rest > 0 and math.log10(rest / carry) > 1:
                assert "▄" in bar and "▀" not in bar, (back, bar)


async def test_lstm_remembers_shows_the_carry_and_the_rest_on_one_decade_ruler():
    """The oldest term of lstm-remembers is ~all carry: its row's ▀ tail (carry beyond the rest) is as many
    cells as the decades between ‖carry term‖ and ‖rest term‖ take on the ruler under the chart."""
    app = debugger("gated/lstm-remembers")
    tape = app.tape
    table = tape.gradients["b"]
    i = table.index_of(40, 1)
    decades = math.log10(np.linalg.norm(table.carry(i)) / np.linalg.norm(table.rest(i)))
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = tape.steps.index_of("gradients.b.term[40,1]")
        await pilot.pause()
        bar = chart_rows(app)[39][0]
        rule = next(line for line in panel_text(app.query_one(GradientFlow)).split("\n") if "┼" in line)
        ticks = [x for x, c in enumerate(rule) if c == "┼"]
        per_decade = (ticks[-1] - ticks[0]) / (len(ticks) - 1)
        assert bar.count("█") > 0 and "▄" not in bar, bar
        assert abs(bar.count("▀") - decades * per_decade) <= 2, (bar, decades, per_decade)


async def test_t_switches_the_triangle_between_whole_carry_and_rest():
    app = debugger("gated/lstm-two-steps-by-hand")
    tape = app.tape
    table = tape.gradients["w"]
    i = table.index_of(2, 1)
    x1 = np.linalg.norm(tape.x[0])
    expected = {"carry": np.linalg.norm(table.carry(i)) * x1, "rest": np.linalg.norm(table.rest(i)) * x1,
                "term": np.linalg.norm(table.delta(i)) * x1}
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = tape.steps.index_of("gradients.w.term[2,1]")
        await pilot.pause()
        assert "‖term(t,k)‖ of ∂L/∂W" in panel_text(app.query_one(RunningSums))
        for split in ("carry", "rest", "term"):
            await pilot.press("t")
            await pilot.pause()
            text = panel_text(app.query_one(RunningSums))
            name = "term" if split == "term" else f"{split} term"
            assert f"‖{name}(t,k)‖ of ∂L/∂W" in text, text
            label = "·" if split == "term" else name
            value = re.search(rf"\[2,1\] ‖{re.escape(label)}‖ = (\S+)", text)
            assert value and rounds_to(value.group(1), float(expected[split])), (split, text)


async def test_the_triangle_shades_carry_against_the_largest_whole_term():
    """Row 1 of the carry triangle: ‖carry term(1,1)‖'s decades below the largest ‖term‖ pick its shade."""
    app = debugger("gated/lstm-two-steps-by-hand")
    tape = app.tape
    table = tape.gradients["w"]
    top = max(np.linalg.norm(table.delta(j)) * np.linalg.norm(tape.x[int(table.k[j]) - 1]) for j in range(len(table)))
    carry11 = np.linalg.norm(table.carry(table.index_of(1, 1))) * np.linalg.norm(tape.x[0])
    shade = "█▓▒░"[int(math.floor(math.log10(top / carry11)))]
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = tape.steps.index_of("gradients.w.term[2,1]")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        lines = panel_text(app.query_one(RunningSums)).split("\n")
        row1 = next(line for line in lines if re.match(r"^\s*1 [█▓▒░·0]", line))
        assert row1.split()[1] == shade * 2, (row1, shade)


async def test_the_carry_key_is_in_the_key_bar_of_a_gated_scenario_only():
    gated, plain = debugger("gated/lstm-two-steps-by-hand"), debugger("vector/hello-char-rnn")
    async with gated.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert "t Carry/rest" in str(gated.query_one(KeyBar).render())
    async with plain.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert "Carry/rest" not in str(plain.query_one(KeyBar).render())


def _lit(line, style: str) -> str:
    """The characters of ``line`` under a span whose style contains ``style``."""
    chars = set()
    for span in line.spans:
        if style in str(span.style):
            chars |= set(range(span.start, span.end))
    return "".join(c if i in chars else " " for i, c in enumerate(line.plain))


async def test_the_network_shows_the_lstms_c_lane_lit_along_the_current_terms_carry():
    app = debugger("gated/lstm-remembers")
    tape = app.tape
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = tape.steps.index_of("gradients.b.term[40,37]")
        await pilot.pause()
        strip = app.query_one(NetworkStrip)
        lane, o_line = strip._content[0], strip._content[1]
        assert lane.plain.startswith("cell state c")
        for t in (37, 38, 39, 40):  # c above O: c_t in O_t's column
            assert lane.plain.index(f"c{_sub(t)}") == o_line.plain.index(f"O{_sub(t)}")
        lit = _lit(lane, "green")
        assert all(f"c{_sub(t)}" in lit for t in (37, 38, 39, 40)), lit
        assert f"c{_sub(36)}" not in lit and f"c{_sub(36)}" in lane.plain  # before k: in the lane, not lit
        assert lit.count("f→") == 3, lit  # the three carry steps f₃₈, f₃₉, f₄₀
        app.cursor = tape.steps.index_of("forward.O[3]")
        await pilot.pause()
        lane = app.query_one(NetworkStrip)._content[0]
        assert "c₃" in _lit(lane, "reverse") and not _lit(lane, "green").strip()


async def test_a_gru_has_no_c_lane():
    app = debugger("gated/gru-carry")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert "cell state c" not in panel_text(app.query_one(NetworkStrip))


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


async def test_the_carry_product_is_never_split_across_lines_at_80x24():
    """∏ f_j (j = 36…40) = 0.967 stands whole on a line of its own when it does not fit beside the share."""
    from rnnstep.tui.widgets import StepDetail

    app = debugger("gated/lstm-remembers")
    tape = app.tape
    product = float(np.prod(tape.gates["f"][35:40, 0]))  # f_36 … f_40
    async with app.run_test(size=(80, 24)) as pilot:
        app.cursor = tape.steps.index_of("gradients.b.term[40,35]")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        line = next((x for x in text.split("\n") if "∏ f_j" in x), "")
        assert re.search(r"∏ f_j \(j = 36…40\) = (\S+)", line), text
        assert rounds_to(re.search(r"= (\S+)\s*$", line.strip()).group(1), product), line


@pytest.mark.parametrize("n, rows, current", [(40, 6, 20), (40, 6, 1), (40, 6, 38), (40, 2, 17), (5, 8, 3), (40, 1, 9)])
def test_the_sampled_rows_keep_the_current_path_and_both_ends(n, rows, current):
    from rnnstep.tui.panels.carry_flow import sample_rows

    shown = sample_rows(n, rows, current)
    assert current in shown and len(shown) <= max(rows, 1) and shown == sorted(set(shown))
    if rows >= 3 and n > rows:
        assert shown[0] == 0 and shown[-1] == n - 1
    if n <= rows:
        assert shown == list(range(n))


def test_the_readmes_reading_of_the_chart_holds():
    """README, "Seeing it in the debugger": lstm-remembers' ∂L/∂b terms from one step back on are > 30 times
    more carry than rest; lstm-forgets' carry and rest terms both fall by about four decades (3.5 to 4.5)
    between 19 and 21 steps back."""
    import rnnstep

    def norms(name):
        tape = rnnstep.build_tape(rnnstep.load_scenario(name))
        table = tape.gradients["b"]  # a bias: term = δ, input 1
        first = table.index_of(40, 40)
        carry = np.array([np.linalg.norm(table.carry(first + j)) for j in range(40)])
        rest = np.array([np.linalg.norm(table.rest(first + j)) for j in range(40)])
        return carry, rest

    carry, rest = norms("lstm-remembers")
    assert (carry[1:] / rest[1:] > 30).all()
    carry, rest = norms("lstm-forgets")
    for v in (carry, rest):
        assert 3.5 <= math.log10(v[19] / v[21]) <= 4.5


async def test_help_on_a_gated_cell_explains_the_carry_chart_and_lists_t():
    from textual.widgets import Static

    from rnnstep.tui.screens import HelpScreen

    for name, gated in (("gated/lstm-remembers", True), ("vector/hello-char-rnn", False)):
        app = debugger(name)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = "\n".join(str(s.render()) for s in app.screen.query(Static))
            assert ("Reading a gated cell's term" in text and "‖carry term‖ (▀" in text) == gated


async def test_t_offered_in_the_palette_where_there_is_a_triangle_of_a_gated_cell():
    for name, live in (("gated/lstm-two-steps-by-hand", True), ("gated/lstm-remembers", False),
                       ("vector/hello-char-rnn", False)):
        app = debugger(name)
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.pause()
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert any(t.startswith("Carry/rest:") for t in titles) == live, name
            before = app.view.triangle_split
            await pilot.press("t")
            await pilot.pause()
            assert (app.view.triangle_split != before) == live, name


@pytest.mark.parametrize("size, visible", [((140, 45), True), ((100, 30), False)])
async def test_t_says_when_the_triangle_is_not_on_screen(size, visible):
    app = debugger("gated/lstm-two-steps-by-hand")
    async with app.run_test(size=size) as pilot:
        app.cursor = app.tape.steps.index_of("gradients.w.term[2,1]")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        said = " ".join(app.message) if isinstance(app.message, tuple) else str(app.message)
        assert "triangle: carry shares" in said
        assert ("when the sums panel has room" in said) != visible, said


async def test_v_on_a_gated_chart_says_it_has_no_pages():
    """Edge try-out: v on a gated cell's chart did nothing and said nothing."""
    app = debugger("gated/lstm-remembers")
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("gradients.b.term[40,10]")
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert "carry chart has no pages" in str(app.query_one("#status").render()) or \
            "gated cell's chart shows a sample" in str(app.query_one("#status").render())


def test_the_stacked_running_sum_says_approximately_where_the_printed_numbers_miss():
    """Edge try-out: Σ before + term = Σ after printed '=' where the printed numbers add to another last digit."""
    import rnnstep
    from rnnstep.printed import printed
    from rnnstep.scenario import load_scenario
    from rnnstep.tui.panels.base import View
    from rnnstep.tui.panels.vector_sums import sums_lines

    tape = rnnstep.build_tape(load_scenario("gru-carry"))
    table = tape.gradients["w_prime"]
    i = table.index_of(20, 3)
    before, term, after = (np.asarray(v, dtype=float).ravel() for v in
                           (table.running_sum[i - 1], table.value[i], table.running_sum[i]))
    misses = any(printed(printed(b) + printed(t)) != printed(a) for b, t, a in zip(before, term, after))
    assert misses  # the case the try-out found: 0.0171114 + 2.17663e-5 prints 0.0171332, not 0.0171331
    text = "\n".join(line.plain for line in sums_lines(View(tape, tape.steps.index_of("gradients.w_prime.term[20,3]")), 70, 40))
    assert " ≈ " in text and " = ⎢" not in text


async def test_at_80x24_t_says_f_shows_the_triangle_and_the_chart_view_draws_it():
    """Issue (gatedscreen 4): at 80×24 the sums panel has no room for the triangle; t says where it is,
    and f (the chart in place of the step) draws it under the chart, switched by t, with the current
    term's value as the tape has it."""
    app = debugger("gated/lstm-two-steps-by-hand")
    tape = app.tape
    table = tape.gradients["w"]
    i = table.index_of(2, 1)
    carry = np.linalg.norm(table.carry(i)) * np.linalg.norm(tape.x[0])
    async with app.run_test(size=(80, 24)) as pilot:
        app.cursor = tape.steps.index_of("gradients.w.term[2,1]")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert "triangle: carry shares" in status and "f shows it" in status, status
        await pilot.press("f")
        await pilot.pause()
        text = panel_text(app.query_one(GradientFlow))
        assert "‖carry term(t,k)‖" in text or "‖carry term‖" in text, text
        value = re.search(r"\[2,1\] ‖carry term‖ = (\S+)", text)
        assert value and rounds_to(value.group(1), float(carry)), text
        await pilot.press("t")  # the rests: the status says it is on screen now
        await pilot.pause()
        assert "‖rest term" in panel_text(app.query_one(GradientFlow))
        assert "f shows it" not in str(app.query_one("#status").render())


@pytest.mark.parametrize("name, stop", [("lstm-two-steps-by-hand", "gradients.w.term[2,1]"),
                                        ("gru-two-steps", "gradients.b.term[2,1]")])
async def test_at_80x24_the_carry_charts_ruler_keeps_its_labels_on_one_line(name, stop):
    """Issue (gatedscreen 4): the ruler's last label (10⁻¹) wrapped onto a line of its own; now a label
    that does not fit under its tick is left out, and every label sits under a tick."""
    app = debugger(f"gated/{name}")
    async with app.run_test(size=(80, 24)) as pilot:
        app.cursor = app.tape.steps.index_of(stop)
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        lines = panel_text(app.query_one(GradientFlow)).split("\n")
        at = next(j for j, line in enumerate(lines) if "┼" in line)
        rule, labels, after = lines[at], lines[at + 1], lines[at + 2] if at + 2 < len(lines) else ""
        assert re.fullmatch(r"\s*10\S*(\s+10\S*)+", labels), labels
        assert not re.match(r"^\s*10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]", after), (labels, after)  # nothing wrapped below
        for m in re.finditer(r"10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", labels):
            assert rule[m.start()] == "┼", (rule, labels)
