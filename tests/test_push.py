"""`policykg push` against real SPARQL stores started by the test on 127.0.0.1.

Two stores, each a private instance in a temporary folder, stopped when the module ends:

* the **Oxigraph** server (the ``oxigraph`` package of the test extra): ``/store`` (Graph Store
  Protocol), ``/query``, ``/update``;
* **Virtuoso** (Debian's ``virtuoso-opensource``, installed by ``scripts/system-deps.sh``), with
  its own ``virtuoso.ini`` on free ports and the fresh database's ``dba``/``dba`` account:
  ``/sparql-graph-crud-auth`` (GSP, digest authentication), ``/sparql``, ``/sparql-auth``.

After a push the store counts as many triples per graph as the build; a second push replaces
rather than adds; SPARQL queries give the same rows on the store as pyoxigraph does locally on
the build's ``policykg.nq``; and, after a push of a build of every test document, every
competency question ``queries/cq/*.rq`` gives through the store's SPARQL endpoint the rows it
gives locally and the rows of its expected file.

The competency questions assume that the default graph is the union of the named graphs: the
Oxigraph server runs with ``--union-default-graph``; Virtuoso's default graph is every graph of
the database (its system graphs included), which gives the same rows as long as no other data
set shares the store (the test drops the one graph another test pushes, see ``everything_on``).
"""
from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic

from policykg.pipeline.build import build
from policykg.errors import InputError
from policykg.graphs import GRAPHS
from policykg.tools.push import PushResult, StoreAuthError, StoreError, push
from policykg.tools.query import (
    CompetencyQuery,
    QueryResult,
    load_competency_queries,
    read_expected,
    run_query,
)
from policykg.rdfio import rdflib_graph

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
EXTRA = ROOT / "tests" / "documents" / "2024-06-data-labelling-bases.md"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
DATA, PROVENANCE = GRAPHS["data"].value, GRAPHS["provenance"].value
UNION = "https://example.org/graph/policykg-union"
NDA = "https://w3id.org/policykg/id/agency/nda"  # only in the build of the seed + one document
OXIGRAPH = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
VIRTUOSO = shutil.which("virtuoso-t")
#: Every test document, as ``tests/test_competency.py`` builds them: the seed and the others.
DOCUMENTS = sorted(p for p in (ROOT / "sources").glob("*.md") if p.name != "README.md") + \
    sorted(p for p in (ROOT / "tests" / "documents").glob("*.md") if p.name != "README.md")
CQS = load_competency_queries()

PREFIXES = """PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
#: Queries whose rows must be the same on the store and locally; ``{data}`` and
#: ``{provenance}`` are the graphs (the union graph after a push with ``graph=``).
QUERIES = {
    "agencies guiding each measure": """
        SELECT ?measure ?article ?agency ?name WHERE { GRAPH <{data}> {
          ?measure a pol:Measure ; pol:articleNumber ?article ; pol:guidedBy ?agency .
          ?agency rdfs:label ?name FILTER(LANG(?name) = "en") } }""",
    "the quote for MIIT guiding Article 75": """
        SELECT ?quote ?start ?end ?source WHERE { GRAPH <{provenance}> {
          ?statement rdf:subject ?measure ; rdf:predicate pol:guidedBy ;
                     rdf:object <https://w3id.org/policykg/id/agency/miit> ;
                     prov:wasDerivedFrom ?span .
          ?span oa:hasSource ?source ; oa:hasSelector ?selector .
          ?selector oa:exact ?quote ; oa:start ?start ; oa:end ?end . }
          GRAPH <{data}> { ?measure pol:articleNumber 75 } }""",
    "forerunner areas, names in Chinese": """
        SELECT ?measure ?area ?zh WHERE { GRAPH <{data}> {
          ?measure pol:forerunner ?area .
          OPTIONAL { ?area rdfs:label ?zh FILTER(LANG(?zh) = "zh") } } }""",
    "documents, their dates and issuers": """
        SELECT ?doc ?date ?issuer WHERE { GRAPH <{data}> {
          ?doc pol:issuedOn ?date OPTIONAL { ?doc pol:issuedBy ?issuer } } }""",
    "entities per inferred class": """
        SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH <{inferences}> { ?x a ?class } }
        GROUP BY ?class""",
}


# --------------------------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("push-seed") / "dist"
    assert build([SEED], out).published
    return out


@pytest.fixture(scope="module")
def seed_plus_one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("push-seed-plus-one") / "dist"
    assert build([SEED, EXTRA], out).published
    return out


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build of every test document, the one the competency questions' expected rows are of."""
    assert len(DOCUMENTS) >= 6, DOCUMENTS
    out = tmp_path_factory.mktemp("push-everything") / "dist"
    result = build(DOCUMENTS, out)
    assert result.published, result.report.to_text()
    return out


def local_dataset(build_dir: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(build_dir / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def graph_counts(build_dir: Path) -> dict[str, int]:
    graphs: dict[str, set] = {g.value: set() for g in GRAPHS.values()}
    for q in ox.parse(path=str(build_dir / "policykg.nq"), format=ox.RdfFormat.N_QUADS):
        graphs[q.graph_name.value].add(q.triple)
    return {g: len(t) for g, t in graphs.items()}


# --------------------------------------------------------------------------------------------
# The stores
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Store:
    name: str
    endpoint: str  # what a user gives `policykg push`
    query: str  # the SPARQL query endpoint
    gsp: str  # the Graph Store Protocol endpoint push should find
    update: str  # the SPARQL Update endpoint push should find
    user: str | None = None
    password: str | None = None

    @property
    def credentials(self) -> dict[str, str | None]:
        return {"user": self.user, "password": self.password}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the store exited ({process.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the store did not answer {url} within {seconds:g} s: "
                f"{log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    if OXIGRAPH is None:
        pytest.skip("the Oxigraph server is not installed (`pip install oxigraph`, in the test extra)")
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = folder / "server.log"
    with open(log, "wb") as out:
        # --union-default-graph: the default graph is the union of the named graphs, as on
        # `policykg serve` and locally (the competency questions rely on it; queries that name
        # their graphs are not affected)
        process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(folder / "db"),
                                    "--bind", f"127.0.0.1:{port}", "--union-default-graph"], stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base + "/query", process, log, 30)
        yield Store("oxigraph", base, base + "/query", base + "/store", base + "/update")
    finally:
        stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 0
DirsAllowed        = ., {db}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000

[HTTPServer]
ServerPort    = 127.0.0.1:{http_port}
ServerRoot    = {db}
ServerThreads = 10
Charset       = UTF-8

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    if VIRTUOSO is None:
        pytest.skip("virtuoso-t is not installed: Debian's virtuoso-opensource package could not "
                    "be installed here (scripts/system-deps.sh installs it when apt can)")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=folder, sql_port=sql_port, http_port=http_port),
                   encoding="utf-8")
    log = folder / "server.log"
    with open(log, "wb") as out:
        # -f: in the foreground, so that this process is the server and stops with it
        process = subprocess.Popen([VIRTUOSO, "-f", "-c", str(ini)], cwd=folder, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{http_port}"
        wait_until_ready(base + "/sparql", process, log, 45)
        yield Store("virtuoso", base + "/sparql", base + "/sparql",
                    base + "/sparql-graph-crud-auth", base + "/sparql-auth", "dba", "dba")
    finally:
        stop(process)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Store:
    return request.getfixturevalue(f"{request.param}_server")


# --------------------------------------------------------------------------------------------
# Reading the store back
# --------------------------------------------------------------------------------------------

def term_text(kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> str:
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return "_:"
    if lang:
        return f'"{value}"@{lang.lower()}'
    if datatype and datatype != XSD_STRING:
        return f'"{value}"^^<{datatype}>'
    return f'"{value}"'


def remote_rows(store: Store, query: str) -> list[tuple[str, ...]]:
    response = httpx.post(store.query, data={"query": PREFIXES + query}, timeout=60,
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text[:1000]
    answer = response.json()
    names = answer["head"]["vars"]
    rows = []
    for binding in answer["results"]["bindings"]:
        rows.append(tuple(term_text(b["type"].replace("typed-literal", "literal"), b["value"],
                                    b.get("datatype"), b.get("xml:lang"))
                          if (b := binding.get(n)) else "" for n in names))
    return sorted(rows)


def local_rows(dataset: ox.Store, query: str) -> list[tuple[str, ...]]:
    rows = []
    for solution in dataset.query(PREFIXES + query):
        row = []
        for term in solution:
            if term is None:
                row.append("")
            elif isinstance(term, ox.NamedNode):
                row.append(term_text("uri", term.value))
            elif isinstance(term, ox.BlankNode):
                row.append("_:")
            else:
                row.append(term_text("literal", term.value, term.datatype.value, term.language))
        rows.append(tuple(row))
    return sorted(rows)


def remote_graph(store: Store, graph: str) -> Graph:
    """The graph as the store holds it, read with SELECT (the same for every store)."""
    response = httpx.post(store.query, timeout=60, headers={"Accept": "application/sparql-results+json"},
                          data={"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 200, response.text[:1000]

    def term(b: dict[str, str]):
        if b["type"] == "uri":
            return URIRef(b["value"])
        if b["type"] == "bnode":
            return BNode(b["value"].replace("nodeID://", ""))
        if "xml:lang" in b:
            return Literal(b["value"], lang=b["xml:lang"])
        datatype = b.get("datatype")
        return Literal(b["value"], datatype=URIRef(datatype) if datatype and datatype != XSD_STRING else None)

    out = Graph()
    for row in response.json()["results"]["bindings"]:
        out.add((term(row["s"]), term(row["p"]), term(row["o"])))
    return out


def local_graph(build_dir: Path, graph: str) -> Graph:
    """The graph as the build holds it (simple literals without xsd:string, as read back)."""
    return rdflib_graph(q.triple for q in ox.parse(path=str(build_dir / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
                        if q.graph_name.value == graph)


def assert_counts(result: PushResult, expected: dict[str, int]) -> None:
    assert result.expected == expected
    assert result.found == expected, result.summary()
    assert result.verified


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------

def test_push_finds_the_gsp_and_the_counts_match(store: Store, seed: Path) -> None:
    result = push(seed, store.endpoint, **store.credentials)
    assert (result.protocol, result.write_url, result.query_url, result.store) == \
        ("gsp", store.gsp, store.query, store.name)
    assert_counts(result, graph_counts(seed))
    # every graph reads back as it is in the build, blank nodes and literals included
    for graph in (GRAPHS["ontology"].value, DATA):
        assert to_isomorphic(remote_graph(store, graph)) == to_isomorphic(local_graph(seed, graph))


def test_a_second_push_replaces_each_graph(store: Store, seed: Path, seed_plus_one: Path) -> None:
    bigger = push(seed_plus_one, store.endpoint, **store.credentials)
    assert_counts(bigger, graph_counts(seed_plus_one))
    assert remote_rows(store, f"SELECT ?p WHERE {{ GRAPH <{DATA}> {{ <{NDA}> ?p ?o }} }}")
    for _ in range(2):  # back to the seed, twice: nothing of the bigger build is left over
        assert_counts(push(seed, store.endpoint, **store.credentials), graph_counts(seed))
    assert remote_rows(store, f"SELECT ?p WHERE {{ GRAPH <{DATA}> {{ <{NDA}> ?p ?o }} }}") == []


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_queries_give_the_same_rows_on_the_store_as_locally(store: Store, seed: Path, name: str) -> None:
    push(seed, store.endpoint, **store.credentials)
    graphs = {role: g.value for role, g in GRAPHS.items()}
    query = QUERIES[name]
    for role, iri in graphs.items():
        query = query.replace("{" + role + "}", iri)
    expected = local_rows(local_dataset(seed), query)
    assert expected, name
    assert remote_rows(store, query) == expected


def test_sparql_update_in_small_chunks_keeps_blank_nodes_whole(store: Store, seed: Path) -> None:
    """Forced SPARQL Update, 50 triples a request: the ontology's blank nodes (owl:unionOf
    lists) must come out as one node each, whatever request their triples travel in."""
    result = push(seed, store.endpoint, protocol="update", chunk_size=50, **store.credentials)
    assert (result.protocol, result.write_url) == ("update", store.update)
    assert_counts(result, graph_counts(seed))
    assert result.requests > 100
    ontology = GRAPHS["ontology"].value
    assert to_isomorphic(remote_graph(store, ontology)) == to_isomorphic(local_graph(seed, ontology))


def test_union_into_one_graph(store: Store, seed: Path) -> None:
    for protocol in ("gsp", "update"):
        result = push(seed, store.endpoint, graph=UNION, protocol=protocol, **store.credentials)
        union = {q.triple for q in ox.parse(path=str(seed / "policykg.nq"), format=ox.RdfFormat.N_QUADS)}
        assert_counts(result, {UNION: len(union)})
    query = QUERIES["the quote for MIIT guiding Article 75"]
    local = query.replace("{provenance}", PROVENANCE).replace("{data}", DATA)
    remote = query.replace("{provenance}", UNION).replace("{data}", UNION)
    assert remote_rows(store, remote) == local_rows(local_dataset(seed), local)


def test_the_cli_pushes_and_reports_the_counts(store: Store, seed: Path) -> None:
    args = [sys.executable, "-m", "policykg", "push", "--endpoint", store.endpoint, "--dist", str(seed)]
    env = dict(os.environ)
    if store.user:  # the password from the environment, off the command line
        args += ["--user", store.user]
        env["POLICYKG_PASSWORD"] = store.password
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          stdin=subprocess.DEVNULL, env=env)
    assert proc.returncode == 0, proc.stderr
    for graph, n in graph_counts(seed).items():
        assert f"{graph}: {n} of {n} triples  ok" in proc.stdout


def test_virtuoso_wants_credentials(virtuoso_server: Store, seed: Path) -> None:
    with pytest.raises(StoreAuthError) as info:
        push(seed, virtuoso_server.endpoint)
    assert info.value.status_code in (401, 403) and "--user" in str(info.value)
    with pytest.raises(StoreAuthError) as info:
        push(seed, virtuoso_server.endpoint, user="dba", password="not-the-password")
    assert info.value.status_code == 401 and info.value.exit_code == 2


def _doc_query(marker: str) -> str:
    """The ```sparql block of docs/scale-out.md whose first line is ``marker``."""
    text = (ROOT / "docs" / "scale-out.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sparql\n(.*?)```", text, re.DOTALL) if b.startswith(marker)]
    assert len(blocks) == 1, marker
    return blocks[0]


def test_the_federated_query_of_the_scale_out_doc_joins_pilot_areas_with_a_wikidata_stand_in(
        oxigraph_server: Store, seed: Path, tmp_path: Path) -> None:
    """docs/scale-out.md's worked query (issue 17), on an Oxigraph server holding a pushed seed,
    with its SERVICE pointed at a second, local Oxigraph server that stands in for Wikidata:
    made-up items, each with the GeoNames id of one linked area of the lexicon (P1566) and a
    population (P1082). What is checked is the join on the links, not Wikidata."""
    from policykg.pipeline.lexicon import load_lexicon

    query = _doc_query("# scale-out: pilot areas with Wikidata")
    assert "SERVICE <https://query.wikidata.org/sparql>" in query
    push(seed, oxigraph_server.endpoint)
    linked = [e for e in load_lexicon().of_kind("area") if e.geonames]
    wdt, wd = "http://www.wikidata.org/prop/direct/", "http://www.wikidata.org/entity/"
    items = {e.geonames: f"{wd}Q{900000 + i}" for i, e in enumerate(linked)}
    port = free_port()
    log = tmp_path / "wikidata-stand-in.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "db"),
                                    "--bind", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base + "/query", process, log, 30)
        data = " ".join(f'<{item}> <{wdt}P1566> "{gid}" ; <{wdt}P1082> {1000 + int(gid) % 997} .'
                        for gid, item in items.items())
        loaded = httpx.post(base + "/update", content=f"INSERT DATA {{ {data} }}", timeout=30,
                            headers={"Content-Type": "application/sparql-update"})
        assert loaded.status_code in (200, 204), loaded.text
        answer = httpx.post(oxigraph_server.query, timeout=60,
                            data={"query": query.replace("https://query.wikidata.org/sparql", base + "/query")},
                            headers={"Accept": "application/sparql-results+json"})
    finally:
        stop(process)
    assert answer.status_code == 200, answer.text[:1000]
    rows = [{k: v["value"] for k, v in b.items()} for b in answer.json()["results"]["bindings"]]
    local = local_dataset(seed)
    pilot = {s["a"].value for s in local.query(
        "SELECT DISTINCT ?a WHERE { GRAPH ?g { ?n <https://w3id.org/policykg/ontology#pilotArea> ?a } }")}
    by_iri = {e.iri: e for e in linked}
    expected = {iri for iri in pilot if iri in by_iri}
    assert len(expected) >= 24
    assert {r["area"] for r in rows} == expected and len(rows) == len(expected)
    for r in rows:
        entry = by_iri[r["area"]]
        assert (r["name"], r["geonames"], r["item"]) == (entry.name_en, entry.geonames, items[entry.geonames])
        assert int(r["population"]) == 1000 + int(entry.geonames) % 997
    populations = [int(r["population"]) for r in rows]
    assert populations == sorted(populations, reverse=True)


def test_errors_name_the_url_and_the_status(oxigraph_server: Store, seed: Path, tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(StoreError, match="cannot reach the store") as info:
        push(seed, f"http://127.0.0.1:{port}")
    assert f"127.0.0.1:{port}" in str(info.value) and info.value.status_code is None
    with pytest.raises(StoreError, match="found no SPARQL query endpoint") as info:
        push(seed, oxigraph_server.endpoint + "/no/such/store")
    assert "HTTP 404" in str(info.value)
    with pytest.raises(InputError, match="both a user and a password"):
        push(seed, oxigraph_server.endpoint, user="someone")
    with pytest.raises(InputError, match="not an HTTP"):
        push(seed, "ftp://127.0.0.1/store")
    # a build whose files no longer match SHA256SUMS is not pushed
    broken = tmp_path / "dist"
    shutil.copytree(seed, broken)
    with open(broken / "policykg.nq", "ab") as handle:
        handle.write(b"<https://example.org/s> <https://example.org/p> <https://example.org/o> "
                     b"<https://w3id.org/policykg/graph/data> .\n")
    with pytest.raises(InputError, match="do not match SHA256SUMS"):
        push(broken, oxigraph_server.endpoint)
    proc = subprocess.run([sys.executable, "-m", "policykg", "push", "--endpoint",
                           f"http://127.0.0.1:{port}", "--dist", str(seed)], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "cannot reach the store" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture()
def basic_auth_proxy(oxigraph_server: Store) -> Iterator[tuple[str, list[int]]]:
    """The Oxigraph server behind a proxy that wants HTTP Basic and does not say what it is."""
    expected = "Basic " + base64.b64encode(b"reader:s3cret").decode()
    statuses: list[int] = []

    class Proxy(BaseHTTPRequestHandler):
        def forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") != expected:
                statuses.append(401)
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="policykg test"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer = httpx.request(self.command, oxigraph_server.endpoint + self.path, content=body,
                                   headers={k: v for k, v in self.headers.items()
                                            if k.lower() in ("content-type", "accept")}, timeout=60)
            statuses.append(answer.status_code)
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = forward

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", statuses
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_basic_authentication_and_a_store_that_does_not_say_what_it_is(
        basic_auth_proxy: tuple[str, list[int]], seed: Path) -> None:
    url, statuses = basic_auth_proxy
    result = push(seed, url, user="reader", password="s3cret")
    assert result.store.startswith("BaseHTTP")  # its Server header: the usual paths were tried
    assert (result.protocol, result.write_url) == ("gsp", url + "/store")
    assert_counts(result, graph_counts(seed))
    assert statuses.count(401) == 1  # challenged once, then Basic from the first request on
    with pytest.raises(StoreAuthError) as info:
        push(seed, url, user="reader", password="wrong")
    assert info.value.status_code == 401


# --------------------------------------------------------------------------------------------
# Every competency question, on the store as locally
# --------------------------------------------------------------------------------------------

#: (store, competency question) -> (why the store answers differently, what the test then
#: raises): such a case is a strict xfail, so that it is noticed when the store is fixed.
#: docs/scale-out.md gives users the caveats and the equivalent forms that work.
#: (store, query) -> (reason, exception) for a store that answers a competency query differently
#: from the local engine; empty since 05 and 16 avoid two Virtuoso 7.2 bugs (docs/scale-out.md).
DIFFERENT_ANSWERS: dict[tuple[str, str], tuple[str, type[Exception]]] = {}


def held(store: Store) -> dict[str, int]:
    """Triples per graph on the store, for the build's four graphs and the union graph (one
    count a request: Virtuoso takes a second for one query that counts them all)."""
    counts = {}
    with httpx.Client(timeout=60, headers={"Accept": "application/sparql-results+json"}) as client:
        for graph in [*(g.value for g in GRAPHS.values()), UNION]:
            response = client.post(store.query, data={
                "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
            assert response.status_code == 200, response.text[:1000]
            counts[graph] = int(response.json()["results"]["bindings"][0]["n"]["value"])
    return counts


@pytest.fixture(scope="module")
def everything_counts(everything: Path) -> dict[str, int]:
    return {**graph_counts(everything), UNION: 0}


@pytest.fixture()
def everything_on(store: Store, everything: Path, everything_counts: dict[str, int]) -> Store:
    """``store`` holding the build of every document, and nothing else of this module.

    Pushed once per store: the other tests push other builds in between, so the store's graphs
    are counted first and the build pushed again only when they differ. The graph
    ``test_union_into_one_graph`` pushed is dropped: both stores' default graph would include it.
    """
    if held(store) != everything_counts:
        response = httpx.post(store.update, content=f"DROP SILENT GRAPH <{UNION}>", timeout=60,
                              headers={"Content-Type": "application/sparql-update"},
                              auth=httpx.DigestAuth(store.user, store.password) if store.user else None)
        assert response.status_code in (200, 204), response.text[:1000]
        assert_counts(push(everything, store.endpoint, **store.credentials), graph_counts(everything))
        assert held(store) == everything_counts
    return store


def ordered(query: str) -> bool:
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    return re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE) is not None


def same_rows(actual: QueryResult, expected: QueryResult, ordered_rows: bool) -> bool:
    """As tests/test_competency.py compares: a list when the query orders its rows, else a bag."""
    if ordered_rows:
        return list(actual.rows) == list(expected.rows)
    return Counter(actual.rows) == Counter(expected.rows)


@pytest.mark.parametrize("cq", CQS, ids=[cq.name for cq in CQS])
def test_competency_question_on_the_store_as_locally(
        everything_on: Store, everything: Path, cq: CompetencyQuery, request: pytest.FixtureRequest) -> None:
    store = everything_on
    local = run_query(cq.query, build=everything)
    expected = read_expected(cq.expected)
    by_order = ordered(cq.query)
    # the local answer is the expected one (as in tests/test_competency.py) ...
    assert local.variables == expected.variables
    assert same_rows(local, expected, by_order), "locally:\n" + local.to_table()
    if (store.name, cq.name) in DIFFERENT_ANSWERS:  # marked here: only the store's answer may fail
        reason, raises = DIFFERENT_ANSWERS[store.name, cq.name]
        request.applymarker(pytest.mark.xfail(reason=reason, raises=raises, strict=True))
    # ... and the store's is the local one, term for term: no normalisation is needed, both
    # stores give back the build's literals as they are (integers and counts as xsd:integer,
    # dates as xsd:date, simple literals as xsd:string, language tags as written)
    remote = run_query(cq.query, endpoint=store.query, timeout=60)
    assert remote.kind == "solutions" and remote.variables == local.variables
    assert same_rows(remote, local, by_order), (
        f"{cq.name} on {store.name}:\n" + remote.to_table() + "locally:\n" + local.to_table())
