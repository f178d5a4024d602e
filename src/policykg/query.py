"""Asking the graph questions: SPARQL over a build or an endpoint, quality rules, competency questions.

Doors:

:func:`run_query`
    one SPARQL query against a published build (its persistent store opened read-only, or in a
    build without one its ``policykg.nq`` loaded into pyoxigraph; the default graph being the
    union of the four named graphs, as the server has it) or
    against a SPARQL endpoint (through SPARQLWrapper); returns a typed :class:`QueryResult`
    that prints as an aligned table, CSV, TSV or SPARQL JSON.
:func:`check_quality`
    runs every quality rule ``queries/qc/*-violation.rq`` on a build, with the severities of
    ``queries/qc/profile.toml``; returns a typed :class:`QualityReport`. Rows are results,
    never exceptions.
:func:`load_competency_queries`
    the competency questions ``queries/cq/*.rq`` with their headers and expected results.

Errors the user can fix — a missing build, a query that does not parse, an endpoint that
cannot be reached or refuses the query — raise :class:`policykg.errors.InputError` (exit 2).

>>> result = QueryResult.from_boolean(True)
>>> result.to_table()
'true\\n'
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import resources
from .errors import InputError

if TYPE_CHECKING:  # pyoxigraph is imported where it is used, to keep ``import policykg.query`` light
    import pyoxigraph as ox

    Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: The file of a build that :func:`run_query` loads when the build has no persistent store.
NQUADS = "policykg.nq"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_ID = "https://w3id.org/policykg/id/"
# Literals Turtle writes without quotes.
_BARE = {_XSD + "integer", _XSD + "decimal", _XSD + "double", _XSD + "boolean"}


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueryResult:
    """What a query returned: solutions (``variables`` and ``rows``), a ``boolean`` (ASK), or
    ``graph`` triples (CONSTRUCT, DESCRIBE). ``kind`` says which; an unbound cell is ``None``.

    Terms are pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``), which compare by value.
    """

    kind: str  # "solutions" | "boolean" | "graph"
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    graph: tuple[ox.Triple, ...] = ()

    @classmethod
    def from_solutions(cls, variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> QueryResult:
        return cls("solutions", tuple(variables), tuple(tuple(r) for r in rows))

    @classmethod
    def from_boolean(cls, value: bool) -> QueryResult:
        return cls("boolean", boolean=bool(value))

    @classmethod
    def from_graph(cls, triples: Iterable[ox.Triple]) -> QueryResult:
        return cls("graph", ("subject", "predicate", "object"), graph=tuple(triples))

    @classmethod
    def from_pyoxigraph(cls, answer: object) -> QueryResult:
        """Wrap what ``Store.query`` or ``parse_query_results`` returned."""
        import pyoxigraph as ox

        if isinstance(answer, ox.QueryBoolean):
            return cls.from_boolean(bool(answer))
        if isinstance(answer, ox.QueryTriples):
            return cls.from_graph(answer)
        variables = [v.value for v in answer.variables]
        return cls.from_solutions(variables, ([s[v] for v in variables] for s in answer))

    # -- views -------------------------------------------------------------------------------

    def table_rows(self) -> tuple[tuple[Term | None, ...], ...]:
        """The rows, with a graph's triples as (subject, predicate, object) rows."""
        if self.kind == "graph":
            return tuple((t.subject, t.predicate, t.object) for t in self.graph)
        return self.rows

    def __len__(self) -> int:
        return len(self.graph) if self.kind == "graph" else len(self.rows)

    def to_table(self) -> str:
        """A readable, aligned text table; IRIs as CURIEs where a prefix is known, literals in
        Turtle's short form (``"Beijing"@en``, ``28``, ``"2020-08-14"^^xsd:date``)."""
        if self.kind == "boolean":
            return "true\n" if self.boolean else "false\n"
        header = list(self.variables)
        body = [[display(term) for term in row] for row in self.table_rows()]
        widths = [max([_width(h)] + [_width(r[i]) for r in body]) for i, h in enumerate(header)]

        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)) + " |"

        rule = "-" * (sum(widths) + 3 * len(widths) + 1)
        out = [rule, line(header), "=" * len(rule)]
        out += [line(r) for r in body]
        out.append(rule)
        n = len(body)
        out.append(f"({n} {'row' if n == 1 else 'rows'})")
        return "\n".join(out) + "\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV: plain values (no language tags or datatypes), CRLF."""
        if self.kind == "boolean":
            return ("true" if self.boolean else "false") + "\r\n"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.table_rows():
            writer.writerow(["" if t is None else _csv_value(t) for t in row])
        return buffer.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV: terms in N-Triples syntax, one row per line."""
        if self.kind == "boolean":
            return ("true" if self.boolean else "false") + "\n"
        lines = ["\t".join("?" + v for v in self.variables)]
        for row in self.table_rows():
            lines.append("\t".join("" if t is None else _tsv_term(t) for t in row))
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON, one solution a line (so that a diff shows rows).
        A graph is given as subject/predicate/object solutions."""
        if self.kind == "boolean":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}) + "\n"
        head = json.dumps({"vars": list(self.variables)}, ensure_ascii=False)
        bindings = [json.dumps(b, ensure_ascii=False) for b in json_bindings(self.variables, self.table_rows())]
        if not bindings:
            return f'{{"head": {head}, "results": {{"bindings": []}}}}\n'
        return f'{{"head": {head},\n "results": {{"bindings": [\n  ' + ",\n  ".join(bindings) + "\n]}}\n"

    def to_ntriples(self) -> str:
        """A graph result as N-Triples (sorted, so that the same graph gives the same text)."""
        return "".join(sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in self.graph))


# -- term rendering ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def display_prefixes() -> tuple[tuple[str, str], ...]:
    """Prefixes for CURIEs in tables: the published ones and a few more kinds of IRI, longest
    namespace first so the most specific one wins."""
    from .publish import LINK_PREFIXES, PREFIXES

    extra = {"site": _ID + "site/", "span": _ID + "span/", "statement": _ID + "statement/",
             "lexicon": _ID + "lexicon/", "spdx": "http://spdx.org/rdf/terms#", **LINK_PREFIXES}
    merged = {**PREFIXES, **{k: v for k, v in extra.items() if k not in PREFIXES}}
    return tuple(sorted(merged.items(), key=lambda kv: -len(kv[1])))


def curie(iri: str) -> str:
    """``pol:Measure`` for a known namespace, else ``<iri>``."""
    for prefix, namespace in display_prefixes():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def display(term: Term | None) -> str:
    """One cell of :meth:`QueryResult.to_table`: a Turtle term, short where Turtle allows."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'"{_escape(term.value)}"@{term.language}'
        datatype = term.datatype.value
        if datatype == _XSD + "string":
            return f'"{_escape(term.value)}"'
        if datatype in _BARE and _turtle_bare_ok(term.value, datatype):
            return term.value
        return f'"{_escape(term.value)}"^^{curie(datatype)}'
    if isinstance(term, ox.Triple):
        return f"<< {display(term.subject)} {display(term.predicate)} {display(term.object)} >>"
    return str(term)


def _turtle_bare_ok(value: str, datatype: str) -> bool:
    patterns = {_XSD + "integer": r"[+-]?\d+", _XSD + "decimal": r"[+-]?\d*\.\d+",
                _XSD + "double": r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+", _XSD + "boolean": r"true|false"}
    return re.fullmatch(patterns[datatype], value) is not None


def _width(text: str) -> int:
    """Columns a string takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _csv_value(term: Term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv_term(term: Term) -> str:
    # N-Triples escapes quotes, backslashes and line breaks; TSV also needs the tab escaped.
    return str(term).replace("\t", "\\t")


def json_bindings(variables: Sequence[str],
                  rows: Iterable[Sequence[Term | None]]) -> list[dict[str, dict[str, object]]]:
    """The ``bindings`` of SPARQL 1.1 Query Results JSON: a row maps each bound variable to its
    term; a triple term is written as SPARQL 1.2 does (``"type": "triple"``). The one encoder of
    ``policykg query`` and of the server's query workers."""
    import pyoxigraph as ox  # (here to keep this module light; once per result, not once per term)

    def term(t: Term) -> dict[str, object]:
        if isinstance(t, ox.NamedNode):
            return {"type": "uri", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "bnode", "value": t.value}
        if isinstance(t, ox.Literal):
            out: dict[str, object] = {"type": "literal", "value": t.value}
            if t.language:
                out["xml:lang"] = t.language
            elif t.datatype.value != _XSD + "string":
                out["datatype"] = t.datatype.value
            return out
        return {"type": "triple", "value": {"subject": term(t.subject), "predicate": term(t.predicate),
                                            "object": term(t.object)}}

    return [{v: term(t) for v, t in zip(variables, row) if t is not None} for row in rows]


# --------------------------------------------------------------------------------------------
# Running a query
# --------------------------------------------------------------------------------------------

class QuerySyntaxError(InputError):
    """The query does not parse; ``line`` is the query's line (1-based) when the parser says."""


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


def _syntax_error(exc: Exception) -> QuerySyntaxError:
    """The parser's message; its line kept on the error, shown once a caller adds the path."""
    message = str(exc)
    match = re.search(r"\bat (\d+):(\d+)", message)
    return QuerySyntaxError(f"SPARQL syntax error: {message}", line=int(match.group(1)) if match else None)


_DATASET = re.compile(r"^[^#\n]*\bFROM\s+(NAMED\s+)?(<|\w*:)", re.IGNORECASE | re.MULTILINE)


def _run_local(text: str, build: Path) -> QueryResult:
    store = load_build(build)
    # A query that names its dataset (FROM, FROM NAMED) gets it, as on the server; pyoxigraph
    # would ignore FROM under the union flag.
    union = _DATASET.search(text) is None
    try:
        answer = store.query(text, use_default_graph_as_union=union)
    except SyntaxError as exc:
        raise _syntax_error(exc) from None
    return QueryResult.from_pyoxigraph(answer)


def load_build(build: Path) -> ox.Store:
    """The build's four named graphs in a pyoxigraph store, cached per build version: its
    persistent store opened read-only (:func:`policykg.publish.open_store`: no parsing, a
    fraction of a second however large the build), else — a build of an older policykg, with
    no store — its ``policykg.nq`` loaded into memory. The same quads either way; only blank
    nodes are named differently (their canonical labels in the store, fresh ones in memory)."""
    from .publish import STORE, STORE_RECORD

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
    from .publish import open_store

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
# Quality rules
# --------------------------------------------------------------------------------------------

class Severity(str, Enum):
    """How much a quality rule's rows matter (``queries/qc/profile.toml``)."""

    ERROR = "error"  # the rule must return no rows: rows fail the check
    WARN = "warn"  # rows are reported; the check still passes


@dataclass(frozen=True)
class QualityRule:
    """One ``queries/qc/<name>-violation.rq``: what it finds (its header) and its severity."""

    name: str
    path: Path
    severity: Severity
    finds: str
    why: str
    query: str


@dataclass(frozen=True)
class RuleResult:
    """A rule and the rows it returned on one build (no rows: the rule holds)."""

    rule: QualityRule
    result: QueryResult

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def rows(self) -> tuple[tuple[Term | None, ...], ...]:
        return self.result.rows

    @property
    def passed(self) -> bool:
        return not self.result.rows


@dataclass(frozen=True)
class QualityReport:
    """The quality rules run on one build. ``passed`` unless an ``error`` rule returned rows."""

    build: Path
    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return not any(r.rows for r in self.results if r.severity is Severity.ERROR)

    def failed(self, severity: Severity | None = None) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.rows and (severity is None or r.severity is severity))

    def to_text(self) -> str:
        errors, warnings = len(self.failed(Severity.ERROR)), len(self.failed(Severity.WARN))
        lines = [(f"quality rules: {'PASSED' if self.passed else 'FAILED'} "
                  f"({len(self.results)} rules, {errors} errors, {warnings} warnings)")]
        for r in self.results:
            status = "ok" if r.passed else f"{r.severity.value}: {len(r.rows)} row(s)"
            lines.append(f"  {r.rule.name}: {status}")
            if not r.passed:
                lines.append("    " + r.rule.finds)
                lines += ["    " + line for line in r.result.to_table().splitlines()]
        return "\n".join(lines) + "\n"


def qc_folder() -> Path:
    return resources.data_root() / "queries" / "qc"


def cq_folder() -> Path:
    return resources.data_root() / "queries" / "cq"


def _header(text: str) -> list[str]:
    """The leading ``#`` lines of a query file, without the ``#``."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return lines


def _field(lines: Sequence[str], name: str) -> str:
    for line in lines:
        if line.startswith(name + ":"):
            return line[len(name) + 1:].strip()
    return ""


def load_quality_rules(folder: Path | None = None) -> list[QualityRule]:
    """The rules of ``folder`` (default ``queries/qc``), with severities from its ``profile.toml``.

    Raises:
        InputError: the profile is missing or unreadable, gives a severity other than
            ``error``/``warn``, names a rule with no file, or a rule has no severity.
    """
    folder = qc_folder() if folder is None else Path(folder)
    profile_path = folder / "profile.toml"
    try:
        profile = tomllib.loads(profile_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("the quality profile is missing", path=profile_path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the quality profile does not parse: {exc}", path=profile_path) from None
    severities = profile.get("severity", {})
    files = {p.name[: -len("-violation.rq")]: p for p in sorted(folder.glob("*-violation.rq"))}
    unknown = sorted(set(severities) - set(files))
    if unknown:
        raise InputError(f"the profile names rule {unknown[0]!r}, but there is no {unknown[0]}-violation.rq",
                         path=profile_path)
    rules = []
    for name, path in files.items():
        if name not in severities:
            raise InputError(f"rule {name!r} has no severity", path=profile_path,
                             hint=f'add `{name} = "error"` (or "warn") under [severity]')
        try:
            severity = Severity(severities[name])
        except ValueError:
            raise InputError(f"rule {name!r}: severity must be \"error\" or \"warn\", not {severities[name]!r}",
                             path=profile_path) from None
        text = path.read_text(encoding="utf-8")
        header = _header(text)
        rules.append(QualityRule(name, path, severity, _field(header, "Finds"), _field(header, "Why it matters"),
                                 text))
    return rules


def check_quality_store(store: ox.Store, where: Path, *,
                        rules: Sequence[QualityRule] | None = None) -> QualityReport:
    """Run the quality rules on a working store (default graph: the union), e.g. during a build."""
    rules = load_quality_rules() if rules is None else rules
    results = []
    for rule in rules:
        try:
            answer = store.query(rule.query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            error = _syntax_error(exc)
            raise QuerySyntaxError(error.message, path=rule.path, line=error.line) from None
        results.append(RuleResult(rule, QueryResult.from_pyoxigraph(answer)))
    return QualityReport(Path(where), tuple(results))


def check_quality(build: Path, *, rules: Sequence[QualityRule] | None = None) -> QualityReport:
    """Run the quality rules (default: every rule of ``queries/qc``) on a build folder."""
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


def load_competency_queries(folder: Path | None = None) -> list[CompetencyQuery]:
    """The competency questions of ``folder`` (default ``queries/cq``), in file-name order.

    A file with no header gets an empty question; the tests require every field.
    """
    folder = cq_folder() if folder is None else Path(folder)
    out = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = _header(text)
        question = header[0] if header and not header[0].startswith(("Why:", "Expected:")) else ""
        expected = _field(header, "Expected")
        out.append(CompetencyQuery(path, question, _field(header, "Why"), text,
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


__all__ = ["CompetencyQuery", "QualityReport", "QualityRule", "QueryResult", "QuerySyntaxError", "RuleResult",
           "Severity", "check_quality", "curie", "display", "json_bindings", "load_build", "load_competency_queries",
           "load_quality_rules", "query_form", "read_expected", "run_query"]
