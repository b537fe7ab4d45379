"""Drills on vector scenarios (SPEC §7, issue 11 item 8): every question's value against an independent
implementation, answers typed as one line of vectors and matrices, the plain protocol over a pipe."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import rnnstep
from rnnstep import notation as nt
from rnnstep.cli import main
from rnnstep.drill.arrays import AnswerError, ShapeError, read_array
from rnnstep.drill.history import History
from rnnstep.drill.questions import group_of, questions
from rnnstep.drill.review import pick_review
from rnnstep.drill.session import DrillSession
from rnnstep.drill.vector_questions import ALL_PATHS_UP_TO, NEAREST
from vector_reference import VNet, _act
from vector_scenarios import vector_toml

ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "identity"]
weight = st.floats(-1.2, 1.2, allow_nan=False).map(lambda v: round(v, 2))
value = st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 2))


def arrays(draw, shape, elements=weight):
    return np.array([draw(elements) for _ in range(int(np.prod(shape)))], dtype=float).reshape(shape)


@st.composite
def vnets(draw) -> VNet:
    n, m, q, T = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    loss = draw(st.sampled_from(["squared", "half_squared", "cross_entropy"]))
    out = "softmax" if loss == "cross_entropy" else draw(st.sampled_from(ACTIVATIONS))
    every = draw(st.booleans())
    rows = T if every else 1
    if loss == "cross_entropy":
        y = np.eye(q)[[draw(st.integers(0, q - 1)) for _ in range(rows)]]
    else:
        y = arrays(draw, (rows, q), value)
    return VNet(w=arrays(draw, (n, m)), w_prime=arrays(draw, (n, n)), b=arrays(draw, (n,)),
                w_out=arrays(draw, (q, n)), b_out=arrays(draw, (q,)),
                h0=arrays(draw, (n,), st.sampled_from([0.0, 0.0, 0.3])), x=arrays(draw, (T, m), value), y=y,
                every_step=every, activation=draw(st.sampled_from(ACTIVATIONS)), output_activation=out, loss=loss,
                leaky_slope=0.1)


def reference_values(net: VNet, truncate: int | None, clip: float | None, lr: float) -> dict[str, object]:
    """Every value a drill may ask, computed by the reference alone (forward-mode tangents, no chains)."""
    states, out = net.run()
    ref: dict[str, object] = {}
    for t, (a, O) in enumerate(states, start=1):
        ref[f"forward.a[{t}]"], ref[f"forward.O[{t}]"] = a, O
        ref[f"forward.f_prime[{t}]"] = _act(net.activation, a, net.leaky_slope)[1]
        ref[f"backward.dL_dO[{t}]"] = dO = net.dL_dO(t)
        ref[f"backward.dL_da[{t}]"] = dO * _act(net.activation, a, net.leaky_slope)[1]
    for t, (z, yhat, loss, _) in out.items():
        ref[f"outputs.z[{t}]"], ref[f"outputs.yhat[{t}]"], ref[f"outputs.loss[{t}]"] = z, yhat, loss
    ref["loss"] = net.total_loss()
    grads = {}
    for param in ("w_prime", "w", "b"):
        running = np.zeros(getattr(net, param).shape)
        for t in net.targets:
            for k in range(t, 0, -1):
                term = net.term(param, t, k)
                ref[f"gradients.{param}.term[{t},{k}]"] = term
                if param == "b":
                    ref[f"gradients.w_prime.delta[{t},{k}]"] = term  # δ(t,k) = ∂ℓ_t/∂a_k along t → k = term(b)
                if truncate is None or t - k < truncate:
                    running = running + term
                ref[f"gradients.{param}.running_sum[{t},{k}]"] = running
        grads[param] = ref[f"gradients.{param}.total"] = running
    for param in ("w_out", "b_out"):
        running = np.zeros(getattr(net, param).shape)
        for t in net.targets:
            ref[f"gradients.{param}.term[{t}]"] = term = net.term(param, t)
            running = running + term
            ref[f"gradients.{param}.running_sum[{t}]"] = running
        grads[param] = ref[f"gradients.{param}.total"] = running
    for param, grad in grads.items():
        clipped = grad if clip is None else np.clip(grad, -clip, clip)
        ref[f"update.{param}.new"] = getattr(net, param) - lr * clipped
    return ref


def typed(value) -> str:
    """An array as a learner types it: repr'd entries, spaces between, ; between rows."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return repr(float(a))
    if a.ndim == 1:
        return " ".join(repr(float(v)) for v in a)
    return "; ".join(" ".join(repr(float(v)) for v in row) for row in a)


def well_behaved(net: VNet) -> bool:
    states, out = net.run()
    values = [v for _, O in states for v in O] + [o[2] for o in out.values()]
    kinks = [v for a, _ in states for v in a] if net.activation in ("relu", "leaky_relu") else []
    kinks += [v for o in out.values() for v in o[0]] if net.output_activation in ("relu", "leaky_relu") else []
    return all(math.isfinite(v) and abs(v) < 1e6 for v in values) and all(abs(v) > 1e-6 for v in kinks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vnets(), st.sampled_from([None, 1, 2]), st.sampled_from([None, 0.05]))
def test_every_vector_question_is_graded_against_the_reference(net, truncate, clip):
    assume(well_behaved(net))
    tape = rnnstep.build_tape(rnnstep.load_scenario(net.to_toml(truncate=truncate, clip=clip, learning_rate=0.3)))
    ref = reference_values(net, truncate, clip, 0.3)
    qs = questions(tape, paths="all")
    assert qs and len({q.id for q in qs}) == len(qs)
    session = DrillSession(tape, qs)
    for q in qs:
        expected = ref[q.id]
        assert np.shape(q.value) == np.shape(expected), q.id
        assert np.allclose(q.value, expected, rtol=1e-7, atol=1e-10), q.id
        answer = session.read(typed(expected))  # the reference's own numbers, typed as a learner would
        assert session.answer(answer).right, q.id
    assert session.score == f"score: {len(qs)}/{len(qs)}"


@settings(max_examples=25, deadline=None)
@given(vnets(), st.integers(0, 10_000), st.integers(0, 10_000))
@example(VNet(w=np.array([[-1.12, 0.0], [0.0, 0.0]]), w_prime=np.zeros((2, 2)), b=np.zeros(2),
              w_out=np.zeros((1, 2)), b_out=np.zeros(1), h0=np.zeros(2), x=np.array([[1.81, 0.0]]),
              y=np.array([[1.0]]), every_step=False, activation="tanh", output_activation="softmax",
              loss="cross_entropy", leaky_slope=0.1), 0, 0)  # a₁[1] = −2.0272: 1.5·v + 1 was within 1 % of it
def test_a_wrong_entry_is_named_and_the_rest_are_not(net, pick_question, pick_entry):
    assume(well_behaved(net))
    tape = rnnstep.build_tape(rnnstep.load_scenario(net.to_toml()))
    arrays_asked = [q for q in questions(tape) if q.shape]
    q = arrays_asked[pick_question % len(arrays_asked)]
    session = DrillSession(tape, [q])
    answer = np.array(q.value, dtype=float)
    entries = list(np.ndindex(answer.shape))
    index = entries[pick_entry % len(entries)]
    answer[index] = answer[index] + 1.0 + abs(answer[index])  # off by more than |value|: outside rtol = 0.01
    feedback = session.answer(session.read(typed(answer)))
    name = "[" + ",".join(str(i + 1) for i in index) + "]"
    assert not feedback.right and feedback.line.startswith("✗ wrong: ")
    assert f"{name} should be " in feedback.line
    assert feedback.line.count("should be") == 1
    assert session.score == "score: 0/1"


def test_the_shipped_vector_scenarios_against_the_reference():
    for name in ("hello-char-rnn", "notes-hidden-two"):
        scenario = rnnstep.load_scenario(name)
        w = scenario.arrays()
        net = VNet(w=w["w"], w_prime=w["w_prime"], b=w["b"], w_out=w["w_out"], b_out=w["b_out"], h0=w["h0"],
                   x=w["x"], y=w["y"], every_step=scenario.target_at_every_step, activation=scenario.activation,
                   output_activation=scenario.output_activation, loss=scenario.loss)
        ref = reference_values(net, scenario.truncate, scenario.clip, scenario.learning_rate)
        tape = rnnstep.build_tape(scenario)
        for q in questions(tape):
            assert np.allclose(q.value, ref[q.id], rtol=1e-7, atol=1e-10), (name, q.id)


# ----------------------------------------------------------------------------- typing an array

def test_ways_to_type_a_matrix():
    want = np.array([[0.1, -0.2], [3.0, 4e-3]])
    for text in ("0.1 -0.2; 3 4e-3", "0.1, -0.2; 3, 0.004", "0.1,-0.2;3,.004", " 0.1  −0.2 ;3 0.004 ;",
                 "[[0.1, -0.2], [3, 0.004]]", "[[0.1 -0.2] [3 0.004]]", "[0.1 -0.2; 3 0.004]"):
        assert np.array_equal(read_array(text, (2, 2)), want), text
    assert np.array_equal(read_array("1 2 3", (3,)), [1, 2, 3])
    assert np.array_equal(read_array("1; 2; 3", (3,)), [1, 2, 3])  # a vector typed as a column
    assert np.array_equal(read_array("[1, 2, 3]", (3,)), [1, 2, 3])
    assert np.array_equal(read_array("1 2", (2, 1)), [[1], [2]])  # one column: its entries in order
    assert np.array_equal(read_array("1; 2", (1, 2)), [[1, 2]])
    assert read_array("-0.5", ()) == -0.5 and read_array("0.25", (1,)) == [0.25]
    for junk in ("-inf", "nan", "1e999"):  # a non-finite entry is junk (try-out #10), asked again
        with pytest.raises(AnswerError, match="is not a finite number"):
            read_array(junk, ())
    with pytest.raises(AnswerError, match="'nan' is not a finite number"):
        read_array("nan 1", (2,))


@pytest.mark.parametrize("text,shape,message", [
    ("1 2 3", (2, 2), "you typed 3 numbers; expected 2×2, rows separated by ;"),
    ("1 2 3 4", (2, 2), "you typed 4 numbers; expected 2×2"),
    ("1 2; 3", (2, 2), "row 2 has 1 number, row 1 has 2"),
    ("1 2; 3 4; 5 6", (2, 2), "you typed 3 rows of 2"),
    ("1 2", (3,), "you typed 2 numbers; expected 3 numbers"),
    ("1 2; 3 4", (4,), "you typed 2 rows of 2"),
    ("1 2", (), "expected one number"),
])
def test_a_wrong_shape_says_what_was_typed_and_what_is_expected(text, shape, message):
    with pytest.raises(ShapeError) as err:
        read_array(text, shape)
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("text", ["", "   ", "abc", "1 two", "1,,2", "1 2;;3 4", "[1 2", "1 2]]", "[[[1]]]",
                                  "0x10 1", "1_000 2", "--1 2", "1e 2", "; ;"])
def test_junk_is_a_clean_answer_error(text):
    with pytest.raises(AnswerError):
        read_array(text, (2,))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,; -+e[]()−nafix_\t")), max_size=30),
       st.sampled_from([(), (1,), (3,), (2, 2), (1, 3), (3, 1), (2, 3)]))
def test_anything_typed_is_an_array_of_the_shape_or_a_clean_error(text, shape):
    try:
        got = read_array(text, shape)
    except AnswerError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert np.shape(got) == shape


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_any_matrix_written_out_reads_back_exactly(rows, cols, data):
    finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
    matrix = np.array([[data.draw(finite) for _ in range(cols)] for _ in range(rows)])
    sep = data.draw(st.sampled_from([" ", ",", ", ", "  ", " , "]))
    row_sep = data.draw(st.sampled_from([";", "; ", " ; "]))
    text = row_sep.join(sep.join(repr(float(v)) for v in row) for row in matrix)
    assert np.array_equal(read_array(text, (rows, cols)), matrix)


# ----------------------------------------------------------------------------- the session

def hello_session(tmp_path=None, **kwargs):
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    history = History(tmp_path / "h.jsonl") if tmp_path else None
    return tape, DrillSession(tape, questions(tape, **kwargs), history)


def test_commands_junk_and_shape_mistakes_are_not_counted(tmp_path):
    tape, session = hello_session(tmp_path)
    assert session.read("hint") == "hint" and session.read(" Skip ") == "skip" and session.read("q") == "quit"
    with pytest.raises(ShapeError, match="wrong shape: you typed 1 number; expected 3 numbers"):
        session.read("0.5")
    with pytest.raises(AnswerError, match="not an answer: 'banana' is not a number — type 3 numbers"):
        session.read("0.1 banana 3")
    assert session.answered == 0
    assert session.hint().startswith("hint: a₁ = W·x₁ + W′·O₀ + b; ")
    assert "[0.3 -0.2 0.1 0.4; -0.1 0.5 0.2 -0.3; 0.2 0.1 -0.4 0.3]·[1 0 0 0]" in session.hint()
    feedback = session.answer(session.read("0.3 0 0.1"))
    assert feedback.right and feedback.line == "✓ right: a₁ = [0.3 0 0.1]"
    skipped = session.skip()
    assert skipped.line.startswith("✗ skipped: O₁ = f(a₁) = [0.291313 0 0.099668]")
    records = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    assert records[0]["answer"] == [0.3, 0.0, 0.1] and records[0]["kind"] == "vector.forward.a"
    assert records[0]["hints"] == 2 and records[1]["skipped"] and len(records[1]["value"]) == 3


def test_non_finite_answers_and_values_are_strict_json(tmp_path):
    tape, session = hello_session(tmp_path)
    session.answer(np.array([float("inf"), float("nan"), 0.1]))
    record = json.loads((tmp_path / "h.jsonl").read_text())
    assert record["answer"] == ["inf", "nan", 0.1] and not record["right"]


def test_many_wrong_entries_are_counted_not_all_listed():
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    q = next(q for q in questions(tape) if q.id == "update.w.new")  # 3×4
    session = DrillSession(tape, [q])
    line = session.answer(np.asarray(q.value) + 1).line
    assert line.startswith("✗ wrong: 12 of 12 entries wrong: [1,1] should be ")
    assert line.count("should be") == 4 and "; and 8 more." in line
    assert line.endswith("W_new = [" + "; ".join(" ".join(rnnstep.notation.fmt(v) for v in row)
                                                  for row in q.value) + "]")


def test_each_question_says_its_shape_and_the_formula_in_vector_notation():
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    by_id = {q.id: q for q in questions(tape)}
    assert by_id["forward.a[2]"].text == "a₂ = W·x₂ + W′·O₁ + b = ?  (3 numbers)"
    assert by_id["gradients.w_prime.delta[4,2]"].text == "δ[4,2] = δ[4,3]·W′·diag(f′(a₂)) = ?  (path 4 → 2; 3 numbers)"
    assert by_id["gradients.w_prime.delta[4,4]"].formula == "∂ℓ₄/∂z₄·W_out·diag(f′(a₄))"
    assert by_id["gradients.w_prime.term[4,2]"].text == \
        "term[4,2] of ∂L/∂W′ = δ[4,2]ᵀ·O₁ᵀ = ?  (3×3, rows separated by ;)"
    assert by_id["gradients.w_out.term[3]"].text == "term[3] of ∂L/∂W_out = (∂ℓ₃/∂z₃)ᵀ·O₃ᵀ = ?  (4×3, rows separated by ;)"
    assert by_id["backward.dL_dO[3]"].formula == "∂ℓ₃/∂z₃·W_out + ∂L/∂a₄·W′"
    assert by_id["backward.dL_da[3]"].formula == "∂L/∂O₃·diag(f′(a₃))"
    assert by_id["loss"].shape == () and by_id["outputs.loss[2]"].text == "ℓ₂ = ℓ(ŷ₂, y₂) = ?"
    assert "ŷ₄ − y₄ (softmax with cross-entropy)" in by_id["gradients.w_out.term[4]"].hint
    # the second hint, with the numbers: δ[4,3]·W′ ⊙ f′(a₂), read off the tape
    delta43 = tape.gradients["w_prime"].delta(tape.gradients["w_prime"].index_of(4, 3))
    assert by_id["gradients.w_prime.delta[4,2]"].numbers.startswith(
        "[" + " ".join(rnnstep.notation.fmt(v) for v in delta43) + "]·[0.1 -0.3 0.2; 0.4 0.1 -0.1; -0.2 0.2 0.3] ⊙ [")


def test_no_factor_is_asked_and_only_narrows_by_group():
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    everything = questions(tape)
    assert not any(".factor[" in q.id for q in everything)
    paths = len(tape.gradients["w_prime"])  # 10: every path is asked (at most ALL_PATHS_UP_TO)
    assert sum(".delta[" in q.id for q in everything) == paths
    assert sum("w_prime.term[" in q.id for q in everything) == paths
    assert not any(q.id.startswith(("gradients.w.term", "gradients.b.term")) for q in everything)
    for only in ("forward", "backward", "terms", "sums", "update"):
        narrowed = questions(tape, only)
        assert narrowed and all(group_of(q.kind) == only for q in narrowed)
        assert [q for q in everything if q in narrowed] == narrowed  # same order
    assert {q.id.split("[")[0] for q in questions(tape, "backward")} == {
        "backward.dL_dO", "backward.dL_da", "gradients.w_prime.delta"}
    # forward a, O, f′ per step; no Σ after the first term
    assert len(everything) == 3 * 4 + 3 * 4 + 1 + 2 * 4 + 3 * paths - 1 + 2 + (4 + 2) + 5


def test_a_value_the_panels_would_give_away_is_hidden_with_the_question():
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    delta = next(q for q in questions(tape, "backward") if q.id == "gradients.w_prime.delta[3,2]")
    assert set(delta.hides) == {"gradients.w_prime.term[3,2]", "gradients.w_prime.running_sum[3,2]"}
    last = next(q for q in questions(tape, "backward") if q.id == "gradients.w_prime.delta[4,1]")
    assert "gradients.w_prime.total" in last.hides


# ----------------------------------------------------------------------------- linear in T

def long_tape(T: int, every_step: bool = True):
    return rnnstep.build_tape(rnnstep.load_scenario(vector_toml(n=2, T=T, every_step=every_step, seed=3)))


def test_a_long_tape_asks_the_nearest_paths_and_grows_linearly():
    for T in (40, 80):
        tape = long_tape(T)
        assert len(tape.gradients["w_prime"]) > ALL_PATHS_UP_TO
        qs = questions(tape)
        deltas = [q for q in qs if ".delta[" in q.id]
        assert len(deltas) == NEAREST * T - NEAREST * (NEAREST - 1) // 2  # k = t, t−1, t−2 (fewer near t = 1)
        assert all(int(q.id.split("[")[1].split(",")[0]) - int(q.id.split(",")[1].rstrip("]")) < NEAREST
                   for q in deltas)
        # forward 3T (a, O, f′) + outputs 3T + L + recursive 2T + 3 per path + W′ total + W, b totals + T + 2
        # + 5 updates
        assert len(qs) == 8 * T + 1 + 3 * len(deltas) - 1 + 1 + 2 + T + 2 + 5
        ids = [q.id for q in qs]
        assert "gradients.w_prime.total" in ids and len(set(ids)) == len(ids)
        assert [q.step for q in qs] == sorted(q.step for q in qs)  # tape order: the TUI's cursor only moves on
    everything = questions(long_tape(30), paths="all")
    assert sum(".delta[" in q.id for q in everything) == 30 * 31 // 2  # asked for: every path
    assert sum(".delta[" in q.id for q in questions(long_tape(30), paths=1)) == 30


def test_one_target_asks_every_path_while_there_are_few():
    tape = long_tape(ALL_PATHS_UP_TO, every_step=False)
    assert sum(".delta[" in q.id for q in questions(tape)) == ALL_PATHS_UP_TO
    tape = long_tape(ALL_PATHS_UP_TO + 1, every_step=False)
    assert [q.id for q in questions(tape) if ".delta[" in q.id] == [
        f"gradients.w_prime.delta[{ALL_PATHS_UP_TO + 1},{k}]" for k in (31, 30, 29)]


def test_paths_narrows_a_scalar_drill_only_when_asked():
    tape = rnnstep.build_tape(rnnstep.load_scenario("target-every-step"))
    assert questions(tape) == questions(tape, paths="all")  # the default is unchanged
    near = questions(tape, paths=1)
    terms = [q.id for q in near if ".term[" in q.id and "w_out" not in q.id and "b_out" not in q.id]
    assert terms == [f"gradients.{p}.term[{t},{t}]" for p in ("w_prime", "w", "b") for t in range(1, 5)]
    assert {q.id for q in near if q.kind == "total"} == {f"gradients.{p}.total" for p in
                                                       ("w_prime", "w", "b", "w_out", "b_out")}
    for q in near:
        assert np.allclose(q.value, tape.value(q.id))


def test_review_on_a_vector_scenario_and_a_history_of_other_kinds():
    tape = rnnstep.build_tape(rnnstep.load_scenario("notes-hidden-two"))
    records = [{"kind": "vector.term", "right": False}, {"kind": "vector.forward.O", "right": True}]
    picked = pick_review(questions(tape), records, 3)
    assert [q.kind for q in picked] == ["vector.term"] * 3
    scalar_only = [{"kind": "factor.backprop", "right": False}]  # nothing of that kind here
    assert pick_review(questions(tape), scalar_only, 3) == questions(tape)[:3]


# ----------------------------------------------------------------------------- over a pipe

class Conversation:
    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "rnnstep", "drill", "--plain", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines: list[str] = []

    def read_until(self, prefix: str) -> str:
        while True:
            line = self.proc.stdout.readline()
            assert line, f"ended before a line starting {prefix!r}; got {self.lines[-5:]}"
            self.lines.append(line := line.rstrip("\n"))
            if line.startswith(prefix):
                return line

    def question(self) -> tuple[str, str]:
        qid, text = self.read_until("? ")[2:].split(" ", 1)
        return qid, text

    def say(self, text: str) -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def close(self) -> str:
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        self.proc.wait(timeout=30)
        return rest


def test_the_plain_protocol_on_a_vector_scenario(tmp_path):
    """Another program answers every question of hello-char-rnn from the reference's values."""
    scenario = rnnstep.load_scenario("hello-char-rnn")
    w = scenario.arrays()
    net = VNet(w=w["w"], w_prime=w["w_prime"], b=w["b"], w_out=w["w_out"], b_out=w["b_out"], h0=w["h0"], x=w["x"],
               y=w["y"], every_step=True, activation="tanh", output_activation="softmax", loss="cross_entropy")
    ref = reference_values(net, None, scenario.clip, scenario.learning_rate)
    history = tmp_path / "h.jsonl"
    talk = Conversation("hello-char-rnn", "--history", str(history))
    header = talk.read_until("answer each question")
    assert "rows by ;" in header and any("W′ = [0.1 -0.3 0.2; 0.4 0.1 -0.1; -0.2 0.2 0.3]" in line
                                          for line in talk.lines)
    qid, text = talk.question()
    assert qid == "forward.a[1]" and text.endswith("(3 numbers)")
    talk.say("0.3 0")  # the wrong shape: asked again, not counted
    assert talk.read_until("wrong shape").startswith("wrong shape: you typed 2 numbers; expected 3 numbers")
    assert talk.question()[0] == qid
    talk.say("0.3 zero 0.1")
    assert talk.read_until("not an answer").startswith("not an answer: 'zero' is not a number")
    talk.say("0.3 0.05 0.1")  # one entry wrong
    line = talk.read_until("✗")
    assert line.startswith("✗ wrong: 1 of 3 entries wrong: [2] should be 0, you wrote 0.05.")
    asked = 1
    while True:
        line = talk.read_until(("? ", "score:"))  # type: ignore[arg-type]
        if line.startswith("score:"):
            break
        qid = line[2:].split(" ", 1)[0]
        talk.say(typed(ref[qid]))
        assert talk.read_until("✓").startswith("✓ right: ")
        asked += 1
    assert line == f"score: {asked - 1}/{asked}"
    records = [json.loads(x) for x in history.read_text().splitlines()]
    assert len(records) == asked and sum(r["right"] for r in records) == asked - 1
    talk.close()


def test_the_plain_protocol_keeps_a_scalar_file_unchanged(tmp_path):
    s = rnnstep.load_scenario("notes-four-steps")
    a1 = nt.fmt(s.x[0] * s.w + s.h0 * s.w_prime + s.b)  # a₁ = x₁·w + O₀·w′ + b, by hand
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "notes-four-steps", "--count", "1",
                             "--history", str(tmp_path / "h.jsonl")], input=f"{a1}\n", capture_output=True, text=True)
    # unchanged but for `note`, which prints the step's notes (tryout-2 item 7)
    assert "answer each question with a number, or: hint, note (the step's notes), skip, quit" in result.stdout
    assert f"✓ right: a₁ = {a1}" in result.stdout and result.stdout.endswith("score: 1/1\n")


def test_paths_on_the_command_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(""))
    assert main(["drill", "--plain", "notes-hidden-two", "--paths", "0"]) == 2
    assert "--paths: expected a whole number ≥ 1 or all, found '0'" in capsys.readouterr().err
    assert main(["drill", "--plain", "notes-hidden-two", "--paths", "all", "--history", str(tmp_path / "h")]) == 0


def test_stats_after_a_vector_drill(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # one line per kind
    tape, session = hello_session(tmp_path)
    session.answer(session.read("0.3 0 0.1"))
    session.skip()
    session.answer(np.zeros(3))
    assert main(["stats", "--history", str(tmp_path / "h.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "pre-activation vector a_t" in out and "state vector O_t" in out


def hand_sized_entries(values) -> bool:
    """Each entry exactly 0 or between 1e-4 and 10 in size: a four-decimal answer, no exponent."""
    sizes = np.abs(np.asarray(values, dtype=float))
    return bool(((sizes == 0) | ((sizes >= 1e-4) & (sizes <= 10))).all())


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 8))
def test_random_vector_scenarios_are_hand_sized_and_repeatable(seed, n):
    """The rules randomize_vector's docstring states, checked on the scenario and its tape."""
    from rnnstep.drill.randomize_vector import random_vector_scenario, random_vector_scenario_text

    text = random_vector_scenario_text(seed, n)
    assert text == random_vector_scenario_text(seed, n)
    scenario = random_vector_scenario(seed, n)
    assert scenario.is_vector and scenario.sizes[0] == n and 2 <= scenario.T <= 4
    assert scenario.learning_rate in (0.05, 0.1, 0.2)
    w = scenario.arrays()
    for key, bound in (("w", 1.0), ("w_prime", 0.5), ("b", 0.5), ("w_out", 1.0), ("x", 1.0), ("y", 1.0)):
        assert np.array_equal(np.round(w[key], 2), w[key]), key  # one or two decimals
        assert (np.abs(w[key]) <= bound).all(), key
    assert not w["b_out"].any()
    tape = rnnstep.build_tape(scenario)
    assert not tape.nonfinite
    if scenario.activation == "sigmoid":
        assert ((tape.O >= 0.05) & (tape.O <= 0.95)).all()
    if scenario.activation == "tanh":
        assert (np.abs(tape.O) <= 0.95).all()
    if scenario.output_activation == "softmax":
        assert ((tape.yhat >= 0.05) & (tape.yhat <= 0.95)).all()
    if scenario.activation == "relu":
        assert (abs(tape.a) >= 0.05).all()
    assert hand_sized_entries(tape.dL_dO) and hand_sized_entries(tape.dL_da)
    for param, table in tape.gradients.items():
        for i in range(len(table)):
            assert hand_sized_entries(table.term(i)) and hand_sized_entries(table.delta(i)), (param, i)
        assert hand_sized_entries(table.total), param
        assert (np.abs(tape.updates[param].new - w[param]) <= 0.5).all(), param


def test_a_random_vector_drill_from_the_command_line(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", *args, "--history",
                               str(tmp_path / "h.jsonl")], input="", capture_output=True, text=True)

    first = run("--hidden", "3", "--seed", "12")
    assert first.returncode == 0 and "repeat it with --seed 12 --hidden 3" in first.stdout
    assert "n = 3 hidden" in first.stdout and first.stdout == run("--hidden", "3", "--seed", "12").stdout
    fresh = run("--hidden", "2")
    seed = fresh.stdout.split("--seed ")[1].split()[0]
    assert run("--hidden", "2", "--seed", seed).stdout.splitlines()[1:] == fresh.stdout.splitlines()[1:]
    for args, message in ((("--hidden", "9"), "expected a whole number from 1 to 8"),
                          (("notes-four-steps", "--hidden", "2"), "--hidden chooses a random vector scenario")):
        result = run(*args)
        assert result.returncode == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_new_writes_a_random_vector_scenario(tmp_path, capsys):
    path = tmp_path / "v.toml"
    assert main(["new", "--random", "--hidden", "2", "--seed", "5", "-o", str(path)]) == 0
    assert rnnstep.load_scenario(path).sizes[0] == 2
    assert main(["new", "--hidden", "2"]) == 2 and "--hidden goes with --random" in capsys.readouterr().err


def test_the_tui_feedback_gives_up_whole_parts_never_part_of_a_number():
    from rich.text import Text

    from rnnstep.drill.tui import _lines, fit_feedback

    tape = rnnstep.build_tape(rnnstep.load_scenario(vector_toml(n=8, T=3, seed=2)))
    q = next(q for q in questions(tape) if q.id == "gradients.w_prime.term[3,2]")
    session = DrillSession(tape, [q, q])
    wrong = Text(session.answer(np.asarray(q.value) + 1).line)
    right = Text(session.answer(q.value).line)
    question = Text(f"? {q.text}")
    for width in (60, 78, 138):
        for line in (wrong, right):
            shown = fit_feedback(line, question, width, 6)
            assert _lines(shown, width) + _lines(question, width) <= 6
            assert line.plain.startswith(shown.plain)  # a prefix, cut at a boundary
        assert "should be" in fit_feedback(wrong, question, width, 6).plain
    assert fit_feedback(right, question, 78, 6).plain == "✓ right: term[3,2] of ∂L/∂W′"
    short = Text("✓ right: a₁ = [0.3 0 0.1]")
    assert fit_feedback(short, question, 78, 6) is short


# ----------------------------------------------------------------------------- try-out 1: items 10 and 11

@pytest.mark.parametrize("text", ["1e999 0 0", "nan nan 0", "inf 0.1 0.2", "0.1; -1e400; 0.2", "[NaN, 0, 0]"])
def test_a_non_finite_entry_is_junk_asked_again_not_graded(tmp_path, text):
    tape, session = hello_session(tmp_path)
    with pytest.raises(AnswerError) as err:
        session.read(text)
    message = str(err.value)
    assert "is not a finite number" in message and "\n" not in message and "type 3 numbers" in message
    assert session.answered == 0 and session.current.id == "forward.a[1]"
    assert not (tmp_path / "h.jsonl").exists() or not (tmp_path / "h.jsonl").read_text()


def test_the_outer_products_second_hint_reads_column_times_row():
    tape = rnnstep.build_tape(rnnstep.load_scenario("hello-char-rnn"))
    by_id = {q.id: q for q in questions(tape)}
    fmt = rnnstep.notation.fmt
    table = tape.gradients["w_prime"]
    i = table.index_of(4, 4)
    row = lambda v: "[" + " ".join(fmt(float(x)) for x in v) + "]"  # noqa: E731
    assert str(by_id["gradients.w_prime.term[4,4]"].numbers) == f"{row(table.delta(i))}ᵀ·{row(table.input(i))}"
    out = tape.gradients["w_out"]
    j = [int(t) for t in out.t].index(4)
    assert str(by_id["gradients.w_out.term[4]"].numbers) == f"{row(out.delta(j))}ᵀ·{row(out.input(j))}"
    # n = 8: one ᵀ, on δ; the input is a row
    big = rnnstep.build_tape(rnnstep.load_scenario(vector_toml(n=8, T=3, seed=2)))
    term = next(q for q in questions(big) if q.id == "gradients.w_prime.term[3,2]")
    assert str(term.numbers).count("ᵀ") == 1 and str(term.numbers).endswith("]")


def test_a_vector_drill_writes_its_subscripts_grouped_and_where_they_are_meant():
    """tryout-2 item 12: the plain header wrote W′·O_t−1 (read as O_t minus 1), and a hint at a step said
    f′(a) = 1 − tanh²(a) = 1 − O² where f′(a₃) = 1 − tanh²(a₃) = 1 − O₃² was meant."""
    from rnnstep.drill.briefing import briefing
    from rnnstep.notation import sub

    scenario = rnnstep.load_scenario("hello-char-rnn")
    header = "\n".join(briefing(scenario))
    assert "W′·O_{t−1}" in header and "O_t−1" not in header
    tape = rnnstep.build_tape(scenario)
    hints = {q.id: DrillSession(tape, [q]).hint() for q in questions(tape)}
    checked = 0
    for qid, hint in hints.items():
        assert "tanh²(a)" not in hint and "O_k−1" not in hint and "O_t−1" not in hint, hint
        if qid.startswith("backward.dL_da["):
            t = int(qid.split("[")[1].rstrip("]"))
        elif qid.startswith("gradients.w_prime.delta["):
            t = int(qid.split(",")[1].rstrip("]"))  # δ[t,k] multiplies by f′(a_k)
        else:
            continue
        assert f"f′(a{sub(t)}) = 1 − tanh²(a{sub(t)}) = 1 − O{sub(t)}²" in hint, hint
        checked += 1
    assert checked >= 8
