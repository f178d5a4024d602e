"""The W3C SPARQL 1.1 Protocol test suite, replayed against a real ``policykg serve`` process.

The suite (``tests/conformance/sparql11-protocol/``, see ``tests/conformance/README.md``) is
read from its manifest: one test per ``mf:ProtocolTest``, in manifest order, each replaying
the ``ht:requests`` of its ``ht:Connection`` in order on one connection, with redirects off:

* method, headers and body as given, the body encoded as its ``cnt:characterEncoding`` says
  (``bad_query_non_utf8`` sends UTF-16 on purpose);
* ``ht:absolutePath`` with its leading ``/sparql/`` rewritten to our ``/sparql``; the query
  string is sent byte for byte (it tests percent-decoding);
* checked: the status class (``mf:expectedStatus``), the result format (``"boolean"``: an ASK
  answer in SPARQL JSON or XML; ``"tabular"``: SPARQL JSON, XML, CSV or TSV; ``"RDF"``: any RDF
  syntax; each parsed) and ``mf:expectedBoolean``.

The dataset is loaded instead of ``LOAD``ed: every ``ut:graphData`` file goes into the named
graph its ``rdfs:label`` names (``data1.nt`` into ``http://kasei.us/2009/09/sparql/data/data1.rdf``).

The endpoint is read-only by design, so the seven positive update tests cannot pass as
written: they are listed in :data:`READ_ONLY_REFUSALS`, and checked to be refused with 403
(and the follow-up query to show that nothing changed) instead of being skipped.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection
from rdflib.query import Result

SUITE = Path(__file__).resolve().parents[1] / "conformance" / "sparql11-protocol"
MANIFEST = SUITE / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

#: The positive tests that change the store. This endpoint is read-only (SPARQL Update is
#: refused with 403 on every path), so each is expected to be refused, not to pass as written.
READ_ONLY_REFUSALS = {
    "update_dataset_default_graph": "CLEAR ALL; INSERT DATA; INSERT ... WHERE with using-graph-uri",
    "update_dataset_default_graphs": "DROP ALL; INSERT DATA; INSERT ... WHERE with two using-graph-uri",
    "update_dataset_named_graphs": "DROP ALL; INSERT DATA; INSERT ... WHERE with using-named-graph-uri",
    "update_dataset_full": "DROP ALL; INSERT DATA; INSERT ... WHERE with both using-* parameters",
    "update_post_form": "CLEAR ALL via an update= form",
    "update_post_direct": "CLEAR ALL via application/sparql-update",
    "update_base_uri": "CLEAR SILENT GRAPH; INSERT DATA with a relative IRI",
}

SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


# ------------------------------------------------------------------------- the manifest

@dataclass
class Request:
    method: str
    path: str  # the manifest's ht:absolutePath
    headers: list[tuple[str, str]]
    body: bytes | None
    status_classes: set[int]  # 2 for hts:StatusCode2xx, ...
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def target(self) -> str:
        """The request target on our server: ``/sparql/`` becomes ``/sparql``, the rest is kept."""
        assert self.path.startswith("/sparql/"), self.path
        return "/sparql" + self.path[len("/sparql/"):]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class Case:
    id: str
    name: str
    graphs: dict[str, Path] = field(default_factory=dict)  # graph IRI -> data file
    requests: list[Request] = field(default_factory=list)


def _status_classes(graph: rdflib.Graph, resp: rdflib.term.Node) -> set[int]:
    classes = set()
    for code in graph.objects(resp, MF.expectedStatus):
        match = re.fullmatch(r"StatusCode(\d)xx", str(code).removeprefix(str(HTS)))
        assert match, f"an unknown expected status {code}"
        classes.add(int(match.group(1)))
    return classes


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> Request:
    headers = []
    for h in graph.objects(node, HT.headers):
        for item in Collection(graph, h):
            headers.append((str(graph.value(item, HT.fieldName)), str(graph.value(item, HT.fieldValue))))
    body = None
    content = graph.value(node, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    resp = graph.value(node, HT.resp)
    fmt = graph.value(resp, MF.expectedFormat)
    boolean = graph.value(resp, MF.expectedBoolean)
    return Request(method=str(graph.value(node, HT.methodName)), path=str(graph.value(node, HT.absolutePath)),
                   headers=headers, body=body, status_classes=_status_classes(graph, resp),
                   expected_format=None if fmt is None else str(fmt),
                   expected_boolean=None if boolean is None else bool(boolean.toPython()))


def load_manifest() -> list[Case]:
    graph = rdflib.Graph()
    graph.parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        assert (entry, RDF.type, MF.ProtocolTest) in graph, entry
        case = Case(id=str(entry).rpartition("#")[2], name=str(graph.value(entry, MF.name)))
        for data in graph.objects(entry, UT.graphData):
            file = SUITE / str(graph.value(data, UT.graph)).rpartition("/")[2]
            case.graphs[str(graph.value(data, RDFS.label))] = file
        action = graph.value(entry, MF.action)
        for requests in graph.objects(action, HT.requests):
            case.requests += [_request(graph, r) for r in Collection(graph, requests)]
        cases.append(case)
    return cases


CASES = load_manifest()


def test_the_manifest_is_the_whole_suite():
    """34 tests (20 positive, 14 negative); the refusals are exactly the positive update tests."""
    assert len(CASES) == 34
    negative = [c for c in CASES if c.requests[0].status_classes == {4}]
    assert len(negative) == 14
    assert all(c.id.startswith("bad_") for c in negative)
    positive_updates = {c.id for c in CASES if c not in negative
                        and any((r.header("content-type") or "").startswith("application/sparql-update")
                                or (r.body or b"").startswith(b"update=") for r in c.requests)}
    assert positive_updates == set(READ_ONLY_REFUSALS)


# ------------------------------------------------------------------------- the server

@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, make_build, serve_build) -> str:
    """One server for the whole suite, holding every graph any test names."""
    graphs = {iri: file for case in CASES for iri, file in case.graphs.items()}
    assert sorted(graphs) == [f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)]
    build = make_build(tmp_path_factory.mktemp("protocol-suite"), graphs)
    return serve_build(build, workers=2, timeout=10)


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def check_format(response: httpx.Response, expected: str) -> bool | None:
    """Parse the answer in the format class the suite expects; the ASK answer, if any."""
    media = _media_type(response)
    if expected == "boolean":
        assert media in ("application/sparql-results+json", "application/sparql-results+xml"), media
        result = Result.parse(io.BytesIO(response.content), format=SOLUTION_TYPES[media])
        assert result.type == "ASK"
        return bool(result.askAnswer)
    if expected == "tabular":
        assert media in SOLUTION_TYPES, media
        result = Result.parse(io.BytesIO(response.content), format=SOLUTION_TYPES[media])
        assert result.type == "SELECT"
        rows = list(result)
        assert rows, "no solution"
        return None
    if expected == "RDF":
        assert media in RDF_TYPES, media
        fmt = RDF_TYPES[media]
        (rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()).parse(data=response.content, format=fmt)
        return None
    raise AssertionError(f"an unknown expected format {expected!r}")


def send(client: httpx.Client, base: str, request: Request) -> httpx.Response:
    url = httpx.URL(base + request.target)
    # the query string must reach the server exactly as the manifest spells it
    assert url.raw_path == request.target.encode("ascii")
    return client.request(request.method, url, headers=request.headers, content=request.body)


# ------------------------------------------------------------------------- the tests

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_protocol(case: Case, endpoint: str, http_client) -> None:
    client = http_client(endpoint)  # one connection per test, as its ht:Connection
    refused = case.id in READ_ONLY_REFUSALS
    for index, request in enumerate(case.requests):
        response = send(client, endpoint, request)
        status = response.status_code
        assert status < 500, f"{status}: {response.text}"
        if refused and index == 0:
            # the update itself: refused, read-only by design
            assert status == 403, f"{status}: {response.text}"
            assert "read-only" in response.text
            continue
        if refused:
            # the query checking the update's effect: answers, and shows that nothing changed
            assert status // 100 == 2, f"{status}: {response.text}"
            assert check_format(response, "boolean") is (not request.expected_boolean)
            continue
        assert status // 100 in request.status_classes, f"{status}: {response.text}"
        if request.status_classes == {4}:
            assert _media_type(response) not in SOLUTION_TYPES  # an error, not an answer
            continue
        if request.expected_format is not None:
            answer = check_format(response, request.expected_format)
            if request.expected_boolean is not None:
                assert answer is request.expected_boolean
    if refused:
        # the store is as it was: every graph of the suite is still there
        check = client.get(endpoint + "/sparql", params={"query": (
            "ASK { GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { ?a ?b ?c } "
            "GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { ?d ?e ?f } "
            "GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { ?g ?h ?i } }")})
        assert check.status_code == 200 and check_format(check, "boolean") is True
