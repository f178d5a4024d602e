"""Documents: the documents a text names, what holds its measures, who issued them, their parts.

Names of documents that no markup points at: the seed bolds the names of the documents it
reports on; a plain-text copy of it, an e-mail, a PDF without a bold font does not. This
recogniser finds the same names from the words:

* a **capitalised name** whose head is a document head word (``mappings/head-words.csv``):
  "an Overall Plan", "a Table²", "the Provisions on Cross-Border Data Flows", "the Measures";
* a **lower-case name after an issuing verb**: "issued a notice for stimulating innovative
  development of trade in services in pilot areas on August 14" (the name runs to the date, a
  comma, "with", or the end of the sentence);
* a **quoted name** ending with a head word: the “Data 20 Measures”;
* the name a **list of sites** gives itself: "The first batch of digital service export bases
  are: ...";
* **full names in a footnote** ("Full names of the two documents: A and B."), split where
  the next full name begins: at a name that holds the next short name ("Attached Table: ...").

Door: of the text alone, :func:`name_spans` (a block's names) and :func:`full_names` (a
footnote's), which return offsets into the document's text and read nothing but the text; over
the context (:class:`~policykg.pipeline.recognisers.context.Context`), the recogniser of documents:

* :func:`the_update` (the source itself), :func:`find_documents` (the documents named, their
  short forms, full names and mentions: :attr:`Context.documents` and :attr:`Context.mentions`;
  IRIs reserved so that two names never share one), :func:`find_holder` (the document the
  numbered measures belong to: :attr:`Context.holder`), :func:`emit_documents` and
  :func:`report` (their entities, and the update's ``report`` facts), :func:`issued_parts`;
* per sentence: :func:`possessive_issuers` and :func:`issuers_in_names` ("the CAC's
  Provisions", "Notice of the State Council on ...": ``issuance`` facts, agencies by
  :func:`~policykg.pipeline.recognisers.agencies.agencies_in`) and :func:`parts` (``part`` facts);
* look-ups for other recognisers: :func:`anaphora` ("the notice") and :func:`pilot_document`
  (the document a sentence's pilot facts belong to; it reads :attr:`Context.last_issued`,
  which the issuance recogniser of :mod:`~policykg.pipeline.recognisers.dates` sets).

Reads the document, the lexicon and the abbreviations that
:func:`~policykg.pipeline.recognisers.agencies.find_definitions` found (through
:func:`~policykg.pipeline.recognisers.agencies.agencies_in`); writes documents, their mentions and
entities, ``issuance``, ``report`` and ``part`` facts, and warnings.
"""
from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from ...document import MONTH_PATTERN, Block, Document
from ...textutil import NUMBER, View, block_view, capitalise, normalise, parse_number, sentences
from ..lexicon import Entry
from . import anaphora as _anaphora
from .agencies import agencies_in
from .context import Context, NamedDocument, quote
from .heads import class_by_head, document_head, document_heads
from .indexes import Coverage, DocumentNames
from .iris import document_iri, document_slug
from .records import Evidence, Mention, record

_MONTH = MONTH_PATTERN
_CONNECT = {"of", "for", "on", "and", "the", "in", "to", "regarding", "concerning", "about", "&", "a", "an"}
_ISSUED = re.compile(r"\b(?:issued|released|published|promulgated|unveiled|adopted|approved)\s+"
                     r"(?:a|an|the)\s+(?P<name>(?P<head>[a-z]+)\s+"
                     rf"(?!on\s+(?:\d{{1,2}}\s+)?(?:{MONTH_PATTERN})\b)"  # "issued the Provisions on 12 July"
                     r"(?:on|for|regarding|about|concerning|of)\s+)",
                     re.IGNORECASE)
_NAME_END = re.compile(rf"\s+on\s+(?:\d{{1,2}}\s+)?(?:{_MONTH})\b|\s+in\s+(?:{_MONTH}|\d{{4}})\b|\s+with\s|"
                       r"\s+that\s|\s+which\s|\s+to\s+(?:take|be)\b|[,;:()]|\.(?:\s|$)|$", re.IGNORECASE)
_LIST_INTRO = re.compile(r"(?:^|(?<=[.:;]\s))(?:The|the)\s+(?P<name>[^.:;]{3,120}?)\s+"
                         r"(?:are|include|includes|comprise|cover)\s*:")


_PREPOSITIONS = {"of", "for", "on", "in", "to", "regarding", "concerning", "about", "with"}
_REST = re.compile(r"(?P<joins>(?:\s+(?:of|for|on|in|and|the|to|with|regarding|concerning|about|&|a|an))*)\s+"
                   r"(?P<word>[A-Z][\w'’\-]*|\d{4}|\d{1,3}(?:st|nd|rd|th)\b|\d{1,2}[A-Z]{1,2}\b|"
                   # a quoted name inside the name: "... of the “East Data, West Computing” Project"
                   r"(?<=\s)[“\"][A-Z][^\"“”\n]{0,60}[”\"](?=\s+[A-Z]))")
#: A head word and a preposition with a capitalised word after it: the whole name of a document.
_FULL_NAME_AFTER = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,4}\s+(?:on|for|of|regarding|concerning)\s+(?:the\s+)?[A-Z]")
#: "by" inside a name, after a preposition has opened it and before a word that is no agency's
#: abbreviation nor "the": "Methods for Identifying Illegal Collection ... by Apps" (not "... by
#: the CAC", "... by MIIT": who issued it).
_BY_WHOM = re.compile(r"(?P<joins>)\s+by\s+(?P<word>[A-Z][a-z][\w'’\-]*)(?!\s+(?:of|for)\s+(?:the\s+)?[A-Z])")
#: A part of a name in brackets: an edition or qualifier ("(Trial)", "(2024 Edition)", "(Negative
#: List)") or a place inside the name ("China (Beijing) Pilot Free Trade Zone").
_EDITION = re.compile(r"\s*\((?:Trial|Draft|For Trial Implementation|[A-Z][\w ]{0,30}Edition|"
                      r"\d{4}(?:[-–]\d{4})?(?: Edition)?|Negative List|Revised|Amended|First Batch|"
                      r"[A-Z][\w'’\- ]{0,30})\)")


_DATE_AFTER = re.compile(rf"\s+(?:of|in|from|since)\s+(?:(?:{_MONTH})\b|\d{{4}}\b)", re.IGNORECASE)
#: Where a sentence begins, right before a word: the block's start, a full stop, a numbering.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\(\w{1,4}\)\s+|\n\s*)$")


def _capitalised(view: View, lo: int, hi: int) -> list[tuple[int, int]]:
    """Capitalised names in ``view.clean[lo:hi]`` whose head is a document head word.

    From each head word the name grows left over capitalised words and right over a preposition
    and capitalised words. Each step depends only on where it stands (and, rightwards, on
    whether a preposition was passed), so the steps are remembered: in "Notice Notice Notice
    ..." every head would otherwise walk over all the others, n² steps for n heads.
    """
    heads = document_heads()
    text = view.clean
    found = []
    for m in re.finditer(r"\b[A-Z][a-z]+s?\b", text[lo:hi]):
        if m.group(0).lower() in heads:
            found.append((lo + m.start(), lo + m.end()))
    left: dict[int, int] = {}  # a position the leftward walk passed -> where it stopped
    starts = [_walk_left(text, lo, start, left) for start, _ in found]
    right: dict[tuple[int, bool], int] = {}  # (position, preposition passed) -> where it stopped
    stops = [_walk_right(text, hi, end, heads, right) for _, end in reversed(found)][::-1]
    out = []
    # the heads of one run of capitals ("Notice Notice Notice ...") all give the same name: once
    for pos, stop in dict.fromkeys(zip(starts, stops)):
        issued = _ISSUED_PREFIX.match(text, pos, stop)
        if issued:  # "The MIIT-issued Guidelines on ...": the name after (the issuer: possessive_issuers)
            pos = issued.end()
        first = _FIRST_WORD.match(text, pos, stop)
        if first and first.group(1) in ("Its", "Their", "Our"):  # "Its Interim Provisions on ...": the name after
            pos = _skip_spaces(text, first.end(), stop)
            first = _FIRST_WORD.match(text, pos, stop)
        if first and first.group(1) in ("The", "A", "An", "This", "That", "These"):
            rest = _skip_spaces(text, first.end(), stop)
            if first.group(1) != "The" or not _FULL_NAME_AFTER.match(text, rest, stop):
                continue  # "The Notice", "This Plan": a short form, read elsewhere
            # "The Provisions on the Scope of State Secrets in ...": a whole name after the article
            pos = rest
        if not _SPACE.search(text, pos, stop) and _SENTENCE_START.search(text, max(lo, pos - 8), pos):
            continue  # "Measures (1) to (6) ...", "(8) Rules for compliance ...": a capital of the sentence
        out.append((pos, stop))
    return out


_FIRST_WORD = re.compile(r"\s*(\S+)")


def _skip_spaces(text: str, at: int, end: int) -> int:
    while at < end and text[at].isspace():
        at += 1
    return at
_SPACE = re.compile(r"\S\s+\S")


_BEFORE = re.compile(r"([A-Z][\w'’\-]*|[0-9]{4}|[0-9]{1,3}(?:st|nd|rd|th)|[0-9]{1,2}[A-Z]{1,2}|\([A-Z][\w'’\- ]{0,30}\)|"
                     r"(?<=\s)[“\"][A-Z][^\"“”\n]{0,60}[”\"]|of|for|on|and|the|in|&)\s+$")
_CAPITALISED_RUN = re.compile(r"(?:[A-Z][\w'’\-]*\s+)*[A-Z][\w'’\-]*")


def _walk_left(text: str, lo: int, start: int, memo: dict[int, int]) -> int:
    """Where a name whose head starts at ``start`` begins: capitalised words (and connectors
    between them) before the head."""
    path = []
    pos = start
    while pos not in memo:
        path.append(pos)
        before = _BEFORE.search(text[max(lo, pos - 60):pos])
        if not before:
            break
        w = before.group(1)
        if re.search(r"['’]s$", w):
            break  # "the CAC's Provisions on ...": the issuer, not the name
        if w in _CONNECT and not re.search(r"[A-Z][\w'’\-]*\s+" + re.escape(w) + r"\s+$",
                                           text[max(lo, pos - 80):pos]):
            break
        if w in ("The", "the") or w.lower() in ("a", "an"):
            break
        pos = max(lo, pos - 60) + before.start(1)
    final = memo.get(pos, pos)
    for p in path:
        memo[p] = final
    return final


def _walk_right(text: str, hi: int, end: int, heads: dict[str, str], memo: dict[tuple[int, bool], int]) -> int:
    """Where a name whose head ends at ``end`` ends: a preposition and the capitalised words
    after the head ("Law on Guarding State Secrets"), and an edition in brackets; never "and"
    another document's name."""
    path = []
    stop, opened = end, False
    while (stop, opened) not in memo:
        path.append((stop, opened))
        edition = _EDITION.match(text, stop, hi)
        if edition:
            stop = edition.end()
            continue
        more = _REST.match(text, stop, hi) or (_BY_WHOM.match(text, stop, hi) if opened else None)
        if not more or _DATE_AFTER.match(text, stop, hi):
            break  # "... of March 2020", "... in 2021": a date, not the name
        joins = more.group("joins").split()
        if not opened and joins and joins[0] not in _PREPOSITIONS:
            break
        if "and" in joins or "&" in joins:
            after = _CAPITALISED_RUN.match(text, more.start("word"), hi)
            if after and after.group(0).split()[-1].lower() in heads:
                break  # "... Law and the Data Security Law": two documents
        opened = opened or bool(joins)
        stop = more.end()
    final = memo.get((stop, opened), stop)
    for state in path:
        memo[state] = final
    return final


def _issued(view: View, lo: int, hi: int) -> list[tuple[int, int]]:
    """Lower-case names after an issuing verb ("issued a notice on ... on August 14")."""
    out = []
    heads = document_heads()
    last: tuple[int, re.Match[str] | None] = (hi + 1, None)  # (searched from, what was found)
    for m in _ISSUED.finditer(view.clean, lo, hi):
        if m.group("head").lower() not in heads:
            continue
        # the end found for an earlier name is this one's too if it lies ahead: no match starts
        # between (searched from) and it, so a text of many "issued a notice for ..." without
        # an end is searched once, not once per name
        searched, end = last
        if not (searched <= m.end("name") and end is not None and end.start() >= m.end("name")):
            end = _NAME_END.search(view.clean, m.end("name"), hi)
            last = (m.end("name"), end)
        stop = end.start() if end else hi
        if stop - m.start("name") > 200 or stop <= m.end("name"):
            continue
        out.append((m.start("name"), stop))
    return out


def _list_names(view: View, lo: int, hi: int) -> list[tuple[int, int]]:
    """"The first batch of ... bases are:": the list's own name."""
    heads = document_heads()
    out = []
    for m in _LIST_INTRO.finditer(view.clean, lo, hi):
        name = m.group("name")
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", name)]
        if any(w in heads and heads[w] == "DesignationList" for w in words[:3]):
            out.append((m.start("name"), m.end("name")))
    return out


_QUOTED = re.compile(r"[“\"](?P<name>[^“”\"\n]{2,120}?)[”\"]")


def _quoted(view: View, lo: int, hi: int) -> list[tuple[int, int]]:
    """A name in quotation marks whose last word is a document head word, whatever its other
    words: “Data 20 Measures”, "Several Provisions"."""
    heads = document_heads()
    out = []
    for m in _QUOTED.finditer(view.clean, lo, hi):
        words = re.findall(r"[A-Za-z]+", m.group("name"))
        if words and words[-1].lower() in heads and words[-1][0].isupper():
            out.append((m.start("name"), m.end("name")))
    return out


#: Where one name ends with its bracket and the next begins: "... Internet Hospitals (Trial) and
#: the Standards for ...", "... (Trial), the Measures for ...".
_JOINED = re.compile(r"(?<=[)）])\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?(?=[A-Z])")


def _split_joined(view: View, s: int, e: int) -> list[tuple[int, int]]:
    """A run of words read as one name, split where two names are joined after a bracket."""
    out = []
    for m in _JOINED.finditer(view.clean, s, e):
        out.append((s, m.start()))
        s = m.end()
    return [*out, (s, e)]


def name_spans(view: View, covered: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans (offsets into the document's text) of document names in ``view`` that no
    ``covered`` span (the block's emphasis) already names."""
    n = len(view.clean)
    found = _quoted(view, 0, n) + _issued(view, 0, n) + _list_names(view, 0, n) + _capitalised(view, 0, n)
    found = [piece for s, e in found for piece in _split_joined(view, s, e)]
    out: list[tuple[int, int]] = []
    # the names taken (disjoint, ordered) and the emphasis (ordered by start, with the furthest
    # end reached so far): whether a span overlaps one of them is a bisection
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    emphasis = sorted(covered)
    emphasis_starts = [a for a, _ in emphasis]
    emphasis_reach = list(itertools.accumulate((b for _, b in emphasis), max))
    for s, e in sorted(found, key=lambda x: (x[0], -(x[1] - x[0]))):
        while s < e and view.clean[s] in " *_\"“”'" and not (
                view.clean[s] in "\"“" and ("”" if view.clean[s] == "“" else "\"") in view.clean[s + 1:e]):
            s += 1  # (a quote that closes inside the name opens a quoted part of it: kept)
        while e > s and view.clean[e - 1] in " .,;:*_\"“”'":
            e -= 1
        if e <= s:
            continue
        i = bisect.bisect_left(taken_starts, e) - 1  # the last name taken that starts before e
        if i >= 0 and taken_ends[i] > s:
            continue
        start, end = view.origin(s, e)
        j = bisect.bisect_left(emphasis_starts, end) - 1  # emphasis that starts before end
        if j >= 0 and emphasis_reach[j] > start:
            continue
        taken_starts.insert(i + 1, s)
        taken_ends.insert(i + 1, e)
        out.append((start, end))
    return out


def full_names(view: View, shorts: Sequence[str]) -> list[tuple[int, int]]:
    """The full names a footnote gives ("Full names of the two documents: A and B."), split
    where the next name begins: the capitalised name that holds the next short name."""
    text = view.clean
    colon = text.find(":")
    if colon < 0:
        return []
    start = colon + 1
    end_m = re.search(r"\.(?:\s+[A-Z]|\s*$)", text[start:])
    end = start + end_m.start() if end_m else len(text)
    region = text[start:end]
    if _top_level(region, ";"):  # "A (Guo Fa [2023] No. 9); B; C; and D": the semicolons split
        out = []
        pos = 0
        for cut in [*_top_level(region, ";"), len(region)]:
            chunk = region[pos:cut]
            lead = len(chunk) - len(chunk.lstrip())
            chunk = re.sub(r"^\s*and\s+", "", chunk.strip())
            lead = region.find(chunk, pos)
            # a document number in brackets after the name is not part of it
            chunk = re.sub(r"\s*[(（][^()（）]*(?:No\.|\[\d{4}\]|〔\d{4}〕)[^()（）]*[)）]\s*$", "", chunk).rstrip(" .")
            if chunk:
                a, b = view.origin(start + lead, start + lead + len(chunk))
                out.append((a, b))
            pos = cut + 1
        return out
    # where each short name stands in the region: the start of the capitalised phrase holding it
    starts = set()
    for short in shorts:
        for m in re.finditer(rf"(?<!\w){re.escape(short)}(?!\w)", region):
            pos = m.start()
            while True:
                before = re.search(r"([A-Z][\w'’\-]*)\s+$", region[:pos])
                if not before:
                    break
                pos = before.start(1)
            starts.add(pos)
    starts.add(len(region) - len(region.lstrip()))
    bounds = sorted(starts)
    out = []
    for i, s in enumerate(bounds):
        e = bounds[i + 1] if i + 1 < len(bounds) else len(region)
        chunk = region[s:e]
        chunk = re.sub(r"(?:,?\s+and|,)\s*$", "", chunk.rstrip())
        if not chunk.strip():
            continue
        a, b = view.origin(start + s, start + s + len(chunk.rstrip()))
        out.append((a, b))
    return out


def _top_level(text: str, sep: str) -> list[int]:
    """Offsets of ``sep`` in ``text`` outside brackets."""
    depth = 0
    out = []
    for i, ch in enumerate(text):
        if ch in "(（[":
            depth += 1
        elif ch in ")）]" and depth:
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(i)
    return out


# ------------------------------------------------------------------------------ the recogniser

#: A footnote that gives the full names of documents named before by short forms.
FULL_NAMES = re.compile(r"\bfull\s+names?\b", re.IGNORECASE)
PARTS = re.compile(r"\b(?:entails?|includes?|contains?|comprises?|consists?\s+of|(?:is|are)\s+accompanied\s+by|"
                   r"attache[sd]?|annex(?:es|ed)?|comes?\s+with|has\s+(?:two|three|four)\s+parts)\b", re.IGNORECASE)
#: "forms the annex to", "is part of", "is attached to": the document before is part of the one after.
PART_OF = re.compile(r"\b(?:forms?|formed|is|are|was|were|constitutes?)\s+(?:an?\s+|the\s+)?(?:integral\s+)?(?:part|annex|"
                     r"attachment|appendix)\s+(?:of|to)\b|\b(?:is|are|was|were)\s+(?:annexed|attached|appended)\s+to\b",
                     re.IGNORECASE)
#: "Attached to it is the Work Plan ...", "Annexed to the notice are ...": the whole first.
_ATTACHED_TO = re.compile(r"^\W*(?:Attached|Annexed|Appended)\s+to\s+(?P<whole>.{1,80}?)\s+(?P<verb>is|are|was|were)\s+",
                          re.IGNORECASE)
#: "the notice", "this plan": the words of mappings/patterns/anaphora.toml ([document]).
ANAPHORA = _anaphora.document_anaphora()
#: "Data Security Law (DSL)": a name with its abbreviation in brackets.
_NAME_AND_ABBREVIATION = re.compile(r"(.+?)\s*\(([A-Z][A-Za-z0-9&]*[A-Z0-9])\)")
#: A name that says whose document it is: "Notice of the State Council on ...".
_ISSUER_IN_NAME = re.compile(r"(?:the\s+)?(?P<head>(?:[A-Z][\w'’-]*\s+){0,3}?[A-Z][\w'’-]*)\s+of\s+(?:the\s+)?"
                             r"(?P<who>[A-Z].*?)\s+(?:on|for|regarding|concerning|about|to)\s+\S")
#: Where the issuers named in a document's name may end (:func:`issuers_in_names`).
_WHO_ENDS = re.compile(r"\s+(?:on|for|regarding|concerning|about|to)\s+(?=\S)")
#: "Notice on Issuing the X", "Circular of the State Council on Printing and Distributing the X".
_ISSUING_NAME = re.compile(r"(?:Notice|Circular)\b.*?\bon\s+(?:Issuing|Printing\s+and\s+Distributing|Publishing|"
                           r"Releasing)\s+(?:the\s+)?(?P<part>.+)$", re.IGNORECASE)
#: "the CAC's" right before a document's name: its issuer.
_POSSESSIVE = re.compile(r"(?P<who>(?:[A-Z][\w&\-]*\s+){0,8}[A-Z][\w&]*(?:-[A-Z][\w&]*)*)(?:['’]s|-(?:issued|released|published))\s+$")
#: "MIIT-issued " before a document's name: no part of it.
_ISSUED_PREFIX = re.compile(r"[A-Z][\w&]*-(?:issued|released|published)\s+")
_LOWER_WORD = re.compile(r"\b[a-z]+\b")
#: Right before a name given to a document already named: 'widely called the "Data 20 Measures"'.
_CALLED = re.compile(r"\b(?:called|known\s+as|referred\s+to\s+as|dubbed|nicknamed)\s+(?:the\s+)?[*_]*[“\"]?[*_]*$",
                     re.IGNORECASE)


def the_update(ctx: Context) -> None:
    """The policy update itself: the document entity of the source, named by its title."""
    doc = ctx.doc
    title = doc.slice(doc.title).strip()
    update = record("document", ctx.evidence(doc.title.start, doc.title.end), iri=ctx.source,
                    cls="PolicyUpdate", label=title)
    ctx.entities[ctx.source] = update


def find_documents(ctx: Context) -> None:
    """Documents: bold or italic names with a document head word, and lexicon documents."""
    doc = ctx.doc
    # the names: emphasis (bold, italic), and names the words give where no emphasis does
    candidates: list[tuple[str, int, int]] = []
    annexes: dict[str, str] = {}  # names without a head word that an "annex" before them makes documents
    abbreviated: dict[str, str] = {}  # name -> the abbreviation written after it
    name_notes = []  # footnotes that give full names
    for block in doc.blocks:
        # (a table's header names its columns: "Batch | Notice dated | Creation areas")
        if block.kind in ("title", "dateline", "category", "preamble", "header"):
            continue
        view = block_view(doc, block)
        if block.kind == "footnote" and FULL_NAMES.search(view.clean):
            name_notes.append((block, view))
            continue
        # (a footnote's italics name a document only where they end in its head word: "*Provisions
        # on the Scope of ...*"; other italics of a note are titles of articles, words in pinyin)
        emphasis = block.bold + (block.italic if block.kind != "footnote" else tuple(
            i for i in block.italic if class_by_head("document", " ".join(doc.text[i.start:i.end].strip(" *_").split()))))
        spans = [(s.start, s.end) for s in emphasis]
        spans += name_spans(view, [(s.start, s.end) for s in block.bold + block.italic])
        emphasised = {(s.start, s.end) for s in emphasis}
        cells = {" ".join(doc.text[c.start:c.end].strip(" *_`").split()) for c in block.cells}
        for start, end in sorted(spans):
            name = " ".join(View.of(doc.text, start, end, markup=doc.markup).clean.split()).strip(" .,:;*")
            if " " not in name and name in cells:
                continue  # a table's cell of one word, "Standards": the row's category, no document
            if (start, end) in emphasised and not class_by_head("document", name) and \
                    _ANNEX_BEFORE.search(doc.text[max(block.start, start - 60):start]):
                # "The annex to the notice, **Pilot Tasks and Division of Responsibilities**,
                # contains nine tasks": a name in apposition to "annex" names a table of measures
                annexes[name] = "MeasureTable"
                candidates.append((name, start, end))
                continue
            dated = _DATE_AFTER_NAME.search(name)
            if dated and dated.start() > 0:  # "Regulations on ... (October 2024)": the date is no part of it
                name = name[:dated.start()].rstrip()
                end = _origin_end(doc, start, end, name)
            if block.kind == "heading" and name.split() and not name.split()[-1][:1].isupper():
                continue  # a heading "Key provisions" names a part of the update, no document
            if (start, end) in emphasised and _NO_NAME.search(name):
                continue  # an italic disclaimer, a sentence in bold: no document's name
            if _BATCH_OF_AREAS.fullmatch(name):
                continue  # "the first batch of six pilot cities": a document's pilot areas
            if re.fullmatch(r"(?:the\s+)?(?:table|figure|chart|box)", name, re.IGNORECASE) and \
                    re.match(r"\s*\d", doc.text[end:end + 4]):
                continue  # "shown in Table 2 below", "Table 1: Pilot units": the update's own table
            short = _NAME_AND_ABBREVIATION.fullmatch(name)
            if short:  # "Data Security Law (DSL)": the name, and its abbreviation beside it
                name = short.group(1)
                abbreviated[name] = short.group(2)
            candidates.append((name, start, end))
    # national standards named by their code ("GB 45438-2025", "GB/T 35273-2020"): documents
    # without a head word; a title right after the code is the same standard's
    titled: dict[str, str] = {}  # code -> the title written after it
    codes = _standard_codes(doc, candidates)
    if codes:
        candidates.sort(key=lambda c: c[1])
        starts = [c[1] for c in candidates]
        titles: set[int] = set()  # the candidates that are a code's title
        for name, start, end in codes:
            annexes[name] = "PolicyDocument"
            i = bisect.bisect_left(starts, end)
            gap = _CODE_TITLE_GAP.fullmatch(doc.text, end, starts[i]) if i < len(candidates) and \
                starts[i] <= end + 80 else None
            if gap:  # "GB/T 35273-2020, Information Security Technology - Personal ... Specification"
                title = View.of(doc.text, end + gap.end("lead") - gap.start(), candidates[i][2], markup=doc.markup)
                titled[name] = " ".join(title.clean.split()).strip(" .,:;*")
                titles.add(i)
        candidates = [c for i, c in enumerate(candidates) if i not in titles] + codes
    candidates.sort(key=lambda c: c[1])
    # "a notice¹" where footnote ¹ gives full names: a document, named by its head word; and
    # "issued an official reply approving ...[^2]" where the note's full name is a "Reply ...":
    # the one lower-case head word of the marker's sentence that heads a name in the note
    note_heads = {b.footnote: {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", v.clean)}
                  for b, v in name_notes}
    heads = document_heads()
    taken = Coverage()
    noted: set[tuple[int, int]] = set()  # head words a footnote's full name stands behind
    for _, s0, e0 in candidates:
        taken.add(s0, e0)
    for block in doc.blocks:
        markers = [m for m in block.markers if m.label in note_heads]
        if not markers:
            continue
        view = block_view(doc, block)
        spans_of_block: list[tuple[int, int]] | None = None  # the block's sentences, split once
        for marker in markers:
            word = re.search(r"(?<![\w'’-])([a-z]+)$", doc.text[max(block.start, marker.start - 30):marker.start])
            if word and word.group(1) in heads:
                spans = [(marker.start - len(word.group(1)), marker.start)]
            else:
                if spans_of_block is None:
                    spans_of_block = list(sentences(view))
                at = bisect.bisect_left(view.offsets, marker.start)
                # the first sentence that holds ``at`` (where one ends at ``at`` and the next
                # begins there, the one that ends)
                i = bisect.bisect_right(spans_of_block, (at, len(view.clean) + 1)) - 1
                if i > 0 and spans_of_block[i - 1][1] >= at:
                    i -= 1
                sentence = spans_of_block[i] if i >= 0 and spans_of_block[i][0] <= at <= spans_of_block[i][1] else None
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
    found: list[tuple[str, int, int]] = []  # the full names the footnotes give
    used: set[tuple[int, int]] = set()  # full names a short form took
    shorts = [name for name, _, _ in candidates if class_by_head("document", name)]
    for block, view in name_notes:
        if block.italic:
            found += [(doc.slice(s), s.start, s.end) for s in block.italic]
        else:
            for s, e in full_names(view, shorts):
                name = " ".join(View.of(doc.text, s, e, markup=doc.markup).clean.split())
                dated = _DATE_AFTER_NAME_IN_LIST.search(name)
                if dated and dated.start() > 0:  # "Guide to ... (First Edition), 30 May 2023": its date
                    name = name[:dated.start()].rstrip()
                    e = _origin_end(doc, s, e, name)
                found.append((name, s, e))
    footnoted = _FullNames(found)
    deferred: list[tuple[str, str | None, int, int]] = []  # short forms named before their document
    for name, start, end in candidates:
        cls = class_by_head("document", name) or annexes.get(name)
        if cls is None and (start, end) in noted:  # "reply", which only a capital makes a head elsewhere
            cls = class_by_head("document", name.capitalize())
        entry = ctx.lexicon.lookup(name, ["document"])
        if entry is None and cls is None:
            continue
        if entry is None and _bare_reference(name) and not footnoted.of(name) and \
                ctx.document_named(normalise(name).lower(), None) is None and _defined_short(ctx, name) is None \
                and _short_form_of(ctx, name) is None \
                and _named_in_parentheses(ctx, start, name) is None:  # "(... No. 594; the 2020 Notice)": given here
            deferred.append((name, cls, start, end))
            continue
        _add_document(ctx, name, cls, entry, start, end, footnoted, used)
    for d in ctx.documents:
        if d.short in abbreviated and d.lexicon is None:
            d.alt.add(abbreviated[d.short])
        if d.short in titled and d.lexicon is None:
            d.alt.add(titled[d.short])
    # a footnote of full names names documents of its own: those the text named by no
    # short form are documents all the same ("a notice¹ that contains ...")
    for name, start, end in footnoted:
        if (start, end) in used:
            continue
        clean = " ".join(re.sub(r"\*+", "", name).split()).strip(" .,;:")
        cls = class_by_head("document", clean)
        entry = ctx.lexicon.lookup(clean, ["document"])
        if cls is None and entry is None:
            continue
        _add_document(ctx, clean, cls, entry, start, end, _FullNames(), used)
    # "the 2021 Provisions", "the January 2024 Notice", "the Notice and Work Plan" before (or
    # without) the name of their document: the one document of that kind the text names, else,
    # where it names none, a document of its own; where it names several, left out (unsure)
    # ("the 2020 Notice" again, after "(Jian Ban Cheng Han [2020] No. 594; the 2020 Notice)" gave
    # that name to one document: that document)
    given_names: dict[str, set[int]] = {}
    for position, d in enumerate(ctx.documents):
        for a in d.alt:
            given_names.setdefault(normalise(a).casefold(), set()).add(position)
    for name, cls, start, end in deferred:
        given_to = given_names.get(normalise(name).casefold(), set())
        if len(given_to) == 1:
            ctx.mentions.add(start, end, ctx.documents[next(iter(given_to))])
            continue
        parts = _COMPOUND.fullmatch(normalise(name))
        if parts:  # "the Notice and Work Plan": two short forms, never one document
            for part in (parts.group(1), parts.group(2)):
                d = _short_form_of(ctx, _undated(part))
                if d is not None:
                    d.alt.add(part)
            continue
        pointing = _DEMONSTRATIVE.match(name)  # "Those Rules": the Rules named before, no name of theirs
        fits = _short_form_of(ctx, _undated(name[pointing.end():] if pointing else name))
        if fits is not None:
            if not pointing:
                fits.alt.add(name)
            ctx.mentions.add(start, end, fits)
        elif any(document_head(d.label) and (document_head(d.label) or "").casefold() ==
                 (document_head(name) or "").casefold() for d in ctx.documents) or _undated(name) != name:
            ctx.warn(ctx.doc.line_of(start), f"{name!r} names a document of that kind the text does not name "
                                             f"in full, or one of several: left out")
        else:
            _add_document(ctx, name, cls, None, start, end, footnoted, used)
    _named_before_their_short_name(ctx, given_names)
    # lexicon documents mentioned anywhere (laws named without bold)
    for block in doc.blocks:
        if block.kind in ("title", "dateline", "preamble"):
            continue
        view = block_view(doc, block)
        for m in ctx.lexicon_matches(view, ["document"]):
            entry = ctx.lexicon.get("document", m.iri.rsplit("/", 1)[1])
            _add_document(ctx, doc.text[m.start:m.end], None, entry, m.start, m.end, footnoted, used)
    # later plain mentions of the documents' names ("The Overall Plan generally proposes")
    # (a one-word name, "Table", only as written, capital and all; longer names in any case)
    # (and the capitalised names given to one document only: "the “Plan”", "the “Guizhou Reply”")
    owners: dict[str, set[str]] = {}
    for d in ctx.documents:
        for a in d.alt | {d.short}:
            owners.setdefault(normalise(a).casefold(), set()).add(d.iri)
    given = [(a, d) for d in ctx.documents for a in sorted(d.alt)
             if a[:1].isupper() and a != d.short and len(owners[normalise(a).casefold()]) == 1]
    names = sorted([(d.short, d) for d in ctx.documents] + given + _lower_case_aliases(ctx), key=lambda x: -len(x[0]))
    finder = DocumentNames(names)
    for block in doc.blocks:
        if block.kind in ("title", "dateline", "preamble"):
            continue
        view = block_view(doc, block)
        for index, lo, hi in finder.find(view.clean):
            start, end = view.origin(lo, hi)
            ctx.mentions.add(start, end, names[index][1])


#: The code of a national or sector standard: "GB 45438-2025", "GB/T 35273-2020", "YD/T 3802-2020".
STANDARD_CODE = re.compile(r"(?<![\w/-])(?:GB|GB/T|GB/Z|[A-Z]{2}/T|[A-Z]{2})\s?\d{3,5}(?:\.\d{1,2})?[-—–]\d{4}(?![\w-])")
#: Between a standard's code and the name found after it: spaces, a comma, a dash, emphasis
#: marks (group ``lead``), then the first words of its title ("Information Security Technology -").
_CODE_TITLE_GAP = re.compile(r"(?P<lead>[\s,*_—–-]*)(?:[A-Z][\w'’]*(?:-\s*\n?\s*[a-z]+)?[\s—–-]+){0,6}")


def _standard_codes(doc: Document, candidates: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The standards' codes the text writes outside the names already found (a code inside a
    name, "... Specification (GB/T 35273-2020)", is that name's)."""
    covered = Coverage()
    for _, start, end in candidates:
        covered.add(start, end)
    found = []
    for block in doc.blocks:
        if block.kind in ("title", "dateline", "category", "preamble"):
            continue
        view = block_view(doc, block)
        for m in STANDARD_CODE.finditer(view.clean):
            start, end = view.origin(m.start(), m.end())
            if not covered.covers(start):
                found.append((" ".join(m.group(0).split()), start, end))
    return found


#: "(the pilot notice)", "(hereinafter the labelling opinions)": a lower-case short name that
#: the text gives a document in brackets right after its name.
_LOWER_ALIAS = re.compile(r"[\s*_”\"]*\(\s*(?:hereinafter\s+(?:referred\s+to\s+as\s+)?)?(?:the\s+)?[“\"]?"
                          r"(?P<name>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})[”\"]?\s*\)")


def _lower_case_aliases(ctx: Context) -> list[tuple[str, NamedDocument]]:
    """The lower-case short names given in brackets after documents' names (see
    :data:`_LOWER_ALIAS`) that end in a head word: each, with its document."""
    out = []
    heads = document_heads()
    for _, end, d in ctx.mentions:
        m = _LOWER_ALIAS.match(ctx.doc.text, end, min(len(ctx.doc.text), end + 60))
        if m and m.group("name").split()[-1] in heads and len(m.group("name").split()) >= 2:
            d.alt.add(m.group("name"))
            out.append((m.group("name"), d))
    return out


def _add_document(ctx: Context, name: str, cls: str | None, entry: Entry | None, start: int, end: int,
                  footnoted: _FullNames, used: set[tuple[int, int]]) -> None:
    """The document named ``text[start:end]``: one found before (by its name, a short form, a
    name given to it in brackets) or a new one; ``used`` gets the full name a new one takes."""
    known = ctx.document_named(normalise(name).lower(), entry)
    if known is not None and entry is None and known.lexicon is None and not known.alt and \
            len(normalise(name).split()) <= 3:
        owner = _named_in_parentheses(ctx, start, name)
        if owner is not None and owner is not known:
            # "A twelve-department Upgrade Plan ...", then "the 5G ... Upgrade Plan (the Upgrade
            # Plan)": the short name was this document's from the first
            ctx.mentions.reassign(known, owner)
            ctx.documents = [x for x in ctx.documents if x is not known]
            known = None
    if known is not None:
        ctx.mentions.add(start, end, known)
        return
    if entry is None:
        named = _named_in_parentheses(ctx, start, name)
        if named is None and _CALLED.search(ctx.doc.text[max(0, start - 40):start]):
            named = ctx.last_document_before(start)  # 'they are widely called the "Data 20 Measures"'
        if named is not None:  # "the Opinions ... (the “Data 20 Measures”, December 2022)"
            named.alt.add(name)
            ctx.cache.setdefault("defined-short-names", {}).setdefault(_short_key(name), named)
            ctx.mentions.add(start, end, named)
            return
        known = _defined_short(ctx, name) or _short_form_of(ctx, name)
        if known is not None:  # "the Measures", "the 2020 Measures", "the Labelling Measures"
            known.alt.add(name)
            ctx.mentions.add(start, end, known)
            return
        if _several_short_forms(ctx, name):  # "the Guiding Opinions" after two Guiding Opinions
            ctx.warn(ctx.doc.line_of(start), f"{name!r} may be any of the documents of that kind "
                                             f"named before: left out")
            return
        bare = normalise(name).strip().split()
        if len(bare) == 1 and not footnoted.of(name) and \
                sum((document_head(d.label) or "").casefold() == bare[0].casefold() for d in ctx.documents) > 1:
            # "the List" where the text has named two lists: unsure which, left out
            ctx.warn(ctx.doc.line_of(start), f"{name!r} may be any of the documents of that kind "
                                             f"named before: left out")
            return
    evidence = ctx.evidence(start, end)
    if entry is not None:
        iri = ctx.entity_from_lexicon(entry)
        d = NamedDocument(iri, entry.type or "PolicyDocument", name, entry.name_en, lexicon=entry,
                          evidence=evidence)
    else:
        full = footnoted.of(name)
        if full:
            used.add((full[1], full[2]))
        label = capitalise(full[0] if full else name)
        slug = document_slug(label)
        d = NamedDocument(_reserve_document(ctx, document_iri(slug), label, evidence), cls or "PolicyDocument",
                          name, label, evidence=evidence)
        if full:
            d.alt.add(name)
            d.evidence = ctx.evidence(full[1], full[2])
    ctx.documents.append(d)
    ctx.mentions.add(start, end, d)


#: What opens the brackets of a short name given after a document's name: "(the “", "(hereinafter
#: “", and the document's number before it: "(Guo Fa [2021] No. 24; the ", "(Decree No. 722, the ".
_SHORT_NAME_OPENS = re.compile(r"\(\s*(?:[^()\n]{1,60}?\bNo\.\s*\d+\s*[;,]\s*)?"
                               r"(?:hereinafter(?:\s+referred\s+to\s+as)?\s+|or\s+)?(?:the\s+)?[*_]*[“\"]?[*_]*$")


def _named_before_their_short_name(ctx: Context, given_names: dict[str, set[int]]) -> None:
    """"A twelve-department Upgrade Plan, released on 26 November 2024, ..." before "the 5G
    Scaled Application ... Upgrade Plan (the Upgrade Plan)": a short name written before the
    text gives it to a document (at most three words, none of them a preposition) is that
    document, not one of its own."""
    documents = list(ctx.documents)
    for d in documents:
        words = normalise(d.label).split()
        given_to = given_names.get(normalise(d.label).casefold(), set())
        if d.lexicon is not None or d.alt or len(words) > 3 or len(given_to) != 1 or \
                any(w.lower() in _PREPOSITIONS for w in words):
            continue
        owner = documents[next(iter(given_to))]
        if owner is d:
            continue
        ctx.mentions.reassign(d, owner)
        ctx.documents = [x for x in ctx.documents if x is not d]


def _short_key(name: str) -> str:
    return " ".join(w for w in normalise(name).lower().split() if w != "the")


def _defined_short(ctx: Context, name: str) -> NamedDocument | None:
    """The document whose short name, given in brackets after its name, ``name`` is ("the
    Algorithm Provisions" after '(the “Algorithm Provisions”)', though "Algorithm" is no word
    of its name)."""
    defined = ctx.cache.get("defined-short-names", {})
    # (also written with a date or a qualifier: "the July 2021 Sailing Plan", "the Upgrade Plan (end-2027)")
    return defined.get(_short_key(name)) or defined.get(_short_key(_undated(re.sub(r"\s*[(（][^()（）]*[)）]", " ", name))))


def _named_in_parentheses(ctx: Context, start: int, name: str = "") -> NamedDocument | None:
    """The document named right before "(the “Short Name”" (or "(hereinafter “...”"), of
    which the name at ``start`` is a short form; else ``None``. Also the document named
    earlier in the same clause when ``name`` has its head word and no word its name lacks,
    years aside ("the Guiding Opinions on ..., issued by the four departments on 23 December
    2020 (the “2020 Guiding Opinions”)")."""
    before = ctx.doc.text[max(0, start - 120):start]
    m = _SHORT_NAME_OPENS.search(before)
    if not m:
        return None
    paren = start - (len(before) - m.start())
    i = ctx.mentions.count_before(paren) - 1
    if i < 0:
        return None
    _, e, d = ctx.mentions.items[i]
    gap = ctx.doc.text[e:paren]
    if re.fullmatch(r"[\s*_”\"]*(?:\[\^?\w+\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)?[\s*_]*", gap):
        return d
    words = [w for w in re.findall(r"[\w'’-]+", _undated(normalise(name))) if w.lower() != "the"]
    label = normalise(d.label).lower()
    if words and len(gap) <= 150 and not re.search(r"[.;:!?]\s|\n\s*\n", gap) and \
            words[-1].lower() == (document_head(d.label) or "").lower() and \
            all(re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", label) for w in words[:-1]):
        return d
    return None


#: A date in brackets right after a name: "(October 2024)", "(22 March 2024)" (not "(2024
#: Edition)" nor "(2024–2026)", which are part of it).
_DATE_AFTER_NAME = re.compile(rf"\s*\(\s*(?:\d{{1,2}}\s+)?(?:{MONTH_PATTERN})\.?(?:\s+\d{{1,2}},?)?\s+\d{{4}}\s*\)$",
                              re.IGNORECASE)
#: What no document's name holds: a second sentence, a semicolon, an e-mail address, thirty words.
_NO_NAME = re.compile(r"[;@]|\.\s+[A-Z]|(?:\S+\s+){30}")
#: "the first batch of six pilot cities", "a second batch of 10 pilot provinces": the areas a
#: document designates, named as a batch, not a list of its own (a batch of sites, "the first
#: batch of digital service export bases", is one)
_BATCH_OF_AREAS = re.compile(r"(?:the\s+|a\s+)?(?:\w+\s+)?batch\s+of\s+(?:(?:\w+|\d+)\s+)?(?:national\s+)?"
                             r"(?:pilot|demonstration|experimental)?\s*(?:cities|provinces|areas|regions|zones|"
                             r"counties|municipalities|districts|localities)", re.IGNORECASE)
#: "The annex to the notice, ", "its attachment ", "an appendix titled ": what makes the bold
#: name after it, which has no head word of its own, a document.
_ANNEX_BEFORE = re.compile(r"\b(?:the|an|its|their)\s+(?:annex|attachment|appendix)(?:es)?(?:\s+to\s+the\s+\w+)?"
                           r"(?:\s*,|\s+(?:titled|entitled|called|named))?\s*[*_“\"]*$", re.IGNORECASE)
#: A date after a name in a list of full names: ", 30 May 2023", " (30 May 2023)".
_DATE_AFTER_NAME_IN_LIST = re.compile(rf"\s*(?:,|\()\s*(?:\d{{1,2}}\s+)?(?:{MONTH_PATTERN})\.?(?:\s+\d{{1,2}},?)?\s+\d{{4}}\s*\)?$",
                                      re.IGNORECASE)
#: A year as a word of a name.
_YEAR_WORD = re.compile(r"(?:19|20)\d\d")
#: Years and months in a short form: "the 2021 Provisions", "the January 2024 Notice".
_DATE_WORDS = re.compile(rf"\b(?:(?:19|20)\d\d|{MONTH_PATTERN})\b\.?", re.IGNORECASE)
#: Two short forms joined: "the Notice and Work Plan", "the Measures and the List".
_COMPOUND = re.compile(r"(?:the\s+)?((?:[\w'’-]+\s+){0,2}[\w'’-]+)\s+and\s+(?:the\s+)?((?:[\w'’-]+\s+){0,2}[\w'’-]+)",
                       re.IGNORECASE)


def _origin_end(doc: Document, start: int, end: int, name: str) -> int:
    """The end, in the document's text, of ``name``, a prefix of the name at ``start``."""
    view = View.of(doc.text, start, end, markup=doc.markup)
    i = view.clean.find(name[-8:], max(0, len(name) - 16))
    return view.origin(0, i + len(name[-8:]))[1] if i >= 0 else end


def _undated(name: str) -> str:
    """A short form without its years and months: "the January 2024 Notice" -> "the Notice"."""
    return " ".join(_DATE_WORDS.sub(" ", name).split())


_DEMONSTRATIVE = re.compile(r"(?:this|that|these|those)\s+", re.IGNORECASE)


def _bare_reference(name: str) -> bool:
    """A name that only refers to a document: "the Measures", "the 2021 Provisions", "the
    January 2024 Notice", "the Notice and Work Plan" — the article, dates and at most two
    words before a head word, or two such joined by "and"."""
    parts = _COMPOUND.fullmatch(normalise(name))
    names = [parts.group(1), parts.group(2)] if parts else [name]
    for part in names:
        words = [w for w in re.findall(r"[\w'’-]+", _undated(normalise(part)))
                 if w.lower() not in ("the", "this", "that", "these", "those")]
        if not words or len(words) > (2 if parts else 1) or words[-1].lower() not in document_heads():
            return False
    return True


def _short_form_of(ctx: Context, name: str) -> NamedDocument | None:
    """The document a short form names: "Measures", "2020 Measures", "Labelling Measures"
    (at most three words, ending in a document head word) stand for the one document
    named before whose head is that word and whose name holds the other words (a year
    among them). ``None`` when no document or more than one fits (unsure)."""
    # (a qualifier in brackets is no word of it: "the Measures (Trial)")
    all_words = re.findall(r"[\w'’-]+", normalise(re.sub(r"\s*[(（](?:Trial|Draft|Interim)[)）]", "", name)))
    months = [w for w in all_words if re.fullmatch(MONTH_PATTERN, w, re.IGNORECASE)]
    words = [w for w in all_words
             if w.lower() != "the" and not re.fullmatch(MONTH_PATTERN, w, re.IGNORECASE)]  # "the July 2021 Sailing Plan"
    if not words or len(words) > 3 or words[-1][:1].islower():
        return None
    head = words[-1].lower()
    if head not in document_heads():
        return None
    fits = _short_form_fits(ctx, words, most=2)
    if not fits and any(_YEAR_WORD.fullmatch(w) for w in words[:-1]):
        # "the 2019 Interim Provisions" for the "Interim Provisions on ..." whose name holds no
        # year: the one document of the other words, when no year in its names says otherwise
        fits = [d for d in _short_form_fits(ctx, [w for w in words if not _YEAR_WORD.fullmatch(w)], most=2)
                if not any(re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", n) for n in (d.label, *d.alt))]
    if len(fits) > 1 and months and len(months) == 1:
        # "the August Notice": of the notices named, the one dated in August where it was named
        # ("the Notice on ..., dated 25 August 2022")
        fits = [d for d in _short_form_fits(ctx, words, most=None) if _dated_in_month(ctx, d, months[0])]
    if len(fits) > 1:
        # "the Provisions" beside "Provisions on X" and "Interim Provisions on X": the one whose
        # name begins with the short form (the other one a writer calls "the Interim Provisions")
        said = " ".join(words).casefold()
        fits = [d for d in _short_form_fits(ctx, words, most=None)
                if normalise(d.label).casefold().startswith(said + " ") or normalise(d.label).casefold() == said]
    return fits[0] if len(fits) == 1 else None


def _dated_in_month(ctx: Context, d: NamedDocument, month: str) -> bool:
    """Whether a mention of ``d`` is followed, within its sentence, by a date in ``month``
    ("..., dated 25 August 2022", "issued on 25 August")."""
    text = ctx.doc.text
    for _, end, named in ctx.mentions.items:
        if named is d:
            after = re.split(r"(?<=[.;])\s", text[end:end + 120], maxsplit=1)[0]
            if re.search(rf"\b\d{{1,2}}\s+{month}\b|\b{month}\s+\d{{1,2}}\b", after, re.IGNORECASE):
                return True
    return False


#: Public name of :func:`_short_form_of` (the references read subjects with it).
short_form_of = _short_form_of


def _short_form_fits(ctx: Context, words: list[str], most: int | None = None) -> list[NamedDocument]:
    """The documents named so far whose head is ``words[-1]`` and whose name holds the other
    words (at most ``most`` of them). Looked up in an index of the documents by head word and
    by the words of their names (:class:`_ShortForms`), not by reading every name: a text that
    names thousands of documents is not read again for each."""
    index = ctx.cache.get("short-forms")
    if not isinstance(index, _ShortForms) or not index.current(ctx.documents):
        index = ctx.cache["short-forms"] = _ShortForms(ctx.documents)
    index.update(ctx.documents)
    head = words[-1].lower()
    candidates = index.by_head.get(head, [])
    parts = [p for w in words[:-1] for p in re.findall(r"\w+", w.lower())]
    # a year the name does not hold may be one its short name gave ("the 2020 Guiding Opinions"
    # after '(the "2020 Guiding Opinions")'): the candidates come from the other words
    named = [p for p in parts if not _YEAR_WORD.fullmatch(p)] or parts
    if named:
        rarest = min(named, key=lambda p: len(index.by_word.get((head, p), ())))
        candidates = index.by_word.get((head, rarest), [])
    fits = []
    for d in candidates:
        text = normalise(d.label).lower()
        given = " ".join(normalise(a).lower() for a in d.alt)
        if all(re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", text) or _YEAR_WORD.fullmatch(w)
               and re.search(rf"(?<!\w){w}(?!\w)", given) for w in words[:-1]):
            fits.append(d)
            if most is not None and len(fits) >= most:
                break
    return fits


class _ShortForms:
    """The documents named so far by head word, and by (head word, a word of the name), in the
    order they were named; brought up to date as documents are added (:meth:`update`)."""

    def __init__(self, documents: list[NamedDocument]) -> None:
        self.by_head: dict[str, list[NamedDocument]] = {}
        self.by_word: dict[tuple[str, str], list[NamedDocument]] = {}
        self.seen: list[NamedDocument] = []

    def current(self, documents: list[NamedDocument]) -> bool:
        """Whether the documents are still those indexed, with more perhaps added after them."""
        n = len(self.seen)
        return len(documents) >= n and (n == 0 or documents[n - 1] is self.seen[-1])

    def update(self, documents: list[NamedDocument]) -> None:
        for d in documents[len(self.seen):]:
            self.seen.append(d)
            head = (document_head(d.label) or "").lower()
            self.by_head.setdefault(head, []).append(d)
            for word in set(re.findall(r"\w+", normalise(d.label).lower())):
                self.by_word.setdefault((head, word), []).append(d)


def _several_short_forms(ctx: Context, name: str) -> bool:
    """Whether ``name`` is a short form ("the Guiding Opinions") that fits more than one of the
    documents named so far: unsure which, so none."""
    words = [w for w in re.findall(r"[\w'’-]+", normalise(name)) if w.lower() != "the"]
    if not words or len(words) > 3 or words[-1][:1].islower() or words[-1].lower() not in document_heads():
        return False
    return len(_short_form_fits(ctx, words, most=2)) > 1


def _reserve_document(ctx: Context, iri: str, label: str, evidence: Evidence) -> str:
    """The IRI of a new document: ``iri``, unless the lexicon or another document of this
    text has it (two names alike in their first six words): then one of its own."""
    key = normalise(label).casefold()
    holder = ctx.document_names.get(iri)
    if (holder is not None and holder != key) or ctx.taken("document", iri, label) and holder is None \
            and iri in ctx.entities:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
        ctx.warn(evidence.line, f"the document {label!r} would take the IRI <{iri}> of another "
                                f"document; minted <{iri}-{digest}> instead")
        iri = f"{iri}-{digest}"
    elif ctx.lexicon.get("document", iri.rsplit("/", 1)[1]) is not None:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
        ctx.warn(evidence.line, f"the document {label!r} would take the IRI <{iri}> of the "
                                f"lexicon's document; minted <{iri}-{digest}> instead")
        iri = f"{iri}-{digest}"
    ctx.document_names.setdefault(iri, key)
    return iri


class _FullNames:
    """The full names the footnotes give (``(name, start, end)``, in order), and the one of them
    a short name stands for (:meth:`of`). Each name is split into words once, and a short name
    is compared only with the names that hold its rarest word, once per distinct short name: a
    text that names thousands of documents is not re-read for each of them."""

    def __init__(self, names: Sequence[tuple[str, int, int]] = ()) -> None:
        self.names = list(names)
        self._words = [frozenset(w.lower() for w in re.findall(r"[\w']+", n[0])) for n in self.names]
        self._lengths = [len(re.findall(r"[\w']+", n[0])) for n in self.names]
        self._heads = [(document_head(n[0]) or "").casefold() for n in self.names]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for index, words in enumerate(self._words):
            for word in words:
                self._postings[word].append(index)
        self._memo: dict[str, tuple[str, int, int] | None] = {}

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        return iter(self.names)

    def of(self, short: str) -> tuple[str, int, int] | None:
        """The full name a footnote gives for ``short``: the one headed like it, else the shortest."""
        if short not in self._memo:
            self._memo[short] = self._find(short)
        return self._memo[short]

    def _find(self, short: str) -> tuple[str, int, int] | None:
        words = {w.lower() for w in re.findall(r"[\w']+", short)}
        if not words:
            return None
        head = (document_head(short) or "").casefold()
        rarest = min(words, key=lambda w: len(self._postings.get(w, ())))
        fits = []
        for index in self._postings.get(rarest, ()):
            full = self.names[index]
            if words <= self._words[index] and full[0].lower() != short.lower():
                # "Several Measures" is the full name headed "Measures", not the "Notice ... on
                # Issuing Several Measures ..." that holds the same words; then the shortest
                fits.append((self._heads[index] != head, self._lengths[index], index))
        return self.names[min(fits)[2]] if fits else None


def find_holder(ctx: Context) -> None:
    """The documents the numbered measures belong to (:attr:`Context.holders`, one per run of
    measures; :attr:`Context.holder` is the first run's), decided before the documents are
    emitted so that a list that holds measures is typed as a table of them.

    A run of measures is a sequence of articles with no paragraph or question heading between
    them; the prose before a run may hand the measures to another document: a table or list of
    measures it names ("The Notice comes with an Attached Table of 30 measures"), else a
    document it says has them ("The Opinions have 32 numbered items"), else the one document a
    heading names ("And the Specification?"). The first run without such prose
    goes to the table or list of measures named last before the first measure ("The Table
    sets out ..."), else to one named anywhere that no later run claims; else to the document
    the update is about, the first it names that is not a notice or a designation list ("the
    Measures", the Provisions, a law); else to a notice that holds them itself. ``None`` when
    the text names no document at all (then :func:`~policykg.pipeline.recognisers.measures.articles`
    makes a table of its own, with a warning). A later run without such prose keeps the
    holder of the run before it. Reads the documents :func:`find_documents` found.
    """
    runs = _runs(ctx)
    if not runs or not ctx.mentions:
        return
    claimed = [_holder_in_prose(ctx, lo, first) for lo, first in runs]
    later = {id(d) for d in claimed[1:] if d is not None}
    holder = claimed[0] or _first_holder(ctx, runs[0][1], later)
    holders: list[tuple[int, NamedDocument]] = []
    for (_, first), own in zip(runs, claimed):
        holder = own or holder
        if holder is None:
            continue
        if holder.cls == "DesignationList" and _lists_measures(holder):
            holder.cls = "MeasureTable"  # a list of numbered measures, not of sites
        if not holders or holders[-1][1] is not holder:
            holders.append((first.start, holder))
    ctx.holders = holders
    ctx.holder = holders[0][1] if holders and holders[0][0] == runs[0][1].start else None


#: A sentence that says a document has numbered measures: "The Opinions have 32 numbered
#: items", "the Plan sets out the following tasks", "The Measures contain 20 articles", "The
#: Guiding Opinions number their tasks (1) to (17)", "The 2020 Notice sets six pilot tasks".
_HOLDS = re.compile(rf"\b(?:ha(?:s|ve)|holds?|contains?|sets?(?:\s+out)?|defines?|specifies|lists?|compris(?:es|e)|includes?|"
                    rf"consists?\s+of|lays?\s+down|puts?\s+forward|numbers?|groups?|divides?|arranges?)\s+(?:the\s+(?={NUMBER}\s))?(?:(?:{NUMBER}|the\s+following|"
                    rf"following|these|its|their)\s+)(?:[\w-]+\s+){{0,2}}?(?:{_anaphora.measure_nouns()})\b", re.IGNORECASE)


#: A sentence that opens with the measures of the document named just before: "Its five tasks
#: are:", "Their measures include".
_ITS_MEASURES = re.compile(rf"\s*(?:its|their)\s+(?:{NUMBER}\s+)?(?:[\w-]+\s+)?(?:{_anaphora.measure_nouns()})\b",
                           re.IGNORECASE)


def _runs(ctx: Context) -> list[tuple[int, Block]]:
    """The runs of articles: for each, where the prose before it starts (the end of the run
    before, or 0) and its first article."""
    runs: list[tuple[int, Block]] = []
    prose_since = True
    last_end = 0
    for block in ctx.doc.blocks:
        if block.kind == "article":
            if prose_since:
                runs.append((last_end, block))
            prose_since = False
            last_end = block.end
        elif block.kind in ("paragraph", "heading"):
            prose_since = True
    return runs


def _holder_in_prose(ctx: Context, lo: int, first: Block) -> NamedDocument | None:
    """The document the prose in ``[lo, first.start)`` hands the next run of measures to: the
    last table or list of measures it names, else the document of the last sentence that says
    it has measures; ``None`` when it says neither."""
    mentions = [d for _, _, d in ctx.documents_in(lo, first.start) if d.iri != ctx.source]
    containers = [d for d in mentions if d.cls == "MeasureTable" or _lists_measures(d)]
    if containers:
        return containers[-1]
    found = None
    heading = None  # the document the last heading names alone ("And the Specification?")
    blocks = ctx.doc.blocks
    for i in range(bisect.bisect_left(blocks, lo, key=lambda b: b.end), len(blocks)):
        block = blocks[i]
        if block.start >= first.start:
            break
        if block.end <= lo or block.kind not in ("paragraph", "heading"):
            continue
        if block.kind == "heading":
            named = {d.iri: d for _, _, d in ctx.documents_in(block.start, block.end)
                     if d.iri != ctx.source and d.cls != "Law"}
            heading = next(iter(named.values())) if len(named) == 1 else None
        view = block_view(ctx.doc, block)
        for s, e in sentences(view):
            o_start, o_end = view.origin(s, e)
            if _ITS_MEASURES.match(view.clean, s, e):  # "... the Work Plan (the Work Plan). Its five tasks are:"
                before = _subject_before(ctx, view, s) or ctx.document_before(o_start)
                if before is not None and before.iri != ctx.source and ctx.mentions.count_before(o_start) > \
                        ctx.mentions.count_before(lo):
                    found = before
                continue
            if not _HOLDS.search(view.clean, s, e):
                continue
            named = [d for _, _, d in ctx.documents_in(o_start, o_end) if d.iri != ctx.source]
            if named:
                found = named[0]
    return found or heading


def _subject_before(ctx: Context, view: View, s: int) -> NamedDocument | None:
    """The document the last sentence of the block before ``s`` that opens with one is about:
    "Its 74 articles ..." after "The PIPL is China's first ... law. With the Cybersecurity Law
    and the Data Security Law it completes ... It applies ..." is the PIPL's, not the law named
    last. ``None`` when no sentence before it in the block opens with a document, or when the
    sentence right before names one ("... the Work Plan (the Work Plan). Its five tasks are:")."""
    found = None
    previous_named = False  # whether the sentence right before names a document
    for a, b in sentences(view):
        if a >= s:
            break
        opening = re.match(r"\s*[*_]*(?:(?:the|this|that)\s+)?", view.clean[a:b], re.IGNORECASE)
        at = view.origin(a + opening.end(), a + opening.end() + 1)[0]
        named = [d for st, _, d in ctx.documents_in(at, at + 1) if st == at and d.iri != ctx.source]
        if named:
            found = named[0]
        previous_named = any(d.iri != ctx.source for _, _, d in ctx.documents_in(*view.origin(a, b)))
    return None if previous_named else found


def _first_holder(ctx: Context, first: Block, later: set[int]) -> NamedDocument | None:
    """The holder of the first run when the prose before it names none (see :func:`find_holder`);
    ``later``: the ids of the documents later runs claim."""
    before = [d for s, _, d in ctx.mentions if s < first.start and d.iri != ctx.source]
    everywhere = [d for _, _, d in ctx.mentions if d.iri != ctx.source and id(d) not in later]
    containers = [d for d in before if d.cls == "MeasureTable" or _lists_measures(d)] or \
                 [d for d in everywhere if d.cls == "MeasureTable" or _lists_measures(d)]
    if containers:
        holder = containers[-1] if containers[-1] in before else containers[0]
        owner = _owner_of_bare_table(ctx, holder, first) if holder in before else None
        if owner is not None:
            return owner
        if holder.cls == "DesignationList":
            holder.cls = "MeasureTable"  # a list of numbered measures, not of sites
        return holder
    ordered = before + everywhere
    for classes in (("Notice", "DesignationList"), ("DesignationList",)):
        principal = next((d for d in ordered if d.cls not in classes), None)
        if principal is not None:
            if "Notice" in classes and principal.cls == "Law" and ordered[0].cls == "Notice":
                # "MIIT issued the Notice on ... . Both Notices rest on the Cybersecurity Law": a
                # law the notice named first rests on holds none of its tasks; the notice does
                return ordered[0]
            return principal
    return None


def _owner_of_bare_table(ctx: Context, table: NamedDocument, first: Block) -> NamedDocument | None:
    """A table named by its head word alone ("Table 1. Data tasks under the Plan for ...",
    "The table sets out the tasks of the Plan") is a layout label, not a document: the
    measures belong to the document the lines introducing the table name after "of",
    "under", "in" or "from". That document, with the label dropped; else ``None``."""
    if table.lexicon is not None or not re.fullmatch(
            rf"(?:the\s+)?{re.escape(document_head(table.label) or '-')}(?:\s+\d+)?",
            " ".join(table.label.split()), re.IGNORECASE):
        return None
    blocks = [b for b in ctx.doc.blocks if b.end <= first.start and b.kind not in ("footnote", "header")][-2:]
    if not blocks:
        return None
    lo = blocks[0].start
    owner = None
    for s, e, d in ctx.mentions:
        if lo <= s < first.start and d is not table and d.iri != ctx.source and \
                d.cls not in ("Notice", "DesignationList", "Law") and \
                re.search(r"\b(?:of|under|in|from)\s+(?:the\s+)?[*_]*$", ctx.doc.text[max(lo, s - 20):s]):
            owner = d
    if owner is None:
        return None
    ctx.forget_document(table)
    ctx.warn(ctx.doc.line_of(first.start), f"{table.label!r} names the table, not a document: its measures "
                                           f"belong to {owner.label!r}")
    return owner


def _lists_measures(d: NamedDocument) -> bool:
    """A list or catalogue that holds numbered measures ("List of Measures", "Attached List")."""
    names = f"{d.short} {d.label}".lower()
    return d.cls == "DesignationList" and (bool(re.search(r"\b(?:measures?|tasks?)\b", names))
                                           or d.short.lower().startswith("attached"))


def emit_documents(ctx: Context) -> None:
    """The entities of the documents found (the lexicon's are there already), with the class
    :func:`find_holder` may have changed."""
    for d in ctx.documents:
        if d.lexicon is not None:
            continue
        ctx.mint("document", d.label, d.evidence or ctx.evidence(0, 0),
                 slug=d.iri.rsplit("/", 1)[1], cls=d.cls, alt=d.alt)


def report(ctx: Context) -> None:
    """The update reports on each document it names."""
    for d in ctx.documents:
        if d.iri != ctx.source:
            ctx.fact("report", d.evidence, update=ctx.source, document=d.iri)


def possessive_issuers(ctx: Context, view: View, s: int, sdocs: list) -> None:
    """"the CAC's Provisions on ...": the agency whose document it is issued it."""
    subject: list[Mention] | None = None  # the agencies the sentence opens with, found once
    for start, end, d in sdocs:
        if d.lexicon is not None and d.cls == "Law":
            continue
        at = bisect.bisect_left(view.offsets, start)  # the offsets rise: no scan
        if at >= len(view.clean):
            continue
        same = _SAME_ISSUERS.search(view.clean, max(s, at - 60), at)
        if same and ctx.last_issued is not None and ctx.last_issued.iri != d.iri:
            # "The same two ministries' Notice on ...": the issuers of the document issued last,
            # if they are as many as the text says
            issuers = ctx.issuers.get(ctx.last_issued.iri, [])
            n = 1 if same.group("one") else parse_number(same.group("n")) if same.group("n") else None
            noun = (same.group("one") or "").casefold()
            if noun in ("ministry", "commission", "administration", "department") and not all(
                    noun in str(ctx.entities[a].get("label")).casefold() for a in issuers if a in ctx.entities):
                continue  # "the same ministry's" after a document of the State Council: not that one
            if issuers and (n == len(issuers) if n else len(issuers) > 1):
                o_start, _ = view.origin(same.start(), same.end())
                for agency in issuers:
                    ctx.fact("issuance", ctx.evidence(o_start, end), document=d.iri, agency=agency)
            continue
        m = _POSSESSIVE.search(view.clean, max(s, at - 120), at)
        if not m:
            pronoun = _POSSESSIVE_PRONOUN.search(view.clean, max(s, at - 12), at)
            if pronoun:  # "MOHURD started the pilots with its Notice on ...": the subject's
                if subject is None:
                    subject = _subject_agencies(ctx, view, s, pronoun.start())
                    if not subject and not view.clean[s:pronoun.start()].strip(" *_\"“"):
                        # "..., the National Health and Family Planning Commission (NHFPC). Its
                        # Notice on ...": the agency the sentence before ends with
                        subject = _agency_ending(ctx, view, s)
                for a in subject:
                    ctx.fact("issuance", ctx.evidence(a.start, end), document=d.iri, agency=a.iri)
            continue
        for a in agencies_in(ctx, view, m.start("who"), m.end("who"), strict=True):
            o_start, _ = view.origin(m.start("who"), m.end("who"))
            ctx.fact("issuance", ctx.evidence(o_start, end), document=d.iri, agency=a.iri)


#: How far into a sentence its subject may reach (a list of a dozen agencies with their
#: abbreviations): what lies beyond is not read for it.
_SUBJECT_REACH = 1200
#: "The same two ministries' Notice on ...", "the same ministry's Notice": a possessive that
#: points back to the issuers of the document issued last (as many as it says).
_SAME_ISSUERS = re.compile(rf"\b(?:the\s+)?(?:same|said|these|those|both)\s+(?:(?P<n>{NUMBER})\s+)?"
                           r"(?:ministries|departments|agencies|bodies|regulators|commissions|administrations)[’']\s*"
                           r"[*_“\"]*$|\bthe\s+(?:same|said)\s+(?P<one>ministry|department|agency|body|regulator|"
                           r"commission|administration)[’']s\s+[*_“\"]*$", re.IGNORECASE)
#: "its", "their" right before a document's name.
_POSSESSIVE_PRONOUN = re.compile(r"\b(?:[Ii]ts|[Tt]heir)\s+[*_“\"]*$")
#: What a sentence may open with before its subject: "On 20 May 2024", "In 2012", "Then".
_SUBJECT_LEAD = re.compile(r"\W*(?:(?:On|In|Then|Later|Last\s+\w+)\b[^,]{0,40}?,?\s+)?(?:the\s+)?", re.IGNORECASE)
#: What may stand between the agencies of a subject: commas, "and", "the", an abbreviation.
_SUBJECT_GAP = re.compile(r"[\s,]*(?:\([^()]{1,40}\))?[\s,]*(?:and\s+|as\s+well\s+as\s+)?(?:the\s+)?[*_]*",
                          re.IGNORECASE)


def _agency_ending(ctx: Context, view: View, s: int) -> list[Mention]:
    """The agency the sentence before ``s`` (in the same block) ends with, its abbreviation in
    brackets aside: "... run by its predecessor, the NHFPC." -> the NHFPC; else none."""
    before = view.clean[max(0, s - 300):s]
    end = re.search(r"[.!?]\s*$", before)
    if end is None:
        return []
    stop = max(0, s - 300) + end.start()
    start = view.clean.rfind(". ", 0, stop)
    start = start + 2 if start >= 0 else 0
    found = agencies_in(ctx, view, start, stop, strict=True)
    if not found:
        return []
    last = found[-1]
    tail = view.clean[bisect.bisect_left(view.offsets, last.end):stop]
    return [last] if re.fullmatch(r"\s*(?:\([A-Z][A-Za-z]{1,9}\))?\)?[*_\s]*", tail) else []


def _subject_agencies(ctx: Context, view: View, s: int, hi: int) -> list[Mention]:
    """The agencies a sentence opens with, as its subject ("On 20 May 2024 the NDRC, the NDA
    and the MOF made public their ..."): none unless the sentence opens with an agency and
    nothing but commas, "and" and abbreviations stands between them. Read up to ``hi`` (the
    first "its"), and no further than the subject can reach."""
    hi = min(hi, s + _SUBJECT_REACH)
    found = agencies_in(ctx, view, s, hi, strict=True)
    subject: list[Mention] = []
    at = s
    for a in found:
        lo = bisect.bisect_left(view.offsets, a.start, s, hi)
        if subject and a.iri == subject[-1].iri and view.clean[at:lo].strip(" *_") == "(":
            # its abbreviation in brackets: "the National Data Administration (NDA)"
            at = bisect.bisect_left(view.offsets, a.end, s, hi)
            at += len(view.clean[at:at + 3]) - len(view.clean[at:at + 3].lstrip("*_)"))
            continue
        gap = (_SUBJECT_GAP if subject else _SUBJECT_LEAD).fullmatch(view.clean, at, lo)
        if gap is None:
            break
        subject.append(a)
        at = bisect.bisect_left(view.offsets, a.end, s, hi)
        while at < hi and view.clean[at] in "*_":
            at += 1
    return subject


#: A name followed by whose it is: "the Plan for Reforming ... of the CPC Central Committee and
#: the State Council, made public on ...", "the Reply on ... (the “Guizhou Reply”) of the NDRC":
#: the agencies after "of", to a comma, a bracket or a verb.
_OF_AGENCIES = re.compile(r"[\s*_]*(?:\s*\((?:the\s+)?[“\"][^()“”\"]{1,60}[”\"]\))?\s+of\s+(?P<who>(?:the\s+)?[*_]*[A-Z](?:[^,;.()]|\s*\([A-Z][A-Za-z]{1,8}\)|,\s+(?=(?:the\s+)?[*_]*[A-Z])){2,300}?)(?=\s*(?:[;.)]|,(?!\s+(?:the\s+)?[*_]*[A-Z])|\((?![A-Z][A-Za-z]{1,8}\))|$|\s+(?:was|were|is|are|made|issued|published|on|in|which)\b))")


#: "This time there are five issuers: the NDRC, ...", "The issuers are the CAC and MIIT.", "The
#: co-issuers named on its cover include the NDRC, ...": the
#: agencies after it issued the document the sentence names before, else the one named last.
_ISSUERS_ARE = re.compile(rf"\b(?:(?:there\s+(?:are|were)|it\s+has|they\s+have|with)\s+(?P<n>{NUMBER})\s+"
                          rf"(?:issuers|issuing\s+(?:departments|bodies|agencies))|(?:its|their|the)\s+"
                          rf"(?:(?P<k>{NUMBER})\s+)?(?:issuers|issuing\s+(?:departments|bodies|agencies))\s+(?:are|were)|"
                          # (co-issuers where the text says whose: "named on its cover", "its co-issuers")
                          rf"the\s+co-?issuers\s+(?:named|listed|shown)\s+[^,:;]{{0,40}}?\s+(?:are|were|include|included)|"
                          rf"(?:its|their)\s+co-?issuers\s+(?:are|were|include|included))"
                          rf"\s*[:—–,-]?\s*", re.IGNORECASE)


def issuers_listed(ctx: Context, view: View, s: int, e: int, sdocs: list) -> None:
    """"There are five issuers: the NDRC, the NDA, the CAC, MIIT and the NEA": the issuers of
    the document the sentence names before them, else of the one named last before it (as
    many as the sentence says, when it says)."""
    m = _ISSUERS_ARE.search(view.clean, s, e)
    if m is None:
        return
    o_at = view.origin(m.start(), m.end())[0]
    before = [d for st, _, d in sdocs if st < o_at and d.iri != ctx.source]
    target = before[-1] if before else ctx.last_document_before(view.origin(s, e)[0])
    if target is None:
        return
    found = list({a.iri: a for a in agencies_in(ctx, view, m.end(), e, strict=True)}.values())
    n = parse_number(m.group("n") or m.group("k") or "") if (m.group("n") or m.group("k")) else None
    if not found or n is not None and n != len(found):
        ctx.warn(ctx.doc.line_of(o_at), f"{n or 'the'} issuers of {target.label!r} that the text lists are not "
                                        f"{len(found)} agencies it knows: left out of {quote(view.clean[s:e])}")
        return
    for a in found:
        ctx.fact("issuance", ctx.evidence(a.start, a.end), document=target.iri, agency=a.iri)


def issuers_after_names(ctx: Context, view: View, s: int, e: int, sdocs: list) -> None:
    """"the Plan for Reforming Party and State Institutions of the CPC Central Committee and
    the State Council, made public on ...": agencies right after a document's name, after "of",
    issued it — where every word there is an agency, "and", a comma or "the"."""
    for _, end, d in sdocs:
        if d.iri == ctx.source or d.lexicon is not None:
            continue
        at = bisect.bisect_left(view.offsets, end, s, e)
        m = _OF_AGENCIES.match(view.clean, at, e)
        if not m:
            continue
        # the span on its own: "Institutions of" at the end of the name is no "body of" the agency
        who = View(view.clean[m.start("who"):m.end("who")], view.offsets[m.start("who"):m.end("who") + 1])
        found = agencies_in(ctx, who, 0, len(who.clean), strict=True)
        if not found:
            continue
        rest = list(who.clean)
        for a in found:
            lo, hi = bisect.bisect_left(who.offsets, a.start), bisect.bisect_left(who.offsets, a.end)
            for i in range(lo, min(hi, len(rest))):
                rest[i] = " "
        if re.sub(r"\b(?:and|the)\b|[\s,*_()]", "", "".join(rest)):
            continue  # other words there: "of the data that the CAC ..." names no issuer
        o_start, o_end = view.origin(m.start("who"), m.end("who"))
        for a in found:
            ctx.fact("issuance", ctx.evidence(o_start, o_end), document=d.iri, agency=a.iri)


def issuers_in_names(ctx: Context, sdocs: list) -> None:
    """"Notice of the State Council on ...", "Opinions of the CPC Central Committee and the
    State Council on ...": a name that says whose document it is names its issuers, when
    every word between "of" and "on" (or "for", "regarding", ...) is an agency, "and", a
    comma or "the". Each document's names are read once (:attr:`Context.named_issuers`)."""
    done = ctx.named_issuers
    for start, end, d in sdocs:
        if d.iri in done or (d.lexicon is not None and d.cls == "Law"):
            continue
        done.add(d.iri)
        spans = [(start, end)]
        if d.evidence is not None and (d.evidence.start, d.evidence.end) != (start, end):
            spans.append((d.evidence.start, d.evidence.end))  # a full name from a footnote
        for lo, hi in spans:
            view = View.of(ctx.doc.text, lo, hi, markup=ctx.doc.markup)
            m = _ISSUER_IN_NAME.match(view.clean.strip(" *_"), 0)
            if not m or class_by_head("document", m.group("head")) is None:
                continue
            shift = len(view.clean) - len(view.clean.lstrip(" *_"))
            a = shift + m.start("who")
            # where the issuers end: "on" first ("Announcement of the CAC and the State
            # Administration for Market Regulation on ..."), then "for", "regarding", ...
            ends = sorted((x.start() for x in _WHO_ENDS.finditer(view.clean, a)),
                          key=lambda at: (view.clean[at:at + 4] != " on ", at))
            mentions = []
            for b in ends:
                mentions = agencies_in(ctx, view, a, b, strict=True)
                rest = list(view.clean[a:b])
                for mention in mentions:
                    ma = bisect.bisect_left(view.offsets, mention.start)
                    mb = bisect.bisect_left(view.offsets, mention.end)
                    rest[max(0, ma - a):max(0, mb - a)] = " " * (max(0, mb - a) - max(0, ma - a))
                if mentions and not re.sub(r"\b(?:and|the)\b|[,\s]", "", "".join(rest)):
                    break
                mentions = []
            if not mentions:
                continue
            for mention in mentions:
                ctx.fact("issuance", ctx.evidence(lo, hi), document=d.iri, agency=mention.iri)
            break


def parts(ctx: Context, sent: str, evidence: Evidence, sdocs: list, offset: int) -> None:
    """"The notice entails a plan and a table": the documents named after the verb are parts
    of the one named before it (or that "the notice" stands for)."""
    attached = _ATTACHED_TO.match(sent)
    if attached:  # "Attached to it is the Work Plan for ...": the part after the verb
        # (the sentence comes with the documents' names blanked: a name ends where the verb begins)
        named = [d for st, _, d in sdocs if offset + attached.start("whole") <= st < offset + attached.start("verb")]
        if named:
            whole = named[0]
        elif re.fullmatch(r"(?:it|them)", attached.group("whole"), re.IGNORECASE):
            whole = ctx.last_document_before(offset)
        else:
            whole = anaphora(ctx, attached.group("whole"), offset)
        parts_ = [d for st, _, d in sdocs if st >= offset + attached.end() and d.cls != "Law"]
        if whole is not None and parts_ and parts_[0].iri != whole.iri:
            ctx.fact("part", evidence, whole=whole.iri, part=parts_[0].iri)
        return
    part_of = PART_OF.search(sent)
    if part_of:  # "The Standard Contract forms the annex to the Measures": the other way round
        parts_ = [d for st, _, d in sdocs if st < offset + part_of.start() and d.cls != "Law"]
        wholes = [d for st, _, d in sdocs if st >= offset + part_of.end()]
        if len(parts_) == 1 and wholes and wholes[0].iri != parts_[0].iri and \
                parts_[0].cls in ("Plan", "MeasureTable", "DesignationList", "PolicyDocument"):
            ctx.fact("part", evidence, whole=wholes[0].iri, part=parts_[0].iri)
        return
    verb = PARTS.search(sent)
    if not verb:
        return
    whole = None
    lead = sent[:verb.start()]
    before = [d for st, _, d in sdocs if st < offset + verb.start() and d.cls != "Law"]
    if before:
        whole = before[0]  # "The notice entails ...", "The Several Measures come with ..."
    else:
        whole = anaphora(ctx, lead, offset)
    if whole is None:
        return
    for st, _, d in sdocs:
        if d.iri != whole.iri and st >= offset + verb.start() and \
                d.cls in ("Plan", "MeasureTable", "DesignationList", "PolicyDocument"):
            ctx.fact("part", evidence, whole=whole.iri, part=d.iri)


#: A document whose name says it changes another: "Decision on Amending the Anti-Monopoly Law".
_AMENDING_NAME = re.compile(r".*?\b(?:on|for)\s+(?:Amending|Revising|Repealing|Implementing|Interpreting)\s+"
                           r"(?:(?:Certain|Some)\s+(?:Provisions|Articles)\s+of\s+)?(?:the\s+)?(?P<part>.+)$")


def issued_parts(ctx: Context) -> None:
    """Documents whose names name another the text names: "Notice on Issuing the Implementation
    Plan for ...": the plan is part of the notice (by the plan's name); "the Decision on Amending
    the Anti-Monopoly Law of the People's Republic of China": the decision refers to the law (by
    any of its names)."""
    by_label: dict[str, NamedDocument] = {}
    by_name: dict[str, NamedDocument] = {}
    for d in ctx.documents:
        by_label.setdefault(normalise(d.label).casefold(), d)
        for name in (d.label, *d.alt):
            by_name.setdefault(normalise(name).casefold(), d)
    for d in ctx.documents:
        for pattern, names, kind in ((_ISSUING_NAME, by_label, "part"), (_AMENDING_NAME, by_name, "reference")):
            m = pattern.match(normalise(d.label))
            other = names.get(m.group("part").strip(" .").casefold()) if m else None
            if other is None or other is d:
                continue
            if kind == "part":
                ctx.fact("part", d.evidence, whole=d.iri, part=other.iri)
            else:
                ctx.fact("reference", d.evidence, document=d.iri, target=other.iri)


def anaphora(ctx: Context, text: str, offset: int) -> NamedDocument | None:
    """The document the last "the notice", "this plan", "the list" ... of ``text`` (which
    starts at ``offset``) stands for: the last of that class named before."""
    m = None
    for m in ANAPHORA.finditer(text):
        pass
    if m is None:
        return None
    what = " ".join(m.group("what").lower().split())
    classes = _anaphora.document_classes()[what]
    return ctx.document_before(offset + m.end(), classes)


#: A document named for its pilots: "Reply on ... Comprehensive Pilot Zones in 33 Cities".
_PILOT_NAME = re.compile(r"\b(?:Pilot|Demonstration|Experimental)\s+(?:Areas?|Zones?|Cities|City|Provinces?|Regions?|"
                         r"Counties|County|Localities|Work|Projects?|Programmes?)\b")
#: Just before a name that opens its sentence: "... areas. The **Notice ...", a paragraph's start.
_OPENS_SENTENCE = re.compile(r"(?:^|(?<=[.!?:])\s+|\n)\s*(?:the\s+)?[*_]*$", re.IGNORECASE)


#: What a document's name follows when the sentence says another one refers to it.
_OBJECT_OF_REFERENCE = re.compile(r"\b(?:implements?|implementing|replaces?|replacing|amends?|supersedes?|builds?\s+on|"
                                  r"cites?|refers?\s+to|pursuant\s+to|in\s+accordance\s+with)\s+(?:the\s+)?[*_“\"]*$",
                                  re.IGNORECASE)


def pilot_document(ctx: Context, offset: int, sentence_start: int | None = None) -> NamedDocument | None:
    """The document a sentence's pilot facts (trial period, pilot areas, their count)
    belong to: the one the sentence names before ``offset`` ("the Decision applies in two
    pilot areas"), else the document whose issuing the text last reported ("issued an
    official reply approving ... on April 9"), else the last notice, reply, decision or plan
    named before ``offset``."""
    if sentence_start is not None:
        text = ctx.doc.text
        # (a document the sentence says it implements, replaces or cites is not the one of pilots:
        # "the Pilot Notice, which implements the August Notice and opened pilots in six cities")
        before = [d for st, _, d in ctx.documents_in(sentence_start, offset) if d.iri != ctx.source
                  and not _OBJECT_OF_REFERENCE.search(text, max(sentence_start, st - 40), st)]
        named = [d for d in before if d.cls not in ("Law", "DesignationList", "MeasureTable")]
        if named:
            return named[-1]
        if len({d.iri for d in before}) == 1 and before[0].cls == "DesignationList":
            return before[0]  # "The List names 15 comprehensive pilot areas": the list's own
    note = ctx.footnote_at(offset)
    if note is not None:  # a footnote that names no document: its marker's sentence decides
        where = ctx.marker_sentence(note)
        if where is not None:
            return pilot_document(ctx, *where)
    if ctx.last_issued is not None and ctx.last_issued.cls not in ("Law", "DesignationList", "MeasureTable"):
        # a notice named after that report, in a sentence of its own, or a document named for
        # its pilots, is the newer subject
        # ("... the Plan, which the MOE issued in 2018. The Notice on ... applies the tasks to ten
        # new areas. Their creation period is three years")
        text = ctx.doc.text
        named = [(st, d) for st, _, d in ctx.documents_in(ctx.last_issued_at, offset)
                 if d.iri not in (ctx.source, ctx.last_issued.iri)
                 and (d.cls == "Notice" or _PILOT_NAME.search(d.label))]
        opening = [d for st, d in named if _OPENS_SENTENCE.search(text, max(0, st - 12), st)]
        pilots = [d for _, d in named if _PILOT_NAME.search(d.label)]
        since = opening or pilots
        return since[-1] if since else ctx.last_issued
    return ctx.document_before(offset, ["Notice"]) or \
        ctx.document_before(offset, ["Plan", "PolicyDocument"])


__all__ = ["ANAPHORA", "FULL_NAMES", "PARTS", "PART_OF", "anaphora", "emit_documents", "find_documents", "find_holder", "short_form_of",
           "full_names", "issued_parts", "issuers_after_names", "issuers_listed", "issuers_in_names", "name_spans", "parts", "pilot_document",
           "possessive_issuers", "report", "the_update"]
