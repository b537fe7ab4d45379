"""SPEC §9: the ways to train through time against implementations written here.

TBPTT against a chunk loop that multiplies each path's Jacobians out, and against the
PyTorch detach loop; RTRL's totals against BPTT's; randomized truncation's weights
against the coins drawn here, its totals against Σ weight·term and its mean over seeds
against full BPTT; clip by norm against the formula and torch's clip_grad_norm_.
"""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference import to_toml
from method_scenarios import SCALAR
from strategies import nets
from vector_scenarios import vector_toml
from rnnstep.ids import PARAMS, RECURRENT_PARAMS
from rnnstep.methods.randomized import draw_samples
from rnnstep.scenario import parse_scenario
from rnnstep.build import build_tape



def with_keys(text: str, **keys) -> str:
    """A scenario text whose last table is [train], with more keys in it."""
    return text + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in keys.items())


def tape_of(text: str, **keys):
    return build_tape(parse_scenario(with_keys(text, **keys)))


# ----------------------------------------------------------------------------- TBPTT

def _tanh_net(tape_scenario):
    a = tape_scenario.arrays()
    return {p: a[p].copy() for p in ("w", "w_prime", "b", "w_out", "b_out")}, a["h0"], a["x"], a["y"]


def naive_tbptt(scenario, k1: int, k2: int) -> list[dict]:
    """TBPTT(k1, k2) for tanh, identity output, half-squared loss: each term's Jacobians multiplied out."""
    W, h0, X, Y = _tanh_net(scenario)
    T, targets = scenario.T, list(scenario.targets)
    y_of = {t: Y[i] for i, t in enumerate(targets)}
    O = {0: h0}
    used = {}
    chunks = []
    for s in range(1, T + 1, k1):
        e = min(s + k1 - 1, T)
        for t in range(s, e + 1):
            used[t] = {p: v.copy() for p, v in W.items()}
            O[t] = np.tanh(W["w"] @ X[t - 1] + W["w_prime"] @ O[t - 1] + W["b"])
        grads = {p: np.zeros_like(v) for p, v in W.items()}
        lo = max(1, s - (k2 - k1))
        for t in [t for t in targets if s <= t <= e]:
            err = W["w_out"] @ O[t] + W["b_out"] - y_of[t]  # ∂ℓ/∂z for ½‖ŷ − y‖², identity output
            grads["w_out"] += np.outer(err, O[t])
            grads["b_out"] += err
            row = err @ W["w_out"]
            for k in range(t, lo - 1, -1):
                J = np.eye(len(h0))
                for j in range(t, k, -1):  # ∂O_j/∂O_{j−1} with the W′ step j was run with
                    J = J @ (np.diag(1 - O[j] ** 2) @ used[j]["w_prime"])
                d = (row @ J) * (1 - O[k] ** 2)
                grads["w_prime"] += np.outer(d, O[k - 1])
                grads["w"] += np.outer(d, X[k - 1])
                grads["b"] += d
        for p in W:
            W[p] = W[p] - scenario.learning_rate * grads[p]
        chunks.append(grads)
    return chunks


def _close(chunk, expected):
    for p in PARAMS:
        got = np.asarray(chunk.totals[p], dtype=float).reshape(np.shape(expected[p]))
        np.testing.assert_allclose(got, expected[p], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("k1,k2", [(1, 1), (2, 2), (2, 3), (3, 5), (3, 3), (4, 9)])
@pytest.mark.parametrize("every_step", [True, False])
def test_tbptt_scalar_matches_chunk_loop(k1, k2, every_step):
    text = SCALAR if every_step else SCALAR.replace("y = [0.2, -0.1, 0.4, 0.0, 0.3, -0.2, 0.1]", "y = 0.2")
    tape = tape_of(text, method="tbptt", k1=k1, k2=k2)
    expected = naive_tbptt(tape.scenario, k1, k2)
    assert len(tape.chunks) == len(expected) == -(-7 // k1)
    for chunk, grads in zip(tape.chunks, expected):
        _close(chunk, grads)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k1,k2", [(2, 2), (2, 4), (3, 4)])
def test_tbptt_vector_matches_chunk_loop(seed, k1, k2):
    text = vector_toml(n=3, m=2, q=2, T=8, every_step=seed % 2 == 0, seed=seed)
    tape = tape_of(text, method="tbptt", k1=k1, k2=k2)
    for chunk, grads in zip(tape.chunks, naive_tbptt(tape.scenario, k1, k2), strict=True):
        _close(chunk, grads)


def test_tbptt_reach_and_reason():
    tape = tape_of(SCALAR, method="tbptt", k1=3, k2=5)
    third = tape.chunks[1]  # steps 4 … 6
    assert (third.first, third.last, third.reach) == (4, 6, 2)
    assert third.reason == "before step 2: k2 = 5 steps back from step 6 reach steps 6…2"
    assert set(third.gradients["w"].k.tolist()) == {2, 3, 4, 5, 6}
    assert third.excluded() == [(4, 1, 1), (5, 1, 1), (6, 1, 1)]
    last = tape.chunks[2]  # step 7 alone: k2 − k1 = 2 steps into the chunk before
    assert (last.first, last.last, last.reach) == (7, 7, 5)
    assert last.reason == "before step 5: chunk 3's backward pass from its end (step 7) stops at step 5 = 7 − (k2 − k1)"


@pytest.mark.parametrize("k1,k2", [(4, 4), (3, 5), (2, 3)])
def test_tbptt_says_why_per_target_what_is_true_for_that_target(k1, k2):
    """Issue: at [5,5] of tbptt-detach (chunk 2 = steps 5–8) the screen said "k2 = 4 steps back from step 8
    reach steps 8…5", true of target 8 but not why target 5 loses [5,4] … [5,1]. A target before its
    chunk's end: the detached carried state (k1 = k2), or where the chunk's backward pass stops (k2 > k1)."""
    from rnnstep.methods.tbptt import left_out

    tape = tape_of(SCALAR, method="tbptt", k1=k1, k2=k2)
    checked = 0
    for chunk in tape.chunks:
        s, e = chunk.first, chunk.last
        reach = max(1, s - (k2 - k1))
        for t in range(s, e + 1):
            if reach == 1:
                assert chunk.reason_for(t) == "" and left_out(tape.scenario, t, 1) == ""
                continue
            if t == e and e - s + 1 == k1:  # the chunk's end: k2 steps back from it stop just before reach
                why = f"before step {reach}: k2 = {k2} steps back from step {e} reach steps {e}…{e - k2 + 1}"
                assert e - k2 + 1 == reach
            elif k1 == k2:
                why = f"before step {s}: the state carried into chunk {chunk.index} was detached there"
            else:
                why = (f"before step {reach}: chunk {chunk.index}'s backward pass from its end (step {e}) stops at "
                       f"step {reach} = {s} − (k2 − k1)")
            assert left_out(tape.scenario, t, reach - 1).endswith("): " + why), (t, left_out(tape.scenario, t, 1))
            assert t in chunk.targets and chunk.reason_for(t) == why  # every step is a target here
            assert (t, 1, reach - 1) in chunk.excluded()
            checked += 1
    assert checked


def test_tbptt_first_chunk_equals_bptt_on_its_steps():
    """k1 = k2 and the first chunk: the terms of its targets are full BPTT's (no earlier step to reach)."""
    tape = tape_of(SCALAR, method="tbptt", k1=3)
    full = tape.gradients["w"]
    chunk = tape.chunks[0].gradients["w"]
    rows = [i for i in range(len(full)) if full.t[i] <= 3]
    np.testing.assert_allclose(chunk.value, full.value[rows], rtol=1e-14)



# ----------------------------------------------------------------------------- RTRL

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nets(max_T=8))
def test_rtrl_totals_are_bptt_scalar(net):
    bptt = build_tape(parse_scenario(to_toml(net)))
    rtrl = tape_of(to_toml(net), method="rtrl").rtrl
    for p in PARAMS:
        full = bptt.gradients[p].total
        if np.isfinite(full):
            assert rtrl.totals[p] == pytest.approx(full, rel=1e-9, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 9), st.booleans(), st.integers(0, 999))
def test_rtrl_totals_are_bptt_vector(n, m, q, T, every_step, seed):
    text = vector_toml(n=n, m=m, q=q, T=T, every_step=every_step, seed=seed)
    bptt = build_tape(parse_scenario(text))
    rtrl = tape_of(text, method="rtrl").rtrl
    for p in PARAMS:
        np.testing.assert_allclose(rtrl.totals[p], bptt.gradients[p].total, rtol=1e-9, atol=1e-12)


def test_rtrl_rows_are_the_triangle_rows():
    """∂ℓ_t/∂O_t·P_t is row t of the triangle: Σ_k term(t, k) for each target."""
    tape = tape_of(SCALAR, method="rtrl")
    w = tape.gradients["w"]
    lo, hi = tape.rtrl.columns["w"]
    for position, t in enumerate(tape.targets):
        row = sum(w.value[i] for i in range(len(w)) if w.t[i] == t)
        assert tape.rtrl.rows[position, lo] == pytest.approx(row, rel=1e-12)


def test_rtrl_cost_at_n_and_T():
    tape = tape_of(vector_toml(n=3, m=2, q=1, T=10), method="rtrl")
    cols = 3 * 3 + 3 * 2 + 3  # entries of W′, W and b
    assert tape.rtrl.rtrl_cost.held == 3 * cols + 3
    assert tape.rtrl.rtrl_cost.multiplies == 9 * cols + 3 * cols + 3 * (3 + 2 + 1)
    assert tape.rtrl.bptt_cost.held == 2 * 10 * 3 + 3


# ----------------------------------------------------------------------------- randomized truncation

def my_coins(T: int, keep: float, seed: int) -> dict[int, float]:
    """ξ_j for j = 2 … T, drawn as the README says: default_rng(seed).random(T − 1) < π."""
    draws = np.random.default_rng(seed).random(T - 1)
    return {j: (1 / keep if draws[j - 2] < keep else 0.0) for j in range(2, T + 1)}


@pytest.mark.parametrize("keep,seed", [(0.5, 0), (0.7, 3), (0.9, 11), (1.0, 5)])
def test_randomized_weights_are_one_coin_per_step(keep, seed):
    tape = tape_of(SCALAR, method="randomized", keep=keep, seed=seed)
    xi = my_coins(tape.T, keep, seed)
    table = tape.gradients["w_prime"]
    for i in range(len(table)):
        t, k = int(table.t[i]), int(table.k[i])
        expected = float(np.prod([xi[j] for j in range(k + 1, t + 1)])) if t > k else 1.0
        assert table.weight[i] == pytest.approx(expected, rel=1e-12)
        assert bool(table.truncated[i]) == (expected == 0.0)


@pytest.mark.parametrize("seed", range(5))
def test_randomized_totals_are_sum_of_weight_times_term(seed):
    text = vector_toml(n=2, m=1, q=1, T=7, every_step=True, seed=seed)
    tape = tape_of(text, method="randomized", keep=0.6, seed=seed)
    full = build_tape(parse_scenario(text))
    for p in RECURRENT_PARAMS:
        expected = sum(tape.gradients[p].weight[i] * full.gradients[p].value[i] for i in range(len(full.gradients[p])))
        np.testing.assert_allclose(tape.gradients[p].total, expected, rtol=1e-12, atol=1e-15)


def test_samples_mean_is_the_mean_of_the_seeds_tapes():
    tape = tape_of(SCALAR, method="randomized", keep=0.5, seed=7)
    samples = draw_samples(tape, 30)
    for p in RECURRENT_PARAMS:
        totals = [tape_of(SCALAR, method="randomized", keep=0.5, seed=7 + i).gradients[p].total for i in range(30)]
        assert samples.mean[p] == pytest.approx(np.mean(totals), rel=1e-12)
        assert samples.stderr[p] == pytest.approx(np.std(totals, ddof=1) / np.sqrt(30), rel=1e-9)
        assert samples.full[p] == pytest.approx(build_tape(parse_scenario(SCALAR)).gradients[p].total, rel=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_samples_cover_b_prime_with_the_mean_of_the_seeds_tapes(cell, tmp_path, capsys):
    """A gated cell's parameters are six (SPEC §8): --samples reports b′ too, its mean that of the seeds' tapes."""
    from gated_scenarios import gated_toml
    from rnnstep.cli import main

    text = gated_toml(cell, n=2, m=1, T=6, every_step=True, seed=4)
    tape = tape_of(text, method="randomized", keep=0.5, seed=7)
    samples = draw_samples(tape, 12)
    assert list(samples.mean) == list(samples.full) == list(tape.params)
    full = build_tape(parse_scenario(text))
    for p in tape.params:
        totals = [tape_of(text, method="randomized", keep=0.5, seed=7 + i).gradients[p].total for i in range(12)]
        np.testing.assert_allclose(samples.mean[p], np.mean(totals, axis=0), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(samples.stderr[p], np.std(totals, axis=0, ddof=1) / np.sqrt(12), rtol=1e-9,
                                   atol=1e-15)
        np.testing.assert_allclose(samples.full[p], full.gradients[p].total, rtol=1e-12, atol=1e-15)
    path = tmp_path / "g.toml"
    path.write_text(with_keys(text, method="randomized", keep=0.5, seed=7))
    assert main(["trace", str(path), "--samples", "12"]) == 0
    assert "∂L/∂b′[1]" in capsys.readouterr().out
    assert main(["trace", str(path), "--samples", "12", "--format", "json"]) == 0
    import json
    assert list(json.loads(capsys.readouterr().out)["gradients"]) == list(tape.params)


@pytest.mark.parametrize("seed", range(3))
def test_randomized_mean_over_seeds_is_full_bptt(seed):
    text = vector_toml(n=2, m=1, q=1, T=12, every_step=seed != 1, seed=seed)
    samples = draw_samples(tape_of(text, method="randomized", keep=0.6, seed=100 * seed), 20000)
    full = build_tape(parse_scenario(text))
    for p in PARAMS:
        expected = np.asarray(full.gradients[p].total)
        assert np.all(np.abs(samples.mean[p] - expected) <= 4.5 * samples.stderr[p] + 1e-12), p


# ----------------------------------------------------------------------------- clip by norm

@pytest.mark.parametrize("C", [0.01, 0.1, 1e6])
def test_clip_norm_scales_the_whole_gradient(C):
    tape = tape_of(SCALAR, clip_norm=C)
    grads = {p: tape.gradients[p].total for p in PARAMS}
    norm = float(np.sqrt(sum(g * g for g in grads.values())))
    scale = C / norm if norm > C else 1.0
    assert tape.norm_clip.norm == pytest.approx(norm, rel=1e-14)
    assert tape.norm_clip.scale == pytest.approx(scale, rel=1e-14)
    for p in PARAMS:
        u = tape.updates[p]
        assert u.clipped == pytest.approx(grads[p] * scale, rel=1e-14)
        assert u.new == pytest.approx(u.old - 0.1 * grads[p] * scale, rel=1e-14)
    kept = np.sqrt(sum(tape.updates[p].clipped ** 2 for p in PARAMS))
    assert kept == pytest.approx(min(C, norm), rel=1e-12)


def test_clip_by_value_unchanged():
    tape = tape_of(SCALAR, clip=0.05)
    assert tape.norm_clip is None
    for p in PARAMS:
        assert tape.updates[p].clipped == float(np.clip(tape.gradients[p].total, -0.05, 0.05))


# ----------------------------------------------------------------------------- the keys' errors

KEY_ERRORS = [
    ('method = "tbptt"\nk1 = 3\nk2 = 2\n', "train.k2", "expected a whole number ≥ k1 = 3, found 2"),
    ('method = "tbptt"\n', "train.k1", "missing; method = \"tbptt\" needs k1"),
    ('method = "tbptt"\nk1 = 0\n', "train.k1", "expected a whole number ≥ 1"),
    ('method = "tbptt"\nk1 = 2.5\n', "train.k1", "found 2.5"),
    ('method = "tbptt"\nk1 = true\n', "train.k1", "found the boolean true"),
    ('method = "randomized"\nkeep = 0.0\n', "train.keep", "expected a number in (0, 1]"),
    ('method = "randomized"\nkeep = 1.5\n', "train.keep", "found 1.5"),
    ('method = "randomized"\nkeep = -0.2\n', "train.keep", "(0, 1]"),
    ('method = "randomized"\n', "train.keep", "missing; method = \"randomized\" needs keep"),
    ('method = "randomized"\nkeep = 0.5\nseed = -1\n', "train.seed", "expected a whole number ≥ 0"),
    ('method = "tbpt"\n', "train.method", "did you mean 'tbptt'?"),
    ('method = "randomised"\n', "train.method", "did you mean 'randomized'?"),
    ('method = "adam"\n', "train.method", "expected one of bptt, tbptt, randomized, rtrl"),
    ('method = 3\n', "train.method", "expected a string"),
    ("k1 = 3\n", "train.k1", "goes with method = \"tbptt\" (this file's method is \"bptt\")"),
    ('method = "rtrl"\nk2 = 3\n', "train.k2", "goes with method = \"tbptt\""),
    ("keep = 0.5\n", "train.keep", "goes with method = \"randomized\""),
    ('method = "tbptt"\nk1 = 2\nseed = 4\n', "train.seed", "goes with method = \"randomized\""),
    ('method = "tbptt"\nk1 = 2\ntruncate = 2\n', "train.truncate", "goes with method = \"bptt\""),
    ("clip_norm = 0\n", "train.clip_norm", "expected a finite number > 0"),
    ("clip_norm = inf\n", "train.clip_norm", "finite"),
    ('clip_norm = "big"\n', "train.clip_norm", "found the string 'big'"),
    ("clip_norm = 1.0\nclip = 2.0\n", "train.clip_norm", "given with train.clip; keep one"),
]


@pytest.mark.parametrize("keys,key,words", KEY_ERRORS)
def test_method_key_errors_are_one_line_exit_2(tmp_path, capsys, keys, key, words):
    from rnnstep import ScenarioError, load_scenario
    from rnnstep.cli import main

    path = tmp_path / "bad.toml"
    path.write_text(SCALAR + keys, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: ") and words in message and "\n" not in message, message
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnnstep: error: {path}: {key}: ") and err.count("\n") == 1


def test_rtrl_refuses_a_large_hidden_size(tmp_path, capsys):
    from rnnstep.cli import main

    path = tmp_path / "big.toml"
    path.write_text(vector_toml(n=17, T=3) + 'method = "rtrl"\n', encoding="utf-8")
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err
    assert "train.method: rtrl is limited to a hidden size n ≤ 16, found n = 17" in err and "O(n⁴)" in err
    path.write_text(vector_toml(n=16, T=3) + 'method = "rtrl"\n', encoding="utf-8")
    assert tape_of(vector_toml(n=16, T=3), method="rtrl").rtrl is not None


@pytest.mark.parametrize("keys", [dict(method="tbptt", k1=2, k2=5), dict(method="randomized", keep=0.3, seed=9),
                                  dict(method="rtrl"), dict(clip_norm=0.25), dict(method="tbptt", k1=3)])
def test_method_keys_round_trip_through_toml(keys):
    scenario = parse_scenario(with_keys(SCALAR, **keys))
    assert parse_scenario(scenario.to_toml()) == scenario
    for key, value in keys.items():
        assert getattr(scenario, key) == value


def test_chunk_ids_name_one_value_each():
    from rnnstep.ids import IdError
    from rnnstep.methods.chunk_ids import chunk_value

    tape = tape_of(SCALAR, method="tbptt", k1=3, k2=5)
    expected = naive_tbptt(tape.scenario, 3, 5)
    assert chunk_value(tape, "chunk[2].gradients.w.total") == pytest.approx(float(expected[1]["w"][0, 0]), rel=1e-9)
    second = tape.chunks[1].gradients["w"]
    assert chunk_value(tape, "chunk[2].gradients.w.term[6,2]") == second.value[second.index_of(6, 2)]
    assert chunk_value(tape, "chunk[1].forward.O[3]") == tape.O[2]  # chunk 1 runs on the starting weights
    assert chunk_value(tape, "chunk[3].update.b.new") == tape.chunks[2].updates["b"].new
    with pytest.raises(IdError, match="before step 2: k2 = 5 steps back from step 6 reach steps 6…2"):
        chunk_value(tape, "chunk[2].gradients.w.term[6,1]")
    with pytest.raises(IdError, match="not in chunk 2"):
        chunk_value(tape, "chunk[2].forward.O[2]")
    with pytest.raises(IdError, match="chunk 4 does not exist"):
        chunk_value(tape, "chunk[4].loss")
    vector = tape_of(vector_toml(n=2, T=6, every_step=True), method="tbptt", k1=2)
    assert chunk_value(vector, "chunk[2].gradients.w_prime.total[1,2]") == vector.chunks[1].totals["w_prime"][0, 1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nets(max_T=7), st.integers(0, 3))
def test_tbptt_with_one_chunk_is_full_bptt(net, extra):
    """k1 ≥ T: one chunk, every term, the starting weights: BPTT's gradient, for every activation and loss."""
    text = to_toml(net)
    full = build_tape(parse_scenario(text))
    tape = tape_of(text, method="tbptt", k1=net.T + extra)
    assert len(tape.chunks) == 1
    for p in PARAMS:
        expected = full.gradients[p].total
        if np.isfinite(expected):
            assert tape.chunks[0].totals[p] == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert tape.chunks[0].updates[p].new == pytest.approx(full.updates[p].new, rel=1e-9, abs=1e-12) or \
            not np.isfinite(expected)


@pytest.mark.parametrize("output,loss", [("softmax", "cross_entropy"), ("sigmoid", "half_squared"), ("identity", "squared")])
def test_tbptt_one_chunk_vector_outputs(output, loss):
    text = vector_toml(n=3, m=2, q=3, T=5, every_step=True, seed=4, output=output, loss=loss)
    full = build_tape(parse_scenario(text))
    tape = tape_of(text, method="tbptt", k1=5)
    for p in PARAMS:
        np.testing.assert_allclose(tape.chunks[0].totals[p], full.gradients[p].total, rtol=1e-10, atol=1e-13)


def test_edge_sizes_run():
    one = SCALAR.replace("x = [1.0, 0.5, -0.3, 0.8, 0.2, -0.6, 0.9]", "x = [0.4]").replace(
        "y = [0.2, -0.1, 0.4, 0.0, 0.3, -0.2, 0.1]", "y = 0.2")
    for keys in (dict(method="randomized", keep=0.5), dict(method="rtrl"), dict(method="tbptt", k1=3),
                 dict(clip_norm=1e-3)):
        tape = tape_of(one, **keys)
        assert np.isfinite(tape.gradients["w"].total)
    assert draw_samples(tape_of(one, method="randomized", keep=0.5), 10).stderr["w"] == 0.0


def test_every_method_is_accepted_on_a_gated_cell():
    """TBPTT's chunks run on any cell (methods/chunk_cells.py), RTRL carries the gated state (rtrl.py), and
    randomized reweights the tape's own terms: no method is refused for the cell alone."""
    from rnnstep.methods.keys import check_sizes
    from rnnstep.scenario import _Reader

    reader = _Reader("lstm.toml")
    for method, cell in (("tbptt", "lstm"), ("tbptt", "gru"), ("rtrl", "lstm"), ("rtrl", "gru"),
                         ("randomized", "gru")):
        check_sizes(reader, method, 2, cell)
