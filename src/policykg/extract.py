"""Stage 2: :class:`~policykg.document.Document` -> records (entities and facts, with spans).

Door: :func:`extract`. It finds the mentions of the genre — agencies ("Full Name (ABBR)", bold
abbreviations, names the lexicon knows), areas and regions (the lexicon, footnoted lists),
articles, dates, durations, stated counts, laws, documents (bold names, full names in
footnotes) and export bases — and the relations between them: who guides which article,
forerunner areas and the measures they apply to ("the two measures above"), the regions of an
article, who issued or co-released a document and when, which document refers to which law,
which is part of which.

Every record carries the :class:`Evidence` it comes from: a span of the source text whose
``exact`` equals ``doc.text[start:end]``. Entities the lexicon does not know get an IRI minted
from their name (see ``mappings/README.md``) and are listed in :attr:`Extraction.new_entities`.
Where the text leaves a fact unsure, the fact is left out and a warning says why.

Raises :class:`~policykg.errors.InputError` (file and line) for an abbreviation in an agency's
place that neither the text nor the lexicon defines.
"""
from __future__ import annotations

import bisect
import collections
import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .document import MONTH_PATTERN, MONTHS, Block, Document, Span
from .errors import InputError
from .lexicon import Entry, Lexicon
from .recognisers import documents as document_names
from .recognisers.automaton import TokenAutomaton
from .recognisers.responsibility import responsible_ranges
from .recognisers.heads import class_by_head, document_head, document_heads
from .textutil import NUMBER, View, block_view, capitalise, normalise, parse_number, sentences, \
    slugify, split_list

ID = "https://w3id.org/policykg/id/"
KIND_PATH = {"agency": "agency", "area": "area", "region": "region", "export_base": "export-base",
             "site": "site", "document": "document", "category": "category"}
CATEGORY_SCHEME = ID + "scheme/measure-categories"
#: The class of an entity when neither the lexicon nor its name says more.
DEFAULT_CLASS = {"agency": "GovernmentAgency", "area": "Area", "region": "Region",
                 "export_base": "ExportBase", "site": "DesignatedSite", "document": "PolicyDocument",
                 "category": "MeasureCategory"}


# ----------------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Evidence:
    """The words of a source that support a record: ``source_text[start:end] == exact``."""

    source: str  # IRI of the source document (the policy update)
    start: int
    end: int
    exact: str
    line: int


@dataclass(frozen=True)
class Record:
    """One extracted thing: an entity (``kind`` = ``agency``, ``area``, ...) or a fact
    (``guidance``, ``forerunner``, ...), its fields, and where it comes from.

    Field values are strings (IRIs start with ``https://``), ints, ``datetime.date`` or tuples
    of strings. ``evidence`` is the text span; ``lexicon`` the lexicon row for facts the text
    assumes rather than states.
    """

    kind: str
    fields: tuple[tuple[str, object], ...]
    evidence: Evidence | None = None
    lexicon: Entry | None = None

    def get(self, name: str, default: object = None) -> object:
        for key, value in self.fields:
            if key == name:
                return value
        return default

    @property
    def data(self) -> dict[str, object]:
        return dict(self.fields)


def record(kind: str, evidence: Evidence | None = None, lexicon: Entry | None = None,
           **fields: object) -> Record:
    return Record(kind, tuple(sorted((k, v) for k, v in fields.items() if v is not None)),
                  evidence, lexicon)


@dataclass(frozen=True)
class NewEntity:
    """An entity the lexicon does not know, minted from the text."""

    kind: str
    iri: str
    label: str
    line: int


@dataclass(frozen=True)
class Extraction:
    """What one document says: records, the entities minted for it, and warnings."""

    document: Document
    source: str  # IRI of the policy update
    records: tuple[Record, ...]
    new_entities: tuple[NewEntity, ...]
    warnings: tuple[str, ...]


# ---------------------------------------------------------------------------------- patterns

_CAP = r"[A-Z][\w'’\-]*"
_CONNECT = r"(?:of|and|for|the|on|in|&)"
_NAME = rf"{_CAP}(?:\s+(?:{_CONNECT}\s+)*{_CAP})*"
DEFINITION = re.compile(rf"(?P<name>{_NAME})\s*\((?P<abbr>[A-Z][A-Za-z0-9&]*[A-Z0-9])\)")
_NAME_RUN = re.compile(_NAME)
_ABBR_AFTER = re.compile(r"\s*\([A-Z][A-Za-z0-9&]*[A-Z0-9]\)")


def definitions(text: str) -> Iterator[re.Match[str]]:
    """The matches of :data:`DEFINITION` in ``text`` ("Full Name (ABBR)"), in linear time.

    ``DEFINITION.finditer`` tries every capital letter of a run of capitalised words as the
    start of the name and, where no "(ABBR)" follows, gives up only at the run's end: a
    paragraph of 5,000 "Ministry" took 5 s. Here each run of capitalised words is found
    once (a name is the whole run from its first word: later starts would end where it ends),
    and only a run that "(ABBR)" follows is matched. The matches are the same.
    """
    done = 0  # the end of the last definition: runs inside it ("(MIIT)") are not names
    for run in _NAME_RUN.finditer(text):
        if run.start() < done or not _ABBR_AFTER.match(text, run.end()):
            continue
        m = DEFINITION.match(text, run.start())
        if m is not None:
            done = m.end()
            yield m
ABBREVIATION = re.compile(r"(?<![\w'’-])[A-Z][A-Z0-9&]*[A-Z](?:s)?(?![\w'’-])")
_LEADING_ARTICLE = re.compile(r"(?:The|the|and|or)\s+")
_AND = re.compile(r"\s+(?:and|&)\s+")
_LEXICON_TOKEN = re.compile(r"\w+|[^\w\s]")  # a token as the lexicon compares names


@functools.lru_cache(maxsize=8)
def _longest_forms(lexicon: Lexicon, kind: str) -> int:
    """The most tokens a surface form of a ``kind`` entry of ``lexicon`` has."""
    return max((len(_LEXICON_TOKEN.findall(normalise(form))) for entry in lexicon.of_kind(kind)
                for form in entry.surface_forms), default=0)


class _Disjoint:
    """Disjoint spans, added in order of their starts: is a span free of them? (a bisection)"""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1  # the last span that starts before ``end``
        return i < 0 or self.ends[i] <= start


_NAME_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORDISH = re.compile(r"[\w'’-]")


class _NameIndex(dict):
    """The names of one kind minted in a text (normalised and case-folded -> IRI), with a
    trie of their tokens: finding them in a text of n tokens costs n look-ups (times the
    length of the names that match there), however many names there are. (A regular
    expression of every name, as before, was compiled again for every sentence.)"""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__()
        self.trie: dict = {}
        self.longest = 0
        for key, iri in names.items():
            self.setdefault(key, iri)

    def setdefault(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        if key not in self:
            self[key] = default
        return self[key]

    def __setitem__(self, key: str, value: str | None) -> None:
        if key not in self:
            node = self.trie
            for token in _NAME_TOKEN.findall(key):
                node = node.setdefault(token, {})
            node[None] = key
            self.longest = max(self.longest, len(key))
        super().__setitem__(key, value)

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, IRI) of the names in ``text`` (normalised): leftmost, longest, not
        inside a word (no letter, digit, apostrophe or hyphen on either side), whatever the case."""
        tokens = [(m.start(), m.end(), m.group().casefold()) for m in _NAME_TOKEN.finditer(text)]
        i = 0
        while i < len(tokens):
            start = tokens[i][0]
            if start and _WORDISH.match(text, start - 1):
                i += 1
                continue
            node = self.trie
            best = None
            j = i
            while j < len(tokens):
                node = node.get(tokens[j][2])
                if node is None:
                    break
                end = tokens[j][1]
                if None in node and not _WORDISH.match(text, end):
                    best = (j, end, node[None])
                j += 1
            if best is None:
                i += 1
                continue
            yield start, best[1], self[best[2]]
            i = best[0] + 1


_WORD_CHAR = re.compile(r"\w")


class _DocumentNames:
    r"""Where the names of documents stand in a text, found in one pass over its tokens.

    ``names`` are ``(name, document)`` pairs in order of priority. :meth:`find` gives what
    ``re.finditer(r"(?<!\w)NAME(?!\w)", text)`` gives for each name in turn (a name of one
    word as written, a longer one whatever the case), in that order: by name, then by position.
    One expression per name searched the whole text once per name: names x text.
    """

    def __init__(self, names: list[tuple[str, object]]) -> None:
        self.exact: TokenAutomaton[int] = TokenAutomaton()  # one-word names, case and all
        self.folded: TokenAutomaton[int] = TokenAutomaton()  # longer names, case-folded
        self.any_exact = self.any_folded = False
        for index, (name, _) in enumerate(names):
            if len(name.split()) > 1:
                self.folded.add(_NAME_TOKEN.findall(name.casefold()), index)
                self.any_folded = True
            elif name:
                self.exact.add(_NAME_TOKEN.findall(name), index)
                self.any_exact = True

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(index of the name, start, end) of each match, as the expressions find them."""
        tokens = [(m.start(), m.end()) for m in _NAME_TOKEN.finditer(text)]
        words = [text[s:e] for s, e in tokens]
        hits = []
        for automaton, used, seq in ((self.exact, self.any_exact, words),
                                     (self.folded, self.any_folded, [w.casefold() for w in words])):
            if not used:
                continue
            for first, last, index in automaton.occurrences(seq):
                start, end = tokens[first][0], tokens[last - 1][1]
                if (start and _WORD_CHAR.match(text, start - 1)) or _WORD_CHAR.match(text, end):
                    continue  # (?<!\w) ... (?!\w)
                hits.append((index, start, end))
        hits.sort()
        out: list[tuple[int, int, int]] = []
        for index, start, end in hits:  # each name's matches do not overlap, leftmost first
            if out and out[-1][0] == index and start < out[-1][2]:
                continue
            out.append((index, start, end))
        return out


def _mention_start(mention: tuple[int, int, object]) -> int:
    return mention[0]


class _Coverage:
    """The union of ranges added, as disjoint sorted ranges: does it cover an offset?"""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def covers(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]

    def add(self, start: int, end: int) -> None:
        if end <= start:
            return
        lo = bisect.bisect_left(self.ends, start)  # the first range that ends at or after start
        hi = bisect.bisect_right(self.starts, end)  # past the last range that starts by end
        if lo < hi:  # merge with the ranges it touches
            start, end = min(start, self.starts[lo]), max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [end]


class _HeadWords:
    """The words of a growing name that :func:`class_by_head` reads: the words before its
    first "of" (as many as the longest head word has) and its last words; so the class of
    "A and B and C and ..." is found from a few words however long the name grows."""

    def __init__(self) -> None:
        self.reach = _agency_head_reach()
        self.count = 0
        self.lead: list[str] | None = None  # the words before the first "of", and "of"
        self.tail: collections.deque[str] = collections.deque(maxlen=self.reach)

    def add(self, text: str) -> None:
        for word in normalise(text).split():
            if self.lead is None and word == "of" and self.count > 0:
                self.lead = [*self.tail, "of"]
                self.tail.clear()
            else:
                self.tail.append(word)
            self.count += 1

    def name(self) -> str:
        """A name of which class_by_head gives the same class as of the whole."""
        return " ".join([*(self.lead or ()), *self.tail])


@functools.cache
def _agency_head_reach() -> int:
    from .recognisers.heads import head_words

    return max((len(hw.head.split()) for hw in head_words() if hw.kind == "agency"), default=1)
ISSUE = re.compile(r"\b(?:(?:jointly\s+|co-?)?(?:issued|released|published|promulgated|unveiled|announced|adopted))\b",
                   re.IGNORECASE)
PASSIVE_BY = re.compile(r"\bby\s+(?:the\s+)?", re.IGNORECASE)
_MONTH = MONTH_PATTERN
DATE = re.compile(rf"\bon\s+(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?\s+"
                  rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)(?:,?\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE)
#: "... counted from 1 March 2024" right after a trial period: its first day.
_TRIAL_FROM = re.compile(rf",?\s*(?:\w+\s+){{0,6}}?(?:counted\s+|starting\s+|running\s+|beginning\s+)?from\s+"
                         rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{MONTH_PATTERN})\.?|(?P<m2>{MONTH_PATTERN})\.?\s+(?P<d2>\d{{1,2}}),?)"
                         rf"(?:\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE)
TRIAL = re.compile(rf"\btrial\s+period\s+of\s+(?P<n>{NUMBER})\s+(?P<unit>years?|months?)\b", re.IGNORECASE)
COUNT = re.compile(rf"\b(?P<n>{NUMBER})\s+(?:[\w/-]+\s+){{0,4}}?(?:provinces|cities|areas|regions|"
                   rf"municipalities|zones|districts|pilot\s+areas)\b", re.IGNORECASE)
FORERUNNER = re.compile(r"\b(?:forerunners?|pioneers?|examples?|first\s+movers?|frontrunners?|"
                        r"first\s+(?:piloted|tried(?:\s+out)?|tested|implemented|rolled\s+out)|"
                        r"(?:piloted|tried|tested)\s+first|"
                        r"take\s+the\s+lead)\b", re.IGNORECASE)
#: "Data Security Law (DSL)": a name with its abbreviation in brackets.
_NAME_AND_ABBREVIATION = re.compile(r"(.+?)\s*\(([A-Z][A-Za-z0-9&]*[A-Z0-9])\)")
#: A name that says whose document it is: "Notice of the State Council on ...".
_ISSUER_IN_NAME = re.compile(r"(?:the\s+)?(?P<head>(?:[A-Z][\w'’-]*\s+){0,3}?[A-Z][\w'’-]*)\s+of\s+(?:the\s+)?"
                             r"(?P<who>[A-Z].*?)\s+(?:on|for|regarding|concerning|about|to)\s+\S")
#: A measure named by its number in prose: "Action 3", "Articles 4 and 5", "measure (19)", "row 8"
#: (not "Article 22 of that law": another document's).
MEASURE_NUMBERS = re.compile(r"\b(?:Articles?|Arts?\.|Actions?|Measures?|Tasks?|Items?|Nos?\.|Rows?)\s*"
                             r"(?>\(?\d+\)?(?:\s*(?:,|and|&)\s*\(?\d+\)?)*)(?!\s+of\b)", re.IGNORECASE)
MEASURES_ABOVE = re.compile(rf"\bthe\s+(?:(?P<n>{NUMBER})\s+)?(?:measures?|articles?)\s+above\b|"
                            rf"\bthe\s+above(?:-mentioned)?\s+(?P<n2>{NUMBER}\s+)?(?P<what>measures?|articles?)\b",
                            re.IGNORECASE)
PARTS = re.compile(r"\b(?:entails?|includes?|contains?|comprises?|consists?\s+of|(?:is|are)\s+accompanied\s+by|"
                   r"attache[sd]?|annex(?:es|ed)?|comes?\s+with|has\s+(?:two|three|four)\s+parts)\b", re.IGNORECASE)
LIST_INTRO = re.compile(r"(?:\b(?:full\s+list|list)\s+(?:entails|includes|comprises|is|are|consists\s+of)|"
                        r"\b(?:are|include|includes|comprise|is)\s*:|"
                        r"\b(?:areas|zones|cities|provinces|regions)\s+(?:are|include|comprise)\s+(?:the\s+)?(?=[A-Z])|"
                        r":)\s*", re.IGNORECASE)
FULL_NAMES = re.compile(r"\bfull\s+names?\b", re.IGNORECASE)
ANAPHORA = re.compile(r"\b(?:the|this|that|such)\s+(?P<what>notice|circular|plan|table|list|law|batch)\b",
                      re.IGNORECASE)
REGION_WORDS = re.compile(r"\b(?:pilot|demonstration|experimental)\s+(?:areas?|zones?|cities|city|provinces?|"
                          r"regions?|municipalities)\b", re.IGNORECASE)


#: "Notice on Issuing the X", "Circular of the State Council on Printing and Distributing the X".
_ISSUING_NAME = re.compile(r"(?:Notice|Circular)\b.*?\bon\s+(?:Issuing|Printing\s+and\s+Distributing|Publishing|"
                           r"Releasing)\s+(?:the\s+)?(?P<part>.+)$", re.IGNORECASE)
#: A date right after a document's name: "of 7 July 2022", "(22 March 2024)", ", dated 1 June 2023".
_DATED = re.compile(rf"\s*(?:of|dated|,\s*dated|,\s*issued\s+on|\(|(?:is|was)\s+dated|\(\s*dated)\s*(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|"
                    rf"(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}),?)\s+(?P<y>\d{{4}})\b", re.IGNORECASE)
#: ", dated 1 June": a date without its year (the update's), only after "dated".
_DATED_THIS_YEAR = re.compile(rf"\s*(?:,\s*|\(\s*|(?:is|was)\s+)?dated\s+(?:on\s+)?(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|"
                              rf"(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}))(?P<y>)(?![\d,]*\s*\d{{4}})", re.IGNORECASE)
#: "The notice is dated 31 December 2023": a document named by its head word, and its date.
_DATED_ANAPHORA = re.compile(rf"\b[Tt]he\s+(?P<what>[A-Za-z]+)\s+(?:is|was|are|were)\s+dated\s+(?:on\s+)?"
                             rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}),?)"
                             rf"(?:\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE)
#: "the CAC's" right before a document's name: its issuer.
_POSSESSIVE = re.compile(r"(?P<who>(?:[A-Z][\w&\-]*\s+){0,8}[A-Z][\w&\-]*)['’]s\s+$")
#: Verbs by which one document refers to another ("replaces the 2020 Measures").
REFERS = re.compile(r"\b(?:replac(?:es|e|ing)|supersed(?:es|e)|repeal(?:s)?|amend(?:s)?|revis(?:es|e)|"
                    r"implement(?:s|ing)?|(?:is|are)\s+based\s+on|build(?:s)?\s+on|pursuant\s+to|"
                    r"in\s+accordance\s+with|refer(?:s)?\s+to|cit(?:es|e)|on\s+the\s+basis\s+of|"
                    r"within\s+the\s+framework\s+of)\b", re.IGNORECASE)
#: Right before an agency's name: the body it names is a part of that agency, or a class of
#: its parts ("the General Office of the", "relevant departments of the").
_PART_OF_BODY = re.compile(r"(?:\b(?:departments?|bodies|organs|ministries|agencies|offices|units|members|"
                           r"institutions|authorities)|(?-i:\b(?:General\s+)?(?:Office|Secretariat|Department|"
                           r"Bureau|Center|Centre|Committee|Research\s+Office)))\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_LOWER_WORD = re.compile(r"\b[a-z]+\b")
#: Right before a name given to a document already named: 'widely called the "Data 20 Measures"'.
_CALLED = re.compile(r"\b(?:called|known\s+as|referred\s+to\s+as|dubbed|nicknamed)\s+(?:the\s+)?[*_]*[“\"]?[*_]*$",
                     re.IGNORECASE)
#: "issued them", "issued it": the verb's object is a pronoun.
_PRONOUN_OBJECT = re.compile(r"\s+(?:it|them)\b", re.IGNORECASE)
#: "... jointly with the NDRC, the MOE and the MIIT": co-issuers after the verb.
_JOINTLY = re.compile(r"\b(?:jointly|together|along)\s+with\s+(?:the\s+)?", re.IGNORECASE)
#: A negation just before a verb: "does not cite", "do not implement", "never referred to".
_NEGATED = re.compile(r"\b(?:not|never|no\s+longer|without|neither|nor)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
#: Dates that another verb governs: not issue dates.
_OTHER_DATES = re.compile(rf"\b(?:effect(?:ive)?|force|made\s+public|publication|published|apply|applies|"
                          rf"expire[sd]?|until|comments?|approved)\b"
                          rf"[^.;]{{0,12}}?\b(?:on|from|by|in|as\s+of)\s+(?:(?:\d{{1,2}}\s+(?:{_MONTH})\.?)|"
                          rf"(?:{_MONTH})\.?\s+\d{{1,2}})(?:,?\s+\d{{4}})?", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    kind: str
    iri: str
    start: int  # original offsets
    end: int


# -------------------------------------------------------------------------------- extractor

def document_iri(slug: str) -> str:
    return f"{ID}document/{slug}"


def safe_slug(name: str, **options: object) -> str:
    """:func:`slugify`, or for a name with no ASCII letter or digit (a Chinese title) a slug
    made from the SHA-256 of the name: never an empty one, which would merge such names."""
    slug = slugify(name, **options)  # type: ignore[arg-type]
    if slug:
        return slug
    digest = hashlib.sha256(unicodedata.normalize("NFC", " ".join(name.split())).encode("utf-8")).hexdigest()
    return "x" + digest[:12]


#: Content words a document's slug keeps before the rest of its name is told by a hash.
DOCUMENT_SLUG_WORDS = 8
_YEAR_IN_NAME = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


def document_slug(name: str) -> str:
    """The slug of a document's whole name: its content words, lower case, ASCII.

    Two names with the same content words ("Measures on X", "measures for x.") are one name;
    any other two get two slugs: a name with letters or digits outside ASCII ("Ürümqi", a
    Chinese title), or with more than :data:`DOCUMENT_SLUG_WORDS` content words, ends with a
    hash of its whole name, so that no two names share a slug by what the slug leaves out."""
    clean = unicodedata.normalize("NFC", " ".join(normalise(name).split()))
    words = [w for w in slugify(clean, drop_stopwords=True).split("-") if w]
    outside = any(c.isalnum() and not c.isascii() for c in clean)
    if words and not outside and len(words) <= DOCUMENT_SLUG_WORDS:
        return "-".join(words)
    key = clean.casefold() if outside else " ".join(words)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return "-".join([*words[:DOCUMENT_SLUG_WORDS], digest[:8]]) if words else "x" + digest[:12]


def dated_document_slug(name: str, year: int | None) -> str:
    """A document's slug with its year, as ELI puts the year in a document's IRI: the year
    the text says it was issued (or the year its name gives, or the update's year); not
    repeated when the name has it ("Measures (2020)", "Action Plan (2024-2026)")."""
    slug = document_slug(name)
    if year is None or str(year) in slug.split("-"):
        return slug
    return f"{slug}-{year}"


def policy_update_iri(doc: Document) -> str:
    title = " ".join(View.of(doc.text, doc.title.start, doc.title.end, markup=doc.markup).clean.split())
    slug = document_slug(title)
    if doc.year and doc.month:
        slug += f"-{doc.year:04d}-{doc.month:02d}"
    return document_iri(slug)


@dataclass
class _Doc:
    """A document entity found in the text."""

    iri: str
    cls: str
    short: str  # the name as first written
    label: str
    alt: set[str] = field(default_factory=set)
    lexicon: Entry | None = None
    evidence: Evidence | None = None


class _Extractor:
    def __init__(self, doc: Document, lexicon: Lexicon) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.source = policy_update_iri(doc)
        self.records: list[Record] = []
        self.new: dict[str, NewEntity] = {}
        self.warnings: list[str] = []
        self.entities: dict[str, Record] = {}
        self.abbreviations: dict[str, tuple[str, str]] = {}  # ABBR -> (iri, full name)
        self.conflicting: set[str] = set()  # abbreviations defined for two names
        self.document_names: dict[str, str] = {}  # document IRI minted here -> its normalised label
        self.holder: _Doc | None = None  # the document the numbered measures belong to
        self.full_names_used: set[tuple[int, int]] = set()  # full names a short form took
        self.last_issued: _Doc | None = None  # the document whose issuing the text reported last
        self.documents: list[_Doc] = []
        self.doc_mentions: list[tuple[int, int, _Doc]] = []
        self.local: dict[str, dict[str, str]] = {}  # kind -> normalised name -> IRI (minted here)
        self.category_evidence: dict[str, Evidence] = {}  # category IRI -> its first heading
        self.pending_trials: list[tuple[re.Match[str], _Doc, Evidence, dt.date | None]] = []

    # ------------------------------------------------------------------ helpers

    def evidence(self, start: int, end: int) -> Evidence:
        # The same span asked for again (a sentence that names 10,000 agencies is the evidence
        # of each) is the same Evidence: its text is copied, hashed and compared once, not once
        # per fact.
        known = self.__dict__.setdefault("_evidence", {}).get((start, end))
        if known is not None:
            return known
        s, e = start, end
        while start < end and self.doc.text[start].isspace():
            start += 1
        while end > start and self.doc.text[end - 1].isspace():
            end -= 1
        made = self._evidence[(s, e)] = Evidence(self.source, start, end, self.doc.text[start:end],
                                                 self.doc.line_of(start))
        return made

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"{self.doc.path}:{line}: {message}")

    def fact(self, kind: str, evidence: Evidence | None, **fields: object) -> None:
        self.records.append(record(kind, evidence, **fields))

    def entity_from_lexicon(self, entry: Entry) -> str:
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
                self.records.append(record("containment", None, entry, child=entry.iri, parent=parent.iri))
        for area_id in entry.includes:
            area = self.lexicon.get("area", area_id)
            if area is not None:
                self.entity_from_lexicon(area)
                self.records.append(record("inclusion", None, entry, region=entry.iri, area=area.iri))

    def mint(self, kind: str, name: str, evidence: Evidence, *, slug: str | None = None,
             cls: str | None = None, alt: Iterable[str] = ()) -> str:
        iri = f"{ID}{KIND_PATH[kind]}/{slug or safe_slug(name)}"
        if self._taken(kind, iri, name):
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
        names = self.local.setdefault(kind, {})
        for alias in (name, *(a for a in alt if not a.isupper())):  # abbreviations: case matters
            names.setdefault(normalise(alias).casefold(), iri)
        return iri

    def _taken(self, kind: str, iri: str, name: str) -> bool:
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
        out = []
        for m in self.lexicon.find_all(view.clean, kinds):
            start, end = view.origin(m.start, m.end)
            out.append(Mention(m.entry.kind, m.entry.iri, start, end))
        return out

    # ------------------------------------------------------------------ documents

    def find_documents(self) -> None:
        """Documents: bold or italic names with a document head word, and lexicon documents."""
        doc = self.doc
        # the names: emphasis (bold, italic), and names the words give where no emphasis does
        candidates: list[tuple[str, int, int]] = []
        abbreviated: dict[str, str] = {}  # name -> the abbreviation written after it
        name_notes = []  # footnotes that give full names
        for block in doc.blocks:
            if block.kind in ("title", "dateline", "category", "preamble"):
                continue
            view = block_view(doc, block)
            if block.kind == "footnote" and FULL_NAMES.search(view.clean):
                name_notes.append((block, view))
                continue
            emphasis = block.bold + (block.italic if block.kind != "footnote" else ())
            spans = [(s.start, s.end) for s in emphasis]
            spans += document_names.name_spans(view, [(s.start, s.end) for s in block.bold + block.italic])
            for start, end in sorted(spans):
                name = " ".join(View.of(doc.text, start, end, markup=doc.markup).clean.split()).strip(" .,:;*")
                short = _NAME_AND_ABBREVIATION.fullmatch(name)
                if short:  # "Data Security Law (DSL)": the name, and its abbreviation beside it
                    name = short.group(1)
                    abbreviated[name] = short.group(2)
                candidates.append((name, start, end))
        # "a notice¹" where footnote ¹ gives full names: a document, named by its head word; and
        # "issued an official reply approving ...[^2]" where the note's full name is a "Reply ...":
        # the one lower-case head word of the marker's sentence that heads a name in the note
        note_heads = {b.footnote: {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", v.clean)}
                      for b, v in name_notes}
        heads = document_heads()
        taken = _Coverage()
        noted: set[tuple[int, int]] = set()  # head words a footnote's full name stands behind
        for _, s0, e0 in candidates:
            taken.add(s0, e0)
        for block in doc.blocks:
            markers = [m for m in block.markers if m.label in note_heads]
            if not markers:
                continue
            view = block_view(doc, block)
            for marker in markers:
                word = re.search(r"(?<![\w'’-])([a-z]+)$", doc.text[max(block.start, marker.start - 30):marker.start])
                if word and word.group(1) in heads:
                    spans = [(marker.start - len(word.group(1)), marker.start)]
                else:
                    at = bisect.bisect_left(view.offsets, marker.start)
                    sentence = next(((a, b) for a, b in sentences(view) if a <= at <= b), None)
                    if sentence is None:
                        continue
                    spans = [view.origin(w.start(), w.end())
                             for w in _LOWER_WORD.finditer(view.clean, sentence[0], sentence[1])
                             if w.group(0) in heads and w.group(0) in note_heads[marker.label]]
                    if len(spans) != 1:
                        continue  # none, or two head words: unsure which the note names
                start0, end0 = spans[0]
                if not taken.covers(start0):
                    candidates.append((doc.text[start0:end0], start0, end0))
                    noted.add((start0, end0))
                    taken.add(start0, end0)
        candidates.sort(key=lambda c: c[1])
        full_names: list[tuple[str, int, int]] = []
        shorts = [name for name, _, _ in candidates if class_by_head("document", name)]
        for block, view in name_notes:
            if block.italic:
                full_names += [(doc.slice(s), s.start, s.end) for s in block.italic]
            else:
                full_names += [(" ".join(View.of(doc.text, s, e, markup=doc.markup).clean.split()), s, e)
                               for s, e in document_names.full_names(view, shorts)]
        for name, start, end in candidates:
            cls = class_by_head("document", name)
            if cls is None and (start, end) in noted:  # "reply", which only a capital makes a head elsewhere
                cls = class_by_head("document", name.capitalize())
            entry = self.lexicon.lookup(name, ["document"])
            if entry is None and cls is None:
                continue
            self._add_document(name, cls, entry, start, end, full_names)
        for d in self.documents:
            if d.short in abbreviated and d.lexicon is None:
                d.alt.add(abbreviated[d.short])
        # a footnote of full names names documents of its own: those the text named by no
        # short form are documents all the same ("a notice¹ that contains ...")
        for name, start, end in full_names:
            if (start, end) in self.full_names_used:
                continue
            clean = " ".join(re.sub(r"\*+", "", name).split()).strip(" .,;:")
            cls = class_by_head("document", clean)
            entry = self.lexicon.lookup(clean, ["document"])
            if cls is None and entry is None:
                continue
            self._add_document(clean, cls, entry, start, end, [])
        # lexicon documents mentioned anywhere (laws named without bold)
        for block in doc.blocks:
            if block.kind in ("title", "dateline", "preamble"):
                continue
            view = block_view(doc, block)
            for m in self.lexicon_matches(view, ["document"]):
                entry = self.lexicon.get("document", m.iri.rsplit("/", 1)[1])
                self._add_document(doc.text[m.start:m.end], None, entry, m.start, m.end, full_names)
        # later plain mentions of the documents' names ("The Overall Plan generally proposes")
        # (a one-word name, "Table", only as written, capital and all; longer names in any case)
        names = sorted(((d.short, d) for d in self.documents), key=lambda x: -len(x[0]))
        finder = _DocumentNames(names)
        for block in doc.blocks:
            if block.kind in ("title", "dateline", "preamble"):
                continue
            view = block_view(doc, block)
            for index, lo, hi in finder.find(view.clean):
                start, end = view.origin(lo, hi)
                self._mention(start, end, names[index][1])

    def _add_document(self, name: str, cls: str | None, entry: Entry | None, start: int, end: int,
                      full_names: list[tuple[str, int, int]]) -> None:
        known = self._document_named(normalise(name).lower(), entry)
        if known is not None:
            self._mention(start, end, known)
            return
        if entry is None:
            named = self._named_in_parentheses(start)
            if named is None and _CALLED.search(self.doc.text[max(0, start - 40):start]):
                named = self._last_document_before(start)  # 'they are widely called the "Data 20 Measures"'
            if named is not None:  # "the Opinions ... (the “Data 20 Measures”, December 2022)"
                named.alt.add(name)
                self._mention(start, end, named)
                return
            known = self._short_form_of(name)
            if known is not None:  # "the Measures", "the 2020 Measures", "the Labelling Measures"
                known.alt.add(name)
                self._mention(start, end, known)
                return
            bare = normalise(name).strip().split()
            if len(bare) == 1 and not self._full_name(name, full_names) and \
                    sum((document_head(d.label) or "").casefold() == bare[0].casefold() for d in self.documents) > 1:
                # "the List" where the text has named two lists: unsure which, left out
                self.warn(self.doc.line_of(start), f"{name!r} may be any of the documents of that kind "
                                                   f"named before: left out")
                return
        evidence = self.evidence(start, end)
        if entry is not None:
            iri = self.entity_from_lexicon(entry)
            d = _Doc(iri, entry.type or "PolicyDocument", name, entry.name_en, lexicon=entry,
                     evidence=evidence)
        else:
            full = self._full_name(name, full_names)
            if full:
                self.full_names_used.add((full[1], full[2]))
            label = capitalise(full[0] if full else name)
            slug = document_slug(label)
            d = _Doc(self._reserve_document(document_iri(slug), label, evidence), cls or "PolicyDocument",
                     name, label, evidence=evidence)
            if full:
                d.alt.add(name)
                d.evidence = self.evidence(full[1], full[2])
        self.documents.append(d)
        self._mention(start, end, d)

    def _named_in_parentheses(self, start: int) -> _Doc | None:
        """The document named right before "(the “Short Name”" (or "(hereinafter “...”"), of
        which the name at ``start`` is a short form; else ``None``."""
        before = self.doc.text[max(0, start - 60):start]
        m = re.search(r"\(\s*(?:hereinafter(?:\s+referred\s+to\s+as)?\s+|or\s+)?(?:the\s+)?[*_]*[“\"]?[*_]*$", before)
        if not m:
            return None
        paren = start - (len(before) - m.start())
        i = bisect.bisect_left([s for s, _, _ in self.doc_mentions], paren) - 1
        if i < 0:
            return None
        s, e, d = self.doc_mentions[i]
        gap = self.doc.text[e:paren]
        return d if re.fullmatch(r"[\s*_”\"]*(?:\[\^?\w+\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)?[\s*_]*", gap) else None

    def _document_named(self, key: str, entry: Entry | None) -> _Doc | None:
        """The first document found before whose name, as first written, normalises to
        ``key``, or that is the lexicon's ``entry``: by look-ups in an index of
        :attr:`documents` (extended with the documents added since the last call), not by
        comparing the name with every document's."""
        index = self.__dict__.get("_documents_index")
        if index is None or index[0] > len(self.documents):
            index = self._documents_index = [0, {}, {}]
        by_name, by_entry = index[1], index[2]
        for position in range(index[0], len(self.documents)):
            d = self.documents[position]
            by_name.setdefault(normalise(d.short).lower(), position)
            if d.lexicon is not None:
                by_entry.setdefault(id(d.lexicon), position)
        index[0] = len(self.documents)
        hits = [p for p in (by_name.get(key), by_entry.get(id(entry)) if entry is not None else None)
                if p is not None]
        return self.documents[min(hits)] if hits else None

    def _short_form_of(self, name: str) -> _Doc | None:
        """The document a short form names: "Measures", "2020 Measures", "Labelling Measures"
        (at most three words, ending in a document head word) stand for the one document
        named before whose head is that word and whose name holds the other words (a year
        among them). ``None`` when no document or more than one fits (unsure)."""
        words = [w for w in re.findall(r"[\w'’-]+", normalise(name)) if w.lower() != "the"]
        if not words or len(words) > 3 or words[-1][:1].islower():
            return None
        head = words[-1].lower()
        if head not in document_heads():
            return None
        fits = []
        for d in self.documents:
            if (document_head(d.label) or "").lower() != head:
                continue
            text = normalise(d.label).lower()
            if all(re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", text) for w in words[:-1]):
                fits.append(d)
        return fits[0] if len(fits) == 1 else None

    def _reserve_document(self, iri: str, label: str, evidence: Evidence) -> str:
        """The IRI of a new document: ``iri``, unless the lexicon or another document of this
        text has it (two names alike in their first six words): then one of its own."""
        key = normalise(label).casefold()
        holder = self.document_names.get(iri)
        if (holder is not None and holder != key) or self._taken("document", iri, label) and holder is None \
                and iri in self.entities:
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
            self.warn(evidence.line, f"the document {label!r} would take the IRI <{iri}> of another "
                                     f"document; minted <{iri}-{digest}> instead")
            iri = f"{iri}-{digest}"
        elif self.lexicon.get("document", iri.rsplit("/", 1)[1]) is not None:
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
            self.warn(evidence.line, f"the document {label!r} would take the IRI <{iri}> of the "
                                     f"lexicon's document; minted <{iri}-{digest}> instead")
            iri = f"{iri}-{digest}"
        self.document_names.setdefault(iri, key)
        return iri

    @staticmethod
    def _full_name(short: str, full_names: list[tuple[str, int, int]]) -> tuple[str, int, int] | None:
        words = [w.lower() for w in re.findall(r"[\w']+", short)]
        head = (document_head(short) or "").casefold()
        fits = []
        for index, full in enumerate(full_names):
            fw = [w.lower() for w in re.findall(r"[\w']+", full[0])]
            if words and all(w in fw for w in words) and full[0].lower() != short.lower():
                # "Several Measures" is the full name headed "Measures", not the "Notice ... on
                # Issuing Several Measures ..." that holds the same words; then the shortest
                fits.append(((document_head(full[0]) or "").casefold() != head, len(fw), index, full))
        return min(fits)[3] if fits else None

    def _mention(self, start: int, end: int, d: _Doc) -> None:
        """Record a mention of ``d``, unless it starts inside one recorded before.

        :attr:`doc_mentions` stays ordered by start (a new mention goes after those that start
        where it does); what the mentions cover is kept as disjoint ranges beside it, so that
        both the test and the insertion are bisections, not a pass over every mention."""
        covered = self.__dict__.get("_covered")
        if covered is None:
            covered = self._covered = _Coverage()
            for s, e, _ in self.doc_mentions:
                covered.add(s, e)
        if covered.covers(start):
            return
        bisect.insort_right(self.doc_mentions, (start, end, d), key=_mention_start)
        covered.add(start, end)

    def documents_in(self, start: int, end: int) -> list[tuple[int, int, _Doc]]:
        lo = bisect.bisect_left(self.doc_mentions, start, key=_mention_start)
        hi = bisect.bisect_left(self.doc_mentions, end, lo, key=_mention_start)
        return self.doc_mentions[lo:hi]

    def document_before(self, offset: int, classes: Iterable[str] | None = None) -> _Doc | None:
        """The document of the last mention that starts before ``offset`` (of one of
        ``classes``): found from ``offset`` backwards."""
        classes = set(classes) if classes else None
        for i in range(bisect.bisect_left(self.doc_mentions, offset, key=_mention_start) - 1, -1, -1):
            d = self.doc_mentions[i][2]
            if classes is None or d.cls in classes:
                return d
        return None

    def emit_documents(self) -> None:
        for d in self.documents:
            if d.lexicon is not None:
                continue
            self.mint("document", d.label, d.evidence or self.evidence(0, 0),
                      slug=d.iri.rsplit("/", 1)[1], cls=d.cls, alt=d.alt)

    # ------------------------------------------------------------------ agencies

    def find_definitions(self) -> None:
        """"Full Name (ABBR)": the abbreviation is defined for this document."""
        for block in self.doc.blocks:
            view = block_view(self.doc, block)
            for m in definitions(view.clean):
                abbr = m.group("abbr")
                name, skip = self._trim_name(m.group("name"))
                entry = self.lexicon.lookup(name, ["agency"]) or self._same_agency(name, abbr)
                if entry is None and class_by_head("agency", name) is None:
                    continue  # not an agency (a law, a zone, ...)
                start, end = view.origin(m.start("name") + skip, m.end())
                evidence = self.evidence(start, end)
                if entry is not None:
                    iri = self.entity_from_lexicon(entry)
                else:
                    iri = self.mint("agency", name, evidence, slug=abbr.lower(), alt=(abbr,))
                known = self.abbreviations.get(abbr)
                if abbr in self.conflicting or (known is not None and known[0] != iri):
                    # "(CAC)" for two names: neither is a safe guess where "CAC" stands alone
                    if abbr not in self.conflicting:
                        self.warn(evidence.line, f"the abbreviation {abbr!r} is defined for "
                                                 f"{known[1]!r} and for {name!r}: where it stands "
                                                 f"alone it is left out")
                    self.conflicting.add(abbr)
                    self.abbreviations.pop(abbr, None)
                    continue
                self.abbreviations.setdefault(abbr, (iri, name))

    def _same_agency(self, name: str, abbr: str) -> Entry | None:
        """The lexicon's agency of abbreviation ``abbr`` if ``name`` is a way of writing its
        name (most of its words), else ``None``: "Civil Aviation Commission (CAC)" is not the
        lexicon's CAC."""
        entry = self.lexicon.lookup(abbr, ["agency"])
        if entry is None:
            return None
        words = {w for w in re.findall(r"[a-z]+", normalise(name).casefold()) if w not in ("of", "the", "and", "for")}
        for known in (entry.name_en, *entry.aliases):
            theirs = {w for w in re.findall(r"[a-z]+", normalise(known).casefold()) if w not in ("of", "the", "and", "for")}
            if theirs and len(words & theirs) * 2 >= len(theirs) + (len(words - theirs) > 2):
                return entry
        return None

    def _known_agency(self, name: str) -> bool:
        return (name in self.abbreviations or self.lexicon.lookup(name, ["agency"]) is not None
                or normalise(name).casefold() in self.local.get("agency", {}))

    def _trim_name(self, name: str) -> tuple[str, int]:
        """Drop a leading article and leading known agencies joined by "and": the name proper.

        Returns the name and how many characters were dropped from its start.
        """
        skip = 0
        joins: list[tuple[int, int]] | None = None  # the name's "and"s, found once
        tokens: list[int] = []  # where the name's tokens (as the lexicon counts them) start
        while True:
            m = _LEADING_ARTICLE.match(name, skip)
            if m:
                skip = m.end()
                continue
            if joins is None:
                joins = [j.span() for j in _AND.finditer(name)]
                tokens = [t.start() for t in _LEXICON_TOKEN.finditer(name)]
            # the longest known agency before an "and": "Ministry of Science and Technology and ..."
            # A known name has at most as many tokens as the lexicon's longest, or is no longer
            # than the longest name minted here, or is one word (an abbreviation): the "and"s
            # beyond are not looked at, so "A and A and A ..." costs the same for every "and".
            known = None
            first = bisect.bisect_left(tokens, skip)
            for j in range(bisect.bisect_left(joins, (skip, 0)), len(joins)):
                at, after = joins[j]
                if bisect.bisect_left(tokens, at) - first > self._longest_known_tokens() and \
                        at - skip > self._longest_local("agency"):
                    break  # no known name is that long (and it holds a space: not an abbreviation)
                if self._known_agency(name[skip:at]):
                    known = after
            if known is not None:
                skip = known
                continue
            return name[skip:], skip

    def _longest_known_tokens(self) -> int:
        """The most tokens a lexicon agency's name, alias or abbreviation has."""
        return _longest_forms(self.lexicon, "agency")

    def _longest_local(self, kind: str) -> int:
        names = self._local_index(kind)
        return names.longest if names else 0

    def _local_index(self, kind: str) -> _NameIndex | None:
        """``self.local[kind]`` as a :class:`_NameIndex` (indexed once; mint() adds to it)."""
        names = self.local.get(kind)
        if names and not isinstance(names, _NameIndex):
            names = self.local[kind] = _NameIndex(names)
        return names or None

    def _local_matches(self, kind: str, text: str) -> Iterator[tuple[int, int, str]]:
        """Where the names of ``kind`` minted in this text stand in ``text``: leftmost,
        longest, on word boundaries, case-insensitively."""
        names = self._local_index(kind)
        if names:
            yield from names.find(normalise(text))

    def agencies_in(self, view: View, lo: int, hi: int, *, strict: bool) -> list[Mention]:
        """Agencies mentioned in ``view.clean[lo:hi]``, in order; overlapping mentions: longest.

        Lexicon names and abbreviations, names and abbreviations this document defined, then
        capitalised phrases with an agency head word ("... Bureau of Statistics"). With
        ``strict``, an abbreviation that nothing defines is an error.
        """
        found: list[tuple[int, int, str]] = []  # offsets in view.clean
        sub = View(view.clean[lo:hi], view.offsets[lo:hi + 1])
        # the mentions found, disjoint and in order: those of names known before this
        # sentence, then the new names found in it (each list ordered, so a look-up is a
        # bisection, not a comparison with every mention found)
        known_spans = _Disjoint()
        new_spans = _Disjoint()

        def free(s: int, e: int) -> bool:
            return known_spans.free(s, e) and new_spans.free(s, e)

        candidates: list[tuple[int, int, str]] = []
        for m in self.lexicon.find_all(sub.clean, ["agency"]):
            surface = sub.clean[m.start:m.end]
            if surface in self.conflicting:
                continue  # defined for two names here: neither
            if surface in self.abbreviations and self.abbreviations[surface][0] != m.entry.iri:
                continue  # this text defines the abbreviation otherwise: the text wins
            candidates.append((lo + m.start, lo + m.end, m.entry.iri))
            self.entity_from_lexicon(m.entry)
        candidates += [(lo + s, lo + e, iri) for s, e, iri in self._local_matches("agency", sub.clean)]
        for m in ABBREVIATION.finditer(sub.clean):
            if m.group(0) in self.abbreviations:
                candidates.append((lo + m.start(), lo + m.end(), self.abbreviations[m.group(0)][0]))
        for s, e, iri in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]))):
            if _PART_OF_BODY.search(view.clean[max(0, s - 80):s]):
                # "the relevant departments of the State Council", "the General Office of the
                # State Council": another body (or a class of bodies), not the State Council
                continue
            if free(s, e):
                found.append((s, e, iri))
                known_spans.add(s, e)
        if strict:
            for m in ABBREVIATION.finditer(sub.clean):
                token = m.group(0)
                if free(lo + m.start(), lo + m.end()) and sum(c.isupper() for c in token) >= 2 \
                        and not self._known_agency(token):
                    # unsure: an agency nobody defines (or a standard's "GB"): left out, said so
                    start, _ = sub.origin(m.start(), m.end())
                    why = ("is defined for two names" if token in self.conflicting else
                           "is not defined in the text (\"Full Name (ABBR)\") nor known to the lexicon")
                    quote = self._sentence_at(view, lo + m.start())
                    quote = " ".join(quote.split())
                    self.warn(self.doc.line_of(start), f"abbreviation {token!r} {why}: left out of "
                                                       f"{_quote(quote)}")
        for m in re.finditer(_NAME, sub.clean):
            for s, e in self._agency_phrases(sub.clean, m.start(), m.end()):
                if not free(lo + s, lo + e) or _PART_OF_BODY.search(sub.clean[max(0, s - 80):s]):
                    continue
                name = sub.clean[s:e]
                iri = self.mint("agency", name, self.evidence(*sub.origin(s, e)))
                found.append((lo + s, lo + e, iri))
                new_spans.add(lo + s, lo + e)
        found.sort()
        return [Mention("agency", iri, *view.origin(s, e)) for s, e, iri in found]

    def _sentence_at(self, view: View, at: int) -> str:
        """The sentence of ``view.clean`` that holds offset ``at`` (the whole view if none):
        the sentences of the last view asked about are kept, so that a paragraph of many
        sentences is split once, not once per warning."""
        cached = getattr(self, "_sentences_of", None)
        if cached is None or cached[0] is not view:
            bounds = list(sentences(view))
            cached = self._sentences_of = (view, [a for a, _ in bounds], bounds)
        _, starts, bounds = cached
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and bounds[i][0] <= at < bounds[i][1]:
            return view.clean[bounds[i][0]:bounds[i][1]]
        return view.clean

    def _agency_phrases(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Agency names in a capitalised phrase, split where "and" joins two of them."""
        parts = []
        pos = start
        for m in re.finditer(r"\s+(?:and|&)\s+", text[start:end]):
            parts.append((pos, start + m.start()))
            pos = start + m.end()
        parts.append((pos, end))
        current: tuple[int, int] | None = None
        heads = _HeadWords()  # the words of text[current] that class_by_head reads
        for s, e in parts:
            if current is None:
                current = (s, e)
                heads.add(text[s:e])
            elif class_by_head("agency", heads.name()) is not None and \
                    (class_by_head("agency", text[s:e]) is not None or re.match(r"the\s", text[s:e])):
                # "X Commission and the Y ...": a whole name, then "and the" starts the next one
                yield from self._agency_name(text, *current)
                current = (s, e)
                heads = _HeadWords()
                heads.add(text[s:e])
            else:
                heads.add(text[current[1]:e])
                current = (current[0], e)
        if current is not None:
            yield from self._agency_name(text, *current)

    def _agency_name(self, text: str, s: int, e: int) -> Iterator[tuple[int, int]]:
        name, skip = self._trim_name(text[s:e])
        if len(name.split()) >= 2 and class_by_head("agency", name) is not None and \
                name.split()[0].lower() not in document_heads():
            # ("Provisions on the Administration of ...": a document's name, not an agency's)
            yield s + skip, e

    # ------------------------------------------------------------------ places

    def areas_in(self, view: View, lo: int = 0, hi: int | None = None) -> list[Mention]:
        """Areas in ``view.clean[lo:hi]``; "X, Y Province" with X in Y is one area (X)."""
        hi = len(view.clean) if hi is None else hi
        sub = View(view.clean[lo:hi], view.offsets[lo:hi + 1])
        matches = self.lexicon.find_all(sub.clean, ["area"])
        out: list[Mention] = []
        skip = set()
        for i, m in enumerate(matches):
            if i in skip:
                continue
            start, end = sub.origin(m.start, m.end)
            if i + 1 < len(matches):
                nxt = matches[i + 1]
                between = sub.clean[m.end:nxt.start]
                if re.fullmatch(r"\s*,\s*", between) and nxt.entry in self.lexicon.chain(m.entry):
                    # "Xiong'an New District, Hebei Province": one area, lying in the other
                    n_start, n_end = sub.origin(nxt.start, nxt.end)
                    evidence = self.evidence(start, n_end)
                    self.entity_from_lexicon(nxt.entry)
                    self.fact("containment", evidence, child=m.entry.iri, parent=nxt.entry.iri)
                    skip.add(i + 1)
                    end = n_end
            self.entity_from_lexicon(m.entry)
            out.append(Mention("area", m.entry.iri, start, end))
        for s, e, iri in self._local_matches("area", sub.clean):
            start, end = sub.origin(s, e)
            if not any(o.start < end and start < o.end for o in out):
                out.append(Mention("area", iri, start, end))
        return sorted(out, key=lambda m: m.start)

    def resolve_area_item(self, start: int, end: int) -> str | None:
        """One item of a list of areas: the lexicon's area, or a new area minted from the name."""
        text = self.doc.text
        item_view = View.of(text, start, end, markup=self.doc.markup)  # composed, no invisible characters
        item = item_view.clean
        paren_free = re.search(r"^(.*?)\s*(?:[(（]|$)", item)  # the name before any parenthesis
        main = re.sub(r"\s*[(（].*?[)）]\s*", " ", item).strip()
        evidence = self.evidence(start, end)
        entry = self.lexicon.lookup(main, ["area"])
        if entry is None:
            inner = self.lexicon.find_all(item, ["area"])
            whole = [m for m in inner if m.start == 0 or item[:m.start].strip() == ""]
            if whole and len(whole[0].surface) >= len(main) - 1:
                entry = whole[0].entry
        if entry is not None:
            iri = self.entity_from_lexicon(entry)
        elif main and main[0].isupper():
            lo = item.find(main.split()[0])
            hi = lo + len(main) if item[lo:lo + len(main)] == main else len(paren_free.group(1) if paren_free else item)
            iri = self.mint("area", main, self.evidence(*item_view.origin(lo, max(hi, lo + 1))))
        else:
            self.warn(self.doc.line_of(start), f"list item {item!r} is not an area; left out")
            return None
        # a parenthesis naming areas inside it: "Chongqing (21 municipal districts including Fuling District)"
        paren = re.search(r"[(（](.*?)[)）]", item)
        if paren:
            p_start = start + paren.start(1)
            view = View.of(text, p_start, start + paren.end(1), markup=self.doc.markup)
            inner = []
            for m in self.lexicon.find_all(view.clean, ["area"]):
                if m.entry.iri != iri:
                    self.entity_from_lexicon(m.entry)
                    inner.append((m.start, m.entry.iri))
            # "(including the Lin-gang Special Area)": a part the lexicon does not know
            for m in re.finditer(rf"\bincluding\s+(?:the\s+)?(?P<name>{_NAME})", view.clean):
                if not any(st == m.start("name") for st, _ in inner):
                    n_start, n_end = view.origin(m.start("name"), m.end("name"))
                    inner.append((m.start("name"), self.mint("area", m.group("name"),
                                                             self.evidence(n_start, n_end))))
            for _, child in inner:
                self.fact("containment", evidence, child=child, parent=iri)
        return iri

    # ------------------------------------------------------------------ dates

    def date_in(self, text: str) -> tuple[dt.date | None, re.Match[str] | None]:
        m = DATE.search(text)
        if not m:
            return None, None
        day = int(m.group("d1") or m.group("d2"))
        month = MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
        year = int(m.group("y")) if m.group("y") else self.doc.year
        if year is None:
            return None, m
        try:
            return dt.date(year, month, day), m
        except ValueError:
            return None, m

    # ------------------------------------------------------------------ the passes

    def run(self) -> Extraction:
        doc = self.doc
        title = doc.slice(doc.title).strip()
        update = record("document", self.evidence(doc.title.start, doc.title.end), iri=self.source,
                        cls="PolicyUpdate", label=title)
        self.entities[self.source] = update
        self.find_definitions()
        self.find_documents()
        self.find_holder()
        self.emit_documents()
        for d in self.documents:
            if d.iri != self.source:
                self.fact("report", d.evidence, update=self.source, document=d.iri)
        self.sentences_pass()
        self.issued_parts()
        self.articles_pass()
        self.lists_pass()
        self.category_scheme()
        self.settle_issue_dates()
        self.settle_trials()
        self.date_documents()
        records = list(self.entities.values()) + self.records
        return Extraction(doc, self.source, tuple(records),
                          tuple(sorted(self.new.values(), key=lambda n: n.iri)), tuple(self.warnings))

    def settle_issue_dates(self) -> None:
        """One issue date per document. Where the text gives two, the one it says the document
        is dated wins, then one it was issued, adopted or signed on, over one it was published,
        released or made public on ("released on 4 January ...; the notice is dated 31
        December 2023"); two dates of one rank are unsure: neither is kept, with a warning."""
        by_document: dict[str, list[Record]] = {}
        for rec in self.records:
            if rec.kind == "issue_date":
                by_document.setdefault(str(rec.get("document")), []).append(rec)
        drop: set[int] = set()
        for recs in by_document.values():
            if len({r.get("date") for r in recs}) < 2:
                continue
            ranked = sorted(recs, key=_issue_rank)
            best = [r for r in ranked if _issue_rank(r) == _issue_rank(ranked[0])]
            drop |= {id(r) for r in recs if r not in best}
            if len({r.get("date") for r in best}) > 1:
                drop |= {id(r) for r in best}
                quotes = "; ".join(_quote(" ".join(r.evidence.exact.split())) for r in best if r.evidence)
                self.warn(best[0].evidence.line if best[0].evidence else 1,
                          f"two issue dates for one document ({', '.join(sorted(str(r.get('date')) for r in best))}): "
                          f"neither kept — {quotes}")
        if drop:
            self.records = [r for r in self.records if id(r) not in drop]

    def date_documents(self) -> None:
        """Give each document minted here its year (see :func:`dated_document_slug`), in every
        record, new entity, measure IRI and warning: the year is known only once the text has
        been read (its issue date may come after the name)."""
        years: dict[str, int] = {}
        for rec in self.records:
            if rec.kind == "issue_date":
                iri, year = str(rec.get("document")), rec.get("date").year  # type: ignore[union-attr]
                years[iri] = min(year, years.get(iri, year))
        mapping: dict[str, str] = {}
        for iri, rec in self.entities.items():
            if rec.kind != "document" or rec.lexicon is not None or iri == self.source:
                continue
            label = str(rec.get("label"))
            named = _YEAR_IN_NAME.search(label)
            year = years.get(iri) or (int(named.group(1)) if named else None) or self.doc.year
            slug = iri.rsplit("/", 1)[1]
            dated = dated_document_slug(label, year)
            if not slug.startswith(document_slug(label)):
                dated = slug  # a provisional IRI made unique already: keep what was said
            elif slug != document_slug(label):
                dated = dated_document_slug(label, year) + slug[len(document_slug(label)):]
            if dated != slug:
                mapping[iri] = document_iri(dated)
        if not mapping:
            return
        measures = {f"{ID}measure/{old.rsplit('/', 1)[1]}/": f"{ID}measure/{new.rsplit('/', 1)[1]}/"
                    for old, new in mapping.items()}

        def remap(value: object) -> object:
            if isinstance(value, str):
                if value in mapping:
                    return mapping[value]
                if value.startswith(f"{ID}measure/"):
                    head, _, number = value.rpartition("/")
                    return measures.get(head + "/", head + "/") + number
                return value
            if isinstance(value, tuple):
                return tuple(remap(v) for v in value)
            return value

        def rewrite(rec: Record) -> Record:
            return Record(rec.kind, tuple((k, remap(v)) for k, v in rec.fields), rec.evidence, rec.lexicon)

        self.entities = {str(remap(iri)): rewrite(rec) for iri, rec in self.entities.items()}
        self.records = [rewrite(rec) for rec in self.records]
        self.new = {str(remap(iri)): NewEntity(n.kind, str(remap(n.iri)), n.label, n.line) for iri, n in self.new.items()}
        for d in self.documents:
            d.iri = str(remap(d.iri))
        self.warnings = [re.sub(r"<([^<>\s]+)>", lambda m: f"<{remap(m.group(1))}>", w) for w in self.warnings]

    def sentences_pass(self) -> None:
        """Issuance, trial periods, stated counts and pilot areas, parts, references."""
        doc = self.doc
        for block in doc.blocks:
            if block.kind in ("title", "dateline", "heading", "category", "article", "header", "preamble"):
                continue
            view = block_view(doc, block)
            block_docs = self.documents_in(block.start, block.end)
            for s, e in sentences(view):
                sent = view.clean[s:e]
                o_start, o_end = view.origin(s, e)
                evidence = self.evidence(o_start, o_end)
                sdocs = self.documents_in(o_start, o_end)
                issued = self.issuance(view, s, e, sdocs, block)
                self.possessive_issuers(view, s, sdocs)
                self.issuers_in_names(sdocs)
                self.dated_names(view, s, e, sdocs)
                self.dated_anaphora(view, s, e)
                if issued is not None:
                    self.last_issued = issued
                self.trial(sent, evidence, issued, o_start)
                self.counts(view, s, e, block, o_start)
                if not FULL_NAMES.search(sent):  # a footnote of full names lists, it does not attach
                    self.parts(self._without_documents(view, s, e), evidence, sdocs, o_start)
            self.references(block, block_docs)

    def issuance(self, view: View, s: int, e: int, sdocs: list, block: Block) -> _Doc | None:
        sent = view.clean[s:e]
        verb = ISSUE.search(sent)
        if not verb:
            return None
        o_verb = view.origin(s + verb.start(), s + verb.end())[0]
        after = [d for st, _, d in sdocs if st >= o_verb]
        before = [d for st, _, d in sdocs if st < o_verb]
        by = PASSIVE_BY.search(sent, verb.end())
        relative = None
        if before and not after:
            # "... the Measures (2020), which the CAC and eleven other departments had issued"
            last_end = max(en for st, en, _ in sdocs if st < o_verb)
            clause = view.clean[s:s + verb.start()]
            rel = re.search(r"[,(]\s*(?:which|that)\s+", clause)
            if rel and view.origin(s + rel.start(), s + rel.end())[0] >= last_end - 1:
                relative = s + rel.end()
        if by and not after:
            # "The list was co-released on 2 April by the A, B and C."
            target = before[-1] if before else self._anaphora(sent[:verb.start()], view.origin(s, e)[0])
            agencies = self.agencies_in(view, s + by.end(), e, strict=True)
            issuers_from = (s + by.end(), e)
        elif relative is not None:
            target = before[-1]
            agencies = self.agencies_in(view, relative, s + verb.start(), strict=True)
            issuers_from = (relative, s + verb.start())
        else:
            target = after[0] if after else None
            if target is None and not sdocs and _PRONOUN_OBJECT.match(sent, verb.end()):
                # "The CAC issued them on 10 July 2023": the document named last before
                target = self._last_document_before(view.origin(s, e)[0])
            agencies = self.agencies_in(view, s, s + verb.start(), strict=True)
            issuers_from = (s, s + verb.start())
        if target is None:
            return None
        jointly = _JOINTLY.search(sent, verb.end())
        if jointly and not by and relative is None:  # "..., jointly with the NDRC, the MOE and the MIIT"
            stop = re.search(r"[.;]", sent[jointly.end():])
            agencies += [a for a in self.agencies_in(view, s + jointly.end(),
                                                     s + jointly.end() + (stop.start() if stop else len(sent) - jointly.end()),
                                                     strict=True)
                         if a.iri not in {x.iri for x in agencies}]
        agencies += self._listed_issuers(view, *issuers_from, block, agencies)
        if not agencies:
            return None
        o_start, o_end = view.origin(s, e)
        evidence = self.evidence(o_start, o_end)
        for a in agencies:
            self.fact("issuance", evidence, document=target.iri, agency=a.iri)
        date, m = self.date_in(self._issuing_clause(sent, verb.start(), relative - s if relative is not None else 0))
        if date is not None:
            self.fact("issue_date", evidence, document=target.iri, date=date)
        elif m is not None:
            self.warn(evidence.line, f"date {m.group(0)!r} has no year (no date line): left out")
        return target

    def _last_document_before(self, offset: int) -> _Doc | None:
        """The last document named before ``offset`` that a pronoun can stand for: not a law
        (laws are what documents build on), not the update itself."""
        last = self.__dict__.get("_last_candidate")
        if last is None or len(last) != len(self.doc_mentions):  # per mention: the last candidate up to it
            last, found = [], None
            for _, _, d in self.doc_mentions:
                if d.iri != self.source and d.cls != "Law":
                    found = d
                last.append(found)
            self._last_candidate = last
        i = bisect.bisect_left(self.doc_mentions, offset, key=_mention_start) - 1
        return last[i] if i >= 0 else None

    @staticmethod
    def _issuing_clause(sent: str, verb: int, start: int) -> str:
        """The part of ``sent`` whose date is the issue date: the sentence with every date that
        another verb governs blanked out ("take effect on 15 February 2022", "made public on
        ...", "in force from ..."), and, for a relative clause ("which ... issued on"), only
        the clause."""
        text = sent if start <= 0 else " " * start + sent[start:]
        return _OTHER_DATES.sub(lambda m: " " * len(m.group(0)), text)

    def dated_names(self, view: View, s: int, e: int, sdocs: list) -> None:
        """"the Measures on ... of 7 July 2022", "the Provisions (22 March 2024)": the date
        written right after a document's name, with its year, is the day it was issued."""
        for _, end, d in sdocs:
            if d.cls == "PolicyUpdate":
                continue
            at = bisect.bisect_left(view.offsets, end, s, e)
            m = _DATED.match(view.clean, at, e) or _DATED_THIS_YEAR.match(view.clean, at, e)
            if not m:
                continue
            month = MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
            year = int(m.group("y")) if m.group("y") else self.doc.year  # "a notice, dated 1 June,"
            if year is None:
                continue
            try:
                date = dt.date(year, month, int(m.group("d1") or m.group("d2")))
            except ValueError:
                continue
            o_start, o_end = view.origin(at, m.end())
            # (a second date of the document, given otherwise: settle_issue_dates chooses)
            self.fact("issue_date", self.evidence(o_start, o_end), document=d.iri, date=date)

    def dated_anaphora(self, view: View, s: int, e: int) -> None:
        """"The notice is dated 31 December 2023": the last document named before with that
        head word (or of that class) was issued that day."""
        for m in _DATED_ANAPHORA.finditer(view.clean, s, e):
            what = m.group("what").casefold()
            o_start, o_end = view.origin(m.start(), m.end())
            by_head = self.__dict__.get("_mentions_by_head")
            if by_head is None:  # head word -> the mentions of documents with that head, in order
                by_head = self._mentions_by_head = {}
                for st, _, d in self.doc_mentions:
                    if d.iri != self.source:
                        by_head.setdefault((document_head(d.label) or "").casefold(), []).append((st, d))
            target = None
            for key in (what, what.rstrip("s")):
                found = by_head.get(key, [])
                i = bisect.bisect_left(found, o_start, key=lambda m: m[0]) - 1
                if i >= 0 and (target is None or found[i][0] > target[0]):
                    target = found[i]
            target = target[1] if target else None
            year = int(m.group("y")) if m.group("y") else self.doc.year
            if target is None or year is None:
                continue
            try:
                date = dt.date(year, MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")],
                               int(m.group("d1") or m.group("d2")))
            except ValueError:
                continue
            self.fact("issue_date", self.evidence(o_start, o_end), document=target.iri, date=date)

    def possessive_issuers(self, view: View, s: int, sdocs: list) -> None:
        """"the CAC's Provisions on ...": the agency whose document it is issued it."""
        for start, end, d in sdocs:
            if d.lexicon is not None and d.cls == "Law":
                continue
            at = bisect.bisect_left(view.offsets, start)  # the offsets rise: no scan
            if at >= len(view.clean):
                continue
            m = _POSSESSIVE.search(view.clean, max(s, at - 120), at)
            if not m:
                continue
            for a in self.agencies_in(view, m.start("who"), m.end("who"), strict=True):
                o_start, _ = view.origin(m.start("who"), m.end("who"))
                self.fact("issuance", self.evidence(o_start, end), document=d.iri, agency=a.iri)

    def issuers_in_names(self, sdocs: list) -> None:
        """"Notice of the State Council on ...", "Opinions of the CPC Central Committee and the
        State Council on ...": a name that says whose document it is names its issuers, when
        every word between "of" and "on" (or "for", "regarding", ...) is an agency, "and", a
        comma or "the"."""
        done = self.__dict__.setdefault("_named_issuers", set())
        for start, end, d in sdocs:
            if d.iri in done or (d.lexicon is not None and d.cls == "Law"):
                continue
            done.add(d.iri)
            spans = [(start, end)]
            if d.evidence is not None and (d.evidence.start, d.evidence.end) != (start, end):
                spans.append((d.evidence.start, d.evidence.end))  # a full name from a footnote
            for lo, hi in spans:
                view = View.of(self.doc.text, lo, hi, markup=self.doc.markup)
                m = _ISSUER_IN_NAME.match(view.clean.strip(" *_"), 0)
                if not m or class_by_head("document", m.group("head")) is None:
                    continue
                shift = len(view.clean) - len(view.clean.lstrip(" *_"))
                a, b = shift + m.start("who"), shift + m.end("who")
                mentions = self.agencies_in(view, a, b, strict=True)
                rest = list(view.clean[a:b])
                for mention in mentions:
                    ma = bisect.bisect_left(view.offsets, mention.start)
                    mb = bisect.bisect_left(view.offsets, mention.end)
                    rest[max(0, ma - a):max(0, mb - a)] = " " * (max(0, mb - a) - max(0, ma - a))
                if not mentions or re.sub(r"\b(?:and|the)\b|[,\s]", "", "".join(rest)):
                    continue
                for mention in mentions:
                    self.fact("issuance", self.evidence(lo, hi), document=d.iri, agency=mention.iri)
                break

    def _listed_issuers(self, view: View, lo: int, hi: int, block: Block, named: list[Mention]) -> list[Mention]:
        """Co-issuers a footnote lists: "the CAC and twelve other departments¹ issued ...",
        footnote ¹ "The twelve are the NDRC, MIIT, ...". Only where the words say that more
        bodies issued it ("other departments", "sixteen ministries") and a marker points to a
        footnote that names agencies."""
        if not re.search(r"\b(?:other|\w+teen|\w+ty|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                         r"several|\d+)\s+(?:other\s+)?(?:departments|ministries|agencies|bodies|authorities|regulators)\b",
                         view.clean[lo:hi], re.IGNORECASE):
            return []
        o_lo, o_hi = view.origin(lo, hi)
        out: list[Mention] = []
        seen = {m.iri for m in named}
        for marker in block.markers:
            if not o_lo <= marker.start <= o_hi + 1:
                continue
            note = self.doc.footnotes.get(marker.label)
            if note is None:
                continue
            note_view = block_view(self.doc, note)
            for m in self.agencies_in(note_view, 0, len(note_view.clean), strict=True):
                if m.iri not in seen:
                    seen.add(m.iri)
                    out.append(m)
        return out

    def _anaphora(self, text: str, offset: int) -> _Doc | None:
        m = None
        for m in ANAPHORA.finditer(text):
            pass
        if m is None:
            return None
        what = m.group("what").lower()
        classes = {"notice": ["Notice"], "circular": ["Notice"], "plan": ["Plan"], "table": ["MeasureTable"],
                   "list": ["DesignationList"], "batch": ["DesignationList"], "law": ["Law"]}[what]
        return self.document_before(offset + m.end(), classes)

    def trial(self, sent: str, evidence, issued: _Doc | None, offset: int) -> None:
        m = TRIAL.search(sent)
        if not m:
            return
        notice = issued or self.pilot_document(offset + m.start(), offset)
        if notice is None:
            self.warn(evidence.line, f"a trial period of no known document: left out of {_quote(sent)}")
            return
        explicit = _TRIAL_FROM.match(sent, m.end())
        start = None
        if explicit:  # "a trial period of two years, counted from 1 March 2024"
            year = int(explicit.group("y")) if explicit.group("y") else self.doc.year
            try:
                start = dt.date(year, MONTHS[(explicit.group("m1") or explicit.group("m2")).lower().rstrip(".")],
                                int(explicit.group("d1") or explicit.group("d2"))) if year else None
            except ValueError:
                start = None
        # else from the document's issue date, known once the whole text is read
        self.pending_trials.append((m, notice, evidence, start))

    def settle_trials(self) -> None:
        """The trial periods found, from their explicit start or their document's issue date
        (after :meth:`settle_issue_dates`)."""
        issued = {str(r.get("document")): r.get("date") for r in self.records if r.kind == "issue_date"}
        for m, notice, evidence, start in self.pending_trials:
            start = start or issued.get(notice.iri)
            if start is None:
                self.warn(evidence.line, "a trial period with no start date: left out")
                continue
            self._trial_fact(m, notice, evidence, start)

    def _trial_fact(self, m: re.Match[str], notice: _Doc, evidence: Evidence, start: dt.date) -> None:
        n = parse_number(m.group("n")) or 0
        months = n * 12 if m.group("unit").lower().startswith("year") else n
        year, month = divmod(start.month - 1 + months, 12)
        try:
            try:
                same_day = start.replace(year=start.year + year, month=month + 1)
            except ValueError:  # 29 February, 31st of a shorter month: the next month's first day
                same_day = dt.date(start.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
            end = same_day - dt.timedelta(days=1)
        except (ValueError, OverflowError):  # past 31 December 9999 (or before 1 January 1)
            raise InputError(f"a trial period of {m.group('n')} {m.group('unit')} from {start.isoformat()} "
                             f"ends outside the years 1 to 9999 that a date can have: "
                             f"{_quote(m.group(0))}", path=self.doc.path, line=evidence.line) from None
        self.fact("trial", evidence, notice=notice.iri, start=start, end=end)

    def _parents(self, child: str) -> set[str]:
        """The parents the containment records so far give ``child``: from an index of the
        records, extended with those added since the last call (not a pass over every record
        for every base of a list)."""
        index = self.__dict__.get("_containment")
        if index is None or index[0] > len(self.records):
            index = self._containment = [0, {}]
        for position in range(index[0], len(self.records)):
            r = self.records[position]
            if r.kind == "containment":
                index[1].setdefault(r.get("child"), set()).add(r.get("parent"))
        index[0] = len(self.records)
        return set(index[1].get(child, ()))

    def counts(self, view: View, s: int, e: int, block: Block, offset: int) -> None:
        sent = self._without_documents(view, s, e)  # "... Pilot Zones" in a document's name is no count
        if not REGION_WORDS.search(sent):
            return
        m = COUNT.search(sent)
        o_start, o_end = view.origin(s, e)
        markers = [mk for mk in block.markers if o_start <= mk.start <= o_end + 2]
        notes = [self.doc.footnotes[mk.label] for mk in markers if mk.label in self.doc.footnotes]
        lists = [n for n in notes if self._list_intro(n) is not None and self._is_area_list(n)]
        including = re.search(r"\b(?:including|includ(?:es|e)|such\s+as|namely|:)\s+", sent)
        if not m and not lists:
            return
        at = view.origin(s + (m.start() if m else 0), s + (m.end() if m else 1))[0]
        notice = self.pilot_document(at, o_start)
        if notice is None:
            return
        if m:
            n = parse_number(m.group("n"))
            c_start, c_end = view.origin(s + m.start(), s + m.end())
            if n:
                self.fact("stated_count", self.evidence(c_start, c_end), notice=notice.iri, count=n)
        for note in lists:
            intro = self._list_intro(note)
            items = []
            for i_start, i_end in split_list(self.doc.text, intro, note.end):
                sub = self.doc.text[i_start:i_end]
                if "." in sub and not sub.endswith("."):
                    i_end = i_start + sub.index(".")  # the list ends with its sentence
                items.append((i_start, i_end))
            skip = False
            for index, (i_start, i_end) in enumerate(items):
                if skip:
                    skip = False
                    continue
                iri = self.resolve_area_item(i_start, i_end)
                if not iri:
                    continue
                end = i_end
                if index + 1 < len(items):
                    # "Changsha, Hunan Province": one item, the second part where the first lies
                    n_start, n_end = items[index + 1]
                    parent = self.lexicon.lookup(self.doc.text[n_start:n_end].strip(), ["area"])
                    child = self._lexicon_area(iri)
                    if parent is not None and child is not None and parent in self.lexicon.chain(child):
                        skip, end = True, n_end
                        self.entity_from_lexicon(parent)
                        self.fact("containment", self.evidence(i_start, n_end), child=iri, parent=parent.iri)
                self.fact("pilot_area", self.evidence(i_start, end), notice=notice.iri, area=iri)
        if including:
            for mention in self.areas_in(view, s + including.end(), e):
                self.fact("pilot_area", self.evidence(mention.start, mention.end), notice=notice.iri,
                          area=mention.iri)

    def _lexicon_area(self, iri: str) -> Entry | None:
        prefix = f"{ID}area/"
        return self.lexicon.get("area", iri[len(prefix):]) if iri.startswith(prefix) else None

    def _list_intro(self, note: Block) -> int | None:
        view = block_view(self.doc, note)
        m = LIST_INTRO.search(view.clean)
        return view.origin(m.end(), m.end())[0] if m else None

    def _without_documents(self, view: View, s: int, e: int) -> str:
        """``view.clean[s:e]`` with the names of documents blanked out (same length)."""
        chars = list(view.clean[s:e])
        o_start, o_end = view.origin(s, e)
        for start, end, _ in self.documents_in(o_start, o_end):
            lo = bisect.bisect_left(view.offsets, start, s, e) - s
            hi = bisect.bisect_left(view.offsets, end, s, e) - s
            chars[max(0, lo):max(0, hi)] = " " * (max(0, hi) - max(0, lo))
        return "".join(chars)

    def _is_area_list(self, note: Block) -> bool:
        view = block_view(self.doc, note)
        if FULL_NAMES.search(view.clean):
            return False  # "Full names of the three documents: ... Pilot Zones"
        return bool(re.search(r"\b(?:full\s+list|pilot\s+areas?|areas|cities|provinces|zones)\b", view.clean,
                              re.IGNORECASE)) and not re.search(r"\bbases?\b", view.clean, re.IGNORECASE)

    def parts(self, sent: str, evidence: Evidence, sdocs: list, offset: int) -> None:
        verb = PARTS.search(sent)
        if not verb:
            return
        whole = None
        lead = sent[:verb.start()]
        before = [d for st, _, d in sdocs if st < offset + verb.start() and d.cls != "Law"]
        if before:
            whole = before[0]  # "The notice entails ...", "The Several Measures come with ..."
        else:
            whole = self._anaphora(lead, offset)
        if whole is None:
            return
        for st, _, d in sdocs:
            if d.iri != whole.iri and st >= offset + verb.start() and \
                    d.cls in ("Plan", "MeasureTable", "DesignationList", "PolicyDocument"):
                self.fact("part", evidence, whole=whole.iri, part=d.iri)

    def issued_parts(self) -> None:
        """"Notice on Issuing the Implementation Plan for ...": the plan is part of the notice."""
        by_label = {normalise(d.label).casefold(): d for d in self.documents}
        for d in self.documents:
            m = _ISSUING_NAME.match(normalise(d.label))
            if not m:
                continue
            part = by_label.get(m.group("part").strip(" .").casefold())
            if part is not None and part is not d:
                self.fact("part", d.evidence, whole=d.iri, part=part.iri)

    def references(self, block: Block, block_docs: list) -> None:
        """Which document refers to which: "replace(s) the X", "implements the X", "under the
        X" name the document the sentence is about (named before the verb, else the update's
        main document) and the one it refers to; and a law named in a paragraph about a
        document ("... outlined in the Data Security Law")."""
        view = block_view(self.doc, block)
        for s, e in sentences(view):
            verb = REFERS.search(view.clean, s, e)
            if not verb:
                continue
            if _NEGATED.search(view.clean[max(s, verb.start() - 40):verb.start()]):
                continue  # "The Provisions do not cite the new law"
            o_verb = view.origin(verb.start(), verb.end())[0]
            o_s, o_e = view.origin(s, e)
            sdocs = self.documents_in(o_s, o_e)
            subjects = [d for st, _, d in sdocs if st < o_verb and d.cls != "Law"]  # a law is what is built on
            targets = [(st, en, d) for st, en, d in sdocs if st >= o_verb]
            in_block = next((d for _, _, d in block_docs if d.cls != "Law"), None)
            subject = subjects[-1] if subjects else in_block or self.main_document()
            if subject is None:
                continue
            for st, en, d in targets[:1] if verb.group(0).lower().startswith("replac") else targets:
                if d is not subject:
                    self.fact("reference", self.evidence(o_s, o_e), document=subject.iri, target=d.iri)
        laws = [(s, d) for s, _, d in block_docs if d.cls == "Law"]
        others = [(s, d) for s, _, d in block_docs if d.cls != "Law"]
        if not laws or not others:
            return
        # a law named in a sentence that says it is not cited ("...; the Provisions do not cite
        # it yet"), or right before one that says so of "the new law", is not taken as cited
        spans = list(sentences(view))
        denied: list[bool] = []
        for a, b in spans:
            denied.append(any(_NEGATED.search(view.clean[max(a, m.start() - 40):m.start()])
                              for m in REFERS.finditer(view.clean, a, b)))
        unsure: set[int] = set()
        for i, (a, b) in enumerate(spans):
            anaphoric = i + 1 < len(spans) and denied[i + 1] and \
                not self.documents_in(*view.origin(*spans[i + 1]))
            if denied[i] or anaphoric:
                o_a, o_b = view.origin(a, b)
                for st, _, d in block_docs:
                    if o_a <= st < o_b and d.cls == "Law":
                        unsure.add(st)
                        self.warn(self.doc.line_of(st), f"{d.label!r} is named beside a document that the text says "
                                                        f"does not cite it: no reference taken from "
                                                        f"{_quote(' '.join(view.clean[a:b].split()))}")
        laws = [(st, d) for st, d in laws if st not in unsure]
        subject = others[0][1]
        for s, law in laws:
            if law is subject:
                continue
            e = next(e for st, e, d in block_docs if st == s)
            self.fact("reference", self.evidence(s, e), document=subject.iri, target=law.iri)

    # ------------------------------------------------------------------ articles

    def articles_pass(self) -> None:
        doc = self.doc
        category: tuple[str, Evidence] | None = None
        articles: list[tuple[str, Block]] = []
        table = None
        previous: Block | None = None  # the block before this one, footnotes aside
        for block in doc.blocks:
            if block.kind == "category":
                category = self.category(block.bold[0] if block.bold else block)
            elif block.kind == "heading" and category is not None:
                category = None  # a question heading ends the category above it
            elif block.kind == "article":
                if table is None:
                    table = self.holder or self._implicit_table(block)
                cell = self.category(block.category_cell) if block.category_cell else None
                articles.append(self.article(block, table, cell or category))
            elif block.kind == "paragraph" and articles:
                self.forerunners(block, articles, adjacent=previous is not None and previous.kind == "article")
            if block.kind != "footnote":
                previous = block

    def category(self, span: Span | Block) -> tuple[str, Evidence] | None:
        """The category named by ``span`` (a heading, a bold line, a table cell)."""
        view = View.of(self.doc.text, span.start, span.end, markup=self.doc.markup)
        name = " ".join(re.sub(r"[*_#]+", " ", view.clean).split()).strip(" :")
        if not name:
            return None
        lead = len(view.clean) - len(view.clean.lstrip(" *_#"))
        start, end = view.origin(lead, len(view.clean.rstrip(" *_:")))
        evidence = self.evidence(start, end)
        entry = self.lexicon.lookup(name, ["category"])
        iri = self.entity_from_lexicon(entry) if entry else self.mint("category", name, evidence)
        self.category_evidence.setdefault(iri, evidence)
        return iri, evidence

    def pilot_document(self, offset: int, sentence_start: int | None = None) -> _Doc | None:
        """The document a sentence's pilot facts (trial period, pilot areas, their count)
        belong to: the one the sentence names before ``offset`` ("the Decision applies in two
        pilot areas"), else the document whose issuing the text last reported ("issued an
        official reply approving ... on April 9"), else the last notice, reply, decision or plan
        named before ``offset``."""
        if sentence_start is not None:
            named = [d for _, _, d in self.documents_in(sentence_start, offset)
                     if d.cls not in ("Law", "DesignationList", "MeasureTable")]
            if named:
                return named[-1]
        note = self._footnote_at(offset)
        if note is not None:  # a footnote that names no document: its marker's sentence decides
            where = self._marker_sentence(note)
            if where is not None:
                return self.pilot_document(*where)
        if self.last_issued is not None and self.last_issued.cls not in ("Law", "DesignationList", "MeasureTable"):
            return self.last_issued
        return self.document_before(offset, ["Notice"]) or \
            self.document_before(offset, ["Plan", "PolicyDocument"])

    def _footnote_at(self, offset: int) -> Block | None:
        """The footnote block that holds ``offset``, if any."""
        starts = self.__dict__.get("_block_starts")
        if starts is None:
            starts = self._block_starts = [b.start for b in self.doc.blocks]
        i = bisect.bisect_right(starts, offset) - 1
        block = self.doc.blocks[i] if i >= 0 else None
        return block if block is not None and block.kind == "footnote" and offset <= block.end else None

    def _marker_sentence(self, note: Block) -> tuple[int, int] | None:
        """(the first marker pointing to ``note``, the start of its sentence)."""
        first = self.__dict__.get("_first_markers")
        if first is None:  # label -> (block, marker) of its first marker outside the footnotes
            first = self._first_markers = {}
            for block in self.doc.blocks:
                if block.kind != "footnote":
                    for marker in block.markers:
                        first.setdefault(marker.label, (block, marker))
        if note.footnote not in first:
            return None
        block, marker = first[note.footnote]
        starts = self.__dict__.setdefault("_sentence_starts", {})  # block start -> its sentences' starts
        if block.start not in starts:
            view = block_view(self.doc, block)
            starts[block.start] = [view.origin(s, e)[0] for s, e in sentences(view)] or [block.start]
        i = bisect.bisect_right(starts[block.start], marker.start) - 1
        return marker.start, starts[block.start][max(i, 0)]

    def main_document(self) -> _Doc | None:
        """The document the update is about: the one that holds its measures, else the first
        it names that is not a law."""
        if self.holder is not None:
            return self.holder
        return next((d for _, _, d in self.doc_mentions if d.cls != "Law" and d.iri != self.source), None)

    def find_holder(self) -> None:
        """The document the numbered measures belong to (:attr:`holder`), decided before the
        documents are emitted so that a list that holds measures is typed as a table of them.

        The table or list of measures named last before the first measure ("The Table sets out
        ...", "The Attached List divides the tasks"); else the document the update is about, the
        first it names that is not a notice or a designation list ("the Measures", the
        Provisions, a law); else a notice that holds them itself. ``None`` when the text names
        no document at all (then :meth:`_implicit_table`, with a warning).
        """
        first = next((b for b in self.doc.blocks if b.kind == "article"), None)
        if first is None or not self.doc_mentions:
            return
        before = [d for s, _, d in self.doc_mentions if s < first.start and d.iri != self.source]
        everywhere = [d for _, _, d in self.doc_mentions if d.iri != self.source]
        containers = [d for d in before if d.cls == "MeasureTable" or _lists_measures(d)] or \
                     [d for d in everywhere if d.cls == "MeasureTable" or _lists_measures(d)]
        if containers:
            holder = containers[-1] if containers[-1] in before else containers[0]
            owner = self._owner_of_bare_table(holder, first) if holder in before else None
            if owner is not None:
                self.holder = owner
                return
            if holder.cls == "DesignationList":
                holder.cls = "MeasureTable"  # a list of numbered measures, not of sites
            self.holder = holder
            return
        for classes in (("Notice", "DesignationList"), ("DesignationList",)):
            principal = next((d for d in before + everywhere if d.cls not in classes), None)
            if principal is not None:
                self.holder = principal
                return

    def _owner_of_bare_table(self, table: _Doc, first: Block) -> _Doc | None:
        """A table named by its head word alone ("Table 1. Data tasks under the Plan for ...",
        "The table sets out the tasks of the Plan") is a layout label, not a document: the
        measures belong to the document the lines introducing the table name after "of",
        "under", "in" or "from". That document, with the label dropped; else ``None``."""
        if table.lexicon is not None or not re.fullmatch(
                rf"(?:the\s+)?{re.escape(document_head(table.label) or '-')}(?:\s+\d+)?",
                " ".join(table.label.split()), re.IGNORECASE):
            return None
        blocks = [b for b in self.doc.blocks if b.end <= first.start and b.kind not in ("footnote", "header")][-2:]
        if not blocks:
            return None
        lo = blocks[0].start
        owner = None
        for s, e, d in self.doc_mentions:
            if lo <= s < first.start and d is not table and d.iri != self.source and \
                    d.cls not in ("Notice", "DesignationList", "Law") and \
                    re.search(r"\b(?:of|under|in|from)\s+(?:the\s+)?[*_]*$", self.doc.text[max(lo, s - 20):s]):
                owner = d
        if owner is None:
            return None
        self.documents = [d for d in self.documents if d is not table]
        self.doc_mentions = [m for m in self.doc_mentions if m[2] is not table]
        self.__dict__.pop("_covered", None)
        self.warn(self.doc.line_of(first.start), f"{table.label!r} names the table, not a document: its measures "
                                                 f"belong to {owner.label!r}")
        return owner

    def _implicit_table(self, block: Block) -> _Doc:
        notice = self.document_before(block.start, ["Notice"])
        label = f"Table of measures of the {notice.label[:1].lower() + notice.label[1:]}" if notice \
            else f"Table of measures in {doc_title(self.doc)}"
        evidence = self.evidence(block.start, block.end)
        iri = self.mint("document", label, evidence, slug=document_slug(label),
                        cls="MeasureTable")
        d = _Doc(iri, "MeasureTable", label, label, evidence=evidence)
        self.warn(block.line, f"articles without a named measure table: they go to {label!r}")
        if notice is not None:
            self.fact("part", evidence, whole=notice.iri, part=iri)
        return d

    def article(self, block: Block, table: _Doc, category: tuple[str, Evidence] | None) -> tuple[str, Block]:
        doc = self.doc
        number = block.article
        table_id = table.iri.rsplit("/", 1)[1]
        iri = f"{ID}measure/{table_id}/{number}"
        head = self.evidence(*((block.head.start, block.head.end) if block.head
                               else (block.start, block.body_start or block.start)))
        body_start = block.body_start or block.start
        body_end = block.body_end or block.end
        text = self.evidence(body_start, body_end)
        view = View.of(doc.text, body_start, body_end, markup=doc.markup)
        self.entities.setdefault(iri, record("measure", head, iri=iri, cls="Measure", label=f"Article {number}"))
        self.fact("article", head, measure=iri, number=number, table=table.iri)
        self.fact("measure_text", text, measure=iri, text=" ".join(view.clean.split()))
        if category:
            self.fact("categorisation", category[1], measure=iri, category=category[0])
        else:
            self.warn(block.line, f"Article {number} is under no category heading")
        for s, e in sentences(view):
            o_start, o_end = view.origin(s, e)
            for lo, hi in responsible_ranges(view.clean, s, e):
                for a in self.agencies_in(view, lo, hi, strict=True):
                    self.fact("guidance", self.evidence(o_start, o_end), measure=iri, agency=a.iri)
            if FORERUNNER.search(view.clean, s, e):  # "Zhejiang and Guangdong ... are the forerunners"
                for mention in self.areas_in(view, s, e):
                    self.fact("forerunner", self.evidence(o_start, o_end), measure=iri, area=mention.iri)
        # "CAC — Article 2: ...", and a table's column of responsible agencies
        for span in (block.agency_prefix, block.agencies_cell):
            if span is None:
                continue
            cell = View.of(doc.text, span.start, span.end, markup=doc.markup)
            for a in self.agencies_in(cell, 0, len(cell.clean), strict=True):
                self.fact("guidance", self.evidence(*cell.origin(0, len(cell.clean))), measure=iri, agency=a.iri)
        for m in self.lexicon_matches(view, ["region"]):
            entry = self.lexicon.get("region", m.iri.rsplit("/", 1)[1])
            self.entity_from_lexicon(entry)
            self.fact("region_concern", self.evidence(m.start, m.end), measure=iri, region=m.iri)
        return iri, block

    def forerunners(self, block: Block, articles: list[tuple[str, Block]], *, adjacent: bool) -> None:
        """Areas that pilot measures first: in a sentence that says so, for the measures it
        names by number ("Action 3 is expected to start in Hangzhou"), else for "the measure(s)
        above" (the last one, or the last N), else — in the paragraph right after a measure —
        for that measure. A sentence that names no measure, far from any, is left out with a
        warning."""
        view = block_view(self.doc, block)
        above = MEASURES_ABOVE.search(view.clean)
        count = 1
        if above:
            word = above.group("n") or (above.group("n2") or "").strip()
            if word:
                count = parse_number(word) or 1
            elif above.group("what") and above.group("what").lower().endswith("s"):
                count = len(articles)
        by_number: dict[int, list[str]] = {}
        for iri, b in articles:
            by_number.setdefault(b.article, []).append(iri)
        for s, e in sentences(view):
            o_start, o_end = view.origin(s, e)
            named = [int(n) for m in MEASURE_NUMBERS.finditer(view.clean, s, e)
                     for n in re.findall(r"\d+", m.group(0))]
            if named:  # "Action 4 concentrates first on the Yangtze River Delta": the measure's region
                sub = View(view.clean[s:e], view.offsets[s:e + 1])
                for n in named:
                    for iri in by_number.get(n, ()) if len(by_number.get(n, ())) == 1 else ():
                        for m in self.lexicon_matches(sub, ["region"]):
                            self.entity_from_lexicon(self.lexicon.get("region", m.iri.rsplit("/", 1)[1]))
                            self.fact("region_concern", self.evidence(m.start, m.end), measure=iri, region=m.iri)
            if not FORERUNNER.search(view.clean, s, e):
                continue
            if named:
                measures = [iri for n in named for iri in by_number.get(n, ())
                            if len(by_number.get(n, ())) == 1]
            elif above or adjacent:
                measures = [iri for iri, _ in articles[-count:]]
            else:
                measures = []
            areas = self.areas_in(view, s, e)
            if areas and not measures:
                self.warn(self.doc.line_of(o_start), f"forerunners in {' '.join(view.clean[s:e].split())!r}: "
                                                    f"the sentence names no measure of this document; left out")
                continue
            for mention in areas:
                for measure in dict.fromkeys(measures):
                    self.fact("forerunner", self.evidence(o_start, o_end), measure=measure, area=mention.iri)

    # ------------------------------------------------------------------ export bases

    def lists_pass(self) -> None:
        """Lists of designated sites: "The first batch of ... export bases are: A, B, C."

        Bases of a list that names them export bases are ``pol:ExportBase``; other bases (data
        labelling bases, ...) are ``pol:DesignatedSite``.
        """
        doc = self.doc
        for block in doc.blocks:
            view = block_view(doc, block)
            m = re.search(r"\bbases\s*(?:(?:are|include|includes|comprise|cover)\s*)?:\s*", view.clean, re.IGNORECASE)
            if not m:
                continue
            intro_end = view.origin(m.end(), m.end())[0]
            kind = "export_base" if re.search(r"\bexport\b", view.clean[:m.end()], re.IGNORECASE) else "site"
            the_list = self.document_before(intro_end, ["DesignationList"])
            rest = doc.text[intro_end:block.end]
            stop = re.search(r"\.(?:\s|$)", rest)
            list_end = intro_end + (stop.start() if stop else len(rest))
            # known names are items whole, even with an "and" inside them
            known = self._known_spans(intro_end, list_end, ["export_base", "area"])
            for i_start, i_end in split_list(doc.text, intro_end, list_end, protect=known):
                iri = self.designated_site(i_start, i_end, kind)
                if the_list is not None:
                    self.fact("listing", self.evidence(i_start, i_end), list=the_list.iri, base=iri)

    def _known_spans(self, start: int, end: int, kinds: list[str]) -> list[tuple[int, int]]:
        """Where the lexicon's names of ``kinds`` stand in ``text[start:end]`` (original offsets)."""
        view = View.of(self.doc.text, start, end, markup=self.doc.markup)
        return [view.origin(m.start, m.end) for m in self.lexicon.find_all(view.clean, kinds)]

    def designated_site(self, start: int, end: int, kind: str) -> str:
        text = self.doc.text
        name = text[start:end].strip()
        evidence = self.evidence(start, end)
        entry = self.lexicon.lookup(name, ["export_base"])
        if entry is not None:
            iri = self.entity_from_lexicon(entry)
            located = self._parents(iri)
        else:
            iri = self.mint(kind, name, evidence)
            located = set()
        # the text itself says where the base lies when its name contains an area
        view = View.of(text, start, end, markup=self.doc.markup)
        for m in self.lexicon.find_all(view.clean, ["area"]):
            if located and m.entry.iri not in located:
                continue
            self.entity_from_lexicon(m.entry)
            self.fact("containment", evidence, child=iri, parent=m.entry.iri)
            break
        return iri

    def category_scheme(self) -> None:
        if any(r.kind == "category" for r in self.entities.values()):
            self.fact("scheme", None, iri=CATEGORY_SCHEME, label="Measure categories")
            for r in list(self.entities.values()):
                if r.kind == "category":
                    # the heading that names the category puts it among the measure categories
                    self.fact("in_scheme", self.category_evidence.get(r.get("iri")), category=r.get("iri"),
                              scheme=CATEGORY_SCHEME)


def _lists_measures(d: _Doc) -> bool:
    """A list or catalogue that holds numbered measures ("List of Measures", "Attached List")."""
    names = f"{d.short} {d.label}".lower()
    return d.cls == "DesignationList" and (bool(re.search(r"\b(?:measures?|tasks?)\b", names))
                                           or d.short.lower().startswith("attached"))


def _issue_rank(rec: Record) -> int:
    """How surely the sentence of an issue date gives the date of issue (lower: surer)."""
    text = rec.evidence.exact if rec.evidence is not None else ""
    if re.search(r"\bdated\b", text, re.IGNORECASE):
        return 0
    if re.search(r"\b(?:issued|promulgated|signed)\b", text, re.IGNORECASE):
        return 1
    if re.search(r"\badopted\b", text, re.IGNORECASE):  # a law's adoption is its issue; a rule's, less sure
        return 2
    return 3


def _quote(text: str, limit: int = 160) -> str:
    """A sentence as a warning quotes it: in quotes, cut at ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


def doc_title(doc: Document) -> str:
    return doc.slice(doc.title).strip()


def extract(doc: Document, lexicon: Lexicon) -> Extraction:
    """Extract the records of one document, resolving names against the lexicon."""
    return _Extractor(doc, lexicon).run()


def iter_spans(extraction: Extraction) -> Iterator[Evidence]:
    for r in extraction.records:
        if r.evidence is not None:
            yield r.evidence


__all__ = ["Evidence", "Extraction", "NewEntity", "Record", "class_by_head", "extract",
           "iter_spans", "policy_update_iri", "record"]
