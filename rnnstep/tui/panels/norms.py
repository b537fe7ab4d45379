"""Spectral norms ‖·‖₂ of the factors of δ(t,k) (SPEC §7), for the screen.

‖AB‖₂ ≤ ‖A‖₂·‖B‖₂, so the product of the factors' norms bounds ‖δ‖: a path whose
Jacobians ∂O_j/∂O_{j−1} all have ‖·‖₂ < 1 must vanish, and one whose norms exceed 1
may explode. The Jacobians' norms are computed once per tape, in batches (one SVD
per step, never per term), and their logarithms summed into a prefix so that the
product over any path is two lookups. The matrices themselves come from the tape.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from ...tape import Tape

_BATCH = 256
_cache: "weakref.WeakKeyDictionary[Tape, np.ndarray]" = weakref.WeakKeyDictionary()
_prefix: "weakref.WeakKeyDictionary[Tape, np.ndarray]" = weakref.WeakKeyDictionary()


def spectral_norm(M) -> float:
    """‖M‖₂, the largest singular value (nan when M is not finite)."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    if not np.isfinite(M).all():
        return float("nan")
    return float(np.linalg.norm(M, 2))


def jacobian_norms(tape: Tape) -> np.ndarray:
    """‖∂O_j/∂O_{j−1}‖₂ for j = 1 … T (index j − 1), batched; nan where a Jacobian is not finite."""
    norms = _cache.get(tape)
    if norms is None:
        W_prime = tape.weights["w_prime"]
        gated = getattr(tape, "cell", None) is not None  # SPEC §8: the block Jacobians J_j come from the cell
        f_prime = None if gated else np.asarray(tape.f_prime, dtype=float).reshape(tape.T, -1)
        norms = np.empty(tape.T)
        with np.errstate(all="ignore"):
            for lo in range(0, tape.T, _BATCH):
                if gated:
                    J = np.stack([tape.backprop_jacobian(j) for j in range(lo + 1, min(lo + _BATCH, tape.T) + 1)])
                else:
                    J = f_prime[lo:lo + _BATCH, :, None] * W_prime  # diag(f′(a_j))·W′ for a batch of j
                finite = np.isfinite(J).all(axis=(1, 2))
                values = np.full(len(J), np.nan)
                if finite.any():
                    values[finite] = np.linalg.svd(J[finite], compute_uv=False)[:, 0]
                norms[lo:lo + _BATCH] = values
        _cache[tape] = norms
    return norms


def log10_prefix(tape: Tape) -> np.ndarray:
    """Σ_{j ≤ i} log₁₀‖∂O_j/∂O_{j−1}‖₂ (index i from 0, with a leading 0): a path's product in two lookups."""
    cached = _prefix.get(tape)
    if cached is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            cached = np.concatenate(([0.0], np.cumsum(np.log10(jacobian_norms(tape)))))
        _prefix[tape] = cached
    return cached


def backprop_log10(tape: Tape, t: int, k: int) -> float:
    """log₁₀ ∏_{j=k+1}^{t} ‖∂O_j/∂O_{j−1}‖₂ (0 for the empty product, -inf if a norm is 0)."""
    prefix = log10_prefix(tape)
    return float(prefix[t] - prefix[k])


def power_text(log10: float, digits: int = 3) -> str:
    """A positive number given by its log₁₀, written even where a float would under- or overflow."""
    from ... import notation as nt

    if math.isnan(log10):
        return "nan"
    if log10 == -math.inf:
        return "0"
    if log10 == math.inf:
        return "inf"
    value = 10.0 ** log10 if -300 < log10 < 300 else None
    if value is not None:
        return nt.fmt(value, digits)
    exponent = math.floor(log10)
    mantissa = 10.0 ** (log10 - exponent)
    text = nt.fmt(mantissa, digits)
    if text == "10":  # the mantissa rounded up a decade
        text, exponent = "1", exponent + 1
    return f"{text}e{exponent:+03d}"
