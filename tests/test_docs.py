"""Tests of policykg.tools.docs: the bilingual HTML documentation of the ontology.

Most tests render small in-memory ontologies; one renders the real ``ontology/policykg.ttl``
and is skipped only when that file does not exist.
"""
from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from policykg.tools.docs import render_docs, write_docs
from policykg.errors import InputError

POL = Namespace("https://w3id.org/policykg/ontology#")

PREFIXES = """
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix vann: <http://purl.org/vocab/vann/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix pol:  <https://w3id.org/policykg/ontology#> .
"""

SMALL = PREFIXES + """
<https://w3id.org/policykg/ontology> a owl:Ontology ;
    dct:title "Test ontology"@en , "测试本体"@zh ;
    dct:description "A tiny ontology for the tests."@en ;
    owl:versionIRI <https://w3id.org/policykg/ontology/9.9.9> ;
    owl:versionInfo "9.9.9" ;
    dct:created "2024-01-01"^^xsd:date ;
    dct:modified "2024-02-02"^^xsd:date ;
    dct:license <https://creativecommons.org/licenses/by/4.0/> ;
    dct:creator "The test writers" ;
    vann:preferredNamespacePrefix "pol" ;
    vann:preferredNamespaceUri "https://w3id.org/policykg/ontology#" .

pol:Measure a owl:Class ;
    rdfs:label "Measure <b>&"@en , "举措<i>&"@zh ;
    skos:definition "A numbered measure; see pol:Notice."@en , "编号的举措。"@zh ;
    rdfs:comment "A comment."@en ;
    skos:example "Measure 3 of the table."@en ;
    skos:scopeNote "Only measures of a measure table."@en ;
    rdfs:subClassOf prov:Entity ;
    owl:disjointWith pol:Notice ;
    rdfs:isDefinedBy <https://w3id.org/policykg/ontology> .

pol:Notice a owl:Class ;
    rdfs:label "notice"@en , "通知"@zh .

pol:Area a owl:Class ;
    rdfs:label "area"@en , "地区"@zh .

pol:PilotArea a owl:Class ;
    rdfs:label "pilot area"@en , "试点地区"@zh ;
    rdfs:subClassOf pol:Area ;
    owl:equivalentClass [ a owl:Restriction ;
        owl:onProperty pol:pilotArea ; owl:someValuesFrom pol:Notice ] .

pol:Zone a owl:Class ;
    rdfs:label "zone"@en , "区域"@zh ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( pol:Area
        [ a owl:Restriction ; owl:onProperty [ owl:inverseOf pol:pilotArea ] ;
          owl:minQualifiedCardinality "2"^^xsd:nonNegativeInteger ; owl:onClass pol:Notice ] ) ] .

[] a owl:AllDisjointClasses ; owl:members ( pol:Area pol:Notice pol:Measure ) .

pol:pilotArea a owl:ObjectProperty , owl:FunctionalProperty ;
    rdfs:label "pilot area"@en , "试点地区"@zh ;
    rdfs:domain [ a owl:Class ; owl:unionOf ( pol:Notice pol:Measure ) ] ;
    rdfs:range pol:Area ;
    owl:inverseOf pol:pilotAreaOf ;
    rdfs:subPropertyOf dct:spatial .

pol:pilotAreaOf a owl:ObjectProperty , owl:InverseFunctionalProperty ;
    rdfs:label "pilot area of"@en , "试点于"@zh .

pol:articleNumber a owl:DatatypeProperty ;
    rdfs:label "article number"@en , "条目编号"@zh ;
    rdfs:domain pol:Measure ;
    rdfs:range xsd:string .

pol:note a owl:AnnotationProperty ;
    rdfs:label "note"@en , "备注"@zh .

dct:spatial a owl:ObjectProperty .
prov:Entity a owl:Class .
"""


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

_BLOCK = {"p", "div", "section", "header", "footer", "nav", "main", "h1", "h2", "h3", "h4",
          "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "br"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Page(HTMLParser):
    """What the tests need to know about a page: the tags, the text under each id, and the
    text under each element with lang="zh"."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: dict[str, str] = {}
        self.id_text: dict[str, list[str]] = {}
        self.zh_text: list[str] = []
        self.all_text: list[str] = []
        self.style = ""
        self._stack: list[tuple[str, str | None, bool]] = []  # tag, id, lang=zh
        self.feed(text)
        self.close()

    def _gap(self, tag: str) -> None:
        """Block and table-cell boundaries separate words, as a browser shows them."""
        if tag in _BLOCK:
            self.all_text.append(" ")
            for _, id_, _ in self._stack:
                if id_ is not None:
                    self.id_text[id_].append(" ")

    def handle_starttag(self, tag, attrs):
        self._gap(tag)
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            assert a["id"] not in self.ids, f"duplicate id {a['id']!r}"
            self.ids[a["id"]] = tag
            self.id_text[a["id"]] = []
        if tag not in _VOID:
            self._stack.append((tag, a.get("id"), (a.get("lang") or "").startswith("zh")))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._gap(tag)
        if tag in _VOID:
            return
        while self._stack:
            open_tag, _, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        self.all_text.append(data)
        for _, id_, zh in self._stack:
            if id_ is not None:
                self.id_text[id_].append(data)
        if any(zh for _, _, zh in self._stack):
            self.zh_text.append(data)
        if self._stack and self._stack[-1][0] == "style":
            self.style += data

    def text_of(self, id_: str) -> str:
        return "".join(self.id_text[id_])

    @property
    def text(self) -> str:
        return "".join(self.all_text)


def _graph(ttl: str) -> Graph:
    return Graph().parse(data=ttl, format="turtle")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _assert_self_contained(html: str, page: _Page) -> None:
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert "<script" not in html.lower()
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", html, re.I)
    assert 'src="http' not in html and "src='http" not in html
    for tag, attrs in page.tags:
        assert "src" not in attrs, f"<{tag} src=...> loads a resource"
        assert tag not in ("link", "script", "img", "iframe", "object", "embed"), tag
    assert "url(" not in page.style and "@import" not in page.style
    html_tags = [a for t, a in page.tags if t == "html"]
    assert html_tags == [{"lang": "en"}]


def _terms(graph: Graph) -> list[URIRef]:
    out = set()
    for rdf_type in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        out.update(s for s in graph.subjects(RDF.type, rdf_type)
                   if isinstance(s, URIRef) and str(s).startswith(str(POL)))
    return sorted(out)


def _label(graph: Graph, term: URIRef, lang: str) -> str:
    labels = [o for o in graph.objects(term, RDFS.label) if getattr(o, "language", None)
              and o.language.lower().split("-")[0] == lang]
    assert labels, f"{term} has no rdfs:label @{lang}"
    return str(sorted(labels)[0])


def _assert_terms_documented(graph: Graph, page: _Page) -> None:
    zh_text = "".join(page.zh_text)
    terms = _terms(graph)
    assert terms
    for term in terms:
        anchor = str(term)[len(str(POL)):]
        assert anchor in page.ids, f"no anchor for {term}"
        section = _squash(page.text_of(anchor))
        en, zh = _label(graph, term, "en"), _label(graph, term, "zh")
        assert _squash(en) in section, f"English label of {term} missing"
        assert zh in section, f"Chinese label of {term} missing"
        assert zh in zh_text, f"Chinese label of {term} not inside lang=zh"


@pytest.fixture(scope="module")
def small() -> tuple[Graph, str, _Page]:
    graph = _graph(SMALL)
    html = render_docs(graph)
    return graph, html, _Page(html)


# ---------------------------------------------------------------------------------------------
# small ontology
# ---------------------------------------------------------------------------------------------


def test_every_term_has_anchor_and_both_labels(small):
    graph, _, page = small
    _assert_terms_documented(graph, page)
    assert "note" in page.ids  # annotation properties too
    assert "Entity" not in page.ids and "spatial" not in page.ids  # outside terms: no section


def test_page_is_self_contained(small):
    _, html, page = small
    _assert_self_contained(html, page)
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html


def test_special_characters_are_escaped(small):
    _, html, page = small
    assert "Measure <b>&" not in html and "<b>" not in html and "<i>" not in html
    assert "Measure &lt;b&gt;&amp;" in html
    assert "举措&lt;i&gt;&amp;" in html
    assert not any(tag in ("b", "i") for tag, _ in page.tags)
    assert "Measure <b>&" in page.text_of("Measure")  # and it reads right once parsed
    assert "举措<i>&" in "".join(page.zh_text)


def test_header_shows_ontology_metadata(small):
    _, _, page = small
    header = _squash(page.text_of("metadata"))
    for expected in ("Test ontology", "测试本体", "A tiny ontology for the tests.",
                     "https://w3id.org/policykg/ontology", "https://w3id.org/policykg/ontology/9.9.9",
                     "9.9.9", "2024-01-01", "2024-02-02",
                     "https://creativecommons.org/licenses/by/4.0/", "The test writers",
                     "Preferred prefix pol", "https://w3id.org/policykg/ontology#"):
        assert expected in header, expected
    namespaces = _squash(page.text_of("namespaces"))
    for prefix in ("pol:", "owl:", "skos:", "dct:", "prov:", "xsd:"):
        assert prefix in namespaces
    assert "brick:" not in namespaces  # rdflib's unused default bindings are left out


def test_table_of_contents_links_every_section_and_term(small):
    graph, _, page = small
    links = {a.get("href") for tag, a in page.tags if tag == "a"}
    for section in ("#sec-classes", "#sec-object-properties", "#sec-datatype-properties",
                    "#sec-annotation-properties", "#alignments", "#namespaces"):
        assert section in links
        assert section[1:] in page.ids
    for term in _terms(graph):
        assert "#" + str(term)[len(str(POL)):] in links
    toc = _squash(page.text_of("toc"))
    assert "Measure <b>&" in toc and "举措<i>&" in toc


def test_terms_sorted_by_english_label(small):
    _, html, _ = small
    order = [m for m in re.findall(r'<section class="term" id="([^"]+)"', html)]
    classes = [a for a in order if a in ("Area", "Measure", "Notice", "PilotArea", "Zone")]
    assert classes == ["Area", "Measure", "Notice", "PilotArea", "Zone"]
    props = [a for a in order if a in ("pilotArea", "pilotAreaOf")]
    assert props == ["pilotArea", "pilotAreaOf"]


def test_union_domain_is_rendered_as_or(small):
    _, _, page = small
    text = _squash(page.text_of("pilotArea"))
    assert "Domain Notice or Measure" in text or "Domain Measure or Notice" in text
    assert "Range Area" in text
    assert "Inverse of pilotAreaOf" in text
    assert "Characteristics Functional" in text
    assert "Super-properties dct:spatial" in text
    assert "Inverse functional" in _squash(page.text_of("pilotAreaOf"))
    assert "Inverse of pilotArea" in _squash(page.text_of("pilotAreaOf"))


def test_equivalent_class_restriction_is_readable(small):
    _, html, page = small
    assert "Equivalent to pilotArea some Notice" in _squash(page.text_of("PilotArea"))
    assert "Area and (inverse pilotArea min 2 Notice)" in _squash(page.text_of("Zone"))
    # the names inside the expression link to the terms
    pilot = html[html.index('id="PilotArea"'):]
    assert re.search(r'<a class="ref" href="#pilotArea"[^>]*>pilotArea</a>', pilot)


def test_class_details(small):
    _, html, page = small
    text = _squash(page.text_of("Measure"))
    assert "https://w3id.org/policykg/ontology#Measure" in text
    assert "A numbered measure; see pol:Notice." in text and "编号的举措。" in text
    assert "A comment." in text
    assert "Measure 3 of the table." in text
    assert "Only measures of a measure table." in text
    assert "Super-classes prov:Entity" in text
    assert "Defined by https://w3id.org/policykg/ontology" in text
    assert "In domain of articleNumber, pilotArea" in text
    # pol:term in a definition links to the term
    measure = html[html.index('id="Measure"'):]
    assert re.search(r'<a class="ref" href="#Notice"[^>]*>pol:Notice</a>', measure)
    assert "Sub-classes PilotArea" in _squash(page.text_of("Area"))
    assert "In range of pilotArea" in _squash(page.text_of("Area"))


def test_disjointness_from_both_axiom_forms(small):
    _, _, page = small
    # Measure: owl:disjointWith Notice, and AllDisjointClasses (Area Notice Measure)
    measure = _squash(page.text_of("Measure"))
    assert "Disjoint with Area, Notice" in measure
    # owl:disjointWith is symmetric: Notice shows Measure too
    assert "Disjoint with Area, Measure" in _squash(page.text_of("Notice"))


def test_alignments_list_only_outside_targets(small):
    _, _, page = small
    text = _squash(page.text_of("alignments"))
    assert "Measure 举措<i>& rdfs:subClassOf prov:Entity prov" in text
    assert "pilotArea 试点地区 rdfs:subPropertyOf dct:spatial dct" in text
    assert "PilotArea" not in text  # subClassOf pol:Area is internal


def test_render_does_not_change_the_graph(small):
    graph = _graph(SMALL)
    before = (set(graph), sorted(graph.namespaces()))
    render_docs(graph)
    assert (set(graph), sorted(graph.namespaces())) == before


def test_render_is_deterministic():
    assert render_docs(_graph(SMALL)) == render_docs(_graph(SMALL))


# ---------------------------------------------------------------------------------------------
# unusual input
# ---------------------------------------------------------------------------------------------


def test_unknown_constructs_do_not_crash():
    ttl = PREFIXES + """
    pol:A a owl:Class ; rdfs:label "a"@en , "甲"@zh ;
        owl:equivalentClass [ pol:strange [ pol:stranger "x"@en ] ] ;
        rdfs:subClassOf [ owl:unionOf pol:notAList ] ;
        rdfs:subClassOf [ owl:complementOf pol:B ] ;
        rdfs:subClassOf [ a owl:Restriction ; owl:onProperty pol:p ] ;
        rdfs:subClassOf [ a owl:Restriction ; owl:onProperty pol:p ; owl:hasValue "v"@zh ] ;
        rdfs:subClassOf [ owl:oneOf ( pol:x pol:y ) ] .
    pol:B a owl:Class ; rdfs:label "b"@en , "乙"@zh .
    pol:p a owl:DatatypeProperty ; rdfs:label "p"@en , "丙"@zh ;
        rdfs:range [ a rdfs:Datatype ; owl:onDatatype xsd:integer ;
                     owl:withRestrictions ( [ xsd:minInclusive 0 ] ) ] .
    """
    graph = _graph(ttl)
    # a cyclic RDF list
    cyc = URIRef("urn:x:cycle")
    graph.add((cyc, RDF.first, POL.B))
    graph.add((cyc, RDF.rest, cyc))
    from rdflib import BNode
    node = BNode()
    graph.add((POL.A, RDFS.subClassOf, node))
    graph.add((node, OWL.intersectionOf, cyc))
    html = render_docs(graph)
    page = _Page(html)
    text = _squash(page.text_of("A"))
    assert "pol:strange" in text and '"x"@en' in text
    assert "not B" in text
    assert 'p value "v"@zh' in text
    assert "{x, y}" in text or "{pol:x, pol:y}" in text or "{ x, y }" in text
    assert "xsd:integer[>= 0]" in _squash(page.text_of("p"))


def test_missing_chinese_label_is_flagged():
    graph = _graph(PREFIXES + 'pol:X a owl:Class ; rdfs:label "x"@en .')
    page = _Page(render_docs(graph))
    assert "no Chinese label" in page.text_of("X")


def test_named_individuals_get_a_section():
    graph = _graph(PREFIXES + """
    pol:MeasureCategories a skos:ConceptScheme ; rdfs:label "measure categories"@en , "举措类别"@zh .
    pol:Finance a skos:Concept ; rdfs:label "finance"@en , "金融"@zh ;
        skos:inScheme pol:MeasureCategories .
    """)
    page = _Page(render_docs(graph))
    assert "sec-individuals" in page.ids
    assert "MeasureCategories" in page.ids and "Finance" in page.ids
    assert "skos:inScheme: MeasureCategories" in _squash(page.text_of("Finance"))


def test_graph_without_ontology_header():
    page = _Page(render_docs(_graph(PREFIXES + 'pol:X a owl:Class ; rdfs:label "x"@en , "某"@zh .')))
    assert "X" in page.ids


def test_unsafe_iri_is_not_a_link():
    graph = _graph(PREFIXES + 'pol:X a owl:Class ; rdfs:label "x"@en , "某"@zh ; '
                   'rdfs:seeAlso <javascript:alert(1)> .')
    page = _Page(render_docs(graph))
    assert not any((a.get("href") or "").startswith("javascript:") for _, a in page.tags)


# ---------------------------------------------------------------------------------------------
# write_docs
# ---------------------------------------------------------------------------------------------


def test_write_docs_writes_index_atomically(tmp_path):
    src = tmp_path / "o.ttl"
    src.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "site" / "docs"
    (out.parent).mkdir()
    path = write_docs(src, out)
    assert path == out / "index.html"
    assert path.read_text(encoding="utf-8") == render_docs(_graph(SMALL))
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]  # no temp file left
    assert (path.stat().st_mode & 0o777) == 0o644
    path.write_text("old", encoding="utf-8")
    write_docs(src, out)  # overwrites
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_write_docs_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        write_docs(tmp_path / "nope.ttl", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_write_docs_bad_turtle_leaves_old_page(tmp_path):
    src = tmp_path / "o.ttl"
    src.write_text(PREFIXES + "pol:X a owl:Class ;;; oops", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(InputError) as err:
        write_docs(src, out)
    assert err.value.path == str(src)
    assert (out / "index.html").read_text(encoding="utf-8") == "old"
    assert os.listdir(out) == ["index.html"]


# ---------------------------------------------------------------------------------------------
# the real ontology
# ---------------------------------------------------------------------------------------------


def _real_ontology() -> Path:
    from policykg.resources import ontology_path
    try:
        path = ontology_path()
    except FileNotFoundError:
        pytest.skip("policykg data files not found")
    if not path.is_file():
        pytest.skip(f"{path} does not exist yet")
    return path


def test_real_ontology(tmp_path):
    source = _real_ontology()
    graph = Graph().parse(source, format="turtle")
    index = write_docs(source, tmp_path)
    html = index.read_text(encoding="utf-8")
    page = _Page(html)
    _assert_self_contained(html, page)
    _assert_terms_documented(graph, page)
    # every owl:equivalentClass and union domain/range is shown, never as raw blank-node ids
    assert not re.search(r"\b[Nn][0-9a-f]{32}\b", page.text)
    assert "alignments" in page.ids
