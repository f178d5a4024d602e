"""The SPARQL 1.1 Protocol endpoint, ``/sparql``: queries in, answers out, updates refused.

Door: :func:`routes` (mounted by :func:`policykg.server.app.routes`) and :func:`answer`.
``GET /sparql`` without a query gives the SPARQL 1.1 Service Description. A query comes by
GET, by a form POST or by a direct POST; it is checked (:mod:`policykg.server.guard`: no
update, no ``SERVICE``) before it reaches a query worker, and answered in the format the
``Accept`` header chooses (:mod:`policykg.server.conneg`), with CORS, ``Vary: Accept`` and
the rows counted (``Policykg-Rows``, ``Policykg-Truncated``). What stops a query (the time
limit, a busy pool, a client over its share) is told in the status: 503 or 429.
"""
from __future__ import annotations

import asyncio
import binascii
import logging
import re
import urllib.parse

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..graphs import GRAPHS
from . import conneg
from .guard import inspect_query
from .pool import ClientBusy, PoolBusy, QueryTimeout, WorkerFailed
from .state import CLIENT, CORS, CSP, AppState, client_key
from .worker import QueryRequest

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


def _text(status: int, message: str, **headers: str) -> Response:
    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers={**CORS, **headers})


def _params(raw: bytes | str) -> list[tuple[str, str]]:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")


#: A ``%`` that does not start an escape of two hex digits, or a byte that a URL never holds raw.
_NOT_PLAIN_QUERY = re.compile(rb"%(?![0-9A-Fa-f]{2})|[^\x21-\x7e]")


def _unquote_plus(raw: bytes) -> str:
    """``urllib.parse.unquote_plus`` of ``raw`` (whose escapes are all well formed: see
    :func:`_fast_params`), its bytes decoded as UTF-8 (strict), by the C decoder of
    quoted-printable: ``%XX`` becomes ``=XX`` and a ``=`` already there ``=3D``."""
    raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return raw.decode("utf-8")
    return binascii.a2b_qp(raw.replace(b"=", b"=3D").replace(b"%", b"=")).decode("utf-8")


def _fast_params(raw: bytes) -> list[tuple[str, str]]:
    """What :func:`_params` gives for the query string ``raw``, faster (percent-decoding in C);
    the same function for a query string with a malformed escape or a byte out of the printable
    ASCII range. Raises UnicodeDecodeError for escapes that are not UTF-8, as :func:`_params`."""
    if _NOT_PLAIN_QUERY.search(raw):
        return _params(raw.decode("latin-1") if raw.isascii() else raw)
    out = []
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, equals, value = pair.partition(b"=")
        out.append((_unquote_plus(name), _unquote_plus(value) if equals else ""))
    return out


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


# ------------------------------------------------------------------------ the lean path

#: The headers of every answer of the lean path, as raw ASGI headers: CORS, ``Vary`` and what
#: :class:`policykg.server.app.SecurityHeaders` adds to the other answers.
_LEAN_HEADERS = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in CORS.items()] + [
    (b"vary", b"Accept"), (b"content-security-policy", CSP.encode("latin-1")),
    (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]


def lean_request(state: AppState, scope: dict) -> QueryRequest | None:
    """The query of ``scope`` when it is a plain ``GET /sparql?query=...`` that the lean path
    answers exactly as :func:`sparql` would: one query, allowed by the guard, a format the
    ``Accept`` header takes, no body. None for anything else (the request then goes through
    the application, its middleware and :func:`sparql`, which answer every refusal)."""
    raw = scope.get("query_string", b"")
    if not raw or len(raw) > state.config.max_query_string:
        return None
    accept: str | None = None
    for name, value in scope["headers"]:
        if name == b"accept":
            if accept is not None:
                return None  # several Accept fields: Starlette's reading of them, in the full path
            accept = value.decode("latin-1")
        elif name == b"content-length" or name == b"transfer-encoding":
            return None
    if not raw.isascii():
        return None
    try:
        params = _fast_params(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    query: str | None = None
    for key, value in params:
        if key == "query":
            if query is not None:
                return None
            query = value
        elif key == "update":
            return None
    if query is None:
        return None
    info = inspect_query(query)
    if info.is_update or info.refusal:
        return None
    offers = GRAPH_OFFERS if info.returns_graph else SOLUTION_OFFERS
    media = conneg.choose(accept, list(offers))
    if media is None:
        return None
    return QueryRequest(query=query, result_format=offers[media], default_graph=tuple(_one(params, "default-graph-uri")) or None,
                        named_graphs=tuple(_one(params, "named-graph-uri")) or None,
                        max_rows=state.config.max_rows, base_iri=state.config.base_iri + "sparql",
                        has_dataset=info.has_dataset)


async def lean(state: AppState, scope: dict, receive, send) -> bool:  # (ASGI's receive and send)
    """Answer ``GET /sparql?query=...`` without Starlette's router and middleware, with the same
    status, headers and body (:func:`lean_request` says which requests; False for the others,
    nothing sent). The client is named as :class:`policykg.server.app.Clients` names it, and a
    client that goes away before its answer stops its query, as there."""
    qr = lean_request(state, scope)
    if qr is None:
        return False
    response = state.cached(qr)
    if response is None:
        CLIENT.set(client_key(scope))
        task = asyncio.current_task()
        assert task is not None
        gone = False

        async def watch() -> None:
            nonlocal gone
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone = True
                    task.cancel()
                    return

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            response = await state.run_uncached(qr)
        except asyncio.CancelledError:
            if gone and task.cancelling() == 1:
                task.uncancel()
                log.info("client %s went away; its request GET /sparql was stopped", CLIENT.get())
                return True
            raise
        except (QueryTimeout, PoolBusy, WorkerFailed, ClientBusy) as exc:
            await _refusal(state, exc)(scope, receive, send)
            return True
        finally:
            watcher.cancel()
    headers = [*_LEAN_HEADERS, (b"policykg-rows", str(response.rows).encode()),
               (b"content-type", response.content_type.encode("latin-1")),
               (b"content-length", str(len(response.body)).encode())]
    if response.truncated:
        headers.append((b"policykg-truncated", f"max-rows={state.config.max_rows}".encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
    return True


def _refusal(state: AppState, exc: Exception) -> Response:
    """What :func:`answer` answers when the pool raises ``exc``, with the security headers."""
    if isinstance(exc, QueryTimeout):
        response = _text(503, f"the query ran longer than the {state.config.timeout:g} s limit and was stopped",
                         **{"Retry-After": "5"})
    elif isinstance(exc, PoolBusy):
        response = _text(503, "the server is busy; try again shortly", **{"Retry-After": "2"})
    elif isinstance(exc, WorkerFailed):
        response = _text(503, "the query worker failed (the query may have needed too much memory)",
                         **{"Retry-After": "2"})
    else:
        response = too_many_queries(state)
    present = {k for k, _ in response.raw_headers}
    response.raw_headers += [(k, v) for k, v in _LEAN_HEADERS[len(CORS) + 1:] if k not in present]
    return response


def too_many_queries(state: AppState) -> Response:
    """429: the client has as many queries running or waiting as one client may."""
    return _text(429, f"too many queries at once from one client (at most {state.config.client_queries} "
                      "running or waiting); wait for an answer before sending more", **{"Retry-After": "2"})


async def client_busy(request: Request, exc: Exception) -> Response:
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
    triples = list(ox.parse(sd, format=ox.RdfFormat.TURTLE))
    fmt = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "application/ld+json": ox.RdfFormat.JSON_LD,
           "application/rdf+xml": ox.RdfFormat.RDF_XML}[media]
    return Response(ox.serialize(triples, format=fmt), headers={**CORS, "Vary": "Accept", "Content-Type": media})


def routes() -> list[BaseRoute]:
    """The endpoint's route, ``/sparql`` (``sparql``)."""
    endpoint = Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS"], name="sparql")
    endpoint.methods.discard("HEAD")  # Starlette adds HEAD to GET routes; a HEAD query gets 405 + Allow
    return [endpoint]


__all__ = ["GRAPH_OFFERS", "SOLUTION_OFFERS", "answer", "client_busy", "lean", "lean_request", "routes",
           "service_description", "sparql", "too_many_queries"]
