"""What the parts of the server share: how it runs, the state of a running app, the headers.

Door: :class:`ServerConfig` (how the server runs; the defaults are the safe ones) and
:class:`AppState` (what the request handlers share: the configuration, the query pool, the
answer cache, the served build), with :data:`CORS` and :data:`CSP`, the headers the answers
carry, and :data:`CLIENT`, who is asking. Nothing here knows a route: the endpoint
(:mod:`policykg.server.sparql`), the pages (:mod:`policykg.server.pages`) and the application
that mounts them (:mod:`policykg.server.app`) all build on this module.
"""
from __future__ import annotations

import contextvars
import functools
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.types import Scope

from ..names import BASE
from .cache import AnswerCache
from .pool import QueryPool
from .worker import QueryRequest, QueryResponse

CACHED_QUERY_LENGTH = 16 << 10  # longer query texts are never keys of the answer cache
#: The Content-Security-Policy of every answer: scripts, styles and data from this server only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
#: CORS for reading without credentials: the endpoint's and the linked-data answers carry it.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "600",
        "Access-Control-Expose-Headers": "Policykg-Truncated, Policykg-Rows"}

#: Who is asking: the key of the client's address, set by :class:`policykg.server.app.Clients`
#: for each request (the query pool shares its workers fairly between these keys).
CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("policykg_client", default="")


@dataclass(frozen=True)
class ServerConfig:
    """How the server runs. The defaults are the safe ones."""

    dist: Path = Path("dist")
    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = BASE
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1 << 20  # bytes of a request body
    max_query_string: int = 16 << 10  # bytes of a URL's query string
    workers: int = 2
    client_queries: int = 8  # queries one client (address) may have running or waiting (0: no cap)
    read_timeout: float = 30.0  # seconds a client has to send a whole request (head and body)
    memory_limit: int = 4 << 30  # address space of one query worker
    cache_bytes: int = 64 << 20  # answers kept by the answer cache (0: no cache)
    gate_failed_report: str | None = None  # set when the newest build failed the gate


@dataclass
class AppState:
    """What the request handlers share: the configuration, the pool, the served build."""

    config: ServerConfig
    build: Path  # the published build folder being served
    pool: QueryPool | None = None
    snapshot_copy: Path | None = None
    cache: AnswerCache | None = None
    extras: dict[str, object] = field(default_factory=dict)

    def cached(self, request: QueryRequest) -> QueryResponse | None:
        """The answer cache's answer to ``request``, or None (no cache, or not in it)."""
        if self.cache is None or len(request.query) > CACHED_QUERY_LENGTH:
            return None
        return self.cache.get(request)

    async def run_uncached(self, request: QueryRequest) -> QueryResponse:
        """The answer of a query worker to ``request`` (kept in the answer cache, if any)."""
        assert self.pool is not None
        response = await self.pool.execute(request, client=CLIENT.get())
        if self.cache is not None and len(request.query) <= CACHED_QUERY_LENGTH:
            self.cache.put(request, response)
        return response

    async def run(self, request: QueryRequest) -> QueryResponse:
        """The answer to ``request``: from the answer cache, else from a query worker."""
        assert self.pool is not None
        # the cache counts answers' bytes, not its keys: a long query text is not kept as a key
        # (else distinct megabyte queries with short answers would fill the server's memory)
        cache = self.cache if len(request.query) <= CACHED_QUERY_LENGTH else None
        cached = cache.get(request) if cache is not None else None
        if cached is not None:
            return cached
        response = await self.pool.execute(request, client=CLIENT.get())
        if cache is not None:
            cache.put(request, response)
        return response

    def endpoint_url(self, request: Request) -> str:
        return str(request.url_for("sparql"))


def client_key(scope: Scope) -> str:
    """The client's address (what uvicorn found, after a trusted proxy's ``X-Forwarded-For``);
    an IPv6 client by its /64, the block one subscriber usually holds."""
    client = scope.get("client")
    return _address_key(client[0] if client else "")


@functools.lru_cache(maxsize=4096)
def _address_key(host: str) -> str:
    """:func:`client_key` of the address ``host`` (remembered: one client sends many requests)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "local"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        if address.is_loopback:
            return str(address)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


__all__ = ["AppState", "CACHED_QUERY_LENGTH", "CLIENT", "CORS", "CSP", "ServerConfig", "client_key"]
