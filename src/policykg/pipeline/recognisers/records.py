"""What the recognisers give: records (entities and facts) with the evidence they come from.

Door: :func:`record` (make a :class:`Record`), and the types :class:`Evidence`,
:class:`Record`, :class:`NewEntity`, :class:`Extraction` and :class:`Mention`. They read and
write nothing: :mod:`policykg.pipeline.extract` re-exports them, and the later stages
(:mod:`policykg.pipeline.reconcile`, :mod:`policykg.pipeline.mapping`) take them from there.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...document import Document
from ..lexicon import Entry


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


@dataclass(frozen=True)
class Mention:
    """An entity named in the text: its kind, its IRI and where (original offsets)."""

    kind: str
    iri: str
    start: int  # original offsets
    end: int


__all__ = ["Evidence", "Extraction", "Mention", "NewEntity", "Record", "record"]
