"""Which terms are 0 only because their product underflowed (every factor nonzero).

A term of ∂L/∂w′ at T = 5,000 far back is a product of thousands of factors below one:
the double runs out and the product is 0, exactly as a term with a zero factor (O₀ = 0,
a dead ReLU) is. The two are different facts: one is the maths, the other the arithmetic.
Here each term's log₁₀|product| is a sum of its factors' log₁₀|·| (from prefix sums over
the chain ∂O_j/∂O_{j−1}, once per tape: O(T) work, then O(1) per term); −inf means a
factor is 0. Plain-number (one-unit) tapes only: a vector term is a matrix whose entries
underflow one by one.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from .ids import OUTPUT_PARAMS

_PREFIX: "weakref.WeakKeyDictionary[object, tuple[np.ndarray, np.ndarray]]" = weakref.WeakKeyDictionary()


def _chain_prefix(tape) -> tuple[np.ndarray, np.ndarray]:
    """(zeros, logs): over j = 1 … T, the running count of zero factors ∂O_j/∂O_{j−1} and the running
    sum of log₁₀|·| of the nonzero ones (index j; index 0 is the empty prefix)."""
    found = _PREFIX.get(tape)
    if found is None:
        factor = np.abs(np.asarray(tape.backprop_factor, dtype=float))
        zero = factor == 0
        with np.errstate(divide="ignore"):
            logs = np.where(zero, 0.0, np.log10(np.where(zero, 1.0, factor)))
        found = _PREFIX[tape] = (np.concatenate(([0], np.cumsum(zero))), np.concatenate(([0.0], np.cumsum(logs))))
    return found


def _output_factors(tape, param: str, t: int) -> list:
    """An output term's factors: ∂L/∂ŷ_t, ∂ŷ_t/∂z_t and ∂z_t/∂param (O_t for w_out, 1 for b_out)."""
    position = tape.target_position[t]
    return [tape.dl_dyhat[position], tape.g_prime[position], float(tape.O[t - 1]) if param == "w_out" else 1.0]


def _log10(value: float) -> float:
    value = abs(float(value))
    return -math.inf if value == 0 else math.log10(value) if math.isfinite(value) else math.inf


def term_log10(tape, param: str, i: int) -> float:
    """log₁₀|term i of ∂L/∂param| as the sum of its factors' log₁₀|·| (−inf if a factor is 0, nan if one
    is not finite): the size the term would have without underflow."""
    table = tape.gradients[param]
    t = int(table.t[i])
    position = tape.target_position[t]
    if param in OUTPUT_PARAMS:
        parts = _output_factors(tape, param, t)
        return sum(_log10(p) for p in parts) if all(math.isfinite(float(p)) for p in parts) else math.nan
    k = int(table.k[i])
    ends = [tape.dl_dyhat[position], tape.dyhat_dO[position], tape.immediate_partial[param][k - 1]]
    if not all(math.isfinite(float(p)) for p in ends) or not np.isfinite(tape.backprop_factor[k:t]).all():
        return math.nan
    zeros, logs = _chain_prefix(tape)
    if zeros[t] - zeros[k] or any(float(p) == 0 for p in ends):  # ∂O_j/∂O_{j−1} for j = k+1 … t
        return -math.inf
    return float(logs[t] - logs[k]) + sum(_log10(p) for p in ends)


def underflowed(tape, param: str, i: int) -> bool:
    """Is term i 0 with no zero factor (its product below the smallest double)?"""
    if tape.vector or float(tape.gradients[param].value[i]) != 0:
        return False
    return math.isfinite(term_log10(tape, param, i))


def underflowed_terms(tape, param: str, lo: int, hi: int) -> np.ndarray:
    """The terms lo … hi − 1 that underflowed, as booleans (checked only where the term is 0)."""
    values = np.asarray(tape.gradients[param].value[lo:hi], dtype=float)
    out = np.zeros(len(values), dtype=bool)
    if tape.vector:
        return out
    for j in np.flatnonzero(values == 0):
        out[j] = underflowed(tape, param, lo + int(j))
    return out


def zero_factor(tape, param: str, i: int) -> int | None:
    """The index (from 0, SPEC §3 order) of the first factor of term i that is exactly 0, or None:
    the factor that makes a true zero (a dead ReLU's f′, O₀ = 0), found without listing the chain."""
    if tape.vector:
        return None
    table = tape.gradients[param]
    t = int(table.t[i])
    position = tape.target_position[t]
    if param in OUTPUT_PARAMS:
        return next((n for n, p in enumerate(_output_factors(tape, param, t)) if float(p) == 0), None)
    k = int(table.k[i])
    if float(tape.dl_dyhat[position]) == 0:
        return 0
    if float(tape.dyhat_dO[position]) == 0:
        return 1
    zeros, _ = _chain_prefix(tape)
    if zeros[t] - zeros[k]:  # factor 2 + (t − j) is ∂O_j/∂O_{j−1}: the nearest zero one, stepping back from t
        j = int(np.searchsorted(zeros, zeros[t], side="left"))  # where the count of zeros last rises
        return 2 + (t - j)
    if float(tape.immediate_partial[param][k - 1]) == 0:
        return t - k + 2
    return None
