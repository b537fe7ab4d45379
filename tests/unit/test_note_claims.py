"""Every numeric claim a shipped note or description makes is true of its tape (issue 18 item 2).

One explicit assertion per claim, computed from the tape (a size, a ratio, "largest", "vanishes",
"≈ …"), next to the words it checks. A scenario whose notes change must change this file too:
``test_every_note_is_checked_here`` fails when a note's text is not the one checked below."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnnstep
from rnnstep.scenario import SCENARIO_DIR, VECTOR_SCENARIO_DIR


def tape(name: str):
    path = (VECTOR_SCENARIO_DIR if name.startswith("vector/") else SCENARIO_DIR) / (name.removeprefix("vector/") + ".toml")
    return rnnstep.build_tape(rnnstep.load_scenario(path))


def terms(t, param: str, target: int) -> dict[int, float]:
    """k -> term(param, target, k) of a scalar tape."""
    g = t.gradients[param]
    return {int(k): float(v) for tt, k, v in zip(g.t, g.k, g.value) if int(tt) == target}


def note(t, at: str) -> str:
    (text,) = [n.text for n in t.scenario.notes if n.at == at]
    return text


# ----------------------------------------------------------------------------- exploding-gradients

def test_exploding_gradients():
    t = tape("exploding-gradients")
    desc = " ".join(t.scenario.description.split())
    w, wp = terms(t, "w", 12), terms(t, "w_prime", 12)
    # title "(identity, w′ = 1.5)", description "over 12 steps"
    assert t.scenario.activation == "identity" and t.scenario.w_prime == 1.5 and t.T == 12
    fw = [float(v) * t.scenario.w_prime for v in t.f_prime]
    # "Each step back multiplies a path's chain by f′·w′ = 1.5"
    assert all(v == pytest.approx(1.5) for v in fw)
    # "the oldest chain is 1.5¹¹ ≈ 86 times the nearest one"
    assert "1.5¹¹ ≈ 86" in desc and round(1.5 ** 11) == 86
    # "the oldest term of ∂L/∂w is its largest"
    assert max(w, key=lambda k: abs(w[k])) == 1
    # "its terms stay between 2,000 and 3,300 and the oldest is 0 (O₀ = 0)"
    assert all(2000 <= abs(wp[k]) <= 3300 for k in range(2, 13))
    assert wp[1] == 0 and t.scenario.h0 == 0
    # "∂L/∂w′ … the oldest term is NOT its largest" (what the old note wrongly said)
    assert max(wp, key=lambda k: abs(wp[k])) != 1
    # "its immediate partial O_{k−1} shrinks going back about as fast as the chain grows"
    O = t.O_prev.tolist()
    for k in range(3, 13):
        assert O[k - 2] / O[k - 1] == pytest.approx(1 / 1.5, rel=0.35)
    # note at w′ term[12,1]: "the oldest path of ∂L/∂w′ adds 0", "between 2,000 and 3,300" (checked above)
    assert "adds 0" in note(t, "gradients.w_prime.term[12,1]")
    # note at w term[12,1]: "∂L/∂ŷ ≈ 70 times 1.5¹¹ ≈ 86 times x₁ = 1, about 6,000 — the nearest is 7"
    assert float(t.dl_dyhat[0]) == pytest.approx(70, rel=0.01)
    assert float(t.x[0]) == 1
    assert w[1] == pytest.approx(6000, rel=0.02)
    assert round(w[12]) == 7
    # note at the update: "The step −η·∂L/∂w′ is about −330"
    u = t.updates["w_prime"]
    assert -t.scenario.learning_rate * u.grad == pytest.approx(-330, rel=0.01)
    # "One update with η = 0.01 overshoots badly"
    assert t.scenario.learning_rate == 0.01 and abs(u.new) > 100


def test_exploding_gradients_clipped():
    t = tape("exploding-gradients-clipped")
    u = t.updates["w_prime"]
    # "∂L/∂w′ ≈ 33,000 is clipped to 5 before the update"
    assert u.grad == pytest.approx(33000, rel=0.01) and t.scenario.clip == 5 and u.clipped == 5
    # "so w′ moves by only η·5 = 0.05"
    assert u.old - u.new == pytest.approx(0.05)
    # "the terms and totals are the same huge numbers" as the unclipped scenario
    plain = tape("exploding-gradients")
    for p in t.gradients:
        assert np.allclose(t.gradients[p].value, plain.gradients[p].value)


# ----------------------------------------------------------------------------- vanishing-gradients

def test_vanishing_gradients():
    t = tape("vanishing-gradients")
    # title "(sigmoid, T = 30)"
    assert t.scenario.activation == "sigmoid" and t.T == 30
    w = terms(t, "w", 30)
    # "σ′ is at most 0.25, so each step back multiplies the path by f′(a_j)·w′ ≤ 0.25·w′"
    assert t.scenario.activation == "sigmoid" and float(np.max(t.f_prime)) <= 0.25
    # "the terms of ∂L/∂w shrink geometrically (each also carries its own input x_k)": term ÷ x_k falls
    # by at least 0.25·w′ per step back
    x = t.x.tolist()
    for k in range(1, 30):
        assert abs(w[k] / x[k - 1]) <= 0.25 * t.scenario.w_prime * abs(w[k + 1] / x[k])
    # "the early inputs barely move the gradient": the ten oldest terms together are < 1e-9 of the total
    assert sum(abs(w[k]) for k in range(1, 11)) < 1e-9 * abs(t.gradients["w"].total)
    # note at term[30,30]: "about 2e-2"
    assert abs(w[30]) == pytest.approx(2e-2, rel=0.25)
    # note at term[30,23]: "Seven steps back, the path has fallen below 1e-6"
    assert 30 - 23 == 7 and abs(w[23]) < 1e-6
    # note at term[30,1]: "about 4e-22"
    assert abs(w[1]) == pytest.approx(4e-22, rel=0.1)


# ----------------------------------------------------------------------------- relu-dead-step

def test_relu_dead_step():
    t = tape("relu-dead-step")
    # "pre-activation is negative at step 2: O₂ = 0 and f′(a₂) = 0"
    assert t.a[1] < 0 and t.O[1] == 0 and t.f_prime[1] == 0
    # "Every path that passes back through step 2 is multiplied by that zero, so all the older terms vanish"
    for p in ("w_prime", "w", "b"):
        assert terms(t, p, 4)[1] == 0
    # note at w term[4,2]: "The immediate partial f′(a₂)·x₂ is 0"; at w term[4,1]: "… it is 0 too"
    w = terms(t, "w", 4)
    assert w[2] == 0 and w[1] == 0
    # "however large the rest": the rest of the path is not zero
    assert w[4] != 0 and w[3] != 0


# ----------------------------------------------------------------------------- target-every-step

def test_target_every_step():
    t = tape("target-every-step")
    # "∂L/∂w′ has 1 + 2 + 3 + 4 = 10 terms"
    assert len(t.gradients["w_prime"]) == 10
    # "L = Σ ℓ_t"
    assert t.loss == pytest.approx(float(np.sum(t.losses)))
    # note at term[1,1]: "with O₀ = 0 it adds nothing to ∂L/∂w′"
    assert terms(t, "w_prime", 1)[1] == 0


# ----------------------------------------------------------------------------- truncated-bptt

def test_truncated_bptt():
    t = tape("truncated-bptt")
    g = t.gradients["w_prime"]
    i = next(i for i in range(len(g)) if int(g.t[i]) == 4 and int(g.k[i]) == 2)
    # "t − k = 2 ≥ K: this path is truncated … the running sum does not change"
    assert t.scenario.truncate == 2 and bool(g.truncated[i])
    assert g.running_sum[i] == g.running_sum[i - 1]
    # "The notes' four steps again": the same network and data as notes-four-steps
    notes = tape("notes-four-steps").scenario
    assert t.scenario.weights() == notes.weights() and t.scenario.x == notes.x and t.scenario.y == notes.y
    assert t.scenario.learning_rate == notes.learning_rate and notes.truncate is None


# ----------------------------------------------------------------------------- binary-classification

def test_binary_classification():
    t = tape("binary-classification")
    # "∂L/∂ŷ × ∂ŷ/∂z collapses to ŷ − y"
    assert float(t.dl_dyhat[0] * t.g_prime[0]) == pytest.approx(float(t.yhat[0] - t.y[0]))


# ----------------------------------------------------------------------------- the notes' four steps

def test_notes_four_steps_claims():
    from rnnstep.verify import verify

    # "`rnnstep verify` finds every one right"
    assert all(r.verdict == "right" for r in verify(tape("notes-four-steps-claims")).results)
    # "The lecture notes' network": the same numbers as notes-four-steps
    a, b = tape("notes-four-steps-claims").scenario, tape("notes-four-steps").scenario
    assert a.weights() == b.weights() and a.x == b.x and a.y == b.y


def test_notes_four_steps():
    t = tape("notes-four-steps")
    # "one tanh unit unrolled over four steps, one target at the last step … a sum of four path products"
    assert t.scenario.activation == "tanh" and t.T == 4 and t.single_target
    assert len(t.gradients["w"]) == 4
    # note at O[1]: "O₀ = 0, so the recurrent part w′·O₀ vanishes"
    assert t.scenario.h0 == 0
    # note at w′ term[4,1]: "adds nothing to ∂L/∂w′"; at w term[4,1]: "∂⁺O₁/∂w = f′(a₁)·x₁ is not zero"
    assert terms(t, "w_prime", 4)[1] == 0
    assert t.f_prime[0] * t.x[0] != 0 and terms(t, "w", 4)[1] != 0


def test_worked_example_slip():
    from rnnstep.verify import verify

    t = tape("worked-example-slip")
    # "one slip planted early in the forward pass … `rnnstep verify` names the slip and shows which numbers only
    # follow from it"; "(ŷ₄ = O₄ with w_out = 1, tanh′ as 1 − O²)"
    report = verify(t)
    assert [r.id for r in report.slips] == ["forward.O[2]"]
    assert all(r.verdict in ("follows", "right", "rounding") for r in report.results if r.id != "forward.O[2]")
    assert any(r.verdict == "follows" for r in report.results)
    assert t.scenario.w_out == 1 and t.scenario.b_out == 0 and t.scenario.output_activation == "identity"
    # "O₂ = tanh(1.242) is miscopied as 0.8338 (it is 0.8461)"
    assert float(t.a[1]) == pytest.approx(1.242, abs=5e-4)
    assert float(t.O[1]) == pytest.approx(0.8461, abs=5e-5)


# ----------------------------------------------------------------------------- vector scenarios

def _rotation(t):
    W = np.asarray(t.scenario.w_prime, dtype=float)
    eig = np.linalg.eigvals(W)
    return W, float(np.max(np.abs(eig))), float(np.max(np.abs(np.degrees(np.angle(eig)))))


@pytest.mark.parametrize("name, radius, power", [("vector/exploding-vector", 1.35, 27),
                                                  ("vector/vanishing-vector", 0.6, 0.004)])
def test_rotation_scenarios(name, radius, power):
    t = tape(name)
    W, rho, angle = _rotation(t)
    # "every Jacobian ∂O_j/∂O_{j−1} is exactly W′" (a linear unit)
    assert t.scenario.activation == "identity"
    # "a rotation by about 29° scaled by …, spectral radius …"
    assert angle == pytest.approx(29, abs=0.5) and rho == pytest.approx(radius, abs=0.005)
    assert np.allclose(W @ W.T, rho ** 2 * np.eye(2), atol=1e-3)
    # note at term[12,12]: "one more factor W′, whose spectral norm is …"
    assert float(np.linalg.norm(W, 2)) == pytest.approx(radius, abs=0.005)
    # note at term[12,1]: "‖W′¹¹‖ = …¹¹ ≈ …"
    assert float(np.linalg.norm(np.linalg.matrix_power(W, 11), 2)) == pytest.approx(power, rel=0.1)
    assert radius ** 11 == pytest.approx(power, rel=0.1)
    # "‖δ(12,k)‖ grows (shrinks) like radius^(12−k)"
    norms = {k: float(np.linalg.norm(t.value(f"gradients.w.delta[12,{k}]"))) for k in range(1, 13)}
    for k in range(1, 12):
        assert norms[k] / norms[k + 1] == pytest.approx(radius, rel=0.01)


def test_exploding_vector_earliest_inputs_dominate():
    t = tape("vector/exploding-vector")
    sizes = {k: float(np.linalg.norm(t.value(f"gradients.w.term[12,{k}]"))) for k in range(1, 13)}
    # "the earliest inputs dominate ∂L/∂W": the largest terms are the oldest ones
    assert max(sizes, key=sizes.get) <= 2


def test_vanishing_vector_early_inputs_hardly_reach():
    t = tape("vector/vanishing-vector")
    sizes = {k: float(np.linalg.norm(t.value(f"gradients.w.term[12,{k}]"))) for k in range(1, 13)}
    # "the early inputs hardly reach ∂L/∂W"
    assert sizes[1] < 0.01 * sizes[12]


def test_hello_char_rnn():
    t = tape("vector/hello-char-rnn")
    # "three hidden tanh units, and a softmax over the four characters at every step, trained with cross-entropy"
    assert t.scenario.sizes[0] == 3 and t.q == 4 and t.scenario.activation == "tanh"
    assert t.scenario.output_activation == "softmax" and t.scenario.loss == "cross_entropy" and not t.single_target
    yhat = np.asarray(t.yhat[0], dtype=float)
    # note at yhat[1]: "at the start every character is about equally likely"
    assert np.all(np.abs(yhat - 0.25) < 0.05)
    # note at w_out term[4] and the description: "∂ℓ₄/∂z₄ = ŷ₄ − y₄"
    i = t.target_position[4]
    chain = np.asarray(t.dl_dyhat[i]) @ np.asarray(t.value("gradients.w_out.factor[4,2]"))
    assert np.allclose(chain, np.asarray(t.yhat[i]) - np.asarray(t.y[i]))
    # note at w′ term[4,1]: "every term (t,1) of ∂L/∂W′ is the zero matrix"
    for target in range(1, 5):
        assert not np.any(t.value(f"gradients.w_prime.term[{target},1]"))


def test_notes_hidden_two():
    t = tape("vector/notes-hidden-two")
    # title "a hidden vector of size 2"; "w is a 2×1 column W, w′ a 2×2 matrix W′"
    assert t.scenario.sizes[:2] == (2, 1)
    # "the same inputs and target" as the notes' network
    notes = tape("notes-four-steps")
    assert np.allclose(np.ravel(t.x), notes.x) and np.allclose(np.ravel(t.y), notes.y)
    # note at w′ term[4,1]: "the outer product δ(4,1)ᵀ·O₀ᵀ is the zero matrix"
    assert not np.any(t.value("gradients.w_prime.term[4,1]"))
    # note at w′ term[4,3]: "every row a multiple of O₂"
    term, O2 = np.asarray(t.value("gradients.w_prime.term[4,3]")), np.asarray(t.O[1])
    for row in term:
        assert abs(row[0] * O2[1] - row[1] * O2[0]) < 1e-12


def test_worked_example_hidden_two():
    from rnnstep.verify import verify

    t = tape("vector/worked-example-hidden-two")
    # "One slip is planted early in the forward pass: O₂[1] … miscopied"; verify "names the slip"
    assert [r.id for r in verify(t).slips] == ["forward.O[2][1]"]
    # note at O[2]: "tanh(0.169148) = 0.167553, i.e. 0.1676 to four digits"
    assert float(np.asarray(t.a[1])[0]) == pytest.approx(0.169148, abs=5e-7)
    assert float(np.asarray(t.O[1])[0]) == pytest.approx(0.167553, abs=5e-7)
    assert math.isclose(round(float(np.asarray(t.O[1])[0]), 4), 0.1676)


CHECKED = {  # the notes whose claims are asserted above, by scenario: a changed note must be re-checked
    "exploding-gradients": 3, "exploding-gradients-clipped": 1, "vanishing-gradients": 3, "relu-dead-step": 3,
    "target-every-step": 2, "truncated-bptt": 1, "binary-classification": 1, "notes-four-steps": 7,
    "vector/exploding-vector": 2, "vector/vanishing-vector": 2, "vector/hello-char-rnn": 3,
    "vector/notes-hidden-two": 4, "vector/worked-example-hidden-two": 1,
    # the training methods' scenarios (SPEC §9): their notes' numbers are asserted in test_method_scenarios.py
    "tbptt-detach": 2, "randomized-truncation": 2, "rtrl-vs-bptt": 2, "vector/clip-norm-vs-value": 2,
}


def test_every_note_is_checked_here():
    from rnnstep.scenario import shipped_scenarios, shipped_vector_scenarios

    names = [p.stem for p in shipped_scenarios()] + ["vector/" + p.stem for p in shipped_vector_scenarios()]
    for name in names:
        count = len(tape(name).scenario.notes)
        assert count == CHECKED.get(name, 0), f"{name}: {count} notes, {CHECKED.get(name, 0)} checked here"
