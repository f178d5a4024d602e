"""What the pages are drawn with: the templates, the frame's variables, links to the graph's
IRIs, the pages' queries, versioned asset links, and whether a client asked for JSON.

Door: :func:`templates` (``templates/base.html.j2`` is the frame; :func:`frame_context` gives
its variables), :func:`local_path` / :func:`local_href` (where an IRI is served here),
:func:`select` (a page's query, run by the query workers), :func:`asset_url`, :func:`wants_json`.
Each exists once, for every page of :mod:`policykg.server.pages`; of the server this module
imports only :mod:`.state`, :mod:`.worker` and :mod:`.conneg`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox
from starlette.requests import Request
from starlette.templating import Jinja2Templates

import policykg

from ..names import DCT, OWL
from . import conneg, webassets
from .state import AppState
from .worker import QueryRequest

log = logging.getLogger("policykg.server")

TEMPLATES = Path(__file__).parent / "templates"
#: Cache-Control of a file linked with its content hash (``?v=``): it never changes.
ASSET_CACHE = "public, max-age=31536000, immutable"


@cache
def templates() -> Jinja2Templates:
    """The server's Jinja2 templates, autoescaped (Starlette's default autoescapes by file
    extension and does not count ``.html.j2``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    return Jinja2Templates(env=env)


# ------------------------------------------------------------------------- links to the graph's IRIs

#: What may follow ``/id/`` in a path: unreserved characters and ``/``.
ID_PATH = re.compile(r"[A-Za-z0-9._~/-]{1,512}")
_FRAGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,200}")


def valid_path(path: str) -> bool:
    """Whether ``path`` (what follows ``/id/``) may name an entity: only unreserved characters
    and ``/``, no ``..``, no empty, leading or trailing segment."""
    return (ID_PATH.fullmatch(path) is not None and ".." not in path and not path.startswith("/")
            and not path.endswith("/") and "//" not in path)


def local_path(iri: str, base_iri: str, root: str = "") -> str | None:
    """The path on this server that dereferences ``iri``, or None when it is not ours: an
    entity (``<base_iri>id/...``, a valid path) or the ontology and its terms."""
    id_ns = base_iri + "id/"
    if iri.startswith(id_ns):
        rest = iri[len(id_ns):]
        return f"{root}/id/{rest}" if valid_path(rest) else None
    ontology = base_iri + "ontology"
    if iri == ontology:
        return f"{root}/ontology"
    if iri.startswith(ontology + "#"):
        fragment = iri[len(ontology) + 1:]
        return f"{root}/ontology#{fragment}" if _FRAGMENT.fullmatch(fragment) else f"{root}/ontology"
    return None


def local_href(iri: str, base_iri: str) -> str:
    """Where a link to ``iri`` goes: its page on this server (:func:`local_path`), else the IRI."""
    return local_path(iri, base_iri) or iri


# ------------------------------------------------------------------------- queries of the pages

async def select(state: AppState, query: str, max_rows: int = 10_000,
                 substitutions: tuple[tuple[str, str], ...] = ()) -> list[dict[str, Any]]:
    """Run a SELECT in the pool; each row maps a variable to its value (str, or int).

    ``substitutions`` binds variables to IRIs (as ``?this`` of the linked-data pages), never
    as query text; pyoxigraph wants each such variable in the SELECT clause.
    """
    result = await state.run(QueryRequest(query=query, result_format="json", max_rows=max_rows,
                                          substitutions=substitutions))
    if result.status != 200:
        raise RuntimeError(f"query failed ({result.status}): {result.body.decode('utf-8', 'replace')}")
    doc = json.loads(result.body)
    rows = []
    for binding in doc["results"]["bindings"]:
        row: dict[str, Any] = {}
        for var, term in binding.items():
            value: Any = term["value"]
            if term.get("datatype", "").endswith(("#integer", "#int", "#long")):
                value = int(value)
            row[var] = value
        rows.append(row)
    return rows


def wants_json(request: Request) -> bool:
    """Whether the client asked for the page's data as JSON: ``?format=json``, or an
    ``Accept`` that prefers ``application/json`` to ``text/html``."""
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept")
    if not accept:
        return False
    return conneg.choose(accept, ["text/html", "application/json"]) == "application/json"


# ------------------------------------------------------------------------- assets

@cache
def asset_version(path: Path, mtime_ns: int, size: int) -> str:
    """The version in an asset's link: a hash of its content (computed once per file state)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def asset_url(key: str, name: str) -> str | None:
    """``/assets/{key}/{name}?v=<content hash>`` when the package is installed, else None."""
    found = webassets.asset_path(key, name)
    if found is None:
        return None
    path, _media = found
    st = path.stat()
    return f"/assets/{key}/{name}?v={asset_version(path, st.st_mtime_ns, st.st_size)}"


# ------------------------------------------------------------------------- the frame

@dataclass(frozen=True)
class BuildInfo:
    date: str | None  # dct:modified of the dataset, as written
    version: str | None  # the policykg version that made the build
    gate_summary: str | None  # first line of gate.txt
    gate_text: str | None
    gate_passed: bool | None


def build_info(build: Path) -> BuildInfo:
    """Date, version and gate verdict of a published build, from its files."""
    date = version = None
    void = build / "void.ttl"
    if void.is_file():
        try:
            for triple in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE):
                p = triple.predicate.value
                if p == DCT + "modified" and date is None:
                    date = triple.object.value
                elif p == OWL + "versionInfo" and version is None:
                    version = triple.object.value
        except (OSError, SyntaxError, ValueError) as exc:
            log.warning("cannot read %s: %s", void, exc)
    report = build / "build-report.md"
    if version is None and report.is_file():
        m = re.match(r"#\s*policykg build\s+(\S+)", report.read_text(encoding="utf-8", errors="replace"))
        if m:
            version = m.group(1)
    gate_text = gate_summary = None
    passed = None
    gate = build / "gate.txt"
    if gate.is_file():
        gate_text = gate.read_text(encoding="utf-8", errors="replace").strip()
        gate_summary = gate_text.splitlines()[0] if gate_text else None
        if gate_summary:
            passed = "PASSED" in gate_summary.upper() and "FAILED" not in gate_summary.upper()
    return BuildInfo(date, version, gate_summary, gate_text, passed)


def served_build_info(state: AppState) -> BuildInfo:
    """:func:`build_info` of the served build (read once: the snapshot is pinned)."""
    info = state.extras.get("ui.build_info")
    if not isinstance(info, BuildInfo):
        info = build_info(state.build)
        state.extras["ui.build_info"] = info
    return info


def readable_date(stamp: str | None) -> str | None:
    """``2026-11-29T14:40:13+00:00`` -> ``2026-11-29 14:40 UTC``."""
    if not stamp:
        return None
    m = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]00:?00)?", stamp)
    if not m:
        return stamp
    return f"{m.group(1)} {m.group(2)}" + (" UTC" if m.group(3) else "")


def frame_context(request: Request) -> dict[str, Any]:
    """The variables ``base.html.j2`` needs: ``version``, ``gate_failed``, ``build_date``."""
    state: AppState = request.app.state.policykg
    info = served_build_info(state)
    return {"version": policykg.__version__, "gate_failed": state.config.gate_failed_report is not None,
            "build_date": readable_date(info.date)}


__all__ = ["ASSET_CACHE", "ID_PATH", "BuildInfo", "asset_url", "asset_version", "build_info", "frame_context",
           "local_href", "local_path", "readable_date", "select", "served_build_info", "templates", "valid_path",
           "wants_json"]
