"""A query worker: a child process that holds the published graph and answers queries.

The server never evaluates a query in its own process: a query that runs past the time limit
is stopped by killing its worker, which is the only way to stop pyoxigraph mid-query. A worker
answers requests sent over a pipe, each with the serialized result (bytes) or an error. It
caps its own address space, and it can open no socket: a seccomp filter (Linux x86-64 and
ARM64) makes ``socket(2)`` fail in every thread from its first step, so whatever slips past the
guard (a ``SERVICE`` call, a fetch) cannot connect anywhere.

Where its graph comes from:

* a build folder with a persistent store (:func:`policykg.pipeline.publish.release.open_store`): the worker
  opens the store read-only and is ready at once, whatever the size of the build (RocksDB
  reads the files it needs as queries ask). When the build's N-Quads take at most
  1/:data:`IN_MEMORY_SHARE` of its memory cap, it then loads them into memory in a thread of
  the lowest priority and answers from there once they are in (queries run several times
  faster in memory); the store is closed, and from then on the worker can open no file either
  (``RLIMIT_NOFILE`` 0);
* a build folder without a store (an older policykg's), an N-Quads file, or any folder where
  the filter cannot be installed: the worker loads the N-Quads into memory before it says it
  is ready, then can open no file or socket (``RLIMIT_NOFILE`` 0), as before stores existed.

Results are serialized here, row by row, so that the row cap is enforced while streaming:
SPARQL JSON, XML, CSV and TSV for solutions and booleans; any pyoxigraph RDF format for graphs.
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import re
import resource
import signal
import struct
import threading
from dataclasses import dataclass, field
from json.encoder import (
    encode_basestring as _json_string,  # json.dumps' encoder (ensure_ascii=False)
)
from multiprocessing.connection import Connection
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..names import XSD_STRING
from ..results import json_bindings
from .guard import inspect_query

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_TYPES = {
    "turtle": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "nquads": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
}
#: What XML 1.0 cannot hold, even as a character reference: C0 controls other than tab, line
#: feed and carriage return, and U+FFFE, U+FFFF (in UTF-8: bytes that are never part of another
#: character). A literal holding one is answered with U+FFFD in its place in XML results and
#: RDF/XML; the other formats (JSON, CSV, TSV, Turtle, N-Triples) carry it as it is.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def xml_safe(body: bytes) -> bytes:
    """``body`` (UTF-8 XML) with every character XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd".encode(), body)
#: The stack a query is evaluated on. pyoxigraph recurses over the query's algebra, and a long
#: flat chain (``1+1+...``, ``{} UNION {} ...``) overflows an 8 MiB stack a few thousand links
#: in, killing the process; with :data:`policykg.server.guard.MAX_TOKENS` this stack is ample.
STACK_SIZE = 256 << 20


@dataclass(frozen=True)
class QueryRequest:
    query: str
    result_format: str  # a key of RESULT_TYPES or GRAPH_TYPES
    default_graph: tuple[str, ...] | None = None  # protocol default-graph-uri
    named_graphs: tuple[str, ...] | None = None  # protocol named-graph-uri
    max_rows: int = 10_000
    substitutions: tuple[tuple[str, str], ...] = ()  # variable -> IRI, bound safely
    base_iri: str | None = None
    has_dataset: bool | None = None  # the query has FROM / FROM NAMED (None: the worker finds out)


@dataclass(frozen=True)
class QueryResponse:
    status: int  # 200, or 400 for a query pyoxigraph refuses
    content_type: str
    body: bytes
    rows: int = 0
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------- serializers

def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_field(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        value = "_:" + term.value
    else:
        value = term.value
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv_field(term: object) -> str:
    return "" if term is None else str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json_term(term: object) -> str:
    """``term`` as :func:`policykg.results.json_bindings` encodes it, written straight to JSON
    text (the bytes ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` gives)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if kind is ox.Literal:
        if term.language:
            return ('{"type":"literal","value":' + _json_string(term.value) + ',"xml:lang":'
                    + _json_string(term.language) + "}")
        datatype = term.datatype.value
        if datatype != XSD_STRING:
            return ('{"type":"literal","value":' + _json_string(term.value) + ',"datatype":'
                    + _json_string(datatype) + "}")
        return '{"type":"literal","value":' + _json_string(term.value) + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    if kind is ox.Triple:
        return ('{"type":"triple","value":{"subject":' + _json_term(term.subject) + ',"predicate":'
                + _json_term(term.predicate) + ',"object":' + _json_term(term.object) + "}}")
    return json.dumps(json_bindings(["v"], [[term]])[0]["v"], ensure_ascii=False, separators=(",", ":"))


def serialize_json(variables: list[str], rows: list[list[object]]) -> bytes:
    """SPARQL 1.1 Query Results JSON, byte for byte what ``json.dumps`` gives of
    ``{"head": {"vars": ...}, "results": {"bindings": json_bindings(...)}}`` (compact, UTF-8),
    written without building the dictionaries first."""
    keys = [_json_string(v) + ":" for v in variables]
    bindings = ",".join("{" + ",".join(key + _json_term(term) for key, term in zip(keys, row) if term is not None)
                        + "}" for row in rows)
    return ('{"head":{"vars":[' + ",".join(_json_string(v) for v in variables) + ']},"results":{"bindings":['
            + bindings + "]}}").encode("utf-8")


def serialize_solutions(variables: list[str], rows: list[list[object]], fmt: str) -> bytes:
    if fmt == "json":
        return serialize_json(variables, rows)
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                      for v, t in zip(variables, row) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(_csv_field(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)] + ["\t".join(_tsv_field(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"no solutions format {fmt!r}")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return (("true" if value else "false") + "\n").encode("utf-8")
    raise ValueError(f"no boolean format {fmt!r}")


# ------------------------------------------------------------------------- evaluation

def execute(store: ox.Store, request: QueryRequest) -> QueryResponse:
    """Run one query on ``store``; a query pyoxigraph refuses gives a 400 response."""
    kwargs: dict[str, object] = {}
    try:
        # The dataset: the protocol's (default-graph-uri and named-graph-uri; a part not given
        # is empty), else the query's own (FROM / FROM NAMED), else the union of every graph as
        # the default graph and every graph as a named graph. (pyoxigraph ignores FROM under
        # the union flag.) A malformed IRI raises ValueError here: a 400, like the query's own.
        if request.default_graph is not None or request.named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graph or ()]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or ()]
        elif not (request.has_dataset if request.has_dataset is not None
                  else inspect_query(request.query).has_dataset):
            kwargs["use_default_graph_as_union"] = True
        if request.substitutions:
            kwargs["substitutions"] = {ox.Variable(k): ox.NamedNode(v) for k, v in request.substitutions}
        if request.base_iri:
            kwargs["base_iri"] = request.base_iri
        result = store.query(request.query, **kwargs)
        cap = request.max_rows
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows: list[list[object]] = []
            truncated = False
            for solution in result:
                if len(rows) >= cap:
                    truncated = True
                    break
                rows.append([solution[i] for i in range(len(variables))])
            fmt = request.result_format if request.result_format in RESULT_TYPES else "json"
            body = serialize_solutions(variables, rows, fmt)
            return QueryResponse(200, RESULT_TYPES[fmt], xml_safe(body) if fmt == "xml" else body,
                                 len(rows), truncated)
        if isinstance(result, (bool, ox.QueryBoolean)):  # pyoxigraph 0.5 answers ASK with a QueryBoolean
            fmt = request.result_format if request.result_format in RESULT_TYPES else "json"
            return QueryResponse(200, RESULT_TYPES[fmt], serialize_boolean(bool(result), fmt), 1)
        triples = []
        truncated = False
        for triple in result:
            if len(triples) >= cap:
                truncated = True
                break
            triples.append(triple)
        media, rdf_format = GRAPH_TYPES.get(request.result_format, GRAPH_TYPES["turtle"])
        if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            body = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=rdf_format)
        else:
            body = ox.serialize(triples, format=rdf_format)
            if rdf_format == ox.RdfFormat.RDF_XML and body:
                body = xml_safe(body)
        return QueryResponse(200, media, body or b"", len(triples), truncated)
    except SyntaxError as exc:
        return QueryResponse(400, "text/plain; charset=utf-8", f"SPARQL syntax error: {exc}\n".encode())
    except (ValueError, TypeError, OSError, RuntimeError) as exc:
        return QueryResponse(400, "text/plain; charset=utf-8", f"query error: {exc}\n".encode())


def load_snapshot(path: str) -> ox.Store:
    """The N-Quads file ``path`` in a new in-memory store."""
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


#: A worker answering from a build's store also loads the build into memory when its N-Quads
#: take at most this fraction (1/N) of the worker's memory cap: an in-memory store of a build
#: takes about twice the N-Quads' size, and a query needs room of its own. (A worker of the
#: 1,000-document build, 280 MB of N-Quads, loads it under the default 4 GiB cap; one of
#: 10,000 documents stays on the store, which it could not hold in memory under that cap.)
IN_MEMORY_SHARE = 4

# seccomp: (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup, __NR_seccomp) of each architecture
_SYSCALLS = {"x86_64": (0xC000003E, 41, 425, 317), "aarch64": (0xC00000B7, 198, 425, 277)}


def forbid_sockets() -> bool:
    """Install a seccomp filter under which ``socket(2)`` (and ``io_uring_setup(2)``, which could
    make sockets too) fail with ``EACCES`` in every thread of this process, now and later;
    every other system call is allowed. True when installed (Linux on x86-64 or ARM64).

    The filter, in classic BPF: a system call of another architecture (a 32-bit or x32 call
    from a 64-bit process) is refused whatever it is; ``socket`` and ``io_uring_setup`` are
    refused; the rest is allowed. ``PR_SET_NO_NEW_PRIVS`` comes first, as the kernel requires
    of an unprivileged process (a worker never executes another program anyway).
    """
    numbers = _SYSCALLS.get(platform.machine()) if os.name == "posix" and os.uname().sysname == "Linux" else None
    if numbers is None:
        return False
    arch, nr_socket, nr_io_uring_setup, nr_seccomp = numbers
    load, equal, at_least, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    allow, refuse = 0x7FFF0000, 0x00050000 | errno.EACCES  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    program = [
        (load, 0, 0, 4),                  # 0: seccomp_data.arch
        (equal, 0, 5, arch),              # 1: another architecture -> 7
        (load, 0, 0, 0),                  # 2: seccomp_data.nr
        (at_least, 3, 0, 0x40000000),     # 3: an x32 call -> 7
        (equal, 2, 0, nr_socket),         # 4: socket -> 7
        (equal, 1, 0, nr_io_uring_setup),  # 5: io_uring_setup -> 7
        (ret, 0, 0, allow),               # 6
        (ret, 0, 0, refuse),              # 7
    ]
    code = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog): every thread
        return libc.syscall(ctypes.c_long(nr_seccomp), ctypes.c_long(1), ctypes.c_long(1), ctypes.byref(fprog)) == 0
    except (OSError, AttributeError):
        return False


def _fits_in_memory(nquads: Path, memory_limit: int) -> bool:
    try:
        size = nquads.stat().st_size
    except OSError:
        return False
    return size * IN_MEMORY_SHARE <= (memory_limit if memory_limit > 0 else 4 << 30)


class _Served:
    """The store the worker answers from, and the lock under which it is replaced."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.lock = threading.Lock()


def _load_behind(served: _Served, nquads: Path) -> None:
    """Load ``nquads`` into memory at the lowest priority (queries go first; the loader's own
    threads inherit it), then answer from there: the store is closed, and the worker can open
    no file any more. Keeps answering from the store if the load fails."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (OSError, AttributeError):
        pass
    try:
        memory = load_snapshot(str(nquads))
    except Exception:  # noqa: BLE001 - a file gone, no memory left: the store still answers
        return
    with served.lock:  # not while a query runs
        served.store = memory  # the store's last reference: RocksDB is closed here
    resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))


def _execute_on_a_deep_stack(store: ox.Store, request: QueryRequest) -> QueryResponse:
    """:func:`execute` in a thread whose stack is :data:`STACK_SIZE`."""
    outcome: list[QueryResponse | BaseException] = []

    def run() -> None:
        try:
            outcome.append(execute(store, request))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome.append(exc)

    thread = threading.Thread(target=run, name="policykg-query")
    try:
        thread.start()
    except RuntimeError:  # no room for the stack (a small memory limit): evaluate here
        return execute(store, request)
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def main(conn: Connection, snapshot: str, memory_limit: int) -> None:
    """The worker's life: cap memory, forbid sockets, open or load the snapshot (a build
    folder or an N-Quads file: see the module docstring), answer until the pipe closes.

    Says ``("ready", "store")`` when it answers from the build's store, ``("ready", None)``
    when it has loaded the N-Quads, ``("error", message)`` when it cannot start."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker ends
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    no_sockets = forbid_sockets()
    source = Path(snapshot)
    nquads = source / "policykg.nq" if source.is_dir() else source
    try:
        store = None
        if no_sockets and source.is_dir():
            from ..pipeline.publish.release import open_store

            store = open_store(source, pin=False)  # a private copy: nothing replaces it
        on_disk = store is not None
        if store is None:
            store = load_snapshot(str(nquads))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which refuses to start
        conn.send(("error", f"cannot load {snapshot}: {exc}"))
        return
    served = _Served(store)
    del store
    if not on_disk:
        # No new file descriptors from here on: no socket, no file. Whatever slips past the
        # guard (a SERVICE call, a fetch), pyoxigraph cannot open a connection (a 400 answer).
        resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))
    elif _fits_in_memory(nquads, memory_limit):
        threading.Thread(target=_load_behind, args=(served, nquads), name="policykg-load", daemon=True).start()
    threading.stack_size(STACK_SIZE)  # (after the loader's thread: only queries need it)
    conn.send(("ready", "store" if on_disk else None))
    # The loop runs in one long-lived thread on the deep stack (starting a thread with a
    # 256 MiB stack for each query cost more than most queries); where there is no room for
    # that stack (a small memory cap), it runs here.
    thread = threading.Thread(target=_serve, args=(conn, served), name="policykg-query", daemon=True)
    try:
        thread.start()
    except RuntimeError:
        _serve(conn, served)
        return
    thread.join()


def _serve(conn: Connection, served: _Served) -> None:
    """Answer requests from ``conn`` until it closes. A request sent as the tuple of
    :func:`encode_request` (the pool's) gets the tuple of :func:`encode_response`; one sent as a
    :class:`QueryRequest`, a :class:`QueryResponse`."""
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        # a request sent as a tuple (the pool's) is answered with a tuple, a QueryRequest with a QueryResponse
        encode = encode_response if isinstance(request, tuple) else _same
        if isinstance(request, tuple):
            request = QueryRequest(*request)
        try:
            with served.lock:
                response = execute(served.store, request)
        except MemoryError:
            # the heap may be in a poor state: answer, then end; the pool starts a fresh worker
            conn.send(encode(QueryResponse(503, "text/plain; charset=utf-8",
                                           b"the query needed more memory than a query may use\n")))
            return
        conn.send(encode(response))


def _same(response: QueryResponse) -> QueryResponse:
    return response


def encode_request(request: QueryRequest) -> tuple:
    """``request`` as a plain tuple (its fields in order): cheaper to pickle than the class."""
    return (request.query, request.result_format, request.default_graph, request.named_graphs, request.max_rows,
            request.substitutions, request.base_iri, request.has_dataset)


def encode_response(response: QueryResponse) -> tuple:
    """``response`` as a plain tuple: status, content type, body (the answer's final bytes),
    rows, truncated, extra headers (``None`` when there are none)."""
    return (response.status, response.content_type, response.body, response.rows, response.truncated,
            response.headers or None)


def decode_response(message: tuple) -> QueryResponse:
    status, content_type, body, rows, truncated, headers = message
    return QueryResponse(status, content_type, body, rows, truncated, headers or {})


__all__ = ["GRAPH_TYPES", "IN_MEMORY_SHARE", "RESULT_TYPES", "QueryRequest", "QueryResponse", "decode_response",
           "encode_request", "encode_response", "execute",
           "forbid_sockets", "main", "xml_safe"]
