"""TBPTT in the debugger steps chunk by chunk (issue 17 item 1, SPEC §9): each chunk's forward steps on the
weights then in force from the carried state, its loss, the terms it keeps (those it leaves out said with the
reason), its update; checked against a plain loop written here, and in a real terminal."""

from __future__ import annotations

import math
import sys

import pytest

from rnnstep import notation as nt
from rnnstep.scenario import load_scenario, parse_scenario
from rnnstep.tui.app import DebuggerApp
from rnnstep.tui.widgets import NetworkStrip, StepDetail, panel_text

from sampled import steps_to_visit
from screen_numbers import allowed_numbers, cut_numbers
from .tmux import Terminal, needs_tmux

K1, K2 = 3, 5
TOML = f"""
title = "TBPTT(3, 5) on seven steps"
[rnn]
activation = "tanh"
h0 = 0.2
[output]
activation = "identity"
loss = "half_squared"
[weights]
w = 0.5
w_prime = 0.9
b = 0.1
w_out = 1.3
b_out = -0.1
[data]
x = [1.0, 0.5, -0.3, 0.8, 0.2, -0.6, 0.9]
y = [0.3, 0.4, 0.1, 0.5, 0.2, -0.1, 0.4]
[train]
learning_rate = 0.5
method = "tbptt"
k1 = {K1}
k2 = {K2}
"""


def plain_tbptt(s, k1: int, k2: int) -> list[dict]:
    """TBPTT(k1, k2) as a loop over chunks: forward from the carried state on the current weights, then the
    terms of the chunk's targets back to k ≥ first − (k2 − k1), each path multiplying the w′ its step ran
    with, then the update. Tanh, identity output, half-squared loss, plain numbers."""
    w, wp, b, wo, bo = s.w, s.w_prime, s.b, s.w_out, s.b_out
    x, y = list(s.x), list(s.y)
    T = len(x)
    O, used = {0: s.h0}, {}
    chunks = []
    for first in range(1, T + 1, k1):
        last = min(first + k1 - 1, T)
        for t in range(first, last + 1):
            O[t] = math.tanh(w * x[t - 1] + wp * O[t - 1] + b)
            used[t] = wp
        reach = max(1, first - (k2 - k1))
        g = dict(w=0.0, w_prime=0.0, b=0.0, w_out=0.0, b_out=0.0)
        kept, loss = set(), 0.0
        for t in range(first, last + 1):
            error = wo * O[t] + bo - y[t - 1]
            loss += 0.5 * error ** 2
            g["w_out"] += error * O[t]
            g["b_out"] += error
            chain = error * wo
            for k in range(t, reach - 1, -1):
                if k < t:
                    chain *= (1 - O[k + 1] ** 2) * used[k + 1]
                delta = chain * (1 - O[k] ** 2)
                g["w"] += delta * x[k - 1]
                g["w_prime"] += delta * O[k - 1]
                g["b"] += delta
                kept.add((t, k))
        w, wp, b, wo, bo = (v - s.learning_rate * g[p] for v, p in
                            zip((w, wp, b, wo, bo), ("w", "w_prime", "b", "w_out", "b_out")))
        chunks.append(dict(first=first, last=last, reach=reach, O={t: O[t] for t in range(first, last + 1)},
                           kept=kept, loss=loss, grads=g, new=dict(w=w, w_prime=wp, b=b, w_out=wo, b_out=bo)))
    return chunks


async def enter_text(pilot, text: str) -> None:
    """``text`` put in the open dialog's input at once (typing a key at a time costs a screen update per key; goto's
    typing and completion are tested in test_debugger_verbs.py)."""
    from textual.widgets import Input

    pilot.app.screen.query_one(Input).value = text
    await pilot.pause()


def _numbers(value: float) -> set[str]:
    return {nt.fmt(value, d) for d in range(2, 7)}


async def test_stepping_a_tbptt_tape_runs_each_chunk_on_the_updated_weights():
    scenario = parse_scenario(TOML)
    expected = plain_tbptt(scenario, K1, K2)
    assert len(expected) == 3
    app = DebuggerApp(scenario)
    seen_terms: dict[int, set] = {c: set() for c in range(1, 4)}
    async with app.run_test(size=(140, 45)) as pilot:
        steps = app.tape.steps
        assert len(steps) > 0
        for index in range(len(steps)):
            if app.cursor != index:
                await pilot.press("n")
            await pilot.pause()
            assert app.cursor == index
            step = steps[index]
            c = step.chunk
            chunk = expected[c - 1]
            shown = " ".join(panel_text(app.query_one(StepDetail)).split())
            status = str(app.query_one("#status").render())
            assert f"chunk {c} of 3" in status or f"chunk {c}/3" in status, status
            assert shown.startswith(f"Step {index + 1} of {len(steps)}")
            if step.kind == "forward":
                O = chunk["O"][step.t]
                assert any(f"tanh(a{nt.sub(step.t)}) = tanh(" in shown and f") {sign} {v}" in shown
                           for v in _numbers(O) for sign in "=≈"), (step.id, O, shown)
                strip = panel_text(app.query_one(NetworkStrip))
                assert nt.fmt(O) in strip or any(v in strip for v in _numbers(O))
            elif step.kind == "loss":
                assert any(f"{sign} {v}" in shown for v in _numbers(chunk["loss"]) for sign in "=≈"), \
                    (step.id, chunk["loss"], shown)
            elif step.kind == "term" and step.k is not None:
                assert chunk["first"] <= step.t <= chunk["last"]
                assert step.k >= chunk["first"] - (K2 - K1)  # SPEC §9's rule: k ≥ s − (k2 − k1)
                seen_terms[c].add((step.t, step.k))
                says_left_out = "TBPTT leaves out" in shown
                assert says_left_out == (step.k == chunk["reach"] > 1), (step.id, shown)
                if says_left_out:
                    gone = f"[{step.t},{chunk['reach'] - 1}]"
                    full = chunk["last"] - chunk["first"] + 1 == K1
                    # the chunk's end reaches k2 steps back; a target before it (or in a short last chunk)
                    # stops where the chunk's backward pass stops, k2 − k1 steps before its first step
                    why = (f"before step {chunk['reach']}: k2 = {K2} steps back from step {chunk['last']} reach steps "
                           f"{chunk['last']}…{chunk['last'] - K2 + 1}" if full and step.t == chunk["last"] else
                           f"before step {chunk['reach']}: chunk {c}'s backward pass from its end (step "
                           f"{chunk['last']}) stops at step {chunk['reach']} = {chunk['first']} − (k2 − k1)")
                    assert gone in shown and why in shown, shown
            elif step.kind == "term" and step.param in ("w_out", "b_out") and step.t == chunk["last"]:
                total = chunk["grads"][step.param]
                assert any(f"= {v}" in shown for v in _numbers(total)), (step.id, total, shown)
            elif step.kind == "update":
                new = chunk["new"][step.param]
                assert any(f"{sign} {v}" in shown for v in _numbers(new) for sign in "=≈"), (step.id, new, shown)
        for c, chunk in enumerate(expected, start=1):
            assert seen_terms[c] == chunk["kept"]  # every kept term stepped, and no other
            totals = app.tape.chunks[c - 1].totals
            for p in ("w", "w_prime", "b"):
                assert totals[p] == pytest.approx(chunk["grads"][p], rel=1e-12)
        await pilot.press("u")  # the next epoch starts from the weights after the last chunk
        assert app.tape.scenario.w_prime == pytest.approx(expected[-1]["new"]["w_prime"], rel=1e-12)


async def test_a_later_chunks_forward_values_wait_for_their_chunk():
    app = DebuggerApp(parse_scenario(TOML))
    async with app.run_test(size=(200, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("chunk[1].update.b_out.new")
        await pilot.pause()
        strip = panel_text(app.query_one(NetworkStrip)).splitlines()
        values = strip[3]  # the row under O₁ … O₇
        assert values.count("·") == 4  # O₄ … O₇ are run by chunks 2 and 3, not yet
        app.cursor = app.tape.steps.index_of("chunk[2].forward.O[4]")
        await pilot.pause()
        values = panel_text(app.query_one(NetworkStrip)).splitlines()[3]
        assert values.count("·") == 3  # O₅ … O₇


async def test_chunk_ids_and_plain_ids_in_goto():
    app = DebuggerApp(parse_scenario(TOML))
    async with app.run_test(size=(140, 45)) as pilot:
        for text in ("chunk[2].gradients.w.term[6,2]", "chunk[3].forward.O[7]", "chunk[1].update.w.new",
                     "chunk[2].loss"):
            await pilot.press("colon")
            await enter_text(pilot, text)
            await pilot.press("enter")
            assert app.tape.steps[app.cursor].id == text
        await pilot.press("colon")
        await enter_text(pilot, "gradients.w.term[6,1]")  # left out by chunk 2: the term that says so
        await pilot.press("enter")
        assert app.tape.steps[app.cursor].id == "chunk[2].gradients.w.term[6,2]"
        assert "TBPTT leaves out [6,1]" in " ".join(panel_text(app.query_one(StepDetail)).split())
        await pilot.press("colon")
        await enter_text(pilot, "chunk[2].gradients.w.term[6,1]")
        await pilot.press("enter")
        assert "before step 2: k2 = 5 steps back from step 6 reach steps 6…2" in str(app.screen.query_one("#goto-error").render())


def test_chunk_ids_in_a_files_notes_and_breakpoints():
    from rnnstep.scenario import ScenarioError

    text = TOML + '[[notes]]\nat = "chunk[2].gradients.b.term[5,2]"\ntext = "reaches into chunk 1"\n'
    app = DebuggerApp(parse_scenario(text.replace('k2 = 5\n', 'k2 = 5\nbreakpoints = ["chunk[3].update.w.new"]\n')))
    steps = app.tape.steps
    assert {steps[i].id for i in app.notes} == {"chunk[2].gradients.b.term[5,2]"}
    assert {steps[i].id for i in app.breakpoints} == {"chunk[3].update.w.new"}
    for wrong, said in (("chunk[2].gradients.b.term[5,1]", "leaves this term out"), ("chunk[4].loss", "chunk 4"),
                        ("chunk[1].forward.O[5]", "step 5 is not in chunk 1")):
        with pytest.raises(ScenarioError, match=said):
            parse_scenario(TOML + f'[[notes]]\nat = "{wrong}"\ntext = "x"\n')
    with pytest.raises(ScenarioError, match='go with method = "tbptt"'):
        parse_scenario(TOML.replace('method = "tbptt"\nk1 = 3\nk2 = 5\n', '') +
                       '[[notes]]\nat = "chunk[1].loss"\ntext = "x"\n')


async def test_tbptt_detach_notes_point_at_what_is_on_screen():
    app = DebuggerApp(load_scenario("tbptt-detach"))
    full = app.tape.full
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("chunk[1].gradients.w.total")
        await pilot.pause()
        shown = " ".join(panel_text(app.query_one(StepDetail)).split())
        chunk1 = full.chunks[0].totals["w"]
        # like for like: full BPTT's terms of the same targets 1…4 on the same weights, added here
        same = math.fsum(float(full.gradients["w"].term(i)) for i in range(len(full.gradients["w"]))
                         if full.gradients["w"].t[i] <= 4)
        assert f"∂L/∂w = {nt.fmt(chunk1)}" in shown
        assert f"full BPTT on the same weights, t = 1…4: ∂L/∂w = {nt.fmt(same)} (10 terms)" in shown
        assert "this chunk leaves none out" in shown and "from all 36 terms" not in shown
        assert "✎ note" in shown and f"uses {nt.fmt(chunk1)}" in shown
        app.cursor = app.tape.steps.index_of("chunk[2].gradients.w.term[5,5]")
        await pilot.pause()
        shown = " ".join(panel_text(app.query_one(StepDetail)).split())
        assert "TBPTT leaves out [5,4] … [5,1]" in shown and "✎ note" in shown and "[5,4] … [5,1]" in shown
        # chunk 2's last term of ∂L/∂w: what detach threw away, as a number (the note's 0.198369)
        app.cursor = app.tape.steps.index_of("chunk[2].gradients.w.term[8,5]")
        await pilot.pause()
        shown = " ".join(panel_text(app.query_one(StepDetail)).split())
        table = full.gradients["w"]
        terms = [(int(table.t[i]), int(table.k[i]), float(table.term(i))) for i in range(len(table))]
        gone = math.fsum(v for t, k, v in terms if t >= 5 and k <= 4)
        targets = math.fsum(v for t, k, v in terms if t >= 5)
        kept = math.fsum(v for t, k, v in terms if t >= 5 and k >= 5)
        assert nt.fmt(gone) == "0.198369"
        assert f"full BPTT on the starting weights (chunk 2 ran on updated ones), t = 5…8: ∂L/∂w = " \
               f"{nt.fmt(targets)} (26 terms)" in shown, shown
        assert f"k ≥ 5: {nt.fmt(kept)} + left out (k < 5, 16 terms): {nt.fmt(gone)}" in shown, shown
        app.cursor = app.tape.steps.index_of("chunk[2].gradients.w_out.term[8]")  # one term per target: none out
        await pilot.pause()
        shown = " ".join(panel_text(app.query_one(StepDetail)).split())
        assert "(chunk 2's 4 terms added)" in shown and "the same 4 terms: this chunk leaves none out" in shown


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
@needs_tmux[0]
@needs_tmux[1]
def test_tbptt_detach_in_a_terminal_every_step_every_number_whole(size):
    """At every visited step (sampled.py: each chunk's phases' first and last steps and a seeded spread, reached
    with n; RNNSTEP_FULL_TESTS=1: every step) the status line counts chunks and every number is whole."""
    import rnnstep
    from rnnstep.methods.chunk_tape import stepped

    full = rnnstep.build_tape(load_scenario("tbptt-detach"))
    allowed = allowed_numbers(full)
    tape = stepped(full)
    n = len(tape.steps)
    width, height = size
    with Terminal(f"{sys.executable} -m rnnstep tbptt-detach", width, height) as term:
        term.wait(f"of {n}")
        at = 0
        for index in steps_to_visit(tape, seed=width):
            if index > at:
                term.keys(*["n"] * (index - at))  # one write: the steps between are passed, not checked
                at = index
            screen = term.wait(f" step {index + 1}/{n} ")
            screen = term.settle(0.05)
            assert "chunk" in screen.splitlines()[-2], screen  # the status line counts chunks
            assert not cut_numbers(screen, allowed), f"{size}, step {index + 1}: {cut_numbers(screen, allowed)}\n{screen}"


def test_watches_conditions_and_remembered_steps_follow_the_chunks():
    from rnnstep.conditions import parse_condition
    from rnnstep.methods.chunk_tape import stepped
    from rnnstep.build import build_tape
    from rnnstep.navigation import step_in
    from rnnstep.watches import seen_at, tape_watch

    scenario = parse_scenario(TOML)
    expected = plain_tbptt(scenario, K1, K2)
    tape = stepped(build_tape(scenario))
    steps = tape.steps
    at = steps.index_of("chunk[2].gradients.b.total")  # chunk 2's last b term: its running sum is its gradient
    seen = seen_at(tape_watch("gradients.b.running_sum", tape), tape, at)
    assert seen.label == "gradients.b.running_sum[6,2]"
    assert seen.value == pytest.approx(expected[1]["grads"]["b"], rel=1e-12)
    seen = seen_at(tape_watch("gradients.w.term[6,1]", tape), tape, len(steps) - 1)
    assert seen.value is None and seen.note == "left out by TBPTT"
    hits = parse_condition("|term| > 0 in w_prime").mask(tape)
    assert len(hits) == len(steps)
    hit_ids = [steps[int(i)].id for i in hits.nonzero()[0]]
    assert len(hit_ids) == sum(len(chunk["kept"]) for chunk in expected)  # h0 ≠ 0: no w′ term is 0
    assert all(i.startswith("chunk[") and ".gradients.w_prime.term[" in i for i in hit_ids)
    for step_id in ("chunk[3].update.w.new", "chunk[2].gradients.w.term[6,2]", "chunk[1].forward.O[2]"):
        assert steps[step_in(tape, step_id)].id == step_id  # a remembered or reloaded step is found again
    assert step_in(tape, "chunk[2].gradients.w.term[6,1]") is None


async def test_every_redraw_of_a_chunked_tape_draws_the_cursors_chunk():
    """The keys that redraw the panels without moving the cursor (v, t, J/K, ↑/↓) call show_panels with the app's
    view; on a TBPTT tape it must draw the cursor's chunk, as a move does, not the whole tape at that index."""
    from rnnstep.tui.layout import show_panels

    app = DebuggerApp(load_scenario("tbptt-detach"))
    async with app.run_test(size=(140, 45)) as pilot:
        app.cursor = app.tape.steps.index_of("chunk[2].gradients.w.term[8,5]")
        await pilot.pause()
        moved = panel_text(app.query_one(StepDetail))
        assert "term t = 8, k = 5" in " ".join(moved.split())
        show_panels(app, app.view)
        await pilot.pause()
        assert panel_text(app.query_one(StepDetail)) == moved
