"""The indexes the recognisers look things up in, each built so that a look-up costs what it
finds, not the size of the text or of what was found before.

Door: :class:`NameIndex` (the names minted in a text, found in a text by a trie of their
tokens), :class:`DocumentNames` (where the names of documents stand, in one pass),
:class:`Coverage` and :class:`Disjoint` (spans taken: is an offset or a span free? a
bisection), :class:`HeadWords` (the words of a growing name that its class depends on) and
:func:`longest_forms` (the most tokens a lexicon name of a kind has). They read no context:
:class:`~policykg.pipeline.recognisers.context.Context` and the recognisers hold them.
"""
from __future__ import annotations

import bisect
import collections
import functools
import re
from collections.abc import Iterator

from ...textutil import normalise
from ..lexicon import Lexicon
from .automaton import TokenAutomaton

LEXICON_TOKEN = re.compile(r"\w+|[^\w\s]")  # a token as the lexicon compares names


@functools.lru_cache(maxsize=8)
def longest_forms(lexicon: Lexicon, kind: str) -> int:
    """The most tokens a surface form of a ``kind`` entry of ``lexicon`` has."""
    return max((len(LEXICON_TOKEN.findall(normalise(form))) for entry in lexicon.of_kind(kind)
                for form in entry.surface_forms), default=0)


class Disjoint:
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


class NameIndex(dict):
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


class DocumentNames:
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


class Coverage:
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


class HeadWords:
    """The words of a growing name that :func:`class_by_head` reads: the words before its
    first "of" (as many as the longest head word has) and its last words; so the class of
    "A and B and C and ..." is found from a few words however long the name grows."""

    def __init__(self) -> None:
        self.reach = agency_head_reach()
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
def agency_head_reach() -> int:
    from .heads import head_words

    return max((len(hw.head.split()) for hw in head_words() if hw.kind == "agency"), default=1)


__all__ = ["LEXICON_TOKEN", "Coverage", "Disjoint", "DocumentNames", "HeadWords", "NameIndex", "agency_head_reach",
           "longest_forms"]
