"""The compiled gate (SHACL compiled to SPARQL on pyoxigraph) gives pySHACL's results exactly.

Three bodies of evidence, each compared result for result (a multiset: focus node, shape,
severity, path, value, constraint component, and the message wherever the shape declares one):

* every shape case of tests/shapes/cases.toml on the project's shapes;
* tests/shapes/compiler/: shapes using every construct the compiler translates, on data
  that breaks each of them;
* a generated corpus (bench/corpus.py) built through the whole pipeline, with violations of
  every project shape planted in it, validated as one graph.

A shapes graph the compiler cannot translate falls back to pySHACL, and says so.

Class membership (``sh:class``) is compiled as MINUS, or as a flag bound once per class, where
the plain SPARQL would ask ``EXISTS`` for every value node (quadratic on Oxigraph): every
compiled check is compared, row for row, with its per-value-node form, on values of every kind
and with types spread over several named graphs.
"""
from __future__ import annotations

import logging
import random
import re
import sys
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from policykg.pipeline import gate
from policykg.pipeline.gate import shacl_sparql
from policykg.pipeline.build import build
from policykg.graphs import GRAPHS

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(HERE))

from test_shapes import CASES, _graph_for  # noqa: E402

import corpus  # noqa: E402


def _value(text: str | None) -> str | None:
    """A value's text, with decimals compared by value: pyoxigraph writes "0.0"^^xsd:decimal
    in its canonical form "0"^^xsd:decimal, rdflib keeps the lexical form it read."""
    if text is None or text.startswith("_:"):
        return None
    if text.endswith("^^xsd:decimal"):
        lexical = text.split('"')[1]
        return f"decimal {Decimal(lexical).normalize()}"
    return text


def comparable(report: gate.Report, shapes: Graph) -> Counter:
    messaged = {shapes.namespace_manager.normalizeUri(s) for s in shapes.subjects(SH.message, None)
                if isinstance(s, URIRef)}
    messaged |= {shapes.namespace_manager.normalizeUri(s) for s, c in shapes.subject_objects(SH.sparql)
                 if isinstance(s, URIRef)}
    return Counter(
        (r.severity, "_:" if r.focus.startswith("_:") else r.focus,
         "_:" if r.shape.startswith("_:") else r.shape,
         "_:path" if (r.path or "").startswith("_:") else r.path,
         _value(r.value), r.message if r.shape in messaged else None, r.constraint)
        for r in report.results)


def assert_same(compiled: gate.Report, reference: gate.Report, shapes: Graph) -> None:
    assert compiled.engine == "sparql"
    assert reference.engine == "pyshacl"
    ours, theirs = comparable(compiled, shapes), comparable(reference, shapes)
    assert ours - theirs == Counter(), "results pySHACL does not give"
    assert theirs - ours == Counter(), "pySHACL results the compiled gate misses"
    assert compiled.passed == reference.passed


@pytest.fixture(autouse=True)
def _quiet_rdflib():
    """rdflib logs a traceback for every ill-typed literal it reads: the cases have many."""
    logging.disable(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shape_case_equals_pyshacl(case: dict) -> None:
    graph = _graph_for(case)
    assert_same(gate.validate(graph), gate.validate(graph, engine="pyshacl"), gate.shapes_graph())


def test_every_construct_of_the_compiler_equals_pyshacl() -> None:
    shapes = Graph().parse(HERE / "shapes" / "compiler" / "shapes.ttl")
    data = Graph().parse(HERE / "shapes" / "compiler" / "data.ttl")
    compiled = gate.validate(data, shapes=shapes, ontology=Graph())
    reference = gate.validate(data, shapes=shapes, ontology=Graph(), engine="pyshacl")
    assert_same(compiled, reference, shapes)
    # Not vacuous: every component the compiler translates found something here.
    found = {r.constraint for r in compiled.results}
    expected = {"sh:" + str(c).rsplit("#", 1)[1] for c in shacl_sparql.COMPONENTS.values()}
    expected |= {"sh:QualifiedMinCountConstraintComponent", "sh:QualifiedMaxCountConstraintComponent",
                 "sh:SPARQLConstraintComponent"}
    assert expected <= found, f"no result for {sorted(expected - found)}"
    # Targets of every kind, severities of every kind, and a deactivated shape that stays quiet.
    shapes_found = {r.shape for r in compiled.results}
    assert {"exsh:ClosedShape", "exsh:SubjectsShape", "exsh:ObjectsShape"} <= shapes_found
    assert {r.severity for r in compiled.results} == set(gate.Severity)
    assert "exsh:Off" not in shapes_found


@pytest.mark.parametrize("snippet, construct", [
    ("exsh:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] ] .",
     "sh:property inside a property shape"),
    ("exsh:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ; "
     "sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] .", "qualifiedValueShapesDisjoint"),
    ("exsh:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:or ( [ sh:path ex:q ; sh:minCount 1 ] ) ] .",
     "in a nested shape"),
    ('exsh:S sh:targetClass ex:T ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o '
     'FILTER(sameTerm($currentShape, ?p)) }" ] .', "currentShape"),
    ("exsh:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; ex:custom 1 ] .", "http://example.org/ns#custom"),
])
def test_what_does_not_compile_falls_back_to_pyshacl(snippet: str, construct: str) -> None:
    prefixes = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> . "
                "@prefix exsh: <http://example.org/shapes#> . ")
    shapes = Graph().parse(data=prefixes + snippet, format="turtle")
    with pytest.raises(shacl_sparql.Unsupported, match=construct):
        shacl_sparql.compile_shapes(shapes)
    data = Graph().parse(data=prefixes + "ex:x a ex:T ; ex:p ex:y .", format="turtle")
    report = gate.validate(data, shapes=shapes, ontology=Graph())
    assert report.engine.startswith("pyshacl (the shapes do not compile to SPARQL")
    assert comparable(report, shapes) == comparable(
        gate.validate(data, shapes=shapes, ontology=Graph(), engine="pyshacl"), shapes)


# ------------------------------------------------------------------------------------------
# A generated corpus through the whole pipeline, with violations planted in its graph.

PREFIXES = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _pick(store: ox.Store, query: str, rng: random.Random, n: int = 2) -> list[str]:
    rows = sorted(str(row[0]) for row in store.query(PREFIXES + query, use_default_graph_as_union=True))
    assert rows, f"nothing to plant a violation on: {query}"
    return rng.sample(rows, min(n, len(rows)))


#: (what is planted, the shape it breaks, query choosing the nodes, update with {x} for a node;
#: the updates' WHERE reads the store's default graph, so it names the graphs it reads).
PLANTS = [
    ("measure without English label", "polsh:LabelShape-englishLabel",
     "SELECT ?x { ?x a pol:Measure }",
     "DELETE WHERE { GRAPH <G> { {x} rdfs:label ?l } }"),
    ("two English labels", "polsh:LabelShape-labelLanguage",
     "SELECT ?x { ?x a pol:GovernmentAgency }",
     'INSERT DATA { GRAPH <G> { {x} rdfs:label "Second name"@en } }'),
    ("label in French", "polsh:LabelShape-labelLanguage",
     "SELECT ?x { ?x a pol:Area }", 'INSERT DATA { GRAPH <G> { {x} rdfs:label "Ville"@fr } }'),
    ("article number as a string", "polsh:MeasureShape-articleNumber",
     "SELECT ?x { ?x a pol:Measure }",
     'INSERT DATA { GRAPH <G> { {x} pol:articleNumber "12" } }'),
    ("article number zero", "polsh:MeasureShape-articleNumber",
     "SELECT ?x { ?x a pol:Measure }",
     'DELETE WHERE { GRAPH <G> { {x} pol:articleNumber ?n } }; '
     'INSERT DATA { GRAPH <G> { {x} pol:articleNumber "0"^^xsd:integer } }'),
    ("ill-typed issue date", "polsh:PolicyDocumentShape-issuedOn",
     "SELECT ?x { ?x a pol:Notice }",
     'INSERT DATA { GRAPH <G> { {x} pol:issuedOn "2020-13-45"^^xsd:date } }'),
    ("category that is an agency", "polsh:MeasureShape-category",
     "SELECT ?x { ?x a pol:Measure }",
     "INSERT { GRAPH <G> { {x} pol:inCategory ?a } } WHERE { { SELECT ?a { GRAPH ?g { ?a a pol:GovernmentAgency } } LIMIT 1 } }"),
    ("alternative label that is an IRI", "polsh:LabelShape-altLabel",
     "SELECT ?x { ?x a pol:Area }",
     "INSERT DATA { GRAPH <G> { {x} skos:altLabel <https://example.org/alias> } }"),
    ("trial that ends before it starts", "polsh:NoticeShape-trialStart",
     "SELECT ?x { ?x pol:trialStart ?s }",
     'INSERT DATA { GRAPH <G> { {x} pol:trialEnd "1999-01-01"^^xsd:date } }'),
    ("measure in a second table", "polsh:MeasureShape-table",
     "SELECT ?x { ?x a pol:Measure }",
     "INSERT { GRAPH <G> { {x} pol:partOf ?t } } WHERE { { SELECT ?t { GRAPH ?g { ?t a pol:MeasureTable } "
     "FILTER NOT EXISTS { GRAPH ?h { {x} pol:partOf ?t } } } LIMIT 1 } }"),
    ("document part that is an agency", "polsh:PolicyDocumentShape-hasPart",
     "SELECT ?x { ?x a pol:PolicyDocument }",
     "INSERT { GRAPH <G> { {x} pol:hasPart ?a } } WHERE { { SELECT ?a { GRAPH ?g { ?a a pol:GovernmentAgency } } LIMIT 1 } }"),
    ("pilot area count that does not match", "polsh:NoticeShape-pilotAreaCountMatches",
     "SELECT ?x { ?x pol:statedPilotAreaCount ?n FILTER(?n >= 2) }",
     "DELETE WHERE { GRAPH <G> { {x} pol:statedPilotAreaCount ?n } }; "
     'INSERT DATA { GRAPH <G> { {x} pol:statedPilotAreaCount 1 } }'),
    ("article number twice in one table", "polsh:MeasureShape-articleNumberUnique",
     "SELECT ?x { ?x a pol:Measure }",
     "INSERT { GRAPH <G> { ?other pol:articleNumber ?n } } WHERE { { SELECT ?other ?n { GRAPH ?g { "
     "{x} pol:partOf ?t ; pol:articleNumber ?n . ?other pol:partOf ?t . FILTER(?other != {x}) } } LIMIT 1 } }"),
    ("duplicated area name", "polsh:AreaShape-labelUnique",
     "SELECT ?x { ?x a pol:City }",
     'INSERT DATA { GRAPH <G> { <https://w3id.org/policykg/id/area/planted-twin> a pol:City ; '
     'rdfs:label "PLANTED"@en . {x} rdfs:label "planted"@en } }'),
    ("second GeoNames feature", "polsh:AuthorityLinkShape-oneGeoNames",
     "SELECT ?x { ?x skos:exactMatch ?g FILTER(STRSTARTS(STR(?g), 'https://sws.geonames.org/')) }",
     "INSERT DATA { GRAPH <G> { {x} skos:exactMatch <https://sws.geonames.org/1/> } }"),
    ("link to a web page", "polsh:AuthorityLinkShape-authority",
     "SELECT ?x { ?x a pol:Area }",
     "INSERT DATA { GRAPH <G> { {x} skos:exactMatch <https://en.wikipedia.org/wiki/Planted> } }"),
]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> ox.Store:
    folder = tmp_path_factory.mktemp("corpus")
    for doc in corpus.generate(12, seed=7):
        (folder / f"{doc.name}.md").write_text(doc.text, encoding="utf-8")
    out = tmp_path_factory.mktemp("build") / "dist"
    result = build(sorted(folder.glob("*.md")), out)
    assert result.published, result.report.to_text()
    store = ox.Store()
    store.load(path=str(out / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    rng = random.Random(7)
    for _what, _shape, choose, template in PLANTS:
        for node in _pick(store, choose, rng):
            store.update(PREFIXES + template.replace("{x}", node).replace("<G>", f"<{GRAPHS['data'].value}>"))
    return store


def test_corpus_with_planted_violations_equals_pyshacl(planted: ox.Store) -> None:
    graphs = [GRAPHS["data"], GRAPHS["inferences"], GRAPHS["ontology"]]
    compiled = gate.validate_store(planted, graphs)
    quads = [ox.Triple(q.subject, q.predicate, q.object) for g in graphs
             for q in planted.quads_for_pattern(None, None, None, g)]
    data = Graph().parse(data=ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES), format="nt")
    reference = gate.validate(data, ontology=Graph(), engine="pyshacl")
    assert_same(compiled, reference, gate.shapes_graph())
    assert not compiled.passed
    # Every planted kind of violation was found: the corpus is not vacuous.
    found = {r.shape for r in compiled.results if r.severity is gate.Severity.VIOLATION}
    assert {shape for _what, shape, _choose, _template in PLANTS} <= found


@pytest.mark.parametrize("keyword, where", [
    ("SERVICE", "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }"),
    ("VALUES", "VALUES ?x { 1 }"),
    ("MINUS", "MINUS { $this a <http://example.org/ns#T> }"),
])
def test_a_sparql_constraint_with_service_minus_or_values_fails_closed(keyword: str, where: str) -> None:
    """Hostile case 40: the gate refuses such a shape (an error, exit 2 from the CLI) with
    either engine, before any evaluation (so no connection is ever attempted)."""
    from policykg.errors import InputError

    shapes = Graph().parse(data=(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> . "
        f'ex:S sh:targetClass ex:T ; sh:sparql [ sh:select """SELECT $this WHERE {{ $this ?p ?o . {where} }}""" ] .'),
        format="turtle")
    data = Graph().parse(data="<http://example.org/x> a <http://example.org/ns#T> .", format="turtle")
    for engine in gate.ENGINES:
        with pytest.raises(InputError, match=keyword):
            gate.validate(data, shapes=shapes, ontology=Graph(), engine=engine)
    # A keyword inside a string or a comment is not a keyword.
    quiet = Graph().parse(data=(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> . "
        'ex:S sh:targetClass ex:T ; sh:sparql [ sh:select """SELECT $this WHERE { $this ?p \'SERVICE\' . '
        '# VALUES\n }""" ] .'), format="turtle")
    assert gate.validate(data, shapes=quiet, ontology=Graph()).passed


# ------------------------------------------------------------------------------------------
# sh:class: the instances of a class found once, never once per value node (issue 18).

TYPE_PATH = re.escape(shacl_sparql.TYPE_PATH)
_FLAG = re.compile(r"OPTIONAL \{ SELECT DISTINCT \?value \(true AS (\?policykgInstance\d+)\) WHERE "
                   rf"\{{ \?value ({TYPE_PATH}) (<[^>]*>) \}} \}} ?")
_MINUS_CLASS = re.compile(rf"MINUS \{{ (\?value {TYPE_PATH} <[^>]*>) \}}")


def per_value_node(query: str) -> str:
    """The query as plain SPARQL asks it, one value node at a time: the compiled MINUS of a
    class's instances as FILTER NOT EXISTS, and each instance flag as the EXISTS it stands for."""
    exists = {}

    def drop(match: re.Match) -> str:
        exists[match.group(1)] = f"EXISTS {{ ?value {match.group(2)} {match.group(3)} }}"
        return ""

    query = _FLAG.sub(drop, query)
    for flag, test in exists.items():
        query = query.replace(f"BOUND({flag})", test)
    assert "policykgInstance" not in query
    return _MINUS_CLASS.sub(r"FILTER NOT EXISTS { \1 }", query)


def _rows(store: ox.Store, query: str, graphs: list) -> Counter:
    solutions = store.query(query, default_graph=graphs)
    names = [v.value for v in solutions.variables]
    return Counter(tuple((n, str(s[n])) for n in names if s[n] is not None) for s in solutions)


#: sh:class and its neighbours on value nodes of every kind.
TRICKY_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
@prefix exsh: <http://example.org/shapes#> .
exsh:Class sh:targetClass ex:Focus ; sh:property exsh:classA .
exsh:classA sh:path ex:p ; sh:class ex:A .
exsh:TwoClasses sh:targetClass ex:Focus ; sh:property [ sh:path ex:p ; sh:class ex:B , ex:Other ] .
exsh:Inverse sh:targetClass ex:A ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:class ex:Focus ] .
exsh:NodeClass sh:targetObjectsOf ex:p ; sh:class ex:B .
exsh:Or sh:targetClass ex:Focus ; sh:property [ sh:path ex:p ; sh:or ( [ sh:class ex:C ] [ sh:class ex:Other ] ) ] .
exsh:Not sh:targetClass ex:Focus ; sh:property [ sh:path ex:p ; sh:not [ sh:class ex:B ] , [ sh:class ex:Loop ] ] .
exsh:Xone sh:targetClass ex:Focus ; sh:property [ sh:path ex:p ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:Other ] ) ] .
exsh:And sh:targetClass ex:Focus ; sh:property [ sh:path ex:p ; sh:and ( [ sh:class ex:A ] [ sh:nodeKind sh:IRI ] ) ] .
exsh:Node sh:targetClass ex:Focus ; sh:property [ sh:path ex:p ; sh:node exsh:InnerB ] .
exsh:InnerB sh:class ex:B .
exsh:Qualified sh:targetClass ex:Focus ; sh:property [ sh:path ex:p ;
    sh:qualifiedValueShape [ sh:class ex:A ] ; sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 3 ] .
"""

#: Values that are instances through a subclass, through types in another graph of the gate,
#: through a type only a graph outside the gate states, of a cyclic hierarchy, twice over; and
#: values that are instances of nothing: untyped IRIs, a class IRI, literals, blank nodes.
TRICKY_DATA = """
@prefix ex: <http://example.org/ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/policykg/graph/ontology> {
    ex:B rdfs:subClassOf ex:A . ex:C rdfs:subClassOf ex:B .
    ex:Loop rdfs:subClassOf ex:Loop2 . ex:Loop2 rdfs:subClassOf ex:Loop .
}
<https://w3id.org/policykg/graph/data> {
    ex:f1 a ex:Focus ; ex:p ex:a1 , ex:b1 , ex:c1 , ex:other1 , ex:untyped , ex:B , "plain" , "label"@en ,
        42 , "2020-01-01"^^xsd:date , _:typed , _:untyped , ex:onlyInProvenance , ex:twoTypes , ex:both ,
        ex:loop , ex:f2 .
    ex:f2 a ex:Focus ; ex:p ex:a1 , ex:untyped , ex:f1 , _:typed .
    ex:f3 a ex:Focus .
    ex:a1 a ex:A . ex:b1 a ex:B . ex:c1 a ex:C . ex:other1 a ex:Other . _:typed a ex:B .
    ex:twoTypes a ex:B , ex:C . ex:both a ex:A , ex:Other . ex:loop a ex:Loop2 . _:untyped ex:q 1 .
}
<https://w3id.org/policykg/graph/inferences> {
    ex:f1 ex:p ex:typedByInference . ex:typedByInference a ex:C . ex:c1 a ex:A , ex:B .
}
<https://w3id.org/policykg/graph/provenance> {
    ex:onlyInProvenance a ex:A , ex:B . ex:untyped a ex:Other .
}
"""

GATE_GRAPHS = [GRAPHS["data"], GRAPHS["inferences"], GRAPHS["ontology"]]


def _tricky() -> tuple[ox.Store, Graph]:
    store = ox.Store()
    store.load(TRICKY_DATA, format=ox.RdfFormat.TRIG)
    return store, Graph().parse(data=TRICKY_SHAPES, format="turtle")


def _union(store: ox.Store, graphs: list) -> Graph:
    quads = [ox.Triple(q.subject, q.predicate, q.object) for g in graphs
             for q in store.quads_for_pattern(None, None, None, g)]
    return Graph().parse(data=ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES), format="nt")


def _assert_rows_of_per_value_node_form(store: ox.Store, shapes: Graph, graphs: list) -> None:
    plan = shacl_sparql.compile_shapes(shapes)
    for check in plan.checks:
        reference = per_value_node(check.query)
        assert _rows(store, check.query, graphs) == _rows(store, reference, graphs), \
            f"{check.shape} {check.component}:\n{check.query}\n{reference}"
    # Not vacuous: there are class checks, and each was compared with its per-value-node form.
    classes = [c for c in plan.checks if c.component == SH.ClassConstraintComponent]
    assert classes and all(per_value_node(c.query) != c.query for c in classes)


def test_class_membership_is_never_asked_one_value_node_at_a_time() -> None:
    """Oxigraph evaluates ``EXISTS { ?value rdf:type/rdfs:subClassOf* C }`` once per row, in
    time that grows with the value node's triples: no compiled query asks it (not the project's
    shapes, not the compiler's, not the tricky ones)."""
    shape_graphs = [gate.shapes_graph(), Graph().parse(HERE / "shapes" / "compiler" / "shapes.ttl"),
                    Graph().parse(data=TRICKY_SHAPES, format="turtle")]
    for shapes in shape_graphs:
        for check in shacl_sparql.compile_shapes(shapes).checks:
            assert not re.search(r"EXISTS \{ \?value " + TYPE_PATH, check.query), check.query


def test_class_checks_give_the_rows_of_filter_not_exists_on_tricky_values() -> None:
    store, shapes = _tricky()
    _assert_rows_of_per_value_node_form(store, shapes, GATE_GRAPHS)
    # The same with the gate's graphs as one default graph, and with only the data graph (no
    # class hierarchy at all: only direct types count).
    _assert_rows_of_per_value_node_form(store, shapes, [GRAPHS["data"]])


def test_class_checks_give_the_rows_of_filter_not_exists_on_the_compilers_cases() -> None:
    store = ox.Store()
    store.load(path=str(HERE / "shapes" / "compiler" / "data.ttl"), format=ox.RdfFormat.TURTLE,
               to_graph=GRAPHS["data"])
    _assert_rows_of_per_value_node_form(store, Graph().parse(HERE / "shapes" / "compiler" / "shapes.ttl"),
                                        [GRAPHS["data"]])


def test_class_checks_give_the_rows_of_filter_not_exists_on_the_planted_corpus(planted: ox.Store) -> None:
    _assert_rows_of_per_value_node_form(planted, gate.shapes_graph(), GATE_GRAPHS)


def test_class_on_tricky_values_equals_pyshacl() -> None:
    store, shapes = _tricky()
    compiled = gate.validate_store(store, GATE_GRAPHS, shapes=shapes)
    reference = gate.validate(_union(store, GATE_GRAPHS), shapes=shapes, ontology=Graph(), engine="pyshacl")
    assert_same(compiled, reference, shapes)
    # What sh:class ex:A says of the values of ex:f1: the instances pass (the typed blank node
    # among them), everything else fails (the untyped blank node among them).
    flagged = Counter("_:" if r.value.startswith("_:") else r.value for r in compiled.results
                      if r.shape == "exsh:classA" and r.focus == "ex:f1")
    assert flagged == Counter({"ex:other1", "ex:untyped", "ex:B", '"plain"', '"label"@en', '"42"^^xsd:integer',
                               '"2020-01-01"^^xsd:date', "_:", "ex:onlyInProvenance", "ex:loop", "ex:f2"})
    # Two classes on one shape are two constraints: a value of neither is reported twice.
    assert Counter((r.focus, r.value) for r in compiled.results
                   if r.constraint == "sh:ClassConstraintComponent")[("ex:f1", "ex:untyped")] == 3