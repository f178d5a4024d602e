"""Canonical serialisation: the graphs of a build as bytes, the same bytes for the same graphs.

Pipeline position: the formats of the publish stage (:mod:`policykg.pipeline.publish` writes them into a
build, :mod:`policykg.pipeline.publish.release` keeps the builds)::

    ... -> gate + quality -> review -> **publish** (serialize, release)

Door: :func:`canonical_graphs` and :func:`canonical_union` (a store's graphs as sorted
N-Triples lines, blank nodes labelled by RDFC-1.0, without a Python object per triple),
:func:`canonical_ntriples` and :func:`canonical_nquads` (the same from terms); then the readable
forms, each from the canonical triples: :func:`turtle` (pyoxigraph's writer, with
:data:`policykg.names.PREFIXES`), :meth:`CanonicalGraphs.trig`, :func:`rdfxml`, :func:`jsonld`
under :func:`jsonld_context`; :func:`turtle_rdflib` for the small rdflib graphs of a build (the
gate's report, the VoID description).

Each is a function of the graphs only, so that the same graphs give the same bytes whatever the
order a store holds them in (and so that a test can make one fail).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...graphs import GRAPHS
from ...names import LINK_PREFIXES, POL, PREFIXES

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

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


def to_rdflib(triples: Iterable[pyoxigraph.Triple]) -> rdflib.Graph:
    """An rdflib graph with the same triples, blank node labels kept, :data:`PREFIXES` bound."""
    from rdflib import Graph

    from ...rdfio import rdflib_term

    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    for t in triples:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def turtle_rdflib(graph: rdflib.Graph) -> bytes:
    """Turtle from rdflib's writer, for the small rdflib graphs of a build."""
    return graph.serialize(format="turtle", encoding="utf-8")


def turtle(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    """Turtle from pyoxigraph's writer (consecutive triples of a subject share it), with
    :data:`PREFIXES`: an order of magnitude faster than rdflib's on the data graph."""
    import pyoxigraph as ox

    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def rdfxml(triples: Iterable[pyoxigraph.Triple]) -> bytes:
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
    return json_bytes({"@context": context, "@graph": nodes})


def _expand(curie: str) -> str:
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if sep and prefix in LINK_PREFIXES:
        return LINK_PREFIXES[prefix] + local
    return curie


def json_bytes(value: Any) -> bytes:
    """JSON as the build writes it: UTF-8, indented by two, a line end at the end."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


__all__ = ["CanonicalGraphs", "Dumped", "canonical_graphs", "canonical_nquads", "canonical_ntriples",
           "canonical_union", "json_bytes", "jsonld", "jsonld_context", "rdfxml", "to_rdflib", "turtle",
           "turtle_rdflib"]
