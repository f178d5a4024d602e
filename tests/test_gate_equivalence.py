"""The compiled gate (SHACL compiled to SPARQL on pyoxigraph) gives pySHACL's results exactly.

Three bodies of evidence, each compared result for result (a multiset: focus node, shape,
severity, path, value, constraint component, and the message wherever the shape declares one):

* every shape case of tests/shapes/cases.toml on the project's shapes;
* tests/shapes/compiler/: shapes using every construct the compiler translates, on data
  that breaks each of them;
* a generated corpus (bench/corpus.py) built through the whole pipeline, with violations of
  every project shape planted in it, validated as one graph.

A shapes graph the compiler cannot translate falls back to pySHACL, and says so.
"""
from __future__ import annotations

import logging
import random
import sys
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from policykg import gate, shacl_sparql
from policykg.build import build
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
     "SELECT ?x { ?x pol:statedPilotAreaCount ?n }",
     "DELETE WHERE { GRAPH <G> { {x} pol:statedPilotAreaCount ?n } }; "
     'INSERT DATA { GRAPH <G> { {x} pol:statedPilotAreaCount 999 } }'),
    ("article number twice in one table", "polsh:MeasureShape-articleNumberUnique",
     "SELECT ?x { ?x a pol:Measure }",
     "INSERT { GRAPH <G> { ?other pol:articleNumber ?n } } WHERE { { SELECT ?other ?n { GRAPH ?g { "
     "{x} pol:partOf ?t ; pol:articleNumber ?n . ?other pol:partOf ?t . FILTER(?other != {x}) } } LIMIT 1 } }"),
    ("duplicated area name", "polsh:AreaShape-labelUnique",
     "SELECT ?x { ?x a pol:City }",
     'INSERT DATA { GRAPH <G> { <https://w3id.org/policykg/id/area/planted-twin> a pol:City ; '
     'rdfs:label "PLANTED"@en . {x} rdfs:label "planted"@en } }'),
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
