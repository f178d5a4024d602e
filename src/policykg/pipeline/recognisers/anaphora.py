"""The genre's words that point back at what the text named before, from
``mappings/patterns/anaphora.toml``: the expressions the recognisers match them with.

Door: :func:`words` (the file, read once), and one function per expression:
:func:`document_anaphora` ("the notice"), :func:`both_documents` ("Both texts"),
:func:`same_agencies` ("the said departments"), :func:`same_issuers` ("by the same body"),
and the measure nouns :func:`measure_nouns` ("measures?|articles?|tasks?..."). Which words
stand for what, and how each recogniser resolves them, is said where they are used
(:mod:`~policykg.pipeline.recognisers.documents`, :mod:`~policykg.pipeline.recognisers.references`,
:mod:`~policykg.pipeline.recognisers.dates`, :mod:`~policykg.pipeline.recognisers.measures`).
"""
from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import Any

from ... import resources


@cache
def words() -> dict[str, Any]:
    """The file, parsed."""
    path = resources.data_root() / "mappings" / "patterns" / "anaphora.toml"
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _alternatives(items: list[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(items, key=len, reverse=True))


def document_classes() -> dict[str, list[str]]:
    """word -> the classes "the <word>" may stand for."""
    return {k.lower(): v for k, v in words()["document"]["words"].items()}


@cache
def document_anaphora() -> re.Pattern[str]:
    """"the notice", "this plan": group ``what`` the word."""
    w = words()["document"]
    return re.compile(rf"\b(?:{_alternatives(w['determiners'])})\s+(?P<what>{_alternatives(list(w['words']))})\b",
                      re.IGNORECASE)


@cache
def both_documents() -> re.Pattern[str]:
    """"Both texts", "both", "the two documents" at the start of a clause."""
    nouns = _alternatives(words()["documents"]["nouns"])
    return re.compile(rf"^\s*(?:both(?:\s+(?:{nouns}))?|the\s+two\s+(?:{nouns}))\b", re.IGNORECASE)


@cache
def same_agencies() -> re.Pattern[str]:
    """"the said departments", "the same body": group ``one`` or ``several``."""
    w = words()["agencies"]
    return re.compile(rf"\b(?:{_alternatives(w['determiners'])})\s+(?:(?P<one>{_alternatives(w['one'])})|"
                      rf"(?P<several>{_alternatives(w['several'])}))\b", re.IGNORECASE)


@cache
def same_issuers() -> re.Pattern[str]:
    """"the same body", "the same bodies" right after "by": group ``one`` or ``several``."""
    w = words()["agencies"]
    return re.compile(rf"(?:the\s+)?same\s+(?:(?P<one>{_alternatives(w['one'])})|"
                      rf"(?P<several>{_alternatives(w['several'])}))\b", re.IGNORECASE)


@cache
def measure_nouns(plural: bool = True) -> str:
    """The nouns for measures, as an alternation (each with an optional plural "s")."""
    nouns = words()["measures"]["nouns"]
    return "|".join(f"{re.escape(n)}s?" if plural else re.escape(n) for n in sorted(nouns, key=len, reverse=True))


__all__ = ["both_documents", "document_anaphora", "document_classes", "measure_nouns", "same_agencies",
           "same_issuers", "words"]
