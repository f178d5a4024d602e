"""Tables about documents: "Document | Issued by | Issued | Status", one row a document.

Door: :func:`document_tables` (a pass over the document's blocks, after
:func:`~policykg.pipeline.recognisers.documents.find_documents`, before
:func:`~policykg.pipeline.recognisers.dates.settle_issue_dates`).

A table whose header names a column of documents and a column of their issuers ("Issued by",
"Issuer", "Issuing body") says, row by row, who issued which document, and, where a column is
headed by the act of issuing ("Issued", "Date of issue", "Dated"), on which day. A row counts
only where its document cell names one document the text names; the issuers are the agencies
of the issuers cell; a date cell counts only where it holds one whole date and nothing else
(a column headed "In force", "Published" or "Status" is never an issue date). Writes
``issuance`` and ``issue_date`` facts, with the row as their evidence.
"""
from __future__ import annotations

import datetime as dt
import re

from ...document import MONTH_PATTERN, MONTHS, Block, Span
from ...textutil import View
from .agencies import agencies_in
from .context import Context

#: The header of the column of documents, of their issuers, of their issue dates.
_DOCUMENT_COLUMN = re.compile(r"(?:document|title|name|instrument|regulation|policy|rules?|text)s?", re.IGNORECASE)
_ISSUER_COLUMN = re.compile(r"(?:issu(?:ed|ing)|promulgated|adopted|made)\s+by|issuers?|issuing\s+(?:bod(?:y|ies)|"
                            r"authorit(?:y|ies)|departments?|agenc(?:y|ies)|ministr(?:y|ies))|by", re.IGNORECASE)
_DATE_COLUMN = re.compile(r"(?:issued|dated|signed|promulgated|adopted)(?:\s+on)?|(?:date\s+of\s+)?issue(?:\s+date)?|"
                          r"issuance(?:\s+date)?", re.IGNORECASE)
#: A cell that is one whole date: "19 May 2025", "May 19, 2025", "2025-05-19".
_DATE_CELL = re.compile(rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{MONTH_PATTERN})\.?|(?P<m2>{MONTH_PATTERN})\.?\s+"
                        rf"(?P<d2>\d{{1,2}}),?)\s+(?P<y>\d{{4}})|(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})",
                        re.IGNORECASE)


def document_tables(ctx: Context) -> None:
    """Each table of documents and their issuers: the facts of its rows."""
    blocks = ctx.doc.blocks
    for i, block in enumerate(blocks):
        if block.kind != "header" or not block.cells:
            continue
        columns = _columns(ctx, block)
        if columns is None:
            continue
        for row in blocks[i + 1:]:
            if row.kind not in ("paragraph", "article") or len(row.cells) != len(block.cells):
                break
            _row(ctx, row, *columns)


def _columns(ctx: Context, header: Block) -> tuple[int, int, int | None] | None:
    """(the column of documents, of issuers, of issue dates or ``None``), or ``None`` for a
    table that is not about documents and their issuers."""
    words = [" ".join(re.sub(r"[*_`]+", " ", ctx.doc.text[c.start:c.end]).split()) for c in header.cells]
    documents = [c for c, w in enumerate(words) if _DOCUMENT_COLUMN.fullmatch(w)]
    issuers = [c for c, w in enumerate(words) if _ISSUER_COLUMN.fullmatch(w)]
    dates = [c for c, w in enumerate(words) if _DATE_COLUMN.fullmatch(w)]
    if len(documents) != 1 or len(issuers) != 1:
        return None
    return documents[0], issuers[0], dates[0] if len(dates) == 1 else None


def _row(ctx: Context, row: Block, document: int, issuers: int, date: int | None) -> None:
    cell = row.cells[document]
    named = {d.iri: d for _, _, d in ctx.documents_in(cell.start, cell.end) if d.iri != ctx.source}
    if len(named) != 1:
        return
    d = next(iter(named.values()))
    evidence = ctx.evidence(row.start, row.end)
    who = _view(ctx, row.cells[issuers])
    for a in agencies_in(ctx, who, 0, len(who.clean), strict=True):
        ctx.fact("issuance", evidence, document=d.iri, agency=a.iri)
    if date is not None:
        day = _date(" ".join(_view(ctx, row.cells[date]).clean.split()))
        if day is not None:
            ctx.fact("issue_date", evidence, document=d.iri, date=day)


#: A field's label: "Issuing authority: CAC", "**Date of issue:** 2024-03-22", a row "| Issued by | CAC |".
_FIELD = re.compile(r"[ \t>]*[*_]*(?P<label>[A-Za-z][\w ()/&'’-]{0,60}?)[*_]*[ \t]*[:：][*_]*[ \t]*(?=\S)")
#: The label of a field that names the document a field list is about.
_DOCUMENT_FIELD = re.compile(r"(?:(?:full|official|english)\s+)?(?:name|title)(?:\s+of\s+(?:the\s+)?(?:document|instrument))?|"
                             r"(?:document|instrument|policy)(?:\s+(?:name|title))?", re.IGNORECASE)
_ISSUER_FIELD = re.compile(rf"{_ISSUER_COLUMN.pattern}|(?:issuing|promulgating)\s+(?:organ|office)s?", re.IGNORECASE)
_DATE_FIELD = re.compile(rf"{_DATE_COLUMN.pattern}|date\s+(?:of\s+)?(?:issu(?:e|ance)|promulgation)|"
                         r"(?:promulgation|issuing)\s+date|date\s+(?:issued|promulgated|signed)", re.IGNORECASE)


def fact_sheets(ctx: Context) -> None:
    """A list of fields about one document ("Document: Provisions on ...", "Issuing authority:
    CAC", "Date of issue: 22 March 2024"; lines of their own or rows of a table of two columns):
    its issuers and its issue date. The document is the one its document field names (one, and
    nothing else), else the one a heading right before the list names; without either, nothing."""
    run: list[tuple[str, Span]] = []
    before: Block | None = None
    for block in [*ctx.doc.blocks, None]:
        field = _field(ctx, block) if block is not None else None
        if field is not None:
            run.append(field)
            continue
        if run:
            _sheet(ctx, run, before)
            run = []
        before = block


def _field(ctx: Context, block: Block) -> tuple[str, Span] | None:
    """(label, the span of its value) of a block that is one field, else ``None``."""
    text = ctx.doc.text
    if len(block.cells) == 2 and block.kind in ("paragraph", "header", "article"):
        label = " ".join(re.sub(r"[*_`:：]+", " ", text[block.cells[0].start:block.cells[0].end]).split())
        return label, block.cells[1]
    if block.kind != "paragraph" or block.cells or "\n" in text[block.start:block.end]:
        return None
    m = _FIELD.match(text, block.start, block.end)
    if not m:
        return None
    return " ".join(m.group("label").split()), Span(m.end(), block.end)


def _sheet(ctx: Context, fields: list[tuple[str, Span]], before: Block | None) -> None:
    named = [(label, span) for label, span in fields if _DOCUMENT_FIELD.fullmatch(label)]
    issuers = [span for label, span in fields if _ISSUER_FIELD.fullmatch(label)]
    dates = [span for label, span in fields if _DATE_FIELD.fullmatch(label)]
    if not issuers and not dates:
        return
    if named:
        if len(named) != 1:
            return
        span = named[0][1]
    elif before is not None and before.kind in ("heading", "title"):
        span = Span(before.start, before.end)
    else:
        return
    found = {d.iri: d for _, _, d in ctx.documents_in(span.start, span.end) if d.iri != ctx.source}
    if len(found) != 1:
        return
    d = next(iter(found.values()))
    for value in issuers:
        who = _view(ctx, value)
        evidence = ctx.evidence(value.start, value.end)
        for a in agencies_in(ctx, who, 0, len(who.clean), strict=True):
            ctx.fact("issuance", evidence, document=d.iri, agency=a.iri)
    if len(dates) == 1:
        day = _date(" ".join(_view(ctx, dates[0]).clean.split()))
        if day is not None:
            ctx.fact("issue_date", ctx.evidence(dates[0].start, dates[0].end), document=d.iri, date=day)


def _view(ctx: Context, cell: Span) -> View:
    return View.of(ctx.doc.text, cell.start, cell.end, markup=ctx.doc.markup)


def _date(text: str) -> dt.date | None:
    m = _DATE_CELL.fullmatch(text.strip(" *_."))
    if not m:
        return None
    try:
        if m.group("iy"):
            return dt.date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        return dt.date(int(m.group("y")), MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")],
                       int(m.group("d1") or m.group("d2")))
    except ValueError:  # "30 February 2024"
        return None


__all__ = ["document_tables", "fact_sheets"]
