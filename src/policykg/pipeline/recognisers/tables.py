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


__all__ = ["document_tables"]
