"""SVG snapshots of the main screens (pytest-textual-snapshot; Textual is pinned so they stay stable).

Regenerate after a deliberate UI change with `pytest tests/functional/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

from .apps import debugger

SIZE = (140, 45)


def test_forward_step(snap_compare):
    assert snap_compare(debugger(), press=["n"], terminal_size=SIZE)


def test_backward_term_mid_sum(snap_compare):
    app = debugger()
    assert snap_compare(app, press=["c", "n", "n"], terminal_size=SIZE)  # ∂L/∂w′, term [4,2]


def test_final_totals_and_update(snap_compare):
    assert snap_compare(debugger(), press=["end"], terminal_size=SIZE)


def test_help_screen(snap_compare):
    assert snap_compare(debugger(), press=["question_mark"], terminal_size=SIZE)


def test_vanishing_gradients(snap_compare):
    app = debugger("vanishing-gradients")
    assert snap_compare(app, press=["c"] + ["n"] * 8, terminal_size=SIZE)


def test_light_theme(snap_compare):
    app = debugger(theme="textual-light")
    assert snap_compare(app, press=["c", "n"], terminal_size=SIZE)


def test_too_small(snap_compare):
    assert snap_compare(debugger(), terminal_size=(50, 16))


def test_vector_term_at_80x24(snap_compare):
    app = debugger("vector/notes-hidden-two")
    assert snap_compare(app, press=["c", "n"], terminal_size=(80, 24))  # ∂L/∂W′, term [4,3]


def test_vector_term_with_triangle(snap_compare):
    app = debugger("vector/hello-char-rnn")
    assert snap_compare(app, press=["c"] + ["n"] * 8, terminal_size=SIZE)  # ∂L/∂W′, term [4,2]


def test_vector_light_theme(snap_compare):
    app = debugger("vector/exploding-vector", theme="textual-light")
    assert snap_compare(app, press=["c"] + ["n"] * 9, terminal_size=SIZE)  # ∂L/∂W, far back: exploding
