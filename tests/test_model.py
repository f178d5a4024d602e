"""The model itself: ontology header and terms, shapes against ontology, the generated
namespace, SHACL-for-SHACL, and the OWL edition that Protégé users open."""
from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, XSD

from policykg.tools import checks
from policykg.pipeline import gate
from policykg import ontology, resources
from policykg.tools.vocabgen import POL_NS, render_vocab

ONT = gate.ontology_graph()
SHAPES = gate.shapes_graph()
ONT_IRI = URIRef("https://w3id.org/policykg/ontology")
VANN = "http://purl.org/vocab/vann/"

CONTRACT = {
    # the core terms later issues, the competency queries and users' queries rely on
    OWL.Class: ["PolicyDocument", "Notice", "Plan", "MeasureTable", "Law", "PolicyUpdate", "Measure",
                "MeasureCategory", "GovernmentAgency", "Area", "PilotArea", "Region", "ExportBase"],
    OWL.ObjectProperty: ["issuedBy", "hasPart", "partOf", "inCategory", "guidedBy", "forerunner",
                         "concernsRegion", "pilotArea", "refersTo", "locatedIn", "lists"],
    OWL.DatatypeProperty: ["issuedOn", "articleNumber", "statedPilotAreaCount", "trialStart", "trialEnd"],
}


@pytest.mark.parametrize("kind,name", [(k, n) for k, names in CONTRACT.items() for n in names])
def test_contract_term_is_declared(kind: URIRef, name: str) -> None:
    assert (URIRef(POL_NS + name), RDF.type, kind) in ONT


def test_document_subclasses_and_inverse_pair() -> None:
    pol = lambda n: URIRef(POL_NS + n)  # noqa: E731
    for sub in ("Notice", "Plan", "MeasureTable", "Law", "PolicyUpdate"):
        assert (pol(sub), RDFS.subClassOf, pol("PolicyDocument")) in ONT
    assert (pol("hasPart"), OWL.inverseOf, pol("partOf")) in ONT
    assert (pol("partOf"), OWL.inverseOf, pol("hasPart")) in ONT


def test_ontology_header_is_complete() -> None:
    assert (ONT_IRI, RDF.type, OWL.Ontology) in ONT
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator,
                 DCTERMS.created, DCTERMS.modified, OWL.versionInfo, OWL.versionIRI,
                 URIRef(VANN + "preferredNamespacePrefix"), URIRef(VANN + "preferredNamespaceUri")):
        assert ONT.value(ONT_IRI, prop) is not None, prop
    for prop in (DCTERMS.created, DCTERMS.modified):
        assert ONT.value(ONT_IRI, prop).datatype == XSD.date
    version = str(ONT.value(ONT_IRI, OWL.versionInfo))
    assert str(ONT.value(ONT_IRI, OWL.versionIRI)).endswith("/" + version)
    assert str(ONT.value(ONT_IRI, URIRef(VANN + "preferredNamespaceUri"))) == POL_NS


def test_every_term_is_labelled_defined_and_defined_by() -> None:
    assert ontology.term_problems(ONT) == []


def test_term_problems_are_found() -> None:
    broken = Graph()
    for triple in ONT:
        broken.add(triple)
    guided = URIRef(POL_NS + "guidedBy")
    broken.remove((guided, RDFS.label, Literal("指导单位", lang="zh")))
    broken.remove((guided, RDFS.isDefinedBy, None))
    assert ontology.term_problems(broken) == [
        "pol:guidedBy has 0 rdfs:label@zh, expected 1",
        "pol:guidedBy is not rdfs:isDefinedBy <https://w3id.org/policykg/ontology>",
    ]


def test_shapes_use_only_declared_terms() -> None:
    assert ontology.shape_problems(ONT, SHAPES) == []


def test_shape_problems_are_found() -> None:
    broken = Graph()
    for triple in SHAPES:
        broken.add(triple)
    for prefix, ns in SHAPES.namespaces():
        broken.bind(prefix, ns)
    broken.update("""
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        PREFIX pol: <https://w3id.org/policykg/ontology#>
        PREFIX polsh: <https://w3id.org/policykg/shapes#>
        DELETE { polsh:MeasureShape sh:targetClass ?c } INSERT { polsh:MeasureShape sh:targetClass pol:Measur }
        WHERE { polsh:MeasureShape sh:targetClass ?c } ;
        DELETE { polsh:MeasureShape-guidedBy sh:path ?p } INSERT { polsh:MeasureShape-guidedBy sh:path pol:guideBy }
        WHERE { polsh:MeasureShape-guidedBy sh:path ?p } ;
        DELETE { ?c sh:select ?q } INSERT { ?c sh:select ?q2 }
        WHERE { polsh:AreaShape-notInItself sh:sparql ?c . ?c sh:select ?q .
                BIND(REPLACE(?q, "pol:locatedIn", "pol:liesIn") AS ?q2) }
    """)
    assert ontology.shape_problems(ONT, broken) == [
        "polsh:AreaShape-notInItself's SPARQL uses undeclared property pol:liesIn",
        "polsh:MeasureShape uses undeclared class pol:Measur",
        "polsh:MeasureShape-guidedBy uses undeclared property pol:guideBy",
    ]


def test_shapes_pass_shacl_for_shacl() -> None:
    report = gate.check_shapes()
    assert report.passed and report.conforms, report.to_text()


def test_shacl_for_shacl_catches_a_broken_shape() -> None:
    broken = Graph()
    for triple in SHAPES:
        broken.add(triple)
    broken.add((URIRef("https://w3id.org/policykg/shapes#MeasureShape-articleNumber"), SH.minCount, Literal("one")))
    assert not gate.check_shapes(broken).passed


def test_every_property_shape_is_named_with_message_and_severity() -> None:
    for shape in SHAPES.subjects(RDF.type, SH.PropertyShape):
        name = SHAPES.namespace_manager.normalizeUri(shape)
        assert SHAPES.value(shape, SH.name) is not None, name
        assert SHAPES.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), name
        messages = list(SHAPES.objects(shape, SH.message)) + [
            m for c in SHAPES.objects(shape, SH.sparql) for m in SHAPES.objects(c, SH.message)]
        assert messages, name


def test_one_node_shape_per_class() -> None:
    targets = [t for s in SHAPES.subjects(RDF.type, SH.NodeShape) for t in SHAPES.objects(s, SH.targetClass)]
    assert len(targets) == len(set(targets))
    for shape in SHAPES.subjects(RDF.type, SH.NodeShape):
        target = SHAPES.value(shape, SH.targetClass)
        assert str(shape).endswith("#" + str(target).rsplit("#", 1)[1] + "Shape")


def test_generated_namespace_matches_the_ontology() -> None:
    module = Path(resources.data_root()) / "src" / "policykg" / "vocab.py"
    if not module.is_file():  # an installed wheel: compare the imported module's source
        module = Path(importlib.import_module("policykg.vocab").__file__)
    assert module.read_text(encoding="utf-8") == render_vocab(ONT), "run `policykg vocab`"


def test_generated_namespace_is_closed() -> None:
    from policykg.vocab import POL

    assert POL.guidedBy == URIRef(POL_NS + "guidedBy")
    with pytest.raises(AttributeError):
        POL.guidedby  # noqa: B018  (a misspelling fails)
    declared = {str(t)[len(POL_NS):] for t in ontology.own_terms(ONT)}
    assert set(POL.__annotations__) == declared


@pytest.mark.java
@pytest.mark.skipif(shutil.which("java") is None, reason="needs a Java runtime")
def test_owl_edition_with_data_is_dl_and_consistent() -> None:
    """What a Protégé user opens: the ontology with individuals and dates, in RDF/XML."""
    result = checks.check_owl_edition(Path(__file__).parent / "shapes" / "base.ttl")
    assert result.ok, result.summary()


def test_owl_edition_turns_dates_into_datetimes_and_names_individuals() -> None:
    data = Graph().parse(Path(__file__).parent / "shapes" / "base.ttl")
    edition = ontology.owl_edition(ONT + data)
    dates = [o for o in edition.objects() if isinstance(o, Literal) and o.datatype == XSD.date]
    assert dates == []
    notice = URIRef("https://w3id.org/policykg/id/notice/n1")
    assert edition.value(notice, URIRef(POL_NS + "issuedOn")) == Literal("2020-08-14T00:00:00", datatype=XSD.dateTime)
    assert (notice, RDF.type, OWL.NamedIndividual) in edition
    assert (URIRef(POL_NS + "Notice"), RDF.type, OWL.NamedIndividual) not in edition


def test_owlready2_loads_the_owl_edition(tmp_path: Path) -> None:
    owlready2 = pytest.importorskip("owlready2")
    data = Graph().parse(Path(__file__).parent / "shapes" / "base.ttl")
    target = tmp_path / "policykg.owl"
    ontology.owl_edition(ONT + data).serialize(target, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(target.as_uri()).load()
    measures = sorted(i.name for i in world.search(type=world[POL_NS + "Measure"]))
    assert measures == ["t1-75", "t1-76"]
    areas = {i.name for i in world.search(type=world[POL_NS + "Area"])}
    assert {"beijing", "hebei", "hebei-xiongan"} <= areas
    assert onto is not None
