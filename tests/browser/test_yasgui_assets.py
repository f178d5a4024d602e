"""The installed YASGUI bundle works offline in the real browser.

A tiny page, served from 127.0.0.1 together with YASGUI's JS and CSS (from
`policykg.server.webassets.assets_dir()`) and a fake SPARQL endpoint answering a fixed result, is
opened in headless Chromium; a query is typed into the editor and run, and the result table
must show the fixed rows. Every request the page makes is recorded: none may leave the local
server (anything else is aborted and fails the test).
"""
from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from policykg.server.webassets import ASSETS, assets_dir

# The offline configuration the real UI should use too (see policykg.server.webassets).
PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>YASGUI offline check</title>
<link rel="stylesheet" href="/assets/yasgui.min.css">
<script src="/assets/yasgui.min.js"></script>
<style>body { margin: 0; font-family: "Noto Sans CJK SC", sans-serif; }</style>
</head>
<body>
<div id="yasgui"></div>
<script>
  const endpoint = new URL("/sparql", window.location.href).href;
  // The class and property autocompleters ask lov.linkeddata.es; the config's own
  // yasqe.autocompleters list is merged index by index into this one, so filter it here.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(
    (name) => name !== "class" && name !== "property");
  window.yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    copyEndpointOnNewTab: false,
    populateFromUrl: false,
    persistenceId: null,
    yasqe: { prefixCcApi: null },
  });
</script>
</body>
</html>
"""

RESULT = {
    "head": {"vars": ["measure", "label"]},
    "results": {
        "bindings": [
            {
                "measure": {"type": "uri", "value": "https://example.org/policykg/measure/m1"},
                "label": {"type": "literal", "value": "数据出境安全评估", "xml:lang": "zh"},
            },
            {
                "measure": {"type": "uri", "value": "https://example.org/policykg/measure/m2"},
                "label": {"type": "literal", "value": "数据分类分级试点", "xml:lang": "zh"},
            },
            {
                "measure": {"type": "uri", "value": "https://example.org/policykg/measure/m3"},
                "label": {"type": "literal", "value": "Data element market pilot"},
            },
        ]
    },
}

# Typed key by key: the undeclared skos: and rdfs: prefixes make YASQE add PREFIX lines from the
# list bundled in its JS (no prefix.cc), and "a skos:Con..." is where the class autocompleter
# would ask lov.linkeddata.es if it were left on.
QUERY = "SELECT ?measure ?label WHERE { ?measure a skos:Concept ; rdfs:label ?label } LIMIT 3"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    queries: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _sparql(self, query: str | None) -> None:
        if not query:
            self._send(400, "text/plain", b"no query")
            return
        self.server.queries.append(query)
        self._send(200, "application/sparql-results+json", json.dumps(RESULT).encode())

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path == "/":
            self._send(200, "text/html; charset=utf-8", PAGE.encode())
        elif url.path.startswith("/assets/") and url.path[len("/assets/"):] in ASSETS:
            name = url.path[len("/assets/"):]
            self._send(200, ASSETS[name], (assets_dir() / name).read_bytes())
        elif url.path == "/sparql":
            self._sparql(parse_qs(url.query).get("query", [None])[0])
        else:
            self._send(404, "text/plain", b"not found")

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path != "/sparql":
            self._send(404, "text/plain", b"not found")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/sparql-query"):
            self._sparql(body)
        else:
            self._sparql(parse_qs(body).get("query", [None])[0])


@pytest.fixture
def yasgui_site() -> Iterator[_Server]:
    """The page, the assets and the fake endpoint on 127.0.0.1, on a free port, in a thread."""
    if assets_dir() is None:
        if shutil.which("npm") is None:
            pytest.skip("YASGUI is not installed and npm is missing (install nodejs/npm, "
                        "then `make install`)")
        pytest.fail("YASGUI is not installed: run `make install` (npm ci --prefix web)")
    server = _Server(("127.0.0.1", 0), _Handler)
    server.queries = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_yasgui_runs_a_query_offline(page, yasgui_site, screenshot_dir):
    host, port = yasgui_site.server_address[:2]
    base = f"http://{host}:{port}"

    requests: list[str] = []
    foreign: list[str] = []
    errors: list[str] = []

    def guard(route):
        url = route.request.url
        requests.append(url)
        if url.startswith(base + "/") or url.startswith("data:"):
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    started = time.monotonic()
    page.goto(base + "/")
    editor = page.locator(".yasqe .CodeMirror")
    editor.wait_for()

    # Type the query into the editor, replacing whatever the default tab holds.
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(QUERY, delay=5)
    yasqe = "window.yasgui.getTab().getYasqe()"
    typed = page.evaluate(f"() => {yasqe}.getValue()")
    assert typed.endswith(QUERY)
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in typed
    assert "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in typed
    assert page.evaluate(f"() => {yasqe}.queryValid"), "YASQE marks the query as invalid"

    page.locator(".yasqe_queryButton").click()

    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.nth(2).wait_for()
    assert rows.count() == 3
    table_text = page.locator(".yasr table.dataTable tbody").inner_text()
    for want in ("数据出境安全评估", "数据分类分级试点", "Data element market pilot",
                 "measure/m1", "measure/m3"):
        assert want in table_text

    # The fake endpoint got the query as typed, with the PREFIX lines YASQE added.
    assert yasgui_site.queries == [typed]

    page.screenshot(path=str(screenshot_dir / "yasgui_assets.png"), full_page=True)
    elapsed = time.monotonic() - started

    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not foreign, f"the page reached beyond the local server: {foreign}"
    assert any(u.endswith("/assets/yasgui.min.js") for u in requests)
    assert elapsed < 60
