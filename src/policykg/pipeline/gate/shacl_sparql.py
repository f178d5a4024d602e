"""SHACL shapes compiled to SPARQL, evaluated on pyoxigraph.

Door: :func:`compile_shapes` turns a shapes graph into a :class:`Plan`, one SELECT query per
(focus shape, constraint): each query returns exactly the validation results of that constraint,
one row per result, with ``?this`` the focus node and ``?value`` the value node (when SHACL
reports one). :meth:`Plan.run` evaluates the queries against a pyoxigraph store.

Why: pySHACL checks the core constraints one focus node at a time in Python over rdflib, which
grows faster than linearly with the graph (85 s of a 110 s build at 300 documents). The same
constraints as set-oriented SPARQL on pyoxigraph check a thousand documents in a few seconds.

What it covers is the part of SHACL Core that a publishing gate needs, with the semantics of the
SHACL specification (section 4) as pySHACL implements them: targets (``sh:targetClass`` with
subclasses, ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class
targets), predicate, inverse, sequence, alternative and ``*``/``+``/``?`` paths, and the
components ``class``, ``datatype``, ``nodeKind``, ``minCount``, ``maxCount``, ``min/max
Inclusive/Exclusive``, ``minLength``, ``maxLength``, ``pattern``, ``languageIn``,
``uniqueLang``, ``in``, ``hasValue``, ``equals``, ``disjoint``, ``lessThan``,
``lessThanOrEquals``, ``not``, ``and``, ``or``, ``xone``, ``node`` and
``qualifiedValueShape`` (inner shapes built from value-level constraints), ``closed`` and
SHACL-SPARQL SELECT constraints. A shapes graph using anything else raises
:class:`Unsupported`, naming the shape and the construct, and the gate falls back to pySHACL:
the compiled plan is never silently incomplete.

A test (``tests/test_gate_equivalence.py``) keeps the results equal to pySHACL's, result for
result, on every shape case and on a generated corpus with planted violations.

Class membership (``sh:class``) is never asked one value node at a time. Oxigraph evaluates
``EXISTS { ?value rdf:type/rdfs:subClassOf* C }`` for every row, and each evaluation walks
the value node's triples: when thousands of focus nodes share one value node with thousands
of triples (every pilot area's notice, every measure's table) the check grew with the square
of the graph (3 s of a 3.3 s gate at 5,000 pilot areas). Instead the instances of ``C`` are
found once, from ``C``, and joined on ``?value``:

* a ``sh:class`` constraint of the shape itself is ``{ value nodes } MINUS { ?value
  rdf:type/rdfs:subClassOf* C }``. This is ``FILTER NOT EXISTS`` exactly: both sides always
  bind ``?value`` (the value nodes bind it from a triple or from ``?this``; the right side has
  no other variable), so MINUS removes a row exactly when some instance of ``C`` is its value
  node, which is what NOT EXISTS asks; a literal or an untyped node is the subject of no
  ``rdf:type`` triple and is an instance of nothing either way;
* a ``sh:class`` inside ``sh:or``, ``sh:and``, ``sh:xone``, ``sh:not``, ``sh:node`` or
  ``sh:qualifiedValueShape`` is ``BOUND(?flag)``, the flag bound by ``OPTIONAL { SELECT
  DISTINCT ?value (true AS ?flag) WHERE { ?value rdf:type/rdfs:subClassOf* C } }``: DISTINCT
  gives at most one match per value node, so the OPTIONAL never repeats a row, and the flag
  is bound exactly when ``EXISTS`` would be true.

(``tests/test_gate_equivalence.py`` compares both with ``FILTER NOT EXISTS`` and with pySHACL
on literals, blank nodes, subclass instances, untyped nodes and types in other graphs.)

Nothing is found twice when once will do (issue 18: the gate grew 14 times for 8 times the
graph). The counting constraints on a predicate or an inverse predicate join the focus nodes
with its triples (:func:`_count_query`: MINUS for a minimum of one, a join and a count for a
maximum) instead of a DISTINCT sub-select that finds the focus nodes again; and the sets that
several checks share, the focus nodes of a shape and the instances of a class, are found once
per run and read back from a scratch graph (:class:`_SharedSets`). ``tests/test_gate_growth.py``
compares every check as run with the check as compiled, row for row, and with pySHACL.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Self

from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

#: The datatypes whose well-formedness the gate checks with a SPARQL cast (as pySHACL does for
#: the datatypes rdflib knows); for any other datatype a literal matches when its IRI does.
CASTABLE = (XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.date, XSD.dateTime,
            XSD.time)

#: The constraint parameters handled here (anything else in a shape raises Unsupported).
PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minInclusive,
    SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.minLength, SH.maxLength, SH.pattern,
    SH.flags, SH.languageIn, SH.uniqueLang, SH["in"], SH.hasValue, SH.equals, SH.disjoint,
    SH.lessThan, SH.lessThanOrEquals, SH["not"], SH["and"], SH["or"], SH.xone, SH.node,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.closed,
    SH.ignoredProperties, SH.sparql, SH.property,
}
#: Parameters of which each value is a constraint of its own, with results of its own (SHACL
#: 2.2: two values of sh:class on one shape report a value that is an instance of neither
#: twice, as pySHACL does).
SEVERAL = {SH["class"], SH["not"], SH.node, SH["and"], SH["or"], SH.xone}
#: Shape terms that are not constraints.
NON_CONSTRAINTS = {
    RDF.type, SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
    SH.defaultValue, RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.seeAlso,
}
#: Constraints that may appear in a shape nested in sh:or/and/xone/not/node/qualifiedValueShape.
VALUE_LEVEL = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minInclusive, SH.maxInclusive, SH.minExclusive,
    SH.maxExclusive, SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH["in"],
    SH.hasValue, SH["not"], SH["and"], SH["or"], SH.xone, SH.node,
}

TYPE_PATH = ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
             "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*")


class Unsupported(ValueError):
    """The shapes use a construct this compiler does not translate (the message says which)."""


class Instances:
    """The classes whose membership a value-level condition tests, one flag variable each.

    :meth:`flag` names the variable that is bound exactly when the value node ``var`` is an
    instance of the class; :meth:`patterns` is the SPARQL that binds the flags, to be placed
    after the pattern binding ``var`` (and before the FILTER using the flags). Each class's
    instances are found once, not once per value node (see the module notes).
    """

    def __init__(self, var: str) -> None:
        self.var = var
        self.flags: dict[Node, str] = {}

    def flag(self, cls: Node) -> str:
        if cls not in self.flags:
            self.flags[cls] = f"?policykgInstance{len(self.flags)}"
        return self.flags[cls]

    def patterns(self) -> str:
        return " ".join(f"OPTIONAL {{ SELECT DISTINCT {self.var} (true AS {flag}) WHERE "
                        f"{{ {self.var} {TYPE_PATH} {_iri(cls)} }} }}"
                        for cls, flag in self.flags.items())


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, for the focus nodes of one (possibly other) shape.

    ``query`` selects one row per validation result: ``?this`` (the focus node), ``?value``
    when the component reports a value node, and ``?path`` for ``sh:closed`` (whose result
    path is the offending predicate). For SHACL-SPARQL constraints every other variable of
    the row fills ``{?name}`` in ``message``.
    """

    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None
    messages: tuple[Literal, ...]
    default_message: str
    query: str
    constraint: Node | None = None  # the sh:sparql node of a SHACL-SPARQL constraint
    #: The sets of nodes that ``query`` finds on its way (the focus nodes, the instances of a
    #: class): :meth:`Plan.run` finds each once per run instead of once per check.
    sets: tuple[NodeSet, ...] = ()


@dataclass(frozen=True)
class NodeSet:
    """A set of nodes that a check's query finds, as it finds it.

    ``text`` is the part of the query that finds them: a group that binds ``?var`` to each
    node (for the focus nodes, the DISTINCT sub-select of the shape's targets), or, with
    ``minus``, ``MINUS { ... }`` of such a group (the instances of a class, see the module
    notes). ``key`` is a DISTINCT sub-select binding ``?this`` to the same nodes: two checks
    with the same key find the same set.
    """

    text: str
    key: str
    var: str
    minus: bool = False


@dataclass(frozen=True)
class Row:
    """One validation result: the check that found it and its bindings (pyoxigraph terms)."""

    check: Check
    focus: object
    value: object | None
    path: object | None
    bindings: dict[str, object]


@dataclass(frozen=True)
class Plan:
    """The compiled shapes: every check, in a deterministic order."""

    checks: tuple[Check, ...]

    def run(self, store, default_graph: Sequence | None = None) -> Iterator[Row]:
        """Evaluate every check on ``store`` (a ``pyoxigraph.Store``).

        ``default_graph``: the named graphs whose union is the data graph (the ontology
        included, so that subclass targets and ``sh:class`` see the class hierarchy).

        The focus nodes of a shape and the instances of a class are found once per run, not
        once per check: they are written to a scratch named graph of ``store``
        (:class:`_SharedSets`), which is removed when the run ends; the data graph is only read.
        """
        options = {} if default_graph is None else {"default_graph": list(default_graph)}
        with _SharedSets(store, self.checks, default_graph) as foci:
            for check in self.checks:
                query, named = foci.query(check)
                solutions = store.query(query, **options, **named)
                names = [v.value for v in solutions.variables]
                for solution in solutions:
                    bindings = {n: solution[n] for n in names if solution[n] is not None}
                    if "this" not in bindings:
                        continue
                    yield Row(check, bindings["this"], bindings.get("value"), bindings.get("path"), bindings)


class _SharedSets:
    """The node sets of the checks (:class:`NodeSet`), found once and kept in a scratch graph.

    Every check of a shape selects the shape's focus nodes first (a DISTINCT sub-select of its
    targets: ``?this rdf:type/rdfs:subClassOf* C``, ...), and a class check the instances of its
    class; with a hundred checks over a few shapes and classes, finding the same nodes again
    was a third of the gate, and Oxigraph's hash tables for them grow faster than the graph
    (issue 18). Here each set that two checks or more share is found once, by ``INSERT {
    GRAPH <scratch> { <scratch:k> <member> ?this } } USING <each graph of the data graph> WHERE
    { key }``, and :meth:`query` reads it back with ``GRAPH <scratch> { <scratch:k> <member>
    ?var }``: the same nodes (a graph is a set, as the DISTINCT sub-select is; the node is the
    object, so a literal or a blank node stays itself), one index scan per check.

    The scratch graph has a fresh name per run, is outside the data graph (``default_graph``
    never names it) and is removed at the end. A SHACL-SPARQL constraint that names graphs
    itself (``GRAPH``, ``FROM``) keeps its own text and is given every named graph of the store
    but the scratch one, so that it sees the dataset as before. When the sets cannot be written
    this way (a read-only store, a data graph that is not a list of named graphs), every check
    runs as compiled: slower, the same results.
    """

    MEMBER = "urn:policykg:gate:member"

    def __init__(self, store, checks: Sequence[Check], default_graph: Sequence | None) -> None:
        self.store = store
        self.default_graph = default_graph
        self.graph = None
        self.members: dict[str, str] = {}  # key -> the IRI of its set in the scratch graph
        self.named: list | None = None
        uses: dict[str, int] = {}
        for check in checks:
            for key in {node_set.key for node_set in check.sets}:
                uses[key] = uses.get(key, 0) + 1
        self.shared = [key for key, n in uses.items() if n > 1]

    def __enter__(self) -> Self:
        import uuid

        import pyoxigraph as ox

        if not self.shared:
            return self
        using = ""
        if self.default_graph is not None:
            graphs = list(self.default_graph)
            if not graphs or not all(isinstance(g, ox.NamedNode) for g in graphs):
                return self
            try:
                using = "".join(f" USING {_iri(URIRef(g.value))}" for g in graphs)
            except Unsupported:
                return self
        name = f"urn:policykg:gate:sets:{uuid.uuid4().hex}"
        graph = ox.NamedNode(name)
        try:
            for k, key in enumerate(self.shared):
                member = f"{name}:{k}"
                self.store.update(f"INSERT {{ GRAPH <{name}> {{ <{member}> <{self.MEMBER}> ?this }} }}"
                                  f"{using} WHERE {{ {key} }}")
                self.members[key] = member
        except (OSError, RuntimeError):  # a read-only store, a full disk: every check runs as compiled
            self.members.clear()
            self._remove(graph)
            return self
        self.graph = graph
        return self

    def __exit__(self, *exc: object) -> None:
        if self.graph is not None:
            self._remove(self.graph)
            self.graph = None

    def _remove(self, graph) -> None:
        try:
            self.store.remove_graph(graph)
        except (OSError, RuntimeError):  # pragma: no cover - the store went read-only under us
            pass

    def query(self, check: Check) -> tuple[str, dict]:
        """The check's query as run, and the named graphs to give it (none: the store's)."""
        if self.graph is None:
            return check.query, {}
        if check.constraint is not None and _NAMES_GRAPHS.search(check.query):
            if self.named is None:
                self.named = [g for g in self.store.named_graphs() if g != self.graph]
            return check.query, {"named_graphs": self.named}
        query = check.query
        for node_set in check.sets:
            member = self.members.get(node_set.key)
            if member is None:
                continue
            found = f"GRAPH <{self.graph.value}> {{ <{member}> <{self.MEMBER}> ?{node_set.var} }}"
            # A materialised set is one quad pattern: NOT EXISTS looks each value node up in the
            # scratch graph's index (MINUS would read the whole set for every check).
            query = query.replace(node_set.text, f"FILTER NOT EXISTS {{ {found} }}" if node_set.minus
                                  else f"{{ {found} }}")
        return query, {}


#: A SPARQL query that chooses graphs itself (it runs as compiled, see :class:`_SharedSets`).
_NAMES_GRAPHS = re.compile(r"\b(GRAPH|FROM)\b", re.IGNORECASE)


# ------------------------------------------------------------------------------------ terms

def _iri(node: URIRef) -> str:
    text = str(node)
    if any(c in text for c in '<>"{}|^`\\ ') or any(ord(c) < 0x21 for c in text):
        raise Unsupported(f"IRI {text!r} cannot be written in SPARQL")
    return f"<{text}>"


def _string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return _iri(node)
    if isinstance(node, Literal):
        lexical = _string(str(node))
        if node.language:
            return f"{lexical}@{node.language}"
        if node.datatype is not None:
            return f"{lexical}^^{_iri(node.datatype)}"
        return lexical
    raise Unsupported(f"a blank node ({node}) as a constraint parameter")


def _list(shapes: Graph, head: Node, where: str) -> list[Node]:
    if head != RDF.nil and shapes.value(head, RDF.first) is None:
        raise Unsupported(f"{where} is not an RDF list")
    return list(Collection(shapes, head))


def path_sparql(shapes: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return _iri(path)
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({path_sparql(shapes, inverse)})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_sparql(shapes, n) for n in _list(shapes, alternatives, "sh:alternativePath")) + ")"
    for key, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, key)
        if inner is not None:
            return f"({path_sparql(shapes, inner)}){suffix}"
    if shapes.value(path, RDF.first) is not None:
        return "(" + "/".join(path_sparql(shapes, n) for n in _list(shapes, path, "a sequence path")) + ")"
    raise Unsupported(f"SHACL path {path!r}")


# ------------------------------------------------------------------------------ expressions

def _ok(expr: str) -> str:
    """An expression that is true when ``expr`` is, false when it is false or an error."""
    return f"COALESCE(({expr}), false)"


def _one(shapes: Graph, shape: Node, key: URIRef) -> Node:
    values = list(shapes.objects(shape, key))
    if len(values) != 1:
        raise Unsupported(f"{shape}: {len(values)} values of {key} (one expected)")
    return values[0]


def _int(shapes: Graph, shape: Node, key: URIRef) -> int:
    value = _one(shapes, shape, key)
    if not isinstance(value, Literal) or not isinstance(value.value, int) or isinstance(value.value, bool):
        raise Unsupported(f"{shape}: {key} must be an integer")
    return value.value


def parameters(shapes: Graph, shape: Node, key: URIRef) -> list[Node]:
    """The values of the parameter ``key`` of ``shape``, in a fixed order."""
    return sorted(shapes.objects(shape, key), key=_order)


def value_condition(shapes: Graph, shape: Node, var: str, key: URIRef, depth: int = 0,
                    instances: Instances | None = None, parameter: Node | None = None) -> str:
    """The SPARQL expression 'the value node ``var`` satisfies the constraint ``key`` of ``shape``'.

    With ``instances`` (for ``var``), class membership is a flag that ``instances.patterns()``
    binds; without, it is an ``EXISTS`` evaluated for every value node (slow, see the module
    notes; the same answer). ``parameter``: one value of a parameter that may have several
    (:data:`SEVERAL`), each a constraint of its own; by default all of them, all to hold.
    """
    given = [parameter] if parameter is not None else parameters(shapes, shape, key)
    if key == SH["class"]:
        if instances is not None and instances.var == var:
            return " && ".join(f"BOUND({instances.flag(c)})" for c in given)
        return " && ".join(f"EXISTS {{ {var} {TYPE_PATH} {_iri(c)} }}" for c in given)
    if key == SH.datatype:
        return _datatype_condition(_one(shapes, shape, key), var)
    if key == SH.nodeKind:
        kind = _one(shapes, shape, key)
        tests = {
            SH.IRI: f"isIRI({var})", SH.Literal: f"isLiteral({var})", SH.BlankNode: f"isBlank({var})",
            SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
            SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
            SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))",
        }
        if kind not in tests:
            raise Unsupported(f"{shape}: sh:nodeKind {kind}")
        return tests[kind]
    comparisons = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
    if key in comparisons:
        bound = _one(shapes, shape, key)
        if not isinstance(bound, Literal):
            raise Unsupported(f"{shape}: {key} must be a literal")
        return f"(!isBlank({var}) && !isIRI({var}) && {var} {comparisons[key]} {_term(bound)})"
    if key in (SH.minLength, SH.maxLength):
        op = ">=" if key == SH.minLength else "<="
        return f"(!isBlank({var}) && STRLEN(STR({var})) {op} {_int(shapes, shape, key)})"
    if key == SH.pattern:
        flags = shapes.value(shape, SH.flags)
        args = f"STR({var}), {_term(Literal(str(_one(shapes, shape, key))))}"
        if flags is not None:
            args += f", {_term(Literal(str(flags)))}"
        return f"(!isBlank({var}) && REGEX({args}))"
    if key == SH.flags:
        return "true"  # read with sh:pattern
    if key == SH.languageIn:
        tags = [str(t) for t in _list(shapes, _one(shapes, shape, key), "sh:languageIn")]
        if not tags:
            return "false"
        tests = " || ".join(f"langMatches(lang({var}), {_string(t)})" for t in tags)
        return f"(isLiteral({var}) && ({tests}))"
    if key == SH["in"]:
        members = _list(shapes, _one(shapes, shape, key), "sh:in")
        if not members:
            return "false"
        return "(" + " || ".join(f"sameTerm({var}, {_term(m)})" for m in members) + ")"
    if key == SH.hasValue:
        return " && ".join(f"sameTerm({var}, {_term(v)})" for v in sorted(shapes.objects(shape, key)))
    if key == SH["not"]:
        return " && ".join(f"!{_ok(conforms(shapes, s, var, depth + 1, instances))}" for s in given)
    if key == SH.node:
        return " && ".join(_ok(conforms(shapes, s, var, depth + 1, instances)) for s in given)
    if key in (SH["and"], SH["or"], SH.xone):
        out = []
        for head in given:
            members = [_ok(conforms(shapes, s, var, depth + 1, instances)) for s in _list(shapes, head, str(key))]
            if key == SH["and"]:
                out.append("(" + (" && ".join(members) or "true") + ")")
            elif key == SH["or"]:
                out.append("(" + (" || ".join(members) or "false") + ")")
            else:
                out.append("((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)" if members else "false")
        return " && ".join(out)
    raise Unsupported(f"{shape}: {key} inside a value-level shape")


def _datatype_condition(datatype: Node, var: str) -> str:
    if not isinstance(datatype, URIRef):
        raise Unsupported(f"sh:datatype {datatype!r}")
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    test = f"(isLiteral({var}) && sameTerm(datatype({var}), {_iri(datatype)})"
    if datatype in CASTABLE:
        test += f" && {_ok(f'isLiteral({_iri(datatype)}({var}))')}"
    return test + ")"


def conforms(shapes: Graph, shape: Node, var: str, depth: int = 0, instances: Instances | None = None) -> str:
    """The SPARQL expression 'node ``var`` conforms to ``shape``' for a shape of value-level
    constraints only (the shapes inside ``sh:or``, ``sh:not``, ``sh:qualifiedValueShape`` ...);
    ``instances`` as for :func:`value_condition`."""
    if depth > 16:
        raise Unsupported(f"{shape}: shapes nested more than 16 deep (recursive?)")
    if shapes.value(shape, SH.deactivated) == Literal(True):
        return "true"
    keys = sorted({p for p in shapes.predicates(shape) if p not in NON_CONSTRAINTS})
    unknown = [k for k in keys if k not in VALUE_LEVEL]
    if unknown or shapes.value(shape, SH.path) is not None:
        raise Unsupported(f"{shape}: {', '.join(map(str, unknown)) or 'sh:path'} in a nested shape")
    parts = [value_condition(shapes, shape, var, k, depth, instances) for k in keys]
    return "(" + (" && ".join(_ok(p) for p in parts) or "true") + ")"


# ------------------------------------------------------------------------------ compilation

def _targets(shapes: Graph, shape: Node) -> list[str]:
    """SPARQL patterns, one per target of ``shape``, each binding ``?this``."""
    out = []
    classes = set(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes and isinstance(shape, URIRef):
        classes.add(shape)
    for c in sorted(classes):
        out.append(f"?this {TYPE_PATH} {_iri(c)} .")
    nodes = sorted(shapes.objects(shape, SH.targetNode))
    if nodes:
        out.append("VALUES ?this { " + " ".join(_term(n) for n in nodes) + " }")
    for p in sorted(shapes.objects(shape, SH.targetSubjectsOf)):
        out.append(f"?this {_iri(p)} ?policykgAny .")
    for p in sorted(shapes.objects(shape, SH.targetObjectsOf)):
        out.append(f"?policykgAny {_iri(p)} ?this .")
    return out


def _focus(targets: list[str]) -> str:
    union = " UNION ".join(f"{{ {t} }}" for t in targets)
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def _messages(shapes: Graph, shape: Node) -> tuple[Literal, ...]:
    return tuple(sorted((m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)), key=str))


COMPONENTS = {
    SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent, SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent, SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent, SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent, SH.languageIn: SH.LanguageInConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent, SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent, SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent, SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent, SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent, SH.node: SH.NodeConstraintComponent,
    SH.closed: SH.ClosedConstraintComponent,
}
DEFAULT_MESSAGES = {
    SH["class"]: "Value is not an instance of the required class",
    SH.datatype: "Value does not have the required datatype (or is ill-typed)",
    SH.nodeKind: "Value is not of the required node kind",
    SH.minCount: "Fewer values than the minimum count",
    SH.maxCount: "More values than the maximum count",
    SH.minInclusive: "Value is below the inclusive minimum", SH.maxInclusive: "Value is above the inclusive maximum",
    SH.minExclusive: "Value is not above the exclusive minimum",
    SH.maxExclusive: "Value is not below the exclusive maximum",
    SH.minLength: "Value is shorter than the minimum length", SH.maxLength: "Value is longer than the maximum length",
    SH.pattern: "Value does not match the pattern", SH.languageIn: "Language tag not in the allowed list",
    SH.uniqueLang: "More than one value in the same language", SH["in"]: "Value is not in the allowed list",
    SH.hasValue: "The required value is missing", SH.equals: "Values differ from those of the other property",
    SH.disjoint: "Value is shared with the disjoint property",
    SH.lessThan: "Value is not less than the other property's value",
    SH.lessThanOrEquals: "Value is not less than or equal to the other property's value",
    SH["not"]: "Value conforms to a shape it must not conform to", SH["and"]: "Value does not conform to every shape",
    SH["or"]: "Value conforms to none of the shapes", SH.xone: "Value does not conform to exactly one shape",
    SH.node: "Value does not conform to the node shape", SH.closed: "Property not allowed by the closed shape",
    SH.qualifiedMinCount: "Fewer values conforming to the qualified shape than the minimum",
    SH.qualifiedMaxCount: "More values conforming to the qualified shape than the maximum",
}


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.prefixes: dict[Node, str] = {}

    def check(self, shape: Node, key: URIRef, component: URIRef, path: Node | None, query: str,
              constraint: Node | None = None, messages: tuple[Literal, ...] | None = None) -> Check:
        severity = self.shapes.value(shape, SH.severity) or SH.Violation
        return Check(shape, component, severity, path,
                     _messages(self.shapes, shape) if messages is None else messages,
                     DEFAULT_MESSAGES.get(key, "Validation result"), query, constraint)

    def compile(self) -> Plan:
        g = self.shapes
        node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
        for key in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            node_shapes |= set(g.subjects(key, None))
        node_shapes |= {s for s in g.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in g}
        checks: list[Check] = []
        for shape in sorted(node_shapes, key=_order):
            if g.value(shape, SH.deactivated) == Literal(True):
                continue
            targets = _targets(g, shape)
            if not targets:
                continue
            focus = _focus(targets)
            if g.value(shape, SH.path) is not None:  # a property shape with targets of its own
                mine = self.property_checks(shape, focus)
            else:
                mine = self.node_checks(shape, focus)
                for prop in sorted(g.objects(shape, SH.property), key=_order):
                    if g.value(prop, SH.deactivated) == Literal(True):
                        continue
                    mine += self.property_checks(prop, focus)
            checks += [dataclasses.replace(c, sets=(NodeSet(focus, focus, "this"), *c.sets))
                       if focus in c.query else c for c in mine]
        return Plan(tuple(checks))

    # The value nodes: ``?value`` for each value of the focus node ``?this``.
    def node_checks(self, shape: Node, focus: str) -> list[Check]:
        return self.constraint_checks(shape, focus, None, "BIND(?this AS ?value)")

    def property_checks(self, prop: Node, focus: str) -> list[Check]:
        g = self.shapes
        path = g.value(prop, SH.path)
        if path is None:
            raise Unsupported(f"{prop}: a property shape without sh:path")
        if g.value(prop, SH.property) is not None:
            raise Unsupported(f"{prop}: sh:property inside a property shape")
        values = f"{{ SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path_sparql(g, path)} ?value . }} }}"
        return self.constraint_checks(prop, focus, path, values)

    def constraint_checks(self, shape: Node, focus: str, path: Node | None, values: str) -> list[Check]:
        g = self.shapes
        keys = sorted({p for p in g.predicates(shape) if p not in NON_CONSTRAINTS})
        unknown = [k for k in keys if k not in PARAMETERS]
        if unknown:
            raise Unsupported(f"{shape}: {', '.join(map(str, unknown))}")
        if path is None and any(k in keys for k in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan,
                                                    SH.lessThanOrEquals, SH.qualifiedValueShape)):
            raise Unsupported(f"{shape}: a property-shape constraint on a node shape")
        node_focus = values.startswith("BIND")
        where_values = f"{focus} {values}" if node_focus else values
        # For a path that is a predicate or the inverse of one, the counting constraints join
        # the focus nodes with its triples directly (``pairs``), not through ``values`` (a
        # DISTINCT sub-select that finds the focus nodes a second time): their counts are of
        # distinct values anyway, and the same check takes half the time (issue 18).
        pairs = _predicate_pattern(g, path) if path is not None else None
        focus_pairs = f"{focus} {pairs}" if pairs is not None else values
        out: list[Check] = []
        for key in keys:
            if key in (SH.property, SH.flags, SH.ignoredProperties, SH.qualifiedMinCount, SH.qualifiedMaxCount):
                continue
            if key == SH.hasValue:  # at least one value node is the given term: no value reported
                for term in sorted(g.objects(shape, key)):
                    has = f"{values} FILTER(sameTerm(?value, {_term(term)}))"
                    if node_focus:
                        has = f"BIND(?this AS ?value) FILTER(sameTerm(?value, {_term(term)}))"
                    query = f"SELECT ?this WHERE {{ {focus} MINUS {{ {has} }} }}"
                    out.append(self.check(shape, key, COMPONENTS[key], path, query))
            elif key == SH["class"]:  # the instances found once, from the class (module notes)
                for cls in parameters(g, shape, key):
                    instances = NodeSet(f"MINUS {{ ?value {TYPE_PATH} {_iri(cls)} }}",
                                        _focus([f"?this {TYPE_PATH} {_iri(cls)} ."]), "value", minus=True)
                    query = f"SELECT ?this ?value WHERE {{ {where_values} {instances.text} }}"
                    check = self.check(shape, key, COMPONENTS[key], path, query)
                    out.append(dataclasses.replace(check, sets=(instances,)))
            elif key in VALUE_LEVEL:
                for parameter in parameters(g, shape, key) if key in SEVERAL else [None]:
                    instances = Instances("?value")
                    cond = value_condition(g, shape, "?value", key, instances=instances, parameter=parameter)
                    query = (f"SELECT ?this ?value WHERE {{ {where_values} {instances.patterns()} "
                             f"FILTER(!{_ok(cond)}) }}")
                    out.append(self.check(shape, key, COMPONENTS[key], path, query))
            elif key in (SH.minCount, SH.maxCount):
                n = _int(g, shape, key)
                if key == SH.minCount and n == 0:
                    continue
                query = _count_query(focus, values, pairs, "", "true", "<" if key == SH.minCount else ">", n)
                out.append(self.check(shape, key, COMPONENTS[key], path, query))
            elif key == SH.uniqueLang:
                if _one(g, shape, key) != Literal(True):
                    continue
                query = (f"SELECT ?this WHERE {{ {focus_pairs} FILTER(isLiteral(?value) && lang(?value) != \"\") "
                         "BIND(LCASE(lang(?value)) AS ?policykgLang) } "
                         "GROUP BY ?this ?policykgLang HAVING (COUNT(DISTINCT ?value) > 1)")
                out.append(self.check(shape, key, COMPONENTS[key], path, query))
            elif key in (SH.lessThan, SH.lessThanOrEquals):
                op = "<" if key == SH.lessThan else "<="
                for other in sorted(g.objects(shape, key)):
                    query = (f"SELECT ?this ?value WHERE {{ {values} ?this {_iri(other)} ?policykgOther . "
                             f"FILTER(!{_ok(f'?value {op} ?policykgOther')}) }}")
                    out.append(self.check(shape, key, COMPONENTS[key], path, query))
            elif key in (SH.equals, SH.disjoint):
                for other in sorted(g.objects(shape, key)):
                    if key == SH.disjoint:
                        query = f"SELECT ?this ?value WHERE {{ {where_values} ?this {_iri(other)} ?value . }}"
                    else:
                        this_side = ("BIND(?this AS ?value)" if path is None
                                     else f"?this {path_sparql(g, path)} ?value")
                        query = (f"SELECT ?this ?value WHERE {{ {focus} {{ {this_side} FILTER NOT EXISTS "
                                 f"{{ ?this {_iri(other)} ?value }} }} UNION {{ ?this {_iri(other)} ?value . "
                                 f"FILTER NOT EXISTS {{ {this_side} }} }} }}")
                    out.append(self.check(shape, key, COMPONENTS[key], path, query))
            elif key == SH.qualifiedValueShape:
                if g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                    raise Unsupported(f"{shape}: sh:qualifiedValueShapesDisjoint")
                instances = Instances("?value")
                cond = _ok(conforms(g, _one(g, shape, key), "?value", instances=instances))
                for bound_key, op in ((SH.qualifiedMinCount, "<"), (SH.qualifiedMaxCount, ">")):
                    if g.value(shape, bound_key) is None:
                        continue
                    n = _int(g, shape, bound_key)
                    query = _count_query(focus, values, pairs, instances.patterns(), cond, op, n)
                    component = (SH.QualifiedMinCountConstraintComponent if bound_key == SH.qualifiedMinCount
                                 else SH.QualifiedMaxCountConstraintComponent)
                    out.append(self.check(shape, bound_key, component, path, query))
            elif key == SH.closed:
                if _one(g, shape, key) != Literal(True):
                    continue
                allowed = {g.value(p, SH.path) for p in g.objects(shape, SH.property)}
                for head in g.objects(shape, SH.ignoredProperties):
                    allowed |= set(_list(g, head, "sh:ignoredProperties"))
                if any(not isinstance(a, URIRef) for a in allowed):
                    raise Unsupported(f"{shape}: sh:closed with a property shape whose path is not a predicate")
                exclude = f"FILTER(?path NOT IN ({', '.join(_iri(a) for a in sorted(allowed))}))" if allowed else ""
                query = f"SELECT ?this ?path ?value WHERE {{ {focus} ?this ?path ?value . {exclude} }}"
                out.append(self.check(shape, key, COMPONENTS[key], None, query))
            elif key == SH.sparql:
                for constraint in sorted(g.objects(shape, SH.sparql), key=_order):
                    out.append(self.sparql_check(shape, constraint, focus, path))
            else:  # pragma: no cover - PARAMETERS and the branches above agree
                raise Unsupported(f"{shape}: {key}")
        return out

    def sparql_check(self, shape: Node, constraint: Node, focus: str, path: Node | None) -> Check:
        g = self.shapes
        if g.value(constraint, SH.deactivated) == Literal(True):
            return self.check(shape, SH.sparql, SH.SPARQLConstraintComponent, path, "SELECT ?this WHERE { FILTER(false) }")
        select = g.value(constraint, SH.select)
        if select is None:
            raise Unsupported(f"{shape}: a SHACL-SPARQL constraint without sh:select")
        prefixes = []
        for owner in g.objects(constraint, SH.prefixes):
            for decl in g.objects(owner, SH.declare):
                prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
        text = str(select)
        if re.search(r"\$(currentShape|shapesGraph)\b", text):
            raise Unsupported(f"{shape}: $currentShape/$shapesGraph in a SPARQL constraint")
        if path is not None:
            text = text.replace("$PATH", path_sparql(g, path))
        text = re.sub(r"\$this\b", "?this", text)
        # Identical solutions are one result (pySHACL's and rdflib's path evaluation give no
        # duplicates where SPARQL's bag semantics would, e.g. a/rdfs:subClassOf* over two types).
        text = re.sub(r"\bSELECT\s+(?!DISTINCT\b|REDUCED\b)", "SELECT DISTINCT ", text, count=1, flags=re.IGNORECASE)
        where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        if where is None:
            raise Unsupported(f"{shape}: a SPARQL constraint without WHERE {{")
        text = text[:where.end()] + " " + focus + " " + text[where.end():]
        messages = _messages(g, constraint) or _messages(g, shape)
        return self.check(shape, SH.sparql, SH.SPARQLConstraintComponent, path,
                          "\n".join(sorted(set(prefixes))) + "\n" + text, constraint, messages)


def _predicate_pattern(shapes: Graph, path: Node) -> str | None:
    """The triple pattern from ``?this`` to ``?value`` of a path that is one predicate or the
    inverse of one (``None`` for any other path)."""
    if isinstance(path, URIRef):
        return f"?this {_iri(path)} ?value ."
    if isinstance(path, BNode) and set(shapes.predicates(path)) == {SH.inversePath}:
        inverse = list(shapes.objects(path, SH.inversePath))
        if len(inverse) == 1 and isinstance(inverse[0], URIRef):
            return f"?value {_iri(inverse[0])} ?this ."
    return None


def _count_query(focus: str, values: str, pairs: str | None, flags: str, condition: str, op: str,
                 n: int) -> str:
    """The focus nodes whose number of distinct value nodes satisfying ``condition`` (an
    expression; ``flags`` binds its class flags) is ``op`` (``<`` or ``>``) ``n``.

    ``values`` binds ``?this`` and ``?value`` for the focus nodes (a DISTINCT sub-select that
    finds them); ``pairs``, when the path allows, is the triple pattern that binds them, joined
    with the focus nodes here (counts are of distinct values: no DISTINCT needed). A maximum is
    exceeded only by a focus node with values: a join, no OPTIONAL. A minimum of one is missed
    by the focus nodes with no such value: MINUS (the value side always binds ``?this``, so
    MINUS removes exactly the focus nodes that have one); a larger minimum counts with
    OPTIONAL, so that a focus node without values counts 0.
    """
    keep = "" if condition == "true" else f"FILTER({condition})"
    side = f"{focus} {pairs}" if pairs is not None else values
    if op == ">":
        return (f"SELECT ?this WHERE {{ {side} {flags} {keep} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})")
    if n == 1:
        return f"SELECT ?this WHERE {{ {focus} MINUS {{ {side} {flags} {keep} }} }}"
    return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {side} {flags} {keep} }} }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})")


def _order(node: Node) -> tuple[int, str]:
    return (0 if isinstance(node, URIRef) else 1, str(node))


def compile_shapes(shapes: Graph) -> Plan:
    """Compile ``shapes`` (an rdflib graph) to a :class:`Plan`.

    Raises:
        Unsupported: the shapes use a construct outside the supported subset.
    """
    return _compile(id(shapes), len(shapes), shapes)


@cache
def _compile(_id: int, _size: int, shapes: Graph) -> Plan:
    return _Compiler(shapes).compile()


def message_for(check: Check, bindings: dict[str, object]) -> list[Literal]:
    """The result messages of one row: the shape's ``sh:message`` values (``{?var}`` filled in
    for SPARQL constraints), or a default message."""
    if not check.messages:
        return [Literal(check.default_message)]
    out = []
    for m in check.messages:
        text = re.sub(r"\{[?$](\w+)\}",
                      lambda x: bindings[x.group(1)].value if x.group(1) in bindings else x.group(0), str(m))
        out.append(Literal(text, lang=m.language))
    return out


def copy_path(shapes: Graph, path: Node, report: Graph) -> None:
    """Copy the triples describing a blank-node path from ``shapes`` into ``report``."""
    if not isinstance(path, BNode):
        return
    for p, o in shapes.predicate_objects(path):
        report.add((path, p, o))
        copy_path(shapes, o, report)


__all__ = ["Check", "Instances", "NodeSet", "Plan", "Row", "Unsupported", "compile_shapes", "conforms", "copy_path",
           "message_for", "path_sparql", "value_condition"]
