"""Drills on gated cells (issue 16 item 7): gates, c_t, δ and the carry share of a term, never a factor
alone; `rnnstep drill --cell lstm --hidden 1` draws a random hand-sized one-unit LSTM."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from rnnstep import build_tape, load_scenario
from rnnstep.cli import main
from rnnstep.drill.questions import questions
from rnnstep.drill.randomize_gated import random_gated_scenario


@pytest.mark.parametrize("name", ["lstm-two-steps-by-hand", "gru-two-steps"])
def test_the_questions_ask_gates_c_delta_and_carry_and_read_the_tape(name):
    tape = build_tape(load_scenario(name))
    asked = questions(tape)
    ids = [q.id for q in asked]
    for gate in tape.cell.GATES:
        assert f"forward.gate.{gate}[1]" in ids
    assert ("forward.c[2]" in ids) == (tape.c is not None)
    assert "gradients.w.delta[2,1]" in ids and "gradients.w.carry[2,1]" in ids
    assert "gradients.b_prime.total" in ids and "update.b_prime.new" in ids
    assert not any(".factor[" in i for i in ids)  # never a factor alone
    for q in asked:
        np.testing.assert_array_equal(np.asarray(q.value), np.asarray(tape.value(q.id)).reshape(np.shape(q.value)))
        assert q.symbol and q.formula and str(q.numbers)  # every hint writes out


def test_only_forward_keeps_the_gates():
    tape = build_tape(load_scenario("gru-two-steps"))
    kinds = {q.kind for q in questions(tape, only="forward")}
    assert {"gated.gate", "gated.O"} <= kinds and "gated.carry" not in kinds


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_random_gated_drill_is_one_unit_hand_sized_and_repeatable(cell):
    s = random_gated_scenario(7, cell)
    assert s.cell == cell and s.shape == (1, 1, 1)
    assert s == random_gated_scenario(7, cell)
    assert all(round(v, 1) == v for row in s.w for v in row)
    assert random_gated_scenario(7, cell, 2).shape[0] == 2


def test_the_plain_drill_of_a_random_lstm_takes_right_answers(tmp_path):
    s = random_gated_scenario(3, "lstm")
    tape = build_tape(s)
    answers = []
    for q in questions(tape):
        value = np.atleast_1d(np.asarray(q.value, dtype=float))
        answers.append(" ".join(repr(float(v)) for v in value.reshape(-1)) if value.ndim == 1
                       else "; ".join(" ".join(repr(float(v)) for v in row) for row in value))
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--cell", "lstm", "--hidden", "1",
                             "--seed", "3", "--history", str(tmp_path / "h.jsonl")],
                            input="\n".join(answers) + "\n", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "repeat it with --seed 3 --cell lstm --hidden 1" in result.stdout
    assert "c₀ = c0 = [0]" in result.stdout and "b′ = [0 0 0 0]" in result.stdout
    assert result.stdout.rstrip().endswith(f"score: {len(answers)}/{len(answers)}")


def test_cell_with_a_file_is_a_usage_error(capsys):
    assert main(["drill", "--plain", "--cell", "lstm", "lstm-remembers"]) == 2
    assert "--cell chooses a random LSTM or GRU; it cannot go with a FILE" in capsys.readouterr().err


def test_a_wrong_one_entry_answer_says_wrong_once(tmp_path):
    """Try-out: `✗ wrong: wrong: [1] should be 0.401312, you wrote 0.5` said it twice."""
    from rnnstep.drill.history import History
    from rnnstep.drill.session import DrillSession

    tape = build_tape(random_gated_scenario(5, "lstm", 1))
    session = DrillSession(tape, questions(tape), History(tmp_path / "h.jsonl"))
    right = float(np.ravel(session.current.value)[0])
    line = session.answer(session.read("0.5")).line
    assert line.startswith("✗ wrong: [1] should be ") and line.count("wrong") == 1, line
    assert f"should be {right:.6g}" in line


@pytest.mark.parametrize("name", ["lstm-two-steps-by-hand", "gru-two-steps", "hello-char-rnn"])
def test_the_hints_write_the_entry_by_entry_product_as_the_formulas_do(name):
    """The formulas write ⊙ (c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t); the hints wrote ∘ for the same product."""
    tape = build_tape(load_scenario(name))
    for q in questions(tape):
        for text in (q.formula, q.hint, str(q.numbers), q.text):
            assert "∘" not in text, f"{q.id}: {text}"
    assert any("⊙" in str(q.numbers) for q in questions(tape))
