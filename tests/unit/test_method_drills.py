"""SPEC §9 drills: a randomized term's weight, a TBPTT update's term count and its chunk's gradient."""

from __future__ import annotations

import numpy as np
import pytest

from test_methods import SCALAR, my_coins, naive_tbptt, tape_of
from rnnstep.drill.grading import is_right
from rnnstep.drill.questions import questions
from rnnstep.scenario import load_scenario
from rnnstep.build import build_tape


def test_weight_questions_follow_their_terms_and_are_the_coins():
    tape = tape_of(SCALAR, method="randomized", keep=0.6, seed=5)
    xi = my_coins(7, 0.6, 5)
    qs = questions(tape)
    weights = [(i, q) for i, q in enumerate(qs) if q.kind == "method.weight"]
    assert len(weights) == sum(t - 1 for t in range(1, 8))  # every (t, k) with t > k, once
    for i, q in weights:
        t, k = (int(v) for v in q.id.split("[")[1].rstrip("]").split(","))
        assert qs[i - 1].id == f"gradients.w_prime.term[{t},{k}]"  # asked right after its term
        assert q.value == pytest.approx(float(np.prod([xi[j] for j in range(k + 1, t + 1)])))
        assert is_right(q.value, q.value) and not is_right(q.value + 1.0, q.value)


def test_tbptt_questions_count_terms_and_sum_the_chunk():
    tape = tape_of(SCALAR, method="tbptt", k1=3, k2=5)
    expected = naive_tbptt(tape.scenario, 3, 5)
    by_id = {q.id: q for q in questions(tape)}
    # TBPTT(3, 5), update at step 6: targets 4, 5, 6, each with k = 2 … t
    assert by_id["chunk[2].terms"].value == (4 - 2 + 1) + (5 - 2 + 1) + (6 - 2 + 1)
    assert by_id["chunk[3].terms"].value == 7 - 5 + 1
    for c, grads in enumerate(expected, start=1):
        for p in ("w_prime", "w", "b"):
            assert by_id[f"chunk[{c}].gradients.{p}.total"].value == pytest.approx(float(np.ravel(grads[p])[0]), rel=1e-9)


def test_shipped_method_scenarios_drill():
    for name in ("tbptt-detach", "randomized-truncation"):
        kinds = {q.kind for q in questions(build_tape(load_scenario(name)))}
        assert kinds & {"method.weight", "method.count"}


# ----------------------------------------------------------------------------- "which terms does TBPTT keep?"

def _terms_session(text: str, **keys):
    """A drill positioned at the question for chunk 2's update."""
    from rnnstep.drill.session import DrillSession

    tape = tape_of(text, **keys)
    qs = questions(tape)
    session = DrillSession(tape, qs)
    session.position = next(i for i, q in enumerate(qs) if q.id == "chunk[2].terms")
    return session


def _kept_by_spec(targets, first: int, last: int, k1: int, k2: int) -> set[tuple[int, int]]:
    """SPEC §9: the chunk starting at s keeps term(t, k) for its targets t and the uses k ≥ s − (k2 − k1)."""
    return {(t, k) for t in targets if first <= t <= last for k in range(1, t + 1) if k >= first - (k2 - k1)}


def test_which_terms_answered_as_a_list_in_any_order_and_any_punctuation():
    # TBPTT(3, 5) on 7 steps with a target at every step: chunk 2 is steps 4 … 6, its update at step 6
    kept = _kept_by_spec(range(1, 8), 4, 6, 3, 5)
    assert (6, 2) in kept and (6, 1) not in kept and len(kept) == 12
    shuffled = sorted(kept, key=lambda tk: (tk[1] * 7 + tk[0] * 3) % 11)  # not the triangle's order
    forms = [" ".join(f"({t},{k})" for t, k in shuffled),  # (6,6) (6,5) …
             ", ".join(f"({t}, {k})" for t, k in shuffled),  # (6, 6), (6, 5), …
             " ".join(f"{t},{k}" for t, k in shuffled),  # 6,6 6,5 …
             "  ".join(f"{t} {k}" for t, k in shuffled)]  # 6 6  6 5 …
    for typed in forms:
        session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
        feedback = session.answer(session.read(typed))
        assert feedback.right, (typed, feedback.line)
        assert feedback.line.startswith("✓ right")


def test_which_terms_list_missing_extra_or_doubled_is_wrong_and_says_which():
    kept = sorted(_kept_by_spec(range(1, 8), 4, 6, 3, 5))
    missing = [tk for tk in kept if tk != (6, 2)]
    session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
    feedback = session.answer(session.read(" ".join(f"({t},{k})" for t, k in missing)))
    assert not feedback.right and "missing (6,2)" in feedback.line
    session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
    feedback = session.answer(session.read(" ".join(f"({t},{k})" for t, k in kept + [(6, 1)])))
    assert not feedback.right and "not kept (6,1)" in feedback.line  # before step 2: k2 = 5 steps back from step 6 reach steps 6…2
    session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
    feedback = session.answer(session.read(" ".join(f"({t},{k})" for t, k in kept + [(5, 5)])))
    assert not feedback.right and "listed twice (5,5)" in feedback.line
    assert session.right == 0 and session.answered == 1


def test_which_terms_answered_as_a_count():
    kept = _kept_by_spec(range(1, 8), 4, 6, 3, 5)
    session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
    assert session.answer(session.read(str(len(kept)))).right
    session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
    assert session.answer(session.read(f"{len(kept)}.0")).right
    session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
    assert not session.answer(session.read(str(len(kept) + 1))).right


def test_which_terms_with_one_target_and_the_detach_loop():
    # one target at T = 7, TBPTT(3, 3): chunk 2 (steps 4 … 6) has no target and asks nothing; chunk 3 keeps (7,7)
    text = SCALAR.replace("y = [0.2, -0.1, 0.4, 0.0, 0.3, -0.2, 0.1]", "y = 0.1")
    tape = tape_of(text, method="tbptt", k1=3, k2=3)
    by_id = {q.id: q for q in questions(tape)}
    assert "chunk[2].terms" not in by_id
    assert set(by_id["chunk[3].terms"].terms) == _kept_by_spec([7], 7, 7, 3, 3) == {(7, 7)}


def test_which_terms_list_that_is_not_one_is_one_line_and_asked_again():
    from rnnstep.drill.arrays import AnswerError

    for typed in ("(6,6) (6", "6,6,5", "(4,6)", "(6,x)"):
        session = _terms_session(SCALAR, method="tbptt", k1=3, k2=5)
        with pytest.raises(AnswerError) as caught:
            session.read(typed)
        message = str(caught.value)
        assert "\n" not in message and message.startswith("not a list of terms")
        assert session.answered == 0
