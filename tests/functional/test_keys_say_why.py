"""A key that cannot act where it is pressed says why in the status line, as n does at the end of the tape:
t (the carry/rest switch of a gated cell's triangle) and f (the step and the chart swapped on a short terminal)."""

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
