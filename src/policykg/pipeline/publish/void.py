"""A VoID and DCAT description of a build: what the dataset holds, where it comes from, where
to get it.

Door: :func:`describe`. Counts come from the store (triples per named graph, entities, one
class partition per pol: class); sources are listed with their sha256; the dumps are the files
that :mod:`policykg.pipeline.publish` writes.
"""
from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID, XSD

from ...graphs import GRAPHS
from ...names import ID, POL, PROV, SD
from ..provenance import BuildInfo, SourceInfo

DATASET = URIRef(ID + "dataset")
DUMPS = {
    "policykg.ttl": "text/turtle",
    "policykg.nt": "application/n-triples",
    "policykg.nq": "application/n-quads",
    "policykg.trig": "application/trig",
    "policykg.jsonld": "application/ld+json",
    "policykg.owl": "application/rdf+xml",
}


def _count(store: ox.Store, query: str) -> int:
    for row in store.query(query):
        return int(row[0].value)
    return 0


def describe(store: ox.Store, sources: Sequence[SourceInfo], build: BuildInfo, *,
             endpoint: str = "http://127.0.0.1:8000/sparql", base: str = "") -> Graph:
    """The VoID/DCAT description of the dataset in ``store``."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("pol", Namespace(POL))
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, DCTERMS.title, Literal("policykg: Chinese data-policy measures", lang="en")))
    g.add((d, DCTERMS.title, Literal("政策知识图谱：中国数据政策措施", lang="zh")))
    g.add((d, DCTERMS.description, Literal(
        "A knowledge graph of Chinese data-policy measures — documents, measures, agencies, "
        "pilot areas, regions and export bases — built from policy texts, with the words of "
        "the source behind every fact.", lang="en")))
    g.add((d, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((d, OWL.versionInfo, Literal(build.version)))
    g.add((d, DCTERMS.modified, Literal(build.ended, datatype=XSD.dateTime)))
    g.add((d, VOID.vocabulary, URIRef(POL)))
    g.add((d, VOID.uriSpace, Literal(ID)))
    g.add((d, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((d, URIRef(PROV + "wasGeneratedBy"), URIRef(build.iri)))

    total = 0
    for name, graph in sorted(GRAPHS.items()):
        n = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
        total += n
        part = URIRef(f"{d}/graph/{name}")
        g.add((d, VOID.subset, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, RDFS.label, Literal(f"{name} graph", lang="en")))
        g.add((part, URIRef(SD + "name"), URIRef(graph.value)))
        g.add((part, VOID.triples, Literal(n)))
    g.add((d, VOID.triples, Literal(total)))
    data = GRAPHS["data"].value
    g.add((d, VOID.entities, Literal(_count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{data}> {{ ?s a ?c }} }}"))))
    g.add((d, VOID.distinctSubjects, Literal(_count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{data}> {{ ?s ?p ?o }} }}"))))
    g.add((d, VOID.properties, Literal(_count(store, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ GRAPH <{data}> {{ ?s ?p ?o }} }}"))))
    inferred = GRAPHS["inferences"].value
    rows = store.query(f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
        {{ GRAPH <{data}> {{ ?s a ?c }} }} UNION {{ GRAPH <{inferred}> {{ ?s a ?c }} }}
        FILTER(STRSTARTS(STR(?c), "{POL}")) }} GROUP BY ?c ORDER BY ?c""")
    for row in rows:
        cls = row[0].value
        part = URIRef(f"{d}/class/{cls.rsplit('#', 1)[1]}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(int(row[1].value))))

    for name, media in DUMPS.items():
        url = URIRef(f"{base}{name}") if base else URIRef(f"{d}/dump/{name}")
        g.add((d, VOID.dataDump, url))
        dist = BNode(f"dist-{name.replace('.', '-')}")
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.mediaType, Literal(media)))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCTERMS.title, Literal(name)))
    for src in sources:
        g.add((d, DCTERMS.source, URIRef(src.iri)))
        g.add((URIRef(src.iri), RDFS.label, Literal(src.path)))
        g.add((URIRef(src.iri), DCTERMS.identifier, Literal(f"sha256:{src.sha256}")))
    return g


__all__ = ["DATASET", "DUMPS", "describe"]
