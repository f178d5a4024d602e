"""Stage 3: the records of many documents -> one set of records, one node per real thing.

Door: :func:`reconcile`. Entities are already resolved against the lexicon by the extractor,
so the same lexicon entity has the same IRI in every document. What is left:

* an entity mentioned by several documents becomes one record: the lexicon's names when it
  knows the entity, else the first document's (documents in path order);
* entities the lexicon does not know, minted under different IRIs but with the same English
  name and kind ("National Data Administration (NDA)" in one document, "National Data
  Administration" in another), are merged into one: the IRI minted from an abbreviation
  wins, else the shortest; every reference is rewritten — unless a curator's split
  (``mappings/curation``, :attr:`policykg.pipeline.curate.Curation.apart`) keeps that name apart.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from .. import names
from ..textutil import normalise
from .extract import Extraction, NewEntity, Record, document_slug, record

#: The kinds of record that are entities (:data:`policykg.names.ENTITY_KINDS`).
ENTITY_KINDS = tuple(names.ENTITY_KINDS)
_DEFAULT_CLASSES = {"GovernmentAgency", "Area", "PolicyDocument"}


@dataclass(frozen=True)
class Reconciled:
    """Records ready for mapping, and what the build should report."""

    records: tuple[Record, ...]
    new_entities: tuple[NewEntity, ...]
    merged: tuple[tuple[str, str], ...]  # (IRI dropped, IRI kept)
    warnings: tuple[str, ...]
    #: What a split kept apart: (kind or "", name) of the split -> the IRIs it kept apart.
    kept_apart: dict[tuple[str, str], tuple[str, ...]] | None = None


def _key(rec: Record) -> tuple[str, str]:
    return rec.kind, normalise(str(rec.get("label", ""))).casefold()


def reconcile(extractions: Sequence[Extraction], *,
              apart: Collection[tuple[str, str]] = ()) -> Reconciled:
    """Merge the records of several documents (in the order given: sort them first).

    ``apart``: (kind or "", name as :func:`policykg.pipeline.curate.name_key` gives it) of the names
    whose entities are not merged by name (a curator's split); the IRIs each kept apart are
    in :attr:`Reconciled.kept_apart`.
    """
    entities: dict[str, list[Record]] = {}
    facts: list[Record] = []
    extractions, split, split_warnings = _split_collisions(extractions)
    for extraction in extractions:
        for rec in extraction.records:
            if rec.kind in ENTITY_KINDS:
                entities.setdefault(str(rec.get("iri")), []).append(rec)
            else:
                facts.append(rec)

    merged_entities = {iri: _merge(group) for iri, group in entities.items()}

    # one node per name among minted entities of a kind
    rename: dict[str, str] = {}
    by_name: dict[tuple[str, str], list[str]] = {}
    for iri, rec in merged_entities.items():
        if rec.lexicon is None and rec.kind in ("agency", "area", "export_base", "site", "region"):
            by_name.setdefault(_key(rec), []).append(iri)
    lexicon_names = {_key(r): iri for iri, r in merged_entities.items() if r.lexicon is not None}
    kept_apart: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, iris in by_name.items():
        split = next((a for a in ((key[0], _apart_key(key[1])), ("", _apart_key(key[1]))) if a in apart), None) \
            if apart else None
        if split is not None:
            together = sorted(set(iris) | ({lexicon_names[key]} if key in lexicon_names else set()))
            if len(together) > 1:
                kept_apart[split] = tuple(sorted(set(kept_apart.get(split, ())) | set(together)))
            continue
        if key in lexicon_names:
            keep = lexicon_names[key]
        else:
            keep = sorted(iris, key=lambda i: (not _abbreviated(merged_entities[i]), len(i), i))[0]
        for iri in iris:
            if iri != keep:
                rename[iri] = keep
    for old, new in rename.items():
        merged_entities[new] = _merge([merged_entities[new], merged_entities.pop(old)])

    def rewrite(rec: Record) -> Record:
        if not rename or not any(v in rename for _, v in rec.fields if isinstance(v, str)):
            return rec
        return Record(rec.kind, tuple((k, rename.get(v, v) if isinstance(v, str) else v)
                                      for k, v in rec.fields), rec.evidence, rec.lexicon)

    records = [merged_entities[i] for i in sorted(merged_entities)] + [rewrite(f) for f in facts]
    new = {}
    for extraction in extractions:
        for n in extraction.new_entities:
            iri = rename.get(n.iri, n.iri)
            if iri in merged_entities and merged_entities[iri].lexicon is None:
                new.setdefault(iri, NewEntity(n.kind, iri, str(merged_entities[iri].get("label")), n.line))
    warnings = tuple(w for e in extractions for w in e.warnings) + split_warnings
    return Reconciled(tuple(records), tuple(new[i] for i in sorted(new)),
                      tuple(sorted(rename.items())), warnings, kept_apart)


def _apart_key(name: str) -> str:
    """A name as a split names it (:func:`policykg.pipeline.curate.name_key`: runs of space as one)."""
    return " ".join(name.split())


def _split_collisions(extractions: Sequence[Extraction]) -> tuple[list[Extraction], dict[str, str], tuple[str, ...]]:
    """Documents minted under one IRI by different names in different updates (names that
    differ in more than case, punctuation and the small words; since document IRIs hold the
    whole name, only an IRI made by hand or a future minting rule can do that) are different
    documents: the later one
    gets an IRI of its own (the first one's plus a hash of its name), in all its records, and a
    warning says so. Returns the extractions, rewritten where needed, and the warnings."""
    import hashlib
    from dataclasses import replace

    first_name: dict[str, tuple[str, str]] = {}  # IRI -> (normalised name, the name)
    out: list[Extraction] = []
    split: dict[str, str] = {}
    warnings: list[str] = []
    for extraction in extractions:
        local: dict[str, str] = {}
        for rec in extraction.records:
            if rec.kind != "document" or rec.lexicon is not None or rec.get("cls") == "PolicyUpdate":
                continue
            # one name when its words are (extract.document_slug): "Measures on X" = "Measures for X"
            iri, key = str(rec.get("iri")), document_slug(str(rec.get("label", "")))
            known = first_name.setdefault(iri, (key, str(rec.get("label"))))
            if known[0] != key and iri not in local:
                local[iri] = f"{iri}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"
                line = rec.evidence.line if rec.evidence is not None else 1
                warnings.append(f"{extraction.document.path}:{line}: the document {rec.get('label')!r} "
                                f"would share the IRI <{iri}> with {known[1]!r} of another update; "
                                f"minted <{local[iri]}> instead")
        if not local:
            out.append(extraction)
            continue
        split.update(local)

        def rewrite(rec: Record, local: dict[str, str] = local) -> Record:
            return Record(rec.kind, tuple((k, local.get(v, v) if isinstance(v, str) else v) for k, v in rec.fields),
                          rec.evidence, rec.lexicon)

        new_entities = tuple(replace(n, iri=local.get(n.iri, n.iri)) for n in extraction.new_entities)
        out.append(replace(extraction, records=tuple(rewrite(r) for r in extraction.records),
                           new_entities=new_entities))
    return out, split, tuple(warnings)


def _abbreviated(rec: Record) -> bool:
    return any(a.isupper() for a in rec.get("alt", ()) or ())


def _merge(group: Iterable[Record]) -> Record:
    group = list(group)
    first = next((r for r in group if r.lexicon is not None), group[0])
    fields = first.data
    alt: set[str] = set()
    for rec in group:
        alt |= set(rec.get("alt", ()) or ())
        if fields.get("cls") in _DEFAULT_CLASSES and rec.get("cls") not in _DEFAULT_CLASSES:
            fields["cls"] = rec.get("cls")
        for name in ("label_zh",):
            if fields.get(name) is None and rec.get(name) is not None:
                fields[name] = rec.get(name)
    for rec in group:
        if rec.get("label") != fields.get("label") and rec.lexicon is None:
            alt.add(str(rec.get("label")))  # another name of the same entity: kept, as an alias
    alt.discard(str(fields.get("label")))
    fields["alt"] = tuple(sorted(alt)) or None
    return record(first.kind, first.evidence, first.lexicon, **fields)


__all__ = ["Reconciled", "reconcile"]
