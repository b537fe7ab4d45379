"""The shipped LSTM and GRU scenarios (SPEC §8): every number a note states is the tape's, the
worked examples' claims verify, and the GRU's numbers are torch's."""

from __future__ import annotations

import numpy as np
import pytest

from rnnstep import build_tape, load_scenario
from rnnstep.cli import main
from rnnstep.scenario import shipped_gated_scenarios
from rnnstep.verify import verify

NAMES = ["gru-carry", "gru-two-steps", "lstm-forgets", "lstm-remembers", "lstm-rtrl", "lstm-tbptt-detach",
         "lstm-two-steps-by-hand"]


def _tape(name):
    return build_tape(load_scenario(name))


def _share(table, i) -> float:
    """The carry's fraction of ‖term‖ (the same input on both sides): ‖carry‖/‖δ‖."""
    return float(np.linalg.norm(table.carry(i)) / np.linalg.norm(table.delta(i)))


def _sig(value: float, digits: int) -> str:
    return f"{value:.{digits}g}".replace("e-0", "e-")  # 3.51e-5, as the screen and the notes write it


def _note(tape, at: str) -> str:
    return next(n.text for n in tape.scenario.notes if n.at == at)


def test_every_gated_scenario_is_shipped_listed_and_checks(capsys):
    assert [p.stem for p in shipped_gated_scenarios()] == NAMES
    assert main(["scenarios"]) == 0
    listed = capsys.readouterr().out
    for name in NAMES:
        assert name in listed
        assert main(["check", name]) == 0
    capsys.readouterr()


def test_lstm_remembers_notes():
    tape = _tape("lstm-remembers")
    b = tape.gradients["b"]
    f = tape.gates["f"][:, 0]
    assert _sig(f.min(), 3) == _sig(f.max(), 3) == "0.993"
    assert _sig(tape.c[39, 0], 3) == "0.533" and _sig(tape.c[0, 0], 3) == "0.671" and "0.533" in _note(tape, "forward.c[40]")
    # the notes say ‖carry‖/‖term‖ as the step prints it (3 digits), never a "%" that reads as a share adding
    # up with the rest's (carry + rest = term as vectors: their norms do not add)
    nearest = _note(tape, "gradients.b.term[40,40]")
    rest = float(np.linalg.norm(b.rest(b.index_of(40, 40))) / np.linalg.norm(b.delta(b.index_of(40, 40))))
    assert f"‖carry‖/‖term‖ = {_sig(_share(b, b.index_of(40, 40)), 3)} and" in nearest
    assert f"‖rest‖ is {_sig(rest, 3)} of ‖term‖, more than the carry" in nearest and rest > _share(b, b.index_of(40, 40))
    assert "%" not in nearest and "%" not in _note(tape, "gradients.b.term[40,39]")
    assert tape.gates["o"][39, 0] > 0 and b.carry(b.index_of(40, 40))[3] == 0  # the o row of a carry share
    assert f"‖carry‖/‖term‖ = {_sig(_share(b, b.index_of(40, 39)), 3)}:" in _note(tape, "gradients.b.term[40,39]")
    oldest = b.index_of(40, 1)
    assert _sig(np.linalg.norm(b.delta(oldest)), 3) == "0.115"
    assert _sig(np.linalg.norm(b.carry(oldest)), 3) == "0.112"
    assert f"‖carry‖/‖term‖ = {_sig(_share(b, oldest), 3)}." in _note(tape, "gradients.b.term[40,1]")
    assert "‖term‖ = 0.115 and ‖carry term‖ = 0.112" in _note(tape, "gradients.b.term[40,1]")
    assert _sig(tape.carry_factor(40, 1)[0], 3) == "0.771"
    plain = _tape("vanishing-gradients")
    assert _sig(abs(plain.value("gradients.w.term[30,1]")), 1) == "4e-22"


def test_lstm_tbptt_detach_notes():
    from rnnstep.notation import fmt

    tape = _tape("lstm-tbptt-detach")
    s, desc = tape.scenario, " ".join(tape.scenario.description.split())
    # "One LSTM unit over 8 steps with a target at every step", "every K = 4 steps: TBPTT(k1 = 4, k2 = 4)"
    assert (s.cell, s.sizes, s.T, s.method, s.k1, s.k2) == ("lstm", (1, 1, 1), 8, "tbptt", 4, 4)
    assert s.target_at_every_step and "over 8 steps" in desc and "K = 4" in desc
    # "The forget gate sits near 1 (its bias is 3)": b's f row; "most of a term from an early step reaches
    # a late target through the cell state c": the oldest term of the last target is mostly carry
    assert tape.weights["b"][1] == 3.0 and "its bias is 3" in desc
    b = tape.gradients["b"]
    assert _share(b, b.index_of(8, 1)) > 0.5
    # note at chunk[2].forward.c[5]: the carried state, and c₅ on the updated weights vs full BPTT's
    first, second = tape.chunks
    text = _note(tape, "chunk[2].forward.c[5]")
    run = second.run
    assert run["forward"].c_prev[4, 0] == run["c"][3, 0] == tape.c[3, 0]  # detach keeps the value of c₄
    assert f"c₄ = {fmt(tape.c[3, 0])}, O₄ = {fmt(tape.O[3, 0])}" in text
    assert not np.allclose(first.updates["w"].old, first.updates["w"].new)  # chunk 2 runs on new weights
    assert f"c₅ = {fmt(run['c'][4, 0])} here, where full BPTT on the starting weights has {fmt(tape.c[4, 0])}" in text
    # note at chunk[2].gradients.b.term[5,5]: what detach throws away, on the starting weights (full BPTT's terms)
    text = _note(tape, "chunk[2].gradients.b.term[5,5]")
    thrown = [i for i in range(len(b)) if b.t[i] >= 5 and b.k[i] <= 4]
    assert len(thrown) == 16 and "the 16 terms with t ≥ 5 and k ≤ 4" in text
    gone = sum(b.term(i) for i in thrown)
    carried = sum(b.carry(i) for i in thrown)
    kept = second.gradients["b"]
    assert [int(k) for t, k in zip(kept.t, kept.k) if t == 5] == [5] and min(kept.k) == 5  # "stop at k = 5"
    assert f"add up to {fmt(gone[2])} in the g row of ∂L/∂b (full BPTT's whole g row is {fmt(b.total[2])})" in text
    assert f"and {fmt(carried[2])} of that, {round(100 * carried[2] / gone[2])} %, is their carry share" in text
    f = tape.gates["f"][:, 0]
    assert round(float(f.mean()), 3) == 0.955 and np.all(abs(f - 0.955) < 0.005) and "f ≈ 0.955" in text


def test_lstm_forgets_notes():
    tape = _tape("lstm-forgets")
    b = tape.gradients["b"]
    assert _sig(tape.gates["f"][19, 0], 2) == "4.6e-5"
    # aᶠ₂₀ as the screen shows it, W′·O₁₉ included: b_f + w_f·x₂₀ + w′_f·O₁₉ from the file's numbers
    a_f = 5.0 + 15.0 * -1.0 + 0.02 * float(tape.O[18, 0])
    assert a_f == pytest.approx(float(tape.a[19, 1]), rel=1e-12)
    note = _note(tape, "forward.gate.f[20]")
    assert note.startswith(f"x₂₀ = −1 gives aᶠ₂₀ = 5 − 15 + 0.02·O₁₉ = {_sig(a_f, 6).replace('-', '−')} "
                           f"(O₁₉ = {_sig(float(tape.O[18, 0]), 6)}): f₂₀ = 4.6e-5."), note
    assert "−10" not in note and "= −10" not in tape.scenario.description
    assert f"≈ {_sig(a_f, 3).replace('-', '−')} and f₂₀ closes" in " ".join(tape.scenario.description.split())
    assert f"{tape.c[19, 0]:.3g}" == "-0.000229" and _sig(tape.c[18, 0], 3) == "0.603"
    assert _sig(tape.carry_factor(40, 20)[0], 3) == "0.874"
    assert _note(tape, "gradients.b.term[40,20]").endswith(f"‖carry‖/‖term‖ = {_sig(_share(b, b.index_of(40, 20)), 3)}.")
    assert _sig(tape.carry_factor(40, 19)[0], 2) == "4e-5"
    assert _sig(np.linalg.norm(b.delta(b.index_of(40, 1))), 2) == "1.2e-5"
    # the cut is exactly f₂₀: one step across it multiplies the carry product by f₂₀
    assert tape.carry_factor(40, 19)[0] == pytest.approx(tape.carry_factor(40, 20)[0] * tape.gates["f"][19, 0], rel=1e-12)


def test_gru_carry_notes():
    tape = _tape("gru-carry")
    b = tape.gradients["b"]
    assert _sig(tape.gates["u"][11, 0], 2) == "0.0073" and _sig(tape.O[11, 0], 3) == "0.967"
    assert _sig(tape.carry_factor(20, 12)[0], 3) == "0.952"
    assert _note(tape, "gradients.b.term[20,12]").startswith(f"‖carry‖/‖term‖ = {_sig(_share(b, b.index_of(20, 12)), 3)}:")
    # issue (gatedscreen 8): crossing step 12 cuts the whole term, not the carry alone: ‖term‖ falls with
    # ∏ u_j, and of what is left ‖carry‖/‖term‖ (what the step prints) is still about two thirds
    crossed = _note(tape, "gradients.b.term[20,11]")
    at_12, at_11 = (float(np.linalg.norm(b.delta(b.index_of(20, k)))) for k in (12, 11))
    J12 = float(tape.backprop_jacobian(12)[0, 0])
    assert f"falls to {_sig(tape.carry_factor(20, 11)[0], 3)}" in crossed
    assert f"(‖term‖ = {_sig(at_11, 3)}, from {_sig(at_12, 2)} at k = 12)" in crossed and at_11 < at_12 / 100
    assert f"J₁₂ = {_sig(J12, 3)}" in crossed and J12 < 2 * tape.gates["u"][11, 0]  # the gates pass little more
    assert crossed.endswith(f"‖carry‖/‖term‖ = {_sig(_share(b, b.index_of(20, 11)), 3)}.")
    assert "resets" not in tape.scenario.description and "nearly whole" not in tape.scenario.description
    desc = " ".join(tape.scenario.description.split())
    assert all(_share(b, b.index_of(20, k)) >= 0.99 for k in range(12, 21)) and "‖carry‖/‖term‖ stays 0.99 down to k = 12" in desc
    assert f"J₁₂ = {_sig(J12, 3)}: u₁₂ = {_sig(tape.gates['u'][11, 0], 2)}" in desc
    assert f"‖term‖ falls from {_sig(at_12, 2)} to {_sig(at_11, 3)}" in desc
    assert f"of what is left ‖carry‖/‖term‖ is still {_sig(_share(b, b.index_of(20, 11)), 3)}" in desc
    oldest = b.index_of(20, 1)
    assert _sig(tape.carry_factor(20, 1)[0], 2) == "0.0066"
    assert round(3 * np.linalg.norm(b.rest(oldest)) / np.linalg.norm(b.delta(oldest))) == 1  # "a third"
    assert "has ‖rest‖ a third of ‖term‖" in _note(tape, "gradients.b.term[20,1]")


def test_the_two_step_lstms_claims_verify_and_its_notes_hold():
    tape = _tape("lstm-two-steps-by-hand")
    report = verify(tape)
    assert report.ok
    assert {r.id for r in report.results if r.verdict == "rounding"} == {"forward.c[1][1]", "forward.O[2][1]"}
    i, g = tape.gates["i"][0, 0], tape.gates["g"][0, 0]
    assert _sig(round(i, 5) * round(g, 5), 5) == "0.78572"
    assert f"{tape.O[1, 0]:.6f}" == "0.771981" and f"{tape.c[0, 0]:.6f}" == "0.785726"
    assert f"{tape.gates['f'][1, 0]:.5f}" == "0.87030"


def test_the_two_step_grus_numbers_are_torchs():
    torch = pytest.importorskip("torch")
    tape = _tape("gru-two-steps")
    assert verify(tape).ok
    s = tape.scenario
    gru = torch.nn.GRU(2, 1).double()
    with torch.no_grad():
        for name, value in (("weight_ih_l0", s.w), ("weight_hh_l0", s.w_prime), ("bias_ih_l0", s.b), ("bias_hh_l0", s.b_prime)):
            getattr(gru, name).copy_(torch.tensor(value, dtype=torch.float64))
    out, _ = gru(torch.tensor(s.x, dtype=torch.float64))
    (0.5 * ((out[:, 0] - torch.tensor([0.5, 1.25], dtype=torch.float64)) ** 2).sum()).backward()
    for claim in s.claims:  # every claim, to its printed digits, is torch's number
        if claim.id.startswith("gradients."):
            param = claim.id.split(".")[1]
            torch_name = {"w": "weight_ih_l0", "w_prime": "weight_hh_l0", "b": "bias_ih_l0", "b_prime": "bias_hh_l0"}[param]
            index = tuple(int(c) - 1 for c in claim.id.rsplit("[", 1)[1].rstrip("]").split(","))
            grad = getattr(gru, torch_name).grad.numpy()
            true = float(grad[index] if len(index) == grad.ndim else grad.reshape(-1)[index[0]])
            assert _sig(true, len(claim.text.lstrip("-0.").replace(".", ""))) == _sig(claim.value, 9), claim.id
        elif claim.id.startswith("forward.O"):
            t = int(claim.id.split("[")[1].split("]")[0])
            assert float(out[t - 1, 0]) == pytest.approx(claim.value, abs=1e-4)
    # the notes' numbers
    assert f"{1 - tape.gates['u'][0, 0]:.5f}" == "0.62246" and f"{tape.O[0, 0]:.5f}" == "0.52541"
    b, bp = tape.gradients["b"], tape.gradients["b_prime"]
    i = b.index_of(2, 1)
    assert f"{b.delta(i)[2]:.5g}" == "-0.028548" and f"{bp.delta(i)[2]:.5g}" == "-0.024322"
    assert bp.delta(i)[2] == pytest.approx(b.delta(i)[2] * tape.gates["r"][0, 0], rel=1e-14)
    w = tape.gradients["w_prime"]
    assert f"{w.carry(i)[1]:.5g}" == "0.035899" and f"{w.rest(i)[1]:.5g}" == "-0.0042581"
    assert f"{tape.gates['u'][1, 0]:.5f}" == "0.35901"


def test_a_grus_nearest_term_is_all_carry_exactly():
    """SPEC §8: at k = t the GRU's carry route is all of δ, so rest(t,t) is 0 exactly (one target, and every
    step), not rounding between two orders of the same products."""
    import numpy as np

    for name in ("gru-carry", "gru-two-steps"):
        tape = build_tape(load_scenario(name))
        for param in ("w_prime", "w", "b", "b_prime"):
            table = tape.gradients[param]
            for t in (int(t) for t in tape.targets):
                i = table.index_of(t, t)
                assert np.array_equal(table.carry(i), table.delta(i)), (name, param, t)
                assert not np.any(table.rest(i)), (name, param, t)
