"""Small text tools shared by the extraction stages: a markup-free view of a span of text
that maps back to the original offsets, sentences, lists, numbers written as words, slugs.
"""
from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .document import Block, Document

_MARKERS = r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[\^?\d{1,3}\](?![(:])"
#: Characters no reader should see: zero-width spaces and joiners, bidirectional controls,
#: the soft hyphen, a byte-order mark inside the text. Removed from every view (the offsets
#: still point into the text as published), so that no name is split or spoofed by them.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061" \
            "\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
_INVISIBLE = f"[{INVISIBLE}]+"
#: A word broken over two lines with a hyphen ("Infor-\nmation"): the hyphen and the line
#: break are not part of the word.
_HYPHENATED = r"(?<=[a-z])-[ \t]*(?:\r\n|\r|\n)[ \t]*(?=[a-z])"
#: Markdown's inline markup: bold and italic asterisks, footnote markers, link syntax
#: (``[text](target)``: the brackets and the target are markup, the text is not).
#: As one regular expression (:data:`MARKUP_REFERENCE`, kept for the tests) the two link
#: alternatives look ahead up to 300 and 2,000 characters from every ``[`` and ``](``, so
#: ``[[[[...`` cost 300 steps a character; :data:`_MARKUP` only finds where a link may begin
#: (``(?P<target>`` and ``(?P<open>``) and :meth:`View.of` checks the rest against the
#: positions of the characters that end a link text or target, found once per view.
_LINK_TARGET_MAX = 2000  # characters of a link target: ``(...)`` right after ``]``
_LINK_TEXT_MAX = 300  # characters of a link text: ``[...](``
MARKUP_REFERENCE = re.compile(r"\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|" + _MARKERS +
                              rf"|(?<=\])\([^)\s]{{0,{_LINK_TARGET_MAX}}}\)|\[(?=[^\]\n]{{1,{_LINK_TEXT_MAX}}}\]\()"
                              r"|(?<=[^\s\[])\](?=\()|" + _INVISIBLE + "|" + _HYPHENATED)
_MARKUP = re.compile(r"\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|" + _MARKERS +
                     r"|(?P<target>(?<=\])\()|(?P<open>\[)|(?<=[^\s\[])\](?=\()|"
                     + _INVISIBLE + "|" + _HYPHENATED)
_TARGET_STOP = re.compile(r"[)\s]")  # what ends a link target
_TEXT_STOP = re.compile(r"[\]\n]")  # what ends a link text
#: A plain rendition has no markup: only markers, invisible characters and line-break hyphens.
_PLAIN = re.compile(_MARKERS + "|" + _INVISIBLE + "|" + _HYPHENATED)


class _Stops:
    """The positions in ``text[start:end]`` of the characters ``pattern`` matches, found
    once; :meth:`after` is the first one after a position (None: none before ``end``)."""

    def __init__(self, pattern: re.Pattern[str], text: str, start: int, end: int) -> None:
        self.at = [m.start() for m in pattern.finditer(text, start, end)]

    def after(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.at, pos)
        return self.at[i] if i < len(self.at) else None


def _markup_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The spans :data:`MARKUP_REFERENCE` matches in ``text[start:end]``, in one pass: the
    same spans, in linear time."""
    targets: _Stops | None = None
    texts: _Stops | None = None
    consumed = start  # the end of the last span: matches inside it are not matches
    for match in _MARKUP.finditer(text, start, end):
        at = match.start()
        if at < consumed:
            continue
        if match.group("target") is not None:  # "(" after "]": a target up to ")" (no space)
            targets = targets or _Stops(_TARGET_STOP, text, start, end)
            stop = targets.after(at)
            if stop is None or text[stop] != ")" or stop - at - 1 > _LINK_TARGET_MAX:
                continue
            span = (at, stop + 1)
        elif match.group("open") is not None:  # "[" of "[text](": the text is 1-300 characters
            texts = texts or _Stops(_TEXT_STOP, text, start, end)
            stop = texts.after(at)
            if stop is None or not 1 <= stop - at - 1 <= _LINK_TEXT_MAX or text[stop] != "]" \
                    or stop + 1 >= end or text[stop + 1] != "(":
                continue
            span = (at, at + 1)
        else:
            span = match.span()
        consumed = span[1]
        yield span


@dataclass(frozen=True)
class View:
    """``text[start:end]`` as a reader sees it: without markup (``**``, ``*``, footnote
    markers, link targets), invisible characters or line-break hyphens, and with combining
    accents composed (Unicode NFC).

    ``clean`` is that text; :meth:`origin` maps a range of ``clean`` back to the original
    text, so a match in ``clean`` becomes a span of the source.
    """

    clean: str
    offsets: tuple[int, ...]  # offsets[i] = original offset of clean[i]; one extra at the end

    @classmethod
    def of(cls, text: str, start: int, end: int, *, markup: bool = True,
           drop: Sequence[tuple[int, int]] = ()) -> View:
        """``drop``: more spans to leave out (the footnote markers a reader found, such as a
        digit glued to a word in plain text: "a notice1, dated 1 June")."""
        chars: list[str] = []
        offsets: list[int] = []
        pos = start
        spans: Iterable[tuple[int, int]] = _markup_spans(text, start, end) if markup else \
            (m.span() for m in _PLAIN.finditer(text, start, end))
        if drop:
            spans = heapq.merge(spans, sorted((a, b) for a, b in drop if start <= a and b <= end))
        for m_start, m_end in spans:
            if m_start < pos:
                continue  # inside a span left out already
            chars.append(text[pos:m_start])
            offsets.extend(range(pos, m_start))
            pos = m_end
        chars.append(text[pos:end])
        offsets.extend(range(pos, end))
        offsets.append(end)
        clean = "".join(chars)
        if not clean.isascii() and any(unicodedata.combining(c) for c in clean):
            clean, offsets = _compose(clean, offsets)
        return cls(clean, tuple(offsets))

    def origin(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of ``clean[start:end]``, trimmed of markup at the edges."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def _compose(clean: str, offsets: list[int]) -> tuple[str, list[int]]:
    """NFC of ``clean``, a character at a time: a base character and the combining marks after
    it become one character where Unicode composes them (``e`` + U+0301 -> ``é``), mapped to
    the offset of the base and ending after the last mark."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(clean):
        if out and unicodedata.combining(ch):
            composed = unicodedata.normalize("NFC", out[-1] + ch)
            if len(composed) == 1:
                out[-1] = composed
                continue
        out.append(ch)
        where.append(offsets[i])
    where.append(offsets[-1])
    return "".join(out), where


#: The views :func:`block_view` made of the blocks of the last document it was asked about:
#: (a weak reference to the document, {(id(block), start): (block, view)}). The recognisers ask
#: for the view of one block again and again (about 140 views of 40 blocks a document); a view
#: is a value (frozen, of a string and a tuple), so one made once serves every later asker.
_BLOCK_VIEWS: tuple[weakref.ref[Document] | None, dict[tuple[int, int | None], tuple[Block, View]]] = (None, {})


def block_view(doc: Document, block: Block, start: int | None = None) -> View:
    """The :class:`View` of ``block`` of ``doc`` (from ``start``, default the block's start),
    its footnote markers left out; made once per block and start of the last document asked
    about (the same view as :meth:`View.of` gives, which is a function of its arguments)."""
    global _BLOCK_VIEWS
    ref, views = _BLOCK_VIEWS
    if ref is None or ref() is not doc:
        try:
            ref = weakref.ref(doc)
        except TypeError:  # pragma: no cover - a document type without weak references
            return _block_view(doc, block, start)
        views = {}
        _BLOCK_VIEWS = (ref, views)
    key = (id(block), start)
    hit = views.get(key)
    if hit is not None and hit[0] is block:
        return hit[1]
    view = _block_view(doc, block, start)
    views[key] = (block, view)  # the block is kept with its view: its id is not reused meanwhile
    return view


def _block_view(doc: Document, block: Block, start: int | None) -> View:
    return View.of(doc.text, block.start if start is None else start, block.end, markup=doc.markup,
                   drop=[(m.start, m.end) for m in block.markers])


#: (a note's number glued to a word's full stop ends the sentence too: "the same Standing
#: Committee.2 In February 2016 ...", as a PDF's superscript reads)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])[\"”’)]?|(?<=[a-z][.!?])\d{1,2})\s+(?=[\"“(]?[A-Z*])")
_NO_BREAK_BEFORE = re.compile(r"\b(?:No|Art|Mr|Ms|Dr|e\.g|i\.e|St|vs|approx)\.$")
#: How far before a sentence end :data:`_NO_BREAK_BEFORE` can reach ("approx." is 7
#: characters); the search looks no further back, so a paragraph is scanned once, not once
#: per sentence (``\b`` still sees the character before the window).
_NO_BREAK_REACH = 16


def sentences(view: View) -> Iterator[tuple[int, int]]:
    """(start, end) in ``view.clean`` of each sentence."""
    start = 0
    for match in _SENTENCE_END.finditer(view.clean):
        if _NO_BREAK_BEFORE.search(view.clean, max(0, match.start() - _NO_BREAK_REACH), match.start()):
            continue
        yield start, match.start()
        start = match.end()
    if start < len(view.clean) and view.clean[start:].strip():
        yield start, len(view.clean.rstrip())


def split_list(text: str, start: int, end: int,
               protect: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Items of an enumeration ``A, B (x, y), and C.`` as (start, end) ranges of ``text``.

    Commas and a final "and"/"or" separate items; commas inside parentheses do not, and no
    separator inside a ``protect`` range does (a known name such as "Tianjin Economic and
    Technological Development Area"). Leading "and", trailing "etc." and the final full stop
    are dropped.
    """
    shields = sorted(protect)

    def shielded(i: int) -> bool:
        return any(a <= i < b for a, b in shields)

    items: list[tuple[int, int]] = []
    depth = 0
    item_start = start
    i = start
    while i < end:
        ch = text[i]
        if ch in "(（[":
            depth += 1
        elif ch in ")）]" and depth:
            depth -= 1
        elif depth == 0 and ch in ",;，；" and not shielded(i):
            items.append((item_start, i))
            item_start = i + 1
        i += 1
    items.append((item_start, end))
    out: list[tuple[int, int]] = []
    for s, e in items:
        cuts = [m for m in re.finditer(r"\s+(?:and|or)\s+(?![^(]*\))", text[s:e])
                if not shielded(s + m.start())]
        pos = s
        for m in cuts:
            if text[pos:s + m.start()].strip():
                out.append((pos, s + m.start()))
            pos = s + m.end()
        if text[pos:e].strip():
            out.append((pos, e))
    cleaned = []
    for s, e in out:
        chunk = text[s:e]
        lead = re.match(r"^\s*(?:and\s+|or\s+)?", chunk)
        s += lead.end() if lead else 0
        chunk = text[s:e]
        trail = re.search(r"(?:,?\s*(?:etc\.?|and so on|among others))?[\s.。;:]*$", chunk)
        e = s + (trail.start() if trail else len(chunk))
        if e > s:
            cleaned.append((s, e))
    return cleaned


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
NUMBER = r"(?:\d{1,4}|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a|an)"


def parse_number(word: str) -> int | None:
    """``"28"`` -> 28, ``"three"`` -> 3, ``"twenty-eight"`` -> 28, ``"a"`` -> 1."""
    w = word.strip().lower()
    if w.isdigit():
        return int(w)
    if w in ("a", "an"):
        return 1
    if w in _UNITS:
        return _UNITS[w]
    parts = re.split(r"[- ]", w)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    return None


_STOPWORDS = {"a", "an", "and", "the", "of", "for", "in", "on", "to"}


def slugify(name: str, *, max_words: int | None = None, drop_stopwords: bool = False) -> str:
    """ASCII, lower case, apostrophes dropped, any other run of characters one ``-``."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’‘ʼ`′]", "", text).lower()
    words = re.findall(r"[a-z0-9]+", text)
    if drop_stopwords:
        words = [w for w in words if w not in _STOPWORDS]
    if max_words is not None:
        words = words[:max_words]
    return "-".join(words)


#: Every character :meth:`str.isspace` is true of (Unicode's White_Space, as Python reads it;
#: ``tests/test_bulk_write.py`` checks the list against every code point).
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
          "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_NORMALISE = str.maketrans({**dict.fromkeys(SPACES, " "), **dict.fromkeys("’‘ʼ`′", "'"),
                            **dict.fromkeys("‐‑‒–—−", "-")})


def normalise(text: str) -> str:
    """Apostrophes, dashes and spaces of any kind as their plain ASCII forms (1:1 in length)."""
    return text.translate(_NORMALISE)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


__all__ = ["NUMBER", "View", "block_view", "capitalise", "normalise", "parse_number",
           "sentences", "slugify", "split_list"]
