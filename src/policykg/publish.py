"""Publishing a build: the working store's graphs as files, swapped in atomically; the
builds published before it, kept; rollback.

Pipeline position::

    ... -> reason -> gate -> **publish** -> serve / query / export / push

Doors: :func:`publish`, :func:`latest_good`, :func:`history`, :func:`rollback`, :func:`lock`;
:func:`check_out_dir` (may a build go there?) and :func:`resolve_out_dir`.

A build holds:

* ``policykg.ttl``: ontology + data as Turtle, with readable prefixes (:data:`PREFIXES`);
* ``policykg.nt``: ontology + data as canonical N-Triples: RDFC-1.0 blank node labels, lines
  sorted, UTF-8, ``\\n`` line ends; byte-identical for the same graph;
* ``policykg.trig`` and ``policykg.nq``: the four named graphs of
  :data:`policykg.graphs.GRAPHS` (the N-Quads canonical like the N-Triples; in the TriG the
  provenance graph, most of the quads, is written as its canonical N-Triples lines);
* ``policykg.jsonld``: ontology + data, compacted with a context under which it reads like
  plain JSON (:func:`jsonld_context`); ``context.jsonld``: that context alone;
* ``policykg.owl``: the OWL edition (:func:`policykg.ontology.owl_edition`) as RDF/XML;
* ``shacl-report.ttl``, ``gate.txt``, ``build-report.md``: the gate's report graph and text,
  and the build's report; ``void.ttl``: the VoID description, when one is given;
* ``store/``: the same quads as ``policykg.nq`` in a persistent pyoxigraph store (RocksDB
  files), which ``policykg query`` and the server's query workers open read-only instead of
  parsing the N-Quads (:func:`store_path`); ``store/policykg-store.json`` records the SHA-256
  of the ``policykg.nq`` it was loaded from. Written by a child process while the other files
  are (:class:`_StoreWriter`); a store that cannot be written is left out, with a warning;
* ``SHA256SUMS``: the digest of every other file (``sha256sum -c SHA256SUMS``), the store's
  included, written last.

Every RDF file is written from the canonical form of its graphs, so that the same graphs give
the same bytes whatever the order the store holds them in. A build is *complete* when it holds
every required file and each matches ``SHA256SUMS``; its *id* is the first 12 hex digits of
the SHA-256 of its ``SHA256SUMS`` without the lines of ``store/``, so of all its other bytes.

The store is the one part whose bytes differ from one build of the same graphs to the next:
RocksDB writes a random database id, session ids and times into its files. So the id leaves it
out (two builds of the same graphs have one id, and the second changes nothing), while
``SHA256SUMS`` still lists each of its files: a store file changed or truncated after
publication makes the build incomplete, like any other file. Opening the store read-only
changes none of its files (no byte, no time stamp, no new file; ``tests/test_store.py``), so
the digests hold for as long as the build is kept. A reader uses the store only when its record
names the digest ``SHA256SUMS`` lists for ``policykg.nq``; otherwise (a build of an older
policykg, without a store, or N-Quads replaced by hand) it reads ``policykg.nq``, with the same
answers.

The folders, for ``out_dir`` = ``dist``::

    dist/                                the current build: what is published and served
    dist.history/000007-9f3c2a1b7e4d/    the builds published before it (up to ``keep``, 5 by
    dist.history/000006-1a2b3c4d5e6f/      default), each named <number>-<id>; the highest
    dist.prev -> dist.history/000007-... number left ``dist`` last: ``dist.prev`` links to it
    .dist.lock                           held by whoever writes any of these (:func:`lock`)

Promises, each kept if the process is killed at any instant (SIGKILL included):

* **Atomic.** :func:`publish` writes every file, the store's too, into a hidden folder beside
  ``dist`` (``.dist.tmp-*``), fsyncs it, and only then swaps it in with one
  ``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere two renames, with an instant where
  ``dist`` is missing and :func:`latest_good` answers from the history). A reader finds
  ``dist`` as it was or as the new build, never half written.
* **One writer.** :func:`publish` and :func:`rollback` hold :func:`lock`, an exclusive
  ``flock`` of ``.dist.lock``; :func:`policykg.build.build` holds it for the whole build. The
  kernel releases it when its process dies, however it dies: a killed writer never blocks the
  next.
* **Never what policykg did not write.** A publish or rollback replaces ``dist`` only when it
  is missing, empty or an intact build (every file listed in ``SHA256SUMS`` and matching it):
  a folder with a user's files, a subfolder, or a build edited by hand is refused
  (:func:`check_out_dir`), never deleted. ``dist`` given as a symbolic link is the folder it
  points to; a linked ``dist.history`` and a linked or special ``.dist.lock`` are refused.
* **Nothing lost.** The build a publish replaces moves into ``dist.history`` (the swap puts it
  at ``.dist.swap-<number>-<id>``, named after its id, then a rename files it: whatever is
  found under such a name after a kill is filed if it is that build, else it was a new build
  that never went in, and is removed). Only then are the oldest builds beyond ``keep``
  removed. A publish whose files equal the current build's changes nothing.
* **Self-healing.** Each publish and rollback starts (under the lock) by finishing what a
  killed one left: hidden ``.dist.tmp-*``, ``.dist.trash-*`` and ``dist.history/.trash-*``
  folders are removed, a build left at ``.dist.swap-*`` is filed, a history folder whose
  name does not match its id is renamed, ``dist.prev`` is pointed at the newest history
  folder (a ``dist.prev`` folder of an older policykg is moved into the history). Hidden names
  are never builds: :func:`latest_good` and :func:`history` ignore them.

:func:`rollback` makes the newest build of the history current again and files the build it
replaces as the newest: so ``rollback`` twice is back where it started, like ``kubectl rollout
undo``; ``rollback(to=ID)`` goes back to any kept build. Same swap, same lock, same promises.
:func:`latest_good` is the newest complete build (``dist``, else the history newest first),
which is what ``policykg serve`` serves.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EnvironmentProblem, InputError
from .graphs import BASE, GRAPHS

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

POL = "https://w3id.org/policykg/ontology#"
_ID = BASE + "id/"

log = logging.getLogger("policykg.publish")

#: How many builds published before the current one ``<out_dir>.history`` keeps by default.
KEEP = 5

#: Prefixes of the published Turtle, TriG and JSON-LD: the vocabularies, then one per IRI kind.
PREFIXES: dict[str, str] = {
    "pol": POL,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "cv": "http://data.europa.eu/m8g/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "wgs84": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "agency": _ID + "agency/",
    "area": _ID + "area/",
    "region": _ID + "region/",
    "base": _ID + "export-base/",
    "site": _ID + "site/",
    "doc": _ID + "document/",
    "measure": _ID + "measure/",
    "category": _ID + "category/",
    "scheme": _ID + "scheme/",
    "graph": BASE + "graph/",
}

#: The authority files the graph links to with ``skos:exactMatch`` (issue 17): prefixes of the
#: JSON-LD context (``"exactMatch": ["gn:1816670/"]``) and of query results, not of the Turtle
#: files, where a GeoNames IRI would need an escaped ``/`` (``gn:1816670\/``) and stays whole.
LINK_PREFIXES: dict[str, str] = {
    "gn": "https://sws.geonames.org/",
    "wd": "http://www.wikidata.org/entity/",
}

ONTOLOGY_AND_DATA = ("ontology", "data")
CHECKSUMS = "SHA256SUMS"
#: The folder of a build holding its persistent store (optional: older builds have none).
STORE = "store"
#: The store's record of what it holds, inside :data:`STORE`: the digest of its N-Quads.
STORE_RECORD = "policykg-store.json"
#: The files every build has (``void.ttl`` is optional); ``SHA256SUMS`` lists their digests.
REQUIRED_FILES = ("policykg.ttl", "policykg.nt", "policykg.trig", "policykg.nq",
                  "policykg.jsonld", "context.jsonld", "policykg.owl", "shacl-report.ttl",
                  "build-report.md", "gate.txt")

_XSD = PREFIXES["xsd"]
# In JSON-LD, literals of these datatypes are JSON numbers and booleans.
_NATIVE = {_XSD + "integer", _XSD + "boolean"}
_PLAIN = {_XSD + "string"}
# Annotation and schema terms that read well as plain keys: name -> (CURIE, value kind).
_COMMON_TERMS: dict[str, tuple[str, str]] = {
    "label": ("rdfs:label", "lang"),
    "comment": ("rdfs:comment", "lang"),
    "prefLabel": ("skos:prefLabel", "lang"),
    "altLabel": ("skos:altLabel", "set"),
    "definition": ("skos:definition", "lang"),
    "example": ("skos:example", "lang"),
    "scopeNote": ("skos:scopeNote", "lang"),
    "title": ("dct:title", "lang"),
    "inScheme": ("skos:inScheme", "id"),
    "exactMatch": ("skos:exactMatch", "ids"),
    "closeMatch": ("skos:closeMatch", "ids"),
    "isDefinedBy": ("rdfs:isDefinedBy", "id"),
    "seeAlso": ("rdfs:seeAlso", "ids"),
    "subClassOf": ("rdfs:subClassOf", "ids"),
    "subPropertyOf": ("rdfs:subPropertyOf", "ids"),
    "domain": ("rdfs:domain", "id"),
    "range": ("rdfs:range", "id"),
}


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` wrote.

    ``files`` maps each file name (``store/...`` for the store's) to its path inside
    ``out_dir``; ``triples`` maps each RDF file to the number of triples (quads for ``.trig``
    and ``.nq``) it holds; ``graphs`` the
    number of triples in each named graph; ``id`` is the build's id (see the module
    docstring); ``previous`` is where the build before it now lives (the newest folder of
    ``<out_dir>.history``), or ``None`` when there is none.
    """

    out_dir: Path
    files: dict[str, Path]
    triples: dict[str, int]
    graphs: dict[str, int]
    previous: Path | None
    id: str = ""


@dataclass(frozen=True)
class BuildRecord:
    """One published build: the current one (``number`` is ``None``) or one of the history.

    ``id``: see the module docstring (``None`` when the folder has no ``SHA256SUMS``);
    ``number``: the history's order, the highest left the current folder last; ``complete``:
    every required file is there and matches ``SHA256SUMS``. ``built`` (the end of the build,
    ``dct:modified``), ``sources`` and ``data_triples`` come from its ``void.ttl``, if any.
    """

    id: str | None
    path: Path
    number: int | None
    complete: bool
    built: str | None = None
    sources: int | None = None
    data_triples: int | None = None


@dataclass(frozen=True)
class BuildHistory:
    """The builds of an output folder: ``current`` (``None`` when there is none) and
    ``previous``, newest first: ``previous[0]`` is what :func:`rollback` goes back to."""

    out_dir: Path
    current: BuildRecord | None
    previous: tuple[BuildRecord, ...]


@dataclass(frozen=True)
class RollbackResult:
    """What :func:`rollback` did: ``current`` is the build ``out_dir`` holds now; ``replaced``
    the one it held before, now the newest of the history (``None`` if it was incomplete, and
    so dropped)."""

    out_dir: Path
    current: BuildRecord
    replaced: BuildRecord | None


# --------------------------------------------------------------------------------------------
# Serializations (each a function of the graphs, so that a test can make one fail)
# --------------------------------------------------------------------------------------------

def _canonical(quads: Iterable[pyoxigraph.Quad]) -> list[pyoxigraph.Quad]:
    """The quads with RDFC-1.0 blank node labels (``c14n0``, ...), without duplicates, sorted
    by graph (in :data:`GRAPHS` order), subject, predicate and object."""
    import pyoxigraph as ox

    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    order = {graph: i for i, graph in enumerate(GRAPHS.values())}
    return sorted(dataset, key=lambda q: (order.get(q.graph_name, len(order)), str(q.graph_name),
                                          str(q.subject), str(q.predicate), str(q.object)))


def _lines(data: bytes) -> list[bytes]:
    # Split on "\n" only: bytes.splitlines() (like str.splitlines()) also breaks at "\r", and
    # str's at U+0085, U+2028 and U+2029, which N-Triples allows raw inside a literal.
    return [line for line in data.split(b"\n") if line]


def _sorted_lines(data: bytes) -> bytes:
    """N-Triples or N-Quads with its lines sorted (code point order, as RDFC-1.0 sorts its
    N-Quads: UTF-8 bytes sort the same way) and without duplicates."""
    lines = sorted(set(_lines(data)))
    return b"\n".join(lines) + b"\n" if lines else b""


def _has_blank(line: bytes) -> bool:
    """Whether an N-Triples line has a blank node (as subject, or as object: its last term)."""
    return b"_:" in line and (line.startswith(b"_:")
                              or line[:-2].rstrip().rsplit(b" ", 1)[-1].startswith(b"_:"))


@dataclass(frozen=True)
class Dumped:
    """The graphs of :data:`GRAPHS` as the store's N-Triples writer gives them (no Python object
    per triple): per role, the lines without a blank node, and those with one."""

    plain: dict[str, list[bytes]]
    blank: dict[str, list[bytes]]

    @classmethod
    def of(cls, store: pyoxigraph.Store) -> Dumped:
        import pyoxigraph as ox

        plain, blank = {}, {}
        for role, graph in GRAPHS.items():
            lines = _lines(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"")
            blank[role] = [line for line in lines if _has_blank(line)]
            plain[role] = [line for line in lines if not _has_blank(line)] if blank[role] else lines
        return cls(plain, blank)

    def blank_quads(self, roles: Iterable[str]) -> list[pyoxigraph.Quad]:
        """The quads with a blank node of the graphs of ``roles``, parsed as one document (so a
        blank node shared by two graphs stays one)."""
        import pyoxigraph as ox

        text = b"".join(line[:-1] + b"<" + GRAPHS[role].value.encode() + b"> .\n"
                        for role in roles for line in self.blank[role])
        return list(ox.parse(text, format=ox.RdfFormat.N_QUADS)) if text else []


@dataclass(frozen=True)
class CanonicalGraphs:
    """The published graphs in canonical form: for each role of :data:`GRAPHS`, its sorted,
    distinct N-Triples lines (``bytes``, without line ends), blank nodes labelled by RDFC-1.0
    over the dataset of all four graphs (as in ``policykg.nq``)."""

    lines: dict[str, list[bytes]]

    def nquad_lines(self) -> list[bytes]:
        """Canonical N-Quads lines of every graph, sorted."""
        return sorted(line[:-1] + b"<" + GRAPHS[role].value.encode() + b"> ."
                      for role in GRAPHS for line in self.lines[role])

    def trig(self, pretty: Iterable[str] = ("ontology", "data", "inferences")) -> Iterator[bytes]:
        """TriG, in chunks: the graphs of ``pretty`` by pyoxigraph's writer with :data:`PREFIXES`,
        the others (the provenance graph, 80 % of the quads) as blocks of their canonical lines,
        which are TriG too, without a Python object per quad."""
        import pyoxigraph as ox

        pretty = [role for role in GRAPHS if role in set(pretty) and self.lines[role]]

        def quads() -> Iterator[pyoxigraph.Quad]:
            for role in pretty:
                for t in ox.parse(b"\n".join(self.lines[role]) + b"\n", format=ox.RdfFormat.N_TRIPLES):
                    yield ox.Quad(t.subject, t.predicate, t.object, GRAPHS[role])

        yield ox.serialize(quads(), format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b""
        for role, lines in self.lines.items():
            if role in pretty or not lines:
                continue
            yield b"\n<" + GRAPHS[role].value.encode() + b"> {\n"
            for i in range(0, len(lines), 65536):
                yield b"\n".join(lines[i:i + 65536]) + b"\n"
            yield b"}\n"


def canonical_graphs(store: pyoxigraph.Store, dumped: Dumped | None = None) -> CanonicalGraphs:
    """The graphs of :data:`GRAPHS` in ``store``, in canonical form (the dataset's).

    RDFC-1.0 labels a blank node from the quads that mention it and, through them, the blank
    nodes related to it: so canonicalizing only the quads that mention a blank node (the
    ontology's restrictions and lists, the sources' checksums) labels them exactly as
    canonicalizing the whole dataset would, and the million other quads of a thousand
    documents go from the store's writer to sorted lines.
    """
    import pyoxigraph as ox

    dumped = dumped or Dumped.of(store)
    names = {g: role for role, g in GRAPHS.items()}
    extra: dict[str, list[ox.Triple]] = {role: [] for role in GRAPHS}
    for q in _canonical(dumped.blank_quads(GRAPHS)):
        extra[names[q.graph_name]].append(q.triple)
    lines = {}
    for role in GRAPHS:
        own = list(dumped.plain[role])
        if extra[role]:
            own += _lines(ox.serialize(extra[role], format=ox.RdfFormat.N_TRIPLES))
        lines[role] = sorted(set(own))
    return CanonicalGraphs(lines)


def canonical_union(store: pyoxigraph.Store, roles: Iterable[str], dumped: Dumped | None = None) -> bytes:
    """Canonical N-Triples of the union of the graphs of ``roles`` (the graph's own RDFC-1.0
    labels, as :func:`canonical_ntriples` gives them, independent of the other graphs)."""
    import pyoxigraph as ox

    roles = list(roles)
    dumped = dumped or Dumped.of(store)
    lines = {line for role in roles for line in dumped.plain[role]}
    blank = dumped.blank_quads(roles)
    if blank:
        canonical = [q.triple for q in _canonical(ox.Quad(q.subject, q.predicate, q.object) for q in blank)]
        lines.update(_lines(ox.serialize(canonical, format=ox.RdfFormat.N_TRIPLES)))
    ordered = sorted(lines)
    return b"\n".join(ordered) + b"\n" if ordered else b""


def canonical_ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    """Canonical N-Triples: RDFC-1.0 blank nodes, one triple per line, lines sorted, UTF-8.

    The bytes depend only on the graph (up to blank node renaming), never on the order in
    which its triples were added.
    """
    import pyoxigraph as ox

    canonical = [q.triple for q in _canonical(ox.Quad(t.subject, t.predicate, t.object) for t in triples)]
    return _sorted_lines(ox.serialize(canonical, format=ox.RdfFormat.N_TRIPLES))


def canonical_nquads(quads: Iterable[pyoxigraph.Quad]) -> bytes:
    """Canonical N-Quads, as :func:`canonical_ntriples` but keeping the graph names."""
    import pyoxigraph as ox

    return _sorted_lines(ox.serialize(_canonical(quads), format=ox.RdfFormat.N_QUADS))


def _to_rdflib(triples: Iterable[pyoxigraph.Triple]) -> rdflib.Graph:
    """An rdflib graph with the same triples, blank node labels kept, :data:`PREFIXES` bound."""
    from rdflib import Graph

    from .rdfio import rdflib_term

    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    for t in triples:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def _turtle(graph: rdflib.Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def _turtle_ox(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    """Turtle from pyoxigraph's writer (consecutive triples of a subject share it), with
    :data:`PREFIXES`: an order of magnitude faster than rdflib's on the data graph."""
    import pyoxigraph as ox

    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def _rdfxml(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    # pyoxigraph's writer over sorted triples: rdflib's "xml" writer orders subjects by
    # Python's per-process string hash, and its "pretty-xml" drops assertions on list nodes.
    import pyoxigraph as ox

    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(ordered, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)


def jsonld_context(ontology: rdflib.Graph, shapes: rdflib.Graph | None = None) -> dict[str, Any]:
    """A JSON-LD context under which policykg data reads like plain JSON.

    ``id``/``type`` alias ``@id``/``@type``; every pol: class and property is a term named by
    its local name (object properties hold IRIs, in an array unless the property is
    functional; dates are ``xsd:date`` strings, integers JSON numbers); labels, definitions
    and other text in several languages are language maps (``"label": {"en": ..., "zh":
    ...}``). A property's datatype comes from its ``rdfs:range``, else from the shapes'
    ``sh:datatype`` (the date properties have no range: see the ontology's header).
    """
    from rdflib import RDF, RDFS, URIRef
    from rdflib.namespace import OWL, SH

    context: dict[str, Any] = {"id": "@id", "type": "@type"}
    context.update(PREFIXES)
    # links out (skos:exactMatch, below as "exactMatch"): GeoNames features, Wikidata items
    context.update(LINK_PREFIXES)
    for name, (curie, kind) in _COMMON_TERMS.items():
        context[name] = _term(curie, kind)
    # W3C Basic Geo points (lexicon coordinates), decimal degrees.
    context["lat"] = {"@id": "wgs84:lat", "@type": "xsd:decimal"}
    context["long"] = {"@id": "wgs84:long", "@type": "xsd:decimal"}

    def local(iri: URIRef) -> str:
        return str(iri)[len(POL):]

    def datatype(prop: URIRef) -> str | None:
        ranges = {str(r) for r in ontology.objects(prop, RDFS.range)}
        if not ranges and shapes is not None:
            ranges = {str(d) for shape in shapes.subjects(SH.path, prop)
                      for d in shapes.objects(shape, SH.datatype)}
        return ranges.pop() if len(ranges) == 1 else None

    mine = sorted({s for s in ontology.subjects() if isinstance(s, URIRef)
                   and str(s).startswith(POL) and local(s).isidentifier()})
    for iri in mine:
        kinds = set(ontology.objects(iri, RDF.type))
        curie = "pol:" + local(iri)
        if OWL.Class in kinds:
            context[local(iri)] = curie
        elif OWL.ObjectProperty in kinds:
            functional = OWL.FunctionalProperty in kinds
            context[local(iri)] = _term(curie, "id" if functional else "ids")
        elif OWL.DatatypeProperty in kinds:
            dt = datatype(iri)
            if dt is None or dt in _NATIVE or dt in _PLAIN:
                context[local(iri)] = {"@id": curie}
            else:
                context[local(iri)] = {"@id": curie, "@type": _curie(dt)}
    return context


def _term(curie: str, kind: str) -> dict[str, str]:
    return {
        "lang": {"@id": curie, "@container": "@language"},
        "set": {"@id": curie, "@container": "@set"},
        "id": {"@id": curie, "@type": "@id"},
        "ids": {"@id": curie, "@type": "@id", "@container": "@set"},
    }[kind]


def _curie(iri: str) -> str:
    """The compact form of ``iri`` in the JSON-LD: by :data:`PREFIXES`, then :data:`LINK_PREFIXES`."""
    for prefix, namespace in (*PREFIXES.items(), *LINK_PREFIXES.items()):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def jsonld(triples: list[pyoxigraph.Triple], context: dict[str, Any]) -> bytes:
    """The triples as flattened JSON-LD compacted with ``context``: one object per subject.

    Written by hand rather than by rdflib's JSON-LD writer, which loses a blank node (and the
    triples about it) when it is the value of a term coerced to ``@id``, such as
    ``rdfs:domain [ owl:unionOf (...) ]``. Well-formed RDF lists become ``@list`` arrays.
    """
    import pyoxigraph as ox

    rdf = PREFIXES["rdf"]
    first, rest, nil, rdf_type = rdf + "first", rdf + "rest", rdf + "nil", rdf + "type"

    by_iri: dict[str, tuple[str, dict[str, str]]] = {}
    classes: dict[str, str] = {}
    for name, definition in context.items():
        if isinstance(definition, dict) and "@id" in definition:
            by_iri[_expand(definition["@id"])] = (name, definition)
        elif isinstance(definition, str) and not definition.startswith("@") \
                and name not in PREFIXES and name not in LINK_PREFIXES:
            classes[_expand(definition)] = name

    subjects: dict[Any, list[tuple[str, Any]]] = {}
    referenced: dict[Any, int] = {}
    for t in triples:
        subjects.setdefault(t.subject, []).append((t.predicate.value, t.object))
        if isinstance(t.object, ox.BlankNode):
            referenced[t.object] = referenced.get(t.object, 0) + 1

    def list_items(head: Any) -> list[Any] | None:
        """The items of the well-formed list that starts at ``head``, else None."""
        items, node, seen = [], head, set()
        while not (isinstance(node, ox.NamedNode) and node.value == nil):
            props = subjects.get(node, [])
            if (not isinstance(node, ox.BlankNode) or node in seen or referenced.get(node) != 1
                    or sorted(p for p, _ in props) != [first, rest]):
                return None
            seen.add(node)
            items.append(next(o for p, o in props if p == first))
            node = next(o for p, o in props if p == rest)
        return items

    lists = {node: items for node in referenced
             if (items := list_items(node)) is not None}
    in_lists = set()
    for head in lists:
        node = head
        while isinstance(node, ox.BlankNode):
            in_lists.add(node)
            node = next(o for p, o in subjects[node] if p == rest)

    def ident(node: Any) -> str:
        return f"_:{node.value}" if isinstance(node, ox.BlankNode) else _curie(node.value)

    def value(node: Any) -> Any:
        """A node reference, a list or an explicit value object: right under any key."""
        if isinstance(node, ox.BlankNode) and node in lists:
            return {"@list": [value(item) for item in lists[node]]}
        if not isinstance(node, ox.Literal):
            return {"id": ident(node)}
        if node.language:
            return {"@value": node.value, "@language": node.language}
        if node.datatype.value in _PLAIN:
            return node.value
        return {"@value": node.value, "@type": _curie(node.datatype.value)}

    def compact(predicate: str, node: Any) -> tuple[str, Any, str]:
        """(key, JSON value, how it is added: "one", "set" or a language)."""
        term = by_iri.get(predicate)
        if term is not None:
            name, definition = term
            container = definition.get("@container")
            coerce = definition.get("@type")
            how = "set" if container == "@set" else "one"
            if container == "@language":
                if isinstance(node, ox.Literal) and node.language:
                    return name, node.value, node.language
            elif coerce == "@id":
                if not isinstance(node, ox.Literal) and node not in lists:
                    return name, ident(node), how
                return name, value(node), how
            elif isinstance(node, ox.Literal) and not node.language:
                datatype = node.datatype.value
                if coerce is not None and _expand(coerce) == datatype:
                    return name, node.value, how
                if coerce is None and datatype in _PLAIN:
                    return name, node.value, how
                if coerce is None and datatype == _XSD + "integer" \
                        and re.fullmatch(r"-?(0|[1-9][0-9]*)", node.value):
                    return name, int(node.value), how
                if coerce is None and datatype == _XSD + "boolean" \
                        and node.value in ("true", "false"):
                    return name, node.value == "true", how
                return name, value(node), how
            else:
                return name, value(node), how
        return _curie(predicate), value(node), "one"

    def sort_key(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False, sort_keys=True)

    nodes = []
    for subject in sorted(subjects, key=lambda n: (isinstance(n, ox.BlankNode), ident(n))):
        if subject in in_lists:
            continue
        node: dict[str, Any] = {}
        sets: set[str] = set()  # keys whose value is an array even when it holds one item
        types = []
        for predicate, obj in subjects[subject]:
            if predicate == rdf_type and isinstance(obj, ox.NamedNode):
                types.append(classes.get(obj.value) or _curie(obj.value))
                continue
            key, item, how = compact(predicate, obj)
            if how in ("one", "set"):
                node.setdefault(key, []).append(item)
                if how == "set":
                    sets.add(key)
            else:  # ``how`` is a language of a language map
                node.setdefault(key, {}).setdefault(how, []).append(item)
        out: dict[str, Any] = {"id": ident(subject)}
        if types:
            types.sort()
            out["type"] = types if len(types) > 1 else types[0]
        for key in sorted(node):
            values = node[key]
            if isinstance(values, dict):  # language map
                out[key] = {lang: sorted(v) if len(v) > 1 else v[0]
                            for lang, v in sorted(values.items())}
            else:
                values = sorted(values, key=sort_key)
                out[key] = values if key in sets or len(values) > 1 else values[0]
        nodes.append(out)
    return _json({"@context": context, "@graph": nodes})


def _expand(curie: str) -> str:
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if sep and prefix in LINK_PREFIXES:
        return LINK_PREFIXES[prefix] + local
    return curie


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------------------------

def _write_chunks(folder: Path, name: str, chunks: Iterable[bytes]) -> Path:
    """Write ``chunks`` to ``folder/name`` and fsync it (no second copy of a large file)."""
    path = folder / name
    with open(path, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def _write(folder: Path, name: str, data: bytes) -> Path:
    return _write_chunks(folder, name, (data,))


def _write_lines(folder: Path, name: str, lines: list[bytes]) -> Path:
    """Write ``lines`` each ended by ``\\n`` (nothing at all for no lines)."""
    return _write_chunks(folder, name, (b"\n".join(lines[i:i + 65536]) + b"\n"
                                        for i in range(0, len(lines), 65536)))


def _sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (a build's N-Quads and store hold hundreds of MB)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


#: Bytes of N-Quads per call of pyoxigraph's bulk loader when writing the store: its memory
#: grows with the quads of one call (about 1 GiB for a million), so they are loaded in parts.
STORE_PART = 64 << 20


#: The program of the child process that writes a build's persistent store (pyoxigraph and
#: the standard library only, so that it starts in a few hundredths of a second). Arguments:
#: the build's folder, its N-Quads, the publishing process's id, :data:`STORE_PART`.
#:
#: * It dies with the publishing process (``PR_SET_PDEATHSIG``, Linux): a killed build leaves no
#:   writer behind.
#: * pyoxigraph's bulk loader renames blank nodes within each call, so the lines with one are
#:   set aside and added at the end, parsed whole with their canonical labels kept (``_:c14n0``
#:   in an answer is ``_:c14n0`` in ``policykg.nq``).
#: * RocksDB's info logs (``LOG*``) are removed: nothing needs them to open the store, and a
#:   read-only opening writes none. Then the record (:data:`STORE_RECORD`) names the digest
#:   of the N-Quads, and every file and the folder are fsynced.
_STORE_CHILD = r"""
import ctypes, hashlib, json, os, sys
folder, nquads, parent, part_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
try:
    ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    sys.exit("the publishing process is gone")
import pyoxigraph as ox
target = os.path.join(folder, "STORE")
store = ox.Store(target)
blank = []
with open(nquads, "rb") as handle:
    while part := handle.read(part_size):
        part += handle.readline()  # whole lines only
        if b"_:" in part:  # a blank node (or "_:" in a literal: set aside all the same)
            lines = part.split(b"\n")
            blank += [line for line in lines if b"_:" in line]
            part = b"\n".join(line for line in lines if b"_:" not in line)
        store.bulk_load(part, format=ox.RdfFormat.N_QUADS)
if blank:
    store.bulk_extend(ox.parse(b"\n".join(blank), format=ox.RdfFormat.N_QUADS))
del store  # the last reference: RocksDB closes here (a pyoxigraph Store has no close())
for name in os.listdir(target):
    if name.startswith("LOG"):
        os.unlink(os.path.join(target, name))
with open(nquads, "rb") as handle:
    digest = hashlib.file_digest(handle, "sha256").hexdigest()
record = {"nquads": os.path.basename(nquads), "sha256": digest, "pyoxigraph": ox.__version__}
with open(os.path.join(target, "STORE_RECORD"), "w", encoding="utf-8") as handle:
    handle.write(json.dumps(record, indent=2) + "\n")
for name in os.listdir(target):
    fd = os.open(os.path.join(target, name), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
fd = os.open(target, os.O_RDONLY)
try:
    os.fsync(fd)
finally:
    os.close(fd)
""".replace('"STORE_RECORD"', repr(STORE_RECORD)).replace('"STORE"', repr(STORE))


class _StoreWriter:
    """The child process that writes a build's persistent store (:data:`_STORE_CHILD`) while
    :func:`publish` writes the other files: started once ``policykg.nq`` is written, waited for
    by :meth:`finish`; leaving the ``with`` block kills it if it still runs (a writer failed).

    A process rather than a thread: it runs beside the writers on another core, its memory
    (the bulk loader's) is returned when it ends, and the publishing process never starts
    RocksDB's background threads, which a process forked from it afterwards would lack (a
    read-write RocksDB store opened there waits for them forever).
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None

    def __enter__(self) -> _StoreWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def start(self, folder: Path, nquads: Path) -> None:
        """Start writing ``folder/store`` from ``nquads``."""
        self.folder = folder
        self.process = subprocess.Popen([sys.executable, "-c", _STORE_CHILD, str(folder), str(nquads),
                                         str(os.getpid()), str(STORE_PART)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def finish(self) -> list[str]:
        """Wait for the store; the names of its files (``store/...``), sorted. A store that
        could not be written is left out, with a warning: the build is whole without it, and
        its readers parse ``policykg.nq``."""
        assert self.process is not None and self.folder is not None
        _, err = self.process.communicate()
        if self.process.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines() or [f"exit {self.process.returncode}"]
            log.warning("the build is published without its persistent store, which could not be written "
                        "(%s); queries will parse policykg.nq", lines[-1])
            shutil.rmtree(self.folder / STORE, ignore_errors=True)
            return []
        names = []
        for path in sorted((self.folder / STORE).iterdir()):
            if path.is_symlink() or not path.is_file():
                raise OSError(errno.EISDIR, "the store holds something other than files", str(path))
            names.append(f"{STORE}/{path.name}")
        return names


def store_path(build: Path) -> Path | None:
    """The persistent store of the build folder ``build`` (``build/store``), when it holds the
    build's ``policykg.nq``: its record :data:`STORE_RECORD` is the one ``SHA256SUMS`` lists
    and names the digest ``SHA256SUMS`` lists for ``policykg.nq``. ``None`` otherwise — a build
    of an older policykg, or one whose N-Quads were replaced — and readers parse the N-Quads.

    Reads ``SHA256SUMS`` and the record only; the store's other files are checked against
    their digests where every file is (:func:`latest_good`, :func:`history`).
    """
    folder = Path(build) / STORE
    record = folder / STORE_RECORD
    try:
        listed = _listed(Path(build))
        named = json.loads(record.read_text(encoding="utf-8"))
        holds = (isinstance(named, dict) and named.get("sha256") == listed.get("policykg.nq")
                 and listed.get(f"{STORE}/{STORE_RECORD}") == _sha256(record))
    except (OSError, ValueError):
        return None
    return folder if holds else None


def open_store(build: Path, *, pin: bool = True) -> pyoxigraph.Store | None:
    """The persistent store of the build folder ``build`` (:func:`store_path`), opened
    read-only; ``None`` when the build has none, or when it cannot be opened (written by an
    incompatible pyoxigraph, damaged): the caller then reads ``policykg.nq``, the same quads.

    With ``pin``, opened through ``/proc/self/fd/N``, a descriptor of the store's folder that
    stays open as long as the process runs (on Linux; elsewhere through the folder's path):
    RocksDB opens some of its files by name only when a query first reads them, and through
    the descriptor those are always this folder's, even after a publish or rollback has
    swapped another build in at its path. (The server's workers open a private copy, which
    nothing replaces: they need no pin.) Opening and querying the store read-only writes
    nothing in it.
    """
    import pyoxigraph as ox

    folder = store_path(build)
    if folder is None:
        return None
    fd, pinned = -1, str(folder)
    if pin:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return None
        pinned = f"/proc/self/fd/{fd}"
        if not os.path.isdir(pinned):  # no /proc: the folder's own path
            os.close(fd)
            fd, pinned = -1, str(folder)
    try:
        return ox.Store.read_only(pinned)
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("cannot open the store of %s (%s); reading its N-Quads instead", build, exc)
        if fd >= 0:
            os.close(fd)
        return None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


def _prev(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".prev")


def _history_dir(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".history")


def _hidden(out_dir: Path, kind: str) -> Path:
    """A fresh hidden name beside ``out_dir``: ``.<name>.<kind>-<random>``."""
    return out_dir.with_name(f".{out_dir.name}.{kind}-{uuid.uuid4().hex[:12]}")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the system or the file system cannot, so the caller falls back to
    renames.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # pragma: no cover - glibc older than 2.28, musl
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # pragma: no cover
        return False
    raise OSError(err, os.strerror(err), str(b))


def _checksums(folder: Path, names: Iterable[str]) -> bytes:
    lines = [f"{_sha256(folder / name)}  {name}\n" for name in sorted(names)]
    return "".join(lines).encode("ascii")


def _listed(folder: Path) -> dict[str, str]:
    """Name -> digest, as ``folder/SHA256SUMS`` lists them (``OSError`` when it cannot be read)."""
    listed = {}
    for line in (folder / CHECKSUMS).read_text(encoding="ascii", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    return listed


def resolve_out_dir(out_dir: str | Path) -> Path:
    """The build folder ``out_dir`` names, as an absolute path without symbolic links.

    ``dist`` that is a symbolic link to a folder is that folder (so its history and lock lie
    beside the folder, where every later command finds them); ``.`` or ``a/..`` is the folder
    they name. Refused (:class:`InputError`): an empty name, the root folder, a link to
    nothing.
    """
    if not str(out_dir).strip():
        raise InputError("the build folder's name is empty", hint="name a folder, e.g. --out dist")
    path = Path(os.path.abspath(out_dir))
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.exists():
            raise InputError(f"the build folder is a symbolic link to {target}, which does not exist",
                             path=path, hint="remove the link or create the folder it points to")
        path = target
    else:
        path = Path(os.path.realpath(path.parent)) / path.name
    if path.parent == path:
        raise InputError("the root folder cannot be a build folder", path=path)
    return path


def _not_a_build(out_dir: Path) -> str | None:
    """Why ``out_dir`` (an existing folder) must not be replaced by a build, or ``None``.

    Replaceable: an empty folder, or a build whose files are all listed in its ``SHA256SUMS``
    and match it. Anything else holds something policykg did not write (a user's files, a
    subfolder) or a build edited since it was published; replacing it would lose that.
    """
    try:
        names = sorted(entry.name for entry in os.scandir(out_dir))
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if not names:
        return None
    sums = out_dir / CHECKSUMS
    if CHECKSUMS not in names or sums.is_symlink() or not sums.is_file():
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return (f"it is not a policykg build (no {CHECKSUMS}) and not empty: it holds {shown}")
    listed = _listed(out_dir)
    folders = {name.split("/", 1)[0] for name in listed if "/" in name}
    foreign = [n for n in names if n != CHECKSUMS and n not in listed and n not in folders]
    foreign += [n for n in names if n in listed and ((out_dir / n).is_symlink() or not (out_dir / n).is_file())]
    for folder in sorted(folders & set(names)):  # every file in it must be listed
        base = out_dir / folder
        if base.is_symlink() or not base.is_dir():
            foreign.append(folder)
            continue
        for root, dirs, files in os.walk(base):
            for name in dirs + files:
                rel = os.path.relpath(os.path.join(root, name), out_dir)
                if name in files and rel not in listed:
                    foreign.append(rel)
    if foreign:
        shown = ", ".join(sorted(set(foreign))[:5])
        return f"it holds files that are not part of its build: {shown}"
    changed = [n for n, digest in sorted(listed.items())
               if not (out_dir / n).is_file() or _sha256(out_dir / n) != digest]
    if changed:
        return (f"its build was changed after it was published ({', '.join(changed[:5])} "
                f"{'does' if len(changed) == 1 else 'do'} not match {CHECKSUMS})")
    if not set(REQUIRED_FILES) <= set(listed):
        return "it is not a complete policykg build"
    return None


def check_out_dir(out_dir: Path) -> None:
    """Refuse (:class:`InputError`) to publish into ``out_dir`` when that could lose anything.

    ``out_dir`` must be missing, an empty folder or an intact build (see :func:`_not_a_build`);
    ``<out_dir>.history`` a real folder or missing; ``<out_dir>.prev`` a link or missing.
    """
    history = _history_dir(out_dir)
    if history.is_symlink():
        raise InputError("the history of builds is a symbolic link: policykg keeps it in a "
                         "real folder beside the build folder", path=history,
                         hint="remove the link, or move the folder it points to here")
    for path in (out_dir, history):
        if path.exists() and not path.is_dir():
            raise InputError("a build folder is expected here, but it is a file", path=path,
                             hint="remove it or publish to another folder")
    if out_dir.is_dir():
        why = _not_a_build(out_dir)
        if why is not None:
            raise InputError(f"will not replace this folder: {why}", path=out_dir,
                             hint="policykg replaces only its own, intact builds; choose another "
                                  "--out, or move the folder away")


_check_out_dir = check_out_dir


def _complete(folder: Path) -> bool:
    """True when ``folder`` holds a whole build whose files match their ``SHA256SUMS``."""
    if not (folder / CHECKSUMS).is_file():
        return False
    listed = _listed(folder)
    if not set(REQUIRED_FILES) <= set(listed):
        return False
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            return False
    return True


_ID_LENGTH = 12
_ENTRY = re.compile(r"(\d+)-([0-9a-f]{12})")


def _build_id(folder: Path) -> str | None:
    """The build's id: the start of the SHA-256 of its ``SHA256SUMS`` without the lines of the
    store's files, whose bytes differ from one build of the same graphs to the next (see the
    module docstring); ``None`` without ``SHA256SUMS``. For a build without a store, that is
    the SHA-256 of the whole file, as policykg has always named builds."""
    try:
        sums = (folder / CHECKSUMS).read_bytes()
    except OSError:
        return None
    mark = f"  {STORE}/".encode()  # after the 64 hex digits of the digest
    kept = b"".join(line for line in sums.splitlines(keepends=True) if not line[64:].startswith(mark))
    return hashlib.sha256(kept).hexdigest()[:_ID_LENGTH]


def _entry_name(number: int, build_id: str) -> str:
    return f"{number:06d}-{build_id}"


def _entries(out_dir: Path) -> list[tuple[int, str, Path]]:
    """The history's folders as (number, id, path), oldest first; hidden names are skipped."""
    folder = _history_dir(out_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _ENTRY.fullmatch(path.name)
        if match and path.is_dir() and not path.is_symlink():
            found.append((int(match[1]), match[2], path))
    return sorted(found, key=lambda e: (e[0], e[1]))


def _next_number(out_dir: Path) -> int:
    entries = _entries(out_dir)
    return entries[-1][0] + 1 if entries else 1


def _remove(out_dir: Path, path: Path) -> None:
    """Remove a build folder of ``out_dir`` (current, kept or hidden) for good: renamed to a
    hidden trash name first, so that a kill in the middle never leaves a half-removed build
    under a name a reader takes for a build."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
        return
    history = _history_dir(out_dir)
    trash = (history / f".trash-{uuid.uuid4().hex[:12]}" if path.parent == history
             else _hidden(out_dir, "trash"))
    os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)


def _file(out_dir: Path, folder: Path, number: int) -> None:
    """File the build in ``folder`` into the history as ``number`` (dropped when it has no id,
    or when the history already holds it)."""
    build_id = _build_id(folder)
    if build_id is None or any(i == build_id for _, i, _ in _entries(out_dir)):
        _remove(out_dir, folder)
        return
    history = _history_dir(out_dir)
    history.mkdir(exist_ok=True)
    os.rename(folder, history / _entry_name(number, build_id))
    _fsync_dir(history)


def _link_prev(out_dir: Path) -> None:
    """Point ``<out_dir>.prev`` at the newest folder of the history (remove it when none)."""
    prev = _prev(out_dir)
    entries = _entries(out_dir)
    if not entries:
        if prev.is_symlink():
            prev.unlink()
        return
    target = os.path.join(_history_dir(out_dir).name, entries[-1][2].name)
    if prev.is_symlink() and os.readlink(prev) == target:
        return
    if prev.exists() and not prev.is_symlink():  # a file or folder of someone else: left alone
        return
    link = _hidden(out_dir, "prev.tmp")
    try:
        os.symlink(target, link)
        os.replace(link, prev)
    except OSError as exc:  # pragma: no cover - a file system without symbolic links
        log.warning("cannot link %s to the previous build: %s", prev, exc.strerror or exc)
        if link.is_symlink():
            link.unlink()


#: Hidden folders beside ``out_dir`` that only a killed publish or rollback leaves (the last
#: two of older policykg versions).
_LEFTOVERS = ("tmp-", "trash-", "prev.tmp-", "prev.old-", "rollback-")


def _recover(out_dir: Path) -> None:
    """Finish or undo what a killed publish or rollback left (the module docstring's
    "Self-healing"); idempotent. The caller holds :func:`lock`."""
    parent, name = out_dir.parent, out_dir.name
    if not parent.is_dir():
        return
    for path in sorted(parent.iterdir()):
        if not path.name.startswith(f".{name}."):
            continue
        kind = path.name[len(name) + 2:]
        if kind.startswith("swap-"):
            # A build the swap took out of ``out_dir``: its id is in the name. Anything else
            # found under that name is a new build that was never swapped in.
            number, _, build_id = kind[len("swap-"):].partition("-")
            if number.isdigit() and _build_id(path) == build_id:
                _file(out_dir, path, int(number))
            else:
                _remove(out_dir, path)
        elif kind.startswith(_LEFTOVERS):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    history = _history_dir(out_dir)
    if history.is_dir():
        for path in sorted(history.iterdir()):
            if path.name.startswith((".trash-", ".tmp-")):
                shutil.rmtree(path, ignore_errors=True)
        for number, build_id, path in _entries(out_dir):
            actual = _build_id(path)  # a rollback killed right after its swap
            if actual is not None and actual != build_id:
                renamed = history / _entry_name(number, actual)
                if renamed.exists():
                    _remove(out_dir, path)
                else:
                    os.rename(path, renamed)
    legacy = _prev(out_dir)
    if legacy.is_dir() and not legacy.is_symlink() and _not_a_build(legacy) is None \
            and any(os.scandir(legacy)):  # left by a policykg that kept one build
        _file(out_dir, legacy, _next_number(out_dir))
    _link_prev(out_dir)
    _fsync_dir(parent)


def _prune(out_dir: Path, keep: int) -> None:
    """Remove the oldest builds of the history beyond the newest ``keep``."""
    entries = _entries(out_dir)
    for _, _, path in entries[:max(0, len(entries) - keep)]:
        _remove(out_dir, path)
    if entries:
        _fsync_dir(_history_dir(out_dir))


def _swap_in(new: Path, out_dir: Path, keep: int) -> Path | None:
    """Make ``new`` (a complete build) the folder ``out_dir``; the build it replaces goes into
    the history. Returns the newest folder of the history.

    Until the swap, a failure leaves every path as it was (``new`` aside) and is raised; after
    it the new build is published, and what is left to do is done by :func:`_recover`, now or
    (if this process is killed) by the next publish or rollback.
    """
    parent = out_dir.parent
    new_id = _build_id(new)
    old_id = _build_id(out_dir) if out_dir.is_dir() and _complete(out_dir) else None
    if out_dir.is_dir() and not any(os.scandir(out_dir)):
        os.rmdir(out_dir)  # an empty folder: nothing to keep
    if not out_dir.exists():
        os.rename(new, out_dir)
    elif old_id == new_id:  # the same bytes: nothing to swap
        shutil.rmtree(new, ignore_errors=True)
    else:
        number = _next_number(out_dir)
        swap = out_dir.with_name(f".{out_dir.name}.swap-{number:06d}-{old_id or 'none'}")
        os.rename(new, swap)
        try:
            if not _exchange(swap, out_dir):  # else ``swap`` now holds the old build
                # Two renames: for an instant there is no ``out_dir`` (latest_good() then
                # answers from the history, where the old build already is).
                history = _history_dir(out_dir)
                history.mkdir(exist_ok=True)
                parked = (history / _entry_name(number, old_id) if old_id
                          else _hidden(out_dir, "trash"))
                os.rename(out_dir, parked)
                try:
                    os.rename(swap, out_dir)
                except OSError:
                    os.rename(parked, out_dir)
                    raise
        except BaseException:
            if _build_id(swap) == new_id:  # not swapped in: back where the caller removes it
                os.rename(swap, new)
            raise
    _fsync_dir(parent)
    try:
        _recover(out_dir)  # files the old build (at ``swap``), points ``.prev`` at it
        for _, build_id, path in _entries(out_dir):
            if build_id == new_id:  # an older copy of the build now current
                _remove(out_dir, path)
        _prune(out_dir, keep)
        _link_prev(out_dir)
    except OSError as exc:
        log.warning("the build is published, but tidying the history failed (the next "
                    "publish finishes it): %s", exc)
    return _newest(out_dir)


def _newest(out_dir: Path) -> Path | None:
    entries = _entries(out_dir)
    return entries[-1][2] if entries else None


# --------------------------------------------------------------------------------------------
# The doors
# --------------------------------------------------------------------------------------------

#: Errors of the file system that the user's choice of folder causes (exit 2, not 3).
_USER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.EBUSY, errno.EXDEV})

_HELD: dict[str, list[Any]] = {}  # lock file -> [RLock, depth, open handle]
_HELD_GUARD = threading.Lock()


def _open_lock(path: Path) -> Any:
    """Open (create) the lock file: never through a symbolic link, never anything but a
    regular file; a folder that cannot be written is the user's to fix (:class:`InputError`)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("the lock file is a symbolic link: policykg will not follow it",
                             path=path, hint="remove the link") from None
        raise InputError(f"cannot create the lock file beside the build folder: "
                         f"{exc.strerror or exc}", path=exc.filename or path,
                         hint="build into a folder you can write") from None
    import stat

    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError("the lock file is not a regular file", path=path, hint="remove it")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "r+")


@contextmanager
def lock(out_dir: Path) -> Iterator[None]:
    """Hold the lock of ``out_dir``: an exclusive ``flock`` of ``.<name>.lock`` beside it.

    One process at a time publishes, rolls back or builds into ``out_dir``; the others wait.
    The kernel releases the lock when its process ends, even by SIGKILL. Re-entrant within a
    thread, so that :func:`policykg.build.build` can hold it around :func:`publish`.

    Raises:
        OSError: the lock file cannot be created (a read-only folder).
    """
    out_dir = resolve_out_dir(out_dir)
    path = out_dir.parent / f".{out_dir.name}.lock"
    key = str(path)
    with _HELD_GUARD:
        held = _HELD.setdefault(key, [threading.RLock(), 0, None])
    with held[0]:
        if held[1] == 0:
            handle = _open_lock(path)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except BaseException:
                handle.close()
                raise
            held[2] = handle
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
            if held[1] == 0:
                handle, held[2] = held[2], None
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


def publish(store: pyoxigraph.Store, out_dir: Path, *, report_text: str,
            shacl_report: rdflib.Graph, build_report: str,
            void: rdflib.Graph | None = None, keep: int = KEEP,
            extra_files: dict[str, bytes] | None = None) -> PublishResult:
    """Write the graphs of ``store`` as a build into ``out_dir``, atomically.

    ``store`` holds the named graphs of :data:`policykg.graphs.GRAPHS` (other graphs are not
    published); it is only read. The persistent store ``store/`` is loaded from the written
    ``policykg.nq`` by a child process, beside the other writers. The build ``out_dir`` held
    goes into ``<out_dir>.history``, which keeps the newest ``keep`` builds before the current
    one. Holds :func:`lock`. See the module docstring for the files, the folders and the
    guarantees.

    Raises:
        InputError: ``out_dir``, ``<out_dir>.prev`` or ``<out_dir>.history`` exists and is
            not a folder.
        EnvironmentProblem: a file or folder cannot be written or renamed (permissions, a
            full disk); ``out_dir`` and its history are then unchanged.
    """
    import pyoxigraph as ox

    from .gate import shapes_graph
    from .ontology import owl_edition_triples

    if keep < 0:
        raise ValueError(f"keep must be 0 or more, not {keep}")
    out_dir = resolve_out_dir(out_dir)
    _check_out_dir(out_dir)
    # Every serialization starts from the canonical form, so that blank node labels and the
    # order of statements are the same from one build of the same graphs to the next.
    dumped = Dumped.of(store)
    canon = canonical_graphs(store, dumped)
    graphs = {role: len(lines) for role, lines in canon.lines.items()}

    files: dict[str, Path] = {}
    triples: dict[str, int] = {}
    tmp: Path | None = None
    try:
        with lock(out_dir), _StoreWriter() as store_writer:
            _check_out_dir(out_dir)  # again, under the lock: what another process left
            _recover(out_dir)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a server may run as another user
            # The N-Quads first: a child process loads the persistent store from them while
            # this one writes the other files (leaving the ``with`` ends it if a writer fails).
            nquads = canon.nquad_lines()
            files["policykg.nq"] = _write_lines(tmp, "policykg.nq", nquads)
            triples["policykg.nq"] = len(nquads)
            del nquads
            store_writer.start(tmp, files["policykg.nq"])
            nt = canonical_union(store, ONTOLOGY_AND_DATA, dumped)
            del dumped
            canonical = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)) if nt else []
            ontology = [q.triple for q in store.quads_for_pattern(None, None, None, GRAPHS["ontology"])]
            context = jsonld_context(_to_rdflib(ontology), shapes_graph())

            files["policykg.nt"] = _write(tmp, "policykg.nt", nt)
            triples["policykg.nt"] = len(canonical)
            del nt
            files["policykg.ttl"] = _write(tmp, "policykg.ttl", _turtle_ox(canonical))
            triples["policykg.ttl"] = len(canonical)
            files["policykg.trig"] = _write_chunks(tmp, "policykg.trig", canon.trig())
            triples["policykg.trig"] = sum(graphs.values())
            files["policykg.jsonld"] = _write(tmp, "policykg.jsonld",
                                              jsonld(canonical, context))
            triples["policykg.jsonld"] = len(canonical)
            files["context.jsonld"] = _write(tmp, "context.jsonld",
                                             _json({"@context": context}))
            edition = owl_edition_triples(canonical)
            files["policykg.owl"] = _write(tmp, "policykg.owl", _rdfxml(edition))
            triples["policykg.owl"] = len(edition)
            del canonical, edition
            files["shacl-report.ttl"] = _write(tmp, "shacl-report.ttl", _turtle(shacl_report))
            triples["shacl-report.ttl"] = len(shacl_report)
            files["build-report.md"] = _write(tmp, "build-report.md",
                                              build_report.encode("utf-8"))
            files["gate.txt"] = _write(tmp, "gate.txt", report_text.encode("utf-8"))
            if void is not None:
                files["void.ttl"] = _write(tmp, "void.ttl", _turtle(void))
                triples["void.ttl"] = len(void)
            for name, data in sorted((extra_files or {}).items()):
                # files that belong with the build, e.g. sources/<name>.txt, the text renditions
                # of PDF, HTML and Word sources that the spans' offsets point into
                folder, _, base = name.rpartition("/")
                if (not base or ".." in name.split("/") or name.startswith("/") or name in REQUIRED_FILES
                        or name.split("/")[0] == STORE):
                    raise ValueError(f"not a name for a file of the build: {name!r}")
                target = tmp / folder if folder else tmp
                target.mkdir(parents=True, exist_ok=True)
                files[name] = _write(target, base, data)
            files.update((name, tmp / name) for name in store_writer.finish())
            files[CHECKSUMS] = _write(tmp, CHECKSUMS, _checksums(tmp, files))
            _fsync_dir(tmp)
            build_id = _build_id(tmp) or ""
            previous = _swap_in(tmp, out_dir, keep)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        # a folder the user cannot write (or a mount point) is theirs to fix: bad usage, exit 2
        problem = InputError if exc.errno in _USER_ERRNOS else EnvironmentProblem
        raise problem(f"cannot publish the build: {exc.strerror or exc}",
                                 path=exc.filename or out_dir,
                                 hint="check the permissions and free space of the folder; "
                                      "the previous build is unchanged") from None
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishResult(out_dir=out_dir,
                         files={name: out_dir / name for name in files},
                         triples=triples, graphs=graphs, previous=previous, id=build_id)


def latest_good(out_dir: Path) -> Path | None:
    """The newest complete build: ``out_dir``, else the history's builds newest first (else
    ``<out_dir>.prev`` when it is a folder, as an older policykg left it), else ``None``.

    A build is complete when it holds every required file and each matches the digest that
    ``SHA256SUMS`` records for it (so this reads every file once).
    """
    out_dir = resolve_out_dir(out_dir)
    candidates = [out_dir, *(path for _, _, path in reversed(_entries(out_dir)))]
    if not _prev(out_dir).is_symlink():
        candidates.append(_prev(out_dir))
    for candidate in candidates:
        if candidate.is_dir() and _complete(candidate):
            return candidate
    return None


def _void_facts(folder: Path) -> tuple[str | None, int | None, int | None]:
    """(built, sources, data triples) from the build's ``void.ttl``, where it says so."""
    path = folder / "void.ttl"
    if not path.is_file():
        return None, None, None
    import pyoxigraph as ox

    dataset = ox.NamedNode(_ID + "dataset")
    dct = "http://purl.org/dc/terms/"
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, OSError, ValueError):
        return None, None, None
    built = next((t.object.value for t in triples if t.subject == dataset
                  and t.predicate.value == dct + "modified"), None)
    sources = sum(1 for t in triples if t.subject == dataset and t.predicate.value == dct + "source")
    data = next((int(t.object.value) for t in triples
                 if t.subject == ox.NamedNode(_ID + "dataset/graph/data")
                 and t.predicate.value == "http://rdfs.org/ns/void#triples"), None)
    return built, sources or None, data


def _record(path: Path, number: int | None) -> BuildRecord:
    return BuildRecord(_build_id(path), path, number, _complete(path), *_void_facts(path))


def history(out_dir: Path) -> BuildHistory:
    """The current build of ``out_dir`` and those of its history, newest first.

    Only reads: it takes no lock, so while a publish runs it may see either side of it.
    Reads every file of every build (to say which are complete).
    """
    out_dir = resolve_out_dir(out_dir)
    current = _record(out_dir, None) if out_dir.is_dir() else None
    previous = tuple(_record(path, number) for number, _, path in reversed(_entries(out_dir)))
    return BuildHistory(out_dir, current, previous)


def rollback(out_dir: Path, to: str | None = None) -> RollbackResult:
    """Make a build of the history the current one again, atomically.

    Without ``to``, the newest one: the build ``out_dir`` held before the last publish or
    rollback. With ``to``, the one whose id starts with it. The build it replaces becomes the
    newest of the history, so a second ``rollback()`` undoes the first. Holds :func:`lock`.

    Raises:
        InputError: there is no previous build; no build or more than one has the id ``to``;
            that build is incomplete.
        EnvironmentProblem: the folders cannot be renamed; then nothing has changed.
    """
    out_dir = resolve_out_dir(out_dir)
    _check_out_dir(out_dir)
    history_dir = _history_dir(out_dir)
    none_hint = "a previous build exists only after a second publish"
    if not out_dir.exists() and not history_dir.exists() and not _prev(out_dir).is_dir():
        raise InputError("there is no previous build to roll back to", path=history_dir,
                         hint=none_hint)
    try:
        with lock(out_dir):
            _check_out_dir(out_dir)
            _recover(out_dir)
            entries = _entries(out_dir)
            if not entries:
                raise InputError("there is no previous build to roll back to",
                                 path=history_dir, hint=none_hint)
            if to is None:
                number, target_id, target = entries[-1]
            else:
                wanted = to.strip().lower()
                matches = [e for e in entries if wanted and e[1].startswith(wanted)]
                if len(matches) != 1:
                    ids = ", ".join(i for _, i, _ in reversed(entries))
                    raise InputError(f"{'no' if not matches else 'more than one'} kept build "
                                     f"has the id {to!r}", path=history_dir,
                                     hint=f"the kept builds are {ids} (`policykg builds`)")
                number, target_id, target = matches[0]
            if not _complete(target):
                raise InputError(f"the build {target_id} is incomplete: its files do not "
                                 "match its SHA256SUMS", path=target,
                                 hint="roll back to another build (`policykg builds`)")
            current_id = _build_id(out_dir) if out_dir.is_dir() and _complete(out_dir) else None
            top = entries[-1][0] + 1
            # First make the target the newest of the history, so that a kill from here on
            # leaves it where the next rollback looks; the swap then puts the build it
            # replaces in its place, which _recover() renames after its id.
            slot = history_dir / _entry_name(top, target_id)
            os.rename(target, slot)
            _fsync_dir(history_dir)
            try:
                if not out_dir.exists():
                    os.rename(slot, out_dir)
                elif _exchange(slot, out_dir):
                    if current_id is None:
                        _remove(out_dir, slot)
                else:
                    parked = (history_dir / _entry_name(top + 1, current_id) if current_id
                              else _hidden(out_dir, "trash"))
                    os.rename(out_dir, parked)
                    try:
                        os.rename(slot, out_dir)
                    except OSError:
                        os.rename(parked, out_dir)
                        raise
            except OSError:
                if _build_id(slot) == target_id:  # not swapped in: back in its place
                    os.rename(slot, target)
                raise
            _fsync_dir(out_dir.parent)
            _recover(out_dir)
            replaced = _entries(out_dir)[-1] if current_id else None
            result = RollbackResult(
                out_dir, _record(out_dir, None),
                _record(replaced[2], replaced[0]) if replaced and replaced[1] == current_id
                else None)
    except OSError as exc:
        problem = InputError if exc.errno in _USER_ERRNOS else EnvironmentProblem
        raise problem(f"cannot roll back: {exc.strerror or exc}",
                                 path=exc.filename or out_dir) from None
    return result


__all__ = ["KEEP", "LINK_PREFIXES", "PREFIXES", "STORE", "STORE_RECORD", "BuildHistory", "BuildRecord", "PublishResult",
           "RollbackResult", "canonical_nquads", "canonical_ntriples", "check_out_dir", "history", "jsonld",
           "jsonld_context", "latest_good", "lock", "open_store", "publish", "resolve_out_dir", "rollback", "store_path"]
