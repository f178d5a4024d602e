"""The SHACL gate, driven by the shape cases in tests/shapes/cases.toml.

Each case changes the base graph and states exactly which results the gate must give, so the
gate fails for what it must, and only for that. Coverage tests keep every shape honest: each
one has a violating and a conforming case.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from policykg.pipeline import gate

HERE = Path(__file__).parent / "shapes"
CASES = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
BASE = Graph().parse(HERE / "base.ttl")
SHAPES = gate.shapes_graph()


def _shape_names() -> set[str]:
    """Every named shape: node shapes with constraints of their own, and property shapes."""
    names = set()
    for shape in set(SHAPES.subjects(RDF.type, SH.PropertyShape)) | set(SHAPES.subjects(RDF.type, SH.NodeShape)):
        if not isinstance(shape, URIRef):
            continue
        own = set(SHAPES.predicates(shape)) - {RDF.type, SH.targetClass, SH.targetSubjectsOf,
                                                SH.targetObjectsOf, SH.targetNode, SH.property}
        if own:
            names.add(SHAPES.namespace_manager.normalizeUri(shape))
    return names


def _prologue() -> str:
    ns = dict(BASE.namespaces()) | {"polsh": "https://w3id.org/policykg/shapes#"}
    return "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(ns.items()) if p)


def _graph_for(case: dict) -> Graph:
    graph = Graph()
    for prefix, namespace in BASE.namespaces():
        graph.bind(prefix, namespace)
    for triple in BASE:
        graph.add(triple)
    if case["update"].strip():
        graph.update(_prologue() + case["update"])
    return graph


def _found(report: gate.Report) -> set[tuple[str, str, str]]:
    return {(r.shape, "_:" if r.focus.startswith("_:") else r.focus, r.severity.value)
            for r in report.results}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shape_case(case: dict) -> None:
    report = gate.validate(_graph_for(case))
    expected = {tuple(e) for e in case["expect"]}
    assert _found(report) == expected, report.to_text()
    wants_pass = case.get("passed", not any(e[2] == "Violation" for e in expected))
    assert report.passed is wants_pass
    conforms = case.get("conforms", [])
    silent = _shape_names() if conforms == ["*"] else set(conforms)
    assert not {r.shape for r in report.results} & silent, report.to_text()


def test_every_shape_has_a_violating_case() -> None:
    violated = {e[0] for c in CASES for e in c["expect"]}
    assert _shape_names() - violated == set()


def test_every_shape_has_a_conforming_case_beyond_the_base() -> None:
    named = {s for c in CASES for s in c.get("conforms", []) if s != "*"}
    base_only = _shape_names() - named
    # Shapes whose conforming case is only the base graph: the base must have focus nodes for
    # them, so that "no result" means "checked and conforming", not "never applied".
    for shape in base_only:
        node = URIRef(SHAPES.namespace_manager.expand_curie(shape))
        owners = [node] if (node, RDF.type, SH.NodeShape) in SHAPES else list(SHAPES.subjects(SH.property, node))
        targets = {t for owner in owners for t in SHAPES.objects(owner, SH.targetClass)}
        assert targets, f"{shape} targets nothing"
        closure = "SELECT ?x WHERE { ?x a/rdfs:subClassOf* ?c } LIMIT 1"
        data = BASE + gate.ontology_graph()
        assert any(len(data.query(closure, initBindings={"c": t})) for t in targets), \
            f"the base graph has no focus node for {shape}"


def test_case_names_are_unique() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))


def test_results_are_typed_and_grouped_by_severity() -> None:
    case = next(c for c in CASES if c["name"] == "abbreviation-shared")
    report = gate.validate(_graph_for(case))
    assert all(isinstance(r.severity, gate.Severity) for r in report.results)
    assert report.counts()[gate.Severity.WARNING] == 2 and report.passed and not report.conforms
    text = report.to_text()
    assert text.startswith("SHACL gate: PASSED (0 violations, 2 warnings")
    assert "== Warnings (2) ==" in text and "== Violations" not in text


def test_validate_does_not_change_its_input() -> None:
    graph = _graph_for(CASES[0])
    before = len(graph)
    gate.validate(graph)
    assert len(graph) == before


