"""The shipped SPEC §9 scenarios: every number a note or description states, recomputed from the tape."""

from __future__ import annotations

import math

import numpy as np
import pytest

from test_methods import my_coins
from rnnstep.methods.clipping import clip_by_value
from rnnstep.methods.randomized import draw_samples
from rnnstep.methods.rtrl import costs
from rnnstep.notation import fmt
from rnnstep.scenario import load_scenario
from rnnstep.build import build_tape


def notes_of(scenario) -> dict[str, str]:
    return {note.at: note.text for note in scenario.notes}


def test_tbptt_detach_notes():
    tape = build_tape(load_scenario("tbptt-detach"))
    s = tape.scenario
    assert (s.method, s.k1, s.k2, s.T) == ("tbptt", 4, 4, 8)
    w = tape.gradients["w"]
    thrown = [i for i in range(len(w)) if w.t[i] >= 5 and w.k[i] <= 4]
    notes = notes_of(s)
    first = notes["chunk[2].gradients.w.term[5,5]"]  # the debugger steps the chunks (methods/chunk_tape.py)
    assert f"The {len(thrown)} terms with t ≥ 5 and k ≤ 4" in first
    assert f"add up to {fmt(sum(w.value[i] for i in thrown))} of full BPTT's ∂L/∂w = {fmt(w.total)}" in first
    total = notes["chunk[1].gradients.w.total"]
    rows = sum(w.value[i] for i in range(len(w)) if w.t[i] <= 4)
    chunk1, chunk2 = tape.chunks[0].totals["w"], tape.chunks[1].totals["w"]
    assert chunk1 == pytest.approx(rows, rel=1e-13)  # chunk 1 is the rows t ≤ 4 of the full triangle
    assert f"∂L/∂w = {fmt(w.total)} from {len(w)} terms" in total
    assert f"uses {fmt(chunk1)}:" in total and f"gives {fmt(chunk2)}." in total


def test_randomized_truncation_notes():
    tape = build_tape(load_scenario("randomized-truncation"))
    s = tape.scenario
    assert (s.T, s.keep, s.seed) == (30, 0.8, 2)
    xi = my_coins(30, 0.8, 2)
    assert all(xi[j] > 0 for j in (28, 29, 30)) and xi[27] == 0
    notes = notes_of(s)
    table = tape.gradients["w_prime"]
    assert f"weight (1/0.8)³ = {fmt((1 / 0.8) ** 3)}" in notes["gradients.w_prime.term[30,27]"]
    assert table.weight[table.index_of(30, 26)] == 0.0
    samples = draw_samples(tape, 10000)
    text = notes["gradients.w_prime.total"]
    mean, se, full = samples.mean["w_prime"], samples.stderr["w_prime"], samples.full["w_prime"]
    assert f"This seed's ∂L/∂w′ = {fmt(table.total)}; full BPTT's is {fmt(full)}" in text
    assert f"the mean is {fmt(mean)} with a standard error of {fmt(se)}" in text
    assert f": {fmt(abs(mean - full) / se, 2)} standard errors from the full gradient" in text
    assert abs(mean - full) / se < 2
    assert f"about {fmt(se * math.sqrt(10000), 3)}" in text and f"(1/0.8)^29 = {fmt(1.25 ** 29, 3)}" in text


def test_rtrl_vs_bptt_notes():
    tape = build_tape(load_scenario("rtrl-vs-bptt"))
    notes = notes_of(tape.scenario)
    bptt = tape.gradients["w_prime"].total
    assert tape.rtrl.totals["w_prime"] == pytest.approx(bptt, rel=1e-12)
    assert f"BPTT's ∂L/∂w′ = {fmt(bptt)}; RTRL's, carried forward, is {fmt(tape.rtrl.totals['w_prime'])}" in notes[
        "gradients.w_prime.total"]
    bptt_cost, rtrl_cost = costs(1, 1, 5)
    big_bptt, big_rtrl = costs(16, 1, 5)
    text = notes["update"]
    assert f"BPTT holds {bptt_cost.held} numbers" in text and f"multiplies {bptt_cost.multiplies} per step" in text
    assert f"RTRL holds {rtrl_cost.held} and multiplies {rtrl_cost.multiplies}." in text
    assert f"RTRL would multiply {big_rtrl.multiplies} per step against BPTT's {big_bptt.multiplies}" in text
    assert 2 * 5 * 1 + 1 == bptt_cost.held and 16 * 16 * (16 * 16 + 16 + 16) + 16 * (256 + 32) + 16 * 18 == \
        big_rtrl.multiplies


def test_clip_norm_vs_value_notes():
    tape = build_tape(load_scenario("clip-norm-vs-value"))
    s = tape.scenario
    assert s.sizes[0] == 2 and s.clip_norm == 1.0
    radius = max(abs(np.linalg.eigvals(np.array(s.w_prime))))
    assert f"eigenvalues of size {fmt(radius, 3)}" in " ".join(s.description.split())
    grads = {p: np.asarray(u.grad, dtype=float) for p, u in tape.updates.items()}
    flat = np.concatenate([g.ravel() for g in grads.values()])
    norm = float(np.linalg.norm(flat))
    assert norm > 10  # an exploding gradient
    notes = notes_of(s)
    text = notes["gradients.w_prime.total"]
    g22 = grads["w_prime"][1, 1]
    assert f"is {fmt(norm)}, so" in text and f"1/‖g‖ = {fmt(1 / norm)}" in text
    assert f"= {fmt(g22)} becomes {fmt(g22 / norm)}" in text
    assert np.all(np.abs(grads["w_prime"]) > 1)  # every entry of ∂L/∂W′ clips to ±1
    by_value = np.concatenate([clip_by_value(g, 1.0).ravel() for g in grads.values()])
    angle = math.degrees(math.acos(flat @ by_value / (norm * np.linalg.norm(by_value))))
    text = notes["update"]
    assert f"a step of length {fmt(float(np.linalg.norm(by_value)))}" in text and f"{fmt(angle, 3)}° away" in text
