"""scenario_from_torch with nn.LSTM and nn.GRU (SPEC §8): the same gradients as torch's autograd;
a model that cannot be stepped through is one line naming what is not supported."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rnnstep  # noqa: E402
from rnnstep import ScenarioError  # noqa: E402
from rnnstep.from_torch import scenario_from_torch  # noqa: E402


def _torch_run(module, head, x, state, target, every, loss):
    module.zero_grad()
    head.zero_grad()
    out, _ = module(x, state)
    z = head(out if not module.batch_first else out[0])
    if loss == "cross_entropy":
        z = z if every else z[-1:]
        L = torch.nn.functional.cross_entropy(z, target, reduction="sum")
    else:
        z = z if every else z[-1]
        L = 0.5 * ((z - target) ** 2).sum()
    L.backward()
    return float(L.detach())


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("every", [False, True])
def test_lstm_and_gru_match_torch_autograd(kind, every):
    torch.manual_seed(5)
    n, m, q, T = 3, 2, 2, 5
    module = getattr(torch.nn, kind)(m, n).double()
    head = torch.nn.Linear(n, q).double()
    x = torch.randn(T, m, dtype=torch.float64)
    h0 = torch.randn(n, dtype=torch.float64)
    c0 = torch.randn(n, dtype=torch.float64) if kind == "LSTM" else None
    y = torch.randn(T, q, dtype=torch.float64) if every else torch.randn(q, dtype=torch.float64)
    scenario = scenario_from_torch(module, x, y, head, h0=h0, c0=c0)
    assert scenario.cell == kind.lower()
    tape = rnnstep.build_tape(scenario)
    state = (h0[None], c0[None]) if kind == "LSTM" else h0[None]
    L = _torch_run(module, head, x, state, y, every, "half_squared")
    assert np.isclose(tape.loss, L, rtol=1e-12)
    pairs = {"w": module.weight_ih_l0, "w_prime": module.weight_hh_l0, "b": module.bias_ih_l0,
             "b_prime": module.bias_hh_l0, "w_out": head.weight, "b_out": head.bias}
    for param, weight in pairs.items():
        np.testing.assert_allclose(tape.gradients[param].total, weight.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("every", [False, True])
def test_class_index_targets_are_one_hot_encoded_with_a_note(every):
    torch.manual_seed(2)
    n, m, q, T = 2, 2, 3, 4
    module = torch.nn.GRU(m, n, batch_first=True).double()
    head = torch.nn.Linear(n, q).double()
    x = torch.randn(1, T, m, dtype=torch.float64)
    classes = torch.tensor([2, 0, 1, 1]) if every else torch.tensor(1)
    scenario = scenario_from_torch(module, x, classes, head, output_activation="softmax", loss="cross_entropy")
    assert scenario.notes and scenario.notes[0].at == "loss" and "one-hot" in scenario.notes[0].text
    tape = rnnstep.build_tape(scenario)
    target = classes if every else classes.reshape(1)
    L = _torch_run(module, head, x, None, target, every, "cross_entropy")
    assert np.isclose(tape.loss, L, rtol=1e-12)
    np.testing.assert_allclose(tape.gradients["w_prime"].total, module.weight_hh_l0.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("make, inputs, message", [
    (lambda: torch.nn.LSTM(2, 3, num_layers=2), torch.zeros(4, 2),
     "<torch>: LSTM has num_layers = 2: only a single-layer LSTM can be stepped through"),
    (lambda: torch.nn.GRU(2, 3, bidirectional=True), torch.zeros(4, 2),
     "<torch>: GRU is bidirectional: only a one-directional, single-layer GRU can be stepped through"),
    (lambda: torch.nn.LSTM(2, 3, proj_size=2), torch.zeros(4, 2),
     "<torch>: LSTM with proj_size = 2 is not supported (O_t would be projected)"),
    (lambda: torch.nn.LSTM(2, 3, batch_first=True), torch.zeros(4, 1, 2),
     "<torch>: inputs are 4×1×2 but LSTM.batch_first is True: expected 1×T×m for one sequence"),
    (lambda: torch.nn.GRU(2, 3), torch.zeros(1, 4, 2),
     "<torch>: inputs are 1×4×2 but GRU.batch_first is False: expected T×1×m for one sequence"),
    (lambda: torch.nn.Linear(2, 3), torch.zeros(4, 2),
     "<torch>: expected a torch.nn.RNN, nn.LSTM or nn.GRU, found Linear"),
])
def test_unsupported_models_are_one_line_naming_it(make, inputs, message):
    with pytest.raises(ScenarioError) as info:
        scenario_from_torch(make(), inputs, torch.zeros(3))
    assert str(info.value) == message


def test_a_sequential_head_names_what_is_supported():
    """Issue 18 item 24: it raised a raw AttributeError ('Sequential' object has no attribute 'weight')."""
    head = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Sigmoid())
    with pytest.raises(ScenarioError) as info:
        scenario_from_torch(torch.nn.RNN(2, 3), torch.zeros(4, 2), torch.zeros(2), head)
    assert str(info.value).startswith("<torch>: head must be one torch.nn.Linear (or None), found Sequential")
    with pytest.raises(ScenarioError, match="c0 is an LSTM's"):
        scenario_from_torch(torch.nn.GRU(2, 3), torch.zeros(4, 2), torch.zeros(3), c0=torch.zeros(3))
