"""The home page, the search and the query editor of the web UI.

Door: :func:`routes`. The routes:

``GET /`` (``home``)
    What the served build holds: entities per ``pol:`` class (with the ontology's English
    labels), the policy updates and the documents they report on, the SHACL gate's verdict
    (``gate.txt``), the build's date and version (``void.ttl``, ``build-report.md``); the query
    editor (YASGUI, served by us from :func:`policykg.server.webassets.assets_dir`, or a plain form
    when it is not installed) preloaded with the competency queries; the downloads.
``GET /search?q=`` (``search``)
    Entities whose label or alternative label (any language) contains ``q``, ignoring case;
    HTML, or JSON (``[{"iri", "label", "type", "href"}]``) for ``Accept: application/json``.
``GET /assets/yasgui/{name}`` (``yasgui_asset``)
    YASGUI's built JS and CSS, cached for a year (the page links them with a content hash).
``GET /downloads/{name}`` (``download``)
    A file of the build, only those named in its ``SHA256SUMS`` (and that file itself).
``GET /review`` (``review``)
    What to check in the served build (:mod:`policykg.pipeline.review`, its ``review.json``), as
    ``policykg review`` prints it: every warning, new entity, near-duplicate name and measure
    without category or agency, with its sentence and a curation entry ready to paste;
    ``?format=csv`` or ``?format=md`` gives the same as ``policykg review --format``.

The pictures' routes (``/map``, ``/timeline``, ``/assets/geo/china.json``, ``/assets/{package}/
{name}`` for d3) live in :mod:`policykg.server.pages.pictures`.

The search text reaches SPARQL only as a string literal made by :func:`sparql_string`, which
escapes every character the SPARQL grammar gives a meaning to inside a literal. All
JavaScript is in ``static/ui.js`` (the CSP allows scripts from this server only); the page
hands it its configuration in a JSON data block.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ...errors import InputError
from ...graphs import GRAPHS
from ...names import POL, VOCABULARIES
from ...pipeline.review import KINDS, Review, load_review, today
from ...resources import data_root
from .. import webassets
from ..pool import ClientBusy
from ..render import (
    ASSET_CACHE,
    asset_version,
    frame_context,
    local_href,
    select,
    served_build_info,
    templates,
    wants_json,
)
from ..state import AppState

log = logging.getLogger("policykg.server")

EXAMPLES = Path(__file__).parents[1] / "examples"
#: The prologue of the pages' queries.
PREFIXES = "".join(f"PREFIX {prefix}: <{VOCABULARIES[prefix]}>\n" for prefix in ("pol", "rdf", "rdfs", "skos"))
G_ONTOLOGY = GRAPHS["ontology"].value
G_DATA = GRAPHS["data"].value
G_INFERENCES = GRAPHS["inferences"].value

MAX_HITS = 50
MAX_SEARCH_CHARS = 200

#: Media types of the files a build holds, by suffix (``SHA256SUMS`` has none).
DOWNLOAD_TYPES: dict[str, str] = {
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".jsonld": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}
DOWNLOAD_DESCRIPTIONS: dict[str, str] = {  # in the order the page lists them
    "policykg.ttl": "ontology and data, Turtle",
    "policykg.trig": "all four named graphs, TriG",
    "policykg.nt": "ontology and data, canonical N-Triples",
    "policykg.nq": "all four named graphs, canonical N-Quads",
    "policykg.jsonld": "ontology and data, JSON-LD",
    "context.jsonld": "the JSON-LD context alone",
    "policykg.owl": "the OWL edition of the ontology, RDF/XML",
    "shacl-report.ttl": "the SHACL gate's report graph",
    "gate.txt": "the SHACL gate's report, text",
    "build-report.md": "the build's report",
    "void.ttl": "the VoID description of the dataset",
    "review.json": "what to check in this build, with curation entries (policykg review)",
    "SHA256SUMS": "SHA-256 digests of the other files (sha256sum -c SHA256SUMS)",
}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


# ------------------------------------------------------------------------- SPARQL helpers

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal (``"..."``) whose value is exactly ``text``.

    In a ``"``-quoted literal the grammar gives a meaning to ``"``, ``\\``, line feed and
    carriage return (STRING_LITERAL_QUOTE); they are written as ECHAR escapes, and so are tab,
    backspace and form feed, for readability. ``\\u`` sequences in ``text`` cannot act as
    escapes: their backslash is escaped itself. Lone surrogates (not Unicode scalar values,
    not encodable in UTF-8) become U+FFFD.
    """
    if _has_surrogates(text):
        text = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return '"' + "".join(_ECHAR.get(c, c) for c in text) + '"'


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


# ------------------------------------------------------------------------- the build's files

@dataclass(frozen=True)
class BuildFile:
    name: str
    size: int
    sha256: str
    media_type: str
    description: str


def checksummed_files(build: Path) -> dict[str, str]:
    """Name -> digest of the files ``SHA256SUMS`` lists (plain names only)."""
    try:
        text = (build / "SHA256SUMS").read_text(encoding="utf-8")
    except OSError:
        return {}
    files: dict[str, str] = {}
    for line in text.splitlines():
        digest, sep, name = line.partition("  ")
        if not sep:
            digest, sep, name = line.partition(" *")
        name = name.strip()
        if sep and _SAFE_NAME.match(name) and re.fullmatch(r"[0-9a-f]{64}", digest.strip()):
            files[name] = digest.strip()
    return files


def media_type_of(name: str) -> str:
    return DOWNLOAD_TYPES.get(Path(name).suffix, "text/plain; charset=utf-8")


def downloadable(build: Path) -> list[BuildFile]:
    """The files of the build one may download: those in ``SHA256SUMS``, and that file."""
    listed = checksummed_files(build)
    out = []
    order = list(DOWNLOAD_DESCRIPTIONS)
    names = sorted(listed, key=lambda n: (order.index(n) if n in order else len(order), n))
    for name in [*names, "SHA256SUMS"] if listed else []:
        path = build / name
        if not path.is_file():
            continue
        out.append(BuildFile(name, path.stat().st_size, listed.get(name, ""), media_type_of(name),
                             DOWNLOAD_DESCRIPTIONS.get(name, "")))
    return out


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KiB", "MiB", "GiB"):
        size_f = size / 1024
        if size_f < 1024 or unit == "GiB":
            return f"{size_f:.1f} {unit}"
        size = int(size_f)
    return f"{size} B"


# ------------------------------------------------------------------------- queries shown in the editor

@dataclass(frozen=True)
class ExampleQuery:
    id: str  # file stem
    question: str  # the header's first line
    notes: str  # the rest of the header
    query: str  # the whole file


def read_query_file(path: Path) -> ExampleQuery:
    """A ``.rq`` file; its leading ``#`` lines are the header, the first one the question."""
    text = path.read_text(encoding="utf-8")
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("#").strip())
    while header and not header[0]:
        header.pop(0)
    question = header[0] if header else path.stem.replace("-", " ")
    # "Expected: <file>" names the answer file the tests compare with; not for readers
    notes = "\n".join(h for h in header[1:] if not h.lower().startswith("expected:")).strip()
    return ExampleQuery(path.stem, question, notes, text)


def competency_folder() -> Path | None:
    try:
        return data_root() / "queries" / "cq"
    except FileNotFoundError:
        return None


def editor_queries() -> tuple[str, list[ExampleQuery]]:
    """The competency queries (``queries/cq/*.rq``), or our examples when there are none."""
    folder = competency_folder()
    files = sorted(folder.glob("*.rq")) if folder and folder.is_dir() else []
    source = "competency"
    if not files:
        files = sorted(EXAMPLES.glob("*.rq"))
        source = "examples"
    queries = []
    for path in files:
        try:
            queries.append(read_query_file(path))
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot read %s: %s", path, exc)
    return source, queries


# ------------------------------------------------------------------------- YASGUI assets

def yasgui_assets() -> dict[str, str] | None:
    """``{"js": url, "css": url}`` (versioned by content) when YASGUI is installed, else None."""
    folder = webassets.assets_dir()
    if folder is None:
        return None
    urls: dict[str, str] = {}
    for name, media in webassets.ASSETS.items():
        path = folder / name
        st = path.stat()
        kind = "js" if "javascript" in media else "css" if "css" in media else name
        urls[kind] = f"/assets/yasgui/{name}?v={asset_version(path, st.st_mtime_ns, st.st_size)}"
    return urls


async def yasgui_asset(request: Request) -> Response:
    name = request.path_params["name"]
    folder = webassets.assets_dir()
    if folder is None or name not in webassets.ASSETS:
        return PlainTextResponse("not found\n", 404)
    return FileResponse(folder / name, media_type=webassets.ASSETS[name],
                        headers={"Cache-Control": ASSET_CACHE})


# ------------------------------------------------------------------------- home

def _class_counts_query() -> str:
    return PREFIXES + f"""SELECT ?class (SAMPLE(?en) AS ?label) (SAMPLE(?zh) AS ?labelZh) (SAMPLE(?super) AS ?parent)
       (COUNT(DISTINCT ?s) AS ?n)
WHERE {{
  GRAPH ?g {{ ?s a ?class }}
  FILTER(?g IN (<{G_DATA}>, <{G_INFERENCES}>))
  FILTER(STRSTARTS(STR(?class), "{POL}"))
  OPTIONAL {{ GRAPH <{G_ONTOLOGY}> {{ ?class rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }} }}
  OPTIONAL {{ GRAPH <{G_ONTOLOGY}> {{ ?class rdfs:label ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }} }}
  OPTIONAL {{ GRAPH <{G_ONTOLOGY}> {{ ?class rdfs:subClassOf ?super
              FILTER(isIRI(?super) && STRSTARTS(STR(?super), "{POL}")) }} }}
}}
GROUP BY ?class
ORDER BY DESC(?n) ?label"""


def _documents_query() -> str:
    return PREFIXES + f"""SELECT ?update ?updateLabel ?doc ?docLabel ?docLabelZh ?type ?typeLabel ?issued
WHERE {{
  GRAPH <{G_DATA}> {{
    ?update a pol:PolicyUpdate .
    OPTIONAL {{ ?update rdfs:label ?updateLabel FILTER(LANGMATCHES(LANG(?updateLabel), "en")) }}
    OPTIONAL {{
      ?update pol:reportsOn ?doc .
      OPTIONAL {{ ?doc rdfs:label ?docLabel FILTER(LANGMATCHES(LANG(?docLabel), "en")) }}
      OPTIONAL {{ ?doc rdfs:label ?docLabelZh FILTER(LANGMATCHES(LANG(?docLabelZh), "zh")) }}
      OPTIONAL {{ ?doc a ?type FILTER(STRSTARTS(STR(?type), "{POL}")) }}
      OPTIONAL {{ ?doc pol:issuedOn ?issued }}
    }}
  }}
  OPTIONAL {{ GRAPH <{G_ONTOLOGY}> {{ ?type rdfs:label ?typeLabel FILTER(LANGMATCHES(LANG(?typeLabel), "en")) }} }}
}}
ORDER BY ?updateLabel ?update ?issued ?docLabel"""


@dataclass
class ClassRow:
    iri: str
    href: str
    label: str
    label_zh: str | None
    count: int
    depth: int


def _class_tree(rows: list[dict[str, Any]], base_iri: str) -> list[ClassRow]:
    """The counted classes in subclass order: each after its (counted) superclass, indented."""
    by_iri = {r["class"]: r for r in rows}
    children: dict[str | None, list[str]] = {}
    for r in rows:
        parent = r.get("parent") if r.get("parent") in by_iri and r.get("parent") != r["class"] else None
        children.setdefault(parent, []).append(r["class"])
    out: list[ClassRow] = []
    seen: set[str] = set()

    def visit(iri: str, depth: int) -> None:
        if iri in seen:
            return
        seen.add(iri)
        r = by_iri[iri]
        out.append(ClassRow(iri, local_href(iri, base_iri), r.get("label") or iri.rsplit("#", 1)[-1],
                            r.get("labelZh"), int(r["n"]), depth))
        for child in children.get(iri, []):
            visit(child, depth + 1)

    for root in children.get(None, []):
        visit(root, 0)
    for r in rows:  # cycles, if any
        visit(r["class"], 0)
    return out


@dataclass
class DocumentRow:
    iri: str
    href: str
    label: str
    label_zh: str | None
    types: list[str]
    issued: str | None


@dataclass
class UpdateRow:
    iri: str
    href: str
    label: str
    documents: list[DocumentRow]


def _documents(rows: list[dict[str, Any]], base_iri: str) -> list[UpdateRow]:
    updates: dict[str, UpdateRow] = {}
    for r in rows:
        u = updates.get(r["update"])
        if u is None:
            u = updates[r["update"]] = UpdateRow(r["update"], local_href(r["update"], base_iri),
                                                 r.get("updateLabel") or r["update"].rsplit("/", 1)[-1], [])
        if "doc" not in r:
            continue
        doc = next((d for d in u.documents if d.iri == r["doc"]), None)
        if doc is None:
            doc = DocumentRow(r["doc"], local_href(r["doc"], base_iri), r.get("docLabel") or r["doc"].rsplit("/", 1)[-1],
                              r.get("docLabelZh"), [], r.get("issued"))
            u.documents.append(doc)
        type_label = r.get("typeLabel") or (r["type"].rsplit("#", 1)[-1] if "type" in r else None)
        if type_label and type_label not in doc.types:
            doc.types.append(type_label)
    for u in updates.values():
        u.documents.sort(key=lambda d: (d.issued or "9999", d.label))
    return list(updates.values())


async def _home_data(state: AppState) -> dict[str, Any]:
    """Counts and documents: the snapshot is pinned, so they are computed once."""
    cached = state.extras.get("ui.home")
    if isinstance(cached, dict):
        return cached
    base = state.config.base_iri
    classes = _class_tree(await select(state, _class_counts_query()), base)
    documents = _documents(await select(state, _documents_query()), base)
    data = {"classes": classes, "updates": documents}
    state.extras["ui.home"] = data
    return data


async def home(request: Request) -> Response:
    state: AppState = request.app.state.policykg
    info = served_build_info(state)
    error = None
    try:
        data = await _home_data(state)
    except ClientBusy:  # one client over its share: the app answers 429 with Retry-After
        raise
    except Exception as exc:  # noqa: BLE001 - the page still shows the rest (and says why)
        log.warning("home page queries failed: %r", exc)
        data = {"classes": [], "updates": []}
        error = "The counts and documents could not be read from the graph just now (the query service is busy or failing); reload the page to try again."
    source, queries = editor_queries()
    assets = yasgui_assets()
    endpoint = request.url_for("sparql").path
    config = {
        "endpoint": endpoint,
        "search": request.url_for("search").path,
        "yasgui": assets is not None,
        "base": state.config.base_iri,
        "queries": [{"id": q.id, "question": q.question, "notes": q.notes, "query": q.query} for q in queries],
    }
    files = downloadable(state.build)
    context = {
        **frame_context(request),
        "info": info,
        "build_date_raw": info.date,
        "classes": data["classes"],
        "total_entities": _total_entities(data["classes"]),
        "updates": data["updates"],
        "home_error": error,
        "queries": queries,
        "query_source": source,
        "assets": assets,
        "ui_config": config,
        "endpoint": endpoint,
        "first_query": queries[0].query if queries else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
        "files": [(f, human_size(f.size)) for f in files],
        "gate_failed_report": state.config.gate_failed_report,
        "review_counts": _review_counts(state),
    }
    return templates().TemplateResponse(request, "home.html.j2", context,
                                        headers={"Cache-Control": "no-cache"})


def _cached_review(state: AppState) -> Review | None:
    """The served build's review (:func:`policykg.pipeline.review.load_review`), or None when it has none."""
    if "ui.review" not in state.extras:
        try:
            state.extras["ui.review"] = load_review(state.build)
        except InputError as exc:
            log.info("no review in the served build: %s", exc)
            state.extras["ui.review"] = None
    return state.extras["ui.review"]


def _review_counts(state: AppState) -> dict[str, int] | None:
    review = _cached_review(state)
    if review is None:
        return None
    return {"total": len(review.items), **review.counts()}


async def review_page(request: Request) -> Response:
    """``/review``: what to check in the served build, each with its sentence and an entry."""
    state: AppState = request.app.state.policykg
    review = _cached_review(state)
    wanted = request.query_params.get("format", "").strip().lower()
    if review is not None and wanted in ("csv", "md", "markdown"):
        if wanted == "csv":
            return Response(review.to_csv(), headers={"Content-Type": "text/csv; charset=utf-8",
                                                      "Content-Disposition": 'inline; filename="review.csv"'})
        return Response(review.to_markdown(), headers={"Content-Type": "text/markdown; charset=utf-8"})
    if wanted not in ("", "html", "csv", "md", "markdown"):
        return PlainTextResponse("unknown format; use ?format= html, md or csv\n", status_code=400)
    day = today()
    base = state.config.base_iri
    groups = [(kind, heading, [(item, item.entry_on(day), local_href(item.subject, base) if item.subject else None)
                               for item in items])
              for kind, heading, items in (review.by_kind() if review is not None else [])]
    context = {**frame_context(request), "review": review, "groups": groups, "kinds": KINDS}
    return templates().TemplateResponse(request, "review.html.j2", context,
                                        status_code=200 if review is not None else 404,
                                        headers={"Cache-Control": "no-cache"})


def _total_entities(classes: list[ClassRow]) -> int:
    return sum(c.count for c in classes if c.depth == 0)


# ------------------------------------------------------------------------- search

def search_query(text: str, limit: int = MAX_HITS) -> str:
    """The SPARQL query finding entities whose label or alt label contains ``text`` (any case).

    ``text`` enters the query only through :func:`sparql_string`.
    """
    needle = sparql_string(text.lower())
    return PREFIXES + f"""SELECT ?s (SAMPLE(?en) AS ?label) (SAMPLE(?zh) AS ?labelZh) (SAMPLE(?m) AS ?matched)
       (SAMPLE(?type) AS ?typeIri) (SAMPLE(?typeLabel) AS ?typeName) (MIN(?rank) AS ?r) (MIN(STRLEN(?m)) AS ?len)
WHERE {{
  {{
    SELECT DISTINCT ?s ?m ?rank WHERE {{
      VALUES ?needle {{ {needle} }}
      GRAPH <{G_DATA}> {{ ?s rdfs:label|skos:altLabel|skos:prefLabel ?m }}
      FILTER(isIRI(?s))
      BIND(LCASE(STR(?m)) AS ?lm)
      FILTER(CONTAINS(?lm, ?needle))
      BIND(IF(?lm = ?needle, 0, IF(STRSTARTS(?lm, ?needle), 1, 2)) AS ?rank)
    }}
  }}
  OPTIONAL {{ GRAPH <{G_DATA}> {{ ?s rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }} }}
  OPTIONAL {{ GRAPH <{G_DATA}> {{ ?s rdfs:label ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }} }}
  OPTIONAL {{
    GRAPH <{G_DATA}> {{ ?s a ?type }}
    OPTIONAL {{ GRAPH <{G_ONTOLOGY}> {{ ?type rdfs:label ?typeLabel FILTER(LANGMATCHES(LANG(?typeLabel), "en")) }} }}
  }}
}}
GROUP BY ?s
ORDER BY ?r ?len LCASE(STR(?label)) ?s
LIMIT {int(limit)}"""


@dataclass
class Hit:
    iri: str
    href: str
    label: str
    label_zh: str | None
    matched: str
    type: str | None
    type_iri: str | None

    def as_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "type": self.type, "href": self.href,
                "labelZh": self.label_zh, "matched": self.matched}


async def run_search(state: AppState, text: str) -> list[Hit]:
    rows = await select(state, search_query(text), max_rows=MAX_HITS)
    hits = []
    for r in rows:
        label = r.get("label") or r.get("labelZh") or r.get("matched") or r["s"]
        type_iri = r.get("typeIri")
        type_name = r.get("typeName") or (type_iri.rsplit("#", 1)[-1] if type_iri else None)
        hits.append(Hit(r["s"], local_href(r["s"], state.config.base_iri), label, r.get("labelZh"),
                        r.get("matched", label), type_name, type_iri))
    return hits


async def search(request: Request) -> Response:
    state: AppState = request.app.state.policykg
    raw = request.query_params.get("q", "")
    text = " ".join(raw.split())[:MAX_SEARCH_CHARS]  # collapse white space
    as_json = wants_json(request)
    hits: list[Hit] = []
    error = None
    if text:
        try:
            hits = await run_search(state, text)
        except ClientBusy:
            raise
        except Exception as exc:  # noqa: BLE001
            log.warning("search failed: %r", exc)
            error = "The search could not run just now; try again shortly."
    if as_json:
        if error:
            return JSONResponse({"error": error}, status_code=503, headers={"Vary": "Accept"})
        return JSONResponse([h.as_json() for h in hits], headers={"Vary": "Accept", "Cache-Control": "no-cache"})
    context = {**frame_context(request), "q": text, "hits": hits, "error": error, "max_hits": MAX_HITS}
    return templates().TemplateResponse(request, "search.html.j2", context,
                                        status_code=503 if error else 200, headers={"Vary": "Accept"})


# ------------------------------------------------------------------------- downloads

async def download(request: Request) -> Response:
    state: AppState = request.app.state.policykg
    name = request.path_params["name"]
    allowed = checksummed_files(state.build)
    if not allowed or not _SAFE_NAME.match(name) or (name not in allowed and name != "SHA256SUMS"):
        return PlainTextResponse("no such file in this build\n", 404)
    path = state.build / name
    if not path.is_file():
        return PlainTextResponse("no such file in this build\n", 404)
    return FileResponse(path, media_type=media_type_of(name), filename=name, content_disposition_type="attachment",
                        headers={"Cache-Control": "no-cache"})


def routes() -> list[BaseRoute]:
    """The UI's routes (mounted by :func:`policykg.server.app.routes`)."""
    return [
        Route("/", home, methods=["GET"], name="home"),
        Route("/search", search, methods=["GET"], name="search"),
        Route("/assets/yasgui/{name}", yasgui_asset, methods=["GET"], name="yasgui_asset"),
        Route("/downloads/{name}", download, methods=["GET"], name="download"),
        Route("/review", review_page, methods=["GET"], name="review"),
    ]


__all__ = ["downloadable", "read_query_file", "routes", "search_query", "sparql_string"]
