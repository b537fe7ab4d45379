"""The drill in the terminal: Pilot tests and a snapshot."""

from __future__ import annotations

import json
import re

import pytest
from textual.widgets import Input, Label

import rnnstep
from rnnstep.drill.history import History
from rnnstep.drill.questions import questions
from rnnstep.drill.session import DrillSession
from rnnstep.drill.tui import DrillApp
from rnnstep.tui.panels.matrix import grid
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


async def submit_line(pilot, text: str) -> None:
    """``text`` entered in the answer box at once and sent with Enter: for walks over many questions, where
    typing it a key at a time costs a screen update per key (typing itself is tested above and below)."""
    pilot.app.query_one(Input).value = text
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


# ----------------------------------------------------------------------------- a vector scenario (SPEC §7)

KEY = {".": "full_stop", "-": "minus", " ": "space", ";": "semicolon", ",": "comma"}


async def type_array(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(KEY.get(ch, ch))
    await pilot.press("enter")


def vector_app(tmp_path, only=None):
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    session = DrillSession(tape, questions(tape, only), History(tmp_path / "h.jsonl"))
    return DrillApp(session, header="vector drill test"), tape


def screen_text(app) -> str:
    return "\n".join(str(app.query_one(sel).render()) for sel in ("#feedback", "#status"))


async def test_a_vector_drill_at_80x24_takes_a_typed_array(tmp_path):
    app, tape = vector_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        first = app.session.current
        assert first.id == "forward.a[1]" and "(3 numbers)" in screen_text(app)
        assert "forward.a[1]" in app.view.hidden
        await type_array(pilot, "0.3 0")  # wrong shape: asked again, not counted
        assert app.session.answered == 0 and "wrong shape: you typed 2 numbers" in screen_text(app)
        await type_array(pilot, "0.3, 0, 0.1")  # a₁ = W·x₁ + b with x₁ = e₁ and O₀ = 0
        assert app.session.right == 1 and "✓ right: a₁ = [0.3 0 0.1]" in screen_text(app)
        await type_array(pilot, "0.29 0.5 0.0997")  # O₁: the second entry wrong
        assert app.session.answered == 2 and app.session.right == 1
        assert "[2] should be 0, you wrote 0.5" in screen_text(app)
    records = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    assert [r["right"] for r in records] == [True, False] and records[0]["answer"] == [0.3, 0.0, 0.1]


async def test_a_vector_term_typed_as_a_matrix_and_the_panels_keep_it_hidden(tmp_path):
    app, tape = vector_app(tmp_path, only="backward")
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.session.current.id.startswith("gradients.w_prime.delta[3,2]"):
            app.session.skip()
        app.show_question()
        await pilot.pause()
        # δ[3,2] is asked: the term δᵀ·O₁ᵀ and the running sum after it would give it away
        assert {"gradients.w_prime.delta[3,2]", "gradients.w_prime.term[3,2]",
                "gradients.w_prime.running_sum[3,2]"} <= app.view.hidden
        delta = tape.value("gradients.w_prime.delta[3,2]")
        await type_array(pilot, " ".join(f"{v:.6g}" for v in delta))
        assert app.session.right == 1
        # every line of the screen holds whole numbers: the feedback is never cut at 80 columns
        feedback = str(app.query_one("#feedback").render())
        assert "✓ right: δ[3,2] = [" in feedback


async def test_a_big_wrong_matrix_still_fits_the_feedback_box(tmp_path):
    from rnnstep.drill.tui import FEEDBACK_LINES, _lines

    app, tape = vector_app(tmp_path, only="update")
    async with app.run_test(size=(80, 24)) as pilot:
        wrong = (tape.value("update.w_prime.new") + 1).round(4)
        await type_array(pilot, "; ".join(" ".join(str(v) for v in row) for row in wrong))
        assert app.session.answered == 1
        box = app.query_one("#feedback")
        text = app.shown_feedback
        assert "✗ wrong: 9 of 9 entries wrong: [1,1] should be" in text.plain
        assert _lines(text, box.size.width) <= FEEDBACK_LINES[True] and box.size.height == _lines(text, box.size.width)


# ----------------------------------------------------------------------------- try-out 1, item 4 (80×24)

def step_panel(app) -> str:
    return panel_text(app.query_one(StepDetail))


def row_text(values) -> str:
    return " ".join(rnnstep.notation.fmt(float(v)) for v in values)


async def test_the_forward_questions_show_their_inputs_and_a_shown_vector_reads_as_its_entries(tmp_path):
    app, tape = vector_app(tmp_path)
    w = tape.weights
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for t in (1, 2):
            if t == 2:  # O₁ and f′(a₁) skipped: a₂ is asked, with O₁ among its inputs
                await type_array(pilot, "skip")
                assert app.session.current.id == "forward.f_prime[1]"
                await type_array(pilot, "skip")
            assert app.session.current.id == f"forward.a[{t}]"
            panel = step_panel(app)
            for M in (w["w"], w["w_prime"]):  # W and W′ whole, as grids
                for line in grid(M, 6):
                    assert line.plain in panel
            sub = rnnstep.notation.sub
            assert f"x{sub(t)} = [{row_text(tape.x[t - 1])}]" in panel
            assert f"b = [{row_text(w['b'])}]" in panel
            assert f"O{sub(t - 1)} = [{row_text(tape.O_prev[t - 1])}]" in panel
            assert f"a{sub(t)} = [" not in panel and row_text(tape.a[t - 1]) not in panel  # never the answer
            await type_array(pilot, row_text(tape.a[t - 1]))
            panel = step_panel(app)
            # a₁ answered: shown as its entries (a bare "a₁: 3" read as a₁ = 3) while O₁ is asked
            assert f"a{sub(t)} = [{row_text(tape.a[t - 1])}]" in panel and f"O{sub(t)}: ?" in panel
            assert f"a{sub(t)}: 3" not in panel


async def test_a_delta_answered_or_revealed_stays_shown_while_its_term_is_asked(tmp_path):
    app, tape = vector_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.session.current.id != "gradients.w_prime.delta[2,2]":
            app.session.skip()
        app.show_question()
        await pilot.pause()
        delta = tape.value("gradients.w_prime.delta[2,2]")
        shown = [rnnstep.notation.fmt(float(v), d) for v in delta for d in (6, 4, 3)]
        assert not any(s in step_panel(app) for s in shown)  # asked: hidden
        assert "∏‖·‖₂ = ?" not in step_panel(app)  # its factors' norms are inputs, not the answer
        await type_array(pilot, row_text(delta))
        assert app.session.current.id == "gradients.w_prime.term[2,2]"
        panel = step_panel(app)
        assert all(any(rnnstep.notation.fmt(float(v), d) in panel for d in (6, 4, 3)) for v in delta)
        while app.session.current.id != "gradients.w_prime.delta[2,1]":
            app.session.skip()
        app.show_question()
        await type_array(pilot, "skip")  # revealed
        panel = step_panel(app)
        delta = tape.value("gradients.w_prime.delta[2,1]")
        assert app.session.current.id == "gradients.w_prime.term[2,1]"
        assert all(any(rnnstep.notation.fmt(float(v), d) in panel for d in (6, 4, 3)) for v in delta)
        # ∂ℓ/∂z is not asked on its own: hidden with the term of ∂L/∂W_out that needs it
        while app.session.current.id != "gradients.w_out.term[4]":
            app.session.skip()
        app.show_question()
        await pilot.pause()
        assert "gradients.w_out.delta[4]" in app.view.hidden


async def test_a_note_cut_for_room_is_read_whole_by_typing_note(tmp_path):
    from rnnstep.tui.screens import NoteScreen

    app, tape = vector_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "▸ type note: read the whole note" in step_panel(app)
        await type_array(pilot, "note")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, NoteScreen) and app.session.answered == 0
        assert app.session.current.id == "forward.a[1]"


async def test_a_delta_question_shows_the_inputs_of_its_formula_never_delta(tmp_path):
    app, tape = vector_app(tmp_path, only="backward")
    table = tape.gradients["w_prime"]
    async with app.run_test(size=(80, 24)) as pilot:
        for t, k in ((3, 3), (3, 2)):
            while app.session.current.id != f"gradients.w_prime.delta[{t},{k}]":
                app.session.skip()
            app.show_question()
            await pilot.pause()
            panel = step_panel(app)
            if k == t:  # δ(t,t) = ∂ℓ_t/∂z_t·W_out·diag(f′(a_t))
                first, matrix = tape.to_z[tape.target_position[t]], tape.weights["w_out"]
            else:  # δ(t,k) = δ(t,k+1)·W′·diag(f′(a_k))
                first, matrix = table.delta(table.index_of(t, k + 1)), tape.weights["w_prime"]
            words = panel.replace("[", " ").replace("]", " ").split()
            for v in list(first) + list(tape.f_prime[k - 1]):
                assert rnnstep.notation.fmt(float(v)) in words
            for line in grid(matrix, 6):
                assert line.plain in panel
            delta = table.delta(table.index_of(t, k))
            assert not any(rnnstep.notation.fmt(float(v), d) in words for v in delta for d in (6, 4, 3))


# ----------------------------------------------------------------------------- try-out 2, item 6 (80×24)

def sums_panel(app) -> str:
    from rnnstep.tui.widgets import RunningSums

    return panel_text(app.query_one(RunningSums))


async def test_a_long_feedback_leaves_the_whole_sigma_grid_and_delta_keeps_its_digits(tmp_path):
    """hello-char-rnn at 80×24: after a wrong 3×3 term (a feedback of several lines) and under the 3-line
    header, Σ after keeps its three rows (never "rows 1–1 of 3"), and δ's column, which the term question
    multiplies, shows its full 6 digits (it was cut to -0.0259)."""
    import numpy as np

    _, tape = vector_app(tmp_path, only="terms")
    header = ("rnnstep drill: Karpathy's character model on \"hello\" · answer each question on one line: a number, "
              "or a vector's numbers separated by spaces and a matrix's rows by ; (0.1 0.2; 0.3 0.4), or: hint, "
              "skip, quit")  # the command line's, 3 lines at 80 columns
    app = DrillApp(DrillSession(tape, questions(tape, "terms"), History(tmp_path / "h.jsonl")), header=header)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "rows 1–" not in sums_panel(app) and sums_panel(app).count("?") >= 9  # the header's 3 lines
        await type_array(pilot, "skip")
        await pilot.pause()
        delta = tape.value("gradients.w_prime.delta[2,2]")
        panel = step_panel(app)
        assert all(rnnstep.notation.fmt(float(v)) in panel for v in delta), panel
        await type_array(pilot, "1 2 3; 4 5 6; 7 8 9")
        await pilot.pause()
        assert app.session.current.id == "gradients.w_prime.term[2,1]"
        assert "✗ wrong: 9 of 9 entries wrong: [1,1] should be" in app.shown_feedback.plain
        sums = sums_panel(app)
        assert "rows 1–" not in sums and "Σ after [2,1]" in sums, sums
        rows = [line for line in sums.splitlines() if "?" in line and "‖Σ‖" not in line]
        assert len(rows) == 3 and all(line.count("?") == 3 for line in rows), sums
        assert np.asarray(tape.gradients["w_prime"].running_sum[2]).shape == (3, 3)


async def test_a_gated_cells_feedback_leaves_room_for_its_six_progress_lines_and_the_sigma_grid(tmp_path):
    """A gated cell's sums panel has a progress line per parameter, b′'s too (tape.params, six): after a wrong
    3×2 term at 80×24 the feedback still leaves Σ after its three rows (it left one and "⋮ 2 more lines")."""
    tape = rnnstep.build_tape(rnnstep.load_scenario("gru-two-steps"))
    app = DrillApp(DrillSession(tape, questions(tape, "terms"), History(tmp_path / "h.jsonl")), header="gated drill")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_array(pilot, "skip")
        await pilot.pause()
        assert app.session.current.id == "gradients.w.term[2,2]"
        await type_array(pilot, "1 2; 3 4; 5 6")
        await pilot.pause()
        assert app.session.current.id == "gradients.w.term[2,1]" and "✗ wrong" in app.shown_feedback.plain
        sums = sums_panel(app)
        assert "∂L/∂b′" in sums and "more lines" not in sums and "Σ after [2,1]" in sums, sums
        rows = [line for line in sums.splitlines() if "?" in line and "‖Σ‖" not in line]
        assert len(rows) == 3 and all(line.count("?") == 2 for line in rows), sums


async def test_a_single_escape_asks_before_ending_the_drill_and_loses_nothing(tmp_path):
    """Issue 18 item 5: one escape ended the drill at 0/0 without asking."""
    from rnnstep.tui.dialog import Confirm

    from .apps import post_keys

    app, tape = make_app(tmp_path, count=4)
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.current
        await type_line(pilot, repr(round(tape.value(first.id), 6)))
        await pilot.press("1")  # half-typed answer to the second question
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm) and app.is_running
        assert "question 2 of 4" in str(app.screen.query_one(Label).render()) and "1 answer so far is kept" in str(
            app.screen.query_one(Label).render())
        await pilot.press("n")  # keep going: the same question, the half-typed answer still there
        assert not isinstance(app.screen, Confirm) and app.session.position == 1 and not app.session.finished
        assert app.query_one(Input).value == "1"
        post_keys(app, "escape", "escape")  # two escapes in one write: asked, then kept going
        for _ in range(4):
            await pilot.pause()
        assert not isinstance(app.screen, Confirm) and app.is_running and not app.session.finished
        await pilot.press("escape", "y")  # asked, and yes: the drill ends, the answer is in the history
        await pilot.pause()
        assert not app.is_running and app.session.finished
    records = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == [first.id] and records[0]["right"]


async def test_escape_leaves_a_finished_drill_at_once(tmp_path):
    app, tape = make_app(tmp_path, count=1)
    async with app.run_test(size=SIZE) as pilot:
        await type_line(pilot, repr(round(tape.value(app.session.current.id), 6)))
        assert app.session.current is None
        await pilot.press("escape")
        await pilot.pause()
        assert not app.is_running


async def test_two_enters_in_one_write_answer_one_question(tmp_path):
    """Issue 20: keys of one write. The second Enter used to hand the same text to the next question."""
    from .apps import post_keys

    app, tape = make_app(tmp_path, count=4)
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.current
        await pilot.press("1")
        post_keys(app, "enter", "enter", "enter")
        for _ in range(6):
            await pilot.pause()
        assert app.session.answered == 1 and app.session.position == 1
        assert "✗ wrong: you said 1" in str(app.query_one("#feedback").render())  # not replaced by an error
    records = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == [first.id]
def _input_arrays(question) -> list:
    """The arrays a question is computed from, as its hint's numbers list them (small ones: a big one is
    named in the hint and shown as a window on screen)."""
    import numpy as np

    numbers = question.numbers
    out = []
    for part in getattr(numbers, "_parts", ()):
        part = part() if callable(part) else part
        if isinstance(part, str):
            continue
        value = np.asarray(part[0] if isinstance(part, tuple) else part, dtype=float)
        if value.size <= 16:
            out.append(value)
    return out


def _gated_givens(tape, q) -> list:
    """What a gated cell's forward question is worked out from (SPEC §8): the gate questions' hints name a
    slice of a_t, which the drill never asks, so the givens a_t is made of — x_t, O_{t−1}, c_{t−1}, W, W′, b,
    b′ — must be on screen instead (a try-out's `drill --cell lstm --hidden 1` showed none of them)."""
    import numpy as np

    t = int(re.search(r"\[(\d+)\]", q.id).group(1))
    arrays = tape.scenario.arrays()
    out = [np.asarray(tape.x[t - 1]), np.asarray(tape.O_prev[t - 1])]
    out += [np.asarray(tape.c_prev[t - 1])] if tape.c is not None else []
    if not q.id.startswith("forward.gate."):  # c_t and O_t: their hint's values (the gates) and the state
        return out
    return out + [np.asarray(arrays[p]) for p in ("w", "w_prime", "b", "b_prime")]


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=["60x20", "80x24"])  # 80×24 is the tightest it supports
@pytest.mark.parametrize("which", ["hello-char-rnn", "random-seed-7-n3", "random-lstm-seed-5", "random-gru-seed-5"])
async def test_every_drill_question_shows_its_inputs(tmp_path, which, size):
    """Item 13: `drill hello-char-rnn` at 80×24 asked z₁ = W_out·O₁ + b_out with none of them on screen;
    the recursive-view questions showed neither W′ nor f′; `--hidden 3 --seed 7` cut W to one row under
    the description. At every question each entry of each input (as the hint lists them) is on screen,
    whole or correctly rounded."""
    import re

    import numpy as np

    from rnnstep.drill.randomize_vector import random_vector_scenario
    from rnnstep.scenario import VECTOR_SCENARIO_DIR
    from rnnstep.tui.widgets import NetworkStrip, RunningSums
    from vector_screen_numbers import spellings

    from rnnstep.drill.randomize_gated import random_gated_scenario

    if which.startswith("random-lstm") or which.startswith("random-gru"):  # `drill --cell lstm|gru --hidden 1`
        scenario = random_gated_scenario(5, which.split("-")[1], 1)
    else:
        scenario = (rnnstep.load_scenario(VECTOR_SCENARIO_DIR / "hello-char-rnn.toml") if which == "hello-char-rnn"
                    else random_vector_scenario(7, 3))
    tape = rnnstep.build_tape(scenario)
    qs = [q for q in questions(tape) if not q.id.startswith("gradients.")][:40]  # forward, outputs, recursive
    header = "drill test"
    if scenario.cell != "rnn":  # the command line's header, 4 lines at 80 columns: it gives way to the givens
        header = (f"rnnstep drill: {scenario.name} — repeat it with --seed 5 --cell {scenario.cell} --hidden 1 · "
                  "answer each question on one line: a number, or a vector's numbers separated by spaces and a "
                  "matrix's rows by ; (0.1 0.2; 0.3 0.4), or: hint, skip, quit")
    app = DrillApp(DrillSession(tape, qs, History(tmp_path / "h.jsonl")), header=header)
    async with app.run_test(size=size) as pilot:
        if size < DrillApp.VECTOR_MIN:  # not a size a vector drill supports: it says so, asks nothing cut
            await pilot.pause()
            assert app.screen.has_class("too-small")
            assert "vector drill needs at least 80×24" in str(app.query_one("#too-small").render())
            return
        for q in qs:
            await pilot.pause()
            assert app.session.current is q
            screen = "\n".join(panel_text(app.query_one(w)) for w in (StepDetail, RunningSums, NetworkStrip))
            screen += "\n" + str(app.query_one("#feedback").render())  # a gated drill's givens are shown there
            tokens = set(re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", screen))
            gate = q.id.startswith("forward.gate.")  # its hint's a_t slice is not given: what a_t is made of is
            needs = [a for a in _input_arrays(q) if not gate] + (_gated_givens(tape, q) if scenario.cell != "rnn" and
                                                                  q.id.startswith("forward.") else [])
            if q.id.startswith("forward.gate.n"):  # GRU's candidate: r_t, asked just before it, beside the givens
                needs.append(np.asarray(tape.gates["r"][int(q.id[-2]) - 1]))
            for array in needs:
                missing = [float(v) for v in np.ravel(array) if not spellings(float(v)) & tokens]
                assert not missing, f"{q.id}: {q.text}: inputs {missing} not on screen\n{screen}"
            await submit_line(pilot, "skip")


async def test_every_scalar_drill_question_shows_its_inputs_at_80x24(tmp_path):
    """Item 13 for the notes' drill: a factor's inputs (f′(a₄), O₃, y) were hidden behind "?" or scrolled out
    of the window, and a term's factors beyond the window could not be scrolled (keys go to the answer box).
    Every number of each question's hint (its inputs) is on screen; the answer is not."""
    import re

    from rnnstep.tui.widgets import NetworkStrip, RunningSums

    tape = rnnstep.build_tape(rnnstep.default_scenario())
    qs = questions(tape)
    app = DrillApp(DrillSession(tape, qs, History(tmp_path / "h.jsonl")), header="drill test")
    number = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"
    async with app.run_test(size=(80, 24)) as pilot:
        for q in qs:
            await pilot.pause()
            screen = "\n".join(panel_text(app.query_one(w)) for w in (StepDetail, RunningSums, NetworkStrip))
            tokens = set(re.findall(number, screen))
            if q.id != "loss":  # L = ℓ₄ with one target: its hint is ℓ₄'s value; ŷ and y are on screen
                missing = [n for n in re.findall(number, str(q.numbers).replace("(", " ").replace(")", " "))
                           if n not in tokens]
                assert not missing, f"{q.id}: {q.text}: inputs {missing} not on screen\n{screen}"
            from rnnstep import notation as nt
            answer = nt.fmt(float(q.value))
            assert answer not in tokens or answer in str(q.numbers) or re.fullmatch(r"-?[01]", answer), \
                f"{q.id}: the answer {answer} is on screen\n{screen}"
            await submit_line(pilot, "skip")


async def test_a_gated_drills_givens_too_big_for_80x24_are_read_whole_by_typing_given(tmp_path):
    """`drill --cell lstm --hidden 3` at 80×24: W′ (12×3) does not fit the feedback box, so the box says how to
    read the givens, and `given` shows x₁, O₀, c₀, W, W′, b, b′ whole in a dialog; nothing is answered."""
    import numpy as np

    from rnnstep import notation as nt
    from rnnstep.drill.randomize_gated import random_gated_scenario
    from rnnstep.tui.screens import NoteScreen

    tape = rnnstep.build_tape(random_gated_scenario(5, "lstm", 3))
    app = DrillApp(DrillSession(tape, questions(tape), History(tmp_path / "h.jsonl")), header="drill test")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "type given to read what this question starts from" in str(app.query_one("#feedback").render())
        await type_line(pilot, "given")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        shown_text = "\n".join(str(t) for t in app.screen.texts)
        tokens = set(re.findall(r"-?\d+(?:\.\d+)?", shown_text))
        for value in np.ravel(tape.scenario.arrays()["w_prime"]):
            assert nt.fmt(float(value)) in tokens
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.answered == 0 and app.session.current.id == "forward.gate.i[1]"


@pytest.mark.parametrize("cell", ["lstm", "gru"])
async def test_a_gated_drills_delta_and_carry_questions_show_their_inputs_or_say_given_at_80x24(tmp_path, cell):
    """δ(t,k) and its carry share on a gated cell: the backward panel shows neither ∂ℓ_t/∂O_t, κ nor step k's
    gates. Each entry of each input (as the hint lists them) is on screen, or — where the feedback box has no
    room — the box says `type given` and the dialog that opens holds it."""
    import numpy as np

    from rnnstep.drill.randomize_gated import random_gated_scenario
    from rnnstep.tui.screens import NoteScreen
    from rnnstep.tui.widgets import NetworkStrip, RunningSums
    from vector_screen_numbers import spellings

    tape = rnnstep.build_tape(random_gated_scenario(5, cell, 1))
    qs = [q for q in questions(tape) if q.id.startswith(("gradients.w.delta", "gradients.w.carry"))]
    app = DrillApp(DrillSession(tape, qs, History(tmp_path / "h.jsonl")), header="drill test")
    async with app.run_test(size=(80, 24)) as pilot:
        for q in qs:
            await pilot.pause()
            screen = "\n".join(panel_text(app.query_one(w)) for w in (StepDetail, RunningSums, NetworkStrip))
            box = str(app.query_one("#feedback").render())
            screen += "\n" + box
            if "type given" in box:
                await type_line(pilot, "given")
                await pilot.pause()
                assert isinstance(app.screen, NoteScreen)
                screen += "\n".join(str(t) for t in app.screen.texts)
                await pilot.press("escape")
                await pilot.pause()
            tokens = set(re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", screen))
            needs = [np.asarray(tape.upstream[tape.target_position[int(q.id.split("[")[1].split(",")[0])]])]
            t, k = (int(v) for v in q.id.split("[")[1].rstrip("]").split(","))
            n = tape.n  # ∂s_k/∂a_k needs tanh′(c_k) (LSTM) or the recurrent side's n rows ãⁿ_k (GRU) too
            needs.append(np.asarray(tape.c[k - 1]) if tape.c is not None else np.asarray(tape.a_prime[k - 1][2 * n:]))
            needs = _input_arrays(q) + (needs if "delta" in q.id else [])
            for array in needs:
                missing = [float(v) for v in np.ravel(array) if not spellings(float(v)) & tokens]
                assert not missing, f"{q.id}: {q.text}: inputs {missing} not on screen\n{screen}"
            await type_line(pilot, "skip")


async def test_an_empty_enter_after_a_rejection_says_nothing_was_typed(tmp_path):
    """Try-out: after `'1e999' is not a finite number…` an empty Enter left that message up, which read as a second
    rejection of nothing. It says nothing was typed instead; nothing is counted."""
    app, tape = make_app(tmp_path, count=4)
    async with app.run_test(size=SIZE) as pilot:
        await type_line(pilot, "1e999")
        await pilot.pause()
        assert "not a number: '1e999'" in str(app.query_one("#feedback").render())
        await pilot.press("enter")
        await pilot.pause()
        box = str(app.query_one("#feedback").render())
        assert "1e999" not in box and "nothing typed: type a number, or hint, skip, quit" in box
        assert app.session.answered == 0 and app.session.position == 0


async def test_typing_while_the_note_dialog_is_open_goes_to_the_answer_box(tmp_path):
    """Try-out: keys typed while the `note` dialog was up were silently dropped. A printable key closes the
    dialog and goes into the answer box; the answer is then graded whole."""
    from rnnstep.tui.screens import NoteScreen

    app, tape = vector_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_array(pilot, "note")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        for ch in "0.5 1":
            await pilot.press(KEY.get(ch, ch))
        await pilot.pause()
        assert not isinstance(app.screen, NoteScreen)
        assert app.query_one(Input).value == "0.5 1" and app.session.answered == 0
