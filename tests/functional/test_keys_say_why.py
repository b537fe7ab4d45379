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
