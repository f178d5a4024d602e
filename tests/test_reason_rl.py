"""OWL 2 RL inference on pyoxigraph (policykg.reason.infer) over the shape cases' base graph.

What the rules of ontology/rl/ must derive, what they must never write, and a comparison with
owlrl (the reference OWL 2 RL implementation for rdflib): everything we infer is in owlrl's
closure, and on the terms users query (pol:*, dct:*, rdf:type with a pol:, eli:, org:,
schema: or skos: class) owlrl derives nothing about named resources that we miss.
"""
from __future__ import annotations

import re
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, BNode, Literal, URIRef

from policykg import resources
from policykg.errors import InputError, PolicykgError
from policykg.graphs import GRAPHS
from policykg.reason import InferenceResult, infer, load_ontology, rl_rules

BASE = Path(__file__).parent / "shapes" / "base.ttl"
ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TYPE = ox.NamedNode(str(RDF.type))
SPEC = "https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules"


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def store_with(data: list[ox.Triple] | None = None) -> ox.Store:
    """A store with the ontology and ``data`` (default: base.ttl) in the data graph."""
    store = ox.Store()
    load_ontology(store)
    triples = data if data is not None else list(ox.parse(path=BASE))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPHS["data"]) for t in triples)
    return store


def triples_of(store: ox.Store, role: str) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, GRAPHS[role])}


def inferred(store: ox.Store, s: str, p: str, o: str) -> bool:
    return ox.Quad(n(s), n(p), n(o), GRAPHS["inferences"]) in store


def holds(store: ox.Store, s: str, p: str, o: str) -> bool:
    return any(ox.Quad(n(s), n(p), n(o), GRAPHS[g]) in store
               for g in ("ontology", "data", "inferences"))


def to_rdflib(triples: set[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return graph


@pytest.fixture(scope="module")
def reasoned() -> tuple[ox.Store, InferenceResult]:
    store = store_with()
    return store, infer(store)


# --- what the rules derive --------------------------------------------------------------------

def test_measures_are_eli_subdivisions(reasoned) -> None:
    store, _ = reasoned
    for measure in ("measure/t1-75", "measure/t1-76"):
        assert inferred(store, ID + measure, str(RDF.type), ELI + "LegalResourceSubdivision")


def test_part_of_and_has_part_are_inverse(reasoned) -> None:
    store, _ = reasoned
    # base.ttl states only pol:partOf for the measures ...
    assert inferred(store, ID + "table/t1", POL + "hasPart", ID + "measure/t1-75")
    assert inferred(store, ID + "table/t1", POL + "hasPart", ID + "measure/t1-76")
    # ... and in the union every partOf has its hasPart and back.
    union = triples_of(store, "data") | triples_of(store, "inferences")
    part_of = {(t.subject, t.object) for t in union if t.predicate == n(POL + "partOf")}
    has_part = {(t.object, t.subject) for t in union if t.predicate == n(POL + "hasPart")}
    assert part_of == has_part and len(part_of) == 3


def test_has_part_gives_part_of() -> None:
    data = [t for t in ox.parse(path=BASE)
            if not (t.subject == n(ID + "table/t1") and t.predicate == n(POL + "partOf"))]
    store = store_with(data)
    infer(store)
    assert inferred(store, ID + "table/t1", POL + "partOf", ID + "notice/n1")
    assert inferred(store, ID + "table/t1", DCT + "isPartOf", ID + "notice/n1")


def test_pilot_area_yields_pilot_area_and_area() -> None:
    # Without the hand-asserted pol:PilotArea types, pol:pilotArea alone must give them.
    data = [t for t in ox.parse(path=BASE)
            if not (t.predicate == TYPE and t.object == n(POL + "PilotArea"))]
    store = store_with(data)
    infer(store)
    for area in ("area/beijing", "area/hebei-xiongan"):
        assert inferred(store, ID + area, str(RDF.type), POL + "PilotArea")
        assert inferred(store, ID + area, str(RDF.type), POL + "Area")
    assert not holds(store, ID + "area/hebei", str(RDF.type), POL + "PilotArea")


def test_pilot_area_definition_through_inverse_restriction() -> None:
    # cls-svf1 with [ owl:inverseOf p ], cls-int1 and cax-eqc2: the defined class alone (no
    # rdfs:range shortcut) recognises a pilot area, and no blank class leaks out.
    ontology = """
    @prefix ex: <https://w3id.org/policykg/test#> .
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ex:PilotArea owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( ex:Area
        [ a owl:Restriction ; owl:onProperty [ owl:inverseOf ex:pilotArea ] ;
          owl:someValuesFrom ex:Notice ] ) ] .
    """
    data = """
    @prefix ex: <https://w3id.org/policykg/test#> .
    ex:n1 a ex:Notice ; ex:pilotArea ex:a1 , ex:a2 .
    ex:a1 a ex:Area .
    ex:a3 a ex:Area .
    """
    store = ox.Store()
    store.load(ontology, format=ox.RdfFormat.TURTLE, to_graph=GRAPHS["ontology"])
    store.load(data, format=ox.RdfFormat.TURTLE, to_graph=GRAPHS["data"])
    result = infer(store)
    ex = "https://w3id.org/policykg/test#"
    assert triples_of(store, "inferences") == {
        ox.Triple(n(ex + "a1"), TYPE, n(ex + "PilotArea")),
        # scm-eqc1, scm-int and scm-sco: the defined class is under each class it intersects
        ox.Triple(n(ex + "PilotArea"), n("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                  n(ex + "Area")),
    }
    assert result.added == 2
    assert result.per_rule["cax-eqc1"] + result.per_rule["cax-eqc2"] == 1
    assert set(store.named_graphs()) <= set(GRAPHS.values())  # the scratch graph is gone


def test_issued_by_yields_publisher(reasoned) -> None:
    store, _ = reasoned
    assert inferred(store, ID + "notice/n1", DCT + "publisher", ID + "agency/mofcom")
    assert inferred(store, ID + "list/export-bases-1", DCT + "publisher", ID + "agency/cac")
    assert inferred(store, ID + "notice/n1", ELI + "passed_by", ID + "agency/mofcom")


def test_ministries_are_formal_organizations(reasoned) -> None:
    store, _ = reasoned
    assert inferred(store, ID + "agency/mofcom", str(RDF.type), ORG + "FormalOrganization")
    assert inferred(store, ID + "agency/mofcom", str(RDF.type), POL + "GovernmentAgency")


# --- what the rules never write ---------------------------------------------------------------

def test_nothing_asserted_is_inferred(reasoned) -> None:
    store, _ = reasoned
    inferences = triples_of(store, "inferences")
    assert inferences
    assert not inferences & triples_of(store, "data")
    assert not inferences & triples_of(store, "ontology")


def test_no_blank_nodes_and_no_noise(reasoned) -> None:
    store, _ = reasoned
    noise = {n("http://www.w3.org/2002/07/owl#Thing"),
             n("http://www.w3.org/2000/01/rdf-schema#Resource")}
    for t in triples_of(store, "inferences"):
        assert not isinstance(t.subject, ox.BlankNode), t
        assert not isinstance(t.object, ox.BlankNode), t
        assert t.object not in noise, t
        assert t.subject != t.object, t


def test_scratch_graph_is_removed(reasoned) -> None:
    store, _ = reasoned
    assert set(store.named_graphs()) == {GRAPHS[g] for g in ("ontology", "data", "inferences")}


# --- a run, as a whole ------------------------------------------------------------------------

def test_result_accounts_for_every_triple(reasoned) -> None:
    store, result = reasoned
    assert result.added == len(triples_of(store, "inferences"))
    assert sum(result.per_rule.values()) == result.added
    assert set(result.per_rule) == {rule.id for rule in rl_rules()}
    assert 1 < result.rounds < 20
    assert result.seconds > 0


def test_second_run_is_identical_and_order_does_not_matter(reasoned) -> None:
    store, first = reasoned
    before = triples_of(store, "inferences")
    again = infer(store)
    assert triples_of(store, "inferences") == before
    assert (again.added, again.rounds, again.per_rule) == (first.added, first.rounds,
                                                          first.per_rule)
    reversed_store = store_with(list(reversed(list(ox.parse(path=BASE)))))
    infer(reversed_store)
    assert triples_of(reversed_store, "inferences") == before


def test_copies_of_the_data_scale_linearly(reasoned) -> None:
    store, _ = reasoned
    about_data = {t for t in triples_of(store, "inferences") if t.subject.value.startswith(ID)}

    def renamed(term, i):
        if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
            return ox.NamedNode(f"{term.value}-copy{i}")
        return term

    copies = 5
    big = store_with([ox.Triple(renamed(t.subject, i), t.predicate, renamed(t.object, i))
                      for i in range(copies) for t in ox.parse(path=BASE)])
    infer(big)
    big_about_data = {t for t in triples_of(big, "inferences") if t.subject.value.startswith(ID)}
    assert len(big_about_data) == copies * len(about_data)


def test_no_fixpoint_within_max_rounds_is_an_error() -> None:
    store = store_with()
    with pytest.raises(PolicykgError, match="no fixpoint in 1 rounds"):
        infer(store, max_rounds=1)
    assert not triples_of(store, "inferences")
    with pytest.raises(InputError):
        infer(store, max_rounds=0)


def test_load_ontology_replaces_the_graph() -> None:
    store = ox.Store()
    count = load_ontology(store)
    assert load_ontology(store) == count == len(triples_of(store, "ontology"))


# --- the rule files ---------------------------------------------------------------------------

REQUIRED = ["cax-sco", "cax-eqc1", "cax-eqc2", "prp-spo1", "prp-inv1", "prp-inv2", "prp-dom",
            "prp-rng", "prp-symp", "prp-trp", "prp-eqp1", "prp-eqp2", "scm-sco", "scm-spo",
            "cls-int1", "cls-int2", "cls-svf1"]


@pytest.mark.parametrize("rule", rl_rules(), ids=lambda r: r.id)
def test_rule_file_is_documented(rule) -> None:
    assert re.fullmatch(r"(cax|cls|prp|scm)-[a-z]+[0-9]*", rule.id)
    header = [line for line in rule.query.splitlines() if line.startswith("#")]
    assert header[0].startswith(f"# {rule.id}: ")
    assert SPEC in rule.query
    assert any(line.startswith("# Derives:") for line in header)
    assert "=>" in rule.query  # the rule as the specification writes it


def test_required_rules_exist() -> None:
    folder = resources.data_root() / "ontology" / "rl"
    assert {p.stem for p in folder.glob("*.rq")} >= set(REQUIRED)


def test_a_broken_rule_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "cax-sco.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(InputError, match="CONSTRUCT"):
        rl_rules(tmp_path)
    (tmp_path / "cax-sco.rq").write_text("CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }\n")
    with pytest.raises(InputError, match="not valid SPARQL"):
        rl_rules(tmp_path)


# --- against owlrl ----------------------------------------------------------------------------

COMPARED_CLASS_NAMESPACES = (POL, ELI, ORG, SCHEMA, SKOS)


def compared(triple: tuple) -> bool:
    """The triples users query: pol:* and dct:* statements, and types in our vocabularies."""
    s, p, o = triple
    if not isinstance(s, URIRef) or isinstance(o, BNode):
        return False
    if p == RDF.type:
        return isinstance(o, URIRef) and str(o).startswith(COMPARED_CLASS_NAMESPACES)
    return str(p).startswith((POL, DCT))


@pytest.fixture(scope="module")
def owlrl_closure(reasoned) -> set:
    store, _ = reasoned
    graph = to_rdflib(triples_of(store, "ontology") | triples_of(store, "data"))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return set(graph)


def test_everything_we_infer_owlrl_infers(reasoned, owlrl_closure) -> None:
    store, _ = reasoned
    ours = set(to_rdflib(triples_of(store, "inferences")))
    assert ours - owlrl_closure == set()


def test_owlrl_infers_nothing_more_on_the_queried_terms(reasoned, owlrl_closure) -> None:
    # Deliberate differences (all outside the compared triples): owlrl also writes reflexive
    # owl:sameAs for every IRI, literal and blank node, every class under owl:Thing and over
    # owl:Nothing, owl:Thing types and domains, rdfs:Datatype and owl:AnnotationProperty
    # axioms, rdf:type of literals (e.g. "75" a xsd:integer), and triples about the
    # ontology's blank nodes (union domains, PilotArea's restriction).
    store, _ = reasoned
    asserted = set(to_rdflib(triples_of(store, "ontology") | triples_of(store, "data")))
    ours = set(to_rdflib(triples_of(store, "inferences")))
    missing = {t for t in owlrl_closure - asserted - ours if compared(t)}
    assert missing == set()
    assert any(compared(t) and isinstance(t[2], Literal) for t in ours)  # dct:issued dates
