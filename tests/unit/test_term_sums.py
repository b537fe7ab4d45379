"""Running sums of a vector TermTable: term by term, in order, bit for bit (issue 16's speed work
must not move a single addition), and the gated tape's one pass over W′, W, b, b′ together."""

from __future__ import annotations

import numpy as np
import pytest

from rnnstep.terms import TermTable


def _table_data(seed: int, T: int, r: int, c: int, cut: bool, weighted: bool):
    rng = np.random.default_rng(seed)
    t = np.full(T, T)
    k = np.arange(T, 0, -1)  # one target at T: terms k = T … 1
    rows = rng.normal(size=(T, r)) * 10.0 ** rng.integers(-6, 6, size=(T, 1))
    inputs = rng.normal(size=(T, c))
    truncated = rng.random(T) < 0.3 if cut else np.zeros(T, dtype=bool)
    weight = rng.choice([0.0, 1.0, 2.0, 1.0 / 3.0], size=T) if weighted else None
    return t, k, truncated, rows, inputs, weight


def _by_hand(t, k, truncated, rows, inputs, weight):
    """Σ term_i in order, one addition per term (the contract), written out here."""
    sums, current = [], None
    for i in range(len(t)):
        term = rows[i][:, None] * inputs[k[i] - 1][None, :]
        if weight is not None:
            term = term * weight[i]
        if truncated[i]:
            term = np.zeros_like(term)
        current = term if current is None else current + term
        sums.append(current)
    return sums


@pytest.mark.parametrize("T, r, c, cut, weighted", [(1, 4, 3, False, False), (17, 4, 1, False, False),
                                                     (300, 12, 5, True, False), (257, 8, 3, True, True),
                                                     (129, 1, 2, False, True)])
def test_the_running_sums_are_the_terms_added_one_by_one(T, r, c, cut, weighted):
    t, k, truncated, rows, inputs, weight = _table_data(T + r, T, r, c, cut, weighted)
    table = TermTable("w", t, k, truncated, rows, None, inputs, True, weight)
    expected = _by_hand(t, k, truncated, rows, inputs, weight)
    assert table.total.tobytes() == expected[-1].tobytes()
    for i in sorted({0, T // 3, T // 2, T - 1, min(T - 1, 127), min(T - 1, 128)}):
        assert table.running_sum[i].tobytes() == expected[i].tobytes()


@pytest.mark.parametrize("T, n, m", [(1, 1, 1), (50, 1, 2), (300, 3, 2), (257, 7, 5)])
def test_sums_together_give_each_table_the_numbers_it_adds_alone(T, n, m):
    t, k, truncated, rows, O_prev, weight = _table_data(T * n, T, 4 * n, n, True, True)
    x = np.random.default_rng(T).normal(size=(T, m))
    ones = np.ones((T, 1))
    inputs = {"w_prime": O_prev, "w": x, "b": ones, "b_prime": ones}
    together = TermTable.sums_together(t, k, truncated, rows, list(inputs.values()), weight)
    for (param, column), sums in zip(inputs.items(), together):
        alone = TermTable(param, t, k, truncated, rows, None, column, True, weight)
        joint = TermTable(param, t, k, truncated, rows, None, column, True, weight, sums)
        assert joint.total.tobytes() == alone.total.tobytes()
        for i in sorted({0, T // 2, T - 1}):
            assert joint.running_sum[i].tobytes() == alone.running_sum[i].tobytes()
