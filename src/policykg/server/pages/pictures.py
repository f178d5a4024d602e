"""The pictures of the web UI: where the measures apply, who guides them, and when.

Door: :func:`routes` (mounted after the UI's routes) and :func:`neighbourhood` (for the entity
pages of :mod:`policykg.server.pages.entity`). The routes:

``GET /map`` (``map``)
    A map of China with every area a notice designates as a pilot area and every site a
    document lists (export bases, data labelling bases), coloured by that document; each mark
    links to the place's page. Areas without a point in the lexicon are counted and listed,
    not hidden. HTML, or JSON for ``Accept: application/json`` or ``?format=json``.
``GET /timeline`` (``timeline``)
    The documents' issue dates and the notices' trial periods on one time axis, with today
    (or the day ``?on=YYYY-MM-DD``) marked: which pilots are running, which have ended.
    HTML, or JSON likewise.
``GET /assets/geo/china.json`` (``geo_shapes``)
    The provinces the map draws (:func:`policykg.server.webassets.china_shapes`: Natural Earth).
``GET /assets/{package}/{name}`` (``asset``)
    The built files of the npm packages the pages use (:data:`policykg.server.webassets.PACKAGES`:
    d3; YASGUI), cached for a year (pages link them with a content hash).

Each picture is drawn in the browser by ``static/pictures.js`` with d3, from data that the
server computes here with the SPARQL queries of ``queries/ui/`` over the served build, through
the same query workers as ``/sparql``, and hands to the page in a JSON data block. The same
data is written into the page as a table or a list under each picture, for print, for screen
readers and for browsers without JavaScript. Nothing is hard-coded: a build of other
documents draws other pictures.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ...names import ENTITY_KINDS
from ...resources import data_root
from .. import webassets
from ..pool import ClientBusy
from ..render import ASSET_CACHE, asset_url, frame_context, local_href, select, templates, wants_json
from ..state import AppState

log = logging.getLogger("policykg.server")

#: Colours of the documents on the map (Tableau 10, as d3.schemeTableau10), in document order.
PALETTE: tuple[str, ...] = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
#: The kinds of node of the neighbourhood graph: the top classes of the ontology, each with its
#: kind and colour (:data:`policykg.names.ENTITY_KINDS`).
KINDS: dict[str, tuple[str, str]] = {  # local name -> (kind, colour)
    kind.cls: (kind.name, kind.colour) for kind in ENTITY_KINDS.values() if kind.colour is not None}
OTHER_KIND = ("other", "#bab0ac")
#: A trial period's state on the day the timeline marks.
STATUS_COLOURS: dict[str, str] = {"running": "#59a14f", "ended": "#9d9d9d", "upcoming": "#4e79a7"}

MAX_NODES = 60  # a neighbourhood graph larger than this is cut (and says so)
SHORT_LABEL = 28  # characters of a node's label in the graph


# ------------------------------------------------------------------------- queries

def queries_folder() -> Path:
    return data_root() / "queries" / "ui"


@cache
def _read(path: Path, _mtime: int) -> str:
    return path.read_text(encoding="utf-8")


def ui_query(name: str) -> str:
    """The text of ``queries/ui/{name}.rq``."""
    path = queries_folder() / f"{name}.rq"
    return _read(path, path.stat().st_mtime_ns)


async def _rows(state: AppState, name: str, this: str | None = None) -> list[dict[str, Any]]:
    substitutions = (("this", this),) if this is not None else ()
    return await select(state, ui_query(name), max_rows=state.config.max_rows, substitutions=substitutions)


def _href(iri: str, state: AppState) -> str:
    return local_href(iri, state.config.base_iri)


def _local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1] if iri else None


def _label(row: dict[str, Any], key: str, iri: str) -> str:
    return row.get(key) or iri.rstrip("/").rsplit("/", 1)[-1]


# ------------------------------------------------------------------------- the map

async def map_data(state: AppState) -> dict[str, Any]:
    """The places of the map and the documents that designate them (computed once: the
    served build is pinned)."""
    cached = state.extras.get("pictures.map")
    if isinstance(cached, dict):
        return cached
    rows = await _rows(state, "places")
    documents: dict[str, dict[str, Any]] = {}
    places: dict[str, dict[str, Any]] = {}
    for r in rows:
        doc_iri, place_iri = r["doc"], r["place"]
        doc = documents.get(doc_iri)
        if doc is None:
            doc = documents[doc_iri] = {
                "iri": doc_iri, "href": _href(doc_iri, state), "label": _label(r, "docLabel", doc_iri),
                "labelZh": r.get("docLabelZh"), "issued": r.get("issued"), "relations": [], "places": []}
        if r["relation"] not in doc["relations"]:
            doc["relations"].append(r["relation"])
        if place_iri not in doc["places"]:
            doc["places"].append(place_iri)
        place = places.get(place_iri)
        if place is None:
            has_point = r.get("lat") is not None and r.get("long") is not None
            via = r.get("via")
            place = places[place_iri] = {
                "iri": place_iri, "href": _href(place_iri, state), "label": _label(r, "label", place_iri),
                "labelZh": r.get("labelZh"), "type": r.get("typeLabel") or _local(r.get("type")),
                "kind": "site" if r["relation"] == "lists" else "area",
                "lat": float(r["lat"]) if has_point else None, "long": float(r["long"]) if has_point else None,
                "via": {"iri": via, "href": _href(via, state), "label": _label(r, "viaLabel", via)}
                if has_point and via else None,
                "source": r.get("coordSource"), "documents": []}
        if doc_iri not in place["documents"]:
            place["documents"].append(doc_iri)
    # documents in order of issue, then name; each gets a colour and an index
    ordered = sorted(documents.values(), key=lambda d: (d["issued"] or "9999", d["label"].lower(), d["iri"]))
    index = {d["iri"]: i for i, d in enumerate(ordered)}
    for i, d in enumerate(ordered):
        d["index"] = i
        d["colour"] = PALETTE[i % len(PALETTE)]
        d["kind"] = "site" if d["relations"] == ["lists"] else "area"
        d["count"] = len(d.pop("places"))
    all_places = sorted(places.values(), key=lambda p: (p["label"].lower(), p["iri"]))
    for p in all_places:
        p["documents"] = sorted(index[d] for d in p["documents"])
    placed = [p for p in all_places if p["lat"] is not None]
    unplaced = [p for p in all_places if p["lat"] is None]
    for d in ordered:
        d["placed"] = sum(1 for p in placed if d["index"] in p["documents"])
    data = {
        "documents": ordered,
        "places": placed,
        "unplaced": unplaced,
        "counts": {"places": len(all_places), "placed": len(placed), "unplaced": len(unplaced),
                   "areas": sum(1 for p in placed if p["kind"] == "area"),
                   "sites": sum(1 for p in placed if p["kind"] == "site")},
    }
    state.extras["pictures.map"] = data
    return data


# ------------------------------------------------------------------------- the timeline

_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _date(text: str | None) -> dt.date | None:
    if not text or not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def status(start: str | None, end: str | None, day: dt.date) -> str | None:
    """``running``, ``ended`` or ``upcoming`` on ``day`` for a trial period (None without one).

    Both days count: a trial that ends on ``day`` is still running. A period with a start and
    no end runs from its start on.
    """
    first, last = _date(start), _date(end)
    if first is None and last is None:
        return None
    if first is not None and day < first:
        return "upcoming"
    if last is not None and day > last:
        return "ended"
    return "running"


async def timeline_data(state: AppState, day: dt.date, *, is_today: bool) -> dict[str, Any]:
    """The dated documents, their trial periods and their state on ``day``."""
    cached = state.extras.get("pictures.timeline-rows")
    if not isinstance(cached, list):
        cached = await _rows(state, "timeline")
        state.extras["pictures.timeline-rows"] = cached
    documents: dict[str, dict[str, Any]] = {}
    for r in cached:
        iri = r["doc"]
        doc = documents.get(iri)
        if doc is None:
            doc = documents[iri] = {
                "iri": iri, "href": _href(iri, state), "label": _label(r, "label", iri),
                "labelZh": r.get("labelZh"), "types": [], "issued": r.get("issued"),
                "start": r.get("start"), "end": r.get("end")}
        kind = r.get("typeLabel") or _local(r.get("type"))
        if kind and kind not in doc["types"]:
            doc["types"].append(kind)
    ordered = sorted(documents.values(),
                     key=lambda d: (d["start"] or d["issued"] or d["end"] or "9999", d["label"].lower(), d["iri"]))
    counts = {"documents": len(ordered), "issued": 0, "trials": 0, "running": 0, "ended": 0, "upcoming": 0}
    for d in ordered:
        d["types"].sort()
        d["status"] = status(d["start"], d["end"], day)
        if d["issued"]:
            counts["issued"] += 1
        if d["status"]:
            counts["trials"] += 1
            counts[d["status"]] += 1
    return {"day": day.isoformat(), "isToday": is_today, "documents": ordered, "counts": counts,
            "colours": STATUS_COLOURS}


# ------------------------------------------------------------------------- the neighbourhood

def _short(label: str, alts: list[str], kind: str) -> str:
    if kind == "agency":
        abbreviation = next((a for a in sorted(alts, key=len) if a.isupper() and 2 <= len(a) <= 8), None)
        if abbreviation:
            return abbreviation
    if len(label) <= SHORT_LABEL:
        return label
    alt = next((a for a in sorted(alts, key=len) if 6 <= len(a) <= SHORT_LABEL), None)
    return alt or label[:SHORT_LABEL - 1].rstrip(" ,:;") + "…"


async def neighbourhood(state: AppState, iri: str) -> dict[str, Any] | None:
    """The entity ``iri``, its neighbours and the neighbours of its measures, as nodes and
    links of a small graph; None when it has no neighbour."""
    nodes_rows = await _rows(state, "neighbourhood-nodes", iri)
    links_rows = await _rows(state, "neighbourhood-links", iri)
    nodes: dict[str, dict[str, Any]] = {}
    for r in nodes_rows:
        node = r["node"]
        kind, colour = KINDS.get(_local(r.get("kindClass")) or "", OTHER_KIND)
        label = _label(r, "label", node)
        alts = [a for a in (r.get("alts") or "").split("|") if a]
        nodes[node] = {"id": node, "href": _href(node, state), "label": label, "labelZh": r.get("labelZh"),
                       "short": _short(label, alts, kind), "kind": kind, "colour": colour,
                       "type": r.get("typeName") or _local(r.get("typeClass")) or kind,
                       "centre": node == iri}
    links: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for r in links_rows:
        key = (r["s"], r["p"], r["o"])
        if key in seen or r["s"] not in nodes or r["o"] not in nodes or r["s"] == r["o"]:
            continue
        seen.add(key)
        links.append({"source": r["s"], "target": r["o"], "property": r["p"],
                      "label": r.get("pLabel") or _local(r["p"])})
    if iri not in nodes or len(nodes) < 2 or not links:
        return None
    total = len(nodes)
    if total > MAX_NODES:  # keep the entity, its own neighbours first, then the rest
        direct = {lk["target"] if lk["source"] == iri else lk["source"] for lk in links
                  if iri in (lk["source"], lk["target"])}
        order = sorted(nodes, key=lambda n: (n != iri, n not in direct, nodes[n]["kind"], nodes[n]["label"]))
        keep = set(order[:MAX_NODES])
        nodes = {n: v for n, v in nodes.items() if n in keep}
        links = [lk for lk in links if lk["source"] in keep and lk["target"] in keep]
    ordered = sorted(nodes.values(), key=lambda n: (not n["centre"], n["kind"], n["label"].lower(), n["id"]))
    links.sort(key=lambda lk: (lk["source"], lk["property"], lk["target"]))
    kinds = sorted({n["kind"] for n in ordered})
    legend = [{"kind": k, "colour": next(c for kk, c in [*KINDS.values(), OTHER_KIND] if kk == k)} for k in kinds]
    return {"centre": iri, "nodes": ordered, "links": links, "total": total,
            "truncated": total > len(ordered), "legend": legend}


def neighbourhood_list(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """The graph's links as a list for reading: for each link, from, relation, to (with the
    link's direction kept), the entity's own links first."""
    by_id = {n["id"]: n for n in graph["nodes"]}
    centre = graph["centre"]
    rows = [{"from": by_id[lk["source"]], "label": lk["label"], "to": by_id[lk["target"]]} for lk in graph["links"]]
    rows.sort(key=lambda r: (centre not in (r["from"]["id"], r["to"]["id"]), r["from"]["label"].lower(),
                             r["label"], r["to"]["label"].lower()))
    return rows


# ------------------------------------------------------------------------- pages

def _page_context(request: Request) -> dict[str, Any]:
    return {**frame_context(request), "d3": asset_url("d3", "d3.min.js")}


async def map_page(request: Request) -> Response:
    state: AppState = request.app.state.policykg
    try:
        data = await map_data(state)
    except ClientBusy:  # one client over its share: the app answers 429 with Retry-After
        raise
    except Exception as exc:  # noqa: BLE001 - say so, do not fail with a traceback
        log.warning("map queries failed: %r", exc)
        return PlainTextResponse("the map could not be computed just now; try again shortly\n", 503,
                                 headers={"Retry-After": "2"})
    shapes = await run_in_threadpool(webassets.china_shapes)  # derived once, then kept
    payload = {**data, "shapes": str(request.url_for("geo_shapes").path) if shapes else None,
               "shapesSource": shapes["source"] if shapes else None}
    if wants_json(request):
        return JSONResponse(payload, headers={"Vary": "Accept", "Cache-Control": "no-cache"})
    context = {**_page_context(request), "data": data, "payload": payload}
    return templates().TemplateResponse(request, "map.html.j2", context,
                                        headers={"Vary": "Accept", "Cache-Control": "no-cache"})


async def timeline_page(request: Request) -> Response:
    state: AppState = request.app.state.policykg
    on = request.query_params.get("on")
    today = dt.datetime.now(dt.UTC).date()
    day = today
    if on:
        parsed = _date(on) if _DATE.fullmatch(on) else None
        if parsed is None:
            return PlainTextResponse("?on= takes a date, YYYY-MM-DD\n", 400)
        day = parsed
    try:
        data = await timeline_data(state, day, is_today=day == today)
    except ClientBusy:
        raise
    except Exception as exc:  # noqa: BLE001
        log.warning("timeline query failed: %r", exc)
        return PlainTextResponse("the timeline could not be computed just now; try again shortly\n", 503,
                                 headers={"Retry-After": "2"})
    if wants_json(request):
        return JSONResponse(data, headers={"Vary": "Accept", "Cache-Control": "no-cache"})
    context = {**_page_context(request), "data": data, "today": today.isoformat()}
    return templates().TemplateResponse(request, "timeline.html.j2", context,
                                        headers={"Vary": "Accept", "Cache-Control": "no-cache"})


async def geo_shapes(request: Request) -> Response:
    shapes = await run_in_threadpool(webassets.china_shapes)
    if shapes is None:
        return PlainTextResponse("the map's shapes are not installed (make install: npm ci --prefix web)\n", 404)
    return JSONResponse(shapes, media_type="application/geo+json", headers={"Cache-Control": "public, max-age=3600"})


async def asset(request: Request) -> Response:
    found = webassets.asset_path(request.path_params["package"], request.path_params["name"])
    if found is None:
        return PlainTextResponse("not found\n", 404)
    path, media = found
    return FileResponse(path, media_type=media, headers={"Cache-Control": ASSET_CACHE})


def routes() -> list[BaseRoute]:
    """The pictures' routes (mounted by :func:`policykg.server.app.routes`)."""
    return [
        Route("/map", map_page, methods=["GET"], name="map"),
        Route("/timeline", timeline_page, methods=["GET"], name="timeline"),
        Route("/assets/geo/china.json", geo_shapes, methods=["GET"], name="geo_shapes"),
        Route("/assets/{package}/{name}", asset, methods=["GET"], name="asset"),
    ]


__all__ = ["KINDS", "PALETTE", "STATUS_COLOURS", "map_data", "neighbourhood", "neighbourhood_list",
           "routes", "status", "timeline_data"]
