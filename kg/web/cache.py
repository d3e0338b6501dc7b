"""A result cache for queries, bounded in bytes and invalidated by any write.

Keyed by ``Query.cache_key()`` (text, dataset, formats, row limit, base IRI and substitutions) for
one generation of the store at a time. The generation is ``kg.lock.generation``: the count of
writers' turns (every ``kg build`` write and every update through this server bumps it) and the
store directory's modification time; the workers reopen their handles on the same signal, so a
cached answer is never older than what a worker would read. Writes through this server also
clear the cache at once. Least recently used entries go first once ``max_bytes`` is reached;
an answer larger than a quarter of the budget is not kept.

>>> cache = ResultCache(100)
>>> cache.put(("query text",), 1, b"x" * 10, "answer")
>>> cache.get(("query text",), 1), cache.stats()["bytes"]
('answer', 20)
>>> cache.get(("query text",), 2)  # the store changed: everything cached before is gone
>>> cache.stats()
{'hits': 1, 'misses': 1, 'entries': 0, 'bytes': 0, 'max_bytes': 100}
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class ResultCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[int, Any]] = OrderedDict()
        self._bytes = 0
        self._generation: int | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _at(self, generation: int) -> None:
        """Forget everything cached from another generation of the store (lock held)."""
        if generation != self._generation:
            self._entries.clear()
            self._bytes = 0
            self._generation = generation

    def get(self, key: tuple, generation: int) -> Any:
        with self._lock:
            self._at(generation)
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: tuple, generation: int, body: bytes, value: Any) -> None:
        size = len(body) + sum(len(part) for part in key if isinstance(part, str))
        if size > self.max_bytes // 4:
            return
        with self._lock:
            self._at(generation)
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[0]
            self._entries[key] = (size, value)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (dropped, _) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._generation = None

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "entries": len(self._entries),
                    "bytes": self._bytes, "max_bytes": self.max_bytes}
