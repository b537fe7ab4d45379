"""The status line and the step panel's teaching notes at every width: whole parts or none, never cut.

(Defects a new user met at 80×24: "L =" missing until the end of the tape, a bare "●" left
of a cut "● breakpoint here", a note cut mid-sentence with no sign of more, and the O₀ gloss said twice.)
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

import rnnstep
from rnnstep import notation as nt
from rnnstep.scenario import SCENARIO_DIR, load_scenario
from rnnstep import navigation
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.status import status_line
from rnnstep.tui.panels.step import fit_extras, step_panel

WIDTHS = range(40, 161, 3)


def tape_of(name: str):
    return rnnstep.build_tape(load_scenario(SCENARIO_DIR / f"{name}.toml"))


def text_of(renderable, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable, crop=False, soft_wrap=False)
    return console.export_text().splitlines()


@pytest.mark.parametrize("name", ["notes-four-steps", "worked-example-slip", "exploding-gradients"])
def test_the_status_line_never_runs_past_its_width(name):
    tape = tape_of(name)
    breakpoints = navigation.scenario_breakpoints(tape) | {0, len(tape.steps) - 1}
    messages = [(), ("end of the tape · u: next epoch",), ("x" * 70, "a shorter word")]
    for cursor in sorted({0, 5, 6, 7, len(tape.steps) - 1}):
        view = View(tape, cursor, claims=navigation.claims_by_step(tape))
        for width in WIDTHS:
            for message in messages:
                line = status_line(view, breakpoints, 3, [1.0, 0.5, 0.2], 2, message, width)
                assert line.cell_len <= width, (width, line.plain)  # the Static would crop it: a cut part
                assert line.plain.startswith(f" step {cursor + 1}/{len(tape.steps)} ")
                assert "● breakpoint" in line.plain or " ●" not in line.plain.replace(" ●∂", "").replace(
                    " ●fwd", "").replace(" ●loss", "").replace(" ●upd", ""), line.plain  # no bare ●
                if message and width >= 60:
                    shown = [m for m in message if m in line.plain]
                    assert shown, (width, line.plain)


def test_at_80_columns_L_shows_once_known_and_the_breakpoint_reads_as_a_word():
    tape = tape_of("notes-four-steps")
    breakpoints = navigation.scenario_breakpoints(tape)
    L = f"L = {nt.fmt(tape.loss)}"
    # one target: the step that shows ℓ₄ (= L) is the first that knows L (item 16: it said "L = ·" there)
    known = tape.steps.index_of(f"outputs.loss[{tape.T}]")
    for cursor in range(len(tape.steps)):
        line = status_line(View(tape, cursor), breakpoints, 0, [tape.loss], 0, (), 80).plain
        assert len(line) <= 80
        if cursor < known:
            assert L not in line and "L = ·" in line  # not before the forward pass reaches it
        else:
            assert L in line, line
        if cursor in breakpoints:
            assert "● breakpoint" in line, line
    wide = status_line(View(tape, min(breakpoints)), breakpoints, 0, [tape.loss], 0, (), 140).plain
    assert "● breakpoint here" in wide and "∂L/∂w_out" in wide and "epoch 0" in wide


def test_a_note_too_long_for_its_room_ends_in_a_sign_of_more():
    tape = tape_of("notes-four-steps")
    notes = navigation.notes_by_step(tape)
    cursor = tape.steps.index_of("gradients.w_prime.term[4,3]")
    note = notes[cursor][0]
    width, height = 46, 13  # the step panel at 80×24
    view = View(tape, cursor, notes=notes, more_key="m")
    lines = text_of(step_panel(view, width, height), width)
    assert len(lines) <= height and all(len(line) <= width for line in lines)
    shown = " ".join(lines)
    assert note not in " ".join(l.strip() for l in lines)  # it does not fit: cut …
    assert "m: read the whole note" in shown and " …" in shown  # … and says so, with the key that shows it all
    assert "✎ note" in shown  # its first words are still there
    roomy = " ".join(l.strip() for l in text_of(step_panel(view, 120, 40), 120))
    assert note in roomy and "read the whole note" not in roomy


def test_fit_extras_keeps_whole_words_and_never_passes_its_rows():
    from rich.text import Text

    note = Text("✎ note  " + " ".join(f"word{i}" for i in range(60)))
    for width in (20, 30, 46, 80):
        for rows in range(0, 12):
            out = fit_extras([Text(""), note], rows, width, "m")
            rendered = [l for t in out for l in text_of(t, width)]
            assert len(rendered) <= max(rows, 0) and all(len(l) <= width for l in rendered)
            words = " ".join(rendered).replace("…", " ").split()
            assert all(w.startswith("word") and w[4:].isdigit() or not w.startswith("word") for w in words)
            whole = 1 + len(text_of(note, width))
            if whole <= rows:
                assert out == [Text(""), note]
            elif rows:
                assert rendered[-1].strip().startswith(("▸", "✎")), rendered  # the sign of more, last


def test_the_first_step_says_the_recurrent_part_vanishes_once():
    tape = tape_of("notes-four-steps")
    notes = navigation.notes_by_step(tape)
    with_note = " ".join(text_of(step_panel(View(tape, 0, notes=notes), 120, 40), 120))
    assert with_note.count("vanishes") == 1 and "O₀ = 0" in with_note and "h0" not in with_note
    without = " ".join(text_of(step_panel(View(tape, 0), 120, 40), 120))
    assert without.count("vanishes") == 1  # no note: the panel's own gloss says it


def test_a_hung_line_has_single_spaces_where_it_was_wrapped():
    from rich.text import Text

    from rnnstep.tui.panels.step import hang

    line = Text("  recursive view: ∂L/∂O₄ = 0.286666 (every path from L to O₄), ∂L/∂a₄ = ∂L/∂O₄·f′(a₄) = 0.218771")
    for width in range(30, 100):
        out = hang(line, width).plain
        assert " ".join(out.split()) == " ".join(line.plain.split())
        assert all("  " not in row.strip() for row in out.split("\n")), (width, out)


def test_without_a_key_the_sign_promises_no_key():
    """The drill shows the description too, but has no m: the sign says the note is cut, not how to read it."""
    from rich.text import Text

    note = Text("✎ " + "a long description of the scenario " * 8)
    out = fit_extras([Text(""), note], 3, 46, None)
    assert out[-1].plain.strip() == "(cut for room)" and out[-2].plain.endswith(" …")
    assert "m:" not in " ".join(t.plain for t in out)


@pytest.mark.parametrize("size", [(46, 13), (60, 16), (90, 24)])
def test_a_vector_steps_note_is_whole_or_says_there_is_more(size):
    from rnnstep.scenario import shipped_vector_scenarios
    from rnnstep.tui.panels import vector_view
    from rnnstep.tui.panels.step import claims_text, note_text, step_title

    width, height = size
    for path in shipped_vector_scenarios():
        tape = rnnstep.build_tape(load_scenario(path))
        notes = navigation.notes_by_step(tape)
        for cursor in sorted(set(notes) | {0}):
            view = View(tape, cursor, notes=notes, more_key="m")
            out = vector_view.step_text(view, width, height, step_title(view), note_text(view), claims_text(view))
            lines = out.plain.split("\n")
            assert len(lines) <= height and all(len(line) <= width for line in lines), (path.stem, cursor)
            note = note_text(view)
            flat = " ".join(" ".join(lines).split())
            whole = " ".join(note.plain.split()) in flat
            assert whole or "m: read the whole note" in flat or "m: more" in flat, (path.stem, cursor, lines)
            if cursor == 0:
                assert flat.count("vanishes") <= 1, flat
