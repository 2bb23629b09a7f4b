"""Lists that apps further up fill when they load: hooks, record sections, outreach panels.

A lower app may not import the apps built on it, so they register what it should call in
their AppConfig.ready. That can run more than once (tests, a reloading server), so adding
something already there does nothing, and the things are used in the order they were added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self) -> None:
        self._items: list[T] = []

    def add(self, item: T) -> T:
        """Add `item` once; returns it, so that `add` can be used as a decorator."""
        if item not in self._items:
            self._items.append(item)
        return item

    def remove(self, item: T) -> None:
        if item in self._items:
            self._items.remove(item)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))
