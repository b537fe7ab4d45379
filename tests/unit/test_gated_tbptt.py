"""TBPTT(k1, k2) on gated cells (SPEC §8, §9) against references that share no code with the engine:
torch's own nn.LSTM / nn.GRU in the PyTorch detach loop (k1 = k2), and for k2 > k1 a chunk loop
written out by hand with torch autograd, one copy of the weights per step as that step was run."""

from __future__ import annotations

import numpy as np
import pytest

from gated_scenarios import HEADS, gated_toml
from rnnstep import build_tape
from rnnstep.scenario import parse_scenario

torch = pytest.importorskip("torch")
import gated_reference as ref  # noqa: E402  (needs torch)

F64 = torch.float64
RECURRENT = ("w_prime", "w", "b", "b_prime")
PARAMS = RECURRENT + ("w_out", "b_out")


def _close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


def _tape(cell: str, k1: int, k2: int | None = None, learning_rate: float = 0.1, **kw):
    text = gated_toml(cell, **kw).replace("learning_rate = 0.1", f"learning_rate = {learning_rate}")
    text += f'method = "tbptt"\nk1 = {k1}\n' + (f"k2 = {k2}\n" if k2 is not None else "")
    return build_tape(parse_scenario(text, f"<{cell}-tbptt>"))


def torch_detach_loop(s, K: int) -> list[dict]:
    """The PyTorch loop on nn.LSTM / nn.GRU: state.detach(), run K steps, loss.backward(), SGD step."""
    n, m, q = s.sizes
    w = ref.weights(s)
    module = (torch.nn.LSTM if s.cell == "lstm" else torch.nn.GRU)(m, n).to(F64)
    head = torch.nn.Linear(n, q).to(F64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(w["w"]); module.weight_hh_l0.copy_(w["w_prime"])
        module.bias_ih_l0.copy_(w["b"]); module.bias_hh_l0.copy_(w["b_prime"])
        head.weight.copy_(w["w_out"]); head.bias.copy_(w["b_out"])
    named = {"w": module.weight_ih_l0, "w_prime": module.weight_hh_l0, "b": module.bias_ih_l0,
             "b_prime": module.bias_hh_l0, "w_out": head.weight, "b_out": head.bias}
    state = (w["h0"][None], w["c0"][None]) if s.cell == "lstm" else w["h0"][None]
    targets = list(s.targets)
    out = []
    for first in range(1, s.T + 1, K):
        last = min(first + K - 1, s.T)
        state = tuple(v.detach() for v in state) if s.cell == "lstm" else state.detach()
        O, state = module(w["x"][first - 1:last], state)
        chunk_targets = [t for t in targets if first <= t <= last]
        for p in named.values():
            p.grad = None
        if chunk_targets:
            loss = sum(ref.head_loss(s, head(O[t - first]), w["y"][targets.index(t)]) for t in chunk_targets)
            loss.backward()
        grads = {p: (v.grad.clone() if v.grad is not None else torch.zeros_like(v)).numpy() for p, v in named.items()}
        with torch.no_grad():
            for v in named.values():
                if v.grad is not None:
                    v -= s.learning_rate * v.grad
        out.append(grads)
    return out


def hand_chunk_loop(s, k1: int, k2: int) -> list[dict]:
    """TBPTT(k1, k2) by hand: every step keeps the weights it was run with; at the end of the chunk that
    starts at s, the state at step s − (k2 − k1) − 1 is taken as run and cut from the graph, the steps from
    there to the chunk's end are run again, each on its own leaf copy of the weights it was run with, and
    ∂ℓ_t/∂(the copy at step k) is term(t, k). Returns per chunk: terms[(p, t, k)], totals, and the update."""
    w = ref.weights(s)
    n = s.sizes[0]
    current = {p: w[p].clone() for p in PARAMS}
    run_with: list[dict] = []  # the weights step j was run with (index j − 1)
    states = [(w["h0"], w["c0"] if s.cell == "lstm" else torch.zeros(n, dtype=F64))]  # (O_j, c_j) as run
    targets = list(s.targets)
    out = []
    for first in range(1, s.T + 1, k1):
        last = min(first + k1 - 1, s.T)
        with torch.no_grad():
            for j in range(first, last + 1):
                run_with.append({p: current[p].clone() for p in PARAMS})
                h, c = states[-1]
                states.append(ref.cell_step(s.cell, current["w"], current["w_prime"], current["b"],
                                            current["b_prime"], w["x"][j - 1], h, c))
        reach = max(1, first - (k2 - k1))
        copies = {j: {p: run_with[j - 1][p].clone().requires_grad_(True) for p in RECURRENT}
                  for j in range(reach, last + 1)}
        head = {p: current[p].clone().requires_grad_(True) for p in ("w_out", "b_out")}
        h, c = (v.detach() for v in states[reach - 1])
        losses = {}
        for j in range(reach, last + 1):
            cp = copies[j]
            h, c = ref.cell_step(s.cell, cp["w"], cp["w_prime"], cp["b"], cp["b_prime"], w["x"][j - 1], h, c)
            _close(h.detach().numpy(), states[j][0].numpy(), rtol=1e-12, atol=1e-14)  # the run, replayed
            if j in targets and j >= first:
                losses[j] = ref.head_loss(s, head["w_out"] @ h + head["b_out"], w["y"][targets.index(j)])
        terms = {}
        totals = {p: torch.zeros_like(current[p]) for p in PARAMS}
        for t, loss in losses.items():
            leaves = [copies[k][p] for k in range(reach, t + 1) for p in RECURRENT] + [head["w_out"], head["b_out"]]
            grads = torch.autograd.grad(loss, leaves, retain_graph=True)
            for i, k in enumerate(range(reach, t + 1)):
                for j, p in enumerate(RECURRENT):
                    terms[(p, t, k)] = grads[4 * i + j]
                    totals[p] = totals[p] + grads[4 * i + j]
            totals["w_out"] = totals["w_out"] + grads[-2]
            totals["b_out"] = totals["b_out"] + grads[-1]
        for p in PARAMS:
            current[p] = current[p] - s.learning_rate * totals[p]
        out.append({"terms": {key: v.numpy() for key, v in terms.items()},
                    "totals": {p: v.numpy() for p, v in totals.items()},
                    "new": {p: v.numpy() for p, v in current.items()}, "reach": reach, "losses": losses,
                    "states": [(h.numpy(), c.numpy()) for h, c in states],  # (O_j, c_j) as run, j = 0 … last
                    "run_with": run_with[:]})
    return out


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("K", [1, 2, 3, 5])
@pytest.mark.parametrize("seed", range(2))
def test_k1_equals_k2_is_the_torch_detach_loop_on_nn_lstm_and_gru(cell, K, seed):
    tape = _tape(cell, K, n=2, m=2, q=1, T=9, every_step=True, seed=seed)
    for chunk, grads in zip(tape.chunks, torch_detach_loop(tape.scenario, K), strict=True):
        for p in PARAMS:
            _close(chunk.totals[p], grads[p].reshape(tape.param_shape(p)))
            _close(chunk.updates[p].new, (np.asarray(chunk.updates[p].old) - 0.1 * grads[p].reshape(
                tape.param_shape(p))))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("head", HEADS[::2])
def test_every_head_of_the_detach_loop(cell, head):
    tape = _tape(cell, 3, n=3, m=1, q=2, T=8, every_step=True, seed=7, head=head)
    for chunk, grads in zip(tape.chunks, torch_detach_loop(tape.scenario, 3), strict=True):
        for p in PARAMS:
            _close(chunk.totals[p], grads[p].reshape(tape.param_shape(p)))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("k1, k2", [(1, 2), (2, 3), (2, 5), (3, 4), (3, 9)])
@pytest.mark.parametrize("every_step", [True, False])
def test_k2_beyond_k1_is_the_hand_chunk_loop_term_by_term(cell, k1, k2, every_step):
    tape = _tape(cell, k1, k2, n=2, m=2, q=1, T=8, every_step=every_step, seed=k1 + 10 * k2, scale=1.0)
    expected = hand_chunk_loop(tape.scenario, k1, k2)
    assert len(tape.chunks) == len(expected)
    for chunk, ref_chunk in zip(tape.chunks, expected):
        assert chunk.reach == ref_chunk["reach"]
        assert chunk.targets == sorted(ref_chunk["losses"])
        _close(chunk.losses, [float(v.detach()) for v in ref_chunk["losses"].values()])
        for p in PARAMS:
            _close(chunk.totals[p], ref_chunk["totals"][p].reshape(tape.param_shape(p)))
            _close(chunk.updates[p].new, ref_chunk["new"][p].reshape(tape.param_shape(p)))
        if not chunk.targets:
            continue
        for p in RECURRENT:
            table = chunk.gradients[p]
            assert len(table) == sum(t - chunk.reach + 1 for t in chunk.targets)
            for i in range(len(table)):
                t, k = int(table.t[i]), int(table.k[i])
                _close(table.term(i), ref_chunk["terms"][(p, t, k)].reshape(table.shape))
                _close(table.carry(i) + table.rest(i), table.delta(i), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("every_step", [True, False])
def test_k1_equal_to_T_is_full_bptt_term_carry_and_total(cell, every_step):
    tape = _tape(cell, 6, n=3, m=2, q=2, T=6, every_step=every_step, seed=5)
    assert len(tape.chunks) == 1
    chunk = tape.chunks[0]
    for p in tape.params:
        full, part = tape.gradients[p], chunk.gradients[p]
        assert len(full) == len(part)
        _close(part.total, full.total, rtol=1e-12, atol=1e-15)
        _close(chunk.updates[p].new, tape.updates[p].new, rtol=1e-12, atol=1e-15)
        for i in range(len(full)):
            _close(part.term(i), full.term(i), rtol=1e-12, atol=1e-15)
            if p in RECURRENT:
                _close(part.carry(i), full.carry(i), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("k1, k2", [(2, 2), (2, 4), (3, 7)])
def test_without_an_update_every_chunks_terms_and_carry_are_full_bptts(cell, k1, k2):
    """With learning_rate = 0 every chunk runs on the starting weights from the state full BPTT ran
    through, so each kept term (t, k), its δ and its carry share are full BPTT's own (tested against the
    route enumeration in test_gated_gradients.py); a term reaching into an earlier chunk included."""
    tape = _tape(cell, k1, k2, learning_rate=0.0, n=2, m=1, q=1, T=9, every_step=True, seed=4, scale=1.0)
    reached_back = 0
    for chunk in tape.chunks:
        for p in RECURRENT:
            table, full = chunk.gradients[p], tape.gradients[p]
            for i in range(len(table)):
                t, k = int(table.t[i]), int(table.k[i])
                j = full.index_of(t, k)
                _close(table.delta(i), full.delta(j), rtol=1e-12, atol=1e-15)
                _close(table.carry(i), full.carry(j), rtol=1e-12, atol=1e-15)
                reached_back += k < chunk.first
    assert reached_back > 0 if k2 > k1 else reached_back == 0


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_term_reaching_back_uses_the_w_prime_its_step_was_run_with(cell):
    """Chunk 2's terms reaching into chunk 1 multiply the Jacobian of a chunk-1 step: on chunk 1's
    weights, not on the weights chunk 1's update made (which step 2's forward runs on)."""
    tape = _tape(cell, 2, 4, learning_rate=2.0, n=2, m=1, q=1, T=4, every_step=True, seed=2, scale=1.0)
    expected = hand_chunk_loop(tape.scenario, 2, 4)
    table = tape.chunks[1].gradients["w"]
    term = table.term(table.index_of(4, 1))
    _close(term, expected[1]["terms"][("w", 4, 1)].reshape(table.shape))
    assert not np.allclose(tape.chunks[0].updates["w_prime"].old, tape.chunks[0].updates["w_prime"].new)


def _carry_reference(s, ref_chunk, t: int, k: int, recurrent_side: bool) -> np.ndarray:
    """SPEC §8's carry share of δ(t, k) from the run as the hand loop made it, written out with torch:
    LSTM ∂ℓ_t/∂O_t·diag(o_t ⊙ tanh′(c_t))·∏ diag(f_j)·∂c_k/∂a_k, GRU ∂ℓ_t/∂O_t·∏ diag(u_j)·∂O_k/∂a_k (∂ã_k),
    each gate on the weights its step was run with and ∂·/∂a_k by autograd on a free pre-activation."""
    n = s.sizes[0]
    x, states, run_with = ref.weights(s)["x"], ref_chunk["states"], ref_chunk["run_with"]
    h_prev = lambda j: torch.as_tensor(states[j - 1][0])  # noqa: E731
    c_prev = lambda j: torch.as_tensor(states[j - 1][1])  # noqa: E731

    def sides(j):
        w = run_with[j - 1]
        if s.cell == "lstm":
            return w["w"] @ x[j - 1] + w["b"] + w["w_prime"] @ h_prev(j) + w["b_prime"], None
        return w["w"] @ x[j - 1] + w["b"], w["w_prime"] @ h_prev(j) + w["b_prime"]

    head = run_with[t - 1]
    O_t = torch.as_tensor(states[t][0]).clone().requires_grad_(True)
    y = ref.weights(s)["y"][list(s.targets).index(t)]
    row = torch.autograd.grad(ref.head_loss(s, head["w_out"] @ O_t + head["b_out"], y), O_t)[0]
    if s.cell == "lstm":
        a_t = sides(t)[0]
        kappa = row * torch.sigmoid(a_t[3 * n:]) * (1 - torch.tanh(torch.as_tensor(states[t][1])) ** 2)
        for j in range(t, k, -1):
            kappa = kappa * torch.sigmoid(sides(j)[0][n:2 * n])
        into_c = lambda a: torch.sigmoid(a[n:2 * n]) * c_prev(k) + torch.sigmoid(a[:n]) * torch.tanh(a[2 * n:3 * n])  # noqa: E731
        return (kappa @ torch.autograd.functional.jacobian(into_c, sides(k)[0])).numpy()
    kappa = row
    for j in range(t, k, -1):
        a_x, a_h = sides(j)
        kappa = kappa * torch.sigmoid(a_x[n:2 * n] + a_h[n:2 * n])

    def O_of(a_x, a_h):
        r, u = torch.sigmoid(a_x[:n] + a_h[:n]), torch.sigmoid(a_x[n:2 * n] + a_h[n:2 * n])
        return (1 - u) * torch.tanh(a_x[2 * n:] + r * a_h[2 * n:]) + u * h_prev(k)
    a_x, a_h = sides(k)
    D = torch.autograd.functional.jacobian(lambda a: O_of(a_x, a), a_h) if recurrent_side else \
        torch.autograd.functional.jacobian(lambda a: O_of(a, a_h), a_x)
    return (kappa @ D).numpy()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("k1, k2", [(2, 4), (3, 7)])
def test_the_carry_of_a_term_reaching_into_an_earlier_chunk_is_the_runs_all_carry_route(cell, k1, k2):
    tape = _tape(cell, k1, k2, learning_rate=1.0, n=2, m=1, q=1, T=8, every_step=True, seed=9, scale=1.0)
    expected = hand_chunk_loop(tape.scenario, k1, k2)
    reached_back = 0
    for chunk, ref_chunk in zip(tape.chunks, expected, strict=True):
        for p, side in (("b", False), ("b_prime", True)):
            table = chunk.gradients[p]
            for i in range(len(table)):
                t, k = int(table.t[i]), int(table.k[i])
                _close(table.carry(i), _carry_reference(tape.scenario, ref_chunk, t, k, side))
                reached_back += k < chunk.first
    assert reached_back > 0
