"""The lean path of ``GET /sparql`` and the faster pieces behind it (issue 16's serving target).

``GET /sparql?query=...`` is answered ahead of Starlette's router and middleware
(:func:`policykg.server.sparql.lean`); every other request, and every GET the lean path does not
take, goes through the full application. These tests hold the two paths to the same answers
(status, headers, body), and each faster piece to the slower one it replaces, input by input:
the query-string decoder (:func:`policykg.server.sparql._fast_params` against ``parse_qsl``),
the guard's tokenizer (:func:`policykg.server.guard._inspect` against the first one, :func:`first_inspect`), the
workers' JSON writer (:func:`policykg.server.worker.serialize_json` against ``json.dumps`` of
``json_bindings``) and the tuples the pool and its workers exchange. No test times anything.
"""
from __future__ import annotations

import glob
import json
import random
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.results import json_bindings
from policykg.server import guard, worker
from policykg.server.sparql import _fast_params, _params
from policykg.server.state import CSP

ROOT = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
QUADS = (f'<{EX}a> <{EX}p> "un, \\"deux\\"\\ttrois\\n中文"@fr <{EX}g> .\n'
         f'<{EX}a> <{EX}p> "42"^^<http://www.w3.org/2001/XMLSchema#integer> <{EX}g> .\n'
         f'<{EX}a> <{EX}q> _:b <{EX}g> .\n'
         + "".join(f'<{EX}n{i}> <{EX}r> "{i}" <{EX}many> .\n' for i in range(30)))
SECURITY = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
            "x-frame-options": "DENY"}
SAME_HEADERS = ["content-type", "vary", "policykg-rows", "policykg-truncated", "access-control-allow-origin",
                "access-control-allow-methods", "access-control-allow-headers", "access-control-max-age",
                "access-control-expose-headers", "retry-after", *SECURITY]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, make_build, serve_build) -> str:
    build = make_build(tmp_path_factory.mktemp("lean"), QUADS)
    return serve_build(build, max_rows=20, workers=2, cache_mb=0)


@pytest.fixture
def client(endpoint, http_client):
    return http_client(endpoint)


def _headers(response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in SAME_HEADERS}


# ------------------------------------------------------------------------- the two paths agree

@pytest.mark.parametrize(("query", "accept"), [
    (f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }} ORDER BY ?o", None),
    (f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }} ORDER BY ?o", "application/sparql-results+xml"),
    (f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }} ORDER BY ?o", "text/csv"),
    (f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }} ORDER BY ?o", "text/tab-separated-values, */*;q=0.1"),
    (f"SELECT ?s WHERE {{ ?s <{EX}r> ?o }} ORDER BY ?s", "application/json"),  # truncated at 20 rows
    (f"ASK {{ <{EX}a> ?p ?o }}", "application/sparql-results+json"),
    (f"CONSTRUCT WHERE {{ <{EX}a> <{EX}p> ?o }}", "application/n-triples"),
    (f"DESCRIBE <{EX}a>", "text/turtle"),
    ("SELECT * WHERE { ?s ?p }", None),  # a syntax error: 400 from the worker
    ("SELECT ?x WHERE { BIND(<not an iri> AS ?x) }", None),
])
def test_a_lean_get_answers_as_the_full_application_does(client, query, accept):
    """A GET (lean path) and the same query by form POST (full path): same status, same headers
    (CORS, Vary, rows, truncation, CSP and the other security headers), same body."""
    headers = {"Accept": accept} if accept else {}
    by_get = client.get("/sparql", params={"query": query}, headers=headers)
    by_post = client.post("/sparql", data={"query": query}, headers=headers)
    assert by_get.status_code == by_post.status_code
    assert _headers(by_get) == _headers(by_post)
    assert by_get.content == by_post.content
    for name, value in SECURITY.items():
        assert by_get.headers[name] == value
    assert by_get.headers["access-control-allow-origin"] == "*"
    assert by_get.headers["content-length"] == str(len(by_get.content))


def test_the_lean_path_counts_and_caps_rows(client):
    response = client.get("/sparql", params={"query": f"SELECT ?s WHERE {{ ?s <{EX}r> ?o }}"})
    assert response.status_code == 200
    assert response.headers["policykg-rows"] == "20"
    assert response.headers["policykg-truncated"] == "max-rows=20"
    assert len(response.json()["results"]["bindings"]) == 20


@pytest.mark.parametrize(("params", "accept", "status"), [
    ({"query": f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}"}, None, 403),
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, None, 400),
    ({"query": "SELECT * WHERE { ?s ?p 'unterminated }"}, None, 400),
    ({"query": "SELECT * WHERE " + "{" * 200 + "}" * 200}, None, 400),
    ({"query": "ASK {}"}, "text/turtle", 406),
    ({"query": "ASK {}", "update": "CLEAR ALL"}, None, 400),
    ([("query", "ASK {}"), ("query", "ASK {}")], None, 400),
    ({"update": "CLEAR ALL"}, None, 400),
])
def test_refusals_of_a_get_are_the_full_applications(client, params, accept, status):
    """What the lean path does not take (an update, SERVICE, too deep, no acceptable format,
    two queries, update by GET) is refused by the full application, with its security headers."""
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params=params, headers=headers)
    assert response.status_code == status, response.text
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_query_string_with_raw_or_malformed_escapes_is_read_as_parse_qsl_reads_it(client):
    """``%zz`` is kept as it is, ``%41`` decoded, ``+`` a space: as the full path reads them."""
    query = "SELECT ?x WHERE { BIND(\"%zz A\" AS ?x) }"
    raw = "query=" + urllib.parse.quote(query, safe="").replace("%25zz", "%zz").replace("%20A", "+%41")
    response = client.get("/sparql?" + raw)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "%zz A"
    not_utf8 = client.get("/sparql?query=ASK%7B%7D%FF")
    assert not_utf8.status_code == 400


def test_the_service_description_and_options_still_come_from_the_application(client):
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and "sd:Service" in description.text
    options = client.options("/sparql")
    assert options.status_code == 204
    head = client.head("/sparql", params={"query": "ASK {}"})
    assert head.status_code == 405


# ------------------------------------------------------------------------- the faster pieces

def test_fast_params_reads_every_query_string_as_parse_qsl():
    alphabet = ["a", "b", "=", "&", "+", "%", "%2", "%41", "%3D", "%26", "%2B", "%e4%b8%ad", "%ff", "%zz", "x",
                "query", "%0A", "%20", "%%", "=3D", "_", "-", ".", "~", "%C3", "%c3%a9"]
    rng = random.Random(16)
    for _ in range(20_000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))).encode()
        try:
            expected: object = _params(raw.decode("ascii"))
        except UnicodeDecodeError:
            expected = UnicodeDecodeError
        try:
            got: object = _fast_params(raw)
        except UnicodeDecodeError:
            got = UnicodeDecodeError
        assert got == expected, raw
    encoded = urllib.parse.urlencode({"query": 'SELECT * { ?s <http://x/é> "a=b&c" } # 中\n',
                                      "default-graph-uri": "http://a/b?c=d"}).encode()
    assert _fast_params(encoded) == _params(encoded.decode())


def _queries() -> list[str]:
    texts = [Path(p).read_text(encoding="utf-8") for p in glob.glob(str(ROOT / "**" / "*.rq"), recursive=True)]
    fragments = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "INSERT", "DELETE", "WITH", "SERVICE", "SERVICE:e",
                 "servicesilent", "FROM", "FROM NAMED", "trueSERVICE", " ", "\n", "\t", "#c\n", "# SERVICE\n",
                 "<http://x/>", "<", "<a(b)>", "<a'(>", ">", "(", ")", "{", "}", "[", "]", "'", '"', "'''", '"""',
                 "'a'", '"b\\""', "?x", "$y", "ex:a", "ex:a\\#", "a.b-c", "1", "1.5e3", "1<2", ":e",
                 "FILTER(1<2)SERVICE:e#>", "é", "中", "\\", "%", "SERVICE<x>", "LOAD", "a:SERVICE", "SERVICE-x",
                 "# trailing comment"]
    rng = random.Random(1)
    texts += ["".join(rng.choice(fragments) for _ in range(rng.randint(0, 30))) for _ in range(30_000)]
    texts += ["(" * 200, "{}" + " UNION {}" * 30_000, "1+" * 60_000, "# only a comment", "   ", ""]
    return texts


def first_inspect(text: str) -> guard.QueryInfo:
    """The guard's tokenizer as it was first written, one token of its ``guard._TOKEN`` (whitespace and
    comments too) at a time: the reference the faster one is compared with."""
    form: str | None = None
    update = False
    depth = deepest = 0
    service = False
    dataset = False
    unterminated = False
    tokens = 0
    pos, end = 0, len(text)
    while pos < end and tokens <= guard.MAX_TOKENS and deepest <= guard.MAX_DEPTH:
        match = guard._TOKEN.match(text, pos)
        assert match is not None  # ``other`` matches any character
        kind = match.lastgroup
        pos = match.end()
        if kind == "iri" and not guard._iri_or_less_than(match.group()[1:-1]):
            kind, pos = "other", match.start() + 1
        if kind == "ws" or kind == "comment":
            continue
        tokens += 1
        words: list[str] = []
        if kind == "word":
            words = [match.group()]
        elif kind == "name":
            name = match.group()
            if ":" in name:  # a prefixed name: SERVICE:e is the keyword SERVICE to pyoxigraph
                if "SERVICE" in name.partition(":")[0].upper():
                    service = True
            else:  # a run of names and dots or dashes: the words in it
                words = guard._WORD.findall(name)
                tokens += max(0, 2 * len(words) - 2)
        for word in (w.upper() for w in words):
            if word in guard.FORMS and form is None and not update:
                form = word
            elif word in guard.UPDATE_KEYWORDS and form is None:
                update = True
            elif word.startswith("FROM"):
                dataset = True
            if "SERVICE" in word:
                service = True
        if kind == "other":
            ch = text[match.start()]
            if ch in "({[":
                depth += 1
                deepest = max(deepest, depth)
            elif ch in ")}]":
                depth -= 1
            elif ch in "'\"":
                unterminated = True
                break
    return guard._outcome(form, update, tokens, deepest, unterminated, service, dataset)


def test_the_guards_tokenizer_decides_as_the_first_one_did():
    """The tokenizer that skips whitespace and comments within a token's match finds the same
    form, dataset, update, refusal (SERVICE, depth, token count, open string) as the one that
    read them as tokens of their own."""
    for text in _queries():
        assert guard._inspect(text) == first_inspect(text), text[:300]


def test_the_workers_json_is_json_dumps_of_json_bindings():
    def reference(variables, rows):
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": json_bindings(variables, rows)}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    terms = [ox.NamedNode("http://example.org/é\u2028"), ox.BlankNode("b1"),
             ox.Literal('x\n\t\x01"\\', language="en-GB"),
             ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
             ox.Literal("中文\u2029"), None,
             ox.Triple(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o", language="zh"))]
    rng = random.Random(3)
    for _ in range(3_000):
        variables = [rng.choice(["a", "b_", "é", "x"]) + str(j) for j in range(rng.randint(0, 4))]
        rows = [[rng.choice(terms) for _ in variables] for _ in range(rng.randint(0, 5))]
        assert worker.serialize_json(variables, rows) == reference(variables, rows)
        assert worker.serialize_solutions(variables, rows, "json") == reference(variables, rows)


def test_requests_and_answers_cross_the_pipe_as_tuples_and_back():
    request = worker.QueryRequest("ASK {}", "json", ("http://g",), None, 7, (("x", "http://y"),), "http://b/", True)
    assert worker.QueryRequest(*worker.encode_request(request)) == request
    for response in (worker.QueryResponse(200, "text/csv", b"a\r\n", 3, True),
                     worker.QueryResponse(400, "text/plain", b"no", headers={"X": "y"})):
        assert worker.decode_response(worker.encode_response(response)) == response


def test_a_worker_answers_a_tuple_with_a_tuple_and_a_request_with_a_response(tmp_path):
    import multiprocessing as mp

    nquads = tmp_path / "g.nq"
    nquads.write_text(QUADS, encoding="utf-8")
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=True)
    process = ctx.Process(target=worker.main, args=(child, str(nquads), 2 << 30), daemon=True)
    process.start()
    child.close()
    try:
        assert parent.poll(60) and parent.recv() == ("ready", None)
        request = worker.QueryRequest(f"SELECT ?o WHERE {{ <{EX}a> <{EX}q> ?o }}", "csv")
        parent.send(worker.encode_request(request))
        assert parent.poll(30)
        as_tuple = parent.recv()
        assert isinstance(as_tuple, tuple)
        parent.send(request)
        assert parent.poll(30)
        as_object = parent.recv()
        assert isinstance(as_object, worker.QueryResponse)
        assert worker.decode_response(as_tuple).status == as_object.status == 200
        assert as_object.rows == 1 and as_object.body.startswith(b"o\r\n_:")
    finally:
        parent.close()
        process.kill()
        process.join(5)


def test_the_lean_path_takes_plain_gets_and_leaves_the_rest_to_the_application():
    from policykg.server.sparql import lean_request
    from policykg.server.state import AppState, ServerConfig

    state = AppState(config=ServerConfig(max_rows=9), build=Path("."))

    def scope(query_string: str, *headers: tuple[bytes, bytes]) -> dict:
        return {"type": "http", "method": "GET", "path": "/sparql", "query_string": query_string.encode(),
                "headers": list(headers)}

    plain = lean_request(state, scope("query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fg",
                                      (b"accept", b"text/csv")))
    assert plain is not None
    assert (plain.query, plain.result_format, plain.default_graph, plain.named_graphs, plain.max_rows) == (
        "ASK{}", "csv", ("http://g",), None, 9)
    construct = lean_request(state, scope("query=CONSTRUCT+WHERE+%7B%3Fs+%3Fp+%3Fo%7D", (b"accept", b"text/turtle")))
    assert construct is not None and construct.result_format == "turtle"
    for refused in (scope(""), scope("update=CLEAR+ALL"), scope("query=ASK{}&query=ASK{}"),
                    scope("query=INSERT+DATA+%7B%7D"), scope("query=ASK%7BSERVICE+%3Chttp%3A%2F%2Fx%3E%7B%7D%7D"),
                    scope("query=ASK%7B%7D", (b"accept", b"text/turtle")),
                    scope("query=ASK%7B%7D", (b"content-length", b"3")),
                    scope("query=ASK%7B%7D", (b"accept", b"text/csv"), (b"accept", b"text/csv")),
                    scope("query=ASK%7B%7D%FF"), scope("query=" + "A" * (16 << 10))):
        assert lean_request(state, refused) is None, refused["query_string"][:80]
