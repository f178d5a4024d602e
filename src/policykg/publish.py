"""Publishing a build: the working store's graphs as files, swapped in atomically.

Pipeline position::

    ... -> reason -> gate -> **publish** -> serve / query / export / push

Door: :func:`publish`. It writes every file of a build into a new hidden folder next to
``out_dir`` (same file system), fsyncs them, and only then swaps the folder in: the build it
replaces moves to ``<out_dir>.prev`` (replacing an older one). On Linux the swap is one
``renameat2(RENAME_EXCHANGE)``, so a reader never finds ``out_dir`` missing or half written;
elsewhere it is two renames. If anything fails before the swap is complete, the hidden folder
is removed and ``out_dir`` and ``<out_dir>.prev`` are left exactly as they were.

A build holds:

* ``policykg.ttl``: ontology + data as Turtle, with readable prefixes (:data:`PREFIXES`);
* ``policykg.nt``: ontology + data as canonical N-Triples: RDFC-1.0 blank node labels, lines
  sorted, UTF-8, ``\\n`` line ends; byte-identical for the same graph;
* ``policykg.trig`` and ``policykg.nq``: the four named graphs of
  :data:`policykg.graphs.GRAPHS` (the N-Quads canonical like the N-Triples);
* ``policykg.jsonld``: ontology + data, compacted with a context under which it reads like
  plain JSON (:func:`jsonld_context`); ``context.jsonld``: that context alone;
* ``policykg.owl``: the OWL edition (:func:`policykg.ontology.owl_edition`) as RDF/XML;
* ``shacl-report.ttl``, ``gate.txt``, ``build-report.md``: the gate's report graph and text,
  and the build's report; ``void.ttl``: the VoID description, when one is given;
* ``SHA256SUMS``: the digest of every other file (``sha256sum -c SHA256SUMS``), written last.

Every RDF file is written from the canonical form of its graphs, so that the same graphs give
the same bytes whatever the order the store holds them in.

:func:`latest_good` finds the newest complete build, :func:`rollback` swaps the previous
build back in.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterable
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

ONTOLOGY_AND_DATA = ("ontology", "data")
CHECKSUMS = "SHA256SUMS"
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

    ``files`` maps each file name to its path inside ``out_dir``; ``triples`` maps each RDF
    file to the number of triples (quads for ``.trig`` and ``.nq``) it holds; ``graphs`` the
    number of triples in each named graph; ``previous`` is where the build it replaced now
    lives (``<out_dir>.prev``), or ``None`` for a first build.
    """

    out_dir: Path
    files: dict[str, Path]
    triples: dict[str, int]
    graphs: dict[str, int]
    previous: Path | None


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


def _sorted_lines(data: bytes) -> bytes:
    # Code point order, as RDFC-1.0 sorts its N-Quads; UTF-8 bytes sort the same way. Split on
    # "\n" only: str.splitlines() also breaks at U+0085, U+2028 and U+2029, which N-Triples
    # allows raw inside a literal.
    lines = sorted({line.rstrip("\r") for line in data.decode("utf-8").split("\n") if line})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _canonical_triples(triples: Iterable[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    import pyoxigraph as ox

    return [q.triple for q in _canonical(ox.Quad(t.subject, t.predicate, t.object)
                                         for t in triples)]


def _ntriples(canonical: list[pyoxigraph.Triple]) -> bytes:
    import pyoxigraph as ox

    return _sorted_lines(ox.serialize(canonical, format=ox.RdfFormat.N_TRIPLES))


def _nquads(canonical: list[pyoxigraph.Quad]) -> bytes:
    import pyoxigraph as ox

    return _sorted_lines(ox.serialize(canonical, format=ox.RdfFormat.N_QUADS))


def canonical_ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    """Canonical N-Triples: RDFC-1.0 blank nodes, one triple per line, lines sorted, UTF-8.

    The bytes depend only on the graph (up to blank node renaming), never on the order in
    which its triples were added.
    """
    return _ntriples(_canonical_triples(triples))


def canonical_nquads(quads: Iterable[pyoxigraph.Quad]) -> bytes:
    """Canonical N-Quads, as :func:`canonical_ntriples` but keeping the graph names."""
    return _nquads(_canonical(quads))


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


def _trig(quads: list[pyoxigraph.Quad]) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)


def _rdfxml(graph: rdflib.Graph) -> bytes:
    # pyoxigraph's writer over sorted triples: rdflib's "xml" writer orders subjects by
    # Python's per-process string hash, and its "pretty-xml" drops assertions on list nodes.
    import pyoxigraph as ox
    from rdflib import BNode, URIRef

    def term(node: Any) -> Any:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return ox.BlankNode(str(node))
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype))
                          if node.datatype else None)

    triples = sorted((ox.Triple(term(s), term(p), term(o)) for s, p, o in graph),
                     key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)


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
    for name, (curie, kind) in _COMMON_TERMS.items():
        context[name] = _term(curie, kind)

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
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _jsonld(triples: list[pyoxigraph.Triple], context: dict[str, Any]) -> bytes:
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
                and name not in PREFIXES:
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
    return curie


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------------------------

def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return path


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


def _swap_in(new: Path, out_dir: Path) -> Path | None:
    """Make ``new`` the folder ``out_dir``; the folder it replaces becomes ``<out_dir>.prev``.

    On failure every path is as it was (``new`` included) and the error is raised.
    """
    parent = out_dir.parent
    if not out_dir.exists():
        os.rename(new, out_dir)
        _fsync_dir(parent)
        return None
    prev = _prev(out_dir)
    trash = None
    if prev.exists():
        trash = parent / f".{prev.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(prev, trash)
    try:
        if _exchange(new, out_dir):  # ``new`` now holds the old build
            try:
                os.rename(new, prev)
            except OSError:
                _exchange(new, out_dir)
                raise
        else:
            os.rename(out_dir, prev)
            try:
                os.rename(new, out_dir)
            except OSError:
                os.rename(prev, out_dir)
                raise
    except BaseException:
        if trash is not None:
            os.rename(trash, prev)
        raise
    _fsync_dir(parent)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
    return prev


def _checksums(folder: Path, names: Iterable[str]) -> bytes:
    lines = []
    for name in sorted(names):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        lines.append(f"{digest}  {name}\n")
    return "".join(lines).encode("ascii")


def _check_out_dir(out_dir: Path) -> None:
    for path in (out_dir, _prev(out_dir)):
        if path.exists() and not path.is_dir():
            raise InputError("a build folder is expected here, but it is a file", path=path,
                             hint="remove it or publish to another folder")


# --------------------------------------------------------------------------------------------
# The doors
# --------------------------------------------------------------------------------------------

def publish(store: pyoxigraph.Store, out_dir: Path, *, report_text: str,
            shacl_report: rdflib.Graph, build_report: str,
            void: rdflib.Graph | None = None) -> PublishResult:
    """Write the graphs of ``store`` as a build into ``out_dir``, atomically.

    ``store`` holds the named graphs of :data:`policykg.graphs.GRAPHS` (other graphs are not
    published); it is only read. See the module docstring for the files and the guarantees.

    Raises:
        InputError: ``out_dir`` or ``<out_dir>.prev`` exists and is not a folder.
        EnvironmentProblem: a file or folder cannot be written or renamed (permissions, a
            full disk); ``out_dir`` is then unchanged.
    """
    from .gate import shapes_graph
    from .ontology import owl_edition

    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    quads = [q for role in GRAPHS for q in store.quads_for_pattern(None, None, None,
                                                                  GRAPHS[role])]
    graphs = {role: sum(1 for q in quads if q.graph_name == GRAPHS[role]) for role in GRAPHS}
    published = {q.triple for q in quads if q.graph_name in
                 {GRAPHS[role] for role in ONTOLOGY_AND_DATA}}
    ontology = [q.triple for q in quads if q.graph_name == GRAPHS["ontology"]]

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create a folder next to the build: {exc.strerror}",
                                 path=out_dir.parent) from None
    files: dict[str, Path] = {}
    triples: dict[str, int] = {}
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a server may run as another user
        # Every serialization starts from the canonical form, so that blank node labels and
        # the order of statements are the same from one build of the same graph to the next.
        canonical = _canonical_triples(published)
        canonical_quads = _canonical(quads)
        graph = _to_rdflib(canonical)
        context = jsonld_context(_to_rdflib(ontology), shapes_graph())

        files["policykg.nt"] = _write(tmp, "policykg.nt", _ntriples(canonical))
        triples["policykg.nt"] = len(canonical)
        files["policykg.ttl"] = _write(tmp, "policykg.ttl", _turtle(graph))
        triples["policykg.ttl"] = len(graph)
        files["policykg.trig"] = _write(tmp, "policykg.trig", _trig(canonical_quads))
        triples["policykg.trig"] = len(canonical_quads)
        files["policykg.nq"] = _write(tmp, "policykg.nq", _nquads(canonical_quads))
        triples["policykg.nq"] = len(canonical_quads)
        files["policykg.jsonld"] = _write(tmp, "policykg.jsonld", _jsonld(canonical, context))
        triples["policykg.jsonld"] = len(canonical)
        files["context.jsonld"] = _write(tmp, "context.jsonld", _json({"@context": context}))
        edition = owl_edition(graph)
        files["policykg.owl"] = _write(tmp, "policykg.owl", _rdfxml(edition))
        triples["policykg.owl"] = len(edition)
        files["shacl-report.ttl"] = _write(tmp, "shacl-report.ttl", _turtle(shacl_report))
        triples["shacl-report.ttl"] = len(shacl_report)
        files["build-report.md"] = _write(tmp, "build-report.md", build_report.encode("utf-8"))
        files["gate.txt"] = _write(tmp, "gate.txt", report_text.encode("utf-8"))
        if void is not None:
            files["void.ttl"] = _write(tmp, "void.ttl", _turtle(void))
            triples["void.ttl"] = len(void)
        files[CHECKSUMS] = _write(tmp, CHECKSUMS, _checksums(tmp, files))
        _fsync_dir(tmp)
        previous = _swap_in(tmp, out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise EnvironmentProblem(f"cannot publish the build: {exc.strerror or exc}",
                                 path=exc.filename or out_dir,
                                 hint="check the permissions and free space of the folder; "
                                      "the previous build is unchanged") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishResult(out_dir=out_dir,
                         files={name: out_dir / name for name in files},
                         triples=triples, graphs=graphs, previous=previous)


def _complete(folder: Path) -> bool:
    """True when ``folder`` holds a whole build whose files match their ``SHA256SUMS``."""
    sums = folder / CHECKSUMS
    if not sums.is_file():
        return False
    listed: dict[str, str] = {}
    for line in sums.read_text(encoding="ascii", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    if not set(REQUIRED_FILES) <= set(listed):
        return False
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True


def latest_good(out_dir: Path) -> Path | None:
    """The newest complete build: ``out_dir``, else ``<out_dir>.prev``, else ``None``.

    A build is complete when it holds every required file and each matches the digest that
    ``SHA256SUMS`` records for it (so this reads every file once).
    """
    out_dir = Path(out_dir)
    for candidate in (out_dir, _prev(out_dir)):
        if candidate.is_dir() and _complete(candidate):
            return candidate
    return None


def rollback(out_dir: Path) -> Path:
    """Swap the previous build (``<out_dir>.prev``) back in; returns ``out_dir``.

    The build it replaces becomes ``<out_dir>.prev``, so a second rollback undoes the first.

    Raises:
        InputError: there is no previous build.
        EnvironmentProblem: the folders cannot be renamed.
    """
    out_dir = Path(out_dir)
    prev = _prev(out_dir)
    _check_out_dir(out_dir)
    if not prev.is_dir():
        raise InputError("there is no previous build to roll back to", path=prev,
                         hint="a previous build exists only after a second publish")
    try:
        if not out_dir.exists():
            os.rename(prev, out_dir)
        elif not _exchange(prev, out_dir):
            parked = out_dir.parent / f".{out_dir.name}.rollback-{uuid.uuid4().hex[:8]}"
            os.rename(out_dir, parked)
            try:
                os.rename(prev, out_dir)
            except OSError:
                os.rename(parked, out_dir)
                raise
            os.rename(parked, prev)
        _fsync_dir(out_dir.parent)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot roll back: {exc.strerror or exc}",
                                 path=exc.filename or out_dir) from None
    return out_dir


__all__ = ["PREFIXES", "PublishResult", "canonical_nquads", "canonical_ntriples",
           "jsonld_context", "latest_good", "publish", "rollback"]
