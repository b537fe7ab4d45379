"""A key that cannot act where it is pressed says why in the status line, as n does at the end of the tape:
t (the carry/rest switch of a gated cell's triangle), f (the step and the chart swapped on a short terminal),
U (back one epoch) in the first epoch, w and W with no wrong claim, p and g at the first step, ] and G at the end."""

from __future__ import annotations

import pytest

from .apps import debugger


def said(app) -> str:
    return " ".join(app.message)


def status(app) -> str:
    return str(app.query_one("#status").render())


@pytest.mark.parametrize("name, why", [("notes-four-steps", "not a gated cell"),
                                       ("vector/hello-char-rnn", "not a gated cell"),
                                       ("gated/lstm-remembers", "one target")])
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_t_where_there_is_no_triangle_to_split_says_why(name, why, size):
    app = debugger(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        before = app.view.triangle_split
        await pilot.press("t")
        await pilot.pause()
        assert app.view.triangle_split == before
        assert why in said(app)
        assert status(app).startswith(app.message[0]) or any(m in status(app) for m in app.message)


async def test_t_where_there_is_a_triangle_still_splits_it():
    app = debugger("gated/lstm-two-steps-by-hand")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert app.view.triangle_split == "carry" and "triangle: carry shares" in said(app)


async def test_f_on_a_tall_terminal_says_both_panels_are_shown_and_changes_nothing():
    app = debugger()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert not app.screen.has_class("show-flow")  # no hidden switch that a later shrink would reveal
        assert "both" in said(app) and "30 rows" in said(app)
        assert any(m in status(app) for m in app.message)


async def test_f_on_a_short_terminal_swaps_the_step_and_the_chart():
    app = debugger()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert app.screen.has_class("show-flow") and app.query_one("#flow").display
        assert not app.query_one("#step").display
        await pilot.press("f")
        await pilot.pause()
        assert not app.screen.has_class("show-flow") and app.query_one("#step").display


async def test_U_in_the_first_epoch_says_so_and_after_u_goes_back():
    app = debugger()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("U")
        await pilot.pause()
        assert app.epoch == 0 and "first epoch" in said(app)
        assert any(m in status(app) for m in app.message)
        await pilot.press("u")
        await pilot.pause()
        assert app.epoch == 1
        await pilot.press("U")
        await pilot.pause()
        assert app.epoch == 0 and "first epoch" not in said(app)


@pytest.mark.parametrize("name, why", [("notes-four-steps-claims", "no wrong claim"),
                                       ("notes-four-steps", "no claims")])
@pytest.mark.parametrize("key", ["w", "W"])
async def test_w_and_W_without_a_wrong_claim_say_why(name, why, key):
    app = debugger(name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # a step inside the tape: neither end
        await pilot.press(key)
        await pilot.pause()
        assert app.cursor == 1 and why in said(app) and said(app).startswith(key)
        assert any(m in status(app) for m in app.message)


async def test_w_with_a_wrong_claim_still_goes_to_it():
    app = debugger("worked-example-slip")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.claims_wrong
        await pilot.press("w")
        await pilot.pause()
        assert app.cursor > 0 and any(r.wrong for r in app.claims[app.cursor])


@pytest.mark.parametrize("keys, at_end, why", [(("p",), False, "first step"), (("g",), False, "first step"),
                                               (("right_square_bracket",), True, "end of the tape"),
                                               (("G",), True, "end of the tape")])
async def test_a_move_past_either_end_says_where_the_cursor_is(keys, at_end, why):
    app = debugger()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if at_end:
            await pilot.press("end")
        await pilot.pause()
        where = app.cursor
        await pilot.press(*keys)
        await pilot.pause()
        assert app.cursor == where and why in said(app)
        assert any(m in status(app) for m in app.message)


def _flow(app) -> str:
    from rnnstep.tui.widgets import GradientFlow, panel_text

    return panel_text(app.query_one(GradientFlow))


def _step(app) -> str:
    from rnnstep.tui.widgets import StepDetail, panel_text

    return panel_text(app.query_one(StepDetail))


@pytest.mark.parametrize("step", [1, 7])
async def test_v_where_every_path_fits_says_so_and_changes_nothing(step):
    app = debugger("notes-four-steps")
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = step - 1
        await pilot.pause()
        before = _flow(app)
        await pilot.press("v")
        await pilot.pause()
        assert _flow(app) == before and not app.view.flow_paged
        assert said(app).startswith("v") and "every path is on screen" in said(app)
        assert any(m in status(app) for m in app.message)


async def test_v_where_the_paths_do_not_fit_still_pages_them():
    from rnnstep.tui.app import DebuggerApp
    from rnnstep.scenario import load_scenario, SCENARIO_DIR

    app = DebuggerApp(load_scenario(SCENARIO_DIR / "vanishing-gradients.toml"))  # T = 30: more paths than rows
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        before = _flow(app)
        await pilot.press("v")
        await pilot.pause()
        assert app.view.flow_paged and _flow(app) != before and not app.message


@pytest.mark.parametrize("keys", [("J",), ("K",), ("shift+down",)])
@pytest.mark.parametrize("name, why", [("notes-four-steps", "no matrix"), ("vector/hello-char-rnn", "fits")])
async def test_J_and_K_with_no_tall_matrix_say_why(keys, name, why):
    app = debugger(name)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        assert app.view.grid_row == 0 and said(app).startswith("J/K") and why in said(app)
        assert any(m in status(app) for m in app.message)


@pytest.mark.parametrize("key, arrow", [("down", "↓"), ("up", "↑"), ("j", "↓")])
@pytest.mark.parametrize("step", [1, 7])
async def test_down_and_up_with_nothing_to_scroll_say_why(key, arrow, step):
    app = debugger("notes-four-steps")
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = step - 1
        await pilot.pause()
        before = _step(app)
        await pilot.press(key)
        await pilot.pause()
        assert _step(app) == before and app.view.factor_offset == 0
        assert said(app).startswith(arrow) and ("no factors" in said(app) or "are shown" in said(app)), said(app)
        assert any(m in status(app) for m in app.message)


async def test_down_after_a_term_at_a_forward_step_does_not_scroll_a_stale_list():
    """The window remembered is the last term's: at a forward step ↓ says there are no factors there."""
    app = debugger("notes-four-steps")
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = 6
        await pilot.pause()
        app.cursor = 0
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        assert "no factors" in said(app) and app.view.factor_offset == 0


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_x_with_no_export_running_says_so(size):
    app = debugger("notes-four-steps")
    async with app.run_test(size=size) as pilot:
        await pilot.press("n", "x")
        await pilot.pause()
        assert said(app).startswith("x") and "none is running" in said(app)
        assert any(m in status(app) for m in app.message)
