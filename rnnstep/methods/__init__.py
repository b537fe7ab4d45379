"""Ways to train through time (SPEC §9): each method is a choice of terms.

This package is the one place that decides, for an update, which terms (t, k) of
the t×k triangle enter, with which weight, and why a left-out term is left out:

- ``selection.py``  bptt / truncate = K / randomized: a weight and an excluded flag per term
- ``randomized.py`` the coins ξ_j of randomized truncation and ``--samples`` (many seeds at once)
- ``tbptt.py``      TBPTT(k1, k2): one forward / backward / update block per chunk of k1 steps
- ``rtrl.py``       real-time recurrent learning: the influence matrices P_t carried forward, and the cost
- ``clipping.py``   clip by norm (all parameters together) beside clip by value
- ``keys.py``       the [train] keys of the methods, read and checked with one-line errors

The tape asks ``select_terms`` where it used to compare t − k with K; the printers
and panels draw what these modules decided and recompute nothing.
"""

from __future__ import annotations

METHODS = ("bptt", "tbptt", "randomized", "rtrl")

#: RTRL's influence matrix is n × (n² + nm + n); one step multiplies it by W′ (n⁴ and more)
RTRL_MAX_HIDDEN = 16
#: a gated cell's P_t is S × G·n·(n + m + 2) (S = 2n LSTM, n GRU): one step multiplies ≈ S²·G·n² = 16n⁴ (LSTM)
#: or 3n⁴ (GRU), so at these n a step costs about what the plain cell's does at n = 16 (16·8⁴ = 16⁴, 3·12⁴ ≈ 16⁴)
RTRL_MAX_HIDDEN_GATED = {"lstm": 8, "gru": 12}

from .selection import Selection, select_terms  # noqa: E402

__all__ = ["METHODS", "RTRL_MAX_HIDDEN", "RTRL_MAX_HIDDEN_GATED", "Selection", "select_terms"]
