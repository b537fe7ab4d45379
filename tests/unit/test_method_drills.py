"""SPEC §9 drills: a randomized term's weight, a TBPTT update's term count and its chunk's gradient."""

from __future__ import annotations

import numpy as np
import pytest

from test_methods import SCALAR, my_coins, naive_tbptt, tape_of
from rnnstep.drill.grading import is_right
from rnnstep.drill.questions import questions
from rnnstep.scenario import load_scenario
from rnnstep.tape import build_tape


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
