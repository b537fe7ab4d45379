"""The debugger's verbs: go to, the breakpoint list, end of tape, epochs back and forth, wrong claims, factor scroll."""

from __future__ import annotations

import rnnstep
from rnnstep.navigation import completions, goto_target
from rnnstep.tui.widgets import StepDetail, panel_text

from .apps import debugger

SIZE = (100, 30)


async def type_text(pilot, text: str) -> None:
    names = {".": "full_stop", "[": "left_square_bracket", "]": "right_square_bracket", ",": "comma", "_": "underscore"}
    for ch in text:
        await pilot.press(names.get(ch, ch))


async def test_go_to_a_step_a_phase_or_an_id_with_completion():
    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "12")
        await pilot.press("enter")
        assert app.cursor == 11
        await pilot.press("colon")
        await type_text(pilot, "backward.w")
        await pilot.press("enter")
        assert app.cursor == app.tape.steps.phase_start("backward.w")
        await pilot.press("colon")
        await type_text(pilot, "gradients.b.ter")
        await pilot.press("tab")  # completes to what every matching id begins with, as a shell does
        assert app.screen.query_one("#goto-input").value == "gradients.b.term[4,"
        await pilot.press("tab")  # nothing more in common: the matches are listed
        assert "4 ids begin so: gradients.b.term[4,4], gradients.b.term[4,3]" in str(
            app.screen.query_one("#goto-error").render())
        await type_text(pilot, "3")
        await pilot.press("tab")  # one match left: its whole id
        assert app.screen.query_one("#goto-input").value == "gradients.b.term[4,3]"
        await pilot.press("enter")
        assert app.cursor == app.tape.steps.index_of("gradients.b.term[4,3]")
        await pilot.press("colon")
        await type_text(pilot, "999")
        await pilot.press("enter")
        assert "there are steps 1 to 25" in str(app.screen.query_one("#goto-error").render())
        await pilot.press("escape")
        assert app.cursor == app.tape.steps.index_of("gradients.b.term[4,3]")


async def test_go_to_loss_lands_on_the_step_that_shows_L():
    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "loss")
        await pilot.press("enter")
        step = app.tape.steps[app.cursor]
        assert step.kind == "loss" and step.id == "loss"
        shown = panel_text(app.query_one(StepDetail))
        assert "\nL = ℓ(" in shown and rnnstep.notation.fmt(app.tape.loss) in shown


def test_completions_leave_out_the_factors_and_resolve():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    ids = completions(tape)
    assert "gradients.w_prime.term[4,2]" in ids and not any(".factor[" in i for i in ids)
    for vid in ids:
        goto_target(tape, vid)  # every completion goes somewhere


async def test_the_breakpoint_list_jumps_and_removes():
    app = debugger()  # the notes' scenario has breakpoints at backward.w_prime and gradients.w.term[4,2]
    async with app.run_test(size=SIZE) as pilot:
        before = sorted(app.breakpoints)
        await pilot.press("B")
        await pilot.press("down", "enter")
        assert app.cursor == before[1]
        await pilot.press("B", "d", "escape")
        assert sorted(app.breakpoints) == before[1:]
        status = str(app.query_one("#status").render())
        assert " ●∂L/∂w′" not in status and " ●∂L/∂w " in status  # the mark sits before its phase


async def test_n_at_the_end_says_so_and_U_goes_back_to_the_same_tape():
    app = debugger()
    async with app.run_test(size=SIZE) as pilot:
        first = app.tape
        await pilot.press("end", "n")
        assert "end of the tape" in str(app.query_one("#status").render())
        await pilot.press("u")
        status = str(app.query_one("#status").render())
        assert app.epoch == 1 and "epoch 1: w′" in status and "b_out" in status
        await pilot.press("u", "U", "U")
        assert app.epoch == 0 and app.tape is first  # the earlier tape itself, not a recomputation
        assert app.loss_history == [first.loss]
        await pilot.press("U")  # greyed out at the first epoch: nothing happens
        assert app.epoch == 0 and app.tape is first


async def test_wrong_claim_keys_visit_the_slips_in_order():
    app = debugger("worked-example-slip")
    async with app.run_test(size=SIZE) as pilot:
        wrong = sorted(s for s, rs in app.claims.items() if any(r.wrong for r in rs))
        for step in wrong[:3]:
            await pilot.press("w")
            assert app.cursor == step
        await pilot.press("W")
        assert app.cursor == wrong[1]
        await pilot.press("home", "W")
        assert app.cursor == 0 and "no wrong claim before" in str(app.query_one("#status").render())


async def test_a_long_factor_list_scrolls_with_its_position_at_80x24():
    app = debugger("vanishing-gradients")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "gradients.w_prime.term[30,1]")
        await pilot.press("enter")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        assert "factors 1–" in text and "of 32" in text
        for _ in range(40):
            await pilot.press("down")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        assert "–32 of 32" in text and "∂⁺O₁/∂w′" in text
        table = app.tape.gradients["w_prime"]
        i = table.index_of(30, 1)
        from rnnstep import notation as nt

        assert f"= {nt.fmt(float(table.value[i]))}" in text and nt.fmt(float(table.running_sum[i])) in text


async def test_a_cut_note_says_so_and_m_shows_it_whole_at_80x24():
    from rnnstep.tui.screens import NoteScreen

    app = debugger()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "gradients.w_prime.term[4,3]")
        await pilot.press("enter")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        note = app.notes[app.cursor][0]
        assert "✎ note" in text and "…" in text and "m: read the whole note" in text
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        shown = " ".join(" ".join(str(s.render()).split()) for s in app.screen.query("Static"))
        assert note in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, NoteScreen)
        await pilot.press("home", "right")  # step 2 has no note: m says so in the status line
        await pilot.press("m")
        assert not isinstance(app.screen, NoteScreen) and "no note" in str(app.query_one("#status").render())


async def test_a_new_epoch_does_not_show_its_loss_before_the_forward_pass_reaches_it():
    """try-out 2 item 12: after u, step 1 of epoch 1 said "epoch 1: L = 0.0106084" (in epoch 0 it read "L = ·")."""
    from rnnstep import notation as nt

    for name in ("notes-four-steps", "vector/notes-hidden-two"):
        app = debugger(name)
        async with app.run_test(size=(200, 30)) as pilot:
            first = app.tape
            await pilot.press("end", "u")
            status = str(app.query_one("#status").render())
            assert app.epoch == 1 and app.cursor == 0 and "epoch 1" in status, status
            assert nt.fmt(app.tape.loss) not in status and "L = ·" in status, status
            assert f"epoch 0: L = {nt.fmt(first.loss)}" in status, status  # the loss the update came from
