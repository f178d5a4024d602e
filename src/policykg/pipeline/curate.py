"""Stage 5: what a person decided, applied to the mapped graph — retract, assert, merge, split, label.

Door: :func:`curate`. It takes the data triples of the mapping stage (:class:`policykg.pipeline.mapping.Mapped`)
and the entries of the curation files (:func:`load_curation`, ``mappings/curation/*.toml``,
documented in ``mappings/README.md``) and returns a new value, :class:`Curated`: the curated
triples with their supports, the provenance of every correction, what each entry did, and a
warning for each entry that no longer applies. It runs after the mapping and before reasoning
and the SHACL gate, so that the gate judges the curated graph. Nothing it is given is changed.

What it promises:

* **Nothing silent.** A retracted fact is recorded in the provenance graph as the reified
  statement it was (``rdf:Statement`` with the spans the extractor read it from), and
  ``prov:wasInvalidatedBy`` the curation; an asserted fact's statement is
  ``prov:wasGeneratedBy`` the curation and ``prov:wasAttributedTo`` the curator, with the span of
  its quote (found in the named source as an extracted fact's is: ``text[start:end] == exact``)
  or, without one, the curator's note (``dct:bibliographicCitation`` of the curation).
  A curation is a ``prov:Activity``, ``prov:wasAssociatedWith`` its curator (a ``prov:Agent``),
  with ``dct:date``, the reason (``rdfs:comment``) and where the entry is (``dct:source``,
  ``file:line``). Only W3C PROV-O, RDF and DCMI terms are used: the ontology, and so
  ``policykg.nt``, is the same with or without curation.
* **Names as the extractor left them.** Every entity, property and class an entry names — by
  IRI, by CURIE (``agency:cac``, ``pol:guidedBy``) or by label (``Article 79`` of a named table,
  ``guided by``, ``Hong Kong and Macau Affairs Office``) — is looked up in the graph *before*
  any entry applies, so the order of entries never matters. A name that fits two entities
  is an error that lists them.
* **Bad input stops the build; stale input does not.** A malformed entry, an unknown property
  or class, an ambiguous name, or an assert whose quote is not in its source raises
  :class:`~policykg.errors.InputError` with the file and line (the CLI exits 2; nothing is
  written). An entry whose target is gone — the fact is no longer extracted, the entity no
  longer minted, the fact already stated by the text — is a warning of the build.
* **No entries, no change.** Without entries :func:`curate` returns the mapping's value itself,
  so the build is byte for byte what it was.

Splitting a wrong merge is the one correction that cannot wait for the mapped graph: it keeps
apart what :func:`policykg.pipeline.reconcile.reconcile` would merge by name, so the build hands
:attr:`Curation.apart` to the reconcile stage and :func:`curate` only records it.
"""
from __future__ import annotations

import bisect
import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from .. import resources
from ..errors import InputError
from ..names import ALT_LABEL, DCT, LABEL, OWL, POL, PREF_LABEL, PROV, RDF, RDF_TYPE, RDFS, SAME_AS, SKOS, WGS84, XSD
from ..textutil import normalise, slugify
from .extract import Evidence
from .mapping import Mapped, Support
from .provenance import ID, BuildInfo, provenance_quads, statement_iri

_NAMES = (LABEL, ALT_LABEL, PREF_LABEL)

#: The kinds of entry, in the order :func:`curate` applies them (merges first, so that the
#: other entries' targets follow a merged entity to the IRI it keeps).
KINDS = ("merge", "split", "retract", "assert", "label")
_COMMON = ("curator", "date", "reason")
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # kind -> (required, optional)
    "retract": (("subject", "property", "object"), ("lang",)),
    "assert": (("subject", "property", "object"), ("source", "quote", "occurrence", "note", "lang")),
    "merge": (("keep", "other"), ()),
    "split": (("name",), ("kind",)),
    "label": (("entity",), ("en", "zh", "alias")),
}
#: Entity kinds a split may name (those :mod:`policykg.pipeline.reconcile` merges by name).
SPLIT_KINDS = ("agency", "area", "export_base", "site", "region")

#: Properties that are not terms of the ontology but that an entry may name (label -> IRI).
STANDARD_PROPERTIES: dict[str, str] = {
    "type": RDF_TYPE,
    "label": LABEL,
    "alternative label": ALT_LABEL, "other name": ALT_LABEL, "alias": ALT_LABEL,
    "preferred label": PREF_LABEL,
    "exact match": SKOS + "exactMatch",
    "in scheme": SKOS + "inScheme",
    "same as": SAME_AS,
    "latitude": WGS84 + "lat", "longitude": WGS84 + "long",
}
#: What an assert may state (every property of the ontology, and these); labels and aliases
#: have :class:`label` entries, merges ``owl:sameAs``.
_ASSERTABLE_STANDARD = frozenset({RDF_TYPE, SKOS + "exactMatch", SKOS + "inScheme", WGS84 + "lat",
                                  WGS84 + "long"})
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_MARKUP = frozenset("*¹²³⁴⁵⁶⁷⁸⁹⁰")  # what a quote copied from a rendered page lacks


# =========================================================================================
# What the files say
# =========================================================================================

@dataclass(frozen=True)
class Ref:
    """An entity (or a class) as an entry names it: by IRI, or by a label, maybe ``in`` another
    entity (``{ label = "Article 79", in = "Attached Table: ..." }``: the one that links to it)."""

    written: str  # as written, for messages
    iri: str | None = None
    label: str | None = None
    within: Ref | None = None

    def __str__(self) -> str:
        return self.written


@dataclass(frozen=True)
class Property:
    """A property an entry names, resolved against the ontology."""

    iri: str
    name: str  # its English label (or the CURIE)
    kind: str  # "object" (an entity), "data" (a literal), "name" (a label), "class" (rdf:type), "link" (an outside IRI)
    range: str | None = None  # a datatype property's rdfs:range


@dataclass(frozen=True)
class Entry:
    """One entry of a curation file: its kind, who, when, why, where, and its own fields."""

    kind: str
    file: str  # as shown in messages (relative to the working folder when it can be)
    name: str  # the file's name, as recorded in the provenance graph
    line: int  # of its ``[[kind]]`` header
    curator: str
    date: dt.date
    reason: str
    fields: tuple[tuple[str, object], ...]
    key_lines: tuple[tuple[str, int], ...] = ()

    def get(self, key: str, default: object = None) -> object:
        for k, v in self.fields:
            if k == key:
                return v
        return default

    def line_of(self, key: str) -> int:
        """The line of ``key = ...`` in the entry (its header's when not found)."""
        return dict(self.key_lines).get(key, self.line)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def iri(self) -> str:
        """The curation's IRI: a hash of what the entry says (not of where it is), so moving an
        entry within or between files keeps it."""
        content = json.dumps([self.kind, self.curator, self.date.isoformat(), self.reason,
                              [[k, _jsonable(v)] for k, v in self.fields]], ensure_ascii=False,
                             sort_keys=True)
        return f"{ID}curation/{hashlib.sha256(content.encode('utf-8')).hexdigest()[:16]}"

    @property
    def curator_iri(self) -> str:
        return curator_iri(self.curator)

    def error(self, message: str, key: str | None = None, hint: str | None = None) -> InputError:
        return InputError(f"{self.kind} entry: {message}", path=self.file,
                          line=self.line_of(key) if key else self.line, hint=hint)


def curator_iri(name: str) -> str:
    """``id/curator/<slug of the name>`` (a hash for a name without Latin letters or digits)."""
    slug = slugify(name)
    if not slug or not slug.isascii():
        slug = "c-" + hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:12]
    return f"{ID}curator/{slug}"


def _jsonable(value: object) -> object:
    if isinstance(value, Ref):
        return {"ref": value.written, "in": str(value.within) if value.within else None}
    if isinstance(value, Property):
        return value.iri
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, _Literal):
        return [value.value, value.datatype, value.language]
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Curation:
    """The entries of the curation files, in file and line order."""

    folder: Path | None
    entries: tuple[Entry, ...] = ()

    @property
    def apart(self) -> frozenset[tuple[str, str]]:
        """(kind or "", :func:`name_key` of the name) of every split: what
        :func:`policykg.pipeline.reconcile.reconcile` must not merge by name."""
        return frozenset(split_key(e) for e in self.entries if e.kind == "split")

    def __len__(self) -> int:
        return len(self.entries)


def split_key(entry: Entry) -> tuple[str, str]:
    """What a split entry keeps apart: (its kind or "", the :func:`name_key` of its name)."""
    return str(entry.get("kind") or ""), name_key(str(entry.get("name")))


_UNUSUAL = re.compile(r"[’‘ʼ`′‐‑‒–—−]")
_ALIKE = str.maketrans({**dict.fromkeys("’‘ʼ`′", "'"), **dict.fromkeys("‐‑‒–—−", "-")})  # as normalise()


def name_key(name: str) -> str:
    """A name as names are compared: apostrophes, dashes and spaces of any kind alike, runs of
    space as one, case ignored."""
    if _UNUSUAL.search(name):  # normalise() goes character by character: only where it matters
        name = normalise(name)
    return " ".join(name.split()).casefold()


def default_folder() -> Path:
    """``mappings/curation/`` of the data root."""
    return resources.data_root() / "mappings" / "curation"


def load_curation(folder: str | Path | None = None) -> Curation:
    """Read and check every ``*.toml`` file of ``folder`` (default :func:`default_folder`),
    in name order.

    A missing default folder holds no entries; a folder named explicitly must exist.

    Raises:
        InputError: the folder is missing or not a folder, a file is not UTF-8 TOML, an entry
            is malformed or names a property or class the ontology does not have (with the
            file and line).
    """
    explicit = folder is not None
    path = Path(folder) if folder is not None else default_folder()
    if not path.exists():
        if explicit:
            raise InputError("no such curation folder", path=path,
                             hint="give a folder of *.toml curation files (mappings/README.md)")
        return Curation(None)
    if not path.is_dir():
        raise InputError("not a folder: --curation names a folder of *.toml curation files", path=path)
    entries: list[Entry] = []
    for file in sorted(path.glob("*.toml")):
        if file.name.startswith("."):
            continue
        entries.extend(_read_file(file))
    seen: dict[str, Entry] = {}
    for entry in entries:
        earlier = seen.setdefault(entry.iri, entry)
        if earlier is not entry:
            raise entry.error(f"the same entry as the one at {earlier.where}", hint="remove one of them")
    return Curation(path, tuple(entries))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_HEADER = re.compile(r"^\s*\[\[\s*([^\]]*?)\s*\]\]\s*(?:#.*)?$")
_TABLE = re.compile(r"^\s*\[\s*([^\[\]]*?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def _scan(text: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]], list[tuple[str, int, int]]]:
    """Where the ``[[kind]]`` headers, plain ``[table]`` headers and ``key =`` lines are
    (tomllib gives no positions), outside multi-line strings: (kind, line), (name, line),
    (key, line, index of the header above it or -1)."""
    headers: list[tuple[str, int]] = []
    tables: list[tuple[str, int]] = []
    keys: list[tuple[str, int, int]] = []
    inside: str | None = None  # the delimiter of the multi-line string we are in
    for number, line in enumerate(text.splitlines(), start=1):
        if inside is None:
            m = _HEADER.match(line)
            if m:
                headers.append((m.group(1), number))
            elif (t := _TABLE.match(line)) is not None:
                tables.append((t.group(1), number))
            elif (k := _KEY.match(line)) is not None:
                keys.append((k.group(1), number, len(headers) - 1))
        for delimiter in ('"""', "'''"):
            count = line.count(delimiter)
            if inside in (None, delimiter) and count % 2 == 1:
                inside = None if inside == delimiter else delimiter
    return headers, tables, keys


def _read_file(file: Path) -> list[Entry]:
    shown = _display(file)
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the curation file is not UTF-8 text", path=shown, line=1) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            m = re.search(r"line (\d+)", str(exc))
            line = int(m.group(1)) if m else None
        raise InputError(f"not valid TOML: {exc}", path=shown, line=line) from None
    headers, tables, keys = _scan(text)
    for name, line in tables:
        raise InputError(f"[{name}] is a plain table: write each entry as [[{name}]]", path=shown, line=line,
                         hint="entries are [[retract]], [[assert]], [[merge]], [[split]] or [[label]]")
    for kind, line in headers:
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            raise InputError(f"unknown kind of entry [[{kind}]]", path=shown, line=line,
                             hint=(f"did you mean [[{close[0]}]]? " if close else "")
                             + "the kinds are retract, assert, merge, split, label")
    for key, line, header in keys:
        if header < 0:
            raise InputError(f"{key!r} outside an entry: every key belongs to a [[kind]] entry below its header",
                             path=shown, line=line)
    entries: list[Entry] = []
    counters: dict[str, int] = defaultdict(int)
    for index, (kind, line) in enumerate(headers):
        items = raw.get(kind)
        position = counters[kind]
        counters[kind] += 1
        if not isinstance(items, list) or position >= len(items) or not isinstance(items[position], dict):
            raise InputError(f"[[{kind}]] is not an entry TOML reads as such", path=shown, line=line)
        key_lines = tuple((k, n) for k, n, h in keys if h == index)
        entries.append(_entry(kind, items[position], shown, file.name, line, key_lines))
    for kind, items in raw.items():
        if kind not in KINDS or not isinstance(items, list) or len(items) != counters[kind]:
            line = next((n for k, n, _ in keys if k == kind), 1)
            raise InputError(f"{kind!r} must be entries written as [[{kind}]] tables" if kind in KINDS
                             else f"unknown key {kind!r} at the top of a curation file",
                             path=shown, line=line,
                             hint="entries are [[retract]], [[assert]], [[merge]], [[split]] or [[label]] tables")
    entries.sort(key=lambda e: e.line)
    return entries


def _entry(kind: str, table: dict[str, object], shown: str, name: str, line: int,
           key_lines: tuple[tuple[str, int], ...]) -> Entry:
    where = dict(key_lines)

    def fail(message: str, key: str | None = None, hint: str | None = None) -> InputError:
        return InputError(f"{kind} entry: {message}", path=shown, line=where.get(key, line) if key else line,
                          hint=hint)

    required, optional = _FIELDS[kind]
    allowed = set(required) | set(optional) | set(_COMMON)
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            raise fail(f"unknown key {key!r}", key,
                       hint=(f"did you mean {close[0]!r}? " if close else "")
                       + f"a {kind} entry has " + ", ".join(required + optional + _COMMON))
    for key in (*_COMMON, *required):
        if key not in table:
            raise fail(f"{key!r} is missing", None, hint=_HINTS.get(key))
    curator, reason = table["curator"], table["reason"]
    for key, value in (("curator", curator), ("reason", reason)):
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{key!r} must be a non-empty string", key, hint=_HINTS.get(key))
    date = table["date"]
    if isinstance(date, str) and _DATE_PATTERN.fullmatch(date.strip()):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise fail(f"{date!r} is not a date", "date", hint=_HINTS["date"]) from None
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise fail("'date' must be a date such as 2024-05-02", "date", hint=_HINTS["date"])
    fields: dict[str, object] = {}
    if kind in ("retract", "assert"):
        fields["subject"] = _ref(table["subject"], fail, "subject")
        prop = _property(table["property"], fail)
        if kind == "assert" and prop.kind == "name":
            raise fail(f"{prop.name!r}: names are given by [[label]] entries", "property",
                       hint="write [[label]] with entity, en, zh or alias")
        if kind == "assert" and prop.iri == SAME_AS:
            raise fail("'same as': two entities become one by a [[merge]] entry", "property")
        if kind == "assert" and not (prop.iri.startswith(POL) or prop.iri in _ASSERTABLE_STANDARD):
            raise fail(f"{prop.name!r} cannot be asserted", "property")
        fields["property"] = prop
        fields["object"] = _object(table["object"], prop, fail, table.get("lang"))
        if "lang" in table:
            if not isinstance(table["lang"], str) or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", table["lang"]):
                raise fail("'lang' must be a language tag such as en or zh", "lang")
            fields["lang"] = table["lang"]
        if kind == "assert":
            note, quote = table.get("note"), table.get("quote")
            if (note is None) == (quote is None):
                raise fail("give either a quote (with its source) or a note, not both and not neither",
                           None, hint="quote = the words of the source that say so; note = where else it is said")
            if quote is not None:
                for key in ("quote", "source"):
                    value = table.get(key)
                    if not isinstance(value, str) or not value.strip():
                        raise fail(f"{key!r} must be a non-empty string", key if key in table else None,
                                   hint=_HINTS[key])
                fields["quote"] = str(quote)
                fields["source"] = str(table["source"]).strip()
                occurrence = table.get("occurrence", 1)
                if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1:
                    raise fail("'occurrence' must be a whole number, 1 or more", "occurrence")
                fields["occurrence"] = occurrence
            else:
                if not isinstance(note, str) or not note.strip():
                    raise fail("'note' must be a non-empty string", "note", hint=_HINTS["note"])
                for key in ("source", "occurrence"):
                    if key in table:
                        raise fail(f"{key!r} goes with a quote, not with a note", key)
                fields["note"] = note.strip()
    elif kind == "merge":
        fields["keep"] = _ref(table["keep"], fail, "keep")
        others = table["other"] if isinstance(table["other"], list) else [table["other"]]
        if not others:
            raise fail("'other' names no entity", "other")
        fields["other"] = tuple(_ref(o, fail, "other") for o in others)
        if any(o.written == fields["keep"].written for o in fields["other"]):  # type: ignore[union-attr]
            raise fail("an entity cannot be merged into itself", "other")
    elif kind == "split":
        name_ = table["name"]
        if not isinstance(name_, str) or not name_.strip():
            raise fail("'name' must be the name the entities were merged by", "name")
        fields["name"] = name_.strip()
        if "kind" in table:
            if table["kind"] not in SPLIT_KINDS:
                raise fail(f"'kind' must be one of {', '.join(SPLIT_KINDS)}", "kind")
            fields["kind"] = table["kind"]
    elif kind == "label":
        fields["entity"] = _ref(table["entity"], fail, "entity")
        if not (any(k in table for k in ("en", "zh")) or table.get("alias")):
            raise fail("give en, zh or alias (or several)", None)
        for key in ("en", "zh"):
            if key in table:
                if not isinstance(table[key], str) or not table[key].strip():
                    raise fail(f"{key!r} must be a non-empty string", key)
                fields[key] = " ".join(str(table[key]).split())
        if "alias" in table:
            aliases = table["alias"] if isinstance(table["alias"], list) else [table["alias"]]
            if not all(isinstance(a, str) and a.strip() for a in aliases):  # [] adds none
                raise fail("'alias' must be a name or a list of names", "alias")
            fields["alias"] = tuple(" ".join(a.split()) for a in aliases)
    return Entry(kind, shown, name, line, curator.strip(), date, " ".join(reason.split()),
                 tuple(fields.items()), key_lines)


_HINTS = {
    "curator": 'who decided, e.g. curator = "Li Wei"',
    "date": "a TOML date, unquoted: date = 2024-05-02",
    "reason": 'why, in a sentence: reason = "The text says the office is located in the CAC, not guided by it."',
    "quote": "the words of the source that say so, as they stand in it",
    "source": 'the source document the quote is in: its file name (source = "2022-01-....md")',
    "note": 'where it is said, when no source of the build says it: note = "MIIT press release, 5 Sept 2020"',
    "subject": 'an IRI, a CURIE (agency:cac), a label ("Article 79"), or { label = "Article 79", in = "..." }',
}


def _ref(value: object, fail, key: str) -> Ref:
    if isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            raise fail(f"{key!r} is empty", key, hint=_HINTS["subject"])
        iri = _as_iri(text)
        return Ref(text, iri=iri) if iri else Ref(text, label=text)
    if isinstance(value, dict):
        unknown = set(value) - {"label", "in", "iri"}
        if unknown or not (("label" in value) ^ ("iri" in value)) or ("in" in value and "iri" in value):
            raise fail(f"{key!r} must be {{ label = ..., in = ... }} or {{ iri = ... }}", key, hint=_HINTS["subject"])
        if "iri" in value:
            iri = _as_iri(str(value["iri"]))
            if not iri:
                raise fail(f"{value['iri']!r} is not an IRI", key)
            return Ref(str(value["iri"]), iri=iri)
        label = value["label"]
        if not isinstance(label, str) or not label.strip():
            raise fail(f"{key!r}: the label is empty", key)
        within = _ref(value["in"], fail, key) if "in" in value else None
        label = " ".join(label.split())
        return Ref(f"{label} (in {within})" if within else label, label=label, within=within)
    raise fail(f"{key!r} must be a string or a table", key, hint=_HINTS["subject"])


@cache
def _prefixes() -> dict[str, str]:
    from .publish import LINK_PREFIXES, PREFIXES

    return {**PREFIXES, **LINK_PREFIXES, "wgs84": WGS84}


def _as_iri(text: str) -> str | None:
    """``text`` as an IRI when it is one (``https://...``, ``<...>``, a CURIE of a known prefix)."""
    if text.startswith("<") and text.endswith(">") and " " not in text:
        return text[1:-1]
    if re.match(r"https?://\S+$", text):
        return text
    m = re.fullmatch(r"([A-Za-z][\w-]*):(\S+)", text)
    if m and m.group(1) in _prefixes():
        return _prefixes()[m.group(1)] + m.group(2)
    return None


# --------------------------------------------------------------------------- the ontology

@dataclass(frozen=True)
class _Ontology:
    properties: dict[str, Property]  # IRI -> property
    by_name: dict[str, str]  # name key -> property IRI
    classes: dict[str, str]  # name key -> class IRI
    class_iris: frozenset[str]
    superclasses: dict[str, frozenset[str]]  # class -> all its superclasses (itself included)
    labels: dict[str, str]  # IRI -> English label


@cache
def _ontology() -> _Ontology:
    path = resources.ontology_path()
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    ranges: dict[str, str] = {}
    parents: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        s, p = t.subject.value, t.predicate.value
        if p == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            types[s].add(t.object.value)
        elif p == LABEL and isinstance(t.object, ox.Literal):
            labels[s][t.object.language or ""] = t.object.value
        elif p == RDFS + "range" and isinstance(t.object, ox.NamedNode):
            ranges[s] = t.object.value
        elif p == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode):
            parents[s].add(t.object.value)
    properties: dict[str, Property] = {}
    by_name: dict[str, str] = {}
    classes: dict[str, str] = {}
    english: dict[str, str] = {}
    for iri, kinds in types.items():
        if not iri.startswith(POL):
            continue
        name = labels[iri].get("en") or iri[len(POL):]
        english[iri] = name
        if OWL + "ObjectProperty" in kinds:
            properties[iri] = Property(iri, name, "object")
        elif OWL + "DatatypeProperty" in kinds:
            properties[iri] = Property(iri, name, "data", ranges.get(iri))
        elif OWL + "Class" in kinds:
            for text in labels[iri].values():
                classes.setdefault(name_key(text), iri)
            classes.setdefault(name_key(iri[len(POL):]), iri)
            continue
        else:
            continue
        for text in labels[iri].values():
            by_name.setdefault(name_key(text), iri)
    for name, iri in STANDARD_PROPERTIES.items():
        kind = {RDF_TYPE: "class", LABEL: "name", ALT_LABEL: "name", PREF_LABEL: "name",
                SKOS + "exactMatch": "link", SKOS + "inScheme": "object", SAME_AS: "object"}.get(iri, "data")
        properties.setdefault(iri, Property(iri, name, kind, XSD + "decimal" if iri.startswith(WGS84) else None))
        by_name.setdefault(name_key(name), iri)
    closure: dict[str, frozenset[str]] = {}

    def up(c: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if c in closure:
            return closure[c]
        out = {c}
        for parent in parents.get(c, ()):
            if parent not in seen:
                out |= up(parent, seen | {c})
        closure[c] = frozenset(out)
        return closure[c]

    for c in set(classes.values()):
        up(c)
    return _Ontology(properties, by_name, classes, frozenset(classes.values()), closure, english)


def _property(value: object, fail) -> Property:
    if not isinstance(value, str) or not value.strip():
        raise fail("'property' must be a property's label, CURIE or IRI", "property",
                   hint='e.g. property = "guided by" or "pol:guidedBy"')
    onto = _ontology()
    text = " ".join(value.split())
    iri = _as_iri(text)
    if iri is None:
        iri = onto.by_name.get(name_key(text))
    if iri is None or iri not in onto.properties:
        names = sorted({p.name for p in onto.properties.values()})
        close = difflib.get_close_matches(text, names, n=3)
        raise fail(f"unknown property {text!r}", "property",
                   hint=("did you mean " + " or ".join(repr(c) for c in close) + "? " if close else "")
                   + "a property of the ontology by its label (guided by, in category, issued on, ...), "
                     "its CURIE (pol:guidedBy) or IRI")
    return onto.properties[iri]


@dataclass(frozen=True)
class _Literal:
    """A literal object as an entry gives it."""

    value: str
    datatype: str | None = None
    language: str | None = None

    def term(self) -> ox.Literal:
        if self.language:
            return ox.Literal(self.value, language=self.language)
        if self.datatype:
            return ox.Literal(self.value, datatype=ox.NamedNode(self.datatype))
        return ox.Literal(self.value)

    def __str__(self) -> str:
        return self.value


def _object(value: object, prop: Property, fail, lang: object) -> object:
    """The object of a retract or an assert: a :class:`Ref` for an entity or a class, an IRI
    string for a link out, a :class:`_Literal` for a value."""
    if prop.kind in ("object",):
        return _ref(value, fail, "object")
    if prop.kind == "class":
        if not isinstance(value, str) or not value.strip():
            raise fail("'object' must name a class", "object")
        onto = _ontology()
        text = " ".join(value.split())
        iri = _as_iri(text) or onto.classes.get(name_key(text))
        if iri is None or (iri.startswith(POL) and iri not in onto.class_iris):
            close = difflib.get_close_matches(text, sorted(onto.labels[c] for c in onto.class_iris), n=3)
            raise fail(f"unknown class {text!r}", "object",
                       hint=("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else None)
        return Ref(text, iri=iri)
    if prop.kind == "link":
        iri = _as_iri(str(value)) if isinstance(value, str) else None
        if iri is None:
            raise fail("'object' must be an IRI", "object")
        return iri
    # a literal
    if isinstance(value, bool):
        return _Literal(str(value).lower(), XSD + "boolean")
    if isinstance(value, dt.datetime):
        raise fail("'object' is a date and time; give a date (2021-06-10)", "object")
    if isinstance(value, dt.date):
        return _Literal(value.isoformat(), XSD + "date")
    if isinstance(value, int):
        if prop.range not in (None, XSD + "integer", XSD + "decimal", XSD + "nonNegativeInteger"):
            raise fail(f"{prop.name!r} takes {prop.range}, not a number", "object")
        return _Literal(str(value), prop.range or XSD + "integer")
    if isinstance(value, float):
        return _Literal(repr(value), prop.range or XSD + "decimal")
    if not isinstance(value, str) or not value.strip():
        raise fail("'object' must be a value: a string, a number or a date", "object")
    text = " ".join(value.split()) if prop.kind != "data" or prop.range else value.strip()
    if prop.kind == "name":
        return _Literal(text, language=str(lang) if lang else None)
    if prop.range == XSD + "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise fail(f"{prop.name!r} takes a whole number, not {text!r}", "object")
        return _Literal(str(int(text)), XSD + "integer")
    if prop.range == XSD + "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise fail(f"{prop.name!r} takes a decimal number, not {text!r}", "object")
        return _Literal(text, XSD + "decimal")
    if prop.range is not None:
        return _Literal(text, prop.range)
    if _DATE_PATTERN.fullmatch(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise fail(f"{text!r} is not a date", "object") from None
        return _Literal(text, XSD + "date")
    return _Literal(text, language=str(lang) if lang else "en")


# =========================================================================================
# What the curation did
# =========================================================================================

@dataclass(frozen=True)
class SourceText:
    """A source document of the build, for finding an assert's quote: its policy update's IRI,
    its path as given to the build, and its text (the rendition the spans count in)."""

    iri: str
    path: str
    text: str


@dataclass(frozen=True)
class Applied:
    """What one entry did to the graph."""

    entry: Entry
    summary: str  # one line, with labels: "retract: Article 4 guided by Cyberspace Administration of China"
    added: tuple[ox.Triple, ...] = ()
    removed: tuple[ox.Triple, ...] = ()


@dataclass(frozen=True)
class Curated:
    """The curated graph, and what the curation did.

    ``mapped`` holds the curated data triples with their supports (an asserted fact's quote is
    a support like an extracted fact's span); ``provenance`` the quads the provenance graph
    gains (curations, curators, asserted and retracted statements); ``applied`` one item per
    entry that changed the graph; ``warnings`` one per entry that no longer applies (``file:line:
    ...``); ``merged`` the (other, kept) IRIs of the merges.
    """

    mapped: Mapped
    provenance: tuple[ox.Quad, ...] = ()
    applied: tuple[Applied, ...] = ()
    warnings: tuple[str, ...] = ()
    merged: tuple[tuple[str, str], ...] = ()

    @property
    def retracted(self) -> tuple[ox.Triple, ...]:
        return tuple(t for a in self.applied for t in a.removed)

    @property
    def asserted(self) -> tuple[ox.Triple, ...]:
        return tuple(t for a in self.applied for t in a.added)


def _key(t: ox.Triple) -> tuple[str, str, str]:
    return str(t.subject), str(t.predicate), str(t.object)


class _Graph:
    """Look-ups over the mapped triples, made in one pass: each subject's triples, and the
    entities that bear the labels entries name."""

    def __init__(self, triples: Sequence[ox.Triple], labels: Collection[str]) -> None:
        self.by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
        self.by_label: dict[str, set[str]] = defaultdict(set)
        wanted = set(labels)
        names = frozenset(ox.NamedNode(n) for n in _NAMES)
        for t in triples:
            s = t.subject
            if not isinstance(s, ox.NamedNode):
                continue
            iri = s.value
            self.by_subject[iri].append(t)
            if t.predicate in names and isinstance(t.object, ox.Literal):
                key = name_key(t.object.value)
                if key in wanted:
                    self.by_label[key].add(iri)

    @property
    def present(self) -> Collection[str]:
        """The IRIs that are the subject of a triple."""
        return self.by_subject.keys()

    def about(self, iris: Collection[str]) -> dict[str, list[ox.Triple]]:
        """The triples whose subject is one of ``iris``."""
        return {i: self.by_subject.get(i, []) for i in iris}

    def label(self, iri: str) -> str:
        """The English label of ``iri`` (any label, else the IRI's last segment), for messages."""
        triples = self.about([iri])[iri]
        ranked = sorted((0 if (t.object.language or "") == "en" else 1 if not t.object.language else 2, t.object.value)
                        for t in triples if t.predicate.value == LABEL and isinstance(t.object, ox.Literal))
        if ranked:
            return ranked[0][1]
        onto = _ontology()
        return onto.labels.get(iri) or re.split(r"[/#]", iri.rstrip("/#"))[-1]


class _Resolver:
    """Turns the names of entries into IRIs, in the graph as extracted."""

    def __init__(self, graph: _Graph) -> None:
        self.graph = graph

    def entity(self, ref: Ref, entry: Entry, key: str) -> str | None:
        """The IRI ``ref`` names; None when it names nothing in the graph (a stale entry)."""
        if ref.iri is not None:
            return ref.iri if ref.iri in self.graph.present else None
        candidates = set(self.graph.by_label.get(name_key(ref.label or ""), ()))
        if ref.within is not None and candidates:
            within = self.entity(ref.within, entry, key)
            if within is None:
                return None
            about = self.graph.about(candidates)
            candidates = {c for c in candidates
                          if any(isinstance(t.object, ox.NamedNode) and t.object.value == within for t in about[c])}
        if not candidates:
            return None
        if len(candidates) > 1:
            shown = "; ".join(f"<{c}>" for c in sorted(candidates)[:6])
            raise entry.error(f"{ref.written!r} names {len(candidates)} entities: {shown}", key,
                              hint='give the IRI, or say what it is in: { label = "...", in = "..." }')
        return next(iter(candidates))


def _requested_labels(entries: Iterable[Entry]) -> set[str]:
    out: set[str] = set()

    def add(value: object) -> None:
        if isinstance(value, Ref):
            if value.label is not None:
                out.add(name_key(value.label))
            if value.within is not None:
                add(value.within)
        elif isinstance(value, tuple):
            for v in value:
                add(v)

    for e in entries:
        for _, v in e.fields:
            add(v)
    return out


def _source_index(sources: Sequence[SourceText]) -> dict[str, SourceText]:
    """The build's sources by the names an assert may give them: the policy update's IRI, the
    path as given to the build, the file's name (the first source of a name wins)."""
    index: dict[str, SourceText] = {}
    for s in sources:
        for key in (s.iri, s.path, Path(s.path).name):
            index.setdefault(key, s)
    return index


def _find_quote(entry: Entry, sources: Mapping[str, SourceText]) -> Evidence | None:
    """The span of the entry's quote in its source (None when the source is not in the build);
    an error when the quote is not there."""
    named = str(entry.get("source"))
    source = sources.get(named) or sources.get(Path(named).name)
    if source is None:
        return None
    quote = str(entry.get("quote"))
    # look through what a quote copied from a rendered page lacks (bold markers, footnote
    # signs), and through the kind of apostrophe and dash (one for one, as normalise() does)
    # and of space (the pattern's \s+)
    keep = [i for i, ch in enumerate(source.text) if ch not in _MARKUP]
    clean = "".join(source.text[i] for i in keep).translate(_ALIKE)
    words = normalise("".join(ch for ch in quote if ch not in _MARKUP)).split()
    if not words:
        raise entry.error("the quote is empty", "quote")
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    wanted = int(entry.get("occurrence", 1))  # type: ignore[arg-type]
    for n, m in enumerate(pattern.finditer(clean), start=1):
        if n == wanted:
            start, end = keep[m.start()], keep[m.end() - 1] + 1
            line = source.text.count("\n", 0, start) + 1
            return Evidence(source.iri, start, end, source.text[start:end], line)
    found = sum(1 for _ in pattern.finditer(clean))
    if found:
        raise entry.error(f"the quote occurs {found} time(s) in {source.path}, not {wanted}", "occurrence")
    raise entry.error(f"the quote is not in {source.path}", "quote",
                      hint="copy the words as they stand in the source (spaces, bold and footnote signs "
                           "may differ); or give a note instead of a quote")


def curate(mapped: Mapped, curation: Curation, *, build: BuildInfo, sources: Sequence[SourceText] = (),
           kept_apart: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> Curated:
    """Apply the entries of ``curation`` to the data triples of ``mapped``.

    ``build``: the build activity (it ``prov:wasInformedBy`` each curation, and retracted
    statements keep the ``prov:wasGeneratedBy`` of the build that extracted them).
    ``sources``: the build's documents, where an assert's quote is looked for. ``kept_apart``:
    what :func:`policykg.pipeline.reconcile.reconcile` kept apart for the splits, by
    :func:`split_key` (a split that kept nothing apart is stale).

    Raises:
        InputError: an entry names an entity ambiguously, or an assert's quote is not in its
            source (the file and line of the entry).
    """
    if not curation.entries:
        return Curated(mapped)
    entries = curation.entries
    graph = _Graph(mapped.triples, _requested_labels(entries))
    resolve = _Resolver(graph)
    by_name = _source_index(sources)
    onto = _ontology()
    warnings: list[str] = []
    applied: list[Applied] = []
    quads: list[ox.Quad] = []
    g = ox.NamedNode

    def stale(entry: Entry, why: str) -> None:
        warnings.append(f"{entry.where}: {entry.kind} entry no longer applies: {why}; remove it, or correct it")

    # -- resolve every entry first, against the graph as extracted ------------------------------
    plans: list[tuple[Entry, dict[str, object]]] = []
    for entry in entries:
        plan: dict[str, object] = {}
        if entry.kind in ("retract", "assert"):
            subject = resolve.entity(entry.get("subject"), entry, "subject")  # type: ignore[arg-type]
            if subject is None:
                stale(entry, f"no entity is {entry.get('subject')} (any more)")
                continue
            prop: Property = entry.get("property")  # type: ignore[assignment]
            obj = entry.get("object")
            if isinstance(obj, Ref) and prop.kind == "object":
                value = resolve.entity(obj, entry, "object")
                if value is None:
                    stale(entry, f"no entity is {obj} (any more)")
                    continue
                plan["object"] = g(value)
            elif isinstance(obj, Ref):  # a class
                plan["object"] = g(obj.iri)  # type: ignore[arg-type]
            elif isinstance(obj, str):
                plan["object"] = g(obj)
            else:
                plan["object"] = obj  # a _Literal: matched by value on retract
            plan["subject"] = g(subject)
            plan["property"] = g(prop.iri)
            if entry.kind == "assert" and entry.get("quote") is not None:
                evidence = _find_quote(entry, by_name)
                if evidence is None:
                    stale(entry, f"its source {entry.get('source')!r} is not among the build's documents")
                    continue
                plan["evidence"] = evidence
        elif entry.kind == "merge":
            keep = resolve.entity(entry.get("keep"), entry, "keep")  # type: ignore[arg-type]
            others = []
            for ref in entry.get("other"):  # type: ignore[union-attr]
                other = resolve.entity(ref, entry, "other")
                if other is None:
                    stale(entry, f"no entity is {ref} (any more)")
                elif other == keep:
                    stale(entry, f"{ref} and {entry.get('keep')} are one entity already")
                else:
                    others.append(other)
            if keep is None:
                stale(entry, f"no entity is {entry.get('keep')} (any more)")
                continue
            if not others:
                continue
            plan["keep"], plan["others"] = keep, tuple(others)
        elif entry.kind == "label":
            entity = resolve.entity(entry.get("entity"), entry, "entity")  # type: ignore[arg-type]
            if entity is None:
                stale(entry, f"no entity is {entry.get('entity')} (any more)")
                continue
            plan["entity"] = entity
        elif entry.kind == "split":
            iris = (kept_apart or {}).get(split_key(entry))
            if not iris:
                stale(entry, f"nothing named {entry.get('name')!r} was merged by name")
                continue
            plan["iris"] = iris
        plans.append((entry, plan))

    # -- merges: the other IRIs become the kept one, everywhere ---------------------------------
    rename: dict[str, str] = {}
    for entry, plan in plans:
        if entry.kind == "merge":
            for other in plan["others"]:  # type: ignore[union-attr]
                if other in rename and rename[other] != plan["keep"]:
                    raise entry.error(f"<{other}> is merged into two entities (see the other merge of it)", "other")
                rename[other] = str(plan["keep"])

    def final(iri: str, seen: tuple[str, ...] = ()) -> str:
        if iri not in rename:
            return iri
        if iri in seen:
            raise InputError(f"merges go round in a circle: {' -> '.join((*seen, iri))}", path=entries[0].file)
        return final(rename[iri], (*seen, iri))

    rename = {o: final(o) for o in rename}
    triples: list[ox.Triple] = list(mapped.triples)
    supports: dict[ox.Triple, tuple[Support, ...]] = dict(mapped.supports)
    resort = False
    moved_in: list[ox.Triple] = []  # triples a merge made, not in the mapping's order yet
    merged_pairs: list[tuple[str, str]] = []
    if rename:
        about = graph.about(set(rename.values()) | set(rename))
        kept_types = {k: {t.object.value for t in about[k] if t.predicate.value == RDF_TYPE} for k in set(rename.values())}
        kept_names = {k: {(t.predicate.value, t.object.value, t.object.language or "") for t in about[k]
                          if t.predicate.value in _NAMES and isinstance(t.object, ox.Literal)}
                      for k in set(rename.values())}
        moved: dict[ox.Triple, dict[Support, None]] = {}
        kept_triples: list[ox.Triple] = []
        for t in triples:
            s, o = t.subject, t.object
            hit_s = isinstance(s, ox.NamedNode) and s.value in rename
            hit_o = isinstance(o, ox.NamedNode) and o.value in rename
            if not (hit_s or hit_o):
                kept_triples.append(t)
                continue
            p = t.predicate
            if hit_s:
                kept = rename[s.value]
                if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
                    # a type the kept entity has, or a superclass of one of its types, says nothing new
                    if any(o.value in onto.superclasses.get(c, frozenset({c})) for c in kept_types[kept]):
                        continue
                elif p.value in (LABEL, PREF_LABEL) and isinstance(o, ox.Literal):
                    # one English (and one Chinese) label: the other's names become aliases
                    same = (p.value, o.value, o.language or "") in kept_names[kept]
                    if same:
                        continue
                    p, o = ox.NamedNode(ALT_LABEL), ox.Literal(o.value)
                s = ox.NamedNode(kept)
            if isinstance(o, ox.NamedNode) and o.value in rename:
                o = ox.NamedNode(rename[o.value])
            new = ox.Triple(s, p, o)
            bucket = moved.setdefault(new, {})
            for support in supports.get(t, ()):
                bucket.setdefault(support, None)
        triples = kept_triples
        present = set(triples)
        for new, bucket in moved.items():
            if new in present:
                supports[new] = tuple(dict.fromkeys((*supports.get(new, ()), *bucket)))
            else:
                triples.append(new)
                present.add(new)
                moved_in.append(new)
                supports[new] = tuple(bucket)
        for old in list(supports):
            if old not in present:
                del supports[old]
        resort = True

    # -- the entries, one by one -----------------------------------------------------------------
    present_set = set(triples)
    original = set(present_set)
    added_order: list[ox.Triple] = []
    removed_set: set[ox.Triple] = set()
    retracted_supports: dict[ox.Triple, tuple[Support, ...]] = {}
    invalidated: dict[ox.Triple, list[str]] = defaultdict(list)
    attributed: dict[ox.Triple, list[Entry]] = defaultdict(list)

    def canonical(term: ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
        if isinstance(term, ox.NamedNode) and term.value in rename:
            return ox.NamedNode(rename[term.value])
        return term

    def remove(t: ox.Triple, entry: Entry) -> None:
        if t in present_set:
            present_set.discard(t)
            removed_set.add(t)
            retracted_supports[t] = supports.pop(t, ())
        invalidated[t].append(entry.iri)

    def add(t: ox.Triple, entry: Entry, support: Support | None) -> bool:
        fresh = t not in present_set
        if fresh:
            present_set.add(t)
            added_order.append(t)
            removed_set.discard(t)
        if support is not None:
            supports[t] = tuple(dict.fromkeys((*supports.get(t, ()), support)))
        attributed[t].append(entry)
        return fresh

    merged_into: dict[str, list[str]] = defaultdict(list)
    for other, kept in rename.items():
        merged_into[kept].append(other)

    def now_about(iri: str) -> list[ox.Triple]:
        """The triples about ``iri`` now: its own and those of what was merged into it, as they
        stand after the merges, and those the entries before added."""
        kept = final(iri)
        sources_ = [kept, *merged_into.get(kept, ())]
        out = []
        for t in (t for i in sources_ for t in graph.about([i])[i]):
            o = canonical(t.object) if isinstance(t.object, ox.NamedNode) else t.object
            out.append(ox.Triple(ox.NamedNode(kept), t.predicate, o))
        out += [t for t in added_order if t.subject.value == kept]
        return [t for t in dict.fromkeys(out) if t in present_set]

    def show(term: ox.NamedNode | ox.Literal) -> str:
        if isinstance(term, ox.NamedNode):
            return graph.label(term.value) if term.value.startswith(ID) else onto.labels.get(term.value, term.value)
        return repr(term.value)

    for entry, plan in plans:
        if entry.kind == "merge":
            keep = str(plan["keep"])
            added = []
            for other in plan["others"]:  # type: ignore[union-attr]
                same = ox.Triple(ox.NamedNode(other), ox.NamedNode(SAME_AS), ox.NamedNode(final(keep)))
                add(same, entry, None)
                added.append(same)
                merged_pairs.append((other, final(keep)))
            applied.append(Applied(entry, f"merge: {', '.join(f'<{o}>' for o in plan['others'])} into "  # type: ignore[union-attr]
                                          f"{graph.label(keep)} <{final(keep)}>", tuple(added)))
        elif entry.kind == "split":
            applied.append(Applied(entry, f"split: {entry.get('name')!r} kept apart as "
                                          + ", ".join(f"<{i}>" for i in plan["iris"])))  # type: ignore[union-attr]
        elif entry.kind in ("retract", "assert"):
            s, p, o = canonical(plan["subject"]), plan["property"], plan["object"]  # type: ignore[arg-type]
            prop: Property = entry.get("property")  # type: ignore[assignment]
            if isinstance(o, _Literal):
                if entry.kind == "retract":
                    targets = [t for t in now_about(s.value)
                               if t.predicate == p and isinstance(t.object, ox.Literal)
                               and " ".join(t.object.value.split()) == " ".join(o.value.split())]
                else:
                    targets = [ox.Triple(s, p, o.term())]
            else:
                targets = [ox.Triple(s, p, canonical(o))]
            summary = f"{entry.kind}: {show(s)} {prop.name} {show(targets[0].object) if targets else str(o)}"
            if entry.kind == "retract":
                live = [t for t in targets if t in present_set]
                if not live:
                    stale(entry, f"the graph does not state {summary[len('retract: '):]} (the extractor may no "
                                 "longer say it)")
                    continue
                for t in live:
                    remove(t, entry)
                applied.append(Applied(entry, summary, removed=tuple(live)))
            else:
                evidence = plan.get("evidence")
                t = targets[0]
                fresh = add(t, entry, Support(evidence) if isinstance(evidence, Evidence) else None)
                if not fresh:
                    stale(entry, f"the graph states {summary[len('assert: '):]} already (the extractor may have "
                                 "learned it); the entry's provenance is kept")
                applied.append(Applied(entry, summary, added=(t,) if fresh else ()))
        elif entry.kind == "label":
            entity = ox.NamedNode(final(str(plan["entity"])))
            current = [t for t in now_about(entity.value) if t.predicate.value in _NAMES]
            added, removed = [], []
            for key, language in (("en", "en"), ("zh", "zh")):
                if entry.get(key) is None:
                    continue
                new = ox.Triple(entity, ox.NamedNode(LABEL), ox.Literal(str(entry.get(key)), language=language))
                old = [t for t in current if t.predicate.value == LABEL and t in present_set
                       and (t.object.language or "").split("-")[0] == language and t != new]
                for t in old:
                    remove(t, entry)
                    removed.append(t)
                if add(new, entry, None):
                    added.append(new)
            for alias in entry.get("alias") or ():  # type: ignore[union-attr]
                new = ox.Triple(entity, ox.NamedNode(ALT_LABEL), ox.Literal(str(alias)))
                if add(new, entry, None):
                    added.append(new)
            what = ", ".join(f"{k} {entry.get(k)!r}" for k in ("en", "zh") if entry.get(k)) + \
                "".join(f", alias {a!r}" for a in entry.get("alias") or ())  # type: ignore[union-attr]
            summary = f"label: {graph.label(str(plan['entity']))} <{entity.value}>: {what.lstrip(', ')}"
            if not added and not removed:
                stale(entry, f"{graph.label(str(plan['entity']))} has these names already")
                continue
            applied.append(Applied(entry, summary, tuple(added), tuple(removed)))

    # -- the curated triples: in the mapping's order ------------------------------------------------
    if removed_set:
        triples = [t for t in triples if t not in removed_set]
    fresh = [t for t in added_order if t in present_set and t not in original]
    moved_set = set(moved_in)
    if resort:  # the triples a merge moved, in order among the rest (still in the mapping's order)
        fresh = [t for t in moved_in if t in present_set] + fresh
        triples = [t for t in triples if t not in moved_set]
    for t in sorted(set(fresh), key=_key):
        bisect.insort(triples, t, key=_key)
    triples_t = tuple(triples)
    result_supports = {t: supports.get(t, ()) for t in triples_t}

    # -- provenance -------------------------------------------------------------------------------
    retracted = tuple(sorted((t for t in invalidated if t in retracted_supports and t not in present_set),
                             key=_key))
    still = {t: by for t, by in attributed.items() if t in present_set}
    quads.extend(_curation_quads(plans, applied, invalidated, still, retracted, retracted_supports, build))
    return Curated(Mapped(triples_t, result_supports), tuple(quads), tuple(applied), tuple(warnings),
                   tuple(merged_pairs))


def _curation_quads(plans: Sequence[tuple[Entry, dict[str, object]]],
                    applied: Sequence[Applied], invalidated: Mapping[ox.Triple, list[str]],
                    attributed: Mapping[ox.Triple, list[Entry]], retracted: Sequence[ox.Triple],
                    retracted_supports: Mapping[ox.Triple, tuple[Support, ...]],
                    build: BuildInfo) -> Iterator[ox.Quad]:
    """The provenance of the curation (see the module docstring), in ``GRAPHS["provenance"]``."""
    from ..graphs import GRAPHS

    graph = GRAPHS["provenance"]
    n = ox.NamedNode

    def quad(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(n(s), n(p), o, graph)

    summaries = {a.entry.iri: a.summary for a in applied}
    curators: dict[str, str] = {}
    for entry, _plan in plans:
        if entry.iri not in summaries:
            continue
        c = entry.iri
        curators.setdefault(entry.curator_iri, entry.curator)
        yield quad(c, RDF_TYPE, n(PROV + "Activity"))
        yield quad(c, LABEL, ox.Literal(summaries[c]))
        yield quad(c, PROV + "wasAssociatedWith", n(entry.curator_iri))
        yield quad(c, DCT + "date", ox.Literal(entry.date.isoformat(), datatype=n(XSD + "date")))
        yield quad(c, RDFS + "comment", ox.Literal(entry.reason))
        yield quad(c, DCT + "source", ox.Literal(f"{entry.name}:{entry.line}"))
        if entry.get("note") is not None:
            yield quad(c, DCT + "bibliographicCitation", ox.Literal(str(entry.get("note"))))
        yield quad(build.iri, PROV + "wasInformedBy", n(c))
    for iri, name in sorted(curators.items()):
        yield quad(iri, RDF_TYPE, n(PROV + "Agent"))
        yield quad(iri, LABEL, ox.Literal(name))
    # asserted facts: the statement, generated by the curation and attributed to its curator
    for t, every in sorted(attributed.items(), key=lambda kv: _key(kv[0])):
        by = [e for e in every if e.iri in summaries]
        if not by:
            continue
        stmt = statement_iri(t)
        yield quad(stmt, RDF_TYPE, n(RDF + "Statement"))
        yield ox.Quad(n(stmt), n(RDF + "subject"), t.subject, graph)
        yield ox.Quad(n(stmt), n(RDF + "predicate"), t.predicate, graph)
        yield ox.Quad(n(stmt), n(RDF + "object"), t.object, graph)
        for entry in by:
            yield quad(stmt, PROV + "wasGeneratedBy", n(entry.iri))
            yield quad(stmt, PROV + "wasAttributedTo", n(entry.curator_iri))
    # retracted facts: the statement as the extractor made it (its spans, its lexicon rows),
    # invalidated by the curation
    if retracted:
        yield from provenance_quads(Mapped(tuple(retracted), {t: retracted_supports.get(t, ()) for t in retracted}),
                                    (), build)
        for t in retracted:
            stmt = statement_iri(t)
            if not retracted_supports.get(t):  # provenance_quads skips a statement without support
                yield quad(stmt, RDF_TYPE, n(RDF + "Statement"))
                yield ox.Quad(n(stmt), n(RDF + "subject"), t.subject, graph)
                yield ox.Quad(n(stmt), n(RDF + "predicate"), t.predicate, graph)
                yield ox.Quad(n(stmt), n(RDF + "object"), t.object, graph)
            for c in invalidated[t]:
                yield quad(stmt, PROV + "wasInvalidatedBy", n(c))


__all__ = ["KINDS", "Applied", "Curated", "Curation", "Entry", "Property", "Ref", "SourceText", "curate",
           "curator_iri", "default_folder", "load_curation", "name_key", "split_key"]
