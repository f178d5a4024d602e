"""What changed between two builds: their data graphs compared entity by entity.

Pipeline position::

    ... -> publish -> (two builds) -> **diff** -> release notes

Door: :func:`diff`. It reads the data graph (``https://w3id.org/policykg/graph/data``) of each
build from its ``policykg.nq`` (``policykg.trig`` when there is no N-Quads file) and returns a
:class:`Diff`: the entities (IRI subjects) only the new build has, those only the old one has,
and for the entities both have, the facts added and removed. Inferences and provenance are
left out on purpose: they follow from the data, and a release note is about what the policy
text says.

:meth:`Diff.to_markdown` writes the release notes people read: every IRI is shown by its
English label (the entity's ``rdfs:label``, a property's or class's label from the ontology)
as a Markdown link to the IRI, literals as their text, and only an IRI that has no label
anywhere is shown as a compact IRI (``pol:foo``). The order is fixed (by class, then label,
then IRI), so the same two builds give the same bytes.

Blank nodes (the data graph has none today: the mapping mints an IRI for every thing) are
compared by what is said about them, since their labels are not stable between builds.

A fact a curator retracted or asserted (``mappings/curation``, :mod:`policykg.pipeline.curate`) is
marked as such, with who, when and why, from the newer build's provenance graph: "removed:
guided by: CAC — *retracted by Li Wei, 2024-05-02: ...*".
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ..errors import InputError
from ..graphs import GRAPHS

if TYPE_CHECKING:
    import pyoxigraph

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = _RDF + "type"
_LABELS = (_RDFS + "label", _SKOS + "prefLabel")
# Standard terms the ontology uses without labelling them (it gives no axioms to others'
# terms): their names in the release notes.
_STANDARD_LABELS = {
    RDF_TYPE: "type",
    _RDFS + "label": "label",
    _RDFS + "comment": "comment",
    _RDFS + "seeAlso": "see also",
    _SKOS + "prefLabel": "preferred label",
    _SKOS + "altLabel": "alternative label",
    _SKOS + "definition": "definition",
    _SKOS + "inScheme": "in scheme",
    _SKOS + "exactMatch": "exact match",
    _SKOS + "closeMatch": "close match",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
}


@dataclass(frozen=True)
class BlankValue:
    """A blank node, as the facts about it (compared by content, since labels are not stable)."""

    facts: tuple[Fact, ...]


Value = Union["pyoxigraph.NamedNode", "pyoxigraph.Literal", BlankValue]


@dataclass(frozen=True)
class Fact:
    """One triple about an entity, without its subject: ``predicate`` IRI and ``value``."""

    predicate: str
    value: Value


@dataclass(frozen=True)
class EntityChange:
    """An entity of the data graph and the facts about it that were added or removed.

    For an added entity ``added`` holds all its facts, for a removed one ``removed`` does.
    """

    iri: str
    added: tuple[Fact, ...] = ()
    removed: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """The data graph of one build: facts per entity, and the English names of IRIs."""

    path: Path
    entities: dict[str, frozenset[Fact]]
    labels: dict[str, str]
    #: (subject, predicate, value key) -> how a curator changed that fact, from the provenance
    #: graph: ("retracted" or "asserted", curator, date, reason).
    curation: dict[tuple[str, str, str], tuple[str, str, str, str]] = field(default_factory=dict)

    @property
    def facts(self) -> int:
        return sum(len(f) for f in self.entities.values())


@dataclass(frozen=True)
class Diff:
    """The difference between the data graphs of two builds (see the module docstring)."""

    old: Snapshot
    new: Snapshot
    added: tuple[EntityChange, ...]
    removed: tuple[EntityChange, ...]
    changed: tuple[EntityChange, ...]
    labels: dict[str, str] = field(repr=False)

    @property
    def empty(self) -> bool:
        """True when the two data graphs say the same."""
        return not (self.added or self.removed or self.changed)

    def to_markdown(self) -> str:
        """Release notes in Markdown: entities added, removed and changed, with their labels."""
        return _Writer(self).markdown()


# --------------------------------------------------------------------------------------------
# Reading a build
# --------------------------------------------------------------------------------------------

def _quads(build: Path) -> list[pyoxigraph.Quad]:
    import pyoxigraph as ox

    if not build.is_dir():
        raise InputError("no build here" if not build.exists() else "not a build folder",
                         path=build, hint="give the folders of two builds (`policykg build --out DIR`)")
    for name, fmt in (("policykg.nq", ox.RdfFormat.N_QUADS), ("policykg.trig", ox.RdfFormat.TRIG)):
        path = build / name
        if path.is_file():
            try:
                return list(ox.parse(path=str(path), format=fmt))
            except (SyntaxError, ValueError) as exc:
                raise InputError(f"cannot read the build's named graphs: {exc}", path=path,
                                 hint="rebuild it with `policykg build`") from None
    raise InputError("this folder holds no build (no policykg.nq or policykg.trig)", path=build,
                     hint="give the folders of two builds (`policykg build --out DIR`)")


def _english(values: Iterable[pyoxigraph.Literal]) -> str | None:
    """The English one of a term's labels, else one without a language, else any (stable)."""
    ranked = sorted(values, key=lambda v: (
        0 if v.language == "en" else 1 if (v.language or "").startswith("en") else
        2 if not v.language else 3, v.language or "", v.value))
    return ranked[0].value if ranked else None


def read_snapshot(build: Path) -> Snapshot:
    """The data graph of ``build``, and labels from its data and ontology graphs."""
    import pyoxigraph as ox

    build = Path(build)
    quads = _quads(build)
    data = GRAPHS["data"]
    triples = [q.triple for q in quads if q.graph_name == data]
    if not triples:
        raise InputError("the build's data graph is empty", path=build,
                         hint=f"expected triples in the graph <{data.value}>")

    names: dict[str, list[ox.Literal]] = defaultdict(list)
    for q in quads:
        if q.graph_name in (data, GRAPHS["ontology"]) and q.predicate.value in _LABELS \
                and isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            # an entity's rdfs:label wins over its skos:prefLabel
            names[q.subject.value].append(q.object)
    labels = {iri: label for iri, values in names.items()
              if (label := _english([v for v in values]))}

    about: dict[object, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        about[t.subject].append(t)

    def value(node: object, seen: frozenset[object]) -> Value:
        if isinstance(node, ox.BlankNode):
            if node in seen:  # a cycle of blank nodes: say no more
                return BlankValue(())
            return BlankValue(tuple(sorted(
                (Fact(t.predicate.value, value(t.object, seen | {node})) for t in about[node]),
                key=_fact_key)))
        return node  # type: ignore[return-value]

    entities = {s.value: frozenset(Fact(t.predicate.value, value(t.object, frozenset()))
                                   for t in ts)
                for s, ts in about.items() if isinstance(s, ox.NamedNode)}
    return Snapshot(build, entities, labels, _curation(q for q in quads if q.graph_name == GRAPHS["provenance"]))


def _curation(quads: Iterable[pyoxigraph.Quad]) -> dict[tuple[str, str, str], tuple[str, str, str, str]]:
    """What curators retracted and asserted, by fact: statements ``prov:wasInvalidatedBy`` or
    ``prov:wasGeneratedBy`` a curation (an activity with a curator, a date and a reason)."""
    prov, dct = "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/"
    wanted = {_RDF + "subject", _RDF + "predicate", _RDF + "object", prov + "wasInvalidatedBy",
              prov + "wasGeneratedBy", prov + "wasAssociatedWith", dct + "date", _RDFS + "comment", _RDFS + "label"}
    about: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for q in quads:
        if q.predicate.value in wanted:
            about[str(q.subject)][q.predicate.value].append(q.object)

    def one(node: str, predicate: str) -> str:
        values = sorted(getattr(v, "value", str(v)) for v in about.get(node, {}).get(predicate, []))
        return values[0] if values else ""

    out: dict[tuple[str, str, str], tuple[str, str, str, str]] = {}
    for stmt, props in about.items():
        if not props.get(_RDF + "subject"):
            continue
        for how, predicate in (("retracted", prov + "wasInvalidatedBy"), ("asserted", prov + "wasGeneratedBy")):
            for curation in sorted(str(c) for c in props.get(predicate, [])):
                reason = one(curation, _RDFS + "comment")
                agent = one(curation, prov + "wasAssociatedWith")
                if not reason or not agent:
                    continue  # the build activity, not a curation
                key = (props[_RDF + "subject"][0].value, props[_RDF + "predicate"][0].value,
                       str(props[_RDF + "object"][0]))
                out.setdefault(key, (how, one(f"<{agent}>", _RDFS + "label") or agent,
                                     one(curation, dct + "date"), reason))
    return out


def _fact_key(fact: Fact) -> tuple[str, str]:
    return fact.predicate, _value_key(fact.value)


def _value_key(value: Value) -> str:
    if isinstance(value, BlankValue):
        return "_:[" + ";".join(f"{p} {v}" for p, v in map(_fact_key, value.facts)) + "]"
    return str(value)


# --------------------------------------------------------------------------------------------
# The door
# --------------------------------------------------------------------------------------------

def diff(old: Path, new: Path) -> Diff:
    """Compare the data graphs of the builds in folders ``old`` and ``new``, entity by entity.

    Raises:
        InputError: a folder is not a build, or its named graphs cannot be read.
    """
    before, after = read_snapshot(Path(old)), read_snapshot(Path(new))
    added = tuple(EntityChange(iri, added=tuple(after.entities[iri]))
                  for iri in sorted(after.entities.keys() - before.entities.keys()))
    removed = tuple(EntityChange(iri, removed=tuple(before.entities[iri]))
                    for iri in sorted(before.entities.keys() - after.entities.keys()))
    changed = []
    for iri in sorted(before.entities.keys() & after.entities.keys()):
        gained = after.entities[iri] - before.entities[iri]
        lost = before.entities[iri] - after.entities[iri]
        if gained or lost:
            changed.append(EntityChange(iri, tuple(sorted(gained, key=_fact_key)),
                                        tuple(sorted(lost, key=_fact_key))))
    labels = {**before.labels, **after.labels}  # the new build names things as they are now
    return Diff(before, after, added, removed, tuple(changed), labels)


# --------------------------------------------------------------------------------------------
# Release notes
# --------------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _natural(text: str) -> tuple:
    """A sort key under which "Article 9" comes before "Article 10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", text.lower()) if part)


def _escape(text: str) -> str:
    """Text that Markdown shows as it is, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


class _Writer:
    """Renders a :class:`Diff` as Markdown; every name goes through :meth:`name`."""

    def __init__(self, diff: Diff) -> None:
        from ..names import PREFIXES

        self.diff = diff
        self.prefixes = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))

    # -- names -------------------------------------------------------------------------------

    def label(self, iri: str) -> str | None:
        return self.diff.labels.get(iri) or _STANDARD_LABELS.get(iri)

    def compact(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and iri != namespace:
                return f"{prefix}:{iri[len(namespace):]}"
        return f"<{iri}>"

    def name(self, iri: str) -> str:
        """A link with the IRI's label as its text, else the compact IRI as code."""
        label = self.label(iri)
        if label:
            return f"[{_escape(label)}]({iri})"
        return f"`{self.compact(iri)}`"

    def plain(self, iri: str) -> str:
        """The IRI's label as text (for properties and classes), else the compact IRI."""
        label = self.label(iri)
        return _escape(label) if label else f"`{self.compact(iri)}`"

    def value(self, value: Value) -> str:
        import pyoxigraph as ox

        if isinstance(value, BlankValue):
            inner = "; ".join(f"{self.plain(f.predicate)}: {self.value(f.value)}"
                              for f in self.sort(value.facts))
            return f"[{inner}]" if inner else "[an unnamed node]"
        if isinstance(value, ox.NamedNode):
            return self.name(value.value)
        text = _escape(value.value) if value.value.strip() else '""'
        if value.language and value.language != "en":
            text += f" ({value.language})"
        return text

    # -- order -------------------------------------------------------------------------------

    def sort(self, facts: Iterable[Fact]) -> list[Fact]:
        def key(fact: Fact) -> tuple:
            return (fact.predicate != RDF_TYPE, _natural(self.label(fact.predicate) or ""),
                    fact.predicate, self.sort_text(fact.value))
        return sorted(facts, key=key)

    def sort_text(self, value: Value) -> tuple:
        import pyoxigraph as ox

        if isinstance(value, ox.NamedNode):
            return _natural(self.label(value.value) or "\uffff"), value.value
        return _natural(_value_key(value)), _value_key(value)  # (case breaks a tie: "MOST", "MoST")

    def types(self, facts: Iterable[Fact]) -> str:
        import pyoxigraph as ox

        names = sorted({self.plain(f.value.value) for f in facts
                        if f.predicate == RDF_TYPE and isinstance(f.value, ox.NamedNode)})
        return ", ".join(n[:1].upper() + n[1:] for n in names) or "Untyped"

    def entity_key(self, change: EntityChange, facts: Iterable[Fact]) -> tuple:
        return self.types(facts), _natural(self.label(change.iri) or "\uffff"), change.iri

    # -- sections ----------------------------------------------------------------------------

    def is_name(self, iri: str, fact: Fact) -> bool:
        """True for the label :meth:`name` shows for ``iri``."""
        import pyoxigraph as ox

        return (fact.predicate in _LABELS and isinstance(fact.value, ox.Literal)
                and fact.value.value == self.label(iri)
                and fact.value.language in (None, "", "en"))

    def fact(self, fact: Fact, subject: str | None = None, added: bool | None = None) -> str:
        text = f"{self.plain(fact.predicate)}: {self.value(fact.value)}"
        if subject is not None and added is not None:
            how = self.diff.new.curation.get((subject, fact.predicate, _value_key(fact.value)))
            if how is not None and how[0] == ("asserted" if added else "retracted"):
                text += f" — *{how[0]} by {_escape(how[1])}, {how[2]}: {_escape(how[3])}*"
        return text

    def markdown(self) -> str:
        d = self.diff
        lines = ["# Release notes: what the data graph says now", "",
                 f"From the build in `{d.old.path}` to the build in `{d.new.path}` "
                 f"(the data graph, `{self.compact(GRAPHS['data'].value)}`; inferences and "
                 "provenance follow from it).", "",
                 "| | before | after |", "|---|---:|---:|",
                 f"| entities | {len(d.old.entities)} | {len(d.new.entities)} |",
                 f"| facts | {d.old.facts} | {d.new.facts} |", "",
                 f"**{len(d.added)} added, {len(d.removed)} removed, "
                 f"{len(d.changed)} changed.**"]
        curated = self.curated_counts()
        if any(curated.values()):
            lines += ["", f"Curators (mappings/curation) retracted {curated['retracted']} and asserted "
                          f"{curated['asserted']} of these facts; each is marked below with who, when and why."]
        if d.empty:
            lines += ["", "The two builds' data graphs say the same."]
        lines += self.grouped("Added entities", d.added, lambda c: c.added)
        lines += self.grouped("Removed entities", d.removed, lambda c: c.removed)
        if d.changed:
            lines += ["", f"## Changed entities ({len(d.changed)})"]
            for change in sorted(d.changed, key=lambda c: self.entity_key(
                    c, d.new.entities.get(c.iri, ()))):
                kinds = self.types(d.new.entities.get(change.iri, ()))
                lines += ["", f"### {self.name(change.iri)} ({kinds})", ""]
                lines += [f"- added: {self.fact(f, change.iri, True)}" for f in self.sort(change.added)]
                lines += [f"- removed: {self.fact(f, change.iri, False)}" for f in self.sort(change.removed)]
        return "\n".join(lines) + "\n"

    def curated_counts(self) -> dict[str, int]:
        """How many of the facts added and removed a curator asserted and retracted."""
        counts = {"retracted": 0, "asserted": 0}
        curation = self.diff.new.curation
        for change in (*self.diff.added, *self.diff.removed, *self.diff.changed):
            for facts, how in ((change.added, "asserted"), (change.removed, "retracted")):
                for fact in facts:
                    found = curation.get((change.iri, fact.predicate, _value_key(fact.value)))
                    if found is not None and found[0] == how:
                        counts[how] += 1
        return counts

    def grouped(self, title: str, changes: tuple[EntityChange, ...], facts_of) -> list[str]:
        if not changes:
            return []
        lines = ["", f"## {title} ({len(changes)})"]
        groups: dict[str, list[EntityChange]] = defaultdict(list)
        for change in changes:
            groups[self.types(facts_of(change))].append(change)
        for kinds in sorted(groups):
            members = sorted(groups[kinds], key=lambda c: self.entity_key(c, facts_of(c)))
            lines += ["", f"### {kinds} ({len(members)})", ""]
            for change in members:
                lines.append(f"- {self.name(change.iri)}")
                for fact in self.sort(facts_of(change)):
                    if fact.predicate == RDF_TYPE or self.is_name(change.iri, fact):
                        continue  # said by the heading, or by the entity's link
                    lines.append(f"  - {self.fact(fact, change.iri, bool(change.added))}")
        return lines


__all__ = ["BlankValue", "Diff", "EntityChange", "Fact", "Snapshot", "diff", "read_snapshot"]
