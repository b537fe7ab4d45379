"""Drills: the plain protocol as another program sees it, grading, history, review, random scenarios."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnstep
from rnnstep.cli import main
from rnnstep.drill.grading import NotANumber, is_right, parse_answer
from rnnstep.drill.history import History
from rnnstep.drill.questions import questions
from rnnstep.drill.randomize import random_scenario, random_scenario_text
from rnnstep.drill.review import leitner_boxes, pick_review


class Conversation:
    """Talk to `rnnstep drill --plain` over pipes, a line at a time (it must flush every line)."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "rnnstep", "drill", "--plain", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines: list[str] = []

    def read_until(self, prefix: str) -> str:
        while True:
            line = self.proc.stdout.readline()
            assert line, f"ended before a line starting {prefix!r}; got {self.lines[-5:]}"
            line = line.rstrip("\n")
            self.lines.append(line)
            if line.startswith(prefix):
                return line

    def question(self) -> tuple[str, str]:
        line = self.read_until("? ")
        qid, text = line[2:].split(" ", 1)
        return qid, text

    def say(self, text: str) -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def close(self) -> str:
        self.proc.stdin.close()
        rest = self.proc.stdout.read()  # through the same buffered reader that readline() used
        self.proc.wait(timeout=30)
        return rest


def tape_for_seed(seed: int):
    return rnnstep.build_tape(random_scenario(seed))


def test_right_answers_give_a_full_score(tmp_path):
    tape = tape_for_seed(11)
    total = len(questions(tape))
    talk = Conversation("--seed", "11", "--history", str(tmp_path / "h.jsonl"))
    for _ in range(total):
        qid, _ = talk.question()
        talk.say(repr(tape.value(qid)))
        assert talk.read_until("✓").startswith("✓ right")
    rest = talk.close()
    assert rest.strip().splitlines()[-1] == f"score: {total}/{total}"
    lines = (tmp_path / "h.jsonl").read_text().splitlines()
    assert len(lines) == total and all(json.loads(line)["right"] for line in lines)


def test_wrong_answers_score_zero_and_show_the_value(tmp_path):
    tape = tape_for_seed(12)
    talk = Conversation("--seed", "12", "--count", "5", "--history", str(tmp_path / "h.jsonl"))
    for _ in range(5):
        qid, _ = talk.question()
        wrong = tape.value(qid) * 3 + 1
        talk.say(str(wrong))
        line = talk.read_until("✗")
        assert rnnstep.notation.fmt(tape.value(qid)) in line
    assert talk.close().strip().splitlines()[-1] == "score: 0/5"


def test_hint_and_junk_re_ask_the_same_question(tmp_path):
    talk = Conversation("--seed", "13", "--count", "1", "--history", str(tmp_path / "h.jsonl"))
    first = talk.question()
    talk.say("hint")
    assert talk.read_until("hint:").startswith("hint: ")
    assert talk.question() == first
    talk.say("hint")
    assert " = " in talk.read_until("hint:")
    assert talk.question() == first
    talk.say("twelve")
    assert talk.read_until("not a number").startswith("not a number: 'twelve'")
    assert talk.question() == first
    talk.say("skip")
    assert talk.read_until("✗").startswith("✗ skipped")
    assert talk.close().strip().splitlines()[-1] == "score: 0/1"
    record = json.loads((tmp_path / "h.jsonl").read_text())
    assert record["skipped"] and record["hints"] == 2 and record["id"] == first[0]


def test_end_of_input_ends_like_quit(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--seed", "5",
                             "--history", str(tmp_path / "h.jsonl")], input="", capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip().splitlines()[-1] == "score: 0/0"
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--seed", "5",
                             "--history", str(tmp_path / "h.jsonl")], input="1\nquit\n2\n", capture_output=True,
                            text=True)
    assert result.stdout.strip().splitlines()[-1] == "score: 0/1"


def test_same_seed_same_drill(capsys, tmp_path):
    runs = []
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--seed", "99",
                                 "--history", str(tmp_path / "h.jsonl")], input="", capture_output=True, text=True)
        runs.append(result.stdout)
    assert runs[0] == runs[1] and "--seed 99" in runs[0]
    assert random_scenario_text(99) == random_scenario_text(99)
    assert random_scenario_text(99) != random_scenario_text(100)


def test_fresh_seed_is_printed(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--history",
                             str(tmp_path / "h.jsonl")], input="", capture_output=True, text=True)
    seed = result.stdout.split("--seed ")[1].split()[0]
    again = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--seed", seed, "--history",
                            str(tmp_path / "h.jsonl")], input="", capture_output=True, text=True)
    assert result.stdout.splitlines()[2:] == again.stdout.splitlines()[2:]


def test_history_survives_sigkill_mid_drill(tmp_path):
    path = tmp_path / "h.jsonl"
    tape = tape_for_seed(21)
    talk = Conversation("--seed", "21", "--history", str(path))
    for n in range(3):
        qid, _ = talk.question()
        talk.say(repr(tape.value(qid)) if n != 1 else "0.123")
        talk.read_until("✓" if n != 1 else "✗")
    talk.question()  # the fourth question is on screen: the third answer is on disk
    os.kill(talk.proc.pid, signal.SIGKILL)
    talk.proc.wait()
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 4  # three whole lines, nothing torn
    records = [json.loads(line) for line in lines[:3]]
    assert [r["right"] for r in records] == [True, False, True]


def test_corrupt_history_is_tolerated_and_never_truncated(tmp_path, capsys):
    path = tmp_path / "h.jsonl"
    good = {"kind": "forward.O", "right": True, "id": "forward.O[1]", "session": "x"}
    path.write_bytes(b"not json at all\n" + json.dumps(good).encode() + b"\n{\"kind\": \"forward.a\", \"rig")
    before = path.read_bytes()
    loaded = History(path).load()
    assert len(loaded.records) == 1 and loaded.bad_lines == 2 and "skipped 2 unreadable lines" in loaded.warning
    History(path).append({"kind": "term", "right": False, "id": "gradients.w.term[2,1]"})
    after = path.read_bytes()
    assert after.startswith(before)  # nothing rewritten or truncated
    assert json.loads(after.split(b"\n")[-2]) == {"kind": "term", "right": False, "id": "gradients.w.term[2,1]"}
    assert len(History(path).load().records) == 2
    assert main(["stats", "--history", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("warning") == 1 and "path term" in captured.out


def test_unwritable_history_is_a_clean_error(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("1\n"))
    assert main(["drill", "--plain", "--seed", "3", "--history", str(blocker / "h.jsonl")]) == 2
    assert capsys.readouterr().err.startswith("rnnstep: error: ")


def test_default_history_path_follows_xdg(monkeypatch, tmp_path):
    from rnnstep.drill.history import default_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_path() == tmp_path / "rnnstep" / "history.jsonl"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert str(default_path()).endswith(".local/share/rnnstep/history.jsonl")


def test_only_and_count_narrow_the_drill():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    forward = questions(tape, "forward")
    assert [q.id for q in forward][:4] == ["forward.a[1]", "forward.O[1]", "forward.f_prime[1]", "forward.a[2]"]
    assert forward[-1].id == "loss"
    assert all(q.id.startswith("update.") for q in questions(tape, "update"))
    terms = questions(tape, "terms")
    assert len(terms) == 4 * 3 + 2 and all(".term" in q.id for q in terms)
    sums = [q.id for q in questions(tape, "sums")]
    assert "gradients.w_prime.total" in sums and "gradients.w_prime.running_sum[4,4]" not in sums
    factors = [q.id for q in questions(tape, "backward")]
    assert factors.count("gradients.w_prime.factor[4,4,1]") == 1
    assert not any(i.startswith("gradients.w.factor[4,4,1]") for i in factors)  # ∂L/∂ŷ asked once


def test_every_question_value_is_the_tapes():
    for seed in range(5):
        tape = tape_for_seed(seed)
        for q in questions(tape):
            assert q.value == tape.value(q.id) or (q.value != q.value)
            assert "?" in q.text and q.symbol in q.text


@pytest.mark.parametrize("text,value", [("-0.25", -0.25), ("2.5e-3", 0.0025), (".5", 0.5), ("−0.3", -0.3),
                                        (" 1 ", 1.0), ("inf", float("inf"))])
def test_answers_in_ordinary_number_syntax(text, value):
    assert parse_answer(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,5", "1_000", "0x10", "--1"])
def test_junk_is_not_a_number(text):
    with pytest.raises(NotANumber):
        parse_answer(text)


def test_grading_tolerance():
    assert is_right(1.0099, 1.0) and not is_right(1.011, 1.0)
    assert is_right(1e-10, 0.0) and not is_right(1e-8, 0.0)
    assert is_right(0.5, 0.5, rtol=0) and not is_right(0.5000001, 0.5, rtol=0, atol=0)
    assert is_right(float("inf"), float("inf")) and not is_right(1e308, float("inf"))
    assert is_right(float("nan"), float("nan")) and not is_right(0.0, float("nan"))


def test_leitner_boxes_and_review_pick_the_weakest_kinds():
    records = [{"kind": "term", "right": True}] * 3 + [{"kind": "forward.O", "right": True},
                                                        {"kind": "forward.O", "right": False},
                                                        {"kind": "update", "right": True}]
    assert leitner_boxes(records) == {"term": 4, "forward.O": 1, "update": 2}
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    picked = pick_review(questions(tape), records, 6)
    assert [q.kind for q in picked] == ["forward.O"] * 4 + ["update"] * 2
    assert pick_review(questions(tape), [], 3) == questions(tape)[:3]


def test_review_from_the_command_line(tmp_path):
    path = tmp_path / "h.jsonl"
    History(path).append({"kind": "factor.backprop", "right": False, "id": "x"})
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--review", "--count", "3",
                             "--history", str(path), "--seed", "4"], input="", capture_output=True, text=True)
    asked = [line for line in result.stdout.splitlines() if line.startswith("? ")]
    assert asked and "factor[" in asked[0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_random_scenarios_are_hand_friendly(seed):
    scenario = random_scenario(seed)
    assert 2 <= scenario.T <= 5
    for value in (*scenario.x, scenario.w, scenario.w_prime, scenario.b, scenario.w_out):
        assert round(value, 2) == value
    tape = rnnstep.build_tape(scenario)
    assert not tape.nonfinite
    if scenario.activation in ("relu", "leaky_relu"):
        assert all(abs(a) >= 0.05 for a in tape.a)


def test_new_writes_a_scenario_and_never_overwrites(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    assert main(["new", "--random", "--seed", "8", "-o", str(path)]) == 0
    assert rnnstep.load_scenario(path).title == "Random drill (seed 8)"
    path.write_text("my edits")
    assert main(["new", "--random", "--seed", "9", "-o", str(path)]) == 2
    assert path.read_text() == "my edits"
    assert main(["drill", "nope.toml", "--seed", "3", "--plain"]) == 2


def test_new_writes_a_commented_template_with_every_key_that_loads_back(tmp_path, capsys):
    from rnnstep import scenario as sc

    assert main(["new"]) == 0
    text = capsys.readouterr().out
    loaded = rnnstep.load_scenario(text)
    assert loaded.T == 4 and (loaded.w, loaded.w_prime, loaded.b) == (0.5, -0.3, 0.1)
    # every key the loader accepts is in the template, with a comment saying what it is
    keys = [*sc._TOP, *sc._RNN, *sc._OUTPUT, *sc._WEIGHTS, *sc._DATA, *sc._TRAIN, "at", "text"]
    for key in keys:
        lines = [line for line in text.splitlines()
                 if line.lstrip("# ").startswith((f"{key} =", f"[{key}]", f"[[{key}]]"))]
        assert lines, key
        assert any("#" in line.lstrip("# ") for line in lines) or key in ("notes", "claims", "at", "text"), key
    for default in ("default tanh", "default half_squared", "default 1)", "default 0.1)", "default 0.01"):
        assert default in text
    # and every commented-out key loads when uncommented
    key_line = re.compile(r'^# (\[\[?\w+\]\]?|[\w"\[\].,]+ = .*)$')  # a commented-out key or table
    uncommented = "\n".join(line[2:] if key_line.match(line) else line for line in text.splitlines())
    uncommented = uncommented.replace("hidden_size = 2", "")  # only for array weights
    full = rnnstep.load_scenario(uncommented)
    assert full.truncate == 2 and full.clip == 5.0 and full.notes and full.claims and full.breakpoints
    path = tmp_path / "mine.toml"
    assert main(["new", "-o", str(path)]) == 0 and rnnstep.load_scenario(path).title == "My scenario"


def test_new_from_copies_a_shipped_scenario_and_never_overwrites(tmp_path, capsys):
    from rnnstep.scenario import SCENARIO_DIR

    path = tmp_path / "slip.toml"
    assert main(["new", "--from", "worked-example-slip", "-o", str(path)]) == 0
    assert path.read_text() == (SCENARIO_DIR / "worked-example-slip.toml").read_text()
    path.write_text("my edits")
    assert main(["new", "--from", "notes-four-steps", "-o", str(path)]) == 2
    assert path.read_text() == "my edits"
    assert "already exists" in capsys.readouterr().err
    assert main(["new", "--from", "no-such-thing"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no shipped scenario" in err and "notes-four-steps" in err
    assert main(["new", "--from", "hello-char-rnn"]) == 0  # vector scenarios too
    assert rnnstep.load_scenario(capsys.readouterr().out).is_vector
    assert main(["new", "--random", "--from", "notes-four-steps"]) == 2


def test_scenarios_shows_each_file_path(capsys):
    from rnnstep.scenario import shipped_scenarios, shipped_vector_scenarios

    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for path in [*shipped_scenarios(), *shipped_vector_scenarios()]:
        assert str(path) in out and rnnstep.load_scenario(path).title in out


def test_plain_drill_prints_the_scenario_before_the_first_question(tmp_path):
    scenario = random_scenario(7)
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--seed", "7", "--history",
                             str(tmp_path / "h.jsonl")], input="", capture_output=True, text=True)
    lines = result.stdout.splitlines()
    first_question = next(n for n, line in enumerate(lines) if line.startswith("? "))
    before = "\n".join(lines[:first_question])
    # everything a first question needs, none of it on a line a script would read as protocol
    assert all(not line.startswith(("? ", "✓", "✗", "score:")) for line in lines[:first_question])
    def num(v):  # as a person writes it: 1, not 1.0
        return repr(float(v)).removesuffix(".0")

    def nums(vs):
        return "[" + ", ".join(num(v) for v in vs) + "]"

    y = nums(scenario.y) if isinstance(scenario.y, (list, tuple)) else num(scenario.y)
    for text in (f"f = {scenario.activation}", f"g = {scenario.output_activation}", f"loss = {scenario.loss}",
                 f"h0 = {num(scenario.h0)}", f"x = {nums(scenario.x)}", f"y = {y}",
                 f"w = {num(scenario.w)}", f"w′ = {num(scenario.w_prime)}", f"b = {num(scenario.b)}",
                 f"w_out = {num(scenario.w_out)}", f"b_out = {num(scenario.b_out)}", f"η = {num(scenario.learning_rate)}"):
        assert text in before, text
    # and so the first question (a₁ = x₁·w + O₀·w′ + b) can be answered from those lines alone
    assert lines[first_question].startswith("? forward.a[1]")


def test_drill_help_says_what_no_file_does(capsys):
    with pytest.raises(SystemExit):
        main(["drill", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "default: a random scenario with hand-sized numbers" in out and "--seed N repeats it" in out
    assert "the notes' four steps" not in out


def test_review_with_no_history_says_so_and_runs_the_ordinary_drill(tmp_path):
    tape = tape_for_seed(4)
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--review", "--seed", "4",
                             "--history", str(tmp_path / "none.jsonl")],
                            input="\n".join(["0"] * 200) + "\n", capture_output=True, text=True)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("review: no answers in") and "ordinary drill" in line for line in lines)
    asked = [line.split()[1] for line in lines if line.startswith("? ")]
    assert asked == [q.id for q in questions(tape)]  # every question, in order: the ordinary drill
    assert lines[-1].startswith("score: ") and lines[-1].endswith(f"/{len(asked)}")


@pytest.mark.parametrize("vector", [False, True])
def test_plain_drill_prints_the_steps_notes_on_note_without_counting_it(vector):
    """`note` in the plain drill prints the step's notes (at step 1 also the description), as the TUI drill's
    answer box does; it is neither an answer nor junk, and the same question is asked again."""
    import io

    from rnnstep.drill.plain import run_plain
    from rnnstep.drill.session import DrillSession
    from rnnstep.scenario import shipped_vector_scenarios

    scenario = (rnnstep.load_scenario(next(p for p in shipped_vector_scenarios() if p.stem == "notes-hidden-two"))
                if vector else rnnstep.default_scenario())
    tape = rnnstep.build_tape(scenario)
    first_note = next(n.text for n in scenario.notes if tape.steps.index_of(n.at) == 0)
    session = DrillSession(tape, questions(tape))
    out = io.StringIO()
    run_plain(session, io.StringIO("note\nNote \n"), out)
    lines = out.getvalue().splitlines()
    asked = [line for line in lines if line.startswith("? ")]
    assert len(asked) == 3 and len(set(asked)) == 1  # asked again after each `note`
    said = [line for line in lines if not line.startswith("? ")]
    assert said[-1] == "score: 0/0"  # not counted
    description = " ".join(scenario.description.split())
    for line in said[:-1]:
        assert line.startswith("✎") and "not a number" not in line and "not an answer" not in line
    assert said.count(f"✎ about this scenario: {description}") == 2
    assert said.count("✎ note: " + " ".join(first_note.split())) == 2


def test_plain_drill_help_line_names_note(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rnnstep", "drill", "--plain", "--seed", "3", "--history",
                             str(tmp_path / "h.jsonl")], input="", capture_output=True, text=True)
    assert "hint, note (the step's notes), skip, quit" in result.stdout
