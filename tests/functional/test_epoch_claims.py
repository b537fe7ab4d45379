"""A worked example's claims are about epoch 0's tape: after u they are not judged against the next
epoch's numbers (every one would be "wrong"); the status line says whose they are and U brings them back.
At epoch 0 a claim off by one in its last digit is counted in the status line, not hidden behind "all right"."""

from __future__ import annotations

import pytest

from .apps import debugger


def status(app) -> str:
    return str(app.query_one("#status").render())


def step_box(app) -> str:
    return str(app.query_one("#step").render())


@pytest.mark.parametrize("name", ["gated/lstm-two-steps-by-hand", "worked-example-slip", "notes-four-steps-claims"])
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_after_u_the_claims_are_epoch_0s_and_U_judges_them_again(name, size):
    app = debugger(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        wrong_at_0 = app.claims_wrong
        claimed = sorted(app.claims)
        await pilot.press("G", "u")
        await pilot.pause()
        assert app.epoch == 1
        assert app.claims_wrong == 0 and not app.claims
        for step in claimed:  # no claim line anywhere on the tape: no ✓, ✗ or ≈ against epoch 1's numbers
            app.cursor = step
            await pilot.pause()
            assert not any(mark in step_box(app) for mark in ("✗", "✓ right", "≈ off by one"))
        assert "claims: epoch 0's" in status(app) and "wrong" not in status(app)
        if size[0] >= 140:
            assert "(U goes back)" in status(app)
        await pilot.press("U")
        await pilot.pause()
        assert app.epoch == 0 and app.claims_wrong == wrong_at_0 and sorted(app.claims) == claimed
        assert "epoch 0's" not in status(app)


@pytest.mark.parametrize("key", ["w", "W"])
async def test_w_and_W_after_u_say_the_claims_are_epoch_0s(key):
    app = debugger("worked-example-slip")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("G", "u", "n")
        await pilot.pause()
        where = app.cursor
        await pilot.press(key)
        await pilot.pause()
        said = " ".join(app.message)
        assert app.cursor == where and said.startswith(key) and "epoch 0" in said and "U goes back" in said
        assert any(m in status(app) for m in app.message)


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_all_right_with_claims_off_in_the_last_digit_says_how_many(size):
    app = debugger("gated/lstm-two-steps-by-hand")  # 22 right, 2 off by one in the last digit
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert "claims: all right (2 within rounding)" in status(app) or "claims: all right (2 ≈)" in status(app)
        if size[0] >= 140:
            assert "claims: all right (2 within rounding)" in status(app)


async def test_all_right_without_rounding_says_just_that():
    app = debugger("notes-four-steps-claims")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert "claims: all right" in status(app) and "rounding" not in status(app)
