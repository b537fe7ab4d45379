"""SPEC §9 against PyTorch: TBPTT(K, K) is the detach loop; clip_norm is clip_grad_norm_."""

from __future__ import annotations

import numpy as np
import pytest

from test_methods import _close, tape_of
from vector_scenarios import vector_toml
from rnnstep.ids import PARAMS

torch = pytest.importorskip("torch")


def torch_detach_loop(scenario, K: int) -> list[dict]:
    """The PyTorch loop: run K steps, loss.backward(), SGD step, state = state.detach()."""
    a = scenario.arrays()
    P = {p: torch.tensor(a[p], dtype=torch.float64, requires_grad=True) for p in PARAMS}
    h = torch.tensor(a["h0"], dtype=torch.float64)
    X, Y = torch.tensor(a["x"], dtype=torch.float64), torch.tensor(a["y"], dtype=torch.float64)
    targets = list(scenario.targets)
    chunks = []
    for s in range(1, scenario.T + 1, K):
        h = h.detach()
        loss = torch.zeros((), dtype=torch.float64)
        for t in range(s, min(s + K - 1, scenario.T) + 1):
            h = torch.tanh(P["w"] @ X[t - 1] + P["w_prime"] @ h + P["b"])
            if t in targets:
                yhat = P["w_out"] @ h + P["b_out"]
                loss = loss + 0.5 * torch.sum((yhat - Y[targets.index(t)]) ** 2)
        if loss.requires_grad:
            loss.backward()
        grads = {p: (P[p].grad.clone() if P[p].grad is not None else torch.zeros_like(P[p])).numpy() for p in PARAMS}
        with torch.no_grad():
            for p in PARAMS:
                if P[p].grad is not None:
                    P[p] -= scenario.learning_rate * P[p].grad
                    P[p].grad = None
        chunks.append(grads)
    return chunks


@pytest.mark.parametrize("K", [1, 2, 3, 5])
@pytest.mark.parametrize("seed", range(3))
def test_tbptt_k1_equals_k2_is_the_torch_detach_loop(K, seed):
    text = vector_toml(n=2, m=1, q=1, T=9, every_step=True, seed=seed)
    tape = tape_of(text, method="tbptt", k1=K, k2=K)
    for chunk, grads in zip(tape.chunks, torch_detach_loop(tape.scenario, K), strict=True):
        _close(chunk, grads)


def test_clip_norm_is_torch_clip_grad_norm():
    text = vector_toml(n=2, m=1, q=1, T=6, every_step=True, seed=1, radius=1.6)
    C = 0.05
    tape = tape_of(text, clip_norm=C)
    a = tape.scenario.arrays()
    P = {p: torch.tensor(a[p], dtype=torch.float64, requires_grad=True) for p in PARAMS}
    for p in PARAMS:
        P[p].grad = torch.tensor(np.asarray(tape.updates[p].grad).reshape(a[p].shape), dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_(list(P.values()), C)
    assert float(total) == pytest.approx(tape.norm_clip.norm, rel=1e-12)
    for p in PARAMS:  # torch divides by ‖g‖ + 1e−6: equal to about 1e−6 relative
        np.testing.assert_allclose(np.asarray(tape.updates[p].clipped).reshape(a[p].shape), P[p].grad.numpy(),
                                   rtol=1e-5)
