"""The ontology as data: its declared terms, checks that keep it and the shapes in step, and
the OWL edition of a graph that OWL tools (Protégé, HermiT, owlready2) open.

Doors:

* :func:`term_problems` — every pol: term is labelled in English and Chinese, defined, and
  ``rdfs:isDefinedBy`` the ontology;
* :func:`shape_problems` — the shapes target only declared classes and use only declared
  properties (SPARQL constraints included);
* :func:`owl_edition` — a copy of a graph in which every ``xsd:date`` is an ``xsd:dateTime``
  at midnight (xsd:date is outside the OWL 2 datatype map, so HermiT refuses it) and every
  individual is an ``owl:NamedIndividual``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from .names import ONTOLOGY
from .names import POL as POL_NS

if TYPE_CHECKING:
    import pyoxigraph

ONTOLOGY_IRI = URIRef(ONTOLOGY)

#: Terms every RDF/OWL/SHACL tool knows; shapes may use them without a declaration.
_BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD), str(SH))

_CLASS_KINDS = (OWL.Class, RDFS.Class)
_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def declared(graph: Graph, kinds: tuple[URIRef, ...]) -> set[URIRef]:
    """IRIs that ``graph`` declares with one of the ``kinds`` (e.g. ``owl:Class``)."""
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def own_terms(graph: Graph) -> list[URIRef]:
    """The pol: classes and properties the ontology declares, sorted."""
    kinds = _CLASS_KINDS + _PROPERTY_KINDS
    return sorted(t for t in declared(graph, kinds) if str(t).startswith(POL_NS))


def term_problems(graph: Graph) -> list[str]:
    """What is missing from the documentation of each pol: term (empty when all is well)."""
    problems: list[str] = []
    for term in own_terms(graph):
        name = "pol:" + str(term)[len(POL_NS):]
        labels = [lbl for lbl in graph.objects(term, RDFS.label) if isinstance(lbl, Literal)]
        for lang in ("en", "zh"):
            count = sum(1 for lbl in labels if (lbl.language or "").split("-")[0] == lang)
            if count != 1:
                problems.append(f"{name} has {count} rdfs:label@{lang}, expected 1")
        definitions = {(d.language or "") for d in graph.objects(term, SKOS.definition)
                       if isinstance(d, Literal)}
        if "en" not in definitions:
            problems.append(f"{name} has no skos:definition in English")
        if set(graph.objects(term, RDFS.isDefinedBy)) != {ONTOLOGY_IRI}:
            problems.append(f"{name} is not rdfs:isDefinedBy <{ONTOLOGY_IRI}>")
    return problems


def _path_properties(shapes: Graph, path: object) -> Iterator[URIRef]:
    """The property IRIs a SHACL path uses."""
    if isinstance(path, URIRef):
        yield path
        return
    if not isinstance(path, BNode):
        return
    if shapes.value(path, RDF.first) is not None:
        for item in Collection(shapes, path):
            yield from _path_properties(shapes, item)
        return
    for key in (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                SH.zeroOrOnePath):
        inner = shapes.value(path, key)
        if inner is not None:
            yield from _path_properties(shapes, inner)


def _sparql_iris(shapes: Graph, constraint: object) -> Iterator[tuple[URIRef, bool]]:
    """(IRI, used-as-class?) for each IRI in a SPARQL constraint's query."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    query = str(shapes.value(constraint, SH.select))
    prefixes = {}
    for owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            prefixes[str(shapes.value(decl, SH.prefix))] = str(shapes.value(decl, SH.namespace))
    text = query.replace("$PATH", "<urn:policykg:path>")
    algebra = prepareQuery(text, initNs=prefixes).algebra

    def walk(node: object) -> Iterator[tuple[URIRef, bool]]:
        if isinstance(node, CompValue):
            if node.name == "BGP":
                for _s, p, o in node.triples:
                    yield from ((iri, False) for iri in _path_iris(p))
                    if p == RDF.type and isinstance(o, URIRef):
                        yield o, True
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                yield from walk(value)

    yield from walk(algebra)


def _path_iris(p: object) -> Iterator[URIRef]:
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

    if isinstance(p, URIRef):
        yield p
    elif isinstance(p, (AlternativePath, SequencePath)):
        for arg in p.args:
            yield from _path_iris(arg)
    elif isinstance(p, (InvPath, MulPath, NegatedPath)):
        yield from _path_iris(getattr(p, "arg", None) or getattr(p, "path", None))


def shape_problems(ontology: Graph, shapes: Graph) -> list[str]:
    """Where the shapes refer to a class or property the ontology does not declare."""
    classes = declared(ontology, _CLASS_KINDS)
    properties = declared(ontology, _PROPERTY_KINDS)
    problems: list[str] = []

    def known(iri: URIRef, pool: set[URIRef]) -> bool:
        return iri in pool or str(iri).startswith(_BUILT_IN) or str(iri).startswith("urn:policykg:")

    for shape, predicate in ((s, p) for p in (SH.targetClass, SH["class"])
                             for s in shapes.subjects(p, None)):
        for cls in shapes.objects(shape, predicate):
            if isinstance(cls, URIRef) and not known(cls, classes):
                problems.append(f"{shape.n3(shapes.namespace_manager)} uses undeclared class "
                                f"{cls.n3(shapes.namespace_manager)}")
    for shape, path in shapes.subject_objects(SH.path):
        for prop in _path_properties(shapes, path):
            if not known(prop, properties):
                problems.append(f"{shape.n3(shapes.namespace_manager)} uses undeclared property "
                                f"{prop.n3(shapes.namespace_manager)}")
    for shape, constraint in shapes.subject_objects(SH.sparql):
        for iri, is_class in _sparql_iris(shapes, constraint):
            pool = classes if is_class else properties
            if not known(iri, pool):
                kind = "class" if is_class else "property"
                problems.append(f"{shape.n3(shapes.namespace_manager)}'s SPARQL uses undeclared "
                                f"{kind} {iri.n3(shapes.namespace_manager)}")
    return sorted(set(problems))


def owl_edition(graph: Graph) -> Graph:
    """A copy of ``graph`` that OWL 2 DL tools accept: dates as xsd:dateTime, individuals named.

    ``"2020-08-14"^^xsd:date`` becomes ``"2020-08-14T00:00:00"^^xsd:dateTime``; every IRI typed
    with a class outside RDF/RDFS/OWL also gets ``rdf:type owl:NamedIndividual``.
    """
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.date:
            o = Literal(f"{o}T00:00:00", datatype=XSD.dateTime)
        out.add((s, p, o))
    for s, cls in graph.subject_objects(RDF.type):
        if isinstance(s, URIRef) and isinstance(cls, URIRef) and not str(cls).startswith(_BUILT_IN):
            out.add((s, RDF.type, OWL.NamedIndividual))
    return out


def owl_edition_triples(triples: Iterable[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    """:func:`owl_edition` on pyoxigraph triples (the build's publishing path, without rdflib)."""
    import pyoxigraph as ox

    date, date_time = str(XSD.date), str(XSD.dateTime)
    rdf_type = ox.NamedNode(str(RDF.type))
    named_individual = ox.NamedNode(str(OWL.NamedIndividual))
    out: dict[ox.Triple, None] = {}
    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal) and o.datatype.value == date:
            t = ox.Triple(t.subject, t.predicate, ox.Literal(f"{o.value}T00:00:00",
                                                             datatype=ox.NamedNode(date_time)))
        out[t] = None
        if (t.predicate == rdf_type and isinstance(t.subject, ox.NamedNode)
                and isinstance(o, ox.NamedNode) and not o.value.startswith(_BUILT_IN)):
            out[ox.Triple(t.subject, rdf_type, named_individual)] = None
    return list(out)


__all__ = ["ONTOLOGY_IRI", "declared", "own_terms", "owl_edition", "owl_edition_triples", "shape_problems",
           "term_problems"]
