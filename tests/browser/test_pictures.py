"""The pictures in a real headless Chromium: the map, the timeline, an entity's neighbourhood.

Each test opens a picture on the seed's server (the ``site`` fixture), waits until it is drawn,
checks that it drew as many marks as a SPARQL query over the same build says (places and
provinces, bars and dots, nodes and links), selects one and lands on the page of what it
stands for, and saves screenshots in ``test-output/screenshots/``. Every request the pages
make stays on 127.0.0.1 (``traffic``): d3 and the province shapes come from our server.
"""
from __future__ import annotations

import shutil

import httpx
import pytest

BASE = "https://w3id.org/policykg/"
ID = BASE + "id/"
DATA = "https://w3id.org/policykg/graph/data"
PREFIXES = """PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""


@pytest.fixture(autouse=True)
def d3_installed() -> None:
    from policykg.server.webassets import package_dir

    if package_dir("d3") is None:
        if shutil.which("npm") is None:
            pytest.skip("d3 is not installed and npm is missing (install nodejs/npm, then `make install`)")
        pytest.fail("d3 is not installed: run `make install` (npm ci --prefix web)")


def select(site, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT, asked of the server's SPARQL endpoint (the build being drawn)."""
    r = httpx.post(site.url + "/sparql", data={"query": PREFIXES + query},
                   headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def drawn(page, holder: str) -> None:
    page.locator(f'{holder}[data-drawn="true"]').wait_for(state="attached")


def iris(locator) -> set[str]:
    return set(locator.evaluate_all("els => els.map(e => e.getAttribute('data-iri'))"))


# ------------------------------------------------------------------------- the map

def test_map_draws_the_pilot_areas_and_export_bases_and_opens_one(page, site, traffic, screenshot_dir):
    rows = select(site, f"""
        SELECT DISTINCT ?place ?site ?placed WHERE {{ GRAPH <{DATA}> {{
          {{ ?doc pol:pilotArea ?place BIND(false AS ?site) }} UNION {{ ?doc pol:lists ?place BIND(true AS ?site) }}
          BIND(EXISTS {{ ?place wgs84:lat ?a ; wgs84:long ?b }}
               || (?site && EXISTS {{ ?place pol:locatedIn ?in . ?in wgs84:lat ?a ; wgs84:long ?b }}) AS ?placed) }} }}""")
    placed = {r["place"] for r in rows if r["placed"] == "true"}
    areas = {r["place"] for r in rows if r["placed"] == "true" and r["site"] == "false"}
    unplaced = {r["place"] for r in rows} - placed

    page.goto(site.url + "/map")
    drawn(page, "#map")
    marks = page.locator("#map svg a.pk-mark")
    assert marks.count() == len(placed) == 37
    assert iris(marks) == placed
    assert iris(page.locator("#map svg a.pk-area")) == areas
    assert page.locator("#map svg a.pk-site").count() == len(placed - areas) == 10
    # the places it could not draw are counted, not hidden
    assert page.locator("#map-unplaced").get_attribute("data-count") == str(len(unplaced)) == "1"
    assert "1 could not be placed" in page.locator("#map-caption").inner_text()

    # the provinces: the shapes this server derived from Natural Earth, one path each
    shapes = httpx.get(site.url + "/assets/geo/china.json", timeout=30)
    if shapes.status_code == 200:
        provinces = page.locator("#map svg path.pk-province")
        assert provinces.count() == len(shapes.json()["features"]) >= 34
        assert any(u.startswith(site.url + "/assets/geo/china.json") for u in traffic.requests)

    # coloured by notice: Beijing has the notice's colour, its export base the list's
    data = page.evaluate("() => JSON.parse(document.getElementById('map-data').textContent)")
    colour = {d["label"]: d["colour"] for d in data["documents"]}
    notice = next(c for label, c in colour.items() if label.startswith("Notice"))
    beijing = page.locator(f'#map a.pk-mark[data-iri="{ID}area/beijing"]')
    assert beijing.locator("path.pk-shape").first.get_attribute("fill") == notice
    base = page.locator(f'#map a.pk-mark[data-iri="{ID}export-base/zhongguancun-software-park"]')
    assert base.locator("path.pk-shape").get_attribute("fill") == colour["First batch of digital service export bases"]
    assert "Beijing" in beijing.get_attribute("aria-label")

    page.screenshot(path=str(screenshot_dir / "pictures_map.png"), full_page=True)
    page.locator("figure.pk-figure").screenshot(path=str(screenshot_dir / "pictures_map_figure.png"))

    # pointing at a place names it; selecting it opens its page
    beijing.hover()
    tip = page.locator("#map .pk-tip")
    tip.wait_for()
    assert "Beijing" in tip.inner_text() and "北京市" in tip.inner_text()
    with page.expect_navigation():
        beijing.click()
    assert page.url == site.url + "/id/area/beijing"
    assert page.title().startswith("Beijing")
    traffic.check()
    assert any("/assets/d3/d3.min.js" in u for u in traffic.requests)


def test_map_legend_picks_out_one_documents_places(page, site, traffic, screenshot_dir):
    page.goto(site.url + "/map")
    drawn(page, "#map")
    listed = select(site, f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH <{DATA}> {{ ?l pol:lists ?b }} }}")
    item = page.locator("#map-legend li", has_text="First batch of digital service export bases")
    item.hover()
    marks = page.locator("#map svg a.pk-mark")
    dimmed = page.locator("#map svg a.pk-mark.pk-dimmed")
    assert marks.count() - dimmed.count() == int(listed[0]["n"]) == 10
    page.mouse.move(0, 0)
    assert dimmed.count() == 0
    item.locator("a").focus()  # the keyboard does the same
    assert marks.count() - dimmed.count() == 10
    page.locator("#map").screenshot(path=str(screenshot_dir / "pictures_map_legend.png"))
    item.locator("a").blur()
    assert dimmed.count() == 0
    # keyboard: a place takes the focus, and Enter opens it
    mark = page.locator(f'#map a.pk-mark[data-iri="{ID}export-base/qilu-software-park"]')
    mark.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site.url + "/id/export-base/qilu-software-park"
    traffic.check()


# ------------------------------------------------------------------------- the timeline

def test_timeline_draws_issue_dates_trial_periods_and_today(page, site, traffic, screenshot_dir):
    page.goto(site.url + "/timeline")
    drawn(page, "#timeline")
    day = page.evaluate("() => JSON.parse(document.getElementById('timeline-data').textContent).day")
    issued = select(site, f"SELECT DISTINCT ?d WHERE {{ GRAPH <{DATA}> {{ ?d pol:issuedOn ?date }} }}")
    trials = select(site, f"""SELECT DISTINCT ?d ?end WHERE {{ GRAPH <{DATA}> {{
        ?d pol:trialStart ?start ; pol:trialEnd ?end }} }}""")
    ended = [t for t in trials if t["end"] < day]
    bars = page.locator("#timeline svg rect.pk-bar")
    dots = page.locator("#timeline svg circle.pk-issued")
    assert bars.count() == len(trials) == 1
    assert dots.count() == len(issued) == 2
    assert page.locator("#timeline svg rect.pk-bar.pk-ended").count() == len(ended)
    today = page.locator("#timeline svg .pk-today-label")
    assert today.count() == 1 and today.text_content() == f"today {day}"
    assert page.locator("#timeline svg line.pk-today-line").count() == 1
    page.screenshot(path=str(screenshot_dir / "pictures_timeline.png"), full_page=True)

    # another day: the seed's notice was running on 1 June 2021
    page.goto(site.url + "/timeline?on=2021-06-01")
    drawn(page, "#timeline")
    assert page.locator("#timeline svg rect.pk-bar.pk-running").count() == 1
    assert page.locator("#timeline svg .pk-today-label").text_content() == "2021-06-01"
    page.locator("#timeline").screenshot(path=str(screenshot_dir / "pictures_timeline_2021.png"))

    with page.expect_navigation():
        page.locator("#timeline svg a.pk-trial").first.click()
    assert page.url == site.url + "/id/document/notice-stimulating-innovative-development-trade-services-pilot-areas-2020"
    traffic.check()


# ------------------------------------------------------------------------- the neighbourhood

def test_agency_page_draws_its_neighbourhood_and_opens_a_measure(page, site, traffic, screenshot_dir):
    cac = ID + "agency/cac"
    neighbours = select(site, f"""
        SELECT DISTINCT ?n WHERE {{ GRAPH <{DATA}> {{
          {{ <{cac}> ?p ?n }} UNION {{ ?n ?p <{cac}> }}
          UNION {{ {{ <{cac}> ?p1 ?m }} UNION {{ ?m ?p1 <{cac}> }} ?m a pol:Measure .
                   {{ ?m ?p2 ?n }} UNION {{ ?n ?p2 ?m }} }}
          ?n a ?type FILTER(STRSTARTS(STR(?type), STR(pol:)) && ?n != <{cac}>) }} }}""")
    guided = select(site, f"SELECT ?m WHERE {{ GRAPH <{DATA}> {{ ?m pol:guidedBy <{cac}> }} }}")

    page.goto(site.url + "/id/agency/cac")
    drawn(page, "#graph")
    nodes = page.locator("#graph svg a.pk-node")
    assert nodes.count() == 1 + len(neighbours) == 20
    assert iris(nodes) == {cac} | {r["n"] for r in neighbours}
    data = page.evaluate("() => JSON.parse(document.getElementById('graph-data').textContent)")
    assert page.locator("#graph svg line.pk-link").count() == len(data["links"]) == 23
    # at a glance: the CAC guides Articles 76, 79 and 83
    centre = page.locator("#graph svg a.pk-node.pk-centre")
    assert centre.get_attribute("data-iri") == cac and centre.locator("text").text_content() == "CAC"
    labels = {m["m"]: page.locator(f'#graph a.pk-node[data-iri="{m["m"]}"] text').text_content() for m in guided}
    assert sorted(labels.values()) == ["Article 76", "Article 79", "Article 83"]
    spokes = [lk for lk in data["links"] if lk["target"] == cac and lk["label"] == "guided by"]
    assert {lk["source"] for lk in spokes} == set(labels)
    page.locator("#graph").screenshot(path=str(screenshot_dir / "pictures_neighbourhood_cac.png"))
    page.screenshot(path=str(screenshot_dir / "pictures_entity_cac.png"), full_page=True)

    # a node can be dragged without leaving the page
    ndrc = page.locator(f'#graph a.pk-node[data-iri="{ID}agency/ndrc"]')
    before = ndrc.get_attribute("transform")
    box = ndrc.locator("circle").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + 40, steps=6)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert page.url == site.url + "/id/agency/cac"
    assert ndrc.get_attribute("transform") != before

    # selecting a measure opens its page, which draws its own neighbourhood
    article = next(m for m, label in labels.items() if label == "Article 76")
    with page.expect_navigation():
        page.locator(f'#graph a.pk-node[data-iri="{article}"] circle').click()
    assert page.url == site.url + "/id/" + article[len(ID):]
    drawn(page, "#graph")
    assert page.locator("#graph svg a.pk-node.pk-centre").get_attribute("data-iri") == article
    assert page.locator("#graph svg a.pk-node").count() >= 5
    page.locator("#graph").screenshot(path=str(screenshot_dir / "pictures_neighbourhood_article76.png"))
    traffic.check()
