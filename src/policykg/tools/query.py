"""Asking the graph questions: SPARQL over a build or an endpoint, competency questions.

Pipeline position: a tool over a published build::

    ... -> publish -> serve / **query** / export / push

Doors:

:func:`run_query`
    one SPARQL query against a published build (its persistent store opened read-only, or in a
    build without one its ``policykg.nq`` loaded into pyoxigraph; the default graph being the
    union of the four named graphs, as the server has it) or
    against a SPARQL endpoint (through SPARQLWrapper); returns a typed :class:`QueryResult`
    (:mod:`policykg.results`) that prints as an aligned table, CSV, TSV or SPARQL JSON.
:func:`check_quality`
    runs the quality rules of :mod:`policykg.pipeline.gate.quality` (``queries/qc/*-violation.rq``, with the
    severities of ``queries/qc/profile.toml``) on a published build, as the build runs them on
    its working store; returns a typed :class:`~policykg.pipeline.gate.quality.QualityReport`. Rows are
    results, never exceptions.
:func:`load_competency_queries`
    the competency questions ``queries/cq/*.rq`` with their headers and expected results.

Errors the user can fix — a missing build, a query that does not parse, an endpoint that
cannot be reached or refuses the query — raise :class:`policykg.errors.InputError` (exit 2).

>>> result = QueryResult.from_boolean(True)
>>> result.to_table()
'true\\n'
"""
from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .. import resources
from ..errors import InputError
from ..results import QueryResult, QuerySyntaxError, curie, display, json_bindings, syntax_error

if TYPE_CHECKING:  # pyoxigraph is imported where it is used, to keep ``import policykg.tools.query`` light
    import pyoxigraph as ox

    from ..pipeline.gate.quality import QualityReport, QualityRule

#: The file of a build that :func:`run_query` loads when the build has no persistent store.
NQUADS = "policykg.nq"


# --------------------------------------------------------------------------------------------
# Running a query
# --------------------------------------------------------------------------------------------

def run_query(text: str, *, build: Path | None = None, endpoint: str | None = None,
              timeout: float = 30) -> QueryResult:
    """Run one SPARQL query on a build folder (default ``dist``) or on an endpoint.

    Locally the build's store is opened (or its ``policykg.nq`` loaded) once per process and
    build version (:func:`load_build`); the default graph is the union of its named graphs, as
    on ``policykg serve``. ``timeout`` (in
    seconds) applies to the endpoint; pyoxigraph cannot interrupt a local query.

    Raises:
        QuerySyntaxError: the query does not parse (the parser's message and the line).
        InputError: no build at ``build``; the endpoint cannot be reached, times out or refuses
            the query; both ``build`` and ``endpoint`` were given.
    """
    if build is not None and endpoint is not None:
        raise InputError("give a build folder or an endpoint, not both")
    if endpoint is not None:
        return _run_remote(text, endpoint, timeout)
    return _run_local(text, Path("dist") if build is None else Path(build))


_DATASET = re.compile(r"^[^#\n]*\bFROM\s+(NAMED\s+)?(<|\w*:)", re.IGNORECASE | re.MULTILINE)


def _run_local(text: str, build: Path) -> QueryResult:
    store = load_build(build)
    # A query that names its dataset (FROM, FROM NAMED) gets it, as on the server; pyoxigraph
    # would ignore FROM under the union flag.
    union = _DATASET.search(text) is None
    try:
        answer = store.query(text, use_default_graph_as_union=union)
    except SyntaxError as exc:
        raise syntax_error(exc) from None
    return QueryResult.from_pyoxigraph(answer)


def load_build(build: Path) -> ox.Store:
    """The build's four named graphs in a pyoxigraph store, cached per build version: its
    persistent store opened read-only (:func:`policykg.pipeline.publish.release.open_store`: no parsing, a
    fraction of a second however large the build), else — a build of an older policykg, with
    no store — its ``policykg.nq`` loaded into memory. The same quads either way; only blank
    nodes are named differently (their canonical labels in the store, fresh ones in memory)."""
    from ..pipeline.publish.release import STORE, STORE_RECORD

    path = Path(build) / NQUADS
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError(f"no build here: {path} is missing", path=build,
                         hint="run `policykg build` first, or pass --dist DIR") from None
    try:
        record = (Path(build) / STORE / STORE_RECORD).stat()
    except OSError:
        record = None
    if record is not None:
        # keyed by the record's inode and time: a build swapped in at the same path is opened anew
        store = _open_store(str(Path(build).resolve()), record.st_ino, record.st_mtime_ns)
        if store is not None:
            return store
    return _load_store(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _open_store(build: str, ino: int, mtime_ns: int) -> ox.Store | None:
    from ..pipeline.publish.release import open_store

    del ino, mtime_ns  # part of the cache key only
    return open_store(Path(build))


@lru_cache(maxsize=4)
def _load_store(path: str, mtime_ns: int, size: int) -> ox.Store:
    import pyoxigraph as ox

    del mtime_ns, size  # part of the cache key only: a rebuilt file is loaded again
    store = ox.Store()
    try:
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise InputError(f"the build's N-Quads do not parse: {exc}", path=path) from None
    return store


def _run_remote(text: str, endpoint: str, timeout: float) -> QueryResult:
    import urllib.error

    import pyoxigraph as ox
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

    client = SPARQLWrapper(endpoint, agent="policykg")
    client.setMethod(POST)
    client.setOnlyConneg(True)  # no non-standard format=/output= parameters: content negotiation only
    client.setTimeout(max(1, math.ceil(timeout)))  # SPARQLWrapper keeps whole seconds
    client.setQuery(text)
    # SPARQLWrapper 2.0 strips only every other line of a block of comments before it looks
    # for the query form, so "# ... moves data ..." in a header makes a SELECT look like MOVE.
    client.queryType = query_form(text)
    if client.queryType not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise InputError(f"not a query ({client.queryType or 'no query form found'}): "
                         "`policykg query` only reads (SELECT, ASK, CONSTRUCT, DESCRIBE)")
    returns_graph = client.queryType in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(TURTLE if returns_graph else JSON)
    try:
        response = client.query().response
        body = response.read()
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    except QueryBadFormed as exc:
        message = _server_message(exc)
        line = re.search(r"\bat (\d+):(\d+)", message)
        raise QuerySyntaxError(f"the endpoint refused the query: {message}", path=endpoint,
                               line=int(line.group(1)) if line else None) from None
    except SPARQLWrapperException as exc:
        raise InputError(f"the endpoint answered with an error: {_server_message(exc)}", path=endpoint) from None
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()
        raise InputError(f"the endpoint answered HTTP {exc.code}: {detail or exc.reason}", path=endpoint) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"cannot query the endpoint: {reason}", path=endpoint,
                         hint=f"is a SPARQL endpoint running at {endpoint}? (timeout {timeout:g} s)") from None
    try:
        if returns_graph:
            fmt = ox.RdfFormat.from_media_type(media) if media else None
            return QueryResult.from_graph(q.triple if isinstance(q, ox.Quad) else q
                                          for q in ox.parse(body, format=fmt or ox.RdfFormat.TURTLE))
        fmt = ox.QueryResultsFormat.from_media_type(media) if media else None
        return QueryResult.from_pyoxigraph(ox.parse_query_results(body, format=fmt or ox.QueryResultsFormat.JSON))
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read the endpoint's answer ({media or 'no media type'}): {exc}",
                         path=endpoint) from None


_PROLOGUE = re.compile(r"\s+|#[^\n]*|BASE\s*<[^>\s]*>|PREFIX\s*[^\s:]*:\s*<[^>\s]*>", re.IGNORECASE)


def query_form(text: str) -> str:
    """The first keyword after the prologue, upper case: ``SELECT``, ``ASK``, ``CONSTRUCT``,
    ``DESCRIBE`` for a query, ``INSERT``, ``DELETE``, ``LOAD``, ... for an update.

    >>> query_form("# moves data\\nPREFIX pol: <https://w3id.org/policykg/ontology#>\\nselect * {}")
    'SELECT'
    """
    pos = 0
    while match := _PROLOGUE.match(text, pos):
        if match.end() == pos:
            break
        pos = match.end()
    word = re.match(r"[A-Za-z]+", text[pos:])
    return word.group(0).upper() if word else ""


def _server_message(exc: Exception) -> str:
    """SPARQLWrapper puts the server's body after a canned explanation; keep the body."""
    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        text = text.split(marker, 1)[1]
    if text.startswith(("b'", 'b"')):
        try:
            import ast

            text = ast.literal_eval(text).decode("utf-8", "replace")
        except (ValueError, SyntaxError):
            pass
    return text.strip()


# --------------------------------------------------------------------------------------------
# Quality rules, on a published build
# --------------------------------------------------------------------------------------------

def check_quality(build: Path, *, rules: Sequence[QualityRule] | None = None) -> QualityReport:
    """Run the quality rules (default: every rule of ``queries/qc``, :mod:`policykg.pipeline.gate.quality`) on
    a build folder, as the build ran them on its working store."""
    from ..pipeline.gate.quality import QualityReport, RuleResult, load_quality_rules

    rules = load_quality_rules() if rules is None else rules
    results = []
    for rule in rules:
        try:
            result = run_query(rule.query, build=Path(build))
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(exc.message, path=rule.path, line=exc.line) from None
        results.append(RuleResult(rule, result))
    return QualityReport(Path(build), tuple(results))


# --------------------------------------------------------------------------------------------
# Competency questions
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompetencyQuery:
    """One ``queries/cq/NN-name.rq``: the question (header line 1), why it is asked, the query,
    and the file of its expected results (``# Expected:``, relative to the query)."""

    path: Path
    question: str
    why: str
    query: str
    expected: Path | None

    @property
    def name(self) -> str:
        return self.path.stem


def cq_folder() -> Path:
    return resources.data_root() / "queries" / "cq"


def load_competency_queries(folder: Path | None = None) -> list[CompetencyQuery]:
    """The competency questions of ``folder`` (default ``queries/cq``), in file-name order.

    A file with no header gets an empty question; the tests require every field.
    """
    from ..pipeline.gate.quality import header_field, query_header

    folder = cq_folder() if folder is None else Path(folder)
    out = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = query_header(text)
        question = header[0] if header and not header[0].startswith(("Why:", "Expected:")) else ""
        expected = header_field(header, "Expected")
        out.append(CompetencyQuery(path, question, header_field(header, "Why"), text,
                                   path.parent / expected if expected else None))
    return out


def read_expected(path: Path) -> QueryResult:
    """Expected results: SPARQL JSON (``.srj``/``.json``), TSV (``.tsv``) or XML (``.srx``)."""
    import pyoxigraph as ox

    formats = {".srj": ox.QueryResultsFormat.JSON, ".json": ox.QueryResultsFormat.JSON,
               ".tsv": ox.QueryResultsFormat.TSV, ".srx": ox.QueryResultsFormat.XML}
    try:
        fmt = formats[path.suffix]
    except KeyError:
        raise InputError(f"unknown kind of expected results {path.suffix!r} (use .srj or .tsv)", path=path) from None
    try:
        return QueryResult.from_pyoxigraph(ox.parse_query_results(path=os.fspath(path), format=fmt))
    except SyntaxError as exc:
        raise InputError(f"expected results do not parse: {exc}", path=path) from None


__all__ = ["CompetencyQuery", "QueryResult", "QuerySyntaxError", "check_quality", "curie", "display", "json_bindings",
           "load_build", "load_competency_queries", "query_form", "read_expected", "run_query"]
