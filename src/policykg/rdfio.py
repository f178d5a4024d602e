"""Reading RDF files, with errors that name the file and the line.

Door: :func:`read_graph`. Parsing is done by pyoxigraph (fast, and its syntax errors carry a
line and column); the triples are then handed to rdflib for the libraries that need it
(pySHACL). Quads of named graphs are merged into one graph: the gate judges their union.

:func:`gc_paused` is for the stages that make RDF terms in bulk (mapping, provenance,
reasoning, the gate): the cyclic garbage collector off while they run.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import BNode, Graph, Literal, Node, URIRef

from .errors import InputError
from .names import XSD_STRING

#: File extension -> (pyoxigraph format name, rdflib format name).
FORMATS: dict[str, tuple[str, str]] = {
    ".ttl": ("TURTLE", "turtle"),
    ".turtle": ("TURTLE", "turtle"),
    ".nt": ("N_TRIPLES", "nt"),
    ".nq": ("N_QUADS", "nquads"),
    ".trig": ("TRIG", "trig"),
    ".n3": ("N3", "n3"),
    ".rdf": ("RDF_XML", "xml"),
    ".owl": ("RDF_XML", "xml"),
    ".xml": ("RDF_XML", "xml"),
    ".jsonld": ("JSON_LD", "json-ld"),
    ".json": ("JSON_LD", "json-ld"),
}


def format_of(path: Path) -> str:
    """The pyoxigraph format name for ``path``, from its extension."""
    try:
        return FORMATS[path.suffix.lower()][0]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"unknown RDF file extension {path.suffix!r}", path=path,
                         hint=f"use one of {known}") from None


def read_graph(path: str | Path) -> Graph:
    """Parse the RDF file at ``path`` into a new rdflib graph (named graphs merged).

    Raises :class:`InputError` for a missing or unreadable file, bytes that are not UTF-8,
    or a syntax error; the error carries the file and, where known, the line.
    """
    import pyoxigraph as ox

    path = Path(path)
    fmt = getattr(ox.RdfFormat, format_of(path))
    if not path.is_file():
        raise InputError("no such file", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from None
    if not data.strip():
        raise InputError("the file is empty", path=path, line=1)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                         path=path, line=line) from None
    try:
        parser = ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())
        quads = list(parser)
    except SyntaxError as exc:
        message = str(exc.msg if getattr(exc, "msg", None) else exc)
        line = getattr(exc, "lineno", None) or _xml_error_line(data)
        raise InputError(f"RDF syntax error: {message}", path=path, line=line) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"RDF syntax error: {exc}", path=path) from None

    graph = Graph(bind_namespaces="core")
    nt = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    if nt:
        graph.parse(data=nt, format="nt")
    for prefix, namespace in (getattr(parser, "prefixes", None) or {}).items():
        graph.bind(prefix, namespace, override=True)
    return graph


def rdflib_term(term: object) -> Node:
    """The rdflib term for a pyoxigraph term (blank node labels kept; an ``xsd:string``
    literal becomes a plain literal, as rdflib writes it)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))
    raise TypeError(f"not an RDF term of pyoxigraph: {term!r}")


def rdflib_graph(triples: Iterable[object]) -> Graph:
    """A new rdflib graph holding the pyoxigraph ``triples``."""
    graph = Graph(bind_namespaces="core")
    for t in triples:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's automatic cyclic garbage collection off for the block (as it was after).

    Why: a build holds millions of small objects that live until it ends (records, pyoxigraph
    terms and triples, the reasoner's set of conclusions). CPython's collector of the oldest
    generation walks every one of them each time it runs, and it runs more often the more is
    allocated: 7 s of a 60 s build at 40,000 repetitions of one pattern (0.4 s at 5,000), the
    largest part of the build's growth beyond linear (bench/RESULTS.md, issue 18). The objects
    made in these stages are freed by reference counting; the few reference cycles wait for
    the next collection after the block.

    Re-entrant and thread-safe: nested or concurrent blocks (a server building in a thread)
    turn collection back on only when the last one ends, and only if it was on before the
    first began.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def _xml_error_line(data: bytes) -> int | None:
    """The line of the first XML well-formedness error (pyoxigraph's RDF/XML errors have none)."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        return exc.lineno
    return None


__all__ = ["FORMATS", "format_of", "gc_paused", "rdflib_graph", "rdflib_term", "read_graph"]
