"""Independent references for gated cells (SPEC §8), written for the tests with torch float64 autograd.

Nothing here imports rnnstep's engine. ``per_step_terms`` unrolls the cell by hand with a
separate copy of every weight at every step, so the gradient of ℓ_t with respect to the
copy used at step k IS term(p, t, k) by definition; ``module_totals`` runs torch's own
nn.LSTM / nn.GRU; ``step_jacobians`` takes J_j = ∂s_j/∂s_{j−1} and ∂s_k/∂a_k from autograd
so that the route enumeration shares no formula with the engine.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch

F64 = torch.float64


def _t(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=F64)


def weights(s) -> dict[str, torch.Tensor]:
    a = s.arrays()
    return {k: _t(v) for k, v in a.items()}


def cell_step(cell: str, W, Wp, b, bp, x, h, c):
    """One step of the cell, PyTorch's equations: (h, c) → (h′, c′)."""
    n = h.shape[0]
    if cell == "lstm":
        a = W @ x + b + Wp @ h + bp
        i, f, g, o = torch.sigmoid(a[:n]), torch.sigmoid(a[n:2 * n]), torch.tanh(a[2 * n:3 * n]), torch.sigmoid(a[3 * n:])
        c = f * c + i * g
        return o * torch.tanh(c), c
    gi, gh = W @ x + b, Wp @ h + bp
    r = torch.sigmoid(gi[:n] + gh[:n])
    u = torch.sigmoid(gi[n:2 * n] + gh[n:2 * n])
    new = torch.tanh(gi[2 * n:] + r * gh[2 * n:])
    return (1 - u) * new + u * h, c


def head_loss(s, z, y):
    """ℓ(g(z), y) in torch."""
    g = s.output_activation
    yhat = {"identity": lambda v: v, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
            "softmax": lambda v: torch.softmax(v, 0)}[g](z)
    if s.loss == "squared":
        return ((yhat - y) ** 2).sum()
    if s.loss == "half_squared":
        return 0.5 * ((yhat - y) ** 2).sum()
    if s.loss == "bce":
        return -(y * torch.log(yhat) + (1 - y) * torch.log(1 - yhat)).sum()
    return -(y * torch.log(yhat)).sum()


def per_step_terms(s) -> dict[tuple[str, int, int], np.ndarray]:
    """term(p, t, k) = ∂ℓ_t/∂(the copy of p used at step k only), for p in w, w_prime, b, b_prime."""
    w = weights(s)
    T, n = s.T, s.sizes[0]
    targets = s.targets
    ys = w["y"]
    out: dict[tuple[str, int, int], np.ndarray] = {}
    for position, t in enumerate(targets):
        copies = [{p: w[p].clone().requires_grad_(True) for p in ("w", "w_prime", "b", "b_prime")} for _ in range(t)]
        h, c = w["h0"], w["c0"] if s.cell == "lstm" else torch.zeros(n, dtype=F64)
        for k in range(t):
            cp = copies[k]
            h, c = cell_step(s.cell, cp["w"], cp["w_prime"], cp["b"], cp["b_prime"], w["x"][k], h, c)
        loss = head_loss(s, w["w_out"] @ h + w["b_out"], ys[position])
        grads = torch.autograd.grad(loss, [cp[p] for cp in copies for p in ("w", "w_prime", "b", "b_prime")])
        for k in range(t):
            for j, p in enumerate(("w", "w_prime", "b", "b_prime")):
                out[(p, t, k + 1)] = grads[4 * k + j].numpy()
    return out


def module_totals(s, dtype=F64) -> dict[str, np.ndarray]:
    """∂L/∂p from torch's own nn.LSTM / nn.GRU (one layer) and a linear head."""
    n, m, q = s.sizes
    module = (torch.nn.LSTM if s.cell == "lstm" else torch.nn.GRU)(m, n).to(dtype)
    w = weights(s)
    with torch.no_grad():
        module.weight_ih_l0.copy_(w["w"]); module.weight_hh_l0.copy_(w["w_prime"])
        module.bias_ih_l0.copy_(w["b"]); module.bias_hh_l0.copy_(w["b_prime"])
    w_out = w["w_out"].clone().requires_grad_(True)
    b_out = w["b_out"].clone().requires_grad_(True)
    state = (w["h0"][None, :], w["c0"][None, :]) if s.cell == "lstm" else w["h0"][None, :]
    out, _ = module(w["x"], state)
    loss = sum(head_loss(s, w_out @ out[t - 1] + b_out, w["y"][p]) for p, t in enumerate(s.targets))
    loss.backward()
    return {"w": module.weight_ih_l0.grad.numpy(), "w_prime": module.weight_hh_l0.grad.numpy(),
            "b": module.bias_ih_l0.grad.numpy(), "b_prime": module.bias_hh_l0.grad.numpy(),
            "w_out": w_out.grad.numpy(), "b_out": b_out.grad.numpy(), "loss": float(loss.detach()), "O": out.detach().numpy()}


def _state_step(s, w, k):
    """s_{k} as a function of s_{k−1} (the state (O, c) for the LSTM, O for the GRU), at step k (from 1)."""
    n = s.sizes[0]

    def step(state):
        h, c = (state[:n], state[n:]) if s.cell == "lstm" else (state, torch.zeros(n, dtype=F64))
        h2, c2 = cell_step(s.cell, w["w"], w["w_prime"], w["b"], w["b_prime"], w["x"][k - 1], h, c)
        return torch.cat((h2, c2)) if s.cell == "lstm" else h2
    return step


def states(s) -> list[torch.Tensor]:
    """s_0 … s_T."""
    w = weights(s)
    n = s.sizes[0]
    out = [torch.cat((w["h0"], w["c0"])) if s.cell == "lstm" else w["h0"]]
    for k in range(1, s.T + 1):
        out.append(_state_step(s, w, k)(out[-1]))
    return out


def step_jacobians(s) -> list[np.ndarray]:
    """J_j = ∂s_j/∂s_{j−1} by autograd, j = 1 … T (index j − 1)."""
    w, ss = weights(s), states(s)
    return [torch.autograd.functional.jacobian(_state_step(s, w, j), ss[j - 1]).numpy() for j in range(1, s.T + 1)]


def pre_activation_partials(s, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(∂s_k/∂a_k, ∂s_k/∂ã_k) by autograd: a_k = W·x_k + b (+ W′·O_{k−1} + b′ for the LSTM) enters as a free vector."""
    w, ss = weights(s), states(s)
    n = s.sizes[0]
    prev = ss[k - 1]
    h, c = (prev[:n], prev[n:]) if s.cell == "lstm" else (prev, None)
    x_side = w["w"] @ w["x"][k - 1] + w["b"]
    h_side = w["w_prime"] @ h + w["b_prime"]

    def through(a_x, a_h):
        if s.cell == "lstm":
            a = a_x + a_h
            i, f, g, o = torch.sigmoid(a[:n]), torch.sigmoid(a[n:2 * n]), torch.tanh(a[2 * n:3 * n]), torch.sigmoid(a[3 * n:])
            c2 = f * c + i * g
            return torch.cat((o * torch.tanh(c2), c2))
        r = torch.sigmoid(a_x[:n] + a_h[:n])
        u = torch.sigmoid(a_x[n:2 * n] + a_h[n:2 * n])
        new = torch.tanh(a_x[2 * n:] + r * a_h[2 * n:])
        return (1 - u) * new + u * h

    dx = torch.autograd.functional.jacobian(lambda a: through(a, h_side), x_side).numpy()
    dh = torch.autograd.functional.jacobian(lambda a: through(x_side, a), h_side).numpy()
    return dx, dh


def loss_rows(s) -> dict[int, np.ndarray]:
    """∂ℓ_t/∂O_t for every target t, by autograd on the head alone."""
    w = weights(s)
    ss = states(s)
    n = s.sizes[0]
    out = {}
    for p, t in enumerate(s.targets):
        O = ss[t][:n].clone().requires_grad_(True)
        out[t] = torch.autograd.grad(head_loss(s, w["w_out"] @ O + w["b_out"], w["y"][p]), O)[0].numpy()
    return out


def routes(s, t: int, k: int, recurrent_side: bool = False) -> list[tuple[tuple, np.ndarray]]:
    """Every route through the state graph from ℓ_t to the pre-activations at k: (labels, its share of δ).

    LSTM: the lane (O or c) of each state s_{t−1} … s_k, each step one n×n block of J_j;
    GRU: at each step j = t … k+1 either the carry diag(u_j) or the rest of J_j. 2^{t−k} routes."""
    n = s.sizes[0]
    J = step_jacobians(s)
    D = pre_activation_partials(s, k)[1 if recurrent_side else 0]
    row = loss_rows(s)[t]
    found = []
    if s.cell == "lstm":
        lane = {"O": slice(0, n), "c": slice(n, 2 * n)}
        for labels in itertools.product("Oc", repeat=t - k):
            path = ("O",) + labels
            r = row
            for step, (here, there) in enumerate(zip(path, path[1:])):
                j = t - step
                r = r @ J[j - 1][lane[here], lane[there]]
            found.append((path, r @ D[lane[path[-1]], :]))
        return found
    ws = weights(s)
    for labels in itertools.product(("carry", "rest"), repeat=t - k):
        r = row
        for step, label in enumerate(labels):
            j = t - step
            u = torch.sigmoid(ws["w"][n:2 * n] @ ws["x"][j - 1] + ws["b"][n:2 * n]
                              + ws["w_prime"][n:2 * n] @ states(s)[j - 1] + ws["b_prime"][n:2 * n]).numpy()
            block = np.diag(u) if label == "carry" else J[j - 1] - np.diag(u)
            r = r @ block
        found.append((labels, r @ D))
    return found
