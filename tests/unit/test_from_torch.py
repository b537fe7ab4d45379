"""rnnstep.from_torch: a scenario built from torch.nn.RNN agrees with torch's own autograd."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rnnstep  # noqa: E402
from rnnstep import ScenarioError  # noqa: E402
from rnnstep.from_torch import scenario_from_torch  # noqa: E402


def torch_gradients(rnn, head, x, y, output_activation, loss, every):
    rnn.zero_grad()
    if head is not None:
        head.zero_grad()
    states, _ = rnn(x.unsqueeze(1))
    states = states[:, 0]
    z = head(states) if head is not None else states
    z = z if every else z[-1:]
    target = y if every else y.reshape(1, -1)
    if output_activation == "softmax":
        yhat = torch.softmax(z, dim=1)
    elif output_activation == "sigmoid":
        yhat = torch.sigmoid(z)
    else:
        yhat = z
    if loss == "cross_entropy":
        L = -(target * torch.log(yhat)).sum()
    else:
        L = 0.5 * ((yhat - target) ** 2).sum()
    L.backward()
    grads = {"w": rnn.weight_ih_l0.grad, "w_prime": rnn.weight_hh_l0.grad, "b": rnn.bias_hh_l0.grad}
    if head is not None:
        grads |= {"w_out": head.weight.grad, "b_out": head.bias.grad}
    assert torch.allclose(rnn.bias_ih_l0.grad, rnn.bias_hh_l0.grad, rtol=1e-12, atol=1e-15)  # b is their sum
    return float(L.detach()), {k: v.numpy() for k, v in grads.items()}


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("output,every", [(("identity", "half_squared"), False), (("softmax", "cross_entropy"), True)])
def test_gradients_match_torch_autograd(nonlinearity, output, every):
    torch.manual_seed(3)
    n, m, q, T = 4, 3, 3, 6
    rnn = torch.nn.RNN(m, n, nonlinearity=nonlinearity).double()
    head = torch.nn.Linear(n, q).double()
    x = torch.randn(T, m, dtype=torch.float64)
    if output[1] == "cross_entropy":
        y = torch.eye(q, dtype=torch.float64)[torch.randint(0, q, (T,))]
    else:
        y = torch.randn(T, q, dtype=torch.float64)
    y = y if every else y[-1]
    scenario = scenario_from_torch(rnn, x, y, head, output_activation=output[0], loss=output[1])
    assert scenario.sizes == (n, m, q) and scenario.activation == nonlinearity
    tape = rnnstep.build_tape(scenario)
    L, grads = torch_gradients(rnn, head, x, y, *output, every)
    assert np.isclose(tape.loss, L, rtol=1e-12)
    for param, grad in grads.items():
        assert np.allclose(tape.gradients[param].total, grad, rtol=1e-9, atol=1e-12), param


def test_without_a_head_the_output_is_the_hidden_state():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(2, 3).double()
    x, y = torch.randn(4, 2, dtype=torch.float64), torch.randn(3, dtype=torch.float64)
    tape = rnnstep.build_tape(scenario_from_torch(rnn, x, y))
    L, grads = torch_gradients(rnn, None, x, y, "identity", "half_squared", False)
    assert np.isclose(tape.loss, L, rtol=1e-12)
    assert np.allclose(tape.gradients["w_prime"].total, grads["w_prime"], rtol=1e-9, atol=1e-12)


def test_unsupported_models_are_one_line_errors():
    with pytest.raises(ScenarioError, match="single-layer"):
        scenario_from_torch(torch.nn.RNN(2, 3, num_layers=2), torch.zeros(4, 2), torch.zeros(3))
    with pytest.raises(ScenarioError, match="expected T×2"):
        scenario_from_torch(torch.nn.RNN(2, 3), torch.zeros(4, 5), torch.zeros(3))
    with pytest.raises(ScenarioError, match="targets are"):
        scenario_from_torch(torch.nn.RNN(2, 3), torch.zeros(4, 2), torch.zeros(2))
