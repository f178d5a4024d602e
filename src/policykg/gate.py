"""The SHACL gate: a data graph and the shapes in, a typed :class:`Report` out.

Door: :func:`validate`. It never raises for a non-conforming graph: non-conformance is a
result. A graph *passes* the gate when the report holds no ``sh:Violation``; warnings are
reported but do not stop publication.

The shapes live in ``ontology/shapes.ttl``; :func:`check_shapes` checks them against
SHACL-for-SHACL (pySHACL's meta-validation), so a broken shape is found before it silently
passes every graph.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, SH

from . import resources


class Severity(Enum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

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
    for node in report.subjects(RDF.type, SH.ValidationResult):
        message = report.value(node, SH.resultMessage)
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


def validate(data: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None,
             inference: str = "none") -> Report:
    """Validate ``data`` against the shapes, with the ontology's class hierarchy.

    The ontology is mixed into a copy of the data (pySHACL's ``ont_graph``) so that
    ``sh:targetClass pol:Area`` reaches instances of its subclasses; ``data`` is not changed.
    ``inference`` is pySHACL's: ``none`` (the build has already reasoned), ``rdfs`` or ``owlrl``.
    """
    import pyshacl

    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference=inference,
        advanced=True,
        allow_warnings=True,
        inplace=False,
    )
    for prefix, namespace in list(shapes.namespaces()) + list(data.namespaces()):
        report_graph.bind(prefix, namespace, override=False)
    return Report(results=_sorted(_results(report_graph)), graph=report_graph)


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
    "ontology_graph",
    "shapes_graph",
    "validate",
]
