"""An answer cache: exact, because the server's snapshot is pinned and read-only.

Door: :class:`AnswerCache`. The key is the whole :class:`~policykg.server.worker.QueryRequest`
(query text, result format, dataset, row cap, bindings), so two requests share an answer only
when the same evaluation would give the same bytes. Only answers a worker gave are kept (200
and 400); a timeout or a busy pool is never cached. Least recently used answers go first once
the cache holds ``max_bytes`` of answers and query texts; ``max_bytes=0`` turns it off.
"""
from __future__ import annotations

from collections import OrderedDict

from .worker import QueryRequest, QueryResponse


class AnswerCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[QueryRequest, QueryResponse] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, request: QueryRequest) -> QueryResponse | None:
        response = self._entries.get(request)
        if response is None:
            self.misses += 1
            return None
        self._entries.move_to_end(request)
        self.hits += 1
        return response

    @staticmethod
    def _size(request: QueryRequest, response: QueryResponse) -> int:
        """What an entry costs: its answer and its key (the query text) both stay in memory."""
        return len(response.body) + len(request.query) + 256

    def put(self, request: QueryRequest, response: QueryResponse) -> None:
        size = self._size(request, response)
        if self.max_bytes <= 0 or size > self.max_bytes // 4 or response.status not in (200, 400):
            return
        old = self._entries.pop(request, None)
        if old is not None:
            self._bytes -= self._size(request, old)
        self._entries[request] = response
        self._bytes += size
        while self._bytes > self.max_bytes and self._entries:
            key, evicted = self._entries.popitem(last=False)
            self._bytes -= self._size(key, evicted)

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}


__all__ = ["AnswerCache"]
