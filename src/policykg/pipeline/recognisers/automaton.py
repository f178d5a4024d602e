"""Every occurrence of many token sequences in one pass: an Aho-Corasick automaton over tokens.

Door: :class:`TokenAutomaton` — :meth:`~TokenAutomaton.add` the sequences (names split into
tokens), then :meth:`~TokenAutomaton.occurrences` of them in a sequence of tokens.

Why not a trie walked from every token? A walk from each start costs up to the length of the
longest name that begins there, so a text of n tokens and a name of n tokens ("Notice Notice
... Notice") cost n²; and why not one regular expression per name? That costs names x text.
The automaton reads each token of the text once (following failure links, amortised O(1) per
token) and costs one step more per occurrence it reports: O(text + names + occurrences).
"""
from __future__ import annotations

import collections
from collections.abc import Hashable, Iterator, Sequence
from typing import Generic, TypeVar

__all__ = ["TokenAutomaton"]

V = TypeVar("V")


class TokenAutomaton(Generic[V]):
    """Token sequences with a value each; all their occurrences in a token sequence."""

    def __init__(self) -> None:
        self._goto: list[dict[Hashable, int]] = [{}]
        self._depth: list[int] = [0]
        self._values: list[list[V]] = [[]]  # the values of the sequences that end at a node
        self._fail: list[int] = [0]
        self._out: list[int] = [-1]  # the nearest node down the failure chain with values
        self._built = False

    def add(self, tokens: Sequence[Hashable], value: V) -> None:
        """Add a sequence (at least one token); a sequence added twice keeps both values."""
        if not tokens:
            raise ValueError("an empty sequence matches everywhere")
        node = 0
        for token in tokens:
            nxt = self._goto[node].get(token)
            if nxt is None:
                nxt = len(self._goto)
                self._goto[node][token] = nxt
                self._goto.append({})
                self._depth.append(self._depth[node] + 1)
                self._values.append([])
                self._fail.append(0)
                self._out.append(-1)
            node = nxt
        self._values[node].append(value)
        self._built = False

    def _build(self) -> None:
        queue = collections.deque(self._goto[0].values())
        for child in queue:
            self._fail[child] = 0
        while queue:
            node = queue.popleft()
            fail = self._fail[node]
            self._out[node] = fail if self._values[fail] else self._out[fail]
            for token, child in self._goto[node].items():
                f = fail
                while f and token not in self._goto[f]:
                    f = self._fail[f]
                target = self._goto[f].get(token, 0)
                self._fail[child] = target if target != child else 0
                queue.append(child)
        self._built = True

    def occurrences(self, tokens: Sequence[Hashable]) -> Iterator[tuple[int, int, V]]:
        """(first token, one past the last token, value) of every occurrence, overlapping ones
        included, ordered by where they end (and, at one end, longest first)."""
        if not self._built:
            self._build()
        goto, fail, values, out, depth = self._goto, self._fail, self._values, self._out, self._depth
        node = 0
        for end, token in enumerate(tokens, 1):
            while node and token not in goto[node]:
                node = fail[node]
            node = goto[node].get(token, 0)
            hit = node if values[node] else out[node]
            while hit > 0:
                for value in values[hit]:
                    yield end - depth[hit], end, value
                hit = out[hit]
