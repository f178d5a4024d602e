"""Agencies: "Full Name (ABBR)" definitions, names and abbreviations the lexicon knows or this
text defined, and capitalised phrases with an agency head word ("... Bureau of Statistics").

Door: :func:`find_definitions` (a pass over the document) and :func:`agencies_in` (the
agencies of a span, asked by the recognisers of issuers and of responsibilities); also
:func:`definitions` (the "Full Name (ABBR)" of a text, in linear time) and :func:`trim_name`.

Reads from the context: the document, the lexicon, the abbreviations defined and the agency
names minted so far (:meth:`~policykg.pipeline.recognisers.context.Context.known_agency`,
:meth:`~policykg.pipeline.recognisers.context.Context.local_matches`). Writes: the abbreviations this
text defines (:attr:`~policykg.pipeline.recognisers.context.Context.abbreviations`, and those defined
for two names in :attr:`~policykg.pipeline.recognisers.context.Context.conflicting`), agency entities
(lexicon rows and minted names), and warnings for abbreviations nothing defines. An agency named
by an abbreviation is the one :func:`find_definitions` found for it: that pass runs first.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import cache

from ...document import MONTH_PATTERN
from ...textutil import View, block_view, normalise
from ..lexicon import Entry
from .context import Context, quote
from .heads import class_by_head, document_heads, head_words
from .indexes import LEXICON_TOKEN, Disjoint, HeadWords, longest_forms
from .records import Mention

_CAP = r"[A-Z][\w'’\-]*"
_CONNECT = r"(?:of|and|for|the|on|in|&)"
#: A run of capitalised words (and ordinals), "of", "and", "the" ... between them: a name (a
#: month after them is none of it: "the General Office of MIIT in November 2020").
#: An ordinal inside a name: "the Standing Committee of the 13th ... People's Congress".
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)\b"
NAME = rf"{_CAP}(?:\s+(?:{_CONNECT}\s+)*(?!(?i:{MONTH_PATTERN})\b)(?:{_CAP}|{_ORDINAL}))*"
DEFINITION = re.compile(rf"(?P<name>{NAME})\s*\((?P<abbr>[A-Z][A-Za-z0-9&]*[A-Z0-9])\)")
_NAME_RUN = re.compile(NAME)
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
#: What a name may open with that is no part of it: an article, "and", a place's possessive
#: ("Hangzhou's Municipal Data Resources Administration": the city's own body, named without it).
_LEADING_ARTICLE = re.compile(r"(?:The|the|and|or|[A-Z][a-z]+['’]s)\s+")
_AND = re.compile(r"\s+(?:and|&)\s+")
#: Right before an agency's name: the body it names is a part of that agency, or a class of
#: its parts ("the General Office of the", "relevant departments of the").
_PART_OF_BODY = re.compile(r"(?:\b(?:departments?|bodies|organs|ministries|agencies|offices|units|members|"
                           r"institutions|authorities)|(?-i:\b(?:General\s+)?(?:Office|Secretariat|Department|"
                           r"Bureau|Center|Centre|Committee|Commission|Leading\s+Group|Administration|Research\s+Office)))"
                           r"\s+of\s+(?:the\s+)?$", re.IGNORECASE)


#: Capitalised words after an agency's name that end in an agency head word: the name goes on
#: ("State Council" + " Leading Group Office", "... Information Office").
#: After an agency's name: its offices or branches, a class of bodies, not the agency itself.
_ITS_OFFICES = re.compile(r"(?:[’']s)?\s+(?:local|provincial|municipal|regional|branch|field|dispatched|county-level|"
                          r"subordinate)\s+(?:offices|branches|bureaus|departments|organs|counterparts|agencies)\b",
                          re.IGNORECASE)
_LONGER_NAME = re.compile(r"\s+(?:[A-Z][\w'’-]*\s+){0,4}(?:Office|Bureau|Group|Commission|Administration|"
                          r"Department|Committee|Center|Centre|Secretariat)\b|"
                          # "the Hong Kong and Macao Affairs Office of the Provincial People's
                          # Government": the province's office, not the State Council's
                          r"\s+of\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){0,4}(?:People's\s+|People’s\s+)?"
                          r"(?:Government|Province|Municipality)\b")


def find_definitions(ctx: Context) -> None:
    """"Full Name (ABBR)": the abbreviation is defined for this document (and "Full Name
    (below: the Short Name)": see :func:`_short_definitions`)."""
    for block in ctx.doc.blocks:
        view = block_view(ctx.doc, block)
        _short_definitions(ctx, view)
        for m in definitions(view.clean):
            abbr = m.group("abbr")
            name, skip = trim_name(ctx, m.group("name"))
            entry = ctx.lexicon.lookup(name, ["agency"]) or _same_agency(ctx, name, abbr)
            if entry is None and class_by_head("agency", name) is None:
                continue  # not an agency (a law, a zone, ...)
            start, end = view.origin(m.start("name") + skip, m.end())
            evidence = ctx.evidence(start, end)
            if entry is not None:
                iri = ctx.entity_from_lexicon(entry)
            else:
                iri = ctx.mint("agency", name, evidence, slug=abbr.lower(), alt=(abbr,))
            known = ctx.abbreviations.get(abbr)
            if abbr in ctx.conflicting or (known is not None and known[0] != iri):
                # "(CAC)" for two names: neither is a safe guess where "CAC" stands alone
                if abbr not in ctx.conflicting:
                    ctx.warn(evidence.line, f"the abbreviation {abbr!r} is defined for "
                                            f"{known[1]!r} and for {name!r}: where it stands "
                                            f"alone it is left out")
                ctx.conflicting.add(abbr)
                ctx.abbreviations.pop(abbr, None)
                continue
            ctx.abbreviations.setdefault(abbr, (iri, name))


#: "Full Name (浙江省..., below: the Big Data Administration)", "Full Name (hereinafter the
#: Big Data Bureau)": a short name that is no abbreviation, given in brackets after the name.
_SHORT_DEFINITION = re.compile(rf"(?P<name>{NAME})\s*[(（](?:[^()（）\n]{{0,80}}?[,;，；]\s*)?(?:below|hereinafter"
                               rf"(?:\s+referred\s+to\s+as)?|hereafter)\s*[:：]?\s*(?:the\s+)?[“\"]?"
                               rf"(?P<short>[A-Z][\w'’ -]{{2,60}}?)[”\"]?\s*[)）]")


#: '"Provincial big data dept." is the Guizhou Provincial Big Data Development Administration': a
#: label a table uses, said (under it) to stand for an agency named in full.
_LABEL_IS = re.compile(rf"[“\"](?P<short>[A-Z][\w'’ .-]{{2,60}}?)[”\"]\s+(?:is|means|stands\s+for|refers\s+to)\s+"
                       rf"(?:the\s+)?(?P<name>{NAME})")


def _short_definitions(ctx: Context, view: View) -> None:
    """"... Administration (..., below: the Big Data Administration)": the short name stands
    for the agency in the rest of the text; so does a label said to be one ('"Provincial big
    data dept." is the Guizhou Provincial Big Data Development Administration')."""
    for m in _LABEL_IS.finditer(view.clean):
        name, skip = trim_name(ctx, m.group("name"))
        if class_by_head("agency", name) is None:
            continue
        entry = ctx.lexicon.lookup(name, ["agency"])
        start, end = view.origin(m.start(), m.end())
        short = " ".join(m.group("short").split())
        iri = ctx.entity_from_lexicon(entry) if entry is not None else \
            ctx.mint("agency", name, ctx.evidence(*view.origin(m.start("name") + skip, m.end())), alt=(short,))
        ctx.alias("agency", short, iri)
    for m in _SHORT_DEFINITION.finditer(view.clean):
        name, skip = trim_name(ctx, m.group("name"))
        short = " ".join(m.group("short").split())
        if class_by_head("agency", name) is None or class_by_head("agency", short) is None:
            continue
        entry = ctx.lexicon.lookup(name, ["agency"])
        start, end = view.origin(m.start("name") + skip, m.end())
        iri = ctx.entity_from_lexicon(entry) if entry is not None else \
            ctx.mint("agency", name, ctx.evidence(start, end), alt=(short,))
        ctx.alias("agency", short, iri)


def _same_agency(ctx: Context, name: str, abbr: str) -> Entry | None:
    """The lexicon's agency of abbreviation ``abbr`` if ``name`` is a way of writing its
    name (most of its words), else ``None``: "Civil Aviation Commission (CAC)" is not the
    lexicon's CAC."""
    entry = ctx.lexicon.lookup(abbr, ["agency"])
    if entry is None:
        return None
    words = {w for w in re.findall(r"[a-z]+", normalise(name).casefold()) if w not in ("of", "the", "and", "for")}
    for known in (entry.name_en, *entry.aliases):
        theirs = {w for w in re.findall(r"[a-z]+", normalise(known).casefold()) if w not in ("of", "the", "and", "for")}
        if theirs and len(words & theirs) * 2 >= len(theirs) + (len(words - theirs) > 2):
            return entry
    return None


def trim_name(ctx: Context, name: str) -> tuple[str, int]:
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
            tokens = [t.start() for t in LEXICON_TOKEN.finditer(name)]
        # the longest known agency before an "and": "Ministry of Science and Technology and ..."
        # A known name has at most as many tokens as the lexicon's longest, or is no longer
        # than the longest name minted here, or is one word (an abbreviation): the "and"s
        # beyond are not looked at, so "A and A and A ..." costs the same for every "and".
        known = None
        first = bisect.bisect_left(tokens, skip)
        for j in range(bisect.bisect_left(joins, (skip, 0)), len(joins)):
            at, after = joins[j]
            if bisect.bisect_left(tokens, at) - first > longest_forms(ctx.lexicon, "agency") and \
                    at - skip > ctx.longest_local("agency"):
                break  # no known name is that long (and it holds a space: not an abbreviation)
            if ctx.known_agency(name[skip:at]):
                known = after
        if known is not None:
            skip = known
            continue
        return name[skip:], skip


def agencies_in(ctx: Context, view: View, lo: int, hi: int, *, strict: bool) -> list[Mention]:
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
    known_spans = Disjoint()
    new_spans = Disjoint()

    def free(s: int, e: int) -> bool:
        return known_spans.free(s, e) and new_spans.free(s, e)

    candidates: list[tuple[int, int, str]] = []
    entries = {}
    for m in ctx.lexicon.find_all(sub.clean, ["agency"]):
        surface = sub.clean[m.start:m.end]
        if surface in ctx.conflicting:
            continue  # defined for two names here: neither
        if surface in ctx.abbreviations and ctx.abbreviations[surface][0] != m.entry.iri:
            continue  # this text defines the abbreviation otherwise: the text wins
        candidates.append((lo + m.start, lo + m.end, m.entry.iri))
        entries[m.entry.iri] = m.entry  # (its entity made once the name is taken, below)
    candidates += [(lo + s, lo + e, iri) for s, e, iri in ctx.local_matches("agency", sub.clean)]
    for m in ABBREVIATION.finditer(sub.clean):
        if m.group(0) in ctx.abbreviations:
            candidates.append((lo + m.start(), lo + m.end(), ctx.abbreviations[m.group(0)][0]))
    for s, e, iri in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]))):
        if _party_body(ctx, view, s, e):
            known_spans.add(s, e)  # taken, so that no shorter name inside it is read either
            continue
        if _LONGER_NAME.match(view.clean, e, min(len(view.clean), e + 120)):
            # "the State Council Leading Group Office of Poverty Alleviation": a body whose name
            # begins with the State Council's, not the State Council
            continue
        if _ITS_OFFICES.match(view.clean, e, min(len(view.clean), e + 60)):
            # "NFRA local offices", "the CAC's provincial counterparts": a class of bodies
            continue
        if _PART_OF_BODY.search(view.clean[max(0, s - 80):s]):
            # "the relevant departments of the State Council", "the General Office of the
            # State Council": another body (or a class of bodies), not the State Council
            continue
        if free(s, e):
            found.append((s, e, iri))
            known_spans.add(s, e)
            if iri in entries and not PARTY_BODY.search(entries[iri].name_en):  # (a Party body is left out)
                ctx.entity_from_lexicon(entries[iri])
    if strict:
        for m in ABBREVIATION.finditer(sub.clean):
            token = m.group(0)
            if free(lo + m.start(), lo + m.end()) and sum(c.isupper() for c in token) >= 2 \
                    and not ctx.known_agency(token):
                # unsure: an agency nobody defines (or a standard's "GB"): left out, said so
                start, _ = sub.origin(m.start(), m.end())
                why = ("is defined for two names" if token in ctx.conflicting else
                       "is not defined in the text (\"Full Name (ABBR)\") nor known to the lexicon")
                sentence = ctx.sentence_at(view, lo + m.start())
                sentence = " ".join(sentence.split())
                ctx.warn(ctx.doc.line_of(start), f"abbreviation {token!r} {why}: left out of "
                                                 f"{quote(sentence)}")
    for m in re.finditer(NAME, sub.clean):
        runs = [(m.start(), m.end())]
        if "\n" in m.group(0) and class_by_head("agency", m.group(0)) is None:
            # "Lead unit: Provincial Financial Affairs Office" / "Co-operating units: ...": a
            # run of capitals over a line break that is no name: each line's part on its own
            runs = [(m.start() + p.start(), m.start() + p.end()) for p in re.finditer(r"[^\n]+", m.group(0))]
        for s, e in (span for a, b in runs for span in _agency_phrases(ctx, sub.clean, a, b)):
            if not free(lo + s, lo + e) or _PART_OF_BODY.search(sub.clean[max(0, s - 80):s]):
                continue
            name = sub.clean[s:e]
            if _party_body(ctx, sub, s, e):
                continue
            if len(name.split()) <= 2 and re.search(r"\b(?:its|their)\s+$", sub.clean[max(0, s - 8):s]):
                continue  # "MNR issued through its General Office": the subject's own office, no body named
            iri = ctx.mint("agency", name, ctx.evidence(*sub.origin(s, e)))
            found.append((lo + s, lo + e, iri))
            new_spans.add(lo + s, lo + e)
    found.sort()
    return [Mention("agency", iri, *view.origin(s, e)) for s, e, iri in found]


def named(ctx: Context, view: View, s: int, e: int) -> None:
    """Every agency the sentence ``view.clean[s:e]`` names is one, whatever the sentence says
    of it (its entity; the facts about it are the other recognisers'). The names of documents
    are blanked first: "Interim Measures for the Administration of ..." names no agency."""
    blank = ctx.without_documents(view, s, e)
    agencies_in(ctx, View(blank, view.offsets[s:e + 1]), 0, e - s, strict=False)


#: The Party's own bodies: the Central Committee and its offices, the central commissions and
#: leading groups ("the CPC Central Committee", "the General Office of the CPC Central Committee",
#: "the Central Cyberspace Affairs Commission"). They co-issue documents with the State Council,
#: but they are no government agency: named as such, they are left out, with a warning.
PARTY_BODY = re.compile(r"\b(?:Communist\s+Party|CPC|CCP)\b|^(?:(?:General\s+)?Office\s+of\s+the\s+)?Central\s+"
                         r"(?:[A-Z][\w'’-]*\s+(?:and\s+)?){1,4}(?:Commission|Committee|Leading\s+Group)\b")


def _party_body(ctx: Context, view: View, s: int, e: int) -> bool:
    """Whether ``view.clean[s:e]`` names a body of the Party, not of the state (warned once)."""
    name = " ".join(view.clean[s:e].split())
    if not PARTY_BODY.search(name):
        return False
    if name not in ctx.party_bodies:
        ctx.party_bodies.add(name)
        start, _ = view.origin(s, e)
        ctx.warn(ctx.doc.line_of(start), f"{name!r} is a body of the Communist Party of China, not a government "
                                         f"agency: left out as an agency and an issuer")
    return True


def _agency_phrases(ctx: Context, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Agency names in a capitalised phrase, split where "and" joins two of them."""
    parts = []
    pos = start
    for m in re.finditer(r"\s+(?:and|&)\s+", text[start:end]):
        parts.append((pos, start + m.start()))
        pos = start + m.end()
    parts.append((pos, end))
    current: tuple[int, int] | None = None
    heads = HeadWords()  # the words of text[current] that class_by_head reads
    for s, e in parts:
        if current is None:
            current = (s, e)
            heads.add(text[s:e])
        elif class_by_head("agency", heads.name()) is not None and \
                (class_by_head("agency", text[s:e]) is not None or re.match(r"the\s", text[s:e])):
            # "X Commission and the Y ...": a whole name, then "and the" starts the next one
            yield from _agency_name(ctx, text, *current)
            current = (s, e)
            heads = HeadWords()
            heads.add(text[s:e])
        else:
            heads.add(text[current[1]:e])
            current = (current[0], e)
    if current is not None:
        yield from _agency_name(ctx, text, *current)


def _agency_name(ctx: Context, text: str, s: int, e: int) -> Iterator[tuple[int, int]]:
    name, skip = trim_name(ctx, text[s:e])
    if len(name.split()) >= 2 and class_by_head("agency", name) is not None and \
            name.split()[0].lower() not in document_heads() and " ".join(name.split()).lower() not in _bare_heads():
        # ("Provisions on the Administration of ...": a document's name, not an agency's; a
        # head word alone, "Standing Committee", names no one body)
        yield s + skip, e


@cache
def _bare_heads() -> frozenset[str]:
    """The agency head words of more than one word ("standing committee"), lower case."""
    return frozenset(h.head.lower() for h in head_words() if h.kind == "agency" and " " in h.head)


__all__ = ["ABBREVIATION", "DEFINITION", "NAME", "PARTY_BODY", "agencies_in", "definitions", "find_definitions", "named",
           "trim_name"]
