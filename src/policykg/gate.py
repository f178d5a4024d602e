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
from rdflib.namespace import RDF, SH

from . import resources
from .rdfio import rdflib_term


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
             inference: str = "none", engine: str = "hybrid") -> Report:
    """Validate ``data`` against the shapes, with the ontology's class hierarchy.

    The ontology is mixed into a copy of the data (pySHACL's ``ont_graph``) so that
    ``sh:targetClass pol:Area`` reaches instances of its subclasses; ``data`` is not changed.
    ``inference`` is pySHACL's: ``none`` (the build has already reasoned), ``rdfs`` or ``owlrl``.

    ``engine="hybrid"`` (the default) lets pySHACL check the core constraints and evaluates the
    SHACL-SPARQL constraints on pyoxigraph, which is orders of magnitude faster than rdflib's
    SPARQL engine; ``engine="pyshacl"`` does everything in pySHACL (the reference: a test keeps
    the two equal).
    """
    import pyshacl

    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    if engine not in ("hybrid", "pyshacl"):
        raise ValueError(f"unknown engine {engine!r}")
    constraints = sparql_constraints(shapes) if engine == "hybrid" else ()
    if inference != "none":
        constraints = ()  # the entailed graph exists only inside pySHACL
    core = _without_sparql(shapes) if constraints else shapes
    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=core,
        ont_graph=ontology,
        inference=inference,
        advanced=True,
        allow_warnings=True,
        inplace=False,
    )
    if constraints:
        _evaluate_sparql(constraints, data, ontology, report_graph)
    for prefix, namespace in list(shapes.namespaces()) + list(data.namespaces()):
        report_graph.bind(prefix, namespace, override=False)
    return Report(results=_sorted(_results(report_graph)), graph=report_graph)


@dataclass(frozen=True)
class SparqlConstraint:
    """A SHACL-SPARQL constraint, rewritten to run once over all focus nodes."""

    shape: Node
    constraint: Node
    severity: Node
    path: Node | None
    message: str | None
    query: str  # SELECT ?this ... with the target pattern injected


def _path_sparql(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({_path_sparql(shapes, inverse)})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        from rdflib.collection import Collection

        return "(" + "|".join(_path_sparql(shapes, n) for n in Collection(shapes, alternatives)) + ")"
    for key, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, key)
        if inner is not None:
            return f"({_path_sparql(shapes, inner)}){suffix}"
    if shapes.value(path, RDF.first) is not None:
        from rdflib.collection import Collection

        return "/".join(_path_sparql(shapes, n) for n in Collection(shapes, path))
    raise ValueError(f"unsupported SHACL path {path!r}")


def sparql_constraints(shapes: Graph) -> tuple[SparqlConstraint, ...]:
    """The shapes' SHACL-SPARQL constraints, each rewritten for a single pyoxigraph query.

    ``$this`` becomes a variable bound by the shape's targets (``sh:targetClass``, subclasses
    included); ``$PATH`` the property shape's path. A shape targeted in any other way is left
    to pySHACL (the tuple is then empty).
    """
    return _sparql_constraints(id(shapes), len(shapes), shapes)


@cache
def _sparql_constraints(_id: int, _size: int, shapes: Graph) -> tuple[SparqlConstraint, ...]:
    out = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        owners = [shape] if (shape, RDF.type, SH.NodeShape) in shapes else list(shapes.subjects(SH.property, shape))
        targets = sorted({t for o in owners for t in shapes.objects(o, SH.targetClass)})
        other_targets = [o for o in owners for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                         if shapes.value(o, p) is not None]
        if not targets or other_targets or shapes.value(constraint, SH.select) is None:
            return ()
        prefixes = []
        for owner in shapes.objects(constraint, SH.prefixes):
            for decl in shapes.objects(owner, SH.declare):
                prefixes.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
        text = str(shapes.value(constraint, SH.select))
        path = shapes.value(shape, SH.path)
        if path is not None:
            text = text.replace("$PATH", _path_sparql(shapes, path))
        text = re.sub(r"\$this\b", "?this", text)
        values = " ".join(f"<{t}>" for t in targets)
        target = ("?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
                  "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?policykgTarget . "
                  f"VALUES ?policykgTarget {{ {values} }} ")
        where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        if where is None:
            return ()
        text = text[:where.end()] + " " + target + text[where.end():]
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        out.append(SparqlConstraint(shape, constraint, shapes.value(shape, SH.severity) or SH.Violation,
                                    path, str(message) if message is not None else None,
                                    "\n".join(prefixes) + "\n" + text))
    return tuple(out)


def _without_sparql(shapes: Graph) -> Graph:
    core = Graph()
    for prefix, namespace in shapes.namespaces():
        core.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    return core


def _evaluate_sparql(constraints: Iterable[SparqlConstraint], data: Graph, ontology: Graph,
                     report: Graph) -> None:
    """Run each constraint once on pyoxigraph; add its results to the SHACL report graph."""
    import pyoxigraph as ox
    from rdflib import BNode

    store = ox.Store()
    for graph in (data, ontology):
        payload = graph.serialize(format="nt", encoding="utf-8")
        if payload.strip():
            store.load(payload, format=ox.RdfFormat.N_TRIPLES)
    added = False
    for c in constraints:
        solutions = store.query(c.query)
        variables = [v.value for v in solutions.variables]
        for row in solutions:
            binding = {name: row[name] for name in variables if row[name] is not None}
            focus = binding.get("this")
            if focus is None:
                continue
            node = BNode()
            report.add((node, RDF.type, SH.ValidationResult))
            report.add((node, SH.focusNode, rdflib_term(focus)))
            report.add((node, SH.resultSeverity, c.severity))
            report.add((node, SH.sourceShape, c.shape))
            report.add((node, SH.sourceConstraint, c.constraint))
            report.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
            if c.path is not None:
                report.add((node, SH.resultPath, c.path))
            if "value" in binding:
                report.add((node, SH.value, rdflib_term(binding["value"])))
            if c.message:
                text = re.sub(r"\{[?$](\w+)\}",
                              lambda m: binding[m.group(1)].value if m.group(1) in binding else m.group(0),
                              c.message)
                report.add((node, SH.resultMessage, Literal(text)))
            added = True
    if added:
        root = next(report.subjects(RDF.type, SH.ValidationReport))
        for node in report.subjects(RDF.type, SH.ValidationResult):
            report.add((root, SH.result, node))
        report.set((root, SH.conforms, Literal(False)))


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
    "SparqlConstraint",
    "check_shapes",
    "ontology_graph",
    "shapes_graph",
    "sparql_constraints",
    "validate",
]
