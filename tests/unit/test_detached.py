"""What TBPTT leaves out, in numbers (methods/detached.py, SPEC §9), against full BPTT's term table summed
here over the left-out (t, k) one term at a time (math.fsum for plain numbers)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gated_scenarios import gated_toml
from method_scenarios import SCALAR
from vector_scenarios import vector_toml
from rnnstep import load_scenario
from rnnstep.build import build_tape
from rnnstep.methods.detached import detached_sums
from rnnstep.scenario import parse_scenario

TBPTT = 'method = "tbptt"\nk1 = {k1}\nk2 = {k2}\n'


def _by_hand(table, targets, keep) -> tuple[object, object, int, int]:
    """(Σ every term of the targets, Σ of those with keep(t, k) false, counts) from the table's own terms."""
    every, out, n_every, n_out = [], [], 0, 0
    for i in range(len(table)):
        t = int(table.t[i])
        if t not in targets:
            continue
        k = int(table.k[i]) if table.k is not None else t
        term = np.asarray(table.term(i), dtype=np.float64)
        every.append(term)
        n_every += 1
        if not keep(t, k):
            out.append(term)
            n_out += 1

    def added(terms):
        if not terms:
            return np.zeros(table.shape) if table.vector else 0.0
        if not table.vector:
            return math.fsum(float(v) for v in terms)
        return np.sum(np.stack(terms), axis=0)
    return added(every), added(out), n_every, n_out


def _check(tape):
    assert len(tape.chunks) > 1
    for chunk in tape.chunks:
        if not chunk.targets:
            continue
        sums = detached_sums(tape, chunk)
        assert set(sums) == set(tape.params)
        for p, split in sums.items():
            table = tape.gradients[p]
            full, out, n_full, n_out = _by_hand(table, set(chunk.targets), lambda t, k: k >= chunk.reach)
            np.testing.assert_allclose(split.left_out, out, rtol=1e-10, atol=1e-14, err_msg=f"{chunk.index} {p}")
            np.testing.assert_allclose(split.full, full, rtol=1e-10, atol=1e-14, err_msg=f"{chunk.index} {p}")
            np.testing.assert_allclose(np.asarray(split.kept) + np.asarray(split.left_out), full, rtol=1e-10,
                                       atol=1e-14)
            assert (split.full_terms, split.left_terms) == (n_full, n_out)
            if chunk.index == 1:  # the starting weights: the kept terms are the chunk's own
                np.testing.assert_allclose(split.kept, chunk.totals[p], rtol=1e-10, atol=1e-14)


def test_detach_loop_left_out_numbers_are_the_try_outs():
    """The new-user try-out added t = 5…8, k = 1…4 on the starting weights by hand: 0.219, 0.198, 0.453."""
    tape = build_tape(load_scenario("tbptt-detach"))
    _check(tape)
    second = detached_sums(tape, tape.chunks[1])
    assert [round(second[p].left_out, 3) for p in ("w_prime", "w", "b")] == [0.219, 0.198, 0.453]
    assert second["w_prime"].left_terms == 16 and second["w_prime"].full_terms == 26
    assert second["w_out"].left_terms == 0 and second["w_out"].left_out == 0.0
    first = detached_sums(tape, tape.chunks[0])
    assert first["w"].left_terms == 0 and first["w"].full_terms == 10


@pytest.mark.parametrize("k1,k2", [(3, 5), (2, 2), (3, 3), (1, 4)])
def test_scalar_chunks_left_out_against_the_term_table(k1, k2):
    _check(build_tape(parse_scenario(SCALAR + TBPTT.format(k1=k1, k2=k2))))


@pytest.mark.parametrize("targets_every_step", [True, False])
def test_vector_chunks_left_out_against_the_term_table(targets_every_step):
    text = vector_toml(n=3, m=2, q=2, T=9, every_step=targets_every_step, seed=4)
    _check(build_tape(parse_scenario(text + TBPTT.format(k1=3, k2=4))))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_chunks_left_out_against_the_term_table(cell):
    text = gated_toml(cell, every_step=True, n=2, m=2, q=1, T=7, seed=11, scale=1.0)
    _check(build_tape(parse_scenario(text + TBPTT.format(k1=3, k2=5))))


def test_a_vanishing_tail_far_below_the_running_sums_is_still_right_to_every_digit():
    """w′ = 0.01: the left-out terms are ~1e-10 of the kept ones; a bare difference of running sums would
    leave only a few correct digits of them."""
    x = ", ".join(str(v) for v in np.round(np.sin(np.arange(1, 41)), 3))
    text = SCALAR.replace("w_prime = -0.3", "w_prime = 0.01").replace(
        "x = [1.0, 0.5, -0.3, 0.8, 0.2, -0.6, 0.9]", f"x = [{x}]").replace(
        "y = [0.2, -0.1, 0.4, 0.0, 0.3, -0.2, 0.1]", "y = 0.3")  # one target, at step 40
    tape = build_tape(parse_scenario(text + TBPTT.format(k1=5, k2=5)))
    for chunk in tape.chunks[-1:]:  # the only chunk with a target: it leaves out k = 1 … 35, five steps back
        for p, split in detached_sums(tape, chunk).items():
            _, out, _, _ = _by_hand(tape.gradients[p], set(chunk.targets), lambda t, k: k >= chunk.reach)
            if p in ("w_prime", "w", "b"):
                assert 0 < abs(out) < 1e-6 * abs(split.full)  # the tail really is far below the sums
            assert split.left_out == pytest.approx(out, rel=1e-12, abs=1e-300)


def test_a_vector_chunks_last_term_shows_what_it_left_out():
    """The vector step panel at chunk 2's last term of ∂L/∂W′: the left-out sum's entries (2×2, fits) against
    full BPTT's terms t = 4…6, k < 3 added here."""
    import io

    from rich.console import Console

    from rnnstep import notation as nt
    from rnnstep.methods.chunk_tape import stepped
    from rnnstep.tui.chunk_view import panel_view
    from rnnstep.tui.panels.base import View
    from rnnstep.tui.panels.vector_view import step_text

    text = vector_toml(n=2, m=1, q=1, T=7, every_step=True, seed=2) + TBPTT.format(k1=3, k2=4)
    tape = stepped(build_tape(parse_scenario(text)))
    view = panel_view(View(tape, tape.steps.index_of("chunk[2].gradients.w_prime.term[6,3]")))
    console = Console(file=io.StringIO(), width=100, record=True, color_system=None)
    console.print(step_text(view, 100, 30, "title"))
    shown = " ".join(console.export_text().split())
    table = tape.full.gradients["w_prime"]
    gone = sum(np.asarray(table.term(i)) for i in range(len(table)) if 4 <= table.t[i] <= 6 and table.k[i] < 3)
    entries = "; ".join(" ".join(nt.fmt(float(v)) for v in row) for row in gone)
    assert f"left out k < 3 (full BPTT, starting weights) = [{entries}]" in shown, shown
