"""Stage 4: records -> RDF, by the declarative rules of ``mappings/rules.toml``.

Door: :func:`map_records`. One generic engine reads the rule table (which record kind becomes
which triples) and fills in each record's fields; there is no Python per kind of fact. It
returns the data triples and, for each, the supports (source spans, lexicon rows) that the
provenance graph reifies (:mod:`policykg.pipeline.provenance`).

The rule table is checked when loaded: unknown prefixes, pol: terms that the ontology does
not declare and ``{lexicon.column}`` fields that the lexicon does not have are errors that name
the rule.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from .. import resources
from ..errors import InputError
from .extract import Evidence, Record
from .lexicon import Entry

XSD = "http://www.w3.org/2001/XMLSchema#"
_FIELD = re.compile(r"\{((?:lexicon\.)?\w+)\}")
_LEXICON_FIELD = "lexicon."
_ENTRY_FIELDS = frozenset(f.name for f in dataclasses.fields(Entry))  # the lexicon's columns


@dataclass(frozen=True)
class TripleTemplate:
    s: str
    p: str
    o: str
    provenance: bool = True
    cite: str | None = None  # a lexicon column that cites this triple instead of the row's source


@dataclass(frozen=True)
class Rule:
    records: tuple[str, ...]
    triples: tuple[TripleTemplate, ...]
    index: int  # position in the rule table, for messages


@dataclass(frozen=True)
class RuleSet:
    prefixes: dict[str, str]
    rules: tuple[Rule, ...]
    path: str

    def for_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if kind in r.records)


@dataclass(frozen=True)
class Support:
    """One reason a triple is in the graph: a span of a source, or a lexicon row."""

    evidence: Evidence | None = None
    lexicon: Entry | None = None


@dataclass(frozen=True)
class Mapped:
    """The data graph's triples, sorted, and what supports each (for provenance)."""

    triples: tuple[ox.Triple, ...]
    supports: dict[ox.Triple, tuple[Support, ...]]


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and check the rule table (default ``mappings/rules.toml``)."""
    path = Path(path) if path else resources.data_root() / "mappings" / "rules.toml"
    return _load_rules(path, path.stat().st_mtime_ns if path.exists() else 0)


@cache
def _load_rules(path: Path, _mtime: int) -> RuleSet:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not valid TOML: {exc}", path=path, line=line) from None
    prefixes = dict(raw.get("prefixes", {}))
    rules = []
    for i, rule in enumerate(raw.get("rule", []), start=1):
        kinds = rule.get("records")
        if isinstance(kinds, str):
            kinds = [kinds]
        if not kinds or not rule.get("triples"):
            raise InputError(f"rule {i} needs 'records' and 'triples'", path=path)
        templates = []
        for t in rule["triples"]:
            try:
                template = TripleTemplate(t["s"], t["p"], t["o"], bool(t.get("provenance", True)),
                                          t.get("cite"))
            except KeyError as exc:
                raise InputError(f"rule {i}: a triple lacks {exc.args[0]!r}", path=path) from None
            for term in (template.s, template.p, template.o):
                _check_term(term, prefixes, path, i)
            if template.cite is not None and (template.cite not in _ENTRY_FIELDS
                                              or not template.cite.endswith("_source")):
                raise InputError(f"rule {i}: cite = {template.cite!r} is not a source column of the lexicon",
                                 path=path, hint="e.g. cite = \"coordinates_source\"")
            templates.append(template)
        rules.append(Rule(tuple(kinds), tuple(templates), i))
    return RuleSet(prefixes, tuple(rules), str(path))


def _check_term(term: str, prefixes: dict[str, str], path: Path, index: int) -> None:
    for name in re.findall(r"\{([^}]*)\}", term):
        if not _FIELD.fullmatch("{" + name + "}"):
            raise InputError(f"rule {index}: {{{name}}} in {term!r} is not a field", path=path,
                             hint="a record's field is {name}; a column of its lexicon row is {lexicon.name}")
        if name.startswith(_LEXICON_FIELD) and name[len(_LEXICON_FIELD):] not in _ENTRY_FIELDS:
            raise InputError(f"rule {index}: the lexicon has no column {name[len(_LEXICON_FIELD):]!r} "
                             f"(in {term!r})", path=path)
    body = term.split("^^")[-1] if "^^" in term else term
    if body.startswith("{") or body.startswith("<") or "@" in body.split("}")[-1]:
        return
    if ":" not in body:
        raise InputError(f"rule {index}: {term!r} is neither a field, an IRI nor a CURIE", path=path)
    prefix, local = body.split(":", 1)
    if prefix not in prefixes:
        raise InputError(f"rule {index}: unknown prefix {prefix!r} in {term!r}", path=path)
    if prefix == "pol" and "{" not in local:
        from ..vocab import POL

        try:
            getattr(POL, local)
        except AttributeError:
            raise InputError(f"rule {index}: pol:{local} is not a term of the ontology", path=path) from None


def _iri(curie: str, prefixes: dict[str, str]) -> ox.NamedNode:
    if curie.startswith("<") and curie.endswith(">"):
        return ox.NamedNode(curie[1:-1])
    if curie.startswith("http://") or curie.startswith("https://"):
        return ox.NamedNode(curie)
    prefix, local = curie.split(":", 1)
    return ox.NamedNode(prefixes[prefix] + local)


def _field(record: Record, name: str) -> object:
    """A record's field, or with ``lexicon.`` a column of the lexicon row it comes from (None
    for a record the lexicon does not know)."""
    if name.startswith(_LEXICON_FIELD):
        return getattr(record.lexicon, name[len(_LEXICON_FIELD):]) if record.lexicon is not None else None
    return record.get(name)


def _values(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, (tuple, list, set, frozenset)):
        return sorted(value, key=str)
    return [value]


def _terms(template: str, record: Record, prefixes: dict[str, str], *, literal_ok: bool) -> list[ox.NamedNode | ox.Literal]:
    """Render one term of a template for a record (several for a list field)."""
    datatype = lang = None
    body = template
    if "^^" in template:
        body, datatype = template.split("^^", 1)
    elif re.search(r"\}@[\w-]+$", template):
        body, lang = template.rsplit("@", 1)
    fields = _FIELD.findall(body)
    if not fields:
        return [_iri(body, prefixes)]
    if body == "{" + fields[0] + "}":
        out: list[ox.NamedNode | ox.Literal] = []
        for value in _values(_field(record, fields[0])):
            if datatype:
                lexical = value.isoformat() if isinstance(value, dt.date) else str(value)
                out.append(ox.Literal(lexical, datatype=_iri(datatype, prefixes)))
            elif lang:
                out.append(ox.Literal(str(value), language=lang))
            elif isinstance(value, str) and value.startswith(("https://", "http://")):
                out.append(ox.NamedNode(value))
            elif not literal_ok:
                raise ValueError(f"field {fields[0]!r} of a {record.kind} record is not an IRI: {value!r}")
            elif isinstance(value, bool):
                out.append(ox.Literal(str(value).lower(), datatype=ox.NamedNode(XSD + "boolean")))
            elif isinstance(value, int):
                out.append(ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer")))
            elif isinstance(value, dt.date):
                out.append(ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date")))
            else:
                out.append(ox.Literal(str(value)))
        return out
    # a CURIE or IRI with fields inside it, e.g. "pol:{cls}"
    values = {f: _field(record, f) for f in fields}
    if any(v is None for v in values.values()):
        return []
    return [_iri(_FIELD.sub(lambda m: str(values[m.group(1)]), body), prefixes)]


def map_records(records: Iterable[Record], rules: RuleSet | None = None) -> Mapped:
    """Turn records into data triples with their supports, by the rule table."""
    from ..rdfio import gc_paused

    with gc_paused():  # a triple, a dict and supports per fact, all kept (rdfio.gc_paused)
        return _map_records(records, rules or load_rules())


def _map_records(records: Iterable[Record], rules: RuleSet) -> Mapped:
    # each triple's supports in the order first seen, without repeats: a dict used as an
    # ordered set (a list's ``not in`` compared every support with every other: a measure
    # guided in 2,000 sentences took 4 million comparisons)
    supports: dict[ox.Triple, dict[Support, None]] = {}
    for rec in records:
        matching = rules.for_kind(rec.kind)
        if not matching:
            raise InputError(f"no mapping rule for records of kind {rec.kind!r}", path=rules.path,
                             hint="add a [[rule]] for it")
        support = Support(rec.evidence, rec.lexicon) if (rec.evidence or rec.lexicon) else None
        for rule in matching:
            for t in rule.triples:
                cited = support
                if t.cite is not None and rec.lexicon is not None:
                    cited = Support(rec.evidence, rec.lexicon.cells(t.cite))
                for s in _terms(t.s, rec, rules.prefixes, literal_ok=False):
                    for p in _terms(t.p, rec, rules.prefixes, literal_ok=False):
                        for o in _terms(t.o, rec, rules.prefixes, literal_ok=True):
                            triple = ox.Triple(s, p, o)
                            bucket = supports.setdefault(triple, {})
                            if t.provenance and cited is not None:
                                bucket.setdefault(cited, None)
    ordered = tuple(sorted(supports, key=lambda tr: (str(tr.subject), str(tr.predicate), str(tr.object))))
    return Mapped(ordered, {t: tuple(supports[t]) for t in ordered})


__all__ = ["Mapped", "Rule", "RuleSet", "Support", "TripleTemplate", "load_rules", "map_records"]
