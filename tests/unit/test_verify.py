"""`rnnstep verify`: verdicts by printed digits, slips and what follows from them, formats, exit codes."""

from __future__ import annotations

import json
import math

import pytest

import rnnstep
from rnnstep.cli import main
from rnnstep.render.verify import report_json, report_markdown
from rnnstep.scenario import SCENARIO_DIR, ScenarioError
from rnnstep.verify import agreeing_digits, printed_unit, significant_digits, verify

BASE = """
title = "claims test"
[weights]
w = 0.8
w_prime = 0.6
b = 0.2
[data]
x = [0.5, 0.9, -0.4, 0.7]
y = 0.5
"""


def tape_with(claims: str):
    return rnnstep.build_tape(rnnstep.load_scenario(BASE + "[claims]\n" + claims))


def true(vid: str) -> float:
    return rnnstep.build_tape(rnnstep.load_scenario(BASE)).value(vid)


def test_printed_unit_and_digits():
    assert printed_unit("0.7790") == pytest.approx(1e-4)
    assert printed_unit("2.5e-3") == pytest.approx(1e-4)
    assert printed_unit("-12") == 1 and printed_unit("1.5E2") == pytest.approx(10)
    assert agreeing_digits(0.7790, 0.780329) == 2
    assert agreeing_digits(0.780329, 0.780329) == 17


@pytest.mark.parametrize("text,true_value,digits", [
    ("0.1867", 0.18667, 4),  # correctly rounded to all 4 printed digits
    ("0.1866", 0.18667, 3),  # off by one in the last digit: right to 3
    ("0.6", 0.6 + 1e-16, 1),  # an exact match shows the printed digits, not 15 or 17
    ("0.8338", 0.84609, 1),
    ("0.1000", 0.0999996, 4),  # across a power of ten
    ("-0.02282", -0.0227128, 2),
    ("0", 0.0, 1),
])
def test_digits_count_the_significant_digits_the_stated_number_is_correctly_rounded_to(text, true_value, digits):
    assert agreeing_digits(float(text), true_value, significant_digits(text)) == digits


def test_the_digits_column_of_the_careful_student():
    report = verify(rnnstep.build_tape(rnnstep.load_scenario(SCENARIO_DIR / "notes-four-steps-claims.toml")))
    by_id = {r.id: r for r in report.results}
    assert by_id["forward.O[2]"].stated_text == "0.1487" and by_id["forward.O[2]"].digits == 4
    assert by_id["forward.a[1]"].stated_text == "0.55" and by_id["forward.a[1]"].digits == 2  # exact


@pytest.mark.parametrize("offset_units,verdict", [(0.0, "right"), (0.4, "right"), (1.0, "rounding"),
                                                   (-1.0, "rounding"), (3.0, "slip")])
def test_verdict_by_printed_digits(offset_units, verdict):
    O1 = true("forward.O[1]")
    stated = f"{round(O1, 4) + offset_units * 1e-4:.4f}"
    [result] = verify(tape_with(f'"forward.O[1]" = "{stated}"\n')).results
    assert result.verdict == verdict, (stated, O1)


def test_string_claims_keep_their_digits_float_claims_use_their_shortest_form():
    O1 = true("forward.O[1]")  # 0.537049…
    # "0.54" is right to two decimals; 0.54 as a float is read as "0.54" too; "0.5400" is wrong to four
    assert verify(tape_with('"forward.O[1]" = "0.54"\n')).results[0].verdict == "right"
    assert verify(tape_with('"forward.O[1]" = 0.54\n')).results[0].verdict == "right"
    assert verify(tape_with('"forward.O[1]" = "0.5400"\n')).results[0].verdict == "slip"
    assert round(O1, 2) == 0.54


def test_the_shipped_slip_example_has_one_slip_and_everything_wrong_follows_from_it():
    tape = rnnstep.build_tape(rnnstep.load_scenario(SCENARIO_DIR / "worked-example-slip.toml"))
    report = verify(tape)
    assert [r.id for r in report.slips] == ["forward.O[2]"]
    wrong = [r for r in report.results if r.wrong and r.verdict != "slip"]
    assert len(wrong) >= 16
    assert all(report.roots[r.id] == ("forward.O[2]",) for r in wrong)
    assert report.summary == f"1 slip, at O₂; {len(wrong)} later numbers follow from it; 0 other errors"
    before = [r for r in report.results if r.step < tape.steps.index_of("forward.O[2]")]
    assert before and all(r.verdict in ("right", "rounding") for r in before)
    # consistent with itself: ŷ₄ is O₄ (identity output, w_out = 1), and no right number lacks its inputs
    by_id = {r.id: r for r in report.results}
    assert by_id["outputs.yhat[4]"].stated == by_id["forward.O[4]"].stated
    assert by_id["outputs.yhat[4]"].follows_from == ("forward.O[4]",)
    assert not any(r.note for r in report.results)
    assert by_id["gradients.w.term[4,3]"].follows_from == ("backward.dL_da[3]",)  # worked as ∂L/∂a₃·x₃


def test_a_right_number_that_its_stated_inputs_do_not_give_is_right_with_a_note():
    tape = rnnstep.build_tape(rnnstep.load_scenario(BASE))
    O4, yhat4 = tape.value("forward.O[4]"), tape.value("outputs.yhat[4]")
    # O₄ miscopied, ŷ₄ copied from the right answer (identity output, w_out = 1: ŷ₄ should equal O₄)
    report = verify(tape_with(f'"forward.O[4]" = "{O4 - 0.0017:.4f}"\n"outputs.yhat[4]" = "{yhat4:.4f}"\n'))
    by_id = {r.id: r for r in report.results}
    assert by_id["forward.O[4]"].verdict == "slip"
    yhat = by_id["outputs.yhat[4]"]
    assert yhat.verdict == "right" and yhat.note.startswith("does not follow from the stated O₄")
    assert yhat.recomputed == pytest.approx(float(f"{O4 - 0.0017:.4f}"))
    assert report.summary.endswith("1 right number does not follow from the stated inputs")
    assert not report.ok  # the slip; the copied number itself is right
    data = json.loads(report_json(report))
    assert [c["note"] for c in data["claims"]] == ["", yhat.note]
    assert f"✓ right: {yhat.note}" in report_markdown(report)


def test_a_number_off_by_one_that_matches_the_authors_wrong_value_follows_not_rounding():
    tape = rnnstep.build_tape(rnnstep.load_scenario(BASE))
    # a₂ slightly wrong (a slip); O₂ = tanh of it is within one unit of the true O₂, and is the author's value
    a2 = tape.value("forward.a[2]")
    slipped = round(a2 + 0.0003, 4)
    O2_author = math.tanh(slipped)
    assert 0.5e-4 < abs(round(O2_author, 4) - tape.value("forward.O[2]")) <= 1.5e-4
    report = verify(tape_with(f'"forward.a[2]" = "{slipped:.4f}"\n"forward.O[2]" = "{O2_author:.4f}"\n'))
    by_id = {r.id: r for r in report.results}
    assert by_id["forward.a[2]"].verdict == "slip"
    assert by_id["forward.O[2]"].verdict == "follows" and by_id["forward.O[2]"].follows_from == ("forward.a[2]",)
    # the same number with the author's inputs right is only rounding
    alone = verify(tape_with(f'"forward.O[2]" = "{O2_author:.4f}"\n')).results[0]
    assert alone.verdict == "rounding"


# A realistic two-step walkthrough, worked by hand to four digits: O₂ = tanh(0.7796) = 0.6525 is
# miscopied as 0.6255. It skips z₂ (ŷ₂ = 1.5·O₂), 1 − O₂² and ∂O₂/∂O₁; everything after O₂ is
# worked from the printed numbers. Before the author's tape, verify called five of them slips.
WALKTHROUGH = """
title = "Two steps by hand"
[weights]
w = 0.5
w_prime = 0.8
b = 0.1
w_out = 1.5
[data]
x = [1.0, 0.5]
y = 1.0
[claims]
"forward.a[1]" = "0.6"
"forward.O[1]" = "0.537"
"forward.a[2]" = "0.7796"
"forward.O[2]" = "0.6255"
"outputs.yhat[2]" = "0.9382"
"loss" = "0.001910"
"gradients.w.factor[2,2,1]" = "-0.0618"
"gradients.w.factor[2,2,2]" = "1.5"
"gradients.w.factor[2,2,3]" = "0.3044"
"gradients.w.term[2,2]" = "-0.02822"
"gradients.w.factor[2,1,4]" = "0.7116"
"gradients.w.term[2,1]" = "-0.03213"
"gradients.w.total" = "-0.06035"
"update.w.new" = "0.5060"
"gradients.w_prime.term[2,2]" = "-0.03030"
"""


def test_a_walkthrough_that_skips_steps_has_one_slip_and_the_rest_follows():
    report = verify(rnnstep.build_tape(rnnstep.load_scenario(WALKTHROUGH)))
    by_id = {r.id: r for r in report.results}
    assert [r.id for r in report.slips] == ["forward.O[2]"]
    right = {"forward.a[1]", "forward.O[1]", "forward.a[2]", "gradients.w.factor[2,2,2]", "gradients.w.factor[2,1,4]"}
    assert {i for i, r in by_id.items() if r.verdict == "right"} == right
    follows = set(by_id) - right - {"forward.O[2]"}
    assert all(by_id[i].verdict == "follows" and report.roots[i] == ("forward.O[2]",) for i in follows)
    assert by_id["outputs.yhat[2]"].follows_from == ("forward.O[2]",)  # through the unstated z₂
    # ∂O₂/∂O₁ = (1 − O₂²)·w′ is never written: term [2,1] traces back through it to O₂ and the stated ∂L/∂ŷ
    assert by_id["gradients.w.term[2,1]"].follows_from == ("forward.O[2]", "gradients.w.factor[2,2,1]")
    assert report.summary == "1 slip, at O₂; 9 later numbers follow from it; 0 other errors"
    # ∂L/∂ŷ₂ stated once, as factor 1 of term [2,2] of ∂L/∂w, is the same number in every term through t = 2
    assert by_id["gradients.w_prime.term[2,2]"].follows_from[-1] == "gradients.w.factor[2,2,1]"


def test_the_careful_student_is_right_everywhere():
    report = verify(rnnstep.build_tape(rnnstep.load_scenario(SCENARIO_DIR / "notes-four-steps-claims.toml")))
    assert report.ok and len(report.results) > 20


def test_two_independent_slips_are_two():
    tape = rnnstep.build_tape(rnnstep.load_scenario(BASE))
    a2, O2 = tape.value("forward.a[2]"), tape.value("forward.O[2]")
    # slip 1: O₂ miscomputed; slip 2: ∂L/∂O₄ wrong although ŷ₄ is right
    claims = (f'"forward.a[2]" = "{a2:.4f}"\n"forward.O[2]" = "{O2 + 0.01:.4f}"\n'
              f'"outputs.yhat[4]" = "{tape.value("outputs.yhat[4]"):.4f}"\n'
              f'"backward.dL_dO[4]" = "{tape.value("backward.dL_dO[4]") * 2:.4f}"\n')
    report = verify(tape_with(claims))
    assert {r.id for r in report.slips} == {"forward.O[2]", "backward.dL_dO[4]"}
    assert report.summary.startswith("2 slips, at O₂, ∂L/∂O₄")


def test_a_term_follows_from_its_factors_or_from_dL_da():
    tape = rnnstep.build_tape(rnnstep.load_scenario(BASE))
    da = tape.value("backward.dL_da[3]") * 1.1  # wrong by 10%
    term = da * 0.9 * -0.4 / 0.9  # ∂L/∂a₃·x₃ computed from the wrong ∂L/∂a₃ (x₃ = −0.4)
    report = verify(tape_with(f'"backward.dL_da[3]" = "{da:.5g}"\n"gradients.w.term[4,3]" = "{term:.5g}"\n'))
    by_id = {r.id: r for r in report.results}
    assert by_id["backward.dL_da[3]"].verdict == "slip"
    assert by_id["gradients.w.term[4,3]"].verdict == "follows"
    assert by_id["gradients.w.term[4,3]"].follows_from == ("backward.dL_da[3]",)


@pytest.mark.parametrize("claim,words", [
    ('"forward.O[9]" = "0.1"', "outside 1…4"),
    ('"gradients.w.term[3,1]" = "0.1"', "must be the target step 4"),
    ('"forward.O[1]" = "zero"', "expected a number"),
    ('"forward.O[1]" = true', "expected a number"),
    ('"forward.O[1]" = "nan"', "finite"),
    ('"bogus" = "1"', "is not an id"),
])
def test_bad_claims_name_file_and_key(tmp_path, claim, words):
    path = tmp_path / "bad.toml"
    path.write_text(BASE + "[claims]\n" + claim + "\n")
    with pytest.raises(ScenarioError) as info:
        rnnstep.load_scenario(path)
    assert str(info.value).startswith(f"{path}: claims.") and words in str(info.value)


def test_json_is_as_documented(capsys):
    assert main(["verify", str(SCENARIO_DIR / "worked-example-slip.toml"), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "rnnstep-verify/1"
    assert set(data) == {"format", "scenario", "claims", "summary"}
    for claim in data["claims"]:
        assert set(claim) == {"id", "symbol", "stated", "true", "digits", "verdict", "follows_from", "note"}
        assert claim["verdict"] in ("right", "rounding", "slip", "follows")
    assert data["summary"]["slips"] == ["forward.O[2]"] and data["summary"]["ok"] is False


def test_exit_codes_and_markdown(capsys, tmp_path):
    assert main(["verify", str(SCENARIO_DIR / "notes-four-steps-claims.toml")]) == 0
    assert main(["verify", str(SCENARIO_DIR / "worked-example-slip.toml"), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert "# Corrections: A worked example with a slip" in out and "| O₂ | `forward.O[2]` | 0.8338 |" in out
    assert "| ✗ follows from O₂ |" in out and "follows: follows" not in out
    assert main(["verify", str(tmp_path / "missing.toml")]) == 2
    assert main(["verify", str(SCENARIO_DIR / "notes-four-steps.toml")]) == 0  # nothing claimed
    assert "no [claims]" in capsys.readouterr().out


def test_the_debugger_shows_claims_beside_true_values():
    from rnnstep import navigation
    from rnnstep.tui.view import View, step_panel
    from test_view import text_of

    tape = rnnstep.build_tape(rnnstep.load_scenario(SCENARIO_DIR / "worked-example-slip.toml"))
    claims = navigation.claims_by_step(tape)
    text = text_of(step_panel(View(tape, 1, claims=claims)), 140)
    assert "O₂ = 0.8338  ✗ slip  true 0.84609" in text and "a₂ = 1.242  ✓ right" in text
