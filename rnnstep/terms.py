"""The records a tape is made of: the factors of a term (``Factor``), the terms of ∂L/∂p with their
running sums (``TermTable``), and the update they add up to (``Update``), SPEC §3 and §7.

They live apart from the tapes that fill them — tape.py (the plain cell), gated_tape.py (the LSTM
and the GRU, SPEC §8) and methods/tbptt.py (TBPTT's chunks, SPEC §9) — so that each of those
imports the records without importing another of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator, Sequence

import numpy as np

from . import notation

@dataclass(frozen=True)
class Factor:
    """One factor of a chain product.

    ``kind`` is one of: ``loss_grad`` ∂L/∂ŷ_t, ``output_grad`` ∂ŷ_t/∂O_t,
    ``backprop`` ∂O_j/∂O_{j−1}, ``immediate`` ∂⁺O_k/∂p, ``output_act`` ∂ŷ_t/∂z_t,
    ``output_input`` ∂z_t/∂p; in a vector scenario (SPEC §7) also ``output_weight``
    ∂z_t/∂O_t = W_out and ``activation`` ∂O_k/∂a_k = diag(f′(a_k)), and ``value`` is a
    matrix. ``step`` is the t, j or k of the symbol.
    """

    kind: str
    step: int
    param: str | None
    value: Any
    single_target: bool = True
    loss: str = "half_squared"  # names ∂ℓ/∂ŷ's formula

    @property
    def symbol(self) -> str:
        return notation.factor_symbol(self)

    @property
    def formula(self) -> str:
        return notation.factor_formula(self)


_BLOCK = 128  # terms between two stored running sums of a vector scenario
_CHUNK = 32  # terms multiplied out at once while the running sums are built (a buffer that stays in cache)
_BIASES = ("b", "b_out", "b_prime")  # a term of a bias is δ itself (no input)


class TermTable:
    """The terms of ∂L/∂param in SPEC order.

    Every term is a rank-one outer product (SPEC §7), ``row_i ⊗ (scale_k ∘ input_k)``:
    ``rows`` holds one row per term — the chain ∂ℓ_t/∂O_k along the path t → k for
    w′, w, b, or ∂ℓ_t/∂z_t for w_out, b_out — and ``scale``/``inputs`` the per-step
    immediate partial (f′(a_k) and O_{k−1}, x_k or 1). With plain numbers the terms
    and running sums are stored as arrays, as the notes' tables list them. In a
    vector scenario a term is multiplied out when asked for, and a running sum is
    rebuilt from the stored sum at the start of its block of ``_BLOCK`` terms, so a
    long tape keeps O(terms × n) numbers, not a matrix per term.
    """

    def __init__(self, param: str, t: np.ndarray, k: np.ndarray | None, truncated: np.ndarray,
                 rows: np.ndarray, scale: np.ndarray | None, inputs: np.ndarray, vector: bool,
                 weight: np.ndarray | None = None, sums: tuple[list, np.ndarray] | None = None):
        self.param, self.t, self.k, self.truncated = param, t, k, truncated
        self.weight = weight  # per term (randomized truncation, SPEC §9); None: every weight is 1
        self.rows, self.scale, self.inputs, self.vector = rows, scale, inputs, vector
        self.shape: tuple[int, ...] = (rows.shape[1],) if param in _BIASES else (rows.shape[1], inputs.shape[1])
        #: the carry share of each δ (SPEC §8), set by a gated cell's tape; None: no carry (the plain cell)
        self.carry_rows: np.ndarray | None = None
        if vector:
            self.value: Any = _Lazy(len(t), self.term)
            if sums is None:
                self._build_checkpoints()
            else:  # (checkpoints, total), added by ``sums_together`` with the other tables of the same rows
                self._checkpoints, self._total = sums
            self.running_sum: Any = _Lazy(len(t), self._running_sum_at)
        else:
            self.value = self.block(0, len(t)).reshape(-1)
            # running_sum: the sum of the non-truncated terms up to and including this one, in order
            added = self.value if weight is None else self.value * weight  # Σ weight·term (SPEC §9)
            self.running_sum = np.cumsum(np.where(truncated, 0.0, added))

    def __len__(self) -> int:
        return len(self.t)

    @property
    def total(self) -> Any:
        """∂L/∂param: the last running sum (a number, or an array of the weight's shape)."""
        if self.vector:
            return self._total.reshape(self.shape).copy()
        return float(self.running_sum[-1])

    def _step(self, lo: int, hi: int) -> np.ndarray:
        """The step (k, or t for w_out, b_out) whose immediate partial each term uses, from 0."""
        return (self.k if self.k is not None else self.t)[lo:hi] - 1

    def block(self, lo: int, hi: int) -> np.ndarray:
        """Terms lo … hi−1 as (count, rows, cols): term = row ⊗ (scale ∘ input), SPEC §7."""
        steps = self._step(lo, hi)
        if self.scale is None:
            immediate = self.inputs[steps][:, None, :]
        else:
            immediate = self.scale[steps][:, :, None] * self.inputs[steps][:, None, :]  # ∂⁺O_k/∂p
        return self.rows[lo:hi][:, :, None] * immediate

    def term(self, i: int) -> Any:
        """Term i, as the weight's shape (a number with plain numbers)."""
        i = range(len(self))[i]
        value = self.block(i, i + 1)[0]
        return value.reshape(self.shape) if self.vector else float(value[0, 0])

    def delta(self, i: int) -> Any:
        """δ: ∂ℓ_t/∂a_k along the one path t → k (∂ℓ_t/∂z_t for w_out, b_out)."""
        row = self.deltas(i, i + 1)[0]
        return row.copy() if self.vector else float(row[0])

    def deltas(self, lo: int, hi: int) -> np.ndarray:
        """δ of terms lo … hi−1 as rows (the same numbers as ``delta(i)``, a block at a time)."""
        if self.scale is None:
            return self.rows[lo:hi]
        with np.errstate(all="ignore"):
            return self.rows[lo:hi] * self.scale[self._step(lo, hi)]

    def carry(self, i: int) -> Any:
        """The carry share of δ (SPEC §8): the part that travelled only the carry diagonal; 0 for the plain cell."""
        if self.carry_rows is None:
            return np.zeros_like(self.deltas(i, i + 1)[0]) if self.vector else 0.0
        return self.carry_rows[range(len(self))[i]].copy()

    def rest(self, i: int) -> Any:
        """rest = δ − carry: every other path (through the gates and the hidden state)."""
        with np.errstate(all="ignore"):
            return self.delta(i) - self.carry(i)

    def input(self, i: int) -> np.ndarray | None:
        """The vector the outer product takes δ with: O_{k−1}, x_k or O_t; None for b and b_out."""
        if self.param in _BIASES:
            return None
        return self.inputs[int(self._step(i, i + 1)[0])].copy()

    @cached_property
    def norms(self) -> np.ndarray:
        """‖term‖ (Frobenius) of every term: ‖δ‖·‖input‖, as each term is rank one."""
        steps = self._step(0, len(self))
        with np.errstate(all="ignore"):
            delta = self.rows if self.scale is None else self.rows * self.scale[steps]
            return np.linalg.norm(delta, axis=1) * np.linalg.norm(self.inputs[steps], axis=1)

    @cached_property
    def max_abs(self) -> np.ndarray:
        """The largest |entry| of every term: max|δ|·max|input| (inf or nan where it overflowed)."""
        steps = self._step(0, len(self))
        with np.errstate(all="ignore"):
            delta = self.rows if self.scale is None else self.rows * self.scale[steps]
            return np.max(np.abs(delta), axis=1) * np.max(np.abs(self.inputs[steps]), axis=1)

    def _kept_block(self, lo: int, hi: int) -> np.ndarray:
        block = self._weighted(lo, hi, self.block(lo, hi))
        if not self.truncated[lo:hi].any():  # nothing to zero: the block as it is (no second copy of it)
            return block
        return np.where(self.truncated[lo:hi, None, None], 0.0, block)

    def _weighted(self, lo: int, hi: int, terms: np.ndarray) -> np.ndarray:
        """weight·term, as the running sum adds it (the terms themselves unweighted)."""
        return terms if self.weight is None else terms * self.weight[lo:hi, None, None]

    def _build_checkpoints(self) -> None:
        """The running sum before each block of _BLOCK terms, added term by term as the notes do."""
        self._checkpoints: list[np.ndarray] = []
        current = None
        rows, cols = self.rows.shape[1], self.inputs.shape[1]
        if rows * cols > 1 and len(self):  # the same additions, _CHUNK terms at a time in one reused buffer
            buffer = np.empty((min(_CHUNK, len(self)) + 1, rows, cols))
            with np.errstate(all="ignore"):
                for lo in range(0, len(self), _BLOCK):
                    self._checkpoints.append(current)
                    for start in range(lo, min(lo + _BLOCK, len(self)), _CHUNK):
                        current = self._add_chunk(buffer, current, start, min(start + _CHUNK, lo + _BLOCK, len(self)))
            self._total = current
            return
        with np.errstate(all="ignore"):
            for lo in range(0, len(self), _BLOCK):
                self._checkpoints.append(current)
                current = self._sum(current, self._kept_block(lo, min(lo + _BLOCK, len(self))))
        self._total = current

    @staticmethod
    def sums_together(t: np.ndarray, k: np.ndarray | None, truncated: np.ndarray, rows: np.ndarray,
                      inputs: list[np.ndarray], weight: np.ndarray | None = None) -> list[tuple[list, np.ndarray]]:
        """The (checkpoints, total) of several tables whose terms share their rows (δ) and differ only in
        the input of the outer product (W′, W, b, b′ of one cell): one pass over [input₁ | input₂ | …].
        Entry (i, j) of a term is row_i·input_j and its running sum adds the terms one by one in order,
        whichever columns sit beside it, so each table's numbers are the ones it would add alone."""
        columns, where = [], []
        for x in inputs:  # an input passed twice (b and b′ both take 1) is multiplied out once
            same = next((i for i, y in enumerate(columns) if y is x), None)
            if same is None:
                columns.append(x)
                same = len(columns) - 1
            where.append(same)
        edges = np.cumsum([0] + [x.shape[1] for x in columns])
        joint = TermTable("w", t, k, truncated, rows, None, np.concatenate(columns, axis=1), True, weight)

        def part(total: np.ndarray | None, i: int) -> np.ndarray | None:
            return None if total is None else np.ascontiguousarray(total[:, edges[i]:edges[i + 1]])
        out = []
        for i in where:
            out.append(([part(c, i) for c in joint._checkpoints], part(joint._total, i)))
        return out

    def _add_chunk(self, buffer: np.ndarray, current: np.ndarray | None, lo: int, hi: int) -> np.ndarray:
        """current + term lo + … + term hi−1 in that order: ``_sum(current, _kept_block(lo, hi))`` with
        every product and addition the same, written into ``buffer`` (row 0 holds current) instead of
        new arrays (a block of outer products is megabytes: allocating it costs more than the arithmetic)."""
        first = 0 if current is None else 1
        if current is not None:
            buffer[0] = current
        terms = buffer[first:first + hi - lo]
        steps = self._step(lo, hi)
        if self.scale is None:
            np.multiply(self.rows[lo:hi][:, :, None], self.inputs[steps][:, None, :], out=terms)
        else:  # rows · (scale ∘ input): the immediate partial first, as ``block`` multiplies
            np.multiply(self.scale[steps][:, :, None], self.inputs[steps][:, None, :], out=terms)
            terms *= self.rows[lo:hi][:, :, None]
        if self.weight is not None:
            terms *= self.weight[lo:hi, None, None]
        cut = self.truncated[lo:hi]
        if cut.any():
            terms[cut] = 0.0
        return np.add.reduce(buffer[:first + hi - lo], axis=0)

    @staticmethod
    def _sum(start: np.ndarray | None, block: np.ndarray) -> np.ndarray:
        """start + block[0] + block[1] + …, in that order (the last of ``_accumulate``, without the rest)."""
        stacked = block if start is None else np.concatenate((start[None], block))
        if stacked[0].size == 1:
            return np.cumsum(stacked, axis=0)[-1]  # one entry: keep the sequential order explicit
        # reducing over the outer axis adds whole matrices one after another: the same order as cumsum
        return np.add.reduce(stacked, axis=0)

    @staticmethod
    def _accumulate(start: np.ndarray | None, block: np.ndarray) -> np.ndarray:
        if start is None:
            return np.cumsum(block, axis=0)
        return np.cumsum(np.concatenate((start[None], block)), axis=0)[1:]

    def blocks(self, size: int = _BLOCK) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(first index, terms, running sums) of consecutive blocks: the whole table in order,
        streamed (the same additions as ``running_sum[i]``, so the same numbers)."""
        current = None
        for lo in range(0, len(self), size):
            hi = min(lo + size, len(self))
            with np.errstate(all="ignore"):
                terms = self.block(lo, hi)
                running = self._accumulate(current, np.where(self.truncated[lo:hi, None, None], 0.0,
                                                             self._weighted(lo, hi, terms)))
            current = running[-1]
            yield lo, terms, running

    def _running_sum_at(self, i: int) -> np.ndarray:
        lo = (i // _BLOCK) * _BLOCK
        with np.errstate(all="ignore"):
            running = self._accumulate(self._checkpoints[i // _BLOCK], self._kept_block(lo, i + 1))[-1]
        return running.reshape(self.shape)

    def index_of(self, t: int, k: int | None = None) -> int:
        """Position of term (t, k) (or term t for w_out, b_out) in the table."""
        if self.k is None:
            return int(np.searchsorted(self.t, t))
        first = int(np.searchsorted(self.t, t))  # terms of one t run k = t … 1
        return first + (t - k)


class _Lazy(Sequence):
    """A read-only sequence whose items are made when asked for (terms, running sums)."""

    def __init__(self, length: int, item):
        self._length, self._item = length, item

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self._item(j) for j in range(*i.indices(self._length))]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(i)
        return self._item(i)


@dataclass(frozen=True)
class Update:
    old: Any  # a number, or an array of the weight's shape (SPEC §7)
    grad: Any
    clipped: Any
    new: Any
