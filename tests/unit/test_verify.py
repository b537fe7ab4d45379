"""`rnnstep verify`: verdicts by printed digits, slips and what follows from them, formats, exit codes."""

from __future__ import annotations

import json

import pytest

import rnnstep
from rnnstep.cli import main
from rnnstep.scenario import SCENARIO_DIR, ScenarioError
from rnnstep.verify import agreeing_digits, printed_unit, verify

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
    assert len(wrong) >= 8
    assert all(report.roots[r.id] == ("forward.O[2]",) for r in wrong)
    assert report.summary.startswith(f"1 slip, at O₂; {len(wrong)} later numbers follow from it; 0 other errors")
    before = [r for r in report.results if r.step < tape.steps.index_of("forward.O[2]")]
    assert before and all(r.verdict in ("right", "rounding") for r in before)


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
        assert set(claim) == {"id", "symbol", "stated", "true", "digits", "verdict", "follows_from"}
        assert claim["verdict"] in ("right", "rounding", "slip", "follows")
    assert data["summary"]["slips"] == ["forward.O[2]"] and data["summary"]["ok"] is False


def test_exit_codes_and_markdown(capsys, tmp_path):
    assert main(["verify", str(SCENARIO_DIR / "notes-four-steps-claims.toml")]) == 0
    assert main(["verify", str(SCENARIO_DIR / "worked-example-slip.toml"), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert "# Corrections: A worked example with a slip" in out and "| O₂ | `forward.O[2]` | 0.8338 |" in out
    assert main(["verify", str(tmp_path / "missing.toml")]) == 2
    assert main(["verify", str(SCENARIO_DIR / "notes-four-steps.toml")]) == 0  # nothing claimed
    assert "no [claims]" in capsys.readouterr().out


def test_the_debugger_shows_claims_beside_true_values():
    from rnnstep.tui import navigation
    from rnnstep.tui.view import View, step_panel
    from test_view import text_of

    tape = rnnstep.build_tape(rnnstep.load_scenario(SCENARIO_DIR / "worked-example-slip.toml"))
    claims = navigation.claims_by_step(tape)
    text = text_of(step_panel(View(tape, 1, claims=claims)), 140)
    assert "O₂ = 0.8338  ✗ slip  true 0.84609" in text and "a₂ = 1.242  ✓ right" in text
