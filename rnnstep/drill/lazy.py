"""A sequence made as it is read: a long tape's drill asks its first question at once.

T = 2,000 with a target at every step has six million paths; making every
question first (each formats its numbers) took minutes and gigabytes before the
first was asked. Reading item i makes items up to i; only ``len`` makes them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Iterable, Iterator, TypeVar, overload

Item = TypeVar("Item")


class Lazy(Sequence[Item]):
    def __init__(self, source: Iterable[Item]) -> None:
        self._source: Iterator[Item] | None = iter(source)
        self._made: list[Item] = []

    def _make(self, count: int | None) -> None:
        """Make items until there are ``count`` (None: all of them)."""
        while self._source is not None and (count is None or len(self._made) < count):
            try:
                self._made.append(next(self._source))
            except StopIteration:
                self._source = None

    @overload
    def __getitem__(self, index: int) -> Item: ...

    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            bounds = (index.start, index.stop)
            whole = any(b is not None and b < 0 for b in bounds) or index.stop is None
            self._make(None if whole else index.stop)
            return self._made[index]
        self._make(None if index < 0 else index + 1)
        return self._made[index]

    def __iter__(self) -> Iterator[Item]:
        i = 0
        while True:
            self._make(i + 1)
            if i >= len(self._made):
                return
            yield self._made[i]
            i += 1

    def length_up_to(self, limit: int) -> int | None:
        """The length if it is at most ``limit`` (making at most that many items), else None."""
        self._make(limit + 1)
        return len(self._made) if len(self._made) <= limit else None

    def __len__(self) -> int:
        self._make(None)
        return len(self._made)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Lazy, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so no hash (as a list has none)


def length_up_to(items: Sequence, limit: int) -> int | None:
    """``len(items)`` if it is at most ``limit``, else None; a Lazy makes at most ``limit`` + 1 items for it."""
    if isinstance(items, Lazy):
        return items.length_up_to(limit)
    return len(items) if len(items) <= limit else None
