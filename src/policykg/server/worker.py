"""A query worker: a child process that holds the published graph and answers queries.

The server never evaluates a query in its own process: a query that runs past the time limit
is stopped by killing its worker, which is the only way to stop pyoxigraph mid-query. A worker
reads the snapshot's N-Quads into an in-memory store once, then answers requests sent over a
pipe, each with the serialized result (bytes) or an error. It imports nothing but pyoxigraph,
the standard library and :mod:`.guard`, so it starts fast; it caps its own address space, and
once loaded it can open no file or socket (``RLIMIT_NOFILE`` 0).

Results are serialized here, row by row, so that the row cap is enforced while streaming:
SPARQL JSON, XML, CSV and TSV for solutions and booleans; any pyoxigraph RDF format for graphs.
"""
from __future__ import annotations

import json
import re
import resource
import signal
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

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
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
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

def _json_term(term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


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


def serialize_solutions(variables: list[str], rows: list[list[object]], fmt: str) -> bytes:
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
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
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


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
    """The worker's life: cap memory, load the snapshot, answer until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker ends
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    try:
        store = load_snapshot(snapshot)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which refuses to start
        conn.send(("error", f"cannot load {snapshot}: {exc}"))
        return
    # No new file descriptors from here on: no socket, no file. Whatever slips past the guard
    # (a SERVICE call, a fetch), pyoxigraph cannot open a connection (EMFILE, a 400 answer).
    resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))
    threading.stack_size(STACK_SIZE)
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            response = _execute_on_a_deep_stack(store, request)
        except MemoryError:
            # the heap may be in a poor state: answer, then end; the pool starts a fresh worker
            conn.send(QueryResponse(503, "text/plain; charset=utf-8",
                                    b"the query needed more memory than a query may use\n"))
            return
        conn.send(response)


__all__ = ["GRAPH_TYPES", "RESULT_TYPES", "QueryRequest", "QueryResponse", "execute", "main", "xml_safe"]
