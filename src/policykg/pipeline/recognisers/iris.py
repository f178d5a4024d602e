"""The IRIs of what the recognisers find: minted from names (see ``mappings/README.md``).

Door: :func:`document_slug` and :func:`dated_document_slug` (a document's slug from its whole
name, and with its year), :func:`document_iri`, :func:`policy_update_iri` (the source's own
IRI), :func:`safe_slug` (any other entity's slug), and :data:`CATEGORY_SCHEME`. Functions of names
only: they read and write no context. :data:`ID`, :data:`KIND_PATH` and :data:`DEFAULT_CLASS`
come from the table of kinds in :mod:`policykg.names`; the recognisers import them from here.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from ...document import Document
from ...names import DEFAULT_CLASS, ID, KIND_PATH
from ...textutil import View, normalise, slugify

CATEGORY_SCHEME = ID + "scheme/measure-categories"


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
YEAR_IN_NAME = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


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


__all__ = ["CATEGORY_SCHEME", "DEFAULT_CLASS", "DOCUMENT_SLUG_WORDS", "ID", "KIND_PATH", "YEAR_IN_NAME",
           "dated_document_slug", "document_iri", "document_slug", "policy_update_iri", "safe_slug"]
