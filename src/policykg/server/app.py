"""The web application: the SPARQL 1.1 Protocol endpoint, and the frame the pages live in.

Door: :func:`create_app`. It serves one published build (a folder written by
:mod:`policykg.publish`), read-only. Queries run in a :class:`~policykg.server.pool.QueryPool` of
worker processes with a hard time limit; the server process only parses requests, checks
queries (:mod:`policykg.server.guard`) and negotiates formats.

Safe defaults: read-only (updates get 403), no ``SERVICE`` (400, before evaluation), a time
limit that kills the work (503), work stopped when its client goes away (the handler is
cancelled, and with it the query: its worker is killed), a fair share of the workers and a cap
on the queries of each client (429), a cap on result rows (signalled in ``Policykg-Truncated``),
a cap on request bodies (413) and query strings (414), CORS for reading without credentials,
and a Content-Security-Policy on every answer. (The HTTP layer's own bounds — request lines,
headers, slow clients — are in :mod:`policykg.server.run`.)
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ipaddress
import logging
import os
import shutil
import tempfile
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import conneg
from ..graphs import GRAPHS
from .cache import AnswerCache
from .guard import inspect_query
from .pool import ClientBusy, PoolBusy, QueryPool, QueryTimeout, WorkerFailed
from .worker import QueryRequest, QueryResponse

log = logging.getLogger("policykg.server")

SOLUTION_OFFERS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_OFFERS = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "text/plain": "ntriples",
}
CACHED_QUERY_LENGTH = 16 << 10  # longer query texts are never keys of the answer cache
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class ServerConfig:
    """How the server runs. The defaults are the safe ones."""

    dist: Path = Path("dist")
    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = "https://w3id.org/policykg/"
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


# ------------------------------------------------------------------------ middleware

class Limits:
    """Refuse oversized requests early: 414 for a long query string, 413 for a long body,
    counted as it streams in (so a body without Content-Length is capped too)."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_query_string: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_query_string = max_query_string

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query_string:
            await PlainTextResponse(f"query string longer than {self.max_query_string} bytes; "
                                    "send the query in a POST body\n", 414)(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_long = int(value) > self.max_body
                except ValueError:
                    too_long = False
                if too_long:
                    await PlainTextResponse(f"request body larger than {self.max_body} bytes\n", 413)(
                        scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await PlainTextResponse(f"request body larger than {self.max_body} bytes\n", 413)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


#: Who is asking: the key of the client's address, set by :class:`Clients` for each request
#: (the query pool shares its workers fairly between these keys).
CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("policykg_client", default="")


def client_key(scope: Scope) -> str:
    """The client's address (what uvicorn found, after a trusted proxy's ``X-Forwarded-For``);
    an IPv6 client by its /64, the block one subscriber usually holds."""
    client = scope.get("client")
    host = client[0] if client else ""
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


class Clients:
    """Names the client of each request (:data:`CLIENT`), and stops the work of a client
    that goes away.

    Starlette does not cancel a handler when its client disconnects: a query would run on to
    the time limit for nobody. Here the application runs in a task of its own while a watcher
    reads the connection (the request body is passed on to the application as it comes, so
    :class:`Limits` still caps it); when ``http.disconnect`` arrives before the response is
    complete, the task is cancelled, and a query it awaits is stopped with its worker.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        CLIENT.set(client_key(scope))
        inbox: asyncio.Queue[Message | BaseException] = asyncio.Queue()
        done = False  # the response has been sent in full
        gone = False  # the client went away first
        last: Message | BaseException | None = None

        async def app_receive() -> Message:
            nonlocal last
            final = isinstance(last, BaseException) or (last is not None and last["type"] == "http.disconnect")
            if not final:  # after the disconnect (or an error), the same again, as ASGI wants
                last = await inbox.get()
            if isinstance(last, BaseException):
                raise last
            return last

        async def app_send(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                done = True
            await send(message)

        task = asyncio.get_running_loop().create_task(self.app(scope, app_receive, app_send))

        async def watch() -> None:
            nonlocal gone
            while True:
                try:
                    message = await receive()
                except Exception as exc:  # noqa: BLE001 - e.g. the body cap: raised in the application
                    inbox.put_nowait(exc)
                    return
                inbox.put_nowait(message)
                if message["type"] == "http.disconnect":
                    if not done and not task.done():
                        gone = True
                        task.cancel()
                    return

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if gone and (current is None or current.cancelling() == 0):
                log.info("client %s went away; its request %s %s was stopped", CLIENT.get(), scope.get("method"),
                         scope.get("path"))
                return
            raise
        finally:
            watcher.cancel()


class SecurityHeaders:
    """Content-Security-Policy and friends on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in ((b"content-security-policy", CSP.encode()),
                                   (b"x-content-type-options", b"nosniff"),
                                   (b"referrer-policy", b"no-referrer"),
                                   (b"x-frame-options", b"DENY")):
                    if key not in present:
                        headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# ------------------------------------------------------------------------ the endpoint

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "600",
        "Access-Control-Expose-Headers": "Policykg-Truncated, Policykg-Rows"}


def _text(status: int, message: str, **headers: str) -> Response:
    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers={**CORS, **headers})


def _params(raw: bytes | str) -> list[tuple[str, str]]:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")


def _one(params: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol: query via GET, POST form or POST direct; updates refused."""
    state: AppState = request.app.state.policykg
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=CORS)
    try:
        url_params = _params(request.url.query)
    except UnicodeDecodeError:
        return _text(400, "the query string is not UTF-8")
    query: str | None = None
    if request.method == "GET":
        if _one(url_params, "update"):
            return _text(400, "SPARQL Update is not allowed via GET (and this endpoint is read-only)")
        queries = _one(url_params, "query")
        if not queries:
            return await service_description(request)
        if len(queries) > 1:
            return _text(400, "more than one query parameter")
        query = queries[0]
        params = url_params
    else:  # POST
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        charset = _charset(request.headers.get("content-type", ""))
        if content_type == "application/x-www-form-urlencoded":
            try:
                form = _params(body)
            except UnicodeDecodeError:
                return _text(400, "the form body is not UTF-8")
            if _one(form, "update"):
                return _text(403, "this endpoint is read-only: SPARQL Update is refused")
            queries = _one(form, "query")
            if len(queries) != 1:
                return _text(400, "a form POST needs exactly one query parameter")
            query = queries[0]
            params = url_params + [p for p in form if p[0] != "query"]
        elif content_type == "application/sparql-query":
            try:
                query = body.decode(charset)
            except (UnicodeDecodeError, LookupError):
                return _text(400, "the query body is not UTF-8")
            if charset.lower().replace("-", "") not in ("utf8",):
                return _text(400, "a direct POST query must be UTF-8")
            if _one(url_params, "query"):
                return _text(400, "the query is both in the body and in the URL")
            params = url_params
        elif content_type == "application/sparql-update":
            return _text(403, "this endpoint is read-only: SPARQL Update is refused")
        elif not content_type:
            return _text(400, "a POST needs a Content-Type: application/x-www-form-urlencoded or "
                              "application/sparql-query")
        else:
            return _text(415, f"unsupported Content-Type {content_type!r}",
                         Accept="application/x-www-form-urlencoded, application/sparql-query")
    info = inspect_query(query)
    if info.is_update:
        return _text(403, info.refusal or "read-only")
    if info.refusal:
        return _text(400, info.refusal)
    default_graphs = tuple(_one(params, "default-graph-uri")) or None
    named_graphs = tuple(_one(params, "named-graph-uri")) or None
    accept = request.headers.get("accept")
    if info.returns_graph:
        offers = GRAPH_OFFERS
    else:
        offers = SOLUTION_OFFERS
    # a browser's Accept (text/html, */*) gets the default format
    media = conneg.choose(accept, list(offers))
    if media is None:
        return _text(406, "none of the acceptable formats can be served; offered: " + ", ".join(offers),
                     Vary="Accept")
    fmt = offers[media]
    # relative IRIs resolve against the endpoint's IRI (SPARQL 1.1 Protocol: a service-defined base)
    qr = QueryRequest(query=query, result_format=fmt, default_graph=default_graphs, named_graphs=named_graphs,
                      max_rows=state.config.max_rows, base_iri=state.config.base_iri + "sparql",
                      has_dataset=info.has_dataset)  # (the worker need not tokenize the query again)
    return await answer(state, qr)


async def answer(state: AppState, qr: QueryRequest) -> Response:
    """Run a query in the pool and turn the outcome into an HTTP response."""
    try:
        result = await state.run(qr)
    except QueryTimeout:
        return _text(503, f"the query ran longer than the {state.config.timeout:g} s limit and was stopped",
                     **{"Retry-After": "5"})
    except PoolBusy:
        return _text(503, "the server is busy; try again shortly", **{"Retry-After": "2"})
    except WorkerFailed:
        return _text(503, "the query worker failed (the query may have needed too much memory)",
                     **{"Retry-After": "2"})
    except ClientBusy:
        return too_many_queries(state)
    headers = {**CORS, "Vary": "Accept", "Policykg-Rows": str(result.rows)}
    if result.truncated:
        headers["Policykg-Truncated"] = f"max-rows={state.config.max_rows}"
    return Response(result.body, status_code=result.status, media_type=None,
                    headers={**headers, "Content-Type": result.content_type})


def too_many_queries(state: AppState) -> Response:
    """429: the client has as many queries running or waiting as one client may."""
    return _text(429, f"too many queries at once from one client (at most {state.config.client_queries} "
                      "running or waiting); wait for an answer before sending more", **{"Retry-After": "2"})


async def _client_busy(request: Request, exc: Exception) -> Response:
    """A query the linked-data pages or the UI ran for a client that already has too many."""
    return too_many_queries(request.app.state.policykg)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


async def service_description(request: Request) -> Response:
    """The SPARQL 1.1 Service Description of the endpoint."""
    state: AppState = request.app.state.policykg
    endpoint = state.endpoint_url(request)
    named_graphs = " ,\n            ".join(f"[ sd:name <{graph.value}> ]" for graph in GRAPHS.values())
    sd = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dct: <http://purl.org/dc/terms/> .

[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_XML> , <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_TSV> , <http://www.w3.org/ns/formats/Turtle> ,
        <http://www.w3.org/ns/formats/N-Triples> , <http://www.w3.org/ns/formats/JSON-LD> ,
        <http://www.w3.org/ns/formats/RDF_XML> ;
    sd:feature sd:UnionDefaultGraph ;
    dct:description "policykg: a read-only SPARQL 1.1 endpoint. Updates, SERVICE and LOAD are refused; queries stop after {state.config.timeout:g} s; at most {state.config.max_rows} rows." ;
    sd:defaultDataset [ a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ] ;
        sd:namedGraph {named_graphs} ] .
"""
    media = conneg.choose(request.headers.get("accept"), ["text/turtle", "application/n-triples",
                                                          "application/ld+json", "application/rdf+xml"])
    if media is None:
        return _text(406, "the service description is available as Turtle, N-Triples, JSON-LD or RDF/XML")
    if media == "text/turtle":
        return Response(sd, headers={**CORS, "Vary": "Accept", "Content-Type": "text/turtle; charset=utf-8"})
    import pyoxigraph as ox

    triples = list(ox.parse(sd, format=ox.RdfFormat.TURTLE))
    fmt = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "application/ld+json": ox.RdfFormat.JSON_LD,
           "application/rdf+xml": ox.RdfFormat.RDF_XML}[media]
    return Response(ox.serialize(triples, format=fmt), headers={**CORS, "Vary": "Accept", "Content-Type": media})


# ------------------------------------------------------------------------ the app

def _pin_snapshot(build: Path) -> Path:
    """A private, immutable copy of the build folder, beside it (hard links where the file
    system allows, else copies). Everything the server serves — the workers' N-Quads, pages,
    downloads — comes from it, so a newer build published meanwhile never mixes in."""
    for stale in build.parent.glob(".policykg-serve-*"):
        # left by a server that was killed: remove it unless its process still runs
        try:
            pid = int(stale.name.split("-")[2])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(stale, ignore_errors=True)
        except PermissionError:
            pass
    folder = Path(tempfile.mkdtemp(prefix=f".policykg-serve-{os.getpid()}-", dir=build.parent))

    def link(item: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        try:
            os.link(item, target)
        except OSError:
            shutil.copy2(item, target)

    for item in sorted(build.iterdir()):
        if item.is_file():
            link(item, folder / item.name)
        elif item.is_dir() and not item.is_symlink():  # the persistent store (store/), sources/
            shutil.copytree(item, folder / item.name, symlinks=True, copy_function=link)
    return folder


def create_app(config: ServerConfig, build: Path, *, extra_routes: list[Route] | None = None) -> Starlette:
    """The application serving the published build folder ``build``."""
    state = AppState(config=config, build=build)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.snapshot_copy = _pin_snapshot(build)
        state.build = state.snapshot_copy
        state.cache = AnswerCache(config.cache_bytes) if config.cache_bytes > 0 else None
        state.pool = QueryPool(str(state.snapshot_copy), size=config.workers,
                               timeout=config.timeout, memory_limit=config.memory_limit,
                               client_queries=config.client_queries)
        await state.pool.start()
        try:
            yield
        finally:
            await state.pool.close()
            shutil.rmtree(state.snapshot_copy, ignore_errors=True)

    endpoint = Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS"], name="sparql")
    endpoint.methods.discard("HEAD")  # Starlette adds HEAD to GET routes; a HEAD query gets 405 + Allow
    routes: list[BaseRoute] = [endpoint]
    from . import pages

    routes += pages.routes()
    routes += extra_routes or []
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={ClientBusy: _client_busy}, middleware=[
        Middleware(SecurityHeaders),
        Middleware(Limits, max_body=config.max_body, max_query_string=config.max_query_string),
        Middleware(Clients),  # inside Limits: the body it passes on is capped
    ])
    app.state.policykg = state
    return app


__all__ = ["CLIENT", "AppState", "ServerConfig", "answer", "client_key", "create_app"]
