"""Pilot tests: the debugger on vector scenarios (SPEC §7) shows the tape's numbers at 80×24 and 140×45."""

from __future__ import annotations

import re

import numpy as np
import pytest

import rnnstep
from rnnstep.scenario import VECTOR_SCENARIO_DIR
from rnnstep.tui.widgets import GradientFlow, NetworkStrip, RunningSums, StepDetail, panel_text

from sampled import steps_to_visit

from .apps import debugger

NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")


def shown(app, widget) -> str:
    return panel_text(app.query_one(widget))


def rounds_to(text: str, value: float) -> bool:
    """``text`` is ``value`` at 6 significant digits, or correctly rounded to fewer."""
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0") or "0"
    return float(text) == float(f"{value:.{max(1, len(mantissa)) - 1}e}")


def grid_rows(text: str, after: str) -> list[list[str]]:
    """The number rows of the first grid below the line containing ``after``."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if after in line)
    rows = []
    for line in lines[start + 1:]:
        cells = line.strip().lstrip("+=≈").strip()  # Σ before, + term, = (or ≈) Σ after may stand one under another
        if not cells or cells[0] not in "[⎡⎢⎣":
            break
        rows.append(NUMBER.findall(cells.replace("▸", " ")))
    return rows


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_stepping_a_vector_sum_shows_the_running_sum_and_its_marks_both_ways(size):
    app = debugger("vector/hello-char-rnn")
    tape = rnnstep.build_tape(rnnstep.load_scenario(VECTOR_SCENARIO_DIR / "hello-char-rnn.toml"))
    table = tape.gradients["w_prime"]
    start = tape.steps.phase_start("backward.w_prime")
    async with app.run_test(size=size) as pilot:
        app.cursor = start
        await pilot.pause()
        order = list(range(len(table))) + list(reversed(range(len(table) - 1)))
        for i in order:
            if app.cursor != start + i:
                await pilot.press("n" if app.cursor < start + i else "p")
            assert app.cursor == start + i
            text = shown(app, RunningSums)
            after = np.asarray(table.running_sum[i])
            before = np.asarray(table.running_sum[i - 1]) if i else np.zeros_like(after)
            rows = grid_rows(text, "Σ after")
            assert len(rows) == after.shape[0]
            for r, row in enumerate(rows):
                assert len(row) in (after.shape[1], 3 * after.shape[1])  # Σ after, or Σ before + term = Σ after
                row = row[-after.shape[1]:]
                assert all(rounds_to(s, v) for s, v in zip(row, after[r])), (row, after[r])
            assert f"changed: {int(np.sum(after != before))} of {after.size}" in text
            step = shown(app, StepDetail)
            t, k = int(table.t[i]), int(table.k[i])
            assert f"[{t},{k}]" in step
            delta = table.delta(i)
            lines = step.split("\n")
            top = max((n for n, line in enumerate(lines) if f"term[{t},{k}] = δ[{t},{k}]ᵀ·O" in line
                       and line.startswith(f"δ[{t},{k}]ᵀ ")), default=None)  # the outer product's own label
            assert top is not None, step
            column = [NUMBER.findall(line)[0] for line in lines[top + 2:top + 2 + len(delta)]]
            assert all(rounds_to(s, v) for s, v in zip(column, delta)) and len(column) == len(delta), column
            norm = f"‖δ[{t},{k}]‖ = "
            assert norm in step or (size == (80, 24) and "✎ note" in step)  # a note can push ∏‖·‖₂ ≥ ‖δ‖ out
            if norm in step:
                value = step.split(norm, 1)[1].split()[0]
                assert rounds_to(value, float(np.linalg.norm(delta)))


async def test_the_triangle_and_flow_at_140x45():
    app = debugger("vector/hello-char-rnn")
    tape = rnnstep.build_tape(rnnstep.load_scenario(VECTOR_SCENARIO_DIR / "hello-char-rnn.toml"))
    table = tape.gradients["b"]
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = tape.steps.phase_start("backward.b") + table.index_of(4, 2)
        await pilot.pause()
        text = shown(app, RunningSums)
        assert "‖term(t,k)‖ of ∂L/∂b" in text
        value = text.split("[4,2] ‖·‖ = ", 1)[1].split()[0]
        assert rounds_to(value, float(table.norms[table.index_of(4, 2)]))
        flow = shown(app, GradientFlow)
        for j in range(3):  # k = 4, 3, 2 reached; k = 1 not yet
            line = next(x for x in flow.split("\n") if x.strip().startswith(f"{j} back"))
            assert rounds_to(NUMBER.findall(line.split("back", 1)[1])[0], float(table.norms[table.index_of(4, 4 - j)]))
        assert next(x for x in flow.split("\n") if x.strip().startswith("3 back")).strip().endswith("·")
        assert "O₄" in shown(app, NetworkStrip)


async def test_every_step_of_every_shipped_vector_scenario_at_80x24_and_the_update_applies():
    for path in sorted(VECTOR_SCENARIO_DIR.glob("*.toml")):
        app = debugger(f"vector/{path.stem}")
        async with app.run_test(size=(80, 24)) as pilot:
            for index in steps_to_visit(app.tape):
                app.cursor = index
                await pilot.pause()
                for widget in (StepDetail, RunningSums, GradientFlow, NetworkStrip):
                    assert all(len(line) <= app.query_one(widget).content_size.width for line in shown(app, widget).split("\n"))
            await pilot.press("G")
            loss = app.tape.loss
            await pilot.press("u")
            await pilot.pause()
            assert app.epoch == 1 and app.cursor == 0 and app.tape.loss != loss


async def test_opening_a_vector_scenario_from_the_debugger_switches_to_it():
    app = debugger()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("n", "o")
        await pilot.click("#open-path")
        for ch in str(VECTOR_SCENARIO_DIR / "hello-char-rnn.toml"):
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        assert app.tape.vector and app.tape.n == 3 and app.cursor == 0
        assert app.screen.has_class("vector")
        await pilot.press("n")
        assert "a₂ = W·x₂ + W′·O₁ + b" in shown(app, StepDetail)


async def test_panels_drawn_ahead_and_remembered_show_what_a_fresh_drawing_shows_both_ways():
    """The panels remember each step's drawing and draw the next step ahead; their lines are rendered
    one by one through a cache: every screen must be what Rich renders from a fresh drawing."""
    from rich.segment import Segment
    from textual.strip import Strip

    from rnnstep.tui.view import View

    app = debugger("vector/notes-hidden-two")
    async with app.run_test(size=(100, 30)) as pilot:
        steps = len(app.tape.steps)
        order = list(range(steps)) + list(range(steps - 2, -1, -3))  # forward, then back (cached, drawn ahead)
        for cursor in order:
            app.cursor = cursor
            await pilot.pause()
            for widget in (NetworkStrip, StepDetail, RunningSums, GradientFlow):
                panel = app.query_one(widget)
                width, height = panel.content_size.width, panel.content_size.height
                fresh = panel.draw(View(app.tape, cursor, notes=app.notes, claims=app.claims), width, height)
                console = app.console
                options = console.options.update(width=width, height=None, highlight=False, markup=False)
                expected = [Strip(Segment.simplify(line), width)
                            for line in console.render_lines(fresh.joined(), options, pad=True)]
                shown_strips = panel._lines[:len(expected)]
                assert [list(s) for s in shown_strips] == [list(s) for s in expected], (cursor, widget.__name__)


async def test_a_panel_keeps_its_base_style_only_until_the_theme_or_its_styles_change():
    app = debugger("vector/notes-hidden-two")
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(StepDetail)
        before = panel._base_style()
        assert before == panel.rich_style
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = panel._base_style()
        assert after == panel.rich_style and after != before
        panel.styles.background = "red"
        await pilot.pause()
        assert panel._base_style() == panel.rich_style != after


@pytest.mark.parametrize("vector", [True, False])
async def test_help_reads_a_term_in_the_scenario_own_terms(vector):
    """On a hidden vector, help explains δ, the Jacobians' norms and the outer product; the notes' help stays."""
    from textual.widgets import Static

    from rnnstep.tui.app import DebuggerApp
    from rnnstep.tui.screens import HelpScreen

    app = DebuggerApp(rnnstep.load_scenario("hello-char-rnn")) if vector else debugger()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert ("outer product δ(t,k)ᵀ·O_{k−1}ᵀ" in text and "diag(f′(a_j))·W′" in text) == vector
        assert ("∂⁺O₃/∂w′" in text) != vector


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_open_lists_the_shipped_vector_and_gated_scenarios_apart_and_opens_one(size):
    """o lists every scenario `rnnstep scenarios` does: the one-unit ones, the hidden-vector ones and the
    gated cells' (LSTM, GRU), the last two each under a heading that cannot be picked."""
    from rnnstep.scenario import shipped_gated_scenarios, shipped_scenarios, shipped_vector_scenarios
    from textual.widgets import OptionList

    gated_paths = shipped_gated_scenarios()
    assert len(gated_paths) == 7
    app = debugger()
    async with app.run_test(size=size) as pilot:
        await pilot.press("o")
        await pilot.pause()
        options = app.screen.query_one("#open-shipped", OptionList)
        listed = [options.get_option_at_index(i) for i in range(options.option_count)]
        ids = [o.id for o in listed if o.id]
        assert ids == [str(p) for p in shipped_scenarios() + shipped_vector_scenarios() + gated_paths]
        vectors, gated = (o for o in listed if not o.id)  # under headings that cannot be picked
        assert vectors.disabled and "hidden vectors" in str(vectors.prompt)
        assert gated.disabled and "gated cells (LSTM and GRU)" in str(gated.prompt)
        assert listed.index(vectors) == len(shipped_scenarios())
        assert listed.index(gated) == len(shipped_scenarios()) + 1 + len(shipped_vector_scenarios())
        options.focus()
        await pilot.pause()
        await pilot.press("end", "enter")
        await pilot.pause()
        assert app.tape.scenario.name == rnnstep.load_scenario(gated_paths[-1]).name
        assert app.tape.scenario.cell in ("lstm", "gru")


async def test_at_140x45_the_flow_chart_takes_the_rows_the_step_panel_does_not_use():
    """#13: vanishing-vector's chart showed 4 of 12 paths (⋮ 7 paths above) under ~11 empty step rows."""
    app = debugger("vector/vanishing-vector")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        tape = app.tape
        app.cursor = tape.steps.phase_start("backward.w_prime") + tape.gradients["w_prime"].index_of(12, 2)
        await pilot.pause()
        await pilot.pause()
        flow = shown(app, GradientFlow)
        rows = [re.match(r"\s*▶?\s*(\d+)(?:–(\d+))? back", line) for line in flow.split("\n")]
        covered = [k for m in rows if m for k in range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1)]
        assert covered == list(range(12)) and len([m for m in rows if m]) >= 6, flow  # every path, bands or not
        step = app.query_one(StepDetail)
        body = shown(app, StepDetail).split("\n")
        assert "δ[12,2]" in "\n".join(body) and step.content_size.height >= 20  # the step keeps its rendering


async def test_a_grid_taller_than_its_box_can_be_moved_to_its_last_rows():
    """Item 14: at n = 32 the grids showed "rows 1–20 of 32" and nothing reached rows 21–32. ⇧↓ (shown in
    the key bar) moves the window of every tall grid down to the last rows, ⇧↑ back; a one-unit scenario
    has no such key."""
    from rnnstep.scenario import parse_scenario
    from rnnstep.tui.app import DebuggerApp
    from rnnstep.tui.widgets import KeyBar
    from vector_scenarios import vector_toml

    app = DebuggerApp(parse_scenario(vector_toml(n=32, m=2, q=2, T=6, seed=1), source="<n32>"))
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("gradients.w_prime.term[6,3]")
        await pilot.pause()
        assert "⇧↓" in str(app.query_one(KeyBar).render())
        first = shown(app, StepDetail)
        assert re.search(r"rows 1–\d+ of 32", first), first
        for _ in range(8):
            await pilot.press("shift+down")
        text = shown(app, StepDetail)
        assert re.search(r"rows \d+–32 of 32", text) and "rows 1–" not in text, text
        last = np.asarray(app.tape.gradients["w_prime"].delta(app.tape.gradients["w_prime"].index_of(6, 3)))[-1]
        assert any(rounds_to(word, float(np.ravel(last)[0])) for word in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)), text
        for _ in range(8):
            await pilot.press("shift+up")
        assert shown(app, StepDetail) == first
    scalar = debugger()
    async with scalar.run_test(size=(140, 45)):
        assert "⇧↓" not in str(scalar.query_one(KeyBar).render())


async def test_the_totals_themselves_are_on_screen_at_the_end_of_the_tape():
    """Item 14: at the end of a vector tape the sums panel showed only the totals' norms. Now each
    gradient's entries (the numbers the update uses) are there, whole or correctly rounded."""
    from rnnstep.tui.app import DebuggerApp

    app = DebuggerApp(rnnstep.load_scenario(VECTOR_SCENARIO_DIR / "worked-example-hidden-two.toml"))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("G")
        await pilot.pause()
        text = shown(app, RunningSums)
        words = re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)
        for param, table in app.tape.gradients.items():
            for value in np.ravel(np.asarray(table.total, dtype=float)):
                assert any(rounds_to(w, float(value)) for w in words), f"{param}: {value} not in\n{text}"
