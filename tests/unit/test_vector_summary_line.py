"""A vector's one-line summary (try-out 1, item 4a): `a₁: 3  ‖·‖ = …` read as a₁ = 3."""

from __future__ import annotations

import numpy as np

import rnnstep
from rnnstep.tui.panels import matrix as mx
from rnnstep.tui.panels.vector_step import _summary_line
from rnnstep.tui.view import View


def test_a_vector_is_its_entries_when_they_fit_else_its_shape_says_vector():
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    view = View(tape, 0, 6)
    a = np.array([0.3, 0.0, 0.1])
    assert _summary_line(view, "a₁", a, width=46).plain == "a₁ = [0.3 0 0.1]"
    assert _summary_line(view, "W", np.array([[1.0, 2.0], [3.0, -4.5]]), width=46).plain == "W = [1 2; 3 -4.5]"
    narrow = _summary_line(view, "a₁", np.array([0.123456, -0.654321, 0.5]), width=24).plain
    assert narrow.startswith("a₁: ") and "[" not in narrow.split("at")[0] and not narrow.startswith("a₁: 3 ")
    assert mx.summary(np.arange(8.0), 6).plain.startswith("8-vector  ‖·‖ = ")
    assert mx.summary(np.ones((2, 2)), 6).plain.startswith("2×2  ")
    view.hidden = {"forward.a[1]"}
    assert _summary_line(view, "a₁", a, "forward.a[1]", width=46).plain == "a₁: ?"


def test_an_update_that_has_no_room_for_grids_lists_its_entries_not_their_norms():
    """Try-out 1, item 26: at the end of a drill at 80×24 the last update read `b_out new: ‖·‖ = 0.122904`."""
    from rnnstep.tui.panels.vector_step import step_body

    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    view = View(tape, len(tape.steps) - 1, 6)
    u = tape.updates["b_out"]
    text = " ".join(line.plain for line in step_body(view, 44, 9))
    words = text.replace("[", " ").replace("]", " ").split()
    for v in list(u.clipped) + list(u.new):
        assert rnnstep.notation.fmt(float(v)) in words
    assert "‖·‖" not in text
