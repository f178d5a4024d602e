"""Linked-data pages (``/id/...`` and ``/ontology``) against a real server process.

The seed document is built into a temporary folder once for the module; a copy of that build
with a few hostile additions (labels, a quote and a citation holding markup, a
``javascript:`` IRI) is published beside it with :func:`policykg.pipeline.publish.publish`, and
``python -m policykg serve --no-build`` serves the copy on a free port of 127.0.0.1. The
expectations are read from the build's own graph and from the source file, so they follow
the data.
"""
from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import servers
from rdflib.namespace import RDF, RDFS

from policykg.graphs import GRAPHS
from policykg.resources import data_root, ontology_path
from policykg.server.render import local_href, valid_path

# rdflib's JSON-LD parser uses its deprecated ConjunctiveGraph API
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

SEED = "2020-09-services-trade-pilot-areas-data.md"
BASE = "https://w3id.org/policykg/"
ID = BASE + "id/"
POL = BASE + "ontology#"
CAC = ID + "agency/cac"
EVIL = ID + "agency/evil"
SCRIPT = "<script>alert(1)</script>"

FORMATS = {  # media type -> rdflib parser (None: HTML)
    "text/html": None,
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


# ------------------------------------------------------------------------- the server

@dataclass
class Site:
    url: str
    host: str
    port: int
    build: Path
    store: ox.Store
    source_text: str

    def get(self, path: str, accept: str | None = None, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if accept is not None:
            headers["Accept"] = accept
        return httpx.get(self.url + path, headers=headers, timeout=30, **kwargs)

    def raw(self, method: str, raw_path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """A request with the path sent exactly as given (no client-side normalisation); the
        body is everything the server sent after the headers, read until it closes."""
        with socket.create_connection((self.host, self.port), timeout=30) as sock:
            lines = [f"{method} {raw_path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        parsed = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            parsed[name.strip().lower()] = value.strip()
        return status, parsed, body

    def rows(self, query: str) -> list[dict[str, str]]:
        return servers.rows(self.store, query)


def _hostile_additions() -> tuple[list[ox.Quad], list[ox.Quad]]:
    """An agency whose labels are markup, linked from a real measure; a reified statement
    whose quote and citation are markup; a ``javascript:`` IRI as a value."""
    n, lit = ox.NamedNode, ox.Literal
    data, prov = GRAPHS["data"], GRAPHS["provenance"]
    evil = n(EVIL)
    measure = n(ID + "measure/attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020/76")
    label, alt = n(str(RDFS.label)), n("http://www.w3.org/2004/02/skos/core#altLabel")
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    data_quads = [
        ox.Quad(evil, n(str(RDF.type)), n(POL + "Administration"), data),
        ox.Quad(evil, label, lit(SCRIPT, language="en"), data),
        ox.Quad(evil, label, lit('<img src=x onerror="alert(2)">', language="zh"), data),
        ox.Quad(evil, alt, lit('"><script>alert(3)</script>'), data),
        ox.Quad(evil, n(str(RDFS.seeAlso)), n("javascript:alert(5)"), data),
        ox.Quad(measure, n(POL + "guidedBy"), evil, data),
    ]
    stmt, span, sel, lex = (n(ID + "statement/evil"), n(ID + "span/evil/0-10"),
                            n(ID + "span/evil/0-10/selector"), n(ID + "lexicon/agency/evil"))
    oa, dct, provns = "http://www.w3.org/ns/oa#", "http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#"
    prov_quads = [
        ox.Quad(stmt, n(rdf + "type"), n(rdf + "Statement"), prov),
        ox.Quad(stmt, n(rdf + "subject"), evil, prov),
        ox.Quad(stmt, n(rdf + "predicate"), label, prov),
        ox.Quad(stmt, n(rdf + "object"), lit(SCRIPT, language="en"), prov),
        ox.Quad(stmt, n(provns + "wasDerivedFrom"), span, prov),
        ox.Quad(stmt, n(dct + "source"), lex, prov),
        ox.Quad(span, n(oa + "hasSelector"), sel, prov),
        ox.Quad(span, n(oa + "hasSource"), n(ID + "document/innovative-development-trade-services-pilot-areas-2020-09"), prov),
        ox.Quad(sel, n(oa + "exact"), lit("</blockquote><script>alert(4)</script>"), prov),
        ox.Quad(sel, n(oa + "start"), lit("0", datatype=n("http://www.w3.org/2001/XMLSchema#integer")), prov),
        ox.Quad(sel, n(oa + "end"), lit("10", datatype=n("http://www.w3.org/2001/XMLSchema#integer")), prov),
        ox.Quad(lex, n(dct + "bibliographicCitation"), lit("<script>alert(6)</script>"), prov),
    ]
    return data_quads, prov_quads




@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    from policykg.pipeline.build import build
    from policykg.pipeline.publish import publish

    root = tmp_path_factory.mktemp("ld")
    seed_build = root / "seed"
    result = build([data_root() / "sources" / SEED], seed_build)
    assert result.published, "the seed must pass the gate"

    store = ox.Store()
    store.bulk_load(path=str(seed_build / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    data_quads, prov_quads = _hostile_additions()
    store.bulk_extend(data_quads + prov_quads)
    served = root / "dist"
    void = rdflib.Graph().parse(seed_build / "void.ttl", format="turtle")
    shacl = rdflib.Graph().parse(seed_build / "shacl-report.ttl", format="turtle")
    publish(store, served, report_text=(seed_build / "gate.txt").read_text(encoding="utf-8"),
            shacl_report=shacl, build_report=(seed_build / "build-report.md").read_text(encoding="utf-8"),
            void=void)

    source_text = (data_root() / "sources" / SEED).read_text(encoding="utf-8")
    proc, url, port = servers.serve(served, root / "server.log", "--workers", "2")
    try:
        yield Site(url, "127.0.0.1", port, served, store, source_text)
    finally:
        servers.stop(proc)


# ------------------------------------------------------------------------- a little HTML reading

class _Page(HTMLParser):
    """Links, ids, text by language, and the quotes (blockquote.source) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.lang_text: dict[str, list[str]] = {}
        self.quotes: list[tuple[dict[str, str | None], str]] = []
        self.scripts: list[tuple[dict[str, str | None], list[str]]] = []  # (attributes, text)
        self.title = ""
        self._stack: list[tuple[str, str | None]] = []  # (tag, lang)
        self._a: list | None = None
        self._quote: tuple[dict[str, str | None], list[str]] | None = None
        self._title: list[str] | None = None

    VOID: ClassVar[frozenset[str]] = frozenset({"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"})

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "script":
            self.scripts.append((a, []))
        if tag == "a" and "href" in a:
            self._a = [a["href"], []]
        if tag == "blockquote" and "source" in (a.get("class") or "").split():
            self._quote = (a, [])
        if tag == "title":
            self._title = []
        if tag not in self.VOID:
            self._stack.append((tag, a.get("lang")))

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            self.links.append((self._a[0], " ".join("".join(self._a[1]).split())))
            self._a = None
        if tag == "blockquote" and self._quote is not None:
            self.quotes.append((self._quote[0], "".join(self._quote[1])))
            self._quote = None
        if tag == "title" and self._title is not None:
            self.title = "".join(self._title)
            self._title = None
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._stack and self._stack[-1][0] == "script" and self.scripts:
            self.scripts[-1][1].append(data)
        if self._a is not None:
            self._a[1].append(data)
        if self._quote is not None:
            self._quote[1].append(data)
        if self._title is not None:
            self._title.append(data)
        lang = next((lang for _tag, lang in reversed(self._stack) if lang), None)
        if lang and data.strip():
            self.lang_text.setdefault(lang, []).append(data.strip())


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _path(iri: str) -> str:
    assert iri.startswith(ID)
    return "/id/" + iri[len(ID):]


@pytest.fixture(scope="module")
def cac_page(site) -> tuple[httpx.Response, _Page]:
    r = site.get(_path(CAC), BROWSER_ACCEPT)
    assert r.status_code == 200, r.text
    return r, parse(r.text)


def _graph(body: bytes, parser: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=parser, publicID=BASE)


# ------------------------------------------------------------------------- content negotiation

@pytest.mark.parametrize("media", list(FORMATS))
def test_agency_in_every_format(site, media):
    r = site.get(_path(CAC), media)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert "accept" in r.headers["vary"].lower()
    parser = FORMATS[media]
    if parser is None:
        assert "Cyberspace Administration of China" in r.text
        return
    g = _graph(r.content, parser)
    cac = rdflib.URIRef(CAC)
    assert (cac, RDFS.label, rdflib.Literal("Cyberspace Administration of China", lang="en")) in g
    assert (cac, RDFS.label, rdflib.Literal("国家互联网信息办公室", lang="zh")) in g
    assert (cac, RDF.type, rdflib.URIRef(POL + "Administration")) in g


def test_turtle_is_outgoing_and_incoming_without_provenance(site):
    r = site.get(_path(CAC), "text/turtle")
    assert r.status_code == 200
    assert 'rdfs:label "Cyberspace Administration of China"@en' in r.text
    g = _graph(r.content, "turtle")
    cac = rdflib.URIRef(CAC)
    expected = site.rows(f"""SELECT ?s ?p WHERE {{
        VALUES ?g {{ <{GRAPHS['data'].value}> <{GRAPHS['inferences'].value}> }} GRAPH ?g {{ ?s ?p <{CAC}> }} }}""")
    assert expected
    for row in expected:
        assert (rdflib.URIRef(row["s"]), rdflib.URIRef(row["p"]), cac) in g
    outgoing = site.rows(f"""SELECT ?p ?o WHERE {{
        VALUES ?g {{ <{GRAPHS['data'].value}> <{GRAPHS['inferences'].value}> }} GRAPH ?g {{ <{CAC}> ?p ?o }} }}""")
    assert len(set(g.predicate_objects(cac))) == len({(r["p"], r["o"]) for r in outgoing})
    # nothing from the provenance graph: no reified statements, no spans
    assert not list(g.subjects(RDF.type, RDF.Statement))
    assert not list(g.triples((None, RDF.subject, None)))


def test_not_acceptable(site):
    for accept in ("image/png", "application/pdf, text/plain;q=0.5", "text/html;q=0, text/turtle;q=0"):
        r = site.get(_path(CAC), accept)
        assert r.status_code == 406, accept
        assert "accept" in r.headers["vary"].lower()
        for media in FORMATS:
            assert media in r.text
    r = site.get("/ontology", "image/png")
    assert r.status_code == 406 and "accept" in r.headers["vary"].lower()


def test_defaults_and_the_format_parameter(site):
    # */* and no Accept at all get Turtle (documented in policykg.server.pages.entity); browsers get HTML
    for headers in ({"Accept": "*/*"}, {}):
        r = httpx.get(site.url + _path(CAC), headers=headers, timeout=30)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/turtle")
    assert site.get(_path(CAC), BROWSER_ACCEPT).headers["content-type"].startswith("text/html")
    # ?format= overrides Accept
    for value, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                         ("rdf", "application/rdf+xml"), ("html", "text/html")):
        r = site.get(_path(CAC) + f"?format={value}", "image/png")
        assert r.status_code == 200, value
        assert r.headers["content-type"].split(";")[0] == media
        assert "accept" in r.headers["vary"].lower()
    r = site.get(_path(CAC) + "?format=pdf", "text/turtle")
    assert r.status_code == 400


def test_view_as_links(site, cac_page):
    _r, page = cac_page
    hrefs = {href for href, _text in page.links}
    for value, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                         ("rdf", "application/rdf+xml")):
        href = f"{_path(CAC)}?format={value}"
        assert href in hrefs
        r = site.get(href, BROWSER_ACCEPT)
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media


# ------------------------------------------------------------------------- the HTML page

def test_page_shows_both_labels_and_alt_labels(site, cac_page):
    r, page = cac_page
    assert "Cyberspace Administration of China" in page.title
    assert "国家互联网信息办公室" in page.lang_text.get("zh", [])
    assert "Cyberspace Administration of China" in page.lang_text.get("en", [])
    assert "CAC" in r.text
    assert "content-security-policy" in r.headers
    assert "accept" in r.headers["vary"].lower()


def test_page_shows_types_with_ontology_labels(cac_page):
    _r, page = cac_page
    assert ("/ontology#Administration", "administration") in page.links
    assert "管理局" in page.lang_text.get("zh", [])


def test_page_links_to_the_measures_it_guides(site, cac_page):
    _r, page = cac_page
    measures = site.rows(f"""PREFIX pol: <{POL}>
        SELECT ?m ?n WHERE {{ GRAPH <{GRAPHS['data'].value}> {{ ?m pol:guidedBy <{CAC}> ; pol:articleNumber ?n }} }}""")
    assert sorted(int(m["n"]) for m in measures) == [76, 79, 83]
    links = dict(page.links)
    for m in measures:
        href = _path(m["m"])
        assert href in links, href
        assert links[href] == f"Article {m['n']}"
    target = _path(measures[0]["m"])
    r = site.get(target, BROWSER_ACCEPT)
    assert r.status_code == 200
    assert f"Article {measures[0]['n']}" in parse(r.text).title
    assert _path(CAC) in dict(parse(r.text).links)  # and back


def test_every_local_link_on_the_page_resolves(site, cac_page):
    _r, page = cac_page
    local = sorted({href.split("?")[0].split("#")[0] for href, _ in page.links
                    if href.startswith(("/id/", "/ontology"))})
    assert len(local) > 5
    for href in local:
        r = site.get(href, BROWSER_ACCEPT)
        assert r.status_code == 200, href


def _supporting_spans(site, iri: str) -> list[dict[str, str]]:
    """The spans that support a fact with ``iri`` as its subject or object."""
    return site.rows(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT DISTINCT ?span ?doc ?exact ?start ?end WHERE {{
          {{ ?st rdf:subject <{iri}> }} UNION {{ ?st rdf:object <{iri}> }}
          ?st prov:wasDerivedFrom ?span . ?span oa:hasSource ?doc ; oa:hasSelector ?sel .
          ?sel oa:exact ?exact ; oa:start ?start ; oa:end ?end }}""")


def test_page_quotes_the_source_with_offsets(site, cac_page):
    r, page = cac_page
    expected = _supporting_spans(site, CAC)
    assert expected, "the build has no span behind a fact about the CAC"
    assert page.quotes, "no quote of the source"
    for attrs, text in page.quotes:
        start, end = int(attrs["data-start"]), int(attrs["data-end"])
        assert site.source_text[start:end] == text, (start, end, text)
        assert f"{start}–{end}" in r.text  # the offsets are shown, not only in attributes
    assert {q for _a, q in page.quotes} == {row["exact"] for row in expected}
    assert any("CAC" in q or "Cyberspace Administration of China" in q for _a, q in page.quotes)
    # the quoted documents are linked, and their pages answer
    links = dict(page.links)
    for doc in {row["doc"] for row in expected}:
        label = site.rows(f"""SELECT ?l WHERE {{ <{doc}> <{RDFS.label}> ?l FILTER(lang(?l) = "en") }}""")
        assert links[_path(doc)] == label[0]["l"]  # named by its label
        assert site.get(_path(doc), BROWSER_ACCEPT).status_code == 200


def test_page_cites_the_lexicon(site, cac_page):
    r, _page = cac_page
    cite = site.rows(f"""PREFIX dct: <http://purl.org/dc/terms/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT DISTINCT ?c WHERE {{ ?st rdf:subject <{CAC}> ; dct:source/dct:bibliographicCitation ?c }}""")
    assert cite
    text = r.text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    for row in cite:
        assert row["c"] in text


def test_provenance_resources_dereference(site):
    span = _supporting_spans(site, CAC)[0]["span"]
    r = site.get(_path(span), "text/turtle")
    assert r.status_code == 200
    g = _graph(r.content, "turtle")
    assert list(g.objects(rdflib.URIRef(span), rdflib.URIRef("http://www.w3.org/ns/oa#hasSource")))
    assert site.get(_path(span), BROWSER_ACCEPT).status_code == 200


def test_not_found(site):
    r = site.get("/id/agency/no-such-agency", BROWSER_ACCEPT)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "accept" in r.headers["vary"].lower()
    assert "Not Found" in r.text
    r = site.get("/id/agency/no-such-agency", "text/turtle")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/plain")
    assert "accept" in r.headers["vary"].lower()


# ------------------------------------------------------------------------- the ontology

def test_ontology_html_is_the_bilingual_documentation(site):
    r = site.get("/ontology", BROWSER_ACCEPT)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "accept" in r.headers["vary"].lower()
    page = parse(r.text)
    onto = rdflib.Graph().parse(ontology_path(), format="turtle")
    terms = sorted({str(s)[len(POL):] for s in onto.subjects() if str(s).startswith(POL)})
    assert len(terms) > 30
    missing = [t for t in terms if t not in page.ids]
    assert not missing, missing
    assert "measure" in page.lang_text.get("en", []) or "Measure" in r.text
    assert "举措" in page.lang_text.get("zh", [])


@pytest.mark.parametrize("media", [m for m, p in FORMATS.items() if p])
def test_ontology_rdf(site, media):
    r = site.get("/ontology", media)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    g = _graph(r.content, FORMATS[media])
    onto = rdflib.Graph().parse(ontology_path(), format="turtle")
    assert len(g) == len(onto)
    measure = rdflib.URIRef(POL + "Measure")
    assert (measure, RDFS.label, rdflib.Literal("举措", lang="zh")) in g


def test_ontology_terms_dereference(site):
    """A term IRI's fragment is not sent: ``pol:X`` fetches /ontology, which has ``#X``."""
    r = site.get("/ontology", BROWSER_ACCEPT)
    ids = parse(r.text).ids
    for term in ("Measure", "guidedBy", "articleNumber", "GovernmentAgency"):
        href = local_href(POL + term, BASE)
        path, _, fragment = href.partition("#")
        assert path == "/ontology" and fragment == term and term in ids
    r = site.get("/ontology", "text/turtle")
    assert "pol:Measure" in r.text  # the hand-written file itself


# ------------------------------------------------------------------------- hostile requests

@pytest.mark.parametrize("raw_path", [
    "/id/../etc/passwd",
    "/id/%2e%2e/x",
    "/id/%2E%2E/%2E%2E/etc/passwd",
    "/id/agency/..%2f..%2fetc%2fpasswd",
    "/id/agency/cac>%20%7D%20;%20DROP%20ALL%20;%20%23",
    "/id/agency/cac%3E%20%7D%20INSERT%20DATA%20%7B%20%3Ca%3E%20%3Cb%3E%20%3Cc%3E%20%7D%20%23",
    "/id/agency/cac%22%20.%20%3Fs%20%3Fp%20%3Fo",
    "/id/agency/cac%00",
    "/id/agency/%E4%B8%AD",
    "/id/agency/cac%0d%0aSet-Cookie:%20x=1",
    "/id/" + "a" * 2000,
])
def test_hostile_paths_are_refused(site, raw_path):
    for accept in ("text/html", "text/turtle"):
        status, headers, body = site.raw("GET", raw_path, {"Accept": accept})
        assert 400 <= status < 500, (raw_path, status)
        assert b"root:" not in body
        assert "set-cookie" not in headers


def test_graph_is_intact_after_injection_attempts(site):
    site.raw("GET", "/id/agency/cac>%20%7D%20;%20DROP%20ALL%20;%20%23")
    r = site.get(_path(CAC), "text/turtle")
    assert r.status_code == 200 and "Cyberspace Administration of China" in r.text


@pytest.mark.parametrize("path,ok", [
    ("agency/cac", True), ("measure/attached-table/76", True), ("a.b_c~d-e", True),
    ("../x", False), ("a/../b", False), ("a..b", False), ("", False), ("/a", False), ("a/", False),
    ("a//b", False), ("a b", False), ("a%2fb", False), ("a>b", False), ("中", False), ("a\nb", False),
])
def test_valid_path(path, ok):
    assert valid_path(path) is ok


# ------------------------------------------------------------------------- escaping

def test_markup_in_labels_is_escaped(site):
    r = site.get(_path(EVIL), BROWSER_ACCEPT)
    assert r.status_code == 200
    assert "content-security-policy" in r.headers
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    html = r.text
    for raw in (SCRIPT, "<script>alert(3)", "<script>alert(4)", "<script>alert(6)", "<img src=x",
                "</blockquote><script>"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = parse(html)
    assert SCRIPT in page.title  # shown as text
    # no inline script: the diagram's files come from this server, its data is a JSON block in
    # which the label is data (escaped: no "</script>" ends the block early)
    for attrs, text in page.scripts:
        if attrs.get("src"):
            assert attrs["src"].removeprefix(site.url).startswith(("/static/", "/assets/")), attrs
            assert not "".join(text).strip()
        else:
            assert attrs.get("type") == "application/json", attrs
            graph = json.loads("".join(text))
            assert SCRIPT in {n["label"] for n in graph["nodes"]}
    assert not any(href.strip().lower().startswith("javascript:") for href, _ in page.links)
    assert "javascript:alert(5)" in html  # shown, as text
    assert any(text == "</blockquote><script>alert(4)</script>" for _a, text in page.quotes)


def test_quoted_document_is_named_by_its_label_whatever_the_row_order(site):
    r = site.get(_path(EVIL), BROWSER_ACCEPT)
    doc = ID + "document/innovative-development-trade-services-pilot-areas-2020-09"
    label = site.rows(f"""SELECT ?l WHERE {{ <{doc}> <{RDFS.label}> ?l FILTER(lang(?l) = "en") }}""")[0]["l"]
    assert (_path(doc), label) in parse(r.text).links


def test_markup_in_a_linked_label_is_escaped(site):
    r = site.get("/id/measure/attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020/76", BROWSER_ACCEPT)
    assert r.status_code == 200
    assert SCRIPT not in r.text
    assert (_path(EVIL), SCRIPT) in parse(r.text).links


# ------------------------------------------------------------------------- HEAD

@pytest.mark.parametrize("path,accept,status", [
    (_path(CAC), "text/turtle", 200), (_path(CAC), "text/html", 200), ("/ontology", "text/html", 200),
    ("/ontology", "application/ld+json", 200), ("/id/agency/no-such-agency", "text/turtle", 404),
])
def test_head(site, path, accept, status):
    got, headers, body = site.raw("HEAD", path, {"Accept": accept})
    assert got == status
    assert body == b""
    assert headers["content-type"].split(";")[0] in (accept, "text/plain")
    assert "accept" in headers["vary"].lower()
    if status == 200:
        r = site.get(path, accept)
        assert int(headers["content-length"]) == len(r.content)


def test_entity_pages_answer_quickly(site):
    started = time.monotonic()
    for _ in range(5):
        assert site.get(_path(CAC), BROWSER_ACCEPT).status_code == 200
    assert (time.monotonic() - started) / 5 < 2.0


# ------------------------------------------------------------------------- the frame, in process

def test_gate_failure_banner_on_ld_pages(site):
    """When the newest build failed the gate, the ontology page and the error pages say so.
    (In process: these pages need no query worker.)"""
    from policykg.server import ServerConfig, create_app

    app = create_app(ServerConfig(dist=site.build, gate_failed_report="1 violation"), site.build)
    transport = httpx.ASGITransport(app=app)

    async def fetch(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(path, headers={"Accept": BROWSER_ACCEPT})

    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    def run(coro):  # a loop of its own: the browser tests may hold this thread's loop
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()

    r = run(fetch("/ontology"))
    assert r.status_code == 200 and "failed the SHACL gate" in r.text
    assert 'id="Measure"' in r.text
    r = run(fetch("/id/a..b"))
    assert r.status_code == 400 and "failed the SHACL gate" in r.text
    assert "accept" in r.headers["vary"].lower()


# ------------------------------------------------------------------------- the neighbourhood diagram

def _graph_block(html: str) -> dict:
    page = parse(html)
    (text,) = ["".join(t) for a, t in page.scripts if a.get("id") == "graph-data"]
    return json.loads(text)


def test_agency_page_draws_its_neighbourhood(site, cac_page):
    """The CAC's page: the CAC, the measures it guides (Articles 76, 79 and 83) with their other
    agencies, areas, regions, table and category, and the list it co-released; the same links
    as a list under the diagram."""
    r, _page = cac_page
    graph = _graph_block(r.text)
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert graph["centre"] == CAC and nodes[CAC]["centre"] and nodes[CAC]["short"] == "CAC"
    guided = {row["m"] for row in site.rows(f"SELECT ?m WHERE {{ GRAPH <{GRAPHS['data'].value}> {{ ?m <{POL}guidedBy> <{CAC}> }} }}")}
    assert {nodes[m]["label"] for m in guided} == {"Article 76", "Article 79", "Article 83"}
    links = {(lk["source"], lk["label"], lk["target"]) for lk in graph["links"]}
    for m in guided:
        assert (m, "guided by", CAC) in links
        assert nodes[m]["kind"] == "measure"
    # the measures' own neighbours: MIIT guides Article 79 too; Article 76's forerunners
    miit, beijing = ID + "agency/miit", ID + "area/beijing"
    assert nodes[miit]["kind"] == "agency" and nodes[beijing]["kind"] == "area"
    assert any(s == miit or t == miit for s, _l, t in links)
    # every link is a triple of the data graph, every node is linked
    data = GRAPHS["data"].value
    for lk in graph["links"]:
        assert bool(site.store.query(f"ASK {{ GRAPH <{data}> {{ <{lk['source']}> <{lk['property']}> <{lk['target']}> }} }}"))
    linked = {lk["source"] for lk in graph["links"]} | {lk["target"] for lk in graph["links"]}
    assert linked == set(nodes)
    # the list: one item per link, each end a link to its page (the CAC itself in bold)
    items = re.findall(r"<li>(.*?)</li>", r.text.split('id="graph-list"', 1)[1].split("</ul>", 1)[0], re.DOTALL)
    assert len(items) == len(graph["links"])
    assert any('/id/measure/attached-table-pilot-tasks-specific-measures-division-responsibilities-0576e0d3-2020/76">Article 76</a>' in i
               and "guided by" in i and "<strong>Cyberspace Administration of China</strong>" in i for i in items)
    assert 'aria-labelledby="graph-caption"' in r.text


def test_a_page_without_links_has_no_diagram(site):
    r = site.get("/id/lexicon/area/beijing/coordinates", BROWSER_ACCEPT)  # described from provenance
    assert r.status_code == 200
    assert 'id="graph"' not in r.text and "graph-data" not in r.text


def test_area_page_gives_its_point_and_where_it_comes_from(site):
    r = site.get("/id/area/beijing", BROWSER_ACCEPT)
    assert r.status_code == 200
    html = r.text
    assert "latitude" in html and "longitude" in html and "39.9075" in html and "116.39723" in html
    assert "GeoNames 1816670 (Beijing)" in html  # the coordinates' own source, not the row's
    ttl = rdflib.Graph().parse(data=site.get("/id/area/beijing", "text/turtle").content, format="turtle")
    geo = rdflib.Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
    assert ttl.value(rdflib.URIRef(ID + "area/beijing"), geo.lat) == rdflib.Literal(
        "39.9075", datatype=rdflib.XSD.decimal)
    row = site.get("/id/lexicon/area/beijing/coordinates", "text/turtle")
    assert row.status_code == 200
    assert "GeoNames 1816670" in row.text and "mappings/lexicon/areas.csv" in row.text


def test_area_page_says_what_it_is_the_same_as(site):
    """Links out (issue 17): "Same as: GeoNames <id>" under the names, linking to the feature's
    IRI; the fact table cites the link by the row's geonames source. Ids from the lexicon."""
    from policykg.pipeline.lexicon import load_lexicon

    lexicon = load_lexicon()
    linked = [e for e in lexicon.of_kind("area") if e.geonames]
    rows = site.store.query(f"SELECT DISTINCT ?a WHERE {{ GRAPH ?g {{ ?n <{POL}pilotArea> ?a }} }}")
    pilot = {row["a"].value for row in rows}
    shown = [e for e in linked if e.iri in pilot]
    assert len(shown) >= 20
    for entry in shown:
        r = site.get(_path(entry.iri), BROWSER_ACCEPT)
        assert r.status_code == 200
        href = f"https://sws.geonames.org/{entry.geonames}/"
        same = r.text.split('<p class="same-as">', 1)[1].split("</p>", 1)[0]
        assert f'href="{href}"' in same and f"GeoNames {entry.geonames}</a>" in same, same
        assert same.startswith("Same as: ")
        assert (href, f"GeoNames {entry.geonames}") in parse(r.text).links
    beijing = site.get("/id/area/beijing", BROWSER_ACCEPT).text
    assert "exact match" in beijing  # the property's label, from the ontology
    assert "area/beijing/geonames" in beijing and lexicon.get("area", "beijing").geonames_source in beijing
    # an area whose lexicon row has no GeoNames id says nothing of the kind
    xiongan = site.get("/id/area/xiongan", BROWSER_ACCEPT)
    assert xiongan.status_code == 200 and 'class="same-as"' not in xiongan.text


def test_area_links_out_in_turtle_and_json_ld(site):
    from policykg.pipeline.lexicon import load_lexicon

    gid = load_lexicon().get("area", "beijing").geonames
    geonames = f"https://sws.geonames.org/{gid}/"
    ttl = _graph(site.get("/id/area/beijing", "text/turtle").content, "turtle")
    match = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")
    assert set(ttl.objects(rdflib.URIRef(ID + "area/beijing"), match)) == {rdflib.URIRef(geonames)}
    doc = site.get("/id/area/beijing", "application/ld+json").json()
    assert doc["@context"]["gn"] == "https://sws.geonames.org/"
    assert doc["@context"]["wd"] == "http://www.wikidata.org/entity/"
    node = next(n for n in doc["@graph"] if n["id"] == "area:beijing")
    assert node["exactMatch"] == [f"gn:{gid}/"]
    expanded = _graph(json.dumps(doc).encode(), "json-ld")
    assert (rdflib.URIRef(ID + "area/beijing"), match, rdflib.URIRef(geonames)) in expanded
