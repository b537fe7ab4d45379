"""The drill in the terminal: Pilot tests and a snapshot."""

from __future__ import annotations

import json

import rnnstep
from rnnstep.drill.history import History
from rnnstep.drill.questions import questions
from rnnstep.drill.session import DrillSession
from rnnstep.drill.tui import DrillApp
from rnnstep.tui.widgets import StepDetail, panel_text

SIZE = (140, 45)


def make_app(tmp_path, count=None):
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    qs = questions(tape)[:count] if count else questions(tape)
    session = DrillSession(tape, qs, History(tmp_path / "h.jsonl"))
    return DrillApp(session, header="drill test"), tape


async def type_line(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch if ch not in ".-" else {".": "full_stop", "-": "minus"}[ch])
    await pilot.press("enter")


async def test_answers_are_graded_scored_and_recorded(tmp_path):
    app, tape = make_app(tmp_path, count=4)
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.current
        assert "?" in panel_text(app.query_one(StepDetail))  # the value to find is hidden
        await type_line(pilot, repr(round(tape.value(first.id), 6)))
        assert app.session.right == 1 and app.session.streak == 1
        await type_line(pilot, "0.1")  # wrong
        assert app.session.right == 1 and app.session.answered == 2 and app.session.streak == 0
        assert "✗ wrong" in str(app.query_one("#feedback").render())
        await type_line(pilot, "banana")  # junk: re-asked, not counted
        assert app.session.answered == 2 and "not a number" in str(app.query_one("#feedback").render())
        await type_line(pilot, "hint")
        assert app.session.hints_used == 1
        await type_line(pilot, "skip")
        await type_line(pilot, "quit")
        assert app.session.current is None
    records = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    assert [r["right"] for r in records] == [True, False, False]
    assert records[2]["skipped"] and records[2]["hints"] == 1


async def test_the_drill_reaches_the_end_and_reveals_everything(tmp_path):
    app, tape = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        n = len(app.session.questions)
        while app.session.current is not None:
            app.session.answer(tape.value(app.session.current.id))
        app.show_question()
        await pilot.pause()
        assert app.session.score == f"score: {n}/{n}"
        assert "Drill over" in str(app.query_one("#feedback").render())
        assert "?" not in panel_text(app.query_one(StepDetail))


def test_drill_snapshot(snap_compare, tmp_path):
    app, _ = make_app(tmp_path)
    app.session.position = 14  # part-way into the backward pass

    async def no_blink(pilot) -> None:  # a blinking cursor would make the snapshot flaky
        from textual.widgets import Input

        app.query_one(Input).cursor_blink = False
        app.show_question()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=no_blink)
