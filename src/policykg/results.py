"""SPARQL answers as typed data: :class:`QueryResult` and its text forms, and the error of a
query that does not parse.

Door: :class:`QueryResult` (solutions, a boolean or triples; printed as an aligned table, CSV,
TSV or SPARQL JSON), :func:`json_bindings` (the one SPARQL-JSON term encoder, of ``policykg
query`` and of the server's query workers), :func:`display` and :func:`curie` (a term as a
table shows it), :class:`QuerySyntaxError` and :func:`syntax_error`. Shared by the quality
rules of a build (:mod:`policykg.pipeline.gate.quality`), ``policykg query`` (:mod:`policykg.tools.query`) and the
server; light to import (pyoxigraph is imported where a term is read).

>>> QueryResult.from_boolean(False).to_json()
'{"head": {}, "boolean": false}\\n'
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import InputError
from .names import ID, LINK_PREFIXES, PREFIXES

if TYPE_CHECKING:  # pyoxigraph is imported where it is used, to keep this module light
    import pyoxigraph as ox

    Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_XSD = "http://www.w3.org/2001/XMLSchema#"
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
    extra = {"site": ID + "site/", "span": ID + "span/", "statement": ID + "statement/",
             "lexicon": ID + "lexicon/", "spdx": "http://spdx.org/rdf/terms#", **LINK_PREFIXES}
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
# A query that does not parse
# --------------------------------------------------------------------------------------------

class QuerySyntaxError(InputError):
    """The query does not parse; ``line`` is the query's line (1-based) when the parser says."""


def syntax_error(exc: Exception) -> QuerySyntaxError:
    """The parser's message; its line kept on the error, shown once a caller adds the path."""
    message = str(exc)
    match = re.search(r"\bat (\d+):(\d+)", message)
    return QuerySyntaxError(f"SPARQL syntax error: {message}", line=int(match.group(1)) if match else None)


__all__ = ["QueryResult", "QuerySyntaxError", "curie", "display", "display_prefixes", "json_bindings",
           "syntax_error"]
