"""Which terms of the t×k triangle enter the tape's sum, with which weight (SPEC §3, §9).

``select_terms`` is asked once per tape with every term's (t, k) and answers with a
weight per term (1 unless randomized) and whether the term is left out of the running
sum, and ``reason`` says why in one line. TBPTT's chunks select their own terms
(tbptt.py); RTRL and full BPTT keep every term with weight 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .randomized import coins, term_weights


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
        flows = coins(scenario.T, scenario.keep, scenario.seed or 0)
        stopped = [j for j in range(k + 1, t + 1) if not flows[j - 1]]
        return f"dropped: the coin at step {stopped[-1]} stopped the gradient (ξ{_sub(stopped[-1])} = 0)"
    return ""


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
