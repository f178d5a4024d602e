"""Head words: the word of a name that says what it names (``mappings/head-words.csv``).

"Ministry of Ecology and Environment" is a ministry, "Pudong New Area" a new area, "notice on
the construction of ..." a notice. :func:`class_by_head` gives the ``pol:`` class an unknown
entity's name implies; :func:`document_heads` the head words of documents, for recognising
names of documents that no markup points at.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from ... import resources
from ...textutil import normalise


@dataclass(frozen=True)
class HeadWord:
    kind: str
    head: str
    cls: str


@cache
def head_words() -> tuple[HeadWord, ...]:
    path = resources.data_root() / "mappings" / "head-words.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(HeadWord(r["kind"], r["head"], r["class"]) for r in csv.DictReader(handle))


@lru_cache(maxsize=65536)
def class_by_head(kind: str, name: str) -> str | None:
    """The pol: class an unknown entity's name implies by its head word (``mappings/head-words.csv``).

    The head is the last word(s) of the name, or the word before its first "of" (for an agency,
    "for") ("National Bureau of Statistics" -> Bureau; "Ministry of Ecology and Environment" ->
    Ministry; "Provincial Administration for Industry and Commerce" -> Administration).
    A document's head is the word before its first preposition, else its last word.
    """
    words = normalise(name).split()
    if not words:
        return None
    # ("... Administration for Industry and Commerce": "for" as "of", for an agency)
    of = next((i for i, w in enumerate(words) if (w == "of" or w == "for" and kind == "agency") and i > 0), None)
    found = (document_head(name) or "") if kind == "document" else ""
    if kind == "document":  # a head of several words ("Negative List") wins over its last word
        phrase = " ".join(normalise(name).casefold().split())
        for hw in head_words():
            if hw.kind == "document" and " " in hw.head and \
                    re.search(rf"(?<!\w){re.escape(hw.head.casefold())}(?!\w)", phrase):
                return hw.cls
    for hw in head_words():
        if hw.kind != kind:
            continue
        head = hw.head.split()
        if kind == "document":
            if found == hw.head or (hw.head.islower() and found.lower() == hw.head):
                return hw.cls
            continue
        tails = [words[-len(head):]]
        if of is not None and of >= len(head):
            tails.append(words[of - len(head):of])
        if any([w.lower() for w in tail] == [h.lower() for h in head] for tail in tails):
            return hw.cls
    return None


_PREPOSITIONS = {"for", "of", "on", "in", "regarding", "about", "to", "concerning"}


@lru_cache(maxsize=65536)
def document_head(name: str) -> str | None:
    """The head noun of a document's name (:func:`_document_head`), its bracketed parts
    ("(Trial)", "(2024 Edition)", "(Beijing)") and a trailing ", batch 3" aside."""
    bare = re.sub(r"[(（][^()（）]*[)）]", " ", normalise(name))
    bare = re.sub(r",?\s+batch\s+\d+\s*$", " ", bare, flags=re.IGNORECASE)
    return _document_head(bare.split())


def _document_head(words: list[str]) -> str | None:
    """The head noun of a document name: the word before the first preposition (or before a
    participle that follows a head word: "Letter Approving ..."), else the last."""
    words = [w for w in words if not re.fullmatch(r"[(（][^()（）]*[)）]", w)]
    clean = [w.strip(",:;()*") for w in words]
    for i, w in enumerate(clean):
        if i > 0 and (w.lower() in _PREPOSITIONS or w[:1].isupper() and w.endswith("ing") and len(w) > 5
                      and clean[i - 1].lower() in document_heads()):
            # "Letter Approving Seven Regions ...", "Reply Agreeing to ...": a participle after a
            # head word, as a preposition
            return clean[i - 1]
    return clean[-1] if clean else None




@cache
def document_heads() -> dict[str, str]:
    """Document head words (lower case) -> class; a head written capitalised in the CSV
    ("Measures") counts only when capitalised in the text, which the caller checks."""
    return {hw.head.lower(): hw.cls for hw in head_words() if hw.kind == "document"}


__all__ = ["HeadWord", "class_by_head", "document_head", "document_heads", "head_words"]
