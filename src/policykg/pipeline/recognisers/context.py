"""The shared per-document context the recognisers read and write, and its indexed look-ups.

Door: :class:`Context` — one per document, built by :func:`policykg.pipeline.extract.extract` and handed
to each recogniser in turn. It holds

* what is being read: the document, the lexicon, the IRI of the source (the policy update);
* what has been found: :attr:`~Context.entities` (IRI -> record), :attr:`~Context.records`
  (facts, in the order found), :attr:`~Context.new` (entities the lexicon does not know),
  :attr:`~Context.warnings`;
* the names this text gives: abbreviations it defines (and those it defines twice), the names
  minted per kind (:class:`~policykg.pipeline.recognisers.indexes.NameIndex`), the documents it names
  (:class:`NamedDocument`) and their mentions in order of position (:class:`DocumentMentions`);
* the state one recogniser leaves for another: the document that holds the measures
  (:attr:`~Context.holder`), the document whose issuing was reported last
  (:attr:`~Context.last_issued`), the trial periods waiting for their start
  (:attr:`~Context.pending_trials`), the heading that names each category
  (:attr:`~Context.categories`).

Every look-up is an index, not a pass over what was found: an entity by name and short form
(:meth:`~Context.known_agency`, :meth:`~Context.local_matches`), a document by name or lexicon
row (:meth:`~Context.document_named`), documents by position (:meth:`~Context.documents_in`,
:meth:`~Context.document_before`, :meth:`~Context.last_document_before`,
:meth:`~Context.last_with_head`), issue dates by document (:meth:`~Context.issue_date`,
:attr:`~Context.issue_dates`), containment by child (:meth:`~Context.parents`), the footnote at
an offset and the sentence of its marker (:meth:`~Context.footnote_at`,
:meth:`~Context.marker_sentence`). Records are added through :meth:`~Context.fact` (or
:meth:`~Context.add`), which keeps the indexes of records up to date.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ...document import Block, Document
from ...textutil import View, block_view, normalise, sentences
from ..lexicon import Entry, Lexicon
from .heads import class_by_head, document_head
from .indexes import Coverage, NameIndex
from .iris import DEFAULT_CLASS, ID, KIND_PATH, policy_update_iri, safe_slug
from .records import Evidence, Mention, NewEntity, Record, record


@dataclass
class NamedDocument:
    """A document entity found in the text."""

    iri: str
    cls: str
    short: str  # the name as first written
    label: str
    alt: set[str] = field(default_factory=set)
    lexicon: Entry | None = None
    evidence: Evidence | None = None


def _mention_start(mention: tuple[int, int, object]) -> int:
    return mention[0]


class DocumentMentions:
    """Where the text names its documents: ``(start, end, document)`` ordered by start (a new
    mention goes after those that start where it does), none starting inside one recorded
    before. What the mentions cover is kept as disjoint ranges beside them, so that both the
    test and the insertion are bisections, not a pass over every mention. :attr:`version`
    changes with every change, for the indexes built on the mentions."""

    def __init__(self, source: str = "") -> None:
        self.items: list[tuple[int, int, NamedDocument]] = []
        self.covered = Coverage()
        self.version = 0
        self.source = source  # the update's IRI: no pronoun stands for it
        #: the mentions a pronoun can stand for (not a law, not the update), ordered like items
        self.referable: list[tuple[int, int, NamedDocument]] = []

    def __iter__(self) -> Iterator[tuple[int, int, NamedDocument]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, start: int, end: int, d: NamedDocument) -> None:
        """Record a mention of ``d``, unless it starts inside one recorded before."""
        if self.covered.covers(start):
            return
        bisect.insort_right(self.items, (start, end, d), key=_mention_start)
        if d.iri != self.source and d.cls != "Law":
            bisect.insort_right(self.referable, (start, end, d), key=_mention_start)
        self.covered.add(start, end)
        self.version += 1

    def last_referable_before(self, offset: int) -> NamedDocument | None:
        """The document of the last mention before ``offset`` that a pronoun can stand for."""
        i = bisect.bisect_left(self.referable, offset, key=_mention_start) - 1
        return self.referable[i][2] if i >= 0 else None

    def last_referables_before(self, offset: int, n: int, window: int = 50) -> list[NamedDocument]:
        """The last ``n`` distinct documents a pronoun can stand for named before ``offset``,
        the last first (fewer when the ``window`` mentions before name fewer)."""
        i = bisect.bisect_left(self.referable, offset, key=_mention_start) - 1
        found: list[NamedDocument] = []
        for _, _, d in reversed(self.referable[max(0, i + 1 - window):i + 1]):
            if d not in found:
                found.append(d)
                if len(found) == n:
                    break
        return found

    def remove(self, d: NamedDocument) -> None:
        """Forget every mention of ``d``."""
        self.items = [m for m in self.items if m[2] is not d]
        self.referable = [m for m in self.referable if m[2] is not d]
        self.covered = Coverage()
        for s, e, _ in self.items:
            self.covered.add(s, e)
        self.version += 1

    def reassign(self, d: NamedDocument, other: NamedDocument) -> None:
        """Every mention of ``d`` is one of ``other``."""
        self.items = [(s, e, other if x is d else x) for s, e, x in self.items]
        self.referable = [(s, e, other if x is d else x) for s, e, x in self.referable]
        self.version += 1

    def within(self, start: int, end: int) -> list[tuple[int, int, NamedDocument]]:
        """The mentions that start in ``[start, end)``."""
        lo = bisect.bisect_left(self.items, start, key=_mention_start)
        hi = bisect.bisect_left(self.items, end, lo, key=_mention_start)
        return self.items[lo:hi]

    def count_before(self, offset: int) -> int:
        """How many mentions start before ``offset``."""
        return bisect.bisect_left(self.items, offset, key=_mention_start)


def quote(text: str, limit: int = 160) -> str:
    """A sentence as a warning quotes it: in quotes, cut at ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


#: A negation just before a verb: "does not cite", "do not implement", "never referred to",
#: "has not issued".
NEGATED = re.compile(r"\b(?:not|never|no\s+longer|without|neither|nor)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
#: A negation right after a verb: "cite neither the Civil Code nor ...", "refer to none of",
#: "has issued no rules".
_NEGATED_AFTER = re.compile(r"\s+(?:\w+\s+)?(?:neither|none\s+of|no)\b", re.IGNORECASE)


def denied(text: str, verb: re.Match[str], sentence_start: int) -> bool:
    """True when the sentence says the verb's act did not happen ("MIIT has issued no rules
    under the PIPL", "the Measures do not cite the Civil Code")."""
    return bool(NEGATED.search(text[max(sentence_start, verb.start() - 40):verb.start()])
                or _NEGATED_AFTER.match(text, verb.end()))


class Context:
    """What the recognisers know of one document, and the look-ups they share.

    ``make_evidence`` makes the :class:`Evidence` of a span (:func:`policykg.pipeline.extract.extract`
    passes the ``Evidence`` its module names, so that what that name holds is what makes it).
    """

    def __init__(self, doc: Document, lexicon: Lexicon, *,
                 make_evidence: Callable[..., Evidence] = Evidence) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.source = policy_update_iri(doc)
        self.make_evidence = make_evidence
        # what has been found
        self.records: list[Record] = []
        self.new: dict[str, NewEntity] = {}
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        #: indexes a recogniser builds once and keeps up to date (by name: "short-forms")
        self.cache: dict[str, object] = {}
        self.entities: dict[str, Record] = {}
        # the names the text gives
        self.abbreviations: dict[str, tuple[str, str]] = {}  # ABBR -> (iri, full name)
        self.conflicting: set[str] = set()  # abbreviations defined for two names
        self.local: dict[str, NameIndex] = {}  # kind -> normalised name -> IRI (minted here)
        self.documents: list[NamedDocument] = []
        self.mentions = DocumentMentions(self.source)
        self.document_names: dict[str, str] = {}  # document IRI minted here -> its normalised label
        # what one recogniser leaves for another
        self.holder: NamedDocument | None = None  # the document the first run of measures belongs to
        #: each run of measures' holder: (offset of the run's first article, the document), in order
        self.holders: list[tuple[int, NamedDocument]] = []
        self.last_issued: NamedDocument | None = None  # the document whose issuing the text reported last
        self.last_issued_at = 0  # where the sentence that reported it ends
        #: trial periods waiting for their start: (match, document, evidence, explicit start, the
        #: document whose date they count from when not their own, the event: issue, publication
        #: or effect)
        self.pending_trials: list[tuple[re.Match[str], NamedDocument, Evidence, dt.date | None,
                                        NamedDocument | None, str]] = []
        #: (document IRI, "publication" | "effect") -> the day the text gives for it (None: two days)
        self.event_dates: dict[tuple[str, str], dt.date | None] = {}
        #: trial periods from the issue date of a document to a day written ("The pilots run from
        #: the date of the notice until 31 December 2026"): (notice, evidence, counted from, last day)
        self.pending_spans: list[tuple[NamedDocument, Evidence, NamedDocument, dt.date]] = []
        self.categories: dict[str, Evidence] = {}  # category IRI -> its first heading
        self.stated_counts: set[int] = set()  # the pilot-area counts stated so far
        self.last_guidance: list[str] = []  # the agencies that guide the measure read last
        self.named_issuers: set[str] = set()  # documents whose names were read for their issuers
        self.party_bodies: set[str] = set()  # the Party's bodies named (and warned of) so far
        # indexes
        self.issue_dates: dict[str, list[Record]] = {}  # document IRI -> its issue_date records, in order
        self.issuers: dict[str, list[str]] = {}  # document IRI -> the agencies said to issue it, in order
        self._parents: dict[object, set[object]] = {}  # child IRI -> parents (containment records)
        self._evidence: dict[tuple[int, int], Evidence] = {}
        self._documents_index: tuple[int, dict[str, int], dict[int, int]] | None = None
        self._by_head: tuple[int, dict[str, list[tuple[int, NamedDocument]]]] | None = None
        self._sentences_of: tuple[View, list[int], list[tuple[int, int]]] | None = None
        self._block_starts: list[int] | None = None
        self._first_markers: dict[str, tuple[Block, object]] | None = None
        self._sentence_starts: dict[int, list[int]] = {}  # block start -> its sentences' starts

    # ------------------------------------------------------------------ evidence, warnings, facts

    def evidence(self, start: int, end: int) -> Evidence:
        """The evidence of ``text[start:end]``, its surrounding white space dropped."""
        # The same span asked for again (a sentence that names 10,000 agencies is the evidence
        # of each) is the same Evidence: its text is copied, hashed and compared once, not once
        # per fact.
        known = self._evidence.get((start, end))
        if known is not None:
            return known
        s, e = start, end
        while start < end and self.doc.text[start].isspace():
            start += 1
        while end > start and self.doc.text[end - 1].isspace():
            end -= 1
        made = self._evidence[(s, e)] = self.make_evidence(self.source, start, end, self.doc.text[start:end],
                                                           self.doc.line_of(start))
        return made

    def warn(self, line: int, message: str) -> None:
        warning = f"{self.doc.path}:{line}: {message}"
        if warning not in self._warned:  # (one sentence read twice, by two recognisers: said once)
            self._warned.add(warning)
            self.warnings.append(warning)

    def fact(self, kind: str, evidence: Evidence | None, **fields: object) -> None:
        self.add(record(kind, evidence, **fields))

    def add(self, rec: Record) -> None:
        """Add a record, and to the indexes of records."""
        self.records.append(rec)
        if rec.kind == "containment":
            self._parents.setdefault(rec.get("child"), set()).add(rec.get("parent"))
        elif rec.kind == "issue_date":
            self.issue_dates.setdefault(str(rec.get("document")), []).append(rec)
        elif rec.kind == "issuance":
            issuers = self.issuers.setdefault(str(rec.get("document")), [])
            if rec.get("agency") not in issuers:
                issuers.append(str(rec.get("agency")))

    def drop(self, ids: set[int]) -> None:
        """Drop the records of these ``id()`` s (issue dates that lost to another)."""
        self.records = [r for r in self.records if id(r) not in ids]
        self._reindex()

    def rewrite(self, remap: Callable[[object], object]) -> None:
        """Every IRI ``remap`` changes, changed: in entities, records, new entities, the
        documents named and warnings (``<IRI>``)."""

        def rewrite(rec: Record) -> Record:
            return Record(rec.kind, tuple((k, remap(v)) for k, v in rec.fields), rec.evidence, rec.lexicon)

        self.entities = {str(remap(iri)): rewrite(rec) for iri, rec in self.entities.items()}
        self.records = [rewrite(rec) for rec in self.records]
        self.new = {str(remap(iri)): NewEntity(n.kind, str(remap(n.iri)), n.label, n.line) for iri, n in self.new.items()}
        for d in self.documents:
            d.iri = str(remap(d.iri))
        self.warnings = [re.sub(r"<([^<>\s]+)>", lambda m: f"<{remap(m.group(1))}>", w) for w in self.warnings]
        self._reindex()

    def _reindex(self) -> None:
        self.issue_dates, self._parents = {}, {}
        records, self.records = self.records, []
        for rec in records:
            self.add(rec)

    def issue_date(self, document: str) -> dt.date | None:
        """The date of the last issue date the records give ``document``."""
        dates = self.issue_dates.get(document)
        return dates[-1].get("date") if dates else None  # type: ignore[return-value]

    def parents(self, child: str) -> set[str]:
        """The parents the containment records so far give ``child``."""
        return set(self._parents.get(child, ()))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ entities

    def entity_from_lexicon(self, entry: Entry) -> str:
        """The IRI of the lexicon's ``entry``, its entity added the first time."""
        if entry.iri not in self.entities:
            cls = entry.type or DEFAULT_CLASS[entry.kind]
            alt = tuple(sorted(set(entry.aliases) | set(entry.abbreviations)))
            # names and type come from the lexicon row, not from the words that mention it
            self.entities[entry.iri] = record(entry.kind, None, entry, iri=entry.iri, cls=cls,
                                              label=entry.name_en, label_zh=entry.name_zh, alt=alt)
            self._lexicon_context(entry)
        return entry.iri

    def _lexicon_context(self, entry: Entry) -> None:
        """Facts the lexicon adds about an entity: where it lies, what a region includes."""
        if entry.located_in:
            parent = self.lexicon.get("area", entry.located_in)
            if parent is not None:
                self.entity_from_lexicon(parent)
                self.add(record("containment", None, entry, child=entry.iri, parent=parent.iri))
        for area_id in entry.includes:
            area = self.lexicon.get("area", area_id)
            if area is not None:
                self.entity_from_lexicon(area)
                self.add(record("inclusion", None, entry, region=entry.iri, area=area.iri))

    def mint(self, kind: str, name: str, evidence: Evidence, *, slug: str | None = None,
             cls: str | None = None, alt: Iterable[str] = ()) -> str:
        """The IRI of an entity the lexicon does not know, minted from its name (once)."""
        iri = f"{ID}{KIND_PATH[kind]}/{slug or safe_slug(name)}"
        if self.taken(kind, iri, name):
            # another name has this IRI (the lexicon's Beijing for "Béijing"; two documents
            # alike in their first words): never share it, say so
            digest = hashlib.sha256(normalise(name).casefold().encode("utf-8")).hexdigest()[:8]
            other = iri
            iri = f"{iri}-{digest}"
            if iri not in self.entities:
                self.warn(evidence.line, f"the name {name!r} would take the IRI <{other}> of another "
                                         f"entity; minted <{iri}> instead")
        if iri not in self.entities:
            self.entities[iri] = record(kind, evidence, iri=iri,
                                        cls=cls or class_by_head(kind, name) or DEFAULT_CLASS[kind],
                                        label=name, alt=tuple(sorted(set(alt) - {name})) or None)
            self.new[iri] = NewEntity(kind, iri, name, evidence.line)
        names = self.local.get(kind)
        if names is None:
            names = self.local[kind] = NameIndex({})
        for alias in (name, *(a for a in alt if not a.isupper())):  # abbreviations: case matters
            names.setdefault(normalise(alias).casefold(), iri)
        return iri

    def alias(self, kind: str, name: str, iri: str) -> None:
        """``name`` stands for the entity ``iri`` in this text ("below: the Big Data
        Administration"): found by :meth:`local_matches` from now on."""
        names = self.local.get(kind)
        if names is None:
            names = self.local[kind] = NameIndex({})
        names.setdefault(normalise(name).casefold(), iri)

    def taken(self, kind: str, iri: str, name: str) -> bool:
        """True when ``iri`` belongs to the lexicon or to an entity of another name."""
        segment = iri.rsplit("/", 1)[1]
        for k in (kind, *(("export_base",) if kind == "site" else ())):
            if k in ("agency", "area", "region", "export_base", "document", "category") and \
                    self.lexicon.get(k, segment) is not None:
                return True
        known = self.entities.get(iri)
        if known is None or known.lexicon is not None:
            return known is not None
        names = {normalise(str(known.get("label", ""))).casefold()}
        names |= {normalise(a).casefold() for a in (known.get("alt") or ())}
        return normalise(name).casefold() not in names

    def lexicon_matches(self, view: View, kinds: Iterable[str]) -> list[Mention]:
        """The lexicon's names of ``kinds`` in ``view.clean`` (original offsets)."""
        out = []
        for m in self.lexicon.find_all(view.clean, kinds):
            start, end = view.origin(m.start, m.end)
            out.append(Mention(m.entry.kind, m.entry.iri, start, end))
        return out

    def known_agency(self, name: str) -> bool:
        """Is ``name`` an agency: an abbreviation defined here, the lexicon's, or minted here?"""
        return (name in self.abbreviations or self.lexicon.lookup(name, ["agency"]) is not None
                or normalise(name).casefold() in self.local.get("agency", {}))

    def longest_local(self, kind: str) -> int:
        """The length of the longest name of ``kind`` minted here."""
        names = self.local.get(kind)
        return names.longest if names else 0

    def local_matches(self, kind: str, text: str) -> Iterator[tuple[int, int, str]]:
        """Where the names of ``kind`` minted in this text stand in ``text``: leftmost,
        longest, on word boundaries, case-insensitively."""
        names = self.local.get(kind)
        if names:
            yield from names.find(normalise(text))

    # ------------------------------------------------------------------ documents

    def document_named(self, key: str, entry: Entry | None) -> NamedDocument | None:
        """The first document found before whose name, as first written, normalises to
        ``key``, or that is the lexicon's ``entry``: by look-ups in an index of
        :attr:`documents` (extended with the documents added since the last call), not by
        comparing the name with every document's."""
        index = self._documents_index
        if index is None or index[0] > len(self.documents):
            index = (0, {}, {})
        done, by_name, by_entry = index
        for position in range(done, len(self.documents)):
            d = self.documents[position]
            by_name.setdefault(normalise(d.short).lower(), position)
            if d.lexicon is not None:
                by_entry.setdefault(id(d.lexicon), position)
        self._documents_index = (len(self.documents), by_name, by_entry)
        hits = [p for p in (by_name.get(key), by_entry.get(id(entry)) if entry is not None else None)
                if p is not None]
        return self.documents[min(hits)] if hits else None

    def forget_document(self, d: NamedDocument) -> None:
        """``d`` is no document (a table's layout label): drop it and its mentions."""
        self.documents = [x for x in self.documents if x is not d]
        self.mentions.remove(d)

    def documents_in(self, start: int, end: int) -> list[tuple[int, int, NamedDocument]]:
        """The mentions of documents that start in ``[start, end)``, in order."""
        return self.mentions.within(start, end)

    def document_before(self, offset: int, classes: Iterable[str] | None = None) -> NamedDocument | None:
        """The document of the last mention that starts before ``offset`` (of one of
        ``classes``): found from ``offset`` backwards."""
        classes = set(classes) if classes else None
        items = self.mentions.items
        for i in range(self.mentions.count_before(offset) - 1, -1, -1):
            d = items[i][2]
            if classes is None or d.cls in classes:
                return d
        return None

    def last_document_before(self, offset: int) -> NamedDocument | None:
        """The last document named before ``offset`` that a pronoun can stand for: not a law
        (laws are what documents build on), not the update itself."""
        return self.mentions.last_referable_before(offset)

    def last_documents_before(self, offset: int, n: int) -> list[NamedDocument]:
        """The last ``n`` documents a pronoun can stand for named before ``offset`` (see
        :meth:`last_document_before`; "Both are dated ...": the two named last)."""
        return self.mentions.last_referables_before(offset, n)

    def last_with_head(self, heads: Iterable[str], offset: int) -> NamedDocument | None:
        """The document named last before ``offset`` whose head word is one of ``heads``
        (case-folded); the update itself aside."""
        cached = self._by_head
        if cached is None or cached[0] != self.mentions.version:
            by_head: dict[str, list[tuple[int, NamedDocument]]] = {}  # head word -> its mentions, in order
            for st, _, d in self.mentions:
                if d.iri != self.source:
                    by_head.setdefault((document_head(d.label) or "").casefold(), []).append((st, d))
            cached = self._by_head = (self.mentions.version, by_head)
        target = None
        for key in heads:
            found = cached[1].get(key, [])
            i = bisect.bisect_left(found, offset, key=lambda m: m[0]) - 1
            if i >= 0 and (target is None or found[i][0] > target[0]):
                target = found[i]
        return target[1] if target else None

    def holder_at(self, offset: int) -> NamedDocument | None:
        """The document that holds the measure at ``offset`` (see :attr:`holders`)."""
        i = bisect.bisect_right(self.holders, offset, key=lambda h: h[0]) - 1
        return self.holders[i][1] if i >= 0 else None

    def main_document(self) -> NamedDocument | None:
        """The document the update is about: the one that holds its measures, else the first
        it names that is not a law."""
        if self.holder is not None:
            return self.holder
        return next((d for _, _, d in self.mentions if d.cls != "Law" and d.iri != self.source), None)

    def without_documents(self, view: View, s: int, e: int) -> str:
        """``view.clean[s:e]`` with the names of documents blanked out (same length)."""
        chars = list(view.clean[s:e])
        o_start, o_end = view.origin(s, e)
        for start, end, _ in self.documents_in(o_start, o_end):
            lo = bisect.bisect_left(view.offsets, start, s, e) - s
            hi = bisect.bisect_left(view.offsets, end, s, e) - s
            chars[max(0, lo):max(0, hi)] = " " * (max(0, hi) - max(0, lo))
        return "".join(chars)

    # ------------------------------------------------------------------ the text's structure

    def sentence_at(self, view: View, at: int) -> str:
        """The sentence of ``view.clean`` that holds offset ``at`` (the whole view if none):
        the sentences of the last view asked about are kept, so that a paragraph of many
        sentences is split once, not once per warning."""
        cached = self._sentences_of
        if cached is None or cached[0] is not view:
            bounds = list(sentences(view))
            cached = self._sentences_of = (view, [a for a, _ in bounds], bounds)
        _, starts, bounds = cached
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and bounds[i][0] <= at < bounds[i][1]:
            return view.clean[bounds[i][0]:bounds[i][1]]
        return view.clean

    def footnote_at(self, offset: int) -> Block | None:
        """The footnote block that holds ``offset``, if any."""
        starts = self._block_starts
        if starts is None:
            starts = self._block_starts = [b.start for b in self.doc.blocks]
        i = bisect.bisect_right(starts, offset) - 1
        block = self.doc.blocks[i] if i >= 0 else None
        return block if block is not None and block.kind == "footnote" and offset <= block.end else None

    def marker_sentence(self, note: Block) -> tuple[int, int] | None:
        """(the first marker pointing to ``note``, the start of its sentence)."""
        first = self._first_markers
        if first is None:  # label -> (block, marker) of its first marker outside the footnotes
            first = self._first_markers = {}
            for block in self.doc.blocks:
                if block.kind != "footnote":
                    for marker in block.markers:
                        first.setdefault(marker.label, (block, marker))
        if note.footnote not in first:
            return None
        block, marker = first[note.footnote]
        starts = self._sentence_starts
        if block.start not in starts:
            view = block_view(self.doc, block)
            starts[block.start] = [view.origin(s, e)[0] for s, e in sentences(view)] or [block.start]
        i = bisect.bisect_right(starts[block.start], marker.start) - 1  # type: ignore[attr-defined]
        return marker.start, starts[block.start][max(i, 0)]  # type: ignore[attr-defined]


__all__ = ["Context", "DocumentMentions", "NamedDocument", "quote"]
