"""Names of documents that no markup points at.

The seed bolds the names of the documents it reports on; a plain-text copy of it, an e-mail, a
PDF without a bold font does not. This recogniser finds the same names from the words:

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

Door: :func:`name_spans` (a block's names) and :func:`full_names` (a footnote's). Both return
offsets into the document's text and read nothing but the text.
"""
from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from ..document import MONTH_PATTERN
from ..textutil import View
from .heads import document_heads

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
                   r"(?P<word>[A-Z][\w'’\-]*|\d{4}|\d{1,3}(?:st|nd|rd|th)\b)")
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
    for pos, stop in zip(starts, stops):
        name = text[pos:stop]
        if name.split()[0] in ("The", "A", "An", "This", "That", "These"):
            continue
        if len(name.split()) == 1 and _SENTENCE_START.search(text, max(lo, pos - 8), pos):
            continue  # "Measures (1) to (6) ...", "(8) Rules for compliance ...": a capital of the sentence
        out.append((pos, stop))
    return out


_BEFORE = re.compile(r"([A-Z][\w'’\-]*|[0-9]{4}|[0-9]{1,3}(?:st|nd|rd|th)|\([A-Z][\w'’\- ]{0,30}\)|of|for|on|and|the|in|&)\s+$")
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
        more = _REST.match(text, stop, hi)
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


def name_spans(view: View, covered: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans (offsets into the document's text) of document names in ``view`` that no
    ``covered`` span (the block's emphasis) already names."""
    n = len(view.clean)
    found = _quoted(view, 0, n) + _issued(view, 0, n) + _list_names(view, 0, n) + _capitalised(view, 0, n)
    out: list[tuple[int, int]] = []
    # the names taken (disjoint, ordered) and the emphasis (ordered by start, with the furthest
    # end reached so far): whether a span overlaps one of them is a bisection
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    emphasis = sorted(covered)
    emphasis_starts = [a for a, _ in emphasis]
    emphasis_reach = list(itertools.accumulate((b for _, b in emphasis), max))
    for s, e in sorted(found, key=lambda x: (x[0], -(x[1] - x[0]))):
        while s < e and view.clean[s] in " *_\"“”'":
            s += 1
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


__all__ = ["full_names", "name_spans"]
