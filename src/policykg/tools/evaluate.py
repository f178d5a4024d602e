"""Measuring the extractor: precision, recall and F1 per kind of fact, against hand-written gold.

Pipeline position::

    ... -> publish -> (a build) + (a gold file) -> **evaluate** -> figures per kind of fact

Doors:

:func:`read_facts`
    parses a label-based gold file (``.facts``, ``tests/eval/README.md``): one fact a line,
    every entity named by a label the text gives it. A malformed line raises
    :class:`~policykg.errors.InputError` with the file and the line.
:func:`read_gold`
    a ``.facts`` file, or an IRI-based Turtle gold file (``tests/gold/*.ttl``), whose facts are
    then compared by IRI; either way a :class:`GoldFile` of the same kinds of fact.
:func:`evaluate`
    compares a gold file with a build (a published folder, or a pyoxigraph store holding the
    four named graphs) and returns an :class:`Evaluation`: ``tp``/``fp``/``fn``, precision,
    recall and F1 per kind, micro-averaged overall, the gold facts the build missed, the facts
    it got wrong (with labels), and duplicate entities.
:func:`evaluate_files`
    the ``policykg eval`` verb: several gold files against one build, or (``build=True``) each
    against a build of its own document (:func:`build_and_evaluate`); an
    :class:`EvaluationSet` that renders as an aligned table, Markdown or JSON.

What counts. The build's facts come from its *data* graph. A gold file is about one policy
update, while a build may hold several: the facts that count are those the provenance graph
derives from a span of that update (``prov:wasDerivedFrom`` a ``pol:TextSpan`` whose
``oa:hasSource`` is the update), and the entities (documents, agencies, measures) that such a
fact names. Facts only the lexicon supports (``dct:source`` a lexicon row, no span) may match a
gold fact, and are ignored when they match none; facts of other updates are left out.

Facts are paired one to one (a maximum matching per kind): a fact of the build is correct when
it is paired with a gold fact of the same kind that names the same entities — one of the
entity's labels (``rdfs:label`` in any language, ``skos:altLabel``) equals one of the gold
field's alternatives after :func:`normalise` — and the same values.

>>> normalise("  The Xi’an  City. ")
"xi'an city"
"""
from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ..errors import InputError, PolicykgError
from ..graphs import GRAPHS
from ..names import ALT_LABEL as _ALT
from ..names import DCT as _DCT
from ..names import ID as _ID
from ..names import LABEL as _LABEL
from ..names import OA as _OA
from ..names import POL as _POL
from ..names import PROV as _PROV
from ..names import RDF as _RDF
from ..names import RDF_TYPE as _TYPE
from ..names import SUBCLASS_OF as _SUBCLASS

if TYPE_CHECKING:  # pyoxigraph is imported where it is used
    import pyoxigraph as ox


# --------------------------------------------------------------------------------------------
# The kinds of fact
# --------------------------------------------------------------------------------------------

# What each field of a kind holds: "name" an entity's label, "doc" a document's name (resolved
# through the gold's update and document lines), "agency" an agency's name (resolved through
# its agency lines), "article" an article number ("75", "75 @ document name"), "class" a
# document class, "date" an ISO date, "number" a non-negative integer.
_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "update": (("title", "name"),),
    "document": (("name", "name"), ("class", "class")),
    "issued_by": (("document", "doc"), ("agency", "agency")),
    "issued_on": (("document", "doc"), ("date", "date")),
    "trial": (("document", "doc"), ("first day", "date"), ("last day", "date")),
    "stated_count": (("document", "doc"), ("number", "number")),
    "pilot_area": (("document", "doc"), ("area", "name")),
    "part_of": (("part document", "doc"), ("whole document", "doc")),
    "refers_to": (("document", "doc"), ("document", "doc")),
    "lists": (("list", "doc"), ("site", "name")),
    "agency": (("name", "name"),),
    "measure": (("article number", "number"), ("document that holds it", "doc")),
    "category": (("article number", "article"), ("category name", "name")),
    "guided_by": (("article number", "article"), ("agency", "agency")),
    "forerunner": (("article number", "article"), ("area", "name")),
    "region": (("article number", "article"), ("region", "name")),
}

#: The kinds of fact, in the order of ``tests/eval/README.md``.
KINDS: tuple[str, ...] = tuple(_FIELDS)

#: The classes a ``document`` line may give; any other kind of document is ``PolicyDocument``.
DOCUMENT_CLASSES: tuple[str, ...] = ("Notice", "Plan", "MeasureTable", "Law", "DesignationList",
                                     "PolicyDocument")
_CLASS_NAMES = {c.casefold(): c for c in DOCUMENT_CLASSES}

#: Where :func:`find_document` looks for a gold file's document: these suffixes, in this order.
DOCUMENT_SUFFIXES: tuple[str, ...] = (".md", ".txt", ".html", ".pdf", ".docx", ".markdown")

# Relations between two entities, or an entity and a value: kind -> (predicate, subject is a
# measure, what the object is).
_RELATIONS: dict[str, tuple[str, bool, str]] = {
    "issued_by": (_POL + "issuedBy", False, "node"),
    "issued_on": (_POL + "issuedOn", False, "date"),
    "stated_count": (_POL + "statedPilotAreaCount", False, "number"),
    "pilot_area": (_POL + "pilotArea", False, "node"),
    "refers_to": (_POL + "refersTo", False, "node"),
    "lists": (_POL + "lists", False, "node"),
    "category": (_POL + "inCategory", True, "node"),
    "guided_by": (_POL + "guidedBy", True, "node"),
    "forerunner": (_POL + "forerunner", True, "node"),
    "region": (_POL + "concernsRegion", True, "node"),
}


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_TRAILING = ".,;:!? "


def normalise(name: str) -> str:
    """The form in which a gold name and a label are compared: Unicode NFKC, curly quotes
    straightened, dashes made hyphens, case folded, whitespace collapsed, a leading "the" and
    trailing punctuation (``. , ; : ! ?``) dropped."""
    text = unicodedata.normalize("NFKC", name.translate(_QUOTES)).translate(_QUOTES).translate(_DASHES)
    text = " ".join(text.casefold().split())
    if text.startswith("the "):
        text = text[4:]
    return text.rstrip(_TRAILING)


# --------------------------------------------------------------------------------------------
# Gold
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Name:
    """A gold field that names an entity: its alternatives as written, and every normalised
    name it may be matched by (the alternatives, and for a reference to a document or agency
    line, that line's names too)."""

    alternatives: tuple[str, ...]
    keys: frozenset[str]

    def __str__(self) -> str:
        return " || ".join(self.alternatives)


@dataclass(frozen=True)
class ArticleRef:
    """A gold field that names a measure: its article number, and the document that holds it
    when the gold says (``75 @ Table``)."""

    number: int
    document: Name | None = None

    def __str__(self) -> str:
        return f"{self.number}" + (f" @ {self.document}" if self.document else "")


@dataclass(frozen=True)
class IriRef:
    """A field of an IRI-based gold file: an entity (or measure) by its IRI."""

    iri: str
    label: str

    def __str__(self) -> str:
        return self.label


GoldValue = Union[Name, ArticleRef, IriRef, dt.date, int, str, None]


@dataclass(frozen=True)
class GoldFact:
    """One fact of a gold file: its kind, its fields, and where it was written (``line`` is
    None for an IRI-based gold file)."""

    kind: str
    fields: tuple[GoldValue, ...]
    line: int | None = None

    @property
    def text(self) -> str:
        """The fact in the ``.facts`` syntax."""
        return " | ".join([self.kind, *(_show(v) for v in self.fields)])


@dataclass(frozen=True)
class GoldFile:
    """A parsed gold file. ``by_iri``: an IRI-based Turtle gold, compared by IRI; else labels.

    ``update`` names the policy update (its title, or its IRI); ``unsure`` holds the
    ``# unsure:`` comments (line, text); ``warnings`` what the reader noticed but accepted.
    """

    path: Path
    facts: tuple[GoldFact, ...]
    by_iri: bool = False
    update: Name | IriRef | None = None
    unsure: tuple[tuple[int, str], ...] = ()
    warnings: tuple[str, ...] = ()

    def count(self, kind: str) -> int:
        return sum(1 for f in self.facts if f.kind == kind)


_FIELD_SPLIT = re.compile(r"\s*(?<!\|)\|(?!\|)\s*")
_ALT_SPLIT = re.compile(r"\s*\|\|\s*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"\d+")
_ARTICLE = re.compile(r"(?:article\s+)?(\d+)\s*(?:@\s*(.*))?", re.IGNORECASE)


def _read_text(path: Path, what: str) -> str:
    if not path.exists():
        raise InputError(f"no such {what}", path=path)
    if not path.is_file():
        raise InputError(f"is a folder, not a {what}", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=path, line=data.count(b"\n", 0, exc.start) + 1,
                         hint="save the gold file as UTF-8") from None
    return text.removeprefix("\ufeff")


def read_facts(path: str | Path) -> GoldFile:
    """Parse the ``.facts`` gold file at ``path`` (``tests/eval/README.md``).

    Raises:
        InputError: a missing or non-UTF-8 file, a file with no facts, or a malformed line — an
            unknown kind, the wrong number of fields, an empty name, a bad date, number or
            document class, a second ``update`` line, or a name that could mean two of the
            file's documents or agencies; the error names the file and the line.
    """
    path = Path(path)
    text = _read_text(path, "gold file")
    facts: list[GoldFact] = []
    unsure: list[tuple[int, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        content, hash_, comment = raw.partition("#")
        if hash_ and comment.strip().casefold().startswith("unsure"):
            unsure.append((lineno, comment.strip().partition(":")[2].strip()))
        if not content.strip():
            continue
        facts.append(_parse_line(content.strip(), path, lineno))
    if not facts:
        raise InputError("no facts in the gold file", path=path, line=1,
                         hint="one fact a line, such as `agency | Cyberspace Administration of China || CAC`")
    facts, warnings = _resolve(facts, path)
    updates = [f for f in facts if f.kind == "update"]
    if len(updates) > 1:
        raise InputError(f"a second update line (the first is line {updates[0].line}): a gold file is "
                         "about one policy update", path=path, line=updates[1].line)
    update = updates[0].fields[0] if updates else None
    return GoldFile(path, tuple(facts), False, update, tuple(unsure), tuple(warnings))  # type: ignore[arg-type]


def _parse_line(content: str, path: Path, lineno: int) -> GoldFact:
    parts = _FIELD_SPLIT.split(content)
    kind = parts[0].strip().casefold()
    if kind not in _FIELDS:
        raise InputError(f"unknown kind of fact {parts[0].strip()!r}", path=path, line=lineno,
                         hint="one of " + ", ".join(KINDS))
    spec = _FIELDS[kind]
    given = parts[1:]
    if len(given) != len(spec):
        names = " | ".join(n for n, _ in spec)
        raise InputError(f"{kind} takes {len(spec)} field{'s' if len(spec) > 1 else ''} ({names}), "
                         f"not {len(given)}", path=path, line=lineno)
    values = tuple(_parse_field(kind, name, role, text.strip(), path, lineno)
                   for (name, role), text in zip(spec, given))
    if kind == "trial" and values[1] > values[2]:  # type: ignore[operator]
        raise InputError(f"the trial's last day {values[2]} is before its first day {values[1]}",
                         path=path, line=lineno)
    return GoldFact(kind, values, lineno)


def _name(text: str, kind: str, what: str, path: Path, lineno: int) -> Name:
    alternatives = tuple(a.strip() for a in _ALT_SPLIT.split(text))
    for alt in alternatives:
        if not alt:
            raise InputError(f"{kind}: the {what} is empty" if len(alternatives) == 1 else
                             f"{kind}: an empty alternative in the {what} {text!r}", path=path, line=lineno)
        if "|" in alt:
            raise InputError(f"{kind}: a stray '|' in the {what} {text!r} (fields are separated by "
                             "'|', alternatives by '||')", path=path, line=lineno)
    keys = frozenset(k for k in map(normalise, alternatives) if k)
    if not keys:
        raise InputError(f"{kind}: the {what} {text!r} is no name", path=path, line=lineno)
    return Name(alternatives, keys)


def _parse_field(kind: str, what: str, role: str, text: str, path: Path, lineno: int) -> GoldValue:
    if role in ("name", "doc", "agency"):
        return _name(text, kind, what, path, lineno)
    if role == "date":
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(f"{kind}: the {what} {text!r} is not a date YYYY-MM-DD", path=path,
                             line=lineno) from None
    if role == "number":
        if not _NUMBER.fullmatch(text):
            raise InputError(f"{kind}: the {what} {text!r} is not a number", path=path, line=lineno)
        return int(text)
    if role == "class":
        name = _CLASS_NAMES.get(text.removeprefix("pol:").replace(" ", "").casefold())
        if name is None:
            raise InputError(f"document: unknown document class {text!r}", path=path, line=lineno,
                             hint="one of " + ", ".join(DOCUMENT_CLASSES))
        return name
    match = _ARTICLE.fullmatch(text)  # role == "article"
    if match is None:
        raise InputError(f"{kind}: the {what} {text!r} is not an article number (75, or "
                         "75 @ document name)", path=path, line=lineno)
    document = _name(match.group(2), kind, "document after @", path, lineno) \
        if match.group(2) is not None else None
    return ArticleRef(int(match.group(1)), document)


def _resolve(facts: list[GoldFact], path: Path) -> tuple[list[GoldFact], list[str]]:
    """Widen each reference to a document (agency) to every name of the update, document
    (agency) line it names; drop repeated facts. A reference that could name two lines is an
    error; one that names none is kept as written, with a warning for a document."""
    tables = {"doc": [(f.line, f.fields[0]) for f in facts if f.kind in ("update", "document")],
              "agency": [(f.line, f.fields[0]) for f in facts if f.kind == "agency"]}
    warnings: list[str] = []

    def widen(name: Name, role: str, line: int | None) -> Name:
        hits: dict[frozenset[str], int | None] = {}
        for where, entry in tables[role]:
            if isinstance(entry, Name) and entry.keys & name.keys:
                hits.setdefault(entry.keys, where)
        if len(hits) > 1:
            lines = " and ".join(str(w) for w in sorted(hits.values(), key=lambda w: w or 0))
            what = "documents" if role == "doc" else "agencies"
            raise InputError(f"{str(name)!r} could name {len(hits)} {what} of this file (lines {lines}): "
                             "use a name only one of them has", path=path, line=line)
        if not hits:
            if role == "doc":
                warnings.append(f"{path}:{line}: {str(name)!r} names no update or document line of "
                                "this file (matched by its own names only)")
            return name
        keys = next(iter(hits))
        return Name(name.alternatives, name.keys | keys)

    out: list[GoldFact] = []
    seen: dict[tuple, int | None] = {}
    for f in facts:
        roles = [role for _, role in _FIELDS[f.kind]]
        values: list[GoldValue] = []
        for value, role in zip(f.fields, roles):
            if role in ("doc", "agency") and isinstance(value, Name):
                value = widen(value, role, f.line)
            elif isinstance(value, ArticleRef) and value.document is not None:
                value = ArticleRef(value.number, widen(value.document, "doc", f.line))
            values.append(value)
        fact = GoldFact(f.kind, tuple(values), f.line)
        key = (f.kind, *(_identity(v) for v in values))
        if key in seen:
            warnings.append(f"{path}:{f.line}: repeats line {seen[key]}; counted once")
            continue
        seen[key] = f.line
        out.append(fact)
    return out, warnings


def _identity(value: GoldValue) -> object:
    if isinstance(value, Name):
        return value.keys
    if isinstance(value, ArticleRef):
        return value.number, value.document.keys if value.document else None
    if isinstance(value, IriRef):
        return value.iri
    return value


def read_gold(path: str | Path) -> GoldFile:
    """A gold file: ``.facts`` (labels, :func:`read_facts`) or an RDF file such as
    ``tests/gold/*.ttl`` (IRIs, :func:`read_iri_gold`)."""
    from ..rdfio import FORMATS

    path = Path(path)
    if path.suffix == ".facts":
        return read_facts(path)
    if path.suffix.lower() in FORMATS:
        return read_iri_gold(path)
    raise InputError(f"unknown kind of gold file {path.suffix or path.name!r}", path=path,
                     hint="a .facts file (tests/eval/README.md) or a Turtle gold file (tests/gold/README.md)")


def read_iri_gold(path: str | Path) -> GoldFile:
    """The facts of an IRI-based gold file (``tests/gold/README.md``), by kind, compared by IRI:
    the types of documents and agencies, measures (``pol:articleNumber`` and ``pol:partOf``),
    ``pol:partOf`` between documents (``pol:hasPart`` read as its inverse), and the properties
    of :data:`KINDS`."""
    from ..rdfio import read_graph

    path = Path(path)
    graph = read_graph(path)
    triples = [(_rdflib_term(s), str(p), _rdflib_term(o)) for s, p, o in graph]
    view = _Graph(triples)
    hierarchy = _ontology_hierarchy()
    raws = _raw_facts(view, hierarchy)
    if not raws:
        raise InputError("no facts of the kinds policykg eval compares in this gold file", path=path)

    def ref(value: object) -> GoldValue:
        if isinstance(value, _Ref):
            return IriRef(value.iri, view.display(value.iri))
        if isinstance(value, _Measure):
            return IriRef(value.iri, view.measure_display(value.iri))
        return value  # type: ignore[return-value]

    facts = tuple(sorted({GoldFact(r.kind, tuple(ref(v) for v in r.fields)) for r in raws},
                         key=lambda f: (KINDS.index(f.kind), f.text)))
    updates = sorted(r.fields[0].iri for r in raws if r.kind == "update")  # type: ignore[union-attr]
    if len(updates) > 1:
        raise InputError(f"{len(updates)} policy updates in one gold file", path=path)
    update = IriRef(updates[0], view.display(updates[0])) if updates else None
    return GoldFile(path, facts, True, update)


# --------------------------------------------------------------------------------------------
# Graphs, as the gold and the build share them
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Lit:
    value: str
    datatype: str
    language: str | None


Term = Union[str, _Lit]  # an IRI (a blank node as "_:id"), or a literal


@dataclass(frozen=True)
class _Ref:
    iri: str


@dataclass(frozen=True)
class _Measure:
    iri: str


def _rdflib_term(term: object) -> Term:
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        return _Lit(str(term), str(term.datatype) if term.datatype else "", term.language)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _ox_term(term: object) -> Term:
    import pyoxigraph as ox

    if isinstance(term, ox.Literal):
        return _Lit(term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value  # type: ignore[attr-defined]


class _Graph:
    """Triples, indexed for deriving facts: types, labels, and the other triples by predicate."""

    def __init__(self, triples: Iterable[tuple[str, str, Term]]) -> None:
        self.types: dict[str, set[str]] = defaultdict(set)
        self.labels: dict[str, list[tuple[str, _Lit]]] = defaultdict(list)
        self.by_predicate: dict[str, list[tuple[str, Term]]] = defaultdict(list)
        for s, p, o in triples:
            if p == _TYPE and isinstance(o, str):
                self.types[s].add(o)
            elif p in (_LABEL, _ALT) and isinstance(o, _Lit):
                self.labels[s].append((p, o))
            else:
                self.by_predicate[p].append((s, o))
        self.numbers: dict[str, list[int]] = defaultdict(list)
        for s, o in self.by_predicate[_POL + "articleNumber"]:
            number = _int(o)
            if isinstance(number, int):
                self.numbers[s].append(number)

    def display(self, iri: str) -> str:
        """An entity's English label, else any label, else its short IRI."""
        ranked = sorted(self.labels.get(iri, ()), key=lambda pl: (
            pl[0] != _LABEL, pl[1].language != "en", bool(pl[1].language), pl[1].value))
        return ranked[0][1].value if ranked else _short(iri)

    def keys(self, iri: str) -> frozenset[str]:
        return frozenset(k for k in (normalise(lit.value) for _, lit in self.labels.get(iri, ())) if k)

    def measure_display(self, iri: str) -> str:
        numbers = self.numbers.get(iri)
        return str(numbers[0]) if numbers else self.display(iri)


class _Hierarchy:
    """``rdfs:subClassOf`` among named classes, and what lies below a class."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.children: dict[str, set[str]] = defaultdict(set)
        for sub, sup in pairs:
            if sub != sup:
                self.children[sup].add(sub)
        self._below: dict[str, frozenset[str]] = {}

    def below(self, cls: str) -> frozenset[str]:
        """``cls`` and every class below it."""
        if cls not in self._below:
            out, todo = {cls}, [cls]
            while todo:
                for child in self.children.get(todo.pop(), ()):
                    if child not in out:
                        out.add(child)
                        todo.append(child)
            self._below[cls] = frozenset(out)
        return self._below[cls]


@lru_cache(maxsize=1)
def _ontology_hierarchy() -> _Hierarchy:
    """The class hierarchy of ``ontology/policykg.ttl`` (for IRI-based gold files)."""
    import pyoxigraph as ox

    from .. import resources

    triples = ox.parse(path=str(resources.ontology_path()), format=ox.RdfFormat.TURTLE)
    return _Hierarchy((t.subject.value, t.object.value) for t in triples
                      if t.predicate.value == _SUBCLASS and isinstance(t.object, ox.NamedNode))


@dataclass(frozen=True)
class _Raw:
    """A fact derived from triples: fields are ``_Ref`` (an entity), ``_Measure`` (a measure
    as an article number) or values; ``basis`` the triples it comes from; ``entity`` the node
    an entity fact is about (whose mentions attribute it to a source)."""

    kind: str
    fields: tuple[object, ...]
    basis: tuple[tuple[str, str, Term], ...]
    entity: str | None = None


def _date(term: Term) -> object:
    if isinstance(term, _Lit):
        try:
            return dt.date.fromisoformat(term.value)
        except ValueError:
            return term.value
    return _Ref(term)


def _int(term: Term) -> object:
    if isinstance(term, _Lit):
        try:
            return int(term.value)
        except ValueError:
            return term.value
    return _Ref(term)


def _object(term: Term, what: str) -> object:
    if what == "date":
        return _date(term)
    if what == "number":
        return _int(term)
    return _Ref(term) if isinstance(term, str) else term.value


def _document_classes(types: set[str], hierarchy: _Hierarchy) -> list[str]:
    """The most specific document classes among ``types``, by the names a gold file uses."""
    specific = [t for t in types if not any(o != t and o in hierarchy.below(t) for o in types)]
    names = {t[len(_POL):] if t.startswith(_POL) else t for t in specific}
    return sorted({n if n in DOCUMENT_CLASSES else "PolicyDocument" for n in names})


def _raw_facts(g: _Graph, h: _Hierarchy) -> list[_Raw]:
    """Every fact of the kinds :data:`KINDS` that the triples of ``g`` state."""
    documents = h.below(_POL + "PolicyDocument")
    updates = h.below(_POL + "PolicyUpdate")
    agencies = h.below(_POL + "GovernmentAgency")
    measures = set(g.numbers) | {s for s, types in g.types.items() if h.below(_POL + "Measure") & types}
    out: list[_Raw] = []
    for node, types in g.types.items():
        basis = tuple((node, _TYPE, t) for t in sorted(types))
        if types & updates:
            out.append(_Raw("update", (_Ref(node),), basis, node))
        elif types & documents and node not in measures:
            for cls in _document_classes(types & documents, h):
                out.append(_Raw("document", (_Ref(node), cls), basis, node))
        if types & agencies:
            out.append(_Raw("agency", (_Ref(node),), basis, node))

    part_of: dict[str, list[str]] = defaultdict(list)
    pairs: dict[tuple[str, str], list[tuple[str, str, Term]]] = defaultdict(list)
    for s, o in g.by_predicate[_POL + "partOf"]:
        if isinstance(o, str):
            if s in measures:
                part_of[s].append(o)
            else:
                pairs[(s, o)].append((s, _POL + "partOf", o))
    for s, o in g.by_predicate[_POL + "hasPart"]:
        if isinstance(o, str):
            if o in measures:
                part_of[o].append(s)
            else:
                pairs[(o, s)].append((s, _POL + "hasPart", o))
    for (part, whole), basis in sorted(pairs.items()):
        out.append(_Raw("part_of", (_Ref(part), _Ref(whole)), tuple(basis)))
    for m in sorted(measures):
        for number in g.numbers.get(m) or [None]:
            for doc in sorted(set(part_of.get(m, ()))) or [None]:
                out.append(_Raw("measure", (number, _Ref(doc) if doc else None), (), m))

    for kind, (predicate, of_measure, what) in _RELATIONS.items():
        for s, o in g.by_predicate[predicate]:
            subject = _Measure(s) if of_measure else _Ref(s)
            out.append(_Raw(kind, (subject, _object(o, what)), ((s, predicate, o),)))

    starts, ends = defaultdict(list), defaultdict(list)
    for s, o in g.by_predicate[_POL + "trialStart"]:
        starts[s].append(o)
    for s, o in g.by_predicate[_POL + "trialEnd"]:
        ends[s].append(o)
    for doc in sorted(set(starts) | set(ends)):
        for start in starts.get(doc) or [None]:
            for end in ends.get(doc) or [None]:
                basis = tuple(t for t in ((doc, _POL + "trialStart", start), (doc, _POL + "trialEnd", end))
                              if t[2] is not None)
                out.append(_Raw("trial", (_Ref(doc), _date(start) if start else None,
                                          _date(end) if end else None), basis))  # type: ignore[arg-type]
    return out


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    """An entity of the build: its IRI, the label shown for it, its normalised names."""

    iri: str
    label: str
    keys: frozenset[str]

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class MeasureNode:
    """A measure of the build: its IRI, article number and the documents that hold it."""

    iri: str
    number: int | None
    documents: tuple[Node, ...]
    label: str

    def __str__(self) -> str:
        return self.label


BuiltValue = Union[Node, MeasureNode, dt.date, int, str, None]


@dataclass(frozen=True)
class BuiltFact:
    """A fact of the build. ``counted``: derived from the evaluated update's text (a wrong one
    is a false positive); else a fact only the lexicon supports (it may match a gold fact, and
    is ignored when it matches none)."""

    kind: str
    fields: tuple[BuiltValue, ...]
    counted: bool = True

    @property
    def text(self) -> str:
        return " | ".join([self.kind, *(_show(v) for v in self.fields)])

    @property
    def iris(self) -> tuple[str, ...]:
        return tuple(v.iri for v in self.fields if isinstance(v, (Node, MeasureNode)))


class _Build:
    """What :func:`evaluate` reads from a build: its data graph, the class hierarchy of its
    ontology graph, and, from its provenance graph, the sources and which source's spans
    support each data triple."""

    def __init__(self, store: ox.Store) -> None:
        import pyoxigraph as ox

        data, prov, onto = GRAPHS["data"], GRAPHS["provenance"], GRAPHS["ontology"]
        wanted = [_TYPE, _LABEL, _ALT, _POL + "articleNumber", _POL + "partOf", _POL + "hasPart",
                  _POL + "trialStart", _POL + "trialEnd", *(p for p, _, _ in _RELATIONS.values())]
        triples: list[tuple[str, str, Term]] = []
        for predicate in wanted:
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, data):
                triples.append((_ox_term(q.subject), predicate, _ox_term(q.object)))  # type: ignore[arg-type]
        self.graph = _Graph(triples)
        self.hierarchy = _Hierarchy(
            (q.subject.value, q.object.value)
            for q in store.quads_for_pattern(None, ox.NamedNode(_SUBCLASS), None, onto)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode))

        def objects(predicate: str) -> dict[object, list[object]]:
            out: dict[object, list[object]] = defaultdict(list)
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, prov):
                out[q.subject].append(q.object)
            return out

        source_of = {span: srcs[0].value for span, srcs in objects(_OA + "hasSource").items()}
        subjects, predicates, objects_ = objects(_RDF + "subject"), objects(_RDF + "predicate"), objects(_RDF + "object")
        self.spans: dict[tuple[str, str, Term], set[str]] = defaultdict(set)
        for stmt, spans in objects(_PROV + "wasDerivedFrom").items():
            if not (subjects.get(stmt) and predicates.get(stmt) and objects_.get(stmt)):
                continue
            triple = (_ox_term(subjects[stmt][0]), predicates[stmt][0].value, _ox_term(objects_[stmt][0]))
            self.spans[triple].update(source_of[s] for s in spans if s in source_of)  # type: ignore[index]
        self.mentions: dict[str, set[str]] = defaultdict(set)
        for (s, _, o), sources in self.spans.items():
            self.mentions[s] |= sources
            if isinstance(o, str):
                self.mentions[o] |= sources
        paths = objects(_DCT + "source")
        self.sources: dict[str, str] = {}
        for used in store.quads_for_pattern(None, ox.NamedNode(_PROV + "used"), None, prov):
            src = used.object.value  # type: ignore[attr-defined]
            self.sources[src] = next((p.value for p in paths.get(used.object, ())  # type: ignore[attr-defined]
                                      if isinstance(p, ox.Literal)), "")
        self.raws = _raw_facts(self.graph, self.hierarchy)
        self.measure_documents: dict[str, list[str]] = defaultdict(list)
        for r in self.raws:
            if r.kind == "measure" and r.entity is not None and isinstance(r.fields[1], _Ref):
                self.measure_documents[r.entity].append(r.fields[1].iri)

    def scope(self, raw: _Raw, source: str) -> str:
        """``counted`` (from ``source``'s text), ``optional`` (lexicon only) or ``other``."""
        if raw.entity is not None:
            sources = self.mentions.get(raw.entity, set())
        else:
            sources = set().union(*(self.spans.get(t, set()) for t in raw.basis))
        return "counted" if source in sources else "optional" if not sources else "other"

    def in_scope(self, node: str, source: str) -> bool:
        sources = self.mentions.get(node)
        return not sources or source in sources


def _store_of(build: str | Path | ox.Store) -> tuple[ox.Store, str]:
    if isinstance(build, (str, Path)):
        from .query import load_build

        return load_build(Path(build)), str(build)
    return build, "<store>"


def _choose_source(gold: GoldFile, b: _Build, source: str | None) -> str:
    """The policy update of the build that ``gold`` is about."""
    if source is not None:
        return source
    if isinstance(gold.update, IriRef):
        return gold.update.iri
    by_stem = [s for s, p in b.sources.items() if p and Path(p).stem == gold.path.stem]
    if len(by_stem) == 1:
        return by_stem[0]
    if isinstance(gold.update, Name):
        titled = [s for s in b.sources if b.graph.keys(s) & gold.update.keys]
        if len(titled) == 1:
            return titled[0]
    if len(b.sources) == 1:
        return next(iter(b.sources))
    raise InputError(f"cannot tell which of the build's {len(b.sources)} policy updates this gold file "
                     "is about", path=gold.path,
                     hint="name the gold file after the document (same stem), give it an `update` line "
                          "with the title, or evaluate a build of its document alone (--build)")


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KindScore:
    """The figures of one kind of fact (or ``overall``). ``tp`` gold facts paired with a fact
    of the build, ``fp`` facts of the build paired with none, ``fn`` gold facts paired with none.
    A figure whose denominator is 0 is None."""

    kind: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def built(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        return self.tp / self.built if self.built else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else None

    def as_dict(self) -> dict[str, object]:
        return {"gold": self.gold, "built": self.built, "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": _round(self.precision), "recall": _round(self.recall), "f1": _round(self.f1)}


@dataclass(frozen=True)
class FactLine:
    """A fact in a report: its kind, its text in the ``.facts`` syntax, the gold line it was
    written on (missed facts of a ``.facts`` file) and the IRIs it names."""

    kind: str
    text: str
    line: int | None = None
    iris: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "fact": self.text}
        if self.line is not None:
            out["line"] = self.line
        if self.iris:
            out["iris"] = list(self.iris)
        return out


@dataclass(frozen=True)
class Duplicate:
    """Nodes of one class (``agency``, ``area``, ``document``) that share a name: a failed
    reconciliation. ``names`` are the shared names, ``nodes`` (IRI, label) pairs."""

    cls: str
    names: tuple[str, ...]
    nodes: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return (f"{self.cls} {', '.join(repr(n) for n in self.names)}: "
                + ", ".join(f"{label} <{iri}>" for iri, label in self.nodes))

    def as_dict(self) -> dict[str, object]:
        return {"class": self.cls, "names": list(self.names),
                "nodes": [{"iri": i, "label": label} for i, label in self.nodes]}


@dataclass(frozen=True)
class Evaluation:
    """One gold file against one build (see the module docstring)."""

    gold: str
    build: str
    source: str  # the policy update evaluated (IRI)
    source_label: str
    by_iri: bool
    scores: tuple[KindScore, ...]  # one per kind of KINDS
    missed: tuple[FactLine, ...]
    wrong: tuple[FactLine, ...]
    duplicates: tuple[Duplicate, ...] = ()
    warnings: tuple[str, ...] = ()
    document: str | None = None  # the document built (policykg eval --build)
    refused: tuple[str, ...] = ()  # why that build was not published (evaluated all the same)

    @property
    def overall(self) -> KindScore:
        return _total(self.scores)

    def score(self, kind: str) -> KindScore:
        return next(s for s in self.scores if s.kind == kind)

    def as_dict(self) -> dict[str, object]:
        return {"gold": self.gold, "compared_by": "iri" if self.by_iri else "label",
                "build": self.build, "document": self.document, "refused": list(self.refused),
                "policy_update": {"iri": self.source, "label": self.source_label},
                "kinds": {s.kind: s.as_dict() for s in self.scores},
                "overall": self.overall.as_dict(),
                "missed": [f.as_dict() for f in self.missed],
                "wrong": [f.as_dict() for f in self.wrong],
                "duplicates": [d.as_dict() for d in self.duplicates],
                "warnings": list(self.warnings)}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self, level: int = 2) -> str:
        """A section: the figures (kinds as rows), then the missed and wrong facts, duplicates."""
        h = "#" * level
        lines = [f"{h} `{self.gold}`", "", self._context(markdown=True), ""]
        lines += _markdown_table(self.scores, self.overall)
        lines += _markdown_list(f"{h}# Missed gold facts ({len(self.missed)})", self.missed, line=True)
        lines += _markdown_list(f"{h}# Wrong facts of the build ({len(self.wrong)})", self.wrong)
        lines += ["", f"{h}# Duplicate entities ({len(self.duplicates)})", ""]
        lines += [f"- {_md(d.text)}" for d in self.duplicates] or ["none"]
        if self.warnings:
            lines += ["", f"{h}# Warnings ({len(self.warnings)})", ""] + [f"- {_md(w)}" for w in self.warnings]
        return "\n".join(lines) + "\n"

    def to_table(self) -> str:
        """Plain text: the figures as an aligned table, then the missed and wrong facts."""
        lines = [f"gold {self.gold}", self._context(markdown=False), ""]
        lines += _text_table(self.scores, self.overall)
        lines += _text_list("missed gold facts (fn)", self.missed, line=True)
        lines += _text_list("wrong facts of the build (fp)", self.wrong)
        lines += ["", f"duplicate entities: {len(self.duplicates) or 'none'}"]
        lines += [f"  {d.text}" for d in self.duplicates]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"

    def _context(self, *, markdown: bool) -> str:
        code = (lambda s: f"`{s}`") if markdown else (lambda s: s)
        built = f"document {code(self.document)} built alone" if self.document else f"build {code(self.build)}"
        text = (f"{built}; policy update {self.source_label!r} <{self.source}>; compared by "
                f"{'IRI' if self.by_iri else 'label'}")
        if self.refused:
            text += f"; NOTE: the build was refused ({'; '.join(self.refused)}): its unpublished graph is evaluated"
        return text


@dataclass(frozen=True)
class Failure:
    """A gold file that could not be evaluated, and why."""

    gold: str
    message: str
    exit_code: int

    def as_dict(self) -> dict[str, object]:
        return {"gold": self.gold, "error": self.message}


@dataclass(frozen=True)
class EvaluationSet:
    """Several gold files evaluated: each :class:`Evaluation`, the figures summed per kind
    (micro-averaged), and the gold files that could not be evaluated."""

    evaluations: tuple[Evaluation, ...]
    failures: tuple[Failure, ...] = ()

    @property
    def scores(self) -> tuple[KindScore, ...]:
        return tuple(_total((e.score(k) for e in self.evaluations), k) for k in KINDS)

    @property
    def overall(self) -> KindScore:
        return _total(self.scores)

    def meets(self, *, min_recall: float | None = None, min_precision: float | None = None) -> bool:
        """True when the overall recall and precision reach the minimums (an undefined figure —
        nothing to find, or nothing built — does not fail)."""
        o = self.overall
        return not ((min_recall is not None and o.recall is not None and o.recall < min_recall)
                    or (min_precision is not None and o.precision is not None and o.precision < min_precision))

    def as_dict(self) -> dict[str, object]:
        return {"evaluations": [e.as_dict() for e in self.evaluations],
                "kinds": {s.kind: s.as_dict() for s in self.scores},
                "overall": self.overall.as_dict(),
                "errors": [f.as_dict() for f in self.failures]}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        if len(self.evaluations) == 1 and not self.failures:
            return self.evaluations[0].to_markdown()
        lines = ["# Evaluation against hand-written gold", "",
                 f"{len(self.evaluations)} gold file(s); figures summed over every fact (micro-averaged).",
                 "", "## Per kind of fact", ""]
        lines += _markdown_table(self.scores, self.overall)
        lines += ["", "## Per gold file", "", "| gold | gold facts | built | tp | fp | fn | precision | recall | F1 |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for e in self.evaluations:
            o = e.overall
            lines.append(f"| `{e.gold}` | {o.gold} | {o.built} | {o.tp} | {o.fp} | {o.fn} | "
                         f"{_fig(o.precision)} | {_fig(o.recall)} | {_fig(o.f1)} |")
        for f in self.failures:
            lines.append(f"| `{f.gold}` | error: {_md(f.message)} | | | | | | | |")
        for e in self.evaluations:
            lines += ["", e.to_markdown(level=2).rstrip("\n")]
        return "\n".join(lines) + "\n"

    def to_table(self) -> str:
        parts = [e.to_table() for e in self.evaluations]
        if len(self.evaluations) > 1:
            parts.append("\n".join([f"all {len(self.evaluations)} gold files (micro-averaged)", ""]
                                   + _text_table(self.scores, self.overall)) + "\n")
        return "\n".join(parts)


def _total(scores: Iterable[KindScore], kind: str = "overall") -> KindScore:
    total = KindScore(kind)
    for s in scores:
        total = KindScore(kind, total.tp + s.tp, total.fp + s.fp, total.fn + s.fn)
    return total


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fig(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _markdown_table(scores: Sequence[KindScore], overall: KindScore) -> list[str]:
    lines = ["| kind | gold | built | tp | fp | fn | precision | recall | F1 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in (*scores, overall):
        name = f"**{s.kind}**" if s is overall else f"`{s.kind}`"
        lines.append(f"| {name} | {s.gold} | {s.built} | {s.tp} | {s.fp} | {s.fn} | "
                     f"{_fig(s.precision)} | {_fig(s.recall)} | {_fig(s.f1)} |")
    return lines


def _markdown_list(title: str, facts: Sequence[FactLine], *, line: bool = False) -> list[str]:
    lines = ["", title, ""]
    for f in facts:
        where = f"line {f.line}: " if line and f.line is not None else ""
        iris = " — " + ", ".join(f"<{i}>" for i in f.iris) if f.iris and not line else ""
        lines.append(f"- {where}`{f.text.replace('`', chr(39))}`{iris}")
    return lines if facts else lines + ["none"]


def _text_table(scores: Sequence[KindScore], overall: KindScore) -> list[str]:
    header = ("kind", "gold", "built", "tp", "fp", "fn", "precision", "recall", "F1")
    rows = [(s.kind, str(s.gold), str(s.built), str(s.tp), str(s.fp), str(s.fn), _fig(s.precision),
             _fig(s.recall), _fig(s.f1)) for s in (*scores, overall)]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    return [fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows[:-1]),
            "  ".join("-" * w for w in widths), fmt(rows[-1])]


def _text_list(title: str, facts: Sequence[FactLine], *, line: bool = False) -> list[str]:
    lines = ["", f"{title}: {len(facts) or 'none'}"]
    for f in facts:
        where = f"line {f.line}: " if line and f.line is not None else ""
        lines.append(f"  {where}{f.text}")
    return lines


def _show(value: object) -> str:
    if value is None:
        return "?"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _short(iri: str) -> str:
    return iri[len(_ID):] if iri.startswith(_ID) else iri


# --------------------------------------------------------------------------------------------
# The door
# --------------------------------------------------------------------------------------------

def evaluate(gold: GoldFile | str | Path, build: str | Path | ox.Store, *, source: str | None = None,
             document: str | None = None, refused: Sequence[str] = ()) -> Evaluation:
    """Compare ``gold`` with ``build`` (a build folder, or a store with the four named graphs).

    ``source``: the IRI of the policy update the gold is about; by default the gold's update
    IRI (IRI-based gold), else the build's source of the gold file's stem, else the update
    whose title the gold's ``update`` line gives, else the build's only source.

    Raises:
        InputError: the gold file or the build cannot be read, or it cannot be told which
            policy update of the build the gold is about.
    """
    gold = gold if isinstance(gold, GoldFile) else read_gold(gold)
    store, where = _store_of(build)
    b = _Build(store)
    src = _choose_source(gold, b, source)

    nodes: dict[str, Node] = {}

    def node(iri: str) -> Node:
        if iri not in nodes:
            nodes[iri] = Node(iri, b.graph.display(iri), b.graph.keys(iri))
        return nodes[iri]

    scoped = [(r, scope) for r in b.raws if (scope := b.scope(r, src)) != "other"]
    numbers: dict[int, int] = defaultdict(int)
    for r, _ in scoped:
        if r.kind == "measure" and isinstance(r.fields[0], int):
            numbers[r.fields[0]] += 1

    def measure(iri: str) -> MeasureNode:
        number = (b.graph.numbers.get(iri) or [None])[0]
        docs = tuple(node(d) for d in b.measure_documents.get(iri, ()))
        label = str(number) if number is not None else b.graph.display(iri)
        if number is not None and numbers.get(number, 0) > 1 and docs:
            label += f" @ {docs[0].label}"
        return MeasureNode(iri, number, docs, label)

    def value(v: object) -> BuiltValue:
        if isinstance(v, _Ref):
            return node(v.iri)
        if isinstance(v, _Measure):
            return measure(v.iri)
        return v  # type: ignore[return-value]

    built = sorted({BuiltFact(r.kind, tuple(value(v) for v in r.fields), scope == "counted")
                    for r, scope in scoped}, key=lambda f: (not f.counted, f.text, f.iris))
    scores, missed, wrong = [], [], []
    for kind in KINDS:
        g = [f for f in gold.facts if f.kind == kind]
        s = [f for f in built if f.kind == kind]
        pairs = _pair(g, s)  # gold index -> built index
        paired_built = set(pairs.values())
        fn = [f for i, f in enumerate(g) if i not in pairs]
        fp = [f for i, f in enumerate(s) if i not in paired_built and f.counted]
        scores.append(KindScore(kind, len(pairs), len(fp), len(fn)))
        missed += [FactLine(kind, f.text, f.line, tuple(v.iri for v in f.fields if isinstance(v, IriRef)))
                   for f in fn]
        wrong += [FactLine(kind, f.text, None, f.iris) for f in fp]
    return Evaluation(str(gold.path), where, src, b.graph.display(src), gold.by_iri, tuple(scores),
                      tuple(missed), tuple(wrong), _duplicates(b, src), gold.warnings, document,
                      tuple(refused))


def _pair(gold: Sequence[GoldFact], built: Sequence[BuiltFact]) -> dict[int, int]:
    """A maximum one-to-one pairing of matching facts (Kuhn's augmenting paths), taking the
    counted facts of the build first so that as few of them as possible are left unpaired."""
    edges = [[gi for gi, g in enumerate(gold) if _fact_matches(g, b)] for b in built]
    owner: dict[int, int] = {}

    def augment(bi: int, seen: set[int]) -> bool:
        for gi in edges[bi]:
            if gi not in seen:
                seen.add(gi)
                if gi not in owner or augment(owner[gi], seen):
                    owner[gi] = bi
                    return True
        return False

    for bi in sorted(range(len(built)), key=lambda i: not built[i].counted):
        augment(bi, set())
    return owner


def _fact_matches(gold: GoldFact, built: BuiltFact) -> bool:
    return gold.kind == built.kind and len(gold.fields) == len(built.fields) and \
        all(_field_matches(g, b) for g, b in zip(gold.fields, built.fields))


def _field_matches(gold: GoldValue, built: BuiltValue) -> bool:
    if isinstance(gold, IriRef):
        return isinstance(built, (Node, MeasureNode)) and built.iri == gold.iri
    if isinstance(gold, Name):
        return isinstance(built, Node) and bool(gold.keys & built.keys)
    if isinstance(gold, ArticleRef):
        return isinstance(built, MeasureNode) and built.number == gold.number and (
            gold.document is None or any(gold.document.keys & d.keys for d in built.documents))
    if isinstance(built, (Node, MeasureNode)):
        return False
    return type(gold) is type(built) and gold == built


def _duplicates(b: _Build, source: str) -> tuple[Duplicate, ...]:
    """Nodes of one class sharing a normalised label or altLabel, among the nodes in scope."""
    groups = {"agency": b.hierarchy.below(_POL + "GovernmentAgency"),
              "area": b.hierarchy.below(_POL + "Area"),
              "document": b.hierarchy.below(_POL + "PolicyDocument")}
    found: dict[tuple[str, frozenset[str]], set[str]] = defaultdict(set)
    for cls, members in groups.items():
        by_key: dict[str, set[str]] = defaultdict(set)
        shown: dict[str, str] = {}
        for node, types in b.graph.types.items():
            if types & members and b.in_scope(node, source):
                for _, lit in b.graph.labels.get(node, ()):
                    key = normalise(lit.value)
                    if key:
                        by_key[key].add(node)
                        shown.setdefault(key, lit.value)
        for key, nodes in by_key.items():
            if len(nodes) > 1:
                found[(cls, frozenset(nodes))].add(shown[key])
    return tuple(sorted((Duplicate(cls, tuple(sorted(names)),
                                   tuple(sorted((n, b.graph.display(n)) for n in nodes)))
                         for (cls, nodes), names in found.items()), key=lambda d: (d.cls, d.names)))


# --------------------------------------------------------------------------------------------
# Gold files with their documents: policykg eval
# --------------------------------------------------------------------------------------------

def find_document(gold: str | Path) -> Path:
    """The document a gold file is about: the file of the same stem (``DOCUMENT_SUFFIXES``)
    beside it, else in ``documents/`` beside its folder (``tests/gold`` -> ``tests/documents``),
    else in ``sources/`` (the seed)."""
    from .. import resources

    gold = Path(gold)
    folders = [gold.parent, gold.parent.parent / "documents", resources.data_root() / "sources"]
    for folder in folders:
        for suffix in DOCUMENT_SUFFIXES:
            candidate = folder / (gold.stem + suffix)
            if candidate.is_file():
                return candidate
    raise InputError(f"no document for this gold file: looked for {gold.stem}"
                     f"{{{','.join(DOCUMENT_SUFFIXES)}}} beside it, in ../documents/ and in sources/",
                     path=gold)


def build_and_evaluate(gold: str | Path | GoldFile, document: str | Path | None = None) -> Evaluation:
    """Build ``document`` (default: :func:`find_document`) alone into a temporary folder, with
    the whole pipeline, and evaluate ``gold`` against it. A build the gate or a quality rule
    refuses is evaluated all the same, from its unpublished store (:attr:`BuildResult.store`),
    and says so (``refused``)."""
    from ..pipeline.build import build

    gold = gold if isinstance(gold, GoldFile) else read_gold(gold)  # a bad gold fails before building
    document = Path(document) if document is not None else find_document(gold.path)
    with tempfile.TemporaryDirectory(prefix="policykg-eval-") as tmp:
        out = Path(tmp) / "dist"
        result = build([document], out, allow_shrink=True)
        if result.published:
            import pyoxigraph as ox

            store = ox.Store()
            store.bulk_load(path=str(out / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
            return evaluate(gold, store, document=str(document))
        return evaluate(gold, result.store, document=str(document),
                        refused=result.refusals or ("not published",))


def evaluate_files(golds: Sequence[str | Path], *, dist: str | Path | None = "dist",
                   build: bool = False) -> EvaluationSet:
    """Evaluate each gold file: against the build in ``dist``, or (``build``) against a build
    of its own document (:func:`build_and_evaluate`). A gold file that cannot be evaluated (bad
    input) is a :class:`Failure` of the set, and the others are still evaluated.

    Raises:
        InputError: no gold file given, or ``dist`` holds no build.
    """
    if not golds:
        raise InputError("no gold file given")
    store = None
    if not build:
        store, _ = _store_of(Path(dist or "dist"))  # a missing build fails once, for every gold
    evaluations: list[Evaluation] = []
    failures: list[Failure] = []
    for path in golds:
        try:
            if build:
                evaluations.append(build_and_evaluate(path))
            else:
                evaluations.append(replace(evaluate(path, store), build=str(dist)))  # type: ignore[arg-type]
        except PolicykgError as exc:
            failures.append(Failure(str(path), str(exc), int(exc.exit_code)))
    return EvaluationSet(tuple(evaluations), tuple(failures))


__all__ = ["DOCUMENT_CLASSES", "DOCUMENT_SUFFIXES", "KINDS", "ArticleRef", "BuiltFact", "Duplicate",
           "Evaluation", "EvaluationSet", "FactLine", "Failure", "GoldFact", "GoldFile", "IriRef",
           "KindScore", "MeasureNode", "Name", "Node", "build_and_evaluate", "evaluate", "evaluate_files",
           "find_document", "normalise", "read_facts", "read_gold", "read_iri_gold"]
