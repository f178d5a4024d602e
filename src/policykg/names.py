"""Every name policykg gives: the IRI bases, the named graphs, the prefixes, the kinds of entity.

Door: the constants. Each is named here once; a module that needs one imports it from here
instead of spelling it:

:data:`BASE`
    ``https://w3id.org/policykg/``, under which everything of policykg lives:
    :data:`ONTOLOGY` (the ontology document) and :data:`POL` (its namespace, ``pol:``),
    :data:`ID` (the entities the graph describes, minted by ``mappings/README.md``'s rules)
    and :data:`GRAPH` (the named graphs).
:data:`GRAPH_IRIS`
    the four named graphs of the working store and of a published build, by role (as
    pyoxigraph terms: :data:`policykg.graphs.GRAPHS`).
:data:`ENTITY_KINDS`
    the kinds of entity (:class:`Kind`): the path segment of their IRIs, their class, the
    subclasses the lexicon may give them, their prefix in the published files and their colour
    in the server's pictures; :data:`KIND_PATH` and :data:`DEFAULT_CLASS` are its two most
    asked columns.
:data:`PREFIXES`, :data:`LINK_PREFIXES`
    the prefixes of the published files (the vocabularies, then one per kind of IRI), and those
    of the authority files the graph links to.
:data:`RDF`, :data:`RDFS`, :data:`SKOS`, ... and :data:`RDF_TYPE`, :data:`LABEL`, ...
    the standard vocabularies' namespaces and the terms most asked for.

Only the standard library: every module, the lightest included, may import this one.
"""
from __future__ import annotations

from dataclasses import dataclass

#: The IRI under which policykg's ontology, data and graphs are published.
BASE = "https://w3id.org/policykg/"
#: The ontology document's IRI (``owl:Ontology``).
ONTOLOGY = BASE + "ontology"
#: The ontology's namespace: the ``pol:`` prefix.
POL = ONTOLOGY + "#"
#: Where policykg mints the IRIs of the things its graph describes.
ID = BASE + "id/"
#: Where the named graphs are.
GRAPH = BASE + "graph/"

#: The named graphs of the working store and of a build, by role, in the order they are
#: published: ``ontology`` (``ontology/policykg.ttl``), ``data`` (what the mapping asserts),
#: ``provenance`` (where each fact was read), ``inferences`` (what the reasoning entails).
GRAPH_IRIS: dict[str, str] = {
    "ontology": GRAPH + "ontology",
    "data": GRAPH + "data",
    "provenance": GRAPH + "provenance",
    "inferences": GRAPH + "inferences",
}


@dataclass(frozen=True)
class Kind:
    """One kind of entity of the graph, and how its IRIs are minted and shown."""

    name: str  # as records, the lexicon and the mapping call it: "export_base"
    segment: str  # the path of its IRIs under :data:`ID`: "export-base"
    cls: str  # its pol: class (local name), an entity's class when nothing says more
    prefix: str  # the prefix of its IRIs in the published files: "base"
    #: The pol: subclasses the lexicon's ``type`` column may give it (none: no such column).
    types: frozenset[str] = frozenset()
    #: Its colour in the server's pictures, whose nodes are drawn by their class's kind; ``None``
    #: for a kind drawn as another (an export base is a designated site).
    colour: str | None = None

    @property
    def namespace(self) -> str:
        """Where its IRIs are: ``https://w3id.org/policykg/id/export-base/``."""
        return f"{ID}{self.segment}/"


#: The kinds of entity, by name, in the order of :data:`PREFIXES`.
ENTITY_KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("agency", "agency", "GovernmentAgency", "agency",
         frozenset({"Ministry", "Commission", "Administration", "Office"}), "#4e79a7"),
    Kind("area", "area", "Area", "area",
         frozenset({"Province", "AutonomousRegion", "Municipality", "City", "District", "NewArea",
                    "SpecialAdministrativeRegion"}), "#59a14f"),
    Kind("region", "region", "Region", "region", colour="#76b7b2"),
    Kind("export_base", "export-base", "ExportBase", "base"),
    Kind("site", "site", "DesignatedSite", "site", colour="#b07aa1"),
    Kind("document", "document", "PolicyDocument", "doc",
         frozenset({"Notice", "Plan", "MeasureTable", "Law", "DesignationList"}), "#f28e2b"),
    Kind("measure", "measure", "Measure", "measure", colour="#e15759"),
    Kind("category", "category", "MeasureCategory", "category", colour="#9c755f"),
)}
#: The path segment of each kind's IRIs: ``ID + KIND_PATH[kind] + "/" + slug``.
KIND_PATH: dict[str, str] = {name: kind.segment for name, kind in ENTITY_KINDS.items()}
#: The class of an entity when neither the lexicon nor its name says more.
DEFAULT_CLASS: dict[str, str] = {name: kind.cls for name, kind in ENTITY_KINDS.items()}

#: The vocabularies policykg's files use, by their usual prefixes.
VOCABULARIES: dict[str, str] = {
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
}

#: The namespaces of the standard vocabularies, by name, for the modules that build IRIs of
#: their terms by hand (each is also in :data:`VOCABULARIES`).
RDF = VOCABULARIES["rdf"]
RDFS = VOCABULARIES["rdfs"]
OWL = VOCABULARIES["owl"]
XSD = VOCABULARIES["xsd"]
SKOS = VOCABULARIES["skos"]
DCT = VOCABULARIES["dct"]
PROV = VOCABULARIES["prov"]
OA = VOCABULARIES["oa"]
WGS84 = VOCABULARIES["wgs84"]
#: The terms most asked for: a thing's type, its names, its identity with another.
RDF_TYPE = RDF + "type"
LABEL = RDFS + "label"
PREF_LABEL = SKOS + "prefLabel"
ALT_LABEL = SKOS + "altLabel"
EXACT_MATCH = SKOS + "exactMatch"
SAME_AS = OWL + "sameAs"
SUBCLASS_OF = RDFS + "subClassOf"
XSD_STRING = XSD + "string"
#: Vocabularies of the build's description (void.ttl), not of the data.
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"

#: Prefixes of the published Turtle, TriG and JSON-LD: the vocabularies, then one per IRI kind.
PREFIXES: dict[str, str] = {
    **VOCABULARIES,
    **{kind.prefix: kind.namespace for kind in ENTITY_KINDS.values()},
    "scheme": ID + "scheme/",
    "graph": GRAPH,
}

#: The authority files the graph links to with ``skos:exactMatch`` (issue 17): prefixes of the
#: JSON-LD context (``"exactMatch": ["gn:1816670/"]``) and of query results, not of the Turtle
#: files, where a GeoNames IRI would need an escaped ``/`` (``gn:1816670\/``) and stays whole.
LINK_PREFIXES: dict[str, str] = {
    "gn": "https://sws.geonames.org/",
    "wd": "http://www.wikidata.org/entity/",
}

__all__ = ["ALT_LABEL", "BASE", "DCT", "DEFAULT_CLASS", "ENTITY_KINDS", "EXACT_MATCH", "GRAPH", "GRAPH_IRIS", "ID",
           "KIND_PATH", "LABEL", "LINK_PREFIXES", "OA", "ONTOLOGY", "OWL", "POL", "PREFIXES", "PREF_LABEL", "PROV",
           "RDF", "RDFS", "RDF_TYPE", "SAME_AS", "SD", "SKOS", "SUBCLASS_OF", "VOCABULARIES", "VOID", "WGS84", "XSD",
           "XSD_STRING", "Kind"]
