"""Conditional breakpoints and watches, checked against terms computed independently (tests/reference.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from reference import to_toml
from strategies import nets

from rnnstep.conditions import ConditionError, first_after, parse_condition
from rnnstep.scenario import load_scenario
from rnnstep.build import build_tape
from rnnstep.watches import WatchError, seen_at, tape_watch as parse_watch


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nets(max_T=6))
def test_size_conditions_stop_where_the_independent_term_is_small(net):
    tape = build_tape(load_scenario(to_toml(net)))
    cond = parse_condition("|term| < 0.01 in w_prime")
    mask = cond.mask(tape)
    start = tape.steps.phase_start("backward.w_prime")
    table = tape.gradients["w_prime"]
    for i in range(len(table)):
        t, k = int(table.t[i]), int(table.k[i])
        expected = abs(net.term("w_prime", t, k)) < 0.01
        if abs(abs(net.term("w_prime", t, k)) - 0.01) > 1e-9:  # not on the bound itself
            assert mask[start + i] == expected, (t, k)
    # nothing outside ∂L/∂w′ is stopped at by a scoped condition
    assert not mask[:start].any() and not mask[start + len(table):].any()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nets(max_T=6))
def test_a_running_sum_changing_sign(net):
    tape = build_tape(load_scenario(to_toml(net)))
    mask = parse_condition("running_sum changes sign in w").mask(tape)
    start = tape.steps.phase_start("backward.w")
    table = tape.gradients["w"]
    running, previous = 0.0, 0.0
    for i in range(len(table)):
        t, k = int(table.t[i]), int(table.k[i])
        running += net.term("w", t, k)
        if abs(running) > 1e-12 and abs(previous) > 1e-12:
            assert mask[start + i] == ((running > 0) != (previous > 0)), (t, k)
        previous = running


def test_vanishing_stops_where_a_term_first_falls_below_1e_6():
    tape = build_tape(load_scenario("vanishing-gradients"))
    cond = parse_condition("when |term| < 1e-6 in w")
    table = tape.gradients["w"]
    start = tape.steps.phase_start("backward.w")
    found = first_after(tape, [cond], start - 1)
    assert found is not None
    i = found - start
    assert abs(table.value[i]) < 1e-6 and all(abs(v) >= 1e-6 for v in table.value[:i])


def test_clip_and_overflow():
    clipped = build_tape(load_scenario("exploding-gradients-clipped"))
    at = first_after(clipped, [parse_condition("clip")], -1)
    assert at is not None and clipped.steps[at].kind == "update"
    step = clipped.steps[at]
    update = clipped.updates[step.param]
    assert update.grad != update.clipped
    plain = build_tape(load_scenario("notes-four-steps"))
    assert first_after(plain, [parse_condition("clip"), parse_condition("overflow")], -1) is None


def test_vector_sizes_are_norms():
    tape = build_tape(load_scenario("vanishing-vector"))
    table = tape.gradients["w_prime"]
    import numpy as np

    mask = parse_condition("|term| > 1e-3 in w_prime").mask(tape)
    start = tape.steps.phase_start("backward.w_prime")
    for i in range(len(table)):
        assert mask[start + i] == (np.linalg.norm(np.asarray(table.term(i))) > 1e-3)


@pytest.mark.parametrize("text, says", [
    ("", "empty"),
    ("|term < 1", "is not a condition"),
    ("|foo| < 1", "is not a size"),
    ("|term| ≈ 1", "cannot read"),
    ("|term| < ０.５", "cannot read"),
    ("|term| <", "expected a number"),
    ("|term| < 1 xor clip", "expected `and`, `or`"),
    ("term < 1", "with bars"),
    ("|term| < 1 in v", "expected a parameter"),
    ("|term| < 1e-400", "too small"),
    ("|term| < 1e999", "too large"),
    ("clip and", "expected a condition after"),
    ("__import__('os')", "is not a condition"),
])
def test_condition_mistakes_are_one_sentence(text, says):
    with pytest.raises(ConditionError) as err:
        parse_condition(text)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_and_binds_tighter_than_or():
    c = parse_condition("|term| < 1 and clip or overflow")
    assert len(c.groups) == 2 and len(c.groups[0]) == 2 and str(c) == "|term| < 1 and clip or overflow"


def test_watches_follow_the_cursor():
    tape = build_tape(load_scenario("notes-four-steps"))
    watch = parse_watch("gradients.w.running_sum", tape)
    start = tape.steps.phase_start("backward.w")
    before = seen_at(watch, tape, start - 1)
    assert before.value is None and "step" in before.note
    table = tape.gradients["w"]
    for i in range(len(table)):
        seen = seen_at(watch, tape, start + i)
        assert seen.value == pytest.approx(sum(table.value[: i + 1]))
    assert seen_at(watch, tape, len(tape.steps) - 1).value == pytest.approx(table.total)
    O = parse_watch("forward.O", tape)
    assert seen_at(O, tape, 1).label == "forward.O[2]" and seen_at(O, tape, 1).value == pytest.approx(tape.O[1])
    whole = parse_watch("forward.O[3]", tape)
    assert seen_at(whole, tape, 0).value is None and seen_at(whole, tape, 2).value == pytest.approx(tape.O[2])
    dL = parse_watch("backward.dL_da", tape)
    assert seen_at(dL, tape, len(tape.steps) - 1).label == "backward.dL_da[1]"
    with pytest.raises(WatchError):
        parse_watch("forward.O[9]", tape)
    with pytest.raises(WatchError):
        parse_watch("nonsense", tape)


def _with_train(extra: str) -> str:
    return ("[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0, 0.5, -0.2, 0.8]\ny = 0.3\n"
            "[train]\n" + extra + "\n")


def test_files_carry_conditions_and_watches():
    s = load_scenario(_with_train('breakpoints = ["when |term| < 1e-3 in w", "backward.w"]\n'
                                  'watch = ["gradients.w.running_sum", "forward.O[2]"]'))
    assert s.breakpoints == ("when |term| < 1e-3 in w", "backward.w")
    assert s.watches == ("gradients.w.running_sum", "forward.O[2]")
    again = load_scenario(s.to_toml())
    assert again.breakpoints == s.breakpoints and again.watches == s.watches
    from rnnstep import navigation

    tape = build_tape(s)
    assert navigation.scenario_breakpoints(tape) == {tape.steps.phase_start("backward.w")}
    assert [str(c) for c in navigation.scenario_conditions(tape)] == ["|term| < 1e-3 in w"]


@pytest.mark.parametrize("extra, key", [
    ('breakpoints = ["when |term| <"]', "train.breakpoints[1]"),
    ('watch = ["forward.O[9]"]', "train.watch[1]"),
    ('watch = "forward.O[1]"', "train.watch"),
])
def test_file_mistakes_name_the_key(extra, key):
    from rnnstep.scenario import ScenarioError

    with pytest.raises(ScenarioError) as err:
        load_scenario(_with_train(extra))
    assert key in str(err.value) and "\n" not in str(err.value)


def test_a_gated_cells_b_prime_and_update_steps_are_its_own():
    """A gated cell (SPEC §8) has six parameters: `in b_prime` is accepted and finds b′'s terms (δ included),
    and an update condition marks the update step of the parameter it names, in the tape's order (b′ is
    fourth), not the plain cell's five."""
    from pathlib import Path

    import numpy as np

    import rnnstep

    path = Path(rnnstep.__file__).parent / "scenarios" / "gated" / "lstm-two-steps-by-hand.toml"
    text = path.read_text(encoding="utf-8").replace("[train]", "[train]\nclip = 1e-9", 1)
    assert "clip = 1e-9" in text
    tape = build_tape(load_scenario(text))
    start = tape.steps.phase_start("backward.b_prime")
    size = len(tape.gradients["b_prime"])
    for body in ("|delta| > 0 in b_prime", "|term| > 0 in b_prime"):
        mask = parse_condition(body).mask(tape)
        assert mask[start:start + size].all() and mask.sum() == size, body
    update = tape.steps.phase_start("update")
    for param in ("b_prime", "w_out", "b_out"):
        mask = parse_condition(f"clip in {param}").mask(tape)
        grad = np.asarray(tape.updates[param].grad, dtype=float)
        assert np.abs(grad).max() > 1e-9  # the tiny clip changes every parameter's gradient
        (where,) = np.nonzero(mask)
        assert list(where) == [update + ("w_prime", "w", "b", "b_prime", "w_out", "b_out").index(param)], param
        assert tape.steps[int(where[0])].param == param


def test_a_gated_cells_own_values_can_be_watched_without_indices():
    """An LSTM's gates, c, b′ and every term's carry and rest follow the cursor as forward.O does; a GRU
    has ã, not c; the plain cell has neither (one sentence)."""
    import numpy as np

    from rnnstep import ids

    tape = build_tape(load_scenario("lstm-two-steps-by-hand"))
    for kind in ("forward.c", "forward.gate.f", "gradients.b_prime.running_sum", "gradients.w.carry",
                 "gradients.b_prime.rest", "gradients.w_prime.delta"):
        watch = parse_watch(kind, tape)
        ids_of_kind = [v for v in tape.value_ids() if v.startswith(kind + "[")]
        assert ids_of_kind, kind
        for cursor in range(len(tape.steps)):
            seen = seen_at(watch, tape, cursor)
            done = [v for v in ids_of_kind if tape.step_of(ids.parse_id(v)) <= cursor]
            if not done:
                assert seen.value is None
                continue
            latest = max(tape.step_of(ids.parse_id(v)) for v in done)
            assert seen.step == latest and seen.label in done, (kind, cursor, seen.label)
            assert np.array_equal(np.asarray(seen.value), np.asarray(tape.value(ids.parse_id(seen.label))))
    gru = build_tape(load_scenario("gru-two-steps"))
    parse_watch("forward.a_prime", gru)
    parse_watch("forward.gate.u", gru)
    with pytest.raises(WatchError):
        parse_watch("forward.c", gru)
    plain = build_tape(load_scenario("notes-four-steps"))
    for kind in ("forward.c", "forward.gate.f", "gradients.b_prime.term", "gradients.w.carry"):
        with pytest.raises(WatchError):
            parse_watch(kind, plain)
