"""Build a scenario from a PyTorch ``nn.RNN`` (and an optional ``nn.Linear`` head), to step
through your own model's backward pass term by term.

    import torch, rnnstep
    from rnnstep.from_torch import scenario_from_torch

    rnn = torch.nn.RNN(input_size=4, hidden_size=3)          # one layer, tanh or relu
    head = torch.nn.Linear(3, 4)
    x = torch.eye(4)[[0, 1, 2, 2]]                           # "hell", one-hot
    y = torch.eye(4)[[1, 2, 2, 3]]                           # "ello"
    scenario = scenario_from_torch(rnn, x, y, head, output_activation="softmax", loss="cross_entropy")
    tape = rnnstep.build_tape(scenario)
    print(scenario.to_toml())                                # a file for `rnnstep trace` and friends

torch is imported only here (and only to read tensors): rnnstep itself never needs it.
``bias_ih + bias_hh`` are folded into one ``b`` (they are only ever added). Without a
head the output is the hidden state itself (W_out = I, q = n).
"""

from __future__ import annotations

from typing import Any

from .scenario import Scenario, ScenarioError, parse_scenario


def _array(tensor: Any) -> Any:
    import numpy as np

    if hasattr(tensor, "detach"):
        tensor = tensor.detach().to("cpu").double().numpy()
    return np.asarray(tensor, dtype=np.float64)


def _fail(message: str) -> ScenarioError:
    return ScenarioError("<torch>", None, message)


def scenario_from_torch(rnn: Any, inputs: Any, targets: Any, head: Any = None, *, h0: Any = None,
                        output_activation: str = "identity", loss: str = "half_squared", title: str = "",
                        description: str = "", learning_rate: float = 0.1, truncate: int | None = None,
                        clip: float | None = None) -> Scenario:
    """A vector scenario with ``rnn``'s weights, the ``inputs`` (T×m, or T×1×m / 1×T×m with a
    batch of one) and ``targets``: q numbers (a target at the last step) or T×q (every step)."""
    import numpy as np

    if getattr(rnn, "num_layers", 1) != 1 or getattr(rnn, "bidirectional", False):
        raise _fail("only a single-layer, one-directional nn.RNN can be stepped through")
    activation = getattr(rnn, "nonlinearity", "tanh")
    if activation not in ("tanh", "relu"):
        raise _fail(f"nn.RNN nonlinearity must be tanh or relu, found {activation!r}")
    if getattr(rnn, "proj_size", 0):
        raise _fail("nn.RNN with proj_size is not supported")
    W, W_prime = _array(rnn.weight_ih_l0), _array(rnn.weight_hh_l0)
    n, m = W.shape
    b = np.zeros(n)
    for name in ("bias_ih_l0", "bias_hh_l0"):
        if getattr(rnn, name, None) is not None:
            b = b + _array(getattr(rnn, name))
    x = _array(inputs)
    if x.ndim == 3:
        if 1 not in x.shape[:2]:
            raise _fail(f"inputs have a batch of {x.shape}; give one sequence (T×m)")
        x = x.reshape(-1, x.shape[-1])
    if x.ndim == 1 and m == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != m:
        raise _fail(f"inputs are {'×'.join(map(str, x.shape))}, expected T×{m} (m = {m} from rnn.weight_ih_l0)")
    if head is not None:
        w_out, b_out = _array(head.weight), _array(head.bias) if head.bias is not None else None
        if w_out.shape[1] != n:
            raise _fail(f"head.weight is {w_out.shape[0]}×{w_out.shape[1]}, expected q×{n}")
        b_out = np.zeros(w_out.shape[0]) if b_out is None else b_out
    else:
        w_out, b_out = np.eye(n), np.zeros(n)
    q, T = w_out.shape[0], len(x)
    y = _array(targets)
    if y.ndim == 3:
        y = y.reshape(-1, y.shape[-1])
    if y.ndim == 0:
        y = y.reshape(1)
    if y.ndim == 1 and q == 1 and len(y) == T and T > 1:
        y = y[:, None]  # one output at every step
    every = y.ndim == 2
    if (every and y.shape != (T, q)) or (not every and y.shape != (q,)):
        raise _fail(f"targets are {'×'.join(map(str, y.shape))}, expected {q} numbers or {T}×{q}")
    start = np.zeros(n) if h0 is None else _array(h0).reshape(-1)
    if start.shape != (n,):
        raise _fail(f"h0 has {start.size} numbers, expected n = {n}")

    def frozen(a):
        return tuple(frozen(v) for v in a) if np.ndim(a) else float(a)

    scenario = Scenario(
        w=frozen(W), w_prime=frozen(W_prime), b=frozen(b), w_out=frozen(w_out), b_out=frozen(b_out),
        h0=frozen(start), x=frozen(x), y=frozen(y), shape=(n, m, q), title=title or "from torch.nn.RNN",
        description=description, activation=activation, output_activation=output_activation, loss=loss,
        learning_rate=learning_rate, truncate=truncate, clip=clip, source="<torch>",
    )
    # the file format's checks (losses, targets, finite numbers) are the one place of truth
    return parse_scenario(scenario.to_toml(), "<torch>")
