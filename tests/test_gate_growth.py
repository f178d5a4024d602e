"""The gate's faster forms (issue 18) give the results of the forms they replace, and pySHACL's.

Three changes made the compiled gate grow with the graph instead of faster than it, each checked
here on data that breaks every branch:

* counting constraints (``sh:minCount``, ``sh:maxCount``, ``sh:qualifiedMinCount``,
  ``sh:qualifiedMaxCount``, ``sh:uniqueLang``) on a path that is one predicate or the inverse of
  one join the focus nodes with its triples directly; a minimum of one is MINUS, a larger one
  OPTIONAL with a count, a maximum a join with a count (``shacl_sparql._count_query``);
* the focus nodes of a shape and the instances of a class are found once per run and read back
  from a scratch graph (``shacl_sparql._SharedSets``), which leaves the store as it was;
* the stages that make RDF terms in bulk run with the cyclic garbage collector off
  (``rdfio.gc_paused``), which turns it back on as it was.
"""
from __future__ import annotations

import gc
import sys
import threading
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from policykg.pipeline import gate
from policykg.pipeline.gate import shacl_sparql
from policykg.graphs import GRAPHS
from policykg.rdfio import gc_paused

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from test_gate_equivalence import _quiet_rdflib, assert_same, comparable  # noqa: F401 (an autouse fixture)

PREFIXES = """
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex:   <http://example.org/ns#> .
@prefix exsh: <http://example.org/shapes#> .
"""

#: Every branch of the counting forms: minimum 1 and 2 (MINUS, OPTIONAL), maximum 0 and 1, the
#: qualified ones with and without a class flag, on a predicate, an inverse predicate and paths
#: that are neither (alternative, sequence); the unique language on a predicate and on an
#: alternative path. Two node shapes share their targets' focus (ex:Thing) so that it is
#: found once; a shape targets the objects of a property (literal and blank focus nodes).
SHAPES = PREFIXES + """
exsh:Thing a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property exsh:name , exsh:twoTags , exsh:oneCode , exsh:noSecret , exsh:parent , exsh:kids ,
        exsh:either , exsh:chain , exsh:friends , exsh:labels .
exsh:ThingAgain a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:partner ; sh:class ex:Thing ; sh:maxCount 2 ] .
exsh:Objects a sh:NodeShape ; sh:targetObjectsOf ex:points ;
    sh:property [ sh:path ex:weight ; sh:minCount 1 ] , [ sh:path ex:weight ; sh:maxCount 1 ] .
exsh:Sub a sh:NodeShape ; sh:targetClass ex:Sub ;
    sh:property [ sh:path ex:partner ; sh:class ex:Thing ] , [ sh:path ex:code ; sh:minCount 1 ] .

exsh:name sh:path rdfs:label ; sh:minCount 1 ; sh:uniqueLang true ;
    sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 .
exsh:twoTags sh:path ex:tag ; sh:minCount 2 ; sh:maxCount 3 .
exsh:oneCode sh:path ex:code ; sh:maxCount 1 ;
    sh:qualifiedValueShape [ sh:datatype xsd:string ] ; sh:qualifiedMinCount 2 .
exsh:noSecret sh:path ex:secret ; sh:maxCount 0 ;
    sh:qualifiedValueShape [ sh:nodeKind sh:IRI ] ; sh:qualifiedMaxCount 0 ; sh:qualifiedMinCount 0 .
exsh:parent sh:path [ sh:inversePath ex:child ] ; sh:minCount 1 ; sh:maxCount 1 ;
    sh:qualifiedValueShape [ sh:class ex:Thing ] ; sh:qualifiedMinCount 1 .
exsh:kids sh:path ex:child ; sh:qualifiedValueShape [ sh:class ex:Thing ] ; sh:qualifiedMaxCount 1 ;
    sh:qualifiedMinCount 2 .
exsh:either sh:path [ sh:alternativePath ( ex:code [ sh:inversePath ex:codeOf ] ) ] ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:qualifiedValueShape [ sh:datatype xsd:string ] ;
    sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 .
exsh:chain sh:path ( ex:partner ex:code ) ; sh:minCount 1 ; sh:maxCount 1 .
exsh:friends sh:path [ sh:zeroOrMorePath ex:partner ] ; sh:maxCount 2 ; sh:minCount 2 .
exsh:labels sh:path [ sh:alternativePath ( rdfs:label ex:title ) ] ; sh:uniqueLang true .
"""

DATA = PREFIXES + """
ex:good a ex:Thing ; rdfs:label "Good"@en , "好"@zh ; ex:tag 1 , 2 ; ex:code "AB-1" ;
    ex:partner ex:other ; ex:points "heavy" , _:pt .
ex:kid1 ex:child ex:good .
ex:other a ex:Thing ; rdfs:label "Other"@en , "Another"@EN , "other"@en-GB ; ex:tag 1 ;
    ex:code "X" , 7 ; ex:secret ex:s , "s" ; ex:child ex:good , ex:other , ex:kid2 ;
    ex:partner ex:good , ex:third , ex:notAThing ; ex:title "Other"@en .
ex:kid2 ex:child ex:other . ex:parent2 a ex:Thing ; ex:child ex:other .
ex:third a ex:Thing , ex:Sub ; ex:tag 1 , 2 , 3 , 4 ; ex:partner ex:good , ex:other ;
    ex:codeOf ex:codeThing ; ex:points 4 , ex:good .
ex:lonely a ex:Thing .
ex:sub a ex:Sub ; ex:partner "literal" ; ex:code "C" .
_:blank a ex:Thing ; rdfs:label "blank"@en ; ex:weight 1 , 2 .
_:pt ex:weight 3 .
ex:good ex:weight 1 .
"""


def _store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE, to_graph=GRAPHS["data"])
    store.add(ox.Quad(ox.NamedNode("http://example.org/ns#inProvenance"), ox.NamedNode("http://example.org/ns#p"),
                      ox.Literal("x"), GRAPHS["provenance"]))
    return store


def _shapes() -> Graph:
    return Graph().parse(data=SHAPES, format="turtle")


def _rows(store: ox.Store, query: str, graphs: list, **named) -> Counter:
    solutions = store.query(query, default_graph=graphs, **named)
    names = [v.value for v in solutions.variables]
    return Counter(tuple(str(s[n]) for n in names) for s in solutions)


def test_counting_forms_equal_pyshacl() -> None:
    shapes = _shapes()
    compiled = gate.validate_store(_store(), [GRAPHS["data"]], shapes=shapes)
    reference = gate.validate(Graph().parse(data=DATA, format="turtle"), shapes=shapes, ontology=Graph(),
                              engine="pyshacl")
    assert_same(compiled, reference, shapes)
    # Not vacuous: each counting component found something, on every kind of path.
    found = Counter(r.constraint for r in compiled.results)
    for component in ("MinCount", "MaxCount", "QualifiedMinCount", "QualifiedMaxCount", "UniqueLang", "Class"):
        assert found[f"sh:{component}ConstraintComponent"], component
    paths = {r.path for r in compiled.results}
    assert {"rdfs:label", "ex:tag", "^ex:child", "ex:child", "(ex:code|^ex:codeOf)", "_:path"} <= paths
    assert any(r.focus.startswith("_:") for r in compiled.results)
    assert any(r.focus.startswith('"') for r in compiled.results)


def test_the_graph_path_gives_the_same_report() -> None:
    """gate.validate (an rdflib graph, the store's default graph) and validate_store agree."""
    shapes = _shapes()
    by_graph = gate.validate(Graph().parse(data=DATA, format="turtle"), shapes=shapes, ontology=Graph())
    by_store = gate.validate_store(_store(), [GRAPHS["data"]], shapes=shapes)
    assert comparable(by_graph, shapes) == comparable(by_store, shapes)
    assert len(by_graph.results) == len(by_store.results) > 10


def test_every_check_as_run_gives_the_rows_of_the_check_as_compiled() -> None:
    """Row for row: each query with its node sets read from the scratch graph, against the
    same query finding them itself (as compiled, ``check.query``)."""
    store, shapes = _store(), _shapes()
    graphs = [GRAPHS["data"]]
    plan = shacl_sparql.compile_shapes(shapes)
    with shacl_sparql._SharedSets(store, plan.checks, graphs) as sets:
        assert sets.graph is not None and len(sets.members) >= 2  # ex:Thing's focus, shared
        rewritten = 0
        for check in plan.checks:
            query, named = sets.query(check)
            rewritten += query != check.query
            assert _rows(store, query, graphs, **named) == _rows(store, check.query, graphs), check.query
        assert rewritten > len(plan.checks) // 2
    # And the project's shapes on the project's kind of graph (the seed, built).
    project = shacl_sparql.compile_shapes(gate.shapes_graph())
    assert any(s.minus for c in project.checks for s in c.sets)  # class instances, shared too


def test_the_scratch_graph_is_removed_and_the_store_unchanged() -> None:
    store, shapes = _store(), _shapes()
    before = sorted(map(str, store))
    graphs = sorted(map(str, store.named_graphs()))
    plan = shacl_sparql.compile_shapes(shapes)
    rows = list(plan.run(store, default_graph=[GRAPHS["data"]]))
    assert rows
    assert sorted(map(str, store)) == before and sorted(map(str, store.named_graphs())) == graphs
    # Also when the caller stops reading half-way (the generator is closed).
    run = plan.run(store, default_graph=[GRAPHS["data"]])
    next(run)
    assert len(list(store.named_graphs())) == len(graphs) + 1
    run.close()
    assert sorted(map(str, store.named_graphs())) == graphs


def test_a_sparql_constraint_that_names_graphs_sees_the_dataset_as_before() -> None:
    shapes = Graph().parse(data=PREFIXES + """
exsh:G a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:tag ; sh:minCount 1 ] ;
    sh:sparql [ sh:select "SELECT $this ?g WHERE { GRAPH ?g { ?s ?p ?o } }" ;
                sh:message "graph {?g}" ] .
""", format="turtle")
    store = _store()
    report = gate.validate_store(store, [GRAPHS["data"]], shapes=shapes)
    seen = {r.message for r in report.results if r.constraint == "sh:SPARQLConstraintComponent"}
    assert seen == {f"graph {GRAPHS['data'].value}", f"graph {GRAPHS['provenance'].value}"}


def test_a_read_only_store_is_validated_as_compiled(tmp_path: Path) -> None:
    shapes = _shapes()
    writable = ox.Store(str(tmp_path / "store"))
    writable.extend(_store())
    writable.flush()
    del writable
    store = ox.Store.read_only(str(tmp_path / "store"))
    report = gate.validate_store(store, [GRAPHS["data"]], shapes=shapes)
    assert comparable(report, shapes) == comparable(gate.validate_store(_store(), [GRAPHS["data"]], shapes=shapes),
                                                     shapes)


def test_gc_paused_restores_what_it_found() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off: it stays off
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError), gc_paused():
        raise ZeroDivisionError
    assert gc.isenabled()


def test_gc_paused_in_threads_turns_collection_on_once_the_last_ends() -> None:
    inside, release = threading.Barrier(3), threading.Event()

    def work() -> None:
        with gc_paused():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_the_report_graph_is_written_the_same_every_time() -> None:
    """Results are numbered in a fixed order and labelled by their number: rdflib's Turtle
    writer (shacl-report.ttl) lists them by label, which BNode() made random at every run.
    (One shapes graph and one store: the blank nodes of paths and data keep their labels.)"""
    shapes, store = _shapes(), _store()
    texts = {gate.validate_store(store, [GRAPHS["data"]], shapes=shapes).graph.serialize(format="turtle")
             for _ in range(3)}
    assert len(texts) == 1
    assert next(iter(texts)).count("sh:ValidationResult") > 10
