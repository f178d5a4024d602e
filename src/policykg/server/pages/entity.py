"""Linked-data pages: every IRI of the graph dereferences, as HTML for people and RDF for programs.

Door: :func:`routes`. The routes:

``GET /id/{path}`` (``entity``)
    The thing ``<base_iri>id/{path}``. Its RDF description is every triple it is the subject or
    the object of in the data and inferences graphs (a blank-node object comes with its own
    triples); a thing that is named only in the provenance graph (a text span, a reified
    statement, a lexicon row, a build) is described from that graph instead. The HTML page
    shows its labels in English and Chinese, its types, what it is the same as in authority
    files ("Same as: GeoNames 1816670", from ``skos:exactMatch``), its outgoing and incoming
    links, and for each fact the words of the source behind it: a quote of the text span with
    its character offsets and its document, or the lexicon's citation; a fact a curator
    asserted says by whom, when and why (``mappings/curation``), and the facts curators
    retracted are listed as such, with what the text said and why they went. One SPARQL query
    per page. An entity merged into another by a curator (``owl:sameAs`` and nothing else in
    the data graph) answers **303 See Other** to the page of the entity it was merged into
    (any format: the query string goes along).
``GET /ontology`` (``ontology``)
    The ontology: its bilingual documentation page (:func:`policykg.tools.docs.render_docs`, with an
    anchor per term, so ``https://w3id.org/policykg/ontology#Measure`` dereferences to
    ``/ontology#Measure``), or the RDF: Turtle is ``ontology/policykg.ttl`` itself.

Content negotiation, on both: ``text/html``, ``text/turtle``, ``application/ld+json``,
``application/n-triples`` and ``application/rdf+xml``. ``Accept: */*``, and a request with
no ``Accept`` at all, get **Turtle** (programs such as curl send ``*/*``; browsers always
name ``text/html``). A ``format`` query parameter (``html``, ``ttl``, ``jsonld``, ``nt``,
``rdf``) overrides ``Accept``; an ``Accept`` that allows none of the five gets 406 with the
list. Every answer carries ``Vary: Accept``; ``HEAD`` works everywhere.

Safety: the path is checked against ``[A-Za-z0-9._~/-]+`` (no ``..``) before anything else,
and the IRI reaches SPARQL only as a bound variable (``QueryRequest.substitutions``), never
as query text.
"""
from __future__ import annotations

import itertools
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, NoMatchFound, Route

from ... import resources
from ...graphs import GRAPHS
from ...names import ALT_LABEL, BASE, EXACT_MATCH, LABEL, PREF_LABEL, PREFIXES, RDF, RDF_TYPE, RDFS, SAME_AS, SKOS, XSD
from ...pipeline.publish.serialize import jsonld
from .. import conneg
from ..pool import PoolBusy, QueryTimeout, WorkerFailed
from ..render import ID_PATH, asset_url, frame_context, local_path, templates, valid_path
from ..state import CORS, AppState
from ..worker import QueryRequest, xml_safe
from . import pictures

log = logging.getLogger("policykg.server")

# ------------------------------------------------------------------------- formats

#: The representations, in the order that breaks ties: ``*/*`` gets the first.
OFFERS: dict[str, str] = {
    "text/turtle": "turtle",
    "text/html": "html",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
}
CONTENT_TYPES: dict[str, str] = {
    "turtle": "text/turtle; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
#: Values of the ``format`` query parameter.
FORMAT_PARAM: dict[str, str] = {
    "html": "html", "htm": "html",
    "ttl": "turtle", "turtle": "turtle",
    "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
    "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
    "rdf": "rdfxml", "rdfxml": "rdfxml", "xml": "rdfxml", "owl": "rdfxml",
}
#: The "view as" links: (format parameter, name shown, format key).
VIEWS: tuple[tuple[str, str, str], ...] = (
    ("html", "HTML", "html"), ("ttl", "Turtle", "turtle"), ("jsonld", "JSON-LD", "jsonld"),
    ("nt", "N-Triples", "ntriples"), ("rdf", "RDF/XML", "rdfxml"),
)
_RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}

VARY = {"Vary": "Accept"}

# ------------------------------------------------------------------------- vocabulary

LABELS = (LABEL, PREF_LABEL, ALT_LABEL)

#: Authority files that links out (``skos:exactMatch``) name: namespace, name shown, the id in
#: the rest of the IRI. ``https://sws.geonames.org/1816670/`` is shown "GeoNames 1816670".
AUTHORITIES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("https://sws.geonames.org/", "GeoNames", re.compile(r"([0-9]+)/?")),
    ("http://www.wikidata.org/entity/", "Wikidata", re.compile(r"(Q[0-9]+)")),
)


def authority_name(iri: str) -> str | None:
    """"GeoNames 1816670" for a GeoNames feature's IRI, "Wikidata Q956" for a Wikidata item's;
    None for any other IRI."""
    for namespace, name, local in AUTHORITIES:
        if iri.startswith(namespace):
            m = local.fullmatch(iri[len(namespace):])
            if m:
                return f"{name} {m.group(1)}"
    return None

#: CURIE prefixes for showing IRIs that have no label: the vocabularies of the published
#: files (entity IRIs are shown by label, and Turtle escapes a ``/`` in a local name).
VOCAB_PREFIXES: dict[str, str] = {
    **{p: ns for p, ns in PREFIXES.items() if not ns.startswith(BASE) or p == "pol"},
    "spdx": "http://spdx.org/rdf/terms#",
}
# the order facts are listed in: these first, then by the property's label
_PROPERTY_ORDER = {RDF_TYPE: 0, LABEL: 1, PREF_LABEL: 2, ALT_LABEL: 3}
# plain names of common properties that the ontology does not label
_PLAIN_NAMES = {RDF_TYPE: "type", LABEL: "label", PREF_LABEL: "preferred label", ALT_LABEL: "other name"}

# ------------------------------------------------------------------------- CURIEs

def curie(iri: str) -> str | None:
    for prefix, namespace in VOCAB_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return None


# ------------------------------------------------------------------------- queries

_D, _I, _P = (f"<{GRAPHS[k].value}>" for k in ("data", "inferences", "provenance"))

#: The RDF description of ``?this``: its triples in data and inferences, else in provenance.
DESCRIBE_QUERY = f"""CONSTRUCT {{ ?this ?p ?o . ?s ?q ?this . ?o ?bp ?bo }}
WHERE {{
  {{ VALUES ?g {{ {_D} {_I} }} GRAPH ?g {{ ?this ?p ?o }}
     OPTIONAL {{ GRAPH ?g {{ ?o ?bp ?bo }} FILTER(isBlank(?o)) }} }}
  UNION {{ VALUES ?g {{ {_D} {_I} }} GRAPH ?g {{ ?s ?q ?this }} }}
  UNION {{ FILTER NOT EXISTS {{ VALUES ?h {{ {_D} {_I} }} GRAPH ?h {{ {{ ?this ?x ?y }} UNION {{ ?y ?x ?this }} }} }}
           GRAPH {_P} {{ {{ ?this ?p ?o OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) }} }} UNION {{ ?s ?q ?this }} }} }}
}}"""

_LABELLED = "GRAPH ?g { ?s ?p ?o } FILTER(?p IN (rdfs:label, skos:prefLabel, skos:altLabel))"
_NEIGHBOURS = (
    "GRAPH ?g1 { ?this ?x ?s } FILTER(isIRI(?s))",  # objects, types among them
    "GRAPH ?g1 { ?s ?x ?this }",  # subjects of incoming links
    "GRAPH ?g1 { ?this ?s ?x }",  # properties
    "GRAPH ?g1 { ?x ?s ?this }",
    (f"GRAPH {_P} {{ {{ ?x rdf:subject ?this }} UNION {{ ?x rdf:object ?this }} "
     "?x prov:wasDerivedFrom/oa:hasSource ?s }"),  # source documents
    (f"GRAPH {_P} {{ ?x prov:wasInvalidatedBy ?y . {{ ?x rdf:subject ?this ; rdf:object ?s }} "
     "UNION { ?x rdf:object ?this ; rdf:subject ?s } UNION { ?x rdf:subject ?this ; rdf:predicate ?s } "
     "UNION { ?x rdf:object ?this ; rdf:predicate ?s } }"),  # what retracted facts named
)

#: Everything the HTML page of ``?this`` shows, in one query; ``?kind`` tells the rows apart:
#: ``out``/``in`` a triple (graph ``?g``), ``label`` a label of a neighbour, ``prov`` a
#: reified statement about a triple of ``?this`` with its span or lexicon row.
PAGE_QUERY = f"""PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT DISTINCT ?this ?kind ?g ?s ?p ?o ?stmt ?span ?src ?exact ?start ?end ?lex ?cite
       ?how ?curation ?curator ?cdate ?reason ?note ?entry
WHERE {{
  {{ VALUES ?g {{ {_D} {_I} }} GRAPH ?g {{ ?this ?p ?o }} BIND("out" AS ?kind) }}
  UNION {{ VALUES ?g {{ {_D} {_I} }} GRAPH ?g {{ ?s ?p ?this }} BIND("in" AS ?kind) }}
  UNION {{ VALUES ?g {{ {_P} }}
           FILTER NOT EXISTS {{ VALUES ?h {{ {_D} {_I} }} GRAPH ?h {{ {{ ?this ?x ?y }} UNION {{ ?y ?x ?this }} }} }}
           GRAPH ?g {{ {{ ?this ?p ?o BIND("out" AS ?kind) }} UNION {{ ?s ?p ?this BIND("in" AS ?kind) }} }} }}
  UNION {{ BIND("label" AS ?kind)
           {{ {" } UNION { ".join(n + " " + _LABELLED for n in _NEIGHBOURS)} }} }}
  UNION {{ BIND("prov" AS ?kind)
           GRAPH {_P} {{
             {{ ?stmt rdf:subject ?this }} UNION {{ ?stmt rdf:object ?this }}
             ?stmt a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
             OPTIONAL {{ ?stmt prov:wasDerivedFrom ?span .
                        OPTIONAL {{ ?span oa:hasSource ?src }}
                        OPTIONAL {{ ?span oa:hasSelector ?sel .
                                   OPTIONAL {{ ?sel oa:exact ?exact }}
                                   OPTIONAL {{ ?sel oa:start ?start }}
                                   OPTIONAL {{ ?sel oa:end ?end }} }} }}
             OPTIONAL {{ ?stmt dct:source ?lex . OPTIONAL {{ ?lex dct:bibliographicCitation ?cite }} }}
             OPTIONAL {{ VALUES (?how ?by) {{ ("retracted" prov:wasInvalidatedBy) ("asserted" prov:wasGeneratedBy) }}
                        ?stmt ?by ?curation . ?curation rdfs:comment ?reason ; prov:wasAssociatedWith ?agent .
                        OPTIONAL {{ ?agent rdfs:label ?curator }}
                        OPTIONAL {{ ?curation dct:date ?cdate }}
                        OPTIONAL {{ ?curation dct:bibliographicCitation ?note }}
                        OPTIONAL {{ ?curation dct:source ?entry }} }}
           }} }}
}}"""

#: Entities merged into another by a curator: ``owl:sameAs`` in the data graph, and no type.
MERGED_QUERY = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <{RDF}>
SELECT ?old ?kept WHERE {{
  GRAPH {_D} {{ ?old owl:sameAs ?kept }}
  FILTER(isIRI(?old) && isIRI(?kept))
  FILTER NOT EXISTS {{ GRAPH {_D} {{ ?old rdf:type ?type }} }}
}}"""


# ------------------------------------------------------------------------- answers

def _problem(request: Request, status: int, title: str, message: str, **headers: str) -> Response:
    """An error as an HTML page (when the client prefers HTML) or as text."""
    all_headers = {**CORS, **VARY, **headers}
    if conneg.choose(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html":
        context = {**frame_context(request), "status": status, "title": title, "message": message}
        return templates().TemplateResponse(request, "notfound.html.j2", context, status_code=status,
                                            headers=all_headers)
    return PlainTextResponse(f"{title}: {message}\n", status_code=status, headers=all_headers)


def _not_acceptable() -> Response:
    offers = ", ".join(OFFERS)
    return PlainTextResponse(f"none of the acceptable formats can be served; offered: {offers}\n"
                             f"(or add ?format= one of html, ttl, jsonld, nt, rdf)\n",
                             status_code=406, headers={**CORS, **VARY})


def negotiate(request: Request) -> str | Response:
    """The format key to answer with, or the response that refuses (400 / 406)."""
    wanted = request.query_params.getlist("format")
    if wanted:
        key = FORMAT_PARAM.get(wanted[-1].strip().lower())
        if key is None or len(set(wanted)) > 1:
            return PlainTextResponse("unknown format; use ?format= one of html, ttl, jsonld, nt, rdf\n",
                                     status_code=400, headers={**CORS, **VARY})
        return key
    media = conneg.choose(request.headers.get("accept"), list(OFFERS))
    if media is None:
        return _not_acceptable()
    return OFFERS[media]


def _alternates(request: Request) -> str:
    path = request.url.path
    return ", ".join(f'<{path}?format={param}>; rel="alternate"; type="{CONTENT_TYPES[key].split(";")[0]}"'
                     for param, _name, key in VIEWS)


async def _run(state: AppState, qr: QueryRequest) -> tuple[bytes, int, bool] | Response:
    """Run ``qr`` in the pool: (body, rows, truncated), or the response that says why not."""
    try:
        result = await state.run(qr)
    except QueryTimeout:
        return PlainTextResponse(f"the lookup ran longer than the {state.config.timeout:g} s limit\n",
                                 status_code=503, headers={**CORS, **VARY, "Retry-After": "5"})
    except PoolBusy:
        return PlainTextResponse("the server is busy; try again shortly\n", status_code=503,
                                 headers={**CORS, **VARY, "Retry-After": "2"})
    except WorkerFailed:
        return PlainTextResponse("the query worker failed\n", status_code=503,
                                 headers={**CORS, **VARY, "Retry-After": "2"})
    if result.status != 200:
        log.error("linked-data query failed (%d): %s", result.status, result.body[:500])
        return PlainTextResponse("the description could not be computed\n", status_code=500,
                                 headers={**CORS, **VARY})
    return result.body, result.rows, result.truncated


# ------------------------------------------------------------------------- RDF

@cache
def _jsonld_context(build: Path) -> dict[str, Any] | None:
    """The build's JSON-LD context (``context.jsonld``), or None."""
    try:
        doc = json.loads((build / "context.jsonld").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    context = doc.get("@context") if isinstance(doc, dict) else None
    return context if isinstance(context, dict) else None


def serialize(triples: list[ox.Triple], key: str, build: Path | None = None) -> bytes:
    """``triples`` in the format ``key``, with readable prefixes; JSON-LD compacted with the
    build's context when there is one (as ``policykg.jsonld`` is), else expanded."""
    triples = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if key == "ntriples":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    if key == "jsonld":
        context = _jsonld_context(build) if build is not None else None
        if context is not None:
            try:
                return jsonld(triples, context)
            except Exception:  # noqa: BLE001 - a build's context.jsonld we cannot use: answer expanded JSON-LD
                log.exception("cannot compact JSON-LD; answering expanded JSON-LD")
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]"
    used = {p: ns for p, ns in VOCAB_PREFIXES.items()
            if any(t.predicate.value.startswith(ns) or (isinstance(t.object, ox.NamedNode)
                                                        and t.object.value.startswith(ns)) for t in triples)}
    body = ox.serialize(triples, format=_RDF_FORMATS[key], prefixes=used)
    if key == "rdfxml":  # XML 1.0 cannot carry C0 controls or U+FFFE in a literal
        body = xml_safe(body)
    if not body and key == "rdfxml":
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF xmlns:rdf="' + RDF.encode() + b'"/>\n'
    return body or b""


def _rdf_response(body: bytes, key: str, request: Request, **headers: str) -> Response:
    return Response(body, status_code=200, headers={**CORS, **VARY, "Link": _alternates(request), **headers,
                                                    "Content-Type": CONTENT_TYPES[key]})


# ------------------------------------------------------------------------- the entity page

@dataclass(frozen=True)
class Node:
    """An RDF term from a SPARQL JSON result."""

    kind: str  # uri, bnode, literal
    value: str
    lang: str = ""
    datatype: str = ""

    @classmethod
    def of(cls, term: dict[str, str]) -> Node:
        kind = term.get("type", "literal")
        if kind == "typed-literal":
            kind = "literal"
        datatype = term.get("datatype", "")
        if kind == "literal" and datatype == XSD + "string":
            datatype = ""
        return cls(kind, term.get("value", ""), term.get("xml:lang", "").lower(), datatype)


@dataclass
class Shown:
    """How the page draws a term: text (with its language), maybe a link, maybe a second
    line in Chinese, the full IRI as a tooltip."""

    text: str
    href: str | None = None
    lang: str | None = None
    zh: str | None = None
    title: str | None = None
    note: str | None = None  # a datatype, shown small
    external: bool = False
    literal: bool = False


@dataclass
class Source:
    """The words behind a fact: a span of a document, and/or a lexicon row; or a curator's
    decision (``curator``, ``curated_on``, ``reason``, where the entry is, and a note)."""

    exact: str | None = None
    start: int | None = None
    end: int | None = None
    document: Shown | None = None
    lexicon: Shown | None = None
    citation: str | None = None
    curator: str | None = None
    curated_on: str | None = None
    reason: str | None = None
    note: str | None = None
    entry: str | None = None
    curation: Shown | None = None

    def key(self) -> tuple[Any, ...]:
        return (self.start if self.start is not None else -1, self.exact or "",
                self.document.title if self.document else "", self.citation or "",
                self.lexicon.title if self.lexicon else "", self.curator or "", self.reason or "",
                self.curation.title if self.curation else "")


@dataclass
class Retracted:
    """A fact about the entity that a curator retracted: what the text said, and why it went."""

    prop: Shown
    other: Shown
    incoming: bool
    sources: list[Source] = field(default_factory=list)  # where the extractor read it
    curations: list[Source] = field(default_factory=list)  # who retracted it, when, why
    sort: tuple[Any, ...] = ()


@dataclass
class Fact:
    prop: Shown
    other: Shown  # the value (outgoing) or the subject (incoming)
    inferred: bool
    sources: list[Source] = field(default_factory=list)
    sort: tuple[Any, ...] = ()
    same_sources_as_above: bool = False  # the row above has the very same sources


@dataclass
class EntityPage:
    iri: str
    title: str
    title_lang: str | None
    zh_labels: list[str]
    en_labels: list[str]
    alt_labels: list[Shown]
    same_as: list[Shown]  # links out to authority files (skos:exactMatch, owl:sameAs)
    types: list[Shown]
    inferred_types: list[Shown]
    facts: list[Fact]
    inferred_facts: list[Fact]
    incoming: list[Fact]
    inferred_incoming: list[Fact]
    provenance_only: bool
    truncated: bool
    retracted: list[Retracted] = field(default_factory=list)
    merged_from: list[Shown] = field(default_factory=list)  # entities a curator merged into this one


def _natural(text: str) -> tuple[Any, ...]:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", text) if part)


class _Labels:
    """Labels of IRIs by language, from ``label`` rows and the entity's own triples."""

    def __init__(self) -> None:
        self.by_iri: dict[str, dict[str, list[str]]] = {}

    def add(self, iri: str, predicate: str, literal: Node) -> None:
        if literal.kind != "literal":
            return
        slot = "alt" if predicate == ALT_LABEL else (literal.lang.split("-")[0] if literal.lang else "")
        values = self.by_iri.setdefault(iri, {}).setdefault(slot, [])
        if literal.value not in values:
            values.append(literal.value)

    def best(self, iri: str) -> tuple[str | None, str | None, str | None]:
        """(label, its language, Chinese label) of ``iri``."""
        labels = self.by_iri.get(iri, {})
        zh = sorted(labels.get("zh", []))
        for lang in ("en", ""):
            if labels.get(lang):
                return min(labels[lang]), (lang or None), (zh[0] if zh else None)
        if zh:
            return zh[0], "zh", None
        others = sorted((lang, v) for lang, vs in labels.items() if lang != "alt" for v in vs)
        if others:
            return others[0][1], others[0][0] or None, None
        return None, None, None


class _PageBuilder:
    def __init__(self, iri: str, base_iri: str, root: str) -> None:
        self.iri = iri
        self.base_iri = base_iri
        self.root = root
        self.labels = _Labels()

    def iri_shown(self, iri: str) -> Shown:
        label, lang, zh = self.labels.best(iri)
        if label is None and iri in _PLAIN_NAMES:
            label, lang = _PLAIN_NAMES[iri], "en"
        href = local_path(iri, self.base_iri, self.root)
        external = False
        if href is None and iri.startswith(("http://", "https://")):
            href, external = iri, True
        short = curie(iri)
        if label is None:
            text = authority_name(iri) or short or _last_segment(iri)
            return Shown(text=text, href=href, title=iri, external=external)
        return Shown(text=label, href=href, lang=lang, zh=zh if zh != label else None, title=iri, external=external)

    def shown(self, node: Node) -> Shown:
        if node.kind == "uri":
            return self.iri_shown(node.value)
        if node.kind == "bnode":
            return Shown(text="(an unnamed node)", title="_:" + node.value)
        note = curie(node.datatype) or node.datatype or None
        return Shown(text=node.value, lang=node.lang or None, note=note, literal=True)

    def build(self, rows: list[dict[str, dict[str, str]]], truncated: bool) -> EntityPage | None:
        this = Node("uri", self.iri)
        triples: dict[tuple[Node, str, Node], str] = {}  # (s, p, o) -> graph
        prov_rows: list[tuple[tuple[Node, str, Node], dict[str, dict[str, str]]]] = []
        provenance_graph = GRAPHS["provenance"].value
        data_graph = GRAPHS["data"].value
        provenance_only = False
        for row in rows:
            kind = row.get("kind", {}).get("value")
            get = row.get
            if kind in ("out", "in"):
                p, g = get("p"), get("g")
                if p is None or g is None:
                    continue
                if kind == "out" and get("o") is not None:
                    triple = (this, p["value"], Node.of(get("o")))
                elif kind == "in" and get("s") is not None:
                    triple = (Node.of(get("s")), p["value"], this)
                else:
                    continue
                graph = g["value"]
                if graph == provenance_graph:
                    provenance_only = True
                if triples.get(triple) != data_graph:  # asserted wins over inferred
                    triples[triple] = graph
                if kind == "out" and p["value"] in LABELS:
                    self.labels.add(self.iri, p["value"], triple[2])
            elif kind == "label":
                s, p, o = get("s"), get("p"), get("o")
                if s and p and o and s.get("type") == "uri":
                    self.labels.add(s["value"], p["value"], Node.of(o))
            elif kind == "prov":
                s, p, o = get("s"), get("p"), get("o")
                if not (s and p and o):
                    continue
                prov_rows.append(((Node.of(s), p["value"], Node.of(o)), row))
        if not triples:
            return None
        # sources are drawn once every label is known (rows come in no particular order)
        prov: dict[tuple[Node, str, Node], dict[tuple[Any, ...], Source]] = {}
        retracted: dict[tuple[Node, str, Node], tuple[dict[tuple[Any, ...], Source], dict[tuple[Any, ...], Source]]] = {}
        for key, row in prov_rows:
            how = (row.get("how") or {}).get("value")
            source = self._source(row)
            curation = self._curation(row)
            if how == "retracted" and key not in triples:
                said, why = retracted.setdefault(key, ({}, {}))
                if source is not None:
                    said[source.key()] = source
                if curation is not None:
                    why[curation.key()] = curation
                continue
            if source is not None:
                prov.setdefault(key, {})[source.key()] = source
            if how == "asserted" and curation is not None:
                prov.setdefault(key, {})[curation.key()] = curation

        facts: list[Fact] = []
        inferred_facts: list[Fact] = []
        incoming: list[Fact] = []
        inferred_incoming: list[Fact] = []
        types: list[Shown] = []
        inferred_types: list[Shown] = []
        en_labels: list[str] = []
        zh_labels: list[str] = []
        alt_labels: list[Shown] = []
        same_as: list[Shown] = []
        merged_from: list[Shown] = []
        for (s, p, o), graph in triples.items():
            if p == SAME_AS and o == this and s.kind == "uri" and graph == data_graph:
                merged_from.append(self.iri_shown(s.value))
            inferred = graph not in (data_graph, provenance_graph)
            outgoing = s == this
            other = o if outgoing else s
            prop = self.iri_shown(p)
            shown_other = self.shown(other)
            sources = sorted(prov.get((s, p, o), {}).values(), key=Source.key)
            order = _PROPERTY_ORDER.get(p, 9)
            fact = Fact(prop, shown_other, inferred, sources,
                        (order, _natural(prop.text), _natural(shown_other.text), str(other)))
            if outgoing:
                (inferred_facts if inferred else facts).append(fact)
                if p == RDF_TYPE and other.kind == "uri":
                    (inferred_types if inferred else types).append(self.iri_shown(other.value))
                elif p in (LABEL, PREF_LABEL) and other.kind == "literal":
                    lang = other.lang.split("-")[0]
                    if lang == "zh":
                        zh_labels.append(other.value)
                    elif lang in ("en", ""):
                        en_labels.append(other.value)
                elif p == ALT_LABEL and other.kind == "literal":
                    alt_labels.append(Shown(other.value, lang=other.lang or None, literal=True))
                elif p in (EXACT_MATCH, SAME_AS) and other.kind == "uri":
                    same_as.append(shown_other)
            else:
                (inferred_incoming if inferred else incoming).append(fact)
        for group in (facts, inferred_facts, incoming, inferred_incoming):
            group.sort(key=lambda f: f.sort)
            for above, fact in itertools.pairwise(group):
                fact.same_sources_as_above = bool(fact.sources) and \
                    [x.key() for x in fact.sources] == [x.key() for x in above.sources]
        for group in (types, inferred_types):
            group.sort(key=lambda t: _natural(t.text))
        gone: list[Retracted] = []
        for (s, p, o), (said, why) in retracted.items():
            towards = s != this  # the entity is the retracted fact's object
            prop, other = self.iri_shown(p), self.shown(s if towards else o)
            gone.append(Retracted(prop, other, towards, sorted(said.values(), key=Source.key),
                                  sorted(why.values(), key=Source.key),
                                  (towards, _natural(prop.text), _natural(other.text), str(o))))
        gone.sort(key=lambda r: r.sort)
        label, lang, _zh = self.labels.best(self.iri)
        title = label or _last_segment(self.iri)
        return EntityPage(
            iri=self.iri, title=title, title_lang=lang if label else None,
            zh_labels=sorted(set(zh_labels)), en_labels=sorted(set(en_labels) - {title}),
            alt_labels=sorted(alt_labels, key=lambda a: _natural(a.text)),
            same_as=sorted(same_as, key=lambda a: (_natural(a.text), a.title or "")), types=types,
            inferred_types=inferred_types, facts=facts, inferred_facts=inferred_facts, incoming=incoming,
            inferred_incoming=inferred_incoming, provenance_only=provenance_only, truncated=truncated,
            retracted=gone, merged_from=sorted(merged_from, key=lambda m: m.title or ""))

    def _source(self, row: dict[str, dict[str, str]]) -> Source | None:
        def value(name: str) -> str | None:
            term = row.get(name)
            return term.get("value") if term else None

        def number(name: str) -> int | None:
            text = value(name)
            try:
                return int(text) if text is not None else None
            except ValueError:
                return None

        exact, src, lex, cite = value("exact"), value("src"), value("lex"), value("cite")
        if exact is None and src is None and lex is None:
            return None
        lexicon = None
        if lex:
            # the row's label is a file path of the build machine: name the row by its IRI
            lexicon = Shown(text=_lexicon_name(lex, self.base_iri), href=local_path(lex, self.base_iri, self.root),
                            title=lex)
        return Source(exact=exact, start=number("start"), end=number("end"),
                      document=self.iri_shown(src) if src else None, lexicon=lexicon, citation=cite)

    def _curation(self, row: dict[str, dict[str, str]]) -> Source | None:
        """A curator's decision about a fact (``mappings/curation``), from a row's ``?curation``."""
        def value(name: str) -> str | None:
            term = row.get(name)
            return term.get("value") if term else None

        curation, reason = value("curation"), value("reason")
        if curation is None or reason is None:
            return None
        return Source(curator=value("curator") or _last_segment(curation), curated_on=value("cdate"),
                      reason=reason, note=value("note"), entry=value("entry"),
                      curation=Shown(text=value("entry") or _last_segment(curation),
                                     href=local_path(curation, self.base_iri, self.root), title=curation))


def _lexicon_name(iri: str, base_iri: str) -> str:
    prefix = base_iri + "id/lexicon/"
    return iri[len(prefix):] if iri.startswith(prefix) and len(iri) > len(prefix) else _last_segment(iri)


def _last_segment(iri: str) -> str:
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return tail or iri


async def merged_into(state: AppState) -> dict[str, str]:
    """Entity IRI -> the IRI a curator merged it into (computed once: the build is pinned)."""
    cached = state.extras.get("ld.merged")
    if isinstance(cached, dict):
        return cached
    try:
        result = await state.run(QueryRequest(query=MERGED_QUERY, result_format="json",
                                              max_rows=state.config.max_rows))
    except (QueryTimeout, PoolBusy, WorkerFailed) as exc:  # the page still answers; ask again next time
        log.warning("cannot list the merged entities: %r", exc)
        return {}
    if result.status != 200:
        return {}
    merged = {row["old"]["value"]: row["kept"]["value"] for row in json.loads(result.body)["results"]["bindings"]}
    state.extras["ld.merged"] = merged
    return merged


async def entity(request: Request) -> Response:
    """``/id/{path}``: the thing ``<base_iri>id/{path}``, as HTML or RDF."""
    state: AppState = request.app.state.policykg
    path = request.path_params.get("path", "")
    if not valid_path(path):
        status = 400 if (".." in path or not ID_PATH.fullmatch(path or "x")) else 404
        return _problem(request, status, "Bad Request" if status == 400 else "Not Found",
                        "entity paths use only letters, digits, '.', '_', '~', '-' and '/' (no '..')")
    kept = (await merged_into(state)).get(state.config.base_iri + "id/" + path)
    target = local_path(kept, state.config.base_iri, request.scope.get("root_path", "")) if kept else None
    if target is not None:
        # one thing under two IRIs (owl:sameAs): its description is at the IRI the merge kept
        query = request.url.query
        location = target + (f"?{query}" if query else "")
        return PlainTextResponse(f"merged into <{kept}>: see {location}\n", status_code=303,
                                 headers={**CORS, **VARY, "Location": location,
                                          "Link": f'<{kept}>; rel="canonical"'})
    chosen = negotiate(request)
    if isinstance(chosen, Response):
        return chosen
    iri = state.config.base_iri + "id/" + path
    if chosen == "html":
        return await _entity_html(request, state, iri)
    outcome = await _run(state, QueryRequest(query=DESCRIBE_QUERY, result_format="ntriples",
                                             max_rows=state.config.max_rows, substitutions=(("this", iri),)))
    if isinstance(outcome, Response):
        return outcome
    body, rows, truncated = outcome
    if rows == 0:
        return _problem(request, 404, "Not Found", f"<{iri}> is not in the graph")
    triples = [t for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    extra = {"Policykg-Truncated": f"max-rows={state.config.max_rows}"} if truncated else {}
    return _rdf_response(serialize(triples, chosen, state.build), chosen, request, **extra)


async def _entity_html(request: Request, state: AppState, iri: str) -> Response:
    outcome = await _run(state, QueryRequest(query=PAGE_QUERY, result_format="json",
                                             max_rows=state.config.max_rows, substitutions=(("this", iri),)))
    if isinstance(outcome, Response):
        return outcome
    body, _rows, truncated = outcome
    rows = json.loads(body)["results"]["bindings"]
    page = _PageBuilder(iri, state.config.base_iri, request.scope.get("root_path", "")).build(rows, truncated)
    if page is None:
        return _problem(request, 404, "Not Found", f"<{iri}> is not in the graph")
    graph, d3 = None, None
    if not page.provenance_only:
        try:
            graph = await pictures.neighbourhood(state, iri)
        except Exception as exc:  # noqa: BLE001 - the page is whole without its diagram
            log.warning("neighbourhood of <%s> failed: %r", iri, exc)
        d3 = asset_url("d3", "d3.min.js") if graph else None
    context = {**frame_context(request), "page": page, "views": _views(request, "html"), "graph": graph,
               "graph_list": pictures.neighbourhood_list(graph) if graph else [], "d3": d3}
    return templates().TemplateResponse(request, "entity.html.j2", context,
                                        headers={**CORS, **VARY, "Link": _alternates(request)})


def _views(request: Request, current: str) -> list[dict[str, Any]]:
    path = request.url.path
    return [{"href": f"{path}?format={param}", "name": name, "type": CONTENT_TYPES[key].split(";")[0],
             "current": key == current} for param, name, key in VIEWS]


# ------------------------------------------------------------------------- the ontology

@cache
def _ontology_triples() -> tuple[ox.Triple, ...]:
    return tuple(ox.parse(path=str(resources.ontology_path()), format=ox.RdfFormat.TURTLE))


@cache
def _ontology_body(key: str, build: Path) -> bytes:
    """The ontology in format ``key``: Turtle is the hand-written file itself."""
    if key == "turtle":
        return resources.ontology_path().read_bytes()
    return serialize(list(_ontology_triples()), key, build)


@cache
def _docs_html() -> str:
    # imported at the page's first request: they bring rdflib, which serving needs nowhere else
    from ...pipeline import gate
    from ...tools.docs import render_docs

    return render_docs(gate.ontology_graph())


def _site_bar(request: Request, frame: dict[str, Any]) -> Markup:
    """A line of links back to the site, for the top of the documentation page (which is a
    self-contained page with its own styles)."""
    links = [("home", "policykg"), ("search", "Search"), ("sparql", "SPARQL endpoint")]
    parts = []
    for name, text in links:
        try:
            href = request.url_for(name).path
        except NoMatchFound:  # a route the app does not have
            log.debug("no route %r for the site bar", name)
            continue
        parts.append(Markup('<a href="{}">{}</a>').format(href, text))
    bar = Markup('<nav class="pkg-site" aria-label="Site" style="font:14px/1.4 system-ui,sans-serif;'
                 'padding:.4rem 1rem;border-bottom:1px solid #ddd;background:#f6f8fa">{}</nav>').format(
        Markup(" · ").join(parts))
    if frame.get("gate_failed"):
        when = frame.get("build_date")
        bar += Markup('<div class="banner" role="alert" style="padding:.5rem 1rem;background:#fff4e5;'
                      'border-bottom:1px solid #f0b46c">The newest build failed the SHACL gate and is not '
                      'served. This is the last good build{}.</div>').format(f" ({when})" if when else "")
    return bar


async def ontology(request: Request) -> Response:
    """``/ontology``: the documentation page, or the ontology as RDF."""
    state: AppState = request.app.state.policykg
    chosen = negotiate(request)
    if isinstance(chosen, Response):
        return chosen
    headers = {**CORS, **VARY, "Link": _alternates(request)}
    if chosen == "html":
        html = await run_in_threadpool(_docs_html)
        bar = _site_bar(request, frame_context(request))
        html = re.sub(r"<body([^>]*)>", lambda m: m.group(0) + str(bar), html, count=1)
        return Response(html, headers={**headers, "Content-Type": CONTENT_TYPES["html"]})
    body = await run_in_threadpool(_ontology_body, chosen, state.build)
    return Response(body, headers={**headers, "Content-Type": CONTENT_TYPES[chosen]})


def routes() -> list[BaseRoute]:
    """The linked-data routes (mounted by :func:`policykg.server.app.routes`)."""
    return [
        Route("/id/{path:path}", entity, methods=["GET"], name="entity"),
        Route("/ontology", ontology, methods=["GET"], name="ontology"),
    ]


__all__ = ["AUTHORITIES", "DESCRIBE_QUERY", "MERGED_QUERY", "OFFERS", "PAGE_QUERY", "authority_name",
           "merged_into", "negotiate", "routes", "serialize"]
