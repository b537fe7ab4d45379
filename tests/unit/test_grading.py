"""Grading worked examples: Gradescope's results.json and `rnnstep grade`, with error carried forward.

The true values come from tests/reference.py (an independent forward pass); the
verdicts' rule is the markers' one: a slip scores 0, a number that follows from
it keeps its mark, an off-by-one in the last digit is right.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from rnnstep.scenario import SCENARIO_DIR

SLIP = SCENARIO_DIR / "worked-example-slip.toml"
HIDDEN = SCENARIO_DIR / "vector" / "worked-example-hidden-two.toml"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnstep", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def gradescope(path: Path, *extra: str) -> dict:
    out = run("verify", str(path), "--format", "gradescope", *extra)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_slip_scores_zero_and_what_follows_keeps_its_marks():
    results = gradescope(SLIP)
    tests = {t["name"].split("(")[-1].rstrip(")"): t for t in results["tests"]}
    # the true O₂ of the worked example, computed independently
    O = [0.0]
    for x in (0.5, 0.9, -0.4, 0.7):
        O.append(math.tanh(0.8 * x + 0.6 * O[-1] + 0.2))
    slip = tests["forward.O[2]"]
    assert slip["score"] == 0 and slip["max_score"] == 1
    assert "0.8338" in slip["output"] and f"{O[2]:.5f}" in slip["output"].replace("0.84609", "0.84609")
    assert "first appears here" in slip["output"]
    follows = tests["forward.a[3]"]  # a₃ = w·x₃ + w′·O₂ + b worked from the miscopied O₂: 0.3803
    assert abs((0.8 * -0.4 + 0.6 * 0.8338 + 0.2) - 0.3803) < 5e-5  # the stated a₃ does follow from the slip
    assert abs((0.8 * -0.4 + 0.6 * O[2] + 0.2) - 0.3803) > 1e-3  # and is not the true a₃
    assert follows["score"] == 1 and "error carried forward" in follows["output"] and "O₂" in follows["output"]
    assert tests["forward.O[1]"]["score"] == 1
    # one slip, every other claim right or carried forward: all marks but one
    assert results["score"] == len(results["tests"]) - 1
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    assert all(t["visibility"] == "visible" and set(t) >= {"name", "score", "max_score", "output"}
               for t in results["tests"])


def test_marks_by_id_and_kind(tmp_path):
    marks = tmp_path / "marks.toml"
    marks.write_text('default = 0.5\n[marks]\n"forward.O[2]" = 4\n"forward.a" = 2\n', encoding="utf-8")
    results = gradescope(SLIP, "--marks", str(marks))
    tests = {t["name"].split("(")[-1].rstrip(")"): t for t in results["tests"]}
    assert tests["forward.O[2]"]["max_score"] == 4 and tests["forward.O[2]"]["score"] == 0
    assert tests["forward.a[3]"]["max_score"] == 2 and tests["forward.a[3]"]["score"] == 2
    assert tests["forward.O[1]"]["max_score"] == 0.5
    assert results["score"] == pytest.approx(sum(t["max_score"] for t in results["tests"]) - 4)


@pytest.mark.parametrize("text, says", [
    ('[marks]\n"forward.O[9]" = 1\n', "no claim has this id"),
    ('[marks]\n"forward.O[2]" = -1\n', "expected a number of marks from 0"),
    ('[marks]\n"forward.O[2]" = "two"\n', "expected a number of marks from 0"),
    ('[marks]\n"nonsense" = 1\n', "expected a claim id"),
    ('points = 1\n', "unknown key"),
    ('[marks\n', "not a TOML marks file"),
])
def test_marks_file_mistakes_are_one_line(tmp_path, text, says):
    marks = tmp_path / "marks.toml"
    marks.write_text(text, encoding="utf-8")
    out = run("verify", str(SLIP), "--format", "gradescope", "--marks", str(marks))
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and says in out.stderr and str(marks) in out.stderr


def test_off_by_one_in_the_last_digit_is_right(tmp_path):
    O1 = math.tanh(0.8 * 0.5 + 0.2)  # 0.537050…: 0.5371 is one unit off in the 4th digit
    text = SLIP.read_text(encoding="utf-8").split("[claims]")[0] + '[claims]\n"forward.O[1]" = "0.5371"\n'
    path = tmp_path / "off.toml"
    path.write_text(text, encoding="utf-8")
    assert abs(round(O1, 4) - 0.5371) > 5e-5  # truly off by one, not right
    results = gradescope(path)
    assert results["score"] == 1 and "last digit" in results["tests"][0]["output"]


def test_a_whole_vector_claim_is_marked_by_its_entries():
    results = gradescope(HIDDEN)
    whole = [t for t in results["tests"] if t["name"].endswith("(forward.O[2])")]
    assert len(whole) == 1 and whole[0]["max_score"] == 1
    # the planted slip is in O₂[1] only: half of O₂'s two entries earn their marks
    assert whole[0]["score"] == 0.5 and "1 of 2 entries" in whole[0]["output"]


def _folder(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    good = SLIP.read_text(encoding="utf-8").split("[claims]")[1]
    O, lines = 0.0, ["[claims]"]  # ada works the forward pass right, to 6 digits, computed here
    for t, x in enumerate((0.5, 0.9, -0.4, 0.7), start=1):
        a = 0.8 * x + 0.6 * O + 0.2
        O = math.tanh(a)
        lines += [f'"forward.a[{t}]" = "{a:.6g}"', f'"forward.O[{t}]" = "{O:.6g}"']
    (subs / "ada.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (subs / "bob.toml").write_text("[claims]" + good, encoding="utf-8")  # the planted slip and its consequences
    (subs / "cy.csv").write_text('id,value\nforward.O[1],0.537\nforward.O[2],0.9000\n', encoding="utf-8")
    (subs / "dee.toml").write_text("[claims\nnot toml", encoding="utf-8")
    (subs / "eve.toml").write_text('[claims]\n"forward.O[77]" = "1"\n', encoding="utf-8")
    (subs / "fay.csv").write_text("forward.O[1],abc\n", encoding="utf-8")
    (subs / "notes.txt").write_text("not a submission", encoding="utf-8")
    return subs


def test_grade_a_folder_writes_a_class_csv_and_feedback(tmp_path):
    subs = _folder(tmp_path)
    out = run("grade", str(SLIP), str(subs), "-o", str(tmp_path / "grades"))
    assert out.returncode == 0, out.stderr
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "grades" / "grades.csv").open(encoding="utf-8"))}
    assert set(rows) == {"ada", "bob", "cy", "dee", "eve", "fay"}
    claims = len([c for c in rows["ada"] if c not in ("student", "score", "max_score", "error")])
    assert claims == len(tomllib.loads(SLIP.read_text(encoding="utf-8"))["claims"])
    assert rows["ada"]["score"] == "8" and rows["ada"]["max_score"] == str(claims)
    assert all(rows["ada"][f"forward.{v}[{t}]"] == "1" for v in "aO" for t in range(1, 5))
    assert rows["ada"]["loss"] == "0"  # not answered
    # bob made the planted slip: only O₂ loses its mark, its consequences are carried forward
    assert rows["bob"]["forward.O[2]"] == "0" and rows["bob"]["forward.a[3]"] == "1"
    assert rows["bob"]["score"] == str(claims - 1)
    # cy answered two of the questions: O₁ right, O₂ a slip, the rest not answered
    assert rows["cy"]["forward.O[1]"] == "1" and rows["cy"]["forward.O[2]"] == "0" and rows["cy"]["score"] == "1"
    for broken, says in (("dee", "TOML"), ("eve", "forward.O[77]"), ("fay", "expected a number")):
        assert rows[broken]["score"] == "" and says in rows[broken]["error"]
    feedback = (tmp_path / "grades" / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert "error carried forward" in feedback and "slip" in feedback
    assert "could not be graded" in (tmp_path / "grades" / "feedback" / "dee.md").read_text(encoding="utf-8")
    # never overwritten without --force
    again = run("grade", str(SLIP), str(subs), "-o", str(tmp_path / "grades"))
    assert again.returncode == 2 and "--force" in again.stderr
    assert run("grade", str(SLIP), str(subs), "-o", str(tmp_path / "grades"), "--force").returncode == 0


@pytest.mark.parametrize("args, says", [
    (["grade", str(SLIP), "/nonexistent-folder"], "no such folder"),
    (["verify", str(SLIP), "--marks", "x.toml"], "--marks goes with --format gradescope"),
])
def test_grade_usage_mistakes(args, says):
    out = run(*args)
    assert out.returncode == 2 and says in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_hostile_submissions_each_get_a_row_and_names_are_never_formulas(tmp_path):
    import os

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "A.toml").write_text('[claims]\n"forward.O[1]" = "0.537"\n', encoding="utf-8")
    (subs / "A.csv").write_text("forward.O[1],abc\n", encoding="utf-8")  # same stem: two students, two files
    (subs / '=HYPERLINK("x").csv').write_text("forward.O[1],0.537\n", encoding="utf-8")
    os.mkfifo(subs / "fifo.csv")  # never read (it would block), but a row says so
    (subs / "dir.toml").mkdir()
    out = run("grade", str(SLIP), str(subs), "-o", str(tmp_path / "g"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader((tmp_path / "g" / "grades.csv").open(encoding="utf-8")))
    students = [r[0] for r in rows[1:]]
    assert {"A.toml", "A.csv", "fifo", "dir"} <= set(students)
    assert "'=HYPERLINK(\"x\")" in students and not any(s.startswith(("=", "+", "@")) for s in students)
    errors = {r[0]: r[-1] for r in rows[1:]}
    assert "expected a .toml or .csv" in errors["fifo"] and "expected a .toml or .csv" in errors["dir"]
    feedback = {p.name for p in (tmp_path / "g" / "feedback").iterdir()}
    assert {"A.toml.md", "A.csv.md"} <= feedback


def test_marks_too_large_or_too_small_are_one_line(tmp_path):
    for text in ("default = 1e308\n", "default = 1e-320\n"):
        marks = tmp_path / "m.toml"
        marks.write_text(text, encoding="utf-8")
        out = run("verify", str(SLIP), "--format", "gradescope", "--marks", str(marks))
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
