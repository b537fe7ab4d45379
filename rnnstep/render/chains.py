"""Long chain products, shortened: the first and last few factors with ``⋯ N factors ⋯`` between.

A path that reaches far back has thousands of factors; a document shows the
ones at the loss end and at the weight end, and says how many it left out.
Generic over what a factor is (a symbol, a number, later a matrix): the caller
says how many factors there are and renders only the ones shown, so a
shortened chain costs the same at any length.
"""

from __future__ import annotations

from typing import Callable, Generic, NamedTuple, TypeVar

HEAD = 3  # ∂L/∂ŷ × ∂ŷ/∂O_t × ∂O_t/∂O_{t−1}: the loss end of the path
TAIL = 2  # ∂O_{k+1}/∂O_k × ∂⁺O_k/∂p: the weight end
LIMIT = 8  # a chain of at most this many factors is shown whole

Item = TypeVar("Item")
Other = TypeVar("Other")


class Chain(NamedTuple, Generic[Item]):  # a tuple: made once per term of a long tape, so cheap to make
    """The factors shown: ``head``, then ``hidden`` left out, then ``tail`` (empty when nothing is hidden)."""

    head: list[Item]
    hidden: int
    tail: list[Item]

    def map(self, fn: Callable[[Item], Other]) -> "Chain[Other]":
        return Chain([fn(x) for x in self.head], self.hidden, [fn(x) for x in self.tail])

    def parts(self, gap: Callable[[int], Item]) -> list[Item]:
        """The items in order, with ``gap(hidden)`` standing for the ones left out."""
        return joined(self.head, self.hidden, self.tail, gap)


def joined(head: list[Item], hidden: int, tail: list[Item], gap: Callable[[int], Item]) -> list[Item]:
    """head, gap(hidden), tail as one list (no gap when nothing is hidden)."""
    return [*head, gap(hidden), *tail] if hidden else head + tail


def shown(count: int, full: bool = False, head: int = HEAD, tail: int = TAIL,
          limit: int = LIMIT) -> tuple[range, int, range]:
    """Which factors of a chain of ``count`` to show: (first indices, how many hidden, last indices)."""
    if full or count <= max(limit, head + tail):
        return range(count), 0, range(count, count)
    return range(head), count - head - tail, range(count - tail, count)


def shorten(count: int, item: Callable[[int], Item], full: bool = False, head: int = HEAD, tail: int = TAIL,
            limit: int = LIMIT) -> Chain[Item]:
    """The chain of ``count`` factors, shortened; ``item(i)`` is asked only for the factors shown."""
    first, hidden, last = shown(count, full, head, tail, limit)
    return Chain([item(i) for i in first], hidden, [item(i) for i in last])


def gap_text(hidden: int) -> str:
    """⋯ 4,990 factors ⋯"""
    return f"⋯ {hidden:,} factor{'s' if hidden != 1 else ''} ⋯"


def shown_factor_count(count: int, full: bool = False) -> int:
    """How many factors of a chain of ``count`` a document writes."""
    first, _, last = shown(count, full)
    return len(first) + len(last)
