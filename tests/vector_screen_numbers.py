"""Read a vector scenario's screen (SPEC §7) as a student would: every decimal number on it
must be a value of the tape — an entry of one of its arrays, or a norm the panels show —
written whole or correctly rounded to fewer digits, in the plain form (``fmt``) or the short
exponent form of a narrow grid cell (-7.25e-4), never cut.

The set of values is computed here with numpy from the tape's arrays, not with the panels'
code: the terms are multiplied out, the running sums added up, the norms taken (spectral
norms with ``numpy.linalg.svd``) and the norms' products along each path multiplied, so a
panel that shows a wrong or cut number fails. A long tape has millions of entries, so the
values are kept as one sorted array and each number on the screen is looked up in it
(its nearest values rounded to 1 … ``digits`` digits), not as a set of every spelling.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from rnnstep import notation as nt

from screen_numbers import NUMBER


def short_exponent(value: float, digits: int) -> str:
    """-6.3e-3: the compact spelling (SPEC of ``numbers.fit``): scientific notation with
    ``digits`` significant digits, without the exponent's plus sign and padding zero.
    Written here from the rule, not imported, so a change to the formatter is caught."""
    mantissa, exponent = f"{value:.{max(0, digits - 1)}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def spellings(value: float, digits: int = 6) -> set[str]:
    """Every legitimate way to show ``value``: ``fmt`` to 1 … ``digits`` significant digits,
    or the short exponent form to as many."""
    out = {nt.fmt(value, d) for d in range(1, digits + 1)}
    if math.isfinite(value) and value != 0:
        out |= {short_exponent(value, d) for d in range(1, digits + 1)}
    return out


def largest(stack) -> np.ndarray:
    """max |·| of each array of a stack (a summary's largest entry, unsigned)."""
    stack = np.asarray(stack, dtype=np.float64)
    return np.max(np.abs(stack.reshape(len(stack), -1)), axis=1)


def _spectral(M: np.ndarray) -> np.ndarray:
    """‖M‖₂ of a stack of matrices: the largest singular value (numpy.linalg.svd)."""
    M = np.asarray(M, dtype=np.float64)
    out = np.full(M.shape[0], np.nan)
    finite = np.isfinite(M).all(axis=(1, 2))
    if finite.any():
        out[finite] = np.linalg.svd(M[finite], compute_uv=False)[:, 0]
    return out


class TapeNumbers:
    """The numbers a vector scenario's screen may show; ``text in numbers`` says whether ``text``
    is one of them written whole or correctly rounded (``screen_numbers.cut_numbers`` reads it so)."""

    def __init__(self, tape, digits: int = 6) -> None:
        self.digits = digits
        self.values = np.unique(np.concatenate([np.ravel(np.asarray(v, dtype=np.float64))
                                                for v in self._arrays(tape)]))
        self.values = self.values[np.isfinite(self.values)]
        source = Path(tape.scenario.source)
        # numbers a teacher wrote in the file (notes, description, comments) are shown as written
        self.written = set(NUMBER.findall(source.read_text(encoding="utf-8"))) if source.is_file() else set()

    def __contains__(self, text: str) -> bool:
        if text in self.written:
            return True
        try:
            shown = float(text)
        except ValueError:
            return False
        if not math.isfinite(shown):
            return False
        values = self.values
        # a value shown as ``text`` lies within half a unit of its last digit of ``shown``: the values
        # nearest to it are the ones to try (a closer value rounds to the same text at the same digits)
        at = int(np.searchsorted(values, shown))
        for v in values[max(0, at - 4):at + 4]:
            if text in spellings(float(v), self.digits):
                return True
        return False

    def _arrays(self, tape):
        """Every entry of every tape array, and every number derived from them that a panel shows."""
        s, w = tape.scenario, tape.weights
        # the scenario: weights, h0, inputs, targets, η, clip
        yield from (w[k] for k in ("w", "w_prime", "b", "w_out", "b_out", "h0", "x", "y"))
        yield [s.learning_rate] + ([s.clip] if s.clip else [])
        from screen_numbers import method_values  # SPEC §9: weights, ‖g‖, scale, the value-clip angle …

        yield method_values(tape)
        # forward and outputs
        yield from (tape.a, tape.O, tape.f_prime, tape.z, tape.yhat, tape.losses, [tape.loss])
        O_all = np.concatenate((w["h0"][None], tape.O))
        yield np.linalg.norm(O_all, axis=1)  # ‖O_t‖, t = 0 … T
        # the factors of δ: ∂ℓ_t/∂ŷ_t (1×q), ∂ŷ_t/∂z_t (q×q, the softmax's full Jacobian), ∂z_t/∂O_t = W_out,
        # ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′, ∂O_k/∂a_k = diag(f′(a_k)) — and the spectral norm of each
        dl_dyhat = np.asarray(tape.dl_dyhat, dtype=np.float64)
        if tape.g.name == "softmax":
            dyhat_dz = np.stack([np.diag(p) - np.outer(p, p) for p in tape.yhat])
        else:
            dyhat_dz = np.stack([np.diag(g) for g in np.atleast_2d(tape.g_prime)])
        jacobians = tape.f_prime[:, :, None] * w["w_prime"][None]  # index j − 1
        yield from (dl_dyhat, dyhat_dz, jacobians)
        end_norms = {
            "dl": np.linalg.norm(dl_dyhat, axis=1),
            "dyhat": _spectral(dyhat_dz),
            "w_out": float(np.linalg.svd(w["w_out"], compute_uv=False)[0]),
            "f_prime": np.max(np.abs(tape.f_prime), axis=1),  # ‖diag(f′(a_k))‖₂
        }
        J_norm = _spectral(jacobians)
        yield from (end_norms["dl"], end_norms["dyhat"], [end_norms["w_out"]], end_norms["f_prime"], J_norm)
        # the recursion ∂L/∂O_t, ∂L/∂a_t and ∂ℓ_t/∂z_t
        yield from (tape.dL_dO, tape.dL_da, tape.to_z)
        # products of the Jacobians' norms along every path t → k (∏_{j=k+1}^{t}) and of all δ's factors' norms
        position = {int(t): i for i, t in enumerate(tape.targets)}
        for t in (int(t) for t in tape.targets):
            p = position[t]
            back = np.concatenate(([1.0], np.cumprod(J_norm[t - 1:0:-1])))  # k = t, t−1, …, 1
            yield back
            ends = end_norms["dl"][p] * end_norms["dyhat"][p] * end_norms["w_out"]
            yield ends * back * end_norms["f_prime"][t - 1::-1]  # ∏‖·‖₂ of δ(t,k)'s factors
            yield [end_norms["dl"][p] * end_norms["dyhat"][p]]  # an output term's two factors
        # the terms: δ, input, δᵀ·inputᵀ, running sums, totals, and their norms
        for param, table in tape.gradients.items():
            N = len(table)
            steps = (table.k if table.k is not None else table.t) - 1
            deltas = table.deltas(0, N)
            inputs = np.asarray(table.inputs, dtype=np.float64)[steps]
            terms = deltas[:, :, None] * inputs[:, None, :]  # the outer product, (N, n, m)
            kept = np.where(table.truncated[:, None, None], 0.0, terms)
            sums = np.cumsum(kept, axis=0)  # the running sums, in order
            yield from (deltas, inputs, terms, sums)
            for stack in (terms, sums):
                flat = stack.reshape(N, -1)
                yield np.linalg.norm(flat, axis=1)  # ‖term‖, ‖Σ‖ (Frobenius)
                yield np.max(np.abs(flat), axis=1)  # max|·|
            yield np.linalg.norm(deltas, axis=1)  # ‖δ‖
        # the update: old, gradient, clipped, new, and the largest move max|new − old| (the sums panel)
        for u in tape.updates.values():
            yield from (u.old, u.grad, u.clipped, u.new, [np.max(np.abs(np.asarray(u.new) - np.asarray(u.old)))])
        # a vector or matrix too big for its box is summarised as "3×4  ‖·‖ = …  max |·| …" (matrix.summary):
        # the Frobenius norm of each vector and matrix a step shows (those of δ, the terms and sums are above)
        def frobenius(stack) -> np.ndarray:
            stack = np.asarray(stack, dtype=np.float64)
            return np.linalg.norm(stack.reshape(len(stack), -1), axis=1)

        for k in ("w", "w_prime", "b", "w_out", "b_out"):
            yield [np.linalg.norm(w[k])]
        for u in tape.updates.values():
            yield [np.linalg.norm(u.old), np.linalg.norm(u.grad), np.linalg.norm(u.clipped), np.linalg.norm(u.new)]
        yield from (frobenius(stack) for stack in (tape.x, tape.a, tape.z, tape.yhat, w["y"], dyhat_dz, jacobians,
                                                   tape.dL_dO, tape.dL_da, tape.to_z))
        # and the largest |entry| of each, unsigned (the summary's "max |·|")
        yield from (largest(stack) for stack in (tape.x, tape.a, tape.O, tape.z, tape.yhat, w["y"], dyhat_dz,
                                                 jacobians, tape.dL_dO, tape.dL_da, tape.to_z, tape.f_prime))
        yield [np.max(np.abs(w[k])) for k in ("w", "w_prime", "b", "w_out", "b_out", "h0")]
        for u in tape.updates.values():
            yield [np.max(np.abs(np.asarray(a, dtype=np.float64))) for a in (u.old, u.grad, u.clipped, u.new)]
        for table in tape.gradients.values():
            steps = (table.k if table.k is not None else table.t) - 1
            yield from (largest(table.deltas(0, len(table))), largest(np.asarray(table.inputs, dtype=np.float64)[steps]))
        yield np.linalg.norm(tape.f_prime, axis=1)  # ‖diag(f′(a_k))‖, Frobenius
        # a claim's verdict says what its stated inputs give (a worked example's planted slip), as the scalar
        # screens do (screen_numbers.allowed_numbers): the recomputation from the claimed inputs
        if s.claims:
            from rnnstep.verify import verify

            yield from ([r.recomputed] for r in verify(tape).results if r.recomputed is not None)
