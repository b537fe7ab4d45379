"""Build a scenario from a PyTorch ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (and an optional ``nn.Linear``
head), to step through your own model's backward pass term by term.

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
For nn.RNN ``bias_ih + bias_hh`` are folded into one ``b`` (they are only ever added); an LSTM
or a GRU keeps them as ``b`` and ``b_prime`` (SPEC §8; the GRU's r ⊙ ã_n needs them apart).
Without a head the output is the hidden state itself (W_out = I, q = n). With
``loss="cross_entropy"`` targets may be class indices (as nn.CrossEntropyLoss takes them):
they are one-hot encoded, and a note on the loss says so.
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


def _module_kind(rnn: Any) -> str:
    """"rnn", "lstm" or "gru", or a one-line refusal naming what is not supported."""
    import torch

    kinds = ((torch.nn.LSTM, "lstm"), (torch.nn.GRU, "gru"), (torch.nn.RNN, "rnn"))
    cell = next((kind for cls, kind in kinds if isinstance(rnn, cls)), None)
    if cell is None:
        raise _fail(f"expected a torch.nn.RNN, nn.LSTM or nn.GRU, found {type(rnn).__name__}")
    name = type(rnn).__name__
    if getattr(rnn, "num_layers", 1) != 1:
        raise _fail(f"{name} has num_layers = {rnn.num_layers}: only a single-layer {name} can be stepped through")
    if getattr(rnn, "bidirectional", False):
        raise _fail(f"{name} is bidirectional: only a one-directional, single-layer {name} can be stepped through")
    if getattr(rnn, "proj_size", 0):
        raise _fail(f"{name} with proj_size = {rnn.proj_size} is not supported (O_t would be projected)")
    return cell


def _inputs(x: Any, m: int, batch_first: bool, name: str) -> Any:
    """T×m from T×m, or from a batch of one laid out as the module reads it (batch_first or not)."""
    if x.ndim == 3:
        T_axis, batch_axis = (1, 0) if batch_first else (0, 1)
        if x.shape[batch_axis] != 1:
            if x.shape[T_axis] == 1:
                raise _fail(f"inputs are {'×'.join(map(str, x.shape))} but {name}.batch_first is {batch_first}: "
                            f"expected {'1×T×m' if batch_first else 'T×1×m'} for one sequence")
            raise _fail(f"inputs have a batch of {x.shape[batch_axis]}; give one sequence (T×m)")
        x = x.reshape(-1, x.shape[-1])
    if x.ndim == 1 and m == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != m:
        raise _fail(f"inputs are {'×'.join(map(str, x.shape))}, expected T×{m} (m = {m} from rnn.weight_ih_l0)")
    return x


def _head(head: Any, n: int) -> tuple[Any, Any]:
    import numpy as np

    if head is None:
        return np.eye(n), np.zeros(n)
    weight = getattr(head, "weight", None)
    if weight is None or getattr(weight, "ndim", 0) != 2:
        raise _fail(f"head must be one torch.nn.Linear (or None), found {type(head).__name__}: pass its Linear "
                    "layer and name what follows it with output_activation (identity, sigmoid, tanh, softmax)")
    w_out = _array(weight)
    bias = getattr(head, "bias", None)
    if w_out.shape[1] != n:
        raise _fail(f"head.weight is {w_out.shape[0]}×{w_out.shape[1]}, expected q×{n}")
    return w_out, (np.zeros(w_out.shape[0]) if bias is None else _array(bias))


def _class_indices(targets: Any, q: int, T: int) -> tuple[Any, str] | None:
    """Class-index targets for cross_entropy as one-hot rows, with the note that says so; None if not indices."""
    import numpy as np

    raw = targets.detach().cpu().numpy() if hasattr(targets, "detach") else np.asarray(targets)
    if raw.dtype.kind not in "iu" or raw.ndim > 1 or (raw.ndim == 1 and len(raw) not in (1, T)):
        return None
    flat = raw.reshape(-1)
    if ((flat < 0) | (flat >= q)).any():
        raise _fail(f"targets are class indices {flat.tolist()}, expected each in 0…{q - 1} (q = {q} outputs)")
    one_hot = np.eye(q)[flat]
    where = "at every step" if raw.ndim == 1 and len(flat) == T and T > 1 else "at the last step"
    note = (f"The targets were class indices {flat.tolist()} ({where}), as nn.CrossEntropyLoss takes them; "
            "here they are one-hot rows y_t, and softmax with cross_entropy is the same loss.")
    return (one_hot if where == "at every step" else one_hot[-1]), note


def scenario_from_torch(rnn: Any, inputs: Any, targets: Any, head: Any = None, *, h0: Any = None, c0: Any = None,
                        output_activation: str = "identity", loss: str = "half_squared", title: str = "",
                        description: str = "", learning_rate: float = 0.1, truncate: int | None = None,
                        clip: float | None = None) -> Scenario:
    """A vector scenario with ``rnn``'s weights (nn.RNN, nn.LSTM or nn.GRU, one layer), the ``inputs``
    (T×m, or a batch of one as the module reads it) and ``targets``: q numbers (a target at the last
    step) or T×q (every step); with cross_entropy, class indices are welcome too."""
    import numpy as np

    cell = _module_kind(rnn)
    name = type(rnn).__name__
    activation = getattr(rnn, "nonlinearity", "tanh") if cell == "rnn" else "tanh"
    if activation not in ("tanh", "relu"):
        raise _fail(f"nn.RNN nonlinearity must be tanh or relu, found {activation!r}")
    W, W_prime = _array(rnn.weight_ih_l0), _array(rnn.weight_hh_l0)
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    n, m = W_prime.shape[1], W.shape[1]
    biases = [_array(getattr(rnn, k)) if getattr(rnn, k, None) is not None else np.zeros(gates * n)
              for k in ("bias_ih_l0", "bias_hh_l0")]
    x = _inputs(_array(inputs), m, bool(getattr(rnn, "batch_first", False)), name)
    w_out, b_out = _head(head, n)
    q, T = w_out.shape[0], len(x)
    notes = ()
    indices = _class_indices(targets, q, T) if loss == "cross_entropy" else None
    if indices is not None:
        from .scenario import Note

        y, text = indices
        notes = (Note("loss", text),)
    else:
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
    if c0 is not None and cell != "lstm":
        raise _fail(f"c0 is an LSTM's starting cell state; {name} has none")
    cell_start = np.zeros(n) if c0 is None else _array(c0).reshape(-1)
    if cell_start.shape != (n,):
        raise _fail(f"c0 has {cell_start.size} numbers, expected n = {n}")

    def frozen(a):
        return tuple(frozen(v) for v in a) if np.ndim(a) else float(a)

    gated = {} if cell == "rnn" else {"cell": cell, "b_prime": frozen(biases[1]),
                                      "c0": frozen(cell_start) if cell == "lstm" else None}
    b = biases[0] + biases[1] if cell == "rnn" else biases[0]
    scenario = Scenario(
        w=frozen(W), w_prime=frozen(W_prime), b=frozen(b), w_out=frozen(w_out), b_out=frozen(b_out),
        h0=frozen(start), x=frozen(x), y=frozen(y), shape=(n, m, q), title=title or f"from torch.nn.{name}",
        description=description, activation=activation, output_activation=output_activation, loss=loss,
        learning_rate=learning_rate, truncate=truncate, clip=clip, source="<torch>", notes=notes, **gated,
    )
    # the file format's checks (losses, targets, finite numbers) are the one place of truth
    return parse_scenario(scenario.to_toml(), "<torch>")
