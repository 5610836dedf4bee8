"""A cache for the hot path of `fangpin grade`, bounded however long the input, that keeps
what is in use.

Lookups go straight to `young`, a plain dict that stays the same object (the hot path holds
it). On a miss, `recall` looks in the older generation and moves a found entry back; `keep`
stores a new entry, and when `young` is full its entries become the older generation, so at
most 2 x `size` entries live. Entries used since the last turn survive it: a long input with
many rare combinations does not evict the common ones (clearing a full dict did, and cost a
fifth of the speed at a size that bounded memory).
"""

from __future__ import annotations

from typing import Any, Final

MISSING: Final = object()


class TwoGenerations:
    __slots__ = ("young", "_old", "_size")

    def __init__(self, size: int) -> None:
        self.young: dict[Any, Any] = {}
        self._old: dict[Any, Any] = {}
        self._size = size

    def recall(self, key: Any) -> Any:
        """The entry for `key` from the older generation, moved back to `young`, or MISSING."""
        value = self._old.pop(key, MISSING)
        if value is not MISSING:
            self.keep(key, value)
        return value

    def keep(self, key: Any, value: Any) -> None:
        young = self.young
        if len(young) >= self._size:
            self._old = young.copy()
            young.clear()
        young[key] = value

    def __len__(self) -> int:
        return len(self.young) + len(self._old)
