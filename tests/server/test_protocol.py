"""The SPARQL 1.1 Protocol endpoint beyond the W3C suite, against a real ``policykg serve`` process.

The build holds policykg's four graphs (ontology, data, provenance, inferences) with a few
statements chosen to be awkward to serialize (Chinese, quotes, commas, tabs, new lines, a blank
node, typed literals), two test graphs sharing one triple, and a graph of 60 triples to
overflow the server's row cap (``--max-rows 50``). Every answer is parsed: SPARQL results
with rdflib's parsers, RDF with rdflib's parsers.
"""
from __future__ import annotations

import io
import json

import httpx
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result

from policykg.graphs import GRAPHS

BASE = "https://w3id.org/policykg/"
POL = BASE + "ontology#"
ONTOLOGY, DATA, PROVENANCE, INFERENCES = (BASE + "graph/" + g for g in ("ontology", "data", "provenance",
                                                                         "inferences"))
DOC = BASE + "id/doc/1"
SOURCE = BASE + "source/1"
G1, G2, MANY = "http://example.org/g1", "http://example.org/g2", "http://example.org/many"
EX_P = "http://example.org/p"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")

# rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
MAX_ROWS = 50

LABEL_ZH = "关于开展服务贸易创新发展试点的通知"
LABEL_EN = 'Notice, "quoted", with\ta tab\nand a new line'

QUADS = f"""
<{POL}Document> <{RDF_TYPE}> <{OWL_CLASS}> <{ONTOLOGY}> .
<{DOC}> <{RDF_TYPE}> <{POL}Document> <{DATA}> .
<{DOC}> <{RDFS_LABEL}> "{LABEL_ZH}"@zh <{DATA}> .
<{DOC}> <{RDFS_LABEL}> "Notice, \\"quoted\\", with\\ta tab\\nand a new line"@en <{DATA}> .
<{DOC}> <{POL}measureCount> "42"^^<{XSD_INTEGER}> <{DATA}> .
<{DOC}> <{RDFS_COMMENT}> _:note <{DATA}> .
_:note <{RDFS_LABEL}> "a blank node" <{DATA}> .
<{DOC}> <{PROV_DERIVED}> <{SOURCE}> <{PROVENANCE}> .
<{DOC}> <{RDF_TYPE}> <{POL}Thing> <{INFERENCES}> .
<http://example.org/a> <{EX_P}> "g1" <{G1}> .
<http://example.org/b> <{EX_P}> "g2" <{G2}> .
<http://example.org/shared> <{EX_P}> "both" <{G1}> .
<http://example.org/shared> <{EX_P}> "both" <{G2}> .
""" + "".join(f"<http://example.org/n{i}> <{EX_P}> \"{i}\" <{MANY}> .\n" for i in range(60))

SELECT_LABELS = f"SELECT ?label WHERE {{ <{DOC}> <{RDFS_LABEL}> ?label }} ORDER BY ?label"
SOLUTION_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, make_build, serve_build) -> str:
    build = make_build(tmp_path_factory.mktemp("protocol"), QUADS)
    return serve_build(build, max_rows=MAX_ROWS, workers=2, timeout=10)


@pytest.fixture
def client(endpoint, http_client) -> httpx.Client:
    return http_client(endpoint)


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def results(response: httpx.Response) -> Result:
    assert response.status_code == 200, response.text
    return Result.parse(io.BytesIO(response.content), format=SOLUTION_FORMATS[media(response)])


def values(response: httpx.Response, var: str = "o") -> list[str]:
    return sorted(str(row[var]) for row in results(response) if row[var] is not None)


def graph(response: httpx.Response) -> rdflib.Graph:
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format=GRAPH_FORMATS[media(response)])


def get(client: httpx.Client, query: str, accept: str | None = None, **params: object) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


# ------------------------------------------------------------------------- the three ways in

def test_get_post_form_and_post_direct_give_the_same_answer(client):
    query = f"SELECT ?o WHERE {{ ?s <{EX_P}> ?o FILTER(?o IN (\"g1\", \"g2\", \"both\")) }}"
    by_get = get(client, query)
    by_form = client.post("/sparql", data={"query": query})
    by_direct = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    by_direct_charset = client.post("/sparql", content=query.encode(),
                                    headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    answers = [values(r) for r in (by_get, by_form, by_direct, by_direct_charset)]
    assert answers[0] == ["both", "both", "g1", "g2"]  # pyoxigraph's union keeps one row per graph
    assert all(a == answers[0] for a in answers)


def test_form_post_takes_dataset_parameters_from_the_body_and_the_url(client):
    query = f"SELECT ?o WHERE {{ ?s <{EX_P}> ?o }}"
    in_body = client.post("/sparql", data={"query": query, "default-graph-uri": G1})
    in_url = client.post("/sparql", params={"default-graph-uri": G1}, data={"query": query})
    assert values(in_body) == values(in_url) == ["both", "g1"]


def test_unicode_query_text_round_trips(client):
    query = f'SELECT ?s WHERE {{ ?s <{RDFS_LABEL}> "{LABEL_ZH}"@zh }}'
    assert values(get(client, query), "s") == [DOC]
    direct = client.post("/sparql", content=query.encode("utf-8"), headers={"Content-Type": "application/sparql-query"})
    assert values(direct, "s") == [DOC]


def test_query_in_both_body_and_url_is_refused(client):
    response = client.post("/sparql?query=ASK%7B%7D", content=b"ASK {}",
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400


def test_form_with_two_queries_or_none_is_refused(client):
    assert client.post("/sparql", content=b"query=ASK%7B%7D&query=ASK%7B%7D",
                       headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 400
    assert client.post("/sparql", data={"default-graph-uri": G1}).status_code == 400


def test_unsupported_content_type_is_415_with_the_accepted_types(client):
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.headers["accept"]


def test_query_string_that_is_not_utf8_is_400(client):
    response = client.get("/sparql?query=ASK%20%7B%7D%FF")
    assert response.status_code == 400


# ------------------------------------------------------------------------- the dataset

def test_the_default_graph_is_the_union_of_all_graphs(client):
    query = 'SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(!STRSTARTS(STR(?s), "http://example.org/n")) }'
    seen = set(values(get(client, query)))
    assert {f"{POL}Document", LABEL_ZH, SOURCE, f"{POL}Thing", OWL_CLASS, "g1", "g2", "both"} <= seen
    assert results(get(client, f'ASK {{ <http://example.org/n59> <{EX_P}> "59" }}')).askAnswer is True


def test_the_provenance_graph_is_queryable_by_name(client):
    query = f"SELECT ?s ?o WHERE {{ GRAPH <{PROVENANCE}> {{ ?s <{PROV_DERIVED}> ?o }} }}"
    rows = list(results(get(client, query)))
    assert [(str(r["s"]), str(r["o"])) for r in rows] == [(DOC, SOURCE)]
    assert values(get(client, "SELECT DISTINCT ?o WHERE { GRAPH ?o { ?s ?p ?x } }")) == sorted(
        [ONTOLOGY, DATA, PROVENANCE, INFERENCES, G1, G2, MANY])


def test_default_graph_uri_sets_the_default_graph(client):
    query = f"SELECT ?o WHERE {{ ?s <{EX_P}> ?o FILTER(isLiteral(?o) && !regex(?o, '^[0-9]+$')) }}"
    assert values(get(client, query, **{"default-graph-uri": G1})) == ["both", "g1"]
    assert values(get(client, query, **{"default-graph-uri": [G1, G2]})) == ["both", "both", "g1", "g2"]
    assert values(get(client, query, **{"default-graph-uri": "http://example.org/none"})) == []


def test_named_graph_uri_sets_the_named_graphs_and_an_empty_default_graph(client):
    query = "SELECT DISTINCT ?o WHERE { GRAPH ?o { ?s ?p ?x } }"
    assert values(get(client, query, **{"named-graph-uri": G1})) == [G1]
    assert values(get(client, query, **{"named-graph-uri": [G1, PROVENANCE]})) == sorted([G1, PROVENANCE])
    ask = results(get(client, "ASK { ?s ?p ?o }", **{"named-graph-uri": G1}))
    assert ask.askAnswer is False  # no default-graph-uri: the default graph is empty


def test_both_dataset_parameters_together(client):
    query = f"SELECT ?g ?o WHERE {{ {{ ?s <{EX_P}> ?o }} UNION {{ GRAPH ?g {{ ?s <{RDFS_LABEL}> ?o }} }} }}"
    rows = {(str(r["g"]) if r["g"] else None, str(r["o"])) for r in
            results(get(client, query, **{"default-graph-uri": G2, "named-graph-uri": DATA}))}
    assert rows == {(None, "g2"), (None, "both"), (DATA, LABEL_ZH), (DATA, LABEL_EN), (DATA, "a blank node")}


def test_from_and_from_named_in_the_query_are_honoured(client):
    query = f"SELECT ?o FROM <{G1}> WHERE {{ ?s <{EX_P}> ?o }}"
    assert values(get(client, query)) == ["both", "g1"]
    named = f"SELECT DISTINCT ?o FROM NAMED <{G2}> WHERE {{ GRAPH ?o {{ ?s ?p ?x }} }}"
    assert values(get(client, named)) == [G2]


def test_the_protocol_dataset_overrides_the_query_dataset(client):
    query = f"SELECT ?o FROM <{G1}> WHERE {{ ?s <{EX_P}> ?o }}"
    assert values(get(client, query, **{"default-graph-uri": G2})) == ["both", "g2"]


def test_relative_iris_resolve_against_the_endpoint(client):
    rows = list(results(get(client, "SELECT (STR(<x>) AS ?o) WHERE {}")))
    assert str(rows[0]["o"]) == BASE + "x"


# ------------------------------------------------------------------------- result formats

@pytest.mark.parametrize("accept", list(SOLUTION_FORMATS))
def test_select_in_each_results_format(client, accept):
    response = get(client, SELECT_LABELS, accept)
    assert response.status_code == 200
    assert media(response) == accept
    assert "Accept" in response.headers["vary"]
    labels = sorted(str(r["label"]) for r in results(response))
    assert labels == sorted([LABEL_ZH, LABEL_EN])
    if accept in ("application/sparql-results+json", "application/sparql-results+xml"):
        terms = {r["label"] for r in results(response)}
        assert Literal(LABEL_ZH, lang="zh") in terms and Literal(LABEL_EN, lang="en") in terms


@pytest.mark.parametrize("accept", list(SOLUTION_FORMATS))
def test_select_terms_keep_their_kind_and_datatype(client, accept):
    query = (f"SELECT ?type ?n ?note WHERE {{ <{DOC}> a ?type ; <{POL}measureCount> ?n ; <{RDFS_COMMENT}> ?note "
             f"FILTER(?type = <{POL}Document>) }}")
    rows = list(results(get(client, query, accept)))
    assert len(rows) == 1
    row = rows[0]
    assert str(row["type"]) == POL + "Document"
    assert str(row["n"]) == "42"
    if accept in ("application/sparql-results+json", "application/sparql-results+xml"):
        assert isinstance(row["type"], URIRef)
        assert row["n"] == Literal("42", datatype=URIRef(XSD_INTEGER))
        assert isinstance(row["note"], rdflib.BNode)


@pytest.mark.parametrize("accept", list(SOLUTION_FORMATS))
def test_ask_in_each_results_format(client, accept):
    for query, expected in ((f"ASK {{ <{DOC}> a <{POL}Document> }}", True), ("ASK { <urn:x:nothing> ?p ?o }", False)):
        response = get(client, query, accept)
        assert response.status_code == 200
        assert media(response) == accept
        if accept in ("application/sparql-results+json", "application/sparql-results+xml"):
            assert results(response).askAnswer is expected
        else:
            assert response.text.strip() == ("true" if expected else "false")


EXPECTED_CONSTRUCT = f"""
<{DOC}> <{RDFS_LABEL}> "{LABEL_ZH}"@zh .
<{DOC}> <{RDFS_LABEL}> "Notice, \\"quoted\\", with\\ta tab\\nand a new line"@en .
<{DOC}> <{POL}measureCount> "42"^^<{XSD_INTEGER}> .
"""


@pytest.mark.parametrize("accept", list(GRAPH_FORMATS))
def test_construct_in_each_rdf_format(client, accept):
    query = (f"CONSTRUCT {{ <{DOC}> ?p ?o }} WHERE {{ GRAPH <{DATA}> {{ <{DOC}> ?p ?o "
             f"FILTER(?p IN (<{RDFS_LABEL}>, <{POL}measureCount>)) }} }}")
    response = get(client, query, accept)
    assert media(response) == accept
    assert "Accept" in response.headers["vary"]
    assert isomorphic(graph(response), rdflib.Graph().parse(data=EXPECTED_CONSTRUCT, format="nt"))


@pytest.mark.parametrize("accept", list(GRAPH_FORMATS))
def test_describe_in_each_rdf_format(client, accept):
    response = get(client, f"DESCRIBE <{DOC}>", accept)
    assert media(response) == accept
    described = graph(response)
    doc = URIRef(DOC)
    assert (doc, rdflib.RDF.type, URIRef(POL + "Document")) in described
    assert (doc, URIRef(PROV_DERIVED), URIRef(SOURCE)) in described  # the union: provenance too
    assert (doc, rdflib.RDFS.label, Literal(LABEL_ZH, lang="zh")) in described
    note = described.value(doc, rdflib.RDFS.comment)
    assert isinstance(note, rdflib.BNode)
    assert (note, rdflib.RDFS.label, Literal("a blank node")) in described  # the blank node's description


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p ?o } LIMIT 1", "ASK {}",
                                   "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", f"DESCRIBE <{DOC}>"])
@pytest.mark.parametrize("accept", ["image/png", "text/html;q=1, */*;q=0", "application/x-unknown"])
def test_an_unservable_accept_is_406(client, query, accept):
    response = get(client, query, accept)
    assert response.status_code == 406
    assert response.headers["vary"] == "Accept"
    assert "offered" in response.text


def test_a_results_type_for_a_graph_and_a_graph_type_for_results_are_406(client):
    assert get(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json").status_code == 406
    assert get(client, "SELECT * WHERE { ?s ?p ?o }", "text/turtle").status_code == 406


@pytest.mark.parametrize("accept, select_type, graph_type", [
    (None, "application/sparql-results+json", "text/turtle"),
    ("*/*", "application/sparql-results+json", "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml",
     "text/turtle"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json", "text/turtle"),
    ("application/sparql-results+xml;q=0.5, text/csv", "text/csv", None),
    ("application/n-triples;q=0.9, application/ld+json", None, "application/ld+json"),
    ("text/*", "text/csv", "text/turtle"),
])
def test_negotiation_picks_the_preferred_servable_type(client, accept, select_type, graph_type):
    if select_type:
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                              headers={"Accept": accept} if accept else {})
        assert media(response) == select_type
        results(response)
    if graph_type:
        response = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
                              headers={"Accept": accept} if accept else {})
        assert media(response) == graph_type
        graph(response)


def test_the_row_cap_truncates_and_says_so(client):
    response = get(client, f"SELECT ?s WHERE {{ GRAPH <{MANY}> {{ ?s ?p ?o }} }}")
    assert len(list(results(response))) == MAX_ROWS
    assert response.headers["policykg-truncated"] == f"max-rows={MAX_ROWS}"
    assert response.headers["policykg-rows"] == str(MAX_ROWS)
    constructed = get(client, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{MANY}> {{ ?s ?p ?o }} }}")
    assert len(graph(constructed)) == MAX_ROWS
    assert constructed.headers["policykg-truncated"] == f"max-rows={MAX_ROWS}"
    small = get(client, f"SELECT ?s WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert len(list(results(small))) == 2
    assert "policykg-truncated" not in small.headers
    assert small.headers["policykg-rows"] == "2"


# ------------------------------------------------------------------------- errors

@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_a_malformed_query_is_400_with_the_parsers_message(client, how):
    query = "SELECT * WHERE { ?s ?p }"
    if how == "get":
        response = get(client, query)
    elif how == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert media(response) == "text/plain"
    assert response.text.startswith("SPARQL syntax error: ")
    assert "error at 1:" in response.text and "expected" in response.text  # pyoxigraph's position and hint


def test_an_unknown_function_or_bad_iri_is_400_not_500(client):
    assert get(client, "SELECT * WHERE { BIND(<http://x/fn>(1) AS ?x) }").status_code in (200, 400)
    assert get(client, "SELECT * WHERE { ?s <http://a b> ?o }").status_code == 400
    assert get(client, "").status_code == 400


# ------------------------------------------------------------------------- service description

@pytest.mark.parametrize("accept, fmt", [(None, "turtle"), ("text/turtle", "turtle"),
                                         ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
                                         ("application/rdf+xml", "xml"), ("text/html,*/*;q=0.8", "turtle")])
def test_service_description_without_a_query(client, endpoint, accept, fmt):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert media(response) == {"turtle": "text/turtle", "nt": "application/n-triples", "json-ld": "application/ld+json",
                               "xml": "application/rdf+xml"}[fmt]
    sd = rdflib.Graph().parse(data=response.content, format=fmt)
    service = sd.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert sd.value(service, SD.endpoint) == URIRef(endpoint + "/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in sd
    names = {str(n) for n in sd.objects(None, SD.name)}
    assert PROVENANCE in names and DATA in names
    assert names == {g.value for g in GRAPHS.values()}  # every graph of the store, from policykg.graphs


def test_service_description_refuses_an_unservable_accept(client):
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


# ------------------------------------------------------------------------- CORS and headers

EVIL = "https://evil.example"


def test_cors_allows_any_origin_without_credentials(client):
    for response in (client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": EVIL}),
                     client.post("/sparql", data={"query": "ASK {}"}, headers={"Origin": EVIL, "Cookie": "a=b"}),
                     client.get("/sparql", params={"query": "ASK {"}, headers={"Origin": EVIL}),
                     client.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Origin": EVIL}),
                     client.get("/sparql", headers={"Origin": EVIL})):
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        assert "set-cookie" not in response.headers


def test_cors_preflight(client):
    response = client.options("/sparql", headers={
        "Origin": EVIL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert 200 <= response.status_code < 300
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST"} <= methods
    assert not methods & {"PUT", "DELETE", "PATCH"}
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed and "accept" in allowed
    assert "policykg-truncated" in response.headers["access-control-expose-headers"].lower()


def test_answers_carry_the_security_headers(client):
    for response in (get(client, "ASK {}"), get(client, "ASK {"), client.get("/sparql")):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_json_results_are_json(client):
    body = get(client, SELECT_LABELS, "application/sparql-results+json").json()
    assert body["head"]["vars"] == ["label"]
    assert {b["label"]["xml:lang"] for b in body["results"]["bindings"]} == {"zh", "en"}
    assert json.loads(get(client, "ASK {}", "application/json").text)["boolean"] is True
