"""Pushing a build into an external SPARQL 1.1 store, named graphs included.

Pipeline position::

    ... -> gate -> publish -> serve / query / export / **push** -> someone else's triplestore

Door: :func:`push`. It reads the validated build (every file matching its ``SHA256SUMS``),
takes the four named graphs of ``policykg.nq`` and loads them into the store:

* by the **SPARQL 1.1 Graph Store HTTP Protocol** (GSP): one ``PUT <gsp>?graph=<g>`` per named
  graph, which replaces that graph's previous version in one request (``graph=IRI`` instead
  puts the union of the four graphs into that one graph);
* or, where the store has no GSP, by **SPARQL 1.1 Update**: ``DROP SILENT GRAPH <g>`` and then
  ``INSERT DATA`` in chunks (a chunk with blank nodes is an ``INSERT {...} WHERE {}``: Virtuoso
  refuses blank nodes in ``INSERT DATA``, and a blank node's triples always travel in one
  chunk, or the store would make several nodes of it).

Then it counts the triples of each graph on the store with a SPARQL query and returns them
beside the build's counts (:attr:`PushResult.verified`).

**Endpoints.** ``endpoint`` may be the store's base URL or any of its endpoints; the door finds
the query endpoint by asking ``ASK {}`` on the documented paths, tells the store by its
``Server`` header or by the path that answered, and writes to the paths documented for it
(:data:`PROFILES`): Oxigraph ``/store`` (GSP), ``/query``, ``/update``; Virtuoso
``/sparql-graph-crud-auth`` (GSP, digest authentication), ``/sparql``, ``/sparql-auth``;
Fuseki ``/<dataset>/data``, ``/query``, ``/update``; GraphDB ``/repositories/<id>`` and its
``/rdf-graphs/service`` and ``/statements``; Neptune ``/sparql`` and ``/sparql/gsp/``. With
``protocol="auto"`` a GSP path that does not exist (404, 405, 501) is followed by the next one,
and by SPARQL Update when none is left; ``"gsp"`` or ``"update"`` forces one.
``docs/scale-out.md`` says how to push to clustered stores.

**Authentication** is HTTP Basic or Digest, whichever the store's challenge asks for (one
unauthenticated try, then the scheme of its ``WWW-Authenticate``), or the one ``auth`` names.

Every failure is a :class:`StoreError` with the URL, the HTTP status and the store's answer.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from ..errors import ExitCode, InputError, PolicykgError
from ..graphs import GRAPHS

if TYPE_CHECKING:
    import httpx
    import pyoxigraph

PROTOCOLS = ("auto", "gsp", "update")
AUTH_SCHEMES = ("auto", "basic", "digest")
#: Triples per SPARQL Update request: Virtuoso's SPARQL parser runs out of stack ("memory
#: exhausted") near 5,000 triples in one ``INSERT DATA``; a thousand suits every store.
CHUNK_TRIPLES = 1_000
#: Triples per ``INSERT {...} WHERE {}`` (the form that carries blank nodes).
TEMPLATE_TRIPLES = 200
_ASK = "ASK {}"
_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
# Statuses that mean "no such endpoint here", as opposed to "you may not" or "bad data".
_NOT_HERE = {404, 405, 501}


class StoreError(PolicykgError):
    """The store could not be reached, refused a request, or answered something unexpected.

    ``url`` is the request's URL, ``status_code`` the HTTP status (``None`` when no answer
    came), ``response_text`` the store's answer (HTML reduced to its text).
    """

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, url: str, status_code: int | None = None,
                 response_text: str | None = None, hint: str | None = None,
                 exit_code: ExitCode | None = None) -> None:
        detail = f"{message} ({url}"
        if status_code is not None:
            detail += f": HTTP {status_code}"
        detail += ")"
        if response_text:
            short = response_text if len(response_text) <= 400 else response_text[:400] + " ..."
            detail += f"\n  the store said: {short}"
        super().__init__(detail, hint=hint)
        self.url = url
        self.status_code = status_code
        self.response_text = response_text
        if exit_code is not None:
            self.exit_code = exit_code


class StoreAuthError(StoreError):
    """The store wants credentials, or refused the ones given (HTTP 401 or 403)."""


# --------------------------------------------------------------------------------------------
# Where stores answer
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """The documented endpoint paths of one kind of store, relative to its base URL.

    ``server`` is matched (lower case) in the ``Server`` header; ``""`` paths mean the base URL
    itself (a Fuseki dataset, a GraphDB repository). ``*_auth`` paths are used instead when
    credentials are given (Virtuoso's authenticated endpoints).
    """

    name: str
    server: str
    query: tuple[str, ...]
    update: tuple[str, ...]
    gsp: tuple[str, ...]
    update_auth: tuple[str, ...] = ()
    gsp_auth: tuple[str, ...] = ()

    def writes(self, protocol: str, credentials: bool) -> tuple[str, ...]:
        if protocol == "gsp":
            return (self.gsp_auth or self.gsp) if credentials else self.gsp
        return (self.update_auth or self.update) if credentials else self.update


#: The stores policykg knows (by their ``Server`` header), then the paths tried for others.
PROFILES: tuple[Profile, ...] = (
    Profile("oxigraph", "oxigraph", query=("/query",), update=("/update",), gsp=("/store",)),
    Profile("virtuoso", "virtuoso", query=("/sparql",), update=("/sparql",),
            gsp=("/sparql-graph-crud",), update_auth=("/sparql-auth",),
            gsp_auth=("/sparql-graph-crud-auth",)),
    Profile("fuseki", "fuseki", query=("/query", "/sparql", ""), update=("/update", ""),
            gsp=("/data", "")),
    Profile("graphdb", "graphdb", query=("",), update=("/statements",),
            gsp=("/rdf-graphs/service",)),
    Profile("neptune", "neptune", query=("/sparql",), update=("/sparql",), gsp=("/sparql/gsp/",)),
    # Stores that do not say what they are: every usual path, those of the endpoint that
    # answered the query first.
    Profile("generic-sparql", "", query=("/sparql",),
            update=("/sparql", "/update", "/statements", ""),
            gsp=("/sparql/gsp/", "/sparql-graph-crud", "/store", "/data", "/rdf-graphs/service", ""),
            update_auth=("/sparql", "/sparql-auth", "/update", "/statements", ""),
            gsp_auth=("/sparql/gsp/", "/sparql-graph-crud-auth", "/store", "/data",
                      "/rdf-graphs/service", "")),
    Profile("generic", "", query=("/query", "/sparql", ""),
            update=("/update", "/sparql", "/statements", ""),
            gsp=("/store", "/data", "/rdf-graphs/service", "/sparql/gsp/", ""),
            update_auth=("/update", "/sparql-auth", "/sparql", "/statements", ""),
            gsp_auth=("/store", "/data", "/sparql-graph-crud-auth", "/rdf-graphs/service",
                      "/sparql/gsp/", "")),
)
_BY_NAME = {p.name: p for p in PROFILES}
# Endpoint paths a user may give; stripped to find the store's base URL.
_ENDPOINT_SUFFIXES = sorted({path for p in PROFILES
                             for path in p.query + p.update + p.gsp + p.update_auth + p.gsp_auth
                             if path}, key=len, reverse=True)


@dataclass(frozen=True)
class Endpoints:
    """A store's query endpoint, what kind of store it is and where to try writing."""

    base: str
    query: str
    profile: Profile
    server: str = ""

    def candidates(self, protocol: str, credentials: bool) -> list[str]:
        return _unique(self.base + path for path in self.profile.writes(protocol, credentials))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _split_endpoint(url: str) -> tuple[str, str]:
    """(base URL, the endpoint path the URL ended with or "")."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"not an HTTP(S) URL: {url!r}",
                         hint="give the store's base URL or its SPARQL endpoint, "
                              "e.g. http://127.0.0.1:7878 or http://host:8890/sparql")
    path = parts.path.rstrip("/")
    for suffix in _ENDPOINT_SUFFIXES:
        if path.endswith(suffix.rstrip("/")):
            path, tail = path[:-len(suffix.rstrip("/"))], suffix
            break
    else:
        tail = ""
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")), tail


def _query_candidates(url: str) -> list[tuple[str, str]]:
    """(query endpoint, base URL) pairs to try for the user's ``url``, most likely first."""
    base, tail = _split_endpoint(url)
    whole = url.split("?", 1)[0].rstrip("/")
    order: list[tuple[str, str]] = []
    if tail in ("/query", "/sparql"):
        order.append((base + tail, base))
    for root in (base, whole):  # ``whole``: a Fuseki dataset may be called "data"
        order.extend((root + path, root) for profile in PROFILES for path in profile.query)
    return list(dict.fromkeys(order))


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

def _auth_class():
    import httpx

    class ChallengeAuth(httpx.Auth):
        """HTTP Basic or Digest: the one the store's 401 challenge names, or the one given.

        With ``scheme="auto"`` the first request goes without credentials; on a 401 the
        scheme of ``WWW-Authenticate`` is used from then on: Digest when it asks for Digest
        (answering the challenge at hand and keeping its nonce, so later requests are
        authenticated at once), else Basic.
        """

        def __init__(self, user: str, password: str, scheme: str = "auto") -> None:
            self._basic = httpx.BasicAuth(user, password)
            self._digest = httpx.DigestAuth(user, password)
            self.scheme = None if scheme == "auto" else scheme

        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
            if self.scheme == "basic":
                yield from self._basic.auth_flow(request)
                return
            if self.scheme == "digest":
                yield from self._digest.auth_flow(request)
                return
            response = yield request
            if response.status_code != 401:
                return
            challenge = response.headers.get("www-authenticate", "").lower()
            if challenge.startswith("digest") or ", digest" in challenge:
                self.scheme = "digest"
                flow = self._digest.auth_flow(request)
                next(flow)  # the unauthenticated try: answered already by ``response``
                try:
                    retry = flow.send(response)
                    while True:
                        retry = flow.send((yield retry))
                except StopIteration:
                    return
            else:  # Basic, or a challenge that names no scheme we know (GraphDB's "GDB")
                self.scheme = "basic"
                yield from self._basic.auth_flow(request)

    return ChallengeAuth


def _text(response: httpx.Response) -> str:
    """The store's answer as one line of text (HTML reduced to its words)."""
    try:
        text = response.text
    except Exception:  # undecodable body: say what little we can
        return f"({len(response.content)} bytes)"
    if "html" in response.headers.get("content-type", "") or text.lstrip().startswith("<"):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())


class _Http:
    """One client for one push: timeouts, authentication and errors in one place."""

    def __init__(self, *, user: str | None, password: str | None, auth: str,
                 timeout: float) -> None:
        import httpx

        if auth not in AUTH_SCHEMES:
            raise InputError(f"unknown authentication scheme {auth!r}",
                             hint="choose one of " + ", ".join(AUTH_SCHEMES))
        if (user is None) != (password is None):
            raise InputError("give both a user and a password, or neither")
        self.credentials = user is not None
        self.auth = _auth_class()(user, password, auth) if user is not None else None
        self.timeout = timeout
        self.client = httpx.Client(auth=self.auth, follow_redirects=True,
                                   timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                   headers={"User-Agent": "policykg-push"})
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def send(self, method: str, url: str, **kwargs) -> httpx.Response:
        import httpx

        self.requests += 1
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise StoreError(f"the store did not answer within {self.timeout:g} s", url=url,
                             hint="the store may be busy or the graph large: pass a longer "
                                  "timeout (--timeout)", exit_code=ExitCode.INTERNAL) from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the store: {exc}", url=url,
                             hint="is the store running, and is the URL right?") from None

    def fail(self, what: str, response: httpx.Response) -> StoreError:
        url = str(response.request.url)
        status = response.status_code
        if status in (401, 403):
            hint = ("give --user and --password" if not self.credentials else
                    "check the user, the password and the user's rights to write "
                    "(Virtuoso: the SPARQL_UPDATE role; dba has it)")
            return StoreAuthError(f"{what}: the store refused the request", url=url,
                                  status_code=status, response_text=_text(response), hint=hint)
        return StoreError(f"{what}: the store answered HTTP {status}", url=url,
                          status_code=status, response_text=_text(response),
                          exit_code=ExitCode.INTERNAL if status >= 500 else None)

    def select(self, endpoint: str, query: str) -> list[dict[str, dict[str, str]]]:
        """The bindings of a SELECT query (SPARQL 1.1 Protocol, results as JSON)."""
        response = self.send("POST", endpoint, data={"query": query},
                             headers={"Accept": _RESULTS_JSON})
        if response.status_code != 200:
            raise self.fail("a verification query failed", response)
        try:
            return response.json()["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise StoreError("the store's answer to a query is not SPARQL JSON results",
                             url=endpoint, status_code=response.status_code,
                             response_text=_text(response)[:400]) from None


def discover(http: _Http, endpoint: str) -> Endpoints:
    """Find the query endpoint of the store at ``endpoint`` and what kind of store it is."""
    tried: list[str] = []
    for url, base in _query_candidates(endpoint):
        response = http.send("GET", url, params={"query": _ASK},
                             headers={"Accept": _RESULTS_JSON})
        if response.status_code in (401, 403):
            raise http.fail("the query endpoint wants credentials", response)
        try:
            # SPARQL JSON results; Virtuoso answers ``ASK {}`` as a one-row SELECT
            answer = response.json() if response.status_code == 200 else None
            ok = isinstance(answer, dict) and ("boolean" in answer or "head" in answer)
        except ValueError:
            ok = False
        if not ok:
            tried.append(f"{url} (HTTP {response.status_code})")
            continue
        server = response.headers.get("server", "")
        unknown = _BY_NAME["generic-sparql" if url.endswith("/sparql") else "generic"]
        profile = next((p for p in PROFILES if p.server and p.server in server.lower()), unknown)
        return Endpoints(base=base, query=url, profile=profile, server=server)
    raise StoreError("found no SPARQL query endpoint", url=endpoint,
                     response_text="tried " + "; ".join(tried),
                     hint="give the store's base URL or its SPARQL query endpoint")


# --------------------------------------------------------------------------------------------
# What is pushed
# --------------------------------------------------------------------------------------------

def _read_build(build: Path) -> dict[str, list[pyoxigraph.Triple]]:
    """The build's named graphs (graph IRI -> distinct triples), after checking the build."""
    import pyoxigraph as ox

    from ..pipeline.publish.release import latest_good

    build = Path(build)
    if not build.is_dir():
        raise InputError("no build here" if not build.exists() else "not a build folder",
                         path=build, hint="run `policykg build --out DIR` first")
    good = latest_good(build)
    if good != build:
        raise InputError("this build is incomplete or its files do not match SHA256SUMS",
                         path=build,
                         hint=(f"the last good build is {good}; push that, or rebuild"
                               if good else "rebuild it with `policykg build`"))
    graphs: dict[str, dict[pyoxigraph.Triple, None]] = {g.value: {} for g in GRAPHS.values()}
    path = build / "policykg.nq"
    try:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            graphs.setdefault(quad.graph_name.value, {})[quad.triple] = None
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read the build's named graphs: {exc}", path=path) from None
    return {g: list(triples) for g, triples in graphs.items()}


def _has_blank(triple: pyoxigraph.Triple) -> bool:
    import pyoxigraph as ox

    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _blank_groups(triples: list[pyoxigraph.Triple]) -> list[list[pyoxigraph.Triple]]:
    """The triples that mention blank nodes, grouped so that no blank node spans two groups."""
    import pyoxigraph as ox

    parent: dict[object, object] = {}

    def find(node: object) -> object:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for t in triples:
        if isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode):
            parent[find(t.subject)] = find(t.object)
    groups: dict[object, list[pyoxigraph.Triple]] = {}
    for t in triples:
        blank = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        groups.setdefault(find(blank), []).append(t)
    return list(groups.values())


def _pack(groups: Iterable[list[pyoxigraph.Triple]], size: int) -> Iterator[list[pyoxigraph.Triple]]:
    """Groups packed into chunks of at most ``size`` triples (a larger group is one chunk)."""
    chunk: list[pyoxigraph.Triple] = []
    for group in groups:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


def _ntriples(triples: list[pyoxigraph.Triple]) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""


def _update_requests(graph: str, triples: list[pyoxigraph.Triple], size: int) -> Iterator[str]:
    """SPARQL Update requests that make ``graph`` hold exactly ``triples``.

    Triples without blank nodes go by ``INSERT DATA``, ``size`` at a time. Those with blank
    nodes go by ``INSERT { ... } WHERE {}`` (whose one solution makes one node of each label),
    each blank node's triples in one request, at most :data:`TEMPLATE_TRIPLES` a request:
    Virtuoso refuses blank nodes in ``INSERT DATA`` and compiles a template to SQL that must
    stay under 10,000 lines.
    """
    plain = [t for t in triples if not _has_blank(t)]
    blank = [t for t in triples if _has_blank(t)]
    operations = [f"INSERT DATA {{ GRAPH <{graph}> {{\n{_ntriples(c).decode('utf-8')}}} }}"
                  for c in _pack(([t] for t in plain), size)]
    operations += [f"INSERT {{ GRAPH <{graph}> {{\n{_ntriples(c).decode('utf-8')}}} }} WHERE {{}}"
                   for c in _pack(_blank_groups(blank), min(size, TEMPLATE_TRIPLES))]
    drop = f"DROP SILENT GRAPH <{graph}>"
    if not operations:
        yield drop
        return
    yield f"{drop} ;\n{operations[0]}"
    yield from operations[1:]


# --------------------------------------------------------------------------------------------
# The door
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PushResult:
    """What :func:`push` did, and what the store holds afterwards.

    ``expected`` maps each graph IRI pushed to its number of triples in the build, ``found``
    to the number the store counted after the push; ``write_url`` is the GSP or update
    endpoint that took the data.
    """

    endpoint: str
    query_url: str
    write_url: str
    protocol: str
    store: str
    expected: dict[str, int]
    found: dict[str, int]
    requests: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        """True when the store holds as many triples in every graph as the build."""
        return self.expected == self.found

    def summary(self) -> str:
        lines = [f"pushed to {self.write_url} ({self.store}, "
                 f"{'Graph Store Protocol' if self.protocol == 'gsp' else 'SPARQL Update'}) "
                 f"in {self.seconds:.2f} s, {self.requests} requests; "
                 f"counted on {self.query_url}:"]
        for graph, n in self.expected.items():
            found = self.found.get(graph)
            mark = "ok" if found == n else "MISMATCH"
            lines.append(f"  {graph}: {found} of {n} triples  {mark}")
        return "\n".join(lines) + "\n"


def push(build: Path, endpoint: str, *, graph: str | None = None, user: str | None = None,
         password: str | None = None, protocol: str = "auto", auth: str = "auto",
         timeout: float = 120.0, chunk_size: int = CHUNK_TRIPLES) -> PushResult:
    """Load the build's named graphs into the SPARQL store at ``endpoint``, then count them.

    Each of the four named graphs replaces its previous version on the store; with ``graph``
    their union replaces that one graph instead. See the module docstring for the protocols,
    the endpoints tried and authentication.

    Raises:
        InputError: ``build`` is not a complete build, or an argument is wrong.
        StoreError: the store cannot be reached, has no usable endpoint, or refused a
            request (:class:`StoreAuthError` for 401 and 403).
    """
    if protocol not in PROTOCOLS:
        raise InputError(f"unknown protocol {protocol!r}",
                         hint="choose one of " + ", ".join(PROTOCOLS))
    if graph is not None and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", graph):
        raise InputError(f"not an absolute IRI: {graph!r}",
                         hint="e.g. --graph https://example.org/graph/policykg")
    if chunk_size < 1:
        raise InputError("the chunk size must be at least 1")
    started = time.perf_counter()
    graphs = _read_build(Path(build))
    if graph is not None:
        union: dict[pyoxigraph.Triple, None] = {}
        for triples in graphs.values():
            union.update(dict.fromkeys(triples))
        graphs = {graph: list(union)}
    timings = {"read": time.perf_counter() - started}

    http = _Http(user=user, password=password, auth=auth, timeout=timeout)
    try:
        clock = time.perf_counter()
        endpoints = discover(http, endpoint)
        timings["discover"] = time.perf_counter() - clock
        clock = time.perf_counter()
        protocols = ("gsp", "update") if protocol == "auto" else (protocol,)
        written = None
        misses: list[str] = []
        for proto in protocols:
            for url in endpoints.candidates(proto, http.credentials):
                if _write(http, proto, url, graphs, chunk_size, misses):
                    written = (proto, url)
                    break
            if written:
                break
        if written is None:
            raise StoreError("found no endpoint that takes the data", url=endpoint,
                             response_text="tried " + "; ".join(misses),
                             hint="force a protocol with --protocol gsp|update, or see "
                                  "docs/scale-out.md for the endpoints of your store")
        timings["write"] = time.perf_counter() - clock
        clock = time.perf_counter()
        found = {g: _count(http, endpoints.query, g) for g in graphs}
        timings["verify"] = time.perf_counter() - clock
    finally:
        http.close()
    return PushResult(endpoint=endpoint, query_url=endpoints.query, write_url=written[1],
                      protocol=written[0], store=endpoints.profile.name
                      if endpoints.profile.server else (endpoints.server or "unknown store"),
                      expected={g: len(t) for g, t in graphs.items()}, found=found,
                      requests=http.requests, seconds=time.perf_counter() - started,
                      timings=timings)


def _write(http: _Http, protocol: str, url: str, graphs: dict[str, list[pyoxigraph.Triple]],
           chunk_size: int, misses: list[str]) -> bool:
    """Write every graph through ``url``; False when ``url`` is no such endpoint (nothing written)."""
    first = True
    for name, triples in graphs.items():
        if protocol == "gsp":
            requests = [("PUT", {"params": {"graph": name}, "content": _ntriples(triples),
                                 "headers": {"Content-Type": _NTRIPLES}})]
        else:
            requests = (("POST", {"content": text.encode("utf-8"),
                                  "headers": {"Content-Type": "application/sparql-update"}})
                        for text in _update_requests(name, triples, chunk_size))
        for method, kwargs in requests:
            response = http.send(method, url, **kwargs)
            if first and response.status_code in _NOT_HERE:
                misses.append(f"{protocol.upper()} {url} (HTTP {response.status_code})")
                return False
            first = False
            if not 200 <= response.status_code < 300:
                what = (f"PUT of the graph <{name}>" if protocol == "gsp"
                        else f"SPARQL Update of the graph <{name}>")
                raise http.fail(what, response)
    return True


def _count(http: _Http, query_url: str, graph: str) -> int:
    rows = http.select(query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> "
                                  "{ ?s ?p ?o } }")
    try:
        return int(rows[0]["n"]["value"])
    except (IndexError, KeyError, ValueError):
        raise StoreError("the store's count of a graph is not a number", url=query_url,
                         response_text=json.dumps(rows)[:400]) from None


__all__ = ["AUTH_SCHEMES", "CHUNK_TRIPLES", "PROFILES", "PROTOCOLS", "Endpoints", "Profile",
           "PushResult", "StoreAuthError", "StoreError", "discover", "push"]
