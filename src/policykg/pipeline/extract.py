"""Stage 2: :class:`~policykg.document.Document` -> records (entities and facts, with spans).

Door: :func:`extract`. It finds the mentions of the genre — agencies ("Full Name (ABBR)", bold
abbreviations, names the lexicon knows), areas and regions (the lexicon, footnoted lists),
articles, dates, durations, stated counts, laws, documents (bold names, full names in
footnotes) and export bases — and the relations between them: who guides which article,
forerunner areas and the measures they apply to ("the two measures above"), the regions of an
article, who issued or co-released a document and when, which document refers to which law,
which is part of which.

Every record carries the :class:`Evidence` it comes from: a span of the source text whose
``exact`` equals ``doc.text[start:end]``. Entities the lexicon does not know get an IRI minted
from their name (see ``mappings/README.md``) and are listed in :attr:`Extraction.new_entities`.
Where the text leaves a fact unsure, the fact is left out and a warning says why.

Raises :class:`~policykg.errors.InputError` (file and line) for an abbreviation in an agency's
place that neither the text nor the lexicon defines.

The work is done by the recognisers of :mod:`policykg.pipeline.recognisers`, one per kind, over one
shared :class:`~policykg.pipeline.recognisers.context.Context` per document. :func:`run` calls them in
this order, which is also the order of the records; where one reads what another wrote, the
context holds it as data:

1. ``documents.the_update`` — the source's own entity (the policy update).
2. ``agencies.find_definitions`` — "Full Name (ABBR)": the abbreviations every later look-up
   of agencies (``agencies.agencies_in``) resolves.
3. ``documents.find_documents`` — the documents named and their mentions, which every later
   recogniser looks documents up in.
4. ``documents.find_holder`` — the documents that hold the numbered measures, one per run of
   measures (``holders``; ``holder`` is the first run's); it may retype a list as a table of
   measures, so it runs before the documents are emitted.
5. ``documents.emit_documents``, ``documents.report`` — their entities; the update reports on
   each.
6. The prose (:func:`prose`), sentence by sentence: ``dates.issuance`` (it sets
   ``last_issued``, which the pilot facts after it read), ``documents.possessive_issuers``,
   ``documents.issuers_in_names``, ``documents.issuers_after_names``, ``documents.issuers_listed``,
   ``dates.dated_names``,
   ``dates.dated_anaphora``, ``dates.event_dates`` (days of publication and effect, for trials),
   ``dates.trial`` (kept in ``pending_trials``), ``places.pilot_areas``, ``agencies.named``
   (every agency the sentence names), ``documents.parts``; then ``references.references`` for
   the block.
7. ``tables.document_tables`` — the rows of a table "Document | Issued by | Issued": who issued
   each document, and on which day; ``tables.fact_sheets`` — the same from a list of fields
   ("Issuing authority: CAC"); ``documents.issued_parts`` — "Notice on Issuing the X": X is part
   of the notice; "Decision on Amending the X": the decision refers to X.
8. ``measures.articles`` — the measures (each of its run's holder; a number a second time in
   one holder is a warning), their categories, guidance, forerunners and regions.
9. ``sites.designated_sites`` — lists of bases (where a lexicon base lies: containment by
   child).
10. ``measures.category_scheme`` — the categories step 8 found.
11. ``dates.settle_issue_dates`` — one issue date per document, of those step 6 found.
12. ``dates.settle_trials`` — each trial period from its start or its document's issue date.
13. ``places.listed_pilot_areas`` — the items of a list under "The 12 pilot cities", when one
    document stated that count; ``places.settle_counts`` — a stated count of pilot areas only
    where as many areas were found for its document (else a warning).
14. ``dates.date_documents`` — last: each document minted here gets its year in its IRI,
    everywhere.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..document import Document
from ..textutil import block_view, sentences
from .lexicon import Lexicon
from .structure import no_measures
from .recognisers import agencies, dates, documents, indexes, measures, places, references, sites, tables
from .recognisers.agencies import ABBREVIATION, DEFINITION, definitions
from .recognisers.context import Context
from .recognisers.dates import DATE, ISSUE, PASSIVE_BY, TRIAL
from .recognisers.documents import ANAPHORA, FULL_NAMES, PARTS
from .recognisers.heads import class_by_head
from .recognisers.iris import (
    CATEGORY_SCHEME,
    DEFAULT_CLASS,
    DOCUMENT_SLUG_WORDS,
    ID,
    KIND_PATH,
    dated_document_slug,
    document_iri,
    document_slug,
    policy_update_iri,
    safe_slug,
)
from .recognisers.measures import FORERUNNER, MEASURE_NUMBERS, MEASURES_ABOVE, doc_title
from .recognisers.places import COUNT, LIST_INTRO, REGION_WORDS
from .recognisers.records import Evidence, Extraction, Mention, NewEntity, Record, record

#: The indexes by the names they had here before the recognisers were split out.
_DocumentNames, _HeadWords, _NameIndex = indexes.DocumentNames, indexes.HeadWords, indexes.NameIndex


def extract(doc: Document, lexicon: Lexicon) -> Extraction:
    """Extract the records of one document, resolving names against the lexicon."""
    return run(Context(doc, lexicon, make_evidence=Evidence))


def run(ctx: Context) -> Extraction:
    """The recognisers over ``ctx``, in the order of this module's docstring; what they found."""
    documents.the_update(ctx)
    agencies.find_definitions(ctx)
    documents.find_documents(ctx)
    _measures_or_documents(ctx)
    documents.find_holder(ctx)
    documents.emit_documents(ctx)
    documents.report(ctx)
    prose(ctx)
    tables.document_tables(ctx)
    tables.fact_sheets(ctx)
    documents.issued_parts(ctx)
    measures.articles(ctx)
    sites.designated_sites(ctx)
    measures.category_scheme(ctx)
    dates.settle_issue_dates(ctx)
    dates.settle_trials(ctx)
    places.listed_pilot_areas(ctx)
    places.settle_counts(ctx)
    dates.date_documents(ctx)
    records = list(ctx.entities.values()) + ctx.records
    return Extraction(ctx.doc, ctx.source, tuple(records),
                      tuple(sorted(ctx.new.values(), key=lambda n: n.iri)), tuple(ctx.warnings))


def _measures_or_documents(ctx: Context) -> None:
    """A policy update numbers measures, or at least names policy documents. One that numbers
    none in a form policykg knows but names documents is read for the rest (documents, issuers,
    dates, pilot facts, references) with a warning; one that does neither is refused."""
    if any(b.kind == "article" for b in ctx.doc.blocks):
        return
    if not ctx.documents:
        raise no_measures(ctx.doc)
    ctx.warn(1, "no numbered measures found (expected lines such as \"Article 12: ...\", \"Item 12\", "
                "\"(12)\", \"12.\" in a numbered list, or a table with a number column): the document's "
                "measures, their categories and who guides them are not extracted; its documents, "
                "issuers, dates, pilot facts and references are")


#: Blocks that are not prose: their sentences say no issuance, date, period, part or reference.
_NOT_PROSE = ("title", "dateline", "heading", "category", "article", "header", "preamble")


def prose(ctx: Context) -> None:
    """Issuance, issue dates, trial periods, stated counts and pilot areas, parts, references:
    the recognisers of a sentence, for each sentence of the prose in turn; then the references
    of its block."""
    doc = ctx.doc
    for block in doc.blocks:
        if block.kind in _NOT_PROSE:
            continue
        view = block_view(doc, block)
        block_docs = ctx.documents_in(block.start, block.end)
        for s, e in sentences(view):
            sent = view.clean[s:e]
            o_start, o_end = view.origin(s, e)
            evidence = ctx.evidence(o_start, o_end)
            sdocs = ctx.documents_in(o_start, o_end)
            issued = dates.issuance(ctx, view, s, e, sdocs, block)
            documents.possessive_issuers(ctx, view, s, sdocs)
            documents.issuers_in_names(ctx, sdocs)
            documents.issuers_after_names(ctx, view, s, e, sdocs)
            documents.issuers_listed(ctx, view, s, e, sdocs)
            dates.dated_names(ctx, view, s, e, sdocs)
            dates.issued_after_names(ctx, view, s, e, sdocs)
            dates.bracket_after_names(ctx, view, s, e, sdocs)
            dates.dated_anaphora(ctx, view, s, e)
            dates.event_dates(ctx, view, s, e, sdocs)
            if issued is not None:
                ctx.last_issued = issued
                ctx.last_issued_at = o_end
            dates.trial(ctx, sent, evidence, issued, o_start)
            places.pilot_areas(ctx, view, s, e, block, o_start)
            agencies.named(ctx, view, s, e)
            if not FULL_NAMES.search(sent):  # a footnote of full names lists, it does not attach
                documents.parts(ctx, ctx.without_documents(view, s, e), evidence, sdocs, o_start)
        references.references(ctx, block, block_docs)


def iter_spans(extraction: Extraction) -> Iterator[Evidence]:
    for r in extraction.records:
        if r.evidence is not None:
            yield r.evidence


class _Extractor(Context):
    """The extractor as one object, as it was before the recognisers were split out: a
    :class:`Context` with :meth:`run` and the agency steps that tests call by name."""

    def run(self) -> Extraction:
        return run(self)

    def find_definitions(self) -> None:
        agencies.find_definitions(self)

    def _trim_name(self, name: str) -> tuple[str, int]:
        return agencies.trim_name(self, name)

    def _known_agency(self, name: str) -> bool:
        return self.known_agency(name)


__all__ = ["ABBREVIATION", "ANAPHORA", "CATEGORY_SCHEME", "COUNT", "DATE", "DEFAULT_CLASS", "DEFINITION",
           "DOCUMENT_SLUG_WORDS", "FORERUNNER", "FULL_NAMES", "ID", "ISSUE", "KIND_PATH", "LIST_INTRO",
           "MEASURES_ABOVE", "MEASURE_NUMBERS", "PARTS", "PASSIVE_BY", "REGION_WORDS", "TRIAL",
           "Context", "Evidence", "Extraction", "Mention", "NewEntity", "Record", "class_by_head",
           "dated_document_slug", "definitions", "doc_title", "document_iri", "document_slug", "extract",
           "iter_spans", "policy_update_iri", "prose", "record", "run", "safe_slug"]
