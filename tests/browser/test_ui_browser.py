"""The web UI in a real headless Chromium, against a real ``policykg serve`` process.

The seed is built into a temporary folder and served on 127.0.0.1 (the ``site`` fixture of
``conftest.py``); the browser opens the home page, runs a competency query in YASGUI and sees
its rows, uses the search box, and walks from a document's page to an agency's. Every request
the pages make is recorded (``traffic``): any to another host is aborted and fails the test.
Screenshots go to ``test-output/screenshots/``.
"""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

BASE = "https://w3id.org/policykg/"


def _yasgui_installed() -> bool:
    from policykg.server.webassets import assets_dir

    return assets_dir() is not None


def _offered_queries(site, page) -> list[dict]:
    import json

    return json.loads(page.locator("#policykg-config").text_content())["queries"]


def _rows_of(site, query: str) -> int:
    r = httpx.post(site.url + "/sparql", data={"query": query},
                   headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return len(r.json()["results"]["bindings"])


# ------------------------------------------------------------------------- the tests

def test_home_runs_a_competency_query_in_yasgui(page, site, traffic, screenshot_dir):
    if not _yasgui_installed():
        pytest.skip("YASGUI is not installed (make install); the plain form is tested below")
    page.goto(site.url + "/")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.screenshot(path=str(screenshot_dir / "ui_home.png"), full_page=True)

    # the first offered query (in file order) that has rows on the seed, and not the first option
    queries = _offered_queries(site, page)
    assert len(queries) >= 3
    options = page.locator("#cq-select option")
    assert options.count() == len(queries)
    assert [options.nth(i).inner_text().strip() for i in range(len(queries))] == [q["question"] for q in queries]
    chosen, expected = None, 0
    for q in queries[1:]:
        expected = _rows_of(site, q["query"])
        if expected:
            chosen = q
            break
    assert chosen is not None, "no offered query has rows on the seed"

    # typing where YASQE's class autocompleter would ask lov.linkeddata.es, and undeclared
    # prefixes it would look up on prefix.cc: both are off (the guard fails the test otherwise)
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT * WHERE { ?s a skos:Con", delay=10)
    page.wait_for_timeout(500)

    page.select_option("#cq-select", chosen["id"])
    yasqe = "window.policykgYasgui.getTab().getYasqe()"
    assert page.evaluate(f"() => {yasqe}.getValue()") == chosen["query"]
    assert page.evaluate(f"() => {yasqe}.queryValid")
    page.locator(".yasqe_queryButton").click()

    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.nth(min(expected, 50) - 1).wait_for()
    assert rows.count() == min(expected, 50)
    assert "No data available" not in page.locator(".yasr table.dataTable tbody").inner_text()
    page.locator("#query").screenshot(path=str(screenshot_dir / "ui_query_results.png"))

    # the query went to our endpoint, by POST
    assert any(u == site.url + "/sparql" for u in traffic.requests)
    assert any("/assets/yasgui/yasgui.min.js" in u for u in traffic.requests)

    # an IRI in the results opens this server's page for it, not w3id.org
    page.get_by_label("Ellipse").uncheck()  # whole IRIs: a cut-short link is hidden under its cell
    link = page.locator(f'.yasr table.dataTable tbody a[href^="{BASE}id/"]').first
    with page.context.expect_page() as opened:
        link.click()
    entity = opened.value
    entity.wait_for_load_state()
    assert entity.url.startswith(site.url + "/id/"), entity.url
    entity.close()
    traffic.check()


def test_plain_query_form_without_yasgui(page, site, traffic):
    """Without YASGUI the page offers a form; with it, no textarea form is shown."""
    page.goto(site.url + "/")
    if _yasgui_installed():
        assert page.locator("#plain-query").count() == 0
        traffic.check()
        return
    queries = _offered_queries(site, page)
    page.select_option("#cq-select", queries[-1]["id"])
    assert page.locator("#plain-query").input_value() == queries[-1]["query"]
    assert "make install" in page.locator("#query").inner_text()
    traffic.check()


def test_search_box_suggests_and_opens_an_entity(page, site, traffic, screenshot_dir):
    page.goto(site.url + "/")
    page.locator("#home-q").click()
    page.keyboard.type("网信", delay=30)
    suggestion = page.locator("#home-q-list li").first
    suggestion.wait_for()
    assert "Cyberspace Administration of China" in page.locator("#home-q-list").inner_text()
    page.screenshot(path=str(screenshot_dir / "ui_search_suggest.png"))
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site.url + "/id/agency/cac"
    assert "Cyberspace Administration of China" in page.title()

    # the search page itself
    page.goto(site.url + "/search?q=" + "Beijing")
    assert page.locator("table.ui-hits tbody tr").count() >= 2
    page.screenshot(path=str(screenshot_dir / "ui_search_page.png"), full_page=True)
    traffic.check()


def test_document_page_links_to_its_agency(page, site, traffic, screenshot_dir):
    page.goto(site.url + "/")
    docs = page.locator("#documents ul.ui-docs a")
    assert docs.count() >= 3
    notice = page.locator("#documents a", has_text="Notice for stimulating innovative development")
    with page.expect_navigation():
        notice.click()
    assert page.url == site.url + "/id/document/notice-stimulating-innovative-development-trade-services-pilot-areas-2020"
    assert page.title().startswith("Notice for stimulating innovative development of trade in services")
    assert "Notice for stimulating innovative development" in page.locator("h1").first.inner_text()
    page.screenshot(path=str(screenshot_dir / "ui_entity_document.png"), full_page=True)

    agency = page.locator('main a[href$="/id/agency/mofcom"]').first
    with page.expect_navigation():
        agency.click()
    assert page.url == site.url + "/id/agency/mofcom"
    assert "Ministry of Commerce" in page.title()
    assert "Ministry of Commerce" in page.locator("h1").first.inner_text()
    page.screenshot(path=str(screenshot_dir / "ui_entity_agency.png"), full_page=True)
    traffic.check()


def test_download_link_serves_the_file(page, site, traffic):
    page.goto(site.url + "/#downloads")
    link = page.locator('#downloads a[href$="/downloads/policykg.ttl"]')
    with page.expect_download() as dl:
        link.click()
    path = dl.value.path()
    assert Path(path).read_bytes() == (site.build / "policykg.ttl").read_bytes()
    assert dl.value.suggested_filename == "policykg.ttl"
    traffic.check()


def test_home_opens_at_the_top_with_the_editor_unfocused(page, site, traffic):
    """The editor is loaded with the first question but does not take the focus: the page opens
    at its top, where the title and the search are (issue 15)."""
    if not _yasgui_installed():
        pytest.skip("YASGUI is not installed (make install)")
    page.set_viewport_size({"width": 1000, "height": 500})  # the editor starts below the fold
    page.goto(site.url + "/")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") == 0
    assert not page.evaluate("document.activeElement && !!document.activeElement.closest('.CodeMirror')")
    traffic.check()
