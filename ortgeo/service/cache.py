"""The answer cache of a worker: least recently used answers, bounded in bytes.

The perimeters do not change while the service runs, so the same question (a point, an
address, a date) gets the same answer; the cache keeps the JSON bodies as they are sent.
It is bounded by the memory it holds (the bodies plus an allowance per entry for the key
and the bookkeeping), not only by a count, so that a worker's memory stays flat however
large the answers are.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable

__all__ = ["AnswerCache"]

#: Bytes counted per entry on top of the body (``sys.getsizeof``): the key and the
#: ordered-dict node (measured with ``tracemalloc``: ~75 bytes of node and ~160 for a
#: point key — tuple, two floats, a date; an address key adds its text).
ENTRY_OVERHEAD = 400


class AnswerCache:
    """Least recently used ``key → bytes``, at most ``max_bytes`` counted.

    Parameters
    ----------
    max_bytes : int
        Memory budget (bodies + :data:`ENTRY_OVERHEAD` per entry); 0 keeps nothing.

    Examples
    --------
    >>> cache = AnswerCache(max_bytes=1_000)
    >>> cache.put(("point", 1.0), b"x" * 300)
    >>> cache.get(("point", 1.0))[:3], cache.get(("point", 2.0))
    (b'xxx', None)
    >>> cache.put(("point", 2.0), b"y" * 300)  # over the budget: the oldest goes
    >>> len(cache), cache.get(("point", 1.0))
    (1, None)
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._data: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()  # answers are stored from the worker threads too

    def __len__(self) -> int:
        return len(self._data)

    @staticmethod
    def cost(value: bytes) -> int:
        """Bytes counted for one entry holding ``value``."""
        return sys.getsizeof(value) + ENTRY_OVERHEAD

    def get(self, key: Hashable) -> bytes | None:
        """The answer kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        """Keep ``value`` for ``key``, dropping the least recently used beyond the budget."""
        cost = self.cost(value)
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.nbytes -= self.cost(old)
            self._data[key] = value
            self.nbytes += cost
            while self.nbytes > self.max_bytes:
                _, dropped = self._data.popitem(last=False)
                self.nbytes -= self.cost(dropped)
