"""The shipped hidden-vector scenarios (SPEC §7) say what they claim to show."""

import numpy as np
import pytest

import rnnstep
from rnnstep.check import check_tape
from rnnstep.cli import main
from rnnstep.scenario import shipped_vector_scenarios


def tape(name: str):
    return rnnstep.build_tape(rnnstep.load_scenario(name))  # shipped scenarios load by name


@pytest.mark.parametrize("path", shipped_vector_scenarios(), ids=lambda p: p.stem)
def test_vector_scenarios_load_check_and_trace(path, capsys):
    t = rnnstep.build_tape(rnnstep.load_scenario(path))
    assert t.vector and t.scenario.title and t.scenario.description
    assert all(row.ok for row in check_tape(t))
    for fmt in ("table", "json"):
        assert main(["trace", str(path), "--format", fmt]) == 0
    capsys.readouterr()
    assert {n.at for n in t.scenario.notes}  # each note points at a valid id (checked on load)


def test_hidden_size_two_is_the_notes_network_widened():
    t = tape("notes-hidden-two")
    assert t.scenario.sizes == (2, 1, 1) and t.T == 4 and t.scenario.targets == (4,)
    assert np.array_equal(t.value("gradients.w_prime.term[4,1]"), np.zeros((2, 2)))  # O₀ = 0
    term = t.value("gradients.w_prime.term[4,3]")
    assert np.linalg.matrix_rank(term) == 1


def test_hello_is_a_one_hot_character_model_with_softmax_at_every_step():
    t = tape("hello-char-rnn")
    s = t.scenario
    assert s.sizes == (3, 4, 4) and s.output_activation == "softmax" and s.loss == "cross_entropy"
    vocab = "helo"
    index = {ch: np.eye(4)[vocab.index(ch)] for ch in vocab}
    assert np.array_equal(t.x, np.array([index[c] for c in "hell"]))
    assert np.array_equal(t.y, np.array([index[c] for c in "ello"]))
    assert s.targets == (1, 2, 3, 4)
    # ∂ℓ/∂ŷ·∂ŷ/∂z multiplies out to ŷ − y for a one-hot y
    assert np.allclose(t.to_z, t.yhat - t.y, atol=1e-15)


@pytest.mark.parametrize("name,below", [("vanishing-vector", True), ("exploding-vector", False)])
def test_spectral_radius_sets_how_delta_scales_with_distance(name, below):
    t = tape(name)
    W_prime = np.array(t.scenario.w_prime)
    radius = max(abs(np.linalg.eigvals(W_prime)))
    assert (radius < 1) == below
    table = t.gradients["w"]
    T = t.T
    norms = [np.linalg.norm(table.delta(table.index_of(T, k))) for k in range(T, 0, -1)]
    ratios = np.array(norms[1:]) / np.array(norms[:-1])
    assert np.allclose(ratios, radius, rtol=1e-3)  # W′ is a scaled rotation: each step back scales δ by ρ
    assert all(np.isclose(t.jacobian_norm(j), radius, rtol=1e-3) for j in range(2, T + 1))


def test_the_pair_differs_only_in_w_prime_and_clip():
    a, b = (rnnstep.load_scenario(n) for n in ("vanishing-vector", "exploding-vector"))
    assert a.x == b.x and a.w == b.w and a.w_out == b.w_out and a.w_prime != b.w_prime
