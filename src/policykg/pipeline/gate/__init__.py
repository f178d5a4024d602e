"""The SHACL gate: a data graph and the shapes in, a typed :class:`Report` out.

Door: :func:`validate`. It never raises for a non-conforming graph: non-conformance is a
result. A graph *passes* the gate when the report holds no ``sh:Violation``; warnings are
reported but do not stop publication.

The shapes live in ``ontology/shapes.ttl``; :func:`check_shapes` checks them against
SHACL-for-SHACL (pySHACL's meta-validation), so a broken shape is found before it silently
passes every graph.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, SH, NamespaceManager, split_uri

from ... import resources
from ...rdfio import gc_paused, rdflib_term
from . import shacl_sparql


class Severity(Enum):
    """How much a finding matters, most severe first: SHACL's severities, which the gate reports,
    and the levels of the quality rules (:mod:`policykg.pipeline.gate.quality`), whose profile calls the first
    two ``error`` and ``warn``, as ROBOT's report profiles do: :attr:`ERROR` is
    :attr:`VIOLATION` and :attr:`WARN` is :attr:`WARNING` (aliases, not members of their own)."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"
    ERROR = "Violation"  # an alias: the quality profile's name of VIOLATION
    WARN = "Warning"  # an alias: the quality profile's name of WARNING

    @classmethod
    def from_iri(cls, iri: Node | None) -> Severity:
        if iri is None:
            return cls.VIOLATION  # SHACL's default severity
        return cls(str(iri).rsplit("#", 1)[-1])

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, with IRIs and literals as N-Triples-like strings."""

    severity: Severity
    focus: str
    shape: str
    path: str | None
    value: str | None
    message: str
    constraint: str

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        """Most severe first, then by focus node, shape, path and value."""
        return (self.severity.rank, self.focus, self.shape, self.path or "", self.value or "",
                self.message)

    def __str__(self) -> str:
        parts = [f"{self.severity.value}: {self.focus}"]
        if self.path:
            parts.append(f"  path: {self.path}")
        if self.value is not None:
            parts.append(f"  value: {self.value}")
        parts.append(f"  shape: {self.shape}")
        parts.append(f"  {self.message}")
        return "\n".join(parts)


@dataclass(frozen=True)
class Report:
    """The gate's verdict on one graph.

    ``passed`` is the publishing verdict (no violation); ``conforms`` is SHACL's own notion
    (no result of any severity).
    """

    results: tuple[ValidationResult, ...]
    graph: Graph = field(repr=False, compare=False)
    engine: str = "sparql"  # which engine produced the results ("sparql" or "pyshacl ...")

    @property
    def conforms(self) -> bool:
        return not self.results

    @property
    def passed(self) -> bool:
        return not self.of(Severity.VIOLATION)

    def of(self, severity: Severity) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity is severity)

    def counts(self) -> dict[Severity, int]:
        return {s: len(self.of(s)) for s in Severity}

    def to_text(self) -> str:
        """A readable report grouped by severity, most severe first."""
        counts = self.counts()
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"SHACL gate: {verdict} "
            f"({counts[Severity.VIOLATION]} violations, {counts[Severity.WARNING]} warnings, "
            f"{counts[Severity.INFO]} infos)"
        ]
        for severity in Severity:
            group = self.of(severity)
            if not group:
                continue
            lines.append("")
            lines.append(f"== {severity.value}s ({len(group)}) ==")
            lines.extend(str(r) for r in group)
        return "\n".join(lines) + "\n"


class _Namespaces(NamespaceManager):
    """rdflib's namespace manager, without the step that grows with the square of the report.

    rdflib puts the namespace of every IRI it is asked to shorten into a trie, even when no
    prefix is bound to it, and each insertion walks the trie's top level: the gate's report names
    thousands of measures, each in the namespace of its own table (``id/measure/<table>/75``), so
    the time grows with the square of the number of tables (0.6 s of the report's 1.7 s at a
    thousand documents; rdflib's Turtle writer pays it again for ``shacl-report.ttl``). Here an
    IRI that no bound prefix can shorten is answered at once as rdflib would answer it
    (``<iri>``, or no prefix: ``KeyError``); every other is rdflib's own.
    """

    def __init__(self, graph: Graph, bind_namespaces: str = "rdflib") -> None:
        self._bound: tuple[str, ...] | None = None
        super().__init__(graph, bind_namespaces)  # type: ignore[arg-type]

    def bind(self, *args, **kwargs) -> None:  # type: ignore[override]
        self._bound = None
        super().bind(*args, **kwargs)

    def _shortens(self, uri: str, namespace: str) -> bool:
        """Whether a bound namespace that begins with ``namespace`` (the one rdflib splits ``uri``
        at) begins ``uri``: else rdflib finds no prefix for it."""
        if self._bound is None:
            self._bound = tuple(str(ns) for _, ns in self.namespaces())
        return any(uri.startswith(bound) and bound.startswith(namespace) for bound in self._bound)

    def normalizeUri(self, rdfTerm: str) -> str:  # noqa: N802, N803 - rdflib's name
        if isinstance(rdfTerm, URIRef):
            try:
                namespace, _ = split_uri(rdfTerm)
            except ValueError:
                return super().normalizeUri(rdfTerm)
            if self.store.prefix(URIRef(namespace)) is None:
                return f"<{rdfTerm}>"
        return super().normalizeUri(rdfTerm)

    def compute_qname(self, uri: str, generate: bool = True) -> tuple[str, URIRef, str]:
        if not generate:
            try:
                namespace, _ = split_uri(uri)
            except ValueError:
                return super().compute_qname(uri, generate)
            if not self._shortens(uri, namespace):
                raise KeyError(f"No known prefix for {namespace} and generate=False")
        return super().compute_qname(uri, generate)


def report_graph() -> Graph:
    """An empty graph for a validation report, with :class:`_Namespaces`."""
    graph = Graph()
    graph.namespace_manager = _Namespaces(graph)
    return graph


def _term(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # pragma: no cover - rdflib refuses some IRIs as CURIEs
            return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(graph.namespace_manager)
    return f"_:{node}"


def _describe_path(graph: Graph, node: Node | None) -> str | None:
    """A compact SPARQL-like rendering of a SHACL property path."""
    if node is None or isinstance(node, URIRef):
        return _term(graph, node)
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + (_describe_path(graph, inverse) or "?")
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        from rdflib.collection import Collection

        return "(" + "|".join(_describe_path(graph, n) or "?" for n in Collection(graph, alternatives)) + ")"
    return "_:path"


def _results(report: Graph) -> Iterable[ValidationResult]:
    """The report's results: those of its ``sh:ValidationReport`` (pySHACL also types the
    nested results it links with ``sh:detail`` as ``sh:ValidationResult``; they are not
    results of the report)."""
    nodes = [n for root in report.subjects(RDF.type, SH.ValidationReport) for n in report.objects(root, SH.result)]
    for node in nodes:
        # One message per result: in English where the shape gives several languages.
        messages = sorted(report.objects(node, SH.resultMessage),
                          key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m)))
        message = messages[0] if messages else None
        yield ValidationResult(
            severity=Severity.from_iri(report.value(node, SH.resultSeverity)),
            focus=_term(report, report.value(node, SH.focusNode)) or "?",
            shape=_term(report, report.value(node, SH.sourceShape)) or "?",
            path=_describe_path(report, report.value(node, SH.resultPath)),
            value=_term(report, report.value(node, SH.value)),
            message=str(message) if message is not None else "",
            constraint=_term(report, report.value(node, SH.sourceConstraintComponent)) or "?",
        )


def _sorted(results: Iterable[ValidationResult]) -> tuple[ValidationResult, ...]:
    return tuple(sorted(results, key=ValidationResult.sort_key))


@cache
def _load(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def shapes_graph() -> Graph:
    """The project's shapes (parsed once per process; treat as read-only)."""
    return _load(resources.shapes_path())


def ontology_graph() -> Graph:
    """The project's ontology (parsed once per process; treat as read-only)."""
    return _load(resources.ontology_path())


ENGINES = ("sparql", "pyshacl")

#: SPARQL that a SHACL-SPARQL constraint may not use (SHACL 5.3.1 forbids MINUS, VALUES and
#: SERVICE where $this is pre-bound; SERVICE and LOAD would also reach the network).
_FORBIDDEN = re.compile(r"\b(SERVICE|LOAD|MINUS|VALUES)\b", re.IGNORECASE)


def check_sparql_constraints(shapes: Graph) -> None:
    """Refuse shapes whose SPARQL constraints use SERVICE, LOAD, MINUS or VALUES: the gate
    fails closed (an error) rather than reaching the network or pre-binding wrongly.

    Raises:
        InputError: naming the shape and the keyword.
    """
    from ...errors import InputError

    for key in (SH.select, SH.ask):
        for node, text in shapes.subject_objects(key):
            found = _FORBIDDEN.search(re.sub(r'"[^"\n]*"|\'[^\'\n]*\'|#[^\n]*', " ", str(text)))
            if found:
                owners = [o for o in shapes.subjects(SH.sparql, node)] or [node]
                raise InputError(f"the SHACL-SPARQL constraint of {owners[0]} uses {found.group(1).upper()}, "
                                 "which the gate refuses (SHACL 5.3.1; no network access from a shape)",
                                 hint="rewrite the constraint without it")


def validate(data: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None,
             inference: str = "none", engine: str = "sparql") -> Report:
    """Validate ``data`` against the shapes, with the ontology's class hierarchy.

    The ontology is mixed into the data graph (as pySHACL's ``ont_graph`` does) so that
    ``sh:targetClass pol:Area`` reaches instances of its subclasses; ``data`` is not changed.
    ``inference`` is pySHACL's: ``none`` (the build has already reasoned), ``rdfs`` or ``owlrl``;
    anything but ``none`` needs the ``pyshacl`` engine, which is then used.

    ``engine="sparql"`` (the default) compiles the shapes to SPARQL
    (:mod:`policykg.pipeline.gate.shacl_sparql`) and evaluates them on pyoxigraph; ``engine="pyshacl"`` runs
    pySHACL, the reference a test keeps the two equal to. Shapes the compiler cannot translate
    are validated by pySHACL too (``Report.engine`` says which ran).
    """
    import pyoxigraph as ox

    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    check_sparql_constraints(shapes)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    if engine == "sparql" and inference == "none":
        try:
            plan = shacl_sparql.compile_shapes(shapes)
        except shacl_sparql.Unsupported as reason:
            fallback = str(reason)
        else:
            store = ox.Store()
            for graph in (data, ontology):
                payload = graph.serialize(format="nt", encoding="utf-8")
                if payload.strip():
                    store.load(payload, format=ox.RdfFormat.N_TRIPLES)
            return _report(plan, plan.run(store), shapes, data.namespaces())
    else:
        fallback = None
    return _pyshacl(data, shapes, ontology, inference, fallback)


def validate_store(store, graphs: Iterable = (), *, shapes: Graph | None = None) -> Report:
    """Validate the union of ``graphs`` (named graphs of the pyoxigraph ``store``; the ontology
    among them) against the shapes, without copying the store: the build's gate.

    Shapes the compiler cannot translate fall back to pySHACL on an rdflib copy of the graphs.
    """
    import pyoxigraph as ox

    shapes = shapes if shapes is not None else shapes_graph()
    check_sparql_constraints(shapes)
    graphs = list(graphs)
    try:
        plan = shacl_sparql.compile_shapes(shapes)
    except shacl_sparql.Unsupported as reason:
        quads = [ox.Triple(q.subject, q.predicate, q.object) for g in graphs
                 for q in store.quads_for_pattern(None, None, None, g)]
        data = Graph()
        payload = ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES)
        if payload:
            data.parse(data=payload, format="nt")
        return _pyshacl(data, shapes, Graph(), "none", str(reason))
    with gc_paused():  # the report's rdflib terms, in bulk for a failing graph (rdfio.gc_paused)
        return _report(plan, plan.run(store, default_graph=graphs), shapes, ())


def _pyshacl(data: Graph, shapes: Graph, ontology: Graph, inference: str, fallback: str | None) -> Report:
    import pyshacl

    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology if len(ontology) else None,
        inference=inference,
        advanced=True,
        allow_warnings=True,
        inplace=False,
    )
    for prefix, namespace in list(shapes.namespaces()) + list(data.namespaces()):
        report_graph.bind(prefix, namespace, override=False)
    engine = "pyshacl" if fallback is None else f"pyshacl (the shapes do not compile to SPARQL: {fallback})"
    return Report(results=_sorted(_results(report_graph)), graph=report_graph, engine=engine)


def _report(plan: shacl_sparql.Plan, rows: Iterable[shacl_sparql.Row], shapes: Graph,
            namespaces: Iterable[tuple[str, Node]]) -> Report:
    """A SHACL validation report graph (as pySHACL writes one) of the compiled plan's rows.

    The results are numbered check by check and, within a check, in the order of their focus
    node, value node, path and bindings (as N-Triples terms), and each result's blank node is
    labelled by its number. rdflib's Turtle writer lists a subject's objects by their labels:
    with the random labels of ``BNode()`` the results of ``shacl-report.ttl`` came in a new
    order at every build of the same graph; now their order, and the file, depend on the
    results only (not on chance, nor on the order in which Oxigraph gives a query's solutions).
    """
    from rdflib import BNode

    report = report_graph()
    for prefix, namespace in list(shapes.namespaces()) + list(namespaces):
        report.bind(prefix, namespace, override=False)
    root = BNode("report")
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = True
    position = {id(check): i for i, check in enumerate(plan.checks)}

    def order(row: shacl_sparql.Row) -> tuple:
        return (position.get(id(row.check), len(position)), str(row.focus),
                "" if row.value is None else str(row.value), "" if row.path is None else str(row.path),
                sorted((k, str(v)) for k, v in row.bindings.items()))

    rows = sorted(rows, key=order)
    width = len(str(len(rows)))
    for number, row in enumerate(rows):
        check = row.check
        conforms = False
        node = BNode(f"result{number:0{width}d}")
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, rdflib_term(row.focus)))
        report.add((node, SH.resultSeverity, check.severity))
        report.add((node, SH.sourceShape, check.shape))
        report.add((node, SH.sourceConstraintComponent, check.component))
        if check.constraint is not None:
            report.add((node, SH.sourceConstraint, check.constraint))
        path = rdflib_term(row.path) if row.path is not None else check.path
        if path is not None:
            report.add((node, SH.resultPath, path))
            shacl_sparql.copy_path(shapes, path, report)
        if row.value is not None:
            report.add((node, SH.value, rdflib_term(row.value)))
        for message in shacl_sparql.message_for(check, row.bindings):
            report.add((node, SH.resultMessage, message))
    report.add((root, SH.conforms, Literal(conforms)))
    return Report(results=_sorted(_results(report)), graph=report, engine="sparql")


def check_shapes(shapes: Graph | None = None) -> Report:
    """Validate the shapes graph itself against SHACL-for-SHACL."""
    import pyshacl

    shapes = shapes if shapes is not None else shapes_graph()
    meta = Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl", format="turtle")
    _conforms, report_graph, _text = pyshacl.validate(shapes, shacl_graph=meta, inplace=False)
    return Report(results=_sorted(_results(report_graph)), graph=report_graph)


__all__ = [
    "Report",
    "Severity",
    "ValidationResult",
    "check_shapes",
    "check_sparql_constraints",
    "ontology_graph",
    "shapes_graph",
    "validate",
    "validate_store",
]
