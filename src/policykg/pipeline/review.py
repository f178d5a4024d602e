"""What a person should look at after a build, each with its sentence and a curation entry.

Doors: :func:`collect_review` (at build time, on the curated graph: the build publishes it as
``review.json``) and :func:`load_review` (a published build's, for ``policykg review`` and the
server's ``/review`` page); :meth:`Review.to_markdown`, :meth:`Review.to_csv` and
:meth:`Review.to_json` write it.

Every item names what to check, the sentence of the source it comes from, and a curation entry
ready to paste into ``mappings/curation/*.toml`` (mappings/README.md): the kinds are

``unsure``
    a fact the extractor left out because the text was unsure (its warning): an ``[[assert]]``
    quoting the sentence, for the curator to complete;
``new-entity``
    an entity the lexicon does not know, minted from the text, with no Chinese name yet: a
    ``[[label]]`` for its Chinese name and other names (or a row of ``mappings/lexicon``);
``near-duplicate``
    two entities of one kind whose names are nearly the same, one of them new: a ``[[merge]]``;
``merged-by-name``
    entities the build merged because they share a name: a ``[[split]]`` if they differ;
``no-category``, ``no-agency``
    a measure with no category, or naming no agency: an ``[[assert]]`` with its sentence;
``stale-entry``
    a curation entry that no longer applies: where it is, to remove it.

The curator, date and reason of an entry are left for the curator (``curator = ""`` is refused
by the build, so an entry cannot go in unsigned); the date is the day the review is shown.
The order is fixed (kind, then file, line and text), so the same build gives the same review.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..names import ALT_LABEL, ID, LABEL, POL

if TYPE_CHECKING:
    from .curate import Curated
    from .extract import Extraction
    from .reconcile import Reconciled

REVIEW_FILE = "review.json"
TODAY = "TODAY"  # the date line of an entry in review.json; shown as the day the review is read

#: The kinds of item, in the order they are listed, with their headings.
KINDS: dict[str, str] = {
    "unsure": "Facts left out because the text was unsure",
    "no-agency": "Measures that name no agency",
    "no-category": "Measures without a category",
    "near-duplicate": "Near-duplicate names",
    "merged-by-name": "Entities merged because they share a name",
    "new-entity": "New entities (not in the lexicon)",
    "stale-entry": "Curation entries that no longer apply",
}
#: The kinds of minted entity, by the first segment of their IRI under ``id/``.
_ENTITY_KINDS = {"agency": "agency", "area": "area", "region": "region", "export-base": "export base",
                 "site": "site", "document": "document", "category": "category"}
_STOP = frozenset({"a", "an", "and", "the", "of", "for", "in", "on", "to", "at", "by", "with", "'s"})


@dataclass(frozen=True)
class ReviewItem:
    """One thing to check: what, where (the source and line), the sentence, and an entry."""

    kind: str
    message: str
    file: str  # the source document as given to the build, or the curation file
    line: int | None
    sentence: str  # the sentence of the source it comes from ("" when there is none)
    entry: str  # a curation entry to paste (TOML), with ``date = TODAY``
    subject: str = ""  # the IRI it is about, when there is one

    def entry_on(self, day: dt.date) -> str:
        """The entry with today's (or ``day``'s) date."""
        return self.entry.replace(f"date = {TODAY}", f"date = {day.isoformat()}")


@dataclass(frozen=True)
class Review:
    """The items of one build, in their fixed order."""

    items: tuple[ReviewItem, ...]

    def counts(self) -> dict[str, int]:
        counts = {k: 0 for k in KINDS}
        for item in self.items:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        return counts

    def by_kind(self) -> list[tuple[str, str, list[ReviewItem]]]:
        """(kind, heading, items) of every kind that has items, in :data:`KINDS` order."""
        groups: dict[str, list[ReviewItem]] = defaultdict(list)
        for item in self.items:
            groups[item.kind].append(item)
        return [(k, KINDS.get(k, k), groups[k]) for k in KINDS if groups.get(k)]

    def to_json(self) -> str:
        return json.dumps({"version": 1, "items": [asdict(i) for i in self.items]}, ensure_ascii=False,
                          indent=1, sort_keys=True) + "\n"

    def to_markdown(self, day: dt.date | None = None) -> str:
        """The review as Markdown: a section per kind, each item with its sentence and entry."""
        day = day or today()
        lines = ["# Review: what to check in this build", ""]
        if not self.items:
            return "\n".join(lines + ["Nothing to review: no warnings, no new entities.", ""])
        lines += ["| kind | items |", "|---|---:|"]
        lines += [f"| {heading} | {len(items)} |" for _, heading, items in self.by_kind()]
        lines += ["", ("Paste an entry into a file of `mappings/curation/` (see `mappings/README.md`), "
                       "fill in what is empty — `curator` and `reason` always — and build again."), ""]
        for _kind, heading, items in self.by_kind():
            lines += [f"## {heading} ({len(items)})", ""]
            for item in items:
                where = f"`{item.file}:{item.line}`" if item.line else (f"`{item.file}`" if item.file else "")
                lines.append(f"### {_md(item.message)}")
                lines.append("")
                if where:
                    lines += [f"In {where}:", ""]
                if item.sentence:
                    lines += [f"> {_md(item.sentence)}", ""]
                if item.entry:
                    lines += ["```toml", item.entry_on(day).rstrip(), "```", ""]
        return "\n".join(lines)

    def to_csv(self, day: dt.date | None = None) -> str:
        """The review as CSV (RFC 4180): kind, message, file, line, sentence, entry, subject."""
        day = day or today()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["kind", "message", "file", "line", "sentence", "entry", "subject"])
        for i in self.items:
            writer.writerow([i.kind, i.message, i.file, "" if i.line is None else i.line, i.sentence,
                             i.entry_on(day), i.subject])
        return out.getvalue()


def today() -> dt.date:
    """The day a review is shown (``SOURCE_DATE_EPOCH`` when set, as the build's dates)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", " ".join(text.split()))


# --------------------------------------------------------------------------- reading a build

def load_review(build: str | Path) -> Review:
    """The review a published build holds (``review.json``).

    Raises:
        InputError: the folder is no build, or its build has no readable review (one built
            before ``policykg review`` existed: build it again).
    """
    folder = Path(build)
    if not folder.is_dir():
        raise InputError("no build here" if not folder.exists() else "not a build folder", path=folder,
                         hint="give the folder of a build (`policykg build --out DIR`)")
    path = folder / REVIEW_FILE
    if not path.is_file():
        raise InputError(f"this build has no {REVIEW_FILE}", path=folder,
                         hint="it was built before reviews existed, or it is no build: run `policykg build` again")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        items = tuple(ReviewItem(**item) for item in doc["items"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read the build's review: {exc}", path=path,
                         hint="build it again with `policykg build`") from None
    return Review(items)


# --------------------------------------------------------------------------- the sentences

def sentence_at(text: str, line: int | None = None, start: int | None = None, limit: int = 600) -> str:
    """The sentence of ``text`` at character ``start`` (else the whole of line ``line``), on one
    line, without Markdown's bold markers, table pipes and list bullets."""
    if start is None:
        if not line or line < 1:
            return ""
        lines = text.splitlines()
        if line > len(lines):
            return ""
        chunk, offset = lines[line - 1], None
    else:
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        chunk, offset = text[begin:end if end >= 0 else len(text)], start - begin
    if offset is not None:
        # the sentence around the offset: from the last full stop before it to the next after it
        bounds = [0] + [m.end() for m in re.finditer(r"[.!?。；;][*_]*(?=\s)", chunk)] + [len(chunk)]
        for a, b in itertools.pairwise(bounds):
            if a <= offset < b or b == len(chunk):
                chunk = chunk[a:b]
                break
    chunk = chunk.replace("**", "").replace("__", "")
    chunk = re.sub(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|>\s*)", "", chunk)
    if chunk.strip().startswith("|"):
        chunk = " | ".join(c.strip() for c in chunk.strip().strip("|").split("|") if c.strip())
    chunk = " ".join(chunk.split())
    return chunk if len(chunk) <= limit else chunk[:limit - 1] + "…"


class _Sentences:
    """:func:`sentence_at` of a line of a document, read from the document's line index and
    remembered: a review asks for thousands of lines, often the same long one (a paragraph that
    names a hundred documents); splitting or cleaning the whole text for each would be
    quadratic."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, int], str] = {}

    def __call__(self, x: Extraction, line: int | None) -> str:
        if not line:
            return ""
        key = (x.source, line)
        if key not in self._known:
            self._known[key] = sentence_at(x.document.line(line), 1)
        return self._known[key]


# --------------------------------------------------------------------------- the entries

def _toml(text: str) -> str:
    """``text`` as a TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def _signature(reason: str = "") -> list[str]:
    return ['curator = ""   # your name', f"date = {TODAY}", f"reason = {_toml(reason)}"
            + ("" if reason else "   # why, in a sentence")]


def assert_entry(subject: str, prop: str, *, source: str, quote: str, obj: str = "") -> str:
    """An ``[[assert]]``; ``subject`` is TOML already (a string or an inline table), empty for
    the curator to fill in."""
    lines = ["[[assert]]",
             f"subject = {subject}" if subject else 'subject = ""   # what the sentence is about: an IRI, a CURIE or a label',
             f"property = {_toml(prop)}" if prop else 'property = ""   # e.g. "guided by", "issued on", "pilot area"',
             f"object = {_toml(obj)}" + ("" if obj else "   # the entity or value (a date: 2021-06-10, unquoted)"),
             f"source = {_toml(source)}", f"quote = {_toml(quote)}   # cut to the words that say so"]
    return "\n".join(lines + _signature()) + "\n"


def _ref_text(label: str | None, iri: str, within: str | None = None) -> str:
    if label and within:
        return f"{{ label = {_toml(label)}, in = {_toml(within)} }}"
    if label:
        return _toml(label)
    return _toml(iri)


# --------------------------------------------------------------------------- collecting

@dataclass
class _Facts:
    """What the review needs of the curated data graph, from one pass over its triples."""

    labels: dict[str, str]
    names: dict[str, set[str]]
    chinese: set[str]  # entities with a Chinese label
    measures: dict[str, tuple[str, int] | None]  # measure -> (source IRI, start) of its number
    tables: dict[str, str]  # measure -> the document it is part of
    guided: set[str]
    categorised: set[str]


def _facts(curated: Curated) -> _Facts:
    import pyoxigraph as ox

    labels: dict[str, str] = {}
    names: dict[str, set[str]] = defaultdict(set)
    chinese: set[str] = set()
    measures: dict[str, tuple[str, int] | None] = {}
    tables: dict[str, str] = {}
    guided: set[str] = set()
    categorised: set[str] = set()
    measure_ns = ID + "measure/"
    for t in curated.mapped.triples:
        s = t.subject.value
        if not s.startswith(ID):
            continue
        p = t.predicate.value
        o = t.object
        if p == LABEL and isinstance(o, ox.Literal):
            if (o.language or "en") == "en":
                labels.setdefault(s, o.value)
            elif o.language.startswith("zh"):
                chinese.add(s)
            names[s].add(o.value)
        elif p == ALT_LABEL and isinstance(o, ox.Literal):
            names[s].add(o.value)
        elif s.startswith(measure_ns):
            if p == POL + "articleNumber":
                support = next((x.evidence for x in curated.mapped.supports.get(t, ()) if x.evidence), None)
                measures[s] = (support.source, support.start) if support else None
            elif p == POL + "guidedBy":
                guided.add(s)
            elif p == POL + "inCategory":
                categorised.add(s)
            elif p == POL + "partOf" and isinstance(o, ox.NamedNode):
                tables[s] = o.value
    return _Facts(labels, names, chinese, measures, tables, guided, categorised)


def collect_review(extractions: Sequence[Extraction], reconciled: Reconciled, curated: Curated,
                   warnings: Iterable[str]) -> Review:
    """The review of a build: see the module docstring for the kinds of item."""
    docs = {x.document.path: x for x in extractions}
    by_source = {x.source: x for x in extractions}
    facts = _facts(curated)
    _sentence = _Sentences()
    items: list[ReviewItem] = []
    stale = set(curated.warnings)

    # -- warnings: unsure facts, and stale curation entries ----------------------------------------
    for warning in warnings:
        m = re.match(r"(.+?):(\d+): (.*)$", warning, re.DOTALL)
        if warning in stale:
            file, line, message = (m.group(1), int(m.group(2)), m.group(3)) if m else ("", None, warning)
            items.append(ReviewItem("stale-entry", message, file, line, "",
                                    f"# remove (or correct) the entry at {file}:{line}\n" if m else ""))
            continue
        if not m:
            items.append(ReviewItem("unsure", warning, "", None, "", ""))
            continue
        path, line, message = m.group(1), int(m.group(2)), m.group(3)
        x = docs.get(path)
        sentence = _sentence(x, line) if x else ""
        entry = assert_entry("", "", source=Path(path).name, quote=sentence) if sentence else ""
        items.append(ReviewItem("unsure", message, path, line, sentence, entry))

    # -- measures without agency or category -------------------------------------------------------
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for measure in facts.measures:
        counts[(facts.labels.get(measure, ""), facts.tables.get(measure, ""))] += 1
    for measure, where in sorted(facts.measures.items()):
        missing = [k for k, present in (("no-agency", measure in facts.guided),
                                        ("no-category", measure in facts.categorised)) if not present]
        if not missing:
            continue
        label = facts.labels.get(measure, measure.rsplit("/", 1)[-1])
        table = facts.tables.get(measure, "")
        table_label = facts.labels.get(table)
        unique = counts[(facts.labels.get(measure, ""), table)] == 1 and table_label
        ref = _ref_text(label, measure, table_label) if unique else _ref_text(None, measure)
        x = by_source.get(where[0]) if where else None
        path = x.document.path if x else ""
        line = x.document.line_of(where[1]) if x and where else None
        # the whole article: the words naming an agency or a category may be in any of its sentences
        sentence = _sentence(x, line) if x and line else ""
        of = f" of {table_label}" if table_label else ""
        for kind in missing:
            prop = "guided by" if kind == "no-agency" else "in category"
            what = "names no agency" if kind == "no-agency" else "has no category"
            entry = assert_entry(ref, prop, source=Path(path).name, quote=sentence) if sentence else ""
            items.append(ReviewItem(kind, f"{label}{of} {what}", path, line, sentence, entry, measure))

    # -- new entities, near-duplicates, merges by name --------------------------------------------
    minted: dict[str, tuple[str, int]] = {}  # IRI (after merges) -> (document path, line)
    rename = dict(reconciled.merged)
    rename.update(dict(curated.merged))
    for x in extractions:
        for n in x.new_entities:
            iri = rename.get(n.iri, n.iri)
            minted.setdefault(iri, (x.document.path, n.line))
            minted.setdefault(n.iri, (x.document.path, n.line))
    present = set(facts.labels)
    new_iris = [n.iri for n in reconciled.new_entities if n.iri in present]
    for iri in new_iris:
        if iri in facts.chinese:
            continue  # named in Chinese already (a curator's [[label]]): nothing left to ask
        label = facts.labels[iri]
        kind = _kind(iri)
        path, line = minted.get(iri, ("", None))
        x = docs.get(path)
        sentence = _sentence(x, line) if x and line else ""
        entry = "\n".join(["[[label]]", f"entity = {_toml(iri)}   # {label}",
                           'zh = ""   # its Chinese name', "alias = []   # other names, abbreviations",
                           *_signature()]) + "\n"
        items.append(ReviewItem("new-entity", f"new {kind}: {label} — add its Chinese name, or a row of "
                                              f"mappings/lexicon/ if it is a known one", path, line, sentence,
                                entry, iri))
    new_set = set(new_iris)
    for a, b in _near_duplicates(facts, new_iris):
        # keep the one the lexicon knows (or an earlier build had), else the shorter IRI
        keep = min((a, b), key=lambda i: (i in new_set, len(i), i))
        other = b if keep == a else a
        path, line = minted.get(other, minted.get(keep, ("", None)))
        x = docs.get(path)
        sentence = _sentence(x, line) if x and line else ""
        entry = "\n".join(["[[merge]]", f"keep = {_toml(keep)}   # {facts.labels.get(keep, '')}",
                           f"other = {_toml(other)}   # {facts.labels.get(other, '')}", *_signature()]) + "\n"
        items.append(ReviewItem("near-duplicate", f"{facts.labels.get(other)!r} and {facts.labels.get(keep)!r} "
                                                  f"may be one {_kind(keep)}", path, line, sentence, entry, other))
    for dropped, kept in reconciled.merged:
        name = facts.labels.get(kept, "")
        path, line = minted.get(dropped, ("", None))
        x = docs.get(path)
        sentence = _sentence(x, line) if x and line else ""
        entry = "\n".join(["[[split]]", f"name = {_toml(name)}", f"kind = {_toml(_record_kind(kept))}",
                           *_signature()]) + "\n" if name else ""
        items.append(ReviewItem("merged-by-name", f"<{dropped}> was merged into {name!r} <{kept}> by name; "
                                                  "if they are two, split them", path, line, sentence, entry, kept))

    order = list(KINDS)
    items.sort(key=lambda i: (order.index(i.kind) if i.kind in order else len(order), i.file, i.line or 0,
                              i.message, i.subject))
    return Review(tuple(items))


def _kind(iri: str) -> str:
    segment = iri[len(ID):].split("/", 1)[0] if iri.startswith(ID) else ""
    return _ENTITY_KINDS.get(segment, segment or "entity")


def _record_kind(iri: str) -> str:
    segment = iri[len(ID):].split("/", 1)[0] if iri.startswith(ID) else ""
    return {"export-base": "export_base"}.get(segment, segment)


def _tokens(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+|[^\W\d_]+", name.casefold()) if w not in _STOP}


#: How alike two names must be (difflib's ratio) to be near-duplicates.
SIMILAR = 0.88
#: A name more entities of a kind bear than this is generic ("Table", "the Notice").
GENERIC = 3


def _near_duplicates(facts: _Facts, new_iris: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of entities of one kind, one of them new, whose names are nearly the same: a name
    (label or alias) of one is a name of the other, or their labels have the same words, or
    differ in a letter or two (difflib's ratio at least :data:`SIMILAR`) with the same numbers.

    Shared names are found through an index of every name (a generic name that more than
    :data:`GENERIC` entities bear, such as "Table", is no sign of a duplicate); for the rest,
    only labels that share all their words but one with a new entity's are compared (an index
    of the labels' words; a word two hundred labels share does not count), difflib's cheap
    upper bounds first, so that a build of a thousand documents spends little here."""
    from .curate import name_key

    by_kind: dict[str, dict[str, str]] = defaultdict(dict)
    for iri, label in facts.labels.items():
        kind = _kind(iri)
        if kind in _ENTITY_KINDS.values():
            by_kind[kind][iri] = label
    pairs: set[tuple[str, str]] = set()
    for labels in by_kind.values():
        new = [i for i in new_iris if i in labels]
        if not new:
            continue
        by_name: dict[str, set[str]] = defaultdict(set)
        for iri, label in labels.items():
            for name in facts.names.get(iri, ()) | {label}:
                by_name[name_key(name)].add(iri)
        words = {iri: _tokens(label) for iri, label in labels.items()}
        index: dict[str, set[str]] = defaultdict(set)
        for iri, ws in words.items():
            for word in ws:
                index[word].add(iri)
        for iri in new:
            for name in facts.names.get(iri, ()) | {labels[iri]}:
                bearers = by_name[name_key(name)]
                if len(bearers) > GENERIC:
                    continue
                for other in bearers:
                    if other != iri:
                        pairs.add((iri, other) if iri < other else (other, iri))
            mine = words[iri]
            shared: dict[str, int] = defaultdict(int)
            for word in mine:
                if len(index[word]) <= 200:
                    for other in index[word]:
                        shared[other] += 1
            for other, count in shared.items():
                pair = (iri, other) if iri < other else (other, iri)
                if other == iri or pair in pairs or count < max(len(mine), len(words[other])) - 1:
                    continue
                if len(by_name[name_key(labels[other])]) > GENERIC or len(by_name[name_key(labels[iri])]) > GENERIC:
                    continue
                if _similar(labels[iri], labels[other], mine, words[other]):
                    pairs.add(pair)
    return sorted(pairs)


def _similar(a: str, b: str, words_a: set[str], words_b: set[str]) -> bool:
    """Two labels are one name: the same words, or a letter or two apart with the same numbers."""
    if words_a and words_a == words_b:
        return True
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False  # another edition, year or number
    matcher = difflib.SequenceMatcher(None, a.casefold(), b.casefold())
    return (matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR
            and matcher.ratio() >= SIMILAR)


__all__ = ["KINDS", "REVIEW_FILE", "Review", "ReviewItem", "collect_review", "load_review", "sentence_at", "today"]
