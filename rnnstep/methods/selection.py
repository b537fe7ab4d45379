"""Which terms of the t×k triangle enter the tape's sum, with which weight (SPEC §3, §9).

``select_terms`` is asked once per tape with every term's (t, k) and answers with a
weight per term (1 unless randomized) and whether the term is left out of the running
sum, and ``reason`` says why in one line. TBPTT's chunks select their own terms
(tbptt.py); RTRL and full BPTT keep every term with weight 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .randomized import coins, last_stop, term_weights


@dataclass(frozen=True)
class Selection:
    excluded: np.ndarray  # bool per term: shown, not added
    weight: np.ndarray | None  # float per term, or None when every weight is 1


def select_terms(scenario, t: np.ndarray, k: np.ndarray) -> Selection:
    """The terms (t, k) of full BPTT as this scenario's method and truncation decide."""
    K = scenario.truncate
    excluded = (t - k) >= K if K is not None else np.zeros(len(t), dtype=bool)
    if getattr(scenario, "method", "bptt") != "randomized":
        return Selection(excluded, None)
    weight = term_weights(t, k, scenario.keep, coins(scenario.T, scenario.keep, scenario.seed or 0))
    return Selection(excluded | (weight == 0.0), weight)


def reason(scenario, t: int, k: int, weight: float | None = None) -> str:
    """Why term (t, k) is left out of the sum, in one line ("" if it is added)."""
    K = scenario.truncate
    if K is not None and t - k >= K:
        return f"truncated: t − k = {t - k} ≥ K = {K}"
    if getattr(scenario, "method", "bptt") == "randomized" and weight == 0.0:
        stop = int(_stops(scenario.T, scenario.keep, scenario.seed or 0)[t - 1])  # the latest stop ≤ t (> k here)
        return f"dropped: the coin at step {stop} stopped the gradient (ξ{_sub(stop)} = 0)"
    return ""


@lru_cache(maxsize=8)
def _stops(T: int, keep: float, seed: int) -> np.ndarray:
    """For each step t, the latest stopped step ≤ t (one pass, shared by every term's reason)."""
    return last_stop(coins(T, keep, seed))


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def left_out_text(tape, param: str, i: int) -> str:
    """The step panel's line for a term left out of the sum: why, and that it is not added."""
    table = tape.gradients[param]
    t, k = int(table.t[i]), int(table.k[i])
    weight = None if table.weight is None else float(table.weight[i])
    return f"{reason(tape.scenario, t, k, weight)}; computed but NOT added to the running sum"


def weight_of(tape, param: str, i: int) -> float | None:
    """The weight a kept term is added with, when it is not 1 (randomized truncation); else None."""
    table = tape.gradients[param]
    if table.weight is None or table.truncated[i] or table.weight[i] == 1.0:
        return None
    return float(table.weight[i])


def tally_text(tape, param: str) -> str:
    """How many terms the sum kept and left out, and by which rule (the last term's line)."""
    table = tape.gradients[param]
    cut = int(table.truncated.sum())
    if not cut:
        return "(all terms added)" if table.weight is None else "(all terms added, with their weights)"
    if tape.scenario.truncate is not None:
        return f"(the {len(table) - cut} terms with t − k < K added; {cut} truncated)"
    return f"(the {len(table) - cut} terms the coins kept added with their weights; {cut} dropped)"
