"""The debugger's panels as pure functions: every step of every shipped scenario renders."""

import io

import math

import pytest
from rich.console import Console

import rnnstep
from rnnstep import notation as nt
from rnnstep.scenario import shipped_scenarios
from rnnstep.tui import view as v


def text_of(renderable, width=120) -> str:
    console = Console(file=io.StringIO(), width=width, record=True)
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_every_step_renders_at_every_width(path):
    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    for cursor in range(len(tape.steps)):
        view = v.View(tape, cursor)
        for width in (40, 90, 140):
            assert text_of(v.network_strip(view, width), width)
            assert v.step_title(view).replace(" ", "") in text_of(v.step_panel(view), width).replace("\n", "").replace(" ", "")
            text_of(v.sums_panel(view, width, 20), width)
            text_of(v.flow_chart(view, width, 8), width)


def test_values_appear_only_once_reached():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    O2 = nt.fmt(float(tape.O[1]))
    assert O2 not in text_of(v.network_strip(v.View(tape, 0), 140))
    assert O2 in text_of(v.network_strip(v.View(tape, 1), 140))
    start = tape.steps.phase_start("backward.w_prime")
    sums_before = text_of(v.sums_panel(v.View(tape, start - 1), 60, 30))
    assert "4 terms to come" in sums_before
    first_term = nt.fmt(float(tape.gradients["w_prime"].value[0]))
    assert first_term in text_of(v.sums_panel(v.View(tape, start), 60, 30))


def test_hidden_values_show_a_question_mark():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    view = v.View(tape, 1, hidden={"forward.O[2]"})
    text = text_of(v.step_panel(view))
    s = tape.scenario  # a₂ = x₂·w + tanh(x₁·w + b)·w′ + b, by hand
    a2 = s.x[1] * s.w + math.tanh(s.x[0] * s.w + s.b) * s.w_prime + s.b
    assert f"tanh({nt.fmt(a2)}) = ?" in text
    assert nt.fmt(float(tape.O[1])) not in text


def test_truncated_term_says_so_and_keeps_the_sum():
    tape = rnnstep.build_tape(rnnstep.load_scenario(rnnstep.scenario.SCENARIO_DIR / "truncated-bptt.toml"))
    index = tape.steps.index_of("gradients.w_prime.term[4,2]")
    text = text_of(v.step_panel(v.View(tape, index)))
    assert "truncated" in text and "NOT added" in text
    assert f"running sum stays {nt.fmt(float(tape.gradients['w_prime'].running_sum[2]))}" in text


def test_long_chains_are_windowed_not_listed():
    x = ", ".join(["0.1"] * 300)
    tape = rnnstep.build_tape(rnnstep.load_scenario(f"[weights]\nw = 0.5\nw_prime = 0.9\nb = 0\n[data]\nx = [{x}]\ny = 0.2\n"))
    index = tape.steps.index_of("gradients.w.term[300,1]")
    view = v.View(tape, index)
    text = text_of(v.step_panel(view, 140, 20), 140)
    assert "factors 1–" in text and "of 302  (↓ ↑ scroll)" in text
    assert len(text.splitlines()) <= 20
    table = tape.gradients["w"]
    assert nt.fmt(float(table.value[table.index_of(300, 1)])) in text  # the term, and the running sum
    assert f"= {nt.fmt(float(table.running_sum[table.index_of(300, 1)]))}" in text
    view.factor_offset = 10**6  # scrolled to the end: the immediate partial is the last factor
    text = text_of(v.step_panel(view, 140, 20), 140)
    assert "–302 of 302" in text and "\n ∂⁺O₁/∂w" in text


def test_notes_show_at_their_step():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    from rnnstep.navigation import notes_by_step

    notes = notes_by_step(tape)
    index = tape.steps.index_of("gradients.w_prime.term[4,1]")
    text = text_of(v.step_panel(v.View(tape, index, notes=notes)))
    assert "adds nothing to ∂L/∂w′" in text


def test_a_drill_never_shows_what_gives_a_hidden_value_away():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    index = tape.steps.index_of("gradients.w_prime.term[4,4]")
    fid = "gradients.w_prime.factor[4,4,3]"
    secret = tape.value(fid)
    view = v.View(tape, index, hidden={fid, "gradients.w_prime.term[4,4]", "gradients.w_prime.running_sum[4,4]"})
    shown = text_of(v.step_panel(view), 140) + text_of(v.sums_panel(view, 30)) + text_of(v.flow_chart(view, 90, 8))
    # f′(a₄) is an input of the asked factor ∂⁺O₄/∂w′ = f′(a₄)·O₃: shown with it (issue 18 item 13), not a leak
    for leak in (secret, tape.value("gradients.w_prime.term[4,4]"), tape.dL_da[3]):
        assert nt.fmt(float(leak)) not in shown
    assert f"{nt.fmt(float(tape.f_prime[3]))}·" in shown  # the question's inputs are on screen
    # the same step in the debugger shows them all
    plain = text_of(v.step_panel(v.View(tape, index)), 140)
    assert nt.fmt(float(secret)) in plain and nt.fmt(float(tape.dL_da[3])) in plain
